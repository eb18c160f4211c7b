"""Unit tests of weingarten_check.theory.bounds (the proofs of the bounds live in proofs/)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from weingarten_check.theory import bounds as B


def test_paper_theorem1_values():
    # m = 1: w * 2**(5 - n/2); n = 10 gives exactly w
    assert B.paper_theorem1_bound(1, 10, 1) == 1
    assert B.paper_theorem1_bound(3, 4, 1) == 3 * 2**3
    assert sp.simplify(B.paper_theorem1_bound(1, 5, 1) - 2 ** sp.Rational(5, 2)) == 0


def test_qudit_theorem1_values():
    assert B.qudit_theorem1_bound(1, 4, 1, 2) == sp.Rational(3, 1) / sp.sqrt(17)
    assert B.qudit_theorem1_bound(2, 3, 1, 3) == 2 * 8 / sp.sqrt(28)


def test_route1_bound_qubit_and_qudit():
    assert B.route1_bound(1, 4, 1) == sp.sqrt(6) / sp.sqrt(17)
    # dA >= 3: coincides with the qudit theorem
    assert B.route1_bound(1, 3, 1, 3) == B.qudit_theorem1_bound(1, 3, 1, 3)
    assert B.route1_bound(1, 5, 2, 2) == B.qudit_theorem1_bound(1, 5, 2, 2)


def test_elementwise_bound_value():
    assert B.elementwise_bound(1, 4, 1) == 2 ** sp.Rational(5, 2) / sp.sqrt(17)


def test_ordering_route1_route2_paper():
    for q in (2, 3, 5):
        for n in range(2, 9):
            for m in range(1, n):
                r1 = B.qudit_theorem1_bound(1, n, m, q)
                r2 = B.elementwise_bound(1, n, m, q)
                assert float(r1) < float(r2)
                if q == 2:
                    assert float(r2) < float(B.paper_theorem1_bound(1, n, m))


def test_proposition2():
    assert B.proposition2_bound(10, 1) == sp.Rational(1, 256)
    assert B.proposition2_bound(4, 1, 3) == sp.Rational(1, 9)
    assert B.expected_M_frobenius_sq(4, 1) == sp.Rational(1, 8)


def test_heisenberg_example():
    # Heisenberg ring, qubit A: 6 unit Pauli terms touch A -> coupling 6 d
    n = 6
    d = 2**n
    coupling = B.coupling_from_pauli_coefficients([1] * 6, n)
    assert coupling == 6 * d
    k2 = B.expected_K_frobenius_sq("v1", n, 1, coupling=coupling)
    assert k2 == sp.Rational(18, d + 1)
    assert B.task_dependent_bound("v1", n, 1, coupling=coupling) == 12 / sp.sqrt(d + 1)


def test_expected_K_cases_consistent_with_symbolic_d():
    n, m = sp.symbols("n m", positive=True, integer=True)
    c, h, p, s = sp.symbols("c h p s", positive=True)
    e1 = B.expected_K_frobenius_sq("v1", n, m, 2, coupling=c, purity=p)
    e2 = B.expected_K_frobenius_sq("v2", n, m, 2, state_coupling=s, h_hs_centered=h)
    e3 = B.expected_K_frobenius_sq("both", n, m, 2, purity=p, h_hs_centered=h)
    assert e1.has(c) and e2.has(s) and e3.has(h)
    # "both" = "v1" with E_V2[coupling] = (dA²-1) dB² h / (d²-1)
    dA, dB, d = 2**m, 2 ** (n - m), 2**n
    ec = (dA**2 - 1) * dB**2 * h / (d**2 - 1)
    assert sp.simplify(e3 - e1.subs(c, ec)) == 0


def test_float_physical_inputs_allowed_dimensions_exact():
    v = B.qudit_theorem1_bound(2.5, 4, 1)
    assert abs(float(v) - 2.5 * 3 / np.sqrt(17)) < 1e-12
    assert abs(float(B.qudit_theorem1_bound(np.float64(1.0), 4, 1)) - 3 / np.sqrt(17)) < 1e-12
    assert B.expected_K_frobenius_sq("v1", 4, 1, coupling=Fraction(3, 2)) == sp.Rational(3, 2) * 3 * (
        1 - sp.Rational(1, 16)
    ) / (16**2 - 1)
    with pytest.raises(TypeError, match="n must be exact"):
        B.qudit_theorem1_bound(1, 4.0, 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: B.qudit_theorem1_bound(1, 3, 3), "1 <= m < n"),
        (lambda: B.qudit_theorem1_bound(1, 3, 0), "m must be >= 1"),
        (lambda: B.qudit_theorem1_bound(1, 3, 1, 1), "q must be >= 2"),
        (lambda: B.qudit_theorem1_bound(-1, 3, 1), "w must be"),
        (lambda: B.expected_K_frobenius_sq("v3", 3, 1, coupling=1), "case must be one of"),
        (lambda: B.expected_K_frobenius_sq("v1", 3, 1), "needs the keyword argument coupling"),
        (lambda: B.expected_K_frobenius_sq("v2", 3, 1, state_coupling=1), "h_hs_centered"),
        (lambda: B.expected_K_frobenius_sq("v1", 3, 1, coupling=1, purity=2), "purity"),
        (lambda: B.markov_bound(0, 1), "epsilon must be a real number > 0"),
        (lambda: B.markov_bound(1j, 1), "epsilon must be a real number > 0"),
        (lambda: B.product_state_coupling(1, 2, purity_A=-1), "purity_A"),
        (lambda: B.product_state_coupling(1, 2, purity_A=sp.Rational(1, 3)), "purity_A"),
    ],
)
def test_bad_input_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="n must be"):
        B.paper_theorem1_bound(1, "10", 1)
    with pytest.raises(TypeError, match="coefficients_touching_A"):
        B.coupling_from_pauli_coefficients(["a"], 4)


def test_remark1_helpers():
    assert B.variance_bound(2, sp.Rational(1, 4)) == sp.Rational(1, 2)
    assert B.markov_bound(sp.Rational(1, 2), sp.Rational(1, 8)) == sp.Rational(1, 4)


def test_product_state_coupling():
    assert B.product_state_coupling(1) == sp.Rational(1, 2)
    assert B.product_state_coupling(2, 3) == 1 - sp.Rational(1, 9)


def test_elementwise_bound_cases():
    assert B.elementwise_bound(1, 4, 1, case="both") == B.elementwise_bound(1, 4, 1)
    assert B.elementwise_bound(1, 4, 1, 2, "v2") == 8 / sp.sqrt(17)
    with pytest.raises(ValueError, match="case must be one of"):
        B.elementwise_bound(1, 4, 1, case="x")


def test_proposition2_schmidt_bound():
    assert B.proposition2_schmidt_bound(10, 1, schmidt_rank=1) == sp.Rational(2, 1024)
    assert B.proposition2_schmidt_bound(10, 1, schmidt_rank=5) == B.proposition2_bound(10, 1)
    with pytest.raises(ValueError, match="schmidt_rank must be >= 1"):
        B.proposition2_schmidt_bound(10, 1, schmidt_rank=0)


# ------------------------------------------------------------------------- two-sided bounds (Lemma 11)
def test_delta_frobenius_constants():
    assert B.delta_frobenius_constants(2) == (2, 2 * sp.sqrt(2))
    c, u = B.delta_frobenius_constants(3)
    assert c == 2 / sp.sqrt(8) and u == 3 * sp.sqrt(2)
    dA = sp.Symbol("dA", positive=True)
    assert B.delta_frobenius_constants(dA)[1] == sp.sqrt(2) * dA
    with pytest.raises(ValueError, match="dA"):
        B.delta_frobenius_constants(1)


def test_qudit_theorem1_sharp_bound():
    # dA = 2: the same as Route 1 (r = 2); dA >= 3: smaller than Route 1 by sqrt(2(dA²-1))/dA
    assert B.qudit_theorem1_sharp_bound(1, 6, 1) == B.route1_bound(1, 6, 1)
    for q, n, m in ((3, 4, 1), (2, 6, 2), (5, 3, 1)):
        dA = q**m
        ratio = B.route1_bound(1, n, m, q) / B.qudit_theorem1_sharp_bound(1, n, m, q)
        assert sp.simplify(ratio - sp.sqrt(2 * (dA**2 - 1)) / dA) == 0
        assert ratio > 1
    # existing bounds unchanged
    assert B.route1_bound(1, 4, 1) == sp.sqrt(6) / sp.sqrt(17)
    assert B.route1_bound(1, 3, 1, 3) == B.qudit_theorem1_bound(1, 3, 1, 3)


def test_lower_bound_from_moments():
    # X constant: E X = sqrt(E X²) exactly, lower = c sqrt(second)
    assert B.expected_delta_lower_bound_from_moments(4, 16, 2) == 2 * 2
    assert B.expected_delta_lower_bound_from_moments(4, 16, 3) == 2 / sp.sqrt(8) * 2
    assert B.expected_delta_lower_bound_from_moments(0, 0, 2) == 0
    assert isinstance(B.expected_delta_lower_bound_from_moments(0.5, 0.3, 2), sp.Float)
    with pytest.raises(ValueError, match="E X⁴ >= \\(E X²\\)²"):
        B.expected_delta_lower_bound_from_moments(4, 15, 2)
    with pytest.raises(ValueError, match="second"):
        B.expected_delta_lower_bound_from_moments(-1, 1, 2)
    with pytest.raises(ValueError, match="fourth = 0"):
        B.expected_delta_lower_bound_from_moments(1, 0, 2)


def test_expected_delta_bounds_vqe_v1_symbolic():
    n = sp.Symbol("n", positive=True, integer=True)
    lo = B.expected_delta_lower_bound("vqe", "v1", n)
    up = B.expected_delta_upper_bound("vqe", "v1", n)
    d = 2**n
    assert sp.simplify(up - 12 / sp.sqrt(d + 1)) == 0
    assert sp.simplify(up - B.task_dependent_bound("v1", n, 1, coupling=6 * d)) == 0
    # at n = 10 (d = 1024): 0.2397 <= E[Δ] ≈ 0.33 <= 0.3748
    assert 0.2397 < float(lo.subs(n, 10)) < 0.2398
    assert sp.simplify(lo.subs(n, 10) - B.expected_delta_lower_bound("vqe", "v1", 10)) == 0
    assert sp.limit((lo / up).subs(2**n, sp.Symbol("D")), sp.Symbol("D"), sp.oo) == 1 / sp.sqrt(
        sp.Rational(396, 324) * 2
    )


@pytest.mark.parametrize("task", ["vqe", "qae"])
@pytest.mark.parametrize("case", ["v1", "v2", "both"])
def test_lower_below_upper_and_observable_path(task, case):
    from weingarten_check.states.observables import heisenberg_ring, qae_observable

    for q, n in ((2, 5), (3, 3)):
        lo, up = B.expected_delta_lower_bound(task, case, n, q=q), B.expected_delta_upper_bound(task, case, n, q=q)
        assert 0 < float(lo) < float(up)
        obs = heisenberg_ring(n, q, _width=0.0) if task == "vqe" else qae_observable(n, q)
        assert abs(float(B.expected_delta_lower_bound(obs, case, n)) - float(lo)) < 1e-9 * float(lo)
        assert (
            abs(
                float(B.expected_K_frobenius_fourth(obs, case, n))
                - float(B.expected_K_frobenius_fourth(task, case, n, q=q))
            )
            < 1e-9
        )


def test_two_sided_errors():
    from weingarten_check.states.observables import heisenberg_ring

    with pytest.raises(TypeError, match="task"):
        B.expected_delta_lower_bound(3, "v1", 4)
    with pytest.raises(ValueError, match="case"):
        B.expected_delta_lower_bound("vqe", "x", 4)
    with pytest.raises(ValueError, match="does not match"):
        B.expected_delta_lower_bound(heisenberg_ring(4, 2, _width=0.0), "v1", 5)
