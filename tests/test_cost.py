"""choi_form: <vec U|M|vec U> = tr(Kᵀ R(U)) (Lemma 12.1), K -> M -> K round trip, the exact rational
form is within its proved error, bad K is refused."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.delta.cost import (
    check_k,
    exact_form_from_k,
    form_from_k,
    k_from_form,
    rational_basis,
)
from weingarten_check.delta.variation_range import adjoint_representation
from weingarten_check.states.observables import orthonormal_traceless_basis
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
    assert np.allclose(k_from_form(M, dA), K, atol=1e-13)


@pytest.mark.parametrize("dA", [3, 4])
def test_exact_form_within_proved_error(dA):
    rng = np.random.default_rng(10 + dA)
    r = dA * dA - 1
    K = rng.standard_normal((r, r)) * 7.3
    M = form_from_k(K, dA)
    for bits in (20, 52):
        E = exact_form_from_k(K, dA, bits=bits)
        Mr = (E.re.astype(float) + 1j * E.im.astype(float)) / 2.0**E.exponent
        dev = np.linalg.norm(M - Mr, 2)
        assert dev <= float(E.err) + 1e-13 * np.abs(M).max()
        assert float(E.err) < 2.0 ** (-bits + 16) * np.abs(K).max()  # and the bound is not vacuous
    # exactly Hermitian numerators
    assert all(E.re[i, j] == E.re[j, i] and E.im[i, j] == -E.im[j, i] for i in range(dA * dA) for j in range(dA * dA))


def test_rational_basis_is_exact():
    for dA in (2, 3, 5):
        G = orthonormal_traceless_basis(dA)
        for (fr, fi, p), g in zip(rational_basis(dA), G):
            assert np.allclose((fr + 1j * fi) / np.sqrt(p), g, atol=1e-15)


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
