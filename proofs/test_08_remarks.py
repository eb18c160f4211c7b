"""Lemma 8 — Remark 1 (variance, Markov), Eq. 6 (parameter shift), Remark 2 (global generators),
Eq. 7-8 (finite differences, telescoping) (DERIVATION.md §8)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from _helpers import PAULI, PROOFS, cost, k_matrix, lemma, qubit_delta, random_density, random_hermitian, random_unitary
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from weingarten_check.theory import bounds


# ---------------------------------------------------------------------------------------------
# 8.1 Remark 1
# ---------------------------------------------------------------------------------------------
def check_remark1(vals, pr, w, eps, var_bound=bounds.variance_bound, markov=bounds.markov_bound) -> bool:
    """For the law Pr[Δ = vals_i] = pr_i on [0, w]: Var Δ <= var_bound(w, E[Δ]) (Eq. 4 with the exact mean
    in place of the mean bound) and Pr[Δ >= ε] <= markov(ε, E[Δ]) (Eq. 5); relative slack 1e-9."""
    vals, pr = np.asarray(vals, dtype=float), np.asarray(pr, dtype=float)
    mean = float((pr * vals).sum())
    var = float((pr * vals**2).sum()) - mean**2
    ok_var = var <= float(var_bound(w, mean)) * (1 + 1e-9) + 1e-15
    ok_markov = float(pr[vals >= eps].sum()) <= float(markov(eps, mean)) * (1 + 1e-9) + 1e-15
    return ok_var and ok_markov


#: the laws attaining the bounds: {0, w} with Pr[w] = p (Var / (w E) = 1 - p), and {0, ε} (Markov equality)
def extremal_laws(w: float, eps: float, p: float = 1e-3):
    return [([0.0, w], [1 - p, p], eps), ([0.0, eps], [1 - p, p], eps)]


@PROOFS
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(1e-3, 1)), min_size=1, max_size=12),
    st.floats(0.01, 10),
    st.floats(0.01, 1),
)
@lemma(
    "8.1",
    "0 <= Δ <= w ⇒ Var Δ <= E[Δ²] <= w E[Δ]; Markov Pr[Δ >= ε] <= E[Δ]/ε (Eq. 4, 5)",
    "random distributions on [0, w] (hypothesis) and the two extremal two-point laws",
)
def test_lemma_8_1_variance_and_markov(atoms, w, eps_frac):
    """Lemma 8.1 (Remark 1). For any random variable 0 <= Δ <= w: Δ² <= w Δ, so Var Δ <= E[Δ²] <= w E[Δ];
    with Theorem 1, Var Δ <= w²/2^(n/2-3m-2) (Eq. 4 = bounds.variance_bound(w, paper bound)).
    Markov: Pr[Δ >= ε] <= E[Δ]/ε (Eq. 5, bounds.markov_bound), attained by the law {0, ε}.
    Exercised on random discrete distributions and the extremal laws."""
    vals = np.array([a for a, _ in atoms]) * w
    pr = np.array([p for _, p in atoms])
    pr = pr / pr.sum()
    eps = eps_frac * w
    assert check_remark1(vals, pr, w, eps)
    for v, p_, e in extremal_laws(w, eps):
        assert check_remark1(v, p_, w, e)
    # Markov is an equality for {0, ε}: the library bound is the exact probability there
    p = 0.25
    assert abs(float(bounds.markov_bound(eps, p * eps)) - p) < 1e-12
    assert bounds.variance_bound(2, bounds.paper_theorem1_bound(2, 12, 1)) == 4 * bounds.paper_theorem1_bound(1, 12, 1)


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["0.99 w E[Δ]", "0.99 E[Δ]/ε"])
@lemma(
    "8.1", "mutant: Var Δ <= 0.99 w E[Δ] (two-point law {0, w}) / Markov with 0.99 E[Δ]/ε ({0, ε})", "w = 1, ε = 1/2"
)
def test_lemma_8_1_mutant_rejected(which):
    """Both constants are sharp: the same checker, with 0.99 × either bound, rejects an extremal law."""
    w, eps = 1.0, 0.5
    if which.startswith("0.99 w"):
        kw = dict(var_bound=lambda w_, m_: 0.99 * float(bounds.variance_bound(w_, m_)))
    else:
        kw = dict(markov=lambda e_, m_: 0.99 * float(bounds.markov_bound(e_, m_)))
    assert not all(check_remark1(v, p_, w, e, **kw) for v, p_, e in extremal_laws(w, eps))


# ---------------------------------------------------------------------------------------------
# 8.2 Eq. 6: parameter shift for Ω² = I
# ---------------------------------------------------------------------------------------------
th = sp.Symbol("theta", real=True)
T0, T1, T2, T3 = sp.symbols("T0:4")  # tr(Hρ), tr(HΩρΩ), tr(HΩρ), tr(HρΩ) (Ĥ, ρ̂ include the fixed gates)


def cost_of_theta(a):
    """C(θ) = tr(Ĥ U ρ̂ U†) with U = cos θ I - i sin θ Ω (valid iff Ω² = I):
    U ρ̂ U† = c² ρ̂ + i c s ρ̂Ω - i c s Ωρ̂ + s² Ωρ̂Ω."""
    c, s = sp.cos(a), sp.sin(a)
    return c**2 * T0 + s**2 * T1 + sp.I * c * s * T3 - sp.I * c * s * T2


def shift_identity_holds(shift) -> bool:
    """∂C/∂θ - [C(θ + shift) - C(θ - shift)] is identically zero: written with z = e^{iθ} (times z⁴, to clear
    negative powers) it is a polynomial in z and the abstract traces T0..T3, which vanishes for all real θ
    iff every coefficient is zero (each coefficient simplified exactly)."""
    z = sp.Symbol("z")
    lhs = sp.diff(cost_of_theta(th), th)
    rhs = cost_of_theta(th + shift) - cost_of_theta(th - shift)
    e = sp.expand(sp.expand((lhs - rhs).rewrite(sp.exp)).subs(sp.exp(sp.I * th), z) * z**4)
    if e.has(th):
        raise ValueError("residual is not a Laurent polynomial in exp(i theta)")
    return all(sp.simplify(c) == 0 for c in sp.Poly(e, z, T0, T1, T2, T3).coeffs())


@lemma(
    "8.2",
    "Ω² = I: e^{-iθΩ} = cos θ I - i sin θ Ω and ∂C/∂θ = C(θ+π/4) - C(θ-π/4) (Eq. 6); |∂C| <= Δ",
    "symbolic θ and abstract traces; random Ω (numeric)",
)
def test_lemma_8_2_parameter_shift():
    """Lemma 8.2 (Eq. 6). If Ω² = I then e^{-iθΩ} = cos θ I - i sin θ Ω (even/odd powers), C(θ) is a
    trigonometric polynomial of degree 2 in θ with four abstract coefficients (traces), and
    ∂C/∂θ = C(θ + π/4) - C(θ - π/4) identically.  Both C(θ ± π/4) are values of C over the family, so
    |∂C| <= max - min = Δ for the gate's variation range."""
    assert shift_identity_holds(sp.pi / 4)
    rng = np.random.default_rng(82)
    W = random_unitary(4, rng)
    Om = W @ np.kron(PAULI["Z"], np.eye(2)) @ W.conj().T
    for a in rng.uniform(0, 2 * np.pi, size=5):
        assert np.allclose(expm(-1j * a * Om), np.cos(a) * np.eye(4) - 1j * np.sin(a) * Om, atol=1e-12)


