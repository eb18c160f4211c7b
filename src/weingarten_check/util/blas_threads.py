"""One BLAS thread per sample, in every process: bit-identical values across executors.

OpenBLAS's results depend in the last bits on its thread count (at n = 14, 6 of 12 sweep samples
differed between a serial run with a 2-thread BLAS and ``--workers 2`` with 1-thread workers).
:data:`BLAS_PIN` pins every BLAS/OpenMP pool of the process to :data:`SAMPLE_BLAS_THREADS` with
threadpoolctl; :mod:`.sweep` (every executor) and :func:`.experiments.estimate_variation_range` use it,
so a sweep's sample s equals an estimate's sample s and serial, process and Dask runs agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["SAMPLE_BLAS_THREADS", "BlasPin", "BLAS_PIN"]

#: BLAS/OpenMP threads while a sample runs, in every executor: OpenBLAS's results depend (in the last
#: bits) on its thread count, so pinning one count makes serial, process and Dask values bit-identical
SAMPLE_BLAS_THREADS = 1


class BlasPin:
    """Process-wide pin of the BLAS/OpenMP thread pools to :data:`SAMPLE_BLAS_THREADS` (threadpoolctl).

    The OpenBLAS limit is one process-wide setting, and threadpoolctl (>= 3.6) lets only one
    "controlling" Python thread change it, silently ignoring the others — a Dask worker runs samples in
    several threads. So the pin is taken once per process (taking control first) and kept:
    :meth:`ensure` is called before every sample. :func:`run_sweep` wraps a sweep in :meth:`driver`,
    which pins this process for the sweep's duration and restores the previous limits afterwards
    (so a notebook calling ``run_sweep`` keeps its multithreaded BLAS outside sweeps); worker processes
    (``--workers``, Dask workers) simply stay pinned.

    Examples
    --------
    >>> pin = BlasPin()
    >>> with pin.driver():
    ...     print(pin.threads() == {SAMPLE_BLAS_THREADS})
    True
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._pinned = False
        self._drivers = 0
        self._controller: Any = None

    def _take_control(self) -> None:
        try:
            from threadpoolctl import OpenBLASController

            OpenBLASController.clear_controlling_thread(force=True)
        except (ImportError, AttributeError):  # threadpoolctl < 3.6: any thread may set the limit
            pass

    def ensure(self) -> None:
        """Pin this process's BLAS/OpenMP pools (idempotent, cheap after the first call)."""
        if self._pinned:
            return
        with self._lock:
            if self._pinned:
                return
            if self._controller is None:
                import scipy.linalg  # noqa: F401  (load scipy's own BLAS before looking for pools)
                from threadpoolctl import ThreadpoolController

                self._controller = ThreadpoolController()
            self._take_control()
            self._controller.limit(limits=SAMPLE_BLAS_THREADS)
            self._pinned = True

    def threads(self) -> set[int]:
        """Current thread counts of the BLAS pools found (for tests)."""
        self.ensure_controller()
        return {int(i["num_threads"]) for i in self._controller.info() if i["user_api"] == "blas"}

    def ensure_controller(self) -> None:
        with self._lock:
            if self._controller is None:
                import scipy.linalg  # noqa: F401
                from threadpoolctl import ThreadpoolController

                self._controller = ThreadpoolController()

    @contextlib.contextmanager
    def driver(self) -> Iterator[None]:
        """Pin for the duration of a sweep in the calling process; restore the previous limits after."""
        self.ensure_controller()
        with self._lock:
            self._drivers += 1
            first = self._drivers == 1 and not self._pinned
            original = self._controller.info() if first else None
        self.ensure()
        try:
            yield
        finally:
            with self._lock:
                self._drivers -= 1
                if first and self._drivers == 0:
                    self._take_control()
                    for lib, info in zip(self._controller.lib_controllers, original):
                        lib.set_num_threads(info["num_threads"])
                    self._pinned = False


BLAS_PIN = BlasPin()
