"""Lemma 7 — Proposition 2 (fidelity cost C = 1 - |<φ|U|ψ>|²) exactly (DERIVATION.md §7).

ψ1 = V1|ψ> = Σ_i |i>_A|ψ_i>_B,  φ2 = V2†|φ> = Σ_j |j>_A|φ_j>_B,  M_ij = <φ_j|ψ_i>.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from _helpers import PROOFS, brute_force_range, is_zero, lemma, m_matrix, random_unitary
from _index_calculus import Idx, equal, term
from hypothesis import given, settings
from hypothesis import strategies as st

from weingarten_check.calculus.unitary_integrals import Tr, haar_integral, trace_moment, trace_moment_numeric
from weingarten_check.theory import bounds

d = sp.Symbol("d", positive=True)
dA_s, dB_s = sp.symbols("d_A d_B", positive=True)
N, M_, Q = sp.symbols("n m q", positive=True, integer=True)


def sym_vector(name, n):
    return sp.Matrix([sp.Symbol(f"{name}{i}") for i in range(n)])


def overlap_residual(dA, dB, transpose=False):
    """<φ2|(UA ⊗ I)|ψ1> - tr(UA M) for symbolic vectors and an arbitrary symbolic UA."""
    psi, phi = sym_vector("psi", dA * dB), sym_vector("phi", dA * dB)
    U = sp.Matrix(dA, dA, lambda i, j: sp.Symbol(f"u{i}{j}"))
    lhs = (phi.H * sp.kronecker_product(U, sp.eye(dB)) * psi)[0, 0]
    Mx = sp.Matrix(dA, dA, lambda i, j: sum(sp.conjugate(phi[j * dB + k]) * psi[i * dB + k] for k in range(dB)))
    rhs = (U * (Mx.T if transpose else Mx)).trace()
    return sp.expand(lhs - rhs)


def overlap_holds_all_dims(transpose=False) -> bool:
    """Lemma 7.1 for every dA, dB by index calculus: <φ2|(UA ⊗ I)|ψ1> = Σ_ijk conj(φ_{jk}) U_ji ψ_{ik}
    (i, j over A, k over B) and tr(UA M) = Σ_ij U_ji M_ij with M_ij = Σ_k conj(φ_{jk}) ψ_{ik} (or M^T)."""
    i, j, i2, j2 = (Idx(n, dA_s) for n in ["i", "j", "i2", "j2"])
    k, k2 = Idx("k", dB_s), Idx("k2", dB_s)
    lhs = [term(1, ("phibar", (j, k)), ("U", (j, i)), ("psi", (i, k)), summed=[i, j, k])]
    a, b = (j2, i2) if transpose else (i2, j2)  # M_ab
    rhs = [term(1, ("U", (j2, i2)), ("phibar", (b, k2)), ("psi", (a, k2)), summed=[i2, j2, k2])]
    return equal(lhs, rhs)


@lemma("7.1", "<φ2|(UA⊗I)|ψ1> = tr(UA M)", "symbolic dA, dB (index calculus)")
def test_lemma_7_1_overlap_all_dims():
    """Lemma 7.1 for every dA, dB (symbolic)."""
    assert overlap_holds_all_dims()


@pytest.mark.parametrize("dA,dB", [(2, 2), (3, 1), (2, 3)])
@lemma(
    "7.1",
    "<φ2|(UA⊗I)|ψ1> = tr(UA M)",
    "cross-check: exact, symbolic vectors and arbitrary UA, (dA, dB) = (2,2), (3,1), (2,3)",
)
def test_lemma_7_1_overlap_is_trace(dA, dB):
    """Lemma 7.1. <φ2|(UA ⊗ I)|ψ1> = Σ_ij (UA)_ji <φ_j|ψ_i> = tr(UA M), M_ij = <φ_j|ψ_i>."""
    assert is_zero(overlap_residual(dA, dB))


@pytest.mark.mutant
@lemma("7.1", "mutant: tr(UA M^T)", "symbolic dA, dB; and dA = dB = 2 explicitly")
def test_lemma_7_1_mutant_rejected():
    """Using M^T instead of M is rejected by both checks."""
    assert not overlap_holds_all_dims(transpose=True)
    assert not is_zero(overlap_residual(2, 2, transpose=True))


def extremal_unitaries(Mx):
    """U_max = (u vh)† gives tr(U M) = ||M||_1; U_min = vh† P u† (P a cyclic shift) gives tr(U M) = 0."""
    u, s, vh = np.linalg.svd(Mx)
    dA = Mx.shape[0]
    P = np.roll(np.eye(dA), 1, axis=0)
    return (u @ vh).conj().T, vh.conj().T @ P @ u.conj().T, s.sum()


def check_trace_range(max_claim, Mx, rng, trials: int = 20) -> bool:
    """max_U |tr(U M)| = max_claim(M) and min_U |tr(U M)| = 0: the constructive maximiser and minimiser
    attain max_claim(M) and 0, and no Haar-random unitary exceeds max_claim(M)."""
    Umax, Umin, _ = extremal_unitaries(Mx)
    claim = max_claim(Mx)
    attained = abs(abs(np.trace(Umax @ Mx)) - claim) < 1e-10 and abs(np.trace(Umin @ Mx)) < 1e-10
    never_exceeded = all(abs(np.trace(random_unitary(len(Mx), rng) @ Mx)) <= claim + 1e-10 for _ in range(trials))
    return attained and never_exceeded


def trace_norm(Mx):
    return float(np.linalg.svd(Mx, compute_uv=False).sum())


@PROOFS
@given(st.integers(2, 5), st.integers(0, 2**32 - 1))
@lemma(
    "7.2",
    "max_U |tr(U M)| = ||M||_1 and min = 0 (dA >= 2), so Δ_QSL = ||M||_1² exactly",
    "random M, dA = 2..5 (hypothesis; von Neumann trace inequality)",
)
def test_lemma_7_2_range_of_trace(dA, seed):
    """Lemma 7.2. |tr(U M)| <= ||M||_1 (von Neumann trace inequality) with equality at U = (u vh)†, and
    tr(U M) = 0 at U = vh† P u† for a cyclic shift P (zero diagonal, needs dA >= 2).  C = 1 - |tr(UA M)|²
    so Δ_QSL = max C - min C = ||M||_1² - 0.  Exercised: both constructions, and random U never exceed."""
    rng = np.random.default_rng(seed)
    Mx = rng.normal(size=(dA, dA)) + 1j * rng.normal(size=(dA, dA))
    assert check_trace_range(trace_norm, Mx, rng)


@pytest.mark.mutant
@lemma("7.2", "mutant: max_U |tr(U M)| = ||M||_F (Frobenius instead of trace norm)", "dA = 3")
def test_lemma_7_2_mutant_rejected():
    """The same checker rejects the Frobenius norm as the maximum (for a random M of full rank the
    constructive maximiser exceeds ||M||_F)."""
    rng = np.random.default_rng(72)
    Mx = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    assert check_trace_range(trace_norm, Mx, rng)
    assert not check_trace_range(lambda A: float(np.linalg.norm(A)), Mx, rng)


@settings(PROOFS, max_examples=3)
@given(st.integers(0, 2**32 - 1))
@lemma("7.2", "Δ_QSL = ||M||_1² end to end (BFGS over U(2))", "dA = 2, dB = 2 random states (hypothesis)")
def test_lemma_7_2_end_to_end(seed):
    """Lemma 7.2 end to end: the range of 1 - |<φ2|(UA⊗I)|ψ1>|² over U(2) found by BFGS equals ||M||_1²."""
    rng = np.random.default_rng(seed)
    psi1 = rng.normal(size=4) + 1j * rng.normal(size=4)
    phi2 = rng.normal(size=4) + 1j * rng.normal(size=4)
    psi1, phi2 = psi1 / np.linalg.norm(psi1), phi2 / np.linalg.norm(phi2)

    def cost(U):
        return 1 - abs(phi2.conj() @ np.kron(U, np.eye(2)) @ psi1) ** 2

    lo, hi = brute_force_range(cost, 2, rng, starts=3)
    nuc = np.linalg.svd(m_matrix(psi1, phi2, 2, 2), compute_uv=False).sum()
    assert abs((hi - lo) - nuc**2) < 1e-7


def expected_frobenius_is(claim) -> bool:
    """The engine's first moment E tr((I_A ⊗ φ_B) V|ψ><ψ|V†) with tr(I_A ⊗ φ_B) = dA, tr|ψ><ψ| = 1 (Lemma 1.1)
    equals the claimed E||M||_F² (symbolic in dA and d)."""
    A_, X_ = sp.symbols("A X", commutative=False)
    e = trace_moment([A_], [X_], d).subs({Tr(A_): dA_s, Tr(X_): 1})
    return is_zero(e - claim)


@lemma("7.3", "V1 (or V2) a 1-design: E||M||_F² = dA/d", "symbolic dA, dB (Lemma 1.1 with A = I_A ⊗ φ_B)")
def test_lemma_7_3_expected_frobenius():
    """Lemma 7.3. ||M||_F² = Σ_ij |<φ_j|ψ_i>|² = <ψ1|(I_A ⊗ φ_B)|ψ1> with φ_B = tr_A|φ2><φ2|, tr φ_B = 1.
    For V1 from a 1-design (Lemma 1.1): E = tr(I_A ⊗ φ_B) tr(|ψ><ψ|)/d = dA/d; symmetrically for V2.
    Checked: the first-moment formula with tr A = dA; the identity ||M||_F² = tr(φ_B ψ_B) numerically;
    bounds.expected_M_frobenius_sq."""
    assert expected_frobenius_is(dA_s / d)
    assert is_zero(bounds.expected_M_frobenius_sq(N, M_, Q) - Q**M_ / Q**N)
    rng = np.random.default_rng(73)
    psi = rng.normal(size=8) + 1j * rng.normal(size=8)
    phi = rng.normal(size=8) + 1j * rng.normal(size=8)
    psi, phi = psi / np.linalg.norm(psi), phi / np.linalg.norm(phi)
    dA, dB = 2, 4
    phiB = np.einsum("ia,ib->ab", phi.reshape(dA, dB), phi.reshape(dA, dB).conj())
    assert (
        abs(np.linalg.norm(m_matrix(psi, phi, dA, dB)) ** 2 - (psi.conj() @ np.kron(np.eye(dA), phiB) @ psi).real)
        < 1e-12
    )
    # the first moment through the numeric engine: E<ψ1|(I ⊗ φ_B)|ψ1> = dA/d
    val = trace_moment_numeric([np.kron(np.eye(dA), phiB)], [np.outer(psi, psi.conj())])
    assert abs(val - dA / (dA * dB)) < 1e-12


@pytest.mark.mutant
@lemma("7.3", "mutant: E||M||_F² = dA/(d+1)", "symbolic")
def test_lemma_7_3_mutant_rejected():
    """The same checker rejects the (2-design-like) value dA/(d+1)."""
    assert not expected_frobenius_is(dA_s / (d + 1))


def rank_k_matrices(dA: int, rng):
    """For each rank k = 1..dA: a random M of rank k and the extremal M with k equal singular values."""
    out = []
    for k in range(1, dA + 1):
        G = (rng.normal(size=(dA, k)) + 1j * rng.normal(size=(dA, k))) @ (
            rng.normal(size=(k, dA)) + 1j * rng.normal(size=(k, dA))
        )
        P = np.diag([1.0] * k + [0.0] * (dA - k)).astype(complex)
        out.append((k, G))
        out.append((k, random_unitary(dA, rng) @ P @ random_unitary(dA, rng)))
    return out


def check_cs_constant(const, dA: int, rng, ranks=None) -> bool:
    """||M||_1² <= const(k) ||M||_F² for random and extremal M of every rank k (Cauchy–Schwarz on the
    k nonzero singular values); ``ranks`` restricts the ranks checked."""
    for k, Mx in rank_k_matrices(dA, rng):
        if ranks is not None and k not in ranks:
            continue
        sv = np.linalg.svd(Mx, compute_uv=False)
        if not sv.sum() ** 2 <= float(const(k)) * (sv**2).sum() * (1 + 1e-12):
            return False
    return True


@lemma(
    "7.4",
    "E[Δ_QSL] <= dA E||M||_F² = dA²/d = q^(2m-n) (Proposition 2 and its qudit form)",
    "symbolic q, m, n; Cauchy–Schwarz (random and extremal M of every rank) dA = 2..6",
)
def test_lemma_7_4_proposition2():
    """Lemma 7.4 (Proposition 2). ||M||_1² <= rank(M) ||M||_F² <= dA ||M||_F² (Cauchy–Schwarz on singular
    values), so E[Δ_QSL] <= dA · dA/d = q^(2m-n); for qubits 1/2^(n-2m) (Eq. 12).  Needs only a 1-design.
    The constant dA is read off the library: proposition2_bound / expected_M_frobenius_sq."""
    assert is_zero(sp.powsimp(bounds.proposition2_bound(N, M_, Q) - Q ** (2 * M_ - N), force=True))
    for n in range(2, 12):
        for m in range(1, n):
            assert bounds.proposition2_bound(n, m) == sp.Integer(2) ** (2 * m - n)  # = 1/2^(n-2m)
    rng = np.random.default_rng(74)
    for dA, (n, m, q) in zip(range(2, 7), [(2, 1, 2), (2, 1, 3), (3, 2, 2), (2, 1, 5), (2, 1, 6)]):
        const = bounds.proposition2_bound(n, m, q) / bounds.expected_M_frobenius_sq(n, m, q)
        assert const == dA
        assert check_cs_constant(lambda k, const=const: const, dA, rng)


@pytest.mark.mutant
@lemma("7.4", "mutant: ||M||_1² <= 0.99 dA ||M||_F² is rejected (M ∝ unitary attains dA)", "dA = 2..6")
def test_lemma_7_4_mutant_rejected():
    """Cauchy–Schwarz is sharp (M ∝ unitary): the same checker rejects the constant 0.99 dA."""
    rng = np.random.default_rng(74)
    for dA in range(2, 7):
        assert not check_cs_constant(lambda k, dA=dA: sp.Rational(99, 100) * dA, dA, rng)


#: (q, n, m) of the 7.5 checks: dA = 2 with dB = 2, 4, 8; dA = 3 with dB = 3, 9; dA = 4 with dB = 2, 4
SCHMIDT_CASES = [(2, 2, 1), (2, 3, 1), (2, 4, 1), (3, 2, 1), (3, 3, 1), (2, 3, 2), (2, 4, 2)]


def product_target_mean_exact(dA: int, dB: int):
    """E[Δ_QSL] for V1 Haar, V2 = I, product target |0>_A|0>_B (k = 1), exactly: Δ_QSL = ||M||_F² =
    Σ_i |<i 0|V1|ψ>|² (rank-one M), and E|V_{(i,0),0}|² from the engine's entry integrals (ψ = |0…0>)."""
    d = dA * dB
    return sum((haar_integral([i * dB], [0], [i * dB], [0], d) for i in range(dA)), sp.Integer(0))


