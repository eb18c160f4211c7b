"""Level-1 relaxation of ``max_U <u|M|u>`` over unital channels, and its dual certificate (Lemmas 12.1, 12.3).

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
``t I - (M_r - I⊗A - B⊗I)``, :mod:`.exact_psd`), whatever the solver's accuracy (Lemma 12.3).

Conventions: ``(I⊗A) vec U = vec(U Aᵀ)`` and ``(B⊗I) vec U = vec(B U)`` (row-major vec).  ``M`` is
the form of the cost (:func:`weingarten_check.delta.cost.form_from_k`), ``E`` its exact rational
version (:func:`.exact_form.exact_form_from_k`).

Examples
--------
``C(U) - c0 = <0|U† Z U|0>`` for one qubit (maximum 1, at U = I): the solver's dual point,
polished at the optimiser's maximiser, is proved to bound the maximum by 1 up to ``3e-13``.

>>> from weingarten_check.delta.cost import form_from_k
>>> from weingarten_check.delta.optimiser import optimise_form
>>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
>>> K = np.diag([0.0, 0.0, 1.0])
>>> M, E = form_from_k(K, 2), exact_form_from_k(K, 2)
>>> sol = solve_level1(M)
>>> val, U = optimise_form(M, True, 0, initial=[unitary_from_choi(sol.J, 2)])
>>> cert = certify_level1(E, M, *polish_dual(M, sol.A, sol.B, U))
>>> round(val, 12), 0 <= float(cert.bound) - 1 < 3e-13
(1.0, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from ..cost import check_form
from ..optimiser import hermitian_parameter_basis, polar_unitary
from .exact_form import ExactForm
from .exact_psd import is_hermitian_positive_definite, round_hermitian

__all__ = [
    "check_dual_pair",
    "svec_indices",
    "real_embedding_svec",
    "Level1Solution",
    "solve_level1",
    "solve_level1_smoothed",
    "level1_bound",
    "polish_dual",
    "Level1Certificate",
    "certify_level1",
    "verify_certificate",
    "unitary_from_choi",
]


def check_dual_pair(A: np.ndarray, B: np.ndarray, dA: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate a level-1 dual pair ``(A, B)``: Hermitian, finite, ``dA x dA``.

    Parameters
    ----------
    A, B : array_like
        The dual variables of ``I⊗A + B⊗I ⪰ M`` (Lemma 12.1).
    dA : int
        The dimension of A.

    Returns
    -------
    tuple of numpy.ndarray
        Their Hermitian parts ``(X + X†)/2``, complex.

    Raises
    ------
    ValueError
        If a matrix has the wrong shape, is not finite or not Hermitian (to ``1e-9`` relative).

    Examples
    --------
    >>> A, B = check_dual_pair(np.eye(2), np.zeros((2, 2)), 2)
    >>> A.dtype, B.shape
    (dtype('complex128'), (2, 2))
    >>> check_dual_pair(np.eye(2), np.triu(np.ones((2, 2))), 2)
    Traceback (most recent call last):
    ...
    ValueError: B must be Hermitian
    """
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


def level1_bound(M: np.ndarray, A: np.ndarray, B: np.ndarray) -> float:
    """The level-1 bound ``tr A + tr B + dA λmax(M - I⊗A - B⊗I)`` in floating point (Lemma 12.1).

    For ANY Hermitian A, B it bounds ``max_U <u|M|u>`` — in exact arithmetic; this float value is
    NOT a proof (:func:`certify_level1` proves it).

    Parameters
    ----------
    M : array_like
        The form, Hermitian ``dA² x dA²`` (:func:`weingarten_check.delta.cost.check_form`).
    A, B : array_like
        Hermitian ``dA x dA`` (:func:`check_dual_pair`).

    Returns
    -------
    float

    Examples
    --------
    ``<u|u> = dA`` for every unitary: ``M = I`` (dA = 2) has maximum 2, and both pairs say so.

    >>> zero = np.zeros((2, 2))
    >>> level1_bound(np.eye(4), zero, zero), level1_bound(np.eye(4), np.eye(2), zero)
    (2.0, 2.0)
    """
    M, dA = check_form(M)
    A, B = check_dual_pair(A, B, dA)
    I = np.eye(dA)
    S = M - np.kron(I, A) - np.kron(B, I)
    return float(np.real(np.trace(A) + np.trace(B)) + dA * np.linalg.eigvalsh(S)[-1])


