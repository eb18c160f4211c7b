"""observables: term-wise algebra (traces, partial traces, couplings) equals dense linear algebra."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.states.bases import PAULI, orthonormal_traceless_basis
from weingarten_check.states.observables import (
    Observable,
    heisenberg_ring,
    heisenberg_ring_ground_energy,
    qae_observable,
    qsl_observable,
    spectral_width,
)
from weingarten_check.states.sampling import haar_state


def dense_partial_trace(H: np.ndarray, sites, n: int, q: int) -> np.ndarray:
    keep = [s for s in range(n) if s not in sites]
    t = H.reshape((q,) * (2 * n))
    letters = "abcdefghijklmnopqrstuvwxyz"
    ins = [letters[s] for s in range(n)] + [letters[s] if s in sites else letters[s].upper() for s in range(n)]
    out = [letters[s] for s in keep] + [letters[s].upper() for s in keep]
    r = np.einsum("".join(ins) + "->" + "".join(out), t)
    dk = q ** len(keep)
    return r.reshape(dk, dk)


def dense_coupling(H: np.ndarray, sites, n: int, q: int) -> float:
    """Σ_a tr_B(h_a²) with h_a = tr_A((G_a ⊗ I) H), straight from the definition."""
    dA = q ** len(sites)
    G = orthonormal_traceless_basis(dA)
    rest = [s for s in range(n) if s not in sites]
    perm = list(sites) + rest
    t = H.reshape((q,) * (2 * n)).transpose(perm + [n + p for p in perm]).reshape(dA, q ** len(rest), dA, -1)
    tot = 0.0
    for Ga in G:
        h = np.einsum("kl,lbkc->bc", Ga, t)
        tot += np.real(np.trace(h @ h))
    return tot


def test_qubit_heisenberg_is_eq9():
    n = 4
    H = heisenberg_ring(n).dense()
    ref = np.zeros((16, 16), dtype=complex)
    for i in range(n):
        for P in "XYZ":
            ops = [PAULI["I"]] * n
            ops[i] = PAULI[P]
            ops[(i + 1) % n] = PAULI[P]
            m = ops[0]
            for o in ops[1:]:
                m = np.kron(m, o)
            ref += m
    assert np.allclose(H, ref)
    ev = np.linalg.eigvalsh(H)
    assert np.isclose(ev[0], -8) and np.isclose(ev[-1], 4)
    assert heisenberg_ring(n).width == pytest.approx(12.0)


@pytest.mark.parametrize("n, q", [(3, 2), (5, 2), (6, 2), (3, 3), (5, 3), (3, 4)])
def test_heisenberg_width_exact(n, q):
    ev = np.linalg.eigvalsh(heisenberg_ring(n, q).dense())
    assert heisenberg_ring(n, q).width == pytest.approx(ev[-1] - ev[0], abs=1e-9)
    assert ev[-1] == pytest.approx(n * (2 - 2 / q), abs=1e-9)


def test_heisenberg_sector_lanczos_vs_full_lanczos():
    """n = 10 qubits: balanced-sector eigsh vs full-space Lanczos on obs.apply."""
    n = 10
    obs = heisenberg_ring(n)
    full = spectral_width(obs)
    assert obs.width == pytest.approx(full, abs=1e-7)
    assert heisenberg_ring_ground_energy(10) == pytest.approx(-18.0617854180, abs=1e-8)


def random_observable(n, q, rng, terms=6):
    out = []
    for _ in range(terms):
        k = rng.integers(0, min(n, 3) + 1)
        sites = rng.choice(n, size=k, replace=False)
        ops = {}
        for s in sites:
            a = rng.standard_normal((q, q)) + 1j * rng.standard_normal((q, q))
            ops[int(s)] = a + a.conj().T
        out.append((rng.standard_normal(), ops))
    return Observable(n, q, out)


@pytest.mark.parametrize("n, q, sites", [(4, 2, (0,)), (4, 2, (1, 3)), (3, 3, (2,)), (3, 4, (0,))])
def test_termwise_algebra_matches_dense(n, q, sites):
    rng = np.random.default_rng(n * 10 + q)
    H = random_observable(n, q, rng)
    Hd = H.dense()
    H2 = random_observable(n, q, rng)
    assert H.hs_inner(H2) == pytest.approx(np.trace(Hd.conj().T @ H2.dense()))
    assert H.hs_norm_sq() == pytest.approx(np.real(np.trace(Hd @ Hd)))
    assert H.trace() == pytest.approx(np.trace(Hd))
    assert np.allclose(H.partial_trace(sites).dense(), dense_partial_trace(Hd, sites, n, q))
    assert H.coupling(sites) == pytest.approx(dense_coupling(Hd, sites, n, q))
    assert H.h_hs_centered() == pytest.approx(np.real(np.trace(Hd @ Hd)) - abs(np.trace(Hd)) ** 2 / q**n)
    psi = np.stack([haar_state(q**n, rng).reshape((q,) * n) for _ in range(2)])
    out = H.apply(psi)
    for b in range(2):
        assert np.allclose(out[b].reshape(-1), Hd @ psi[b].reshape(-1))


def test_paper_observables():
    n = 4
    qae = qae_observable(n)
    P0 = np.diag([1.0, 0.0])
    assert np.allclose(qae.dense(), np.eye(16) - np.kron(P0, np.eye(8)))
    assert qae.width == 1.0
    qsl = qsl_observable(n, 3)
    ref = np.eye(81)
    ref[0, 0] = 0
    assert np.allclose(qsl.dense(), ref)
    assert qsl.width == 1.0 and spectral_width(qsl) == pytest.approx(1.0)
    # couplings (A = site 0): Heisenberg 6 Pauli strings touch site 0 -> 6 d
    assert heisenberg_ring(8).coupling([0]) == pytest.approx(6 * 2**8)
    assert qsl_observable(6).coupling([0]) == pytest.approx(0.5)
    assert qae_observable(6).coupling([3]) == 0  # R = site 0 not in A


@pytest.mark.parametrize(
    "call",
    [
        lambda: Observable(2, 2, [(1.0, {2: np.eye(2)})]),
        lambda: Observable(2, 2, [(1.0, {0: np.eye(3)})]),
        lambda: Observable(2, 2, [(1.0, {0: np.array([[0, 1], [0, 0]])})]),  # not Hermitian
        lambda: Observable(5, 2, [(1.0, {0: np.array([[0, 1], [0, 0]]), 3: np.eye(2)})]),  # large n path
        lambda: Observable(5, 2, [(1j, {0: np.eye(2)})]),  # imaginary coefficient
        lambda: heisenberg_ring(1),
        lambda: qae_observable(3, discarded=5),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_ring_ground_energy_is_the_same_bits_in_every_process():
    """Lanczos (q^n > 256) starts from a fixed vector: w(H), and every bound scaled by it, is reproducible
    run to run (ARPACK's own random start gave 33.549563669780795, ...81, ...85 at n = 12)."""
    import subprocess
    import sys

    code = "from weingarten_check.states.observables import heisenberg_ring_ground_energy as g; print(repr(g(12)))"
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(3)
    }
    assert len(outs) == 1, outs


