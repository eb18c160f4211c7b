"""Lemma 4 — exact second moments of K and the inequalities that bound them (DERIVATION.md §4).

K_ab = tr((G_b ⊗ h_a) ρ1) = tr((G_a ⊗ r_b) H2)  with  ρ1 = V1 ρ V1†,  H2 = V2† H V2.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from _helpers import (
    PROOFS,
    a_components,
    certify_nonnegative,
    gell_mann,
    gell_mann_exact,
    is_zero,
    kron,
    lemma,
    ptrace_A_exact,
    random_density,
    random_hermitian,
)
from _index_calculus import Idx, Rules, completeness, equal, multiply, sum_over, term
from hypothesis import given
from hypothesis import strategies as st

from weingarten_check.calculus.unitary_integrals import Tr, trace_moment, twirl
from weingarten_check.theory import bounds

d = sp.Symbol("d", positive=True)
dA, dB = sp.symbols("d_A d_B", positive=True)
O1, O2, X = sp.symbols("O1 O2 X", commutative=False)
p, t12, delta = sp.symbols("p t_12 delta", real=True)  # purity, tr_B(h_a h_a'), δ_bb'

# symbols for "all admissible dimensions": x = dA >= 2, z = dB >= 2 (q >= 2, 1 <= m < n)
x, z, s_, t_ = sp.symbols("x z s t", nonnegative=True)
N, M, Q = sp.symbols("n m q", positive=True, integer=True)


def to_xz(expr):
    """Rewrite an expression of bounds.py in q, m, n as one in x = q^m = dA, z = q^(n-m) = dB."""
    return expr.subs(Q**N, x * z).subs(Q ** (N - M), z).subs(Q**M, x)


# ---------------------------------------------------------------------------------------------
# 4.1 V1 from a 2-design, V2 fixed
# ---------------------------------------------------------------------------------------------
def v1_covariance_from_engine():
    """E[K_ab K_a'b'] from Lemma 1.2 with A = G_b ⊗ h_a, B = G_b' ⊗ h_a', X = ρ:
    tr A = tr(G_b) tr(h_a) = 0, tr(AB) = tr(G_b G_b') tr(h_a h_a') = δ_bb' t_aa', tr ρ = 1, tr ρ² = p."""
    e = trace_moment([O1, O2], [X, X], d)
    return e.subs({Tr(O1): 0, Tr(O2): 0, Tr(O1, O2): delta * t12, Tr(X): 1, Tr(X, X): p})


def v1_claim(scale=1):
    return delta * t12 * (p - 1 / d) / (d**2 - 1) * scale


def v1_covariance_is(claim) -> bool:
    """The engine's E[K_ab K_a'b'] (V1 a 2-design, Lemma 1.2) equals claim exactly (symbolic d)."""
    return is_zero(v1_covariance_from_engine() - claim)


