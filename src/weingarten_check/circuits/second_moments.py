"""Exact second moments of finite-depth random circuits: per-gate moment maps on the two-copy space.

A random circuit enters ``E||K||_F²`` only through its second moment, the linear map
``Z -> E[(V ⊗ V) Z (V ⊗ V)†]`` on operators of two copies of the n sites (Lemma 14 of
``proofs/DERIVATION.md``).  For a circuit of independent random gates this map is the composition of
the gates' own moment maps, each acting on the two copies of the few sites of its gate.  This module
holds those per-gate maps and one propagator for all of them; it lives on the circuits floor (beside
the samplers of :mod:`.ensembles` that draw the same circuits) because it knows gates and circuits but
no task, cost or bound; the task-level ``E||K||_F²`` is :mod:`weingarten_check.theory.finite_depth`.

Two-copy operators (qubits) are sums of products over sites of per-site *labels*:

* ``4 μ + ν`` (0…15): the Pauli pair ``σ_μ ⊗ σ_ν`` (copy 1, copy 2; μ, ν in I, X, Y, Z order);
* :data:`SWAP` (16): the swap ``s`` of the two copies of the site, ``s = ½ Σ_μ σ_μ ⊗ σ_μ``;
* :data:`ZERO_ID` (17): ``|0><0| ⊗ I`` (a first moment: copy 2 is the identity);
* ``UNIT_BASE + a (q²+1) + b`` (any q, :func:`unit_pair_label`): ``u_a ⊗ u_b`` with ``u_0 = I`` and
  ``u_{1+kq+l} = E_kl`` the matrix units (rational traces ``tr E_kl = δ_kl``,
  ``tr(E_kl E_k'l') = δ_lk' δ_kl'``); the qudit (q >= 3) tasks are written in these labels, next to
  ``I⊗I`` (label 0) and :data:`SWAP`, which keep their meaning for every q.

Labels 16 and 17 are shorthands (the label set is overcomplete) that keep Haar-gate circuits and the
fidelity observable to few products: a Haar gate maps every product to a combination of
``I⊗…⊗I`` and ``s⊗…⊗s`` (Lemma 14(a)), so a brickwork circuit needs O(n²) products, where the Pauli
expansion of ``s`` would need 4^n.

Gate moment maps (:class:`MomentGate`):

* ``"haar"`` on 1 or 2 sites, any q: ``Z -> c_I I + c_F F`` with ``(c_I, c_F)`` the Weingarten
  matrix of S2 (:func:`weingarten_check.calculus.weingarten_unitary`) applied to ``(tr Z, tr F Z)``
  (Lemma 14(a)); symbolic q through :func:`haar_twirl_coefficients`;
* ``"rotation"``: ``R_P(θ) = exp(-iθP/2)`` with θ uniform on [0, 2π) and P uniform among the given
  Pauli axes — exactly the average over θ in {0, π/2, π, 3π/2} (Lemma 14(b)), a rational map; one
  fixed axis (``spec="Y"``: the real-amplitude HEA) is the same map with one letter (Lemma 14.6);
* ``"fixed"``: a fixed gate (:data:`FIXED_GATES`: CZ, R_y(π/4)), its exact Pauli transfer matrix on
  each copy; entries in Q(√2) (:class:`QSqrt2`).

The propagator works on a sparse ``dict`` of products (any n: identity sites cost nothing, so only
the light cone of the observable is ever touched) or on a dense array of Pauli-pair coordinates
(:class:`DenseTwoCopy`, ``16^n`` exact integers, n <= 6) where the light cone covers the chain.
Exactness: coefficients are :class:`fractions.Fraction` or :class:`QSqrt2`, never floats.

Examples
--------
>>> g = MomentGate("haar", (0, 1))
>>> g.apply_local((PAULI_PAIR[1, 1], 0))   # twirl of (X⊗X) on site 0: -1/15 I⊗I + 4/15 s⊗s
(((0, 0), Fraction(-1, 15)), ((16, 16), Fraction(4, 15)))
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from ..calculus.unitary import weingarten_unitary
from ..util.checks import check_choice, check_int, check_local_dim

__all__ = [
    "QSqrt2",
    "PAULI_PAIR",
    "SWAP",
    "ZERO_ID",
    "UNIT_BASE",
    "unit_pair_label",
    "n_labels",
    "zero_state_functional",
    "FIXED_GATES",
    "fixed_gate_ptm",
    "register_fixed_gate",
    "MomentGate",
    "haar_twirl_coefficients",
    "rotation_moment_matrix",
    "label_traces",
    "product_state_functional",
    "propagate",
    "pair_with_product_state",
    "apply_projection_A",
    "DenseTwoCopy",
    "FloatTwoCopy",
    "brickwork_layers",
    "hea_layers",
    "real_hea_layers",
    "local1_layers",
]

#: ``PAULI_PAIR[μ, ν]`` is the label of ``σ_μ ⊗ σ_ν`` (copy 1, copy 2)
PAULI_PAIR = np.arange(16).reshape(4, 4)
#: the label of the swap of the two copies of one site
SWAP = 16
#: the label of ``|0><0| ⊗ I`` (copy 2 the identity: first moments)
ZERO_ID = 17
_NLABELS = 18
#: the first matrix-unit pair label (:func:`unit_pair_label`)
UNIT_BASE = _NLABELS
_HALF = Fraction(1, 2)
#: the Pauli-pair expansion of the shorthand labels
_EXPANSION = {
    SWAP: ((0, _HALF), (5, _HALF), (10, _HALF), (15, _HALF)),
    ZERO_ID: ((0, _HALF), (12, _HALF)),
}


# ---------------------------------------------------------------------------------------------
# Q(√2)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QSqrt2:
    """An exact element ``a + b √2`` of Q(√2) (a, b rational).

    Parameters
    ----------
    a, b : fractions.Fraction or int
        The rational and the √2 coordinate.

    Examples
    --------
    >>> x = QSqrt2(Fraction(1, 2), Fraction(1, 2))
    >>> x * x, (x * x).to_sympy()
    (QSqrt2(a=Fraction(3, 4), b=Fraction(1, 2)), sqrt(2)/2 + 3/4)
    """

    a: Fraction
    b: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", Fraction(self.a))
        object.__setattr__(self, "b", Fraction(self.b))

    @staticmethod
    def of(x: object) -> QSqrt2:
        """``x`` (int, Fraction or QSqrt2) as a QSqrt2."""
        return x if isinstance(x, QSqrt2) else QSqrt2(Fraction(x))

    def __add__(self, other: object) -> QSqrt2:
        o = QSqrt2.of(other)
        return QSqrt2(self.a + o.a, self.b + o.b)

    __radd__ = __add__

    def __neg__(self) -> QSqrt2:
        return QSqrt2(-self.a, -self.b)

    def __sub__(self, other: object) -> QSqrt2:
        return self + (-QSqrt2.of(other))

    def __rsub__(self, other: object) -> QSqrt2:
        return QSqrt2.of(other) - self

    def __mul__(self, other: object) -> QSqrt2:
        o = QSqrt2.of(other)
        return QSqrt2(self.a * o.a + 2 * self.b * o.b, self.a * o.b + self.b * o.a)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> QSqrt2:
        o = QSqrt2.of(other)
        den = o.a * o.a - 2 * o.b * o.b
        return self * QSqrt2(o.a / den, -o.b / den)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (int, Fraction, QSqrt2)):
            o = QSqrt2.of(other)
            return self.a == o.a and self.b == o.b
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.a, self.b))

    def __bool__(self) -> bool:
        return bool(self.a) or bool(self.b)

    def __float__(self) -> float:
        return float(self.a) + float(self.b) * math.sqrt(2)

    def simplify(self) -> Fraction | QSqrt2:
        """A Fraction when ``b = 0``, else ``self``."""
        return self.a if self.b == 0 else self

    def to_sympy(self) -> sp.Expr:
        """The exact sympy number ``a + b*sqrt(2)``."""
        return sp.Rational(self.a.numerator, self.a.denominator) + sp.Rational(
            self.b.numerator, self.b.denominator
        ) * sp.sqrt(2)


def _exact(x: sp.Expr) -> Fraction | QSqrt2:
    """A sympy number of Q(√2) as Fraction / QSqrt2 (raises if it is not in Q(√2))."""
    x = sp.nsimplify(sp.expand(x), [sp.sqrt(2)])
    b = x.coeff(sp.sqrt(2))
    a = sp.expand(x - b * sp.sqrt(2))
    if not (a.is_Rational and b.is_Rational):
        raise ValueError(f"{x} is not in Q(sqrt(2))")
    return QSqrt2(Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))).simplify()


# ---------------------------------------------------------------------------------------------
# per-site label data
# ---------------------------------------------------------------------------------------------
def unit_pair_label(a: int, b: int, q: int) -> int:
    """The label of ``u_a ⊗ u_b`` (copy 1, copy 2) with ``u_0 = I`` and ``u_{1+kq+l} = E_kl`` (matrix units).

    Any q (module docstring); ``(0, 0)`` is ``I⊗I``, label 0.  The per-site basis of the qudit tasks of
    Lemma 14.7 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    a, b : int
        Single-copy indices in ``range(q*q + 1)``.
    q : int
        The local dimension, ``>= 2``.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If an index is out of range.

    Examples
    --------
    >>> q = 3
    >>> lab = unit_pair_label(1 + 0 * q + 1, 1 + 1 * q + 0, q)   # E_01 ⊗ E_10
    >>> lab, label_traces(lab, q)   # tr = 0, tr(s z) = tr(E_01 E_10) = 1
    (42, (Fraction(0, 1), Fraction(1, 1)))
    """
    q = check_local_dim(q)
    for name, x in (("a", a), ("b", b)):
        if not (isinstance(x, (int, np.integer)) and 0 <= x <= q * q):
            raise ValueError(f"{name} must be an int in range(q*q + 1) = range({q * q + 1}), got {x!r}")
    if a == 0 and b == 0:
        return 0
    return UNIT_BASE + int(a) * (q * q + 1) + int(b)


def n_labels(q: int) -> int:
    """The number of label values for local dimension q (qubit labels, shorthands and matrix-unit pairs).

    Examples
    --------
    >>> n_labels(2), n_labels(3)
    (43, 118)
    """
    q = check_local_dim(q)
    return UNIT_BASE + (q * q + 1) ** 2


def _unit_parts(label: int, q: int) -> tuple[int, int]:
    a, b = divmod(label - UNIT_BASE, q * q + 1)
    if not 0 <= a <= q * q:
        raise ValueError(f"label {label!r} is not a label for q = {q}")
    return a, b


def _unit_trace(a: int, q: int) -> int:
    """``tr u_a``."""
    if a == 0:
        return q
    k, l = divmod(a - 1, q)
    return int(k == l)


def _unit_trace_prod(a: int, b: int, q: int) -> int:
    """``tr(u_a u_b)``."""
    if a == 0:
        return _unit_trace(b, q)
    if b == 0:
        return _unit_trace(a, q)
    k, l = divmod(a - 1, q)
    k2, l2 = divmod(b - 1, q)
    return int(l == k2 and k == l2)


def label_traces(label: int, q: int = 2) -> tuple[Fraction, Fraction]:
    """``(tr z, tr(s z))`` of the per-site two-copy operator of ``label`` (s: the copy swap).

    The two numbers a Haar twirl needs (Lemma 14(a) of ``proofs/DERIVATION.md``).  Labels 0 (``I⊗I``),
    :data:`SWAP` and the matrix-unit pairs (:func:`unit_pair_label`) exist for every q; the Pauli
    pairs and :data:`ZERO_ID` are qubit labels.  For ``z = u_a ⊗ u_b``: ``tr z = tr u_a tr u_b`` and
    ``tr(s z) = tr(u_a u_b)``.

    Parameters
    ----------
    label : int
        A label of the module docstring.
    q : int, default 2
        The local dimension.

    Returns
    -------
    tuple of Fraction

    Raises
    ------
    ValueError
        If the label is unknown, or is a qubit label and ``q != 2``.

    Examples
    --------
    >>> label_traces(0), label_traces(SWAP), label_traces(PAULI_PAIR[3, 3])
    ((Fraction(4, 1), Fraction(2, 1)), (Fraction(2, 1), Fraction(4, 1)), (Fraction(0, 1), Fraction(2, 1)))
    """
    if label == 0:
        return Fraction(q * q), Fraction(q)
    if label == SWAP:
        return Fraction(q), Fraction(q * q)
    if label >= UNIT_BASE:
        a, b = _unit_parts(label, q)
        return Fraction(_unit_trace(a, q) * _unit_trace(b, q)), Fraction(_unit_trace_prod(a, b, q))
    if q != 2 or not (0 <= label < _NLABELS):
        raise ValueError(
            f"label {label!r} is not a label for q = {q} (only 0, SWAP and the matrix-unit pairs exist for q >= 3)"
        )
    if label == ZERO_ID:
        return Fraction(2), Fraction(1)
    mu, nu = divmod(label, 4)
    return Fraction(4 if mu == nu == 0 else 0), Fraction(2 if mu == nu else 0)


@functools.cache
def haar_twirl_coefficients(D: object) -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    """The 2×2 Weingarten matrix of S2 for U(D): ``(c_I, c_F) = W (tr Z, tr F Z)``.

    ``E[(U⊗U) Z (U⊗U)†] = c_I I + c_F F`` with ``c_I = Wg(e) tr Z + Wg(τ) tr FZ`` and
    ``c_F = Wg(τ) tr Z + Wg(e) tr FZ`` (Lemma 14(a) of ``proofs/DERIVATION.md``), from
    :func:`weingarten_check.calculus.weingarten_unitary`.

    Parameters
    ----------
    D : int or sympy.Symbol
        The dimension of the gate (``q**k`` for a k-site gate).

    Returns
    -------
    tuple
        ``((Wg(e), Wg(τ)), (Wg(τ), Wg(e)))`` as sympy expressions.

    Examples
    --------
    >>> haar_twirl_coefficients(4)
    ((1/15, -1/60), (-1/60, 1/15))
    """
    D = sp.sympify(D)
    if D.free_symbols and not D.is_Symbol:  # e.g. q**2: compute in a symbol, then substitute
        x = sp.Dummy("D", positive=True, integer=True)
        (we, wt), _ = haar_twirl_coefficients(x)
        we, wt = sp.factor(we.subs(x, D)), sp.factor(wt.subs(x, D))
    else:
        we, wt = weingarten_unitary((1, 1), D), weingarten_unitary((2,), D)
    return (we, wt), (wt, we)


def _fr(x: sp.Expr) -> Fraction:
    return Fraction(int(x.p), int(x.q))


@functools.cache
def _rotation_matrix_fr(axes: str) -> tuple[tuple[Fraction, ...], ...]:
    """16×16 (out, in) Pauli-pair matrix of the rotation average (exact, by the 4-angle rule)."""
    paulis = _pauli_sympy()
    out = [[Fraction(0)] * 16 for _ in range(16)]
    for ax in axes:
        P = paulis["IXYZ".index(ax)]
        for theta in (0, sp.pi / 2, sp.pi, 3 * sp.pi / 2):
            R = sp.cos(theta / 2) * sp.eye(2) - sp.I * sp.sin(theta / 2) * P
            ptm = _ptm(R, 1)
            for i, j in itertools.product(range(4), repeat=2):
                for k, m in itertools.product(range(4), repeat=2):
                    v = ptm[k][i] * ptm[m][j]
                    if v:
                        out[4 * k + m][4 * i + j] += Fraction(v) / (4 * len(axes))
    return tuple(tuple(r) for r in out)


def rotation_moment_matrix(axes: str = "XYZ", angles: Sequence[object] | None = None) -> sp.Matrix:
    """The 16×16 Pauli-pair matrix of the average of ``R_P(θ) ⊗ R_P(θ)`` conjugation.

    P uniform among ``axes``; θ uniform on [0, 2π) — computed with the four angles
    ``{0, π/2, π, 3π/2}``, exact for this degree-2 trigonometric average (Lemma 14(b) of
    ``proofs/DERIVATION.md``) — or uniform on the given finite ``angles``.

    Parameters
    ----------
    axes : str, default "XYZ"
        The Pauli axes, a non-empty string of distinct letters X, Y, Z.
    angles : sequence, optional
        Finite angles (sympy numbers) to average over instead of the four-angle rule.

    Returns
    -------
    sympy.Matrix
        ``M[out, in]`` with labels ``4 μ + ν``; rational.

    Raises
    ------
    ValueError
        If ``axes`` is empty or has letters other than X, Y, Z or repeats.

    Examples
    --------
    >>> M = rotation_moment_matrix()
    >>> M.rank(), M[0, 0], M[5, 5]   # rank 13, not the Haar projection (rank 2)
    (13, 1, 2/3)
    """
    if not axes or any(a not in "XYZ" for a in axes) or len(set(axes)) != len(axes):
        raise ValueError(f"axes must be distinct letters from 'XYZ', got {axes!r}")
    if angles is None:
        rows = _rotation_matrix_fr(axes)
        return sp.Matrix(16, 16, lambda i, j: sp.Rational(rows[i][j].numerator, rows[i][j].denominator))
    paulis = _pauli_sympy()
    M = sp.zeros(16, 16)
    for ax in axes:
        P = paulis["IXYZ".index(ax)]
        for theta in angles:
            R = sp.cos(sp.sympify(theta) / 2) * sp.eye(2) - sp.I * sp.sin(sp.sympify(theta) / 2) * P
            ptm = _ptm(R, 1)
            for i, j, k, m in itertools.product(range(4), repeat=4):
                M[4 * k + m, 4 * i + j] += ptm[k][i] * ptm[m][j] / (len(angles) * len(axes))
    return M.applyfunc(sp.nsimplify)


@functools.cache
def _pauli_sympy() -> tuple[sp.Matrix, ...]:
    return (
        sp.eye(2),
        sp.Matrix([[0, 1], [1, 0]]),
        sp.Matrix([[0, -sp.I], [sp.I, 0]]),
        sp.Matrix([[1, 0], [0, -1]]),
    )


def _ptm(U: sp.Matrix, k: int) -> list[list[sp.Expr]]:
    """Single-copy Pauli transfer matrix ``R[P', P] = tr(P' U P U†) / 2^k`` (exact)."""
    paulis = _pauli_sympy()
    strings = []
    for idx in itertools.product(range(4), repeat=k):
        m = sp.Matrix([[1]])
        for i in idx:
            m = sp.kronecker_product(m, paulis[i])
        strings.append(m)
    Ud = U.H
    imgs = [U * P * Ud for P in strings]
    return [[sp.nsimplify(sp.simplify((Pp * img).trace() / 2**k)) for img in imgs] for Pp in strings]


#: fixed gates by name: their exact matrices (sites in order)
FIXED_GATES: dict[str, sp.Matrix] = {
    "CZ": sp.diag(1, 1, 1, -1),
    "RY(pi/4)": sp.Matrix([[sp.cos(sp.pi / 8), -sp.sin(sp.pi / 8)], [sp.sin(sp.pi / 8), sp.cos(sp.pi / 8)]]),
}


def register_fixed_gate(name: str, matrix: sp.Matrix) -> str:
    """Add a fixed gate, given by its exact matrix, to :data:`FIXED_GATES` (the one path for fixed gates).

    The gate's moment map is its exact Pauli transfer matrix on each copy (Lemma 14 of
    ``proofs/DERIVATION.md``); that needs every PTM entry ``tr(P' U P U†) / 2^k`` in Q(√2), which holds
    e.g. for Clifford gates, T, and Pauli rotations by multiples of π/4.  Registering the same name
    again with the same matrix is a no-op (names are cache keys: a name never changes its matrix).

    Parameters
    ----------
    name : str
        The key (e.g. ``"h"``, ``"rz(pi/4)"``).
    matrix : sympy.Matrix
        Exact ``2^k x 2^k`` unitary (k = 1, 2 or 3), in the order of the gate's sites (the first
        site the most significant factor).

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    ValueError
        If the matrix is not an exact unitary of size ``2^k`` (k <= 3), its PTM is not in Q(√2), or
        ``name`` is taken by a different matrix.

    Examples
    --------
    >>> register_fixed_gate("t", sp.diag(1, sp.exp(sp.I * sp.pi / 4)))
    't'
    >>> fixed_gate_ptm("t")[1][1][1]   # T X T† = (X + Y)/√2
    QSqrt2(a=Fraction(0, 1), b=Fraction(1, 2))
    >>> register_fixed_gate("rz(pi/8)", sp.diag(sp.exp(-sp.I * sp.pi / 16), sp.exp(sp.I * sp.pi / 16)))
    Traceback (most recent call last):
    ...
    ValueError: fixed gate 'rz(pi/8)': its Pauli transfer matrix has the entry sqrt(sqrt(2)/4 + 1/2), not in Q(sqrt(2))
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty str, got {name!r}")
    U = sp.Matrix(matrix)
    D = U.shape[0]
    if U.shape != (D, D) or D not in (2, 4, 8):
        raise ValueError(f"fixed gate {name!r}: matrix must be 2^k x 2^k with k in 1..3, got shape {U.shape}")
    if name in FIXED_GATES:
        if (FIXED_GATES[name] - U).applyfunc(lambda x: sp.simplify(sp.expand_complex(x))) != sp.zeros(D, D):
            raise ValueError(f"fixed gate {name!r} is already registered with a different matrix")
        return name
    if (U * U.H - sp.eye(D)).applyfunc(lambda x: sp.simplify(sp.expand(x))) != sp.zeros(D, D):
        raise ValueError(f"fixed gate {name!r}: matrix is not exactly unitary")
    k = D.bit_length() - 1
    ptm = _ptm(U, k)
    for row in ptm:
        for v in row:
            try:
                _exact(v)
            except ValueError:
                raise ValueError(
                    f"fixed gate {name!r}: its Pauli transfer matrix has the entry {v}, not in Q(sqrt(2))"
                ) from None
    FIXED_GATES[name] = U
    return name


