"""Lemma 10 — the library computes what the lemmas say, and DERIVATION.md quotes what the code computes.

* `weingarten_check.delta.cost` and `.exact` (used by every experiment) against the lemma-level code here:
  K (Lemma 3.1), the exact qubit Δ (3.2), the bracket (3.3), Δ_QSL = ||M||_1² (7.2).
* The generated-numbers block of DERIVATION.md equals `proofs/derivation_numbers.py`'s output, and every
  lemma tested here is stated in DERIVATION.md.
"""

from __future__ import annotations

import functools
import importlib
import re
from pathlib import Path

import derivation_numbers as dn
import numpy as np
import pytest
import sympy as sp
from _helpers import (
    PROOFS,
    brute_force_range,
    cost,
    k_matrix,
    lemma,
    m_matrix,
    move_sites_first,
    qubit_delta,
    random_density,
    random_hermitian,
    random_unitary,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from weingarten_check.calculus.unitary_integrals import Tr, trace_moment, trace_moment_numeric, twirl
from weingarten_check.delta import cost as dc
from weingarten_check.delta.certified import nuclear_bound

# the module (the package attribute weingarten_check.delta.exact is the re-exported function)
vr = importlib.import_module("weingarten_check.delta.exact")
HERE = Path(__file__).parent


def library_vs_lemmas(seed: int, q: int, n: int, site: int, lemma_site: int | None = None):
    """A random instance; K from the library for A = ``site`` and K of Lemma 3.1 for A = ``lemma_site``
    (default: the same site)."""
    rng = np.random.default_rng(seed)
    d = q**n
    H2 = random_hermitian(d, rng)
    rho1 = random_density(d, rng, rank=1)
    T = dc.cost_tensor_dense(H2, rho1, [site], n, q)
    K_lib = dc.k_matrix(T)
    lsite = site if lemma_site is None else lemma_site
    Hm, rm = move_sites_first(H2, [lsite], n, q), move_sites_first(rho1, [lsite], n, q)
    K_here = k_matrix(Hm, rm, q, q ** (n - 1)).real
    return rng, T, K_lib, K_here, Hm, rm


def library_matches_lemmas(
    seed: int, q: int, n: int, site: int, lemma_site: int | None = None, qubit_delta_claim=qubit_delta
) -> bool:
    """10.1 on one instance: the library's K (A = site) and Lemma 3.1's K (A = lemma_site, default site) have the
    same singular values (the bases {G_a} differ); cost_value / cost_constant reproduce C(UA), c0 and
    c0 + tr(K^T R); for a qubit A the library's variation_range_qubit equals qubit_delta_claim(K) of the
    lemmas and the BFGS range; for a qutrit its bracket's upper end equals 2||K||_* (Lemma 3.3)."""
    rng, T, K_lib, K_here, Hm, rm = library_vs_lemmas(seed, q, n, site, lemma_site)
    dB = q ** (n - 1)
    if not np.allclose(np.linalg.svd(K_lib, compute_uv=False), np.linalg.svd(K_here, compute_uv=False), atol=1e-10):
        return False
    U = random_unitary(q, rng)
    R = dc.adjoint_representation(U)
    if (
        abs(dc.cost_value(T, U) - cost(Hm, rm, U, dB)) >= 1e-10
        or abs(dc.cost_value(T, U) - dc.cost_constant(T) - np.trace(K_lib.T @ R)) >= 1e-10
    ):
        return False
    if q == 2:
        if abs(vr.variation_range_qubit(K_lib) - qubit_delta_claim(K_here)) >= 1e-10:
            return False
        lo, hi = brute_force_range(lambda V: cost(Hm, rm, V, dB), 2, rng, starts=2)
        return abs((hi - lo) - vr.variation_range_qubit(K_lib)) < 1e-7
    return abs(nuclear_bound(K_lib) - 2 * np.linalg.svd(K_here, compute_uv=False).sum()) < 1e-10


@pytest.mark.parametrize("qns", [(2, 3, 0), (2, 3, 1), (2, 3, 2), (2, 4, 2), (3, 2, 1), (3, 3, 1)])
@settings(PROOFS, max_examples=2)
@given(st.integers(0, 2**32 - 1))
@lemma(
    "10.1",
    "library K, c0, C(UA), Δ (qubit exact / bracket) agree with Lemmas 3.1-3.3",
    "random instances: q = 2, n = 3 with A = site 0, 1 (middle), 2; q = 2, n = 4, A = site 2 (middle); q = 3, n = 2, "
    "A = site 1; q = 3, n = 3, A = site 1 (middle)",
)
def test_lemma_10_1_library_route1(qns, seed):
    """Lemma 10.1. cost.k_matrix equals K of Lemma 3.1 up to the choice of basis {G_a} (same
    singular values); cost_value/cost_constant reproduce C(UA) and c0; for a qubit A variation_range_qubit
    equals 2(σ1+σ2) and the BFGS range, for a qutrit the bracket's upper end is 2||K||_* of Lemma 3.3."""
    q, n, site = qns
    assert library_matches_lemmas(seed, q, n, site)


def fidelity_matches(seed: int, site: int, delta_of_m) -> bool:
    """10.2 on one instance (q = 2, n = 3, H = I - |φ><φ|, φ = |000>, random ψ, V1, V2): the library's
    variation_range takes the exact fidelity branch and its value equals delta_of_m(M) with M of Lemma 7.1
    for A = site."""
    rng = np.random.default_rng(seed)
    n, d = 3, 8
    phi = np.zeros(d)
    phi[0] = 1.0
    psi = random_unitary(d, rng)[:, 0]
    V1, V2 = random_unitary(d, rng), random_unitary(d, rng)
    res = vr.variation_range(np.eye(d) - np.outer(phi, phi), psi, V1=V1, V2=V2, sites=(site,))
    perm = [site] + [i for i in range(n) if i != site]
    p1 = (V1 @ psi).reshape([2] * n).transpose(perm).reshape(-1)
    f2 = (V2.conj().T @ phi).reshape([2] * n).transpose(perm).reshape(-1)
    return bool(res.exact and res.method == "fidelity" and abs(res.value - delta_of_m(m_matrix(p1, f2, 2, 4))) < 1e-10)


def nuclear_sq(Mx) -> float:
    """||M||_1² (Lemma 7.2)."""
    return float(np.linalg.svd(Mx, compute_uv=False).sum() ** 2)


@settings(PROOFS, max_examples=6)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 1]))
@lemma("10.2", "library Δ_QSL (dispatcher, fidelity branch) = ||M||_1² of Lemma 7.2", "q = 2, n = 3, random V1, V2")
def test_lemma_10_2_library_fidelity(seed, site):
    """Lemma 10.2. variation_range(H = I - |φ><φ|, ψ, V1, V2) uses Δ_QSL = ||M||_1² with M of Lemma 7.1."""
    assert fidelity_matches(seed, site, nuclear_sq)


