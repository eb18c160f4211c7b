"""Resumable sweeps of the variation range Δ over the number of sites n.

A sweep computes ``samples`` independent values of Δ (unnormalised, as returned by
:func:`weingarten_check.experiments.variation_range_sample`) for every ``n`` of a list,
for one (task, ensemble, case, q, site, seed) configuration — the data behind the
paper's Figure 5 and its qudit extension.

Guarantees (tested in ``tests/test_sweep.py``):

* **Deterministic samples.** Sample ``index`` at size ``n`` draws all its randomness
  from ``default_rng(SeedSequence([seed, config_tag], spawn_key=(n, index)))`` (see
  :func:`sample_rng`; ``config_tag`` separates tasks/cases), so its
  value does not depend on the order of execution, the number of workers, or on how
  often the sweep was interrupted and resumed.
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
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .experiments import CASES, ENSEMBLES, TASKS, config_entropy, sample_rng

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
M_SITES = 1  # size of subsystem A (the paper's m = 1; experiments use a single site)

#: fields that identify a configuration (together with n and index they identify a sample)
CONFIG_FIELDS = ("task", "ensemble", "case", "q", "site", "seed")
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
    ``q`` the local dimension (>= 2), ``site`` the site of A (m = 1), ``samples`` >= 1
    samples per n, every n > m = 1 and > site.
    """

    task: str
    ensemble: str
    case: str
    ns: tuple[int, ...]
    q: int = 2
    site: int = 0
    samples: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}")
        if self.ensemble not in ENSEMBLES:
            raise ValueError(
                f"ensemble must be one of {', '.join(ENSEMBLES)}; got {self.ensemble!r}"
            )
        if self.case not in CASES:
            raise ValueError(f"case must be one of {', '.join(CASES)}; got {self.case!r}")
        _check_int("q", self.q, 2)
        if self.ensemble == "clifford" and self.q != 2:
            raise ValueError(f"ensemble 'clifford' is for qubits only (q = 2); got q = {self.q}")
        _check_int("site", self.site, 0)
        _check_int("samples", self.samples, 1)
        _check_int("seed", self.seed, 0)
        if isinstance(self.ns, (int, np.integer)):
            object.__setattr__(self, "ns", (int(self.ns),))
        ns = tuple(self.ns)
        if not ns:
            raise ValueError("ns must list at least one number of sites n")
        for n in ns:
            _check_int("n", n, 1)
            if n <= M_SITES:
                raise ValueError(f"n must be > m = {M_SITES} (the size of A); got n = {n}")
            if self.site >= n:
                raise ValueError(f"site must be < n; got site = {self.site} with n = {n}")
        object.__setattr__(self, "ns", tuple(sorted(set(int(n) for n in ns))))

    @property
    def config(self) -> dict[str, Any]:
        """The fields identifying this configuration in a results file."""
        return {f: getattr(self, f) for f in CONFIG_FIELDS}

    def config_key(self) -> tuple:
        return tuple(getattr(self, f) for f in CONFIG_FIELDS)


def record_config_key(rec: dict[str, Any]) -> tuple:
    """Configuration key of a record (same order as :meth:`SweepSpec.config_key`)."""
    return tuple(rec[f] for f in CONFIG_FIELDS)


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


def repair_results(path: str | os.PathLike) -> int:
    """Drop an incomplete (torn) last line of a results file; return the number of bytes dropped.

    Only the unterminated tail is removed (write to a temporary file, fsync, rename);
    corrupt *complete* lines are never removed silently: :func:`read_results` still reports them.
    """
    path = Path(path)
    if not path.exists():
        return 0
    data = path.read_bytes()
    cut = data.rfind(b"\n") + 1
    dropped = len(data) - cut
    if dropped:
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
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self.fd)
                raise ResultsLockedError(
                    f"results file {path} is locked by another running sweep"
                ) from None

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

    def __enter__(self) -> "_AppendWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# --------------------------------------------------------------------------- jobs

SampleFn = Callable[..., float]


@functools.lru_cache(maxsize=64)
def _task_spec(task: str, n: int, q: int, site: int):
    """Per-process cache of :func:`experiments.task_spec` (observable, w, couplings: built once per n)."""
    from weingarten_check.experiments import task_spec

    return task_spec(task, n, q, site)


