"""Tests of circuits/second_moments.py: each gate map against an independent numeric computation."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from weingarten_check.calculus.unitary_integrals import twirl
from weingarten_check.circuits import ensembles
from weingarten_check.circuits import second_moments as sm

P = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])]
SWAP1 = np.eye(4)[[0, 2, 1, 3]]  # swap of the two copies of one qubit
ZERO_ID = np.kron(np.diag([1.0, 0.0]), np.eye(2))


def label_op(lab: int) -> np.ndarray:
    """The per-site two-copy operator of a label, on (copy 1, copy 2) of the site."""
    if lab == sm.SWAP:
        return SWAP1
    if lab == sm.ZERO_ID:
        return ZERO_ID
    return np.kron(P[lab // 4], P[lab % 4])


def product_op(labels) -> np.ndarray:
    """A product of per-site labels as an operator on (copy 1 sites) ⊗ (copy 2 sites)."""
    k = len(labels)
    op = np.eye(1)
    for lab in labels:
        op = np.kron(op, label_op(lab))  # order (s0c1, s0c2, s1c1, s1c2, ...)
    perm = [2 * i for i in range(k)] + [2 * i + 1 for i in range(k)]
    T = op.reshape((2,) * (4 * k))
    T = T.transpose(perm + [2 * k + p for p in perm])
    return T.reshape(4**k, 4**k)


def image_op(pairs) -> np.ndarray:
    return sum(complex(c) * product_op(labs) for labs, c in pairs)


def test_qsqrt2_arithmetic_matches_sympy():
    rng = np.random.default_rng(3)
    for _ in range(20):
        x = sm.QSqrt2(Fraction(int(rng.integers(-9, 9)), 7), Fraction(int(rng.integers(-9, 9)), 5))
        y = sm.QSqrt2(Fraction(int(rng.integers(1, 9)), 3), Fraction(int(rng.integers(-9, 9)), 2))
        X, Y = x.to_sympy(), y.to_sympy()
        assert sp.simplify((x * y).to_sympy() - X * Y) == 0
        assert sp.simplify((x + y).to_sympy() - X - Y) == 0
        assert sp.simplify((x / y).to_sympy() - X / Y) == 0
        assert abs(float(x) - float(X)) < 1e-12


@pytest.mark.parametrize("labels", [(5, 0), (0, sm.SWAP), (15, 10), (sm.ZERO_ID, sm.ZERO_ID), (6, 9), (1, 4)])
def test_haar_gate_equals_engine_twirl(labels):
    out = sm.MomentGate("haar", (0, 1)).apply_local(labels)
    assert np.allclose(image_op(out), twirl(product_op(labels), 2), atol=1e-12)


def test_haar_gate_one_site_and_qudit_labels():
    out = sm.MomentGate("haar", (0,)).apply_local((5,))  # σx⊗σx on one qubit: (2F - I)/3 = -I/3 + 2/3 s
    assert np.allclose(image_op(out), twirl(label_op(5), 2), atol=1e-12)
    assert sm.MomentGate("haar", (0, 1), q=3).apply_local((0, sm.SWAP)) == (
        ((0, 0), Fraction(3, 10)),
        ((sm.SWAP, sm.SWAP), Fraction(3, 10)),
    )  # q/(q²+1) at q = 3
    with pytest.raises(ValueError, match="label"):
        sm.label_traces(5, q=3)


def test_rotation_matrix_equals_seven_point_average():
    """Seven equally spaced angles are exact up to degree 6: an independent numeric reference."""
    ref = np.zeros((16, 16))
    for ax in (1, 2, 3):
        for th in 2 * np.pi * np.arange(7) / 7:
            R = np.cos(th / 2) * np.eye(2) - 1j * np.sin(th / 2) * P[ax]
            for i, j in itertools.product(range(16), repeat=2):
                a, b = divmod(i, 4)
                c, d = divmod(j, 4)
                ref[i, j] += np.real(
                    np.trace(P[a] @ R @ P[c] @ R.conj().T) * np.trace(P[b] @ R @ P[d] @ R.conj().T)
                ) / (4 * 21)
    M = np.array(sm.rotation_moment_matrix("XYZ"), dtype=float)
    assert np.allclose(M, ref, atol=1e-12)
    with pytest.raises(ValueError, match="axes"):
        sm.rotation_moment_matrix("XQ")


@pytest.mark.parametrize(
    ("name", "sites", "U"), [("CZ", (0, 1), np.diag([1, 1, 1, -1])), ("RY(pi/4)", (0,), ensembles.ry(np.pi / 4))]
)
def test_fixed_gates_conjugate(name, sites, U):
    k = len(sites)
    rng = np.random.default_rng(5)
    for _ in range(6):
        labels = tuple(int(x) for x in rng.integers(0, 16, size=k))
        UU = np.kron(U, U)
        for dagger in (False, True):
            V = UU.conj().T if dagger else UU
            ref = V @ product_op(labels) @ V.conj().T
            out = sm.MomentGate("fixed", sites, spec=name).apply_local(labels, dagger)
            assert np.allclose(image_op([(lab, float(c)) for lab, c in out]), ref, atol=1e-12)


def test_propagate_rejects_overlapping_gates_and_bad_gates():
    g1, g2 = sm.MomentGate("haar", (0, 1)), sm.MomentGate("haar", (1, 2))
    with pytest.raises(ValueError, match="overlap"):
        sm.propagate({(0, 5, 0): Fraction(1)}, [[g1, g2]], heisenberg=True)
    with pytest.raises(ValueError, match="q must be 2"):
        sm.MomentGate("rotation", (0,), q=3, spec="X")
    with pytest.raises(ValueError, match="unknown fixed gate"):
        sm.MomentGate("fixed", (0,), spec="T")


def test_dense_and_sparse_propagation_agree():
    """The HEA chain (n = 3, two layers), dense exact integers against the sparse dict, exactly."""
    X = {(15, 5, 0): Fraction(1, 3), (sm.SWAP, 10, 1): Fraction(-2)}
    layers = sm.hea_layers(3, 2)
    sparse = sm.propagate(X, layers, heisenberg=True)
    D = sm.DenseTwoCopy.from_sparse(X, 3)
    for layer in reversed(layers):
        for g in layer:
            D.apply_gate(g, dagger=True)
    fs = [sm.product_state_functional((sm.QSqrt2(0, Fraction(1, 2)), 0, sm.QSqrt2(0, Fraction(1, 2))))] * 3
    assert D.reduce().pair(fs) == sm.pair_with_product_state(sparse, fs)
    assert sm.DenseTwoCopy.from_sparse(sparse, 3).to_sparse() == D.to_sparse()


def test_layers_match_the_samplers():
    """hea_layers follows hea_circuit's operation order (Ry(π/4) layer, then rotations then the CZ chain)."""
    c = ensembles.hea_circuit(4, layers=2, rng=0)
    assert [op[0] for op in c.ops] == ["layer", "layer", "diag", "layer", "diag"]
    lay = sm.hea_layers(4, 2)
    assert [g.spec for g in lay[0]] == ["RY(pi/4)"] * 4
    assert [[g.kind for g in x] for x in lay[1:4]] == [["rotation"] * 4, ["fixed"] * 2, ["fixed"]]
    assert [[g.sites for g in x] for x in sm.brickwork_layers(6, 3)] == [
        [(0, 1), (2, 3), (4, 5)],
        [(1, 2), (3, 4)],
        [(0, 1), (2, 3), (4, 5)],
    ]
    assert [[g.spec for g in x] for x in sm.local1_layers(2)] == [["Z", "Z"], ["Y", "Y"], ["Z", "Z"]]


