"""E[Δ] under uniformly random Clifford V1/V2 (an exact 2-design, Lemma 13) against Haar and the
2-design bounds: resumable sweeps, a comparison table and docs/clifford.png.

    .venv/bin/python scripts/clifford_vs_haar.py                 # full run (the README numbers)
    .venv/bin/python scripts/clifford_vs_haar.py --quick         # n = 4, 6, 20 samples (smoke test)

Sweeps go to --results (JSON Lines, resumable: rerun the same command to continue after an
interruption); both ensembles use the project's seed rule (experiments.sample_rng), seed --seed.
v1: n = 4 … 12 with --samples, n = 14 … 20 with --samples-large; v2, both: n = 4 … 12.
Prints (and writes to --table) one row per (task, case, n): Clifford and Haar E[Δ] with 95 % CIs
(normal approximation), their ratio with a delta-method 95 % CI, the fraction of Clifford samples
with Δ > 0 (K of a Clifford sample is computed exactly from Pauli expectations, so Δ = 0 exactly when
K = 0; results files written before that was so hold ~1e-17 there and should be recomputed), the
task-dependent 2-design bound and
the verdict against every 2-design bound as in `verify` (below / consistent = bound inside the CI /
VIOLATED = whole CI above; exit code 1 only then).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from weingarten_check.experiments import CASES, TASKS, RunConfig, SweepSpec, make_executor, read_results, run_sweep
from weingarten_check.reporting.figures import bounds_and_width
from weingarten_check.reporting.verify_report import bound_verdict

ENSEMBLES = ("clifford", "haar")


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
    groups: dict[tuple, np.ndarray] = {}
    for r in records:
        if r["ensemble"] in ENSEMBLES and r["q"] == 2 and r["site"] == 0 and r["seed"] == ARGS.seed:
            v = r["value"]  # exact 0 when K = 0 (delta.stabilizer)
            groups.setdefault((r["task"], r["case"], r["n"], r["ensemble"]), []).append(v)
    rows = []
    for task in TASKS:
        for case in CASES:
            ns = sorted({k[2] for k in groups if k[0] == task and k[1] == case})
            for n in ns:
                c = np.asarray(groups.get((task, case, n, "clifford"), []), dtype=float)
                h = np.asarray(groups.get((task, case, n, "haar"), []), dtype=float)
                if len(c) < 2 or len(h) < 2:
                    continue
                (mc, sc), (mh, sh) = stats(c), stats(h)
                ratio = mc / mh
                rse = ratio * math.sqrt((sc / mc) ** 2 + (sh / mh) ** 2) if mc > 0 else float("nan")
                w, bnds = bounds_and_width(task, "clifford", case, n, 2)
                ci = (mc - 1.96 * sc, mc + 1.96 * sc)
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
                        samples_clifford=len(c),
                        samples_haar=len(h),
                        w=w,
                        clifford=mc,
                        clifford_se=sc,
                        haar=mh,
                        haar_se=sh,
                        ratio=ratio,
                        ratio_se=rse,
                        nonzero=float(np.mean(c > 0)),
                        bound=bnds.get("task_dependent", float("nan")),
                        verdict=verdict,
                        bounds=bnds,
                    )
                )
    return rows


def fmt(x: float) -> str:
    return f"{x:.3g}" if x != 0 else "0"


def table(rows: list[dict]) -> str:
    out = [
        "| task | case | n | samples (C/H) | Clifford E[Δ] (95 % CI) | Haar E[Δ] (95 % CI) | Clifford/Haar (95 % CI) "
        "| Clifford Δ > 0 | task-dep. bound | Clifford vs every 2-design bound |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ci = lambda m, s: f"{fmt(m)} ({fmt(max(m - 1.96 * s, 0))}, {fmt(m + 1.96 * s)})"  # noqa: E731
        rat = "—" if r["clifford"] == 0 else ci(r["ratio"], r["ratio_se"])
        out.append(
            f"| {r['task']} | {r['case']} | {r['n']} | {r['samples_clifford']}/{r['samples_haar']} | "
            f"{ci(r['clifford'], r['clifford_se'])} | {ci(r['haar'], r['haar_se'])} | {rat} | "
            f"{r['nonzero']:.3f} | {fmt(r['bound'])} | {r['verdict']} |"
        )
    return "\n".join(out)


def qsl_determinants(n: int = 8, samples: int = 400) -> str:
    """Why QSL 'both' differs: Δ_QSL = ||M||_F² + 2|det M| for the 2x2 overlap matrix M; the first term has
    the same mean dA/d for any 1-design, the second does not.  Recomputes the sweep's samples (same seeds)."""
    from weingarten_check import experiments as ex

    spec = ex.task_spec("qsl", n)
    lines = [f"QSL both, n = {n}, {samples} samples (seed {ARGS.seed}, the sweep's samples):"]
    for ens in ENSEMBLES:
        cfg = ex.config_entropy("qsl", ens, "both", 2, 0)
        Ms = [
            ex.variation_range_sample_result(spec, ens, "both", ex.sample_rng(ARGS.seed, n, s, cfg)).M
            for s in range(samples)
        ]
        det = np.array([abs(np.linalg.det(M)) for M in Ms])
        f2 = np.array([np.sum(np.abs(M) ** 2) for M in Ms])
        lines.append(
            f"  {ens:8s}: P(det M = 0) = {np.mean(det < 1e-12):.3f}, E||M||_F^2 = {f2.mean():.5f} "
            f"(dA/d = {2 / 2**n:.5f}), 2E|det M| = {2 * det.mean():.5f}"
        )
    return "\n".join(lines)


