"""Lemma 6 — Theorem 1: the qudit theorem, the printed qubit bound as a corollary, the slack
(DERIVATION.md §6).  x = dA = q^m >= 2, z = dB = q^(n-m) >= 2 cover every q >= 2, 1 <= m < n."""

from __future__ import annotations

import derivation_numbers as dn
import numpy as np
import pytest
import sympy as sp
from _helpers import PROOFS, certify_nonnegative, certify_univariate_nonnegative, is_zero, lemma
from hypothesis import given
from hypothesis import strategies as st

from weingarten_check.theory import bounds

w = sp.Symbol("w", positive=True)
x, z, s, t = sp.symbols("x z s t", positive=True)
N, M, Q = sp.symbols("n m q", positive=True, integer=True)
REGION = ({x: 2 + s, z: 2 + t}, [s, t])  # dA >= 2, dB >= 2


def xz(expr):
    return expr.subs(Q**N, x * z).subs(Q**M, x)


def printed_xz():
    """Eq. 3 in x, z (qubits): w / 2^(n/2 - 3m - 2) = 4 w x³ / sqrt(x z)."""
    return 4 * w * x**3 / sp.sqrt(x * z)


# ---------------------------------------------------------------------------------------------
# 6.1 the qudit theorem
# ---------------------------------------------------------------------------------------------
def qudit_chain_gives(claim) -> bool:
    """The chain 2 sqrt(r) sqrt(E||K||_F²) with r = dA²-1 (3.4) and E||K||_F² <= (dA²-1) w²/(4(d+1)) (4.6)
    equals the claimed bound (in x = dA, z = dB), exactly."""
    chain = 2 * sp.sqrt(x**2 - 1) * sp.sqrt((x**2 - 1) * w**2 / (4 * (x * z + 1)))
    return is_zero(sp.simplify(chain - claim))


@lemma(
    "6.1",
    "E[Δ] <= 2 sqrt(dA²-1) sqrt(E||K||_F²) <= w (q^(2m)-1)/sqrt(q^n+1)",
    "symbolic q, m, n (every q >= 2, 1 <= m < n)",
)
def test_lemma_6_1_qudit_theorem():
    """Lemma 6.1 (qudit Theorem 1). V1, V2 or both from a unitary 2-design:
    E[Δ] <= 2 sqrt(r) E||K||_F <= 2 sqrt(r) sqrt(E||K||_F²)          (Lemma 3.4, Jensen)
         <= 2 sqrt(dA²-1) sqrt((dA²-1) w²/(4(d+1))) = w (dA²-1)/sqrt(d+1)  (Lemma 4.6, r <= dA²-1).
    For one qubit (r = 2) the same chain gives w sqrt(6)/sqrt(d+1) (bounds.route1_bound)."""
    assert qudit_chain_gives(xz(bounds.qudit_theorem1_bound(w, N, M, Q)))
    for n in range(2, 9):
        assert bounds.route1_bound(w, n, 1, 2) == 2 * sp.sqrt(2) * sp.sqrt(3 * w**2 / (4 * (2**n + 1)))


@PROOFS
@given(st.lists(st.floats(0, 10), min_size=1, max_size=50))
@lemma("6.1", "Jensen: E X <= sqrt(E X²)", "random samples (hypothesis)")
def test_lemma_6_1_jensen(xs):
    """Jensen / Cauchy–Schwarz for the empirical distribution of any sample: mean <= sqrt(mean of squares)."""
    a = np.array(xs)
    assert a.mean() <= np.sqrt((a**2).mean()) * (1 + 1e-12) + 1e-300


@pytest.mark.mutant
@lemma("6.1", "mutant: the chain does not give 0.99 × the stated constant", "symbolic")
def test_lemma_6_1_mutant_rejected():
    """The algebra of the chain gives exactly w(dA²-1)/sqrt(d+1): the same checker rejects 0.99 of it."""
    assert not qudit_chain_gives(sp.Rational(99, 100) * xz(bounds.qudit_theorem1_bound(w, N, M, Q)))


# ---------------------------------------------------------------------------------------------
# 6.2 the printed theorem as a corollary
# ---------------------------------------------------------------------------------------------
def corollary_certificate(smaller, larger):
    """larger >= smaller >= 0  ⇔  larger² - smaller² >= 0 (both positive); certified on dA, dB >= 2."""
    return certify_nonnegative(sp.expand(larger**2 - smaller**2), *REGION)


