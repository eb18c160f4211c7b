"""Uniformly random n-qubit Clifford unitaries: an exact unitary 2-design (in fact a 3-design)
that is not Haar (Lemma 13 of ``proofs/DERIVATION.md``).

**Sampling, reproducibly.**  ``stim.Tableau.random(n)`` draws a uniformly random Clifford
(Bravyi–Maslov 2020) but takes no seed: stim seeds it from ``std::random_device``, so its draws
cannot follow the project's seeding rule (:func:`weingarten_check.experiments.tasks.sample_rng`).
The draw is therefore made by qiskit's Clifford sampler
(``qiskit._accelerate.synthesis.clifford.random_clifford_tableau``) — the same Bravyi–Maslov
algorithm, seeded with a 64-bit integer drawn from the numpy ``Generator`` we pass — and its
stabilizer tableau is handed to stim (``stim.Tableau.from_numpy``).  No Clifford sampler is written
here.  We call qiskit's Rust sampler directly: the public ``random_clifford`` maps every seed to
one of only 100 000 (``_draw_qiskit_tableau``).  Reproducible for a fixed qiskit version (qiskit
does not promise the same stream across versions; a sweep's ``--recheck`` notices a change).
Uniformity (exact group distribution for n = 1, 2) and the frame potentials F2 = 2, F3 = 6 of the
draws (:func:`weingarten_check.circuits.designs.frame_potential`) are tested in
``tests/test_clifford.py``.

**From a tableau to the project's state vectors** (site 0 = most significant factor, i.e. stim's
``endian="big"``; stim's default is little endian — tested):

* :meth:`CliffordUnitary.state` — ``V|0…0>`` from stim's graph-state synthesis
  (``tableau.to_circuit("graph_state")``: ``|+>^n``, a layer of CZ, a layer of single-qubit
  Cliffords).  All CZs are one ±1 diagonal, so the state costs a few passes over ``2^n``
  amplitudes (n = 20 in well under a second; stim's own ``to_state_vector`` is O(n 2^n) in
  single precision and takes ~20 s at n = 20).  Equal to ``V|0…0>`` up to a global phase, which
  no cost of this project sees (``ρ1 = |ψ><ψ|``).
* :meth:`CliffordUnitary.circuit` — stim's ``to_circuit("elimination")`` (H, S, CX; O(n²) gates)
  as an :class:`weingarten_check.circuits.ensembles.Circuit`, applied gate by gate with
  :mod:`weingarten_check.states.statevector` in double precision (``apply``/``apply_inverse`` on batches,
  used for a random V2).
* :meth:`CliffordUnitary.unitary` — the dense matrix from stim (``to_unitary_matrix``, single
  precision) *snapped* to its exact values: every entry of a Clifford unitary whose first non-zero
  entry is real positive is 0 or ``2^{-k/2} e^{iπ m/4}``, so rounding k and m recovers the matrix
  to double precision.  Small n only.

Gate matrices are stim's (``stim.gate_data(name).unitary_matrix``), snapped the same way and put
in big-endian order.  Only q = 2: the Clifford group used here is the qubit one.

Examples
--------
>>> V = random_clifford(2, rng=0)
>>> V.n, V.unitary().shape
(2, (4, 4))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import stim

from ..states.sampling import RngLike, as_rng
from ..states.statevector import zero_state
from ..util.checks import check_nq
from .ensembles import Circuit

__all__ = [
    "random_clifford_tableau",
    "tableau_from_qiskit",
    "random_clifford",
    "CliffordUnitary",
    "snap_clifford_entries",
    "stim_gate_matrix",
    "MAX_UNITARY_QUBITS",
    "check_qubits",
]

#: largest n for which :meth:`CliffordUnitary.unitary` builds the dense 2^n x 2^n matrix
MAX_UNITARY_QUBITS = 12

_OMEGA = np.array(
    [
        1,
        (1 + 1j) * np.sqrt(0.5),
        1j,
        (-1 + 1j) * np.sqrt(0.5),
        -1,
        (-1 - 1j) * np.sqrt(0.5),
        -1j,
        (1 - 1j) * np.sqrt(0.5),
    ],
    dtype=np.complex128,
)


def check_qubits(n: object, q: object = 2) -> int:
    """Return ``n`` as an int after checking ``n >= 1`` sites of local dimension ``q = 2``.

    Parameters
    ----------
    n : int
        The number of qubits.
    q : int, default 2
        The local dimension; must be 2.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For a bad ``n`` or ``q`` (:func:`weingarten_check.util.checks.check_nq`) and for ``q != 2``:
        the Clifford group used here is the qubit one.

    Examples
    --------
    >>> check_qubits(3)
    3
    >>> check_qubits(3, 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the Clifford ensemble is defined for qubits only (q = 2), got q = 3; ...
    """
    n, q = check_nq(n, q)
    if q != 2:
        raise ValueError(
            f"the Clifford ensemble is defined for qubits only (q = 2), got q = {q}; "
            "use ensemble 'haar' or 'hea' for qudits"
        )
    return n


def snap_clifford_entries(a: np.ndarray, tol: float = 1e-4) -> np.ndarray:
    """Round an array whose entries are (approximately) 0 or ``2^{-k/2} e^{iπ m/4}`` (k, m integers)
    to those exact values, in complex128.

    This is the form of every entry of a Clifford unitary or stabilizer state once its global
    phase makes one non-zero entry real positive (amplitudes of a stabilizer state have equal
    modulus and relative phases in {±1, ±i}; Clifford gates bring phases e^{iπ m/4}).

    Parameters
    ----------
    a : array_like
        The approximate entries (e.g. stim's single-precision unitary).
    tol : float, default 1e-4
        The largest admissible distance of an entry from its snapped value.

    Returns
    -------
    numpy.ndarray
        Complex128, the shape of ``a``.

    Raises
    ------
    ValueError
        If some entry is farther than ``tol`` from every such value (not a Clifford).

    Examples
    --------
    >>> snap_clifford_entries(np.array([0.7071, 0.5j + 1e-6, 0.0])).tolist()
    [(0.7071067811865476+0j), 0.5j, 0j]
    """
    a = np.asarray(a)
    out = np.zeros(a.shape, dtype=np.complex128)
    mag2 = np.abs(a.astype(np.complex128)) ** 2
    nz = mag2 > 1e-6 * (mag2.max() if mag2.size else 0.0)
    if np.any(nz):
        k = np.rint(-np.log2(mag2[nz])).astype(np.int64)
        m = np.rint(np.angle(a[nz].astype(np.complex128)) / (np.pi / 4)).astype(np.int64) % 8
        out[nz] = 2.0 ** (-k / 2) * _OMEGA[m]
    err = float(np.max(np.abs(out - a))) if a.size else 0.0
    if err > tol:
        raise ValueError(f"array is not of Clifford form 0 / 2^(-k/2) e^(iπm/4) (max deviation {err:.2e})")
    return out


@functools.cache
def stim_gate_matrix(name: str) -> np.ndarray:
    """The matrix of stim's unitary gate ``name`` in double precision, the first target most significant.

    Sites are in the order of the gate's targets with the **first target the most significant**
    (the project's order; stim's own ``unitary_matrix`` is little endian).  Read-only, cached.

    Parameters
    ----------
    name : str
        A stim gate name (``"H"``, ``"S"``, ``"CX"``, ...).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If the gate is not unitary.

    Examples
    --------
    >>> stim_gate_matrix("CX").real.astype(int).tolist()   # control = first target
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
    """
    data = stim.gate_data(name)
    m = data.unitary_matrix
    if m is None:
        raise ValueError(f"stim gate {name!r} is not unitary")
    m = snap_clifford_entries(m)
    if m.shape == (4, 4):  # little -> big endian: swap the two qubits
        perm = [0, 2, 1, 3]
        m = m[np.ix_(perm, perm)]
    m.setflags(write=False)
    return m


@functools.cache
def _bit(n: int, s: int) -> np.ndarray:
    shape = [1] * n
    shape[s] = 2
    return np.arange(2, dtype=np.uint8).reshape(shape)


def _cz_diagonal(edges: list[tuple[int, int]], n: int) -> np.ndarray:
    """``Π_{(a,b)} CZ_ab`` as a ±1 array of shape (2,)*n (one parity array, one pass per edge)."""
    parity = np.zeros((2,) * n, dtype=np.uint8)
    for a, b in edges:
        parity ^= _bit(n, a) & _bit(n, b)
    return 1.0 - 2.0 * parity


def _ops_from_stim(circ: stim.Circuit, n: int, *, from_zero: bool) -> list:
    """Translate a stim circuit of unitary Clifford gates into :class:`Circuit` operations.

    Single-qubit gates are merged per site into ``("layer", ...)`` operations, runs of CZ into one
    ``("diag", ±1 array)``, other two-qubit gates become ``("gate", (a, b), 4x4)``.
    ``from_zero=True`` also accepts ``RX`` (reset to |+>) on a qubit no gate has touched yet,
    which on |0> equals H — valid only when the circuit is applied to |0…0>."""
    ops: list = []
    layer: dict[int, np.ndarray] = {}
    cz: list[tuple[int, int]] = []
    touched: set[int] = set()

    def flush():
        nonlocal layer, cz
        if layer:
            ops.append(("layer", [layer.get(s) for s in range(n)]))
            layer = {}
        if cz:
            ops.append(("diag", _cz_diagonal(cz, n)))
            cz = []

    def one(s: int, g: np.ndarray):
        if any(s in e for e in cz):
            flush()
        layer[s] = g if s not in layer else g @ layer[s]
        touched.add(s)

    for inst in circ.flattened():
        name = inst.name
        if name == "TICK":
            continue
        qubits = [t.value for t in inst.targets_copy()]
        if any(not 0 <= t < n for t in qubits):
            raise ValueError(f"stim circuit acts on qubit outside range({n}): {inst}")
        if name == "RX" and from_zero:
            for s in qubits:
                if s in touched:
                    raise ValueError("RX (reset) after other gates on the same qubit is not a unitary step")
                one(s, stim_gate_matrix("H"))
            continue
        data = stim.gate_data(name)
        if not data.is_unitary:
            raise ValueError(f"stim circuit contains the non-unitary operation {name!r}")
        if data.is_single_qubit_gate:
            for s in qubits:
                one(s, stim_gate_matrix(name))
        elif data.is_two_qubit_gate:
            for a, b in zip(qubits[::2], qubits[1::2]):
                touched.update((a, b))
                if name == "CZ":  # pending = (layer, then CZs): a later CZ commutes with the CZs
                    cz.append((a, b))
                    continue
                flush()
                ops.append(("gate", (a, b), stim_gate_matrix(name)))
        else:
            raise ValueError(f"unsupported stim gate {name!r}")
    flush()
    return ops


@dataclass
class CliffordUnitary:
    """A Clifford unitary on n qubits given by its stim tableau (module docstring).

    Defined up to a global phase (a tableau does not fix it), which no cost of the project sees.

    Parameters
    ----------
    tableau : stim.Tableau
        The tableau, on at least one qubit.

    Raises
    ------
    TypeError
        If ``tableau`` is not a ``stim.Tableau``.
    ValueError
        If it acts on no qubit.

    Examples
    --------
    >>> from weingarten_check.states.statevector import zero_state
    >>> V = random_clifford(3, rng=4)
    >>> psi = V.apply(zero_state(3)).reshape(-1)
    >>> round(float(abs(np.vdot(V.state().reshape(-1), psi))), 12)   # the same state up to a phase
    1.0
    """

    tableau: stim.Tableau
    _circuit: Circuit | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tableau, stim.Tableau):
            raise TypeError(f"tableau must be a stim.Tableau, got {type(self.tableau).__name__}")
        if len(self.tableau) < 1:
            raise ValueError("tableau must act on at least one qubit")

    @property
    def n(self) -> int:
        """The number of qubits."""
        return len(self.tableau)

    @property
    def q(self) -> int:
        """The local dimension, 2."""
        return 2

    def state(self) -> np.ndarray:
        """``V|0…0>`` as an array of shape (2,)*n (complex128), up to a global phase."""
        ops = _ops_from_stim(self.tableau.to_circuit("graph_state"), self.n, from_zero=True)
        return Circuit(self.n, 2, ops, name="clifford-state").apply(zero_state(self.n, 2))

    def circuit(self) -> Circuit:
        """The unitary as an H/S/CX circuit (stim's ``elimination`` synthesis), cached."""
        if self._circuit is None:
            ops = _ops_from_stim(self.tableau.to_circuit("elimination"), self.n, from_zero=False)
            self._circuit = Circuit(self.n, 2, ops, name=f"clifford(n={self.n})")
        return self._circuit

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``V psi`` for a (batched) state of shape ``batch + (2,)*n``, gate by gate."""
        return self.circuit().apply(psi)

    def apply_inverse(self, psi: np.ndarray) -> np.ndarray:
        """``V† psi``."""
        return self.circuit().apply_inverse(psi)

    def inverse(self) -> CliffordUnitary:
        """``V†`` (stim's tableau inverse)."""
        return CliffordUnitary(self.tableau.inverse())

    def unitary(self) -> np.ndarray:
        """The dense ``2^n × 2^n`` matrix (site 0 most significant), exact to double precision.

        Raises
        ------
        ValueError
            If ``n >`` :data:`MAX_UNITARY_QUBITS`.
        """
        if self.n > MAX_UNITARY_QUBITS:
            raise ValueError(f"unitary() is for n <= {MAX_UNITARY_QUBITS} qubits, got n = {self.n}")
        return snap_clifford_entries(self.tableau.to_unitary_matrix(endian="big"))


def _draw_qiskit_tableau(n: int, gen: np.random.Generator) -> np.ndarray:
    """qiskit's Bravyi–Maslov sampler (Rust) seeded with a full 64-bit seed drawn from ``gen``.

    Not the public ``qiskit.quantum_info.random_clifford``: in qiskit 2.x it turns any seed or
    Generator into ``rng.integers(100000)`` before calling this function, so its draws are
    supported on at most 100 000 Cliffords (for n = 2 the counts over the 11 520 elements are then
    far from uniform: chi-square 13 844 for 11 519 degrees of freedom, tests/test_clifford.py)."""
    try:
        import qiskit  # noqa: F401  (registers the qiskit._accelerate.* submodules)
        from qiskit._accelerate.synthesis.clifford import random_clifford_tableau
    except ImportError as exc:  # pragma: no cover - depends on the installed qiskit
        raise ImportError(
            "the Clifford ensemble needs qiskit >= 1.3 (qiskit._accelerate.synthesis."
            f"clifford.random_clifford_tableau): {exc}"
        ) from None
    seed = int(gen.integers(0, 2**64, dtype=np.uint64))
    return np.asarray(random_clifford_tableau(n, seed=seed), dtype=bool)


def tableau_from_qiskit(tab: np.ndarray) -> stim.Tableau:
    """The stim tableau of a qiskit Clifford tableau ``tab`` (shape ``(2n, 2n+1)``, bool).

    Rows 0..n-1 = images of X_j (destabilisers), rows n..2n-1 = images of Z_j (stabilisers);
    columns: x bits, z bits, sign bit; x = z = 1 is Y (Hermitian), as in stim.

    Parameters
    ----------
    tab : array_like of bool
        Shape ``(2n, 2n+1)``, ``n >= 1``.

    Returns
    -------
    stim.Tableau

    Raises
    ------
    ValueError
        If the shape is not ``(2n, 2n+1)``.

    Examples
    --------
    The identity on one qubit (X -> X, Z -> Z):

    >>> tableau_from_qiskit([[1, 0, 0], [0, 1, 0]]) == stim.Tableau(1)
    True
    """
    tab = np.asarray(tab, dtype=bool)
    n = tab.shape[0] // 2
    if tab.shape != (2 * n, 2 * n + 1) or n < 1:
        raise ValueError(f"tab must have shape (2n, 2n+1) with n >= 1, got {tab.shape}")
    return stim.Tableau.from_numpy(
        x2x=tab[:n, :n],
        x2z=tab[:n, n : 2 * n],
        z2x=tab[n:, :n],
        z2z=tab[n:, n : 2 * n],
        x_signs=tab[:n, 2 * n],
        z_signs=tab[n:, 2 * n],
    )


def random_clifford_tableau(n: int, rng: RngLike = None) -> stim.Tableau:
    """A uniformly random n-qubit Clifford (with random Pauli signs) as a stim tableau.

    Drawn by qiskit's Bravyi–Maslov sampler from a 64-bit seed taken from the numpy generator
    ``rng`` (module docstring: stim's ``Tableau.random`` takes no seed).

    Parameters
    ----------
    n : int
        The number of qubits, ``n >= 1``.
    rng : numpy.random.Generator or int or None
        The random generator or its seed (one 64-bit integer is drawn from it).

    Returns
    -------
    stim.Tableau

    Raises
    ------
    TypeError, ValueError
        If ``n`` or ``rng`` is invalid.

    Examples
    --------
    >>> t = random_clifford_tableau(2, 0)
    >>> len(t), t == random_clifford_tableau(2, 0)
    (2, True)
    """
    n = check_qubits(n)
    return tableau_from_qiskit(_draw_qiskit_tableau(n, as_rng(rng)))


def random_clifford(n: int, q: int = 2, rng: RngLike = None) -> CliffordUnitary:
    """A uniformly random Clifford unitary on n qubits (:func:`random_clifford_tableau`).

    The exact 3-design of Lemma 13 of ``proofs/DERIVATION.md`` (the ensemble ``"clifford"``).

    Parameters
    ----------
    n : int
        The number of qubits, ``n >= 1``.
    q : int, default 2
        Must be 2.
    rng : numpy.random.Generator or int or None
        The random generator or its seed.

    Returns
    -------
    CliffordUnitary

    Raises
    ------
    ValueError
        If ``n < 1`` or ``q != 2``.

    Examples
    --------
    >>> U = random_clifford(2, rng=1).unitary()
    >>> bool(np.allclose(U.conj().T @ U, np.eye(4)))
    True
    """
    n = check_qubits(n, q)
    return CliffordUnitary(random_clifford_tableau(n, rng))
