"""Sampled E||K||_F² of the paper's HEA at its depth L = 10 n, against the 2-design value 18/(d+1).

    .venv/bin/python docs/hea_k_frobenius.py [--n 6-12] [--workers 2] [--out docs/hea_k_frobenius.json]
    .venv/bin/python docs/hea_k_frobenius.py --n 6-6 --stop-z 0 --out docs/hea_k_frobenius_n6.json

VQE (Heisenberg ring, Eq. 9), input |0…0>, A = site 0, V1 from the paper's hardware-efficient ansatz
(``hea``, 10 n layers), V2 = I.  Monte Carlo with exact statevectors
(``experiments.estimate_k_frobenius_sq``; the project's seeding rule, seed 0), SAMPLED, not exact.
Samples are drawn in rounds of ``ROUND`` per n, all n in one round before the next, until the 95 % CI
half-width is at most ``TARGET`` of the mean, or the wider ``STOP_Z`` interval (which pays for looking
after every round) lies entirely inside or entirely outside 1 ± 1 % of the 2-design value, or
``MAX_SAMPLES`` are drawn.  The JSON is rewritten after every round (a stopped run keeps what it
finished), and holds for each n the mean, standard error,
95 % CI, samples, seed, seconds, the exact 2-design value (Lemma 9.2, from theory.task_moments), the
ratio with its CI, whether the CI puts E||K||_F² within 1 % of the 2-design value (true / false /
null = undecided), and the first ``CHECK`` per-sample values (tests/test_estimate.py recomputes them).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import time
from pathlib import Path

import numpy as np

from weingarten_check.experiments.estimate import KFrobeniusEstimate, estimate_k_frobenius_sq
from weingarten_check.experiments.statistics import mean_ci95

#: the configuration (the paper's VQE with its HEA, the 2-design case V1 random)
TASK, ENSEMBLE, CASE, SITE, SEED = "vqe", "hea", "v1", 0, 0
#: samples per round and per n, the stopping half-width (relative) and the cap
ROUND, TARGET, MAX_SAMPLES = 2_500, 0.005, 40_000
#: the z of the stopping decision (two-sided 99.5 %: the 95 % CI's coverage, shared among up to 10 looks)
STOP_Z = 2.81
#: the per-sample values kept in the JSON for the reproducibility test
CHECK = 5


def merge(parts: list[KFrobeniusEstimate]) -> KFrobeniusEstimate:
    """One estimate from consecutive rounds (samples ``0 .. N-1`` in order)."""
    values = np.concatenate([p.values for p in parts])
    mean, se, ci = mean_ci95(values)
    return dataclasses.replace(
        parts[0],
        samples=len(values),
        mean=mean,
        stderr=se,
        ci95=ci,
        values=values,
        seconds=sum(p.seconds for p in parts),
    )


def decided(est: KFrobeniusEstimate, tol: float = 0.01, stop_z: float = STOP_Z) -> bool:
    """Whether ``mean ± stop_z stderr`` (over the 2-design value) lies inside or outside ``1 ± tol``
    (never, for ``stop_z = 0``: then only the target half-width or the cap stops)."""
    if stop_z <= 0:
        return False
    t = float(est.two_design)
    lo, hi = (est.mean - stop_z * est.stderr) / t, (est.mean + stop_z * est.stderr) / t
    return (1 - tol <= lo and hi <= 1 + tol) or hi < 1 - tol or lo > 1 + tol


def done(parts: list[KFrobeniusEstimate], target: float, max_samples: int, stop_z: float = STOP_Z) -> bool:
    """Stop drawing for this n (the rule of the module docstring)."""
    if not parts:
        return False
    e = merge(parts)
    return e.relative_half_width <= target or decided(e, stop_z=stop_z) or e.samples >= max_samples


def point(est: KFrobeniusEstimate) -> dict:
    """The JSON entry of one n."""
    return est.as_dict() | {"first_values": [float(v) for v in est.values[:CHECK]]}


def run(
    ns,
    workers: int = 1,
    out: Path | None = None,
    round_size: int = ROUND,
    target: float = TARGET,
    max_samples: int = MAX_SAMPLES,
    stop_z: float = STOP_Z,
) -> dict:
    """Run the rounds for every n in ``ns``; returns (and writes to ``out``) the JSON payload."""
    parts: dict[int, list[KFrobeniusEstimate]] = {n: [] for n in ns}
    t0 = time.perf_counter()
    payload: dict = {}
    while True:
        todo = [n for n in ns if not done(parts[n], target, max_samples, stop_z)]
        if not todo:
            break
        for n in todo:
            first = sum(p.samples for p in parts[n])
            size = min(round_size, max_samples - first)
            parts[n].append(
                estimate_k_frobenius_sq(
                    TASK, ENSEMBLE, CASE, n=n, samples=size, seed=SEED, site=SITE, workers=workers, first=first
                )
            )
            payload = {
                "what": "SAMPLED (Monte Carlo, exact statevectors) E||K||_F^2 of VQE with V1 = the paper's HEA at "
                "L = 10 n, V2 = I, A = site 0, input |0...0>, versus the exact 2-design value 18/(d+1) (Lemma 9.2)",
                "task": TASK,
                "ensemble": ENSEMBLE,
                "case": CASE,
                "site": SITE,
                "seed": SEED,
                "round": round_size,
                "target_relative_half_width": target,
                "max_samples": max_samples,
                "stop_z": stop_z,
                "workers": workers,
                "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
                "total_seconds": round(time.perf_counter() - t0, 1),
                "points": [point(merge(parts[m])) for m in ns if parts[m]],
            }
            if out is not None:
                out.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n")
            e = merge(parts[n])
            print(
                f"n={n:2d} samples={e.samples:6d} mean={e.mean:.6g} ±{e.relative_half_width:.2%} "
                f"ratio={e.ratio:.4f} CI=[{e.ratio_ci95[0]:.4f}, {e.ratio_ci95[1]:.4f}] "
                f"within1%={e.within(0.01)} {e.seconds:.0f}s",
                flush=True,
            )
    return payload


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="6-12", help="range lo-hi (inclusive)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", default=str(Path(__file__).with_name("hea_k_frobenius.json")))
    ap.add_argument("--stop-z", type=float, default=STOP_Z, help="0: no early decision, only the target or the cap")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.n.split("-"))
    run(list(range(lo, hi + 1)), workers=args.workers, out=Path(args.out), stop_z=args.stop_z)


if __name__ == "__main__":
    assert math.isfinite(TARGET)
    main()
