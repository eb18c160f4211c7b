"""The ``wg`` and ``integrate`` commands with ``--group U|O|Sp`` (weingarten_check.cli.calculus_commands).

Every value printed is compared with the library's own function called directly, and the O/Sp
values also with an independent source: haarpy (Wg) or the closed forms of p = 1 / E O_11^4.
"""

from __future__ import annotations

import json

import pytest
import sympy
from cli_helpers import run

from weingarten_check.calculus.brauer import weingarten_group_all, weingarten_orthogonal
from weingarten_check.calculus.symmetric_group import partitions

d = sympy.Symbol("d")


def one_line_error(code, err, *needles):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("weingarten-check ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def _parse(text):
    return sympy.sympify(text, locals={"d": d})


def test_wg_all_group_o_json(capsys):
    haarpy = pytest.importorskip("haarpy")
    code, out, err = run(capsys, "wg", "--all", "4", "--group", "O", "--d", "d", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["group"] == "O" and payload["d"] == "d"
    rows = {tuple(r["coset_type"]): _parse(r["wg"]) for r in payload["values"]}
    assert list(rows) == list(partitions(4))  # every partition of 4, in order
    for rho, v in rows.items():
        assert sympy.cancel(v - haarpy.weingarten_orthogonal(rho, d)) == 0, rho


def test_wg_group_sp_text_and_integer_d(capsys):
    code, out, err = run(capsys, "wg", "--all", "2", "--group", "Sp", "--d", "6")
    assert code == 0, err
    expected = weingarten_group_all("Sp", 2, 6)
    lines = out.strip().splitlines()
    assert lines == [f"Wg^Sp({','.join(map(str, rho))}; d=6) = {v}" for rho, v in expected.items()]
    # (1,1) at d = 6: (d-1)/(d(d-2)(d+1)) = 5/168
    assert expected[(1, 1)] == sympy.Rational(5, 168)


def test_wg_group_o_accepts_a_permutation_of_2p_points(capsys):
    code, out, err = run(capsys, "wg", "0,2,1,3", "--group", "O", "--d", "d", "--json")
    assert code == 0, err
    row = json.loads(out)["values"][0]
    assert row["coset_type"] == [2]
    assert sympy.cancel(_parse(row["wg"]) - weingarten_orthogonal((2,), d)) == 0
    assert sympy.cancel(_parse(row["wg"]) + 1 / (d * (d - 1) * (d + 2))) == 0


def test_default_group_is_unitary(capsys):
    code, out, err = run(capsys, "wg", "2", "--d", "d", "--json")
    wg = _parse(json.loads(out)["values"][0]["wg"])
    assert code == 0 and sympy.cancel(wg + 1 / (d * (d**2 - 1))) == 0


def test_integrate_group_o_and_sp(capsys):
    # E O_11^4 = 3/(d(d+2)) (|O_11|^2 with the default conjugates equal to the factors)
    code, out, err = run(capsys, "integrate", "--i", "0,0", "--j", "0,0", "--group", "O", "--d", "d", "--json")
    assert code == 0 and sympy.cancel(_parse(json.loads(out)["value"]) - 3 / (d * (d + 2))) == 0
    # E|U_11|^2 over Sp(d) = 1/d (the first column is a uniform unit vector in C^d)
    code, out, err = run(capsys, "integrate", "--i", "0", "--j", "0", "--group", "Sp", "--d", "d", "--json")
    assert code == 0 and _parse(json.loads(out)["value"]) == 1 / d
    # primed indices (k' = k + d/2) agree with the integer indices at d = 4
    code, out, err = run(capsys, "integrate", "--i", "0,0'", "--j", "0,0'", "--group", "Sp", "--d", "d", "--json")
    sym = _parse(json.loads(out)["value"])
    code2, out2, err2 = run(capsys, "integrate", "--i", "0,2", "--j", "0,2", "--group", "Sp", "--d", "4", "--json")
    assert code == 0 and code2 == 0 and sym.subs(d, 4) == sympy.Rational(json.loads(out2)["value"])


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (("wg", "1", "--group", "Sp", "--d", "3"), ("--d", "even")),
        (("wg", "0,2,1", "--group", "O"), ("SIGMA", "even number 2p")),
        (("wg", "2", "--group", "GL"), ("--group", "U, O or Sp")),
        (("wg", "2,1", "--all", "3", "--group", "O"), ("SIGMA", "--all")),
        (("wg", "--all", "40", "--group", "O"), ("--all", "out of reach")),
        (("integrate", "--i", "0", "--j", "0", "--i-conj", "0,1", "--j-conj", "0,1", "--group", "O"), ("even number",)),
        (("integrate", "--i", "0,x", "--j", "0,0", "--group", "Sp", "--d", "d"), ("--i", "k'")),
        (("integrate", "--i", "0", "--j", "0", "--group", "Sp", "--d", "5"), ("--d", "even")),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, argv, needles):
    code, out, err = run(capsys, *argv)
    one_line_error(code, err, *needles)
    assert out == ""
