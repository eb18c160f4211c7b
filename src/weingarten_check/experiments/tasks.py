"""The configuration of a run: the one list of choices, the configuration record, seeding, and the task.

Everything here is independent of the random circuits:

* the choices -- :data:`TASKS`, :data:`CASES`, :data:`ENSEMBLES` (what can be sampled),
  :data:`ENSEMBLE_CHOICES` (what a user may name: also ``"paper"``) and :data:`PAPER_ENSEMBLE`
  (the paper's ensemble per task, Figure 5), imported by every other module;
* :class:`RunConfig`, the one record of a configuration (task, ensemble, case, q, site, m, seed, and
  the depth ``layers`` of a finite-depth ensemble): the key of a results file, the seed of every
  sample, the task at each n;
* the seeding rule -- :func:`config_entropy` and :func:`sample_rng`;
* :class:`TaskSpec` (:func:`task_spec`): the observable of a task at n sites and the numbers the
  bounds need, and the bounds that apply, :func:`bounds_for` (upper) and :func:`lower_bounds_for`.

Tasks (the paper's Figure 5; input state ``|0...0>``, A = the m sites ``site, ..., site + m - 1``):

* ``"vqe"``: the Heisenberg ring (Eq. 9; the SU(q) version for q > 2);
* ``"qae"``: ``H = I - |0><0|_R ⊗ I``, R = site 0 discarded (Eq. 10), w = 1;
* ``"qsl"``: ``H = I - |0...0><0...0|`` (Eq. 11), w = 1; Δ is exactly ``||M||_1²`` (Lemma 7.2 of
  proofs/DERIVATION.md).

Ensembles: ``"haar"`` (exact Haar), ``"hea"`` (the paper's hardware-efficient circuit, 10 n layers by
default), ``"brickwork"`` (Haar 2-site gates in a brickwork on an open chain, 10 n layers by default),
``"local1"`` (one layer of single-site rotations, a 1-design), ``"clifford"`` (uniformly random
n-qubit Clifford, an exact 3-design, Lemma 13; qubits only), ``"orthogonal"`` (exact Haar on O(d): real
states, Lemma 16; a 2-design for O(d), not for U(d)), ``"real-hea"`` (``hea`` with R_Y rotations only:
a real-amplitude circuit, qubits only).  Cases: ``"v1"`` (V1 random, V2 = I),
``"v2"`` (V1 = I, V2 random), ``"both"``.  The bounds come from :mod:`weingarten_check.theory.bounds`
and are for the **unnormalised** Δ.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES
from ..theory.bounds import CASES  # which of V1, V2 is drawn from the ensemble (the other is the identity)
from ..util.checks import check_choice, check_int, check_sites

if TYPE_CHECKING:  # imported where used, so that the choices and RunConfig stay cheap to import (the CLI)
    from ..states.observables import Observable

__all__ = [
    "TASKS",
    "CASES",
    "ENSEMBLES",
    "ENSEMBLE_CHOICES",
    "PAPER_ENSEMBLE",
    "CONFIG_FIELDS",
    "resolve_ensemble",
    "check_ensemble_q",
    "RunConfig",
    "ConfigFields",
    "record_config_key",
    "config_entropy",
    "sample_rng",
    "TaskSpec",
    "task_spec",
    "bounds_for",
    "lower_bounds_for",
]

#: the paper's three tasks (Figure 5 (a), (b), (c))
TASKS = ("vqe", "qae", "qsl")
#: the ensembles a sample can be drawn from
ENSEMBLES = ("haar", "hea", "local1", "clifford", "orthogonal", "real-hea", "brickwork")
#: the paper's ensembles (Figure 5): the hardware-efficient circuit for VQE/QAE, one rotation layer for QSL
PAPER_ENSEMBLE = {"vqe": "hea", "qae": "hea", "qsl": "local1"}
#: the ensemble names a user may give: ``"paper"`` means :data:`PAPER_ENSEMBLE` of the task
ENSEMBLE_CHOICES = ("paper", *ENSEMBLES)
#: the fields of :class:`RunConfig`, in the order of :meth:`RunConfig.key`; with n and the sample index
#: they identify a sample of a results file
CONFIG_FIELDS = ("task", "ensemble", "case", "q", "site", "m", "seed", "layers")
#: fields a results record leaves out when they have this value (files from before m and layers existed
#: stay valid: ``layers`` None is the ensemble's default depth, 10 n for the finite-depth ensembles)
_RECORD_DEFAULTS: dict[str, Any] = {"m": 1, "layers": None}


def resolve_ensemble(ensemble: str, task: str) -> str:
    """The ensemble that ``ensemble`` names for ``task``: :data:`PAPER_ENSEMBLE` for ``"paper"``.

    Parameters
    ----------
    ensemble : str
        One of :data:`ENSEMBLE_CHOICES`.
    task : str
        One of :data:`TASKS`.

    Returns
    -------
    str
        One of :data:`ENSEMBLES`.

    Raises
    ------
    ValueError
        If ``ensemble`` or ``task`` is not a known name.

    Examples
    --------
    >>> resolve_ensemble("paper", "qsl"), resolve_ensemble("haar", "qsl")
    ('local1', 'haar')
    """
    task = check_choice(task, "task", TASKS)
    ensemble = check_choice(ensemble, "ensemble", ENSEMBLE_CHOICES)
    return PAPER_ENSEMBLE[task] if ensemble == "paper" else ensemble


def check_ensemble_q(ensemble: str, q: int) -> None:
    """Raise ``ValueError`` if ``ensemble`` cannot act on sites of dimension ``q``.

    The Clifford and real-hea ensembles are defined for qubits only (q = 2); every other ensemble takes any
    q >= 2.

    Parameters
    ----------
    ensemble : str
        The ensemble name.
    q : int
        The local dimension.

    Raises
    ------
    ValueError
        If ``ensemble`` is ``"clifford"`` or ``"real-hea"`` and ``q != 2``.

    Examples
    --------
    >>> check_ensemble_q("clifford", 3)
    Traceback (most recent call last):
    ...
    ValueError: ensemble 'clifford' is for qubits only (q = 2), got q = 3; use 'haar' or 'hea' for qudits
    """
    if ensemble in ("clifford", "real-hea") and q != 2:
        raise ValueError(
            f"ensemble {ensemble!r} is for qubits only (q = 2), got q = {q}; use 'haar' or 'hea' for qudits"
        )


def config_entropy(
    task: str,
    ensemble: str,
    case: str,
    q: int,
    site: int,
    sites: Sequence[int] | None = None,
    layers: int | None = None,
) -> int:
    """A stable 32-bit tag of a configuration, mixed into the seed of each of its samples.

    CRC-32 of ``task/ensemble/case/q/site`` when A is the one site ``site`` (the paper's m = 1;
    ``sites`` None or ``(site,)``), and of ``task/ensemble/case/q/site/A=s1,s2,...`` when A is several
    sites, so m >= 2 draws circuits independent of m = 1 while every m = 1 stream stays what it was.
    An explicit depth ``layers`` appends ``/L=layers``: each depth draws its own circuits, and the
    default depth (None) keeps the stream it always had.

    Parameters
    ----------
    task, ensemble, case : str
        The configuration's names.
    q, site : int
        Local dimension and first site of A.
    sites : sequence of int, optional
        The sites of A (default: ``(site,)``).
    layers : int, optional
        The depth of a finite-depth ensemble (None: its default).

    Returns
    -------
    int
        The tag, in ``range(2**32)``.

    Examples
    --------
    >>> config_entropy("vqe", "haar", "v1", 2, 0) == config_entropy("vqe", "haar", "v1", 2, 0, (0,))
    True
    >>> config_entropy("vqe", "haar", "v1", 2, 0) == config_entropy("vqe", "haar", "v1", 2, 0, (0, 1))
    False
    >>> config_entropy("vqe", "hea", "v1", 2, 0) == config_entropy("vqe", "hea", "v1", 2, 0, layers=40)
    False
    """
    tag = f"{task}/{ensemble}/{case}/{int(q)}/{int(site)}"
    if sites is not None and tuple(int(s) for s in sites) != (int(site),):
        tag += "/A=" + ",".join(str(int(s)) for s in sites)
    if layers is not None:
        tag += f"/L={int(layers)}"
    return zlib.crc32(tag.encode())


def sample_rng(seed: int, n: int, index: int, config: int = 0) -> np.random.Generator:
    """The generator of sample ``index`` at size ``n``.

    ``default_rng(SeedSequence([seed, config], spawn_key=(n, index)))``: the one seeding rule of the
    project (estimates, sweeps, the verify report).  ``config`` is :func:`config_entropy` of the
    configuration, so different tasks/ensembles/cases draw independent circuits (otherwise e.g. the
    QSL cases v1 and v2, equal in distribution, would give identical values).  Independent of
    execution order, worker count and interruptions: a resumed sweep reproduces the uninterrupted
    values bit for bit, and sample s of an estimate equals sample s of a sweep with the same seed.

    Parameters
    ----------
    seed : int
        The base seed of the run.
    n, index : int
        Number of sites and the sample's index.
    config : int, default 0
        The configuration's tag, :func:`config_entropy`.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> a = sample_rng(0, 4, 1, 7).integers(1000, size=3)
    >>> b = sample_rng(0, 4, 1, 7).integers(1000, size=3)
    >>> bool((a == b).all()), bool((a == sample_rng(0, 4, 2, 7).integers(1000, size=3)).all())
    (True, False)
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(config)], spawn_key=(int(n), int(index))))


