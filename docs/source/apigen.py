"""Write the API reference pages of the documentation site from the package itself.

Every subpackage of :mod:`weingarten_check` (found with :mod:`pkgutil`, so a new subpackage gets a
page without editing anything here) gets one page: its docstring, then one section per module (the
module's docstring and an autosummary table of the names of the subpackage's ``__all__`` that the
module defines).  Each name is documented once, under its public path
``weingarten_check.<subpackage>.<name>``, on a stub page that autosummary generates.  A subpackage
without ``__all__`` is an error: the reference lists exactly what the package exports.

    python docs/source/apigen.py OUTDIR     # what conf.py does at the start of every build
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import types
from pathlib import Path

PACKAGE = "weingarten_check"


def subpackages(package: str = PACKAGE) -> list[str]:
    """Dotted names of every subpackage of ``package`` (depth first, sorted), e.g. ``weingarten_check.delta.sdp``."""
    root = importlib.import_module(package)
    found = [m.name for m in pkgutil.walk_packages(root.__path__, package + ".") if m.ispkg]
    return sorted(found)


def modules_of(subpackage: str) -> list[str]:
    """Dotted names of the plain modules directly inside ``subpackage`` (no ``__main__``, no subpackages)."""
    pkg = importlib.import_module(subpackage)
    return sorted(
        f"{subpackage}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg and m.name != "__main__"
    )


def exported(subpackage: str) -> list[str]:
    """The subpackage's ``__all__`` (a ``ValueError`` if it has none: every floor must declare its public names)."""
    pkg = importlib.import_module(subpackage)
    names = getattr(pkg, "__all__", None)
    if names is None:
        raise ValueError(f"{subpackage} has no __all__; the API reference documents exactly what __all__ exports")
    return list(names)


def defining_module(subpackage: str, name: str) -> str | None:
    """The module of ``subpackage`` whose source defines ``name`` (None if no module of it does)."""
    obj = getattr(importlib.import_module(subpackage), name)
    mod = getattr(obj, "__module__", None)
    if isinstance(mod, str) and mod.startswith(subpackage + ".") and inspect.getmodule(obj) is not None:
        return mod if mod in modules_of(subpackage) else None
    for module in modules_of(subpackage):  # constants and aliases: the module that assigns the name
        source = inspect.getsource(importlib.import_module(module))
        if any(line.startswith((f"{name} =", f"{name}: ")) for line in source.splitlines()):
            return module
    return None


def is_type_alias(obj: object) -> bool:
    """True for ``tuple[int, ...]``, ``A | B``, ``Callable[..., float]`` and the like (autosummary cannot stub them)."""
    if inspect.isclass(obj):  # a Protocol's metaclass lives in typing, but it is a class
        return False
    alias_types = (types.GenericAlias, types.UnionType)
    return isinstance(obj, alias_types) or type(obj).__module__ in ("typing", "collections.abc")


def is_data(obj: object) -> bool:
    """Constants and type aliases: documented from their ``#:`` comment, not from their type's docstring."""
    return is_type_alias(obj) or not (callable(obj) or inspect.ismodule(obj))


def data_entry(subpackage: str, name: str, module: str | None) -> list[str]:
    """A ``py:data`` entry for a constant or type alias: its value (if short) and the ``#:`` comment above
    its definition in ``module``."""
    obj = getattr(importlib.import_module(subpackage), name)
    value = repr(obj).replace("typing.", "").replace("collections.abc.", "")
    comment: list[str] = []
    # re-exported from another floor (e.g. experiments.CASES from theory): look for it in every module
    candidates = [module] if module is not None else [m for s in subpackages() for m in modules_of(s)]
    for candidate in candidates:
        lines = inspect.getsource(importlib.import_module(candidate)).splitlines()
        at = next((i for i, ln in enumerate(lines) if ln.startswith((f"{name} =", f"{name}: "))), None)
        while at is not None and at > 0 and lines[at - 1].startswith("#:"):
            comment.insert(0, lines[at - 1][2:].strip())
            at -= 1
        if comment:
            break
    fallback = "Type alias." if is_type_alias(obj) else f"A constant of type ``{type(obj).__name__}``."
    text = " ".join(comment) or fallback
    short = len(value) <= 100 and "\n" not in value and " at 0x" not in value  # no addresses: builds are reproducible
    head = [f".. py:data:: {name}"] + ([f"   :value: {value}"] if short else [])
    return [*head, "", f"   {text}", ""]