@lemma(
    "4.1",
    "V1 2-design: E[K_ab K_a'b'] = δ_bb' tr_B(h_a h_a') (tr ρ² - 1/d)/(d²-1)",
    "symbolic d >= 2, abstract h_a; numeric twirl check d = 4",
)
def test_lemma_4_1_v1_second_moment():
    """Lemma 4.1. V1 from a unitary 2-design, V2 fixed: K_ab = tr(O_ab V1 ρ V1†) with O_ab = G_b ⊗ h_a
    traceless, so by Lemma 1.2
        E[K_ab K_a'b'] = δ_bb' tr_B(h_a h_a') (tr ρ² - 1/d) / (d² - 1),
    and E||K||_F² = (dA² - 1) · coupling · (tr ρ² - 1/d)/(d² - 1), coupling = Σ_a tr_B(h_a²)
    (= bounds.expected_K_frobenius_sq("v1", ...)).  The tensor-trace step is checked numerically
    against the exact twirl for dA = dB = 2."""
    assert v1_covariance_is(v1_claim())
    # sum over a = a', b = b': Σ_b δ_bb = dA² - 1 copies of Σ_a tr_B(h_a²)
    c = sp.Symbol("c", nonnegative=True)
    summed = (dA**2 - 1) * v1_claim().subs({delta: 1, t12: c})
    lib = to_xz(bounds.expected_K_frobenius_sq("v1", N, M, Q, coupling=c, purity=p))
    assert is_zero(summed.subs({dA: x, d: x * z}) - lib)
    # numeric: E[K ⊗ K] through the exact 2-fold twirl of ρ⊗ρ, d = 4
    rng = np.random.default_rng(41)
    H2, rho = random_hermitian(4, rng), random_density(4, rng, rank=2)
    tw = twirl(np.kron(rho, rho), 2)
    G = gell_mann(2)
    h = a_components(H2, 2, 2, G)
    pur = np.trace(rho @ rho).real
    for (a, b), (a2, b2) in [((0, 0), (0, 0)), ((1, 2), (0, 2)), ((2, 1), (2, 0))]:
        O, O2_ = np.kron(G[b], h[a]), np.kron(G[b2], h[a2])
        lhs = np.trace(np.kron(O, O2_) @ tw)
        rhs = (b == b2) * np.trace(h[a] @ h[a2]) * (pur - 1 / 4) / 15
        assert abs(lhs - rhs) < 1e-12


@pytest.mark.mutant
@lemma("4.1", "mutant: (tr ρ² - 1/d)/(d²-1) scaled by 1.01", "symbolic d")
def test_lemma_4_1_mutant_rejected():
    """The v1 covariance with a 1 % larger constant is rejected by the same exact check."""
    assert not v1_covariance_is(v1_claim(sp.Rational(101, 100)))


# ---------------------------------------------------------------------------------------------
# 4.2 V2 from a 2-design, V1 fixed
# ---------------------------------------------------------------------------------------------
TRH, TRH2 = sp.symbols("trH trH2", real=True)


def v2_covariance_from_engine():
    Hs = sp.Symbol("H", commutative=False)
    e = trace_moment([O1, O2], [Hs, Hs], d)
    return e.subs({Tr(O1): 0, Tr(O2): 0, Tr(O1, O2): delta * t12, Tr(Hs): TRH, Tr(Hs, Hs): TRH2})


def v2_covariance_is(claim) -> bool:
    """The engine's E[K_ab K_a'b'] (V2 a 2-design, Lemma 1.2 with X = H) equals claim exactly (symbolic d)."""
    return is_zero(v2_covariance_from_engine() - claim)


@pytest.mark.mutant
@lemma("4.2", "mutant: tr H² instead of tr H² - (tr H)²/d", "symbolic d")
def test_lemma_4_2_mutant_rejected():
    """Forgetting to centre H (using tr H² alone) is rejected: the (tr H)² term is really there."""
    assert not v2_covariance_is(delta * t12 * TRH2 / (d**2 - 1))


@lemma(
    "4.2",
    "V2 2-design: E[K_ab K_a'b'] = δ_aa' tr_B(r_b r_b') (tr H² - (tr H)²/d)/(d²-1)",
    "symbolic d >= 2, abstract H, r_b",
)
def test_lemma_4_2_v2_second_moment():
    """Lemma 4.2. V2 from a unitary 2-design, V1 fixed: K_ab = tr((G_a ⊗ r_b) V2† H V2), and V2† is
    a 2-design too, so Lemma 1.2 with A = G_a ⊗ r_b (traceless), X = H gives
        E[K_ab K_a'b'] = δ_aa' tr_B(r_b r_b') (tr H² - (tr H)²/d)/(d² - 1),
    E||K||_F² = (dA²-1) · state_coupling · h_hs_centered/(d²-1) (= bounds "v2")."""
    assert v2_covariance_is(delta * t12 * (TRH2 - TRH**2 / d) / (d**2 - 1))
    s, h = sp.symbols("s h", nonnegative=True)
    summed = (dA**2 - 1) * s * h / (d**2 - 1)
    lib = to_xz(bounds.expected_K_frobenius_sq("v2", N, M, Q, state_coupling=s, h_hs_centered=h))
    assert is_zero(summed.subs({dA: x, d: x * z}) - lib)


