"""Lemma 13 — an exact 2-design that is not Haar: the 2-qubit Clifford group, enumerated exactly
(DERIVATION.md §13).

The group C2 = <H⊗I, I⊗H, S⊗I, I⊗S, CX> (modulo global phases) is built by closure in exact
arithmetic: every entry lies in Z[ω]/2^k, ω = e^{iπ/4} (1/√2 = (ω - ω³)/2), stored as integer
coefficients of 1, ω, ω², ω³ modulo ω⁴ = -1 with a power-of-two denominator.  Each matrix is put
in a canonical form (smallest k, first non-zero entry real positive), so the group is a set of
exact keys.  From it: frame potentials (13.1), E||K||_F² of the paper's observables (13.2), the
state 2-design property and the "both" case (13.3), and the link to stim / the library (13.4).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from _helpers import lemma

from weingarten_check.calculus.symmetric_group import class_size, partitions
from weingarten_check.calculus.unitary import weingarten_class
from weingarten_check.states.observables import heisenberg_ring, qae_observable
from weingarten_check.theory import bounds

D = 4  # two qubits
SQRT2 = sp.sqrt(2)

# ----------------------------------------------------------------------------- exact Z[ω]/2^k
# product of coefficient vectors: ω^c ω^e = ω^(c+e), ω^4 = -1
FOLD = np.zeros((4, 4, 4), dtype=np.int64)
for _c in range(4):
    for _e in range(4):
        FOLD[_c, _e, (_c + _e) % 4] = 1 if _c + _e < 4 else -1
# ROT[m]: coefficients of x ω^{-m} from those of x (row vector @ ROT[m])
_R1 = np.zeros((4, 4), dtype=np.int64)  # x ω^{-1}: (c0,c1,c2,c3) -> (c1, c2, c3, -c0)
_R1[1, 0] = _R1[2, 1] = _R1[3, 2] = 1
_R1[0, 3] = -1
ROT = np.array([np.linalg.matrix_power(_R1, m) for m in range(8)])
_L1 = np.zeros((4, 4), dtype=np.int64)  # x ω: (c0,c1,c2,c3) -> (-c3, c0, c1, c2)
_L1[0, 1] = _L1[1, 2] = _L1[2, 3] = 1
_L1[3, 0] = -1
MUL_OMEGA = np.array([np.linalg.matrix_power(_L1, m) for m in range(8)])
CONJ = np.array([[1, 0, 0, 0], [0, 0, 0, -1], [0, 0, -1, 0], [0, -1, 0, 0]], dtype=np.int64)  # conj(ω^c)
LIMIT = 2**40  # int64 safety margin: every intermediate is checked against it


def _ok(x: np.ndarray) -> np.ndarray:
    assert np.abs(x).max(initial=0) < LIMIT, "coefficient overflow risk"
    return x


def zmatmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Batched exact matrix product of numerators (..., r, l, 4) x (..., l, c, 4)."""
    return _ok(np.einsum("...ilc,...lje,cem->...ijm", A, B, FOLD, optimize=True))


def zdagger(A: np.ndarray) -> np.ndarray:
    return np.swapaxes(A @ CONJ, -2, -3)


def canonical(C: np.ndarray, k: np.ndarray):
    """Canonical numerators/exponents of a batch (N, r, c, 4) / (N,): smallest k (divide while every
    coefficient is even), then the phase ω^{-m} making the first non-zero entry real positive."""
    C, k = C.copy(), k.copy()
    while True:
        red = (k > 0) & np.all(C % 2 == 0, axis=(1, 2, 3))
        if not red.any():
            break
        C[red] //= 2
        k[red] -= 1
    N = len(C)
    flat = C.reshape(N, -1, 4)
    first = np.argmax(np.any(flat != 0, axis=2), axis=1)
    e = flat[np.arange(N), first]  # (N, 4)
    rot = np.einsum("nc,mcd->nmd", e, ROT)  # e ω^{-m}
    a, b, c2, c3 = rot[..., 0], rot[..., 1], rot[..., 2], rot[..., 3]
    real = (c2 == 0) & (b == -c3)
    pos = real & (
        ((a >= 0) & (b >= 0) & ((a > 0) | (b > 0)))
        | ((a > 0) & (b < 0) & (a * a > 2 * b * b))
        | ((a < 0) & (b > 0) & (2 * b * b > a * a))
    )
    assert np.all(pos.sum(axis=1) == 1), "first entry is not of the form 2^(-j/2) ω^m"
    m = np.argmax(pos, axis=1)
    C = np.einsum("nijc,ncd->nijd", C, ROT[m])
    return C, k


def keys(C: np.ndarray, k: np.ndarray) -> list[bytes]:
    return [bytes([int(kk)]) + c.tobytes() for c, kk in zip(C, k)]


def _num(mat) -> np.ndarray:
    """Exact numerator (r, c, 4) of a matrix with entries in Z[i] (integers, ±i)."""
    mat = np.asarray(mat)
    re, im = np.rint(mat.real).astype(np.int64), np.rint(mat.imag).astype(np.int64)
    assert np.allclose(mat, re + 1j * im), "matrix entries must be Gaussian integers"
    out = np.zeros(mat.shape + (4,), dtype=np.int64)
    out[..., 0], out[..., 2] = re, im  # i = ω²
    return out


