"""The constant, not just the rate: exact large-n limits ``c = lim scale·E[Δ]`` (Lemma 15).

Lemma 11 of ``proofs/DERIVATION.md`` shows ``E[Δ] = Θ(q^(-n/2))``; Lemma 15 pins the constant.  For
the paper's tasks with A = site 0 (m = 1), input ``|0…0>`` and exact Haar V1/V2, the scaled matrix K
(or M for the fidelity cost) converges in distribution to a Gaussian matrix whose covariance is the
limit of the exact second moments (Lemmas 4, 9), and ``Δ`` is a continuous, 1-homogeneous, even
function of it, uniformly integrable by the bounded fourth moments of Lemma 11.4; so
``scale·E[Δ] → E[Δ(limit)]``.  The limiting laws (Lemma 15.2):

* ``"iid Gaussian"`` — VQE v1, VQE both, QAE both: ``scale·K → sqrt(v)·G``, G a standard real
  Gaussian ``(q²-1) × (q²-1)`` matrix; ``c = sqrt(v)·E[Δ(G)]`` (:func:`gaussian_delta_mean`: exact for
  q = 2, a stored Monte Carlo of the certified Δ with relative stderr <= 0.1 % for q = 3, 4).
* ``"rank one (GUE)"`` — QAE v1, VQE v2, QAE v2: ``K = x uᵀ`` (or ``u xᵀ``) at every n with
  ``u_b = <0|G_b|0>`` fixed, and ``Δ = λmax - λmin`` of ``Σ_a x_a G_a``; ``scale·x`` tends to an
  isotropic Gaussian of variance ``s`` per component, so ``c = sqrt(s)·E[λmax - λmin]`` of a
  ``q × q`` GUE with density ``∝ exp(-tr H²/2)`` (:func:`gue_spread_mean`; exact for q = 2, 3, a
  30-digit quadrature :func:`gue_spread_fredholm` for q >= 4).
* ``"rank one (Beta)"`` — QSL v1, v2: ``Δ_QSL = ||M||_F² ~ Beta(q, d - q)``: ``d·E[Δ] = q`` exactly.
* ``"complex Ginibre"`` — QSL both: ``sqrt(d)·M → G/sqrt(q)``, G standard complex Ginibre ``q × q``:
  ``c = E||G||_*²/q`` (:func:`ginibre_nuclear_sq_mean`, exact from the Laguerre kernel).

Scales: ``sqrt(d)`` (VQE v1, QAE), ``sqrt(d/n)`` (VQE v2/both: ``tr H²`` grows like ``n d``), ``d``
(QSL).  The variances ``v``, ``s`` are sympy limits of the library's exact second moments
(:func:`weingarten_check.theory.task_moments.expected_K_frobenius_sq_task`), and the fourth-moment
ratios of Lemma 11.4 tend to the Gaussian value of the law (:func:`fourth_moment_ratio_limit`).
Where the finite-n law is exact — QAE v1 qubits (Lemma 15.6) and QAE v2, whose X is a β = 2 Jacobi
ensemble (Lemma 15.7, :func:`qae_v2_exact_mean`) — the correction is exact
(:func:`finite_size_expansion`); elsewhere ``AsymptoticConstant.correction`` says it is only argued.

Examples
--------
>>> a = asymptotic_constant("qae", "v1")
>>> a.law, a.scale, a.c
('rank one (GUE)', 'sqrt(d)', 2*sqrt(2)/sqrt(pi))
>>> asymptotic_constant("qsl", "v1", q=3).c
3
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..util.checks import check_choice, check_int, check_local_dim
from .bounds import CASES, delta_frobenius_constants, expected_delta_lower_bound_from_moments

__all__ = [
    "predicted_mean",
    "ASYMPTOTIC_TASKS",
    "AsymptoticConstant",
    "GAUSSIAN_DELTA_MC",
    "asymptotic_constant",
    "asymptotic_constants",
    "limiting_law",
    "scale_expression",
    "limiting_second_moment",
    "limiting_variance",
    "fourth_moment_ratio_limit",
    "gaussian_fourth_moment_ratio",
    "gaussian_delta_mean",
    "gaussian_delta_monte_carlo",
    "gaussian_delta_samples",
    "gue_spread_mean",
    "gue_spread_fredholm",
    "ginibre_nuclear_sq_mean",
    "real_ginibre_top_two_closed_form",
    "real_ginibre_top_two_from_density",
    "gue3_spread_from_density",
    "atan_reciprocal_rewrite",
    "qae_v1_qubit_exact_mean",
    "qae_v2_jacobi_exponents",
    "qae_v2_qubit_exact_mean",
    "qae_v2_exact_mean",
    "jacobi_spread_mean",
    "finite_size_expansion",
    "prediction_z_score",
]

#: The tasks of Lemma 15 (``proofs/DERIVATION.md``): the Heisenberg-ring VQE (Eq. 9), the
#: autoencoder QAE (Eq. 10, R = A) and the fidelity cost QSL (Proposition 2), A = site 0, ``|0…0>``.
ASYMPTOTIC_TASKS = ("vqe", "qae", "qsl")

N_SYM = sp.Symbol("n", positive=True)
_D = sp.Symbol("d", positive=True)

#: The stored Monte Carlo samples of ``Δ(Ĝ)`` (Lemma 15.4 of ``proofs/DERIVATION.md``): package data
#: ``theory/data/<file>``, an array of shape ``(samples, 2)`` — the certified ``(lower, upper)`` of every
#: direction, the output of ``gaussian_delta_monte_carlo(q, samples, seed=seed)`` (run in chunks with
#: ``start=``; sample i depends only on i).
_MC_FILES: dict[int, dict[str, Any]] = {
    # 6000 directions, 953 s in chunks of 100 (one BLAS thread)
    3: {"file": "gaussian_delta_q3.npy", "seed": 2026, "seconds": 953.0},
    # 1875 directions, 1692 s in chunks of 25 (one BLAS thread)
    4: {"file": "gaussian_delta_q4.npy", "seed": 2026, "seconds": 1692.0},
}


@functools.cache
def _load_samples(q: int) -> np.ndarray:
    from importlib.resources import files

    with files(__package__).joinpath("data", _MC_FILES[q]["file"]).open("rb") as fh:
        out = np.load(fh, allow_pickle=False)
    out.setflags(write=False)
    return out


def gaussian_delta_samples(q: int = 3) -> np.ndarray:
    """The stored certified Δ of the Monte Carlo directions behind :data:`GAUSSIAN_DELTA_MC` (Lemma 15.4).

    Sample i is ``gaussian_delta_monte_carlo(q, 1, seed=GAUSSIAN_DELTA_MC[q]["seed"], start=i)[0]``.

    Parameters
    ----------
    q : int, default 3
        Local dimension with stored samples (3, 4).

    Returns
    -------
    numpy.ndarray
        Read-only, shape ``(samples, 2)``: the certified ``(lower, upper)`` of each ``Δ(Ĝ)``.

    Raises
    ------
    ValueError
        If no samples are stored for ``q``.

    Examples
    --------
    >>> b = gaussian_delta_samples(3)
    >>> b.shape, bool((b[:, 0] <= b[:, 1]).all())
    ((6000, 2), True)
    """
    q = check_local_dim(q)
    if q not in _MC_FILES:
        raise ValueError(f"no stored Monte Carlo samples for q = {q} (stored: {sorted(_MC_FILES)})")
    return _load_samples(q)


def _mc_summary(q: int) -> dict[str, float]:
    b = _load_samples(q)
    low = b[:, 0]
    sd = float(np.std(low, ddof=1))
    return {
        "mean": float(np.mean(low)),
        "sd": sd,
        "stderr": sd / float(np.sqrt(len(low))),
        "samples": len(low),
        "seed": _MC_FILES[q]["seed"],
        "seconds": _MC_FILES[q]["seconds"],
        "max_width": float(np.max((b[:, 1] - b[:, 0]) / b[:, 1])),
    }


#: The Monte Carlo of ``E[Δ(Ĝ)]`` (Ĝ = G/||G||_F, G a standard real Gaussian ``(q²-1) × (q²-1)``
#: matrix, Δ the certified Δ of Lemma 12 at its default tolerance 1e-6; sample i draws Ĝ from
#: ``numpy.random.default_rng([seed, i])`` and seeds the optimiser with i), summarised from the stored
#: samples (:func:`gaussian_delta_samples`): mean, standard deviation (ddof 1) and standard error of
#: the lower ends, ``samples``, ``seed``, ``seconds`` of the run and ``max_width``, the widest bracket
#: relative to its upper end.  ``tests/test_asymptotics.py`` recomputes a few samples.
GAUSSIAN_DELTA_MC: dict[int, dict[str, float]] = {q: _mc_summary(q) for q in _MC_FILES}


def _check_task_case(task: Any, case: Any) -> tuple[str, str]:
    return check_choice(task, "task", ASYMPTOTIC_TASKS), check_choice(case, "case", CASES)


def limiting_law(task: str, case: str) -> str:
    """Return the name of the limiting law of the scaled K (or M) (Lemma 15.2 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The task (:data:`ASYMPTOTIC_TASKS`).
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar-random.

    Returns
    -------
    str
        ``"iid Gaussian"``, ``"rank one (GUE)"``, ``"rank one (Beta)"`` or ``"complex Ginibre"``.

    Raises
    ------
    ValueError
        If ``task`` or ``case`` is not one of the choices.

    Examples
    --------
    >>> limiting_law("vqe", "v1"), limiting_law("vqe", "v2"), limiting_law("qsl", "both")
    ('iid Gaussian', 'rank one (GUE)', 'complex Ginibre')
    """
    task, case = _check_task_case(task, case)
    if task == "qsl":
        return "complex Ginibre" if case == "both" else "rank one (Beta)"
    if case == "both" or (task, case) == ("vqe", "v1"):
        return "iid Gaussian"
    return "rank one (GUE)"


def scale_expression(task: str, case: str, q: int = 2) -> sp.Expr:
    """Return the scale, a sympy expression in the Symbols ``n`` and ``d = q**n`` (Lemma 15.1).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The task.
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar-random.
    q : int, default 2
        Local dimension, ``>= 2`` (the scale does not depend on it).

    Returns
    -------
    sympy.Expr
        ``sqrt(d)``, ``sqrt(d/n)`` (VQE v2/both, where ``tr H²`` grows like ``n d``) or ``d`` (QSL).

    Examples
    --------
    >>> scale_expression("vqe", "both")
    sqrt(d)/sqrt(n)
    """
    task, case = _check_task_case(task, case)
    check_local_dim(q)
    if task == "qsl":
        return _D
    if task == "vqe" and case != "v1":
        return sp.sqrt(_D / N_SYM)
    return sp.sqrt(_D)


def _limit_d_then_n(expr: sp.Expr) -> sp.Expr:
    lim = sp.limit(sp.cancel(sp.together(expr)), _D, sp.oo)
    if lim.has(N_SYM):
        lim = sp.limit(lim, N_SYM, sp.oo)
    return sp.nsimplify(lim) if lim.is_number else lim


@functools.lru_cache(maxsize=64)
def limiting_second_moment(task: str, case: str, q: int = 2) -> sp.Expr:
    """Return ``lim scale²·E||K||_F²`` (QSL: ``lim d·E||M||_F²``), a sympy limit of the exact moments.

    Lemma 15.1 of ``proofs/DERIVATION.md``: the limit ``d → ∞`` (then ``n → ∞``) of
    :func:`~weingarten_check.theory.task_moments.expected_K_frobenius_sq_task` (Lemmas 9.2, 9.3) times
    the square of :func:`scale_expression`; for QSL of
    :func:`~weingarten_check.theory.bounds.expected_M_frobenius_sq` (Lemma 7.3) times ``d``.

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The task.
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar-random.
    q : int, default 2
        Local dimension, ``>= 2``.

    Returns
    -------
    sympy.Rational
        The limit.

    Examples
    --------
    >>> limiting_second_moment("vqe", "v1"), limiting_second_moment("vqe", "both")
    (18, 27/4)
    """
    task, case = _check_task_case(task, case)
    q = check_local_dim(q)
    if task == "qsl":
        from .bounds import expected_M_frobenius_sq

        second = expected_M_frobenius_sq(N_SYM, 1, q).subs(q**N_SYM, _D)
        return _limit_d_then_n(_D * second)
    from .task_moments import expected_K_frobenius_sq_task

    second = expected_K_frobenius_sq_task(task, case, N_SYM, q=q, in_d=True)
    return _limit_d_then_n(scale_expression(task, case, q) ** 2 * second)


def limiting_variance(task: str, case: str, q: int = 2) -> sp.Expr:
    """Return the per-component variance of the limiting Gaussian (Lemma 15.1 of ``proofs/DERIVATION.md``).

    ``v = lim scale²·E||K||_F² / (q²-1)²`` for the iid law (the covariance is ``v·I``: isotropy is the
    equality case of the fourth-moment ratio, Lemma 15.3); ``s = lim scale²·E||K||_F² / ((1 - 1/q)(q²-1))``
    for the rank-one law ``K = x uᵀ`` (``||u||² = 1 - 1/q``, x of ``q²-1`` components); ``1/q`` per
    complex entry of ``sqrt(d)·M`` for QSL both; ``1`` per complex entry of the one nonzero column or
    row of ``sqrt(d)·M`` for QSL v1/v2.

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The task.
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar-random.
    q : int, default 2
        Local dimension, ``>= 2``.

    Returns
    -------
    sympy.Rational
        The variance.

    Examples
    --------
    >>> limiting_variance("vqe", "v1"), limiting_variance("vqe", "v1", q=3), limiting_variance("qae", "v2")
    (2, 8/9, 1/4)
    """
    task, case = _check_task_case(task, case)
    q = check_local_dim(q)
    total = limiting_second_moment(task, case, q)
    law = limiting_law(task, case)
    r = q * q - 1
    if law == "iid Gaussian":
        return total / r**2
    if law == "rank one (GUE)":
        return total / ((1 - sp.Rational(1, q)) * r)
    return total / q if law == "rank one (Beta)" else total / q**2


def gaussian_fourth_moment_ratio(law: str, q: int = 2) -> sp.Rational:
    """``E||X||⁴/(E||X||²)²`` of the limiting law's isotropic Gaussian X (Lemma 15.3 of ``proofs/DERIVATION.md``).

    For N iid real Gaussian components ``||X||²`` is ``v·χ²_N``: the ratio is ``1 + 2/N``, with
    ``N = (q²-1)²`` (iid) or ``q²-1`` (rank one, GUE); for ``k`` iid complex ones it is ``1 + 1/k``
    (``k = q`` for the Beta law, ``q²`` for Ginibre).  For a Gaussian with covariance Σ the ratio is
    ``1 + 2 tr Σ²/(tr Σ)²``, which equals ``1 + 2/N`` iff ``Σ ∝ I``.

    Parameters
    ----------
    law : str
        A value of :func:`limiting_law`.
    q : int, default 2
        Local dimension, ``>= 2``.

    Returns
    -------
    sympy.Rational

    Examples
    --------
    >>> gaussian_fourth_moment_ratio("iid Gaussian"), gaussian_fourth_moment_ratio("rank one (GUE)")
    (11/9, 5/3)
    """
    q = check_local_dim(q)
    r = q * q - 1
    law = check_choice(law, "law", ("iid Gaussian", "rank one (GUE)", "rank one (Beta)", "complex Ginibre"))
    if law == "iid Gaussian":
        return 1 + sp.Rational(2, r * r)
    if law == "rank one (GUE)":
        return 1 + sp.Rational(2, r)
    return 1 + sp.Rational(1, q if law == "rank one (Beta)" else q * q)


@functools.lru_cache(maxsize=64)
def fourth_moment_ratio_limit(task: str, case: str, q: int = 2) -> sp.Expr:
    """``lim E||K||_F⁴/(E||K||_F²)²`` from the exact moments of Lemma 11.4 (Lemma 15.3 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    task : {"vqe", "qae"}
        The task (QSL has no fourth moment in the library).
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar-random.
    q : int, default 2
        Local dimension, ``>= 2``.

    Returns
    -------
    sympy.Rational
        The limit ``d → ∞`` (then ``n → ∞``) of the exact ratio, symbolic in n.

    Raises
    ------
    ValueError
        If ``task`` is not "vqe" or "qae", or ``case`` is not one of :data:`CASES`.

    Examples
    --------
    >>> fourth_moment_ratio_limit("vqe", "v1")
    11/9
    """
    check_choice(task, "task (fourth moments)", ("vqe", "qae"))
    check_choice(case, "case", CASES)
    q = check_local_dim(q)
    from .task_moments import expected_K_frobenius_fourth_task, expected_K_frobenius_sq_task

    s2 = expected_K_frobenius_sq_task(task, case, N_SYM, q=q, in_d=True)
    s4 = expected_K_frobenius_fourth_task(task, case, N_SYM, q=q, in_d=True)
    return _limit_d_then_n(s4 / s2**2)


# ---------------------------------------------------------------------------------------------
# the constants of the standard Gaussian objects
# ---------------------------------------------------------------------------------------------
def real_ginibre_top_two_closed_form() -> sp.Expr:
    """``(3π - 3 atan√2 + 5√2)/(2√π)``: ``E[σ1 + σ2]`` of a 3×3 standard real Gaussian matrix (Lemma 15.4).

    Derived exactly from the singular-value density by :func:`real_ginibre_top_two_from_density`;
    Lemma 15.4 of ``proofs/DERIVATION.md`` checks that sympy simplifies the difference to 0.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> round(float(real_ginibre_top_two_closed_form()), 12)
    3.844922650962
    """
    return (3 * sp.pi - 3 * sp.atan(sp.sqrt(2)) + 5 * sp.sqrt(2)) / (2 * sp.sqrt(sp.pi))


@functools.lru_cache(maxsize=8)
def real_ginibre_top_two_quadrature(dps: int = 40) -> mpmath.mpf:
    """``E[σ1 + σ2]`` for a 3×3 standard real Gaussian matrix by quadrature of its singular-value density.

    Lemma 15.4 of ``proofs/DERIVATION.md``.  The singular values have density
    ``∝ Π_{i<j} |s_i² - s_j²| exp(-|s|²/2)`` on ``R_+³``; on the cone ``s1 > s2 > s3 > 0`` write
    ``s = s1 (1, x, y)`` with ``1 > x > y > 0``; the radial integral of a degree-k homogeneous ``p`` is
    ``Γ((k+3)/2) 2^((k+1)/2)/2 / (1 + x² + y²)^((k+3)/2)``, leaving a smooth integral over a triangle.

    Parameters
    ----------
    dps : int, default 40
        mpmath working digits.

    Returns
    -------
    mpmath.mpf

    Examples
    --------
    >>> float(real_ginibre_top_two_quadrature(15)) - 3.8449226509615607 < 1e-12
    True
    """
    dps = check_int(dps, "dps", 15)
    with mpmath.workdps(dps + 10):

        def p(x, y):
            return (1 - x**2) * (1 - y**2) * (x**2 - y**2)

        half9 = mpmath.mpf(9) / 2
        num = mpmath.quad(lambda x: mpmath.quad(lambda y: (1 + x) * p(x, y) / (1 + x**2 + y**2) ** 5, [0, x]), [0, 1])
        den = mpmath.quad(lambda x: mpmath.quad(lambda y: p(x, y) / (1 + x**2 + y**2) ** half9, [0, x]), [0, 1])
        radial = (mpmath.gamma(5) * 2**4) / (mpmath.gamma(half9) * mpmath.power(2, mpmath.mpf(7) / 2))
        return +(radial * num / den)


@functools.lru_cache(maxsize=8)
def gue_spread_quadrature(dps: int = 30) -> mpmath.mpf:
    """``E[λmax - λmin]`` of the 3×3 GUE with density ``∝ exp(-tr H²/2)``, by quadrature (Lemma 15.4).

    The eigenvalue density ``∝ Π (λ_i - λ_j)² exp(-Σλ²/2)``; with the gaps ``a = λ1 - λ2``,
    ``b = λ2 - λ3`` and the mean integrated out, ``∝ a² b² (a+b)² exp(-(a² + ab + b²)/3)`` on the
    quadrant; polar coordinates ``b = a t`` reduce both integrals to one variable.

    Parameters
    ----------
    dps : int, default 30
        mpmath working digits.

    Returns
    -------
    mpmath.mpf

    Examples
    --------
    >>> round(float(gue_spread_quadrature(15)), 10)
    3.8082796889
    """
    dps = check_int(dps, "dps", 15)
    with mpmath.workdps(dps + 10):
        half9 = mpmath.mpf(9) / 2

        def p(t):
            return t**2 * (1 + t) ** 2

        num = mpmath.quad(lambda t: (1 + t) * p(t) / (1 + t + t**2) ** half9, [0, 1, mpmath.inf])
        den = mpmath.quad(lambda t: p(t) / (1 + t + t**2) ** 4, [0, 1, mpmath.inf])
        radial = mpmath.gamma(half9) * mpmath.power(3, half9) / (mpmath.gamma(4) * mpmath.power(3, 4))
        return +(radial * num / den)


@functools.lru_cache(maxsize=8)
def gue_spread_fredholm(q: int, dps: int = 30) -> mpmath.mpf:
    """``E[λmax - λmin]`` of a ``q × q`` GUE (density ``∝ exp(-tr H²/2)``) by quadrature (Lemma 15.4).

    The eigenvalues form a determinantal process with kernel ``Σ_{k<q} φ_k(x)φ_k(y)``, ``φ_k`` the
    orthonormal Hermite functions of the weight ``e^(-x²/2)`` (``He_k/sqrt(k! sqrt(2π))``), so
    ``P(λmax <= x) = det(δ_jk - ∫_x^∞ φ_j φ_k)``, the tail integrals exact in ``erfc`` and ``exp``
    (``J_m = ∫_x^∞ t^m e^(-t²/2) = x^(m-1) e^(-x²/2) + (m-1) J_(m-2)``); then
    ``E[λmax] = ∫_0^∞ (1 - F) - ∫_(-∞)^0 F`` by mpmath quadrature and the spread is ``2 E[λmax]``
    (H and -H have the same law).

    Parameters
    ----------
    q : int
        Size of the matrix (``>= 2``).
    dps : int, default 30
        Decimal digits of the quadrature (``>= 15``).

    Returns
    -------
    mpmath.mpf

    Examples
    --------
    >>> import mpmath
    >>> bool(abs(gue_spread_fredholm(2, 20) - 4 / mpmath.sqrt(mpmath.pi)) < 1e-18)
    True
    """
    q = check_local_dim(q)
    dps = check_int(dps, "dps", 15)
    with mpmath.workdps(dps + 10):
        he = [[mpmath.mpf(1)], [mpmath.mpf(0), mpmath.mpf(1)]]  # probabilists' Hermite: He_(k+1) = x He_k - k He_(k-1)
        for k in range(1, q):
            up, down = [mpmath.mpf(0), *he[k]], [*he[k - 1], mpmath.mpf(0), mpmath.mpf(0)]
            he.append([up[i] - k * down[i] for i in range(len(up))])
        norm = [mpmath.sqrt(mpmath.factorial(k) * mpmath.sqrt(2 * mpmath.pi)) for k in range(q)]
        prod = {}
        for j in range(q):
            for k in range(q):
                c = [mpmath.mpf(0)] * (j + k + 1)
                for a, ca in enumerate(he[j]):
                    for b, cb in enumerate(he[k]):
                        c[a + b] += ca * cb
                prod[j, k] = [v / (norm[j] * norm[k]) for v in c]

        def cdf(x: mpmath.mpf) -> mpmath.mpf:
            gauss = mpmath.exp(-x * x / 2)
            J = [mpmath.sqrt(mpmath.pi / 2) * mpmath.erfc(x / mpmath.sqrt(2)), gauss]
            for m in range(2, 2 * q - 1):
                J.append(x ** (m - 1) * gauss + (m - 1) * J[m - 2])
            A = mpmath.matrix(q, q)
            for j in range(q):
                for k in range(q):
                    A[j, k] = (1 if j == k else 0) - mpmath.fsum(c * J[m] for m, c in enumerate(prod[j, k]))
            return mpmath.det(A)

        pos = mpmath.quad(lambda x: 1 - cdf(x), [0, 1, 2, 3, 4, 6, mpmath.inf])
        neg = mpmath.quad(cdf, [-mpmath.inf, -6, -4, -2, -1, 0])
        out = 2 * (pos - neg)
    return +out


def gue_spread_mean(q: int = 2) -> sp.Expr:
    """``E[λmax - λmin]`` of a ``q × q`` GUE with density ``∝ exp(-tr H²/2)`` (Lemma 15.4 of ``proofs/DERIVATION.md``).

    ``q = 2``: ``H - tr(H)/2 = Σ_b z_b σ_b/sqrt(2)`` with ``z`` standard in R³, so the gap is
    ``sqrt(2)·||z|| = sqrt(2)·χ_3``, of mean ``4/sqrt(π)`` (exact).  ``q = 3``: ``27/(4 sqrt(π))``,
    derived exactly from the eigenvalue density by :func:`gue3_spread_from_density`; Lemma 15.4 checks
    that sympy simplifies the difference to 0.  ``q >= 4``: a 30-digit sympy Float from the quadrature
    of :func:`gue_spread_fredholm` (no closed form here).

    Parameters
    ----------
    q : int, default 2
        Size of the matrix, ``>= 2``.

    Returns
    -------
    sympy.Expr
        Exact for q = 2, 3; a sympy Float of 30 digits for q >= 4.

    Examples
    --------
    >>> gue_spread_mean(2), gue_spread_mean(3)
    (4/sqrt(pi), 27/(4*sqrt(pi)))
    """
    q = check_local_dim(q)
    if q == 2:
        return sp.sqrt(2) * _chi_mean(3)
    if q == 3:
        return sp.Rational(27, 4) / sp.sqrt(sp.pi)
    return _gue_spread_float(q)


@functools.lru_cache(maxsize=16)
def _gue_spread_float(q: int) -> sp.Float:
    with mpmath.workdps(40):
        return sp.Float(mpmath.nstr(gue_spread_fredholm(q, 30), 32), 30)


# ---------------------------------------------------------------------------------------------
# exact derivations of the two 3×3 constants from their joint eigenvalue densities (Lemma 15.4)
# ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _definite(dep: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """``∫_lo^hi dep d var``.  A term ``p(var)·e^{-a var²}·erf(b var)`` whose factor ``p e^{-a var²}`` has an
    elementary antiderivative ``P`` (sympy) is integrated by parts, ``[P erf]_lo^hi - ∫ P·(erf)'``, which
    sympy's own ``integrate`` does not find; everything else goes to ``sympy.integrate``."""
    erfs = [f for f in sp.Mul.make_args(dep) if isinstance(f, sp.erf)]
    if len(erfs) == 1:
        rest = sp.Mul(*[f for f in sp.Mul.make_args(dep) if f is not erfs[0]])
        prim = sp.integrate(rest, var)
        if not prim.has(sp.erf, sp.Integral):
            boundary = sp.limit(prim * erfs[0], var, hi, "-") - sp.limit(prim * erfs[0], var, lo, "+")
            return sp.expand(boundary - _termwise_integral(prim * sp.diff(erfs[0], var), var, lo, hi))
    return sp.expand(sp.integrate(dep, (var, lo, hi)))


def _termwise_integral(expr: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """``∫_lo^hi expr d var`` by sympy, one term of the expanded sum at a time (cached per term)."""
    out = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, dep = term.as_independent(var, as_Add=False)
        out += coeff * _definite(dep, var, lo, hi)
    return sp.expand(out)


@functools.lru_cache(maxsize=8)
def gue3_spread_from_density() -> sp.Expr:
    """``E[λmax - λmin]`` of the 3×3 GUE (density ``∝ exp(-tr H²/2)``) by exact sympy integration (Lemma 15.4).

    Lemma 15.4 of ``proofs/DERIVATION.md``.  The eigenvalues have the exchangeable density
    ``∝ Π_{i<j}(λ_i - λ_j)² exp(-|λ|²/2)`` on ``R³``, and for three reals
    ``λmax - λmin = (|λ1-λ2| + |λ1-λ3| + |λ2-λ3|)/2``, so ``E[λmax - λmin] = (3/2) E|λ1 - λ2|``.  Integrating
    ``λ3`` out leaves a polynomial times ``exp(-(λ1² + λ2²)/2)``; the rotation ``λ1,2 = (v ± u)/√2``
    (``|λ1 - λ2| = √2|u|``) separates it into Gaussian moments.  Every integral is a sympy ``integrate``
    of a polynomial times a Gaussian; nothing is numerical.

    Returns
    -------
    sympy.Expr
        The exact value (it simplifies to ``27/(4 sqrt(π))``, :func:`gue_spread_mean`).

    Examples
    --------
    >>> gue3_spread_from_density()
    27/(4*sqrt(pi))
    """
    l1, l2, l3 = sp.symbols("l1 l2 l3", real=True)
    u, v = sp.symbols("u v", real=True)
    oo = sp.oo
    vdm2 = sp.expand(((l1 - l2) * (l1 - l3) * (l2 - l3)) ** 2)
    marg = _termwise_integral(vdm2 * sp.exp(-(l3**2) / 2), l3, -oo, oo)  # polynomial in l1, l2
    z = _termwise_integral(
        _termwise_integral(marg * sp.exp(-(l1**2) / 2), l1, -oo, oo) * sp.exp(-(l2**2) / 2), l2, -oo, oo
    )
    rot = sp.expand(marg.subs({l1: (v + u) / sp.sqrt(2), l2: (v - u) / sp.sqrt(2)}, simultaneous=True))
    marg_u = _termwise_integral(rot * sp.exp(-(v**2) / 2), v, -oo, oo)
    abs_gap = 2 * _termwise_integral(sp.sqrt(2) * u * marg_u * sp.exp(-(u**2) / 2), u, 0, oo)  # even in u
    return sp.simplify(sp.Rational(3, 2) * abs_gap / z)


def _ordered_singular_value_integral(weight: sp.Expr, s1: sp.Symbol, s2: sp.Symbol, s3: sp.Symbol) -> sp.Expr:
    """``∫_{s1 > s2 > s3 > 0} weight·Π_{i<j}(s_i² - s_j²)·e^{-|s|²/2} ds``, iterated: s3, then s2, then s1."""
    vdm = sp.expand((s1**2 - s2**2) * (s1**2 - s3**2) * (s2**2 - s3**2))
    f = _termwise_integral(weight * vdm * sp.exp(-(s3**2) / 2), s3, 0, s2)
    g = _termwise_integral(f * sp.exp(-(s2**2) / 2), s2, 0, s1)
    return _termwise_integral(g * sp.exp(-(s1**2) / 2), s1, 0, sp.oo)


@functools.lru_cache(maxsize=8)
def real_ginibre_top_two_from_density() -> sp.Expr:
    """``E[σ1 + σ2]`` of a 3×3 standard real Gaussian matrix by exact sympy integration (Lemma 15.4).

    Lemma 15.4 of ``proofs/DERIVATION.md``.  ``GᵀG`` is real Wishart (Laguerre orthogonal ensemble with
    ``λ^(-1/2) e^{-λ/2}``); with ``λ = s²`` the singular values have density
    ``∝ Π_{i<j}|s_i² - s_j²| e^{-|s|²/2}`` on ``R_+³``.  On the ordered region ``s1 > s2 > s3 > 0`` the
    Vandermonde is a positive polynomial, and the iterated integrals (``s3`` over ``(0, s2)``, ``s2`` over
    ``(0, s1)``, ``s1`` over ``(0, ∞)``) are sympy integrals of polynomial × Gaussian × ``erf`` terms:
    ``E[σ1 + σ2] = (I[s1] + I[s2]) / I[1]``, the normaliser ``I[1]`` computed the same way.

    Returns
    -------
    sympy.Expr
        The exact value, equal to :func:`real_ginibre_top_two_closed_form`.

    Examples
    --------
    >>> v = real_ginibre_top_two_from_density()  # doctest: +SKIP
    >>> sp.simplify(v - real_ginibre_top_two_closed_form())  # doctest: +SKIP
    0
    """
    s1, s2, s3 = sp.symbols("s1 s2 s3", positive=True)
    z = _ordered_singular_value_integral(sp.Integer(1), s1, s2, s3)
    top = _ordered_singular_value_integral(s1, s1, s2, s3) + _ordered_singular_value_integral(s2, s1, s2, s3)
    return sp.simplify(atan_reciprocal_rewrite(sp.simplify(top / z)))


def atan_reciprocal_rewrite(expr: sp.Expr) -> sp.Expr:
    """Replace every ``atan(a)`` with a numeric ``0 < a < 1`` by ``π/2 - atan(1/a)`` (Lemma 15.4).

    The identity ``atan(x) + atan(1/x) = π/2`` for ``x > 0`` (its derivative vanishes and it holds at
    ``x = 1``; checked by sympy in Lemma 15.4 of ``proofs/DERIVATION.md``) puts the exact integrals in the
    basis ``{π, atan√2, √2}`` where sympy decides equality.

    Parameters
    ----------
    expr : sympy.Expr

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> atan_reciprocal_rewrite(sp.atan(sp.sqrt(2) / 2))
    -atan(sqrt(2)) + pi/2
    """
    return expr.replace(
        lambda e: isinstance(e, sp.atan) and e.args[0].is_number and bool(0 < e.args[0] < 1),
        lambda e: sp.pi / 2 - sp.atan(sp.nsimplify(1 / e.args[0])),
    )


def _chi_mean(k: int) -> sp.Expr:
    """``E χ_k = sqrt(2) Γ((k+1)/2)/Γ(k/2)``."""
    return sp.simplify(sp.sqrt(2) * sp.gamma(sp.Rational(k + 1, 2)) / sp.gamma(sp.Rational(k, 2)))


@functools.lru_cache(maxsize=16)
def ginibre_nuclear_sq_mean(q: int = 2) -> sp.Expr:
    """``E||G||_*²`` for a ``q × q`` standard complex Ginibre matrix (``E|G_ij|² = 1``), exactly.

    Lemma 15.4 of ``proofs/DERIVATION.md``.  The squared singular values form the Laguerre unitary
    ensemble (weight ``e^{-x}``), a determinantal process with kernel ``Σ_{k<q} L_k(x) L_k(y) e^{-(x+y)/2}``;
    for ``f = sqrt``: ``E(Σ f(x_i))² = Σ_k ∫ x L_k² e^{-x} + (tr A)² - ||A||_F²`` with
    ``A_kl = ∫ sqrt(x) L_k L_l e^{-x} dx`` (Gamma integrals, exact).

    Parameters
    ----------
    q : int, default 2
        Size, ``>= 2``.

    Returns
    -------
    sympy.Expr
        A rational multiple of π plus a rational (``4 + 3π/4`` for ``q = 2``).

    Examples
    --------
    >>> ginibre_nuclear_sq_mean(2)
    3*pi/4 + 4
    """
    q = check_local_dim(q)
    x = sp.Symbol("x", positive=True)

    def mom(poly: sp.Expr, half: bool) -> sp.Expr:  # ∫_0^∞ x^(1/2 if half) poly(x) e^{-x} dx, term by term
        p = sp.Poly(sp.expand(poly), x)
        return sp.Add(*[c * sp.gamma(e + 1 + (sp.Rational(1, 2) if half else 0)) for (e,), c in p.terms()])

    L = [sp.assoc_laguerre(k, 0, x) for k in range(q)]
    A = sp.Matrix(q, q, lambda k, l: mom(L[k] * L[l], True))
    diag = sp.Add(*[mom(x * L[k] ** 2, False) for k in range(q)])
    return sp.expand(diag + A.trace() ** 2 - sum(a**2 for a in A))


def gaussian_delta_monte_carlo(q: int, samples: int, seed: int = 2026, start: int = 0) -> np.ndarray:
    """Certified Δ (Lemma 12) of ``samples`` unit-norm directions of a standard real Gaussian matrix.

    Lemma 15.5 of ``proofs/DERIVATION.md``: Δ is 1-homogeneous and a Gaussian matrix's norm and
    direction are independent, so ``E[Δ(G)] = E||G||_F · E[Δ(Ĝ)]`` with ``E||G||_F = E χ_N`` exact.

    Parameters
    ----------
    q : int
        Local dimension ``>= 3`` (``dA = q``, matrices ``(q²-1) × (q²-1)``).
    samples : int
        Number of directions, ``>= 1``.
    seed : int, default 2026
        Sample i draws from ``numpy.random.default_rng([seed, i])`` and seeds the optimiser with i.
    start : int, default 0
        Index of the first sample (to extend a run).

    Returns
    -------
    numpy.ndarray
        Shape ``(samples, 2)``: the certified ``(lower, upper)`` of each ``Δ(Ĝ)``.

    Examples
    --------
    >>> b = gaussian_delta_monte_carlo(3, 1)
    >>> b.shape, bool(b[0, 0] <= b[0, 1] < 1.00001 * b[0, 0])
    ((1, 2), True)
    """
    from ..delta.certified import delta_from_k

    q = check_local_dim(q)
    if q < 3:
        raise ValueError(f"q must be >= 3 for the certified Monte Carlo (q = 2 is exact), got {q}")
    samples = check_int(samples, "samples", 1)
    start = check_int(start, "start", 0)
    r = q * q - 1
    out = np.empty((samples, 2))
    for j, i in enumerate(range(start, start + samples)):
        g = np.random.default_rng([check_int(seed, "seed", 0), i]).standard_normal((r, r))
        g /= np.linalg.norm(g)
        res = delta_from_k(g, q, rng=i)
        out[j] = res.lower, res.upper
    return out


def gaussian_delta_mean(q: int = 2) -> tuple[sp.Expr | float, float]:
    """``E[Δ(G)]`` for G a standard real Gaussian ``(q²-1) × (q²-1)`` matrix, with its standard error.

    Lemmas 15.4-15.5 of ``proofs/DERIVATION.md``.  ``q = 2``: ``Δ = 2(σ1 + σ2)`` (Lemma 3.2) and
    ``E[σ1 + σ2]`` has the closed form of :func:`real_ginibre_top_two_closed_form` (checked to 40 digits
    against the exact density); ``q >= 3``: ``E χ_N`` times the stored Monte Carlo mean of the
    certified Δ of a direction (:data:`GAUSSIAN_DELTA_MC`).

    Parameters
    ----------
    q : int, default 2
        Local dimension, 2 or a q with a stored Monte Carlo (3, 4).

    Returns
    -------
    (value, stderr)
        A sympy expression and 0.0 for q = 2; a float and its standard error otherwise.

    Raises
    ------
    ValueError
        If no constant is stored for ``q``.

    Examples
    --------
    >>> gaussian_delta_mean(2)[0] == 2 * real_ginibre_top_two_closed_form()
    True
    """
    q = check_local_dim(q)
    if q == 2:
        return 2 * real_ginibre_top_two_closed_form(), 0.0
    if q not in GAUSSIAN_DELTA_MC:
        raise ValueError(
            f"no stored Monte Carlo constant for q = {q} (stored: {sorted(GAUSSIAN_DELTA_MC)}); "
            "run gaussian_delta_monte_carlo"
        )
    rec = GAUSSIAN_DELTA_MC[q]
    norm = float(_chi_mean((q * q - 1) ** 2))
    return norm * rec["mean"], norm * rec["stderr"]


def qae_v1_qubit_exact_mean(n: Any) -> sp.Expr:
    """Exact ``E[Δ]`` for QAE, case v1, qubits, at any n: ``Γ(dB + 1/2)/(Γ(dB + 1) Γ(3/2))``, ``dB = 2^(n-1)``.

    Lemma 15.6 of ``proofs/DERIVATION.md``: ``Δ = λmax(ρ_A) - λmin(ρ_A) = r`` for the reduced state of
    a Haar state on ``C² ⊗ C^dB``, whose eigenvalues ``(1 ± r)/2`` have density ``∝ r² (1 - r²)^(dB-2)``.

    Parameters
    ----------
    n : int or sympy.Symbol
        Number of qubits (``>= 2``).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> qae_v1_qubit_exact_mean(2)
    3/4
    """
    n_ = sp.sympify(n)
    if n_.is_number:
        check_int(int(n_), "n", 2)
    dB = sp.Integer(2) ** (n_ - 1)
    return sp.gammasimp(sp.gamma(dB + sp.Rational(1, 2)) / (sp.gamma(dB + 1) * sp.gamma(sp.Rational(3, 2))))


def qae_v2_jacobi_exponents(n: Any, q: int = 2) -> tuple[int, int, int]:
    """The Jacobi ensemble of QAE, case v2: ``(k, a, b)`` with density ``∝ Π_{i<j}(λi-λj)² Π λ^a (1-λ)^b``.

    Lemma 15.7 of ``proofs/DERIVATION.md``: with V1 = I and V2 Haar, Δ is the spread ``λmax - λmin`` of
    ``X = <0_B|V2† Π V2|0_B>`` (``Π = |0><0|_A ⊗ I_B``, the complement ``I - Π`` of the cost has the same
    spread), the compression of a Haar-random rank-``r`` projector (``r = d/q``) to a ``k = q``
    dimensional subspace; its eigenvalues are those of ``(W1 + W2)^(-1/2) W1 (W1 + W2)^(-1/2)``, W1, W2
    independent complex Wishart ``k × k`` with ``r`` and ``d - r`` degrees of freedom: the β = 2
    Jacobi (MANOVA) ensemble with ``a = r - k``, ``b = d - r - k``.

    Parameters
    ----------
    n : int
        Number of sites (``>= 2``).
    q : int, default 2
        Local dimension (``>= 2``).

    Returns
    -------
    (k, a, b) : tuple of int

    Examples
    --------
    >>> qae_v2_jacobi_exponents(3), qae_v2_jacobi_exponents(2, q=3)
    ((2, 2, 2), (3, 0, 3))
    """
    n = check_int(n, "n", 2)
    q = check_local_dim(q)
    d = q**n
    r = d // q
    return q, r - q, d - r - q


def _ordered_region_integral(poly: dict[tuple[int, int], Fraction], a: int, b: int) -> Fraction:
    """``∫∫_{0<y<x<1} Σ c_ij x^i y^j · w(x) w(y)``, ``w(t) = t^a (1-t)^b``, exactly (Beta integrals).

    The inner integral ``∫_0^x y^(j+a) (1-y)^b dy = Σ_l C(b,l) (-1)^l x^(j+a+l+1)/(j+a+l+1)`` (binomial
    expansion), the outer one a Beta function ``B(p, b+1) = (p-1)! b!/(p+b)!``.
    """
    fact = math.factorial
    fb = fact(b)
    total = Fraction(0)
    for (i, j), c in poly.items():
        s = Fraction(0)
        for ell in range(b + 1):
            p = i + j + 2 * a + ell + 2
            s += Fraction((-1) ** ell * math.comb(b, ell) * fact(p - 1) * fb, (j + a + ell + 1) * fact(p + b))
        total += c * s
    return total


def jacobi_spread_mean(k: int, a: int, b: int) -> sp.Rational:
    """Exact ``E[λmax - λmin]`` of the β = 2 Jacobi ensemble of ``k`` = 2 or 3 points (Lemma 15.7).

    Density ``∝ Π_{i<j}(λi-λj)² Π_i λi^a (1-λi)^b`` on ``[0, 1]^k`` (integer ``a, b >= 0``): the weights
    are polynomials, so the mean is a rational, computed by exact polynomial integration.  ``k = 2``:
    ``E|λ1 - λ2|``; ``k = 3``: ``λmax - λmin = (|λ1-λ2| + |λ1-λ3| + |λ2-λ3|)/2``, so by exchangeability
    ``(3/2) E|λ1 - λ2|``, with ``λ3`` integrated out first (its moments are Beta integrals); the remaining
    double integrals run over ``λ1 > λ2``.

    Parameters
    ----------
    k : int
        Number of eigenvalues, 2 or 3.
    a, b : int
        The exponents, ``>= 0``.

    Returns
    -------
    sympy.Rational

    Raises
    ------
    ValueError
        If ``k`` is not 2 or 3 (the spread of ``k >= 4`` points is not a sum of pair distances).

    Examples
    --------
    a = b = 0: ``E|λ1 - λ2| = ∫∫|x - y|³ / ∫∫(x - y)² = (1/10)/(1/6)`` over the unit square:

    >>> jacobi_spread_mean(2, 0, 0)
    3/5
    """
    k = check_int(k, "k", 2)
    if k > 3:
        raise ValueError(f"k must be 2 or 3 (exact spread by pair distances), got {k}")
    a = check_int(a, "a", 0)
    b = check_int(b, "b", 0)
    x, y, z = sp.symbols("x y z")
    if k == 2:
        extra = sp.Integer(1)
    else:  # ∫ (x-z)²(y-z)² w(z) dz, term by term: ∫ z^t w(z) dz = B(a+t+1, b+1)
        p3 = sp.Poly(sp.expand((x - z) ** 2 * (y - z) ** 2), z)
        extra = sp.Add(
            *[
                c * sp.Rational(math.factorial(a + t) * math.factorial(b), math.factorial(a + t + b + 1))
                for (t,), c in p3.terms()
            ]
        )

    def region(power: int) -> Fraction:
        terms = sp.Poly(sp.expand((x - y) ** power * extra), x, y).terms()
        return _ordered_region_integral({m: Fraction(int(c.p), int(c.q)) for m, c in terms}, a, b)

    ratio = region(3) / region(2)
    if k == 3:
        ratio *= Fraction(3, 2)
    return sp.Rational(ratio.numerator, ratio.denominator)


def _selberg2(alpha: sp.Expr, beta: sp.Expr, gamma: sp.Expr) -> sp.Expr:
    """Selberg's integral ``∫_[0,1]² Π t^(α-1)(1-t)^(β-1) |t1 - t2|^(2γ) dt`` (two points)."""
    return sp.Mul(
        *[
            sp.gamma(alpha + j * gamma)
            * sp.gamma(beta + j * gamma)
            * sp.gamma(1 + (j + 1) * gamma)
            / (sp.gamma(alpha + beta + (1 + j) * gamma) * sp.gamma(1 + gamma))
            for j in range(2)
        ]
    )


def qae_v2_qubit_exact_mean(n: Any) -> sp.Expr:
    """Exact ``E[Δ]`` for QAE, case v2, qubits, at any n (Lemma 15.7 of ``proofs/DERIVATION.md``).

    Δ = ``|λ1 - λ2|`` for the two-point Jacobi ensemble of :func:`qae_v2_jacobi_exponents`
    (``a = b = d/2 - 2``), so ``E[Δ]`` is the ratio of two Selberg integrals (``γ = 3/2`` over
    ``γ = 1``, ``α = β = d/2 - 1``):
    ``E[Δ] = 2^(d+1) Γ((d-1)/2) Γ((d+1)/2)² / (4π Γ(d/2 + 1) Γ(d - 1/2))``, a rational at every n, and
    ``sqrt(d)·E[Δ] = (2/sqrt(π))(1 + 1/(8d) + 49/(128 d²) + O(d⁻³))``
    (:func:`finite_size_expansion`).

    Parameters
    ----------
    n : int or sympy.Symbol
        Number of qubits (``>= 2``).

    Returns
    -------
    sympy.Expr
        A sympy Rational for an integer n.

    Examples
    --------
    >>> qae_v2_qubit_exact_mean(2), qae_v2_qubit_exact_mean(3)
    (3/5, 175/429)
    """
    n_ = sp.sympify(n)
    if n_.is_number:
        check_int(int(n_), "n", 2)
    d = sp.Integer(2) ** n_
    alpha = d / 2 - 1
    return sp.gammasimp(_selberg2(alpha, alpha, sp.Rational(3, 2)) / _selberg2(alpha, alpha, sp.Integer(1)))


def qae_v2_exact_mean(n: Any, q: int = 2) -> sp.Expr:
    """Exact ``E[Δ]`` for QAE, case v2, A = R = site 0, exact Haar V2 (Lemma 15.7 of ``proofs/DERIVATION.md``).

    The mean spread of the Jacobi ensemble of :func:`qae_v2_jacobi_exponents`: for qubits the closed
    form :func:`qae_v2_qubit_exact_mean` (also for a symbolic n), for qutrits the exact rational of
    :func:`jacobi_spread_mean` (k = 3).

    Parameters
    ----------
    n : int (or sympy.Symbol for q = 2)
        Number of sites (``>= 2``).
    q : int, default 2
        Local dimension, 2 or 3.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``q >= 4`` (no exact spread of ``q >= 4`` eigenvalues here) or n is bad.

    Examples
    --------
    >>> qae_v2_exact_mean(2, q=3)
    86/143
    """
    q = check_local_dim(q)
    if q == 2:
        return qae_v2_qubit_exact_mean(n)
    if q > 3:
        raise ValueError(f"q must be 2 or 3 for the exact QAE v2 mean, got {q}")
    return jacobi_spread_mean(*qae_v2_jacobi_exponents(n, q))


def finite_size_expansion(task: str, case: str, order: int = 3) -> sp.Expr:
    """``sqrt(d)·E[Δ]/c`` as a series in ``1/d`` where ``E[Δ]`` is exact (Lemmas 15.6, 15.7), qubits.

    QAE v1 (:func:`qae_v1_qubit_exact_mean`) and QAE v2 (:func:`qae_v2_qubit_exact_mean`): the log of
    the Gamma ratio expanded with the asymptotic series of ``loggamma`` (sympy), then exponentiated.
    Only integer powers of ``1/d`` occur (Δ is even in K: no ``1/sqrt(d)`` term).

    Parameters
    ----------
    task, case : str
        ``("qae", "v1")`` or ``("qae", "v2")``.
    order : int, default 3
        Terms ``1/d^j`` with ``j < order`` are kept (``>= 1``).

    Returns
    -------
    sympy.Expr
        A polynomial in ``1/d`` (the Symbol ``d``), constant term 1.

    Raises
    ------
    ValueError
        For another task or case.

    Examples
    --------
    >>> finite_size_expansion("qae", "v2")
    1 + 1/(8*d) + 49/(128*d**2)
    >>> finite_size_expansion("qae", "v1", order=2)
    1 - 1/(4*d)
    """
    task, case = _check_task_case(task, case)
    order = check_int(order, "order", 1)
    x = sp.Symbol("x", positive=True)  # x = 1/d
    half = sp.Rational(1, 2)
    c = asymptotic_constant(task, case, 2).c
    if (task, case) == ("qae", "v1"):  # Γ(dB + 1/2)/(Γ(dB + 1)Γ(3/2)), dB = d/2
        log_mean = sp.loggamma(1 / (2 * x) + half) - sp.loggamma(1 / (2 * x) + 1) - sp.log(sp.gamma(3 * half))
    elif (task, case) == ("qae", "v2"):  # 2^(d+1) Γ((d-1)/2) Γ((d+1)/2)² / (4π Γ(d/2 + 1) Γ(d - 1/2))
        log_mean = (
            (1 / x + 1) * sp.log(2)
            + sp.loggamma(1 / (2 * x) - half)
            + 2 * sp.loggamma(1 / (2 * x) + half)
            - sp.log(4 * sp.pi)
            - sp.loggamma(1 / (2 * x) + 1)
            - sp.loggamma(1 / x - half)
        )
    else:
        raise ValueError(f"an exact finite-size law is known for task 'qae', case 'v1' or 'v2', got {task!r}, {case!r}")
    log_ratio = log_mean - sp.log(x) / 2 - sp.log(c)
    series = sp.expand(sp.simplify(sp.series(log_ratio, x, 0, order).removeO()))
    expo = sp.expand(sp.series(sp.exp(series), x, 0, order).removeO())
    return sp.expand(expo.subs(x, 1 / _D))


# ---------------------------------------------------------------------------------------------
# the constants
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AsymptoticConstant:
    """The large-n constant ``c = lim scale·E[Δ]`` of one task, case and q (Lemma 15 of ``proofs/DERIVATION.md``).

    Attributes
    ----------
    q : int
        Local dimension.
    task, case : str
        Task (:data:`ASYMPTOTIC_TASKS`) and case (:data:`~weingarten_check.theory.bounds.CASES`).
    law : str
        The limiting law (:func:`limiting_law`).
    scale : str
        ``"sqrt(d)"``, ``"sqrt(d/n)"`` or ``"d"``.
    c : sympy.Expr or float
        The constant: exact (sympy) where a closed form exists, a sympy Float of 30 digits after a
        quadrature, a float after a Monte Carlo.
    c_stderr : float
        Its standard error (0 when exact or a quadrature).
    closed_form : str or None
        The closed form, if any.
    c_over_upper, c_over_lower : float
        ``c`` over ``lim scale·upper`` and ``lim scale·lower`` of the bounds of Lemma 11.6 (VQE, QAE)
        or Proposition 2 and Lemma 7.3 (QSL: ``E||M||_F² <= E[Δ] <= dA E||M||_F²``).
    correction : str
        The finite-size correction: exact where known, else its order.

    Examples
    --------
    >>> a = asymptotic_constant("qsl", "both")
    >>> a.closed_form, round(a.c_over_upper, 4)
    ('2 + 3*pi/8', 0.7945)
    """

    q: int
    task: str
    case: str
    law: str
    scale: str
    c: Any
    c_stderr: float
    closed_form: str | None
    c_over_upper: float
    c_over_lower: float
    correction: str = "O(1/d)"

    @property
    def c_float(self) -> float:
        """``float(c)``."""
        return float(self.c)

    def as_dict(self) -> dict[str, Any]:
        """The JSON record of the ``asymptotics`` command (``c`` as a float).

        Examples
        --------
        >>> sorted(asymptotic_constant("qsl", "v1").as_dict())[:3]
        ['c', 'c_over_lower', 'c_over_upper']
        """
        return {
            "q": self.q,
            "task": self.task,
            "case": self.case,
            "law": self.law,
            "scale": self.scale,
            "c": self.c_float,
            "c_stderr": float(self.c_stderr),
            "closed_form": self.closed_form,
            "c_over_upper": float(self.c_over_upper),
            "c_over_lower": float(self.c_over_lower),
        }


#: The finite-size correction where nothing checks it: Δ is even in K, so the ``1/sqrt(d)`` (third
#: cumulant) term of the expansion of the law of ``scale·K`` integrates to 0 against it (Lemma 15).
_CORRECTION_ARGUED = "O(1/d) (argued: Δ is even in K, no 1/sqrt(d) term; not checked for this case)"

#: Where ``E[Δ]`` is exact at every n (Lemmas 15.6, 15.7): the law and its expansion
#: (:func:`finite_size_expansion`, checked in ``proofs/test_15_asymptotics.py``).
_EXACT_CORRECTIONS = {
    ("qae", "v1", 2): "exact: E[Δ] = Γ(dB+1/2)/(Γ(dB+1)Γ(3/2)), dB = d/2; "
    "sqrt(d)·E[Δ] = c·(1 - 1/(4d) + 1/(32d²) + O(d⁻³))",
    ("qae", "v2", 2): "exact: E[Δ] = 2^(d+1)Γ((d-1)/2)Γ((d+1)/2)²/(4πΓ(d/2+1)Γ(d-1/2)); "
    "sqrt(d)·E[Δ] = c·(1 + 1/(8d) + 49/(128d²) + O(d⁻³))",
    ("qae", "v2", 3): "exact at each n: qae_v2_exact_mean(n, 3) (Jacobi, k = 3); O(1/d): "
    "d·(sqrt(d)·E[Δ]/c - 1) = 0.0449, 0.0393, 0.0363, 0.0353 for n = 2 … 5",
}


def _bound_limits(task: str, case: str, q: int) -> tuple[sp.Expr, sp.Expr]:
    """``(lim scale·upper, lim scale·lower)`` of the two-sided bounds (Lemma 11.6; QSL: 7.3, 7.4)."""
    if task == "qsl":
        from .bounds import expected_M_frobenius_sq, proposition2_bound

        # d = q**n written as a power of n itself: sympy writes 4**(-n) as 2**(-2n), which a substitution
        # q**n -> d would miss (the upper limit came out infinite for q = 4, 8, 9)
        def lim_d_times(expr: sp.Expr) -> sp.Expr:
            return sp.limit(sp.powsimp(sp.expand_power_base(sp.Integer(q) ** N_SYM * expr), force=True), N_SYM, sp.oo)

        return lim_d_times(proposition2_bound(N_SYM, 1, q)), lim_d_times(expected_M_frobenius_sq(N_SYM, 1, q))
    from .task_moments import expected_K_frobenius_fourth_task, expected_K_frobenius_sq_task

    sc2 = scale_expression(task, case, q) ** 2
    s2 = _limit_d_then_n(sc2 * expected_K_frobenius_sq_task(task, case, N_SYM, q=q, in_d=True))
    s4 = _limit_d_then_n(sc2**2 * expected_K_frobenius_fourth_task(task, case, N_SYM, q=q, in_d=True))
    _, u = delta_frobenius_constants(q)
    # both bounds are 1-homogeneous in K: scale·bound(moments) = bound(scaled moments)
    return u * sp.sqrt(s2), expected_delta_lower_bound_from_moments(s2, s4, q)


@functools.lru_cache(maxsize=64)
def asymptotic_constant(task: str, case: str, q: int = 2) -> AsymptoticConstant:
    """The constant ``c = lim scale·E[Δ]`` for one task, case and q (Lemma 15 of ``proofs/DERIVATION.md``).

    m = 1, A = site 0, input ``|0…0>``, exact Haar V1/V2 (the module docstring lists the laws).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The task (:data:`ASYMPTOTIC_TASKS`).
    case : {"v1", "v2", "both"}
        Which of V1, V2 is Haar-random (the other is the identity).
    q : int, default 2
        Local dimension: any ``q >= 2`` for QSL and the rank-one (GUE) cases (QAE v1, VQE v2, QAE v2;
        ``q >= 4`` by a 30-digit quadrature); 2, 3 or 4 for the iid Gaussian cases (VQE v1, VQE both,
        QAE both: a Monte Carlo of the certified Δ is stored for q = 3 and 4).

    Returns
    -------
    AsymptoticConstant

    Raises
    ------
    ValueError
        On a bad task, case or q, or a q >= 5 for an iid Gaussian case (no stored Monte Carlo).

    Examples
    --------
    >>> a = asymptotic_constant("vqe", "v1")
    >>> a.law, a.scale, round(float(a.c), 10), a.c_stderr
    ('iid Gaussian', 'sqrt(d)', 10.8750835185, 0.0)
    """
    task, case = _check_task_case(task, case)
    q = check_local_dim(q)
    law = limiting_law(task, case)
    scale = {_D: "d", sp.sqrt(_D): "sqrt(d)"}.get(scale_expression(task, case, q), "sqrt(d/n)")
    if law == "iid Gaussian" and q > 2 and q not in GAUSSIAN_DELTA_MC:
        stored = ", ".join(str(k) for k in sorted(GAUSSIAN_DELTA_MC))
        raise ValueError(
            f"q must be 2 or one of {stored} for task {task!r}, case {case!r} (iid Gaussian law: its constant is a "
            f"stored Monte Carlo of the certified Δ, stored for q = {stored}), got {q}"
        )
    var = limiting_variance(task, case, q)
    stderr = 0.0
    closed: str | None = None
    correction = _CORRECTION_ARGUED
    if law == "rank one (Beta)":
        c: Any = sp.Integer(q)
        closed, correction = str(q), "none: d·E[Δ] = q at every n"
    elif law == "complex Ginibre":
        c = sp.expand(ginibre_nuclear_sq_mean(q) / q)
        closed = str(c) if q > 2 else "2 + 3*pi/8"
    elif law == "rank one (GUE)":
        spread = gue_spread_mean(q)
        if q <= 3:
            c = sp.simplify(sp.sqrt(var) * spread)
            closed = str(c)
        else:  # a 30-digit quadrature (gue_spread_fredholm)
            c = sp.Float(sp.N(sp.sqrt(var) * spread, 30), 30)
        correction = _EXACT_CORRECTIONS.get((task, case, q), correction)
    else:
        core, core_se = gaussian_delta_mean(q)
        c = sp.sqrt(var) * core if q == 2 else float(sp.sqrt(var)) * core
        stderr = float(sp.sqrt(var)) * core_se
        if q == 2:
            c = sp.simplify(c)
            closed = str(c)
    up, lo = _bound_limits(task, case, q)
    return AsymptoticConstant(
        q=q,
        task=task,
        case=case,
        law=law,
        scale=scale,
        c=c,
        c_stderr=stderr,
        closed_form=closed,
        c_over_upper=float(c) / float(up),
        c_over_lower=float(c) / float(lo),
        correction=correction,
    )


def asymptotic_constants(
    q_values: tuple[int, ...] = (2, 3), tasks: tuple[str, ...] = ASYMPTOTIC_TASKS, cases: tuple[str, ...] = CASES
) -> list[AsymptoticConstant]:
    """Every constant of :func:`asymptotic_constant` over a grid (Lemma 15 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    q_values : tuple of int, default (2, 3)
        Local dimensions.
    tasks : tuple of str, default ("vqe", "qae", "qsl")
        Tasks.
    cases : tuple of str, default ("v1", "v2", "both")
        Cases.

    Returns
    -------
    list of AsymptoticConstant
        In the order q, task, case.

    Examples
    --------
    >>> [a.case for a in asymptotic_constants((2,), ("qsl",))]
    ['v1', 'v2', 'both']
    """
    return [asymptotic_constant(t, c, q) for q in q_values for t in tasks for c in cases]


def prediction_z_score(
    task: str, case: str, q: int, n: int, mean: float, stderr: float, *, c: float | None = None
) -> float:
    """z-score of a sampled ``E[Δ]`` at ``n`` against the prediction ``c/scale`` (Lemma 15 of ``proofs/DERIVATION.md``).

    ``z = (scale·mean - c) / sqrt((scale·stderr)² + c_stderr²)``, the scale evaluated at ``d = q**n``.
    The finite-size correction (``O(1/d)``) is not included: use it at large n.

    Parameters
    ----------
    task, case : str
        As :func:`asymptotic_constant`.
    q : int
        Local dimension.
    n : int
        Number of sites of the sample, ``>= 2``.
    mean, stderr : float
        The sample mean of Δ and its standard error (``> 0``).
    c : float, optional
        Use this constant instead of the library's (to test a wrong one).

    Returns
    -------
    float

    Examples
    --------
    >>> round(prediction_z_score("qsl", "v1", 2, 10, 2 / 1024, 1e-4), 12)
    0.0
    """
    a = asymptotic_constant(task, case, q)
    n = check_int(n, "n", 2)
    if not (stderr > 0):
        raise ValueError(f"stderr must be > 0, got {stderr!r}")
    scale = float(scale_expression(task, case, q).subs({_D: sp.Integer(q) ** n, N_SYM: n}))
    c_val = float(a.c) if c is None else float(c)
    sigma = float(np.hypot(scale * stderr, a.c_stderr if c is None else 0.0))
    return (scale * mean - c_val) / sigma


def predicted_mean(task: str, case: str, q: int, n: int) -> float:
    """The large-n prediction ``c / scale`` of ``E[Δ]`` at ``n`` sites (Lemma 15 of ``proofs/DERIVATION.md``).

    ``c`` is :func:`asymptotic_constant`'s, the scale (:func:`scale_expression`) evaluated at ``d = q**n``;
    the finite-size correction (``O(1/d)`` relative) is not included.

    Parameters
    ----------
    task, case : str
        As :func:`asymptotic_constant`.
    q : int
        Local dimension.
    n : int
        Number of sites, ``>= 2``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`asymptotic_constant`, or ``n < 2``.

    Examples
    --------
    QSL with V1 random: ``d·E[Δ] = q`` exactly (the Beta law), so at n = 10 qubits the prediction is 2/1024.

    >>> predicted_mean("qsl", "v1", 2, 10) == 2 / 1024
    True
    """
    a = asymptotic_constant(task, case, q)
    n = check_int(n, "n", 2)
    scale = float(scale_expression(task, case, q).subs({_D: sp.Integer(q) ** n, N_SYM: n}))
    return float(a.c) / scale
