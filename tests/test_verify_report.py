"""The verify report (weingarten_check.reporting.verify_report): verdicts, failure detection, Markdown/JSON output."""

from __future__ import annotations

import json
import math
import sys
import types
from dataclasses import dataclass

import numpy as np
import pytest

from weingarten_check.reporting import verify_report as rp


@dataclass
class FakeLemma:
    lemma: str
    statement: str
    dimensions: str
    status: str
    seconds: float


@dataclass
class FakeEstimate:
    mean: float
    stderr: float
    ci95: tuple
    w: float
    bounds: dict
    values: np.ndarray = None


def install_fakes(monkeypatch, statuses=("passed", "passed"), mean=0.1, bound=0.5, calls=None):
    proofs = types.ModuleType("weingarten_check.reporting.proofs_report")
    proofs.run_proofs = lambda extra_pytest_args=(): [
        FakeLemma(f"L{i}", "Δ ≤ bound", "q ≥ 2", s, 0.5) for i, s in enumerate(statuses)
    ]
    exps = types.ModuleType("weingarten_check.experiments.estimate")

    def estimate(task, ensemble, case, n, q=2, samples=100, seed=0, **kw):
        if calls is not None:
            calls.append((task, ensemble, case, n, q, samples, seed))
        return FakeEstimate(
            mean, 0.01, (mean - 0.02, mean + 0.02), 1.0, {"paper_theorem1": 10.0, "task_dependent": bound, "n/a": None}
        )

    exps.estimate_variation_range = estimate
    monkeypatch.setitem(sys.modules, "weingarten_check.reporting.proofs_report", proofs)
    monkeypatch.setitem(sys.modules, "weingarten_check.experiments.estimate", exps)


POINTS = [("vqe", "haar", "v1", 2, 4), ("qsl", "local1", "v1", 3, 3)]


@pytest.mark.parametrize(
    "ci, bound, verdict",
    [((0.1, 0.2), 0.2, "below"), ((0.1, 0.2), 0.15, "consistent"), ((0.1, 0.2), 0.0999, "VIOLATED")],
)
def test_bound_verdict(ci, bound, verdict):
    assert rp.bound_verdict(ci, bound) == verdict


@pytest.mark.parametrize(
    "lower_ci, upper_ci, bound, verdict",
    [
        ((0.1, 0.2), (0.3, 0.4), 0.5, "below"),
        ((0.1, 0.2), (0.3, 0.4), 0.25, "consistent"),
        ((0.1, 0.2), (0.3, 0.4), 0.15, "consistent"),
        ((0.1, 0.2), (0.3, 0.4), 0.09, "VIOLATED"),
    ],
)
def test_bound_verdict_for_brackets(lower_ci, upper_ci, bound, verdict):
    """A bracketed Δ is certified below only by its upper ends, violated only by its lower ends."""
    assert rp.bound_verdict(lower_ci, bound, upper_ci) == verdict


def test_passing_report_written_as_markdown_and_json(monkeypatch, tmp_path):
    calls = []
    install_fakes(monkeypatch, calls=calls)
    rep = rp.run_verify(points=POINTS, samples=50, seed=3)
    assert rep.ok and rep.failures == []
    # one base seed for every point: experiments.sample_rng mixes in the configuration and n
    assert calls == [("vqe", "haar", "v1", 4, 2, 50, 3), ("qsl", "local1", "v1", 3, 3, 50, 3)]
    assert [c.verdicts for c in rep.numerics][0] == {"paper_theorem1": "below", "task_dependent": "below"}
    md, js = rp.write_report(rep, tmp_path / "results")
    text = md.read_text()
    assert "**PASS**" in text and "## Lemmas (proofs/): 2/2 pass" in text
    assert "| L0 | Δ ≤ bound | q ≥ 2 | passed | 0 | 0 | 0.5 |" in text
    # the n → ∞ cell: c/scale = 10.875.../sqrt(16) (Lemma 15) and z = (4 · 0.1 - c)/(4 · 0.01)
    assert (
        "| vqe | haar | v1 | 2 | 4 | 1.0000 | 0.1000 ± 0.0100 | 10.0000 (0.01) | — | 0.5000 (0.20) | 2.7188 (-261.9) "
        "| below |" in text
    )
    data = json.loads(js.read_text())
    assert data["ok"] is True and len(data["lemmas"]) == 2 and len(data["numerics"]) == 2
    assert data["numerics"][1]["q"] == 3 and data["numerics"][0]["ci95"] == pytest.approx([0.08, 0.12])


