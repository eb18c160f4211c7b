"""The cost objects K and M of a local unitary from reduced matrices (small, exact linear algebra).

The large states are reduced by :mod:`weingarten_check.states.reduced` (one chunked pass each);
what is left is small:

* :func:`k_from_reduced`: the matrix ``K_ab = tr_B(h_a r_b)`` of Lemma 3.1 of ``proofs/DERIVATION.md``
  (the cost is ``C(UA) = c0 + tr(K^T R(UA))``), from the part ``H_S`` of H touching A and the
  reduced density matrix ``ρ_S`` on ``S = A ∪ supp(terms touching A)``
  (:func:`weingarten_check.states.reduced.touching_support`).
* :func:`m_from_states`: the fidelity matrix ``M_ij = <φ_j|ψ_i>`` of Lemma 7.1
  (``<φ2|(UA ⊗ I)|ψ1> = tr(UA M)``), from the two states' amplitudes or their cross reduced matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..states.bases import orthonormal_traceless_basis
from ..states.reduced import check_state_array, local_grams
from ..util.checks import check_int, check_local_dim, check_sites

__all__ = [
    "k_from_reduced",
    "m_from_states",
]


def k_from_reduced(HS: np.ndarray, rhoS: np.ndarray, dA: int) -> np.ndarray:
    """The matrix K of Lemma 3.1 from the observable and the state reduced to ``S = A ∪ S'``.

    ``K_ab = tr_{S'}(h_a r_b)`` with ``h_a = tr_A((G_a ⊗ I) H_S)`` and ``r_b = tr_A((G_b ⊗ I) ρ_S)``
    (``G_a``: :func:`weingarten_check.states.bases.orthonormal_traceless_basis`).  Implements
    Lemma 3.1 of ``proofs/DERIVATION.md`` restricted to S: the terms of H that act as the identity
    on A contribute ``tr(G_a) · (...) = 0`` to ``h_a``, so for V2 = I only ``H_S`` and ``ρ_S`` enter.

    Parameters
    ----------
    HS : numpy.ndarray
        The terms of H touching A, written on S (A first), ``dA·dS' × dA·dS'``
        (:func:`weingarten_check.states.reduced.touching_support`).
    rhoS : numpy.ndarray
        The reduced density matrix on the same sites, same shape.
    dA : int
        The dimension of A, ``dA >= 2``.

    Returns
    -------
    numpy.ndarray
        The real ``(dA² - 1) × (dA² - 1)`` matrix K.

    Raises
    ------
    ValueError
        If ``dA`` is not an int ``>= 2`` or the matrices are not square of one size, a multiple of dA.

    Examples
    --------
    ``H = Z`` and ``ρ = |0><0|`` on one qubit (S = A): only ``K_zz = tr(G_z Z) tr(G_z ρ) = 1``.

    >>> K = k_from_reduced(np.diag([1.0, -1.0]), np.diag([1.0, 0.0]), 2)
    >>> K.shape, round(float(K[2, 2]), 12), round(float(np.abs(K[:2]).sum()), 12)
    ((3, 3), 1.0, 0.0)
    """
    HS, rhoS = np.asarray(HS), np.asarray(rhoS)
    dA = check_local_dim(dA, "dA")
    if HS.ndim != 2 or HS.shape != rhoS.shape or HS.shape[0] != HS.shape[1] or HS.shape[0] % dA:
        raise ValueError(
            f"HS and rhoS must be square of the same size, a multiple of dA = {dA}; got {HS.shape} and {rhoS.shape}"
        )
    dR = HS.shape[0] // dA
    G = orthonormal_traceless_basis(dA)
    h = np.einsum("akl,lbkc->abc", G, HS.reshape(dA, dR, dA, dR), optimize=True)  # h_a[b, c]
    r = np.einsum("akl,lbkc->abc", G, rhoS.reshape(dA, dR, dA, dR), optimize=True)
    return np.real(np.einsum("abc,ecb->ae", h, r, optimize=True))


def m_from_states(
    psi1: np.ndarray | None, phi2: np.ndarray | None, sites_A: Sequence[int], n: int, q: int
) -> np.ndarray:
    """The fidelity matrix ``M_ij = <φ_j|ψ_i>`` of Lemma 7.1 from two n-site states.

    With ``ψ1 = Σ_i |i>_A|ψ_i>`` and ``φ2 = Σ_j |j>_A|φ_j>``, ``<φ2|(UA ⊗ I)|ψ1> = tr(UA M)``
    (Lemma 7.1 of ``proofs/DERIVATION.md``), so the fidelity cost's variation range is
    ``||M||_1²`` (Lemma 7.2).  One pass over both states when both are given (their cross reduced
    matrix on A); ``dA`` amplitudes when one of them is ``|0...0>`` (then M has one non-zero column
    or row).

    Parameters
    ----------
    psi1, phi2 : numpy.ndarray or None
        States of shape ``(q,)*n``; ``None`` stands for ``|0...0>``.
    sites_A : sequence of int
        The sites of A, a proper subsystem (row/column order of M follows this order).
    n : int
        The number of sites.
    q : int
        The local dimension.

    Returns
    -------
    numpy.ndarray
        The complex ``dA × dA`` matrix M, ``dA = q^len(sites_A)``.

    Raises
    ------
    ValueError
        If ``n``, ``q`` or the sites are invalid, A is not a proper subsystem, or a state has the
        wrong shape.

    Examples
    --------
    ``ψ1 = |10>`` and ``φ2 = |00>`` with A = site 0: ``M_10 = <0|ψ_1> = 1``.

    >>> psi1 = np.zeros((2, 2)); psi1[1, 0] = 1
    >>> m_from_states(psi1, None, (0,), 2, 2).real.tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    n = check_int(n, "n (number of sites)", 1)
    q = check_local_dim(q, "q")
    A = check_sites(sites_A, n)
    dA = q ** len(A)
    for name, x in (("psi1", psi1), ("phi2", phi2)):
        if x is not None:
            check_state_array(x, name, n, None)
            if x.shape[0] != q:
                raise ValueError(f"{name} has local dimension {x.shape[0]}, expected q = {q}")

    def column(state: np.ndarray) -> np.ndarray:  # <i_A, 0_B|state>, i over A
        sl = [0] * n
        out = np.empty(dA, dtype=np.complex128)
        for i, digits in enumerate(np.ndindex(*((q,) * len(A)))):
            for s, v in zip(A, digits):
                sl[s] = v
            out[i] = state[tuple(sl)]
        return out

    M = np.zeros((dA, dA), dtype=np.complex128)
    if psi1 is None and phi2 is None:
        M[0, 0] = 1.0
    elif phi2 is None:
        M[:, 0] = column(psi1)
    elif psi1 is None:
        M[0, :] = column(phi2).conj()
    else:
        M = local_grams(psi1, [A], n, b=phi2)[0][:, 0, :, 0]
    return M
