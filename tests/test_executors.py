"""Executors under failure and across machines' thread settings (experiments.executors, issue 11):

* values are bit-identical between serial, ``--workers 2`` and Dask at n = 14 (BLAS pinned per sample);
* ``kill -9`` of a ``--workers 2`` sweep leaves no orphaned worker process;
* a Dask worker that dies does not hang the sweep; a Dask scheduler that dies ends it in one line.

Every test here is bounded in time (a subprocess timeout or a deadline), a few seconds each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from weingarten_check.experiments import executors as ex_mod
from weingarten_check.experiments.store import read_results
from weingarten_check.experiments.sweep import SweepSpec, run_sweep
from weingarten_check.experiments.tasks import RunConfig
from weingarten_check.util.blas_threads import BLAS_PIN, SAMPLE_BLAS_THREADS, BlasPin

HERE = Path(__file__).parent
PY = sys.executable


def _env_without_thread_limits(**extra: str) -> dict[str, str]:
    """The environment with every BLAS/OpenMP thread limit removed (BLAS then uses all cores)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def _values(path: Path) -> dict[tuple, str]:
    """(task, case, n, index) -> the exact bytes of the stored value (repr of the float)."""
    return {(r["task"], r["case"], r["n"], r["index"]): repr(r["value"]) for r in read_results(path)}


# --------------------------------------------------------------------------- determinism


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs >= 2 cores for a multithreaded BLAS")
def test_serial_processes_and_dask_are_bit_identical_at_n14(tmp_path):
    """Real sampler, n = 14, cases whose Haar V2 goes through LAPACK QR and BLAS products.

    The serial run gets a multithreaded BLAS (no thread variables); without the per-sample pin its
    last bits differed from the single-threaded workers' on most samples."""
    common = [
        "sweep",
        "--task",
        "vqe,qae",
        "--case",
        "v2,both",
        "--ensemble",
        "haar",
        "--n",
        "14",
        "--samples",
        "2",
        "--no-progress",
        "--recheck",
        "0",
    ]
    env = _env_without_thread_limits()
    cli = [PY, "-m", "weingarten_check.cli"]
    subprocess.run(
        cli + common + ["--results", str(tmp_path / "serial.jsonl")],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    subprocess.run(
        cli + common + ["--results", str(tmp_path / "procs.jsonl"), "--workers", "2"],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    dask_script = textwrap.dedent(f"""
        import sys
        from distributed import LocalCluster
        from weingarten_check import cli
        if __name__ == "__main__":
            with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                              dashboard_address=None) as cluster:
                sys.exit(cli.main({common!r} + ["--results", {str(tmp_path / "dask.jsonl")!r},
                                               "--scheduler", cluster.scheduler_address]))
    """)
    pytest.importorskip("dask.distributed")
    subprocess.run([PY, "-c", dask_script], env=env, check=True, timeout=120, capture_output=True)
    serial = _values(tmp_path / "serial.jsonl")
    assert len(serial) == 8
    assert _values(tmp_path / "procs.jsonl") == serial
    assert _values(tmp_path / "dask.jsonl") == serial


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs >= 2 cores for a multithreaded BLAS")
def test_blas_pin_holds_in_worker_threads_and_is_restored_after_a_sweep(tmp_path):
    """A sample in a non-main thread (a Dask worker thread) runs pinned even though threadpoolctl lets
    only one thread change OpenBLAS; after run_sweep the caller's limits are back."""
    pin = BlasPin()
    pin.ensure_controller()
    before = pin.threads()
    seen: list[set[int]] = []

    def sample(task, ensemble, case, n, *, q, site, rng):
        seen.append(BLAS_PIN.threads())
        return float(rng.random())

    class ThreadExecutor(ex_mod.SerialExecutor):
        name = "thread"

        def map_unordered(self, fn, jobs):
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(2) as ex:
                yield from ex.map(fn, jobs)

    BLAS_PIN.ensure_controller()
    BLAS_PIN._controller.limit(limits=2)  # the main thread takes control first (as a CLI would)
    run_sweep(
        SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3,), samples=6),
        tmp_path / "r.jsonl",
        sample_fn=sample,
        executor=ThreadExecutor(),
        progress=False,
    )
    assert seen and all(s == {SAMPLE_BLAS_THREADS} for s in seen)
    assert BLAS_PIN.threads() == {2}  # restored to what the caller had
    BLAS_PIN._controller.limit(limits=max(before))


