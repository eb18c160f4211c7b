"""The Weingarten function of the unitary group U(d), exactly.

Character expansion (Collins 2003; Collins & Śniady 2006, Prop. 2.3)::

    Wg(σ, d) = (1/k!²) Σ_{λ ⊢ k, ℓ(λ) ≤ d} χ_λ(1)² χ_λ(σ) / s_λ(1^d).

With the hook length and hook–content formulas (``χ_λ(1) = k!/H_λ``,
``s_λ(1^d) = C_λ(d)/H_λ``, ``C_λ(d) = Π_{cells} (d + content)``) this is::

    Wg(σ, d) = Σ_{λ ⊢ k, ℓ(λ) ≤ d} χ_λ(σ) / (H_λ · C_λ(d)).                      (Wg)

* Integer ``d``: the sum runs over partitions with at most ``d`` rows, so ``d < k`` is right
  (this is the pseudo-inverse of the Gram matrix, Collins & Matsumoto 2017). Exact ``Rational``.
* Symbolic ``d`` (a sympy ``Symbol``): all partitions contribute; the result is the rational function
  that is valid for every integer ``d ≥ k`` (it has poles at ``d ∈ {-(k-1), …, k-1}``; do not
  substitute ``d < k`` into it — call with the integer instead). The sum is done over the common
  denominator ``L_k(d) = Π_c (d + c)^{e_c}`` with exact integer polynomials (python-flint
  ``fmpz_poly``), then common factors ``(d + c)`` are cancelled, so the returned expression is in
  lowest terms: ``numerator polynomial / Π (d + c)^{e}``.

Values are cached per (cycle type, d); computing one class needs only that column of the
character table.  Lemmas 1.1 and 1.2 of ``proofs/DERIVATION.md`` use the values at k = 1, 2
(``Wg(id, d) = 1/d``; ``1/(d²-1)`` and ``-1/(d(d²-1))``), Lemma 13.1 those at k <= 4, d = 4.

Examples
--------
>>> import sympy
>>> weingarten_unitary((2,), sympy.Symbol("d"))
-1/(d*(d - 1)*(d + 1))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from itertools import permutations as _all_perms
from math import gcd, lcm, prod
from typing import Any

import sympy
from flint import fmpz_poly

from .limits import check_class_terms, check_partitions, partition_count
from .symmetric_group import (
    Partition,
    as_partition,
    as_permutation,
    compose,
    contents,
    cycle_type,
    hook_product,
    inverse,
    murnaghan_nakayama,
    partitions,
)

__all__ = [
    "weingarten_unitary",
    "weingarten",
    "cycle_type_of",
    "weingarten_class_fraction",
    "weingarten_class",
    "weingarten_all_classes",
    "weingarten_polynomial_data",
    "gram_matrix",
    "weingarten_matrix",
    "check_dimension",
    "clear_caches",
]


def check_dimension(d: Any, name: str = "d") -> int | sympy.Symbol:
    """Return a valid dimension of U(d): a positive int (from an int or sympy Integer) or a sympy Symbol.

    Parameters
    ----------
    d : int or sympy.Integer or sympy.Symbol
        The dimension; a Symbol must not be declared negative or non-integer.
    name : str, default "d"
        The argument's name, used in error messages.

    Returns
    -------
    int or sympy.Symbol

    Raises
    ------
    TypeError
        If ``d`` is a bool, a float, a string, or a sympy expression other than a single Symbol.
    ValueError
        If ``d < 1`` or the Symbol is declared non-positive or non-integer.

    Examples
    --------
    >>> check_dimension(3), check_dimension(sympy.Symbol("d"))
    (3, d)
    >>> check_dimension(0)
    Traceback (most recent call last):
    ...
    ValueError: d must be >= 1 (the dimension of U(d)), got 0
    """
    if isinstance(d, sympy.Symbol):
        if d.is_positive is False or d.is_integer is False:
            raise ValueError(f"{name} must be a positive integer or a sympy Symbol standing for one, got {d!r}")
        return d
    if isinstance(d, bool):
        raise TypeError(f"{name} must be a positive integer or a sympy Symbol, got bool {d!r}")
    if isinstance(d, int) or (isinstance(d, sympy.Integer)):
        if int(d) < 1:
            raise ValueError(f"{name} must be >= 1 (the dimension of U(d)), got {int(d)}")
        return int(d)
    if isinstance(d, sympy.Expr) and d.free_symbols:
        raise TypeError(
            f"{name} must be a positive integer or a single sympy Symbol, got the expression {d!r}; "
            "substitute after computing"
        )
    raise TypeError(f"{name} must be a positive integer or a sympy Symbol, got {type(d).__name__} {d!r}")


def cycle_type_of(sigma: Any) -> Partition:
    """The cycle type of ``sigma``, given as a permutation or already as a cycle type.

    A sequence containing 0 is read as a permutation (the images of ``0..k-1``), one of positive
    integers as a cycle type (a partition of k, in any order); ``()`` is the empty permutation.
    The command line's ``wg SIGMA`` reads its argument with this function.

    Parameters
    ----------
    sigma : sequence of int or sympy.combinatorics.Permutation
        An ordered sequence (tuple, list, range) or a sympy ``Permutation``.

    Returns
    -------
    Partition

    Raises
    ------
    TypeError
        If ``sigma`` is unordered (set, dict), a string, or contains non-integers.
    ValueError
        If a sequence containing 0 is not a permutation of ``0..k-1``.

    Examples
    --------
    >>> cycle_type_of((1, 0, 2)), cycle_type_of((1, 2)), cycle_type_of(())
    ((2, 1), (2, 1), ())
    >>> cycle_type_of((2, 0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: sigma must be a permutation of 0..1 (each image exactly once), got (2, 0): ...
    """
    if getattr(sigma, "array_form", None) is not None:
        return cycle_type(sigma)
    if isinstance(sigma, (set, frozenset, dict)) or not isinstance(sigma, (Sequence, range)):
        raise TypeError(
            "sigma must be an ordered sequence (tuple or list): a permutation's images of 0..k-1 or a cycle "
            f"type; a {type(sigma).__name__} has no order, so it cannot be read as either, got {sigma!r}"
        )
    try:
        if isinstance(sigma, (str, bytes)):
            raise TypeError
        items = list(sigma)
        if any(isinstance(x, bool) or not isinstance(x, (int, sympy.Integer)) for x in items):
            raise TypeError
    except TypeError:
        raise TypeError(
            "sigma must be a permutation (sequence of the images of 0..k-1, or a sympy Permutation) "
            f"or a cycle type (partition of k, e.g. (2, 1)), got {sigma!r}"
        ) from None
    if len(items) == 0:
        return ()
    if any(not isinstance(x, bool) and isinstance(x, (int, sympy.Integer)) and int(x) == 0 for x in items):
        try:
            return cycle_type(as_permutation(items, "sigma"))
        except ValueError:
            raise ValueError(
                f"sigma must be a permutation of 0..{len(items) - 1} (each image exactly once), got "
                f"{tuple(items)!r}: a sequence containing 0 is read as a permutation (the images of 0..k-1); "
                "a cycle type has positive parts only, e.g. (2, 1)"
            ) from None
    return as_partition(items, "sigma")


# --------------------------------------------------------------------------- integer d


@cache
def weingarten_class_fraction(mu: Partition, d: int) -> Fraction:
    """``Wg(μ, d)`` for integer d as an exact ``Fraction``, without argument checks, cached.

    The engine behind :func:`weingarten_class` for integer d (eq. (Wg) of the module docstring,
    partitions with at most d rows), used directly by the Haar integrals.  ``mu`` must already be
    a partition (non-increasing tuple) and ``d`` a positive int; no work limit is checked.

    Parameters
    ----------
    mu : Partition
        The cycle type, a partition of k.
    d : int
        The dimension, ``d >= 1`` (also ``d < k``).

    Returns
    -------
    fractions.Fraction

    Examples
    --------
    >>> weingarten_class_fraction((1, 1), 3), weingarten_class_fraction((2,), 3)
    (Fraction(1, 8), Fraction(-1, 24))
    """
    k = sum(mu)
    total = Fraction(0)
    for lam in partitions(k):
        if len(lam) > d:
            continue
        chi = murnaghan_nakayama(lam, mu)
        if chi:
            total += Fraction(chi, hook_product(lam) * prod(d + c for c in contents(lam)))
    return total


# --------------------------------------------------------------------------- symbolic d


@cache
def _common_denominator(k: int) -> tuple[tuple[int, int], ...]:
    """``((c, e_c), ...)`` with ``L_k(d) = Π (d + c)^{e_c}``, ``e_c`` the largest multiplicity of content c."""
    exps: dict[int, int] = {}
    for lam in partitions(k):
        for c, m in Counter(contents(lam)).items():
            exps[c] = max(exps.get(c, 0), m)
    return tuple(sorted(exps.items()))


def _linear_product(factors: Counter) -> fmpz_poly:
    p = fmpz_poly([1])
    for c, e in factors.items():
        p *= fmpz_poly([c, 1]) ** e
    return p


@cache
def _lambda_terms(k: int) -> tuple[int, tuple[tuple[Partition, fmpz_poly], ...]]:
    """``(M, ((λ, (M/H_λ) · L_k/C_λ), ...))`` with ``M = lcm H_λ``: integer polynomials in d."""
    denom = dict(_common_denominator(k))
    hooks = {lam: hook_product(lam) for lam in partitions(k)}
    big_m = lcm(*hooks.values()) if hooks else 1
    terms = []
    for lam in partitions(k):
        cof = Counter(denom)
        cof.subtract(Counter(contents(lam)))
        terms.append((lam, _linear_product(+cof) * (big_m // hooks[lam])))
    return big_m, tuple(terms)


@cache
def weingarten_polynomial_data(mu: Partition) -> tuple[Fraction, tuple[int, ...], tuple[tuple[int, int], ...]]:
    """Lowest-terms data of the symbolic ``Wg(μ, d)``: ``(constant, numerator coefficients, denominator)``.

    ``Wg(μ, d) = constant · Σ_i coeffs[i] d^i / Π_{(c, e)} (d + c)^e`` with integer, primitive
    ``coeffs`` (low to high); valid for integer ``d >= k``.  This is the exact engine behind
    :func:`weingarten_unitary` for symbolic d (``mu`` must already be a partition; cached).

    Parameters
    ----------
    mu : Partition
        The cycle type, a partition of k.

    Returns
    -------
    tuple
        ``(constant, coeffs, denominator)``: a ``Fraction``, a tuple of ints, and a tuple of pairs
        ``(c, e)`` (the factor ``(d + c)^e``).

    Examples
    --------
    ``Wg((2,), d) = -1 / ((d - 1) d (d + 1))``:

    >>> weingarten_polynomial_data((2,))
    (Fraction(-1, 1), (1,), ((-1, 1), (0, 1), (1, 1)))
    """
    k = sum(mu)
    big_m, terms = _lambda_terms(k)
    num = fmpz_poly([0])
    for lam, poly in terms:
        chi = murnaghan_nakayama(lam, mu)
        if chi:
            num += chi * poly
    denom = dict(_common_denominator(k))
    if num == 0:  # pragma: no cover - Wg never vanishes identically
        return Fraction(0), (0,), ()
    # cancel the common linear factors (d + c)
    for c in list(denom):
        lin = fmpz_poly([c, 1])
        while denom[c] > 0:
            q, r = divmod(num, lin)
            if r != 0:
                break
            num = q
            denom[c] -= 1
    coeffs = [int(x) for x in num.coeffs()]
    content = 0
    for x in coeffs:
        content = gcd(content, x)
    if coeffs[-1] < 0:
        content = -content
    coeffs = [x // content for x in coeffs]
    const = Fraction(content, big_m)
    return const, tuple(coeffs), tuple((c, e) for c, e in sorted(denom.items()) if e > 0)


@cache
def _wg_symbolic(mu: Partition, d: sympy.Symbol) -> sympy.Expr:
    const, coeffs, denom = weingarten_polynomial_data(mu)
    numerator = sympy.Add(*[sympy.Integer(a) * d**i for i, a in enumerate(coeffs) if a])
    denominator = sympy.Mul(*[(d + c) ** e for c, e in denom])
    return sympy.Rational(const.numerator, const.denominator) * numerator / denominator


# --------------------------------------------------------------------------- public API


def weingarten_class(mu: Any, d: Any) -> sympy.Expr:
    """The unitary Weingarten function ``Wg(μ, d)`` at a cycle type ``μ``; see :func:`weingarten_unitary`.

    Parameters
    ----------
    mu : sequence of int
        A cycle type: a partition of k (positive parts, any order; ``()`` for k = 0).
    d : int or sympy.Symbol
        A positive integer (exact, also for ``d < k``) or a Symbol (the rational function, valid
        for integer ``d >= k``).

    Returns
    -------
    sympy.Expr
        A ``Rational`` for integer d, a rational function in lowest terms for symbolic d.

    Raises
    ------
    TypeError, ValueError
        If ``mu`` is not a partition or ``d`` not a dimension (:func:`check_dimension`).
    WorkLimitError
        At once when the character sum over the p(k) partitions of k is out of reach (k > 35).

    Examples
    --------
    >>> weingarten_class((2, 1), sympy.Symbol("d"))
    -1/((d - 2)*(d - 1)*(d + 1)*(d + 2))
    >>> weingarten_class((1, 1), 3)
    1/8
    """
    mu_p = as_partition(mu, "mu") if len(mu) else ()
    dd = check_dimension(d)
    check_partitions(sum(mu_p), "Wg")
    if isinstance(dd, int):
        val = weingarten_class_fraction(mu_p, dd)
        return sympy.Rational(val.numerator, val.denominator)
    return _wg_symbolic(mu_p, dd)


def weingarten_unitary(sigma: Any, d: Any) -> sympy.Expr:
    """The unitary Weingarten function ``Wg(σ, d)`` of U(d) (eq. (Wg) of this module's docstring).

    ``E[U_{i_1 j_1} ⋯ U_{i_k j_k} conj(U_{i'_1 j'_1} ⋯ U_{i'_k j'_k})]`` over Haar ``U ∈ U(d)`` is a sum
    of these values (:func:`weingarten_check.calculus.unitary_integrals.haar_integral`); Lemmas 1.1
    and 1.2 of ``proofs/DERIVATION.md`` rest on its k = 1, 2 values.  Also available as
    ``weingarten`` (the same function).

    Parameters
    ----------
    sigma : sequence of int or sympy.combinatorics.Permutation
        A permutation of ``k`` points (sequence of images of ``0..k-1`` or a sympy ``Permutation``)
        or its cycle type (a partition of ``k`` such as ``(2, 1)``). A sequence containing 0 is read
        as a permutation, one of positive integers as a cycle type (so ``(2, 0)`` is an error: it is
        neither a permutation of 0..1 nor a cycle type). Sets are refused: they have no order.
    d : int or sympy.Symbol
        A positive integer (exact, also for ``d < k``: only partitions with ``≤ d`` rows count) or a
        sympy ``Symbol`` (the generic rational function, valid for integer ``d ≥ k``).

    Returns
    -------
    sympy.Expr
        A ``Rational`` for integer d, a rational function in lowest terms for symbolic d.

    Raises
    ------
    TypeError, ValueError
        If ``sigma`` is neither a permutation nor a cycle type (:func:`cycle_type_of`), or ``d`` is
        not a dimension (:func:`check_dimension`).
    WorkLimitError
        If the character sum is out of reach (k > 35).

    Examples
    --------
    >>> import sympy; d = sympy.Symbol("d")
    >>> weingarten_unitary((1, 1), d)
    1/((d - 1)*(d + 1))
    >>> weingarten_unitary((1, 0), 3)
    -1/24
    """
    return weingarten_class(cycle_type_of(sigma), d)


#: the historical name of :func:`weingarten_unitary` (the same function object)
weingarten = weingarten_unitary


def weingarten_all_classes(k: int, d: Any) -> dict[Partition, sympy.Expr]:
    """``{μ: Wg(μ, d)}`` for every cycle type ``μ`` of S_k, in the order of ``partitions(k)``.

    Parameters
    ----------
    k : int
        ``k >= 0``.
    d : int or sympy.Symbol
        The dimension (see :func:`weingarten_unitary`).

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        If ``k`` is not a nonnegative int or ``d`` not a dimension.
    WorkLimitError
        If ``p(k)²`` character terms are out of reach (k > 19 symbolic, k > 24 integer).

    Examples
    --------
    >>> weingarten_all_classes(2, 2)
    {(2,): -1/6, (1, 1): 1/3}
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a nonnegative integer, got {k!r}")
    dd = check_dimension(d)
    check_class_terms(k, partition_count(k), not isinstance(dd, int), "Wg for every class")
    return {mu: weingarten_class(mu, dd) for mu in partitions(k)}


def _permutations(k: int) -> list[tuple[int, ...]]:
    return [tuple(p) for p in _all_perms(range(k))]


def gram_matrix(k: int, d: Any) -> sympy.Matrix:
    """The Gram matrix ``G(σ, τ) = d^{#cycles(σ^{-1} τ)}`` over S_k (rows/columns in lexicographic order).

    ``G(σ,τ) = tr(P_σ^† P_τ)`` for the permutation operators ``P_σ`` on ``(C^d)^{⊗k}``; the
    Weingarten matrix is its inverse (``d ≥ k``) or pseudo-inverse (``d < k``).  Lemma 1.4 of
    ``proofs/DERIVATION.md`` computes the Haar frame potential as ``tr(G · W)``.

    Parameters
    ----------
    k : int
        The number of tensor factors.
    d : int or sympy.Symbol
        The dimension.

    Returns
    -------
    sympy.Matrix
        ``k! × k!``.

    Examples
    --------
    >>> gram_matrix(2, sympy.Symbol("d"))
    Matrix([
    [d**2,    d],
    [   d, d**2]])
    """
    dd = sympy.sympify(check_dimension(d))
    perms = _permutations(k)
    return sympy.Matrix(
        len(perms), len(perms), lambda i, j: dd ** len(cycle_type(compose(inverse(perms[i]), perms[j])))
    )


def weingarten_matrix(k: int, d: Any) -> sympy.Matrix:
    """The Weingarten matrix ``W(σ, τ) = Wg(σ^{-1} τ, d)`` over S_k, ordered as :func:`gram_matrix`.

    Parameters
    ----------
    k : int
        The number of tensor factors.
    d : int or sympy.Symbol
        The dimension.

    Returns
    -------
    sympy.Matrix
        ``k! × k!``; the inverse of the Gram matrix for ``d >= k``.

    Examples
    --------
    >>> d = sympy.Symbol("d")
    >>> sympy.simplify(gram_matrix(2, d) * weingarten_matrix(2, d))
    Matrix([
    [1, 0],
    [0, 1]])
    """
    dd = check_dimension(d)
    perms = _permutations(k)
    return sympy.Matrix(
        len(perms), len(perms), lambda i, j: weingarten_unitary(compose(inverse(perms[i]), perms[j]), dd)
    )


def clear_caches() -> None:
    """Forget every memoised character, Wg value and polynomial (for cold-start benchmarks).

    Examples
    --------
    >>> clear_caches()
    >>> weingarten_class_fraction.cache_info().currsize
    0
    """
    from . import symmetric_group

    symmetric_group.clear_caches()
    for fn in (
        weingarten_class_fraction,
        _common_denominator,
        _lambda_terms,
        weingarten_polynomial_data,
        _wg_symbolic,
    ):
        fn.cache_clear()
