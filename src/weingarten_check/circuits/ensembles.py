"""Random-circuit ensembles (paper, "Circuit Setting"), built as lists of local operations.

* :func:`hea_circuit` — the paper's hardware-efficient 2-design surrogate for qubits: one layer
  of ``Ry(π/4) = exp(-iYπ/8)`` on every qubit, then ``L`` layers (default ``L = 10 n``), each a
  random Pauli rotation ``R_P(θ) = exp(-iθP/2)`` on every qubit (P uniform in {X, Y, Z},
  θ uniform in [0, 2π)) followed by CZ on the n-1 nearest-neighbour pairs of a 1-D chain.
  Qudit analogue (q >= 3): each layer is a single-site Haar unitary on every site followed by
  the qudit CZ ``|a,b> -> ω^{ab}|a,b>`` (ω = e^{2πi/q}) on the chain.
* :func:`local1_circuit` — the 1-design surrogate: one layer of ``Rz(φ) Ry(θ) Rz(α)`` with
  uniform angles on every qubit (paper, QSL); for q >= 3 one layer of single-site Haar unitaries.
  A tensor product of single-site 1-designs is a 1-design (Lemma 1.3 of ``proofs/DERIVATION.md``).
* :func:`haar_layer_circuit` — single-site Haar unitaries on every site (any q).
* :func:`real_hea_circuit` — the real-amplitude version of :func:`hea_circuit` (qubits): the same
  ``Ry(π/4)`` layer, then ``L`` layers (default ``10 n``) of ``R_Y(θ)``, θ uniform in [0, 2π), on every
  qubit followed by the CZ chain.  Every gate is real, so the circuit lies in O(2^n) (Lemma 16).
* :func:`brickwork_circuit` — ``L`` layers (default ``10 n``) of independent Haar 2-site gates on an
  open chain: layer ℓ = 1 acts first; odd ℓ on (0,1), (2,3), …, even ℓ on (1,2), (3,4), …; a site
  without a partner idles (any q).

:data:`FINITE_DEPTH_ENSEMBLES` are those with a depth ``layers`` (``"hea"``, ``"brickwork"``, ``"real-hea"``).

How close they are to a 2-design is measured by their frame potential
(:func:`weingarten_check.circuits.designs.frame_potential`, Lemma 1.4).

A :class:`Circuit` is a list of operations applied with :mod:`.statevector` (no q^n x q^n matrix):
``("layer", [one q x q gate or None per site])``, ``("gate", sites, matrix)`` and
``("diag", array of shape (q,)*n)``.  All CZ gates of a layer commute and are stored as one
precomputed diagonal, shared by every layer.

Examples
--------
>>> c = hea_circuit(3, rng=0)
>>> c.name, c.depth
('hea(n=3, q=2, L=30)', 31)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..states.bases import PAULI
from ..states.sampling import RngLike, as_rng, haar_unitary
from ..states.statevector import apply_diagonal, apply_gate, apply_local_layer, num_batch_axes
from ..util.checks import check_nq

__all__ = [
    "Circuit",
    "ry",
    "rz",
    "pauli_rotation",
    "cz_chain_diagonal",
    "hea_circuit",
    "local1_circuit",
    "haar_layer_circuit",
    "real_hea_circuit",
    "brickwork_pairs",
    "brickwork_circuit",
    "FINITE_DEPTH_ENSEMBLES",
    "default_layers",
    "sample_circuit",
]

#: the circuit ensembles with a depth (``layers``); every other ensemble has none
FINITE_DEPTH_ENSEMBLES = ("hea", "brickwork", "real-hea")


def default_layers(n: int) -> int:
    """The depth of a finite-depth ensemble when none is given: ``10 n`` (the paper's HEA depth).

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.

    Returns
    -------
    int

    Examples
    --------
    >>> default_layers(6)
    60
    """
    n, _ = check_nq(n, 2)
    return 10 * n


def _check_layers(layers: object, n: int) -> int:
    """``layers`` as an int >= 0 (None: :func:`default_layers`)."""
    L = default_layers(n) if layers is None else layers
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 0:
        raise ValueError(f"layers must be an int >= 0, got {layers!r}")
    return int(L)


def pauli_rotation(P: str, theta: float) -> np.ndarray:
    """The Pauli rotation ``R_P(θ) = exp(-i θ P / 2) = cos(θ/2) I - i sin(θ/2) P``.

    Parameters
    ----------
    P : {"X", "Y", "Z"}
        The Pauli axis.
    theta : float
        The angle.

    Returns
    -------
    numpy.ndarray
        A complex ``2 × 2`` unitary.

    Raises
    ------
    ValueError
        If ``P`` is not one of "X", "Y", "Z".

    Examples
    --------
    >>> bool(np.allclose(pauli_rotation("X", np.pi), -1j * PAULI["X"]))
    True
    """
    if P not in ("X", "Y", "Z"):
        raise ValueError(f"P must be 'X', 'Y' or 'Z', got {P!r}")
    return np.cos(theta / 2) * PAULI["I"] - 1j * np.sin(theta / 2) * PAULI[P]


def ry(theta: float) -> np.ndarray:
    """``Ry(θ) = exp(-i θ Y / 2)`` (:func:`pauli_rotation`).

    The middle factor of the QSL layer ``Rz(φ) Ry(θ) Rz(α)`` of :func:`local1_circuit`, a 1-design by
    Lemma 1.3 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    theta : float
        The angle.

    Returns
    -------
    numpy.ndarray
        A complex ``2 × 2`` unitary.

    Examples
    --------
    >>> bool(np.allclose(ry(np.pi / 2) @ ry(np.pi / 2), ry(np.pi)))
    True
    """
    return pauli_rotation("Y", theta)


def rz(theta: float) -> np.ndarray:
    """``Rz(θ) = exp(-i θ Z / 2)`` (:func:`pauli_rotation`).

    The outer factors of the QSL layer ``Rz(φ) Ry(θ) Rz(α)`` of :func:`local1_circuit`, a 1-design by
    Lemma 1.3 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    theta : float
        The angle.

    Returns
    -------
    numpy.ndarray
        A complex diagonal ``2 × 2`` unitary, ``diag(e^{-iθ/2}, e^{iθ/2})``.

    Examples
    --------
    >>> bool(np.allclose(rz(np.pi), np.diag([-1j, 1j])))
    True
    """
    return pauli_rotation("Z", theta)


@functools.lru_cache(maxsize=8)
def cz_chain_diagonal(n: int, q: int = 2) -> np.ndarray:
    """The diagonal of ``Π_{i=0}^{n-2} CZ_{i,i+1}`` (a 1-D chain) as an array of shape ``(q,)*n``.

    Qubits: ``(-1)^{Σ a_i a_{i+1}}`` (real); qudits: ``ω^{Σ a_i a_{i+1}}``, ω = e^{2πi/q}.
    Read-only and cached (every layer of a circuit shares it).

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.
    q : int, default 2
        The local dimension, ``q >= 2``.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``n < 1`` or ``q < 2``.

    Examples
    --------
    >>> cz_chain_diagonal(3).reshape(-1).tolist()   # -1 on |011> and |110>
    [1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0]
    """
    n, q = check_nq(n, q)
    expo = np.zeros((q,) * n, dtype=np.int64)
    a = np.arange(q)
    for i in range(n - 1):
        shape = [1] * n
        shape[i] = q
        left = a.reshape(shape)
        shape = [1] * n
        shape[i + 1] = q
        expo = expo + left * a.reshape(shape)
    expo %= q
    if q == 2:
        diag = np.where(expo == 0, 1.0, -1.0)
    else:
        diag = np.exp(2j * np.pi * expo / q)
    diag.setflags(write=False)
    return diag


@dataclass
class Circuit:
    """A circuit on n sites of dimension q as a list of operations (module docstring).

    Parameters
    ----------
    n : int
        The number of sites.
    q : int
        The local dimension.
    ops : list, default []
        ``("layer", [gate or None per site])``, ``("gate", sites, matrix)`` or
        ``("diag", array of shape (q,)*n)``, applied in order.
    name : str, default ""
        A label.

    Examples
    --------
    >>> from weingarten_check.states.statevector import zero_state
    >>> c = Circuit(2, 2, [("layer", [PAULI["X"], None])])   # X on site 0
    >>> c.apply(zero_state(2)).reshape(-1).real.tolist()
    [0.0, 0.0, 1.0, 0.0]
    """

    n: int
    q: int
    ops: list = field(default_factory=list)
    name: str = ""

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``U psi`` for a (batched) state of shape ``batch + (q,)*n`` (``psi`` is not changed).

        Raises
        ------
        ValueError
            If ``psi`` is not a state of n sites of dimension q, or an operation is unknown.
        """
        num_batch_axes(psi, self.n)
        if psi.shape[-1] != self.q:
            raise ValueError(f"psi has local dimension {psi.shape[-1]}, circuit has q={self.q}")
        return self._run(psi, self.ops, False)

    def apply_inverse(self, psi: np.ndarray) -> np.ndarray:
        """``U† psi`` for a (batched) state: the operations reversed and adjoint."""
        num_batch_axes(psi, self.n)
        return self._run(psi, list(reversed(self.ops)), True)

    def _run(self, psi, ops, dagger):
        psi = np.array(psi, dtype=np.complex128, copy=True, order="C")
        spare = [np.empty_like(psi)]  # ping-pong buffer shared by all layers
        for op in ops:
            new = self._apply_op(psi, op, dagger, spare)
            if new is spare[0]:
                spare[0] = psi
            psi = new
        return psi

    def _apply_op(self, psi, op, dagger, spare=None):
        kind = op[0]
        if kind == "layer":
            gates = op[1]
            if dagger:
                gates = [None if g is None else g.conj().T for g in gates]
            work = spare[0] if spare else None
            return apply_local_layer(psi, gates, self.n, overwrite_input=spare is not None, work=work)
        if kind == "gate":
            g = op[2].conj().T if dagger else op[2]
            return apply_gate(psi, g, op[1], self.n)
        if kind == "diag":
            dg = op[1].conj() if (dagger and np.iscomplexobj(op[1])) else op[1]
            return apply_diagonal(psi, dg, self.n, out=psi)
        raise ValueError(f"unknown circuit operation {kind!r}")

    def unitary(self) -> np.ndarray:
        """The dense ``q^n × q^n`` matrix (columns = images of basis states), for ``q^n <= 4096``.

        Raises
        ------
        ValueError
            If ``q^n > 4096``.

        Examples
        --------
        >>> U = local1_circuit(2, rng=0).unitary()
        >>> U.shape, bool(np.allclose(U.conj().T @ U, np.eye(4)))
        ((4, 4), True)
        """
        d = self.q**self.n
        if d > 4096:
            raise ValueError(f"unitary() is for q**n <= 4096, got {d}")
        eye = np.eye(d, dtype=np.complex128).reshape((d,) + (self.q,) * self.n)
        return self.apply(eye).reshape(d, d).T

    @property
    def depth(self) -> int:
        """The number of ``"layer"`` operations."""
        return sum(1 for op in self.ops if op[0] == "layer")


def hea_circuit(n: int, q: int = 2, layers: int | None = None, rng: RngLike = None) -> Circuit:
    """The paper's hardware-efficient circuit (module docstring), the 2-design surrogate.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.
    q : int, default 2
        The local dimension (q >= 3: single-site Haar layers and the qudit CZ).
    layers : int, optional
        The number L of random layers, ``>= 0`` (default ``10 n``).
    rng : numpy.random.Generator or int or None
        The random generator or its seed.

    Returns
    -------
    Circuit

    Raises
    ------
    ValueError
        If ``n``, ``q`` or ``layers`` is invalid.

    Examples
    --------
    >>> c = hea_circuit(4, layers=2, rng=1)
    >>> c.depth, [op[0] for op in c.ops]   # the Ry(π/4) layer, then 2 × (rotations, CZ chain)
    (3, ['layer', 'layer', 'diag', 'layer', 'diag'])
    """
    n, q = check_nq(n, q)
    L = _check_layers(layers, n)
    gen = as_rng(rng)
    c = Circuit(n, q, name=f"hea(n={n}, q={q}, L={L})")
    if q == 2:
        c.ops.append(("layer", [ry(np.pi / 4)] * n))
        axes = gen.integers(0, 3, size=(L, n))
        angles = gen.uniform(0.0, 2 * np.pi, size=(L, n))
        layers_ = ([pauli_rotation("XYZ"[axes[l, s]], angles[l, s]) for s in range(n)] for l in range(L))
    else:
        layers_ = ([haar_unitary(q, gen) for _ in range(n)] for _ in range(L))
    return _append_cz_layers(c, layers_)


def _append_cz_layers(c: Circuit, layers: Iterable[list[np.ndarray]]) -> Circuit:
    """Append each layer of single-site gates followed by the CZ chain (none for one site); return ``c``."""
    diag = cz_chain_diagonal(c.n, c.q) if c.n > 1 else None
    for gates in layers:
        c.ops.append(("layer", gates))
        if diag is not None:
            c.ops.append(("diag", diag))
    return c


def local1_circuit(n: int, q: int = 2, rng: RngLike = None) -> Circuit:
    """One layer of ``Rz(φ) Ry(θ) Rz(α)``, uniform angles in [0, 2π), on every qubit.

    The paper's 1-design surrogate (QSL); single-site Haar unitaries for q >= 3.  A 1-design by
    Lemma 1.3 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    n : int
        The number of sites.
    q : int, default 2
        The local dimension.
    rng : numpy.random.Generator or int or None
        The random generator or its seed.

    Returns
    -------
    Circuit

    Raises
    ------
    ValueError
        If ``n < 1`` or ``q < 2``.

    Examples
    --------
    >>> c = local1_circuit(3, rng=0)
    >>> c.name, c.depth
    ('local1(n=3)', 1)
    """
    n, q = check_nq(n, q)
    gen = as_rng(rng)
    if q != 2:
        return haar_layer_circuit(n, q, gen)
    ang = gen.uniform(0.0, 2 * np.pi, size=(n, 3))
    gates = [rz(ang[s, 0]) @ ry(ang[s, 1]) @ rz(ang[s, 2]) for s in range(n)]
    return Circuit(n, q, [("layer", gates)], name=f"local1(n={n})")


def haar_layer_circuit(n: int, q: int = 2, rng: RngLike = None) -> Circuit:
    """Independent single-site Haar unitaries on every site: a 1-design that is not a 2-design.

    Its frame potential is ``F2 = 2^n`` (Lemma 1.4 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    n : int
        The number of sites.
    q : int, default 2
        The local dimension.
    rng : numpy.random.Generator or int or None
        The random generator or its seed.

    Returns
    -------
    Circuit

    Raises
    ------
    ValueError
        If ``n < 1`` or ``q < 2``.

    Examples
    --------
    >>> haar_layer_circuit(2, 3, rng=1).name
    'haar_layer(n=2, q=3)'
    """
    n, q = check_nq(n, q)
    gen = as_rng(rng)
    return Circuit(n, q, [("layer", [haar_unitary(q, gen) for _ in range(n)])], name=f"haar_layer(n={n}, q={q})")


def real_hea_circuit(n: int, q: int = 2, layers: int | None = None, rng: RngLike = None) -> Circuit:
    """The real-amplitude hardware-efficient circuit (module docstring): ``R_Y`` rotations and CZ only.

    One layer of ``Ry(π/4)`` on every qubit, then ``L`` layers (default ``10 n``), each ``R_Y(θ)`` with θ
    uniform in [0, 2π) on every qubit followed by CZ on the chain: :func:`hea_circuit` with every random
    axis Y.  All gates are real orthogonal, so the circuit is in O(2^n) and maps real states to real
    states.  Deep ones do **not** approach Haar on O(d) (the ensemble of Lemma 16.4 of
    ``proofs/DERIVATION.md``): the layers generate the group of ``exp(-iθ Y_i/2)`` and
    ``exp(-iθ Z_{i-1} Y_i Z_{i+1}/2)``, whose Lie algebra has dimension n(n + 1) (n = 2 … 5), not
    ``2^n (2^n - 1)/2``; at n = 3 a layer's two-copy average fixes a second vector besides ``Σ_i |ii>``
    (``Y_1 Y_3`` is conserved), and E[Δ] stays above the O(d) bound as L grows (tests/test_ensembles.py,
    tests/test_tasks.py).

    Parameters
    ----------
    n : int
        The number of qubits, ``n >= 1``.
    q : int, default 2
        The local dimension; only 2 is accepted (the qudit CZ is not real).
    layers : int, optional
        The number L of random layers, ``>= 0`` (default ``10 n``).
    rng : numpy.random.Generator or int or None
        The random generator or its seed.

    Returns
    -------
    Circuit

    Raises
    ------
    ValueError
        If ``q != 2`` or ``n`` or ``layers`` is invalid.

    Examples
    --------
    >>> c = real_hea_circuit(3, layers=2, rng=0)
    >>> c.name, c.depth, bool(np.abs(c.unitary().imag).max() < 1e-15)
    ('real_hea(n=3, L=2)', 3, True)
    """
    n, q = check_nq(n, q)
    if q != 2:
        raise ValueError(f"real_hea_circuit is for qubits only (q = 2), got q = {q}")
    L = _check_layers(layers, n)
    gen = as_rng(rng)
    c = Circuit(n, q, name=f"real_hea(n={n}, L={L})")
    c.ops.append(("layer", [ry(np.pi / 4).real] * n))
    angles = gen.uniform(0.0, 2 * np.pi, size=(L, n))
    return _append_cz_layers(c, ([ry(angles[l, s]).real for s in range(n)] for l in range(L)))


def brickwork_pairs(n: int, layer: int) -> list[tuple[int, int]]:
    """The site pairs of brickwork layer ``layer`` (1-based) on an open chain of n sites.

    Odd layers: (0, 1), (2, 3), …; even layers: (1, 2), (3, 4), …; a site without a partner idles.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.
    layer : int
        The layer ℓ, ``>= 1`` (ℓ = 1 acts first on the input state).

    Returns
    -------
    list of tuple of int

    Raises
    ------
    ValueError
        If ``n < 1`` or ``layer < 1``.

    Examples
    --------
    >>> brickwork_pairs(5, 1), brickwork_pairs(5, 2)
    ([(0, 1), (2, 3)], [(1, 2), (3, 4)])
    """
    n, _ = check_nq(n, 2)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or layer < 1:
        raise ValueError(f"layer must be an int >= 1, got {layer!r}")
    first = 0 if layer % 2 == 1 else 1
    return [(s, s + 1) for s in range(first, n - 1, 2)]


def brickwork_circuit(n: int, q: int = 2, layers: int | None = None, rng: RngLike = None) -> Circuit:
    """``L`` layers of independent Haar-random 2-site gates in a brickwork on an open chain.

    Layer ℓ = 1 acts first on the input state; its gates sit on :func:`brickwork_pairs` ``(n, ℓ)``
    (odd ℓ: (0,1), (2,3), …; even ℓ: (1,2), (3,4), …; a site without a partner idles).  Each gate is an
    exact Haar unitary of dimension ``q²`` (:func:`weingarten_check.states.sampling.haar_unitary`),
    drawn in the order of the layers, then of the pairs.  Each gate alone is a unitary 2-design on its
    two sites (Lemma 1 of ``proofs/DERIVATION.md``: a Haar unitary is a t-design for every t); the
    circuit is only an approximate 2-design on n sites, better with depth.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 2``.
    q : int, default 2
        The local dimension, ``q >= 2``.
    layers : int, optional
        The number L of layers, ``>= 0`` (default :func:`default_layers`, ``10 n``).
    rng : numpy.random.Generator or int or None
        The random generator or its seed.

    Returns
    -------
    Circuit
        One ``("gate", (s, s + 1), U)`` operation per gate, in the order they act.

    Raises
    ------
    ValueError
        If ``n < 2``, ``q < 2`` or ``layers`` is not an int ``>= 0``.

    Examples
    --------
    >>> c = brickwork_circuit(4, layers=3, rng=0)
    >>> c.name, [op[1] for op in c.ops]
    ('brickwork(n=4, q=2, L=3)', [(0, 1), (2, 3), (1, 2), (0, 1), (2, 3)])
    """
    n, q = check_nq(n, q, min_n=2)
    L = _check_layers(layers, n)
    gen = as_rng(rng)
    c = Circuit(n, q, name=f"brickwork(n={n}, q={q}, L={L})")
    for layer in range(1, L + 1):
        for pair in brickwork_pairs(n, layer):
            c.ops.append(("gate", pair, haar_unitary(q * q, gen)))
    return c


def sample_circuit(ensemble: str, n: int, q: int = 2, rng: RngLike = None, layers: int | None = None) -> Circuit:
    """One circuit of an ensemble with a circuit form (``"hea"``, ``"brickwork"``, ``"real-hea"``, ``"local1"``, …).

    The ``"haar"`` ensemble is never built as a circuit (exact Haar states and isometries are
    drawn instead: :mod:`weingarten_check.experiments.tasks`).

    Parameters
    ----------
    ensemble : {"hea", "brickwork", "real-hea", "local1", "haar_layer"}
    n : int
        The number of sites.
    q : int, default 2
        The local dimension.
    rng : numpy.random.Generator or int or None
        The random generator or its seed.
    layers : int, optional
        The depth of ``"hea"``, ``"brickwork"`` and ``"real-hea"`` (:data:`FINITE_DEPTH_ENSEMBLES`); must be
        None for the others.

    Returns
    -------
    Circuit

    Raises
    ------
    ValueError
        If the ensemble is not one of the five, ``layers`` is given for an ensemble without depth, or
        the other arguments are invalid.

    Examples
    --------
    >>> sample_circuit("hea", 2, layers=1, rng=0).depth
    2
    """
    if layers is not None and ensemble not in FINITE_DEPTH_ENSEMBLES:
        raise ValueError(f"layers is only for the ensembles {FINITE_DEPTH_ENSEMBLES}, not {ensemble!r}")
    if ensemble == "hea":
        return hea_circuit(n, q, layers, rng)
    if ensemble == "brickwork":
        return brickwork_circuit(n, q, layers, rng)
    if ensemble == "local1":
        return local1_circuit(n, q, rng)
    if ensemble == "haar_layer":
        return haar_layer_circuit(n, q, rng)
    if ensemble == "real-hea":
        return real_hea_circuit(n, q, layers, rng)
    raise ValueError(
        f"ensemble must be 'hea', 'brickwork', 'local1', 'haar_layer' or 'real-hea' for a circuit, got {ensemble!r}"
    )
