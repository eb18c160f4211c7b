"""E[Δ] under another exact ensemble against Haar on U(d): resumable sweeps, a table and a figure.

    .venv/bin/python scripts/ensemble_vs_reference.py --ensemble clifford            # docs/clifford.png
    .venv/bin/python scripts/ensemble_vs_reference.py --ensemble orthogonal          # docs/orthogonal.png
    .venv/bin/python scripts/ensemble_vs_reference.py --ensemble clifford --quick    # n = 4, 6, 20 samples

The ensembles (one record each, :data:`COMPARISONS`):

* ``clifford``: uniformly random Clifford V1/V2, an exact unitary 2-design (Lemma 13), against Haar and
  the 2-design bounds.  K of a Clifford sample is computed exactly from Pauli expectations, so Δ = 0
  exactly when K = 0; the table gives the fraction of samples with Δ > 0, and the QSL "both" case is
  explained by the overlap determinants (Δ_QSL = ||M||_F² + 2|det M|).
* ``orthogonal``: V1/V2 Haar on O(d) (real-amplitude circuits, Lemma 16), against Haar on U(d) and the
  O(d) bound 2√r √E‖K‖²_F (theory.orthogonal, exact E‖K‖²_F over O(d)); the unitary 2-design bounds are
  not implied for O(d) and are not used in the verdict.

Sweeps go to --results (JSON Lines, resumable: rerun the same command to continue after an
interruption); both ensembles use the project's seed rule (experiments.sample_rng), seed --seed.
v1: n = 4 … 12 with --samples, n = 14 … 20 with --samples-large; v2, both: n = 4 … 12.
Prints (and writes to --table) one row per (task, case, n): the ensemble's and Haar's E[Δ] with 95 %
CIs (normal approximation), their ratio with a delta-method 95 % CI, the ensemble's own bound, and the
verdict of the ensemble's E[Δ] against every bound `verify` gives that ensemble (below / consistent =
bound inside the CI / VIOLATED = whole CI above; exit code 1 only then).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from weingarten_check.experiments import CASES, TASKS, RunConfig, SweepSpec, make_executor, read_results, run_sweep
from weingarten_check.reporting.figures import bounds_and_width
from weingarten_check.reporting.verify_report import bound_verdict

REFERENCE = "haar"


@dataclass(frozen=True)
class Comparison:
    """What differs between the compared ensembles: names, the bound to draw, the extra columns."""

    ensemble: str
    short: str  # column label of the ensemble, e.g. "Clifford", "O(d)"
    ref_short: str  # column label of the reference (Haar on U(d))
    initial: str  # one letter for the samples column
    ref_initial: str
    bound_key: str  # the key of bounds_and_width(...)[1] drawn as the ensemble's bound
    bound_label: str
    title: str
    ratio_panel: bool  # a second row of panels with the ratio ensemble/reference
    show_nonzero: bool  # Clifford: the fraction of samples with Δ > 0 (K exactly 0 otherwise)
    show_unitary_bound: bool  # O(d): the U(d) bound, for comparison only
    summary_with_bound: bool  # summary cells: "ratio (CI); E[Δ]/bound" with 3 decimals, else "ratio (CI)", 2 digits


COMPARISONS = {
    "clifford": Comparison(
        "clifford",
        "Clifford",
        "Haar",
        "C",
        "H",
        "task_dependent",
        "task-dependent 2-design bound",
        "uniformly random Clifford vs Haar V1/V2",
        ratio_panel=False,
        show_nonzero=True,
        show_unitary_bound=False,
        summary_with_bound=False,
    ),
    "orthogonal": Comparison(
        "orthogonal",
        "O(d)",
        "U(d)",
        "O",
        "U",
        "orthogonal_task_dependent",
        "O(d) bound 2√r √E‖K‖²_F (Lemma 16)",
        "V1/V2 Haar on O(d) vs U(d)",
        ratio_panel=True,
        show_nonzero=False,
        show_unitary_bound=True,
        summary_with_bound=True,
    ),
}


def plan(cmp: Comparison, quick: bool, samples: int, samples_large: int, seed: int) -> list[SweepSpec]:
    small = (4, 6) if quick else (4, 6, 8, 10, 12)
    large = () if quick else (14, 16, 18, 20)
    specs = []
    for ens in (cmp.ensemble, REFERENCE):
        for task in TASKS:
            for case in CASES:
                specs.append(SweepSpec(RunConfig(task, ens, case, seed=seed), ns=small, samples=samples))
                if case == "v1" and large:
                    specs.append(SweepSpec(RunConfig(task, ens, case, seed=seed), ns=large, samples=samples_large))
    return specs


def stats(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def comparison(cmp: Comparison, records: list[dict], seed: int) -> list[dict]:
    """One row per (task, case, n) with both ensembles sampled (at least 2 samples each)."""
    groups: dict[tuple, list] = {}
    for r in records:
        if r["ensemble"] in (cmp.ensemble, REFERENCE) and r["q"] == 2 and r["site"] == 0 and r["seed"] == seed:
            groups.setdefault((r["task"], r["case"], r["n"], r["ensemble"]), []).append(r["value"])
    rows = []
    for task in TASKS:
        for case in CASES:
            for n in sorted({k[2] for k in groups if k[0] == task and k[1] == case}):
                e = np.asarray(groups.get((task, case, n, cmp.ensemble), []), dtype=float)
                h = np.asarray(groups.get((task, case, n, REFERENCE), []), dtype=float)
                if len(e) < 2 or len(h) < 2:
                    continue
                (me, se), (mh, sh) = stats(e), stats(h)
                ratio = me / mh
                rse = ratio * math.sqrt((se / me) ** 2 + (sh / mh) ** 2) if me > 0 else float("nan")
                w, bnds = bounds_and_width(task, cmp.ensemble, case, n, 2)
                ci = (me - 1.96 * se, me + 1.96 * se)
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
                        samples=len(e),
                        samples_ref=len(h),
                        w=w,
                        mean=me,
                        mean_se=se,
                        ref=mh,
                        ref_se=sh,
                        ratio=ratio,
                        ratio_se=rse,
                        nonzero=float(np.mean(e > 0)),
                        bound=bnds.get(cmp.bound_key, float("nan")),
                        unitary_bound=bounds_and_width(task, REFERENCE, case, n, 2)[1]["task_dependent"],
                        verdict=verdict,
                    )
                )
    return rows


def fmt(x: float) -> str:
    return f"{x:.3g}" if x != 0 else "0"


def ci(m: float, s: float) -> str:
    return f"{fmt(m)} ({fmt(max(m - 1.96 * s, 0))}, {fmt(m + 1.96 * s)})"


def table(cmp: Comparison, rows: list[dict]) -> str:
    e, h = cmp.short, cmp.ref_short
    cols = [
        "task",
        "case",
        "n",
        f"samples ({cmp.initial}/{cmp.ref_initial})",
        f"{e} E[Δ] (95 % CI)",
        f"{h} E[Δ] (95 % CI)",
        f"{cmp.initial}/{cmp.ref_initial} (95 % CI)",
    ]
    cols += [f"{e} Δ > 0"] if cmp.show_nonzero else []
    cols += [f"{e} bound", f"{e} E[Δ] / bound"]
    cols += [f"{h} bound"] if cmp.show_unitary_bound else []
    cols += [f"{e} vs its bounds"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = [r["task"], r["case"], str(r["n"]), f"{r['samples']}/{r['samples_ref']}"]
        cells += [ci(r["mean"], r["mean_se"]), ci(r["ref"], r["ref_se"])]
        cells += ["—" if r["mean"] == 0 else ci(r["ratio"], r["ratio_se"])]
        cells += [f"{r['nonzero']:.3f}"] if cmp.show_nonzero else []
        cells += [fmt(r["bound"]), f"{r['mean'] / r['bound']:.3f}"]
        cells += [fmt(r["unitary_bound"])] if cmp.show_unitary_bound else []
        cells += [r["verdict"]]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def summary_table(cmp: Comparison, rows: list[dict], ns=(4, 8, 12, 16, 20)) -> str:
    """Condensed: ensemble E[Δ] / Haar E[Δ] (95 % CI) and ensemble E[Δ] / its bound, per (task, case)."""
    out = ["| task | case | " + " | ".join(f"n = {n}" for n in ns) + " |", "|---|---|" + "---|" * len(ns)]
    for task in TASKS:
        for case in CASES:
            cells = []
            for n in ns:
                r = next((r for r in rows if (r["task"], r["case"], r["n"]) == (task, case, n)), None)
                if r is None:
                    cells.append("")
                elif r["mean"] == 0:
                    cells.append(f"0 (Δ = 0 in all {r['samples']})")
                else:
                    lo, hi = max(r["ratio"] - 1.96 * r["ratio_se"], 0), r["ratio"] + 1.96 * r["ratio_se"]
                    if cmp.summary_with_bound:
                        cells.append(f"{r['ratio']:.3f} ({lo:.3f}–{hi:.3f}); {r['mean'] / r['bound']:.2f}")
                    else:
                        cells.append(f"{r['ratio']:.2g} ({lo:.2g}–{hi:.2g})")
            out.append(f"| {task} | {case} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def qsl_determinants(cmp: Comparison, n: int, samples: int, seed: int) -> str:
    """Why QSL 'both' differs: Δ_QSL = ||M||_F² + 2|det M| for the 2x2 overlap matrix M; the first term has
    the same mean dA/d for any 1-design, the second does not.  Recomputes the sweep's samples (same seeds)."""
    from weingarten_check import experiments as ex

    spec = ex.task_spec("qsl", n)
    lines = [f"QSL both, n = {n}, {samples} samples (seed {seed}, the sweep's samples):"]
    for ens in (cmp.ensemble, REFERENCE):
        cfg = ex.config_entropy("qsl", ens, "both", 2, 0)
        Ms = [
            ex.variation_range_sample_result(spec, ens, "both", ex.sample_rng(seed, n, s, cfg)).M
            for s in range(samples)
        ]
        det = np.array([abs(np.linalg.det(M)) for M in Ms])
        f2 = np.array([np.sum(np.abs(M) ** 2) for M in Ms])
        lines.append(
            f"  {ens:10s}: P(det M = 0) = {np.mean(det < 1e-12):.3f}, E||M||_F^2 = {f2.mean():.5f} "
            f"(dA/d = {2 / 2**n:.5f}), 2E|det M| = {2 * det.mean():.5f}"
        )
    return "\n".join(lines)


