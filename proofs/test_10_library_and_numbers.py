"""Lemma 10 — the library computes what the lemmas say, and DERIVATION.md quotes what the code computes.

* `weingarten_check.variation_range` (used by every experiment) against the lemma-level code here:
  K (Lemma 3.1), the exact qubit Δ (3.2), the bracket (3.3), Δ_QSL = ||M||_1² (7.2).
* The generated-numbers block of DERIVATION.md equals `proofs/derivation_numbers.py`'s output, and every
  lemma tested here is stated in DERIVATION.md.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import derivation_numbers as dn
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
from weingarten_check import variation_range as vr

HERE = Path(__file__).parent


def library_vs_lemmas(seed: int, q: int, n: int, site: int):
    rng = np.random.default_rng(seed)
    d = q**n
    H2 = random_hermitian(d, rng)
    rho1 = random_density(d, rng, rank=1)
    T = vr.cost_tensor_dense(H2, rho1, [site], n, q)
    K_lib = vr.k_matrix(T)
    Hm, rm = move_sites_first(H2, [site], n, q), move_sites_first(rho1, [site], n, q)
    K_here = k_matrix(Hm, rm, q, q ** (n - 1)).real
    return rng, T, K_lib, K_here, Hm, rm


@settings(PROOFS, max_examples=6)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(2, 3, 0), (2, 3, 2), (3, 2, 1)]))
@lemma("10.1", "library K, c0, C(UA), Δ (qubit exact / bracket) agree with Lemmas 3.1-3.3", "q = 2 (n = 3, A = site 0 or 2), q = 3 (n = 2, A = site 1), random instances")
def test_lemma_10_1_library_route1(seed, qns):
    """Lemma 10.1. variation_range.k_matrix equals K of Lemma 3.1 up to the choice of basis {G_a} (same
    singular values); cost_value/cost_constant reproduce C(UA) and c0; for a qubit A variation_range_qubit
    equals 2(σ1+σ2) and the BFGS range, for a qutrit the bracket's upper end is 2||K||_* of Lemma 3.3."""
    q, n, site = qns
    rng, T, K_lib, K_here, Hm, rm = library_vs_lemmas(seed, q, n, site)
    dB = q ** (n - 1)
    assert np.allclose(np.linalg.svd(K_lib, compute_uv=False), np.linalg.svd(K_here, compute_uv=False), atol=1e-10)
    U = random_unitary(q, rng)
    assert abs(vr.cost_value(T, U) - cost(Hm, rm, U, dB)) < 1e-10
    R = vr.adjoint_representation(U)
    assert abs(vr.cost_value(T, U) - vr.cost_constant(T) - np.trace(K_lib.T @ R)) < 1e-10
    if q == 2:
        assert abs(vr.variation_range_qubit(K_lib) - qubit_delta(K_here)) < 1e-10
        lo, hi = brute_force_range(lambda V: cost(Hm, rm, V, dB), 2, rng, starts=2)
        assert abs((hi - lo) - vr.variation_range_qubit(K_lib)) < 1e-7
    else:
        assert abs(vr.nuclear_upper_bound(K_lib) - 2 * np.linalg.svd(K_here, compute_uv=False).sum()) < 1e-10


@settings(PROOFS, max_examples=6)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 1]))
@lemma("10.2", "library Δ_QSL (dispatcher, fidelity branch) = ||M||_1² of Lemma 7.2", "q = 2, n = 3, random V1, V2")
def test_lemma_10_2_library_fidelity(seed, site):
    """Lemma 10.2. variation_range(H = I - |φ><φ|, ψ, V1, V2) uses Δ_QSL = ||M||_1² with M of Lemma 7.1."""
    rng = np.random.default_rng(seed)
    n, d = 3, 8
    phi = np.zeros(d)
    phi[0] = 1.0
    psi = random_unitary(d, rng)[:, 0]
    V1, V2 = random_unitary(d, rng), random_unitary(d, rng)
    res = vr.variation_range(np.eye(d) - np.outer(phi, phi), psi, V1=V1, V2=V2, sites=(site,))
    assert res.exact and res.method == "fidelity"
    perm = [site] + [i for i in range(n) if i != site]
    p1 = (V1 @ psi).reshape([2] * n).transpose(perm).reshape(-1)
    f2 = (V2.conj().T @ phi).reshape([2] * n).transpose(perm).reshape(-1)
    nuc = np.linalg.svd(m_matrix(p1, f2, 2, 4), compute_uv=False).sum()
    assert abs(res.value - nuc**2) < 1e-10


@pytest.mark.mutant
@lemma("10.2", "mutant: ||M||_F² instead of ||M||_1² is detected", "q = 2, n = 3")
def test_lemma_10_2_mutant_rejected():
    """With V2 random, φ2 is entangled, M has full rank and ||M||_1² > ||M||_F²: the check can tell them apart."""
    rng = np.random.default_rng(102)
    d = 8
    phi = np.zeros(d)
    phi[0] = 1.0
    psi = random_unitary(d, rng)[:, 0]
    V1, V2 = random_unitary(d, rng), random_unitary(d, rng)
    res = vr.variation_range(np.eye(d) - np.outer(phi, phi), psi, V1=V1, V2=V2, sites=(0,))
    fro2 = np.linalg.norm(m_matrix(V1 @ psi, V2.conj().T @ phi, 2, 4)) ** 2
    assert abs(res.value - fro2) > 1e-6


@pytest.mark.mutant
@lemma("10.1", "mutant: comparing with K for the wrong site is detected", "q = 2, n = 3")
def test_lemma_10_1_mutant_rejected():
    """The cross-check is sensitive: the library's K for A = site 2 differs from the lemma K for A = site 0."""
    _, _, K_lib, _, _, _ = library_vs_lemmas(5, 2, 3, 2)
    _, _, _, K_other, _, _ = library_vs_lemmas(5, 2, 3, 0)
    assert not np.allclose(np.linalg.svd(K_lib, compute_uv=False), np.linalg.svd(K_other, compute_uv=False), atol=1e-6)


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


@lemma("10.3", "every number in DERIVATION.md is generated by derivation_numbers.py; every tested lemma is stated there", "the whole document")
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
