"""Δ of a gate of a user's circuit against an independent brute force built from Qiskit alone.

The reference never touches the library: Qiskit's ``Statevector`` gives ``ψ1 = V1 ψ`` and the
vectors ``φ_ab = (E_ab on qubits) ψ1`` (Qiskit applies a matrix to ``qargs`` in its own order),
Qiskit's ``Operator`` gives ``H2 = V2† H V2``; the cost ``C(U) = Σ conj(U_ab) U_cd <φ_ab|H2|φ_cd>`` is
then maximised and minimised by scipy's BFGS over ``U = expm(i X)`` from many random starts.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
from qiskit import QuantumCircuit
from qiskit.circuit.library import efficient_su2, real_amplitudes
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from weingarten_check.delta.exact import variation_range
from weingarten_check.experiments.user_circuit import (
    expected_gate_variation_range,
    gate_landscape,
    gate_variation_range,
)


# ------------------------------------------------------------------------------------ reference
def qiskit_cost_form(qc: QuantumCircuit, H: SparsePauliOp, qubits, after: int, skip: int = 0) -> np.ndarray:
    """The form G with C(U) = <vec U|G|vec U>, from Qiskit's Statevector and Operator only."""
    n = qc.num_qubits
    v1 = QuantumCircuit(n)
    v2 = QuantumCircuit(n)
    for idx, ins in enumerate(qc.data):
        if idx < after:
            v1.append(ins)
        elif idx >= after + skip:
            v2.append(ins)
    psi1 = Statevector(v1)
    W = Operator(v2).data
    H2 = W.conj().T @ H.to_matrix() @ W
    dA = 2 ** len(qubits)
    phis = []
    for a in range(dA):
        for b in range(dA):
            E = np.zeros((dA, dA), complex)
            E[a, b] = 1
            phis.append(psi1.evolve(Operator(E), qargs=list(qubits)).data)
    P = np.array(phis)  # rows φ_ab, index a·dA + b = row-major vec(U)
    return P.conj() @ H2 @ P.T


def _polish(Gs: np.ndarray, U: np.ndarray) -> float:
    dA = U.shape[0]
    basis = []
    for i in range(dA):
        for j in range(dA):
            B = np.zeros((dA, dA), complex)
            if i == j:
                B[i, i] = 1
            elif i < j:
                B[i, j] = B[j, i] = 1
            else:
                B[i, j], B[j, i] = 1j, -1j
            basis.append(B)

    def f(x):
        V = U @ scipy.linalg.expm(1j * np.tensordot(x, basis, axes=1))
        return -float(np.real(np.vdot(V.reshape(-1), Gs @ V.reshape(-1))))

    res = scipy.optimize.minimize(f, np.zeros(dA * dA), method="BFGS", options={"gtol": 1e-9, "maxiter": 300})
    return max(-res.fun, -f(np.zeros(dA * dA)))


def brute_force_range(G: np.ndarray, dA: int, starts: int, seed: int) -> tuple[float, float]:
    """max and min of <vec U|G|vec U> over U(dA) from many Haar-random starts (scipy's polar decomposition).

    Each side maximises the convex form ``Gs = ±G + s I`` (``s`` makes it positive definite; ``<u|u> = dA``
    on unitaries, so the shift is a constant): the iteration ``U <- polar(Gs vec U)`` never decreases it
    (it maximises the linearisation over U(dA)), run from every start until the value stops changing.
    """
    rng = np.random.default_rng(seed)
    out = []
    for sign in (1.0, -1.0):
        Gs = sign * G
        shift = 1.0 - np.linalg.eigvalsh(Gs)[0]
        Gs = Gs + shift * np.eye(dA * dA)
        ends = []
        for _ in range(starts):
            Z = rng.normal(size=(dA, dA)) + 1j * rng.normal(size=(dA, dA))
            Q, R = np.linalg.qr(Z)
            U = Q * (np.diag(R) / np.abs(np.diag(R)))  # Haar (Mezzadri's phase fix)
            val = -np.inf
            for _ in range(300):
                U = scipy.linalg.polar((Gs @ U.reshape(-1)).reshape(dA, dA))[0]
                new = float(np.real(np.vdot(U.reshape(-1), Gs @ U.reshape(-1))))
                if new - val <= 1e-15 * max(1.0, abs(new)):
                    val = max(val, new)
                    break
                val = new
            ends.append((val, U))
        ends.sort(key=lambda e: -e[0])
        best = max(_polish(Gs, U) for _, U in ends[:2])  # polish the two best ends
        out.append(sign * (best - shift * dA))
    return out[0], out[1]


