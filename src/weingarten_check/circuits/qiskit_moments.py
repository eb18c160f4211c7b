"""A user's Qiskit circuit as exact per-gate moment maps (:class:`~.second_moments.MomentGate`).

Every parameter of a circuit drawn i.i.d. uniform on ``[0, 2π)`` (what
:func:`weingarten_check.expected_gate_variation_range` samples) makes the circuit a product of
independent random gates, so its second moment is the composition of per-gate moment maps (Lemma 14
of ``proofs/DERIVATION.md``).  :func:`qiskit_moment_gates` translates each instruction:

* a Pauli rotation whose only angle is a free parameter used by no other instruction — ``rx``, ``ry``,
  ``rz`` (and ``p``, ``u1``: ``rz`` up to a global phase) on one qubit, ``rxx``, ``ryy``, ``rzz``,
  ``rzx`` on two — becomes the ``"rotation"`` map about that Pauli string: Qiskit's
  ``R_P(θ) = exp(-iθP/2)`` is exactly the convention of that map, checked here against Qiskit's own
  matrix at a test angle for every translated instruction;
* a gate without free parameters becomes a ``"fixed"`` map, from its exact matrix (a table of Qiskit's
  standard gates, each checked against Qiskit's float matrix), registered by
  :func:`~.second_moments.register_fixed_gate`; numeric angles are read as exact rational multiples of
  π (denominator <= 64, to ``1e-12``), and the gate's Pauli transfer matrix must lie in Q(√2) (Clifford
  gates, T, rotations by multiples of π/4, ...).

Anything else raises :class:`MomentsUnsupported` naming the instruction: a parameter shared by two
instructions or a parameter expression (``2*θ``, ``θ + 1``: the draws would not be independent
uniform angles), a free angle of another gate (``u``, ``crz``, ...), a gate outside the table, or an
angle that is not a rational multiple of π with a Q(√2) transfer matrix.

Sites: a gate on Qiskit ``qargs`` acts on ``qubit_sites(qargs, n)`` with Qiskit's matrix unchanged
(:mod:`weingarten_check.states.observable_specs`, the one conversion); a Pauli rotation's string is
Qiskit's label read in that site order (``rzx`` on ``(a, b)``: label ``"XZ"``, Z on ``a``).

Examples
--------
>>> from qiskit import QuantumCircuit
>>> from qiskit.circuit import Parameter
>>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.ry(Parameter("a"), 1); _ = qc.cz(0, 1)
>>> [(i, g.kind, g.sites, g.spec) for i, g in qiskit_moment_gates(qc)]
[(0, 'fixed', (1,), 'h'), (1, 'rotation', (0,), 'Y'), (2, 'fixed', (0, 1), 'cz')]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import sympy as sp

from ..states.observable_specs import qubit_sites
from .second_moments import MomentGate, register_fixed_gate

__all__ = ["MomentsUnsupported", "EXACT_GATES", "FREE_ROTATIONS", "exact_gate_matrix", "qiskit_moment_gates"]


class MomentsUnsupported(ValueError):
    """The exact moments of this circuit (or observable, state, size) are not available; the message says why."""


_I = sp.I
_PAULI = {
    "I": sp.eye(2),
    "X": sp.Matrix([[0, 1], [1, 0]]),
    "Y": sp.Matrix([[0, -_I], [_I, 0]]),
    "Z": sp.Matrix([[1, 0], [0, -1]]),
}
_P0 = sp.Matrix([[1, 0], [0, 0]])
_P1 = sp.Matrix([[0, 0], [0, 1]])


def _pauli_string(label: str) -> sp.Matrix:
    m = sp.Matrix([[1]])
    for ch in label:
        m = sp.kronecker_product(m, _PAULI[ch])
    return m


def _rot(label: str) -> Callable[[sp.Expr], sp.Matrix]:
    P = _pauli_string(label)
    return lambda t: sp.cos(t / 2) * sp.eye(P.shape[0]) - _I * sp.sin(t / 2) * P


def _ctrl(U: sp.Matrix) -> sp.Matrix:
    """Qiskit's controlled gate (control = qargs[0], the least significant factor): I⊗|0><0| + U⊗|1><1|."""
    return sp.kronecker_product(sp.eye(U.shape[0]), _P0) + sp.kronecker_product(U, _P1)