I2 = np.eye(2)
X_ = np.array([[0, 1], [1, 0]])
Y_ = np.array([[0, -1j], [1j, 0]])
Z_ = np.diag([1, -1])
S_ = np.diag([1, 1j])
HN = np.zeros((2, 2, 4), dtype=np.int64)  # H = (ω - ω³)/2 · [[1, 1], [1, -1]]
for (_i, _j), _s in {(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): -1}.items():
    HN[_i, _j, 1], HN[_i, _j, 3] = _s, -_s
GENERATORS = {  # (numerator, k) of 4x4 gates, site 0 = first factor
    "H0": (np.einsum("ijc,kl->ikjlc", HN, I2.astype(np.int64)).reshape(4, 4, 4), 1),
    "H1": (np.einsum("ij,klc->ikjlc", I2.astype(np.int64), HN).reshape(4, 4, 4), 1),
    "S0": (_num(np.kron(S_, I2)), 0),
    "S1": (_num(np.kron(I2, S_)), 0),
    "CX": (_num(np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])), 0),
    "X0": (_num(np.kron(X_, I2)), 0),
    "X1": (_num(np.kron(I2, X_)), 0),
    "Z0": (_num(np.kron(Z_, I2)), 0),
    "Z1": (_num(np.kron(I2, Z_)), 0),
}
GROUPS = {
    "clifford": ("H0", "H1", "S0", "S1", "CX"),
    "no_phase_gate": ("H0", "H1", "CX"),  # a proper subgroup: real Cliffords (mutant)
    "pauli": ("X0", "X1", "Z0", "Z1"),  # the Pauli group (mutant)
}


@functools.cache
def group(name: str) -> tuple[np.ndarray, np.ndarray]:
    """All elements (canonical numerators (N, 4, 4, 4), exponents (N,)) of the group generated by
    GROUPS[name], modulo global phase, by breadth-first closure."""
    Cid, kid = canonical(_num(np.eye(4))[None], np.zeros(1, dtype=np.int64))
    seen = set(keys(Cid, kid))
    allC, allk = [Cid], [kid]
    frontier = (Cid, kid)
    while len(frontier[0]):
        newC, newk = [], []
        for g in GROUPS[name]:
            G, kg = GENERATORS[g]
            C, k = canonical(zmatmul(frontier[0], G[None]), frontier[1] + kg)
            for key, c, kk in zip(keys(C, k), C, k):
                if key not in seen:
                    seen.add(key)
                    newC.append(c)
                    newk.append(kk)
        frontier = (np.array(newC, dtype=np.int64).reshape(-1, 4, 4, 4), np.array(newk, dtype=np.int64))
        allC.append(frontier[0])
        allk.append(frontier[1])
    return np.concatenate(allC), np.concatenate(allk)


def _to_sympy(a: Fraction, b: Fraction) -> sp.Expr:
    return sp.Rational(a.numerator, a.denominator) + sp.Rational(b.numerator, b.denominator) * SQRT2


def frame_potential_exact(name: str, t: int) -> sp.Expr:
    """F_t = (1/|G|²) Σ_{U,V ∈ G} |tr(U†V)|^{2t} = (1/|G|) Σ_{g ∈ G} |tr g|^{2t} (G a group)."""
    C, k = group(name)
    tr = np.einsum("niic->nc", C)
    abs2 = _ok(np.einsum("nc,cd,ne,dem->nm", tr, CONJ, tr, FOLD))  # conj(tr) tr, over 4^k
    p = np.zeros_like(abs2)
    p[:, 0] = 1
    for _ in range(t):
        p = _ok(np.einsum("nc,ne,cem->nm", p, abs2, FOLD))
    a, b = _sum_over_denominators(p, 2 * t * k)
    return sp.nsimplify(_to_sympy(a / len(C), b / len(C)))


def haar_frame_potential(t: int, d: int) -> sp.Expr:
    """Haar F_t = E|tr U|^{2t} = Σ_{σ,τ ∈ S_t} Wg(στ^{-1}, d) d^{#(σ^{-1}τ)} = t! Σ_μ |C_μ| Wg(μ, d) d^{ℓ(μ)}
    from the project's Weingarten engine (= t! for d >= t)."""
    return sp.factorial(t) * sum(
        class_size(mu) * weingarten_class(mu, d) * sp.Integer(d) ** len(mu) for mu in partitions(t)
    )


def check_frame_potential(name: str, t: int, expected: sp.Expr) -> None:
    """The checker of Lemma 13.1 (mutants call it with weakened statements)."""
    got = frame_potential_exact(name, t)
    assert sp.simplify(got - expected) == 0, f"F_{t}({name}) = {got}, expected {expected}"


# ----------------------------------------------------------------------------- K of Lemma 3, exactly
PAULIS = [X_, Y_, Z_]


def _sum_over_denominators(num: np.ndarray, den_exp: np.ndarray) -> tuple[Fraction, Fraction]:
    """Σ_n num[n]/2^den_exp[n] for real Z[ω] numerators (N, 4), exactly, as (a, b) = a + b√2."""
    assert np.all(num[:, 2] == 0) and np.all(num[:, 1] == -num[:, 3]), "value is not real"
    a, b = Fraction(0), Fraction(0)
    for e in np.unique(den_exp):
        sel = den_exp == e
        a += Fraction(int(num[sel, 0].sum()), 2 ** int(e))
        b += Fraction(int(num[sel, 1].sum()), 2 ** int(e))
    return a, b