# ---------------------------------------------------------------------------------------------
# 4.3 both
# ---------------------------------------------------------------------------------------------
def e_state_claim(n_b_ops=None):
    """Claimed E Σ_b tr_B(r_b²) = (dA²-1) · (number of operators E_k on B) · (tr ρ² - 1/d)/(d²-1); the number
    is dB² (an orthonormal Hermitian basis of the operators on B); n_b_ops replaces it in mutants."""
    dd = dA * dB
    return (dA**2 - 1) * (dB**2 if n_b_ops is None else n_b_ops) * (p - 1 / dd) / (dd**2 - 1)


def check_both_second_moment(e_state) -> bool:
    """4.3 for the claimed E Σ_b tr_B(r_b²) = e_state (symbolic in dA, dB, p): (i) inserted into 4.2 it gives
    bounds.expected_K_frobenius_sq("both") for all dA, dB; (ii) it equals the mean of Σ_{b,k} tr((G_b ⊗ E_k) ρ1)²
    computed with the exact twirl of ρ⊗ρ for dA = dB = 2, a random pure ρ."""
    h = sp.Symbol("h", nonnegative=True)
    dd = dA * dB
    claim = (dA**2 - 1) * e_state * h / (dd**2 - 1)
    lib = to_xz(bounds.expected_K_frobenius_sq("both", N, M, Q, purity=p, h_hs_centered=h))
    rng = np.random.default_rng(43)
    rho = random_density(4, rng, rank=1)
    tw = twirl(np.kron(rho, rho), 2)
    G, E = gell_mann(2), [np.eye(2) / np.sqrt(2)] + gell_mann(2)
    mean = sum(np.trace(np.kron(np.kron(g, e), np.kron(g, e)) @ tw) for g in G for e in E)
    return is_zero(claim.subs({dA: x, dB: z}) - lib) and abs(mean - complex(e_state.subs({dA: 2, dB: 2, p: 1}))) < 1e-12


@lemma(
    "4.3",
    "both 2-designs: E||K||_F² = (dA²-1)² dB² (tr ρ² - 1/d) h_c/(d²-1)²",
    "symbolic dA, dB; numeric twirl check d = 4",
)
def test_lemma_4_3_both_second_moment():
    """Lemma 4.3. V1, V2 independent 2-designs.  Condition on V1 and use 4.2; then
    Σ_b tr_B(r_b²) = Σ_{b,k} tr((G_b ⊗ E_k) ρ1)² over an orthonormal Hermitian basis {E_k} of the dB²
    operators on B, and each term has mean (tr ρ² - 1/d)/(d²-1) by 4.1, so
    E Σ_b tr_B(r_b²) = (dA²-1) dB² (tr ρ² - 1/d)/(d²-1), and
    E||K||_F² = (dA²-1)² dB² (tr ρ² - 1/d) h_c / (d²-1)²  (= bounds "both")."""
    assert check_both_second_moment(e_state_claim())


@pytest.mark.mutant
@lemma("4.3", "mutant: dB instead of dB² (number of B-basis operators)", "symbolic dA, dB; numeric twirl d = 4")
def test_lemma_4_3_mutant_rejected():
    """The same checker rejects dB operators E_k instead of dB² (both the library comparison and the twirl)."""
    assert not check_both_second_moment(e_state_claim(dB))


# ---------------------------------------------------------------------------------------------
# 4.4 the couplings as Hilbert–Schmidt norms
# ---------------------------------------------------------------------------------------------
def hermitian_symbolic(name: str, n: int) -> sp.Matrix:
    Mx = sp.zeros(n)
    for i in range(n):
        Mx[i, i] = sp.Symbol(f"{name}_{i}{i}", real=True)
        for j in range(i + 1, n):
            re, im = sp.symbols(f"{name}r_{i}{j} {name}i_{i}{j}", real=True)
            Mx[i, j] = re + sp.I * im
            Mx[j, i] = re - sp.I * im
    return Mx


