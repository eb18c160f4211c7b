"""cost: <vec U|M|vec U> = tr(Kᵀ R(U)) (Lemma 12.1), K -> M -> K round trip, bad K is refused."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.delta.cost import adjoint_representation, check_k, form_from_k, k_matrix
from weingarten_check.states.sampling import haar_unitary


@pytest.mark.parametrize("dA", [2, 3, 4])
def test_form_reproduces_cost(dA):
    rng = np.random.default_rng(dA)
    r = dA * dA - 1
    K = rng.standard_normal((r, r))
    M = form_from_k(K, dA)
    assert np.allclose(M, M.conj().T, atol=0)
    for _ in range(3):
        U = haar_unitary(dA, rng)
        u = U.reshape(-1)
        assert np.vdot(u, M @ u).real == pytest.approx(np.sum(K * adjoint_representation(U)), abs=1e-12)
    assert np.allclose(k_matrix(M), K, atol=1e-13)


@pytest.mark.parametrize(
    "K, dA, exc, msg",
    [
        (np.zeros((8, 8)), 2, ValueError, "3 x 3"),
        (np.zeros((3, 3)), 1, ValueError, ">= 2"),
        (np.zeros((8, 8)), 3.0, TypeError, "int"),
        (np.full((8, 8), np.nan), 3, ValueError, "finite"),
        (np.eye(8) * 1j, 3, ValueError, "real"),
        (np.array([["a"] * 8] * 8), 3, TypeError, "numeric"),
    ],
)
def test_bad_k(K, dA, exc, msg):
    with pytest.raises(exc, match=msg):
        check_k(K, dA)
    with pytest.raises(exc, match=msg):
        form_from_k(K, dA)
