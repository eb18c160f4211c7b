"""Lemma 12 — Δ for dA >= 3 through the unital-channel SDP, with an exactly checked dual certificate.

* 12.1 relaxation: ``C(U) - c0 = tr(M J_U)`` with ``J_U = |vec U><vec U|`` a unital channel's Choi
  matrix, so the SDP over unital channels is >= max_U C; any Hermitian (A, B) gives
  ``max_U C <= tr A + tr B + dA λmax(M - I⊗A - B⊗I)`` (weak duality, no feasibility needed).
* 12.2 dA = 2 is exact (SDP range = 2(σ1+σ2)); for dA = 3 it is not: the Werner–Holevo channel.
* 12.3 the exact certificate check (rational LDLᵀ) accepts valid certificates, which bound every
  unitary, and rejects perturbed ones; the nuclear upper end ``2||K||_*`` is proved the same way
  (``[[P, K], [Kᵀ, Q]] ⪰ 0`` exactly gives ``2||K||_* <= tr P + tr Q``).
* 12.4 level 2: ``<v|X⊗Z_c|v> = 0`` on ``v = u⊗u`` for traceless constraint operators, so
  ``dA² λmax(P†((M⊗I)/dA + Σ X_c⊗Z_c)P)`` bounds max_U for ANY multipliers (X_c ∝ I: level 1); the
  exact level-2 certificate (congruence check) bounds every unitary and is rejected when unchecked.
The SDP solved here is this file's own small Clarabel model (dual form, constraints switchable), not
the library's ``solve_level1``; the library's certificate code is what 12.3 checks.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sps
import sympy as sp
from _helpers import PROOFS, lemma, random_unitary
from hypothesis import given, settings
from hypothesis import strategies as st

from weingarten_check.delta import cost_mp, delta_from_k
from weingarten_check.delta.certified import nuclear_certificate
from weingarten_check.delta.cost import form_from_k
from weingarten_check.delta.optimiser import optimise_form
from weingarten_check.delta.sdp.exact_form import exact_form_from_k, rational_basis
from weingarten_check.delta.sdp.exact_psd import (
    fraction_to_float_down,
    fraction_to_float_up,
    is_hermitian_pd_by_congruence,
    is_hermitian_positive_definite,
    is_positive_definite,
    to_grid,
)
from weingarten_check.delta.sdp.level1 import certify_level1, level1_bound, polish_dual, verify_certificate
from weingarten_check.states.bases import orthonormal_traceless_basis


# ------------------------------------------------------------------------------------ lemma-level tools
def adjoint(U: np.ndarray) -> np.ndarray:
    G = orthonormal_traceless_basis(U.shape[0])
    return np.real(np.einsum("aij,jk,bkl,li->ab", G, U, G, U.conj().T))


def choi(U: np.ndarray) -> np.ndarray:
    u = U.reshape(-1)  # row-major vec: u[k*dA + i] = U[k, i]
    return np.outer(u, u.conj())


def ptrace_first(J: np.ndarray, dA: int) -> np.ndarray:
    """tr over the first factor (index k of (k, i))."""
    return np.einsum("kikj->ij", J.reshape(dA, dA, dA, dA))


def ptrace_second(J: np.ndarray, dA: int) -> np.ndarray:
    """tr over the second factor (index i of (k, i))."""
    return np.einsum("kili->kl", J.reshape(dA, dA, dA, dA))


def ptrace_wrong(J: np.ndarray, dA: int) -> np.ndarray:
    """Mutant: a 'partial trace' that sums the two second-factor indices independently."""
    return np.einsum("kilj->kl", J.reshape(dA, dA, dA, dA))


def is_unital_channel(J: np.ndarray, dA: int, ptraces=(ptrace_first, ptrace_second), tol=1e-10) -> bool:
    """J ⪰ 0 with both partial traces = I: the Choi matrix of a trace-preserving unital channel."""
    if np.linalg.eigvalsh(0.5 * (J + J.conj().T))[0] < -tol:
        return False
    return all(np.allclose(p(J, dA), np.eye(dA), atol=tol) for p in ptraces)


def dual_bound(M: np.ndarray, A: np.ndarray, B: np.ndarray) -> float:
    dA = A.shape[0]
    I = np.eye(dA)
    return float(np.real(np.trace(A) + np.trace(B)) + dA * np.linalg.eigvalsh(M - np.kron(I, A) - np.kron(B, I))[-1])


def sdp_value(M: np.ndarray, dA: int, use_first: bool = True, use_second: bool = True) -> float:
    """max tr(M J) over J ⪰ 0 with the chosen partial-trace constraints (and tr J = dA), via its dual
    min dA·c + tr A + tr B  s.t.  c I + I⊗A + B⊗I ⪰ M  (A: multiplier of tr_1 J = I, B: of tr_2 J = I),
    solved with Clarabel on the real embedding."""
    import clarabel

    D = dA * dA
    n = 2 * D
    iu = [(i, j) for j in range(n) for i in range(j + 1)]
    ii = np.array([i for i, _ in iu])
    jj = np.array([j for _, j in iu])
    w = np.where(ii == jj, 1.0, math.sqrt(2.0))

    def emb(X):
        return np.block([[X.real, -X.imag], [X.imag, X.real]])[ii, jj] * w

    herm = [np.eye(dA, dtype=complex)] + list(orthonormal_traceless_basis(dA))
    I = np.eye(dA)
    cols, cost = [emb(np.eye(D))], [float(dA)]
    if use_first:
        cols += [emb(np.kron(I, h)) for h in herm]
        cost += [float(np.real(np.trace(h))) for h in herm]
    if use_second:
        cols += [emb(np.kron(h, I)) for h in herm]
        cost += [float(np.real(np.trace(h))) for h in herm]
    A = -np.stack(cols, axis=1)
    s = clarabel.DefaultSettings()
    s.verbose = False
    solver = clarabel.DefaultSolver(
        sps.csc_matrix((A.shape[1], A.shape[1])),
        np.array(cost),
        sps.csc_matrix(A),
        -emb(M),
        [clarabel.PSDTriangleConeT(n)],
        s,
    )
    sol = solver.solve()
    return float(sol.obj_val)


def random_k(dA: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal((dA * dA - 1, dA * dA - 1))


# ------------------------------------------------------------------------------------ 12.1
@settings(PROOFS, max_examples=4)
@given(st.integers(0, 2**32 - 1), st.sampled_from([2, 3, 4]))
@lemma(
    "12.1",
    "C(U) - c0 = tr(M J_U), J_U a unital channel; SDP >= max_U C; any (A, B) bounds every unital J",
    "dA = 2, 3, 4, random K, U, A, B (hypothesis)",
)
def test_lemma_12_1_relaxation_and_weak_duality(seed, dA):
    """Lemma 12.1. (i) M = Σ K_ab G_a ⊗ conj G_b reproduces tr(Kᵀ R(U)) = C(U) - c0 and J_U = |u><u| passes
    the unital-channel check, so the SDP value is >= the best unitary found; (ii) for random Hermitian
    (A, B): tr A + tr B + dA λmax(M - I⊗A - B⊗I) >= tr(M J) for unitary J and for a mixture of
    unitaries and the completely depolarising channel J = I/dA · dA (all unital)."""
    rng = np.random.default_rng(seed)
    K = random_k(dA, rng)
    M = form_from_k(K, dA)
    Us = [random_unitary(dA, rng) for _ in range(4)]
    for U in Us:
        assert abs(np.real(np.trace(M @ choi(U))) - np.sum(K * adjoint(U))) < 1e-10
        assert is_unital_channel(choi(U), dA)
    best, _ = optimise_form(M, True, starts=3, rng=seed % 1000)
    assert sdp_value(M, dA) >= best - 1e-6 * max(1.0, abs(best))
    Js = [choi(U) for U in Us] + [sum(choi(U) for U in Us) / 4, np.eye(dA * dA) / dA]
    assert all(is_unital_channel(J, dA) for J in Js)
    for _ in range(3):
        A = rng.standard_normal((dA, dA)) + 1j * rng.standard_normal((dA, dA))
        B = rng.standard_normal((dA, dA)) + 1j * rng.standard_normal((dA, dA))
        A, B = A + A.conj().T, B + B.conj().T
        b = dual_bound(M, A, B)
        assert abs(level1_bound(M, A, B) - b) <= 1e-9 * max(1.0, abs(b))  # the library's float bound is this one
        for J in Js:
            assert np.real(np.trace(M @ J)) <= b + 1e-9


@pytest.mark.mutant
@lemma("12.1", "mutant: with a wrong partial trace a unitary's Choi matrix is not 'unital' (inclusion fails)", "dA = 3")
def test_lemma_12_1_mutant_wrong_partial_trace():
    """The same unital-channel check with a mis-indexed partial trace rejects J_U: the inclusion
    'unitary channels ⊂ feasible set', on which SDP >= max rests, is then false."""
    U = random_unitary(3, np.random.default_rng(121))
    assert is_unital_channel(choi(U), 3)
    assert not is_unital_channel(choi(U), 3, ptraces=(ptrace_first, ptrace_wrong))


@pytest.mark.mutant
@lemma("12.1", "mutant: the bound without the factor dA on λmax is violated by some unitary", "dA = 3")
def test_lemma_12_1_mutant_missing_dimension_factor():
    """tr A + tr B + λmax(S) (no factor dA = <u|u>) is not an upper bound: with A = B = 0 it is
    λmax(M) < <u|M|u> at the maximiser."""
    rng = np.random.default_rng(122)
    K = random_k(3, rng)
    M = form_from_k(K, 3)
    best, _ = optimise_form(M, True, starts=3, rng=1)
    Z = np.zeros((3, 3))
    assert best <= dual_bound(M, Z, Z) + 1e-9  # the lemma
    assert best > float(np.linalg.eigvalsh(M)[-1]) + 1e-3  # the mutant bound fails


# ------------------------------------------------------------------------------------ 12.2
def qubit_closed_form(K: np.ndarray) -> float:
    s = np.linalg.svd(K, compute_uv=False)
    return 2 * (s[0] + s[1])


@settings(PROOFS, max_examples=5)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "12.2",
    "dA = 2: SDP range max_J tr(MJ) - min_J tr(MJ) over unital channels = 2(σ1+σ2) (exact relaxation)",
    "dA = 2, random K (hypothesis)",
)
def test_lemma_12_2_qubit_exact(seed):
    """Lemma 12.2. Every unital qubit channel is a mixture of unitaries (the unital qubit channels form
    the tetrahedron spanned by the Pauli channels, and conjugation by unitaries), so the SDP range
    equals Δ = 2(σ1+σ2); and the library's exact level-1 certificate reaches it to 1e-9."""
    rng = np.random.default_rng(seed)
    K = random_k(2, rng)
    M = form_from_k(K, 2)
    sdp_range = sdp_value(M, 2) + sdp_value(-M, 2)
    assert abs(sdp_range - qubit_closed_form(K)) < 1e-6 * qubit_closed_form(K)