def _u(t: sp.Expr, phi: sp.Expr, lam: sp.Expr) -> sp.Matrix:
    c, s = sp.cos(t / 2), sp.sin(t / 2)
    return sp.Matrix([[c, -sp.exp(_I * lam) * s], [sp.exp(_I * phi) * s, sp.exp(_I * (phi + lam)) * c]])


def _perm(d: int, swaps: Iterable[tuple[int, int]]) -> sp.Matrix:
    m = sp.eye(d)
    for a, b in swaps:
        m[a, a] = m[b, b] = 0
        m[a, b] = m[b, a] = 1
    return m


_SX = sp.Matrix([[1 + _I, 1 - _I], [1 - _I, 1 + _I]]) / 2
_H = sp.Matrix([[1, 1], [1, -1]]) / sp.sqrt(2)

#: Qiskit's standard gates with an exact matrix (Qiskit's convention: qargs[0] the least significant
#: factor), as functions of their exact angles
EXACT_GATES: dict[str, Callable[..., sp.Matrix]] = {
    "id": lambda: sp.eye(2),
    "x": lambda: _PAULI["X"],
    "y": lambda: _PAULI["Y"],
    "z": lambda: _PAULI["Z"],
    "h": lambda: _H,
    "s": lambda: sp.diag(1, _I),
    "sdg": lambda: sp.diag(1, -_I),
    "t": lambda: sp.diag(1, sp.exp(_I * sp.pi / 4)),
    "tdg": lambda: sp.diag(1, sp.exp(-_I * sp.pi / 4)),
    "sx": lambda: _SX,
    "sxdg": lambda: _SX.H,
    "rx": _rot("X"),
    "ry": _rot("Y"),
    "rz": _rot("Z"),
    "p": lambda t: sp.diag(1, sp.exp(_I * t)),
    "u1": lambda t: sp.diag(1, sp.exp(_I * t)),
    "u2": lambda phi, lam: _u(sp.pi / 2, phi, lam),
    "u": _u,
    "u3": _u,
    "r": lambda t, phi: sp.Matrix(
        [
            [sp.cos(t / 2), -_I * sp.exp(-_I * phi) * sp.sin(t / 2)],
            [-_I * sp.exp(_I * phi) * sp.sin(t / 2), sp.cos(t / 2)],
        ]
    ),
    "cx": lambda: _ctrl(_PAULI["X"]),
    "cy": lambda: _ctrl(_PAULI["Y"]),
    "cz": lambda: _ctrl(_PAULI["Z"]),
    "ch": lambda: _ctrl(_H),
    "cs": lambda: _ctrl(sp.diag(1, _I)),
    "csdg": lambda: _ctrl(sp.diag(1, -_I)),
    "csx": lambda: _ctrl(_SX),
    "cp": lambda t: _ctrl(sp.diag(1, sp.exp(_I * t))),
    "cu1": lambda t: _ctrl(sp.diag(1, sp.exp(_I * t))),
    "crx": lambda t: _ctrl(_rot("X")(t)),
    "cry": lambda t: _ctrl(_rot("Y")(t)),
    "crz": lambda t: _ctrl(_rot("Z")(t)),
    "swap": lambda: _perm(4, [(1, 2)]),
    "iswap": lambda: sp.Matrix([[1, 0, 0, 0], [0, 0, _I, 0], [0, _I, 0, 0], [0, 0, 0, 1]]),
    "dcx": lambda: sp.Matrix([[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]]),
    "ecr": lambda: sp.Matrix([[0, 1, 0, _I], [1, 0, -_I, 0], [0, _I, 0, 1], [-_I, 0, 1, 0]]) / sp.sqrt(2),
    "rxx": _rot("XX"),
    "ryy": _rot("YY"),
    "rzz": _rot("ZZ"),
    "rzx": _rot("XZ"),
    "ccx": lambda: _perm(8, [(3, 7)]),
    "ccz": lambda: sp.diag(1, 1, 1, 1, 1, 1, 1, -1),
    "cswap": lambda: _perm(8, [(3, 5)]),
}

