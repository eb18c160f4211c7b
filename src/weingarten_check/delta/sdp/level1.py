"""Level-1 relaxation of ``max_U <u|M|u>`` over unital channels, and its dual certificate (Lemma 12).

For a unitary U the Choi matrix ``J = |u><u|`` (u = vec U row-major, dA² x dA²) satisfies
``J ⪰ 0``, ``tr_1 J = I``, ``tr_2 J = I`` (the channel ``X -> U X U†`` is trace preserving and
unital).  Dropping rank one gives the SDP over unital channels

    max tr(M J)  s.t.  J ⪰ 0, tr_1 J = I, tr_2 J = I                          (Lemma 12.1)

whose value is >= ``max_U <u|M|u>``.  Weak duality, in the form used here: for ANY Hermitian
dA x dA matrices A, B (no feasibility required),

    max_U <u|M|u>  <=  tr A + tr B + dA · λmax(M - I⊗A - B⊗I)                   (Lemma 12.1)

because ``<u|I⊗A|u> = tr A``, ``<u|B⊗I|u> = tr B`` and ``<u|u> = dA`` for every unitary.  The
dual SDP (``min tr A + tr B`` s.t. ``I⊗A + B⊗I ⪰ M``) is solved with Clarabel (interior point,
called directly: cvxpy's modelling layer cost more than the solve, see benchmarks/bench_certified.py),
its (A, B) are *polished* at the optimiser's maximiser U* so that ``(I⊗A + B⊗I - M) u* = 0`` holds
(then the bound equals ``C(U*)`` up to ``dA · λmax``), and the bound is proved in exact arithmetic by
:func:`certify_level1` (rational A, B, t and an exact positive-definiteness check of
``t I - (M_r - I⊗A - B⊗I)``, :mod:`.exact_psd`), whatever the solver's accuracy.

Conventions: ``(I⊗A) vec U = vec(U Aᵀ)`` and ``(B⊗I) vec U = vec(B U)`` (row-major vec).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from ..optimiser import hermitian_parameter_basis, polar_unitary
from .exact_form import ExactForm
from .exact_psd import is_hermitian_positive_definite, to_grid

__all__ = [
    "Level1Solution",
    "solve_level1",
    "solve_level1_smoothed",
    "partial_traces",
    "level1_bound",
    "polish_dual",
    "Level1Certificate",
    "certify_level1",
    "verify_certificate",
    "unitary_from_choi",
]


def _check_form(M: np.ndarray) -> tuple[np.ndarray, int]:
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M must be a square dA² x dA² matrix, got shape {M.shape}")
    D = M.shape[0]
    dA = math.isqrt(D)
    if dA * dA != D or dA < 2:
        raise ValueError(f"M must be dA² x dA² with dA >= 2, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError("M must be finite (no NaN or inf entries)")
    scale = max(1.0, float(np.abs(M).max()))
    if np.abs(M - M.conj().T).max() > 1e-10 * scale:
        raise ValueError("M must be Hermitian (M != M^dagger)")
    return 0.5 * (M + M.conj().T).astype(np.complex128), dA


def _check_ab(A: np.ndarray, B: np.ndarray, dA: int) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for name, X in (("A", A), ("B", B)):
        X = np.asarray(X, dtype=np.complex128)
        if X.shape != (dA, dA):
            raise ValueError(f"{name} must be dA x dA = {dA} x {dA}, got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name} must be finite")
        if np.abs(X - X.conj().T).max() > 1e-9 * max(1.0, float(np.abs(X).max())):
            raise ValueError(f"{name} must be Hermitian")
        out.append(0.5 * (X + X.conj().T))
    return out[0], out[1]


def partial_traces(J: np.ndarray, dA: int) -> tuple[np.ndarray, np.ndarray]:
    """``(tr_1 J, tr_2 J)`` for J on C^dA ⊗ C^dA (index ``(k, i)`` row-major): ``tr_1`` sums over
    k, ``tr_2`` over i.  For ``J = |vec U><vec U|``: ``tr_1 J = (Uᵀ conj U)`` = I and
    ``tr_2 J = U U†`` = I."""
    T = np.asarray(J).reshape(dA, dA, dA, dA)
    return np.einsum("kikj->ij", T), np.einsum("kili->kl", T)


def level1_bound(M: np.ndarray, A: np.ndarray, B: np.ndarray) -> float:
    """Floating-point value of ``tr A + tr B + dA λmax(M - I⊗A - B⊗I)`` (Lemma 12.1); NOT a
    proof (use :func:`certify_level1`)."""
    M, dA = _check_form(M)
    A, B = _check_ab(A, B, dA)
    I = np.eye(dA)
    S = M - np.kron(I, A) - np.kron(B, I)
    return float(np.real(np.trace(A) + np.trace(B)) + dA * np.linalg.eigvalsh(S)[-1])


# -------------------------------------------------------------------------------- Clarabel
def _svec_rows(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays of Clarabel's triangle vectorisation (upper triangle by columns,
    off-diagonal entries scaled by sqrt 2)."""
    ii, jj = [], []
    for j in range(n):
        for i in range(j + 1):
            ii.append(i)
            jj.append(j)
    ii, jj = np.array(ii), np.array(jj)
    w = np.where(ii == jj, 1.0, math.sqrt(2.0))
    return ii, jj, w


