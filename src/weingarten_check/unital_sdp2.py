"""Level-2 (degree-4 moment) strengthening of the unital-channel bound, with an exact certificate.

For a unitary U, ``v = u ⊗ u`` (u = vec U) lies in Sym²(C^D), D = dA², with ``<v|v> = dA²`` and
``<v|M ⊗ I|v> = dA <u|M|u>``.  For Hermitian D x D matrices ``X_a, Y_a`` the operator

    L = Σ_a X_a ⊗ (I⊗F_a) + Y_a ⊗ (F_a⊗I)            (F_a traceless, :func:`.choi_form.rational_basis`)

has ``<v|L|v> = Σ_a <u|X_a|u> (tr F_a + tr F_a) = 0`` (the partial traces of |u><u| are I).  So if
``Q = γ/dA² I - (M⊗I)/dA - L`` satisfies ``Q + t I ⪰ 0`` on Sym², then
``γ - <u|M|u> = <v|Q|v> >= -t dA²`` for every unitary: ``max_U <u|M|u> <= γ + t dA²``.  Level 1 is the
special case ``X_a, Y_a`` multiples of I.  The multipliers are found by Clarabel (min γ with t = 0);
:func:`verify_level2` proves the bound exactly (rational rounding, ``S† (Q_r + t I) S`` positive
definite by exact LDLᵀ with S the integer spanning set of Sym², and ``||M - M_r|| <= err`` from the
exact form adding ``dA · err``).  Practical for dA = 3 (Sym² of dimension 45); dA = 4 would need a
136 x 136 complex PSD block, beyond an interior-point solver's memory here.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import numpy as np
import scipy.sparse as sps

from .choi_form import ExactForm, rational_basis
from .exact_psd import is_hermitian_positive_definite, to_grid
from .unitary_optimiser import hermitian_parameter_basis

__all__ = ["Level2Certificate", "solve_level2", "certify_level2", "verify_level2"]


def _sym_pairs(D: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(D) for b in range(a, D)]


def _sym_isometry(D: int) -> np.ndarray:
    pairs = _sym_pairs(D)
    P = np.zeros((D * D, len(pairs)))
    for c, (a, b) in enumerate(pairs):
        if a == b:
            P[a * D + a, c] = 1.0
        else:
            P[a * D + b, c] = P[b * D + a, c] = 1 / math.sqrt(2)
    return P


def _constraint_ops(dA: int) -> list[np.ndarray]:
    """The D x D integer matrices I⊗F_a and F_a⊗I (second-copy factors of L)."""
    I = np.eye(dA)
    out = []
    for fr, fi, _p in rational_basis(dA):
        F = fr + 1j * fi
        out += [np.kron(I, F), np.kron(F, I)]
    return out


@dataclass
class Level2Solution:
    gamma: float
    X: list[np.ndarray]  # one Hermitian D x D multiplier per constraint operator
    status: str
    seconds: float


def solve_level2(M: np.ndarray, *, tol: float = 1e-9) -> Level2Solution:
    """min γ s.t. P†(γ/dA² I - (M⊗I)/dA - Σ_c X_c ⊗ Z_c)P ⪰ 0 (P: isometry onto Sym²), Clarabel."""
    import clarabel

    M = np.asarray(M, dtype=np.complex128)
    D = M.shape[0]
    dA = math.isqrt(D)
    if M.shape != (D, D) or dA * dA != D or dA < 2:
        raise ValueError(f"M must be dA² x dA², got shape {M.shape}")
    P = _sym_isometry(D)
    s = P.shape[1]
    n = 2 * s
    ii, jj = np.triu_indices(n)
    ii, jj = jj * 0 + ii, jj  # upper triangle; reorder to column-major below
    order = np.lexsort((ii, jj))
    ii, jj = ii[order], jj[order]
    w = np.where(ii == jj, 1.0, math.sqrt(2.0))

    def vec(X):  # P† X P, real embedding, svec
        Y = P.T @ X @ P
        E = np.block([[Y.real, -Y.imag], [Y.imag, Y.real]])
        return E[ii, jj] * w

    Zs = _constraint_ops(dA)
    Hb = hermitian_parameter_basis(D)
    cols = [-vec(np.eye(D * D)) / dA**2]
    for Z in Zs:
        for h in Hb:
            cols.append(vec(np.kron(h, Z)))
    A = -np.stack(cols, axis=1)  # s = b - A x = svec(Q)
    A = -A
    b = -vec(np.kron(M, np.eye(D))) / dA
    c = np.zeros(A.shape[1])
    c[0] = 1.0
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = tol
    t0 = time.perf_counter()
    solver = clarabel.DefaultSolver(sps.csc_matrix((A.shape[1], A.shape[1])), c, sps.csc_matrix(A), b,
                                    [clarabel.PSDTriangleConeT(n)], st)
    sol = solver.solve()
    x = np.asarray(sol.x)
    nh = len(Hb)
    X = [np.einsum("p,pij->ij", x[1 + k * nh: 1 + (k + 1) * nh], Hb) for k in range(len(Zs))]
    return Level2Solution(float(x[0]), X, str(sol.status), time.perf_counter() - t0)


@dataclass(frozen=True)
class Level2Certificate:
    """Proved ``max_U <u|M|u> <= bound = γ + dA² (t + err/dA)``; numerators over ``2^exponent``."""

    bound: Fraction
    gamma: Fraction
    t: Fraction
    err: Fraction
    exponent: int
    X_re: tuple
    X_im: tuple


def _q_numerators(E: ExactForm, gamma_num: int, t_num: int, X_re, X_im) -> tuple[np.ndarray, np.ndarray]:
    """Numerators over ``dA² 2^Q`` of ``S† (Q_r + t I) S`` with ``Q_r = γ/dA² I - (M_r⊗I)/dA - L``."""
    dA = E.dA
    D = dA * dA
    N = D * D
    Zs = _constraint_ops(dA)
    eyeD = np.eye(D, dtype=np.int64)
    re = np.zeros((N, N), dtype=object)
    im = np.zeros((N, N), dtype=object)
    re[:], im[:] = 0, 0
    # (M_r ⊗ I)/dA -> times dA²: dA (M_r ⊗ I)
    re -= dA * np.kron(E.re, eyeD)
    im -= dA * np.kron(E.im, eyeD)
    for Xr, Xi, Z in zip(X_re, X_im, Zs):
        Zr = np.rint(Z.real).astype(np.int64).astype(object)
        Zi = np.rint(Z.imag).astype(np.int64).astype(object)
        re -= dA * dA * (np.kron(Xr, Zr) - np.kron(Xi, Zi))
        im -= dA * dA * (np.kron(Xr, Zi) + np.kron(Xi, Zr))
    for i in range(N):
        re[i, i] += gamma_num + dA * dA * t_num
    pairs = _sym_pairs(D)

    def idx(a, b):
        return [a * D + b] if a == b else [a * D + b, b * D + a]

    s = len(pairs)
    Sre = np.zeros((s, s), dtype=object)
    Sim = np.zeros((s, s), dtype=object)
    for r, (a, b) in enumerate(pairs):
        ra = idx(a, b)
        for c, (g, h) in enumerate(pairs):
            cb = idx(g, h)
            Sre[r, c] = sum(re[x, y] for x in ra for y in cb)
            Sim[r, c] = sum(im[x, y] for x in ra for y in cb)
    return Sre, Sim


def verify_level2(E: ExactForm, cert: Level2Certificate) -> bool:
    """Exact check of a :class:`Level2Certificate` (module doc): grid, Hermitian multipliers,
    ``err >= E.err``, the bound's arithmetic, and ``S†(Q_r + tI)S`` positive definite."""
    dA = E.dA
    D = dA * dA
    if cert.exponent != E.exponent or cert.err < E.err:
        return False
    scale = Fraction(2) ** E.exponent
    g, t = cert.gamma * scale, cert.t * scale
    if g.denominator != 1 or t.denominator != 1:
        return False
    if len(cert.X_re) != 2 * (dA * dA - 1) or len(cert.X_im) != len(cert.X_re):
        return False
    for Xr, Xi in zip(cert.X_re, cert.X_im):
        if np.shape(Xr) != (D, D) or np.shape(Xi) != (D, D):
            return False
        for i in range(D):
            for j in range(i + 1):
                if Xr[i, j] != Xr[j, i] or Xi[i, j] != -Xi[j, i]:
                    return False
    if cert.bound != cert.gamma + dA * dA * (cert.t + cert.err / dA):
        return False
    Sre, Sim = _q_numerators(E, int(g), int(t), cert.X_re, cert.X_im)
    return is_hermitian_positive_definite(Sre, Sim)


