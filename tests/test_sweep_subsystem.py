"""Sweeps, verify and figures with A = m >= 2 consecutive sites (``RunConfig.m``: sweeps, verify points, figures).

m = 1 (the paper's) must leave every existing file, key and random stream as it was; m >= 2 draws
independent circuits, is kept apart in a shared results file, and sample s of an m = 2 sweep is bit
for bit sample s of ``estimate_variation_range(..., sites=(0, 1))``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from weingarten_check.experiments import sweep as sw
from weingarten_check.experiments.estimate import estimate_variation_range
from weingarten_check.experiments.statistics import summarize
from weingarten_check.experiments.store import CorruptResultsError, encode_record, read_results
from weingarten_check.experiments.sweep import SweepSpec, run_sweep
from weingarten_check.experiments.tasks import RunConfig, config_entropy, record_config_key
from weingarten_check.reporting import verify_report as report
from weingarten_check.reporting.figures import figure5_series

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import run  # noqa: E402


def fake_m(task, ensemble, case, n, *, q, site, rng, m=1):
    """Deterministic given rng; records which m it was called with."""
    return float(rng.random()) + 10.0 * m


def test_config_entropy_keeps_one_site_streams_and_separates_two_sites():
    one = config_entropy("vqe", "haar", "v1", 2, 0)
    assert config_entropy("vqe", "haar", "v1", 2, 0, (0,)) == one
    assert config_entropy("vqe", "haar", "v1", 2, 0, (0, 1)) != one
    assert config_entropy("vqe", "haar", "v1", 2, 0, (0, 1)) != config_entropy("vqe", "haar", "v1", 2, 0, (0, 2))


@pytest.mark.parametrize(
    "kwargs, ns, exc, match",
    [
        (dict(m=0), (4,), ValueError, "m must be an int >= 1"),
        (dict(m=1.5), (4,), TypeError, "m must be an int"),
        (dict(m=3), (3,), ValueError, "n must be > m = 3"),
        (dict(m=2, site=2), (3,), ValueError, r"site \+ m must be <= n"),
    ],
)
def test_spec_rejects_bad_m(kwargs, ns, exc, match):
    with pytest.raises(exc, match=match):
        SweepSpec(RunConfig("vqe", "haar", "v1", q=2, **kwargs), ns=ns, samples=2)


def test_m1_records_have_no_m_field_and_old_records_key_as_m1(tmp_path):
    path = tmp_path / "r.jsonl"
    spec = SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(4,), samples=3)
    res = run_sweep(spec, path, sample_fn=fake_m, progress=False)
    assert all("m" not in r for r in read_results(path))
    assert all(record_config_key(r) == spec.config.key() for r in res.records)
    assert all(10 < r["value"] < 11 for r in res.records)  # the sampler was called without m (m = 1)


def test_m2_is_kept_apart_from_m1_in_one_file(tmp_path):
    path = tmp_path / "r.jsonl"
    one = run_sweep(
        SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(4,), samples=3), path, sample_fn=fake_m, progress=False
    )
    two = run_sweep(
        SweepSpec(RunConfig("vqe", "haar", "v1", m=2), ns=(4,), samples=3), path, sample_fn=fake_m, progress=False
    )
    assert two.computed == 3 and two.reused == 0  # not mistaken for the m = 1 samples
    recs = read_results(path)
    assert sorted(r.get("m", 1) for r in recs) == [1, 1, 1, 2, 2, 2]
    assert all(20 < r["value"] < 21 for r in two.records)  # the sampler got m = 2
    # independent streams: the fractional parts differ from the m = 1 ones
    assert {round(r["value"] - 20, 12) for r in two.records}.isdisjoint(
        {round(r["value"] - 10, 12) for r in one.records}
    )
    rows = summarize(recs)
    assert sorted(r.m for r in rows) == [1, 2]
    again = run_sweep(
        SweepSpec(RunConfig("vqe", "haar", "v1", m=2), ns=(4,), samples=3), path, sample_fn=fake_m, progress=False
    )
    assert again.computed == 0 and again.reused == 3


@pytest.mark.parametrize("bad", [1, 0, "2", True])
def test_a_bad_m_field_is_a_corrupt_line(tmp_path, bad):
    path = tmp_path / "r.jsonl"
    run_sweep(
        SweepSpec(RunConfig("vqe", "haar", "v1", m=2), ns=(4,), samples=1), path, sample_fn=fake_m, progress=False
    )
    rec = read_results(path)[0]
    rec = {k: v for k, v in rec.items() if k != "crc"} | {"m": bad}
    path.write_bytes(encode_record(rec))
    with pytest.raises(CorruptResultsError, match="line 1: field 'm'"):
        read_results(path)


def test_m2_sweep_sample_equals_estimate_sample_bit_for_bit(tmp_path):
    """The real sampler (dA = 4, certified bracket): the sweep's seeding equals the estimate's."""
    res = run_sweep(
        SweepSpec(RunConfig("qae", "haar", "v1", q=2, m=2), ns=(3,), samples=2), tmp_path / "r.jsonl", progress=False
    )
    est = estimate_variation_range("qae", "haar", "v1", 3, q=2, samples=2, sites=(0, 1))
    assert [r["value"] for r in res.records] == list(est.values)
    assert [r["upper"] for r in res.records] == list(est.upper_values)
    assert not any(r["exact"] for r in res.records)
    (row,) = res.summary
    assert row.m == 2 and 0 <= row.max_width < 1e-3
    assert row.max_width == max((r["upper"] - r["value"]) / r["upper"] for r in res.records)


def test_figure5_selects_m_explicitly(tmp_path):
    """m = 2 records are drawn as an m = 2 curve (not dropped); with m = 1 and m = 2 in one file the
    figure refuses to guess, and m = 1 selects exactly the m = 1 samples."""
    path = tmp_path / "r.jsonl"
    fns = {"bounds_fn": lambda *a, **k: (1.0, {}), "lower_fn": lambda *a, **k: {}}
    run_sweep(
        SweepSpec(RunConfig("vqe", "haar", "v1", m=2), ns=(4,), samples=2), path, sample_fn=fake_m, progress=False
    )
    (s2,) = figure5_series(read_results(path), 2, **fns)
    assert s2.m == 2 and s2.samples == [2]
    run_sweep(SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(4,), samples=2), path, sample_fn=fake_m, progress=False)
    with pytest.raises(ValueError, match="m not chosen"):
        figure5_series(read_results(path), 2, **fns)
    (s,) = figure5_series(read_results(path), 2, m=1, **fns)
    assert s.m == 1 and s.samples == [2] and 10 < s.mean[0] < 11  # only the m = 1 samples


def test_cli_sweep_m2_shows_m_and_the_widest_bracket(capsys, tmp_path, monkeypatch):
    class Bracket:
        def __init__(self, v):
            self.value, self.upper, self.exact = v, v * (1 + 2e-7), False

    def fake(task, ensemble, case, n, *, q, site, rng, m=1):
        assert m == 2
        return Bracket(1.0 + float(rng.random()))

    monkeypatch.setattr(sw, "default_sample_fn", fake)
    code, out, err = run(
        capsys,
        "sweep",
        "--task",
        "vqe",
        "--n",
        "4",
        "--m",
        "2",
        "--samples",
        "3",
        "--ensemble",
        "haar",
        "--results",
        str(tmp_path / "r.jsonl"),
        "--no-progress",
    )
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("task"))
    assert header.split()[:6] == ["task", "ensemble", "case", "q", "m", "n"] and "widest bracket" in header
    row = next(line for line in out.splitlines() if line.startswith("vqe"))
    assert row.split()[4] == "2" and row.split()[-1] in ("2.0e-07", "1.9e-07")
    code, out, err = run(
        capsys,
        "sweep",
        "--task",
        "vqe",
        "--n",
        "4",
        "--m",
        "2",
        "--samples",
        "3",
        "--ensemble",
        "haar",
        "--results",
        str(tmp_path / "r.jsonl"),
        "--no-progress",
        "--json",
    )
    assert json.loads(out)["summary"][0]["m"] == 2


@pytest.mark.parametrize(
    "argv, option",
    [
        (["sweep", "--task", "vqe", "--n", "4", "--m", "0"], "--m"),
        (["sweep", "--task", "vqe", "--n", "4", "--m", "4"], "--n"),
        (["sweep", "--task", "vqe", "--n", "4", "--m", "2", "--site", "3"], "--site"),
        (["verify", "--no-lemmas", "--m", "7"], "--m"),
        (["verify", "--no-lemmas", "--q", "3", "--m", "2"], "--q/--m"),
        (["verify", "--no-numerics", "--m", "2"], "--m"),
    ],
)
def test_cli_bad_m_is_one_line_naming_the_option(capsys, tmp_path, argv, option):
    code, out, err = run(capsys, *argv, "--results", str(tmp_path / ("r.jsonl" if argv[0] == "sweep" else "v")))
    assert code == 2
    assert err.count("\n") == 1 and option in err and "Traceback" not in err


def test_verify_points_with_m2_estimate_two_sites():
    pts = [p.config for p in report.DEFAULT_POINTS if p.config.m == 2]
    assert {c.q for c in pts} == {2} and {c.task for c in pts} == {"vqe", "qae", "qsl"}
    assert {c.case for c in pts} == {"v1", "v2", "both"} and {c.sites for c in pts} == {(0, 1)}
    assert report.supported_ms() == (1, 2) and report.DEFAULT_MS == (1,)
    point = report.CheckPoint(RunConfig("qae", "haar", "v1", q=2, m=2), 3)
    assert report.CheckPoint.from_tuple(("qae", "haar", "v1", 2, 3, 2)) == point
    rep = report.run_verify(lemmas=False, points=[point], samples=3, seed=1)
    (c,) = rep.numerics
    assert c.config == RunConfig("qae", "haar", "v1", q=2, m=2, seed=1)  # the run's seed
    est = estimate_variation_range("qae", "haar", "v1", 3, q=2, samples=3, seed=1, sites=(0, 1))
    assert c.m == 2 and not c.exact and c.mean == pytest.approx(est.mean, rel=0, abs=0)
    assert c.max_width == max((u - v) / u for v, u in zip(est.values, est.upper_values))
    assert "2 (m = 2)" in report.format_markdown(rep)


def _check(**kw):
    base = dict(
        config=RunConfig("vqe", "haar", "v1", q=3),
        n=4,
        samples=10,
        w=1.0,
        mean=0.5,
        stderr=0.01,
        ci95=(0.48, 0.52),
        bounds={},
    )
    return report.NumericCheck(**(base | kw))


def test_estimate_cell_one_number_only_when_every_bracket_is_narrow():
    assert report._estimate_cell(_check()) == "0.5000 ± 0.0100"
    narrow = report._estimate_cell(_check(exact=False, upper_mean=0.5000001, max_width=2e-7))
    assert narrow == "0.5000† ± 0.0100 (width ≤ 2e-07)"
    wide = report._estimate_cell(_check(exact=False, upper_mean=0.51, max_width=report.ONE_NUMBER_WIDTH))
    assert wide == "[0.5000, 0.5100]† ± 0.0100"
    assert not math.isnan(report.ONE_NUMBER_WIDTH)


def test_numeric_check_json_keeps_its_flat_keys():
    """verify.json's numerics rows keep their keys and order: the configuration's fields, not a nested record."""
    keys = list(_check().as_dict())
    assert keys == [
        "task",
        "ensemble",
        "case",
        "q",
        "n",
        "samples",
        "seed",
        "w",
        "mean",
        "stderr",
        "ci95",
        "bounds",
        "verdicts",
        "seconds",
        "exact",
        "upper_mean",
        "upper_ci95",
        "lower_bounds",
        "band",
        "m",
        "max_width",
    ]
    assert _check().m == 1 and _check().q == 3 and _check().seed == 0
