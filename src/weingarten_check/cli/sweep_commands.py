"""The ``sweep`` and ``figure5`` commands: sampled E[Δ] versus n, and the paper's Figure 5 from it."""

from __future__ import annotations

import argparse
import math
import sys

from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES
from ..experiments.tasks import CASES, ENSEMBLE_CHOICES, TASKS, resolve_ensemble
from ..reporting.tables import format_sweep_summary
from .args import (
    UsageError,
    choices,
    n_list,
    positive,
    read_results_file,
    usage_from_value_error,
    writable_dir,
    writable_file,
)
from .output import emit

__all__ = ["add_sweep_parsers", "cmd_sweep", "cmd_figure5"]


def _layers_list(text: str) -> list[int]:
    """Parse ``--layers`` of ``sweep``: depths >= 0 in the forms of ``--n`` (``1,3,12``, ``1-20``, ``2-40:2``)."""
    out: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            if "-" in part:
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
    return sorted(set(out))


def _check_depth_ensembles(ensembles: set[str]) -> None:
    """``--layers`` is only for the finite-depth ensembles: one line naming it otherwise."""
    flat = sorted(e for e in ensembles if e not in FINITE_DEPTH_ENSEMBLES)
    if flat:
        raise UsageError(
            f"--layers: only for the finite-depth ensembles {', '.join(FINITE_DEPTH_ENSEMBLES)}; "
            f"{', '.join(flat)} has no depth"
        )