def fixed_gate_ptm(name: str, dagger: bool = False) -> tuple[int, tuple[tuple[Fraction | QSqrt2, ...], ...]]:
    """The exact single-copy Pauli transfer matrix ``R[P', P] = tr(P' U P U†) / 2^k`` of a fixed gate.

    The map of :class:`MomentGate` ``("fixed", ..., spec=name)`` on each copy (Lemma 14 of
    ``proofs/DERIVATION.md``); ``dagger=True`` is that of ``U†``.

    Parameters
    ----------
    name : str
        A key of :data:`FIXED_GATES`.
    dagger : bool, default False
        Use ``U†``.

    Returns
    -------
    tuple
        ``(k, R)``: the number of qubits and the ``4^k × 4^k`` matrix (Fraction / QSqrt2 entries).

    Raises
    ------
    ValueError
        If the gate is unknown.

    Examples
    --------
    >>> k, R = fixed_gate_ptm("RY(pi/4)")
    >>> k, R[3][3], R[1][3]   # U Z U† = (Z - X)/√2 ... in Pauli coordinates
    (1, QSqrt2(a=Fraction(0, 1), b=Fraction(1, 2)), QSqrt2(a=Fraction(0, 1), b=Fraction(1, 2)))
    """
    if name not in FIXED_GATES:
        raise ValueError(f"unknown fixed gate {name!r}; known: {sorted(FIXED_GATES)}")
    return _fixed_ptm(name, bool(dagger))


