"""Command line interface: ``weingarten-check <command> ...``.

Every command accepts ``--json`` for machine-readable output. Bad input is reported as one line
naming the option, with exit code 2 and no traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

import sympy

__all__ = ["main", "build_parser", "UsageError"]


class UsageError(Exception):
    """Bad command-line input; the message names the option."""


def _dimension(text: str) -> int | sympy.Symbol:
    text = text.strip()
    try:
        value = int(text)
    except ValueError:
        if not text.isidentifier():
            raise UsageError(f"--d: expected a positive integer or a symbol name such as 'd', got {text!r}") from None
        return sympy.Symbol(text, positive=True, integer=True)
    if value < 1:
        raise UsageError(f"--d: the dimension must be >= 1, got {value}")
    return value


def _int_list(text: str, option: str) -> list[int]:
    text = text.strip()
    if text == "":
        return []
    try:
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"{option}: expected comma-separated integers such as 0,1,0, got {text!r}") from None


def _emit(args: argparse.Namespace, payload: dict, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2))
    else:
        print(text)


# --------------------------------------------------------------------------- wg


def _cmd_wg(args: argparse.Namespace) -> int:
    from .symmetric_group import partitions
    from .weingarten import _class_of, weingarten_class

    d = _dimension(args.d)
    if args.all is not None:
        if args.all < 0:
            raise UsageError(f"--all: k must be >= 0, got {args.all}")
        rows = [(mu, weingarten_class(mu, d)) for mu in partitions(args.all)]
    else:
        if args.sigma is None:
            raise UsageError("SIGMA: give a cycle type such as 2,1 or a permutation such as 1,0,2 (or use --all K)")
        items = _int_list(args.sigma, "SIGMA")
        try:
            mu = _class_of(items)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"SIGMA: {exc}") from None
        rows = [(mu, weingarten_class(mu, d))]
    payload = {"d": str(d), "values": [{"cycle_type": list(mu), "wg": str(v)} for mu, v in rows]}
    text = "\n".join(f"Wg({','.join(map(str, mu))}; d={d}) = {v}" for mu, v in rows)
    _emit(args, payload, text)
    return 0


# --------------------------------------------------------------------------- integrate


def _cmd_integrate(args: argparse.Namespace) -> int:
    from .haar_integrals import haar_integral

    d = _dimension(args.d)
    i = _int_list(args.i, "--i")
    j = _int_list(args.j, "--j")
    ic = _int_list(args.i_conj if args.i_conj is not None else args.i, "--i-conj")
    jc = _int_list(args.j_conj if args.j_conj is not None else args.j, "--j-conj")
    try:
        value = haar_integral(i, j, ic, jc, d)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--i/--j/--i-conj/--j-conj: {exc}") from None
    factors = " ".join(f"U[{a},{b}]" for a, b in zip(i, j)) + " " + " ".join(
        f"conj(U[{a},{b}])" for a, b in zip(ic, jc)
    )
    payload = {"d": str(d), "i": i, "j": j, "i_conj": ic, "j_conj": jc, "value": str(value)}
    _emit(args, payload, f"E[{factors.strip()}] (U Haar on U({d})) = {value}")
    return 0


# --------------------------------------------------------------------------- parser

_Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand stores its handler in ``args.handler``."""
    parser = argparse.ArgumentParser(
        prog="weingarten-check",
        description="Exact Weingarten calculus and a machine-checked derivation of vanishing variation ranges.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "wg",
        help="exact Weingarten function Wg(sigma, d) of U(d)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Exact Weingarten function of U(d): a Rational for integer d (right also for d < k),\n"
        "a rational function in lowest terms for symbolic d (valid for integer d >= k).",
        epilog="examples:\n"
        "  weingarten-check wg 2,1 --d d        # cycle type (2,1), symbolic d\n"
        "  weingarten-check wg 1,0,2 --d 3      # the permutation 0->1, 1->0, 2->2 at d = 3\n"
        "  weingarten-check wg 1,1,1 --d 2      # d < k: only partitions with <= d rows count\n"
        "  weingarten-check wg --all 4 --d d --json",
    )
    p.add_argument("sigma", nargs="?", metavar="SIGMA", help="cycle type (2,1) or permutation images (1,0,2; contains 0)")
    p.add_argument("--d", default="d", help="dimension: positive integer or symbol name (default: d)")
    p.add_argument("--all", type=int, metavar="K", help="print Wg for every cycle type of S_K")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_cmd_wg)

    p = sub.add_parser(
        "integrate",
        help="exact Haar integral of a monomial in U and conj(U)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="E[prod_a U[i_a, j_a] prod_b conj(U[i'_b, j'_b])] for U Haar on U(d), 0-based indices.\n"
        "--i-conj/--j-conj default to --i/--j (an absolute square).",
        epilog="examples:\n"
        "  weingarten-check integrate --i 0,0 --j 0,0 --d d                       # E|U_11|^4 = 2/(d(d+1))\n"
        "  weingarten-check integrate --i 0,1 --j 0,1 --i-conj 0,1 --j-conj 1,0 --d d\n"
        "  weingarten-check integrate --i 0,0,0 --j 0,0,0 --d 2 --json",
    )
    p.add_argument("--i", required=True, help="row indices of the U factors, comma separated")
    p.add_argument("--j", required=True, help="column indices of the U factors")
    p.add_argument("--i-conj", dest="i_conj", help="row indices of the conj(U) factors (default: --i)")
    p.add_argument("--j-conj", dest="j_conj", help="column indices of the conj(U) factors (default: --j)")
    p.add_argument("--d", default="d", help="dimension: positive integer or symbol name (default: d)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=_cmd_integrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``weingarten-check`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: _Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except UsageError as exc:
        print(f"weingarten-check {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
