"""Lemma 14 — exact second moments of finite-depth random circuits (DERIVATION.md §14).

For ANY ensemble ``E[Δ] <= sqrt(2) dA sqrt(E||K||_F²)`` (Lemmas 3.4, 11.3 and Jensen), and
``E||K||_F² = tr[(H⊗H) Φ2(P_A(Φ1(ρ⊗ρ)))]`` needs only the circuit's two-copy moment map, the
composition of its gates' maps.  The parts:

14.1 a Haar gate's map is the Weingarten projection onto span{I, F} (symbolic q);
14.2 the paper's per-qubit rotation average is exact with four angles, rational, rank 13;
14.3 the library's finite-depth E||K||_F² equals brute-force averages (an exact finite circuit set for
    the HEA; the dense partial Haar twirl of the Weingarten engine for brickwork);
14.4 L → ∞ gives Lemma 9's Haar value (brickwork: exactly, from the conserved functionals of the
    two-layer map; HEA: exact values converge);
14.5 at shallow depth the brickwork value does not depend on n once the light cones of A's
    neighbours are disjoint;
14.6 the real-amplitude HEA (R_Y rotations + CZ chain): the one-axis rotation map is exact with any
    N >= 3 equally spaced angles (rank 6); the library equals a brute-force enumeration; its L → ∞
    limit (exact, from the fixed space of the layer map) is neither the O(d) nor the U(d) Haar value;
14.7 qudits (q >= 3): brickwork and local1 in matrix-unit labels equal a dense brute force and converge
    exactly to Lemma 9's Haar value;
14.8 A = two adjacent sites (m = 2): P_A against its Gell-Mann definition, brute force, exact limit;
14.9 a user's Qiskit circuit (free Pauli-rotation angles, exact fixed gates, A of one or two qubits):
    the library's exact value equals the average over an exact finite circuit set.
"""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from _helpers import gell_mann_exact, heisenberg_ring, k_matrix, lemma

from weingarten_check.calculus.unitary import weingarten_unitary
from weingarten_check.calculus.unitary_integrals import twirl
from weingarten_check.circuits import second_moments as sm
from weingarten_check.circuits.ensembles import cz_chain_diagonal, pauli_rotation, ry
from weingarten_check.theory import finite_depth as fd

q_s = sp.Symbol("q", positive=True, integer=True)
PAULI = {
    "I": np.eye(2),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1.0, -1.0]).astype(complex),
}


# ---------------------------------------------------------------------------------------------
# 14.1 the Haar gate
# ---------------------------------------------------------------------------------------------
def haar_map_is_weingarten_projection(W) -> bool:
    """Checker for 14.1.  ``W(D)``: 2×2 coefficients with ``(c_I, c_F) = W (tr Z, tr FZ)``.

    (i) symbolic in q (D = q^k, k = 1, 2): the map fixes I (traces (D², D)) and F (traces (D, D²)) and
    is idempotent on span{I, F}; (ii) the mixed products I⊗F of a 2-site gate go to
    ``q/(q²+1) (I⊗I + F⊗F)``; (iii) for q = 2 and q = 3 (one site) it equals the engine's exact Haar
    twirl (``unitary_integrals.twirl``) on random operators."""
    for k in (1, 2):
        D = q_s**k
        M = sp.Matrix(W(D))
        for traces, expect in (((D**2, D), (1, 0)), ((D, D**2), (0, 1))):
            c = M * sp.Matrix(traces)
            if sp.simplify(c[0] - expect[0]) != 0 or sp.simplify(c[1] - expect[1]) != 0:
                return False
    M2 = sp.Matrix(W(q_s**2))
    c = M2 * sp.Matrix([q_s**2 * q_s, q_s * q_s**2])  # Z = I_site ⊗ F_site: tr Z = q²·q, tr FZ = q·q²
    if any(sp.simplify(ci - q_s / (q_s**2 + 1)) != 0 for ci in c):
        return False
    rng = np.random.default_rng(14)
    for D in (2, 3, 4):
        M = np.array(sp.Matrix(W(sp.Integer(D))).evalf(), dtype=float)
        Z = rng.normal(size=(D * D, D * D)) + 1j * rng.normal(size=(D * D, D * D))
        F = np.eye(D * D).reshape(D, D, D, D).transpose(0, 1, 3, 2).reshape(D * D, D * D)
        cI, cF = M @ np.array([np.trace(Z), np.trace(F @ Z)])
        if not np.allclose(cI * np.eye(D * D) + cF * F, twirl(Z, 2), atol=1e-10):
            return False
    return True


@lemma(
    "14.1",
    "a Haar gate's moment map is Z -> c_I I + c_F F, (c_I, c_F) the S2 Weingarten matrix: a projection onto span{I, F}",
    "symbolic q, k = 1, 2 sites; engine twirl for D = 2, 3, 4",
)
def test_lemma_14_1_haar_gate_is_weingarten_projection():
    """14.1.  E[(U⊗U)Z(U⊗U)†] = Σ_{σ,τ} Wg(στ⁻¹, D) tr(P_σ Z) P_τ over S2 = {e, F} (Lemma 1.2): the
    library's coefficients (from the Weingarten engine) satisfy the checker symbolically, and its label
    map gives the mixed product value q/(q²+1) = 2/5 for qubits."""
    assert haar_map_is_weingarten_projection(sm.haar_twirl_coefficients)
    (out,) = [v for lab, v in sm.MomentGate("haar", (0, 1)).apply_local((0, sm.SWAP)) if lab == (0, 0)]
    assert out == Fraction(2, 5)


@pytest.mark.mutant
@lemma("14.1", "mutant: Wg(τ) dropped; D → D + 1", "symbolic q")
def test_lemma_14_1_mutant_rejected():
    """The same checker rejects the diagonal-only map and the map of the wrong dimension."""
    wg_e = lambda D: weingarten_unitary((1, 1), D)  # noqa: E731
    assert not haar_map_is_weingarten_projection(lambda D: ((wg_e(D), 0), (0, wg_e(D))))
    assert not haar_map_is_weingarten_projection(lambda D: sm.haar_twirl_coefficients(D + 1))


# ---------------------------------------------------------------------------------------------
# 14.2 the rotation average
# ---------------------------------------------------------------------------------------------
def _integral_rotation_matrix(axes: str = "XYZ") -> sp.Matrix:
    """The exact ∫ dθ/2π average of R_P(θ)⊗R_P(θ) conjugation, P uniform in ``axes`` (sympy integrate)."""
    th = sp.Symbol("theta", real=True)
    paulis = [sp.eye(2), sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[0, -sp.I], [sp.I, 0]]), sp.diag(1, -1)]
    M = sp.zeros(16, 16)
    for P in [paulis["IXYZ".index(a)] for a in axes]:
        R = sp.cos(th / 2) * sp.eye(2) - sp.I * sp.sin(th / 2) * P
        ptm = [[sp.expand((Pp * R * Q * R.H).trace() / 2) for Q in paulis] for Pp in paulis]
        for i, j, k, m in itertools.product(range(4), repeat=4):
            e = sp.expand(ptm[k][i] * ptm[m][j])
            if e != 0:
                M[4 * k + m, 4 * i + j] += sp.integrate(sp.expand(e.rewrite(sp.exp)), (th, 0, 2 * sp.pi)) / (
                    2 * sp.pi * len(axes)
                )
    return M.applyfunc(sp.simplify)


_INTEGRAL = None


def rotation_rule_exact(M: sp.Matrix) -> bool:
    """Checker for 14.2: M equals the exact integral over θ (and the axis average)."""
    global _INTEGRAL
    if _INTEGRAL is None:
        _INTEGRAL = _integral_rotation_matrix()
    return (M - _INTEGRAL).applyfunc(sp.simplify) == sp.zeros(16, 16)


