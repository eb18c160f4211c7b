"""Weingarten functions of O(d) and Sp(d): pairings, coset types and zonal spherical functions.

One mechanism serves both groups (Collins & Śniady 2006; Collins & Matsumoto 2009, 2017;
Matsumoto 2013; Macdonald, *Symmetric functions*, ch. VII).  Lemma 16 of
``proofs/DERIVATION.md`` checks its defining facts.

Conventions
-----------
* A *pairing* of ``2p`` points ``0..2p-1`` is a tuple ``m`` with ``m[a]`` the partner of ``a``
  (a fixed-point-free involution).  The identity pairing is ``e = {0,1}{2,3}…{2p-2,2p-1}``.
* The *coset type* of two pairings ``m, n`` is the partition of p formed by the half-lengths of
  the loops of the graph ``m ∪ n``; that of a permutation ``σ ∈ S_{2p}`` is the coset type of
  ``e`` and ``σ(e) = {σ(0),σ(1)}…``.  It is constant on double cosets ``H_p σ H_p`` of the
  hyperoctahedral group ``H_p``.
* Group ``"O"``: ``O(d)``.  ``E[Π_{a<2p} O_{i_a j_a}] = Σ_{m,n} Δ_m(i) Δ_n(j) Wg^O(m, n; d)``
  with ``Δ_m(i) = Π_{{a<b} ∈ m} δ(i_a, i_b)`` and ``Wg^O`` the (pseudo-)inverse of the pairing
  Gram matrix ``G(m, n) = d^{#loops(m ∪ n)}``.  ``Wg^O(m, n; d)`` depends on the coset type only.
* Group ``"Sp"``: ``Sp(d) = {U ∈ U(d) : U J U^T = J}``, d even, ``J = [[0, I], [-I, 0]]``
  (``J[k, k + d/2] = 1``).  ``E[Π_a U_{i_a j_a}] = Σ_{m,n} J_m(i) J_n(j) Wg^Sp(m, n; d)``
  with ``J_m(i) = Π_{{a<b} ∈ m} J[i_a, i_b]`` (each pair read with a < b) and ``Wg^Sp`` the
  (pseudo-)inverse of ``G^Sp(m, n) = Σ_i J_m(i) J_n(i)``.  It depends on the coset type up to a
  sign: ``Wg^Sp(m, n) = ε_m ε_n (-1)^p Wg^O(ρ; -d)`` (ρ the coset type of (m, n); ``ε_m`` the sign
  of the permutation listing the pairs of m, each as (a, b) with a < b, in increasing order of a).
  ``weingarten_symplectic(ρ, d)`` is its value at ``m = e`` and the canonical pairing of type ρ
  (:func:`coset_representative`, ``ε = +1``), i.e. ``(-1)^p Wg^O(ρ; -d)``: ``1/d`` at p = 1,
  so ``E[U_{ij} U_{kl}] = J[i,k] J[j,l]/d``.  A permutation σ is read as the pairing ``σ(e)``:
  ``weingarten_symplectic(σ, d) = Wg^Sp(e, σ(e)) = ε_{σ(e)} (-1)^p Wg^O(ρ; -d)``.  haarpy 0.1.1's
  ``weingarten_symplectic(σ, n)`` is the twisted function ``ε(σ) ·`` (the same value at the
  representative with ``ε(σ) = +1``): the two agree on permutations listing the pairs of a pairing
  as (a < b) in increasing order of a, and differ by the sign of the element of ``H_p`` otherwise —
  already at p = 1: for σ = (1, 0) ours is ``1/d``, haarpy's ``-1/d`` (``-1/(2n)``).

Formula (Collins & Matsumoto 2009, Thm 3.1; Matsumoto 2013)::

    Wg^O(ρ; d) = (2^p p! / (2p)!) Σ_{λ ⊢ p} f^{2λ} ω^λ(ρ) / Z_λ(1^d),
    Z_λ(1^d) = Π_{(i,j) ∈ λ} (d + 2j - i)          (0-based cells)               (WgO)

with ``f^{2λ}`` the dimension of the S_{2p} irrep ``2λ = (2λ_1, 2λ_2, …)`` and ``ω^λ`` the zonal
spherical function of the Gelfand pair ``(S_{2p}, H_p)``.  We get ``ω^λ`` from the zonal
polynomial ``Z_λ = J_λ^{(2)} = 2^p p! Σ_ρ z_{2ρ}^{-1} ω^λ(ρ) p_ρ`` (Macdonald VII (2.13),
``z_{2ρ} = 2^{ℓ(ρ)} z_ρ``), and the Jack polynomial ``J^{(α)}_λ`` by Gram–Schmidt of the monomial
functions (in an order refining dominance) for ``⟨p_ρ, p_σ⟩ = δ z_ρ α^{ℓ(ρ)}`` — the unique
orthogonal, unitriangular basis (Macdonald VI (10.13)) — normalised by
``c_λ(α) = Π_{s ∈ λ} (α a(s) + l(s) + 1)`` (VI (10.22)).  For Sp, ``(-1)^p Wg^O(ρ; -d)`` is the
same sum with ``Z_λ`` replaced by ``Π (d - 2j + i)``: one formula, the *content* ``2j - i`` of a
cell negated.  The eigenvalues of the Gram matrix on the λ-isotypic part are proportional to
``Z_λ(1^{±d})``.

* Integer ``d``: terms with a vanishing factor are dropped (O: ``ℓ(λ) > d``; Sp: ``λ_1 > d/2``).
  This is the Moore–Penrose pseudo-inverse of the Gram matrix (Collins & Matsumoto 2017), and the
  Haar integrals built from it are exact for every d (checked against Monte Carlo).
* Symbolic ``d``: the rational function in lowest terms, valid for integer ``d ≥ p`` (O) and
  ``d ≥ 2p`` (Sp); do not substitute smaller d — pass the integer.

Examples
--------
>>> import sympy; d = sympy.Symbol("d")
>>> weingarten_orthogonal((1, 1), d)
(d + 1)/(d*(d - 1)*(d + 2))
>>> weingarten_symplectic((2,), 4)   # 1/(d (d - 2) (d + 1)) at d = 4
1/40
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from functools import cache
from math import factorial, gcd, prod
from typing import Any

import numpy as np
import sympy
from flint import fmpq, fmpq_mat, fmpq_poly

from .limits import WorkLimitError, partition_count
from .symmetric_group import Partition, as_partition, as_permutation, centralizer_order, dimension, partitions
from .unitary import check_dimension, weingarten_unitary

__all__ = [
    "GROUPS",
    "MAX_PAIRING_ORDER",
    "check_group",
    "check_group_dimension",
    "check_pairing_order",
    "weingarten_value",
    "pairings",
    "loops",
    "coset_type",
    "coset_type_of_pairings",
    "coset_representative",
    "pairing_sign",
    "zonal_spherical_function",
    "weingarten_orthogonal",
    "weingarten_symplectic",
    "weingarten_group",
    "weingarten_group_all",
    "pairing_gram_matrix",
    "pairing_weingarten_matrix",
    "clear_brauer_caches",
]

#: the groups the engine integrates over
GROUPS = ("U", "O", "Sp")
#: largest p (2p indices) for O/Sp Weingarten values: p(p) partitions, a p(p)-dim Gram–Schmidt
MAX_PAIRING_ORDER = 16


def check_group(group: Any, name: str = "group") -> str:
    """Return ``group`` as one of ``"U"``, ``"O"``, ``"Sp"`` (case-insensitive).

    Parameters
    ----------
    group : str
    name : str, default "group"

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``group`` is not one of U, O, Sp.

    Examples
    --------
    >>> check_group("sp"), check_group("O")
    ('Sp', 'O')
    """
    if isinstance(group, str):
        for g in GROUPS:
            if group.strip().lower() == g.lower():
                return g
    raise ValueError(f"{name} must be one of U, O, Sp (the unitary, orthogonal or symplectic group), got {group!r}")


def check_group_dimension(group: str, d: Any, name: str = "d") -> int | sympy.Symbol:
    """A dimension of the group: as :func:`check_dimension`, and even for Sp when an integer.

    Parameters
    ----------
    group : str
        ``"U"``, ``"O"`` or ``"Sp"``.
    d : int or sympy.Symbol
    name : str, default "d"

    Returns
    -------
    int or sympy.Symbol

    Raises
    ------
    ValueError
        If ``d`` is not a dimension, or odd for Sp.

    Examples
    --------
    >>> check_group_dimension("Sp", 4)
    4
    >>> check_group_dimension("Sp", 3)
    Traceback (most recent call last):
    ...
    ValueError: d must be even for Sp(d) (d = 2n, the matrices are d x d), got 3
    """
    g = check_group(group)
    dd = check_dimension(d, name)
    if g == "Sp" and isinstance(dd, int) and dd % 2:
        raise ValueError(f"{name} must be even for Sp(d) (d = 2n, the matrices are d x d), got {dd}")
    return dd


def check_pairing_order(p: Any, name: str = "p") -> int:
    """Return ``p`` (2p indices) as an int, refusing what the O/Sp engine cannot reach.

    Raises
    ------
    ValueError
        If ``p`` is not a nonnegative int.
    WorkLimitError
        If ``p > MAX_PAIRING_ORDER``.

    Examples
    --------
    >>> check_pairing_order(8)
    8
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or int(p) < 0:
        raise ValueError(f"{name} must be a nonnegative integer (2p indices), got {p!r}")
    p = int(p)
    if p > MAX_PAIRING_ORDER:
        raise WorkLimitError(
            f"the O/Sp Weingarten function at p = {p} is out of reach: the zonal spherical functions need a "
            f"Gram–Schmidt over all p(p) = {partition_count(p)} partitions of p; the limit is p <= {MAX_PAIRING_ORDER}"
        )
    return p


