"""Tests of theory/finite_depth.py: the API, its checks, and agreement with independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from weingarten_check.experiments import instances
from weingarten_check.experiments.tasks import task_spec
from weingarten_check.theory import bounds, task_moments
from weingarten_check.theory import finite_depth as fd


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"ensemble": "brick"}, "ensemble"),
        ({"task": "vqa"}, "task"),
        ({"case": "v3"}, "case"),
        ({"ensemble": "brickwork", "layers": None}, "layers"),
        ({"ensemble": "haar", "layers": 3}, "layers"),
        ({"ensemble": "local1", "layers": 3}, "layers"),
        ({"layers": 0}, "layers"),
        ({"ensemble": "hea", "q": 3}, "q"),
        ({"ensemble": "real-hea", "q": 3}, "q"),
        ({"sites": (0, 2)}, "sites"),
        ({"sites": (5, 6)}, "sites"),
        ({"sites": (1, 2), "site": 3}, "site"),
        ({"ensemble": "hea", "sites": (0, 1)}, "sites"),
        ({"ensemble": "orthogonal", "layers": None, "sites": (0, 1)}, "sites"),
        ({"ensemble": "clifford", "layers": None, "q": 3}, "q"),
        ({"site": 6}, "site"),
        ({"site": -1}, "site"),
        ({"n": 2}, "n"),
        ({"ensemble": "hea", "n": 7}, "n"),
        ({"ensemble": "hea", "n": 6, "case": "both"}, "n"),
        ({"ensemble": "real-hea", "n": 7}, "n"),
        ({"ensemble": "real-hea", "n": 6, "task": "qsl"}, "n"),
        ({"ensemble": "real-hea", "layers": None}, "layers"),
        ({"n": 4.0}, "n"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    args = {"task": "vqe", "case": "v1", "ensemble": "brickwork", "n": 6, "layers": 2, "q": 2, "site": 0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        fd.finite_depth_moment(**args)


def test_haar_and_clifford_are_lemma_9():
    for task in ("vqe", "qae"):
        for case in ("v1", "v2", "both"):
            ref = task_moments.expected_K_frobenius_sq_task(task, case, 5, q=3)
            assert fd.finite_depth_moment(task, case, "haar", 5, q=3).value == ref
            assert fd.finite_depth_moment(task, case, "clifford", 5).value == task_moments.expected_K_frobenius_sq_task(
                task, case, 5
            )
    assert fd.finite_depth_moment("qsl", "both", "haar", 6).value == bounds.expected_M_frobenius_sq(6, 1, 2)
    # the ring is translation invariant: every site gives the site-0 value
    assert fd.two_design_value("vqe", "v2", 6, site=4) == fd.two_design_value("vqe", "v2", 6)


def test_qae_away_from_R_has_no_K_when_V2_is_identity():
    """QAE's H = I - |0><0|_R ⊗ I acts as I on A ≠ R, so h_a = 0 and K = 0 for V2 = I (every circuit)."""
    assert fd.two_design_value("qae", "v1", 5, site=2) == 0
    assert fd.finite_depth_moment("qae", "v1", "brickwork", 5, 3, site=2).value == 0
    spec = task_spec("qae", 5, site=2)
    assert np.allclose(instances.sample_cost_matrices(spec, "haar", "v1", 0).K, 0)


def test_delta_bound_is_lemma_3_4_and_7_4():
    r = fd.finite_depth_moment("vqe", "v1", "brickwork", 8, 3)
    assert r.delta_bound == pytest.approx(2 * math.sqrt(2) * math.sqrt(float(r.value)), rel=1e-14)
    s = fd.finite_depth_moment("qsl", "v1", "hea", 3, 2)
    assert s.delta_bound == pytest.approx(2 * float(s.value), rel=1e-14)  # Δ = ||M||_1² <= dA ||M||_F²
    h = fd.finite_depth_moment("vqe", "v1", "haar", 4, q=3)
    assert h.delta_bound == pytest.approx(math.sqrt(2) * 3 * math.sqrt(float(h.value)), rel=1e-14)