@functools.cache
def _fixed_ptm(name: str, dagger: bool) -> tuple[int, tuple[tuple[Fraction | QSqrt2, ...], ...]]:
    U = FIXED_GATES[name]
    k = int(round(math.log2(U.shape[0])))
    U = U.H if dagger else U
    return k, tuple(tuple(_exact(v) for v in row) for row in _ptm(U, k))


# ---------------------------------------------------------------------------------------------
# gates
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MomentGate:
    """One random or fixed gate, as its moment map on the two copies of its sites (module docstring).

    Parameters
    ----------
    kind : {"haar", "rotation", "fixed"}
        Haar on the sites (any q); a uniform-angle Pauli rotation ``exp(-iθP/2)``, θ uniform on
        [0, 2π), with a uniform axis P among the letters of ``spec`` (qubits, one site), or on k >= 2
        sites about the one k-letter Pauli string ``spec`` (e.g. ``"ZZ"``: Qiskit's ``rzz``); a fixed
        gate named ``spec`` (:data:`FIXED_GATES`, :func:`register_fixed_gate`).
    sites : tuple of int
        The sites, in the gate's order.
    q : int, default 2
        The local dimension (only ``"haar"`` allows q >= 3).
    spec : str, default ""
        ``"rotation"``: the axes, e.g. ``"XYZ"`` or ``"Z"``; ``"fixed"``: the gate's name.

    Examples
    --------
    >>> MomentGate("rotation", (0,), spec="XYZ").apply_local((PAULI_PAIR[0, 1],))  # (I⊗X) -> (I⊗X)/3
    (((1,), Fraction(1, 3)),)
    """

    kind: str
    sites: tuple[int, ...]
    q: int = 2
    spec: str = ""

    def __post_init__(self) -> None:
        check_choice(self.kind, "kind", ("haar", "rotation", "fixed"))
        object.__setattr__(self, "sites", tuple(int(s) for s in self.sites))
        if self.kind != "haar" and self.q != 2:
            raise ValueError(f"q must be 2 for a {self.kind!r} gate (qubit Pauli coordinates), got {self.q}")
        if self.kind == "haar" and len(self.sites) not in (1, 2):
            raise ValueError(f"a Haar gate acts on 1 or 2 sites, got sites {self.sites}")
        if self.kind == "rotation":
            if len(self.sites) == 1:
                if not self.spec or any(a not in "XYZ" for a in self.spec) or len(set(self.spec)) != len(self.spec):
                    raise ValueError(f"a one-site rotation needs distinct axes from 'XYZ' in spec, got {self.spec!r}")
            elif len(self.spec) != len(self.sites) or set(self.spec) - set("IXYZ") or set(self.spec) == {"I"}:
                raise ValueError(
                    f"a rotation on {len(self.sites)} sites needs one Pauli string of that length (not all I) in "
                    f"spec, e.g. 'ZZ', got {self.spec!r}"
                )
        if self.kind == "fixed":
            if self.spec not in FIXED_GATES:
                raise ValueError(f"unknown fixed gate {self.spec!r}; known: {sorted(FIXED_GATES)}")
            if FIXED_GATES[self.spec].shape[0] != 2 ** len(self.sites):
                raise ValueError(f"fixed gate {self.spec!r} acts on {FIXED_GATES[self.spec].shape[0]} dims")

    def invariant(self, labels: tuple[int, ...]) -> bool:
        """True if the map fixes this product (identity everywhere, or the swap everywhere, for Haar)."""
        if self.kind == "fixed":
            return all(x == 0 for x in labels)
        first = labels[0]
        return (first == 0 or first == SWAP) and all(x == first for x in labels)

    def apply_local(self, labels: tuple[int, ...], dagger: bool = False) -> tuple:
        """The image of the product ``labels`` (on :attr:`sites`) as ``((labels', coeff), ...)``.

        ``dagger=True`` gives the adjoint map (Heisenberg picture); random gates here have
        inverse-invariant distributions, so only fixed gates change.
        """
        return _apply_local(self.kind, len(self.sites), self.q, self.spec, tuple(labels), bool(dagger))


