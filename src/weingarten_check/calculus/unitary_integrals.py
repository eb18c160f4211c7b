"""Haar moment integrals over U(d): matrix entries, products of traces, the k-fold twirl.

Entry moments (Collins 2003, Collins & Śniady 2006, Cor. 2.4)::

    E[U_{i_1 j_1} ⋯ U_{i_k j_k} conj(U_{i'_1 j'_1} ⋯ U_{i'_k j'_k})]
        = Σ_{σ, τ ∈ S_k} Π_a δ(i_a, i'_{σ(a)}) δ(j_a, j'_{τ(a)}) Wg(τ σ^{-1}, d).          (E1)

Trace moments, derived from (E1) by contracting indices (``tr(A V X V^†) = A_{αβ} V_{βγ} X_{γε} conj(V_{αε})``)::

    E[Π_a tr(A_a V X_a V^†)] = Σ_{σ, π ∈ S_k} Wg(σ π, d) tr_σ(A) tr_π(X),               (E2)

where ``tr_σ(A) = Π_{cycles (a, σ(a), σ²(a), …)} tr(A_a A_{σ(a)} A_{σ²(a)} ⋯)`` (the same cycle
orientation for A and X). For ``k = 2`` this is the familiar second-moment formula
``(trA trB (trX)² + tr(AB) tr(X²))/(d²-1) - (tr(AB)(trX)² + trA trB tr(X²))/(d(d²-1))``.

Twirl: ``E[V^{⊗k} X V^{†⊗k}] = Σ_{ρ, π} Wg(ρ^{-1} π, d) tr(P_π^† X) P_ρ``, the Hilbert–Schmidt
orthogonal projection of ``X`` onto span{P_ρ} (the commutant of ``V^{⊗k}``).               (E3)

The lemmas of ``proofs/DERIVATION.md`` are checked with these engines: (E2) gives Lemmas 1.1, 1.2
and the second moments of Lemma 4, (E1) the frame potential of Lemma 1.4, and Lemma 10.4 checks
(E2) against (E3) at k = 3.

Examples
--------
>>> haar_integral([0, 0], [0, 0], [0, 0], [0, 0], 2)   # E|U_11|^4 = 2/(d(d+1))
1/3
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from itertools import permutations as _all_perms
from itertools import product as _product
from math import factorial, prod
from typing import Any

import numpy as np
import sympy

from .limits import WorkLimitError, check_class_terms, check_coset_elements, check_permutation_pairs, partition_count
from .symmetric_group import Partition, compose, cycle_type, cycles, inverse
from .unitary import (
    check_dimension,
    weingarten_class,
    weingarten_class_fraction,
    weingarten_polynomial_data,
)

__all__ = [
    "Tr",
    "haar_integral",
    "trace_moment",
    "trace_moment_numeric",
    "twirl",
    "permutation_operator",
]


# --------------------------------------------------------------------------- entry moments


def _check_indices(name: str, seq: Any, d: Any) -> tuple[int, ...]:
    if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
        raise TypeError(f"{name} must be a sequence of 0-based integer indices, got {seq!r}")
    out = []
    for x in seq:
        if isinstance(x, bool) or not isinstance(x, (int, np.integer, sympy.Integer)) or int(x) < 0:
            raise ValueError(f"{name} must contain nonnegative integers (0-based indices), got {tuple(seq)!r}")
        out.append(int(x))
    if isinstance(d, int) and any(x >= d for x in out):
        raise ValueError(f"{name} has an index >= d = {d}: indices are 0-based, got {tuple(out)!r}")
    return tuple(out)


def _young_blocks(labels: tuple[int, ...]) -> list[tuple[int, ...]]:
    groups: dict[int, list[int]] = {}
    for pos, v in enumerate(labels):
        groups.setdefault(v, []).append(pos)
    return [tuple(g) for g in groups.values()]


def _young_subgroup(blocks: list[tuple[int, ...]], k: int) -> list[tuple[int, ...]]:
    """All permutations of ``0..k-1`` that permute each block within itself."""
    per_block = [list(_all_perms(b)) for b in blocks]
    out = []
    for choice in _product(*per_block):
        p = list(range(k))
        for block, images in zip(blocks, choice):
            for a, b in zip(block, images):
                p[a] = b
        out.append(tuple(p))
    return out


def _matching(source: tuple[int, ...], target: tuple[int, ...]) -> tuple[int, ...] | None:
    """A permutation ``s`` with ``target[s(a)] = source[a]`` for all a, or None if the multisets differ."""
    if Counter(source) != Counter(target):
        return None
    free: dict[int, list[int]] = {}
    for pos, v in enumerate(target):
        free.setdefault(v, []).append(pos)
    return tuple(free[v].pop() for v in source)


def _coset_class_histogram(i, j, ic, jc) -> tuple[Counter, int] | None:
    """Cycle-type histogram of the pairs (σ, τ) allowed by the δ's in (E1).

    Allowed σ form the coset ``Y_{i'} σ0`` (``Y_{i'}`` = Young subgroup of positions with equal i'),
    allowed τ the coset ``Y_{j'} τ0``. ``τ σ^{-1} = t π s^{-1}`` is conjugate to ``s^{-1} t π`` with
    ``π = τ0 σ0^{-1}``, so the multiset of classes is that of ``Y_{i'} Y_{j'} π``, each element counted
    ``|Y_{i'} ∩ Y_{j'}|`` times. We enumerate the product set once (at most k! elements).
    """
    k = len(i)
    s0 = _matching(i, ic)
    t0 = _matching(j, jc)
    if s0 is None or t0 is None:
        return None
    pi = compose(t0, inverse(s0))
    blocks1 = _young_blocks(ic)
    blocks2 = _young_blocks(jc)
    # Y1 Y2 = ∪ over coset representatives r of Y1 / (Y1 ∩ Y2) of r Y2; |Y1 ∩ Y2| = Π |B1 ∩ B2|!
    meet_order = 1
    for b1 in blocks1:
        for b2 in blocks2:
            meet_order *= factorial(len(set(b1) & set(b2)))
    if len(blocks1) == 1 or len(blocks2) == 1:
        # one of the subgroups is all of S_k: Y1 Y2 π = S_k, every class with its full size
        from .symmetric_group import class_size, partitions

        return Counter({mu: class_size(mu) for mu in partitions(k)}), meet_order
    y1_order = prod(factorial(len(b)) for b in blocks1)
    y2_order = prod(factorial(len(b)) for b in blocks2)
    check_coset_elements(k, y1_order * y2_order // meet_order)  # |Y1 Y2| permutations enumerated below
    reps = np.array(_coset_representatives(blocks1, blocks2, k), dtype=np.int16)
    y2 = np.array(_young_subgroup(blocks2, k), dtype=np.int16)
    # g = r ∘ y ∘ π for every representative r and y ∈ Y2, as one (|reps|·|Y2|) × k array
    y_pi = y2[:, list(pi)]
    elements = np.concatenate([r[y_pi] for r in reps])
    return _cycle_type_histogram(elements), meet_order


def _cycle_type_histogram(perms: np.ndarray) -> Counter:
    """Cycle types of the rows of an (N, k) array of permutations, counted (vectorised).

    The cycle through point a has length L(a) = least t ≥ 1 with g^t(a) = a; a permutation has
    #{a : L(a) = ℓ}/ℓ cycles of length ℓ.
    """
    n, k = perms.shape
    start = np.broadcast_to(np.arange(k, dtype=perms.dtype), (n, k))
    cur = perms.copy()
    length = np.zeros((n, k), dtype=np.int16)
    rows = np.arange(n)[:, None]
    for t in range(1, k + 1):
        hit = (cur == start) & (length == 0)
        length[hit] = t
        cur = perms[rows, cur]
    counts = np.stack([(length == ell).sum(axis=1) // ell for ell in range(1, k + 1)], axis=1)
    keys, freq = np.unique(counts, axis=0, return_counts=True)
    hist: Counter = Counter()
    for key, f in zip(keys, freq):
        mu = tuple(ell for ell in range(k, 0, -1) for _ in range(int(key[ell - 1])))
        hist[mu] += int(f)
    return hist


def _coset_representatives(blocks1, blocks2, k) -> list[tuple[int, ...]]:
    """One representative ``y1`` of each left coset ``y1 Y2`` with ``y1 ∈ Y1``.

    The coset ``g Y2`` is determined by the images ``g(B)`` of the blocks B of ``Y2``.
    """
    seen = set()
    reps = []
    for y1 in _young_subgroup(blocks1, k):
        key = tuple(frozenset(y1[b] for b in block) for block in blocks2)
        if key not in seen:
            seen.add(key)
            reps.append(y1)
    return reps


def haar_integral(
    i: Sequence[int], j: Sequence[int], i_conj: Sequence[int], j_conj: Sequence[int], d: Any
) -> sympy.Expr:
    """Exact ``E[Π_a U[i_a, j_a] Π_b conj(U[i'_b, j'_b])]`` for Haar-random ``U ∈ U(d)`` (eq. E1).

    The result is 0 when the numbers of ``U`` and ``conj(U)`` factors differ or the index
    multisets do not match; when all of ``i_conj`` (or all of ``j_conj``) are equal a closed form
    is used (no class is enumerated).  Used by Lemma 1.4 of ``proofs/DERIVATION.md`` (the Haar
    frame potential from entry moments) and Lemma 7.5.

    Parameters
    ----------
    i, j : sequence of int
        Row and column indices (0-based) of the ``U`` factors.
    i_conj, j_conj : sequence of int
        Row and column indices of the ``conj(U)`` factors.
    d : int or sympy.Symbol
        A positive integer or a Symbol (then the result is the rational function valid for
        ``d ≥ k`` and ``d`` larger than every index).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError, ValueError
        If an index list is not a sequence of nonnegative ints (< d for integer d), the lists of
        one side differ in length, or ``d`` is not a dimension.
    WorkLimitError
        If the permutations allowed by the deltas are too many to enumerate.

    Examples
    --------
    >>> haar_integral([0, 0], [0, 0], [0, 0], [0, 0], 3)   # E|U_11|^4 = 2/(d(d+1))
    1/6
    >>> haar_integral([0, 1], [0, 1], [0, 1], [0, 1], sympy.Symbol("d"))   # E|U_11 U_22|^2
    1/((d - 1)*(d + 1))
    >>> haar_integral([0], [0], [1], [0], 2)
    0
    """
    dd = check_dimension(d)
    ii = _check_indices("i", i, dd)
    jj = _check_indices("j", j, dd)
    ic = _check_indices("i_conj", i_conj, dd)
    jc = _check_indices("j_conj", j_conj, dd)
    if len(ii) != len(jj):
        raise ValueError(
            f"i and j must have the same length (one (row, column) pair per U factor), got {len(ii)} and {len(jj)}"
        )
    if len(ic) != len(jc):
        raise ValueError(
            f"i_conj and j_conj must have the same length (one pair per conj(U) factor), got {len(ic)} and {len(jc)}"
        )
    if len(ii) != len(ic):
        return sympy.Integer(0)
    k = len(ii)
    if k == 0:
        return sympy.Integer(1)
    if len(set(ic)) == 1 or len(set(jc)) == 1:
        closed = _whole_group_sum(ii, jj, ic, jc, dd)
        return closed
    res = _coset_class_histogram(ii, jj, ic, jc)
    if res is None:
        return sympy.Integer(0)
    hist, mult = res
    check_class_terms(k, min(len(hist), partition_count(k)), not isinstance(dd, int), "haar_integral")
    if isinstance(dd, int):
        total = sum((Fraction(c) * weingarten_class_fraction(mu, dd) for mu, c in hist.items()), Fraction(0))
        total *= mult
        return sympy.Rational(total.numerator, total.denominator)
    # symbolic: sum numerators over a common denominator with exact integer polynomials
    return sympy.factor(mult * _sum_classes_symbolic(hist, dd))


def _whole_group_sum(i, j, ic, jc, d: Any) -> sympy.Expr:
    """(E1) when all i' (or all j') are equal: the allowed σ (or τ) range over all of S_k.

    Then ``Σ_{σ,τ} Wg(τσ⁻¹) = |Y_i' ∩ Y_j'| Σ_{g ∈ S_k} Wg(g, d)`` (each element of S_k = Y1 Y2 π
    arises |Y1 ∩ Y2| times), and ``Σ_g Wg(g, d) = 1 / (d (d+1) ⋯ (d+k-1))``: the all-ones vector is
    an eigenvector of the Gram matrix ``d^{#cycles(σ⁻¹τ)}`` with eigenvalue ``Σ_g d^{#cycles(g)} =
    d (d+1) ⋯ (d+k-1)`` > 0, so also of its (pseudo-)inverse, for every d >= 1. No class is enumerated:
    E|U_11|^{2k} at k = 40 is immediate.
    """
    if _matching(i, ic) is None or _matching(j, jc) is None:
        return sympy.Integer(0)
    k = len(i)
    meet = 1
    for b1 in _young_blocks(ic):
        for b2 in _young_blocks(jc):
            meet *= factorial(len(set(b1) & set(b2)))
    if isinstance(d, int):
        return sympy.Rational(meet, prod(d + a for a in range(k)))
    return sympy.Integer(meet) / sympy.Mul(*[d + a for a in range(k)])


def _sum_classes_symbolic(weights: dict[Partition, Any], d: sympy.Symbol) -> sympy.Expr:
    """``Σ_μ w_μ Wg(μ, d)`` for integer weights, summed exactly with flint polynomials."""
    from flint import fmpq, fmpq_poly

    total = fmpq_poly([0])
    denom_exps: dict[int, int] = {}
    parts = []
    for mu, w in weights.items():
        const, coeffs, denom = weingarten_polynomial_data(mu)
        parts.append((w, const, coeffs, dict(denom)))
        for c, e in denom:
            denom_exps[c] = max(denom_exps.get(c, 0), e)
    for w, const, coeffs, denom in parts:
        poly = fmpq_poly([int(x) for x in coeffs]) * fmpq(const.numerator * int(w), const.denominator)
        for c, e in denom_exps.items():
            extra = e - denom.get(c, 0)
            if extra:
                poly *= fmpq_poly([c, 1]) ** extra
        total += poly
    numerator = sympy.Add(*[sympy.Rational(int(x.p), int(x.q)) * d**n for n, x in enumerate(total.coeffs())])
    denominator = sympy.Mul(*[(d + c) ** e for c, e in denom_exps.items()])
    return sympy.cancel(numerator / denominator)


# --------------------------------------------------------------------------- trace moments


class Tr(sympy.Function):
    """Trace of a word in noncommuting operators, ``Tr(A, B, C) = tr(A B C)`` (a sympy Function).

    Arguments are noncommutative sympy Symbols; the word is stored in its lexicographically least
    cyclic rotation, so ``Tr(B, C, A) == Tr(A, B, C)`` (cyclicity of the trace).  The traces in the
    results of :func:`trace_moment` are of this kind.

    Examples
    --------
    >>> A, B = sympy.symbols("A B", commutative=False)
    >>> Tr(B, A), Tr(A, B) == Tr(B, A)
    (tr(A*B), True)
    """

    is_commutative = True

    @classmethod
    def eval(cls, *args):
        if not args:
            return None
        names = [str(a) for a in args]
        n = len(args)
        best = min(range(n), key=lambda s: names[s:] + names[:s])
        if best != 0:
            return cls(*(args[best:] + args[:best]))
        return None

    def _sympystr(self, printer) -> str:
        return "tr(" + "*".join(printer._print(a) for a in self.args) + ")"


def _word(op: Any, name: str) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    """Split an operator into (commutative coefficient, tuple of noncommutative symbols)."""
    op = sympy.sympify(op)
    if op.is_commutative:
        return op, ()
    if isinstance(op, sympy.Symbol):
        return sympy.Integer(1), (op,)
    if isinstance(op, sympy.Mul):
        coeff, nc = op.args_cnc()
        word: list[sympy.Symbol] = []
        for f in nc:
            if isinstance(f, sympy.Symbol):
                word.append(f)
            elif isinstance(f, sympy.Pow) and isinstance(f.base, sympy.Symbol) and f.exp.is_Integer and f.exp > 0:
                word.extend([f.base] * int(f.exp))
            else:
                raise TypeError(f"{name}: unsupported factor {f!r}; use products of noncommutative Symbols")
        return sympy.Mul(*coeff), tuple(word)
    if isinstance(op, sympy.Pow) and isinstance(op.base, sympy.Symbol) and op.exp.is_Integer and op.exp > 0:
        return sympy.Integer(1), (op.base,) * int(op.exp)
    raise TypeError(
        f"{name} must be a product of noncommutative sympy Symbols (e.g. A*B), a scalar, or 1 (identity); got {op!r}"
    )


def _trace_word(coeffs_words: list[tuple[sympy.Expr, tuple]], cyc: tuple[int, ...], d: Any) -> sympy.Expr:
    coeff = sympy.Integer(1)
    word: list = []
    for a in cyc:
        c, w = coeffs_words[a]
        coeff *= c
        word.extend(w)
    return coeff * (Tr(*word) if word else d)


def _check_operator_lists(As: Sequence, Xs: Sequence) -> int:
    if isinstance(As, (str, bytes)) or isinstance(Xs, (str, bytes)):
        raise TypeError("As and Xs must be sequences of operators")
    if len(As) != len(Xs):
        raise ValueError(f"As and Xs must have the same length k, got {len(As)} and {len(Xs)}")
    return len(As)


def _perm_pairs_by_class(k: int):
    """All (σ, π) with the cycle type of σπ, grouped: yields (σ, π, class)."""
    perms = [tuple(p) for p in _all_perms(range(k))]
    for s in perms:
        for p in perms:
            yield s, p, cycle_type(compose(s, p))


def trace_moment(As: Sequence[Any], Xs: Sequence[Any], d: Any) -> sympy.Expr:
    """``E[Π_a tr(A_a V X_a V^†)]`` for Haar ``V ∈ U(d)`` and *abstract* operators (eq. E2).

    Implements (E2) of the module docstring: the first and second moments of Lemmas 1.1 and 1.2
    of ``proofs/DERIVATION.md`` (and through them Lemmas 4, 5 and 9) are this function at k = 1, 2;
    Lemma 10.4 checks it against :func:`twirl` at k = 3.

    Parameters
    ----------
    As, Xs : sequence
        k operators each: noncommutative sympy Symbols, products of them (``A*B``), scalars, or
        ``1`` (the identity, ``tr 1 = d``).
    d : int or sympy.Symbol
        A Symbol (valid for ``d ≥ k``) or an integer (exact also for ``d < k``).

    Returns
    -------
    sympy.Expr
        A polynomial in :class:`Tr` objects with rational (function) coefficients.

    Raises
    ------
    TypeError
        If an operator is not of the accepted form.
    ValueError
        If ``As`` and ``Xs`` differ in length or ``d`` is not a dimension.
    WorkLimitError
        If ``(k!)²`` permutation pairs are out of reach (k > 6).

    Examples
    --------
    >>> A, X = sympy.symbols("A X", commutative=False)
    >>> trace_moment([A], [X], sympy.Symbol("d"))
    tr(A)*tr(X)/d
    >>> trace_moment([1], [X], sympy.Symbol("d"))
    tr(X)
    """
    dd = check_dimension(d)
    k = _check_operator_lists(As, Xs)
    check_permutation_pairs(k, "trace_moment")
    a_words = [_word(a, f"As[{n}]") for n, a in enumerate(As)]
    x_words = [_word(x, f"Xs[{n}]") for n, x in enumerate(Xs)]
    trace_cache: dict = {}

    def tr_perm(words, perm, tag):
        key = (tag, perm)
        if key not in trace_cache:
            trace_cache[key] = sympy.Mul(*[_trace_word(words, c, dd) for c in cycles(perm)])
        return trace_cache[key]

    collected: dict[sympy.Expr, dict] = {}
    for s, p, mu in _perm_pairs_by_class(k):
        term = tr_perm(a_words, s, "A") * tr_perm(x_words, p, "X")
        bucket = collected.setdefault(mu, {})
        bucket[term] = bucket.get(term, 0) + 1
    total = sympy.Integer(0)
    for mu, bucket in collected.items():
        wg = weingarten_class(mu, dd)
        total += wg * sympy.Add(*[n * t for t, n in bucket.items()])
    return sympy.expand(total) if isinstance(dd, int) else total


def trace_moment_numeric(As: Sequence[np.ndarray], Xs: Sequence[np.ndarray]) -> complex:
    """``E[Π_a tr(A_a V X_a V^†)]`` for concrete ``d × d`` numpy matrices (eq. E2, exact Wg in floats).

    The numeric counterpart of :func:`trace_moment` (Lemmas 1.2 and 10.4 of
    ``proofs/DERIVATION.md`` compare the two).

    Parameters
    ----------
    As, Xs : sequence of numpy.ndarray
        k square matrices each, all of one size ``d × d``.

    Returns
    -------
    complex
        ``1`` for k = 0.

    Raises
    ------
    ValueError
        If the lists differ in length or the matrices are not square of one size.
    WorkLimitError
        If ``(k!)²`` permutation pairs are out of reach (k > 6).

    Examples
    --------
    ``E tr(V X V†) = tr X``:

    >>> trace_moment_numeric([np.eye(2)], [np.diag([1.0, 0.0])])
    (1+0j)
    """
    k = _check_operator_lists(As, Xs)
    check_permutation_pairs(k, "trace_moment_numeric")
    mats = [np.asarray(m) for m in list(As) + list(Xs)]
    if not mats:
        return 1.0 + 0j
    d = mats[0].shape[0]
    for n, m in enumerate(mats):
        if m.ndim != 2 or m.shape != (d, d):
            raise ValueError(
                f"all As and Xs must be square matrices of one size d x d, got shape {m.shape} at position {n}"
            )
    wg = {}
    total = 0j
    cache: dict = {}

    def tr_perm(ops, perm, tag):
        key = (tag, perm)
        if key not in cache:
            val = 1.0 + 0j
            for cyc in cycles(perm):
                prod_m = np.eye(d, dtype=complex)
                for a in cyc:
                    prod_m = prod_m @ ops[a]
                val *= np.trace(prod_m)
            cache[key] = val
        return cache[key]

    for s, p, mu in _perm_pairs_by_class(k):
        if mu not in wg:
            wg[mu] = float(weingarten_class_fraction(mu, d))
        total += wg[mu] * tr_perm(As, s, "A") * tr_perm(Xs, p, "X")
    return complex(total)


def permutation_operator(perm: Sequence[int], d: int) -> np.ndarray:
    """The permutation operator ``P_σ`` on ``(C^d)^{⊗k}`` as a dense ``d^k × d^k`` matrix.

    ``P_σ |x_0 … x_{k-1}> = |x_{σ^{-1}(0)} … x_{σ^{-1}(k-1)}>``: tensor factor a is moved to slot σ(a).

    Parameters
    ----------
    perm : sequence of int
        A permutation of ``0..k-1`` (not checked).
    d : int
        The local dimension.

    Returns
    -------
    numpy.ndarray
        A real 0/1 matrix.

    Examples
    --------
    The swap of two qubits:

    >>> permutation_operator((1, 0), 2).astype(int).tolist()
    [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    """
    k = len(perm)
    dim = d**k
    eye = np.eye(dim).reshape((d,) * k + (dim,))
    # output slot perm[a] carries input slot a
    axes = [0] * k
    for a in range(k):
        axes[perm[a]] = a
    return np.transpose(eye, axes + [k]).reshape(dim, dim)


def twirl(X: np.ndarray, k: int) -> np.ndarray:
    """Exact ``E[V^{⊗k} X V^{†⊗k}]`` for Haar ``V ∈ U(d)`` (eq. E3), ``X`` of size ``d^k × d^k``.

    Uses ``Σ_{ρ,π} Wg(ρ^{-1}π, d) tr(P_π^† X) P_ρ``; correct also for ``d < k`` (pseudo-inverse).
    The independent check of (E2) in Lemma 10.4 of ``proofs/DERIVATION.md``, and the exact twirl
    of Lemmas 4.1 and 9.2.

    Parameters
    ----------
    X : numpy.ndarray
        A square matrix of size ``d^k``.
    k : int
        The number of tensor factors, ``k >= 1``.

    Returns
    -------
    numpy.ndarray
        Complex, the shape of ``X``.

    Raises
    ------
    ValueError
        If ``k`` is not a positive int or ``X`` is not square of size ``d^k``.
    WorkLimitError
        If k > 6 or the k! permutation operators need more than 2 GiB.

    Examples
    --------
    The twirl of ``|00><00|`` is ``(I + SWAP)/(d(d+1))``:

    >>> T = twirl(np.diag([1.0, 0.0, 0.0, 0.0]), 2)
    >>> ((6 * T).real.round(12) + 0.0).tolist()
    [[2.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 2.0]]
    """
    X = np.asarray(X)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if X.ndim != 2 or X.shape[0] != X.shape[1]:
        raise ValueError(f"X must be a square matrix of size d^k x d^k, got shape {X.shape}")
    d = round(X.shape[0] ** (1.0 / k))
    if d**k != X.shape[0]:
        raise ValueError(f"X must have size d^k x d^k for k = {k}; {X.shape[0]} is not a k-th power")
    check_permutation_pairs(k, "twirl")
    need = factorial(k) * X.shape[0] ** 2 * 8  # the k! permutation operators, float64
    if need > 2 * 2**30:
        raise WorkLimitError(
            f"twirl at k = {k}, d = {d} is out of reach: its k! = {factorial(k)} permutation "
            f"operators of size {X.shape[0]}² need {need / 2**30:.3g} GiB (limit 2 GiB)"
        )
    perms = [tuple(p) for p in _all_perms(range(k))]
    ops = [permutation_operator(p, d) for p in perms]
    b = np.array([np.trace(P.conj().T @ X) for P in ops])
    out = np.zeros_like(X, dtype=complex)
    for r, rho in enumerate(perms):
        coeff = 0j
        for q, pi in enumerate(perms):
            coeff += float(weingarten_class_fraction(cycle_type(compose(inverse(rho), pi)), d)) * b[q]
        out += coeff * ops[r]
    return out
