"""pytest plugin used by :func:`weingarten_check.reporting.proofs_report.run_proofs` to report progress.

Loaded with ``-p weingarten_check.reporting.proofs_progress``; when the environment variable
``WG_PROOFS_PROGRESS`` names a file, it appends one line per event, flushed at once:
``collected <N>`` after collection and ``done <lemma> <outcome> <nodeid>`` after each test, so the
parent process can show per-lemma progress while the suite runs (the lemma table itself still
comes from ``proofs/conftest.py``).
"""

from __future__ import annotations

import os

__all__ = ["pytest_collection_finish", "pytest_runtest_logreport"]

_FH = None  # the open events file
_FH_PATH = None  # its path: a new WG_PROOFS_PROGRESS opens a new file


def _write(line: str) -> None:
    global _FH, _FH_PATH
    path = os.environ.get("WG_PROOFS_PROGRESS")
    if not path:
        return
    if _FH is None or path != _FH_PATH:
        if _FH is not None:
            _FH.close()
        _FH = open(path, "a", buffering=1)
        _FH_PATH = path
    _FH.write(line + "\n")
    _FH.flush()


def pytest_collection_finish(session) -> None:
    """pytest hook: write ``collected <N>``, the number of tests selected.

    Parameters
    ----------
    session : pytest.Session
        The test session (only ``session.items`` is read).

    Examples
    --------
    >>> import os, tempfile, types
    >>> events = os.path.join(tempfile.mkdtemp(), "events.txt")
    >>> os.environ["WG_PROOFS_PROGRESS"] = events
    >>> pytest_collection_finish(types.SimpleNamespace(items=["test_a", "test_b"]))
    >>> del os.environ["WG_PROOFS_PROGRESS"]
    >>> open(events).read()
    'collected 2\\n'
    """
    _write(f"collected {len(session.items)}")


def pytest_runtest_logreport(report) -> None:
    """pytest hook: write ``done <lemma> <outcome> <nodeid>`` after a test's call phase.

    A failed or skipped setup counts too (the test then has no call phase); ``<lemma>`` is ``?`` for
    a test without the ``lemma`` marker.

    Parameters
    ----------
    report : pytest.TestReport
        The report of one phase of one test.

    Examples
    --------
    >>> import os, tempfile, types
    >>> events = os.path.join(tempfile.mkdtemp(), "events.txt")
    >>> os.environ["WG_PROOFS_PROGRESS"] = events
    >>> report = types.SimpleNamespace(
    ...     when="call", passed=True, failed=False, nodeid="test_07.py::test_prop2",
    ...     user_properties=[("lemma", {"lemma": "7.4"})],
    ... )
    >>> pytest_runtest_logreport(report)
    >>> del os.environ["WG_PROOFS_PROGRESS"]
    >>> open(events).read()
    'done 7.4 passed test_07.py::test_prop2\\n'
    """
    if report.when != "call" and not (report.when == "setup" and not report.passed):
        return
    info = dict(report.user_properties).get("lemma") or {}
    outcome = "passed" if report.passed else "failed" if report.failed else "skipped"
    _write(f"done {info.get('lemma', '?')} {outcome} {report.nodeid}")
