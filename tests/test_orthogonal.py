"""Tests for weingarten_check.theory.orthogonal: E||K||_F² for V1 Haar on O(d) (Lemma 16.4).

Independent routes: the dense operators O_ab = G_b ⊗ h_a against random real states drawn from the
exact sampler (Monte Carlo, 5σ), and κ_T from the dense partial transpose of H.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from weingarten_check.states.bases import PAULI
from weingarten_check.states.observables import Observable, heisenberg_ring, qae_observable
from weingarten_check.theory.orthogonal import (
    expected_K_frobenius_sq_orthogonal,
    orthogonal_route1_bound,
    orthogonal_second_moment_coefficient,
    orthogonal_to_unitary_ratio,
    transpose_coupling,
)

d = sp.Symbol("d")


def _dense_transpose_coupling(obs, dA=2):
    """tr(H H^{T_B}) - tr(h h^T)/dA with h = tr_A H, from the dense matrix (A = site 0)."""
    h = obs.dense()
    dB = h.shape[0] // dA
    t = h.reshape(dA, dB, dA, dB)
    h_tb = t.transpose(0, 3, 2, 1).reshape(h.shape)  # partial transpose on B
    red = np.einsum("ajak->jk", t)
    return float(np.trace(h @ h_tb).real - np.trace(red @ red.T).real / dA)


@pytest.mark.parametrize("make", [heisenberg_ring, qae_observable])
@pytest.mark.parametrize("n", [3, 4, 5])
def test_transpose_coupling_termwise_equals_the_dense_partial_transpose(make, n):
    obs = make(n)
    assert transpose_coupling(obs, [0]) == pytest.approx(_dense_transpose_coupling(obs), abs=1e-9)


def test_transpose_coupling_counts_y_with_a_minus_sign():
    # H = Z⊗Z + Z⊗Y: κ = 2·(d/2)... each term's B part: Z symmetric (+), Y antisymmetric (-)
    obs = Observable(2, 2, [(1.0, {0: PAULI["Z"], 1: PAULI["Z"]}), (1.0, {0: PAULI["Z"], 1: PAULI["Y"]})])
    assert obs.coupling([0]) == pytest.approx(8.0)
    assert transpose_coupling(obs, [0]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="sites_A"):
        transpose_coupling(obs, [5])


def test_expected_k2_agrees_with_monte_carlo_over_real_states():
    from weingarten_check.states.sampling import haar_real_state

    obs = heisenberg_ring(3)
    h = obs.dense()
    g = [PAULI[p] / np.sqrt(2) for p in "XYZ"]
    t = h.reshape(2, 4, 2, 4)
    ha = [np.einsum("ji,ikjl->kl", ga, t) for ga in g]
    ops = np.array([np.kron(gb, hh) for hh in ha for gb in g])
    rng = np.random.default_rng(42)
    psi = np.array([haar_real_state(8, rng) for _ in range(20000)])
    vals = (np.einsum("si,aij,sj->sa", psi, ops, psi).real ** 2).sum(axis=1)
    exact = float(expected_K_frobenius_sq_orthogonal(8, 2, coupling=48, transpose_coupling=16))
    assert exact == 2.0  # 20/(d + 2) at d = 8
    assert abs(vals.mean() - exact) < 5 * vals.std(ddof=1) / np.sqrt(len(vals))


def test_closed_forms():
    assert orthogonal_second_moment_coefficient(d) == (d - 1) / (d * (d - 1) * (d + 2))
    # a maximally mixed real state has K = 0
    assert orthogonal_second_moment_coefficient(d, 1 / d) == 0
    assert (
        sp.simplify(orthogonal_route1_bound(d, 1, coupling=6 * d, transpose_coupling=2 * d) ** 2 - 160 / (d + 2)) == 0
    )
    r = orthogonal_to_unitary_ratio(d, 2, coupling=6 * d, transpose_coupling=2 * d)
    assert sp.simplify(r - sp.Rational(10, 9) * (d + 1) / (d + 2)) == 0
    with pytest.raises(TypeError):
        expected_K_frobenius_sq_orthogonal(8, 2, coupling=True, transpose_coupling=1)


def test_real_local_variation_closed_forms_against_a_scan_of_the_cost():
    # C(U) = tr(H (U⊗I) ρ1 (U⊗I)†) scanned over θ for U = R_Y(θ) and Z R_Y(θ), ρ1 a real state (n = 3)
    from weingarten_check.delta.exact import variation_range_qubit
    from weingarten_check.states.sampling import haar_real_state
    from weingarten_check.theory.orthogonal import variation_range_real_qubit, variation_range_ry

    h = heisenberg_ring(3).dense()
    rng = np.random.default_rng(5)
    thetas = np.linspace(0, 2 * np.pi, 40001)
    y = PAULI["Y"]
    for _ in range(4):
        psi = haar_real_state(8, rng)
        rho = np.outer(psi, psi)
        costs = {}
        c, sn = np.cos(thetas / 2), np.sin(thetas / 2)
        rot = c[:, None, None] * np.eye(2) - 1j * sn[:, None, None] * y  # R_Y(θ), batched
        for name, pre in (("rot", np.eye(2)), ("ref", PAULI["Z"])):
            w = np.einsum("njk,lm->njlkm", pre @ rot, np.eye(4)).reshape(len(thetas), 8, 8)
            evolved = w @ rho @ w.conj().transpose(0, 2, 1)
            costs[name] = np.einsum("ij,nji->n", h, evolved).real
        k = _k_of(h, rho)
        assert variation_range_ry(k) == pytest.approx(np.ptp(costs["rot"]), abs=1e-6)
        both = np.concatenate([costs["rot"], costs["ref"]])
        assert variation_range_real_qubit(k) == pytest.approx(np.ptp(both), abs=1e-6)
        assert variation_range_ry(k) <= variation_range_real_qubit(k) + 1e-12 <= variation_range_qubit(k) + 2e-12


def _k_of(h, rho):
    """K_ab = tr((G_b ⊗ h_a) ρ) for A = site 0 of 3 qubits, G = (X, Y, Z)/√2."""
    g = [PAULI[p] / np.sqrt(2) for p in "XYZ"]
    t = h.reshape(2, 4, 2, 4)
    ha = [np.einsum("ji,ikjl->kl", ga, t) for ga in g]
    return np.array([[np.trace(np.kron(gb, hh) @ rho).real for gb in g] for hh in ha])


def test_v2_formula_agrees_with_the_engine_and_the_traceless_real_closed_form():
    from weingarten_check.calculus.brauer_integrals import trace_moment_orthogonal_numeric
    from weingarten_check.theory.orthogonal import expected_K_frobenius_sq_orthogonal_v2

    obs = qae_observable(3)
    h = obs.dense()
    rho = np.zeros((8, 8))
    rho[0, 0] = 1
    g = [PAULI[p] / np.sqrt(2) for p in "XYZ"]
    r = [np.einsum("ji,ikjl->kl", gb, rho.reshape(2, 4, 2, 4)) for gb in g]
    exact = sum(
        trace_moment_orthogonal_numeric([h, h], [np.kron(ga, rb), np.kron(ga, rb)]).real for ga in g for rb in r
    )
    t1, t2 = np.trace(h).real, np.trace(h @ h).real
    half = sp.Rational(1, 2)
    f = expected_K_frobenius_sq_orthogonal_v2(
        8,
        2,
        state_coupling=half,
        state_transpose_coupling=half,
        h_trace=round(t1),
        h_hs=round(t2),
        h_transpose_hs=round(t2),
    )
    assert float(f) == pytest.approx(exact, abs=1e-12)
    t = sp.Symbol("t2")
    traceless = expected_K_frobenius_sq_orthogonal_v2(
        d, 2, state_coupling=half, state_transpose_coupling=half, h_trace=0, h_hs=t, h_transpose_hs=t
    )
    assert sp.simplify(traceless - 2 * t / ((d - 1) * (d + 2))) == 0


def test_transpose_hs_equals_the_dense_trace_of_h_h_transpose():
    """tr(H H^T) term by term against the dense matrix: the real Heisenberg ring (= tr H²) and a complex H
    (Y terms: tr(Y Y^T) = -tr(Y²))."""
    from weingarten_check.theory.orthogonal import transpose_hs

    cplx = Observable(2, 2, [(1.0, {0: PAULI["X"], 1: PAULI["Y"]}), (0.5, {1: PAULI["Y"]}), (0.3, {0: PAULI["Z"]})])
    for obs in (heisenberg_ring(4), cplx):
        h = obs.dense()
        assert transpose_hs(obs) == pytest.approx(np.trace(h @ h.T).real, abs=1e-9)
    assert transpose_hs(cplx) == pytest.approx(4 * (-1 - 0.25 + 0.09))


def test_both_case_equals_the_v2_formula_averaged_over_real_haar_states():
    """(K_O3): E over V1 of (K_O2) with σ, σ_T of ρ1 = V1|0><0|V1^T; the means of σ and σ_T from the O(d)
    engine (trace_moment_orthogonal_numeric: E tr(X ρ1) tr(Y ρ1) over Haar O(d)), n = 3, QAE."""
    from weingarten_check.calculus.brauer_integrals import trace_moment_orthogonal_numeric
    from weingarten_check.theory.orthogonal import (
        expected_K_frobenius_sq_orthogonal_both,
        expected_K_frobenius_sq_orthogonal_v2,
    )

    dA, dB = 2, 4
    dim = dA * dB
    rho = np.zeros((dim, dim))
    rho[0, 0] = 1
    g = [PAULI[p] / np.sqrt(2) for p in "XYZ"]
    e = np.eye(dB)
    sig = sig_t = 0.0
    for gb in g:  # tr_B(r_b r_b') = Σ_jk tr((G_b ⊗ |k><j|) ρ1) tr((G_b' ⊗ |j><k|) ρ1)
        for j in range(dB):
            for k in range(dB):
                x = np.kron(gb, np.outer(e[k], e[j]))
                sig += trace_moment_orthogonal_numeric([x, np.kron(gb, np.outer(e[j], e[k]))], [rho, rho]).real
                sig_t += trace_moment_orthogonal_numeric([x, np.kron(gb.T, np.outer(e[j], e[k]))], [rho, rho]).real
    h = qae_observable(3).dense()
    tr = dict(
        h_trace=round(np.trace(h).real), h_hs=round(np.trace(h @ h).real), h_transpose_hs=round(np.trace(h @ h).real)
    )
    both = float(expected_K_frobenius_sq_orthogonal_both(dim, dA, **tr))
    averaged = float(
        expected_K_frobenius_sq_orthogonal_v2(dim, dA, state_coupling=sig, state_transpose_coupling=sig_t, **tr)
    )
    assert both == pytest.approx(averaged, abs=1e-12)
    assert sig != pytest.approx(sig_t)  # the two means differ, so swapping them would be caught


def test_orthogonal_task_dependent_bound_rejects_bad_input():
    from weingarten_check.theory.orthogonal import orthogonal_task_dependent_bound

    with pytest.raises(ValueError, match="case"):
        orthogonal_task_dependent_bound("v3", heisenberg_ring(3), [0])
    with pytest.raises(ValueError):
        orthogonal_task_dependent_bound("v1", heisenberg_ring(3), [0, 1, 2])
    with pytest.raises(TypeError, match="observable"):
        orthogonal_task_dependent_bound("v1", np.eye(8), [0])