def gradient_below_delta(H2, rho1, dB: int, P: str, theta: float, factor=1) -> bool:
    """UA = e^{-iθP} on the qubit A: the shift rule C(θ + π/4) - C(θ - π/4) is ∂C/∂θ (central difference,
    to 1e-6) and |∂C/∂θ| <= factor · Δ with Δ = 2(σ1 + σ2) (Lemma 3.2)."""

    def C(a):
        return cost(H2, rho1, expm(-1j * a * PAULI[P]), dB)

    grad = C(theta + np.pi / 4) - C(theta - np.pi / 4)
    h = 1e-5
    return (
        abs(grad - (C(theta + h) - C(theta - h)) / (2 * h)) < 1e-6
        and abs(grad) <= factor * qubit_delta(k_matrix(H2, rho1, 2, dB).real) + 1e-12
    )


#: the equality instance of |∂C| <= Δ: H = Z, ρ = |0><0| (one qubit, dB = 1), Ω = X, θ = π/4: C = cos 2θ,
#: |∂C(π/4)| = 2 = Δ
GRADIENT_EQUALITY = (PAULI["Z"], np.diag([1.0, 0.0]).astype(complex), 1, "X", np.pi / 4)


@PROOFS
@given(st.integers(0, 2**32 - 1), st.floats(0, 2 * np.pi), st.sampled_from("XYZ"))
@lemma(
    "8.2",
    "|∂C/∂θ| <= Δ for a Pauli rotation on the qubit A",
    "random 3-qubit instances (hypothesis); the one-qubit equality instance",
)
def test_lemma_8_2_gradient_below_delta(seed, theta, P):
    """Lemma 8.2 exercised: UA = e^{-iθP} on qubit A inside random V1, V2: |∂C/∂θ| (central difference
    of the exact trigonometric form) <= Δ = 2(σ1 + σ2) (Lemma 3.2); and at the equality instance
    (H = Z, ρ = |0>, Ω = X, θ = π/4)."""
    rng = np.random.default_rng(seed)
    d, dB = 8, 4
    H2 = random_hermitian(d, rng)
    rho1 = random_density(d, rng, rank=1)
    assert gradient_below_delta(H2, rho1, dB, P, theta)
    assert gradient_below_delta(*GRADIENT_EQUALITY)


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["shift pi/8", "0.99 Delta"])
@lemma("8.2", "mutant: shift π/8; |∂C| <= 0.99 Δ (sharp at H = Z, ρ = |0>, Ω = X, θ = π/4)", "symbolic / one qubit")
def test_lemma_8_2_mutant_rejected(which):
    """The same checkers reject the shift π/8 (a point where the residual is nonzero shows that the rejection
    is not a failure of simplification) and |∂C| <= 0.99 Δ at the equality instance (C(θ) = cos 2θ,
    |∂C(π/4)| = 2 = Δ)."""
    if which == "shift pi/8":
        assert not shift_identity_holds(sp.pi / 8)
        lhs = sp.diff(cost_of_theta(th), th)
        res = lhs - (cost_of_theta(th + sp.pi / 8) - cost_of_theta(th - sp.pi / 8))
        val = res.subs({th: sp.Rational(3, 10), T0: 1, T1: -1, T2: sp.I, T3: -sp.I})
        assert abs(complex(val.evalf(30))) > 1e-3
    else:
        assert not gradient_below_delta(*GRADIENT_EQUALITY, factor=0.99)


