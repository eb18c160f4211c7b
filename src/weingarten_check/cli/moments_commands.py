"""The ``moments`` command: exact E||K||_F² (QSL: E||M||_F²) of any supported ensemble, finite depth or not."""

from __future__ import annotations

import argparse

from .args import UsageError, n_list
from .output import emit

__all__ = ["add_moments_parsers", "cmd_moments", "layers_list"]

_ENSEMBLES = ("brickwork", "hea", "real-hea", "haar", "clifford", "local1", "orthogonal")
_TASKS = ("vqe", "qae", "qsl")
_CASES = ("v1", "v2", "both")


def layers_list(text: str) -> list[int]:
    """Parse ``--layers`` in the forms of ``--n``: ``1,3,12``, ``1-20`` or ``2-40:2``; every L >= 1.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    list of int
        Sorted, without repetitions.

    Raises
    ------
    UsageError
        If a part is malformed or a depth is < 1.

    Examples
    --------
    >>> layers_list("2-8:3,1")
    [1, 2, 5, 8]
    >>> layers_list("0")
    Traceback (most recent call last):
    ...
    weingarten_check.cli.args.UsageError: --layers: every depth must be >= 1, got 0
    """
    out: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if "-" in part[1:]:
                rng, _, step = part.partition(":")
                lo, hi = (int(x) for x in rng.split("-"))
                st = int(step) if step else 1
                if st < 1 or hi < lo:
                    raise ValueError
                out += list(range(lo, hi + 1, st))
            else:
                out.append(int(part))
        except ValueError:
            raise UsageError(
                f"--layers: expected depths such as 1,3,12 or a range such as 1-20 or 2-40:2, got {text!r}"
            ) from None
    for L in out:
        if L < 1:
            raise UsageError(f"--layers: every depth must be >= 1, got {L}")
    return sorted(set(out))


def _option_of(message: str) -> str:
    for word, opt in (
        ("layers", "--layers"),
        ("sites", "--sites"),
        ("site", "--site"),
        ("q must", "--q"),
        ("n must", "--n"),
    ):
        if message.startswith(word):
            return opt
    return "moments"


