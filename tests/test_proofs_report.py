"""Tests of weingarten_check.reporting.proofs_report (grouping, table, and a real run of two lemmas)."""

from __future__ import annotations

import pytest

from weingarten_check.reporting.proofs_report import (
    LemmaResult,
    ProofsRunError,
    collect_results,
    default_proofs_dir,
    format_table,
    lemma_passed,
    lemma_run_passed,
    run_proofs,
)

RECORDS = [
    {
        "lemma": "10.1",
        "statement": "late",
        "dimensions": "x",
        "mutant": False,
        "outcome": "passed",
        "seconds": 1.0,
        "nodeid": "a",
    },
    {
        "lemma": "2.1",
        "statement": "decomp",
        "dimensions": "dA=2",
        "mutant": False,
        "outcome": "passed",
        "seconds": 0.5,
        "nodeid": "b",
    },
    {
        "lemma": "2.1",
        "statement": "mutant: w",
        "dimensions": "dA=2",
        "mutant": True,
        "outcome": "passed",
        "seconds": 0.25,
        "nodeid": "c",
    },
    {
        "lemma": "2.1",
        "statement": "decomp b",
        "dimensions": "dA=3",
        "mutant": False,
        "outcome": "passed",
        "seconds": 0.25,
        "nodeid": "d",
    },
    {
        "lemma": "3.2",
        "statement": "qubit",
        "dimensions": "dA=2",
        "mutant": False,
        "outcome": "failed",
        "seconds": 2.0,
        "nodeid": "e",
    },
]


def test_collect_results_groups_and_orders():
    res = collect_results(RECORDS)
    assert [r.lemma for r in res] == ["2.1", "3.2", "10.1"]  # numeric, not lexicographic
    r21 = res[0]
    assert r21.statement == "decomp" and r21.dimensions == "dA=2; dA=3"
    assert (r21.tests, r21.mutants, r21.status) == (2, 1, "passed")
    assert r21.seconds == pytest.approx(1.0)
    assert res[1].status == "FAILED" and res[1].failed_tests == ["e"]


def test_collect_results_rejects_bad_record():
    with pytest.raises(ValueError, match="missing the key 'outcome'"):
        collect_results([{"lemma": "1", "seconds": 0}])


def test_format_table():
    text = format_table(collect_results(RECORDS))
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["lemma", "statement"]
    assert any(l.startswith("2.1") and "passed" in l and "2+1m" in l for l in lines)
    assert any(l.startswith("3.2") and "FAILED" in l for l in lines)
    assert "2/3 lemmas passed, 1 mutants rejected" in lines[-1]
    with pytest.raises(TypeError):
        format_table(LemmaResult("1", "s", "d", "passed", 0.0))


@pytest.mark.parametrize(
    "statuses, passed",
    [
        (["passed", "ok"], True),
        (["passed", "xfail"], False),  # an expected failure proves nothing (mutants are marked `mutant`)
        (["passed", "skipped"], False),
        (["FAILED"], False),
        ([], False),  # a run that selected nothing proves nothing
    ],
)
def test_lemma_run_passed(statuses, passed):
    results = [LemmaResult(str(i), "s", "d", st, 0.0) for i, st in enumerate(statuses)]
    assert lemma_run_passed(results) is passed
    assert lemma_passed("Passed") and not lemma_passed("xfail")


def test_run_proofs_missing_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match="proofs directory not found"):
        run_proofs(proofs_dir=tmp_path / "nope")
    with pytest.raises(TypeError):
        run_proofs("-k lemma_6")


def test_run_proofs_no_records(tmp_path):
    (tmp_path / "proofs").mkdir()
    with pytest.raises(ProofsRunError, match="no lemma records"):
        run_proofs(proofs_dir=tmp_path / "proofs")


@pytest.mark.skipif(not default_proofs_dir().is_dir(), reason="needs the source checkout's proofs/")
def test_run_proofs_real_subset():
    res = run_proofs(["-k", "lemma_6_4 or lemma_1_1"])
    assert res.returncode == 0
    ids = [r.lemma for r in res]
    assert ids == ["1.1", "6.4"]
    assert all(r.status == "passed" and r.mutants == 1 for r in res)
    assert "lemmas passed" in format_table(res)


@pytest.mark.skipif(not default_proofs_dir().is_dir(), reason="needs the source checkout's proofs/")
def test_run_proofs_reports_bad_selections_and_progress():
    from weingarten_check.reporting.proofs_report import ProofsSelectionError

    with pytest.raises(ProofsSelectionError, match="Wrong expression"):
        run_proofs(["-k", "lemma_7 and ("])
    with pytest.raises(ProofsSelectionError, match="no lemma test was selected"):
        run_proofs(["-k", "no_such_lemma_xyz"])
    events = []
    res = run_proofs(["-k", "lemma_6_4"], progress=lambda *ev: events.append(ev))
    assert [r.lemma for r in res] == ["6.4"]
    assert events and all(e[0] == "6.4" and e[1] == "passed" for e in events)
    assert [e[2] for e in events] == list(range(1, len(events) + 1)) and events[-1][3] == len(events)