@lemma(
    "14.2",
    "the random-axis uniform-angle rotation average is exact with θ in {0, π/2, π, 3π/2}; "
    "rational, rank 13, not the Haar map",
    "one qubit, exact (sympy integral)",
)
def test_lemma_14_2_rotation_average_four_angles():
    """14.2.  Entries of R⊗R⊗R̄⊗R̄ are trigonometric polynomials of degree <= 2 in θ, and the N-point
    equally spaced rule is exact for degree < N: four angles suffice.  The library's matrix equals the
    integral, is rational, has rank 13, and differs from the one-qubit Haar map (rank 2)."""
    M = sm.rotation_moment_matrix("XYZ")
    assert rotation_rule_exact(M)
    assert all(x.is_Rational for x in M)
    assert M.rank() == 13
    haar = sp.zeros(16, 16)  # one-qubit Haar map on Pauli pairs: I⊗I fixed, (μ,μ) -> average of (ν,ν)
    haar[0, 0] = 1
    for a, b in itertools.product((5, 10, 15), repeat=2):
        haar[a, b] = sp.Rational(1, 3)
    assert M != haar and haar.rank() == 2


@pytest.mark.mutant
@lemma("14.2", "mutant: the two-angle rule {0, π}; axes {X, Y} only", "one qubit, exact")
def test_lemma_14_2_mutant_rejected():
    """The same checker rejects a rule that is not exact in degree 2, and the wrong axis set."""
    assert not rotation_rule_exact(sm.rotation_moment_matrix("XYZ", angles=[0, sp.pi]))
    assert not rotation_rule_exact(sm.rotation_moment_matrix("XY"))


# ---------------------------------------------------------------------------------------------
# 14.3 brute force
# ---------------------------------------------------------------------------------------------
_ring = functools.cache(heisenberg_ring)  # the same H for every circuit of a brute-force average


