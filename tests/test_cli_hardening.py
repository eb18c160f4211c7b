"""Issue 11 regressions for the command line: one line + exit 2 instead of tracebacks, no vacuous PASS,
strict JSON, refusing --repair on files that are not results files, progress and usage messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from weingarten_check.experiments import resources, store
from weingarten_check.experiments import sweep as sw

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import fake_sampler_fixture, run  # noqa: E402,F401 (a fixture, used as fake_sampler)


def one_line_error(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("weingarten-check ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


SWEEP = ["sweep", "--task", "vqe", "--ensemble", "haar", "--n", "3", "--samples", "3", "--no-progress"]


# --------------------------------------------------------------------------- item 1: tracebacks


@pytest.mark.parametrize("address", ["garbage", "tcp://scheduler-host:notaport"])
def test_malformed_scheduler_address(capsys, tmp_path, address):
    pytest.importorskip("dask.distributed")
    code, out, err = run(capsys, *SWEEP, "--results", str(tmp_path / "r.jsonl"), "--scheduler", address)
    one_line_error(code, err, "--scheduler", "tcp://scheduler-host:8786")


def test_results_on_a_character_device(capsys, fake_sampler):
    code, out, err = run(capsys, *SWEEP, "--results", os.devnull)
    one_line_error(code, err, "--results", "character device", "regular file")


def test_results_on_a_fifo_does_not_block(capsys, tmp_path, fake_sampler):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, out, err = run(capsys, *SWEEP, "--results", str(fifo))
    one_line_error(code, err, "--results", "FIFO")


def test_disk_full_mid_sweep_is_one_line_and_keeps_samples(capsys, tmp_path, fake_sampler, monkeypatch):
    res = tmp_path / "r.jsonl"
    real = store.ResultsWriter.append
    calls = []

    def append(self, rec):
        calls.append(1)
        if len(calls) > 2:
            raise OSError(28, "No space left on device")
        real(self, rec)

    monkeypatch.setattr(store.ResultsWriter, "append", append)
    code, out, err = run(capsys, *SWEEP, "--results", str(res))
    one_line_error(code, err, "--results", "No space left on device", "resume with the same command")
    assert len(store.read_results(res)) == 2


def test_size_beyond_memory_is_refused_up_front(capsys, tmp_path):
    """n = 60 used to die inside numpy ("array is too big"); now: one line naming the n that fits."""
    code, out, err = run(
        capsys,
        "sweep",
        "--task",
        "vqe",
        "--ensemble",
        "haar",
        "--n",
        "60",
        "--samples",
        "1",
        "--results",
        str(tmp_path / "r.jsonl"),
        "--no-progress",
    )
    one_line_error(code, err, "--n: n = 60", "available on this machine", "fits")
    assert not (tmp_path / "r.jsonl").exists()


def test_memory_check_counts_workers_and_names_the_largest_n():
    gib = 2**30
    with pytest.raises(resources.MemoryCheckError, match=r"n <= 2\d fits with 2 workers"):
        resources.check_sweep_memory(["vqe"], [3, 40], 2, workers=2, available=16 * gib)
    resources.check_sweep_memory(["vqe"], [3, 20], 2, workers=2, available=16 * gib)  # fits
    budget = 8 * gib
    n = resources.largest_n("vqe", 2, budget)
    assert resources.sample_bytes("vqe", n, 2) <= budget < resources.sample_bytes("vqe", n + 1, 2)
    assert resources.largest_n("qsl", 3, budget) > resources.largest_n("vqe", 3, budget)


@pytest.mark.parametrize(
    "task, case, q, n, m",
    [
        ("vqe", "both", 2, 20, 1),
        ("qae", "v2", 2, 20, 1),
        ("vqe", "v1", 2, 22, 1),
        ("qsl", "both", 2, 20, 1),
        ("qae", "both", 2, 18, 2),
        ("vqe", "v2", 3, 12, 1),
    ],
)
def test_memory_estimate_bounds_the_measured_peak(task, case, q, n, m):
    """The exact-Haar model is an upper bound of the peak of one sample (fresh process, tracemalloc:
    numpy reports its buffers) and not so loose that it refuses sizes that fit (peak > 0.3 model)."""
    code = f"""
