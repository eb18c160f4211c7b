"""Delta: the variation range Δ of a local unitary — its cost objects, exact values and certified brackets.

The floor above states/ and circuits/: for ``U = V2 (UA ⊗ I_B) V1`` and ``C(UA) = tr(H U ρ U†)`` it
turns the cost into its small objects (the cost tensor T, the matrix K of Lemma 3.1, the form M of
Lemma 12.1, the fidelity matrix M of Lemma 7.1) and computes ``Δ = max C - min C`` over ``U(dA)``:
exactly for one qubit (Lemma 3.2) and for fidelity costs (Lemma 7.2), as a certified bracket with an
exactly checked SDP certificate otherwise (Lemma 12 of proofs/DERIVATION.md).  The experiments
(:mod:`weingarten_check.experiments`) build K or M at scale and end in :func:`delta_from_k` or
:func:`variation_range_fidelity`; :func:`variation_range` does the whole computation for your own
dense H, state, V1 and V2.

Modules
-------
* :mod:`.cost` — the cost tensor, K, the form M and the fidelity M; every conversion between them.
* :mod:`.exact` — the exact Δ (qubit, fidelity) and :func:`variation_range` for dense inputs.
* :mod:`.reduction` — K and the fidelity M from reduced density matrices (the experiments' route at scale).
* :mod:`.certified` — :func:`delta_from_k`: Δ from K alone, exact or certified (level 1, level 2, exact 2||K||_*).
* :mod:`.optimiser` — multi-start BFGS over ``U(dA)``: the attained (lower) end of every bracket.
* :mod:`.result` — :class:`VariationRangeResult`, a Δ with its certificate.
* :mod:`.stabilizer` — K of Clifford instances exactly, from Pauli expectations of stabilizer states.
* :mod:`.sdp` — the unital-channel SDP relaxations and their exact rational certificates.

The function :func:`variation_range` is re-exported here under its module's name, so the package
attribute ``weingarten_check.delta.exact`` is the function; the module is reached with
``from weingarten_check.delta.exact import ...`` (or ``importlib.import_module``).

Examples
--------
>>> import numpy as np
>>> from weingarten_check.delta import variation_range
>>> H = np.kron(np.diag([1.0, -1.0]), np.eye(2))  # Z on qubit 0 of 2
>>> r = variation_range(H, np.array([1.0, 0, 0, 0]))
>>> r.method, r.exact, round(r.value, 12)
('qubit', True, 2.0)
"""

from .certified import (
    CLARABEL_MAX_DA,
    LEVEL2_MAX_DA,
    MAX_ABS_K,
    cost_mp,
    delta_from_k,
    nuclear_bound,
    nuclear_certificate,
    qubit_delta,
)
from .cost import (
    adjoint_representation,
    check_cost_tensor,
    check_form,
    check_k,
    cost_constant,
    cost_tensor_dense,
    cost_tensor_pure,
    cost_value,
    form_from_k,
    k_matrix,
    m_matrix,
)
from .exact import qubit_extremal_unitaries, variation_range, variation_range_fidelity, variation_range_qubit
from .optimiser import hermitian_parameter_basis, optimise_form, polar_unitary
from .reduction import k_from_reduced, m_from_states
from .result import VariationRangeResult
from .stabilizer import k_matrix_clifford, pauli_to_library_basis

__all__ = [
    # cost
    "check_k",
    "check_cost_tensor",
    "check_form",
    "cost_tensor_dense",
    "cost_tensor_pure",
    "cost_value",
    "cost_constant",
    "adjoint_representation",
    "k_matrix",
    "form_from_k",
    "m_matrix",
    # exact
    "variation_range_qubit",
    "variation_range_fidelity",
    "variation_range",
    "qubit_extremal_unitaries",
    # certified
    "qubit_delta",
    "nuclear_bound",
    "nuclear_certificate",
    "cost_mp",
    "delta_from_k",
    "CLARABEL_MAX_DA",
    "LEVEL2_MAX_DA",
    "MAX_ABS_K",
    # optimiser
    "optimise_form",
    "polar_unitary",
    "hermitian_parameter_basis",
    # reduction
    "k_from_reduced",
    "m_from_states",
    # result
    "VariationRangeResult",
    # stabilizer
    "k_matrix_clifford",
    "pauli_to_library_basis",
]
