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
    """E[Δ] of one configuration at n sites: sample mean, standard error, 95 % CI and the bounds.

    The CI is the normal approximation ``mean ± 1.96 stderr``.  For bracketed Δ (``exact=False``,
    dA >= 3 and not the fidelity task) ``values`` are the certified lower ends and ``upper_values``
    the proved upper ends (Lemma 12 of proofs/DERIVATION.md, or ``2||K||_*`` where no certificate was
    proved, Lemma 3.3); ``upper_mean`` and ``upper_ci95`` likewise.  The configuration is kept as flat
    fields (not a :class:`~weingarten_check.experiments.tasks.RunConfig`) because an estimate may
    take any set of sites for A, not only consecutive ones.

    Attributes
    ----------
    task, ensemble, case : str
    n, q, samples, seed, m : int
    mean, stderr : float
    ci95 : tuple of float
    values : numpy.ndarray
        The per-sample Δ (lower ends for a bracket).
    bounds : dict of str to float
        The upper bounds that apply (:func:`~weingarten_check.experiments.tasks.bounds_for`).
    w : float
        The spectral width of H (NaN where not computable).
    exact : bool
    upper_values : numpy.ndarray
    upper_mean : float
    upper_ci95 : tuple of float
    layers : int or None
        Depth of the ``"hea"`` circuits (None for other ensembles).
    note : str
        Why some bounds are absent or approximate.
    seconds : float
    lower_bounds : dict of str to float
        The lower bounds that apply (:func:`~weingarten_check.experiments.tasks.lower_bounds_for`, Lemma 11).

    Examples
    --------
    >>> e = estimate_variation_range("vqe", "hea", "v2", n=4, samples=10, seed=0, layers=4)
    >>> e.values.shape, e.ci95[0] < e.mean < e.ci95[1], e.layers, e.lower_bounds, e.max_width
    ((10,), True, 4, {}, 0.0)
    """

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
        """Tightness: ``E[Δ] / bound`` for every bound > 0 (the mean of the upper ends if not exact)."""
        top = self.mean if self.exact else self.upper_mean
        return {k: top / v for k, v in self.bounds.items() if v > 0}

    @property
    def max_width(self) -> float:
        """Largest relative width ``(upper - lower)/upper`` of one sample's certified bracket (Lemma 12); 0 if exact."""
        if self.exact:
            return 0.0
        return float(max(((u - v) / u if u > 0 else 0.0) for v, u in zip(self.values, self.upper_values)))

    def below_all_bounds(self) -> bool:
        """True iff the upper end of the 95 % CI (of the upper ends' CI if not exact) is at or below every bound."""
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
    """E[Δ] over ``samples`` independent draws, with its 95 % CI and every bound that applies.

    Sample s uses :func:`~weingarten_check.experiments.tasks.sample_rng` ``(seed, n, s,
    config_entropy(task, ensemble, case, q, site, sites))``, so each value is reproducible on its own
    and equals sample s of a sweep with the same seed (for A = ``sites`` consecutive: the sweep of
    ``RunConfig(..., site=sites[0], m=len(sites), seed=seed)``); every sample runs with BLAS pinned to
    one thread, as in sweeps, so the values are bit-identical to theirs.  For example, VQE with a Haar
    V1 at n = 10 gives E[Δ] ≈ 0.33 against the task-dependent bound ``12/sqrt(d+1)`` ≈ 0.375 (Lemma 9
    of proofs/DERIVATION.md).

    Parameters
    ----------
    task, ensemble, case : str
        The configuration's names.
    n : int, default 6
        Number of sites.
    q : int, default 2
        Local dimension.
    samples : int, default 100
        Number of samples (>= 2: a CI needs two).
    seed : int, default 0
        Base seed (>= 0).
    site : int, default 0
        The site of A when ``sites`` is not given.
    sites : sequence of int, optional
        The sites of A.
    layers : int, optional
        Depth of a ``"hea"`` circuit (default 10 n).
    starts, level2
        Passed to :func:`~weingarten_check.experiments.instances.variation_range_sample_result`
        (dA >= 3: optimiser starts per side, and the level-2 certificate of Lemma 12.4 for loose
        brackets; off, brackets stay proved but wider).
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    VariationRangeEstimate

    Raises
    ------
    ValueError
        For an unknown name, a number out of range, bad sites or the Clifford ensemble with q != 2.
    TypeError
        If a number is not an integer.

    Examples
    --------
    >>> e = estimate_variation_range("qsl", "haar", "v1", n=4, samples=20, seed=0)
    >>> e.exact, round(e.mean, 6), e.bounds["proposition2"], e.below_all_bounds()
    (True, 0.108148, 0.25, True)
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
    L = (10 * n if layers is None else layers) if ensemble in ("hea", "real-hea") else None
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
