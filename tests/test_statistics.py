"""experiments.statistics: summaries of results records; the weighted log-slope fit recovers a known rate,
and its standard error is calibrated."""

from __future__ import annotations

import math

import numpy as np
import pytest

from weingarten_check.experiments.statistics import PREDICTED_SLOPE, fit_log_slope_se, mean_ci95, summarize
from weingarten_check.experiments.tasks import RunConfig


def test_exact_power_law_gives_the_slope():
    ns = np.arange(4, 20)
    f = fit_log_slope_se(ns, 12 * 3.0 ** (-ns / 2), 0.01 * 3.0 ** (-ns / 2), base=3)
    assert f.slope == pytest.approx(-0.5, abs=1e-12) and f.chi2_dof < 1e-20
    assert f.intercept == pytest.approx(math.log(12, 3), abs=1e-12)


def test_standard_error_is_calibrated():
    """Synthetic means with known relative noise: |z| < 2 in about 95 % of 400 repetitions, and
    the spread of the fitted slopes matches the reported standard error within 15 %."""
    rng = np.random.default_rng(0)
    ns = np.arange(4, 29, 2)
    true = 2.0 ** (-ns / 2)
    rel = np.linspace(0.02, 0.1, len(ns))
    slopes, ses, cover = [], [], 0
    for _ in range(400):
        means = true * (1 + rel * rng.standard_normal(len(ns)))
        f = fit_log_slope_se(ns, means, rel * true)
        slopes.append(f.slope)
        ses.append(f.stderr)
        cover += abs(f.z(-0.5)) < 1.96
    assert 0.9 < cover / 400 <= 1.0
    assert np.std(slopes) == pytest.approx(np.median(ses), rel=0.15)


def test_a_wrong_prediction_is_rejected():
    """Mutant: data decaying like 2^(-n) (QSL rate) are far from the VQE prediction -1/2."""
    ns = np.arange(4, 16)
    means = 2.0 ** (-ns.astype(float))
    f = fit_log_slope_se(ns, means, 0.05 * means)
    assert abs(f.z(PREDICTED_SLOPE["vqe"])) > 10 and abs(f.z(PREDICTED_SLOPE["qsl"])) < 1e-6


@pytest.mark.parametrize(
    "args, match",
    [
        (([1, 2], [1, 1], [1, 1]), "at least 3"),
        (([1, 2, 3], [1, 1], [1, 1, 1]), "equal length"),
        (([1, 2, 3], [1, 0, 1], [1, 1, 1]), "> 0"),
        (([1, 2, 3], [1, 1, 1], [1, -1, 1]), "> 0"),
    ],
)
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        fit_log_slope_se(*args)
    with pytest.raises(ValueError, match="base"):
        fit_log_slope_se([1, 2, 3], [1, 1, 1], [1, 1, 1], base=1)


def test_summarize_statistics():
    recs = [
        dict(task="vqe", ensemble="haar", case="v1", q=2, site=0, seed=0, n=4, index=i, value=v)
        for i, v in enumerate([1.0, 2.0, 3.0, 6.0])
    ]
    (row,) = summarize(recs)
    assert row.samples == 4 and row.mean == 3.0
    assert row.std == pytest.approx(np.std([1, 2, 3, 6], ddof=1))
    assert row.stderr == pytest.approx(row.std / 2)
    assert row.config == RunConfig("vqe", "haar", "v1") and row.task == "vqe" and row.m == 1
    assert list(row.as_dict()) == [
        "task",
        "ensemble",
        "case",
        "q",
        "site",
        "seed",
        "n",
        "samples",
        "mean",
        "std",
        "stderr",
        "exact",
        "upper_mean",
        "m",
        "max_width",
        "layers",
    ]  # the keys (and order) of the sweep command's --json summary rows
    assert row.as_dict()["layers"] is None


def test_summarize_keeps_depths_apart_and_sorts_the_default_first():
    """Records of one configuration at different depths are different rows (never averaged together), and
    the default depth (no ``layers`` field, None) sorts before explicit ones instead of failing to compare."""
    base = dict(task="vqe", ensemble="hea", case="v1", q=2, site=0, seed=0, n=4)
    recs = [base | dict(index=0, value=1.0, layers=3), base | dict(index=0, value=5.0)]
    recs += [base | dict(index=1, value=3.0, layers=3), base | dict(index=0, value=7.0, layers=1)]
    rows = summarize(recs)
    assert [(r.layers, r.samples, r.mean) for r in rows] == [(None, 1, 5.0), (1, 1, 7.0), (3, 2, 2.0)]
    assert [r.as_dict()["layers"] for r in rows] == [None, 1, 3]


def test_mean_ci95_is_the_estimate_rule():
    mean, se, ci = mean_ci95(np.array([1.0, 2.0, 3.0, 6.0]))
    assert mean == 3.0 and se == np.std([1, 2, 3, 6], ddof=1) / 2 and ci == (mean - 1.96 * se, mean + 1.96 * se)
    assert np.isnan(mean_ci95(np.array([1.0]))[1])
