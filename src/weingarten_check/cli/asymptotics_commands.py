"""The ``asymptotics`` command: the large-n constants c = lim scale·E[Δ] (Lemma 15)."""

from __future__ import annotations

import argparse

from .args import UsageError, choices, int_list
from .output import emit

__all__ = ["add_asymptotics_parsers", "cmd_asymptotics"]


def _format_c(c) -> str:
    return f"{float(c):.15g}"


def cmd_asymptotics(args: argparse.Namespace) -> int:
    """``weingarten-check asymptotics``: the table of large-n constants of Lemma 15 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (``--q``, ``--task``, ``--case``, ``--json``).

    Returns
    -------
    int
        The exit code: 0.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..theory.asymptotics import ASYMPTOTIC_TASKS, GAUSSIAN_DELTA_MC, asymptotic_constant, limiting_law
    from ..theory.bounds import CASES

    qs = int_list(args.q, "--q")
    if not qs:
        raise UsageError("--q: expected comma-separated local dimensions such as 2,3")
    tasks = choices(args.task, ASYMPTOTIC_TASKS, "--task")
    cases = choices(args.case, CASES, "--case")
    for q in qs:
        if q < 2:
            raise UsageError(f"--q: local dimensions must be >= 2, got {q}")
        iid = [f"{t} {c}" for t in tasks for c in cases if limiting_law(t, c) == "iid Gaussian"]
        if q > 2 and q not in GAUSSIAN_DELTA_MC and iid:
            stored = ", ".join(str(k) for k in sorted(GAUSSIAN_DELTA_MC))
            raise UsageError(
                f"--q: {q} is available for --task qsl and the rank-one cases (qae v1, qae v2, vqe v2) only, "
                f"not for {', '.join(iid)} (iid Gaussian law: q = 2 or {stored}, a stored Monte Carlo)"
            )
    rows = [asymptotic_constant(t, c, q) for q in dict.fromkeys(qs) for t in tasks for c in cases]
    payload = {"constants": [r.as_dict() for r in rows]}
    head = ("q", "task", "case", "law", "scale", "c", "± stderr", "closed form", "c/upper", "c/lower")
    body = [
        (
            str(r.q),
            r.task,
            r.case,
            r.law,
            r.scale,
            _format_c(r.c),
            "exact" if r.c_stderr == 0 else f"{r.c_stderr:.2g}",
            r.closed_form or "-",
            f"{r.c_over_upper:.4f}",
            f"{r.c_over_lower:.4f}",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip() for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        "c = lim scale·E[Δ] as n -> ∞ (A = site 0, input |0…0>, exact Haar V1/V2); upper/lower: the bounds of "
        "Lemma 11.6 (QSL: Proposition 2 and E||M||_F²) at the same scale"
    )
    emit(args, payload, "\n".join(lines))
    return 0


def add_asymptotics_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``asymptotics`` subcommand to ``sub``, the subparsers of the top-level parser.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="weingarten-check").add_subparsers()
    >>> add_asymptotics_parsers(sub)
    >>> sub.choices["asymptotics"].parse_args(["--q", "2"]).handler is cmd_asymptotics
    True
    """
    p = sub.add_parser(
        "asymptotics",
        help="large-n constants c = lim scale·E[Δ] for every task, case and q (Lemma 15)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The constant of the rate: c = lim scale·E[Δ] (scale sqrt(d), sqrt(d/n) for VQE v2/both, d for\n"
        "QSL), the limiting law of the scaled K (or M), and c over the limits of the two-sided bounds.",
        epilog="examples:\n"
        "  weingarten-check asymptotics                       # q = 2, 3, every task and case\n"
        "  weingarten-check asymptotics --q 2 --task vqe --case v1\n"
        "  weingarten-check asymptotics --q 5 --task qsl --json\n"
        "  weingarten-check asymptotics --q 4 --task qae --case v1,v2",
    )
    p.add_argument(
        "--q",
        default="2,3",
        help="local dimensions, comma separated (default: 2,3; q >= 5: qsl and the rank-one cases only)",
    )
    p.add_argument("--task", default="all", help="vqe, qae, qsl (comma separated) or all (default)")
    p.add_argument("--case", default="all", help="v1, v2, both (comma separated) or all (default)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_asymptotics)
