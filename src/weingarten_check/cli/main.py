"""Command line interface: ``weingarten-check <command> ...``.

Every command accepts ``--json`` for machine-readable output. Bad input is reported as one line
naming the option, with exit code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

import sympy

from ..reporting import strict_json

__all__ = ["main", "build_parser", "UsageError"]


class UsageError(Exception):
    """Bad command-line input; the message names the option."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (no usage dump), exit code 2."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
        print(strict_json.dumps(payload, indent=2, default=str))
    else:
        print(text)


# --------------------------------------------------------------------------- wg


def _cmd_wg(args: argparse.Namespace) -> int:
    from ..calculus.limits import WorkLimitError
    from ..calculus.unitary import cycle_type_of, weingarten_all_classes, weingarten_class

    d = _dimension(args.d)
    if args.all is not None:
        if args.all < 0:
            raise UsageError(f"--all: k must be >= 0, got {args.all}")
        try:
            rows = list(weingarten_all_classes(args.all, d).items())
        except WorkLimitError as exc:
            raise UsageError(f"--all: {exc}") from None
    else:
        if args.sigma is None:
            raise UsageError("SIGMA: give a cycle type such as 2,1 or a permutation such as 1,0,2 (or use --all K)")
        items = _int_list(args.sigma, "SIGMA")
        try:
            mu = cycle_type_of(items)
            rows = [(mu, weingarten_class(mu, d))]
        except (TypeError, ValueError) as exc:
            raise UsageError(f"SIGMA: {exc}") from None
    payload = {"d": str(d), "values": [{"cycle_type": list(mu), "wg": str(v)} for mu, v in rows]}
    text = "\n".join(f"Wg({','.join(map(str, mu))}; d={d}) = {v}" for mu, v in rows)
    _emit(args, payload, text)
    return 0


# --------------------------------------------------------------------------- integrate


def _cmd_integrate(args: argparse.Namespace) -> int:
    from ..calculus.unitary_integrals import haar_integral

    d = _dimension(args.d)
    i = _int_list(args.i, "--i")
    j = _int_list(args.j, "--j")
    ic = _int_list(args.i_conj if args.i_conj is not None else args.i, "--i-conj")
    jc = _int_list(args.j_conj if args.j_conj is not None else args.j, "--j-conj")
    try:
        value = haar_integral(i, j, ic, jc, d)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--i/--j/--i-conj/--j-conj: {exc}") from None
    factors = (
        " ".join(f"U[{a},{b}]" for a, b in zip(i, j)) + " " + " ".join(f"conj(U[{a},{b}])" for a, b in zip(ic, jc))
    )
    payload = {"d": str(d), "i": i, "j": j, "i_conj": ic, "j_conj": jc, "value": str(value)}
    _emit(args, payload, f"E[{factors.strip()}] (U Haar on U({d})) = {value}")
    return 0


# --------------------------------------------------------------------------- shared helpers for verify/sweep/figure5/proofs

_TASKS = ("vqe", "qae", "qsl")
_CASES = ("v1", "v2", "both")
_ENSEMBLES = ("paper", "haar", "hea", "local1", "clifford")
#: the paper's ensembles (Fig. 5): hardware-efficient 2-design surrogate for VQE/QAE, one Rz Ry Rz layer for QSL
_PAPER_ENSEMBLE = {"vqe": "hea", "qae": "hea", "qsl": "local1"}
#: first word of a library ValueError -> the option it is about
_FIELD_OPTION = {
    "task": "--task",
    "ensemble": "--ensemble",
    "case": "--case",
    "q": "--q",
    "site": "--site",
    "m": "--m",
    "samples": "--samples",
    "seed": "--seed",
    "n": "--n",
    "ns": "--n",
    "workers": "--workers",
    "errorbars": "--errorbars",
}