@pytest.mark.mutant
@lemma("10.2", "mutant: ||M||_F² instead of ||M||_1² is rejected", "q = 2, n = 3")
def test_lemma_10_2_mutant_rejected():
    """With V2 random, φ2 is entangled, M has full rank and ||M||_1² > ||M||_F²: the same checker rejects
    the claim that the library computes ||M||_F²."""
    assert not fidelity_matches(102, 0, lambda Mx: float(np.linalg.norm(Mx) ** 2))


@pytest.mark.mutant
@pytest.mark.parametrize("which", ["wrong site", "qubit Δ = 2||K||_*"])
@lemma("10.1", "mutant: the lemma K of the wrong site / the qubit Δ claimed to be 2||K||_* is rejected", "q = 2, n = 3")
def test_lemma_10_1_mutant_rejected(which):
    """The same checker rejects the claim that the library's K for A = site 2 is the lemma's K for A = site 0,
    and the claim that the library's qubit Δ is 2||K||_* (2(σ1+σ2+σ3)) instead of 2(σ1+σ2)."""
    if which == "wrong site":
        assert not library_matches_lemmas(5, 2, 3, 2, lemma_site=0)
    else:
        assert not library_matches_lemmas(
            5, 2, 3, 2, qubit_delta_claim=lambda K: 2 * np.linalg.svd(K, compute_uv=False).sum()
        )


# ---------------------------------------------------------------------------------------------
# the Weingarten engine beyond k = 2 (the lemmas use k = 1, 2, where σπ and σπ⁻¹ cannot be told apart)
# ---------------------------------------------------------------------------------------------
def trace_moment_at(As_num, Xs_num, d: int, k: int) -> complex:
    """The engine's symbolic trace_moment (eq. E2) for abstract A_a, X_a, its Tr(word) atoms evaluated on
    the given matrices (identity entries passed as the operator 1)."""
    A_s = [sp.Symbol(f"A{a}", commutative=False) for a in range(k)]
    X_s = [sp.Symbol(f"X{a}", commutative=False) for a in range(k)]
    val = {**{A_s[a]: As_num[a] for a in range(k)}, **{X_s[a]: Xs_num[a] for a in range(k)}}
    e = trace_moment(
        [1 if As_num[a] is None else A_s[a] for a in range(k)],
        [1 if Xs_num[a] is None else X_s[a] for a in range(k)],
        d,
    )
    subs = {}
    for atom in e.atoms(Tr):
        m = np.eye(d, dtype=complex)
        for sym in atom.args:
            m = m @ val[sym]
        subs[atom] = complex(np.trace(m))
    return complex(sp.N(e.subs(subs), 17))


def twirl_moment(As_num, Xs_num, d: int) -> complex:
    """E Π_a tr(A_a V X_a V†) = tr((⊗A_a) E[V^{⊗k} (⊗X_a) V^{†⊗k}]) with the engine's twirl (eq. E3, its own
    permutation algebra Wg(ρ⁻¹π)); None = identity."""
    eye = np.eye(d)
    As_ = [eye if a is None else a for a in As_num]
    Xs_ = [eye if x is None else x for x in Xs_num]
    big = lambda ms: functools.reduce(np.kron, ms)  # noqa: E731
    return complex(np.trace(big(As_) @ twirl(big(Xs_), len(As_))))


