"""Run the machine-checked derivation (``proofs/``) and summarise it per lemma.

``run_proofs()`` runs ``pytest proofs/`` in a subprocess; ``proofs/conftest.py`` records every test
tagged with ``@lemma(id, statement=..., dimensions=...)`` (outcome, seconds, whether it is a
*mutant* — a weakened statement the suite must reject) into a JSON file named by the environment
variable ``WG_PROOFS_JSON``.  The records are grouped by lemma into :class:`LemmaResult` rows;
:func:`format_table` prints them (``weingarten-check proofs``).  See ``proofs/DERIVATION.md``.
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
    """One row of the proofs report: all tests of one lemma of DERIVATION.md."""

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
    """Whether a lemma row with this ``status`` counts as proved (see :data:`PASS_STATUSES`)."""
    return str(status).lower() in PASS_STATUSES


def lemma_run_passed(results: Iterable[LemmaResult]) -> bool:
    """Whether a run of the lemma suite proves everything it selected: at least one lemma, each passed."""
    results = list(results)
    return bool(results) and all(lemma_passed(r.status) for r in results)


class ProofsRunError(RuntimeError):
    """pytest could not run the lemma suite (collection error, missing directory, ...)."""


class ProofsSelectionError(ValueError):
    """The pytest arguments were rejected (e.g. a ``-k`` expression with a syntax error) or selected no test."""


def default_proofs_dir() -> Path:
    """``proofs/`` of the source checkout this package is installed from (editable install)."""
    return Path(__file__).resolve().parents[3] / "proofs"


def _lemma_key(lemma_id: str) -> tuple:
    parts = []
    for p in str(lemma_id).split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def collect_results(records: Iterable[dict]) -> list[LemmaResult]:
    """Group per-test records (keys: lemma, statement, dimensions, mutant, outcome, seconds, nodeid)
    into one :class:`LemmaResult` per lemma, ordered by lemma number."""
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

    ``extra_pytest_args`` are appended to the pytest command line (e.g. ``["-k", "lemma_6"]``).
    A failing lemma does not raise: its status is ``"FAILED"``.  Raises :class:`ProofsRunError` when
    pytest produced no records (e.g. a collection error) and ``FileNotFoundError`` for a missing
    ``proofs_dir``.  The pytest exit code and output are attached to the returned list as the
    attributes ``returncode`` and ``output``.

    ``progress(lemma, outcome, done, total)`` is called after each test while the suite runs (from the
    events of the ``weingarten_check.reporting.proofs_progress`` plugin). Raises :class:`ProofsSelectionError`
    when pytest rejects the arguments (exit code 4, e.g. a ``-k`` syntax error; the message is pytest's)
    or ``extra_pytest_args`` select no test (exit code 5).
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
    """A ``progress`` callback for :func:`run_proofs`: a tqdm bar on stderr (tests done of the total,
    the lemma being checked, failures counted). Call :meth:`close` when the run is over."""

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
        if self.bar is not None:
            self.bar.close()


def _clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(results: Sequence[LemmaResult], statement_width: int = 64, dimensions_width: int = 44) -> str:
    """Plain-text table: lemma | statement | dimensions covered | status | tests+mutants | seconds."""
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