def k_frobenius_sq_mean(name: str, H: np.ndarray, case: str) -> sp.Expr:
    """Group average of ||K||_F², exactly; K_ab = tr((G_b ⊗ h_a) ρ1), h_a = tr_A((G_a ⊗ I) H2),
    G = σ/√2, ρ = |00><00|; case v1: ρ1 = UρU†, H2 = H; case v2: ρ1 = ρ, H2 = U†HU.
    ||K||² = (1/4) Σ_ab tr((σ_b ⊗ tr_A((σ_a ⊗ I) H2)) ρ1)²  (every term real)."""
    C, k = group(name)
    Hn = _num(H)
    rho = np.zeros((4, 4, 4), dtype=np.int64)
    rho[0, 0, 0] = 1
    N = len(C)
    if case == "v1":
        rho1 = zmatmul(zmatmul(C, np.broadcast_to(rho, C.shape)), zdagger(C))
        H2 = np.broadcast_to(Hn, C.shape)
    elif case == "v2":
        rho1 = np.broadcast_to(rho, C.shape)
        H2 = zmatmul(zmatmul(zdagger(C), np.broadcast_to(Hn, C.shape)), C)
    else:
        raise ValueError(case)
    sig = [_num(p) for p in PAULIS]
    H2b = H2.reshape(N, 2, 2, 2, 2, 4)  # (n, iA, iB, jA, jB, c)
    acc = np.zeros((N, 4), dtype=np.int64)  # Σ_ab tr(...)², numerators over 16^k
    for sa in sig:
        # h'_a = tr_A((σ_a ⊗ I) H2) = Σ_ij (σ_a)_ji <i|H2|j>
        ha = _ok(np.einsum("jic,nikjle,cem->nklm", sa, H2b, FOLD, optimize=True))
        for sb in sig:
            O = np.einsum("ijc,nkle,cem->nikjlm", sb, ha, FOLD, optimize=True).reshape(N, 4, 4, 4)
            tr = _ok(np.einsum("nijc,njie,cem->nm", O, rho1, FOLD, optimize=True))
            acc += _ok(np.einsum("nc,ne,cem->nm", tr, tr, FOLD))
    a, b = _sum_over_denominators(acc, 4 * k)
    return sp.nsimplify(_to_sympy(a / (4 * N), b / (4 * N)))


def exact_matrix(obs) -> np.ndarray:
    H = obs.dense()
    assert np.allclose(H, np.rint(H.real)), "observable must have integer entries"
    return np.rint(H.real)


OBSERVABLES = {
    "heisenberg": lambda: exact_matrix(heisenberg_ring(2, 2)),
    "qae": lambda: exact_matrix(qae_observable(2, 2, discarded=0)),
}


def coupling_exact(H: np.ndarray) -> sp.Rational:
    """Σ_a tr_B(h_a²) = ||H||² - ||tr_A H||²/dA (Lemma 4.4) for an exact integer H (A = site 0)."""
    Hs = sp.Matrix(H.astype(int).tolist())
    HA = sp.Matrix(2, 2, lambda i, j: Hs[i, j] + Hs[2 + i, 2 + j])
    return (Hs * Hs).trace() - (HA * HA).trace() / 2


def haar_value(H: np.ndarray, case: str) -> sp.Expr:
    """E||K||_F² under Haar V1 / V2 (bounds.expected_K_frobenius_sq, Lemmas 4 and 9), exact."""
    Hs = sp.Matrix(H.astype(int).tolist())
    h_c = (Hs * Hs).trace() - Hs.trace() ** 2 / D
    return bounds.expected_K_frobenius_sq(
        case, 2, 1, 2, coupling=coupling_exact(H), purity=1, state_coupling=sp.Rational(1, 2), h_hs_centered=h_c
    )


def check_k_moment(name: str, obs: str, case: str, expected: sp.Expr) -> None:
    """The checker of Lemma 13.2: exact group average of ||K||_F² equals ``expected``."""
    got = k_frobenius_sq_mean(name, OBSERVABLES[obs](), case)
    assert sp.simplify(got - expected) == 0, f"E||K||² ({name}, {obs}, {case}) = {got}, expected {expected}"


