"""Tests for Haar moment integrals: entries (E1), trace products (E2), the twirl (E3)."""

from __future__ import annotations

from functools import reduce
from itertools import permutations as all_perms

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from weingarten_check.calculus.symmetric_group import compose, inverse
from weingarten_check.calculus.unitary import weingarten
from weingarten_check.calculus.unitary_integrals import (
    Tr,
    haar_integral,
    permutation_operator,
    trace_moment,
    trace_moment_numeric,
    twirl,
)

d = sympy.Symbol("d")


def _is_zero(expr) -> bool:
    return sympy.cancel(sympy.together(expr)) == 0


def _brute_force(i, j, ic, jc, dim):
    """(E1) literally: the double sum over S_k × S_k."""
    k = len(i)
    total = 0
    for s in all_perms(range(k)):
        if any(i[a] != ic[s[a]] for a in range(k)):
            continue
        for t in all_perms(range(k)):
            if any(j[a] != jc[t[a]] for a in range(k)):
                continue
            total += weingarten(compose(t, inverse(s)), dim)
    return total


def _haar(dim, rng):
    z = (rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("k", range(1, 9))
def test_first_entry_moments(k):
    """E|U_11|^{2k} = 1/binom(d+k-1, k): |U_11|² is Beta(1, d-1) distributed."""
    val = haar_integral([0] * k, [0] * k, [0] * k, [0] * k, d)
    assert _is_zero(val - 1 / sympy.binomial(d + k - 1, k).expand(func=True))


def test_second_order_values():
    """E|U11|²|U22|² = 1/(d²-1) and E[U11 U22 conj(U12 U21)] = -1/(d(d²-1)) (from (E1) with
    Wg(1,1), Wg(2) of k = 2: one (σ, τ) pair each)."""
    assert _is_zero(haar_integral([0, 1], [0, 1], [0, 1], [0, 1], d) - 1 / (d**2 - 1))
    assert _is_zero(haar_integral([0, 1], [0, 1], [0, 1], [1, 0], d) + 1 / (d * (d**2 - 1)))


@pytest.mark.parametrize("k", range(2, 7))
def test_diagonal_product_matches_weingarten_identity(k):
    """E|U_11 U_22 ⋯ U_kk|² has distinct indices: exactly one (σ, τ) = (e, e), so it equals Wg(e, d)."""
    idx = list(range(k))
    assert _is_zero(haar_integral(idx, idx, idx, idx, d) - weingarten((1,) * k, d))


def test_unitarity_row_sum_symbolic():
    """Σ_j E[|U_1j|² |U_11|²] = E|U_11|² = 1/d: by exchangeability of columns j ≥ 2 this is
    E|U11|⁴ + (d-1) E|U11|²|U12|²."""
    lhs = haar_integral([0, 0], [0, 0], [0, 0], [0, 0], d) + (d - 1) * haar_integral([0, 0], [0, 1], [0, 0], [0, 1], d)
    assert _is_zero(lhs - 1 / d)


@pytest.mark.parametrize("dim", [2, 3, 4])
def test_unitarity_sums_concrete(dim):
    """Σ_j E[|U_1j|² |U_21|² |U_22|²] = E[|U_21|² |U_22|²] (row 1 has unit norm), literally summed."""
    lhs = sum(haar_integral([0, 1, 1], [j, 0, 1], [0, 1, 1], [j, 0, 1], dim) for j in range(dim))
    assert lhs == haar_integral([1, 1], [0, 1], [1, 1], [0, 1], dim)


@pytest.mark.parametrize("k", range(1, 5))
def test_u1(k):
    """d = 1: |U|^{2k} = 1."""
    assert haar_integral([0] * k, [0] * k, [0] * k, [0] * k, 1) == 1


def test_unbalanced_or_mismatched_is_zero():
    assert haar_integral([0], [0], [], [], d) == 0
    assert haar_integral([0, 1], [0, 0], [0, 0], [0, 0], 3) == 0


# --------------------------------------------------------------------------- against brute force and haarpy

index_case = st.integers(1, 4).flatmap(
    lambda k: st.tuples(
        st.lists(st.integers(0, 2), min_size=k, max_size=k),
        st.lists(st.integers(0, 2), min_size=k, max_size=k),
        st.permutations(range(k)),
        st.permutations(range(k)),
    )
)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(index_case, st.sampled_from([3, 4, 6]))
def test_matches_brute_force_double_sum(case, dim):
    i, j, p, q = case
    ic = [i[a] for a in p]
    jc = [j[a] for a in q]
    assert haar_integral(i, j, ic, jc, dim) == _brute_force(i, j, ic, jc, dim)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(index_case, st.permutations(range(3)), st.permutations(range(3)), st.sampled_from([3, 5]))
def test_relabelling_invariance(case, row_map, col_map, dim):
    """Relabelling rows (or columns) consistently in U and conj(U), or reordering the factors,
    does not change the integral (left/right invariance of Haar measure by permutation matrices)."""
    i, j, p, q = case
    ic = [i[a] for a in p]
    jc = [j[a] for a in q]
    base = haar_integral(i, j, ic, jc, dim)
    assert haar_integral([row_map[x] for x in i], j, [row_map[x] for x in ic], jc, dim) == base
    assert haar_integral(i, [col_map[x] for x in j], ic, [col_map[x] for x in jc], dim) == base
    order = list(reversed(range(len(i))))
    assert haar_integral([i[a] for a in order], [j[a] for a in order], ic, jc, dim) == base
    # the integral is real: swapping U and conj(U) conjugates it
    assert haar_integral(ic, jc, i, j, dim) == base


@pytest.mark.parametrize(
    "i,j,ic,jc",
    [
        ((0, 1, 2), (0, 0, 1), (0, 1, 2), (0, 1, 0)),
        ((0, 0, 1), (0, 1, 1), (1, 0, 0), (1, 0, 1)),
        ((0, 1, 0, 1), (0, 0, 1, 1), (0, 0, 1, 1), (1, 0, 1, 0)),
    ],
)
def test_agrees_with_haarpy(i, j, ic, jc):
    haarpy = pytest.importorskip("haarpy")
    hd = sympy.Symbol("d")
    theirs = haarpy.haar_integral_unitary((i, j), (ic, jc), hd)
    assert _is_zero(haar_integral(i, j, ic, jc, hd) - theirs)
    for dim in (3, 5):
        t = haarpy.haar_integral_unitary((i, j), (ic, jc), dim)
        assert haar_integral(i, j, ic, jc, dim) == sympy.Rational(t.numerator, t.denominator)


def test_monte_carlo_agreement():
    """Exact values vs 40 000 exact Haar samples (QR with phase fix, seed 2024); tolerance 5 standard errors."""
    rng = np.random.default_rng(2024)
    dim, n = 3, 40_000
    samples = np.array([_haar(dim, rng) for _ in range(n)])
    u = samples
    cases = {
        "E|U11|^4": (np.abs(u[:, 0, 0]) ** 4, haar_integral([0, 0], [0, 0], [0, 0], [0, 0], dim)),
        "E|U11|^2|U22|^2": (np.abs(u[:, 0, 0] * u[:, 1, 1]) ** 2, haar_integral([0, 1], [0, 1], [0, 1], [0, 1], dim)),
        "E U11 U22 conj(U12 U21)": (
            (u[:, 0, 0] * u[:, 1, 1] * np.conj(u[:, 0, 1] * u[:, 1, 0])).real,
            haar_integral([0, 1], [0, 1], [0, 1], [1, 0], dim),
        ),
        "E|U11|^6": (np.abs(u[:, 0, 0]) ** 6, haar_integral([0] * 3, [0] * 3, [0] * 3, [0] * 3, dim)),
    }
    for name, (vals, exact) in cases.items():
        se = vals.std(ddof=1) / np.sqrt(n)
        assert abs(vals.mean() - float(exact)) < 5 * se, name


# --------------------------------------------------------------------------- trace moments

A, B, C, X, Y, Z = sympy.symbols("A B C X Y Z", commutative=False)


def test_trace_moment_first_order():
    assert _is_zero(trace_moment([A], [X], d) - Tr(A) * Tr(X) / d)


def test_trace_moment_second_order_formula():
    """The second-moment formula of the notes, for arbitrary operators A, B, X, Y."""
    expected = (Tr(A) * Tr(B) * Tr(X) * Tr(Y) + Tr(A, B) * Tr(X, Y)) / (d**2 - 1) - (
        Tr(A, B) * Tr(X) * Tr(Y) + Tr(A) * Tr(B) * Tr(X, Y)
    ) / (d * (d**2 - 1))
    assert _is_zero(trace_moment([A, B], [X, Y], d) - expected)


def test_tr_is_cyclic():
    assert Tr(B, C, A) == Tr(A, B, C)
    assert Tr(C, B, A) != Tr(A, B, C)
    assert str(Tr(A, B)) == "tr(A*B)"


def test_trace_moment_identity_and_scalars():
    """tr(1 · V X V^†) = tr X, and scalars factor out."""
    assert _is_zero(trace_moment([1], [X], d) - Tr(X))
    assert _is_zero(trace_moment([3 * A], [X], d) - 3 * Tr(A) * Tr(X) / d)


def _random_matrices(rng, dim, count):
    return [rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim)) for _ in range(count)]


