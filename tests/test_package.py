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


#: the floors, bottom first: a module may import from its own floor and from the floors below it only
FLOORS = ("util", "calculus", "states", "circuits", "delta", "theory", "experiments", "reporting", "cli")


def _relative_imports():
    """(module path, floor, imported floor, imported names) for every relative import in the package."""
    import ast
    from pathlib import Path

    import weingarten_check

    root = Path(weingarten_check.__file__).parent
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        floor = parts[0] if len(parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                base = list(parts[:-1])[: len(parts) - node.level] if node.level > 1 else list(parts[:-1])
                target = base + (node.module.split(".") if node.module else [])
                yield path.relative_to(root), floor, (target[0] if target else None), [a.name for a in node.names]


def test_modules_import_only_from_their_floor_and_below():
    """The architecture as a rule: calculus → states → circuits → delta → theory → experiments → reporting → cli
    (util at the bottom); the command line may read the package's __version__; no private name crosses a module."""
    seen = 0
    for path, floor, target, names in _relative_imports():
        seen += 1
        assert not [n for n in names if n.startswith("_") and n != "__version__"], (path, names)
        if floor is None or target == floor:
            continue
        if target is None:
            assert floor == "cli" and names == ["__version__"], (path, target, names)
            continue
        assert target in FLOORS and FLOORS.index(target) < FLOORS.index(floor), f"{path} imports from {target}"
    assert seen > 100


def test_floor_rule_checker_rejects_an_upward_import(tmp_path, monkeypatch):
    """The checker above is not vacuous: a states module importing from delta is reported."""
    import weingarten_check

    fake = tmp_path / "weingarten_check"
    (fake / "states").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "states" / "bad.py").write_text("from ..delta.cost import k_matrix\n")
    monkeypatch.setattr(weingarten_check, "__file__", str(fake / "__init__.py"))
    found = [(p, f, t) for p, f, t, _ in _relative_imports() if f != t]
    assert found == [(fake.relative_to(fake) / "states" / "bad.py", "states", "delta")]
    assert FLOORS.index("delta") > FLOORS.index("states")