def test_failing_lemma_fails_the_report(monkeypatch):
    install_fakes(monkeypatch, statuses=("passed", "failed"))
    rep = rp.run_verify(points=POINTS, samples=10)
    assert not rep.ok and rep.failures == ["lemma L1: failed"]
    assert "**FAIL**" in rp.format_markdown(rep)


def test_violated_bound_fails_the_report(monkeypatch):
    install_fakes(monkeypatch, mean=0.3, bound=0.2)  # CI [0.28, 0.32] entirely above 0.2
    rep = rp.run_verify(points=POINTS[:1], samples=10)
    assert rep.failures == ["vqe/haar/v1 q=2 n=4: E[Δ] above task_dependent"]
    assert "**VIOLATED**" in rp.format_markdown(rep)


def test_errors_in_a_part_are_recorded_not_raised(monkeypatch):
    install_fakes(monkeypatch)

    def boom(**kw):
        raise RuntimeError("pytest not found")

    sys.modules["weingarten_check.reporting.proofs_report"].run_proofs = boom
    rep = rp.run_verify(points=POINTS[:1], samples=10)
    assert not rep.ok
    assert rep.failures == ["lemma suite could not run: RuntimeError: pytest not found"]


def test_empty_lemma_suite_is_a_failure(monkeypatch):
    install_fakes(monkeypatch, statuses=())
    rep = rp.run_verify(numerics=False, samples=10)
    assert rep.failures == ["lemma suite: no lemma was run"]


def test_nothing_checked_is_never_a_pass(monkeypatch):
    """Issue 11: `verify --q 4 --no-lemmas` printed "running 0 numerical checks" then PASS."""
    install_fakes(monkeypatch)
    rep = rp.run_verify(lemmas=False, points=(), samples=10)
    assert not rep.ok and rep.failures == ["numerics: no numerical check point was selected, so nothing was checked"]
    with pytest.raises(ValueError, match="nothing to verify"):
        rp.run_verify(lemmas=False, numerics=False, samples=10)
    assert 4 in rp.supported_qs() and set(rp.DEFAULT_QS) < set(rp.supported_qs())


def test_xfail_lemma_is_a_failure(monkeypatch):
    """verify and proofs share the pass rule: an expected failure (xfail) does not prove a lemma."""
    install_fakes(monkeypatch, statuses=("passed", "xfail"))
    rep = rp.run_verify(numerics=False, samples=10)
    assert not rep.ok and rep.failures == ["lemma L1: xfail"]


def test_samples_validated():
    with pytest.raises(ValueError, match=r"samples \(a CI needs two\) must be an int >= 2"):
        rp.run_verify(samples=1)


def test_real_numerics_small():
    """Integration with experiments.estimate_variation_range (exact and bracketed Δ), no lemmas."""
    pytest.importorskip("weingarten_check.experiments.estimate")
    points = [("vqe", "haar", "v1", 2, 4), ("qae", "haar", "v1", 3, 3), ("qsl", "local1", "v1", 2, 3)]
    rep = rp.run_verify(lemmas=False, points=points, samples=12, seed=5)
    assert rep.ok, rep.failures
    vqe, qae3, qsl = rep.numerics
    assert vqe.exact and {"paper_theorem1", "qudit_theorem1", "task_dependent"} <= set(vqe.bounds)
    assert not qae3.exact and qae3.upper_mean >= qae3.mean and "paper_theorem1" not in qae3.bounds
    assert qsl.exact and "proposition2" in qsl.bounds
    text = rp.format_markdown(rep)
    assert "†" in text
    # the upper ends are SDP certificates or the exact nuclear bound 2||K||_* (e.g. a rank-one K at dA = 3):
    # the note must not call every one an SDP certificate
    assert "SDP dual certificate of level 1 or 2, or the exact nuclear-norm bound 2||K||_*" in text


