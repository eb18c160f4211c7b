"""Operator bases on one site: the Pauli matrices and the generalised Gell-Mann matrices.

The traceless Hermitian operators on ``C^q`` have the generalised Gell-Mann basis ``{λ_a}``,
``a = 1 … q²-1``, normalised as ``tr(λ_a λ_b) = 2 δ_ab`` (the Pauli matrices X, Y, Z for q = 2).
Divided by ``√2`` it is the orthonormal basis ``{G_a}`` (``tr(G_a G_b) = δ_ab``) in which the
cost matrix K of a local unitary is written: every operator on A ⊗ B splits as
``X = I_A/dA ⊗ tr_A X + Σ_a G_a ⊗ tr_A((G_a ⊗ I) X)`` (Lemma 2.1 of ``proofs/DERIVATION.md``).

Examples
--------
>>> len(gell_mann(3)), orthonormal_traceless_basis(4).shape
(8, (15, 4, 4))
"""

from __future__ import annotations

import functools

import numpy as np

from ..util.checks import check_local_dim

__all__ = [
    "PAULI",
    "gell_mann",
    "orthonormal_traceless_basis",
]

#: the Pauli matrices ``I, X, Y, Z`` (complex128), keyed by their letter
PAULI = {
    "I": np.eye(2, dtype=np.complex128),
    "X": np.array([[0, 1], [1, 0]], dtype=np.complex128),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    "Z": np.array([[1, 0], [0, -1]], dtype=np.complex128),
}


@functools.cache
def _gell_mann_cached(q: int) -> tuple[np.ndarray, ...]:
    mats = []
    for j in range(q):  # symmetric and antisymmetric off-diagonal
        for k in range(j + 1, q):
            s = np.zeros((q, q), dtype=np.complex128)
            s[j, k] = s[k, j] = 1
            a = np.zeros((q, q), dtype=np.complex128)
            a[j, k], a[k, j] = -1j, 1j
            mats += [s, a]
    for l in range(1, q):  # diagonal
        dgl = np.zeros(q)
        dgl[:l] = 1
        dgl[l] = -l
        mats.append(np.diag(dgl * np.sqrt(2.0 / (l * (l + 1)))).astype(np.complex128))
    for m in mats:
        m.setflags(write=False)
    return tuple(mats)


def gell_mann(q: int) -> list[np.ndarray]:
    """The ``q² - 1`` generalised Gell-Mann matrices, normalised as ``tr(λ_a λ_b) = 2 δ_ab``.

    Order: for each pair ``j < k`` the symmetric then the antisymmetric off-diagonal matrix, then
    the ``q - 1`` diagonal ones; for q = 2 this is (X, Y, Z).  The matrices are read-only (cached).

    Parameters
    ----------
    q : int
        The local dimension, ``q >= 2``.

    Returns
    -------
    list of numpy.ndarray
        ``q² - 1`` traceless Hermitian ``q × q`` complex matrices.

    Raises
    ------
    ValueError
        If ``q`` is not an int ``>= 2``.

    Examples
    --------
    >>> X, Y, Z = gell_mann(2)
    >>> bool(np.array_equal(Y, PAULI["Y"]))
    True
    >>> lam = gell_mann(3)
    >>> len(lam), float(np.trace(lam[7] @ lam[7]).real), float(abs(np.trace(lam[0] @ lam[1])))
    (8, 2.0, 0.0)
    """
    return list(_gell_mann_cached(check_local_dim(q)))


def orthonormal_traceless_basis(dim: int) -> np.ndarray:
    """The orthonormal traceless Hermitian basis ``{G_a}`` of the operators on ``C^dim``.

    ``G_a = λ_a / √2`` (:func:`gell_mann`), so ``tr(G_a G_b) = δ_ab`` (Pauli / √2 for dim = 2): the
    basis of the decomposition of Lemma 2.1 of ``proofs/DERIVATION.md`` and of the matrix K of
    Lemma 3.1.

    Parameters
    ----------
    dim : int
        The dimension, ``dim >= 2`` (``dA = q^m`` for a subsystem A).

    Returns
    -------
    numpy.ndarray
        Shape ``(dim² - 1, dim, dim)``, complex.

    Raises
    ------
    ValueError
        If ``dim`` is not an int ``>= 2``.

    Examples
    --------
    >>> G = orthonormal_traceless_basis(2)
    >>> G.shape
    (3, 2, 2)
    >>> bool(np.allclose(np.einsum("aij,bji->ab", G, G), np.eye(3)))
    True
    """
    return np.array(gell_mann(dim)) / np.sqrt(2.0)
