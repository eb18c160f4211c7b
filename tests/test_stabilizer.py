"""Tests of weingarten_check.delta.stabilizer: K of Clifford instances, exactly, from Pauli expectations."""

from __future__ import annotations

import numpy as np
import pytest
import stim

from weingarten_check.circuits.clifford import CliffordUnitary, random_clifford
from weingarten_check.delta.stabilizer import k_matrix_clifford, pauli_to_library_basis
from weingarten_check.experiments.instances import sample_cost_matrices, variation_range_sample_result
from weingarten_check.experiments.tasks import task_spec
from weingarten_check.states.bases import PAULI, orthonormal_traceless_basis
from weingarten_check.states.observables import Observable, heisenberg_ring, qae_observable
from weingarten_check.states.sampling import as_rng


def _draws(n: int, case: str, seed: int) -> tuple[CliffordUnitary | None, CliffordUnitary | None]:
    """The Cliffords sample_cost_matrices draws for (case, seed): V1 first, then V2."""
    g = as_rng(seed)
    v1 = random_clifford(n, 2, g) if case in ("v1", "both") else None
    v2 = random_clifford(n, 2, g) if case in ("v2", "both") else None
    return v1, v2


@pytest.mark.parametrize("task", ["vqe", "qae"])
@pytest.mark.parametrize("case", ["v1", "v2", "both"])
@pytest.mark.parametrize("n, sites", [(3, (0,)), (4, (3,)), (5, (2,)), (4, (0, 1)), (4, (2, 0))])
def test_equals_the_state_vector_route(task, case, n, sites):
    """The exact K equals the floating-point K of the same draws (dense path: H on dA² state vectors), m = 1
    and m = 2 (the rotation into the Gell-Mann basis, and A's sites out of order)."""
    spec = task_spec(task, n, 2, sites=sites)
    nonzero = 0
    for seed in range(80):
        dense = sample_cost_matrices(spec, "clifford", case, seed, path="dense").K
        exact = k_matrix_clifford(spec.observable, spec.sites, *_draws(n, case, seed))
        np.testing.assert_allclose(exact, dense, rtol=0, atol=1e-12)
        nonzero += bool(np.any(exact))
        if nonzero == 3:
            break
    if task == "qae" and case == "v1" and 0 not in sites:
        assert nonzero == 0  # H acts trivially on A and V2 = I: K ≡ 0
    else:
        assert nonzero == 3  # the comparison is not only between zero matrices


def test_sampler_uses_the_exact_route_with_the_same_draws():
    """sample_cost_matrices (reduced path) returns the exact K of the Cliffords drawn in order V1, V2."""
    spec = task_spec("vqe", 6)
    for seed in range(5):
        K = sample_cost_matrices(spec, "clifford", "both", seed).K
        assert np.array_equal(K, k_matrix_clifford(spec.observable, spec.sites, *_draws(6, "both", seed)))


def test_k_is_an_integer_matrix_for_the_heisenberg_ring_and_half_integer_for_qae():
    """Lemma 13.5: each expectation is 0 or ±1, so K is exact — integers (Heisenberg, coefficients 1),
    half-integers (QAE, H = I/2 - Z_R/2) — with no rounding residue at all."""
    for n in (6, 12):
        for seed in range(20):
            v1, v2 = _draws(n, "both", seed)
            K = k_matrix_clifford(heisenberg_ring(n), (0,), v1, v2)
            assert np.array_equal(K, np.round(K))
            K2 = k_matrix_clifford(qae_observable(n), (0,), v1, v2)
            assert np.array_equal(2 * K2, np.round(2 * K2))


def test_a_zero_k_gives_delta_exactly_zero():
    """Where K = 0 (most Clifford samples at n = 10) Δ is 0.0 exactly, not ~1e-17; elsewhere Δ is O(1)."""
    spec = task_spec("vqe", 10)
    values = [variation_range_sample_result(spec, "clifford", "v1", s).value for s in range(60)]
    zeros = [v for v in values if v == 0.0]
    assert len(zeros) >= 40
    assert all(v == 0.0 or v >= 1.0 for v in values)


def test_signs_and_conjugation_on_hand_made_cliffords():
    """Hand-checked instances: V1 = X on site 0 flips <Z_0> (K_zz = -2 for the ring, n = 4); V2 = S on site 0
    maps X to Y in H' = V2† H V2 (the row a = X of K moves to a = Y, with the sign of S† X S = -Y)."""
    n = 4
    H = heisenberg_ring(n)
    flip = CliffordUnitary(stim.Tableau.from_named_gate("X") + stim.Tableau(n - 1))
    assert k_matrix_clifford(H, (0,), v1=flip)[2, 2] == -2.0
    # one term X_0 X_1 and V1 = H on sites 0, 1 (|++>): K_xx = <X_0 X_1> = 1 without V2
    xx = Observable(2, 2, [(1.0, {0: PAULI["X"], 1: PAULI["X"]})])
    hh = CliffordUnitary(stim.Tableau.from_named_gate("H") + stim.Tableau.from_named_gate("H"))
    assert k_matrix_clifford(xx, (0,), v1=hh)[0, 0] == 1.0
    s_gate = CliffordUnitary(stim.Tableau.from_named_gate("S") + stim.Tableau(1))
    K = k_matrix_clifford(xx, (0,), v1=hh, v2=s_gate)  # S† X S = -Y on site 0: H' = -Y_0 X_1
    # row a = Y (the A-letter of H'), column b = X (with <X_0 X_1> = 1 on |++>), coefficient -1
    assert K[1, 0] == -1.0 and not np.any(np.delete(K.ravel(), 3))


def test_library_basis_rotation_is_orthogonal_and_maps_paulis_to_gell_mann():
    for m in (1, 2):
        C = pauli_to_library_basis(m)
        np.testing.assert_allclose(C @ C.T, np.eye(4**m - 1), atol=1e-12)
    C = pauli_to_library_basis(2)
    G = orthonormal_traceless_basis(4)
    # G_g = Σ_p C_gp P_p / 2: check one reconstruction explicitly
    mats = [PAULI[c] for c in "IXYZ"]
    strings = [(a, b) for a in range(4) for b in range(4) if a or b]
    rebuilt = np.einsum("gp,pij->gij", C, np.array([np.kron(mats[a], mats[b]) / 2 for a, b in strings]))
    np.testing.assert_allclose(rebuilt, G, atol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: k_matrix_clifford(heisenberg_ring(3, q=3), (0,)), "qubit observable"),
        (lambda: k_matrix_clifford(heisenberg_ring(3), (3,)), "sites"),
        (lambda: k_matrix_clifford(heisenberg_ring(3), (0,), v1=random_clifford(4, rng=0)), "v1 must be"),
        (lambda: k_matrix_clifford(heisenberg_ring(3), (0,), v2=np.eye(8)), "v2 must be"),
        (lambda: pauli_to_library_basis(0), "m must be"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
