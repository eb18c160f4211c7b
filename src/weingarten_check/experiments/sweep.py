"""Resumable sweeps of the variation range Δ over the number of sites n.

A sweep (:class:`SweepSpec` = a :class:`~weingarten_check.experiments.tasks.RunConfig` + the sizes
``ns`` + ``samples`` per n) computes independent values of Δ (unnormalised, with their certificates:
:func:`weingarten_check.experiments.instances.variation_range_sample_result`) and appends each finished
sample to a results file (:mod:`.store`) -- the data behind the paper's Figure 5 and its qudit extension.

Guarantees (tested in ``tests/test_sweep.py`` and ``tests/test_executors.py``):

* **Deterministic samples.** Sample ``index`` at size ``n`` draws all its randomness from
  :meth:`RunConfig.rng` ``(n, index)`` (the project's one seeding rule,
  :func:`weingarten_check.experiments.tasks.sample_rng`), so its value does not depend on the order of
  execution, the number of workers, or on how often the sweep was interrupted and resumed.  Every sample
  runs with the BLAS/OpenMP pools pinned to one thread (:data:`weingarten_check.util.blas_threads.SAMPLE_BLAS_THREADS`),
  because OpenBLAS's last bits depend on its thread count: serial, process and Dask values are then
  bit-identical on one machine (a cluster of different CPUs may still differ in the last bits).
* **Nothing is lost, nothing is written twice.** Only the main process writes, through
  :class:`~weingarten_check.experiments.store.ResultsWriter` (atomic appends, CRC per line, an exclusive
  lock); on resume every line is checked (:func:`~weingarten_check.experiments.store.read_results`),
  existing (n, index) pairs of the same configuration are reused and only the others are computed.

Executors (:mod:`.executors`): serial, local processes, or an existing Dask cluster.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..util.blas_threads import BLAS_PIN
from ..util.checks import check_int, is_int
from .executors import Executor, SerialExecutor
from .statistics import SummaryRow, summarize
from .store import SCHEMA, ResultsWriter, read_results, record_crc
from .tasks import RunConfig, record_config_key

__all__ = [
    "SweepSpec",
    "SweepResult",
    "StoredSampleMismatchError",
    "SampleFn",
    "SampleJob",
    "default_sample_fn",
    "run_job",
    "missing_samples",
    "iter_missing_samples",
    "run_sweep",
    "JOB_BATCH",
]


class StoredSampleMismatchError(RuntimeError):
    """A stored sample recomputes to a different value (``recheck``): the file is from another sampler.

    Examples
    --------
    >>> issubclass(StoredSampleMismatchError, RuntimeError)
    True
    """


@dataclass(frozen=True)
class SweepSpec:
    """One sweep: ``samples`` Δ samples for each n in ``ns`` of one configuration.

    Parameters
    ----------
    config : RunConfig
        The configuration (task, ensemble, case, q, A = sites ``site .. site + m - 1``, seed).
    ns : sequence of int or int
        The sizes; each must leave B non-empty (``n > m``, ``site + m <= n``: :meth:`RunConfig.check_n`).
        Stored sorted and without repeats.
    samples : int, default 100
        Samples per n (>= 1).

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`RunConfig`, or ``samples`` or an n is not an integer.
    ValueError
        If ``samples < 1``, ``ns`` is empty or an n does not fit A.

    Examples
    --------
    >>> spec = SweepSpec(RunConfig("vqe", "haar", "v1", seed=11), ns=(5, 3, 4, 3), samples=6)
    >>> spec.ns, spec.samples, spec.config.seed
    ((3, 4, 5), 6, 11)
    >>> SweepSpec(RunConfig("vqe", "haar", "v1", m=2), ns=(2,))
    Traceback (most recent call last):
    ...
    ValueError: n must be > m = 2 (the size of A); got n = 2
    """

    config: RunConfig
    ns: tuple[int, ...]
    samples: int = 100

    def __post_init__(self) -> None:
        if not isinstance(self.config, RunConfig):
            raise TypeError(f"config must be a RunConfig, got {type(self.config).__name__}")
        object.__setattr__(self, "samples", check_int(self.samples, "samples", 1))
        ns = (self.ns,) if is_int(self.ns) else tuple(self.ns)
        if not ns:
            raise ValueError("ns must list at least one number of sites n")
        object.__setattr__(self, "ns", tuple(sorted({self.config.check_n(n) for n in ns})))


SampleFn = Callable[..., float]


def default_sample_fn(
    task: str,
    ensemble: str,
    case: str,
    n: int,
    *,
    q: int,
    site: int,
    rng: np.random.Generator,
    m: int = 1,
    layers: int | None = None,
) -> Any:
    """One Δ with its certificate: :func:`weingarten_check.experiments.instances.variation_range_sample_result`.

    The sample function of :func:`run_sweep` unless another is given; the task at n is built once per
    process (:meth:`RunConfig.task_spec`).

    Parameters
    ----------
    task, ensemble, case : str
        The configuration's names.
    n : int
        Number of sites.
    q, site, m : int
        Local dimension; A = sites ``site .. site + m - 1``.
    rng : numpy.random.Generator
        The sample's generator (:meth:`RunConfig.rng`).
    layers : int, optional
        The depth of a finite-depth ensemble (None: its default, 10 n).

    Returns
    -------
    VariationRangeResult
        ``value``, ``lower``, ``upper``, ``exact``: exact for one qubit and for the fidelity task, a
        certified bracket otherwise (then ``value = lower``; Lemma 12 of proofs/DERIVATION.md).

    Examples
    --------
    >>> c = RunConfig("qsl", "haar", "v1")
    >>> r = default_sample_fn("qsl", "haar", "v1", 4, q=2, site=0, rng=c.rng(4, 0))
    >>> r.exact, round(r.value, 6)
    (True, 0.048451)
    """
    from .instances import variation_range_sample_result

    spec = RunConfig(task, ensemble, case, q=q, site=site, m=m).task_spec(n)
    return variation_range_sample_result(spec, ensemble, case, rng, layers=layers)


@dataclass(frozen=True)
class SampleJob:
    """One unit of work of a sweep, picklable (for processes and Dask): sample ``index`` at size ``n``.

    Attributes
    ----------
    config : RunConfig
    n, index : int
    sample_fn : callable, optional
        The sample function (default :func:`default_sample_fn`); module-level for process/Dask executors.

    Examples
    --------
    >>> import pickle
    >>> job = SampleJob(RunConfig("qsl", "local1", "both", seed=1), n=5, index=3)
    >>> pickle.loads(pickle.dumps(job)) == job
    True
    """

    config: RunConfig
    n: int
    index: int
    sample_fn: SampleFn | None = None


def run_job(job: SampleJob) -> dict[str, Any]:
    """Compute one sample and return its results record (without CRC); runs in the worker.

    The sample function is called as ``fn(task, ensemble, case, n, q=, site=, rng=)`` (and ``m=`` when
    m != 1, ``layers=`` when a depth is given, so sample functions written before need not take them).
    It returns a float (Δ) or an object with ``value`` and optionally ``upper`` and ``exact`` (a
    certified bracket); then ``upper`` and ``exact`` are recorded too.

    Parameters
    ----------
    job : SampleJob
        The configuration, ``n``, ``index`` and (optionally) the sample function.

    Returns
    -------
    dict
        ``schema``, the configuration's :meth:`RunConfig.record_fields`, ``n``, ``index``, ``value``,
        ``upper`` and ``exact`` when the sample has an upper end, and ``seconds``; no ``crc`` (the
        writer adds it).

    Raises
    ------
    ValueError
        If the sample function returns a non-finite value or upper end.

    Examples
    --------
    >>> job = SampleJob(RunConfig("vqe", "haar", "v1", seed=2), 4, 0, lambda *a, rng, **k: 0.5)
    >>> rec = run_job(job)
    >>> {k: rec[k] for k in ("task", "seed", "n", "index", "value")}
    {'task': 'vqe', 'seed': 2, 'n': 4, 'index': 0, 'value': 0.5}
    """
    cfg = job.config
    fn = job.sample_fn or default_sample_fn
    rng = cfg.rng(job.n, job.index)
    BLAS_PIN.ensure()
    t0 = time.perf_counter()
    more: dict[str, int] = {"m": cfg.m} if cfg.m != 1 else {}  # functions written for m = 1 need not take m
    if cfg.layers is not None:  # nor those written before layers existed
        more["layers"] = cfg.layers
    out = fn(cfg.task, cfg.ensemble, cfg.case, job.n, q=cfg.q, site=cfg.site, rng=rng, **more)
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
    return {
        "schema": SCHEMA,
        **cfg.record_fields(),
        "n": job.n,
        "index": job.index,
        "value": value,
        **extra,
        "seconds": round(seconds, 6),
    }


@dataclass
class SweepResult:
    """Outcome of :func:`run_sweep`.

    Attributes
    ----------
    spec : SweepSpec
    path : pathlib.Path
        The results file.
    records : list of dict
        The samples of this configuration with n in ``spec.ns`` and index < ``spec.samples``, sorted by
        (n, index).
    reused, computed : int
        Samples found in the file, and computed by this call.
    seconds : float
    summary : list of SummaryRow
        :func:`~weingarten_check.experiments.statistics.summarize` of ``records``.

    Its repr is a one-line summary (configuration, sizes, counts), not the records.

    Examples
    --------
    >>> spec = SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=2)
    >>> records = [dict(n=n, index=i, value=0.5) for n in (3, 4) for i in range(2)]
    >>> SweepResult(spec, Path("r.jsonl"), records, reused=1, computed=3, seconds=0.25)
    SweepResult(vqe/haar/v1 q=2 site=0 m=1 seed=0, n=3,4, 4 records (1 reused, 3 computed), path='r.jsonl', 0.2 s)

    See also :func:`run_sweep`.
    """

    spec: SweepSpec
    path: Path
    records: list[dict[str, Any]]
    reused: int
    computed: int
    seconds: float = 0.0
    summary: list[SummaryRow] = field(default_factory=list)

    def __repr__(self) -> str:
        c = self.spec.config
        depth = f" layers={c.layers}" if c.layers is not None else ""
        return (
            f"SweepResult({c.task}/{c.ensemble}/{c.case} q={c.q} site={c.site} m={c.m} seed={c.seed}{depth}, "
            f"n={','.join(map(str, self.spec.ns))}, {len(self.records)} records ({self.reused} reused, "
            f"{self.computed} computed), path={str(self.path)!r}, {self.seconds:.1f} s)"
        )


#: jobs handed to the executor at a time: the job list is generated lazily, so ``--samples 10**8`` costs
#: no memory up front (only the finished records are kept)
JOB_BATCH = 1024


def iter_missing_samples(spec: SweepSpec, done: Container[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The (n, index) pairs of ``spec`` not in ``done``, generated lazily in increasing n then index.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    done : container of tuple of int
        The (n, index) pairs already stored for ``spec``'s configuration.

    Yields
    ------
    tuple of int
        ``(n, index)`` with n in ``spec.ns`` and ``index < spec.samples``.

    Examples
    --------
    >>> spec = SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=10**12)
    >>> it = iter_missing_samples(spec, {(3, 0)})
    >>> next(it), next(it)
    ((3, 1), (3, 2))
    """
    for n in spec.ns:
        for i in range(spec.samples):
            if (n, i) not in done:
                yield n, i


