"""Exact second and fourth moments of ``||K||_F`` for the paper's tasks, in a symbolic n.

Implements Lemmas 9.2 (VQE), 9.3 (QAE) and 11.4 (fourth moments) of ``proofs/DERIVATION.md``
for A = site 0 and input ``|0…0>``.  The generic S4 calculus
(:mod:`weingarten_check.theory.fourth_moments`) needs, for each task, the exact local operator of
the terms of H touching A and the power traces ``tr H0²``, ``tr H0⁴``.  For these tasks they
factorise over the few sites the A-touching terms live on, so the moments are rational functions of
``d = q**n`` (and n), exact for a symbolic n:

* VQE (Heisenberg ring Eq. 9, its SU(q) form for q >= 3; n >= 3): ``h_a`` lives on the two
  neighbours of A, ``tr H² = n t2 q^(n-2)`` and, for n >= 5,
  ``tr H⁴ = q^(n-4) [n q² t4 + 3 n (n-3) t2² + n q (4 a1 + 2 a2)]`` (edge-pattern counting, see
  :func:`ring_power_traces`; n = 3, 4 are computed exactly from the dense integer matrix);
* QAE (Eq. 10, R = A): ``h_a = -<0|G_a|0> I_B``.

Results are cached per arguments; :func:`clear_caches` empties the caches.

Examples
--------
>>> FOURTH_MOMENT_TASKS
('vqe', 'qae')
>>> expected_K_frobenius_sq_task("vqe", "v1", 6)  # 18/(d + 1) at d = 2**6 (Lemma 9.2)
18/65
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from ..util.checks import check_choice, check_local_dim
from .bounds import CASES
from .fourth_moments import (
    D,
    as_sympy,
    exact_int_repr,
    fourth_moment_both,
    fourth_moment_v1,
    fourth_moment_v2,
    pair_tensor,
)

__all__ = [
    "FOURTH_MOMENT_TASKS",
    "ring_power_traces",
    "expected_K_frobenius_fourth_task",
    "expected_K_frobenius_sq_task",
    "clear_caches",
]

#: The tasks with exact moments for a symbolic n (A = site 0, input ``|0…0>``): ``"vqe"``, the
#: Heisenberg ring of Eq. 9 (Lemma 9.2), and ``"qae"``, the autoencoder of Eq. 10 with R = A
#: (Lemma 9.3); their fourth moments are Lemma 11.4 of ``proofs/DERIVATION.md``.
FOURTH_MOMENT_TASKS = ("vqe", "qae")


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
    e_int, den = exact_int_repr(_ring_edge(q))  # e = e_int / den
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
    """Return ``(tr H², tr H⁴)`` of the Heisenberg ring (Eq. 9; SU(q) form ``Σ_edges (2 SWAP - 2/q)``), n >= 3.

    The power traces behind the VQE fourth moments of Lemma 11.4 of ``proofs/DERIVATION.md`` (and
    ``h_hs_centered = tr H²`` of Lemma 9.2; H is traceless).

    Parameters
    ----------
    n : int or sympy.Expr
        Number of sites, an integer ``>= 3`` or a sympy Symbol (then the ``n >= 5`` formula).
    q : int, default 2
        Local dimension, an int ``>= 2``.  Not validated here: pass an int ``>= 2``.

    Returns
    -------
    tuple of sympy.Expr
        ``(tr H², tr H⁴)``: sympy Integers for a numeric ``n``, expanded polynomials in ``n`` and
        ``q**n`` for a symbolic one.

    Raises
    ------
    ValueError
        If a numeric ``n`` is not an integer ``>= 3`` (sites 1 and n-1 must be distinct), or ``q`` is
        not an int ``>= 2``.

    Notes
    -----
    With one edge ``h`` on two sites, ``t2 = tr h²``, ``t4 = tr h⁴``; with two adjacent edges on three
    sites, ``a1 = tr(h01² h12²)``, ``a2 = tr(h01 h12 h01 h12)``.  Every λ is traceless, so a product of
    edges has zero trace unless each site is covered at least twice.  For n >= 5 the surviving ordered
    4-tuples of edges are e e e e (n of them), two equal pairs of disjoint edges (6 orders ×
    (n(n-1)/2 - n) pairs) and two equal pairs of adjacent edges (4 orders e e f f + 2 orders e f e f,
    n pairs), so::

        tr H² = n t2 q^(n-2)
        tr H⁴ = n t4 q^(n-2) + 3 n (n-3) t2² q^(n-4) + n (4 a1 + 2 a2) q^(n-3)

    For n = 3, 4 (triangles, the 4-cycle) other patterns survive and the dense integer matrix is used.

    Examples
    --------
    >>> ring_power_traces(5)
    (480, 16800)
    >>> n = sp.Symbol("n", positive=True)
    >>> ring_power_traces(n)
    (3*2**n*n, 27*2**n*n**2 - 30*2**n*n)
    >>> ring_power_traces(4)  # dense: the n >= 5 formula would give tr H⁴ = 4992
    (192, 6144)
    """
    q = check_local_dim(q)
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
    check_choice(task, "task (symbolic fourth moments)", FOURTH_MOMENT_TASKS)
    check_choice(case, "case", CASES)
    if sp.sympify(m) != 1:
        raise ValueError(f"m must be 1 (A = one site) for the symbolic task fourth moments, got {m!r}")
    return task, case, check_local_dim(q)


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
    """Exact ``E||K||_F⁴`` for the paper's VQE or QAE with A = site 0 and input ``|0…0>``.

    Lemma 11.4 of ``proofs/DERIVATION.md``: formulas (11.4a-c) of
    :mod:`weingarten_check.theory.fourth_moments` with the tasks' exact local operators and power
    traces.  Holds for Haar-random V1/V2 (or unitary 4-designs; a 2-design does not fix it).

    Parameters
    ----------
    task : {"vqe", "qae"}
        ``"vqe"``: the Heisenberg ring (Eq. 9; its SU(q) form ``Σ_edges (2 SWAP - 2/q)`` for
        ``q >= 3``); ``"qae"``: the quantum-autoencoder observable (Eq. 10) with the discarded site
        R = A.  See :data:`FOURTH_MOMENT_TASKS`.
    case : {"v1", "v2", "both"}
        ``"v1"``: V1 Haar and ``V2 = I``; ``"v2"``: V2 Haar and ``V1 = I``; ``"both"``: independent.
    n : int or sympy.Symbol
        Number of sites: an int (VQE ``n >= 3``, QAE ``n >= 2``) or a sympy Symbol (the result is then
        exact in ``q**n``; for VQE v2/both it is the ``n >= 5`` form).
    m : int, default 1
        Number of sites of A; must be 1 (A = site 0).
    q : int, default 2
        Local dimension, an int ``>= 2`` (not a Symbol).
    in_d : bool, default False
        Keyword-only.  If True, return the expression in the Symbol ``d`` (:data:`D`, ``= q**n``)
        instead of ``q**n`` (``n`` may still appear for VQE v2/both; for a numeric ``n`` the traces are
        those of that ``n``, so the result is meant for ``d = q**n``).

    Returns
    -------
    sympy.Expr
        The fourth moment in lowest terms (factored): a Rational for a numeric ``n``, a rational
        function of ``q**n`` (and ``n`` for VQE v2/both) for a symbolic one, or of ``d`` if ``in_d``.

    Raises
    ------
    TypeError
        If ``n`` is a bool or neither an int nor a sympy Symbol (e.g. a float or an expression).
    ValueError
        If ``task`` is not one of :data:`FOURTH_MOMENT_TASKS`, ``case`` not one of ``("v1", "v2",
        "both")``, ``m != 1``, ``q`` is not an int ``>= 2``, or a numeric ``n`` is too small (VQE
        ``n < 3``, QAE ``n < 2``).

    See Also
    --------
    expected_K_frobenius_sq_task : The second moment from the same local data.
    weingarten_check.theory.bounds.expected_K_frobenius_fourth : The same, also for any Observable.

    Notes
    -----
    VQE v2/both for a symbolic ``n`` use the ``n >= 5`` traces of :func:`ring_power_traces`; a numeric
    ``n = 3, 4`` is exact (dense ring).  Results are cached (``lru_cache``, 256 entries).

    Examples
    --------
    >>> n = sp.Symbol("n", positive=True)
    >>> expected_K_frobenius_fourth_task("vqe", "v1", n, in_d=True)
    396*(d + 4)/((d + 1)*(d + 2)*(d + 3))
    >>> expected_K_frobenius_fourth_task("qae", "v2", n)
    15*(2**n + 2)/(64*(2**n - 1)*(2**n + 1)*(2**n + 3))
    >>> expected_K_frobenius_fourth_task("vqe", "v1", 6)
    408/4355
    """
    task, case, q = _check_task(task, case, m, q)
    return _fourth_task_cached(task, case, _check_n(n, task), q, bool(in_d))


@functools.lru_cache(maxsize=256)
def _fourth_task_cached(task: str, case: str, n_: sp.Expr, q: int, in_d: bool) -> sp.Expr:
    dA = q
    op, s_sites = _local_task(task, q)
    d = D
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
        return res.subs(D, q ** int(n_))
    return res.subs(D, q**n_)


def expected_K_frobenius_sq_task(
    task: str, case: str, n: Any, m: Any = 1, q: int = 2, *, in_d: bool = False
) -> sp.Expr:
    """Exact ``E||K||_F²`` for the same tasks, from the same local data.

    Lemmas 9.2 (VQE) and 9.3 (QAE) of ``proofs/DERIVATION.md``: the second moments of Lemmas 4.1-4.3
    (:func:`weingarten_check.theory.bounds.expected_K_frobenius_sq`) for A = site 0 and input
    ``|0…0>``; only a unitary 2-design is needed.

    Parameters
    ----------
    task : {"vqe", "qae"}
        ``"vqe"``: the Heisenberg ring (Eq. 9; its SU(q) form ``Σ_edges (2 SWAP - 2/q)`` for
        ``q >= 3``); ``"qae"``: the quantum-autoencoder observable (Eq. 10) with the discarded site
        R = A.  See :data:`FOURTH_MOMENT_TASKS`.
    case : {"v1", "v2", "both"}
        ``"v1"``: V1 random and ``V2 = I``; ``"v2"``: V2 random and ``V1 = I``; ``"both"``: independent.
    n : int or sympy.Symbol
        Number of sites: an int (VQE ``n >= 3``, QAE ``n >= 2``) or a sympy Symbol (the result is then
        exact in ``q**n``; for VQE v2/both it is the ``n >= 5`` form).
    m : int, default 1
        Number of sites of A; must be 1 (A = site 0).
    q : int, default 2
        Local dimension, an int ``>= 2`` (not a Symbol).
    in_d : bool, default False
        Keyword-only.  If True, return the expression in the Symbol ``d`` (:data:`D`, ``= q**n``)
        instead of ``q**n`` (``n`` may still appear for VQE v2/both; for a numeric ``n`` the traces are
        those of that ``n``, so the result is meant for ``d = q**n``).

    Returns
    -------
    sympy.Expr
        The second moment in lowest terms (factored): a Rational for a numeric ``n``, a rational
        function of ``q**n`` (and ``n`` for VQE v2/both) for a symbolic one, or of ``d`` if ``in_d``.

    Raises
    ------
    TypeError
        If ``n`` is a bool or neither an int nor a sympy Symbol (e.g. a float or an expression).
    ValueError
        If ``task`` is not one of :data:`FOURTH_MOMENT_TASKS`, ``case`` not one of ``("v1", "v2",
        "both")``, ``m != 1``, ``q`` is not an int ``>= 2``, or a numeric ``n`` is too small (VQE
        ``n < 3``, QAE ``n < 2``).

    Notes
    -----
    With ``c = Σ_a tr_B h_a² = tr(W) · rest`` (``W`` from the local operator, ``rest`` the dimension of
    the sites of B it does not touch) and ``tr H0²`` of the task::

        v1:   (dA² - 1) c (1 - 1/d) / (d² - 1)
        v2:   (dA² - 1) (1 - 1/dA) tr H0² / (d² - 1)
        both: (dA² - 1)² dB² (1 - 1/d) tr H0² / (d² - 1)²

    Results are cached (``lru_cache``, 256 entries).

    Examples
    --------
    >>> n = sp.Symbol("n", positive=True)
    >>> expected_K_frobenius_sq_task("vqe", "v1", n, in_d=True)  # Lemma 9.2
    18/(d + 1)
    >>> expected_K_frobenius_sq_task("qae", "v1", n)  # Lemma 9.3
    3/(4*(2**n + 1))
    >>> expected_K_frobenius_sq_task("vqe", "v1", n, q=3)  # coupling 8 d (q² - 1)/q²
    512/(9*(3**n + 1))
    """
    task, case, q = _check_task(task, case, m, q)
    return _sq_task_cached(task, case, _check_n(n, task), q, bool(in_d))


@functools.lru_cache(maxsize=256)
def _sq_task_cached(task: str, case: str, n_: sp.Expr, q: int, in_d: bool) -> sp.Expr:
    dA, d = q, D
    op, s_sites = _local_task(task, q)
    if case == "v1":
        W = pair_tensor(op, dA)
        # Σ_a tr(h_a²) = Σ_{i,k} W[i, k, k, i]; the rest of B contributes its dimension
        c = as_sympy(sum(W[i, k, k, i] for i in range(W.shape[0]) for k in range(W.shape[1]))) * d / (dA * q**s_sites)
        res = (dA**2 - 1) * c * (1 - 1 / d) / (d**2 - 1)
    else:
        t2, _ = _task_h_power_traces(task, n_, q)
        t2 = sp.expand(t2).subs(q**n_, d) if not n_.is_number else t2
        if case == "v2":
            res = (dA**2 - 1) * (1 - sp.Rational(1, dA)) * t2 / (d**2 - 1)
        else:
            res = (dA**2 - 1) ** 2 * (d / dA) ** 2 * (1 - 1 / d) * t2 / (d**2 - 1) ** 2
    return _in_n(res, n_, q, in_d)


def clear_caches(results_only: bool = False) -> None:
    """Empty the memo caches of this module and of :mod:`.fourth_moments` (for cold-start timings).

    Implements no lemma: the benchmarks call it to time a cold computation.

    Parameters
    ----------
    results_only : bool, default False
        If True, empty only the cached task results and keep the Weingarten coefficients, γ values and
        ring traces (a "warm" timing); otherwise the next fourth moment expands the k = 4 Weingarten
        sum again (about 1-2 s).

    Examples
    --------
    >>> clear_caches(results_only=True)
    >>> expected_K_frobenius_sq_task("qae", "v1", 4)  # recomputed
    3/68
    """
    from .fourth_moments import clear_caches as clear_generic

    _fourth_task_cached.cache_clear()
    _sq_task_cached.cache_clear()
    if results_only:
        return
    clear_generic()
    _ring_local_traces.cache_clear()
    _ring_dense_power_traces.cache_clear()
