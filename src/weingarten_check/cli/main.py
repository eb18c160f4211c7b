"""Entry point of ``weingarten-check <command> ...``: the top-level parser and the exit codes.

The subcommands come from the command modules (``verify_commands``, ``sweep_commands``,
``calculus_commands``). Every command accepts ``--json`` for machine-readable output. Bad input is
reported as one line naming the option, with exit code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from . import calculus_commands, moments_commands, sweep_commands, verify_commands
from .args import OneLineErrorParser, UsageError

__all__ = ["main", "build_parser", "UsageError"]

_Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The ``weingarten-check`` argument parser; each subcommand stores its handler in ``args.handler``.

    The command modules add their subcommands (``verify``, ``proofs``, ``sweep``, ``figure5``, ``wg``,
    ``integrate``, in the order of ``--help``).

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["wg", "2,1", "--d", "3"])
    >>> args.command, args.sigma, args.d, args.handler.__name__
    ('wg', '2,1', '3', 'cmd_wg')
    """
    parser = OneLineErrorParser(
        prog="weingarten-check",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Exact Weingarten calculus and a machine-checked derivation of vanishing variation ranges\n"
        "(Zhang, Zhu, Liu, Wang, AAAI 2024: Exponential hardness of optimization from the locality in QNNs).",
        epilog="examples:\n"
        "  weingarten-check verify                      # lemma suite + numerical check, report in results/\n"
        "  weingarten-check proofs                      # the lemma table only\n"
        "  weingarten-check sweep --task all --case all --n 3-8 --samples 100 --results results/sweep.jsonl\n"
        "  weingarten-check figure5 --results results/sweep.jsonl\n"
        "  weingarten-check wg 2,1 --d d\n"
        "  weingarten-check integrate --i 0,0 --j 0,0 --d d\n"
        "  weingarten-check moments --task vqe --case v1 --ensemble brickwork --n 8 --layers 1-20\n"
        "every command takes --json for machine-readable output and --help for details;\n"
        "weingarten-check --version prints the version.",
    )
    parser.add_argument("--version", action="version", version=f"weingarten-check {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrorParser)
    verify_commands.add_verify_parsers(sub)
    sweep_commands.add_sweep_parsers(sub)
    calculus_commands.add_calculus_parsers(sub)
    moments_commands.add_moments_parsers(sub)
    parser._wgc_commands = dict(sub.choices)  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``weingarten-check`` console script: parse ``argv``, run the command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: the command's (0 success, 1 a failed check), 2 for bad input (one line on stderr
        naming the option) or no command (the help is printed), 130 on an interrupt.

    Raises
    ------
    SystemExit
        With code 2 when argparse rejects the arguments, 0 after ``--help``.

    Examples
    --------
    >>> main(["wg", "2,1", "--d", "3"])
    Wg(2,1; d=3) = -1/40
    0
    """
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:  # report them from the subcommand's parser, so the message names it
        sub = parser._wgc_commands.get(getattr(args, "command", None) or "", parser)  # type: ignore[attr-defined]
        sub.error(f"unrecognized arguments: {' '.join(extras)}")
    handler: _Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except UsageError as exc:
        print(f"weingarten-check {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"weingarten-check {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `weingarten-check ... | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
