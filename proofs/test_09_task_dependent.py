"""Lemma 9 — task-dependent bounds (Figure 5(a),(b)): E||K||_F² from the terms of H that touch A
(DERIVATION.md §9).  Strings P are normalised as tr(P†P) = d (Pauli strings; Gell-Mann strings
sqrt(q/2)λ_a ⊗ …; Weyl clock-shift strings)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from _helpers import PROOFS, a_components, gell_mann_exact, is_zero, kron, lemma, ptrace_A_exact
from hypothesis import given, settings
from hypothesis import strategies as st

from weingarten_check.calculus.unitary_integrals import twirl
from weingarten_check.states.observables import heisenberg_ring, qae_observable
from weingarten_check.theory import bounds

d = sp.Symbol("d", positive=True)
qs = sp.Symbol("q", positive=True, integer=True)
ns = sp.Symbol("n", positive=True, integer=True)


def coupling_exact(H: sp.Matrix, dA: int, dB: int):
    """Σ_a tr_B(h_a²) (Lemma 4.4 form: ||H||² - ||tr_A H||²/dA), exact."""
    HA = ptrace_A_exact(H, dA, dB)
    return sp.expand((H * H.H).trace() - (HA * HA.H).trace() / dA)


def local_basis(q: int):
    """Orthogonal local basis {I} ∪ {sqrt(q) G_a}, each with tr(P†P) = q."""
    return [sp.eye(q)] + [sp.sqrt(q) * g for g in gell_mann_exact(q)]


# ---------------------------------------------------------------------------------------------
# 9.1 coupling of a string expansion
# ---------------------------------------------------------------------------------------------
def weyl_basis_exact(q: int):
    """Clock-shift (Weyl) basis X^a Z^b, tr(W†W') = q δ; for q = 2: I, Z, X, XZ (= -iY, anti-Hermitian)."""
    om = sp.exp(2 * sp.pi * sp.I / q)
    X = sp.Matrix(q, q, lambda i, j: 1 if i == (j + 1) % q else 0)
    Z = sp.diag(*[om**k for k in range(q)])
    return [X**a * Z**b for a in range(q) for b in range(q)]


def string_hamiltonian(q: int, n: int, basis: str, rng):
    """(H, coefficients {string: c_P}) with H = Σ_P c_P P Hermitian.  basis "gell-mann": real coefficients
    (symbols for q = 2, n = 2, random rationals otherwise); basis "weyl" (q = 2): P† = ±P, so c_P is a real
    symbol times 1 or i — complex coefficients with c_P² ≠ |c_P|²."""
    loc = local_basis(q) if basis == "gell-mann" else weyl_basis_exact(q)
    strings = list(itertools.product(range(len(loc)), repeat=n))
    coeffs = {}
    for st_ in strings:
        P = kron(*[loc[i] for i in st_])
        if basis == "weyl":
            r = sp.Symbol(f"c_{''.join(map(str, st_))}", real=True)
            coeffs[st_] = r if P.H == P else sp.I * r  # P† = -P needs an imaginary coefficient
        elif q == 2 and n == 2:
            coeffs[st_] = sp.Symbol(f"c_{''.join(map(str, st_))}", real=True)
        else:
            coeffs[st_] = sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 5)))
    H = sp.zeros(q**n)
    for st_, c in coeffs.items():
        H += c * kron(*[loc[i] for i in st_])
    assert H.H == H
    return H, coeffs


def check_string_coupling(H, coeffs, q: int, n: int, counted) -> bool:
    """coupling (Lemma 4.4 form) = d Σ_{P counted} |c_P|² = bounds.coupling_from_pauli_coefficients(those c_P),
    and h_c = d Σ_{P ≠ I} |c_P|² (A = site 0; ``counted(string)`` selects the strings that count)."""
    dd = q**n
    chosen = [c for st_, c in coeffs.items() if counted(st_)]
    touching = sum(c * sp.conjugate(c) for c in chosen)
    h_c = (H * H).trace() - H.trace() ** 2 / dd
    return (
        is_zero(coupling_exact(H, q, q ** (n - 1)) - dd * touching)
        and is_zero(bounds.coupling_from_pauli_coefficients(chosen, n, q) - dd * touching)
        and is_zero(h_c - dd * sum(c * sp.conjugate(c) for st_, c in coeffs.items() if any(st_)))
    )


def touches_A(string) -> bool:
    return string[0] != 0


