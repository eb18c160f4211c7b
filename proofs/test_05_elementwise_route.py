"""Lemma 5 — the paper's element-wise route (reconstruction of Appendix B; DERIVATION.md §5).

X = ρ1 - I_A/dA ⊗ tr_A ρ1,  T_ijkl = tr_B(<k|H2|l> <i|X|j>),
C(UA) - c0 = Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl = tr((UA ⊗ conj UA) T̃),  T̃[(i,j),(l,k)] = T_ijkl.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
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
from _index_calculus import Idx, Rules, equal, multiply, sum_over, term
from hypothesis import given
from hypothesis import strategies as st

from weingarten_check.calculus.unitary_integrals import Tr, trace_moment, twirl
from weingarten_check.theory import bounds

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
        (i, j, k, l): (blk(H, k, l) * blk(Xm, i, j)).trace() for i, j, k, l in itertools.product(range(dA), repeat=4)
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
    i, j, k, l, a, b, i2, j2, k2, l2, m = (
        Idx(n, DA) for n in ["i", "j", "k", "l", "a", "b", "i2", "j2", "k2", "l2", "m"]
    )
    C = [term(1, ("U", (i, j)), ("Ubar", (l, k)), ("t", (l, i, j, k)), summed=[i, j, k, l])]
    c0 = [term(1 / DA, ("t", (a, a, b, b)), summed=[a, b])]
    T = [term(1, ("t", (k2, l2, i2, j2))), term(-1 / DA, ("t", (k2, l2, m, m)), deltas=[(i2, j2)], summed=[m])]
    second = "Ubar" if conj_second else "U"
    S = sum_over(multiply([term(1, ("U", (l2, i2)), (second, (k2, j2)))], T), i2, j2, k2, l2)
    return equal(C, c0 + S, rules)


@lemma(
    "5.1",
    "C(UA) - c0 = Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl = tr((UA ⊗ conj UA) T̃)",
    "symbolic dA, dB (index calculus + unitarity)",
)
def test_lemma_5_1_elementwise_identity_all_dims():
    """Lemma 5.1 for every dA, dB (symbolic, arbitrary H2, ρ1, unitary UA)."""
    assert elementwise_holds_all_dims()


@pytest.mark.parametrize("dA,dB", [(2, 1), (2, 2), (3, 1)])
@lemma(
    "5.1",
    "C(UA) - c0 = Σ_ijkl (UA)_li conj((UA)_kj) T_ijkl = tr((UA ⊗ conj UA) T̃)",
    "cross-check: exact, symbolic H, ρ; exact unitary UA; (dA, dB) = (2,1), (2,2), (3,1)",
)
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
    assert not is_zero(
        elementwise_residual(symbolic_matrix("H", 4), symbolic_matrix("r", 4), U, 2, 2, conj_second=False)
    )


# ---------------------------------------------------------------------------------------------
# 5.2 Hölder
# ---------------------------------------------------------------------------------------------
def schatten(A, p):
    s = np.linalg.svd(A, compute_uv=False)
    return s.max() if p == np.inf else (s**p).sum() ** (1 / p)


def holder_steps_hold(T: np.ndarray, Ws, dA: int, holder=1, cs=1) -> bool:
    """5.2's two steps on one T̃ (dA² x dA²): |tr(W T̃)| <= holder · ||W||_∞ ||T̃||_1 for every W in Ws, and
    ||T̃||_1 <= cs · dA ||T̃||_F (relative slack 1e-12)."""
    t1 = schatten(T, 1)
    ok = all(abs(np.trace(W @ T)) <= holder * schatten(W, np.inf) * t1 * (1 + 1e-12) for W in Ws)
    return ok and t1 <= cs * dA * np.linalg.norm(T) * (1 + 1e-12)


def holder_equality_cases():
    """(T̃, W) attaining each step for dA = 2: W = (polar factor of a random T̃)† gives |tr(W T̃)| = ||T̃||_1
    (Hölder), and T̃ = I_4 gives ||T̃||_1 = dA ||T̃||_F (Cauchy–Schwarz)."""
    rng = np.random.default_rng(55)
    T = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    u, _, vh = np.linalg.svd(T)
    return [(T, [(u @ vh).conj().T]), (np.eye(4, dtype=complex), [np.eye(4)])]


@PROOFS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2), (2, 4), (3, 2)]))
@lemma(
    "5.2",
    "|C - c0| <= ||UA ⊗ conj UA||_∞ ||T̃||_1 = ||T̃||_1, so Δ <= 2||T̃||_1 <= 2 dA ||T̃||_F",
    "random instances dA = 2, 3 (hypothesis; Hölder: Bhatia, Matrix Analysis, IV.2.5); equality cases dA = 2",
)
def test_lemma_5_2_holder(seed, dims):
    """Lemma 5.2 (Hölder for Schatten norms, Bhatia 1997 Cor. IV.2.6). |tr(W T̃)| <= ||W||_∞ ||T̃||_1;
    W = UA ⊗ conj UA is unitary so ||W||_∞ = 1; hence Δ <= 2||T̃||_1, and ||T̃||_1 <= dA ||T̃||_F
    (Cauchy–Schwarz, T̃ is dA² x dA²).  Exercised on random H2, ρ1, UA, and on the equality cases of both steps."""
    rng = np.random.default_rng(seed)
    dA, dB = dims
    H2, rho1 = random_hermitian(dA * dB, rng), random_density(dA * dB, rng, rank=1)
    T = t_matrix(H2, rho1, dA, dB)
    c0 = np.trace(ptrace_A(H2, dA, dB) @ ptrace_A(rho1, dA, dB)).real / dA
    Ws = []
    for _ in range(5):
        U = random_unitary(dA, rng)
        W = np.kron(U, U.conj())
        assert abs(schatten(W, np.inf) - 1) < 1e-12
        assert abs(cost(H2, rho1, U, dB) - c0 - np.trace(W @ T).real) < 1e-10  # 5.1 numerically, same T̃
        Ws.append(W)
    assert holder_steps_hold(T, Ws, dA)
    for Te, We in holder_equality_cases():
        assert holder_steps_hold(Te, We, 2)
    if dA == 2:  # and the exact Δ (Lemma 3.2) respects the Hölder bound
        assert qubit_delta(k_matrix(H2, rho1, dA, dB).real) <= 2 * schatten(T, 1) + 1e-12


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["0.99 Hölder", "0.99 dA ||T||_F"])
@lemma("5.2", "mutant: 0.99 × Hölder / 0.99 × (||T||_1 <= dA ||T||_F) fail at equality cases", "dA = 2")
def test_lemma_5_2_mutant_rejected(which):
    """Both steps are sharp: W = (polar factor of T̃)† gives |tr(W T̃)| = ||T̃||_1, and T̃ = I gives
    ||T̃||_1 = dA ||T̃||_F; the same checker rejects a 1 % tighter constant in either step."""
    (T_pol, W_pol), (T_id, W_id) = holder_equality_cases()
    if which.startswith("0.99 H"):
        assert not holder_steps_hold(T_pol, W_pol, 2, holder=0.99)
    else:
        assert not holder_steps_hold(T_id, W_id, 2, cs=0.99)


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


def v1_class_factor(i_eq_j: bool):
    """The class factor of 5.3 (V1): tr(P P†) for P = |j><i| - δ_ij I/dA, i.e. 1 - δ_ij/dA (symbolic dA)."""
    return 1 - (1 / sp.Symbol("d_A", positive=True) if i_eq_j else 0)


def v1_element_moments_hold(claimed_factor) -> bool:
    """For both classes (i = j, i ≠ j): the engine's E|T_ijkl|² (Lemma 1.2 with tr O = 0, tr(O O†) =
    (1 - δ_ij/dA) ||<k|H2|l>||²) equals the claim claimed_factor(i = j) ||<k|H2|l>||² (tr ρ² - 1/d)/(d²-1)."""
    p, hkl = sp.symbols("p h_kl", nonnegative=True)
    return all(
        is_zero(
            moment_abs2(0, v1_class_factor(i_eq_j) * hkl, 1, p)
            - claimed_factor(i_eq_j) * hkl * (p - 1 / d) / (d**2 - 1)
        )
        for i_eq_j in (True, False)
    )


@lemma(
    "5.3",
    "V1 2-design: E|T_ijkl|² = (1 - δ_ij/dA) ||<k|H2|l>||_2² (tr ρ² - 1/d)/(d²-1)",
    "symbolic d; class factor exact for dA = 2..5; twirl check d = 4 (all 16 elements)",
)
def test_lemma_5_3_v1_elementwise_moments():
    """Lemma 5.3 (V1 a 2-design). T_ijkl = tr(O ρ1) with O = (|j><i| - δ_ij I/dA) ⊗ <k|H2|l>, tr O = 0, so
    E|T_ijkl|² = tr(O O†)(tr ρ² - 1/d)/(d² - 1) = (1 - δ_ij/dA) ||<k|H2|l>||_2² (tr ρ² - 1/d)/(d² - 1).
    Element classes: i ≠ j (factor 1) and i = j (factor 1 - 1/dA); no dependence on k = l vs k ≠ l."""
    assert v1_element_moments_hold(v1_class_factor)
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


@lemma(
    "5.3",
    "V2 2-design (H0 = H - trH/d): E|T_ijkl|² = (||X_ij||² - δ_kl |tr X_ij|²/d) tr H0²/(d²-1)",
    "symbolic d; classes k = l / k ≠ l",
)
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
    """The same checker rejects E|T_iikl|² = ||<k|H2|l>||² (tr ρ² - 1/d)/(d²-1) (no 1 - 1/dA)."""
    assert not v1_element_moments_hold(lambda i_eq_j: 1)


# ---------------------------------------------------------------------------------------------
# 5.4 uniform per-element bounds and 5.5 the resulting bound
# ---------------------------------------------------------------------------------------------
def block_norms_hold(H, rho, dA: int, dB: int, h_factor=1, x_factor=1) -> bool:
    """5.4 on one instance: every ||<k|H'|l>||_2² <= h_factor · dB w²/4 (H' = H - mid-spectrum) and
    Σ_ij ||X_ij||_2² <= x_factor · (tr ρ² - 1/d) (relative slack 1e-12)."""
    dd = dA * dB
    ev = np.linalg.eigvalsh(H)
    w = ev[-1] - ev[0]
    Hb = blocks(H - (ev[-1] + ev[0]) / 2 * np.eye(dd), dA, dB)
    Xm = rho - np.kron(np.eye(dA), ptrace_A(rho, dA, dB)) / dA
    Xb = blocks(Xm, dA, dB)
    return bool(
        (np.einsum("klab,klab->kl", Hb, Hb.conj()).real <= h_factor * dB * w**2 / 4 * (1 + 1e-12)).all()
        and np.einsum("ijab,ijab->", Xb, Xb.conj()).real
        <= x_factor * (np.trace(rho @ rho).real - 1 / dd) * (1 + 1e-12) + 1e-15
    )


def block_equality_instance(dA: int = 2, dB: int = 4):
    """H = Z ⊗ I_B (w = 2, ||<0|H|0>||² = dB = dB w²/4) and ρ = |0><0| ⊗ I_B/dB (ρ_B = I/dB, so
    ||X||² = tr ρ² - 1/d): both bounds of 5.4 are equalities."""
    H = np.kron(np.diag([1.0] + [0.0] * (dA - 2) + [-1.0]), np.eye(dB)).astype(complex)
    e0 = np.zeros((dA, dA))
    e0[0, 0] = 1
    return H, np.kron(e0, np.eye(dB) / dB).astype(complex), dA, dB


@PROOFS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2), (2, 4), (3, 2)]))
@lemma(
    "5.4",
    "||<k|H'|l>||_2² <= dB w²/4 (H' = H - mid-spectrum), ||X_ij||_2² <= tr ρ² - 1/d",
    "random H, ρ (hypothesis); equality instance dA = 2, dB = 4",
)
def test_lemma_5_4_block_norms(seed, dims):
    """Lemma 5.4. Σ_l ||<k|H'|l>||_2² = tr_B <k|H'²|k> <= dB ||H'||_∞² = dB w²/4, so every block obeys the
    bound; and Σ_ij ||X_ij||_2² = ||X||_2² = tr ρ1² - tr ρ_B²/dA <= tr ρ² - 1/d (Lemma 4.4/4.5).
    Checked on random instances and on the equality instance (H = Z ⊗ I, ρ = |0><0| ⊗ I/dB)."""
    rng = np.random.default_rng(seed)
    dA, dB = dims
    dd = dA * dB
    H = random_hermitian(dd, rng)
    rho = random_density(dd, rng, rank=int(rng.integers(1, dd + 1)))
    assert block_norms_hold(H, rho, dA, dB)
    assert block_norms_hold(*block_equality_instance())


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["0.99 dB w²/4", "0.99 (tr ρ² - 1/d)"])
@lemma("5.4", "mutant: 0.99 dB w²/4 (H' = Z ⊗ I) or 0.99 (tr ρ² - 1/d) (ρ = |0><0| ⊗ I/dB) fails", "dA = 2, dB = 4")
def test_lemma_5_4_mutant_rejected(which):
    """Both block bounds are attained (H' = Z ⊗ I_B: ||<0|H'|0>||² = dB = dB w²/4; ρ = |0><0| ⊗ I/dB:
    ||X||² = tr ρ² - 1/d); the same checker rejects either constant lowered by 1 %."""
    kw = {"h_factor": 0.99} if which.startswith("0.99 dB") else {"x_factor": 0.99}
    assert not block_norms_hold(*block_equality_instance(), **kw)


def per_element_bound(case):
    """Uniform bound on E|T_ijkl|² (w = 1) in x = dA, z = dB, from 5.3 + 5.4."""
    dd = x * z
    if case == "v1":
        return 1 * (z / 4) * (1 - 1 / dd) / (dd**2 - 1)  # (1 - δ/dA) <= 1, ||H'_kl||² <= dB/4, p <= 1
    return (1 - 1 / dd) * (dd / 4) / (dd**2 - 1)  # ||X_ij||² <= 1 - 1/d, tr H0² <= d/4


def elementwise_instance_moment(case: str):
    """max over (i, j, k, l) of the exact E|T_ijkl|² (Lemma 5.3, the engine's second moment) on the
    instance dA = 2, dB = 4, w = 1: H' = Z ⊗ I_B/2 and a pure state (tr ρ² = 1).  V1 (case "v1"): attains the
    per-element bound (i ≠ j, k = l).  V2: X_ij of the pure state (|0>|a> + |1>|b>)/√2, a ⊥ b."""
    dA_, dB_ = 2, 4
    dd = dA_ * dB_
    if case == "v1":
        Hp = kron(sp.diag(1, -1), sp.eye(dB_)) / 2
        hkl = max(
            (Hp[k * dB_ : (k + 1) * dB_, l * dB_ : (l + 1) * dB_] ** 2).trace() for k in range(2) for l in range(2)
        )
        fac = max(element_norm_factor(dA_, i, j) for i in range(2) for j in range(2))
        return moment_abs2(0, fac * hkl, 1, 1).subs(d, dd)
    psi = (
        kron(sp.Matrix([1, 0]), sp.Matrix([1, 0, 0, 0])) + kron(sp.Matrix([0, 1]), sp.Matrix([0, 1, 0, 0]))
    ) / sp.sqrt(2)
    rho = psi * psi.H
    Xm = rho - kron(sp.eye(dA_), ptrace_A_exact(rho, dA_, dB_)) / dA_
    blk = [Xm[i * dB_ : (i + 1) * dB_, j * dB_ : (j + 1) * dB_] for i in range(2) for j in range(2)]
    # k ≠ l (tr O' = 0): ||X_ij||² h/(d²-1) with tr H0² = d/4 (w = 1, eigenvalues ±1/2); k = l is smaller
    return max(moment_abs2(0, (B * B.H).trace(), 0, sp.Rational(dd, 4)).subs(d, dd) for B in blk)


def elementwise_bound_holds(case: str, pe) -> bool:
    """5.5 for the claimed uniform per-element bound pe(x = dA, z = dB) (w = 1): pe >= the exact max E|T_ijkl|²
    of the instance of ``elementwise_instance_moment`` (dA = 2, dB = 4), and 2 dA sqrt(dA⁴ pe) is
    bounds.elementwise_bound(1, n, m, q, case) for all dA, dB."""
    valid = sp.nsimplify(pe.subs({x: 2, z: 4})) - elementwise_instance_moment(case) >= 0
    route2 = 2 * x * sp.sqrt(x**4 * pe)
    lib = bounds.elementwise_bound(1, N, M, Q, case=case).subs(Q**N, x * z).subs(Q**M, x)
    return bool(valid) and is_zero(sp.simplify(route2 - lib))


@pytest.mark.parametrize("case", ["v1", "v2"])
@lemma(
    "5.5",
    "E[Δ] <= 2 dA sqrt(dA⁴ · max E|T_ijkl|²) = w dA^(5/2)/sqrt(d+1) (V1) or w dA³/sqrt(d+1) (V2)",
    "symbolic dA, dB (all q >= 2, 1 <= m < n); per-element bound against the exact moments at dA = 2, dB = 4 "
    "(attained for V1)",
)
def test_lemma_5_5_elementwise_bound(case):
    """Lemma 5.5. per-element: E|T_ijkl|² <= w²/(4 dA (d+1)) (V1) and <= w²/(4 (d+1)) (V2).  With Jensen,
    E[Δ] <= 2 E||T̃||_1 <= 2 dA sqrt(E||T̃||_F²) <= 2 dA sqrt(dA⁴ · per-element) which is
    bounds.elementwise_bound(w, n, m, q, case): w dA^(5/2)/sqrt(d+1) (V1 or both), w dA³/sqrt(d+1) (V2).
    The per-element bound is also compared with the exact moments (5.3) of an explicit instance; for V1 it
    is attained there (H' = Z ⊗ I_B, pure ρ, i ≠ j, k = l)."""
    pe = per_element_bound(case)
    expected_pe = 1 / (4 * x * (x * z + 1)) if case == "v1" else 1 / (4 * (x * z + 1))
    assert is_zero(sp.cancel(pe - expected_pe))
    assert elementwise_bound_holds(case, pe)


@pytest.mark.mutant
@lemma("5.5", "mutant: per-element V1 bound 0.99·w²/(4dA(d+1)) is violated (H = Z⊗I, i ≠ j)", "dA = 2, dB = 4")
def test_lemma_5_5_mutant_rejected():
    """The V1 per-element bound is attained (H' = Z ⊗ I_B, w = 1, pure ρ, i ≠ j, k = l): the same checker
    rejects it lowered by 1 % (the instance's exact moment exceeds it, and the route no longer gives the
    library's bound)."""
    pe = per_element_bound("v1")
    assert elementwise_instance_moment("v1") == pe.subs({x: 2, z: 4})  # attained
    assert not elementwise_bound_holds("v1", sp.Rational(99, 100) * pe)