def test_y_rotation_map_equals_numeric_average_and_closed_form():
    """The one-axis map (real-hea) against five equally spaced angles (exact up to degree 4, numerically),
    and its closed form: the projection onto I, Y pairs and the two rotation invariants XX+ZZ, XZ-ZX
    (R_Y(θ) rotates (Z, X) by θ; r(θ)⊗r(θ) averages to the projection onto its fixed vectors)."""
    ref = np.zeros((16, 16))
    for th in 2 * np.pi * np.arange(5) / 5:
        R = ensembles.ry(th)
        for i, j in itertools.product(range(16), repeat=2):
            a, b = divmod(i, 4)
            c, d = divmod(j, 4)
            ref[i, j] += np.real(np.trace(P[a] @ R @ P[c] @ R.conj().T) * np.trace(P[b] @ R @ P[d] @ R.conj().T)) / 20
    M = sm.rotation_moment_matrix("Y")
    assert np.allclose(np.array(M, dtype=float), ref, atol=1e-12)
    closed = sp.zeros(16, 16)
    for mu, nu in itertools.product((0, 2), repeat=2):  # I, Y on both copies: fixed
        closed[4 * mu + nu, 4 * mu + nu] = 1
    for v in ((5, 15, 1), (7, 13, -1)):  # (XX + ZZ)/√2 and (XZ - ZX)/√2
        u = sp.zeros(16, 1)
        u[v[0]], u[v[1]] = 1, v[2]
        closed += u * u.T / 2
    assert M == closed and M.rank() == 6