@dataclass(frozen=True)
class RunConfig:
    """The configuration of a run: everything that fixes the law and the seeds of its samples but n.

    A run draws V1/V2 (as ``case`` says) from ``ensemble`` for ``task`` on n sites of dimension ``q``,
    with the local unitary on A = the ``m`` consecutive sites ``site, ..., site + m - 1``, and seeds
    sample ``index`` at size n by :meth:`rng`.  Sweeps (``SweepSpec`` = config + ns + samples), the
    results file (:meth:`key`, :meth:`record_fields`), the verify report's points (config + n) and the
    figures use this one record.

    Parameters
    ----------
    task : str
        One of :data:`TASKS`.
    ensemble : str
        One of :data:`ENSEMBLE_CHOICES`; ``"paper"`` is replaced by the task's :data:`PAPER_ENSEMBLE`.
    case : str
        One of :data:`CASES`.
    q : int, default 2
        Local dimension (>= 2; 2 for ``"clifford"``).
    site : int, default 0
        First site of A (>= 0).
    m : int, default 1
        Number of sites of A (>= 1; the paper's is 1).
    seed : int, default 0
        Base seed (>= 0).
    layers : int, optional
        The depth of a finite-depth ensemble (:data:`FINITE_DEPTH_ENSEMBLES`, >= 0); None (default)
        is its default depth, 10 n.  Must be None for the other ensembles.  A configuration with
        ``layers`` never shares records or random streams with one without it (:meth:`key`,
        :meth:`entropy`), not even when ``layers`` equals 10 n.

    Raises
    ------
    ValueError
        For an unknown name, a number out of range, the Clifford ensemble with q != 2, or ``layers``
        for an ensemble without depth.
    TypeError
        If q, site, m or seed is not an integer.

    Examples
    --------
    >>> c = RunConfig("vqe", "paper", "v1", seed=3)
    >>> c.ensemble, c.sites, c.key()
    ('hea', (0,), ('vqe', 'hea', 'v1', 2, 0, 1, 3, None))
    >>> RunConfig("vqe", "brickwork", "v1", layers=12).record_fields()["layers"]
    12
    >>> c.record_fields()
    {'task': 'vqe', 'ensemble': 'hea', 'case': 'v1', 'q': 2, 'site': 0, 'seed': 3}
    >>> RunConfig("qsl", "haar", "v3")
    Traceback (most recent call last):
    ...
    ValueError: case must be one of ('v1', 'v2', 'both'), got 'v3'
    """

    task: str
    ensemble: str
    case: str
    q: int = 2
    site: int = 0
    m: int = 1
    seed: int = 0
    layers: int | None = None

    def __post_init__(self) -> None:
        check_choice(self.task, "task", TASKS)
        object.__setattr__(self, "ensemble", resolve_ensemble(self.ensemble, self.task))
        check_choice(self.case, "case", CASES)
        object.__setattr__(self, "q", check_int(self.q, "q", 2))
        check_ensemble_q(self.ensemble, self.q)
        object.__setattr__(self, "site", check_int(self.site, "site", 0))
        object.__setattr__(self, "m", check_int(self.m, "m", 1))
        object.__setattr__(self, "seed", check_int(self.seed, "seed", 0))
        if self.layers is not None:
            object.__setattr__(self, "layers", check_int(self.layers, "layers", 0))
            if self.ensemble not in FINITE_DEPTH_ENSEMBLES:
                raise ValueError(
                    f"layers is only for the finite-depth ensembles {', '.join(FINITE_DEPTH_ENSEMBLES)}; "
                    f"ensemble {self.ensemble!r} has no depth"
                )

    @property
    def sites(self) -> tuple[int, ...]:
        """The sites of A: ``(site, ..., site + m - 1)``."""
        return tuple(range(self.site, self.site + self.m))

    def key(self) -> tuple:
        """The values of :data:`CONFIG_FIELDS`: the configuration's key in a results file."""
        return tuple(getattr(self, f) for f in CONFIG_FIELDS)

    def record_fields(self) -> dict[str, Any]:
        """The fields that identify this configuration in a results record (``m`` only when != 1,
        ``layers`` only when not None).

        A record without ``m`` has m = 1 and one without ``layers`` the default depth, so files written
        before these fields existed keep their keys.
        """
        return {
            f: getattr(self, f)
            for f in CONFIG_FIELDS
            if not (f in _RECORD_DEFAULTS and getattr(self, f) == _RECORD_DEFAULTS[f])
        }

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> RunConfig:
        """The configuration of a results record (a record without ``m`` has m = 1).

        Examples
        --------
        >>> rec = {"task": "qae", "ensemble": "haar", "case": "v2", "q": 3, "site": 0, "seed": 1, "n": 4}
        >>> RunConfig.from_record(rec) == RunConfig("qae", "haar", "v2", q=3, seed=1)
        True
        """
        return cls(*record_config_key(rec))

    def entropy(self) -> int:
        """:func:`config_entropy` of this configuration (A = :attr:`sites`, and :attr:`layers`)."""
        return config_entropy(self.task, self.ensemble, self.case, self.q, self.site, self.sites, self.layers)

    def rng(self, n: int, index: int) -> np.random.Generator:
        """The generator of sample ``index`` at size ``n``: :func:`sample_rng` ``(seed, n, index, entropy())``.

        Examples
        --------
        >>> c = RunConfig("vqe", "haar", "v1")
        >>> bool(c.rng(4, 0).random() == sample_rng(0, 4, 0, c.entropy()).random())
        True
        """
        return sample_rng(self.seed, n, index, self.entropy())

    def check_n(self, n: object) -> int:
        """Return ``n`` as an ``int`` if A fits in n sites with B non-empty (``n > m``, ``site + m <= n``).

        Raises
        ------
        TypeError
            If ``n`` is not an integer.
        ValueError
            If ``n <= m`` or ``site + m > n``.

        Examples
        --------
        >>> RunConfig("vqe", "haar", "v1", m=2).check_n(2)
        Traceback (most recent call last):
        ...
        ValueError: n must be > m = 2 (the size of A); got n = 2
        """
        n = check_int(n, "n", 1)
        if n <= self.m:
            raise ValueError(f"n must be > m = {self.m} (the size of A); got n = {n}")
        if self.site + self.m > n:
            raise ValueError(
                f"site + m must be <= n (A = sites site..site+m-1 in range(n)); "
                f"got site = {self.site}, m = {self.m} with n = {n}"
            )
        return n

    def task_spec(self, n: int) -> TaskSpec:
        """The task at ``n`` sites with A = :attr:`sites` (:func:`task_spec`; cached per process).

        Examples
        --------
        >>> spec = RunConfig("qsl", "local1", "v1", q=3).task_spec(4)
        >>> spec.n, spec.dA, spec.fidelity
        (4, 3, True)
        """
        return _cached_task_spec(self.task, n, self.q, self.sites)


