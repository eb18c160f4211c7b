"""The symmetric group S_k: partitions, cycle types, class sizes, irreducible characters.

The Weingarten function of U(d) is a sum over the irreducible characters of S_k (Lemma 1.2 of
``proofs/DERIVATION.md`` is its k = 2 case); this module supplies them, and the class sizes the
frame potentials of Lemma 13.1 are weighted with.  Everything here is exact integer arithmetic.
Conventions:

* A permutation of ``k`` points is a tuple ``p`` of the images ``p[a] = sigma(a)`` of ``0..k-1``
  (the ``array_form`` of a sympy ``Permutation``). Composition is ``(s ∘ t)(a) = s[t[a]]``.
* A partition is a non-increasing tuple of positive integers; ``()`` is the partition of 0.
* Characters follow the Murnaghan–Nakayama rule (Sagan, *The Symmetric Group*, Thm 4.10.2);
  dimensions the hook length formula (ibid., Thm 3.10.2); the Schur polynomial at ``1^d`` the
  hook–content formula ``s_λ(1^d) = Π_{(i,j)∈λ} (d + j - i) / h(i,j)`` (Stanley, EC2, Cor. 7.21.4).

Examples
--------
>>> partitions(3)
((3,), (2, 1), (1, 1, 1))
>>> character((2, 1), (3,)), dimension((2, 1)), class_size((2, 1))
(-1, 2, 3)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from functools import cache
from math import factorial, prod
from typing import Any

#: a partition of k: a non-increasing tuple of positive ints (``()`` for k = 0)
Partition = tuple[int, ...]
#: a permutation of k points: the tuple of images ``(σ(0), ..., σ(k-1))``
Perm = tuple[int, ...]

__all__ = [
    "Partition",
    "Perm",
    "as_permutation",
    "as_partition",
    "partitions",
    "cycle_type",
    "cycles",
    "compose",
    "inverse",
    "identity",
    "centralizer_order",
    "class_size",
    "character",
    "character_table",
    "dimension",
    "hook_product",
    "contents",
    "murnaghan_nakayama",
    "clear_caches",
]


def as_permutation(sigma: Any, name: str = "sigma") -> Perm:
    """Return ``sigma`` as a tuple of images ``(sigma(0), ..., sigma(k-1))``.

    Parameters
    ----------
    sigma : sequence of int or sympy.combinatorics.Permutation
        The integers ``0..k-1`` in some order, or a sympy ``Permutation``.
    name : str, default "sigma"
        The argument's name, used in error messages.

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError
        If ``sigma`` is not a sequence of integers (a string is refused).
    ValueError
        If the images are not ``0..k-1``, each exactly once.

    Examples
    --------
    >>> as_permutation([2, 0, 1])
    (2, 0, 1)
    >>> as_permutation((1, 1))
    Traceback (most recent call last):
    ...
    ValueError: sigma must be a permutation of 0..1 (each image exactly once), got (1, 1)
    """
    array_form = getattr(sigma, "array_form", None)
    if array_form is not None:
        return tuple(int(a) for a in array_form)
    if isinstance(sigma, (str, bytes)) or not isinstance(sigma, Sequence):
        raise TypeError(
            f"{name} must be a permutation given as a sequence of the images of 0..k-1 "
            f"(e.g. (1, 0, 2)) or a sympy Permutation, got {type(sigma).__name__}"
        )
    try:
        images = tuple(int(a) for a in sigma)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must contain integers, got {sigma!r}") from None
    if any(int(a) != a for a in sigma) or sorted(images) != list(range(len(images))):
        raise ValueError(
            f"{name} must be a permutation of 0..{len(images) - 1} (each image exactly once), got {tuple(sigma)!r}"
        )
    return images


def as_partition(mu: Any, name: str = "mu") -> Partition:
    """Return ``mu`` as a partition: a non-increasing tuple of positive ints (sorted if needed).

    Parameters
    ----------
    mu : sequence of int
        Positive integers in any order.
    name : str, default "mu"
        The argument's name, used in error messages.

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError
        If ``mu`` is not a sequence (a string is refused).
    ValueError
        If a part is not a positive integer.

    Examples
    --------
    >>> as_partition([1, 3, 1])
    (3, 1, 1)
    """
    if isinstance(mu, (str, bytes)) or not isinstance(mu, Sequence):
        raise TypeError(f"{name} must be a partition given as a sequence of positive integers, got {mu!r}")
    parts = []
    for x in mu:
        if isinstance(x, bool) or int(x) != x or int(x) < 1:
            raise ValueError(f"{name} must consist of positive integers, got {tuple(mu)!r}")
        parts.append(int(x))
    return tuple(sorted(parts, reverse=True))


@cache
def partitions(k: int) -> tuple[Partition, ...]:
    """All partitions of ``k`` in reverse lexicographic order (``(k,)`` first, ``(1,)*k`` last), cached.

    Parameters
    ----------
    k : int
        ``k >= 0``.

    Returns
    -------
    tuple of Partition

    Raises
    ------
    ValueError
        If ``k < 0``.

    Examples
    --------
    >>> partitions(4)
    ((4,), (3, 1), (2, 2), (2, 1, 1), (1, 1, 1, 1))
    """
    if k < 0:
        raise ValueError(f"k must be a nonnegative integer, got {k}")

    def gen(n: int, largest: int) -> Iterator[Partition]:
        if n == 0:
            yield ()
            return
        for first in range(min(n, largest), 0, -1):
            for rest in gen(n - first, first):
                yield (first,) + rest

    return tuple(gen(k, k))


def identity(k: int) -> Perm:
    """The identity permutation of ``k`` points.

    Its cycle type ``(1,)*k`` is the class of ``Wg(id, d)``, the Weingarten value of Lemmas 1.1
    (``1/d``) and 1.2 (``1/(d²-1)``) of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    k : int
        The number of points, ``k >= 0`` (``identity(0) == ()``).

    Returns
    -------
    Perm
        ``(0, 1, ..., k-1)``.

    Examples
    --------
    >>> identity(3)
    (0, 1, 2)
    """
    return tuple(range(k))


def compose(s: Perm, t: Perm) -> Perm:
    """The composition ``s ∘ t`` (apply ``t`` first): ``(s ∘ t)(a) = s[t[a]]``.

    The Weingarten sums of Lemma 1 of ``proofs/DERIVATION.md`` pair permutations through such
    products (:mod:`weingarten_check.calculus.unitary_integrals`).  No argument checks.

    Parameters
    ----------
    s, t : Perm
        Permutations of the same ``k`` points, as tuples of images.

    Returns
    -------
    Perm

    Examples
    --------
    >>> compose((1, 0, 2), (0, 2, 1))
    (1, 2, 0)
    """
    return tuple(s[a] for a in t)


def inverse(s: Perm) -> Perm:
    """The inverse permutation ``s^{-1}``.

    No argument checks.

    Parameters
    ----------
    s : Perm
        A permutation, as a tuple of images.

    Returns
    -------
    Perm
        The permutation ``t`` with ``t[s[a]] = a`` for every ``a``.

    Examples
    --------
    >>> inverse((1, 2, 0))
    (2, 0, 1)
    """
    inv = [0] * len(s)
    for a, b in enumerate(s):
        inv[b] = a
    return tuple(inv)


def cycles(s: Perm) -> list[tuple[int, ...]]:
    """The cycles of ``s`` as tuples ``(a, s(a), s(s(a)), ...)``, each starting at its smallest point.

    A permutation ``σ`` of the k tensor factors gives the trace product ``Π_cycles tr(Π_{a ∈ cycle} A_a)``
    of the Weingarten sums (Lemmas 1.1, 1.2 of ``proofs/DERIVATION.md``), and the cycle counts behind the
    fourth moments of Lemma 11.4 (:mod:`weingarten_check.theory.fourth_moments`).  No argument checks.

    Parameters
    ----------
    s : Perm
        A permutation, as a tuple of images.

    Returns
    -------
    list of tuple of int
        The cycles, in increasing order of their smallest points; fixed points are 1-cycles.

    Examples
    --------
    >>> cycles((1, 2, 0, 3))
    [(0, 1, 2), (3,)]
    """
    seen = [False] * len(s)
    out = []
    for a in range(len(s)):
        if not seen[a]:
            cyc = []
            b = a
            while not seen[b]:
                seen[b] = True
                cyc.append(b)
                b = s[b]
            out.append(tuple(cyc))
    return out


def cycle_type(s: Any) -> Partition:
    """The cycle type of a permutation: the non-increasing cycle lengths, a partition of ``k``.

    Parameters
    ----------
    s : sequence of int or sympy.combinatorics.Permutation
        A permutation (see :func:`as_permutation`).

    Returns
    -------
    Partition

    Raises
    ------
    TypeError, ValueError
        If ``s`` is not a permutation (:func:`as_permutation`).

    Examples
    --------
    >>> cycle_type((1, 2, 0, 3))
    (3, 1)
    """
    p = as_permutation(s)
    seen = [False] * len(p)
    lengths = []
    for a in range(len(p)):
        if not seen[a]:
            n = 0
            b = a
            while not seen[b]:
                seen[b] = True
                b = p[b]
                n += 1
            lengths.append(n)
    return tuple(sorted(lengths, reverse=True))


def centralizer_order(mu: Partition) -> int:
    """``z_μ = Π_i i^{m_i} m_i!``: the order of the centraliser of a permutation of cycle type ``μ``.

    ``m_i`` is the number of parts of ``μ`` equal to ``i``; :func:`class_size` is ``k!/z_μ``.
    No argument checks.

    Parameters
    ----------
    mu : Partition
        A cycle type (the order of its parts does not matter).

    Returns
    -------
    int

    Examples
    --------
    >>> centralizer_order((2, 1, 1))
    4
    """
    return prod(i**m * factorial(m) for i, m in Counter(mu).items())


def class_size(mu: Partition) -> int:
    """The number ``k!/z_μ`` of permutations of cycle type ``μ`` (the class sizes of Lemma 13.1).

    Lemma 13.1 of ``proofs/DERIVATION.md`` weights the Haar frame potentials with them,
    ``t! Σ_μ |C_μ| Wg(μ, d) d^{ℓ(μ)}``.  No argument checks.

    Parameters
    ----------
    mu : Partition
        A partition of ``k``.

    Returns
    -------
    int

    Examples
    --------
    >>> [class_size(mu) for mu in partitions(3)]
    [2, 3, 1]
    """
    return factorial(sum(mu)) // centralizer_order(mu)


def _beta_set(lam: Partition) -> tuple[int, ...]:
    """First-column hook lengths (beta numbers) ``lam_i + (l - 1 - i)``: strictly decreasing."""
    ell = len(lam)
    return tuple(lam[i] + ell - 1 - i for i in range(ell))


def _from_beta(beta: Sequence[int]) -> Partition:
    b = sorted(beta, reverse=True)
    ell = len(b)
    lam = tuple(b[i] - (ell - 1 - i) for i in range(ell))
    return tuple(x for x in lam if x > 0)


@cache
def _rim_hook_removals(lam: Partition, r: int) -> tuple[tuple[Partition, int], ...]:
    """All ``(lam minus a rim hook of length r, (-1)^{height})``.

    On the beta set, removing a rim hook of length r moves one bead from position b to b - r
    (free, nonnegative); the height is the number of beads strictly between.
    """
    beta = _beta_set(lam)
    bset = set(beta)
    out = []
    for b in beta:
        c = b - r
        if c >= 0 and c not in bset:
            height = sum(1 for x in beta if c < x < b)
            new = [x for x in beta if x != b] + [c]
            out.append((_from_beta(new), -1 if height % 2 else 1))
    return tuple(out)


@cache
def murnaghan_nakayama(lam: Partition, mu: Partition) -> int:
    """The character ``χ_λ(μ)`` by the Murnaghan–Nakayama rule, without argument checks, cached.

    The engine behind :func:`character` and the Weingarten sums: ``lam`` and ``mu`` must already be
    partitions of the same k (non-increasing tuples); ``mu`` is consumed from the front (largest
    part first), removing a rim hook of that length from ``lam`` at each step.

    Parameters
    ----------
    lam, mu : Partition
        Partitions of the same k.

    Returns
    -------
    int

    Examples
    --------
    >>> murnaghan_nakayama((2, 1), (1, 1, 1)), murnaghan_nakayama((2, 1), (3,))
    (2, -1)
    """
    if not mu:
        return 1 if not lam else 0
    r, rest = mu[0], mu[1:]
    return sum(sign * murnaghan_nakayama(smaller, rest) for smaller, sign in _rim_hook_removals(lam, r))


def character(lam: Any, mu: Any) -> int:
    """The irreducible character ``χ_λ(μ)`` of S_k at the class of cycle type ``μ`` (Murnaghan–Nakayama).

    Parameters
    ----------
    lam : sequence of int
        The irreducible representation, a partition of k.
    mu : sequence of int
        The conjugacy class, a partition of the same k.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If ``lam`` or ``mu`` is not a partition (:func:`as_partition`), or they partition
        different k.

    Examples
    --------
    >>> character((2, 1), (1, 1, 1)), character((2, 1), (2, 1)), character((2, 1), (3,))
    (2, 0, -1)
    """
    lam_p = as_partition(lam, "lam")
    mu_p = as_partition(mu, "mu")
    if sum(lam_p) != sum(mu_p):
        raise ValueError(f"lam and mu must be partitions of the same k, got |lam|={sum(lam_p)}, |mu|={sum(mu_p)}")
    return murnaghan_nakayama(lam_p, mu_p)


@cache
def character_table(k: int) -> tuple[tuple[int, ...], ...]:
    """The character table of S_k: rows ``λ``, columns ``μ``, both in the order of :func:`partitions`.

    Examples
    --------
    >>> character_table(3)
    ((1, 1, 1), (-1, 0, 2), (1, -1, 1))
    """
    parts = partitions(k)
    return tuple(tuple(murnaghan_nakayama(lam, mu) for mu in parts) for lam in parts)


def hook_product(lam: Partition) -> int:
    """The product ``H_λ`` of the hook lengths of the partition ``λ``.

    The denominator of :func:`dimension` and of the hook–content formula, hence of every term
    ``χ_λ(σ) / (H_λ C_λ(d))`` of the Weingarten function (:mod:`weingarten_check.calculus.unitary`)
    behind Lemma 1 of ``proofs/DERIVATION.md``.  No argument checks.

    Parameters
    ----------
    lam : Partition
        A non-increasing tuple of positive ints (``()`` gives 1).

    Returns
    -------
    int

    Examples
    --------
    >>> hook_product((2, 1)), hook_product((3, 2))
    (3, 24)
    """
    conj = [sum(1 for x in lam if x > j) for j in range(lam[0])] if lam else []
    return prod(lam[i] - j + conj[j] - i - 1 for i in range(len(lam)) for j in range(lam[i]))


def dimension(lam: Any) -> int:
    """The dimension ``χ_λ(1) = k!/H_λ`` of the irreducible representation ``λ`` (hook length formula).

    ``χ_λ(1)²`` weights the character expansion of the Weingarten function
    (:mod:`weingarten_check.calculus.unitary`), the engine of Lemma 1 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    lam : sequence of int
        A partition of ``k`` (:func:`as_partition`: positive ints, in any order).

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If ``lam`` is not a partition (:func:`as_partition`).

    Examples
    --------
    >>> dimension((2, 1)), dimension((3, 2))
    (2, 5)
    """
    lam_p = as_partition(lam, "lam")
    return factorial(sum(lam_p)) // hook_product(lam_p)


def contents(lam: Partition) -> tuple[int, ...]:
    """The contents ``j - i`` of the cells ``(i, j)`` of ``λ`` (0-based, row by row).

    They give the Schur polynomial at ``1^d`` by the hook–content formula,
    ``s_λ(1^d) = Π_c (d + c) / H_λ``: the factors ``(d + c)`` are the denominators of the Weingarten
    function (:mod:`weingarten_check.calculus.unitary`) behind Lemma 1 of ``proofs/DERIVATION.md``
    (for ``k = 2``: ``(d + 1)`` and ``(d - 1)`` in ``Wg = 1/(d²-1)``).  No argument checks.

    Parameters
    ----------
    lam : Partition
        A non-increasing tuple of positive ints.

    Returns
    -------
    tuple of int
        One content per cell, ``sum(lam)`` in all.

    Examples
    --------
    >>> contents((2, 1))
    (0, 1, -1)
    """
    return tuple(j - i for i in range(len(lam)) for j in range(lam[i]))


def clear_caches() -> None:
    """Forget the memoised partitions, rim hooks and characters (for cold-start benchmarks).

    Examples
    --------
    >>> clear_caches()
    >>> murnaghan_nakayama.cache_info().currsize
    0
    """
    for fn in (partitions, _rim_hook_removals, murnaghan_nakayama, character_table):
        fn.cache_clear()
