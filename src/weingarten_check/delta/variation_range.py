"""The variation range ``Δ = max_UA C(UA) - min_UA C(UA)`` of a local unitary, computed exactly.

Setting (math-notes): ``U = V2 (UA ⊗ I_B) V1``, ``C(UA) = tr(H U ρ U†)``, ``H2 = V2† H V2``,
``ρ1 = V1 ρ V1†``, A = ``m`` sites (``dA = q^m``), B = the rest.

Data flow: (H2, ρ1) or the states they come from  ->  **cost tensor**
``T[l, j, k, i] = tr_B(<l|H2|k>_A <i|ρ1|j>_A)`` (for pure ``ρ1 = |ψ1><ψ1|``,
``ψ1 = Σ_i |i>_A |ψ_i>_B``: ``T[l,j,k,i] = <l,ψ_j| H2 |k,ψ_i>``), so that
``C(UA) = Σ conj(UA[l,j]) UA[k,i] T[l,j,k,i]`` — a Hermitian quadratic form in ``vec(UA)``
->  **K matrix** (Route 1, step 3) ``K_ab = tr_B(h_a r_b) = Σ (G_a)_{kl} (G_b)_{ji} T[l,j,k,i]``
with ``C(UA) = c0 + tr(K^T R(UA))``, ``R_ab = tr(G_a UA G_b UA†)`` the adjoint representation
->  Δ:

* ``dA = 2``: exact, ``Δ = 2 (σ1(K) + σ2(K))`` (Route 1 step 4) — :func:`variation_range_qubit`.
* fidelity costs (``H = I - |φ><φ|``, pure ρ): exact, ``Δ = ||M||_1²`` with
  ``M_ij = <φ_j|ψ_i>`` (Proposition 2 section) — :func:`variation_range_fidelity`.
* otherwise (dA >= 3) a certified bracket ``[lower, upper]`` from K alone — lower end attained
  by optimised unitaries, upper end an exactly checked dual certificate of the unital-channel SDP
  (Lemma 12) — :func:`.certified_delta.delta_from_k`, the one function every non-fidelity Δ ends
  in.  (:func:`variation_range_bracket` is the older ``[optimiser, 2||K||_*]`` bracket from T.)

:func:`variation_range` dispatches between them for dense inputs (small n).  The scalable
constructions of ``T`` and ``M`` for circuits and Haar ensembles live in :mod:`.experiments`.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np

from ..states.observables import Observable, orthonormal_traceless_basis
from ..states.sampling import RngLike, as_rng
from ..util.checks import check_hermitian, check_local_dim, check_nq, check_sites, check_square, check_unitary
from .certified import delta_from_k, nuclear_bound, qubit_delta
from .cost import check_cost_tensor, cost_tensor_dense, k_matrix, m_matrix
from .optimiser import optimise_form
from .result import VariationRangeResult

__all__ = [
    "VariationRangeResult",
    "variation_range_qubit",
    "variation_range_fidelity",
    "optimise_cost",
    "variation_range_bracket",
    "variation_range",
    "k_matrix_mp",
    "variation_range_qubit_mp",
    "variation_range_fidelity_mp",
]


# ------------------------------------------------------------------------------------ validation
def _infer_n(d: int, q: int, what: str) -> int:
    n = int(round(np.log(d) / np.log(q)))
    if q**n != d:
        raise ValueError(f"{what} has dimension {d}, which is not a power of q={q}")
    return n


# ------------------------------------------------------------------------------------ exact Δ
def variation_range_qubit(K: np.ndarray) -> float:
    """Exact Δ for one qubit (dA = 2): ``2 (σ1(K) + σ2(K))`` of the 3 x 3 K (Route 1, step 4)."""
    if np.shape(K) != (3, 3):
        raise ValueError(f"K must be 3 x 3 (dA = 2, one qubit), got shape {np.shape(K)}")
    return qubit_delta(K)


def variation_range_fidelity(M: np.ndarray) -> float:
    """Exact Δ for the fidelity cost ``C = 1 - |<φ|U|ψ>|²``: ``||M||_1²`` (trace norm squared),
    valid for every ``dA >= 2`` (max of ``|tr(UA M)|`` is ``||M||_1``, min is 0)."""
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 2:
        raise ValueError(f"M must be a square dA x dA matrix with dA >= 2, got shape {M.shape}")
    return float(np.sum(np.linalg.svd(M, compute_uv=False)) ** 2)


# ------------------------------------------------------------------------------------ optimisation
def optimise_cost(
    T: np.ndarray, maximise: bool, starts: int = 8, rng: RngLike = 0, gtol: float = 1e-11
) -> tuple[float, np.ndarray]:
    """Multi-start BFGS over U(dA) for ``max`` (or ``min``) of ``C(U)``; returns the best value
    and the unitary achieving it (:func:`.unitary_optimiser.optimise_form` on the Hermitian part
    of T reshaped to dA² x dA²)."""
    T, dA = check_cost_tensor(T)
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 1:
        raise ValueError(f"starts must be an int >= 1, got {starts!r}")
    Tm = T.reshape(dA * dA, dA * dA)
    return optimise_form(Tm, maximise, starts, as_rng(rng), gtol)


def variation_range_bracket(T: np.ndarray, starts: int = 8, rng: RngLike = 0) -> tuple[float, float]:
    """Certified bracket ``lower <= Δ <= upper`` for any dA: ``lower = C(U_max) - C(U_min)``
    for the best unitaries found by :func:`optimise_cost` (attained, hence a lower bound),
    ``upper = 2 ||K||_*`` (:func:`.certified.nuclear_bound`)."""
    T, dA = check_cost_tensor(T)
    gen = as_rng(rng)
    hi, _ = optimise_cost(T, True, starts, gen)
    lo, _ = optimise_cost(T, False, starts, gen)
    upper = nuclear_bound(k_matrix(T))
    lower = hi - lo
    if lower > upper * (1 + 1e-9) + 1e-12:
        raise RuntimeError(f"bracket inconsistent: lower {lower} > upper {upper} (bug)")
    return float(lower), float(upper)


# ------------------------------------------------------------------------------------ dispatcher
def _fidelity_target(H: np.ndarray, tol: float = 1e-9) -> np.ndarray | None:
    """If ``H = I - |φ><φ|`` return φ, else None."""
    P = np.eye(H.shape[0]) - H
    tr = np.real(np.trace(P))
    if abs(tr - 1) > tol or not np.allclose(P @ P, P, atol=tol):
        return None
    ev, vecs = np.linalg.eigh(P)
    return vecs[:, -1]


def variation_range(
    H: np.ndarray | Observable,
    state: np.ndarray,
    *,
    V1: np.ndarray | None = None,
    V2: np.ndarray | None = None,
    sites: Sequence[int] = (0,),
    q: int = 2,
    method: str = "auto",
    starts: int = 32,
    rng: RngLike = 0,
    tol: float = 1e-6,
) -> VariationRangeResult:
    """Δ for ``U = V2 (UA ⊗ I) V1`` with dense inputs (small n), dispatching to the exact forms.

    Parameters
    ----------
    H: Hermitian d x d matrix or :class:`Observable` (d = q**n).
    state: a state vector ψ (length d, ρ = |ψ><ψ|) or a density matrix ρ (d x d).
    V1, V2: d x d unitaries or circuits with a ``unitary()`` method (e.g.
        :class:`weingarten_check.circuits.ensembles.Circuit`); default identity.
    sites: the sites of A (m = len(sites) < n).
    method: "auto" (fidelity if H = I - |φ><φ| and ρ pure, else
        :func:`.certified_delta.delta_from_k`: exact for dA = 2, a certified bracket for dA >= 3),
        or force "qubit" (dA = 2), "fidelity", "certified" (K route, any dA).
    starts, rng, tol: cap on the random optimiser starts per side, their seed, and the target
        relative width of the certified bracket (dA >= 3), see :func:`.certified_delta.delta_from_k`.
    """
    if isinstance(H, Observable):
        q = H.q
        H = H.dense()
    if method not in ("auto", "qubit", "fidelity", "certified"):
        raise ValueError(f"method must be 'auto', 'qubit', 'fidelity' or 'certified', got {method!r}")
    H = check_square(H, "H")
    d = H.shape[0]
    q = check_local_dim(q)
    n = _infer_n(d, q, "H")
    n, q = check_nq(n, q, min_n=2)
    check_hermitian(H, "H")
    sites = check_sites(sites, n)
    dA = q ** len(sites)
    state = np.asarray(state, dtype=np.complex128)
    pure = state.ndim == 1
    if pure:
        if state.shape != (d,):
            raise ValueError(f"state vector must have length q**n = {d}, got {state.shape}")
        if abs(np.linalg.norm(state) - 1) > 1e-9:
            raise ValueError("state vector must be normalised")
        psi = state
        rho = np.outer(psi, psi.conj())
    else:
        rho = check_square(state, "state (density matrix)", d)
        check_hermitian(rho, "state (density matrix)")
        if abs(np.trace(rho) - 1) > 1e-9 or np.linalg.eigvalsh(rho)[0] < -1e-9:
            raise ValueError("state (density matrix) must be positive semidefinite with trace 1")
    if V1 is not None and hasattr(V1, "unitary"):
        V1 = V1.unitary()
    if V2 is not None and hasattr(V2, "unitary"):
        V2 = V2.unitary()
    for name, V in (("V1", V1), ("V2", V2)):
        if V is not None:
            check_unitary(check_square(V, name, d), name)
    V1m = np.eye(d) if V1 is None else np.asarray(V1, dtype=np.complex128)
    V2m = np.eye(d) if V2 is None else np.asarray(V2, dtype=np.complex128)
    H2 = V2m.conj().T @ H @ V2m
    rho1 = V1m @ rho @ V1m.conj().T
    T = cost_tensor_dense(H2, rho1, sites, n, q)
    K = k_matrix(T)

    phi = _fidelity_target(H) if pure else None
    if method == "fidelity" or (method == "auto" and phi is not None):
        if phi is None:
            raise ValueError("method='fidelity' needs H = I - |φ><φ| and a pure state vector")
        from ..states.statevector import move_sites_first

        psi1 = move_sites_first((V1m @ psi).reshape((q,) * n), sites, n)
        phi2 = move_sites_first((V2m.conj().T @ phi).reshape((q,) * n), sites, n)
        M = m_matrix(psi1, phi2)
        val = variation_range_fidelity(M)
        return VariationRangeResult(val, val, val, True, "fidelity", K=K, M=M)
    if method == "qubit" and dA != 2:
        raise ValueError(f"method='qubit' needs dA = 2, got dA = {dA}")
    return delta_from_k(K, dA, tol=tol, rng=rng, max_starts=starts)


# ------------------------------------------------------------------------------------ mpmath
def k_matrix_mp(T: np.ndarray, dps: int = 50) -> mpmath.matrix:
    """:func:`k_matrix` for an object array of mpmath numbers (high-precision recomputation)."""
    T, dA = check_cost_tensor(T)
    with mpmath.workdps(dps):
        G = orthonormal_traceless_basis(dA)
        # exact rationals/sqrt of the basis at the working precision
        Gmp = np.empty(G.shape, dtype=object)
        for idx in np.ndindex(G.shape):
            re, im = G[idx].real, G[idx].imag
            Gmp[idx] = mpmath.mpc(_mp_exactish(re), _mp_exactish(im))
        r = dA * dA - 1
        K = mpmath.matrix(r, r)
        for a in range(r):
            for b in range(r):
                acc = mpmath.mpc(0)
                for l, j, k, i in np.ndindex(T.shape):
                    ga, gb = Gmp[a, k, l], Gmp[b, j, i]
                    if ga != 0 and gb != 0:
                        acc += ga * gb * T[l, j, k, i]
                K[a, b] = mpmath.re(acc)
        return K


def _mp_exactish(x: float) -> mpmath.mpf:
    """Recover the exact value of Gell-Mann/sqrt(2) entries (0, ±1/sqrt2, ±1/sqrt(l(l+1)) ...)."""
    if x == 0:
        return mpmath.mpf(0)
    inv_sq = 1.0 / (x * x)
    k = round(inv_sq)
    if abs(inv_sq - k) < 1e-9:
        return mpmath.sign(x) / mpmath.sqrt(k)
    # diagonal entries -l * sqrt(1/(l(l+1))): x^2 = l^2/(l(l+1)) = l/(l+1)
    for l in range(1, 64):
        if abs(x * x - l / (l + 1)) < 1e-12:
            return mpmath.sign(x) * mpmath.sqrt(mpmath.mpf(l) / (l + 1))
    return mpmath.mpf(x)


def variation_range_qubit_mp(K: mpmath.matrix, dps: int = 50) -> mpmath.mpf:
    """``2 (σ1 + σ2)`` of a 3 x 3 mpmath matrix at ``dps`` digits."""
    with mpmath.workdps(dps):
        s = sorted(mpmath.svd_r(mpmath.matrix(K), compute_uv=False), reverse=True)
        return 2 * (s[0] + s[1])


def variation_range_fidelity_mp(M: mpmath.matrix, dps: int = 50) -> mpmath.mpf:
    """``||M||_1²`` of a complex mpmath matrix at ``dps`` digits."""
    with mpmath.workdps(dps):
        s = mpmath.svd_c(mpmath.matrix(M), compute_uv=False)
        return mpmath.fsum(s) ** 2