class ConfigFields:
    """The fields of a ``config`` :class:`RunConfig` readable as attributes of the object holding it.

    Mixed into the records that carry a configuration (a summary row, a verify check, a figure curve)
    so that ``row.task``, ``row.q``, ``row.m`` ... read the one record instead of repeating its fields.

    Examples
    --------
    >>> class Row(ConfigFields):
    ...     def __init__(self, config):
    ...         self.config = config
    >>> r = Row(RunConfig("qae", "haar", "v1", q=3))
    >>> r.task, r.q, r.m, r.seed
    ('qae', 3, 1, 0)
    """

    config: RunConfig

    @property
    def task(self) -> str:
        return self.config.task

    @property
    def ensemble(self) -> str:
        return self.config.ensemble

    @property
    def case(self) -> str:
        return self.config.case

    @property
    def q(self) -> int:
        return self.config.q

    @property
    def site(self) -> int:
        return self.config.site

    @property
    def m(self) -> int:
        return self.config.m

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def layers(self) -> int | None:
        return self.config.layers


def record_config_key(rec: Mapping[str, Any]) -> tuple:
    """The configuration key of a results record, in the order of :meth:`RunConfig.key` (no validation).

    A record without ``m`` has m = 1, one without ``layers`` the default depth (None).

    Parameters
    ----------
    rec : mapping
        A results record (or any mapping holding the fields of :data:`CONFIG_FIELDS`).

    Returns
    -------
    tuple
        The values of :data:`CONFIG_FIELDS`, in that order.

    Raises
    ------
    KeyError
        If a field other than ``m`` is missing.

    Examples
    --------
    >>> record_config_key({"task": "vqe", "ensemble": "haar", "case": "v1", "q": 2, "site": 0, "seed": 5})
    ('vqe', 'haar', 'v1', 2, 0, 1, 5, None)
    """
    return tuple(rec[f] if f in rec else _RECORD_DEFAULTS[f] for f in CONFIG_FIELDS)