def werner_holevo_choi(d: int) -> sp.Matrix:
    """J of Φ(X) = (tr(X) I - Xᵀ)/(d-1): (I - F)/(d-1), F the swap (exact)."""
    F = sp.zeros(d * d)
    for k in range(d):
        for i in range(d):
            F[k * d + i, i * d + k] = 1
    return (sp.eye(d * d) - F) / (d - 1)


def k_swap(d: int) -> np.ndarray:
    """K with form M = F - I/d: K = diag(s_a), s_a = +1 for real G_a, -1 for imaginary ones."""
    G = orthonormal_traceless_basis(d)
    return np.diag([1.0 if np.abs(g.imag).max() == 0 else -1.0 for g in G])


@lemma(
    "12.2",
    "dA = 3: the Werner–Holevo channel is unital but its SDP value 4 exceeds max over unitaries 2 (not exact)",
    "dA = 3, K = -diag(±1) (M = I/3 - F)",
)
def test_lemma_12_2_qutrit_counterexample():
    """Lemma 12.2 (the limit). For d = 3 the Werner–Holevo channel J = (I - F)/2 is a unital channel
    (exact: J ⪰ 0, both partial traces I) with tr(M J) = d + 1 = 4 for M = I/3 - F, while
    max_U <u|M|u> = 1 - min_U Re tr(U Ū) = 2 (optimiser, 8 starts; U = 1 ⊕ [[0, 1], [-1, 0]]): unital qutrit
    channels are not
    all mixtures of unitaries (Landau & Streater 1993), and the level-1 relaxation can be loose."""
    d = 3
    J = werner_holevo_choi(d)
    assert all(ev >= 0 for ev in J.eigenvals())
    Jn = np.array(J.evalf(), dtype=complex)
    assert is_unital_channel(Jn, d)
    Mn = form_from_k(-k_swap(d), d)
    Ms = sp.Matrix(np.rint(Mn.real * 3).astype(int).tolist()) / 3  # exact: I/3 - F
    assert np.allclose(np.array(Ms.evalf(), dtype=complex), Mn, atol=1e-14)
    assert (Ms * J).trace() == 4
    best, _ = optimise_form(Mn, True, starts=8, rng=3)
    assert abs(best - 2.0) < 1e-8
    assert sdp_value(Mn, d) >= 4 - 1e-6