# ----------------------------------------------------------------------------- 13.1
@lemma(
    "13.1",
    "the 2-qubit Clifford group <H, S, CX> has 11520 elements mod phase; F1 = 1, F2 = 2, F3 = 6 (= Haar, a 3-design), "
    "F4 = 29 > 24 (not a 4-design)",
    "n = 2 (d = 4): exact enumeration in Z[e^{iπ/4}]/2^k; Haar F_t from the Weingarten engine",
)
def test_lemma_13_1_clifford_frame_potentials():
    """Lemma 13.1. Closure of {H⊗I, I⊗H, S⊗I, I⊗S, CX} gives |C2/U(1)| = 11520 = 2^{n²+2n} Π_j (4^j - 1)
    at n = 2.  F_t = (1/|G|) Σ_g |tr g|^{2t} (G a group, so F_t over pairs reduces to one sum) equals the
    Haar value t! (Weingarten engine: t! Σ_μ |C_μ| Wg(μ, 4) 4^{ℓ(μ)}) for t = 1, 2, 3 and exceeds it at t = 4:
    an exact 3-design, not a 4-design (Zhu; Webb; Kueng–Gross 2015)."""
    C, _ = group("clifford")
    assert len(C) == 11520 == 2 ** (2 * 2 + 2 * 2) * (4 - 1) * (16 - 1)
    for t in (1, 2, 3):
        assert haar_frame_potential(t, D) == math.factorial(t)
        check_frame_potential("clifford", t, haar_frame_potential(t, D))
    assert haar_frame_potential(4, D) == 24
    F4 = frame_potential_exact("clifford", 4)
    assert F4 == 29 and F4 > 24


@pytest.mark.mutant
@lemma(
    "13.1",
    "mutant: the Pauli group, or the subgroup <H, CX> without the phase gate, has F2 = 2; the Clifford group is a "
    "4-design (F4 = 24)",
    "n = 2, the same exact checker",
)
def test_lemma_13_1_mutant_rejected():
    """The same checker rejects F2 = 2 for two proper subgroups (Pauli group: 16 elements, F2 = 16; real
    Cliffords <H, CX>: F2 = 3, the value of the orthogonal group) and F4 = 24 for the Clifford group."""
    assert len(group("pauli")[0]) == 16
    for name in ("pauli", "no_phase_gate"):
        with pytest.raises(AssertionError):
            check_frame_potential(name, 2, haar_frame_potential(2, D))
    assert frame_potential_exact("pauli", 2) == 16
    assert frame_potential_exact("no_phase_gate", 2) == 3
    with pytest.raises(AssertionError):
        check_frame_potential("clifford", 4, haar_frame_potential(4, D))


# ----------------------------------------------------------------------------- 13.2
CASES_132 = [
    ("heisenberg", "v1", sp.Rational(36, 5)),
    ("heisenberg", "v2", sp.Rational(24, 5)),
    ("qae", "v1", sp.Rational(3, 20)),
    ("qae", "v2", sp.Rational(1, 10)),
]


@pytest.mark.parametrize("obs,case,value", CASES_132)
@lemma(
    "13.2",
    "Clifford V1 (v1) or V2 (v2): E||K||_F² over the whole group = the Haar value of Lemma 4, exact rationals "
    "(Heisenberg n = 2: 36/5, 24/5; QAE: 3/20, 1/10)",
    "n = 2, A = site 0, ρ = |00>: exact average over all 11520 elements vs bounds.expected_K_frobenius_sq",
)
def test_lemma_13_2_k_moment_equals_haar(obs, case, value):
    """Lemma 13.2. ||K||_F² is a degree-2 polynomial in the entries of V and of V̄, so its average over any
    exact 2-design is the Haar value of Lemma 4 — here checked by brute force over the whole group:
    the library's n = 2 Heisenberg ring (the edge counted twice, H = 2(XX + YY + ZZ), coupling 48) and QAE
    (H = I - |0><0| ⊗ I, coupling 1)."""
    H = OBSERVABLES[obs]()
    assert haar_value(H, case) == value
    check_k_moment("clifford", obs, case, value)


@pytest.mark.mutant
@lemma(
    "13.2",
    "mutant: the same average over <H, CX> (no phase gate), or with the other observable's Haar value",
    "n = 2, the same exact checker",
)
def test_lemma_13_2_mutant_rejected():
    """The real-Clifford subgroup is not a 2-design and its E||K||² differs from Haar (v1, Heisenberg); the
    Heisenberg average does not match the QAE value."""
    with pytest.raises(AssertionError):
        check_k_moment("no_phase_gate", "heisenberg", "v1", sp.Rational(36, 5))
    with pytest.raises(AssertionError):
        check_k_moment("clifford", "heisenberg", "v1", haar_value(OBSERVABLES["qae"](), "v1"))


# ----------------------------------------------------------------------------- 13.3
def state_twirl(name: str) -> sp.Matrix:
    """E_g[(g|00><00|g†)^{⊗2}] over the group, exact (16 x 16): the orbit of |00> (canonical up to
    phase) with its multiplicities, then the exact sum."""
    C, k = group(name)
    cols, kc = canonical(C[:, :, :1, :].copy(), k)
    uniq: dict[bytes, list] = {}
    for key, c, kk in zip(keys(cols, kc), cols, kc):
        uniq.setdefault(key, [c[:, 0, :], int(kk), 0])[2] += 1
    out = sp.zeros(16, 16)
    for psi, kk, mult in uniq.values():
        outer = _ok(np.einsum("ic,je,cem->ijm", psi, psi @ CONJ, FOLD))  # ψψ†, over 4^k
        two = _ok(np.einsum("ijc,kle,cem->ikjlm", outer, outer, FOLD).reshape(16, 16, 4))
        # relative phases of a stabilizer state are powers of i: entries of ρ⊗ρ are Gaussian rationals
        assert np.all(two[..., 1] == 0) and np.all(two[..., 3] == 0), "ρ⊗ρ entry outside Q(i)"
        ent = sp.Matrix(two[..., 0].astype(object).tolist()) + sp.I * sp.Matrix(two[..., 2].astype(object).tolist())
        out += ent * sp.Rational(mult, 16**kk)
    return sp.expand(out / len(C))


