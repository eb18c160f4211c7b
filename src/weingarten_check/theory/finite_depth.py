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
``Rz Ry Rz``, uniform angles), and ``"haar"`` / ``"clifford"`` (Lemma 9's values; Clifford is an
exact 2-design, Lemma 13), so one API covers finite and infinite depth.  Qubits (q = 2) for the
circuits; any q for ``"haar"``.

Examples
--------
>>> r = finite_depth_moment("vqe", "v1", "brickwork", 6, layers=1)
>>> r.value, r.exact
(54/25, True)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..circuits import second_moments  # gate maps called through the module (mutation tests patch them)
from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES  # the one list of ensembles with a depth
from ..circuits.second_moments import PAULI_PAIR, ZERO_ID, DenseTwoCopy, QSqrt2
from ..util.checks import check_choice, is_int
from .bounds import CASES, delta_frobenius_constants, expected_M_frobenius_sq
from .task_moments import expected_K_frobenius_sq_task

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

    @property
    def delta_bound(self) -> float:
        """The bound on E[Δ]: ``sqrt(2) dA sqrt(value)`` (``2 sqrt(2) sqrt(value)`` for a qubit;
        Lemmas 3.4 / 11.3 and Jensen), or ``dA · value`` for QSL (Lemma 7.4)."""
        return float(delta_bound_expr(self.task, self.value, self.q))


def delta_bound_expr(task: str, value: sp.Expr | float, q: int = 2) -> sp.Expr:
    """The E[Δ] bound from the second moment, exactly (Lemma 14 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
    value : sympy.Expr or float
        ``E||K||_F²`` (QSL: ``E||M||_F²``).
    q : int, default 2
        ``dA = q`` (m = 1).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> delta_bound_expr("vqe", sp.Rational(18, 65))   # 2 sqrt(2) sqrt(18/(d+1)) = 12/sqrt(d+1), d = 64
    12*sqrt(65)/65
    """
    v = sp.sympify(value)
    if task == "qsl":
        return q * v
    _, u = delta_frobenius_constants(q)
    return u * sp.sqrt(v)


# ---------------------------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------------------------
def _check(task, case, ensemble, n, layers, q, site):
    task = check_choice(task, "task", FINITE_DEPTH_TASKS)
    case = check_choice(case, "case", CASES)
    ensemble = check_choice(ensemble, "ensemble", _ALL_ENSEMBLES)
    if not is_int(q) or q < 2:
        raise ValueError(f"q must be an int >= 2, got {q!r}")
    q = int(q)
    if ensemble not in ("haar", "orthogonal") and q != 2:
        raise ValueError(f"q must be 2 for ensemble {ensemble!r} (a qubit circuit), got q = {q}")
    lo = 3 if task == "vqe" else 2
    if not is_int(n) or n < lo:
        raise ValueError(f"n must be an int >= {lo} for task {task!r}, got {n!r}")
    n = int(n)
    if not is_int(site) or not 0 <= site < n:
        raise ValueError(f"site must be an int in range(n) = range({n}), got {site!r}")
    site = int(site)
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
    return task, case, ensemble, int(n), layers, q, site


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


def h_tensor_h(task: str, n: int, site: int = 0, only_touching: bool = False) -> dict:
    """``H ⊗ H`` (traceless part of the task's H) as a sparse two-copy operator of Pauli-pair labels.

    The start of the Heisenberg chain of Lemma 14 of ``proofs/DERIVATION.md``.  With
    ``only_touching``: only the pairs of strings with the same non-identity letter on A — the part
    that ``P_A`` does not annihilate (``tr(E_A σ_μ⊗σ_ν) = 2 δ_μν [μ ≠ 0]``).

    Parameters
    ----------
    task : {"vqe", "qae"}
    n : int
    site : int, default 0
    only_touching : bool, default False

    Returns
    -------
    dict

    Examples
    --------
    >>> h_tensor_h("qae", 2)   # (-Z_0/2) ⊗ (-Z_0/2)
    {(15, 0): Fraction(1, 4)}
    """
    terms = _pauli_terms(task, n)
    if only_touching:  # P_A(H⊗H) keeps pairs with equal non-identity letters on A
        terms = [t for t in terms if t[0][site]]
    out: dict = {}
    for p, cp in terms:
        for r, cr in terms:
            if only_touching and p[site] != r[site]:
                continue
            key = tuple(int(PAULI_PAIR[a, b]) for a, b in zip(p, r))
            out[key] = out.get(key, 0) + cp * cr
    return out


