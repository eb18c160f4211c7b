"""Qiskit circuits and OpenQASM 2 as the library's gate lists (Qiskit's qubit order at the boundary).

A user's circuit arrives as a Qiskit ``QuantumCircuit``, OpenQASM 2 text or an OpenQASM 2 file
(:func:`load_circuit`, through ``qiskit.qasm2``).  :func:`circuit_operations` turns it into a list
of :class:`Operation` — the instruction's index in ``circuit.data``, its matrix, and the library's
sites — by the single qubit-order conversion
:func:`weingarten_check.states.observable_specs.qubit_sites` (Qiskit qubit ``k`` of ``n`` is site
``n - 1 - k``; gate matrices are unchanged).  :func:`fuse_operations` merges one-qubit gates into
their neighbours for simulation (fewer passes over a large state vector); :func:`simulate` applies
a gate list to a (batched) state.

Examples
--------
>>> qc = load_circuit('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; x q[0];')
>>> ops = circuit_operations(qc)
>>> ops[0].index, ops[0].sites          # qubit 0 of 2 is site 1
(0, (1,))
>>> from weingarten_check.states.statevector import zero_state
>>> simulate(zero_state(2), ops, 2).reshape(-1).real.tolist()   # |q1 q0> = |01>
[0.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..states.observable_specs import qubit_sites
from ..states.statevector import apply_gate

__all__ = [
    "Operation",
    "load_circuit",
    "circuit_operations",
    "layer_boundaries",
    "fuse_operations",
    "simulate",
    "free_gate_angles",
    "MAX_BLOCK_QUBITS",
]

#: instructions on more qubits than this (e.g. a whole ``EfficientSU2`` block) are expanded
MAX_BLOCK_QUBITS = 3
_DIRECTIVES = {"barrier", "delay", "id"}


@dataclass(frozen=True)
class Operation:
    """One unitary instruction of a circuit, in the library's site order.

    Attributes
    ----------
    index : int
        Its index in ``circuit.data`` (of the circuit after :func:`load_circuit`).
    matrix : numpy.ndarray
        The ``2^k x 2^k`` matrix (Qiskit's, unchanged).
    sites : tuple of int
        The sites it acts on, most significant first (``qubit_sites(qargs, n)``).
    qubits : tuple of int
        Its Qiskit ``qargs``.
    name : str
        The instruction's name.
    """

    index: int
    matrix: np.ndarray
    sites: tuple[int, ...]
    qubits: tuple[int, ...]
    name: str


def _expand(qc):
    """Expand instructions on more than MAX_BLOCK_QUBITS qubits, and composite instructions other than
    Qiskit's standard gates (e.g. a whole ``EfficientSU2`` object), until there are none."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = set(get_standard_gate_name_mapping()) | {"unitary"}

    def composite(op) -> bool:
        if op.name in _DIRECTIVES or op.name in standard:
            return False
        return op.num_qubits > MAX_BLOCK_QUBITS or op.definition is not None

    for _ in range(20):
        big = {i.operation.name for i in qc.data if composite(i.operation)}
        if not big:
            return qc
        qc = qc.decompose(gates_to_decompose=list(big))
    return qc  # pragma: no cover - pathological nesting


def load_circuit(source: object, parameters: object = None, name: str = "circuit", *, bind: bool = True):
    """A bound Qiskit ``QuantumCircuit`` from a circuit, OpenQASM 2 text or an OpenQASM 2 file.

    Parameters
    ----------
    source : QuantumCircuit, str or os.PathLike
        A circuit; a path to an OpenQASM 2 file; or OpenQASM 2 text (read with ``qiskit.qasm2``,
        with Qiskit's legacy custom instructions).
    parameters : mapping or sequence of float, optional
        Values of the circuit's free parameters: ``{Parameter: value}`` or a sequence in the order
        of ``circuit.parameters``.
    name : str, default "circuit"
        The argument's name in error messages.
    bind : bool, default True
        Require every parameter to be bound (False: free parameters are allowed, e.g. to sample them).

    Returns
    -------
    qiskit.QuantumCircuit
        With every parameter bound (``bind``); instructions on more than :data:`MAX_BLOCK_QUBITS` qubits
        and composite instructions (e.g. a whole ``EfficientSU2`` object) expanded, so that
        ``circuit.data`` indexes gates.

    Raises
    ------
    TypeError
        If ``source`` is none of the above.
    ValueError
        On malformed OpenQASM, a wrong number of parameter values, or parameters left unbound.

    Examples
    --------
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import Parameter
    >>> qc = QuantumCircuit(1); _ = qc.rx(Parameter("t"), 0)
    >>> load_circuit(qc, [0.5]).data[0].operation.params
    [0.5]
    >>> load_circuit(qc)
    Traceback (most recent call last):
    ...
    ValueError: circuit has unbound parameters ['t']; give their values (parameters=...)
    >>> load_circuit("OPENQASM 2.0; qreg q[1]; foo q[0];")
    Traceback (most recent call last):
    ...
    ValueError: circuit: malformed OpenQASM 2: <input>:1,25: 'foo' is not defined in this scope
    """
    from qiskit import QuantumCircuit, qasm2

    if isinstance(source, (str, os.PathLike)) and not isinstance(source, QuantumCircuit):
        text = str(source)
        is_file = "\n" not in text and ";" not in text
        try:
            if is_file:
                if not os.path.isfile(text):
                    raise ValueError(f"{name}: no such OpenQASM file {text!r}")
                qc = qasm2.load(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
            else:
                qc = qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
        except qasm2.QASM2ParseError as exc:
            msg = " ".join(str(exc).split()).strip('"')
            raise ValueError(f"{name}: malformed OpenQASM 2: {msg}") from None
    elif isinstance(source, QuantumCircuit):
        qc = source
    else:
        raise TypeError(f"{name} must be a QuantumCircuit, OpenQASM 2 text or a file path, got {type(source).__name__}")
    qc = _expand(qc)
    if parameters is not None:
        if isinstance(parameters, Mapping):
            qc = qc.assign_parameters(dict(parameters), strict=False)
        else:
            vals = [float(v) for v in np.asarray(parameters, dtype=float).reshape(-1)]
            if len(vals) != qc.num_parameters:
                raise ValueError(f"parameters: the circuit has {qc.num_parameters} parameters, got {len(vals)} values")
            qc = qc.assign_parameters(vals)
    if bind and qc.num_parameters:
        free = [p.name for p in qc.parameters]
        shown = free if len(free) <= 6 else free[:6] + ["..."]
        raise ValueError(f"{name} has unbound parameters {shown}; give their values (parameters=...)")
    return qc


def free_gate_angles(qc):
    """The circuit with every numeric gate angle replaced by a fresh parameter ``θ[0], θ[1], ...``.

    OpenQASM 2 has no free parameters; to sample a QASM circuit's angles (``--samples``) each angle
    of each gate (e.g. of ``rx``, ``rz``, ``u``) becomes a parameter, in instruction order.

    Parameters
    ----------
    qc : qiskit.QuantumCircuit

    Returns
    -------
    qiskit.QuantumCircuit
        With ``num_parameters`` = the number of numeric gate angles.

    Examples
    --------
    >>> qc = load_circuit('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; rx(0.1) q[0]; cx q[0], q[1]; u(1,2,3) q[1];')
    >>> free_gate_angles(qc).num_parameters
    4
    """
    from qiskit.circuit import ParameterVector, QuantumCircuit

    count = sum(
        len(ins.operation.params)
        for ins in qc.data
        if ins.operation.name not in _DIRECTIVES and all(isinstance(p, (int, float)) for p in ins.operation.params)
    )
    theta = iter(ParameterVector("θ", count))
    out = QuantumCircuit(*qc.qregs, *qc.cregs)
    for ins in qc.data:
        op = ins.operation
        if op.params and op.name not in _DIRECTIVES and all(isinstance(p, (int, float)) for p in op.params):
            op = op.to_mutable()
            op.params = [next(theta) for _ in op.params]
        out.append(op, ins.qubits, ins.clbits)
    return out


def circuit_operations(qc, name: str = "circuit") -> list[Operation]:
    """The unitary instructions of a bound circuit as :class:`Operation` (library sites).

    Barriers, delays and identities are skipped (their indices are kept by the others).

    Parameters
    ----------
    qc : qiskit.QuantumCircuit
        Bound (:func:`load_circuit`).
    name : str, default "circuit"

    Returns
    -------
    list of Operation

    Raises
    ------
    ValueError
        On a non-unitary instruction (measurement, reset, classical control) or a free parameter.

    Examples
    --------
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.cx(0, 2)
    >>> op = circuit_operations(qc)[0]
    >>> op.qubits, op.sites   # control qubit 0 = site 2 is the second (less significant) factor
    ((0, 2), (0, 2))
    """
    from qiskit.quantum_info import Operator

    n = qc.num_qubits
    out: list[Operation] = []
    for idx, ins in enumerate(qc.data):
        op = ins.operation
        if op.name in _DIRECTIVES:
            continue
        if ins.clbits or op.name in ("measure", "reset") or getattr(op, "condition", None) is not None:
            raise ValueError(f"{name}: instruction {idx} ({op.name}) is not unitary; remove measurements and resets")
        if getattr(op, "is_parameterized", lambda: False)():
            raise ValueError(f"{name}: instruction {idx} ({op.name}) has an unbound parameter")
        qargs = tuple(qc.find_bit(b).index for b in ins.qubits)
        try:
            mat = op.to_matrix() if hasattr(op, "to_matrix") else Operator(op).data
        except Exception:
            mat = Operator(op).data
        mat = np.asarray(mat, dtype=np.complex128)
        out.append(Operation(idx, mat, qubit_sites(qargs, n), qargs, op.name))
    return out


def layer_boundaries(qc) -> list[int]:
    """Instruction indices ``K`` that end the layers of a layered circuit (``after=K`` positions).

    The layers are the blocks between barriers when the circuit has barriers (e.g.
    ``efficient_su2(..., insert_barriers=True)``), else the instructions in order of their
    as-soon-as-possible depth: the boundary after layer ``l`` is the number of leading
    instructions of depth ``<= l`` when the circuit lists its instructions layer by layer, and
    otherwise the first index after which every instruction of depth ``<= l`` has occurred.
    ``0`` (before everything) is always the first boundary, ``len(circuit.data)`` the last.

    Parameters
    ----------
    qc : qiskit.QuantumCircuit

    Returns
    -------
    list of int
        Increasing, distinct.

    Examples
    --------
    >>> from qiskit.circuit.library import efficient_su2
    >>> layer_boundaries(efficient_su2(3, reps=1, insert_barriers=True))
    [0, 6, 9, 16]
    """
    data = qc.data
    bars = [i for i, ins in enumerate(data) if ins.operation.name == "barrier"]
    if bars:
        cuts = [0] + [b for b in bars] + [len(data)]
    else:
        depth_at = {q: 0 for q in range(qc.num_qubits)}
        depths = []
        for ins in data:
            qs = [qc.find_bit(b).index for b in ins.qubits]
            d = 1 + max((depth_at[q] for q in qs), default=0)
            for q in qs:
                depth_at[q] = d
            depths.append(d)
        cuts = [0]
        for layer in range(1, max(depths, default=0) + 1):
            last = max(i for i, d in enumerate(depths) if d <= layer) + 1
            cuts.append(last)
        cuts.append(len(data))
    out: list[int] = []
    for c in cuts:
        if not out or c > out[-1]:
            out.append(c)
    # a boundary just before a barrier and just after it are the same position: keep one
    return out


def fuse_operations(ops: Sequence[Operation]) -> list[tuple[np.ndarray, tuple[int, ...]]]:
    """Merge one-qubit gates into the adjacent gates on their site (for simulation).

    Each one-qubit gate is multiplied into the last gate on its site if that gate touches the site
    as its most recent operation, else kept pending and multiplied into the next gate on the site;
    a gate on the same sites as the previous block there is merged with it.  The product of the
    returned gates, in order, is the product of ``ops``.

    Parameters
    ----------
    ops : sequence of Operation

    Returns
    -------
    list of (matrix, sites)

    Examples
    --------
    >>> H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    >>> ops = [Operation(0, H, (0,), (1,), "h"), Operation(1, H, (0,), (1,), "h")]
    >>> [((m.round(12) + 0.0).real.tolist(), s) for m, s in fuse_operations(ops)]
    [([[1.0, 0.0], [0.0, 1.0]], (0,))]
    """
    blocks: list[list] = []  # [matrix, sites]
    last: dict[int, int] = {}  # site -> index of the last block touching it
    for op in ops:
        m, sites = op.matrix, op.sites
        owners = {last.get(s) for s in sites}
        if len(owners) == 1 and None not in owners:
            b = owners.pop()
            # block b is the latest operation on every site of op: op moves back to it (the later
            # operations on b's other sites act on other sites and commute with op)
            if set(sites) <= set(blocks[b][1]):
                blocks[b][0] = _embed(m, sites, blocks[b][1]) @ blocks[b][0]
                continue
        # a new block; absorb preceding single-site blocks of its sites that are still latest
        full = np.asarray(m)
        new_sites = tuple(sites)
        for s in sites:
            b = last.get(s)
            if b is not None and len(blocks[b][1]) == 1 and blocks[b][0] is not None:
                full = full @ _embed(blocks[b][0], (s,), new_sites)
                blocks[b][0] = None
        blocks.append([full, new_sites])
        for s in sites:
            last[s] = len(blocks) - 1
    return [(m, s) for m, s in blocks if m is not None]


def _embed(m: np.ndarray, sites: Sequence[int], into: Sequence[int]) -> np.ndarray:
    """The matrix of ``m`` on ``sites`` as an operator on ``into`` (a superset, its order)."""
    K = len(into)
    if tuple(sites) == tuple(into):
        return m
    rest = [s for s in into if s not in sites]
    full = np.kron(m, np.eye(2 ** len(rest)))  # on sites + rest
    order = list(sites) + rest
    perm = [order.index(s) for s in into]
    t = full.reshape((2,) * (2 * K))
    t = np.transpose(t, perm + [K + p for p in perm])
    return t.reshape(2**K, 2**K)


def simulate(
    psi: np.ndarray,
    ops: Sequence[Operation] | Sequence[tuple[np.ndarray, tuple[int, ...]]],
    n: int,
    *,
    adjoint: bool = False,
) -> np.ndarray:
    """Apply a gate list to a (batched) n-qubit state (``adjoint``: the inverse, in reverse order).

    Parameters
    ----------
    psi : numpy.ndarray
        Shape ``batch + (2,)*n``; not modified.
    ops : sequence of Operation or (matrix, sites)
    n : int
    adjoint : bool, default False

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> from weingarten_check.states.statevector import zero_state
    >>> X = np.array([[0, 1], [1, 0]])
    >>> simulate(zero_state(1), [(X, (0,))], 1, adjoint=True).reshape(-1).real.tolist()
    [0.0, 1.0]
    """
    pairs = [(o.matrix, o.sites) if isinstance(o, Operation) else o for o in ops]
    if adjoint:
        pairs = [(m.conj().T, s) for m, s in reversed(pairs)]
    out = psi
    buf = None
    batch = psi.shape[:-n] if n else ()
    if batch and math.prod(batch) > 1 and 2**n > 2**14:
        # big states: one vector at a time (numpy's batched path is slower than the loop here)
        flat = psi.reshape((-1,) + (2,) * n)
        res = np.empty(flat.shape, dtype=np.complex128)
        for b in range(flat.shape[0]):
            res[b] = simulate(flat[b], pairs, n)
        return res.reshape(psi.shape)
    for m, s in pairs:
        new = apply_gate(out, m, s, n, out=buf)
        buf = out if out is not psi else None
        out = new
    return out if out is not psi else psi.copy()