def certify_level2(E: ExactForm, M: np.ndarray, sol: Level2Solution, *,
                   max_tries: int = 8) -> Optional[Level2Certificate]:
    """Round the solver's (γ, X) to the grid of E and prove the bound (shift t grown tenfold on
    failure); ``None`` if no try verifies."""
    dA = E.dA
    D = dA * dA
    Q = E.exponent
    scale = 2.0**Q
    Xre, Xim = [], []
    for X in sol.X:
        X = 0.5 * (X + X.conj().T)
        r, i = to_grid(X.real, Q), to_grid(X.imag, Q)
        for a in range(D):
            i[a, a] = 0
            for b in range(a):
                r[a, b], i[a, b] = r[b, a], -i[b, a]
        Xre.append(r)
        Xim.append(i)
    gnum = round(Fraction(sol.gamma) * Fraction(2) ** Q)
    # float estimate of λmin of Q_r on Sym²
    P = _sym_isometry(D)
    Xf = [(r.astype(float) + 1j * i.astype(float)) / scale for r, i in zip(Xre, Xim)]
    L = sum(np.kron(X, Z) for X, Z in zip(Xf, _constraint_ops(dA)))
    Qf = gnum / scale / dA**2 * np.eye(D * D) - np.kron(M, np.eye(D)) / dA - L
    lam = float(np.linalg.eigvalsh(P.T @ Qf @ P)[0])
    margin = 64 * D * D * np.finfo(float).eps * max(1.0, float(np.abs(Qf).max())) * D
    for _ in range(max_tries):
        tnum = max(0, math.ceil(Fraction(-lam + margin) * Fraction(2) ** Q))
        g, t = Fraction(gnum, 2**Q), Fraction(tnum, 2**Q)
        cert = Level2Certificate(g + dA * dA * (t + E.err / dA), g, t, E.err, Q, tuple(Xre), tuple(Xim))
        if verify_level2(E, cert):
            return cert
        margin *= 10
    return None