def _title(text: str, char: str) -> list[str]:
    return [text, char * len(text), ""]


def _table(names: list[str], subpackage: str) -> list[str]:
    lines = [f".. currentmodule:: {subpackage}", ""]
    lines += [".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
    return lines + [f"   {n}" for n in names] + [""]


def subpackage_page(subpackage: str) -> str:
    """The reST of one subpackage's page."""
    names = exported(subpackage)
    by_module: dict[str | None, list[str]] = {}
    for name in names:
        by_module.setdefault(defining_module(subpackage, name), []).append(name)
    short = subpackage.removeprefix(PACKAGE + ".")
    lines = _title(f"``{short}``", "=")
    lines += [f".. automodule:: {subpackage}", "   :no-members:", ""]
    for module in [*modules_of(subpackage), None]:
        names_here = by_module.get(module, [])
        if module is None:
            if not names_here:
                continue
            lines += _title("Other exported names", "-")
        else:
            short_module = module.removeprefix(subpackage + ".")
            lines += _title(f"``{short_module}``", "-")
            lines += [f".. automodule:: {module}", "   :no-members:"]
            if short_module in names:  # e.g. cli.main: the exported function shadows the module's name
                lines += ["   :no-index:"]
            lines += [""]
        pkg = importlib.import_module(subpackage)
        aliases = [n for n in names_here if is_data(getattr(pkg, n))]
        stubbed = [n for n in names_here if n not in aliases]
        if stubbed:
            lines += _table(stubbed, subpackage)
        if aliases:
            lines += [f".. currentmodule:: {subpackage}", ""]
            for n in aliases:
                lines += data_entry(subpackage, n, module)
    return "\n".join(lines) + "\n"


def index_page(subs: list[str]) -> str:
    """The reST of the API reference's front page: the top-level entry points and a toctree of subpackages."""
    top = importlib.import_module(PACKAGE)
    exports: dict[str, str] = getattr(top, "_EXPORTS", {})
    lines = _title("API reference", "=")
    lines += [
        f"Every subpackage of ``{PACKAGE}`` has a page, generated from its ``__all__`` and the numpydoc",
        "docstrings (each cites the lemma of :doc:`the derivation <../derivation>` it implements).",
        "",
        f".. automodule:: {PACKAGE}",
        "   :no-members:",
        "",
        "Entry points",
        "------------",
        "",
        f"``import {PACKAGE}`` re-exports these names from their floors (lazily):",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - name",
        "     - documented as",
    ]
    for name in top.__all__:
        sub = exports.get(name)
        if sub is None:  # e.g. __version__
            continue
        lines += [f"   * - ``{name}``", f"     - :py:obj:`{PACKAGE}.{sub}.{name}`"]
    lines += ["", "Subpackages", "-----------", "", ".. toctree::", "   :maxdepth: 1", ""]
    lines += [f"   {s.removeprefix(PACKAGE + '.')}" for s in subs]
    return "\n".join(lines) + "\n"


def write_api_pages(outdir: Path) -> list[Path]:
    """Write ``index.rst`` and one ``<subpackage>.rst`` per subpackage into ``outdir``; the files written.

    A file whose content is unchanged is not rewritten (so Sphinx rebuilds only what changed)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subs = subpackages()
    pages = {"index.rst": index_page(subs)}
    pages.update({f"{s.removeprefix(PACKAGE + '.')}.rst": subpackage_page(s) for s in subs})
    written = []
    for fname, text in pages.items():
        path = outdir / fname
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_api_pages(Path(sys.argv[1])):
        print(p)