def _quiet_dask_logging() -> None:
    """Silence the Dask client's own logging (it logs every comm failure with a traceback, ~60 lines
    when the scheduler dies); the sweep reports such failures itself, in one line."""
    import logging

    try:
        import distributed  # noqa: F401  (configures its loggers on import: override them after)
    except ImportError:
        return
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("distributed", "tornado")]
    for name in ["distributed", "tornado", "asyncio", *names]:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``weingarten-check sweep``: sample Δ at each n into the results file, print E[Δ] next to the bounds.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check sweep --help``).

    Returns
    -------
    int
        The exit code: 0 when every sample is in the results file, 1 if the executor was lost or memory ran out,
        130 on an interrupt (every finished sample is kept).

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from pathlib import Path

    from ..experiments.executors import ExecutorLostError, make_executor
    from ..experiments.resources import MemoryCheckError, check_sweep_memory
    from ..experiments.store import (
        CorruptResultsError,
        ResultsFileError,
        ResultsLockedError,
        check_regular_file,
        repair_results,
    )
    from ..experiments.sweep import StoredSampleMismatchError, SweepSpec, run_sweep
    from ..experiments.tasks import RunConfig

    tasks = choices(args.task, TASKS, "--task")
    cases = choices(args.case, CASES, "--case")
    ensemble = choices(args.ensemble, ENSEMBLE_CHOICES, "--ensemble")
    if len(ensemble) != 1:
        raise UsageError(f"--ensemble: give one of {', '.join(ENSEMBLE_CHOICES)}")
    ns = n_list(args.n)
    positive(args.q, "--q", 2)
    positive(args.samples, "--samples", 1)
    positive(args.workers, "--workers", 1)
    positive(args.seed, "--seed", 0)
    positive(args.site, "--site", 0)
    positive(args.m, "--m", 1)
    positive(args.recheck, "--recheck", 0)
    depths: list[int | None] = [None]
    if args.layers is not None:
        depths = list(_layers_list(args.layers))
        _check_depth_ensembles({resolve_ensemble(ensemble[0], t) for t in tasks})
    try:
        specs = [
            SweepSpec(
                RunConfig(t, ensemble[0], c, q=args.q, site=args.site, m=args.m, seed=args.seed, layers=L),
                ns=tuple(ns),
                samples=args.samples,
            )
            for t in tasks
            for c in cases
            for L in depths
        ]
    except (TypeError, ValueError) as exc:
        raise usage_from_value_error(exc) from None
    try:
        check_regular_file(args.results)
    except ResultsFileError as exc:
        raise UsageError(f"--results: {exc}") from None
    path = writable_file(args.results, "--results")
    if not args.scheduler:  # a Dask cluster's memory is not this machine's
        try:
            check_sweep_memory(
                tasks,
                ns,
                args.q,
                workers=args.workers,
                m=args.m,
                ensemble=None if ensemble[0] == "paper" else ensemble[0],
                cases=cases,
            )
        except MemoryCheckError as exc:
            raise UsageError(f"--{exc.option}: {exc}") from None
    if args.repair:
        try:
            dropped = repair_results(path)
        except CorruptResultsError as exc:
            raise UsageError(f"--repair: {exc}") from None
        print(
            f"repaired {path}: dropped {dropped} bytes of an incomplete last line"
            if dropped
            else f"{path}: no incomplete last line to repair",
            file=sys.stderr,
        )
    read_results_file(str(path))  # fail fast (exit 2) on a corrupt file, before any work
    if args.scheduler:
        _quiet_dask_logging()
    try:
        executor = make_executor(args.workers, args.scheduler)
    except ImportError as exc:
        raise UsageError(f"--scheduler: {exc}") from None
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UsageError(
            f"--scheduler: cannot connect to {args.scheduler!r}: {exc} "
            "(expected an address such as tcp://scheduler-host:8786)"
        ) from None
    results = []
    try:
        for spec in specs:
            results.append(
                run_sweep(spec, path, executor=executor, progress=not args.no_progress, recheck=args.recheck)
            )
    except CorruptResultsError as exc:
        raise UsageError(f"--results: {exc}") from None
    except ResultsLockedError as exc:
        raise UsageError(f"--results: {exc}") from None
    except StoredSampleMismatchError as exc:
        raise UsageError(f"--results: {exc}") from None
    except ExecutorLostError as exc:
        print(f"weingarten-check sweep: error: {exc} (results: {path})", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. the disk filled up mid-sweep
        raise UsageError(
            f"--results: cannot write {path}: {exc.strerror or exc}; every sample written "
            "before is kept; resume with the same command"
        ) from None
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: every finished sample is saved in {path}; rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    except MemoryError:
        print(
            f"weingarten-check sweep: error: out of memory (largest n = {max(ns)}, q = {args.q}, "
            f"{args.workers} worker(s)); finished samples are saved in {path}",
            file=sys.stderr,
        )
        return 1
    finally:
        executor.close()
    rows = [r for res in results for r in res.summary]
    from ..reporting.figures import bounds_and_width

    summary = []
    for r in rows:
        w, bnds = bounds_and_width(r.task, r.ensemble, r.case, r.n, r.q, site=r.site, m=r.m)
        name = min(bnds, key=bnds.get) if bnds else None  # the tightest bound that applies
        top = r.mean if r.exact else r.upper_mean
        summary.append(
            r.as_dict()
            | {
                "w": w if math.isfinite(w) else None,
                "bounds": bnds,
                "tightest_bound": name,
                "ratio": top / bnds[name] if name and bnds[name] > 0 else None,
            }
        )
    payload = {
        "results": str(Path(path)),
        "executor": executor.name,
        "computed": sum(r.computed for r in results),
        "reused": sum(r.reused for r in results),
        "seconds": round(sum(r.seconds for r in results), 3),
        "summary": summary,
    }
    emit(args, payload, format_sweep_summary(payload))
    return 0


def _figure5_ensembles(records: list[dict], q: int, choice: str) -> dict[str, str]:
    """The ensemble drawn for each task: ``auto`` = the only one in the results (several: exit 2 and ask),
    ``paper`` = hea for vqe/qae and local1 for qsl, else the named ensemble for every task."""
    present: dict[str, set[str]] = {}
    for r in records:
        if r.get("q") == q:
            present.setdefault(r["task"], set()).add(r["ensemble"])
    if choice == "auto":
        several = {t: sorted(e) for t, e in present.items() if len(e) > 1}
        if several:
            t, ens = next(iter(sorted(several.items())))
            raise UsageError(
                f"--ensemble: the results hold {t} samples for {', '.join(ens)}; choose which "
                f"to draw with --ensemble {'|'.join(ens)} (or paper)"
            )
        return {t: next(iter(e)) for t, e in present.items()}
    wanted = {t: resolve_ensemble(choice, t) for t in TASKS}
    chosen = {t: wanted[t] for t, e in present.items() if wanted[t] in e}
    if present and not chosen:
        have = sorted({e for es in present.values() for e in es})
        raise UsageError(f"--ensemble: the results hold no {choice} samples for q = {q} (they hold {', '.join(have)})")
    return chosen


def cmd_figure5(args: argparse.Namespace) -> int:
    """``weingarten-check figure5``: the paper's Figure 5 (or its qudit version) from sweep results.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check figure5 --help``).

    Returns
    -------
    int
        The exit code: 0.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..reporting.figures import (
        DEFAULT_BOUNDS,
        figure5_prefix,
        figure5_series,
        format_figure5_summary,
        plot_figure5,
    )

    positive(args.q, "--q", 2)
    for value, option, least in ((args.site, "--site", 0), (args.m, "--m", 1), (args.seed, "--seed", 0)):
        if value is not None:
            positive(value, option, least)
    if not __import__("os").path.exists(args.results):
        raise UsageError(
            f"--results: no such file {args.results}; run `weingarten-check sweep --results {args.results} ...` first"
        )
    records = read_results_file(args.results)
    if not records:
        raise UsageError(
            f"--results: {args.results} holds no samples; run `weingarten-check sweep --results "
            f"{args.results} ...` first"
        )
    ensembles = _figure5_ensembles(records, args.q, args.ensemble)
    layers: int | str = "auto"
    if args.layers is not None:
        if args.layers != "default":
            try:
                layers = int(args.layers)
            except ValueError:
                raise UsageError(f"--layers: expected a depth >= 0 or 'default', got {args.layers!r}") from None
            positive(layers, "--layers", 0)
        else:
            layers = "default"
        _check_depth_ensembles(set(ensembles.values()) or {args.ensemble})
    out = figure5_prefix(args.out or "results/", args.q)
    writable_dir(str(out.parent), "--out")
    try:
        series = figure5_series(
            records, args.q, ensembles=ensembles, site=args.site, m=args.m, seed=args.seed, layers=layers
        )
        paths = plot_figure5(
            series, out, errorbars=args.errorbars, bounds="all" if args.bounds == "all" else DEFAULT_BOUNDS
        )
    except ValueError as exc:
        msg = str(exc)
        if "no samples for q" in msg:
            raise UsageError(f"--q: {msg}") from None
        raise usage_from_value_error(exc) from None
    except OSError as exc:
        raise UsageError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
    payload = {"files": [str(p) for p in paths], "q": args.q, "series": [s.as_dict() for s in series]}
    emit(args, payload, format_figure5_summary(paths, series))
    return 0


def add_sweep_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` and ``figure5`` subcommands to ``sub``, the subparsers of the top-level parser.

    Each subcommand stores its handler in ``args.handler`` (:func:`cmd_sweep`, :func:`cmd_figure5`).

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="weingarten-check").add_subparsers()
    >>> add_sweep_parsers(sub)
    >>> sorted(sub.choices)
    ['figure5', 'sweep']
    >>> sub.choices["sweep"].parse_args(["--task", "vqe", "--n", "4"]).handler is cmd_sweep
    True
    """
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "sweep",
        help="E[Δ] versus n, resumable, one JSON line per finished sample",
        formatter_class=raw,
        description="Samples the exact variation range Δ for each n and appends every finished sample to\n"
        "--results (JSON Lines, atomic appends). Rerunning the same command resumes: only missing samples\n"
        "are computed and values are identical (sample i at size n uses SeedSequence(seed, spawn_key=(n, i))).\n"
        "A corrupt line is reported with its line number (exit 2); --repair drops only a torn last line.\n"
        "--ensemble paper = the paper's circuits: hea (10n layers) for vqe/qae, local1 (Rz Ry Rz) for qsl.\n"
        "--layers L sets the depth of hea and brickwork (default 10n); each depth is its own configuration.",
        epilog="examples:\n"
        "  weingarten-check sweep --task vqe --case v1 --n 4,6,8 --samples 50\n"
        "  weingarten-check sweep --task all --case all --n 3-10 --samples 100 --workers 2\n"
        "  weingarten-check sweep --task qsl --ensemble haar --q 3 --n 3-6 --results results/q3.jsonl\n"
        "  weingarten-check sweep --task vqe --n 10-20:2 --ensemble haar --scheduler tcp://scheduler-host:8786\n"
        "  weingarten-check sweep --task vqe --ensemble brickwork --layers 1-12 --n 6 --samples 50",
    )
    p.add_argument("--task", required=True, help="vqe, qae, qsl, a comma list, or all")
    p.add_argument("--case", default="v1", help="v1 (V1 design, V2 = I), v2, both, a comma list, or all (default: v1)")
    p.add_argument(
        "--ensemble",
        default="paper",
        help="paper (default), haar, hea, local1, clifford (uniform Clifford, an exact 2-design; qubits), "
        "orthogonal (Haar on O(d): real states), real-hea (R_Y + CZ layers; qubits) or brickwork (Haar 2-site "
        "gates in a brickwork)",
    )
    p.add_argument(
        "--layers",
        metavar="L",
        help="depth of hea/brickwork/real-hea: 20 or 1,3,12 or 1-20 or 2-40:2 (default: 10n); not for other ensembles",
    )
    p.add_argument("--n", required=True, metavar="N", help="sizes: 4,6,8 or 3-10 or 4-12:2")
    p.add_argument("--q", type=int, default=2, help="local dimension (default: 2)")
    p.add_argument("--samples", type=int, default=100, help="samples per n (default: 100)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    p.add_argument("--site", type=int, default=0, help="site of the local unitary, 0-based (default: 0)")
    p.add_argument(
        "--m",
        type=int,
        default=1,
        help="number of sites of A = site..site+m-1 (default: 1, the paper's; dA = q^m >= 3 gives a certified Δ)",
    )
    p.add_argument(
        "--results",
        default="results/sweep.jsonl",
        metavar="FILE",
        help="JSON Lines results file (default: results/sweep.jsonl)",
    )
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default: 1)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (needs the [dask] extra)")
    p.add_argument(
        "--recheck",
        type=int,
        default=1,
        metavar="K",
        help="recompute K stored samples and stop if they differ (default: 1)",
    )
    p.add_argument("--repair", action="store_true", help="drop an incomplete (torn) last line first")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(handler=cmd_sweep)

    p = sub.add_parser(
        "figure5",
        help="the paper's Figure 5 (or its qudit version) from sweep results, PNG + PDF",
        formatter_class=raw,
        description="Three semi-log panels, (a) VQE, (b) QAE, (c) QSL: E[Δ]/w versus n with error bars for the\n"
        "three V1/V2 cases; dashed lines: the paper's bounds as printed and ours (task-dependent, qudit).\n"
        "Writes OUT.png, OUT.pdf and OUT.json (the plotted numbers).",
        epilog="examples:\n"
        "  weingarten-check figure5 --results results/sweep.jsonl\n"
        "  weingarten-check figure5 --results results/sweep.jsonl --ensemble haar   # when it holds several\n"
        "  weingarten-check figure5 --results results/q3.jsonl --q 3 --out results/figure5_q3\n"
        "  weingarten-check figure5 --results results/sweep.jsonl --errorbars ci95 --bounds all --json",
    )
    p.add_argument(
        "--results", default="results/sweep.jsonl", metavar="FILE", help="sweep results (default: results/sweep.jsonl)"
    )
    p.add_argument("--q", type=int, default=2, help="local dimension to draw (default: 2)")
    p.add_argument(
        "--ensemble",
        choices=("auto", *ENSEMBLE_CHOICES),
        default="auto",
        help="auto (default): the one ensemble in the results, an error if there are several; "
        "paper: hea for vqe/qae, local1 for qsl; or one ensemble for every panel",
    )
    for name, what in (("site", "first site of A"), ("m", "number of sites of A"), ("seed", "base seed")):
        p.add_argument(
            f"--{name}",
            type=int,
            help=f"the {what} to draw (default: the only one in the results; an error if they hold several)",
        )
    p.add_argument(
        "--layers",
        metavar="L",
        help="the depth of hea/brickwork to draw: an int, or 'default' (10n) "
        "(default: the only one in the results; an error if they hold several)",
    )
    p.add_argument(
        "--out",
        metavar="PREFIX",
        help="output prefix, or a directory to write figure5.* in (default: results/figure5, results/figure5_qQ)",
    )
    p.add_argument(
        "--errorbars",
        choices=("std", "stderr", "ci95"),
        default="std",
        help="std over samples as in the paper (default), stderr or ci95",
    )
    p.add_argument(
        "--bounds",
        choices=("default", "all"),
        default="default",
        help="default: the paper's as printed, task-dependent, qudit Theorem 1; "
        "all: also Route 1 and the element-wise route",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_figure5)
