"""One random instance of a task: draw V1/V2 and reduce it to the small matrices K, T or M, then Δ.

Data flow: sampling -> states/observables -> **T -> K or M** -> Δ.  A Haar V1 only enters through
``V1|0...0>`` (:func:`weingarten_check.states.sampling.haar_state`); a Haar V2 only through its
restriction to the span of the ``dA · r`` vectors ``|k>_A ⊗ |e_s>_B`` (``e_s`` an orthonormal basis of
the span of the ``ψ_i`` in ``V1|0...0> = Σ_i |i>_A |ψ_i>_B``, ``r <= dA``), which is a Haar isometry
(:func:`weingarten_check.states.sampling.haar_isometry`).  No d × d unitary is built, and for large d
not even the isometry: its Ginibre matrix is reduced while it is drawn.  A circuit V2 is applied to the
batch of dA² vectors ``|k>_A|ψ_i>_B`` at once.  K and M are then read off reduced matrices
(:mod:`weingarten_check.states.reduced`): one pass over ``V1|0...0>`` when V2 = I (K needs only the
terms of H touching A); the isometry columns block by block for a random V2.  K is the matrix of
Lemma 3.1 of proofs/DERIVATION.md, M that of Lemma 7.1.

The ``"orthogonal"`` ensemble (Haar on O(d), Lemma 16) is drawn the same way with real Gaussians:
``V1|0...0>`` is a real Haar state (:func:`weingarten_check.states.sampling.haar_real_state`), and V2
restricted to the span of the real vectors ``|k>_A ⊗ |e_s>_B`` (``e_s`` real: ``V1|0...0>`` is real) is a
Haar real isometry, the sign-fixed Q of a real Gaussian ``d × k`` matrix (streamed as for U(d)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ..circuits import clifford
from ..circuits.ensembles import FINITE_DEPTH_ENSEMBLES, sample_circuit
from ..delta.certified import delta_from_k
from ..delta.cost import cost_tensor_pure, k_matrix, m_matrix
from ..delta.exact import variation_range_fidelity
from ..delta.reduction import k_from_reduced, m_from_states
from ..delta.result import VariationRangeResult
from ..delta.stabilizer import k_matrix_clifford
from ..states.hamiltonian_gram import chunk_rows, hamiltonian_gram, hamiltonian_gram_rows, reduced_gram_fits
from ..states.reduced import local_grams, qr_r_from_state, touching_support
from ..states.sampling import (
    RngLike,
    as_rng,
    ginibre_fill,
    ginibre_r_factor,
    haar_isometry,
    haar_real_state,
    haar_state,
)
from ..states.statevector import move_sites_first, zero_state
from ..util.blas_threads import BLAS_PIN
from ..util.checks import check_choice
from .tasks import CASES, ENSEMBLES, TaskSpec, check_ensemble_q, task_spec

__all__ = [
    "PATHS",
    "STREAMED_ISOMETRY_MIN_ENTRIES",
    "SampleMatrices",
    "sample_cost_matrices",
    "variation_range_sample_result",
    "variation_range_sample",
]


def _a_first_to_sites(arr: np.ndarray, sites: tuple[int, ...], n: int, q: int, nbatch: int) -> np.ndarray:
    """Array with batch axes then (q,)*m A-axes then (q,)*(n-m) B-axes -> batch + site order."""
    rest = [s for s in range(n) if s not in sites]
    order = list(sites) + rest  # position p holds site order[p]
    inv = [order.index(s) for s in range(n)]
    return np.ascontiguousarray(np.transpose(arr, list(range(nbatch)) + [nbatch + p for p in inv]))


def _real_gaussian_fill(out: np.ndarray, gen: np.random.Generator, rows: int):
    """Write a real standard Gaussian ``d × k`` matrix into the complex ``out`` (imaginary part 0), ``rows``
    rows at a time, yielding the rows written: the numbers of one ``standard_normal((d, k))`` call."""
    d, k = out.shape
    pairs = out.view(np.float64).reshape(d, k, 2)
    buf = np.empty((min(rows, d), k))
    for i0 in range(0, d, rows):
        i1 = min(d, i0 + rows)
        gen.standard_normal(out=buf[: i1 - i0])
        pairs[i0:i1, :, 0] = buf[: i1 - i0]
        pairs[i0:i1, :, 1] = 0.0
        yield i1


def _real_isometry(d: int, k: int, gen: np.random.Generator) -> np.ndarray:
    """A ``d × k`` Haar real isometry (the first k columns of a Haar O(d)): the sign-fixed Q of a real
    Gaussian matrix (Mezzadri 2007; ``diag R > 0`` as in ``haar_orthogonal``), as complex128."""
    q, r = np.linalg.qr(gen.standard_normal((d, k)))
    sign = np.sign(np.diag(r))
    sign[sign == 0] = 1.0
    return (q * sign).astype(np.complex128)


def _isometry(ensemble: str, d: int, k: int, gen: np.random.Generator) -> np.ndarray:
    return _real_isometry(d, k, gen) if ensemble == "orthogonal" else haar_isometry(d, k, gen)


#: how :func:`sample_cost_matrices` builds K, T or M: from reduced matrices, or the dense reference
PATHS = ("reduced", "dense")
#: a Haar V2's isometry (d × k) is drawn and reduced block by block, never formed, when d·k exceeds
#: this (and d >= 64 k, so that Cholesky QR is accurate); below, haar_isometry + hamiltonian_gram
STREAMED_ISOMETRY_MIN_ENTRIES = 2**16


@dataclass
class SampleMatrices:
    """The small matrices one random instance reduces to (data flow: states -> **K, T or M** -> Δ).

    Attributes
    ----------
    K : numpy.ndarray or None
        The (dA²-1) × (dA²-1) matrix of Lemma 3.1 of proofs/DERIVATION.md, for a Hamiltonian task.
    T : numpy.ndarray or None
        The cost tensor, where it was built on the way (dense path, or a random V2), else None.
    M : numpy.ndarray or None
        The dA × dA overlap matrix of Lemma 7.1, for the fidelity task (then K and T are None).

    Examples
    --------
    >>> from weingarten_check.experiments.tasks import task_spec
    >>> mats = sample_cost_matrices(task_spec("qsl", 4), "haar", "v1", 0)
    >>> mats.M.shape, mats.K is None
    ((2, 2), True)
    """

    K: np.ndarray | None = None
    T: np.ndarray | None = None
    M: np.ndarray | None = None


def sample_cost_matrices(
    spec: TaskSpec,
    ensemble: str,
    case: str,
    rng: RngLike = None,
    *,
    layers: int | None = None,
    general: bool = False,
    path: str = "reduced",
) -> SampleMatrices:
    """Draw V1/V2 (as ``case`` says, from ``ensemble``) and reduce the instance to K (and T) or M.

    ``path="reduced"`` (default) uses :mod:`weingarten_check.states.reduced`: for V2 = I, K from the
    reduced density matrix of ``V1|0...0>`` on A ∪ supp(terms of H touching A) (one pass over the
    state: the entries of K are ``tr((G_b ⊗ h_a) ρ1)``, Lemma 4, and terms of H not touching A have
    ``h_a = 0``); for a Haar V2, ``<w_x|H|w_y>`` over the ``dA·r`` isometry columns block by block (no
    vector is multiplied by H as a whole); for a circuit V2, the same on the dA² evolved vectors; M
    from ``dA`` amplitudes (one state is ``|0...0>``) or one pass over both states.  ``path="dense"``
    is the reference: H applied to the dA² (or dA·r) full-size vectors.  Both paths draw the same
    random numbers in the same order, so they agree up to rounding (tests: K, T and M to 1e-12).
    Terms too large for a reduced matrix (the QSL projector with ``general=True``) fall back to the
    dense path.  For the ``"clifford"`` ensemble and a Hamiltonian cost the reduced path builds no state
    at all: K comes exactly from the Pauli expectations of the stabilizer state
    (:func:`weingarten_check.delta.stabilizer.k_matrix_clifford`, Lemma 13.5), so a sample whose K is 0
    has Δ = 0 exactly (T is not formed); the dense path keeps the floating-point state vectors.

    Parameters
    ----------
    spec : TaskSpec
        The task (:func:`weingarten_check.experiments.tasks.task_spec`).
    ensemble : str
        One of ``ENSEMBLES``.
    case : str
        One of ``CASES``: which of V1, V2 is random.
    rng : int, numpy.random.Generator or None
        The randomness (a sweep passes :meth:`RunConfig.rng`).
    layers : int, optional
        Depth of a ``"hea"`` or ``"brickwork"`` circuit (default 10 n); None for the other ensembles.
    general : bool, default False
        Treat the fidelity task as a Hamiltonian task (K of ``I - |0...0><0...0|``) instead of M.
    path : str, default "reduced"
        One of :data:`PATHS`.

    Returns
    -------
    SampleMatrices

    Raises
    ------
    ValueError
        For an unknown ensemble, case or path, the Clifford ensemble with q != 2, or ``layers`` for an
        ensemble without depth.

    Examples
    --------
    >>> from weingarten_check.experiments.tasks import task_spec
    >>> mats = sample_cost_matrices(task_spec("vqe", 4), "haar", "v1", 0)
    >>> mats.K.shape, mats.T is None, mats.M is None
    ((3, 3), True, True)
    >>> dense = sample_cost_matrices(task_spec("vqe", 4), "haar", "v1", 0, path="dense")
    >>> bool(abs(mats.K - dense.K).max() < 1e-12)
    True
    """
    ensemble = check_choice(ensemble, "ensemble", ENSEMBLES)
    case = check_choice(case, "case", CASES)
    path = check_choice(path, "path", PATHS)
    check_ensemble_q(ensemble, spec.q)
    if layers is not None and ensemble not in FINITE_DEPTH_ENSEMBLES:
        raise ValueError(
            f"layers is only for the finite-depth ensembles {', '.join(FINITE_DEPTH_ENSEMBLES)}; "
            f"ensemble {ensemble!r} has no depth"
        )
    gen = as_rng(rng)
    n, q, sites = spec.n, spec.q, spec.sites
    d, dA = q**n, spec.dA
    shape = (q,) * n
    random_v1, random_v2 = case in ("v1", "both"), case in ("v2", "both")
    reduced = path == "reduced"

    if ensemble == "clifford" and reduced and not spec.fidelity:
        # exact: K from Pauli expectations of the stabilizer state, no state vector (delta.stabilizer);
        # the same draws in the same order as the state-vector route below (path="dense")
        v1c = clifford.random_clifford(n, q, gen) if random_v1 else None
        v2c = clifford.random_clifford(n, q, gen) if random_v2 else None
        return SampleMatrices(K=k_matrix_clifford(spec.observable, sites, v1c, v2c))

    # V1 |0...0>  (None = |0...0>, not built on the reduced path)
    if random_v1 and ensemble == "haar":
        psi1 = haar_state(d, gen).reshape(shape)
    elif random_v1 and ensemble == "orthogonal":
        psi1 = haar_real_state(d, gen).astype(np.complex128).reshape(shape)
    elif random_v1 and ensemble == "clifford":
        psi1 = clifford.random_clifford(n, q, gen).state()  # graph-state synthesis, O(few 2^n)
    elif random_v1:
        psi1 = sample_circuit(ensemble, n, q, gen, layers).apply(zero_state(n, q))
    else:
        psi1 = None if reduced else zero_state(n, q)

    v2c = None
    if random_v2 and ensemble == "clifford":
        v2c = clifford.random_clifford(n, q, gen)  # .apply / .apply_inverse: H, S, CX gate by gate
    elif random_v2 and ensemble not in ("haar", "orthogonal"):
        v2c = sample_circuit(ensemble, n, q, gen, layers)

    if spec.fidelity and not general:
        if random_v2 and ensemble == "haar":
            phi2 = haar_state(d, gen).reshape(shape)  # V2† |0...0> is Haar when V2 is
        elif random_v2 and ensemble == "orthogonal":
            phi2 = haar_real_state(d, gen).astype(np.complex128).reshape(shape)  # V2^T |0...0>
        elif random_v2:
            phi2 = v2c.apply_inverse(zero_state(n, q))
        else:
            phi2 = None if reduced else zero_state(n, q)
        if reduced:
            M = m_from_states(psi1, phi2, sites, n, q)
        else:
            M = m_matrix(move_sites_first(psi1, sites, n), move_sites_first(phi2, sites, n))
        return SampleMatrices(M=M)

    obs = spec.observable
    T = None
    if reduced and random_v2:  # decided before any random number of V2 is used
        k = dA * min(d // dA, dA) if ensemble in ("haar", "orthogonal") else dA * dA
        reduced = reduced_gram_fits(obs, k)
    if reduced and not random_v2:
        try:
            S, HS = touching_support(obs, sites)
        except ValueError:  # terms touching A with a large support (e.g. QSL's projector): dense
            reduced = False
        else:
            if psi1 is None:
                psi1 = zero_state(n, q)
            rho = local_grams(psi1, [S], n)[0][:, 0, :, 0]
            K = k_from_reduced(HS, rho, dA)
    if not reduced and psi1 is None:
        psi1 = zero_state(n, q)
    if reduced and random_v2 and ensemble in ("haar", "orthogonal"):
        # the restriction of V2 to span{|k>_A|e_s>_B} is a Haar isometry (module doc)
        if psi1 is None:  # rows^T of |0...0> has one non-zero entry, in its first row: the R of
            # its QR is that of its first min(dB, dA) rows (Householder on zero tails is exact)
            top = np.zeros((min(d // dA, dA), dA), dtype=np.complex128)
            top[0, 0] = 1.0
            C = np.linalg.qr(top, mode="r")
        else:  # rows^T = E C (E unused): the R of the QR from rho_A and dA² amplitudes, no copy of psi1
            C = qr_r_from_state(psi1, sites, n)
        psi1 = None  # not needed any more: its memory is free before the isometry is drawn
        r = C.shape[0]
        k = dA * r
        # column (k, s) = V2 |k>_A |e_s>_B.  For large d the isometry W = Z R^{-1} is never formed:
        # the Ginibre Z is drawn block by block and reduced while in cache (Z^† Z and the blocks of H
        # inside each row block), one more read of Z adds the blocks of H near site 0, and
        # <w_x|H|w_y> = (R^{-†} Z^† H Z R^{-1})_xy with R = chol(Z^† Z)^† (same W as haar_isometry).
        if d >= 64 * k and d * k > STREAMED_ISOMETRY_MIN_ENTRIES:
            Z = np.empty((d, k), dtype=np.complex128)
            # draw and reduce on two threads when the caller's BLAS may use two (not in sweeps, which pin
            # one thread per sample); the same arithmetic in the same order either way
            fill = _real_gaussian_fill if ensemble == "orthogonal" else ginibre_fill
            G, HZ = hamiltonian_gram_rows(
                obs, Z, fill(Z, gen, rows=chunk_rows(q, k)), background=max(BLAS_PIN.threads(), default=1) > 1
            )
            del Z
            rinv = scipy.linalg.solve_triangular(ginibre_r_factor(G), np.eye(k), lower=False)
            Hs = (rinv.conj().T @ HZ @ rinv).reshape(dA, r, dA, r)
        else:
            W = _isometry(ensemble, d, k, gen)
            if r > 1 and not np.any(C[1:]):  # V1 = I: only the columns (k, s = 0) enter T
                Hs = np.zeros((dA, r, dA, r), dtype=np.complex128)
                Hs[:, 0, :, 0] = hamiltonian_gram(obs, W[:, ::r].reshape(shape + (dA,)), batch="last", orthonormal=True)
            else:
                Hs = hamiltonian_gram(obs, W.reshape(shape + (k,)), batch="last", orthonormal=True).reshape(
                    dA, r, dA, r
                )
            del W
        T = np.einsum("tj,si,ltks->ljki", C.conj(), C, Hs, optimize=True)
        K = k_matrix(T)
    elif reduced and random_v2:  # a circuit V2 acts on the dA² vectors |k>_A|ψ_i>_B
        rows = move_sites_first(zero_state(n, q) if psi1 is None else psi1, sites, n)
        eyeA = np.eye(dA, dtype=np.complex128)
        X = np.einsum("ka,ib->kiab", eyeA, rows).reshape((dA, dA) + (q,) * n)
        X = _a_first_to_sites(X, sites, n, q, 2).reshape((dA * dA,) + shape)
        X = v2c.apply(X)
        # Hs[x, y] = <X_x|H|X_y> with x = (l, j), y = (k, i) is T[l, j, k, i]
        T = hamiltonian_gram(obs, X, batch="first").reshape(dA, dA, dA, dA)
        K = k_matrix(T)
    elif not reduced:
        T = _cost_tensor_dense_path(spec, ensemble, random_v2, psi1, v2c, gen)
        K = k_matrix(T)
    return SampleMatrices(K=K, T=T)


def variation_range_sample_result(
    spec: TaskSpec,
    ensemble: str,
    case: str,
    rng: RngLike = None,
    *,
    layers: int | None = None,
    starts: int = 32,
    general: bool = False,
    tol: float = 1e-6,
    level2: bool = True,
    path: str = "reduced",
) -> VariationRangeResult:
    """One random Δ with its certificate for ``spec``.

    :func:`sample_cost_matrices`, then ``||M||_1²`` for the fidelity task (Lemma 7.2 of
    proofs/DERIVATION.md), else K -> Δ by :func:`weingarten_check.delta.certified.delta_from_k`: exact
    ``2(σ1+σ2)`` for dA = 2 (Lemma 3.2), a certified bracket of relative width ``<= tol`` where
    reachable for dA >= 3 (Lemma 12).

    Parameters
    ----------
    spec : TaskSpec
        The task.
    ensemble, case : str
        As in :func:`sample_cost_matrices`.
    rng : int, numpy.random.Generator or None
        The randomness; the same generator then seeds the optimiser starts of a bracket.
    layers, general, path
        As in :func:`sample_cost_matrices`.
    starts : int, default 32
        Cap on the random optimiser starts per side (dA >= 3).
    tol : float, default 1e-6
        Target relative width of a certified bracket.
    level2 : bool, default True
        Let the loose sides of the ~1 sample in 20 (dA = 3; more at dA = 4) where level 1 leaves a gap
        above ``tol`` get the first-order level-2 certificate (Lemma 12.4; 0.1-0.3 s per loose side at
        dA = 3, seconds at dA = 4, benchmarks/bench_certified.py); False keeps their level-1 width.

    Returns
    -------
    VariationRangeResult
        ``value`` (= ``lower``), ``upper``, ``exact`` and the matrices (``K`` or ``M``).

    Examples
    --------
    >>> from weingarten_check.experiments.tasks import task_spec
    >>> r = variation_range_sample_result(task_spec("qsl", 4), "haar", "v2", 1)
    >>> r.exact, r.method, round(r.value, 6)
    (True, 'fidelity', 0.033398)
    """
    gen = as_rng(rng)
    mats = sample_cost_matrices(spec, ensemble, case, gen, layers=layers, general=general, path=path)
    if mats.M is not None:
        val = variation_range_fidelity(mats.M)
        return VariationRangeResult(val, val, val, True, "fidelity", M=mats.M)
    return delta_from_k(mats.K, spec.dA, tol=tol, rng=gen, max_starts=starts, level2=level2)


def _cost_tensor_dense_path(
    spec: TaskSpec, ensemble: str, random_v2: bool, psi1: np.ndarray, v2c, gen: np.random.Generator
) -> np.ndarray:
    """The reference construction of T (H applied to dA² or dA·r full-size vectors)."""
    n, q, sites = spec.n, spec.q, spec.sites
    d, dA = q**n, spec.dA
    shape = (q,) * n
    obs = spec.observable
    rows = move_sites_first(psi1, sites, n)  # (dA, dB): psi1 = Σ_i |i>_A |psi_i>_B
    eyeA = np.eye(dA, dtype=np.complex128)
    if random_v2 and ensemble in ("haar", "orthogonal"):
        # orthonormal basis e_s of span{psi_i}: rows^T = E C  (E: dB x dA, C: dA x dA)
        E, C = np.linalg.qr(rows.T)
        r = E.shape[1]
        W = _isometry(ensemble, d, dA * r, gen)  # column (k, s) = V2 |k>_A |e_s>_B
        cols = W.T.reshape((dA * r,) + shape)
        Hs = (W.conj().T @ obs.apply(cols).reshape(dA * r, d).T).reshape(dA, r, dA, r)
        return np.einsum("tj,si,ltks->ljki", C.conj(), C, Hs, optimize=True)
    # the dA² vectors |k>_A |psi_i>_B, batch axes (k, i)
    X = np.einsum("ka,ib->kiab", eyeA, rows).reshape((dA, dA) + (q,) * n)
    X = _a_first_to_sites(X, sites, n, q, 2).reshape((dA * dA,) + shape)
    if v2c is not None:
        X = v2c.apply(X)
    HX = obs.apply(X)
    return cost_tensor_pure(HX.reshape(dA, dA, -1), X.reshape(dA, dA, -1))


def variation_range_sample(
    task: str,
    ensemble: str,
    case: str,
    n: int,
    q: int = 2,
    site: int = 0,
    rng: RngLike = None,
    *,
    sites: Sequence[int] | None = None,
    layers: int | None = None,
    starts: int = 32,
) -> float:
    """One random Δ (unnormalised) for ``task`` with V1/V2 from ``ensemble`` as ``case`` says.

    Parameters
    ----------
    task, ensemble, case : str
        The configuration's names.
    n, q : int
        Number of sites and local dimension.
    site : int, default 0
        The site of A when ``sites`` is not given.
    rng : int, numpy.random.Generator or None
        The randomness.
    sites : sequence of int, optional
        The sites of A.
    layers, starts
        As in :func:`variation_range_sample_result`.

    Returns
    -------
    float
        Δ: exact for dA = 2 and for "qsl"; otherwise the certified lower end of the bracket (use
        :func:`variation_range_sample_result` for both ends).

    Examples
    --------
    >>> round(variation_range_sample("vqe", "haar", "v1", 4, rng=1), 6)
    2.323886
    """
    spec = task_spec(task, n, q, site, sites)
    return variation_range_sample_result(spec, ensemble, case, rng, layers=layers, starts=starts).value
