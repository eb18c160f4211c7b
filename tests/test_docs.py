"""The documentation site (docs/source/, ``make docs``): its API reference covers every exported name.

``docs/source/apigen.py`` writes one page per subpackage from the subpackage's ``__all__``; the fast
tests read those pages back and compare the names they document with ``__all__`` (both ways), so a
name added to a subpackage appears in the reference without editing the docs, and a page that
drops or invents a name fails.  The slow test builds the whole site with Sphinx, warnings as errors
(notebook execution off: ``tests/test_notebooks.py`` runs the notebooks), and checks Sphinx's own
inventory of documented objects against every ``__all__``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "source"


@pytest.fixture(scope="module")
def apigen():
    spec = importlib.util.spec_from_file_location("apigen", SOURCE / "apigen.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def documented_names(page: str) -> set[str]:
    """The names a generated subpackage page documents: autosummary entries and ``py:data`` entries."""
    names: set[str] = set()
    lines = page.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\.\. py:data:: (\w+)$", line)
        if m:
            names.add(m.group(1))
        if line.startswith(".. autosummary::"):
            j = i + 1
            while j < len(lines) and lines[j].startswith("   :"):  # options
                j += 1
            j += 1  # the blank line before the entries
            while j < len(lines) and lines[j].startswith("   ") and lines[j].strip():
                names.add(lines[j].strip())
                j += 1
    return names


def test_every_subpackage_has_a_page_listing_exactly_its_all(apigen, tmp_path):
    written = {p.name for p in apigen.write_api_pages(tmp_path)}
    subs = apigen.subpackages()
    expected = {"weingarten_check." + s for s in ("calculus", "states", "circuits", "delta", "theory")}
    expected |= {"weingarten_check." + s for s in ("experiments", "reporting", "cli", "util")}
    assert expected <= set(subs)
    index = (tmp_path / "index.rst").read_text()
    for sub in subs:
        short = sub.removeprefix("weingarten_check.")
        assert f"{short}.rst" in written
        assert f"   {short}\n" in index, f"{short} is not in the API toctree"
        page = (tmp_path / f"{short}.rst").read_text()
        exported = set(importlib.import_module(sub).__all__)
        shown = documented_names(page)
        assert shown == exported, (sub, sorted(exported - shown), sorted(shown - exported))


def test_every_top_level_entry_point_links_to_its_floor(apigen, tmp_path):
    import weingarten_check

    apigen.write_api_pages(tmp_path)
    index = (tmp_path / "index.rst").read_text()
    for name, sub in weingarten_check._EXPORTS.items():
        assert f":py:obj:`weingarten_check.{sub}.{name}`" in index, name


def test_a_subpackage_without_all_is_refused(apigen, monkeypatch):
    import weingarten_check.util as util

    monkeypatch.delattr(util, "__all__")
    with pytest.raises(ValueError, match="weingarten_check.util has no __all__"):
        apigen.subpackage_page("weingarten_check.util")


def test_constants_are_documented_from_their_comment_not_their_type(apigen):
    """A constant's entry carries the ``#:`` comment above its definition (not ``tuple``'s docstring)."""
    page = apigen.subpackage_page("weingarten_check.experiments")
    entry = page[page.index(".. py:data:: TASKS") :].split("\n\n")[:2]
    assert "the paper's three tasks" in entry[1]
    assert ":value: ('vqe', 'qae', 'qsl')" in entry[0]


@pytest.mark.slow
def test_the_site_builds_without_warnings_and_documents_every_exported_name(apigen, tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_nb")
    from sphinx.util.inventory import InventoryFile

    out = tmp_path / "html"
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
    cmd += ["-d", str(tmp_path / "doctrees"), "-D", "nb_execution_mode=off", str(SOURCE), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-5000:]
    with open(out / "objects.inv", "rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    objects = {name for kind, entries in inventory.items() if kind.startswith("py:") for name in entries}
    for sub in apigen.subpackages():
        missing = [n for n in importlib.import_module(sub).__all__ if f"{sub}.{n}" not in objects]
        assert not missing, (sub, missing)
    for page in ("derivation", "guide/02-concepts", "howto/own-circuit", "api/index"):
        assert (out / f"{page}.html").is_file(), page
    assert "Lemma 13" in (out / "derivation.html").read_text()
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert notebooks and all((out / "notebooks" / f"{nb}.html").is_file() for nb in notebooks)
