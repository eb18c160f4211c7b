"""Theory: the closed-form bounds and exact moments the experiments are compared with.

This floor turns the calculus below (Weingarten integrals) into statements about the random cost
matrix K of ``proofs/DERIVATION.md``: exact second moments ``E||K||_F²`` (Lemmas 4, 9), the
paper's bounds and their tightened forms (Theorem 1, Proposition 2; Lemmas 5-7), and exact fourth
moments with the two-sided bounds they give (Lemma 11).

Modules
-------
bounds
    Every bound on E[Δ] as an exact sympy expression (symbolic n, m, q allowed).
fourth_moments
    The generic S4 calculus for ``E||K||_F⁴`` under Haar (4-design) V1/V2 (Lemma 11.4).
finite_depth
    Exact E||K||_F² of finite-depth random circuits (brickwork, HEA) and the E[Δ] bound (Lemma 14).
circuit_moments
    Exact E||K||_F² of a user's parameterised Qiskit circuit over uniform angles, and the bound (Lemma 14).
orthogonal
    V1 Haar on O(d) (real-amplitude circuits): exact E||K||_F² and the bound (Lemma 16.4).
task_moments
    The paper's tasks (Heisenberg VQE, QAE) fed into it: exact in a symbolic n (Lemmas 9, 11.4).
asymptotics
    The large-n constants c = lim scale·E[Δ] and the limiting laws of the scaled K (Lemma 15).
"""

from .asymptotics import (
    ASYMPTOTIC_TASKS,
    AsymptoticConstant,
    asymptotic_constant,
    asymptotic_constants,
    limiting_law,
    limiting_variance,
    predicted_mean,
    prediction_z_score,
)
from .bounds import (
    CASES,
    coupling_from_pauli_coefficients,
    delta_frobenius_constants,
    dimensions,
    elementwise_bound,
    expected_delta_lower_bound,
    expected_delta_lower_bound_from_moments,
    expected_delta_upper_bound,
    expected_K_frobenius_fourth,
    expected_K_frobenius_sq,
    expected_M_frobenius_sq,
    markov_bound,
    nuclear_to_frobenius_factor,
    paper_theorem1_bound,
    product_state_coupling,
    proposition2_bound,
    proposition2_schmidt_bound,
    qudit_theorem1_bound,
    qudit_theorem1_sharp_bound,
    route1_bound,
    task_dependent_bound,
    variance_bound,
)
from .circuit_moments import DENSE_MAX_N, MAX_TERMS, CircuitSecondMoment, circuit_second_moment
from .finite_depth import (
    FINITE_DEPTH_TASKS,
    HEA_FLOAT_MAX_N,
    HEA_MAX_N,
    FiniteDepthMoment,
    delta_bound_expr,
    exact_coupling,
    finite_depth_moment,
    finite_depth_points,
    finite_depth_series,
    h_tensor_h,
    layers_to_within,
    ten_n_layers_ratio,
    two_design_value,
)
from .fourth_moments import (
    expected_K_frobenius_fourth_observable,
    fourth_moment_both,
    fourth_moment_v1,
    fourth_moment_v2,
    gamma_values,
    permutation_coefficients,
)
from .orthogonal import (
    expected_K_frobenius_sq_orthogonal,
    expected_K_frobenius_sq_orthogonal_both,
    expected_K_frobenius_sq_orthogonal_v2,
    orthogonal_route1_bound,
    orthogonal_second_moment_coefficient,
    orthogonal_task_dependent_bound,
    orthogonal_to_unitary_ratio,
    transpose_coupling,
    transpose_hs,
    variation_range_real_qubit,
    variation_range_ry,
)
from .task_moments import (
    FOURTH_MOMENT_TASKS,
    expected_K_frobenius_fourth_task,
    expected_K_frobenius_sq_task,
    ring_power_traces,
)

__all__ = [
    "ASYMPTOTIC_TASKS",
    "AsymptoticConstant",
    "asymptotic_constant",
    "asymptotic_constants",
    "limiting_law",
    "limiting_variance",
    "predicted_mean",
    "prediction_z_score",
    "CASES",
    "FOURTH_MOMENT_TASKS",
    "coupling_from_pauli_coefficients",
    "delta_frobenius_constants",
    "dimensions",
    "elementwise_bound",
    "expected_delta_lower_bound",
    "expected_delta_lower_bound_from_moments",
    "expected_delta_upper_bound",
    "expected_K_frobenius_fourth",
    "expected_K_frobenius_fourth_observable",
    "expected_K_frobenius_fourth_task",
    "expected_K_frobenius_sq",
    "expected_K_frobenius_sq_task",
    "expected_M_frobenius_sq",
    "fourth_moment_both",
    "fourth_moment_v1",
    "fourth_moment_v2",
    "gamma_values",
    "markov_bound",
    "nuclear_to_frobenius_factor",
    "paper_theorem1_bound",
    "permutation_coefficients",
    "product_state_coupling",
    "proposition2_bound",
    "proposition2_schmidt_bound",
    "qudit_theorem1_bound",
    "qudit_theorem1_sharp_bound",
    "ring_power_traces",
    "route1_bound",
    "task_dependent_bound",
    "variance_bound",
    "HEA_MAX_N",
    "HEA_FLOAT_MAX_N",
    "delta_bound_expr",
    "FINITE_DEPTH_TASKS",
    "FiniteDepthMoment",
    "finite_depth_moment",
    "finite_depth_series",
    "finite_depth_points",
    "layers_to_within",
    "two_design_value",
    "ten_n_layers_ratio",
    "h_tensor_h",
    "exact_coupling",
    # orthogonal (V1 Haar on O(d): real-amplitude circuits, Lemma 16.4)
    "expected_K_frobenius_sq_orthogonal",
    "expected_K_frobenius_sq_orthogonal_v2",
    "orthogonal_route1_bound",
    "orthogonal_second_moment_coefficient",
    "orthogonal_to_unitary_ratio",
    "transpose_coupling",
    "variation_range_real_qubit",
    "variation_range_ry",
    "expected_K_frobenius_sq_orthogonal_both",
    "orthogonal_task_dependent_bound",
    "transpose_hs",
    # circuit_moments (a user's circuit, Lemma 14)
    "CircuitSecondMoment",
    "circuit_second_moment",
    "DENSE_MAX_N",
    "MAX_TERMS",
]
