"""Lemma 16 — the orthogonal and symplectic Weingarten calculus (DERIVATION.md §16).

The engine of ``weingarten_check.calculus.brauer`` / ``brauer_integrals``: Wg^O and Wg^Sp invert
the Gram matrix of the pairing vectors (pseudo-inverse below the order), the O(d) second moment has
the three Brauer elements (so a Haar O(d) is not a unitary 2-design), and the integrals agree with
exact averages over the small groups O(1), O(2) and Sp(2) = SU(2).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from _helpers import a_components, gell_mann, lemma

from weingarten_check.calculus.brauer import (
    coset_type_of_pairings,
    pairing_gram_matrix,
    pairing_sign,
    pairings,
    weingarten_group,
)
from weingarten_check.calculus.brauer_integrals import (
    haar_integral_orthogonal,
    haar_integral_symplectic,
    trace_moment_orthogonal,
    trace_moment_orthogonal_numeric,
    transpose_symbol,
    twirl_orthogonal,
)
from weingarten_check.calculus.unitary_integrals import Tr, haar_integral, trace_moment, twirl
from weingarten_check.delta.exact import variation_range_qubit
from weingarten_check.states.observables import heisenberg_ring, qae_observable
from weingarten_check.states.sampling import haar_orthogonal, haar_real_state
from weingarten_check.theory import bounds as B
from weingarten_check.theory.orthogonal import (
    expected_K_frobenius_sq_orthogonal,
    expected_K_frobenius_sq_orthogonal_both,
    expected_K_frobenius_sq_orthogonal_v2,
    orthogonal_route1_bound,
    orthogonal_to_unitary_ratio,
    transpose_coupling,
    variation_range_real_qubit,
    variation_range_ry,
)

d = sp.Symbol("d", positive=True)


# ---------------------------------------------------------------------------------------------
# 16.1 Wg^O, Wg^Sp = (pseudo-)inverse of the pairing Gram matrix
# ---------------------------------------------------------------------------------------------
def weingarten_matrix_from(group, p, dim, wg):
    """W(m, n) = ε_m ε_n wg(ρ(m, n)) (ε = 1 for O) over the pairings of 2p points."""
    ps = pairings(2 * p)
    eps = [pairing_sign(m) if group == "Sp" else 1 for m in ps]
    return sp.Matrix(len(ps), len(ps), lambda a, b: eps[a] * eps[b] * wg(coset_type_of_pairings(ps[a], ps[b]), dim))


def gram_inverse_holds(group, p, dim, wg):
    """G W = 1 for symbolic d; the four Penrose conditions for an integer d."""
    g = pairing_gram_matrix(group, p, dim)
    w = weingarten_matrix_from(group, p, dim, wg)
    if isinstance(dim, sp.Symbol):
        return (g * w).applyfunc(sp.cancel) == sp.eye(g.shape[0])
    return g * w * g == g and w * g * w == w and (g * w).T == g * w and (w * g).T == w * g


def library_wg(group):
    return lambda rho, dim: weingarten_group(group, rho, dim)


@lemma(
    "16.1",
    "Wg^O (Wg^Sp with the pairing signs ε_m ε_n) is the inverse of the pairing Gram matrix; below the "
    "order (d < p for O, d < 2p for Sp) the Moore–Penrose pseudo-inverse",
    "symbolic d, p <= 2; integer d = 1..3 (O), 2, 4 (Sp), p <= 3",
)
def test_lemma_16_1_weingarten_inverts_the_gram_matrix():
    """Lemma 16.1. The invariants of O(d) (Sp(d)) in V^{⊗2p} are spanned by the pairing vectors
    δ_m (J_m); E[U^{⊗2p}] is the projection onto their span, so its coefficients are the
    (pseudo-)inverse of their Gram matrix.  The library's class formula (zonal spherical functions,
    d -> -d for Sp) is checked to be that matrix."""
    for group, p in (("O", 1), ("O", 2), ("Sp", 1), ("Sp", 2)):
        assert gram_inverse_holds(group, p, d, library_wg(group)), (group, p)
    for group, p, dims in (("O", 2, (1, 2, 3)), ("O", 3, (1, 2, 3)), ("Sp", 2, (2, 4)), ("Sp", 3, (2, 4))):
        for dim in dims:
            assert gram_inverse_holds(group, p, dim, library_wg(group)), (group, p, dim)


@pytest.mark.mutant
@lemma(
    "16.1",
    "mutant: Wg^O := Wg^U at the same partition; Sp without the pairing signs; O's values for Sp; "
    "at d < p the generic rational function's value at a larger d",
    "symbolic d p = 2; integer d",
)
def test_lemma_16_1_mutant_rejected():
    """The same checker rejects the unitary Weingarten function used for O, the symplectic values
    without the signs ε_m ε_n, O's values for Sp, and a non-pseudo-inverse below the order."""
    assert not gram_inverse_holds("O", 2, d, library_wg("U"))
    ps = pairings(4)
    unsigned = sp.Matrix(3, 3, lambda a, b: library_wg("Sp")(coset_type_of_pairings(ps[a], ps[b]), d))
    assert (pairing_gram_matrix("Sp", 2, d) * unsigned).applyfunc(sp.cancel) != sp.eye(3)
    assert not gram_inverse_holds("Sp", 2, d, library_wg("O"))
    assert not gram_inverse_holds("O", 3, 2, lambda rho, dim: weingarten_group("O", rho, 3))


