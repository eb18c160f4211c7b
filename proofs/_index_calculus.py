"""Index calculus with symbolic dimensions: sums of products of Kronecker deltas and opaque tensors.

Used by the lemma tests to check *block identities* (Lemmas 2.1, 2.2, 3.1, 4.4, 5.1, 7.1) for every
dimension at once: an operator X on A ⊗ B is written through its blocks ``X_ij = <i|X|j>`` (operators
on B), a unitary UA through its entries ``U_ij`` and their conjugates ``Ubar_ij``, and the only facts
used are

* Kronecker deltas: ``Σ_j δ_ij f(j) = f(i)`` and ``Σ_j 1 = dim`` (index ``j`` ranging over ``0..dim-1``,
  ``dim`` a sympy Symbol such as ``dA``);
* unitarity of U: ``Σ_r U_ar Ubar_br = δ_ab`` (U U† = I) and ``Σ_r U_ra Ubar_rb = δ_ab`` (U† U = I);
* tracelessness, declared per tensor (``Σ_r G_rr = 0``);
* symmetries of opaque tensors, declared per tensor (e.g. ``tr(X_ij X_kl) = tr(X_kl X_ij)``).

Everything else (blocks, traces of products of blocks, vector components) is an opaque symbol.  An
expression is a list of :class:`Term`; :func:`equal` brings both sides to a canonical form (deltas
contracted, dummy indices renamed in a canonical order) and compares coefficients exactly with sympy.
This is a small term-rewriting system, not a general tensor package: it only knows the rules above.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sympy as sp


@dataclass(frozen=True)
class Idx:
    """An index named ``name`` ranging over ``0 .. dim-1`` (dim a sympy expression, e.g. Symbol('d_A'))."""

    name: str
    dim: sp.Expr

    def __repr__(self) -> str:
        return self.name


@dataclass
class Term:
    """coeff · Π deltas · Π factors, summed over the indices in ``summed``.

    factors: tuples ``(tensor_name, (idx, ...))``; deltas: pairs ``(idx, idx)``.
    """

    coeff: sp.Expr
    deltas: list = field(default_factory=list)
    factors: list = field(default_factory=list)
    summed: set = field(default_factory=set)


@dataclass
class Rules:
    """What is known about the tensors: unitary pairs (U, Ubar), traceless tensors, symmetries."""

    unitary: Sequence[tuple[str, str]] = ()
    traceless: Sequence[str] = ()
    #: tensor name -> list of index permutations under which it is invariant
    symmetries: dict = field(default_factory=dict)


def term(coeff, *factors, deltas=(), summed=()) -> Term:
    """``term(c, ("X", (i, j)), deltas=[(k, l)], summed=[i])`` = Σ_i c δ_kl X_ij."""
    return Term(sp.sympify(coeff), list(deltas), [(n, tuple(ix)) for n, ix in factors], set(summed))


# ------------------------------------------------------------------------------------------------
# simplification
# ------------------------------------------------------------------------------------------------
def _subst(t: Term, old: Idx, new: Idx) -> None:
    if old.dim != new.dim:
        raise ValueError(f"δ between indices of different ranges: {old} ({old.dim}) and {new} ({new.dim})")
    t.deltas = [tuple(new if x == old else x for x in dl) for dl in t.deltas]
    t.factors = [(n, tuple(new if x == old else x for x in ix)) for n, ix in t.factors]
    t.summed.discard(old)


def _occurrences(t: Term, i: Idx) -> int:
    return sum(ix.count(i) for _, ix in t.factors) + sum(dl.count(i) for dl in t.deltas)


def _simplify(t: Term, rules: Rules) -> Term | None:
    """Contract deltas and apply the rules until nothing changes; None if the term vanishes."""
    changed = True
    while changed:
        changed = False
        for k, (a, b) in enumerate(t.deltas):
            if a == b:
                del t.deltas[k]
                changed = True
                break
            if a in t.summed or b in t.summed:
                del t.deltas[k]
                old, new = (a, b) if a in t.summed else (b, a)
                _subst(t, old, new)
                changed = True
                break
        if changed:
            continue
        for name in rules.traceless:
            for n, ix in t.factors:
                if n == name and len(ix) == 2 and ix[0] == ix[1] and ix[0] in t.summed and _occurrences(t, ix[0]) == 2:
                    return None
        for u, ubar in rules.unitary:
            for (p, (n1, ix1)), (q, (n2, ix2)) in itertools.permutations(enumerate(t.factors), 2):
                if n1 != u or n2 != ubar:
                    continue
                for pos in (0, 1):  # pos 1: U U† = I (sum over the column); pos 0: U† U = I (over the row)
                    r = ix1[pos]
                    if r == ix2[pos] and r in t.summed and _occurrences(t, r) == 2:
                        other = 1 - pos
                        for k in sorted((p, q), reverse=True):
                            del t.factors[k]
                        t.summed.discard(r)
                        t.deltas.append((ix1[other], ix2[other]))
                        changed = True
                        break
                if changed:
                    break
            if changed:
                break
    for i in list(t.summed):
        if _occurrences(t, i) == 0:
            t.coeff *= i.dim
            t.summed.discard(i)
    return t


def _canonical_key(t: Term, rules: Rules):
    """A key equal for terms that differ only by renaming dummies, factor order or declared symmetries."""
    free_d = tuple(sorted(tuple(sorted(dl, key=lambda x: x.name)) for dl in t.deltas))
    best = None
    # each factor may be replaced by a symmetric version; factors are then ordered; dummies renamed
    options = []
    for n, ix in t.factors:
        perms = [tuple(range(len(ix)))] + [tuple(p) for p in rules.symmetries.get(n, [])]
        options.append([(n, tuple(ix[p] for p in perm)) for perm in perms])
    for choice in itertools.product(*options):
        for order in itertools.permutations(choice):
            names = {}
            out = []
            for n, ix in order:
                new_ix = []
                for x in ix:
                    if x in t.summed:
                        names.setdefault(x, f"_{len(names)}:{x.dim}")
                        new_ix.append(names[x])
                    else:
                        new_ix.append(x.name)
                out.append((n, tuple(new_ix)))
            key = (free_d, tuple(out))
            if best is None or str(key) < str(best):
                best = key
    return best


def canonical(terms: Iterable[Term], rules: Rules) -> dict:
    """{canonical key: total coefficient} of a sum of terms, zero coefficients dropped."""
    out: dict = {}
    for t in terms:
        t = Term(t.coeff, list(t.deltas), list(t.factors), set(t.summed))
        t = _simplify(t, rules)
        if t is None:
            continue
        k = _canonical_key(t, rules)
        out[k] = out.get(k, 0) + t.coeff
    return {k: c for k, c in out.items() if sp.simplify(c) != 0}


def equal(lhs: Iterable[Term], rhs: Iterable[Term], rules: Rules | None = None) -> bool:
    """Exact equality of two sums of terms under the rules, for every value of the dimensions."""
    diff = list(lhs) + [Term(-t.coeff, t.deltas, t.factors, t.summed) for t in rhs]
    return not canonical(diff, Rules() if rules is None else rules)


def multiply(a: Sequence[Term], b: Sequence[Term]) -> list[Term]:
    """Product of two sums (their dummy indices must be distinct)."""
    out = []
    for s, t in itertools.product(a, b):
        if s.summed & t.summed:
            raise ValueError("dummy indices shared between factors of a product; use fresh indices")
        out.append(Term(s.coeff * t.coeff, s.deltas + t.deltas, s.factors + t.factors, s.summed | t.summed))
    return out


def sum_over(terms: Sequence[Term], *indices: Idx) -> list[Term]:
    """Σ over the given indices (they become dummies)."""
    return [Term(t.coeff, list(t.deltas), list(t.factors), t.summed | set(indices)) for t in terms]


def completeness(i: Idx, j: Idx, k: Idx, l: Idx) -> list[Term]:
    """Σ_a (G_a)_ij (G_a)_kl = δ_il δ_jk - δ_ij δ_kl / dA (Lemma 2.1b), as terms."""
    return [term(1, deltas=[(i, l), (j, k)]), term(-1 / i.dim, deltas=[(i, j), (k, l)])]