def _substitute_traces(expr, mats):
    """Replace every Tr(word) by the numeric trace of the product of the matching matrices."""
    reps = {}
    for t in expr.atoms(Tr):
        prod = reduce(np.matmul, [mats[str(s)] for s in t.args])
        reps[t] = complex(np.trace(prod))
    return complex(expr.xreplace(reps).evalf())


@pytest.mark.parametrize("dim", [2, 3])
def test_symbolic_trace_moment_k3_agrees_with_numeric_and_twirl(dim):
    """k = 3 with noncommuting matrices (cycle orientation matters): abstract formula at integer d,
    concrete formula, and tr((A⊗B⊗C) twirl(X⊗Y⊗Z)) agree; d = 2 < k exercises the pseudo-inverse."""
    rng = np.random.default_rng(7)
    ms = dict(zip("ABCXYZ", _random_matrices(rng, dim, 6)))
    sym = _substitute_traces(trace_moment([A, B, C], [X, Y, Z], dim), ms)
    num = trace_moment_numeric([ms["A"], ms["B"], ms["C"]], [ms["X"], ms["Y"], ms["Z"]])
    tw = np.trace(reduce(np.kron, [ms["A"], ms["B"], ms["C"]]) @ twirl(reduce(np.kron, [ms["X"], ms["Y"], ms["Z"]]), 3))
    assert np.isclose(sym, num, rtol=1e-10)
    assert np.isclose(num, tw, rtol=1e-10)