# ---------------------------------------------------------------------------------------------
# circuits: prefix + periodic blocks
# ---------------------------------------------------------------------------------------------
def _prefix(ensemble: str, n: int) -> list:
    if ensemble == "real-hea":
        return second_moments.real_hea_layers(n, 0)
    return second_moments.hea_layers(n, 0) if ensemble == "hea" else []


def _block(ensemble: str, n: int, ell: int) -> list:
    if ensemble == "brickwork":
        return second_moments.brickwork_layers(n, 1, 2, first=ell)
    if ensemble == "real-hea":
        return second_moments.real_hea_layers(n, 1)[1:]
    return second_moments.hea_layers(n, 1)[1:]


def _period(ensemble: str) -> int:
    return 2 if ensemble == "brickwork" else 1


def _fold_functional(prefix: list, n: int) -> list:
    """Per-site functionals of ``U|0>`` for a prefix of fixed one-site gates (at most one per site)."""
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

    def __init__(self, sparse: dict, n: int, dense: bool):
        self.n = n
        self.dense = DenseTwoCopy.from_sparse(sparse, n) if dense else None
        self.sparse = None if dense else sparse

    def copy(self) -> _Op:
        new = _Op.__new__(_Op)
        new.n = self.n
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

    def project(self, site: int) -> _Op:
        if self.dense is None:
            self.sparse = second_moments.apply_projection_A(self.sparse, site)
        else:  # E_A ⊗ tr(E_A ·): (μ,μ), μ ≠ 0 -> 2 · ½ (Σ_ν (ν,ν)) on the A axis
            m = ((a, b, 1, 0) for a in (5, 10, 15) for b in (5, 10, 15))
            self.dense._apply_matrix(site, 1, 1, tuple(m))
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


_ZERO = second_moments.product_state_functional((0, 0, 1))


def _heis_pass(op: _Op, ensemble: str, n: int, L: int, record, steps: int) -> None:
    """Apply blocks L, L-1, … (adjoint) for ``steps`` blocks; call ``record(j, op)`` after block j."""
    for j in range(1, steps + 1):
        op.apply(_block(ensemble, n, L - j + 1), heisenberg=True)
        record(j, op)


@functools.lru_cache(maxsize=256)
def _series_cached(task: str, case: str, ensemble: str, n: int, site: int, Lmax: int) -> tuple:
    """Exact values (Fraction / QSqrt2) at depths 1..Lmax."""
    dense = ensemble in _DENSE
    prefix = _prefix(ensemble, n)
    fold = _fold_functional(prefix, n)
    period = _period(ensemble)
    vals: dict[int, object] = {}
    if task == "qsl":
        return _qsl_series(case, ensemble, n, site, Lmax, dense, prefix, fold, period)
    if case == "both":
        for L in range(1, Lmax + 1):
            op = _Op(h_tensor_h(task, n, site, False), n, dense)
            for j in range(L, 0, -1):
                op.apply(_block(ensemble, n, j), heisenberg=True)
            op.apply(prefix, heisenberg=True).project(site)
            for j in range(L, 0, -1):
                op.apply(_block(ensemble, n, j), heisenberg=True)
            vals[L] = op.pair(fold)
        return tuple(vals[L] for L in range(1, Lmax + 1))
    for r in range(period):
        target = Lmax - ((Lmax - r) % period) if Lmax >= r else None
        if target is None or target < 1:
            continue
        if case == "v1":
            op = _Op(second_moments.apply_projection_A(h_tensor_h(task, n, site, True), site), n, dense)

            def rec(j, o, target=target):
                if (target - j) % period == 0:
                    vals[j] = o.pair(fold)

        else:  # v2: H⊗H through V2†, then P_A (commutes with the one-site prefix: folded), pair
            op = _Op(h_tensor_h(task, n, site, False), n, dense)

            def rec(j, o, target=target):
                if (target - j) % period == 0:
                    vals[j] = o.copy().project(site).pair(fold)

        _heis_pass(op, ensemble, n, target, rec, target)
    return tuple(vals[L] for L in range(1, Lmax + 1))


