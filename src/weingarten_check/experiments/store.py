"""The results file of sweeps: JSON Lines, one finished sample per line; read, checked, repaired, appended.

Guarantees (tested in ``tests/test_sweep.py``):

* **Atomic appends.** Each line is written by a single ``os.write`` on an ``O_APPEND`` descriptor
  (fsync'ed at least every 0.5 s and on close) by one writer, :class:`ResultsWriter`, which holds an
  exclusive ``flock`` so that two sweeps never write one file at once (:class:`ResultsLockedError`).
  Each line carries a CRC-32 of its content (:func:`record_crc`).  A crash can at worst leave a torn
  last line, which is detected.
* **Corruption is reported, never skipped.** :func:`read_results` parses and checks every line (JSON,
  fields, types, CRC, trailing newline, duplicates); the first bad line raises
  :class:`CorruptResultsError` naming the file and the line number.  :func:`repair_results` drops only
  a torn last line of an otherwise valid file.

A record holds the fields of its configuration (:meth:`weingarten_check.experiments.tasks.RunConfig.record_fields`:
task, ensemble, case, q, site, seed, m only when m != 1 and layers only when a depth was given, so
files written before m and layers existed keep their keys), ``n``, ``index``, ``value`` (Δ, or the
lower end of a certified bracket), optionally ``upper`` and ``exact``, ``seconds``, ``schema``
(:data:`SCHEMA`) and ``crc``.
"""

from __future__ import annotations

import json
import math
import os
import time
import zlib
from pathlib import Path
from typing import Any

from .tasks import record_config_key

try:  # POSIX advisory locking; absent on Windows (then no lock is taken)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "SCHEMA",
    "CorruptResultsError",
    "ResultsLockedError",
    "ResultsFileError",
    "check_regular_file",
    "record_crc",
    "encode_record",
    "read_results",
    "repair_results",
    "ResultsWriter",
]

#: the schema tag of every record line
SCHEMA = "wgc-sweep/1"
#: fields every record has, with their JSON types (``m``, ``upper``, ``exact``, ``seconds`` are optional)
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
    """A results file contains a line that is not a valid, complete sample record.

    Attributes
    ----------
    path : str
    lineno : int
        The 1-based number of the first bad line.
    reason : str

    Examples
    --------
    >>> str(CorruptResultsError("r.jsonl", 3, "blank line"))
    'corrupt results file r.jsonl, line 3: blank line'
    """

    def __init__(self, path: str | os.PathLike, lineno: int, reason: str):
        self.path = str(path)
        self.lineno = lineno
        self.reason = reason
        super().__init__(f"corrupt results file {self.path}, line {lineno}: {reason}")


class ResultsLockedError(RuntimeError):
    """Another process holds the lock of the results file (a sweep is running).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, ResultsWriter(Path(tmp) / "r.jsonl"):
    ...     try:
    ...         ResultsWriter(Path(tmp) / "r.jsonl")
    ...     except ResultsLockedError as exc:
    ...         print(str(exc).endswith("is locked by another running sweep"))
    True
    """


class ResultsFileError(ValueError):
    """The results path is not something a sweep can append to (a device, FIFO, socket, ...).

    Examples
    --------
    >>> issubclass(ResultsFileError, ValueError)
    True
    """