def sdp_range_is_exact(K: np.ndarray, dA: int, starts: int = 6) -> bool:
    """The 12.2 checker: SDP range (max + max of -M) equals the optimiser's range to 1e-6."""
    M = form_from_k(K, dA)
    hi, _ = optimise_form(M, True, starts=starts, rng=0)
    lo, _ = optimise_form(M, False, starts=starts, rng=1)
    return abs(sdp_value(M, dA) + sdp_value(-M, dA) - (hi - lo)) < 1e-6 * (hi - lo)


@pytest.mark.mutant
@lemma("12.2", "mutant: 'exact' over-generalised to dA = 3 is rejected (Werner–Holevo K)", "dA = 2 vs dA = 3")
def test_lemma_12_2_mutant_qutrit_not_exact():
    """The same range comparison that holds for a random qubit K fails for the qutrit K of the
    Werner–Holevo example: exactness is a dA = 2 fact."""
    assert sdp_range_is_exact(random_k(2, np.random.default_rng(8)), 2)
    assert not sdp_range_is_exact(-k_swap(3), 3)


@pytest.mark.mutant
@lemma(
    "12.1",
    "mutant: dropping the constraint tr_1 J = I loosens the relaxation (no longer = max on a tight instance)",
    "dA = 3",
)
def test_lemma_12_1_mutant_dropped_constraint():
    """On an instance where the unital SDP equals the best unitary (to 1e-6), the same comparison with
    the SDP over trace-preserving-only J (tr_1 J = I dropped) fails: both constraints carry the bound."""
    K = random_k(3, np.random.default_rng(0))
    M = form_from_k(K, 3)
    best, _ = optimise_form(M, True, starts=4, rng=0)
    assert abs(sdp_value(M, 3) - best) < 1e-6 * best
    assert sdp_value(M, 3, use_first=False) > best * (1 + 1e-3)


