"""sdp.level1: the level-1 bound holds for any (A, B) (Lemma 12.1), the solver's J is a unital
channel, polishing makes the bound tight at the maximiser, the exact checker accepts the certificate
and rejects perturbed (infeasible or mis-added) ones (Lemma 12.3), bad input is refused."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from reference import partial_traces

from weingarten_check.delta.cost import form_from_k
from weingarten_check.delta.optimiser import optimise_form
from weingarten_check.delta.sdp.exact_form import exact_form_from_k
from weingarten_check.delta.sdp.level1 import (
    certify_level1,
    level1_bound,
    polish_dual,
    solve_level1,
    unitary_from_choi,
    verify_certificate,
)
from weingarten_check.states.sampling import haar_unitary


def _random_k(dA, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((dA * dA - 1, dA * dA - 1))


def test_unitary_choi_is_unital():
    U = haar_unitary(3, np.random.default_rng(0))
    u = U.reshape(-1)
    t1, t2 = partial_traces(np.outer(u, u.conj()), 3)
    assert np.allclose(t1, np.eye(3)) and np.allclose(t2, np.eye(3))


def test_any_dual_point_bounds_every_unitary():
    rng = np.random.default_rng(1)
    M = form_from_k(_random_k(3, 1), 3)
    for _ in range(5):
        A = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
        B = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
        A, B = A + A.conj().T, B + B.conj().T
        b = level1_bound(M, A, B)
        for _ in range(20):
            u = haar_unitary(3, rng).reshape(-1)
            assert np.vdot(u, M @ u).real <= b + 1e-9


@pytest.mark.parametrize("dA", [3, 4])
def test_solve_polish_certify(dA):
    K = _random_k(dA, dA)
    M = form_from_k(K, dA)
    E = exact_form_from_k(K, dA)
    sol = solve_level1(M)
    t1, t2 = partial_traces(sol.J, dA)
    assert np.allclose(t1, np.eye(dA), atol=1e-6) and np.allclose(t2, np.eye(dA), atol=1e-6)
    assert np.linalg.eigvalsh(sol.J)[0] > -1e-6
    assert np.real(np.trace(M @ sol.J)) == pytest.approx(sol.value, rel=1e-6)
    val, U = optimise_form(M, True, starts=2, rng=0, initial=[unitary_from_choi(sol.J, dA)])
    A, B = polish_dual(M, sol.A, sol.B, U)
    u = U.reshape(-1)
    slack_u = (np.kron(np.eye(dA), A) + np.kron(B, np.eye(dA)) - M) @ u
    # complementary slackness at U: the polish removes the whole Hermitian part of the mismatch, so what
    # is left is exactly the anti-Hermitian part of Y U† (Y = reshape(M u)), which vanishes at a
    # stationary point of C; the optimiser (BFGS, gtol 1e-11) leaves it below 1e-7 |M| (how far below
    # depends on the scipy build: 3.2e-8 |M| seen with scipy 1.17 at dA = 4)
    W = (M @ u).reshape(dA, dA) @ U.conj().T
    anti = np.linalg.norm(0.5 * (W - W.conj().T))
    assert abs(np.linalg.norm(slack_u) - anti) <= 1e-9 * np.abs(M).max()
    assert anti < 1e-7 * np.abs(M).max()
    cert = certify_level1(E, M, A, B)
    assert cert is not None and verify_certificate(E, cert)
    assert val <= float(cert.bound)
    if dA == 3:  # level 1 is tight on this instance: the polished certificate closes the gap
        assert float(cert.bound) <= val * (1 + 1e-9) + 1e-9
    raw = certify_level1(E, M, sol.A, sol.B)  # the solver's own dual point, unpolished
    assert raw is not None and val <= float(raw.bound) <= sol.value + 1e-6 * abs(sol.value)


def test_checker_rejects_perturbed_certificates():
    dA = 3
    K = _random_k(dA, 7)
    M, E = form_from_k(K, dA), exact_form_from_k(K, dA)
    sol = solve_level1(M)
    cert = certify_level1(E, M, sol.A, sol.B)
    assert verify_certificate(E, cert)
    # infeasible: shift t below λmax of the slack (bound adjusted consistently)
    lam_gap = Fraction(2**cert.exponent // 10**6, 2**cert.exponent)  # on the grid of t
    low_t = cert.t - lam_gap
    bad = dataclasses.replace(cert, t=low_t, bound=cert.bound - dA * lam_gap)
    assert not verify_certificate(E, bad)
    # perturbed dual: B changed by a small non-scalar Hermitian matrix, bound recomputed
    Bre = cert.B_re.copy()
    Bre[0, 0] -= 2**cert.exponent // 1000
    bound = cert.bound - Fraction(2**cert.exponent // 1000, 2**cert.exponent)
    assert not verify_certificate(E, dataclasses.replace(cert, B_re=Bre, bound=bound))
    # arithmetic: a bound not equal to tr A + tr B + dA (t + err)
    assert not verify_certificate(E, dataclasses.replace(cert, bound=cert.bound - Fraction(1, 10**9)))
    # an error term smaller than the form's proved rounding error
    assert not verify_certificate(E, dataclasses.replace(cert, err=E.err / 2))
    # non-Hermitian A
    Aim = cert.A_im.copy()
    Aim[0, 1] += 1
    assert not verify_certificate(E, dataclasses.replace(cert, A_im=Aim))


@pytest.mark.parametrize(
    "M, msg",
    [
        (np.eye(5), "dA²"),
        (np.ones((4, 3)), "square"),
        (np.triu(np.ones((9, 9))), "Hermitian"),
        (np.full((9, 9), np.nan), "finite"),
    ],
)
def test_bad_form(M, msg):
    with pytest.raises(ValueError, match=msg):
        solve_level1(M)


def test_bad_dual_point():
    M = form_from_k(_random_k(3, 2), 3)
    with pytest.raises(ValueError, match="A must be dA x dA"):
        level1_bound(M, np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="B must be Hermitian"):
        level1_bound(M, np.eye(3), np.triu(np.ones((3, 3))))


def test_smoothed_dual_is_a_valid_near_optimal_point():
    """solve_level1_smoothed (used for dA > 5): its (A, B) give a bound >= the best unitary and within
    1e-4 relative of Clarabel's optimum, and it certifies exactly."""
    from weingarten_check.delta.sdp.level1 import solve_level1_smoothed

    K = _random_k(3, 11)
    M, E = form_from_k(K, 3), exact_form_from_k(K, 3)
    best, _ = optimise_form(M, True, starts=3, rng=0)
    ref = solve_level1(M).value
    sm = solve_level1_smoothed(M)
    assert best - 1e-9 <= sm.value <= ref * (1 + 1e-4)
    cert = certify_level1(E, M, sm.A, sm.B)
    assert cert is not None and float(cert.bound) >= best
