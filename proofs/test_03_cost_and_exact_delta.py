"""Lemma 3 — the cost is affine in R(UA); exact qubit Δ; nuclear-norm bound (DERIVATION.md §3)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from _helpers import (
    PROOFS,
    brute_force_range,
    cayley_unitary,
    cost,
    gell_mann,
    gell_mann_exact,
    is_zero,
    k_matrix,
    kron,
    lemma,
    ptrace_A_exact,
    qubit_delta,
    random_density,
    random_hermitian,
    random_rational_antihermitian,
    random_unitary,
    symbolic_matrix,
)
from _index_calculus import Idx, Rules, completeness, equal, multiply, sum_over, term
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from weingarten_check.theory import bounds


# ---------------------------------------------------------------------------------------------
# 3.1 C(UA) = c0 + tr(K^T R(UA))
# ---------------------------------------------------------------------------------------------
def affine_residual(H, rho, U, dA, dB, c0_weight=None, transpose=True):
    """C(UA) - [c0 + tr(K^T R(UA))] exactly; c0 = tr_B(tr_A H tr_A rho)/dA."""
    G = gell_mann_exact(dA)
    W = kron(U, sp.eye(dB))
    C = (H * W * rho * W.H).trace()
    w = sp.Rational(1, dA) if c0_weight is None else c0_weight
    c0 = w * (ptrace_A_exact(H, dA, dB) * ptrace_A_exact(rho, dA, dB)).trace()
    h = [ptrace_A_exact(kron(g, sp.eye(dB)) * H, dA, dB) for g in G]
    r = [ptrace_A_exact(kron(g, sp.eye(dB)) * rho, dA, dB) for g in G]
    total = c0
    for a, ga in enumerate(G):
        for b, gb in enumerate(G):
            K_ab = (h[a] * r[b]).trace()
            R_ab = (ga * U * gb * U.H).trace() if transpose else (gb * U * ga * U.H).trace()
            total += K_ab * R_ab
    return sp.expand(C - total)


DA = sp.Symbol("d_A", positive=True, integer=True)


def affine_holds_all_dims(c0_weight=None, transpose=True) -> bool:
    """Lemma 3.1 for every dA, dB by index calculus.  With blocks H_ij = <i|H2|j>, ρ_ij = <i|ρ1|j> and the
    opaque t(i,j,k,l) = tr_B(H_ij ρ_kl): C(UA) = Σ U_ij conj(U_lk) t(l,i,j,k); c0 = (1/dA) Σ t(i,i,k,k);
    K_ab = Σ (G_a)_ji (G_b)_lk t(i,j,k,l); R_ab = Σ (G_a)_pq U_qr (G_b)_rs conj(U_ps).  The sums over a, b
    are done with 2.1b, then Kronecker deltas and unitarity of UA (U U† = U† U = I)."""
    rules = Rules(unitary=[("U", "Ubar")])
    i, j, k, l = (Idx(n, DA) for n in "ijkl")
    C = [term(1, ("U", (i, j)), ("Ubar", (l, k)), ("t", (l, i, j, k)), summed=[i, j, k, l])]
    a, b = Idx("a", DA), Idx("b", DA)
    c0 = [term(1 / DA if c0_weight is None else c0_weight, ("t", (a, a, b, b)), summed=[a, b])]
    i, j, k, l, p, q, r, s_ = (Idx(n + "_", DA) for n in "ijklpqrs")
    if transpose:  # Σ_ab K_ab R_ab
        g = multiply(completeness(j, i, p, q), completeness(l, k, r, s_))
    else:  # Σ_ab K_ab R_ba = tr(K R)
        g = multiply(completeness(l, k, p, q), completeness(j, i, r, s_))
    KR = sum_over(
        multiply(g, [term(1, ("t", (i, j, k, l)), ("U", (q, r)), ("Ubar", (p, s_)))]), i, j, k, l, p, q, r, s_
    )
    return equal(C, c0 + KR, rules)


@lemma(
    "3.1",
    "C(UA) = c0 + tr(K^T R(UA)),  K_ab = tr_B(h_a r_b)",
    "symbolic dA, dB (index calculus: 2.1b + unitarity)",
)
def test_lemma_3_1_cost_is_affine_all_dims():
    """Lemma 3.1 for every dA, dB (symbolic, arbitrary H2, ρ1 and unitary UA)."""
    assert affine_holds_all_dims()


@pytest.mark.parametrize("dA,dB", [(2, 1), (2, 2), (3, 1)])
@lemma(
    "3.1",
    "C(UA) = c0 + tr(K^T R(UA)),  K_ab = tr_B(h_a r_b)",
    "cross-check: exact, arbitrary symbolic H, ρ; exact unitary UA; (dA, dB) = (2,1), (2,2), (3,1)",
)
def test_lemma_3_1_cost_is_affine_in_R(dA, dB):
    """Lemma 3.1. With H2 = I_A/dA ⊗ h0 + Σ_a G_a ⊗ h_a and ρ1 = I_A/dA ⊗ r0 + Σ_b G_b ⊗ r_b (Lemma 2.1):
    C(UA) = tr(H2 (UA⊗I) ρ1 (UA⊗I)†) = c0 + Σ_ab K_ab R_ab(UA), with c0 = tr_B(h0 r0)/dA and
    K_ab = tr_B(h_a r_b).  The cross terms vanish because tr G_a = 0.  Checked exactly for arbitrary
    (symbolic) H2, ρ1 and an exact rational unitary UA."""
    rng = np.random.default_rng(31 + dA + dB)
    H = symbolic_matrix("H", dA * dB)
    rho = symbolic_matrix("r", dA * dB)
    U = cayley_unitary(random_rational_antihermitian(dA, rng))
    assert is_zero(affine_residual(H, rho, U, dA, dB))


@pytest.mark.mutant
@pytest.mark.parametrize("mutation", ["c0 weight 1.01/dA", "K not transposed"])
@lemma("3.1", "mutant: c0 weight / tr(K R) instead of tr(K^T R)", "symbolic dA, dB; and dA = dB = 2 explicitly")
def test_lemma_3_1_mutant_rejected(mutation):
    """A wrong constant term or a missing transpose is rejected by both checks."""
    if mutation.startswith("c0"):
        assert not affine_holds_all_dims(c0_weight=sp.Rational(101, 100) / DA)
    else:
        assert not affine_holds_all_dims(transpose=False)
    rng = np.random.default_rng(33)
    H, rho = symbolic_matrix("H", 4), symbolic_matrix("r", 4)
    U = cayley_unitary(random_rational_antihermitian(2, rng))
    if mutation.startswith("c0"):
        res = affine_residual(H, rho, U, 2, 2, c0_weight=sp.Rational(101, 200))
    else:
        res = affine_residual(H, rho, U, 2, 2, transpose=False)
    assert not is_zero(res)


# ---------------------------------------------------------------------------------------------
# 3.2 exact qubit Δ
# ---------------------------------------------------------------------------------------------
def so3_max(K: np.ndarray) -> tuple[float, np.ndarray]:
    """max_{R ∈ SO(3)} tr(K^T R) = σ1 + σ2 + sign(det K) σ3, attained at R* = U diag(1,1,s) V^T."""
    U, s, Vt = np.linalg.svd(K)
    sgn = np.sign(np.linalg.det(U @ Vt))
    R = U @ np.diag([1.0, 1.0, sgn]) @ Vt
    return float(s[0] + s[1] + sgn * s[2]), R


@PROOFS
@given(st.integers(0, 2**32 - 1))
@lemma("3.2", "max_{R∈SO(3)} tr(K^T R) = σ1+σ2+sign(det K)σ3", "3x3 real K (hypothesis; Markley 1988 / Umeyama 1991)")
def test_lemma_3_2_so3_maximisation(seed):
    """Lemma 3.2a (standard: Wahba's problem; Markley 1988, Umeyama 1991). For real 3x3 K,
    max_{R ∈ SO(3)} tr(K^T R) = σ1 + σ2 + sign(det K) σ3.  Exercised: the formula's R* is a rotation
    attaining it, and 2000 random rotations never exceed it."""
    rng = np.random.default_rng(seed)
    K = rng.normal(size=(3, 3))
    val, Rs = so3_max(K)
    assert np.allclose(Rs.T @ Rs, np.eye(3), atol=1e-12) and np.linalg.det(Rs) > 0
    assert abs(np.trace(K.T @ Rs) - val) < 1e-12
    Rr = Rotation.random(2000, random_state=seed % 2**31).as_matrix()
    assert np.einsum("ij,nij->n", K, Rr).max() <= val + 1e-12


@lemma("3.2", "max - min over SO(3) = 2(σ1+σ2) (sign terms cancel)", "exact algebra, s = ±1")
def test_lemma_3_2_range_formula():
    """Lemma 3.2b. min tr(K^T R) = -max tr((-K)^T R) and det(-K) = -det K (3x3), so
    max - min = (σ1+σ2+sσ3) + (σ1+σ2-sσ3) = 2(σ1+σ2) for s = sign(det K) ∈ {±1}."""
    s1, s2, s3 = sp.symbols("sigma1:4", nonnegative=True)
    for s in (1, -1):
        mx = s1 + s2 + s * s3
        mn = -(s1 + s2 + (-s) * s3)
        assert is_zero(mx - mn - 2 * (s1 + s2))


def random_qubit_instance(seed: int, n: int = 2):
    rng = np.random.default_rng(seed)
    d, dA, dB = 2**n, 2, 2 ** (n - 1)
    H = random_hermitian(d, rng)
    rho = random_density(d, rng, rank=1 + seed % 2)
    V1, V2 = random_unitary(d, rng), random_unitary(d, rng)
    H2, rho1 = V2.conj().T @ H @ V2, V1 @ rho @ V1.conj().T
    return rng, H2, rho1, dA, dB


def qubit_delta_matches(delta_formula, seed: int) -> bool:
    """On the random qubit instance of ``seed``: the claimed Δ = delta_formula(K) equals max - min of C over
    U(2) found by multi-start BFGS (to 1e-7)."""
    rng, H2, rho1, dA, dB = random_qubit_instance(seed)
    K = k_matrix(H2, rho1, dA, dB)
    if np.abs(K.imag).max() >= 1e-12:
        return False
    lo, hi = brute_force_range(lambda U: cost(H2, rho1, U, dB), 2, rng, starts=4)
    return abs((hi - lo) - delta_formula(K.real)) < 1e-7


@settings(PROOFS, max_examples=4)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "3.2",
    "qubit A: Δ = 2(σ1(K)+σ2(K)) exactly (no optimiser needed)",
    "dA = 2, random H, ρ, V1, V2 on 2 qubits (hypothesis) vs multi-start BFGS on U(2)",
)
def test_lemma_3_2_exact_qubit_delta(seed):
    """Lemma 3.2. For dA = 2, Δ = max_UA C - min_UA C = 2(σ1(K) + σ2(K)) (Lemma 2.3 + 3.1 + 3.2a/b).
    Exercised end to end: Δ from the formula equals max - min of C found by multi-start BFGS on U(2)."""
    assert qubit_delta_matches(qubit_delta, seed)


@pytest.mark.mutant
@lemma("3.2", "mutant: Δ = 2(σ1+σ2+σ3) = 2||K||_* (too big)", "dA = 2")
def test_lemma_3_2_mutant_rejected():
    """The same checker rejects 2(σ1+σ2+σ3) in place of 2(σ1+σ2) on a random instance (σ3 > 0 there)."""
    rng, H2, rho1, dA, dB = random_qubit_instance(7)
    assert np.linalg.svd(k_matrix(H2, rho1, dA, dB).real, compute_uv=False)[2] > 1e-3
    assert not qubit_delta_matches(lambda K: 2 * np.linalg.svd(K, compute_uv=False).sum(), 7)


# ---------------------------------------------------------------------------------------------
# 3.3 dA >= 3: nuclear norm bound
# ---------------------------------------------------------------------------------------------
def rank_one_instance(x: float = 0.4):
    """H = G_1, ρ = I/3 + x G_1 (dA = 3, dB = 1): K = x e1 e1^T and Δ = 2x = 2||K||_*, attained between
    UA = I (R_11 = 1) and UA = diag(1, -1, 1) (flips G_1 -> -G_1, R_11 = -1)."""
    G = gell_mann(3)
    flip = np.diag([1.0, -1.0, 1.0]).astype(complex)
    return G[0], np.eye(3) / 3 + x * G[0], 3, 1, [np.eye(3, dtype=complex), flip]


def nuclear_bound_holds(factor, H2, rho1, dA: int, dB: int, rng, witnesses=(), starts: int = 2) -> bool:
    """Δ <= factor · ||K||_* on one instance, tested against a lower bound on Δ: the range of C found by
    multi-start BFGS over U(dA) (``starts`` > 0) and the costs at the explicit ``witnesses`` UA."""
    K = k_matrix(H2, rho1, dA, dB).real
    vals = [cost(H2, rho1, U, dB) for U in witnesses]
    if starts:
        vals += list(brute_force_range(lambda U: cost(H2, rho1, U, dB), dA, rng, starts=starts, maxiter=60))
    return max(vals) - min(vals) <= factor * np.linalg.svd(K, compute_uv=False).sum() + 1e-9


@settings(PROOFS, max_examples=3)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "3.3",
    "dA >= 3: Δ <= 2||K||_* (von Neumann trace inequality over O(dA²-1))",
    "dA = 3, dB = 2 random instances (hypothesis) vs BFGS lower bound; the rank-one equality instance dA = 3, dB = 1",
)
def test_lemma_3_3_nuclear_norm_bound(seed):
    """Lemma 3.3. R(UA) is orthogonal (Lemma 2.2) so |tr(K^T R)| <= ||K||_* (von Neumann 1937 trace
    inequality, Mirsky 1975) and Δ <= 2 ||K||_*.  Exercised on random qutrit instances: the range found by
    BFGS over U(3) (a lower bound on Δ) never exceeds 2||K||_*; [BFGS, 2||K||_*] is a certified bracket.
    Also on the rank-one instance where Δ = 2||K||_* (equality, two explicit UA)."""
    rng = np.random.default_rng(seed)
    dA, dB = 3, 2
    H2 = random_hermitian(dA * dB, rng)
    rho1 = random_density(dA * dB, rng, rank=1)
    assert nuclear_bound_holds(2, H2, rho1, dA, dB, rng)
    H2, rho1, dA, dB, wit = rank_one_instance()
    assert nuclear_bound_holds(2, H2, rho1, dA, dB, rng, witnesses=wit, starts=0)


@pytest.mark.mutant
@lemma("3.3", "mutant: Δ <= 0.99·2||K||_* fails (rank-one K attains 2||K||_*)", "dA = 3, dB = 1")
def test_lemma_3_3_mutant_rejected():
    """The constant 2 cannot be lowered by 1 %: the same checker rejects 1.98||K||_* on the rank-one
    instance (K = x e1 e1^T, Δ = 2x = 2||K||_*)."""
    H2, rho1, dA, dB, wit = rank_one_instance()
    assert abs(np.linalg.svd(k_matrix(H2, rho1, dA, dB).real, compute_uv=False).sum() - 0.4) < 1e-12
    assert not nuclear_bound_holds(2 * 0.99, H2, rho1, dA, dB, np.random.default_rng(0), witnesses=wit, starts=0)


# ---------------------------------------------------------------------------------------------
# 3.4 from singular values to the Frobenius norm
# ---------------------------------------------------------------------------------------------
def delta_bound_of_K(K: np.ndarray, dA: int) -> float:
    """The bound on Δ as a function of K alone: exact 2(σ1+σ2) for dA = 2 (3.2), 2||K||_* for dA >= 3 (3.3)."""
    s = np.linalg.svd(K, compute_uv=False)
    return float(2 * (s[0] + s[1])) if dA == 2 else float(2 * s.sum())


def equality_K(dA: int) -> np.ndarray:
    """K attaining Δ-bound = 2 sqrt(r) ||K||_F: diag(1, 1, 0) for dA = 2, the identity of size dA²-1 otherwise."""
    return np.diag([1.0, 1.0, 0.0]) if dA == 2 else np.eye(dA**2 - 1)


def check_frobenius_factor(dA: int, r, Ks) -> bool:
    """Δ-bound(K) <= 2 sqrt(r) ||K||_F for every K in Ks (relative slack 1e-12 for rounding)."""
    return all(delta_bound_of_K(K, dA) <= 2 * np.sqrt(float(r)) * np.linalg.norm(K) * (1 + 1e-12) for K in Ks)


@PROOFS
@given(st.integers(2, 9), st.integers(0, 2**32 - 1))
@lemma(
    "3.4",
    "Δ <= 2 sqrt(r) ||K||_F, r = 2 (dA = 2) or dA²-1 (bounds.nuclear_to_frobenius_factor); sharp",
    "dA = 2..9 (K of size 3..80): random K (hypothesis) and the equality case K = diag(1,1,0) / I",
)
def test_lemma_3_4_frobenius(dA, seed):
    """Lemma 3.4 (Cauchy–Schwarz on singular values). σ1+σ2 <= √2 ||K||_F and ||K||_* <= sqrt(rank K) ||K||_F
    with rank K <= dA²-1; hence Δ <= 2 sqrt(r) ||K||_F with r from bounds.nuclear_to_frobenius_factor.
    Checked on random K and on the equality case (diag(1,1,0) for dA = 2, I_{dA²-1} otherwise), where
    the library's r is the smallest constant that works."""
    rng = np.random.default_rng(seed)
    K = rng.normal(size=(dA**2 - 1, dA**2 - 1)) * rng.exponential(size=dA**2 - 1)
    r = bounds.nuclear_to_frobenius_factor(1, dA)
    assert check_frobenius_factor(dA, r, [K, equality_K(dA)])
    # sharp: at the equality case the two sides agree
    Ke = equality_K(dA)
    assert abs(delta_bound_of_K(Ke, dA) - 2 * np.sqrt(float(r)) * np.linalg.norm(Ke)) < 1e-9


@pytest.mark.mutant
@pytest.mark.parametrize("dA", [2, 3, 4])
@lemma(
    "3.4", "mutant: r × 0.99 (r = 1.98 for dA = 2, 0.99(dA²-1) otherwise) is rejected", "dA = 2, 3, 4, equality case"
)
def test_lemma_3_4_mutant_rejected(dA):
    """r is sharp: the same checker rejects 0.99 r on the equality case."""
    r = bounds.nuclear_to_frobenius_factor(1, dA) * sp.Rational(99, 100)
    assert not check_frobenius_factor(dA, r, [equality_K(dA)])
