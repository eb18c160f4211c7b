"""Exact E||K||_F² of a user's parameterised circuit (theory.circuit_moments)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import efficient_su2, real_amplitudes
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from weingarten_check.circuits.qiskit_io import load_circuit
from weingarten_check.circuits.qiskit_moments import MomentsUnsupported
from weingarten_check.delta.cost import cost_tensor_dense, k_matrix
from weingarten_check.states.observable_specs import qubit_sites
from weingarten_check.theory.bounds import delta_frobenius_constants
from weingarten_check.theory.circuit_moments import circuit_second_moment
from weingarten_check.theory.finite_depth import finite_depth_moment


# ------------------------------------------------------------------------------------ the library's ensembles
def real_hea_qiskit(n: int, L: int, name: str = "t") -> QuantumCircuit:
    """real_hea_circuit as a Qiskit circuit: library site s is Qiskit qubit n - 1 - s (qubit_sites)."""
    qc = QuantumCircuit(n)
    th = ParameterVector(name, n * L)
    k = 0

    def q(s):
        return n - 1 - s

    for s in range(n):
        qc.ry(math.pi / 4, q(s))
    for _ in range(L):
        for s in range(n):
            qc.ry(th[k], q(s))
            k += 1
        for i in range(0, n - 1, 2):
            qc.cz(q(i), q(i + 1))
        for i in range(1, n - 1, 2):
            qc.cz(q(i), q(i + 1))
    return qc


def task_observable(task: str, n: int) -> list[tuple[str, float]]:
    """The finite-depth tasks' H in Qiskit labels: label character j is site j (qubit n - 1 - j)."""
    if task == "qae":  # I - |0><0|_R ⊗ I, R = site 0: traceless part -Z_0/2
        return [("Z" + "I" * (n - 1), -0.5)]
    out = []
    for p in "XYZ":
        for i in range(n):
            out.append(("".join(p if k in (i, (i + 1) % n) else "I" for k in range(n)), 1.0))
    return out


def _check_real_hea(n, L, task, site):
    qc = real_hea_qiskit(n, L)
    H = task_observable(task, n)
    v1 = circuit_second_moment(qc, H, qubits=n - 1 - site, after=len(qc.data))  # V1 = circuit, V2 = I
    v2 = circuit_second_moment(qc, H, qubits=n - 1 - site, after=0)  # V1 = I, V2 = circuit
    assert v1.value == finite_depth_moment(task, "v1", "real-hea", n, L, site=site).value
    assert v2.value == finite_depth_moment(task, "v2", "real-hea", n, L, site=site).value
    return v1.value, v2.value


@pytest.mark.parametrize("n,L", [(3, 1), (4, 2)])
def test_real_hea_as_a_qiskit_circuit_equals_finite_depth(n, L):
    """The real-amplitude HEA written in Qiskit (ry + CZ chain) has the exact E||K||_F² of
    finite_depth_moment(..., "real-hea") — v1 and v2, QAE (not reflection symmetric: R = site 0) and VQE.
    The QAE values at sites 1 and n - 2 differ where they are non-zero, so a wrong qubit order fails."""
    seen = {}
    for task, sites in (("qae", (0, 1, n - 2, n - 1)), ("vqe", (1,))):
        for site in sorted(set(sites)):
            seen[(task, site)] = _check_real_hea(n, L, task, site)
    # the comparison pins the order: QAE sees R = site 0 and not site n - 1
    assert seen[("qae", 0)] != seen[("qae", n - 1)]


@pytest.mark.slow
@pytest.mark.parametrize("n,L", [(3, 1), (3, 2), (4, 1), (4, 2), (5, 1)])
def test_real_hea_all_sites_and_tasks(n, L):
    for task in ("qae", "vqe"):
        for site in range(n):
            _check_real_hea(n, L, task, site)