def cmd_moments(args: argparse.Namespace) -> int:
    """``weingarten-check moments``: exact second moments per (n, layers), with the E[Δ] bound.

    Lemma 14 of ``proofs/DERIVATION.md`` (finite depth) and Lemma 9 (``haar``, ``clifford``), through
    :func:`weingarten_check.theory.finite_depth.finite_depth_moment`.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check moments --help``).

    Returns
    -------
    int
        The exit code: 0.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES
    from ..theory.finite_depth import finite_depth_moment, finite_depth_points

    for opt, val, allowed in (
        ("--task", args.task, _TASKS),
        ("--case", args.case, _CASES),
        ("--ensemble", args.ensemble, _ENSEMBLES),
    ):
        if val not in allowed:
            raise UsageError(f"{opt}: unknown value {val!r}; expected one of {', '.join(allowed)}")
    ns = n_list(args.n)
    finite = args.ensemble in FINITE_DEPTH_ENSEMBLES
    if finite and args.layers is None:
        raise UsageError(f"--layers: required for --ensemble {args.ensemble} (e.g. 1-20)")
    if not finite and args.layers is not None:
        raise UsageError(f"--layers: not allowed for --ensemble {args.ensemble} (it has no depth)")
    layers = layers_list(args.layers) if finite else [None]
    sites = None
    if getattr(args, "sites", None) is not None:
        try:
            sites = tuple(int(x) for x in args.sites.split(","))
        except ValueError:
            raise UsageError(f"--sites: expected two adjacent sites such as 0,1, got {args.sites!r}") from None
    points = []
    for n in ns:
        try:
            if finite:  # one pass per residue of L gives every depth
                points += finite_depth_points(args.task, args.case, args.ensemble, n, layers, args.q, args.site, sites)
            else:
                points.append(
                    finite_depth_moment(args.task, args.case, args.ensemble, n, None, args.q, args.site, sites)
                )
        except ValueError as exc:
            msg = str(exc)
            raise UsageError(f"{_option_of(msg)}: {msg}") from None
    key = "expected_K_frobenius_sq"
    payload = {
        "points": [
            {
                "n": r.n,
                "layers": r.layers,
                "ensemble": r.ensemble,
                "task": r.task,
                "case": r.case,
                "q": r.q,
                "site": r.site,
                **({} if r.sites is None else {"sites": list(r.sites)}),
                key: str(r.value) if r.exact else float(r.value),
                **(
                    {}
                    if r.exact
                    else {"error_bound": r.error_bound}
                    if r.error_bound is not None
                    else {"stderr": r.stderr}
                ),
                "delta_bound": r.delta_bound,
            }
            for r in points
        ]
    }
    what = "E||M||_F^2" if args.task == "qsl" else "E||K||_F^2"
    lines = [
        f"n={r.n} L={r.layers if r.layers is not None else '-'} {r.ensemble} {r.task} {r.case} q={r.q} "
        f"{'site=' + str(r.site) if r.sites is None else 'sites=' + ','.join(map(str, r.sites))}: "
        f"{what} = {r.value} ~ {float(r.value):.6g}   E[Delta] <= {r.delta_bound:.6g}"
        for r in points
    ]
    emit(args, payload, "\n".join(lines))
    return 0


def add_moments_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``moments`` subcommand to ``sub`` (its handler: :func:`cmd_moments`).

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="weingarten-check").add_subparsers()
    >>> add_moments_parsers(sub)
    >>> a = sub.choices["moments"].parse_args(["--task", "vqe", "--case", "v1", "--ensemble", "haar", "--n", "6"])
    >>> a.handler is cmd_moments, a.q, a.site, a.layers
    (True, 2, 0, None)
    """
    p = sub.add_parser(
        "moments",
        help="exact E||K||_F^2 (QSL: E||M||_F^2) of a finite-depth or design ensemble, and the E[Delta] bound",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Exact second moments (Lemma 14; haar/clifford: Lemma 9) for A = one site, input |0...0>.\n"
        "brickwork: Haar 2-qudit gates (any q), layer 1 first on (0,1),(2,3),...; hea: the paper's circuit\n"
        "(Ry(pi/4), then L x (random Pauli rotations, CZ chain)), exact in Q(sqrt 2) for n <= 5;\n"
        "real-hea: the same with R_Y rotations only (real circuits), exact for n <= 5.\n"
        "local1: one layer of random single-site gates (Rz Ry Rz for qubits, Haar for q >= 3).\n"
        "--sites s,s+1: A = two adjacent sites (m = 2) for brickwork, local1, haar, clifford.\n"
        "E[Delta] <= sqrt(2) dA sqrt(E||K||_F^2) (2 sqrt(2) for a qubit); QSL: E[Delta] <= dA E||M||_F^2.",
        epilog="examples:\n"
        "  weingarten-check moments --task vqe --case v1 --ensemble brickwork --n 8 --layers 1-20\n"
        "  weingarten-check moments --task vqe --case v1 --ensemble hea --n 3-5 --layers 10,20 --json\n"
        "  weingarten-check moments --task qae --case both --ensemble haar --n 4-12:4 --q 3\n"
        "  weingarten-check moments --task vqe --case v1 --ensemble brickwork --n 16 --layers 1-12 --q 3\n"
        "  weingarten-check moments --task vqe --case v1 --ensemble brickwork --n 8 --layers 1-8 --sites 0,1",
    )
    p.add_argument("--task", required=True, help="vqe, qae or qsl")
    p.add_argument("--case", required=True, help="v1, v2 or both")
    p.add_argument(
        "--ensemble",
        required=True,
        help="brickwork, hea, real-hea (R_Y + CZ), haar, clifford, local1 or orthogonal (Haar O(d))",
    )
    p.add_argument("--n", required=True, help="sizes: 4,6,8 or 3-10 or 4-12:2")
    p.add_argument("--layers", help="depths (brickwork, hea, real-hea only): 1,3,12 or 1-20 or 2-40:2")
    p.add_argument(
        "--q", type=int, default=2, help="local dimension (default 2; >= 3 for brickwork, local1, haar, orthogonal)"
    )
    p.add_argument("--site", type=int, default=0, help="the site of A (default 0)")
    p.add_argument(
        "--sites", help="A = two adjacent sites, e.g. 0,1 (m = 2; brickwork, local1, haar, clifford); replaces --site"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_moments)