def schmidt_state(dA: int, dB: int, k: int, rng) -> np.ndarray:
    """A random pure state on A ⊗ B of Schmidt rank exactly min(k, dA, dB)."""
    r = min(k, dA, dB)
    a = np.linalg.qr(rng.normal(size=(dA, r)) + 1j * rng.normal(size=(dA, r)))[0]
    b = np.linalg.qr(rng.normal(size=(dB, r)) + 1j * rng.normal(size=(dB, r)))[0]
    lam = rng.uniform(0.1, 1, size=r)
    v = sum(lam[s] * np.kron(a[:, s], b[:, s]) for s in range(r))
    return v / np.linalg.norm(v)


def check_schmidt_bound(bound, rng, samples: int = 4) -> bool:
    """bound(n, m, q, k) — a claimed E[Δ_QSL] bound when the fixed state has Schmidt rank <= k — is checked:
    (i) product target (k = 1): the exact Haar average (entry integrals) equals bound(k = 1) (an equality);
    (ii) for every k = 1..dA+1 (k > dA included): with c = bound·d/dA, rank M <= min(dA, k) and
    ||M||_1² <= c ||M||_F² on random Haar ψ1 and Schmidt-rank-k targets, and c >= the largest possible
    ratio min(dA, k, dB) (attained by ψ1 = φ2 with equal Schmidt coefficients) and c <= min(dA, k)
    (no looser than the rank argument gives)."""
    for q, n, m in SCHMIDT_CASES:
        dA, dB = q**m, q ** (n - m)
        d = dA * dB
        if not is_zero(product_target_mean_exact(dA, dB) - bound(n, m, q, 1)):
            return False
        for k in range(1, dA + 2):
            c = bound(n, m, q, k) * d / dA
            if not sp.simplify(c - min(dA, k)) <= 0:  # looser than the rank argument
                return False
            for _ in range(samples):
                phi2 = schmidt_state(dA, dB, k, rng)
                psi1 = random_unitary(d, rng)[:, 0]
                sv = np.linalg.svd(m_matrix(psi1, phi2, dA, dB), compute_uv=False)
                if (sv > 1e-10).sum() > min(dA, k) or sv.sum() ** 2 > float(c) * (sv**2).sum() * (1 + 1e-12):
                    return False
            r = min(dA, k, dB)  # equality instance: ψ1 = φ2 = Σ_{s<r} |s>|s>/√r, M = I_r/r
            ent = sum(np.kron(np.eye(dA)[s], np.eye(dB)[s]) for s in range(r)) / np.sqrt(r)
            sv = np.linalg.svd(m_matrix(ent, ent, dA, dB), compute_uv=False)
            if not sv.sum() ** 2 <= float(c) * (sv**2).sum() * (1 + 1e-12):
                return False
    return True


