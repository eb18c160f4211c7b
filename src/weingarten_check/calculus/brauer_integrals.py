"""Haar integrals over O(d) and Sp(d): monomials, trace moments of abstract operators, the twirl.

Built on :mod:`.brauer` (pairings and the O/Sp Weingarten functions; its docstring fixes the
conventions).  Lemma 16 of ``proofs/DERIVATION.md`` checks these against the Gram matrix, the
second-moment Brauer elements and Monte Carlo.

Monomials (2p factors; an odd number integrates to 0)::

    E_O[Π_a O_{i_a j_a}]  = Σ_{m,n} Δ_m(i) Δ_n(j) Wg^O(ρ(m,n); d)                        (M_O)
    E_Sp[Π_a U_{i_a j_a}] = Σ_{m,n} J_m(i) J_n(j) ε_m ε_n Wg^Sp(ρ(m,n); d)                (M_Sp)

over pairings m, n of the 2p factors (``Δ_m(i) = Π_{{a<b}∈m} δ(i_a, i_b)``, ``J_m(i) =
Π_{{a<b}∈m} J[i_a, i_b]``, ``J[k, k + d/2] = 1 = -J[k + d/2, k]``).  Sp indices are ``0..d-1`` for
integer d; for a symbolic d give each index as a pair ``(k, s)``, meaning ``k + s·d/2`` (s ∈ {0, 1}).
At p = 1 this is ``E_Sp[U_{ij} U_{kl}] = J[i,k] J[j,l]/d`` (tests/test_brauer_integrals.py checks
it by Monte Carlo and against haarpy 0.1.1's ``haar_integral_symplectic``, which agrees).

Trace moments, from (M_O) by contracting indices (``tr(A O X O^T) = A_{αβ} O_{βγ} X_{γε} O_{αε}``)::

    E[Π_{a<k} tr(A_a O X_a O^T)] = Σ_{m,n} Wg^O(ρ(m,n); d) tr_m(A) tr_n(X)                (T_O)

with m, n pairings of the 2k entries (entry 2a = ``O_{βγ}``, 2a+1 = ``O_{αε}`` of factor a) and
``tr_m(A)`` the product over the loops of (the A-edges ``2a+1 → 2a``) ∪ m of the traces of the words
read along them (``A^T`` where an edge is walked backwards).  The twirl::

    E[O^{⊗k} X O^{T⊗k}] = Σ_{m,n} Wg^O(ρ(m,n); d) tr(B_n^T X) B_m                         (Tw_O)

over pairings of the 2k tensor slots (k row slots, then k column slots), ``B_m[i, j] = Δ_m(i ∪ j)``:
for k = 2 the three Brauer elements ``1``, ``SWAP`` and ``d |Φ⁺⟩⟨Φ⁺|`` (the partial transpose of SWAP).

Examples
--------
>>> import sympy; d = sympy.Symbol("d")
>>> haar_integral_orthogonal([0, 0, 0, 0], [0, 0, 0, 0], d)   # E O_11^4 = 3/(d(d+2))
3/(d*(d + 2))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from math import prod
from typing import Any

import numpy as np
import sympy

from .brauer import (
    check_group_dimension,
    check_pairing_order,
    coset_type_of_pairings,
    pairing_sign,
    pairings,
    weingarten_value,
)
from .limits import WorkLimitError

__all__ = [
    "MAX_PAIRING_PAIRS",
    "haar_integral_orthogonal",
    "haar_integral_symplectic",
    "haar_integral_group",
    "transpose_symbol",
    "trace_moment_orthogonal",
    "trace_moment_orthogonal_numeric",
    "twirl_orthogonal",
    "brauer_operator",
]

#: largest number of (m, n) pairing pairs summed by one integral
MAX_PAIRING_PAIRS = 2_000_000


def _check_pairs(count: int, what: str) -> None:
    if count > MAX_PAIRING_PAIRS:
        raise WorkLimitError(
            f"{what} is out of reach: it sums over {count} pairs of pairings (limit {MAX_PAIRING_PAIRS}); "
            "use fewer factors or fewer repeated indices"
        )


def _compatible_pairings(labels: Sequence[Any]) -> list[tuple[int, ...]]:
    """Pairings that pair only positions with equal labels (``Δ_m ≠ 0``)."""
    n = len(labels)
    out: list[tuple[int, ...]] = []
    mate = [-1] * n

    def rec() -> None:
        try:
            a = mate.index(-1)
        except ValueError:
            out.append(tuple(mate))
            return
        for b in range(a + 1, n):
            if mate[b] == -1 and labels[b] == labels[a]:
                mate[a], mate[b] = b, a
                rec()
                mate[a] = mate[b] = -1

    rec()
    return out


def _indices(name: str, seq: Any, d: Any, pairs: bool = False) -> tuple:
    if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
        raise TypeError(f"{name} must be a sequence of 0-based integer indices, got {seq!r}")
    out = []
    for x in seq:
        if pairs:
            if (
                not isinstance(x, (tuple, list))
                or len(x) != 2
                or any(isinstance(y, bool) or not isinstance(y, (int, np.integer)) for y in x)
                or x[0] < 0
                or x[1] not in (0, 1)
            ):
                raise ValueError(
                    f"{name}: with a symbolic d, Sp indices are pairs (k, s), k >= 0 and s in {{0, 1}} "
                    f"(the index k + s*d/2), got {tuple(seq)!r}"
                )
            out.append((int(x[0]), int(x[1])))
            continue
        if isinstance(x, bool) or not isinstance(x, (int, np.integer, sympy.Integer)) or int(x) < 0:
            raise ValueError(f"{name} must contain nonnegative integers (0-based indices), got {tuple(seq)!r}")
        out.append(int(x))
    if isinstance(d, int) and not pairs and any(x >= d for x in out):
        raise ValueError(f"{name} has an index >= d = {d}: indices are 0-based, got {tuple(out)!r}")
    return tuple(out)


def _sum_by_type(group: str, weights_m, weights_n, d: Any) -> sympy.Expr:
    _check_pairs(len(weights_m) * len(weights_n), f"the {group}(d) monomial integral")
    hist: Counter = Counter()
    for m, wm in weights_m:
        for n, wn in weights_n:
            hist[coset_type_of_pairings(m, n)] += wm * wn
    total = sympy.Add(*[c * weingarten_value(group, rho, d) for rho, c in hist.items() if c])
    return total if isinstance(d, int) else sympy.factor(sympy.cancel(total))


def haar_integral_orthogonal(i: Sequence[int], j: Sequence[int], d: Any) -> sympy.Expr:
    """Exact ``E[Π_a O[i_a, j_a]]`` for Haar ``O ∈ O(d)`` (eq. (M_O)).

    Parameters
    ----------
    i, j : sequence of int
        Row and column indices (0-based) of the factors, of one length.
    d : int or sympy.Symbol
        A positive integer or a Symbol (valid for ``d ≥ p`` and larger than every index).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError, ValueError
        Bad indices (negative, ``>= d``), different lengths, or a bad ``d``.
    WorkLimitError
        If the compatible pairings are too many.

    Examples
    --------
    >>> haar_integral_orthogonal([0, 0, 1, 1], [0, 0, 1, 1], 2)   # E O_11^2 O_22^2 on O(2)
    3/8
    >>> haar_integral_orthogonal([0], [0], 3)
    0
    """
    dd = check_group_dimension("O", d)
    ii, jj = _indices("i", i, dd), _indices("j", j, dd)
    if len(ii) != len(jj):
        raise ValueError(
            f"i and j must have the same length (one (row, column) pair per factor), got {len(ii)} and {len(jj)}"
        )
    if len(ii) % 2:
        return sympy.Integer(0)
    check_pairing_order(len(ii) // 2)
    if not ii:
        return sympy.Integer(1)
    wm = [(m, 1) for m in _compatible_pairings(ii)]
    wn = [(n, 1) for n in _compatible_pairings(jj)]
    return _sum_by_type("O", wm, wn, dd)


def _j_weight(m: tuple[int, ...], idx: tuple) -> int:
    """``ε_m J_m(idx)`` for Sp indices given as pairs (k, s)."""
    val = pairing_sign(m)
    for a in range(len(m)):
        b = m[a]
        if a < b:
            (ka, sa), (kb, sb) = idx[a], idx[b]
            if ka != kb or sa == sb:
                return 0
            val *= sb - sa
    return val


def haar_integral_symplectic(i: Sequence[Any], j: Sequence[Any], d: Any) -> sympy.Expr:
    """Exact ``E[Π_a U[i_a, j_a]]`` for Haar ``U ∈ Sp(d)`` (eq. (M_Sp); ``U J U^T = J``, d even).

    Parameters
    ----------
    i, j : sequence
        Row and column indices: ints ``0..d-1`` for an integer d; pairs ``(k, s)`` (the index
        ``k + s·d/2``) for a symbolic d (also accepted for an integer d).
    d : int or sympy.Symbol
        An even positive integer or a Symbol (valid for even ``d ≥ 2p``, ``d/2`` larger than every k).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> haar_integral_symplectic([0, 1], [0, 1], 2)   # E[U_00 U_11] = J[0,1] J[0,1] / d
    1/2
    >>> import sympy
    >>> haar_integral_symplectic([(0, 0), (0, 1)], [(0, 1), (0, 0)], sympy.Symbol("d"))
    -1/d
    """
    dd = check_group_dimension("Sp", d)
    pairs = not isinstance(dd, int) or (len(i) and isinstance(i[0], (tuple, list)))
    ii, jj = _indices("i", i, dd, pairs), _indices("j", j, dd, pairs)
    if len(ii) != len(jj):
        raise ValueError(
            f"i and j must have the same length (one (row, column) pair per factor), got {len(ii)} and {len(jj)}"
        )
    if not pairs:
        n = dd // 2
        ii = tuple((x % n, x // n) for x in ii)
        jj = tuple((x % n, x // n) for x in jj)
    elif isinstance(dd, int) and any(k >= dd // 2 for k, _ in ii + jj):
        raise ValueError(f"Sp index pairs (k, s) need k < d/2 = {dd // 2}, got i={ii!r}, j={jj!r}")
    if len(ii) % 2:
        return sympy.Integer(0)
    check_pairing_order(len(ii) // 2)
    if not ii:
        return sympy.Integer(1)
    wm = [(m, w) for m in _compatible_pairings([k for k, _ in ii]) if (w := _j_weight(m, ii))]
    wn = [(n, w) for n in _compatible_pairings([k for k, _ in jj]) if (w := _j_weight(n, jj))]
    return _sum_by_type("Sp", wm, wn, dd)


def haar_integral_group(group: str, i: Sequence[Any], j: Sequence[Any], d: Any, i_conj=(), j_conj=()) -> sympy.Expr:
    """``E[Π U[i_a, j_a] Π conj(U[i'_b, j'_b])]`` over ``U``, ``O`` or ``Sp`` through one interface.

    For O, conjugate factors are plain entries (O is real); for Sp, ``conj(U) = J U J^T`` is
    expanded into entries (``conj(U)[a, b] = Σ J[a, x] U[x, y] J[b, y]``, one nonzero term).

    Parameters
    ----------
    group : str
    i, j : sequence
        Indices of the ``U`` factors.
    d : int or sympy.Symbol
    i_conj, j_conj : sequence, default ()
        Indices of the ``conj(U)`` factors (for Sp with a symbolic d, pairs ``(k, s)`` as ``i``).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> haar_integral_group("U", [0], [0], 2, [0], [0]), haar_integral_group("O", [0], [0], 2, [0], [0])
    (1/2, 1/2)
    >>> haar_integral_group("Sp", [0], [0], 2, [0], [0])
    1/2
    """
    from .brauer import check_group

    g = check_group(group)
    if g == "U":
        from .unitary_integrals import haar_integral

        return haar_integral(i, j, i_conj, j_conj, d)
    if len(i_conj) != len(j_conj):
        raise ValueError(f"i_conj and j_conj must have the same length, got {len(i_conj)} and {len(j_conj)}")
    if g == "O":
        return haar_integral_orthogonal(list(i) + list(i_conj), list(j) + list(j_conj), d)
    dd = check_group_dimension("Sp", d)
    as_pairs = not isinstance(dd, int) or any(isinstance(x, (tuple, list)) for x in list(i) + list(i_conj))
    if as_pairs:
        ii = list(_indices("i", i, dd, True))
        jj = list(_indices("j", j, dd, True))
        ic = _indices("i_conj", i_conj, dd, True)
        jc = _indices("j_conj", j_conj, dd, True)
        flip = [((k, 1 - s), 1 if s == 0 else -1) for k, s in ic + jc]
    else:
        n = dd // 2
        ii, jj = list(i), list(j)
        ic = _indices("i_conj", i_conj, dd)
        jc = _indices("j_conj", j_conj, dd)
        flip = [((x + n) % dd, 1 if x < n else -1) for x in ic + jc]
    # conj(U)[a, b] = (J U J^T)[a, b] = J[a, a'] U[a', b'] J[b, b'] with a' = a ± d/2: sign +1 on the
    # first half, -1 on the second, for the row and for the column
    sign = prod(s for _, s in flip)
    ii += [x for x, _ in flip[: len(ic)]]
    jj += [x for x, _ in flip[len(ic) :]]
    return sign * haar_integral_symplectic(ii, jj, dd)


# --------------------------------------------------------------------------- trace moments


def transpose_symbol(a: sympy.Symbol) -> sympy.Symbol:
    """The noncommutative symbol standing for the transpose of ``a`` (named ``aᵀ``; involutive).

    Examples
    --------
    >>> A = sympy.Symbol("A", commutative=False)
    >>> transpose_symbol(A), transpose_symbol(transpose_symbol(A)) == A
    (Aᵀ, True)
    """
    name = str(a)
    return sympy.Symbol(name[:-1] if name.endswith("ᵀ") else name + "ᵀ", commutative=False)


def _operator_word(op: Any, name: str) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    op = sympy.sympify(op)
    if op.is_commutative:
        return op, ()
    factors = op.args_cnc() if isinstance(op, sympy.Mul) else ([], [op])
    coeff, nc = factors
    word: list[sympy.Symbol] = []
    for f in nc:
        if isinstance(f, sympy.Symbol):
            word.append(f)
        elif isinstance(f, sympy.Pow) and isinstance(f.base, sympy.Symbol) and f.exp.is_Integer and f.exp > 0:
            word.extend([f.base] * int(f.exp))
        else:
            raise TypeError(
                f"{name} must be a product of noncommutative sympy Symbols (e.g. A*B), a scalar or 1, got {op!r}"
            )
    return sympy.Mul(*coeff), tuple(word)


def _transpose_word(word: tuple) -> tuple:
    return tuple(transpose_symbol(s) for s in reversed(word))


def _trace(word: tuple, d: Any) -> sympy.Expr:
    """tr of a word, canonical under rotation and ``tr(W) = tr(W^T)``."""
    from .unitary_integrals import Tr

    if not word:
        return sympy.sympify(d)
    best = None
    for w in (word, _transpose_word(word)):
        names = [str(s) for s in w]
        n = len(w)
        s = min(range(n), key=lambda t: names[t:] + names[:t])
        cand = (names[s:] + names[:s], w[s:] + w[:s])
        if best is None or cand[0] < best[0]:
            best = cand
    return Tr(*best[1])


def _loop_words(m: tuple[int, ...], words: list, forward_odd: bool) -> list[tuple[list[int], tuple]]:
    """Walk the loops of (operator edges) ∪ m: returns (factor indices, word) per loop.

    Factor a's operator joins slots 2a and 2a+1.  With ``forward_odd`` (the A's) entering at slot
    2a+1 reads ``A_a`` and leaves at 2a; entering at 2a reads ``A_aᵀ``.  Otherwise (the X's) entering
    at 2a reads ``X_a`` and entering at 2a+1 reads ``X_aᵀ``.
    """
    n = len(m)
    seen = [False] * n
    out = []
    for start in range(n):
        if seen[start]:
            continue
        word: list = []
        facs: list[int] = []
        y = start
        while not seen[y]:
            a, odd = divmod(y, 2)
            seen[y] = seen[y ^ 1] = True
            facs.append(a)
            w = words[a]
            forward = bool(odd) == forward_odd
            word.extend(w if forward else _transpose_word(w))
            y = m[y ^ 1]
        out.append((facs, tuple(word)))
    return out


def trace_moment_orthogonal(As: Sequence[Any], Xs: Sequence[Any], d: Any) -> sympy.Expr:
    """``E[Π_a tr(A_a O X_a O^T)]`` for Haar ``O ∈ O(d)`` and abstract operators (eq. (T_O)).

    The traces in the result are :class:`~weingarten_check.calculus.unitary_integrals.Tr` of words
    in the given symbols and their transposes (:func:`transpose_symbol`, ``Aᵀ``), each word in a
    canonical form under rotation and ``tr(W) = tr(Wᵀ)``.  Lemma 16 of ``proofs/DERIVATION.md``
    uses k = 2 (three Brauer elements).

    Parameters
    ----------
    As, Xs : sequence
        k operators each: noncommutative Symbols, products of them, scalars, or 1 (``tr 1 = d``).
    d : int or sympy.Symbol

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError, ValueError
        Bad operators, lists of different lengths, or a bad ``d``.
    WorkLimitError
        If ``((2k-1)!!)²`` pairing pairs are out of reach (k > 6).

    Examples
    --------
    >>> A, X = sympy.symbols("A X", commutative=False)
    >>> trace_moment_orthogonal([A], [X], sympy.Symbol("d"))
    tr(A)*tr(X)/d
    """
    dd = check_group_dimension("O", d)
    if isinstance(As, (str, bytes)) or isinstance(Xs, (str, bytes)) or len(As) != len(Xs):
        raise ValueError("As and Xs must be sequences of operators of the same length k")
    k = len(As)
    if k == 0:
        return sympy.Integer(1)
    check_pairing_order(k)
    a_cw = [_operator_word(a, f"As[{t}]") for t, a in enumerate(As)]
    x_cw = [_operator_word(x, f"Xs[{t}]") for t, x in enumerate(Xs)]
    coeff = prod((c for c, _ in a_cw + x_cw), start=sympy.Integer(1))
    ps = pairings(2 * k)
    _check_pairs(len(ps) ** 2, "trace_moment_orthogonal")

    trace_ids: dict = {}
    trace_objs: list = []

    def traces(m, cw, forward_odd) -> tuple[int, ...]:
        ids = []
        for _, w in _loop_words(m, [w for _, w in cw], forward_odd):
            t = _trace(w, dd)
            if t not in trace_ids:
                trace_ids[t] = len(trace_objs)
                trace_objs.append(t)
            ids.append(trace_ids[t])
        return tuple(sorted(ids))

    ta = [traces(m, a_cw, True) for m in ps]
    tx = [traces(n, x_cw, False) for n in ps]
    # one pass over the ((2k-1)!!)² pairs: per coset type, the multiset of trace monomials
    buckets: dict = {}
    for a, m in enumerate(ps):
        for b, n in enumerate(ps):
            bucket = buckets.setdefault(coset_type_of_pairings(m, n), Counter())
            bucket[tuple(sorted(ta[a] + tx[b]))] += 1

    def monomial(key: tuple[int, ...]) -> sympy.Expr:
        return sympy.Mul(*[trace_objs[t] ** e for t, e in Counter(key).items()])

    if isinstance(dd, int):  # exact rational coefficient per trace monomial, no expand
        coeffs: dict = {}
        for rho, bucket in buckets.items():
            w = weingarten_value("O", rho, dd)
            for key, c in bucket.items():
                coeffs[key] = coeffs.get(key, 0) + c * w
        return coeff * sympy.Add(*[c * monomial(key) for key, c in coeffs.items() if c])
    total = sympy.Add(
        *[
            weingarten_value("O", rho, dd) * sympy.Add(*[c * monomial(key) for key, c in bucket.items()])
            for rho, bucket in buckets.items()
        ]
    )
    return coeff * total


def brauer_operator(m: Sequence[int], d: int) -> np.ndarray:
    """``B_m``: the ``d^k × d^k`` 0/1 matrix of a pairing m of the 2k slots (k row slots, k column slots).

    ``B_m[i, j] = Π_{{a,b} ∈ m} δ(x_a, x_b)`` with ``x = (i_0 … i_{k-1}, j_0 … j_{k-1})``.

    Examples
    --------
    >>> brauer_operator((2, 3, 0, 1), 2).astype(int).tolist()   # the identity on (R^2)^⊗2
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    >>> brauer_operator((1, 0, 3, 2), 2).astype(int).tolist()   # d |Φ+><Φ+|
    [[1, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 1]]
    """
    n = len(m)
    k = n // 2
    t = np.ones((d,) * n)
    eye = np.eye(d)
    for a in range(n):
        b = m[a]
        if a < b:
            shape = [1] * n
            shape[a] = shape[b] = d
            t = t * eye.reshape(shape)
    return t.reshape(d**k, d**k)


def twirl_orthogonal(X: np.ndarray, k: int) -> np.ndarray:
    """Exact ``E[O^{⊗k} X O^{T⊗k}]`` for Haar ``O ∈ O(d)`` (eq. (Tw_O)), ``X`` of size ``d^k × d^k``.

    The Hilbert–Schmidt projection of X onto the span of the Brauer operators (the commutant of
    ``O^{⊗k}``); correct for every d (pseudo-inverse).

    Parameters
    ----------
    X : numpy.ndarray
        Square, of size ``d^k``.
    k : int
        The number of tensor factors, 1 <= k <= 6.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    The O(2) twirl of ``|00><00|`` is ``(1 + SWAP + 2|Φ⁺><Φ⁺|)/(d(d+2))`` with d = 2:

    >>> T = twirl_orthogonal(np.diag([1.0, 0.0, 0.0, 0.0]), 2)
    >>> ((8 * T).round(12) + 0.0).tolist()
    [[3.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 3.0]]
    """
    X = np.asarray(X)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 6:
        raise ValueError(f"k must be an integer in 1..6, got {k!r}")
    if X.ndim != 2 or X.shape[0] != X.shape[1]:
        raise ValueError(f"X must be a square matrix of size d^k x d^k, got shape {X.shape}")
    d = round(X.shape[0] ** (1.0 / k))
    if d**k != X.shape[0]:
        raise ValueError(f"X must have size d^k x d^k for k = {k}; {X.shape[0]} is not a k-th power")
    ps = pairings(2 * k)
    need = len(ps) * X.size * 8
    if need > 2 * 2**30:
        raise WorkLimitError(
            f"twirl_orthogonal at k = {k}, d = {d} needs {need / 2**30:.3g} GiB for its Brauer operators (limit 2 GiB)"
        )
    ops = [brauer_operator(m, d) for m in ps]
    b = np.array([np.sum(B * X) for B in ops])
    wg: dict = {}
    out = np.zeros(X.shape, dtype=np.result_type(X.dtype, float))
    for r, m in enumerate(ps):
        coeff = 0.0
        for q, n in enumerate(ps):
            rho = coset_type_of_pairings(m, n)
            if rho not in wg:
                v = weingarten_value("O", rho, d)
                wg[rho] = float(Fraction(int(v.p), int(v.q)))
            coeff = coeff + wg[rho] * b[q]
        out = out + coeff * ops[r]
    return out


def trace_moment_orthogonal_numeric(As: Sequence[np.ndarray], Xs: Sequence[np.ndarray]) -> complex:
    """``E[Π_a tr(A_a O X_a O^T)]`` for concrete ``d × d`` matrices, via the twirl of ``⊗_a X_a``.

    ``Π_a tr(A_a O X_a O^T) = tr((⊗A_a) O^{⊗k} (⊗X_a) O^{T⊗k})``, so the moment is
    ``tr((⊗A_a) · twirl_orthogonal(⊗X_a))`` — an independent route to (T_O).

    Examples
    --------
    >>> trace_moment_orthogonal_numeric([np.eye(2)], [np.diag([1.0, 0.0])])
    (1+0j)
    """
    if len(As) != len(Xs) or not len(As):
        raise ValueError("As and Xs must be nonempty sequences of the same length k")
    a_big, x_big = np.array([[1.0]]), np.array([[1.0]])
    for a, x in zip(As, Xs):
        a_big, x_big = np.kron(a_big, np.asarray(a)), np.kron(x_big, np.asarray(x))
    return complex(np.trace(a_big @ twirl_orthogonal(x_big, len(As))))