@pytest.mark.parametrize(
    ("ensemble", "n", "Lmax"), [("brickwork", 5, 6), ("brickwork", 6, 5), ("hea", 3, 3), ("real-hea", 3, 3)]
)
def test_series_equals_single_depths(ensemble, n, Lmax):
    """One pass per residue of L (the series) gives what a separate pass per depth gives."""
    for task in ("vqe", "qae", "qsl"):
        for case in ("v1", "v2", "both"):
            series = fd.finite_depth_series(task, case, ensemble, n, Lmax)
            singles = [fd.finite_depth_moment(task, case, ensemble, n, L).value for L in range(1, Lmax + 1)]
            assert list(series) == singles


def test_values_are_exact():
    v = fd.finite_depth_moment("vqe", "v1", "brickwork", 7, 4).value
    assert isinstance(v, sp.Rational)
    w = fd.finite_depth_moment("vqe", "v1", "hea", 4, 1).value  # R_y(π/4) brings √2 (Lemma 14.2)
    b = sp.expand(w).coeff(sp.sqrt(2))
    a = sp.expand(w - b * sp.sqrt(2))
    assert a.is_Rational and b.is_Rational and b != 0


@pytest.mark.parametrize("ensemble", ["hea", "real-hea"])
def test_float_hea_is_within_its_bound(monkeypatch, ensemble):
    """The float64 path (used at n = 6) against the exact values at n = 4, 5: inside the error bound."""
    for n, L, task, case in ((4, 6, "vqe", "v1"), (4, 4, "qae", "v2"), (5, 2, "vqe", "v2")):
        exact = fd.finite_depth_moment(task, case, ensemble, n, L).value
        monkeypatch.setattr(fd, "HEA_MAX_N", 3)
        r = fd.finite_depth_moment(task, case, ensemble, n, L)
        monkeypatch.undo()
        assert not r.exact and r.stderr is None and 0 < r.error_bound < 1e-9
        assert abs(r.value - float(exact)) <= r.error_bound


def test_layers_to_within_definition():
    L1 = fd.layers_to_within("vqe", "v1", "brickwork", 4, rel=0.01, max_layers=40)
    series = fd.finite_depth_series("vqe", "v1", "brickwork", 4, 40)
    h = fd.two_design_value("vqe", "v1", 4)
    inside = [abs(v - h) <= h / 100 for v in series]
    assert all(inside[L1 - 1 :]) and not inside[L1 - 2]
    assert fd.layers_to_within("vqe", "v1", "brickwork", 4, rel=0.01, max_layers=L1 - 1) is None
    with pytest.raises(ValueError, match="rel"):
        fd.layers_to_within("vqe", "v1", "brickwork", 4, rel=0)
    with pytest.raises(ValueError, match="depth series"):
        fd.finite_depth_series("vqe", "v1", "haar", 4, 3)


def test_local1_is_a_one_design_but_not_two():
    """One rotation layer: E||M||_F² = dA/d (a 1-design, Lemma 7.3) but E||K||_F² is not Lemma 9's value."""
    for case in ("v1", "v2", "both"):
        assert fd.finite_depth_moment("qsl", case, "local1", 5).value == sp.Rational(2, 2**5)
    assert fd.finite_depth_moment("vqe", "v1", "local1", 5).value != fd.two_design_value("vqe", "v1", 5)


# ------------------------------------------------------------------------------------------ Monte Carlo
MC_POINTS = [
    ("hea", "vqe", "v1", 4, 3, 0),
    ("hea", "vqe", "v2", 5, 2, 0),
    ("hea", "qae", "both", 4, 2, 0),
    ("hea", "qsl", "v1", 4, 1, 0),
    ("brickwork", "vqe", "v1", 6, 3, 0),
    ("brickwork", "vqe", "both", 4, 2, 1),
    ("brickwork", "qae", "v2", 5, 3, 0),
    ("brickwork", "qsl", "both", 5, 1, 2),
]