import tracemalloc
from weingarten_check.experiments import RunConfig, sample_rng, variation_range_sample_result
spec = RunConfig({task!r}, "haar", {case!r}, q={q}, m={m}).task_spec({n})
tracemalloc.start()
variation_range_sample_result(spec, "haar", {case!r}, sample_rng(0, {n}, 0))
print(tracemalloc.get_traced_memory()[1])  # peak bytes
"""
    peak = int(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
        ).stdout.split()[-1]
    )
    est = resources.sample_bytes(task, n, q, m, ensemble="haar", case=case)
    assert peak > 0.3 * est, f"the model is far too loose to say which n fits ({peak} vs {est})"
    assert peak <= est
    assert est <= resources.sample_bytes(task, n, q, m)  # unknown ensemble/case: the largest model


def test_sizes_that_fit_the_reduced_path_are_not_refused():
    """n = 28 qubits / n = 17 qutrits with an exact-Haar V1 fit in 24 GiB (issue 10: the old dense model
    refused them, asking for 128 GiB); a Haar V2 at n = 28 does not fit."""
    gib = 2**30
    resources.check_sweep_memory(["vqe", "qae", "qsl"], [28], 2, available=22 * gib, ensemble="haar", cases=["v1"])
    resources.check_sweep_memory(["vqe", "qae", "qsl"], [17], 3, available=22 * gib, ensemble="haar", cases=["v1"])
    with pytest.raises(resources.MemoryCheckError, match="case both"):
        resources.check_sweep_memory(["vqe"], [28], 2, available=22 * gib, ensemble="haar", cases=["v1", "both"])
    with pytest.raises(resources.MemoryCheckError, match="n = 28"):
        resources.check_sweep_memory(["vqe"], [28], 2, available=22 * gib, ensemble="hea", cases=["v1"])


def test_stored_sample_that_no_longer_matches(capsys, tmp_path, monkeypatch, fake_sampler):
    res = str(tmp_path / "r.jsonl")
    assert run(capsys, *SWEEP, "--results", res)[0] == 0
    monkeypatch.setattr(sw, "default_sample_fn", lambda *a, rng, **k: 1.0 + float(rng.random()))
    code, out, err = run(capsys, *SWEEP, "--samples", "4", "--results", res)
    one_line_error(code, err, "--results", "recomputes to", "use a new results file")


# --------------------------------------------------------------------------- item 4: --repair


def _results_file(capsys, tmp_path) -> Path:
    res = tmp_path / "r.jsonl"
    assert run(capsys, *SWEEP, "--results", str(res))[0] == 0
    return res


@pytest.mark.parametrize(
    "content",
    [
        "my notes\nabout the run\nno newline at the end",  # a notes file
        json.dumps({"q": 2, "series": [{"task": "vqe", "mean": [0.1, 0.2]}]}, indent=2),  # figure5.json
        "partial",  # one unterminated line that is not a record
    ],
)
def test_repair_refuses_files_that_are_not_results(capsys, tmp_path, fake_sampler, content):
    path = tmp_path / "notes.txt"
    path.write_text(content)
    code, out, err = run(capsys, *SWEEP, "--results", str(path), "--repair")
    one_line_error(code, err, "--repair", "not repaired")
    assert path.read_text() == content


def test_repair_refuses_a_tail_that_is_not_a_record(capsys, tmp_path, fake_sampler):
    res = _results_file(capsys, tmp_path)
    before = res.read_bytes() + b"hello"
    res.write_bytes(before)
    code, out, err = run(capsys, *SWEEP, "--results", str(res), "--repair")
    one_line_error(code, err, "--repair", "does not start like")
    assert res.read_bytes() == before


def test_repair_still_drops_a_torn_record(capsys, tmp_path, fake_sampler):
    res = _results_file(capsys, tmp_path)
    good = res.read_bytes()
    for torn in (b'{"ca', b'{"case":"v1","ensemble":"ha'):
        res.write_bytes(good + torn)
        code, out, err = run(capsys, *SWEEP, "--results", str(res), "--repair")
        assert code == 0 and f"dropped {len(torn)} bytes" in err
        assert res.read_bytes() == good


# --------------------------------------------------------------------------- item 3: no vacuous PASS


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["verify", "--q", "5", "--no-lemmas"], "--q: no numerical checks are defined for q = 5"),
        (["verify", "--q", "2,7", "--no-lemmas"], "q = 7; supported: 2, 3, 4"),
        (["verify", "--no-lemmas", "--no-numerics"], "nothing to verify"),
        (["verify", "--q", "2", "--no-numerics"], "--q"),
    ],
)
def test_verify_refuses_runs_that_check_nothing(capsys, tmp_path, argv, needle):
    code, out, err = run(capsys, *argv, "--results", str(tmp_path / "out"))
    one_line_error(code, err, needle)


def test_verify_q4_runs_numerical_checks(capsys, tmp_path):
    """q = 4 used to be dropped silently ("running 0 numerical checks", then PASS)."""
    code, out, err = run(
        capsys,
        "verify",
        "--q",
        "4",
        "--no-lemmas",
        "--quick",
        "--samples",
        "2",
        "--results",
        str(tmp_path / "out"),
        "--json",
    )
    data = json.loads(out)
    assert {c["q"] for c in data["numerics"]} == {4} and len(data["numerics"]) == 9
    assert {(c["task"], c["case"]) for c in data["numerics"]} == {
        (t, c) for t in ("vqe", "qae", "qsl") for c in ("v1", "v2", "both")
    }
    assert all(c["bounds"] for c in data["numerics"])


# --------------------------------------------------------------------------- item 6: strict JSON


def _strict_loads(text: str):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_sweep_json_and_verify_json_are_strict(capsys, tmp_path, fake_sampler):
    """One sample: stderr is undefined -> null, not NaN; exact Δ: no upper mean -> null."""
    code, out, err = run(capsys, *SWEEP, "--samples", "1", "--results", str(tmp_path / "r.jsonl"), "--json")
    row = _strict_loads(out)["summary"][0]
    assert code == 0 and row["stderr"] is None and row["std"] is None and row["upper_mean"] is None
    code, out, err = run(
        capsys,
        "verify",
        "--no-lemmas",
        "--quick",
        "--q",
        "2",
        "--samples",
        "2",
        "--results",
        str(tmp_path / "out"),
        "--json",
    )
    data = _strict_loads(out)
    assert data["numerics"] and data["numerics"][0]["upper_mean"] is None
    _strict_loads((tmp_path / "out" / "verify.json").read_text())


def test_figure5_json_is_strict(capsys, tmp_path, fake_sampler):
    res = str(tmp_path / "r.jsonl")
    assert (
        run(
            capsys,
            "sweep",
            "--task",
            "qsl",
            "--ensemble",
            "haar",
            "--n",
            "3,4",
            "--samples",
            "1",
            "--results",
            res,
            "--no-progress",
        )[0]
        == 0
    )
    code, out, err = run(capsys, "figure5", "--results", res, "--out", str(tmp_path / "f"), "--json")
    assert code == 0
    _strict_loads(out)
    _strict_loads((tmp_path / "f.json").read_text())


def test_one_sample_prints_na_not_zero(capsys, tmp_path, fake_sampler):
    code, out, err = run(capsys, *SWEEP, "--samples", "1", "--results", str(tmp_path / "r.jsonl"))
    row = out.splitlines()[-1].split()
    assert code == 0 and "n/a" in row and "0.00e+00" not in out


# --------------------------------------------------------------------------- items 8, 9: progress, usage


def test_proofs_progress_per_lemma(capsys):
    code, out, err = run(capsys, "proofs", "--select", "lemma_7_3 or lemma_7_4", "--progress")
    assert code == 0 and "lemma 7.3" in err and "lemma 7.4" in err and "/4 " in err  # 4 tests in all


def test_verify_lemma_stage_progress(capsys, tmp_path, monkeypatch):
    from weingarten_check.reporting import verify_report as report

    real = report._run_lemmas
    monkeypatch.setattr(report, "_run_lemmas", lambda extra, progress=False: real(("-k", "lemma_7_3"), progress))
    code, out, err = run(capsys, "verify", "--no-numerics", "--progress", "--results", str(tmp_path / "o"))
    assert code == 0 and "lemmas" in err and "lemma 7.3" in err


def test_proofs_select_syntax_error_is_reported(capsys):
    code, out, err = run(capsys, "proofs", "--select", "lemma_7 and (")
    one_line_error(code, err, "--select", "Wrong expression")
    code, out, err = run(capsys, "proofs", "--select", "no_such_lemma_xyz")
    one_line_error(code, err, "--select: no lemma matches 'no_such_lemma_xyz'")


@pytest.mark.parametrize(
    "argv, command",
    [
        (["proofs", "--bogus"], "proofs"),
        (["wg", "2,1", "extra"], "wg"),
        (["sweep", "--task", "vqe", "--n", "3", "--frobnicate"], "sweep"),
    ],
)
def test_unknown_options_name_the_subcommand(capsys, argv, command):
    code, out, err = run(capsys, *argv)
    one_line_error(
        code, err, f"weingarten-check {command}: error: unrecognized arguments", f"weingarten-check {command} --help"
    )


def test_figure5_ensemble_is_explicit(capsys, tmp_path, fake_sampler, monkeypatch):
    from weingarten_check.reporting import figures

    monkeypatch.setattr(figures, "bounds_and_width", lambda t, e, c, n, q, site=0, m=1: (1.0, {}))
    res = str(tmp_path / "r.jsonl")
    for ens in ("haar", "hea"):
        assert (
            run(
                capsys,
                "sweep",
                "--task",
                "vqe",
                "--ensemble",
                ens,
                "--n",
                "3",
                "--samples",
                "2",
                "--results",
                res,
                "--no-progress",
            )[0]
            == 0
        )
    code, out, err = run(capsys, "figure5", "--results", res, "--out", str(tmp_path / "f"))
    one_line_error(code, err, "--ensemble", "haar, hea")
    for ens in ("haar", "hea"):
        code, out, err = run(
            capsys, "figure5", "--results", res, "--out", str(tmp_path / "f"), "--ensemble", ens, "--json"
        )
        assert code == 0 and {s["ensemble"] for s in json.loads(out)["series"]} == {ens}
    code, out, err = run(capsys, "figure5", "--results", res, "--out", str(tmp_path / "f"), "--ensemble", "local1")
    one_line_error(code, err, "--ensemble: the results hold no local1 samples")
