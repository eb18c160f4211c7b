"""Exact fourth moments ``E||K||_F⁴`` of the Route-1 matrix K (Lemma 11 of ``proofs/DERIVATION.md``).

``K_ab = tr((G_b ⊗ h_a) ρ1) = tr((G_a ⊗ r_b) H2)`` with ``h_a = tr_A((G_a ⊗ I) H2)``,
``r_b = tr_A((G_b ⊗ I) ρ1)``, ``H2 = V2† H V2``, ``ρ1 = V1 ρ V1†`` (math-notes, Route 1).
``||K||_F⁴`` is a degree-4 polynomial in ``ρ1`` (case v1), in ``H2`` (v2) or of degree 4 in each
(both), so its mean needs the **fourth** moments of the random unitaries: the formulas below hold
for Haar V1/V2 and for unitary 4-designs; a 2-design alone does not fix them.

With ``Ω = Σ_a G_a ⊗ G_a = SWAP - I/dA``, ``W = Σ_a h_a ⊗ h_a``, ``R = Σ_b r_b ⊗ r_b`` (two-copy
operators) and, for ``σ ∈ S4``, ``tr_σ(T, T') = tr(P_σ (T ⊗ T'))`` on four copies
(``= Π_cycles tr(x_a x_σ(a) …)`` when ``T ⊗ T' = x_0 ⊗ x_1 ⊗ x_2 ⊗ x_3``)::

    v1   (V1 Haar / 4-design, V2 fixed):  E||K||⁴ = Σ_σ β_σ γ(σ) η(σ)                   (11.4a)
    v2   (V2 Haar / 4-design, V1 fixed):  E||K||⁴ = Σ_σ α_σ γ(σ) ζ(σ)                   (11.4b)
    both (independent):                   E||K||⁴ = Σ_{σ,τ} α_σ β_τ γ(σ) γ(τ) dB^{c(στ)} (11.4c)

where ``γ(σ) = tr_σ(Ω, Ω)`` (on A), ``η(σ) = tr_σ(W, W)``, ``ζ(σ) = tr_σ(R, R)`` (on B), ``c(π)`` is
the number of cycles, and ``α_σ`` / ``β_σ`` are the coefficients of ``tr_σ(X_0, …, X_3)`` in
``E Π_i tr(F V X_i V†)`` for ``F = H - tr(H)/d`` / ``F = ρ`` — computed by the project's Weingarten
engine (:func:`weingarten_check.calculus.unitary_integrals.trace_moment`, k = 4, abstract operators).  For a
pure ρ every ``β_σ = 1/(d(d+1)(d+2)(d+3))`` (a Haar state: ``E[(ψψ†)^{⊗4}] = Σ_σ P_σ/(d(d+1)(d+2)(d+3))``).

Everything is exact: local operators are rational (numpy object arrays of ``Fraction``), the
dimensions enter through ``d = q**n`` (a sympy Symbol is allowed for ``n``).  For the paper's tasks
(:func:`expected_K_frobenius_fourth_task`, A = site 0, input ``|0…0>``) the traces factorise over
the few sites the A-touching terms live on:

* VQE (Heisenberg ring Eq. 9, its SU(q) form for q >= 3; n >= 3): ``h_a`` lives on the two
  neighbours of A, ``tr H² = n t2 q^(n-2)`` and, for n >= 5,
  ``tr H⁴ = q^(n-4) [n q² t4 + 3 n (n-3) t2² + n q (4 a1 + 2 a2)]`` (edge-pattern counting, see
  :func:`ring_power_traces`; n = 3, 4 are computed exactly from the dense integer matrix);
* QAE (Eq. 10, R = A): ``h_a = -<0|G_a|0> I_B``.

:func:`expected_K_frobenius_fourth_observable` is the numeric path for any Observable at a given n
(same formulas, floating-point traces).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from ..calculus.symmetric_group import compose, cycles
from ..calculus.unitary_integrals import Tr, trace_moment

__all__ = [
    "FOURTH_MOMENT_TASKS",
    "PERMUTATIONS",
    "omega_tensor",
    "pair_tensor",
    "perm_pair_trace",
    "gamma_values",
    "permutation_coefficients",
    "fourth_moment_v1",
    "fourth_moment_v2",
    "fourth_moment_both",
    "ring_power_traces",
    "expected_K_frobenius_fourth_task",
    "expected_K_frobenius_sq_task",
    "expected_K_frobenius_fourth_observable",
]

#: tasks with a symbolic-in-n fourth moment (A = site 0, input |0…0>)
FOURTH_MOMENT_TASKS = ("vqe", "qae")
#: S4 in a fixed order (tuples: σ(a) at position a)
PERMUTATIONS: tuple[tuple[int, ...], ...] = tuple(itertools.permutations(range(4)))
_D = sp.Symbol("d", positive=True)
_T = sp.symbols("t1:5")  # tr F, tr F², tr F³, tr F⁴ (generic, substituted afterwards)


def _ncycles(p: tuple[int, ...]) -> int:
    return len(cycles(p))


# ---------------------------------------------------------------------------------------------
# two-copy tensors and their four-copy permutation traces
# ---------------------------------------------------------------------------------------------
def omega_tensor(dA: int) -> np.ndarray:
    """``Ω = Σ_a G_a ⊗ G_a = SWAP - I/dA`` as an exact tensor ``Ω[i1, i2, j1, j2]`` (Lemma 2:
    completeness of ``{I/√dA} ∪ {G_a}``), numpy object array of Fractions."""
    out = np.full((dA,) * 4, Fraction(0), dtype=object)
    for i1, i2 in itertools.product(range(dA), repeat=2):
        out[i1, i2, i2, i1] += 1
        out[i1, i2, i1, i2] -= Fraction(1, dA)
    return out


def _int_repr(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """An exact object array of Fractions/ints as ``(int64 array, denominator)``; checks the range so
    that the int64 contractions below cannot overflow (entries times the contraction size < 2**62)."""
    flat = [Fraction(x) for x in arr.ravel()]
    den = 1
    for x in flat:
        den = den * x.denominator // math.gcd(den, x.denominator)
    ints = [int(x * den) for x in flat]
    big = max((abs(v) for v in ints), default=0)
    if big and big**2 * arr.size > 2**62:
        raise OverflowError("exact tensor too large for int64 contraction")
    return np.array(ints, dtype=np.int64).reshape(arr.shape), den


def pair_tensor(op: np.ndarray, dA: int) -> np.ndarray:
    """``Σ_a x_a ⊗ x_a`` with ``x_a = tr_A((G_a ⊗ I) op)``, as a tensor ``[i1, i2, j1, j2]`` on S ⊗ S.

    ``op`` is an operator on A ⊗ S (A first, dimension ``dA * s``), exact (object) or float.
    Uses ``Σ_a G_a[β1,α1] G_a[β2,α2] = δ_{β1α2} δ_{β2α1} - δ_{β1α1} δ_{β2α2}/dA`` (no basis needed):
    ``W[i1,i2,j1,j2] = Σ_{α1α2} op[(α1 i1),(α2 j1)] op[(α2 i2),(α1 j2)] - (tr_A op)[i1,j1] (tr_A op)[i2,j2]/dA``.
    """
    op = np.asarray(op)
    D = op.shape[0]
    if op.ndim != 2 or op.shape[1] != D or D % dA:
        raise ValueError(f"op must be a square matrix on A ⊗ S with dA = {dA} dividing its size, got shape {op.shape}")
    s = D // dA
    obj = op.dtype == object
    if obj:  # exact: integer contraction, then one division by dA den²
        op_int, den = _int_repr(op)
        t = op_int.reshape(dA, s, dA, s)
    else:
        t = op.reshape(dA, s, dA, s)
    first = np.einsum("aibj,bkal->ikjl", t, t, optimize=True)
    ta = np.einsum("aiaj->ij", t)
    second = np.einsum("ij,kl->ikjl", ta, ta, optimize=True)
    if not obj:
        return first - second / dA
    w_int = dA * first - second
    scale = dA * den * den
    return np.array([Fraction(int(x), scale) for x in w_int.ravel()], dtype=object).reshape(w_int.shape)


def _prepared(t: np.ndarray) -> tuple[np.ndarray, int]:
    """``(array, denominator)``: int64 + common denominator for exact tensors, the array itself otherwise."""
    return _int_repr(t) if t.dtype == object else (t, 1)


def _perm_trace_prepared(sigma: Sequence[int], a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> Any:
    L = "abcd"
    spec = f"{L[0]}{L[1]}{L[sigma[0]]}{L[sigma[1]]},{L[2]}{L[3]}{L[sigma[2]]}{L[sigma[3]]}->"
    val = np.einsum(spec, a[0], b[0], optimize=True)[()]
    if a[0].dtype == np.int64 and b[0].dtype == np.int64:
        return Fraction(int(val), a[1] * b[1])
    return val / (a[1] * b[1])


def perm_pair_trace(sigma: Sequence[int], t1: np.ndarray, t2: np.ndarray) -> Any:
    """``tr(P_σ (T1 ⊗ T2))`` on four copies: ``Σ_i T1[i0,i1,i_σ(0),i_σ(1)] T2[i2,i3,i_σ(2),i_σ(3)]``.

    For ``T1 ⊗ T2 = x_0 ⊗ x_1 ⊗ x_2 ⊗ x_3`` this is ``Π_cycles tr(x_a x_σ(a) x_σ²(a) …)``, the
    convention of :func:`weingarten_check.calculus.unitary_integrals.trace_moment`.
    """
    return _perm_trace_prepared(sigma, _prepared(t1), _prepared(t2))


@functools.cache
def gamma_values(dA: int) -> dict[tuple[int, ...], sp.Rational]:
    """``γ(σ) = Σ_{a,a'} tr_σ(G_a, G_a, G_a', G_a') = tr_σ(Ω, Ω)`` for every σ ∈ S4 (exact).

    Zero for σ with a fixed point (``tr G_a = 0``); ``(dA²-1)²`` for (01)(23), ``dA²-1`` for
    (02)(13), (03)(12), ``(dA²-1)²/dA`` for the four 4-cycles with the word ``G_a G_a G_a' G_a'``
    and ``-(dA²-1)/dA`` for the two with ``G_a G_a' G_a G_a'``."""
    om = omega_tensor(dA)
    return {p: sp.Rational(Fraction(perm_pair_trace(p, om, om))) for p in PERMUTATIONS}


def _monomial(p: tuple[int, ...], xs) -> sp.Expr:
    return sp.Mul(*[Tr(*[xs[a] for a in cyc]) for cyc in cycles(p)])


@functools.cache
def _coefficients_cached(t: tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]) -> dict[tuple[int, ...], sp.Expr]:
    F = sp.Symbol("F", commutative=False)
    xs = sp.symbols("X0:4", commutative=False)
    expr = trace_moment([F] * 4, list(xs), _D)
    expr = expr.subs({Tr(*([F] * k)): t[k - 1] for k in (4, 3, 2, 1)})
    mons = {p: _monomial(p, xs) for p in PERMUTATIONS}
    atoms = sorted({a for m in mons.values() for a in m.atoms(Tr)}, key=str)
    poly = sp.Poly(expr, *atoms)
    by_exp = {mon: c for mon, c in poly.terms()}
    out = {}
    for p, m in mons.items():
        exp = sp.Poly(m, *atoms).monoms()[0]
        out[p] = sp.factor(by_exp.pop(exp, sp.Integer(0)))
    if by_exp:  # pragma: no cover - every monomial of (E2) is some tr_π(X)
        raise AssertionError("trace_moment produced a monomial that is not tr_π(X0..X3)")
    return out


def permutation_coefficients(power_traces: Sequence[Any]) -> dict[tuple[int, ...], sp.Expr]:
    """``c_π`` with ``E Π_{i<4} tr(F V X_i V†) = Σ_π c_π tr_π(X_0, …, X_3)`` for Haar ``V ∈ U(d)``
    (d the sympy Symbol ``d``), from the engine's :func:`trace_moment` (eq. E2, k = 4) with
    ``tr F^k = power_traces[k-1]``.  Equivalently ``E[(V†FV)^{⊗4}] = Σ_π c_π P_π``: this is α
    (``F = H - tr(H)/d``, power traces ``(0, t2, t3, t4)``) and β (``F = ρ``; pure: ``(1, 1, 1, 1)``)."""
    if len(power_traces) != 4:
        raise ValueError(f"power_traces must be (tr F, tr F², tr F³, tr F⁴), got {power_traces!r}")
    generic = _coefficients_cached(_T)
    sub = dict(zip(_T, (sp.sympify(x) for x in power_traces)))
    return {p: c.subs(sub) for p, c in generic.items()}


# ---------------------------------------------------------------------------------------------
# the three cases (11.4a-c), with the B side given as a local tensor and a "rest" factor
# ---------------------------------------------------------------------------------------------
def _as_sympy(x: Any) -> sp.Expr:
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    if isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return sp.Float(float(np.real(x)))
    return sp.sympify(x)


def fourth_moment_v1(
    dA: int, W_local: np.ndarray, rest_dim: Any, d: Any = _D, state_power_traces: Sequence[Any] = (1, 1, 1, 1)
) -> sp.Expr:
    """(11.4a) ``E||K||⁴ = Σ_σ β_σ γ(σ) η(σ)``, V1 Haar (or a 4-design), H2 fixed.

    ``W_local = Σ_a h_a ⊗ h_a`` restricted to the sites S of B that the A-touching terms act on;
    ``h_a = h_a^S ⊗ I_rest``, so ``η(σ) = tr_σ(W_local, W_local) · rest_dim^{c(σ)}``."""
    beta = permutation_coefficients(state_power_traces)
    gam = gamma_values(dA)
    rest = sp.sympify(rest_dim)
    tot = sp.Integer(0)
    w = _prepared(W_local)
    for p in PERMUTATIONS:
        if gam[p] == 0:
            continue
        eta = _as_sympy(_perm_trace_prepared(p, w, w)) * rest ** _ncycles(p)
        tot += beta[p] * gam[p] * eta
    return tot.subs(_D, d)


def fourth_moment_v2(
    dA: int, R_local: np.ndarray, rest_traces: Sequence[Any], h_power_traces: Sequence[Any], d: Any = _D
) -> sp.Expr:
    """(11.4b) ``E||K||⁴ = Σ_σ α_σ γ(σ) ζ(σ)``, V2 Haar (or a 4-design), ρ1 fixed.

    ``R_local = Σ_b r_b ⊗ r_b`` on the sites S of B where ``ρ1`` is not a fixed product factor,
    ``ρ1 = ρ_{A∪S} ⊗ ρ_rest``; ``rest_traces[k-1] = tr ρ_rest^k`` (``(1,1,1,1)`` for a pure rest);
    ``h_power_traces = (tr H0, tr H0², tr H0³, tr H0⁴)`` with ``H0 = H - tr(H)/d`` (so ``tr H0 = 0``)."""
    alpha = permutation_coefficients(h_power_traces)
    gam = gamma_values(dA)
    tot = sp.Integer(0)
    r = _prepared(R_local)
    for p in PERMUTATIONS:
        if gam[p] == 0:
            continue
        rest = sp.Mul(*[sp.sympify(rest_traces[len(c) - 1]) for c in cycles(p)])
        zeta = _as_sympy(_perm_trace_prepared(p, r, r)) * rest
        tot += alpha[p] * gam[p] * zeta
    return tot.subs(_D, d)


def fourth_moment_both(
    dA: int, dB: Any, h_power_traces: Sequence[Any], d: Any = _D, state_power_traces: Sequence[Any] = (1, 1, 1, 1)
) -> sp.Expr:
    """(11.4c) ``E||K||⁴ = Σ_{σ,τ} α_σ β_τ γ(σ) γ(τ) dB^{c(στ)}``, V1, V2 independent Haar (4-designs)."""
    alpha = permutation_coefficients(h_power_traces)
    beta = permutation_coefficients(state_power_traces)
    gam = gamma_values(dA)
    dB = sp.sympify(dB)
    live = [p for p in PERMUTATIONS if gam[p] != 0]
    tot = sp.Integer(0)
    for s in live:
        for t in live:
            tot += alpha[s] * beta[t] * gam[s] * gam[t] * dB ** _ncycles(compose(s, t))
    return tot.subs(_D, d)


# ---------------------------------------------------------------------------------------------
# exact local operators of the paper's tasks
# ---------------------------------------------------------------------------------------------
def _frac_eye(n: int) -> np.ndarray:
    out = np.full((n, n), Fraction(0), dtype=object)
    for i in range(n):
        out[i, i] = Fraction(1)
    return out


def _ring_edge(q: int) -> np.ndarray:
    """One edge of the ring on two sites: ``Σ_a λ_a ⊗ λ_a = 2 SWAP - (2/q) I`` (Fierz; Pauli for q = 2)."""
    e = np.full((q * q, q * q), Fraction(0), dtype=object)
    for i, j in itertools.product(range(q), repeat=2):
        e[i * q + j, j * q + i] += 2
        e[i * q + j, i * q + j] -= Fraction(2, q)
    return e


def _kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.kron(a, b)


def _trace_power(m: np.ndarray, k: int) -> Fraction:
    out = m
    for _ in range(k - 1):
        out = out.dot(m)
    return Fraction(np.trace(out))


@functools.cache
def _ring_local_traces(q: int) -> dict[str, Fraction]:
    """t2, t4 (one edge) and a1, a2 (two adjacent edges), exactly: int64 products of ``q h``."""
    e_int, den = _int_repr(_ring_edge(q))  # e = e_int / den
    eye = np.eye(q, dtype=np.int64)
    e01, e12 = np.kron(e_int, eye), np.kron(eye, e_int)
    e2 = e_int @ e_int
    e01sq, e12sq = e01 @ e01, e12 @ e12
    return {
        "t2": Fraction(int(np.trace(e2)), den**2),
        "t4": Fraction(int(np.trace(e2 @ e2)), den**4),
        "a1": Fraction(int(np.trace(e01sq @ e12sq)), den**4),
        "a2": Fraction(int(np.trace(e01 @ e12 @ e01 @ e12)), den**4),
    }


@functools.cache
def _ring_dense_power_traces(n: int, q: int) -> tuple[Fraction, Fraction]:
    """``(tr H², tr H⁴)`` of the ring from the dense integer matrix ``q H`` (small n only)."""
    D = q**n
    idx = np.arange(D)
    digits = np.array(np.unravel_index(idx, (q,) * n)).T
    qH = np.zeros((D, D), dtype=np.int64)
    weights = q ** np.arange(n - 1, -1, -1)
    for i in range(n):
        j = (i + 1) % n
        sw = digits.copy()
        sw[:, [i, j]] = sw[:, [j, i]]
        qH[idx, sw @ weights] += 2 * q
        qH[idx, idx] -= 2
    sq = qH @ qH
    return Fraction(int(np.trace(sq)), q**2), Fraction(int(np.sum(sq * sq.T)), q**4)


def ring_power_traces(n: Any, q: int = 2) -> tuple[sp.Expr, sp.Expr]:
    """``(tr H², tr H⁴)`` of the Heisenberg ring (Eq. 9; SU(q) form ``Σ_edges (2 SWAP - 2/q)``), n >= 3.

    With one edge ``h`` on two sites: ``t2 = tr h²``, ``t4 = tr h⁴``; two adjacent edges on three
    sites: ``a1 = tr(h01² h12²)``, ``a2 = tr(h01 h12 h01 h12)``.  Every λ is traceless, so a product
    of edges has zero trace unless each site is covered at least twice; for n >= 5 the surviving
    ordered 4-tuples of edges are e e e e (n), two equal pairs of disjoint edges (6 orders ×
    (n(n-1)/2 - n) pairs) and two equal pairs of adjacent edges (4 orders e e f f + 2 orders e f e f,
    n pairs), so ``tr H⁴ = n t4 q^(n-2) + 3 n (n-3) t2² q^(n-4) + n (4 a1 + 2 a2) q^(n-3)`` and
    ``tr H² = n t2 q^(n-2)``.  For n = 3, 4 (triangles, the 4-cycle) the dense integer matrix is used.
    A sympy Symbol n gives the n >= 5 formula.
    """
    loc = _ring_local_traces(q)
    n_ = sp.sympify(n)
    if n_.is_number:
        if not n_.is_integer or n_ < 3:
            raise ValueError(f"n must be an integer >= 3 for the ring (sites 1 and n-1 distinct), got {n}")
        if n_ < 5:
            t2, t4 = _ring_dense_power_traces(int(n_), q)
            return sp.Rational(t2.numerator, t2.denominator), sp.Rational(t4.numerator, t4.denominator)
    R = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
    tr2 = n_ * R(loc["t2"]) * q ** (n_ - 2)
    tr4 = (
        n_ * R(loc["t4"]) * q ** (n_ - 2)
        + 3 * n_ * (n_ - 3) * R(loc["t2"]) ** 2 * q ** (n_ - 4)
        + n_ * (4 * R(loc["a1"]) + 2 * R(loc["a2"])) * q ** (n_ - 3)
    )
    return sp.expand(tr2), sp.expand(tr4)


def _local_task(task: str, q: int) -> tuple[np.ndarray, int]:
    """(exact operator on A ∪ S with A = site 0 first, |S|) of the A-touching part of H."""
    if task == "vqe":
        e = _ring_edge(q)
        eye = _frac_eye(q)
        # local order (site 0, site 1, site n-1): edges (0,1) and (n-1,0)
        e_02 = np.full((q**3, q**3), Fraction(0), dtype=object)
        for a, b, c in itertools.product(range(q), repeat=3):
            for a2, c2 in itertools.product(range(q), repeat=2):
                v = e[a * q + c, a2 * q + c2]
                if v:
                    e_02[(a * q + b) * q + c, (a2 * q + b) * q + c2] += v
        return _kron(e, eye) + e_02, 2
    p0 = np.full((q, q), Fraction(0), dtype=object)
    p0[0, 0] = Fraction(1)
    return _frac_eye(q) - p0, 0


def _check_task(task: str, case: str, m: Any, q: Any) -> tuple[str, str, int]:
    if not isinstance(task, str) or task not in FOURTH_MOMENT_TASKS:
        raise ValueError(f"task must be one of {FOURTH_MOMENT_TASKS} (symbolic fourth moments), got {task!r}")
    if not isinstance(case, str) or case not in ("v1", "v2", "both"):
        raise ValueError(f"case must be one of ('v1', 'v2', 'both'), got {case!r}")
    if sp.sympify(m) != 1:
        raise ValueError(f"m must be 1 (A = one site) for the symbolic task fourth moments, got {m!r}")
    if isinstance(q, bool) or not isinstance(q, (int, np.integer, sp.Integer)) or int(q) < 2:
        raise ValueError(f"q must be an integer >= 2 (local dimension), got {q!r}")
    return task, case, int(q)


def _check_n(n: Any, task: str) -> sp.Expr:
    if isinstance(n, bool):
        raise TypeError("n must be an int or a sympy Symbol, got bool")
    n_ = sp.sympify(n)
    if not isinstance(n_, (sp.Integer, sp.Symbol)):
        raise TypeError(f"n must be an int or a sympy Symbol, got {n!r}")
    lo = 3 if task == "vqe" else 2
    if n_.is_number and n_ < lo:
        raise ValueError(f"n must be >= {lo} for task {task!r}, got {n_}")
    return n_


def _task_h_power_traces(task: str, n_: sp.Expr, q: int) -> tuple[sp.Expr, sp.Expr]:
    if task == "vqe":
        return ring_power_traces(n_, q)  # traceless already
    x = np.full((q, q), Fraction(0), dtype=object)  # H0 = I/q - |0><0| on site 0
    for i in range(q):
        x[i, i] = Fraction(1, q) - (1 if i == 0 else 0)
    R = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
    return R(_trace_power(x, 2)) * q ** (n_ - 1), R(_trace_power(x, 4)) * q ** (n_ - 1)


def expected_K_frobenius_fourth_task(
    task: str, case: str, n: Any, m: Any = 1, q: int = 2, *, in_d: bool = False
) -> sp.Expr:
    """Exact ``E||K||_F⁴`` for the paper's VQE (Heisenberg ring Eq. 9) or QAE (Eq. 10) with
    A = site 0, input ``|0…0>`` and Haar (or unitary 4-design) V1/V2 as ``case`` says (Lemma 11.4).

    ``n`` may be a sympy Symbol: the result is then a rational function of ``q**n`` (and n).  VQE
    needs n >= 3; its v2/both forms for a symbolic n are the n >= 5 expressions (numeric n = 3, 4
    use the exact traces of the dense ring, :func:`ring_power_traces`).  ``in_d=True`` returns the
    expression in the Symbol ``d`` (= q**n) instead (n may still appear for VQE v2/both)."""
    task, case, q = _check_task(task, case, m, q)
    return _fourth_task_cached(task, case, _check_n(n, task), q, bool(in_d))


@functools.lru_cache(maxsize=256)
def _fourth_task_cached(task: str, case: str, n_: sp.Expr, q: int, in_d: bool) -> sp.Expr:
    dA = q
    op, s_sites = _local_task(task, q)
    d = _D
    if case == "v1":
        W = pair_tensor(op, dA)
        rest = d / (dA * q**s_sites)
        res = fourth_moment_v1(dA, W, rest)
    else:
        t2, t4 = _task_h_power_traces(task, n_, q)
        t2, t4 = [sp.expand(x).subs(q**n_, d) if not n_.is_number else x for x in (t2, t4)]
        hp = (0, t2, sp.Symbol("t3_unused"), t4)
        if case == "v2":
            rho0 = np.full((dA, dA), Fraction(0), dtype=object)
            rho0[0, 0] = Fraction(1)
            R = pair_tensor(rho0, dA)  # Σ_b g_b² = 1 - 1/dA, the B part is |0…0><0…0|
            res = fourth_moment_v2(dA, R, (1, 1, 1, 1), hp)
        else:
            res = fourth_moment_both(dA, d / dA, hp)
        if res.has(sp.Symbol("t3_unused")):  # pragma: no cover - tr H0 = 0 kills every tr H0³ term
            raise AssertionError("tr H0³ survived although tr H0 = 0")
    return _in_n(res, n_, q, in_d)


def _in_n(res: sp.Expr, n_: sp.Expr, q: int, in_d: bool) -> sp.Expr:
    """Lowest terms in ``d``; then ``d = q^n`` unless ``in_d``."""
    res = sp.factor(sp.cancel(sp.together(res)))
    if in_d:
        return res
    if n_.is_number:
        return res.subs(_D, q ** int(n_))
    return res.subs(_D, q**n_)


def expected_K_frobenius_sq_task(
    task: str, case: str, n: Any, m: Any = 1, q: int = 2, *, in_d: bool = False
) -> sp.Expr:
    """Exact ``E||K||_F²`` (Lemma 9) for the same tasks, via the same local data: ``(dA²-1) c (1 - 1/d)/(d²-1)``
    (v1, ``c = Σ_a tr_B h_a² = tr(W) · rest``), ``(dA²-1)(1 - 1/dA) tr H0² /(d²-1)`` (v2) and
    ``(dA²-1)² dB² (1 - 1/d) tr H0² /(d²-1)²`` (both)."""
    task, case, q = _check_task(task, case, m, q)
    return _sq_task_cached(task, case, _check_n(n, task), q, bool(in_d))


@functools.lru_cache(maxsize=256)
def _sq_task_cached(task: str, case: str, n_: sp.Expr, q: int, in_d: bool) -> sp.Expr:
    dA, d = q, _D
    op, s_sites = _local_task(task, q)
    if case == "v1":
        W = pair_tensor(op, dA)
        # Σ_a tr(h_a²) = Σ_{i,k} W[i, k, k, i]; the rest of B contributes its dimension
        c = _as_sympy(sum(W[i, k, k, i] for i in range(W.shape[0]) for k in range(W.shape[1]))) * d / (dA * q**s_sites)
        res = (dA**2 - 1) * c * (1 - 1 / d) / (d**2 - 1)
    else:
        t2, _ = _task_h_power_traces(task, n_, q)
        t2 = sp.expand(t2).subs(q**n_, d) if not n_.is_number else t2
        if case == "v2":
            res = (dA**2 - 1) * (1 - sp.Rational(1, dA)) * t2 / (d**2 - 1)
        else:
            res = (dA**2 - 1) ** 2 * (d / dA) ** 2 * (1 - 1 / d) * t2 / (d**2 - 1) ** 2
    return _in_n(res, n_, q, in_d)


# ---------------------------------------------------------------------------------------------
# numeric path: any Observable (duck-typed: .n, .q, .terms, .dense()) at a given n
# ---------------------------------------------------------------------------------------------
def _local_operator(obs, sites_A: Sequence[int]) -> tuple[np.ndarray, list[int]]:
    """The A-touching terms of ``obs`` as a dense operator on A ∪ S (A first), and S."""
    q = obs.q
    A = list(sites_A)
    S = sorted({s for c, ops in obs.terms if any(a in ops for a in A) for s in ops} - set(A))
    order = A + S
    D = q ** len(order)
    out = np.zeros((D, D), dtype=np.complex128)
    eye = np.eye(q, dtype=np.complex128)
    for c, ops in obs.terms:
        if not any(a in ops for a in A):
            continue
        m = np.array([[c]], dtype=np.complex128)
        for s in order:
            m = np.kron(m, ops.get(s, eye))
        out += m
    return out, S


def expected_K_frobenius_fourth_observable(
    obs, case: str, sites_A: Sequence[int] = (0,), max_dense_dim: int = 4096
) -> float:
    """``E||K||_F⁴`` for any Hermitian Observable at its n, input ``|0…0>`` (Lemma 11.4, floats).

    case v1: only the A-touching terms enter (``W`` on their support, any n); v2/both need
    ``tr H0²``, ``tr H0⁴``, computed from the dense matrix (``q**n <= max_dense_dim``)."""
    if not isinstance(case, str) or case not in ("v1", "v2", "both"):
        raise ValueError(f"case must be one of ('v1', 'v2', 'both'), got {case!r}")
    n, q = int(obs.n), int(obs.q)
    A = [int(s) for s in sites_A]
    if not A or len(set(A)) != len(A) or any(not 0 <= s < n for s in A) or len(A) >= n:
        raise ValueError(
            f"sites_A must be distinct sites in range(n) = range({n}) forming a proper subsystem, got {sites_A}"
        )
    dA, d = q ** len(A), q**n
    if case == "v1":
        op, S = _local_operator(obs, A)
        W = np.real_if_close(pair_tensor(op, dA))
        rest = d // (dA * q ** len(S))
        val = fourth_moment_v1(dA, np.asarray(W, dtype=complex), rest, d)
        return float(sp.re(sp.N(val)))
    if d > max_dense_dim:
        raise ValueError(
            f"case {case!r} needs tr H⁴ from the dense matrix: q**n = {d} > max_dense_dim = {max_dense_dim}"
        )
    H = obs.dense()
    H0 = H - np.trace(H).real / d * np.eye(d)
    H2 = H0 @ H0
    hp = (0, float(np.trace(H2).real), 0, float(np.sum(H2 * H2.T).real))
    hp = tuple(sp.Float(x) for x in hp)
    if case == "v2":
        rho0 = np.zeros((dA, dA))
        rho0[0, 0] = 1.0
        val = fourth_moment_v2(dA, pair_tensor(rho0, dA), (1, 1, 1, 1), hp, d)
    else:
        val = fourth_moment_both(dA, d // dA, hp, d)
    return float(sp.N(val))