# ------------------------------------------------------------------------------------ 12.3
def certified(K: np.ndarray, dA: int, seed: int):
    from weingarten_check.delta.sdp.level1 import solve_level1

    M = form_from_k(K, dA)
    E = exact_form_from_k(K, dA)
    sol = solve_level1(M)
    best, U = optimise_form(M, True, starts=2, rng=seed)
    cert = certify_level1(E, M, *polish_dual(M, sol.A, sol.B, U))
    return M, E, cert, best, U


@settings(PROOFS, max_examples=3)
@given(st.integers(0, 2**32 - 1), st.sampled_from([3, 4]))
@lemma(
    "12.3",
    "an exactly verified certificate bounds every unitary; exact PD test = sympy on small cases",
    "dA = 3, 4 random K (hypothesis); 3 x 3 rational Hermitian matrices",
)
def test_lemma_12_3_exact_certificate(seed, dA):
    """Lemma 12.3. verify_certificate accepts the polished certificate; its bound is >= C(U) for the
    optimiser's unitary and 50 Haar unitaries; the rational M_r is within the proved error of M; and the
    exact positive-definiteness test agrees with sympy's on rational Hermitian matrices near the boundary."""
    rng = np.random.default_rng(seed)
    K = random_k(dA, rng)
    M, E, cert, best, U = certified(K, dA, seed % 1000)
    assert cert is not None and verify_certificate(E, cert)
    bound = cert.bound
    assert Fraction(best) <= bound
    for _ in range(50):
        u = random_unitary(dA, rng).reshape(-1)
        assert Fraction(float(np.real(np.vdot(u, M @ u)))) <= bound
    Mr = (E.re.astype(float) + 1j * E.im.astype(float)) / 2.0**E.exponent
    assert np.linalg.norm(M - Mr, 2) <= float(E.err) + 1e-13 * np.abs(M).max()
    # the library's bound is the lemma's tr A_r + tr B_r + dA (t + err), from the certificate's own fields;
    # the same certificate with the factor dA dropped is rejected
    scale = Fraction(2) ** cert.exponent
    tr_ab = Fraction(int(sum(cert.A_re[i, i] + cert.B_re[i, i] for i in range(dA)))) / scale
    assert cert.bound == tr_ab + dA * (cert.t + cert.err) and cert.err >= E.err
    assert not verify_certificate(E, dataclasses.replace(cert, bound=tr_ab + cert.t + cert.err))
    # err >= ||M_true - M_r||_2 with M_true = Σ K_ab G_a ⊗ conj(G_b) at 40 digits (G_a = F_a / sqrt(p_a))
    assert E.err > 0 and rational_error(K, dA, E) <= float(E.err)
    # the float ends of the bracket are rounded outward
    for x in (Fraction(1, 3), Fraction(-1, 3), Fraction(2, 3), cert.bound, -cert.bound):
        assert Fraction(fraction_to_float_down(x)) <= x <= Fraction(fraction_to_float_up(x))
    # the lower end is C at an exactly unitary matrix: cost_mp re-orthonormalises (polar factor of (1 + 1e-6) U)
    c_u = cost_mp(K, dA, U)
    assert abs(c_u - cost_mp(K, dA, (1 + 1e-6) * U)) <= 1e-25 * max(1, abs(c_u))
    assert abs(float(c_u) - best) <= 1e-9 * max(1.0, abs(best))
    for _ in range(3):
        X = rng.integers(-5, 6, (3, 3)) + 1j * rng.integers(-5, 6, (3, 3))
        H = X + X.conj().T
        lam_min = float(np.linalg.eigvalsh(H)[0])
        for shift in (math.floor(-lam_min), math.ceil(-lam_min)):
            Hs = H + shift * np.eye(3)
            re = [[int(v) for v in r] for r in Hs.real]
            im = [[int(v) for v in r] for r in Hs.imag]
            sym = sp.Matrix(3, 3, lambda i, j, re=re, im=im: sp.Integer(re[i][j]) + sp.I * sp.Integer(im[i][j]))
            assert is_hermitian_positive_definite(re, im) == sylvester_positive_definite(sym)


