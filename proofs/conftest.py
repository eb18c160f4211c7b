"""pytest configuration of the lemma suite (proofs/).

* registers the ``lemma(id, statement=..., dimensions=...)`` marker (see ``_helpers.lemma``);
* (hypothesis settings are *not* changed globally — the lemma tests use ``_helpers.PROOFS``, a
  derandomised settings object, so the unit tests in tests/ keep their own settings);
* records, per test, its lemma, outcome and time; when the environment variable
  ``WG_PROOFS_JSON`` names a file, writes them there as JSON at the end of the session
  (``weingarten_check.reporting.proofs_report.run_proofs`` reads it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # make `_helpers` importable from the tests

_RECORDS: dict[str, dict] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "lemma(id, statement, dimensions): the lemma of proofs/DERIVATION.md that this test checks",
    )


def pytest_collection_modifyitems(session, config, items) -> None:
    for item in items:
        mark = item.get_closest_marker("lemma")
        if mark is None:
            continue
        item.user_properties.append(
            (
                "lemma",
                {
                    "lemma": mark.args[0],
                    "statement": mark.kwargs.get("statement", ""),
                    "dimensions": mark.kwargs.get("dimensions", ""),
                    "mutant": item.get_closest_marker("mutant") is not None,
                },
            )
        )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    info = dict(report.user_properties).get("lemma")
    if info is None:
        return
    rec = _RECORDS.setdefault(report.nodeid, {**info, "nodeid": report.nodeid, "outcome": "passed", "seconds": 0.0})
    rec["seconds"] += report.duration
    if report.failed:
        rec["outcome"] = "failed"
    elif report.skipped and rec["outcome"] == "passed":
        rec["outcome"] = "skipped"


def pytest_sessionfinish(session, exitstatus) -> None:
    path = os.environ.get("WG_PROOFS_JSON")
    if path:
        Path(path).write_text(json.dumps(list(_RECORDS.values()), indent=1))
