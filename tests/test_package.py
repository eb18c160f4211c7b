"""The package's top-level API: every public name resolves to the object its floor defines, lazily,
whatever was imported first, and help() lists them."""

from __future__ import annotations

import importlib
import pydoc
import subprocess
import sys

import pytest

import weingarten_check

SNIPPETS = [
    # the submodule imported first must not shadow the function
    "import weingarten_check.calculus.unitary_integrals\nfrom weingarten_check import weingarten\nassert "
    "callable(weingarten) and weingarten.__module__ == 'weingarten_check.calculus.unitary'",
    "from weingarten_check import weingarten, haar_integral, trace_moment, estimate_variation_range\nassert "
    "all(callable(f) for f in (weingarten, haar_integral, trace_moment, estimate_variation_range))",
    "import weingarten_check as wc\nassert str(wc.weingarten((1, 1), 3)) == '1/8'",
    # importing the package imports no floor: the names are resolved on first use
    "import sys, weingarten_check\nassert not any(m.startswith('weingarten_check.') for m in sys.modules), "
    "sorted(m for m in sys.modules if m.startswith('weingarten_check.'))",
]


@pytest.mark.parametrize("code", SNIPPETS)
def test_top_level_exports_are_functions(code):
    # a fresh interpreter: import order effects are exactly what is being tested
    subprocess.run([sys.executable, "-c", code], check=True)


def test_all_is_the_export_table_and_each_name_is_its_floors_object():
    exports = weingarten_check._EXPORTS
    assert list(weingarten_check.__all__) == list(exports), "__all__ and the export table list the same names"
    for name, floor in exports.items():
        pkg = importlib.import_module(f"weingarten_check.{floor}")
        assert name in pkg.__all__, f"{name} is not a public name of weingarten_check.{floor}"
        assert getattr(weingarten_check, name) is getattr(pkg, name), name


def test_every_floor_reexports_its_modules_public_names():
    """Each subpackage's __all__ holds only names it can give, with no duplicates."""
    for floor in ("util", "calculus", "states", "circuits", "delta", "delta.sdp", "theory", "experiments", "reporting"):
        pkg = importlib.import_module(f"weingarten_check.{floor}")
        assert len(set(pkg.__all__)) == len(pkg.__all__), floor
        for name in pkg.__all__:
            assert getattr(pkg, name, None) is not None, (floor, name)


def test_help_lists_the_public_names():
    text = pydoc.render_doc(weingarten_check, renderer=pydoc.plaintext)
    for name in ("variation_range", "weingarten_unitary", "estimate_variation_range", "qudit_theorem1_bound"):
        assert name in text, name
    assert set(weingarten_check.__all__) <= set(dir(weingarten_check))


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute"):
        weingarten_check.not_a_function  # noqa: B018