def test_trace_moment_numeric_monte_carlo():
    """k = 3, d = 2 against 100 000 Haar samples (seed 11), 5 standard errors per real/imag part."""
    rng = np.random.default_rng(11)
    dim, n = 2, 100_000
    As = _random_matrices(rng, dim, 3)
    Xs = _random_matrices(rng, dim, 3)
    vals = np.empty(n, dtype=complex)
    for s in range(n):
        v = _haar(dim, rng)
        vals[s] = np.prod([np.trace(a @ v @ x @ v.conj().T) for a, x in zip(As, Xs)])
    exact = trace_moment_numeric(As, Xs)
    se_re = vals.real.std(ddof=1) / np.sqrt(n)
    se_im = vals.imag.std(ddof=1) / np.sqrt(n)
    assert abs(vals.real.mean() - exact.real) < 5 * se_re
    assert abs(vals.imag.mean() - exact.imag) < 5 * se_im


@pytest.mark.parametrize("dim,k", [(2, 2), (2, 3), (3, 2)])
def test_twirl_is_invariant_projection(dim, k):
    """The twirl commutes with V^{⊗k}, is idempotent, and preserves tr(P_π^† X) for every π."""
    rng = np.random.default_rng(3)
    X = _random_matrices(rng, dim**k, 1)[0]
    T = twirl(X, k)
    V = reduce(np.kron, [_haar(dim, rng)] * k)
    assert np.allclose(V @ T @ V.conj().T, T, atol=1e-10)
    assert np.allclose(twirl(T, k), T, atol=1e-10)
    for p in all_perms(range(k)):
        P = permutation_operator(p, dim)
        assert np.isclose(np.trace(P.conj().T @ T), np.trace(P.conj().T @ X))


def test_permutation_operator_moves_factors():
    a, b = np.array([1.0, 0]), np.array([0, 1.0])
    assert np.allclose(permutation_operator((1, 0), 2) @ np.kron(a, b), np.kron(b, a))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args,exc,match",
    [
        (([0, 0], [0], [0, 0], [0, 0], 3), ValueError, "i and j must have the same length"),
        (([0], [0], [0, 0], [0], 3), ValueError, "i_conj and j_conj"),
        (([0, 3], [0, 0], [0, 3], [0, 0], 3), ValueError, "index >= d"),
        (([-1], [0], [-1], [0], 3), ValueError, "nonnegative"),
        (([0], [0], [0], [0], 0), ValueError, "d must be >= 1"),
        (("0", [0], [0], [0], 3), TypeError, "sequence"),
    ],
)
def test_haar_integral_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        haar_integral(*args)


def test_trace_moment_bad_input():
    with pytest.raises(ValueError, match="same length"):
        trace_moment([A, B], [X], d)
    with pytest.raises(ValueError, match="square matrices"):
        trace_moment_numeric([np.eye(2)], [np.eye(3)])
    with pytest.raises(ValueError, match="k-th power"):
        twirl(np.eye(5), 2)
