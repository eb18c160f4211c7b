"""Resumable sweeps of the variation range Δ over the number of sites n.

A sweep computes ``samples`` independent values of Δ (unnormalised, as returned by
:func:`weingarten_check.experiments.tasks.variation_range_sample`) for every ``n`` of a list,
for one (task, ensemble, case, q, site, seed) configuration — the data behind the
paper's Figure 5 and its qudit extension.

Guarantees (tested in ``tests/test_sweep.py``):

* **Deterministic samples.** Sample ``index`` at size ``n`` draws all its randomness
  from ``default_rng(SeedSequence([seed, config_tag], spawn_key=(n, index)))`` (see
  :func:`sample_rng`; ``config_tag`` separates tasks/cases), so its
  value does not depend on the order of execution, the number of workers, or on how
  often the sweep was interrupted and resumed. Every sample runs with the BLAS/OpenMP pools
  pinned to one thread (threadpoolctl, :data:`SAMPLE_BLAS_THREADS`), because OpenBLAS's last bits
  depend on its thread count: serial, ``--workers`` and Dask values are then bit-identical on one
  machine (a cluster of different CPUs may still differ in the last bits).
* **Atomic appends.** The results file is JSON Lines, one finished sample per line.
  Each line is written by a single ``os.write`` on an ``O_APPEND`` descriptor (fsync'ed at
  least every 0.5 s and on close); only the main process writes. Each line carries a CRC-32
  of its content. A crash can at worst leave a torn last line, which is detected; samples not
  yet on disk are simply recomputed, with identical values, on resume.
* **Corruption is reported, never skipped.** On resume every line is parsed and checked
  (JSON, fields, types, CRC, trailing newline, duplicates); the first bad line raises
  :class:`CorruptResultsError` naming the file and the line number.
* **Resume computes only what is missing.** Existing (n, index) pairs of the same
  configuration are reused; the others are computed; none is ever written twice.
  An exclusive ``flock`` on the results file stops two sweeps from writing it at once.

Executors: :class:`SerialExecutor`, :class:`ProcessExecutor` (local processes,
``concurrent.futures``) and :class:`DaskExecutor` (an existing Dask cluster through
``dask.distributed.Client``; install the ``[dask]`` extra). All three implement
:meth:`Executor.map_unordered`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..util.blas_threads import BLAS_PIN as _BLAS_PIN
from ..util.blas_threads import SAMPLE_BLAS_THREADS  # noqa: F401  (re-exported: the pinned thread count)
from ..util.blas_threads import BlasPin as _BlasPin  # noqa: F401  (tests build their own)
from .tasks import CASES, ENSEMBLES, TASKS, config_entropy, sample_rng

try:  # POSIX advisory locking; absent on Windows (then no lock is taken)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "TASKS",
    "ENSEMBLES",
    "CASES",
    "SCHEMA",
    "SweepSpec",
    "SweepResult",
    "SummaryRow",
    "CorruptResultsError",
    "ResultsLockedError",
    "ResultsFileError",
    "StoredSampleMismatchError",
    "ExecutorLostError",
    "sample_rng",
    "read_results",
    "repair_results",
    "run_sweep",
    "summarize",
    "Executor",
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "make_executor",
]

SCHEMA = "wgc-sweep/1"
#: fields that identify a configuration (together with n and index they identify a sample);
#: ``m`` (the number of sites of A = {site, ..., site + m - 1}) is written only when m != 1, so
#: files from before m existed (the paper's m = 1) stay valid and keep their keys
CONFIG_FIELDS = ("task", "ensemble", "case", "q", "site", "m", "seed")
_CONFIG_DEFAULTS: dict[str, Any] = {"m": 1}
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "schema": str,
    "task": str,
    "ensemble": str,
    "case": str,
    "q": int,
    "site": int,
    "seed": int,
    "n": int,
    "index": int,
    "value": (float, int),
    "crc": int,
}


class CorruptResultsError(ValueError):
    """A results file contains a line that is not a valid, complete sample record."""

    def __init__(self, path: str | os.PathLike, lineno: int, reason: str):
        self.path = str(path)
        self.lineno = lineno
        self.reason = reason
        super().__init__(f"corrupt results file {self.path}, line {lineno}: {reason}")


class ResultsLockedError(RuntimeError):
    """Another process holds the lock of the results file (a sweep is running)."""


class ResultsFileError(ValueError):
    """The results path is not something a sweep can append to (a device, FIFO, socket, ...)."""


class StoredSampleMismatchError(RuntimeError):
    """A stored sample recomputes to a different value (``recheck``): the file is from another sampler."""


class ExecutorLostError(RuntimeError):
    """The executor went away mid-sweep (Dask scheduler gone, every worker lost); finished samples are saved."""


def check_regular_file(path: str | os.PathLike) -> None:
    """Raise :class:`ResultsFileError` unless ``path`` is absent or a regular file (symlinks followed).

    A results file is appended to, fsync'ed and locked; /dev/null, a terminal, a FIFO (opening it would
    block) or a socket cannot hold results.
    """
    import stat

    try:
        st = os.stat(path)
    except OSError:  # absent, or a parent is not a directory: opening the file reports it
        return
    if stat.S_ISREG(st.st_mode):
        return
    kind = (
        "a directory"
        if stat.S_ISDIR(st.st_mode)
        else "a character device"
        if stat.S_ISCHR(st.st_mode)
        else "a block device"
        if stat.S_ISBLK(st.st_mode)
        else "a FIFO"
        if stat.S_ISFIFO(st.st_mode)
        else "a socket"
        if stat.S_ISSOCK(st.st_mode)
        else "not a regular file"
    )
    raise ResultsFileError(f"{path} is {kind}; a results file must be a regular file")


# --------------------------------------------------------------------------- specs


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class SweepSpec:
    """One sweep: Δ samples for each n in ``ns`` of a single configuration.

    ``task`` in {vqe, qae, qsl}, ``ensemble`` in {haar, hea, local1, clifford}, ``case`` in
    {v1, v2, both} (which of V1, V2 is drawn from the ensemble; see the math notes),
    ``q`` the local dimension (>= 2), A = the ``m`` consecutive sites ``site, ..., site + m - 1``
    (default m = 1, the paper's; m = 2 with q = 2 gives dA = 4, a certified Δ), ``samples`` >= 1
    samples per n, every n > m and >= site + m.
    """

    task: str
    ensemble: str
    case: str
    ns: tuple[int, ...]
    q: int = 2
    site: int = 0
    samples: int = 100
    seed: int = 0
    m: int = 1

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}")
        if self.ensemble not in ENSEMBLES:
            raise ValueError(f"ensemble must be one of {', '.join(ENSEMBLES)}; got {self.ensemble!r}")
        if self.case not in CASES:
            raise ValueError(f"case must be one of {', '.join(CASES)}; got {self.case!r}")
        _check_int("q", self.q, 2)
        if self.ensemble == "clifford" and self.q != 2:
            raise ValueError(f"ensemble 'clifford' is for qubits only (q = 2); got q = {self.q}")
        _check_int("site", self.site, 0)
        _check_int("m", self.m, 1)
        _check_int("samples", self.samples, 1)
        _check_int("seed", self.seed, 0)
        if isinstance(self.ns, (int, np.integer)):
            object.__setattr__(self, "ns", (int(self.ns),))
        ns = tuple(self.ns)
        if not ns:
            raise ValueError("ns must list at least one number of sites n")
        for n in ns:
            _check_int("n", n, 1)
            if n <= self.m:
                raise ValueError(f"n must be > m = {self.m} (the size of A); got n = {n}")
            if self.site + self.m > n:
                raise ValueError(
                    f"site + m must be <= n (A = sites site..site+m-1 in range(n)); "
                    f"got site = {self.site}, m = {self.m} with n = {n}"
                )
        object.__setattr__(self, "ns", tuple(sorted(set(int(n) for n in ns))))

    @property
    def config(self) -> dict[str, Any]:
        """The fields identifying this configuration in a results file (``m`` only when != 1)."""
        return {
            f: getattr(self, f)
            for f in CONFIG_FIELDS
            if not (f in _CONFIG_DEFAULTS and getattr(self, f) == _CONFIG_DEFAULTS[f])
        }

    def config_key(self) -> tuple:
        return tuple(getattr(self, f) for f in CONFIG_FIELDS)


def record_config_key(rec: dict[str, Any]) -> tuple:
    """Configuration key of a record (same order as :meth:`SweepSpec.config_key`; a record without
    ``m`` has m = 1)."""
    return tuple(rec[f] if f in rec else _CONFIG_DEFAULTS[f] for f in CONFIG_FIELDS)


# --------------------------------------------------------------------------- records


def _crc(rec: dict[str, Any]) -> int:
    body = {k: v for k, v in rec.items() if k != "crc"}
    return zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())


def _encode(rec: dict[str, Any]) -> bytes:
    rec = dict(rec)
    rec["crc"] = _crc(rec)
    return (json.dumps(rec, sort_keys=True, separators=(",", ":"), allow_nan=False) + "\n").encode()


def _sample_key(rec: dict[str, Any]) -> tuple:
    return record_config_key(rec) + (rec["n"], rec["index"])


def _validate_line(path: Path, lineno: int, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
        rec = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptResultsError(path, lineno, f"not valid JSON ({exc})") from None
    if not isinstance(rec, dict):
        raise CorruptResultsError(path, lineno, "not a JSON object")
    for name, typ in _REQUIRED.items():
        if name not in rec:
            raise CorruptResultsError(path, lineno, f"missing field {name!r}")
        if isinstance(rec[name], bool) or not isinstance(rec[name], typ):
            raise CorruptResultsError(path, lineno, f"field {name!r} has wrong type")
    if "m" in rec and (isinstance(rec["m"], bool) or not isinstance(rec["m"], int) or rec["m"] < 2):
        raise CorruptResultsError(path, lineno, "field 'm' must be an integer >= 2 when present")
    if rec["schema"] != SCHEMA:
        raise CorruptResultsError(path, lineno, f"unknown schema {rec['schema']!r} (expected {SCHEMA})")
    if not math.isfinite(rec["value"]):
        raise CorruptResultsError(path, lineno, "value is not finite")
    if _crc(rec) != rec["crc"]:
        raise CorruptResultsError(path, lineno, "checksum mismatch (line was altered or torn)")
    return rec


def read_results(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Read and check every line of a JSON Lines results file.

    Returns the records in file order (an absent file gives ``[]``). Raises
    :class:`CorruptResultsError` (a ``ValueError``) naming the file and the 1-based
    line number of the first line that is incomplete (no trailing newline, i.e. a torn
    write), blank, not JSON, lacks a field, fails its CRC, or repeats a sample.
    """
    path = Path(path)
    if not path.exists():
        return []
    data = path.read_bytes()
    if not data:
        return []
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    records: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for lineno, raw in enumerate(complete, start=1):
        if not raw.strip():
            raise CorruptResultsError(path, lineno, "blank line")
        rec = _validate_line(path, lineno, raw)
        key = _sample_key(rec)
        if key in seen:
            raise CorruptResultsError(
                path, lineno, f"duplicate sample n={rec['n']} index={rec['index']} (first on line {seen[key]})"
            )
        seen[key] = lineno
        records.append(rec)
    if tail:
        raise CorruptResultsError(
            path,
            len(complete) + 1,
            "incomplete last line (no newline; an interrupted write?) — "
            "remove it, or run `weingarten-check sweep ... --repair`",
        )
    return records


#: how every record line starts (``json.dumps(..., sort_keys=True)``; "case" is the first key)
_RECORD_PREFIX = b'{"case":"'


def repair_results(path: str | os.PathLike) -> int:
    """Drop an incomplete (torn) last line of a results file; return the number of bytes dropped.

    Only the unterminated tail is removed (write to a temporary file, fsync, rename), and only
    when the file is a results file of this schema: every complete line must be a valid record
    (:func:`read_results`' checks) and the tail must be the beginning of a record (a torn write
    of one line). Otherwise :class:`CorruptResultsError` is raised and nothing is changed — a notes
    file or a figure's JSON passed by mistake is never truncated.
    """
    path = Path(path)
    check_regular_file(path)
    if not path.exists():
        return 0
    data = path.read_bytes()
    cut = data.rfind(b"\n") + 1
    dropped = len(data) - cut
    if not dropped:
        return 0
    complete = data[:cut].split(b"\n")[:-1]
    for lineno, raw in enumerate(complete, start=1):
        try:
            _validate_line(path, lineno, raw)
        except CorruptResultsError as exc:
            raise CorruptResultsError(
                path,
                lineno,
                f"{exc.reason}; not repaired: --repair only drops a torn last line of a "
                f"results file whose other lines are valid {SCHEMA} records",
            ) from None
    tail = data[cut:]
    if not (tail.startswith(_RECORD_PREFIX) or _RECORD_PREFIX.startswith(tail)):
        raise CorruptResultsError(
            path,
            len(complete) + 1,
            f"the incomplete last line does not start like a {SCHEMA} record ({tail[:20]!r}...); not repaired",
        )
    tmp = path.with_name(path.name + ".repair.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data[:cut])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return dropped


class _AppendWriter:
    """Single-writer, append-only, fsync'ed JSON Lines writer holding an exclusive flock."""

    #: seconds between fsyncs (group commit); the order and atomicity of lines never depend on it
    FSYNC_INTERVAL = 0.5

    def __init__(self, path: Path, fsync: bool = True):
        self.path = path
        self.fsync = fsync
        self._last_sync = time.monotonic()
        check_regular_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self.fd)
                raise ResultsLockedError(f"results file {path} is locked by another running sweep") from None

    def append(self, rec: dict[str, Any]) -> None:
        line = _encode(rec)
        written = os.write(self.fd, line)
        if written != len(line):  # pragma: no cover - regular files write fully
            raise OSError(f"short write to {self.path} ({written} of {len(line)} bytes)")
        if self.fsync and time.monotonic() - self._last_sync >= self.FSYNC_INTERVAL:
            os.fsync(self.fd)
            self._last_sync = time.monotonic()

    def close(self) -> None:
        if self.fd >= 0:
            if self.fsync:
                os.fsync(self.fd)
            os.close(self.fd)  # releases the flock
            self.fd = -1

    def __enter__(self) -> _AppendWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# --------------------------------------------------------------------------- jobs

SampleFn = Callable[..., float]


@functools.lru_cache(maxsize=64)
def _task_spec(task: str, n: int, q: int, site: int, m: int = 1):
    """Per-process cache of :func:`experiments.task_spec` for A = sites ``site .. site + m - 1``
    (observable, w, couplings: built once per n)."""
    from weingarten_check.experiments.tasks import task_spec

    return task_spec(task, n, q, site, sites=tuple(range(site, site + m)))


def default_sample_fn(
    task: str, ensemble: str, case: str, n: int, *, q: int, site: int, rng: np.random.Generator, m: int = 1
) -> Any:
    """One Δ with its certificate: :func:`weingarten_check.experiments.tasks.variation_range_sample_result`.

    Returns the result object (``value``, ``lower``, ``upper``, ``exact``); exact for one qubit and
    for the fidelity task, a certified bracket otherwise (then ``value = lower``).
    """
    from weingarten_check.experiments.tasks import variation_range_sample_result

    return variation_range_sample_result(_task_spec(task, n, q, site, m), ensemble, case, rng)


@dataclass(frozen=True)
class SampleJob:
    """One unit of work, picklable (for processes and Dask)."""

    config: tuple  # values of CONFIG_FIELDS
    n: int
    index: int
    sample_fn: SampleFn | None = None


def run_job(job: SampleJob) -> dict[str, Any]:
    """Compute one sample; returns its record (without CRC). Runs in the worker.

    The sample function returns a float (Δ) or an object with ``value`` and optionally ``lower``,
    ``upper``, ``exact`` (a certified bracket); then ``upper`` and ``exact`` are recorded too.
    """
    cfg = dict(zip(CONFIG_FIELDS, job.config))
    m = cfg["m"]
    sites = tuple(range(cfg["site"], cfg["site"] + m))
    fn = job.sample_fn or default_sample_fn
    rng = sample_rng(
        cfg["seed"],
        job.n,
        job.index,
        config_entropy(cfg["task"], cfg["ensemble"], cfg["case"], cfg["q"], cfg["site"], sites),
    )
    _BLAS_PIN.ensure()
    t0 = time.perf_counter()
    more = {"m": m} if m != 1 else {}  # sample functions written for m = 1 need not take m
    out = fn(cfg["task"], cfg["ensemble"], cfg["case"], job.n, q=cfg["q"], site=cfg["site"], rng=rng, **more)
    seconds = time.perf_counter() - t0
    extra: dict[str, Any] = {}
    if hasattr(out, "value"):
        value = float(out.value)
        if hasattr(out, "upper"):
            extra = {"upper": float(out.upper), "exact": bool(getattr(out, "exact", False))}
    else:
        value = float(out)
    for name, v in (("value", value), ("upper", extra.get("upper", 0.0))):
        if not math.isfinite(v):
            raise ValueError(f"sample n={job.n} index={job.index} gave a non-finite {name} {v!r}")
    if m == 1:
        del cfg["m"]
    return {
        "schema": SCHEMA,
        **cfg,
        "n": job.n,
        "index": job.index,
        "value": value,
        **extra,
        "seconds": round(seconds, 6),
    }


# --------------------------------------------------------------------------- executors


class Executor(Protocol):
    """Runs ``fn`` on each job and yields the results as they finish (any order)."""

    name: str

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Runs jobs one after another in this process."""

    name = "serial"

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        for job in jobs:
            yield fn(job)

    def close(self) -> None:
        pass


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


#: seconds between a worker's checks that its parent process is still alive
PARENT_POLL_INTERVAL = 0.2


def _exit_with_parent(parent_pid: int, use_pdeathsig: bool) -> None:
    """Worker initializer: the worker exits as soon as the sweep process that started it dies.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``; only when
    the pool was started from the main thread, since the signal follows the *thread* that spawned
    the worker). Everywhere, a daemon thread polls ``os.getppid()`` and calls ``os._exit`` when the
    worker has been re-parented; it runs even while the sample computes in C (numpy releases the
    GIL). Without this, ``kill -9`` of a ``--workers N`` sweep leaves N orphans computing.
    """
    import threading

    if use_pdeathsig and sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no libc/prctl: the poller still works
            pass
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_INTERVAL)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="wgc-parent-watchdog", daemon=True).start()


class ProcessExecutor:
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn start method).

    Each worker's BLAS/OpenMP pools are limited to ``threads_per_worker`` threads (unless the
    variables are already set) so that N workers do not oversubscribe the cores.
    """

    name = "processes"

    def __init__(self, workers: int, threads_per_worker: int = 1):
        self.workers = _check_int("workers", workers, 1)
        self.threads_per_worker = _check_int("threads_per_worker", threads_per_worker, 1)
        self._pool = None

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        import concurrent.futures as cf
        import multiprocessing as mp

        if self._pool is None:
            import threading

            self._pool = cf.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=mp.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(), threading.current_thread() is threading.main_thread()),
            )
        # workers are spawned during submit() and inherit os.environ at that moment
        added = {k: str(self.threads_per_worker) for k in _THREAD_VARS if k not in os.environ}
        os.environ.update(added)
        try:
            futures = [self._pool.submit(fn, job) for job in jobs]
        finally:
            for k in added:
                os.environ.pop(k, None)
        try:
            for fut in cf.as_completed(futures):
                yield fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


