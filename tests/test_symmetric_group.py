"""Tests for the symmetric-group layer (partitions, classes, Murnaghan–Nakayama characters)."""

from __future__ import annotations

from math import factorial

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.combinatorics import Permutation

from weingarten_check.calculus.symmetric_group import (
    as_permutation,
    character,
    character_table,
    class_size,
    compose,
    contents,
    cycle_type,
    dimension,
    hook_product,
    inverse,
    partitions,
)


@pytest.mark.parametrize("k", range(0, 16))
def test_number_of_partitions(k):
    assert len(partitions(k)) == sympy.functions.combinatorial.numbers.partition(k)
    assert len(set(partitions(k))) == len(partitions(k))
    assert all(sum(p) == k and list(p) == sorted(p, reverse=True) for p in partitions(k))


@pytest.mark.parametrize("k", range(1, 9))
def test_class_sizes_sum_to_factorial(k):
    assert sum(class_size(mu) for mu in partitions(k)) == factorial(k)


@pytest.mark.parametrize("k", range(1, 9))
def test_character_orthogonality(k):
    """Row and column orthogonality of the character table (Sagan, Thm 1.9.3 and 1.10.3)."""
    parts = partitions(k)
    table = character_table(k)
    sizes = [class_size(mu) for mu in parts]
    for a in range(len(parts)):
        for b in range(len(parts)):
            row = sum(s * table[a][c] * table[b][c] for c, s in enumerate(sizes))
            assert row == (factorial(k) if a == b else 0)
            col = sum(table[r][a] * table[r][b] for r in range(len(parts)))
            assert col * sizes[a] == (factorial(k) if a == b else 0)


@pytest.mark.parametrize("k", range(1, 10))
def test_dimension_is_character_at_identity_and_sum_of_squares(k):
    parts = partitions(k)
    ident = (1,) * k
    assert all(dimension(lam) == character(lam, ident) for lam in parts)
    assert sum(dimension(lam) ** 2 for lam in parts) == factorial(k)


def test_known_character_table_s3():
    # rows (3), (2,1), (1,1,1); columns (3), (2,1), (1,1,1): trivial, standard, sign
    assert character_table(3) == ((1, 1, 1), (-1, 0, 2), (1, -1, 1))


@pytest.mark.parametrize("k", range(1, 8))
def test_characters_agree_with_haarpy(k):
    haarpy = pytest.importorskip("haarpy")
    for lam in partitions(k):
        for mu in partitions(k):
            assert character(lam, mu) == haarpy.murn_naka_rule(lam, mu)


@pytest.mark.parametrize("k", range(1, 7))
def test_schur_weyl_dimension_count(k):
    """Σ_λ χ_λ(1) s_λ(1^d) = d^k (Schur–Weyl duality), with s_λ(1^d) = Π(d+c)/H_λ (hook–content)."""
    d = sympy.Symbol("d")
    total = sum(
        dimension(lam) * sympy.Mul(*[d + c for c in contents(lam)]) / hook_product(lam) for lam in partitions(k)
    )
    assert sympy.expand(total - d**k) == 0


def test_cycle_type_and_permutation_forms():
    assert cycle_type((1, 0, 2)) == (2, 1)
    assert cycle_type(Permutation([[0, 2, 1]], size=4)) == (3, 1)
    assert cycle_type(()) == ()
    assert as_permutation(Permutation(2)(0, 1)) == (1, 0, 2)


@pytest.mark.parametrize("bad", [(0, 0, 1), (1, 2, 3), (0, 1.5)])
def test_bad_permutation_is_rejected(bad):
    with pytest.raises(ValueError, match="sigma"):
        as_permutation(bad)


def test_bad_partition_is_rejected():
    with pytest.raises(ValueError, match="lam and mu"):
        character((2, 1), (2, 2))
    with pytest.raises(ValueError, match="positive"):
        character((2, 0), (1, 1))
    with pytest.raises(TypeError, match="sigma"):
        as_permutation("012")


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.integers(1, 7).flatmap(lambda k: st.tuples(st.permutations(range(k)), st.permutations(range(k)))))
def test_cycle_type_is_conjugation_invariant(pair):
    s, t = (tuple(x) for x in pair)
    assert cycle_type(compose(compose(t, s), inverse(t))) == cycle_type(s)
    assert cycle_type(inverse(s)) == cycle_type(s)