def missing_samples(spec: SweepSpec, records: Iterable[dict[str, Any]]) -> list[tuple[int, int]]:
    """The (n, index) pairs of ``spec`` not present in ``records``, in increasing n then index.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    records : iterable of dict
        Results records; those of other configurations (:func:`record_config_key`) are ignored.

    Returns
    -------
    list of tuple of int
        ``(n, index)`` with n in ``spec.ns`` and ``index < spec.samples``.

    Examples
    --------
    >>> spec = SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=2)
    >>> done = [dict(task="vqe", ensemble="haar", case="v1", q=2, site=0, seed=0, n=3, index=1)]
    >>> missing_samples(spec, done)
    [(3, 0), (4, 0), (4, 1)]
    """
    key = spec.config.key()
    done = {(r["n"], r["index"]) for r in records if record_config_key(r) == key}
    return list(iter_missing_samples(spec, done))


def _select(spec: SweepSpec, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    key = spec.config.key()
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

    Existing lines are read and checked first; only missing (n, index) pairs are computed.  An
    exception in a sample stops the sweep; every sample finished before it is already on disk.

    Parameters
    ----------
    spec : SweepSpec
        What to compute.
    path : str or os.PathLike
        The results file (created if absent; other configurations in it are left alone).
    executor : Executor, optional
        Where samples run (default :class:`~weingarten_check.experiments.executors.SerialExecutor`).
    sample_fn : callable, optional
        The sample function (default :func:`default_sample_fn`; see :func:`run_job`); a module-level
        function for process/Dask executors.
    progress : bool, default True
        Show a progress bar.
    recheck : int, default 0
        Recompute that many already-stored samples first and stop if they differ (the code or the
        sampler changed since the file was written).
    fsync : bool, default True
        fsync the file at least every 0.5 s and on close.

    Returns
    -------
    SweepResult

    Raises
    ------
    TypeError
        If ``spec`` is not a :class:`SweepSpec`.
    CorruptResultsError
        If a line of the file is corrupt (:func:`~weingarten_check.experiments.store.read_results`).
    ResultsLockedError
        If another sweep holds the file's lock.
    StoredSampleMismatchError
        If a rechecked sample recomputes to a different value.

    Examples
    --------
    >>> import tempfile
    >>> spec = SweepSpec(RunConfig("vqe", "haar", "v1"), ns=(3, 4), samples=2)
    >>> fake = lambda task, ensemble, case, n, *, q, site, rng: 2.0 ** -n
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = run_sweep(spec, Path(tmp) / "r.jsonl", sample_fn=fake, progress=False)
    ...     again = run_sweep(spec, Path(tmp) / "r.jsonl", sample_fn=fake, progress=False)
    >>> (first.computed, first.reused), (again.computed, again.reused), [r.mean for r in again.summary]
    ((4, 0), (0, 4), [0.125, 0.0625])
    """
    from tqdm import tqdm

    if not isinstance(spec, SweepSpec):
        raise TypeError(f"spec must be a SweepSpec, got {type(spec).__name__}")
    path = Path(path)
    executor = executor or SerialExecutor()
    cfg = spec.config
    t0 = time.perf_counter()
    with BLAS_PIN.driver(), ResultsWriter(path, fsync=fsync) as writer:
        existing = read_results(path)  # after taking the lock
        mine = _select(spec, existing)
        del existing
        done = {(r["n"], r["index"]) for r in mine}
        reused = len(mine)
        if recheck and mine:
            for rec in mine[: int(recheck)]:
                fresh = run_job(SampleJob(cfg, rec["n"], rec["index"], sample_fn))
                if not math.isclose(fresh["value"], rec["value"], rel_tol=1e-9, abs_tol=1e-12):
                    raise StoredSampleMismatchError(
                        f"{path}: stored sample n={rec['n']} index={rec['index']} has value "
                        f"{rec['value']!r} but recomputes to {fresh['value']!r}; the file was written "
                        "by a different version of the sampler — use a new results file"
                    )
        jobs = (SampleJob(cfg, n, i, sample_fn) for n, i in iter_missing_samples(spec, done))
        computed = 0
        total = len(spec.ns) * spec.samples
        desc = f"{cfg.task}/{cfg.ensemble}/{cfg.case} q={cfg.q}" + (
            f" L={cfg.layers}" if cfg.layers is not None else ""
        )
        with tqdm(
            total=total, initial=len(done), desc=desc, disable=not progress, unit="sample", dynamic_ncols=True
        ) as bar:
            while batch := list(itertools.islice(jobs, JOB_BATCH)):
                for rec in executor.map_unordered(run_job, batch):
                    writer.append(rec)
                    mine.append({**rec, "crc": record_crc(rec)})
                    computed += 1
                    bar.update(1)
    mine.sort(key=lambda r: (r["n"], r["index"]))
    result = SweepResult(spec, path, mine, reused, computed, time.perf_counter() - t0)
    result.summary = summarize(mine)
    return result