@lemma(
    "13.3",
    "state 2-design: E[(V|00><00|V†)^{⊗2}] = (I + SWAP)/(d(d+1)) over the Clifford group; hence 'both': E||K||_F² = "
    "Haar value (Heisenberg 144/25, QAE 3/25)",
    "n = 2: exact average over the group; 'both' via Lemma 4.1 and an exact average over V2",
)
def test_lemma_13_3_state_design_and_both():
    """Lemma 13.3. The orbit of |00> (the 60 two-qubit stabilizer states, each hit 11520/60 times) has the
    Haar second moment (I + SWAP)/(d(d+1)), checked entry by entry in Q(i).  So
    for every fixed V2, E_{V1}||K||² is Lemma 4.1's value (dA²-1) coupling(V2†HV2)(1 - 1/d)/(d²-1);
    averaging coupling(V2†HV2) exactly over the group gives bounds.expected_K_frobenius_sq('both')."""
    T = state_twirl("clifford")
    SW = sp.zeros(16, 16)
    for i in range(4):
        for j in range(4):
            SW[i * 4 + j, j * 4 + i] = 1
    assert T == (sp.eye(16) + SW) / (D * (D + 1))
    for obs in ("heisenberg", "qae"):
        H = OBSERVABLES[obs]()
        C, k = group("clifford")
        H2 = zmatmul(zmatmul(zdagger(C), np.broadcast_to(_num(H), C.shape)), C)
        # coupling(H2) = ||H||² - ||tr_A H2||²/2 ; tr_A H2 numerators (N, 2, 2, 4), denominator 4^k
        HA = H2.reshape(-1, 2, 2, 2, 2, 4).transpose(0, 1, 3, 2, 4, 5)
        HA = HA[:, 0, 0] + HA[:, 1, 1]
        sq = _ok(np.einsum("nijc,njie,cem->nm", HA, HA, FOLD))  # tr((tr_A H2)²), real, den 16^k
        a, b = _sum_over_denominators(sq, 4 * k)
        mean_trA2 = _to_sympy(a / len(C), b / len(C))
        norm2 = int(np.sum(H * H))
        mean_coupling = norm2 - mean_trA2 / 2
        e_both = 3 * mean_coupling * (1 - sp.Rational(1, D)) / (D**2 - 1)
        Hs = sp.Matrix(H.astype(int).tolist())
        h_c = (Hs * Hs).trace() - Hs.trace() ** 2 / D
        assert sp.simplify(e_both - bounds.expected_K_frobenius_sq("both", 2, 1, 2, purity=1, h_hs_centered=h_c)) == 0
        assert e_both == {"heisenberg": sp.Rational(144, 25), "qae": sp.Rational(3, 25)}[obs]


@pytest.mark.mutant
@lemma("13.3", "mutant: the orbit of |00> under <H, CX> (real states) is a state 2-design", "n = 2, the same twirl")
def test_lemma_13_3_mutant_rejected():
    """Real stabilizer states are a real (orthogonal) design, not a complex-projective 2-design: their twirl
    is not (I + SWAP)/(d(d+1))."""
    T = state_twirl("no_phase_gate")
    SW = sp.zeros(16, 16)
    for i in range(4):
        for j in range(4):
            SW[i * 4 + j, j * 4 + i] = 1
    assert T != (sp.eye(16) + SW) / (D * (D + 1))


# ----------------------------------------------------------------------------- 13.4
@functools.cache
def stim_group_keys() -> frozenset:
    """Keys of the library unitaries of all 11520 two-qubit stim tableaus (stim.Tableau.iter_all)."""
    import stim

    return frozenset(library_group_keys(list(stim.Tableau.iter_all(2))))


def library_group_keys(tableaus) -> set[bytes]:
    """Canonical exact keys of the library's (snapped) unitaries of stim tableaus."""
    from weingarten_check.circuits.clifford import CliffordUnitary

    mats = np.array([CliffordUnitary(t).unitary() for t in tableaus])
    # snapped entries are 0 or 2^{-j/2} ω^m: numerator over 2^2 (j <= 2 for 4 x 4 Cliffords)
    out = np.zeros(mats.shape + (4,), dtype=np.int64)
    mag2 = np.abs(mats) ** 2
    nz = mag2 > 1e-9
    j = np.rint(-np.log2(np.where(nz, mag2, 1.0))).astype(int)
    m = np.rint(np.angle(mats) / (np.pi / 4)).astype(int) % 8
    # 2^{-j/2} = ((ω - ω³)/2)^j ; ω^m = ±ω^{m mod 4}: numerator over 2^2 = 4·2^{-j/2}·ω^m
    base = {0: np.array([4, 0, 0, 0]), 1: np.array([0, 2, 0, -2]), 2: np.array([2, 0, 0, 0])}
    for idx in zip(*np.nonzero(nz)):
        v = base[int(j[idx])]
        mm = int(m[idx])
        out[idx] = v @ MUL_OMEGA[mm]  # v ω^m
    C, k = canonical(out, np.full(len(out), 2, dtype=np.int64))
    return set(keys(C, k))


