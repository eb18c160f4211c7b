"""The ``verify`` and ``proofs`` commands: the lemma suite in proofs/ and the numerical confirmation."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..reporting import strict_json
from .args import UsageError, int_list, positive, writable_dir
from .output import emit

__all__ = ["add_verify_parsers", "cmd_proofs", "cmd_verify"]


def cmd_proofs(args: argparse.Namespace) -> int:
    """``weingarten-check proofs``: run the lemma suite in proofs/ and print one row per lemma.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check proofs --help``).

    Returns
    -------
    int
        The exit code: 0 if every selected lemma passed
        (:func:`weingarten_check.reporting.proofs_report.lemma_run_passed`), else 1.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..reporting.proofs_report import (
        LemmaProgress,
        ProofsRunError,
        ProofsSelectionError,
        format_table,
        lemma_run_passed,
        run_proofs,
    )

    extra = ("-k", args.select) if args.select else ()
    bar = LemmaProgress() if args.progress or sys.stderr.isatty() else None
    try:
        results = run_proofs(extra_pytest_args=extra, progress=bar)
    except ProofsSelectionError as exc:
        msg = str(exc)
        if msg == "no lemma test was selected":
            msg = f"no lemma matches {args.select!r}" if args.select else "proofs/ holds no lemma test"
        raise UsageError(f"--select: {msg}") from None
    except ProofsRunError as exc:
        print(f"weingarten-check proofs: error: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    rows = [
        {
            "lemma": r.lemma,
            "statement": r.statement,
            "dimensions": r.dimensions,
            "status": r.status,
            "seconds": r.seconds,
            "tests": getattr(r, "tests", None),
            "mutants": getattr(r, "mutants", None),
        }
        for r in results
    ]
    ok = lemma_run_passed(results)
    emit(args, {"ok": ok, "lemmas": rows}, format_table(results) if rows else "no lemma was selected")
    return 0 if ok else 1


