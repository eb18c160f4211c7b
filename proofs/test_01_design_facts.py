"""Lemma 1 — unitary design facts (DERIVATION.md §1).

Uses the project's Weingarten engine (weingarten_check.calculus.unitary_integrals / .weingarten), so these
tests also check that engine against the closed forms the rest of the derivation relies on.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from _helpers import is_zero, lemma, mat_is_zero, symbolic_matrix

from weingarten_check.calculus.unitary import gram_matrix, weingarten, weingarten_matrix
from weingarten_check.calculus.unitary_integrals import (  # Tr: traces of words, as the engine returns them
    Tr,
    haar_integral,
    trace_moment,
    trace_moment_numeric,
)

d = sp.Symbol("d", positive=True)
A, B, X = sp.symbols("A B X", commutative=False)


# ---------------------------------------------------------------------------------------------
# 1.1 first moment
# ---------------------------------------------------------------------------------------------
def _tr(op):
    """tr of an abstract operator; the identity (1) has trace d."""
    return d if op == 1 else Tr(op)


def first_moment_formula(a, x):
    return _tr(a) * _tr(x) / d


def check_first_moment(claim) -> bool:
    """The engine's E tr(A V X V†) equals claim(A, X) for abstract A, X and when either is the identity
    (A = I: E tr(V X V†) = tr X, unitarity; X = I: tr A)."""
    return all(is_zero(trace_moment([a], [x], d) - claim(a, x)) for a, x in [(A, X), (1, X), (A, 1)])


@lemma(
    "1.1",
    "E[V X V†] = tr(X) I/d  (⇔ E tr(A V X V†) = trA trX/d, all A, X)",
    "symbolic d >= 1, abstract A, X (and A = I or X = I)",
)
def test_lemma_1_1_first_moment():
    """Lemma 1.1. For V from a unitary 1-design and arbitrary operators A, X on C^d:
    E[tr(A V X V†)] = tr(A) tr(X) / d, i.e. E[V X V†] = tr(X) I / d.  Also for A = I or X = I
    (tr I = d: E tr(V X V†) = tr X)."""
    assert check_first_moment(first_moment_formula)


@pytest.mark.mutant
@lemma("1.1", "mutant: denominator d+1", "symbolic d")
def test_lemma_1_1_mutant_rejected():
    """A weakened/wrong first moment (denominator d + 1) is rejected by the same checker."""
    assert not check_first_moment(lambda a, x: _tr(a) * _tr(x) / (d + 1))


# ---------------------------------------------------------------------------------------------
# 1.2 second moment (the one formula used by Lemmas 4, 5, 9)
# ---------------------------------------------------------------------------------------------
def second_moment_formula(trA, trB, trAB, trX, trX2, dd):
    """E[tr(A V X V†) tr(B V X V†)] for V from a unitary 2-design (d >= 2)."""
    return (trA * trB * trX**2 + trAB * trX2) / (dd**2 - 1) - (trAB * trX**2 + trA * trB * trX2) / (dd * (dd**2 - 1))


SECOND_MOMENT = second_moment_formula(Tr(A), Tr(B), Tr(A, B), Tr(X), Tr(X, X), d)


def check_second_moment(claim) -> bool:
    return is_zero(trace_moment([A, B], [X, X], d) - claim)


@lemma(
    "1.2",
    "E tr(AVXV†)tr(BVXV†) = (trA trB (trX)² + tr(AB)trX²)/(d²-1) - (tr(AB)(trX)² + trA trB trX²)/(d(d²-1))",
    "symbolic d >= 2, abstract A, B, X",
)
def test_lemma_1_2_second_moment():
    """Lemma 1.2. For V from a unitary 2-design and arbitrary operators A, B, X on C^d (d >= 2):
    E[tr(A V X V†) tr(B V X V†)] = (trA trB (trX)² + tr(AB) tr(X²))/(d²-1)
                                  - (tr(AB)(trX)² + trA trB tr(X²))/(d(d²-1)).
    Checked twice: with the engine's trace_moment, and directly from Wg(id) = 1/(d²-1),
    Wg((12)) = -1/(d(d²-1)) (Collins 2003)."""
    assert check_second_moment(SECOND_MOMENT)
    assert is_zero(weingarten((0, 1), d) - 1 / (d**2 - 1))
    assert is_zero(weingarten((1, 0), d) + 1 / (d * (d**2 - 1)))
    # a concrete instance through the numeric engine (d = 3, random A, B, X)
    rng = np.random.default_rng(12)
    Am, Bm, Xm = (rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)) for _ in range(3))
    lhs = trace_moment_numeric([Am, Bm], [Xm, Xm])
    rhs = complex(
        second_moment_formula(np.trace(Am), np.trace(Bm), np.trace(Am @ Bm), np.trace(Xm), np.trace(Xm @ Xm), 3)
    )
    assert abs(lhs - rhs) < 1e-12


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["sign", "denominator"])
@lemma("1.2", "mutant: sign flip / d²-1 -> d²", "symbolic d")
def test_lemma_1_2_mutant_rejected(which):
    """Altered second-moment formulas are rejected by the same checker."""
    if which == "sign":
        claim = (Tr(A) * Tr(B) * Tr(X) ** 2 + Tr(A, B) * Tr(X, X)) / (d**2 - 1) + (
            Tr(A, B) * Tr(X) ** 2 + Tr(A) * Tr(B) * Tr(X, X)
        ) / (d * (d**2 - 1))
    else:
        claim = (Tr(A) * Tr(B) * Tr(X) ** 2 + Tr(A, B) * Tr(X, X)) / d**2 - (
            Tr(A, B) * Tr(X) ** 2 + Tr(A) * Tr(B) * Tr(X, X)
        ) / (d * d**2)
    assert not check_second_moment(claim)


# ---------------------------------------------------------------------------------------------
# 1.3 single-site layers are 1-designs (and not 2-designs)
# ---------------------------------------------------------------------------------------------
def site_depolarise(Y: sp.Matrix, q: int, n: int, site: int) -> sp.Matrix:
    """Apply Φ(Z) = tr(Z) I/q (the single-site Haar twirl, Lemma 1.1 with d = q) to one site."""
    dims = [q] * n
    out = sp.zeros(q**n)
    # indices: (i_0..i_{n-1}) -> row
    for r, c in itertools.product(range(q**n), repeat=2):
        ri = np.unravel_index(r, dims)
        ci = np.unravel_index(c, dims)
        if ri[site] != ci[site]:
            continue
        # Φ on `site`: <r|Φ(Y)|c> = δ(r_s, c_s)/q Σ_k <r with k at s|Y|c with k at s>
        acc = 0
        for k in range(q):
            rr = list(ri)
            cc = list(ci)
            rr[site] = cc[site] = k
            acc += Y[int(np.ravel_multi_index(rr, dims)), int(np.ravel_multi_index(cc, dims))]
        out[r, c] = acc / q
    return out


@pytest.mark.parametrize("q,n", [(2, 2), (2, 3), (3, 2)])
@lemma(
    "1.3",
    "⊗_i u_i (u_i Haar on one site) is a unitary 1-design on the whole space",
    "exact on a symbolic Y for (q, n) = (2, 2), (2, 3), (3, 2) only; other n by the induction step (proof, not "
    "checked)",
)
def test_lemma_1_3_single_site_layers_are_1_designs(q, n):
    """Lemma 1.3. If u_1, …, u_n are independent 1-designs on C^q then E[(⊗u_i) Y (⊗u_i)†] = tr(Y) I/q^n
    for every operator Y: the composition of the single-site twirls Φ(Z) = tr(Z) I/q (Lemma 1.1, d = q)
    is the global twirl.  Checked exactly on an arbitrary symbolic Y; the general n follows by induction
    (Φ^{⊗n} = Φ^{⊗(n-1)} ⊗ Φ)."""
    Y = symbolic_matrix("Y", q**n)
    Z = Y
    for s in range(n):
        Z = site_depolarise(Z, q, n, s)
    assert mat_is_zero(Z - Y.trace() * sp.eye(q**n) / q**n)


PHI, THETA, ALPHA = sp.symbols("phi theta alpha", real=True)


def _rz(a):
    return sp.diag(sp.exp(-sp.I * a / 2), sp.exp(sp.I * a / 2))


def _ry(a):
    return sp.Matrix([[sp.cos(a / 2), -sp.sin(a / 2)], [sp.sin(a / 2), sp.cos(a / 2)]])


def is_one_design_layer(gates) -> bool:
    """Check E[u Y u†] = tr(Y) I/2 exactly for u = gates[0](angle0) gates[1](angle1) ... with independent
    uniform angles on [0, 2π) (the rightmost gate acts first)."""
    Y = symbolic_matrix("Y", 2)
    Z = Y
    for gate, var in reversed(gates):
        g = gate(var)
        Z = sp.expand(g * Z * g.H.subs(sp.conjugate(var), var))
        Z = Z.applyfunc(lambda e, var=var: sp.integrate(e, (var, 0, 2 * sp.pi)) / (2 * sp.pi))
    return mat_is_zero(sp.simplify(Z - Y.trace() * sp.eye(2) / 2))


@lemma(
    "1.3",
    "the paper's 1-design layer Rz(φ)Ry(θ)Rz(α), uniform angles, is a 1-design on a qubit",
    "q = 2, exact integral over the angles",
)
def test_lemma_1_3_euler_layer_is_1_design():
    """Lemma 1.3 (paper's QSL surrogate). For u = Rz(φ) Ry(θ) Rz(α) with φ, θ, α uniform on [0, 2π):
    E[u Y u†] = tr(Y) I/2 for every 2x2 operator Y (exact integration over the angles)."""
    assert is_one_design_layer([(_rz, PHI), (_ry, THETA), (_rz, ALPHA)])


@pytest.mark.mutant
@lemma("1.3", "mutant: a layer of Ry(θ) (or Rz(φ)Rz(α)) alone is not a 1-design", "q = 2")
def test_lemma_1_3_mutant_rejected():
    """A layer of Ry(θ) alone keeps the Y-component of Y, and Rz(φ)Rz(α) keeps the Z-component:
    the checker rejects both (Ry(θ)Rz(α) already is a 1-design, so the third gate of the paper's
    layer is not needed for the first moment)."""
    assert not is_one_design_layer([(_ry, THETA)])
    assert not is_one_design_layer([(_rz, PHI), (_rz, ALPHA)])
    assert is_one_design_layer([(_ry, THETA), (_rz, ALPHA)])


# ---------------------------------------------------------------------------------------------
# 1.4 frame potential
# ---------------------------------------------------------------------------------------------
def frame_potential_haar(dd):
    """F2 = E|tr W|^4 = Σ_{σ,τ ∈ S2} d^{#cycles(σ⁻¹τ)} Wg(τσ⁻¹, d) = tr(Gram · Wg-matrix)."""
    return sp.simplify((gram_matrix(2, dd) * weingarten_matrix(2, dd)).trace())


def frame_potential_haar_entries(dd: int):
    """F2 = E|tr W|⁴ = Σ_{i1,i2,j1,j2} E[W_{i1 i1} W_{i2 i2} conj(W_{j1 j1} W_{j2 j2})] from the engine's
    entry integrals (haar_integral, eq. E1), W Haar on U(dd)."""
    return sum(
        (
            haar_integral([i1, i2], [i1, i2], [j1, j2], [j1, j2], dd)
            for i1, i2, j1, j2 in itertools.product(range(dd), repeat=4)
        ),
        sp.Integer(0),
    )


def frame_potential_product_layer(q: int, n: int):
    """F2 of the layer u_1 ⊗ … ⊗ u_n (u_i independent Haar on U(q)), exactly, from entry integrals.

    For U, V from the layer, W = U†V = ⊗_i u_i† v_i is again a layer of independent Haar unitaries.
    tr W = Σ_x Π_i (w_i)_{x_i x_i} over global indices x = (x_1 … x_n), so |tr W|⁴ is a sum over four
    global indices (x, y; x', y') of Π_i (w_i)_{x_i x_i} (w_i)_{y_i y_i} conj((w_i)_{x'_i x'_i} (w_i)_{y'_i y'_i});
    by independence the expectation of each global term is the product over sites of single-site entry
    integrals (haar_integral on U(q)).  The sum runs over all q^(4n) global index tuples."""
    site = {
        a: haar_integral([a[0], a[1]], [a[0], a[1]], [a[2], a[3]], [a[2], a[3]], q)
        for a in itertools.product(range(q), repeat=4)
    }
    total = sp.Integer(0)
    for idx in itertools.product(list(site), repeat=n):  # one (x_i, y_i, x'_i, y'_i) per site
        term = sp.Integer(1)
        for a in idx:
            term *= site[a]
            if term == 0:
                break
        total += term
    return total


#: (q, n) of the exactly computed product layers
LAYERS = [(2, 1), (2, 2), (2, 3), (3, 2)]


def check_frame_potentials(haar_claim, layer_claim) -> bool:
    """The engine's F2 for Haar (symbolic d via Gram·Wg; d = 2, 3 via entry integrals) equals haar_claim(d),
    and the exact F2 of each product layer in LAYERS equals layer_claim(q, n)."""
    return (
        is_zero(frame_potential_haar(d) - haar_claim(d))
        and all(is_zero(frame_potential_haar_entries(dd) - haar_claim(dd)) for dd in (2, 3))
        and all(is_zero(frame_potential_product_layer(q, n) - layer_claim(q, n)) for q, n in LAYERS)
    )


@lemma(
    "1.4",
    "frame potential F2 = E|tr(U†V)|⁴ = 2 for Haar (d >= 2); layer of single-site Haar unitaries: F2 = 2^n",
    "Haar: symbolic d >= 2, and d = 2, 3 by entry integrals; product layer exactly for (q, n) = (2,1), (2,2), (2,3), "
    "(3,2)",
)
def test_lemma_1_4_frame_potential():
    """Lemma 1.4. For U, V independent Haar on U(d), d >= 2: F2 = E|tr(U†V)|⁴ = E|tr W|⁴ = 2.
    F2 >= 2 for every ensemble, with equality iff it is a 2-design (Gross, Audenaert, Eisert 2007;
    Scott 2008) — stated, not re-proved.  A layer of independent single-site Haar unitaries on n sites
    has F2 = 2^n (computed exactly from single-site entry integrals over all global indices, not by
    multiplying one-site values), so it is a 1-design (Lemma 1.3) but not a 2-design for n >= 2."""
    assert check_frame_potentials(lambda dd: 2, lambda q, n: sp.Integer(2) ** n)


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["F2 = 2.02", "layer is a 2-design"])
@lemma("1.4", "mutant: F2 = 2.02 for Haar / the product layer has F2 = 2 (a 2-design)", "as the lemma")
def test_lemma_1_4_mutant_rejected(which):
    """The same checker rejects F2 = 2·1.01 for Haar, and the claim that the product layer is a 2-design
    (F2 = 2 for every n)."""
    if which == "F2 = 2.02":
        assert not check_frame_potentials(lambda dd: sp.Rational(202, 100), lambda q, n: sp.Integer(2) ** n)
    else:
        assert not check_frame_potentials(lambda dd: 2, lambda q, n: sp.Integer(2))