def same_group(elements: set, reference: set) -> bool:
    """The checker of 13.4: the two sets of group elements (canonical keys) are equal. A plain function,
    not an ``assert a == b`` inside ``pytest.raises``: pytest's assertion rewriting would diff the two
    11 520-element sets with difflib on failure, which takes many minutes."""
    return elements == reference


@lemma(
    "13.4",
    "stim's 2-qubit tableaus (iter_all: 11520) and the library's sampler give exactly this group (library unitaries "
    "snapped exactly)",
    "n = 2: every tableau; 300 seeded draws of clifford.random_clifford",
)
def test_lemma_13_4_library_draws_from_the_group():
    """Lemma 13.4. The ensemble 'clifford' of the experiments is this group: stim enumerates 11520 tableaus
    (with Pauli signs) whose unitaries (weingarten_check.circuits.clifford, big-endian, snapped) are exactly the
    group of 13.1, and every draw of the seeded sampler is among them."""
    import stim

    from weingarten_check.circuits.clifford import random_clifford

    ref = set(keys(*group("clifford")))
    assert len(list(stim.Tableau.iter_all(2))) == 11520
    assert same_group(stim_group_keys(), ref)
    rng = np.random.default_rng(13)
    draws = library_group_keys([random_clifford(2, 2, rng).tableau for _ in range(300)])
    assert draws <= ref and len(draws) > 250


def big_endian(U: np.ndarray, n: int) -> np.ndarray:
    """A little-endian (qiskit) 2^n x 2^n matrix in the library's big-endian order (site 0 most significant)."""
    rev = list(range(n))[::-1]
    return U.reshape((2,) * (2 * n)).transpose(rev + [n + r for r in rev]).reshape(2**n, 2**n)


def equal_up_to_phase(a: np.ndarray, b: np.ndarray, atol: float = 1e-9) -> bool:
    k = np.unravel_index(np.argmax(np.abs(b)), b.shape)
    return bool(abs(b[k]) > 0.1 and np.allclose(a, b * (a[k] / b[k]), atol=atol))


@lemma(
    "13.4",
    "the library's tableau is qiskit's Clifford (Pauli signs included), and the seeded sampler draws from all "
    "of the group (64-bit seeds: no repeats where 2^12 seeds would collide)",
    "n = 1, 2, 3: 30 qiskit tableaus against qiskit's own matrix; n = 4: 400 draws",
)
def test_lemma_13_4_library_tableau_is_qiskits_clifford():
    """Lemma 13.4 (the link to the sampler). The draw is qiskit's Bravyi–Maslov tableau, converted by
    clifford.tableau_from_qiskit: its library unitary equals qiskit's own Clifford(tab).to_matrix() (up to a
    global phase, after the change of qubit order) — a wrong sign bit gives another Clifford of the same group,
    which 13.4's set comparison cannot see.  And 400 seeded draws on 4 qubits (|C4 / phases| ≈ 4.7·10^13
    with signs) are pairwise distinct: a sampler fed with a seed of only 12 bits repeats itself with
    probability 1 - e^(-19.5)."""
    import qiskit  # noqa: F401  (registers the qiskit._accelerate.* submodules)
    from qiskit._accelerate.synthesis.clifford import random_clifford_tableau as qiskit_sampler
    from qiskit.quantum_info import Clifford

    from weingarten_check.circuits.clifford import CliffordUnitary, random_clifford_tableau, tableau_from_qiskit

    for n in (1, 2, 3):
        for seed in range(10):
            tab = np.asarray(qiskit_sampler(n, seed=1000 * n + seed), dtype=bool)
            ours = CliffordUnitary(tableau_from_qiskit(tab)).unitary()
            assert equal_up_to_phase(ours, big_endian(Clifford(tab).to_matrix(), n))
    rng = np.random.default_rng(134)
    draws = {str(random_clifford_tableau(4, rng)) for _ in range(400)}
    assert len(draws) == 400


@pytest.mark.mutant
@lemma("13.4", "mutant: the same comparison against the subgroup <H, CX>", "n = 2")
def test_lemma_13_4_mutant_rejected():
    """stim's tableaus are not the real-Clifford subgroup (the same set comparison fails)."""
    sub = set(keys(*group("no_phase_gate")))
    assert not same_group(stim_group_keys(), sub)
    assert sub < stim_group_keys()


# ----------------------------------------------------------------------------- 13.5
def pauli_expectations_are_integers(states: np.ndarray, n: int, paulis=None) -> list[int]:
    """Checker of 13.5: every <ψ|P|ψ> (P a Pauli string) is 0 or ±1 (to 1e-9); returns, per state, the
    number of P (identity included) with <P> ≠ 0."""
    import itertools

    mats = {"I": np.eye(2), "X": X_, "Y": Y_, "Z": Z_}
    labels = paulis or ["".join(p) for p in itertools.product("IXYZ", repeat=n)]
    counts = []
    for psi in states:
        psi = psi.reshape((2,) * n)
        nz = 0
        for lab in labels:
            out = psi
            for q, c in enumerate(lab):
                if c != "I":
                    out = np.moveaxis(np.tensordot(mats[c], out, axes=(1, q)), 0, q)
            e = np.vdot(psi, out)
            assert abs(e.imag) < 1e-9 and min(abs(e.real), abs(abs(e.real) - 1)) < 1e-9, (lab, e)
            nz += abs(e.real) > 0.5
        counts.append(nz)
    return counts