def sylvester_positive_definite(H: sp.Matrix) -> bool:
    """Independent exact reference: a Hermitian matrix is positive definite iff every leading principal
    minor is > 0 (Sylvester's criterion; the minors of a Hermitian matrix are real).  Exact determinants of
    Gaussian-integer matrices (sympy's own ``is_positive_definite`` misjudged a complex Hermitian 3×3 here)."""
    minors = [sp.expand(H[:k, :k].det()) for k in range(1, H.rows + 1)]
    assert all(sp.im(m) == 0 for m in minors)
    return all(m > 0 for m in minors)


def rational_error(K: np.ndarray, dA: int, E) -> float:
    """||M_true - M_r||_2 (to ~1e-15 relative) with M_true = Σ K_ab G_a ⊗ conj(G_b) computed at 40 digits
    from the integer Gell-Mann matrices F_a and p_a (G_a = F_a / sqrt(p_a)) and M_r the exact form's rationals."""
    import mpmath

    D = dA * dA
    with mpmath.workdps(40):
        G = [
            [[mpmath.mpc(int(fr[i, j]), int(fi[i, j])) / mpmath.sqrt(p) for j in range(dA)] for i in range(dA)]
            for fr, fi, p in rational_basis(dA)
        ]
        diff = [
            [mpmath.mpc(-int(E.re[r, c]), -int(E.im[r, c])) / mpmath.mpf(2) ** E.exponent for c in range(D)]
            for r in range(D)
        ]
        for a in range(len(G)):
            for b in range(len(G)):
                kab = mpmath.mpf(float(K[a, b]))
                for l in range(dA):
                    for k in range(dA):
                        if G[a][l][k] == 0:
                            continue
                        for j in range(dA):
                            for i in range(dA):
                                diff[l * dA + j][k * dA + i] += kab * G[a][l][k] * mpmath.conj(G[b][j][i])
        arr = np.array([[complex(v) for v in row] for row in diff])
    return float(np.linalg.norm(arr, 2)) * (1 - 1e-12)


@lemma(
    "12.3",
    "delta_from_k: the upper end is >= Δ (verified certificates), the bracket closes where level 1 is exact",
    "dA = 3, K = c·I (Δ = 9c exactly), c = 0.618…, 1.1",
)
def test_lemma_12_3_certified_bracket_of_the_library():
    """For K = c·I, C(U) - c0 = c(|tr U|² - 1) (Σ_a G_a X G_a = tr(X) I - X/dA), so Δ = c dA² = 9c exactly
    (max at U = I; min 0 at tr U = 0, e.g. the cyclic shift), and the unital SDP is exact (<Ω|J|Ω> <= dA² on
    unital J).  The library's upper end must be >= 9c as an exact rational (a proved bound, not the
    attained lower end: 9c is not a double here, so lower < 9c) and the bracket at most ``tol`` wide."""
    for c in (0.6180339887498949, 1.1):
        r = delta_from_k(c * np.eye(8), 3)
        assert r.certificate.startswith("sdp") and not r.exact
        assert Fraction(r.upper) >= 9 * Fraction(c)
        assert r.upper - r.lower <= 1e-6 * r.upper


@pytest.mark.mutant
@lemma("12.3", "mutant: an unchecked certificate (shift t below λmax) is rejected and its bound is false", "dA = 3")
def test_lemma_12_3_mutant_unchecked_certificate():
    """Lowering t below λmax of the slack (bound adjusted consistently) is rejected by the same checker —
    and the bound it would give is violated by the optimiser's unitary: skipping the check is unsound."""
    K = random_k(3, np.random.default_rng(123))
    M, E, cert, best, U = certified(K, 3, 0)
    grid = Fraction(1, 2**E.exponent)
    need = (cert.bound - Fraction(best)) / 3 + Fraction(1, 10**6)  # lower t by this (on the grid)
    dt = math.ceil(need / grid) * grid
    bad = dataclasses.replace(cert, t=cert.t - dt, bound=cert.bound - 3 * dt)
    assert not verify_certificate(E, bad)
    assert bad.bound < Fraction(best)


@pytest.mark.mutant
@lemma("12.3", "mutant: a perturbed dual / A and B on swapped factors (wrong partial trace) is rejected", "dA = 3")
def test_lemma_12_3_mutant_perturbed_dual():
    """The same checker rejects the certificate with B moved by 1e-3 on one diagonal entry (bound
    recomputed, so only feasibility fails) and with A and B exchanged (I⊗B + A⊗I: the multipliers
    attached to the wrong partial traces)."""
    K = random_k(3, np.random.default_rng(124))
    M, E, cert, best, U = certified(K, 3, 0)
    assert verify_certificate(E, cert)
    step = 2**E.exponent // 1000
    Bre = cert.B_re.copy()
    Bre[0, 0] -= step
    assert not verify_certificate(
        E, dataclasses.replace(cert, B_re=Bre, bound=cert.bound - Fraction(step, 2**E.exponent))
    )
    swapped = dataclasses.replace(cert, A_re=cert.B_re, A_im=cert.B_im, B_re=cert.A_re, B_im=cert.A_im)
    assert not verify_certificate(E, swapped)


