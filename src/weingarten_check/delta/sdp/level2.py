"""Level-2 (degree-4 moment) strengthening of the unital-channel bound, with an exact certificate.

For a unitary U, ``v = u ⊗ u`` (u = vec U) lies in Sym²(C^D), D = dA², with ``<v|v> = dA²`` and
``<v|M ⊗ I|v> = dA <u|M|u>``.  For Hermitian D x D matrices ``X_a, Y_a`` the operator

    L = Σ_a X_a ⊗ (I⊗F_a) + Y_a ⊗ (F_a⊗I)            (F_a traceless, :func:`.choi_form.rational_basis`)

has ``<v|L|v> = Σ_a <u|X_a|u> (tr F_a + tr F_a) = 0`` (the partial traces of |u><u| are I).  So if
``Q = γ/dA² I - (M⊗I)/dA - L`` satisfies ``Q + t I ⪰ 0`` on Sym², then
``γ - <u|M|u> = <v|Q|v> >= -t dA²`` for every unitary: ``max_U <u|M|u> <= γ + t dA²``.  Level 1 is the
special case ``X_a, Y_a`` multiples of I (Lemma 12.4, Eq. 12.4 of proofs/DERIVATION.md).  The
multipliers come from :func:`solve_level2` (Clarabel, interior point: 30-90 s at dA = 3, out of memory
reach at dA = 4 — kept as the reference) or, in :mod:`.certified_delta`, from the first-order solver
:func:`.unital_sdp2_fo.solve_level2_fo` (seconds at dA = 4).  :func:`verify_level2` proves the bound
exactly (rational rounding; ``S† (Q_r + t I) S`` positive definite with S the integer spanning set of
Sym², by the congruence test of :mod:`.exact_psd` — 0.4-1.4 s at dA = 4, where the complete LDLᵀ
takes about a minute; ``||M - M_r|| <= err`` from the exact form adds ``dA · err``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np
import scipy.sparse as sps

from ..optimiser import hermitian_parameter_basis
from .exact_form import ExactForm, rational_basis
from .exact_psd import is_hermitian_pd_by_congruence, is_hermitian_positive_definite, to_grid

__all__ = [
    "Level2Solution",
    "Level2Certificate",
    "solve_level2",
    "certify_level2",
    "verify_level2",
    "sym_pairs",
    "sym_isometry",
    "constraint_ops",
]


def sym_pairs(D: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(D) for b in range(a, D)]


def sym_isometry(D: int) -> np.ndarray:
    pairs = sym_pairs(D)
    P = np.zeros((D * D, len(pairs)))
    for c, (a, b) in enumerate(pairs):
        if a == b:
            P[a * D + a, c] = 1.0
        else:
            P[a * D + b, c] = P[b * D + a, c] = 1 / math.sqrt(2)
    return P


def constraint_ops(dA: int) -> list[np.ndarray]:
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
    P = sym_isometry(D)
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

    Zs = constraint_ops(dA)
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
    solver = clarabel.DefaultSolver(
        sps.csc_matrix((A.shape[1], A.shape[1])), c, sps.csc_matrix(A), b, [clarabel.PSDTriangleConeT(n)], st
    )
    sol = solver.solve()
    x = np.asarray(sol.x)
    nh = len(Hb)
    X = [np.einsum("p,pij->ij", x[1 + k * nh : 1 + (k + 1) * nh], Hb) for k in range(len(Zs))]
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
    """Numerators over ``dA² 2^Q`` of ``S† (Q_r + t I) S`` with ``Q_r = γ/dA² I - (M_r⊗I)/dA - L``
    (exact integers; ``L = Σ_c X_c ⊗ Z_c`` as one FLINT product of the stacked X's and Z's)."""
    dA = E.dA
    D = dA * dA
    N = D * D
    Zs = constraint_ops(dA)
    nc = len(Zs)
    # Xm[(i,j), c] = X_c[i,j];  Zm[c, (k,l)] = Z_c[k,l];  (Xm Zm)[(i,j),(k,l)] = Σ_c X_c[i,j] Z_c[k,l]
    Xr = flint.fmpz_mat([[int(X_re[c][i, j]) for c in range(nc)] for i in range(D) for j in range(D)])
    Xi = flint.fmpz_mat([[int(X_im[c][i, j]) for c in range(nc)] for i in range(D) for j in range(D)])
    Zr = flint.fmpz_mat([[int(v) for v in np.rint(Z.real).astype(np.int64).reshape(-1)] for Z in Zs])
    Zi = flint.fmpz_mat([[int(v) for v in np.rint(Z.imag).astype(np.int64).reshape(-1)] for Z in Zs])
    Lr = np.array([int(v) for v in (Xr * Zr - Xi * Zi).entries()], dtype=object).reshape(D, D, D, D)
    Li = np.array([int(v) for v in (Xr * Zi + Xi * Zr).entries()], dtype=object).reshape(D, D, D, D)
    # entry ((i,k),(j,l)) of X ⊗ Z is X[i,j] Z[k,l]
    re = (-(dA * dA) * Lr.transpose(0, 2, 1, 3)).copy()
    im = (-(dA * dA) * Li.transpose(0, 2, 1, 3)).copy()
    for k in range(D):  # - dA (M_r ⊗ I): entry ((i,k),(j,k)) = M_r[i,j]
        re[:, k, :, k] -= dA * E.re
        im[:, k, :, k] -= dA * E.im
    re, im = re.reshape(N, N), im.reshape(N, N)
    for i in range(N):
        re[i, i] += gamma_num + dA * dA * t_num
    # S: column (a, b) = e_ab + e_ba (a < b) or e_aa: exact integer spanning set of Sym²
    pairs = sym_pairs(D)
    i1 = np.array([a * D + b for a, b in pairs])
    i2 = np.array([b * D + a for a, b in pairs])
    off = np.array([int(a != b) for a, b in pairs], dtype=object)

    def compress(Y: np.ndarray) -> np.ndarray:
        C = Y[:, i1] + Y[:, i2] * off
        return C[i1, :] + off[:, None] * C[i2, :]

    return compress(re), compress(im)


def verify_level2(E: ExactForm, cert: Level2Certificate, *, method: str = "congruence") -> bool:
    """Exact check of a :class:`Level2Certificate` (module doc, Lemma 12.4): grid, Hermitian
    multipliers, ``err >= E.err``, the bound's arithmetic, and ``S†(Q_r + tI)S`` positive definite —
    by ``method`` "congruence" (:func:`.exact_psd.is_hermitian_pd_by_congruence`, sufficient, fast:
    ~1 s at dA = 4) or "ldl" (:func:`.exact_psd.is_hermitian_positive_definite`, exact LDLᵀ,
    necessary and sufficient, about a minute at dA = 4).  True only if all hold; then
    ``max_U <u|M|u> <= cert.bound`` for the M that E encloses."""
    if method not in ("congruence", "ldl"):
        raise ValueError(f"method must be 'congruence' or 'ldl', got {method!r}")
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
    if method == "ldl":
        return is_hermitian_positive_definite(Sre, Sim)
    return is_hermitian_pd_by_congruence(Sre, Sim)


def certify_level2(
    E: ExactForm, M: np.ndarray, sol: Level2Solution, *, max_tries: int = 8, method: str = "congruence"
) -> Level2Certificate | None:
    """Round the solver's (γ, X) (from :func:`solve_level2` or :func:`.unital_sdp2_fo.solve_level2_fo`)
    to the grid of E and prove the bound with :func:`verify_level2` (``method``).  The shift t is
    the float estimate of ``-λmin(P†Q_r P)`` plus a margin ``16 · dim Sym² · 2^-52 · ||Q_r||``
    (float eigenvector errors, see :mod:`.exact_psd`), grown tenfold on failure; ``None`` if no
    try verifies."""
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
    P = sym_isometry(D)
    Xf = [(r.astype(float) + 1j * i.astype(float)) / scale for r, i in zip(Xre, Xim)]
    L = sum(np.kron(X, Z) for X, Z in zip(Xf, constraint_ops(dA)))
    Qf = gnum / scale / dA**2 * np.eye(D * D) - np.kron(M, np.eye(D)) / dA - L
    ev = np.linalg.eigvalsh(P.T @ Qf @ P)
    lam = float(ev[0])
    margin = 16 * P.shape[1] * np.finfo(float).eps * max(float(np.abs(ev).max()), 1e-300)
    for _ in range(max_tries):
        tnum = max(0, math.ceil(Fraction(-lam + margin) * Fraction(2) ** Q))
        g, t = Fraction(gnum, 2**Q), Fraction(tnum, 2**Q)
        cert = Level2Certificate(g + dA * dA * (t + E.err / dA), g, t, E.err, Q, tuple(Xre), tuple(Xim))
        if verify_level2(E, cert, method=method):
            return cert
        margin *= 10
    return None
