"""Cells of the notebooks whose printed words must match what they compute, run alone with the expensive
calls replaced (tests/test_notebooks.py runs every notebook end to end)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import SimpleNamespace

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def cell(notebook: str, needle: str) -> str:
    """The one code cell (jupytext percent format) of ``notebook`` that contains ``needle``."""
    cells = [c for c in (NOTEBOOKS / notebook).read_text().split("\n# %%") if needle in c and "[markdown]" not in c]
    assert len(cells) == 1, (notebook, needle, len(cells))
    return cells[0]


def run_cell(source: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


def test_qudits_tightest_bound_is_the_smallest_bound():
    def fake_estimate(*args, **kwargs):
        return SimpleNamespace(
            exact=True, max_width=0.0, mean=1.0, stderr=0.1, ratios=lambda: {"loose": 0.1, "tight": 0.5}
        )

    printed = run_cell(cell("03_qudits.py", "tightest bound"), {"estimate_variation_range": fake_estimate})
    lines = [line for line in printed.splitlines() if "tightest bound" in line]
    assert lines and all(line.endswith("E[Δ]/tightest bound (tight) = 0.50") for line in lines), printed


def test_notebook_figures_go_to_a_named_printed_directory(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for notebook in ("02_reproduce_figure5.py", "03_qudits.py"):
        lines = cell(notebook, "tempfile.mkdtemp").splitlines()
        at = next(i for i, line in enumerate(lines) if "tempfile.mkdtemp" in line)
        source = "\n".join(["import tempfile", "from pathlib import Path", *lines[at : at + 2]])
        printed = run_cell(source, {})
        (workdir,) = [p for p in tmp_path.iterdir() if notebook[:-3] in p.name]
        assert printed == f"results and figure in {workdir}\n", printed
