"""E[Δ] over independent samples of one configuration, with its 95 % CI and every applicable bound.

:func:`estimate_variation_range` draws ``samples`` instances (:mod:`.instances`) with the project's one
seeding rule (:func:`.tasks.sample_rng`), so sample s equals sample s of a sweep with the same seed,
and puts the mean next to the bounds of :func:`.tasks.bounds_for` (upper, Lemmas 5-9 of
proofs/DERIVATION.md) and :func:`.tasks.lower_bounds_for` (lower, Lemma 11).

:func:`estimate_k_frobenius_sq` is the Monte Carlo of the second moment itself: ``E||K||_F²`` (for the
fidelity task ``E||M||_F²``) over exact statevector samples of any ensemble, next to its exact
2-design value (Lemma 9), and the bound ``2 sqrt(r) sqrt(E||K||_F²)`` on E[Δ] it gives for any
ensemble (Lemma 9.1).  Sample s is seeded as sample s of a sweep, so its K is that sweep sample's K.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES
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

__all__ = ["VariationRangeEstimate", "estimate_variation_range", "KFrobeniusEstimate", "estimate_k_frobenius_sq"]


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
    config_entropy(task, ensemble, case, q, site, sites, layers))``, so each value is reproducible on its
    own and equals sample s of a sweep with the same seed (for A = ``sites`` consecutive: the sweep of
    ``RunConfig(..., site=sites[0], m=len(sites), seed=seed, layers=layers)``); every sample runs with BLAS pinned to
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
        Depth of a ``"hea"`` or ``"brickwork"`` circuit (default 10 n; None is a stream of its own,
        as in :class:`~weingarten_check.experiments.tasks.RunConfig`).
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
    config = config_entropy(task, ensemble, case, q, spec.sites[0], spec.sites, layers)
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
    L = (10 * n if layers is None else layers) if ensemble in FINITE_DEPTH_ENSEMBLES else None
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


@dataclass
class KFrobeniusEstimate:
    """A sampled ``E||K||_F²`` (``E||M||_F²`` for the fidelity task), its 95 % CI and the 2-design value.

    Sampled, not exact: ``mean`` is the average of ``||K||_F²`` over ``samples`` independent exact
    statevector draws, ``ci95`` the normal-approximation interval ``mean ± 1.96 stderr``.

    Attributes
    ----------
    task, ensemble, case : str
    n, q, site, m, samples, seed : int
    layers : int or None
        The depth drawn (10 n when the finite-depth ensemble's default was asked for); None for
        ensembles without depth.
    mean, stderr : float
    ci95 : tuple of float
    two_design : sympy.Expr or float
        The value for a unitary 2-design (Lemma 9 of proofs/DERIVATION.md): exact (a sympy Rational)
        for VQE (any site, the ring is translation invariant), QAE at site 0 and QSL (``dA / d``,
        Lemma 7.3); otherwise the float of Lemma 4 from the task's couplings.
    seconds : float
        Wall time of the sampling.
    values : numpy.ndarray
        The per-sample ``||K||_F²``.

    Examples
    --------
    >>> e = estimate_k_frobenius_sq("vqe", "haar", "v1", n=4, samples=50, seed=1)
    >>> e.two_design, e.ci95[0] < e.mean < e.ci95[1], e.layers
    (18/17, True, None)
    """

    task: str
    ensemble: str
    case: str
    n: int
    q: int
    site: int
    m: int
    samples: int
    seed: int
    layers: int | None
    mean: float
    stderr: float
    ci95: tuple[float, float]
    two_design: Any
    seconds: float = 0.0
    values: np.ndarray = field(default=None, repr=False)

    @property
    def ratio(self) -> float:
        """``mean / two_design``."""
        return self.mean / float(self.two_design)

    @property
    def ratio_ci95(self) -> tuple[float, float]:
        """The 95 % CI of :attr:`ratio` (the CI of the mean over the exact 2-design value)."""
        t = float(self.two_design)
        return (self.ci95[0] / t, self.ci95[1] / t)

    @property
    def relative_half_width(self) -> float:
        """Half-width of the 95 % CI over the mean (``1.96 stderr / mean``; NaN when the mean is 0)."""
        return 1.96 * self.stderr / self.mean if self.mean else math.nan

    def within(self, tol: float = 0.01) -> bool | None:
        """Whether ``E||K||_F²`` is within ``tol`` (relative) of the 2-design value, as the CI decides.

        True if the ratio's 95 % CI lies inside ``[1 - tol, 1 + tol]``, False if it lies entirely
        outside, None if the CI straddles an end (undecided at this sample size).

        Examples
        --------
        >>> e = KFrobeniusEstimate("vqe", "hea", "v1", 6, 2, 0, 1, 10, 0, 60, 1.05, 0.001, (1.048, 1.052), 1)
        >>> e.within(0.01), e.within(0.1)
        (False, True)
        """
        lo, hi = self.ratio_ci95
        if 1 - tol <= lo and hi <= 1 + tol:
            return True
        if hi < 1 - tol or lo > 1 + tol:
            return False
        return None

    def delta_bound(self) -> float:
        """The bound ``2 sqrt(r) sqrt(E||K||_F²)`` on E[Δ] at the sampled mean (Lemma 9.1; ``r`` =
        :func:`~weingarten_check.theory.bounds.nuclear_to_frobenius_factor`), for a Hamiltonian task.

        For the fidelity task ``E[Δ] = E||M||_1² <= dA E||M||_F²`` (Lemma 7.3) is returned instead.
        """
        from ..theory.bounds import nuclear_to_frobenius_factor

        if self.task == "qsl":
            return float(self.q**self.m * self.mean)
        r = float(nuclear_to_frobenius_factor(self.m, self.q))
        return 2.0 * math.sqrt(r) * math.sqrt(self.mean)

    def as_dict(self) -> dict[str, Any]:
        """The estimate as JSON-ready fields (``two_design`` as an exact string and a float)."""
        return {
            "task": self.task,
            "ensemble": self.ensemble,
            "case": self.case,
            "n": self.n,
            "q": self.q,
            "site": self.site,
            "m": self.m,
            "layers": self.layers,
            "samples": self.samples,
            "seed": self.seed,
            "sampled": True,
            "mean": self.mean,
            "stderr": self.stderr,
            "ci95": list(self.ci95),
            "relative_half_width": self.relative_half_width,
            "two_design": str(self.two_design),
            "two_design_float": float(self.two_design),
            "ratio": self.ratio,
            "ratio_ci95": list(self.ratio_ci95),
            "within_1pct": self.within(0.01),
            "seconds": round(self.seconds, 3),
        }


def _two_design_value(spec, case: str) -> Any:
    """Lemma 9's ``E||K||_F²`` (Lemma 7.3's ``E||M||_F²``) of ``spec`` for a unitary 2-design."""
    import sympy as sp

    from ..theory import bounds as theory_bounds
    from ..theory.task_moments import expected_K_frobenius_sq_task

    if spec.fidelity:
        return theory_bounds.expected_M_frobenius_sq(spec.n, spec.m, spec.q)
    if spec.m == 1 and ((spec.task == "vqe" and spec.n >= 3) or (spec.task == "qae" and spec.sites == (0,))):
        # the ring is translation invariant: every site has site 0's value
        return expected_K_frobenius_sq_task(spec.task, case, spec.n, 1, spec.q)
    value = theory_bounds.expected_K_frobenius_sq(
        case,
        spec.n,
        spec.m,
        spec.q,
        coupling=spec.coupling,
        purity=1,
        state_coupling=spec.state_coupling,
        h_hs_centered=spec.h_hs_centered,
    )
    return float(sp.N(value))


def _k_frobenius_block(job: tuple) -> tuple[int, np.ndarray]:
    """``||K||_F²`` (``||M||_F²``) of the samples ``start .. stop - 1`` of one configuration (runs in a worker)."""
    from ..util.blas_threads import BLAS_PIN as pin
    from .instances import sample_cost_matrices

    task, ensemble, case, n, q, sites, layers, seed, config, start, stop = job
    pin.ensure()
    spec = task_spec(task, n, q, sites=sites)
    out = np.empty(stop - start)
    for i, s in enumerate(range(start, stop)):
        mats = sample_cost_matrices(spec, ensemble, case, sample_rng(seed, n, s, config), layers=layers)
        X = mats.M if mats.M is not None else mats.K
        out[i] = float(np.vdot(X, X).real)
    return start, out


def estimate_k_frobenius_sq(
    task: str = "vqe",
    ensemble: str = "hea",
    case: str = "v1",
    n: int = 6,
    q: int = 2,
    samples: int = 1000,
    seed: int = 0,
    site: int = 0,
    *,
    sites: Sequence[int] | None = None,
    layers: int | None = None,
    workers: int = 1,
    block: int = 250,
    first: int = 0,
) -> KFrobeniusEstimate:
    """Monte Carlo ``E||K||_F²`` (``E||M||_F²`` for ``"qsl"``) with exact statevectors, no optimisation.

    Each sample draws V1/V2 as ``case`` says from ``ensemble`` and reduces the instance to K (Lemma 3.1
    of proofs/DERIVATION.md) or M (Lemma 7.1) with the library's reduction
    (:func:`~weingarten_check.experiments.instances.sample_cost_matrices`, which uses
    :mod:`weingarten_check.delta.reduction`); the mean of ``||K||_F²`` estimates the second moment that
    Lemma 9 evaluates exactly for a 2-design (:attr:`KFrobeniusEstimate.two_design`).  Sample s uses
    :func:`~weingarten_check.experiments.tasks.sample_rng` ``(seed, n, s, config_entropy(..., layers))``:
    its K is the K of sample s of a sweep with the same configuration, whatever ``workers`` is.

    Parameters
    ----------
    task, ensemble, case : str
        The configuration's names.
    n, q : int
        Number of sites and local dimension.
    samples : int, default 1000
        Number of samples (>= 2).
    seed : int, default 0
        Base seed (>= 0).
    site : int, default 0
        The site of A when ``sites`` is not given.
    sites : sequence of int, optional
        The sites of A.
    layers : int, optional
        Depth of a ``"hea"`` or ``"brickwork"`` circuit (default 10 n, its own random stream).
    workers : int, default 1
        Local worker processes (values do not depend on it).
    block : int, default 250
        Samples per job handed to a worker.
    first : int, default 0
        Index of the first sample: the samples are ``first .. first + samples - 1`` (a run continued
        in rounds draws the samples an uninterrupted one would).

    Returns
    -------
    KFrobeniusEstimate

    Raises
    ------
    ValueError
        For an unknown name, a number out of range, bad sites, the Clifford ensemble with q != 2 or
        ``layers`` for an ensemble without depth.
    TypeError
        If a number is not an integer.

    Examples
    --------
    >>> e = estimate_k_frobenius_sq("vqe", "brickwork", "v1", n=4, samples=20, seed=0, layers=2)
    >>> e.samples, e.layers, e.values.shape, bool(e.stderr > 0)
    (20, 2, (20,), True)
    """
    from .executors import make_executor

    t0 = time.perf_counter()
    samples = check_int(samples, "samples", 2)
    seed = check_int(seed, "seed", 0)
    workers = check_int(workers, "workers", 1)
    block = check_int(block, "block", 1)
    first = check_int(first, "first", 0)
    spec = task_spec(task, n, q, site, sites)
    ensemble = check_choice(ensemble, "ensemble", ENSEMBLES)
    case = check_choice(case, "case", CASES)
    check_ensemble_q(ensemble, spec.q)
    if layers is not None:
        layers = check_int(layers, "layers", 0)
        if ensemble not in FINITE_DEPTH_ENSEMBLES:
            raise ValueError(
                f"layers is only for the finite-depth ensembles {', '.join(FINITE_DEPTH_ENSEMBLES)}; "
                f"ensemble {ensemble!r} has no depth"
            )
    config = config_entropy(task, ensemble, case, q, spec.sites[0], spec.sites, layers)
    jobs = [
        (task, ensemble, case, spec.n, spec.q, spec.sites, layers, seed, config, a, min(a + block, first + samples))
        for a in range(first, first + samples, block)
    ]
    values = np.empty(samples)
    executor = make_executor(workers)
    try:
        with BLAS_PIN.driver():
            for start, vals in executor.map_unordered(_k_frobenius_block, jobs):
                values[start - first : start - first + len(vals)] = vals
    finally:
        executor.close()
    mean, se, ci = mean_ci95(values)
    L = (10 * spec.n if layers is None else layers) if ensemble in FINITE_DEPTH_ENSEMBLES else None
    return KFrobeniusEstimate(
        task,
        ensemble,
        case,
        spec.n,
        spec.q,
        spec.sites[0],
        spec.m,
        samples,
        seed,
        L,
        mean,
        se,
        ci,
        _two_design_value(spec, case),
        time.perf_counter() - t0,
        values,
    )