def test_pauli_expansion_rebuilds_the_observable():
    """Σ_s c_s P_s (site 0 the most significant factor) equals the dense H, for random Hermitian terms."""
    from weingarten_check.states.bases import PAULI
    from weingarten_check.states.observables import pauli_expansion

    rng = np.random.default_rng(7)
    mats = [PAULI[c] for c in "IXYZ"]
    for _ in range(5):
        terms = []
        for _ in range(4):
            sites = rng.choice(3, size=rng.integers(1, 4), replace=False)
            ops = {}
            for s in sites:
                a = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
                ops[int(s)] = a + a.conj().T
            terms.append((float(rng.normal()), ops))
        H = Observable(3, 2, terms)
        rebuilt = np.zeros((8, 8), dtype=complex)
        for string, c in pauli_expansion(H).items():
            op = np.ones((1, 1))
            for k in string:
                op = np.kron(op, mats[k])
            rebuilt += c * op
        np.testing.assert_allclose(rebuilt, H.dense(), atol=1e-12)


def test_pauli_expansion_of_the_paper_observables_is_exact_and_bad_input():
    from weingarten_check.states.observables import pauli_expansion

    ring = pauli_expansion(heisenberg_ring(5))
    assert len(ring) == 15 and set(ring.values()) == {1.0}  # XX, YY, ZZ on each of the 5 edges
    assert pauli_expansion(qae_observable(3, discarded=2)) == {(0, 0, 0): 0.5, (0, 0, 3): -0.5}
    with pytest.raises(ValueError, match="qubit observable"):
        pauli_expansion(heisenberg_ring(3, q=3))
    with pytest.raises(TypeError, match="must be an Observable"):
        pauli_expansion(np.eye(2))
    with pytest.raises(ValueError, match="Hermitian"):
        pauli_expansion(Observable(1, 2, [(1j, {0: np.eye(2)})], check_hermitian=False))
