"""Lemma 7 — Proposition 2 (fidelity cost C = 1 - |<φ|U|ψ>|²) exactly (DERIVATION.md §7).

ψ1 = V1|ψ> = Σ_i |i>_A|ψ_i>_B,  φ2 = V2†|φ> = Σ_j |j>_A|φ_j>_B,  M_ij = <φ_j|ψ_i>.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from _helpers import PROOFS, brute_force_range, is_zero, lemma, m_matrix, random_unitary
from weingarten_check import bounds
from weingarten_check.haar_integrals import Tr, trace_moment, trace_moment_numeric

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


@pytest.mark.parametrize("dA,dB", [(2, 2), (3, 1), (2, 3)])
@lemma("7.1", "<φ2|(UA⊗I)|ψ1> = tr(UA M)", "exact, symbolic vectors and arbitrary UA, dA = 2, 3")
def test_lemma_7_1_overlap_is_trace(dA, dB):
    """Lemma 7.1. <φ2|(UA ⊗ I)|ψ1> = Σ_ij (UA)_ji <φ_j|ψ_i> = tr(UA M), M_ij = <φ_j|ψ_i>."""
    assert is_zero(overlap_residual(dA, dB))


@pytest.mark.mutant
@lemma("7.1", "mutant: tr(UA M^T)", "dA = dB = 2")
def test_lemma_7_1_mutant_rejected():
    """Using M^T instead of M is rejected."""
    assert not is_zero(overlap_residual(2, 2, transpose=True))


def extremal_unitaries(Mx):
    """U_max = (u vh)† gives tr(U M) = ||M||_1; U_min = vh† P u† (P a cyclic shift) gives tr(U M) = 0."""
    u, s, vh = np.linalg.svd(Mx)
    dA = Mx.shape[0]
    P = np.roll(np.eye(dA), 1, axis=0)
    return (u @ vh).conj().T, vh.conj().T @ P @ u.conj().T, s.sum()


@PROOFS
@given(st.integers(2, 5), st.integers(0, 2**32 - 1))
@lemma("7.2", "max_U |tr(U M)| = ||M||_1 and min = 0 (dA >= 2), so Δ_QSL = ||M||_1² exactly", "random M, dA = 2..5 (hypothesis; von Neumann trace inequality)")
def test_lemma_7_2_range_of_trace(dA, seed):
    """Lemma 7.2. |tr(U M)| <= ||M||_1 (von Neumann trace inequality) with equality at U = (u vh)†, and
    tr(U M) = 0 at U = vh† P u† for a cyclic shift P (zero diagonal, needs dA >= 2).  C = 1 - |tr(UA M)|²
    so Δ_QSL = max C - min C = ||M||_1² - 0.  Exercised: both constructions, and random U never exceed."""
    rng = np.random.default_rng(seed)
    Mx = rng.normal(size=(dA, dA)) + 1j * rng.normal(size=(dA, dA))
    Umax, Umin, nuc = extremal_unitaries(Mx)
    assert abs(np.trace(Umax @ Mx) - nuc) < 1e-10
    assert abs(np.trace(Umin @ Mx)) < 1e-10
    for _ in range(20):
        assert abs(np.trace(random_unitary(dA, rng) @ Mx)) <= nuc + 1e-10


@pytest.mark.mutant
@lemma("7.2", "mutant: max_U |tr(U M)| = ||M||_F (Frobenius instead of trace norm)", "dA = 3")
def test_lemma_7_2_mutant_rejected():
    """The constructive maximiser reaches ||M||_1 > ||M||_F for M = I: the Frobenius claim is rejected."""
    Umax, _, nuc = extremal_unitaries(np.eye(3))
    assert abs(np.trace(Umax @ np.eye(3))) > np.linalg.norm(np.eye(3)) + 1e-3


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


@lemma("7.3", "V1 (or V2) a 1-design: E||M||_F² = dA/d", "symbolic dA, dB (Lemma 1.1 with A = I_A ⊗ φ_B)")
def test_lemma_7_3_expected_frobenius():
    """Lemma 7.3. ||M||_F² = Σ_ij |<φ_j|ψ_i>|² = <ψ1|(I_A ⊗ φ_B)|ψ1> with φ_B = tr_A|φ2><φ2|, tr φ_B = 1.
    For V1 from a 1-design (Lemma 1.1): E = tr(I_A ⊗ φ_B) tr(|ψ><ψ|)/d = dA/d; symmetrically for V2.
    Checked: the first-moment formula with tr A = dA; the identity ||M||_F² = tr(φ_B ψ_B) numerically;
    bounds.expected_M_frobenius_sq."""
    A_, X_ = sp.symbols("A X", commutative=False)
    e = trace_moment([A_], [X_], d).subs({Tr(A_): dA_s, Tr(X_): 1})
    assert is_zero(e - dA_s / d)
    assert is_zero(bounds.expected_M_frobenius_sq(N, M_, Q) - Q**M_ / Q**N)
    rng = np.random.default_rng(73)
    psi = rng.normal(size=8) + 1j * rng.normal(size=8)
    phi = rng.normal(size=8) + 1j * rng.normal(size=8)
    psi, phi = psi / np.linalg.norm(psi), phi / np.linalg.norm(phi)
    dA, dB = 2, 4
    phiB = np.einsum("ia,ib->ab", phi.reshape(dA, dB), phi.reshape(dA, dB).conj())
    assert abs(np.linalg.norm(m_matrix(psi, phi, dA, dB)) ** 2 - (psi.conj() @ np.kron(np.eye(dA), phiB) @ psi).real) < 1e-12
    # the first moment through the numeric engine: E<ψ1|(I ⊗ φ_B)|ψ1> = dA/d
    val = trace_moment_numeric([np.kron(np.eye(dA), phiB)], [np.outer(psi, psi.conj())])
    assert abs(val - dA / (dA * dB)) < 1e-12


@pytest.mark.mutant
@lemma("7.3", "mutant: E||M||_F² = dA/(d+1)", "symbolic")
def test_lemma_7_3_mutant_rejected():
    """The (2-design-like) value dA/(d+1) is rejected."""
    A_, X_ = sp.symbols("A X", commutative=False)
    e = trace_moment([A_], [X_], d).subs({Tr(A_): dA_s, Tr(X_): 1})
    assert not is_zero(e - dA_s / (d + 1))


@lemma("7.4", "E[Δ_QSL] <= dA E||M||_F² = dA²/d = q^(2m-n) (Proposition 2 and its qudit form)", "symbolic q, m, n; Cauchy–Schwarz exercised dA = 2..6")
def test_lemma_7_4_proposition2():
    """Lemma 7.4 (Proposition 2). ||M||_1² <= rank(M) ||M||_F² <= dA ||M||_F² (Cauchy–Schwarz on singular
    values), so E[Δ_QSL] <= dA · dA/d = q^(2m-n); for qubits 1/2^(n-2m) (Eq. 12).  Needs only a 1-design."""
    assert is_zero(sp.powsimp(bounds.proposition2_bound(N, M_, Q) - Q ** (2 * M_ - N), force=True))
    for n in range(2, 12):
        for m in range(1, n):
            assert bounds.proposition2_bound(n, m) == sp.Integer(2) ** (2 * m - n)  # = 1/2^(n-2m)
    rng = np.random.default_rng(74)
    for dA in range(2, 7):
        Mx = rng.normal(size=(dA, dA)) + 1j * rng.normal(size=(dA, dA))
        sv = np.linalg.svd(Mx, compute_uv=False)
        assert sv.sum() ** 2 <= dA * (sv**2).sum() * (1 + 1e-12)


@pytest.mark.mutant
@lemma("7.4", "mutant: ||M||_1² <= 0.99 dA ||M||_F² fails at M = I", "dA = 2..6")
def test_lemma_7_4_mutant_rejected():
    """Cauchy–Schwarz is sharp (M ∝ unitary): a 1 % smaller constant fails at M = I."""
    for dA in range(2, 7):
        Mx = np.eye(dA)
        assert np.trace(Mx) ** 2 > 0.99 * dA * np.linalg.norm(Mx) ** 2


@lemma("7.5", "sharper: E[Δ_QSL] <= min(dA, k) dA/d, k = Schmidt rank of the fixed state; = dA/d for a product target", "dA = 2, dB = 2..8, exact Haar check via E||M||_F²")
def test_lemma_7_5_schmidt_rank_form():
    """Lemma 7.5. rank M <= k, the A|B Schmidt rank of the fixed state (φ2 when V1 is the 1-design), so
    E[Δ_QSL] <= min(dA, k) dA/d (bounds.proposition2_schmidt_bound).  For a product target (the paper's
    |0…0>, V2 = I) k = 1, M has rank one, Δ_QSL = ||M||_F² and E[Δ_QSL] = dA/d = q^(m-n) *exactly*:
    the printed 2^(2m-n) is off by the factor dA there."""
    rng = np.random.default_rng(75)
    dA, dB = 2, 4
    phi = np.zeros(dA * dB)
    phi[0] = 1.0  # |0…0>: Schmidt rank 1
    for _ in range(10):
        psi1 = random_unitary(dA * dB, rng)[:, 0]
        sv = np.linalg.svd(m_matrix(psi1, phi, dA, dB), compute_uv=False)
        assert sv[1] < 1e-12  # rank one
        assert abs(sv.sum() ** 2 - (sv**2).sum()) < 1e-12  # Δ = ||M||_F²
    for n in range(2, 10):
        assert bounds.proposition2_schmidt_bound(n, 1, schmidt_rank=1) == sp.Rational(2, 2**n)
        assert bounds.proposition2_schmidt_bound(n, 1, schmidt_rank=2) == bounds.proposition2_bound(n, 1)


@pytest.mark.mutant
@lemma("7.5", "mutant: product target with the bound dA/d · 0.99 (it is an equality)", "dA = 2, dB = 4")
def test_lemma_7_5_mutant_rejected():
    """E[Δ_QSL] = E||M||_F² = dA/d exactly for a product target (Lemma 7.3): the exact Haar average
    (first moment via trace_moment_numeric) is not below 0.99 dA/d."""
    dA, dB = 2, 4
    phi = np.zeros(dA * dB)
    phi[0] = 1.0
    phiB = np.einsum("ia,ib->ab", phi.reshape(dA, dB), phi.reshape(dA, dB).conj())
    psi = np.zeros(dA * dB)
    psi[0] = 1.0
    mean = trace_moment_numeric([np.kron(np.eye(dA), phiB)], [np.outer(psi, psi)]).real
    assert mean > 0.99 * dA / (dA * dB)
