"""weingarten-check: exact Weingarten calculus and a machine-checked derivation of the
vanishing variation range of a local unitary in a random quantum circuit
(Zhang, Zhu, Liu, Wang, AAAI 2024).

The package re-exports the main entry points. ``weingarten`` is bound eagerly: the function has
the same name as its module, and binding it here (after the submodule import) makes
``from weingarten_check import weingarten`` the function whatever was imported before. The
module itself is reached with ``from weingarten_check.calculus.unitary import ...``. Everything else
is imported lazily so that ``import weingarten_check`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from .calculus.unitary import weingarten  # noqa: E402  (see the module docstring)

# public name -> submodule that defines it
_LAZY = {
    "haar_integral": "calculus.unitary_integrals",
    "trace_moment": "calculus.unitary_integrals",
    "trace_moment_numeric": "calculus.unitary_integrals",
    "twirl": "calculus.unitary_integrals",
    "estimate_variation_range": "experiments.estimate",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted([*_LAZY, "weingarten"])
