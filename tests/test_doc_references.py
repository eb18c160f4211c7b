"""Files cited by the notebooks and README.md exist in the repository (issue 11: notebook 01 cited
`math-notes.md`, a note outside the repository)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "notebooks").glob("*.py")) + [ROOT / "README.md"]
DOCS += sorted((ROOT / "docs" / "source").rglob("*.md"))  # the documentation site's pages
CITED = re.compile(r"`([\w./-]+\.(?:md|py|json|png|pdf|txt|toml))`")


def _repo_files() -> set[str]:
    """Tracked and new (not ignored) files: what a clone would hold."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout")
    return set(out.split())


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_cited_files_exist(doc):
    files = _repo_files()
    names = {Path(f).name for f in files}
    missing = []
    for m in CITED.finditer(doc.read_text()):
        ref = m.group(1)
        if ref.startswith("results/") or ref.startswith("."):  # outputs a command writes; bare extensions
            continue
        if ref not in files and Path(ref).name not in names:
            missing.append(ref)
    assert not missing, f"{doc.name} cites files that are not in the repository: {missing}"
    assert "math-notes" not in doc.read_text(), f"{doc.name} cites the private math notes"
