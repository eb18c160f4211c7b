"""Reference implementations used only by the tests (and proofs): slow, simple or high-precision
versions of library routines that the library itself does not call.

One section per area of the package, each with a header comment; append only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from weingarten_check.delta.reduction import k_from_reduced
from weingarten_check.states.observables import Observable
from weingarten_check.states.reduced import check_state_array, local_grams, support_matrix, touching_support
from weingarten_check.util.checks import check_sites

# ==================================================================================================
# states: K and c0 straight from a state (tests of states/reduced.py and delta/reduction.py)
# ==================================================================================================


def k_from_state(obs: Observable, psi: np.ndarray, sites_A: Sequence[int]) -> np.ndarray:
    """Route-1 ``K`` for ``H2 = H`` (V2 = I) and ``ρ1 = |ψ><ψ|``: one pass over ψ (shape (q,)*n)
    for the reduced density matrix on ``S = A ∪ supp(terms touching A)``, then
    :func:`weingarten_check.delta.reduction.k_from_reduced`.  Equals
    :func:`weingarten_check.delta.variation_range.k_matrix` of the dense cost tensor."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    psi = check_state_array(psi, "psi", obs.n, None)
    if psi.shape[0] != obs.q:
        raise ValueError(f"psi has local dimension {psi.shape[0]}, the observable q = {obs.q}")
    S, HS = touching_support(obs, sites_A)
    dA = obs.q ** len(tuple(sites_A))
    rho = local_grams(psi, [S], obs.n)[0][:, 0, :, 0]
    return k_from_reduced(HS, rho, dA)


def cost_constant_from_state(obs: Observable, psi: np.ndarray, sites_A: Sequence[int]) -> float:
    """``c0 = E_{Haar UA} C(UA) = tr_B(tr_A(H) tr_A(ρ1))/dA`` for V2 = I, ``ρ1 = |ψ><ψ|``:
    ``Σ_t c_t (tr_A O_{t,A}/dA) <ψ|O_{t,B}|ψ>`` from the reduced density matrices on the B-parts
    of the terms' supports, all in one pass when the supports allow (two for a ring).
    Equals :func:`weingarten_check.delta.variation_range.cost_constant` of the dense cost tensor."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    psi = check_state_array(psi, "psi", obs.n, None)
    A = set(check_sites(sites_A, obs.n, proper=False))
    dA = obs.q ** len(A)
    groups: dict[tuple[int, ...], np.ndarray] = {}
    scalar = 0j
    for c, ops in obs.terms:
        v = complex(c) / dA
        for s in A:
            v *= np.trace(ops[s]) if s in ops else obs.q
        supB = tuple(sorted(s for s in ops if s not in A))
        if not supB:
            scalar += v
            continue
        groups[supB] = groups.get(supB, 0) + support_matrix(v, ops, supB, obs.q)
    sups = list(groups)
    total = scalar * float(np.real(np.vdot(psi.reshape(-1), psi.reshape(-1)))) if scalar else 0j
    if sups:
        for sup, g in zip(sups, local_grams(psi, sups, obs.n)):
            total += np.einsum("pq,qp->", groups[sup], g[:, 0, :, 0])  # tr(O ρ_sup)
    return float(np.real(total))


def random_local_observable(n: int, q: int, seed: int) -> Observable:
    """Random Hermitian 1-, 2- and 3-site terms (non-adjacent supports included)."""
    rng = np.random.default_rng(seed)
    terms = [(0.7, {})]
    for sup in ((0,), (1, n - 2), (n - 1, 0), (2, 1, n - 1)):
        mats = {}
        for s in sup:
            x = rng.standard_normal((q, q)) + 1j * rng.standard_normal((q, q))
            mats[s] = x + x.conj().T
        terms.append((float(rng.standard_normal()), mats))
    return Observable(n, q, terms, check_hermitian=True)
