"""Observable and state specifications at Qiskit's boundary, and the one qubit-order conversion."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import SparsePauliOp, Statevector

from weingarten_check.states.observable_specs import (
    observable_from_spec,
    parse_pauli_sum,
    qubit_sites,
    state_from_spec,
)


def test_qubit_k_is_site_n_minus_1_minus_k_and_gate_order_reverses():
    assert qubit_sites((0,), 5) == (4,)
    assert qubit_sites((4,), 5) == (0,)
    assert qubit_sites((1, 3), 5) == (1, 3)  # qargs (1, 3): qubit 3 is the more significant factor
    assert qubit_sites((3, 1), 5) == (3, 1)
    assert qubit_sites(2, 5) == (2,)


@pytest.mark.parametrize("bad,exc", [((5,), ValueError), ((1, 1), ValueError), ((), TypeError), ((True,), TypeError)])
def test_qubit_sites_refuses_bad_qubits(bad, exc):
    with pytest.raises(exc, match="qubits"):
        qubit_sites(bad, 5)


def test_pauli_sum_string_equals_qiskits_sparse_pauli_op():
    text = "1.0*ZZIII + 0.5*XIXII - 0.7*IIZIZ + 2e-1*YIIIY"
    ref = SparsePauliOp(["ZZIII", "XIXII", "IIZIZ", "YIIIY"], [1.0, 0.5, -0.7, 0.2]).to_matrix()
    assert np.allclose(observable_from_spec(text).dense(), ref, atol=1e-14)
    assert np.allclose(
        observable_from_spec(SparsePauliOp.from_sparse_list([("Z", [0], 1.0)], 5)).dense(),
        SparsePauliOp("IIIIZ").to_matrix(),
    )
    pairs = [("ZZIII", 1.0), ("XIXII", 0.5)]
    assert np.allclose(observable_from_spec(pairs).dense(), SparsePauliOp.from_list(pairs).to_matrix())


def test_a_dense_matrix_is_the_same_array_in_both_conventions():
    H = SparsePauliOp(["XZI", "IYY"], [0.3, -1.0]).to_matrix()
    assert np.array_equal(observable_from_spec(H, 3), H)


@pytest.mark.parametrize(
    "spec,match",
    [
        ("ZZ + X", "same length"),
        ("1.0*ZQ", "cannot read the term"),
        ("", "expected a Pauli sum"),
        (np.triu(np.ones((4, 4))), "observable must be Hermitian"),
        (np.eye(3), r"2\*\*n x 2\*\*n"),
        ([("ZZ", 1j)], "must be real"),
    ],
)
def test_bad_observables_name_the_argument(spec, match):
    with pytest.raises(ValueError, match=match):
        observable_from_spec(spec)


def test_parse_pauli_sum_reads_signs_and_exponents():
    assert parse_pauli_sum("-ZZ + 1.5e-1*XX -2*IY") == [("ZZ", -1 + 0j), ("XX", 0.15 + 0j), ("IY", -2 + 0j)]


def test_states():
    sv = Statevector.from_label("01")  # qubit 0 is |1>: index 1
    assert np.array_equal(state_from_spec(sv, 2).reshape(-1), sv.data)
    assert state_from_spec(None, 3).reshape(-1)[0] == 1
    with pytest.raises(ValueError, match="length 2\\*\\*n = 8"):
        state_from_spec(np.ones(4) / 2, 3)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_pauli_sum_apply_equals_qiskits_matrix(n):
    """One gather per X-pattern: the phases of X, Y, Z and the bit order agree with Qiskit's matrix."""
    from weingarten_check.states.observable_specs import PauliSum, pauli_sum_from_spec

    rng = np.random.default_rng(n)
    labels = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(7)] + ["Y" * n]
    coefs = rng.normal(size=len(labels))
    ref = SparsePauliOp(labels, coefs).to_matrix()
    psi = rng.normal(size=(3,) + (2,) * n) + 1j * rng.normal(size=(3,) + (2,) * n)
    got = PauliSum(list(zip(labels, coefs))).apply(psi).reshape(3, -1)
    assert np.abs(got - psi.reshape(3, -1) @ ref.T).max() < 1e-12
    spec = SparsePauliOp(labels, coefs)
    assert np.abs(pauli_sum_from_spec(spec).apply(psi).reshape(3, -1) - got).max() < 1e-12
    assert pauli_sum_from_spec(ref) is None