def _observable(n: int, rng: np.random.Generator) -> SparsePauliOp:
    labels = ["".join(rng.choice(list("IXYZ"), size=n)) for _ in range(4)]
    labels.append("I" * (n - 2) + "ZZ")
    return SparsePauliOp(labels, rng.normal(size=len(labels)))


def _cases():
    """24 circuits: EfficientSU2, RealAmplitudes, random circuits; n = 3..8; one and two free qubits."""
    cases = []
    for k in range(24):
        rng = np.random.default_rng(100 + k)
        n = 3 + k % 6
        kind = ("efficient_su2", "real_amplitudes", "random")[k % 3]
        if kind == "efficient_su2":
            qc = efficient_su2(n, reps=2)
        elif kind == "real_amplitudes":
            qc = real_amplitudes(n, reps=2)
        else:
            qc = random_circuit(n, 4, max_operands=2, seed=200 + k)
        if qc.num_parameters:
            qc = qc.assign_parameters(rng.uniform(0, 2 * np.pi, qc.num_parameters))
        m = 1 if k % 2 == 0 else 2
        q0 = int(rng.integers(n - m + 1))
        qubits = tuple(int(q) for q in rng.permutation(np.arange(q0, q0 + m)))  # either order
        after = int(rng.integers(len(qc.data) + 1))
        cases.append(pytest.param(qc, _observable(n, rng), qubits, after, id=f"{k}-{kind}-n{n}-m{m}"))
    return cases


CASES = _cases()
FAST = [CASES[i] for i in (0, 1)]  # one qubit (n=3, EfficientSU2), two qubits (n=4, RealAmplitudes)


def _check_against_brute_force(qc, H, qubits, after):
    r = gate_variation_range(qc, H, qubits, after=after)
    dA = 2 ** len(qubits)
    G = qiskit_cost_form(qc, H, qubits, after)
    cmax, cmin = brute_force_range(G, dA, starts=12 if dA == 2 else 24, seed=1)
    brute = cmax - cmin
    if dA == 2:
        assert r.exact and r.method == "qubit"
        assert abs(r.delta - brute) <= 1e-9 * max(1.0, brute)
    else:
        assert r.method == "certified" and r.lower <= r.upper
        assert r.lower - 1e-9 <= brute <= r.upper + 1e-9
        assert (r.upper - brute) <= 1e-5 * max(1.0, brute)  # the bracket is tight (tol 1e-6)
    # the reported extremal unitaries attain the reported costs, evaluated by Qiskit
    for U, c in ((r.U_max, r.cost_max), (r.U_min, r.cost_min)):
        u = U.reshape(-1)
        assert abs(float(np.real(np.vdot(u, G @ u))) - c) <= 1e-9 * max(1.0, abs(c))
    assert abs(r.cost - float(np.real(np.vdot(np.eye(dA).reshape(-1), G @ np.eye(dA).reshape(-1))))) <= 1e-9


@pytest.mark.parametrize("qc,H,qubits,after", FAST)
def test_delta_equals_brute_force_fast(qc, H, qubits, after):
    _check_against_brute_force(qc, H, qubits, after)


@pytest.mark.slow
@pytest.mark.parametrize("qc,H,qubits,after", CASES)
def test_delta_equals_brute_force_24_circuits(qc, H, qubits, after):
    _check_against_brute_force(qc, H, qubits, after)