# ------------------------------------------------------------------ two-sided column (Lemma 11)
@pytest.mark.parametrize(
    "ci, upper_ci, lower, upper, verdict",
    [
        ((0.1, 0.2), None, 0.15, 0.3, "inside [lower, upper]"),
        ((0.1, 0.2), None, 0.21, 0.3, "BELOW LOWER"),
        ((0.1, 0.2), None, 0.01, 0.05, "above upper"),
        ((0.1, 0.2), (0.3, 0.4), 0.25, 0.5, "inside [lower, upper]"),
        ((0.1, 0.2), (0.3, 0.4), 0.41, 0.5, "BELOW LOWER"),
    ],
)
def test_band_verdict(ci, upper_ci, lower, upper, verdict):
    assert rp.band_verdict(ci, lower, upper, upper_ci) == verdict


def test_lower_bound_column_and_failure(monkeypatch):
    install_fakes(monkeypatch)
    exps = sys.modules["weingarten_check.experiments.estimate"]
    inner = exps.estimate_variation_range

    def with_lower(*a, **kw):
        est = inner(*a, **kw)
        est.lower_bounds = {"fourth_moment": lower_value}
        return est

    exps.estimate_variation_range = with_lower
    lower_value = 0.05  # CI [0.08, 0.12], upper 0.5: inside
    rep = rp.run_verify(points=POINTS[:1], samples=10, lemmas=False)
    assert rep.ok and rep.numerics[0].band == "inside [lower, upper]"
    text = rp.format_markdown(rep)
    assert (
        "lower (4th moment)" in text
        and "| vqe | v1 | 2 | 4 | 0.0500 | 0.1000 ± 0.0100 | 0.5000 | 2.00 | 0.20 | inside [lower, upper] |" in text
    )
    lower_value = 0.2  # CI entirely below the lower bound: the report fails
    rep = rp.run_verify(points=POINTS[:1], samples=10, lemmas=False)
    assert not rep.ok and rep.failures == ["vqe/haar/v1 q=2 n=4: E[Δ] below the lower bound 0.2"]


def test_real_numerics_two_sided():
    """Exact Haar VQE/QAE points carry the fourth-moment lower bound and land inside the band."""
    rep = rp.run_verify(
        lemmas=False,
        points=[("vqe", "haar", "v1", 2, 6), ("qae", "haar", "both", 2, 4), ("vqe", "hea", "v1", 2, 4)],
        samples=60,
        seed=1,
    )
    assert rep.ok, rep.failures
    vqe, qae, hea = rep.numerics
    assert vqe.band == qae.band == "inside [lower, upper]"
    assert hea.lower_bounds == {} and hea.band == ""


def test_every_task_and_case_has_points_for_qudits_and_two_qubits():
    """Issue 8: verify shows the certified value for q = 3, 4 and for qubits with m = 2, for every
    task (vqe, qae, qsl) and case (v1, v2, both)."""
    from weingarten_check.reporting.verify_report import DEFAULT_POINTS

    for q, m in ((3, 1), (4, 1), (2, 2)):
        have = {(p.config.task, p.config.case) for p in DEFAULT_POINTS if (p.config.q, p.config.m) == (q, m)}
        assert have == {(t, c) for t in ("vqe", "qae", "qsl") for c in ("v1", "v2", "both")}, (q, m)


def test_run_verify_default_points_are_what_plain_verify_runs(monkeypatch):
    """run_verify() without points runs default_points() — q = 2, 3 and m = 1, as `weingarten-check
    verify` does (the README's verify block is generated by run_verify(); it ran the q = 4 and m = 2
    points too before)."""
    from weingarten_check.reporting import verify_report as rp

    seen = []
    monkeypatch.setattr(
        rp, "_run_numeric", lambda point, samples, seed: seen.append(point) or (_ for _ in ()).throw(RuntimeError("x"))
    )
    rp.run_verify(lemmas=False, samples=2)
    assert seen == rp.default_points()
    assert {p.config.q for p in seen} == set(rp.DEFAULT_QS) and {p.config.m for p in seen} == {1}
    assert len(rp.default_points((4,), (1,))) == 10 and len(rp.default_points((2,), (2,))) == 18


