"""The cost objects of a local unitary and every conversion between them (Lemmas 3.1, 7.1, 12.1).

Setting (proofs/DERIVATION.md, "Setting and notation"): ``U = V2 (UA ⊗ I_B) V1``,
``C(UA) = tr(H U ρ U†)``, ``H2 = V2† H V2``, ``ρ1 = V1 ρ V1†``; A = ``m`` sites (``dA = q^m``),
B = the rest.  The cost is described by three objects:

* the **cost tensor** ``T[l, j, k, i] = tr_B(<l|H2|k>_A <i|ρ1|j>_A)`` (for a pure ``ρ1 = |ψ1><ψ1|``
  with ``ψ1 = Σ_i |i>_A |ψ_i>_B``: ``T[l, j, k, i] = <l, ψ_j| H2 |k, ψ_i>``), so that
  ``C(UA) = Σ conj(UA[l, j]) UA[k, i] T[l, j, k, i]``.  Read as a ``dA² x dA²`` matrix,
  ``T.reshape(dA², dA²)``, it is the **form** ``M`` of the cost: ``C(UA) = <u|M|u>`` with
  ``u = vec(UA)`` row-major (``u[k·dA + i] = UA[k, i]``).  Every function here that takes a cost
  tensor accepts either shape;
* the **K matrix** ``K_ab = tr_B(h_a r_b) = Σ (G_a)_{kl} (G_b)_{ji} T[l, j, k, i]`` (real,
  ``(dA²-1) x (dA²-1)``, :func:`k_matrix`) with ``C(UA) = c0 + tr(Kᵀ R(UA))`` (Lemma 3.1),
  ``R(UA)`` the adjoint representation (Lemma 2.2, :func:`adjoint_representation`) and ``c0`` the
  Haar mean of the cost (:func:`cost_constant`).  Conversely :func:`form_from_k` builds the form
  ``M = c0/dA · I + Σ_ab K_ab G_a ⊗ conj(G_b)`` from K alone (Lemma 12.1): the certified Δ works on it;
* for the fidelity cost ``C = 1 - |<φ|U|ψ>|²`` the ``dA x dA`` matrix ``M_ij = <φ_j|ψ_i>``
  (:func:`m_matrix`, Lemma 7.1).

The exact rational version of the form, with a proved error, is :mod:`.sdp.exact_form`.  The
scalable constructions of T, K and M for circuits and Haar ensembles are in
:mod:`weingarten_check.experiments.tasks`; the ones here take dense matrices (small n).

Examples
--------
One qubit A of two, ``H2 = Z ⊗ I``, ``ρ1 = |00><00|``: ``C(UA) = <0|UA† Z UA|0>`` ranges over
``[-1, 1]``; K has the single entry ``K_zz = 1``.

>>> Z = np.diag([1.0, -1.0])
>>> T = cost_tensor_dense(np.kron(Z, np.eye(2)), np.diag([1.0, 0, 0, 0]), sites=(0,), n=2)
>>> cost_value(T, np.eye(2)), cost_value(T, np.array([[0, 1], [1, 0]]))
(1.0, -1.0)
>>> (k_matrix(T).round(12) + 0.0).tolist()
[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..states.bases import orthonormal_traceless_basis
from ..util.checks import check_square

__all__ = [
    "check_k",
    "check_cost_tensor",
    "check_form",
    "cost_tensor_dense",
    "cost_tensor_pure",
    "cost_value",
    "cost_constant",
    "adjoint_representation",
    "k_matrix",
    "form_from_k",
    "m_matrix",
]


# ------------------------------------------------------------------------------------ validation
def check_k(K: object, dA: object) -> tuple[np.ndarray, int]:
    """Validate a K matrix (Lemma 3.1) and the dimension of A.

    Parameters
    ----------
    K : array_like
        Real, finite, ``(dA²-1) x (dA²-1)`` (a complex K with a negligible imaginary part is
        accepted and its real part taken).
    dA : int
        The dimension of A, ``>= 2``.

    Returns
    -------
    K : numpy.ndarray
        ``K`` as a float array.
    dA : int

    Raises
    ------
    TypeError
        If ``dA`` is not an int or ``K`` is not numeric.
    ValueError
        If ``dA < 2``, ``K`` has the wrong shape, is not real or not finite.

    Examples
    --------
    >>> check_k(np.eye(3), 2)[0].dtype, check_k(np.eye(3), 2)[1]
    (dtype('float64'), 2)
    >>> check_k(np.eye(3), 3)
    Traceback (most recent call last):
    ...
    ValueError: K must be (dA²-1) x (dA²-1) = 8 x 8 for dA = 3, got shape (3, 3)
    """
    if isinstance(dA, bool) or not isinstance(dA, (int, np.integer)):
        raise TypeError(f"dA must be an int (the dimension of A), got {type(dA).__name__}")
    if dA < 2:
        raise ValueError(f"dA must be >= 2, got {dA}")
    dA = int(dA)
    try:
        K = np.asarray(K)
    except Exception as exc:  # pragma: no cover - numpy raises on ragged input
        raise TypeError(f"K must be a real matrix, got {type(K).__name__}") from exc
    r = dA * dA - 1
    if K.shape != (r, r):
        raise ValueError(f"K must be (dA²-1) x (dA²-1) = {r} x {r} for dA = {dA}, got shape {K.shape}")
    if not (np.issubdtype(K.dtype, np.number) or K.dtype == bool):
        raise TypeError(f"K must be a real numeric matrix, got dtype {K.dtype}")
    if np.iscomplexobj(K):
        if np.abs(K.imag).max(initial=0.0) > 1e-9 * max(1.0, float(np.abs(K).max(initial=0.0))):
            raise ValueError("K must be real (Hermitian H2 and rho1 give a real K)")
        K = K.real
    K = np.asarray(K, dtype=float)
    if not np.all(np.isfinite(K)):
        raise ValueError("K must be finite (no NaN or inf entries)")
    return K, dA


def check_cost_tensor(T: object) -> tuple[np.ndarray, int]:
    """Validate a cost tensor, given as ``(dA, dA, dA, dA)`` or as its form ``(dA², dA²)`` (Lemma 3.1).

    Parameters
    ----------
    T : array_like
        The cost tensor ``T[l, j, k, i]`` or the matrix ``T.reshape(dA², dA²)`` (module doc).

    Returns
    -------
    T : numpy.ndarray
        The tensor, shape ``(dA, dA, dA, dA)`` (the input itself if it had that shape).
    dA : int

    Raises
    ------
    ValueError
        If ``T`` has neither shape for some ``dA >= 2``.

    Examples
    --------
    >>> T, dA = check_cost_tensor(np.eye(4))
    >>> T.shape, dA
    ((2, 2, 2, 2), 2)
    >>> check_cost_tensor(np.eye(3))
    Traceback (most recent call last):
    ...
    ValueError: T (cost tensor) must have shape (dA, dA, dA, dA) or (dA², dA²) with dA >= 2, got (3, 3)
    """
    T = np.asarray(T)
    if T.ndim == 2 and T.shape[0] == T.shape[1] and math.isqrt(T.shape[0]) ** 2 == T.shape[0] >= 4:
        dA = math.isqrt(T.shape[0])
        return T.reshape(dA, dA, dA, dA), dA
    if T.ndim != 4 or len(set(T.shape)) != 1 or T.shape[0] < 2:
        raise ValueError(f"T (cost tensor) must have shape (dA, dA, dA, dA) or (dA², dA²) with dA >= 2, got {T.shape}")
    return T, T.shape[0]


def check_form(M: object) -> tuple[np.ndarray, int]:
    """Validate the Hermitian form ``M`` of a cost (``dA² x dA²``, finite, Hermitian; Lemma 12.1).

    Parameters
    ----------
    M : array_like
        The form, ``C(UA) - c0 = <u|M|u>`` (module doc), e.g. from :func:`form_from_k`.

    Returns
    -------
    M : numpy.ndarray
        Its Hermitian part ``(M + M†) / 2`` as a complex array.
    dA : int

    Raises
    ------
    ValueError
        If ``M`` is not square, not ``dA² x dA²`` with ``dA >= 2``, not finite, or not Hermitian
        (to ``1e-10`` relative).

    Examples
    --------
    >>> M, dA = check_form(np.eye(9))
    >>> M.dtype, dA
    (dtype('complex128'), 3)
    >>> check_form(np.triu(np.ones((4, 4))))
    Traceback (most recent call last):
    ...
    ValueError: M must be Hermitian (M != M^dagger)
    """
    M = np.asarray(M)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M must be a square dA² x dA² matrix, got shape {M.shape}")
    D = M.shape[0]
    dA = math.isqrt(D)
    if dA * dA != D or dA < 2:
        raise ValueError(f"M must be dA² x dA² with dA >= 2, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError("M must be finite (no NaN or inf entries)")
    scale = max(1.0, float(np.abs(M).max()))
    if np.abs(M - M.conj().T).max() > 1e-10 * scale:
        raise ValueError("M must be Hermitian (M != M^dagger)")
    return 0.5 * (M + M.conj().T).astype(np.complex128), dA


# ------------------------------------------------------------------------------------ cost tensor
def _split_operator(X: np.ndarray, sites: Sequence[int], n: int, q: int) -> np.ndarray:
    """Operator on n sites -> array X[a, b, a', b'] with a, a' multi-indices of A (in ``sites``
    order) and b, b' of B, i.e. ``<a,b|X|a',b'>``."""
    rest = [s for s in range(n) if s not in sites]
    t = X.reshape((q,) * (2 * n))
    perm = list(sites) + rest + [n + s for s in sites] + [n + s for s in rest]
    dA, dB = q ** len(sites), q ** len(rest)
    return np.transpose(t, perm).reshape(dA, dB, dA, dB)


