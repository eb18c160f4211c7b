"""statevector: gate application without q^n x q^n matrices agrees with dense Kronecker products."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.states.sampling import haar_state, haar_unitary
from weingarten_check.states.statevector import (
    apply_diagonal,
    apply_gate,
    apply_local_layer,
    basis_state,
    from_vector,
    inner,
    move_sites_first,
    norm,
    product_state,
    to_vector,
    zero_state,
)


def dense_gate(gate: np.ndarray, sites, n: int, q: int) -> np.ndarray:
    """Reference: the full q^n x q^n matrix of a gate on `sites` (built by index arithmetic)."""
    d = q**n
    k = len(sites)
    idx = np.array(np.unravel_index(np.arange(d), (q,) * n)).T  # (d, n)
    out = np.zeros((d, d), dtype=np.complex128)
    g = gate.reshape((q,) * (2 * k))
    for col in range(d):
        a = idx[col]
        for row in range(d):
            b = idx[row]
            if all(b[s] == a[s] for s in range(n) if s not in sites):
                out[row, col] = g[tuple(b[s] for s in sites) + tuple(a[s] for s in sites)]
    return out


@pytest.mark.parametrize(
    "q, n, sites",
    [
        (2, 4, (0,)),
        (2, 4, (3,)),
        (2, 4, (1, 2)),
        (2, 4, (3, 0)),
        (2, 4, (0, 2)),
        (3, 3, (1,)),
        (3, 3, (2, 0)),
        (4, 3, (0, 1)),
        (2, 5, (4, 2, 1)),
    ],
)
def test_apply_gate_matches_dense(q, n, sites):
    rng = np.random.default_rng(0)
    gate = haar_unitary(q ** len(sites), rng) + 0.3 * rng.standard_normal((q ** len(sites),) * 2)
    psi = haar_state(q**n, rng).reshape((q,) * n)
    out = apply_gate(psi, gate, sites, n)
    ref = dense_gate(gate, sites, n, q) @ psi.reshape(-1)
    assert np.allclose(out.reshape(-1), ref, atol=1e-12)
    # batched: same gate on a batch of 3 states
    batch = np.stack([haar_state(q**n, rng).reshape((q,) * n) for _ in range(3)])
    outb = apply_gate(batch, gate, sites, n)
    for b in range(3):
        assert np.allclose(outb[b].reshape(-1), dense_gate(gate, sites, n, q) @ batch[b].reshape(-1), atol=1e-12)


def test_kron_order_site0_is_leftmost():
    X = np.array([[0, 1], [1, 0]], dtype=complex)
    psi = zero_state(3)
    out = apply_gate(psi, X, (0,), 3)
    assert out.reshape(-1)[4] == 1  # |100> = index 4


def test_local_layer_fusion_matches_sequential():
    rng = np.random.default_rng(1)
    for q, n in ((2, 7), (3, 4)):
        gates = [haar_unitary(q, rng) for _ in range(n)]
        gates[2] = None
        psi = np.stack([haar_state(q**n, rng).reshape((q,) * n) for _ in range(2)])
        ref = psi
        for s, g in enumerate(gates):
            if g is not None:
                ref = apply_gate(ref, g, (s,), n)
        for mb in (2, 4, 16):
            assert np.allclose(apply_local_layer(psi, gates, n, max_block=mb), ref, atol=1e-12)


def test_diagonal_inner_norm_and_layout_helpers():
    rng = np.random.default_rng(2)
    q, n = 3, 3
    psi = haar_state(q**n, rng).reshape((q,) * n)
    diag = np.exp(1j * rng.uniform(size=(q,) * n))
    assert np.allclose(apply_diagonal(psi, diag, n).reshape(-1), diag.reshape(-1) * psi.reshape(-1))
    assert np.isclose(norm(psi, n), 1.0)
    phi = haar_state(q**n, rng).reshape((q,) * n)
    assert np.isclose(inner(phi, psi, n), np.vdot(phi.reshape(-1), psi.reshape(-1)))
    assert np.array_equal(from_vector(to_vector(psi, n), n, q), psi)
    assert basis_state([1, 2, 0], 3).reshape(-1)[1 * 9 + 2 * 3] == 1
    ps = product_state([np.array([1, 0]), np.array([0, 1])])
    assert ps.reshape(-1)[1] == 1
    # move_sites_first: rows psi_i with psi = Σ_i |i>_A |psi_i>_B
    rows = move_sites_first(psi, (2,), n)
    assert rows.shape == (3, 9)
    assert np.allclose(rows[1], psi[:, :, 1].reshape(-1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: apply_gate(zero_state(3), np.eye(3), (0,), 3),  # wrong gate size
        lambda: apply_gate(zero_state(3), np.eye(2), (3,), 3),  # site out of range
        lambda: apply_gate(zero_state(3), np.eye(4), (1, 1), 3),  # repeated site
        lambda: apply_gate(np.zeros((2, 3)), np.eye(2), (0,), 2),  # not q on every axis
        lambda: zero_state(3, q=1),
        lambda: basis_state([0, 2], 2),
        lambda: apply_local_layer(zero_state(3), [None] * 2, 3),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()
