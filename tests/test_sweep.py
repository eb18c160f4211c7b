"""Resumable sweeps: determinism, atomic appends, corruption reports, executors (experiments.sweep and
experiments.store)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from weingarten_check.experiments import executors
from weingarten_check.experiments.executors import ProcessExecutor
from weingarten_check.experiments.statistics import summarize
from weingarten_check.experiments.store import (
    CorruptResultsError,
    ResultsLockedError,
    ResultsWriter,
    read_results,
    repair_results,
)
from weingarten_check.experiments.sweep import SweepSpec, run_sweep
from weingarten_check.experiments.tasks import CASES, TASKS, RunConfig, config_entropy, sample_rng

sys.path.insert(0, str(Path(__file__).parent))
from sweep_helpers import Counting, FailAfter, fake_sample  # noqa: E402

SPEC = SweepSpec(RunConfig("vqe", "haar", "v1", seed=11), ns=(3, 4, 5), samples=6)


def values(records):
    return {(r["n"], r["index"]): r["value"] for r in records}


@pytest.fixture
def reference(tmp_path):
    """An uninterrupted serial sweep of SPEC."""
    res = run_sweep(SPEC, tmp_path / "ref.jsonl", sample_fn=fake_sample, progress=False)
    return values(res.records)


def test_sample_rng_depends_only_on_seed_n_index_config():
    a = sample_rng(5, 4, 2, 7).random(3)
    assert np.array_equal(a, sample_rng(5, 4, 2, 7).random(3))
    for other in [(6, 4, 2, 7), (5, 5, 2, 7), (5, 4, 3, 7), (5, 4, 2, 8)]:
        assert not np.array_equal(a, sample_rng(*other).random(3))
    tags = {config_entropy(t, "haar", c, 2, 0) for t in TASKS for c in CASES}
    assert len(tags) == 9


def test_full_sweep_writes_one_line_per_sample(tmp_path, reference):
    path = tmp_path / "ref.jsonl"
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == 18
    recs = [json.loads(x) for x in lines[:-1]]
    assert {(r["n"], r["index"]) for r in recs} == {(n, i) for n in (3, 4, 5) for i in range(6)}
    assert all(r["task"] == "vqe" and r["case"] == "v1" and r["seed"] == 11 for r in recs)
    assert len(reference) == 18


def test_interrupted_sweep_resumes_without_loss_or_duplicates(tmp_path, reference):
    path = tmp_path / "run.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, path, sample_fn=FailAfter(7), progress=False)
    assert len(read_results(path)) == 7  # every finished sample is on disk
    counter = Counting()
    res = run_sweep(SPEC, path, sample_fn=counter, progress=False)
    assert (res.reused, res.computed, counter.calls) == (7, 11, 11)
    assert values(read_results(path)) == reference  # identical values, bit for bit
    assert len(read_results(path)) == 18
    # a third run computes nothing
    counter2 = Counting()
    res = run_sweep(SPEC, path, sample_fn=counter2, progress=False)
    assert (res.computed, counter2.calls) == (0, 0)


def test_sigkill_midway_then_resume(tmp_path, reference):
    """A sweep in a subprocess is SIGKILLed mid-run; the resumed file equals the reference."""
    path = tmp_path / "killed.jsonl"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from sweep_helpers import slow_fake_sample
        from weingarten_check.experiments import RunConfig, SweepSpec, run_sweep
        spec = SweepSpec(RunConfig("vqe", "haar", "v1", seed=11), ns=(3, 4, 5), samples=6)
        run_sweep(spec, {str(path)!r}, sample_fn=slow_fake_sample, progress=False)
    """)
    env = dict(os.environ, WGC_TEST_SLEEP="0.05")
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= 4:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(read_results(path))
    assert 4 <= done_before < 18, "the subprocess should have been killed midway"
    res = run_sweep(SPEC, path, sample_fn=fake_sample, progress=False)
    assert res.reused == done_before and res.computed == 18 - done_before
    assert values(read_results(path)) == reference