# --------------------------------------------------------------------------- orphans

_ORPHAN_SCRIPT = """
import os, sys
from sweep_helpers import slow_fake_sample
from weingarten_check.experiments import ProcessExecutor, RunConfig, SweepSpec, run_sweep
if __name__ == "__main__":
    run_sweep(SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=200), sys.argv[1],
              sample_fn=slow_fake_sample, executor=ProcessExecutor(2), progress=False)
"""


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_kill_9_of_a_workers_sweep_leaves_no_orphans(tmp_path):
    res = tmp_path / "r.jsonl"
    script = tmp_path / "orphan_sweep.py"
    script.write_text(_ORPHAN_SCRIPT)
    proc = subprocess.Popen(
        [PY, str(script), str(res)],
        env=_env_without_thread_limits(WGC_TEST_SLEEP="0.2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    orphans: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not res.exists() or res.read_bytes().count(b"\n") < 4):
            time.sleep(0.1)
        assert res.exists() and res.read_bytes().count(b"\n") >= 4, "the sweep never started"
        orphans = _children(proc.pid)
        assert len(orphans) >= 2  # two workers (and the multiprocessing resource tracker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in orphans):
            time.sleep(0.1)
        left = [p for p in orphans if _alive(p)]
        assert not left, f"worker processes {left} outlived their killed parent"
    finally:
        for p in [proc.pid, *orphans]:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    assert read_results(res)  # what was written is intact


# --------------------------------------------------------------------------- Dask failures

_PRELOAD = """
# dask worker --preload: the worker's default sampler becomes the slow fake one (tests only)
from sweep_helpers import slow_fake_sample
from weingarten_check.experiments import sweep
sweep.default_sample_fn = slow_fake_sample
"""


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _dask_cli() -> str:
    return str(Path(PY).with_name("dask"))


def _wait_for(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.fixture
def dask_processes(tmp_path):
    """Start a scheduler and a worker (no nanny) as separate processes; kill what is left at the end."""
    pytest.importorskip("dask.distributed")
    if not Path(_dask_cli()).exists():
        pytest.skip("the dask command line is not installed next to this Python")
    env = _env_without_thread_limits(WGC_TEST_SLEEP="0.1")
    procs: list[subprocess.Popen] = []
    sched_file = tmp_path / "scheduler.json"
    preload = tmp_path / "wgc_preload.py"
    preload.write_text(_PRELOAD)

    def start_scheduler() -> tuple[str, subprocess.Popen]:
        p = _start(
            [
                _dask_cli(),
                "scheduler",
                "--scheduler-file",
                str(sched_file),
                "--port",
                "0",
                "--no-dashboard",
                "--no-show",
            ],
            env,
        )
        procs.append(p)
        _wait_for(lambda: sched_file.exists() and sched_file.stat().st_size > 0, 30, "the scheduler")
        return json.loads(sched_file.read_text())["address"], p

    def start_worker(address: str) -> subprocess.Popen:
        p = _start(
            [
                _dask_cli(),
                "worker",
                address,
                "--no-nanny",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--preload",
                str(preload),
            ],
            env,
        )
        procs.append(p)
        return p

    yield start_scheduler, start_worker, env
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)


def test_dask_worker_killed_mid_sweep_stops_with_a_clear_message(tmp_path, dask_processes):
    """The only worker dies (kill -9): the sweep stops within lost_timeout instead of hanging."""
    start_scheduler, start_worker, _ = dask_processes
    address, _ = start_scheduler()
    worker = start_worker(address)
    from dask.distributed import Client

    path = tmp_path / "r.jsonl"
    spec = SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3,), samples=400)
    messages: list[str] = []
    with Client(address, timeout="20s") as client:
        client.wait_for_workers(1, timeout=30)
        ex = ex_mod.DaskExecutor(client=client, poll_interval=0.5, lost_timeout=2.0, log=messages.append)

        def killer() -> None:
            _wait_for(lambda: _lines(path) >= 3, 30, "three finished samples")
            worker.kill()

        t = threading.Thread(target=killer, daemon=True)
        t.start()
        t0 = time.monotonic()
        with pytest.raises(ex_mod.ExecutorLostError, match="no live Dask worker.*resume with the same command"):
            run_sweep(spec, path, executor=ex, progress=False)
        assert time.monotonic() - t0 < 40
        t.join(timeout=5)
    kept = read_results(path)
    assert 3 <= len(kept) < 400  # finished samples are on disk, the file is intact
    assert any("lost" in m for m in messages)