# ---------------------------------------------------------------------------------------------
# 16.2 the O(d) second moment: three Brauer elements
# ---------------------------------------------------------------------------------------------
def second_moment_matches(moment_fn, dim=3, trials=3):
    """moment_fn(A, X) == E[tr(A O X O^T)²] over Haar O(dim), the latter from the O(d) twirl
    (the projection onto span{1, SWAP, d|Φ+><Φ+|}), on random real A, X."""
    rng = np.random.default_rng(1602)
    for _ in range(trials):
        a, x = rng.standard_normal((dim, dim)), rng.standard_normal((dim, dim))
        exact = np.trace(np.kron(a, a) @ twirl_orthogonal(np.kron(x, x), 2)).real
        if abs(moment_fn(a, x) - exact) > 1e-9 * max(1.0, abs(exact)):
            return False
    return True


def _evaluate(expr, mats, dim):
    subs = {d: dim}
    for t in expr.atoms(Tr):
        m = np.eye(dim)
        for s in t.args:
            name = str(s)
            m = m @ (mats[name[:-1]].T if name.endswith("ᵀ") else mats[name])
        subs[t] = sp.Float(float(np.trace(m).real), 30)
    return float(expr.xreplace(subs))


@lemma(
    "16.2",
    "E[tr(A O X Oᵀ)²] over O(d) = Σ_{m,n} Wg^O(m,n) tr_m(A) tr_n(X) over the three pairings of four entries: "
    "tr A², tr(AA), tr(AAᵀ) — the third (partial transpose of SWAP) is absent over U(d)",
    "symbolic d; d = 3 on random real A, X",
)
def test_lemma_16_2_orthogonal_second_moment():
    """Lemma 16.2. The commutant of O^{⊗2} is spanned by 1, SWAP and the partial transpose of SWAP
    (d |Φ+><Φ+|); the abstract moment has exactly the traces tr A tr A, tr(A A), tr(A Aᵀ) (and the
    same for X), and equals the twirl route at d = 3."""
    A, X = sp.symbols("A X", commutative=False)
    res = sp.expand(trace_moment_orthogonal([A, A], [X, X], d))
    a_traces = {t for t in res.atoms(Tr) if all(str(s).rstrip("ᵀ") == "A" for s in t.args)}
    assert a_traces == {Tr(A), Tr(A, A), Tr(A, transpose_symbol(A))}
    assert second_moment_matches(lambda a, x: _evaluate(res, {"A": a, "X": x}, 3))


@pytest.mark.mutant
@lemma(
    "16.2",
    "mutant: the unitary second moment (two permutations: a unitary 2-design) for real Haar O",
    "d = 3",
)
def test_lemma_16_2_mutant_rejected():
    """Haar O(d) is not a unitary 2-design: the U(d) second moment fails the same check, via the
    abstract formula and via the U(d) twirl."""
    A, X = sp.symbols("A X", commutative=False)
    unitary = sp.expand(trace_moment([A, A], [X, X], d))
    assert not second_moment_matches(lambda a, x: _evaluate(unitary, {"A": a, "X": x}, 3))
    assert not second_moment_matches(lambda a, x: np.trace(np.kron(a, a) @ twirl(np.kron(x, x), 2)).real)


# ---------------------------------------------------------------------------------------------
# 16.3 the integrals at small d: O(1), O(2), Sp(2) = SU(2)
# ---------------------------------------------------------------------------------------------
def o2_average(i, j):
    """Exact average over O(2) = rotations ∪ reflections (half each), entries cos θ, ±sin θ: a trig
    polynomial of degree < 12 averages exactly over the 12 angles θ = 2πk/12 (Σ_k e^{imθ_k} = 0 for
    0 < |m| < 12); the cosines and sines of multiples of 30° are exact (√3/2, 1/2)."""
    total = sp.Integer(0)
    for k in range(12):
        c, s = sp.cos(sp.pi * k / 6), sp.sin(sp.pi * k / 6)
        for mat in (sp.Matrix([[c, -s], [s, c]]), sp.Matrix([[c, s], [s, -c]])):
            total += sp.prod([mat[a, b] for a, b in zip(i, j)])
    return sp.nsimplify(sp.expand(total / 24))


def su2_average(i, j):
    """Exact average over SU(2) = Sp(2): U = [[a, b], [-b̄, ā]] with (a, b) uniform on the unit sphere
    of C², whose moments are E[a^p ā^q b^r b̄^s] = δ_pq δ_rs p! r!/(p + r + 1)!."""
    a, ac, b, bc = sp.symbols("a ac b bc")
    u = sp.Matrix([[a, b], [-bc, ac]])
    poly = sp.Poly(sp.expand(sp.prod([u[r, c] for r, c in zip(i, j)])), a, ac, b, bc)
    total = sp.Integer(0)
    for (p, q, r, s_), coeff in poly.terms():
        if p == q and r == s_:
            total += coeff * sp.factorial(p) * sp.factorial(r) / sp.factorial(p + r + 1)
    return total


