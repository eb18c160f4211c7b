"""Lemma 5 — the paper's element-wise route (reconstruction of Appendix B; DERIVATION.md §5).

X = ρ1 - I_A/dA ⊗ tr_A ρ1,  T_ijkl = tr_B(<k|H2|l> <i|X|j>),
C(UA) - c0 = Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl = tr((UA ⊗ conj UA) T̃),  T̃[(i,j),(l,k)] = T_ijkl.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from _index_calculus import Idx, Rules, equal, multiply, sum_over, term
from _helpers import (
    PROOFS,
    blocks,
    cayley_unitary,
    cost,
    is_zero,
    k_matrix,
    kron,
    lemma,
    ptrace_A,
    ptrace_A_exact,
    qubit_delta,
    random_density,
    random_hermitian,
    random_rational_antihermitian,
    random_unitary,
    symbolic_matrix,
)
from weingarten_check import bounds
from weingarten_check.haar_integrals import Tr, trace_moment, twirl

d = sp.Symbol("d", positive=True)
x, z = sp.symbols("x z", positive=True)  # dA, dB
N, M, Q = sp.symbols("n m q", positive=True, integer=True)


def t_tensor_exact(H: sp.Matrix, rho: sp.Matrix, dA: int, dB: int):
    """T[i][j][k][l] = tr_B(<k|H|l> <i|X|j>) (sympy)."""
    r0 = ptrace_A_exact(rho, dA, dB)
    Xm = rho - kron(sp.eye(dA), r0) / dA

    def blk(Mx, i, j):
        return Mx[i * dB : (i + 1) * dB, j * dB : (j + 1) * dB]

    return {
        (i, j, k, l): (blk(H, k, l) * blk(Xm, i, j)).trace()
        for i, j, k, l in itertools.product(range(dA), repeat=4)
    }


def t_matrix(H2, rho1, dA: int, dB: int) -> np.ndarray:
    """T̃ as a dA² x dA² numpy matrix, T̃[(i,j),(l,k)] = T_ijkl."""
    Xm = rho1 - np.kron(np.eye(dA), ptrace_A(rho1, dA, dB)) / dA
    Hb, Xb = blocks(H2, dA, dB), blocks(Xm, dA, dB)
    T = np.einsum("klab,ijba->ijkl", Hb, Xb)
    return T.transpose(0, 1, 3, 2).reshape(dA * dA, dA * dA)


# ---------------------------------------------------------------------------------------------
# 5.1 the identity
# ---------------------------------------------------------------------------------------------
def elementwise_residual(H, rho, U, dA, dB, conj_second=True):
    W = kron(U, sp.eye(dB))
    C = (H * W * rho * W.H).trace()
    c0 = (ptrace_A_exact(H, dA, dB) * ptrace_A_exact(rho, dA, dB)).trace() / dA
    T = t_tensor_exact(H, rho, dA, dB)
    Ub = U.conjugate() if conj_second else U
    s = sum(U[l, i] * Ub[k, j] * T[(i, j, k, l)] for i, j, k, l in T)
    return sp.expand(C - c0 - s)


DA = sp.Symbol("d_A", positive=True, integer=True)


def elementwise_holds_all_dims(conj_second=True) -> bool:
    """Lemma 5.1 for every dA, dB by index calculus, t(i,j,k,l) = tr_B(H_ij ρ_kl) opaque:
    C = Σ U_ij conj(U_lk) t(l,i,j,k), c0 = (1/dA) Σ t(i,i,k,k),
    T_ijkl = tr_B(H_kl X_ij) = t(k,l,i,j) - δ_ij/dA Σ_m t(k,l,m,m); uses only deltas and U U† = I."""
    rules = Rules(unitary=[("U", "Ubar")])
    i, j, k, l, a, b, i2, j2, k2, l2, m = (Idx(n, DA) for n in ["i", "j", "k", "l", "a", "b", "i2", "j2", "k2", "l2", "m"])
    C = [term(1, ("U", (i, j)), ("Ubar", (l, k)), ("t", (l, i, j, k)), summed=[i, j, k, l])]
    c0 = [term(1 / DA, ("t", (a, a, b, b)), summed=[a, b])]
    T = [term(1, ("t", (k2, l2, i2, j2))), term(-1 / DA, ("t", (k2, l2, m, m)), deltas=[(i2, j2)], summed=[m])]
    second = "Ubar" if conj_second else "U"
    S = sum_over(multiply([term(1, ("U", (l2, i2)), (second, (k2, j2)))], T), i2, j2, k2, l2)
    return equal(C, c0 + S, rules)


@lemma(
    "5.1",
    "C(UA) - c0 = Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl = tr((UA ⊗ conj UA) T̃)",
    "symbolic dA, dB (index calculus + unitarity); cross-check: exact, symbolic H, ρ, exact unitary UA, (dA, dB) = (2,1), (2,2), (3,1)",
)
def test_lemma_5_1_elementwise_identity_all_dims():
    """Lemma 5.1 for every dA, dB (symbolic, arbitrary H2, ρ1, unitary UA)."""
    assert elementwise_holds_all_dims()


@pytest.mark.parametrize("dA,dB", [(2, 1), (2, 2), (3, 1)])
@lemma("5.1", "C(UA) - c0 = Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl = tr((UA ⊗ conj UA) T̃)", "cross-check: exact, symbolic H, ρ; exact unitary UA; (dA, dB) = (2,1), (2,2), (3,1)")
def test_lemma_5_1_elementwise_identity(dA, dB):
    """Lemma 5.1. With X = ρ1 - I_A/dA ⊗ tr_A ρ1 (traceless on A) and T_ijkl = tr_B(<k|H2|l><i|X|j>):
    C(UA) = c0 + Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl.  Checked exactly for arbitrary symbolic H2, ρ1."""
    rng = np.random.default_rng(51 + dA + dB)
    H, rho = symbolic_matrix("H", dA * dB), symbolic_matrix("r", dA * dB)
    U = cayley_unitary(random_rational_antihermitian(dA, rng))
    assert is_zero(elementwise_residual(H, rho, U, dA, dB))


@pytest.mark.mutant
@lemma("5.1", "mutant: UA ⊗ UA instead of UA ⊗ conj UA", "symbolic dA, dB; and dA = dB = 2 explicitly")
def test_lemma_5_1_mutant_rejected():
    """Dropping the complex conjugate is rejected by both checks."""
    assert not elementwise_holds_all_dims(conj_second=False)
    rng = np.random.default_rng(53)
    U = cayley_unitary(random_rational_antihermitian(2, rng))
    assert not is_zero(elementwise_residual(symbolic_matrix("H", 4), symbolic_matrix("r", 4), U, 2, 2, conj_second=False))


# ---------------------------------------------------------------------------------------------
# 5.2 Hölder
# ---------------------------------------------------------------------------------------------
def schatten(A, p):
    s = np.linalg.svd(A, compute_uv=False)
    return s.max() if p == np.inf else (s**p).sum() ** (1 / p)


@PROOFS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2), (2, 4), (3, 2)]))
@lemma("5.2", "|C - c0| <= ||UA ⊗ conj UA||_∞ ||T̃||_1 = ||T̃||_1, so Δ <= 2||T̃||_1 <= 2 dA ||T̃||_F", "random instances dA = 2, 3 (hypothesis; Hölder: Bhatia, Matrix Analysis, IV.2.5)")
def test_lemma_5_2_holder(seed, dims):
    """Lemma 5.2 (Hölder for Schatten norms, Bhatia 1997 Cor. IV.2.6). |tr(W T̃)| <= ||W||_∞ ||T̃||_1;
    W = UA ⊗ conj UA is unitary so ||W||_∞ = 1; hence Δ <= 2||T̃||_1, and ||T̃||_1 <= dA ||T̃||_F
    (Cauchy–Schwarz, T̃ is dA² x dA²).  Exercised on random H2, ρ1, UA."""
    rng = np.random.default_rng(seed)
    dA, dB = dims
    H2, rho1 = random_hermitian(dA * dB, rng), random_density(dA * dB, rng, rank=1)
    T = t_matrix(H2, rho1, dA, dB)
    c0 = np.trace(ptrace_A(H2, dA, dB) @ ptrace_A(rho1, dA, dB)).real / dA
    t1 = schatten(T, 1)
    for _ in range(5):
        U = random_unitary(dA, rng)
        W = np.kron(U, U.conj())
        assert abs(schatten(W, np.inf) - 1) < 1e-12
        val = cost(H2, rho1, U, dB) - c0
        assert abs(val - np.trace(W @ T).real) < 1e-10  # 5.1 numerically, same T̃
        assert abs(val) <= t1 + 1e-12
    assert t1 <= dA * np.linalg.norm(T) * (1 + 1e-12)
    if dA == 2:  # and the exact Δ (Lemma 3.2) respects the Hölder bound
        assert qubit_delta(k_matrix(H2, rho1, dA, dB).real) <= 2 * t1 + 1e-12


@pytest.mark.mutant
@lemma("5.2", "mutant: 0.99 × Hölder / 0.99 × (||T||_1 <= dA ||T||_F) fail at equality cases", "dA = 2")
def test_lemma_5_2_mutant_rejected():
    """Both steps are sharp: W = (polar factor of T̃)† gives |tr(W T̃)| = ||T̃||_1, and T̃ = I gives
    ||T̃||_1 = dA ||T̃||_F; a 1 % tighter constant fails."""
    rng = np.random.default_rng(55)
    T = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    u, s, vh = np.linalg.svd(T)
    W = (u @ vh).conj().T
    assert abs(np.trace(W @ T)) > 0.99 * schatten(W, np.inf) * schatten(T, 1)
    assert schatten(np.eye(4), 1) > 0.99 * 2 * np.linalg.norm(np.eye(4))


# ---------------------------------------------------------------------------------------------
# 5.3 exact element-wise second moments (every element class)
# ---------------------------------------------------------------------------------------------
O, Od, Xs = sp.symbols("O Od X", commutative=False)


def moment_abs2(trO, trOOd, trX, trX2):
    """E|tr(O V X V†)|² = E[tr(O V X V†) tr(O† V X V†)] from Lemma 1.2 (tr O† = conj tr O)."""
    e = trace_moment([O, Od], [Xs, Xs], d)
    return e.subs({Tr(O): trO, Tr(Od): sp.conjugate(trO), Tr(O, Od): trOOd, Tr(Xs): trX, Tr(Xs, Xs): trX2})


def element_norm_factor(dA: int, i: int, j: int):
    """tr((|j><i| - δ_ij I/dA)(|i><j| - δ_ij I/dA)) exactly."""
    E = sp.zeros(dA)
    E[j, i] = 1
    P = E - (sp.eye(dA) / dA if i == j else sp.zeros(dA))
    return (P * P.H).trace()


@lemma("5.3", "V1 2-design: E|T_ijkl|² = (1 - δ_ij/dA) ||<k|H2|l>||_2² (tr ρ² - 1/d)/(d²-1)", "symbolic d; class factor exact for dA = 2..5; twirl check d = 4 (all 16 elements)")
def test_lemma_5_3_v1_elementwise_moments():
    """Lemma 5.3 (V1 a 2-design). T_ijkl = tr(O ρ1) with O = (|j><i| - δ_ij I/dA) ⊗ <k|H2|l>, tr O = 0, so
    E|T_ijkl|² = tr(O O†)(tr ρ² - 1/d)/(d² - 1) = (1 - δ_ij/dA) ||<k|H2|l>||_2² (tr ρ² - 1/d)/(d² - 1).
    Element classes: i ≠ j (factor 1) and i = j (factor 1 - 1/dA); no dependence on k = l vs k ≠ l."""
    p, hkl = sp.symbols("p h_kl", nonnegative=True)
    for i_eq_j in (True, False):
        dA_s = sp.Symbol("d_A", positive=True)
        fac = 1 - (1 / dA_s if i_eq_j else 0)
        assert is_zero(moment_abs2(0, fac * hkl, 1, p) - fac * hkl * (p - 1 / d) / (d**2 - 1))
    for dA in (2, 3, 4, 5):
        for i, j in itertools.product(range(dA), repeat=2):
            assert element_norm_factor(dA, i, j) == 1 - sp.Rational(1 if i == j else 0, dA)
    # all 16 elements for dA = dB = 2 against the exact twirl
    rng = np.random.default_rng(57)
    H2, rho = random_hermitian(4, rng), random_density(4, rng, rank=1)
    tw = twirl(np.kron(rho, rho), 2)  # E[ρ1 ⊗ ρ1]; |T|² = tr(O ρ1) tr(O† ρ1) = tr((O ⊗ O†)(ρ1 ⊗ ρ1))
    Hb = blocks(H2, 2, 2)
    for i, j, k, l in itertools.product(range(2), repeat=4):
        E = np.zeros((2, 2))
        E[j, i] = 1
        Om = np.kron(E - (i == j) * np.eye(2) / 2, Hb[k, l])
        lhs = np.trace(np.kron(Om, Om.conj().T) @ tw)
        rhs = (1 - (i == j) / 2) * np.trace(Hb[k, l] @ Hb[k, l].conj().T).real * (1 - 1 / 4) / 15
        assert abs(lhs - rhs) < 1e-12


@lemma("5.3", "V2 2-design (H0 = H - trH/d): E|T_ijkl|² = (||X_ij||² - δ_kl |tr X_ij|²/d) tr H0²/(d²-1)", "symbolic d; classes k = l / k ≠ l")
def test_lemma_5_3_v2_elementwise_moments():
    """Lemma 5.3 (V2 a 2-design, V1 fixed; H shifted to H0 = H - tr(H)/d, which leaves C - c0 unchanged).
    T_ijkl = tr(O' V2† H0 V2) with O' = |l><k| ⊗ X_ij, tr O' = δ_kl tr_B X_ij, so by Lemma 1.2
    E|T_ijkl|² = (||X_ij||_2² - δ_kl |tr_B X_ij|²/d) tr(H0²)/(d² - 1)   (classes k ≠ l and k = l)."""
    h, xn = sp.symbols("h x_n", nonnegative=True)
    tx = sp.Symbol("t_x")
    for k_eq_l in (True, False):
        trO = tx if k_eq_l else 0
        lhs = moment_abs2(trO, xn, 0, h)
        rhs = (xn - (tx * sp.conjugate(tx) if k_eq_l else 0) / d) * h / (d**2 - 1)
        assert is_zero(lhs - rhs)


@pytest.mark.mutant
@lemma("5.3", "mutant: class factor (1 - δ_ij/dA) dropped", "symbolic")
def test_lemma_5_3_mutant_rejected():
    """Claiming E|T_iikl|² = ||<k|H2|l>||² (tr ρ² - 1/d)/(d²-1) (no 1 - 1/dA) is rejected."""
    p, hkl = sp.symbols("p h_kl", nonnegative=True)
    dA_s = sp.Symbol("d_A", positive=True)
    true = moment_abs2(0, (1 - 1 / dA_s) * hkl, 1, p)
    assert not is_zero(true - hkl * (p - 1 / d) / (d**2 - 1))


# ---------------------------------------------------------------------------------------------
# 5.4 uniform per-element bounds and 5.5 the resulting bound
# ---------------------------------------------------------------------------------------------
@PROOFS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2), (2, 4), (3, 2)]))
@lemma("5.4", "||<k|H'|l>||_2² <= dB w²/4 (H' = H - mid-spectrum), ||X_ij||_2² <= tr ρ² - 1/d", "random H, ρ (hypothesis)")
def test_lemma_5_4_block_norms(seed, dims):
    """Lemma 5.4. Σ_l ||<k|H'|l>||_2² = tr_B <k|H'²|k> <= dB ||H'||_∞² = dB w²/4, so every block obeys the
    bound; and Σ_ij ||X_ij||_2² = ||X||_2² = tr ρ1² - tr ρ_B²/dA <= tr ρ² - 1/d (Lemma 4.4/4.5)."""
    rng = np.random.default_rng(seed)
    dA, dB = dims
    dd = dA * dB
    H = random_hermitian(dd, rng)
    ev = np.linalg.eigvalsh(H)
    w = ev[-1] - ev[0]
    Hp = H - (ev[-1] + ev[0]) / 2 * np.eye(dd)
    Hb = blocks(Hp, dA, dB)
    assert (np.einsum("klab,klab->kl", Hb, Hb.conj()).real <= dB * w**2 / 4 * (1 + 1e-12)).all()
    rho = random_density(dd, rng, rank=int(rng.integers(1, dd + 1)))
    Xm = rho - np.kron(np.eye(dA), ptrace_A(rho, dA, dB)) / dA
    Xb = blocks(Xm, dA, dB)
    assert np.einsum("ijab,ijab->", Xb, Xb.conj()).real <= np.trace(rho @ rho).real - 1 / dd + 1e-12


@pytest.mark.mutant
@lemma("5.4", "mutant: ||<k|H'|l>||² <= 0.99 dB w²/4 fails at H' = Z ⊗ I", "dA = 2, dB = 4")
def test_lemma_5_4_mutant_rejected():
    """The block bound is attained by H' = Z ⊗ I_B (w = 2): ||<0|H'|0>||² = dB = dB w²/4."""
    Hp = np.kron(np.diag([1.0, -1.0]), np.eye(4))
    assert np.linalg.norm(blocks(Hp, 2, 4)[0, 0]) ** 2 > 0.99 * 4 * 2**2 / 4


def per_element_bound(case):
    """Uniform bound on E|T_ijkl|² (w = 1) in x = dA, z = dB, from 5.3 + 5.4."""
    dd = x * z
    if case == "v1":
        return 1 * (z / 4) * (1 - 1 / dd) / (dd**2 - 1)  # (1 - δ/dA) <= 1, ||H'_kl||² <= dB/4, p <= 1
    return (1 - 1 / dd) * (dd / 4) / (dd**2 - 1)  # ||X_ij||² <= 1 - 1/d, tr H0² <= d/4


@pytest.mark.parametrize("case", ["v1", "v2"])
@lemma("5.5", "E[Δ] <= 2 dA sqrt(dA⁴ · max E|T_ijkl|²) = w dA^(5/2)/sqrt(d+1) (V1) or w dA³/sqrt(d+1) (V2)", "symbolic dA, dB (all q >= 2, 1 <= m < n)")
def test_lemma_5_5_elementwise_bound(case):
    """Lemma 5.5. per-element: E|T_ijkl|² <= w²/(4 dA (d+1)) (V1) and <= w²/(4 (d+1)) (V2).  With Jensen,
    E[Δ] <= 2 E||T̃||_1 <= 2 dA sqrt(E||T̃||_F²) <= 2 dA sqrt(dA⁴ · per-element) which is
    bounds.elementwise_bound(w, n, m, q, case): w dA^(5/2)/sqrt(d+1) (V1 or both), w dA³/sqrt(d+1) (V2)."""
    pe = per_element_bound(case)
    expected_pe = 1 / (4 * x * (x * z + 1)) if case == "v1" else 1 / (4 * (x * z + 1))
    assert is_zero(sp.cancel(pe - expected_pe))
    route2 = 2 * x * sp.sqrt(x**4 * pe)
    lib = bounds.elementwise_bound(1, N, M, Q, case=case).subs(Q**N, x * z).subs(Q**M, x)
    assert is_zero(sp.simplify(route2 - lib))


@pytest.mark.mutant
@lemma("5.5", "mutant: per-element V1 bound 0.99·w²/(4dA(d+1)) is violated (H = Z⊗I, i ≠ j)", "dA = 2, dB = 4")
def test_lemma_5_5_mutant_rejected():
    """The V1 per-element bound is attained (H' = Z ⊗ I_B, w = 2, pure ρ, i ≠ j, k = l): 1 % less fails."""
    dA, dB = 2, 4
    dd = dA * dB
    Hp = np.kron(np.diag([1.0, -1.0]), np.eye(dB))
    hkl = np.linalg.norm(blocks(Hp, dA, dB)[0, 0]) ** 2
    exact = 1 * hkl * (1 - 1 / dd) / (dd**2 - 1)  # Lemma 5.3, i ≠ j, pure state
    assert exact > 0.99 * 2**2 / (4 * dA * (dd + 1))
    assert abs(exact - 2**2 / (4 * dA * (dd + 1))) < 1e-15
