"""Scale benchmark: one exact-Haar Δ sample against drawing the Haar state.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--quick] [--big] [--threads N]``

Every row runs in a fresh subprocess (so its peak RSS, ``ru_maxrss``, is its own) that first times
``haar_state(q^n)`` and then one Δ sample of
:func:`weingarten_check.experiments.instances.variation_range_sample_result` (Heisenberg VQE, A = site 0,
exact Haar; best of two draws, a different seed for each); it prints both times and their ratio side by side,
so the ratio stays meaningful on a loaded machine.

* v1 (V1 Haar, V2 = I) at n = 22, 24, 26 (``--big``: also 28), reduced path; goal ratio <= 2.
* the same with the old dense path (``path="dense"``, H applied to the dA² full vectors) at n = 22.
* v2 and both at n = 24 (Haar isometry with dA·r columns); goal ratio <= 10.
* ``--big``: n = 28 qubits (2^28 amplitudes, 4 GiB) and n = 17 qutrits (3^17, 2 GiB), v1, one
  sample each; goal <= 15 s.  Peak RSS ~ 4.3 GiB resp. 2.2 GiB; never run in the test suite.
* ``--quick``: n = 20, 22 only (a smoke run, ~1 min).

Threads: ``--threads`` sets OMP/OPENBLAS/MKL threads in the subprocesses (default 2, the
machine's 2 cores; the chunked passes are single-threaded numpy; with 2 or more threads the Haar-V2 route draws
its Ginibre blocks in a second thread while the previous block is reduced, bit-identical to one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def one(task: str, case: str, n: int, q: int, path: str, seed: int) -> dict:
    """Runs inside the subprocess: time haar_state, then one Δ sample; report peak RSS."""
    import resource

    import numpy as np

    from weingarten_check.experiments import task_spec, variation_range_sample_result
    from weingarten_check.states.sampling import haar_state

    spec = task_spec(task, n, q)
    t_state = float("inf")
    for rep in range(2):  # best of two: the first also pays for mapping fresh pages
        t0 = time.perf_counter()
        psi = haar_state(q**n, np.random.default_rng(seed + 1 + rep))
        t_state = min(t_state, time.perf_counter() - t0)
        del psi
    t0 = time.perf_counter()
    res = variation_range_sample_result(spec, "haar", case, np.random.default_rng(seed), path=path)
    t_sample = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    return {
        "task": task,
        "case": case,
        "n": n,
        "q": q,
        "path": path,
        "t_state": t_state,
        "t_sample": t_sample,
        "ratio": t_sample / t_state,
        "value": res.value,
        "upper": res.upper,
        "peak_rss_gib": rss / 2**30,
        "state_gib": 16 * q**n / 2**30,
    }


def run_child(args: tuple, threads: int, timeout: float) -> dict:
    env = dict(os.environ)
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[v] = str(threads)
    cmd = [sys.executable, __file__, "--child", json.dumps(args)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--big", action="store_true", help="add n = 28 qubits and n = 17 qutrits (up to ~5 GiB)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(one(*json.loads(a.child))))
        return
    rows = []
    if a.quick:
        plan = [("vqe", "v1", n, 2, "reduced", 0) for n in (20, 22)] + [("vqe", "v1", 20, 2, "dense", 0)]
        plan += [("vqe", "both", 20, 2, "reduced", 0)]
    else:
        plan = [("vqe", "v1", n, 2, "reduced", 0) for n in (22, 24, 26)]
        plan += [("vqe", "v1", 22, 2, "dense", 0)]
        plan += [("vqe", c, 24, 2, "reduced", 0) for c in ("v2", "both")]
        plan += [("qae", "v1", 24, 2, "reduced", 0), ("qsl", "both", 24, 2, "reduced", 0)]
    if a.big:
        plan += [("vqe", "v1", 28, 2, "reduced", 0), ("vqe", "v1", 17, 3, "reduced", 0)]
    load = os.getloadavg()
    print(
        f"# bench_scale  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  threads={a.threads}  "
        f"load avg {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}  cpus={os.cpu_count()}"
    )
    print(
        f"{'task':4} {'case':4} {'q':>2} {'n':>3} {'path':7} {'state GiB':>9} {'t_state s':>9} "
        f"{'t_sample s':>10} {'ratio':>7} {'peak RSS GiB':>12}"
    )
    for args in plan:
        r = run_child(args, a.threads, timeout=1800)
        rows.append(r)
        print(
            f"{r['task']:4} {r['case']:4} {r['q']:>2} {r['n']:>3} {r['path']:7} {r['state_gib']:>9.3f} "
            f"{r['t_state']:>9.3f} {r['t_sample']:>10.3f} {r['ratio']:>7.2f} {r['peak_rss_gib']:>12.2f}",
            flush=True,
        )
    dense = [r for r in rows if r["path"] == "dense"]
    for r in dense:
        red = next(
            (
                x
                for x in rows
                if x["path"] == "reduced"
                and (x["task"], x["case"], x["n"], x["q"]) == (r["task"], r["case"], r["n"], r["q"])
            ),
            None,
        )
        if red:
            print(
                f"dense/reduced at {r['task']} {r['case']} n={r['n']}: time {r['t_sample'] / red['t_sample']:.0f}x, "
                f"peak RSS {r['peak_rss_gib'] / red['peak_rss_gib']:.1f}x; same Δ: "
                f"{abs(r['value'] - red['value']) < 1e-10 * max(1.0, r['value'])}"
            )
    load = os.getloadavg()
    print(f"# load avg at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
