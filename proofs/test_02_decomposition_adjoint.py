"""Lemma 2 — identity part + traceless-on-A part; the adjoint representation (DERIVATION.md §2)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from _helpers import (
    PROOFS,
    adjoint_rep,
    cayley_unitary,
    gell_mann_exact,
    is_zero,
    kron,
    lemma,
    mat_is_zero,
    ptrace_A_exact,
    random_rational_antihermitian,
    random_unitary,
    symbolic_matrix,
)
from _index_calculus import Idx, Rules, completeness, equal, multiply, sum_over, term
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation


# ---------------------------------------------------------------------------------------------
# 2.1 decomposition
# ---------------------------------------------------------------------------------------------
def decomposition_residual(X: sp.Matrix, dA: int, dB: int, identity_weight=None) -> sp.Matrix:
    """X - [I_A/dA ⊗ tr_A X + Σ_a G_a ⊗ tr_A((G_a ⊗ I) X)]  (identity_weight replaces 1/dA in mutants)."""
    w = sp.Rational(1, dA) if identity_weight is None else identity_weight
    out = w * kron(sp.eye(dA), ptrace_A_exact(X, dA, dB))
    for g in gell_mann_exact(dA):
        out += kron(g, ptrace_A_exact(kron(g, sp.eye(dB)) * X, dA, dB))
    return sp.expand(X - out)


DA, DB = sp.symbols("d_A d_B", positive=True, integer=True)


def decomposition_holds_all_dims(identity_weight=None) -> bool:
    """Lemma 2.1 for every dA (and every dB: blocks X_ij = <i|X|j> are opaque operators on B), by index
    calculus: block (k, l) of I_A/dA ⊗ tr_A X + Σ_a G_a ⊗ tr_A((G_a ⊗ I) X) is
    δ_kl/dA Σ_m X_mm + Σ_ij [Σ_a (G_a)_kl (G_a)_ji] X_ij, and with 2.1b it must equal X_kl."""
    k, l, i, j, m = (Idx(n, DA) for n in "klijm")
    w = 1 / DA if identity_weight is None else identity_weight
    rhs = [term(w, ("X", (m, m)), deltas=[(k, l)], summed=[m])]
    rhs += sum_over(multiply(completeness(k, l, j, i), [term(1, ("X", (i, j)))]), i, j)
    return equal([term(1, ("X", (k, l)))], rhs)


@lemma(
    "2.1",
    "X = I_A/dA ⊗ tr_A X + Σ_a G_a ⊗ tr_A((G_a ⊗ I) X) for every X on A⊗B",
    "symbolic dA, dB (index calculus + 2.1b)",
)
def test_lemma_2_1_decomposition_all_dims():
    """Lemma 2.1 for every dA, dB (symbolic): the block identity follows from the completeness relation
    2.1b and Kronecker-delta contraction (proofs/_index_calculus.py)."""
    assert decomposition_holds_all_dims()


@pytest.mark.parametrize("dA,dB", [(2, 1), (2, 2), (3, 1), (3, 2), (4, 1)])
@lemma(
    "2.1",
    "X = I_A/dA ⊗ tr_A X + Σ_a G_a ⊗ tr_A((G_a ⊗ I) X) for every X on A⊗B",
    "cross-check: exact, arbitrary symbolic X, (dA, dB) = (2,1), (2,2), (3,1), (3,2), (4,1)",
)
def test_lemma_2_1_decomposition(dA, dB):
    """Lemma 2.1. For every operator X on A ⊗ B:
    X = I_A/dA ⊗ tr_A X + Σ_a G_a ⊗ tr_A((G_a ⊗ I_B) X)   (identity part + traceless-on-A part).
    Cross-check of the symbolic proof with explicit Gell-Mann matrices, exactly on a matrix of independent
    symbols for the listed (dA, dB)."""
    X = symbolic_matrix("X", dA * dB)
    assert mat_is_zero(decomposition_residual(X, dA, dB))


@lemma(
    "2.1",
    "completeness Σ_a (G_a)_ij (G_a)_kl = δ_il δ_jk - δ_ij δ_kl / dA (2.1b)",
    "symbolic dA (telescoping sums over the diagonal Gell-Mann matrices); exact entry check dA = 2..5",
)
def test_lemma_2_1b_completeness_symbolic():
    """Lemma 2.1b for every dA.  Σ_a G_a ⊗ G_a splits into the pairs p < q — (sym ⊗ sym + antisym ⊗ antisym)
    = E_pq ⊗ E_qp + E_qp ⊗ E_pq (exact algebra in the two matrix units) — and the diagonal matrices
    D_l = (Σ_{t<l} E_tt - l E_ll)/sqrt(l(l+1)), l = 1..dA-1, whose contribution to E_jj ⊗ E_kk is
    Σ_{l>max(j,k)} 1/(l(l+1)) plus the l = max(j,k) term: = 1 - 1/dA for j = k and -1/dA for j ≠ k
    (telescoping sums, symbolic in dA, j, k).  Together: δ_il δ_jk - δ_ij δ_kl/dA."""
    x, y, xp, yp = sp.symbols("x y xp yp")  # E_pq, E_qp in the left and in the right factor (bilinear)
    sym = (x + y) * (xp + yp) / 2
    anti = (-sp.I * x + sp.I * y) * (-sp.I * xp + sp.I * yp) / 2
    assert is_zero(sym + anti - (x * yp + y * xp))
    j, k, l = sp.symbols("j k l", integer=True, nonnegative=True)
    tail = lambda start: sp.summation(1 / (l * (l + 1)), (l, start, DA - 1))  # noqa: E731
    assert is_zero(tail(j + 1) + j / (j + 1) - (1 - 1 / DA))  # (j, j): l > j, and l = j (j²/(j(j+1)), 0 for j = 0)
    assert is_zero(tail(k + 1) - 1 / (k + 1) + 1 / DA)  # (j, k), j < k: l > k, and l = k (1·(-k)/(k(k+1)))
    # the entries of the implemented basis are the ones used above
    for dA in (2, 3, 4, 5):
        D = gell_mann_exact(dA)[dA * (dA - 1) :]
        for li, Dl in enumerate(D, start=1):
            for t in range(dA):
                want = (1 if t < li else (-li if t == li else 0)) / sp.sqrt(li * (li + 1))
                assert is_zero(Dl[t, t] - want)


@pytest.mark.mutant
@lemma("2.1", "mutant: identity part with weight 1.01/dA", "symbolic dA, dB; and dA = dB = 2 explicitly")
def test_lemma_2_1_mutant_rejected():
    """Weighting the identity part by 1.01/dA instead of 1/dA is rejected by both checkers."""
    assert not decomposition_holds_all_dims(sp.Rational(101, 100) / DA)
    X = symbolic_matrix("X", 4)
    assert not mat_is_zero(decomposition_residual(X, 2, 2, identity_weight=sp.Rational(101, 200)))


# ---------------------------------------------------------------------------------------------
# 2.2 adjoint representation is real orthogonal
# ---------------------------------------------------------------------------------------------
def adjoint_rep_exact(U: sp.Matrix, basis) -> sp.Matrix:
    n = len(basis)
    return sp.Matrix(n, n, lambda a, b: (basis[a] * U * basis[b] * U.H).trace())


A1, A2, B1, B2 = sp.symbols("a1 a2 b1 b2", real=True)
SU2_RELATION = [A1**2 + A2**2 + B1**2 + B2**2 - 1]


def generic_su2() -> sp.Matrix:
    """Every element of SU(2): [[a, -conj b], [b, conj a]], a = a1 + i a2, b = b1 + i b2, |a|² + |b|² = 1."""
    a, b = A1 + sp.I * A2, B1 + sp.I * B2
    return sp.Matrix([[a, -sp.conjugate(b)], [b, sp.conjugate(a)]])


def reduce_mod(e: sp.Expr, relations, gens) -> sp.Expr:
    """Normal form of a polynomial modulo the (Gröbner basis of the) relations."""
    e = sp.expand(e)
    if e == 0:
        return e
    G = sp.groebner(relations, *gens, order="grevlex")
    return G.reduce(e)[1]


def is_real_orthogonal(R: sp.Matrix, relations=(), gens=()) -> bool:
    """R real and R^T R = I (exactly, modulo the polynomial relations on the parameters)."""
    Rs = R.applyfunc(lambda e: sp.expand(sp.expand_complex(e)))
    red = (lambda e: reduce_mod(e, list(relations), gens)) if relations else sp.simplify
    real = all(is_zero(red(sp.im(e))) for e in Rs)
    Rr = Rs.applyfunc(sp.re)
    return real and all(is_zero(red(e)) for e in (Rr.T * Rr - sp.eye(R.shape[0])))


def adjoint_real_orthogonal_all_dims(basis_norm=1) -> bool:
    """Lemma 2.2 for every dA, by index calculus: with R_ab = Σ (G_a)_pq U_qr (G_b)_rs conj(U_ps),
    (i) conj(R_ab) = R_ab (G Hermitian: conj((G)_pq) = (G)_qp), and (ii) Σ_a R_ab R_ac = tr(G_b G_c)
    (= δ_bc), using only 2.1b (scaled by basis_norm² for a basis with tr(G_a G_b) = basis_norm² δ_ab),
    unitarity of U and tr G_b = 0."""
    rules = Rules(unitary=[("U", "Ubar")], traceless=["Gb", "Gc"])
    p, q, r, s_, p2, q2, r2, s2, x, y = (Idx(n, DA) for n in ["p", "q", "r", "s", "p2", "q2", "r2", "s2", "x", "y"])
    R = [term(1, ("Ga", (p, q)), ("U", (q, r)), ("Gb", (r, s_)), ("Ubar", (p, s_)), summed=[p, q, r, s_])]
    R_conj = [term(1, ("Ga", (q, p)), ("Ubar", (q, r)), ("Gb", (s_, r)), ("U", (p, s_)), summed=[p, q, r, s_])]
    comp = [sp.sympify(basis_norm) ** 2 * t.coeff for t in completeness(p, q, p2, q2)]
    comp = [term(c, deltas=t.deltas) for c, t in zip(comp, completeness(p, q, p2, q2))]
    RtR = sum_over(
        multiply(
            comp,
            [
                term(
                    1,
                    ("U", (q, r)),
                    ("Gb", (r, s_)),
                    ("Ubar", (p, s_)),
                    ("U", (q2, r2)),
                    ("Gc", (r2, s2)),
                    ("Ubar", (p2, s2)),
                )
            ],
        ),
        p,
        q,
        r,
        s_,
        p2,
        q2,
        r2,
        s2,
    )
    tr_bc = [term(1, ("Gb", (x, y)), ("Gc", (y, x)), summed=[x, y])]
    return equal(R, R_conj, rules) and equal(RtR, tr_bc, rules)


@lemma(
    "2.2",
    "R_ab(U) = tr(G_a U G_b U†) is real orthogonal, det = +1",
    "real orthogonal: symbolic dA (index calculus); det = +1 for dA = 2 (generic symbolic U ∈ SU(2)); cross-checks: "
    "exact Cayley unitaries dA = 3, 4",
)
def test_lemma_2_2_adjoint_rep_all_dims():
    """Lemma 2.2 for every dA (symbolic): R(U) is real and R^T R = I (Σ_a R_ab R_ac = tr(G_b G_c) = δ_bc)."""
    assert adjoint_real_orthogonal_all_dims()


@lemma(
    "2.2",
    "R_ab(U) = tr(G_a U G_b U†) is real orthogonal, det = +1",
    "dA = 2 generic symbolic U ∈ SU(2) (with det R = 1); dA = 3, 4 exact Cayley unitaries",
)
def test_lemma_2_2_adjoint_rep_real_orthogonal():
    """Lemma 2.2. U G_b U† = Σ_a R_ab(U) G_a with R_ab = tr(G_a U G_b U†) real (G's Hermitian) and
    orthogonal (conjugation preserves the Hilbert–Schmidt inner product and maps traceless Hermitian
    operators to themselves).  Checked: symbolically for every U ∈ SU(2) (Euler angles; the global
    phase cancels in R, so this is all of U(2)), with det R = 1 (modulo |a|² + |b|² = 1); exactly for rational
    unitaries of
    size 3 and 4."""
    U = generic_su2()
    R = adjoint_rep_exact(U, gell_mann_exact(2)).applyfunc(lambda e: sp.expand(sp.expand_complex(e)))
    gens = (A1, A2, B1, B2)
    assert is_real_orthogonal(R, SU2_RELATION, gens)
    assert is_zero(reduce_mod(R.det() - 1, SU2_RELATION, gens))
    rng = np.random.default_rng(22)
    for dim in (3, 4):
        Ue = cayley_unitary(random_rational_antihermitian(dim, rng))
        assert is_real_orthogonal(adjoint_rep_exact(Ue, gell_mann_exact(dim)))


@PROOFS
@given(st.integers(2, 4), st.integers(0, 2**32 - 1))
@lemma("2.2", "R(U) real orthogonal on random Haar U", "dA = 2..4 (hypothesis)")
def test_lemma_2_2_random_instances(dA, seed):
    """Lemma 2.2 exercised on Haar-random U (fixed hypothesis examples): R real, R^T R = I, and
    R is multiplicative, R(UV) = R(U) R(V) (a representation)."""
    rng = np.random.default_rng(seed)
    U, V = random_unitary(dA, rng), random_unitary(dA, rng)
    R = adjoint_rep(U, dA)
    assert np.abs(R.imag).max() < 1e-12
    assert np.allclose(R.real.T @ R.real, np.eye(dA**2 - 1), atol=1e-12)
    assert np.allclose(adjoint_rep(U @ V, dA), R @ adjoint_rep(V, dA), atol=1e-12)


@pytest.mark.mutant
@lemma("2.2", "mutant: basis normalised as tr(G_a G_b) = 2δ_ab (unnormalised Paulis)", "symbolic dA; dA = 2")
def test_lemma_2_2_mutant_rejected():
    """With the unnormalised basis (tr(G_a G_b) = 2δ_ab, e.g. Paulis) R(U) = 2 × (orthogonal) — both checkers
    reject orthogonality."""
    assert not adjoint_real_orthogonal_all_dims(basis_norm=sp.sqrt(2))
    U = generic_su2()
    R = adjoint_rep_exact(U, [g * sp.sqrt(2) for g in gell_mann_exact(2)])
    assert not is_real_orthogonal(R, SU2_RELATION, (A1, A2, B1, B2))


# ---------------------------------------------------------------------------------------------
# 2.3 onto SO(3) for dA = 2
# ---------------------------------------------------------------------------------------------
def su2_for_rotation(n, th):
    """The constructive preimage: U = exp(-iθ n·σ/2) = cos(θ/2) I - i sin(θ/2) n·σ."""
    X = sp.Matrix([[0, 1], [1, 0]])
    Y = sp.Matrix([[0, -sp.I], [sp.I, 0]])
    Z = sp.Matrix([[1, 0], [0, -1]])
    return sp.cos(th / 2) * sp.eye(2) - sp.I * sp.sin(th / 2) * (n[0] * X + n[1] * Y + n[2] * Z)


@lemma(
    "2.3",
    "dA = 2: R(U(2)) = SO(3); R(exp(-iθ n·σ/2)) = rotation by θ about n",
    "symbolic unit axis n and angle θ (+ Euler's rotation theorem)",
)
def test_lemma_2_3_onto_SO3():
    """Lemma 2.3. For dA = 2 (basis σ/√2) R(exp(-iθ n·σ/2)) is the rotation by θ about the unit axis n
    (Rodrigues' formula).  By Euler's rotation theorem every R ∈ SO(3) is such a rotation, so
    R: U(2) → SO(3) is onto; with det R = 1 (Lemma 2.2) its image is exactly SO(3)."""
    n1, n2, n3, c, s = sp.symbols("n1 n2 n3 c s", real=True)  # c = cos(θ/2), s = sin(θ/2)
    rel = [n1**2 + n2**2 + n3**2 - 1, c**2 + s**2 - 1]
    X = sp.Matrix([[0, 1], [1, 0]])
    Y = sp.Matrix([[0, -sp.I], [sp.I, 0]])
    Z = sp.Matrix([[1, 0], [0, -1]])
    U = c * sp.eye(2) - sp.I * s * (n1 * X + n2 * Y + n3 * Z)
    R = adjoint_rep_exact(U, gell_mann_exact(2)).applyfunc(lambda e: sp.expand(sp.expand_complex(e)))
    Kx = sp.Matrix([[0, -n3, n2], [n3, 0, -n1], [-n2, n1, 0]])
    rod = sp.eye(3) + (2 * s * c) * Kx + (1 - (c**2 - s**2)) * Kx * Kx  # sin θ = 2sc, cos θ = c² - s²
    assert all(is_zero(reduce_mod(e, rel, (n1, n2, n3, c, s))) for e in (R - rod))


def preimage_found(Rt: np.ndarray) -> bool:
    """Constructive preimage: axis-angle of the rotation nearest to Rt (scipy), U = exp(-iθ n·σ/2);
    then check R(U) = Rt numerically.  Returns False when no such U reproduces Rt."""
    u, _, vt = np.linalg.svd(Rt)
    nearest = u @ np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))]) @ vt
    rv = Rotation.from_matrix(nearest).as_rotvec()
    th = np.linalg.norm(rv)
    n = rv / th if th > 0 else np.array([0.0, 0.0, 1.0])
    U = np.array(su2_for_rotation(sp.Matrix(n), sp.Float(th)).evalf(), dtype=complex)
    return bool(np.allclose(adjoint_rep(U, 2).real, Rt, atol=1e-10))


@PROOFS
@given(st.integers(0, 2**32 - 1))
@lemma("2.3", "every random R ∈ SO(3) has a constructive preimage", "dA = 2 (hypothesis)")
def test_lemma_2_3_random_rotations(seed):
    """Lemma 2.3 exercised: Haar-random rotations R ∈ SO(3) are hit by U = exp(-iθ n·σ/2)."""
    Rt = Rotation.random(random_state=seed).as_matrix()
    assert preimage_found(Rt)


@pytest.mark.mutant
@lemma("2.3", "mutant: a reflection (det = -1) is not in the image", "dA = 2")
def test_lemma_2_3_mutant_rejected():
    """The image is SO(3), not O(3): for the reflection diag(1, 1, -1) the same constructive
    checker finds no preimage (det R(U) = 1 for every U, Lemma 2.2)."""
    assert not preimage_found(np.diag([1.0, 1.0, -1.0]))