#: how long to wait for a Dask scheduler before giving up (dask time string)
DASK_CONNECT_TIMEOUT = "20s"


class DaskExecutor:
    """An existing Dask cluster via ``dask.distributed.Client`` (extra ``[dask]``).

    Pass ``address`` (e.g. ``tcp://scheduler:8786``) or an existing ``client``.

    Failure handling (a sweep never hangs silently): every ``poll_interval`` seconds without a result
    the scheduler is asked for its workers. A worker that disappears is reported (``log``); Dask
    resubmits its samples to the remaining workers. A worker whose last heartbeat is older than
    ``heartbeat_timeout`` counts as lost. When no live worker has been connected for ``lost_timeout``
    seconds, :class:`ExecutorLostError` is raised; so it is when the scheduler itself goes away.
    Samples finished before are already on disk, and rerunning the same command resumes.
    """

    name = "dask"

    def __init__(
        self,
        address: str | None = None,
        client: Any = None,
        timeout: str | None = None,
        *,
        poll_interval: float = 2.0,
        lost_timeout: float = 60.0,
        heartbeat_timeout: float = 120.0,
        log: Callable[[str], None] | None = None,
    ):
        try:
            from dask.distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the Dask executor needs the optional extra: pip install 'weingarten-check[dask]'"
            ) from exc
        if client is None and address is None:
            raise ValueError("DaskExecutor needs a scheduler address or a client")
        self._own = client is None
        self.client = client if client is not None else Client(address, timeout=timeout or DASK_CONNECT_TIMEOUT)
        self.address = address or getattr(getattr(client, "scheduler", None), "address", None) or "the scheduler"
        self.poll_interval = float(poll_interval)
        self.lost_timeout = float(lost_timeout)
        self.heartbeat_timeout = float(heartbeat_timeout)
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))

    def _live_workers(self) -> set[str]:
        """Addresses of the workers whose last heartbeat is recent (raises if the scheduler is gone)."""
        info = self.client.sync(self.client.scheduler.identity)
        now = time.time()
        out = set()
        for addr, w in (info.get("workers") or {}).items():
            last = w.get("last_seen", now) if isinstance(w, dict) else now
            if now - float(last) <= self.heartbeat_timeout:
                out.add(addr)
        return out

    def _lost(self, reason: str, pending: int) -> ExecutorLostError:
        return ExecutorLostError(
            f"{reason}; {pending} samples unfinished (every finished sample is saved); resume with the same command"
        )

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        from dask.distributed import wait

        futures = [self.client.submit(fn, job, pure=False) for job in jobs]
        pending = set(futures)
        watch = {"known": None, "no_worker_since": None}
        try:
            while pending:
                try:
                    done, pending = wait(list(pending), timeout=self.poll_interval, return_when="FIRST_COMPLETED")
                    pending = set(pending)
                except TimeoutError:
                    done = set()
                except Exception as exc:  # comm closed, futures cancelled because the scheduler went away
                    raise self._lost(
                        f"lost the connection to the Dask scheduler at {self.address} ({type(exc).__name__})",
                        len(pending),
                    ) from None
                for fut in done:
                    if fut.status == "cancelled" or self.client.status not in ("running", "connecting"):
                        raise self._lost(
                            f"lost the connection to the Dask scheduler at {self.address}", len(pending) + 1
                        )
                    yield self._result(fut, watch, len(pending) + 1)
                if done or not pending:
                    continue
                self._watch_workers(watch, len(pending))
        finally:
            if self.client.status == "running":
                try:
                    self.client.cancel(futures)
                except Exception:  # pragma: no cover - best effort
                    pass

    def _result(self, fut: Any, watch: dict, unfinished: int) -> Any:
        """``fut.result()``, but never a silent wait: a finished future whose data lived on a worker that
        died since is recomputed by the scheduler, and with no worker left it would wait forever, so
        the wait is cut into ``poll_interval`` slices with the worker check between them."""
        while True:
            try:
                return fut.result(timeout=self.poll_interval)
            except TimeoutError:
                self._watch_workers(watch, unfinished)
            except (OSError, _dask_cancelled_error()) as exc:
                raise self._lost(
                    f"lost the connection to the Dask scheduler at {self.address} ({type(exc).__name__})", unfinished
                ) from None
            except _killed_worker_error() as exc:
                raise ExecutorLostError(
                    f"Dask workers died running one sample ({exc}); it may need more memory than a "
                    "worker has; every finished sample is saved"
                ) from None

    def _watch_workers(self, watch: dict, unfinished: int) -> None:
        """Report workers lost since the last call; raise once no live worker was seen for ``lost_timeout``."""
        try:
            live = self._live_workers()
        except Exception as exc:  # the scheduler is unreachable
            raise self._lost(
                f"lost the connection to the Dask scheduler at {self.address} ({type(exc).__name__})", unfinished
            ) from None
        if watch["known"] is not None:
            for addr in sorted(watch["known"] - live):
                self.log(
                    f"weingarten-check: Dask worker {addr} lost (no heartbeat); "
                    f"{len(live)} worker(s) left" + ("; the scheduler resubmits its samples" if live else "")
                )
        watch["known"] = live
        if live:
            watch["no_worker_since"] = None
        elif watch["no_worker_since"] is None:
            watch["no_worker_since"] = time.monotonic()
        elif time.monotonic() - watch["no_worker_since"] >= self.lost_timeout:
            raise self._lost(
                f"no live Dask worker connected to {self.address} for "
                f"{time.monotonic() - watch['no_worker_since']:.0f} s (start workers with "
                f"`dask worker {self.address}`)",
                unfinished,
            )

    def close(self) -> None:
        if self._own:
            try:
                self.client.close(timeout=5)
            except Exception:  # the scheduler may already be gone; nothing left to release
                pass


