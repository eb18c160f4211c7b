"""The reduced path: K, c0, M from reduced matrices (states/reduced.py, delta/reduction.py) equal the
dense reference.

The dense reference is the path the project used before (H applied to the dA² full-size vectors,
``experiments.sample_cost_matrices(path="dense")``) or an explicit dense matrix computation.
Every equality is also run with tiny chunks, so that the chunked passes (several fixed sites,
a second pass for the blocks near site 0 of a ring) are exercised at small n.  The Hamiltonian-Gram
engine itself is tested in test_hamiltonian_gram.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from reference import cost_constant_from_state, k_from_state, random_local_observable, variation_range_bracket

import weingarten_check.states.reduced as rs
from weingarten_check.delta.cost import cost_constant, cost_tensor_dense, cost_value, form_from_k, k_matrix, m_matrix
from weingarten_check.delta.reduction import k_from_reduced, m_from_states
from weingarten_check.experiments import sample_cost_matrices, task_spec, variation_range_sample_result
from weingarten_check.states.observables import heisenberg_ring, qae_observable
from weingarten_check.states.reduced import local_grams, qr_r_from_state, touching_support
from weingarten_check.states.sampling import haar_state, haar_unitary
from weingarten_check.states.statevector import move_sites_first

TOL = 1e-12


@pytest.fixture(params=["default", "tiny"])
def chunk(request, monkeypatch):
    """Run with the default chunk size and with 8-entry chunks (many passes and chunks)."""
    if request.param == "tiny":
        monkeypatch.setattr(rs, "CHUNK_ELEMENTS", 8)
    return request.param


def _sites(n: int, m: int) -> list[tuple[int, ...]]:
    """A at the first, a middle and the last site (m = 1), or first+last / middle pair (m = 2)."""
    if m == 1:
        return [(0,), (n // 2,), (n - 1,)]
    return [(0, n - 1), (n // 2, n // 2 - 1)]


CASES_ALL = [(q, n, m, sites) for q, n in ((2, 5), (3, 3)) for m in (1, 2) for sites in _sites(n, m)]


@pytest.mark.parametrize("q, n, m, sites", CASES_ALL)
@pytest.mark.parametrize("case", ["v1", "v2", "both"])
def test_reduced_k_and_m_equal_dense(chunk, q, n, m, sites, case):
    """The issue's equality test: q = 2, 3; A first/middle/last; m = 1, 2; all tasks and cases."""
    for task in ("vqe", "qae", "qsl"):
        spec = task_spec(task, n, q, sites=sites)
        for general in (False, True) if task == "qsl" else (False,):
            seed = 1000 * q + 10 * n + len(sites)
            a = sample_cost_matrices(spec, "haar", case, np.random.default_rng(seed), general=general)
            b = sample_cost_matrices(spec, "haar", case, np.random.default_rng(seed), general=general, path="dense")
            if task == "qsl" and not general:
                assert a.K is None and b.K is None
                np.testing.assert_allclose(a.M, b.M, rtol=0, atol=TOL)
                assert np.abs(a.M).max() > 1e-3  # not trivially zero
                continue
            np.testing.assert_allclose(a.K, b.K, rtol=0, atol=TOL)
            if a.T is not None:
                np.testing.assert_allclose(a.T, b.T, rtol=0, atol=TOL)
            if not (task == "qae" and case == "v1" and 0 not in sites):  # Δ ≡ 0 there (A ∌ R)
                assert np.abs(a.K).max() > 1e-3


@pytest.mark.parametrize("ensemble", ["hea", "local1"])
@pytest.mark.parametrize("case", ["v1", "v2", "both"])
def test_reduced_path_with_circuits_equals_dense(chunk, ensemble, case):
    spec = task_spec("vqe", 4, 2, sites=(2,))
    depth = 3 if ensemble == "hea" else None  # local1 has no depth
    a = sample_cost_matrices(spec, ensemble, case, 5, layers=depth)
    b = sample_cost_matrices(spec, ensemble, case, 5, layers=depth, path="dense")
    np.testing.assert_allclose(a.K, b.K, rtol=0, atol=TOL)


def test_delta_equal_on_both_paths_including_brackets():
    """K -> Δ after the reduced path: exact Δ (dA = 2) and the bracket from form_from_k(K)."""
    for q, sites in ((2, (1,)), (3, (0,)), (2, (0, 1))):
        spec = task_spec("vqe", 4 if q == 2 else 3, q, sites=sites)
        a = variation_range_sample_result(spec, "haar", "v1", 3, starts=2)
        b = variation_range_sample_result(spec, "haar", "v1", 3, starts=2, path="dense")
        assert a.method == b.method
        assert abs(a.upper - b.upper) < 1e-10 and abs(a.lower - b.lower) < 1e-9 * max(1, b.lower)