@functools.lru_cache(maxsize=65536)
def _apply_local(kind: str, k: int, q: int, spec: str, labels: tuple[int, ...], dagger: bool) -> tuple:
    if kind == "haar":
        trz, trfz = Fraction(1), Fraction(1)
        for x in labels:
            a, b = label_traces(x, q)
            trz, trfz = trz * a, trfz * b
        (w00, w01), (w10, w11) = haar_twirl_coefficients(q**k)
        cI = _fr(w00) * trz + _fr(w01) * trfz
        cF = _fr(w10) * trz + _fr(w11) * trfz
        out = []
        if cI:
            out.append(((0,) * k, cI))
        if cF:
            out.append(((SWAP,) * k, cF))
        return tuple(out)
    if any(not 0 <= x < _NLABELS for x in labels):
        raise ValueError(f"a {kind!r} gate acts on qubit labels (Pauli pairs, SWAP, ZERO_ID), got {labels}")
    # expand shorthands into Pauli pairs, then apply the Pauli-pair map
    terms: dict[tuple[int, ...], object] = {}
    for combo in itertools.product(*[_EXPANSION.get(x, ((x, Fraction(1)),)) for x in labels]):
        lab = tuple(c[0] for c in combo)
        coef = Fraction(1)
        for c in combo:
            coef *= c[1]
        terms[lab] = terms.get(lab, 0) + coef
    acc: dict[tuple[int, ...], object] = {}
    for lab, coef in terms.items():
        for out_lab, v in _pauli_pair_map(kind, k, spec, lab, dagger):
            acc[out_lab] = acc.get(out_lab, 0) + coef * v
    return tuple((lab, (v.simplify() if isinstance(v, QSqrt2) else v)) for lab, v in acc.items() if v)


@functools.lru_cache(maxsize=65536)
def _pauli_pair_map(kind: str, k: int, spec: str, labels: tuple[int, ...], dagger: bool) -> tuple:
    if kind == "rotation" and k == 1:
        col = labels[0]
        rows = _rotation_matrix_fr(spec)
        return tuple(((i,), rows[i][col]) for i in range(16) if rows[i][col])
    if kind == "rotation":  # a k-site Pauli string: the 4-angle rule over Clifford angles (Lemma 14(b))
        acc: dict = {}
        for ptm in _pauli_rotation_ptms(spec):
            for lab, v in _ptm_pair_image(ptm, k, labels):
                acc[lab] = acc.get(lab, 0) + v / 4
        return tuple((lab, v) for lab, v in acc.items() if v)
    _, ptm = _fixed_ptm(spec, dagger)
    return _ptm_pair_image(ptm, k, labels)


@functools.cache
def _pauli_rotation_ptms(spec: str) -> tuple:
    """The exact PTMs of ``exp(-iθP/2)`` for θ in {0, π/2, π, 3π/2} (P the Pauli string ``spec``)."""
    paulis = _pauli_sympy()
    P = sp.Matrix([[1]])
    for ch in spec:
        P = sp.kronecker_product(P, paulis["IXYZ".index(ch)])
    out = []
    for theta in (0, sp.pi / 2, sp.pi, 3 * sp.pi / 2):
        R = sp.cos(theta / 2) * sp.eye(P.shape[0]) - sp.I * sp.sin(theta / 2) * P
        out.append(tuple(tuple(_exact(v) for v in row) for row in _ptm(R, len(spec))))
    return tuple(out)