@pytest.mark.parametrize("basis,q,n", [("gell-mann", 2, 2), ("gell-mann", 2, 3), ("gell-mann", 3, 2), ("weyl", 2, 2)])
@lemma(
    "9.1",
    "coupling = Σ_a tr_B(h_a²) = d Σ_{P touching A} |c_P|²  (h_c = d Σ_{P ≠ I} |c_P|²)",
    "exact, A = site 0: (q, n) = (2, 2) symbolic real and complex (Weyl basis) coefficients; (2, 3), (3, 2) random "
    "rational coefficients",
)
def test_lemma_9_1_coupling_of_string_expansion(basis, q, n):
    """Lemma 9.1. For H = Σ_P c_P P over an orthogonal string basis with tr(P†Q) = d δ_PQ, Lemma 4.4 gives
    coupling = ||H||² - ||tr_A H||²/dA = d Σ_P |c_P|² - d Σ_{P_A = I} |c_P|² = d Σ_{P touching A} |c_P|²
    (A = site 0).  Likewise h_c = ||H - tr H/d||² = d Σ_{P ≠ I} |c_P|².  Checked exactly, also with complex
    coefficients (the Weyl basis, where c_P² ≠ |c_P|²), and against bounds.coupling_from_pauli_coefficients."""
    H, coeffs = string_hamiltonian(q, n, basis, np.random.default_rng(91 + q + n))
    assert check_string_coupling(H, coeffs, q, n, touches_A)


@settings(PROOFS, max_examples=6)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "9.1",
    "the same for Weyl (clock-shift) strings X^a Z^b, complex coefficients",
    "q = 3, n = 2, A = site 0 (hypothesis, numeric; also bounds.coupling_from_pauli_coefficients)",
)
def test_lemma_9_1_weyl_strings(seed):
    """Lemma 9.1 exercised for the non-Hermitian generalised Pauli basis W_ab = X^a Z^b (tr W†W' = q δ):
    H = Σ_P c_P P with c_{P†} = conj(c_P) (Hermitian), coupling = d Σ_{P touching A} |c_P|²."""
    rng = np.random.default_rng(seed)
    q, n = 3, 2
    om = np.exp(2j * np.pi / q)
    X = np.roll(np.eye(q), 1, axis=0)
    Z = np.diag(om ** np.arange(q))
    loc = [np.linalg.matrix_power(X, a) @ np.linalg.matrix_power(Z, b) for a in range(q) for b in range(q)]
    strings = list(itertools.product(range(q * q), repeat=n))
    C = rng.normal(size=len(strings)) + 1j * rng.normal(size=len(strings))
    H = sum(c * np.kron(loc[s[0]], loc[s[1]]) for c, s in zip(C, strings))
    H = (H + H.conj().T) / 2  # Hermitian part: coefficients c'_P = (c_P + conj(c_{P†}))/2, same string set
    D = q**n
    coef = np.array([np.trace(np.kron(loc[s[0]], loc[s[1]]).conj().T @ H) / D for s in strings])
    touching = sum(abs(c) ** 2 for c, s in zip(coef, strings) if s[0] != 0)
    h = a_components(H, q, q)
    assert abs(np.einsum("akl,alk->", h, h).real - D * touching) < 1e-9 * D
    lib = complex(
        bounds.coupling_from_pauli_coefficients([complex(c) for c, s in zip(coef, strings) if s[0] != 0], n, q)
    )
    assert abs(lib - D * touching) < 1e-9 * D


@pytest.mark.mutant
@lemma(
    "9.1",
    "mutant: coupling = d Σ over *all* non-identity strings (ignoring which touch A)",
    "q = 2, n = 2, symbolic coefficients",
)
def test_lemma_9_1_mutant_rejected():
    """The same checker rejects counting also the strings that act only on B."""
    H, coeffs = string_hamiltonian(2, 2, "gell-mann", np.random.default_rng(95))
    assert not check_string_coupling(H, coeffs, 2, 2, lambda string: any(string))


# ---------------------------------------------------------------------------------------------
# 9.2 Heisenberg ring (Eq. 9), qubits and the SU(q) ring of the library
# ---------------------------------------------------------------------------------------------
def heis_coupling(q, dd):
    """SU(q) ring Σ_edges Σ_a λ_a⊗λ_a = Σ (2/q) P_a⊗P_a (P = sqrt(q/2) λ): 2(q²-1) strings touch one site."""
    return dd * 2 * (q**2 - 1) * (sp.Integer(2) / q) ** 2