def test_real_hea_layers_match_the_sampler():
    """real_hea_layers follows real_hea_circuit: the Ry(π/4) layer, then per layer R_Y on every qubit, CZ chain."""
    c = ensembles.real_hea_circuit(4, layers=2, rng=0)
    assert [op[0] for op in c.ops] == ["layer", "layer", "diag", "layer", "diag"]
    assert np.allclose(c.ops[0][1][0], ensembles.ry(np.pi / 4).real)
    assert np.allclose(c.ops[2][1], ensembles.cz_chain_diagonal(4).reshape(c.ops[2][1].shape))
    lay = sm.real_hea_layers(4, 2)
    assert [g.spec for g in lay[0]] == ["RY(pi/4)"] * 4
    assert [[(g.kind, g.spec) for g in x] for x in lay[1:4]] == [
        [("rotation", "Y")] * 4,
        [("fixed", "CZ")] * 2,
        [("fixed", "CZ")],
    ]
    assert [[g.sites for g in x] for x in lay[2:4]] == [[(0, 1), (2, 3)], [(1, 2)]]
    # the sampler's angles: a layer gate is R_Y(θ) = exp(-iθY/2) (real), the engine's rotation with axis Y
    th = 1.234
    assert np.allclose(ensembles.ry(th).real, ensembles.pauli_rotation("Y", th))


# ------------------------------------------------------------------------------------------ qudit labels
def unit_dense(lab: int, q: int) -> np.ndarray:
    """The per-site two-copy operator of label 0, SWAP or a matrix-unit pair, on (copy 1, copy 2)."""
    if lab == 0:
        return np.eye(q * q)
    if lab == sm.SWAP:
        return np.eye(q * q).reshape(q, q, q, q).transpose(0, 1, 3, 2).reshape(q * q, q * q)
    a, b = divmod(lab - sm.UNIT_BASE, q * q + 1)

    def u(x):
        m = np.eye(q) if x == 0 else np.zeros((q, q))
        if x:
            m[divmod(x - 1, q)] = 1
        return m

    return np.kron(u(a), u(b))


@pytest.mark.parametrize("q", [2, 3])
def test_unit_labels_traces_and_zero_functional_match_dense(q):
    """label_traces = (tr z, tr(s z)) and zero_state_functional = <00|z|00> for every matrix-unit pair label."""
    S = unit_dense(sm.SWAP, q)
    zero = np.zeros(q * q)
    zero[0] = 1  # |0>|0> of the two copies
    f = sm.zero_state_functional(q)
    assert len(f) == sm.n_labels(q)
    labs = [0, sm.SWAP] + [sm.unit_pair_label(a, b, q) for a in range(q * q + 1) for b in range(q * q + 1) if a or b]
    assert len(set(labs)) == len(labs) == (q * q + 1) ** 2 + 1 and max(labs) < sm.n_labels(q)
    for lab in labs:
        z = unit_dense(lab, q)
        tr, trs = sm.label_traces(lab, q)
        assert (tr, trs) == (np.trace(z), np.trace(S @ z))
        assert f[lab] == zero @ z @ zero