DA_SYM = sp.Symbol("d_A", positive=True, integer=True)


def pythagoras_holds_all_dims(weight=None) -> bool:
    """Lemma 4.4 for every dA, dB by index calculus, with the opaque t(i,j,k,l) = tr_B(X_ij X_kl)
    (= t(k,l,i,j), cyclicity): Σ_a tr_B(x_a²) = Σ [Σ_a (G_a)_ji (G_a)_lk] t(i,j,k,l) (x_a = Σ (G_a)_ji X_ij)
    equals ||X||² - ||tr_A X||²/dA = Σ t(i,j,j,i) - (1/dA) Σ t(i,i,k,k) (X Hermitian: tr X² = ||X||²), and so does
    ||Y||² for Y_ij = X_ij - δ_ij/dA Σ_m X_mm."""
    rules = Rules(symmetries={"t": [(2, 3, 0, 1)]})
    i, j, k, l, a, b, c, e, i2, j2, m1, m2 = (
        Idx(n, DA_SYM) for n in ["i", "j", "k", "l", "a", "b", "c", "e", "i2", "j2", "m1", "m2"]
    )
    w = 1 / DA_SYM if weight is None else weight
    lhs = sum_over(multiply(completeness(j, i, l, k), [term(1, ("t", (i, j, k, l)))]), i, j, k, l)
    rhs = [term(1, ("t", (a, b, b, a)), summed=[a, b]), term(-w, ("t", (c, c, e, e)), summed=[c, e])]
    y = [
        term(1, ("t", (i2, j2, j2, i2))),
        term(-1 / DA_SYM, ("t", (i2, j2, m1, m1)), deltas=[(j2, i2)], summed=[m1]),
        term(-1 / DA_SYM, ("t", (m1, m1, j2, i2)), deltas=[(i2, j2)], summed=[m1]),
        term(1 / DA_SYM**2, ("t", (m1, m1, m2, m2)), deltas=[(i2, j2), (j2, i2)], summed=[m1, m2]),
    ]
    return equal(lhs, rhs, rules) and equal(sum_over(y, i2, j2), rhs, rules)


@lemma(
    "4.4",
    "Σ_a tr_B(x_a²) = ||X||_2² - ||tr_A X||_2²/dA = ||X - I_A/dA ⊗ tr_A X||_2²",
    "symbolic dA, dB (index calculus + 2.1b)",
)
def test_lemma_4_4_all_dims():
    """Lemma 4.4 for every dA, dB (symbolic)."""
    assert pythagoras_holds_all_dims()


def pythagoras_holds_explicit(dA_: int, dB_: int, weight=None) -> bool:
    """Lemma 4.4 with explicit Gell-Mann matrices on a symbolic Hermitian X: Σ_a tr_B(x_a²) equals
    ||X||² - w ||tr_A X||² (w = 1/dA unless weight is given) and ||X - I_A/dA ⊗ tr_A X||²."""
    Xm = hermitian_symbolic("X", dA_ * dB_)
    lhs = sum(((ptrace_A_exact(kron(g, sp.eye(dB_)) * Xm, dA_, dB_)) ** 2).trace() for g in gell_mann_exact(dA_))
    XA = ptrace_A_exact(Xm, dA_, dB_)
    w_ = sp.Rational(1, dA_) if weight is None else weight
    Y = Xm - kron(sp.eye(dA_), XA) / dA_
    return is_zero(lhs - ((Xm * Xm).trace() - w_ * (XA * XA).trace())) and is_zero(lhs - (Y * Y).trace())