O2_MONOMIALS = [
    ((0, 0), (0, 0)),
    ((0, 0, 0, 0), (0, 0, 0, 0)),
    ((0, 0, 1, 1), (0, 1, 0, 1)),
    ((0, 1, 0, 1), (0, 0, 1, 1)),
]
O2_MONOMIALS += [((0, 0, 0, 0, 1, 1), (0, 0, 0, 0, 1, 1)), ((0, 0, 0, 1, 1, 1), (0, 0, 1, 0, 1, 1))]
SU2_MONOMIALS = [((0, 1), (0, 1)), ((0, 0, 1, 1), (0, 0, 1, 1)), ((0, 0, 1, 1), (0, 1, 0, 1)), ((0, 1), (1, 0))]


def small_groups_match(o_integral, sp_integral):
    """o_integral(i, j, dim), sp_integral(i, j, dim) against O(1) = {±1}, O(2) and SU(2) exactly."""
    for p in (1, 2, 3):
        if o_integral([0] * 2 * p, [0] * 2 * p, 1) != 1:
            return False
    if any(sp.simplify(o_integral(i, j, 2) - o2_average(i, j)) != 0 for i, j in O2_MONOMIALS):
        return False
    return all(sp.simplify(sp_integral(i, j, 2) - su2_average(i, j)) == 0 for i, j in SU2_MONOMIALS)


@lemma(
    "16.3",
    "haar_integral_orthogonal / _symplectic at d = 1, 2 (below the order: the pseudo-inverse) equal the "
    "exact averages over O(1) = {±1}, O(2) and Sp(2) = SU(2)",
    "monomials of degree <= 6",
)
def test_lemma_16_3_small_groups():
    """Lemma 16.3. O(1) = {±1}: every even monomial averages to 1.  O(2): half rotations, half
    reflections, averaged exactly over θ.  Sp(2) = SU(2) (U J Uᵀ = det(U) J): the moments of the
    uniform measure on the unit sphere of C².
    These d are below the order 2p of most monomials, where the Gram matrix is singular."""
    assert small_groups_match(haar_integral_orthogonal, haar_integral_symplectic)


