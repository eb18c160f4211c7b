"""Statistics of Δ samples: mean and 95 % CI, per-(configuration, n) summaries, and the decay rate.

* :func:`mean_ci95` -- sample mean, standard error and normal-approximation 95 % CI of one set of values
  (used by :func:`weingarten_check.experiments.estimate.estimate_variation_range`);
* :func:`summarize` -- the records of a results file grouped by configuration and n
  (:class:`SummaryRow`: mean, standard deviation, standard error, certified-bracket width);
* :func:`fit_log_slope_se` -- the decay rate of E[Δ] with n.  Theorem 1 (and the task-dependent bounds
  ``∝ 1/sqrt(q^n + 1)``, Lemmas 6 and 9 of proofs/DERIVATION.md) predicts ``E[Δ] ∝ q^{-n/2}`` for VQE
  and QAE, Proposition 2 (Lemma 7) ``E[Δ_QSL] ∝ q^{-n}``; Lemma 11 shows the rate ``q^{-n/2}`` is
  exact.  The fit is weighted least squares of ``log_q E[Δ] = a + b n``, each point weighted by its
  standard error propagated to the log (``se / (mean ln q)``), and returns b with its standard error,
  so the prediction (:data:`PREDICTED_SLOPE`) can be tested as a z-score.

Data flow: results records -> :func:`summarize` -> :func:`fit_log_slope_se`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .tasks import CONFIG_FIELDS, ConfigFields, RunConfig, record_config_key

__all__ = ["mean_ci95", "SummaryRow", "summarize", "PREDICTED_SLOPE", "SlopeFit", "fit_log_slope_se"]

#: predicted slope of log_q E[Δ] versus n (Theorem 1 / Proposition 2 scaling, any q)
PREDICTED_SLOPE = {"vqe": -0.5, "qae": -0.5, "qsl": -1.0}


def mean_ci95(values: np.ndarray) -> tuple[float, float, tuple[float, float]]:
    """Sample mean, its standard error and the 95 % CI ``mean ± 1.96 stderr`` (normal approximation).

    Parameters
    ----------
    values : numpy.ndarray
        One-dimensional sample.

    Returns
    -------
    mean : float
    stderr : float
        ``std(ddof=1) / sqrt(len(values))``; NaN for a single value (undefined, not 0).
    ci95 : tuple of float

    Examples
    --------
    >>> mean, se, ci = mean_ci95(np.array([1.0, 2.0, 3.0, 6.0]))
    >>> mean, round(se, 6), tuple(round(x, 6) for x in ci)
    (3.0, 1.080123, (0.882958, 5.117042))
    """
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")
    return mean, se, (mean - 1.96 * se, mean + 1.96 * se)


@dataclass(frozen=True)
class SummaryRow(ConfigFields):
    """Sample statistics of Δ (unnormalised) for one configuration and n.

    ``exact`` is False when some samples are certified brackets (dA >= 3, not the fidelity task, Lemma
    12 of proofs/DERIVATION.md): then ``mean`` is the mean of the lower ends and ``upper_mean`` the mean
    of the certified upper ends.  The configuration's fields are readable as attributes too
    (``row.task``, ``row.q``, ...).

    Attributes
    ----------
    config : RunConfig
        The configuration of the samples.
    n, samples : int
        Number of sites and number of samples.
    mean, std, stderr : float
        Mean, sample standard deviation (ddof = 1) and ``std / sqrt(samples)`` (NaN for one sample).
    exact : bool
        True when every sample is an exact Δ.
    upper_mean : float
        Mean of the certified upper ends (NaN when exact).
    max_width : float
        Largest relative width ``(upper - value)/upper`` of a sample's bracket (0 when exact).

    Examples
    --------
    >>> row = SummaryRow(RunConfig("vqe", "haar", "v1"), n=4, samples=2, mean=1.5, std=0.5, stderr=0.25)
    >>> row.task, row.m, row.as_dict()["seed"]
    ('vqe', 1, 0)
    """

    config: RunConfig
    n: int
    samples: int
    mean: float
    std: float
    stderr: float
    exact: bool = True
    upper_mean: float = math.nan
    max_width: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The row as a flat dict: the configuration's fields, then n, samples and the statistics."""
        c = self.config
        return {
            "task": c.task,
            "ensemble": c.ensemble,
            "case": c.case,
            "q": c.q,
            "site": c.site,
            "seed": c.seed,
            "n": self.n,
            "samples": self.samples,
            "mean": self.mean,
            "std": self.std,
            "stderr": self.stderr,
            "exact": self.exact,
            "upper_mean": self.upper_mean,
            "m": c.m,
            "max_width": self.max_width,
            "layers": c.layers,
        }


def _sort_key(key: tuple) -> tuple:
    """Sort configuration keys with a None (the default depth) before every explicit value."""
    return tuple((v is not None, v) for v in key)