def check_regular_file(path: str | os.PathLike) -> None:
    """Raise :class:`ResultsFileError` unless ``path`` is absent or a regular file (symlinks followed).

    A results file is appended to, fsync'ed and locked; /dev/null, a terminal, a FIFO (opening it would
    block) or a socket cannot hold results.

    Parameters
    ----------
    path : str or os.PathLike
        The results file.  An absent path (or one whose parent is not a directory) passes: opening
        the file reports it.

    Returns
    -------
    None

    Raises
    ------
    ResultsFileError
        If ``path`` exists and is not a regular file.

    Examples
    --------
    >>> try:
    ...     check_regular_file("/dev/null")
    ... except ResultsFileError as exc:
    ...     print(exc)
    /dev/null is a character device; a results file must be a regular file
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


def record_crc(rec: dict[str, Any]) -> int:
    """The CRC-32 a record line carries: of its canonical JSON (sorted keys, no spaces) without ``crc``.

    Parameters
    ----------
    rec : dict
        A record; a ``crc`` field, if present, is ignored.

    Returns
    -------
    int
        The unsigned CRC-32 (:func:`zlib.crc32`).

    Raises
    ------
    TypeError
        If a value is not JSON-serialisable.

    Examples
    --------
    >>> record_crc({"n": 4, "value": 0.5}) == record_crc({"value": 0.5, "n": 4, "crc": 7})
    True
    """
    body = {k: v for k, v in rec.items() if k != "crc"}
    return zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())


def encode_record(rec: dict[str, Any]) -> bytes:
    """The line of a record as written to a results file: canonical JSON with its ``crc``, and a newline.

    Parameters
    ----------
    rec : dict
        A record (not changed); its ``crc`` is replaced by :func:`record_crc`.

    Returns
    -------
    bytes
        ASCII JSON with sorted keys and no spaces, ending in ``b"\\n"``.

    Raises
    ------
    ValueError
        If a value is NaN or infinite (strict JSON).
    TypeError
        If a value is not JSON-serialisable.

    Examples
    --------
    >>> encode_record({"n": 4, "value": 0.5})
    b'{"crc":1991397599,"n":4,"value":0.5}\\n'
    """
    rec = dict(rec)
    rec["crc"] = record_crc(rec)
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
    if "layers" in rec and (isinstance(rec["layers"], bool) or not isinstance(rec["layers"], int) or rec["layers"] < 0):
        raise CorruptResultsError(path, lineno, "field 'layers' must be an integer >= 0 when present")
    if rec["schema"] != SCHEMA:
        raise CorruptResultsError(path, lineno, f"unknown schema {rec['schema']!r} (expected {SCHEMA})")
    if not math.isfinite(rec["value"]):
        raise CorruptResultsError(path, lineno, "value is not finite")
    if record_crc(rec) != rec["crc"]:
        raise CorruptResultsError(path, lineno, "checksum mismatch (line was altered or torn)")
    return rec


def read_results(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Read and check every line of a JSON Lines results file.

    Parameters
    ----------
    path : str or os.PathLike
        The results file (absent: no records).

    Returns
    -------
    list of dict
        The records in file order, each with its ``crc``.

    Raises
    ------
    CorruptResultsError
        (a ``ValueError``) naming the file and the 1-based line number of the first line that is
        incomplete (no trailing newline, i.e. a torn write), blank, not JSON, lacks a field, has a
        field of the wrong type, fails its CRC, or repeats a sample.

    Examples
    --------
    >>> import tempfile
    >>> rec = {"schema": SCHEMA, "task": "vqe", "ensemble": "haar", "case": "v1", "q": 2, "site": 0,
    ...        "seed": 0, "n": 4, "index": 0, "value": 0.5}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "r.jsonl"
    ...     _ = path.write_bytes(encode_record(rec))
    ...     [r["value"] for r in read_results(path)], read_results(Path(tmp) / "absent.jsonl")
    ([0.5], [])
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
    of one line). Otherwise nothing is changed -- a notes file or a figure's JSON passed by mistake
    is never truncated.

    Parameters
    ----------
    path : str or os.PathLike
        The results file.

    Returns
    -------
    int
        The number of bytes dropped (0 if the file is absent or ends with a newline).

    Raises
    ------
    ResultsFileError
        If ``path`` is not a regular file.
    CorruptResultsError
        If a complete line is not a valid record, or the tail does not start like one.

    Examples
    --------
    >>> import tempfile
    >>> rec = {"schema": SCHEMA, "task": "vqe", "ensemble": "haar", "case": "v1", "q": 2, "site": 0,
    ...        "seed": 0, "n": 4, "index": 0, "value": 0.5}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "r.jsonl"
    ...     _ = path.write_bytes(encode_record(rec) + encode_record(rec | {"index": 1})[:30])
    ...     repair_results(path), len(read_results(path))
    (30, 1)
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


class ResultsWriter:
    """Single-writer, append-only, fsync'ed JSON Lines writer holding an exclusive ``flock`` (a context manager).

    Each :meth:`append` is one ``os.write`` of one line on an ``O_APPEND`` descriptor; the file is
    fsync'ed at least every :attr:`FSYNC_INTERVAL` seconds and on :meth:`close`.

    Parameters
    ----------
    path : str or os.PathLike
        The results file (created, with its parent directory, if absent).
    fsync : bool, default True
        Whether to fsync.

    Raises
    ------
    ResultsFileError
        If ``path`` is not a regular file (a directory, a device, a FIFO, ...).
    ResultsLockedError
        If another process holds the lock.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with ResultsWriter(Path(tmp) / "r.jsonl") as w:
    ...         w.append({"n": 4, "value": 0.5})
    ...     (Path(tmp) / "r.jsonl").read_bytes().count(b"\\n")
    1
    """

    #: seconds between fsyncs (group commit); the order and atomicity of lines never depend on it
    FSYNC_INTERVAL = 0.5

    def __init__(self, path: str | os.PathLike, fsync: bool = True):
        path = Path(path)
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
        """Append one record (:func:`encode_record`) as one write."""
        line = encode_record(rec)
        written = os.write(self.fd, line)
        if written != len(line):  # pragma: no cover - regular files write fully
            raise OSError(f"short write to {self.path} ({written} of {len(line)} bytes)")
        if self.fsync and time.monotonic() - self._last_sync >= self.FSYNC_INTERVAL:
            os.fsync(self.fd)
            self._last_sync = time.monotonic()

    def close(self) -> None:
        """fsync, close and release the lock (idempotent)."""
        if self.fd >= 0:
            if self.fsync:
                os.fsync(self.fd)
            os.close(self.fd)  # releases the flock
            self.fd = -1

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
