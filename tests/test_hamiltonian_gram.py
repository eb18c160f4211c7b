"""hamiltonian_gram: <v_x|H|v_y> and (Z^† Z, Z^† H Z) from the sparse Hamiltonian-Gram engine equal the
dense products, in every chunking (tiny chunks: many passes and row blocks at small n)."""

from __future__ import annotations

import numpy as np
import pytest
from reference import random_local_observable

import weingarten_check.states.hamiltonian_gram as hg
import weingarten_check.states.reduced as rs
from weingarten_check.experiments.tasks import task_spec
from weingarten_check.states.hamiltonian_gram import (
    chunk_rows,
    hamiltonian_gram,
    hamiltonian_gram_rows,
    reduced_gram_fits,
)
from weingarten_check.states.observables import Observable, heisenberg_ring, qae_observable
from weingarten_check.states.reduced import touching_support
from weingarten_check.states.sampling import ginibre, ginibre_fill, haar_unitary


@pytest.fixture(params=[8, 64, None])
def chunk(request, monkeypatch):
    """8-entry chunks (one row per block: every block of H is done in the later passes; many passes
    and chunks in hamiltonian_gram), 64-entry chunks (blocks of 16 rows: some blocks of H inside a row
    block, the rest later), default."""
    if request.param is not None:
        monkeypatch.setattr(rs, "CHUNK_ELEMENTS", request.param)
    return request.param


@pytest.mark.parametrize("batch", ["first", "last"])
def test_hamiltonian_gram_equals_dense(chunk, batch):
    for n, q in ((6, 2), (4, 3)):
        for obs in (heisenberg_ring(n, q), qae_observable(n, q), random_local_observable(n, q, 3)):
            d = q**n
            W = haar_unitary(d, 4)[:, :5]
            ref = W.conj().T @ obs.dense() @ W
            vec = W.reshape((q,) * n + (5,)) if batch == "last" else np.ascontiguousarray(W.T).reshape((5,) + (q,) * n)
            np.testing.assert_allclose(
                hamiltonian_gram(obs, vec, batch=batch, orthonormal=True), ref, rtol=0, atol=1e-11
            )
            V = 2.0 * W  # not orthonormal: the identity part must use <v_x|v_y>
            vec = V.reshape((q,) * n + (5,)) if batch == "last" else np.ascontiguousarray(V.T).reshape((5,) + (q,) * n)
            np.testing.assert_allclose(
                hamiltonian_gram(obs, vec, batch=batch), V.conj().T @ obs.dense() @ V, rtol=0, atol=1e-10
            )


def test_reduced_gram_fits_and_dense_fallback():
    from weingarten_check.states.observables import qsl_observable

    assert reduced_gram_fits(heisenberg_ring(30, 2), 4)
    assert not reduced_gram_fits(qsl_observable(13, 2), 4)  # 2^13 > MAX_REDUCED_DIM
    spec = task_spec("qsl", 13, 2)
    with pytest.raises(ValueError, match="dense path"):
        touching_support(spec.observable, (0,))


@pytest.mark.parametrize("q, n", [(2, 7), (3, 5)])
def test_hamiltonian_gram_rows_equals_dense(chunk, q, n):
    """(Z^† Z, Z^† H Z) for a Ginibre Z, given whole or while ginibre_fill writes it (blocks of 5
    rows, not aligned with the chunks), equal to the dense products; real and complex observables;
    the blocks of H that touch the leading sites paired while streaming (default) or in later passes."""
    d, k = q**n, 3
    Z = ginibre(d, k, 2)
    for obs in (heisenberg_ring(n, q), qae_observable(n, q), random_local_observable(n, q, 5)):
        H = obs.dense()
        refs = (Z.conj().T @ Z, Z.conj().T @ H @ Z)
        Zf = np.empty((d, k), dtype=np.complex128)
        for got in (
            hamiltonian_gram_rows(obs, Z),
            hamiltonian_gram_rows(obs, Zf, ginibre_fill(Zf, 2, rows=5)),
            hamiltonian_gram_rows(obs, Z, lookback=False),
        ):  # the blocks near site 0: streamed / later passes
            for g, ref in zip(got, refs):
                np.testing.assert_allclose(g, ref, rtol=0, atol=1e-13 * np.abs(ref).max())
        assert np.array_equal(Zf, Z)
    assert np.abs(refs[1] - np.diag(np.diag(refs[1]))).max() > 1e-3  # off-diagonal: not trivial


