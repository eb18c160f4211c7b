"""Small shared tools for the lemma tests in proofs/ (see DERIVATION.md for the mathematics).

Conventions: operators on A ⊗ B are (dA*dB) x (dA*dB) matrices with A the *first* tensor factor.
``{G_a}`` is the orthonormal traceless Hermitian basis of generalised Gell-Mann matrices,
``tr(G_a G_b) = δ_ab``.  Exact objects are sympy matrices, numeric ones numpy arrays.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, settings
from scipy.linalg import expm
from scipy.optimize import minimize

# ------------------------------------------------------------------------------------------
# lemma marker: every lemma test is tagged with its id, a short statement and the dimensions it covers
# ------------------------------------------------------------------------------------------


def lemma(lemma_id: str, statement: str, dimensions: str) -> pytest.MarkDecorator:
    """Tag a test as (part of) the check of lemma ``lemma_id`` (read by proofs_report)."""
    return pytest.mark.lemma(lemma_id, statement=statement, dimensions=dimensions)


#: hypothesis settings of every lemma test: derandomised (the same examples in every run and in CI),
#: no deadline; use ``@PROOFS`` or ``@settings(PROOFS, max_examples=N)``.
PROOFS = settings(
    derandomize=True,
    deadline=None,
    max_examples=20,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# ------------------------------------------------------------------------------------------
# bases
# ------------------------------------------------------------------------------------------


def gell_mann_exact(dim: int) -> list[sp.Matrix]:
    """Generalised Gell-Mann matrices of size dim, normalised to tr(G_a G_b) = δ_ab (exact).

    Order: symmetric (j<k), antisymmetric (j<k), then diagonal; for dim = 2 that is X, Y, Z over √2.
    """
    out: list[sp.Matrix] = []
    for j, k in itertools.combinations(range(dim), 2):
        m = sp.zeros(dim)
        m[j, k] = m[k, j] = 1
        out.append(m / sp.sqrt(2))
    for j, k in itertools.combinations(range(dim), 2):
        m = sp.zeros(dim)
        m[j, k] = -sp.I
        m[k, j] = sp.I
        out.append(m / sp.sqrt(2))
    for l in range(1, dim):
        m = sp.zeros(dim)
        for t in range(l):
            m[t, t] = 1
        m[l, l] = -l
        out.append(m / sp.sqrt(l * (l + 1)))
    return out


def gell_mann(dim: int) -> list[np.ndarray]:
    """Numeric version of :func:`gell_mann_exact`."""
    return [np.array(g.evalf(), dtype=complex) for g in gell_mann_exact(dim)]


PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}
PAULI_EXACT = {
    "I": sp.eye(2),
    "X": sp.Matrix([[0, 1], [1, 0]]),
    "Y": sp.Matrix([[0, -sp.I], [sp.I, 0]]),
    "Z": sp.Matrix([[1, 0], [0, -1]]),
}


def kron(*mats):
    """Kronecker product of numpy arrays or of sympy matrices (left factor first)."""
    if isinstance(mats[0], sp.MatrixBase):
        out = mats[0]
        for m in mats[1:]:
            out = sp.kronecker_product(out, m)
        return out
    out = np.array(mats[0])
    for m in mats[1:]:
        out = np.kron(out, m)
    return out


def pauli_string(label: str) -> np.ndarray:
    """Pauli string such as "XZI" (site 0 first)."""
    return kron(*[PAULI[c] for c in label])


def heisenberg_ring(n: int) -> np.ndarray:
    """Eq. 9: Σ_i (X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1}), periodic, n >= 3 (dense)."""
    d = 2**n
    H = np.zeros((d, d), dtype=complex)
    for i in range(n):
        j = (i + 1) % n
        for p in "XYZ":
            lab = ["I"] * n
            lab[i] = p
            lab[j] = p
            H += pauli_string("".join(lab))
    return H


# ------------------------------------------------------------------------------------------
# partial traces and the objects of Route 1 / Route 2 / Proposition 2
# ------------------------------------------------------------------------------------------


def blocks(X, dA: int, dB: int):
    """``X[i, j] = <i|X|j>`` (operator on B) as an array of shape (dA, dA, dB, dB)."""
    return np.asarray(X).reshape(dA, dB, dA, dB).transpose(0, 2, 1, 3)


def ptrace_A(X, dA: int, dB: int):
    """tr_A X (numpy)."""
    return np.einsum("iikl->kl", blocks(X, dA, dB))


def ptrace_B(X, dA: int, dB: int):
    """tr_B X (numpy)."""
    return np.einsum("ijkk->ij", blocks(X, dA, dB))


def ptrace_A_exact(X: sp.Matrix, dA: int, dB: int) -> sp.Matrix:
    """tr_A X (sympy)."""
    return sp.Matrix(dB, dB, lambda k, l: sum(X[i * dB + k, i * dB + l] for i in range(dA)))


def a_components(X, dA: int, dB: int, basis=None):
    """``x_a = tr_A((G_a ⊗ I) X)`` for every a (numpy): shape (dA²-1, dB, dB)."""
    G = gell_mann(dA) if basis is None else basis
    bl = blocks(X, dA, dB)  # <i|X|j>
    # tr_A((G ⊗ I) X) = Σ_ij G_ji <i|X|j>
    return np.array([np.einsum("ji,ijkl->kl", g, bl) for g in G])


def k_matrix(H2, rho1, dA: int, dB: int):
    """``K_ab = tr_B(h_a r_b)`` (Lemma 3) for numeric H2 = V2†HV2, rho1 = V1 rho V1†."""
    G = gell_mann(dA)
    h = a_components(H2, dA, dB, G)
    r = a_components(rho1, dA, dB, G)
    return np.einsum("akl,blk->ab", h, r)


def adjoint_rep(U, dA: int):
    """``R_ab(U) = tr(G_a U G_b U†)`` (Lemma 2), numeric."""
    G = gell_mann(dA)
    return np.array([[np.trace(ga @ U @ gb @ U.conj().T) for gb in G] for ga in G])


def cost(H2, rho1, UA, dB: int):
    """``C(UA) = tr(H2 (UA ⊗ I) rho1 (UA ⊗ I)†)`` (Eq. 1 with V1, V2 absorbed)."""
    W = np.kron(UA, np.eye(dB))
    return float(np.real(np.trace(H2 @ W @ rho1 @ W.conj().T)))


def qubit_delta(K) -> float:
    """Lemma 3: exact Δ for dA = 2, ``2 (σ1 + σ2)``."""
    s = np.linalg.svd(K, compute_uv=False)
    return float(2 * (s[0] + s[1]))


def unitary_from_params(x: np.ndarray, dim: int) -> np.ndarray:
    """exp(i H(x)) with H Hermitian built from dim² real parameters (a chart of U(dim))."""
    Hm = np.zeros((dim, dim), dtype=complex)
    iu = np.triu_indices(dim, 1)
    nd = len(iu[0])
    Hm[iu] = x[:nd] + 1j * x[nd : 2 * nd]
    Hm = Hm + Hm.conj().T
    Hm[np.diag_indices(dim)] = x[2 * nd :]
    return expm(1j * Hm)


def euler_unitary(x: np.ndarray) -> np.ndarray:
    """Rz(x0) Ry(x1) Rz(x2): all of SU(2), which is all of U(2) up to a phase that no cost sees."""
    a, b, c = x
    rz = lambda t: np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])  # noqa: E731
    ry = np.array([[np.cos(b / 2), -np.sin(b / 2)], [np.sin(b / 2), np.cos(b / 2)]])
    return rz(a) @ ry @ rz(c)


def brute_force_range(
    f: Callable[[np.ndarray], float], dim: int, rng: np.random.Generator, starts: int = 8, maxiter: int | None = None
):
    """(min, max) of f over U(dim) by multi-start BFGS — an independent *lower* bound on max - min.

    dim = 2 uses Euler angles (3 parameters), larger dims the chart exp(iH) (dim² parameters)."""
    if dim == 2:
        npar, chart = 3, euler_unitary
    else:
        npar, chart = dim * dim, (lambda x: unitary_from_params(x, dim))
    opts = {"gtol": 1e-9} if maxiter is None else {"gtol": 1e-9, "maxiter": maxiter}
    best_min, best_max = np.inf, -np.inf
    for _ in range(starts):
        x0 = rng.uniform(0, 2 * np.pi, size=npar)
        r1 = minimize(lambda x: f(chart(x)), x0, method="BFGS", options=opts)
        r2 = minimize(lambda x: -f(chart(x)), x0, method="BFGS", options=opts)
        best_min = min(best_min, r1.fun)
        best_max = max(best_max, -r2.fun)
    return best_min, best_max


def m_matrix(psi1, phi2, dA: int, dB: int):
    """Lemma 7: ``M_ij = <φ_j|ψ_i>`` with ψ1 = Σ_i |i>|ψ_i>, φ2 = Σ_j |j>|φ_j>."""
    P = np.asarray(psi1).reshape(dA, dB)
    F = np.asarray(phi2).reshape(dA, dB)
    return P @ F.conj().T  # (i, j) -> Σ_k ψ_i[k] conj(φ_j[k])


# ------------------------------------------------------------------------------------------
# exact unitaries and random instances
# ------------------------------------------------------------------------------------------


def cayley_unitary(S: sp.Matrix) -> sp.Matrix:
    """Exact unitary ``(I - S)(I + S)^{-1}`` from an anti-Hermitian rational matrix S (entries in Q(i))."""
    if sp.simplify(S + S.H) != sp.zeros(*S.shape):
        raise ValueError("S must be anti-Hermitian")
    n = S.shape[0]
    return sp.simplify((sp.eye(n) - S) * (sp.eye(n) + S).inv())


def random_rational_antihermitian(dim: int, rng: np.random.Generator, scale: int = 5) -> sp.Matrix:
    """A random anti-Hermitian matrix with small Gaussian-rational entries (for cayley_unitary)."""
    S = sp.zeros(dim)
    for i in range(dim):
        S[i, i] = sp.I * sp.Rational(int(rng.integers(-scale, scale + 1)), int(rng.integers(1, scale + 1)))
        for j in range(i + 1, dim):
            z = sp.Rational(int(rng.integers(-scale, scale + 1)), int(rng.integers(1, scale + 1))) + sp.I * sp.Rational(
                int(rng.integers(-scale, scale + 1)), int(rng.integers(1, scale + 1))
            )
            S[i, j] = z
            S[j, i] = -sp.conjugate(z)
    return S


def random_hermitian(d: int, rng: np.random.Generator) -> np.ndarray:
    Z = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return (Z + Z.conj().T) / 2


def random_density(d: int, rng: np.random.Generator, rank: int | None = None) -> np.ndarray:
    rank = d if rank is None else rank
    Z = rng.normal(size=(d, rank)) + 1j * rng.normal(size=(d, rank))
    rho = Z @ Z.conj().T
    return rho / np.trace(rho).real


def random_unitary(d: int, rng: np.random.Generator) -> np.ndarray:
    from weingarten_check.states.sampling import haar_unitary

    return haar_unitary(d, rng)


def symbolic_matrix(name: str, rows: int, cols: int | None = None) -> sp.Matrix:
    """A matrix of independent complex symbols ``name_ij`` (an *arbitrary* operator)."""
    cols = rows if cols is None else cols
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}_{j}"))


# ------------------------------------------------------------------------------------------
# certificates for inequalities over all admissible dimensions
# ------------------------------------------------------------------------------------------


@dataclass
class Certificate:
    """Result of :func:`certify_nonnegative`: ``ok`` and the polynomials that were inspected."""

    ok: bool
    numerator: sp.Poly | None
    denominator: sp.Poly | None
    reason: str


def certify_nonnegative(expr: sp.Expr, shifts: dict[sp.Symbol, sp.Expr], new_vars: Sequence[sp.Symbol]) -> Certificate:
    """Certify ``expr >= 0`` on a region described by ``shifts`` (variable -> expression in new vars >= 0).

    After substituting (e.g. ``x = 2 + s``, ``y = 2x + t`` with ``s, t >= 0``) the expression is brought to
    ``N/D`` in lowest terms; the certificate holds iff N and D are polynomials in the new variables whose
    coefficients are all >= 0 (or all <= 0 for both).  Then ``N/D >= 0`` for every ``s, t >= 0`` where D ≠ 0.
    A failed certificate is *not* a disproof; mutant tests pair it with an explicit counterexample.
    """
    e = sp.together(sp.expand(expr.subs(shifts)))
    num, den = sp.fraction(sp.cancel(e))
    try:
        pn = sp.Poly(sp.expand(num), *new_vars)
        pd = sp.Poly(sp.expand(den), *new_vars)
    except sp.PolynomialError as exc:
        return Certificate(False, None, None, f"not a rational function of {new_vars}: {exc}")
    cn, cd = pn.coeffs(), pd.coeffs()
    if pn.is_zero:
        return Certificate(True, pn, pd, "numerator is identically zero")
    if all(c >= 0 for c in cn) and all(c >= 0 for c in cd):
        return Certificate(True, pn, pd, "all coefficients >= 0")
    if all(c <= 0 for c in cn) and all(c <= 0 for c in cd):
        return Certificate(True, pn, pd, "all coefficients <= 0 in numerator and denominator")
    return Certificate(False, pn, pd, "mixed-sign coefficients")


def certify_univariate_nonnegative(expr: sp.Expr, var: sp.Symbol, lower) -> Certificate:
    """Certify ``expr(var) >= 0`` for all real ``var >= lower`` by real-root isolation (Sturm) of
    numerator and denominator and a sign check at one point of each root-free interval."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    pn, pd = sp.Poly(num, var), sp.Poly(den, var)
    pts = sorted({r for p in (pn, pd) if p.degree() > 0 for r in p.real_roots() if r >= lower}, key=float)
    edges = [sp.sympify(lower)] + pts
    samples = [(edges[i] + edges[i + 1]) / 2 for i in range(len(edges) - 1)] + [edges[-1] + 1]
    for x in samples + [sp.sympify(lower)]:
        dv = pd.eval(x)
        if dv == 0:
            continue
        if sp.sign(pn.eval(x) / dv) < 0:
            return Certificate(False, pn, pd, f"negative at {var} = {x}")
    return Certificate(True, pn, pd, f"no sign change on [{lower}, oo): roots checked {pts}")


def is_zero(expr: sp.Expr) -> bool:
    """Exact zero test used by every identity check."""
    return sp.simplify(sp.expand(expr)) == 0


def mat_is_zero(M: sp.Matrix) -> bool:
    return all(is_zero(x) for x in M)


def move_sites_first(Op: np.ndarray, sites: Sequence[int], n: int, q: int = 2) -> np.ndarray:
    """Reorder the tensor factors of a dense operator so that `sites` (in this order) come first."""
    perm = list(sites) + [i for i in range(n) if i not in sites]
    T = np.asarray(Op).reshape([q] * (2 * n))
    T = T.transpose(perm + [n + i for i in perm])
    return T.reshape(q**n, q**n)