@functools.lru_cache(maxsize=256)
def _single_cached(task: str, case: str, ensemble: str, n: int, site: int, L: int) -> object:
    """The exact value at depth L alone: one pass of L blocks (cases v1, v2; else the series)."""
    if task == "qsl" or case == "both":
        return _series_cached(task, case, ensemble, n, site, L)[-1]
    dense = ensemble in _DENSE
    fold = _fold_functional(_prefix(ensemble, n), n)
    if case == "v1":
        op = _Op(second_moments.apply_projection_A(h_tensor_h(task, n, site, True), site), n, dense)
    else:
        op = _Op(h_tensor_h(task, n, site, False), n, dense)
    _heis_pass(op, ensemble, n, L, lambda j, o: None, L)
    if case == "v2":
        op.project(site)
    return op.pair(fold)


def _qsl_series(case, ensemble, n, site, Lmax, dense, prefix, fold, period) -> tuple:
    """E||M||_F² at depths 1..Lmax from first moments (copy 2 = identity)."""
    W = {tuple(0 if s == site else ZERO_ID for s in range(n)): Fraction(1)}  # I_A ⊗ |0><0|_B
    allzero = {tuple([ZERO_ID] * n): Fraction(1)}
    vals: dict[int, object] = {}
    if case == "v1":  # <ψ1|W|ψ1>: W through V1†
        for r in range(period):
            target = Lmax - ((Lmax - r) % period)
            if target < 1:
                continue
            op = _Op(W, n, dense)

            def rec(j, o, target=target):
                if (target - j) % period == 0:
                    vals[j] = o.pair(fold)

            _heis_pass(op, ensemble, n, target, rec, target)
        return tuple(vals[L] for L in range(1, Lmax + 1))
    if case == "v2":  # <0|V2 W V2†|0>: W forward through V2 (prefix first)
        op = _Op(W, n, dense).apply(prefix, heisenberg=False)
        for L in range(1, Lmax + 1):
            op.apply(_block(ensemble, n, L), heisenberg=False)
            vals[L] = op.pair([_ZERO] * n)
        return tuple(vals[L] for L in range(1, Lmax + 1))
    for L in range(1, Lmax + 1):  # both: tr_B[tr_A E(φ2φ2†) tr_A E(ψ1ψ1†)]
        psi = _Op(allzero, n, dense).apply(prefix, heisenberg=False)
        phi = _Op(allzero, n, dense)
        for j in range(1, L + 1):
            psi.apply(_block(ensemble, n, j), heisenberg=False)
        for j in range(L, 0, -1):
            phi.apply(_block(ensemble, n, j), heisenberg=True)
        phi.apply(prefix, heisenberg=True)
        vals[L] = _contract_first_moments(psi.to_sparse(), phi.to_sparse(), site)
    return tuple(vals[L] for L in range(1, Lmax + 1))


def _tr1(x: int) -> Fraction:
    """Single-copy trace of a first-moment label (copy 2 the identity)."""
    if x == ZERO_ID:
        return Fraction(1)
    return Fraction(2) if x == 0 else Fraction(0)