@dataclass
class TaskSpec:
    """Everything about a task at n sites that does not depend on the random circuits.

    Attributes
    ----------
    task : str
        One of :data:`TASKS`.
    n, q : int
        Number of sites and local dimension.
    sites : tuple of int
        The sites of A.
    observable : Observable
        H of the task (for ``"qsl"``: ``I - |0...0><0...0|``).
    fidelity : bool
        True for ``"qsl"``: Δ is ``||M||_1²`` (Lemma 7.2 of proofs/DERIVATION.md).
    coupling : float
        ``Σ_a tr_B(h_a²)`` of H (the case "v1" with V2 = I, Lemma 9).
    state_coupling : float
        ``1 - 1/dA`` for ``ρ = |0...0>`` (the case "v2" with V1 = I, Lemma 9).
    h_hs_centered : float
        ``tr H² - (tr H)²/d``.
    purity : float
        ``tr ρ² = 1``.

    Examples
    --------
    >>> s = task_spec("vqe", 4)
    >>> s.m, s.dA, round(s.w, 9), s.coupling
    (1, 2, 12.0, 96.0)
    """

    task: str
    n: int
    q: int
    sites: tuple[int, ...]
    observable: Observable
    fidelity: bool
    coupling: float
    state_coupling: float
    h_hs_centered: float
    purity: float = 1.0

    @property
    def m(self) -> int:
        """The number of sites of A."""
        return len(self.sites)

    @property
    def dA(self) -> int:
        """The dimension ``q**m`` of A."""
        return self.q**self.m

    @property
    def w(self) -> float:
        """Spectral width w(H), or NaN where it is not computable.

        Exact: the Heisenberg ground energy by sector Lanczos; 1 for QAE and QSL.  NaN for the
        Heisenberg ring beyond the sector-Lanczos limit (n > 22 qubits, q^n > 2^24 qudits); then the
        bounds that need w are left out.
        """
        try:
            return self.observable.width
        except ValueError:
            return math.nan


