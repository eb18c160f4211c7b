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
from _helpers import lemma

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
    transpose_symbol,
    twirl_orthogonal,
)
from weingarten_check.calculus.unitary_integrals import Tr, haar_integral, trace_moment, twirl

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