# -------------------------------------------------------------------------------- Clarabel
def svec_indices(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays of Clarabel's triangle vectorisation of an ``n x n`` symmetric matrix (the SDP of Lemma 12.1).

    The upper triangle by columns, off-diagonal entries scaled by ``sqrt 2`` (so that the
    vectorisation is an isometry): ``svec(S) = S[rows, cols] * weights``.

    Parameters
    ----------
    n : int

    Returns
    -------
    tuple of numpy.ndarray
        ``(rows, cols, weights)``, each of length ``n(n+1)/2``.

    Examples
    --------
    >>> [a.tolist() for a in svec_indices(2)]
    [[0, 0, 1], [0, 1, 1], [1.0, 1.4142135623730951, 1.0]]
    """
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


def real_embedding_svec(X: np.ndarray, indices: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Clarabel's ``svec`` of the real embedding ``[[Re X, -Im X], [Im X, Re X]]`` of a Hermitian X (Lemma 12.1).

    A complex Hermitian ``X ⪰ 0`` iff its real embedding is; Clarabel's PSD cone is real.

    Parameters
    ----------
    X : numpy.ndarray
        Hermitian ``n x n``.
    indices : tuple of numpy.ndarray
        :func:`svec_indices` ``(2n)``.

    Returns
    -------
    numpy.ndarray
        Length ``n(2n+1)``.

    Examples
    --------
    >>> (real_embedding_svec(np.array([[2.0]]), svec_indices(2)) + 0.0).tolist()
    [2.0, 0.0, 2.0]
    """
    ii, jj, w = indices
    return _embed(X)[ii, jj] * w


@dataclass
class Level1Solution:
    """Solver output for ``max <u|M|u>`` over unital channels (Lemma 12.1).

    Attributes
    ----------
    A, B : numpy.ndarray
        The dual point (Hermitian ``dA x dA``).
    value : float
        Its float bound :func:`level1_bound` (not a proof).
    J : numpy.ndarray
        The primal Choi matrix (a unital channel, ``dA² x dA²``).
    status : str
        The solver's status.
    seconds : float
        The solver's time.

    Examples
    --------
    >>> sol = solve_level1(np.diag([1.0, 0.0, 0.0, 0.0]))  # max |U_00|² = 1
    >>> sol.status, round(sol.value, 6), round(float(np.trace(sol.J).real), 6)
    ('Solved', 1.0, 2.0)
    """

    A: np.ndarray
    B: np.ndarray
    value: float
    J: np.ndarray
    status: str
    seconds: float


def solve_level1(M: np.ndarray, *, tol: float = 1e-7, max_iter: int = 200) -> Level1Solution:
    """Solve the dual of the unital-channel SDP for ``max <u|M|u>`` with Clarabel (Lemma 12.1).

    ``min tr A + tr B  s.t.  I⊗A + B⊗I - M ⪰ 0`` on the real ``2dA² x 2dA²`` embedding; B is kept
    traceless (the gauge ``A + cI, B - cI`` changes nothing).  ``J`` is read off the cone's dual
    variable.  ``tol`` 1e-7 (not tighter): the certificate's accuracy comes from polishing at the
    optimiser's unitary and the exact check, not from the solver (tighter tolerances cost ~25 %
    more time and changed no certified width in benchmarks/bench_certified.py-style trials).
    Clarabel's dense PSD block grows like ``dA^8``; above dA = 5 use :func:`solve_level1_smoothed`.

    Parameters
    ----------
    M : array_like
        The form, Hermitian ``dA² x dA²``.
    tol : float, default 1e-7
        Clarabel's gap and feasibility tolerances.
    max_iter : int, default 200

    Returns
    -------
    Level1Solution

    Raises
    ------
    ValueError
        If ``M`` is not a Hermitian ``dA² x dA²`` matrix (:func:`weingarten_check.delta.cost.check_form`).

    Examples
    --------
    ``max_U |U_00|² = 1``:

    >>> round(solve_level1(np.diag([1.0, 0.0, 0.0, 0.0])).value, 6)
    1.0
    """
    import time

    import clarabel

    M, dA = check_form(M)
    D = dA * dA
    n = 2 * D
    idx = svec_indices(n)
    ii, jj, w = idx
    Hb = hermitian_parameter_basis(dA)  # A = Σ x_p Hb_p (p = 0: I/sqrt dA)
    I = np.eye(dA)
    cols = [real_embedding_svec(np.kron(I, h), idx) for h in Hb]
    cols += [real_embedding_svec(np.kron(g, I), idx) for g in Hb[1:]]
    Acon = -np.stack(cols, axis=1)
    b = -real_embedding_svec(M, idx)
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
    """A memory-light alternative to :func:`solve_level1`, by first-order minimisation (Lemma 12.1).

    Clarabel's dense PSD block needs ~9 GB at dA = 9.  Here the convex
    ``f(A, B) = tr A + tr B + dA λmax(M - I⊗A - B⊗I)`` (any point is a valid bound) is minimised
    with λmax smoothed by ``log Σ exp(β λ_i)/β`` and L-BFGS, for increasing β (relative to the
    scale of M).  The gradient is ``tr X - dA tr(X tr_1 P)`` (A-part) and
    ``tr Y - dA tr(Y tr_2 P)`` (B-part), P the softmax density matrix of the slack.  ``J = dA·P``
    at the last β is an approximate primal point.

    Parameters
    ----------
    M : array_like
        The form, Hermitian ``dA² x dA²``.
    betas : tuple of float
        The smoothing parameters, relative to ``1/||M||_2``.
    maxiter : int, default 300
        L-BFGS iterations per β.

    Returns
    -------
    Level1Solution
        ``status`` is "Solved" or "Smoothed:" and L-BFGS's message.

    Raises
    ------
    ValueError
        If ``M`` is not a Hermitian ``dA² x dA²`` matrix.

    Examples
    --------
    >>> round(solve_level1_smoothed(np.diag([1.0, 0.0, 0.0, 0.0])).value, 6)
    1.0
    """
    import time

    from scipy.optimize import minimize

    M, dA = check_form(M)
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
    """A unitary from a Choi matrix: its dominant eigenvector, reshaped and projected to the nearest unitary.

    The eigenvector is reshaped to ``dA x dA`` (row-major) and replaced by its polar factor: a
    starting point for the optimiser when the SDP optimum is (close to) rank one, i.e. a unitary
    channel (Lemma 12.1).

    Parameters
    ----------
    J : array_like
        ``dA² x dA²`` (its Hermitian part is used).
    dA : int

    Returns
    -------
    numpy.ndarray
        A ``dA x dA`` unitary.

    Examples
    --------
    The Choi matrix of a unitary channel gives back its unitary, up to a phase:

    >>> u = np.array([[0, 1], [1, 0]], dtype=complex).reshape(-1)
    >>> U = unitary_from_choi(np.outer(u, u.conj()), 2)
    >>> round(float(abs(np.vdot(U.reshape(-1), u))), 12)
    2.0
    """
    J = np.asarray(J)
    _w, V = np.linalg.eigh(0.5 * (J + J.conj().T))
    return polar_unitary(V[:, -1].reshape(dA, dA))


def polish_dual(M: np.ndarray, A0: np.ndarray, B0: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Polish a level-1 dual pair at a unitary: complementary slackness ``(I⊗A + B⊗I) u = M u`` (Lemma 12.1).

    The (A, B) nearest to (A0, B0) in Frobenius norm with ``(I⊗A + B⊗I) u = M u`` at
    ``u = vec U`` (the optimiser's maximiser).  With ``Y = reshape(M u)`` the condition is
    ``B + U Aᵀ U† = Y U†`` (Hermitian at a stationary point of C): the correction
    ``R = herm(Y U†) - U A0ᵀ U† - B0`` is split equally between the two.  Then the level-1 bound
    equals ``C(U)`` up to ``dA · λmax`` of the slack.

    Parameters
    ----------
    M : array_like
        The form, Hermitian ``dA² x dA²``.
    A0, B0 : array_like
        A dual pair (e.g. the solver's).
    U : array_like
        A ``dA x dA`` unitary.

    Returns
    -------
    tuple of numpy.ndarray
        The polished ``(A, B)``.

    Raises
    ------
    ValueError
        On a bad ``M``, ``A0``, ``B0`` or ``U`` shape.

    Examples
    --------
    >>> M = np.diag([1.0, 0.0, 0.0, 0.0])
    >>> A, B = polish_dual(M, np.zeros((2, 2)), np.zeros((2, 2)), np.eye(2))
    >>> u = np.eye(2).reshape(-1)
    >>> bool(np.allclose((np.kron(np.eye(2), A) + np.kron(B, np.eye(2))) @ u, M @ u))
    True
    """
    M, dA = check_form(M)
    A0, B0 = check_dual_pair(A0, B0, dA)
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
    """A proved bound ``max_U <u|M|u> <= bound``, exact rational (Lemma 12.3).

    Attributes
    ----------
    bound : fractions.Fraction
        ``tr A_r + tr B_r + dA (t + err)``.
    t : fractions.Fraction
        The shift with ``t I - (M_r - I⊗A_r - B_r⊗I) ≻ 0`` (checked exactly).
    err : fractions.Fraction
        The proved rounding error of the exact form (``>= E.err``).
    exponent : int
        The grid ``2^-exponent`` of every numerator.
    A_re, A_im, B_re, B_im : numpy.ndarray
        Numerators of the exactly Hermitian ``A_r``, ``B_r``.
    tries : int
        The number of shifts tried by :func:`certify_level1`.

    Examples
    --------
    >>> from weingarten_check.delta.cost import form_from_k
    >>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
    >>> K = np.diag([0.0, 0.0, 1.0])
    >>> M, E = form_from_k(K, 2), exact_form_from_k(K, 2)
    >>> cert = certify_level1(E, M, 0.5 * np.eye(2), np.zeros((2, 2)))
    >>> cert.tries, cert.bound >= 1, verify_certificate(E, cert)
    (1, True, True)
    """

    bound: Fraction
    t: Fraction
    err: Fraction
    exponent: int
    A_re: np.ndarray
    A_im: np.ndarray
    B_re: np.ndarray
    B_im: np.ndarray
    tries: int


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
    """The independent exact check of a :class:`Level1Certificate` for the exact form ``E`` (Lemma 12.3).

    Checks ``A_r``, ``B_r`` exactly Hermitian on E's grid, ``t I - (M_r - I⊗A_r - B_r⊗I)`` positive
    definite (exact LDLᵀ, :func:`.exact_psd.is_hermitian_positive_definite`), ``cert.err >= E.err``
    and ``cert.bound == tr A_r + tr B_r + dA (t + cert.err)``.

    Parameters
    ----------
    E : ExactForm
        The exact rational form (:func:`.exact_form.exact_form_from_k`).
    cert : Level1Certificate

    Returns
    -------
    bool
        True only if all hold; then ``max_U <u|M|u> <= cert.bound`` for the M that E encloses.

    Examples
    --------
    A certificate whose bound is lowered below its arithmetic is refused:

    >>> import dataclasses
    >>> from weingarten_check.delta.cost import form_from_k
    >>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
    >>> K = np.diag([0.0, 0.0, 1.0])
    >>> M, E = form_from_k(K, 2), exact_form_from_k(K, 2)
    >>> cert = certify_level1(E, M, 0.5 * np.eye(2), np.zeros((2, 2)))
    >>> verify_certificate(E, cert), verify_certificate(E, dataclasses.replace(cert, bound=cert.bound - 1))
    (True, False)
    """
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

    ``A, B`` are rounded to exactly Hermitian rationals on the grid of E
    (:func:`.exact_psd.round_hermitian`).  The shift ``t`` starts at the float λmax of the slack plus
    ``margin`` and is increased tenfold until :func:`verify_certificate` accepts.

    Parameters
    ----------
    E : ExactForm
        The exact rational form (``||M_true - M_r||_2 <= E.err``).
    M : array_like
        Its float version (only used to guess λmax).
    A, B : array_like
        Any Hermitian ``dA x dA`` matrices (e.g. :func:`polish_dual`'s).
    margin : float, optional
        The first shift above the float λmax; default ``64 dA² eps ||·|| + E.err``.
    max_tries : int, default 12

    Returns
    -------
    Level1Certificate or None
        ``None`` if no try verifies.

    Raises
    ------
    ValueError
        On bad ``M``, ``A``, ``B``, or if E and M are for different dA.

    Examples
    --------
    ``A = I/2``, ``B = 0`` is the optimal pair for ``max <0|U† Z U|0> = 1``:

    >>> from weingarten_check.delta.cost import form_from_k
    >>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
    >>> K = np.diag([0.0, 0.0, 1.0])
    >>> cert = certify_level1(exact_form_from_k(K, 2), form_from_k(K, 2), 0.5 * np.eye(2), np.zeros((2, 2)))
    >>> 0 <= float(cert.bound) - 1 < 1e-12
    True
    """
    M, dA = check_form(M)
    if E.dA != dA:
        raise ValueError(f"exact form is for dA = {E.dA}, M for dA = {dA}")
    A, B = check_dual_pair(A, B, dA)
    Q = E.exponent
    Are, Aim = round_hermitian(A, Q)
    Bre, Bim = round_hermitian(B, Q)
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