def task_spec(task: str, n: int, q: int = 2, site: int = 0, sites: Sequence[int] | None = None) -> TaskSpec:
    """Build the observable of ``task`` on n sites of dimension q and the numbers the bounds need.

    Parameters
    ----------
    task : str
        One of :data:`TASKS`.
    n : int
        Number of sites (>= 2).
    q : int, default 2
        Local dimension (>= 2).
    site : int, default 0
        The site of A when ``sites`` is not given.
    sites : sequence of int, optional
        The sites of A: distinct, in ``range(n)``, and fewer than n.

    Returns
    -------
    TaskSpec

    Raises
    ------
    ValueError
        For an unknown task, n < 2, q < 2 or bad sites.
    TypeError
        If n or q is not an integer.

    Examples
    --------
    >>> s = task_spec("qae", 5, site=3)
    >>> s.sites, s.w, s.coupling
    ((3,), 1.0, 0.0)
    """
    from ..states.observables import heisenberg_ring, qae_observable, qsl_observable

    task = check_choice(task, "task", TASKS)
    n = check_int(n, "n", 2)
    q = check_int(q, "q", 2)
    if sites is None:
        sites = (site,)
    sites = check_sites(sites, n, proper=True)
    if task == "vqe":
        obs = heisenberg_ring(n, q)
    elif task == "qae":
        obs = qae_observable(n, q)
    else:
        obs = qsl_observable(n, q)
    dA = q ** len(sites)
    return TaskSpec(task, n, q, sites, obs, task == "qsl", obs.coupling(sites), 1.0 - 1.0 / dA, obs.h_hs_centered())


