"""Argument types and checks of the command line, shared by the command modules.

Every check raises :class:`UsageError` with a message that names the option; ``main`` prints it as
one line and exits with code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import sympy

__all__ = [
    "UsageError",
    "OneLineErrorParser",
    "FIELD_OPTION",
    "dimension",
    "int_list",
    "choices",
    "n_list",
    "positive",
    "usage_from_value_error",
    "writable_file",
    "writable_dir",
    "read_results_file",
]


class UsageError(Exception):
    """Bad command-line input; the message names the option.

    ``main`` prints it as ``weingarten-check <command>: error: <message>`` (one line) and returns 2.

    Examples
    --------
    >>> str(UsageError("--d: the dimension must be >= 1, got 0"))
    '--d: the dimension must be >= 1, got 0'
    """


class OneLineErrorParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose errors are one line (no usage dump), exit code 2.

    Examples
    --------
    >>> import contextlib, io
    >>> parser = OneLineErrorParser(prog="weingarten-check")
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     try:
    ...         parser.parse_args(["--nope"])
    ...     except SystemExit as exc:
    ...         print(exc.code)
    2
    >>> print(err.getvalue().strip())
    weingarten-check: error: unrecognized arguments: --nope (see weingarten-check --help)
    """

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        """Print ``prog: error: message (see prog --help)`` on stderr and exit with code 2.

        Parameters
        ----------
        message : str
            What argparse found wrong.

        Raises
        ------
        SystemExit
            Always, with code 2.
        """
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def dimension(text: str) -> int | sympy.Symbol:
    """Parse ``--d``: a positive integer, or a symbol name for a symbolic dimension.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    int or sympy.Symbol
        The integer, or a positive integer ``Symbol`` of that name.

    Raises
    ------
    UsageError
        If ``text`` is neither an integer >= 1 nor an identifier.

    Examples
    --------
    >>> dimension("3"), dimension(" d ")
    (3, d)
    >>> dimension("0")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --d: the dimension must be >= 1, got 0
    """
    text = text.strip()
    try:
        value = int(text)
    except ValueError:
        if not text.isidentifier():
            raise UsageError(f"--d: expected a positive integer or a symbol name such as 'd', got {text!r}") from None
        return sympy.Symbol(text, positive=True, integer=True)
    if value < 1:
        raise UsageError(f"--d: the dimension must be >= 1, got {value}")
    return value


def int_list(text: str, option: str) -> list[int]:
    """Parse comma-separated integers (an empty string gives ``[]``).

    Parameters
    ----------
    text : str
        The option's value, e.g. ``"0,1,0"``.
    option : str
        The option's name, for the error message.

    Returns
    -------
    list of int

    Raises
    ------
    UsageError
        If an item is not an integer.

    Examples
    --------
    >>> int_list("1, 0,2", "SIGMA"), int_list("", "--i")
    ([1, 0, 2], [])
    >>> int_list("a", "--i")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --i: expected comma-separated integers such as 0,1,0, got 'a'
    """
    text = text.strip()
    if text == "":
        return []
    try:
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"{option}: expected comma-separated integers such as 0,1,0, got {text!r}") from None


#: first word of a library ValueError -> the option it is about
FIELD_OPTION = {
    "task": "--task",
    "ensemble": "--ensemble",
    "case": "--case",
    "q": "--q",
    "site": "--site",
    "m": "--m",
    "samples": "--samples",
    "seed": "--seed",
    "n": "--n",
    "ns": "--n",
    "workers": "--workers",
    "errorbars": "--errorbars",
    "layers": "--layers",
}


def choices(text: str, allowed: Sequence[str], option: str) -> list[str]:
    """Parse comma-separated names from ``allowed``, or ``all`` for every one of them.

    Parameters
    ----------
    text : str
        The option's value (case-insensitive).
    allowed : sequence of str
        The admissible names, in the order ``all`` returns them.
    option : str
        The option's name, for the error message.

    Returns
    -------
    list of str
        The names in the order given, without repetitions.

    Raises
    ------
    UsageError
        If a name is not in ``allowed`` or ``text`` names nothing.

    Examples
    --------
    >>> choices("QSL,vqe,qsl", ("vqe", "qae", "qsl"), "--task")
    ['qsl', 'vqe']
    >>> choices("all", ("v1", "v2"), "--case")
    ['v1', 'v2']
    >>> choices("v3", ("v1", "v2"), "--case")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --case: unknown value v3; expected one or more of v1, v2 (comma ...
    """
    items = [t.strip().lower() for t in text.split(",") if t.strip()]
    if items == ["all"]:
        return list(allowed)
    bad = [t for t in items if t not in allowed]
    if bad or not items:
        raise UsageError(
            f"{option}: unknown value {', '.join(bad) or repr(text)}; "
            f"expected one or more of {', '.join(allowed)} (comma separated) or all"
        )
    return list(dict.fromkeys(items))


