"""The large-n constants against the sweeps: docs/asymptotics.png and the Markdown table (stdout).

Reads the points of docs/beyond_the_paper.json (V1 exact Haar, V2 = I, A = site 0) and of
docs/asymptotics_sweeps.json (cases v2 and both, exact Haar), and compares scale·E[Δ] with
c = lim scale·E[Δ] of weingarten_check.theory.asymptotics (Lemma 15 of proofs/DERIVATION.md):
z-scores at the largest n of every (q, task, case).  ``--results FILE`` first summarises a sweep
results file (the v2/both sweeps named in README, "The constant") into docs/asymptotics_sweeps.json.

Run: ``.venv/bin/python docs/asymptotics.py [--results results/asymptotics.jsonl]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from weingarten_check.experiments.statistics import summarize
from weingarten_check.experiments.store import read_results
from weingarten_check.reporting.figures import asymptotics_rows, plot_asymptotics

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "docs" / "asymptotics_sweeps.json"
ORDER = {"vqe": 0, "qae": 1, "qsl": 2, "v1": 0, "v2": 1, "both": 2}


def all_points() -> list[dict]:
    """The v1 points of "Beyond the paper" and the stored v2/both summaries."""
    points = [dict(p, case="v1") for p in json.loads((ROOT / "docs" / "beyond_the_paper.json").read_text())["points"]]
    if SWEEPS.exists():
        points += json.loads(SWEEPS.read_text())["points"]
    return points


def summarise_results(path: Path) -> None:
    """Write docs/asymptotics_sweeps.json: per (q, task, case, n) of the file, samples, mean, stderr."""
    rows = summarize(read_results(path))
    points = [
        {
            "q": r.q,
            "task": r.task,
            "case": r.case,
            "n": r.n,
            "samples": r.samples,
            "seed": r.seed,
            "mean": r.mean,
            "stderr": r.stderr,
        }
        for r in rows
        if r.ensemble == "haar"
    ]
    SWEEPS.write_text(json.dumps({"results": str(path), "points": points}, indent=1) + "\n")


def largest_n_table(rows: list[dict]) -> str:
    """The Markdown table of the largest n per (q, task, case)."""
    best: dict = {}
    for r in rows:
        k = (r["q"], r["task"], r.get("case", "v1"))
        if k not in best or r["n"] > best[k]["n"]:
            best[k] = r
    lines = ["| q | task | case | n | scale·E[Δ] (sampled) | c | z |", "|---|---|---|---:|---|---|---:|"]
    for (q, task, case), r in sorted(best.items(), key=lambda kv: (kv[0][0], ORDER[kv[0][1]], ORDER[kv[0][2]])):
        scale = "d" if task == "qsl" else ("sqrt(d/n)" if task == "vqe" and case != "v1" else "sqrt(d)")
        c = f"{r['c']:.6g}" + (f" ± {r['c_stderr']:.1g}" if r["c_stderr"] else "")
        sampled = f"{r['scaled']:.4g} ± {r['scaled_stderr']:.2g} ({scale})"
        lines.append(f"| {q} | {task.upper()} | {case} | {r['n']} | {sampled} | {c} | {r['z']:+.2f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, help="summarise this sweep results file into docs/asymptotics_sweeps.json")
    args = ap.parse_args()
    if args.results:
        summarise_results(args.results)
    rows = asymptotics_rows(all_points())
    plot_asymptotics(rows, ROOT / "docs" / "asymptotics.png")
    print(largest_n_table(rows))


if __name__ == "__main__":
    main()
