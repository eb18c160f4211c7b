"""Random circuits V1, V2 around the local unitary: the paper's ensembles and random Cliffords.

The floor above states/: the circuit ensembles of the paper's experiments (hardware-efficient
2-design surrogate, single-site 1-design layers) as lists of local operations applied to state
vectors without forming ``q^n × q^n`` matrices, uniformly random n-qubit Clifford unitaries (an
exact 3-design that is not Haar, Lemma 13 of ``proofs/DERIVATION.md``), and the frame potential
that measures how close an ensemble is to a t-design (Lemma 1.4).

Modules
-------
* :mod:`.ensembles` — :class:`Circuit`, Pauli rotations, the CZ chain, the hea/local1/haar_layer/brickwork ensembles.
* :mod:`.clifford` — random Clifford tableaus (qiskit's seeded sampler) turned into states, circuits, unitaries.
* :mod:`.designs` — the Monte-Carlo frame potential of any sampler or named ensemble.
* :mod:`.second_moments` — exact two-copy moment maps of gates and their propagation (Lemma 14).
* :mod:`.qiskit_io` — a user's Qiskit circuit or OpenQASM 2 as gate lists (Qiskit's qubit order converted once).
* :mod:`.qiskit_moments` — a user's parameterised Qiskit circuit as exact per-gate moment maps (Lemma 14).

Examples
--------
>>> from weingarten_check.circuits import frame_potential
>>> frame_potential("hea", 2, samples=2, rng=0, layers=0)   # one fixed unitary: F2 = d^4
(256.0, 0.0)
"""

from .clifford import (
    MAX_UNITARY_QUBITS,
    CliffordUnitary,
    check_qubits,
    random_clifford,
    random_clifford_tableau,
    snap_clifford_entries,
    stim_gate_matrix,
    tableau_from_qiskit,
)
from .designs import FRAME_POTENTIAL_ENSEMBLES, MAX_CLIFFORD_QUBITS, frame_potential, frame_potential_from_sampler
from .ensembles import (
    FINITE_DEPTH_ENSEMBLES,
    Circuit,
    brickwork_circuit,
    brickwork_pairs,
    cz_chain_diagonal,
    default_layers,
    haar_layer_circuit,
    hea_circuit,
    local1_circuit,
    pauli_rotation,
    real_hea_circuit,
    ry,
    rz,
    sample_circuit,
)
from .qiskit_io import (
    MAX_BLOCK_QUBITS,
    Operation,
    circuit_operations,
    fuse_operations,
    layer_boundaries,
    load_circuit,
    simulate,
)
from .qiskit_moments import EXACT_GATES, FREE_ROTATIONS, MomentsUnsupported, exact_gate_matrix, qiskit_moment_gates
from .second_moments import (
    FIXED_GATES,
    PAULI_PAIR,
    SWAP,
    UNIT_BASE,
    ZERO_ID,
    DenseTwoCopy,
    FloatTwoCopy,
    MomentGate,
    QSqrt2,
    apply_projection_A,
    brickwork_layers,
    fixed_gate_ptm,
    haar_twirl_coefficients,
    hea_layers,
    label_traces,
    local1_layers,
    n_labels,
    pair_with_product_state,
    product_state_functional,
    propagate,
    register_fixed_gate,
    rotation_moment_matrix,
    unit_pair_label,
    zero_state_functional,
)

__all__ = [
    # ensembles
    "Circuit",
    "ry",
    "rz",
    "pauli_rotation",
    "cz_chain_diagonal",
    "hea_circuit",
    "local1_circuit",
    "haar_layer_circuit",
    "brickwork_pairs",
    "brickwork_circuit",
    "FINITE_DEPTH_ENSEMBLES",
    "default_layers",
    "sample_circuit",
    "real_hea_circuit",
    # clifford
    "random_clifford_tableau",
    "tableau_from_qiskit",
    "random_clifford",
    "CliffordUnitary",
    "snap_clifford_entries",
    "stim_gate_matrix",
    "MAX_UNITARY_QUBITS",
    "check_qubits",
    # designs
    "FRAME_POTENTIAL_ENSEMBLES",
    "MAX_CLIFFORD_QUBITS",
    "frame_potential_from_sampler",
    "frame_potential",
    # second_moments
    "QSqrt2",
    "PAULI_PAIR",
    "SWAP",
    "ZERO_ID",
    "FIXED_GATES",
    "fixed_gate_ptm",
    "MomentGate",
    "haar_twirl_coefficients",
    "rotation_moment_matrix",
    "label_traces",
    "product_state_functional",
    "propagate",
    "pair_with_product_state",
    "apply_projection_A",
    "DenseTwoCopy",
    "FloatTwoCopy",
    "brickwork_layers",
    "hea_layers",
    "local1_layers",
    "UNIT_BASE",
    "unit_pair_label",
    "n_labels",
    "zero_state_functional",
    # qiskit_io
    "Operation",
    "load_circuit",
    "circuit_operations",
    "layer_boundaries",
    "fuse_operations",
    "simulate",
    "MAX_BLOCK_QUBITS",
    # second_moments / qiskit_moments: a user's circuit as exact moment maps
    "register_fixed_gate",
    "MomentsUnsupported",
    "EXACT_GATES",
    "FREE_ROTATIONS",
    "exact_gate_matrix",
    "qiskit_moment_gates",
]