def test_haar_gate_on_qutrit_unit_labels_equals_engine_twirl():
    """A 2-qutrit Haar gate on a product of unit labels (copy order per site) equals the engine's dense twirl."""
    q = 3
    rng = np.random.default_rng(3)
    labs = [sm.unit_pair_label(a, b, q) for a in range(10) for b in range(10) if a or b]
    perm = [0, 2, 1, 3]  # operator on (s0c1, s0c2, s1c1, s1c2) -> (c1: s0 s1, c2: s0 s1)

    def reorder(op):
        return op.reshape((q,) * 8).transpose(perm + [4 + p for p in perm]).reshape(81, 81)

    for _ in range(4):
        x, y = (int(v) for v in rng.choice(labs, size=2))
        out = sm.MomentGate("haar", (0, 1), q).apply_local((x, y))
        Z = reorder(np.kron(unit_dense(x, q), unit_dense(y, q)))
        got = sum(float(c) * reorder(np.kron(unit_dense(a, q), unit_dense(b, q))) for (a, b), c in out)
        assert np.allclose(got, twirl(Z, 2), atol=1e-12)


def test_unit_labels_bad_input():
    with pytest.raises(ValueError, match=r"\bb\b"):
        sm.unit_pair_label(1, 10, 3)
    with pytest.raises(ValueError, match="qubit labels"):
        sm.MomentGate("rotation", (0,), spec="XYZ").apply_local((sm.unit_pair_label(1, 1, 2),))
    with pytest.raises(ValueError, match="qubit labels"):
        sm.DenseTwoCopy.from_sparse({(sm.unit_pair_label(1, 1, 2),): Fraction(1)}, 1)
    with pytest.raises(ValueError, match="label"):
        sm.pair_with_product_state({(5,): Fraction(1)}, [sm.zero_state_functional(3)])


def test_two_site_projection_is_product_of_swaps_minus_identity_over_q_squared():
    """P_A for A = (0, 1): on X⊗X (copy 1, copy 2) at both sites, tr(E_A z) = 2·2 - 0 = 4, so the image is
    4 (s⊗s - I/4); the one-site P_A of site 0 differs."""
    op = {(sm.PAULI_PAIR[1, 1], sm.PAULI_PAIR[1, 1], 0): Fraction(1)}
    assert sm.apply_projection_A(op, (0, 1)) == {(sm.SWAP, sm.SWAP, 0): 4, (0, 0, 0): -1}
    assert sm.apply_projection_A(op, (0, 1)) != sm.apply_projection_A(op, 0)
    with pytest.raises(ValueError, match="site"):
        sm.apply_projection_A(op, (0, 0))


# ---------------------------------------------------------------------------------------------
# user circuits: multi-site rotations, registered fixed gates, P_A on two sites, dense on any sites
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", ["XZ", "YY", "ZI"])
def test_two_site_rotation_equals_numeric_angle_average(spec):
    """exp(-iθP/2) on two sites, θ uniform: the map equals the average over 8 equispaced angles of the
    conjugation by the actual matrices (exact for the degree-2 trigonometric polynomial)."""
    Pm = np.kron(P["IXYZ".index(spec[0])], P["IXYZ".index(spec[1])])
    g = sm.MomentGate("rotation", (0, 1), spec=spec)
    rng = np.random.default_rng(3)
    for _ in range(6):
        labels = tuple(int(x) for x in rng.integers(0, 16, size=2))
        ref = 0
        for t in np.arange(8) * 2 * np.pi / 8:
            R = np.cos(t / 2) * np.eye(4) - 1j * np.sin(t / 2) * Pm
            V = np.kron(R, R)
            ref = ref + V @ product_op(labels) @ V.conj().T / 8
        out = g.apply_local(labels)
        assert np.allclose(image_op([(lab, float(c)) for lab, c in out]), ref, atol=1e-12)


def test_rotation_specs_are_checked():
    with pytest.raises(ValueError, match="one Pauli string of that length"):
        sm.MomentGate("rotation", (0, 1), spec="XYZ")
    with pytest.raises(ValueError, match="one Pauli string of that length"):
        sm.MomentGate("rotation", (0, 1), spec="II")
    with pytest.raises(ValueError, match="distinct axes from 'XYZ'"):
        sm.MomentGate("rotation", (0,), spec="XX")


