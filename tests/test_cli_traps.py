"""Command-line traps: unbounded sweep job lists, the option a memory refusal names, verify's output
directory versus sweep's results file, empty --q, --version, SweepResult's repr, SIGMA with --all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from weingarten_check import __version__
from weingarten_check.experiments import resources
from weingarten_check.experiments import sweep as sw
from weingarten_check.experiments.tasks import RunConfig

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import fake_sampler_fixture, run  # noqa: E402,F401 (a fixture, used as fake_sampler)

ROOT = Path(__file__).resolve().parents[1]


def one_line_error(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("weingarten-check ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


# --------------------------------------------------------------------------- sweep: streamed jobs


class _Stop(Exception):
    pass


class _RecordingExecutor:
    """Records how many jobs each ``map_unordered`` call was handed, runs the first batch, then stops."""

    name = "recording"

    def __init__(self):
        self.sizes = []

    def map_unordered(self, fn, jobs):
        jobs = list(jobs)
        assert len(jobs) <= 4096, f"the executor was handed {len(jobs)} jobs at once"
        self.sizes.append(len(jobs))
        if len(self.sizes) > 1:
            raise _Stop
        for job in jobs:
            yield fn(job)

    def close(self):
        pass


def test_sweep_hands_the_executor_a_bounded_batch_not_every_job(tmp_path):
    """--samples 10**8 used to build the whole job list (GBs) before the first sample."""
    spec = sw.SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=10**5)
    ex = _RecordingExecutor()
    with pytest.raises(_Stop):
        sw.run_sweep(
            spec, tmp_path / "r.jsonl", executor=ex, sample_fn=lambda *a, rng, **k: 0.5, progress=False, fsync=False
        )
    assert len(ex.sizes) == 2 and ex.sizes[0] <= 4096, ex.sizes
    assert ex.sizes == [sw.JOB_BATCH, sw.JOB_BATCH]
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == sw.JOB_BATCH


def test_streamed_sweep_resumes_to_the_same_records(tmp_path):
    spec = sw.SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=sw.JOB_BATCH + 5)
    fake = lambda task, ensemble, case, n, *, q, site, rng: float(rng.random())  # noqa: E731
    with pytest.raises(_Stop):
        sw.run_sweep(spec, tmp_path / "r.jsonl", executor=_RecordingExecutor(), sample_fn=fake, progress=False)
    resumed = sw.run_sweep(spec, tmp_path / "r.jsonl", sample_fn=fake, progress=False, fsync=False)
    fresh = sw.run_sweep(spec, tmp_path / "s.jsonl", sample_fn=fake, progress=False, fsync=False)
    assert (resumed.reused, resumed.computed) == (sw.JOB_BATCH, sw.JOB_BATCH + 10)
    assert [r["value"] for r in resumed.records] == [r["value"] for r in fresh.records]


def test_too_many_workers_names_workers_not_n(capsys, tmp_path, monkeypatch, fake_sampler):
    monkeypatch.setattr(resources, "available_memory", lambda: 22 * 2**30)
    code, out, err = run(
        capsys, "sweep", "--task", "vqe", "--ensemble", "haar", "--n", "4", "--samples", "2", "--workers", "1000",
        "--results", str(tmp_path / "r.jsonl"), "--no-progress",
    )  # fmt: skip
    one_line_error(code, err, "--workers", "at most 67 workers fit")
    assert "--n" not in err and "smallest n" not in err


def test_a_sample_too_large_for_one_worker_still_names_n(capsys, tmp_path, monkeypatch, fake_sampler):
    monkeypatch.setattr(resources, "available_memory", lambda: 2**30)
    code, out, err = run(
        capsys, "sweep", "--task", "vqe", "--ensemble", "haar", "--n", "30", "--samples", "2", "--workers", "2",
        "--results", str(tmp_path / "r.jsonl"), "--no-progress",
    )  # fmt: skip
    one_line_error(code, err, "--n: n = 30")


# --------------------------------------------------------------------------- verify: --out-dir, --q


@pytest.fixture
def fake_verify(monkeypatch):
    from weingarten_check.reporting import verify_report as report

    calls = []

    def fake_run_verify(**kw):
        calls.append(kw)
        return report.VerifyReport([report.LemmaRow("L1", "s", "q>=2", "passed", 0.1)], [], [], "now", 0.1, {})

    monkeypatch.setattr(report, "run_verify", fake_run_verify)
    return calls


@pytest.mark.parametrize("option", ["--results", "--out-dir"])
@pytest.mark.parametrize("name", ["report.json", "r.jsonl", "verify.md"])
def test_verify_refuses_a_file_name_for_its_directory(capsys, tmp_path, monkeypatch, fake_verify, option, name):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "verify", option, name)
    one_line_error(code, err, option, "directory")
    assert not (tmp_path / name).exists() and not fake_verify


def test_verify_out_dir_writes_the_report_there(capsys, tmp_path, fake_verify):
    code, out, err = run(capsys, "verify", "--out-dir", str(tmp_path / "out"))
    assert code == 0, err
    assert (tmp_path / "out" / "verify.md").exists() and (tmp_path / "out" / "verify.json").exists()
    code, out, err = run(capsys, "verify", "--out-dir", str(tmp_path / "a"), "--results", str(tmp_path / "b"))
    one_line_error(code, err, "--results", "--out-dir")


@pytest.mark.parametrize(("option", "value"), [("--q", ""), ("--q", " "), ("--m", "")])
def test_verify_empty_q_or_m_is_an_error(capsys, tmp_path, fake_verify, option, value):
    code, out, err = run(capsys, "verify", "--results", str(tmp_path), option, value)
    one_line_error(code, err, option)
    assert not fake_verify


def test_verify_announces_its_points_not_a_fixed_time(capsys, tmp_path, fake_verify):
    code, out, err = run(capsys, "verify", "--results", str(tmp_path), "--q", "2", "--quick")
    assert code == 0, err
    assert "about a minute" not in err
    assert "numerical checks (200 samples each, largest q^n = 2^" in err


def test_readme_says_q_replaces_the_default_points():
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "`--q 4` adds" not in text and "`verify --q 4` and `verify --m 2` add" not in text
    assert "replaces" in text


# --------------------------------------------------------------------------- --version, repr, wg


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"weingarten-check {__version__}"


def test_sweep_result_repr_is_a_summary(tmp_path):
    spec = sw.SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=500)
    res = sw.run_sweep(spec, tmp_path / "r.jsonl", sample_fn=lambda *a, rng, **k: 0.5, progress=False, fsync=False)
    text = repr(res)
    assert len(text) < 300 and "\n" not in text
    assert "1000 records" in text and "vqe/haar/v1" in text and "'index'" not in text


def test_wg_refuses_sigma_with_all(capsys):
    code, out, err = run(capsys, "wg", "2,1", "--all", "3")
    one_line_error(code, err, "SIGMA", "--all")
    assert out == ""
