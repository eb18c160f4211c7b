"""Reporting: what the command line prints and writes, on top of ``experiments`` and ``theory``.

This floor turns results into reports: the lemma table of the machine-checked derivation in
``proofs/``, the ``verify`` report (lemma suite plus E[Δ] against every bound, as Markdown and JSON),
Figure 5 of the paper from sweep results, and the text tables of the commands. It computes no
mathematics itself: numbers come from ``experiments`` (sampling) and ``theory`` (bounds). Every JSON
it writes is strict (no NaN/Infinity).

Modules:

* ``proofs_report`` — run ``proofs/`` with pytest, one row per lemma, and the one pass rule;
* ``proofs_progress`` — the pytest plugin (loaded by name with ``-p``) that streams per-test progress;
* ``verify_report`` — the ``verify`` report: lemma rows, numerical checks, verdicts, Markdown/JSON;
* ``figures`` — Figure 5 (and its qudit version) from sweep results;
* ``tables`` — the plain-text tables the commands print;
* ``strict_json`` — JSON output with non-finite floats as ``null``.

``verify_report`` and ``figures`` (which load numpy and the experiments) are imported on first use
of one of their names, so that importing this package, as the command line does, stays cheap. The
plugin ``proofs_progress`` defines only pytest hooks and is not re-exported.
"""

from __future__ import annotations

import importlib
from typing import Any

from .proofs_report import (
    PASS_STATUSES,
    LemmaProgress,
    LemmaResult,
    ProofsRunError,
    ProofsSelectionError,
    collect_results,
    default_proofs_dir,
    format_table,
    lemma_passed,
    lemma_run_passed,
    run_proofs,
)
from .strict_json import dumps, finite_or_none
from .tables import format_sweep_summary

# public name -> the module that defines it, imported on first use
_LAZY = {
    **dict.fromkeys(
        [
            "CheckPoint",
            "NumericCheck",
            "LemmaRow",
            "VerifyReport",
            "DEFAULT_POINTS",
            "DEFAULT_QS",
            "DEFAULT_MS",
            "ONE_NUMBER_WIDTH",
            "default_points",
            "supported_qs",
            "supported_ms",
            "run_verify",
            "DEPTH_ROW_NS",
            "finite_depth_rows",
            "bound_verdict",
            "band_verdict",
            "format_markdown",
            "write_report",
        ],
        "verify_report",
    ),
    **dict.fromkeys(
        [
            "PANEL_TITLES",
            "CASE_LABELS",
            "CASE_STYLE",
            "DEFAULT_ENSEMBLES",
            "DEFAULT_BOUNDS",
            "BRACKET_RESOLUTION",
            "BoundsFn",
            "Series",
            "figure5_series",
            "plot_figure5",
            "figure5_from_results",
            "format_figure5_summary",
            "bounds_and_width",
            "lower_bounds_of",
            "visible_upper",
        ],
        "figures",
    ),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    # proofs_report
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
    # verify_report
    "CheckPoint",
    "NumericCheck",
    "LemmaRow",
    "VerifyReport",
    "DEFAULT_POINTS",
    "DEFAULT_QS",
    "DEFAULT_MS",
    "ONE_NUMBER_WIDTH",
    "default_points",
    "supported_qs",
    "supported_ms",
    "run_verify",
    "DEPTH_ROW_NS",
    "finite_depth_rows",
    "bound_verdict",
    "band_verdict",
    "format_markdown",
    "write_report",
    # figures
    "PANEL_TITLES",
    "CASE_LABELS",
    "CASE_STYLE",
    "DEFAULT_ENSEMBLES",
    "DEFAULT_BOUNDS",
    "BRACKET_RESOLUTION",
    "BoundsFn",
    "Series",
    "figure5_series",
    "plot_figure5",
    "figure5_from_results",
    "format_figure5_summary",
    "bounds_and_width",
    "lower_bounds_of",
    "visible_upper",
    # tables
    "format_sweep_summary",
    # strict_json
    "finite_or_none",
    "dumps",
]