def _dask_cancelled_error() -> type:
    try:
        from distributed.client import FutureCancelledError  # type: ignore[attr-defined]

        return FutureCancelledError
    except ImportError:  # pragma: no cover - older distributed
        from concurrent.futures import CancelledError

        return CancelledError


def _killed_worker_error() -> type:
    from distributed.scheduler import KilledWorker

    return KilledWorker


def make_executor(workers: int = 1, scheduler: str | None = None) -> Executor:
    """Serial for ``workers == 1``, local processes for ``workers > 1``, Dask if ``scheduler``."""
    if scheduler:
        return DaskExecutor(address=scheduler)
    if _check_int("workers", workers, 1) == 1:
        return SerialExecutor()
    return ProcessExecutor(workers)


# --------------------------------------------------------------------------- sweep


@dataclass
class SweepResult:
    """Outcome of :func:`run_sweep`."""

    spec: SweepSpec
    path: Path
    records: list[dict[str, Any]]  # this configuration, ns and index < samples; sorted by (n, index)
    reused: int  # samples found in the file
    computed: int  # samples computed by this call
    seconds: float = 0.0
    summary: list[SummaryRow] = field(default_factory=list)


def missing_samples(spec: SweepSpec, records: Iterable[dict[str, Any]]) -> list[tuple[int, int]]:
    """(n, index) pairs of ``spec`` not present in ``records``, in increasing n then index."""
    key = spec.config_key()
    done = {(r["n"], r["index"]) for r in records if record_config_key(r) == key}
    return [(n, i) for n in spec.ns for i in range(spec.samples) if (n, i) not in done]


