"""Tests for weingarten_check.calculus.brauer: the O(d) and Sp(d) Weingarten functions.

Every value is checked against independent routes: haarpy 0.1.1 (a brute-force sum over the
hyperoctahedral group), the exact inverse / Moore–Penrose pseudo-inverse of the pairing Gram
matrix (built here by summing over indices, not by the library's loop rule), the definition of the
zonal spherical function as an average over H_p, and the eigenvalue of the Gram matrix on the
(signed) all-ones vector.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import factorial, prod

import numpy as np
import pytest
import sympy

from weingarten_check.calculus.brauer import (
    MAX_PAIRING_ORDER,
    check_group,
    coset_representative,
    coset_type,
    coset_type_of_pairings,
    pairing_gram_matrix,
    pairing_sign,
    pairing_weingarten_matrix,
    pairings,
    weingarten_group,
    weingarten_group_all,
    weingarten_orthogonal,
    weingarten_symplectic,
    zonal_spherical_function,
)
from weingarten_check.calculus.limits import WorkLimitError
from weingarten_check.calculus.symmetric_group import centralizer_order, murnaghan_nakayama, partitions

haarpy = pytest.importorskip("haarpy")
Permutation = pytest.importorskip("sympy.combinatorics").Permutation

d = sympy.Symbol("d")
n_half = sympy.Symbol("n")


def _listing(m):
    """The permutation listing the pairs (a < b) of m in increasing order of a (an element of M_2p)."""
    seq = []
    for a in range(len(m)):
        if a < m[a]:
            seq += [a, m[a]]
    return seq


def _same(a, b):
    return sympy.cancel(sympy.sympify(a) - sympy.sympify(b)) == 0


# --------------------------------------------------------------------------- haarpy


def _check_against_haarpy(p):
    for rho in partitions(p):
        assert _same(weingarten_orthogonal(rho, d), haarpy.weingarten_orthogonal(rho, d)), ("O", rho)
        perm = Permutation(_listing(coset_representative(rho)))
        theirs = haarpy.weingarten_symplectic(perm, n_half).subs(n_half, d / 2)
        assert _same(weingarten_symplectic(rho, d), theirs), ("Sp", rho)


@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_every_coset_type_agrees_with_haarpy_symbolic(p):
    _check_against_haarpy(p)


@pytest.mark.slow
def test_every_coset_type_agrees_with_haarpy_symbolic_p5():
    _check_against_haarpy(5)


@pytest.mark.parametrize("p", [2, 3])
def test_integer_d_agrees_with_haarpy_also_below_the_order(p):
    # haarpy drops the vanishing Z_λ(1^d) terms too: the same pseudo-inverse, for d < p included
    for rho in partitions(p):
        perm = Permutation(_listing(coset_representative(rho)))
        for dv in range(1, 2 * p + 1):
            ours = weingarten_orthogonal(rho, dv)
            assert ours == sympy.Rational(haarpy.weingarten_orthogonal(rho, dv)), ("O", rho, dv)
        for nv in range(1, p + 2):
            ours = weingarten_symplectic(rho, 2 * nv)
            assert ours == sympy.Rational(haarpy.weingarten_symplectic(perm, nv)), ("Sp", rho, nv)


def test_symplectic_sign_convention_versus_haarpy():
    # ours reads σ as the pairing σ(e); haarpy's twisted function carries ε(σ): they differ by
    # ε(σ) ε_{σ(e)}, already at p = 1 for σ = (1, 0)
    assert weingarten_group("Sp", (1, 0), d) == 1 / d
    assert _same(haarpy.weingarten_symplectic(Permutation([1, 0]), n_half).subs(n_half, d / 2), -1 / d)
    rng = np.random.default_rng(5)
    for p in (2, 3):
        for _ in range(6):
            sigma = [int(x) for x in rng.permutation(2 * p)]
            perm = Permutation(sigma)
            ours = weingarten_group("Sp", sigma, d)
            theirs = haarpy.weingarten_symplectic(perm, n_half).subs(n_half, d / 2)
            m = [0] * (2 * p)
            for k in range(0, 2 * p, 2):
                m[sigma[k]], m[sigma[k + 1]] = sigma[k + 1], sigma[k]
            assert _same(theirs, perm.signature() * pairing_sign(tuple(m)) * ours), sigma


# --------------------------------------------------------------------------- the Gram matrix


def _gram_by_index_sum(group, p, dv):
    """G(m, n) = Σ_i B_m(i) B_n(i), B = δ (O) or J (Sp), summed over all d^{2p} index tuples."""
    ps = pairings(2 * p)
    if group == "O":
        form = np.eye(dv)
    else:
        h = dv // 2
        form = np.block([[np.zeros((h, h)), np.eye(h)], [-np.eye(h), np.zeros((h, h))]])
    vecs = []
    for m in ps:
        t = np.ones((dv,) * (2 * p))
        for a in range(2 * p):
            if a < m[a]:
                shape = [1] * (2 * p)
                shape[a] = shape[m[a]] = dv
                t = t * form.reshape(shape)
        vecs.append(t.ravel())
    v = np.array(vecs)
    return sympy.Matrix(np.rint(v @ v.T).astype(int).tolist())


@pytest.mark.parametrize(
    ("group", "p", "dims"), [("O", 2, (1, 2, 3)), ("O", 3, (1, 2, 3)), ("Sp", 2, (2, 4)), ("Sp", 3, (2, 4))]
)
def test_gram_matrix_loop_rule_is_the_index_sum(group, p, dims):
    for dv in dims:
        assert pairing_gram_matrix(group, p, dv) == _gram_by_index_sum(group, p, dv), (group, p, dv)


@pytest.mark.parametrize(
    ("group", "p"),
    [
        ("O", 1),
        ("O", 2),
        ("Sp", 1),
        ("Sp", 2),
        pytest.param("O", 3, marks=pytest.mark.slow),
        pytest.param("Sp", 3, marks=pytest.mark.slow),
    ],
)
def test_symbolic_weingarten_matrix_is_the_inverse_of_the_gram_matrix(group, p):
    g = pairing_gram_matrix(group, p, d)
    w = pairing_weingarten_matrix(group, p, d)
    assert (g * w).applyfunc(sympy.cancel) == sympy.eye(g.shape[0])


@pytest.mark.parametrize(("group", "dims"), [("O", (3, 4, 5, 9)), ("Sp", (6, 8))])
def test_symbolic_weingarten_matrix_at_p3_inverts_the_gram_matrix_at_integers(group, dims):
    # the symbolic rational functions, substituted at d >= p (O) or d >= 2p (Sp)
    w_sym = pairing_weingarten_matrix(group, 3, d)
    for dv in dims:
        assert _gram_by_index_sum(group, 3, dv) * w_sym.subs(d, dv) == sympy.eye(15), (group, dv)


@pytest.mark.parametrize(("group", "p", "dims"), [("O", 2, (1,)), ("O", 3, (1, 2)), ("Sp", 2, (2,)), ("Sp", 3, (2, 4))])
def test_integer_d_below_the_order_is_the_moore_penrose_pseudo_inverse(group, p, dims):
    # the four Penrose conditions, exactly; the Gram matrix is singular at these d
    for dv in dims:
        g = _gram_by_index_sum(group, p, dv)
        w = pairing_weingarten_matrix(group, p, dv)
        assert g.rank() < g.shape[0], (group, p, dv)
        assert g * w * g == g and w * g * w == w, (group, p, dv)
        assert (g * w).T == g * w and (w * g).T == w * g, (group, p, dv)


def _pairing_count(rho):
    """Pairings n with coset type ρ relative to e: |H_p| / z_{2ρ}."""
    p = sum(rho)
    return Fraction(2**p * factorial(p), 2 ** len(rho) * centralizer_order(rho))


@pytest.mark.parametrize("p", [1, 4, 6, pytest.param(8, marks=pytest.mark.slow)])
def test_row_sums_are_the_inverse_eigenvalue_of_the_signed_all_ones_vector(p):
    # Σ_n G^O(e, n) = d(d+2)…(d+2p-2): the all-ones vector is an eigenvector of G^O, so of its
    # inverse; for Sp the vector (ε_n) has eigenvalue d(d-2)…(d-2p+2).  Reaches p = 8.
    assert sum(_pairing_count(rho) for rho in partitions(p)) == prod(range(1, 2 * p, 2))
    for group, sign in (("O", 1), ("Sp", -1)):
        vals = weingarten_group_all(group, p, d)
        total = sum(sympy.Rational(_pairing_count(rho)) * v for rho, v in vals.items())
        assert _same(total, 1 / prod(d + sign * 2 * i for i in range(p))), (group, p)


# --------------------------------------------------------------------------- zonal spherical functions


def _hyperoctahedral(p):
    """H_p: the permutations of 0..2p-1 preserving the pairing e = {0,1}{2,3}…"""
    out = []
    for perm in itertools.permutations(range(p)):
        for flips in itertools.product((0, 1), repeat=p):
            g = [0] * (2 * p)
            for k in range(p):
                g[2 * k] = 2 * perm[k] + flips[k]
                g[2 * k + 1] = 2 * perm[k] + 1 - flips[k]
            out.append(tuple(g))
    return out


def _cycle_type(g):
    seen, out = set(), []
    for s in range(len(g)):
        if s not in seen:
            n, a = 0, s
            while a not in seen:
                seen.add(a)
                a = g[a]
                n += 1
            out.append(n)
    return tuple(sorted(out, reverse=True))


@pytest.mark.parametrize("p", [1, 2, 3])
def test_zonal_spherical_function_is_the_average_over_h_p(p):
    hp = _hyperoctahedral(p)
    for rho in partitions(p):
        sigma = _listing(coset_representative(rho))
        for lam in partitions(p):
            two_lam = tuple(2 * x for x in lam)
            direct = Fraction(
                sum(murnaghan_nakayama(two_lam, _cycle_type([sigma[z[a]] for a in range(2 * p)])) for z in hp), len(hp)
            )
            assert zonal_spherical_function(lam, rho) == direct, (lam, rho)


def test_coset_types_of_pairings_and_permutations():
    e = (1, 0, 3, 2, 5, 4)
    for rho in partitions(3):
        assert coset_type_of_pairings(e, coset_representative(rho)) == rho
        assert pairing_sign(coset_representative(rho)) == 1
    assert coset_type((0, 2, 1, 3)) == (2,)
    assert coset_type((3, 1)) == (3, 1)
    assert weingarten_orthogonal((0, 2, 1, 3), d) == weingarten_orthogonal((2,), d)


def test_small_values_from_first_principles():
    # p = 1: E[O_ij O_kl] = δ_ik δ_jl / d; p = 2: G = [[d², d, d], …] inverted by hand
    assert weingarten_orthogonal((1,), d) == 1 / d
    assert _same(weingarten_orthogonal((1, 1), d), (d + 1) / (d * (d - 1) * (d + 2)))
    assert _same(weingarten_orthogonal((2,), d), -1 / (d * (d - 1) * (d + 2)))
    assert _same(weingarten_symplectic((1, 1), d), (d - 1) / (d * (d - 2) * (d + 1)))


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="even for Sp"):
        weingarten_symplectic((1,), 3)
    with pytest.raises(ValueError, match="group must be one of U, O, Sp"):
        check_group("GL")
    with pytest.raises(ValueError, match="even number 2p"):
        weingarten_orthogonal((1, 0, 2), d)
    with pytest.raises(WorkLimitError, match="out of reach"):
        weingarten_orthogonal((MAX_PAIRING_ORDER + 1,), d)
    with pytest.raises(ValueError, match="permutation"):
        weingarten_orthogonal((2, 0), d)


def test_unitary_is_served_by_the_same_interface():
    from weingarten_check.calculus.unitary import weingarten_unitary

    assert weingarten_group("U", (2, 1), d) == weingarten_unitary((2, 1), d)
    assert weingarten_group_all("U", 3, 4) == {mu: weingarten_unitary(mu, 4) for mu in partitions(3)}