# --------------------------------------------------------------------------- pairings


def pairings(n: int) -> list[tuple[int, ...]]:
    """All ``(n-1)!!`` pairings of ``0..n-1`` (n even), each as the tuple of partners.

    Parameters
    ----------
    n : int
        An even number of points.

    Returns
    -------
    list of tuple

    Examples
    --------
    >>> pairings(4)
    [(1, 0, 3, 2), (2, 3, 0, 1), (3, 2, 1, 0)]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0 or n % 2:
        raise ValueError(f"n must be an even nonnegative number of points, got {n!r}")
    out: list[tuple[int, ...]] = []
    mate = [-1] * n

    def rec() -> None:
        try:
            a = mate.index(-1)
        except ValueError:
            out.append(tuple(mate))
            return
        for b in range(a + 1, n):
            if mate[b] == -1:
                mate[a], mate[b] = b, a
                rec()
                mate[a] = mate[b] = -1

    rec()
    return out


def loops(m: tuple[int, ...], n: tuple[int, ...]) -> list[list[int]]:
    """The loops of ``m ∪ n``: each a list of points, walked ``a, m[a], n[m[a]], …`` from its least point.

    Examples
    --------
    >>> loops((1, 0, 3, 2), (3, 2, 1, 0))
    [[0, 1, 2, 3]]
    """
    seen = [False] * len(m)
    out = []
    for s in range(len(m)):
        if seen[s]:
            continue
        cyc = []
        a = s
        while True:
            cyc.append(a)
            seen[a] = True
            b = m[a]
            cyc.append(b)
            seen[b] = True
            a = n[b]
            if a == s:
                break
        out.append(cyc)
    return out


def coset_type_of_pairings(m: tuple[int, ...], n: tuple[int, ...]) -> Partition:
    """The coset type of two pairings: the half-lengths of the loops of ``m ∪ n``, non-increasing.

    Examples
    --------
    >>> coset_type_of_pairings((1, 0, 3, 2), (1, 0, 3, 2)), coset_type_of_pairings((1, 0, 3, 2), (2, 3, 0, 1))
    ((1, 1), (2,))
    """
    return tuple(sorted((len(c) // 2 for c in loops(m, n)), reverse=True))


def _identity_pairing(p: int) -> tuple[int, ...]:
    return tuple(a ^ 1 for a in range(2 * p))


def _pairing_of(sigma: tuple[int, ...]) -> tuple[int, ...]:
    mate = [0] * len(sigma)
    for k in range(0, len(sigma), 2):
        a, b = sigma[k], sigma[k + 1]
        mate[a], mate[b] = b, a
    return tuple(mate)


def coset_type(sigma: Any) -> Partition:
    """The coset type of a permutation ``σ ∈ S_{2p}`` (images of ``0..2p-1``), or of a coset type given as such.

    A sequence containing 0 is read as a permutation, one of positive integers as a partition of p.

    Examples
    --------
    >>> coset_type((0, 2, 1, 3)), coset_type((2, 1)), coset_type((1, 0, 3, 2))
    ((2,), (2, 1), (1, 1))
    """
    items = list(sigma.array_form) if getattr(sigma, "array_form", None) is not None else list(sigma)
    if not items:
        return ()
    if any(not isinstance(x, bool) and isinstance(x, (int, np.integer, sympy.Integer)) and int(x) == 0 for x in items):
        perm = as_permutation(items, "sigma")
        if len(perm) % 2:
            raise ValueError(
                f"sigma must be a permutation of an even number 2p of points (2p indices), got {len(perm)} points"
            )
        return coset_type_of_pairings(_identity_pairing(len(perm) // 2), _pairing_of(perm))
    return as_partition(items, "sigma")


def coset_representative(rho: Any) -> tuple[int, ...]:
    """The canonical pairing of coset type ρ relative to ``e``: per part r, on a block ``s..s+2r-1``,
    the pairs ``{s, s+2r-1}, {s+1, s+2}, …, {s+2r-3, s+2r-2}`` (its sign ``ε`` is +1).

    Examples
    --------
    >>> coset_representative((2,))
    (3, 2, 1, 0)
    >>> coset_type_of_pairings(_identity_pairing(3), coset_representative((2, 1)))
    (2, 1)
    """
    rho = as_partition(rho, "rho") if len(rho) else ()
    mate: list[int] = []
    s = 0
    for r in rho:
        block = [0] * (2 * r)
        block[0], block[2 * r - 1] = 2 * r - 1, 0
        for t in range(1, 2 * r - 1, 2):
            block[t], block[t + 1] = t + 1, t
        mate.extend(s + x for x in block)
        s += 2 * r
    return tuple(mate)


def pairing_sign(m: tuple[int, ...]) -> int:
    """``ε_m``: the sign of the permutation listing the pairs ``(a, b)``, ``a < b``, by increasing ``a``.

    Examples
    --------
    >>> pairing_sign((1, 0, 3, 2)), pairing_sign((2, 3, 0, 1)), pairing_sign((3, 2, 1, 0))
    (1, -1, 1)
    """
    seq = []
    for a in range(len(m)):
        if a < m[a]:
            seq.extend((a, m[a]))
    sign, seen = 1, [False] * len(seq)
    for s in range(len(seq)):
        if not seen[s]:
            length, a = 0, s
            while not seen[a]:
                seen[a] = True
                a = seq[a]
                length += 1
            if length % 2 == 0:
                sign = -sign
    return sign


# --------------------------------------------------------------------------- zonal spherical functions


def _z(rho: Partition) -> int:
    return centralizer_order(rho)


@cache
def _monomial_power_matrix(p: int) -> tuple[tuple[Partition, ...], tuple[tuple[Fraction, ...], ...]]:
    """(partitions of p in increasing lex order, rows: m_λ in the power-sum basis)."""
    parts = tuple(sorted(partitions(p)))  # increasing lex refines increasing dominance
    idx = {lam: i for i, lam in enumerate(parts)}
    n = len(parts)

    # R[ρ][λ] = coefficient of x^λ in p_ρ: assignments of the parts of ρ to rows with row sums λ
    def coeff(rho: Partition, lam: Partition) -> int:
        @cache
        def rec(k: int, rest: tuple[int, ...]) -> int:
            if k == len(rho):
                return 1 if not any(rest) else 0
            total = 0
            for i, r in enumerate(rest):
                if r >= rho[k]:
                    total += rec(k + 1, rest[:i] + (r - rho[k],) + rest[i + 1 :])
            return total

        return rec(0, lam)

    r = fmpq_mat(n, n)
    for rho in parts:
        for lam in parts:
            r[idx[rho], idx[lam]] = coeff(rho, lam)
    rinv = r.inv()  # p_ρ = Σ_λ R m_λ  =>  m_λ = Σ_ρ (R^{-1})[λ, ρ] p_ρ
    rows = tuple(tuple(Fraction(int(rinv[i, j].p), int(rinv[i, j].q)) for j in range(n)) for i in range(n))
    return parts, rows


@cache
def _jack_power_sums(p: int, alpha: Fraction) -> dict[Partition, dict[Partition, Fraction]]:
    """``J^{(α)}_λ`` in the power-sum basis, ``{λ: {ρ: coefficient}}``."""
    parts, mrows = _monomial_power_matrix(p)
    n = len(parts)
    weight = [fmpq(_z(rho)) * fmpq(alpha.numerator, alpha.denominator) ** len(rho) for rho in parts]
    basis: list[list] = []
    norms: list = []
    out = {}
    for i, lam in enumerate(parts):
        v = [fmpq(x.numerator, x.denominator) for x in mrows[i]]
        for b, nb in zip(basis, norms):
            c = sum((v[t] * b[t] * weight[t] for t in range(n)), fmpq(0)) / nb
            if c != 0:
                v = [v[t] - c * b[t] for t in range(n)]
        basis.append(v)
        norms.append(sum((v[t] * v[t] * weight[t] for t in range(n)), fmpq(0)))
        conj = [sum(1 for x in lam if x > j) for j in range(lam[0])] if lam else []
        c_lam = prod(
            (alpha * (lam[a] - b - 1) + (conj[b] - a - 1) + 1 for a in range(len(lam)) for b in range(lam[a])),
            start=Fraction(1),
        )
        cf = fmpq(c_lam.numerator, c_lam.denominator)
        out[lam] = {parts[t]: Fraction(int((cf * v[t]).p), int((cf * v[t]).q)) for t in range(n) if v[t] != 0}
    return out


@cache
def _zonal_table(p: int) -> dict[Partition, dict[Partition, Fraction]]:
    """``{λ: {ρ: ω^λ(ρ)}}``: ``ω^λ(ρ) = z_{2ρ} [p_ρ] Z_λ / (2^p p!)``."""
    jack = _jack_power_sums(p, Fraction(2))
    h = 2**p * factorial(p)
    return {
        lam: {rho: Fraction(2 ** len(rho) * _z(rho)) * jack[lam].get(rho, Fraction(0)) / h for rho in partitions(p)}
        for lam in jack
    }


def zonal_spherical_function(lam: Any, rho: Any) -> Fraction:
    """The zonal spherical function ``ω^λ(ρ)`` of the Gelfand pair ``(S_{2p}, H_p)`` at coset type ρ.

    ``ω^λ(σ) = (1/|H_p|) Σ_{ζ ∈ H_p} χ^{2λ}(σζ)``; computed from the zonal polynomial (module
    docstring), not by summing over ``H_p``.

    Parameters
    ----------
    lam, rho : sequence of int
        Partitions of the same p (``rho`` may also be a permutation of 2p points, see :func:`coset_type`).

    Returns
    -------
    fractions.Fraction

    Examples
    --------
    >>> zonal_spherical_function((2, 1), (2, 1))
    Fraction(1, 6)
    >>> zonal_spherical_function((1, 1), (1, 1))
    Fraction(1, 1)
    """
    lam_p = as_partition(lam, "lam")
    rho_p = coset_type(rho)
    if sum(lam_p) != sum(rho_p):
        raise ValueError(f"lam and rho must be partitions of the same p, got {lam_p} and {rho_p}")
    p = check_pairing_order(sum(lam_p))
    return _zonal_table(p)[lam_p][rho_p]


@cache
def _class_coefficients(p: int) -> dict[Partition, dict[Partition, Fraction]]:
    """``{ρ: {λ: (2^p p!/(2p)!) f^{2λ} ω^λ(ρ)}}``."""
    table = _zonal_table(p)
    pref = Fraction(2**p * factorial(p), factorial(2 * p))
    out: dict[Partition, dict[Partition, Fraction]] = {}
    for lam, om in table.items():
        f2 = dimension(tuple(2 * x for x in lam)) if lam else 1
        for rho, w in om.items():
            if w:
                out.setdefault(rho, {})[lam] = pref * f2 * w
    return out


def _contents(lam: Partition, sign: int) -> tuple[int, ...]:
    """Contents ``±(2j - i)`` of the cells (0-based row i, column j): + for O, - for Sp."""
    return tuple(sign * (2 * j - i) for i, r in enumerate(lam) for j in range(r))


_SIGN = {"O": 1, "Sp": -1}


@cache
def _wg_fraction(group: str, rho: Partition, d: int) -> Fraction:
    p = sum(rho)
    if p == 0:
        return Fraction(1)
    total = Fraction(0)
    for lam, c in _class_coefficients(p)[rho].items():
        den = prod(d + x for x in _contents(lam, _SIGN[group]))
        if den:
            total += c / den
    return total


@cache
def _polynomial_data(group: str, rho: Partition) -> tuple[Fraction, tuple[int, ...], tuple[tuple[int, int], ...]]:
    """``(constant, primitive numerator coefficients low→high, ((c, e), …))`` of the symbolic value."""
    p = sum(rho)
    coeffs = _class_coefficients(p)[rho]
    exps: dict[int, int] = {}
    for lam in coeffs:
        for c, m in Counter(_contents(lam, _SIGN[group])).items():
            exps[c] = max(exps.get(c, 0), m)
    num = fmpq_poly([0])
    for lam, coef in coeffs.items():
        cof = Counter(exps)
        cof.subtract(Counter(_contents(lam, _SIGN[group])))
        term = fmpq_poly([fmpq(coef.numerator, coef.denominator)])
        for c, e in cof.items():
            if e:
                term *= fmpq_poly([c, 1]) ** e
        num += term
    for c in list(exps):
        lin = fmpq_poly([c, 1])
        while exps[c] > 0:
            q, r = divmod(num, lin)
            if r != 0:
                break
            num = q
            exps[c] -= 1
    den_q = num.denom()
    ints = [int((x * den_q).p) for x in num.coeffs()]
    content = 0
    for x in ints:
        content = gcd(content, x)
    if ints[-1] < 0:
        content = -content
    ints = [x // content for x in ints]
    return Fraction(content, int(den_q)), tuple(ints), tuple((c, e) for c, e in sorted(exps.items()) if e > 0)


@cache
def _wg_symbolic(group: str, rho: Partition, d: sympy.Symbol) -> sympy.Expr:
    if not rho:
        return sympy.Integer(1)
    const, coeffs, denom = _polynomial_data(group, rho)
    numerator = sympy.Add(*[sympy.Integer(a) * d**i for i, a in enumerate(coeffs) if a])
    denominator = sympy.Mul(*[(d + c) ** e for c, e in denom])
    return sympy.Rational(const.numerator, const.denominator) * numerator / denominator


def weingarten_value(group: str, rho: Partition, d: Any) -> sympy.Expr:
    """``Wg^O(ρ; d)`` or ``Wg^Sp(ρ; d)`` without argument checks (cached): the engine of the integrals.

    ``group`` must be ``"O"`` or ``"Sp"``, ``rho`` a partition, ``d`` a valid int or Symbol.

    Examples
    --------
    >>> weingarten_value("O", (1, 1), 2), weingarten_value("Sp", (1, 1), 2)
    (3/8, 1/9)
    """
    if isinstance(d, int):
        v = _wg_fraction(group, rho, d)
        return sympy.Rational(v.numerator, v.denominator)
    return _wg_symbolic(group, rho, d)


def weingarten_orthogonal(rho: Any, d: Any) -> sympy.Expr:
    """The orthogonal Weingarten function ``Wg^O(ρ; d)`` (eq. (WgO) of the module docstring).

    Parameters
    ----------
    rho : sequence of int or sympy.combinatorics.Permutation
        A coset type (partition of p) or a permutation of 2p points (its coset type is used).
    d : int or sympy.Symbol
        A positive integer (the pseudo-inverse for ``d < p``: partitions with ``ℓ(λ) > d`` dropped)
        or a Symbol (the rational function, valid for integer ``d ≥ p``).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a coset type or permutation of an even number of points, or ``d`` not a dimension.
    WorkLimitError
        If p > ``MAX_PAIRING_ORDER``.

    Examples
    --------
    >>> import sympy; d = sympy.Symbol("d")
    >>> weingarten_orthogonal((2,), d)
    -1/(d*(d - 1)*(d + 2))
    >>> weingarten_orthogonal((1,), 3)
    1/3
    """
    return weingarten_group("O", rho, d)


def weingarten_symplectic(rho: Any, d: Any) -> sympy.Expr:
    """The symplectic Weingarten function of Sp(d) at coset type ρ: ``(-1)^p Wg^O(ρ; -d)``.

    The value ``Wg^Sp(e, m_ρ)`` for the identity pairing and the canonical pairing of type ρ
    (module docstring); given a permutation σ of 2p points it returns ``Wg^Sp(e, σ(e))``, i.e.
    also the sign ``ε_{σ(e)}`` (``pairing_sign``).  ``d`` is the matrix size (d = 2n, even).

    Parameters
    ----------
    rho : sequence of int or sympy.combinatorics.Permutation
        A coset type or a permutation of 2p points.
    d : int or sympy.Symbol
        An even positive integer (pseudo-inverse for ``d < 2p``: ``λ_1 > d/2`` dropped) or a Symbol
        (valid for even ``d ≥ 2p``).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> import sympy; d = sympy.Symbol("d")
    >>> weingarten_symplectic((1, 1), d)
    (d - 1)/(d*(d - 2)*(d + 1))
    >>> weingarten_symplectic((1,), 2)
    1/2
    """
    return weingarten_group("Sp", rho, d)


def weingarten_group(group: str, sigma: Any, d: Any) -> sympy.Expr:
    """The Weingarten function of ``U``, ``O`` or ``Sp`` through one interface.

    ``U``: ``sigma`` a permutation of k points or a cycle type, :func:`weingarten_unitary`.
    ``O``/``Sp``: ``sigma`` a permutation of 2p points or a coset type (:func:`weingarten_orthogonal`,
    :func:`weingarten_symplectic`; for a permutation of Sp the sign ``ε_{σ(e)}`` is included).

    Parameters
    ----------
    group : str
        ``"U"``, ``"O"`` or ``"Sp"``.
    sigma : sequence of int or sympy.combinatorics.Permutation
    d : int or sympy.Symbol

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> weingarten_group("U", (2,), 2), weingarten_group("O", (2,), 2), weingarten_group("Sp", (2,), 2)
    (-1/6, -1/8, -1/18)
    """
    g = check_group(group)
    if g == "U":
        return weingarten_unitary(sigma, d)
    dd = check_group_dimension(g, d)
    items = list(sigma.array_form) if getattr(sigma, "array_form", None) is not None else sigma
    rho = coset_type(items)
    check_pairing_order(sum(rho))
    val = weingarten_value(g, rho, dd)
    if g == "Sp" and len(items) and any(int(x) == 0 for x in items):
        val = pairing_sign(_pairing_of(as_permutation(list(items), "sigma"))) * val
    return val


def weingarten_group_all(group: str, p: int, d: Any) -> dict[Partition, sympy.Expr]:
    """``{ρ: Wg(ρ; d)}`` for every class (U: cycle types of S_p) or coset type (O, Sp: partitions of p).

    For O and Sp, ``p`` is half the number of indices (2p entries of the matrix).

    Parameters
    ----------
    group : str
    p : int
    d : int or sympy.Symbol

    Returns
    -------
    dict

    Examples
    --------
    >>> weingarten_group_all("O", 2, 3)
    {(2,): -1/30, (1, 1): 2/15}
    """
    g = check_group(group)
    pp = check_pairing_order(p)
    if g == "U":
        from .unitary import weingarten_all_classes

        return weingarten_all_classes(pp, d)
    dd = check_group_dimension(g, d)
    return {rho: weingarten_value(g, rho, dd) for rho in partitions(pp)}


def pairing_gram_matrix(group: str, p: int, d: Any) -> sympy.Matrix:
    """The Gram matrix of the pairing vectors of ``2p`` points, rows/columns in :func:`pairings` order.

    O: ``G(m, n) = d^{#loops}``.  Sp: ``G(m, n) = Σ_i J_m(i) J_n(i) = Π_loops (-1)^{r + b} d`` (a loop
    of 2r points; b its pairs walked from the larger to the smaller point, ``J^T = -J``, ``J² = -1``).

    Parameters
    ----------
    group : str
        ``"O"`` or ``"Sp"``.
    p : int
    d : int or sympy.Symbol

    Returns
    -------
    sympy.Matrix
        ``(2p-1)!! × (2p-1)!!``.

    Examples
    --------
    >>> pairing_gram_matrix("O", 1, 3)
    Matrix([[3]])
    >>> pairing_gram_matrix("Sp", 2, sympy.Symbol("d"))
    Matrix([
    [d**2,    d,   -d],
    [   d, d**2,    d],
    [  -d,    d, d**2]])
    """
    g = check_group(group)
    if g == "U":
        raise ValueError("group must be O or Sp for pairing_gram_matrix (the Gram matrix of U is gram_matrix)")
    pp = check_pairing_order(p)
    dd = sympy.sympify(check_group_dimension(g, d))
    ps = pairings(2 * pp)

    def entry(m, n):
        val = sympy.Integer(1)
        for cyc in loops(m, n):
            if g == "O":
                val *= dd
            else:
                back = sum(1 for t in range(0, len(cyc), 2) if cyc[t] > cyc[t + 1])
                back += sum(1 for t in range(1, len(cyc), 2) if cyc[t] > cyc[(t + 1) % len(cyc)])
                val *= (-1) ** (len(cyc) // 2 + back) * dd
        return val

    return sympy.Matrix(len(ps), len(ps), lambda i, j: entry(ps[i], ps[j]))


def pairing_weingarten_matrix(group: str, p: int, d: Any) -> sympy.Matrix:
    """``W(m, n)`` over the pairings of ``2p`` points from the class formula: the (pseudo-)inverse of
    :func:`pairing_gram_matrix` (O: ``Wg^O(ρ(m,n))``; Sp: ``ε_m ε_n Wg^Sp(ρ(m,n))``).

    Examples
    --------
    >>> d = sympy.Symbol("d")
    >>> (pairing_gram_matrix("O", 2, d) * pairing_weingarten_matrix("O", 2, d)).applyfunc(sympy.cancel)
    Matrix([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1]])
    """
    g = check_group(group)
    pp = check_pairing_order(p)
    dd = check_group_dimension(g, d)
    ps = pairings(2 * pp)
    signs = [pairing_sign(m) if g == "Sp" else 1 for m in ps]
    return sympy.Matrix(
        len(ps),
        len(ps),
        lambda i, j: signs[i] * signs[j] * weingarten_value(g, coset_type_of_pairings(ps[i], ps[j]), dd),
    )


def clear_brauer_caches() -> None:
    """Forget every cached zonal table and O/Sp Weingarten value (cold-start benchmarks).

    Examples
    --------
    >>> clear_brauer_caches()
    >>> _zonal_table.cache_info().currsize
    0
    """
    for fn in (
        _monomial_power_matrix,
        _jack_power_sums,
        _zonal_table,
        _class_coefficients,
        _wg_fraction,
        _polynomial_data,
        _wg_symbolic,
    ):
        fn.cache_clear()
