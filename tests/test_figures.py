"""Figure 5 from sweep results (figures.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from weingarten_check.experiments import RunConfig, SweepSpec, read_results, run_sweep
from weingarten_check.reporting.figures import figure5_from_results, figure5_series, plot_figure5


def fake_records(q=2, ns=(3, 4, 5), samples=5):
    recs = []
    for task, ens in (("vqe", "hea"), ("qae", "hea"), ("qsl", "local1")):
        for case in ("v1", "v2", "both"):
            for n in ns:
                for i in range(samples):
                    recs.append(
                        dict(
                            task=task,
                            ensemble=ens,
                            case=case,
                            q=q,
                            site=0,
                            seed=0,
                            n=n,
                            index=i,
                            value=float(2.0**-n * (1 + i)),
                        )
                    )
    return recs


def fake_bounds(task, ensemble, case, n, q, site=0, m=1):
    w = 4.0 if task == "vqe" else 1.0
    b = {"paper_theorem1": w * 2 ** (5 - n / 2), "task_dependent": w * 3 * 2.0 ** (-n / 2)}
    if n == 4:
        b["extra_only_at_4"] = 1.0
    return w, b


def test_series_are_means_over_w_with_bounds_per_n():
    series = figure5_series(fake_records(), 2, bounds_fn=fake_bounds)
    assert [(s.task, s.case) for s in series] == [(t, c) for t in ("vqe", "qae", "qsl") for c in ("v1", "v2", "both")]
    vqe = series[0]
    assert vqe.ns == [3, 4, 5] and vqe.samples == [5, 5, 5] and vqe.w == [4.0] * 3
    vals = np.array([2.0**-3 * (1 + i) for i in range(5)])
    assert vqe.mean[0] == pytest.approx(vals.mean() / 4)
    assert vqe.std[0] == pytest.approx(vals.std(ddof=1) / 4)
    assert vqe.stderr[0] == pytest.approx(vals.std(ddof=1) / 4 / math.sqrt(5))
    assert vqe.bounds["paper_theorem1"] == pytest.approx([2 ** (5 - n / 2) for n in (3, 4, 5)])
    extra = vqe.bounds["extra_only_at_4"]  # a bound present for some n only is NaN-padded
    assert math.isnan(extra[0]) and extra[1] == 0.25 and math.isnan(extra[2])


def test_figure_files_written(tmp_path):
    paths = figure5_from_results(fake_records(), tmp_path / "fig5", bounds_fn=fake_bounds)
    assert [p.suffix for p in paths] == [".png", ".pdf", ".json"]
    png, pdf, js = paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert pdf.read_bytes()[:5] == b"%PDF-"
    data = json.loads(js.read_text())
    assert data["q"] == 2 and len(data["series"]) == 9


def test_qudit_version_and_missing_q(tmp_path):
    recs = fake_records(q=3)
    paths = figure5_from_results(recs, tmp_path / "fig5_q3.png", 3, bounds_fn=fake_bounds)
    assert paths[0].name == "fig5_q3.png"
    with pytest.raises(ValueError, match="no samples for q = 2"):
        figure5_series(recs, 2, bounds_fn=fake_bounds)
    with pytest.raises(ValueError, match="q must be an int >= 2"):
        figure5_series(recs, 1, bounds_fn=fake_bounds)


def test_bad_errorbars(tmp_path):
    series = figure5_series(fake_records(), 2, bounds_fn=fake_bounds)
    with pytest.raises(ValueError, match="errorbars must be"):
        plot_figure5(series, tmp_path / "x", errorbars="sd")


def test_figure_from_a_real_sweep(tmp_path):
    """End to end with the real sampler and bounds (small n, few samples)."""
    pytest.importorskip("weingarten_check.experiments.tasks")
    path = tmp_path / "res.jsonl"
    for task, ens in (("vqe", "haar"), ("qsl", "local1")):
        run_sweep(SweepSpec(RunConfig(task, ens, "v1", seed=1), ns=(3, 4), samples=4), path, progress=False)
    series = figure5_series(read_results(path), 2)
    assert {s.task for s in series} == {"vqe", "qsl"}
    for s in series:
        assert all(0 < m < 1 for m in s.mean)
        assert s.bounds, "every point carries the bounds from bounds.py"
    paths = plot_figure5(series, tmp_path / "fig")
    assert paths[0].stat().st_size > 20_000


def test_lower_bound_band_for_haar_only(tmp_path):
    """Exact-Haar VQE/QAE series carry the Lemma 11 lower bound (value / w) and the figure shades the band;
    the hea and local1 series (not 4-designs) carry none."""
    from weingarten_check.theory import bounds as B

    recs = [dict(r, ensemble="haar") if r["task"] == "vqe" else r for r in fake_records(ns=(4, 5))]
    series = figure5_series(recs, 2, bounds_fn=fake_bounds)
    vqe_v1 = next(s for s in series if s.task == "vqe" and s.case == "v1")
    assert vqe_v1.ensemble == "haar"
    assert vqe_v1.lower == pytest.approx([float(B.expected_delta_lower_bound("vqe", "v1", n)) / 4.0 for n in (4, 5)])
    assert all(math.isnan(v) for s in series if s.task != "vqe" for v in s.lower)
    png, _, js = plot_figure5(series, tmp_path / "band")
    assert png.stat().st_size > 20_000
    assert json.loads(js.read_text())["series"][0]["lower"] == pytest.approx(series[0].lower)


def test_narrow_certified_brackets_are_one_point():
    """Upper ends are drawn only where the bracket is wider than BRACKET_RESOLUTION (0.1 %)."""
    from weingarten_check.reporting.figures import visible_upper

    up = visible_upper([1.0, 1.0, 2.0, 3.0], [1.0 + 1e-12, 1.01, math.nan, 3.0 * (1 + 2e-3)])
    assert math.isnan(up[0]) and up[1] == 1.01 and math.isnan(up[2]) and up[3] == pytest.approx(3.006)


def test_beyond_the_paper_figure_shows_its_fits_and_sampled_n():
    """scripts/beyond_the_paper.py redraws from its JSON: x ticks at the sampled n, one fitted line per fit."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("beyond_the_paper", root / "scripts" / "beyond_the_paper.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = json.loads((root / "docs" / "beyond_the_paper.json").read_text())
    fig = module.figure(data)
    try:
        for ax, q in zip(fig.axes, sorted({p["q"] for p in data["points"]})):
            assert [int(t) for t in ax.get_xticks()] == sorted({p["n"] for p in data["points"] if p["q"] == q})
            labels = ax.get_legend_handles_labels()[1]
            for f in (f for f in data["fits"] if f["q"] == q):
                assert any(f"slope {f['slope']:.4f} ± {f['stderr']:.4f}" in label for label in labels), labels
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_exactly_zero_means_are_marked_not_dropped(tmp_path, monkeypatch):
    """A point with E[Δ] = 0 (Clifford: K = 0 in every sample) cannot sit on the log axis: it is drawn as a
    hollow triangle on the bottom edge at its n, with a legend entry, instead of vanishing."""
    import matplotlib.figure

    drawn = []
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *a, **k: drawn.append(self))
    recs = [dict(r, value=0.0) if r["n"] == 5 and r["task"] == "vqe" else r for r in fake_records(ns=(4, 5))]
    series = figure5_series(recs, 2, bounds_fn=fake_bounds)
    plot_figure5(series, tmp_path / "zeros")
    fig = drawn[0]
    labels = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert "E[Δ] = 0 exactly (Δ = 0 in every sample)" in labels
    vqe_ax = fig.axes[0]
    marks = [ln for ln in vqe_ax.get_lines() if ln.get_marker() == "v"]
    assert marks and all(list(ln.get_xdata()) == [5] for ln in marks)
    assert not [ln for ax in fig.axes[1:] for ln in ax.get_lines() if ln.get_marker() == "v"]