#: gates whose one angle may be a free parameter: the Pauli string P of ``exp(-iθP/2)`` (Qiskit's label
#: order = the order of the gate's library sites); ``p`` and ``u1`` equal ``rz`` up to a global phase
FREE_ROTATIONS: dict[str, str] = {
    "rx": "X",
    "ry": "Y",
    "rz": "Z",
    "p": "Z",
    "u1": "Z",
    "rxx": "XX",
    "ryy": "YY",
    "rzz": "ZZ",
    "rzx": "XZ",
}
_DIRECTIVES = {"barrier", "delay", "global_phase"}


def _exact_angle(x: float) -> sp.Expr | None:
    """``x`` as an exact rational multiple of π (denominator <= 64, to 1e-12), else None."""
    k = x / math.pi
    for den in (1, 2, 4, 8, 16, 3, 6, 12, 5, 10, 32, 64):
        num = round(k * den)
        if abs(num / den * math.pi - x) <= 1e-12 * max(1.0, abs(x)):
            return sp.pi * sp.Rational(num, den)
    return None


def exact_gate_matrix(name: str, angles: Iterable[float] = ()) -> sp.Matrix:
    """The exact sympy matrix of a Qiskit standard gate at numeric angles (Qiskit's matrix convention).

    Angles are read as exact rational multiples of π (denominator <= 64, to ``1e-12``).  Implements
    no lemma (the input side of Lemma 14 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    name : str
        A key of :data:`EXACT_GATES`.
    angles : iterable of float
        The gate's angles.

    Returns
    -------
    sympy.Matrix

    Raises
    ------
    MomentsUnsupported
        If the gate is not in the table or an angle is not a rational multiple of π.

    Examples
    --------
    >>> exact_gate_matrix("rz", [math.pi / 2])
    Matrix([
    [sqrt(2)/2 - sqrt(2)*I/2,                       0],
    [                      0, sqrt(2)/2 + sqrt(2)*I/2]])
    """
    if name not in EXACT_GATES:
        raise MomentsUnsupported(f"gate {name!r} has no exact matrix (known: {', '.join(sorted(EXACT_GATES))})")
    exact = []
    for a in angles:
        e = _exact_angle(float(a))
        if e is None:
            raise MomentsUnsupported(
                f"gate {name!r}: the angle {float(a)!r} is not a rational multiple of pi, so its moment map is "
                "not exact in Q(sqrt(2)); make the angle a free parameter or a multiple of pi/4"
            )
        exact.append(e)
    return sp.Matrix(EXACT_GATES[name](*exact)).applyfunc(lambda v: sp.nsimplify(sp.expand(v)))


def _same_up_to_phase(a: np.ndarray, b: np.ndarray) -> bool:
    i = int(np.argmax(np.abs(b)))
    z = a.flat[i] / b.flat[i] if abs(b.flat[i]) > 1e-12 else 0
    return abs(abs(z) - 1) < 1e-9 and np.allclose(a, z * b, atol=1e-9)


