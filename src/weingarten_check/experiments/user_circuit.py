"""Your own circuit: Δ of any gate of a Qiskit or OpenQASM circuit, E[Δ] over its parameters, a landscape map.

For a circuit ``U``, an observable ``H`` and an input state ``ψ``, freeing a local unitary ``UA`` on
some qubits splits ``U`` into ``V2 (UA ⊗ I) V1``; the cost ``C(UA) = <ψ|U† H U|ψ>`` (or the fidelity
``1 - |<φ|U|ψ>|²``) then ranges over an interval of length Δ, the variation range of that gate
(proofs/DERIVATION.md, "Setting and notation").  The position of the free gate is given as

* ``after=K``: a new gate inserted after the first ``K`` instructions (``V1`` = instructions
  ``[0, K)`` of ``circuit.data``, ``V2`` = the rest), or
* ``gate=I``: instruction ``I`` itself is freed (``V1`` = ``[0, I)``, ``V2`` = ``(I, end)``); it must
  act on exactly the given qubits, and the current cost is the cost at its matrix.

**Qubit order.** Qubits are Qiskit's (``qubits=(2,)`` is ``circuit.qubits[2]``; in a Pauli label the
rightmost character is qubit 0).  They are converted once, by
:func:`weingarten_check.states.observable_specs.qubit_sites`; the unitaries returned are matrices in
Qiskit's convention on ``qubits`` (``circuit.append(UnitaryGate(U), qubits)`` realises them).

**One pass.** ``ψ1 = V1 ψ`` is simulated once; the ``dA²`` vectors ``|k>_A|ψ_i>_B`` of
``ψ1 = Σ_i |i>_A|ψ_i>_B`` go through ``V2`` and ``H`` (one-qubit gates fused into their neighbours)
and give the cost tensor ``T[l, j, k, i] = <l ψ_j|V2† H V2|k ψ_i>`` (Lemma 3.1), hence K.  Then Δ is
exact for one qubit (``2(σ1 + σ2)``, Lemma 3.2), a certified bracket for ``dA >= 3`` (Lemma 12),
and ``||M||_1²`` for a fidelity cost (Lemma 7.2, with ``φ2 = V2† φ`` simulated backwards).

Examples
--------
>>> from qiskit import QuantumCircuit
>>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
>>> r = gate_variation_range(qc, "ZZ", qubits=(1,), after=2)
>>> r.method, round(r.delta, 12), round(r.cost, 12)
('qubit', 2.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..circuits.qiskit_io import (
    Operation,
    circuit_operations,
    fuse_operations,
    layer_boundaries,
    load_circuit,
    simulate,
)
from ..delta.certified import delta_from_k, qubit_delta
from ..delta.cost import cost_tensor_pure, cost_value, form_from_k, k_matrix, m_matrix
from ..delta.exact import qubit_extremal_unitaries, variation_range_fidelity
from ..delta.optimiser import optimise_form
from ..states.observable_specs import observable_from_spec, pauli_sum_from_spec, qubit_sites, state_from_spec
from ..states.observables import Observable
from ..states.statevector import move_sites_first
from ..util.blas_threads import BLAS_PIN
from ..util.checks import check_int

__all__ = [
    "GateVariationRange",
    "gate_variation_range",
    "ExpectedGateVariationRange",
    "expected_gate_variation_range",
    "GateLandscape",
    "gate_landscape",
]


# ------------------------------------------------------------------------------------ results
@dataclass
class GateVariationRange:
    """Δ of one freed gate of a user's circuit, with its certificate and the extremal gates.

    Attributes
    ----------
    delta, lower, upper : float
        ``lower <= Δ <= upper``; ``delta = lower`` (attained); ``lower == upper`` when exact.
    exact : bool
    cost : float
        The current cost: at the identity (``after=K``) or at the freed instruction's matrix
        (``gate=I``).
    method : str
        "qubit" (exact, Lemma 3.2), "certified" (dA >= 3, Lemma 12) or "fidelity" (Lemma 7.2).
    qubits : tuple of int
        The Qiskit qubits of the free gate.
    after : int
        ``V1`` = instructions ``[0, after)``.
    gate : int or None
        The freed instruction (``V2`` starts at ``gate + 1``), or None.
    U_max, U_min : numpy.ndarray
        Unitaries (Qiskit's matrix convention on ``qubits``) at which the cost is largest / smallest
        (for "certified": the optimiser's best, ``C(U_max) - C(U_min) <= upper``).
    cost_max, cost_min : float
        The cost at ``U_max`` and ``U_min``.
    certificate : str
        As :class:`~weingarten_check.delta.result.VariationRangeResult`.
    K : numpy.ndarray or None
        The K matrix (not for fidelity costs).
    M : numpy.ndarray or None
        The fidelity matrix (fidelity costs only).
    """

    delta: float
    lower: float
    upper: float
    exact: bool
    cost: float
    method: str
    qubits: tuple[int, ...]
    after: int
    gate: int | None
    U_max: np.ndarray = field(repr=False)
    U_min: np.ndarray = field(repr=False)
    cost_max: float = 0.0
    cost_min: float = 0.0
    certificate: str = ""
    K: np.ndarray | None = field(default=None, repr=False)
    M: np.ndarray | None = field(default=None, repr=False)

    @property
    def gate_max(self):
        """``U_max`` as a Qiskit ``UnitaryGate`` (append it on ``qubits``)."""
        from qiskit.circuit.library import UnitaryGate

        return UnitaryGate(self.U_max, label="U_max", check_input=False)

    @property
    def gate_min(self):
        """``U_min`` as a Qiskit ``UnitaryGate`` (append it on ``qubits``)."""
        from qiskit.circuit.library import UnitaryGate

        return UnitaryGate(self.U_min, label="U_min", check_input=False)

    def as_dict(self) -> dict:
        """``{"delta", "lower", "upper", "exact", "cost", "method", "qubits"}`` (the CLI's ``--json``)."""
        return {
            "delta": self.delta,
            "lower": self.lower,
            "upper": self.upper,
            "exact": self.exact,
            "cost": self.cost,
            "method": self.method,
            "qubits": list(self.qubits),
        }


# ------------------------------------------------------------------------------------ core
class _Problem:
    """A bound circuit, its operations, the observable (or fidelity target) and the input state."""

    def __init__(self, circuit, observable, state, target, parameters):
        self.qc = load_circuit(circuit, parameters)
        self.n = self.qc.num_qubits
        if self.n < 2:
            raise ValueError(f"circuit must have at least 2 qubits (a proper subsystem A), got {self.n}")
        self.ops = circuit_operations(self.qc)
        self.psi = state_from_spec(state, self.n, "state")
        if (observable is None) == (target is None):
            raise ValueError("give exactly one of observable (cost <ψ|U† H U|ψ>) and target (fidelity cost)")
        self.obs = None if observable is None else observable_from_spec(observable, self.n, "observable")
        self.fast = None if observable is None else pauli_sum_from_spec(observable)
        self.phi = None if target is None else state_from_spec(target, self.n, "target")

    def apply_h(self, vecs: np.ndarray) -> np.ndarray:
        if self.fast is not None:  # Pauli sums: one pass per X-pattern
            return self.fast.apply(vecs)
        if isinstance(self.obs, Observable):
            if vecs.ndim == self.n or 2**self.n <= 2**14:
                return self.obs.apply(vecs)
            out = np.empty_like(vecs)  # big states: one at a time (faster than the batched path)
            for b in range(vecs.shape[0]):
                out[b] = self.obs.apply(vecs[b])
            return out
        d = 2**self.n
        flat = vecs.reshape(-1, d)
        return (flat @ np.asarray(self.obs).T).reshape(vecs.shape)

    def width(self) -> float:
        """The spectral width ``w(H)`` (1 for a fidelity cost)."""
        if self.obs is None:
            return 1.0
        if isinstance(self.obs, Observable):
            return float(self.obs.width)
        ev = np.linalg.eigvalsh(self.obs)
        return float(ev[-1] - ev[0])

    def split(self, after: int, skip: int) -> tuple[list[Operation], list[Operation]]:
        v1 = [o for o in self.ops if o.index < after]
        v2 = [o for o in self.ops if o.index >= after + skip]
        return v1, v2


def _position(
    problem: _Problem, qubits, after, gate
) -> tuple[tuple[int, ...], tuple[int, ...], int, int, np.ndarray | None]:
    """Validate the free gate's position; return (qubits, sites, after, skip, current matrix on A)."""
    n = problem.n
    sites = qubit_sites(qubits, n, "qubits")
    qs = tuple(n - 1 - s for s in reversed(sites))
    if len(sites) >= n:
        raise ValueError(f"qubits must leave at least one qubit outside A (n = {n}), got {qs}")
    if (after is None) == (gate is None):
        raise ValueError("give exactly one of after=K (insert a free gate) and gate=I (free instruction I)")
    ndata = len(problem.qc.data)
    if after is not None:
        after = check_int(after, "after", 0)
        if after > ndata:
            raise ValueError(f"after must be in [0, {ndata}] (the circuit has {ndata} instructions), got {after}")
        return qs, sites, after, 0, None
    gate = check_int(gate, "gate", 0)
    if gate >= ndata:
        raise ValueError(f"gate must be an instruction index in [0, {ndata - 1}], got {gate}")
    op = next((o for o in problem.ops if o.index == gate), None)
    if op is None or set(op.qubits) != set(qs):
        acts = problem.qc.data[gate]
        on = tuple(problem.qc.find_bit(b).index for b in acts.qubits)
        raise ValueError(f"gate {gate} ({acts.operation.name}) acts on qubits {on}, not on qubits {qs}")
    return qs, sites, gate, 1, _reorder(op.matrix, op.sites, sites)


def _reorder(m: np.ndarray, from_sites: Sequence[int], to_sites: Sequence[int]) -> np.ndarray:
    """The matrix of an operator on ``from_sites`` written on the same sites in ``to_sites`` order."""
    k = len(from_sites)
    perm = [list(from_sites).index(s) for s in to_sites]
    t = m.reshape((2,) * (2 * k))
    return np.transpose(t, perm + [k + p for p in perm]).reshape(2**k, 2**k)


def _vectors(psi1: np.ndarray, sites: tuple[int, ...], n: int) -> np.ndarray:
    """The ``dA²`` states ``(|k><i|_A ⊗ I) ψ1 = |k>_A|ψ_i>_B`` (batch axis ``k·dA + i``), natural layout."""
    m = len(sites)
    dA = 2**m
    out = np.zeros((dA * dA,) + (2,) * n, dtype=np.complex128)

    def index(digit_value: int) -> tuple:
        idx: list = [slice(None)] * n
        for pos, s in enumerate(sites):  # sites[0] is the most significant digit of A's index
            idx[s] = (digit_value >> (m - 1 - pos)) & 1
        return tuple(idx)

    for k in range(dA):
        for i in range(dA):
            out[(k * dA + i,) + index(k)] = psi1[index(i)]
    return out


def _cost_tensor(problem: _Problem, psi1: np.ndarray, v2: list, sites: tuple[int, ...]) -> np.ndarray:
    n = problem.n
    vecs = _vectors(psi1, sites, n)
    vecs = simulate(vecs, fuse_operations(v2), n)
    dA = 2 ** len(sites)
    T = cost_tensor_pure(problem.apply_h(vecs).reshape(dA, dA, -1), vecs.reshape(dA, dA, -1))
    return T


def _fidelity_extremes(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U with |tr(U M)| = ||M||_1: the cost's minimiser; U with tr(U M) = 0: its maximiser)."""
    W, s, Vh = np.linalg.svd(M)
    U_best = Vh.conj().T @ W.conj().T  # tr(U M) = tr(Σ) = ||M||_1
    dA = M.shape[0]
    P = np.roll(np.eye(dA), 1, axis=0)  # zero diagonal: tr(P Σ) = 0
    U_zero = Vh.conj().T @ P @ W.conj().T
    return U_zero, U_best


def _solve(problem: _Problem, qs, sites, after, skip, current, *, tol: float, rng) -> GateVariationRange:
    n = problem.n
    v1, v2 = problem.split(after, skip)
    psi1 = simulate(problem.psi, fuse_operations(v1), n)
    dA = 2 ** len(sites)
    cur = np.eye(dA) if current is None else current
    gate_index = after if skip else None
    if problem.phi is not None:
        phi2 = simulate(problem.phi, fuse_operations(v2), n, adjoint=True)
        M = m_matrix(move_sites_first(psi1, sites, n), move_sites_first(phi2, sites, n))
        val = variation_range_fidelity(M)
        U_max, U_min = _fidelity_extremes(M)

        def fcost(U):
            return float(1.0 - abs(np.trace(U @ M)) ** 2)

        return GateVariationRange(
            val, val, val, True, fcost(cur), "fidelity", qs, after, gate_index, U_max, U_min,
            fcost(U_max), fcost(U_min), "", None, M,
        )  # fmt: skip
    T = _cost_tensor(problem, psi1, v2, sites)
    K = k_matrix(T)
    r = delta_from_k(K, dA, tol=tol, rng=rng)
    if dA == 2:
        U_max, U_min = qubit_extremal_unitaries(K)
    else:
        form = form_from_k(K, dA)
        _, U_max = optimise_form(form, True, starts=8, rng=rng, initial=[cur])
        _, U_min = optimise_form(form, False, starts=8, rng=rng, initial=[cur])
    return GateVariationRange(
        r.value, r.lower, r.upper, r.exact, cost_value(T, cur), r.method, qs, after, gate_index, U_max, U_min,
        cost_value(T, U_max), cost_value(T, U_min), r.certificate, K, None,
    )  # fmt: skip


def gate_variation_range(
    circuit,
    observable=None,
    qubits: int | Sequence[int] = (0,),
    *,
    after: int | None = None,
    gate: int | None = None,
    state=None,
    parameters=None,
    target=None,
    tol: float = 1e-6,
    rng: int | np.random.Generator = 0,
) -> GateVariationRange:
    """The variation range Δ of one gate of your own circuit (module doc; Lemmas 3.1, 3.2, 7.2, 12).

    Parameters
    ----------
    circuit : qiskit.QuantumCircuit, str or os.PathLike
        A circuit, OpenQASM 2 text or an OpenQASM 2 file
        (:func:`~weingarten_check.circuits.qiskit_io.load_circuit`).
    observable : SparsePauliOp, list of (str, float), str or array_like, optional
        H (:func:`~weingarten_check.states.observable_specs.observable_from_spec`); Pauli labels in
        Qiskit's order (rightmost character = qubit 0).  Omit it and give ``target`` for a fidelity cost.
    qubits : int or sequence of int, default (0,)
        The Qiskit qubits of the free gate (``m = len(qubits) < n``).
    after : int, optional
        Insert the free gate after the first ``after`` instructions.
    gate : int, optional
        Free instruction ``gate`` (it must act on exactly ``qubits``).  Exactly one of ``after``,
        ``gate``.
    state : Statevector or array_like, optional
        The input state (default ``|0...0>``).
    parameters : mapping or sequence of float, optional
        Values of the circuit's free parameters.
    target : Statevector or array_like, optional
        φ of the fidelity cost ``1 - |<φ|U|ψ>|²`` (instead of ``observable``).
    tol : float, default 1e-6
        Target relative width of the certified bracket (``len(qubits) >= 2``).
    rng : int or numpy.random.Generator, default 0
        Seed of the optimiser's random starts (``len(qubits) >= 2``).

    Returns
    -------
    GateVariationRange

    Raises
    ------
    TypeError, ValueError
        Naming the argument: unbound parameters, malformed OpenQASM, qubits out of range, a
        non-Hermitian matrix, a gate index that does not act on ``qubits``, a state of the wrong size.

    Examples
    --------
    Z on Qiskit qubit 2 of 6 (label ``"IIIZII"``), nothing else: freeing qubit 2 moves the cost
    over ``[-1, 1]``; freeing qubit 3 cannot move it.

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(6)
    >>> round(gate_variation_range(qc, "IIIZII", qubits=2, after=0).delta, 12)
    2.0
    >>> round(gate_variation_range(qc, "IIIZII", qubits=3, after=0).delta, 12)
    0.0

    The maximising gate, appended to the circuit, attains the largest cost:

    >>> from qiskit.quantum_info import Statevector, SparsePauliOp
    >>> r = gate_variation_range(qc, "IIIZII", qubits=2, after=0)
    >>> c = QuantumCircuit(6); _ = c.append(r.gate_min, [2])
    >>> round(float(Statevector(c).expectation_value(SparsePauliOp("IIIZII")).real), 12), round(r.cost_min, 12)
    (-1.0, -1.0)
    """
    problem = _Problem(circuit, observable, state, target, parameters)
    qs, sites, after, skip, current = _position(problem, qubits, after, gate)
    with BLAS_PIN.driver():  # one BLAS thread: the many thin products of a simulation run faster
        return _solve(problem, qs, sites, after, skip, current, tol=tol, rng=rng)


# ------------------------------------------------------------------------------------ E[Δ]
@dataclass
class ExpectedGateVariationRange:
    """E[Δ] of a freed gate over random parameter values, with a 95 % CI and the Haar bounds.

    Attributes
    ----------
    mean, stderr : float
        Sample mean and standard error of Δ.
    ci95 : tuple of float
        ``mean ± 1.96 stderr``.
    samples, seed : int
    values : numpy.ndarray
        The Δ of every sample (for dA >= 3 the certified lower ends).
    qubits : tuple of int
    haar_bounds : dict of str to float
        Task-independent bounds on E[Δ] for the same H, n and m when ``V1`` or ``V2`` is Haar (a
        unitary 2-design): "paper_theorem1" (Lemma 6.2), "qudit_theorem1_sharp" (Lemma 11.3); for a
        fidelity cost "proposition2" (Lemma 7.4).  They bound the circuit's E[Δ] only if its ``V1``
        or ``V2`` is a 2-design.
    width : float
        The spectral width ``w(H)`` used in those bounds.
    second_moment : float or None
        ``E||K||_F²`` from the ``moments`` hook, if given; then ``"moments"`` in ``bounds`` is
        ``u sqrt(E||K||_F²)`` (Lemmas 11.3 and Jensen: any ensemble).
    bounds : dict of str to float
        Bounds that hold for this circuit's own distribution (the ``moments`` hook), else empty.
    second_moment_exact : str or None
        With ``moments="exact"`` / ``"auto"``: ``E||K||_F²`` exactly, as a sympy-parsable string
        (:func:`weingarten_check.theory.circuit_moments.circuit_second_moment`).
    moments_note : str or None
        With ``moments="auto"``: why the exact moments are not available (None if they are).
    """

    mean: float
    stderr: float
    ci95: tuple[float, float]
    samples: int
    seed: int
    values: np.ndarray = field(repr=False)
    qubits: tuple[int, ...] = ()
    haar_bounds: dict = field(default_factory=dict)
    width: float = 0.0
    second_moment: float | None = None
    bounds: dict = field(default_factory=dict)
    second_moment_exact: str | None = None
    moments_note: str | None = None

    def as_dict(self) -> dict:
        """``{"mean", "ci95", "stderr", "samples", "seed", "haar_bounds", "bounds"}`` (the CLI's ``--json``).

        With exact moments also ``"expected_K_frobenius_sq"`` (exact string) and ``"moments_bound"``;
        when they were tried and are not available, ``"moments_unsupported"`` (the reason).
        """
        out = {
            "mean": self.mean,
            "ci95": list(self.ci95),
            "stderr": self.stderr,
            "samples": self.samples,
            "seed": self.seed,
            "haar_bounds": dict(self.haar_bounds),
            "bounds": dict(self.bounds),
        }
        if self.second_moment_exact is not None:
            out["expected_K_frobenius_sq"] = self.second_moment_exact
            out["moments_bound"] = self.bounds["moments"]
        if self.moments_note is not None:
            out["moments_unsupported"] = self.moments_note
        return out


def _haar_bounds(width: float, n: int, m: int, fidelity: bool) -> dict[str, float]:
    from ..theory.bounds import paper_theorem1_bound, proposition2_bound, qudit_theorem1_sharp_bound

    if fidelity:
        return {"proposition2": float(proposition2_bound(n, m))}
    return {
        "paper_theorem1": float(paper_theorem1_bound(width, n, m)),
        "qudit_theorem1_sharp": float(qudit_theorem1_sharp_bound(width, n, m)),
    }


def expected_gate_variation_range(
    circuit,
    observable=None,
    qubits: int | Sequence[int] = (0,),
    *,
    after: int | None = None,
    gate: int | None = None,
    samples: int = 100,
    seed: int = 0,
    distribution: Callable[[np.random.Generator, int], np.ndarray] | None = None,
    state=None,
    target=None,
    moments: Callable[..., float] | str | None = None,
    tol: float = 1e-6,
) -> ExpectedGateVariationRange:
    """E[Δ] of one gate of a parameterised circuit: every parameter i.i.d. uniform on ``[0, 2π)``.

    Draws ``samples`` parameter vectors (``distribution(rng, num_parameters)`` if given), computes Δ
    for each with :func:`gate_variation_range` and reports the mean with a 95 % CI
    (``mean ± 1.96 s/sqrt(N)``), next to the task-independent bounds for Haar ``V1``/``V2``
    (Lemmas 6.2, 11.3, 7.4 of proofs/DERIVATION.md; they apply to this circuit only if its ``V1`` or
    ``V2`` is a 2-design).

    Parameters
    ----------
    circuit, observable, qubits, after, gate, state, target, tol
        As :func:`gate_variation_range` (the circuit keeps its parameters free).
    samples : int, default 100
        ``N >= 2``.
    seed : int, default 0
        Seed of the parameter draws (and of the optimiser's starts).
    distribution : callable, optional
        ``distribution(rng, k) -> k`` parameter values.
    moments : {"exact", "auto"} or callable, optional
        Exact moments of the circuit's own distribution, giving ``bounds["moments"]`` =
        ``u sqrt(E||K||_F²)`` >= E[Δ] with ``u`` of :func:`weingarten_check.theory.bounds.delta_frobenius_constants`
        (``Δ <= u ||K||_F``, Lemma 11.3, and Jensen; Lemma 14 for ``E||K||_F²``).  ``"exact"``:
        :func:`weingarten_check.theory.circuit_moments.circuit_second_moment` (uniform angles only, no
        ``distribution``, no ``target``), raising
        :class:`~weingarten_check.circuits.qiskit_moments.MomentsUnsupported` with the reason when it
        does not apply; ``"auto"``: the same, or the reason in ``moments_note``.  A callable
        ``moments(circuit, observable, qubits, after) -> E||K||_F²`` is a hook for other moments.

    Returns
    -------
    ExpectedGateVariationRange

    Raises
    ------
    ValueError
        If the circuit has no free parameters, ``samples < 2``, or as :func:`gate_variation_range`.

    Examples
    --------
    >>> from qiskit.circuit.library import real_amplitudes
    >>> e = expected_gate_variation_range(real_amplitudes(3, reps=1), "ZZI", qubits=0, after=3, samples=8, seed=1)
    >>> e.samples, e.ci95[0] <= e.mean <= e.ci95[1], sorted(e.haar_bounds)
    (8, True, ['paper_theorem1', 'qudit_theorem1_sharp'])

    With the exact second moment of the circuit's own draws (Lemma 14) and the bound it gives:

    >>> e = expected_gate_variation_range(real_amplitudes(3, reps=1), "ZZI", qubits=0, after=3, samples=8,
    ...                                   moments="exact")
    >>> e.second_moment_exact, round(e.bounds["moments"], 6), e.mean <= e.bounds["moments"]
    ('3/16', 1.224745, True)
    """
    if isinstance(moments, str) and moments not in ("exact", "auto"):
        raise ValueError(f"moments must be 'exact', 'auto', a callable or None, got {moments!r}")
    samples = check_int(samples, "samples", 2)
    seed = check_int(seed, "seed", 0)
    base = load_circuit(circuit, bind=False)
    k = base.num_parameters
    if k == 0:
        raise ValueError("circuit has no free parameters to sample (use gate_variation_range)")
    check = _Problem(base, observable, state, target, np.zeros(k))
    _position(check, qubits, after, gate)  # bad input is reported before any work
    # the exact moments first: moments="exact" fails at once when they are not available
    second = exact = note = None
    bounds: dict[str, float] = {}
    if isinstance(moments, str):
        from ..circuits.qiskit_moments import MomentsUnsupported
        from ..theory.circuit_moments import circuit_second_moment

        try:
            if target is not None:
                raise MomentsUnsupported("a fidelity cost: the exact moments cover E||K||_F² of an observable")
            if distribution is not None:
                raise MomentsUnsupported("a user distribution: the exact moments assume i.i.d. uniform angles")
            cm = circuit_second_moment(base, observable, qubits, after=after, gate=gate, state=state)
        except MomentsUnsupported as exc:
            if moments == "exact":
                raise
            note = str(exc)
        else:
            second, exact, bounds["moments"] = float(cm.value), cm.value_str, cm.bound
    rng = np.random.default_rng(seed)
    values = np.empty(samples)
    first = None
    for t in range(samples):
        if distribution is None:
            vals = rng.uniform(0.0, 2.0 * math.pi, size=k)
        else:
            vals = np.asarray(distribution(rng, k), dtype=float).reshape(-1)
            if vals.shape != (k,) or not np.all(np.isfinite(vals)):
                raise ValueError(f"distribution must return {k} finite parameter values, got shape {vals.shape}")
        r = gate_variation_range(
            base, observable, qubits, after=after, gate=gate, state=state, parameters=vals, target=target,
            tol=tol, rng=rng,
        )  # fmt: skip
        first = first or r
        values[t] = r.delta
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(samples))
    n = base.num_qubits
    problem_width = check.width()
    haar = _haar_bounds(problem_width, n, len(first.qubits), target is not None)
    if callable(moments):
        from ..theory.bounds import delta_frobenius_constants

        second = float(moments(base, observable, first.qubits, first.after))
        _, u = delta_frobenius_constants(2 ** len(first.qubits))
        bounds["moments"] = float(u) * math.sqrt(max(second, 0.0))
    return ExpectedGateVariationRange(
        mean, se, (mean - 1.96 * se, mean + 1.96 * se), samples, seed, values, first.qubits, haar, problem_width,
        second, bounds, exact, note,
    )  # fmt: skip


# ------------------------------------------------------------------------------------ landscape
@dataclass
class GateLandscape:
    """Δ of a free one-qubit gate at every (qubit, layer boundary) of a circuit.

    Attributes
    ----------
    delta : numpy.ndarray
        ``delta[i, j]`` = Δ of a free gate on ``qubits[i]`` inserted after instruction
        ``positions[j]`` (exact, Lemma 3.2; Lemma 7.2 for a fidelity cost).
    qubits : tuple of int
        Qiskit qubits (rows).
    positions : tuple of int
        The ``after=K`` of every column (:func:`~weingarten_check.circuits.qiskit_io.layer_boundaries`).
    cost : float
        The circuit's cost.
    """

    delta: np.ndarray
    qubits: tuple[int, ...]
    positions: tuple[int, ...]
    cost: float

    def as_dict(self) -> dict:
        """Plain lists for JSON."""
        return {
            "delta": self.delta.tolist(),
            "qubits": list(self.qubits),
            "positions": list(self.positions),
            "cost": self.cost,
        }


def gate_landscape(
    circuit,
    observable=None,
    *,
    parameters=None,
    positions: Sequence[int] | None = None,
    qubits: Sequence[int] | None = None,
    state=None,
    target=None,
) -> GateLandscape:
    """The landscape map: Δ of a free one-qubit gate at every (qubit, layer) of a layered circuit.

    Where can local re-optimisation still move the cost?  For each position ``K`` (default: the
    layer boundaries, :func:`~weingarten_check.circuits.qiskit_io.layer_boundaries`) the state
    ``V1 ψ`` is advanced once and the ``4·len(qubits)`` vectors of all qubits go through ``V2``
    together; each Δ is exact (``2(σ1 + σ2)``, Lemma 3.2; ``||M||_1²`` for a fidelity cost, Lemma
    7.2), the same number as ``gate_variation_range(circuit, observable, q, after=K).delta``.

    Parameters
    ----------
    circuit, observable, parameters, state, target
        As :func:`gate_variation_range`.
    positions : sequence of int, optional
        The ``after=K`` columns (increasing).
    qubits : sequence of int, optional
        Qiskit qubits (rows); default all.

    Returns
    -------
    GateLandscape

    Examples
    --------
    >>> from qiskit.circuit.library import efficient_su2
    >>> qc = efficient_su2(3, reps=1, insert_barriers=True)
    >>> L = gate_landscape(qc, "ZII", parameters=[0.3] * qc.num_parameters)
    >>> L.delta.shape, L.positions
    ((3, 4), (0, 6, 9, 16))
    """
    problem = _Problem(circuit, observable, state, target, parameters)
    n = problem.n
    pos = tuple(layer_boundaries(problem.qc)) if positions is None else tuple(positions)
    ndata = len(problem.qc.data)
    if not pos or any(not isinstance(p, (int, np.integer)) or isinstance(p, bool) for p in pos):
        raise ValueError(f"positions must be a non-empty sequence of instruction counts, got {positions!r}")
    if any(not 0 <= p <= ndata for p in pos) or list(pos) != sorted(set(pos)):
        raise ValueError(f"positions must increase within [0, {ndata}], got {tuple(pos)}")
    qs = tuple(range(n)) if qubits is None else tuple(int(q) for q in qubits)
    sites = [qubit_sites((q,), n, "qubits")[0] for q in qs]
    with BLAS_PIN.driver():  # one BLAS thread: the many thin products of a simulation run faster
        out, cost = _landscape(problem, pos, sites)
    return GateLandscape(out, qs, pos, cost)


def _landscape(problem: _Problem, pos: tuple[int, ...], sites: list[int]) -> tuple[np.ndarray, float]:
    n = problem.n
    out = np.empty((len(sites), len(pos)))
    psi1 = problem.psi
    done = 0
    for j, K in enumerate(pos):
        psi1 = simulate(psi1, fuse_operations([o for o in problem.ops if done <= o.index < K]), n)
        done = K
        v2 = fuse_operations([o for o in problem.ops if o.index >= K])
        if problem.phi is not None:
            phi2 = simulate(problem.phi, v2, n, adjoint=True)
            for i, s in enumerate(sites):
                M = m_matrix(move_sites_first(psi1, (s,), n), move_sites_first(phi2, (s,), n))
                out[i, j] = variation_range_fidelity(M)
            continue
        vecs = np.concatenate([_vectors(psi1, (s,), n) for s in sites])
        vecs = simulate(vecs, v2, n)
        hv = problem.apply_h(vecs)
        for i in range(len(sites)):
            T = cost_tensor_pure(hv[4 * i : 4 * i + 4].reshape(2, 2, -1), vecs[4 * i : 4 * i + 4].reshape(2, 2, -1))
            out[i, j] = qubit_delta(k_matrix(T))
    full = simulate(problem.psi, fuse_operations(problem.ops), n)
    if problem.phi is not None:
        cost = 1.0 - abs(np.vdot(problem.phi.reshape(-1), full.reshape(-1))) ** 2
    else:
        cost = float(np.real(np.vdot(full.reshape(-1), problem.apply_h(full).reshape(-1))))
    return out, float(cost)
