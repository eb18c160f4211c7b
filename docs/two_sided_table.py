"""Regenerate the README table "lower / measured / upper" (Lemma 11) for the VQE, V1 Haar, V2 = I case.

    .venv/bin/python docs/two_sided_table.py [--samples 200] [--seed 0] [--n 4-20]

For every n: the exact lower bound c (E||K||²)^{3/2}/(E||K||⁴)^{1/2} (bounds.expected_delta_lower_bound),
E[Δ] over exact-Haar samples (experiments.estimate_variation_range, exact qubit Δ, 95 % CI, the project's
seeding rule), and the upper bound 12/sqrt(d+1) (bounds.expected_delta_upper_bound = task_dependent_bound).
Prints a Markdown table; the last column says whether the 95 % CI meets [lower, upper].
"""

from __future__ import annotations

import argparse
import time

from weingarten_check.experiments import estimate_variation_range
from weingarten_check.theory import bounds as B


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", default="4-20", help="range lo-hi (inclusive)")
    args = ap.parse_args()
    lo_n, hi_n = (int(x) for x in args.n.split("-"))
    print(
        f"VQE (Heisenberg ring Eq. 9), |0…0>, A = site 0, V1 Haar, V2 = I; {args.samples} samples per n, "
        f"seed {args.seed}"
    )
    print()
    print("| n | lower (Lemma 11) | E[Δ] (95 % CI) | upper 12/√(d+1) | E[Δ]/lower | E[Δ]/upper | inside | time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for n in range(lo_n, hi_n + 1):
        t0 = time.perf_counter()
        est = estimate_variation_range("vqe", "haar", "v1", n=n, samples=args.samples, seed=args.seed)
        lo = float(B.expected_delta_lower_bound("vqe", "v1", n))
        up = float(B.expected_delta_upper_bound("vqe", "v1", n))
        inside = est.ci95[1] >= lo and est.ci95[0] <= up
        print(
            f"| {n} | {lo:.4g} | {est.mean:.4g} [{est.ci95[0]:.4g}, {est.ci95[1]:.4g}] | {up:.4g} | "
            f"{est.mean / lo:.2f} | {est.mean / up:.2f} | {'yes' if inside else 'NO'} | "
            f"{time.perf_counter() - t0:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
