"""The large-n constants against the sweeps: docs/asymptotics.png and the Markdown table (stdout).

Reads the points of docs/beyond_the_paper.json (V1 exact Haar, V2 = I, A = site 0) and compares
scale·E[Δ] with c = lim scale·E[Δ] of weingarten_check.theory.asymptotics (Lemma 15 of
proofs/DERIVATION.md); z-scores at the largest n of every (q, task).

Run: ``.venv/bin/python docs/asymptotics.py``
"""

from __future__ import annotations

import json
from pathlib import Path

from weingarten_check.reporting.figures import asymptotics_rows, plot_asymptotics

ROOT = Path(__file__).resolve().parents[1]


def largest_n_table(rows: list[dict]) -> str:
    """The Markdown table of the largest n per (q, task)."""
    best: dict = {}
    for r in rows:
        k = (r["q"], r["task"])
        if k not in best or r["n"] > best[k]["n"]:
            best[k] = r
    lines = ["| q | task | n | scale·E[Δ] (sampled) | c | z |", "|---|---|---:|---|---|---:|"]
    for (q, task), r in sorted(best.items(), key=lambda kv: (kv[0][0], ["vqe", "qae", "qsl"].index(kv[0][1]))):
        scale = "d" if task == "qsl" else "sqrt(d)"
        c = f"{r['c']:.6g}" + (f" ± {r['c_stderr']:.1g}" if r["c_stderr"] else "")
        sampled = f"{r['scaled']:.4g} ± {r['scaled_stderr']:.2g} ({scale})"
        lines.append(f"| {q} | {task.upper()} | {r['n']} | {sampled} | {c} | {r['z']:+.2f} |")
    return "\n".join(lines)


def main() -> None:
    points = json.loads((ROOT / "docs" / "beyond_the_paper.json").read_text())["points"]
    rows = asymptotics_rows(points)
    plot_asymptotics(rows, ROOT / "docs" / "asymptotics.png")
    print(largest_n_table(rows))


if __name__ == "__main__":
    main()