def _tr1_prod(x: int, y: int) -> Fraction:
    if x == ZERO_ID and y == ZERO_ID:
        return Fraction(1)
    if x == ZERO_ID or y == ZERO_ID:
        other = y if x == ZERO_ID else x
        return Fraction(1) if other in (0, 12) else Fraction(0)  # tr(|0><0| σ_μ), μ ∈ {I, Z}
    return Fraction(2) if x == y else Fraction(0)


def _contract_first_moments(X: dict, Y: dict, site: int) -> object:
    total: object = Fraction(0)
    for cx, vx in X.items():
        for cy, vy in Y.items():
            p = vx * vy * _tr1(cx[site]) * _tr1(cy[site])
            if not p:
                continue
            for s, (a, b) in enumerate(zip(cx, cy)):
                if s != site:
                    p = p * _tr1_prod(a, b)
                    if not p:
                        break
            total = total + p
    return total.simplify() if isinstance(total, QSqrt2) else total


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def two_design_value(task: str, case: str, n: int, q: int = 2, site: int = 0) -> sp.Expr:
    """``E||K||_F²`` (QSL: ``E||M||_F²``) for Haar / 2-design V1, V2: Lemma 9 (QSL: Lemma 7.3).

    Parameters
    ----------
    task : {"vqe", "qae", "qsl"}
    case : {"v1", "v2", "both"}
    n : int
    q : int, default 2
    site : int, default 0

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
    """
    task, case, _, n, _, q, site = _check(task, case, "haar", n, None, q, site)
    return _haar_value(task, case, n, q, site)


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


def _haar_value(task: str, case: str, n: int, q: int, site: int) -> sp.Expr:
    if task == "qsl":
        return expected_M_frobenius_sq(n, 1, q)  # dA/d for a 1-design (Lemma 7.3); both: 1/dB too
    if task == "qae" and case == "v1" and site != 0:
        return sp.Integer(0)  # H acts as I on A ≠ R: h_a = 0 (Lemma 9.1, coupling 0)
    # the ring is translation invariant and the QAE v2/both formulas (Lemmas 4.2, 4.3) do not see the site
    return expected_K_frobenius_sq_task(task, case, n, 1, q)