def nuclear_norm_mp(K: np.ndarray, dps: int = 30) -> Fraction:
    """2||K||_* from mpmath's SVD at ``dps`` digits (this file's own reference)."""
    import mpmath

    with mpmath.workdps(dps):
        s = mpmath.svd_r(mpmath.matrix(K.tolist()), compute_uv=False)
        return Fraction(str(2 * mpmath.fsum(s)))


@settings(PROOFS, max_examples=3)
@given(st.integers(0, 2**32 - 1), st.sampled_from([3, 4]))
@lemma(
    "12.3",
    "the nuclear upper end: an exactly checked [[P, K], [Kᵀ, Q]] ⪰ 0 proves 2||K||_* <= tr P + tr Q",
    "dA = 3, 4 random K (hypothesis); the rank-one K = diag(1, 0, ...) at dA = 3 (Δ = 2||K||_* = 2)",
)
def test_lemma_12_3_nuclear_certificate(seed, dA):
    """Lemma 12.3 applied to Lemma 3.3: the library's exactly checked bound is >= 2||K||_* (mpmath, 30
    digits, up to 1e-25) and >= the optimiser's range, and tight (within 1e-9); at the rank-one K it
    is >= the attained Δ = 2."""
    rng = np.random.default_rng(seed)
    K = random_k(dA, rng)
    b = nuclear_certificate(K)
    ref = nuclear_norm_mp(K)
    assert b >= ref * (1 - Fraction(1, 10**25)) and b <= ref * (1 + Fraction(1, 10**9))
    M = form_from_k(K, dA)
    hi, _ = optimise_form(M, True, starts=4, rng=seed % 1000)
    lo, _ = optimise_form(M, False, starts=4, rng=seed % 1000)
    assert Fraction(hi - lo) <= b
    e1 = np.diag([1.0] + [0.0] * 7)
    assert nuclear_certificate(e1) >= 2


@pytest.mark.mutant
@lemma("12.3", "mutant: a nuclear bound from an unchecked float SVD (1e-9 low) is false and rejected", "dA = 3")
def test_lemma_12_3_mutant_unchecked_nuclear():
    """At the rank-one K = diag(1, 0, ...) (Δ = 2) a float SVD whose singular value is 1e-9 low gives
    P = Q = diag(s, ε, ...) with tr P + tr Q < 2 = Δ (a false upper end), and the exact PD check of
    [[P, K], [K, Q]] rejects it."""
    K = np.diag([1.0] + [0.0] * 7)
    bits = 60
    eps = 2.0**-46
    S = np.diag([1.0 - 1e-9] + [0.0] * 7) + eps * np.eye(8)
    P = to_grid(S, bits)
    B = np.block([[P, to_grid(K, bits)], [to_grid(K, bits), P]])
    assert Fraction(2 * int(np.trace(P)), 2**bits) < 2
    assert not is_positive_definite(B)


# ------------------------------------------------------------------------------------ 12.4
def sym2_isometry(D: int) -> np.ndarray:
    """Columns: an orthonormal basis of Sym²(C^D) = the +1 eigenspace of (I + SWAP)/2 (own construction)."""
    swap = np.zeros((D * D, D * D))
    for a in range(D):
        for b in range(D):
            swap[a * D + b, b * D + a] = 1
    w, V = np.linalg.eigh((np.eye(D * D) + swap) / 2)
    return V[:, w > 0.5]


def traceless_ops(dA: int, shift: float = 0.0) -> list[np.ndarray]:
    """The constraint operators I⊗G_a and G_a⊗I on C^(dA²) (``shift`` ≠ 0: G_a + shift·I, the mutant)."""
    I = np.eye(dA)
    out = []
    for g in orthonormal_traceless_basis(dA):
        g = g + shift * I
        out += [np.kron(I, g), np.kron(g, I)]
    return out


def level2_f(M: np.ndarray, X: list[np.ndarray], ops: list[np.ndarray], factor: float | None = None) -> float:
    """f(X) = dA² λmax(P†((M⊗I)/dA + Σ_c X_c ⊗ Z_c)P) of Lemma 12.4 (``factor`` replaces dA²: a mutant)."""
    D = M.shape[0]
    dA = math.isqrt(D)
    P = sym2_isometry(D)
    H = np.kron(M, np.eye(D)) / dA + sum(np.kron(x, z) for x, z in zip(X, ops))
    return float((dA * dA if factor is None else factor) * np.linalg.eigvalsh(P.conj().T @ H @ P)[-1])


def level2_bound_holds(
    M: np.ndarray, X: list[np.ndarray], ops: list[np.ndarray], Us: list[np.ndarray], factor: float | None = None
) -> bool:
    """The 12.4 checker: <u|M|u> <= f(X) for every given unitary (u = vec U row-major)."""
    f = level2_f(M, X, ops, factor)
    return all(float(np.real(np.vdot(U.reshape(-1), M @ U.reshape(-1)))) <= f + 1e-9 * max(1.0, abs(f)) for U in Us)


