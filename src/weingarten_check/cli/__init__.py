"""Command line: ``weingarten-check``."""

from .main import main

__all__ = ["main"]