def cost_tensor_dense(H2: np.ndarray, rho1: np.ndarray, sites: Sequence[int], n: int, q: int = 2) -> np.ndarray:
    """The cost tensor ``T[l, j, k, i] = tr_B(<l|H2|k>_A <i|ρ1|j>_A)`` from dense ``H2`` and ``ρ1``.

    ``C(UA) = tr(H2 (UA ⊗ I) ρ1 (UA ⊗ I)†)`` written out in the entries of UA; see Lemma 3.1 of
    proofs/DERIVATION.md (:func:`k_matrix` contracts T with the basis).

    Parameters
    ----------
    H2 : numpy.ndarray
        ``V2† H V2``, a ``q^n x q^n`` matrix.
    rho1 : numpy.ndarray
        ``V1 ρ V1†``, a ``q^n x q^n`` matrix.
    sites : sequence of int
        The sites of A (their order is the order of A's tensor factors).
    n : int
        The number of sites.
    q : int, default 2
        The local dimension.

    Returns
    -------
    numpy.ndarray
        ``T``, shape ``(dA, dA, dA, dA)`` with ``dA = q**len(sites)``; ``C(UA) = cost_value(T, UA)``.

    Examples
    --------
    ``H2 = Z ⊗ I`` and ``ρ1 = |00><00|``, A = site 0: ``C(UA) = <0|UA† Z UA|0>``.

    >>> Z = np.diag([1.0, -1.0])
    >>> T = cost_tensor_dense(np.kron(Z, np.eye(2)), np.diag([1.0, 0, 0, 0]), sites=(0,), n=2)
    >>> cost_value(T, np.eye(2)), cost_value(T, np.array([[0, 1], [1, 0]]))
    (1.0, -1.0)
    """
    h = _split_operator(H2, sites, n, q)  # h[l, b, k, b'] = <l b|H2|k b'>
    r = _split_operator(rho1, sites, n, q)  # r[i, b', j, b] = <i b'|rho|j b>
    return np.einsum("lbkc,icjb->ljki", h, r, optimize=True)


