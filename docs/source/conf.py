"""Sphinx configuration of the weingarten-check documentation site (``make docs``).

Built with warnings as errors.  Two parts of the source tree are generated at the start of every
build and are not in git:

* ``api/`` — one page per subpackage from its ``__all__`` (``apigen.py``), with autosummary stubs
  in ``api/generated/``;
* ``notebooks/`` — the jupytext percent-format notebooks of the repository's ``notebooks/``
  converted to ``.ipynb``; myst-nb executes them during the build (cached between builds in
  ``build/docs/.jupyter_cache``) and renders their outputs and figures.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
if (ROOT / "src").is_dir():  # a source checkout: document this tree, not whatever is installed
    sys.path.insert(0, str(ROOT / "src"))

import apigen  # noqa: E402

import weingarten_check  # noqa: E402


def _write_notebooks(outdir: Path) -> None:
    """notebooks/NN_name.py (jupytext percent format) -> outdir/NN_name.ipynb, rewritten only when changed."""
    import jupytext

    outdir.mkdir(exist_ok=True)
    wanted = set()
    for src in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        target = outdir / (src.stem + ".ipynb")
        wanted.add(target.name)
        text = jupytext.writes(jupytext.read(src), fmt="ipynb")
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
    for stale in outdir.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()


apigen.write_api_pages(HERE / "api")
_write_notebooks(HERE / "notebooks")

# -- project -----------------------------------------------------------------------------------
project = "weingarten-check"
author = "the weingarten-check authors"
copyright = "the weingarten-check authors; MIT licence"
release = version = weingarten_check.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",  # Markdown pages (myst-parser) and executed notebooks
    "sphinx-mathjax-offline",  # MathJax served from the built site: pages render math without network
]

exclude_patterns = ["**/.ipynb_checkpoints", "apigen.py"]
templates_path = ["_templates"]

# -- API reference -----------------------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
numpydoc_show_class_members = False  # members are documented by autoclass itself
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
# sympy's docstrings (inherited by Tr.eval) use sections numpydoc does not know; a Python warning, not ours
warnings.filterwarnings("ignore", message="Unknown section Explanation", category=UserWarning)

# -- Markdown and notebooks --------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_cache_path = str(ROOT / "build" / "docs" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True  # a notebook cell that fails fails the build
nb_merge_streams = True
nb_execution_show_tb = True  # the traceback of a failing cell in the build log (CI shows it)

# -- HTML --------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"weingarten-check {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