# ------------------------------------------------------------------------------- building blocks
def _dense_reduced(a, b, sup, n, q, batch):
    """Reference for local_grams: explicit transpose of the whole arrays."""
    if batch is None:
        a, b = a[None], b[None]
    elif batch == "last":
        a, b = np.moveaxis(a, -1, 0), np.moveaxis(b, -1, 0)
    k = a.shape[0]
    rest = [s for s in range(n) if s not in sup]
    perm = [0] + [1 + s for s in sup] + [1 + s for s in rest]
    A = np.transpose(a, perm).reshape(k, q ** len(sup), -1)
    B = np.transpose(b, perm).reshape(k, q ** len(sup), -1)
    return np.einsum("xsr,ytr->sxty", A, B.conj())


@pytest.mark.parametrize("batch", [None, "first", "last"])
@pytest.mark.parametrize("q, n", [(2, 6), (3, 4)])
def test_local_grams_equal_dense_partial_traces(chunk, batch, q, n):
    rng = np.random.default_rng(q * n)
    shape = (q,) * n
    if batch == "first":
        shape = (3,) + shape
    elif batch == "last":
        shape = shape + (3,)
    a = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    b = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    supports = [(0,), (n - 1, 0), (1, 2), (n - 1, 1, 0), (2,)]
    for other in (None, b):
        got = local_grams(a, supports, n, b=other, batch=batch)
        for sup, g in zip(supports, got):
            ref = _dense_reduced(a, a if other is None else other, sup, n, q, batch)
            np.testing.assert_allclose(g, ref, rtol=0, atol=1e-11)


def test_reduced_density_matrix_is_a_state():
    psi = haar_state(2**7, 1).reshape((2,) * 7)
    rho = local_grams(psi, [(6, 0, 3)], 7)[0][:, 0, :, 0]
    assert np.allclose(rho, rho.conj().T) and abs(np.trace(rho) - 1) < 1e-12
    assert np.linalg.eigvalsh(rho)[0] > -1e-12


# ------------------------------------------------------------------------------- K, c0, M (delta/reduction.py)
@pytest.mark.parametrize("sites", [(0,), (3,), (5,), (5, 2)])
def test_k_and_c0_from_state_equal_dense(chunk, sites):
    n, q = 6, 2
    for obs in (heisenberg_ring(n, q), qae_observable(n, q, discarded=3), random_local_observable(n, q, 7)):
        psi = haar_state(q**n, 11).reshape((q,) * n)
        T = cost_tensor_dense(obs.dense(), np.outer(psi.reshape(-1), psi.reshape(-1).conj()), sites, n, q)
        np.testing.assert_allclose(k_from_state(obs, psi, sites), k_matrix(T), rtol=0, atol=TOL)
        assert abs(cost_constant_from_state(obs, psi, sites) - cost_constant(T)) < TOL


def test_m_from_states_equals_dense():
    n, q, sites = 5, 2, (3, 1)
    psi = haar_state(q**n, 1).reshape((q,) * n)
    phi = haar_state(q**n, 2).reshape((q,) * n)
    zero = np.zeros((q,) * n, dtype=complex)
    zero[(0,) * n] = 1
    for a, b in ((psi, phi), (psi, None), (None, phi), (None, None)):
        A = zero if a is None else a
        B = zero if b is None else b
        ref = m_matrix(move_sites_first(A, sites, n), move_sites_first(B, sites, n))
        np.testing.assert_allclose(m_from_states(a, b, sites, n, q), ref, rtol=0, atol=TOL)


def test_cost_tensor_from_k_has_the_same_cost_up_to_the_constant():
    """T_K = form_from_k(K, dA, c0) as a cost tensor: same K, same c0, C(U) equal for unitaries, same bracket;
    and the cross terms it drops are really there in a full T (so the test is not vacuous)."""
    rng = np.random.default_rng(0)
    for q, n, sites in ((2, 3, (1,)), (3, 2, (0,)), (2, 3, (0, 2))):
        d = q**n
        x = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
        H = x + x.conj().T
        psi = haar_state(d, rng)
        T = cost_tensor_dense(H, np.outer(psi, psi.conj()), sites, n, q)
        K, c0 = k_matrix(T), cost_constant(T)
        TK = form_from_k(K, q ** len(sites), c0).reshape(T.shape)
        np.testing.assert_allclose(k_matrix(TK), K, atol=1e-12)
        assert abs(cost_constant(TK) - c0) < 1e-12
        assert np.abs(TK - T).max() > 1e-3  # different tensors ...
        for _ in range(5):
            U = haar_unitary(q ** len(sites), rng)
            assert abs(cost_value(TK, U) - cost_value(T, U)) < 1e-11  # ... same cost on U(dA)
        # mutant: forgetting c0 shifts every cost by c0 (the helper's constant is not decorative)
        U = haar_unitary(q ** len(sites), rng)
        assert abs(cost_value(form_from_k(K, q ** len(sites)), U) - (cost_value(T, U) - c0)) < 1e-11
        assert abs(c0) > 1e-3
        if q ** len(sites) == 3:
            lo1, up1 = variation_range_bracket(T, 2, 5)
            lo2, up2 = variation_range_bracket(TK, 2, 5)
            assert abs(up1 - up2) < 1e-10 and abs(lo1 - lo2) < 1e-8


