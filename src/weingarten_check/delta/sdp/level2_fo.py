"""Level-2 multipliers by first-order eigenvalue minimisation (no interior point), Lemma 12.4.

The level-2 bound of :mod:`.unital_sdp2` holds for ANY Hermitian multipliers ``X_c`` (one D x D
matrix per constraint operator ``Z_c`` of :func:`.unital_sdp2.constraint_ops`, D = dA²):

    max_U <u|M|u>  <=  f(X) = dA² · λmax( P† H(X) P ),   H(X) = (M⊗I)/dA + Σ_c X_c ⊗ Z_c     (12.4)

(P the isometry onto Sym²(C^D); ``γ = f(X)`` makes ``Q = γ/dA² I - (M⊗I)/dA - L`` PSD on Sym²,
see :mod:`.unital_sdp2`).  So the level-2 dual is the unconstrained convex minimisation of f, which
needs only an eigendecomposition of the ``D(D+1)/2``-dimensional Hermitian ``P†HP`` per step
(136 x 136 at dA = 4) instead of an interior-point solve with a 7680-variable Schur complement.

Method: ``λmax`` is smoothed by ``log Σ_i exp(β λ_i) / β`` (an upper bound on λmax, within
``log(N)/β``), minimised by L-BFGS for increasing β, warm-started at the level-1 multipliers (the
special case ``X_c ∝ I``: with ``A = Σ_a α_a F_a/p_a``, ``B = Σ_a β_a F_a/p_a`` traceless,
``X_(I⊗F_a) = -α_a/dA · I`` and ``X_(F_a⊗I) = -β_a/dA · I`` give ``f = dA λmax(M - I⊗A - B⊗I)``,
the level-1 bound, because ``P†(S⊗I)P`` has top eigenvalue ``λmax(S)``).  The gradient of the
smoothed f is ``dA² · R_c`` with ``R_c[j, i] = Σ_kl (Z_c)_kl ρ[(j,l),(i,k)]`` and ``ρ = P W P†``,
W the softmax density matrix of ``P†HP``.  The iterate is only a *proposal*: the bound becomes a
number after :func:`.unital_sdp2.certify_level2` has proved it exactly.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.optimize import minimize

from ...util.blas_threads import BLAS_PIN
from ..optimiser import polar_unitary
from .exact_form import rational_basis
from .level1 import _check_ab, _check_form
from .level2 import Level2Solution, constraint_ops, sym_pairs

__all__ = ["level2_value", "level1_multipliers", "solve_level2_fo", "unitary_from_level2", "SCHEDULE"]


class _Sym2:
    """Fast ``P† H P`` (gather of rows/columns) and ``P W P†`` for the Sym² isometry P."""

    def __init__(self, D: int):
        pairs = sym_pairs(D)
        self.D = D
        self.i1 = np.array([a * D + b for a, b in pairs])
        self.i2 = np.array([b * D + a for a, b in pairs])
        diag = np.array([a == b for a, b in pairs])
        self.w1 = np.where(diag, 1.0, 1 / math.sqrt(2))
        self.w2 = np.where(diag, 0.0, 1 / math.sqrt(2))

    def compress(self, H: np.ndarray) -> np.ndarray:
        C = H[:, self.i1] * self.w1 + H[:, self.i2] * self.w2
        return self.w1[:, None] * C[self.i1] + self.w2[:, None] * C[self.i2]

    def expand(self, W: np.ndarray) -> np.ndarray:
        N = self.D * self.D
        out = np.zeros((N, W.shape[1]), dtype=W.dtype)
        np.add.at(out, self.i1, self.w1[:, None] * W)
        np.add.at(out, self.i2, self.w2[:, None] * W)
        return out


class _Problem:
    def __init__(self, M: np.ndarray, dA: int):
        self.dA, self.D = dA, dA * dA
        D = self.D
        self.Z = np.array(constraint_ops(dA))
        self.nc = len(self.Z)
        self.Zf = self.Z.reshape(self.nc, D * D)
        self.sym = _Sym2(D)
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
    """The level-2 multipliers ``X_c ∝ I`` (shape ``(2(dA²-1), dA², dA²)``) whose value (12.4) equals
    the level-1 bound ``tr A + tr B + dA λmax(M - I⊗A - B⊗I)`` of (A, B) (module doc)."""
    A, B = _check_ab(A, B, dA)
    D = dA * dA
    X = np.zeros((2 * (D - 1), D, D), dtype=np.complex128)
    eye = np.eye(D)
    for a, (fr, fi, p) in enumerate(rational_basis(dA)):
        F = fr + 1j * fi
        X[2 * a] = -float(np.real(np.trace(F @ A))) / p / dA * eye
        X[2 * a + 1] = -float(np.real(np.trace(F @ B))) / p / dA * eye
    return X


def level2_value(M: np.ndarray, X: np.ndarray) -> float:
    """Floating-point ``f(X) = dA² λmax(P†H(X)P)`` of (12.4); NOT a proof
    (:func:`.unital_sdp2.certify_level2` proves it)."""
    M, dA = _check_form(M)
    X = _check_multipliers(X, dA)
    return _Problem(M, dA).value(X)


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


#: default smoothing schedule: (β relative to 1/|f(X0)|, L-BFGS iterations); short coarse phases move
#: the multipliers off the level-1 start's degenerate top eigenspace, the last phases converge (at the
#: optimum the top eigenvalue is typically simple, so large β is then effectively λmax itself)
SCHEDULE: tuple[tuple[float, int], ...] = ((1e3, 40), (1e4, 40), (1e5, 300), (1e6, 100))


class _Reached(Exception):
    pass


def solve_level2_fo(
    M: np.ndarray,
    X0: np.ndarray | None = None,
    *,
    schedule: tuple[tuple[float, int], ...] = SCHEDULE,
    target: float | None = None,
    time_limit: float = math.inf,
) -> Level2Solution:
    """Minimise (12.4) over the multipliers by L-BFGS on the log-sum-exp smoothing (module doc).

    ``X0``: start, shape ``(2(dA²-1), dA², dA²)`` (e.g. :func:`level1_multipliers`; default 0).
    ``schedule``: ``(β, maxiter)`` phases, β relative to ``1/|f(X0)|`` (the problem's scale).
    Stops as soon as the smoothed value — an upper bound on f — is ``<= target`` (e.g. the
    optimiser's value plus the allowed width), or after a phase once ``time_limit`` seconds have
    passed.  Returns the best iterate by its float f (``gamma``; a proposal, not a proof).
    Runs with the BLAS pinned to one thread (:data:`.blas_threads.BLAS_PIN`): the matrices are small
    and a multi-threaded BLAS on a shared machine made each step up to 50x slower (measured)."""
    with BLAS_PIN.driver():
        return _solve(M, X0, schedule, target, time_limit)


def _solve(
    M: np.ndarray,
    X0: np.ndarray | None,
    schedule: tuple[tuple[float, int], ...],
    target: float | None,
    time_limit: float,
) -> Level2Solution:
    M, dA = _check_form(M)
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

        def fun(y, beta=b / scale):
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
    """A starting unitary for the optimiser from level-2 multipliers: where (12.4) is tight its top
    eigenvector is ``∝ u ⊗ u`` (u = vec U); reshaped to D x D (``∝ u uᵀ``) its dominant left
    singular vector is ∝ u,
    reshaped to dA x dA and projected to the nearest unitary (polar factor).  Used where the
    optimiser's own starts missed the maximum (the level-2 bound then exposes it)."""
    M, dA = _check_form(M)
    X = _check_multipliers(np.asarray(X), dA)
    prob = _Problem(M, dA)
    _lam, V = np.linalg.eigh(prob.hs(X))
    v = prob.sym.expand(V[:, -1:])[:, 0].reshape(prob.D, prob.D)
    # v = c u uᵀ is complex symmetric; its dominant left singular vector is ∝ u
    Usv, _s, _Vh = np.linalg.svd(v)
    return polar_unitary(Usv[:, 0].reshape(dA, dA))