def finite_depth_series(
    task: str, case: str, ensemble: str, n: int, max_layers: int, q: int = 2, site: int = 0
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
    q, site : int
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
    """
    if ensemble not in FINITE_DEPTH_ENSEMBLES:
        raise ValueError(f"ensemble must be one of {FINITE_DEPTH_ENSEMBLES} for a depth series, got {ensemble!r}")
    task, case, ensemble, n, Lmax, q, site = _check(task, case, ensemble, n, max_layers, q, site)
    if ensemble in _DENSE and n > HEA_MAX_N:  # floats (each within its bound of _hea_float_series)
        return tuple(v for v, _ in _hea_float_series(task, case, n, site, Lmax, ensemble))
    return tuple(_to_sympy(v) for v in _series_cached(task, case, ensemble, n, site, Lmax))


def finite_depth_moment(
    task: str,
    case: str,
    ensemble: str,
    n: int,
    layers: int | None = None,
    q: int = 2,
    site: int = 0,
) -> FiniteDepthMoment:
    """Exact ``E||K||_F²`` (QSL: ``E||M||_F²``) of one configuration, finite depth or not.

    Lemma 14 of ``proofs/DERIVATION.md`` for ``"brickwork"``, ``"hea"``, ``"real-hea"`` (Lemma 14.6) and
    ``"local1"``; Lemma 9
    (QSL: Lemma 7.3) for ``"haar"``, and for ``"clifford"`` (an exact 2-design, Lemma 13); Lemmas 16.4
    and 16.7 for ``"orthogonal"`` (Haar on O(d)).  A = the one site ``site``, input ``|0…0>``.

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
        Local dimension: 2 for the circuits and ``"clifford"``, any ``>= 2`` for ``"haar"`` and ``"orthogonal"``.
    site : int, default 0
        The site of A, in ``range(n)``.

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
        large for ``"hea"`` / ``"real-hea"``); site out of range.

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
    """
    task, case, ensemble, n, layers, q, site = _check(task, case, ensemble, n, layers, q, site)
    if ensemble in ("haar", "clifford"):
        value = _haar_value(task, case, n, q, site)
    elif ensemble == "orthogonal":
        value = sp.nsimplify(_orthogonal_value(task, case, n, q, site))
    elif ensemble == "local1":
        value = _to_sympy(_local1_value(task, case, n, site))
    elif ensemble in _DENSE and n > HEA_MAX_N:
        value, err = _hea_float_series(task, case, n, site, layers, ensemble)[-1]
        return FiniteDepthMoment(task, case, ensemble, n, layers, q, site, value, False, err, None)
    else:
        value = _to_sympy(_single_cached(task, case, ensemble, n, site, layers))
    return FiniteDepthMoment(task, case, ensemble, n, layers, q, site, value, True, None, None)


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
def _local1_value(task: str, case: str, n: int, site: int) -> object:
    layers = second_moments.local1_layers(n)
    if task == "qsl":
        W = {tuple(0 if s == site else ZERO_ID for s in range(n)): Fraction(1)}
        allzero = {tuple([ZERO_ID] * n): Fraction(1)}
        if case == "v1":
            return second_moments.pair_with_product_state(
                second_moments.propagate(W, layers, heisenberg=True), [_ZERO] * n
            )
        if case == "v2":
            return second_moments.pair_with_product_state(
                second_moments.propagate(W, layers, heisenberg=False), [_ZERO] * n
            )
        psi = second_moments.propagate(allzero, layers, heisenberg=False)
        phi = second_moments.propagate(allzero, layers, heisenberg=True)
        return _contract_first_moments(psi, phi, site)
    X = h_tensor_h(task, n, site, case == "v1")
    if case != "v1":
        X = second_moments.propagate(X, layers, heisenberg=True)
    X = second_moments.apply_projection_A(X, site)
    if case != "v2":
        X = second_moments.propagate(X, layers, heisenberg=True)
    return second_moments.pair_with_product_state(X, [_ZERO] * n)


def layers_to_within(
    task: str,
    case: str,
    ensemble: str,
    n: int,
    rel: float = 0.01,
    q: int = 2,
    site: int = 0,
    max_layers: int | None = None,
) -> int | None:
    """The depth L₁ from which ``E||K||_F²`` stays within ``rel`` of the 2-design value.

    "Stays" means: ``|v(L) - v_H| <= rel · v_H`` for EVERY L with ``L₁ <= L <= max_layers``
    (exact comparisons of the exact values of :func:`finite_depth_series`), and L₁ is the smallest
    such depth; None if even ``v(max_layers)`` is outside.  A finite horizon: nothing is claimed
    beyond ``max_layers``.  Lemma 14 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    task, case, ensemble, n, q, site
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
    series = finite_depth_series(task, case, ensemble, n, max_layers, q, site)
    target = two_design_value(task, case, n, q, site)
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
    task: str, case: str, ensemble: str, n: int, layers: Sequence[int], q: int = 2, site: int = 0
) -> list[FiniteDepthMoment]:
    """:func:`finite_depth_moment` at several depths, from one series (one pass per residue of L).

    Lemma 14 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    task, case, ensemble, n, q, site
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
        _check(task, case, ensemble, n, L, q, site)
    if ensemble in _DENSE and n > HEA_MAX_N:
        fl = _hea_float_series(task, case, n, site, max(layers), ensemble)
        return [
            FiniteDepthMoment(task, case, ensemble, n, L, q, site, fl[L - 1][0], False, fl[L - 1][1]) for L in layers
        ]
    series = finite_depth_series(task, case, ensemble, n, max(layers), q, site)
    return [FiniteDepthMoment(task, case, ensemble, n, L, q, site, series[L - 1]) for L in layers]
