"""Up-front resource checks for sweeps: memory needed by one sample against the machine's available memory.

The model follows what a sample of :func:`weingarten_check.experiments.instances.variation_range_sample_result`
holds (``S = 16 q^n`` bytes is one complex128 state vector, ``dA = q^m``):

* exact-Haar ensemble, reduced path (:mod:`weingarten_check.states.reduced`, the default): with V2 = I one random
  state plus chunk buffers, ``1.3 S``; with a Haar V2 the ``dA·r`` isometry columns (r = dA below
  d/dA), ``1.1 (dA² + 2) S``; the fidelity task one state (``1.2 S``), or two states and their
  overlaps when both V1 and V2 are random (``3.2 S``);
* any other ensemble (circuits, Cliffords) or an unknown one: the dense model, ``dA²`` evolved
  vectors plus temporaries, ``8 dA² S`` (fidelity task ``2 dA² S``);

plus :data:`FIXED_BUFFERS` for chunk buffers and small matrices.  Measured with ``tracemalloc``
(numpy reports its buffers), one sample per configuration: exact Haar, q = 2 at n = 16, 18 and
(m = 2) n = 16, 20, q = 3 at n = 10, 12 (m = 1 and 2), every task and case — peak
``<= 1.23 S + 18 MiB`` (V2 = I), ``<= 1.05 (dA² + 1) S + 16 MiB`` (Haar V2), fidelity ``<= 3.01 S``;
``tests/test_cli_hardening.py`` checks the model against fresh peaks.  The check runs before any work,
so a size that cannot fit is refused with the largest n that does, instead of a numpy "array is too
big" traceback or an out-of-memory kill half-way through; a size that fits is not refused (n = 28
qubits and n = 17 qutrits with the exact-Haar V1 fit in 24 GiB).
"""

from __future__ import annotations

__all__ = ["sample_bytes", "available_memory", "largest_n", "check_sweep_memory", "MemoryCheckError"]

#: fixed per-process overhead (interpreter, numpy, scipy, sympy imports), bytes
PROCESS_OVERHEAD = 300 * 2**20


class MemoryCheckError(ValueError):
    """A sweep would need more memory than the machine has available (the message names n and what fits).

    Attributes
    ----------
    option : str
        What to change: ``"n"`` (one sample at the largest n does not fit) or ``"workers"`` (one
        sample fits, but not one per worker process).

    Examples
    --------
    See :func:`check_sweep_memory`.
    """

    def __init__(self, message: str, option: str = "n") -> None:
        super().__init__(message)
        self.option = option


#: chunk buffers and small matrices of one sample, bytes (measured <= 18 MiB)
FIXED_BUFFERS = 32 * 2**20


def sample_bytes(task: str, n: int, q: int, m: int = 1, *, ensemble: str | None = None, case: str | None = None) -> int:
    """Estimated peak bytes of one Δ sample (the model of the module docstring).

    Parameters
    ----------
    task : str
        The task (``"qsl"`` has the fidelity model).
    n, q, m : int
        Number of sites, local dimension, number of sites of A.
    ensemble, case : str, optional
        The ensemble and case (None: unknown, the largest of the model).

    Returns
    -------
    int
        Bytes.

    Examples
    --------
    >>> sample_bytes("vqe", 20, 2, ensemble="haar", case="v1") // 2**20  # 1.3 S + buffers, S = 16 MiB
    52
    """
    d = q**n
    dA = q**m
    S = 16 * d
    if ensemble == "haar" and case in ("v1", "v2", "both"):
        if task == "qsl":
            factor = 3.2 if case == "both" else 1.2
        else:
            factor = 1.3 if case == "v1" else 1.1 * (dA * dA + 2)
    else:  # circuits, Cliffords, or unknown: the dense model
        factor = (2 if task == "qsl" else 8) * dA * dA
    return int(factor * S) + FIXED_BUFFERS


def available_memory() -> int | None:
    """Bytes of memory available to new work (``MemAvailable`` of /proc/meminfo; psutil elsewhere), or None.

    Examples
    --------
    >>> avail = available_memory()
    >>> avail is None or avail > 0
    True
    """
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


