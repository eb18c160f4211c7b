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
    """Bad command-line input; the message names the option."""


class OneLineErrorParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (no usage dump), exit code 2."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def dimension(text: str) -> int | sympy.Symbol:
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
}


def choices(text: str, allowed: Sequence[str], option: str) -> list[str]:
    """Comma-separated names from ``allowed`` (or ``all``)."""
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
    """``--n``: comma-separated sizes and inclusive ranges, e.g. ``4,6,8`` or ``3-10`` or ``4-12:2``."""
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
    if value < minimum:
        raise UsageError(f"{option}: must be an integer >= {minimum}, got {value}")
    return value


def usage_from_value_error(exc: Exception) -> UsageError:
    msg = str(exc)
    option = FIELD_OPTION.get(msg.split(" ", 1)[0])
    return UsageError(f"{option}: {msg}" if option else msg)


def writable_file(path: str, option: str) -> Path:
    """Create the parent directory and check that ``path`` can be appended to (it is not created)."""
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
    from ..experiments.store import CorruptResultsError, read_results

    if Path(path).is_dir():
        raise UsageError(f"{option}: {path} is a directory, expected a JSON Lines results file")
    try:
        return read_results(path)
    except CorruptResultsError as exc:
        raise UsageError(f"{option}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path}: {exc.strerror or exc}") from None