def _embed(X: np.ndarray) -> np.ndarray:
    return np.block([[X.real, -X.imag], [X.imag, X.real]])


@dataclass
class Level1Solution:
    """Solver output for ``max <u|M|u>``: dual point (A, B), its float bound, the primal Choi
    matrix J (unital channel), the solver status and time."""

    A: np.ndarray
    B: np.ndarray
    value: float
    J: np.ndarray
    status: str
    seconds: float


def solve_level1(M: np.ndarray, *, tol: float = 1e-7, max_iter: int = 200) -> Level1Solution:
    """Solve ``min tr A + tr B  s.t.  I⊗A + B⊗I - M ⪰ 0`` (the dual of the unital-channel SDP for
    ``max <u|M|u>``) with Clarabel on the real 2dA² x 2dA² embedding; B is kept traceless (the
    gauge ``A + cI, B - cI`` changes nothing).  ``J`` is read off the cone's dual variable.
    ``tol`` 1e-7 (not tighter): the certificate's accuracy comes from polishing at the optimiser's
    unitary and the exact check, not from the solver (tighter tolerances cost ~25 % more time
    and changed no certified width in benchmarks/bench_certified.py-style trials)."""
    import time

    import clarabel

    M, dA = _check_form(M)
    D = dA * dA
    n = 2 * D
    ii, jj, w = _svec_rows(n)
    Hb = hermitian_parameter_basis(dA)  # A = Σ x_p Hb_p (p = 0: I/sqrt dA)
    I = np.eye(dA)
    cols = [_embed(np.kron(I, h))[ii, jj] * w for h in Hb]
    cols += [_embed(np.kron(g, I))[ii, jj] * w for g in Hb[1:]]
    Acon = -np.stack(cols, axis=1)
    b = -(_embed(M)[ii, jj] * w)
    nvar = Acon.shape[1]
    c = np.zeros(nvar)
    c[0] = math.sqrt(dA)
    P = sp.csc_matrix((nvar, nvar))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = tol
    settings.max_iter = max_iter
    t0 = time.perf_counter()
    solver = clarabel.DefaultSolver(P, c, sp.csc_matrix(Acon), b, [clarabel.PSDTriangleConeT(n)], settings)
    sol = solver.solve()
    secs = time.perf_counter() - t0
    x = np.asarray(sol.x)
    A = np.einsum("p,pij->ij", x[:D], Hb)
    B = np.einsum("p,pij->ij", x[D:], Hb[1:])
    z = np.asarray(sol.z) / w
    Z = np.zeros((n, n))
    Z[ii, jj] = z
    Z = Z + Z.T - np.diag(np.diag(Z))
    J = (Z[:D, :D] + Z[D:, D:]) + 1j * (Z[D:, :D] - Z[:D, D:])
    J = 0.5 * (J + J.conj().T)
    A, B = 0.5 * (A + A.conj().T), 0.5 * (B + B.conj().T)
    return Level1Solution(A, B, level1_bound(M, A, B), J, str(sol.status), secs)