def _k_sq(psi_or_H2, case: str, n: int) -> float:
    """||K||_F² of the Heisenberg ring (A = site 0, ρ = |0…0>) from a state (v1) or H2 (v2)."""
    d = 2**n
    rho0 = np.zeros((d, d), dtype=complex)
    rho0[0, 0] = 1
    if case == "v1":
        rho1 = np.outer(psi_or_H2, psi_or_H2.conj())
        K = k_matrix(_ring(n), rho1, 2, d // 2)
    else:
        K = k_matrix(psi_or_H2, rho0, 2, d // 2)
    return float(np.sum(np.abs(K) ** 2))


def hea_bruteforce(n: int, L: int, case: str, angles=(0, np.pi / 2, np.pi, 3 * np.pi / 2), prefix=True) -> float:
    """Average over ALL axis/angle choices of the finite set (3 axes × 4 angles per qubit and layer)."""
    choices = [(ax, th) for ax in "XYZ" for th in angles]
    diag = cz_chain_diagonal(n).reshape(-1)
    first = np.eye(1)
    for _ in range(n):
        first = np.kron(first, ry(np.pi / 4) if prefix else np.eye(2))
    total, count = 0.0, 0
    for combo in itertools.product(choices, repeat=n * L):
        V = first
        for layer in range(L):
            R = np.eye(1)
            for s in range(n):
                ax, th = combo[layer * n + s]
                R = np.kron(R, pauli_rotation(ax, th))
            V = diag[:, None] * (R @ V)
        if case == "v1":
            total += _k_sq(V[:, 0], "v1", n)
        else:
            total += _k_sq(V.conj().T @ heisenberg_ring(n) @ V, "v2", n)
        count += 1
    return total / count


def _partial_twirl(Z: np.ndarray, n: int, sites: tuple[int, int]) -> np.ndarray:
    """E[(U⊗U) Z (U⊗U)†] for a Haar U on ``sites`` of both copies (dense, 2n qubits), via the engine's Wg."""
    a, b = sites
    D = 4
    we, wt = float(weingarten_unitary((1, 1), D)), float(weingarten_unitary((2,), D))
    T = Z.reshape((2,) * (4 * n))  # row indices (copy1 n, copy2 n), column indices likewise
    row = [a, b, n + a, n + b]
    col = [2 * n + x for x in row]
    rest_r = [i for i in range(2 * n) if i not in row]
    rest_c = [2 * n + i for i in rest_r]
    T = T.transpose(row + col + rest_r + rest_c).reshape(16, 16, 4 ** (n - 2) * 4 ** (n - 2))
    Id = np.eye(16)
    F = np.eye(16).reshape(4, 4, 4, 4).transpose(0, 1, 3, 2).reshape(16, 16)
    trZ = np.einsum("iir->r", T)
    trFZ = np.einsum("ij,jir->r", F, T)
    cI, cF = we * trZ + wt * trFZ, wt * trZ + we * trFZ
    out = np.einsum("ij,r->ijr", Id, cI) + np.einsum("ij,r->ijr", F, cF)
    m = 2 ** (2 * n - 4)
    out = out.reshape((2,) * 8 + (m, m)).reshape((2,) * 8 + (2,) * (2 * n - 4) + (2,) * (2 * n - 4))
    perm = np.argsort(row + col + rest_r + rest_c)
    return out.transpose(perm).reshape(4**n, 4**n)


def brickwork_bruteforce(n: int, L: int, case: str, first: int = 1) -> float:
    """Dense two-copy computation from the definition of K (no labels, no P_A)."""
    d = 2**n
    gates = [[(i, i + 1) for i in range(0 if ell % 2 else 1, n - 1, 2)] for ell in range(first, first + L)]
    H = heisenberg_ring(n)
    G = [PAULI[p] / np.sqrt(2) for p in "XYZ"]
    total = 0.0
    if case == "v1":
        psi = np.zeros(d)
        psi[0] = 1
        Z = np.kron(np.outer(psi, psi), np.outer(psi, psi)).astype(complex)
        for layer in gates:
            for s in layer:
                Z = _partial_twirl(Z, n, s)
        for a in range(3):
            h_a = np.einsum("ji,ikjl->kl", G[a], H.reshape(2, d // 2, 2, d // 2))
            for b in range(3):
                O = np.kron(G[b], h_a)
                total += np.trace(np.kron(O, O) @ Z).real
        return total
    Z = np.kron(H, H).astype(complex)
    for layer in reversed(gates):
        for s in layer:
            Z = _partial_twirl(Z, n, s)
    r = np.zeros((d // 2, d // 2))
    r[0, 0] = 1 / np.sqrt(2)  # r_z = tr_A((G_z ⊗ I) ρ) for ρ = |0…0>; r_x = r_y = 0
    for a in range(3):
        X = np.kron(G[a], r)
        total += np.trace(np.kron(X, X) @ Z).real
    return total


def matches_bruteforce(value, reference: float) -> bool:
    """Checker for 14.3: the exact library value equals the brute-force average (float rounding only)."""
    return abs(float(value) - reference) < 1e-9 * max(1.0, abs(reference))


@lemma(
    "14.3",
    "finite-depth E||K||_F² (library, exact) equals brute-force averages: HEA over an exact finite "
    "circuit set, brickwork by the dense twirl",
    "HEA n = 3, L = 1 (1728 circuits) v1, v2; brickwork n = 3, 4, L = 1, 2, 3 v1, v2",
)
def test_lemma_14_3_bruteforce():
    """14.3.  HEA: by 14.2 the 4-angle set reproduces every gate's second moment, so the average over
    all 12^(nL) choices IS the second moment.  Brickwork: each gate's map is the engine's partial twirl
    (dense, 2n qubits), and ||K||_F² is taken from its definition Σ_ab tr(O_ab⊗O_ab ·) (no P_A)."""
    for case in ("v1", "v2"):
        assert matches_bruteforce(
            fd.finite_depth_moment("vqe", case, "hea", 3, layers=1).value, hea_bruteforce(3, 1, case)
        )
    for n, L, case in ((3, 1, "v1"), (3, 2, "v1"), (4, 2, "v1"), (4, 3, "v1"), (3, 2, "v2"), (4, 2, "v2")):
        assert matches_bruteforce(
            fd.finite_depth_moment("vqe", case, "brickwork", n, layers=L).value, brickwork_bruteforce(n, L, case)
        )


@pytest.mark.mutant
@lemma("14.3", "mutant: brickwork with the even layer first; HEA without its R_y(π/4) layer; 2-angle rule", "n = 3, 4")
def test_lemma_14_3_mutant_rejected():
    """The same checker rejects the library value against circuits that differ from the ensemble."""
    v = fd.finite_depth_moment("vqe", "v1", "brickwork", 4, layers=2).value
    assert not matches_bruteforce(v, brickwork_bruteforce(4, 2, "v1", first=2))
    h = fd.finite_depth_moment("vqe", "v1", "hea", 3, layers=1).value
    assert not matches_bruteforce(h, hea_bruteforce(3, 1, "v1", prefix=False))
    assert not matches_bruteforce(h, hea_bruteforce(3, 1, "v1", angles=(0, np.pi)))


# ---------------------------------------------------------------------------------------------
# 14.4 L -> infinity
# ---------------------------------------------------------------------------------------------
def brickwork_limit(task: str, n: int, q: int = 2, A: tuple = (0,)) -> sp.Expr:
    """lim_L E||K||_F² (v1) exactly: the two-layer Heisenberg map T on span{I, s}^n (library gate maps,
    local dimension q) has eigenvalue 1 on I…I and s…s and spectral radius < 1 elsewhere, so T^k X -> the
    combination fixed by T's two conserved functionals (left eigenvectors of eigenvalue 1); the start is
    ``P_A(H⊗H)`` (Pauli pairs for q = 2, matrix-unit pairs for q >= 3: 14.7)."""
    confs = list(itertools.product((0, sm.SWAP), repeat=n))
    index = {c: i for i, c in enumerate(confs)}
    two = sm.brickwork_layers(n, 2, q)  # layer 1 then layer 2: Heisenberg applies layer 2 first
    T = sp.zeros(len(confs), len(confs))
    for j, c in enumerate(confs):
        for key, v in sm.propagate({c: Fraction(1)}, two, heisenberg=True).items():
            T[index[key], j] += sp.Rational(v.numerator, v.denominator)
    ev = np.linalg.eigvals(np.array(T.evalf(), dtype=float))
    assert sorted(np.abs(ev))[-3] < 1 - 1e-9  # exactly two eigenvalues of modulus 1
    left = (T.T - sp.eye(len(confs))).nullspace()
    assert len(left) == 2
    X0 = sm.apply_projection_A(fd.h_tensor_h(task, n, A, True, q), A, q)
    X = sm.propagate(X0, two, heisenberg=True)  # every site touched: now in span{I, s}^n
    x = sp.zeros(len(confs), 1)
    for key, v in X.items():
        x[index[key]] += sp.Rational(v.numerator, v.denominator)
    ii, ss = sp.zeros(len(confs), 1), sp.zeros(len(confs), 1)
    ii[index[(0,) * n]] = 1
    ss[index[(sm.SWAP,) * n]] = 1
    c = sp.symbols("c1 c2")
    sol = sp.solve([(lv.T * (c[0] * ii + c[1] * ss - x))[0] for lv in left], c)
    return sp.nsimplify(sol[c[0]] + sol[c[1]])  # <00|I|00> = <00|s|00> = 1


def limit_is_haar(limit: sp.Expr, task: str, n: int) -> bool:
    """Checker for 14.4: the limit equals Lemma 9's 2-design value exactly."""
    return sp.simplify(limit - fd.two_design_value(task, "v1", n)) == 0


@lemma(
    "14.4",
    "L -> ∞ gives Lemma 9's Haar value: brickwork exactly (conserved functionals of the two-layer map), "
    "HEA by exact values",
    "brickwork n = 4 (VQE, QAE), 5 (VQE); HEA n = 3, L <= 100",
)
def test_lemma_14_4_limit_is_haar():
    """14.4.  Brickwork: exact limit from the two conserved functionals equals 18/(d+1) (VQE) and
    3/(4(d+1)) (QAE).  HEA n = 3: the exact value at L = 100 is within 1e-7 of 18/(d+1) = 2 and the
    distance shrinks by more than 50 every 25 layers (L = 25, 50, 75, 100)."""
    for task, n in (("vqe", 4), ("qae", 4), ("vqe", 5)):
        assert limit_is_haar(brickwork_limit(task, n), task, n)
    s = fd.finite_depth_series("vqe", "v1", "hea", 3, 100)
    h = fd.two_design_value("vqe", "v1", 3)
    gaps = [abs(float(s[L - 1] - h)) for L in (25, 50, 75, 100)]
    assert gaps[-1] < 1e-7 * float(h)
    assert all(b < a / 50 for a, b in zip(gaps, gaps[1:]))  # geometric: the limit is h, nothing nearby


@pytest.mark.mutant
@lemma("14.4", "mutant: the limit is 18/d (no +1); the limit of the QAE task read as the VQE value", "n = 4")
def test_lemma_14_4_mutant_rejected():
    """The same checker rejects the limit compared with the wrong task, and a shifted value."""
    lim = brickwork_limit("vqe", 4)
    assert not limit_is_haar(lim * sp.Rational(17, 16), "vqe", 4)  # 18/16 = 18/d instead of 18/17
    assert not limit_is_haar(lim, "qae", 4)


# ---------------------------------------------------------------------------------------------
# 14.5 shallow depth: no n-dependence
# ---------------------------------------------------------------------------------------------
def n_independent(L: int, ns) -> bool:
    """Checker for 14.5: the exact brickwork VQE v1 value at depth L is the same for all n in ns."""
    vals = {fd.finite_depth_moment("vqe", "v1", "brickwork", n, layers=L).value for n in ns}
    return len(vals) == 1


@lemma(
    "14.5",
    "brickwork, shallow depth: E||K||_F² (VQE v1) is the same for every even n >= 4⌈L/2⌉ and every odd n >= 2L + 1",
    "L = 1 … 6, n up to 40",
)
def test_lemma_14_5_shallow_depth_n_independent():
    """14.5.  Heisenberg picture: the terms of H touching A live on sites n-1, 0, 1; each layer widens
    their light cones by at most two sites, and the circuit is an open chain, so until the cone from
    site n-1 (moving left) meets the one from sites 0, 1 (moving right) nothing depends on n.  The value is
    O(1), not exponentially small: no barren plateau for this local cost at shallow depth."""
    for L in range(1, 7):
        assert n_independent(L, [n for n in range(4 * ((L + 1) // 2), 41, 2) if n >= 4])
        assert n_independent(L, range(2 * L + 1, 40, 2))
        assert fd.finite_depth_moment("vqe", "v1", "brickwork", 40, layers=L).value > sp.Rational(1, 10)


@pytest.mark.mutant
@lemma("14.5", "mutant: the thresholds lowered by 2 (even n) and by 2 (odd n)", "L = 3 … 6")
def test_lemma_14_5_mutant_rejected():
    """The same checker fails just below the thresholds: the thresholds are sharp."""
    for L in range(3, 7):
        assert not n_independent(L, range(4 * ((L + 1) // 2) - 2, 41, 2))
        assert not n_independent(L, range(2 * L - 1, 40, 2))


# ---------------------------------------------------------------------------------------------
# 14.6 the real-amplitude HEA: R_Y rotations + CZ chain
# ---------------------------------------------------------------------------------------------
_Y_INTEGRAL = None


def y_rotation_rule_exact(M: sp.Matrix) -> bool:
    """Checker for 14.6(a): M equals the exact ∫ dθ/2π of R_Y(θ)⊗R_Y(θ) conjugation (sympy integral)."""
    global _Y_INTEGRAL
    if _Y_INTEGRAL is None:
        _Y_INTEGRAL = _integral_rotation_matrix("Y")
    return (M - _Y_INTEGRAL).applyfunc(sp.simplify) == sp.zeros(16, 16)


def _equispaced(N: int) -> list:
    return [2 * sp.pi * k / N for k in range(N)]


@lemma(
    "14.6",
    "the one-axis rotation average (R_Y(θ), θ uniform) is exact with N >= 3 equally spaced angles; "
    "the library's map (4 angles) is the projection onto I, Y pairs and XX+ZZ, XZ-ZX: rational, rank 6",
    "one qubit, exact (sympy integral); N = 3, 4, 5",
)
def test_lemma_14_6_y_rotation_average():
    """14.6(a).  R_Y(θ) fixes I and Y and rotates (Z, X) by θ, so every entry of R⊗R⊗R̄⊗R̄ (the Pauli
    pairs) is a trigonometric polynomial with frequencies in {-2, …, 2}; the N-point equally spaced rule
    integrates e^{ikθ} exactly unless N divides k ≠ 0, so N >= 3 is exact and N = 2 is not (it aliases
    e^{±2iθ}).  The average of r(θ)⊗r(θ) over SO(2) is the projection onto its fixed vectors XX+ZZ and XZ-ZX;
    pairs with exactly one of I, Y go to 0."""
    M = sm.rotation_moment_matrix("Y")
    assert y_rotation_rule_exact(M)
    for N in (3, 4, 5):
        assert y_rotation_rule_exact(sm.rotation_moment_matrix("Y", angles=_equispaced(N)))
    assert all(x.is_Rational for x in M) and M.rank() == 6 and M * M == M and M == M.T
    # the engine's real-hea layer uses exactly this map (the "rotation" gate with the one axis Y)
    assert {g.spec for g in sm.real_hea_layers(3, 1)[1]} == {"Y"}


@pytest.mark.mutant
@lemma("14.6", "mutant: the two-angle rule {0, π}; axis X; the random-axis (XYZ) map", "one qubit, exact")
def test_lemma_14_6_mutant_rejected():
    """The same checker rejects the aliasing rule, the wrong axis and the paper's HEA map."""
    assert not y_rotation_rule_exact(sm.rotation_moment_matrix("Y", angles=_equispaced(2)))
    assert not y_rotation_rule_exact(sm.rotation_moment_matrix("X"))
    assert not y_rotation_rule_exact(sm.rotation_moment_matrix("XYZ"))


def real_hea_bruteforce(n: int, L: int, case: str, angles=None, prefix=True, cz=True) -> float:
    """Average of ||K||_F² over ALL choices of R_Y angles from a finite set (default: the 3-point rule,
    exact by 14.6(a)), each layer followed by the CZ chain, as ``circuits.ensembles.real_hea_circuit``."""
    angles = 2 * np.pi * np.arange(3) / 3 if angles is None else angles
    diag = cz_chain_diagonal(n).reshape(-1) if cz else np.ones(2**n)
    first = np.eye(1)
    for _ in range(n):
        first = np.kron(first, ry(np.pi / 4).real if prefix else np.eye(2))
    total, count = 0.0, 0
    for combo in itertools.product(angles, repeat=n * L):
        V = first
        for layer in range(L):
            R = np.eye(1)
            for s in range(n):
                R = np.kron(R, ry(combo[layer * n + s]).real)
            V = diag[:, None] * (R @ V)
        if case == "v1":
            total += _k_sq(V[:, 0], "v1", n)
        else:
            total += _k_sq(V.T @ _ring(n) @ V, "v2", n)
        count += 1
    return total / count


@lemma(
    "14.6",
    "real-hea finite-depth E||K||_F² (library, exact) equals the average over an exact finite circuit set "
    "(3 angles per rotation); the R_y(π/4) layer is absorbed (θ + π/4 is uniform too)",
    "n = 3, L = 2 (729 circuits) v1, v2; n = 4, L = 1 (81) v1",
)
def test_lemma_14_6_real_hea_bruteforce():
    """14.6(b).  By 14.6(a) the 3-angle set reproduces each rotation's second moment (a rule the library
    does not use: it averages over 4 angles), so the average over all 3^(nL) circuits IS the second moment;
    K from its definition.  Without the R_y(π/4) layer the average is the same: the values are rational."""
    for n, L, case in ((3, 2, "v1"), (3, 2, "v2"), (4, 1, "v1")):
        v = fd.finite_depth_moment("vqe", case, "real-hea", n, layers=L).value
        assert matches_bruteforce(v, real_hea_bruteforce(n, L, case))
        assert v.is_Rational
    assert matches_bruteforce(
        fd.finite_depth_moment("vqe", "v1", "real-hea", 3, layers=2).value,
        real_hea_bruteforce(3, 2, "v1", prefix=False),
    )


@pytest.mark.mutant
@lemma("14.6", "mutant: the 2-angle set {0, π}; no CZ chain; the random-axis HEA's value", "n = 3, L = 2")
def test_lemma_14_6_bruteforce_mutant_rejected():
    """The same checker rejects the library value against a non-exact angle set and a circuit without CZ,
    and rejects the HEA's value against the real-hea enumeration."""
    v = fd.finite_depth_moment("vqe", "v1", "real-hea", 3, layers=2).value
    assert not matches_bruteforce(v, real_hea_bruteforce(3, 2, "v1", angles=(0, np.pi)))
    assert not matches_bruteforce(v, real_hea_bruteforce(3, 2, "v1", cz=False))
    h = fd.finite_depth_moment("vqe", "v1", "hea", 3, layers=2).value
    assert not matches_bruteforce(h, real_hea_bruteforce(3, 2, "v1"))


#: the per-site fixed vectors of the R_Y map (14.6(a)) as Pauli-pair label -> sign: II, IY, YI, YY,
#: XX+ZZ, XZ-ZX; products of them span the range of the layer's rotation projection P
_Y_SITE = ({0: 1}, {2: 1}, {8: 1}, {10: 1}, {5: 1, 15: 1}, {7: 1, 13: -1})
_Y_LOOK = {lab: (k, sg) for k, b in enumerate(_Y_SITE) for lab, sg in b.items()}


def _y_coords(op: dict, n: int) -> dict:
    """Coordinates of an operator in range(P) on the products of ``_Y_SITE`` (orthogonal basis)."""
    out: dict = {}
    for conf, v in sm.DenseTwoCopy.from_sparse(op, n).to_sparse().items():  # shorthands -> Pauli pairs
        idx, sg, w = [], 1, 1
        for lab in conf:
            k, s_ = _Y_LOOK[lab]  # KeyError: op is not in range(P)
            idx.append(k)
            sg *= s_
            w *= len(_Y_SITE[k])  # <b, b> = 2 for XX+ZZ, XZ-ZX
        out[tuple(idx)] = out.get(tuple(idx), 0) + sg * Fraction(v) / w
    return out


def _y_product(idx) -> dict:
    out = {}
    for combo in itertools.product(*[_Y_SITE[k].items() for k in idx]):
        out[tuple(c[0] for c in combo)] = Fraction(int(np.prod([c[1] for c in combo])))
    return out


def real_hea_limit(n: int, task: str = "vqe") -> tuple[sp.Rational, sp.Rational]:
    """``(lim_even, lim_odd)`` of E||K||_F² (v1) as L → ∞, exactly.

    The Heisenberg layer map is T = P C (P: the rotation projection of 14.6(a), orthogonal in Pauli-pair
    coordinates; C: the CZ chain, a signed permutation with C² = 1).  T is a contraction, so an eigenvector
    with |λ| = 1 has ||P C x|| = ||x||, hence C x ∈ range P and C x = λx, λ = ±1; such eigenspaces reduce T
    (fixed points of a contraction are fixed by T*), so T^L = Π₊ + (-1)^L Π₋ + (spectral radius < 1)^L with
    Π± the orthogonal projections onto ker(T|range P ∓ 1).  T is taken from the library's gate maps
    (``propagate`` over one block of ``real_hea_layers``) on the 6^n products of ``_Y_SITE``; the kernels are
    exact (python-flint); the value is the pairing with R_y(π/4)|0>^{⊗n}."""
    import flint

    idxs = list(itertools.product(range(6), repeat=n))
    block = sm.real_hea_layers(n, 1)[1:]
    cols = [_y_coords(sm.propagate(_y_product(idx), block, heisenberg=True), n) for idx in idxs]
    m = 1
    for col in cols:
        for v in col.values():
            m = math.lcm(m, v.denominator)
    N = len(idxs)
    pos = {idx: i for i, idx in enumerate(idxs)}
    weight = [int(np.prod([len(_Y_SITE[k]) for k in idx])) for idx in idxs]
    y = _y_coords(sm.propagate(sm.apply_projection_A(fd.h_tensor_h(task, n, 0, True), 0), block, heisenberg=True), n)
    s2 = sm.QSqrt2(0, Fraction(1, 2))
    f = [sm.product_state_functional((s2, 0, s2))] * n
    parts = []
    for sign in (1, -1):
        entries = [0] * (N * N)
        for j, col in enumerate(cols):
            for idx, v in col.items():
                entries[pos[idx] * N + j] += int(v * m)
            entries[j * N + j] -= sign * m
        ns, k = flint.fmpz_mat(N, N, entries).nullspace()
        if k == 0:
            parts.append(sp.Integer(0))
            continue
        basis = [[sp.Integer(int(ns[i, a])) for i in range(N)] for a in range(k)]
        gram = sp.Matrix(k, k, lambda a, b, B=basis: sum(weight[i] * B[a][i] * B[b][i] for i in range(N)))
        rhs = sp.Matrix(
            k, 1, lambda a, _, B=basis: sum(weight[pos[idx]] * B[a][pos[idx]] * sp.Rational(v) for idx, v in y.items())
        )
        c = gram.solve(rhs)
        op: dict = {}
        for i, idx in enumerate(idxs):
            coef = sum(c[a] * basis[a][i] for a in range(k))
            if coef:
                for lab, sg in _y_product(idx).items():
                    op[lab] = op.get(lab, 0) + Fraction(int(sp.Rational(coef).p), int(sp.Rational(coef).q)) * sg
        parts.append(sp.Rational(sm.pair_with_product_state(op, f)))
    # T^L y -> Π₊y + (-1)^L Π₋y; the value at depth L pairs T^(L-1) y (y = T X0 is depth 1)
    return parts[0] - parts[1], parts[0] + parts[1]


def converges_to(series, lim_even, lim_odd) -> bool:
    """Checker for 14.6(c): the exact values approach the limits geometrically: at L = 99, 100 within
    1e-12, and the distance shrinks by more than 100 every 25 layers (L = 25, 50, 75, 100)."""
    lim = lambda L: lim_even if L % 2 == 0 else lim_odd  # noqa: E731
    gaps = [abs(float(series[L - 1] - lim(L))) for L in (25, 50, 75, 100)]
    return (
        abs(float(series[98] - lim(99))) < 1e-12
        and gaps[-1] < 1e-12
        and all(b < a / 100 for a, b in zip(gaps, gaps[1:]) if a > 1e-14)
    )


@lemma(
    "14.6",
    "real-hea, L → ∞: E||K||_F² (VQE v1) converges to an exact limit (n = 3: 11/6) that is neither the O(d) "
    "Haar value 20/(d+2) (Lemma 16.5) nor the U(d) value 18/(d+1): deep R_Y + CZ circuits are not O(d) 2-designs",
    "n = 3 (slow test: n = 4, limit 7/5), L <= 100",
)
def test_lemma_14_6_real_hea_limit():
    """14.6(c).  The exact limit from the fixed space of the layer map (``real_hea_limit``): at n = 3 the
    (-1)-eigenspace exists but does not reach the value (no oscillation), the limit is 11/6, and the library's
    exact series converges to it."""
    lim_even, lim_odd = real_hea_limit(3)
    assert lim_even == lim_odd == sp.Rational(11, 6)
    series = fd.finite_depth_series("vqe", "v1", "real-hea", 3, 100)
    assert converges_to(series, lim_even, lim_odd)
    assert lim_even not in (
        fd.finite_depth_moment("vqe", "v1", "orthogonal", 3).value,
        fd.two_design_value("vqe", "v1", 3),
    )


@pytest.mark.slow
@lemma("14.6", "real-hea n = 4: the exact limit 7/5 (O(d): 10/9, U(d): 18/17)", "n = 4, L <= 100 (30 s)")
def test_lemma_14_6_real_hea_limit_n4():
    lim_even, lim_odd = real_hea_limit(4)
    assert lim_even == lim_odd == sp.Rational(7, 5)
    assert converges_to(fd.finite_depth_series("vqe", "v1", "real-hea", 4, 100), lim_even, lim_odd)
    assert lim_even != fd.finite_depth_moment("vqe", "v1", "orthogonal", 4).value


@pytest.mark.mutant
@lemma("14.6", "mutant: the limit is the O(d) value 20/(d+2); the U(d) value; 11/6 read at n = 4", "n = 3, 4")
def test_lemma_14_6_limit_mutant_rejected():
    """The same checker rejects the Haar values on O(d) and U(d) as limits of the exact series."""
    series = fd.finite_depth_series("vqe", "v1", "real-hea", 3, 100)
    orth = fd.finite_depth_moment("vqe", "v1", "orthogonal", 3).value
    unit = fd.two_design_value("vqe", "v1", 3)
    assert not converges_to(series, orth, orth)
    assert not converges_to(series, unit, unit)
    eleven_sixths = sp.Rational(11, 6)
    assert not converges_to(fd.finite_depth_series("vqe", "v1", "real-hea", 4, 100), eleven_sixths, eleven_sixths)


# ---------------------------------------------------------------------------------------------
# 14.7 qudits (q >= 3): brickwork and local1 in matrix-unit labels
# ---------------------------------------------------------------------------------------------
def _swap_sites(n: int, q: int, i: int, j: int) -> np.ndarray:
    """The permutation matrix exchanging sites i and j of n qudits (dense)."""
    d = q**n
    idx = np.array(np.unravel_index(np.arange(d), (q,) * n)).T
    idx[:, [i, j]] = idx[:, [j, i]]
    P = np.zeros((d, d))
    P[np.ravel_multi_index(idx.T, (q,) * n), np.arange(d)] = 1
    return P


def task_dense(task: str, n: int, q: int) -> np.ndarray:
    """The task's H from its definition: the SU(q) ring Σ_edges (2 SWAP - 2/q) (q = 2: Eq. 9, since
    XX + YY + ZZ = 2 SWAP - I), or QAE I - |0><0|_0 ⊗ I."""
    d = q**n
    if task == "vqe":
        return sum(2 * _swap_sites(n, q, i, (i + 1) % n) - (2 / q) * np.eye(d) for i in range(n))
    P0 = np.zeros((q, q))
    P0[0, 0] = 1
    return np.eye(d) - np.kron(P0, np.eye(d // q))


def _partial_twirl_q(Z: np.ndarray, n: int, q: int, sites: tuple, wg_dim: int | None = None) -> np.ndarray:
    """E[(U⊗U) Z (U⊗U)†] for a Haar U on ``sites`` (1 or 2) of both copies, dense, from the engine's
    Wg(·, D) with D = q^len(sites) (``wg_dim``: a different D, for the mutant)."""
    k = len(sites)
    D = q**k
    Dw = D if wg_dim is None else wg_dim
    we, wt = float(weingarten_unitary((1, 1), Dw)), float(weingarten_unitary((2,), Dw))
    T = Z.reshape((q,) * (4 * n))
    row = list(sites) + [n + a for a in sites]
    col = [2 * n + x for x in row]
    rest_r = [i for i in range(2 * n) if i not in row]
    rest_c = [2 * n + i for i in rest_r]
    m = q ** (2 * n - 2 * k)
    T = T.transpose(row + col + rest_r + rest_c).reshape(D * D, D * D, m * m)
    F = np.eye(D * D).reshape(D, D, D, D).transpose(0, 1, 3, 2).reshape(D * D, D * D)
    trZ = np.einsum("iir->r", T)
    trFZ = np.einsum("ij,jir->r", F, T)
    out = np.einsum("ij,r->ijr", np.eye(D * D), we * trZ + wt * trFZ) + np.einsum("ij,r->ijr", F, wt * trZ + we * trFZ)
    out = out.reshape((q,) * (4 * n))
    return out.transpose(np.argsort(row + col + rest_r + rest_c)).reshape(q ** (2 * n), q ** (2 * n))


def qudit_bruteforce(
    task: str, case: str, n: int, q: int, L: int, ensemble: str = "brickwork", m: int = 1, first: int = 1, wg_dim=None
) -> float:
    """E||K||_F² from the definition, dense: ``||K||_F² = Σ_ab tr_B(h_a r_b)²`` with ``h_a = tr_A((G_a⊗I)H2)``,
    ``r_b = tr_A((G_b⊗I)ρ1)`` (Gell-Mann G, A = the first m sites), so E||K||_F² = tr[HH · RR] with
    ``HH = Σ_a E[h_a ⊗ h_a]`` and ``RR = Σ_b E[r_b ⊗ r_b]`` (V1, V2 independent); the averages are the
    gate-by-gate dense twirls of the engine's Weingarten function (no labels, no P_A)."""
    d, dA = q**n, q**m
    dB = d // dA
    if ensemble == "brickwork":
        gates = [[(i, i + 1) for i in range(0 if ell % 2 else 1, n - 1, 2)] for ell in range(first, first + L)]
    else:  # local1 for q >= 3: one layer of single-site Haar gates
        gates = [[(i,) for i in range(n)]]

    def average(Z, layers):
        for layer in layers:
            for s in layer:
                Z = _partial_twirl_q(Z, n, q, s, wg_dim)
        return Z

    rho = np.zeros((d, d))
    rho[0, 0] = 1
    Z1 = np.kron(rho, rho).astype(complex)
    if case in ("v1", "both"):
        Z1 = average(Z1, gates)
    H = task_dense(task, n, q)
    Z2 = np.kron(H, H).astype(complex)
    if case in ("v2", "both"):
        Z2 = average(Z2, list(reversed(gates)))  # adjoint: last layer first (Haar gates are inverse-invariant)
    G = [np.array(g.evalf(), dtype=complex) for g in gell_mann_exact(dA)]
    shape = (dA, dB) * 4
    Z1, Z2 = Z1.reshape(shape), Z2.reshape(shape)
    HH = sum(np.einsum("ji,lk,ibkcjdle->bcde", g, g, Z2) for g in G)
    RR = sum(np.einsum("ji,lk,ibkcjdle->bcde", g, g, Z1) for g in G)
    return float(np.einsum("bcde,debc->", HH, RR).real)


QUDIT_POINTS = [(3, 1), (3, 2)]  # (n, L) at q = 3


@lemma(
    "14.7",
    "qudits: finite-depth E||K||_F² of brickwork (Haar 2-qutrit gates) and local1 (single-site Haar), computed in "
    "matrix-unit pair labels, equals the dense average from the definition of K",
    "q = 3, n = 3, L = 1, 2; VQE (SU(3) ring) and QAE; v1, v2, both",
)
def test_lemma_14_7_qudit_bruteforce():
    """14.7(a).  For q >= 3 the labels are ``u_a ⊗ u_b`` with ``u_a`` in {I, E_kl}: ``tr E_kl = δ_kl``,
    ``tr(E_kl E_k'l') = δ_lk' δ_kl'``, ``<0|E_kl|0> = [k = l = 0]`` are rational, and a Haar gate needs only
    ``(tr z, tr F z)`` per site (14.1), so the same propagator runs; ``SWAP = Σ_kl E_kl ⊗ E_lk``.  The reference
    is the dense two-copy twirl per gate and K from its definition (Gell-Mann basis), 1e-9."""
    for task in ("vqe", "qae"):
        for case in ("v1", "v2", "both"):
            for n, L in QUDIT_POINTS:
                v = fd.finite_depth_moment(task, case, "brickwork", n, L, q=3).value
                assert v.is_Rational and matches_bruteforce(v, qudit_bruteforce(task, case, n, 3, L))
            v = fd.finite_depth_moment(task, case, "local1", 3, q=3).value
            assert matches_bruteforce(v, qudit_bruteforce(task, case, 3, 3, 1, "local1"))


@pytest.mark.mutant
@lemma(
    "14.7", "mutant: the qubit Weingarten function Wg(·, 4) for a 2-qutrit gate; the even layer first", "q = 3, n = 3"
)
def test_lemma_14_7_mutant_rejected():
    """The same checker rejects the library's q = 3 values against a twirl with the wrong Weingarten
    coefficients and against the other brickwork parity."""
    for task, case in (("vqe", "v1"), ("qae", "both")):
        v = fd.finite_depth_moment(task, case, "brickwork", 3, 2, q=3).value
        assert not matches_bruteforce(v, qudit_bruteforce(task, case, 3, 3, 2, wg_dim=4))
        assert not matches_bruteforce(v, qudit_bruteforce(task, case, 3, 3, 2, first=2))


def limit_is_haar_value(limit: sp.Expr, task: str, n: int, q: int = 2, sites=None) -> bool:
    """Checker for 14.7(b) / 14.8(c): the limit equals the two-design value exactly (Lemma 9; m = 2: Lemma 4
    with the exact coupling)."""
    return sp.simplify(limit - fd.two_design_value(task, "v1", n, q, sites=sites)) == 0


@lemma(
    "14.7",
    "qudits, L → ∞: the brickwork limit (conserved functionals of the two-layer map) is Lemma 9's Haar value, "
    "512/(9(d+1)) for the SU(3) ring; the exact values approach it monotonically in each parity",
    "q = 3, n = 4 (VQE, QAE), n = 5 (VQE); series n = 4, L <= 40",
)
def test_lemma_14_7_qudit_limit_is_haar():
    """14.7(b).  As 14.4 with the q = 3 gate maps; the start is ``P_A(H⊗H)`` in matrix-unit labels."""
    for task, n in (("vqe", 4), ("qae", 4), ("vqe", 5)):
        assert limit_is_haar_value(brickwork_limit(task, n, 3), task, n, 3)
    h = fd.two_design_value("vqe", "v1", 4, q=3)
    s = fd.finite_depth_series("vqe", "v1", "brickwork", 4, 40, q=3)
    gaps = [s[L - 1] - h for L in range(1, 41)]
    assert all(g > 0 for g in gaps) and abs(float(gaps[-1])) < 1e-12 * float(h)
    assert all(gaps[L + 1] < gaps[L - 1] for L in range(1, 39))  # decreasing within each parity


@pytest.mark.mutant
@lemma("14.7", "mutant: the limit is 512/(9d) (no +1); the qubit value 18/(d+1)", "q = 3, n = 4")
def test_lemma_14_7_limit_mutant_rejected():
    lim = brickwork_limit("vqe", 4, 3)
    assert not limit_is_haar_value(lim * sp.Rational(82, 81), "vqe", 4, 3)  # 512/(9·81) instead of /(9·82)
    assert not limit_is_haar_value(lim, "vqe", 4, 2)


# ---------------------------------------------------------------------------------------------
# 14.8 A = two adjacent sites (m = 2)
# ---------------------------------------------------------------------------------------------
def _unit_op(a: int, q: int) -> np.ndarray:
    if a == 0:
        return np.eye(q)
    out = np.zeros((q, q))
    out[divmod(a - 1, q)] = 1
    return out


def _label_dense(lab: int, q: int) -> np.ndarray:
    """The per-site two-copy operator of a label on (copy 1, copy 2) of the site."""
    if lab == 0:
        return np.eye(q * q)
    if lab == sm.SWAP:
        return np.eye(q * q).reshape(q, q, q, q).transpose(0, 1, 3, 2).reshape(q * q, q * q)
    a, b = divmod(lab - sm.UNIT_BASE, q * q + 1)
    return np.kron(_unit_op(a, q), _unit_op(b, q))


def _product_dense(conf, q: int) -> np.ndarray:
    """A product of labels as an operator on (copy 1 sites) ⊗ (copy 2 sites)."""
    k = len(conf)
    op = np.eye(1)
    for lab in conf:
        op = np.kron(op, _label_dense(lab, q))
    perm = [2 * i for i in range(k)] + [2 * i + 1 for i in range(k)]
    T = op.reshape((q,) * (4 * k)).transpose(perm + [2 * k + p for p in perm])
    return T.reshape(q ** (2 * k), q ** (2 * k))


def projection_is_definition(project, q: int, n: int = 3, A=(0, 1), seed: int = 14) -> bool:
    """Checker for 14.8(a): ``project(op, A, q)`` (sparse labels) equals the dense
    ``E_A ⊗ tr_{AA'}[(E_A ⊗ I) Z]`` with ``E_A = Σ_a G_a ⊗ G_a`` (Gell-Mann basis of dimension q^|A|, so no
    formula for E_A is assumed) on random combinations of matrix-unit-pair and swap products."""
    rng = np.random.default_rng(seed)
    dA = q ** len(A)
    units = [sm.unit_pair_label(a, b, q) for a in range(q * q + 1) for b in range(q * q + 1) if a or b]
    # labels P_A sees (tr z or tr s z non-zero: diagonal units, E_kl ⊗ E_lk) and any others
    seen = [lab for lab in units if any(sm.label_traces(lab, q))]
    op = {}
    for i in range(8):
        pool = [0, sm.SWAP] + seen if i < 6 else units
        conf = tuple(int(x) for x in rng.choice(pool, size=n))
        op[conf] = Fraction(int(rng.integers(1, 5)))
    image = project(op, A, q)
    if not image:
        return False  # nothing checked
    got = sum(float(v) * _product_dense(c, q) for c, v in image.items())
    Z = sum(float(v) * _product_dense(c, q) for c, v in op.items())
    G = [np.array(g.evalf(), dtype=complex) for g in gell_mann_exact(dA)]
    EA = sum(np.kron(g, g) for g in G)  # on (A copy 1, A copy 2)
    # order the two-copy space as (A1, A2, B1, B2): A = the first |A| sites of each copy
    dB = q**n // dA
    T = Z.reshape(dA, dB, dA, dB, dA, dB, dA, dB).transpose(0, 2, 1, 3, 4, 6, 5, 7).reshape(dA * dA * dB * dB, -1)
    T4 = T.reshape(dA * dA, dB * dB, dA * dA, dB * dB)
    rest = np.einsum("ji,iajb->ab", EA, T4)  # tr_{AA'}[(E_A ⊗ I) Z]
    want = np.kron(EA, rest).reshape(dA, dA, dB, dB, dA, dA, dB, dB).transpose(0, 2, 1, 3, 4, 6, 5, 7)
    return np.allclose(got, want.reshape(Z.shape), atol=1e-10)


@lemma(
    "14.8",
    "A = two adjacent sites: P_A(Z) = E_A ⊗ tr_AA'[(E_A ⊗ I) Z] with E_A = F_A - I/q², F_A the product of the two "
    "site swaps, equals the dense definition with E_A = Σ_a G_a ⊗ G_a",
    "q = 2, 3; n = 3; random label products",
)
def test_lemma_14_8_two_site_projection():
    """14.8(a).  ``Σ_a G_a ⊗ G_a = F_A - I/dA`` for an orthonormal traceless Hermitian basis of dimension dA = q²,
    and on a product ``tr(E_A z_A) = Π tr(s z_s) - Π tr z_s / dA``: the library's P_A for two sites."""
    for q in (2, 3):
        assert projection_is_definition(sm.apply_projection_A, q)


@pytest.mark.mutant
@lemma("14.8", "mutant: E_A = F_A - I/q (the one-site shift) for two sites; P_A of one site only", "q = 2, 3")
def test_lemma_14_8_projection_mutant_rejected():
    """The same checker rejects the one-site shift (1/q instead of 1/dA) and the projection on site 0 alone."""

    def shift_q(op, A, q):  # the weakened statement: E_A = F_A - I/q
        out = {}
        for conf, v in sm.apply_projection_A(op, A, q).items():  # t (F_A - I/q²) -> t (F_A - I/q)
            out[conf] = out.get(conf, 0) + (v * q if all(conf[s] == 0 for s in A) else v)
        return out

    for q in (2, 3):
        assert not projection_is_definition(shift_q, q)
        assert not projection_is_definition(lambda op, A, q: sm.apply_projection_A(op, A[:1], q), q)


@lemma(
    "14.8",
    "m = 2: finite-depth E||K||_F² (library, exact) equals the dense average from the definition of K with A = "
    "sites 0, 1 (dA = q²)",
    "q = 2: n = 4, L = 1, 2; q = 3: n = 3, L = 1 (and local1); VQE, QAE; v1, v2, both",
)
def test_lemma_14_8_two_site_bruteforce():
    """14.8(b).  The same reference as 14.7(a) with the Gell-Mann basis of dimension q²."""
    for q, n, Ls in ((2, 4, (1, 2)), (3, 3, (1,))):
        for task in ("vqe", "qae"):
            for case in ("v1", "v2", "both"):
                for L in Ls:
                    v = fd.finite_depth_moment(task, case, "brickwork", n, L, q=q, sites=(0, 1)).value
                    assert matches_bruteforce(v, qudit_bruteforce(task, case, n, q, L, m=2))
    for task in ("vqe", "qae"):  # local1 for q = 3: one layer of single-site Haar gates
        for case in ("v1", "v2", "both"):
            v = fd.finite_depth_moment(task, case, "local1", 3, q=3, sites=(0, 1)).value
            assert matches_bruteforce(v, qudit_bruteforce(task, case, 3, 3, 1, "local1", m=2))


@pytest.mark.mutant
@lemma("14.8", "mutant: the library's m = 1 value against the m = 2 reference", "q = 2, n = 4, L = 2")
def test_lemma_14_8_bruteforce_mutant_rejected():
    for task, case in (("vqe", "v1"), ("qae", "v2")):
        v = fd.finite_depth_moment(task, case, "brickwork", 4, 2).value
        assert not matches_bruteforce(v, qudit_bruteforce(task, case, 4, 2, 2, m=2))


@lemma(
    "14.8",
    "m = 2, L → ∞: the brickwork limit equals the two-design value (Lemma 4.1 with the exact coupling "
    "Σ_a tr_B h_a² = tr[(E_A ⊗ F_B)(H⊗H)]), which at m = 1 is Lemma 9's",
    "q = 2: n = 4, 5; q = 3: n = 4; VQE and QAE",
)
def test_lemma_14_8_two_site_limit():
    """14.8(c).  The two-design values for m = 2 come from ``bounds.expected_K_frobenius_sq`` with the coupling
    computed exactly from H⊗H (``finite_depth.exact_coupling``); at m = 1 that route gives Lemma 9's values, and
    the coupling agrees with ``Observable.coupling`` (numeric, m = 2)."""
    from weingarten_check.states.observables import heisenberg_ring as ring
    from weingarten_check.states.observables import qae_observable
    from weingarten_check.theory.bounds import expected_K_frobenius_sq

    for q, n in ((2, 4), (2, 5), (3, 4)):
        for task in ("vqe", "qae"):
            assert limit_is_haar_value(brickwork_limit(task, n, q, (0, 1)), task, n, q, sites=(0, 1))
            # the same route at m = 1 (Lemma 4.1 with the exact coupling) is Lemma 9's value
            c1 = fd.exact_coupling(task, n, (0,), q)
            assert expected_K_frobenius_sq("v1", n, 1, q, coupling=c1) == fd.two_design_value(task, "v1", n, q)
            obs = ring(n, q) if task == "vqe" else qae_observable(n, q)
            assert abs(float(fd.exact_coupling(task, n, (0, 1), q)) - obs.coupling([0, 1])) < 1e-9


@pytest.mark.mutant
@lemma("14.8", "mutant: the m = 1 value as the m = 2 limit", "q = 2, n = 4")
def test_lemma_14_8_limit_mutant_rejected():
    lim = brickwork_limit("vqe", 4, 2, (0, 1))
    assert not limit_is_haar_value(lim, "vqe", 4, 2)
    assert limit_is_haar_value(brickwork_limit("vqe", 4, 2), "vqe", 4, 2)


# 14.9 a user's parameterised Qiskit circuit
# ---------------------------------------------------------------------------------------------
def _qiskit_sites_first(X: np.ndarray, qubits, n: int) -> np.ndarray:
    """X (a dense matrix in Qiskit's = the library's array convention) with A's qubits moved to the
    leading tensor factors, A's last listed qubit first; Qiskit qubit k is tensor factor n - 1 - k."""
    factors = [n - 1 - k for k in reversed(qubits)]
    order = factors + [f for f in range(n) if f not in factors]
    T = X.reshape((2,) * (2 * n)).transpose(order + [n + f for f in order])
    return T.reshape(2**n, 2**n)


def user_circuit_bruteforce(qc, H: np.ndarray, qubits, after: int, angles) -> float:
    """Average of ||K||_F² (K from its definition, Lemma 3) over ALL assignments of ``angles`` to the free
    parameters of a Qiskit circuit: V1 = instructions [0, after), V2 = the rest, ρ = |0…0>."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Operator

    n = qc.num_qubits
    params = list(qc.parameters)
    dA = 2 ** len(qubits)
    total, count = 0.0, 0
    for combo in itertools.product(angles, repeat=len(params)):
        bound = qc.assign_parameters(dict(zip(params, combo)))
        V1, V2 = QuantumCircuit(n), QuantumCircuit(n)
        for i, ins in enumerate(bound.data):
            (V1 if i < after else V2).append(ins)
        U1, U2 = Operator(V1).data, Operator(V2).data
        psi = U1[:, 0]
        H2 = _qiskit_sites_first(U2.conj().T @ H @ U2, qubits, n)
        rho1 = _qiskit_sites_first(np.outer(psi, psi.conj()), qubits, n)
        total += float(np.sum(np.abs(k_matrix(H2, rho1, dA, 2**n // dA)) ** 2))
        count += 1
    return total / count


def _user_circuits():
    """Small circuits of Qiskit gates: free rx, ry, rz, rzz, rzx (each parameter once) and fixed h, cx, t,
    s, cz, sx; (circuit, Pauli labels, qubits of A, after)."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    p = [Parameter(f"p{i}") for i in range(6)]
    a = QuantumCircuit(3)
    a.h(0)
    a.rx(p[0], 0)
    a.cx(0, 2)
    a.rzx(p[1], 2, 1)
    a.t(1)
    a.ry(p[2], 1)
    a.cz(1, 0)
    a.rz(p[3], 2)
    a.s(2)
    a.rzz(p[4], 0, 1)
    a.sx(0)
    b = QuantumCircuit(4)
    b.ry(p[0], 3)
    b.h(1)
    b.cx(3, 0)
    b.rzx(p[1], 1, 2)
    b.rx(p[2], 0)
    b.cz(2, 3)
    b.rz(p[3], 1)
    b.cx(1, 0)
    b.t(2)
    return [
        (a, [("ZZI", 1.0), ("XIY", 0.5), ("IIZ", -0.7)], (1,), 6),
        (a, [("ZIX", 1.0), ("YZI", 0.5)], (0,), 3),
        (b, [("ZIIZ", 1.0), ("IXXI", 0.5), ("YIIX", -0.7)], (0, 2), 5),
    ]


def _dense(labels, n: int) -> np.ndarray:
    from qiskit.quantum_info import SparsePauliOp

    out = SparsePauliOp.from_list(labels).to_matrix()
    assert out.shape == (2**n, 2**n)
    return out


@lemma(
    "14.9",
    "a user's Qiskit circuit with free Pauli-rotation angles (uniform, independent) and exact fixed gates: "
    "the library's exact E||K||_F² equals the average over an exact finite circuit set (3 angles each)",
    "n = 3 (A one qubit, 3^5 circuits), n = 4 (A two qubits, 3^4 circuits)",
)
def test_lemma_14_9_user_circuit_bruteforce():
    """14.9.  For a Pauli string P (P² = I) and R_P(θ) = exp(-iθP/2) — Qiskit's rx, ry, rz, rzz, rzx, checked
    against Qiskit's matrices below — conjugation rotates the Paulis anticommuting with P by θ, so the two-copy
    map has frequencies in {-2, …, 2} and the 3-point equally spaced rule is exact (as in 14.6(a)); the
    library's 4-point rule and its per-gate maps (circuits.qiskit_moments) must reproduce the average over all
    3^p circuits, with Qiskit's own simulation and K from its definition (A moved to the front by the
    convention "Qiskit qubit k is tensor factor n - 1 - k").  A of two qubits uses P_A with E_A = F_A - I/4."""
    from qiskit.circuit.library import RXGate, RYGate, RZGate, RZXGate, RZZGate

    from weingarten_check.circuits.qiskit_moments import FREE_ROTATIONS
    from weingarten_check.theory.circuit_moments import circuit_second_moment

    for gate in (RXGate, RYGate, RZGate, RZZGate, RZXGate):
        label = FREE_ROTATIONS[gate(0.0).name]
        P = np.eye(1)
        for ch in label:
            P = np.kron(
                P, {"X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]), "Z": np.diag([1, -1])}[ch]
            )
        for t in (0.3, 1.7, 4.0):
            assert np.allclose(gate(t).to_matrix(), np.cos(t / 2) * np.eye(len(P)) - 1j * np.sin(t / 2) * P)
    three = 2 * np.pi * np.arange(3) / 3
    for qc, labels, qubits, after in _user_circuits():
        v = circuit_second_moment(qc, labels, qubits, after=after).value
        assert matches_bruteforce(v, user_circuit_bruteforce(qc, _dense(labels, qc.num_qubits), qubits, after, three))
        assert float(v) > 1e-3


@pytest.mark.mutant
@lemma("14.9", "mutant: the 2-angle set {0, π}; A read as library sites (no conversion); rzx's qubits swapped", "n = 3")
def test_lemma_14_9_mutant_rejected():
    """The same checker rejects a non-exact angle set, the unconverted qubit order and a swapped rzx."""
    from qiskit import QuantumCircuit

    from weingarten_check.theory.circuit_moments import circuit_second_moment

    qc, labels, qubits, after = _user_circuits()[1]  # A = qubit 0 = tensor factor 2
    H = _dense(labels, 3)
    v = circuit_second_moment(qc, labels, qubits, after=after).value
    assert not matches_bruteforce(v, user_circuit_bruteforce(qc, H, qubits, after, (0, np.pi)))
    three = 2 * np.pi * np.arange(3) / 3
    qc0, labels0, _, after0 = _user_circuits()[0]  # A = qubit 0, whose library site is 2
    wrong_site = circuit_second_moment(qc0, labels0, (2,), after=after0).value  # qubit := site
    assert not matches_bruteforce(wrong_site, user_circuit_bruteforce(qc0, _dense(labels0, 3), (0,), after0, three))
    swapped = QuantumCircuit(3)
    for ins in qc.data:
        if ins.operation.name == "rzx":
            swapped.append(ins.operation, ins.qubits[::-1])
        else:
            swapped.append(ins)
    assert not matches_bruteforce(v, user_circuit_bruteforce(swapped, H, qubits, after, three))
