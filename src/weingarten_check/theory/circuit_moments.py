"""Exact ``E||K||_F²`` for a user's parameterised Qiskit circuit, and the E[Δ] bound it gives.

Every free parameter uniform on ``[0, 2π)`` and independent (the draws of
:func:`weingarten_check.expected_gate_variation_range`): with ``V1`` = instructions ``[0, K)`` and
``V2`` = the rest (or, freeing instruction ``I``, ``(I, end)``),

``E||K||_F² = tr[(H⊗H) Φ2(P_A(Φ1(ρ⊗ρ)))]``

(Lemma 14 of ``proofs/DERIVATION.md``; ``Φi`` the composition of the per-gate moment maps of
:func:`~weingarten_check.circuits.qiskit_moments.qiskit_moment_gates`, ``P_A`` the projection of
:func:`~weingarten_check.circuits.second_moments.apply_projection_A` on the one or two sites of A).
It is evaluated in the Heisenberg picture: ``H0 ⊗ H0`` (H0 the traceless part of H, from its Pauli
expansion) through the adjoint maps of V2, then ``P_A``, then V1, paired with ``ρ⊗ρ`` for a product
input state.  A sparse dictionary of products carries the operator while it is small; on
``n <= 6`` qubits it moves to the dense exact array
(:class:`~weingarten_check.circuits.second_moments.DenseTwoCopy`) when it grows; beyond, a term cap
refuses.  Any ensemble: ``E[Δ] <= u sqrt(E||K||_F²)`` (``u = 2√2`` for one qubit, ``√2 dA`` otherwise;
Lemmas 3.4, 11.3 and Jensen).

Exactness: the value is an exact number of Q(√2) (a sympy expression).  Observable coefficients are
read as the decimals they print as (``0.7`` is ``7/10``, ``repr`` of the float); the input state must
be a product of Pauli eigenstates (``|0>``, ``|1>``, ``|±>``, ``|±i>``; recognised to ``1e-9``).

Examples
--------
>>> from qiskit import QuantumCircuit
>>> from qiskit.circuit import Parameter
>>> qc = QuantumCircuit(2); _ = qc.ry(Parameter("a"), 0); _ = qc.cx(0, 1)

A free gate on qubit 0 between the two: ``H2 = CX† Z_1 CX = Z_1 Z_0``, so ``K_{Z,b} = <σ_b>`` of
``R_y(a)|0>`` and ``||K||_F² = 1`` for every ``a``; the bound is ``2√2``:

>>> r = circuit_second_moment(qc, "ZI", qubits=0, after=1)
>>> r.value, round(r.bound, 12)
(1, 2.828427124746)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from ..circuits import qiskit_moments, second_moments  # called through the modules (mutation tests patch them)
from ..circuits.qiskit_io import load_circuit
from ..circuits.qiskit_moments import MomentsUnsupported
from ..circuits.second_moments import DenseTwoCopy, QSqrt2
from ..states.observable_specs import observable_from_spec, parse_pauli_sum, qubit_sites, state_from_spec
from ..states.observables import Observable, pauli_expansion
from ..util.checks import check_int
from .bounds import delta_frobenius_constants

__all__ = ["CircuitSecondMoment", "circuit_second_moment", "DENSE_MAX_N", "MAX_TERMS"]

#: the dense exact path (16^n exact integers) is used up to this many qubits
DENSE_MAX_N = 6
#: the sparse path refuses (beyond DENSE_MAX_N) when the operator has more products than this
MAX_TERMS = 50_000


@dataclass(frozen=True)
class CircuitSecondMoment:
    """Exact ``E||K||_F²`` of a freed gate of a parameterised circuit, and the E[Δ] bound.

    Attributes
    ----------
    value : sympy.Expr
        ``E||K||_F²``, exact (a Rational or ``a + b*sqrt(2)``).
    bound : float
        ``u sqrt(value)`` >= E[Δ] (Lemmas 3.4, 11.3 and Jensen).
    qubits : tuple of int
        The Qiskit qubits of A.
    after : int
        V1 = instructions ``[0, after)``.
    gate : int or None
        The freed instruction, or None.
    method : str
        "sparse" or "dense" (where the propagation finished).
    free_parameters : int
        The number of parameters averaged over (those of V1 and V2).
    """

    value: sp.Expr
    bound: float
    qubits: tuple[int, ...]
    after: int
    gate: int | None
    method: str
    free_parameters: int

    @property
    def value_str(self) -> str:
        """``value`` as a sympy-parsable string (``sympy.sympify`` gives it back)."""
        return sp.sstr(self.value)


def _pauli_terms(observable: object, n: int) -> dict[tuple[int, ...], Fraction]:
    """H's Pauli expansion without the identity: ``{letters per site (0..3, site 0 first): coefficient}``."""
    obs = observable_from_spec(observable, n, "observable")  # the checks and their messages
    if isinstance(observable, str):
        pairs = [(lab, c) for lab, c in parse_pauli_sum(observable)]
    elif type(observable).__name__ == "SparsePauliOp":
        pairs = [(str(lab), c) for lab, c in observable.to_list()]  # type: ignore[attr-defined]
    elif isinstance(observable, (list, tuple)) and all(
        isinstance(t, (list, tuple)) and len(t) == 2 for t in observable
    ):
        pairs = [(str(lab).upper(), c) for lab, c in observable]
    elif isinstance(obs, Observable):
        pairs = [("".join("IXYZ"[m] for m in s), c) for s, c in pauli_expansion(obs).items()]
    else:
        from qiskit.quantum_info import SparsePauliOp

        pairs = [(str(lab), c) for lab, c in SparsePauliOp.from_operator(np.asarray(obs)).to_list()]
    out: dict[tuple[int, ...], Fraction] = {}
    for lab, c in pairs:  # label character j is site j (Qiskit qubit n-1-j, qubit_sites)
        key = tuple("IXYZ".index(ch) for ch in lab)
        if not any(key):
            continue
        val = Fraction(repr(float(complex(c).real)))
        out[key] = out.get(key, Fraction(0)) + val
    return {k: v for k, v in out.items() if v}


