"""Tests of cli/moments_commands.py: the ``moments`` command."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from cli_helpers import run

from weingarten_check.cli.moments_commands import layers_list
from weingarten_check.theory import finite_depth as fd

BASE = ["moments", "--task", "vqe", "--case", "v1"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--ensemble", "brickwork", "--n", "6"], "--layers"),
        (["--ensemble", "haar", "--n", "6", "--layers", "3"], "--layers"),
        (["--ensemble", "brickwork", "--n", "6", "--layers", "0"], "--layers"),
        (["--ensemble", "brickwork", "--n", "6", "--layers", "3-1"], "--layers"),
        (["--ensemble", "brick", "--n", "6"], "--ensemble"),
        (["--ensemble", "hea", "--n", "7", "--layers", "2"], "--n"),
        (["--ensemble", "real-hea", "--n", "7", "--layers", "2"], "--n"),
        (["--ensemble", "real-hea", "--n", "4"], "--layers"),
        (["--ensemble", "hea", "--n", "4", "--layers", "2", "--q", "3"], "--q"),
        (["--ensemble", "brickwork", "--n", "6", "--layers", "2", "--site", "6"], "--site"),
        (["--ensemble", "haar", "--n", "x"], "--n"),
        (["--ensemble", "brickwork", "--n", "6", "--layers", "2", "--sites", "0,2"], "--sites"),
        (["--ensemble", "brickwork", "--n", "6", "--layers", "2", "--sites", "a"], "--sites"),
        (["--ensemble", "hea", "--n", "4", "--layers", "2", "--sites", "0,1"], "--sites"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv, option):
    code, out, err = run(capsys, *BASE, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and option in lines[0]


def test_bad_task_and_case(capsys):
    for argv, option in ((["--task", "x", "--case", "v1"], "--task"), (["--task", "vqe", "--case", "v9"], "--case")):
        code, _, err = run(capsys, "moments", *argv, "--ensemble", "haar", "--n", "5")
        assert code == 2 and option in err and len(err.strip().splitlines()) == 1


def test_layers_takes_the_forms_of_n():
    assert layers_list("1,3,12") == [1, 3, 12]
    assert layers_list("1-5") == [1, 2, 3, 4, 5]
    assert layers_list("2-10:4") == [2, 6, 10]


def test_json_schema_and_exact_strings(capsys):
    code, out, _ = run(capsys, *BASE, "--ensemble", "hea", "--n", "3-4", "--layers", "1-2", "--json")
    assert code == 0
    points = json.loads(out)["points"]
    assert [(p["n"], p["layers"]) for p in points] == [(3, 1), (3, 2), (4, 1), (4, 2)]
    for p in points:
        assert set(p) == {
            "n",
            "layers",
            "ensemble",
            "task",
            "case",
            "q",
            "site",
            "expected_K_frobenius_sq",
            "delta_bound",
        }
        exact = fd.finite_depth_moment("vqe", "v1", "hea", p["n"], p["layers"]).value
        assert sp.simplify(sp.sympify(p["expected_K_frobenius_sq"]) - exact) == 0  # parses back exactly
        assert p["delta_bound"] == pytest.approx(float(2 * sp.sqrt(2) * sp.sqrt(exact)), rel=1e-12)
    assert any("sqrt(2)" in p["expected_K_frobenius_sq"] for p in points)


def test_haar_points_have_null_layers(capsys):
    code, out, _ = run(
        capsys, "moments", "--task", "qsl", "--case", "both", "--ensemble", "haar", "--n", "4,6", "--json"
    )
    points = json.loads(out)["points"]
    assert code == 0 and [p["layers"] for p in points] == [None, None]
    assert [sp.Rational(p["expected_K_frobenius_sq"]) for p in points] == [sp.Rational(2, 16), sp.Rational(2, 64)]


def test_text_output(capsys):
    code, out, _ = run(capsys, *BASE, "--ensemble", "brickwork", "--n", "8", "--layers", "2,3")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert str(fd.finite_depth_moment("vqe", "v1", "brickwork", 8, 3).value) in lines[1]


def test_real_hea_json_is_exact_and_matches_the_library(capsys):
    code, out, _ = run(capsys, *BASE, "--ensemble", "real-hea", "--n", "3,4", "--layers", "2,5", "--json")
    assert code == 0
    points = json.loads(out)["points"]
    assert [(p["n"], p["layers"], p["ensemble"]) for p in points] == [
        (3, 2, "real-hea"),
        (3, 5, "real-hea"),
        (4, 2, "real-hea"),
        (4, 5, "real-hea"),
    ]
    for p in points:
        exact = fd.finite_depth_moment("vqe", "v1", "real-hea", p["n"], p["layers"]).value
        assert sp.Rational(p["expected_K_frobenius_sq"]) == exact  # rational: the R_y(π/4) layer is absorbed
        assert p["delta_bound"] == pytest.approx(float(2 * sp.sqrt(2) * sp.sqrt(exact)), rel=1e-12)


def test_qutrit_brickwork_and_two_sites_json(capsys):
    """--q 3 (brickwork) and --sites 1,2 (m = 2): exact strings equal to the library; the bound uses dA = q^m."""
    code, out, _ = run(capsys, *BASE, "--ensemble", "brickwork", "--n", "5", "--layers", "1-3", "--q", "3", "--json")
    points = json.loads(out)["points"]
    assert code == 0 and [p["layers"] for p in points] == [1, 2, 3] and all("sites" not in p for p in points)
    for p in points:
        exact = fd.finite_depth_moment("vqe", "v1", "brickwork", 5, p["layers"], q=3).value
        assert p["q"] == 3 and sp.Rational(p["expected_K_frobenius_sq"]) == exact
        assert p["delta_bound"] == pytest.approx(float(3 * sp.sqrt(2) * sp.sqrt(exact)), rel=1e-12)
    code, out, _ = run(capsys, *BASE, "--ensemble", "haar", "--n", "5", "--sites", "1,2", "--json")
    (p,) = json.loads(out)["points"]
    exact = fd.two_design_value("vqe", "v1", 5, sites=(1, 2))
    assert code == 0 and p["sites"] == [1, 2] and p["site"] == 1
    assert sp.Rational(p["expected_K_frobenius_sq"]) == exact
    assert p["delta_bound"] == pytest.approx(float(4 * sp.sqrt(2) * sp.sqrt(exact)), rel=1e-12)
