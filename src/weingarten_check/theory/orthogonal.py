"""Theorem 1 for real-amplitude circuits: V1 Haar on O(d) instead of U(d) (Lemma 16.4).

Real-amplitude ansätze (R_Y rotations, CZ/CNOT) are real orthogonal matrices; deep ones approach Haar
on O(d), a 2-design for O(d) but not for U(d) (Lemma 16.2).  With V1 Haar on O(d), V2 fixed, and a real
input state ρ (``ρ^T = ρ``, purity ``P = tr ρ²``), the matrix ``K_ab = tr((G_b ⊗ h_a) V1 ρ V1^T)`` of
Lemma 3.1 has, from the three Brauer elements of the O(d) second moment (``trace_moment_orthogonal``
with ``tr O = 0``, ``tr ρ = 1``, ``tr ρ² = tr(ρ ρ^T) = P``)::

    E[K_ab K_a'b'] = c_O(d, P) (tr(O O') + tr(O O'^T)),   c_O = (P d - 1) / (d (d - 1) (d + 2)),

``O = G_b ⊗ h_a``, ``O' = G_b' ⊗ h_a'``.  Summed over an orthonormal Hermitian traceless basis
(``Σ_b tr(G_b G_b^T) = dA - 1``, the trace of the transpose on traceless matrices)::

    E||K||_F² = c_O(d, P) [(dA² - 1) κ + (dA - 1) κ_T],                                (K_O)
    κ = Σ_a tr_B(h_a²) (the coupling),  κ_T = Σ_a tr_B(h_a h_a^T) = tr(H H^{T_B}) - tr(h h^T)/dA, h = tr_A H.

The unitary value is ``(P d - 1)/(d (d² - 1)) (dA² - 1) κ`` (Lemma 4.1), so the ratio is
``(d + 1)/(d + 2) · (1 + κ_T / ((dA + 1) κ))``, at most ``(d+1)(dA+2)/((d+2)(dA+1))`` (``|κ_T| ≤ κ``).  Since
``Δ ≤ 2 sqrt(r) ||K||_F`` for every K (Lemma 3.4), ``E[Δ] ≤ 2 sqrt(r) sqrt(E||K||_F²)`` (Jensen) — Δ the
variation over all of U(dA).  Heisenberg ring, one qubit: ``κ = 6d``, ``κ_T = 2d`` (the Y terms enter
with a minus sign), ``E||K||_F² = 20/(d + 2)`` against the unitary ``18/(d + 1)``; QAE: ``κ_T = κ``.

V2 Haar on O(d) instead (V1 fixed, ``ρ1 = V1 ρ V1^†``): ``K_ab = tr(H V2 (G_a ⊗ r_b) V2^T)`` with traceless
``X_ab = G_a ⊗ r_b``; the same three Brauer terms give, with ``t1 = tr H``, ``t2 = tr H²``, ``tT = tr(H H^T)``,
``σ = Σ_b tr_B(r_b²)``, ``σ_T = Σ_b tr_B(r_b r_b^T)``, ``α = (d + 1)/(d(d - 1)(d + 2))``, ``β = -1/(d(d - 1)(d + 2))``::

    E||K||_F² = (dA² - 1) σ (α t2 + β (t1² + tT)) + (dA - 1) σ_T (α tT + β (t1² + t2)).             (K_O2)

V1 and V2 independent Haar on O(d), ``ρ = |ψ><ψ|`` a real pure state (Lemma 16.7): (K_O2) is linear in σ and σ_T
of ``ρ1 = V1 ρ V1^T``, and ``E[ρ1 ⊗ ρ1] = (I + F + d Φ⁺)/(d(d + 2))`` (F the swap, ``dΦ⁺ = Σ_ij |ii><jj|``) gives,
with ``r_b^T = r(G_b^T)`` for a real ρ1, ``E tr_B(r_b r_b') = (dB² tr(G_b G_b') + dB tr(G_b G_b'^T))/(d(d + 2))``::

    E σ = dB (dB (dA² - 1) + dA - 1)/(d (d + 2)),   E σ_T = dB (dB (dA - 1) + dA² - 1)/(d (d + 2)),     (K_O3)

and ``E||K||_F²`` is (K_O2) with σ, σ_T replaced by these means.

What a real ansatz reaches on one qubit: with ``C(U) = c0 + tr(K^T R(U))`` (Lemma 3.1; basis X, Y, Z
over √2) the rotations ``R_Y(θ) = exp(-iθY/2)`` give ``c0 + K_yy + (K_xx + K_zz) cos θ ± (K_xz - K_zx) sin θ``
and the reflections ``Z R_Y(θ)`` (``Ad_Z = diag(-1, -1, 1)``) give
``c0 - K_yy + (K_zz - K_xx) cos θ ∓ (K_xz + K_zx) sin θ``; so
``Δ_{R_Y} = 2 r1`` and ``Δ_{O(2)} = max(K_yy + r1, r2 - K_yy) - min(K_yy - r1, -K_yy - r2)`` with
``r1 = |(K_xx + K_zz, K_xz - K_zx)|``, ``r2 = |(K_zz - K_xx, K_xz + K_zx)|`` (Lemma 16.5).

Examples
--------
>>> import sympy; d = sympy.Symbol("d")
>>> sympy.factor(expected_K_frobenius_sq_orthogonal(d, 2, coupling=6 * d, transpose_coupling=2 * d))
20/(d + 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ..states.observables import Observable
from .bounds import nuclear_to_frobenius_factor

__all__ = [
    "transpose_coupling",
    "orthogonal_second_moment_coefficient",
    "expected_K_frobenius_sq_orthogonal",
    "expected_K_frobenius_sq_orthogonal_v2",
    "expected_K_frobenius_sq_orthogonal_both",
    "transpose_hs",
    "orthogonal_task_dependent_bound",
    "orthogonal_route1_bound",
    "orthogonal_to_unitary_ratio",
    "variation_range_ry",
    "variation_range_real_qubit",
]


def _num(x: Any, name: str) -> sp.Expr:
    if isinstance(x, bool):
        raise TypeError(f"{name} must be a number or a sympy expression, got bool {x!r}")
    try:
        return sp.nsimplify(x) if isinstance(x, float) else sp.sympify(x)
    except (sp.SympifyError, TypeError):
        raise TypeError(f"{name} must be a number or a sympy expression, got {x!r}") from None


def transpose_coupling(observable: Observable, sites_A: Any) -> float:
    """``κ_T = Σ_a tr_B(h_a h_a^T) = tr(H H^{T_B}) - tr(h h^T)/dA`` (``h = tr_A H``), term by term.

    For a Pauli-string H each term ``c P_A ⊗ P_B`` contributes with the sign ``(-1)^{#Y in P_B}`` of
    ``P_B^T = ±P_B``; κ_T = κ for a real H whose B parts are all symmetric.  Lemma 16.4.

    Parameters
    ----------
    observable : Observable
    sites_A : sequence of int
        The sites of A.

    Returns
    -------
    float

    Examples
    --------
    >>> from weingarten_check.states.observables import heisenberg_ring
    >>> H = heisenberg_ring(3)
    >>> round(transpose_coupling(H, [0]), 9), round(H.coupling([0]), 9)   # 2d and 6d, d = 8
    (16.0, 48.0)
    """
    if not isinstance(observable, Observable):
        raise TypeError(f"observable must be an Observable, got {type(observable).__name__}")
    sites = sorted(set(int(s) for s in sites_A))
    if not sites or any(s < 0 or s >= observable.n for s in sites):
        raise ValueError(f"sites_A must be a nonempty list of sites in 0..{observable.n - 1}, got {sites_A!r}")
    q = observable.q
    dA = q ** len(sites)
    eye = np.eye(q)
    terms = [(complex(c), ops) for c, ops in observable.terms]
    full = 0j
    reduced = 0j
    for c, ops in terms:
        for c2, ops2 in terms:
            tA = 1 + 0j
            trA1 = 1 + 0j
            trA2 = 1 + 0j
            for s in sites:
                a, b = ops.get(s, eye), ops2.get(s, eye)
                tA *= np.trace(a @ b)
                trA1 *= np.trace(a)
                trA2 *= np.trace(b)
            tB = 1 + 0j
            for s in range(observable.n):
                if s not in sites:
                    tB *= np.trace(ops.get(s, eye) @ ops2.get(s, eye).T)
            full += c * c2 * tA * tB
            reduced += c * c2 * trA1 * trA2 * tB
    return float((full - reduced / dA).real)


def orthogonal_second_moment_coefficient(d: Any, purity: Any = 1) -> sp.Expr:
    """``c_O(d, P) = (P d - 1)/(d (d - 1) (d + 2))``: ``E[K_ab K_a'b'] = c_O (tr(OO') + tr(OO'^T))`` (Lemma 16.4).

    Examples
    --------
    >>> orthogonal_second_moment_coefficient(4)
    1/24
    """
    dd = _num(d, "d")
    p = _num(purity, "purity")
    return (p * dd - 1) / (dd * (dd - 1) * (dd + 2))


def expected_K_frobenius_sq_orthogonal(
    d: Any, dA: Any, *, coupling: Any, transpose_coupling: Any, purity: Any = 1
) -> sp.Expr:
    """Exact ``E||K||_F²`` for V1 Haar on O(d), V2 fixed, a real input state (eq. (K_O), Lemma 16.4).

    Parameters
    ----------
    d : int or sympy.Expr
        The total dimension ``q^n``.
    dA : int or sympy.Expr
        The dimension of A.
    coupling : number or sympy.Expr
        ``κ = Σ_a tr_B(h_a²)`` (``Observable.coupling``).
    transpose_coupling : number or sympy.Expr
        ``κ_T = Σ_a tr_B(h_a h_a^T)`` (:func:`transpose_coupling`).
    purity : number or sympy.Expr, default 1
        ``tr ρ²`` of the real input state.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> expected_K_frobenius_sq_orthogonal(8, 2, coupling=48, transpose_coupling=16)   # 20/(d + 2)
    2
    """
    dd, da = _num(d, "d"), _num(dA, "dA")
    kappa, kappa_t = _num(coupling, "coupling"), _num(transpose_coupling, "transpose_coupling")
    return orthogonal_second_moment_coefficient(dd, purity) * ((da**2 - 1) * kappa + (da - 1) * kappa_t)


def orthogonal_route1_bound(
    d: Any, m: int, q: int = 2, *, coupling: Any, transpose_coupling: Any, purity: Any = 1
) -> sp.Expr:
    """``E[Δ] ≤ 2 sqrt(r) sqrt(E||K||_F²)`` with (K_O): Theorem 1's route for V1 Haar on O(d) (Lemma 16.4).

    Δ is the variation over all of U(dA); ``r`` is :func:`~weingarten_check.theory.bounds.nuclear_to_frobenius_factor`
    (2 for one qubit).

    Examples
    --------
    >>> import sympy; d = sympy.Symbol("d")
    >>> orthogonal_route1_bound(d, 1, coupling=6 * d, transpose_coupling=2 * d)
    4*sqrt(10)*sqrt(1/(d + 2))
    """
    q_ = int(q)
    da = q_ ** int(m)
    r = nuclear_to_frobenius_factor(m, q_)
    e = expected_K_frobenius_sq_orthogonal(
        d, da, coupling=coupling, transpose_coupling=transpose_coupling, purity=purity
    )
    return 2 * sp.sqrt(r) * sp.sqrt(sp.factor(e))


def orthogonal_to_unitary_ratio(d: Any, dA: Any, *, coupling: Any, transpose_coupling: Any) -> sp.Expr:
    """``E||K||_F²`` over O(d) divided by the unitary value: ``(d + 1)/(d + 2) · (1 + κ_T/((dA + 1) κ))``.

    Examples
    --------
    >>> import sympy; d = sympy.Symbol("d")
    >>> sympy.factor(orthogonal_to_unitary_ratio(d, 2, coupling=6 * d, transpose_coupling=2 * d))
    10*(d + 1)/(9*(d + 2))
    """
    dd, da = _num(d, "d"), _num(dA, "dA")
    kappa, kappa_t = _num(coupling, "coupling"), _num(transpose_coupling, "transpose_coupling")
    return (dd + 1) / (dd + 2) * (1 + kappa_t / ((da + 1) * kappa))


def _k3(K: Any) -> np.ndarray:
    k = np.asarray(K, dtype=float)
    if k.shape != (3, 3) or not np.all(np.isfinite(k)):
        raise ValueError(f"K must be a real finite 3 x 3 matrix (one qubit, basis X, Y, Z), got shape {k.shape}")
    return k


def variation_range_ry(K: Any) -> float:
    """Δ over the one-parameter rotations ``R_Y(θ)`` of one qubit: ``2 |(K_xx + K_zz, K_xz - K_zx)|`` (Lemma 16.5).

    Parameters
    ----------
    K : array_like
        The real 3 x 3 K of a qubit A (basis X, Y, Z over √2).

    Returns
    -------
    float

    Examples
    --------
    >>> variation_range_ry(np.diag([3.0, 2.0, 1.0]))   # the Y axis is fixed by R_Y
    8.0
    """
    k = _k3(K)
    return float(2 * np.hypot(k[0, 0] + k[2, 2], k[0, 2] - k[2, 0]))


def variation_range_real_qubit(K: Any) -> float:
    """Δ over the real local group O(2) of one qubit (rotations ``R_Y(θ)`` and reflections ``Z R_Y(θ)``).

    The closed form of the module docstring (Lemma 16.5); at most the Δ over U(2), ``2(σ1 + σ2)``.

    Parameters
    ----------
    K : array_like
        The real 3 x 3 K of a qubit A (basis X, Y, Z over √2).

    Returns
    -------
    float

    Examples
    --------
    >>> variation_range_real_qubit(np.diag([3.0, 2.0, 1.0]))   # max(2 + 4, 2 - 2) - min(2 - 4, -2 - 2)
    10.0
    """
    k = _k3(K)
    r1 = np.hypot(k[0, 0] + k[2, 2], k[0, 2] - k[2, 0])
    r2 = np.hypot(k[2, 2] - k[0, 0], k[0, 2] + k[2, 0])
    y = k[1, 1]
    return float(max(y + r1, -y + r2) - min(y - r1, -y - r2))


def expected_K_frobenius_sq_orthogonal_v2(
    d: Any,
    dA: Any,
    *,
    state_coupling: Any,
    state_transpose_coupling: Any,
    h_trace: Any,
    h_hs: Any,
    h_transpose_hs: Any,
) -> sp.Expr:
    """Exact ``E||K||_F²`` for V2 Haar on O(d), V1 fixed (eq. (K_O2) of the module docstring, Lemma 16.4).

    Parameters
    ----------
    d, dA : int or sympy.Expr
        Total and local dimension.
    state_coupling, state_transpose_coupling : number or sympy.Expr
        ``σ = Σ_b tr_B(r_b²)`` and ``σ_T = Σ_b tr_B(r_b r_b^T)`` of ``ρ1 = V1 ρ V1^†`` (``σ_T = σ`` for a
        product state ``|0…0>``: its ``r_b`` are real diagonal).
    h_trace, h_hs, h_transpose_hs : number or sympy.Expr
        ``tr H``, ``tr H²`` and ``tr(H H^T)`` (equal to ``tr H²`` for a real H).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    Traceless real H, ``ρ = |0…0>``, one qubit (σ = σ_T = 1/2): ``2 tr H² / ((d - 1)(d + 2))``

    >>> import sympy; d, t2 = sympy.symbols("d t2")
    >>> sympy.factor(expected_K_frobenius_sq_orthogonal_v2(
    ...     d, 2, state_coupling=sympy.Rational(1, 2), state_transpose_coupling=sympy.Rational(1, 2),
    ...     h_trace=0, h_hs=t2, h_transpose_hs=t2))
    2*t2/((d - 1)*(d + 2))
    """
    dd, da = _num(d, "d"), _num(dA, "dA")
    sig, sig_t = _num(state_coupling, "state_coupling"), _num(state_transpose_coupling, "state_transpose_coupling")
    t1, t2, tt = _num(h_trace, "h_trace"), _num(h_hs, "h_hs"), _num(h_transpose_hs, "h_transpose_hs")
    alpha = (dd + 1) / (dd * (dd - 1) * (dd + 2))
    beta = -1 / (dd * (dd - 1) * (dd + 2))
    return (da**2 - 1) * sig * (alpha * t2 + beta * (t1**2 + tt)) + (da - 1) * sig_t * (
        alpha * tt + beta * (t1**2 + t2)
    )


def expected_K_frobenius_sq_orthogonal_both(
    d: Any, dA: Any, *, h_trace: Any, h_hs: Any, h_transpose_hs: Any
) -> sp.Expr:
    """Exact ``E||K||_F²`` for V1 and V2 independent Haar on O(d), a real pure input state (eq. (K_O3), Lemma 16.7).

    (K_O2) of :func:`expected_K_frobenius_sq_orthogonal_v2` with σ and σ_T replaced by their means over
    a real Haar state, ``E σ = dB(dB(dA² - 1) + dA - 1)/(d(d + 2))`` and
    ``E σ_T = dB(dB(dA - 1) + dA² - 1)/(d(d + 2))``, ``dB = d/dA`` (module docstring).

    Parameters
    ----------
    d, dA : int or sympy.Expr
        Total and local dimension.
    h_trace, h_hs, h_transpose_hs : number or sympy.Expr
        ``tr H``, ``tr H²`` and ``tr(H H^T)`` (:func:`transpose_hs`; ``= tr H²`` for a real H).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    Traceless real H, one qubit:

    >>> import sympy; d, t2 = sympy.symbols("d t2")
    >>> sympy.factor(expected_K_frobenius_sq_orthogonal_both(d, 2, h_trace=0, h_hs=t2, h_transpose_hs=t2))
    t2*(5*d + 6)/(2*(d - 1)*(d + 2)**2)
    """
    dd, da = _num(d, "d"), _num(dA, "dA")
    db = dd / da
    den = dd * (dd + 2)
    mean_sigma = db * (db * (da**2 - 1) + da - 1) / den
    mean_sigma_t = db * (db * (da - 1) + da**2 - 1) / den
    return expected_K_frobenius_sq_orthogonal_v2(
        dd,
        da,
        state_coupling=mean_sigma,
        state_transpose_coupling=mean_sigma_t,
        h_trace=h_trace,
        h_hs=h_hs,
        h_transpose_hs=h_transpose_hs,
    )


def transpose_hs(observable: Observable) -> float:
    """``tr(H H^T) = tr(H conj(H))`` of a Hermitian H, term by term (``tr H²`` for a real H); Lemma 16.4.

    Parameters
    ----------
    observable : Observable

    Returns
    -------
    float

    Examples
    --------
    >>> from weingarten_check.states.observables import heisenberg_ring
    >>> H = heisenberg_ring(3)   # XX + YY + ZZ on 3 edges: tr H² = 9 d, the YY terms are real too
    >>> transpose_hs(H) == H.hs_norm_sq() == 72.0
    True
    """
    if not isinstance(observable, Observable):
        raise TypeError(f"observable must be an Observable, got {type(observable).__name__}")
    conj = Observable(
        observable.n,
        observable.q,
        [(np.conj(c), {s: m.conj() for s, m in ops.items()}) for c, ops in observable.terms],
        check_hermitian=False,
    )
    return float(np.real(observable.hs_inner(conj)))  # tr(H† conj H) = tr(H H^T)


def orthogonal_task_dependent_bound(case: str, observable: Observable, sites_A: Any) -> float:
    """``2 sqrt(r) sqrt(E||K||_F²)`` for Haar O(d) circuits and the input ``|0…0>`` (Lemmas 16.4, 16.7).

    The O(d) counterpart of :func:`~weingarten_check.theory.bounds.task_dependent_bound`: E||K||_F² from
    (K_O) for ``case="v1"`` (V1 Haar on O(d), V2 = I), (K_O2) with ``σ = σ_T = 1 - 1/dA`` (the ``r_b`` of
    ``|0…0>`` are real diagonal) for ``"v2"``, and (K_O3) for ``"both"``; then ``E[Δ] ≤ 2 sqrt(r) sqrt(E||K||_F²)``
    (Lemma 3.4 and Jensen), Δ the variation over all of U(dA).  Evaluated in floating point from the
    term-by-term traces of H.

    Parameters
    ----------
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar on O(d) (the other is the identity), or both independently.
    observable : Observable
        H.
    sites_A : sequence of int
        The sites of A.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown case or bad sites.

    Examples
    --------
    >>> from weingarten_check.states.observables import heisenberg_ring
    >>> b = orthogonal_task_dependent_bound("v1", heisenberg_ring(4), [0])   # 4 sqrt(10) / sqrt(d + 2)
    >>> round(b, 9) == round(4 * 10**0.5 / 18**0.5, 9)
    True
    """
    from ..util.checks import check_choice, check_sites
    from .bounds import CASES

    case = check_choice(case, "case", CASES)
    if not isinstance(observable, Observable):
        raise TypeError(f"observable must be an Observable, got {type(observable).__name__}")
    sites = check_sites(sites_A, observable.n, proper=True)
    q, d = observable.q, observable.dim
    m = len(sites)
    dA = q**m
    if case == "v1":
        e2 = expected_K_frobenius_sq_orthogonal(
            d, dA, coupling=observable.coupling(sites), transpose_coupling=transpose_coupling(observable, sites)
        )
    else:
        traces = dict(
            h_trace=observable.trace().real, h_hs=observable.hs_norm_sq(), h_transpose_hs=transpose_hs(observable)
        )
        if case == "v2":
            sigma = 1 - sp.Rational(1, dA)
            e2 = expected_K_frobenius_sq_orthogonal_v2(
                d, dA, state_coupling=sigma, state_transpose_coupling=sigma, **traces
            )
        else:
            e2 = expected_K_frobenius_sq_orthogonal_both(d, dA, **traces)
    r = float(nuclear_to_frobenius_factor(m, q))
    return float(2 * np.sqrt(r) * np.sqrt(max(float(e2), 0.0)))
