"""Tests for the Weingarten function Wg(σ, d) of U(d)."""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations as all_perms

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.combinatorics import Permutation

from weingarten_check.calculus.symmetric_group import compose, cycle_type, inverse, partitions
from weingarten_check.calculus.unitary import (
    gram_matrix,
    weingarten,
    weingarten_all_classes,
    weingarten_class,
    weingarten_matrix,
)

d = sympy.Symbol("d")


def _is_zero(expr) -> bool:
    return sympy.cancel(sympy.together(expr)) == 0


# --------------------------------------------------------------------------- closed forms


def test_order_one():
    """k = 1: E|U_11|^2 = Wg(e) and U e_1 is a unit vector with exchangeable |entries|^2, so Wg(e) = 1/d."""
    assert _is_zero(weingarten((1,), d) - 1 / d)


def test_order_two_closed_form():
    """k = 2: the Gram matrix on S_2 is G = [[d², d], [d, d²]]; its inverse is
    [[d², -d], [-d, d²]] / (d⁴ - d²), so Wg(1,1) = 1/(d²-1) and Wg(2) = -1/(d(d²-1))."""
    assert _is_zero(weingarten((1, 1), d) - 1 / (d**2 - 1))
    assert _is_zero(weingarten((2,), d) + 1 / (d * (d**2 - 1)))


def test_order_three_closed_form():
    """k = 3: Wg = Σ_λ χ_λ/(H_λ C_λ) over λ = (3), (2,1), (1,1,1) with H = 6, 3, 6 and
    C_(3) = d(d+1)(d+2), C_(2,1) = d(d+1)(d-1), C_(1,1,1) = d(d-1)(d-2). Characters (S_3 table):
    (1,1,1): 1, 2, 1 → Wg = (d²-2)/(d(d²-1)(d²-4));
    (2,1):   1, 0,-1 → Wg = -1/((d²-1)(d²-4));
    (3):     1,-1, 1 → Wg = 2/(d(d²-1)(d²-4))."""
    den = d * (d**2 - 1) * (d**2 - 4)
    assert _is_zero(weingarten((1, 1, 1), d) - (d**2 - 2) / den)
    assert _is_zero(weingarten((2, 1), d) + d / den)
    assert _is_zero(weingarten((3,), d) - 2 / den)


@pytest.mark.parametrize("k", range(1, 9))
def test_sum_over_group_gives_moment_of_first_entry(k):
    """E|U_11|^{2k} = Σ_{σ,τ} Wg(τσ^{-1}) = k! Σ_μ |C_μ| Wg(μ), and |U_11|² ~ Beta(1, d-1),
    whose k-th moment is k!(d-1)!/(d+k-1)! = 1/binom(d+k-1, k)."""
    from weingarten_check.calculus.symmetric_group import class_size

    total = sympy.factorial(k) * sum(class_size(mu) * wg for mu, wg in weingarten_all_classes(k, d).items())
    assert _is_zero(total - 1 / sympy.binomial(d + k - 1, k).expand(func=True))


@pytest.mark.parametrize("k", range(1, 5))
def test_unitary_group_u1(k):
    """d = 1: U = e^{iθ}, |U|^{2k} = 1, so Σ_{σ,τ} Wg(τσ^{-1}, 1) = 1; only λ = (k) contributes,
    giving Wg(μ, 1) = 1/(k!)² for every μ."""
    for mu in partitions(k):
        assert weingarten(mu, 1) == sympy.Rational(1, sympy.factorial(k) ** 2)


# --------------------------------------------------------------------------- orthogonality


def _group_convolution(f, g, k):
    """(f * g)(ρ) = Σ_τ f(τ) g(τ^{-1} ρ) for class functions given on cycle types."""
    perms = [tuple(p) for p in all_perms(range(k))]
    out = {}
    for mu in partitions(k):
        rho = _rep(mu)
        out[mu] = sum(f(cycle_type(t)) * g(cycle_type(compose(inverse(t), rho))) for t in perms)
    return out


def _rep(mu):
    perm, start = [], 0
    for part in mu:
        block = list(range(start, start + part))
        perm.extend(block[1:] + block[:1])
        start += part
    out = [0] * sum(mu)
    for a, b in zip(range(sum(mu)), perm):
        out[a] = b
    return tuple(out)


@pytest.mark.parametrize("k", range(1, 7))
def test_weingarten_inverts_gram_symbolic(k):
    """W·G = I on S_k for symbolic d. Both matrices are convolutions by class functions
    (W(σ,τ) = Wg(σ^{-1}τ), G(σ,τ) = d^{#(σ^{-1}τ)}), so (W·G)(σ,ρ) = (Wg * g)(σ^{-1}ρ) and it
    suffices that the class function Wg * g is the delta at the identity, checked on every class."""
    conv = _group_convolution(lambda mu: weingarten_class(mu, d), lambda mu: d ** len(mu), k)
    for mu, value in conv.items():
        expected = 1 if mu == (1,) * k else 0
        assert _is_zero(value - expected), mu