def summarize(records: Iterable[dict[str, Any]]) -> list[SummaryRow]:
    """Group results records by configuration and n; mean, standard deviation and standard error of Δ.

    Parameters
    ----------
    records : iterable of dict
        Results records (``read_results``), each with the configuration's fields, ``n`` and ``value``
        (and ``upper``, ``exact`` for a certified bracket).

    Returns
    -------
    list of SummaryRow
        One row per (configuration, n), sorted by the configuration key then n.

    Examples
    --------
    >>> recs = [dict(task="vqe", ensemble="haar", case="v1", q=2, site=0, seed=0, n=4, index=i, value=v)
    ...         for i, v in enumerate([1.0, 2.0, 3.0, 6.0])]
    >>> (row,) = summarize(recs)
    >>> row.samples, row.mean, round(row.stderr, 6)
    (4, 3.0, 1.080123)
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(record_config_key(r) + (r["n"],), []).append(r)
    rows = []
    for key in sorted(groups, key=_sort_key):
        recs = groups[key]
        vals = np.asarray([float(r["value"]) for r in recs])
        uppers = np.asarray([float(r.get("upper", r["value"])) for r in recs])
        exact = all(r.get("exact", True) for r in recs)
        widths = [(u - v) / u if u > 0 else 0.0 for u, v in zip(uppers, vals)]
        std = float(vals.std(ddof=1)) if vals.size > 1 else math.nan
        rows.append(
            SummaryRow(
                RunConfig(**dict(zip(CONFIG_FIELDS, key[:-1]))),
                n=key[-1],
                samples=int(vals.size),
                mean=float(vals.mean()),
                std=std,
                stderr=std / math.sqrt(vals.size),
                exact=exact,
                upper_mean=float(uppers.mean()) if not exact else math.nan,
                max_width=0.0 if exact else float(max(widths)),
            )
        )
    return rows


@dataclass(frozen=True)
class SlopeFit:
    """A fit ``log_base E[Δ] ≈ intercept + slope · n`` (:func:`fit_log_slope_se`).

    Attributes
    ----------
    slope, stderr : float
        The slope and its standard error (scaled by ``sqrt(chi2/dof)`` when that exceeds 1, i.e.
        never smaller than the scatter warrants).
    intercept : float
    chi2_dof : float
        The reduced chi-square of the weighted fit.
    points : int
        The number of n values.
    base : float

    Examples
    --------
    >>> f = SlopeFit(slope=-0.45, stderr=0.02, intercept=1.0, chi2_dof=0.8, points=6, base=2.0)
    >>> round(f.z(-0.5), 6)
    2.5
    """

    slope: float
    stderr: float
    intercept: float
    chi2_dof: float
    points: int
    base: float

    def z(self, predicted: float) -> float:
        """``(slope - predicted) / stderr``: how many standard errors the slope is from ``predicted``."""
        return (self.slope - predicted) / self.stderr


def fit_log_slope_se(
    ns: Sequence[float], means: Sequence[float], stderrs: Sequence[float], base: float = 2.0
) -> SlopeFit:
    """Weighted least-squares slope of ``log_base(mean)`` versus n, with its standard error.

    Parameters
    ----------
    ns : sequence of float
        The sizes n (at least 3: one degree of freedom for the scatter).
    means : sequence of float
        The sample means of Δ at each n (> 0).
    stderrs : sequence of float
        Their standard errors (> 0); on the log scale they become ``se / (mean ln base)`` (delta method).
    base : float, default 2
        The base of the logarithm (> 1); use q to compare with :data:`PREDICTED_SLOPE`.

    Returns
    -------
    SlopeFit

    Raises
    ------
    ValueError
        For fewer than 3 points, unequal lengths, non-positive or non-finite means or standard errors,
        or ``base <= 1``.

    Examples
    --------
    >>> ns = np.arange(4, 10)
    >>> f = fit_log_slope_se(ns, 12 * 2.0 ** (-ns / 2), 0.01 * 2.0 ** (-ns / 2))
    >>> round(f.slope, 9), round(f.intercept, 9) == round(math.log2(12), 9), f.points
    (-0.5, True, 6)
    """
    ns = np.asarray(ns, dtype=float)
    means = np.asarray(means, dtype=float)
    ses = np.asarray(stderrs, dtype=float)
    if not (ns.ndim == means.ndim == ses.ndim == 1) or not (len(ns) == len(means) == len(ses)):
        raise ValueError("ns, means and stderrs must be 1-D sequences of equal length")
    if len(ns) < 3:
        raise ValueError(f"fit_log_slope_se needs at least 3 points, got {len(ns)}")
    if np.any(means <= 0) or np.any(ses <= 0) or not np.all(np.isfinite(means) & np.isfinite(ses)):
        raise ValueError("means and stderrs must be finite and > 0")
    if not base > 1:
        raise ValueError(f"base must be > 1, got {base}")
    y = np.log(means) / math.log(base)
    sy = ses / (means * math.log(base))
    w = 1.0 / sy**2
    X = np.stack([np.ones_like(ns), ns], axis=1)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = cov @ (X.T @ (w * y))
    resid = y - X @ beta
    dof = len(ns) - 2
    chi2_dof = float(np.sum(w * resid**2) / dof)
    se = math.sqrt(cov[1, 1]) * math.sqrt(max(1.0, chi2_dof))
    return SlopeFit(float(beta[1]), se, float(beta[0]), chi2_dof, len(ns), float(base))
