"""optimiser: BFGS reaches the known max of a rank-one form, extra starts are used, polar
projection gives the nearest unitary, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.delta.optimiser import optimise_form, polar_unitary
from weingarten_check.states.sampling import haar_unitary


def test_rank_one_form_max():
    """M = |w><w| with w = vec(W), W unitary: max |<vec U|vec W>|² = dA² at U = W."""
    rng = np.random.default_rng(0)
    W = haar_unitary(3, rng)
    w = W.reshape(-1)
    M = np.outer(w, w.conj())
    val, U = optimise_form(M, True, starts=3, rng=1)
    assert val == pytest.approx(9.0, abs=1e-9)
    assert abs(np.vdot(U.reshape(-1), w)) ** 2 == pytest.approx(9.0, abs=1e-9)
    val0, U0 = optimise_form(M, True, starts=0, initial=[W + 1e-3 * rng.standard_normal((3, 3))])
    assert val0 == pytest.approx(9.0, abs=1e-9)


def test_polar_unitary():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    U = polar_unitary(X)
    assert np.allclose(U.conj().T @ U, np.eye(4), atol=1e-12)
    P = U.conj().T @ X  # the positive factor
    assert np.allclose(P, P.conj().T, atol=1e-12) and np.linalg.eigvalsh(0.5 * (P + P.conj().T)).min() > 0


def test_bad_input():
    with pytest.raises(ValueError, match="dA²"):
        optimise_form(np.eye(5), True)
    with pytest.raises(ValueError, match="starts"):
        optimise_form(np.eye(4), True, starts=-1)
    with pytest.raises(ValueError, match="at least one start"):
        optimise_form(np.eye(4), True, starts=0)
    with pytest.raises(ValueError, match="finite"):
        polar_unitary(np.full((2, 2), np.inf))