def test_the_cases_cover_the_required_families():
    ids = [c.id for c in CASES]
    assert len(ids) >= 20
    for word in ("efficient_su2", "real_amplitudes", "random", "m1", "m2"):
        assert any(word in i for i in ids)
    assert max(c.values[0].num_qubits for c in CASES) <= 8


# ------------------------------------------------------------------------------------ qubit order
def test_z_on_qiskit_qubit_2_of_6_moves_only_qubit_2():
    """Qiskit's order at the boundary: Δ = 2 at qubits=(2,), 0 at every other qubit."""
    qc = QuantumCircuit(6)
    H = SparsePauliOp("IIIZII")  # Z on qubit 2 (rightmost character = qubit 0)
    deltas = [gate_variation_range(qc, H, (q,), after=0).delta for q in range(6)]
    assert abs(deltas[2] - 2.0) < 1e-12
    assert all(abs(d) < 1e-12 for q, d in enumerate(deltas) if q != 2)
    # the library's own dense entry point numbers sites from the most significant factor: site 3
    dense = variation_range(H.to_matrix(), np.eye(64)[0], sites=(3,))
    assert abs(dense.value - 2.0) < 1e-12
    # the same observable given as a string, a list and a dense matrix
    for spec in ("1.0*IIIZII", [("IIIZII", 1.0)], H.to_matrix()):
        assert abs(gate_variation_range(qc, spec, 2, after=0).delta - 2.0) < 1e-12


def test_two_qubit_gate_matrix_is_qiskits_on_the_given_qubit_order():
    """U_max appended as a UnitaryGate on ``qubits`` (in that order) attains cost_max in Qiskit."""
    rng = np.random.default_rng(3)
    qc = efficient_su2(4, reps=1).assign_parameters(rng.uniform(0, 6, 16))
    H = SparsePauliOp(["ZXII", "IYZI", "XIIZ"], [1.0, -0.6, 0.3])
    for qubits in ((1, 2), (2, 1), (3, 0)):
        r = gate_variation_range(qc, H, qubits, after=8)
        for gate, c in ((r.gate_max, r.cost_max), (r.gate_min, r.cost_min)):
            full = QuantumCircuit(4)
            for ins in qc.data[:8]:
                full.append(ins)
            full.append(gate, list(qubits))
            for ins in qc.data[8:]:
                full.append(ins)
            assert abs(Statevector(full).expectation_value(H).real - c) < 1e-9
        assert r.cost_max - r.cost_min <= r.upper + 1e-12


def test_gate_mode_frees_the_instruction_and_reports_the_current_cost():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.7, 2)
    qc.cx(2, 1)
    H = SparsePauliOp(["ZZI", "IXX"], [1.0, 0.5])
    r = gate_variation_range(qc, H, (2, 1), gate=3)
    assert r.gate == 3 and r.after == 3
    assert abs(r.cost - Statevector(qc).expectation_value(H).real) < 1e-12
    # freeing instruction 3 = inserting after it with V2 = the rest, minus that instruction
    G = qiskit_cost_form(qc, H, (2, 1), 3, skip=1)
    cmax, cmin = brute_force_range(G, 4, starts=8, seed=2)
    assert r.lower - 1e-9 <= cmax - cmin <= r.upper + 1e-9
    with pytest.raises(ValueError, match=r"gate 1 \(cx\) acts on qubits \(0, 1\), not on qubits \(2,\)"):
        gate_variation_range(qc, H, 2, gate=1)


def test_fidelity_cost_is_the_trace_norm_squared():
    rng = np.random.default_rng(5)
    qc = real_amplitudes(4, reps=2).assign_parameters(rng.uniform(0, 6, 12))
    target = Statevector.from_label("0101")
    r = gate_variation_range(qc, None, (1,), after=5, target=target)
    # reference: max and min of 1 - |<target|V2 (U on q1) V1|0>|² by brute force with Qiskit
    H = SparsePauliOp(["I" * 4], [1.0]).to_matrix() - np.outer(target.data, target.data.conj())
    G = qiskit_cost_form(qc, SparsePauliOp.from_operator(H), (1,), 5)
    cmax, cmin = brute_force_range(G, 2, starts=12, seed=0)
    assert r.method == "fidelity" and abs(r.delta - (cmax - cmin)) < 1e-9
    assert abs(r.cost_max - cmax) < 1e-9 and abs(r.cost_min - cmin) < 1e-9


