"""Engine size limits (limits.py, issue 11): out-of-reach exact computations are refused at once with
the work estimated from class / coset counts; the all-equal-indices Haar moment uses a closed form."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from math import factorial

import pytest
import sympy

from weingarten_check.calculus import limits
from weingarten_check.calculus import unitary_integrals as hi
from weingarten_check.calculus.limits import WorkLimitError, partition_count
from weingarten_check.calculus.unitary import weingarten, weingarten_all_classes, weingarten_class

d = sympy.Symbol("d", positive=True, integer=True)


def test_partition_count_exact_and_estimate():
    assert [partition_count(k) for k in range(11)] == [1, 1, 2, 3, 5, 7, 11, 15, 22, 30, 42]
    assert partition_count(34) == 12310 and partition_count(40) == 37338 and partition_count(100) == 190569292
    exact = partition_count(2000)
    estimate = partition_count(2001)  # Hardy–Ramanujan beyond the exact table
    assert 1 < estimate / exact < 1.05
    assert partition_count(10**14) == float("inf")


def test_wg_limits_are_named_and_boundaries_hold():
    k_max = max(k for k in range(60) if partition_count(k) <= limits.MAX_PARTITIONS)
    assert k_max == 35
    with pytest.raises(WorkLimitError, match=r"k = 36 .* p\(k\) = 17 977 partitions.*k <= 35"):
        weingarten_class((36,), 3)
    with pytest.raises(WorkLimitError, match=r"k = 99999999999999 .*10\^"):
        weingarten((99999999999999,), d)
    with pytest.raises(WorkLimitError, match="k = 40"):
        weingarten_all_classes(40, 3)
    with pytest.raises(WorkLimitError, match=r"627 classes .* symbolic d: every class is in reach up to k = 19"):
        weingarten_all_classes(20, d)
    assert len(weingarten_all_classes(20, 3)) == 627  # integer d: in reach (p(20)² = 393 129 terms)


def test_trace_moment_and_twirl_refuse_large_k():
    A = sympy.Symbol("A", commutative=False)
    for fn, args in ((hi.trace_moment, ([A] * 40, [A] * 40, d)), (hi.trace_moment, ([A] * 7, [A] * 7, d))):
        with pytest.raises(WorkLimitError, match=r"\(k!\)² = .* pairs.*k <= 6"):
            fn(*args)
    import numpy as np

    with pytest.raises(WorkLimitError, match="trace_moment_numeric at k = 7"):
        hi.trace_moment_numeric([np.eye(2)] * 7, [np.eye(2)] * 7)
    with pytest.raises(WorkLimitError, match="twirl at k = 7"):
        hi.twirl(np.broadcast_to(np.zeros(1), (2**7, 2**7)), 7)
    big = np.broadcast_to(np.zeros(1), (8**4, 8**4))  # a view: no memory is allocated
    with pytest.raises(WorkLimitError, match="twirl at k = 4, d = 8 .* GiB"):
        hi.twirl(big, 4)
    assert hi.trace_moment([A] * 3, [A] * 3, 2) != 0  # small k still works


def test_haar_integral_two_blocks_of_20_is_refused_with_the_coset_count():
    idx = [0] * 20 + [1] * 20
    with pytest.raises(WorkLimitError, match=r"≈ 5\.92e\+36 permutations"):
        hi.haar_integral(idx, idx, idx, idx, 2)


def test_all_equal_indices_at_k40_use_the_closed_form():
    """E|U_11|^{2k} = k! (d-1)! / (d+k-1)!; at k = 40, d = 40 it used to hang (> 120 s, 2 GB)."""
    zeros = [0] * 40
    assert hi.haar_integral(zeros, zeros, zeros, zeros, 40) == sympy.Rational(
        Fraction(factorial(40) * factorial(39), factorial(79))
    )
    assert sympy.simplify(hi.haar_integral([0] * 3, [0] * 3, [0] * 3, [0] * 3, d) - 6 / (d * (d + 1) * (d + 2))) == 0


@pytest.mark.parametrize(
    "i, j, ic, jc",
    [
        ((0, 0, 0), (0, 1, 2), (0, 0, 0), (2, 0, 1)),
        ((0, 1, 2), (1, 1, 1), (2, 1, 0), (1, 1, 1)),
        ((0, 0, 0, 0), (0, 0, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0)),
        ((1, 1, 1, 1, 1), (0, 1, 2, 0, 1), (1, 1, 1, 1, 1), (1, 0, 0, 2, 1)),
        ((0, 0, 0), (0, 1, 2), (0, 0, 0), (0, 1, 1)),  # index multisets differ: 0
    ],
)
def test_closed_form_equals_the_class_sum(i, j, ic, jc):
    """The closed form (one side all equal) against the general coset enumeration it replaces."""
    for dim in (2, 3, 5, d):
        closed = hi._whole_group_sum(i, j, ic, jc, dim)
        res = hi._coset_class_histogram(i, j, ic, jc)
        if res is None:
            assert closed == 0
            continue
        hist, mult = res
        if isinstance(dim, int):
            general = mult * sum(c * weingarten_class(mu, dim) for mu, c in hist.items())
        else:
            general = mult * hi._sum_classes_symbolic(hist, dim)
        assert sympy.simplify(closed - general) == 0, (i, j, ic, jc, dim)


def test_sigma_must_be_ordered_and_zero_means_permutation():
    with pytest.raises(TypeError, match="set has no order"):
        weingarten({1, 0, 2}, 3)
    with pytest.raises(TypeError, match="frozenset has no order"):
        weingarten(frozenset({2, 1}), 3)
    with pytest.raises(ValueError, match="containing 0 is read as a permutation"):
        weingarten((2, 0), 3)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["wg", "99999999999999"], "SIGMA: Wg at k = 99999999999999 is out of reach"),
        (["wg", "--all", "40", "--d", "3"], "--all: "),
        (["wg", "2,0", "--d", "3"], "read as a permutation"),
        (
            [
                "integrate",
                "--i",
                ",".join(["0"] * 20 + ["1"] * 20),
                "--j",
                ",".join(["0"] * 20 + ["1"] * 20),
                "--d",
                "2",
            ],
            "out of reach",
        ),
    ],
)
def test_cli_refuses_at_once(argv, needle):
    proc = subprocess.run(
        [sys.executable, "-m", "weingarten_check.cli", *argv], capture_output=True, text=True, timeout=120
    )  # a hang (the old behaviour) fails here instead of blocking the suite
    assert proc.returncode == 2 and needle in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_wg_help_documents_zero_as_permutation():
    out = subprocess.run(
        [sys.executable, "-m", "weingarten_check.cli", "wg", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "containing 0 is read as a" in " ".join(out.split()) and "k <= 35" in out