def _choices(text: str, allowed: Sequence[str], option: str) -> list[str]:
    """Comma-separated names from ``allowed`` (or ``all``)."""
    items = [t.strip().lower() for t in text.split(",") if t.strip()]
    if items == ["all"]:
        return list(allowed)
    bad = [t for t in items if t not in allowed]
    if bad or not items:
        raise UsageError(
            f"{option}: unknown value {', '.join(bad) or repr(text)}; "
            f"expected one or more of {', '.join(allowed)} (comma separated) or all"
        )
    return list(dict.fromkeys(items))


def _n_list(text: str) -> list[int]:
    """``--n``: comma-separated sizes and inclusive ranges, e.g. ``4,6,8`` or ``3-10`` or ``4-12:2``."""
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
                f"--n: expected sizes such as 4,6,8 or a range such as 3-10 or 4-12:2, got {text!r}"
            ) from None
    for n in out:
        if n <= 1:
            raise UsageError(f"--n: every n must be > m = 1 (A is one site, B must be non-empty), got n = {n}")
    return sorted(set(out))


def _positive(value: int, option: str, minimum: int = 1) -> int:
    if value < minimum:
        raise UsageError(f"{option}: must be an integer >= {minimum}, got {value}")
    return value


def _usage_from_value_error(exc: Exception) -> UsageError:
    msg = str(exc)
    option = _FIELD_OPTION.get(msg.split(" ", 1)[0])
    return UsageError(f"{option}: {msg}" if option else msg)


def _writable_file(path: str, option: str) -> Path:
    """Create the parent directory and check that ``path`` can be appended to (it is not created)."""
    from pathlib import Path

    p = Path(path)
    try:
        if p.is_dir():
            raise IsADirectoryError(21, "is a directory")
        p.parent.mkdir(parents=True, exist_ok=True)
        existed = p.exists()
        with open(p, "ab"):
            pass
        if not existed:
            p.unlink()
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
    return p


def _writable_dir(path: str, option: str) -> Path:
    import tempfile
    from pathlib import Path

    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=p, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UsageError(f"{option}: cannot write to directory {path}: {exc.strerror or exc}") from None
    return p


