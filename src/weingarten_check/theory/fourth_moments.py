"""Exact fourth moments ``E||K||_F⁴`` of the Route-1 matrix K: the generic S4 calculus (Lemma 11.4 of
``proofs/DERIVATION.md``).

``K_ab = tr((G_b ⊗ h_a) ρ1) = tr((G_a ⊗ r_b) H2)`` with ``h_a = tr_A((G_a ⊗ I) H2)``,
``r_b = tr_A((G_b ⊗ I) ρ1)``, ``H2 = V2† H V2``, ``ρ1 = V1 ρ V1†`` (Lemma 3.1).
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

Everything is exact where the inputs are: local operators may be rational (numpy object arrays of
``Fraction``) and the dimension enters as the sympy Symbol :data:`D` (``d = q**n``).  The paper's
tasks (their local operators and power traces) live in :mod:`weingarten_check.theory.task_moments`;
:func:`expected_K_frobenius_fourth_observable` is the numeric path for any Observable at a given n
(same formulas, floating-point traces).

Examples
--------
>>> gamma_values(2)[(1, 0, 3, 2)]   # (01)(23): (dA² - 1)²
9
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
from ..util.checks import check_choice, check_sites

__all__ = [
    "D",
    "PERMUTATIONS",
    "exact_int_repr",
    "as_sympy",
    "omega_tensor",
    "pair_tensor",
    "perm_pair_trace",
    "gamma_values",
    "permutation_coefficients",
    "fourth_moment_v1",
    "fourth_moment_v2",
    "fourth_moment_both",
    "expected_K_frobenius_fourth_observable",
    "clear_caches",
]

#: S4 in a fixed order (tuples: σ(a) at position a)
PERMUTATIONS: tuple[tuple[int, ...], ...] = tuple(itertools.permutations(range(4)))
#: the total dimension d = q**n as a sympy Symbol (the formulas are rational functions of it)
D = sp.Symbol("d", positive=True)
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


def exact_int_repr(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """An exact object array of Fractions/ints as ``(int64 array, denominator)``.

    Checks the range so that the int64 contractions of this module cannot overflow (entries times the
    contraction size < 2**62); raises ``OverflowError`` otherwise.

    Examples
    --------
    >>> ints, den = exact_int_repr(np.array([Fraction(1, 2), Fraction(1, 3)], dtype=object))
    >>> ints.tolist(), den
    ([3, 2], 6)
    """
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
        op_int, den = exact_int_repr(op)
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
    return exact_int_repr(t) if t.dtype == object else (t, 1)


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
    expr = trace_moment([F] * 4, list(xs), D)
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
def as_sympy(x: Any) -> sp.Expr:
    """``x`` as a sympy number: a ``Fraction`` exactly, a float or complex by its real part as a Float.

    Examples
    --------
    >>> as_sympy(Fraction(3, 4)), as_sympy(0.5)
    (3/4, 0.500000000000000)
    """
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    if isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return sp.Float(float(np.real(x)))
    return sp.sympify(x)


def fourth_moment_v1(
    dA: int, W_local: np.ndarray, rest_dim: Any, d: Any = D, state_power_traces: Sequence[Any] = (1, 1, 1, 1)
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
        eta = as_sympy(_perm_trace_prepared(p, w, w)) * rest ** _ncycles(p)
        tot += beta[p] * gam[p] * eta
    return tot.subs(D, d)


def fourth_moment_v2(
    dA: int, R_local: np.ndarray, rest_traces: Sequence[Any], h_power_traces: Sequence[Any], d: Any = D
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
        zeta = as_sympy(_perm_trace_prepared(p, r, r)) * rest
        tot += alpha[p] * gam[p] * zeta
    return tot.subs(D, d)


def fourth_moment_both(
    dA: int, dB: Any, h_power_traces: Sequence[Any], d: Any = D, state_power_traces: Sequence[Any] = (1, 1, 1, 1)
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
    return tot.subs(D, d)


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
    from .bounds import CASES

    check_choice(case, "case", CASES)
    n, q = int(obs.n), int(obs.q)
    A = list(check_sites(sites_A, n, name="sites_A"))
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


def clear_caches() -> None:
    """Empty the memo caches of this module (γ values and the Weingarten coefficients).

    The benchmarks call it to time a cold computation.
    """
    gamma_values.cache_clear()
    _coefficients_cached.cache_clear()
