"""The ``wg`` and ``integrate`` commands: exact Weingarten values and Haar integrals."""

from __future__ import annotations

import argparse

from .args import UsageError, dimension, int_list
from .output import emit

__all__ = ["add_calculus_parsers", "cmd_wg", "cmd_integrate"]


def cmd_wg(args: argparse.Namespace) -> int:
    """``weingarten-check wg``: the exact Weingarten function of U(d), O(d) or Sp(d) (``--group``), or every class.

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

    group = _group(args)
    d = _group_dimension(group, args.d)
    if group != "U":
        return _cmd_wg_pairings(args, group, d)
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


def _group(args: argparse.Namespace) -> str:
    from ..calculus.brauer import check_group

    try:
        return check_group(getattr(args, "group", "U") or "U")
    except ValueError:
        raise UsageError(f"--group: must be U, O or Sp, got {args.group!r}") from None


def _group_dimension(group: str, text: str):
    d = dimension(text)
    if group == "Sp" and isinstance(d, int) and d % 2:
        raise UsageError(f"--d: Sp(d) needs an even d (d = 2n, the matrices are d x d), got {d}")
    return d


def _cmd_wg_pairings(args: argparse.Namespace, group: str, d) -> int:
    """``wg --group O|Sp``: Weingarten values at coset types (partitions of p, 2p indices)."""
    from ..calculus.brauer import coset_type, weingarten_group, weingarten_group_all
    from ..calculus.limits import WorkLimitError

    if args.all is not None:
        if args.sigma is not None:
            raise UsageError(f"SIGMA: give either SIGMA ({args.sigma}) or --all {args.all}, not both")
        if args.all < 0:
            raise UsageError(f"--all: p must be >= 0, got {args.all}")
        try:
            rows = list(weingarten_group_all(group, args.all, d).items())
        except WorkLimitError as exc:
            raise UsageError(f"--all: {exc}") from None
    else:
        if args.sigma is None:
            raise UsageError(
                "SIGMA: give a coset type such as 2,1 (a partition of p) or a permutation of 2p points such as 0,2,1,3"
            )
        items = int_list(args.sigma, "SIGMA")
        try:
            rho = coset_type(items)
            rows = [(rho, weingarten_group(group, items, d))]
        except (TypeError, ValueError) as exc:
            raise UsageError(f"SIGMA: {exc}") from None
    payload = {
        "group": group,
        "d": str(d),
        "values": [{"coset_type": list(rho), "wg": str(v)} for rho, v in rows],
    }
    text = "\n".join(f"Wg^{group}({','.join(map(str, rho))}; d={d}) = {v}" for rho, v in rows)
    emit(args, payload, text)
    return 0


def cmd_integrate(args: argparse.Namespace) -> int:
    """``weingarten-check integrate``: the exact Haar integral of a monomial in U and conj(U) over U, O or Sp.

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
    from ..calculus.brauer_integrals import haar_integral_group

    group = _group(args)
    d = _group_dimension(group, args.d)
    sp_pairs = group == "Sp" and not isinstance(d, int)
    parse = _sp_index_list if sp_pairs else int_list
    i = parse(args.i, "--i")
    j = parse(args.j, "--j")
    ic = parse(args.i_conj if args.i_conj is not None else args.i, "--i-conj")
    jc = parse(args.j_conj if args.j_conj is not None else args.j, "--j-conj")
    if group != "U" and (len(i) + len(ic)) % 2:
        raise UsageError(
            f"--i/--i-conj: {group}(d) integrals need an even number of factors (2p indices), got {len(i)} + {len(ic)}"
        )
    try:
        value = haar_integral_group(group, i, j, d, ic, jc)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--i/--j/--i-conj/--j-conj: {exc}") from None

    def show(x):
        return f"{x[0]}'" if isinstance(x, tuple) and x[1] else str(x[0] if isinstance(x, tuple) else x)

    factors = (
        " ".join(f"U[{show(a)},{show(b)}]" for a, b in zip(i, j))
        + " "
        + " ".join(f"conj(U[{show(a)},{show(b)}])" for a, b in zip(ic, jc))
    )
    listed = {
        k: [show(x) if sp_pairs else x for x in v] for k, v in (("i", i), ("j", j), ("i_conj", ic), ("j_conj", jc))
    }
    payload = {"group": group, "d": str(d), **listed, "value": str(value)}
    names = {"U": "U", "O": "O", "Sp": "Sp"}
    emit(args, payload, f"E[{factors.strip()}] (U Haar on {names[group]}({d})) = {value}")
    return 0