def solve_level1_smoothed(
    M: np.ndarray, *, betas: tuple[float, ...] = (1e1, 1e2, 1e3, 1e4, 1e5), maxiter: int = 300
) -> Level1Solution:
    """Memory-light alternative to :func:`solve_level1` for large dA (Clarabel's dense PSD block
    needs ~9 GB at dA = 9): minimise the convex ``f(A, B) = tr A + tr B + dA λmax(M - I⊗A - B⊗I)``
    (any point is a valid bound, Lemma 12.1) with λmax smoothed by ``log Σ exp(β λ_i)/β`` and
    L-BFGS, for increasing β (relative to the scale of M).  The gradient is
    ``tr X - dA tr(X tr_1 P)`` (A-part) and ``tr Y - dA tr(Y tr_2 P)`` (B-part), P the softmax
    density matrix of the slack.  ``J = dA·P`` at the last β is an approximate primal point."""
    import time

    from scipy.optimize import minimize

    M, dA = _check_form(M)
    D = dA * dA
    Hb = hermitian_parameter_basis(dA)
    I = np.eye(dA)
    scale = max(float(np.linalg.norm(M, 2)), 1e-300)
    kronA = np.stack([np.kron(I, h) for h in Hb])
    kronB = np.stack([np.kron(g, I) for g in Hb[1:]])
    trA = np.real(np.einsum("pii->p", Hb))

    def unpack(x):
        return np.einsum("p,pij->ij", x[:D], Hb), np.einsum("p,pij->ij", x[D:], Hb[1:])

    def f_grad(x, beta):
        A, B = unpack(x)
        S = M - np.kron(I, A) - np.kron(B, I)
        lam, V = np.linalg.eigh(0.5 * (S + S.conj().T))
        top = lam[-1]
        w = np.exp(beta * (lam - top))
        Z = w.sum()
        p = w / Z
        f = float(np.real(np.trace(A) + np.trace(B)) + dA * (top + np.log(Z) / beta))
        P = (V * p) @ V.conj().T
        gA = trA - dA * np.real(np.einsum("pij,ji->p", kronA, P))
        gB = -dA * np.real(np.einsum("pij,ji->p", kronB, P))
        return f, np.concatenate([gA, gB])

    t0 = time.perf_counter()
    x = np.zeros(2 * D - 1)
    status = "Solved"
    for b in betas:
        res = minimize(
            f_grad,
            x,
            args=(b / scale,),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": maxiter, "gtol": 1e-12, "ftol": 1e-15},
        )
        x = res.x
        if not res.success:
            status = "Smoothed:" + str(res.message)[:40]
    A, B = unpack(x)
    A, B = 0.5 * (A + A.conj().T), 0.5 * (B + B.conj().T)
    S = M - np.kron(I, A) - np.kron(B, I)
    lam, V = np.linalg.eigh(0.5 * (S + S.conj().T))
    w = np.exp(betas[-1] / scale * (lam - lam[-1]))
    J = dA * (V * (w / w.sum())) @ V.conj().T
    return Level1Solution(A, B, level1_bound(M, A, B), J, status, time.perf_counter() - t0)


def unitary_from_choi(J: np.ndarray, dA: int) -> np.ndarray:
    """Dominant eigenvector of J reshaped to dA x dA (row-major) and projected to the nearest
    unitary (polar factor): a starting point for the optimiser when the SDP optimum is (close to)
    rank one."""
    J = np.asarray(J)
    _w, V = np.linalg.eigh(0.5 * (J + J.conj().T))
    return polar_unitary(V[:, -1].reshape(dA, dA))