def test_gate_landscape_png(tmp_path):
    """The landscape heat map is written, with zeros allowed on the log scale."""
    from types import SimpleNamespace

    from weingarten_check.reporting.figures import plot_gate_landscape

    L = SimpleNamespace(
        delta=np.array([[0.5, 0.0, 1e-3], [2.0, 0.1, 0.2]]), qubits=(0, 1), positions=(0, 3, 7), cost=0.1
    )
    path = plot_gate_landscape(L, tmp_path / "sub" / "map.png")
    assert path.stat().st_size > 1000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="non-empty finite"):
        plot_gate_landscape(
            SimpleNamespace(delta=np.array([[np.nan]]), qubits=(0,), positions=(0,), cost=0.0), tmp_path / "x.png"
        )


def test_orthogonal_sweep_is_drawn_against_the_orthogonal_bound(tmp_path):
    """figure5 of an `orthogonal` sweep: each curve carries the O(d) bound of Lemma 16 (drawn by default)
    at every n, equal to what bounds_for gives, and no unitary 2-design bound."""
    from weingarten_check.experiments.tasks import bounds_for, task_spec
    from weingarten_check.reporting.figures import DEFAULT_BOUNDS

    path = tmp_path / "res.jsonl"
    run_sweep(SweepSpec(RunConfig("qae", "orthogonal", "both", seed=2), ns=(3, 4), samples=4), path, progress=False)
    (s,) = figure5_series(read_results(path), 2)
    assert set(s.bounds) == {"orthogonal_task_dependent"} and "orthogonal_task_dependent" in DEFAULT_BOUNDS
    want = [bounds_for(task_spec("qae", n), "orthogonal", "both")[0]["orthogonal_task_dependent"] for n in (3, 4)]
    assert np.allclose(s.bounds["orthogonal_task_dependent"], want)
    assert plot_figure5([s], tmp_path / "fig")[0].stat().st_size > 20_000


