"""weingarten-check: exact Weingarten calculus and a machine-checked derivation of the vanishing
variation range of a local unitary in a random quantum circuit (Zhang, Zhu, Liu, Wang, AAAI 2024).

The package is built in floors; each imports only from the floors below it::

    cli          the ``weingarten-check`` command (one module per command group)
    reporting    the verify report, Figure 5, the proofs report, strict JSON, tables
    experiments  the run configuration, sampling one instance, estimates, resumable sweeps
    theory       every bound on E[Δ], exact second and fourth moments
    delta        the cost objects T, K, M and Δ: exact closed forms, certified SDP brackets
    circuits     circuit ensembles (hardware-efficient, rotation layers, random Cliffords)
    states       state vectors, observables, exact Haar sampling, reduced matrices, bases
    calculus     the symmetric group, unitary Weingarten functions and Haar integrals
    util         argument checks and BLAS thread pinning

The names below are the entry points a user needs most, re-exported from their floors; every
subpackage re-exports its own public names (``weingarten_check.delta.__all__``, ...).  The math each
function implements is stated, with its proof, in ``proofs/DERIVATION.md``.  Subpackages are imported
on first use, so ``import weingarten_check`` stays cheap.

Your own circuit: ``gate_variation_range(circuit, observable, qubits, after=K)`` (or ``gate=I``) gives Δ
of one gate of a Qiskit ``QuantumCircuit`` or OpenQASM 2 circuit, ``expected_gate_variation_range`` its
mean over random parameters, ``gate_landscape`` Δ at every qubit and layer; qubits are numbered as in
Qiskit (in a Pauli label the rightmost character is qubit 0).

Examples
--------
>>> import sympy as sp
>>> from weingarten_check import weingarten_unitary, qudit_theorem1_bound
>>> weingarten_unitary((1, 1), sp.Symbol("d"))
1/((d - 1)*(d + 1))
>>> qudit_theorem1_bound(1, 10, 1)   # w (q^2m - 1)/sqrt(q^n + 1), one qubit of ten
3*sqrt(41)/205
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> the subpackage that defines it (each name is in that subpackage's ``__all__``)
_EXPORTS: dict[str, str] = {
    # calculus: the Weingarten engine
    "weingarten_unitary": "calculus",
    "weingarten": "calculus",
    "weingarten_class": "calculus",
    "weingarten_all_classes": "calculus",
    "weingarten_matrix": "calculus",
    "gram_matrix": "calculus",
    "haar_integral": "calculus",
    "trace_moment": "calculus",
    "trace_moment_numeric": "calculus",
    "twirl": "calculus",
    "WorkLimitError": "calculus",
    # states: what a circuit acts on and what it measures
    "Observable": "states",
    "heisenberg_ring": "states",
    "qae_observable": "states",
    "qsl_observable": "states",
    "haar_unitary": "states",
    "haar_isometry": "states",
    "haar_state": "states",
    "gell_mann": "states",
    "orthonormal_traceless_basis": "states",
    # circuits
    "Circuit": "circuits",
    "sample_circuit": "circuits",
    "hea_circuit": "circuits",
    "random_clifford": "circuits",
    "frame_potential": "circuits",
    # delta: the variation range of a user's own instance
    "variation_range": "delta",
    "variation_range_qubit": "delta",
    "variation_range_fidelity": "delta",
    "delta_from_k": "delta",
    "k_matrix": "delta",
    "m_matrix": "delta",
    "VariationRangeResult": "delta",
    # theory: the bounds
    "paper_theorem1_bound": "theory",
    "qudit_theorem1_bound": "theory",
    "qudit_theorem1_sharp_bound": "theory",
    "elementwise_bound": "theory",
    "proposition2_bound": "theory",
    "task_dependent_bound": "theory",
    "expected_K_frobenius_sq": "theory",
    "expected_K_frobenius_fourth": "theory",
    "expected_delta_lower_bound": "theory",
    "expected_delta_upper_bound": "theory",
    "finite_depth_moment": "theory",
    "AsymptoticConstant": "theory",
    "asymptotic_constant": "theory",
    "asymptotic_constants": "theory",
    # experiments
    "TASKS": "experiments",
    "CASES": "experiments",
    "ENSEMBLES": "experiments",
    "RunConfig": "experiments",
    "estimate_variation_range": "experiments",
    "VariationRangeEstimate": "experiments",
    "SweepSpec": "experiments",
    "run_sweep": "experiments",
    "read_results": "experiments",
    "summarize": "experiments",
    "fit_log_slope_se": "experiments",
    "gate_variation_range": "experiments",
    "GateVariationRange": "experiments",
    "expected_gate_variation_range": "experiments",
    "gate_landscape": "experiments",
    "circuit_second_moment": "theory",
    # reporting
    "run_verify": "reporting",
    "run_proofs": "reporting",
    "figure5_from_results": "reporting",
    "weingarten_orthogonal": "calculus",
    "weingarten_symplectic": "calculus",
    "weingarten_group": "calculus",
    "haar_integral_orthogonal": "calculus",
    "haar_integral_symplectic": "calculus",
    "trace_moment_orthogonal": "calculus",
    "twirl_orthogonal": "calculus",
    "haar_orthogonal": "states",
    "haar_symplectic": "states",
    "haar_real_state": "states",
    "expected_K_frobenius_sq_orthogonal": "theory",
    "orthogonal_route1_bound": "theory",
    "orthogonal_task_dependent_bound": "theory",
    "real_hea_circuit": "circuits",
    "brickwork_circuit": "circuits",
    "estimate_k_frobenius_sq": "experiments",
}

__all__ = [
    "weingarten_unitary",
    "weingarten",
    "weingarten_class",
    "weingarten_all_classes",
    "weingarten_matrix",
    "gram_matrix",
    "haar_integral",
    "trace_moment",
    "trace_moment_numeric",
    "twirl",
    "WorkLimitError",
    "Observable",
    "heisenberg_ring",
    "qae_observable",
    "qsl_observable",
    "haar_unitary",
    "haar_isometry",
    "haar_state",
    "gell_mann",
    "orthonormal_traceless_basis",
    "Circuit",
    "sample_circuit",
    "hea_circuit",
    "random_clifford",
    "frame_potential",
    "variation_range",
    "variation_range_qubit",
    "variation_range_fidelity",
    "delta_from_k",
    "k_matrix",
    "m_matrix",
    "VariationRangeResult",
    "paper_theorem1_bound",
    "qudit_theorem1_bound",
    "qudit_theorem1_sharp_bound",
    "elementwise_bound",
    "proposition2_bound",
    "task_dependent_bound",
    "expected_K_frobenius_sq",
    "expected_K_frobenius_fourth",
    "expected_delta_lower_bound",
    "expected_delta_upper_bound",
    "finite_depth_moment",
    "AsymptoticConstant",
    "asymptotic_constant",
    "asymptotic_constants",
    "TASKS",
    "CASES",
    "ENSEMBLES",
    "RunConfig",
    "estimate_variation_range",
    "VariationRangeEstimate",
    "SweepSpec",
    "run_sweep",
    "read_results",
    "summarize",
    "fit_log_slope_se",
    "gate_variation_range",
    "GateVariationRange",
    "expected_gate_variation_range",
    "gate_landscape",
    "circuit_second_moment",
    "run_verify",
    "run_proofs",
    "figure5_from_results",
    "weingarten_orthogonal",
    "weingarten_symplectic",
    "weingarten_group",
    "haar_integral_orthogonal",
    "haar_integral_symplectic",
    "trace_moment_orthogonal",
    "twirl_orthogonal",
    "haar_orthogonal",
    "haar_symplectic",
    "haar_real_state",
    "expected_K_frobenius_sq_orthogonal",
    "orthogonal_route1_bound",
    "orthogonal_task_dependent_bound",
    "real_hea_circuit",
    "brickwork_circuit",
    "estimate_k_frobenius_sq",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its subpackage on first use (PEP 562)."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names too, so that ``help(weingarten_check)`` and tab completion list them."""
    return sorted(set(globals()) | set(__all__))
