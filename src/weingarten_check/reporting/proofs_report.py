"""Run the machine-checked derivation (``proofs/``) and summarise it per lemma.

``run_proofs()`` runs ``pytest proofs/`` in a subprocess; ``proofs/conftest.py`` records every test
tagged with ``@lemma(id, statement=..., dimensions=...)`` (outcome, seconds, whether it is a
*mutant* — a weakened statement the suite must reject) into a JSON file named by the environment
variable ``WG_PROOFS_JSON``.  The records are grouped by lemma into :class:`LemmaResult` rows;
:func:`format_table` prints them (``weingarten-check proofs``).  See ``proofs/DERIVATION.md``.

Whether a lemma counts as proved is decided in one place, :func:`lemma_passed` /
:func:`lemma_run_passed`, used by ``weingarten-check proofs``, ``verify`` and :func:`format_table`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PASS_STATUSES",
    "lemma_passed",
    "lemma_run_passed",
    "LemmaResult",
    "LemmaProgress",
    "ProofsRunError",
    "ProofsSelectionError",
    "default_proofs_dir",
    "collect_results",
    "run_proofs",
    "format_table",
]


@dataclass
class LemmaResult:
    """One row of the proofs report: all tests of one lemma of proofs/DERIVATION.md.

    Attributes
    ----------
    lemma : str
        The lemma's number, e.g. ``"7.4"``.
    statement : str
        What it states (from the first test that is not a mutant).
    dimensions : str
        The dimensions its tests cover, ``"; "``-separated.
    status : str
        ``"passed"``, ``"FAILED"`` (a test failed, mutants included) or ``"skipped"`` (every test skipped).
    seconds : float
        Time spent in its tests.
    tests : int
        Tests checking the statement.
    mutants : int
        Weakened statements shown to be rejected (mutant tests that passed).
    failed_tests : list of str
        Node ids of the failed tests.

    Examples
    --------
    >>> LemmaResult("7.4", "Proposition 2", "q >= 2", "passed", 0.5, tests=3, mutants=1).mutants
    1
    """

    lemma: str
    statement: str
    dimensions: str
    status: str  # "passed" | "FAILED" | "skipped"
    seconds: float
    tests: int = 0  # tests checking the statement
    mutants: int = 0  # weakened statements shown to be rejected
    failed_tests: list[str] = field(default_factory=list)


#: statuses of a lemma row that count as proved (compared in lower case). An expected failure
#: (``xfail``) is not among them: a weakened statement that the suite must reject is a test marked
#: ``mutant`` that *passes* by showing the rejection, so a lemma whose tests only "fail as expected"
#: has proved nothing. :func:`collect_results` writes ``passed``; the others are accepted from callers.
PASS_STATUSES = frozenset({"passed", "pass", "ok", "proved"})


def lemma_passed(status: str) -> bool:
    """Whether a lemma row with this ``status`` counts as proved (see :data:`PASS_STATUSES`).

    Parameters
    ----------
    status : str
        The row's status (any case).

    Returns
    -------
    bool

    Examples
    --------
    >>> lemma_passed("passed"), lemma_passed("FAILED"), lemma_passed("skipped"), lemma_passed("xfail")
    (True, False, False, False)
    """
    return str(status).lower() in PASS_STATUSES


def lemma_run_passed(results: Iterable[LemmaResult]) -> bool:
    """Whether a run of the lemma suite proves everything it selected: at least one lemma, each passed.

    The pass rule of ``weingarten-check proofs`` and of the lemma part of ``verify``.

    Parameters
    ----------
    results : iterable of LemmaResult
        The rows of the run (anything with a ``status``).

    Returns
    -------
    bool

    Examples
    --------
    >>> lemma_run_passed([LemmaResult("7.4", "Proposition 2", "q >= 2", "passed", 0.5)])
    True
    >>> lemma_run_passed([LemmaResult("7.4", "Proposition 2", "q >= 2", "xfail", 0.5)]), lemma_run_passed([])
    (False, False)
    """
    results = list(results)
    return bool(results) and all(lemma_passed(r.status) for r in results)


class ProofsRunError(RuntimeError):
    """pytest could not run the lemma suite (collection error, no records, ...).

    Examples
    --------
    >>> issubclass(ProofsRunError, RuntimeError)
    True
    """


class ProofsSelectionError(ValueError):
    """pytest rejected the arguments (e.g. a ``-k`` expression with a syntax error) or they selected no test.

    Examples
    --------
    >>> issubclass(ProofsSelectionError, ValueError)
    True
    """


def default_proofs_dir() -> Path:
    """``proofs/`` of the source checkout this package is installed from (editable install).

    Returns
    -------
    pathlib.Path
        It may not exist (an installed wheel has no ``proofs/``).

    Examples
    --------
    >>> default_proofs_dir().name
    'proofs'
    """
    return Path(__file__).resolve().parents[3] / "proofs"


def _lemma_key(lemma_id: str) -> tuple:
    parts = []
    for p in str(lemma_id).split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def collect_results(records: Iterable[dict]) -> list[LemmaResult]:
    """Group per-test records into one :class:`LemmaResult` per lemma, ordered by lemma number.

    Parameters
    ----------
    records : iterable of dict
        One per test, as ``proofs/conftest.py`` writes them: keys ``lemma``, ``outcome`` (``passed``,
        ``failed`` or ``skipped``) and ``seconds``, optionally ``statement``, ``dimensions``, ``mutant``
        and ``nodeid``.

    Returns
    -------
    list of LemmaResult
        Ordered numerically (``2.1`` before ``10.1``).

    Raises
    ------
    ValueError
        If a record lacks ``lemma``, ``outcome`` or ``seconds``.

    Examples
    --------
    >>> records = [
    ...     dict(lemma="7.4", statement="Proposition 2", dimensions="q >= 2", outcome="passed", seconds=0.5),
    ...     dict(lemma="7.4", statement="mutant: 0.99 dA", mutant=True, outcome="passed", seconds=0.25),
    ...     dict(lemma="10.1", statement="library", dimensions="n <= 6", outcome="failed", seconds=1.0, nodeid="t"),
    ... ]
    >>> [(r.lemma, r.status, r.tests, r.mutants, r.seconds) for r in collect_results(records)]
    [('7.4', 'passed', 1, 1, 0.75), ('10.1', 'FAILED', 1, 0, 1.0)]
    """
    groups: dict[str, list[dict]] = {}
    for rec in records:
        for key in ("lemma", "outcome", "seconds"):
            if key not in rec:
                raise ValueError(f"record is missing the key {key!r}: {rec!r}")
        groups.setdefault(str(rec["lemma"]), []).append(rec)
    out = []
    for lemma_id in sorted(groups, key=_lemma_key):
        recs = groups[lemma_id]
        main = [r for r in recs if not r.get("mutant")] or recs
        failed = [r.get("nodeid", "?") for r in recs if r["outcome"] == "failed"]
        if failed:
            status = "FAILED"
        elif all(r["outcome"] == "skipped" for r in recs):
            status = "skipped"
        else:
            status = "passed"
        dims: list[str] = []
        for r in main:
            dm = r.get("dimensions", "")
            if dm and dm not in dims:
                dims.append(dm)
        out.append(
            LemmaResult(
                lemma=lemma_id,
                statement=main[0].get("statement", ""),
                dimensions="; ".join(dims),
                status=status,
                seconds=float(sum(r["seconds"] for r in recs)),
                tests=sum(1 for r in recs if not r.get("mutant")),
                mutants=sum(1 for r in recs if r.get("mutant") and r["outcome"] == "passed"),
                failed_tests=failed,
            )
        )
    return out


def run_proofs(
    extra_pytest_args: Sequence[str] = (),
    proofs_dir: Path | str | None = None,
    timeout: float | None = 1800,
    progress: Callable[[str, str, int, int], None] | None = None,
) -> list[LemmaResult]:
    """Run ``pytest proofs/`` in a subprocess and return one :class:`LemmaResult` per lemma.

    A failing lemma does not raise: its status is ``"FAILED"``. The pytest exit code, output and wall
    time are attached to the returned list as the attributes ``returncode``, ``output`` and
    ``wall_seconds``.

    Parameters
    ----------
    extra_pytest_args : sequence of str, default ()
        Appended to the pytest command line, e.g. ``["-k", "lemma_6"]``.
    proofs_dir : str or pathlib.Path, optional
        The lemma suite (default :func:`default_proofs_dir`).
    timeout : float or None, default 1800
        Seconds before the run is killed (``subprocess.TimeoutExpired``).
    progress : callable, optional
        ``progress(lemma, outcome, done, total)``, called after each test while the suite runs (from the
        events of the ``weingarten_check.reporting.proofs_progress`` plugin), e.g. a :class:`LemmaProgress`.

    Returns
    -------
    list of LemmaResult

    Raises
    ------
    TypeError
        If ``extra_pytest_args`` is a string.
    FileNotFoundError
        If ``proofs_dir`` does not exist.
    ProofsSelectionError
        If pytest rejects the arguments (exit code 4; the message is pytest's) or ``extra_pytest_args``
        select no test (exit code 5).
    ProofsRunError
        If pytest produced no records (e.g. a collection error).

    Examples
    --------
    A run takes seconds (``weingarten-check proofs``); the checks come first:

    >>> run_proofs(proofs_dir="/nonexistent/proofs")
    Traceback (most recent call last):
    ...
    FileNotFoundError: proofs directory not found: /nonexistent/proofs (run from a source checkout, ...)
    """
    if isinstance(extra_pytest_args, (str, bytes)):
        raise TypeError("extra_pytest_args must be a sequence of strings, e.g. ['-k', 'lemma_6']")
    pdir = Path(proofs_dir) if proofs_dir is not None else default_proofs_dir()
    if not pdir.is_dir():
        raise FileNotFoundError(
            f"proofs directory not found: {pdir} (run from a source checkout, or pass proofs_dir=...)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        json_path = Path(tmp) / "proofs.json"
        env = dict(os.environ, WG_PROOFS_JSON=str(json_path))
        events = Path(tmp) / "progress.txt"
        env["WG_PROOFS_PROGRESS"] = str(events)
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(pdir),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "weingarten_check.reporting.proofs_progress",
            *map(str, extra_pytest_args),
        ]
        t0 = time.perf_counter()
        proc = _run_with_progress(cmd, pdir.parent, env, timeout, events, progress)
        elapsed = time.perf_counter() - t0
        output = proc.stdout + proc.stderr
        if proc.returncode == 4:  # pytest rejected the arguments
            errors = [ln.strip() for ln in output.splitlines() if ln.strip().startswith("ERROR")]
            raise ProofsSelectionError(errors[0] if errors else output.strip().splitlines()[-1])
        if proc.returncode == 5 and extra_pytest_args:  # the selection matched nothing
            raise ProofsSelectionError("no lemma test was selected")
        if not json_path.exists():
            raise ProofsRunError(
                f"pytest produced no lemma records (exit code {proc.returncode}); output tail:\n"
                + "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            )
        records = json.loads(json_path.read_text())
    results = _ResultList(collect_results(records))
    results.returncode = proc.returncode
    results.output = proc.stdout + proc.stderr
    results.wall_seconds = elapsed
    return results


def _run_with_progress(
    cmd: list[str],
    cwd: Path,
    env: dict,
    timeout: float | None,
    events: Path,
    progress: Callable[[str, str, int, int], None] | None,
) -> subprocess.CompletedProcess:
    """Run pytest; while it runs, turn the plugin's event lines into ``progress`` calls."""
    if progress is None:
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        deadline = None if timeout is None else time.monotonic() + timeout
        pos, total, done = 0, 0, 0

        def drain() -> None:
            nonlocal pos, total, done
            if not events.exists():
                return
            with open(events) as fh:
                fh.seek(pos)
                chunk = fh.read()
            complete = chunk[: chunk.rfind("\n") + 1]
            pos += len(complete.encode())
            for line in complete.splitlines():
                kind, _, rest = line.partition(" ")
                if kind == "collected":
                    total = int(rest)
                elif kind == "done":
                    lemma, outcome, _node = (rest.split(" ", 2) + ["", ""])[:3]
                    done += 1
                    progress(lemma, outcome, done, total)

        try:
            while proc.poll() is None:
                if deadline is not None and time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    raise subprocess.TimeoutExpired(cmd, timeout)
                drain()
                time.sleep(0.2)
            drain()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())


