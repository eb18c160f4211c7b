"""Decay rate of E[Δ] with n: weighted log-slope fits with standard errors (statistics step).

Theorem 1 (and our task-dependent bounds ``∝ 1/sqrt(q^n + 1)``) predict ``E[Δ] ∝ q^{-n/2}`` for
VQE and QAE, Proposition 2 predicts ``E[Δ_QSL] ∝ q^{-n}`` (its bound ``q^{2m-n}``; the exact
``E‖M‖_F² = dA/d``).  :func:`fit_log_slope_se` fits ``log_q E[Δ] = a + b n`` by weighted least
squares, each point weighted by its standard error propagated to the log (``se / (mean ln q)``),
and returns b with its standard error, so the prediction (−1/2 resp. −1 in base q) can be tested
as a z-score.  Data flow: sweep records -> :func:`weingarten_check.experiments.sweep.summarize` -> here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["SlopeFit", "fit_log_slope_se", "PREDICTED_SLOPE"]

#: predicted slope of log_q E[Δ] versus n (Theorem 1 / Proposition 2 scaling, any q)
PREDICTED_SLOPE = {"vqe": -0.5, "qae": -0.5, "qsl": -1.0}


@dataclass(frozen=True)
class SlopeFit:
    """``log_base E[Δ] ≈ intercept + slope · n``; ``stderr`` of the slope (scaled by
    ``sqrt(chi2/dof)`` when that exceeds 1, i.e. never smaller than the scatter warrants),
    ``chi2_dof`` the reduced chi-square of the weighted fit, ``points`` the number of n values."""

    slope: float
    stderr: float
    intercept: float
    chi2_dof: float
    points: int
    base: float

    def z(self, predicted: float) -> float:
        """``(slope - predicted) / stderr``."""
        return (self.slope - predicted) / self.stderr


def fit_log_slope_se(
    ns: Sequence[float], means: Sequence[float], stderrs: Sequence[float], base: float = 2.0
) -> SlopeFit:
    """Weighted least-squares slope of ``log_base(mean)`` versus n with its standard error.

    ``stderrs`` are the standard errors of the means (> 0); they become ``se / (mean ln base)`` on
    the log scale (delta method).  Needs >= 3 points (one degree of freedom for the scatter)."""
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