@lemma(
    "13.5",
    "Clifford V1, V2 = I, Heisenberg ring: K_ab = <σ_b σ_a'> + <σ_b σ_a''> ∈ Z (stabilizer Pauli expectations are 0, "
    "±1), so E[Δ] <= 2√2 E||K||_F² = 36√2/(d+1), below 12/sqrt(d+1) for n >= 5",
    "exact: all 60 two-qubit stabilizer states, 16 Paulis; n = 3, 4 all Paulis, n = 6 (library states); symbolic d",
)
def test_lemma_13_5_clifford_specific_bound():
    """Lemma 13.5. A stabilizer state |ψ> = V|0…0> (V Clifford) has <P> ∈ {0, ±1} for every Pauli string P,
    non-zero for exactly the 2^n elements ±P of its stabilizer group (Gottesman; Aaronson–Gottesman 2004).
    For the Heisenberg ring and A = one qubit, K_ab = <σ_b^(A) σ_a^(left)> + <σ_b^(A) σ_a^(right)> (Lemma 9.2's
    normalisation, G = σ/√2), an integer: ||K||_F² ∈ Z≥0, hence ||K||_F <= ||K||_F² and, with Lemma 3.4 and
    the exact 2-design moment 18/(d+1) (Lemmas 9.2, 13.2), E[Δ] <= 2√2 E||K||_F <= 2√2 · 18/(d+1) = 36√2/(d+1):
    order 2^{-n}, not the 2^{-n/2} of Haar (for which the Lemma 13 moments are the same).  Checked: the Pauli
    fact exactly on the 2-qubit orbit of 13.3 (exact arithmetic) and to 1e-9 for library Clifford states
    (n = 3, 4: all 4^n Paulis, count = 2^n; n = 6: the 18 strings of K); the comparison symbolically."""
    # exact, n = 2: <P> over the 60 stabilizer states of the orbit of |00>
    C, k = group("clifford")
    cols, kc = canonical(C[:, :, :1, :].copy(), k)
    uniq = {}
    for key, c, kk in zip(keys(cols, kc), cols, kc):
        uniq.setdefault(key, (c[:, 0, :], int(kk)))
    assert len(uniq) == 60
    paulis2 = [_num(np.kron(a, b)) for a in (I2, X_, Y_, Z_) for b in (I2, X_, Y_, Z_)]
    for psi, kk in uniq.values():
        nz = 0
        for P in paulis2:
            Pp = _ok(np.einsum("ijc,je,cem->im", P, psi, FOLD))
            e = _ok(np.einsum("ic,cd,ie,dem->m", psi, CONJ, Pp, FOLD))  # <ψ|P|ψ> · 4^k
            assert e[1] == e[2] == e[3] == 0 and e[0] in (0, 4**kk, -(4**kk))
            nz += e[0] != 0
        assert nz == 4
    # library states
    from weingarten_check.circuits.clifford import random_clifford

    rng = np.random.default_rng(135)
    for n in (3, 4):
        states = [random_clifford(n, 2, rng).state() for _ in range(2)]
        assert pauli_expectations_are_integers(states, n) == [2**n] * 2
    strings = [lab for a in "XYZ" for b in "XYZ" for lab in (a + b + "IIII", a + "IIII" + b)]
    pauli_expectations_are_integers([random_clifford(6, 2, rng).state() for _ in range(5)], 6, strings)
    # the comparison, symbolic in d
    dd = sp.Symbol("d", positive=True)
    e_k2 = bounds.expected_K_frobenius_sq("v1", sp.Symbol("n"), 1, 2, coupling=6 * 2 ** sp.Symbol("n")).subs(
        2 ** sp.Symbol("n"), dd
    )
    cliff = 2 * SQRT2 * e_k2
    assert sp.simplify(cliff - 36 * SQRT2 / (dd + 1)) == 0
    ratio = sp.simplify(
        cliff
        / bounds.task_dependent_bound("v1", sp.Symbol("n"), 1, 2, coupling=6 * 2 ** sp.Symbol("n")).subs(
            2 ** sp.Symbol("n"), dd
        )
    )
    assert sp.simplify(ratio - 3 * SQRT2 / sp.sqrt(dd + 1)) == 0
    assert ratio.subs(dd, 32) < 1 and ratio.subs(dd, 16) > 1  # smaller than the 2-design bound from n = 5 on