# ------------------------------------------------------------------------------------ landscape, E[Δ]
def test_landscape_equals_one_delta_per_position():
    rng = np.random.default_rng(7)
    qc = efficient_su2(4, reps=2, insert_barriers=True)
    p = rng.uniform(0, 2 * np.pi, qc.num_parameters)
    H = "1.0*ZZII + 0.5*IXXI - 0.3*IIIY"
    L = gate_landscape(qc, H, parameters=p)
    assert L.delta.shape == (4, len(L.positions)) and L.positions[0] == 0 and L.positions[-1] == len(qc.data)
    for i, q in enumerate(L.qubits):
        for j, K in enumerate(L.positions):
            ref = gate_variation_range(qc, H, q, after=K, parameters=p).delta
            assert abs(L.delta[i, j] - ref) < 1e-12
    bound = qc.assign_parameters(p)
    assert (
        abs(
            L.cost
            - Statevector(bound)
            .expectation_value(SparsePauliOp.from_list([("ZZII", 1), ("IXXI", 0.5), ("IIIY", -0.3)]))
            .real
        )
        < 1e-12
    )


def test_expected_delta_is_the_mean_of_seeded_draws():
    qc = real_amplitudes(3, reps=1)
    e = expected_gate_variation_range(qc, "ZZI", 0, after=3, samples=6, seed=4)
    rng = np.random.default_rng(4)
    ref = []
    for _ in range(6):
        vals = rng.uniform(0, 2 * np.pi, qc.num_parameters)
        ref.append(gate_variation_range(qc, "ZZI", 0, after=3, parameters=vals).delta)
    assert np.allclose(e.values, ref, atol=1e-12)
    se = np.std(ref, ddof=1) / np.sqrt(6)
    assert abs(e.mean - np.mean(ref)) < 1e-12 and abs(e.stderr - se) < 1e-12
    assert abs(e.ci95[1] - e.ci95[0] - 2 * 1.96 * se) < 1e-12
    # Haar bounds for w(ZZI) = 2, n = 3, m = 1: paper 2·2^(3+2-1.5), sharp 2·2·sqrt(3/2)/sqrt(9)
    assert abs(e.haar_bounds["paper_theorem1"] - 2 * 2**3.5) < 1e-9
    assert abs(e.haar_bounds["qudit_theorem1_sharp"] - 4 * np.sqrt(1.5) / 3) < 1e-9
    # the moments hook: u sqrt(E||K||_F²) with u = 2 sqrt(2) for one qubit
    e2 = expected_gate_variation_range(qc, "ZZI", 0, after=3, samples=2, moments=lambda *a: 0.25)
    assert abs(e2.bounds["moments"] - 2 * np.sqrt(2) * 0.5) < 1e-12


def test_expected_delta_with_a_user_distribution():
    qc = real_amplitudes(3, reps=1)
    e = expected_gate_variation_range(qc, "ZZI", 0, after=3, samples=3, distribution=lambda rng, k: np.zeros(k))
    ref = gate_variation_range(qc, "ZZI", 0, after=3, parameters=np.zeros(qc.num_parameters)).delta
    assert np.allclose(e.values, ref, atol=1e-12) and e.stderr < 1e-12
    with pytest.raises(ValueError, match="distribution must return 6 finite"):
        expected_gate_variation_range(qc, "ZZI", 0, after=3, samples=2, distribution=lambda rng, k: np.zeros(2))


