"""Printing a command's result: text for people, ``--json`` for programs."""

from __future__ import annotations

import argparse

from ..reporting import strict_json

__all__ = ["emit"]


def emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    if getattr(args, "json", False):
        print(strict_json.dumps(payload, indent=2, default=str))
    else:
        print(text)
