"""sdp.level2 (Lemma 12.4): the first-order level-2 solver with the exact check:

* the level-1 multipliers reproduce the level-1 bound (the warm start is the special case X_c ∝ I);
* known answers: on a permutation-optimum instance (dA = 3) and on the Werner–Holevo qutrit (level 1
  gives 4, the true maximum is 2) the proved level-2 bound is >= the true maximum and <= level 1;
* a level-1-loose dA = 4 instance (exact-Haar QAE, both V1 and V2 random, q = 2, A = sites 0, 1,
  n = 5, seed 17, the benchmark's first sample) is strictly improved, and the optimiser's value lies
  inside the proved bound;
* the exact checker rejects a perturbed / infeasible certificate and a certificate for another M;
* bad input gets a ValueError naming the argument;
* (slow) the interior-point reference solver (tests/reference.py) on Werner–Holevo: its exactly
  verified certificate is much tighter than level 1, and perturbed certificates are rejected.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from reference import level2_value, solve_level2_interior_point

from weingarten_check.delta.cost import form_from_k
from weingarten_check.delta.optimiser import optimise_form
from weingarten_check.delta.sdp.exact_form import exact_form_from_k
from weingarten_check.delta.sdp.level1 import certify_level1, level1_bound, polish_dual, solve_level1
from weingarten_check.delta.sdp.level2 import (
    certify_level2,
    level1_multipliers,
    solve_level2,
    unitary_from_level2,
    verify_level2,
)
from weingarten_check.experiments import sample_cost_matrices, sample_rng, task_spec
from weingarten_check.states.bases import orthonormal_traceless_basis


def _werner_holevo():
    G = orthonormal_traceless_basis(3)
    K = -np.diag([1.0 if np.abs(g.imag).max() == 0 else -1.0 for g in G])  # M = I/3 - F
    return form_from_k(K, 3), exact_form_from_k(K, 3)


@pytest.fixture(scope="module")
def loose_dA4():
    """The min side (form -M) of the dA = 4 instance of the module doc, with its level-1 data."""
    spec = task_spec("qae", 5, 2, sites=(0, 1))
    K = sample_cost_matrices(spec, "haar", "both", sample_rng(17, 5, 0, 0)).K
    M, E = -form_from_k(K, 4), exact_form_from_k(K, 4).negated()
    best, U = optimise_form(M, True, 16, 0)
    sol = solve_level1(M)
    c1 = min(
        (
            c
            for c in (certify_level1(E, M, sol.A, sol.B), certify_level1(E, M, *polish_dual(M, sol.A, sol.B, U)))
            if c is not None
        ),
        key=lambda c: c.bound,
    )
    A, B = (
        (sol.A, sol.B)
        if level1_bound(M, sol.A, sol.B) <= level1_bound(M, *polish_dual(M, sol.A, sol.B, U))
        else polish_dual(M, sol.A, sol.B, U)
    )
    s2 = solve_level2(M, level1_multipliers(A, B, 4))
    c2 = certify_level2(E, M, s2)
    return dict(K=K, M=M, E=E, best=best, U=U, c1=c1, s2=s2, c2=c2)


@pytest.mark.parametrize("dA, seed", [(3, 0), (4, 1)])
def test_level1_multipliers_give_level1_bound(dA, seed):
    rng = np.random.default_rng(seed)
    K = rng.standard_normal((dA * dA - 1, dA * dA - 1))
    M = form_from_k(K, dA)
    A = rng.standard_normal((dA, dA)) + 1j * rng.standard_normal((dA, dA))
    B = rng.standard_normal((dA, dA)) + 1j * rng.standard_normal((dA, dA))
    A, B = A + A.conj().T, B + B.conj().T
    assert abs(level2_value(M, level1_multipliers(A, B, dA)) - level1_bound(M, A, B)) < 1e-10 * np.abs(M).max()
    # the solver's own evaluation of f (gathers onto Sym², no product with P) agrees with the dense reference
    gamma = solve_level2(M, level1_multipliers(A, B, dA), schedule=()).gamma
    assert abs(gamma - level1_bound(M, A, B)) < 1e-10 * np.abs(M).max()
    X = level1_multipliers(A, B, dA)
    X[0::2], X[1::2] = X[1::2].copy(), X[0::2].copy()  # A and B on swapped factors: a different value
    assert abs(level2_value(M, X) - level1_bound(M, A, B)) > 1e-3


def test_permutation_optimum_known_answer():
    """Diagonal H and ρ: max_U tr(H U ρ U†) is attained at a permutation (rearrangement); the
    level-2 bound proved from the level-1 start lies in [true, proved level-1 bound] (here level 1
    is already tight to ~1e-8 and the optimum is degenerate — a torus of optimal unitaries — so the
    smoothing does not improve it); from a cold start (X = 0, f = dA λmax(M)) it is still a valid
    bound, below its start."""
    rng = np.random.default_rng(5)
    h, r = rng.standard_normal(3), rng.standard_normal(3)
    G = orthonormal_traceless_basis(3)
    K = np.outer(np.real(np.einsum("aij,ji->a", G, np.diag(h))), np.real(np.einsum("aij,ji->a", G, np.diag(r))))
    M, E = form_from_k(K, 3), exact_form_from_k(K, 3)
    hs, rs = np.sort(h - h.mean())[::-1], np.sort(r - r.mean())[::-1]
    true_max = float(hs @ rs)  # sorted alike (traceless parts: C - c0)
    s1 = solve_level1(M)
    c1 = certify_level1(E, M, s1.A, s1.B)
    cert = certify_level2(E, M, solve_level2(M, level1_multipliers(s1.A, s1.B, 3)))
    assert cert is not None and verify_level2(E, cert)
    assert Fraction(true_max) - Fraction(1, 10**12) <= cert.bound <= c1.bound + Fraction(1, 10**12)
    assert float(cert.bound) - true_max < 1e-7
    cold = certify_level2(E, M, solve_level2(M))
    assert cold is not None and verify_level2(E, cold)
    assert Fraction(true_max) - Fraction(1, 10**12) <= cold.bound < 3 * float(np.linalg.eigvalsh(M)[-1])


def test_werner_holevo_known_answer():
    """Level 1 gives 4, the true max over U(3) is 2 (Lemma 12.2); the proved first-order level-2
    bound lies in [2, 2.3] (the level-2 value measured by the interior-point solver is 16/7)."""
    M, E = _werner_holevo()
    s1 = solve_level1(M)
    assert s1.value > 3.9
    s2 = solve_level2(M, level1_multipliers(s1.A, s1.B, 3))
    cert = certify_level2(E, M, s2)
    assert cert is not None and verify_level2(E, cert)
    assert 2 <= cert.bound <= Fraction(23, 10)
    assert verify_level2(E, cert, method="ldl")  # the complete LDLᵀ test agrees (45 x 45: fast)


def test_loose_dA4_is_strictly_improved(loose_dA4):
    d = loose_dA4
    c1, c2, best = d["c1"], d["c2"], d["best"]
    assert c1 is not None and c2 is not None and verify_level2(d["E"], c2)
    assert float(c1.bound - Fraction(best)) > 1e-3 * best  # level 1 is loose here (1.3e-2 measured)
    assert Fraction(best) <= c2.bound  # the attained value lies below the proved bound
    assert float(c2.bound - Fraction(best)) < 1e-9 * best  # level 2 closes the gap
    assert c2.bound < c1.bound
    # the level-2 matrix's top eigenvector is ∝ u⊗u at the optimiser's U (up to a phase)
    V = unitary_from_level2(d["M"], np.array(d["s2"].X))
    assert abs(abs(np.vdot(V.reshape(-1), d["U"].reshape(-1))) - 4) < 1e-4


def test_checker_rejects_perturbed_and_wrong_m(loose_dA4):
    d = loose_dA4
    E, cert = d["E"], d["c2"]
    grid = Fraction(1, 2**cert.exponent)
    dg = Fraction(1, 10**4) * Fraction(d["best"]) // grid * grid
    assert not verify_level2(E, dataclasses.replace(cert, gamma=cert.gamma - dg, bound=cert.bound - dg))
    # a bound just below the attained value must be refused, however little γ is lowered
    dg = (cert.bound - Fraction(d["best"])) // grid * grid + grid
    bad = dataclasses.replace(cert, gamma=cert.gamma - dg, bound=cert.bound - dg)
    assert bad.bound < Fraction(d["best"]) and not verify_level2(E, bad)
    # the arithmetic: the rounding error of M_r must be paid (dA · err), and err >= E.err
    assert not verify_level2(E, dataclasses.replace(cert, bound=cert.bound - 4 * cert.err))
    assert not verify_level2(E, dataclasses.replace(cert, err=cert.err / 2, bound=cert.bound - 2 * cert.err))
    Xi = list(cert.X_im)
    Xi[3] = Xi[3].copy()
    step = 2**cert.exponent // 10**3
    Xi[3][0, 1] += step
    Xi[3][1, 0] -= step  # still Hermitian: only feasibility (Q ⪰ 0) can fail
    assert not verify_level2(E, dataclasses.replace(cert, X_im=tuple(Xi)))
    assert not verify_level2(E.negated(), cert)  # the certificate of max(-M) says nothing about max(M)
    K2 = d["K"].copy()
    K2[0, 0] += 1e-3
    assert not verify_level2(exact_form_from_k(K2, 4).negated(), cert)  # a slightly different M


def test_bad_input():
    M, _E = _werner_holevo()
    with pytest.raises(ValueError, match="X must have shape"):
        solve_level2(M, np.zeros((3, 9, 9)))
    X = np.zeros((16, 9, 9), dtype=complex)
    X[0, 0, 1] = 1.0
    with pytest.raises(ValueError, match="Hermitian"):
        solve_level2(M, X)
    with pytest.raises(ValueError, match="M must be"):
        solve_level2(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="schedule"):
        solve_level2(M, schedule=((-1.0, 10),))
    with pytest.raises(ValueError, match="target"):
        solve_level2(M, target=float("nan"))
    with pytest.raises(ValueError, match="method"):
        verify_level2(_E, certify_level2(_E, M, solve_level2(M, schedule=((1e3, 5),))), method="cholesky")


@pytest.mark.slow
def test_level2_tightens_werner_holevo_bound():
    G = orthonormal_traceless_basis(3)
    K = -np.diag([1.0 if np.abs(g.imag).max() == 0 else -1.0 for g in G])  # M = I/3 - F
    M, E = form_from_k(K, 3), exact_form_from_k(K, 3)
    assert solve_level1(M).value > 3.9  # level 1: the Werner–Holevo value 4
    sol = solve_level2_interior_point(M)
    cert = certify_level2(E, M, sol)
    assert cert is not None and verify_level2(E, cert)
    assert 2.0 - 1e-9 <= float(cert.bound) <= 2.3  # true max over U(3) is 2; level 2 gives 16/7
    grid = Fraction(1, 2**cert.exponent)
    step = 2**20 * grid  # t changed by a nonzero amount (the solver may return t = 0, so not always lowered)
    lower_t = cert.t - step if cert.t >= step else cert.t + step
    bad = dataclasses.replace(
        cert, gamma=cert.gamma - Fraction(1, 10**3) // grid * grid, bound=cert.bound - Fraction(1, 10**3) // grid * grid
    )
    assert not verify_level2(E, bad)  # γ lowered (arithmetic kept consistent): Q no longer PSD
    assert not verify_level2(E, dataclasses.replace(cert, t=lower_t))  # bound no longer matches
    Xr = list(cert.X_re)
    Xr[0] = Xr[0].copy()
    Xr[0][0, 1] += 1  # not Hermitian
    assert not verify_level2(E, dataclasses.replace(cert, X_re=tuple(Xr)))