@pytest.mark.slow
@pytest.mark.parametrize(("ensemble", "task", "case", "n", "L", "site"), MC_POINTS)
def test_monte_carlo_agrees(ensemble, task, case, n, L, site):
    """Exact statevector samples (the library's samplers, brickwork included, and its K/M computation), 2000
    draws, seed 16: |z| < 4."""
    exact = float(fd.finite_depth_moment(task, case, ensemble, n, L, site=site).value)
    spec = task_spec(task, n, site=site)
    rng = np.random.default_rng(16)
    xs = []
    for _ in range(2000):
        m = instances.sample_cost_matrices(spec, ensemble, case, rng, layers=L)
        xs.append(np.sum(np.abs(m.M) ** 2) if task == "qsl" else np.sum(m.K**2))
    xs = np.array(xs)
    se = xs.std(ddof=1) / np.sqrt(len(xs))
    assert abs(xs.mean() - exact) < 4 * se + 1e-12


def test_orthogonal_moments_are_lemma_16_and_match_bounds_for():
    """ensemble "orthogonal" (Haar on O(d)): exact Rationals — VQE v1 20/(d + 2) (Lemma 16.5) — and the E[Δ]
    bound equals the sweeps' O(d) bound (experiments.tasks.bounds_for) for every task and case; QSL dA/d."""
    import sympy as sp

    from weingarten_check.experiments.tasks import bounds_for, task_spec
    from weingarten_check.theory.finite_depth import finite_depth_moment

    assert finite_depth_moment("vqe", "v1", "orthogonal", 5).value == sp.Rational(20, 34)
    for task in ("vqe", "qae", "qsl"):
        for case in ("v1", "v2", "both"):
            r = finite_depth_moment(task, case, "orthogonal", 4)
            assert isinstance(r.value, sp.Rational)
            if task == "qsl":
                assert r.value == sp.Rational(2, 16)
                continue
            b = bounds_for(task_spec(task, 4), "orthogonal", case)[0]["orthogonal_task_dependent"]
            assert r.delta_bound == pytest.approx(b, rel=1e-12)


# ------------------------------------------------------------------------------------------ real-hea
def test_real_hea_is_rational_and_differs_from_hea_and_the_designs():
    """R_Y(θ) with uniform θ absorbs the R_y(π/4) layer (θ + π/4 is uniform too), so the values are rational
    (no √2, unlike the HEA), and they are neither the HEA's nor Lemma 9's nor the O(d) value (Lemma 14.6)."""
    for task, case in (("vqe", "v1"), ("vqe", "v2"), ("qae", "both"), ("qsl", "v1")):
        v = fd.finite_depth_moment(task, case, "real-hea", 4, 3).value
        assert isinstance(v, sp.Rational)
        assert v != fd.finite_depth_moment(task, case, "hea", 4, 3).value
    v = fd.finite_depth_moment("vqe", "v1", "real-hea", 4, 12).value
    assert v not in (fd.two_design_value("vqe", "v1", 4), fd.finite_depth_moment("vqe", "v1", "orthogonal", 4).value)


def test_real_hea_points_and_series_agree():
    pts = fd.finite_depth_points("qae", "v2", "real-hea", 4, [1, 3])
    series = fd.finite_depth_series("qae", "v2", "real-hea", 4, 3)
    assert [p.value for p in pts] == [series[0], series[2]] and all(p.exact for p in pts)


REAL_HEA_MC_POINTS = [
    ("vqe", "v1", 3, 2, 0),
    ("vqe", "v1", 4, 8, 0),
    ("vqe", "v2", 4, 3, 1),
    ("qae", "both", 3, 2, 0),
    ("vqe", "v1", 5, 5, 2),
]


@pytest.mark.slow
@pytest.mark.parametrize(("task", "case", "n", "L", "site"), REAL_HEA_MC_POINTS)
def test_real_hea_monte_carlo_agrees(task, case, n, L, site):
    """The library sampler (sample_cost_matrices with "real-hea", layers = L), 2000 draws, seed 18: |z| < 4."""
    exact = float(fd.finite_depth_moment(task, case, "real-hea", n, L, site=site).value)
    spec = task_spec(task, n, site=site)
    rng = np.random.default_rng(18)
    xs = np.array(
        [np.sum(instances.sample_cost_matrices(spec, "real-hea", case, rng, layers=L).K ** 2) for _ in range(2000)]
    )
    se = xs.std(ddof=1) / np.sqrt(len(xs))
    assert abs(xs.mean() - exact) < 4 * se