def test_hamiltonian_gram_rows_bad_input():
    obs = heisenberg_ring(4, 2)
    Z = np.zeros((16, 2), dtype=np.complex128)
    with pytest.raises(ValueError, match="increasing"):
        hamiltonian_gram_rows(obs, Z, iter([8, 4, 16]))
    with pytest.raises(ValueError, match="stopped after"):
        hamiltonian_gram_rows(obs, Z, iter([8]))
    with pytest.raises(ValueError, match="shape"):
        hamiltonian_gram_rows(obs, np.zeros((8, 2), dtype=np.complex128))
    with pytest.raises(TypeError, match="Observable"):
        hamiltonian_gram_rows("H", Z)
    with pytest.raises(ValueError, match="k must be"):
        chunk_rows(2, 0)
    assert chunk_rows(2, 4) * 4 == rs.CHUNK_ELEMENTS and chunk_rows(3, 9) == 3**8


@pytest.mark.parametrize("hermitian", [True, False])
def test_pass_operator_halves_equal_the_full_product(hermitian):
    """A Hermitian pass operator is kept as diagonal + strict upper triangle (X^† D X + A + A^†,
    A = X^† U X); a non-Hermitian one whole; both give X^† H X of the dense matrix, real and complex."""
    rng = np.random.default_rng(4)
    n, q = 3, 2
    for real in (True, False):
        mats = []
        for _ in range(2):
            x = rng.standard_normal((q, q)) + (0 if real else 1j) * rng.standard_normal((q, q))
            mats.append(x + x.conj().T if hermitian else x)
        obs = Observable(n, q, [(0.7, {0: mats[0], 2: mats[1]})], check_hermitian=False)
        scalar, blocks = hg._blocks(obs)
        op = hg._pass_operator(q, n, hg._key(blocks, {s: s for s in range(n)}, 0.3))
        assert (op.diag is None) == (not hermitian)
        assert (op.upper.dtype == np.float64) == real
        X = rng.standard_normal((q**n, 3)) + 1j * rng.standard_normal((q**n, 3))
        ref = X.conj().T @ (obs.dense() + 0.3 * np.eye(q**n)) @ X
        np.testing.assert_allclose(hg._sandwich(op, X, X.conj().T), ref, rtol=0, atol=1e-12)


def test_hamiltonian_gram_rows_in_background_is_bit_identical(chunk):
    """Drawing in a second thread (background=True) changes where the row counts come from, not the
    arithmetic: G and Z^† H Z are bit-identical to the one-thread run; the producer's error reaches
    the caller."""
    n, q, k = 7, 2, 4
    obs = heisenberg_ring(n, q)
    runs = []
    for background in (False, True):
        Z = np.empty((q**n, k), dtype=np.complex128)
        runs.append(hamiltonian_gram_rows(obs, Z, ginibre_fill(Z, 8, rows=3), background=background))
    assert all(np.array_equal(a, b) for a, b in zip(*runs))

    def broken():
        yield 16
        raise RuntimeError("draw failed")

    with pytest.raises(RuntimeError, match="draw failed"):
        hamiltonian_gram_rows(obs, np.zeros((q**n, k), dtype=np.complex128), broken(), background=True)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: hamiltonian_gram(heisenberg_ring(3, 2), np.zeros((2, 2, 2, 4)), batch=None), ValueError, "batch"),
        (lambda: hamiltonian_gram(heisenberg_ring(3, 2), np.zeros((3, 3, 3, 4))), ValueError, "local dimension"),
        (lambda: reduced_gram_fits(heisenberg_ring(3, 2), 0), ValueError, "k must be"),
    ],
)
def test_bad_input_raises(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
