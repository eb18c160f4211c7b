"""variation_range: the closed forms equal brute-force optimisation over U(dA) (to 1e-9), the
dispatcher takes the right route and refuses bad input, the bracket of tests/reference.py brackets,
and a 50-digit mpmath recomputation agrees with double precision."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from reference import (
    brute_force_delta,
    k_matrix_mp,
    mp_haar_state,
    optimise_cost,
    random_density,
    random_hermitian,
    variation_range_bracket,
    variation_range_fidelity_mp,
    variation_range_qubit_mp,
)

from weingarten_check.delta.certified import nuclear_bound
from weingarten_check.delta.cost import cost_tensor_dense, cost_value, k_matrix, m_matrix
from weingarten_check.delta.exact import variation_range, variation_range_fidelity, variation_range_qubit
from weingarten_check.states.observables import heisenberg_ring, qsl_observable
from weingarten_check.states.sampling import haar_state, haar_unitary
from weingarten_check.states.statevector import move_sites_first


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_qubit_closed_form_equals_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    n, q = 3, 2
    H2 = random_hermitian(8, rng)
    rho1 = random_density(8, rng, rank=1 + seed % 3)
    K = k_matrix(cost_tensor_dense(H2, rho1, (0,), n, q))
    exact = variation_range_qubit(K)
    brute = brute_force_delta(H2, rho1, (0,), n, q)
    assert exact == pytest.approx(brute, abs=1e-9)
    s = np.linalg.svd(K, compute_uv=False)
    # mutants: the three-singular-value or one-singular-value forms are wrong
    assert abs(2 * s.sum() - brute) > 1e-3 and abs(2 * s[0] - brute) > 1e-3


@pytest.mark.parametrize("q, n, m", [(2, 3, 1), (3, 2, 1), (2, 3, 2)])
def test_fidelity_closed_form_equals_brute_force(q, n, m):
    rng = np.random.default_rng(7 * q + n + m)
    d = q**n
    phi, psi = haar_state(d, rng), haar_state(d, rng)
    H = np.eye(d) - np.outer(phi, phi.conj())
    sites = tuple(range(m))
    M = m_matrix(move_sites_first(psi.reshape((q,) * n), sites, n), move_sites_first(phi.reshape((q,) * n), sites, n))
    exact = variation_range_fidelity(M)
    brute = brute_force_delta(H, np.outer(psi, psi.conj()), sites, n, q, starts=4 if m == 1 else 2)
    assert exact == pytest.approx(brute, abs=1e-9)
    # mutant: ||M||_F^2 instead of ||M||_1^2
    assert abs(np.sum(np.abs(M) ** 2) - brute) > 1e-3
    res = variation_range(H, psi, sites=sites, q=q)
    assert res.method == "fidelity" and res.exact and res.value == pytest.approx(exact)


@pytest.mark.parametrize("seed", [0])
def test_bracket_for_qutrit(seed):
    rng = np.random.default_rng(200 + seed)
    n, q = 2, 3
    H2, rho1 = random_hermitian(9, rng), random_density(9, rng, rank=1)
    T = cost_tensor_dense(H2, rho1, (0,), n, q)
    lower, upper = variation_range_bracket(T, starts=6, rng=seed)
    brute = brute_force_delta(H2, rho1, (0,), n, q)
    assert lower == pytest.approx(brute, abs=1e-9)  # optimiser finds the global optimum here
    assert lower <= upper + 1e-12
    assert upper == pytest.approx(nuclear_bound(k_matrix(T)))


def test_optimise_cost_attains_value():
    rng = np.random.default_rng(3)
    H2, rho1 = random_hermitian(8, rng), random_density(8, rng)
    T = cost_tensor_dense(H2, rho1, (0,), 3, 2)
    val, U = optimise_cost(T, True, starts=3, rng=1)
    assert np.allclose(U.conj().T @ U, np.eye(2), atol=1e-12)
    assert cost_value(T, U) == pytest.approx(val, abs=1e-12)


def test_dispatcher_with_circuits_and_observables():
    rng = np.random.default_rng(11)
    n = 4
    V1, V2 = haar_unitary(16, rng), haar_unitary(16, rng)
    psi = np.zeros(16)
    psi[0] = 1
    H = heisenberg_ring(n)
    r = variation_range(H, psi, V1=V1, V2=V2)
    assert r.exact and r.method == "qubit"
    Hd = H.dense()
    brute = brute_force_delta(V2.conj().T @ Hd @ V2, np.outer(V1 @ psi, (V1 @ psi).conj()), (0,), n, 2, starts=6)
    assert r.value == pytest.approx(brute, abs=1e-9)
    # QSL: fidelity form equals the qubit K form
    qsl = qsl_observable(n)
    a = variation_range(qsl, psi, V1=V1, V2=V2)
    b = variation_range(qsl, psi, V1=V1, V2=V2, method="qubit")
    assert a.method == "fidelity" and a.value == pytest.approx(b.value, abs=1e-12)
    # circuits are accepted in place of matrices
    from weingarten_check.circuits.ensembles import hea_circuit

    c1, c2 = hea_circuit(n, layers=3, rng=1), hea_circuit(n, layers=3, rng=2)
    assert variation_range(H, psi, V1=c1, V2=c2).value == pytest.approx(
        variation_range(H, psi, V1=c1.unitary(), V2=c2.unitary()).value, abs=1e-12
    )
    # mixed state, qutrits: bracket
    r3 = variation_range(random_hermitian(9, rng), random_density(9, rng), q=3, starts=3)
    assert not r3.exact and r3.lower <= r3.upper


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        (dict(H=np.ones((4, 3)), state=np.ones(4) / 2), ValueError),
        (
            dict(
                H=np.array(
                    [
                        [0, 1],
                        [0, 0],
                    ]
                ),
                state=np.array([1, 0]),
            ),
            ValueError,
        ),
        (dict(H=np.eye(4), state=np.array([1, 0, 0, 0]), V1=2 * np.eye(4)), ValueError),
        (dict(H=np.eye(4), state=np.array([1, 0, 0, 0]), sites=(0, 1)), ValueError),  # m = n
        (dict(H=np.eye(4), state=np.array([1, 0, 0, 0]), q=1), ValueError),
        (dict(H=np.eye(4), state=np.array([1, 1, 0, 0])), ValueError),  # not normalised
        (dict(H=np.eye(4), state=np.eye(4)), ValueError),  # trace 4
        (dict(H=np.eye(6), state=np.eye(6)[0]), ValueError),  # 6 is not a power of 2
        (dict(H=np.eye(4), state=np.eye(4)[0], method="adam"), ValueError),
        (dict(H=np.eye(9), state=np.eye(9)[0], q=3, method="qubit"), ValueError),
    ],
)
def test_bad_input_raises(kwargs, exc):
    with pytest.raises(exc):
        variation_range(kwargs.pop("H"), kwargs.pop("state"), **kwargs)


def test_closed_form_argument_checks():
    with pytest.raises(ValueError):
        variation_range_qubit(np.eye(4))
    with pytest.raises(ValueError):
        variation_range_fidelity(np.ones((2, 3)))
    with pytest.raises(ValueError):
        m_matrix(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError):
        optimise_cost(np.zeros((2, 2, 2, 2)), True, starts=0)


def _to_object(arr):
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        out[idx] = mpmath.mpc(arr[idx])
    return out


@pytest.mark.parametrize("n", [4, 8])
def test_mpmath_recomputation_agrees_with_double(n):
    """VQE (Heisenberg ring) with a 50-digit Haar state V1|0...0>, V2 = I, A = site 0:
    the mpmath pipeline (object arrays through the same Observable.apply) and the double
    pipeline agree to ~1e-13 relative; likewise the QSL ||M||_1^2."""
    dps = 50
    d = 2**n
    with mpmath.workdps(dps):
        psi_mp = mp_haar_state(d, 17, dps=dps)
        psi_obj = np.array([psi_mp[i] for i in range(d)], dtype=object).reshape((2,) * n)
        psi_dbl = np.array([complex(psi_mp[i]) for i in range(d)]).reshape((2,) * n)
        obs = heisenberg_ring(n)
        dA = 2

        def tensor(psi, dtype):
            rows = move_sites_first(psi, (0,), n)
            X = np.empty((dA, dA, dA, d // dA), dtype=dtype)
            X[...] = 0
            for k in range(dA):
                for i in range(dA):
                    X[k, i, k] = rows[i]
            X = X.reshape((dA * dA,) + (2,) * n)
            HX = obs.apply(X).reshape(dA, dA, -1)
            Xf = X.reshape(dA, dA, -1)
            T = np.empty((dA,) * 4, dtype=dtype)
            for l, j, k, i in np.ndindex(T.shape):
                T[l, j, k, i] = np.sum(np.conj(Xf[l, j]) * HX[k, i])
            return T, rows

        T_mp, rows_mp = tensor(psi_obj, object)
        T_dbl, rows_dbl = tensor(psi_dbl, np.complex128)
        delta_mp = variation_range_qubit_mp(k_matrix_mp(T_mp, dps), dps)
        delta_dbl = variation_range_qubit(k_matrix(T_dbl))
        assert abs(delta_mp - delta_dbl) < 1e-13 * max(1, delta_dbl)
        assert mpmath.mpf(delta_dbl) != delta_mp  # the mp value really carries more digits
        # QSL: M_ij = <0_B δ_j0 | psi_i>
        phi = np.zeros_like(rows_dbl)
        phi[0, 0] = 1
        M_dbl = m_matrix(rows_dbl, phi)
        M_mp = mpmath.matrix([[rows_mp[i][0] if j == 0 else 0 for j in range(dA)] for i in range(dA)])
        f_mp = variation_range_fidelity_mp(M_mp, dps)
        assert abs(f_mp - variation_range_fidelity(M_dbl)) < 1e-14


# ------------------------------------------------------------------------------------ extremal unitaries
def test_qubit_extremal_unitaries_attain_the_two_ends_of_delta():
    """C(U_max) - C(U_min) = 2(σ1 + σ2) (Lemma 3.2) for random K, including det K < 0 and rank 2."""
    from weingarten_check.delta.cost import adjoint_representation
    from weingarten_check.delta.exact import qubit_extremal_unitaries

    rng = np.random.default_rng(11)
    for t in range(60):
        K = rng.normal(size=(3, 3))
        if t % 3 == 1:
            K[:, 0] = 0.0  # rank 2
        U_max, U_min = qubit_extremal_unitaries(K)
        for U in (U_max, U_min):
            assert np.allclose(U.conj().T @ U, np.eye(2), atol=1e-12)
        c_max = np.trace(K.T @ adjoint_representation(U_max))
        c_min = np.trace(K.T @ adjoint_representation(U_min))
        assert abs((c_max - c_min) - variation_range_qubit(K)) < 1e-12
        # no Haar unitary does better on either side
        for _ in range(20):
            c = np.trace(K.T @ adjoint_representation(haar_unitary(2, rng)))
            assert c_min - 1e-12 <= c <= c_max + 1e-12


# ------------------------------------------------------------------------------------ Qiskit objects
def _split_circuit(n, seed):
    """A random bound efficient_su2 circuit and its split at instruction K: (qc, V1, V2, K)."""
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import efficient_su2

    from weingarten_check.circuits.qiskit_io import load_circuit

    rng = np.random.default_rng(seed)
    base = efficient_su2(n, reps=2, entanglement="circular")
    qc = load_circuit(base, rng.uniform(0, 2 * np.pi, base.num_parameters))
    K = int(rng.integers(1, len(qc.data) // 2))
    V1, V2 = QuantumCircuit(n), QuantumCircuit(n)
    for i, ins in enumerate(qc.data):
        (V1 if i < K else V2).append(ins)
    return qc, V1, V2, K


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_qiskit_circuits_as_v1_v2_agree_with_gate_variation_range(seed):
    """V1, V2 as Qiskit QuantumCircuits / Operators, A as Qiskit qubits: the Δ of the same free gate that
    gate_variation_range (statevector path, its own qubit conversion) computes; one and two freed qubits."""
    from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

    from weingarten_check.experiments.user_circuit import gate_variation_range
    from weingarten_check.states.observable_specs import qubit_sites

    n = 4
    qc, V1, V2, K = _split_circuit(n, seed)
    H = SparsePauliOp(["ZZII", "IXIY", "IIIZ"], [1.0, 0.5, -0.7])
    psi = Statevector.from_label("0" * n)
    qs = (int(seed) % n,)
    ref = gate_variation_range(qc, H, qubits=qs, after=K)
    r = variation_range(H, psi, V1=V1, V2=V2, qubits=qs)
    assert abs(r.value - ref.delta) < 1e-10 and ref.delta > 1e-3
    # the same with Operators and library sites (the one conversion, qubit_sites)
    r2 = variation_range(H.to_matrix(), psi.data, V1=Operator(V1), V2=Operator(V2), sites=qubit_sites(qs, n))
    assert abs(r2.value - ref.delta) < 1e-10
    # two freed qubits: the same K (hence the same certified Δ); the bracket itself is tested above
    qs2 = (0, 2)
    ref2 = gate_variation_range(qc, H, qubits=qs2, after=K, tol=1e-2)
    r3 = variation_range(H, psi, V1=V1, V2=V2, qubits=qs2, method="certified", tol=1e-2)
    assert np.abs(r3.K - ref2.K).max() < 1e-10 and np.abs(ref2.K).max() > 1e-3
    assert r3.lower - 1e-9 <= ref2.upper and ref2.lower - 1e-9 <= r3.upper


def test_qiskit_qubit_order_of_variation_range():
    """Z on Qiskit qubit 2 of 6 is moved only by a gate on qubit 2 (= site 3), never on site 2."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp

    H = SparsePauliOp("IIIZII")
    zero = np.eye(64)[0]
    qc = QuantumCircuit(6)
    assert abs(variation_range(H, zero, V1=qc, qubits=2).value - 2) < 1e-12
    assert abs(variation_range(H, zero, V1=qc, sites=(3,)).value - 2) < 1e-12
    assert variation_range(H, zero, V1=qc, sites=(2,)).value < 1e-12
    assert variation_range(H, zero, V1=qc, qubits=3).value < 1e-12


def test_qiskit_bad_inputs_are_named():
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    H = np.kron(np.diag([1.0, -1.0]), np.eye(2))
    zero = np.eye(4)[0]
    qc = QuantumCircuit(2)
    qc.rx(Parameter("t"), 0)
    with pytest.raises(ValueError, match=r"V1: the QuantumCircuit has unbound parameters \['t'\]"):
        variation_range(H, zero, V1=qc)
    m = QuantumCircuit(2, 1)
    m.measure(0, 0)
    with pytest.raises(ValueError, match="V2: the QuantumCircuit is not a unitary"):
        variation_range(H, zero, V2=m)
    with pytest.raises(ValueError, match="not both"):
        variation_range(H, zero, sites=(0,), qubits=(0,))
    with pytest.raises(ValueError, match=r"qubits must be distinct qubit indices in range\(2\)"):
        variation_range(H, zero, qubits=5)
    with pytest.raises(ValueError, match="V1 must be 4 x 4|V1"):
        variation_range(H, zero, V1=QuantumCircuit(3))
