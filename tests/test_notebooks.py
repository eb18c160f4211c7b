"""The notebooks in notebooks/ (jupytext percent format) execute top to bottom, at small sizes.

Each notebook is converted with jupytext and run with nbclient in a fresh kernel, in a temporary
working directory (any file a notebook writes lands there). A failing cell fails the test with the
cell's traceback. Budget: each notebook well under a minute on 2 cores; the time is printed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.py"))
TIMEOUT_PER_CELL = 180


def test_the_four_notebooks_exist():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_weingarten_tour", "02_reproduce_figure5", "03_qudits", "04_beyond_the_paper"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    nb = jupytext.read(path)
    assert nb.metadata.get("jupytext", {}).get("text_representation", {}).get("format_name") == "percent"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "stored without outputs"
    t0 = time.perf_counter()
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT_PER_CELL, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    seconds = time.perf_counter() - t0
    print(f"{path.name}: {seconds:.1f} s")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
