"""cost: the cost tensor reproduces C(UA) and c0 + tr(Kᵀ R(UA)) (Lemma 3.1) for contiguous and
non-contiguous A, <vec U|M|vec U> = tr(Kᵀ R(U)) (Lemma 12.1), K -> M -> K round trip, bad K is refused."""

from __future__ import annotations

import numpy as np
import pytest
from reference import direct_cost, random_density, random_hermitian

from weingarten_check.delta.cost import (
    adjoint_representation,
    check_k,
    cost_constant,
    cost_tensor_dense,
    cost_value,
    form_from_k,
    k_matrix,
)
from weingarten_check.states.sampling import haar_unitary


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cost_tensor_and_k_reproduce_the_cost(seed):
    rng = np.random.default_rng(seed)
    for q, n, m in ((2, 3, 1), (3, 2, 1), (2, 3, 2)):
        d = q**n
        H2, rho1 = random_hermitian(d, rng), random_density(d, rng)
        sites = tuple(range(m))
        T = cost_tensor_dense(H2, rho1, sites, n, q)
        K = k_matrix(T)
        U = haar_unitary(q**m, rng)
        c = direct_cost(H2, rho1, U, sites, n, q)
        assert cost_value(T, U) == pytest.approx(c, abs=1e-12)
        R = adjoint_representation(U)
        assert np.allclose(R @ R.T, np.eye(len(R)), atol=1e-12)
        assert cost_constant(T) + np.trace(K.T @ R) == pytest.approx(c, abs=1e-12)


def test_non_contiguous_sites_cost_tensor():
    rng = np.random.default_rng(5)
    n, q = 3, 2
    H2, rho1 = random_hermitian(8, rng), random_density(8, rng)
    U = haar_unitary(2, rng)
    W = np.kron(np.kron(np.eye(2), U), np.eye(2))  # U on site 1
    T = cost_tensor_dense(H2, rho1, (1,), n, q)
    assert cost_value(T, U) == pytest.approx(np.real(np.trace(H2 @ W @ rho1 @ W.conj().T)), abs=1e-12)


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
