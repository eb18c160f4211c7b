"""A user's Qiskit circuit as exact per-gate moment maps (circuits.qiskit_moments)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import UnitaryGate, get_standard_gate_name_mapping

from weingarten_check.circuits.qiskit_moments import (
    EXACT_GATES,
    FREE_ROTATIONS,
    MomentsUnsupported,
    exact_gate_matrix,
    qiskit_moment_gates,
)
from weingarten_check.circuits.second_moments import FIXED_GATES, DenseTwoCopy
from weingarten_check.states.bases import PAULI


@pytest.mark.parametrize("name", sorted(EXACT_GATES))
def test_exact_table_equals_qiskit_matrices(name):
    """Every exact matrix equals Qiskit's own float matrix, at angles k·π/4 (k random) and π/3."""
    gate = get_standard_gate_name_mapping()[name]
    k = len(gate.params)
    rng = np.random.default_rng(len(name))
    for trial in range(3 if k else 1):
        angles = [math.pi / 4 * int(rng.integers(0, 8)) for _ in range(k)]
        if trial == 2:
            angles = [math.pi / 3] * k
        qgate = gate.base_class(*angles) if k else gate
        exact = np.array(exact_gate_matrix(name, angles).evalf(), dtype=complex)
        assert np.allclose(exact, qgate.to_matrix(), atol=1e-13), (name, angles)


def _pauli_pair_matrix(U: np.ndarray) -> np.ndarray:
    """(U⊗U) conjugation in Pauli-pair coordinates (16^k), labels 4μ + ν per site, as the library orders them."""
    k = int(round(math.log2(U.shape[0])))
    strings = []
    for idx in itertools.product(range(4), repeat=k):
        m = np.eye(1)
        for i in idx:
            m = np.kron(m, PAULI["IXYZ"[i]])
        strings.append(m)
    R = np.array([[np.trace(P @ U @ Q @ U.conj().T).real / 2**k for Q in strings] for P in strings])
    RR = np.kron(R, R)  # index (P, Q) -> per-site interleaving (μ_1 ν_1, μ_2 ν_2, ...)
    perm = []
    for labs in itertools.product(range(16), repeat=k):
        P = sum((lab // 4) * 4 ** (k - 1 - i) for i, lab in enumerate(labs))
        Q = sum((lab % 4) * 4 ** (k - 1 - i) for i, lab in enumerate(labs))
        perm.append(P * 4**k + Q)
    return RR[np.ix_(perm, perm)]


def _library_map(qc: QuantumCircuit) -> np.ndarray:
    """The moment map of the circuit's one instruction as a dense matrix (DenseTwoCopy on unit vectors)."""
    ((_, g),) = qiskit_moment_gates(qc)
    n = qc.num_qubits
    cols = []
    for j in range(16**n):
        X = DenseTwoCopy(n)
        X.a.reshape(-1)[j] = 1
        X.apply_gate(g, dagger=False)  # entries (a + b√2)/den
        b = X.b.reshape(-1) if X.b is not None else np.zeros(16**n, dtype=int)
        cols.append(np.array([float(v) + math.sqrt(2) * float(w) for v, w in zip(X.a.reshape(-1), b)]) / X.den)
    return np.array(cols).T


@pytest.mark.parametrize("name", sorted(FREE_ROTATIONS))
def test_free_rotation_map_is_the_uniform_average_of_qiskits_gate(name):
    """The moment map of a free-angle gate equals the average of Qiskit's own gate over 8 equispaced
    angles (exact for trigonometric polynomials of degree < 8 in θ; the two-copy map has degree 2):
    the 4-angle rule with R_P(θ) = exp(-iθP/2) is Qiskit's convention, and the qubit order of the
    two-qubit Pauli strings is right (rzx is not symmetric)."""
    gate = get_standard_gate_name_mapping()[name]
    qc = QuantumCircuit(gate.num_qubits)
    qc.append(gate.base_class(Parameter("t")), range(gate.num_qubits))
    lib = _library_map(qc)
    avg = np.mean([_pauli_pair_matrix(gate.base_class(t).to_matrix()) for t in np.arange(8) * 2 * np.pi / 8], axis=0)
    assert np.allclose(lib, avg, atol=1e-12)
    # not the identity and not the Haar twirl: the test would see a wrong axis
    assert not np.allclose(avg, np.eye(len(avg)), atol=1e-3)


@pytest.mark.parametrize(("name", "angles"), [("h", []), ("cx", []), ("t", []), ("rzx", [math.pi / 4]), ("sx", [])])
def test_fixed_gate_map_is_qiskits_gate(name, angles):
    """A fixed gate's map is (U⊗U) conjugation by Qiskit's matrix on the library's sites."""
    gate = get_standard_gate_name_mapping()[name]
    g = gate.base_class(*angles) if angles else gate
    qc = QuantumCircuit(g.num_qubits)
    qc.append(g, range(g.num_qubits))
    assert np.allclose(_library_map(qc), _pauli_pair_matrix(g.to_matrix()), atol=1e-12)


def test_sites_follow_qubit_sites():
    qc = QuantumCircuit(4)
    qc.cx(0, 3)
    qc.rzz(Parameter("a"), 2, 1)
    qc.barrier()
    qc.h(1)
    out = qiskit_moment_gates(qc)
    assert [(i, g.sites) for i, g in out] == [(0, (0, 3)), (1, (2, 1)), (3, (2,))]
    assert [(i, g.sites) for i, g in qiskit_moment_gates(qc, skip=[0])] == [(1, (2, 1)), (3, (2,))]


def test_refusals_name_the_instruction():
    a, b = Parameter("a"), Parameter("b")
    cases = [
        (lambda qc: (qc.rx(a, 0), qc.rz(a, 1)), r"parameter a is shared by instructions 0 \(rx\) and 1 \(rz\)"),
        (lambda qc: (qc.h(0), qc.ry(a + 1, 1)), r"instruction 1 \(ry\): its angle (a \+ 1|1 \+ a) is an expression"),
        (lambda qc: (qc.crz(a, 0, 1),), r"instruction 0 \(crz\): a free angle is supported only"),
        (lambda qc: (qc.u(a, b, 0.0, 0),), r"instruction 0 \(u\): a free angle is supported only"),
        (lambda qc: (qc.rx(1.0, 0),), r"instruction 0 \(rx\): the angle 1.0 is not a rational multiple of pi"),
        (lambda qc: (qc.ry(math.pi / 3, 0),), r"instruction 0 \(ry\): its Pauli transfer matrix .* not in Q"),
        (lambda qc: (qc.append(UnitaryGate(np.eye(2)), [0]),), r"instruction 0 \(unitary\): gate 'unitary' has no"),
    ]
    for build, msg in cases:
        qc = QuantumCircuit(2)
        build(qc)
        with pytest.raises(MomentsUnsupported, match=msg):
            qiskit_moment_gates(qc)
    m = QuantumCircuit(2, 1)
    m.measure(0, 0)
    with pytest.raises(MomentsUnsupported, match=r"instruction 0 \(measure\) is not unitary"):
        qiskit_moment_gates(m)


def test_fixed_gates_are_registered_once_by_exact_angle():
    qc = QuantumCircuit(1)
    qc.rz(math.pi / 4, 0)
    qc.rz(math.pi / 4 + 1e-14, 0)  # the same exact angle
    ((_, g1), (_, g2)) = qiskit_moment_gates(qc)
    assert g1.spec == g2.spec == "rz(pi/4)" and "rz(pi/4)" in FIXED_GATES