def test_dask_scheduler_killed_mid_sweep_is_one_line_and_resumable(tmp_path, dask_processes):
    """The CLI against a scheduler that dies: one line on stderr, exit 1, finished samples kept."""
    start_scheduler, start_worker, env = dask_processes
    address, scheduler = start_scheduler()
    start_worker(address)
    res = tmp_path / "r.jsonl"
    cli = textwrap.dedent(f"""
        import sys
        from sweep_helpers import slow_fake_sample
        from weingarten_check import cli
        from weingarten_check.experiments import sweep
        sweep.default_sample_fn = slow_fake_sample
        sys.exit(cli.main(["sweep", "--task", "vqe", "--ensemble", "haar", "--n", "3", "--samples", "400",
                           "--results", {str(res)!r}, "--no-progress", "--scheduler", {address!r}]))
    """)
    proc = subprocess.Popen([PY, "-c", cli], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: _lines(res) >= 3, 40, "three finished samples")
        scheduler.kill()
        out, err = proc.communicate(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 1, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("weingarten-check sweep: error: lost the connection to the Dask scheduler")
    assert "resume with the same command" in err
    kept = read_results(res)
    assert 3 <= len(kept) < 400


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs >= 2 cores for a multithreaded BLAS")
def test_estimate_equals_sweep_bit_for_bit_under_a_multithreaded_blas(tmp_path):
    """estimate_variation_range's sample s equals a sweep's sample s even when the caller's BLAS has
    two threads (both pin one thread per sample); the caller's setting is restored afterwards."""
    from weingarten_check.experiments.estimate import estimate_variation_range

    BLAS_PIN.ensure_controller()
    BLAS_PIN._take_control()
    BLAS_PIN._controller.limit(limits=2)
    try:
        est = estimate_variation_range("vqe", "haar", "both", n=14, samples=2, seed=0)
        assert BLAS_PIN.threads() == {2}
        res = run_sweep(
            SweepSpec(RunConfig("vqe", "haar", "both"), ns=(14,), samples=2), tmp_path / "r.jsonl", progress=False
        )
    finally:
        BLAS_PIN._controller.limit(limits=1)
    assert [repr(float(v)) for v in est.values] == [repr(r["value"]) for r in res.records]


def test_finished_future_whose_worker_died_does_not_hang():
    """Regression (seen once in the full suite): ``wait`` reported a future as finished, its worker was
    killed before the result was fetched, and ``fut.result()`` then waited forever for a recomputation
    no worker could do. The result is fetched in ``poll_interval`` slices with the worker check between
    them, so with no live worker the sweep stops after ``lost_timeout``."""
    pytest.importorskip("dask.distributed")

    class NeverArrives:  # a future whose data is gone with its worker
        def result(self, timeout=None):
            if timeout is None:  # the real one would block forever here
                raise AssertionError("fut.result() without a timeout: the sweep would hang")
            time.sleep(timeout)
            raise TimeoutError

    class NoWorkers:
        status = "running"

    ex = ex_mod.DaskExecutor(client=NoWorkers(), poll_interval=0.05, lost_timeout=0.3, log=lambda m: None)
    ex._live_workers = lambda: set()
    t0 = time.monotonic()
    with pytest.raises(ex_mod.ExecutorLostError, match="no live Dask worker.*resume with the same command"):
        ex._result(NeverArrives(), {"known": None, "no_worker_since": None}, 5)
    assert time.monotonic() - t0 < 5
