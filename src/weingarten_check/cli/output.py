"""Printing a command's result: text for people, ``--json`` for programs."""

from __future__ import annotations

import argparse

from ..reporting import strict_json

__all__ = ["emit"]


def emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    """Print a command's result: ``payload`` as strict JSON with ``--json``, else ``text``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line; its ``json`` attribute (absent: False) selects the form.
    payload : dict
        The machine-readable result (non-finite floats become ``null``, other objects ``str``).
    text : str
        The result for people.

    Examples
    --------
    >>> import argparse
    >>> emit(argparse.Namespace(json=False), {"value": 1.0}, "value = 1")
    value = 1
    >>> emit(argparse.Namespace(json=True), {"value": float("nan")}, "value = nan")
    {
      "value": null
    }
    """
    if getattr(args, "json", False):
        print(strict_json.dumps(payload, indent=2, default=str))
    else:
        print(text)