def test_torn_last_line_is_reported_then_repaired(tmp_path, reference):
    path = tmp_path / "torn.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, path, sample_fn=FailAfter(5), progress=False)
    full = path.read_bytes()
    with open(path, "ab") as fh:  # simulate a write torn by a power cut
        fh.write(full.split(b"\n")[0][:25])
    with pytest.raises(CorruptResultsError, match=r"torn.jsonl, line 6: incomplete last line"):
        run_sweep(SPEC, path, sample_fn=fake_sample, progress=False)
    assert path.read_bytes().startswith(full)  # nothing was written on the failed resume
    assert repair_results(path) == 25
    assert repair_results(path) == 0
    run_sweep(SPEC, path, sample_fn=fake_sample, progress=False)
    assert values(read_results(path)) == reference


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda ls: ls.__setitem__(2, ls[2].replace(b'"value":', b'"value":1')), "checksum"),
        (lambda ls: ls.__setitem__(2, b"{not json"), "not valid JSON"),
        (lambda ls: ls.__setitem__(2, b""), "blank line"),
        (lambda ls: ls.__setitem__(2, ls[1]), "duplicate sample"),
        (lambda ls: ls.__setitem__(2, b'{"task": "vqe"}'), "missing field"),
    ],
)
def test_corrupt_middle_line_is_reported_with_line_number(tmp_path, reference, mutate, reason):
    path = tmp_path / "ref.jsonl"
    lines = path.read_bytes().split(b"\n")
    mutate(lines)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(CorruptResultsError, match=rf"ref.jsonl, line 3: .*{reason}") as err:
        run_sweep(SPEC, path, sample_fn=fake_sample, progress=False)
    assert err.value.lineno == 3
    assert repair_results(path) == 0  # repair never drops complete lines


def test_other_configurations_in_the_same_file_are_kept_apart(tmp_path, reference):
    path = tmp_path / "ref.jsonl"
    other = SweepSpec(RunConfig("vqe", "haar", "v2", seed=11), ns=(3, 4, 5), samples=6)
    res = run_sweep(other, path, sample_fn=fake_sample, progress=False)
    assert (res.reused, res.computed) == (0, 18)
    # another case draws independent values
    assert set(values(res.records).values()).isdisjoint(reference.values())
    assert len(read_results(path)) == 36
    assert {r.case for r in summarize(read_results(path))} == {"v1", "v2"}
    # growing the sweep (more samples, one more n) computes only the new pairs
    bigger = SweepSpec(RunConfig("vqe", "haar", "v1", seed=11), ns=(3, 4, 5, 6), samples=8)
    res = run_sweep(bigger, path, sample_fn=fake_sample, progress=False)
    assert (res.reused, res.computed) == (18, 4 * 8 - 18)


def test_recheck_detects_a_changed_sampler(tmp_path, reference):
    path = tmp_path / "ref.jsonl"
    run_sweep(SPEC, path, sample_fn=fake_sample, progress=False, recheck=2)  # same sampler: fine
    with pytest.raises(RuntimeError, match="different version of the sampler"):
        run_sweep(SPEC, path, sample_fn=slow_fake_sample_scaled, progress=False, recheck=1)


def slow_fake_sample_scaled(*args, **kwargs):
    return 1.0000001 * fake_sample(*args, **kwargs)


def test_lock_prevents_two_concurrent_writers(tmp_path):
    path = tmp_path / "locked.jsonl"
    with ResultsWriter(path):
        with pytest.raises(ResultsLockedError, match="locked by another running sweep"):
            run_sweep(SPEC, path, sample_fn=fake_sample, progress=False)


def test_process_executor_gives_identical_values(tmp_path, reference):
    path = tmp_path / "procs.jsonl"
    ex = ProcessExecutor(2)
    try:
        with pytest.raises(ValueError, match="non-finite"):
            run_sweep(
                SweepSpec(RunConfig("qsl", "haar", "v1"), ns=(3,), samples=2),
                tmp_path / "nan.jsonl",
                sample_fn=nan_sample,
                executor=ex,
                progress=False,
            )
        res = run_sweep(SPEC, path, sample_fn=fake_sample, executor=ex, progress=False)
    finally:
        ex.close()
    assert res.computed == 18
    assert values(read_results(path)) == reference


def nan_sample(*args, **kwargs):
    return float("nan")


def test_dask_executor_local_cluster(tmp_path, reference):
    distributed = pytest.importorskip("dask.distributed")
    path = tmp_path / "dask.jsonl"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            ex = executors.DaskExecutor(client=client)
            with pytest.raises(KeyboardInterrupt):
                run_sweep(SPEC, path, sample_fn=FailAfter(4), executor=SerialExecutorShim(), progress=False)
            res = run_sweep(SPEC, path, sample_fn=fake_sample, executor=ex, progress=False)
            ex.close()
    assert res.computed == 14
    assert values(read_results(path)) == reference


class SerialExecutorShim(executors.SerialExecutor):
    pass


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(samples=0), "samples must be an int >= 1"),
        (dict(ns=(1, 3)), "n must be > m = 1"),
        (dict(ns=()), "ns must list at least one"),
        (dict(config=RunConfig("vqe", "haar", "v1", site=3), ns=(3,)), "site \\+ m must be <= n"),
    ],
)
def test_spec_rejects_bad_input(kwargs, match):
    """Bad names and numbers of the configuration itself are RunConfig's (tests/test_tasks.py)."""
    base = dict(config=RunConfig("vqe", "haar", "v1"), ns=(3,), samples=2)
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        SweepSpec(**base)


