"""Issue 11 regressions for the command line: one line + exit 2 instead of tracebacks, no vacuous PASS,
strict JSON, refusing --repair on files that are not results files, progress and usage messages."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from weingarten_check import cli
from weingarten_check import resources
from weingarten_check import sweep as sw


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("weingarten-check ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


@pytest.fixture
def fake_sampler(monkeypatch):
    def fake(task, ensemble, case, n, *, q, site, rng):
        return float(rng.random()) * 2.0 ** -n

    monkeypatch.setattr(sw, "default_sample_fn", fake)
    return fake


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
    real = sw._AppendWriter.append
    calls = []

    def append(self, rec):
        calls.append(1)
        if len(calls) > 2:
            raise OSError(28, "No space left on device")
        real(self, rec)

    monkeypatch.setattr(sw._AppendWriter, "append", append)
    code, out, err = run(capsys, *SWEEP, "--results", str(res))
    one_line_error(code, err, "--results", "No space left on device", "resume with the same command")
    assert len(sw.read_results(res)) == 2


def test_size_beyond_memory_is_refused_up_front(capsys, tmp_path):
    """n = 60 used to die inside numpy ("array is too big"); now: one line naming the n that fits."""
    code, out, err = run(capsys, "sweep", "--task", "vqe", "--ensemble", "haar", "--n", "60", "--samples", "1",
                         "--results", str(tmp_path / "r.jsonl"), "--no-progress")
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


def test_memory_estimate_bounds_the_measured_peak(tmp_path):
    """The model is an upper bound of the peak RSS of one sample (the heaviest case, in a fresh process)."""
    code = """
import tracemalloc
from weingarten_check import experiments as ex
from weingarten_check.sweep import _task_spec
spec = _task_spec("vqe", 16, 2, 0)
tracemalloc.start()
ex.variation_range_sample_result(spec, "haar", "both", ex.sample_rng(0, 16, 0))
print(tracemalloc.get_traced_memory()[1])  # peak bytes (numpy reports its buffers to tracemalloc)
"""
    peak = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              timeout=120).stdout.split()[-1])
    est = resources.sample_bytes("vqe", 16, 2)
    assert peak > 0.3 * est, "the model is far too loose to say which n fits"
    assert peak <= est


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


@pytest.mark.parametrize("content", [
    "my notes\nabout the run\nno newline at the end",  # a notes file
    json.dumps({"q": 2, "series": [{"task": "vqe", "mean": [0.1, 0.2]}]}, indent=2),  # figure5.json
    "partial",  # one unterminated line that is not a record
])
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