def _sp_index_list(text: str, option: str) -> list[tuple[int, int]]:
    """Sp indices with a symbolic d: ``k`` (0 <= k < d/2) or ``k'`` (the index k + d/2)."""
    out = []
    for tok in text.split(","):
        tok = tok.strip()
        primed = tok.endswith("'")
        core = tok[:-1] if primed else tok
        if not core.isdigit():
            raise UsageError(
                f"{option}: with --group Sp and a symbolic --d, indices are k or k' (k' = k + d/2), "
                f"comma separated, got {text!r}"
            )
        out.append((int(core), int(primed)))
    return out


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
        help="exact Weingarten function Wg(sigma, d) of U(d), O(d) or Sp(d)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Exact Weingarten function of U(d): a Rational for integer d (right also for d < k),\n"
        "a rational function in lowest terms for symbolic d (valid for integer d >= k).",
        epilog="examples:\n"
        "  weingarten-check wg 2,1 --d d        # cycle type (2,1), symbolic d\n"
        "  weingarten-check wg 1,0,2 --d 3      # the permutation 0->1, 1->0, 2->2 at d = 3\n"
        "  weingarten-check wg 1,1,1 --d 2      # d < k: only partitions with <= d rows count\n"
        "  weingarten-check wg --all 4 --d d --json\n"
        "  weingarten-check wg --all 3 --group O --d d   # every coset type (partition of 3), 6 indices\n"
        "  weingarten-check wg 2,1 --group Sp --d 8      # Sp(8), d even\n"
        "groups O and Sp: SIGMA is a coset type (partition of p, for 2p indices) or a permutation of 2p\n"
        "points; Sp's value is (-1)^p Wg^O(rho; -d), the Weingarten matrix entry between the pairing\n"
        "{0,1}{2,3}... and the canonical pairing of type rho (see weingarten_check.calculus.brauer).",
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
        help="print Wg for every cycle type of S_K (p(K)² terms: K <= 19 symbolic, K <= 24 integer d); "
        "with --group O or Sp every coset type of order K (2K indices, K <= 16)",
    )
    p.add_argument("--group", default="U", help="U (default), O or Sp (d even): the group integrated over")
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
        "  weingarten-check integrate --i 0,0,0 --j 0,0,0 --d 2 --json\n"
        "  weingarten-check integrate --i 0 --j 0 --group O --d d       # E O_11^2 = 1/d\n"
        "  weingarten-check integrate --i 0,0\\' --j 0,0\\' --group Sp --d d   # k' = k + d/2 for symbolic d\n"
        "groups O and Sp: an even total number of factors; Sp(d) = {U unitary : U J U^T = J},\n"
        "J = [[0, I], [-I, 0]], indices 0..d-1 for integer d.",
    )
    p.add_argument("--i", required=True, help="row indices of the U factors, comma separated")
    p.add_argument("--j", required=True, help="column indices of the U factors")
    p.add_argument("--i-conj", dest="i_conj", help="row indices of the conj(U) factors (default: --i)")
    p.add_argument("--j-conj", dest="j_conj", help="column indices of the conj(U) factors (default: --j)")
    p.add_argument("--d", default="d", help="dimension: positive integer or symbol name (default: d)")
    p.add_argument("--group", default="U", help="U (default), O or Sp (d even): the group integrated over")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_integrate)