def polish_dual(M: np.ndarray, A0: np.ndarray, B0: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (A, B) nearest to (A0, B0) in Frobenius norm with ``(I⊗A + B⊗I) u = M u`` at
    ``u = vec U`` (complementary slackness at the optimiser's U).  With ``Y = reshape(M u)`` the
    condition is ``B + U Aᵀ U† = Y U†`` (Hermitian at a stationary point of C): the correction
    ``R = herm(Y U†) - U A0ᵀ U† - B0`` is split equally between the two."""
    M, dA = _check_form(M)
    A0, B0 = _check_ab(A0, B0, dA)
    U = np.asarray(U, dtype=np.complex128)
    if U.shape != (dA, dA):
        raise ValueError(f"U must be dA x dA = {dA} x {dA}, got shape {U.shape}")
    Y = (M @ U.reshape(-1)).reshape(dA, dA)
    W = Y @ U.conj().T
    W = 0.5 * (W + W.conj().T)
    Ahat0 = U @ A0.T @ U.conj().T
    R = W - Ahat0 - B0
    Ahat, B = Ahat0 + 0.5 * R, B0 + 0.5 * R
    A = (U.conj().T @ Ahat @ U).T
    return 0.5 * (A + A.conj().T), 0.5 * (B + B.conj().T)


# -------------------------------------------------------------------------------- exact check
@dataclass(frozen=True)
class Level1Certificate:
    """A proved bound ``max_U <u|M|u> <= bound`` (exact rational): rational Hermitian ``A_r, B_r``
    (numerators over ``2^exponent``), the shift ``t`` with ``t I - (M_r - I⊗A_r - B_r⊗I) ≻ 0``
    checked exactly, and ``bound = tr A_r + tr B_r + dA (t + err)``."""

    bound: Fraction
    t: Fraction
    err: Fraction
    exponent: int
    A_re: np.ndarray
    A_im: np.ndarray
    B_re: np.ndarray
    B_im: np.ndarray
    tries: int


def _round_hermitian(X: np.ndarray, Q: int) -> tuple[np.ndarray, np.ndarray]:
    re, im = to_grid(X.real, Q), to_grid(X.imag, Q)
    n = X.shape[0]
    for i in range(n):
        im[i, i] = 0
        for j in range(i):
            re[i, j], im[i, j] = re[j, i], -im[j, i]
    return re, im


def _slack_numerators(E: ExactForm, t_num: int, Are, Aim, Bre, Bim) -> tuple[np.ndarray, np.ndarray]:
    """Numerators (over 2^Q) of ``t I - M_r + I⊗A_r + B_r⊗I``."""
    dA = E.dA
    re = -E.re.copy()
    im = -E.im.copy()
    for k in range(dA):
        for i in range(dA):
            r = k * dA + i
            re[r, r] += t_num
            for i2 in range(dA):  # I ⊗ A: (k,i),(k,i2)
                c = k * dA + i2
                re[r, c] += Are[i, i2]
                im[r, c] += Aim[i, i2]
            for k2 in range(dA):  # B ⊗ I: (k,i),(k2,i)
                c = k2 * dA + i
                re[r, c] += Bre[k, k2]
                im[r, c] += Bim[k, k2]
    return re, im


def verify_certificate(E: ExactForm, cert: Level1Certificate) -> bool:
    """Independent exact check of a :class:`Level1Certificate` for the form ``E`` (Lemma 12.3):
    ``A_r``, ``B_r`` exactly Hermitian, ``t I - (M_r - I⊗A_r - B_r⊗I)`` positive definite (exact
    LDLᵀ), ``cert.err >= E.err`` and ``cert.bound == tr A_r + tr B_r + dA (t + cert.err)``.
    True only if all hold; then ``max_U <u|M|u> <= cert.bound`` for the M that E encloses."""
    dA = E.dA
    if cert.exponent != E.exponent or cert.err < E.err:
        return False
    scale = Fraction(2) ** E.exponent
    t_scaled = cert.t * scale
    if t_scaled.denominator != 1:
        return False
    for re, im in ((cert.A_re, cert.A_im), (cert.B_re, cert.B_im)):
        if np.shape(re) != (dA, dA) or np.shape(im) != (dA, dA):
            return False
        for i in range(dA):
            for j in range(i + 1):
                if re[i, j] != re[j, i] or im[i, j] != -im[j, i]:
                    return False
    trA = Fraction(int(sum(cert.A_re[i, i] for i in range(dA)))) / scale
    trB = Fraction(int(sum(cert.B_re[i, i] for i in range(dA)))) / scale
    if cert.bound != trA + trB + dA * (cert.t + cert.err):
        return False
    re, im = _slack_numerators(E, int(t_scaled), cert.A_re, cert.A_im, cert.B_re, cert.B_im)
    return is_hermitian_positive_definite(re, im)


def certify_level1(
    E: ExactForm, M: np.ndarray, A: np.ndarray, B: np.ndarray, *, margin: float | None = None, max_tries: int = 12
) -> Level1Certificate | None:
    """Prove ``max_U <u|M|u> <= tr A_r + tr B_r + dA (t + E.err)`` exactly (Lemma 12.3).

    ``E`` is the exact rational form (``||M_true - M_r||_2 <= E.err``), ``M`` its float version
    (only used to guess λmax), ``A, B`` any Hermitian matrices (rounded to the grid of E).  The
    shift ``t`` starts at the float λmax plus ``margin`` and is increased tenfold until
    :func:`verify_certificate` accepts; ``None`` after ``max_tries``."""
    M, dA = _check_form(M)
    if E.dA != dA:
        raise ValueError(f"exact form is for dA = {E.dA}, M for dA = {dA}")
    A, B = _check_ab(A, B, dA)
    Q = E.exponent
    Are, Aim = _round_hermitian(A, Q)
    Bre, Bim = _round_hermitian(B, Q)
    scale = Fraction(2) ** Q
    Af = (Are.astype(float) + 1j * Aim.astype(float)) / float(scale)
    Bf = (Bre.astype(float) + 1j * Bim.astype(float)) / float(scale)
    I = np.eye(dA)
    S = M - np.kron(I, Af) - np.kron(Bf, I)
    lam = float(np.linalg.eigvalsh(S)[-1])
    norm = float(np.abs(M).sum(axis=1).max() + dA * (np.abs(Af).max() + np.abs(Bf).max()))
    if margin is None:
        margin = 64 * dA * dA * np.finfo(float).eps * max(norm, 1e-300) + float(E.err)
    trA = Fraction(int(sum(Are[i, i] for i in range(dA)))) / scale
    trB = Fraction(int(sum(Bre[i, i] for i in range(dA)))) / scale
    for tries in range(1, max_tries + 1):
        t = Fraction(math.ceil(Fraction(lam + margin) * scale)) / scale
        cert = Level1Certificate(trA + trB + dA * (t + E.err), t, E.err, Q, Are, Aim, Bre, Bim, tries)
        if verify_certificate(E, cert):
            return cert
        margin *= 10.0
    return None