def test_full_matrices_k3():
    assert (gram_matrix(3, d) * weingarten_matrix(3, d)).applyfunc(sympy.cancel) == sympy.eye(6)


@pytest.mark.parametrize("k,dim", [(2, 1), (3, 1), (3, 2), (4, 1), (4, 2), (4, 3), (5, 2), (5, 4)])
def test_pseudo_inverse_for_small_integer_d(k, dim):
    """d < k: the Gram matrix is singular; Wg restricted to ℓ(λ) ≤ d is its Moore–Penrose inverse
    (Collins & Matsumoto 2017): W G W = W and G W G = G (both symmetric). Exact rationals."""
    wg = {mu: Fraction(int(weingarten(mu, dim).p), int(weingarten(mu, dim).q)) for mu in partitions(k)}
    g = {mu: Fraction(dim ** len(mu)) for mu in partitions(k)}
    wgm = _group_convolution(wg.get, g.get, k)  # class functions commute: W G = G W
    assert _group_convolution(wgm.get, wg.get, k) == wg
    assert _group_convolution(wgm.get, g.get, k) == g
    # and it is NOT the (nonexistent) inverse: W G is a proper projection, not the identity
    assert wgm[(1,) * k] != 1


def test_integer_d_at_least_k_matches_symbolic():
    for k in range(1, 8):
        for mu in partitions(k):
            sym = weingarten(mu, d)
            for dim in (k, k + 1, 11):
                assert sym.subs(d, dim) == weingarten(mu, dim)


def test_symbolic_must_not_be_substituted_below_k_but_integer_is_right():
    """The generic rational function has a pole at d = 2 for k = 3; the integer call is finite:
    with d = 2 only λ = (3) and (2,1) have ≤ 2 rows, χ_(2,1)((2,1)) = 0, and λ = (3) gives
    χ/(H·C) = 1/(6 · 2·3·4) = 1/144."""
    assert sympy.simplify(weingarten((2, 1), d).subs(d, 2)) in (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan)
    assert weingarten((2, 1), 2) == sympy.Rational(1, 144)


def test_results_are_exact_types():
    assert isinstance(weingarten((2, 1), 5), sympy.Rational)
    expr = weingarten((3, 1), d)
    num, den = sympy.fraction(sympy.together(expr))
    assert sympy.Poly(num, d).domain.is_Exact and sympy.Poly(den, d).domain.is_Exact
    assert sympy.gcd(num, den) == 1  # lowest terms


# --------------------------------------------------------------------------- haarpy cross-check


@pytest.mark.parametrize("k", range(1, 6))
def test_agrees_with_haarpy(k):
    """Independent implementation: haarpy 0.1.1 (character sum via sympy), symbolic and integer d."""
    haarpy = pytest.importorskip("haarpy")
    hd = sympy.Symbol("d")
    for mu in partitions(k):
        assert _is_zero(weingarten(mu, hd) - haarpy.weingarten_unitary(mu, hd)), mu
        for dim in (1, 2, 3, 4, 7):
            theirs = haarpy.weingarten_unitary(mu, dim)
            assert weingarten(mu, dim) == sympy.Rational(theirs.numerator, theirs.denominator), (mu, dim)


# --------------------------------------------------------------------------- invariances


perm_strategy = st.integers(1, 6).flatmap(lambda k: st.tuples(st.permutations(range(k)), st.permutations(range(k))))


@settings(max_examples=40, derandomize=True, deadline=None)
@given(perm_strategy, st.sampled_from([2, 3, 5, 8]))
def test_class_function_and_inverse(pair, dim):
    s, t = (tuple(x) for x in pair)
    conj = compose(compose(t, s), inverse(t))
    assert weingarten(s, dim) == weingarten(conj, dim)
    assert weingarten(s, dim) == weingarten(inverse(s), dim)
    assert weingarten(Permutation(list(s)), dim) == weingarten(cycle_type(s), dim)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "sigma,dim,exc,match",
    [
        ((1, 1), 0, ValueError, "d must be >= 1"),
        ((1, 1), -3, ValueError, "d must be >= 1"),
        ((1, 1), 2.5, TypeError, "positive integer or a sympy Symbol"),
        ((1, 1), "d", TypeError, "positive integer or a sympy Symbol"),
        ((1, 1), True, TypeError, "bool"),
        ((1, 1), d + 1, TypeError, "single sympy Symbol"),
        ((0, 0), 3, ValueError, "sigma must be a permutation"),
        ((2, 3, 0), 3, ValueError, "sigma must be a permutation"),
        ("ab", 3, TypeError, "sigma"),
    ],
)
def test_bad_input(sigma, dim, exc, match):
    with pytest.raises(exc, match=match):
        weingarten(sigma, dim)


def test_negative_symbol_rejected():
    with pytest.raises(ValueError, match="d must be a positive integer"):
        weingarten((1,), sympy.Symbol("x", negative=True))