class _ResultList(list):
    """A list of LemmaResult with the pytest run's ``returncode``, ``output`` and ``wall_seconds``."""

    returncode: int = 0
    output: str = ""
    wall_seconds: float = 0.0


class LemmaProgress:
    """A ``progress`` callback for :func:`run_proofs`: a tqdm bar on stderr.

    It shows tests done of the total, the lemma being checked and the failures counted. Call
    :meth:`close` when the run is over.

    Parameters
    ----------
    desc : str, default "proofs"
        The bar's label.

    Examples
    --------
    >>> bar = LemmaProgress()
    >>> bar("7.4", "passed", 1, 2)
    >>> bar("7.4", "failed", 2, 2)
    >>> bar.current, bar.failed
    ('7.4', 1)
    >>> bar.close()
    """

    def __init__(self, desc: str = "proofs") -> None:
        self.desc = desc
        self.bar = None
        self.failed = 0
        self.current = ""

    def __call__(self, lemma: str, outcome: str, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total or None, desc=self.desc, unit="test", file=sys.stderr, dynamic_ncols=True, leave=False
            )
        self.failed += outcome == "failed"
        self.bar.update(1)
        changed = lemma != self.current or outcome == "failed"
        self.current = lemma
        # redraw at once when a new lemma starts (tqdm otherwise rate-limits redraws)
        self.bar.set_postfix_str(f"lemma {lemma}" + (f", {self.failed} failed" if self.failed else ""), refresh=changed)

    def close(self) -> None:
        """Close the bar (if one was opened)."""
        if self.bar is not None:
            self.bar.close()


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(results: Sequence[LemmaResult], statement_width: int = 64, dimensions_width: int = 44) -> str:
    """Plain-text table: lemma | statement | dimensions covered | status | tests+mutants | seconds.

    Parameters
    ----------
    results : sequence of LemmaResult
        The rows (:func:`run_proofs`, :func:`collect_results`).
    statement_width, dimensions_width : int, default 64, 44
        Longer cells are clipped with an ellipsis.

    Returns
    -------
    str
        The table and a summary line (lemmas passed, mutants rejected, time).

    Raises
    ------
    TypeError
        If given a single :class:`LemmaResult` instead of a sequence.

    Examples
    --------
    >>> records = [
    ...     dict(lemma="7.4", statement="Proposition 2", dimensions="q >= 2", outcome="passed", seconds=0.5),
    ...     dict(lemma="7.4", statement="mutant: 0.99 dA", mutant=True, outcome="passed", seconds=0.25),
    ... ]
    >>> print(format_table(collect_results(records)))
    lemma  statement      dimensions covered  status  tests  time
    -----  -------------  ------------------  ------  -----  ----
    7.4    Proposition 2  q >= 2              passed  1+1m   0.8s
    1/1 lemmas passed, 1 mutants rejected, 0.8s in tests ('+Nm' = N weakened statements shown to fail)
    """
    if isinstance(results, LemmaResult):
        raise TypeError("format_table expects a sequence of LemmaResult, got a single LemmaResult")
    head = ("lemma", "statement", "dimensions covered", "status", "tests", "time")
    rows = [
        (
            r.lemma,
            _clip(r.statement, statement_width),
            _clip(r.dimensions, dimensions_width),
            r.status,
            f"{r.tests}+{r.mutants}m",
            f"{r.seconds:.1f}s",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [line(head), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    n_pass = sum(lemma_passed(r.status) for r in results)
    total = sum(r.seconds for r in results)
    n_mut = sum(r.mutants for r in results)
    out.append(
        f"{n_pass}/{len(results)} lemmas passed, {n_mut} mutants rejected, {total:.1f}s in tests "
        "('+Nm' = N weakened statements shown to fail)"
    )
    return "\n".join(out)