def _read_results(path: str, option: str = "--results") -> list[dict]:
    from pathlib import Path

    from ..experiments.sweep import CorruptResultsError, read_results

    if Path(path).is_dir():
        raise UsageError(f"{option}: {path} is a directory, expected a JSON Lines results file")
    try:
        return read_results(path)
    except CorruptResultsError as exc:
        raise UsageError(f"{option}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path}: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------- sweep


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


def _cmd_sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..experiments.resources import MemoryCheckError, check_sweep_memory
    from ..experiments.sweep import (
        CorruptResultsError,
        ExecutorLostError,
        ResultsFileError,
        ResultsLockedError,
        StoredSampleMismatchError,
        SweepSpec,
        check_regular_file,
        make_executor,
        repair_results,
        run_sweep,
    )

    tasks = _choices(args.task, _TASKS, "--task")
    cases = _choices(args.case, _CASES, "--case")
    ensemble = _choices(args.ensemble, _ENSEMBLES, "--ensemble")
    if len(ensemble) != 1:
        raise UsageError(f"--ensemble: give one of {', '.join(_ENSEMBLES)}")
    ns = _n_list(args.n)
    _positive(args.q, "--q", 2)
    _positive(args.samples, "--samples", 1)
    _positive(args.workers, "--workers", 1)
    _positive(args.seed, "--seed", 0)
    _positive(args.site, "--site", 0)
    _positive(args.m, "--m", 1)
    _positive(args.recheck, "--recheck", 0)
    try:
        specs = [
            SweepSpec(
                t,
                _PAPER_ENSEMBLE[t] if ensemble[0] == "paper" else ensemble[0],
                c,
                ns=tuple(ns),
                q=args.q,
                site=args.site,
                samples=args.samples,
                seed=args.seed,
                m=args.m,
            )
            for t in tasks
            for c in cases
        ]
    except (TypeError, ValueError) as exc:
        raise _usage_from_value_error(exc) from None
    try:
        check_regular_file(args.results)
    except ResultsFileError as exc:
        raise UsageError(f"--results: {exc}") from None
    path = _writable_file(args.results, "--results")
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
            raise UsageError(f"--n: {exc}") from None
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
    _read_results(str(path))  # fail fast (exit 2) on a corrupt file, before any work
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
            f"weingarten-check sweep: error: out of memory (n = {max(ns)} with q = {args.q} is too large "
            f"for this machine); finished samples are saved in {path}",
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
    show_m = any(row["m"] != 1 for row in summary)  # the column appears only for m >= 2 sweeps
    show_width = any(not row["exact"] for row in summary)
    lines = [
        f"{payload['computed']} samples computed, {payload['reused']} reused from {path} "
        f"({executor.name}, {payload['seconds']:.1f} s)",
        "",
        f"{'task':5} {'ensemble':8} {'case':5} {'q':>2} "
        + (f"{'m':>2} " if show_m else "")
        + f"{'n':>3} {'samples':>7} {'E[Δ]':>11} {'stderr':>9} {'E[Δ]/w':>9}  E[Δ]/bound"
        + ("  widest bracket" if show_width else ""),
    ]
    for row in summary:
        mean = f"{row['mean']:.4e}" + ("" if row["exact"] else "†")
        stderr = f"{row['stderr']:.2e}" if row["samples"] > 1 else "n/a"  # undefined for one sample
        ratio = (
            f"{row['ratio']:.2f} ({row['tightest_bound']})"
            if row["ratio"] is not None
            else f"— ({row['tightest_bound']} = 0)"
            if row["tightest_bound"]
            else "— (no bound applies)"
        )
        lines.append(
            f"{row['task']:5} {row['ensemble']:8} {row['case']:5} {row['q']:>2} "
            + (f"{row['m']:>2} " if show_m else "")
            + f"{row['n']:>3} "
            f"{row['samples']:>7} {mean:>11} {stderr:>9} "
            f"{format(row['mean'] / row['w'], '>9.3e') if row['w'] else '—':>9}  {ratio}"
            + (f"  {row['max_width']:.1e}" if show_width and not row["exact"] else "")
        )
    if any(not row["exact"] for row in summary):
        lines.append(
            "† lower end of a certified bracket (dA >= 3, Lemma 12); the ratio uses its proved upper end; "
            "widest bracket = the largest (upper - lower)/upper of one sample"
        )
    _emit(args, payload, "\n".join(lines))
    return 0


# --------------------------------------------------------------------------- figure5


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
    wanted = dict(_PAPER_ENSEMBLE) if choice == "paper" else {t: choice for t in _TASKS}
    chosen = {t: wanted[t] for t, e in present.items() if wanted[t] in e}
    if present and not chosen:
        have = sorted({e for es in present.values() for e in es})
        raise UsageError(f"--ensemble: the results hold no {choice} samples for q = {q} (they hold {', '.join(have)})")
    return chosen


def _cmd_figure5(args: argparse.Namespace) -> int:
    from ..reporting.figures import DEFAULT_BOUNDS, figure5_series, plot_figure5

    _positive(args.q, "--q", 2)
    if not __import__("os").path.exists(args.results):
        raise UsageError(
            f"--results: no such file {args.results}; run `weingarten-check sweep --results {args.results} ...` first"
        )
    records = _read_results(args.results)
    if not records:
        raise UsageError(
            f"--results: {args.results} holds no samples; run `weingarten-check sweep --results "
            f"{args.results} ...` first"
        )
    ensembles = _figure5_ensembles(records, args.q, args.ensemble)
    out = args.out or ("results/figure5" if args.q == 2 else f"results/figure5_q{args.q}")
    _writable_dir(str(__import__("pathlib").Path(out).parent), "--out")
    try:
        series = figure5_series(records, args.q, ensembles=ensembles)
        paths = plot_figure5(
            series, out, errorbars=args.errorbars, bounds="all" if args.bounds == "all" else DEFAULT_BOUNDS
        )
    except ValueError as exc:
        msg = str(exc)
        if "no samples for q" in msg:
            raise UsageError(f"--q: {msg}") from None
        raise _usage_from_value_error(exc) from None
    except OSError as exc:
        raise UsageError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
    payload = {"files": [str(p) for p in paths], "q": args.q, "series": [s.as_dict() for s in series]}
    text = (
        "wrote "
        + ", ".join(str(p) for p in paths)
        + "\n"
        + "\n".join(
            f"  {s.task}/{s.ensemble}/{s.case}: n = {s.ns[0]}..{s.ns[-1]}, E[Δ]/w from {s.mean[0]:.3e} to {s.mean[-1]:.3e}"
            for s in series
        )
    )
    _emit(args, payload, text)
    return 0


# --------------------------------------------------------------------------- proofs


def _cmd_proofs(args: argparse.Namespace) -> int:
    from ..reporting.proofs_report import LemmaProgress, ProofsRunError, ProofsSelectionError, format_table, run_proofs

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
    ok = bool(rows) and all(str(r["status"]).lower() in ("passed", "pass", "ok", "proved") for r in rows)
    _emit(args, {"ok": ok, "lemmas": rows}, format_table(results) if rows else "no lemma was selected")
    return 0 if ok else 1


# --------------------------------------------------------------------------- verify


def _cmd_verify(args: argparse.Namespace) -> int:
    from ..reporting.verify_report import (
        DEFAULT_MS,
        DEFAULT_QS,
        default_points,
        format_text,
        point_m,
        run_verify,
        supported_ms,
        supported_qs,
        write_report,
    )

    if args.no_lemmas and args.no_numerics:
        raise UsageError("--no-lemmas/--no-numerics: with both there is nothing to verify; drop one of them")
    if args.q and args.no_numerics:
        raise UsageError("--q: selects numerical checks, which --no-numerics turns off")
    if args.samples < 2:
        raise UsageError(
            f"--samples: must be an integer >= 2 (a confidence interval needs two samples), got {args.samples}"
        )
    _positive(args.seed, "--seed", 0)
    qs = sorted({int(x) for x in _int_list(args.q, "--q")}) if args.q else list(DEFAULT_QS)
    if not qs:
        raise UsageError(f"--q: expected local dimensions such as 2,3, got {args.q!r}")
    for q in qs:
        _positive(q, "--q", 2)
    unsupported = [q for q in qs if q not in supported_qs()]
    if unsupported:
        raise UsageError(
            f"--q: no numerical checks are defined for q = {', '.join(map(str, unsupported))}; "
            f"supported: {', '.join(map(str, supported_qs()))}"
        )
    ms = sorted({int(x) for x in _int_list(args.m, "--m")}) if args.m else list(DEFAULT_MS)
    if args.m and args.no_numerics:
        raise UsageError("--m: selects numerical checks, which --no-numerics turns off")
    bad_m = [m for m in ms if m not in supported_ms()]
    if not ms or bad_m:
        raise UsageError(
            f"--m: no numerical checks are defined for m = {args.m}; supported: {', '.join(map(str, supported_ms()))}"
        )
    outdir = _writable_dir(args.results, "--results")
    points = default_points(qs, ms)
    if not args.no_numerics and not points:
        raise UsageError(f"--q/--m: no numerical checks are defined for q in {qs} with m in {ms}")
    if args.quick:
        points = [p for p in points if p[4] == min(x[4] for x in points if x[3] == p[3] and point_m(x) == point_m(p))]
    if not args.json:
        parts = [
            p
            for p, on in (
                ("the lemma suite in proofs/", not args.no_lemmas),
                (f"{len(points)} numerical checks", not args.no_numerics),
            )
            if on
        ]
        print(
            f"weingarten-check verify: running {' and '.join(parts) or 'nothing'} (about a minute on 2 idle cores) ...",
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
        print(format_text(rep))
        print(f"report written to {md} and {js}")
    return 0 if rep.ok else 1


# --------------------------------------------------------------------------- parser

_Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand stores its handler in ``args.handler``."""
    parser = _Parser(
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
        "every command takes --json for machine-readable output and --help for details.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "verify",
        help="run the lemma suite and a numerical check; print and save the report",
        formatter_class=raw,
        description="The main job (`make verify`). Runs proofs/ (every lemma of the derivation, machine-checked)\n"
        "and estimates E[Δ] with a 95 % CI at a few n for q = 2 and 3 (4 on request), next to every bound. Writes\n"
        "verify.md and verify.json under --results. Exit code 1 if a lemma fails, a CI lies above a bound, or (exact Haar VQE/QAE) below the fourth-moment lower bound.",
        epilog="examples:\n"
        "  weingarten-check verify\n"
        "  weingarten-check verify --quick --no-lemmas          # numerics only, smallest n\n"
        "  weingarten-check verify --q 3 --samples 500 --results out/ --json",
    )
    p.add_argument("--results", default="results", metavar="DIR", help="output directory (default: results)")
    p.add_argument("--samples", type=int, default=200, help="samples per point (default: 200)")
    p.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    p.add_argument(
        "--q",
        default="",
        metavar="Q[,Q]",
        help="local dimensions of the numerical checks: 2, 3 and/or 4 (default: 2,3)",
    )
    p.add_argument(
        "--m",
        default="",
        metavar="M[,M]",
        help="sizes of A to check numerically (default: 1, the paper's; 2 = two qubits, dA = 4)",
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
    p.set_defaults(handler=_cmd_verify)

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
    p.set_defaults(handler=_cmd_proofs)

    p = sub.add_parser(
        "sweep",
        help="E[Δ] versus n, resumable, one JSON line per finished sample",
        formatter_class=raw,
        description="Samples the exact variation range Δ for each n and appends every finished sample to\n"
        "--results (JSON Lines, atomic appends). Rerunning the same command resumes: only missing samples\n"
        "are computed and values are identical (sample i at size n uses SeedSequence(seed, spawn_key=(n, i))).\n"
        "A corrupt line is reported with its line number (exit 2); --repair drops only a torn last line.\n"
        "--ensemble paper = the paper's circuits: hea (10n layers) for vqe/qae, local1 (Rz Ry Rz) for qsl.",
        epilog="examples:\n"
        "  weingarten-check sweep --task vqe --case v1 --n 4,6,8 --samples 50\n"
        "  weingarten-check sweep --task all --case all --n 3-10 --samples 100 --workers 2\n"
        "  weingarten-check sweep --task qsl --ensemble haar --q 3 --n 3-6 --results results/q3.jsonl\n"
        "  weingarten-check sweep --task vqe --n 10-20:2 --ensemble haar --scheduler tcp://scheduler-host:8786",
    )
    p.add_argument("--task", required=True, help="vqe, qae, qsl, a comma list, or all")
    p.add_argument("--case", default="v1", help="v1 (V1 design, V2 = I), v2, both, a comma list, or all (default: v1)")
    p.add_argument(
        "--ensemble",
        default="paper",
        help="paper (default), haar, hea, local1 or clifford (uniform Clifford, an exact 2-design; qubits)",
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
    p.set_defaults(handler=_cmd_sweep)

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
        choices=("auto", "paper", "haar", "hea", "local1"),
        default="auto",
        help="auto (default): the one ensemble in the results, an error if there are several; "
        "paper: hea for vqe/qae, local1 for qsl; or one ensemble for every panel",
    )
    p.add_argument("--out", metavar="PREFIX", help="output prefix (default: results/figure5, results/figure5_qQ)")
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
    p.set_defaults(handler=_cmd_figure5)

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
    parser._wgc_commands = dict(sub.choices)  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``weingarten-check`` console script."""
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