def heis_h_c(q, n_, dd):
    return dd * n_ * (q**2 - 1) * (sp.Integer(2) / q) ** 2


def ring_matrix(n: int, q: int) -> np.ndarray:
    """Σ_edges (2 SWAP_e - (2/q) I) = Σ_edges Σ_a λ_a ⊗ λ_a (Gell-Mann completeness, tr λ_a λ_b = 2δ_ab);
    for q = 2 this is Eq. 9, Σ_i (X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1}).  Built from permutations,
    independently of the library's term list."""
    D = q**n
    out = np.zeros((D, D))
    idx = np.arange(D)
    digits = np.array(np.unravel_index(idx, (q,) * n))
    for i in range(n):
        j = (i + 1) % n
        sw = digits.copy()
        sw[[i, j]] = sw[[j, i]]
        out[np.ravel_multi_index(tuple(sw), (q,) * n), idx] += 2
        out[idx, idx] -= 2 / q
    return out


def state_coupling_np(rho, dA: int, dB: int) -> float:
    """Σ_b tr_B(r_b²), r_b = tr_A((G_b ⊗ I) ρ), computed from the state."""
    r = a_components(rho, dA, dB)
    return float(np.einsum("akl,alk->", r, r).real)


#: (q, n) of the library-observable checks of Lemma 9.2
HEIS_CASES = [(q, n) for q in (2, 3) for n in range(3, 7)]


def heisenberg_v1_is(claim) -> bool:
    """Heisenberg ring (Eq. 9), A = one qubit, ρ = |0…0>, V1 a 2-design: the library's E||K||_F² with the
    coupling of the 6 strings touching A (6d) equals claim (symbolic d), and so does its task-dependent
    bound 2 sqrt(2) sqrt(claim) (r = 2, Lemma 3.4)."""
    e_v1 = bounds.expected_K_frobenius_sq("v1", ns, 1, 2, coupling=6 * 2**ns).subs(2**ns, d)
    bound = bounds.task_dependent_bound("v1", ns, 1, 2, coupling=6 * 2**ns).subs(2**ns, d)
    return is_zero(e_v1 - claim) and is_zero(sp.simplify(bound - 2 * sp.sqrt(2) * sp.sqrt(claim)))