def test_touching_support_keeps_only_terms_touching_a():
    obs = heisenberg_ring(8, 2)
    S, HS = touching_support(obs, (3,))
    assert S == (3, 2, 4) and HS.shape == (8, 8)
    S, HS = touching_support(qae_observable(6, 2), (2,))  # no term touches A
    assert S == (2,) and not HS.any()
    assert touching_support(obs, (0,))[0] == (0, 1, 7)


def _same_r(R: np.ndarray, ref: np.ndarray) -> bool:
    return R.shape == ref.shape and bool(np.abs(R - ref).max() < 1e-12)


def test_qr_r_from_state_equals_numpy_qr(chunk):
    """R of numpy.linalg.qr(P, mode='r'), P = move_sites_first(psi).T (what the dense path uses),
    from rho_A and dA² amplitudes: q = 2, 3; A first, middle, last; m = 1, 2; also the small-dB
    branch (P factorised directly).  Mutant, same checker: the R with positive diagonal (Cholesky
    of P^† P, the right R up to LAPACK's signs) fails wherever LAPACK's R has a negative diagonal
    entry — the amplitudes of the first rows are what fixes those signs."""
    flipped = 0
    for q, n in ((2, 6), (3, 5), (2, 3)):
        for m in (1, 2):
            for sites in _sites(n, m):
                psi = haar_state(q**n, 100 * q + n + sum(sites)).reshape((q,) * n)
                P = move_sites_first(psi, sites, n).T
                ref = np.linalg.qr(P, mode="r")
                assert _same_r(qr_r_from_state(psi, sites, n), ref), (q, n, sites)
                if P.shape[0] >= P.shape[1] and np.any(np.real(np.diag(ref)) < 0):
                    mutant = np.linalg.cholesky(P.conj().T @ P).conj().T
                    assert not _same_r(mutant, ref)
                    flipped += 1
    assert flipped >= 5


# ------------------------------------------------------------------------------- Haar V2, streamed route (end to end)
STREAM_CASES = (
    [(2, 8, s) for s in _sites(8, 1)]
    + [(2, 10, s) for s in _sites(10, 2)]
    + [(3, 6, s) for s in _sites(6, 1)]
    + [(3, 8, (0, 7))]
)


@pytest.mark.parametrize("q, n, sites", STREAM_CASES)
@pytest.mark.parametrize("case", ["v2", "both"])
def test_streamed_isometry_route_equals_dense(monkeypatch, q, n, sites, case):
    """The route that never forms the Haar isometry (ginibre_fill + hamiltonian_gram_rows +
    ginibre_r_factor), forced at small n: K and T equal the dense path's (which applies H to the
    columns of haar_isometry) to 1e-12; q = 2, 3; A first, middle, last; m = 1, 2; VQE, QAE and the
    QSL projector as a Hamiltonian (one term on all sites: every block of H in the later pass)."""
    import weingarten_check.experiments.instances as ex

    monkeypatch.setattr(ex, "STREAMED_ISOMETRY_MIN_ENTRIES", 0)
    monkeypatch.setattr(rs, "CHUNK_ELEMENTS", 64 if n <= 8 else 2**16)
    for task in ("vqe", "qae", "qsl"):
        spec = task_spec(task, n, q, sites=sites)
        a = sample_cost_matrices(spec, "haar", case, 21, general=True)
        b = sample_cost_matrices(spec, "haar", case, 21, general=True, path="dense")
        np.testing.assert_allclose(a.T, b.T, rtol=0, atol=TOL)
        np.testing.assert_allclose(a.K, b.K, rtol=0, atol=TOL)
        assert np.abs(a.K).max() > 1e-6  # |K| ~ 1/sqrt(d) (5e-5 at q = 3, n = 8, m = 2)


@pytest.mark.parametrize("case", ["v2", "both"])
def test_large_d_route_equals_dense(case):
    """n = 15 (no forcing): the streamed route (the isometry's Ginibre matrix reduced while drawn,
    ginibre_fill + hamiltonian_gram_rows) over several row blocks of the default chunk size, the
    blocks of H near site 0 paired while streaming; still equal to the dense path."""
    spec = task_spec("vqe", 15, 2, sites=(7,))
    a = sample_cost_matrices(spec, "haar", case, 9)
    b = sample_cost_matrices(spec, "haar", case, 9, path="dense")
    np.testing.assert_allclose(a.K, b.K, rtol=0, atol=TOL)
    assert np.abs(a.K).max() > 1e-3


