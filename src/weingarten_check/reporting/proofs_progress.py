"""pytest plugin used by :func:`weingarten_check.reporting.proofs_report.run_proofs` to report progress.

Loaded with ``-p weingarten_check.reporting.proofs_progress``; when the environment variable
``WG_PROOFS_PROGRESS`` names a file, it appends one line per event, flushed at once:
``collected <N>`` after collection and ``done <lemma> <outcome> <nodeid>`` after each test, so the
parent process can show per-lemma progress while the suite runs (the lemma table itself still
comes from ``proofs/conftest.py``).
"""

from __future__ import annotations

import os

_FH = None


def _write(line: str) -> None:
    global _FH
    path = os.environ.get("WG_PROOFS_PROGRESS")
    if not path:
        return
    if _FH is None:
        _FH = open(path, "a", buffering=1)
    _FH.write(line + "\n")
    _FH.flush()


def pytest_collection_finish(session) -> None:  # noqa: D103 - pytest hook
    _write(f"collected {len(session.items)}")


def pytest_runtest_logreport(report) -> None:  # noqa: D103 - pytest hook
    if report.when != "call" and not (report.when == "setup" and not report.passed):
        return
    info = dict(report.user_properties).get("lemma") or {}
    outcome = "passed" if report.passed else "failed" if report.failed else "skipped"
    _write(f"done {info.get('lemma', '?')} {outcome} {report.nodeid}")