_STATES = {  # Bloch vectors of the six Pauli eigenstates
    (0, 0, 1): "|0>",
    (0, 0, -1): "|1>",
    (1, 0, 0): "|+>",
    (-1, 0, 0): "|->",
    (0, 1, 0): "|+i>",
    (0, -1, 0): "|-i>",
}


def _product_functionals(state: object, n: int) -> list:
    """Per-site pairing functionals of a product of Pauli eigenstates (else MomentsUnsupported)."""
    zero = second_moments.product_state_functional((0, 0, 1))
    if state is None:
        return [zero] * n
    psi = state_from_spec(state, n, "state")
    out = []
    for s in range(n):
        v = np.moveaxis(psi, s, 0).reshape(2, -1)
        rho = v @ v.conj().T
        bloch = (2 * rho[0, 1].real, -2 * rho[0, 1].imag, (rho[0, 0] - rho[1, 1]).real)
        exact = tuple(int(round(b)) for b in bloch)
        if exact not in _STATES or max(abs(b - e) for b, e in zip(bloch, exact)) > 1e-9:
            raise MomentsUnsupported(
                "state: exact moments need |0...0> or a product of Pauli eigenstates (|0>, |1>, |+>, |->, |+i>, "
                f"|-i>); site {s} (Qiskit qubit {n - 1 - s}) has Bloch vector {tuple(round(b, 6) for b in bloch)}"
            )
        out.append(second_moments.product_state_functional(exact))
    return out


