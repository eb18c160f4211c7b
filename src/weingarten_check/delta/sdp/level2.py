"""Level-2 (degree-4 moment) strengthening of the unital-channel bound: solver and exact certificate (Lemma 12.4).

For a unitary U, ``v = u ⊗ u`` (u = vec U) lies in Sym²(C^D), D = dA², with ``<v|v> = dA²`` and
``<v|M ⊗ I|v> = dA <u|M|u>``.  For Hermitian D x D matrices ``X_c`` and the constraint operators
``Z_c ∈ {I⊗F_a, F_a⊗I}`` (:func:`constraint_ops`, ``F_a`` traceless, :func:`.exact_form.rational_basis`)
the operator ``L = Σ_c X_c ⊗ Z_c`` has ``<v|L|v> = Σ_c <u|X_c|u> <u|Z_c|u> = 0`` (the partial traces
of ``|u><u|`` are I).  So for ANY multipliers X, with P the isometry onto Sym² (:class:`Sym2`),

    max_U <u|M|u>  <=  f(X) = dA² · λmax( P† H(X) P ),   H(X) = (M⊗I)/dA + Σ_c X_c ⊗ Z_c     (12.4)

Level 1 (:mod:`.level1`) is the special case ``X_c ∝ I`` (:func:`level1_multipliers`).

* **Solver** (:func:`solve_level2`): the level-2 dual is the unconstrained convex minimisation of
  f, which needs only an eigendecomposition of the ``D(D+1)/2``-dimensional ``P†HP`` per step
  (136 x 136 at dA = 4) instead of an interior-point solve with a 7680-variable Schur complement
  (30-90 s at dA = 3, out of memory reach at dA = 4).  ``λmax`` is smoothed by
  ``log Σ_i exp(β λ_i) / β`` (an upper bound on λmax, within ``log(N)/β``) and minimised by L-BFGS
  for increasing β, warm-started at the level-1 multipliers: with ``A = Σ_a α_a F_a/p_a``,
  ``B = Σ_a β_a F_a/p_a`` traceless, ``X_(I⊗F_a) = -α_a/dA · I`` and ``X_(F_a⊗I) = -β_a/dA · I``
  give ``f = dA λmax(M - I⊗A - B⊗I)``, the level-1 bound, because ``P†(S⊗I)P`` has top eigenvalue
  ``λmax(S)``.  The gradient of the smoothed f is ``dA² · R_c`` with
  ``R_c[j, i] = Σ_kl (Z_c)_kl ρ[(j,l),(i,k)]`` and ``ρ = P W P†``, W the softmax density matrix of
  ``P†HP``.  The iterate is only a *proposal*.
* **Certificate** (:func:`certify_level2`, :func:`verify_level2`): with ``γ`` and X rounded to a
  dyadic grid, ``Q = γ/dA² I - (M⊗I)/dA - L`` and ``Q + t I ⪰ 0`` on Sym² give
  ``γ - <u|M|u> = <v|Q|v> >= -t dA²`` for every unitary: ``max_U <u|M|u> <= γ + t dA²``.  This is
  proved exactly: ``S† (Q_r + t I) S`` positive definite with S the integer spanning set of Sym²,
  by the congruence test of :mod:`.exact_psd` (0.4-1.4 s at dA = 4, where the complete LDLᵀ takes
  about a minute); ``||M - M_r|| <= err`` from the exact form adds ``dA · err``.

Examples
--------
``C(U) - c0 = <0|U† Z U|0>`` for one qubit (maximum 1): the level-2 bound is proved within
``1e-12`` of it.

>>> from weingarten_check.delta.cost import form_from_k
>>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
>>> K = np.diag([0.0, 0.0, 1.0])
>>> M, E = form_from_k(K, 2), exact_form_from_k(K, 2)
>>> cert = certify_level2(E, M, solve_level2(M))
>>> 0 <= float(cert.bound) - 1 < 1e-12, verify_level2(E, cert)
(True, True)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np
from scipy.optimize import minimize

from ...util.blas_threads import BLAS_PIN
from ..cost import check_form
from ..optimiser import polar_unitary
from .exact_form import ExactForm, rational_basis
from .exact_psd import is_hermitian_pd_by_congruence, is_hermitian_positive_definite, round_hermitian
from .level1 import check_dual_pair

__all__ = [
    "sym_pairs",
    "Sym2",
    "constraint_ops",
    "Level2Solution",
    "level1_multipliers",
    "SCHEDULE",
    "solve_level2",
    "unitary_from_level2",
    "Level2Certificate",
    "verify_level2",
    "certify_level2",
]


# -------------------------------------------------------------------------------- Sym² and Z_c
def sym_pairs(D: int) -> list[tuple[int, int]]:
    """The index pairs ``(a, b)``, ``a <= b``, of a basis of Sym²(C^D), in the order used throughout (Lemma 12.4).

    Parameters
    ----------
    D : int

    Returns
    -------
    list of tuple of int
        ``D(D+1)/2`` pairs.

    Examples
    --------
    >>> sym_pairs(2)
    [(0, 0), (0, 1), (1, 1)]
    """
    return [(a, b) for a in range(D) for b in range(a, D)]


class Sym2:
    """The symmetric subspace Sym²(C^D) of C^D ⊗ C^D and the compressions onto it (Lemma 12.4).

    Column ``c`` of the isometry P, for the pair ``(a, b) = sym_pairs(D)[c]``, is ``e_aa`` (a = b) or
    ``(e_ab + e_ba)/sqrt 2``; column c of the integer spanning set S is ``e_aa`` or ``e_ab + e_ba``.
    ``e_ab`` is entry ``a·D + b`` of C^D ⊗ C^D.

    Parameters
    ----------
    D : int
        The dimension of each factor (``dA²`` here).

    Attributes
    ----------
    D : int
    i1, i2 : numpy.ndarray
        The entries ``a·D + b`` and ``b·D + a`` of each pair.
    w1, w2 : numpy.ndarray
        The weights of P at ``i1`` and ``i2`` (1 and 0 on the diagonal pairs, ``1/sqrt 2`` otherwise).
    off : numpy.ndarray
        1 for the off-diagonal pairs, 0 on the diagonal (object array of Python ints, for exact use).

    Examples
    --------
    >>> S = Sym2(2)
    >>> P = S.isometry()
    >>> P.shape, bool(np.allclose(P.T @ P, np.eye(3)))
    ((4, 3), True)
    >>> H = np.arange(16.0).reshape(4, 4)
    >>> bool(np.allclose(S.compress(H), P.T @ H @ P)), bool(np.allclose(S.expand(np.eye(3)), P))
    (True, True)
    >>> S.compress_spanning(np.eye(4, dtype=int).astype(object)).tolist()  # Sᵀ S
    [[1, 0, 0], [0, 2, 0], [0, 0, 1]]
    """

    def __init__(self, D: int):
        pairs = sym_pairs(D)
        self.D = D
        self.i1 = np.array([a * D + b for a, b in pairs])
        self.i2 = np.array([b * D + a for a, b in pairs])
        diag = np.array([a == b for a, b in pairs])
        self.w1 = np.where(diag, 1.0, 1 / math.sqrt(2))
        self.w2 = np.where(diag, 0.0, 1 / math.sqrt(2))
        self.off = np.array([int(a != b) for a, b in pairs], dtype=object)

    def isometry(self) -> np.ndarray:
        """The dense isometry P, ``D² x D(D+1)/2`` (real)."""
        D = self.D
        pairs = sym_pairs(D)
        P = np.zeros((D * D, len(pairs)))
        for c, (a, b) in enumerate(pairs):
            if a == b:
                P[a * D + a, c] = 1.0
            else:
                P[a * D + b, c] = P[b * D + a, c] = 1 / math.sqrt(2)
        return P

    def compress(self, H: np.ndarray) -> np.ndarray:
        """``P† H P`` by gathering rows and columns (no product with the dense P)."""
        C = H[:, self.i1] * self.w1 + H[:, self.i2] * self.w2
        return self.w1[:, None] * C[self.i1] + self.w2[:, None] * C[self.i2]

    def expand(self, W: np.ndarray) -> np.ndarray:
        """``P W`` for W with ``D(D+1)/2`` rows."""
        N = self.D * self.D
        out = np.zeros((N, W.shape[1]), dtype=W.dtype)
        np.add.at(out, self.i1, self.w1[:, None] * W)
        np.add.at(out, self.i2, self.w2[:, None] * W)
        return out

    def compress_spanning(self, Y: np.ndarray) -> np.ndarray:
        """``Sᵀ Y S`` for the integer spanning set S, exact on object arrays of Python ints."""
        C = Y[:, self.i1] + Y[:, self.i2] * self.off
        return C[self.i1, :] + self.off[:, None] * C[self.i2, :]


def constraint_ops(dA: int) -> list[np.ndarray]:
    """The constraint operators ``Z_c``: the D x D integer matrices ``I⊗F_a`` and ``F_a⊗I`` (Lemma 12.4).

    ``F_a`` runs over :func:`.exact_form.rational_basis` ``(dA)`` (traceless, so ``<u|Z_c|u> = 0``
    for ``u = vec U``, U unitary); the operators alternate ``I⊗F_a``, ``F_a⊗I``.

    Parameters
    ----------
    dA : int

    Returns
    -------
    list of numpy.ndarray
        ``2(dA²-1)`` complex ``dA² x dA²`` matrices with integer entries.

    Examples
    --------
    >>> Z = constraint_ops(2)
    >>> len(Z), Z[0].real.astype(int).tolist()  # I ⊗ X
    (6, [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
    """
    I = np.eye(dA)
    out = []
    for fr, fi, _p in rational_basis(dA):
        F = fr + 1j * fi
        out += [np.kron(I, F), np.kron(F, I)]
    return out


# -------------------------------------------------------------------------------- solver
@dataclass
class Level2Solution:
    """Level-2 multipliers proposed by :func:`solve_level2` (not a proof; Lemma 12.4).

    Attributes
    ----------
    gamma : float
        Their float value ``f(X)`` of (12.4).
    X : list of numpy.ndarray
        One Hermitian ``dA² x dA²`` multiplier per constraint operator (:func:`constraint_ops`).
    status : str
        The solver's log.
    seconds : float

    Examples
    --------
    >>> from weingarten_check.delta.cost import form_from_k
    >>> sol = solve_level2(form_from_k(np.diag([0.0, 0.0, 1.0]), 2))  # max <0|U† Z U|0> = 1
    >>> len(sol.X), 1 - 1e-9 <= sol.gamma < 1 + 1e-4
    (6, True)
    """

    gamma: float
    X: list[np.ndarray]  # one Hermitian D x D multiplier per constraint operator
    status: str
    seconds: float


class _Problem:
    def __init__(self, M: np.ndarray, dA: int):
        self.dA, self.D = dA, dA * dA
        D = self.D
        self.Z = np.array(constraint_ops(dA))
        self.nc = len(self.Z)
        self.Zf = self.Z.reshape(self.nc, D * D)
        self.sym = Sym2(D)
        self.MI = np.kron(M, np.eye(D)) / dA

    def hs(self, X: np.ndarray) -> np.ndarray:
        """``P† H(X) P`` for X of shape (nc, D, D)."""
        D, nc = self.D, self.nc
        L = (X.transpose(1, 2, 0).reshape(D * D, nc) @ self.Zf).reshape(D, D, D, D)
        L = L.transpose(0, 2, 1, 3).reshape(D * D, D * D)  # Σ_c X_c ⊗ Z_c
        H = self.sym.compress(self.MI + L)
        return 0.5 * (H + H.conj().T)

    def unpack(self, x: np.ndarray) -> np.ndarray:
        n = self.nc * self.D * self.D
        xr = x[:n].reshape(self.nc, self.D, self.D)
        xi = x[n:].reshape(self.nc, self.D, self.D)
        return 0.5 * (xr + xr.transpose(0, 2, 1)) + 0.5j * (xi - xi.transpose(0, 2, 1))

    @staticmethod
    def pack(X: np.ndarray) -> np.ndarray:
        return np.concatenate([X.real.reshape(-1), X.imag.reshape(-1)])

    def value(self, X: np.ndarray) -> float:
        return float(self.dA**2 * np.linalg.eigvalsh(self.hs(X))[-1])

    def smoothed(self, x: np.ndarray, beta: float) -> tuple[float, np.ndarray]:
        D, dA = self.D, self.dA
        lam, V = np.linalg.eigh(self.hs(self.unpack(x)))
        w = np.exp(beta * (lam - lam[-1]))
        Zs = w.sum()
        keep = w > 1e-30 * Zs
        p = w[keep] / Zs
        f = dA * dA * (lam[-1] + math.log(Zs) / beta)
        Ve = self.sym.expand(V[:, keep])  # P V
        rho = ((Ve * p) @ Ve.conj().T).reshape(D, D, D, D)  # rho[(i,k),(j,l)]
        # R_c[j, i] = Σ_kl Z_c[k, l] rho[(j,l),(i,k)]
        R = (self.Zf @ rho.transpose(3, 1, 0, 2).reshape(D * D, D * D)).reshape(self.nc, D, D)
        R *= dA * dA
        return f, np.concatenate([R.real.reshape(-1), R.imag.reshape(-1)])


def level1_multipliers(A: np.ndarray, B: np.ndarray, dA: int) -> np.ndarray:
    """The level-2 multipliers ``X_c ∝ I`` whose value (12.4) is the level-1 bound of ``(A, B)`` (Lemma 12.4).

    ``f = tr A + tr B + dA λmax(M - I⊗A - B⊗I)`` (:func:`.level1.level1_bound`, module doc): the
    warm start of :func:`solve_level2`.

    Parameters
    ----------
    A, B : array_like
        A level-1 dual pair (:func:`.level1.check_dual_pair`).
    dA : int

    Returns
    -------
    numpy.ndarray
        Shape ``(2(dA²-1), dA², dA²)``.

    Examples
    --------
    >>> X = level1_multipliers(np.diag([1.0, -1.0]), np.zeros((2, 2)), 2)
    >>> X.shape, [round(float(X[c, 0, 0].real), 12) + 0.0 for c in range(6)]  # only I⊗Z is used
    ((6, 4, 4), [0.0, 0.0, 0.0, 0.0, -0.5, 0.0])
    """
    A, B = check_dual_pair(A, B, dA)
    D = dA * dA
    X = np.zeros((2 * (D - 1), D, D), dtype=np.complex128)
    eye = np.eye(D)
    for a, (fr, fi, p) in enumerate(rational_basis(dA)):
        F = fr + 1j * fi
        X[2 * a] = -float(np.real(np.trace(F @ A))) / p / dA * eye
        X[2 * a + 1] = -float(np.real(np.trace(F @ B))) / p / dA * eye
    return X


def _check_multipliers(X: np.ndarray, dA: int) -> np.ndarray:
    D = dA * dA
    X = np.asarray(X, dtype=np.complex128)
    if X.shape != (2 * (D - 1), D, D):
        raise ValueError(f"X must have shape (2(dA²-1), dA², dA²) = {(2 * (D - 1), D, D)}, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    if np.abs(X - X.conj().transpose(0, 2, 1)).max() > 1e-9 * max(1.0, float(np.abs(X).max())):
        raise ValueError("every X_c must be Hermitian")
    return 0.5 * (X + X.conj().transpose(0, 2, 1))


#: default smoothing schedule: (β relative to ``1/|f(X0)|``, L-BFGS iterations); short coarse phases move
#: the multipliers off the level-1 start's degenerate top eigenspace, the last phases converge (at the
#: optimum the top eigenvalue is typically simple, so large β is then effectively λmax itself)
SCHEDULE: tuple[tuple[float, int], ...] = ((1e3, 40), (1e4, 40), (1e5, 300), (1e6, 100))


class _Reached(Exception):
    pass


def solve_level2(
    M: np.ndarray,
    X0: np.ndarray | None = None,
    *,
    schedule: tuple[tuple[float, int], ...] = SCHEDULE,
    target: float | None = None,
    time_limit: float = math.inf,
) -> Level2Solution:
    """Minimise the level-2 bound (12.4) over the multipliers, first-order (module doc, Lemma 12.4).

    L-BFGS on the log-sum-exp smoothing of ``λmax``, phase by phase.  Runs with the BLAS pinned to
    one thread (:data:`weingarten_check.util.blas_threads.BLAS_PIN`): the matrices are small and a
    multi-threaded BLAS made each step up to 50x slower (measured with the cores busy with other work).

    Parameters
    ----------
    M : array_like
        The form, Hermitian ``dA² x dA²``.
    X0 : array_like, optional
        The start, shape ``(2(dA²-1), dA², dA²)`` (e.g. :func:`level1_multipliers`; default 0).
    schedule : tuple of (float, int)
        ``(β, maxiter)`` phases, β relative to ``1/|f(X0)|`` (the problem's scale); an empty
        schedule just evaluates ``f(X0)``.
    target : float, optional
        Stop as soon as the smoothed value — an upper bound on f — is ``<= target`` (e.g. the
        optimiser's value plus the allowed width).
    time_limit : float, default inf
        Stop after a phase once this many seconds have passed.

    Returns
    -------
    Level2Solution
        The best iterate by its float f (``gamma``; a proposal, not a proof).

    Raises
    ------
    ValueError
        On a bad ``M``, ``X0``, ``schedule`` or ``target``.

    Examples
    --------
    ``max <0|U† Z U|0> = 1``: from the level-1 multipliers of ``A = Z``, ``B = 0`` (level-1 bound 3)
    the solver comes down to 1.

    >>> from weingarten_check.delta.cost import form_from_k
    >>> M = form_from_k(np.diag([0.0, 0.0, 1.0]), 2)
    >>> X0 = level1_multipliers(np.diag([1.0, -1.0]), np.zeros((2, 2)), 2)
    >>> f = solve_level2(M, X0).gamma
    >>> round(solve_level2(M, X0, schedule=()).gamma, 12), 1 - 1e-9 <= f < 1 + 1e-4
    (3.0, True)
    """
    with BLAS_PIN.driver():
        return _solve(M, X0, schedule, target, time_limit)


def _solve(
    M: np.ndarray,
    X0: np.ndarray | None,
    schedule: tuple[tuple[float, int], ...],
    target: float | None,
    time_limit: float,
) -> Level2Solution:
    M, dA = check_form(M)
    D = dA * dA
    if target is not None and not math.isfinite(target):
        raise ValueError(f"target must be a finite float or None, got {target!r}")
    for ph in schedule:
        if len(ph) != 2 or not ph[0] > 0 or int(ph[1]) < 0:
            raise ValueError(f"schedule must hold (beta > 0, maxiter >= 0) pairs, got {ph!r}")
    prob = _Problem(M, dA)
    X = np.zeros((2 * (D - 1), D, D), dtype=np.complex128) if X0 is None else _check_multipliers(X0, dA)
    t0 = time.perf_counter()
    best_f, best_X = prob.value(X), X
    scale = max(abs(best_f), float(np.abs(M).max()) * 1e-6, 1e-300)
    x = prob.pack(X)
    status = f"f0={best_f:.15g}"
    for b, iters in schedule:
        if (target is not None and best_f <= target) or time.perf_counter() - t0 > time_limit:
            break
        last = {"x": x}

        def fun(y, beta=b / scale, last=last):
            f, g = prob.smoothed(y, beta)
            if target is not None and f <= target:
                last["x"] = y
                raise _Reached
            return f, g

        try:
            res = minimize(
                fun,
                x,
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": int(iters), "gtol": 1e-14, "ftol": 1e-16, "maxcor": 30},
            )
            x, nit = res.x, res.nit
        except _Reached:
            x, nit = last["x"], -1
        X = prob.unpack(x)
        f = prob.value(X)
        status += f" | beta={b:g} it={nit} f={f:.15g} t={time.perf_counter() - t0:.2f}s"
        if f < best_f:
            best_f, best_X = f, X
    return Level2Solution(best_f, list(best_X), status, time.perf_counter() - t0)


def unitary_from_level2(M: np.ndarray, X: np.ndarray) -> np.ndarray:
    """A starting unitary for the optimiser from level-2 multipliers (Lemma 12.4).

    Where (12.4) is tight its top eigenvector is ``∝ u ⊗ u`` (u = vec U); reshaped to D x D
    (``∝ u uᵀ``) its dominant left singular vector is ∝ u, reshaped to dA x dA and projected to the
    nearest unitary (polar factor).  Used where the optimiser's own starts missed the maximum (the
    level-2 bound then exposes it).

    Parameters
    ----------
    M : array_like
        The form, Hermitian ``dA² x dA²``.
    X : array_like
        Multipliers, shape ``(2(dA²-1), dA², dA²)``, Hermitian.

    Returns
    -------
    numpy.ndarray
        A ``dA x dA`` unitary.

    Raises
    ------
    ValueError
        On a bad ``M`` or ``X``.

    Examples
    --------
    ``max |U_00|²`` is attained at diagonal unitaries; the top eigenvector exposes one:

    >>> M = np.diag([1.0, 0.0, 0.0, 0.0])
    >>> U = unitary_from_level2(M, np.zeros((6, 4, 4)))
    >>> round(float(abs(U[0, 0])), 12)
    1.0
    """
    M, dA = check_form(M)
    X = _check_multipliers(np.asarray(X), dA)
    prob = _Problem(M, dA)
    _lam, V = np.linalg.eigh(prob.hs(X))
    v = prob.sym.expand(V[:, -1:])[:, 0].reshape(prob.D, prob.D)
    # v = c u uᵀ is complex symmetric; its dominant left singular vector is ∝ u
    Usv, _s, _Vh = np.linalg.svd(v)
    return polar_unitary(Usv[:, 0].reshape(dA, dA))


# -------------------------------------------------------------------------------- exact check
@dataclass(frozen=True)
class Level2Certificate:
    """A proved bound ``max_U <u|M|u> <= bound = γ + dA² (t + err/dA)`` (Lemma 12.4).

    Attributes
    ----------
    bound, gamma, t, err : fractions.Fraction
        The bound and its parts: ``γ`` and the shift ``t`` on the grid, ``err >= E.err``.
    exponent : int
        The grid ``2^-exponent`` of every numerator.
    X_re, X_im : tuple of numpy.ndarray
        Numerators of the exactly Hermitian multipliers ``X_r``.

    Examples
    --------
    >>> from weingarten_check.delta.cost import form_from_k
    >>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
    >>> K = np.diag([0.0, 0.0, 1.0])
    >>> cert = certify_level2(exact_form_from_k(K, 2), form_from_k(K, 2), solve_level2(form_from_k(K, 2)))
    >>> cert.bound == cert.gamma + 4 * (cert.t + cert.err / 2), len(cert.X_re)
    (True, 6)
    """

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
    sym = Sym2(D)  # S: column (a, b) = e_ab + e_ba (a < b) or e_aa, an exact integer spanning set of Sym²
    return sym.compress_spanning(re), sym.compress_spanning(im)


def verify_level2(E: ExactForm, cert: Level2Certificate, *, method: str = "congruence") -> bool:
    """The exact check of a :class:`Level2Certificate` for the exact form ``E`` (module doc, Lemma 12.4).

    Checks the grid, Hermitian multipliers, ``err >= E.err``, the bound's arithmetic, and
    ``S†(Q_r + tI)S`` positive definite — by ``method`` "congruence"
    (:func:`.exact_psd.is_hermitian_pd_by_congruence`, sufficient, fast: ~1 s at dA = 4) or "ldl"
    (:func:`.exact_psd.is_hermitian_positive_definite`, exact LDLᵀ, necessary and sufficient, about
    a minute at dA = 4).

    Parameters
    ----------
    E : ExactForm
    cert : Level2Certificate
    method : {"congruence", "ldl"}

    Returns
    -------
    bool
        True only if all hold; then ``max_U <u|M|u> <= cert.bound`` for the M that E encloses.

    Raises
    ------
    ValueError
        On an unknown ``method``.

    Examples
    --------
    >>> import dataclasses
    >>> from weingarten_check.delta.cost import form_from_k
    >>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
    >>> K = np.diag([0.0, 0.0, 1.0])
    >>> M, E = form_from_k(K, 2), exact_form_from_k(K, 2)
    >>> cert = certify_level2(E, M, solve_level2(M))
    >>> low = dataclasses.replace(cert, gamma=cert.gamma - 1, bound=cert.bound - 1)  # below the maximum
    >>> verify_level2(E, cert, method="ldl"), verify_level2(E, low)
    (True, False)
    """
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
    """Prove the level-2 bound of the multipliers ``sol`` exactly (Lemma 12.4).

    Rounds the solver's (γ, X) to the grid of E (:func:`.exact_psd.round_hermitian`) and proves the
    bound with :func:`verify_level2` (``method``).  The shift t is the float estimate of
    ``-λmin(P†Q_r P)`` plus a margin ``16 · dim Sym² · 2^-52 · ||Q_r||`` (float eigenvector
    errors, see :mod:`.exact_psd`), grown tenfold on failure.

    Parameters
    ----------
    E : ExactForm
        The exact rational form of M.
    M : array_like
        The float form (only used to estimate ``λmin``).
    sol : Level2Solution
        Multipliers, e.g. from :func:`solve_level2`.
    max_tries : int, default 8
    method : {"congruence", "ldl"}

    Returns
    -------
    Level2Certificate or None
        ``None`` if no try verifies.

    Examples
    --------
    See the module doc; a zero multiplier family proves ``dA λmax(M)`` (here 2 for ``max = 1``):

    >>> from weingarten_check.delta.cost import form_from_k
    >>> from weingarten_check.delta.sdp.exact_form import exact_form_from_k
    >>> K = np.diag([0.0, 0.0, 1.0])
    >>> zero = Level2Solution(2.0, [np.zeros((4, 4))] * 6, "", 0.0)
    >>> round(float(certify_level2(exact_form_from_k(K, 2), form_from_k(K, 2), zero).bound), 9)
    2.0
    """
    dA = E.dA
    D = dA * dA
    Q = E.exponent
    scale = 2.0**Q
    Xre, Xim = [], []
    for X in sol.X:
        X = 0.5 * (X + X.conj().T)
        r, i = round_hermitian(X, Q)
        Xre.append(r)
        Xim.append(i)
    gnum = round(Fraction(sol.gamma) * Fraction(2) ** Q)
    # float estimate of λmin of Q_r on Sym²
    P = Sym2(D).isometry()
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