def test_streamed_route_same_bits_with_and_without_the_draw_thread(monkeypatch):
    """sample_cost_matrices draws in a second thread when the BLAS pools have >= 2 threads (the
    benchmark) and not when pinned to one (sweeps): the same K and T bit for bit either way."""
    import weingarten_check.experiments.instances as ex

    spec = task_spec("vqe", 15, 2, sites=(7,))
    runs = []
    for threads in ({1}, {2}):
        monkeypatch.setattr(ex.BLAS_PIN, "threads", lambda t=threads: t)
        runs.append(sample_cost_matrices(spec, "haar", "both", 9))
    assert np.array_equal(runs[0].K, runs[1].K) and np.array_equal(runs[0].T, runs[1].T)


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: local_grams([1, 2], [(0,)], 1), TypeError, "numpy array"),
        (lambda: local_grams(np.zeros((2, 2)), [(0,)], 3), ValueError, "3 site axes"),
        (lambda: local_grams(np.zeros((2, 3)), [(0,)], 2), ValueError, "same length q"),
        (lambda: local_grams(np.zeros((2, 2)), [(2,)], 2), ValueError, "range"),
        (lambda: local_grams(np.zeros((2, 2)), [(0, 0)], 2), ValueError, "distinct"),
        (lambda: local_grams(np.zeros((2, 2)), [()], 2), ValueError, "non-empty"),
        (lambda: local_grams(np.zeros((2, 2)), [0], 2), TypeError, "sequence"),
        (lambda: local_grams(np.zeros((2, 2)), [(0,)], 2, batch="middle"), ValueError, "batch"),
        (lambda: local_grams(np.zeros((2, 2)), [(0,)], 2, b=np.zeros((2, 2, 2))), ValueError, "site axes"),
        (lambda: local_grams(np.zeros((2,) * 13), [tuple(range(13))], 13), ValueError, "MAX_REDUCED_DIM"),
        (lambda: local_grams(np.zeros((2, 2)), [(0,)], 0), ValueError, "n"),
        (lambda: k_from_state("H", np.zeros((2, 2)), (0,)), TypeError, "Observable"),
        (lambda: k_from_state(heisenberg_ring(3, 2), np.zeros((3, 3, 3)), (0,)), ValueError, "local dimension"),
        (lambda: touching_support(heisenberg_ring(3, 2), (0, 1, 2)), ValueError, "proper subsystem"),
        (lambda: k_from_reduced(np.eye(4), np.eye(3), 2), ValueError, "square of the same size"),
        (lambda: k_from_reduced(np.eye(4), np.eye(4), 1), ValueError, "dA"),
        (lambda: m_from_states(None, None, (0,), 1, 2), ValueError, "proper subsystem"),
        (lambda: qr_r_from_state(np.zeros((2, 2)), (0, 1), 2), ValueError, "proper subsystem"),
        (lambda: qr_r_from_state(np.zeros((2, 2, 2)), (0,), 2), ValueError, "2 site axes"),
        (lambda: m_from_states(np.zeros((3, 3)), None, (0,), 2, 2), ValueError, "expected q"),
        (lambda: m_from_states(None, None, (0,), 2, 1), ValueError, "q must be"),
        (lambda: form_from_k(np.zeros((4, 4)), 2), ValueError, "dA²-1"),
        (lambda: form_from_k(np.zeros((3, 2)), 2), ValueError, r"got shape \(3, 2\)"),
        (lambda: sample_cost_matrices(task_spec("vqe", 3), "haar", "v1", 0, path="sparse"), ValueError, "path"),
    ],
)
def test_bad_input_raises(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------------------- memory (slow)
@pytest.mark.slow
def test_peak_memory_is_the_state_plus_small_buffers_n22():
    """n = 22 qubits (state 64 MiB): peak traced memory of one Δ sample, reduced path.
    v1: ≤ 1.2 states (the state itself + chunk buffers; the dense path needed ~21 states at n = 20);
    v2 / both: ≤ the dA·r = 4 isometry columns + the V1 state (both) + 0.5 state of buffers;
    QSL: ≤ the states it draws + 0.2."""
    import tracemalloc

    n = 22
    state = 16 * 2**n
    limits = {
        ("vqe", "v1"): 1.2,
        ("qae", "v1"): 1.2,
        ("vqe", "v2"): 4.5,
        ("vqe", "both"): 5.5,
        ("qsl", "v1"): 1.2,
        ("qsl", "both"): 2.2,
    }
    for (task, case), limit in limits.items():
        spec = task_spec(task, n, 2)
        tracemalloc.start()
        try:
            res = variation_range_sample_result(spec, "haar", case, 0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert res.value > 0
        assert peak <= limit * state, (task, case, peak / state)