def test_register_fixed_gate_checks_exactness_and_names():
    iswap = sp.Matrix([[1, 0, 0, 0], [0, 0, sp.I, 0], [0, sp.I, 0, 0], [0, 0, 0, 1]])
    assert sm.register_fixed_gate("test-iswap", iswap) == "test-iswap"
    assert sm.register_fixed_gate("test-iswap", iswap) == "test-iswap"  # the same matrix: a no-op
    # the same matrix written differently (e^{iπ/4} vs (1 + i)/√2) is the same gate, whichever came first
    sm.register_fixed_gate("test-t", sp.diag(1, (1 + sp.I) / sp.sqrt(2)))
    assert sm.register_fixed_gate("test-t", sp.diag(1, sp.exp(sp.I * sp.pi / 4))) == "test-t"
    U = np.array(iswap.evalf(), dtype=complex)
    labels = (7, 5)  # σx⊗σz on site 0, σx⊗σx on site 1
    ref = np.kron(U, U) @ product_op(labels) @ np.kron(U, U).conj().T
    out = sm.MomentGate("fixed", (0, 1), spec="test-iswap").apply_local(labels)
    assert np.allclose(image_op([(lab, float(c)) for lab, c in out]), ref, atol=1e-12)
    with pytest.raises(ValueError, match="already registered with a different matrix"):
        sm.register_fixed_gate("test-iswap", sp.eye(4))
    with pytest.raises(ValueError, match="not exactly unitary"):
        sm.register_fixed_gate("test-bad", sp.Matrix([[1, 1], [0, 1]]))
    with pytest.raises(ValueError, match="not in Q"):
        sm.register_fixed_gate("test-pi3", sp.diag(1, sp.exp(sp.I * sp.pi / 3)))
    with pytest.raises(ValueError, match="2\\^k x 2\\^k"):
        sm.register_fixed_gate("test-3", sp.eye(3))
    assert "test-bad" not in sm.FIXED_GATES and "test-pi3" not in sm.FIXED_GATES


def test_projection_on_two_sites_equals_its_definition():
    """P_A(Z) = E_A ⊗ tr_{AA'}[(E_A ⊗ I) Z] with E_A = F_A - I/4 on A = sites (0, 2) of 3, for products Z:
    tr over A computed from the dense two-copy matrices; the sparse map and the dense array agree."""
    E_A = product_op((sm.SWAP, sm.SWAP)) - np.eye(16) / 4
    rng = np.random.default_rng(5)
    for _ in range(8):
        labels = tuple(int(x) for x in rng.integers(0, 18, size=3))
        t = np.trace(E_A @ product_op((labels[0], labels[2])))
        ref = t * (product_op((sm.SWAP, labels[1], sm.SWAP)) - product_op((0, labels[1], 0)) / 4)
        out = sm.apply_projection_A({labels: Fraction(1)}, (0, 2))
        assert np.allclose(image_op(list(out.items())) if out else 0, ref, atol=1e-12)
    X = {tuple(int(x) for x in rng.integers(0, 16, size=3)): Fraction(int(rng.integers(1, 9))) for _ in range(30)}
    X[(5, 3, 15)] = Fraction(1)  # a non-zero image
    sparse = sm.apply_projection_A(X, (2, 0))
    D = sm.DenseTwoCopy.from_sparse(X, 3).project_A((2, 0))
    assert sm.DenseTwoCopy.from_sparse(sparse, 3).to_sparse() == D.to_sparse() != {}


def test_dense_gate_on_non_adjacent_sites_in_any_order():
    """A CX-like fixed gate on sites (2, 0) and a ZX rotation on (3, 1): dense equals sparse exactly."""
    cx = sp.Matrix([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
    sm.register_fixed_gate("test-cx", cx)
    gates = [sm.MomentGate("fixed", (2, 0), spec="test-cx"), sm.MomentGate("rotation", (3, 1), spec="ZX")]
    X = {(15, 0, 5, 1): Fraction(1), (0, 10, 7, 15): Fraction(-1, 3), (sm.SWAP, 5, 0, 0): Fraction(2)}
    sparse = sm.propagate(X, [[g] for g in gates], heisenberg=True)
    D = sm.DenseTwoCopy.from_sparse(X, 4)
    for g in reversed(gates):
        D.apply_gate(g, dagger=True)
    assert sm.DenseTwoCopy.from_sparse(sparse, 4).reduce().to_sparse() == D.reduce().to_sparse()