def largest_n(
    task: str, q: int, budget: int, m: int = 1, *, ensemble: str | None = None, case: str | None = None
) -> int | None:
    """The largest n (> m) whose sample (:func:`sample_bytes`) fits in ``budget`` bytes; None if n = m + 1 does not.

    Parameters
    ----------
    task : str
        The task (``"qsl"`` has the fidelity model).
    q : int
        The local dimension.
    budget : int
        Bytes available to one sample.
    m : int, default 1
        The number of sites of A.
    ensemble, case : str, optional
        The ensemble and case (None: unknown, the largest of the model).

    Returns
    -------
    int or None

    Examples
    --------
    >>> largest_n("vqe", 2, 2**30, ensemble="haar", case="v1"), largest_n("vqe", 2, 2**20)
    (25, None)
    """
    n = m + 1
    kw = dict(ensemble=ensemble, case=case)
    if sample_bytes(task, n, q, m, **kw) > budget:
        return None
    while sample_bytes(task, n + 1, q, m, **kw) <= budget:
        n += 1
    return n


def _fmt_bytes(b: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if b < 1024 or unit == "PiB":
            return f"{b:.3g} {unit}" if unit != "B" else f"{int(b)} B"
        b /= 1024
    return f"{b:.3g} PiB"  # pragma: no cover


def check_sweep_memory(
    tasks: list[str],
    ns: list[int],
    q: int,
    workers: int = 1,
    available: int | None = None,
    *,
    m: int = 1,
    ensemble: str | None = None,
    cases: list[str] | None = None,
) -> None:
    """Raise :class:`MemoryCheckError` if the largest n of a sweep cannot fit in available memory.

    Parameters
    ----------
    tasks : list of str
        The sweep's tasks.
    ns : list of int
        Its sizes (the largest decides).
    q : int
        Local dimension.
    workers : int, default 1
        Local processes, each holding one sample at a time.
    available : int, optional
        Bytes available (default :func:`available_memory`; when unknown the check is skipped).
    m : int, default 1
        Number of sites of A.
    ensemble : str, optional
        Selects the model (None: the largest).
    cases : list of str, optional
        The heaviest case decides (None: the largest model).

    Raises
    ------
    MemoryCheckError
        Naming n, the bytes needed and available, and the largest n that fits (``option = "n"``); or,
        when one sample fits but ``workers`` processes do not, the number of workers that fits
        (``option = "workers"``).

    Examples
    --------
    >>> check_sweep_memory(["vqe"], [20], 2, available=2**30, ensemble="haar", cases=["v1"])  # fits
    >>> try:
    ...     check_sweep_memory(["vqe"], [28], 2, available=2**30, ensemble="haar", cases=["v1"])
    ... except MemoryCheckError as exc:
    ...     print(str(exc).split(": ")[-1])
    n <= 25 fits
    >>> try:
    ...     check_sweep_memory(["vqe"], [4], 2, workers=1000, available=22 * 2**30, ensemble="haar", cases=["v1"])
    ... except MemoryCheckError as exc:
    ...     print(exc.option, "|", str(exc).split(": ")[-1])
    workers | at most 67 workers fit
    """
    avail = available_memory() if available is None else available
    if avail is None or not ns:
        return
    workers = max(1, workers)
    budget = avail // workers - PROCESS_OVERHEAD
    n = max(ns)
    for task in tasks:
        for case in cases or [None]:
            need = sample_bytes(task, n, q, m, ensemble=ensemble, case=case)
            if need > budget and workers > 1 and need + PROCESS_OVERHEAD <= avail:
                fit = avail // (need + PROCESS_OVERHEAD)
                raise MemoryCheckError(
                    f"{workers} worker processes need about {_fmt_bytes(workers * (need + PROCESS_OVERHEAD))} "
                    f"({_fmt_bytes(PROCESS_OVERHEAD)} each plus one sample of {_fmt_bytes(need)} at n = {n}) but "
                    f"{_fmt_bytes(avail)} is available on this machine: at most {fit} workers fit",
                    option="workers",
                )
            if need > budget:
                fits = largest_n(task, q, max(budget, 0), m, ensemble=ensemble, case=case)
                who = f" with {workers} workers" if workers > 1 else ""
                tail = f"n <= {fits} fits{who}" if fits is not None else "not even the smallest n fits"
                what = f"task {task}" + (f", case {case}" if case else "") + (f", m = {m}" if m != 1 else "")
                raise MemoryCheckError(
                    f"n = {n} (q = {q}, {what}) needs about {_fmt_bytes(need)} per sample but "
                    f"{_fmt_bytes(avail)} is available on this machine: {tail}"
                )
