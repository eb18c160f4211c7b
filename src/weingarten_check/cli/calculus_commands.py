"""The ``wg`` and ``integrate`` commands: exact Weingarten values and Haar integrals."""

from __future__ import annotations

import argparse

from .args import UsageError, dimension, int_list
from .output import emit

__all__ = ["add_calculus_parsers", "cmd_wg", "cmd_integrate"]


def cmd_wg(args: argparse.Namespace) -> int:
    """``weingarten-check wg``: the exact Weingarten function Wg(sigma, d) of U(d), or every class of S_K.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check wg --help``).

    Returns
    -------
    int
        The exit code: 0.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..calculus.limits import WorkLimitError
    from ..calculus.unitary import cycle_type_of, weingarten_all_classes, weingarten_class

    d = dimension(args.d)
    if args.all is not None:
        if args.sigma is not None:
            raise UsageError(f"SIGMA: give either SIGMA ({args.sigma}) or --all {args.all}, not both")
        if args.all < 0:
            raise UsageError(f"--all: k must be >= 0, got {args.all}")
        try:
            rows = list(weingarten_all_classes(args.all, d).items())
        except WorkLimitError as exc:
            raise UsageError(f"--all: {exc}") from None
    else:
        if args.sigma is None:
            raise UsageError("SIGMA: give a cycle type such as 2,1 or a permutation such as 1,0,2 (or use --all K)")
        items = int_list(args.sigma, "SIGMA")
        try:
            mu = cycle_type_of(items)
            rows = [(mu, weingarten_class(mu, d))]
        except (TypeError, ValueError) as exc:
            raise UsageError(f"SIGMA: {exc}") from None
    payload = {"d": str(d), "values": [{"cycle_type": list(mu), "wg": str(v)} for mu, v in rows]}
    text = "\n".join(f"Wg({','.join(map(str, mu))}; d={d}) = {v}" for mu, v in rows)
    emit(args, payload, text)
    return 0


def cmd_integrate(args: argparse.Namespace) -> int:
    """``weingarten-check integrate``: the exact Haar integral of a monomial in U and conj(U).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check integrate --help``).

    Returns
    -------
    int
        The exit code: 0.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..calculus.unitary_integrals import haar_integral

    d = dimension(args.d)
    i = int_list(args.i, "--i")
    j = int_list(args.j, "--j")
    ic = int_list(args.i_conj if args.i_conj is not None else args.i, "--i-conj")
    jc = int_list(args.j_conj if args.j_conj is not None else args.j, "--j-conj")
    try:
        value = haar_integral(i, j, ic, jc, d)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--i/--j/--i-conj/--j-conj: {exc}") from None
    factors = (
        " ".join(f"U[{a},{b}]" for a, b in zip(i, j)) + " " + " ".join(f"conj(U[{a},{b}])" for a, b in zip(ic, jc))
    )
    payload = {"d": str(d), "i": i, "j": j, "i_conj": ic, "j_conj": jc, "value": str(value)}
    emit(args, payload, f"E[{factors.strip()}] (U Haar on U({d})) = {value}")
    return 0


def add_calculus_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``wg`` and ``integrate`` subcommands to ``sub``, the subparsers of the top-level parser.

    Each subcommand stores its handler in ``args.handler`` (:func:`cmd_wg`, :func:`cmd_integrate`).

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="weingarten-check").add_subparsers()
    >>> add_calculus_parsers(sub)
    >>> sorted(sub.choices)
    ['integrate', 'wg']
    >>> sub.choices["wg"].parse_args(["2,1", "--d", "3"]).handler is cmd_wg
    True
    """
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
    p.add_argument(
        "sigma",
        nargs="?",
        metavar="SIGMA",
        help="cycle type such as 2,1 (positive parts) or a permutation such as 1,0,2 (the images of "
        "0..k-1); any list containing 0 is read as a permutation, so 2,0 is an error. "
        "Reaches k <= 35 (the character sum has p(k) terms)",
    )
    p.add_argument("--d", default="d", help="dimension: positive integer or symbol name (default: d)")
    p.add_argument(
        "--all",
        type=int,
        metavar="K",
        help="print Wg for every cycle type of S_K (p(K)² terms: K <= 19 symbolic, K <= 24 integer d)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_wg)

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
    p.set_defaults(handler=cmd_integrate)
