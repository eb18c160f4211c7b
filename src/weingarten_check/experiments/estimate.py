"""E[Δ] over independent samples of one configuration, with its 95 % CI and every applicable bound.

:func:`estimate_variation_range` draws ``samples`` instances (:mod:`.instances`) with the project's one
seeding rule (:func:`.tasks.sample_rng`), so sample s equals sample s of a sweep with the same seed,
and puts the mean next to the bounds of :func:`.tasks.bounds_for` (upper, Lemmas 5-9 of
proofs/DERIVATION.md) and :func:`.tasks.lower_bounds_for` (lower, Lemma 11).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..util.blas_threads import BLAS_PIN
from ..util.checks import check_choice, check_int
from .instances import variation_range_sample_result
from .statistics import mean_ci95
from .tasks import (
    CASES,
    ENSEMBLES,
    bounds_for,
    check_ensemble_q,
    config_entropy,
    lower_bounds_for,
    sample_rng,
    task_spec,
)

__all__ = ["VariationRangeEstimate", "estimate_variation_range"]


@dataclass
class VariationRangeEstimate:
    """Sample mean of Δ with its standard error and 95% CI (normal approximation,
    ``mean ± 1.96 stderr``), the per-sample values, the bounds (dict name -> float, unnormalised)
    and the spectral width w.  For bracketed Δ (``exact=False``) ``values`` are the certified
    lower ends and ``upper_values`` the proved upper ends (Lemma 12, or ``2||K||_*`` where no
    certificate was proved); ``upper_mean`` etc. likewise."""

    task: str
    ensemble: str
    case: str
    n: int
    q: int
    samples: int
    seed: int
    m: int
    mean: float
    stderr: float
    ci95: tuple[float, float]
    values: np.ndarray = field(repr=False)
    bounds: dict[str, float] = field(default_factory=dict)
    w: float = float("nan")
    exact: bool = True
    upper_values: np.ndarray = field(default=None, repr=False)
    upper_mean: float = float("nan")
    upper_ci95: tuple[float, float] = (float("nan"), float("nan"))
    layers: int | None = None
    note: str = ""
    seconds: float = 0.0
    lower_bounds: dict[str, float] = field(default_factory=dict)  # lower_bounds_for (Lemma 11)

    def ratios(self) -> dict[str, float]:
        """Tightness: ``E[Δ] / bound`` for every bound (upper end of the bracket if not exact)."""
        top = self.mean if self.exact else self.upper_mean
        return {k: top / v for k, v in self.bounds.items() if v > 0}

    @property
    def max_width(self) -> float:
        """Largest relative width ``(upper - lower)/upper`` of one sample's certified bracket
        (Lemma 12); 0 for exact Δ."""
        if self.exact:
            return 0.0
        return float(max(((u - v) / u if u > 0 else 0.0) for v, u in zip(self.values, self.upper_values)))

    def below_all_bounds(self) -> bool:
        """True iff the upper end of the 95% CI (of the bracket's upper end if not exact) lies
        below every bound."""
        top = self.ci95[1] if self.exact else self.upper_ci95[1]
        return all(top <= b for b in self.bounds.values())


def estimate_variation_range(
    task: str = "vqe",
    ensemble: str = "haar",
    case: str = "v1",
    n: int = 6,
    q: int = 2,
    samples: int = 100,
    seed: int = 0,
    site: int = 0,
    *,
    sites: Sequence[int] | None = None,
    layers: int | None = None,
    starts: int = 32,
    level2: bool = True,
    progress: bool = False,
) -> VariationRangeEstimate:
    """E[Δ] over ``samples`` independent draws (sample s uses :func:`sample_rng` ``(seed, n, s,
    config_entropy(task, ensemble, case, q, site, sites))``, so each value is reproducible on its own and
    equals sample s of a sweep with the same seed — for A = ``sites`` consecutive, a sweep with
    ``site = sites[0]``, ``m = len(sites)``), with the bounds of :func:`bounds_for`.  ``starts`` and
    ``level2`` go to :func:`variation_range_sample_result` (dA >= 3: optimiser starts per side, and
    the level-2 certificate of Lemma 12.4 for loose brackets; off, brackets stay proved but wider).

    Example: ``estimate_variation_range("vqe", "haar", "v1", n=10, samples=100)`` gives
    E[Δ] ≈ 0.33 against the task-dependent bound ``12/sqrt(d+1)`` ≈ 0.375.
    """
    t0 = time.perf_counter()
    samples = check_int(samples, "samples", 2)
    seed = check_int(seed, "seed", 0)
    spec = task_spec(task, n, q, site, sites)
    ensemble = check_choice(ensemble, "ensemble", ENSEMBLES)
    case = check_choice(case, "case", CASES)
    check_ensemble_q(ensemble, spec.q)
    config = config_entropy(task, ensemble, case, q, spec.sites[0], spec.sites)
    lows, ups = np.empty(samples), np.empty(samples)
    exact = True
    it = range(samples)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc=f"{task}/{ensemble}/{case} n={n} q={q}")
    with BLAS_PIN.driver():  # one BLAS thread per sample, as in sweeps: sample s is bit-identical to theirs
        for s in it:
            res = variation_range_sample_result(
                spec, ensemble, case, sample_rng(seed, n, s, config), layers=layers, starts=starts, level2=level2
            )
            lows[s], ups[s] = res.lower, res.upper
            exact &= res.exact
    bnds, note = bounds_for(spec, ensemble, case)
    mean, se, ci = mean_ci95(lows)
    umean, _, uci = mean_ci95(ups)
    L = (10 * n if layers is None else layers) if ensemble == "hea" else None
    lower = lower_bounds_for(spec, ensemble, case)
    return VariationRangeEstimate(
        task,
        ensemble,
        case,
        spec.n,
        spec.q,
        samples,
        seed,
        spec.m,
        mean,
        se,
        ci,
        lows,
        bnds,
        spec.w,
        exact,
        ups,
        umean,
        uci,
        L,
        note,
        time.perf_counter() - t0,
        lower,
    )