def figure(cmp: Comparison, rows: list[dict], out: Path, seed: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    style = {"v1": ("C0", "o"), "v2": ("C1", "s"), "both": ("C2", "^")}
    titles = {"vqe": "(a) VQE, Heisenberg ring", "qae": "(b) QAE", "qsl": "(c) QSL, fidelity"}
    nrows = 2 if cmp.ratio_panel else 1
    fig, axes = plt.subplots(
        nrows,
        3,
        figsize=(14, 8.2 if cmp.ratio_panel else 5.2),
        sharex=cmp.ratio_panel,
        squeeze=False,
        gridspec_kw={"height_ratios": [2.2, 1]} if cmp.ratio_panel else None,
    )
    for col, task in enumerate(TASKS):
        ax = axes[0, col]
        ax.set_title(titles[task], fontsize=11)
        ax.set_yscale("log")
        ax.set_ylabel("E[Δ] / w(H)")
        ax.grid(True, alpha=0.3)
        rax = axes[1, col] if cmp.ratio_panel else None
        (rax or ax).set_xlabel("n (qubits)")
        if rax is not None:
            rax.set_ylabel(f"{cmp.short} / {cmp.ref_short} E[Δ]")
            rax.axhline(1.0, color="0.5", lw=0.8)
            rax.grid(True, alpha=0.3)
        for case in CASES:
            rs = [r for r in rows if r["task"] == task and r["case"] == case]
            if not rs:
                continue
            color, marker = style[case]
            ns = np.array([r["n"] for r in rs])
            for key, mfc, ls in (("ref", "none", "--"), ("mean", color, "-")):
                m = np.array([r[key] / r["w"] for r in rs])
                e = np.array([1.96 * r[key + "_se"] / r["w"] for r in rs])
                ok = m > 0  # E[Δ] = 0 exactly (Clifford, K = 0 in every sample) has no place on a log axis
                ax.errorbar(
                    ns[ok],
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
            ax.plot(ns, [r["bound"] / r["w"] for r in rs], ls=":", color=color, lw=1.2)
            if cmp.ensemble == "clifford" and task == "vqe" and case == "v1":  # Lemma 13.5: 36√2/(d+1)
                ax.plot(ns, [36 * math.sqrt(2) / (2**n + 1) / r["w"] for n, r in zip(ns, rs)], ls="-.", color="k")
            if rax is not None:
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
    ref_label = ("" if cmp.ref_short == "Haar" else "Haar ") + f"{cmp.ref_short} (hollow)"
    handles += [
        Line2D([], [], color="0.3", marker="o", ls="-", label=f"{cmp.short} (filled)"),
        Line2D([], [], color="0.3", marker="o", mfc="none", ls="--", label=ref_label),
        Line2D([], [], color="0.3", ls=":", label=cmp.bound_label),
    ]
    if cmp.ensemble == "clifford":
        handles += [
            Line2D([], [], color="k", ls="-.", label="Clifford only, V1 random: 36√2/(d+1) (Lemma 13.5)"),
            Line2D([], [], ls="none", label="missing Clifford points: Δ = 0 in every sample"),
        ]
    fig.legend(handles=handles, loc="lower center", ncol=4 if len(handles) > 6 else 6, fontsize=8, frameon=False)
    fig.suptitle(f"E[Δ] for {cmp.title} (m = 1, seed {seed}); error bars: 95 % CI", fontsize=10)
    fig.tight_layout(rect=(0, 0.1 if nrows == 1 else 0.05, 1, 0.96))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ensemble", choices=sorted(COMPARISONS), required=True, help="the ensemble compared with Haar")
    p.add_argument("--results", help="JSON Lines results (default results/<ensemble>.jsonl)")
    p.add_argument("--figure", help="the figure (default docs/<ensemble>.png)")
    p.add_argument("--table", help="the Markdown table (default results/<ensemble>_table.md)")
    p.add_argument("--samples", type=int, default=400, help="samples per point for n <= 12 (default 400)")
    p.add_argument("--samples-large", type=int, default=100, help="samples per point for v1, n = 14..20 (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="n = 4, 6 only, 20 samples (smoke test)")
    args = p.parse_args(argv)
    cmp = COMPARISONS[args.ensemble]
    results = args.results or f"results/{cmp.ensemble}.jsonl"
    figure_path = Path(args.figure or f"docs/{cmp.ensemble}.png")
    table_path = Path(args.table or f"results/{cmp.ensemble}_table.md")
    samples = min(args.samples, 20) if args.quick else args.samples
    t0, c0 = time.perf_counter(), time.process_time()
    executor = make_executor(args.workers)
    try:
        for spec in plan(cmp, args.quick, samples, args.samples_large, args.seed):
            run_sweep(spec, results, executor=executor, progress=sys.stderr.isatty())
    finally:
        executor.close()
    rows = comparison(cmp, read_results(results), args.seed)
    head = f"{cmp.short} E[Δ] / {cmp.ref_short} E[Δ] (95 % CI)" + (
        f"; {cmp.short} E[Δ] / {cmp.short} bound:" if cmp.summary_with_bound else ":"
    )
    text = table(cmp, rows) + f"\n\n{head}\n\n" + summary_table(cmp, rows)
    if cmp.ensemble == "clifford":
        text += "\n\n" + qsl_determinants(cmp, 6 if args.quick else 8, samples, args.seed)
    table_path.parent.mkdir(parents=True, exist_ok=True)
    table_path.write_text(text + "\n")
    figure(cmp, rows, figure_path, args.seed)
    print(text)
    print(
        f"\nwrote {table_path} and {figure_path}; this run: {time.perf_counter() - t0:.0f} s wall, "
        f"{time.process_time() - c0:.0f} s CPU in this process (sweeps resume: finished points are not redone)"
    )
    return 1 if any(r["verdict"].startswith("VIOLATED") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