@pytest.mark.parametrize("dA_,dB_", [(2, 2), (3, 1)])
@lemma(
    "4.4",
    "Σ_a tr_B(x_a²) = ||X||_2² - ||tr_A X||_2²/dA = ||X - I_A/dA ⊗ tr_A X||_2²",
    "cross-check: exact, symbolic Hermitian X, (dA, dB) = (2, 2), (3, 1)",
)
def test_lemma_4_4_couplings_are_hs_norms(dA_, dB_):
    """Lemma 4.4 (Pythagoras for Lemma 2.1). For Hermitian X with x_a = tr_A((G_a ⊗ I) X):
    Σ_a tr_B(x_a²) = ||X||_2² - ||tr_A X||_2²/dA = ||X - I_A/dA ⊗ tr_A X||_2².
    So coupling (X = H2) and state_coupling (X = ρ1) are squared HS norms of traceless-on-A parts."""
    assert pythagoras_holds_explicit(dA_, dB_)


@pytest.mark.mutant
@lemma("4.4", "mutant: ||tr_A X||²/dA² instead of /dA", "symbolic dA, dB; and dA = dB = 2 explicitly")
def test_lemma_4_4_mutant_rejected():
    """The Pythagoras identity with the wrong weight 1/dA² is rejected by both checks."""
    assert not pythagoras_holds_all_dims(1 / DA_SYM**2)
    assert not pythagoras_holds_explicit(2, 2, weight=sp.Rational(1, 4))


# ---------------------------------------------------------------------------------------------
# 4.5 the inequalities
# ---------------------------------------------------------------------------------------------
def coupling_np(H2, dA_, dB_):
    h = a_components(H2, dA_, dB_)
    return float(np.einsum("akl,alk->", h, h).real)


def coupling_inequalities_hold(H, rho, dA_: int, dB_: int, w_factor=1, purity_factor=1) -> bool:
    """4.5 on one instance: coupling(H) <= c·d w²/4 and h_c(H) <= c·d w²/4 with c = w_factor, and
    state_coupling(ρ) <= purity_factor·(tr ρ² - 1/d) (relative slack 1e-12)."""
    dd = dA_ * dB_
    ev = np.linalg.eigvalsh(H)
    w = ev[-1] - ev[0]
    hc = np.trace(H @ H).real - np.trace(H).real ** 2 / dd
    pur = np.trace(rho @ rho).real
    return (
        coupling_np(H, dA_, dB_) <= w_factor * dd * w**2 / 4 * (1 + 1e-12)
        and hc <= w_factor * dd * w**2 / 4 * (1 + 1e-12)
        and coupling_np(rho, dA_, dB_) <= purity_factor * (pur - 1 / dd) * (1 + 1e-12) + 1e-15
    )


def equality_instance_4_5():
    """dA = dB = 2: H = Z ⊗ I (w = 2, coupling = h_c = d = d w²/4) and the Bell state (tr ρ_B² = 1/dB,
    state_coupling = 1 - 1/d): both inequalities are equalities."""
    H = np.kron(np.diag([1.0, -1.0]), np.eye(2)).astype(complex)
    bell = np.zeros(4, dtype=complex)
    bell[0] = bell[3] = 1 / np.sqrt(2)
    return H, np.outer(bell, bell.conj())


