"""delta/__init__ and delta/sdp/__init__: each __all__ is the union of its modules' __all__, each name the
module's own object; ``weingarten_check.delta.exact`` is the function whatever was imported first."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


def _modules(package: str) -> list[str]:
    """The package's modules (not its subpackages), found on disk: a new module is covered without editing."""
    import pkgutil

    pkg = importlib.import_module(package)
    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg and not m.name.startswith("_"))


PACKAGES = {package: _modules(package) for package in ("weingarten_check.delta", "weingarten_check.delta.sdp")}


@pytest.mark.parametrize("package", PACKAGES)
def test_init_reexports_every_module_all(package):
    pkg = importlib.import_module(package)
    names = []
    for m in PACKAGES[package]:
        mod = importlib.import_module(f"{package}.{m}")
        for name in mod.__all__:
            assert getattr(pkg, name) is getattr(mod, name), (m, name)
        names += mod.__all__
    assert sorted(names) == sorted(pkg.__all__) and len(set(names)) == len(names)


def test_variation_range_attribute_is_the_function():
    # a fresh interpreter: the submodule imported first must not shadow the re-exported function
    code = (
        "import weingarten_check.delta.exact\n"
        "from weingarten_check.delta import variation_range\n"
        "assert callable(variation_range) and variation_range.__module__ == 'weingarten_check.delta.exact'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
