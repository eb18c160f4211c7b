"""Exact fourth moments ``E||K||_F⁴`` of the Route-1 matrix K: the generic S4 calculus.

Implements Lemma 11.4 of ``proofs/DERIVATION.md`` (checked by ``proofs/test_11_two_sided.py``).
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
``Fraction``) and the dimension enters as the sympy Symbol :data:`D` (``d = q**n``).  Tensors on two
copies are stored as ``T[i1, i2, j1, j2] = <i1 i2|T|j1 j2>``.  The paper's tasks (their local
operators and power traces) live in :mod:`weingarten_check.theory.task_moments`;
:func:`expected_K_frobenius_fourth_observable` is the numeric path for any Observable at a given n
(same formulas, floating-point traces).  The first call that needs the Weingarten coefficients
(:func:`permutation_coefficients`) expands the k = 4 sum symbolically (about 1-2 s); it is cached.

Examples
--------
>>> D, len(PERMUTATIONS)
(d, 24)
>>> gamma_values(2)[(1, 0, 3, 2)]  # (01)(23): (dA² - 1)²
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
from .bounds import CASES

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

#: The 24 elements of S4 (Lemma 11.4 of ``proofs/DERIVATION.md``) in ``itertools.permutations``
#: order, each a tuple with σ(a) at position a (``(1, 0, 3, 2)`` is (01)(23)); the keys of
#: :func:`gamma_values` and :func:`permutation_coefficients`.
PERMUTATIONS: tuple[tuple[int, ...], ...] = tuple(itertools.permutations(range(4)))
#: The total dimension ``d = q**n`` as a positive sympy Symbol (printed ``d``): the formulas of
#: Lemma 11.4 are rational functions of it; substitute ``q**n`` or a number at the end.
D = sp.Symbol("d", positive=True)
_T = sp.symbols("t1:5")  # tr F, tr F², tr F³, tr F⁴ (generic, substituted afterwards)


def _ncycles(p: tuple[int, ...]) -> int:
    return len(cycles(p))


# ---------------------------------------------------------------------------------------------
# two-copy tensors and their four-copy permutation traces
# ---------------------------------------------------------------------------------------------
def omega_tensor(dA: int) -> np.ndarray:
    """Return ``Ω = Σ_a G_a ⊗ G_a = SWAP - I/dA`` as an exact two-copy tensor ``Ω[i1, i2, j1, j2]``.

    Lemma 11.4 of ``proofs/DERIVATION.md``; the identity is the completeness relation 2.1b of
    Lemma 2.1 (``{I/√dA} ∪ {G_a}`` is an orthonormal basis), so no basis ``G_a`` is built.

    Parameters
    ----------
    dA : int
        Dimension of the subsystem A, ``dA = q**m >= 2``.

    Returns
    -------
    numpy.ndarray
        Object array of shape ``(dA, dA, dA, dA)`` holding ``fractions.Fraction`` entries
        ``δ_{i1 j2} δ_{i2 j1} - δ_{i1 j1} δ_{i2 j2} / dA``.

    Raises
    ------
    TypeError
        If ``dA`` is not an int.

    See Also
    --------
    gamma_values : The permutation traces ``γ(σ) = tr_σ(Ω, Ω)``.

    Examples
    --------
    >>> om = omega_tensor(2)
    >>> om[0, 1, 1, 0], om[0, 1, 0, 1], om[0, 0, 0, 0]
    (Fraction(1, 1), Fraction(-1, 2), Fraction(1, 2))
    """
    out = np.full((dA,) * 4, Fraction(0), dtype=object)
    for i1, i2 in itertools.product(range(dA), repeat=2):
        out[i1, i2, i2, i1] += 1
        out[i1, i2, i1, i2] -= Fraction(1, dA)
    return out


def exact_int_repr(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """Write an exact array of Fractions/ints as ``(int64 array, common denominator)``.

    A helper of the exact contractions of Lemma 11.4 (``proofs/DERIVATION.md``): the tensors are
    contracted in int64 and divided once at the end.

    Parameters
    ----------
    arr : numpy.ndarray
        Array whose entries ``fractions.Fraction(x)`` accepts (Fractions, ints, or floats, taken
        exactly); typically an object array of Fractions.

    Returns
    -------
    ints : numpy.ndarray
        An int64 array of the shape of ``arr`` with ``arr == ints / den`` entry by entry.
    den : int
        The least common denominator of the entries.

    Raises
    ------
    OverflowError
        If an int64 contraction of this module could overflow (largest ``|entry|² · arr.size >= 2**62``).
    TypeError
        If an entry is not a real number (e.g. complex).

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
    """Return ``Σ_a x_a ⊗ x_a`` with ``x_a = tr_A((G_a ⊗ I) op)``, as a two-copy tensor on S ⊗ S.

    The operators ``W = Σ_a h_a ⊗ h_a`` (``op`` = the A-touching part of H) and ``R = Σ_b r_b ⊗ r_b``
    (``op`` = the state on A ∪ S) of Lemma 11.4 of ``proofs/DERIVATION.md``, restricted to the sites S
    of B they act on.

    Parameters
    ----------
    op : numpy.ndarray
        Square matrix on ``A ⊗ S`` (A first, size ``dA * s``): exact (object array of Fractions or
        ints) or float/complex.
    dA : int
        Dimension of A; must divide the size of ``op``.

    Returns
    -------
    numpy.ndarray
        Tensor ``W[i1, i2, j1, j2]`` of shape ``(s, s, s, s)``: an object array of Fractions if ``op``
        is an object array, otherwise a float/complex array.

    Raises
    ------
    ValueError
        If ``op`` is not a square matrix or ``dA`` does not divide its size.
    OverflowError
        If an exact ``op`` has entries too large for the int64 contraction (:func:`exact_int_repr`).

    Notes
    -----
    Uses ``Σ_a G_a[β1,α1] G_a[β2,α2] = δ_{β1α2} δ_{β2α1} - δ_{β1α1} δ_{β2α2}/dA`` (Lemma 2.1b; no
    basis is built)::

        W[i1,i2,j1,j2] = Σ_{α1α2} op[(α1 i1),(α2 j1)] op[(α2 i2),(α1 j2)] - (tr_A op)[i1,j1] (tr_A op)[i2,j2]/dA

    Examples
    --------
    A pure state ``|0><0|`` on A alone (S empty): the scalar ``Σ_b <0|G_b|0>² = 1 - 1/dA`` (the state
    coupling of Lemma 9.2):

    >>> rho = np.array([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(0)]], dtype=object)
    >>> W = pair_tensor(rho, 2)
    >>> W.shape, W[0, 0, 0, 0]
    ((1, 1, 1, 1), Fraction(1, 2))
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
    """Return ``tr(P_σ (T1 ⊗ T2))`` on four copies: ``Σ_i T1[i0, i1, i_σ(0), i_σ(1)] T2[i2, i3, i_σ(2), i_σ(3)]``.

    The permutation trace ``tr_σ(T, T')`` of Lemma 11.4 of ``proofs/DERIVATION.md``.  For
    ``T1 ⊗ T2 = x_0 ⊗ x_1 ⊗ x_2 ⊗ x_3`` this is ``Π_cycles tr(x_a x_σ(a) x_σ²(a) …)``, the convention of
    :func:`weingarten_check.calculus.unitary_integrals.trace_moment`.

    Parameters
    ----------
    sigma : sequence of int
        A permutation of ``(0, 1, 2, 3)``, ``σ(a)`` at position ``a`` (an element of
        :data:`PERMUTATIONS`).  Not checked.
    t1, t2 : numpy.ndarray
        Two-copy tensors ``T[i1, i2, j1, j2]`` (as from :func:`pair_tensor` or :func:`omega_tensor`),
        exact (object arrays) or float/complex.

    Returns
    -------
    fractions.Fraction or numpy scalar
        A Fraction if both tensors are exact, otherwise a numpy float/complex.

    Raises
    ------
    OverflowError
        If an exact tensor is too large for the int64 contraction (:func:`exact_int_repr`).

    Examples
    --------
    >>> perm_pair_trace((1, 0, 3, 2), omega_tensor(2), omega_tensor(2))  # (01)(23): (dA² - 1)²
    Fraction(9, 1)
    >>> perm_pair_trace((0, 1, 2, 3), omega_tensor(2), omega_tensor(2))  # a fixed point: tr G_a = 0
    Fraction(0, 1)
    """
    return _perm_trace_prepared(sigma, _prepared(t1), _prepared(t2))


@functools.cache
def gamma_values(dA: int) -> dict[tuple[int, ...], sp.Rational]:
    """Return ``γ(σ) = Σ_{a,a'} tr_σ(G_a, G_a, G_a', G_a') = tr_σ(Ω, Ω)`` for every σ ∈ S4, exactly.

    The A factor of every formula of Lemma 11.4 of ``proofs/DERIVATION.md`` (11.4a-c).  Cached per
    ``dA``.

    Parameters
    ----------
    dA : int
        Dimension of the subsystem A, ``dA = q**m >= 2``.

    Returns
    -------
    dict of tuple to sympy.Rational
        ``γ(σ)`` for each of the 24 :data:`PERMUTATIONS`.

    Raises
    ------
    TypeError
        If ``dA`` is not an int.

    Notes
    -----
    Zero for σ with a fixed point (``tr G_a = 0``); ``(dA² - 1)²`` for (01)(23); ``dA² - 1`` for
    (02)(13) and (03)(12); ``(dA² - 1)²/dA`` for the four 4-cycles with the word
    ``G_a G_a G_a' G_a'``; and ``-(dA² - 1)/dA`` for the two with ``G_a G_a' G_a G_a'``.

    Examples
    --------
    >>> gamma = gamma_values(2)
    >>> gamma[(1, 0, 3, 2)], gamma[(2, 3, 0, 1)], gamma[(0, 1, 2, 3)]
    (9, 3, 0)
    >>> sorted(set(gamma.values()))
    [-3/2, 0, 3, 9/2, 9]
    """
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
    """Return ``c_π`` with ``E Π_{i<4} tr(F V X_i V†) = Σ_π c_π tr_π(X_0, …, X_3)`` for Haar ``V ∈ U(d)``.

    The coefficients α (``F = H - tr(H)/d``) and β (``F = ρ``) of Lemma 11.4 of
    ``proofs/DERIVATION.md``; equivalently ``E[(V†FV)^{⊗4}] = Σ_π c_π P_π``.  Computed by the engine's
    :func:`~weingarten_check.calculus.unitary_integrals.trace_moment` (eq. E2, k = 4) with abstract
    operators and a generic ``tr F^k``, then ``tr F^k = power_traces[k-1]`` is substituted.  The
    generic expansion is cached: the first call takes about 1-2 s, later ones milliseconds.

    Parameters
    ----------
    power_traces : sequence of 4 numbers or sympy.Expr
        ``(tr F, tr F², tr F³, tr F⁴)``: ``(0, t2, t3, t4)`` for α (``F = H0``), ``(1, 1, 1, 1)`` for β
        of a pure state.  Entries may be exact numbers, floats or sympy expressions (e.g. in
        :data:`D`).

    Returns
    -------
    dict of tuple to sympy.Expr
        ``c_π`` for each of the 24 :data:`PERMUTATIONS`: rational functions of the Symbol :data:`D`
        (``d``), not simplified.

    Raises
    ------
    ValueError
        If ``power_traces`` does not have 4 entries.

    Examples
    --------
    A pure state (a Haar-random state after V1): every ``β_σ = 1/(d(d+1)(d+2)(d+3))``:

    >>> beta = permutation_coefficients((1, 1, 1, 1))
    >>> sp.factor(beta[(1, 0, 3, 2)])
    1/(d*(d + 1)*(d + 2)*(d + 3))
    """
    if len(power_traces) != 4:
        raise ValueError(f"power_traces must be (tr F, tr F², tr F³, tr F⁴), got {power_traces!r}")
    generic = _coefficients_cached(_T)
    sub = dict(zip(_T, (sp.sympify(x) for x in power_traces)))
    return {p: c.subs(sub) for p, c in generic.items()}


# ---------------------------------------------------------------------------------------------
# the three cases (11.4a-c), with the B side given as a local tensor and a "rest" factor
# ---------------------------------------------------------------------------------------------
def as_sympy(x: Any) -> sp.Expr:
    """Convert ``x`` to a sympy number: a ``Fraction`` exactly, a float or complex by its real part as a Float.

    A helper of the exact formulas of Lemma 11.4 of ``proofs/DERIVATION.md``: permutation traces come
    back as Fractions (exact tensors) or numpy scalars (float tensors).

    Parameters
    ----------
    x : Fraction, float, complex, numpy scalar, int or sympy.Expr
        The value.  The imaginary part of a complex is dropped (the traces it is used on are real).

    Returns
    -------
    sympy.Expr
        A Rational for a Fraction, a Float for a (numpy) float or complex, ``sympy.sympify(x)``
        otherwise.

    Raises
    ------
    sympy.SympifyError
        If ``x`` is of a type sympy cannot convert.

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
    """Formula (11.4a): ``E||K||_F⁴ = Σ_σ β_σ γ(σ) η(σ)`` for V1 Haar (or a unitary 4-design), H2 fixed.

    Lemma 11.4 of ``proofs/DERIVATION.md``, case v1.

    Parameters
    ----------
    dA : int
        Dimension of the subsystem A, ``dA = q**m >= 2``.
    W_local : numpy.ndarray
        ``Σ_a h_a ⊗ h_a`` restricted to the sites S of B that the A-touching terms of ``H2`` act on,
        as a two-copy tensor (from :func:`pair_tensor`); exact (object) or float/complex.
    rest_dim : int or sympy.Expr
        Dimension of the rest of B (``h_a = h_a^S ⊗ I_rest``), e.g. ``D / (dA * q**|S|)``.
    d : int or sympy.Expr, default D
        Value substituted for the Symbol :data:`D` at the end: keep ``D`` (a rational function of
        ``d``), or pass ``q**n`` (a sympy expression, n may be a Symbol) or a number.
    state_power_traces : sequence of 4 numbers or sympy.Expr, default (1, 1, 1, 1)
        ``(tr ρ, tr ρ², tr ρ³, tr ρ⁴)`` of the input state ρ (``(1, 1, 1, 1)``: a pure state, so that
        ``ρ1 = V1 ρ V1†`` is a Haar-random state); may contain :data:`D`.

    Returns
    -------
    sympy.Expr
        The fourth moment: a rational function of ``d`` (not simplified; apply ``sympy.factor``), a
        Rational for a numeric ``d`` and exact inputs, Float coefficients for a float ``W_local``.

    Raises
    ------
    ValueError
        If ``state_power_traces`` does not have 4 entries.

    Notes
    -----
    ``h_a = h_a^S ⊗ I_rest``, so ``η(σ) = tr_σ(W_local, W_local) · rest_dim^{c(σ)}``, with ``c(σ)`` the
    number of cycles of σ.

    Examples
    --------
    The quantum autoencoder (Eq. 10) with A = R: the A-touching part of H is ``I - |0><0|`` on A
    alone (S empty), the rest of B has dimension ``d/2``:

    >>> op = np.array([[Fraction(0), Fraction(0)], [Fraction(0), Fraction(1)]], dtype=object)
    >>> sp.factor(fourth_moment_v1(2, pair_tensor(op, 2), D / 2))
    15/(16*(d + 1)*(d + 3))
    """
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
    """Formula (11.4b): ``E||K||_F⁴ = Σ_σ α_σ γ(σ) ζ(σ)`` for V2 Haar (or a unitary 4-design), ρ1 fixed.

    Lemma 11.4 of ``proofs/DERIVATION.md``, case v2.

    Parameters
    ----------
    dA : int
        Dimension of the subsystem A, ``dA = q**m >= 2``.
    R_local : numpy.ndarray
        ``Σ_b r_b ⊗ r_b`` on the sites S of B where ``ρ1`` is not a fixed product factor,
        ``ρ1 = ρ_{A∪S} ⊗ ρ_rest`` (from :func:`pair_tensor` of ``ρ_{A∪S}``); exact or float.
    rest_traces : sequence of 4 numbers or sympy.Expr
        ``rest_traces[k-1] = tr ρ_rest^k`` (``(1, 1, 1, 1)`` for a pure rest).
    h_power_traces : sequence of 4 numbers or sympy.Expr
        ``(tr H0, tr H0², tr H0³, tr H0⁴)`` with ``H0 = H - tr(H)/d``, so the first entry is 0; may
        contain :data:`D` (e.g. ``(0, D/4, 0, D/16)``).  With ``tr H0 = 0`` the ``tr H0³`` entry never
        enters the result.
    d : int or sympy.Expr, default D
        Value substituted for the Symbol :data:`D` at the end: keep ``D`` (a rational function of
        ``d``), or pass ``q**n`` (a sympy expression, n may be a Symbol) or a number.

    Returns
    -------
    sympy.Expr
        The fourth moment: a rational function of ``d`` (not simplified), a Rational for a numeric ``d``
        and exact inputs.

    Raises
    ------
    ValueError
        If ``h_power_traces`` does not have 4 entries.

    Examples
    --------
    The quantum autoencoder: ``ρ1 = |0…0>`` and ``H0 = I/2 - |0><0|_R ⊗ I`` has eigenvalues ``±1/2``,
    so ``tr H0² = d/4``, ``tr H0⁴ = d/16``:

    >>> rho = np.array([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(0)]], dtype=object)
    >>> sp.factor(fourth_moment_v2(2, pair_tensor(rho, 2), (1, 1, 1, 1), (0, D / 4, 0, D / 16)))
    15*(d + 2)/(64*(d - 1)*(d + 1)*(d + 3))
    """
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
    """Formula (11.4c): ``E||K||_F⁴ = Σ_{σ,τ} α_σ β_τ γ(σ) γ(τ) dB^{c(στ)}`` for independent Haar V1, V2.

    Lemma 11.4 of ``proofs/DERIVATION.md``, case both (Haar or unitary 4-designs); only the power
    traces of H and ρ enter.

    Parameters
    ----------
    dA : int
        Dimension of the subsystem A, ``dA = q**m >= 2``.
    dB : int or sympy.Expr
        Dimension of B, ``d / dA`` (e.g. ``D / 2``).
    h_power_traces : sequence of 4 numbers or sympy.Expr
        ``(tr H0, tr H0², tr H0³, tr H0⁴)`` with ``H0 = H - tr(H)/d``, so the first entry is 0; may
        contain :data:`D` (e.g. ``(0, D/4, 0, D/16)``).  With ``tr H0 = 0`` the ``tr H0³`` entry never
        enters the result.
    d : int or sympy.Expr, default D
        Value substituted for the Symbol :data:`D` at the end: keep ``D`` (a rational function of
        ``d``), or pass ``q**n`` (a sympy expression, n may be a Symbol) or a number.
    state_power_traces : sequence of 4 numbers or sympy.Expr, default (1, 1, 1, 1)
        ``(tr ρ, tr ρ², tr ρ³, tr ρ⁴)`` of the input state ρ (``(1, 1, 1, 1)``: a pure state, so that
        ``ρ1 = V1 ρ V1†`` is a Haar-random state); may contain :data:`D`.

    Returns
    -------
    sympy.Expr
        The fourth moment: a rational function of ``d`` (not simplified), a Rational for numeric
        ``dB``, ``d`` and exact traces.

    Raises
    ------
    ValueError
        If ``h_power_traces`` or ``state_power_traces`` does not have 4 entries.

    Notes
    -----
    ``c(στ)`` is the number of cycles of the product ``στ``
    (:func:`weingarten_check.calculus.symmetric_group.compose`).

    Examples
    --------
    The quantum autoencoder (``tr H0² = d/4``, ``tr H0⁴ = d/16``) on six qubits, ``d = 64``:

    >>> fourth_moment_both(2, 32, (0, 16, 0, 4), 64)
    23436663/259151765600
    """
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
    """Return ``E||K||_F⁴`` for any Hermitian Observable at its ``n``, input ``|0…0>`` (floating point).

    The numeric path of Lemma 11.4 of ``proofs/DERIVATION.md``: formulas (11.4a-c) with traces
    computed in floating point, for Haar-random (or unitary 4-design) V1 and/or V2 with the other one
    the identity.

    Parameters
    ----------
    obs : Observable
        A :class:`~weingarten_check.states.observables.Observable` (duck-typed: ``.n``, ``.q``,
        ``.terms``, ``.dense()``), Hermitian.
    case : {"v1", "v2", "both"}
        ``"v1"``: V1 Haar and ``V2 = I``; ``"v2"``: V2 Haar and ``V1 = I``; ``"both"``: independent.
    sites_A : sequence of int, default (0,)
        The sites of A: distinct, in ``range(n)``, a proper subset.
    max_dense_dim : int, default 4096
        Largest ``q**n`` for which v2/both may build the dense matrix of H (for ``tr H0⁴``).

    Returns
    -------
    float
        The fourth moment.

    Raises
    ------
    ValueError
        If ``case`` is not one of ``("v1", "v2", "both")``; if ``sites_A`` is empty, repeats a site,
        leaves ``range(n)`` or covers every site; or (v2, both) if ``q**n > max_dense_dim``.
    TypeError
        If ``sites_A`` is not a sequence of ints.

    Notes
    -----
    Case v1 uses only the A-touching terms of H (``W`` on their support S, any n; the rest of B enters
    through its dimension); v2 and both need ``tr H0²`` and ``tr H0⁴`` of ``H0 = H - tr(H)/d``, computed
    from the dense matrix.

    Examples
    --------
    >>> from weingarten_check.states.observables import qae_observable
    >>> x = expected_K_frobenius_fourth_observable(qae_observable(4), "v1")
    >>> abs(x - 15 / 5168) < 1e-12  # exact: 15/(16 (d + 1)(d + 3)) at d = 16
    True
    """
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

    Implements no lemma: the benchmarks call it to time a cold computation.  The next call of
    :func:`permutation_coefficients` (and of every fourth moment) then expands the k = 4 Weingarten sum
    again (about 1-2 s).

    See Also
    --------
    weingarten_check.theory.task_moments.clear_caches : Also empties the task caches.

    Examples
    --------
    >>> clear_caches()
    >>> gamma_values.cache_info().currsize
    0
    """
    gamma_values.cache_clear()
    _coefficients_cached.cache_clear()