def n_list(text: str) -> list[int]:
    """Parse ``--n``: comma-separated sizes and inclusive ranges ``lo-hi`` or ``lo-hi:step``.

    Parameters
    ----------
    text : str
        E.g. ``"4,6,8"``, ``"3-10"`` or ``"4-12:2"``.

    Returns
    -------
    list of int
        The sizes, sorted, without repetitions.

    Raises
    ------
    UsageError
        If a part is malformed, or a size is <= 1 (A is one site, so B needs n >= 2).

    Examples
    --------
    >>> n_list("4-12:4,5,4")
    [4, 5, 8, 12]
    >>> n_list("1,4")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --n: every n must be > m = 1 (A is one site, B must be non-empty), got n = 1
    """
    out: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if "-" in part:
                rng, _, step = part.partition(":")
                lo, hi = (int(x) for x in rng.split("-"))
                st = int(step) if step else 1
                if st < 1 or hi < lo:
                    raise ValueError
                out += list(range(lo, hi + 1, st))
            else:
                out.append(int(part))
        except ValueError:
            raise UsageError(
                f"--n: expected sizes such as 4,6,8 or a range such as 3-10 or 4-12:2, got {text!r}"
            ) from None
    for n in out:
        if n <= 1:
            raise UsageError(f"--n: every n must be > m = 1 (A is one site, B must be non-empty), got n = {n}")
    return sorted(set(out))


def positive(value: int, option: str, minimum: int = 1) -> int:
    """Check that an integer option is at least ``minimum``.

    Parameters
    ----------
    value : int
        The parsed option.
    option : str
        The option's name, for the error message.
    minimum : int, default 1
        The smallest admissible value.

    Returns
    -------
    int
        ``value``, unchanged.

    Raises
    ------
    UsageError
        If ``value < minimum``.

    Examples
    --------
    >>> positive(3, "--q", 2)
    3
    >>> positive(1, "--q", 2)
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --q: must be an integer >= 2, got 1
    """
    if value < minimum:
        raise UsageError(f"{option}: must be an integer >= {minimum}, got {value}")
    return value


def usage_from_value_error(exc: Exception) -> UsageError:
    """Turn a library ``ValueError`` into a :class:`UsageError` naming the option it is about.

    The option is looked up from the message's first word in :data:`FIELD_OPTION`; a message that
    starts with no known field is kept as it is.

    Parameters
    ----------
    exc : Exception
        The library's error.

    Returns
    -------
    UsageError

    Examples
    --------
    >>> str(usage_from_value_error(ValueError("site must be in range(3), got 3")))
    '--site: site must be in range(3), got 3'
    >>> str(usage_from_value_error(ValueError("something else")))
    'something else'
    """
    msg = str(exc)
    option = FIELD_OPTION.get(msg.split(" ", 1)[0])
    return UsageError(f"{option}: {msg}" if option else msg)


def writable_file(path: str, option: str) -> Path:
    """Check that ``path`` can be appended to, creating its parent directory (not the file).

    Parameters
    ----------
    path : str
        The file the command will write.
    option : str
        The option's name, for the error message.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    UsageError
        If ``path`` is a directory or cannot be opened for appending.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> writable_file(str(tmp / "sub" / "r.jsonl"), "--results") == tmp / "sub" / "r.jsonl"
    True
    >>> (tmp / "sub").is_dir(), (tmp / "sub" / "r.jsonl").exists()
    (True, False)
    >>> writable_file(str(tmp), "--results")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --results: cannot write ...: is a directory
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise IsADirectoryError(21, "is a directory")
        p.parent.mkdir(parents=True, exist_ok=True)
        existed = p.exists()
        with open(p, "ab"):
            pass
        if not existed:
            p.unlink()
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
    return p


def writable_dir(path: str, option: str) -> Path:
    """Create the directory ``path`` if needed and check that a file can be written in it.

    Parameters
    ----------
    path : str
        The output directory.
    option : str
        The option's name, for the error message.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    UsageError
        If the directory cannot be created or written to.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> writable_dir(str(tmp / "out"), "--results").is_dir()
    True
    >>> (tmp / "file").write_text("x")
    1
    >>> writable_dir(str(tmp / "file" / "out"), "--results")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --results: cannot write to directory ...
    """
    import tempfile

    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=p, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UsageError(f"{option}: cannot write to directory {path}: {exc.strerror or exc}") from None
    return p


def read_results_file(path: str, option: str = "--results") -> list[dict]:
    """Read a sweep results file (JSON Lines), reporting every problem as a :class:`UsageError`.

    Parameters
    ----------
    path : str
        The results file; an absent file holds no samples.
    option : str, default "--results"
        The option's name, for the error message.

    Returns
    -------
    list of dict
        The records, in file order (see :func:`weingarten_check.experiments.store.read_results`).

    Raises
    ------
    UsageError
        If ``path`` is a directory, cannot be read, or is corrupt (the message gives the line).

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> read_results_file(str(tmp / "absent.jsonl"))
    []
    >>> (tmp / "bad.jsonl").write_text("not json\\n")
    9
    >>> read_results_file(str(tmp / "bad.jsonl"))
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --results: corrupt results file ...bad.jsonl, line 1: not valid JSON ...
    """
    from ..experiments.store import CorruptResultsError, read_results

    if Path(path).is_dir():
        raise UsageError(f"{option}: {path} is a directory, expected a JSON Lines results file")
    try:
        return read_results(path)
    except CorruptResultsError as exc:
        raise UsageError(f"{option}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path}: {exc.strerror or exc}") from None