def summary_table(rows: list[dict], ns=(4, 8, 12, 16, 20)) -> str:
    """Condensed: Clifford E[Δ] / Haar E[Δ] (95 % CI) per (task, case) at a few n (README)."""
    out = ["| task | case | " + " | ".join(f"n = {n}" for n in ns) + " |", "|---|---|" + "---|" * len(ns)]
    for task in TASKS:
        for case in CASES:
            cells = []
            for n in ns:
                r = next((r for r in rows if (r["task"], r["case"], r["n"]) == (task, case, n)), None)
                if r is None:
                    cells.append("")
                elif r["clifford"] == 0:
                    cells.append(f"0 (Δ = 0 in all {r['samples_clifford']})")
                else:
                    lo, hi = max(r["ratio"] - 1.96 * r["ratio_se"], 0), r["ratio"] + 1.96 * r["ratio_se"]
                    cells.append(f"{r['ratio']:.2g} ({lo:.2g}–{hi:.2g})")
            out.append(f"| {task} | {case} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def figure(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    style = {"v1": ("C0", "o"), "v2": ("C1", "s"), "both": ("C2", "^")}
    titles = {"vqe": "(a) VQE, Heisenberg ring", "qae": "(b) QAE", "qsl": "(c) QSL, fidelity"}
    fig, axes = plt.subplots(1, 3, figsize=(14, 5.2))
    for ax, task in zip(axes, TASKS):
        ax.set_title(titles[task], fontsize=11)
        ax.set_yscale("log")
        ax.set_xlabel("n (qubits)")
        ax.set_ylabel("E[Δ] / w(H)")
        ax.grid(True, alpha=0.3)
        for case in CASES:
            rs = [r for r in rows if r["task"] == task and r["case"] == case]
            if not rs:
                continue
            color, marker = style[case]
            ns = [r["n"] for r in rs]
            for key, mfc, ls in (("haar", "none", "--"), ("clifford", color, "-")):
                m = np.array([r[key] / r["w"] for r in rs])
                e = np.array([1.96 * r[key + "_se"] / r["w"] for r in rs])
                ok = m > 0
                ax.errorbar(
                    np.array(ns)[ok],
                    m[ok],
                    yerr=[np.minimum(e[ok], 0.95 * m[ok]), e[ok]],
                    color=color,
                    marker=marker,
                    mfc=mfc,
                    ls=ls,
                    lw=1.2,
                    ms=5,
                    capsize=3,
                )
            ax.plot(ns, [r["bound"] / r["w"] for r in rs], ls=":", color=color, lw=1.0)
            if task == "vqe" and case == "v1":  # Lemma 13.5: Clifford-only bound 36√2/(d+1)
                ax.plot(
                    ns, [36 * math.sqrt(2) / (2**n + 1) / r["w"] for n, r in zip(ns, rs)], ls="-.", color="k", lw=1.0
                )
    handles = [
        Line2D([], [], color=style[c][0], marker=style[c][1], label=lab)
        for c, lab in (("v1", "V1 random, V2 = I"), ("v2", "V1 = I, V2 random"), ("both", "V1, V2 random"))
    ]
    handles += [
        Line2D([], [], color="0.3", marker="o", ls="-", label="Clifford (filled)"),
        Line2D([], [], color="0.3", marker="o", mfc="none", ls="--", label="Haar (hollow)"),
        Line2D([], [], color="0.3", ls=":", label="task-dependent 2-design bound"),
        Line2D([], [], color="k", ls="-.", label="Clifford only, V1 random: 36√2/(d+1) (Lemma 13.5)"),
        Line2D([], [], ls="none", label="missing Clifford points: Δ = 0 in every sample"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle(
        f"E[Δ] for uniformly random Clifford vs Haar V1/V2 (m = 1, seed {ARGS.seed}); error bars: 95 % CI", fontsize=10
    )
    fig.tight_layout(rect=(0, 0.1, 1, 0.96))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    global ARGS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", default="results/clifford.jsonl")
    p.add_argument("--figure", default="docs/clifford.png")
    p.add_argument("--table", default="results/clifford_table.md")
    p.add_argument("--samples", type=int, default=400, help="samples per point for n <= 12 (default 400)")
    p.add_argument("--samples-large", type=int, default=100, help="samples per point for v1, n = 14..20 (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="n = 4, 6 only, 20 samples (smoke test)")
    ARGS = p.parse_args(argv)
    if ARGS.quick:
        ARGS.samples = min(ARGS.samples, 20)
    executor = make_executor(ARGS.workers)
    try:
        for spec in plan(ARGS.quick, ARGS.samples, ARGS.samples_large):
            run_sweep(spec, ARGS.results, executor=executor, progress=sys.stderr.isatty())
    finally:
        executor.close()
    rows = comparison(read_results(ARGS.results))
    txt = table(rows)
    Path(ARGS.table).parent.mkdir(parents=True, exist_ok=True)
    short = summary_table(rows)
    dets = qsl_determinants(6 if ARGS.quick else 8, ARGS.samples)
    Path(ARGS.table).write_text(txt + "\n\nClifford E[Δ] / Haar E[Δ] (95 % CI):\n\n" + short + "\n\n" + dets + "\n")
    figure(rows, Path(ARGS.figure))
    print(txt)
    print("\nClifford E[Δ] / Haar E[Δ] (95 % CI):\n")
    print(short)
    print("\n" + dets)
    print(f"\nwrote {ARGS.table} and {ARGS.figure}")
    return 1 if any(r["verdict"].startswith("VIOLATED") for r in rows) else 0


ARGS = argparse.Namespace(seed=0)

if __name__ == "__main__":
    sys.exit(main())
