"""Up-front resource checks for sweeps: memory needed by one sample against the machine's available memory.

A sample of :func:`weingarten_check.experiments.variation_range_sample_result` holds a batch of
``dA²`` state vectors of dimension ``d = q**n`` (complex128, 16 bytes each) plus temporaries; the
fidelity task (``qsl``) only a few vectors of dimension d. Peak resident memory measured with
``ru_maxrss`` (one sample in a fresh process, every task/ensemble/case, q = 2 at n = 16, 20 and
q = 3 at n = 9, 10) is at most ``7 × 16 · dA² · d`` bytes (non-fidelity tasks) and
``1.6 × 16 · dA² · d`` (fidelity task); :func:`sample_bytes` uses 8× and 2× (a margin of ~15 %),
plus a fixed interpreter overhead per process. The check runs before any work, so a size that
cannot fit is refused with the largest n that does, instead of a numpy "array is too big"
traceback or an out-of-memory kill half-way through.
"""
from __future__ import annotations

import os

__all__ = ["sample_bytes", "available_memory", "largest_n", "check_sweep_memory", "MemoryCheckError"]

#: fixed per-process overhead (interpreter, numpy, scipy, sympy imports), bytes
PROCESS_OVERHEAD = 300 * 2**20


class MemoryCheckError(ValueError):
    """A sweep would need more memory than the machine has available (message names n and what fits)."""


def sample_bytes(task: str, n: int, q: int, m: int = 1) -> int:
    """Estimated peak bytes of one Δ sample of ``task`` with n sites of dimension q and |A| = m."""
    d = q**n
    dA = q**m
    factor = 2 if task == "qsl" else 8
    return factor * 16 * dA * dA * d


def available_memory() -> int | None:
    """Bytes of memory available to new work (``MemAvailable`` of /proc/meminfo; psutil elsewhere), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:  # pragma: no cover - non-Linux
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # pragma: no cover
        return None


def largest_n(task: str, q: int, budget: int, m: int = 1) -> int | None:
    """The largest n (> m) whose sample fits in ``budget`` bytes, or None if not even n = m + 1 does."""
    n = m + 1
    if sample_bytes(task, n, q, m) > budget:
        return None
    while sample_bytes(task, n + 1, q, m) <= budget:
        n += 1
    return n


def _fmt_bytes(b: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if b < 1024 or unit == "PiB":
            return f"{b:.3g} {unit}" if unit != "B" else f"{int(b)} B"
        b /= 1024
    return f"{b:.3g} PiB"  # pragma: no cover


def check_sweep_memory(tasks: list[str], ns: list[int], q: int, workers: int = 1,
                       available: int | None = None) -> None:
    """Raise :class:`MemoryCheckError` if the largest n of a sweep cannot fit in available memory.

    ``workers`` local processes each hold one sample at a time. ``available`` defaults to
    :func:`available_memory`; when it is unknown the check is skipped. The message says which n fits.
    """
    avail = available_memory() if available is None else available
    if avail is None or not ns:
        return
    budget = avail // max(1, workers) - PROCESS_OVERHEAD
    for task in tasks:
        n = max(ns)
        need = sample_bytes(task, n, q)
        if need > budget:
            fits = largest_n(task, q, max(budget, 0))
            who = f" with {workers} workers" if workers > 1 else ""
            tail = (f"n <= {fits} fits{who}" if fits is not None else "not even the smallest n fits")
            raise MemoryCheckError(
                f"n = {n} (q = {q}, task {task}) needs about {_fmt_bytes(need)} per sample but "
                f"{_fmt_bytes(avail)} is available on this machine: {tail}")