class _Carrier:
    """The two-copy operator: a sparse dict, moved to the dense exact array when it grows (n <= 6)."""

    def __init__(self, op: dict, n: int, max_terms: int):
        self.n, self.max_terms = n, max_terms
        self.sparse: dict | None = op
        self.dense: DenseTwoCopy | None = None
        self.switch = min(max_terms, 16**n // 16) if n <= DENSE_MAX_N else max_terms

    def _grow(self, where: str) -> None:
        if self.sparse is None or len(self.sparse) <= self.switch:
            return
        if self.n <= DENSE_MAX_N:
            self.dense = DenseTwoCopy.from_sparse(self.sparse, self.n)
            self.sparse = None
            return
        raise MomentsUnsupported(
            f"the two-copy operator reached {len(self.sparse)} products {where} (cap {self.max_terms}); "
            f"n = {self.n} > {DENSE_MAX_N} has no dense exact path"
        )

    def gate(self, idx: int, g) -> None:
        if self.dense is not None:
            self.dense.apply_gate(g, dagger=True)
            return
        self.sparse = second_moments.propagate(self.sparse, [[g]], heisenberg=True)
        self._grow(f"at instruction {idx}")

    def project(self, sites: tuple[int, ...]) -> None:
        if self.dense is not None:
            self.dense.project_A(sites)
            self.dense.reduce()
        else:
            self.sparse = second_moments.apply_projection_A(self.sparse, sites)

    def pair(self, functionals: list) -> object:
        if self.dense is not None:
            return self.dense.pair(functionals)
        return second_moments.pair_with_product_state(self.sparse, functionals)


def circuit_second_moment(
    circuit,
    observable,
    qubits: int | Sequence[int] = (0,),
    *,
    after: int | None = None,
    gate: int | None = None,
    state=None,
    max_terms: int = MAX_TERMS,
) -> CircuitSecondMoment:
    """Exact ``E||K||_F²`` over the circuit's free parameters (i.i.d. uniform on [0, 2π)), and its bound.

    Lemma 14 of ``proofs/DERIVATION.md`` for a user's circuit (module docstring): the Heisenberg chain
    ``H0⊗H0 → Φ2† → P_A → Φ1† → ρ⊗ρ`` with the per-gate maps of
    :func:`~weingarten_check.circuits.qiskit_moments.qiskit_moment_gates`.

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit, str or os.PathLike
        With free parameters (each used by one Pauli rotation); OpenQASM 2 text or a file.
    observable : SparsePauliOp, list of (str, float), str or array_like
        H, in Qiskit's label order (rightmost character = qubit 0).
    qubits : int or sequence of int, default (0,)
        The one or two Qiskit qubits of the free gate.
    after, gate : int, optional
        Exactly one: insert the free gate after the first ``after`` instructions, or free
        instruction ``gate`` (it must act on exactly ``qubits``).
    state : Statevector or array_like, optional
        A product of Pauli eigenstates (default ``|0...0>``).
    max_terms : int, default MAX_TERMS
        Beyond ``DENSE_MAX_N`` qubits: refuse when the sparse operator has more products than this.

    Returns
    -------
    CircuitSecondMoment

    Raises
    ------
    ValueError
        On bad input, naming the argument (qubits out of range or all of them, ``after``/``gate``,
        a gate that does not act on ``qubits``, a malformed observable or state).
    MomentsUnsupported
        (a ValueError) When the exact moments are not available, saying why: a shared parameter or a
        parameter expression, an unsupported gate or angle, a state that is not a product of Pauli
        eigenstates, more than two freed qubits, or too many qubits for the operator's size.

    Examples
    --------
    >>> from qiskit.circuit.library import real_amplitudes
    >>> r = circuit_second_moment(real_amplitudes(3, reps=1), "ZZI", qubits=1, after=3)
    >>> r.value, r.free_parameters
    (5/16, 6)
    """
    max_terms = check_int(max_terms, "max_terms", 1)
    qc = load_circuit(circuit, bind=False)
    n = qc.num_qubits
    if n < 2:
        raise ValueError(f"circuit must have at least 2 qubits (a proper subsystem A), got {n}")
    sites = qubit_sites(qubits, n, "qubits")
    qs = tuple(n - 1 - s for s in reversed(sites))
    if len(sites) >= n:
        raise ValueError(f"qubits must leave at least one qubit outside A (n = {n}), got {qs}")
    if len(sites) > 2:
        raise MomentsUnsupported(f"exact moments are implemented for one or two freed qubits, got {len(sites)}")
    if (after is None) == (gate is None):
        raise ValueError("give exactly one of after=K (insert a free gate) and gate=I (free instruction I)")
    ndata = len(qc.data)
    if after is not None:
        after = check_int(after, "after", 0)
        if after > ndata:
            raise ValueError(f"after must be in [0, {ndata}] (the circuit has {ndata} instructions), got {after}")
        start2, skip = after, ()
    else:
        gate = check_int(gate, "gate", 0)
        if gate >= ndata:
            raise ValueError(f"gate must be an instruction index in [0, {ndata - 1}], got {gate}")
        on = tuple(qc.find_bit(b).index for b in qc.data[gate].qubits)
        if set(on) != set(qs):
            raise ValueError(f"gate {gate} ({qc.data[gate].operation.name}) acts on qubits {on}, not on qubits {qs}")
        after, start2, skip = gate, gate + 1, (gate,)
    terms = _pauli_terms(observable, n)
    functionals = _product_functionals(state, n)
    gates = qiskit_moments.qiskit_moment_gates(qc, skip=skip)
    nfree = sum(1 for _, g in gates if g.kind == "rotation")
    v1 = [(i, g) for i, g in gates if i < after]
    v2 = [(i, g) for i, g in gates if i >= start2]
    op: dict = {}
    for p, cp in terms.items():
        for r, cr in terms.items():
            key = tuple(4 * a + b for a, b in zip(p, r))
            op[key] = op.get(key, 0) + cp * cr
    carrier = _Carrier(op, n, max_terms)
    for i, g in reversed(v2):
        carrier.gate(i, g)
    carrier.project(sites)
    for i, g in reversed(v1):
        carrier.gate(i, g)
    raw = carrier.pair(functionals)
    value = (
        raw.to_sympy() if isinstance(raw, QSqrt2) else sp.Rational(Fraction(raw).numerator, Fraction(raw).denominator)
    )
    _, u = delta_frobenius_constants(2 ** len(sites))
    bound = float(u) * math.sqrt(max(float(value), 0.0))
    method = "dense" if carrier.dense is not None else "sparse"
    return CircuitSecondMoment(value, bound, qs, after, gate, method, nfree)
