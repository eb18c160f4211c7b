"""Where the samples of a sweep run: in this process, in local worker processes, or on a Dask cluster.

Every executor implements :meth:`Executor.map_unordered` (run a picklable function on each job, yield the
results as they finish, in any order) and ``close``.  :class:`SerialExecutor` runs jobs one after another;
:class:`ProcessExecutor` uses local processes (``concurrent.futures``, spawn start method), each with its
BLAS/OpenMP pools limited to one thread and exiting with its parent; :class:`DaskExecutor` submits to an
existing Dask cluster through ``dask.distributed.Client`` (the ``[dask]`` extra) and never hangs silently
when workers or the scheduler go away (:class:`ExecutorLostError`).  Values do not depend on the executor:
each sample is seeded by its (configuration, n, index) alone and runs with BLAS pinned to one thread.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from ..util.checks import check_int

__all__ = [
    "Executor",
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "ExecutorLostError",
    "make_executor",
    "PARENT_POLL_INTERVAL",
    "DASK_CONNECT_TIMEOUT",
]


class ExecutorLostError(RuntimeError):
    """The executor went away mid-sweep (Dask scheduler gone, every worker lost); finished samples are saved.

    Examples
    --------
    >>> issubclass(ExecutorLostError, RuntimeError)
    True
    """


class Executor(Protocol):
    """What :func:`~weingarten_check.experiments.sweep.run_sweep` needs of an executor.

    Attributes
    ----------
    name : str
        Shown in the sweep's summary (``"serial"``, ``"processes"``, ``"dask"``).

    Examples
    --------
    >>> ex: Executor = SerialExecutor()
    >>> sorted(ex.map_unordered(len, ["ab", "c"]))
    [1, 2]
    """

    name: str

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        """Run ``fn`` on each job and yield the results as they finish (any order)."""
        ...

    def close(self) -> None:
        """Release the workers (idempotent)."""
        ...


class SerialExecutor:
    """Runs jobs one after another in this process.

    Examples
    --------
    >>> list(SerialExecutor().map_unordered(abs, [-1, 2, -3]))
    [1, 2, 3]
    """

    name = "serial"

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        """Run ``fn`` on each job in order, yielding each result as it finishes."""
        for job in jobs:
            yield fn(job)

    def close(self) -> None:
        """Nothing to release."""


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
    variables are already set) so that N workers do not oversubscribe the cores, and each worker exits
    as soon as the process that started it dies (no orphans after ``kill -9``).

    Parameters
    ----------
    workers : int
        Number of worker processes (>= 1).
    threads_per_worker : int, default 1
        BLAS/OpenMP threads per worker (>= 1).

    Raises
    ------
    ValueError, TypeError
        If a count is not an integer >= 1.

    Examples
    --------
    >>> ex = ProcessExecutor(2)
    >>> ex.name, ex.workers
    ('processes', 2)
    >>> ex.close()
    """

    name = "processes"

    def __init__(self, workers: int, threads_per_worker: int = 1):
        self.workers = check_int(workers, "workers", 1)
        self.threads_per_worker = check_int(threads_per_worker, "threads_per_worker", 1)
        self._pool = None

    def map_unordered(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
        """Submit every job to the pool (started on first use) and yield results as they finish."""
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
        """Shut the pool down (pending jobs are cancelled)."""
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

    Parameters
    ----------
    address : str, optional
        The scheduler's address.
    client : dask.distributed.Client, optional
        An existing client (then not closed by :meth:`close`).
    timeout : str, optional
        Connection timeout (dask time string, default :data:`DASK_CONNECT_TIMEOUT`).
    poll_interval, lost_timeout, heartbeat_timeout : float
        Seconds between worker checks without a result; without any live worker before giving up; since
        a worker's last heartbeat before it counts as lost.
    log : callable, optional
        Where messages about lost workers go (default: one line on stderr).

    Raises
    ------
    ImportError
        Without the ``[dask]`` extra.
    ValueError
        With neither ``address`` nor ``client``.

    Examples
    --------
    >>> DaskExecutor()
    Traceback (most recent call last):
    ...
    ValueError: DaskExecutor needs a scheduler address or a client
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
        """Submit every job to the cluster and yield results as they finish, watching the workers.

        Raises
        ------
        ExecutorLostError
            When the scheduler goes away or no live worker was seen for ``lost_timeout`` seconds.
        """
        from dask.distributed import wait

        futures = [self.client.submit(fn, job, pure=False) for job in jobs]
        pending = set(futures)
        # the workers alive at submission: a worker that dies before the first idle poll is still
        # reported by name (samples can finish faster than poll_interval until the worker dies)
        try:
            known = self._live_workers()
        except Exception:  # the scheduler is unreachable: the first wait reports it
            known = None
        watch = {"known": known, "no_worker_since": None}
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
        """Close the client if this executor opened it."""
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
    """The executor a sweep command asks for: Dask if ``scheduler``, else serial or local processes.

    Parameters
    ----------
    workers : int, default 1
        1: :class:`SerialExecutor`; more: :class:`ProcessExecutor` with that many workers.
    scheduler : str, optional
        A Dask scheduler's address: :class:`DaskExecutor` (``workers`` is then ignored).

    Returns
    -------
    Executor

    Examples
    --------
    >>> make_executor().name, make_executor(2).name
    ('serial', 'processes')
    """
    if scheduler:
        return DaskExecutor(address=scheduler)
    if check_int(workers, "workers", 1) == 1:
        return SerialExecutor()
    return ProcessExecutor(workers)