def test_spec_type_errors():
    with pytest.raises(TypeError, match="n must be an int"):
        SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3.5,))
    with pytest.raises(TypeError, match="config must be a RunConfig"):
        SweepSpec(("vqe", "haar", "v1"), ns=(3,))
    with pytest.raises(TypeError, match="spec must be a SweepSpec"):
        run_sweep({"task": "vqe"}, "x.jsonl")


#: a results file written by the sweep command before RunConfig had ``layers`` (``weingarten-check sweep
#: --task vqe,qsl --ensemble paper --case v1,both --n 3,4 --samples 3``, real samples: hea and local1)
BEFORE_LAYERS = Path(__file__).parent / "data" / "sweep_before_layers.jsonl"


def _old_configs():
    return [RunConfig(t, "paper", c) for t in ("vqe", "qsl") for c in ("v1", "both")]


def test_a_file_written_before_layers_resumes_bit_identically(tmp_path):
    """The old records keep their keys (no ``layers`` field), are reused, and the samples missing from a
    truncated copy recompute to the old values bit for bit with the real sampler (same random streams)."""
    old = read_results(BEFORE_LAYERS)
    assert len(old) == 24 and not any("layers" in r for r in old)
    lines = BEFORE_LAYERS.read_bytes().splitlines(keepends=True)
    path = tmp_path / "resumed.jsonl"
    path.write_bytes(b"".join(lines[:13]))  # the rest "was lost": 11 samples to recompute
    results = [
        run_sweep(SweepSpec(cfg, ns=(3, 4), samples=3), path, progress=False, recheck=3) for cfg in _old_configs()
    ]
    assert sum(r.reused for r in results) == 13 and sum(r.computed for r in results) == 11
    new = read_results(path)
    key = lambda r: (r["task"], r["case"], r["n"], r["index"])  # noqa: E731
    assert {key(r): r["value"] for r in new} == {key(r): r["value"] for r in old}  # == on floats: bit for bit
    assert not any("layers" in r for r in new)
    assert {frozenset(r) - {"seconds"} for r in new} == {frozenset(r) - {"seconds"} for r in old}


def test_records_with_different_depths_never_mix(tmp_path):
    """An explicit depth is its own configuration: not reused from default-depth records, even at L = 10 n,
    with its own random stream; two depths in one file resume separately and summarise to separate rows."""
    path = tmp_path / "depths.jsonl"
    path.write_bytes(BEFORE_LAYERS.read_bytes())
    default = {(r["n"], r["index"]): r["value"] for r in read_results(path) if r["task"] == "vqe" and r["case"] == "v1"}
    ten_n = run_sweep(SweepSpec(RunConfig("vqe", "hea", "v1", layers=30), ns=3, samples=3), path, progress=False)
    assert (ten_n.reused, ten_n.computed) == (0, 3)
    assert all(r["layers"] == 30 for r in ten_n.records)
    assert set(values(ten_n.records).values()).isdisjoint(default.values())
    shallow = SweepSpec(RunConfig("vqe", "hea", "v1", layers=2), ns=3, samples=3)
    first = run_sweep(shallow, path, progress=False)
    again = run_sweep(shallow, path, progress=False, recheck=3)
    assert (first.computed, again.reused, again.computed) == (3, 3, 0)
    assert values(again.records) == values(first.records)
    rows = [r for r in summarize(read_results(path)) if r.task == "vqe" and r.case == "v1" and r.n == 3]
    assert [(r.layers, r.samples) for r in rows] == [(None, 3), (2, 3), (30, 3)]
    # the stored depth is what the sampler drew: recomputing layer-2 samples at depth 3 differs
    with pytest.raises(RuntimeError, match="different version of the sampler"):
        run_sweep(shallow, path, progress=False, recheck=1, sample_fn=_depth_three)


def _depth_three(task, ensemble, case, n, *, q, site, rng, layers):
    from weingarten_check.experiments.sweep import default_sample_fn

    return default_sample_fn(task, ensemble, case, n, q=q, site=site, rng=rng, layers=layers + 1)


def test_a_record_with_a_bad_layers_field_is_reported(tmp_path):
    rec = read_results(BEFORE_LAYERS)[0] | {"layers": -1}
    rec.pop("crc")
    path = tmp_path / "bad.jsonl"
    with ResultsWriter(path) as w:
        w.append(rec)
    with pytest.raises(CorruptResultsError, match="field 'layers' must be an integer >= 0"):
        read_results(path)
