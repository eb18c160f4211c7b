"""Exact finite-depth E||K||_F² (Lemma 14) side by side with plain Monte Carlo at 1 % relative error.

Run: ``.venv/bin/python benchmarks/bench_finite_depth.py [--quick] [--pilot N]``

Points (VQE, Heisenberg ring, V1 random, V2 = I, A = site 0):

1. brickwork of Haar 2-qubit gates, n = 128, L = 12 and n = 40, L = 160 (exact rationals);
2. the paper's HEA, n = 5, every L = 1 … 60 in one pass (exact in Q(√2));
3. brickwork of Haar 2-qutrit gates (q = 3, the SU(3) ring), n = 64, L = 12, cases v1 and v2 (exact
   rationals, matrix-unit labels); Monte Carlo at n = 10 qutrits (same L), a lower bound as above.

Monte Carlo: exact statevector samples (the library's samplers, K from the reduced density matrix);
a pilot of N samples gives the time per sample t and the relative standard deviation r of ||K||_F²;
reaching a 1 % relative standard error needs ``(r / 0.01)²`` samples, i.e. ``t (r/0.01)²`` seconds.
At n = 40 and n = 128 a statevector has 2^40 / 2^128 amplitudes: plain Monte Carlo is impossible; the
line printed there is the Monte Carlo cost at the largest n a statevector allows here (n = 20, same L),
a LOWER bound on the cost at the real n.  Goals: brickwork n = 128, L = 12 <= 2 s; n = 40, L = 160
<= 10 s; HEA n = 5, L <= 60 <= 3 min.  The machine load is printed with the numbers.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from weingarten_check.circuits.ensembles import Circuit  # noqa: E402
from weingarten_check.experiments import instances  # noqa: E402
from weingarten_check.experiments.tasks import task_spec  # noqa: E402
from weingarten_check.states.sampling import haar_unitary  # noqa: E402
from weingarten_check.theory import finite_depth as fd  # noqa: E402


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def brickwork_circuit(n: int, q: int, rng, layers: int) -> Circuit:
    """The brickwork ensemble of Lemma 14 as a sampled circuit (layer 1 first on (0,1),(2,3),…)."""
    c = Circuit(n, q, name="brickwork")
    for ell in range(1, layers + 1):
        for i in range(0 if ell % 2 else 1, n - 1, 2):
            c.ops.append(("gate", (i, i + 1), haar_unitary(q * q, rng)))
    return c


def mc_cost(ensemble: str, n: int, L: int, pilot: int, seed: int = 16, q: int = 2) -> tuple[float, float, float, float]:
    """(seconds per sample, mean, relative sd, seconds to 1 % relative standard error) from a pilot."""
    orig = instances.sample_circuit
    if ensemble == "brickwork":
        instances.sample_circuit = lambda e, n_, q, g, lay: brickwork_circuit(n_, q, g, lay)
    try:
        spec = task_spec("vqe", n, q=q)
        rng = np.random.default_rng(seed)
        xs = []
        t0 = time.perf_counter()
        for _ in range(pilot):
            xs.append(float(np.sum(instances.sample_cost_matrices(spec, ensemble, "v1", rng, layers=L).K ** 2)))
        t = (time.perf_counter() - t0) / pilot
    finally:
        instances.sample_circuit = orig
    xs = np.array(xs)
    r = xs.std(ddof=1) / xs.mean()
    return t, xs.mean(), r, t * (r / 0.01) ** 2


def exact_time(fn) -> tuple[float, object]:
    fd.clear_caches()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="HEA n = 4 instead of 5, smaller pilots")
    ap.add_argument("--pilot", type=int, default=200, help="Monte Carlo pilot samples per point")
    a = ap.parse_args()
    pilot = 50 if a.quick else a.pilot
    print(load())
    for n, L in ((128, 12), (40, 160)):
        t, r = exact_time(lambda n=n, L=L: fd.finite_depth_moment("vqe", "v1", "brickwork", n, L))
        print(
            f"brickwork n={n} L={L}: exact {t:.3f} s  E||K||² = {float(r.value):.6g} (exact rational, "
            f"denominator {len(str(r.value.q))} digits)"
        )
        tm, mean, rel, t1 = mc_cost("brickwork", 20, L, pilot if L <= 20 else max(10, pilot // 10))
        print(
            f"  Monte Carlo: 2^{n} amplitudes, impossible; at n=20 (same L) {tm:.3f} s/sample, rel sd {rel:.2f} "
            f"-> {t1:.0f} s to 1 % (lower bound); ratio MC/exact >= {t1 / t:.0f}"
        )
    for case in ("v1", "v2"):
        t, r = exact_time(lambda case=case: fd.finite_depth_moment("vqe", case, "brickwork", 64, 12, q=3))
        print(f"brickwork q=3 n=64 L=12 {case}: exact {t:.3f} s  E||K||² = {float(r.value):.6g} (exact rational)")
    tm, mean, rel, t1 = mc_cost("brickwork", 10, 12, max(10, pilot // 4), q=3)
    print(
        f"  Monte Carlo: 3^64 amplitudes, impossible; at n=10 qutrits (L=12) {tm:.3f} s/sample, rel sd {rel:.2f} "
        f"-> {t1:.0f} s to 1 % (lower bound)"
    )
    n_hea = 4 if a.quick else 5
    t, series = exact_time(lambda: fd.finite_depth_series("vqe", "v1", "hea", n_hea, 60))
    h = fd.two_design_value("vqe", "v1", n_hea)
    print(
        f"hea n={n_hea} L=1..60: exact (one pass, Q(sqrt 2)) {t:.1f} s; E||K||²/Haar at L=10n: "
        f"{float(series[10 * n_hea - 1] / h):.5f}, at L=60: {float(series[59] / h):.5f}"
    )
    total = 0.0
    for L in (1, 10, 30, 60):
        tm, mean, rel, t1 = mc_cost("hea", n_hea, L, pilot)
        print(
            f"  Monte Carlo L={L}: {tm * 1e3:.2f} ms/sample, mean {mean:.4f} (exact {float(series[L - 1]):.4f}), "
            f"rel sd {rel:.2f} -> {t1:.1f} s to 1 %"
        )
        total += t1
    est = total / 4 * 60
    print(
        f"  Monte Carlo, all 60 depths at 1 % (mean of the 4 points x 60): ~{est:.0f} s; ratio MC/exact {est / t:.1f}"
    )
    print(load())


if __name__ == "__main__":
    main()
