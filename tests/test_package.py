"""The package's top-level re-exports are the functions, whatever was imported first."""

from __future__ import annotations

import subprocess
import sys

import pytest

SNIPPETS = [
    # the submodule imported first (as haar_integrals does) must not shadow the function
    "import weingarten_check.calculus.unitary_integrals\nfrom weingarten_check import weingarten\nassert "
    "callable(weingarten) and weingarten.__module__ == 'weingarten_check.calculus.unitary'",
    "from weingarten_check import weingarten, haar_integral, trace_moment, estimate_variation_range\nassert "
    "all(callable(f) for f in (weingarten, haar_integral, trace_moment, estimate_variation_range))",
    "import weingarten_check as wc\nassert str(wc.weingarten((1, 1), 3)) == '1/8'",
]


@pytest.mark.parametrize("code", SNIPPETS)
def test_top_level_exports_are_functions(code):
    # a fresh interpreter: import order effects are exactly what is being tested
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error():
    import weingarten_check

    with pytest.raises(AttributeError, match="no attribute"):
        weingarten_check.not_a_function  # noqa: B018