@settings(PROOFS, max_examples=3)
@given(st.integers(0, 2**32 - 1), st.sampled_from([3, 4]))
@lemma(
    "12.4",
    "level 2: for u = vec U, v = u⊗u ∈ Sym², <v|X⊗Z_c|v> = 0 (Z_c = I⊗G_a, G_a⊗I), so max_U <u|M|u> <= dA² "
    "λmax(P†((M⊗I)/dA + Σ X_c⊗Z_c)P) for ANY Hermitian X_c; X_c ∝ I gives level 1",
    "dA = 3, 4, random K, X, U (hypothesis)",
)
def test_lemma_12_4_level2_bound(seed, dA):
    """Lemma 12.4. (i) For Haar U: v = u⊗u is in Sym², <v|v> = dA², <v|(M⊗I)|v> = dA <u|M|u> and
    <v|X⊗Z_c|v> = <u|X|u> <u|Z_c|u> = 0 (tr G_a = 0); (ii) hence f(X) >= <u|M|u> for random Hermitian
    multipliers and for the optimiser's maximiser; (iii) X_c = -(coefficient of A or B on G_a)/dA · I
    reproduces the level-1 bound tr A + tr B + dA λmax(M - I⊗A - B⊗I) (A, B traceless)."""
    rng = np.random.default_rng(seed)
    D = dA * dA
    M = form_from_k(random_k(dA, rng), dA)
    ops = traceless_ops(dA)
    P = sym2_isometry(D)
    Us = [random_unitary(dA, rng) for _ in range(6)]
    for U in Us:
        u = U.reshape(-1)
        v = np.kron(u, u)
        assert np.linalg.norm(v - P @ (P.conj().T @ v)) < 1e-12 and abs(np.vdot(v, v) - dA * dA) < 1e-10
        assert abs(np.vdot(v, np.kron(M, np.eye(D)) @ v) - dA * np.vdot(u, M @ u)) < 1e-9
        for z in ops:
            assert abs(np.vdot(u, z @ u)) < 1e-12
    best, Ubest = optimise_form(M, True, starts=2, rng=seed % 1000)
    for _ in range(2):
        X = []
        for _z in ops:
            Y = rng.standard_normal((D, D)) + 1j * rng.standard_normal((D, D))
            X.append(0.1 * (Y + Y.conj().T))
        assert level2_bound_holds(M, X, ops, Us + [Ubest])
    G = orthonormal_traceless_basis(dA)
    a, b = rng.standard_normal(D - 1), rng.standard_normal(D - 1)
    A, B = np.einsum("a,aij->ij", a, G), np.einsum("a,aij->ij", b, G)
    X1 = []
    for k in range(D - 1):
        X1 += [-a[k] / dA * np.eye(D), -b[k] / dA * np.eye(D)]
    assert abs(level2_f(M, X1, ops) - dual_bound(M, A, B)) < 1e-9 * max(1.0, abs(dual_bound(M, A, B)))


@settings(PROOFS, max_examples=20)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "12.4",
    "the congruence test (sufficient only) accepts only positive definite matrices, for ANY witness W",
    "3 x 3 integer Hermitian matrices near the boundary, random Gaussian-integer W and W = I (hypothesis)",
)
def test_lemma_12_4_congruence_test_is_sound(seed):
    """Lemma 12.4's decision: R = W† Z W strictly diagonally dominant (|Re| + |Im|) with positive diagonal
    proves Z ≻ 0.  The library's is_hermitian_pd_by_congruence never accepts a matrix that sympy finds not
    positive definite, with its own witness, W = I and random W; [[2, 3], [3, 2]] (eigenvalue -1, off-diagonal
    3 < 2·2) is rejected."""
    assert not is_hermitian_pd_by_congruence(
        [[2, 3], [3, 2]], [[0, 0], [0, 0]], witness=(np.eye(2, dtype=int), np.zeros((2, 2), dtype=int))
    )
    rng = np.random.default_rng(seed)
    X = rng.integers(-5, 6, (3, 3)) + 1j * rng.integers(-5, 6, (3, 3))
    H = X + X.conj().T
    lam_min = float(np.linalg.eigvalsh(H)[0])
    for shift in (math.floor(-lam_min), math.ceil(-lam_min), math.ceil(-lam_min) + 3):
        Hs = H + shift * np.eye(3)
        re = [[int(v) for v in r] for r in Hs.real]
        im = [[int(v) for v in r] for r in Hs.imag]
        Z = sp.Matrix(3, 3, lambda i, j, re=re, im=im: sp.Integer(re[i][j]) + sp.I * sp.Integer(im[i][j]))
        pd = all(sp.re(sp.expand(Z[:k, :k].det())) > 0 for k in (1, 2, 3))  # Sylvester (Hermitian Z), exact
        witnesses = [None, (np.eye(3, dtype=int), np.zeros((3, 3), dtype=int))]
        witnesses += [(rng.integers(-3, 4, (3, 3)), rng.integers(-3, 4, (3, 3))) for _ in range(3)]
        for w in witnesses:
            if is_hermitian_pd_by_congruence(re, im, witness=w):
                assert pd


