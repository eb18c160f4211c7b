"""Exact ``E||K||_F²`` (and ``E||M||_F²``) for random circuits of finite depth, and the E[Δ] bound.

Lemma 14 of ``proofs/DERIVATION.md``.  For ANY ensemble of V1, V2 (no design assumption)
``E[Δ] <= u sqrt(E||K||_F²)`` with ``u = sqrt(2) dA`` (``2 sqrt(2)`` for one qubit; Lemmas 3.4, 11.3
and Jensen), and for the fidelity cost ``E[Δ_QSL] <= dA E||M||_F²`` (Lemma 7.4).  The second moment
needs only the circuit's two-copy moment map:

``||K||_F² = tr[(H2 ⊗ H2) P_A(ρ1 ⊗ ρ1)]``, ``P_A(Z) = E_A ⊗ tr_{AA'}[(E_A ⊗ I) Z]``,
``E_A = Σ_a G_a ⊗ G_a = F_A - I/dA``, so ``E||K||_F² = tr[(H⊗H) Φ2(P_A(Φ1(ρ⊗ρ)))]`` with ``Φi`` the
moment map of Vi (the identity when Vi is fixed).  It is evaluated in the Heisenberg picture, from
``H ⊗ H`` (its traceless part) through ``Φ2†``, ``P_A``, ``Φ1†`` to the pairing with ``|0…0>^{⊗2}``,
with the per-gate maps of :mod:`weingarten_check.circuits.second_moments` (this module is on the
theory floor: it knows the tasks and the bounds; the gate maps know neither).  For QSL,
``||M||_F² = tr_B[tr_A(φ2φ2†) tr_A(ψ1ψ1†)]`` needs first moments only (copy 2 the identity).

Depth bookkeeping: all layers of the same residue class are identically distributed, so a Heisenberg
pass that applies layer L first gives, after j layers, the value at depth j whenever ``j ≡ L`` modulo
the ensemble's period (2 for brickwork, 1 for the HEA): :func:`finite_depth_series` gets every depth up
to ``Lmax`` in one pass per residue.

Ensembles: ``"brickwork"`` (Haar 2-qubit gates, layer 1 first, odd layers on (0,1),(2,3),…),
``"hea"`` (the sampler's :func:`weingarten_check.circuits.ensembles.hea_circuit`, exact in Q(√2),
n <= 5; n = 6 in float64 with a rigorous rounding bound, VQE/QAE v1/v2,
:class:`weingarten_check.circuits.second_moments.FloatTwoCopy`), ``"real-hea"`` (the sampler's
:func:`weingarten_check.circuits.ensembles.real_hea_circuit`: the same engine with the one-axis ``R_Y``
rotation map, Lemma 14.6; same ranges), ``"local1"`` (one layer
``Rz Ry Rz``, uniform angles; single-site Haar for q >= 3), and ``"haar"`` / ``"clifford"`` (Lemma 9's
values; Clifford is an exact 2-design, Lemma 13), so one API covers finite and infinite depth.
``"brickwork"`` and ``"local1"`` take any q (Lemma 14.7: for q >= 3 the tasks are written in matrix-unit
labels, the SU(q) ring ``Σ_edges (2 SWAP - 2/q)`` and QAE ``I - |0><0|_0 ⊗ I``), and A = two adjacent
sites (``sites=(s, s+1)``, m = 2, ``E_A = F_A - I/q²``: Lemma 14.8); ``"hea"``, ``"real-hea"`` and
``"clifford"`` are qubit-only; ``"haar"`` any q (m = 2: Lemma 4 with the exact coupling).

Examples
--------
>>> r = finite_depth_moment("vqe", "v1", "brickwork", 6, layers=1)
>>> r.value, r.exact
(54/25, True)
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..circuits import second_moments  # gate maps called through the module (mutation tests patch them)
from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES  # the one list of ensembles with a depth
from ..circuits.second_moments import PAULI_PAIR, UNIT_BASE, ZERO_ID, DenseTwoCopy, QSqrt2
from ..util.checks import check_choice, is_int
from .bounds import CASES, delta_frobenius_constants, expected_K_frobenius_sq, expected_M_frobenius_sq
from .task_moments import expected_K_frobenius_sq_task, ring_power_traces

__all__ = [
    "HEA_MAX_N",
    "HEA_FLOAT_MAX_N",
    "delta_bound_expr",
    "FINITE_DEPTH_TASKS",
    "FiniteDepthMoment",
    "finite_depth_moment",
    "finite_depth_series",
    "finite_depth_points",
    "layers_to_within",
    "two_design_value",
    "ten_n_layers_ratio",
    "h_tensor_h",
    "clear_caches",
    "exact_coupling",
]

#: the tasks (VQE Heisenberg ring, QAE, QSL fidelity), A = one site, input ``|0…0>``
FINITE_DEPTH_TASKS = ("vqe", "qae", "qsl")
#: the dense (16^n Pauli-pair) ensembles: the HEA and its real-amplitude version
_DENSE = ("hea", "real-hea")
_DEPTHLESS = ("haar", "clifford", "local1", "orthogonal")
_ALL_ENSEMBLES = FINITE_DEPTH_ENSEMBLES + _DEPTHLESS
#: largest n of the exact dense HEA computation (16^n exact integers)
HEA_MAX_N = 5
#: largest n of the float64 HEA computation with a rounding-error bound (VQE/QAE, v1/v2)
HEA_FLOAT_MAX_N = 6


@dataclass(frozen=True)
class FiniteDepthMoment:
    """``E||K||_F²`` (QSL: ``E||M||_F²``) of one configuration, and the E[Δ] bound it gives.

    Attributes
    ----------
    task, case, ensemble : str
    n : int
    layers : int or None
        None for the depthless ensembles.
    q, site : int
    value : sympy.Expr or float
        Exact (a Rational, or ``a + b*sqrt(2)``) when :attr:`exact`.
    exact : bool
    error_bound, stderr : float or None
        None for exact values.
    sites : tuple of int or None
        The sites of A when given as ``sites`` (m = 2); None for A = the one site ``site``.

    Examples
    --------
    >>> r = finite_depth_moment("qsl", "v1", "haar", 4)
    >>> r.value, r.delta_bound
    (1/8, 0.25)
    """

    task: str
    case: str
    ensemble: str
    n: int
    layers: int | None
    q: int
    site: int
    value: sp.Expr | float
    exact: bool = True
    error_bound: float | None = None
    stderr: float | None = None
    sites: tuple[int, ...] | None = None

    @property
    def m(self) -> int:
        """The number of sites of A."""
        return 1 if self.sites is None else len(self.sites)

    @property
    def delta_bound(self) -> float:
        """The bound on E[Δ]: ``sqrt(2) dA sqrt(value)`` (``2 sqrt(2) sqrt(value)`` for a qubit;
        Lemmas 3.4 / 11.3 and Jensen), or ``dA · value`` for QSL (Lemma 7.4); ``dA = q^m``."""
        return float(delta_bound_expr(self.task, self.value, self.q, self.m))


def delta_bound_expr(task: str, value: sp.Expr | float, q: int = 2, m: int = 1) -> sp.Expr:
    """The E[Δ] bound from the second moment, exactly (Lemma 14 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
    value : sympy.Expr or float
        ``E||K||_F²`` (QSL: ``E||M||_F²``).
    q : int, default 2
        The local dimension.
    m : int, default 1
        The number of sites of A: ``dA = q^m``.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> delta_bound_expr("vqe", sp.Rational(18, 65))   # 2 sqrt(2) sqrt(18/(d+1)) = 12/sqrt(d+1), d = 64
    12*sqrt(65)/65
    >>> delta_bound_expr("vqe", 2, q=2, m=2)   # sqrt(2) dA sqrt(2), dA = 4
    8
    """
    v = sp.sympify(value)
    dA = q**m
    if task == "qsl":
        return dA * v
    _, u = delta_frobenius_constants(dA)
    return u * sp.sqrt(v)


# ---------------------------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------------------------
#: the ensembles that take any local dimension q (the others are qubit circuits)
_ANY_Q = ("haar", "orthogonal", "brickwork", "local1")
#: the ensembles that take A = two adjacent sites (``sites``)
_TWO_SITES = ("haar", "clifford", "brickwork", "local1")


def _check(task, case, ensemble, n, layers, q, site, sites=None):
    """The checked arguments; the last entry is A, the tuple of its sites."""
    task = check_choice(task, "task", FINITE_DEPTH_TASKS)
    case = check_choice(case, "case", CASES)
    ensemble = check_choice(ensemble, "ensemble", _ALL_ENSEMBLES)
    if not is_int(q) or q < 2:
        raise ValueError(f"q must be an int >= 2, got {q!r}")
    q = int(q)
    if ensemble not in _ANY_Q and q != 2:
        raise ValueError(
            f"q must be 2 for ensemble {ensemble!r} (a qubit circuit), got q = {q}; any q >= 2 for {', '.join(_ANY_Q)}"
        )
    lo = 3 if task == "vqe" else 2
    if not is_int(n) or n < lo:
        raise ValueError(f"n must be an int >= {lo} for task {task!r}, got {n!r}")
    n = int(n)
    if not is_int(site) or not 0 <= site < n:
        raise ValueError(f"site must be an int in range(n) = range({n}), got {site!r}")
    site = int(site)
    if sites is None:
        A = (site,)
    else:
        try:
            A = tuple(sites)
        except TypeError:
            A = ()
        if not (len(A) in (1, 2) and all(is_int(s) and 0 <= s < n for s in A) and (len(A) == 1 or A[1] == A[0] + 1)):
            raise ValueError(
                f"sites must be one site or two adjacent sites (s, s + 1) in range(n) = range({n}), got {sites!r}"
            )
        A = tuple(int(s) for s in A)
        if site not in (0, A[0]):
            raise ValueError(f"site = {site} contradicts sites = {A}: give one of them")
        if len(A) == 2 and ensemble not in _TWO_SITES:
            raise ValueError(f"sites (m = 2) is available for ensembles {', '.join(_TWO_SITES)}, not {ensemble!r}")
        if len(A) == 2 and n < 3:
            raise ValueError(f"sites (m = 2) needs n >= 3 (B non-trivial), got n = {n}")
        site = A[0]
    if ensemble in FINITE_DEPTH_ENSEMBLES:
        if layers is None:
            raise ValueError(f"layers is required for the finite-depth ensemble {ensemble!r} (an int >= 1)")
        if not is_int(layers) or layers < 1:
            raise ValueError(f"layers must be an int >= 1, got {layers!r}")
        layers = int(layers)
    elif layers is not None:
        raise ValueError(f"layers must be None for ensemble {ensemble!r} (it has no depth), got {layers!r}")
    if ensemble in _DENSE and n > HEA_MAX_N:
        if n > HEA_FLOAT_MAX_N or task == "qsl" or case == "both":
            raise ValueError(
                f"n must be <= {HEA_MAX_N} for the exact {ensemble!r} moments (16^n exact integers), or "
                f"n = {HEA_FLOAT_MAX_N} for VQE/QAE with case v1 or v2 (float64 with an error bound), got n = {n}"
            )
    return task, case, ensemble, int(n), layers, q, site, A


# ---------------------------------------------------------------------------------------------
# task operators
# ---------------------------------------------------------------------------------------------
def _pauli_terms(task: str, n: int) -> list[tuple[tuple[int, ...], Fraction]]:
    """The traceless part of H as Pauli strings (μ per site)."""
    if task == "vqe":
        terms = []
        edges = {(i, (i + 1) % n) for i in range(n)}
        for i, j in sorted(edges):
            for mu in (1, 2, 3):
                s = [0] * n
                s[i] = s[j] = mu
                terms.append((tuple(s), Fraction(1)))
        return terms
    s = [0] * n
    s[0] = 3
    return [(tuple(s), Fraction(-1, 2))]  # I - |0><0|_R ⊗ I = I/2 - Z_0/2, R = site 0


def _unit_terms(task: str, n: int, q: int) -> list[tuple[tuple[int, ...], Fraction]]:
    """The traceless part of H in matrix units: index 0 = I, ``1 + k q + l`` = E_kl per site.

    VQE: ``Σ_edges 2 (SWAP - I/q)`` with ``SWAP = Σ_kl E_kl ⊗ E_lk`` (the identity parts summed into one
    term); QAE: ``-(E_00 - I/q)`` on site 0."""
    if task == "vqe":
        terms = []
        edges = sorted({tuple(sorted((i, (i + 1) % n))) for i in range(n)})
        for i, j in edges:
            for k, l in itertools.product(range(q), repeat=2):
                s = [0] * n
                s[i], s[j] = 1 + k * q + l, 1 + l * q + k
                terms.append((tuple(s), Fraction(2)))
        terms.append(((0,) * n, Fraction(-2 * len(edges), q)))
        return terms
    s = [0] * n
    s[0] = 1
    return [(tuple(s), Fraction(-1)), ((0,) * n, Fraction(1, q))]


def h_tensor_h(
    task: str,
    n: int,
    site: int | Sequence[int] = 0,
    only_touching: bool = False,
    q: int = 2,
    *,
    units: bool | None = None,
) -> dict:
    """``H ⊗ H`` (traceless part of the task's H) as a sparse two-copy operator.

    The start of the Heisenberg chain of Lemma 14 of ``proofs/DERIVATION.md``.  Qubits: Pauli-pair
    labels; q >= 3 (or ``units=True``): matrix-unit pair labels
    (:func:`weingarten_check.circuits.second_moments.unit_pair_label`; Lemma 14.7), for the SU(q) ring
    ``Σ_edges (2 SWAP - 2/q)`` and QAE ``I - |0><0|_0 ⊗ I``.  With ``only_touching``: only the pairs
    of strings that ``P_A`` does not annihilate — both non-identity on A (and, for Pauli strings, equal
    there: ``tr(E_A P⊗P') = dA δ_PP' [P ≠ I]``).

    Parameters
    ----------
    task : {"vqe", "qae"}
    n : int
    site : int or sequence of int, default 0
        The site(s) of A (used by ``only_touching``).
    only_touching : bool, default False
    q : int, default 2
        The local dimension.
    units : bool, optional
        Keyword-only: use the matrix-unit labels (default: exactly when ``q >= 3``).

    Returns
    -------
    dict

    Examples
    --------
    >>> h_tensor_h("qae", 2)   # (-Z_0/2) ⊗ (-Z_0/2)
    {(15, 0): Fraction(1, 4)}
    >>> len(h_tensor_h("qae", 2, q=3))   # (E_00 - I/3) ⊗ (E_00 - I/3): 4 products
    4
    """
    A = (site,) if is_int(site) else tuple(site)
    use_units = q >= 3 if units is None else bool(units)
    if not use_units and q != 2:
        raise ValueError(f"units must be True for q = {q} (Pauli pairs are qubit labels)")
    terms = _unit_terms(task, n, q) if use_units else _pauli_terms(task, n)
    if only_touching:  # P_A(H⊗H) keeps pairs of strings that are not the identity on A
        terms = [t for t in terms if any(t[0][s] for s in A)]
    k = q * q + 1 if use_units else 4
    table = [
        [second_moments.unit_pair_label(a, b, q) if use_units else int(PAULI_PAIR[a, b]) for b in range(k)]
        for a in range(k)
    ]
    den = math.lcm(*(c.denominator for _, c in terms))  # integer coefficients while summing (speed)
    sparse = [({s: x for s, x in enumerate(t) if x}, int(c * den)) for t, c in terms]  # mostly identity
    out: dict = {}
    get = out.get
    for p, cp in sparse:
        for r, cr in sparse:
            if only_touching and not use_units and any(p.get(s, 0) != r.get(s, 0) for s in A):
                continue
            key = [0] * n
            for s, a in p.items():
                key[s] = table[a][r.get(s, 0)]
            for s, b in r.items():
                if s not in p:
                    key[s] = table[0][b]
            key = tuple(key)
            out[key] = get(key, 0) + cp * cr
    den2 = den * den
    return {key: Fraction(v, den2) for key, v in out.items() if v}


# ---------------------------------------------------------------------------------------------
# circuits: prefix + periodic blocks
# ---------------------------------------------------------------------------------------------
def _prefix(ensemble: str, n: int) -> list:
    if ensemble == "real-hea":
        return second_moments.real_hea_layers(n, 0)
    return second_moments.hea_layers(n, 0) if ensemble == "hea" else []


def _block(ensemble: str, n: int, ell: int, q: int = 2) -> list:
    if ensemble == "brickwork":
        return second_moments.brickwork_layers(n, 1, q, first=ell)
    if ensemble == "real-hea":
        return second_moments.real_hea_layers(n, 1)[1:]
    return second_moments.hea_layers(n, 1)[1:]


def _period(ensemble: str) -> int:
    return 2 if ensemble == "brickwork" else 1


def _fold_functional(prefix: list, n: int, q: int = 2) -> list:
    """Per-site functionals of ``U|0>`` for a prefix of fixed one-site gates (at most one per site)."""
    if not prefix:
        return [second_moments.zero_state_functional(q)] * n
    bloch = [(Fraction(0), Fraction(0), Fraction(1))] * n
    for layer in prefix:
        for g in layer:
            _, ptm = second_moments.fixed_gate_ptm(
                g.spec, True
            )  # U† σ_μ U = Σ_ν R[ν][μ] σ_ν; <0|σ_ν|0> = δ_{ν ∈ {0, z}}
            bloch[g.sites[0]] = tuple(ptm[0][mu] + ptm[3][mu] for mu in (1, 2, 3))
    return [second_moments.product_state_functional(b) for b in bloch]


class _Op:
    """A two-copy operator, sparse (dict) or dense (HEA), with the operations the cases need."""

    def __init__(self, sparse: dict, n: int, dense: bool, q: int = 2):
        self.n, self.q = n, q
        self.dense = DenseTwoCopy.from_sparse(sparse, n) if dense else None
        self.sparse = None if dense else sparse

    def copy(self) -> _Op:
        new = _Op.__new__(_Op)
        new.n, new.q = self.n, self.q
        new.dense = None if self.dense is None else self.dense.copy()
        new.sparse = None if self.sparse is None else dict(self.sparse)
        return new

    def apply(self, layers: list, heisenberg: bool) -> _Op:
        if self.dense is None:
            self.sparse = second_moments.propagate(self.sparse, layers, heisenberg=heisenberg)
        else:
            seq = reversed(layers) if heisenberg else layers
            for layer in seq:
                for g in layer:
                    self.dense.apply_gate(g, dagger=heisenberg)
            self.dense.reduce()
        return self

    def project(self, A: tuple[int, ...]) -> _Op:
        if self.dense is None:
            self.sparse = second_moments.apply_projection_A(self.sparse, A, self.q)
        else:  # E_A ⊗ tr(E_A ·): (μ,μ), μ ≠ 0 -> 2 · ½ (Σ_ν (ν,ν)) on the A axis (one qubit)
            m = ((a, b, 1, 0) for a in (5, 10, 15) for b in (5, 10, 15))
            self.dense._apply_matrix(A[0], 1, 1, tuple(m))
        return self

    def pair(self, functionals: list) -> object:
        if self.dense is None:
            return second_moments.pair_with_product_state(self.sparse, functionals)
        return self.dense.pair(functionals)

    def to_sparse(self) -> dict:
        return self.sparse if self.dense is None else self.dense.to_sparse()


def _to_sympy(v: object) -> sp.Expr:
    if isinstance(v, QSqrt2):
        return v.to_sympy()
    v = Fraction(v)
    return sp.Rational(v.numerator, v.denominator)


def _heis_pass(op: _Op, ensemble: str, n: int, L: int, record, steps: int, q: int = 2) -> None:
    """Apply blocks L, L-1, … (adjoint) for ``steps`` blocks; call ``record(j, op)`` after block j."""
    for j in range(1, steps + 1):
        op.apply(_block(ensemble, n, L - j + 1, q), heisenberg=True)
        record(j, op)


@functools.lru_cache(maxsize=256)
def _series_cached(task: str, case: str, ensemble: str, n: int, A: tuple, Lmax: int, q: int = 2) -> tuple:
    """Exact values (Fraction / QSqrt2) at depths 1..Lmax."""
    dense = ensemble in _DENSE
    prefix = _prefix(ensemble, n)
    fold = _fold_functional(prefix, n, q)
    period = _period(ensemble)
    vals: dict[int, object] = {}
    if task == "qsl":
        return _qsl_series(case, ensemble, n, A, Lmax, dense, prefix, fold, period, q)
    if case == "both":
        for L in range(1, Lmax + 1):
            op = _Op(h_tensor_h(task, n, A, False, q), n, dense, q)
            for j in range(L, 0, -1):
                op.apply(_block(ensemble, n, j, q), heisenberg=True)
            op.apply(prefix, heisenberg=True).project(A)
            for j in range(L, 0, -1):
                op.apply(_block(ensemble, n, j, q), heisenberg=True)
            vals[L] = op.pair(fold)
        return tuple(vals[L] for L in range(1, Lmax + 1))
    for r in range(period):
        target = Lmax - ((Lmax - r) % period) if Lmax >= r else None
        if target is None or target < 1:
            continue
        if case == "v1":
            op = _Op(second_moments.apply_projection_A(h_tensor_h(task, n, A, True, q), A, q), n, dense, q)

            def rec(j, o, target=target):
                if (target - j) % period == 0:
                    vals[j] = o.pair(fold)

        else:  # v2: H⊗H through V2†, then P_A (commutes with the one-site prefix: folded), pair
            op = _Op(h_tensor_h(task, n, A, False, q), n, dense, q)

            def rec(j, o, target=target):
                if (target - j) % period == 0:
                    vals[j] = o.copy().project(A).pair(fold)

        _heis_pass(op, ensemble, n, target, rec, target, q)
    return tuple(vals[L] for L in range(1, Lmax + 1))


@functools.lru_cache(maxsize=256)
def _single_cached(task: str, case: str, ensemble: str, n: int, A: tuple, L: int, q: int = 2) -> object:
    """The exact value at depth L alone: one pass of L blocks (cases v1, v2; else the series)."""
    if task == "qsl" or case == "both":
        return _series_cached(task, case, ensemble, n, A, L, q)[-1]
    dense = ensemble in _DENSE
    fold = _fold_functional(_prefix(ensemble, n), n, q)
    if case == "v1":
        op = _Op(second_moments.apply_projection_A(h_tensor_h(task, n, A, True, q), A, q), n, dense, q)
    else:
        op = _Op(h_tensor_h(task, n, A, False, q), n, dense, q)
    _heis_pass(op, ensemble, n, L, lambda j, o: None, L, q)
    if case == "v2":
        op.project(A)
    return op.pair(fold)


def _first_moment_label(q: int) -> int:
    """The label of ``|0><0| ⊗ I`` (copy 2 the identity): :data:`ZERO_ID` for qubits, a unit pair else."""
    return ZERO_ID if q == 2 else second_moments.unit_pair_label(1, 0, q)


def _qsl_ops(n: int, A: tuple, q: int) -> tuple[dict, dict]:
    """``W = I_A ⊗ |0><0|_B`` and ``|0…0><0…0|`` as first-moment operators (copy 2 the identity)."""
    z = _first_moment_label(q)
    W = {tuple(0 if s in A else z for s in range(n)): Fraction(1)}
    return W, {tuple([z] * n): Fraction(1)}


def _qsl_series(case, ensemble, n, A, Lmax, dense, prefix, fold, period, q=2) -> tuple:
    """E||M||_F² at depths 1..Lmax from first moments (copy 2 = identity)."""
    W, allzero = _qsl_ops(n, A, q)
    zero = [second_moments.zero_state_functional(q)] * n
    vals: dict[int, object] = {}
    if case == "v1":  # <ψ1|W|ψ1>: W through V1†
        for r in range(period):
            target = Lmax - ((Lmax - r) % period)
            if target < 1:
                continue
            op = _Op(W, n, dense, q)

            def rec(j, o, target=target):
                if (target - j) % period == 0:
                    vals[j] = o.pair(fold)

            _heis_pass(op, ensemble, n, target, rec, target, q)
        return tuple(vals[L] for L in range(1, Lmax + 1))
    if case == "v2":  # <0|V2 W V2†|0>: W forward through V2 (prefix first)
        op = _Op(W, n, dense, q).apply(prefix, heisenberg=False)
        for L in range(1, Lmax + 1):
            op.apply(_block(ensemble, n, L, q), heisenberg=False)
            vals[L] = op.pair(zero)
        return tuple(vals[L] for L in range(1, Lmax + 1))
    for L in range(1, Lmax + 1):  # both: tr_B[tr_A E(φ2φ2†) tr_A E(ψ1ψ1†)]
        psi = _Op(allzero, n, dense, q).apply(prefix, heisenberg=False)
        phi = _Op(allzero, n, dense, q)
        for j in range(1, L + 1):
            psi.apply(_block(ensemble, n, j, q), heisenberg=False)
        for j in range(L, 0, -1):
            phi.apply(_block(ensemble, n, j, q), heisenberg=True)
        phi.apply(prefix, heisenberg=True)
        vals[L] = _contract_first_moments(psi.to_sparse(), phi.to_sparse(), A, q)
    return tuple(vals[L] for L in range(1, Lmax + 1))


def _tr1(x: int, q: int = 2) -> Fraction:
    """Single-copy trace of a first-moment label (copy 2 the identity): ``tr(s (a ⊗ I)) = tr a``."""
    return second_moments.label_traces(x, q)[1]


def _copy1_unit(x: int, q: int) -> int:
    """The copy-1 matrix-unit index a of a first-moment label ``u_a ⊗ I`` (q >= 3)."""
    if x == 0:
        return 0
    a, b = divmod(x - UNIT_BASE, q * q + 1)
    if x < UNIT_BASE or b != 0:
        raise ValueError(f"label {x} is not a first-moment label u_a ⊗ I")
    return a


def _tr1_prod(x: int, y: int, q: int = 2) -> Fraction:
    """``tr(a b)`` for first-moment labels ``a ⊗ I``, ``b ⊗ I``."""
    if q != 2:  # u_a u_b: the swap trace of the unit pair u_a ⊗ u_b
        lab = second_moments.unit_pair_label(_copy1_unit(x, q), _copy1_unit(y, q), q)
        return second_moments.label_traces(lab, q)[1]
    if x == ZERO_ID and y == ZERO_ID:
        return Fraction(1)
    if x == ZERO_ID or y == ZERO_ID:
        other = y if x == ZERO_ID else x
        return Fraction(1) if other in (0, 12) else Fraction(0)  # tr(|0><0| σ_μ), μ ∈ {I, Z}
    return Fraction(2) if x == y else Fraction(0)


def _contract_first_moments(X: dict, Y: dict, A: tuple, q: int = 2) -> object:
    total: object = Fraction(0)
    for cx, vx in X.items():
        for cy, vy in Y.items():
            p = vx * vy
            for s in A:
                p = p * _tr1(cx[s], q) * _tr1(cy[s], q)
            if not p:
                continue
            for s, (a, b) in enumerate(zip(cx, cy)):
                if s not in A:
                    p = p * _tr1_prod(a, b, q)
                    if not p:
                        break
            total = total + p
    return total.simplify() if isinstance(total, QSqrt2) else total


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def two_design_value(
    task: str, case: str, n: int, q: int = 2, site: int = 0, sites: Sequence[int] | None = None
) -> sp.Expr:
    """``E||K||_F²`` (QSL: ``E||M||_F²``) for Haar / 2-design V1, V2: Lemma 9 (QSL: Lemma 7.3).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
    case : {"v1", "v2", "both"}
    n : int
    q : int, default 2
    site : int, default 0
    sites : sequence of int, optional
        A = two adjacent sites ``(s, s + 1)`` (m = 2; Lemma 4 with the coupling computed exactly from
        ``H ⊗ H``, Lemma 14.8), instead of the one site ``site``.

    Returns
    -------
    sympy.Expr
        A Rational.

    Raises
    ------
    ValueError
        As :func:`finite_depth_moment`.

    Examples
    --------
    >>> two_design_value("vqe", "v1", 6), two_design_value("qae", "v1", 4, site=2)
    (18/65, 0)
    >>> two_design_value("vqe", "v1", 6, sites=(0, 1))   # m = 2: Lemma 4.1 with the exact coupling
    27/13
    """
    task, case, _, n, _, q, site, A = _check(task, case, "haar", n, None, q, site, sites)
    return _haar_value(task, case, n, q, A)


def _exact_number(x: float, what: str) -> sp.Rational:
    r = Fraction(x).limit_denominator(10**6)
    if abs(float(r) - x) > 1e-9 * max(1.0, abs(x)):
        raise ValueError(f"{what} = {x!r} is not a rational with a small denominator")
    return sp.Rational(r.numerator, r.denominator)


def _orthogonal_value(task: str, case: str, n: int, q: int, site: int) -> sp.Expr:
    """Haar on O(d), input |0…0> (Lemmas 16.4, 16.7): the traces of H are rationals read off term by term;
    QSL: O(d) is a 1-design (Lemma 16.5), so E||M||_F² = dA/d as for U(d)."""
    if task == "qsl":
        return expected_M_frobenius_sq(n, 1, q)
    from ..states.observables import heisenberg_ring, qae_observable
    from . import orthogonal as orth

    obs = heisenberg_ring(n, q) if task == "vqe" else qae_observable(n, q)
    d = q**n
    if case == "v1":
        return orth.expected_K_frobenius_sq_orthogonal(
            d,
            q,
            coupling=_exact_number(obs.coupling([site]), "coupling"),
            transpose_coupling=_exact_number(orth.transpose_coupling(obs, [site]), "transpose_coupling"),
        )
    tr = dict(
        h_trace=_exact_number(obs.trace().real, "tr H"),
        h_hs=_exact_number(obs.hs_norm_sq(), "tr H^2"),
        h_transpose_hs=_exact_number(orth.transpose_hs(obs), "tr H H^T"),
    )
    if case == "v2":
        sigma = 1 - sp.Rational(1, q)
        return orth.expected_K_frobenius_sq_orthogonal_v2(
            d, q, state_coupling=sigma, state_transpose_coupling=sigma, **tr
        )
    return orth.expected_K_frobenius_sq_orthogonal_both(d, q, **tr)


def _haar_value(task: str, case: str, n: int, q: int, A: tuple) -> sp.Expr:
    if task == "qsl":
        return expected_M_frobenius_sq(n, len(A), q)  # dA/d for a 1-design (Lemma 7.3); both: 1/dB too
    if len(A) > 1:
        return _haar_value_sites(task, case, n, q, A)
    site = A[0]
    if task == "qae" and case == "v1" and site != 0:
        return sp.Integer(0)  # H acts as I on A ≠ R: h_a = 0 (Lemma 9.1, coupling 0)
    # the ring is translation invariant and the QAE v2/both formulas (Lemmas 4.2, 4.3) do not see the site
    return expected_K_frobenius_sq_task(task, case, n, 1, q)


def exact_coupling(task: str, n: int, sites: Sequence[int], q: int = 2) -> sp.Rational:
    """The coupling ``Σ_a tr_B(h_a²) = tr[(E_A ⊗ F_B)(H ⊗ H)]`` of the task's H, exactly.

    ``h_a = tr_A((G_a ⊗ I) H)`` and ``Σ_a G_a ⊗ G_a = E_A = F_A - I/dA`` (Lemma 4.4); on a product
    ``z`` of matrix-unit labels (:func:`h_tensor_h` with ``units=True``, only the pairs touching A) the
    trace factorises: ``(Π_A tr(s z_s) - Π_A tr z_s / dA) Π_B tr(s z_s)``.  The input of Lemma 4.1
    for A = any sites (Lemma 14.8 of ``proofs/DERIVATION.md``: the m = 2 two-design values).

    Parameters
    ----------
    task : {"vqe", "qae"}
    n : int
    sites : sequence of int
        The sites of A.
    q : int, default 2

    Returns
    -------
    sympy.Rational

    Examples
    --------
    >>> exact_coupling("vqe", 6, [0]), exact_coupling("qae", 4, [0], q=3)   # 6 d (Lemma 9.2); (1 - 1/q) q^(n-1)
    (384, 18)
    """
    A = tuple(int(s) for s in sites)
    dA = q ** len(A)
    total = Fraction(0)
    for conf, v in h_tensor_h(task, n, A, True, q, units=True).items():
        ta, tsa, tb = Fraction(1), Fraction(1), Fraction(1)
        for s, lab in enumerate(conf):
            tr, trs = second_moments.label_traces(lab, q)
            if s in A:
                ta, tsa = ta * tr, tsa * trs
            else:
                tb = tb * trs
        total += v * (tsa - ta / dA) * tb
    return sp.Rational(total.numerator, total.denominator)


def _haar_value_sites(task: str, case: str, n: int, q: int, A: tuple) -> sp.Expr:
    """Lemma 4 (4.1-4.3) for A = several sites: the coupling exactly, ``tr H0²`` of Lemma 9."""
    m, dA = len(A), q ** len(A)
    if case == "v1":
        c = exact_coupling(task, n, A, q)
        return sp.Integer(0) if c == 0 else expected_K_frobenius_sq("v1", n, m, q, coupling=c)
    if task == "vqe":
        t2 = ring_power_traces(n, q)[0]
    else:  # tr (E_00 - I/q)² q^(n-1) = (1 - 1/q) q^(n-1)
        t2 = (1 - sp.Rational(1, q)) * sp.Integer(q) ** (n - 1)
    if case == "v2":
        return expected_K_frobenius_sq("v2", n, m, q, state_coupling=1 - sp.Rational(1, dA), h_hs_centered=t2)
    return expected_K_frobenius_sq("both", n, m, q, h_hs_centered=t2)


def finite_depth_series(
    task: str,
    case: str,
    ensemble: str,
    n: int,
    max_layers: int,
    q: int = 2,
    site: int = 0,
    sites: Sequence[int] | None = None,
) -> tuple[sp.Expr, ...]:
    """Exact ``E||K||_F²`` (QSL: ``E||M||_F²``) at every depth ``L = 1 … max_layers``.

    Lemma 14 of ``proofs/DERIVATION.md``; one Heisenberg pass per residue of L modulo the ensemble's
    period (module docstring) for the cases v1, v2; the case ``both`` recomputes each depth.

    Parameters
    ----------
    task, case : str
        As :func:`finite_depth_moment`.
    ensemble : {"brickwork", "hea", "real-hea"}
    n : int
    max_layers : int
        ``>= 1``.
    q, site, sites
        As :func:`finite_depth_moment`.

    Returns
    -------
    tuple of sympy.Expr
        Entry ``L - 1`` is the value at depth L.

    Raises
    ------
    ValueError
        As :func:`finite_depth_moment` (with ``layers = max_layers``), or for a depthless ensemble.

    Examples
    --------
    >>> finite_depth_series("qae", "v1", "brickwork", 4, 3)
    (3/20, 3/20, 39/500)
    >>> finite_depth_series("qae", "v1", "brickwork", 4, 2, q=3)   # qutrits (Lemma 14.7)
    (8/45, 8/45)
    """
    if ensemble not in FINITE_DEPTH_ENSEMBLES:
        raise ValueError(f"ensemble must be one of {FINITE_DEPTH_ENSEMBLES} for a depth series, got {ensemble!r}")
    task, case, ensemble, n, Lmax, q, site, A = _check(task, case, ensemble, n, max_layers, q, site, sites)
    if ensemble in _DENSE and n > HEA_MAX_N:  # floats (each within its bound of _hea_float_series)
        return tuple(v for v, _ in _hea_float_series(task, case, n, site, Lmax, ensemble))
    return tuple(_to_sympy(v) for v in _series_cached(task, case, ensemble, n, A, Lmax, q))


def finite_depth_moment(
    task: str,
    case: str,
    ensemble: str,
    n: int,
    layers: int | None = None,
    q: int = 2,
    site: int = 0,
    sites: Sequence[int] | None = None,
) -> FiniteDepthMoment:
    """Exact ``E||K||_F²`` (QSL: ``E||M||_F²``) of one configuration, finite depth or not.

    Lemma 14 of ``proofs/DERIVATION.md`` for ``"brickwork"``, ``"hea"``, ``"real-hea"`` (Lemma 14.6) and
    ``"local1"`` (any q: Lemma 14.7); Lemma 9
    (QSL: Lemma 7.3) for ``"haar"``, and for ``"clifford"`` (an exact 2-design, Lemma 13); Lemmas 16.4
    and 16.7 for ``"orthogonal"`` (Haar on O(d)).  A = the one site ``site``, or the two adjacent sites
    ``sites`` (m = 2, Lemma 14.8), input ``|0…0>``.

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
        The Heisenberg ring (Eq. 9; n >= 3), the autoencoder (Eq. 10, R = site 0), the fidelity cost.
    case : {"v1", "v2", "both"}
        Which of V1, V2 is drawn from the ensemble (the other is the identity).
    ensemble : {"brickwork", "hea", "real-hea", "local1", "haar", "clifford", "orthogonal"}
    n : int
        Number of sites (``"hea"``, ``"real-hea"``: n <= 5 exact; n = 6 for VQE/QAE v1/v2 as a float
        with ``error_bound``, a rigorous bound on its rounding error).
    layers : int, optional
        Depth L >= 1; required for ``"brickwork"``, ``"hea"`` and ``"real-hea"``, must be None otherwise.
    q : int, default 2
        Local dimension: any ``>= 2`` for ``"brickwork"``, ``"local1"``, ``"haar"`` and ``"orthogonal"``;
        2 for ``"hea"``, ``"real-hea"`` and ``"clifford"``.
    site : int, default 0
        The site of A, in ``range(n)``.
    sites : sequence of int, optional
        A = two adjacent sites ``(s, s + 1)`` (m = 2, ``dA = q²``; the open chain's order, so
        ``s + 1 < n``) for ``"brickwork"``, ``"local1"``, ``"haar"`` and ``"clifford"``; ``site``
        must then be 0 or ``s``.  A one-element sequence is ``site``.

    Returns
    -------
    FiniteDepthMoment
        ``value`` exact (sympy; a float with ``error_bound`` for the HEA at n = 6), ``delta_bound``
        the E[Δ] bound.

    Raises
    ------
    ValueError
        Naming the argument: unknown task, case or ensemble; ``layers`` missing for a finite-depth
        ensemble or given for a depthless one; q not allowed for the ensemble; n too small (or too
        large for ``"hea"`` / ``"real-hea"``); site out of range; sites not two adjacent sites, or given
        for an ensemble without m = 2.

    Examples
    --------
    >>> finite_depth_moment("vqe", "v1", "hea", 4, layers=1).value   # Q(√2): R_y(π/4) (Lemma 14.2)
    5*sqrt(2)/648 + 35005/20736
    >>> finite_depth_moment("vqe", "v1", "real-hea", 3, layers=2).value   # R_Y only: rational (Lemma 14.6)
    59/32
    >>> finite_depth_moment("vqe", "v1", "haar", 3).value   # 18/(d + 1)
    2
    >>> finite_depth_moment("vqe", "v1", "orthogonal", 4).value   # 20/(d + 2), Lemma 16.5
    10/9
    >>> finite_depth_moment("vqe", "v1", "brickwork", 4, layers=1, q=3).value   # qutrits (Lemma 14.7)
    704/225
    >>> finite_depth_moment("vqe", "v1", "brickwork", 4, layers=2, sites=(0, 1)).value   # m = 2 (Lemma 14.8)
    1287/125
    """
    task, case, ensemble, n, layers, q, site, A = _check(task, case, ensemble, n, layers, q, site, sites)
    tag = None if sites is None else A
    if ensemble in ("haar", "clifford"):
        value = _haar_value(task, case, n, q, A)
    elif ensemble == "orthogonal":
        value = sp.nsimplify(_orthogonal_value(task, case, n, q, site))
    elif ensemble == "local1":
        value = _to_sympy(_local1_value(task, case, n, A, q))
    elif ensemble in _DENSE and n > HEA_MAX_N:
        value, err = _hea_float_series(task, case, n, site, layers, ensemble)[-1]
        return FiniteDepthMoment(task, case, ensemble, n, layers, q, site, value, False, err, None, tag)
    else:
        value = _to_sympy(_single_cached(task, case, ensemble, n, A, layers, q))
    return FiniteDepthMoment(task, case, ensemble, n, layers, q, site, value, True, None, None, tag)


@functools.lru_cache(maxsize=16)
def _hea_float_series(
    task: str, case: str, n: int, site: int, Lmax: int, ensemble: str = "hea"
) -> tuple[tuple[float, float], ...]:
    """(value, rigorous rounding bound) at depths 1..Lmax, float64 (:class:`FloatTwoCopy`), v1 / v2."""
    fold = _fold_functional(_prefix(ensemble, n), n)
    if case == "v1":
        X = second_moments.FloatTwoCopy.from_sparse(
            second_moments.apply_projection_A(h_tensor_h(task, n, site, True), site), n
        )
    else:
        X = second_moments.FloatTwoCopy.from_sparse(h_tensor_h(task, n, site, False), n)
    out = []
    for _ in range(Lmax):
        for layer in reversed(_block(ensemble, n, 1)):
            for g in layer:
                X.apply_gate(g, dagger=True)
        out.append(X.pair(fold) if case == "v1" else X.copy().project_A(site).pair(fold))
    return tuple(out)


@functools.lru_cache(maxsize=128)
def _local1_value(task: str, case: str, n: int, A: tuple, q: int = 2) -> object:
    layers = second_moments.local1_layers(n, q)
    zero = [second_moments.zero_state_functional(q)] * n
    if task == "qsl":
        W, allzero = _qsl_ops(n, A, q)
        if case == "v1":
            return second_moments.pair_with_product_state(second_moments.propagate(W, layers, heisenberg=True), zero)
        if case == "v2":
            return second_moments.pair_with_product_state(second_moments.propagate(W, layers, heisenberg=False), zero)
        psi = second_moments.propagate(allzero, layers, heisenberg=False)
        phi = second_moments.propagate(allzero, layers, heisenberg=True)
        return _contract_first_moments(psi, phi, A, q)
    X = h_tensor_h(task, n, A, case == "v1", q)
    if case != "v1":
        X = second_moments.propagate(X, layers, heisenberg=True)
    X = second_moments.apply_projection_A(X, A, q)
    if case != "v2":
        X = second_moments.propagate(X, layers, heisenberg=True)
    return second_moments.pair_with_product_state(X, zero)


def layers_to_within(
    task: str,
    case: str,
    ensemble: str,
    n: int,
    rel: float = 0.01,
    q: int = 2,
    site: int = 0,
    max_layers: int | None = None,
    sites: Sequence[int] | None = None,
) -> int | None:
    """The depth L₁ from which ``E||K||_F²`` stays within ``rel`` of the 2-design value.

    "Stays" means: ``|v(L) - v_H| <= rel · v_H`` for EVERY L with ``L₁ <= L <= max_layers``
    (exact comparisons of the exact values of :func:`finite_depth_series`), and L₁ is the smallest
    such depth; None if even ``v(max_layers)`` is outside.  A finite horizon: nothing is claimed
    beyond ``max_layers``.  Lemma 14 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    task, case, ensemble, n, q, site, sites
        As :func:`finite_depth_series`.
    rel : float, default 0.01
        The relative tolerance, ``> 0`` (converted exactly to a Rational).
    max_layers : int, optional
        The horizon (default ``16 n``).

    Returns
    -------
    int or None

    Raises
    ------
    ValueError
        As :func:`finite_depth_series`, or ``rel <= 0``, or the 2-design value is 0.

    Examples
    --------
    >>> layers_to_within("vqe", "v1", "brickwork", 4, max_layers=40)
    10
    """
    if max_layers is None:
        max_layers = 16 * n if is_int(n) else None
    r = sp.nsimplify(rel, rational=True) if not isinstance(rel, bool) else None
    if r is None or not r.is_Rational or r <= 0:
        raise ValueError(f"rel must be a number > 0, got {rel!r}")
    series = finite_depth_series(task, case, ensemble, n, max_layers, q, site, sites)
    target = two_design_value(task, case, n, q, site, sites)
    if target == 0:
        raise ValueError("the 2-design value is 0: a relative tolerance is meaningless here")
    tol = r * abs(target)
    L1 = None
    for L in range(len(series), 0, -1):
        if sp.simplify(abs(series[L - 1] - target) - tol).is_positive:  # exact in Q(√2)
            break
        L1 = L
    return L1


def ten_n_layers_ratio(task: str = "vqe", case: str = "v1", n: int = 4, q: int = 2, site: int = 0) -> dict:
    """The paper's HEA at depth ``L = 10 n``: exact ``E||K||_F²`` and its ratio to the 2-design value.

    For a report row ("are 10 n layers 2-design-like for E||K||_F²?"); Lemma 14 of
    ``proofs/DERIVATION.md``.  Exact for ``n <= HEA_MAX_N`` (= 5); float with a rounding bound at n = 6.

    Parameters
    ----------
    task, case : str
        As :func:`finite_depth_moment`.
    n : int
        ``3 <= n <= 5`` for VQE, ``2 <= n <= 5`` otherwise (exact); ``n = 6`` for VQE/QAE v1/v2 gives a
        float with ``error_bound`` (ratio a float).
    q, site : int
        As :func:`finite_depth_moment` (q must be 2).

    Returns
    -------
    dict
        ``{"n", "layers", "value", "exact", "error_bound", "two_design", "ratio", "delta_bound"}``:
        ``value`` and ``ratio`` (``value / two_design``; None if the 2-design value is 0) exact sympy
        numbers when ``exact``, ``two_design`` exact, ``delta_bound`` a float.

    Raises
    ------
    ValueError
        As :func:`finite_depth_moment`.

    Examples
    --------
    >>> row = ten_n_layers_ratio("qae", "v1", 2)
    >>> row["layers"], row["two_design"], float(row["ratio"]) > 1
    (20, 3/20, True)
    """
    r = finite_depth_moment(task, case, "hea", n, 10 * n, q, site)
    h = two_design_value(task, case, n, q, site)
    if h == 0:
        ratio = None
    else:
        ratio = sp.nsimplify(r.value / h) if r.exact else float(r.value) / float(h)
    return {
        "n": r.n,
        "layers": r.layers,
        "value": r.value,
        "exact": r.exact,
        "error_bound": r.error_bound,
        "two_design": h,
        "ratio": ratio,
        "delta_bound": r.delta_bound,
    }


def clear_caches() -> None:
    """Empty the memo caches of this module (for cold-start timings in benchmarks).

    Implements no lemma.

    Examples
    --------
    >>> clear_caches()
    """
    _series_cached.cache_clear()
    _single_cached.cache_clear()
    _local1_value.cache_clear()
    _hea_float_series.cache_clear()


def finite_depth_points(
    task: str,
    case: str,
    ensemble: str,
    n: int,
    layers: Sequence[int],
    q: int = 2,
    site: int = 0,
    sites: Sequence[int] | None = None,
) -> list[FiniteDepthMoment]:
    """:func:`finite_depth_moment` at several depths, from one series (one pass per residue of L).

    Lemma 14 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    task, case, ensemble, n, q, site, sites
        As :func:`finite_depth_moment` (``ensemble`` one of :data:`FINITE_DEPTH_ENSEMBLES`).
    layers : sequence of int
        The depths, each ``>= 1``.

    Returns
    -------
    list of FiniteDepthMoment
        In the order of ``layers``; exact, or (HEA, n = 6) float with ``error_bound``.

    Raises
    ------
    ValueError
        As :func:`finite_depth_moment`, or an empty ``layers``.

    Examples
    --------
    >>> [str(r.value) for r in finite_depth_points("vqe", "v1", "brickwork", 6, [1, 2])]
    ['54/25', '126/125']
    """
    layers = list(layers)
    if not layers:
        raise ValueError("layers must be a non-empty list of depths >= 1")
    for L in layers:
        *_, site, A = _check(task, case, ensemble, n, L, q, site, sites)
    tag = None if sites is None else A
    if ensemble in _DENSE and n > HEA_MAX_N:
        fl = _hea_float_series(task, case, n, site, max(layers), ensemble)
        return [
            FiniteDepthMoment(task, case, ensemble, n, L, q, site, fl[L - 1][0], False, fl[L - 1][1]) for L in layers
        ]
    series = finite_depth_series(task, case, ensemble, n, max(layers), q, site, sites)
    return [
        FiniteDepthMoment(task, case, ensemble, n, L, q, site, series[L - 1], True, None, None, tag) for L in layers
    ]