@lemma(
    "9.2",
    "Heisenberg ring, ρ = |0…0>, one qubit: v1 E||K||_F² = 18/(d+1) (bound 12/sqrt(d+1)); v2 9nd/(2(d²-1)); both "
    "27nd²/(4(d+1)(d²-1))",
    "symbolic d and n (n >= 3); SU(q) ring symbolic q; library observables q = 2, 3 × n = 3..6 (dense matrix for q^n "
    "<= 256)",
)
def test_lemma_9_2_heisenberg():
    """Lemma 9.2 (Fig. 5(a)). Eq. 9 on n >= 3 qubits, A = one qubit: 6 unit Pauli strings touch A
    (XX, YY, ZZ on two bonds), so coupling = 6d, and with ρ = |0…0> (tr ρ² = 1):
      v1 (V1 2-design, V2 = I):  E||K||_F² = 3 · 6d (1 - 1/d)/(d² - 1) = 18/(d + 1), bound 2√2·sqrt(18/(d+1)) =
        12/sqrt(d+1);
      v2 (V2 2-design, V1 = I):  state_coupling = 1 - 1/2 (bounds.product_state_coupling), h_c = 3nd: E||K||_F² =
        9nd/(2(d² - 1));
      both:                       E||K||_F² = 9 dB² (1 - 1/d) 3nd/(d² - 1)² = 27nd²/(4(d+1)(d²-1)).
    The factor 18 = 3 (Pauli axes at A) × 6 (terms touching A).  For the SU(q) ring of the library
    (Σ_edges Σ_a λ_a⊗λ_a): coupling = 8d(q²-1)/q², v1: E||K||_F² = 8(q²-1)²/(q²(d+1)).
    The library's heisenberg_ring is checked against Σ_edges (2 SWAP - 2/q) (its dense matrix), and its
    coupling / h_c against the formulas; product_state_coupling against the state coupling of |0…0>."""
    dd = d
    half = bounds.product_state_coupling(1, 2)
    assert heisenberg_v1_is(18 / (dd + 1))
    assert is_zero(
        bounds.task_dependent_bound("v1", ns, 1, 2, coupling=6 * 2**ns).subs(2**ns, dd) - 12 / sp.sqrt(dd + 1)
    )
    e_v2 = bounds.expected_K_frobenius_sq("v2", ns, 1, 2, state_coupling=half, h_hs_centered=3 * ns * 2**ns)
    assert is_zero(e_v2.subs(2**ns, dd) - 9 * ns * dd / (2 * (dd**2 - 1)))
    e_both = bounds.expected_K_frobenius_sq("both", ns, 1, 2, h_hs_centered=3 * ns * 2**ns)
    assert is_zero(
        sp.simplify(e_both.subs(2**ns, dd) - 9 * (dd / 2) ** 2 * (1 - 1 / dd) * 3 * ns * dd / (dd**2 - 1) ** 2)
    )
    assert is_zero(sp.simplify(e_both.subs(2**ns, dd) - 27 * ns * dd**2 / (4 * (dd + 1) * (dd**2 - 1))))
    # SU(q) ring, symbolic q
    e_q = (qs**2 - 1) * heis_coupling(qs, dd) * (1 - 1 / dd) / (dd**2 - 1)
    assert is_zero(sp.simplify(e_q - 8 * (qs**2 - 1) ** 2 / (qs**2 * (dd + 1))))
    assert is_zero(e_q.subs(qs, 2) - 18 / (dd + 1))
    # the library's observables: the operator itself, coupling and h_c from the term lists and the dense matrix
    for q, n in HEIS_CASES:
        H = heisenberg_ring(n, q)
        D = q**n
        assert abs(H.coupling([0]) - float(heis_coupling(q, D))) < 1e-8 * D
        assert abs(H.h_hs_centered() - float(heis_h_c(q, n, D))) < 1e-8 * D
        if D <= 256:
            Hd = H.dense()
            assert np.abs(Hd - ring_matrix(n, q)).max() < 1e-12
            h = a_components(Hd, q, q ** (n - 1))
            assert abs(np.einsum("akl,alk->", h, h).real - float(heis_coupling(q, D))) < 1e-8 * D
    # state coupling of a product input: |0…0> (pure) and ρ_A ⊗ |0><0|_B (mixed ρ_A), m = 1, 2
    rng = np.random.default_rng(92)
    for q, n, m in [(2, 3, 1), (2, 3, 2), (3, 2, 1), (2, 4, 2)]:
        dA, dB = q**m, q ** (n - m)
        e0 = np.zeros((dB, dB))
        e0[0, 0] = 1
        for mixed in (False, True):
            Z = rng.normal(size=(dA, dA)) + 1j * rng.normal(size=(dA, dA))
            rA = Z @ Z.conj().T / np.trace(Z @ Z.conj().T).real if mixed else np.diag([1.0] + [0.0] * (dA - 1))
            pA = float(np.trace(rA @ rA).real)
            lib = bounds.product_state_coupling(m, q, purity_A=pA if mixed else 1)
            assert abs(state_coupling_np(np.kron(rA, e0), dA, dB) - float(lib)) < 1e-12


@lemma(
    "9.2",
    "exact E||K||_F² by the 2-fold twirl: Heisenberg n = 3 (v1: 18/9 = 2; v2: 9·3·8/(2·63))",
    "d = 8, exact Weingarten twirl",
)
def test_lemma_9_2_heisenberg_twirl_check():
    """Lemma 9.2 cross-checked without Lemma 4: E||K||_F² = Σ_ab tr((O_ab ⊗ O_ab) E[ρ1 ⊗ ρ1]) with the exact
    twirl of ρ⊗ρ (v1), and Σ_ab tr((O'_ab ⊗ O'_ab) E[H2 ⊗ H2]) with the twirl of H⊗H (v2), n = 3."""
    n, q = 3, 2
    D = 8
    H = heisenberg_ring(n, q).dense()
    rho = np.zeros((D, D))
    rho[0, 0] = 1
    G = [np.array(g.evalf(), dtype=complex) for g in gell_mann_exact(2)]
    # v1
    tw = twirl(np.kron(rho, rho), 2)
    h = a_components(H, 2, 4)
    e_v1 = sum(np.trace(np.kron(np.kron(G[b], h[a]), np.kron(G[b], h[a])) @ tw) for a in range(3) for b in range(3))
    assert abs(e_v1 - 18 / (D + 1)) < 1e-10
    # v2: K_ab = tr((G_a ⊗ r_b) V2† H V2)
    tw = twirl(np.kron(H, H), 2)
    r = a_components(rho.astype(complex), 2, 4)
    e_v2 = sum(np.trace(np.kron(np.kron(G[a], r[b]), np.kron(G[a], r[b])) @ tw) for a in range(3) for b in range(3))
    assert abs(e_v2 - 9 * n * D / (2 * (D**2 - 1))) < 1e-10


