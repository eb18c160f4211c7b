"""Random-circuit ensembles (paper, "Circuit Setting") and their frame potential.

* :func:`hea_circuit` — the paper's hardware-efficient 2-design surrogate for qubits: one layer
  of ``Ry(π/4) = exp(-iYπ/8)`` on every qubit, then ``L`` layers (default ``L = 10 n``), each a
  random Pauli rotation ``R_P(θ) = exp(-iθP/2)`` on every qubit (P uniform in {X, Y, Z},
  θ uniform in [0, 2π)) followed by CZ on the n-1 nearest-neighbour pairs of a 1-D chain.
  Qudit analogue (q >= 3): each layer is a single-site Haar unitary on every site followed by
  the qudit CZ ``|a,b> -> ω^{ab}|a,b>`` (ω = e^{2πi/q}) on the chain.
* :func:`local1_circuit` — the 1-design surrogate: one layer of ``Rz(φ) Ry(θ) Rz(α)`` with
  uniform angles on every qubit (paper, QSL); for q >= 3 one layer of single-site Haar unitaries.
  A tensor product of single-site 1-designs is a 1-design (math-notes).
* :func:`haar_layer_circuit` — single-site Haar unitaries on every site (any q).
* :func:`frame_potential` — ``F2 = E|tr(U† V)|⁴`` (Haar value 2, ≥ 2 with equality iff a
  2-design) with its standard error, to see how close depth ``10 n`` is to a 2-design.

A :class:`Circuit` is a list of operations applied with :mod:`.statevector` (no q^n x q^n matrix):
``("layer", [one q x q gate or None per site])``, ``("gate", sites, matrix)`` and
``("diag", array of shape (q,)*n)``.  All CZ gates of a layer commute and are stored as one
precomputed diagonal, shared by every layer.
"""

from __future__ import annotations

import functools
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
    "sample_circuit",
    "ENSEMBLES",
]

ENSEMBLES = ("haar", "hea", "local1")


def pauli_rotation(P: str, theta: float) -> np.ndarray:
    """``R_P(θ) = exp(-i θ P / 2) = cos(θ/2) I - i sin(θ/2) P`` for P in {"X", "Y", "Z"}."""
    if P not in ("X", "Y", "Z"):
        raise ValueError(f"P must be 'X', 'Y' or 'Z', got {P!r}")
    return np.cos(theta / 2) * PAULI["I"] - 1j * np.sin(theta / 2) * PAULI[P]


def ry(theta: float) -> np.ndarray:
    """``Ry(θ) = exp(-i θ Y / 2)``."""
    return pauli_rotation("Y", theta)


def rz(theta: float) -> np.ndarray:
    """``Rz(θ) = exp(-i θ Z / 2)``."""
    return pauli_rotation("Z", theta)


@functools.lru_cache(maxsize=8)
def cz_chain_diagonal(n: int, q: int = 2) -> np.ndarray:
    """Diagonal of ``Π_{i=0}^{n-2} CZ_{i,i+1}`` as an array of shape (q,)*n (read-only).

    Qubits: ``(-1)^{Σ a_i a_{i+1}}`` (real); qudits: ``ω^{Σ a_i a_{i+1}}``, ω = e^{2πi/q}."""
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
    """A circuit on n sites of dimension q as a list of operations (module docstring)."""

    n: int
    q: int
    ops: list = field(default_factory=list)
    name: str = ""

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``U psi`` for a (batched) state of shape ``batch + (q,)*n``."""
        num_batch_axes(psi, self.n)
        if psi.shape[-1] != self.q:
            raise ValueError(f"psi has local dimension {psi.shape[-1]}, circuit has q={self.q}")
        return self._run(psi, self.ops, False)

    def apply_inverse(self, psi: np.ndarray) -> np.ndarray:
        """``U† psi``."""
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
        """Dense q^n x q^n matrix (columns = images of basis states), for small n only."""
        d = self.q**self.n
        if d > 4096:
            raise ValueError(f"unitary() is for q**n <= 4096, got {d}")
        eye = np.eye(d, dtype=np.complex128).reshape((d,) + (self.q,) * self.n)
        return self.apply(eye).reshape(d, d).T

    @property
    def depth(self) -> int:
        return sum(1 for op in self.ops if op[0] == "layer")


def hea_circuit(n: int, q: int = 2, layers: int | None = None, rng: RngLike = None) -> Circuit:
    """The paper's hardware-efficient circuit (module docstring); ``layers`` defaults to 10 n."""
    n, q = check_nq(n, q)
    L = 10 * n if layers is None else layers
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 0:
        raise ValueError(f"layers must be an int >= 0, got {layers!r}")
    gen = as_rng(rng)
    c = Circuit(n, q, name=f"hea(n={n}, q={q}, L={L})")
    diag = cz_chain_diagonal(n, q) if n > 1 else None
    if q == 2:
        c.ops.append(("layer", [ry(np.pi / 4)] * n))
        axes = gen.integers(0, 3, size=(L, n))
        angles = gen.uniform(0.0, 2 * np.pi, size=(L, n))
        for l in range(L):
            c.ops.append(("layer", [pauli_rotation("XYZ"[axes[l, s]], angles[l, s]) for s in range(n)]))
            if diag is not None:
                c.ops.append(("diag", diag))
    else:
        for l in range(L):
            c.ops.append(("layer", [haar_unitary(q, gen) for _ in range(n)]))
            if diag is not None:
                c.ops.append(("diag", diag))
    return c


def local1_circuit(n: int, q: int = 2, rng: RngLike = None) -> Circuit:
    """One layer of ``Rz(φ) Ry(θ) Rz(α)``, uniform angles in [0, 2π), on every qubit (paper's
    1-design surrogate); single-site Haar unitaries for q >= 3."""
    n, q = check_nq(n, q)
    gen = as_rng(rng)
    if q != 2:
        return haar_layer_circuit(n, q, gen)
    ang = gen.uniform(0.0, 2 * np.pi, size=(n, 3))
    gates = [rz(ang[s, 0]) @ ry(ang[s, 1]) @ rz(ang[s, 2]) for s in range(n)]
    return Circuit(n, q, [("layer", gates)], name=f"local1(n={n})")


def haar_layer_circuit(n: int, q: int = 2, rng: RngLike = None) -> Circuit:
    """Independent single-site Haar unitaries on every site (a 1-design on the whole space)."""
    n, q = check_nq(n, q)
    gen = as_rng(rng)
    return Circuit(n, q, [("layer", [haar_unitary(q, gen) for _ in range(n)])], name=f"haar_layer(n={n}, q={q})")


def sample_circuit(ensemble: str, n: int, q: int = 2, rng: RngLike = None, layers: int | None = None) -> Circuit:
    """One circuit from ``"hea"`` (layers default 10 n), ``"local1"`` or ``"haar_layer"``.
    (The ``"haar"`` ensemble is never built as a circuit: see :mod:`.experiments`.)"""
    if ensemble == "hea":
        return hea_circuit(n, q, layers, rng)
    if ensemble == "local1":
        return local1_circuit(n, q, rng)
    if ensemble == "haar_layer":
        return haar_layer_circuit(n, q, rng)
    raise ValueError(f"ensemble must be 'hea', 'local1' or 'haar_layer' for a circuit, got {ensemble!r}")