@PROOFS
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 2), (2, 4), (3, 2), (4, 2)]))
@lemma(
    "4.5",
    "coupling <= ||H - cI||_2² <= d w²/4;  state_coupling <= tr ρ² - 1/d",
    "random H, ρ, dA = 2..4 (hypothesis); equality instance dA = dB = 2",
)
def test_lemma_4_5_coupling_inequalities(seed, dims):
    """Lemma 4.5a. coupling = ||H2 - I_A/dA ⊗ tr_A H2||² is the squared norm of an orthogonal projection of
    H2 - cI (for every c), so coupling <= ||H - cI||_2² <= d ||H - cI||_∞² = d (w/2)² with c the mid-spectrum.
    state_coupling = tr ρ1² - tr(ρ_B²)/dA <= tr ρ² - 1/d because tr ρ_B² >= 1/dB (Cauchy–Schwarz).
    Also h_c = ||H - trH/d||_2² <= ||H - cI||_2² <= d w²/4.  Checked on random instances and on the
    equality instance (H = Z ⊗ I, Bell state)."""
    rng = np.random.default_rng(seed)
    dA_, dB_ = dims
    dd = dA_ * dB_
    H = random_hermitian(dd, rng)
    rho = random_density(dd, rng, rank=int(rng.integers(1, dd + 1)))
    assert coupling_inequalities_hold(H, rho, dA_, dB_)
    assert coupling_inequalities_hold(*equality_instance_4_5(), 2, 2)


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["0.99 d w²/4", "0.99 (tr ρ² - 1/d)"])
@lemma("4.5", "mutant: 0.99·d w²/4 or 0.99·(tr ρ² - 1/d) is violated (equality cases)", "dA = dB = 2")
def test_lemma_4_5_mutant_rejected(which):
    """Both inequalities are sharp: H = Z ⊗ I (w = 2) has coupling = d = d w²/4, and the Bell state
    (tr ρ_B² = 1/dB) has state_coupling = 1 - 1/d; the same checker rejects a 1 % tighter constant."""
    kw = {"w_factor": 0.99} if which.startswith("0.99 d") else {"purity_factor": 0.99}
    assert not coupling_inequalities_hold(*equality_instance_4_5(), 2, 2, **kw)


def kf_bound():
    """(dA² - 1) w² / (4 (d + 1)) with w = 1, in x = dA, z = dB."""
    return (x**2 - 1) / (4 * (x * z + 1))


def expected_k_at_worst_inputs(case: str):
    """bounds.expected_K_frobenius_sq with every input at its maximum from 4.5 (w = 1, pure ρ)."""
    dd = Q**N
    kw = dict(
        coupling=dd / 4,
        purity=1,
        state_coupling=1 - 1 / dd,
        h_hs_centered=dd / 4,
    )
    if case == "v1":
        kw.pop("state_coupling"), kw.pop("h_hs_centered")
    elif case == "v2":
        kw.pop("coupling")
    else:
        kw.pop("coupling"), kw.pop("state_coupling")
    return to_xz(bounds.expected_K_frobenius_sq(case, N, M, Q, **kw))


def check_kf_bound(case: str, factor=1) -> bool:
    """Certificate: factor·(dA²-1)w²/(4(d+1)) - E||K||_F²(worst inputs) >= 0 for all x = 2 + s, z = 2 + t."""
    cert = certify_nonnegative(factor * kf_bound() - expected_k_at_worst_inputs(case), {x: 2 + s_, z: 2 + t_}, [s_, t_])
    return cert.ok


@pytest.mark.parametrize("case", ["v1", "v2", "both"])
@lemma(
    "4.6",
    "E||K||_F² <= (dA²-1) w²/(4(d+1)) in each case (equality for v1, v2 at the worst inputs)",
    "all q >= 2, 1 <= m < n (x = dA >= 2, z = dB >= 2), certificate",
)
def test_lemma_4_6_expected_K_bound(case):
    """Lemma 4.6. Inserting the maxima of 4.5 (coupling, h_c <= d w²/4; tr ρ² <= 1; state_coupling <= 1 - 1/d)
    into 4.1-4.3 (all monotone in these inputs) gives E||K||_F² <= (dA² - 1) w² / (4 (d + 1)) for each case.
    Certificate: with dA = 2 + s, dB = 2 + t the difference is N/D with N, D polynomials in s, t >= 0 with
    nonnegative coefficients (v1, v2: N = 0, equality; both: N ∝ dB² - 1)."""
    assert check_kf_bound(case)


@pytest.mark.mutant
@pytest.mark.parametrize("case", ["v1", "v2"])
@lemma("4.6", "mutant: 0.99 × bound", "certificate + explicit instance")
def test_lemma_4_6_mutant_rejected(case):
    """A 1 % tighter constant fails the certificate, and indeed is false (equality holds for v1, v2)."""
    assert not check_kf_bound(case, sp.Rational(99, 100))
    val = expected_k_at_worst_inputs(case).subs({x: 2, z: 8})
    assert val > sp.Rational(99, 100) * kf_bound().subs({x: 2, z: 8})
