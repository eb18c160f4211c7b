"""Time to produce the exact symbolic E||K||_F⁴ (Lemma 11.4) per task, case and q, single-threaded.

Run: ``.venv/bin/python benchmarks/bench_fourth_moments.py``

For each (task, case, q) the symbolic-in-n expression (``fourth_moments.expected_K_frobenius_fourth_task``
with a sympy Symbol n) is built twice: **cold** (every cache of the module cleared, so it includes the
k = 4 ``trace_moment`` expansion and the exact local traces) and **warm** (caches filled).  For
comparison, the same value at one numeric n through the numeric Observable path (dense traces) and the
Monte-Carlo cost of matching it to ~1 % (2000 exact-Haar samples via the experiment path, q = 2 only).
Times are best of 3; ratios are to the fastest warm symbolic time in the run.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import sympy as sp  # noqa: E402

from weingarten_check.experiments import sample_rng, task_spec, variation_range_sample_result  # noqa: E402
from weingarten_check.states.observables import heisenberg_ring, qae_observable  # noqa: E402
from weingarten_check.theory import fourth_moments as fm  # noqa: E402
from weingarten_check.theory import task_moments as tm  # noqa: E402


def best(fn, repeat=3, cold=False):
    t = float("inf")
    for _ in range(repeat):
        if cold:
            tm.clear_caches()
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description="fourth-moment timings")
    ap.add_argument("--mc", action="store_true", help="also time 2000 Monte-Carlo samples (q = 2, n = 8)")
    args = ap.parse_args()
    n = sp.Symbol("n", positive=True, integer=True)
    rows = []
    for task in ("vqe", "qae"):
        for q in (2, 3):
            for case in ("v1", "v2", "both"):
                cold = best(
                    lambda task=task, case=case, q=q: tm.expected_K_frobenius_fourth_task(task, case, n, q=q), cold=True
                )
                # warm: the coefficient/γ caches filled, the task result itself recomputed
                warm = best(
                    lambda task=task, case=case, q=q: (
                        tm.clear_caches(results_only=True),
                        tm.expected_K_frobenius_fourth_task(task, case, n, q=q),
                    )
                )
                n_num = 6 if q == 2 else 4
                obs = heisenberg_ring(n_num, q, _width=0.0) if task == "vqe" else qae_observable(n_num, q)
                numeric = best(lambda obs=obs, case=case: fm.expected_K_frobenius_fourth_observable(obs, case))
                mc = float("nan")
                if args.mc and q == 2:
                    spec = task_spec(task, 8, 2)
                    t0 = time.perf_counter()
                    for s in range(2000):
                        variation_range_sample_result(spec, "haar", case, sample_rng(0, 8, s))
                    mc = time.perf_counter() - t0
                rows.append((task, case, q, cold, warm, n_num, numeric, mc))
    fastest = min(r[4] for r in rows)
    print(f"uptime: {os.popen('uptime').read().strip()}")
    print(
        "| task | case | q | symbolic E‖K‖⁴, cold (s) | warm (s) | warm / fastest | numeric path at n (s) | MC 2000 "
        "samples, n = 8 (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for task, case, q, cold, warm, n_num, numeric, mc in rows:
        print(
            f"| {task} | {case} | {q} | {cold:.3f} | {warm:.3f} | {warm / fastest:.1f} | {numeric:.3f} (n = {n_num}) | "
            f"{'—' if mc != mc else f'{mc:.1f}'} |"
        )


if __name__ == "__main__":
    main()
