"""certified.delta_from_k: exact for dA = 2; for dA >= 3 the certified bracket contains the true Δ
where it is known (optimum at a permutation unitary, constructed so), is narrow (<= tol), falls back to
2||K||_* when no certificate is proved, and bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import weingarten_check.delta.certified as cd
from weingarten_check.delta.certified import cost_mp, delta_from_k, nuclear_bound, qubit_delta
from weingarten_check.delta.cost import adjoint_representation, form_from_k
from weingarten_check.delta.optimiser import optimise_form
from weingarten_check.states.bases import orthonormal_traceless_basis
from weingarten_check.states.sampling import haar_unitary


def _k_of(H, rho):
    """K_ab = tr(G_a H) tr(G_b ρ): then C(U) = tr(H U ρ U†) up to a constant."""
    G = orthonormal_traceless_basis(H.shape[0])
    h = np.real(np.einsum("aij,ji->a", G, H))
    r = np.real(np.einsum("aij,ji->a", G, rho))
    return np.outer(h, r)


def _rearrangement_delta(hdiag, rdiag):
    """max - min of tr(H U ρ U†) for diagonal H, ρ: von Neumann / rearrangement, attained at
    permutation matrices (sorted alike vs. sorted oppositely)."""
    h, r = np.sort(hdiag)[::-1], np.sort(rdiag)
    return float(h @ r[::-1] - h @ r)


@pytest.mark.parametrize("dA, seed", [(3, 0), (3, 1), (4, 2)])
def test_contains_permutation_optimum(dA, seed):
    rng = np.random.default_rng(seed)
    hd, rd = rng.standard_normal(dA), rng.standard_normal(dA)
    K = _k_of(np.diag(hd), np.diag(rd))
    true = _rearrangement_delta(hd, rd)
    res = delta_from_k(K, dA, rng=seed)
    assert res.method == "certified" and not res.exact and res.certificate == "sdp-level1"
    eps = 1e-13 * true  # K is the rounded h r^T: its Δ differs from `true` at the last bits
    assert res.lower - eps <= true <= res.upper + eps
    assert res.gap <= 1e-6 and res.value == res.lower
    # the permutation unitary attains it: C(P_max) - C(P_min) = true
    order_h, order_r = np.argsort(-hd), np.argsort(-rd)
    P = np.zeros((dA, dA))
    P[order_h, order_r] = 1  # maps the i-th largest of ρ onto the i-th largest of H
    assert float(np.sum(K * adjoint_representation(P))) <= res.upper


def test_qubit_is_closed_form():
    K = np.random.default_rng(3).standard_normal((3, 3))
    res = delta_from_k(K, 2)
    assert res.exact and res.method == "qubit" and res.certificate == "closed-form"
    s = np.linalg.svd(K, compute_uv=False)
    assert res.value == pytest.approx(2 * (s[0] + s[1]), rel=1e-14) == qubit_delta(K)


def test_random_qutrit_against_many_starts():
    K = np.random.default_rng(4).standard_normal((8, 8))
    res = delta_from_k(K, 3, rng=0)
    M = form_from_k(K, 3)
    hi, _ = optimise_form(M, True, starts=12, rng=5)
    lo, _ = optimise_form(M, False, starts=12, rng=6)
    assert res.lower - 1e-9 <= hi - lo <= res.upper + 1e-9
    assert res.gap <= 1e-6 and res.upper < nuclear_bound(K)


def test_cost_mp_matches_float():
    rng = np.random.default_rng(5)
    K = rng.standard_normal((8, 8))
    U = haar_unitary(3, rng)
    assert float(cost_mp(K, 3, U)) == pytest.approx(np.sum(K * adjoint_representation(U)), abs=1e-12)


def test_nuclear_fallback(monkeypatch):
    monkeypatch.setattr(cd, "certify_level1", lambda *a, **k: None)
    K = np.random.default_rng(6).standard_normal((8, 8))
    res = delta_from_k(K, 3, max_starts=0)
    assert res.certificate == "nuclear" and res.upper == nuclear_bound(K) and res.lower <= res.upper


def test_zero_k():
    res = delta_from_k(np.zeros((8, 8)), 3)
    assert res.exact and res.value == res.upper == 0.0


def test_level2_closes_loose_dA4_sample():
    """The dA = 4 exact-Haar QAE sample (both V1, V2 random, q = 2, A = sites 0, 1, n = 5, seed 17;
    benchmarks/bench_certified.py's first) is level-1 loose (width 6.6e-3 before level 2); with
    level 2 (default) the loose side gets a level-2 certificate and the width is <= tol, with the
    level-2 seconds reported."""
    from weingarten_check.experiments import sample_cost_matrices, sample_rng, task_spec

    K = sample_cost_matrices(task_spec("qae", 5, 2, sites=(0, 1)), "haar", "both", sample_rng(17, 5, 0, 0)).K
    r1 = delta_from_k(K, 4, rng=0, level2=False)
    assert r1.certificate == "sdp-level1" and r1.gap > 1e-3 and not r1.timings
    r2 = delta_from_k(K, 4, rng=0)
    assert r2.certificate == "sdp-level2" and r2.gap <= 1e-6
    assert r2.upper < r1.upper and r2.lower >= r1.lower - 1e-12 * r1.lower
    assert set(r2.timings) == {"level2_solve", "level2_check"}


@pytest.mark.parametrize(
    "kwargs, exc, msg",
    [
        (dict(K=np.zeros((3, 3)), dA=3), ValueError, "8 x 8"),
        (dict(K=np.full((8, 8), np.inf), dA=3), ValueError, "finite"),
        (dict(K=np.zeros((8, 8)), dA=3, tol=-1.0), ValueError, "tol"),
        (dict(K=np.zeros((8, 8)), dA=3, max_starts=-2), ValueError, "max_starts"),
        (dict(K=np.zeros((8, 8)), dA="3"), TypeError, "dA"),
    ],
)
def test_bad_input(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        delta_from_k(**kwargs)


@pytest.mark.parametrize("e", [-14, 9])
def test_small_and_large_k_are_certified_as_tightly_as_unit_k(e):
    """Δ(2^e K) = 2^e Δ(K): the bracket of a scaled K is the scaled bracket, to the last bit.  Without
    solving at unit scale a K of norm ~1e-4 (qutrits at n = 15) got relative widths ~1e-4, because the
    solvers' tolerances are absolute."""
    rng = np.random.default_rng(3)
    K = rng.standard_normal((8, 8))
    K /= np.abs(K).max()
    ref = delta_from_k(K, 3, rng=0, level2=False)
    scaled = delta_from_k(np.ldexp(K, e), 3, rng=0, level2=False)
    assert ref.gap <= 1e-6
    assert scaled.lower == np.ldexp(ref.lower, e) and scaled.upper == np.ldexp(ref.upper, e)
    assert scaled.gap == ref.gap and scaled.certificate == ref.certificate
