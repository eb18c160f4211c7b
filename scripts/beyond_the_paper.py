"""The "beyond the paper" figure: E[Δ] for VQE, QAE, QSL (V1 exact Haar, V2 = I) up to n = 28
qubits and n = 17 qutrits, with the decay rate fitted against the predicted one.

Input: a sweep results file written by ``weingarten-check sweep --ensemble haar --case v1`` (the
commands are in README, section "Beyond the paper").  Output: ``<out>.png``, ``<out>.pdf`` and
``<out>.json`` (every plotted number and every fit), and the Markdown table on stdout.

Run: ``.venv/bin/python scripts/beyond_the_paper.py --results results/beyond.jsonl --out docs/beyond_the_paper``
Redraw from the numbers alone (no results file):
``... --from-json docs/beyond_the_paper.json --out docs/beyond_the_paper``

Panels: q = 2 and q = 3; semi-log E[Δ] (unnormalised) vs n with 95 % CIs; dashed: our exact
task-dependent bound (VQE, QAE: ``2 sqrt(r) sqrt(E||K||_F²)``, ``12/sqrt(2^n+1)`` for the qubit
Heisenberg ring), for QSL Proposition 2 ``q^(2m-n)`` and its sharp form ``dA/d`` (Lemma 7.5,
Schmidt rank 1).  For q = 3, Δ of VQE/QAE is a certified bracket (Lemma 12): where every sample's
bracket is narrower than the plotting resolution (:data:`weingarten_check.reporting.figures.BRACKET_RESOLUTION`,
relative) one point is drawn and fitted, and the table gives the widest bracket; otherwise filled
markers are the lower ends, open markers the certified upper ends, and both are fitted.  Fits:
:func:`weingarten_check.experiments.statistics.fit_log_slope_se` of ``log_q E[Δ]`` on ``n >= --fit-from``,
drawn as thin solid lines over the fitted range, their slope ± standard error and the predicted slope in
the legend.  The x ticks are the sizes n sampled.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from weingarten_check.experiments.statistics import PREDICTED_SLOPE, fit_log_slope_se, summarize
from weingarten_check.experiments.store import read_results
from weingarten_check.experiments.tasks import task_spec
from weingarten_check.reporting.figures import BRACKET_RESOLUTION
from weingarten_check.theory import bounds as B

COLOURS = {"vqe": "C0", "qae": "C1", "qsl": "C2"}
LABELS = {"vqe": "VQE (Heisenberg ring)", "qae": "QAE (one site discarded)", "qsl": "QSL (fidelity)"}


def reference_bounds(task: str, n: int, q: int) -> dict[str, float]:
    """Bounds for case v1, m = 1, A = site 0 (no spectral width needed)."""
    if task == "qsl":
        return {
            "proposition2": float(B.proposition2_bound(n, 1, q)),
            "lemma7.5": float(B.proposition2_schmidt_bound(n, 1, q, schmidt_rank=1)),
        }
    spec = task_spec(task, n, q)
    return {
        "task_dependent": float(
            B.task_dependent_bound(
                "v1",
                n,
                1,
                q,
                coupling=spec.coupling,
                purity=1,
                state_coupling=spec.state_coupling,
                h_hs_centered=spec.h_hs_centered,
            )
        )
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default="results/beyond.jsonl")
    ap.add_argument("--out", default="docs/beyond_the_paper")
    ap.add_argument("--fit-from", default="2:8,3:5", help="first n of each fit per q (default 2:8,3:5)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--from-json", metavar="FILE", help="redraw from a previous <out>.json instead of --results")
    a = ap.parse_args(argv)
    if a.from_json:
        data = json.loads(Path(a.from_json).read_text())
        save(data, Path(a.out), write_json=Path(a.out).with_suffix(".json").resolve() != Path(a.from_json).resolve())
        return 0
    fit_from = {int(k): int(v) for k, v in (p.split(":") for p in a.fit_from.split(","))}
    recs = [
        r
        for r in read_results(a.results)
        if r["ensemble"] == "haar"
        and r["case"] == "v1"
        and r["site"] == 0
        and r.get("m", 1) == 1
        and r["seed"] == a.seed
    ]
    if not recs:
        print(f"error: {a.results} holds no haar/v1/site 0/seed {a.seed} samples", file=sys.stderr)
        return 2
    rows = summarize(recs)
    qs = sorted({r.q for r in rows})
    data = {"results": a.results, "points": [], "fits": []}
    table = [
        "| q | task | n fitted | samples per n | slope of log_q E[Δ] ± se | predicted | z | χ²/dof | widest bracket |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for q in qs:
        for task in ("vqe", "qae", "qsl"):
            pts = sorted((r for r in rows if r.q == q and r.task == task), key=lambda r: r.n)
            if not pts:
                continue
            for r in pts:
                bd = reference_bounds(task, r.n, q)
                up_se = None
                if not r.exact:  # standard error of the upper ends
                    ups = [
                        float(x.get("upper", x["value"])) for x in recs if (x["q"], x["task"], x["n"]) == (q, task, r.n)
                    ]
                    mu = sum(ups) / len(ups)
                    up_se = math.sqrt(sum((u - mu) ** 2 for u in ups) / (len(ups) - 1) / len(ups))
                data["points"].append(
                    {
                        "q": q,
                        "task": task,
                        "n": r.n,
                        "samples": r.samples,
                        "mean": r.mean,
                        "stderr": r.stderr,
                        "exact": r.exact,
                        "upper_mean": None if r.exact else r.upper_mean,
                        "upper_stderr": up_se,
                        "max_width": r.max_width,
                        "bounds": bd,
                    }
                )
            exact = all(r.exact for r in pts)
            one_point = exact or max(r.max_width for r in pts) < BRACKET_RESOLUTION
            sel = [r for r in pts if r.n >= fit_from.get(q, 0) and r.samples >= 2]
            series = [("", [r.mean for r in sel], [r.stderr for r in sel])]
            if not one_point:
                pu = [p for p in data["points"] if p["q"] == q and p["task"] == task and p["n"] >= fit_from.get(q, 0)]
                series = [
                    (" lower end", [r.mean for r in sel], [r.stderr for r in sel]),
                    (" upper end", [p["upper_mean"] for p in pu], [p["upper_stderr"] for p in pu]),
                ]
            for tag, m, s in series:
                if len(sel) < 3:
                    continue
                f = fit_log_slope_se([r.n for r in sel], m, s, base=q)
                pred = PREDICTED_SLOPE[task]
                data["fits"].append(
                    {
                        "q": q,
                        "task": task + tag.replace(" ", "_"),
                        "n_from": sel[0].n,
                        "n_to": sel[-1].n,
                        "slope": f.slope,
                        "stderr": f.stderr,
                        "predicted": pred,
                        "z": f.z(pred),
                        "chi2_dof": f.chi2_dof,
                    }
                )
                table.append(
                    f"| {q} | {task}{tag} | {sel[0].n}–{sel[-1].n} | "
                    f"{min(r.samples for r in sel)}–{max(r.samples for r in sel)} | "
                    f"{f.slope:.4f} ± {f.stderr:.4f} | {pred} | {f.z(pred):+.1f} | {f.chi2_dof:.2f} | "
                    + ("exact |" if exact else f"{max(r.max_width for r in sel):.1e} |")
                )
    print("\n".join(table))
    save(data, Path(a.out))
    return 0


def save(data: dict, out: Path, write_json: bool = True) -> None:
    """Draw ``data`` and write ``<out>.png``, ``<out>.pdf`` (and ``<out>.json``, the numbers)."""
    fig = figure(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out.with_suffix(".png"), dpi=130)
    fig.savefig(out.with_suffix(".pdf"))
    written = [out.with_suffix(".png"), out.with_suffix(".pdf")]
    if write_json:
        out.with_suffix(".json").write_text(json.dumps(data, indent=1))
        written.append(out.with_suffix(".json"))
    print(f"\nwrote {', '.join(map(str, written))}")


def figure(data: dict):
    """The figure drawn from the numbers alone (``data``: the ``points`` and ``fits`` of ``<out>.json``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points, fits = data["points"], data["fits"]
    qs = sorted({p["q"] for p in points})
    fig, axes = plt.subplots(1, len(qs), figsize=(7.6 * len(qs), 6.6), squeeze=False)
    for ax, q in zip(axes[0], qs):
        for task in ("vqe", "qae", "qsl"):
            pts = sorted((p for p in points if p["q"] == q and p["task"] == task), key=lambda p: p["n"])
            if not pts:
                continue
            c = COLOURS[task]
            ns = [p["n"] for p in pts]
            exact = all(p["exact"] for p in pts)
            widest = max(p["max_width"] for p in pts)
            one_point = exact or widest < BRACKET_RESOLUTION  # bracket below the plot's resolution
            ax.errorbar(
                ns,
                [p["mean"] for p in pts],
                yerr=[1.96 * p["stderr"] for p in pts],
                fmt="o",
                ms=4,
                color=c,
                capsize=2,
                label=LABELS[task]
                + ("" if exact else f", certified (bracket ≤ {widest:.0e})" if one_point else ", lower end"),
            )
            if not one_point:
                ax.plot(
                    ns,
                    [p["upper_mean"] for p in pts],
                    "o",
                    mfc="none",
                    ms=5,
                    color=c,
                    label=LABELS[task] + ", certified upper end",
                )
            for name, ls in zip(pts[0]["bounds"], ("--", ":")):
                ax.plot(
                    ns,
                    [p["bounds"][name] for p in pts],
                    ls,
                    color=c,
                    lw=1,
                    label={
                        "task_dependent": f"{task.upper()}: task-dependent bound (ours)",
                        "proposition2": "QSL: Proposition 2, q^(2m−n)",
                        "lemma7.5": "QSL: Lemma 7.5, dA/d",
                    }[name],
                )
            for f in fits:
                if f["q"] != q or f["task"].split("_")[0] != task:
                    continue
                key = "upper_mean" if f["task"].endswith("upper_end") else "mean"
                sel = [p for p in pts if f["n_from"] <= p["n"] <= f["n_to"]]
                # the weighted least-squares intercept of log_q E[Δ] at the fitted slope
                wts = [(p[key] / p["stderr"]) ** 2 if p["stderr"] > 0 else 1.0 for p in sel]
                logs = [math.log(p[key], q) - f["slope"] * p["n"] for p in sel]
                b = sum(w * v for w, v in zip(wts, logs)) / sum(wts)
                xs = [f["n_from"], f["n_to"]]
                tag = f["task"][len(task) :].replace("_", " ")
                ax.plot(
                    xs,
                    [q ** (b + f["slope"] * x) for x in xs],
                    "-",
                    color=c,
                    lw=0.8,
                    alpha=0.7,
                    label=f"{task.upper()}{tag} fit n = {f['n_from']}–{f['n_to']}: "
                    f"slope {f['slope']:.4f} ± {f['stderr']:.4f} (predicted {f['predicted']})",
                )
        ns_all = sorted({p["n"] for p in points if p["q"] == q})
        ax.set_yscale("log")
        ax.set_xticks(ns_all if len(ns_all) <= 15 else ns_all[:: math.ceil(len(ns_all) / 15)])
        ax.set_xlabel("n (sites)")
        ax.set_ylabel("E[Δ] (unnormalised)")
        ax.set_title(f"q = {q}: V1 exact Haar, V2 = I, one site (m = 1); fits: slope of log_q E[Δ] vs n", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    raise SystemExit(main())
