"""Work estimates for the exact engines, checked before any work starts.

The engines are exact and their cost is combinatorial; past a size they would run for hours or be
killed for memory (``wg 99999999999999`` would never finish, ``trace_moment`` at k = 40 would
enumerate (40!)² permutation pairs). Each public entry point estimates its work from class and
coset counts first and raises :class:`WorkLimitError` (a ``ValueError``) naming the count, the limit
and what is still in reach.

Counts and limits (measured on a 2-core machine; timings vary with machine load):

* ``Wg(μ, d)`` sums one character over all partitions λ ⊢ k (:func:`partition_count` ``p(k)``):
  p(34) = 12 310 took ~8 s (integer d) and ~15 s (symbolic d). Limit ``p(k) <= MAX_PARTITIONS``
  (k <= 35).
* every class of S_k (``wg --all K``): ``p(K)²`` character terms; K = 18 took 12 s symbolically.
  Limits ``MAX_TERMS_SYMBOLIC`` (K <= 19) and ``MAX_TERMS_INTEGER`` (K <= 24).
* ``trace_moment``/``trace_moment_numeric``/``twirl`` enumerate all (σ, π) ∈ S_k × S_k:
  (k!)² pairs; k = 6 (518 400 pairs) took 15-150 s. Limit ``MAX_PERMUTATION_PAIRS`` (k <= 6).
* ``haar_integral`` enumerates the product set ``Y_{i'} Y_{j'} π`` of two Young subgroups:
  ``|Y1| |Y2| / |Y1 ∩ Y2|`` permutations of k points held in memory. Limit ``MAX_COSET_ELEMENTS``.

Examples
--------
>>> partition_count(34), MAX_PARTITIONS
(12310, 15000)
"""

from __future__ import annotations

import math
from functools import cache

__all__ = [
    "WorkLimitError",
    "partition_count",
    "check_partitions",
    "check_class_terms",
    "check_permutation_pairs",
    "check_coset_elements",
    "MAX_PARTITIONS",
    "MAX_TERMS_SYMBOLIC",
    "MAX_TERMS_INTEGER",
    "MAX_PERMUTATION_PAIRS",
    "MAX_COSET_ELEMENTS",
]

#: largest p(k) for one Weingarten value (a character sum over all partitions of k): k <= 35
MAX_PARTITIONS = 15_000
#: largest number of character terms for every class at once, symbolic d (k <= 19)
MAX_TERMS_SYMBOLIC = 250_000
#: largest number of character terms for every class at once, integer d (k <= 24)
MAX_TERMS_INTEGER = 2_500_000
#: largest number (k!)² of permutation pairs summed over (k <= 6)
MAX_PERMUTATION_PAIRS = 600_000
#: largest product set of two Young subgroups enumerated by ``haar_integral``
MAX_COSET_ELEMENTS = 2_000_000

#: exact p(k) is computed up to this k; beyond it only the Hardy–Ramanujan estimate is needed
_EXACT_UP_TO = 2_000


class WorkLimitError(ValueError):
    """The requested exact computation is out of reach; the message estimates the work and says what fits.

    A ``ValueError``, so callers that treat bad arguments as ``ValueError`` also catch it.

    Examples
    --------
    >>> issubclass(WorkLimitError, ValueError)
    True
    """


@cache
def _partition_counts(upto: int) -> tuple[int, ...]:
    """p(0..upto) by Euler's pentagonal number recurrence (exact integers)."""
    p = [1] + [0] * upto
    for n in range(1, upto + 1):
        total, j = 0, 1
        while True:
            g1 = j * (3 * j - 1) // 2
            if g1 > n:
                break
            sign = 1 if j % 2 else -1
            total += sign * p[n - g1]
            g2 = j * (3 * j + 1) // 2
            if g2 <= n:
                total += sign * p[n - g2]
            j += 1
        p[n] = total
    return tuple(p)


def partition_count(k: int) -> float:
    """The number p(k) of partitions of k.

    Exact (an int, Euler's pentagonal number recurrence) for k <= 2000, else the Hardy–Ramanujan
    estimate ``exp(π √(2k/3)) / (4 k √3)`` as a float (``inf`` when it overflows); 0 for k < 0.

    Parameters
    ----------
    k : int

    Returns
    -------
    int or float

    Examples
    --------
    >>> partition_count(10), partition_count(100)
    (42, 190569292)
    >>> partition_count(3000) > 1e56
    True
    """
    if k < 0:
        return 0
    if k <= _EXACT_UP_TO:
        return _partition_counts(_EXACT_UP_TO)[k]
    log_p = math.pi * math.sqrt(2 * k / 3) - math.log(4 * k * math.sqrt(3))
    return math.exp(log_p) if log_p < 700 else math.inf


def _log10_partition_count(k: int) -> float:
    """log10 of the Hardy–Ramanujan estimate of p(k) (finite for every k >= 1)."""
    return (math.pi * math.sqrt(2 * k / 3) - math.log(4 * k * math.sqrt(3))) / math.log(10)


def _fmt_p(k: int) -> str:
    p = partition_count(k)
    return _fmt(p) if math.isfinite(p) else f"≈ 10^{_log10_partition_count(k):.3g}"


def _fmt(x: float) -> str:
    if isinstance(x, int) and x < 10**7:
        return f"{x:_}".replace("_", " ")
    if math.isinf(x):
        return "astronomically many"
    return f"≈ {x:.2e}"