def test_expected_delta_with_exact_moments():
    """moments="exact": the exact E||K||_F² of theory.circuit_moments and u·sqrt of it in bounds; the sample
    mean of Δ is below that bound (E[Δ] <= u sqrt(E||K||_F²), Lemmas 11.3 and 14), also in gate mode."""
    from weingarten_check.circuits.qiskit_io import load_circuit
    from weingarten_check.circuits.qiskit_moments import MomentsUnsupported
    from weingarten_check.theory.circuit_moments import circuit_second_moment

    qc = load_circuit(real_amplitudes(3, reps=2), bind=False)
    gate = next(i for i, ins in enumerate(qc.data) if i >= 3 and [qc.find_bit(b).index for b in ins.qubits] == [1])
    for where in (dict(after=4), dict(gate=gate)):
        e = expected_gate_variation_range(qc, "ZZI + 0.5*IXX", 1, samples=40, seed=1, moments="exact", **where)
        cm = circuit_second_moment(qc, "ZZI + 0.5*IXX", 1, **where)
        assert e.second_moment_exact == str(cm.value) and e.second_moment == float(cm.value) > 0
        assert e.bounds["moments"] == cm.bound and e.ci95[1] <= cm.bound and e.moments_note is None
        d = e.as_dict()
        assert d["expected_K_frobenius_sq"] == str(cm.value) and d["moments_bound"] == cm.bound
    # not available: "exact" raises with the reason, "auto" records it
    t_qc = QuantumCircuit(3)
    t_qc.rx(0.3, 0)
    t_qc.ry(real_amplitudes(1, reps=0).parameters[0], 1)
    with pytest.raises(MomentsUnsupported, match=r"instruction 0 \(rx\): the angle 0.3"):
        expected_gate_variation_range(t_qc, "ZZI", 1, after=2, samples=2, moments="exact")
    e = expected_gate_variation_range(t_qc, "ZZI", 1, after=2, samples=2, moments="auto")
    assert e.moments_note.startswith("instruction 0 (rx)") and e.bounds == {} and e.second_moment is None
    assert e.as_dict()["moments_unsupported"] == e.moments_note and "expected_K_frobenius_sq" not in e.as_dict()
    e = expected_gate_variation_range(qc, None, 1, after=4, samples=2, target=np.eye(8)[0], moments="auto")
    assert e.moments_note.startswith("a fidelity cost")
    with pytest.raises(MomentsUnsupported, match="a user distribution"):
        expected_gate_variation_range(
            qc, "ZZI", 1, after=4, samples=2, moments="exact", distribution=lambda rng, k: np.zeros(k)
        )
    with pytest.raises(ValueError, match="moments must be 'exact', 'auto', a callable or None"):
        expected_gate_variation_range(qc, "ZZI", 1, after=4, samples=2, moments="yes")


# ------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(qubits=(5,), after=0), r"qubits must be distinct qubit indices in range\(3\)"),
        (dict(qubits=(0, 1, 2), after=0), "at least one qubit outside A"),
        (dict(qubits=(0,)), "give exactly one of after"),
        (dict(qubits=(0,), after=0, gate=1), "give exactly one of after"),
        (dict(qubits=(0,), after=99), r"after must be in \[0, 1\]"),
        (dict(qubits=(0,), after=0, state=[1.0, 0.0]), "state must have length 2\\*\\*n = 8"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    qc = QuantumCircuit(3)
    qc.h(0)
    with pytest.raises(ValueError, match=match):
        gate_variation_range(qc, "ZZI", **kwargs)


def test_unbound_parameter_and_non_hermitian_matrix_are_refused():
    with pytest.raises(ValueError, match=r"circuit has unbound parameters \['θ\[0\]'"):
        gate_variation_range(real_amplitudes(2, reps=1), "ZZ", 0, after=0)
    with pytest.raises(ValueError, match="observable must be Hermitian"):
        gate_variation_range(QuantumCircuit(2), np.triu(np.ones((4, 4))), 0, after=0)
    with pytest.raises(ValueError, match="Pauli labels have 3 qubits, the circuit has 2"):
        gate_variation_range(QuantumCircuit(2), "ZZZ", 0, after=0)