def cmd_verify(args: argparse.Namespace) -> int:
    """``weingarten-check verify``: the lemma suite and the numerical check; print and save the report.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check verify --help``).

    Returns
    -------
    int
        The exit code: 0 if the report passes (:attr:`VerifyReport.ok`), else 1.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..reporting.verify_report import (
        DEFAULT_MS,
        DEFAULT_QS,
        default_points,
        format_markdown,
        run_verify,
        supported_ms,
        supported_qs,
        write_report,
    )

    if args.no_lemmas and args.no_numerics:
        raise UsageError("--no-lemmas/--no-numerics: with both there is nothing to verify; drop one of them")
    if args.q is not None and args.no_numerics:
        raise UsageError("--q: selects numerical checks, which --no-numerics turns off")
    if args.samples < 2:
        raise UsageError(
            f"--samples: must be an integer >= 2 (a confidence interval needs two samples), got {args.samples}"
        )
    positive(args.seed, "--seed", 0)
    qs = sorted({int(x) for x in int_list(args.q, "--q")}) if args.q is not None else list(DEFAULT_QS)
    if not qs:
        raise UsageError(f"--q: expected local dimensions such as 2,3, got {args.q!r}")
    for q in qs:
        positive(q, "--q", 2)
    unsupported = [q for q in qs if q not in supported_qs()]
    if unsupported:
        raise UsageError(
            f"--q: no numerical checks are defined for q = {', '.join(map(str, unsupported))}; "
            f"supported: {', '.join(map(str, supported_qs()))}"
        )
    ms = sorted({int(x) for x in int_list(args.m, "--m")}) if args.m is not None else list(DEFAULT_MS)
    if args.m is not None and args.no_numerics:
        raise UsageError("--m: selects numerical checks, which --no-numerics turns off")
    if not ms:
        raise UsageError(f"--m: expected sizes of A such as 1,2, got {args.m!r}")
    bad_m = [m for m in ms if m not in supported_ms()]
    if not ms or bad_m:
        raise UsageError(
            f"--m: no numerical checks are defined for m = {args.m}; supported: {', '.join(map(str, supported_ms()))}"
        )
    outdir = writable_dir(*_out_dir(args))
    points = default_points(qs, ms)
    if not args.no_numerics and not points:
        raise UsageError(f"--q/--m: no numerical checks are defined for q in {qs} with m in {ms}")
    if args.quick:
        points = [
            p for p in points if p.n == min(x.n for x in points if (x.config.q, x.config.m) == (p.config.q, p.config.m))
        ]
    if not args.json:
        parts = [
            p
            for p, on in (
                ("the lemma suite in proofs/", not args.no_lemmas),
                (_points_text(points, args.samples), not args.no_numerics),
            )
            if on
        ]
        print(
            f"weingarten-check verify: running {' and '.join(parts) or 'nothing'} ...",
            file=sys.stderr,
            flush=True,
        )
    rep = run_verify(
        lemmas=not args.no_lemmas,
        numerics=not args.no_numerics,
        points=points,
        samples=args.samples,
        seed=args.seed,
        progress=args.progress or (not args.json and sys.stderr.isatty()),
    )
    md, js = write_report(rep, outdir)
    if args.json:
        print(strict_json.dumps(rep.as_dict(), indent=1, default=str))
    else:
        print(format_markdown(rep))
        print(f"report written to {md} and {js}")
    return 0 if rep.ok else 1


def _out_dir(args: argparse.Namespace) -> tuple[str, str]:
    """The report directory and the option that named it; refuse a file name (``--results x.json``)."""
    if args.out_dir is not None and args.results is not None:
        raise UsageError("--results: is the old name of --out-dir; give only --out-dir")
    option, path = ("--results", args.results) if args.results is not None else ("--out-dir", args.out_dir)
    path = "results" if path is None else path
    if path.lower().endswith((".json", ".jsonl", ".md")):
        raise UsageError(
            f"{option}: verify writes verify.md and verify.json into a directory; {path!r} looks like a "
            "file name (give a directory such as --out-dir results/)"
        )
    return path, option


def _points_text(points: Sequence[Any], samples: int) -> str:
    """``N numerical checks (S samples each, largest q^n = D)``: what the run costs, from its points.

    Examples
    --------
    >>> from ..reporting.verify_report import default_points
    >>> _points_text(default_points([2]), 200)
    '32 numerical checks (200 samples each, largest q^n = 2^12)'
    """
    if not points:
        return "0 numerical checks"
    big = max(points, key=lambda p: p.config.q**p.n)
    return f"{len(points)} numerical checks ({samples} samples each, largest q^n = {big.config.q}^{big.n})"


def add_verify_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``verify`` and ``proofs`` subcommands to ``sub``, the subparsers of the top-level parser.

    Each subcommand stores its handler in ``args.handler`` (:func:`cmd_verify`, :func:`cmd_proofs`).

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="weingarten-check").add_subparsers()
    >>> add_verify_parsers(sub)
    >>> sorted(sub.choices)
    ['proofs', 'verify']
    >>> sub.choices["verify"].parse_args(["--quick"]).handler is cmd_verify
    True
    """
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "verify",
        help="run the lemma suite and a numerical check; print and save the report",
        formatter_class=raw,
        description="The main job (`make verify`). Runs proofs/ (every lemma of the derivation, machine-checked)\n"
        "and estimates E[Δ] with a 95 % CI at a few n for q = 2 and 3 (4 on request), next to every bound. Writes\n"
        "verify.md and verify.json into --out-dir. --q and --m replace the default points (--q 2,3,4 adds q = 4).\n"
        "Exit code 1 if a lemma fails, a CI lies above a bound, "
        "or (exact Haar VQE/QAE) below the fourth-moment lower bound.",
        epilog="examples:\n"
        "  weingarten-check verify\n"
        "  weingarten-check verify --quick --no-lemmas          # numerics only, smallest n\n"
        "  weingarten-check verify --q 3 --samples 500 --out-dir out/ --json",
    )
    p.add_argument(
        "--out-dir", dest="out_dir", metavar="DIR", help="directory of verify.md and verify.json (default: results)"
    )
    p.add_argument("--results", metavar="DIR", help="old name of --out-dir (a directory, not a results file)")
    p.add_argument("--samples", type=int, default=200, help="samples per point (default: 200)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    p.add_argument(
        "--q",
        metavar="Q[,Q]",
        help="local dimensions of the numerical checks, replacing the default 2,3: 2, 3 and/or 4",
    )
    p.add_argument(
        "--m",
        metavar="M[,M]",
        help="sizes of A to check numerically, replacing the default 1 (the paper's); 2 = two qubits, dA = 4",
    )
    p.add_argument("--quick", action="store_true", help="only the smallest n per q (and m)")
    p.add_argument("--no-lemmas", action="store_true", help="skip the lemma suite")
    p.add_argument("--no-numerics", action="store_true", help="skip the numerical check")
    p.add_argument(
        "--progress",
        action="store_true",
        help="per-lemma and per-point progress on stderr even when it is not a terminal",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser(
        "proofs",
        help="run the lemma suite in proofs/ and print the lemma table",
        formatter_class=raw,
        description="Runs proofs/ with pytest; one row per lemma: statement, dimensions covered, status, time.\n"
        "Exit code 1 if any lemma fails.",
        epilog="examples:\n  weingarten-check proofs\n  weingarten-check proofs --select proposition2 --json",
    )
    p.add_argument("--select", "-k", metavar="EXPR", help="only lemmas matching this pytest -k expression")
    p.add_argument(
        "--progress", action="store_true", help="show per-lemma progress on stderr even when it is not a terminal"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_proofs)
