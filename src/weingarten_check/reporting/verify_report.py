"""The ``verify`` report: lemma suite + numerical confirmation, as text, Markdown and JSON.

Two parts:

1. **Lemmas** — :func:`weingarten_check.reporting.proofs_report.run_proofs` runs ``proofs/`` (the
   machine-checked reconstruction of Theorem 1, Proposition 2 and their qudit forms); one row
   per lemma with its status and time.
2. **Numerics** — for a few n and q = 2, 3, :func:`weingarten_check.experiments.estimate.estimate_variation_range`
   estimates E[Δ] (exact Δ per sample, exact-design ensembles) with a 95 % confidence interval,
   next to every bound from :mod:`weingarten_check.theory.bounds`. A bound is *violated* only if the
   whole CI lies above it (the data then show E[Δ] > bound at 95 % confidence); if the bound lies
   inside the CI the row says *consistent* (the tight task-dependent bound is within 5-15 % of
   E[Δ], so this happens with few samples); otherwise *below*.

The report fails (``VerifyReport.ok`` is False, the CLI exits 1) if any lemma does not pass,
any bound is violated, or a part could not run.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..experiments.tasks import ConfigFields, RunConfig
from ..util.checks import check_int
from . import strict_json
from .proofs_report import lemma_passed

__all__ = [
    "CheckPoint",
    "NumericCheck",
    "LemmaRow",
    "VerifyReport",
    "DEFAULT_POINTS",
    "DEFAULT_QS",
    "DEFAULT_MS",
    "default_points",
    "supported_qs",
    "supported_ms",
    "run_verify",
    "bound_verdict",
    "band_verdict",
    "format_markdown",
    "write_report",
    "ONE_NUMBER_WIDTH",
]


@dataclass(frozen=True)
class CheckPoint:
    """One numerical check of ``verify``: a configuration at n sites.

    :func:`run_verify` gives every point its base seed and sample count; the configuration's own
    seed is replaced by the run's.

    Examples
    --------
    >>> p = CheckPoint.from_tuple(("qae", "haar", "v1", 2, 3, 2))
    >>> p.config.sites, p.n, p.label()
    ((0, 1), 3, 'qae/haar/v1/2/3/2')
    """

    config: RunConfig
    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.config, RunConfig):
            raise TypeError(f"config must be a RunConfig, got {type(self.config).__name__}")
        object.__setattr__(self, "n", self.config.check_n(self.n))

    @classmethod
    def from_tuple(cls, point: Sequence) -> CheckPoint:
        """The point ``(task, ensemble, case, q, n)``, or ``(task, ensemble, case, q, n, m)`` (A = sites 0 .. m-1)."""
        task, ensemble, case, q, n = point[:5]
        m = int(point[5]) if len(point) > 5 else 1
        return cls(RunConfig(task, ensemble, case, q=q, m=m), n)

    def label(self) -> str:
        """``task/ensemble/case/q/n``, and ``/m`` when A has m >= 2 sites."""
        c = self.config
        return "/".join(map(str, (c.task, c.ensemble, c.case, c.q, self.n) + ((c.m,) if c.m != 1 else ())))


def as_check_point(point: CheckPoint | Sequence) -> CheckPoint:
    """``point`` as a :class:`CheckPoint` (a tuple is read by :meth:`CheckPoint.from_tuple`)."""
    return point if isinstance(point, CheckPoint) else CheckPoint.from_tuple(point)


#: the points of the numerical confirmation: (task, ensemble, case, q, n), and (task, ensemble,
#: case, q, n, m) where A is m >= 2 sites (0 .. m-1; selected with ``verify --m``)
DEFAULT_POINTS: tuple[CheckPoint, ...] = tuple(
    CheckPoint.from_tuple(p)
    for p in [
        (task, "haar", case, 2, n) for task in ("vqe", "qae") for case in ("v1", "v2", "both") for n in (4, 8, 12)
    ]
    + [("qsl", "local1", case, 2, n) for case in ("v1", "v2", "both") for n in (4, 8, 12)]
    + [(task, "haar", "v1", 3, n) for task in ("vqe", "qae") for n in (3, 4, 5)]
    + [("qsl", "local1", "v1", 3, n) for n in (3, 4, 5)]
    # qutrits with V2 random too (certified bracket, dA = 3, ~0.1 s per sample)
    + [(task, "haar", case, 3, n) for task in ("vqe", "qae") for case in ("v2", "both") for n in (3, 4)]
    + [("qsl", "local1", case, 3, 3) for case in ("v2", "both")]
    # qubits with A = two sites (dA = 4, certified bracket; ~0.5 s per sample): `verify --m 2`
    + [(task, "haar", case, 2, n, 2) for task in ("vqe", "qae") for case in ("v1", "v2", "both") for n in (4, 6)]
    + [("qsl", "local1", case, 2, n, 2) for case in ("v1", "v2", "both") for n in (4, 6)]
    # q = 4 (ququarts, dA = 4): Δ is a certified bracket except for the fidelity task; ~0.3-0.5 s per
    # sample for vqe at n = 3, so only the smallest n (run with `verify --q 4`, not by default)
    + [(task, "haar", case, 4, 3) for task in ("vqe", "qae") for case in ("v1", "v2", "both")]
    + [("qsl", "local1", "v1", 4, n) for n in (3, 4)]
    + [("qsl", "local1", case, 4, 3) for case in ("v2", "both")]
    # an exact 2-design that is not Haar: uniformly random Cliffords (Lemma 13), qubits only
    + [("vqe", "clifford", "v1", 2, 8), ("qae", "clifford", "v2", 2, 8), ("qsl", "clifford", "both", 2, 8)]
    # real-amplitude circuits: exact Haar on O(d), against the O(d) bound of Lemma 16 (qubits)
    + [("vqe", "orthogonal", "v1", 2, 8), ("qae", "orthogonal", "both", 2, 8)]
)
#: local dimensions verify checks when --q is not given
DEFAULT_QS: tuple[int, ...] = (2, 3)
#: sizes of A verify checks when --m is not given (the paper's m = 1)
DEFAULT_MS: tuple[int, ...] = (1,)


def supported_qs() -> tuple[int, ...]:
    """The local dimensions q that have numerical check points (``verify --q``).

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> supported_qs()
    (2, 3, 4)
    """
    return tuple(sorted({p.config.q for p in DEFAULT_POINTS}))


def default_points(qs: Sequence[int] = DEFAULT_QS, ms: Sequence[int] = DEFAULT_MS) -> list[CheckPoint]:
    """The check points ``verify`` runs for local dimensions ``qs`` and sizes of A ``ms``.

    Parameters
    ----------
    qs : sequence of int, default DEFAULT_QS
        Local dimensions (the CLI's ``--q``).
    ms : sequence of int, default DEFAULT_MS
        Sizes of A (the CLI's ``--m``).

    Returns
    -------
    list of CheckPoint
        The points of :data:`DEFAULT_POINTS` with those q and m; the defaults give what plain
        ``weingarten-check verify`` runs.

    Examples
    --------
    >>> len(default_points())
    51
    >>> [p.label() for p in default_points([4])[:2]]
    ['vqe/haar/v1/4/3', 'vqe/haar/v2/4/3']
    """
    return [p for p in DEFAULT_POINTS if p.config.q in qs and p.config.m in ms]


def supported_ms() -> tuple[int, ...]:
    """The sizes m of A that have numerical check points (``verify --m``).

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> supported_ms()
    (1, 2)
    """
    return tuple(sorted({p.config.m for p in DEFAULT_POINTS}))


@dataclass
class LemmaRow:
    """One lemma of the lemma suite in the verify report.

    Attributes
    ----------
    lemma : str
        The lemma's number in proofs/DERIVATION.md.
    statement, dimensions : str
        What it states, and for which dimensions it is checked.
    status : str
        ``passed``, ``FAILED`` or ``skipped`` (from :func:`~weingarten_check.reporting.proofs_report.collect_results`).
    seconds : float
        Time spent in its tests.
    tests : int
        Tests checking the statement.
    mutants : int
        Weakened statements shown to fail.

    Examples
    --------
    >>> LemmaRow("7.4", "Proposition 2", "q >= 2", "passed", 0.5).ok
    True
    >>> LemmaRow("7.4", "Proposition 2", "q >= 2", "xfail", 0.5).ok
    False
    """

    lemma: str
    statement: str
    dimensions: str
    status: str
    seconds: float
    tests: int = 0  # tests checking the statement
    mutants: int = 0  # weakened statements shown to fail

    @property
    def ok(self) -> bool:
        """Whether the lemma passed (:func:`~weingarten_check.reporting.proofs_report.lemma_passed`)."""
        return lemma_passed(self.status)


@dataclass
class NumericCheck(ConfigFields):
    """E[Δ] at one point (``config`` at ``n`` sites, ``samples`` samples) against each bound (unnormalised Δ).

    The configuration's fields are readable as attributes too (``check.task``, ``check.q``, ``check.m``, ...).

    Attributes
    ----------
    config : RunConfig
        What was sampled (task, ensemble, case, q, A = sites ``0 .. m - 1``, seed).
    n : int
        Number of sites.
    samples : int
        Number of samples.
    w : float
        Width of the cost's spectrum.
    mean, stderr : float
        Sample mean of Δ (of the lower ends for a bracketed Δ) and its standard error.
    ci95 : tuple of float
        The 95 % confidence interval of the mean.
    bounds : dict of str to float
        Upper bound name to value.
    verdicts : dict of str to str
        Bound name to :func:`bound_verdict` (``below``, ``consistent`` or ``VIOLATED``).
    seconds : float
        Time spent.
    exact : bool
        False where Δ is a certified bracket (dA >= 3, Lemma 12 of proofs/DERIVATION.md).
    upper_mean : float
        Mean of the certified upper ends (bracketed Δ only, else NaN).
    upper_ci95 : tuple of float
        Their 95 % confidence interval.
    lower_bounds : dict of str to float
        Lower bounds (Lemma 11; exact Haar VQE/QAE only).
    band : str
        :func:`band_verdict` against [largest lower, smallest upper bound]; empty if no lower bound applies.
    max_width : float
        Largest relative bracket width ``(upper - lower)/upper`` of one sample.

    Examples
    --------
    >>> check = NumericCheck(
    ...     RunConfig("qsl", "local1", "v1"), 4, 100, 1.0, 0.19, 0.01, (0.17, 0.21), {"proposition2": 0.25},
    ...     {"proposition2": "below"},
    ... )
    >>> check.ok
    True
    """

    config: RunConfig
    n: int
    samples: int
    w: float
    mean: float
    stderr: float
    ci95: tuple[float, float]
    bounds: dict[str, float]
    verdicts: dict[str, str] = field(default_factory=dict)  # name -> below / consistent / VIOLATED
    seconds: float = 0.0
    exact: bool = True  # False: Δ is a certified bracket (dA >= 3); mean/ci95 are of the lower ends
    upper_mean: float = math.nan  # mean of the certified upper ends (bracketed Δ only)
    upper_ci95: tuple[float, float] = (math.nan, math.nan)
    lower_bounds: dict[str, float] = field(default_factory=dict)  # Lemma 11 (Haar / 4-design only)
    band: str = ""  # band_verdict against [max lower bound, min upper bound]; "" if no lower bound applies
    max_width: float = 0.0  # largest relative certified-bracket width (upper - lower)/upper of a sample

    @property
    def ok(self) -> bool:
        """Whether no bound is violated and E[Δ] is not below the lower bound."""
        return all(v != "VIOLATED" for v in self.verdicts.values()) and not self.band.startswith("BELOW")

    def as_dict(self) -> dict[str, Any]:
        """The check as a flat dict (the configuration's fields first, as in ``verify.json``)."""
        c = self.config
        rest = asdict(self)
        del rest["config"]
        head = {"task": c.task, "ensemble": c.ensemble, "case": c.case, "q": c.q}
        head |= {"n": rest.pop("n"), "samples": rest.pop("samples"), "seed": c.seed}
        tail = {"m": c.m, "max_width": rest.pop("max_width")}
        return head | rest | tail


def bound_verdict(ci95: tuple[float, float], bound: float, upper_ci95: tuple[float, float] | None = None) -> str:
    """Compare the 95 % CI of E[Δ] with an upper bound.

    Parameters
    ----------
    ci95 : tuple of float
        The CI of the mean of Δ (of the lower ends, for a bracketed Δ).
    bound : float
        The upper bound.
    upper_ci95 : tuple of float, optional
        For a bracketed Δ (lower <= Δ <= upper): the CI of the upper ends. *below* then needs the upper
        ends' CI below the bound, *VIOLATED* the lower ends' CI above it.

    Returns
    -------
    str
        ``below`` if the whole CI is at or below the bound, ``VIOLATED`` if it is entirely above,
        ``consistent`` if the bound lies inside it.

    Examples
    --------
    >>> bound_verdict((0.1, 0.2), 0.25), bound_verdict((0.1, 0.2), 0.15), bound_verdict((0.1, 0.2), 0.05)
    ('below', 'consistent', 'VIOLATED')
    >>> bound_verdict((0.1, 0.2), 0.25, upper_ci95=(0.2, 0.3))
    'consistent'
    """
    lo = ci95[0]
    hi = ci95[1] if upper_ci95 is None else upper_ci95[1]
    if hi <= bound:
        return "below"
    if lo > bound:
        return "VIOLATED"
    return "consistent"


def band_verdict(
    ci95: tuple[float, float], lower: float, upper: float, upper_ci95: tuple[float, float] | None = None
) -> str:
    """Two-sided check of E[Δ] against a lower and an upper bound (Lemma 11 of proofs/DERIVATION.md).

    Parameters
    ----------
    ci95 : tuple of float
        The CI of the mean of Δ (of the lower ends, for a bracketed Δ).
    lower, upper : float
        The largest lower bound and the smallest upper bound.
    upper_ci95 : tuple of float, optional
        For a bracketed Δ, the CI of the upper ends: only they can prove E[Δ] < lower, only the lower
        ends E[Δ] > upper.

    Returns
    -------
    str
        ``BELOW LOWER`` (a failure) if the CI lies entirely below ``lower``, ``above upper`` (already a
        violated upper bound) if entirely above ``upper``, else ``inside [lower, upper]``.

    Examples
    --------
    >>> band_verdict((0.1, 0.2), 0.05, 0.5), band_verdict((0.1, 0.2), 0.3, 0.5)
    ('inside [lower, upper]', 'BELOW LOWER')
    """
    hi = ci95[1] if upper_ci95 is None else upper_ci95[1]
    if hi < lower:
        return "BELOW LOWER"
    if ci95[0] > upper:
        return "above upper"
    return "inside [lower, upper]"


@dataclass
class VerifyReport:
    """The outcome of ``weingarten-check verify``: lemma rows, numerical checks and errors.

    Attributes
    ----------
    lemmas : list of LemmaRow
        One row per lemma of the suite (empty if it was not run).
    numerics : list of NumericCheck
        One per check point.
    errors : list of str
        Parts that could not run (recorded, never raised).
    started : str
        UTC start time.
    seconds : float
        Wall time.
    environment : dict of str to str
        Package and Python versions, machine, CPUs.
    finite_depth : list of dict
        The paper's HEA at L = 10 n (:func:`finite_depth_rows`): rows to read, never a failure.

    Examples
    --------
    >>> check = NumericCheck(
    ...     RunConfig("qsl", "local1", "v1"), 4, 100, 1.0, 0.19, 0.01, (0.17, 0.21), {"proposition2": 0.25},
    ...     {"proposition2": "below"},
    ... )
    >>> rep = VerifyReport(
    ...     [LemmaRow("7.4", "Proposition 2", "q >= 2", "passed", 0.5, tests=3, mutants=1)],
    ...     [check], [], "2024-01-01 00:00:00 UTC", 1.0, {"python": "3.11"},
    ... )
    >>> rep.ok, rep.failures
    (True, [])
    >>> rep.lemmas[0].status = "FAILED"
    >>> rep.ok, rep.failures
    (False, ['lemma 7.4: FAILED'])
    """

    lemmas: list[LemmaRow]
    numerics: list[NumericCheck]
    errors: list[str]
    started: str
    seconds: float
    environment: dict[str, str]
    finite_depth: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        """Every reason the report fails: errors, failed lemmas, violated bounds, E[Δ] below a lower bound."""
        out = list(self.errors)
        out += [f"lemma {r.lemma}: {r.status}" for r in self.lemmas if not r.ok]
        for c in self.numerics:
            out += [
                f"{c.task}/{c.ensemble}/{c.case} q={c.q} n={c.n}: E[Δ] above {name}"
                for name, v in c.verdicts.items()
                if v == "VIOLATED"
            ]
            if c.band.startswith("BELOW"):
                out.append(
                    f"{c.task}/{c.ensemble}/{c.case} q={c.q} n={c.n}: E[Δ] below the lower bound "
                    f"{max(c.lower_bounds.values()):.4g}"
                )
        return out

    @property
    def ok(self) -> bool:
        """Whether the report passes (no :attr:`failures`)."""
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (what ``verify.json`` and ``verify --json`` hold).

        Examples
        --------
        >>> check = NumericCheck(
        ...     RunConfig("qsl", "local1", "v1"), 4, 100, 1.0, 0.19, 0.01, (0.17, 0.21), {"proposition2": 0.25},
        ...     {"proposition2": "below"},
        ... )
        >>> rep = VerifyReport(
        ...     [LemmaRow("7.4", "Proposition 2", "q >= 2", "passed", 0.5, tests=3, mutants=1)],
        ...     [check], [], "2024-01-01 00:00:00 UTC", 1.0, {"python": "3.11"},
        ... )
        >>> list(rep.as_dict())
        ['ok', 'failures', 'started', 'seconds', 'environment', 'lemmas', 'numerics', 'errors', 'finite_depth']
        >>> rep.as_dict()["lemmas"][0]["ok"]
        True
        """
        return {
            "ok": self.ok,
            "failures": self.failures,
            "started": self.started,
            "seconds": round(self.seconds, 2),
            "environment": self.environment,
            "lemmas": [asdict(r) | {"ok": r.ok} for r in self.lemmas],
            "numerics": [c.as_dict() | {"ok": c.ok} for c in self.numerics],
            "errors": self.errors,
            "finite_depth": self.finite_depth,
        }


def _environment() -> dict[str, str]:
    from weingarten_check import __version__ as version

    return {
        "weingarten_check": str(version),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}",
        "cpus": str(os.cpu_count()),
    }


def _run_lemmas(extra_pytest_args: Sequence[str], progress: bool = False) -> list[LemmaRow]:
    from weingarten_check.reporting.proofs_report import run_proofs

    if progress:  # per-lemma progress on stderr while the suite runs
        from weingarten_check.reporting.proofs_report import LemmaProgress

        bar = LemmaProgress("lemmas")
        try:
            results = run_proofs(extra_pytest_args=tuple(extra_pytest_args), progress=bar)
        finally:
            bar.close()
    else:
        results = run_proofs(extra_pytest_args=tuple(extra_pytest_args))
    rows = []
    for r in results:
        rows.append(
            LemmaRow(
                str(getattr(r, "lemma", "?")),
                str(getattr(r, "statement", "")),
                str(getattr(r, "dimensions", "")),
                str(getattr(r, "status", "?")),
                float(getattr(r, "seconds", 0.0) or 0.0),
                int(getattr(r, "tests", 0) or 0),
                int(getattr(r, "mutants", 0) or 0),
            )
        )
    return rows


def _run_numeric(point: CheckPoint, samples: int, seed: int) -> NumericCheck:
    from weingarten_check.experiments.estimate import estimate_variation_range

    c = replace(point.config, seed=seed)
    t0 = time.perf_counter()
    est = estimate_variation_range(
        c.task, c.ensemble, c.case, point.n, q=c.q, samples=samples, seed=c.seed, sites=c.sites
    )
    bounds = {k: float(v) for k, v in est.bounds.items() if v is not None}
    ci = (float(est.ci95[0]), float(est.ci95[1]))
    exact = bool(getattr(est, "exact", True))
    uci = tuple(float(x) for x in getattr(est, "upper_ci95", (math.nan, math.nan)))
    lower = {k: float(v) for k, v in (getattr(est, "lower_bounds", None) or {}).items() if v is not None}
    band = ""
    if lower and bounds:
        band = band_verdict(ci, max(lower.values()), min(bounds.values()), None if exact else uci)
    return NumericCheck(
        c,
        point.n,
        samples,
        float(est.w),
        float(est.mean),
        float(est.stderr),
        ci,
        bounds,
        {k: bound_verdict(ci, b, None if exact else uci) for k, b in bounds.items()},
        time.perf_counter() - t0,
        exact,
        math.nan if exact else float(est.upper_mean),
        uci if not exact else (math.nan, math.nan),
        lower,
        band,
        float(getattr(est, "max_width", 0.0)),
    )


#: the n of verify's finite-depth rows: the paper's HEA (VQE, V1 random) at L = 10 n, exact (Lemma 14)
DEPTH_ROW_NS: tuple[int, ...] = (3, 4, 5)


def finite_depth_rows(ns: Sequence[int] = DEPTH_ROW_NS, task: str = "vqe", case: str = "v1") -> list[dict[str, Any]]:
    """Rows "is the paper's 10 n-layer HEA a 2-design for E||K||_F²?": the exact value at ``L = 10 n``.

    For each n, :func:`weingarten_check.theory.finite_depth.ten_n_layers_ratio` (Lemma 14 of
    ``proofs/DERIVATION.md``): ``E||K||_F²`` of the hardware-efficient ansatz the sampler builds, exact in
    Q(√2), its 2-design value (Lemma 9), their ratio and the E[Δ] bound ``2√2 sqrt(E||K||_F²)``.  A row
    to read, not a check: a ratio above 1 says the finite-depth circuit is not yet a 2-design for this
    quantity, which no lemma claims it is.

    Parameters
    ----------
    ns : sequence of int, default DEPTH_ROW_NS
        Numbers of qubits (exact for ``3 <= n <= 5``; n = 5 takes about 15 s).
    task, case : str, default "vqe", "v1"
        As :func:`weingarten_check.theory.finite_depth.finite_depth_moment`.

    Returns
    -------
    list of dict
        ``{"task", "case", "ensemble", "n", "layers", "value", "value_float", "exact", "two_design", "ratio",
        "delta_bound"}`` with ``value`` and ``two_design`` exact strings (sympy-parsable; the value's
        numerator and denominator run to hundreds of digits at n = 5) and the rest floats.

    Examples
    --------
    >>> (row,) = finite_depth_rows([2], task="qae")
    >>> row["layers"], row["two_design"], row["ratio"] > 1
    (20, '3/20', True)
    """
    from ..theory.finite_depth import ten_n_layers_ratio

    rows = []
    for n in ns:
        r = ten_n_layers_ratio(task, case, n)
        rows.append(
            {
                "task": task,
                "case": case,
                "ensemble": "hea",
                "n": n,
                "layers": r["layers"],
                "value": str(r["value"]),
                "value_float": float(r["value"]),
                "exact": bool(r["exact"]),
                "two_design": str(r["two_design"]),
                "ratio": None if r["ratio"] is None else float(r["ratio"]),
                "delta_bound": float(r["delta_bound"]),
            }
        )
    return rows


def run_verify(
    *,
    lemmas: bool = True,
    numerics: bool = True,
    points: Sequence[CheckPoint | tuple] | None = None,
    samples: int = 200,
    seed: int = 0,
    extra_pytest_args: Sequence[str] = (),
    progress: bool = False,
    depth_rows: bool | None = None,
) -> VerifyReport:
    """Run the lemma suite and the numerical confirmation at ``points``.

    A failing part never raises: it is recorded in the report (``errors``, a failed lemma row, a
    violated bound), so the report can always be written.

    Parameters
    ----------
    lemmas : bool, default True
        Run the lemma suite in proofs/ (:func:`~weingarten_check.reporting.proofs_report.run_proofs`).
    numerics : bool, default True
        Estimate E[Δ] at ``points`` (:func:`weingarten_check.experiments.estimate.estimate_variation_range`).
    points : sequence of CheckPoint or tuple, optional
        Check points, each a :class:`CheckPoint` or a tuple ``(task, ensemble, case, q, n[, m])``
        (default :func:`default_points`: what plain ``weingarten-check verify`` runs).
    samples : int, default 200
        Samples per point (>= 2: a confidence interval needs two); every point runs this many.
    seed : int, default 0
        Base seed of every point (replaces the configuration's own seed).
    extra_pytest_args : sequence of str, default ()
        Appended to the pytest command line of the lemma suite.
    progress : bool, default False
        Per-lemma and per-point progress bars on stderr.
    depth_rows : bool, optional
        Add :func:`finite_depth_rows` (default: with the numerics of the default points, q = 2 among them).

    Returns
    -------
    VerifyReport

    Raises
    ------
    TypeError, ValueError
        If ``samples`` is not an integer >= 2, or both parts are off.

    Examples
    --------
    >>> rep = run_verify(lemmas=False, points=[("qsl", "local1", "v1", 2, 4)], samples=4)
    >>> check = rep.numerics[0]
    >>> rep.ok, round(check.mean, 4), check.bounds, check.verdicts
    (True, 0.1906, {'proposition2': 0.25}, {'proposition2': 'consistent'})
    """
    if depth_rows is None:
        depth_rows = numerics and points is None
    if points is None:
        points = default_points()
    check_int(samples, "samples (a CI needs two)", 2)
    if not lemmas and not numerics:
        raise ValueError("nothing to verify: lemmas and numerics are both off")
    started = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    t0 = time.perf_counter()
    errors: list[str] = []
    lemma_rows: list[LemmaRow] = []
    checks: list[NumericCheck] = []
    if lemmas:
        try:
            lemma_rows = _run_lemmas(extra_pytest_args, progress)
            if not lemma_rows:
                errors.append("lemma suite: no lemma was run")
        except Exception as exc:  # recorded, not raised: the report must still be written
            errors.append(f"lemma suite could not run: {type(exc).__name__}: {exc}")
    if numerics and not points:
        errors.append("numerics: no numerical check point was selected, so nothing was checked")
    if numerics:
        from tqdm import tqdm

        for point in tqdm(points, desc="numerics", disable=not progress, unit="point"):
            try:
                checks.append(_run_numeric(as_check_point(point), samples, seed))
            except Exception as exc:
                label = point.label() if isinstance(point, CheckPoint) else "/".join(map(str, point))
                errors.append(
                    f"numerics {label}: {type(exc).__name__}: {exc}"
                    + ("" if not os.environ.get("WGC_DEBUG") else "\n" + traceback.format_exc())
                )
    depth: list[dict[str, Any]] = []
    if depth_rows:
        try:
            depth = finite_depth_rows()
        except Exception as exc:
            errors.append(f"finite-depth rows: {type(exc).__name__}: {exc}")
    return VerifyReport(lemma_rows, checks, errors, started, time.perf_counter() - t0, _environment(), depth)


# --------------------------------------------------------------------------- formatting


def _fmt(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    return f"{x:.3e}" if (abs(x) < 1e-2 or abs(x) >= 1e3) else f"{x:.4f}"


#: a bracketed E[Δ] whose widest sample bracket is narrower than this is printed as one number
ONE_NUMBER_WIDTH = 1e-3


def _estimate_cell(c: NumericCheck) -> str:
    """``mean ± se``; for certified brackets (dA >= 3) one number with the widest sample bracket's
    relative width when that is below :data:`ONE_NUMBER_WIDTH`, else ``[lower, upper]``."""
    if c.exact:
        return f"{_fmt(c.mean)} ± {_fmt(c.stderr)}"
    if c.max_width < ONE_NUMBER_WIDTH:
        return f"{_fmt(c.mean)}† ± {_fmt(c.stderr)} (width ≤ {c.max_width:.0e})"
    return f"[{_fmt(c.mean)}, {_fmt(c.upper_mean)}]† ± {_fmt(c.stderr)}"


def _q_cell(c: NumericCheck) -> str:
    return str(c.q) if c.m == 1 else f"{c.q} (m = {c.m})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def _prediction_cell(c: NumericCheck) -> str:
    """``c/scale (z)`` of Lemma 15 for an exact-Haar row with A = site 0 (one site), else a dash."""
    if c.ensemble != "haar" or c.m != 1 or c.site != 0 or not (c.stderr > 0):
        return "—"
    from ..theory.asymptotics import predicted_mean, prediction_z_score

    try:
        pred = predicted_mean(c.task, c.case, c.q, c.n)
        z = prediction_z_score(c.task, c.case, c.q, c.n, c.mean, c.stderr)
    except ValueError:  # no constant for this task and q
        return "—"
    return f"{_fmt(pred)} ({z:+.1f})"


def format_markdown(rep: VerifyReport) -> str:
    """The report as Markdown (what ``verify`` prints and writes to ``verify.md``).

    Parameters
    ----------
    rep : VerifyReport

    Returns
    -------
    str

    Examples
    --------
    >>> check = NumericCheck(
    ...     RunConfig("qsl", "local1", "v1"), 4, 100, 1.0, 0.19, 0.01, (0.17, 0.21), {"proposition2": 0.25},
    ...     {"proposition2": "below"},
    ... )
    >>> rep = VerifyReport(
    ...     [LemmaRow("7.4", "Proposition 2", "q >= 2", "passed", 0.5, tests=3, mutants=1)],
    ...     [check], [], "2024-01-01 00:00:00 UTC", 1.0, {"python": "3.11"},
    ... )
    >>> print(format_markdown(rep).splitlines()[2])
    **PASS** — 2024-01-01 00:00:00 UTC, 1.0 s, python 3.11
    >>> print(format_markdown(rep).splitlines()[4])
    ## Lemmas (proofs/): 1/1 pass, 1 weakened statements rejected
    """
    lines = [
        "# weingarten-check verify",
        "",
        f"**{'PASS' if rep.ok else 'FAIL'}** — {rep.started}, {rep.seconds:.1f} s, "
        + ", ".join(f"{k} {v}" for k, v in rep.environment.items()),
        "",
    ]
    if rep.lemmas:
        npass = sum(r.ok for r in rep.lemmas)
        nmut = sum(r.mutants for r in rep.lemmas)
        lines += [
            f"## Lemmas (proofs/): {npass}/{len(rep.lemmas)} pass, {nmut} weakened statements rejected",
            "",
            "Each lemma is checked by `tests` tests; `mutants` weakened versions of it (e.g. a constant "
            "tightened by 1 %) are run too and must fail, so the tests are not vacuous. "
            "Details: proofs/DERIVATION.md.",
            "",
        ]
        lines += _table(
            ["lemma", "statement", "dimensions", "status", "tests", "mutants", "time (s)"],
            [
                (r.lemma, r.statement, r.dimensions, r.status, str(r.tests), str(r.mutants), f"{r.seconds:.1f}")
                for r in rep.lemmas
            ],
        )
        lines.append("")
    if rep.numerics:
        samples = sorted({c.samples for c in rep.numerics})
        lines += [
            "## E[Δ] against the bounds",
            "",
            f"Samples per point: {', '.join(map(str, samples))} (one base seed; per-sample streams from "
            "experiments.sample_rng). Each cell: "
            "bound (E[Δ] / bound). Verdict: `below` = the whole 95 % CI of E[Δ] is below every bound; "
            "`consistent (X)` = bound X lies inside the CI; `VIOLATED (X)` = the whole CI is above X "
            "(fails). Other bounds (Route 1, element-wise) are in the JSON. `n → ∞`: the large-n prediction "
            "c/scale of E[Δ] (Lemma 15, exact Haar, A = site 0) and the z-score of E[Δ] against it — a column "
            "to read, not a check (the finite-size correction is O(1/d)).",
            "",
        ]
        rows = []
        for c in rep.numerics:
            est = _estimate_cell(c)
            top = c.mean if c.exact else c.upper_mean
            cells = [c.task, c.ensemble, c.case, _q_cell(c), str(c.n), _fmt(c.w), est]
            for names in (
                ("paper_theorem1", "proposition2"),
                ("qudit_theorem1",),
                ("task_dependent", "orthogonal_task_dependent"),
            ):
                name = next((x for x in names if x in c.bounds), None)
                if name is None:
                    cells.append("—")
                    continue
                b = c.bounds[name]
                cells.append(f"{_fmt(b)} ({top / b:.2f})" if b > 0 else _fmt(b))
            cells.append(_prediction_cell(c))
            bad = [k for k, v in c.verdicts.items() if v == "VIOLATED"]
            near = [k for k, v in c.verdicts.items() if v == "consistent"]
            cells.append(
                f"**VIOLATED** ({', '.join(bad)})" if bad else f"consistent ({', '.join(near)})" if near else "below"
            )
            rows.append(cells)
        lines += _table(
            [
                "task",
                "ensemble",
                "case",
                "q",
                "n",
                "w",
                "E[Δ] ± se",
                "paper (Thm 1 / Prop. 2)",
                "qudit Thm 1",
                "task-dependent",
                "n → ∞: c/scale (z)",
                "verdict",
            ],
            rows,
        )
        lines.append("")
        banded = [c for c in rep.numerics if c.lower_bounds]
        if banded:
            lines += [
                "### E[Δ] between the lower and the upper bound (Lemma 11)",
                "",
                "Lower bound: Hölder with the exact fourth moment, `c (E‖K‖²)^{3/2}/(E‖K‖⁴)^{1/2}` "
                "(exact Haar only — it needs a 4-design); upper: the tightest bound of the row above. "
                "`inside [lower, upper]` = the 95 % CI meets the band; `BELOW LOWER` fails the report.",
                "",
            ]
            brows = []
            for c in banded:
                lo, up = max(c.lower_bounds.values()), min(c.bounds.values())
                est = _estimate_cell(c)
                top = c.mean if c.exact else c.upper_mean
                brows.append(
                    [
                        c.task,
                        c.case,
                        _q_cell(c),
                        str(c.n),
                        _fmt(lo),
                        est,
                        _fmt(up),
                        f"{c.mean / lo:.2f}" if lo > 0 else "—",
                        f"{top / up:.2f}" if up > 0 else "—",
                        f"**{c.band}**" if c.band.startswith("BELOW") else c.band,
                    ]
                )
            lines += _table(
                [
                    "task",
                    "case",
                    "q",
                    "n",
                    "lower (4th moment)",
                    "E[Δ] ± se",
                    "upper (tightest)",
                    "E[Δ]/lower",
                    "E[Δ]/upper",
                    "two-sided verdict",
                ],
                brows,
            )
            lines.append("")
        if any(c.ensemble == "clifford" for c in rep.numerics):
            lines += [
                "`clifford`: uniformly random n-qubit Clifford unitaries, an exact unitary 3-design "
                "(Lemma 13), so every 2-design bound applies; E[Δ] itself differs from Haar (README, "
                '"An exact 2-design that is not Haar").',
                "",
            ]
        if any(c.ensemble in ("orthogonal", "real-hea") for c in rep.numerics):
            lines += [
                "`orthogonal`: exact Haar on O(d) (real-amplitude circuits), not a unitary 2-design, so the "
                "unitary bounds are not implied; its task-dependent column is the O(d) bound "
                "2√r √E‖K‖²_F of Lemma 16 (exact E‖K‖²_F over O(d)).",
                "",
            ]
        if any(not c.exact for c in rep.numerics):
            lines += [
                "† dA ≥ 3 and not a fidelity cost: Δ has no closed form; each sample is a certified "
                "bracket [C(U_max) - C(U_min) at optimised unitaries, an exactly checked upper end: an SDP dual "
                "certificate of level 1 or 2, or the exact nuclear-norm bound 2||K||_*, whichever is lower "
                "(Lemma 12)]. "
                "The ratio uses the "
                "upper end; a bound is violated only if the lower ends' CI lies above it. One number with "
                "`width ≤ w`: the mean of the lower ends, every sample's bracket narrower than w relative to "
                "its upper end; `[a, b]`: means of the lower and upper ends (some bracket wider than "
                f"{ONE_NUMBER_WIDTH:g}).",
                "",
            ]
    if rep.finite_depth:
        lines += [
            "## Finite depth: the paper's hardware-efficient ansatz at L = 10 n (Lemma 14)",
            "",
            "Exact E||K||_F² of the HEA the sampler builds (R_y(π/4), then L layers of random-axis Pauli "
            "rotations and a CZ chain), against the exact 2-design value of Lemma 9; the E[Δ] bound is "
            "2√2 sqrt(E||K||_F²). A row to read, not a check: no lemma claims the finite-depth circuit is a 2-design.",
            "",
        ]
        lines += _table(
            [
                "task",
                "case",
                "n",
                "L",
                "E||K||_F² (exact, rounded here; exact in the JSON)",
                "2-design value",
                "ratio",
                "E[Δ] bound",
            ],
            [
                [
                    r["task"],
                    r["case"],
                    str(r["n"]),
                    str(r["layers"]),
                    f"{r['value_float']:.8f}",
                    r["two_design"],
                    "-" if r["ratio"] is None else f"{r['ratio']:.5f}",
                    _fmt(r["delta_bound"]),
                ]
                for r in rep.finite_depth
            ],
        )
        lines.append("")
    if rep.failures:
        lines += ["## Failures", ""] + [f"- {f}" for f in rep.failures] + [""]
    return "\n".join(lines)


def write_report(rep: VerifyReport, outdir: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``verify.md`` and ``verify.json`` under ``outdir`` (created).

    Parameters
    ----------
    rep : VerifyReport
    outdir : str or os.PathLike

    Returns
    -------
    tuple of pathlib.Path
        The Markdown and the JSON file.

    Examples
    --------
    >>> import json, tempfile
    >>> check = NumericCheck(
    ...     RunConfig("qsl", "local1", "v1"), 4, 100, 1.0, 0.19, 0.01, (0.17, 0.21), {"proposition2": 0.25},
    ...     {"proposition2": "below"},
    ... )
    >>> rep = VerifyReport(
    ...     [LemmaRow("7.4", "Proposition 2", "q >= 2", "passed", 0.5, tests=3, mutants=1)],
    ...     [check], [], "2024-01-01 00:00:00 UTC", 1.0, {"python": "3.11"},
    ... )
    >>> md, js = write_report(rep, tempfile.mkdtemp())
    >>> md.name, js.name, json.loads(js.read_text())["ok"]
    ('verify.md', 'verify.json', True)
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    md, js = outdir / "verify.md", outdir / "verify.json"
    md.write_text(format_markdown(rep) + "\n")
    js.write_text(strict_json.dumps(rep.as_dict(), indent=1, default=str) + "\n")
    return md, js