def qiskit_moment_gates(qc, skip: Iterable[int] = ()) -> list[tuple[int, MomentGate]]:
    """The instructions of a Qiskit circuit as exact moment maps, ``[(index in qc.data, MomentGate)]``.

    The translation of the module docstring (Lemma 14 of ``proofs/DERIVATION.md``: the moment map of
    a circuit of independent gates is the composition of theirs).  Directives (barrier, delay) are
    skipped, and so are the instructions in ``skip`` (a freed gate).

    Parameters
    ----------
    qc : qiskit.QuantumCircuit
        With free parameters allowed (after
        :func:`~weingarten_check.circuits.qiskit_io.load_circuit` with ``bind=False``, so that the
        indices are those of the user-circuit entry points).
    skip : iterable of int, default ()
        Instruction indices left out.

    Returns
    -------
    list of (int, MomentGate)

    Raises
    ------
    MomentsUnsupported
        Naming the instruction: a shared parameter or a parameter expression, a free angle of a gate
        other than a Pauli rotation, a gate without an exact matrix, an angle whose transfer matrix is
        not in Q(√2), a non-unitary instruction.

    Examples
    --------
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import Parameter
    >>> t = Parameter("t")
    >>> qc = QuantumCircuit(2); _ = qc.rz(t, 0); _ = qc.rx(t, 1)
    >>> try:
    ...     qiskit_moment_gates(qc)
    ... except MomentsUnsupported as exc:
    ...     print(exc)
    parameter t is shared by instructions 0 (rz) and 1 (rx): their angles are not independent draws
    """
    from qiskit.circuit import Parameter, ParameterExpression

    n = qc.num_qubits
    skip = set(skip)
    uses: dict = {}
    for idx, ins in enumerate(qc.data):
        if idx in skip:
            continue
        for p in ins.operation.params:
            if isinstance(p, ParameterExpression):
                for par in p.parameters:
                    uses.setdefault(par, []).append(idx)
    for par, where in uses.items():
        if len(where) > 1:
            names = " and ".join(f"{i} ({qc.data[i].operation.name})" for i in where)
            raise MomentsUnsupported(
                f"parameter {par.name} is shared by instructions {names}: their angles are not independent draws"
            )
    out: list[tuple[int, MomentGate]] = []
    for idx, ins in enumerate(qc.data):
        op = ins.operation
        if idx in skip or op.name in _DIRECTIVES:
            continue
        where = f"instruction {idx} ({op.name})"
        if ins.clbits or op.name in ("measure", "reset"):
            raise MomentsUnsupported(f"{where} is not unitary")
        qargs = tuple(qc.find_bit(b).index for b in ins.qubits)
        sites = qubit_sites(qargs, n)
        free = [p for p in op.params if isinstance(p, ParameterExpression)]
        if free:
            if len(op.params) != 1 or op.name not in FREE_ROTATIONS:
                raise MomentsUnsupported(
                    f"{where}: a free angle is supported only as the one angle of a Pauli rotation "
                    f"({', '.join(FREE_ROTATIONS)})"
                )
            if not isinstance(free[0], Parameter):
                raise MomentsUnsupported(
                    f"{where}: its angle {free[0]} is an expression, not a bare parameter (the sampled angle "
                    "would not be uniform on [0, 2π))"
                )
            label = FREE_ROTATIONS[op.name]
            test = 0.7  # Qiskit's matrix at a test angle = exp(-iθP/2) up to a global phase
            bound_op = op.to_mutable()
            bound_op.params = [test]
            qmat = np.asarray(bound_op.to_matrix(), dtype=complex)
            mine = np.array(_rot(label)(sp.Float(test)).evalf(), dtype=complex)
            if not _same_up_to_phase(mine, qmat):  # pragma: no cover - a table error
                raise MomentsUnsupported(f"{where}: Qiskit's matrix is not exp(-iθ{label}/2)")
            out.append((idx, MomentGate("rotation", sites, spec=label)))
            continue
        if op.name not in EXACT_GATES:
            raise MomentsUnsupported(
                f"{where}: gate {op.name!r} has no exact matrix (known: {', '.join(sorted(EXACT_GATES))})"
            )
        angles = [float(p) for p in op.params]
        try:
            U = exact_gate_matrix(op.name, angles)
        except MomentsUnsupported as exc:
            raise MomentsUnsupported(f"{where}: {str(exc).split(': ', 1)[-1]}") from None
        qmat = np.asarray(op.to_matrix(), dtype=complex)
        if not np.allclose(np.array(U.evalf(), dtype=complex), qmat, atol=1e-9):  # pragma: no cover
            raise MomentsUnsupported(f"{where}: the exact table disagrees with Qiskit's matrix")
        key = op.name if not angles else f"{op.name}({','.join(str(_exact_angle(a)) for a in angles)})"
        try:
            register_fixed_gate(key, U)
        except ValueError as exc:
            raise MomentsUnsupported(f"{where}: {str(exc).split(': ', 1)[-1]}") from None
        out.append((idx, MomentGate("fixed", sites, spec=key)))
    return out