# ---------------------------------------------------------------------------------------------
# 8.3 Remark 2: global generators with Ω² = I, tr Ω = 0
# ---------------------------------------------------------------------------------------------
def remark2_conjugator(Omega: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """W unitary with Ω = W (Z ⊗ I ⊗ … ⊗ I) W†, constructed from an eigenbasis sorted (+1 first).

    Raises ValueError unless Ω is Hermitian, Ω² = I and tr Ω = 0 (then the spectrum is d/2 × (+1),
    d/2 × (-1), the spectrum of Z ⊗ I…I, whose +1 eigenvectors are the first d/2 basis vectors)."""
    Omega = np.asarray(Omega)
    d = Omega.shape[0]
    if not np.allclose(Omega, Omega.conj().T, atol=tol):
        raise ValueError("Omega must be Hermitian")
    if not np.allclose(Omega @ Omega, np.eye(d), atol=tol):
        raise ValueError("Omega must satisfy Omega^2 = I")
    if abs(np.trace(Omega)) > tol:
        raise ValueError(
            f"Omega must be traceless (tr Omega = {np.trace(Omega).real:.3g}); then d/2 eigenvalues are +1"
        )
    ev, V = np.linalg.eigh(Omega)
    order = np.argsort(-ev)  # +1 eigenvectors first
    return V[:, order]


@PROOFS
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
@lemma(
    "8.3",
    "Ω² = I, tr Ω = 0 ⇒ Ω = W (Z⊗I⊗…⊗I) W† (constructive), e^{-iθΩ} = W (e^{-iθZ}⊗I) W†",
    "n = 1..4 qubits, random Ω (hypothesis)",
)
def test_lemma_8_3_remark2(n, seed):
    """Lemma 8.3 (Remark 2). Ω² = I ⇒ eigenvalues ±1; tr Ω = 0 ⇒ d/2 of each, the spectrum of Z ⊗ I…I.
    W = eigenvectors ordered (+1 first) is unitary and Ω = W (Z ⊗ I) W†; then e^{-iθΩ} = W(e^{-iθZ} ⊗ I)W†,
    a local gate between W† V1 and V2 W, which are 2-designs if V1, V2 are (unitary invariance).
    (For odd d = q^n no such Ω exists: tr Ω ≡ d mod 2.)"""
    rng = np.random.default_rng(seed)
    d = 2**n
    U = random_unitary(d, rng)
    Z1 = np.kron(PAULI["Z"], np.eye(d // 2))
    Omega = U @ Z1 @ U.conj().T
    W = remark2_conjugator(Omega)
    assert np.allclose(W.conj().T @ W, np.eye(d), atol=1e-10)
    assert np.allclose(W @ Z1 @ W.conj().T, Omega, atol=1e-10)
    a = rng.uniform(0, 2 * np.pi)
    local = np.kron(expm(-1j * a * PAULI["Z"]), np.eye(d // 2))
    assert np.allclose(expm(-1j * a * Omega), W @ local @ W.conj().T, atol=1e-10)


@pytest.mark.mutant
@pytest.mark.parametrize("bad", ["traceful", "not involutive"])
@lemma("8.3", "mutant: tr Ω ≠ 0 or Ω² ≠ I is rejected", "d = 4")
def test_lemma_8_3_mutant_rejected(bad):
    """The hypotheses are needed: diag(1,1,1,-1) (tr = 2) or 2 Z⊗I (Ω² = 4I) have no such W."""
    Omega = np.diag([1.0, 1.0, 1.0, -1.0]) if bad == "traceful" else 2 * np.kron(PAULI["Z"], np.eye(2))
    with pytest.raises(ValueError):
        remark2_conjugator(Omega)


# ---------------------------------------------------------------------------------------------
# 8.4 Eq. 7-8: finite differences and the telescoping bound
# ---------------------------------------------------------------------------------------------
def move_site_first(Op: np.ndarray, site: int, n: int) -> np.ndarray:
    """Reorder qubits so that `site` becomes the first tensor factor."""
    perm = [site] + [i for i in range(n) if i != site]
    T = Op.reshape([2] * (2 * n))
    T = T.transpose(perm + [n + i for i in perm])
    return T.reshape(2**n, 2**n)


class Circuit:
    """Random circuit Π_μ e^{-iθ_μ P_μ} W_μ on n qubits, gate μ a Pauli rotation on qubit s_μ."""

    def __init__(self, n, n_params, rng):
        self.n = n
        self.sites = rng.integers(0, n, size=n_params)
        self.paulis = rng.choice(list("XYZ"), size=n_params)
        self.fixed = [random_unitary(2**n, rng) for _ in range(n_params + 1)]

    def gate(self, mu, a):
        ops = [np.eye(2)] * self.n
        ops = [expm(-1j * a * PAULI[self.paulis[mu]]) if i == self.sites[mu] else np.eye(2) for i in range(self.n)]
        out = ops[0]
        for o in ops[1:]:
            out = np.kron(out, o)
        return out

    def unitary(self, thetas, upto=None, skip=None):
        U = self.fixed[0]
        for mu, a in enumerate(thetas):
            G = np.eye(2**self.n) if mu == skip else self.gate(mu, a)
            U = self.fixed[mu + 1] @ G @ U
        return U

    def cost(self, H, rho, thetas):
        U = self.unitary(thetas)
        return float(np.real(np.trace(H @ U @ rho @ U.conj().T)))

    def delta(self, H, rho, thetas, mu):
        """Exact variation range of gate μ (any UA on its qubit) at the other parameters (Lemma 3.2)."""
        V1 = self.fixed[0]
        for nu in range(mu):
            V1 = self.fixed[nu + 1] @ self.gate(nu, thetas[nu]) @ V1
        V2 = np.eye(2**self.n)
        for nu in range(mu + 1, len(thetas)):
            V2 = self.fixed[nu + 1] @ self.gate(nu, thetas[nu]) @ V2
        V2 = V2 @ self.fixed[mu + 1]
        H2 = move_site_first(V2.conj().T @ H @ V2, self.sites[mu], self.n)
        rho1 = move_site_first(V1 @ rho @ V1.conj().T, self.sites[mu], self.n)
        return qubit_delta(k_matrix(H2, rho1, 2, 2 ** (self.n - 1)).real)


def telescoping_holds(circ: Circuit, H, rho, th0, th1, dropped=()) -> bool:
    """Eq. 7-8 along the path from th0 to th1 (one parameter changed per step): each step's |ΔC| <= Δ_μ of that
    gate, |C(th1) - C(th0)| <= Σ_{μ ∉ dropped} Δ_μ, and each finite difference C(θ + ε e_μ) - C(θ - ε e_μ)
    (ε = 0.3) at the path points is at most Δ_μ."""
    n_params = len(th0)
    path = [np.array(th0, dtype=float)]
    for mu in range(n_params):
        nxt = path[-1].copy()
        nxt[mu] = th1[mu]
        path.append(nxt)
    costs = [circ.cost(H, rho, p) for p in path]
    deltas = [circ.delta(H, rho, path[mu], mu) for mu in range(n_params)]
    steps = np.abs(np.diff(costs))
    ok = abs(costs[-1] - costs[0]) <= steps.sum() + 1e-12 and bool((steps <= np.array(deltas) + 1e-10).all())
    ok = ok and abs(costs[-1] - costs[0]) <= sum(dl for mu, dl in enumerate(deltas) if mu not in dropped) + 1e-10
    eps = 0.3
    for mu in range(n_params):
        plus, minus = path[mu].copy(), path[mu].copy()
        plus[mu] += eps
        minus[mu] -= eps
        ok = ok and abs(circ.cost(H, rho, plus) - circ.cost(H, rho, minus)) <= deltas[mu] + 1e-10
    return bool(ok)


def random_telescoping_instance(seed, n=3, n_params=4):
    rng = np.random.default_rng(seed)
    circ = Circuit(n, n_params, rng)
    H = random_hermitian(2**n, rng)
    rho = random_density(2**n, rng, rank=1)
    return circ, H, rho, rng.uniform(0, 2 * np.pi, n_params), rng.uniform(0, 2 * np.pi, n_params)


def telescoping_equality_instance():
    """H = I ⊗ Z, ρ = |00>, gate 1 = e^{-iθX} on qubit 0 (Δ_1 = 0 along the path), gate 2 = e^{-iθX} on
    qubit 1 (C = cos 2θ_2, Δ_2 = 2); from θ = (0, 0) to θ' = (0, π/2) C changes by 2 = Δ_1 + Δ_2."""
    circ = Circuit(2, 2, np.random.default_rng(0))
    circ.sites = np.array([0, 1])
    circ.paulis = np.array(["X", "X"])
    circ.fixed = [np.eye(4)] * 3
    H = np.kron(np.eye(2), PAULI["Z"])
    rho = np.diag([1.0, 0, 0, 0]).astype(complex)
    return circ, H, rho, np.zeros(2), np.array([0.0, np.pi / 2])


@settings(PROOFS, max_examples=5)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "8.4",
    "|C(θ') - C(θ)| <= Σ_μ |C(θ^(μ)) - C(θ^(μ-1))| <= Σ_μ Δ_μ (Eq. 8); |C(θ+ε) - C(θ-ε)| <= Δ_μ (Eq. 7)",
    "random 3-qubit circuits with 4 parameters (hypothesis); a 2-qubit equality instance",
)
def test_lemma_8_4_telescoping(seed):
    """Lemma 8.4 (Eq. 7-8). Along the path θ^(0) = θ, θ^(μ) = θ^(μ-1) with θ_μ replaced by θ'_μ, consecutive
    points differ in one gate only, so each step is at most that gate's variation range Δ_μ (at the
    other parameters of the step); the triangle inequality gives Eq. 8.  Likewise any finite difference
    C(θ + ε e_μ) - C(θ - ε e_μ) is at most Δ_μ, which is Eq. 7 without the linearisation.  Also on an
    instance where Eq. 8 is an equality."""
    assert telescoping_holds(*random_telescoping_instance(seed))
    assert telescoping_holds(*telescoping_equality_instance())


@pytest.mark.mutant
@lemma("8.4", "mutant: dropping a term of Σ_μ Δ_μ fails (gate 2 alone moves C by 2)", "2 qubits, explicit instance")
def test_lemma_8_4_mutant_rejected():
    """Every term of the sum is needed: on the equality instance (Δ_1 = 0, Δ_2 = 2, C changes by 2) the same
    checker rejects the bound without the μ = 2 term."""
    circ, H, rho, th0, th1 = telescoping_equality_instance()
    assert abs(circ.cost(H, rho, th1) - circ.cost(H, rho, th0) + 2) < 1e-12  # cos π - cos 0 = -2
    assert abs(circ.delta(H, rho, th0, 0)) < 1e-12 and abs(circ.delta(H, rho, th0, 1) - 2) < 1e-12
    assert not telescoping_holds(circ, H, rho, th0, th1, dropped=(1,))