def _ptm_pair_image(ptm: tuple, k: int, labels: tuple[int, ...]) -> tuple:
    """The image of the Pauli-pair product ``labels`` under ``R ⊗ R`` (R a single-copy PTM)."""
    mus = [x // 4 for x in labels]
    nus = [x % 4 for x in labels]
    base = 4 ** np.arange(k - 1, -1, -1)
    P = int(np.dot(mus, base))
    Q = int(np.dot(nus, base))
    out = []
    for Pp in range(4**k):
        a = ptm[Pp][P]
        if not a:
            continue
        for Qp in range(4**k):
            b = ptm[Qp][Q]
            if not b:
                continue
            dp = [(Pp // 4 ** (k - 1 - i)) % 4 for i in range(k)]
            dq = [(Qp // 4 ** (k - 1 - i)) % 4 for i in range(k)]
            out.append((tuple(4 * dp[i] + dq[i] for i in range(k)), a * b))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# sparse propagation
# ---------------------------------------------------------------------------------------------
Layer = Sequence[MomentGate]


def propagate(
    op: Mapping[tuple[int, ...], object], layers: Sequence[Layer], *, heisenberg: bool
) -> dict[tuple[int, ...], object]:
    """Apply the moment maps of a circuit's layers to a sparse two-copy operator.

    ``heisenberg=False``: ``Z -> E[(V⊗V) Z (V⊗V)†]`` (layers in time order); ``True``: the adjoint
    ``Z -> E[(V⊗V)† Z (V⊗V)]`` (last layer first, adjoint gate maps).  Gates of one layer must act on
    disjoint sites.  Implements the layer-by-layer factorisation of Lemma 14 of
    ``proofs/DERIVATION.md`` (independent gates: the moment map of the circuit is the composition).

    Parameters
    ----------
    op : mapping
        ``{labels (one per site): coefficient}``.
    layers : sequence of sequences of MomentGate
        The circuit, first layer first.
    heisenberg : bool
        Keyword-only: the direction (above).

    Returns
    -------
    dict
        The image, zero coefficients dropped.

    Raises
    ------
    ValueError
        If the gates of a layer overlap.

    Examples
    --------
    >>> out = propagate({(PAULI_PAIR[3, 3], 0): Fraction(1)}, [[MomentGate("haar", (0, 1))]], heisenberg=True)
    >>> sorted(out.items())
    [((0, 0), Fraction(-1, 15)), ((16, 16), Fraction(4, 15))]
    """
    cur = dict(op)
    seq = list(reversed(layers)) if heisenberg else list(layers)
    for layer in seq:
        seen: set[int] = set()
        for g in layer:
            if seen & set(g.sites):
                raise ValueError(f"gates of one layer overlap on sites {sorted(seen & set(g.sites))}")
            seen |= set(g.sites)
        cur = _apply_layer(cur, layer, heisenberg)
    return cur


def _apply_layer(cur: dict, layer: Layer, dagger: bool) -> dict:
    out: dict = {}
    haar2 = [g.sites for g in layer if g.kind == "haar" and len(g.sites) == 2]
    others = [(g, g.sites) for g in layer if not (g.kind == "haar" and len(g.sites) == 2)]
    haar_map = {g.sites: g for g in layer if g.kind == "haar" and len(g.sites) == 2}
    get = out.get
    for conf, v in cur.items():
        parts = []
        for a, b in haar2:  # fast path: I⊗I and s⊗s are fixed by a Haar gate
            x, y = conf[a], conf[b]
            if x == y and (x == 0 or x == SWAP):
                continue
            parts.append(((a, b), haar_map[(a, b)].apply_local((x, y), dagger)))
        for g, sites in others:
            loc = tuple([conf[s] for s in sites])
            if not g.invariant(loc):
                parts.append((sites, g.apply_local(loc, dagger)))
        if not parts:
            out[conf] = get(conf, 0) + v
            continue
        for choice in itertools.product(*[p[1] for p in parts]):
            new = list(conf)
            coef = v
            for (sites, _), (labs, c) in zip(parts, choice):
                for s, lab in zip(sites, labs):
                    new[s] = lab
                coef = coef * c
            key = tuple(new)
            out[key] = get(key, 0) + coef
    return {k: v for k, v in out.items() if v}


def apply_projection_A(op: Mapping[tuple[int, ...], object], site: int | Sequence[int], q: int = 2) -> dict:
    """``P_A(Z) = E_A ⊗ tr_{AA'}[(E_A ⊗ I) Z]`` with ``E_A = F_A - I/dA``, ``dA = q^m``.

    The map between the two circuits in ``E||K||_F² = tr[(H⊗H) Φ_2(P_A(Φ_1(ρ⊗ρ)))]`` (Lemma 14 of
    ``proofs/DERIVATION.md``): ``Σ_a G_a ⊗ G_a = F_A - I/dA`` for an orthonormal traceless basis.
    P_A is self-adjoint.  A is one site or several (m = 2: Lemma 14.8); ``F_A`` is the product of the
    sites' swaps, so on a product ``z``: ``tr(E_A z_A) = Π tr(s z_s) - Π tr z_s / dA``.

    Parameters
    ----------
    op : mapping
        A sparse two-copy operator.
    site : int or sequence of int
        The site of A, or its distinct sites.
    q : int, default 2
        The local dimension.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        If ``site`` is an empty or repeating tuple.

    Examples
    --------
    >>> sorted(apply_projection_A({(PAULI_PAIR[1, 1],): Fraction(1)}, 0).items())   # tr(E σx⊗σx) = 2
    [((0,), Fraction(-1, 1)), ((16,), Fraction(2, 1))]
    >>> sorted(apply_projection_A({(PAULI_PAIR[1, 1], 0): Fraction(1)}, (0, 1)).items())   # X⊗I, X⊗I
    [((0, 0), Fraction(-1, 1)), ((16, 16), Fraction(4, 1))]
    """
    A = (int(site),) if isinstance(site, (int, np.integer)) else tuple(int(s) for s in site)
    if not A or len(set(A)) != len(A):
        raise ValueError(f"site must be an int or a sequence of distinct ints, got {site!r}")
    dA = q ** len(A)
    out: dict = {}
    for conf, v in op.items():
        trz, trsz = Fraction(1), Fraction(1)
        for s in A:
            a, b = label_traces(conf[s], q)
            trz, trsz = trz * a, trsz * b
        t = trsz - trz / dA
        if not t:
            continue
        for lab, c in ((SWAP, Fraction(1)), (0, -Fraction(1, dA))):
            new = list(conf)
            for s in A:
                new[s] = lab
            key = tuple(new)
            out[key] = out.get(key, 0) + v * t * c
    return {k: v for k, v in out.items() if v}


def product_state_functional(bloch: Sequence[object]) -> tuple:
    """Per-site values ``<ψψ| z |ψψ>`` of every label for a qubit pure state with Bloch vector ``bloch``.

    Parameters
    ----------
    bloch : sequence of 3 exact numbers (Fraction / QSqrt2)
        ``(x, y, z)`` of the pure state ψ (``x² + y² + z² = 1``).

    Returns
    -------
    tuple
        18 values indexed by label.

    Examples
    --------
    >>> f = product_state_functional((0, 0, 1))   # |0>
    >>> f[0], f[PAULI_PAIR[3, 3]], f[PAULI_PAIR[1, 1]], f[SWAP], f[ZERO_ID]
    (Fraction(1, 1), Fraction(1, 1), Fraction(0, 1), Fraction(1, 1), Fraction(1, 1))
    """
    r = [Fraction(1)] + [x if isinstance(x, QSqrt2) else Fraction(x) for x in bloch]
    vals = [r[mu] * r[nu] for mu in range(4) for nu in range(4)]
    vals.append(Fraction(1))  # <ψψ|SWAP|ψψ> = 1
    vals.append((1 + r[3]) * _HALF)
    return tuple(v.simplify() if isinstance(v, QSqrt2) else v for v in vals)


@functools.cache
def zero_state_functional(q: int = 2) -> tuple:
    """Per-site values ``<00| z |00>`` of every label for the state ``|0>`` of a site of dimension q.

    ``u_a ⊗ u_b`` gives ``<0|u_a|0><0|u_b|0>`` (``<0|E_kl|0> = [k = l = 0]``), the swap 1; for q = 2
    the qubit labels too (:func:`product_state_functional` of ``(0, 0, 1)``), for q >= 3 they are
    None (not labels there).  The input ``|0…0>`` of Lemma 14 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    q : int, default 2
        The local dimension.

    Returns
    -------
    tuple
        :func:`n_labels` values indexed by label.

    Examples
    --------
    >>> f = zero_state_functional(3)
    >>> f[0], f[SWAP], f[unit_pair_label(1, 1, 3)], f[unit_pair_label(1, 5, 3)], f[5]
    (Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(0, 1), None)
    """
    q = check_local_dim(q)
    vals: list = list(product_state_functional((0, 0, 1))) if q == 2 else [None] * _NLABELS
    vals[0] = vals[SWAP] = Fraction(1)
    zero = [Fraction(1)] + [Fraction(int(a == 1)) for a in range(1, q * q + 1)]  # <0|u_a|0>, u_1 = E_00
    for a in range(q * q + 1):
        for b in range(q * q + 1):
            vals.append(zero[a] * zero[b])
    return tuple(vals)


def pair_with_product_state(op: Mapping[tuple[int, ...], object], functionals: Sequence[Sequence[object]]) -> object:
    """``tr[Z (ψψ)^{⊗}]`` for a product state given per site by :func:`product_state_functional`.

    Parameters
    ----------
    op : mapping
        A sparse two-copy operator.
    functionals : sequence
        One functional per site (values indexed by label: :func:`product_state_functional`,
        :func:`zero_state_functional`).

    Returns
    -------
    Fraction or QSqrt2

    Examples
    --------
    >>> zero = product_state_functional((0, 0, 1))
    >>> pair_with_product_state({(SWAP, PAULI_PAIR[3, 0]): Fraction(2)}, [zero, zero])
    Fraction(2, 1)
    """
    total: object = Fraction(0)
    ones = [frozenset(lab for lab in range(len(f)) if f[lab] == 1) for f in functionals]
    for conf, v in op.items():
        p = v
        for s, lab in enumerate(conf):
            if lab not in ones[s]:
                f = functionals[s][lab] if lab < len(functionals[s]) else None
                if f is None:
                    raise ValueError(f"the functional of site {s} has no value for label {lab}")
                p = p * f
                if not p:
                    break
        total = total + p
    return total.simplify() if isinstance(total, QSqrt2) else total


# ---------------------------------------------------------------------------------------------
# dense propagation (Pauli-pair coordinates, exact integers)
# ---------------------------------------------------------------------------------------------
class DenseTwoCopy:
    """A two-copy operator on n qubits in Pauli-pair coordinates: ``(a + b √2) / den`` exactly.

    ``a``, ``b``: numpy object arrays of Python ints of shape ``(16,)*n``; ``b`` is ``None`` while
    the values are rational.  For circuits whose light cone covers the chain (the HEA), where the
    sparse ``dict`` of :func:`propagate` would hold every product anyway; n <= 6.

    Parameters
    ----------
    n : int
        The number of qubits, ``1 <= n <= 6``.

    Examples
    --------
    >>> X = DenseTwoCopy.from_sparse({(PAULI_PAIR[1, 1], 0): Fraction(1, 2)}, 2)
    >>> X.apply_gate(MomentGate("fixed", (0, 1), spec="CZ"), dagger=True).to_sparse()   # XI -> XZ
    {(5, 15): Fraction(1, 2)}
    """

    def __init__(self, n: int) -> None:
        self.n = check_int(n, "n", 1)
        if self.n > 6:
            raise ValueError(f"n must be <= 6 for the dense two-copy array (16^n entries), got {n}")
        self.a = np.zeros((16,) * self.n, dtype=object)
        self.a[...] = 0
        self.b = None
        self.den = 1

    @classmethod
    def from_sparse(cls, op: Mapping[tuple[int, ...], object], n: int) -> DenseTwoCopy:
        """Expand a sparse operator (shorthand labels into Pauli pairs)."""
        X = cls(n)
        terms: dict[tuple[int, ...], object] = {}
        for conf, v in op.items():
            if any(not 0 <= x < _NLABELS for x in conf):
                raise ValueError(f"the dense two-copy array takes qubit labels only, got {conf}")
            for combo in itertools.product(*[_EXPANSION.get(x, ((x, Fraction(1)),)) for x in conf]):
                lab = tuple(c[0] for c in combo)
                coef = v
                for c in combo:
                    coef = coef * c[1]
                terms[lab] = terms.get(lab, 0) + coef
        den = 1
        for v in terms.values():
            q2 = QSqrt2.of(v)
            den = math.lcm(den, q2.a.denominator, q2.b.denominator)
        X.den = den
        for lab, v in terms.items():
            q2 = QSqrt2.of(v)
            X.a[lab] += int(q2.a * den)
            if q2.b:
                if X.b is None:
                    X.b = np.zeros_like(X.a)
                    X.b[...] = 0
                X.b[lab] += int(q2.b * den)
        return X

    def to_sparse(self) -> dict[tuple[int, ...], object]:
        """The non-zero coordinates as a sparse operator."""
        out = {}
        for idx in zip(*np.nonzero(self.a if self.b is None else (self.a != 0) | (self.b != 0))):
            v = QSqrt2(
                Fraction(int(self.a[idx]), self.den), Fraction(int(self.b[idx]), self.den) if self.b is not None else 0
            )
            out[tuple(int(i) for i in idx)] = v.simplify()
        return out

    def copy(self) -> DenseTwoCopy:
        """An independent copy."""
        X = DenseTwoCopy(self.n)
        X.a = self.a.copy()
        X.b = None if self.b is None else self.b.copy()
        X.den = self.den
        return X

    def apply_gate(self, g: MomentGate, dagger: bool = False) -> DenseTwoCopy:
        """Apply one gate's moment map in place (and return self)."""
        k, sites = len(g.sites), g.sites
        m, merged = _dense_local_matrix(g.kind, k, g.q, g.spec, bool(dagger))
        return self._apply_on_sites(sites, m, merged)

    def _apply_on_sites(self, sites: tuple[int, ...], m: int, merged: tuple) -> DenseTwoCopy:
        """A local map on any sites (in the map's order): move them to the front, apply, move back."""
        k = len(sites)
        if sites == tuple(range(sites[0], sites[0] + k)):
            return self._apply_matrix(sites[0], k, m, merged)
        perm = list(sites) + [s for s in range(self.n) if s not in sites]
        inv = list(np.argsort(perm))
        self.a = np.ascontiguousarray(self.a.transpose(perm))
        if self.b is not None:
            self.b = np.ascontiguousarray(self.b.transpose(perm))
        self._apply_matrix(0, k, m, merged)
        self.a = np.ascontiguousarray(self.a.transpose(inv))
        if self.b is not None:
            self.b = np.ascontiguousarray(self.b.transpose(inv))
        return self

    def project_A(self, sites: Sequence[int]) -> DenseTwoCopy:
        """``P_A`` (:func:`apply_projection_A`) on the sites of A: ``(P, P), P ≠ I -> Σ_{R ≠ I} (R, R)``.

        In Pauli-pair coordinates ``tr[E_A (P ⊗ Q)] = dA δ_PQ [P ≠ I]`` and ``E_A = Σ_{R≠I} R⊗R / dA``.
        """
        sites = tuple(int(s) for s in sites)
        k = len(sites)
        diag = [
            int(np.ravel_multi_index(tuple(5 * p for p in ps), (16,) * k))
            for ps in itertools.product(range(4), repeat=k)
            if any(ps)
        ]
        return self._apply_on_sites(sites, 1, tuple((o, i, 1, 0) for o in diag for i in diag))

    def _apply_matrix(self, s0: int, k: int, m: int, merged: tuple) -> DenseTwoCopy:
        shape = (16**s0, 16**k, 16 ** (self.n - s0 - k))
        A = self.a.reshape(shape)
        B = None if self.b is None else self.b.reshape(shape)
        perm = _signed_permutation(merged, m, 16**k)
        if perm is not None:  # a Clifford gate: move slices (pointer copies), negate where the sign is -1
            src, neg = perm
            for name, X in (("a", A), ("b", B)):
                if X is None:
                    continue
                Y = X[:, src, :]
                if len(neg):
                    Y[:, neg, :] = -Y[:, neg, :]
                setattr(self, name, Y.reshape((16,) * self.n))
            return self
        has_b = any(rb for _, _, _, rb in merged) or B is not None
        newA = np.zeros_like(A)
        newA[...] = 0
        newB = None
        if has_b:
            newB = np.zeros_like(A)
            newB[...] = 0
        for oi, ii, ra, rb in merged:
            if ra:
                newA[:, oi, :] += ra * A[:, ii, :]
                if B is not None:
                    newB[:, oi, :] += ra * B[:, ii, :]
            if rb:
                newB[:, oi, :] += rb * A[:, ii, :]
                if B is not None:
                    newA[:, oi, :] += 2 * rb * B[:, ii, :]
        self.a = newA.reshape((16,) * self.n)
        self.b = None if newB is None else newB.reshape((16,) * self.n)
        self.den *= m
        return self

    def reduce(self) -> DenseTwoCopy:
        """Divide numerators and denominator by their gcd (exact; keeps integers small)."""
        vals = [int(x) for x in self.a.ravel() if x]
        if self.b is not None:
            vals += [int(x) for x in self.b.ravel() if x]
        g = math.gcd(self.den, *vals) if vals else self.den
        if g > 1:
            self.a = self.a // g
            if self.b is not None:
                self.b = self.b // g
            self.den //= g
        return self

    def pair(self, functionals: Sequence[Sequence[object]]) -> object:
        """``tr[Z (ψψ)^{⊗}]`` for per-site functionals (:func:`product_state_functional`)."""
        A, B, den = self.a, self.b, self.den
        for s in reversed(range(self.n)):
            vals = [QSqrt2.of(functionals[s][lab]) for lab in range(16)]
            m = 1
            for v in vals:
                m = math.lcm(m, v.a.denominator, v.b.denominator)
            fa = np.array([int(v.a * m) for v in vals], dtype=object)
            fb = np.array([int(v.b * m) for v in vals], dtype=object)
            use_b = any(int(x) for x in fb)
            nA = A.dot(fa)
            nB = A.dot(fb) if use_b else None
            if B is not None:
                if use_b:
                    nA = nA + 2 * B.dot(fb)
                nB = B.dot(fa) if nB is None else nB + B.dot(fa)
            A, B = nA, nB
            den *= m
        res = QSqrt2(Fraction(int(A), den), Fraction(int(B), den) if B is not None else 0)
        return res.simplify()


class FloatTwoCopy:
    """A two-copy operator on n qubits in Pauli-pair coordinates, in float64, with a rounding bound.

    For the HEA and the real-amplitude HEA beyond the exact range (n = 6: 16^6 doubles, 134 MB).  Every
    rational gate map of either has column ℓ1 norm <= 1 (the rotation averages) or is a signed permutation
    (CZ), so the ℓ1 norm
    of the operator never grows and each map adds at most ``γ_6 (||X_0||_1 + err)`` (``γ_k = kε/(1 - kε)``;
    <= 3 terms per output entry, the rounded map entry, the product, the sums) to the ℓ1 error:
    :attr:`error_l1` is that running bound (standard floating-point model; Lemma 14 of
    ``proofs/DERIVATION.md`` for the maps).

    Parameters
    ----------
    n : int
        The number of qubits, ``1 <= n <= 6``.

    Examples
    --------
    >>> X = FloatTwoCopy.from_sparse({(PAULI_PAIR[1, 1], 0): Fraction(1, 2)}, 2)
    >>> X.apply_gate(MomentGate("rotation", (0,), spec="XYZ")).l1_bound, X.error_l1 > 0
    (0.5, True)
    """

    def __init__(self, n: int) -> None:
        self.n = check_int(n, "n", 1)
        if self.n > 6:
            raise ValueError(f"n must be <= 6 for the dense float two-copy array (16^n doubles), got {n}")
        self.a = np.zeros((16,) * self.n)
        self.l1_bound = 0.0  # ||X_0||_1, never exceeded by the exact operator
        self.error_l1 = 0.0

    @classmethod
    def from_sparse(cls, op: Mapping[tuple[int, ...], object], n: int) -> FloatTwoCopy:
        """Expand a sparse rational operator (shorthand labels into Pauli pairs)."""
        exact = DenseTwoCopy.from_sparse(op, n)
        if exact.b is not None:
            raise ValueError("FloatTwoCopy takes rational operators")
        X = cls(n)
        X.a = np.vectorize(lambda v: v / exact.den, otypes=[float])(exact.a)
        X.l1_bound = float(sum(abs(Fraction(int(v), exact.den)) for v in exact.a.ravel() if v))
        X.error_l1 = float(np.finfo(float).eps) * X.l1_bound
        return X

    def apply_gate(self, g: MomentGate, dagger: bool = False) -> FloatTwoCopy:
        """Apply one rational gate map (ℓ1-contracting or a signed permutation) in place."""
        k, sites = len(g.sites), g.sites
        m, merged = _dense_local_matrix(g.kind, k, g.q, g.spec, bool(dagger))
        if any(rb for _, _, _, rb in merged):
            raise ValueError(f"FloatTwoCopy applies rational maps only, not {g.spec!r}")
        colsum: dict[int, int] = {}
        for _, ii, ra, _ in merged:
            colsum[ii] = colsum.get(ii, 0) + abs(ra)
        if max(colsum.values()) > m:
            raise ValueError("the map is not ℓ1-contracting: no error bound")
        shape = (16 ** sites[0], 16**k, 16 ** (self.n - sites[0] - k))
        A = self.a.reshape(shape)
        perm = _signed_permutation(merged, m, 16**k)
        if perm is not None:
            src, neg = perm
            Y = A[:, src, :]
            if len(neg):
                Y[:, neg, :] = -Y[:, neg, :]
            self.a = Y.reshape((16,) * self.n)
            return self
        new = np.zeros_like(A)
        for oi, ii, ra, _ in merged:
            new[:, oi, :] += (ra / m) * A[:, ii, :]
        self.a = new.reshape((16,) * self.n)
        eps = float(np.finfo(float).eps)  # <= 3 terms per entry: entry, product, 3 additions, margin
        self.error_l1 += 6 * eps / (1 - 6 * eps) * (self.l1_bound + self.error_l1)
        return self

    def project_A(self, site: int) -> FloatTwoCopy:
        """``P_A`` on the A axis: (μ,μ), μ ≠ 0 -> Σ_ν (ν,ν) (ℓ1 grows by at most 3)."""
        shape = (16**site, 16, 16 ** (self.n - site - 1))
        A = self.a.reshape(shape)
        S = A[:, 5, :] + A[:, 10, :] + A[:, 15, :]
        new = np.zeros_like(A)
        for lab in (5, 10, 15):
            new[:, lab, :] = S
        self.a = new.reshape((16,) * self.n)
        self.l1_bound *= 3
        self.error_l1 = 3 * self.error_l1 + 3 * float(np.finfo(float).eps) * self.l1_bound
        return self

    def copy(self) -> FloatTwoCopy:
        """An independent copy."""
        X = FloatTwoCopy(self.n)
        X.a, X.l1_bound, X.error_l1 = self.a.copy(), self.l1_bound, self.error_l1
        return X

    def pair(self, functionals: Sequence[Sequence[object]]) -> tuple[float, float]:
        """``(value, error bound)`` of ``tr[Z (ψψ)^{⊗}]`` (per-site functionals with ``|f| <= 1``)."""
        A = self.a
        eps = float(np.finfo(float).eps)
        for s in reversed(range(self.n)):
            f = np.array([float(functionals[s][lab]) for lab in range(16)])
            if np.abs(f).max() > 1:
                raise ValueError("functionals must have |f| <= 1")
            A = A.dot(f)
        gamma = 18 * self.n * eps / (1 - 18 * self.n * eps)  # n contractions of 16 terms, f rounded
        return float(A), self.error_l1 + gamma * (self.l1_bound + self.error_l1)


def _signed_permutation(merged: tuple, m: int, size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``(src, neg)`` if the local matrix is a signed permutation (out j <- ± in src[j]), else None."""
    if m != 1 or len(merged) != size:
        return None
    src = np.full(size, -1)
    neg = []
    for oi, ii, ra, rb in merged:
        if rb or ra not in (1, -1) or src[oi] != -1:
            return None
        src[oi] = ii
        if ra == -1:
            neg.append(oi)
    if (src < 0).any():
        return None
    return src, np.array(neg, dtype=int)


@functools.lru_cache(maxsize=64)
def _dense_local_matrix(kind: str, k: int, q: int, spec: str, dagger: bool) -> tuple[int, tuple]:
    """The gate's map on Pauli-pair coordinates: ``(m, ((out, in, ra, rb), ...))``, entries ``(ra + rb √2)/m``."""
    g = MomentGate(kind, tuple(range(k)), q, spec)
    merged: dict = {}
    for inp in itertools.product(range(16), repeat=k):
        if g.invariant(inp):
            merged[(inp, inp)] = QSqrt2(1)
            continue
        for lab, v in g.apply_local(inp, dagger):
            for combo in itertools.product(*[_EXPANSION.get(x, ((x, Fraction(1)),)) for x in lab]):
                out = tuple(c[0] for c in combo)
                c = QSqrt2.of(v)
                for cc in combo:
                    c = c * cc[1]
                merged[(out, inp)] = merged.get((out, inp), QSqrt2(0)) + c
    merged = {key: c for key, c in merged.items() if c}
    m = 1
    for c in merged.values():
        m = math.lcm(m, c.a.denominator, c.b.denominator)
    rows = tuple(
        (
            int(np.ravel_multi_index(out, (16,) * k)),
            int(np.ravel_multi_index(inp, (16,) * k)),
            int(c.a * m),
            int(c.b * m),
        )
        for (out, inp), c in merged.items()
    )
    return m, rows


# ---------------------------------------------------------------------------------------------
# circuits as layers of moment gates
# ---------------------------------------------------------------------------------------------
def brickwork_layers(n: int, layers: int, q: int = 2, first: int = 1) -> list[list[MomentGate]]:
    """Brickwork of Haar 2-site gates: layer ℓ (ℓ = first, first+1, …) on (0,1),(2,3),… if ℓ is odd.

    Even ℓ act on (1,2),(3,4),…; open chain (a site without a partner idles).  Layer ``first`` is
    applied first.  The ensemble of Lemma 14 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    n : int
        The number of sites, ``>= 2``.
    layers : int
        The number of layers, ``>= 0``.
    q : int, default 2
        The local dimension.
    first : int, default 1
        The index of the first layer (its parity fixes the pairing).

    Returns
    -------
    list of lists of MomentGate

    Examples
    --------
    >>> [[g.sites for g in lay] for lay in brickwork_layers(5, 2)]
    [[(0, 1), (2, 3)], [(1, 2), (3, 4)]]
    """
    n = check_int(n, "n", 2)
    layers = check_int(layers, "layers", 0)
    q = check_local_dim(q)
    out = []
    for ell in range(first, first + layers):
        start = 0 if ell % 2 == 1 else 1
        out.append([MomentGate("haar", (i, i + 1), q) for i in range(start, n - 1, 2)])
    return out


def hea_layers(n: int, layers: int) -> list[list[MomentGate]]:
    """The paper's HEA as :func:`weingarten_check.circuits.ensembles.hea_circuit` builds it (qubits).

    First R_y(π/4) on every qubit, then ``layers`` times: a random-axis uniform-angle Pauli rotation
    on every qubit, then CZ on (0,1), …, (n-2, n-1) (as two layers of disjoint CZs; they commute).

    Parameters
    ----------
    n : int
        The number of qubits, ``>= 1``.
    layers : int
        L, ``>= 0``.

    Returns
    -------
    list of lists of MomentGate

    Examples
    --------
    >>> [[(g.kind, g.sites) for g in lay] for lay in hea_layers(3, 1)]  # doctest: +NORMALIZE_WHITESPACE
    [[('fixed', (0,)), ('fixed', (1,)), ('fixed', (2,))],
     [('rotation', (0,)), ('rotation', (1,)), ('rotation', (2,))],
     [('fixed', (0, 1))], [('fixed', (1, 2))]]
    """
    n = check_int(n, "n", 1)
    layers = check_int(layers, "layers", 0)
    out = [[MomentGate("fixed", (s,), spec="RY(pi/4)") for s in range(n)]]
    for _ in range(layers):
        out.extend(_hea_block(n))
    return out


def real_hea_layers(n: int, layers: int) -> list[list[MomentGate]]:
    """The real-amplitude HEA as :func:`weingarten_check.circuits.ensembles.real_hea_circuit` builds it.

    First R_y(π/4) on every qubit, then ``layers`` times: ``R_Y(θ)`` with θ uniform on [0, 2π) on every
    qubit (the ``"rotation"`` gate with the one axis ``"Y"``; its map is exact with the 4-angle rule,
    Lemma 14.6 of ``proofs/DERIVATION.md``), then CZ on (0,1), …, (n-2, n-1) — :func:`hea_layers` with
    every axis Y.

    Parameters
    ----------
    n : int
        The number of qubits, ``>= 1``.
    layers : int
        L, ``>= 0``.

    Returns
    -------
    list of lists of MomentGate

    Examples
    --------
    >>> [[(g.kind, g.spec) for g in lay] for lay in real_hea_layers(2, 1)]  # doctest: +NORMALIZE_WHITESPACE
    [[('fixed', 'RY(pi/4)'), ('fixed', 'RY(pi/4)')], [('rotation', 'Y'), ('rotation', 'Y')], [('fixed', 'CZ')]]
    """
    n = check_int(n, "n", 1)
    layers = check_int(layers, "layers", 0)
    out = [[MomentGate("fixed", (s,), spec="RY(pi/4)") for s in range(n)]]
    for _ in range(layers):
        out.extend(_hea_block(n, "Y"))
    return out


def _hea_block(n: int, axes: str = "XYZ") -> list[list[MomentGate]]:
    block = [[MomentGate("rotation", (s,), spec=axes) for s in range(n)]]
    for start in (0, 1):
        cz = [MomentGate("fixed", (i, i + 1), spec="CZ") for i in range(start, n - 1, 2)]
        if cz:
            block.append(cz)
    return block


def local1_layers(n: int, q: int = 2) -> list[list[MomentGate]]:
    """One layer of ``Rz(φ) Ry(θ) Rz(α)`` with uniform angles (qubits), or single-site Haar (q >= 3).

    As :func:`weingarten_check.circuits.ensembles.local1_circuit` builds it: ``Rz(α)`` acts first.

    Parameters
    ----------
    n : int
        The number of sites.
    q : int, default 2
        The local dimension.

    Returns
    -------
    list of lists of MomentGate

    Examples
    --------
    >>> [[g.spec for g in lay] for lay in local1_layers(1)]
    [['Z'], ['Y'], ['Z']]
    """
    n = check_int(n, "n", 1)
    q = check_local_dim(q)
    if q != 2:
        return [[MomentGate("haar", (s,), q) for s in range(n)]]
    return [[MomentGate("rotation", (s,), spec=ax) for s in range(n)] for ax in "ZYZ"]
