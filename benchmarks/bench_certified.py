"""Certified Δ for dA >= 3: per-sample time and achieved relative width, single-threaded.

Run: ``.venv/bin/python benchmarks/bench_certified.py [--quick] [--dA9] [--samples3 N] [--samples4 N]``

1. Level-1 SDP solve on the same M, side by side: Clarabel called directly (what the package uses)
   vs cvxpy + Clarabel and SCS called directly (when installed; they are not dependencies).
2. ``delta_from_k`` on exact-Haar instances of the paper's tasks (the K comes from
   ``experiments.variation_range_sample_result``): dA = 3 (q = 3, one site), dA = 4 (q = 4 one
   site; q = 2, two sites), per sample: time, relative width ``(upper - lower)/upper``, which
   certificate; the old bracket ``[lower, 2||K||_*]`` width for comparison.
   Level 2 (first-order, Lemma 12.4) is on, as in the experiment path: the per-sample seconds of the
   level-2 solve and of its exact check are reported separately (``VariationRangeResult.timings``).
3. ``--dA9``: dA = 9 (q = 3, two sites), a few samples.
4. ``--compare-check``: the exact check of one dA = 4 level-2 certificate, side by side: the
   congruence test (what the package uses) vs the complete LDLᵀ (Bareiss) test (about a minute).

Targets: dA = 3 median width <= 1e-8, worst <= 1e-6, <= 0.3 s/sample; dA = 4 worst <= 1e-4
at <= 10 s/sample; dA = 9 any certified width <= 1e-3.  The machine load is printed with the numbers.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import weingarten_check.experiments.instances as ex  # noqa: E402
from weingarten_check.delta.certified import delta_from_k, nuclear_bound  # noqa: E402
from weingarten_check.delta.cost import form_from_k  # noqa: E402
from weingarten_check.delta.sdp.level1 import solve_level1  # noqa: E402
from weingarten_check.experiments.tasks import sample_rng, task_spec  # noqa: E402


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def sample_k(task: str, case: str, n: int, q: int, sites: tuple[int, ...], seed: int) -> np.ndarray:
    """K of one exact-Haar sample of the task (captured where the experiment hands it to
    ``delta_from_k``)."""
    captured = []

    def capture(K, dA, **kw):
        captured.append(np.array(K))
        return ex.VariationRangeResult(0.0, 0.0, 0.0, True, "captured", K=K)

    spec = task_spec(task, n, q, sites=sites)
    old = ex.delta_from_k
    ex.delta_from_k = capture
    try:
        ex.variation_range_sample_result(spec, "haar", case, sample_rng(seed, n, 0, 0))
    finally:
        ex.delta_from_k = old
    return captured[0]


# ------------------------------------------------------------------------------------------ 1
def solve_cvxpy(M: np.ndarray, solver: str) -> float:
    import cvxpy as cp

    D = M.shape[0]
    dA = int(round(math.sqrt(D)))
    J = cp.Variable((D, D), hermitian=True)
    I = np.eye(dA)
    cons = [J >> 0, cp.partial_trace(J, [dA, dA], axis=0) == I, cp.partial_trace(J, [dA, dA], axis=1) == I]
    prob = cp.Problem(cp.Maximize(cp.real(cp.trace(M @ J))), cons)
    prob.solve(solver=solver)
    return float(prob.value)


def bench_solvers(quick: bool) -> None:
    print(f"\n== 1. Level-1 SDP, same M, best of 3 ({load()}) ==")
    try:
        import cvxpy  # noqa: F401

        have_cvxpy = True
    except ImportError:
        have_cvxpy = False
    print(
        f"{'dA':>3} {'Clarabel direct [s]':>20} {'cvxpy+Clarabel [s]':>19} {'ratio':>6} "
        f"{'cvxpy+SCS [s]':>14} {'|value diff| (Clarabel)':>24}"
    )
    for dA in (3, 4):
        K = np.random.default_rng(dA).standard_normal((dA * dA - 1, dA * dA - 1))
        M = form_from_k(K, dA)
        best = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            sol = solve_level1(M)
            best = min(best, time.perf_counter() - t0)
        t_d = best
        if have_cvxpy:
            best_c, best_s = math.inf, math.inf
            for _ in range(1 if quick else 3):
                t0 = time.perf_counter()
                v_c = solve_cvxpy(M, "CLARABEL")
                best_c = min(best_c, time.perf_counter() - t0)
            t0 = time.perf_counter()
            try:
                solve_cvxpy(M, "SCS")
                best_s = time.perf_counter() - t0
            except Exception:  # pragma: no cover - SCS missing
                best_s = math.nan
            print(
                f"{dA:>3} {t_d:>20.4f} {best_c:>19.4f} {best_c / t_d:>6.1f} {best_s:>14.4f} "
                f"{abs(v_c - sol.value):>24.2e}"
            )
        else:
            print(f"{dA:>3} {t_d:>20.4f} {'not installed':>19}")


# ------------------------------------------------------------------------------------------ 2
CONFIGS = {
    3: [
        ("vqe", "v1", 4, 3, (0,)),
        ("vqe", "v2", 4, 3, (0,)),
        ("vqe", "both", 4, 3, (0,)),
        ("qae", "v2", 4, 3, (0,)),
        ("qae", "both", 4, 3, (0,)),
    ],
    4: [
        ("vqe", "v1", 3, 4, (0,)),
        ("qae", "both", 3, 4, (0,)),
        ("vqe", "v1", 5, 2, (0, 1)),
        ("qae", "both", 5, 2, (0, 1)),
    ],
    9: [("vqe", "v1", 3, 3, (0, 1)), ("qae", "both", 3, 3, (0, 1))],
}


def bench_delta(dA: int, samples: int) -> None:
    print(f"\n== 2. delta_from_k, dA = {dA}, {samples} samples per row, tol 1e-6, level 2 on ({load()}) ==")
    print(
        f"{'task':>4} {'case':>5} {'n':>2} {'q':>2} {'sites':>6} {'time med/max [s]':>17} "
        f"{'width med':>10} {'width max':>10} {'certificates':>28} {'L2 solve max [s]':>17} "
        f"{'L2 check max [s]':>17} {'old [lower, 2||K||_*] med':>26}"
    )
    all_w, all_t, all_s, all_c, all_cert = [], [], [], [], {}
    for task, case, n, q, sites in CONFIGS[dA]:
        ts, ws, old, certs, l2s, l2c = [], [], [], {}, [], []
        for s in range(samples):
            K = sample_k(task, case, n, q, sites, 1000 * s + 17)
            t0 = time.perf_counter()
            r = delta_from_k(K, dA, tol=1e-6, rng=s)
            ts.append(time.perf_counter() - t0)
            ws.append(r.gap)
            old.append((nuclear_bound(K) - r.lower) / nuclear_bound(K))
            certs[r.certificate] = certs.get(r.certificate, 0) + 1
            if "level2_solve" in r.timings:
                l2s.append(r.timings["level2_solve"])
                l2c.append(r.timings["level2_check"])
        all_w += ws
        all_t += ts
        all_s += l2s
        all_c += l2c
        for k, v in certs.items():
            all_cert[k] = all_cert.get(k, 0) + v
        cs = ",".join(f"{k}:{v}" for k, v in sorted(certs.items()))
        m2 = f"{max(l2s):.3f}" if l2s else "-"
        c2 = f"{max(l2c):.3f}" if l2c else "-"
        print(
            f"{task:>4} {case:>5} {n:>2} {q:>2} {str(sites):>6} {np.median(ts):>8.3f}/{max(ts):<8.3f} "
            f"{np.median(ws):>10.1e} {max(ws):>10.1e} {cs:>28} {m2:>17} {c2:>17} {np.median(old):>26.2f}"
        )
    print(
        f"all dA = {dA} ({len(all_w)} samples): median width {np.median(all_w):.1e}, worst {max(all_w):.1e}; "
        f"time per sample median {np.median(all_t):.3f} s, worst {max(all_t):.3f} s; certificates "
        + ",".join(f"{k}:{v}" for k, v in sorted(all_cert.items()))
    )
    if all_s:
        print(
            f"  level 2 on {len(all_s)} samples: solve median {np.median(all_s):.3f} s, worst {max(all_s):.3f} s; "
            f"exact check median {np.median(all_c):.3f} s, worst {max(all_c):.3f} s ({load()})"
        )
    else:
        print(f"  level 2 not needed ({load()})")


def compare_check() -> None:
    """Exact check of one dA = 4 level-2 certificate: congruence vs LDLᵀ, same certificate."""
    from weingarten_check.delta.sdp.exact_form import ExactForm, exact_form_from_k
    from weingarten_check.delta.sdp.level2 import certify_level2, level1_multipliers, solve_level2, verify_level2

    print(f"\n== 4. exact check of a dA = 4 level-2 certificate (136 x 136 complex) ({load()}) ==")
    K = sample_k("qae", "both", 5, 2, (0, 1), 17)
    M = -form_from_k(K, 4)
    E0 = exact_form_from_k(K, 4)
    E = ExactForm(-E0.re, -E0.im, E0.exponent, E0.err, 4)
    s1 = solve_level1(M)
    sol = solve_level2(M, level1_multipliers(s1.A, s1.B, 4))
    cert = certify_level2(E, M, sol)
    t0 = time.perf_counter()
    ok_c = verify_level2(E, cert, method="congruence")
    t_c = time.perf_counter() - t0
    t0 = time.perf_counter()
    ok_l = verify_level2(E, cert, method="ldl")
    t_l = time.perf_counter() - t0
    print(
        f"congruence: {ok_c} in {t_c:.2f} s; LDLᵀ (Bareiss, 272 x 272): {ok_l} in {t_l:.1f} s; "
        f"ratio {t_l / t_c:.0f}x ({load()})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer samples")
    ap.add_argument("--dA9", action="store_true", help="also dA = 9 (minutes)")
    ap.add_argument("--samples3", type=int, default=None, help="samples per dA = 3 row (default 20)")
    ap.add_argument("--samples4", type=int, default=None, help="samples per dA = 4 row (default 6)")
    ap.add_argument("--compare-check", action="store_true", help="congruence vs LDLᵀ check (~1 min)")
    a = ap.parse_args()
    bench_solvers(a.quick)
    bench_delta(3, a.samples3 or (4 if a.quick else 20))
    bench_delta(4, a.samples4 or (2 if a.quick else 6))
    if a.dA9:
        bench_delta(9, 1 if a.quick else 2)
    if a.compare_check:
        compare_check()


if __name__ == "__main__":
    main()