def cost_tensor_pure(h_vectors: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """The cost tensor ``T[l, j, k, i] = <l, ψ_j| H2 |k, ψ_i>`` of a pure ``ρ1 = |ψ1><ψ1|`` (Lemma 3.1).

    The same tensor as :func:`cost_tensor_dense` from ``dA²`` vectors instead of dense matrices: the
    experiments apply H2 to the vectors without forming it.

    Parameters
    ----------
    h_vectors : numpy.ndarray
        ``h_vectors[k, i] = H2 vectors[k, i]``, same shape as ``vectors``.
    vectors : numpy.ndarray
        The ``dA²`` vectors ``vectors[k, i] = |k>_A |ψ_i>_B`` (``ψ1 = Σ_i |i>_A |ψ_i>_B``), shape
        ``(dA, dA, ...)`` in any layout of the remaining axes.

    Returns
    -------
    numpy.ndarray
        ``T``, shape ``(dA, dA, dA, dA)``.

    Examples
    --------
    The example of :func:`cost_tensor_dense` from the vectors ``|k>|ψ_i>`` (``ψ_0 = |0>``, ``ψ_1 = 0``):

    >>> H2 = np.kron(np.diag([1.0, -1.0]), np.eye(2))
    >>> rows = np.array([[1.0, 0.0], [0.0, 0.0]])  # rows[i] = ψ_i
    >>> vectors = np.einsum("ka,ib->kiab", np.eye(2), rows).reshape(2, 2, 4)
    >>> T = cost_tensor_pure(vectors @ H2.T, vectors)
    >>> bool(np.array_equal(T, cost_tensor_dense(H2, np.diag([1.0, 0, 0, 0]), (0,), 2)))
    True
    """
    dA = vectors.shape[0]
    a = vectors.reshape(dA * dA, -1)
    b = h_vectors.reshape(dA * dA, -1)
    return (a.conj() @ b.T).reshape(dA, dA, dA, dA)


def cost_value(T: np.ndarray, U: np.ndarray) -> float:
    """The cost ``C(U) = Σ conj(U[l, j]) U[k, i] T[l, j, k, i] = <vec U|M|vec U>`` (Lemma 3.1).

    Parameters
    ----------
    T : numpy.ndarray
        A cost tensor ``(dA, dA, dA, dA)`` or its form ``(dA², dA²)``.
    U : numpy.ndarray
        A ``dA x dA`` matrix (a unitary on A).

    Returns
    -------
    float
        The real part (the cost is real for Hermitian ``H2``, ``ρ1``).

    Examples
    --------
    >>> T = cost_tensor_dense(np.diag([2.0, 0, 0, 0]), np.diag([1.0, 0, 0, 0]), (0,), 2)
    >>> cost_value(T, np.eye(2))
    2.0
    """
    T, dA = check_cost_tensor(T)
    return float(np.real(np.einsum("lj,ki,ljki->", U.conj(), U, T)))


def cost_constant(T: np.ndarray) -> float:
    """``c0 = E_{Haar UA}[C(UA)] = (1/dA) Σ_{k,i} T[k, i, k, i]``, the UA-independent part of C (Lemma 3.1).

    Parameters
    ----------
    T : numpy.ndarray
        A cost tensor ``(dA, dA, dA, dA)`` or its form ``(dA², dA²)``.

    Returns
    -------
    float

    Examples
    --------
    ``H2 = diag(2, 0, 0, 0)``, ``ρ1 = |00><00|``: ``C(UA) = 2 |<0|UA|0>|²`` has Haar mean 1.

    >>> cost_constant(cost_tensor_dense(np.diag([2.0, 0, 0, 0]), np.diag([1.0, 0, 0, 0]), (0,), 2))
    1.0
    """
    T, dA = check_cost_tensor(T)
    return float(np.real(np.einsum("kiki->", T))) / dA


def adjoint_representation(U: np.ndarray) -> np.ndarray:
    """The adjoint representation ``R_ab(U) = tr(G_a U G_b U†)`` (Lemma 2.2).

    Parameters
    ----------
    U : numpy.ndarray
        A ``dA x dA`` unitary.

    Returns
    -------
    numpy.ndarray
        ``R(U)``, real orthogonal ``(dA²-1) x (dA²-1)``, in the basis
        :func:`~weingarten_check.states.bases.orthonormal_traceless_basis` ``(dA)``.

    Raises
    ------
    ValueError
        If ``U`` is not square.

    Examples
    --------
    Conjugation by Z flips the X and Y components (basis order X, Y, Z):

    >>> adjoint_representation(np.diag([1.0, -1.0])).round(12).tolist()
    [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    U = check_square(U, "U")
    G = orthonormal_traceless_basis(U.shape[0])
    rot = np.einsum("ij,bjk,lk->bil", U, G, U.conj())  # U G_b U†
    return np.real(np.einsum("aji,bij->ab", G, rot))


# ------------------------------------------------------------------------------------ K <-> form
def k_matrix(T: np.ndarray) -> np.ndarray:
    """The K matrix ``K_ab = Σ (G_a)_{kl} (G_b)_{ji} T[l, j, k, i] = tr_B(h_a r_b)`` (Lemma 3.1).

    With it ``C(UA) = c0 + tr(Kᵀ R(UA))`` (:func:`cost_constant`, :func:`adjoint_representation`).
    Applied to a form ``M`` (e.g. from :func:`form_from_k`) it inverts :func:`form_from_k`: the
    ``G_a ⊗ conj(G_b)`` are orthonormal, and the identity components of ``M`` (constant on
    unitaries) are dropped.

    Parameters
    ----------
    T : numpy.ndarray
        A cost tensor ``(dA, dA, dA, dA)`` or a form ``(dA², dA²)``.

    Returns
    -------
    numpy.ndarray
        K, real ``(dA²-1) x (dA²-1)`` in the basis
        :func:`~weingarten_check.states.bases.orthonormal_traceless_basis` ``(dA)``.

    Examples
    --------
    >>> K = np.arange(9.0).reshape(3, 3)
    >>> bool(np.allclose(k_matrix(form_from_k(K, 2)), K, atol=1e-14))
    True
    """
    T, dA = check_cost_tensor(T)
    G = orthonormal_traceless_basis(dA)
    K = np.einsum("akl,bji,ljki->ab", G, G, T, optimize=True)
    return np.real(K)


def form_from_k(K: np.ndarray, dA: int, c0: float = 0.0) -> np.ndarray:
    """The Hermitian form ``M = c0/dA · I + Σ_ab K_ab G_a ⊗ conj(G_b)`` of a cost, from K alone (Lemma 12.1).

    ``M[(l, j), (k, i)] = c0/dA · δ_lk δ_ji + Σ_ab K_ab (G_a)_{lk} (G_b)_{ij}``, so that
    ``<vec U|M|vec U> = c0 + tr(Kᵀ R(U))`` for every unitary U (``vec`` row-major): the cost of any
    cost tensor T with ``k_matrix(T) = K`` and ``cost_constant(T) = c0``.  ``M`` and T differ in the
    cross terms ``tr_B(h_0 r_b)``, ``tr_B(h_a r_0)`` of T, which drop out of ``C(U)`` for unitary U
    (``Σ_l conj(U_lj) U_li = δ_ji`` and ``tr G_a = 0``, Lemma 3.1), so ``M`` gives the same Δ.  As
    a cost tensor it is ``M.reshape(dA, dA, dA, dA)``.

    Parameters
    ----------
    K : array_like
        Real ``(dA²-1) x (dA²-1)`` (:func:`check_k`).
    dA : int
        The dimension of A.
    c0 : float, default 0.0
        The constant part of the cost (:func:`cost_constant`); 0 gives ``C(U) - c0``.

    Returns
    -------
    numpy.ndarray
        ``M``, complex Hermitian ``dA² x dA²``.

    Raises
    ------
    TypeError, ValueError
        From :func:`check_k`; ValueError if ``c0`` is not finite.

    Examples
    --------
    >>> K = np.diag([0.0, 0.0, 1.0])  # C(U) - c0 = <0|U† Z U|0> (the example of the module doc)
    >>> M = form_from_k(K, 2, c0=0.5)
    >>> u = np.eye(2).reshape(-1)
    >>> round(float(np.vdot(u, M @ u).real), 12), cost_constant(M)
    (1.5, 0.5)
    """
    K, dA = check_k(K, dA)
    c0 = float(c0)
    if not math.isfinite(c0):
        raise ValueError(f"c0 must be finite, got {c0!r}")
    G = orthonormal_traceless_basis(dA)
    M = np.einsum("ab,alk,bij->ljki", K, G, G, optimize=True).reshape(dA * dA, dA * dA)
    M = 0.5 * (M + M.conj().T)
    if c0:
        M = M + (c0 / dA) * np.eye(dA * dA)
    return M


def m_matrix(psi_rows: np.ndarray, phi_rows: np.ndarray) -> np.ndarray:
    """The matrix ``M_ij = <φ_j|ψ_i>`` of the fidelity cost ``C = 1 - |<φ|U|ψ>|²`` (Lemma 7.1).

    ``<φ2|(UA ⊗ I)|ψ1> = tr(UA M)``, so ``Δ = ||M||_1²`` (Lemma 7.2,
    :func:`.exact.variation_range_fidelity`).

    Parameters
    ----------
    psi_rows : numpy.ndarray
        ``(dA, dB)``: the rows ``ψ_i`` of ``ψ1 = V1 ψ = Σ_i |i>_A |ψ_i>_B``.
    phi_rows : numpy.ndarray
        ``(dA, dB)``: the rows ``φ_j`` of ``φ2 = V2† φ = Σ_j |j>_A |φ_j>_B``.

    Returns
    -------
    numpy.ndarray
        ``M``, ``dA x dA``.

    Raises
    ------
    ValueError
        If the shapes differ or are not ``(dA, dB)`` with ``dA >= 2``.

    Examples
    --------
    ``ψ1 = φ2 = |00>`` (A = the first qubit): ``M = |0><0|``.

    >>> m_matrix(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 0.0]])).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    psi_rows, phi_rows = np.asarray(psi_rows), np.asarray(phi_rows)
    if psi_rows.ndim != 2 or psi_rows.shape != phi_rows.shape or psi_rows.shape[0] < 2:
        raise ValueError(
            f"psi_rows and phi_rows must both have shape (dA, dB) with dA >= 2, "
            f"got {psi_rows.shape} and {phi_rows.shape}"
        )
    return psi_rows @ phi_rows.conj().T
