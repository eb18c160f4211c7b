"""Shared by the CLI tests: run ``weingarten-check`` in-process and capture what it prints."""

from __future__ import annotations

from weingarten_check import cli


def run(capsys, *argv):
    """``(exit code, stdout, stderr)`` of ``cli.main(argv)`` (argparse errors exit via SystemExit)."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
