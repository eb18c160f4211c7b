"""experiments.instances: the scalable Haar and circuit paths of one random instance equal dense
computations, and the QSL general route equals the fidelity route."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.circuits.ensembles import hea_circuit, local1_circuit
from weingarten_check.delta.exact import variation_range
from weingarten_check.experiments import instances
from weingarten_check.experiments.instances import variation_range_sample_result
from weingarten_check.experiments.tasks import CASES, TASKS, task_spec
from weingarten_check.states.sampling import haar_unitary
from weingarten_check.states.statevector import move_sites_first


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    "task, q, sites", [("vqe", 2, (0,)), ("qae", 2, (1,)), ("vqe", 3, (0,)), ("qsl", 2, (0,)), ("vqe", 2, (0, 2))]
)
def test_scalable_haar_path_equals_dense(monkeypatch, case, task, q, sites):
    """Patch haar_state / haar_isometry with pieces of explicit unitaries V1, V2: the isometry
    route must then give exactly the dense Δ(V1, V2)."""
    n = 3
    d = q**n
    rng = np.random.default_rng(42)
    V1, V2 = haar_unitary(d, rng), haar_unitary(d, rng)
    spec = task_spec(task, n, q, sites=sites)
    dA = q ** len(sites)

    def fake_state(dim, gen):
        return V1[:, 0].copy() if fake_state.calls == 0 and case != "v2" else _next_phi()

    def _next_phi():
        return V2.conj().T[:, 0].copy()  # V2† |0...0>

    fake_state.calls = 0

    def counted_state(dim, gen):
        out = fake_state(dim, gen)
        fake_state.calls += 1
        return out

    def fake_isometry(dim, k, gen):
        # the basis |k>_A |e_s>_B used inside, rebuilt exactly as the code does
        psi1 = (V1[:, 0] if case != "v2" else np.eye(d)[0]).reshape((q,) * n)
        rows = move_sites_first(psi1, sites, n)
        E, _ = np.linalg.qr(rows.T)
        basis = np.einsum("ka,bs->ksab", np.eye(dA), E).reshape(dA * E.shape[1], *(q,) * n)
        basis = instances._a_first_to_sites(basis, tuple(sites), n, q, 1).reshape(dA * E.shape[1], d).T
        assert basis.shape[1] == k
        return V2 @ basis

    monkeypatch.setattr(instances, "haar_state", counted_state)
    monkeypatch.setattr(instances, "haar_isometry", fake_isometry)
    res = variation_range_sample_result(spec, "haar", case, 0, starts=3)
    e0 = np.eye(d)[0]
    dense = variation_range(
        spec.observable.dense(),
        e0,
        V1=V1 if case != "v2" else None,
        V2=V2 if case != "v1" else None,
        sites=sites,
        q=q,
        starts=3,
    )
    if res.exact:
        assert res.upper == pytest.approx(dense.upper, abs=1e-10)
        assert res.value == pytest.approx(dense.value, abs=1e-10)
    else:  # two certified brackets of the same Δ (width <= tol = 1e-6 relative): they overlap
        assert res.lower <= dense.upper and dense.lower <= res.upper
        assert res.gap <= 1e-6 and dense.gap <= 1e-6


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("ensemble", ["hea", "local1"])
def test_circuit_path_equals_dense(case, ensemble):
    n, q, layers, seed = 3, 2, 4, 9
    for task in TASKS:
        spec = task_spec(task, n, q)
        depth = layers if ensemble == "hea" else None  # local1 has no depth (layers is refused for it)
        res = variation_range_sample_result(spec, ensemble, case, np.random.default_rng(seed), layers=depth)
        gen = np.random.default_rng(seed)
        make = (lambda g: hea_circuit(n, q, layers, g)) if ensemble == "hea" else (lambda g: local1_circuit(n, q, g))
        V1 = make(gen).unitary() if case != "v2" else None
        V2 = make(gen).unitary() if case != "v1" else None
        dense = variation_range(spec.observable.dense(), np.eye(2**n)[0], V1=V1, V2=V2)
        assert res.value == pytest.approx(dense.value, abs=1e-10)


def test_qsl_general_route_equals_fidelity_route():
    """Same draws (case v1): ||M||_1^2 == 2(σ1+σ2) of K.  Cases v2/both draw V2 differently in
    the two routes (a Haar state vs a Haar isometry), so there the means are compared."""
    spec = task_spec("qsl", 5)
    a = variation_range_sample_result(spec, "haar", "v1", 3)
    b = variation_range_sample_result(spec, "haar", "v1", 3, general=True)
    assert a.method == "fidelity" and b.method == "qubit"
    assert a.value == pytest.approx(b.value, abs=1e-12)
    for case in ("v2", "both"):
        va = np.array([variation_range_sample_result(spec, "haar", case, s).value for s in range(300)])
        vb = np.array(
            [variation_range_sample_result(spec, "haar", case, 1000 + s, general=True).value for s in range(300)]
        )
        se = np.hypot(va.std(ddof=1), vb.std(ddof=1)) / np.sqrt(300)
        assert abs(va.mean() - vb.mean()) < 5 * se


# ----------------------------------------------------------------------------------- O(d) ensembles
def _orthogonal_exact_k2(spec, case):
    """E||K||_F² of theory.orthogonal (Lemmas 16.4, 16.7) for the input |0...0>, A = site 0."""
    from weingarten_check.theory.orthogonal import (
        expected_K_frobenius_sq_orthogonal,
        expected_K_frobenius_sq_orthogonal_both,
        expected_K_frobenius_sq_orthogonal_v2,
        transpose_coupling,
        transpose_hs,
    )

    obs, d = spec.observable, spec.q**spec.n
    if case == "v1":
        return float(
            expected_K_frobenius_sq_orthogonal(
                d, 2, coupling=obs.coupling([0]), transpose_coupling=transpose_coupling(obs, [0])
            )
        )
    tr = dict(h_trace=obs.trace().real, h_hs=obs.hs_norm_sq(), h_transpose_hs=transpose_hs(obs))
    if case == "v2":
        return float(
            expected_K_frobenius_sq_orthogonal_v2(d, 2, state_coupling=0.5, state_transpose_coupling=0.5, **tr)
        )
    return float(expected_K_frobenius_sq_orthogonal_both(d, 2, **tr))


@pytest.mark.parametrize("case, n, samples", [("v1", 4, 1500), ("v2", 4, 1500), ("both", 6, 2000)])
def test_orthogonal_sampled_k2_agrees_with_the_exact_value_and_not_the_unitary_one(case, n, samples):
    """Mean ||K||_F² over seeded 'orthogonal' samples (QAE) within 5 se of the exact O(d) value, and more
    than 5 se away from the unitary 2-design value (Lemma 4) — which it would equal if the sampler drew
    Haar unitaries (O(d)/U(d) ratio 1.26 for v1, v2 at n = 4; 1.10 for both at n = 6)."""
    from weingarten_check.theory.bounds import expected_K_frobenius_sq

    spec = task_spec("qae", n)
    gen = np.random.default_rng(1618)
    vals = np.array(
        [(instances.sample_cost_matrices(spec, "orthogonal", case, gen).K ** 2).sum() for _ in range(samples)]
    )
    mean, se = vals.mean(), vals.std(ddof=1) / np.sqrt(len(vals))
    exact = _orthogonal_exact_k2(spec, case)
    assert abs(mean - exact) < 5 * se
    unitary = float(
        expected_K_frobenius_sq(
            case, n, 1, coupling=spec.coupling, state_coupling=spec.state_coupling, h_hs_centered=spec.h_hs_centered
        )
    )
    assert abs(mean - unitary) > 5 * se


@pytest.mark.parametrize("case", CASES)
def test_orthogonal_and_real_hea_reduced_path_equals_dense(case):
    """Same draws, both paths (reduced density matrices / streamed real isometry vs H on full vectors):
    K or M agree to 1e-12, for every task; n = 16 exercises the streamed real-Gaussian isometry."""
    for ens, n in (("orthogonal", 5), ("real-hea", 5), ("orthogonal", 16)):
        for task in TASKS if n < 16 else ("qae",):
            spec = task_spec(task, n)
            depth = 4 if ens == "real-hea" else None  # orthogonal (exact Haar) has no depth
            a = instances.sample_cost_matrices(spec, ens, case, 7, layers=depth)
            b = instances.sample_cost_matrices(spec, ens, case, 7, layers=depth, path="dense")
            x, y = (a.M, b.M) if spec.fidelity else (a.K, b.K)
            assert np.abs(x - y).max() < 1e-12 and np.abs(x).max() > 1e-6


@pytest.mark.parametrize("ensemble", ["orthogonal", "real-hea"])
def test_real_v1_makes_the_four_one_y_entries_of_k_vanish(ensemble):
    """A real V1|0...0> has <ψ|O|ψ> = 0 for the imaginary antisymmetric O = G_b ⊗ h_a with exactly one
    Y (Heisenberg ring, basis X, Y, Z): those four entries of K vanish, the diagonal does not.  Under
    Haar unitaries they do not vanish."""
    spec = task_spec("vqe", 5)
    one_y = [(a, b) for a in range(3) for b in range(3) if (a == 1) != (b == 1)]
    for s in range(5):
        K = instances.sample_cost_matrices(spec, ensemble, "v1", s, layers=6 if ensemble == "real-hea" else None).K
        assert max(abs(K[a, b]) for a, b in one_y) < 1e-13
        assert min(abs(K[i, i]) for i in range(3)) > 1e-8
    K = instances.sample_cost_matrices(spec, "haar", "v1", 0).K
    assert max(abs(K[a, b]) for a, b in one_y) > 1e-3