@functools.lru_cache(maxsize=64)
def _cached_task_spec(task: str, n: int, q: int, sites: tuple[int, ...]) -> TaskSpec:
    """Per-process cache of :func:`task_spec` (observable, w, couplings: built once per n)."""
    return task_spec(task, n, q, sites=sites)


def bounds_for(spec: TaskSpec, ensemble: str, case: str) -> tuple[dict[str, float], str]:
    """The upper bounds on E[Δ] (floats, unnormalised Δ) that apply to ``(spec, ensemble, case)``, and a note.

    The 2-design bounds -- Theorem 1 as printed (qubits, Lemma 6), its qudit form (Lemma 6), Route 1,
    the element-wise Route 2 (Lemma 5) and the task-dependent bound (Lemma 9) of proofs/DERIVATION.md --
    apply to ``"haar"`` and ``"clifford"`` (an exact 2-design, in fact a 3-design, for qubits: Lemma 13)
    and, approximately, to the finite-depth ``"hea"`` and ``"brickwork"``; Proposition 2 (the fidelity
    task, Lemma 7.4) needs only a 1-design and applies to every ensemble.  The unitary 2-design bounds are
    not implied for ``"orthogonal"`` (Haar on O(d) is not a unitary 2-design, Lemma 16.2) nor
    ``"real-hea"``: they get the O(d) bound ``"orthogonal_task_dependent"`` (Lemmas 16.4 and 16.7,
    :func:`weingarten_check.theory.orthogonal.orthogonal_task_dependent_bound`), proved for
    ``"orthogonal"``; for ``"real-hea"`` it is shown for comparison only: R_Y + CZ circuits do not converge
    to Haar on O(d), and their E[Δ] exceeds it (tests/test_tasks.py).

    Parameters
    ----------
    spec : TaskSpec
        The task.
    ensemble : str
        One of :data:`ENSEMBLES`.
    case : str
        One of :data:`CASES`.

    Returns
    -------
    bounds : dict of str to float
        Bound name -> value (names as in :attr:`VariationRangeEstimate.bounds`).
    note : str
        Why some bounds are absent or approximate ("" if none).

    Raises
    ------
    ValueError
        For an unknown ensemble or case, or the Clifford ensemble with q != 2.

    Examples
    --------
    >>> bounds_for(task_spec("qsl", 4), "local1", "v1")
    ({'proposition2': 0.25}, 'local1 is only a 1-design: Theorem-1 bounds do not apply')
    >>> b, note = bounds_for(task_spec("qae", 4), "haar", "v1")
    >>> sorted(b), round(b["task_dependent"], 6)
    (['elementwise', 'paper_theorem1', 'qudit_theorem1', 'route1', 'task_dependent'], 0.594089)
    """
    from ..theory import bounds as theory_bounds

    ensemble = check_choice(ensemble, "ensemble", ENSEMBLES)
    case = check_choice(case, "case", CASES)
    n, m, q = spec.n, spec.m, spec.q
    check_ensemble_q(ensemble, q)
    out: dict[str, float] = {}
    note = ""
    if ensemble in ("haar", "hea", "clifford", "brickwork"):
        w = spec.w
        if math.isfinite(w):
            if q == 2:
                out["paper_theorem1"] = float(theory_bounds.paper_theorem1_bound(w, n, m))
            out["qudit_theorem1"] = float(theory_bounds.qudit_theorem1_bound(w, n, m, q))
            out["route1"] = float(theory_bounds.route1_bound(w, n, m, q))
            out["elementwise"] = float(theory_bounds.elementwise_bound(w, n, m, q, case=case))
        out["task_dependent"] = float(
            theory_bounds.task_dependent_bound(
                case,
                n,
                m,
                q,
                coupling=spec.coupling,
                purity=1,
                state_coupling=spec.state_coupling,
                h_hs_centered=spec.h_hs_centered,
            )
        )
        if ensemble in FINITE_DEPTH_ENSEMBLES:
            note = f"{ensemble} is only an approximate 2-design: the 2-design bounds hold up to its design error"
        if not math.isfinite(w):
            note = (note + "; " if note else "") + "w(H) not computable at this n: bounds that need w left out"
    elif ensemble in ("orthogonal", "real-hea"):
        from ..theory.orthogonal import orthogonal_task_dependent_bound

        out["orthogonal_task_dependent"] = orthogonal_task_dependent_bound(case, spec.observable, spec.sites)
        note = f"{ensemble} is real (O(d)): the unitary 2-design bounds are not implied; O(d) bound (Lemma 16)"
        if ensemble == "real-hea":
            note += " for comparison only: R_Y + CZ circuits do not converge to Haar on O(d)"
    else:
        note = "local1 is only a 1-design: Theorem-1 bounds do not apply"
    if spec.fidelity:
        out["proposition2"] = float(theory_bounds.proposition2_bound(n, m, q))
    return out, note


