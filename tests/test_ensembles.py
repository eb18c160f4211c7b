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
    assert FINITE_DEPTH_ENSEMBLES == ("hea", "brickwork")
    c = sample_circuit("brickwork", 4, 3, rng=0, layers=2)
    assert c.name == "brickwork(n=4, q=3, L=2)" and len(c.ops) == 3
    assert len(brickwork_circuit(3, rng=0).ops) == 30  # default depth 10 n = 30, one gate per layer
    a = sample_circuit("brickwork", 3, rng=1, layers=4).unitary()
    assert np.allclose(a, brickwork_circuit(3, layers=4, rng=1).unitary())
    assert np.allclose(brickwork_circuit(3, layers=0, rng=0).unitary(), np.eye(8))
    with pytest.raises(ValueError, match="layers is only for the ensembles"):
        sample_circuit("haar_layer", 3, layers=1)
