"""Tests for weingarten_check.calculus.brauer_integrals: Haar integrals over O(d) and Sp(d).

Independent routes: haarpy 0.1.1's integrals, Monte Carlo with fixed seeds at 5 standard errors
(exact samplers of states/sampling.py), and the twirl against the abstract trace moment.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from weingarten_check.calculus.brauer_integrals import (
    brauer_operator,
    haar_integral_group,
    haar_integral_orthogonal,
    haar_integral_symplectic,
    trace_moment_orthogonal,
    trace_moment_orthogonal_numeric,
    transpose_symbol,
    twirl_orthogonal,
)
from weingarten_check.calculus.limits import WorkLimitError
from weingarten_check.calculus.unitary_integrals import Tr
from weingarten_check.states.sampling import haar_orthogonal, haar_symplectic

haarpy = pytest.importorskip("haarpy")

d = sympy.Symbol("d")
N_MC = 20000
Z = 5.0

O_MONOMIALS = [
    ((0, 0, 0, 0), (0, 0, 0, 0)),
    ((0, 0, 1, 1), (0, 1, 0, 1)),
    ((0, 1, 0, 1), (0, 0, 1, 1)),
    ((0, 0, 1, 1), (0, 0, 1, 1)),
    ((0, 0, 1, 1, 2, 2), (0, 2, 2, 1, 1, 0)),
    ((0, 0, 0, 0, 1, 1), (0, 0, 1, 1, 0, 0)),
]


@pytest.mark.parametrize(("i", "j"), O_MONOMIALS)
def test_orthogonal_monomials_agree_with_haarpy(i, j):
    assert sympy.cancel(haar_integral_orthogonal(i, j, d) - haarpy.haar_integral_orthogonal((i, j), d)) == 0
    for dv in range(max(i + j) + 1, 5):
        assert haar_integral_orthogonal(i, j, dv) == sympy.Rational(haarpy.haar_integral_orthogonal((i, j), dv))


SP_MONOMIALS = [
    ((0, 2), (0, 2)),
    ((0, 2), (2, 0)),
    ((0, 2), (1, 3)),
    ((0, 0), (2, 2)),
    ((0, 2, 1, 3), (0, 2, 1, 3)),
    ((0, 0, 2, 2), (0, 2, 0, 2)),
    ((0, 2, 0, 2), (1, 3, 1, 3)),
    ((0, 1, 2, 3), (0, 2, 1, 3)),
]


@pytest.mark.parametrize(("i", "j"), SP_MONOMIALS)
def test_symplectic_monomials_agree_with_haarpy(i, j):
    # haarpy's integral sums its (twisted) Wg over representatives in M_2p: our sign there
    for nv in (2, 3):
        assert haar_integral_symplectic(i, j, 2 * nv) == sympy.Rational(haarpy.haar_integral_symplectic((i, j), nv)), nv
    pairs_i = [(x % 2, x // 2) for x in i]
    pairs_j = [(x % 2, x // 2) for x in j]
    n = sympy.Symbol("n")
    sym_i = tuple(x % 2 if x < 2 else n + x % 2 for x in i)
    sym_j = tuple(x % 2 if x < 2 else n + x % 2 for x in j)
    theirs = haarpy.haar_integral_symplectic((sym_i, sym_j), n).subs(n, d / 2)
    assert sympy.cancel(haar_integral_symplectic(pairs_i, pairs_j, d) - theirs) == 0


def _mc(samples, fn):
    vals = np.array([fn(u) for u in samples])
    return vals.mean(), vals.std(ddof=1) / np.sqrt(len(vals))


@pytest.fixture(scope="module")
def orthogonal_samples():
    rng = np.random.default_rng(20261205)
    return [haar_orthogonal(3, rng) for _ in range(N_MC)]


@pytest.fixture(scope="module")
def symplectic_samples():
    rng = np.random.default_rng(20261206)
    return [haar_symplectic(4, rng) for _ in range(N_MC // 2)]


@pytest.mark.parametrize(("i", "j"), O_MONOMIALS)
def test_orthogonal_monomials_agree_with_monte_carlo(orthogonal_samples, i, j):
    exact = float(haar_integral_orthogonal(i, j, 3))
    mean, se = _mc(orthogonal_samples, lambda o: np.prod([o[a, b] for a, b in zip(i, j)]))
    assert abs(mean - exact) < Z * se + 1e-12, (mean, se, exact)


@pytest.mark.parametrize(("i", "j"), SP_MONOMIALS)
def test_symplectic_monomials_agree_with_monte_carlo(symplectic_samples, i, j):
    exact = complex(haar_integral_symplectic(i, j, 4))
    for part in (np.real, np.imag):
        mean, se = _mc(symplectic_samples, lambda u, part=part: part(np.prod([u[a, b] for a, b in zip(i, j)])))
        assert abs(mean - part(exact)) < Z * se + 1e-12, (mean, se, exact)


def test_monte_carlo_rejects_a_wrong_sign(symplectic_samples):
    # the check above has power: the opposite sign of E[U_00 U_22] = J[0,2] J[0,2]/d is far off
    mean, se = _mc(symplectic_samples, lambda u: np.real(u[0, 0] * u[2, 2]))
    exact = float(haar_integral_symplectic((0, 2), (0, 2), 4))
    assert exact == 0.25 and abs(mean + exact) > 50 * se


@pytest.mark.parametrize(
    ("i", "j", "ic", "jc"),
    [((0,), (0,), (0,), (0,)), ((0, 1), (0, 1), (0, 1), (0, 1)), ((0, 2), (0, 0), (1,) * 2, (1,) * 2)],
)
def test_conjugate_factors_over_each_group_agree_with_monte_carlo(symplectic_samples, orthogonal_samples, i, j, ic, jc):
    for group, samples, dv in (("Sp", symplectic_samples, 4), ("O", orthogonal_samples, 3)):
        exact = complex(haar_integral_group(group, i, j, dv, ic, jc))

        def f(u):
            return np.prod([u[a, b] for a, b in zip(i, j)]) * np.prod([np.conj(u[a, b]) for a, b in zip(ic, jc)])

        mean, se = _mc(samples, lambda u: np.real(f(u)))
        assert abs(mean - exact.real) < Z * se + 1e-12, (group, mean, se, exact)


def test_unitary_goes_through_haar_integral():
    assert haar_integral_group("U", [0, 0], [0, 0], 3, [0, 0], [0, 0]) == sympy.Rational(1, 6)


# --------------------------------------------------------------------------- trace moments and the twirl


def _evaluate(expr, mats):
    """Replace each Tr(word) by the numeric trace (``Aᵀ`` the transpose of ``A``) and d by the size."""

    def mat(sym):
        name = str(sym)
        return mats[name[:-1]].T if name.endswith("ᵀ") else mats[name]

    size = next(iter(mats.values())).shape[0]
    subs = {d: sympy.Integer(size)}
    for t in expr.atoms(Tr):
        m = np.eye(size)
        for s in t.args:
            m = m @ mat(s)
        subs[t] = sympy.Float(float(np.trace(m)), 30)
    return complex(expr.xreplace(subs))


@pytest.mark.parametrize("k", [1, 2])
def test_trace_moment_symbolic_agrees_with_the_twirl(k):
    rng = np.random.default_rng(7)
    syms = sympy.symbols("A0 A1 X0 X1", commutative=False)
    mats = {str(s): rng.standard_normal((3, 3)) for s in syms}
    sym = trace_moment_orthogonal(list(syms[:k]), list(syms[2 : 2 + k]), d)
    num = trace_moment_orthogonal_numeric([mats[f"A{a}"] for a in range(k)], [mats[f"X{a}"] for a in range(k)])
    assert abs(_evaluate(sym, mats) - num) < 1e-9


def test_second_moment_has_the_three_brauer_elements():
    # E[tr(A O X O^T)^2]: the pairings {01}{23}, {02}{13}, {03}{12} of the four entries give
    # tr(A)², tr(A A) and tr(A Aᵀ) (the last absent over U(d), where only two permutations exist)
    A, X = sympy.symbols("A X", commutative=False)
    res = sympy.expand(trace_moment_orthogonal([A, A], [X, X], d))
    At = transpose_symbol(A)
    traces = {t for t in res.atoms(Tr) if X not in t.args and transpose_symbol(X) not in t.args}
    assert traces == {Tr(A), Tr(A, A), Tr(A, At)}


def test_twirl_k2_is_the_orthogonal_projection_onto_the_brauer_span():
    rng = np.random.default_rng(11)
    dv = 3
    x = rng.standard_normal((dv * dv, dv * dv))
    t = twirl_orthogonal(x, 2)
    basis = [brauer_operator(m, dv) for m in ((2, 3, 0, 1), (3, 2, 1, 0), (1, 0, 3, 2))]  # 1, SWAP, d|Φ+><Φ+|
    gram = np.array([[np.sum(a * b) for b in basis] for a in basis])
    coef = np.linalg.solve(gram, [np.sum(b * x) for b in basis])
    assert np.allclose(t, sum(c * b for c, b in zip(coef, basis)))
    o = haar_orthogonal(dv, 3)
    oo = np.kron(o, o)
    assert np.allclose(oo @ t @ oo.T, t)


def test_twirl_k2_agrees_with_monte_carlo(orthogonal_samples):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((9, 9))
    t = twirl_orthogonal(x, 2)
    vals = np.array([np.kron(o, o) @ x @ np.kron(o, o).T for o in orthogonal_samples[:20000]])
    mean, se = vals.mean(axis=0), vals.std(axis=0, ddof=1) / np.sqrt(len(vals))
    assert np.all(np.abs(mean - t) < Z * se + 1e-12)


def test_fourth_moment_k4_agrees_with_the_twirl():
    # E[tr(A O X O^T)^4] over O(4): the abstract route (105² Brauer pairs, symbolic d, valid for
    # d >= 4) against tr(A^⊗4 · twirl(X^⊗4)) (the projection onto the 105 Brauer operators)
    rng = np.random.default_rng(17)
    A, X = sympy.symbols("A X", commutative=False)
    mats = {"A": rng.standard_normal((4, 4)), "X": rng.standard_normal((4, 4))}
    sym = trace_moment_orthogonal([A] * 4, [X] * 4, d)
    num = trace_moment_orthogonal_numeric([mats["A"]] * 4, [mats["X"]] * 4)
    assert abs(_evaluate(sym, mats) - num) < 1e-9 * max(1.0, abs(num))


@pytest.mark.slow
def test_twirl_k4_agrees_with_the_trace_moment_k4_distinct_operators():
    # k = 4 with eight distinct operators (11 025 trace monomials) at d = 2
    rng = np.random.default_rng(17)
    syms = sympy.symbols("A0 A1 A2 A3 X0 X1 X2 X3", commutative=False)
    mats = {str(s): rng.standard_normal((2, 2)) for s in syms}
    sym = trace_moment_orthogonal(list(syms[:4]), list(syms[4:]), 2)
    num = trace_moment_orthogonal_numeric([mats[f"A{a}"] for a in range(4)], [mats[f"X{a}"] for a in range(4)])
    assert abs(_evaluate(sym, mats) - num) < 1e-9 * max(1.0, abs(num))


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        haar_integral_orthogonal([0, 1], [0], 3)
    with pytest.raises(ValueError, match="index >= d"):
        haar_integral_orthogonal([0, 3], [0, 0], 3)
    with pytest.raises(ValueError, match="even for Sp"):
        haar_integral_symplectic([0, 1], [0, 1], 3)
    with pytest.raises(ValueError, match="pairs"):
        haar_integral_symplectic([0, 1], [0, 1], d)
    with pytest.raises(ValueError, match="k must be"):
        twirl_orthogonal(np.eye(4), 7)
    with pytest.raises(WorkLimitError):
        haar_integral_orthogonal([0] * 34, [0] * 34, d)
    assert haar_integral_orthogonal([0], [0], d) == 0