# ------------------------------------------------------------------------------------------ any q, m = 2
def test_unit_labels_give_the_pauli_values_for_qubits():
    """The matrix-unit route (used for q >= 3) run at q = 2 gives exactly the Pauli-pair route's values."""
    from fractions import Fraction

    from weingarten_check.circuits import second_moments as sm

    n, L = 5, 3
    layers = sm.brickwork_layers(n, L, 2)
    zero = [sm.zero_state_functional(2)] * n
    for task, A in (("vqe", (0,)), ("vqe", (1, 2)), ("qae", (0,)), ("qae", (0, 1))):  # QAE: R = site 0 in A
        vals = []
        for units in (False, True):
            X = sm.apply_projection_A(fd.h_tensor_h(task, n, A, True, 2, units=units), A, 2)
            vals.append(sm.pair_with_product_state(sm.propagate(X, layers, heisenberg=True), zero))
        assert vals[0] == vals[1] != Fraction(0)
        assert vals[0] == fd.finite_depth_moment(task, "v1", "brickwork", n, L, sites=A).value


def test_qudit_values_are_exact_and_shallow_depth_is_n_independent():
    """q = 3: exact Rationals; at L = 2 the VQE v1 value is the same for n = 8, 10, 12 (light cones, Lemma 14.5)."""
    vals = {fd.finite_depth_moment("vqe", "v1", "brickwork", n, 2, q=3).value for n in (8, 10, 12)}
    assert len(vals) == 1 and next(iter(vals)).is_Rational
    with pytest.raises(ValueError, match=r"\bq\b"):
        fd.finite_depth_moment("vqe", "v1", "clifford", 4, q=3)


def test_qudit_brickwork_converges_to_lemma_9():
    """q = 3, n = 6: the exact series decreases (each parity) towards 512/(9(d+1)) and is within 1e-12 of it by
    L = 60; layers_to_within finds where it stays within 1 %."""
    h = fd.two_design_value("vqe", "v1", 6, q=3)
    assert h == task_moments.expected_K_frobenius_sq_task("vqe", "v1", 6, 1, 3) == sp.Rational(512, 9 * (3**6 + 1))
    s = fd.finite_depth_series("vqe", "v1", "brickwork", 6, 60, q=3)
    gaps = [v - h for v in s]
    assert all(g > 0 for g in gaps) and all(gaps[L + 1] < gaps[L - 1] for L in range(1, 59))
    assert gaps[-1] < sp.Rational(1, 10**12) * h
    L1 = fd.layers_to_within("vqe", "v1", "brickwork", 6, q=3, max_layers=60)
    assert abs(s[L1 - 1] - h) <= h / 100 < abs(s[L1 - 2] - h)


def test_two_sites_values_bound_and_limit():
    """m = 2 (A = sites 1, 2): the E[Δ] bound is sqrt(2)·4·sqrt(E||K||²); QSL E||M||² of a 1-design layer is dA/d;
    the series approaches the m = 2 two-design value."""
    r = fd.finite_depth_moment("vqe", "v1", "brickwork", 5, 3, sites=(1, 2))
    assert r.m == 2 and r.sites == (1, 2) and r.site == 1
    assert r.delta_bound == pytest.approx(math.sqrt(2) * 4 * math.sqrt(float(r.value)), rel=1e-14)
    assert fd.finite_depth_moment("qsl", "v1", "local1", 5, q=3, sites=(0, 1)).value == sp.Rational(9, 3**5)
    h = fd.two_design_value("qae", "both", 5, sites=(1, 2))
    s = fd.finite_depth_series("qae", "both", "brickwork", 5, 30, sites=(1, 2))
    assert abs(float(s[-1] - h)) < 1e-6 * float(h) and abs(float(s[9] - h)) > abs(float(s[-1] - h))


