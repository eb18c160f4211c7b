"""``weingarten-check delta``: JSON keys, the numbers of the Python entry point, one-line errors (exit 2)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from cli_helpers import run
from qiskit import qasm2

from weingarten_check.experiments.user_circuit import expected_gate_variation_range, gate_variation_range

QASM = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[5];
ry(0.3) q[0];
ry(1.1) q[1];
ry(0.7) q[2];
cx q[0], q[1];
cx q[1], q[2];
rz(0.4) q[2];
cx q[2], q[3];
ry(2.0) q[3];
cx q[3], q[4];
rx(0.9) q[4];
"""
OBS = "1.0*ZZIII + 0.5*XIXII - 0.7*IIZIZ"


@pytest.fixture
def qasm_file(tmp_path):
    f = tmp_path / "c.qasm"
    f.write_text(QASM)
    return f


def test_json_has_exactly_the_documented_keys_and_the_python_numbers(capsys, qasm_file):
    code, out, err = run(
        capsys, "delta", "--qasm", str(qasm_file), "--observable", OBS, "--qubits", "2", "--after", "4", "--json"
    )
    assert code == 0, err
    got = json.loads(out)
    assert set(got) == {"delta", "lower", "upper", "exact", "cost", "method", "qubits"}
    r = gate_variation_range(qasm2.loads(QASM), OBS, (2,), after=4)
    assert got["delta"] == r.delta and got["exact"] is True and got["method"] == "qubit" and got["qubits"] == [2]
    assert got["cost"] == r.cost


def test_gate_and_samples(capsys, qasm_file):
    code, out, err = run(
        capsys, "delta", "--qasm", str(qasm_file), "--observable", OBS, "--qubits", "2,3", "--gate", "6",
        "--samples", "3", "--seed", "2", "--json",
    )  # fmt: skip
    assert code == 0, err
    got = json.loads(out)
    assert set(got) == {
        "delta", "lower", "upper", "exact", "cost", "method", "qubits", "mean", "ci95", "expected_K_frobenius_sq",
        "moments_bound",
    }  # fmt: skip
    assert got["method"] == "certified" and got["lower"] <= got["upper"] and got["qubits"] == [2, 3]
    from weingarten_check.circuits.qiskit_io import free_gate_angles, load_circuit
    from weingarten_check.theory.circuit_moments import circuit_second_moment

    free = free_gate_angles(load_circuit(QASM))
    e = expected_gate_variation_range(free, OBS, (2, 3), gate=6, samples=3, seed=2)
    assert got["mean"] == pytest.approx(e.mean, rel=1e-9) and got["ci95"] == pytest.approx(list(e.ci95), rel=1e-9)
    cm = circuit_second_moment(free, OBS, (2, 3), gate=6)
    assert sp.sympify(got["expected_K_frobenius_sq"]) == cm.value and got["moments_bound"] == cm.bound


def test_samples_say_when_exact_moments_are_not_available(capsys, tmp_path):
    """A u gate (three free angles after free_gate_angles) has no exact moment map: exit 0, the reason in
    the JSON and the text; with only Pauli rotations the text prints the exact value."""
    f = tmp_path / "u.qasm"
    f.write_text(QASM + "u(0.1,0.2,0.3) q[0];\n")
    base = ["delta", "--qasm", str(f), "--observable", OBS, "--qubits", "2", "--after", "4", "--samples", "2"]
    code, out, err = run(capsys, *base, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert "expected_K_frobenius_sq" not in got
    assert got["moments_unsupported"].startswith("instruction 10 (u): a free angle is supported only")
    code, out, err = run(capsys, *base)
    assert code == 0 and "exact E‖K‖²_F not available: instruction 10 (u)" in out, err
    f.write_text(QASM)
    code, out, err = run(capsys, *base)
    assert code == 0 and "exact E‖K‖²_F over the same uniform angles = " in out, err


def test_text_output_and_map(capsys, qasm_file, tmp_path):
    png = tmp_path / "out" / "map.png"
    code, out, err = run(
        capsys,
        "delta",
        "--qasm",
        str(qasm_file),
        "--observable",
        "fidelity",
        "--qubits",
        "0",
        "--after",
        "0",
        "--map",
        str(png),
    )
    assert code == 0, err
    assert "(exact, fidelity)" in out and png.stat().st_size > 1000


@pytest.mark.parametrize(
    "args,option",
    [
        (["--observable", "ZZ", "--qubits", "2", "--after", "4"], "--observable"),
        (["--observable", "ZZIII", "--qubits", "7", "--after", "4"], "--qubits"),
        (["--observable", "ZZIII", "--qubits", "a", "--after", "4"], "--qubits"),
        (["--observable", "ZZIII", "--qubits", "2", "--gate", "4"], "--gate"),
        (["--observable", "ZZIII", "--qubits", "2", "--after", "99"], "--after"),
        (["--observable", "ZZIII", "--qubits", "2"], "--after/--gate"),
        (["--observable", "ZZIII", "--qubits", "2", "--after", "1", "--samples", "1"], "--samples"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(capsys, qasm_file, args, option):
    code, out, err = run(capsys, "delta", "--qasm", str(qasm_file), *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"error: {option}" in err


def test_malformed_qasm_unbound_angle_and_non_hermitian_matrix(capsys, tmp_path, qasm_file):
    bad = tmp_path / "bad.qasm"
    bad.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nrx(theta) q[0];\n')
    code, _, err = run(capsys, "delta", "--qasm", str(bad), "--observable", "ZZ", "--qubits", "1", "--after", "0")
    assert code == 2 and "error: --qasm: malformed OpenQASM 2" in err and "theta" in err
    m = tmp_path / "h.npy"
    np.save(m, np.triu(np.ones((32, 32))))
    code, _, err = run(
        capsys, "delta", "--qasm", str(qasm_file), "--observable", str(m), "--qubits", "1", "--after", "0"
    )
    assert code == 2 and "error: --observable: must be Hermitian" in err