def default_sample_fn(
    task: str, ensemble: str, case: str, n: int, *, q: int, site: int, rng: np.random.Generator
) -> Any:
    """One Δ with its certificate: :func:`weingarten_check.experiments.variation_range_sample_result`.

    Returns the result object (``value``, ``lower``, ``upper``, ``exact``); exact for one qubit and
    for the fidelity task, a certified bracket otherwise (then ``value = lower``).
    """
    from weingarten_check.experiments import variation_range_sample_result

    return variation_range_sample_result(_task_spec(task, n, q, site), ensemble, case, rng)


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
    fn = job.sample_fn or default_sample_fn
    rng = sample_rng(cfg["seed"], job.n, job.index,
                     config_entropy(cfg["task"], cfg["ensemble"], cfg["case"], cfg["q"], cfg["site"]))
    t0 = time.perf_counter()
    out = fn(cfg["task"], cfg["ensemble"], cfg["case"], job.n, q=cfg["q"], site=cfg["site"], rng=rng)
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
    return {"schema": SCHEMA, **cfg, "n": job.n, "index": job.index, "value": value, **extra,
            "seconds": round(seconds, 6)}


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
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=mp.get_context("spawn")
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
    """

    name = "dask"

    def __init__(self, address: str | None = None, client: Any = None, timeout: str | None = None):
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

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        futures = [self.client.submit(fn, job, pure=False) for job in jobs]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        if self._own:
            self.client.close()


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
    summary: list["SummaryRow"] = field(default_factory=list)


def missing_samples(spec: SweepSpec, records: Iterable[dict[str, Any]]) -> list[tuple[int, int]]:
    """(n, index) pairs of ``spec`` not present in ``records``, in increasing n then index."""
    key = spec.config_key()
    done = {(r["n"], r["index"]) for r in records if record_config_key(r) == key}
    return [(n, i) for n in spec.ns for i in range(spec.samples) if (n, i) not in done]


def _select(spec: SweepSpec, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    key = spec.config_key()
    ns = set(spec.ns)
    out = [r for r in records
           if record_config_key(r) == key and r["n"] in ns and r["index"] < spec.samples]
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
    with _AppendWriter(path, fsync=fsync) as writer:
        existing = read_results(path)  # after taking the lock
        todo = missing_samples(spec, existing)
        mine = _select(spec, existing)
        reused = len(mine)
        if recheck and mine:
            for rec in mine[: int(recheck)]:
                fresh = run_job(SampleJob(spec.config_key(), rec["n"], rec["index"], sample_fn))
                if not math.isclose(fresh["value"], rec["value"], rel_tol=1e-9, abs_tol=1e-12):
                    raise RuntimeError(
                        f"{path}: stored sample n={rec['n']} index={rec['index']} has value "
                        f"{rec['value']!r} but recomputes to {fresh['value']!r}; the file was written "
                        "by a different version of the sampler — use a new results file"
                    )
        jobs = [SampleJob(spec.config_key(), n, i, sample_fn) for n, i in todo]
        computed = 0
        total = len(spec.ns) * spec.samples
        desc = f"{spec.task}/{spec.ensemble}/{spec.case} q={spec.q}"
        with tqdm(total=total, initial=total - len(jobs), desc=desc, disable=not progress,
                  unit="sample", dynamic_ncols=True) as bar:
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
    then ``mean`` is the mean of the lower ends and ``upper_mean`` the mean of the upper ends 2||K||_*.
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
    std: float  # sample standard deviation (ddof = 1; 0 for one sample)
    stderr: float  # std / sqrt(samples)
    exact: bool = True
    upper_mean: float = math.nan

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
        std = float(vals.std(ddof=1)) if vals.size > 1 else 0.0
        cfg = dict(zip(CONFIG_FIELDS, key[:-1]))
        rows.append(SummaryRow(**cfg, n=key[-1], samples=int(vals.size), mean=float(vals.mean()),
                               std=std, stderr=std / math.sqrt(vals.size), exact=exact,
                               upper_mean=float(uppers.mean()) if not exact else math.nan))
    return rows