def test_finite_depth_rows_are_the_exact_hea_moment_at_10n(monkeypatch):
    """verify's finite-depth rows: E||K||_F² of the paper's HEA at L = 10 n from theory.finite_depth, its
    2-design value 18/(d+1) and their ratio; shown in the Markdown and the JSON, never a failure; on by
    default only for the default points."""
    import sympy as sp

    from weingarten_check.reporting import verify_report as rp
    from weingarten_check.theory.finite_depth import finite_depth_moment

    (row,) = rp.finite_depth_rows([3])
    exact = finite_depth_moment("vqe", "v1", "hea", 3, 30).value
    assert row["layers"] == 30 and sp.simplify(sp.sympify(row["value"]) - exact) == 0
    assert sp.sympify(row["two_design"]) == sp.Rational(18, 9)  # 18/(d+1), d = 8 (Lemma 9.2)
    assert row["ratio"] == pytest.approx(float(exact) / 2, rel=1e-12) and row["ratio"] != 1
    assert row["delta_bound"] == pytest.approx(2 * 2**0.5 * float(exact) ** 0.5, rel=1e-12)

    monkeypatch.setattr(rp, "finite_depth_rows", lambda: [dict(row, ratio=1.7)])
    monkeypatch.setattr(rp, "_run_numeric", lambda point, samples, seed: (_ for _ in ()).throw(RuntimeError("x")))
    rep = rp.run_verify(lemmas=False, samples=2)
    assert rep.finite_depth and rep.as_dict()["finite_depth"][0]["ratio"] == 1.7
    text = rp.format_markdown(rep)
    assert "## Finite depth" in text and "| vqe | v1 | 3 | 30 |" in text and "1.70000" in text
    assert not any("finite" in f for f in rep.failures)  # a row, not a failure
    rep2 = rp.run_verify(lemmas=False, samples=2, points=[("qsl", "local1", "v1", 2, 3)])
    assert rep2.finite_depth == []


def test_orthogonal_rows_are_checked_against_the_orthogonal_bound():
    """The default points hold orthogonal rows at n = 8 (qubits); such a row carries the O(d) bound of
    Lemma 16 and none of the unitary 2-design bounds, shows it in the task-dependent column, and passes."""
    pts = [p for p in rp.DEFAULT_POINTS if p.config.ensemble == "orthogonal"]
    assert len(pts) >= 2 and all(p.n == 8 and p.config.q == 2 for p in pts)
    assert set(pts) <= set(rp.default_points())
    rep = rp.run_verify(lemmas=False, points=[("vqe", "orthogonal", "v1", 2, 6)], samples=30, seed=3)
    assert rep.ok, rep.failures
    (row,) = rep.numerics
    assert set(row.bounds) == {"orthogonal_task_dependent"} and row.verdicts["orthogonal_task_dependent"] != "VIOLATED"
    text = rp.format_markdown(rep)
    assert "`orthogonal`: exact Haar on O(d)" in text
    assert f"{rp._fmt(row.bounds['orthogonal_task_dependent'])} (" in text


def test_prediction_column_is_c_over_scale_for_exact_haar_rows():
    """The n → ∞ column: Lemma 15's c/scale at the row's n and the z-score of E[Δ] against it, for exact-Haar
    rows with A = site 0 only (a dash for hea, for A elsewhere, and for q = 5 where no constant is stored)."""
    from weingarten_check.experiments.tasks import RunConfig
    from weingarten_check.theory.asymptotics import asymptotic_constant

    c12 = float(asymptotic_constant("vqe", "v1", 2).c) / math.sqrt(2**12)
    check = rp.NumericCheck(RunConfig("vqe", "haar", "v1"), 12, 200, 12.0, c12 + 0.002, 0.001, (0.0, 1.0), {})
    assert rp._prediction_cell(check) == f"{rp._fmt(c12)} (+2.0)"
    for other in (
        rp.NumericCheck(RunConfig("vqe", "hea", "v1"), 12, 200, 12.0, c12, 0.001, (0.0, 1.0), {}),
        rp.NumericCheck(RunConfig("vqe", "haar", "v1", site=1), 12, 200, 12.0, c12, 0.001, (0.0, 1.0), {}),
        rp.NumericCheck(RunConfig("vqe", "haar", "v1", q=5), 3, 200, 12.0, c12, 0.001, (0.0, 1.0), {}),
    ):
        assert rp._prediction_cell(other) == "—"
    rep = rp.VerifyReport([], [check], [], "2024-01-01 00:00:00 UTC", 1.0, {})
    text = rp.format_markdown(rep)
    assert "n → ∞: c/scale (z)" in text and f"{rp._fmt(c12)} (+2.0)" in text and rep.ok