def _largest(pred, start: int = 0) -> int:
    k = start
    while pred(k + 1):
        k += 1
    return k


def check_partitions(k: int, what: str = "Wg") -> None:
    """Raise unless one Weingarten value at k is in reach: its character sum has p(k) terms.

    Parameters
    ----------
    k : int
        The number of points (``Wg(μ, d)`` for ``μ ⊢ k``).
    what : str, default "Wg"
        The computation's name, for the message.

    Raises
    ------
    WorkLimitError
        If ``p(k) > MAX_PARTITIONS`` (k > 35).

    Examples
    --------
    >>> check_partitions(35)
    >>> check_partitions(36)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    weingarten_check.calculus.limits.WorkLimitError: Wg at k = 36 is out of reach: ... i.e. k <= 35
    """
    p = partition_count(k)
    if p > MAX_PARTITIONS:
        kmax = _largest(lambda j: partition_count(j) <= MAX_PARTITIONS)
        raise WorkLimitError(
            f"{what} at k = {k} is out of reach: its character sum runs over all p(k) = {_fmt_p(k)} partitions "
            f"of k (p(34) = 12 310 takes ~10 s); the limit is p(k) <= {MAX_PARTITIONS}, i.e. k <= {kmax}"
        )


def check_class_terms(k: int, classes: float, symbolic: bool, what: str) -> None:
    """Raise unless ``classes`` character sums of p(k) terms each are in reach.

    Parameters
    ----------
    k : int
        The number of points.
    classes : float
        The number of classes summed (every class: ``partition_count(k)``).
    symbolic : bool
        Symbolic d (limit ``MAX_TERMS_SYMBOLIC``) or integer d (``MAX_TERMS_INTEGER``).
    what : str
        The computation's name, for the message.

    Raises
    ------
    WorkLimitError
        If one sum is out of reach (:func:`check_partitions`) or ``classes · p(k)`` exceeds the limit.

    Examples
    --------
    >>> check_class_terms(19, partition_count(19), True, "Wg for every class")
    >>> check_class_terms(20, partition_count(20), True, "Wg for every class")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    weingarten_check.calculus.limits.WorkLimitError: Wg for every class at k = 20 is out of reach: ...
    """
    check_partitions(k, what)
    terms = classes * partition_count(k)
    limit = MAX_TERMS_SYMBOLIC if symbolic else MAX_TERMS_INTEGER
    if terms > limit:
        kmax = _largest(lambda j: partition_count(j) ** 2 <= limit)
        kind = "symbolic" if symbolic else "integer"
        raise WorkLimitError(
            f"{what} at k = {k} is out of reach: {_fmt(classes)} classes × p(k) = {_fmt(partition_count(k))} "
            f"character terms = {_fmt(terms)} (limit {_fmt(limit)} for {kind} d: every class is in reach up "
            f"to k = {kmax})"
        )


def check_permutation_pairs(k: int, what: str) -> None:
    """Raise unless a sum over all (σ, π) ∈ S_k × S_k, (k!)² pairs, is in reach.

    Parameters
    ----------
    k : int
        The number of points.
    what : str
        The computation's name, for the message.

    Raises
    ------
    WorkLimitError
        If ``(k!)² > MAX_PERMUTATION_PAIRS`` (k > 6).

    Examples
    --------
    >>> check_permutation_pairs(6, "twirl")
    >>> check_permutation_pairs(7, "twirl")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    weingarten_check.calculus.limits.WorkLimitError: twirl at k = 7 is out of reach: ... the limit is k <= 6
    """
    pairs = math.factorial(k) ** 2 if k <= 170 else math.inf
    if pairs > MAX_PERMUTATION_PAIRS:
        kmax = _largest(lambda j: math.factorial(j) ** 2 <= MAX_PERMUTATION_PAIRS)
        raise WorkLimitError(
            f"{what} at k = {k} is out of reach: it sums over all (σ, π) in S_k × S_k, (k!)² = "
            f"{_fmt(float(pairs))} pairs (k = 6, 518 400 pairs, takes 15-150 s); the limit is k <= {kmax}"
        )


def check_coset_elements(k: int, elements: int) -> None:
    """Raise unless ``haar_integral`` can enumerate ``elements`` permutations of k points.

    The permutations allowed by the Kronecker deltas of an entry moment form the product set of two
    Young subgroups (:func:`weingarten_check.calculus.unitary_integrals.haar_integral`).

    Parameters
    ----------
    k : int
        The number of points (the degree of the entry moment), for the message.
    elements : int
        The size ``|Y_i'| |Y_j'| / |Y_i' ∩ Y_j'|`` of the product set to be enumerated.

    Returns
    -------
    None

    Raises
    ------
    WorkLimitError
        If ``elements > MAX_COSET_ELEMENTS``.

    Examples
    --------
    >>> check_coset_elements(12, 10**6)
    >>> check_coset_elements(12, 10**7)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    weingarten_check.calculus.limits.WorkLimitError: haar_integral at k = 12 is out of reach: ...
    """
    if elements > MAX_COSET_ELEMENTS:
        raise WorkLimitError(
            f"haar_integral at k = {k} is out of reach: the δ's allow |Y_i'|·|Y_j'|/|Y_i' ∩ Y_j'| = "
            f"{_fmt(float(elements))} permutations (Y = the Young subgroups of equal indices), limit "
            f"{_fmt(MAX_COSET_ELEMENTS)}; fewer repeated indices, or all indices equal on one side "
            "(then a closed form is used), are in reach"
        )
