"""E[Δ]/bound for qudits with the certified Δ: VQE and QAE, exact Haar, all three cases,
q = 3 (n = 3..7) and q = 4 (n = 3..5), A = site 0.  Prints a markdown table.

Run: ``.venv/bin/python benchmarks/qudit_ratios.py [--samples N] [--seed S]``

Each cell uses the certified bracket of every sample: ``E[Δ]`` is the mean of the lower ends, the
ratio ``E[Δ]/bound`` uses the mean of the proved upper ends (conservative), and ``max width`` is the
largest relative width ``(upper - lower)/upper`` over the samples.  The experiment path runs the
level-2 certificate (Lemma 12.4) on the loose side of a sample, as ``delta_from_k`` does by default.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from weingarten_check.experiments import estimate_variation_range  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    print(f"samples {a.samples}, seed {a.seed}, load average {os.getloadavg()[0]:.1f}")
    print("| task | case | q | n | E[Δ] ± se | max width | E[Δ]/task-dependent | E[Δ]/qudit Thm 1 | E[Δ]/route 1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for q, ns in ((3, range(3, 8)), (4, range(3, 6))):
        for task in ("vqe", "qae"):
            for case in ("v1", "v2", "both"):
                for n in ns:
                    e = estimate_variation_range(task, "haar", case, n, q=q, samples=a.samples, seed=a.seed)
                    up = np.asarray(e.upper_values, dtype=float)
                    width = float(np.max((up - e.values) / np.where(up > 0, up, 1.0)))
                    r = e.ratios()
                    cell = lambda k, r=r: f"{r[k]:.2f}" if k in r else "—"  # noqa: E731
                    print(
                        f"| {task} | {case} | {q} | {n} | {e.mean:.4g} ± {e.stderr:.2g} | {width:.1e} | "
                        f"{cell('task_dependent')} | {cell('qudit_theorem1')} | {cell('route1')} |",
                        flush=True,
                    )
    print(f"total {time.perf_counter() - t0:.0f} s, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