def _select(spec: SweepSpec, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    key = spec.config_key()
    ns = set(spec.ns)
    out = [r for r in records if record_config_key(r) == key and r["n"] in ns and r["index"] < spec.samples]
    return sorted(out, key=lambda r: (r["n"], r["index"]))


def run_sweep(
    spec: SweepSpec,
    path: str | os.PathLike,
    *,
    executor: Executor | None = None,
    sample_fn: SampleFn | None = None,
    progress: bool = True,
    recheck: int = 0,
    fsync: bool = True,
) -> SweepResult:
    """Run (or resume) ``spec``, appending each finished sample to ``path`` (JSON Lines).

    Existing lines are read and checked first (:func:`read_results`: a corrupt line raises
    :class:`CorruptResultsError`); only missing (n, index) pairs are computed. ``sample_fn``
    (default :func:`default_sample_fn`) is called as ``fn(task, ensemble, case, n, q=, site=, rng=)``
    (and ``m=`` when m != 1)
    and must be a module-level function for process/Dask executors. ``recheck`` > 0 recomputes
    that many already-stored samples and raises ``RuntimeError`` if they differ (i.e. the code or
    the sampler changed since the file was written). An exception in a sample stops the sweep;
    every sample finished before it is already on disk.
    """
    from tqdm import tqdm

    if not isinstance(spec, SweepSpec):
        raise TypeError(f"spec must be a SweepSpec, got {type(spec).__name__}")
    path = Path(path)
    executor = executor or SerialExecutor()
    t0 = time.perf_counter()
    with _BLAS_PIN.driver(), _AppendWriter(path, fsync=fsync) as writer:
        existing = read_results(path)  # after taking the lock
        todo = missing_samples(spec, existing)
        mine = _select(spec, existing)
        reused = len(mine)
        if recheck and mine:
            for rec in mine[: int(recheck)]:
                fresh = run_job(SampleJob(spec.config_key(), rec["n"], rec["index"], sample_fn))
                if not math.isclose(fresh["value"], rec["value"], rel_tol=1e-9, abs_tol=1e-12):
                    raise StoredSampleMismatchError(
                        f"{path}: stored sample n={rec['n']} index={rec['index']} has value "
                        f"{rec['value']!r} but recomputes to {fresh['value']!r}; the file was written "
                        "by a different version of the sampler — use a new results file"
                    )
        jobs = [SampleJob(spec.config_key(), n, i, sample_fn) for n, i in todo]
        computed = 0
        total = len(spec.ns) * spec.samples
        desc = f"{spec.task}/{spec.ensemble}/{spec.case} q={spec.q}"
        with tqdm(
            total=total, initial=total - len(jobs), desc=desc, disable=not progress, unit="sample", dynamic_ncols=True
        ) as bar:
            if jobs:
                for rec in executor.map_unordered(run_job, jobs):
                    writer.append(rec)
                    mine.append({**rec, "crc": _crc(rec)})
                    computed += 1
                    bar.update(1)
    mine.sort(key=lambda r: (r["n"], r["index"]))
    result = SweepResult(spec, path, mine, reused, computed, time.perf_counter() - t0)
    result.summary = summarize(mine)
    return result


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class SummaryRow:
    """Sample statistics of Δ for one configuration and n (unnormalised Δ).

    ``exact`` is False when some samples are certified brackets (dA >= 3, not the fidelity task):
    then ``mean`` is the mean of the lower ends and ``upper_mean`` the mean of the certified upper ends.
    """

    task: str
    ensemble: str
    case: str
    q: int
    site: int
    seed: int
    n: int
    samples: int
    mean: float
    std: float  # sample standard deviation (ddof = 1; NaN for one sample: undefined, not 0)
    stderr: float  # std / sqrt(samples) (NaN for one sample)
    exact: bool = True
    upper_mean: float = math.nan
    m: int = 1  # A = sites site .. site + m - 1
    #: largest relative width (upper - value)/upper of a sample's certified bracket (0 when exact)
    max_width: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarize(records: Iterable[dict[str, Any]]) -> list[SummaryRow]:
    """Group records by configuration and n; mean, standard deviation and standard error of Δ."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(record_config_key(r) + (r["n"],), []).append(r)
    rows = []
    for key in sorted(groups):
        recs = groups[key]
        vals = np.asarray([float(r["value"]) for r in recs])
        uppers = np.asarray([float(r.get("upper", r["value"])) for r in recs])
        exact = all(r.get("exact", True) for r in recs)
        widths = [(u - v) / u if u > 0 else 0.0 for u, v in zip(uppers, vals)]
        std = float(vals.std(ddof=1)) if vals.size > 1 else math.nan
        cfg = dict(zip(CONFIG_FIELDS, key[:-1]))
        rows.append(
            SummaryRow(
                **cfg,
                n=key[-1],
                samples=int(vals.size),
                mean=float(vals.mean()),
                std=std,
                stderr=std / math.sqrt(vals.size),
                exact=exact,
                upper_mean=float(uppers.mean()) if not exact else math.nan,
                max_width=0.0 if exact else float(max(widths)),
            )
        )
    return rows
