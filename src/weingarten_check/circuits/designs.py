"""How close an ensemble of unitaries is to a t-design: the Monte-Carlo frame potential.

The frame potential of an ensemble is ``F_t = E|tr(U† V)|^{2t}`` over independent pairs (U, V); for
Haar unitaries ``F_t = t!`` (``d >= t``), every ensemble has ``F_t >= t!``, with equality iff it is a
t-design (Lemma 1.4 of ``proofs/DERIVATION.md``; Lemma 13.1 for the Clifford group: ``F2 = 2``,
``F3 = 6``, ``F4 > 24``).  One estimator serves every ensemble:

* :func:`frame_potential_from_sampler` — for any function that draws a unitary;
* :func:`frame_potential` — for an ensemble by name (:data:`FRAME_POTENTIAL_ENSEMBLES`): exact Haar
  unitaries, the circuit ensembles of :mod:`.ensembles` and random Cliffords (:mod:`.clifford`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..states.sampling import RngLike, as_rng, haar_unitary
from ..util.checks import check_choice, check_int, check_nq
from .clifford import check_qubits, random_clifford
from .ensembles import sample_circuit

__all__ = [
    "FRAME_POTENTIAL_ENSEMBLES",
    "MAX_CLIFFORD_QUBITS",
    "frame_potential_from_sampler",
    "frame_potential",
]

#: the ensembles :func:`frame_potential` draws from by name
FRAME_POTENTIAL_ENSEMBLES = ("haar", "hea", "local1", "haar_layer", "clifford")

#: largest number of qubits for which the Clifford frame potential builds its 2^n x 2^n unitaries
MAX_CLIFFORD_QUBITS = 8


def frame_potential_from_sampler(draw: Callable[[], np.ndarray], t: int = 2, samples: int = 200) -> tuple[float, float]:
    """Monte-Carlo frame potential ``F_t = E|tr(U† V)|^{2t}`` of the unitaries ``draw()`` returns.

    ``samples`` independent pairs ``(U, V) = (draw(), draw())`` are drawn in this order; ``F_t = t!``
    for Haar unitaries and ``>= t!`` for every ensemble, with equality iff it is a t-design
    (Lemma 1.4 of ``proofs/DERIVATION.md``).

    Parameters
    ----------
    draw : callable
        Returns one ``d × d`` unitary per call (from its own random generator).
    t : int, default 2
        The design order, ``t >= 1``.
    samples : int, default 200
        The number of pairs, ``>= 2``.

    Returns
    -------
    tuple of float
        ``(mean, standard error)`` of ``|tr(U† V)|^{2t}`` over the pairs.

    Raises
    ------
    TypeError
        If ``t`` or ``samples`` is not an int.
    ValueError
        If ``t < 1`` or ``samples < 2``.

    Examples
    --------
    A fixed unitary is a 0-design only: ``|tr(U† U)|^4 = d^4`` with no spread.

    >>> frame_potential_from_sampler(lambda: np.eye(2), t=2, samples=3)
    (16.0, 0.0)
    """
    t = check_int(t, "t", 1)
    samples = check_int(samples, "samples", 2)
    vals = np.empty(samples)
    for s in range(samples):
        U, V = draw(), draw()
        vals[s] = abs(np.vdot(U, V)) ** (2 * t)  # tr(U† V) = Σ conj(U_ij) V_ij
    return float(vals.mean()), float(vals.std(ddof=1) / np.sqrt(samples))


def frame_potential(
    ensemble: str,
    n: int,
    q: int = 2,
    samples: int = 200,
    rng: RngLike = 0,
    layers: int | None = None,
    *,
    t: int = 2,
) -> tuple[float, float]:
    """Monte-Carlo frame potential ``F_t = E|tr(U† V)|^{2t}`` of an ensemble of n-site unitaries.

    ``"haar"`` draws :func:`weingarten_check.states.sampling.haar_unitary` (Haar value ``t!``),
    ``"hea"``, ``"local1"`` and ``"haar_layer"`` build the dense unitary of a circuit of
    :func:`.ensembles.sample_circuit` (``layers`` for ``"hea"``), ``"clifford"`` that of a uniformly
    random Clifford (:func:`.clifford.random_clifford`; qubits only, ``n <= 8``: a 3-design, so
    ``F2 = 2`` and ``F3 = 6``, Lemma 13.1).  The pairs come from one generator, in the order
    U, V, U, V, ... (:func:`frame_potential_from_sampler`).  See Lemma 1.4 of
    ``proofs/DERIVATION.md``.

    Parameters
    ----------
    ensemble : str
        One of :data:`FRAME_POTENTIAL_ENSEMBLES`.
    n : int
        The number of sites.
    q : int, default 2
        The local dimension (2 for ``"clifford"``).
    samples : int, default 200
        The number of pairs, ``>= 2``.
    rng : numpy.random.Generator or int or None, default 0
        The random generator or its seed.
    layers : int, optional
        The depth of ``"hea"`` (default ``10 n``).
    t : int, default 2
        The design order, ``t >= 1``.

    Returns
    -------
    tuple of float
        ``(mean, standard error)``.

    Raises
    ------
    TypeError
        If ``t`` or ``samples`` is not an int.
    ValueError
        If the ensemble is unknown, ``n``, ``q``, ``t`` or ``samples`` is out of range, or
        ``"clifford"`` is asked for qudits or more than :data:`MAX_CLIFFORD_QUBITS` qubits.

    Examples
    --------
    A depth-0 hardware-efficient circuit is one fixed unitary: ``F2 = d^4 = 4096`` for n = 3.

    >>> frame_potential("hea", 3, samples=2, rng=3, layers=0)
    (4096.0, 0.0)
    """
    ensemble = check_choice(ensemble, "ensemble", FRAME_POTENTIAL_ENSEMBLES)
    if ensemble == "clifford":
        n, q = check_qubits(n, q), 2
        if n > MAX_CLIFFORD_QUBITS:
            raise ValueError(f"frame_potential builds 2^n x 2^n unitaries: n must be <= {MAX_CLIFFORD_QUBITS}, got {n}")
    else:
        n, q = check_nq(n, q)
    gen = as_rng(rng)
    d = q**n

    def draw() -> np.ndarray:
        if ensemble == "haar":
            return haar_unitary(d, gen)
        if ensemble == "clifford":
            return random_clifford(n, 2, gen).unitary()
        return sample_circuit(ensemble, n, q, gen, layers).unitary()

    return frame_potential_from_sampler(draw, t, samples)
