"""Appendix D reproduced: sampled E[Δ] versus the depth L of the hea and brickwork circuits (docs/depth.png).

    .venv/bin/python docs/depth_figure.py [--n 4,6,8,10,12] [--samples 200] [--reuse docs/depth.json]

VQE (Heisenberg ring, Eq. 9), input |0…0>, A = site 0, V1 from the finite-depth ensemble, V2 = I.  For each
n and L: E[Δ] over ``samples`` draws (exact Δ = 2(σ1 + σ2) per sample, Lemma 3.2;
``experiments.estimate_variation_range``) with its 95 % CI, and the sampled second moment E||K||_F²(L)
(``experiments.estimate_k_frobenius_sq``, the same circuits: one seeding rule) giving the bound
2√2 √E||K||_F²(L) (Lemma 9.1).  Next to them: the exact finite-depth bound from
``theory.finite_depth.finite_depth_moment`` where that module exists and the point is cheap (brickwork any
n; hea n <= 4), the 2-design bound 12/√(d+1) = 2√2 √(18/(d+1)) (Lemma 9.2,
``theory.bounds.expected_delta_upper_bound``) and the sampled E[Δ] of exact Haar V1.  Seed 0.  Writes
docs/depth.json (every plotted number, with the time taken) and docs/depth.png
(``reporting.figures.plot_depth``).  ``--reuse FILE`` keeps the sampled numbers of an earlier run with the
same n, samples and seed and recomputes only the exact bounds (and the figure).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from weingarten_check.experiments.estimate import estimate_k_frobenius_sq, estimate_variation_range
from weingarten_check.reporting.figures import plot_depth
from weingarten_check.theory.bounds import expected_delta_upper_bound

try:  # the exact finite-depth engine (a module of its own); the figure is drawn without it if absent
    from weingarten_check.theory.finite_depth import finite_depth_moment
except ImportError:  # pragma: no cover - depends on the installed version
    finite_depth_moment = None

HERE = Path(__file__).parent
SEED = 0
#: the depths drawn (those up to LMAX_PER_SITE[ensemble] · n)
LAYERS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
LMAX_PER_SITE = {"hea": 12, "brickwork": 6}
#: the exact engine is asked only where it is fast
EXACT_HEA_MAX_N = 4


def exact_bound(ensemble: str, n: int, layers: int) -> float | None:
    """2√2 √E||K||_F²(L) from the exact engine, or None where it is absent or too slow."""
    if finite_depth_moment is None or (ensemble == "hea" and n > EXACT_HEA_MAX_N):
        return None
    try:
        return float(finite_depth_moment("vqe", "v1", ensemble, n, layers=layers).delta_bound)
    except (ValueError, NotImplementedError):
        return None


def add_exact(data: dict) -> dict:
    """``data`` with every point's ``exact_bound`` recomputed (the sampled numbers are kept)."""
    t0 = time.perf_counter()
    for p in data["points"]:
        p["exact_bound"] = exact_bound(p["ensemble"], p["n"], p["layers"])
    data["exact_engine"] = finite_depth_moment is not None
    data["exact_seconds"] = round(time.perf_counter() - t0, 1)
    return data


def run(ns, samples: int) -> dict:
    t0 = time.perf_counter()
    points, haar = [], []
    for n in ns:
        h = estimate_variation_range("vqe", "haar", "v1", n=n, samples=samples, seed=SEED)
        haar.append(
            {
                "n": n,
                "mean": h.mean,
                "ci95": list(h.ci95),
                "samples": samples,
                "two_design_bound": float(expected_delta_upper_bound("vqe", "v1", n)),
            }
        )
        for ensemble, per_site in LMAX_PER_SITE.items():
            for L in (x for x in LAYERS if x <= per_site * n):
                t1 = time.perf_counter()
                d = estimate_variation_range("vqe", ensemble, "v1", n=n, samples=samples, seed=SEED, layers=L)
                k = estimate_k_frobenius_sq("vqe", ensemble, "v1", n=n, samples=samples, seed=SEED, layers=L)
                points.append(
                    {
                        "ensemble": ensemble,
                        "n": n,
                        "layers": L,
                        "samples": samples,
                        "mean": d.mean,
                        "stderr": d.stderr,
                        "ci95": list(d.ci95),
                        "k2_mean": k.mean,
                        "k2_ci95": list(k.ci95),
                        "k2_two_design": str(k.two_design),
                        "k2_bound": k.delta_bound(),
                        "exact_bound": exact_bound(ensemble, n, L),
                        "seconds": round(time.perf_counter() - t1, 2),
                    }
                )
                print(
                    f"{ensemble:9} n={n:2d} L={L:3d} E[Δ]={d.mean:.4g} bound(sampled)={k.delta_bound():.4g}", flush=True
                )
    return {
        "what": "SAMPLED E[Δ] (exact Δ per sample) and SAMPLED 2√2 √E||K||_F² versus depth L; VQE, V1 random, "
        "V2 = I, A = site 0, input |0...0>; exact_bound from theory.finite_depth where available (null otherwise)",
        "seed": SEED,
        "samples": samples,
        "exact_engine": finite_depth_moment is not None,
        "seconds": round(time.perf_counter() - t0, 1),
        "haar": haar,
        "points": points,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="4,6,8,10,12")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--out", default=str(HERE / "depth"))
    ap.add_argument("--reuse", metavar="FILE", help="keep the sampled numbers of this earlier output")
    args = ap.parse_args()
    ns = [int(x) for x in args.n.split(",")]
    if args.reuse:
        data = json.loads(Path(args.reuse).read_text())
        if sorted({p["n"] for p in data["haar"]}) != sorted(ns) or (data["samples"], data["seed"]) != (
            args.samples,
            SEED,
        ):
            raise SystemExit(f"--reuse: {args.reuse} was made with other n, samples or seed")
        data = add_exact(data)
    else:
        data = run(ns, args.samples)
    out = Path(args.out)
    out.with_suffix(".json").write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    plot_depth(data, out.with_suffix(".png"))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.png')} in {data['seconds']} s")


if __name__ == "__main__":
    assert math.isfinite(SEED)
    main()