@pytest.mark.mutant
@lemma("9.2", "mutant: 18 → 18·1.01, or one bond only (9/(d+1))", "symbolic d; twirl n = 3")
def test_lemma_9_2_mutant_rejected():
    """The same checker rejects a 1 % larger constant, and counting the terms of one bond only (coupling 3d)."""
    assert not heisenberg_v1_is(sp.Rational(1818, 100) / (d + 1))
    assert not heisenberg_v1_is(9 / (d + 1))


# ---------------------------------------------------------------------------------------------
# 9.3 quantum autoencoder (Eq. 10)
# ---------------------------------------------------------------------------------------------
def check_qae(string_coefficient) -> bool:
    """QAE with the single non-identity string c·Z_R (c = string_coefficient): coupling = d c² for A = R
    (Lemma 9.1 with one string), v1 E||K||_F² = 3 d c² (1 - 1/d)/(d² - 1), v2 with h_c = d c² — each
    compared with the library (bounds.coupling_from_pauli_coefficients, expected_K_frobenius_sq, and the
    observable's coupling / h_c for n = 3..6, A = R and A ∌ R)."""
    c = sp.sympify(string_coefficient)
    ok = is_zero(bounds.coupling_from_pauli_coefficients([c], ns, 2) - 2**ns * c**2)
    e_v1 = bounds.expected_K_frobenius_sq("v1", ns, 1, 2, coupling=2**ns * c**2).subs(2**ns, d)
    ok &= is_zero(e_v1 - sp.Rational(3, 4) / (d + 1))
    ok &= is_zero(
        bounds.task_dependent_bound("v1", ns, 1, 2, coupling=2**ns * c**2).subs(2**ns, d) - sp.sqrt(6) / sp.sqrt(d + 1)
    )
    e_v2 = bounds.expected_K_frobenius_sq(
        "v2", ns, 1, 2, state_coupling=bounds.product_state_coupling(1, 2), h_hs_centered=2**ns * c**2
    )
    ok &= is_zero(e_v2.subs(2**ns, d) - 3 * d / (8 * (d**2 - 1)))
    for n in range(3, 7):
        D = 2**n
        H = qae_observable(n, 2, discarded=0)
        ok &= abs(H.coupling([0]) - D * float(c**2)) < 1e-9 * D
        ok &= abs(H.coupling([1])) < 1e-9 * D  # A ∌ R
        ok &= abs(H.h_hs_centered() - D * float(c**2)) < 1e-9 * D
    return bool(ok)


@lemma(
    "9.3",
    "QAE H = I - |0><0|_R ⊗ I (w = 1), ρ = |0…0>: A ∋ R: v1 3/(4(d+1)); A ∌ R, V2 = I: Δ ≡ 0; v2 3d/(8(d²-1))",
    "symbolic d; library observable n = 3..6",
)
def test_lemma_9_3_autoencoder():
    """Lemma 9.3 (Fig. 5(b)). |0><0| = (I + Z)/2, so H = I - |0><0|_R ⊗ I = (I - Z_R)/2:
    the only non-identity string is -Z_R/2.  If A = R: coupling = d/4, v1: E||K||_F² = 3 (d/4)(1 - 1/d)/(d² - 1)
    = 3/(4(d+1)), bound sqrt(6)/sqrt(d+1).  If A ≠ R and V2 = I no string touches A: K = 0 and Δ = 0 for
    every V1.  v2: h_c = d/4, state_coupling = 1/2: E||K||_F² = 3d/(8(d² - 1))."""
    assert check_qae(-sp.Rational(1, 2))


@pytest.mark.mutant
@lemma(
    "9.3",
    "mutant: string coefficient -1 instead of -1/2 (coupling d instead of d/4)",
    "symbolic d; library observable n = 3..6",
)
def test_lemma_9_3_mutant_rejected():
    """The same checker rejects the string coefficient -1 (forgetting the 1/2 of (I - Z)/2)."""
    assert not check_qae(-1)