@lemma(
    "6.2",
    "Eq. 3 as printed: w(dA²-1)/sqrt(d+1) <= w dA^(5/2)/sqrt(d+1) <= w dA³/sqrt(d+1) <= w/2^(n/2-3m-2)",
    "q = 2, all 1 <= m < n (certificate in x = 2^m, z = 2^(n-m))",
)
def test_lemma_6_2_printed_theorem_is_a_corollary():
    """Lemma 6.2 (Theorem 1 as printed). For qubits, each proved bound is below the printed one
    w / 2^(n/2 - 3m - 2) = 4 w dA³/sqrt(d), for all 1 <= m < n: the qudit theorem (6.1) and both
    element-wise bounds (5.5).  Certificate: squared difference in x = 2 + s, z = 2 + t is a polynomial
    with nonnegative coefficients.  (The certificate covers all real x, z >= 2, hence every q >= 2.)"""
    for n in range(2, 14):
        for m in range(1, n):
            assert is_zero(bounds.paper_theorem1_bound(w, n, m) - printed_xz().subs({x: 2**m, z: 2 ** (n - m)}))
    qudit = xz(bounds.qudit_theorem1_bound(w, N, M, Q))
    ew1 = xz(bounds.elementwise_bound(w, N, M, Q, case="v1"))
    ew2 = xz(bounds.elementwise_bound(w, N, M, Q, case="v2"))
    assert corollary_certificate(qudit, ew1).ok
    assert corollary_certificate(ew1, ew2).ok
    assert corollary_certificate(ew2, printed_xz()).ok
    assert corollary_certificate(qudit, printed_xz()).ok


@pytest.mark.mutant
@lemma(
    "6.2", "mutant: an 8x smaller printed bound, w/2^(n/2-3m+1), does not follow from the element-wise route", "q = 2"
)
def test_lemma_6_2_mutant_rejected():
    """The chain is not vacuous: printed/8 is below the element-wise (V1) bound for m = 1 and large n
    (their ratio tends to 4 sqrt(2) < 8), so the certificate must fail and an explicit n shows it false."""
    ew1 = xz(bounds.elementwise_bound(w, N, M, Q, case="v1"))
    assert not corollary_certificate(ew1, printed_xz() / 8).ok
    at = {x: 2, z: 2**19, w: 1}
    assert (printed_xz() / 8).subs(at) < ew1.subs(at)


# ---------------------------------------------------------------------------------------------
# 6.3 the slack of the printed constant
# ---------------------------------------------------------------------------------------------
SLACK_QUDIT_M1 = sp.Rational(32, 3)  # inf over n of printed / qudit for m = 1
SLACK_ROUTE1_M1 = 32 / sp.sqrt(6)  # inf over n of printed / route-1 (qubit r = 2) for m = 1
SLACK_EW_V1_M1 = 4 * sp.sqrt(2)  # inf over n of printed / element-wise (V1) for m = 1
SLACK_EW_V2 = sp.Integer(4)  # inf over n, m of printed / element-wise (V2)


def slack_holds(factor, proved, m_val=None) -> bool:
    """Certificate that printed >= factor · proved on the region (m = m_val fixes x = 2^m_val)."""
    e = sp.expand(printed_xz() ** 2 - factor**2 * proved**2)
    if m_val is None:
        return certify_nonnegative(e, *REGION).ok
    e = e.subs(x, 2**m_val)
    return certify_univariate_nonnegative(sp.expand(e / w**2), z, 2).ok


