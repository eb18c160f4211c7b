"""bases: the Pauli and generalised Gell-Mann matrices and the orthonormal traceless basis {G_a}."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.states.bases import PAULI, gell_mann, orthonormal_traceless_basis


@pytest.mark.parametrize("q", [2, 3, 4])
def test_gell_mann_basis(q):
    lam = np.array(gell_mann(q))
    assert lam.shape == (q * q - 1, q, q)
    assert np.allclose(np.einsum("aij,bji->ab", lam, lam), 2 * np.eye(q * q - 1))
    assert np.allclose(np.einsum("aii->a", lam), 0)
    assert np.allclose(lam, lam.conj().transpose(0, 2, 1))
    # Fierz: Σ_a λ_a ⊗ λ_a = 2 SWAP - (2/q) I
    swap = np.eye(q * q)[[j * q + i for i in range(q) for j in range(q)]]
    assert np.allclose(sum(np.kron(a, a) for a in lam), 2 * swap - 2 / q * np.eye(q * q))
    G = orthonormal_traceless_basis(q)
    assert np.allclose(np.einsum("aij,bji->ab", G, G), np.eye(q * q - 1))


def test_pauli_are_the_qubit_gell_mann_matrices():
    assert all(np.array_equal(m, PAULI[P]) for m, P in zip(gell_mann(2), "XYZ"))


def test_bad_input_raises():
    with pytest.raises(ValueError):
        gell_mann(1)
