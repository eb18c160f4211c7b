"""E[Δ] for real-amplitude circuits — V1/V2 Haar on O(d) (ensemble `orthogonal`, Lemma 16) — against
Haar on U(d) and against the O(d) bound: resumable sweeps, a comparison table and docs/orthogonal.png.

    .venv/bin/python scripts/orthogonal_vs_unitary.py            # full run (the README numbers)
    .venv/bin/python scripts/orthogonal_vs_unitary.py --quick    # n = 4, 6, 20 samples (smoke test)

Sweeps go to --results (JSON Lines, resumable: rerun the same command to continue after an
interruption); both ensembles use the project's seed rule (experiments.sample_rng), seed --seed.
v1: n = 4 … 12 with --samples, n = 14 … 20 with --samples-large; v2, both: n = 4 … 12.
Prints (and writes to --table) one row per (task, case, n): orthogonal and unitary E[Δ] with 95 % CIs
(normal approximation), their ratio with a delta-method 95 % CI, the O(d) bound 2√r √E‖K‖²_F
(theory.orthogonal.orthogonal_task_dependent_bound, exact E‖K‖²_F over O(d)), E[Δ]/bound, and the
verdict of the orthogonal E[Δ] against every bound bounds_for gives it, as in `verify` (below /
consistent = bound inside the CI / VIOLATED = whole CI above; exit code 1 only then).  The unitary
2-design bounds are not implied for O(d) and are not used.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from weingarten_check.experiments import CASES, TASKS, RunConfig, SweepSpec, make_executor, read_results, run_sweep
from weingarten_check.reporting.figures import bounds_and_width
from weingarten_check.reporting.verify_report import bound_verdict

ENSEMBLES = ("orthogonal", "haar")


def plan(quick: bool, samples: int, samples_large: int) -> list[SweepSpec]:
    small = (4, 6) if quick else (4, 6, 8, 10, 12)
    large = () if quick else (14, 16, 18, 20)
    specs = []
    for ens in ENSEMBLES:
        for task in TASKS:
            for case in CASES:
                specs.append(SweepSpec(RunConfig(task, ens, case, seed=ARGS.seed), ns=small, samples=samples))
                if case == "v1" and large:
                    specs.append(SweepSpec(RunConfig(task, ens, case, seed=ARGS.seed), ns=large, samples=samples_large))
    return specs


def stats(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def comparison(records: list[dict]) -> list[dict]:
    groups: dict[tuple, list] = {}
    for r in records:
        if r["ensemble"] in ENSEMBLES and r["q"] == 2 and r["site"] == 0 and r["seed"] == ARGS.seed:
            groups.setdefault((r["task"], r["case"], r["n"], r["ensemble"]), []).append(r["value"])
    rows = []
    for task in TASKS:
        for case in CASES:
            ns = sorted({k[2] for k in groups if k[0] == task and k[1] == case})
            for n in ns:
                o = np.asarray(groups.get((task, case, n, "orthogonal"), []), dtype=float)
                h = np.asarray(groups.get((task, case, n, "haar"), []), dtype=float)
                if len(o) < 2 or len(h) < 2:
                    continue
                (mo, so), (mh, sh) = stats(o), stats(h)
                ratio = mo / mh
                rse = ratio * math.sqrt((so / mo) ** 2 + (sh / mh) ** 2)
                w, bnds = bounds_and_width(task, "orthogonal", case, n, 2)
                _, ubnds = bounds_and_width(task, "haar", case, n, 2)
                ci = (mo - 1.96 * so, mo + 1.96 * so)
                verdicts = {k: bound_verdict(ci, b) for k, b in bnds.items()}
                bad = [k for k, v in verdicts.items() if v == "VIOLATED"]
                near = [k for k, v in verdicts.items() if v == "consistent"]
                verdict = (
                    f"VIOLATED ({', '.join(bad)})" if bad else f"consistent ({', '.join(near)})" if near else "below"
                )
                rows.append(
                    dict(
                        task=task,
                        case=case,
                        n=n,
                        samples_orthogonal=len(o),
                        samples_haar=len(h),
                        w=w,
                        orthogonal=mo,
                        orthogonal_se=so,
                        haar=mh,
                        haar_se=sh,
                        ratio=ratio,
                        ratio_se=rse,
                        bound=bnds["orthogonal_task_dependent"],
                        unitary_bound=ubnds["task_dependent"],
                        verdict=verdict,
                    )
                )
    return rows


def fmt(x: float) -> str:
    return f"{x:.3g}" if x != 0 else "0"


def ci(m: float, s: float) -> str:
    return f"{fmt(m)} ({fmt(max(m - 1.96 * s, 0))}, {fmt(m + 1.96 * s)})"


def table(rows: list[dict]) -> str:
    out = [
        "| task | case | n | samples (O/U) | O(d) E[Δ] (95 % CI) | U(d) E[Δ] (95 % CI) | O/U (95 % CI) "
        "| O(d) bound | O(d) E[Δ] / bound | U(d) bound | O(d) vs its bounds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['task']} | {r['case']} | {r['n']} | {r['samples_orthogonal']}/{r['samples_haar']} | "
            f"{ci(r['orthogonal'], r['orthogonal_se'])} | {ci(r['haar'], r['haar_se'])} | "
            f"{ci(r['ratio'], r['ratio_se'])} | {fmt(r['bound'])} | {r['orthogonal'] / r['bound']:.3f} | "
            f"{fmt(r['unitary_bound'])} | {r['verdict']} |"
        )
    return "\n".join(out)


def summary_table(rows: list[dict], ns=(4, 8, 12, 16, 20)) -> str:
    """Condensed: orthogonal E[Δ] / unitary E[Δ] (95 % CI) and orthogonal E[Δ] / O(d) bound per (task, case)."""
    out = ["| task | case | " + " | ".join(f"n = {n}" for n in ns) + " |", "|---|---|" + "---|" * len(ns)]
    for task in TASKS:
        for case in CASES:
            cells = []
            for n in ns:
                r = next((r for r in rows if (r["task"], r["case"], r["n"]) == (task, case, n)), None)
                if r is None:
                    cells.append("")
                else:
                    lo, hi = r["ratio"] - 1.96 * r["ratio_se"], r["ratio"] + 1.96 * r["ratio_se"]
                    cells.append(f"{r['ratio']:.3f} ({lo:.3f}–{hi:.3f}); {r['orthogonal'] / r['bound']:.2f}")
            out.append(f"| {task} | {case} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def figure(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    style = {"v1": ("C0", "o"), "v2": ("C1", "s"), "both": ("C2", "^")}
    titles = {"vqe": "(a) VQE, Heisenberg ring", "qae": "(b) QAE", "qsl": "(c) QSL, fidelity"}
    fig, axes = plt.subplots(2, 3, figsize=(14, 8.2), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]})
    for col, task in enumerate(TASKS):
        ax, rax = axes[0, col], axes[1, col]
        ax.set_title(titles[task], fontsize=11)
        ax.set_yscale("log")
        ax.set_ylabel("E[Δ] / w(H)")
        rax.set_xlabel("n (qubits)")
        rax.set_ylabel("O(d) / U(d) E[Δ]")
        rax.axhline(1.0, color="0.5", lw=0.8)
        for a in (ax, rax):
            a.grid(True, alpha=0.3)
        for case in CASES:
            rs = [r for r in rows if r["task"] == task and r["case"] == case]
            if not rs:
                continue
            color, marker = style[case]
            ns = np.array([r["n"] for r in rs])
            for key, mfc, ls in (("haar", "none", "--"), ("orthogonal", color, "-")):
                m = np.array([r[key] / r["w"] for r in rs])
                e = np.array([1.96 * r[key + "_se"] / r["w"] for r in rs])
                ax.errorbar(
                    ns,
                    m,
                    yerr=[np.minimum(e, 0.95 * m), e],
                    color=color,
                    marker=marker,
                    mfc=mfc,
                    ls=ls,
                    lw=1.2,
                    ms=5,
                    capsize=3,
                )
            ax.plot(ns, [r["bound"] / r["w"] for r in rs], ls=":", color=color, lw=1.2)
            rax.errorbar(
                ns + {"v1": -0.15, "v2": 0.0, "both": 0.15}[case],
                [r["ratio"] for r in rs],
                yerr=[1.96 * r["ratio_se"] for r in rs],
                color=color,
                marker=marker,
                ls="-",
                lw=1.0,
                ms=4,
                capsize=3,
            )
    handles = [
        Line2D([], [], color=style[c][0], marker=style[c][1], label=lab)
        for c, lab in (("v1", "V1 random, V2 = I"), ("v2", "V1 = I, V2 random"), ("both", "V1, V2 random"))
    ]
    handles += [
        Line2D([], [], color="0.3", marker="o", ls="-", label="Haar O(d) (filled)"),
        Line2D([], [], color="0.3", marker="o", mfc="none", ls="--", label="Haar U(d) (hollow)"),
        Line2D([], [], color="0.3", ls=":", label="O(d) bound 2√r √E‖K‖²_F (Lemma 16)"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=6, fontsize=8, frameon=False)
    fig.suptitle(f"E[Δ] for V1/V2 Haar on O(d) vs U(d) (m = 1, seed {ARGS.seed}); error bars: 95 % CI", fontsize=10)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    global ARGS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", default="results/orthogonal.jsonl")
    p.add_argument("--figure", default="docs/orthogonal.png")
    p.add_argument("--table", default="results/orthogonal_table.md")
    p.add_argument("--samples", type=int, default=400, help="samples per point for n <= 12 (default 400)")
    p.add_argument("--samples-large", type=int, default=100, help="samples per point for v1, n = 14..20 (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="n = 4, 6 only, 20 samples (smoke test)")
    ARGS = p.parse_args(argv)
    if ARGS.quick:
        ARGS.samples = min(ARGS.samples, 20)
    t0, c0 = time.perf_counter(), time.process_time()
    executor = make_executor(ARGS.workers)
    try:
        for spec in plan(ARGS.quick, ARGS.samples, ARGS.samples_large):
            run_sweep(spec, ARGS.results, executor=executor, progress=sys.stderr.isatty())
    finally:
        executor.close()
    rows = comparison(read_results(ARGS.results))
    txt = table(rows)
    short = summary_table(rows)
    Path(ARGS.table).parent.mkdir(parents=True, exist_ok=True)
    head = "O(d) E[Δ] / U(d) E[Δ] (95 % CI); O(d) E[Δ] / O(d) bound:"
    Path(ARGS.table).write_text(txt + f"\n\n{head}\n\n" + short + "\n")
    figure(rows, Path(ARGS.figure))
    print(txt)
    print(f"\n{head}\n")
    print(short)
    print(
        f"\nwrote {ARGS.table} and {ARGS.figure}; this run: {time.perf_counter() - t0:.0f} s wall, "
        f"{time.process_time() - c0:.0f} s CPU in this process (sweeps resume: finished points are not redone)"
    )
    return 1 if any(r["verdict"].startswith("VIOLATED") for r in rows) else 0


ARGS = argparse.Namespace(seed=0)

if __name__ == "__main__":
    sys.exit(main())