@lemma(
    "13.5",
    "the library's reduced states of a stabilizer state (chunked passes): tr ρ = 1 and every one- and two-qubit "
    "Pauli expectation is 0 or ±1",
    "n = 18 (4 chunks per pass): 2 library Clifford states, supports (0,), (17, 0), (5, 11)",
)
def test_lemma_13_5_reduced_states_of_the_library():
    """Lemma 13.5 through the library's path to K: states.reduced.local_grams (the reduced matrices of Lemma
    3.1's K, read in chunks of the state) gives, for V|0…0> with V Clifford, unit-trace reduced states whose
    Pauli expectations tr(ρ P) are in {0, ±1} (non-zero for the identity at least) — a chunk left out or
    counted twice breaks the trace."""
    from weingarten_check.circuits.clifford import random_clifford
    from weingarten_check.states.reduced import chunk_plan, local_grams

    n = 18
    assert all(len(F) >= 2 for F, _ in chunk_plan([(0,), (17, 0), (5, 11)], n, 2, 1))  # several chunks per pass
    one = [I2, X_, Y_, Z_]
    rng = np.random.default_rng(1355)
    for _ in range(2):
        psi = random_clifford(n, 2, rng).state().reshape((2,) * n)
        for sup, rho in zip([(0,), (17, 0), (5, 11)], local_grams(psi, [(0,), (17, 0), (5, 11)], n)):
            rho = rho[:, 0, :, 0]
            paulis = one if len(sup) == 1 else [np.kron(a, b) for a in one for b in one]
            ev = np.array([np.trace(rho @ P) for P in paulis])
            assert abs(ev[0] - 1) < 1e-9 and np.all(np.abs(ev.imag) < 1e-9)
            assert np.all(np.minimum(np.abs(ev.real), np.abs(np.abs(ev.real) - 1)) < 1e-9)


@pytest.mark.mutant
@lemma("13.5", "mutant: the same integrality checker on Haar-random states", "n = 3")
def test_lemma_13_5_mutant_rejected():
    """Haar states have non-integer Pauli expectations: the checker rejects them (so the 2^{-n} bound is
    specific to stabilizer states)."""
    from weingarten_check.states.sampling import haar_state

    with pytest.raises(AssertionError):
        pauli_expectations_are_integers([haar_state(8, np.random.default_rng(1))], 3)


def k_is_integer_matrix(K: np.ndarray) -> bool:
    """Checker of the library part of 13.5: K has integer entries, exactly (no rounding residue)."""
    return bool(np.array_equal(K, np.round(K)))


@lemma(
    "13.5",
    "the library's K of Clifford instances (delta.stabilizer: Pauli expectations read from the tableau) is an "
    "integer matrix, exactly, and equals the K of the dense state-vector route; so Δ = 0 exactly when K = 0",
    "n = 3, 4, 5; v1, v2, both; 8 draws each; Heisenberg ring, A = site 0 and site n-1",
)
def test_lemma_13_5_exact_k_of_the_library():
    """Lemma 13.5 as the experiments use it: for Clifford V1, V2 the sampler takes K from
    ``delta.stabilizer.k_matrix_clifford`` (``K_ab = Σ c_s <σ_b ⊗ P_s|_B>`` over the strings of V2† H V2 with
    ``P_s|_A = σ_a``, each expectation 0 or ±1 on the stabilizer state), never from floating-point state
    vectors.  Checked against the library's dense route (``delta.cost.cost_tensor_dense`` on ``V2† H V2`` and
    ``V1|0…0><0…0|V1†`` from the exactly snapped Clifford unitaries, then ``k_matrix``) and, exactly, for
    integrality; a sample with K = 0 then has Δ = 0.0 (``delta.exact.variation_range_qubit``)."""
    from weingarten_check.circuits.clifford import random_clifford
    from weingarten_check.delta import stabilizer
    from weingarten_check.delta.cost import cost_tensor_dense, k_matrix
    from weingarten_check.delta.exact import variation_range_qubit

    rng = np.random.default_rng(13_5)
    seen_negative = seen_zero = 0
    for n in (3, 4, 5):
        H = heisenberg_ring(n)
        Hd = H.dense()
        for case in ("v1", "v2", "both"):
            for _ in range(8):
                v1 = random_clifford(n, 2, rng) if case != "v2" else None
                v2 = random_clifford(n, 2, rng) if case != "v1" else None
                psi = np.zeros(2**n, dtype=complex)
                psi[0] = 1
                if v1 is not None:
                    psi = v1.unitary() @ psi
                H2 = Hd if v2 is None else v2.unitary().conj().T @ Hd @ v2.unitary()
                for site in (0, n - 1):
                    K = stabilizer.k_matrix_clifford(H, (site,), v1, v2)
                    dense = k_matrix(cost_tensor_dense(H2, np.outer(psi, psi.conj()), (site,), n))
                    np.testing.assert_allclose(K, dense, rtol=0, atol=1e-12)
                    assert k_is_integer_matrix(K)
                    seen_negative += bool(np.any(K < 0))
                    if not np.any(K):
                        seen_zero += 1
                        assert variation_range_qubit(K) == 0.0
    assert seen_negative and seen_zero  # signs and exact zeros both occur among the draws


@pytest.mark.mutant
@lemma("13.5", "mutant: the same integer-K checker on the K of a Haar-random state", "n = 4")
def test_lemma_13_5_exact_k_mutant_rejected():
    """Haar V1: the library's K (state-vector route) is not an integer matrix — the checker rejects it."""
    from weingarten_check.delta.cost import cost_tensor_dense, k_matrix
    from weingarten_check.states.sampling import haar_state

    psi = haar_state(16, np.random.default_rng(2)).reshape(-1)
    K = k_matrix(cost_tensor_dense(heisenberg_ring(4).dense(), np.outer(psi, psi.conj()), (0,), 4))
    assert not k_is_integer_matrix(K)
