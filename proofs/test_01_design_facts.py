"""Lemma 1 — unitary design facts (DERIVATION.md §1).

Uses the project's Weingarten engine (weingarten_check.haar_integrals / .weingarten), so these
tests also check that engine against the closed forms the rest of the derivation relies on.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from _helpers import is_zero, lemma, mat_is_zero, symbolic_matrix
from weingarten_check.haar_integrals import haar_integral, trace_moment, trace_moment_numeric
from weingarten_check.weingarten import gram_matrix, weingarten, weingarten_matrix

d = sp.Symbol("d", positive=True)
A, B, X = sp.symbols("A B X", commutative=False)
from weingarten_check.haar_integrals import Tr  # traces of words, as the engine returns them


# ---------------------------------------------------------------------------------------------
# 1.1 first moment
# ---------------------------------------------------------------------------------------------
FIRST_MOMENT = Tr(A) * Tr(X) / d


def check_first_moment(claim) -> bool:
    return is_zero(trace_moment([A], [X], d) - claim)


@lemma("1.1", "E[V X V†] = tr(X) I/d  (⇔ E tr(A V X V†) = trA trX/d, all A, X)", "symbolic d >= 1")
def test_lemma_1_1_first_moment():
    """Lemma 1.1. For V from a unitary 1-design and arbitrary operators A, X on C^d:
    E[tr(A V X V†)] = tr(A) tr(X) / d, i.e. E[V X V†] = tr(X) I / d."""
    assert check_first_moment(FIRST_MOMENT)


@pytest.mark.mutant
@lemma("1.1", "mutant: denominator d+1", "symbolic d")
def test_lemma_1_1_mutant_rejected():
    """A weakened/wrong first moment (denominator d + 1) is rejected by the same checker."""
    assert not check_first_moment(Tr(A) * Tr(X) / (d + 1))


# ---------------------------------------------------------------------------------------------
# 1.2 second moment (the one formula used by Lemmas 4, 5, 9)
# ---------------------------------------------------------------------------------------------
def second_moment_formula(trA, trB, trAB, trX, trX2, dd):
    """E[tr(A V X V†) tr(B V X V†)] for V from a unitary 2-design (d >= 2)."""
    return (trA * trB * trX**2 + trAB * trX2) / (dd**2 - 1) - (trAB * trX**2 + trA * trB * trX2) / (
        dd * (dd**2 - 1)
    )


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
        second_moment_formula(
            np.trace(Am), np.trace(Bm), np.trace(Am @ Bm), np.trace(Xm), np.trace(Xm @ Xm), 3
        )
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
@lemma("1.3", "⊗_i u_i (u_i Haar on one site) is a unitary 1-design on the whole space", "q=2 (n=2,3), q=3 (n=2) exact; all n by induction")
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
        Z = Z.applyfunc(lambda e: sp.integrate(e, (var, 0, 2 * sp.pi)) / (2 * sp.pi))
    return mat_is_zero(sp.simplify(Z - Y.trace() * sp.eye(2) / 2))


@lemma("1.3", "the paper's 1-design layer Rz(φ)Ry(θ)Rz(α), uniform angles, is a 1-design on a qubit", "q = 2, exact integral over the angles")
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


@lemma("1.4", "frame potential F2 = E|tr(U†V)|⁴ = 2 for Haar (d >= 2); product of single-site Haar: 2^n", "symbolic d >= 2; d = 2, 3 by entry integrals")
def test_lemma_1_4_frame_potential():
    """Lemma 1.4. For U, V independent Haar on U(d), d >= 2: F2 = E|tr(U†V)|⁴ = E|tr W|⁴ = 2.
    F2 >= 2 for every ensemble, with equality iff it is a 2-design (Gross, Audenaert, Eisert 2007;
    Scott 2008) — stated, not re-proved.  A layer of independent single-qubit Haar unitaries on n
    qubits has F2 = 2^n (product of the one-site values), so it is a 1-design (Lemma 1.3) but not a
    2-design for n >= 2."""
    assert frame_potential_haar(d) == 2
    for dd in (2, 3):
        total = sp.Integer(0)
        for i1, i2, j1, j2 in itertools.product(range(dd), repeat=4):
            total += haar_integral([i1, i2], [i1, i2], [j1, j2], [j1, j2], dd)
        assert total == 2
    # single-qubit Haar on each of n sites: E|tr(u_1⊗…⊗u_n)|^4 = Π E|tr u_i|^4 = 2^n
    assert frame_potential_haar(2) ** 3 == 8


@pytest.mark.mutant
@lemma("1.4", "mutant: F2 = 2.02 / product layer is a 2-design", "symbolic d")
def test_lemma_1_4_mutant_rejected():
    """The claim F2 = 2·1.01 is rejected, and the product layer (F2 = 4 on two qubits) fails the
    2-design criterion F2 = 2."""
    assert frame_potential_haar(d) != sp.Rational(202, 100)
    assert frame_potential_haar(2) ** 2 != 2