@pytest.mark.mutant
@lemma(
    "12.4", "mutant: constraint operators that are not traceless (G_a + I) — the level-2 'bound' is violated", "dA = 3"
)
def test_lemma_12_4_mutant_not_traceless():
    """With Z_c built from G_a + I (so <u|Z_c|u> = dA ≠ 0) and multipliers X_c = -I on them, the same
    checker finds the optimiser's unitary above the would-be bound: tracelessness carries the lemma."""
    rng = np.random.default_rng(124)
    M = form_from_k(random_k(3, rng), 3)
    best, U = optimise_form(M, True, starts=3, rng=0)
    X = [-np.eye(9) for _ in range(16)]
    assert level2_bound_holds(M, X, traceless_ops(3), [U])  # the lemma: fine with traceless ops
    assert not level2_bound_holds(M, X, traceless_ops(3, shift=1.0), [U])  # the mutant fails


@pytest.mark.mutant
@lemma("12.4", "mutant: the factor dA² = <v|v> replaced by dA — the bound is violated", "dA = 3")
def test_lemma_12_4_mutant_wrong_norm():
    """dA λmax instead of dA² λmax (X = 0): the same checker finds <u|M|u> above it at the maximiser."""
    rng = np.random.default_rng(125)
    M = form_from_k(random_k(3, rng), 3)
    best, U = optimise_form(M, True, starts=3, rng=0)
    X = [np.zeros((9, 9)) for _ in range(16)]
    assert level2_bound_holds(M, X, traceless_ops(3), [U])
    assert not level2_bound_holds(M, X, traceless_ops(3), [U], factor=3.0)


def level2_certified(K: np.ndarray, dA: int):
    """Library path: level-1 multipliers -> first-order level 2 -> exact certificate (max side)."""
    from weingarten_check.delta.sdp.level1 import solve_level1
    from weingarten_check.delta.sdp.level2 import certify_level2, level1_multipliers, solve_level2

    M, E = form_from_k(K, dA), exact_form_from_k(K, dA)
    s1 = solve_level1(M)
    sol = solve_level2(M, level1_multipliers(s1.A, s1.B, dA))
    return M, E, certify_level2(E, M, sol), s1


@lemma(
    "12.4",
    "the exact level-2 certificate (congruence-checked S†(Q_r + tI)S ≻ 0) bounds every unitary and beats level 1 "
    "where it is loose",
    "dA = 3 (Werner–Holevo K), dA = 4 (random K)",
)
def test_lemma_12_4_exact_certificate():
    """verify_level2 accepts the first-order certificate; Werner–Holevo (dA = 3): the proved bound is in
    [2, 2.3] (level 1: 4, true max 2) and the complete LDLᵀ test agrees with the congruence test; a
    random dA = 4 K: the bound is >= the optimiser's value and >= C(U) for 50 Haar unitaries, and
    <= the level-1 value."""
    from weingarten_check.delta.sdp.level2 import verify_level2

    M, E, cert, s1 = level2_certified(-k_swap(3), 3)
    assert cert is not None and verify_level2(E, cert) and verify_level2(E, cert, method="ldl")
    assert s1.value > 3.9 and 2 <= cert.bound <= Fraction(23, 10)
    rng = np.random.default_rng(126)
    M, E, cert, s1 = level2_certified(random_k(4, rng), 4)
    assert cert is not None and verify_level2(E, cert)
    best, _ = optimise_form(M, True, starts=3, rng=0)
    assert Fraction(best) <= cert.bound <= Fraction(s1.value) + Fraction(1, 10**9)
    for _ in range(50):
        u = random_unitary(4, rng).reshape(-1)
        assert Fraction(float(np.real(np.vdot(u, M @ u)))) <= cert.bound


@pytest.mark.mutant
@lemma(
    "12.4",
    "mutant: an unchecked level-2 certificate (γ lowered below the optimum) is rejected and its bound is false",
    "dA = 3",
)
def test_lemma_12_4_mutant_unchecked_certificate():
    """γ lowered (bound adjusted consistently) until the bound is below the optimiser's value: the same
    checker rejects it — skipping the exact check would publish a false bound."""
    from weingarten_check.delta.sdp.level2 import verify_level2

    M, E, cert, _s1 = level2_certified(random_k(3, np.random.default_rng(127)), 3)
    best, _ = optimise_form(M, True, starts=3, rng=0)
    grid = Fraction(1, 2**E.exponent)
    dg = (cert.bound - Fraction(best)) // grid * grid + grid
    bad = dataclasses.replace(cert, gamma=cert.gamma - dg, bound=cert.bound - dg)
    assert verify_level2(E, cert) and bad.bound < Fraction(best)
    assert not verify_level2(E, bad)