@pytest.mark.mutant
@lemma(
    "16.3",
    "mutant: U(d) moments (half the factors conjugated) for O(d); Sp without the pairing signs ε",
    "monomials of degree <= 6",
)
def test_lemma_16_3_mutant_rejected():
    """The same checker rejects unitary moments in place of orthogonal ones (E O_11^4 = 3/8 on O(2),
    E|U_11|^4 = 1/3 on U(2)) and the Sp sum without the pairing signs."""

    def as_unitary(i, j, dim):
        # "O is a Haar unitary": E[Π U_{i_a j_a} Π conj(U_{i'_b j'_b})] with the second half conjugated
        h = len(i) // 2
        return haar_integral(i[:h], j[:h], i[h:], j[h:], dim)

    assert not small_groups_match(as_unitary, haar_integral_symplectic)

    def unsigned_sp(i, j, dim):
        n = dim // 2
        ii = [(x % n, x // n) for x in i]
        jj = [(x % n, x // n) for x in j]
        total = 0
        for m, k in itertools.product(pairings(len(i)), repeat=2):
            wm = sp.prod([ii[b][1] - ii[a][1] if ii[a][0] == ii[b][0] else 0 for a in range(len(m)) if a < (b := m[a])])
            wk = sp.prod([jj[b][1] - jj[a][1] if jj[a][0] == jj[b][0] else 0 for a in range(len(k)) if a < (b := k[a])])
            total += wm * wk * weingarten_group("Sp", coset_type_of_pairings(m, k), dim)
        return total

    assert not small_groups_match(haar_integral_orthogonal, unsigned_sp)


# ---------------------------------------------------------------------------------------------
# 16.4 Theorem 1 for real-amplitude circuits: E||K||_F² with V1 Haar on O(d)
# ---------------------------------------------------------------------------------------------
def k_operators(obs, dA=2):
    """O_ab = G_b ⊗ h_a (site 0 = A), so that K_ab = <ψ|O_ab|ψ> for ρ1 = |ψ><ψ| (Lemma 3.1)."""
    H = obs.dense()
    dB = H.shape[0] // dA
    G = gell_mann(dA)  # X, Y, Z over √2
    h = a_components(H, dA, dB, G)
    return np.array([[np.kron(G[b], h[a]) for b in range(len(G))] for a in range(len(G))])


def real_haar_second_moment(dim):
    """E[<ψ|O|ψ><ψ|O'|ψ>] over real Haar ψ as a function of tr(OO'), tr(OO'ᵀ), from the library's
    trace_moment_orthogonal with tr O = tr O' = 0 and ρ = |0><0| (tr ρ = tr ρρ = tr ρρᵀ = 1)."""
    O1, O2, R = sp.symbols("O1 O2 R", commutative=False)
    t, tt = sp.symbols("t tt")
    res = sp.expand(trace_moment_orthogonal([O1, O2], [R, R], d))
    subs = {Tr(O1): 0, Tr(O2): 0, Tr(R): 1, Tr(R, R): 1, Tr(R, transpose_symbol(R)): 1}
    subs[Tr(O1, O2)] = t
    subs[Tr(O1, transpose_symbol(O2))] = tt
    out = sp.expand(res.xreplace(subs).subs(d, dim))
    assert out.free_symbols <= {t, tt}, out
    return sp.lambdify((t, tt), out)


def exact_orthogonal_k2(obs):
    """E||K||_F² = Σ_ab E[K_ab²] from the engine and the dense O_ab (exact up to float rounding)."""
    ops = k_operators(obs)
    moment = real_haar_second_moment(obs.dim)
    return sum(moment(np.trace(o @ o).real, np.trace(o @ o.T).real) for o in ops.reshape(-1, *ops.shape[2:]))


def sampled_orthogonal_k2(obs, samples, seed):
    """(mean, stderr) of ||K||_F² over real Haar states ψ = O|0> (states.sampling.haar_real_state)."""
    ops = k_operators(obs).reshape(9, obs.dim, obs.dim)
    rng = np.random.default_rng(seed)
    psi = np.array([haar_real_state(obs.dim, rng) for _ in range(samples)])
    k = np.einsum("si,aij,sj->sa", psi, ops, psi).real
    vals = (k**2).sum(axis=1)
    return vals.mean(), vals.std(ddof=1) / np.sqrt(samples), k


def orthogonal_k2_holds(formula, seed=1604):
    """formula(obs) == the engine's exact E||K||_F² (n = 3, 4) and the Monte Carlo mean (n = 4, 5σ)."""
    for obs in (heisenberg_ring(3), heisenberg_ring(4), qae_observable(3), qae_observable(4)):
        if abs(float(formula(obs)) - exact_orthogonal_k2(obs)) > 1e-9:
            return False
    for obs in (heisenberg_ring(4), qae_observable(4)):
        mean, se, _ = sampled_orthogonal_k2(obs, 20000, seed)
        if abs(float(formula(obs)) - mean) > 5 * se:
            return False
    return True


def library_orthogonal_k2(obs):
    return expected_K_frobenius_sq_orthogonal(
        obs.dim, 2, coupling=obs.coupling([0]), transpose_coupling=transpose_coupling(obs, [0])
    )


@lemma(
    "16.4",
    "V1 Haar on O(d), ρ = |0…0>: E||K||_F² = (d-1)/(d(d-1)(d+2)) [(dA²-1) κ + (dA-1) κ_T], κ_T = Σ_a tr_B(h_a h_aᵀ); "
    "the Heisenberg entries with exactly one Y vanish identically",
    "exact n = 3, 4 (Heisenberg, QAE) from the O(d) engine; Monte Carlo n = 4 (5σ)",
)
def test_lemma_16_4_orthogonal_second_moment_of_K():
    """Lemma 16.4. K_ab = <ψ|O_ab|ψ>, O_ab = G_b ⊗ h_a, ψ a real Haar state.  The O(d) second moment
    (16.2) with tr O = 0 gives E[K_ab²] = (tr O² + tr O Oᵀ)/(d(d+2)); summed over the basis,
    Σ_b tr(G_b G_bᵀ) = dA - 1, which is (K_O) of theory/orthogonal.py.  A Pauli string with an odd
    number of Y is imaginary antisymmetric, so its expectation in a real state is 0."""
    assert orthogonal_k2_holds(library_orthogonal_k2)
    _, _, k = sampled_orthogonal_k2(heisenberg_ring(4), 200, 3)
    one_y = [3 * a + b for a in range(3) for b in range(3) if (a == 1) != (b == 1)]
    assert len(one_y) == 4 and np.abs(k[:, one_y]).max() < 1e-12
    assert np.abs(k[:, [0, 4, 8]]).min() > 0  # the others do not vanish


@pytest.mark.mutant
@lemma(
    "16.4",
    "mutant: the unitary E||K||_F² (Lemma 4.1) for V1 Haar on O(d); κ_T := κ (transposes ignored)",
    "exact n = 3, 4; Monte Carlo n = 4",
)
def test_lemma_16_4_mutant_rejected():
    """The same checker rejects the unitary value (a unitary 2-design's) and the formula with κ_T = κ."""
    assert not orthogonal_k2_holds(lambda obs: B.expected_K_frobenius_sq("v1", obs.n, 1, coupling=obs.coupling([0])))
    assert not orthogonal_k2_holds(
        lambda obs: expected_K_frobenius_sq_orthogonal(
            obs.dim, 2, coupling=obs.coupling([0]), transpose_coupling=obs.coupling([0])
        )
    )


# ---------------------------------------------------------------------------------------------
# 16.5 the bound on E[Δ] for real-amplitude circuits and its ratio to the unitary one
# ---------------------------------------------------------------------------------------------
def heisenberg_couplings_hold(kappa, kappa_t):
    """κ(d), κ_T(d) as functions of d agree with the library's couplings of the ring, n = 3..7."""
    for n in range(3, 8):
        obs = heisenberg_ring(n)
        if not (
            np.isclose(obs.coupling([0]), float(kappa.subs(d, obs.dim)))
            and np.isclose(transpose_coupling(obs, [0]), float(kappa_t.subs(d, obs.dim)))
        ):
            return False
    return True


@lemma(
    "16.5",
    "Heisenberg VQE, V1 Haar on O(d): E||K||_F² = 20/(d+2) (unitary 18/(d+1), ratio 10(d+1)/(9(d+2)) -> 10/9), "
    "E[Δ] <= 4 sqrt(10)/sqrt(d+2); QAE ratio 4(d+1)/(3(d+2)); sampled E[Δ] (Δ over U(2)) lies below; "
    "on these K the real local group O(2) reaches Δ over U(2)",
    "symbolic d; couplings n = 3..7; samples n = 6",
)
def test_lemma_16_5_bound_for_real_amplitude_circuits():
    """Lemma 16.5. κ = 6d, κ_T = 2d for the ring (the YY terms enter κ_T with a minus sign) give
    E||K||_F² = 20/(d+2) and, by Δ <= 2 sqrt(2) ||K||_F and Jensen, E[Δ] <= 4 sqrt(10/(d+2)): Theorem 1's
    rate q^{-n/2} with a constant √(10/9) times the unitary one in the limit.  For QAE κ_T = κ."""
    assert heisenberg_couplings_hold(6 * d, 2 * d)
    e_o = sp.factor(expected_K_frobenius_sq_orthogonal(d, 2, coupling=6 * d, transpose_coupling=2 * d))
    assert e_o == 20 / (d + 2)
    e_u = sp.factor(B.expected_K_frobenius_sq("v1", sp.log(d, 2), 1, coupling=6 * d))
    assert sp.simplify(e_u - 18 / (d + 1)) == 0
    ratio = orthogonal_to_unitary_ratio(d, 2, coupling=6 * d, transpose_coupling=2 * d)
    assert sp.simplify(ratio - e_o / e_u) == 0 and sp.limit(ratio, d, sp.oo) == sp.Rational(10, 9)
    qae = qae_observable(5)
    assert np.isclose(transpose_coupling(qae, [0]), qae.coupling([0]))
    qae_ratio = orthogonal_to_unitary_ratio(d, 2, coupling=1, transpose_coupling=1)
    assert sp.simplify(qae_ratio - 4 * (d + 1) / (3 * (d + 2))) == 0
    bound = orthogonal_route1_bound(d, 1, coupling=6 * d, transpose_coupling=2 * d)
    assert sp.simplify(bound - 4 * sp.sqrt(10) / sp.sqrt(d + 2)) == 0
    # sampled E[Δ] at n = 6 (Δ = 2(σ1 + σ2), the variation over all of U(2)) lies below the bound
    obs = heisenberg_ring(6)
    _, _, k = sampled_orthogonal_k2(obs, 3000, 1605)
    deltas = np.array([variation_range_qubit(kk.reshape(3, 3)) for kk in k])
    upper_ci = deltas.mean() + 5 * deltas.std(ddof=1) / np.sqrt(len(deltas))
    assert upper_ci < float(bound.subs(d, obs.dim))
    # what a real ansatz reaches: on these K (no XY, YX, ZY, YZ entries) the real local group O(2)
    # reaches the whole U(2) variation, the one-parameter R_Y family less
    assert real_local_reach_holds(k, lambda kk: variation_range_qubit(kk))


def real_local_reach_holds(ks, o2_claim):
    """Δ_{R_Y} <= Δ_{O(2)} on every sample and Δ_{O(2)} == o2_claim(K) (to 1e-10)."""
    for kk in ks:
        kk = kk.reshape(3, 3)
        if variation_range_ry(kk) > variation_range_real_qubit(kk) + 1e-12:
            return False
        if abs(variation_range_real_qubit(kk) - o2_claim(kk)) > 1e-10:
            return False
    return True


@pytest.mark.mutant
@lemma(
    "16.5",
    "mutant: κ_T = κ for the Heisenberg ring (E||K||² = 24/(d+2)); κ_T = 0; Δ_{O(2)} = Δ_{R_Y}",
    "n = 3..7; samples n = 6",
)
def test_lemma_16_5_mutant_rejected():
    """The same coupling checker rejects κ_T = κ = 6d and κ_T = 0."""
    assert not heisenberg_couplings_hold(6 * d, 6 * d)
    assert not heisenberg_couplings_hold(6 * d, 0 * d)
    _, _, k = sampled_orthogonal_k2(heisenberg_ring(6), 200, 1605)
    assert not real_local_reach_holds(k, variation_range_ry)  # the rotations alone do not reach Δ


# ---------------------------------------------------------------------------------------------
# 16.6 the fourth moment over O(d) and Lemma 11's lower bound
# ---------------------------------------------------------------------------------------------
def orthogonal_k4(obs):
    """E||K||_F⁴ = Σ_{(ab),(a'b')} E[K_ab² K_a'b'²] from the k = 4 trace moment of the engine:
    E[Π_a tr(A_a O ρ Oᵀ)] with A = (O_ab, O_ab, O_a'b', O_a'b') and ρ = |0><0| (every trace of a word in
    ρ, ρᵀ is 1), evaluated on the dense O_ab."""
    A, Bs, R = sp.symbols("A B R", commutative=False)
    expr = sp.expand(trace_moment_orthogonal([A, A, Bs, Bs], [R, R, R, R], d).subs(d, obs.dim))
    r_traces = {t: 1 for t in expr.atoms(Tr) if all(str(s).rstrip("ᵀ") == "R" for s in t.args)}
    expr = sp.expand(expr.xreplace(r_traces))
    traces = sorted(expr.atoms(Tr), key=str)
    fn = sp.lambdify(traces, expr)
    ops = k_operators(obs).reshape(9, obs.dim, obs.dim)
    total = 0.0
    for o1 in ops:
        for o2 in ops:
            mats = {"A": o1, "B": o2}
            vals = []
            for t in traces:
                m = np.eye(obs.dim, dtype=complex)
                for s in t.args:
                    name = str(s)
                    m = m @ (mats[name[:-1]].T if name.endswith("ᵀ") else mats[name])
                vals.append(np.trace(m).real)
            total += fn(*vals)
    return total


@lemma(
    "16.6",
    "V1 Haar on O(d): E||K||_F⁴ from the k = 4 O(d) trace moment (105² Brauer pairs) agrees with Monte Carlo; "
    "with Lemma 11.5, E[Δ] >= c (E||K||²)^{3/2}/(E||K||⁴)^{1/2}, below the sampled E[Δ]",
    "Heisenberg n = 4 (Monte Carlo 20 000, 5σ)",
)
def test_lemma_16_6_fourth_moment_and_lower_bound():
    """Lemma 16.6. ||K||_F⁴ is a degree-8 polynomial in the real Haar state ψ = V1|0>, integrated by the
    O(d) engine at k = 4; Hölder (Lemma 11.5) turns the two moments into a lower bound on E[Δ]: the rate
    q^{-n/2} is exact for real-amplitude circuits too."""
    obs = heisenberg_ring(4)
    fourth = orthogonal_k4(obs)
    second = float(library_orthogonal_k2(obs))
    _, _, k = sampled_orthogonal_k2(obs, 20000, 1606)
    vals = (k**2).sum(axis=1) ** 2
    assert abs(vals.mean() - fourth) < 5 * vals.std(ddof=1) / np.sqrt(len(vals))
    lower = float(B.expected_delta_lower_bound_from_moments(second, fourth, 2))
    deltas = np.array([variation_range_qubit(kk.reshape(3, 3)) for kk in k])
    assert 0 < lower < deltas.mean() - 5 * deltas.std(ddof=1) / np.sqrt(len(deltas))


@pytest.mark.mutant
@lemma("16.6", "mutant: E||K||⁴ = (E||K||²)² (the 2-design shortcut) fails the same Monte Carlo check", "n = 4")
def test_lemma_16_6_mutant_rejected():
    """The fourth moment is not the square of the second (a 2-design does not fix it)."""
    obs = heisenberg_ring(4)
    second = float(library_orthogonal_k2(obs))
    _, _, k = sampled_orthogonal_k2(obs, 20000, 1606)
    vals = (k**2).sum(axis=1) ** 2
    assert abs(vals.mean() - second**2) > 5 * vals.std(ddof=1) / np.sqrt(len(vals))


# ---------------------------------------------------------------------------------------------
# 16.4 (V2 random) V2 Haar on O(d), V1 = I, ρ = |0…0>
# ---------------------------------------------------------------------------------------------
def v2_operators(obs):
    """X_ab = G_a ⊗ r_b with r_b = tr_A((G_b ⊗ I) |0><0|), so that K_ab = tr(H V2 X_ab V2ᵀ)."""
    rho = np.zeros((obs.dim, obs.dim))
    rho[0, 0] = 1
    G = gell_mann(2)
    r = a_components(rho, 2, obs.dim // 2, G)
    return np.array([np.kron(G[a], r[b]) for a in range(3) for b in range(3)])


def orthogonal_k2_v2_holds(formula, samples=10000, seed=1607):
    """formula(obs) == Σ_ab E[tr(H O X_ab Oᵀ)²] from the engine (trace_moment_orthogonal_numeric, n = 3)
    and from Monte Carlo over haar_orthogonal (n = 3, 5σ), Heisenberg and QAE."""
    rng = np.random.default_rng(seed)
    for obs in (heisenberg_ring(3), qae_observable(3)):
        h = obs.dense()
        xs = v2_operators(obs)
        exact = sum(trace_moment_orthogonal_numeric([h, h], [x, x]).real for x in xs)
        if abs(float(formula(obs)) - exact) > 1e-9:
            return False
        vals = np.empty(samples)
        for s in range(samples):
            o = haar_orthogonal(obs.dim, rng)
            vals[s] = (np.einsum("ij,aji->a", o.T @ h.real @ o, xs).real ** 2).sum()
        if abs(float(formula(obs)) - vals.mean()) > 5 * vals.std(ddof=1) / np.sqrt(samples):
            return False
    return True


def library_orthogonal_k2_v2(obs):
    h = obs.dense()
    half = sp.Rational(1, 2)  # Σ_b ⟨0|G_b|0⟩² = 1/2 = σ = σ_T (r_b real diagonal)
    return expected_K_frobenius_sq_orthogonal_v2(
        obs.dim,
        2,
        state_coupling=half,
        state_transpose_coupling=half,
        h_trace=sp.nsimplify(round(np.trace(h).real, 9)),
        h_hs=sp.nsimplify(round(np.trace(h @ h).real, 9)),
        h_transpose_hs=sp.nsimplify(round(np.trace(h @ h.T).real, 9)),
    )


@lemma(
    "16.4",
    "V2 Haar on O(d), V1 = I, ρ = |0…0>: E||K||_F² = (dA²-1) σ (α t2 + β(t1² + tT)) + (dA-1) σ_T (α tT + β(t1² + t2))",
    "exact n = 3 (Heisenberg, QAE) from the O(d) engine; Monte Carlo n = 3 (5σ)",
)
def test_lemma_16_4_v2_random():
    """Lemma 16.4 with the roles of V1 and V2 exchanged: K_ab = tr(H V2 X_ab V2ᵀ), X_ab = G_a ⊗ r_b
    traceless; the three Brauer terms with tr H, tr H², tr HHᵀ give (K_O2) of theory/orthogonal.py."""
    assert orthogonal_k2_v2_holds(library_orthogonal_k2_v2)


@pytest.mark.mutant
@lemma("16.4", "mutant: the unitary E||K||_F² of Lemma 4.2 (V2 from a unitary 2-design)", "n = 3")
def test_lemma_16_4_v2_mutant_rejected():
    """The same checker rejects the unitary value for V2 Haar on O(d)."""

    def unitary(obs):
        h = obs.dense()
        centered = np.trace(h @ h).real - np.trace(h).real ** 2 / obs.dim
        return B.expected_K_frobenius_sq(
            "v2", obs.n, 1, state_coupling=sp.Rational(1, 2), h_hs_centered=sp.nsimplify(round(centered, 9))
        )

    assert not orthogonal_k2_v2_holds(unitary)


# ---------------------------------------------------------------------------------------------
# 16.7 V1 and V2 independent Haar on O(d), ρ = |0…0>
# ---------------------------------------------------------------------------------------------
def state_operators(rho1, dA=2):
    """X_ab = G_a ⊗ r_b with r_b = tr_A((G_b ⊗ I) ρ1), so that K_ab = tr(H V2 X_ab V2ᵀ) (Lemma 3.1)."""
    G = gell_mann(dA)
    r = a_components(rho1, dA, rho1.shape[0] // dA, G)
    return np.array([np.kron(G[a], r[b]) for a in range(len(G)) for b in range(len(G))])


def v2_formula_holds_for_a_real_rho1(seed=1671):
    """Step 1: (K_O2) with σ, σ_T of a fixed real ρ1 = ψψᵀ (σ ≠ σ_T) equals the engine's Σ_ab E[tr(H O X_ab Oᵀ)²]."""
    rng = np.random.default_rng(seed)
    psi = haar_real_state(8, rng)
    rho1 = np.outer(psi, psi)
    G = gell_mann(2)
    r = a_components(rho1, 2, 4, G)
    sig = sum(np.trace(rb @ rb).real for rb in r)
    sig_t = sum(np.trace(rb @ rb.T).real for rb in r)
    for obs in (heisenberg_ring(3), qae_observable(3)):
        h = obs.dense().real
        exact = sum(trace_moment_orthogonal_numeric([h, h], [x, x]).real for x in state_operators(rho1))
        f = expected_K_frobenius_sq_orthogonal_v2(
            8,
            2,
            state_coupling=sig,
            state_transpose_coupling=sig_t,
            h_trace=np.trace(h),
            h_hs=np.trace(h @ h),
            h_transpose_hs=np.trace(h @ h.T),
        )
        if abs(float(f) - exact) > 1e-9 or abs(sig - sig_t) < 1e-3:
            return False
    return True


def engine_mean_sigmas(dA=2, dB=4):
    """Step 2: E σ and E σ_T over ρ1 = O|0><0|Oᵀ from the engine: tr_B(r_b r_b') = Σ_jk tr((G_b ⊗ |k><j|) ρ1)
    tr((G_b' ⊗ |j><k|) ρ1), each pair a k = 2 trace moment over O(d) (trace_moment_orthogonal_numeric)."""
    dim = dA * dB
    rho = np.zeros((dim, dim))
    rho[0, 0] = 1
    e = np.eye(dB)
    sig = sig_t = 0.0
    for g in gell_mann(dA):
        for j in range(dB):
            for k in range(dB):
                x = np.kron(g, np.outer(e[k], e[j]))
                sig += trace_moment_orthogonal_numeric([x, np.kron(g, np.outer(e[j], e[k]))], [rho, rho]).real
                sig_t += trace_moment_orthogonal_numeric([x, np.kron(g.T, np.outer(e[j], e[k]))], [rho, rho]).real
    return sig, sig_t


def orthogonal_k2_both_holds(formula, samples=10000, seed=1677):
    """formula(obs) == (K_O2) at the engine's E σ, E σ_T (n = 3; (K_O2) is linear in σ, σ_T and holds for
    every real ρ1 by step 1) and == the Monte Carlo mean over independent haar_orthogonal V1, V2 (n = 3,
    5σ), Heisenberg and QAE."""
    sig, sig_t = engine_mean_sigmas()
    rng = np.random.default_rng(seed)
    for obs in (heisenberg_ring(3), qae_observable(3)):
        h = obs.dense().real
        tr = dict(h_trace=np.trace(h), h_hs=np.trace(h @ h), h_transpose_hs=np.trace(h @ h.T))
        exact = float(
            expected_K_frobenius_sq_orthogonal_v2(8, 2, state_coupling=sig, state_transpose_coupling=sig_t, **tr)
        )
        if abs(float(formula(obs)) - exact) > 1e-9:
            return False
        G = gell_mann(2)
        vals = np.empty(samples)
        for s in range(samples):
            psi = haar_orthogonal(8, rng)[:, 0]  # V1|0>
            o2 = haar_orthogonal(8, rng)
            hA = a_components(o2.T @ h @ o2, 2, 4, G)
            rA = a_components(np.outer(psi, psi), 2, 4, G)
            vals[s] = (np.einsum("akl,blk->ab", hA, rA).real ** 2).sum()
        if abs(float(formula(obs)) - vals.mean()) > 5 * vals.std(ddof=1) / np.sqrt(samples):
            return False
    return True


def library_orthogonal_k2_both(obs):
    h = obs.dense()
    return expected_K_frobenius_sq_orthogonal_both(
        obs.dim,
        2,
        h_trace=sp.nsimplify(round(np.trace(h).real, 9)),
        h_hs=sp.nsimplify(round(np.trace(h @ h).real, 9)),
        h_transpose_hs=sp.nsimplify(round(np.trace(h @ h.T).real, 9)),
    )


@lemma(
    "16.7",
    "V1, V2 independent Haar on O(d), ρ = |0…0>: E||K||_F² = (K_O2) at E σ = dB(dB(dA²-1) + dA-1)/(d(d+2)), "
    "E σ_T = dB(dB(dA-1) + dA²-1)/(d(d+2))",
    "(K_O2) at a real ρ1 and E σ, E σ_T from the O(d) engine, n = 3; Monte Carlo n = 3 (5σ); symbolic d",
)
def test_lemma_16_7_both_random():
    """Lemma 16.7. Given V1, (K_O2) holds with σ, σ_T of the real ρ1 = V1ρV1ᵀ (step 1: σ ≠ σ_T there);
    it is linear in them, so the V1 average replaces them by their means, which the O(d) second moment
    E[ρ1 ⊗ ρ1] = (I + F + dΦ⁺)/(d(d+2)) gives as (K_O3) (step 2, from the engine at n = 3).  Step 3: the
    library's symbolic formula equals that and the Monte Carlo mean; for a traceless real H, one qubit,
    it is t2 (5d + 6)/(2(d - 1)(d + 2)²)."""
    assert v2_formula_holds_for_a_real_rho1()
    sig, sig_t = engine_mean_sigmas()
    assert abs(sig - sp.Rational(4 * (4 * 3 + 1), 80)) < 1e-12 and abs(sig_t - sp.Rational(4 * (4 + 3), 80)) < 1e-12
    assert orthogonal_k2_both_holds(library_orthogonal_k2_both)
    t2 = sp.Symbol("t2")
    traceless = expected_K_frobenius_sq_orthogonal_both(d, 2, h_trace=0, h_hs=t2, h_transpose_hs=t2)
    assert sp.simplify(traceless - t2 * (5 * d + 6) / (2 * (d - 1) * (d + 2) ** 2)) == 0


@pytest.mark.mutant
@lemma(
    "16.7",
    "mutant: the unitary E||K||_F² of Lemma 4.3 (both from a unitary 2-design); E σ and E σ_T exchanged",
    "n = 3",
)
def test_lemma_16_7_mutant_rejected():
    """The same checker rejects the unitary value and the formula with the two means exchanged."""

    def unitary(obs):
        h = obs.dense()
        centered = np.trace(h @ h).real - np.trace(h).real ** 2 / obs.dim
        return B.expected_K_frobenius_sq("both", obs.n, 1, h_hs_centered=sp.nsimplify(round(centered, 9)))

    def exchanged(obs):
        h = obs.dense().real
        den = obs.dim * (obs.dim + 2)
        return expected_K_frobenius_sq_orthogonal_v2(
            obs.dim,
            2,
            state_coupling=sp.Rational(4 * (4 + 3), den),
            state_transpose_coupling=sp.Rational(4 * (4 * 3 + 1), den),
            h_trace=np.trace(h),
            h_hs=np.trace(h @ h),
            h_transpose_hs=np.trace(h @ h.T),
        )

    assert not orthogonal_k2_both_holds(unitary, samples=2000)
    assert not orthogonal_k2_both_holds(exchanged, samples=2000)