def test_plot_depth_draws_each_quantity_it_is_given(tmp_path, monkeypatch):
    """plot_depth: one panel per ensemble, per n the sampled E[Δ] with its CI, the sampled bound, the exact
    bound only where given, and the two horizontal Haar lines; empty data is refused."""
    import matplotlib.pyplot as plt

    from weingarten_check.reporting.figures import plot_depth

    pts = [
        dict(ensemble=e, n=4, layers=L, mean=1.0 / L, ci95=[0.9 / L, 1.1 / L], k2_bound=2.0 / L, exact_bound=x)
        for e, x in (("hea", None), ("brickwork", 3.0))
        for L in (1, 2, 4)
    ]
    haar = [dict(n=4, mean=0.5, two_design_bound=2.9)]
    seen = {}
    monkeypatch.setattr(plt, "close", lambda fig: seen.setdefault("fig", fig))
    path = plot_depth({"points": pts, "haar": haar}, tmp_path / "sub" / "depth.png")
    assert path.exists() and path.stat().st_size > 10_000
    hea, brick = seen["fig"].axes
    assert hea.get_title().startswith("hea") and brick.get_title().startswith("brickwork")
    # lines: errorbar data line, sampled bound, [exact bound], two horizontal Haar lines
    ys = lambda ax: sorted(tuple(round(float(y), 6) for y in line.get_ydata()) for line in ax.get_lines())  # noqa: E731
    assert (2.0, 1.0, 0.5) in ys(hea) and (3.0, 3.0, 3.0) not in ys(hea) and (3.0, 3.0, 3.0) in ys(brick)
    assert (2.9, 2.9) in ys(hea) and (0.5, 0.5) in ys(hea)
    with pytest.raises(ValueError, match="no points"):
        plot_depth({"points": []}, tmp_path / "x.png")


def test_docs_depth_json_comes_from_its_script():
    """docs/depth.json (behind docs/depth.png) is what docs/depth_figure.py computes: one cheap point
    recomputes exactly through the script's estimators and seed, and the 2-design lines are Lemma 9.2's."""
    import importlib.util
    import json

    from weingarten_check.experiments.estimate import estimate_k_frobenius_sq, estimate_variation_range
    from weingarten_check.theory.bounds import expected_delta_upper_bound

    docs = Path(__file__).parents[1] / "docs"
    spec = importlib.util.spec_from_file_location("depth_figure", docs / "depth_figure.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    data = json.loads((docs / "depth.json").read_text())
    assert data["seed"] == script.SEED and "SAMPLED" in data["what"]
    p = next(p for p in data["points"] if p["ensemble"] == "brickwork" and p["n"] == 4 and p["layers"] == 2)
    d = estimate_variation_range("vqe", "brickwork", "v1", n=4, samples=p["samples"], seed=script.SEED, layers=2)
    k = estimate_k_frobenius_sq("vqe", "brickwork", "v1", n=4, samples=p["samples"], seed=script.SEED, layers=2)
    assert p["mean"] == pytest.approx(d.mean, rel=1e-12) and p["k2_mean"] == pytest.approx(k.mean, rel=1e-12)
    assert p["k2_bound"] == pytest.approx(2 * np.sqrt(2) * np.sqrt(k.mean), rel=1e-12)
    for h in data["haar"]:
        assert h["two_design_bound"] == pytest.approx(float(expected_delta_upper_bound("vqe", "v1", h["n"])))
        assert h["two_design_bound"] == pytest.approx(12 / np.sqrt(2 ** h["n"] + 1), rel=1e-12)  # 2√2 √(18/(d+1))
    for p in data["points"]:
        assert p["layers"] <= script.LMAX_PER_SITE[p["ensemble"]] * p["n"] and p["layers"] in script.LAYERS
