"""The ``asymptotics`` command: its table, --json schema and one-line errors (exit 2)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from weingarten_check.theory.asymptotics import asymptotic_constant

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import run  # noqa: E402


def test_json_matches_the_library(capsys):
    code, out, err = run(capsys, "asymptotics", "--q", "2", "--task", "vqe,qsl", "--case", "v1,both", "--json")
    assert code == 0 and err == ""
    rows = json.loads(out)["constants"]
    assert [(r["q"], r["task"], r["case"]) for r in rows] == [
        (2, "vqe", "v1"),
        (2, "vqe", "both"),
        (2, "qsl", "v1"),
        (2, "qsl", "both"),
    ]
    for r in rows:
        assert set(r) == {
            "q", "task", "case", "law", "scale", "c", "c_stderr", "closed_form", "c_over_upper", "c_over_lower"
        }  # fmt: skip
        a = asymptotic_constant(r["task"], r["case"], r["q"])
        assert r["c"] == float(a.c) and r["c_stderr"] == 0 and r["closed_form"] == a.closed_form
        assert r["law"] == a.law and r["scale"] == a.scale


def test_table_has_one_row_per_constant(capsys):
    code, out, _ = run(capsys, "asymptotics", "--q", "2", "--task", "qae")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["q", "task", "case", "law", "scale"]
    body = [line for line in lines[2:] if line.startswith("2 ")]
    assert [line.split()[2] for line in body] == ["v1", "v2", "both"]
    assert "1.59576912160573" in body[0] and "2*sqrt(2)/sqrt(pi)" in body[0]


def test_qsl_any_q(capsys):
    code, out, _ = run(capsys, "asymptotics", "--q", "4", "--task", "qsl", "--case", "v2", "--json")
    assert code == 0 and json.loads(out)["constants"][0]["c"] == 4.0


def test_q4_rank_one_cases(capsys):
    """q = 4: the rank-one (GUE) cases have constants (a 30-digit quadrature), the iid ones a stored Monte Carlo
    (stderr > 0); q = 5 with an iid case is one line, exit 2."""
    code, out, _ = run(capsys, "asymptotics", "--q", "4", "--task", "qae", "--case", "v1,v2", "--json")
    rows = json.loads(out)["constants"]
    assert code == 0 and [r["case"] for r in rows] == ["v1", "v2"]
    assert rows[0]["c"] == float(asymptotic_constant("qae", "v1", 4).c) and rows[0]["closed_form"] is None
    code, out, _ = run(capsys, "asymptotics", "--q", "4", "--task", "vqe", "--case", "v1", "--json")
    row = json.loads(out)["constants"][0]
    assert code == 0 and row["law"] == "iid Gaussian" and 0 < row["c_stderr"] <= 1e-3 * row["c"]
    assert row["c"] == float(asymptotic_constant("vqe", "v1", 4).c)
    code, out, err = run(capsys, "asymptotics", "--q", "5", "--task", "qae")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "--q" in err and "qae both" in err


@pytest.mark.parametrize(
    "argv, option",
    [
        (["--q", "x"], "--q"),
        (["--q", "1"], "--q"),
        (["--q", ""], "--q"),
        (["--q", "5"], "--q"),
        (["--task", "vqa"], "--task"),
        (["--case", "v3"], "--case"),
    ],
)
def test_bad_input_one_line_exit_2(capsys, argv, option):
    code, out, err = run(capsys, "asymptotics", *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and option in err