@lemma(
    "6.3",
    "printed/qudit >= 4dA³/(dA²-1) (= 32/3 for m = 1, sharp as n → ∞); printed/element-wise >= 4 sqrt(dA) (V1), 4 (V2)",
    "q = 2, all 1 <= m < n",
)
def test_lemma_6_3_slack():
    """Lemma 6.3 (slack of the printed constant). For all 1 <= m < n (qubits):
    printed / qudit = 4 dA³ sqrt(1 + 1/d)/(dA² - 1) > 4 dA³/(dA² - 1) >= 32/3 ≈ 10.67, infimum 32/3 at m = 1;
    printed / route-1 (m = 1, r = 2) > 32/sqrt(6) ≈ 13.06;
    printed / element-wise(V1) = 4 sqrt(dA) sqrt(1 + 1/d) > 4 sqrt(2) ≈ 5.66; printed / element-wise(V2) > 4."""
    qudit = xz(bounds.qudit_theorem1_bound(w, N, M, Q))
    assert slack_holds(4 * x**3 / (x**2 - 1), qudit)
    # 4x³/(x²-1) >= 32/3 for x >= 2 (increasing for x > sqrt 3)
    assert certify_univariate_nonnegative(4 * x**3 / (x**2 - 1) - SLACK_QUDIT_M1, x, 2).ok
    assert slack_holds(SLACK_QUDIT_M1, qudit)
    assert slack_holds(SLACK_ROUTE1_M1, sp.sqrt(6) * w / sp.sqrt(x * z + 1), m_val=1)
    assert slack_holds(4 * sp.sqrt(x), xz(bounds.elementwise_bound(w, N, M, Q, case="v1")))
    assert slack_holds(SLACK_EW_V2, xz(bounds.elementwise_bound(w, N, M, Q, case="v2")))
    # the generated slack lines of DERIVATION.md (limits n → ∞ of the bounds' ratios) are these constants
    assert dn.infimum_over_n(lambda n: bounds.qudit_theorem1_bound(1, n, 1)) == SLACK_QUDIT_M1
    assert is_zero(dn.infimum_over_n(lambda n: bounds.route1_bound(1, n, 1)) - SLACK_ROUTE1_M1)
    assert is_zero(dn.infimum_over_n(lambda n: bounds.elementwise_bound(1, n, 1, case="v1")) - SLACK_EW_V1_M1)
    assert dn.infimum_over_n(lambda n: bounds.elementwise_bound(1, n, 1, case="v2")) == SLACK_EW_V2


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["qudit", "route1", "ew_v1", "ew_v2"])
@lemma("6.3", "mutant: each slack factor × 1.01 fails (certificate and explicit n)", "q = 2, m = 1")
def test_lemma_6_3_mutant_rejected(which):
    """The slack factors are sharp: 1.01 × the factor fails the certificate and is false at n = 20."""
    proved = {
        "qudit": (SLACK_QUDIT_M1, xz(bounds.qudit_theorem1_bound(w, N, M, Q))),
        "route1": (SLACK_ROUTE1_M1, sp.sqrt(6) * w / sp.sqrt(x * z + 1)),
        "ew_v1": (SLACK_EW_V1_M1, xz(bounds.elementwise_bound(w, N, M, Q, case="v1"))),
        "ew_v2": (SLACK_EW_V2, xz(bounds.elementwise_bound(w, N, M, Q, case="v2"))),
    }[which]
    factor = proved[0] * sp.Rational(101, 100)
    assert not slack_holds(factor, proved[1], m_val=1)
    at = {x: 2, z: 2**19, w: 1}
    assert printed_xz().subs(at) < factor * proved[1].subs(at)


# ---------------------------------------------------------------------------------------------
# 6.4 when are the bounds informative (Δ <= w always)?
# ---------------------------------------------------------------------------------------------
def first_informative_n(bound_fn, m=1, q=2, n_max=64) -> int:
    for n in range(m + 1, n_max):
        if bound_fn(n) < 1:
            return n
    raise AssertionError("never informative")


#: m = 1 qubits: the first n at which each bound is < w
INFORMATIVE_FROM = {"printed": 11, "qudit": 4, "route1": 3}
INFORMATIVE_BOUNDS = {
    "printed": lambda n: bounds.paper_theorem1_bound(1, n, 1),
    "qudit": lambda n: bounds.qudit_theorem1_bound(1, n, 1),
    "route1": lambda n: bounds.route1_bound(1, n, 1),
}


def informative_from(claim: dict) -> bool:
    """For each bound named in claim: the first n (m = 1, q = 2, w = 1) where the bound is < 1 is claim[name]."""
    return all(first_informative_n(INFORMATIVE_BOUNDS[k]) == n0 for k, n0 in claim.items())


@lemma(
    "6.4",
    "m = 1 qubits: printed bound < w only for n >= 11; qudit theorem for n >= 4; Route 1 for n >= 3",
    "q = 2, m = 1",
)
def test_lemma_6_4_informative_range():
    """Lemma 6.4. Since 0 <= Δ <= w, a bound >= w says nothing.  For m = 1 qubits the printed bound
    w 2^(5 - n/2) is informative only from n = 11 on (so not in the paper's Figure 5, n <= 10); the
    qudit theorem 3w/sqrt(2^n+1) from n = 4; Route 1's sqrt(6) w/sqrt(2^n+1) from n = 3."""
    assert informative_from(INFORMATIVE_FROM)
    assert bounds.paper_theorem1_bound(1, 10, 1) == 1


@pytest.mark.mutant
@lemma("6.4", "mutant: 'printed bound informative from n = 10' is false", "q = 2, m = 1")
def test_lemma_6_4_mutant_rejected():
    """At n = 10 the printed bound equals w exactly: the same checker rejects 'informative from n = 10'."""
    assert not informative_from({**INFORMATIVE_FROM, "printed": 10})
