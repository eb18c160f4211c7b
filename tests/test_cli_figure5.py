"""``weingarten-check figure5`` draws one configuration per curve: it never splices sites, subsystem sizes or
seeds, refuses ambiguity naming the option and the values present, and writes inside a directory ``--out``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from weingarten_check.experiments import sweep as sw
from weingarten_check.reporting import figures

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import run  # noqa: E402


def one_line_error(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("weingarten-check ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


@pytest.fixture(autouse=True)
def cheap(monkeypatch):
    """A cheap deterministic sampler and bounds (what is tested is the selection, not the physics)."""
    monkeypatch.setattr(sw, "default_sample_fn", lambda task, ens, case, n, *, q, site, rng, **kw: rng.random() / n)
    monkeypatch.setattr(figures, "bounds_and_width", lambda *a, **k: (1.0, {}))
    monkeypatch.setattr(figures, "lower_bounds_of", lambda *a, **k: {})


def sweep(capsys, res, *extra):
    args = ["sweep", "--task", "qae", "--ensemble", "clifford", "--samples", "3", "--results", res, "--no-progress"]
    code, out, err = run(capsys, *args, *extra)
    assert code == 0, err


def figure(capsys, res, tmp_path, *extra):
    return run(capsys, "figure5", "--results", res, "--out", str(tmp_path / "f"), "--json", *extra)


def test_sites_are_not_spliced(capsys, tmp_path):
    res = str(tmp_path / "r.jsonl")
    sweep(capsys, res, "--n", "4,8", "--site", "0")
    sweep(capsys, res, "--n", "6", "--site", "3", "--samples", "5")  # more samples at n = 6
    code, out, err = figure(capsys, res, tmp_path)
    one_line_error(code, err, "--site", "0, 3")
    for site, ns in ((0, [4, 8]), (3, [6])):
        code, out, err = figure(capsys, res, tmp_path, "--site", str(site))
        assert code == 0, err
        (s,) = json.loads(out)["series"]
        assert (s["site"], s["m"], s["seed"], s["ns"]) == (site, 1, 0, ns)
    code, out, err = figure(capsys, res, tmp_path, "--site", "5")
    one_line_error(code, err, "--site", "site 5", "0, 3")


def test_seeds_are_not_spliced(capsys, tmp_path):
    res = str(tmp_path / "r.jsonl")
    sweep(capsys, res, "--n", "4", "--seed", "1")
    sweep(capsys, res, "--n", "4", "--seed", "2")
    one_line_error(*figure(capsys, res, tmp_path)[::2], "--seed", "1, 2")
    code, out, err = figure(capsys, res, tmp_path, "--seed", "2")
    assert code == 0 and [s["seed"] for s in json.loads(out)["series"]] == [2], err


def test_samples_with_m_2_are_drawn_or_named(capsys, tmp_path):
    res = str(tmp_path / "r.jsonl")
    sweep(capsys, res, "--n", "4", "--m", "2")
    code, out, err = figure(capsys, res, tmp_path)
    assert code == 0, err
    assert [s["m"] for s in json.loads(out)["series"]] == [2]
    one_line_error(*figure(capsys, res, tmp_path, "--m", "1")[::2], "--m", "m = 1", "they hold m = 2")
    sweep(capsys, res, "--n", "4")
    one_line_error(*figure(capsys, res, tmp_path)[::2], "--m", "1, 2")


def test_text_summary_labels_each_curve(capsys, tmp_path):
    res = str(tmp_path / "r.jsonl")
    sweep(capsys, res, "--n", "4", "--site", "2")
    code, out, err = run(capsys, "figure5", "--results", res, "--out", str(tmp_path / "f"))
    assert code == 0 and "qae/clifford/v1, site 2, m = 1, seed 0: n = 4..4" in out, out + err


@pytest.mark.parametrize("q", [2, 3])
def test_out_directory_means_inside_it(capsys, tmp_path, q):
    res = str(tmp_path / "r.jsonl")
    extra = ["--ensemble", "haar"] if q == 3 else []
    sweep(capsys, res, "--n", "3", "--q", str(q), *extra)
    name = "figure5" if q == 2 else f"figure5_q{q}"
    for out in (tmp_path / "new", tmp_path):  # a new directory given with "/", and an existing one
        code, _, err = run(
            capsys, "figure5", "--results", res, "--q", str(q), "--ensemble", extra[1] if extra else "clifford",
            "--out", f"{out}/",
        )  # fmt: skip
        assert code == 0, err
        assert {p.name for p in out.glob(f"{name}.*")} == {f"{name}.png", f"{name}.pdf", f"{name}.json"}
        assert not out.with_suffix(".png").exists()


def test_depths_are_not_spliced_and_layers_is_refused_without_depth(capsys, tmp_path):
    """``sweep --layers`` writes one configuration per depth (the default depth, no --layers, is another);
    figure5 refuses to mix them and draws the one --layers names; --layers for an ensemble without depth
    is one line naming the option, exit 2, in both commands."""
    res = str(tmp_path / "r.jsonl")
    base = ["sweep", "--task", "vqe", "--ensemble", "brickwork", "--samples", "2", "--results", res, "--no-progress"]
    code, out, err = run(capsys, *base, "--n", "4,5", "--layers", "2,3", "--json")
    assert code == 0, err
    assert [(r["layers"], r["n"]) for r in json.loads(out)["summary"]] == [(2, 4), (2, 5), (3, 4), (3, 5)]
    code, out, err = run(capsys, *base, "--n", "4,5", "--layers", "2-3", "--json")  # resumes: nothing new
    assert code == 0 and json.loads(out)["computed"] == 0 and json.loads(out)["reused"] == 8, err
    code, out, err = run(capsys, *base, "--n", "4")  # the default depth 10 n: its own records
    assert code == 0 and "2 samples computed, 0 reused" in out, err
    code, out, err = figure(capsys, res, tmp_path)
    one_line_error(code, err, "--layers", "default, 2, 3")
    code, out, err = figure(capsys, res, tmp_path, "--layers", "3")
    assert code == 0, err
    (s,) = json.loads(out)["series"]
    assert (s["layers"], s["ns"]) == (3, [4, 5])
    code, out, err = figure(capsys, res, tmp_path, "--layers", "default")
    assert code == 0, err
    (s,) = json.loads(out)["series"]
    assert "layers" not in s and s["ns"] == [4]
    code, out, err = figure(capsys, res, tmp_path, "--layers", "7")
    one_line_error(code, err, "--layers", "layers 7", "default, 2, 3")
    code, out, err = figure(capsys, res, tmp_path, "--layers", "deep")
    one_line_error(code, err, "--layers", "'deep'")
    haar = str(tmp_path / "haar.jsonl")
    code, out, err = run(capsys, *base[:4], "haar", *base[5:8], haar, "--no-progress", "--n", "4", "--layers", "2")
    one_line_error(code, err, "--layers", "hea, brickwork", "haar has no depth")
    code, out, err = run(capsys, "sweep", "--task", "all", "--n", "4", "--layers", "2", "--results", haar)
    one_line_error(code, err, "--layers", "local1 has no depth")  # --ensemble paper: qsl draws local1
    code, out, err = run(capsys, *base, "--n", "4", "--layers", "2-x")
    one_line_error(code, err, "--layers", "'2-x'")
    code, out, err = run(capsys, *base, "--n", "4", "--layers", "-1")
    one_line_error(code, err, "--layers")
    sweep(capsys, str(tmp_path / "c.jsonl"), "--n", "4")  # clifford: no depth
    code, out, err = figure(capsys, str(tmp_path / "c.jsonl"), tmp_path, "--layers", "2")
    one_line_error(code, err, "--layers", "clifford has no depth")
