"""Qiskit circuits and OpenQASM 2 as gate lists: simulation agrees with Qiskit's Statevector."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import EfficientSU2, efficient_su2
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Statevector

from weingarten_check.circuits.qiskit_io import (
    circuit_operations,
    free_gate_angles,
    fuse_operations,
    layer_boundaries,
    load_circuit,
    simulate,
)
from weingarten_check.states.statevector import zero_state


@pytest.mark.parametrize("seed", range(4))
def test_simulation_equals_qiskit_statevector(seed):
    qc = random_circuit(5, 6, max_operands=3, seed=seed)
    ops = circuit_operations(load_circuit(qc))
    ref = Statevector(qc).data
    assert np.allclose(simulate(zero_state(5), ops, 5).reshape(-1), ref, atol=1e-12)
    fused = fuse_operations(ops)
    assert np.allclose(simulate(zero_state(5), fused, 5).reshape(-1), ref, atol=1e-12)
    # adjoint undoes it
    back = simulate(simulate(zero_state(5), ops, 5), ops, 5, adjoint=True)
    assert np.allclose(back.reshape(-1), zero_state(5).reshape(-1), atol=1e-12)


def test_fusion_reduces_the_passes_of_a_hardware_efficient_circuit():
    qc = efficient_su2(6, reps=3).assign_parameters(np.linspace(0, 3, 48))
    ops = circuit_operations(load_circuit(qc))
    fused = fuse_operations(ops)
    assert len(fused) < len(ops) / 2
    assert np.allclose(simulate(zero_state(6), fused, 6).reshape(-1), Statevector(qc).data, atol=1e-12)


def test_qasm_text_and_file(tmp_path):
    text = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\nh q[0];\ncx q[0], q[2];\nrz(0.3) q[1];\n'
    f = tmp_path / "c.qasm"
    f.write_text(text)
    for src in (text, str(f), f):
        qc = load_circuit(src)
        assert np.allclose(simulate(zero_state(3), circuit_operations(qc), 3).reshape(-1), Statevector(qc).data)
    with pytest.raises(ValueError, match="circuit: malformed OpenQASM 2"):
        load_circuit(text.replace("h q[0]", "hh q[0]"))
    with pytest.raises(ValueError, match="no such OpenQASM file"):
        load_circuit(str(tmp_path / "missing.qasm"))


def test_blueprint_circuits_are_expanded_and_parameters_bound():
    with pytest.warns(DeprecationWarning):
        qc = EfficientSU2(3, reps=1)
    bound = load_circuit(qc, np.zeros(qc.num_parameters))
    assert all(ins.operation.num_qubits <= 3 for ins in bound.data) and len(bound.data) > 1
    with pytest.raises(ValueError, match="the circuit has 12 parameters, got 2"):
        load_circuit(qc, [0.0, 1.0])


def test_measurements_are_refused():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with pytest.raises(ValueError, match=r"instruction 1 \(measure\) is not unitary"):
        circuit_operations(qc)


def test_layer_boundaries_without_barriers_follow_depth():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.h(1)
    qc.cx(0, 1)
    qc.h(2)
    # depth 1: h0, h1 and h2 (index 3), so layer 1 ends only after index 3, which also passes the cx
    assert layer_boundaries(qc) == [0, 4]
    qc2 = QuantumCircuit(2)
    qc2.h(0)
    qc2.h(1)
    qc2.cx(0, 1)
    qc2.h(1)
    assert layer_boundaries(qc2) == [0, 2, 3, 4]


def test_free_gate_angles_makes_every_angle_a_parameter():
    qc = load_circuit('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; rx(0.1) q[0]; cx q[0], q[1]; u(1,2,3) q[1];')
    free = free_gate_angles(qc)
    assert free.num_parameters == 4
    back = free.assign_parameters([0.1, 1, 2, 3])
    assert np.allclose(Statevector(back).data, Statevector(qc).data)