def lower_bounds_for(spec: TaskSpec, ensemble: str, case: str) -> dict[str, float]:
    """Lower bounds on E[Δ] (floats, unnormalised Δ) that apply to ``(spec, ensemble, case)``.

    ``"fourth_moment"`` (Lemma 11.5 of proofs/DERIVATION.md,
    :func:`weingarten_check.theory.bounds.expected_delta_lower_bound`): Hölder with the exact
    E||K||_F² and E||K||_F⁴.  It needs fourth moments, so only the exact-Haar ensemble qualifies
    ("hea" is at best an approximate 2-design, "local1" a 1-design, "clifford" a 3-design, "orthogonal" and
    "real-hea" not unitary designs), and exact
    fourth moments are available for VQE (n >= 3) and QAE with A = site 0 (input ``|0…0>``).

    Parameters
    ----------
    spec : TaskSpec
        The task.
    ensemble : str
        One of :data:`ENSEMBLES`.
    case : str
        One of :data:`CASES`.

    Returns
    -------
    dict of str to float
        ``{"fourth_moment": value}``, or ``{}`` where no lower bound applies.

    Raises
    ------
    ValueError
        For an unknown ensemble or case.

    Examples
    --------
    >>> lower_bounds_for(task_spec("qae", 4), "hea", "v1"), lower_bounds_for(task_spec("qsl", 4), "haar", "v1")
    ({}, {})

    (For exact-Haar VQE/QAE it returns ``{"fourth_moment": ...}``, e.g. 0.344005 for QAE, case v1, n = 4;
    the first call takes seconds to build the exact fourth moments.)
    """
    from ..theory import bounds as theory_bounds

    ensemble = check_choice(ensemble, "ensemble", ENSEMBLES)
    case = check_choice(case, "case", CASES)
    if ensemble != "haar" or spec.task not in ("vqe", "qae") or spec.sites != (0,):
        return {}
    if spec.task == "vqe" and spec.n < 3:
        return {}
    return {"fourth_moment": float(theory_bounds.expected_delta_lower_bound(spec.task, case, spec.n, 1, spec.q))}
