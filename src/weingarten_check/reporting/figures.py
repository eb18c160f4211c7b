"""Figure 5 of the paper (and its qudit version) from sweep results.

Three panels, semi-log: (a) VQE with the Heisenberg ring (Eq. 9), (b) QAE with one site
discarded (Eq. 10), (c) QSL, fidelity with ``|0…0>`` (Eq. 11). Each panel shows the sample mean
of Δ/w(H) versus n for the three randomness cases (V1 a design and V2 = I; V1 = I and V2 a
design; both), with error bars, and the bounds as dashed lines:

* the paper's bounds as printed — Theorem 1 (Eq. 3, ``w / 2**(n/2 - 3m - 2)``, qubits only) in
  (a), (b) and Proposition 2 (Eq. 12, ``q**(2m - n)``) in (c);
* ours — the exact task-dependent bound of Lemma 9 (``2 sqrt(r) sqrt(E||K||_F²)``, one line per
  case) in (a), (b), and the qudit Theorem 1 ``w (q^(2m) - 1)/sqrt(q^n + 1)`` in every panel.

All bound values come from :mod:`weingarten_check.theory.bounds` through
:func:`weingarten_check.experiments.estimate.estimate_variation_range` (its ``bounds`` dict), so the
figure, the tests and ``proofs/`` share one source. The data are the sweep records
(:mod:`weingarten_check.experiments.sweep`), summarised per (task, case, n).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weingarten_check.experiments.statistics import summarize
from weingarten_check.experiments.store import read_results
from weingarten_check.experiments.tasks import (
    CASES,
    ENSEMBLES,
    PAPER_ENSEMBLE,
    TASKS,
    ConfigFields,
    RunConfig,
    bounds_for,
    lower_bounds_for,
)
from weingarten_check.reporting import strict_json
from weingarten_check.util.checks import check_local_dim

__all__ = [
    "PANEL_TITLES",
    "CASE_LABELS",
    "Series",
    "figure5_series",
    "plot_figure5",
    "figure5_from_results",
    "bounds_and_width",
    "lower_bounds_of",
    "format_figure5_summary",
    "visible_upper",
    "figure5_prefix",
    "CASE_STYLE",
    "DEFAULT_ENSEMBLES",
    "DEFAULT_BOUNDS",
    "BRACKET_RESOLUTION",
    "BoundsFn",
    "plot_gate_landscape",
    "asymptotics_rows",
    "plot_asymptotics",
    "plot_depth",
]

#: title of each task's panel
PANEL_TITLES = {
    "vqe": "(a) VQE, Heisenberg ring",
    "qae": "(b) QAE, one site discarded",
    "qsl": "(c) QSL, fidelity with |0…0⟩",
}
#: legend label of each randomness case
CASE_LABELS = {"v1": "V1 design, V2 = I", "v2": "V1 = I, V2 design", "both": "V1, V2 designs"}
#: (colour, marker) of each case's curve
CASE_STYLE = {"v1": ("C0", "o"), "v2": ("C1", "s"), "both": ("C2", "^")}
#: ensemble drawn in each panel when the results hold several (the paper's choice first)
DEFAULT_ENSEMBLES = {t: (PAPER_ENSEMBLE[t], *(e for e in ENSEMBLES if e != PAPER_ENSEMBLE[t])) for t in TASKS}

#: ``bounds_fn(task, ensemble, case, n, q, site=..., m=...) -> (w, {name: bound})``
BoundsFn = Callable[..., tuple[float, dict[str, float]]]


def bounds_and_width(
    task: str, ensemble: str, case: str, n: int, q: int, site: int = 0, m: int = 1
) -> tuple[float, dict[str, float]]:
    """The width w(H) and the upper bounds on E[Δ] at one point, without sampling.

    A is the sites ``site .. site + m - 1``. The bounds are those of
    :func:`weingarten_check.experiments.tasks.bounds_for`: the qudit Theorem 1 (Lemma 6.1 of
    proofs/DERIVATION.md), the printed Theorem 1 (Lemma 6.2), Proposition 2 (Lemma 7.4) and the
    task-dependent bound (Lemma 9), each where it applies.

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The cost function.
    ensemble : str
        The ensemble of V1/V2 (``haar``, ``hea``, ``local1``, ``clifford``, ``orthogonal``, ``real-hea``).
    case : {"v1", "v2", "both"}
        Which of V1, V2 is random.
    n : int
        Number of sites.
    q : int
        Local dimension.
    site : int, default 0
        First site of A.
    m : int, default 1
        Number of sites of A.

    Returns
    -------
    w : float
        The width of the cost's spectrum, ``max - min`` eigenvalue of H.
    bounds : dict of str to float
        Bound name (as in ``VariationRangeEstimate.bounds``) to its value for the unnormalised Δ; bounds
        that do not apply (the printed qubit theorem at q = 3, Theorem 1 for a 1-design ensemble) are absent.

    Examples
    --------
    >>> bounds_and_width("qsl", "local1", "v1", 4, 2)  # Proposition 2: q^(2m - n)
    (1.0, {'proposition2': 0.25})
    >>> w, bounds = bounds_and_width("vqe", "haar", "v1", 4, 2)
    >>> w, {name: round(b, 4) for name, b in bounds.items()}["task_dependent"]
    (12.0, 2.9104)
    """
    config = RunConfig(task, ensemble, case, q=q, site=site, m=m)
    spec = config.task_spec(n)
    bounds, _note = bounds_for(spec, config.ensemble, config.case)
    return float(spec.w), {k: float(v) for k, v in bounds.items() if v is not None}


def lower_bounds_of(task: str, ensemble: str, case: str, n: int, q: int, site: int = 0, m: int = 1) -> dict[str, float]:
    """Lower bounds on E[Δ] (unnormalised) at one point, A = the sites ``site, …, site + m - 1``.

    The fourth-moment bound of Lemma 11 of proofs/DERIVATION.md applies to exact-Haar VQE/QAE only
    (it needs a unitary 4-design); everything else has no lower bound.

    Parameters
    ----------
    task, ensemble, case : str
        As in :func:`bounds_and_width`.
    n, q : int
        Number of sites and local dimension.
    site : int, default 0
        The first site of A.
    m : int, default 1
        Number of sites of A.

    Returns
    -------
    dict of str to float
        Bound name to value (empty when no lower bound applies).

    Examples
    --------
    >>> lower_bounds_of("qsl", "local1", "v1", 4, 2)  # a fidelity cost: no lower bound
    {}
    """
    config = RunConfig(task, ensemble, case, q=q, site=site, m=m)
    return lower_bounds_for(config.task_spec(n), config.ensemble, config.case)


@dataclass
class Series(ConfigFields):
    """One curve of a Figure 5 panel: statistics of Δ/w per n for one configuration.

    Every point of the curve has the same configuration ``config`` (task, ensemble, case, q, site, m,
    seed: :func:`figure5_series` never mixes two).  Its fields are readable as attributes too
    (``series.task``, ``series.q``, ``series.site``, ...).

    Attributes
    ----------
    config : RunConfig
        What was sampled (task, ensemble, case, q, site, m, seed).
    ns : list of int
        The sizes n, increasing.
    samples : list of int
        Samples per n.
    w : list of float
        The width w(H) per n.
    mean, std, stderr : list of float
        Mean, standard deviation (ddof = 1) and standard error of Δ/w per n.
    upper : list of float
        Mean of the certified upper ends / w where Δ is a bracket (dA >= 3, Lemma 12 of
        proofs/DERIVATION.md), NaN where Δ is exact.
    bounds : dict of str to list of float
        Bound name to its value / w per n (NaN where it does not apply).
    lower : list of float
        The Lemma 11 lower bound / w per n (NaN where none applies).

    Examples
    --------
    >>> s = Series(RunConfig("qsl", "local1", "v1"), ns=[3], samples=[2], w=[1.0], mean=[0.375])
    >>> s.as_dict()["mean"], s.task, s.bounds
    ([0.375], 'qsl', {})
    """

    config: RunConfig
    ns: list[int] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)
    w: list[float] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)  # of Δ / w
    std: list[float] = field(default_factory=list)  # of Δ / w, ddof = 1
    stderr: list[float] = field(default_factory=list)
    upper: list[float] = field(
        default_factory=list
    )  # mean of the certified upper ends / w where Δ is bracketed, else NaN
    bounds: dict[str, list[float]] = field(default_factory=dict)  # name -> values / w, one per n
    lower: list[float] = field(default_factory=list)  # Lemma 11 lower bound / w per n (NaN: none applies)

    @property
    def label(self) -> str:
        """What the curve is: ``task/ensemble/case, site s, m = k, seed k`` (the summary's and legend's words).

        Examples
        --------
        >>> Series(RunConfig("qae", "clifford", "v1", site=3)).label
        'qae/clifford/v1, site 3, m = 1, seed 0'
        """
        depth = f", L = {self.layers}" if self.layers is not None else ""
        return f"{self.task}/{self.ensemble}/{self.case}, site {self.site}, m = {self.m}, seed {self.seed}{depth}"

    def as_dict(self) -> dict[str, Any]:
        """The curve as a flat dict: task, ensemble, case, q, site, m, seed, then the per-n lists (the figure's JSON).

        Examples
        --------
        >>> list(Series(RunConfig("qsl", "local1", "v1")).as_dict())[:8]
        ['task', 'ensemble', 'case', 'q', 'site', 'm', 'seed', 'ns']
        """
        head = {"task": self.task, "ensemble": self.ensemble, "case": self.case, "q": self.q}
        head |= {"site": self.site, "m": self.m, "seed": self.seed}
        if self.layers is not None:  # a depth that is not the default
            head["layers"] = self.layers
        return head | {k: v for k, v in self.__dict__.items() if k != "config"}


#: relative bracket width below which a certified bracket is drawn as one point (a hollow marker for
#: the upper end would sit on the filled one on a log axis)
BRACKET_RESOLUTION = 1e-3


def visible_upper(mean: list[float], upper: list[float], resolution: float = BRACKET_RESOLUTION) -> list[float]:
    """The certified upper ends worth drawing: NaN where the bracket is too narrow to see.

    An upper end ``u`` is kept where ``(u - mean)/u > resolution``; the brackets of Lemma 12 of
    proofs/DERIVATION.md are usually ~1e-12 wide, far below what a log axis shows.

    Parameters
    ----------
    mean : list of float
        The lower ends (the plotted points).
    upper : list of float
        The upper ends (NaN for an exact Δ).
    resolution : float, default BRACKET_RESOLUTION
        The smallest relative width drawn.

    Returns
    -------
    list of float

    Examples
    --------
    >>> visible_upper([1.0, 1.0, 1.0], [1.5, 1.0 + 1e-9, float("nan")])
    [1.5, nan, nan]
    """
    return [u if math.isfinite(u) and u > 0 and (u - m) / u > resolution else math.nan for m, u in zip(mean, upper)]


def _values(rows: Iterable[Any], name: str) -> str:
    vals = {getattr(r, name) for r in rows}
    shown = (["default"] if None in vals else []) + [str(v) for v in sorted(v for v in vals if v is not None)]
    return ", ".join(shown)


def figure5_series(
    records: Iterable[dict[str, Any]],
    q: int = 2,
    *,
    ensembles: dict[str, str] | None = None,
    site: int | None = None,
    m: int | None = None,
    seed: int | None = None,
    bounds_fn: BoundsFn | None = None,
    lower_fn: Callable[..., dict[str, float]] | None = None,
    layers: int | str = "auto",
) -> list[Series]:
    """Summarise sweep records into the curves of Figure 5 for local dimension ``q``.

    Each curve holds one configuration only: records of other sites, subsystem sizes or seeds are never
    spliced into it.  ``site``, ``m`` and ``seed`` select one; left at None, each curve takes the only
    value its records hold, and several values are an error that names them.

    Parameters
    ----------
    records : iterable of dict
        Sweep records (:mod:`weingarten_check.experiments.sweep`).
    q : int, default 2
        The local dimension to draw.
    ensembles : dict of str to str, optional
        The ensemble per task (default: the paper's — ``hea`` for VQE/QAE and ``local1`` for QSL —
        or, if absent from the records, the first one present).
    site, m, seed : int, optional
        The first site of A, the number of sites of A (the paper's figure is m = 1) and the base seed
        to draw (default: the only one in each curve's records).
    bounds_fn : callable, optional
        ``bounds_fn(task, ensemble, case, n, q, site=..., m=...) -> (w, bounds)`` (default
        :func:`bounds_and_width`).
    lower_fn : callable, optional
        ``lower_fn(task, ensemble, case, n, q, site=..., m=...) -> bounds`` (default
        :func:`lower_bounds_of`; the largest is kept in ``Series.lower``).
    layers : int or {"auto", "default"}, default "auto"
        The depth of a finite-depth ensemble to draw: an int (records swept with that ``layers``),
        ``"default"`` (records without one: 10 n), or ``"auto"``, the only one in each curve's records.

    Returns
    -------
    list of Series
        One per (task, case) present, tasks and cases in the paper's order.

    Raises
    ------
    ValueError
        If ``q`` is not an integer >= 2, the records hold nothing for ``q``, a chosen ``site``, ``m`` or
        ``seed`` holds no samples, or one is None while a curve's records hold several values of it (the
        message starts with the parameter's name and lists the values present).

    Examples
    --------
    >>> recs = [
    ...     dict(task="qsl", ensemble="local1", case="v1", q=2, site=0, seed=0, n=n, index=i, value=v)
    ...     for n, values in ((3, (0.25, 0.5)), (4, (0.125, 0.25)))
    ...     for i, v in enumerate(values)
    ... ]
    >>> (s,) = figure5_series(
    ...     recs, 2, bounds_fn=lambda *a, **k: (1.0, {"proposition2": 0.5}), lower_fn=lambda *a, **k: {}
    ... )
    >>> s.task, s.ns, s.mean, s.stderr, s.bounds
    ('qsl', [3, 4], [0.375, 0.1875], [0.125, 0.0625], {'proposition2': [0.5, 0.5]})
    >>> figure5_series(recs + [dict(recs[0], site=2)], 2)
    Traceback (most recent call last):
    ...
    ValueError: site not chosen: the qsl/local1/v1 samples are at site 0, 2; choose one
    >>> figure5_series(recs, 2, m=2)
    Traceback (most recent call last):
    ...
    ValueError: m = 2 is not in the results for q = 2 (they hold m = 1)
    """
    q = check_local_dim(q, "q")
    bounds_fn = bounds_fn or bounds_and_width
    lower_fn = lower_fn or lower_bounds_of
    rows = [r for r in summarize(records) if r.q == q]
    if not rows:
        raise ValueError(f"the results hold no samples for q = {q}; run `weingarten-check sweep --q {q}` first")
    chosen_ens: dict[str, str] = {}
    for task in TASKS:
        present = {r.ensemble for r in rows if r.task == task}
        if not present:
            continue
        if ensembles and task in ensembles:
            chosen_ens[task] = ensembles[task]
        else:
            chosen_ens[task] = next((e for e in DEFAULT_ENSEMBLES[task] if e in present), sorted(present)[0])
    rows = [r for r in rows if chosen_ens.get(r.task) == r.ensemble]
    if layers != "auto":
        want = None if layers == "default" else layers
        if want is not None and (isinstance(want, bool) or not isinstance(want, int) or want < 0):
            raise ValueError(f"layers must be an int >= 0, 'default' or 'auto', got {layers!r}")
        kept = [r for r in rows if r.layers == want]
        if not kept:
            raise ValueError(
                f"layers {layers} is not in the results for q = {q} (they hold layers {_values(rows, 'layers')})"
            )
        rows = kept
    for name, value in (("m", m), ("site", site), ("seed", seed)):
        if value is None:
            continue
        kept = [r for r in rows if getattr(r, name) == value]
        if not kept:
            shown = f"{name} = {value}" if name == "m" else f"{name} {value}"
            have = f"{name} = " if name == "m" else f"{name} "
            raise ValueError(f"{shown} is not in the results for q = {q} (they hold {have}{_values(rows, name)})")
        rows = kept
    out: list[Series] = []
    for task in TASKS:
        for case in CASES:
            pts = sorted((r for r in rows if r.task == task and r.case == case), key=lambda r: r.n)
            if not pts:
                continue
            for name in ("m", "site", "seed", "layers"):
                if len({getattr(r, name) for r in pts}) > 1:
                    where = "with m = " if name == "m" else f"at {name} "
                    raise ValueError(
                        f"{name} not chosen: the {task}/{chosen_ens[task]}/{case} samples are "
                        f"{where}{_values(pts, name)}; choose one"
                    )
            s = Series(pts[0].config)
            for r in pts:
                w, bounds = bounds_fn(task, r.ensemble, case, r.n, q, site=r.site, m=r.m)
                s.ns.append(r.n)
                s.samples.append(r.samples)
                s.w.append(w)
                s.mean.append(r.mean / w)
                s.std.append(r.std / w)
                s.stderr.append(r.stderr / w)
                s.upper.append(r.upper_mean / w)
                low = lower_fn(task, r.ensemble, case, r.n, q, site=r.site, m=r.m)
                s.lower.append(max(low.values()) / w if low else math.nan)
                for name, value in bounds.items():
                    s.bounds.setdefault(name, [math.nan] * (len(s.ns) - 1)).append(value / w)
                for name in s.bounds:
                    if len(s.bounds[name]) < len(s.ns):
                        s.bounds[name].append(math.nan)
            out.append(s)
    return out


#: bounds drawn by default: the paper's as printed, our task-dependent (per case) and qudit Theorem 1
DEFAULT_BOUNDS = ("paper_theorem1", "proposition2", "task_dependent", "qudit_theorem1", "orthogonal_task_dependent")
_BOUND_STYLE = {  # name -> (linestyle, colour or None for the case colour, legend label)
    "paper_theorem1": ((0, (6, 3)), "0.45", "paper, Theorem 1 as printed: w / 2^(n/2-3m-2)"),
    "proposition2": ((0, (6, 3)), "0.2", "paper, Proposition 2: q^(2m-n)"),
    "task_dependent": ((0, (3, 2)), None, "ours, task-dependent: 2√r √E‖K‖²_F (per case, its colour)"),
    "qudit_theorem1": ((0, (6, 2, 1, 2)), "k", "ours, qudit Theorem 1: w (q^2m − 1)/√(q^n + 1)"),
    "route1": ((0, (1, 2)), "0.3", "ours, Route 1: w √(r(dA²−1)) / √(d+1)"),
    "elementwise": ((0, (1, 1)), "0.6", "element-wise route: w dA^(5/2) / √(d+1)"),
    "orthogonal_task_dependent": ((0, (5, 1, 1, 1)), None, "ours, O(d) (real circuits): 2√r √E‖K‖²_F, Lemma 16"),
}


def figure5_prefix(out: str | os.PathLike, q: int = 2) -> Path:
    """The output prefix that ``out`` means: a directory (existing, or written with a trailing ``/``) means
    ``figure5`` (``figure5_qQ`` for q > 2) inside it; a ``.png``/``.pdf`` suffix is dropped.

    Parameters
    ----------
    out : str or os.PathLike
        What the user gave.
    q : int, default 2
        The local dimension (names the file inside a directory).

    Returns
    -------
    pathlib.Path
        The prefix; the files are ``<prefix>.png``, ``.pdf`` and ``.json``.

    Examples
    --------
    >>> figure5_prefix("figs/").as_posix(), figure5_prefix("figs/", 3).as_posix()
    ('figs/figure5', 'figs/figure5_q3')
    >>> figure5_prefix("figs/f5.png").as_posix()
    'figs/f5'
    """
    text = os.fspath(out)
    path = Path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        return path / ("figure5" if q == 2 else f"figure5_q{q}")
    return path.with_suffix("") if path.suffix in (".png", ".pdf") else path


def plot_figure5(
    series: Sequence[Series],
    out: str | os.PathLike,
    *,
    errorbars: str = "std",
    bounds: Sequence[str] | str = DEFAULT_BOUNDS,
    title: str | None = None,
) -> list[Path]:
    """Draw the three panels and save ``<out>.png``, ``<out>.pdf`` and ``<out>.json`` (the plotted data).

    Parameters
    ----------
    series : sequence of Series
        The curves (:func:`figure5_series`).
    out : str or os.PathLike
        Output prefix (a ``.png``/``.pdf`` suffix is dropped), or a directory to write in (see
        :func:`figure5_prefix`); its directory is created.
    errorbars : {"std", "stderr", "ci95"}, default "std"
        Standard deviation over samples (as in the paper; panel (c) shows a quarter of it, as the paper
        does), standard error, or 1.96 standard errors.
    bounds : sequence of str or "all", default DEFAULT_BOUNDS
        The bound names to draw.
    title : str, optional
        The figure title (default: ensemble, samples and error bars).

    Returns
    -------
    list of pathlib.Path
        The PNG, PDF and JSON files written.

    Raises
    ------
    ValueError
        For an unknown ``errorbars`` or an empty ``series``.

    Examples
    --------
    Drawing takes seconds (see ``tests/test_figures.py``); the checks come first:

    >>> plot_figure5([], "figure5")
    Traceback (most recent call last):
    ...
    ValueError: nothing to plot: no series
    """
    if errorbars not in ("std", "stderr", "ci95"):
        raise ValueError(f"errorbars must be 'std', 'stderr' or 'ci95', got {errorbars!r}")
    if not series:
        raise ValueError("nothing to plot: no series")
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    q = series[0].q
    out = figure5_prefix(out, q)
    out.parent.mkdir(parents=True, exist_ok=True)
    unit = "qubits" if q == 2 else f"qudits, q = {q}"
    fig, axes = plt.subplots(1, 3, figsize=(14, 5.2))
    used_bounds: list[str] = []
    cases_seen: dict[str, str] = {}
    bracketed = False
    banded = False
    zeroed = False
    for ax, task in zip(axes, TASKS):
        ax.set_title(PANEL_TITLES[task], fontsize=11)
        ax.set_yscale("log")
        ax.set_xlabel(f"n ({unit})")
        ax.grid(True, which="major", alpha=0.3)
        panel = [s for s in series if s.task == task]
        if not panel:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
            continue
        ax.set_ylabel("E[Δ] / w(H)")
        drawn: set[str] = set()
        ensembles = sorted({s.ensemble for s in panel})
        where = sorted({(s.site, s.seed) for s in panel})
        if len(where) == 1:
            what = f"site {where[0][0]}, seed {where[0][1]}"
        else:  # the cases' curves come from different sites or seeds: say which is which
            what = "; ".join(f"{s.case}: site {s.site}, seed {s.seed}" for s in panel)
        ax.text(
            0.98,
            0.98,
            "ensemble: " + ", ".join(ensembles) + "\n" + what,
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=8,
            color="0.3",
        )
        for s in panel:
            color, marker = CASE_STYLE[s.case]
            cases_seen[s.case] = s.case
            err = {"std": s.std, "stderr": s.stderr, "ci95": [1.96 * e for e in s.stderr]}[errorbars]
            if errorbars == "std" and task == "qsl":
                err = [e / 4 for e in err]
            lower = [min(e, 0.95 * m) for e, m in zip(err, s.mean)]  # keep bars on a log axis
            ax.errorbar(s.ns, s.mean, yerr=[lower, err], color=color, marker=marker, ms=5, capsize=3, lw=1.3, zorder=3)
            zero_ns = [n for n, m in zip(s.ns, s.mean) if m == 0]
            if zero_ns:  # E[Δ] = 0 exactly (e.g. Clifford: K = 0 in every sample) has no place on a log axis
                zeroed = True
                ax.plot(
                    zero_ns,
                    [0.015] * len(zero_ns),
                    ls="none",
                    color=color,
                    marker="v",
                    mfc="none",
                    ms=7,
                    transform=ax.get_xaxis_transform(),
                    clip_on=False,
                    zorder=3,
                )
            up = visible_upper(s.mean, s.upper)
            if any(math.isfinite(u) for u in up):  # a bracket wider than the plot resolution
                bracketed = True
                ax.plot(s.ns, up, color=color, marker=marker, mfc="none", ms=5, lw=0.8, ls=":")
            if any(math.isfinite(v) for v in s.lower):  # Lemma 11: lower bound and the shaded band
                banded = True
                top = s.bounds.get("task_dependent") or [min(v) for v in zip(*s.bounds.values())] or s.lower
                ax.plot(s.ns, s.lower, ls=(0, (4, 1, 1, 1)), color=color, lw=1.0, zorder=2)
                ax.fill_between(s.ns, s.lower, top, color=color, alpha=0.12, lw=0, zorder=1)
            for name, vals in sorted(s.bounds.items()):
                if bounds != "all" and name not in bounds:
                    continue
                ls, bcolor, _ = _BOUND_STYLE.get(name, ((0, (1, 3)), "0.5", name))
                if name not in used_bounds:
                    used_bounds.append(name)
                if bcolor is None:
                    ax.plot(s.ns, vals, ls=ls, color=color, lw=1.1, zorder=2)
                elif name not in drawn:
                    drawn.add(name)
                    ax.plot(s.ns, vals, ls=ls, color=bcolor, lw=1.1, zorder=2)
        all_n = sorted({n for s in panel for n in s.ns})
        ax.set_xticks(all_n if len(all_n) <= 12 else all_n[:: max(1, len(all_n) // 10)])
    handles = [
        Line2D([], [], color=CASE_STYLE[c][0], marker=CASE_STYLE[c][1], lw=1.3, label=CASE_LABELS[c])
        for c in CASES
        if c in cases_seen
    ]
    if zeroed:
        handles.append(
            Line2D(
                [], [], color="0.3", marker="v", mfc="none", ls="none", label="E[Δ] = 0 exactly (Δ = 0 in every sample)"
            )
        )
    if bracketed:
        handles.append(
            Line2D(
                [],
                [],
                color="0.3",
                marker="o",
                mfc="none",
                ls=":",
                lw=0.8,
                label="dA ≥ 3: filled = certified lower end, hollow = certified upper end "
                "(only where the bracket is wider than 0.1 %)",
            )
        )
    if banded:
        handles.append(
            Line2D(
                [],
                [],
                ls=(0, (4, 1, 1, 1)),
                color="C0",
                lw=1.0,
                label="ours, lower bound c(E‖K‖²)^{3/2}/(E‖K‖⁴)^{1/2} (Haar: needs a 4-design); band shaded",
            )
        )
    for name in sorted(used_bounds, key=lambda b: list(_BOUND_STYLE).index(b) if b in _BOUND_STYLE else 99):
        ls, bcolor, label = _BOUND_STYLE.get(name, ((0, (1, 3)), "0.5", name))
        handles.append(Line2D([], [], ls=ls, color=bcolor or "C0", lw=1.1, label=label))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    bar_note = {
        "std": "error bars: std over samples (¼ std in (c), as in the paper)",
        "stderr": "error bars: standard error",
        "ci95": "error bars: 95% CI",
    }[errorbars]
    nsamp = sorted({k for s in series for k in s.samples})
    ms = ", ".join(str(k) for k in sorted({s.m for s in series}))
    fig.suptitle(
        title
        or f"Variation range of a local unitary (m = {ms}), {unit}; "
        f"samples per point: {', '.join(map(str, nsamp))}; {bar_note}",
        fontsize=10,
    )
    nrows = math.ceil(len(handles) / 3)
    fig.tight_layout(rect=(0, 0.045 * nrows + 0.02, 1, 0.97))
    paths = [out.with_suffix(".png"), out.with_suffix(".pdf")]
    fig.savefig(paths[0], dpi=130)
    fig.savefig(paths[1])
    plt.close(fig)
    data_path = out.with_suffix(".json")
    data_path.write_text(
        strict_json.dumps({"q": q, "errorbars": errorbars, "series": [s.as_dict() for s in series]}, indent=1)
    )
    return paths + [data_path]


def figure5_from_results(
    results: str | os.PathLike | Iterable[dict[str, Any]],
    out: str | os.PathLike,
    q: int = 2,
    *,
    errorbars: str = "std",
    ensembles: dict[str, str] | None = None,
    site: int | None = None,
    m: int | None = None,
    seed: int | None = None,
    bounds_fn: BoundsFn | None = None,
) -> list[Path]:
    """Read sweep results (a JSON Lines file or records) and write Figure 5 for ``q``.

    Parameters
    ----------
    results : str, os.PathLike or iterable of dict
        The results file, or the records.
    out : str or os.PathLike
        Output prefix, as in :func:`plot_figure5`.
    q : int, default 2
        The local dimension to draw.
    errorbars : {"std", "stderr", "ci95"}, default "std"
        As in :func:`plot_figure5`.
    ensembles : dict of str to str, optional
        As in :func:`figure5_series`.
    site, m, seed : int, optional
        As in :func:`figure5_series`.
    bounds_fn : callable, optional
        As in :func:`figure5_series`.

    Returns
    -------
    list of pathlib.Path
        The PNG, PDF and JSON files written.

    Raises
    ------
    ValueError
        If the results hold nothing for ``q`` (or see :func:`plot_figure5`).

    Examples
    --------
    >>> recs = [
    ...     dict(task="qsl", ensemble="local1", case="v1", q=2, site=0, seed=0, n=n, index=i, value=v)
    ...     for n, values in ((3, (0.25, 0.5)), (4, (0.125, 0.25)))
    ...     for i, v in enumerate(values)
    ... ]
    >>> figure5_from_results(recs, "figure5_q3", q=3)
    Traceback (most recent call last):
    ...
    ValueError: the results hold no samples for q = 3; run `weingarten-check sweep --q 3` first
    """
    records = read_results(results) if isinstance(results, (str, os.PathLike)) else list(results)
    series = figure5_series(records, q, ensembles=ensembles, site=site, m=m, seed=seed, bounds_fn=bounds_fn)
    return plot_figure5(series, out, errorbars=errorbars)


def format_figure5_summary(paths: Sequence[Path], series: Sequence[Series]) -> str:
    """The text ``weingarten-check figure5`` prints: the files written, then one line per curve.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        What :func:`plot_figure5` returned.
    series : sequence of Series
        The curves drawn.

    Returns
    -------
    str

    Examples
    --------
    >>> s = Series(RunConfig("qsl", "local1", "v1"), ns=[3, 4], mean=[0.375, 0.1875])
    >>> print(format_figure5_summary([Path("f5.png"), Path("f5.pdf")], [s]))
    wrote f5.png, f5.pdf
      qsl/local1/v1, site 0, m = 1, seed 0: n = 3..4, E[Δ]/w from 3.750e-01 to 1.875e-01
    """
    return (
        "wrote "
        + ", ".join(str(p) for p in paths)
        + "\n"
        + "\n".join(
            f"  {s.label}: n = {s.ns[0]}..{s.ns[-1]}, E[Δ]/w from {s.mean[0]:.3e} to {s.mean[-1]:.3e}" for s in series
        )
    )


def plot_gate_landscape(landscape: Any, out: str | os.PathLike, *, title: str | None = None) -> Path:
    """Draw a landscape map (qubits x layers, log colour scale) and save it as a PNG.

    The map is :func:`weingarten_check.experiments.user_circuit.gate_landscape`'s: ``Δ`` of a free
    one-qubit gate on each Qiskit qubit (rows, qubit 0 at the top) after each layer boundary
    (columns, labelled by the instruction count ``after=K``).  Δ = 0 is drawn in the colour of the
    smallest positive value shown (a log scale has no zero) and counted in the title.

    Parameters
    ----------
    landscape : GateLandscape
        Its ``delta``, ``qubits``, ``positions`` and ``cost``.
    out : str or os.PathLike
        The PNG file (its directory is created).
    title : str, optional

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        If ``landscape.delta`` is empty or not finite.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from types import SimpleNamespace
    >>> L = SimpleNamespace(delta=np.array([[1.0, 0.1], [0.01, 0.0]]), qubits=(0, 1), positions=(0, 5), cost=0.5)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     plot_gate_landscape(L, os.path.join(d, "map.png")).stat().st_size > 1000
    True
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import LogNorm

    delta = np.asarray(landscape.delta, dtype=float)
    if delta.size == 0 or not np.all(np.isfinite(delta)):
        raise ValueError("landscape.delta must be a non-empty finite array")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    positive = delta[delta > 0]
    vmin = float(positive.min()) if positive.size else 1e-16
    vmax = float(max(delta.max(), vmin * 10))
    zeros = int((delta <= 0).sum())
    shown = np.where(delta > 0, delta, vmin)
    nq, npos = delta.shape
    fig, ax = plt.subplots(figsize=(max(5.0, 0.42 * npos + 2.5), max(3.0, 0.32 * nq + 1.6)))
    im = ax.imshow(shown, aspect="auto", cmap="viridis", norm=LogNorm(vmin=vmin, vmax=vmax), interpolation="nearest")
    ax.set_yticks(range(nq), [str(q) for q in landscape.qubits])
    step = max(1, npos // 16)
    ax.set_xticks(range(0, npos, step), [str(p) for p in list(landscape.positions)[::step]], rotation=90)
    ax.set_ylabel("qubit (Qiskit index)")
    ax.set_xlabel("free gate inserted after instruction K (layer boundaries)")
    fig.colorbar(im, ax=ax, label="Δ (log scale)")
    ax.set_title(
        title
        or f"Variation range of a free one-qubit gate; cost {landscape.cost:.4g}"
        + (f"; {zeros} positions with Δ = 0" if zeros else ""),
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return out


def asymptotics_rows(points: Sequence[dict], case: str = "v1") -> list[dict]:
    """``scale·E[Δ]`` per sweep point with the constant ``c`` and the z-score (Lemma 15 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    points : sequence of dict
        Summaries with keys ``q``, ``task``, ``n``, ``mean``, ``stderr`` and optionally ``case`` (e.g. the
        ``points`` of ``docs/beyond_the_paper.json``).
    case : {"v1", "v2", "both"}, default "v1"
        The case of the points without a ``case`` key.

    Returns
    -------
    list of dict
        Per point: ``q``, ``task``, ``n``, ``scaled`` (``scale·mean``), ``scaled_stderr``, ``c``,
        ``c_stderr``, ``z`` (:func:`~weingarten_check.theory.asymptotics.prediction_z_score`) and ``case``.

    Examples
    --------
    >>> rows = asymptotics_rows([{"q": 2, "task": "qsl", "n": 10, "mean": 2 / 1024, "stderr": 1e-4}])
    >>> rows[0]["scaled"], rows[0]["c"], rows[0]["z"]
    (2.0, 2.0, 0.0)
    """
    import sympy as sp

    from weingarten_check.theory.asymptotics import asymptotic_constant, prediction_z_score, scale_expression

    out = []
    default_case = case
    for p in points:
        q, task, n = int(p["q"]), str(p["task"]), int(p["n"])
        case = str(p.get("case", default_case))
        a = asymptotic_constant(task, case, q)
        scale = float(
            scale_expression(task, case, q)
            .subs({sp.Symbol("d", positive=True): sp.Integer(q) ** n})
            .subs(sp.Symbol("n", positive=True), n)
        )
        out.append(
            {
                "q": q,
                "task": task,
                "case": case,
                "n": n,
                "scaled": scale * float(p["mean"]),
                "scaled_stderr": scale * float(p["stderr"]),
                "c": float(a.c),
                "c_stderr": float(a.c_stderr),
                "z": prediction_z_score(task, case, q, n, float(p["mean"]), float(p["stderr"])),
            }
        )
    return out


def plot_asymptotics(rows: Sequence[dict], out: str | os.PathLike) -> Path:
    """Draw ``scale·E[Δ]`` versus n with the line ``c`` (one panel per q and task, case v1) and save a PNG.

    Lemma 15 of ``proofs/DERIVATION.md``: the data converge to the constant.

    Parameters
    ----------
    rows : sequence of dict
        :func:`asymptotics_rows`.
    out : str or os.PathLike
        The PNG path (its directory is created).

    Returns
    -------
    pathlib.Path
        The PNG written.

    Examples
    --------
    >>> import tempfile
    >>> pts = [{"q": 2, "task": "qsl", "n": n, "mean": 2 / 2**n, "stderr": 1e-4 / 2**n} for n in (4, 6)]
    >>> rows = asymptotics_rows(pts)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     plot_asymptotics(rows, Path(tmp) / "a.png").name
    'a.png'
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rows = [r for r in rows if r.get("case", "v1") == "v1"]
    if not rows:
        raise ValueError("rows must contain case v1 points")
    keys = sorted({(r["q"], r["task"]) for r in rows}, key=lambda k: (k[0], ["vqe", "qae", "qsl"].index(k[1])))
    qs = sorted({k[0] for k in keys})
    tasks = [t for t in ("vqe", "qae", "qsl") if any(k[1] == t for k in keys)]
    fig, axes = plt.subplots(len(qs), len(tasks), figsize=(4.2 * len(tasks), 3.2 * len(qs)), squeeze=False)
    scale_label = {"qsl": "d·E[Δ]"}
    for i, q in enumerate(qs):
        for j, task in enumerate(tasks):
            ax = axes[i][j]
            sel = sorted((r for r in rows if (r["q"], r["task"]) == (q, task)), key=lambda r: r["n"])
            if not sel:
                ax.set_visible(False)
                continue
            ns = [r["n"] for r in sel]
            ax.errorbar(
                ns,
                [r["scaled"] for r in sel],
                yerr=[1.96 * r["scaled_stderr"] for r in sel],
                fmt="o",
                ms=3,
                capsize=2,
                color="C0",
                label="sampled (95 % CI)",
            )
            c, cs = sel[0]["c"], sel[0]["c_stderr"]
            ax.axhline(c, color="C3", lw=1.2, label=f"c = {c:.6g}" + (f" ± {cs:.1g}" if cs else ""))
            if cs:
                ax.axhspan(c - 1.96 * cs, c + 1.96 * cs, color="C3", alpha=0.2)
            ax.set_title(f"q = {q}, {task.upper()} (V1 Haar), largest n: z = {sel[-1]['z']:+.2f}", fontsize=9)
            ax.set_xlabel("n")
            ax.set_ylabel(scale_label.get(task, "sqrt(d)·E[Δ]"))
            ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_depth(data: dict[str, Any], out: str | os.PathLike) -> Path:
    """E[Δ] versus the depth L of the finite-depth ensembles (Appendix D): one panel per ensemble.

    For each n (one colour): the sampled E[Δ] with its 95 % CI (markers), the sampled bound
    ``2 sqrt(2) sqrt(E||K||_F²(L))`` (thin line; Lemma 9.1 with the sampled second moment), the exact
    finite-depth bound where ``data`` has it (thick line), and, as horizontal lines, the 2-design value of
    the bound ``2 sqrt(2) sqrt(18/(d+1))`` (dashed; Lemma 9.2) and the sampled E[Δ] of exact Haar V1
    (dotted).

    Parameters
    ----------
    data : dict
        ``{"points": [...], "haar": [...]}``: each point a dict with ``ensemble``, ``n``, ``layers``,
        ``mean`` and ``ci95`` (E[Δ]), ``k2_bound`` (the sampled bound) and ``exact_bound`` (a float or
        None); each Haar entry a dict with ``n``, ``mean`` (sampled E[Δ]) and ``two_design_bound``.
    out : str or os.PathLike
        The PNG file to write (its directory is created).

    Returns
    -------
    pathlib.Path
        The PNG written.

    Raises
    ------
    ValueError
        If ``data`` holds no points.

    Examples
    --------
    >>> import tempfile
    >>> pt = dict(ensemble="brickwork", n=4, layers=2, mean=1.0, ci95=[0.9, 1.1], k2_bound=2.0, exact_bound=None)
    >>> haar = [dict(n=4, mean=0.8, two_design_bound=2.9)]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     plot_depth({"points": [pt], "haar": haar}, Path(tmp) / "depth.png").name
    'depth.png'
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    points = list(data.get("points", []))
    if not points:
        raise ValueError("data holds no points: nothing to draw")
    ensembles = [e for e in ("hea", "brickwork") if any(p["ensemble"] == e for p in points)]
    ensembles += sorted({p["ensemble"] for p in points} - set(ensembles))
    ns = sorted({p["n"] for p in points})
    colour = {n: f"C{i % 10}" for i, n in enumerate(ns)}
    haar = {h["n"]: h for h in data.get("haar", [])}
    fig, axes = plt.subplots(1, len(ensembles), figsize=(6.2 * len(ensembles), 4.8), squeeze=False, sharey=True)
    titles = {
        "hea": "hea: the paper's circuit (R_P(θ) layers + CZ chain)",
        "brickwork": "brickwork: Haar 2-qubit gates",
    }
    for ax, ens in zip(axes[0], ensembles):
        for n in ns:
            pts = sorted((p for p in points if p["ensemble"] == ens and p["n"] == n), key=lambda p: p["layers"])
            if not pts:
                continue
            L = [p["layers"] for p in pts]
            mean = [p["mean"] for p in pts]
            err = [[p["mean"] - p["ci95"][0] for p in pts], [p["ci95"][1] - p["mean"] for p in pts]]
            c = colour[n]
            ax.errorbar(L, mean, yerr=err, fmt="o", ms=3.5, color=c, capsize=2, label=f"n = {n}: E[Δ] sampled")
            ax.plot(L, [p["k2_bound"] for p in pts], "-", lw=0.8, color=c, alpha=0.7)
            exact = [(x, p["exact_bound"]) for x, p in zip(L, pts) if p.get("exact_bound") is not None]
            if exact:
                ax.plot(*zip(*exact), "-", lw=2.2, color=c, alpha=0.45)
            if n in haar:
                ax.axhline(haar[n]["two_design_bound"], ls="--", lw=0.9, color=c)
                ax.axhline(haar[n]["mean"], ls=":", lw=1.1, color=c)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("layers L")
        ax.set_title(titles.get(ens, ens), fontsize=10)
        ax.grid(True, which="both", alpha=0.25)
    axes[0][0].set_ylabel("E[Δ]  (VQE, V1 random, V2 = I, A = site 0)")
    from matplotlib.lines import Line2D

    keys = [
        Line2D([], [], marker="o", ls="", color="0.3", label="E[Δ], sampled (95 % CI)"),
        Line2D([], [], ls="-", lw=0.8, color="0.3", label="2√2 √E‖K‖²_F(L), sampled"),
        Line2D([], [], ls="-", lw=2.2, color="0.3", alpha=0.45, label="2√2 √E‖K‖²_F(L), exact"),
        Line2D([], [], ls="--", lw=0.9, color="0.3", label="2-design bound 2√2 √(18/(d+1))"),
        Line2D([], [], ls=":", lw=1.1, color="0.3", label="E[Δ] for Haar V1, sampled"),
    ]
    if not any(p.get("exact_bound") is not None for p in points):
        keys.pop(2)
    keys += [Line2D([], [], ls="-", lw=3, color=colour[n], label=f"n = {n}") for n in ns]
    fig.legend(handles=keys, fontsize=8, loc="lower center", ncol=min(len(keys), 5), frameon=False)
    fig.suptitle("E[Δ] versus depth: finite-depth circuits approach the 2-design values", fontsize=11)
    fig.tight_layout(rect=(0, 0.1 + 0.035 * (len(keys) > 5), 1, 1))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return out
