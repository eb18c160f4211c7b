"""Lemma 11 — two-sided bounds: E[Δ] = Θ(sqrt(E||K||_F²)) with explicit constants, from the fourth
moments of K (DERIVATION.md §11).  The lower side needs Haar or a unitary **4**-design for the random
V1/V2: a 2-design fixes E||K||_F² but not E||K||_F⁴.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from _helpers import (
    PROOFS,
    adjoint_rep,
    brute_force_range,
    certify_nonnegative,
    certify_univariate_nonnegative,
    gell_mann,
    gell_mann_exact,
    is_zero,
    k_matrix,
    lemma,
    qubit_delta,
    random_density,
    random_hermitian,
    random_unitary,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from weingarten_check.calculus.unitary_integrals import Tr, trace_moment, twirl
from weingarten_check.theory import bounds as B
from weingarten_check.theory import fourth_moments as fm
from weingarten_check.theory import task_moments as tm

dA_s = sp.Symbol("dA", positive=True)
d = sp.Symbol("d", positive=True)
ns = sp.Symbol("n", positive=True, integer=True)


# ---------------------------------------------------------------------------------------------
# 11.1 Var_U C = ||K||_F²/(dA² - 1)
# ---------------------------------------------------------------------------------------------
def adjoint_second_moment(dim):
    """E[R_ab R_a'b'] for Haar U on U(dim) from trace_moment with abstract traceless, orthonormal G's:
    R_ab = tr(G_a U G_b U†); returns (same a, same b), (a ≠ a', b = b'), (a = a', b ≠ b'), first moment."""
    Ga, Gc, Gb, Ge = sp.symbols("Ga Gc Gb Ge", commutative=False)
    first = trace_moment([Ga], [Gb], dim).subs({Tr(Ga): 0, Tr(Gb): 0})
    e = trace_moment([Ga, Gc], [Gb, Ge], dim)
    base = {Tr(Ga): 0, Tr(Gc): 0, Tr(Gb): 0, Tr(Ge): 0}
    vals = {}
    for key, (daa, dbb) in {"same": (1, 1), "a_differs": (0, 1), "b_differs": (1, 0)}.items():
        vals[key] = sp.simplify(e.subs(base).subs({Tr(Ga, Gc): daa, Tr(Gb, Ge): dbb}))
    return vals, first


def variance_claim_holds(denominator) -> bool:
    """Var_U C = Σ K_ab K_a'b' E[R_ab R_a'b'] equals ||K||²/denominator iff E[R_ab R_a'b'] = δδ/denominator."""
    vals, first = adjoint_second_moment(dA_s)
    return first == 0 and is_zero(vals["same"] - 1 / denominator) and vals["a_differs"] == 0 and vals["b_differs"] == 0


@lemma(
    "11.1",
    "Haar UA: E R(UA) = 0, E[R_ab R_a'b'] = δ_aa' δ_bb'/(dA²-1), so Var_U C = ||K||_F²/(dA²-1)",
    "symbolic dA (Weingarten k = 2 on U(dA)); exact Haar average dA = 2, 3",
)
def test_lemma_11_1_variance_of_cost():
    """Lemma 11.1. C(UA) = c0 + Σ K_ab R_ab(UA) (Lemma 3).  With tr G_a = 0, tr G_a G_a' = δ_aa', the
    Weingarten formula (Lemma 1.2 on U(dA)) gives E R_ab = 0 and E[R_ab R_a'b'] = δ_aa' δ_bb'/(dA² - 1)
    (the adjoint representation is irreducible), hence E C = c0 and Var_U C = ||K||_F²/(dA² - 1).
    Checked symbolically in dA, then on random K through the exact numeric twirl of U(dA)."""
    assert variance_claim_holds(dA_s**2 - 1)
    rng = np.random.default_rng(111)
    for dim in (2, 3):
        G = gell_mann(dim)
        K = rng.normal(size=(dim**2 - 1,) * 2)
        # E[C - c0]^2 = Σ K_ab K_a'b' tr((G_a ⊗ G_a') E[U^{⊗2} (G_b ⊗ G_b') U^{†⊗2}])
        var = 0.0
        for b, b2 in itertools.product(range(dim**2 - 1), repeat=2):
            tw = twirl(np.kron(G[b], G[b2]), 2)
            for a, a2 in itertools.product(range(dim**2 - 1), repeat=2):
                if K[a, b] * K[a2, b2] != 0:
                    var += K[a, b] * K[a2, b2] * np.trace(np.kron(G[a], G[a2]) @ tw).real
        assert abs(var - np.sum(K**2) / (dim**2 - 1)) < 1e-10


@pytest.mark.mutant
@lemma(
    "11.1",
    "mutant: Var_U C = ||K||²/dA² (the dimension of U(dA) instead of the adjoint representation's)",
    "symbolic dA",
)
def test_lemma_11_1_mutant_rejected():
    """The same symbolic checker rejects the denominator dA² (and dA² - 2)."""
    assert not variance_claim_holds(dA_s**2)
    assert not variance_claim_holds(dA_s**2 - 2)


# ---------------------------------------------------------------------------------------------
# 11.2 lower side: Popoviciu, and the qubit constant 2
# ---------------------------------------------------------------------------------------------
def popoviciu_certificate(factor):
    """Popoviciu for a two-point law p δ_a + (1-p) δ_b (the extremal case): Var <= (b-a)²/factor,
    certified on a = 0, b = 1 for every p >= 0 (root isolation): (1/factor) - p(1-p) >= 0, and exercised exactly on
    random finite laws on [0, 1]."""
    p = sp.Symbol("p", real=True)
    if not certify_univariate_nonnegative(sp.Integer(1) / factor - p * (1 - p), p, 0).ok:
        return False
    rng = np.random.default_rng(1120)
    for _ in range(20):
        k = int(rng.integers(2, 6))
        vals = [sp.Rational(int(x), 20) for x in rng.integers(0, 21, size=k)]
        w = [int(x) for x in rng.integers(1, 10, size=k)]
        probs = [sp.Rational(x, sum(w)) for x in w]
        mean = sum(pp * v for pp, v in zip(probs, vals))
        var = sum(pp * (v - mean) ** 2 for pp, v in zip(probs, vals))
        if var > (max(vals) - min(vals)) ** 2 / factor:
            return False
    return True


def qubit_constant_certificate(c):
    """(σ1+σ2)² - (c/2)² (σ1²+σ2²+σ3²) >= 0 for σ1 >= σ2 >= σ3 >= 0, i.e. Δ = 2(σ1+σ2) >= c ||K||_F (dA = 2)."""
    s3, s, t = sp.symbols("s3 s t", nonnegative=True)
    sig3, sig2 = s3, s3 + s
    sig1 = sig2 + t
    expr = (sig1 + sig2) ** 2 - (sp.sympify(c) / 2) ** 2 * (sig1**2 + sig2**2 + sig3**2)
    return certify_nonnegative(expr, {}, [s3, s, t]).ok


@lemma(
    "11.2",
    "Δ >= 2||K||_F/sqrt(dA²-1) (Popoviciu: Var_U C <= Δ²/4); dA = 2: Δ = 2(σ1+σ2) >= 2||K||_F (equality iff rank K <= "
    "1), which implies Δ >= 2 sqrt(2/3)||K||_F",
    "Popoviciu: certificate (two-point law); qubit: certificate in σ's; random K, dA = 2 exact, dA = 3 brute force",
)
def test_lemma_11_2_popoviciu_and_qubit_constant():
    """Lemma 11.2. C(UA) takes values in an interval of length Δ, so Var_U C <= Δ²/4 (Popoviciu; the
    two-point law at the ends is extremal) and by 11.1 Δ >= 2||K||_F/sqrt(dA² - 1).  For one qubit
    (Lemma 3.2) Δ = 2(σ1+σ2) and (σ1+σ2)² - ||K||_F² = 2σ1σ2 - σ3² >= 0, so Δ >= 2||K||_F (> 2 sqrt(2/3)||K||_F
    and > 2/sqrt(3) ||K||_F, Popoviciu's value), with equality for rank-one K (the v2 case with a product input).
    Certified symbolically; exercised on random K (dA = 2 exact Δ; dA = 3 a brute-force *lower* bound on Δ)."""
    assert popoviciu_certificate(4)
    assert qubit_constant_certificate(2)
    assert qubit_constant_certificate(2 * sp.sqrt(sp.Rational(2, 3)))
    c2, _ = B.delta_frobenius_constants(2)
    c3, _ = B.delta_frobenius_constants(3)
    assert c2 == 2 and c3 == 2 / sp.sqrt(8)
    rng = np.random.default_rng(112)
    for _ in range(5):
        K = rng.normal(size=(3, 3))
        assert qubit_delta(K) >= 2 * np.linalg.norm(K) - 1e-12
    Kr = np.outer(rng.normal(size=3), rng.normal(size=3))
    assert abs(qubit_delta(Kr) - 2 * np.linalg.norm(Kr)) < 1e-12  # rank one: equality
    # dA = 3: a random instance (H2, ρ1); brute-force range (a lower bound on Δ) >= 2||K||/sqrt(8)
    H, rho = random_hermitian(9, rng), random_density(9, rng, rank=1)
    K = k_matrix(H, rho, 3, 3).real
    G = np.array(gell_mann(3))
    # C(U) - c0 = Σ K_ab tr(G_a U G_b U†)
    f = lambda U: float(np.einsum("ab,aij,bji->", K, G, np.einsum("ij,bjk,lk->bil", U, G, U.conj())).real)  # noqa: E731
    lo, hi = brute_force_range(f, 3, rng, starts=2, maxiter=200)
    assert hi - lo >= float(c3) * np.linalg.norm(K)


@pytest.mark.mutant
@lemma("11.2", "mutant: qubit constant 2·1.01; Popoviciu with Δ²/4.04", "certificates + rank-one K")
def test_lemma_11_2_mutant_rejected():
    """The same certificates reject the constant 2.02 (rank-one K attains 2) and Var <= Δ²/4.04 (the
    symmetric two-point law attains Δ²/4)."""
    assert not qubit_constant_certificate(sp.Rational(202, 100))
    assert not popoviciu_certificate(sp.Rational(404, 100))
    Kr = np.outer([1.0, 2, 0], [0.5, -1, 3])
    assert qubit_delta(Kr) < 2.02 * np.linalg.norm(Kr)


# ---------------------------------------------------------------------------------------------
# 11.3 upper side: Δ <= sqrt(2) dA ||K||_F, attained
# ---------------------------------------------------------------------------------------------
def trace_R_identity_holds(dim: int) -> bool:
    """Σ_a tr(G_a V G_a V†) = |tr V|² - tr(V V†)/dim for a matrix V of independent symbols (exact);
    for unitary V it is tr R(V) = |tr V|² - 1, so ||R(V) - I||_F² = 2(dA²-1) - 2 tr R(V) = 2dA² - 2|tr V|²."""
    V = sp.Matrix(dim, dim, lambda i, j: sp.Symbol(f"v{i}{j}"))
    Vd = V.applyfunc(sp.conjugate).T
    lhs = sum(((g * V * g * Vd).trace() for g in gell_mann_exact(dim)), sp.Integer(0))
    rhs = V.trace() * Vd.trace() - (V * Vd).trace() / dim
    return is_zero(lhs - rhs)


def equality_case(dim: int):
    """K = R(W0) - I, W0 = diag of the dim-th roots of unity (tr W0 = 0): exact ||K||_F² and C(W0) - C(I)."""
    w = sp.cos(2 * sp.pi / dim) + sp.I * sp.sin(2 * sp.pi / dim)  # radicals for dim = 2, 3
    W0 = sp.diag(*[w**k for k in range(dim)])
    G = gell_mann_exact(dim)
    R = sp.Matrix(len(G), len(G), lambda a, b: sp.simplify(sp.expand_complex((G[a] * W0 * G[b] * W0.H).trace())))
    K = R - sp.eye(len(G))
    fro2 = sp.nsimplify(sp.simplify(sum(x**2 for x in K)))
    gain = sp.simplify(sp.expand_complex((K.T * (R - sp.eye(len(G)))).trace()))  # C(W0) - C(I)
    return fro2, gain


def upper_constant_attained(u, dim) -> bool:
    """Δ <= u ||K||_F is consistent with the equality instance: Δ >= C(W0) - C(I) = ||K||_F² must be <= u ||K||_F."""
    fro2, gain = equality_case(dim)
    return bool(sp.simplify(gain - u * sp.sqrt(fro2)) <= 0)


@lemma(
    "11.3",
    "||R(V) - I||_F² = 2dA² - 2|tr V|², so Δ <= sqrt(2) dA ||K||_F, attained by K = R(W0) - I; qudit thm w dA "
    "sqrt((dA²-1)/2)/sqrt(d+1)",
    "identity exact for symbolic V (dA = 2, 3); equality exact dA = 2, 3; random instances",
)
def test_lemma_11_3_sharp_upper():
    """Lemma 11.3. Δ = max_{U,V} tr(K^T (R(U) - R(V))) = max tr(K^T (R(UV†) - I) R(V)) <= ||K||_F max_W ||R(W) - I||_F
    (R(V) orthogonal) and ||R(W) - I||_F² = 2(dA²-1) - 2 tr R(W) = 2dA² - 2|tr W|² <= 2dA².  Equality: K = R(W0) - I
    with W0 traceless (roots of unity) has ||K||_F² = 2dA² and C(W0) - C(I) = ||K||_F² = sqrt(2) dA ||K||_F.  With
    Lemma 4 this gives E[Δ] <= w dA sqrt((dA²-1)/2)/sqrt(d+1) (`bounds.qudit_theorem1_sharp_bound`), smaller than the
    nuclear-norm route 2 sqrt(dA²-1) ||K||_F for dA >= 3 and equal to it (r = 2) for dA = 2."""
    for dim in (2, 3):
        assert trace_R_identity_holds(dim)
        fro2, gain = equality_case(dim)
        assert fro2 == 2 * dim**2 and sp.simplify(gain - fro2) == 0
        _, u = B.delta_frobenius_constants(dim)
        assert upper_constant_attained(u, dim)
    rng = np.random.default_rng(113)
    for dim in (2, 3):
        for _ in range(3):
            W = random_unitary(dim, rng)
            R = adjoint_rep(W, dim).real
            assert abs(np.linalg.norm(R - np.eye(dim**2 - 1)) ** 2 - (2 * dim**2 - 2 * abs(np.trace(W)) ** 2)) < 1e-9
    K = rng.normal(size=(3, 3))
    assert qubit_delta(K) <= 2 * math.sqrt(2) * np.linalg.norm(K) + 1e-12
    for n in (3, 4, 6):
        assert (
            sp.simplify(
                B.qudit_theorem1_sharp_bound(1, n, 1, 3) * sp.sqrt(2 * 8) / 3 - B.qudit_theorem1_bound(1, n, 1, 3)
            )
            == 0
        )


@pytest.mark.mutant
@lemma("11.3", "mutant: Δ <= 0.99 sqrt(2) dA ||K||_F; ||R - I||² = 2dA² - |tr V|²", "exact dA = 2, 3")
def test_lemma_11_3_mutant_rejected():
    """The equality instance rejects the constant 0.99·sqrt(2)·dA, and a numeric unitary rejects the identity
    with |tr V|² instead of 2|tr V|²."""
    for dim in (2, 3):
        assert not upper_constant_attained(sp.Rational(99, 100) * sp.sqrt(2) * dim, dim)
    W = random_unitary(3, np.random.default_rng(5))
    R = adjoint_rep(W, 3).real
    assert abs(np.linalg.norm(R - np.eye(8)) ** 2 - (18 - abs(np.trace(W)) ** 2)) > 1e-3


# ---------------------------------------------------------------------------------------------
# 11.4 fourth moments
# ---------------------------------------------------------------------------------------------
def swap_x(dA: int, dB: int, Ga, Gb) -> np.ndarray:
    """X_ab on (A B)(A' B'): G_a ⊗ G_b' ⊗ SWAP_BB', so that K_ab = tr((H2 ⊗ ρ1) X_ab)."""
    out = np.zeros((dA * dB * dA * dB,) * 2, dtype=complex)
    for k, l in itertools.product(range(dB), repeat=2):
        Ekl = np.zeros((dB, dB))
        Ekl[k, l] = 1
        out += np.kron(np.kron(Ga, Ekl), np.kron(Gb, Ekl.T))
    return out


def brute_force_fourth(H, rho, dA, dB, case):
    """E||K||_F⁴ by the project's exact numeric twirl (eq. E3, k = 4, no Weingarten symbolics):
    ||K||⁴ = Σ_{ab,a'b'} Π tr((H2 ⊗ ρ1) X), contracted with E[H2^{⊗4}] and E[ρ1^{⊗4}]."""
    D = dA * dB
    G = gell_mann(dA)
    TH = (
        twirl(np.kron(np.kron(H, H), np.kron(H, H)), 4)
        if case in ("v2", "both")
        else np.kron(np.kron(H, H), np.kron(H, H))
    )
    Tr_ = (
        twirl(np.kron(np.kron(rho, rho), np.kron(rho, rho)), 4)
        if case in ("v1", "both")
        else np.kron(np.kron(rho, rho), np.kron(rho, rho))
    )
    TH = TH.reshape((D,) * 8)  # x1..x4, y1..y4
    Tr_ = Tr_.reshape((D,) * 8)  # u1..u4, v1..v4
    # S2 = Σ_ab X_ab ⊗ X_ab as a tensor [(y1 v1),(x1 u1),(y2 v2),(x2 u2)]: K_ab = Σ H[x,y] ρ[u,v] X[(y,v),(x,u)]
    S2 = sum(
        np.kron(swap_x(dA, dB, G[a], G[b]), swap_x(dA, dB, G[a], G[b]))
        for a in range(dA**2 - 1)
        for b in range(dA**2 - 1)
    )
    S2 = S2.reshape(D, D, D, D, D, D, D, D)  # y1 v1 y2 v2 | x1 u1 x2 u2
    return np.einsum("ABCDEFGH,IJKLMNOP,EMFNAIBJ,GOHPCKDL->", TH, Tr_, S2, S2, optimize=True).real


def formula_fourth(H, rho, dA, dB, case):
    """Lemma 11.4 (11.4a-c) through weingarten_check.theory.fourth_moments (trace_moment coefficients)."""
    D = dA * dB
    if case == "v1":
        return float(fm.fourth_moment_v1(dA, fm.pair_tensor(H, dA), 1, D))
    H0 = H - np.trace(H).real / D * np.eye(D)
    hp = (0, sp.Float(np.trace(H0 @ H0).real), 0, sp.Float(np.trace(np.linalg.matrix_power(H0, 4)).real))
    if case == "v2":
        return float(fm.fourth_moment_v2(dA, fm.pair_tensor(rho, dA), (1, 1, 1, 1), hp, D))
    return float(fm.fourth_moment_both(dA, dB, hp, D))


@pytest.mark.parametrize("case", ["v1", "v2", "both"])
@lemma(
    "11.4",
    "E||K||_F⁴ (v1, v2, both; Haar = 4-design) by (11.4a-c); VQE and QAE symbolic in n, e.g. VQE v1: "
    "396(d+4)/((d+1)(d+2)(d+3))",
    "symbolic d (trace_moment k = 4); brute-force exact twirl d = 4 (random H, pure ρ); VQE/QAE vs Observable n = 3..6",
)
def test_lemma_11_4_fourth_moments(case):
    """Lemma 11.4. ||K||_F⁴ = Σ_{ab,a'b'} K_ab² K_a'b'² is a degree-4 polynomial in ρ1 (v1), H2 (v2) or in both.
    With E[F2^{⊗4}] = Σ_σ c_σ P_σ (c from the Weingarten engine's trace_moment, k = 4: β_σ = 1/(d(d+1)(d+2)(d+3)) for a
    Haar state, α_σ for H2 = V†HV, which needs only tr H0², tr H0⁴), and the factorisation of every trace over A and B
    (γ(σ) = Σ tr_σ(G_a,G_a,G_a',G_a'), B traces of W = Σ h_a ⊗ h_a or R = Σ r_b ⊗ r_b, and tr(P_σ P_τ) = dB^{c(στ)}):
    (11.4a) Σ β γ η, (11.4b) Σ α γ ζ, (11.4c) Σ α β γ γ dB^{c(στ)}.  Checked against the project's exact numeric
    twirl (no symbolic Weingarten) at d = 4 for random H and pure ρ; the paper's tasks symbolic in n against the
    library observables (dense traces) at n = 3..6."""
    rng = np.random.default_rng(114)
    dA, dB = 2, 2
    H = random_hermitian(4, rng)
    psi = random_unitary(4, rng)[:, 0]
    rho = np.outer(psi, psi.conj())
    bf = brute_force_fourth(H, rho, dA, dB, case)
    assert abs(bf - formula_fourth(H, rho, dA, dB, case)) < 1e-9 * abs(bf)
    # the paper's tasks, symbolic in n, against the Observable path at several n
    from weingarten_check.states.observables import heisenberg_ring, qae_observable

    for task, q, n in (("vqe", 2, 3), ("vqe", 2, 4), ("vqe", 2, 6), ("qae", 2, 5), ("vqe", 3, 3), ("qae", 3, 4)):
        obs = heisenberg_ring(n, q, _width=0.0) if task == "vqe" else qae_observable(n, q)
        exact = tm.expected_K_frobenius_fourth_task(task, case, n, q=q)
        assert abs(fm.expected_K_frobenius_fourth_observable(obs, case) - float(exact)) < 1e-9 * float(exact)
        if n >= 5:
            assert sp.simplify(tm.expected_K_frobenius_fourth_task(task, case, ns, q=q).subs(ns, n) - exact) == 0
    if case == "v1":
        assert (
            sp.simplify(
                tm.expected_K_frobenius_fourth_task("vqe", "v1", ns, in_d=True)
                - 396 * (d + 4) / ((d + 1) * (d + 2) * (d + 3))
            )
            == 0
        )


@lemma(
    "11.4",
    "Monte Carlo: E||K||_F⁴ within 5 standard errors (2000 Haar samples, seed 2024)",
    "VQE v1 and QAE both, q = 2, n = 4",
)
def test_lemma_11_4_monte_carlo():
    """Lemma 11.4 against sampling (independent of every formula): 2000 exact-Haar draws through the library's
    experiment path (the full grid n = 4, 6, 8 / q = 3, n = 3, 4 is in tests/test_fourth_moments.py)."""
    from weingarten_check.experiments import config_entropy, sample_rng, task_spec, variation_range_sample_result

    for task, case in (("vqe", "v1"), ("qae", "both")):
        spec = task_spec(task, 4, 2)
        cfg = config_entropy(task, "haar", case, 2, 0)
        x4 = np.array(
            [
                np.sum(variation_range_sample_result(spec, "haar", case, sample_rng(2024, 4, s, cfg)).K ** 2) ** 2
                for s in range(2000)
            ]
        )
        exact = float(tm.expected_K_frobenius_fourth_task(task, case, 4))
        assert abs(x4.mean() - exact) <= 5 * x4.std(ddof=1) / math.sqrt(len(x4))


@pytest.mark.mutant
@lemma(
    "11.4",
    "mutant: the 2-design shortcut E||K||⁴ = (E||K||²)² ; Haar-state moment with d(d+1)(d+2)² ",
    "brute-force twirl d = 4; symbolic d",
)
def test_lemma_11_4_mutant_rejected():
    """The brute-force twirl rejects the guess that second moments fix the fourth ((E||K||²)², which is what a
    2-design-only argument would use), and the symbolic VQE value rejects a wrong Haar-state normalisation."""
    rng = np.random.default_rng(114)
    H = random_hermitian(4, rng)
    psi = random_unitary(4, rng)[:, 0]
    rho = np.outer(psi, psi.conj())
    bf = brute_force_fourth(H, rho, 2, 2, "v1")
    from weingarten_check.states.observables import heisenberg_ring  # noqa: F401

    W = fm.pair_tensor(H, 2)
    second = (2**2 - 1) * sum(W[i, k, k, i] for i in range(2) for k in range(2)).real * (1 - 1 / 4) / (16 - 1)
    assert abs(bf - second**2) > 1e-3 * bf
    wrong = 396 * (d + 4) * (d + 3) / ((d + 1) * (d + 2) ** 2 * (d + 3))
    assert not is_zero(tm.expected_K_frobenius_fourth_task("vqe", "v1", ns, in_d=True) - wrong)


# ---------------------------------------------------------------------------------------------
# 11.5 Hölder
# ---------------------------------------------------------------------------------------------
_THREE_HALVES = sp.Rational(3, 2)


def holder_holds(values, probs, p_exp=_THREE_HALVES) -> bool:
    """E X >= (E X²)^{p} / (E X⁴)^{1/2}, i.e. (E X)² E X⁴ >= (E X²)^{2p}, exactly for a finite law."""
    ex = sum(p * v for v, p in zip(values, probs))
    e2 = sum(p * v**2 for v, p in zip(values, probs))
    e4 = sum(p * v**4 for v, p in zip(values, probs))
    return bool(ex**2 * e4 - e2 ** (2 * p_exp) >= 0)


@settings(PROOFS, max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 9)), min_size=1, max_size=6))
@lemma(
    "11.5",
    "E X >= (E X²)^{3/2}/(E X⁴)^{1/2} for X >= 0 (Hölder), so E[Δ] >= c (E||K||²)^{3/2}/(E||K||⁴)^{1/2}",
    "exact on random finite laws (hypothesis); bound function vs formula",
)
def test_lemma_11_5_holder(pts):
    """Lemma 11.5. Hölder with exponents (3/2, 3) on X² = X^{2/3} · X^{4/3} gives E X² <= (E X)^{2/3} (E X⁴)^{1/3},
    i.e. E X >= (E X²)^{3/2}/(E X⁴)^{1/2}.  Exercised
    exactly on random finite laws; then E[Δ] >= c E||K||_F (11.2) gives
    `bounds.expected_delta_lower_bound_from_moments`."""
    vals = [sp.Rational(v, 7) for v, _ in pts]
    tot = sum(w for _, w in pts)
    probs = [sp.Rational(w, tot) for _, w in pts]
    assert holder_holds(vals, probs)
    e2 = sum(p * v**2 for v, p in zip(vals, probs))
    e4 = sum(p * v**4 for v, p in zip(vals, probs))
    if e4 > 0:
        assert (
            sp.simplify(
                B.expected_delta_lower_bound_from_moments(e2, e4, 2) - 2 * e2 ** sp.Rational(3, 2) / sp.sqrt(e4)
            )
            == 0
        )


@pytest.mark.mutant
@lemma("11.5", "mutant: (E X)² E X⁴ >= (E X²)² (exponent 1 instead of 3/2)", "exact finite law")
def test_lemma_11_5_mutant_rejected():
    """The same exact checker with the exponent 3/2 replaced by 1 (the claim E X >= E X²/sqrt(E X⁴), i.e.
    (E X)² E X⁴ >= (E X²)², false) fails on the two-point law {0, 1}: (1/2)²·(1/2) < (1/2)²."""
    vals, probs = [sp.Integer(0), sp.Integer(1)], [sp.Rational(1, 2), sp.Rational(1, 2)]
    assert not holder_holds(vals, probs, p_exp=1)


# ---------------------------------------------------------------------------------------------
# 11.6 the theorem E[Δ] = Θ(q^{-n/2})
# ---------------------------------------------------------------------------------------------
THETA_CASES = [(t, c, q) for t in ("vqe", "qae") for c in ("v1", "v2", "both") for q in (2, 3)]


_ONE_HALF = sp.Rational(1, 2)


def scaled_limits(task, case, q, rate=_ONE_HALF):
    """lim_{n→∞} d^rate · bound / sqrt(n)^{[VQE v2/both]} for lower and upper (d = q^n): first d → ∞ in the exact
    rational function of (n, d), then n → ∞ (the coefficients are polynomials in n, so d = q^n dominates)."""
    D = sp.Symbol("D", positive=True)
    e2 = tm.expected_K_frobenius_sq_task(task, case, ns, q=q, in_d=True).subs(d, D)
    e4 = tm.expected_K_frobenius_fourth_task(task, case, ns, q=q, in_d=True).subs(d, D)
    c, u = B.delta_frobenius_constants(q)
    lower = c * e2 ** sp.Rational(3, 2) / sp.sqrt(e4)
    upper = u * sp.sqrt(e2)
    growth = sp.sqrt(ns) if (task == "vqe" and case != "v1") else 1
    out = []
    for b in (lower, upper):
        inner = sp.limit(sp.simplify(b * D**rate), D, sp.oo)
        out.append(sp.limit(sp.simplify(inner / growth), ns, sp.oo) if inner.has(ns) else inner)
    return out


@pytest.mark.parametrize("task,case,q", THETA_CASES)
@lemma(
    "11.6",
    "Theorem: Haar (4-design) V1/V2: c (E||K||²)^{3/2}/(E||K||⁴)^{1/2} <= E[Δ] <= sqrt(2) dA sqrt(E||K||²); VQE v1, "
    "QAE: E[Δ] = Θ(q^{-n/2}), VQE v2/both: Θ(sqrt(n) q^{-n/2}) — both limits finite and > 0",
    "symbolic n (limits d = q^n → ∞), q = 2, 3, every case",
)
def test_lemma_11_6_theta(task, case, q):
    """Lemma 11.6 (Theorem).  11.2 + 11.5 (lower, needs 4th moments: Haar or a 4-design) and 11.3 + Jensen (upper,
    a 2-design suffices) give c (E X²)^{3/2}/(E X⁴)^{1/2} <= E[Δ] <= u sqrt(E X²), X = ||K||_F.  With the exact
    moments of Lemma 9 and 11.4 both sides times sqrt(d) (times 1/sqrt(n) for VQE v2/both, where w ~ n) have
    finite, positive limits: the exponent n/2 is exact.  The band's width is (u/c) sqrt(E X⁴/(E X²)²)."""
    lo, up = scaled_limits(task, case, q)
    assert lo.is_positive and lo.is_finite
    assert up.is_positive and up.is_finite
    assert bool(lo < up)
    if (task, case, q) == ("vqe", "v1", 2):
        assert sp.simplify(up - 12) == 0
        assert sp.simplify(lo - 2 * 18 ** sp.Rational(3, 2) / sp.sqrt(396)) == 0  # ≈ 7.675: band 12/7.675 ≈ 1.56


@pytest.mark.mutant
@lemma(
    "11.6",
    "mutant: E[Δ] = Θ(q^{-0.51 n}) (a faster rate): the same limit of d^0.51·lower is infinite",
    "symbolic n, VQE v1 and QAE both, q = 2",
)
def test_lemma_11_6_mutant_rejected():
    """Scaling by d^{0.51} instead of d^{1/2} sends the lower bound's limit to infinity: a faster rate than n/2
    contradicts the lower bound, so the rate is not better than n/2."""
    for task, case in (("vqe", "v1"), ("qae", "both")):
        lo, _ = scaled_limits(task, case, 2, rate=sp.Rational(51, 100))
        assert lo == sp.oo
