"""ensembles: the paper's circuits gate by gate, 1-design property, frame potentials."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from weingarten_check.circuits import ensembles
from weingarten_check.circuits.designs import frame_potential, frame_potential_from_sampler
from weingarten_check.circuits.ensembles import (
    FINITE_DEPTH_ENSEMBLES,
    Circuit,
    brickwork_circuit,
    brickwork_pairs,
    cz_chain_diagonal,
    haar_layer_circuit,
    hea_circuit,
    local1_circuit,
    pauli_rotation,
    real_hea_circuit,
    ry,
    sample_circuit,
)
from weingarten_check.states.bases import PAULI


def kron_all(mats):
    out = np.array([[1.0 + 0j]])
    for m in mats:
        out = np.kron(out, m)
    return out


def test_pauli_rotations():
    for P in "XYZ":
        assert np.allclose(pauli_rotation(P, 0.7), expm(-0.35j * PAULI[P]))
    assert np.allclose(ry(np.pi / 4), expm(-1j * PAULI["Y"] * np.pi / 8))  # paper: exp(-iYπ/8)
    with pytest.raises(ValueError):
        pauli_rotation("W", 1.0)


@pytest.mark.parametrize("q, n", [(2, 3), (3, 3), (4, 2)])
def test_cz_chain_diagonal(q, n):
    w = np.exp(2j * np.pi / q)
    cz = np.diag([w ** (a * b) for a in range(q) for b in range(q)])
    ref = np.eye(q**n, dtype=complex)
    for i in range(n - 1):
        ref = kron_all([np.eye(q**i), cz, np.eye(q ** (n - i - 2))]) @ ref
    assert np.allclose(np.diag(cz_chain_diagonal(n, q).reshape(-1)), ref)


def test_hea_matches_gate_by_gate_reconstruction():
    n, L = 3, 2
    rng_seed = 5
    c = hea_circuit(n, layers=L, rng=rng_seed)
    assert c.depth == L + 1 and hea_circuit(4, rng=0).depth == 10 * 4 + 1
    # rebuild from the same random numbers
    gen = np.random.default_rng(rng_seed)
    axes = gen.integers(0, 3, size=(L, n))
    angles = gen.uniform(0, 2 * np.pi, size=(L, n))
    cz = np.diag([1, 1, 1, -1]).astype(complex)
    czs = kron_all([cz, np.eye(2)]) @ kron_all([np.eye(2), cz])
    U = kron_all([ry(np.pi / 4)] * n)
    for l in range(L):
        U = czs @ kron_all([expm(-0.5j * angles[l, s] * PAULI["XYZ"[axes[l, s]]]) for s in range(n)]) @ U
    assert np.allclose(c.unitary(), U, atol=1e-12)
    psi = np.random.default_rng(0).standard_normal((2, 2, 2, 2)) + 0j  # batch of 2
    assert np.allclose(c.apply_inverse(c.apply(psi)), psi, atol=1e-12)


def test_qudit_circuits_are_unitary():
    for c in (hea_circuit(3, q=3, layers=2, rng=1), local1_circuit(2, 3, 2), haar_layer_circuit(2, 4, 3)):
        U = c.unitary()
        assert np.allclose(U.conj().T @ U, np.eye(len(U)), atol=1e-12)


def test_local1_is_a_one_design():
    """E[U X U†] = tr(X) I / d for the Rz Ry Rz layer (Monte Carlo, 5 standard errors)."""
    rng = np.random.default_rng(3)
    n, S = 2, 4000
    X = np.random.default_rng(9).standard_normal((4, 4))
    X = X + X.T
    acc = np.array([(lambda U: U @ X @ U.conj().T)(local1_circuit(n, rng=rng).unitary()) for _ in range(S)])
    mean, se = acc.mean(0), acc.std(0, ddof=1) / np.sqrt(S) + 1e-12
    target = np.trace(X) / 4 * np.eye(4)
    assert np.all(np.abs(mean - target) < 5 * se)
    # power: a fixed Rz(0.3) layer is not a 1-design
    c = Circuit(2, 2, [("layer", [pauli_rotation("Z", 0.3)] * 2)])
    U = c.unitary()
    assert np.abs(U @ X @ U.conj().T - target).max() > 0.1


def test_frame_potentials():
    n = 3
    d = 2**n
    f, se = frame_potential("haar", n, samples=600, rng=1)
    assert abs(f - 2) < 5 * se
    f, se = frame_potential("haar_layer", n, samples=600, rng=2)  # product of Haar(2): 2^n
    assert abs(f - 2**n) < 5 * se
    f, se = frame_potential("hea", n, samples=2, rng=3, layers=0)  # a single fixed circuit: d^4
    assert f == pytest.approx(d**4) and se == 0
    f, se = frame_potential("hea", n, samples=300, rng=4)  # depth 10 n: close to a 2-design
    assert abs(f - 2) < 5 * se
    with pytest.raises(ValueError):
        frame_potential("hea", n, samples=1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: hea_circuit(0),
        lambda: hea_circuit(3, layers=-1),
        lambda: local1_circuit(3, q=1),
        lambda: sample_circuit("haar", 3),
        lambda: hea_circuit(2, layers=1, rng=0).apply(np.zeros((3, 3))),
        lambda: real_hea_circuit(3, q=3),
        lambda: real_hea_circuit(3, layers=-1),
        lambda: sample_circuit("orthogonal", 3),
        lambda: brickwork_circuit(1, layers=1),
        lambda: brickwork_circuit(4, layers=-1),
        lambda: brickwork_circuit(4, layers=2.0),
        lambda: brickwork_circuit(4, q=1),
        lambda: brickwork_pairs(4, 0),
        lambda: sample_circuit("local1", 3, layers=2),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_real_hea_matches_gate_by_gate_reconstruction_and_is_real_orthogonal():
    """Ry(π/4) on every qubit, then L × (R_Y(θ) on every qubit, CZ chain), θ from the same stream."""
    n, L, seed = 3, 3, 11
    c = real_hea_circuit(n, layers=L, rng=seed)
    assert c.depth == L + 1 and real_hea_circuit(4, rng=0).depth == 10 * 4 + 1
    gen = np.random.default_rng(seed)
    angles = gen.uniform(0, 2 * np.pi, size=(L, n))
    cz = np.diag([1, 1, 1, -1]).astype(complex)
    czs = kron_all([cz, np.eye(2)]) @ kron_all([np.eye(2), cz])
    U = kron_all([ry(np.pi / 4)] * n)
    for l in range(L):
        U = czs @ kron_all([expm(-0.5j * angles[l, s] * PAULI["Y"]) for s in range(n)]) @ U
    V = c.unitary()
    assert np.allclose(V, U, atol=1e-12)
    assert np.abs(V.imag).max() == 0 and np.allclose(V.T @ V, np.eye(2**n), atol=1e-12)
    assert np.allclose(sample_circuit("real-hea", n, rng=seed, layers=L).unitary(), V)
    # not real: the paper's hea (random X/Z axes)
    assert np.abs(hea_circuit(n, layers=L, rng=seed).unitary().imag).max() > 1e-3


def test_real_hea_layers_at_three_qubits_fix_a_second_two_copy_vector():
    """The average over θ of one real-hea layer on two copies, T = CZ⊗CZ · E[R⊗R] (exact: a degree-2
    trigonometric polynomial averaged over θ ∈ {0, π/2, π, 3π/2}), fixes the vectors invariant under the
    group the layers generate.  Haar O(d) fixes only Σ_i |ii> (d ≥ 2); at n = 3 the real-hea layers fix
    two, so they do not generate a dense subgroup of O(8) (at n = 2: one, as for O(4))."""

    def fixed_dimension(n):
        d = 2**n
        one = sum(np.kron(ry(t).real, ry(t).real) for t in np.arange(4) * np.pi / 2) / 4
        M = np.ones((1, 1))
        for _ in range(n):
            M = np.kron(M, one)  # order (q1, q1', q2, q2', ...)
        perm = [2 * k for k in range(n)] + [2 * k + 1 for k in range(n)]
        M = M.reshape([2] * (4 * n)).transpose(perm + [2 * n + p for p in perm]).reshape(d * d, d * d)
        cz = np.diag(cz_chain_diagonal(n).reshape(-1))
        ev = np.linalg.eigvals(np.kron(cz, cz) @ M)
        return int(np.sum(np.abs(ev - 1) < 1e-8))

    assert fixed_dimension(2) == 1 and fixed_dimension(3) == 2
    # the second one is Y_1 Y_3: it commutes with every R_Y and with the CZ chain (CZ Y_1 Y_3 CZ = Y_1 Z_2 Z_2 Y_3)
    y13 = kron_all([PAULI["Y"], np.eye(2), PAULI["Y"]])
    for seed in range(3):
        U = real_hea_circuit(3, layers=5, rng=seed).unitary()
        assert np.allclose(U @ y13, y13 @ U, atol=1e-12)
    assert not np.allclose(
        hea_circuit(3, layers=5, rng=0).unitary() @ y13, y13 @ hea_circuit(3, layers=5, rng=0).unitary()
    )


def test_real_hea_generates_a_group_of_dimension_n_times_n_plus_1():
    """A layer with every θ = 0 is the CZ chain, so the real-hea layers generate the group generated by the
    rotations exp(-iθ Y_i/2) and their CZ conjugates exp(-iθ Z_{i-1} Y_i Z_{i+1}/2) (CZ Y_i CZ = Z Y Z).
    The real Lie algebra spanned by i Y_i, i Z_{i-1} Y_i Z_{i+1} and their commutators has dimension
    n(n + 1) for n = 2 … 5, against dim so(2^n) = 2^n (2^n - 1)/2 (equal only at n = 2): at every depth
    real-hea stays in a small subgroup of SO(2^n), far from Haar on O(d)."""
    I2, Y, Z = np.eye(2), PAULI["Y"], PAULI["Z"]

    def lie_dimension(n):
        gens = []
        for i in range(n):
            for conj in (False, True):
                ops = [I2] * n
                ops[i] = Y
                if conj:
                    if i > 0:
                        ops[i - 1] = Z
                    if i < n - 1:
                        ops[i + 1] = Z
                gens.append(1j * kron_all(ops))
        basis, elems = [], []

        def add(m):
            v = m.reshape(-1).copy()
            for b in basis:
                v = v - b * np.vdot(b, v)
            if np.linalg.norm(v) > 1e-8:
                basis.append(v / np.linalg.norm(v))
                elems.append(m)

        for g in gens:
            add(g)
        i = 0
        while i < len(elems):
            for j in range(i):
                c = elems[i] @ elems[j] - elems[j] @ elems[i]
                if np.abs(c).max() > 1e-9:
                    add(c)
            i += 1
        return len(basis)

    dims = [lie_dimension(n) for n in (2, 3, 4, 5)]
    assert dims == [n * (n + 1) for n in (2, 3, 4, 5)]
    assert dims[0] == 6 and all(dim < 2**n * (2**n - 1) // 2 for dim, n in zip(dims[1:], (3, 4, 5)))


def embed(gate, pair, n, q=2):
    """The dense ``q^n × q^n`` matrix of a gate on the neighbouring sites ``pair = (s, s + 1)``."""
    s = pair[0]
    assert pair == (s, s + 1)
    return kron_all([np.eye(q**s), gate, np.eye(q ** (n - s - 2))])


@pytest.mark.parametrize(
    "n, L, pairs",
    [
        (4, 3, [(0, 1), (2, 3), (1, 2), (0, 1), (2, 3)]),  # even layer: site 0 and site 3 idle
        (5, 2, [(0, 1), (2, 3), (1, 2), (3, 4)]),  # odd layer: site 4 idles
        (2, 3, [(0, 1), (0, 1)]),  # layer 2 has no pair on two sites
    ],
)
def test_brickwork_places_its_gates_as_specified(monkeypatch, n, L, pairs):
    """Spy on the Haar draws: gate k of the circuit is draw k, on the k-th pair of the specification
    (odd layers (0,1), (2,3), …; even layers (1,2), (3,4), …; layer 1 first), and the circuit applies them
    in that order: its unitary is the product of the embedded gates, the first on the right."""
    drawn = []
    real = ensembles.haar_unitary

    def spy(d, rng):
        drawn.append(real(d, rng))
        return drawn[-1]

    monkeypatch.setattr(ensembles, "haar_unitary", spy)
    c = brickwork_circuit(n, layers=L, rng=3)
    assert [op[0] for op in c.ops] == ["gate"] * len(pairs)
    assert [op[1] for op in c.ops] == pairs
    assert all(op[2] is g for op, g in zip(c.ops, drawn)) and len(drawn) == len(pairs)
    U = np.eye(2**n, dtype=complex)
    for pair, g in zip(pairs, drawn):
        U = embed(g, pair, n) @ U
    assert np.allclose(c.unitary(), U, atol=1e-12)
    assert [p for layer in range(1, L + 1) for p in brickwork_pairs(n, layer)] == pairs


def test_brickwork_light_cone():
    """Heisenberg picture: U† Z_0 U of a depth-2 brickwork lives on sites {0, 1} (layer 2 leaves site 0
    alone, layer 1 couples it to site 1), so it commutes with X on site 2; at depth 3 it reaches site 2
    (and site 3) and no longer does.  Fails if the even layer came first or the pairs were shifted."""
    n = 5
    X2 = kron_all([np.eye(4), PAULI["X"], np.eye(4)])
    Z0 = kron_all([PAULI["Z"], np.eye(16)])
    for L, commutes in ((1, True), (2, True), (3, False)):
        U = brickwork_circuit(n, layers=L, rng=L).unitary()
        A = U.conj().T @ Z0 @ U
        assert bool(np.abs(A @ X2 - X2 @ A).max() < 1e-12) is commutes, L


@pytest.mark.parametrize("q", [2, 3])
def test_each_brickwork_gate_is_a_two_design(q):
    """One gate (n = 2, L = 1) has the Haar frame potential F2 = 2 (Lemma 1.4: a 2-design iff F2 = 2! for
    d = q² >= 2), resolved well enough (5 standard errors < 1) to tell it from F2 >= 3 (for two qubits, a
    product of single-site Haar unitaries, a 1-design only, has F2 = 2^2 = 4: tests/test_ensembles.py
    test_frame_potentials checks the 2^n of haar_layer)."""
    gen = np.random.default_rng(q)
    f, se = frame_potential_from_sampler(lambda: brickwork_circuit(2, q, layers=1, rng=gen).unitary(), samples=1500)
    assert abs(f - 2) < 5 * se and 5 * se < 1.0


def test_sample_circuit_brickwork_and_depths():
    assert FINITE_DEPTH_ENSEMBLES == ("hea", "brickwork", "real-hea")
    c = sample_circuit("brickwork", 4, 3, rng=0, layers=2)
    assert c.name == "brickwork(n=4, q=3, L=2)" and len(c.ops) == 3
    assert len(brickwork_circuit(3, rng=0).ops) == 30  # default depth 10 n = 30, one gate per layer
    a = sample_circuit("brickwork", 3, rng=1, layers=4).unitary()
    assert np.allclose(a, brickwork_circuit(3, layers=4, rng=1).unitary())
    assert np.allclose(brickwork_circuit(3, layers=0, rng=0).unitary(), np.eye(8))
    with pytest.raises(ValueError, match="layers is only for the ensembles"):
        sample_circuit("haar_layer", 3, layers=1)