def check_third_moment(value, As_num, Xs_num, d: int) -> bool:
    """value(As, Xs, d) — a claimed E Π_a tr(A_a V X_a V†), k = 3 — equals the twirl (E3) value."""
    ref = twirl_moment(As_num, Xs_num, d)
    return abs(value(As_num, Xs_num, d) - ref) < 1e-9 * max(1, abs(ref))


def engine_symbolic(As_num, Xs_num, d):
    return trace_moment_at(As_num, Xs_num, d, 3)


def engine_numeric(As_num, Xs_num, d):
    eye = np.eye(d)
    return trace_moment_numeric([eye if a is None else a for a in As_num], [eye if x is None else x for x in Xs_num])


def sigma_pi_inverse_formula(As_num, Xs_num, d):
    """Σ_{σ,π} Wg(σπ⁻¹) tr_σ(A) tr_π(X) = Σ_{σ,π} Wg(σπ) tr_σ(A) tr_{π⁻¹}(X); tr_{π⁻¹}(X) reverses every
    cycle's word, which is tr_π of the transposes (tr(X_c^T X_b^T X_a^T) = tr(X_a X_b X_c) reversed)."""
    return trace_moment_at(As_num, [None if x is None else x.T for x in Xs_num], d, 3)


def random_ops(d: int, seed: int, with_identity: bool = False):
    rng = np.random.default_rng(seed)
    rnd = lambda: rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))  # noqa: E731
    As_num, Xs_num = [rnd() for _ in range(3)], [rnd() for _ in range(3)]
    if with_identity:
        As_num[1], Xs_num[2] = None, None
    return As_num, Xs_num


@pytest.mark.parametrize("d,with_identity", [(2, False), (3, False), (3, True)])
@lemma(
    "10.4",
    "the engine's trace moments (E2) agree with its twirl (E3) at k = 3, where Wg(σπ) and Wg(σπ⁻¹) differ",
    "k = 3, d = 2 (d < k) and d = 3, random complex A_a, X_a (one case with identities)",
)
def test_lemma_10_4_engine_third_moment(d, with_identity):
    """Lemma 10.4. Every lemma above uses the engine at k = 1, 2 only, where every permutation is its own
    inverse.  At k = 3 the trace-moment formula E Π_a tr(A_a V X_a V†) = Σ_{σ,π} Wg(σπ) tr_σ(A) tr_π(X)
    (E2: trace_moment, symbolic, evaluated on matrices; and trace_moment_numeric) must agree with the
    twirl (E3), which has its own permutation algebra."""
    As_num, Xs_num = random_ops(d, 104 + d, with_identity)
    assert check_third_moment(engine_symbolic, As_num, Xs_num, d)
    assert check_third_moment(engine_numeric, As_num, Xs_num, d)


@pytest.mark.mutant
@lemma("10.4", "mutant: E Π tr(A_a V X_a V†) = Σ Wg(σπ⁻¹) tr_σ(A) tr_π(X) is rejected", "k = 3, d = 3")
def test_lemma_10_4_mutant_rejected():
    """The same comparison with the twirl rejects the formula with σπ⁻¹ in place of σπ."""
    As_num, Xs_num = random_ops(3, 107)
    assert not check_third_moment(sigma_pi_inverse_formula, As_num, Xs_num, 3)


# ---------------------------------------------------------------------------------------------
# DERIVATION.md is consistent with the code
# ---------------------------------------------------------------------------------------------
def numbers_match(text: str) -> bool:
    return dn.current_block(text) == dn.render()


def lemma_ids_in_tests() -> set[str]:
    ids = set()
    for f in HERE.glob("test_*.py"):
        ids |= set(re.findall(r'@lemma\(\s*"([0-9.]+)"', f.read_text()))
    return ids


@lemma(
    "10.3",
    "every number in DERIVATION.md is generated by derivation_numbers.py; every tested lemma is stated there",
    "the whole document",
)
def test_lemma_10_3_derivation_numbers_are_generated():
    """Lemma 10.3. The generated block of DERIVATION.md equals `python proofs/derivation_numbers.py` (rerun it
    with --write after changing bounds.py), and each lemma id used by a test appears in DERIVATION.md."""
    text = (HERE / "DERIVATION.md").read_text()
    assert numbers_match(text)
    missing = sorted(i for i in lemma_ids_in_tests() if f"**{i}" not in text)
    assert not missing, f"lemmas tested but not stated in DERIVATION.md: {missing}"


@pytest.mark.mutant
@lemma("10.3", "mutant: a hand-edited number in the block is detected", "the whole document")
def test_lemma_10_3_mutant_rejected():
    """Changing one digit of the generated block (32/3 = 10.67 -> 10.68) makes the check fail."""
    text = (HERE / "DERIVATION.md").read_text()
    assert "= 10.67" in text
    assert not numbers_match(text.replace("= 10.67", "= 10.68", 1))
