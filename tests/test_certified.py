"""certified.delta_from_k: exact for dA = 2; for dA >= 3 the certified bracket contains the true Δ
where it is known (optimum at a permutation unitary, constructed so), is narrow (<= tol), falls back to
an exactly checked 2||K||_* when no SDP certificate is proved, its ends are rounded outward (never
above / below Δ, also for tiny or huge K), and bad input is refused."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import weingarten_check.delta.certified as cd
from weingarten_check.delta.certified import cost_mp, delta_from_k, nuclear_bound, nuclear_certificate, qubit_delta
from weingarten_check.delta.cost import adjoint_representation, form_from_k
from weingarten_check.delta.optimiser import optimise_form
from weingarten_check.delta.sdp.exact_psd import fraction_to_float_up
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
    assert res.certificate == "nuclear" and res.upper == fraction_to_float_up(nuclear_certificate(K))
    assert res.lower <= res.upper and res.upper >= 2 * np.sum(np.linalg.svd(K, compute_uv=False))


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


def test_lower_end_is_never_above_delta_for_scaled_identity():
    """K = c·I at dA = 3: C(U) = c(|tr U|² - 1), so Δ = 9c exactly.  The lower end is the difference
    of two attained costs, subtracted at the working precision and rounded down: never above 9c
    (subtracted in double precision and rounded to nearest it exceeded 9c for about half of the c)."""
    cs = [0.7576627805210709, *np.random.default_rng(20).uniform(0.05, 3.0, 59)]
    for c in cs:
        r = delta_from_k(c * np.eye(8), 3)
        assert Fraction(r.lower) <= 9 * Fraction(c) <= Fraction(r.upper), c


@pytest.mark.parametrize("size", [1e-322, 1e-318, 1e-307])
def test_scaled_back_ends_are_rounded_outward(size):
    """A K far from unit size is solved at unit scale and the ends scaled back by 2^e exactly and
    rounded outward: the returned bracket contains the unit-scale bracket times 2^e, also where that
    is subnormal (rounded to nearest the upper end fell below 2^e × the lower end, or lower > upper)."""
    K0 = np.random.default_rng(3).standard_normal((8, 8))
    K = size * K0 / np.abs(K0).max()
    e = int(np.round(np.log2(np.abs(K).max())))
    ref = delta_from_k(np.ldexp(K, -e), 3, rng=0)
    r = delta_from_k(K, 3, rng=0)
    two_e = Fraction(2) ** e
    assert Fraction(r.lower) <= Fraction(ref.lower) * two_e and Fraction(ref.upper) * two_e <= Fraction(r.upper)
    assert 0 <= r.lower <= r.upper < np.inf and r.certificate == ref.certificate


def test_huge_k_is_refused():
    """max|K| above 2^1000 (Δ could overflow a float) is refused, naming K and the range."""
    with pytest.raises(ValueError, match=r"K: max\|K\| = .* exceeds 2\^1000"):
        delta_from_k(np.full((8, 8), 1e306), 3)


def test_nuclear_upper_end_is_exactly_checked(monkeypatch):
    """Rank-one K = diag(1, 0, ...) at dA = 3 attains Δ = 2||K||_* = 2 (Lemma 3.3) and the nuclear
    bound is the upper end.  It is proved by an exact PSD check, not trusted from a float SVD: even
    a float SVD whose singular values are 1e-9 too small (far beyond a 1e-12 inflation) gives a
    bound, and an upper end, >= Δ."""
    K = np.diag([1.0] + [0.0] * 7)
    r = delta_from_k(K, 3)
    assert r.certificate == "nuclear" and r.lower <= 2 <= r.upper and r.upper - 2 < 1e-9
    assert nuclear_certificate(K) >= 2 and r.upper == fraction_to_float_up(nuclear_certificate(K))
    svd = np.linalg.svd

    def low_svd(a, *args, **kwargs):
        out = svd(a, *args, **kwargs)
        if np.shape(a) != (8, 8):
            return out
        if kwargs.get("compute_uv", True) is False:
            return out * (1 - 1e-9)
        return out[0], out[1] * (1 - 1e-9), out[2]

    monkeypatch.setattr(np.linalg, "svd", low_svd)
    assert nuclear_certificate(K) >= 2
    r = delta_from_k(K, 3)
    assert r.lower <= 2 <= r.upper


def test_werner_holevo_bracket_stays_open():
    """The README's example of a bracket that does not close: the Werner–Holevo cost at dA = 3 (Lemma
    12.2; K = -diag(s_a), Δ = 4) keeps a relative width of about 6.7 % (level 2: [4, 4.286])."""
    G = orthonormal_traceless_basis(3)
    s = np.array([1.0 if np.allclose(g.imag, 0) else -1.0 for g in G])
    r = delta_from_k(-np.diag(s), 3)
    assert r.lower <= 4 <= r.upper and r.certificate == "sdp-level2"
    assert 0.06 < r.gap < 0.075 and abs(r.upper - 4.286) < 1e-3