def _first_moment_twirl(X: np.ndarray, n: int, q: int, sites) -> np.ndarray:
    """E[U X U†] for a Haar U on ``sites`` (consecutive): tr over the sites, times I/D (a 1-design)."""
    D = q ** len(sites)
    a = sites[0]
    left, right = q**a, q ** (n - a - len(sites))
    T = X.reshape(left, D, right, left, D, right)
    red = np.einsum("aibcid->abcd", T) / D
    return np.einsum("abcd,ij->aibcjd", red, np.eye(D)).reshape(X.shape)


def test_qudit_qsl_first_moments_match_dense():
    """QSL (E||M||_F², first moments only) for the qutrit brickwork, A = site 0 or sites (0, 1): equals
    ``tr_B[tr_A E(φ2φ2†) tr_A E(ψ1ψ1†)]`` with the averages computed densely gate by gate (ψ1 = V1|0…0>,
    φ2 = V2†|0…0>, the other one fixed to |0…0>).  One layer on n = 3: site 2 idles, so the averages are not
    maximally mixed and the values are not just dA/d (a layer covering every site gives dA/d)."""
    n, q, L = 3, 3, 1
    d = q**n
    gates = [[(i, i + 1) for i in range(0 if ell % 2 else 1, n - 1, 2)] for ell in range(1, L + 1)]
    rho = np.zeros((d, d))
    rho[0, 0] = 1
    psi = rho
    for layer in gates:
        for g in layer:
            psi = _first_moment_twirl(psi, n, q, g)
    phi = rho
    for layer in reversed(gates):
        for g in layer:
            phi = _first_moment_twirl(phi, n, q, g)
    for A in ((0,), (0, 1)):
        dA = q ** len(A)
        dB = d // dA

        def trA(X, dA=dA, dB=dB):
            return np.einsum("iaib->ab", X.reshape(dA, dB, dA, dB))

        for case, (x, y) in {"v1": (rho, psi), "v2": (phi, rho), "both": (phi, psi)}.items():
            want = np.trace(trA(x) @ trA(y)).real
            got = fd.finite_depth_moment("qsl", case, "brickwork", n, L, q=3, sites=A).value
            assert got.is_Rational and abs(float(got) - want) < 1e-12
    assert fd.finite_depth_moment("qsl", "v1", "brickwork", n, L, q=3).value != sp.Rational(q, d)


QUDIT_MC_POINTS = [
    ("vqe", "v1", 4, 2, 3, None),
    ("qae", "v2", 3, 3, 3, None),
    ("vqe", "both", 4, 1, 3, None),
    ("vqe", "v1", 4, 2, 2, (0, 1)),
    ("qae", "both", 4, 3, 2, (1, 2)),
    ("vqe", "v2", 3, 2, 3, (0, 1)),
    ("qsl", "both", 3, 1, 3, None),
]


@pytest.mark.slow
@pytest.mark.parametrize(("task", "case", "n", "L", "q", "sites"), QUDIT_MC_POINTS)
def test_qudit_and_two_site_monte_carlo_agrees(task, case, n, L, q, sites):
    """The library's brickwork sampler (exact Haar 2-qudit gates), K (QSL: M) from the reduced state, 2000 draws,
    seed 19: |z| <= 3."""
    exact = float(fd.finite_depth_moment(task, case, "brickwork", n, L, q=q, sites=sites).value)
    spec = task_spec(task, n, q=q, sites=sites)
    rng = np.random.default_rng(19)
    attr = "M" if task == "qsl" else "K"
    xs = np.array(
        [
            np.sum(np.abs(getattr(instances.sample_cost_matrices(spec, "brickwork", case, rng, layers=L), attr)) ** 2)
            for _ in range(2000)
        ]
    )
    se = xs.std(ddof=1) / np.sqrt(len(xs))
    z = (xs.mean() - exact) / se
    print(
        f"{task} {case} n={n} L={L} q={q} sites={sites}: exact {exact:.6g}, MC {xs.mean():.6g} ± {se:.2g}, z = {z:+.2f}"
    )
    assert abs(z) <= 3