def library_schmidt_bound(n, m, q, k):
    return bounds.proposition2_schmidt_bound(n, m, q, schmidt_rank=k)


@lemma(
    "7.5",
    "sharper: E[Δ_QSL] <= min(dA, k) dA/d, k = Schmidt rank of the fixed state; = dA/d for a product target",
    "(dA, dB) = (2, 2), (2, 4), (2, 8), (3, 3), (3, 9), (4, 2), (4, 4); k = 1..dA+1; exact Haar average for k = 1",
)
def test_lemma_7_5_schmidt_rank_form():
    """Lemma 7.5. rank M <= k, the A|B Schmidt rank of the fixed state (φ2 when V1 is the 1-design), so
    ||M||_1² <= min(dA, k) ||M||_F² and E[Δ_QSL] <= min(dA, k) dA/d (bounds.proposition2_schmidt_bound);
    the constant is sharp (equal Schmidt coefficients, ψ1 = φ2).  For a product target (the paper's |0…0>,
    V2 = I) k = 1, M has rank one, Δ_QSL = ||M||_F² and E[Δ_QSL] = dA/d = q^(m-n) *exactly* (checked with
    the engine's entry integrals): the printed 2^(2m-n) is off by the factor dA there."""
    rng = np.random.default_rng(75)
    assert check_schmidt_bound(library_schmidt_bound, rng)
    for n in range(2, 10):
        assert bounds.proposition2_schmidt_bound(n, 1, schmidt_rank=1) == sp.Rational(2, 2**n)
        for k in (2, 3, 5):  # k >= dA = 2: Proposition 2 itself
            assert bounds.proposition2_schmidt_bound(n, 1, schmidt_rank=k) == bounds.proposition2_bound(n, 1)


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["0.99 dA/d at k = 1", "min(dA, k) -> min(dA, k) - 1/2"])
@lemma("7.5", "mutant: product-target value 0.99 dA/d; constant min(dA, k) - 1/2 for k >= 2", "as the lemma")
def test_lemma_7_5_mutant_rejected(which):
    """The same checker rejects a 1 % smaller product-target value (the exact Haar average is dA/d) and a
    constant below min(dA, k) (the equal-Schmidt-coefficient instance attains min(dA, k))."""
    rng = np.random.default_rng(75)
    if which.startswith("0.99"):
        claim = lambda n, m, q, k: library_schmidt_bound(n, m, q, k) * (sp.Rational(99, 100) if k == 1 else 1)  # noqa: E731
    else:
        # only k >= 2 is changed, so only the equality instances can reject it
        def claim(n, m, q, k):
            return library_schmidt_bound(n, m, q, k) * (1 - sp.Rational(1, 2) / min(q**m, k) if k >= 2 else 1)

    assert not check_schmidt_bound(claim, rng)
