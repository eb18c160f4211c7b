"""Unit tests of weingarten_check.theory.fourth_moments (Lemma 11.4): exact E||K||_F⁴ against the dense
matrices, the numeric-Observable path and Monte Carlo (>= 2000 Haar samples, 5 standard errors).

Monte Carlo seeds: ``experiments.sample_rng(SEED, n, s, config_entropy(task, "haar", case, q, 0))``
with SEED = 2024; the default suite runs n = 4 (qubits) and n = 3 (qutrits), the slow suite
n = 4, 6, 8 (q = 2) and n = 3, 4 (q = 3).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import sympy as sp

from weingarten_check.delta.cost import cost_tensor_dense, k_matrix
from weingarten_check.experiments import config_entropy, sample_rng, task_spec, variation_range_sample_result
from weingarten_check.states.observables import heisenberg_ring, qae_observable
from weingarten_check.states.sampling import haar_state, haar_unitary
from weingarten_check.theory import fourth_moments as fm
from weingarten_check.theory import task_moments as tm

SEED = 2024
SAMPLES = 2000
ns = sp.Symbol("n", positive=True, integer=True)
d = sp.Symbol("d", positive=True)


@functools.cache
def sample_k_norm_sq(task: str, case: str, n: int, q: int, samples: int = SAMPLES) -> np.ndarray:
    """||K||_F² of `samples` independent Haar draws: the library's experiment path for qubits (exact
    Haar V1 state / V2 isometry), dense Haar unitaries for qutrits (d <= 81)."""
    cfg = config_entropy(task, "haar", case, q, 0)
    out = np.empty(samples)
    if q == 2:
        spec = task_spec(task, n, q)
        for s in range(samples):
            out[s] = np.sum(variation_range_sample_result(spec, "haar", case, sample_rng(SEED, n, s, cfg)).K ** 2)
        return out
    H = (heisenberg_ring(n, q) if task == "vqe" else qae_observable(n, q)).dense()
    D = q**n
    rho = np.zeros((D, D), dtype=complex)
    rho[0, 0] = 1
    for s in range(samples):
        rng = sample_rng(SEED, n, s, cfg)
        rho1, H2 = rho, H
        if case in ("v1", "both"):
            psi = haar_state(D, rng)
            rho1 = np.outer(psi, psi.conj())
        if case in ("v2", "both"):
            V = haar_unitary(D, rng)
            H2 = V.conj().T @ H @ V
        out[s] = np.sum(k_matrix(cost_tensor_dense(H2, rho1, [0], n, q)) ** 2)
    return out


def assert_within_5se(values: np.ndarray, exact: float, label: str) -> None:
    se = values.std(ddof=1) / math.sqrt(len(values))
    z = (values.mean() - exact) / se
    assert abs(z) <= 5, f"{label}: MC {values.mean():.6g} ± {se:.2g} vs exact {exact:.6g} (z = {z:.2f})"


def _mc_check(task, case, q, n):
    x2 = sample_k_norm_sq(task, case, n, q)
    e4 = float(tm.expected_K_frobenius_fourth_task(task, case, n, q=q))
    e2 = float(tm.expected_K_frobenius_sq_task(task, case, n, q=q))
    assert_within_5se(x2**2, e4, f"E||K||^4 {task}/{case} q={q} n={n}")
    assert_within_5se(x2, e2, f"E||K||^2 {task}/{case} q={q} n={n}")


#: representative subset for the default suite (every case and both tasks once); the rest is slow
SMALL = [("vqe", "v1", 2, 4), ("qae", "v2", 2, 4), ("vqe", "both", 2, 4), ("qae", "v1", 3, 3)]
ALL = [
    (t, c, q, n)
    for t in ("vqe", "qae")
    for c in ("v1", "v2", "both")
    for q, n in ((2, 4), (2, 6), (2, 8), (3, 3), (3, 4))
]


@pytest.mark.parametrize("task,case,q,n", SMALL)
def test_fourth_moment_monte_carlo_small(task, case, q, n):
    _mc_check(task, case, q, n)


@pytest.mark.slow
@pytest.mark.parametrize("task,case,q,n", [p for p in ALL if p not in SMALL])
def test_fourth_moment_monte_carlo_large(task, case, q, n):
    _mc_check(task, case, q, n)


def test_monte_carlo_detects_a_wrong_value():
    """The 5-SE check is not vacuous: a fourth moment 10 % too large is rejected at n = 4."""
    x2 = sample_k_norm_sq("vqe", "v1", 4, 2)
    e4 = float(tm.expected_K_frobenius_fourth_task("vqe", "v1", 4))
    with pytest.raises(AssertionError):
        assert_within_5se(x2**2, 1.1 * e4, "mutant")


# ------------------------------------------------------------------------------------------- exact
def test_vqe_v1_closed_form():
    assert (
        sp.simplify(
            tm.expected_K_frobenius_fourth_task("vqe", "v1", ns, in_d=True)
            - 396 * (d + 4) / ((d + 1) * (d + 2) * (d + 3))
        )
        == 0
    )
    assert sp.simplify(tm.expected_K_frobenius_sq_task("vqe", "v1", ns, in_d=True) - 18 / (d + 1)) == 0
    v = tm.expected_K_frobenius_fourth_task("vqe", "v1", ns)
    assert v.has(ns) and sp.simplify(v.subs(ns, 6) - tm.expected_K_frobenius_fourth_task("vqe", "v1", 6)) == 0
    assert isinstance(tm.expected_K_frobenius_fourth_task("vqe", "v1", 6), sp.Rational)


@pytest.mark.parametrize("q,n_values", [(2, range(3, 9)), (3, range(3, 7))])
def test_ring_power_traces_against_dense(q, n_values):
    for n in n_values:
        H = heisenberg_ring(n, q, _width=0.0).dense()
        t2, t4 = tm.ring_power_traces(n, q)
        H2 = H @ H
        assert abs(float(t2) - np.trace(H2).real) < 1e-9 * abs(float(t2))
        assert abs(float(t4) - np.trace(H2 @ H2).real) < 1e-9 * abs(float(t4))
        if n >= 5:  # the symbolic (n >= 5) formula agrees with the numeric value
            s2, s4 = tm.ring_power_traces(ns, q)
            assert s2.subs(ns, n) == t2 and s4.subs(ns, n) == t4


def test_ring_symbolic_formula_is_not_valid_below_5():
    """n = 4 has the 4-cycle pattern, n = 3 the triangles: the generic formula is off there."""
    _, s4 = tm.ring_power_traces(ns, 2)
    assert s4.subs(ns, 4) != tm.ring_power_traces(4, 2)[1]
    assert s4.subs(ns, 3) != tm.ring_power_traces(3, 2)[1]


@pytest.mark.parametrize("task", ["vqe", "qae"])
@pytest.mark.parametrize("case", ["v1", "v2", "both"])
@pytest.mark.parametrize("q,n", [(2, 3), (2, 4), (2, 5), (3, 3)])
def test_symbolic_equals_observable_path(task, case, q, n):
    """The symbolic-in-n value (exact local data) equals the numeric path on the library's
    Observable (dense traces, float) — two independent constructions of H."""
    _symbolic_vs_observable(task, case, q, n)


@pytest.mark.slow
@pytest.mark.parametrize("task", ["vqe", "qae"])
@pytest.mark.parametrize("case", ["v1", "v2", "both"])
@pytest.mark.parametrize("q,n", [(2, 6), (2, 7), (3, 4), (3, 5)])
def test_symbolic_equals_observable_path_larger(task, case, q, n):
    _symbolic_vs_observable(task, case, q, n)


def _symbolic_vs_observable(task, case, q, n):
    obs = heisenberg_ring(n, q, _width=0.0) if task == "vqe" else qae_observable(n, q)
    exact = tm.expected_K_frobenius_fourth_task(task, case, n, q=q)
    if n >= 5:  # the symbolic-n expression, evaluated at n
        sym = tm.expected_K_frobenius_fourth_task(task, case, ns, q=q)
        assert sp.simplify(sym.subs(ns, n) - exact) == 0
    num = fm.expected_K_frobenius_fourth_observable(obs, case)
    assert abs(num - float(exact)) < 1e-9 * float(exact)


def test_gamma_values_closed_forms():
    for dA in (2, 3, 4):
        g = fm.gamma_values(dA)
        D2 = dA**2 - 1
        assert g[(1, 0, 3, 2)] == D2**2
        assert g[(2, 3, 0, 1)] == D2 and g[(3, 2, 1, 0)] == D2
        assert g[(1, 2, 3, 0)] == sp.Rational(D2**2, dA)  # G G G' G'
        assert g[(2, 3, 1, 0)] == sp.Rational(-D2, dA)  # G G' G G'
        assert all(v == 0 for p, v in g.items() if any(p[a] == a for a in range(4)))


def test_pure_state_coefficients_are_haar_state_moments():
    """β_σ = 1/(d(d+1)(d+2)(d+3)) for every σ: E[(ψψ†)^{⊗4}] = Σ_σ P_σ / (d(d+1)(d+2)(d+3))."""
    beta = fm.permutation_coefficients((1, 1, 1, 1))
    for p, c in beta.items():
        assert sp.simplify(c - 1 / (d * (d + 1) * (d + 2) * (d + 3))) == 0, p


def test_errors():
    with pytest.raises(ValueError, match="task"):
        tm.expected_K_frobenius_fourth_task("qsl", "v1", 4)
    with pytest.raises(ValueError, match="case"):
        tm.expected_K_frobenius_fourth_task("vqe", "v3", 4)
    with pytest.raises(ValueError, match="n must be >= 3"):
        tm.expected_K_frobenius_fourth_task("vqe", "v1", 2)
    with pytest.raises(ValueError, match="m must be 1"):
        tm.expected_K_frobenius_fourth_task("vqe", "v1", 5, m=2)
    with pytest.raises(TypeError, match="n must be"):
        tm.expected_K_frobenius_fourth_task("vqe", "v1", 4.0)
    with pytest.raises(ValueError, match="max_dense_dim"):
        fm.expected_K_frobenius_fourth_observable(heisenberg_ring(13, 2, _width=0.0), "v2")
    with pytest.raises(ValueError, match="sites_A"):
        fm.expected_K_frobenius_fourth_observable(heisenberg_ring(4, 2, _width=0.0), "v1", sites_A=(7,))
    with pytest.raises(ValueError, match="q"):
        tm.ring_power_traces(5, q=1)


def test_observable_v1_path_needs_only_local_terms():
    """v1 at n = 16 (d = 65536) runs from the A-touching terms only and equals the symbolic value."""
    v = fm.expected_K_frobenius_fourth_observable(heisenberg_ring(16, 2, _width=0.0), "v1")
    assert abs(v - float(tm.expected_K_frobenius_fourth_task("vqe", "v1", 16))) < 1e-9 * v