def test_real_hea_both_sides_random():
    """V1 and V2 independent real-HEA circuits (case "both"): the free gate between two parameter sets."""
    n, L = 3, 1
    qc = real_hea_qiskit(n, L, "a").compose(real_hea_qiskit(n, L, "b"))
    for task in ("qae", "vqe"):
        r = circuit_second_moment(qc, task_observable(task, n), qubits=n - 1, after=len(qc.data) // 2)
        assert r.value == finite_depth_moment(task, "both", "real-hea", n, L, site=0).value
        assert r.free_parameters == 2 * n * L


# ------------------------------------------------------------------------------------ Monte Carlo
def k_frobenius_sq(qc, H: SparsePauliOp, qubits, after: int, skip: int = 0) -> float:
    """||K||_F² of one bound circuit: Qiskit simulates V1|0> and V2; the library's cost tensor gives K."""
    n = qc.num_qubits
    V1, V2 = QuantumCircuit(n), QuantumCircuit(n)
    for i, ins in enumerate(qc.data):
        if i < after:
            V1.append(ins)
        elif i >= after + skip:
            V2.append(ins)
    psi = Statevector(V1).data
    U2 = Operator(V2).data
    H2 = U2.conj().T @ H.to_matrix() @ U2
    K = k_matrix(cost_tensor_dense(H2, np.outer(psi, psi.conj()), qubit_sites(qubits, n), n))
    return float(np.sum(np.abs(K) ** 2))


def random_circuit(n: int, depth: int, seed: int) -> QuantumCircuit:
    """rx/ry/rz with free parameters, h, cx and cz on random qubits."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    k = 0
    for _ in range(depth):
        for q in range(n):
            g = rng.choice(["rx", "ry", "rz", "h"])
            if g == "h":
                qc.h(q)
            else:
                getattr(qc, g)(Parameter(f"p{k}"), q)
                k += 1
        a, b = rng.choice(n, size=2, replace=False)
        (qc.cx if rng.random() < 0.5 else qc.cz)(int(a), int(b))
    return qc


MC_CASES = {
    # name: (circuit, observable, qubits, after or None, gate or None)
    "real_amplitudes_n3_one": (real_amplitudes(3, reps=2), SparsePauliOp(["ZZI", "IXX"], [1.0, 0.5]), (1,), 5, None),
    "efficient_su2_n4_two": (
        efficient_su2(4, reps=1, su2_gates=["rx", "rz"], entanglement="linear"),
        SparsePauliOp(["ZIIZ", "IYYI", "XIII"], [1.0, -0.7, 0.4]),
        (0, 2),
        8,
        None,
    ),
    "random_n5_one": (
        random_circuit(5, 3, 10),
        SparsePauliOp(["ZZIII", "IIXIX", "IIIZI"], [1.0, 0.5, -0.7]),
        (2,),
        9,
        None,
    ),
    "random_n4_gate": (random_circuit(4, 3, 4), SparsePauliOp(["ZIZI", "IXIX"], [1.0, 1.0]), None, None, "first-1q"),
}


def _case(name):
    qc, H, qubits, after, gate = MC_CASES[name]
    qc = load_circuit(qc, bind=False)
    if gate == "first-1q":  # free the first one-qubit instruction after the first third
        gate = next(i for i, ins in enumerate(qc.data) if i >= len(qc.data) // 3 and len(ins.qubits) == 1)
        qubits = (qc.find_bit(qc.data[gate].qubits[0]).index,)
    return qc, H, qubits, after, gate


def monte_carlo_z(name: str, N: int, seed: int = 20261205) -> tuple[float, float, float]:
    """(z, relative standard error, exact value) of the mean of ||K||_F² over N seeded uniform draws."""
    qc, H, qubits, after, gate = _case(name)
    exact = circuit_second_moment(qc, H, qubits=qubits, after=after, gate=gate)
    rng = np.random.default_rng(seed)
    vals = np.empty(N)
    skip = 0 if gate is None else 1
    pos = after if gate is None else gate
    for t in range(N):
        bound = qc.assign_parameters(rng.uniform(0, 2 * np.pi, qc.num_parameters))
        vals[t] = k_frobenius_sq(bound, H, qubits, pos, skip)
    se = vals.std(ddof=1) / math.sqrt(N)
    return (vals.mean() - float(exact.value)) / se, se / float(exact.value), float(exact.value)


@pytest.mark.parametrize("name", sorted(MC_CASES))
def test_exact_second_moment_matches_monte_carlo(name):
    """Mean of ||K||_F² over 400 seeded uniform parameter draws (library K from Qiskit's simulation)
    within 3 standard errors of the exact value; the standard error is below 8 % of the value, so an
    exact value off by 25 % would fail."""
    z, rel, _ = monte_carlo_z(name, 400)
    assert abs(z) <= 3 and rel < 0.08, (name, z, rel)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MC_CASES))
def test_exact_second_moment_matches_long_monte_carlo(name):
    """4000 draws: the standard error is below 2.5 % of the value (an 8 % error would fail)."""
    z, rel, _ = monte_carlo_z(name, 4000, seed=7)
    assert abs(z) <= 3 and rel < 0.025, (name, z, rel)


# ------------------------------------------------------------------------------------ the assembly
def test_dense_path_equals_sparse_path():
    """max_terms=1 moves the operator to the dense array at once (gates on non-adjacent qubits, A of two
    non-adjacent qubits); the same exact value as the sparse path."""
    qc = load_circuit(efficient_su2(4, reps=2, su2_gates=["rx", "ry"], entanglement="full"), bind=False)
    H = SparsePauliOp(["ZIIZ", "XXII", "IYIY"], [1.0, 0.5, -0.3])
    sparse = circuit_second_moment(qc, H, qubits=(3, 0), after=10)
    dense = circuit_second_moment(qc, H, qubits=(3, 0), after=10, max_terms=1)
    assert (sparse.method, dense.method) == ("sparse", "dense")
    assert sparse.value == dense.value and sparse.value > 0


def test_product_input_state_equals_preparation_gates():
    """A product of Pauli eigenstates as input equals |0…0> with the preparing Clifford gates prepended."""
    base = load_circuit(real_amplitudes(3, reps=1), bind=False)
    H = SparsePauliOp(["ZXI", "IYZ"], [1.0, 0.5])
    label = "+1r"  # Qiskit label: qubit 2 |+>, qubit 1 |1>, qubit 0 |+i>
    prep = QuantumCircuit(3)
    prep.h(2)
    prep.x(1)
    prep.h(0)
    prep.s(0)
    with_state = circuit_second_moment(base, H, qubits=1, after=3, state=Statevector.from_label(label))
    prepared = circuit_second_moment(prep.compose(base), H, qubits=1, after=3 + len(prep.data))
    plain = circuit_second_moment(base, H, qubits=1, after=3)
    assert with_state.value == prepared.value != plain.value
    # no gates, A = qubit 1 in |0>, H = Z_1 (Y_0 + X_2): K_{a,b} = δ_{aZ} <σ_b^(1)> <Y_0 + X_2>, so
    # ||K||_F² = (y_0 + x_2)² = 4 for |+i> on qubit 0 and |+> on qubit 2, and 0 for |-i> on qubit 0
    empty = QuantumCircuit(3)
    assert circuit_second_moment(empty, "IZY + XZI", 1, after=0, state=Statevector.from_label("+0r")).value == 4
    assert circuit_second_moment(empty, "IZY + XZI", 1, after=0, state=Statevector.from_label("+0l")).value == 0


def test_observable_forms_agree_and_identity_is_dropped():
    qc = load_circuit(real_amplitudes(3, reps=1), bind=False)
    forms = [
        "0.5*ZZI - 0.7*XIX + 2*III",
        [("ZZI", 0.5), ("XIX", -0.7), ("III", 2.0)],
        SparsePauliOp(["ZZI", "XIX", "III"], [0.5, -0.7, 2.0]),
        SparsePauliOp(["ZZI", "XIX"], [0.5, -0.7]).to_matrix() + 2 * np.eye(8),
    ]
    vals = {circuit_second_moment(qc, h, qubits=2, after=2).value for h in forms}
    assert len(vals) == 1
    (v,) = vals
    # exact rationals in the decimal coefficients: scaling H by 10 scales the value by exactly 100
    v10 = circuit_second_moment(qc, "5*ZZI - 7*XIX", qubits=2, after=2).value
    assert v10 == 100 * v and isinstance(v, sp.Rational) and v > 0


def test_bound_is_u_sqrt_value_and_returns_string():
    qc = load_circuit(efficient_su2(3, reps=1), bind=False)
    for qubits in ((1,), (0, 2)):
        r = circuit_second_moment(qc, "ZZZ + 0.5*XIY", qubits=qubits, after=6)
        _, u = delta_frobenius_constants(2 ** len(qubits))
        assert r.bound == pytest.approx(float(u) * math.sqrt(float(r.value)), rel=1e-14)
        assert sp.sympify(r.value_str) == r.value


def test_gate_mode_skips_the_freed_instruction():
    """Freeing instruction I = the inserted gate at after=I with instruction I deleted."""
    qc = load_circuit(real_amplitudes(3, reps=2), bind=False)
    I = next(i for i, ins in enumerate(qc.data) if i >= 4 and len(ins.qubits) == 1)
    q = qc.find_bit(qc.data[I].qubits[0]).index
    r = circuit_second_moment(qc, "ZZI + IXX", qubits=q, gate=I)
    removed = qc.copy_empty_like()
    for i, ins in enumerate(qc.data):
        if i != I:
            removed.append(ins)
    assert r.value == circuit_second_moment(removed, "ZZI + IXX", qubits=q, after=I).value
    assert r.free_parameters == qc.num_parameters - 1


# ------------------------------------------------------------------------------------ refusals
def test_refusals_name_the_reason():
    t = Parameter("t")
    shared = QuantumCircuit(3)
    shared.rx(t, 0)
    shared.ry(t, 1)
    with pytest.raises(MomentsUnsupported, match=r"parameter t is shared by instructions 0 \(rx\) and 1 \(ry\)"):
        circuit_second_moment(shared, "ZZZ", qubits=0, after=1)
    expr = QuantumCircuit(3)
    expr.rz(2 * t, 0)
    with pytest.raises(MomentsUnsupported, match=r"instruction 0 \(rz\): its angle 2\*t is an expression"):
        circuit_second_moment(expr, "ZZZ", qubits=0, after=1)
    ugate = QuantumCircuit(3)
    ugate.u(t, 0.0, 0.0, 0)
    with pytest.raises(MomentsUnsupported, match=r"instruction 0 \(u\): a free angle is supported only"):
        circuit_second_moment(ugate, "ZZZ", qubits=0, after=1)
    angle = QuantumCircuit(3)
    angle.rz(0.3, 1)
    with pytest.raises(MomentsUnsupported, match=r"instruction 0 \(rz\): the angle 0.3 is not a rational multiple"):
        circuit_second_moment(angle, "ZZZ", qubits=0, after=1)
    eighth = QuantumCircuit(3)
    eighth.rz(math.pi / 8, 1)
    with pytest.raises(MomentsUnsupported, match=r"instruction 0 \(rz\): its Pauli transfer matrix .* not in Q"):
        circuit_second_moment(eighth, "ZZZ", qubits=0, after=1)
    big = load_circuit(efficient_su2(7, reps=1, su2_gates=["rx", "ry"], entanglement="full"), bind=False)
    with pytest.raises(MomentsUnsupported, match=r"n = 7 > 6 has no dense exact path"):
        circuit_second_moment(big, "Z" * 7, qubits=0, after=7, max_terms=50)
    tilted = np.kron([math.cos(0.15), math.sin(0.15)], np.eye(4)[0])  # R_y(0.3)|0> on qubit 2: not a Pauli eigenstate
    with pytest.raises(MomentsUnsupported, match=r"state: exact moments need .* site 0 \(Qiskit qubit 2\)"):
        circuit_second_moment(shared.copy_empty_like(), "ZZZ", qubits=0, after=0, state=tilted)


def test_bad_input_raises_value_errors_naming_the_argument():
    qc = load_circuit(real_amplitudes(3, reps=1), bind=False)
    with pytest.raises(ValueError, match="qubits must leave at least one qubit outside A"):
        circuit_second_moment(qc, "ZZZ", qubits=(0, 1, 2), after=1)
    with pytest.raises(MomentsUnsupported, match="one or two freed qubits, got 3"):
        circuit_second_moment(load_circuit(real_amplitudes(4, reps=1), bind=False), "ZZZZ", qubits=(0, 1, 2), after=1)
    with pytest.raises(ValueError, match=r"qubits must be distinct qubit indices in range\(3\)"):
        circuit_second_moment(qc, "ZZZ", qubits=3, after=1)
    with pytest.raises(ValueError, match="give exactly one of after"):
        circuit_second_moment(qc, "ZZZ", qubits=0)
    with pytest.raises(ValueError, match=r"gate 0 \(ry\) acts on qubits \(0,\), not on qubits \(1,\)"):
        circuit_second_moment(qc, "ZZZ", qubits=1, gate=0)
    with pytest.raises(ValueError, match=r"after must be in \[0, "):
        circuit_second_moment(qc, "ZZZ", qubits=1, after=999)
    with pytest.raises(ValueError, match="observable"):
        circuit_second_moment(qc, "ZZ", qubits=1, after=1)
