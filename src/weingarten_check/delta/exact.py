"""The variation range ``Δ = max_UA C(UA) - min_UA C(UA)`` of a local unitary: exact forms and the dense entry point.

Setting (proofs/DERIVATION.md): ``U = V2 (UA ⊗ I_B) V1``, ``C(UA) = tr(H U ρ U†)``, A = ``m`` sites
(``dA = q^m``), B = the rest.  The cost objects (cost tensor T, K, the fidelity matrix M) are built
in :mod:`.cost`; from them:

* ``dA = 2``: exact, ``Δ = 2 (σ1(K) + σ2(K))`` (Lemma 3.2) — :func:`variation_range_qubit`;
* fidelity costs (``H = I - |φ><φ|``, pure ρ): exact, ``Δ = ||M||_1²`` with ``M_ij = <φ_j|ψ_i>``,
  every ``dA >= 2`` (Lemma 7.2) — :func:`variation_range_fidelity`;
* otherwise (``dA >= 3``) a certified bracket ``[lower, upper]`` from K alone — lower end attained
  by optimised unitaries, upper end an exactly checked dual certificate of the unital-channel SDP
  (Lemma 12) — :func:`.certified.delta_from_k`, the one function every non-fidelity Δ ends in.

:func:`variation_range` takes a user's own dense ``H``, state, ``V1`` and ``V2`` (small n) and
dispatches between them.  The scalable constructions for circuits and Haar ensembles are in
:mod:`weingarten_check.experiments.tasks`.

Examples
--------
Two qubits, ``H = Z ⊗ I``, A = qubit 0: from ``|00>`` the cost ``<0|UA† Z UA|0>`` ranges over
``[-1, 1]``; from a Bell state A is maximally mixed and the cost is constant.

>>> H = np.kron(np.diag([1.0, -1.0]), np.eye(2))
>>> round(variation_range(H, np.array([1.0, 0, 0, 0])).value, 12)
2.0
>>> round(variation_range(H, np.array([1.0, 0, 0, 1]) / np.sqrt(2)).value, 12)
0.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..states.observables import Observable
from ..states.sampling import RngLike
from ..util.checks import check_hermitian, check_local_dim, check_nq, check_sites, check_square, check_unitary
from .certified import delta_from_k, qubit_delta
from .cost import check_k, cost_tensor_dense, k_matrix, m_matrix
from .result import VariationRangeResult

__all__ = ["variation_range_qubit", "variation_range_fidelity", "variation_range", "qubit_extremal_unitaries"]


# ------------------------------------------------------------------------------------ exact Δ
def variation_range_qubit(K: np.ndarray) -> float:
    """The exact Δ for one qubit (dA = 2): ``2 (σ1(K) + σ2(K))`` of the 3 x 3 K (Lemma 3.2).

    ``R(U(2)) = SO(3)`` (Lemma 2.3) and ``max_{R ∈ SO(3)} tr(Kᵀ R) = σ1 + σ2 + sign(det K) σ3``.

    Parameters
    ----------
    K : array_like
        Real 3 x 3 (:func:`.cost.k_matrix` of a qubit A).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If K is not 3 x 3, or not real and finite (:func:`.cost.check_k`).

    Examples
    --------
    >>> variation_range_qubit(np.diag([3.0, 2.0, 1.0]))
    10.0
    """
    if np.shape(K) != (3, 3):
        raise ValueError(f"K must be 3 x 3 (dA = 2, one qubit), got shape {np.shape(K)}")
    return qubit_delta(K)


def variation_range_fidelity(M: np.ndarray) -> float:
    """The exact Δ of the fidelity cost ``C = 1 - |<φ|U|ψ>|²``: ``||M||_1²`` (Lemma 7.2).

    ``<φ2|(UA ⊗ I)|ψ1> = tr(UA M)`` (Lemma 7.1), whose modulus has maximum ``||M||_1`` (von Neumann)
    and minimum 0 over ``U(dA)``, ``dA >= 2``.

    Parameters
    ----------
    M : array_like
        Square ``dA x dA``, ``dA >= 2`` (:func:`.cost.m_matrix`).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If M is not square or ``dA < 2``.

    Examples
    --------
    ``ψ1 = |+>|0>``, ``φ2 = |00>``: ``M = [[1, 0], [1, 0]]/sqrt 2``, one singular value 1.

    >>> round(variation_range_fidelity(np.array([[1.0, 0.0], [1.0, 0.0]]) / np.sqrt(2)), 12)
    1.0
    """
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] < 2:
        raise ValueError(f"M must be a square dA x dA matrix with dA >= 2, got shape {M.shape}")
    return float(np.sum(np.linalg.svd(M, compute_uv=False)) ** 2)


# ------------------------------------------------------------------------------------ dispatcher
def _infer_n(d: int, q: int, what: str) -> int:
    n = int(round(np.log(d) / np.log(q)))
    if q**n != d:
        raise ValueError(f"{what} has dimension {d}, which is not a power of q={q}")
    return n


def _fidelity_target(H: np.ndarray, tol: float = 1e-9) -> np.ndarray | None:
    """If ``H = I - |φ><φ|`` return φ, else None."""
    P = np.eye(H.shape[0]) - H
    tr = np.real(np.trace(P))
    if abs(tr - 1) > tol or not np.allclose(P @ P, P, atol=tol):
        return None
    ev, vecs = np.linalg.eigh(P)
    return vecs[:, -1]


def variation_range(
    H: np.ndarray | Observable,
    state: np.ndarray,
    *,
    V1: np.ndarray | None = None,
    V2: np.ndarray | None = None,
    sites: Sequence[int] | None = None,
    q: int = 2,
    qubits: int | Sequence[int] | None = None,
    method: str = "auto",
    starts: int = 32,
    rng: RngLike = 0,
    tol: float = 1e-6,
) -> VariationRangeResult:
    """The variation range Δ of ``C(UA) = tr(H U ρ U†)``, ``U = V2 (UA ⊗ I) V1``, for your own dense H, state, V1, V2.

    Builds the cost tensor and K (:mod:`.cost`, Lemma 3.1) and dispatches: the fidelity form
    ``||M||_1²`` (Lemma 7.2) if ``H = I - |φ><φ|`` and the state is a pure vector, else
    :func:`.certified.delta_from_k` (exact ``2(σ1 + σ2)`` for dA = 2, Lemma 3.2; a certified bracket
    for dA >= 3, Lemma 12).  Dense: for small n (``q**n`` up to a few hundred).

    Parameters
    ----------
    H : numpy.ndarray, Observable or qiskit SparsePauliOp / Operator
        Hermitian ``d x d`` with ``d = q**n``, or an :class:`~weingarten_check.states.observables.Observable`
        (its ``q`` is used), or a Qiskit operator (its dense matrix).
    state : numpy.ndarray or qiskit Statevector
        A normalised state vector ψ (length d, ``ρ = |ψ><ψ|``) or a density matrix ρ (``d x d``).
    V1, V2 : numpy.ndarray, circuit, qiskit QuantumCircuit or Operator, optional
        ``d x d`` unitaries, circuits with a ``unitary()`` method (e.g.
        :class:`weingarten_check.circuits.ensembles.Circuit`), or (qubits) a bound Qiskit
        ``QuantumCircuit`` or ``Operator``; default the identity.  Dense matrices are the same arrays
        in Qiskit's and the library's conventions, so a Qiskit object is used as its matrix; only the
        numbering of A differs (``sites`` vs ``qubits``).
    sites : sequence of int, optional
        The sites of A (``m = len(sites) < n``) in the library's numbering: site 0 is the MOST
        significant tensor factor, i.e. Qiskit qubit ``n - 1``.  Default ``(0,)`` unless ``qubits``
        is given.
    q : int, default 2
        The local dimension.
    qubits : int or sequence of int, optional
        Instead of ``sites``: A as Qiskit qubit indices (qubit 0 the least significant factor),
        converted by :func:`weingarten_check.states.observable_specs.qubit_sites` (qubits only).
    method : {"auto", "qubit", "fidelity", "certified"}
        "auto" as above; or force "qubit" (needs dA = 2), "fidelity" (needs the fidelity form and a
        pure state) or "certified" (the K route, any dA).
    starts : int, default 32
        Cap on the random optimiser starts per side (dA >= 3).
    rng : int or numpy.random.Generator, default 0
        Seed of those starts.
    tol : float, default 1e-6
        Target relative width of the certified bracket (dA >= 3).

    Returns
    -------
    VariationRangeResult
        ``lower <= Δ <= upper`` with the method and certificate; exact (``lower == upper``) for the
        closed forms.

    Raises
    ------
    ValueError
        On a non-square, non-Hermitian H; a dimension that is not a power of q; ``n < 2``; bad sites
        or qubits, or both given; a state that is not normalised or not a density matrix; V1 or V2 not
        unitary, or a Qiskit circuit with unbound parameters or non-unitary instructions; an unknown
        or inapplicable ``method``.

    Examples
    --------
    The fidelity cost of a target ``|00>`` from ``|+>|0>`` (Lemma 7.2): ``Δ = ||M||_1² = 1``.

    >>> target = np.array([1.0, 0, 0, 0])
    >>> r = variation_range(np.eye(4) - np.outer(target, target), np.array([1.0, 0, 1, 0]) / np.sqrt(2))
    >>> r.method, r.exact, round(r.value, 12)
    ('fidelity', True, 1.0)

    A qutrit of two (q = 3): ``C(UA) = |UA[0, 0]|²`` has Δ = 1, bracketed with a proved upper end.

    >>> r = variation_range(np.kron(np.diag([1.0, 0, 0]), np.eye(3)), np.eye(9)[0], q=3)
    >>> r.method, r.certificate, round(r.lower, 6), round(r.upper, 6), r.gap <= 1e-6
    ('certified', 'sdp-level1', 1.0, 1.0, True)

    Qiskit objects: ``V1`` a circuit, ``H = Z`` on Qiskit qubit 0 (the last Kronecker factor, site 1),
    A given as Qiskit qubits: only a gate on qubit 0 moves the cost.

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.quantum_info import SparsePauliOp
    >>> prep = QuantumCircuit(2); _ = prep.h(1)
    >>> [round(variation_range(SparsePauliOp("IZ"), np.eye(4)[0], V1=prep, qubits=k).value, 12) for k in (0, 1)]
    [2.0, 0.0]
    """
    H, state = _qiskit_array(H, "H"), _qiskit_array(state, "state")
    V1, V2 = _qiskit_array(V1, "V1"), _qiskit_array(V2, "V2")
    if isinstance(H, Observable):
        q = H.q
        H = H.dense()
    if method not in ("auto", "qubit", "fidelity", "certified"):
        raise ValueError(f"method must be 'auto', 'qubit', 'fidelity' or 'certified', got {method!r}")
    H = check_square(H, "H")
    d = H.shape[0]
    q = check_local_dim(q)
    n = _infer_n(d, q, "H")
    n, q = check_nq(n, q, min_n=2)
    check_hermitian(H, "H")
    if qubits is not None:
        if sites is not None:
            raise ValueError("give sites (library numbering) or qubits (Qiskit numbering), not both")
        if q != 2:
            raise ValueError(f"qubits (Qiskit numbering) needs q = 2, got q = {q}; give sites")
        from ..states.observable_specs import qubit_sites

        sites = qubit_sites(qubits, n, "qubits")
    sites = check_sites((0,) if sites is None else sites, n)
    dA = q ** len(sites)
    state = np.asarray(state, dtype=np.complex128)
    pure = state.ndim == 1
    if pure:
        if state.shape != (d,):
            raise ValueError(f"state vector must have length q**n = {d}, got {state.shape}")
        if abs(np.linalg.norm(state) - 1) > 1e-9:
            raise ValueError("state vector must be normalised")
        psi = state
        rho = np.outer(psi, psi.conj())
    else:
        rho = check_square(state, "state (density matrix)", d)
        check_hermitian(rho, "state (density matrix)")
        if abs(np.trace(rho) - 1) > 1e-9 or np.linalg.eigvalsh(rho)[0] < -1e-9:
            raise ValueError("state (density matrix) must be positive semidefinite with trace 1")
    if V1 is not None and hasattr(V1, "unitary"):
        V1 = V1.unitary()
    if V2 is not None and hasattr(V2, "unitary"):
        V2 = V2.unitary()
    for name, V in (("V1", V1), ("V2", V2)):
        if V is not None:
            check_unitary(check_square(V, name, d), name)
    V1m = np.eye(d) if V1 is None else np.asarray(V1, dtype=np.complex128)
    V2m = np.eye(d) if V2 is None else np.asarray(V2, dtype=np.complex128)
    H2 = V2m.conj().T @ H @ V2m
    rho1 = V1m @ rho @ V1m.conj().T
    T = cost_tensor_dense(H2, rho1, sites, n, q)
    K = k_matrix(T)

    phi = _fidelity_target(H) if pure else None
    if method == "fidelity" or (method == "auto" and phi is not None):
        if phi is None:
            raise ValueError("method='fidelity' needs H = I - |φ><φ| and a pure state vector")
        from ..states.statevector import move_sites_first

        psi1 = move_sites_first((V1m @ psi).reshape((q,) * n), sites, n)
        phi2 = move_sites_first((V2m.conj().T @ phi).reshape((q,) * n), sites, n)
        M = m_matrix(psi1, phi2)
        val = variation_range_fidelity(M)
        return VariationRangeResult(val, val, val, True, "fidelity", K=K, M=M)
    if method == "qubit" and dA != 2:
        raise ValueError(f"method='qubit' needs dA = 2, got dA = {dA}")
    return delta_from_k(K, dA, tol=tol, rng=rng, max_starts=starts)


def _qiskit_array(x: object, name: str) -> object:
    """A Qiskit QuantumCircuit / Operator / SparsePauliOp / Statevector as its dense array; else ``x``.

    Qiskit's dense matrices and state vectors are the library's arrays (no reordering,
    :mod:`weingarten_check.states.observable_specs`).  A QuantumCircuit is checked before the generic
    ``unitary()`` protocol: ``QuantumCircuit.unitary`` appends a gate, it does not return a matrix.
    """
    kind = type(x).__name__
    if kind == "QuantumCircuit":
        from qiskit.quantum_info import Operator

        if x.num_parameters:  # type: ignore[attr-defined]
            free = [p.name for p in x.parameters][:6]  # type: ignore[attr-defined]
            raise ValueError(f"{name}: the QuantumCircuit has unbound parameters {free}; bind them first")
        try:
            return np.asarray(Operator(x).data, dtype=np.complex128)
        except Exception as exc:  # qiskit raises QiskitError on measurements, resets, ...
            raise ValueError(f"{name}: the QuantumCircuit is not a unitary ({exc})") from None
    if kind in ("Operator", "Statevector"):
        return np.asarray(x.data, dtype=np.complex128)  # type: ignore[attr-defined]
    if kind == "SparsePauliOp":
        return np.asarray(x.to_matrix(), dtype=np.complex128)  # type: ignore[attr-defined]
    return x


# ------------------------------------------------------------------------------------ extremal unitaries
_PAULIS = (
    np.eye(2, dtype=np.complex128),
    np.array([[0, 1], [1, 0]], dtype=np.complex128),
    np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    np.array([[1, 0], [0, -1]], dtype=np.complex128),
)


def _unitary_from_rotation(R: np.ndarray) -> np.ndarray:
    """A U in U(2) with adjoint representation R (in SO(3)), from
    ``X + Σ_ab R_ab σ_a X σ_b = 2 tr(U† X) U`` (``Σ_b σ_b Y σ_b = 2 tr(Y) I - Y``), taking the Pauli X of
    largest left-hand side (the four ``tr(U† σ)`` cannot all vanish)."""
    best = None
    for X in _PAULIS:
        N = X + sum(R[a, b] * _PAULIS[a + 1] @ X @ _PAULIS[b + 1] for a in range(3) for b in range(3))
        if best is None or np.linalg.norm(N) > np.linalg.norm(best):
            best = N
    U = best * (np.sqrt(2.0) / np.linalg.norm(best))
    w, _, vh = np.linalg.svd(U)  # re-unitarise against rounding
    return w @ vh


def qubit_extremal_unitaries(K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The one-qubit unitaries at which ``C(U) = c0 + tr(Kᵀ R(U))`` is largest and smallest (Lemma 3.2).

    With the SVD ``K = W Σ Vᵀ`` and ``s = det(W Vᵀ)``, ``R = W diag(1, 1, s) Vᵀ`` attains
    ``max_{SO(3)} tr(Kᵀ R) = σ1 + σ2 + s σ3`` and ``R = W diag(-1, -1, s) Vᵀ`` attains the minimum
    ``-σ1 - σ2 + s σ3`` (Lemma 3.2: their difference is ``Δ = 2(σ1 + σ2)``); each rotation is lifted
    to U(2) (``R(U(2)) = SO(3)``, Lemma 2.3).

    Parameters
    ----------
    K : array_like
        Real 3 x 3 (:func:`.cost.k_matrix`).

    Returns
    -------
    tuple of numpy.ndarray
        ``(U_max, U_min)``, 2 x 2 unitaries (each up to a global phase).

    Raises
    ------
    TypeError, ValueError
        From :func:`.cost.check_k`.

    Examples
    --------
    ``K = diag(0, 0, 1)`` is ``C(U) = <0|U† Z U|0>``: the identity maximises it, a bit flip minimises it.

    >>> U_max, U_min = qubit_extremal_unitaries(np.diag([0.0, 0.0, 1.0]))
    >>> from weingarten_check.delta.cost import adjoint_representation
    >>> float(np.trace(adjoint_representation(U_max) @ np.diag([0.0, 0.0, 1.0])).round(12))
    1.0
    >>> float(np.trace(adjoint_representation(U_min) @ np.diag([0.0, 0.0, 1.0])).round(12))
    -1.0
    """
    K, _ = check_k(K, 2)
    W, _, Vt = np.linalg.svd(K)
    s = float(np.sign(np.linalg.det(W @ Vt))) or 1.0
    R_max = W @ np.diag([1.0, 1.0, s]) @ Vt
    R_min = W @ np.diag([-1.0, -1.0, s]) @ Vt
    return _unitary_from_rotation(R_max), _unitary_from_rotation(R_min)
