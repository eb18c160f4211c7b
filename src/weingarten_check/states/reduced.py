"""Reduced matrices of large states in one chunked pass, without a copy of the state.

One job: turn large state vectors (a random ``V1|0...0>``, the columns of a Haar isometry, the
output of a circuit) into the small reduced matrices the cost of a local unitary needs, reading
each large array once (in cache-sized chunks of :data:`CHUNK_ELEMENTS` entries), with O(1) small
buffers and no copy of the state.

* :func:`local_grams`: cross reduced matrices ``G[σ, x, σ', y] = Σ_R a_x[σ, R] conj(b_y[σ', R])``
  on given supports (the reduced density matrix ``ρ_S`` for ``b = a`` and one vector).
* :func:`touching_support`: the support ``S = A ∪ supp(terms touching A)`` and the part ``H_S`` of
  an observable that enters the matrix K of Lemma 3.1 of ``proofs/DERIVATION.md``: with
  ``h_a = tr_A((G_a ⊗ I) H)``, a term acting as the identity on A contributes
  ``tr(G_a) · (...) = 0``, so for V2 = I, K is a linear function of ``ρ_S``
  (:func:`weingarten_check.delta.reduction.k_from_reduced`).  For the Heisenberg ring and one site,
  S has 3 sites, so ``ρ_S`` is 8 × 8.
* :func:`qr_r_from_state`: the ``R`` factor of the QR of the ``dB × dA`` matrix of a state, from
  ``ρ_A`` and ``dA²`` amplitudes (for a Haar V2 drawn as ``W = Z R^{-1}``).
* :func:`chunk_plan`, :func:`support_matrix`, :func:`check_state_array`: the chunking plan, the
  term matrices and the argument check shared with :mod:`.hamiltonian_gram`.

Data flow: states (sampling, circuits) -> **this module** (reduced matrices) -> K, c0, M
(:mod:`weingarten_check.delta.reduction`) -> Δ.  The dense reference (``H`` applied to the dA²
vectors ``|k>_A|ψ_i>_B``) stays in :func:`weingarten_check.experiments.tasks.variation_range_sample_result`
with ``path="dense"``; the tests check that the two agree to 1e-12.

Examples
--------
The reduced density matrix of one qubit of a Bell pair:

>>> bell = np.zeros((2, 2)); bell[0, 0] = bell[1, 1] = 2**-0.5
>>> (local_grams(bell, [(0,)], 2)[0][:, 0, :, 0].real.round(12) + 0.0).tolist()
[[0.5, 0.0], [0.0, 0.5]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..util.checks import check_int, check_sites
from .observables import Observable

__all__ = [
    "CHUNK_ELEMENTS",
    "MAX_REDUCED_DIM",
    "check_state_array",
    "chunk_plan",
    "local_grams",
    "support_matrix",
    "touching_support",
    "qr_r_from_state",
]

#: target size (complex entries, batch included) of one chunk read per step: 2^16 entries = 1 MiB
#: (read at call time, here and by :mod:`.hamiltonian_gram`: the one knob for both modules)
CHUNK_ELEMENTS = 2**16
#: largest reduced dimension q^|S| handled (a term of larger support needs the dense path)
MAX_REDUCED_DIM = 4096


# ------------------------------------------------------------------------------------ validation
def check_state_array(arr: object, name: str, n: int, batch: str | None) -> np.ndarray:
    """Return ``arr`` after checking it is n-site state data: n site axes of one length q >= 2.

    Parameters
    ----------
    arr : object
        The array to check.
    name : str
        The argument's name, used in error messages.
    n : int
        The number of site axes.
    batch : {None, "first", "last"}
        Where the one batch axis is, if any.

    Returns
    -------
    numpy.ndarray
        ``arr`` itself (no copy).

    Raises
    ------
    TypeError
        If ``arr`` is not a numpy array.
    ValueError
        If ``batch`` is invalid, the number of axes is wrong, or the site axes differ in length.

    Examples
    --------
    >>> check_state_array(np.zeros((2, 2, 2)), "psi", 3, None).shape
    (2, 2, 2)
    >>> check_state_array(np.zeros((2, 3)), "psi", 2, None)
    Traceback (most recent call last):
    ...
    ValueError: psi: every site axis must have the same length q >= 2, got shape (2, 3)
    """
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of shape (q,)*n (+ one batch axis), got {type(arr).__name__}")
    if batch not in (None, "first", "last"):
        raise ValueError(f"batch must be None, 'first' or 'last', got {batch!r}")
    nb = 0 if batch is None else 1
    if arr.ndim != n + nb:
        raise ValueError(
            f"{name} must have {n} site axes"
            f"{'' if batch is None else ' and one batch axis ' + batch}, got shape {arr.shape}"
        )
    sites = arr.shape[1:] if batch == "first" else arr.shape[: arr.ndim - (batch == "last")]
    if len(set(sites)) != 1 or sites[0] < 2:
        raise ValueError(f"{name}: every site axis must have the same length q >= 2, got shape {arr.shape}")
    return arr


def _check_supports(supports: Sequence[Sequence[int]], n: int) -> list[tuple[int, ...]]:
    out = []
    for sup in supports:
        try:
            sup = tuple(int(s) for s in sup)
        except TypeError:
            raise TypeError(f"each support must be a sequence of site ints, got {sup!r}") from None
        if not sup or len(set(sup)) != len(sup) or any(not 0 <= s < n for s in sup):
            raise ValueError(f"each support must be non-empty distinct sites in range(n) = range({n}), got {sup}")
        out.append(sup)
    return out


# ------------------------------------------------------------------------------------ the one pass
def chunk_plan(supports: list[tuple[int, ...]], n: int, q: int, k: int) -> list[tuple[tuple[int, ...], list[int]]]:
    """Group the supports into passes over the data, in chunks of about :data:`CHUNK_ELEMENTS` entries.

    Each pass fixes a set F of sites (disjoint from the supports it serves) and iterates over their
    values, so a chunk has ``q^(n-|F|)·k`` entries; F holds the first free sites, as many as the
    chunk size needs.  Shared by :func:`local_grams` and :mod:`.hamiltonian_gram`.

    Parameters
    ----------
    supports : list of tuple of int
        The supports (validated sites).
    n, q : int
        The number of sites and the local dimension.
    k : int
        The number of vectors read together (the batch length).

    Returns
    -------
    list of (tuple of int, list of int)
        Per pass: the fixed sites F and the indices of the supports it serves.

    Examples
    --------
    At n = 20 qubits a chunk fixes 4 sites; one pass serves both edges (0, 1) and (19, 0):

    >>> chunk_plan([(0, 1)], 3, 2, 1), chunk_plan([(0, 1), (19, 0)], 20, 2, 1)
    ([((), [0])], [((2, 3, 4, 5), [0, 1])])
    """
    total = q**n * k
    need = max(0, math.ceil(math.log(total / CHUNK_ELEMENTS, q) - 1e-9)) if total > CHUNK_ELEMENTS else 0
    remaining = list(range(len(supports)))
    passes = []
    while remaining:
        union = set().union(*(supports[i] for i in remaining))
        free = [s for s in range(n) if s not in union]
        if len(free) < need:
            free = [s for s in range(n) if s not in supports[remaining[0]]]
        F = tuple(free[:need])
        mine = [i for i in remaining if not set(supports[i]) & set(F)]
        passes.append((F, mine))
        remaining = [i for i in remaining if i not in mine]
    return passes


def _chunk_blocks(
    a: np.ndarray,
    b: np.ndarray,
    supports: list[tuple[int, ...]],
    n: int,
    q: int,
    k: int,
    batch: str | None,
    batch_major: bool,
):
    """Yield ``(i, X, Y)`` for every support i and every chunk: X (Y) is a contiguous copy of the
    chunk of ``a`` (``b``) with the support's sites first and the batch axis next (``batch_major=False``:
    shape ``(q^p, k, m)``) or the batch axis first (``batch_major=True``: ``(k, q^p, m)``); m runs
    over the chunk's other sites.  Summing over chunks covers every value of the other sites once."""
    off = 1 if batch == "first" else 0  # axis of site 0 in a
    same = b is a
    for F, mine in chunk_plan(supports, n, q, k):
        kept = [s for s in range(n) if s not in F]
        pos = {s: i for i, s in enumerate(kept)}
        cbax = None if batch is None else (0 if batch == "first" else len(kept))  # batch axis in a chunk
        for idx in np.ndindex(*((q,) * len(F))):
            sl = [slice(None)] * a.ndim
            for s, v in zip(F, idx):
                sl[off + s] = v
            ca = a[tuple(sl)]
            cb = ca if same else b[tuple(sl)]
            for i in mine:
                sup = supports[i]
                head = [off + pos[s] for s in sup]
                bat = [] if cbax is None else [cbax]
                order = (bat + head if batch_major else head + bat) + [off + pos[s] for s in kept if s not in sup]
                shape = (k, q ** len(sup), -1) if batch_major else (q ** len(sup), k, -1)
                X = np.ascontiguousarray(np.transpose(ca, order)).reshape(shape)
                Y = X if same else np.ascontiguousarray(np.transpose(cb, order)).reshape(shape)
                yield i, X, Y


def _setup(a, b, supports, n, batch):
    n = check_int(n, "n (number of sites)", 1)
    a = check_state_array(a, "a", n, batch)
    b = a if b is None else check_state_array(b, "b", n, batch)
    if b.shape != a.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    supports = _check_supports(supports, n)
    q = a.shape[1] if batch == "first" else a.shape[0]
    k = 1 if batch is None else (a.shape[0] if batch == "first" else a.shape[-1])
    return n, a, b, supports, q, k


def local_grams(
    a: np.ndarray, supports: Sequence[Sequence[int]], n: int, *, b: np.ndarray | None = None, batch: str | None = None
) -> list[np.ndarray]:
    """Cross reduced matrices ``G[σ, x, σ', y] = Σ_R a_x[σ, R] conj(b_y[σ', R])`` for each support.

    ``a`` (and ``b``, default ``a``) has ``n`` site axes of length q and optionally one batch axis
    (``batch="first"`` or ``"last"``, index x resp. y; k = its length, 1 if ``batch`` is None).  For
    a support ``S = (s_1, ..., s_p)`` (in that order), ``σ`` runs over ``q^p`` values of those sites
    and ``R`` over all other sites.  With ``b = a`` and no batch, ``G[:, 0, :, 0]`` is the reduced
    density matrix ``<σ|ρ_S|σ'>`` of ``ρ = |a><a|``.  Shape of each result: ``(q^p, k, q^p, k)``.

    Cost: one pass over ``a`` (and ``b``) per group of supports with a common set of free sites
    (one for a single support, two for the edges of a ring), in chunks of about
    :data:`CHUNK_ELEMENTS` entries; extra memory O(chunk), never a copy of ``a``.

    Parameters
    ----------
    a : numpy.ndarray
        n site axes of length q (and the batch axis).
    supports : sequence of sequence of int
        Non-empty sets of distinct sites, each in the order its matrix is indexed.
    n : int
        The number of sites.
    b : numpy.ndarray, optional
        Same shape as ``a`` (default ``a``).
    batch : {None, "first", "last"}, default None
        Where the batch axis of ``a`` and ``b`` is.

    Returns
    -------
    list of numpy.ndarray
        One complex ``(q^p, k, q^p, k)`` array per support.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not an array, or a support is not a sequence of ints.
    ValueError
        If the shapes, ``batch``, ``n`` or a support are invalid, or a reduced matrix would exceed
        :data:`MAX_REDUCED_DIM`.

    Examples
    --------
    >>> psi = np.zeros((2, 2, 2)); psi[0, 1, 1] = 1   # |011>
    >>> g = local_grams(psi, [(2, 0)], 3)[0]
    >>> g.shape, float(g[2, 0, 2, 0].real)   # ρ on (site 2, site 0): |10><10|
    ((4, 1, 4, 1), 1.0)
    """
    n, a, b, supports, q, k = _setup(a, b, supports, n, batch)
    for sup in supports:
        if q ** len(sup) * k > MAX_REDUCED_DIM:
            raise ValueError(
                f"support {sup} with {k} vectors gives a reduced matrix of size "
                f"q^{len(sup)}·k = {q ** len(sup) * k} > MAX_REDUCED_DIM = {MAX_REDUCED_DIM}; "
                "use the dense path"
            )
    out = [np.zeros((q ** len(s) * k, q ** len(s) * k), dtype=np.complex128) for s in supports]
    for i, X, Y in _chunk_blocks(a, b, supports, n, q, k, batch, batch_major=False):
        X = X.reshape(out[i].shape[0], -1)
        Y = X if Y is X else Y.reshape(X.shape)
        out[i] += X @ Y.conj().T
    return [g.reshape(q ** len(s), k, q ** len(s), k) for g, s in zip(out, supports)]


# ------------------------------------------------------------------------------------ term matrices
def support_matrix(coef: complex, ops: dict, sites: Sequence[int], q: int) -> np.ndarray:
    """A term ``c ⊗_s h_s`` of an Observable written on the given sites: ``coef · ⊗_{s ∈ sites} (ops[s] or I_q)``.

    Parameters
    ----------
    coef : complex
        The coefficient.
    ops : dict
        ``{site: q × q matrix}``; sites of ``sites`` without an entry get the identity.
    sites : sequence of int
        The sites, the first most significant.
    q : int
        The local dimension.

    Returns
    -------
    numpy.ndarray
        Complex, ``q^len(sites)`` square.

    Examples
    --------
    >>> support_matrix(2.0, {1: np.diag([1, -1])}, (0, 1), 2).real.diagonal().tolist()   # 2 I ⊗ Z
    [2.0, -2.0, 2.0, -2.0]
    """
    eye = np.eye(q, dtype=np.complex128)
    m = np.array([[coef]], dtype=np.complex128)
    for s in sites:
        m = np.kron(m, ops.get(s, eye))
    return m


# ------------------------------------------------------------------------------------ K for V2 = I
def touching_support(obs: Observable, sites_A: Sequence[int]) -> tuple[tuple[int, ...], np.ndarray]:
    """``S = A ∪ supp(terms touching A)`` (A first, in the given order, then the rest increasing)
    and ``H_S = Σ_{t touching A} c_t ⊗_{s ∈ S} (h_{t,s} or I)`` as a ``q^|S| × q^|S|`` matrix.

    Only these terms enter ``h_a = tr_A((G_a ⊗ I) H)`` (the others give ``tr G_a = 0``), so for
    V2 = I the matrix K of Lemma 3.1 of ``proofs/DERIVATION.md`` is a function of ``H_S`` and
    ``ρ_S`` (:func:`weingarten_check.delta.reduction.k_from_reduced`).

    Parameters
    ----------
    obs : Observable
        The observable H.
    sites_A : sequence of int
        The sites of A, a proper subsystem.

    Returns
    -------
    tuple
        ``(S, H_S)``: the sites S and the complex ``q^|S| × q^|S|`` matrix.

    Raises
    ------
    TypeError
        If ``obs`` is not an Observable.
    ValueError
        If the sites are invalid or not a proper subsystem, or ``q^|S| > MAX_REDUCED_DIM``.

    Examples
    --------
    >>> from weingarten_check.states.observables import heisenberg_ring
    >>> S, HS = touching_support(heisenberg_ring(8), (3,))
    >>> S, HS.shape
    ((3, 2, 4), (8, 8))
    """
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    A = check_sites(sites_A, obs.n)
    touching = [(c, ops) for c, ops in obs.terms if set(ops) & set(A)]
    rest = sorted(set().union(*(set(ops) for _, ops in touching)) - set(A)) if touching else []
    S = A + tuple(rest)
    q = obs.q
    if q ** len(S) > MAX_REDUCED_DIM:
        raise ValueError(
            f"the terms touching A span {len(S)} sites (q^|S| = {q ** len(S)} > "
            f"MAX_REDUCED_DIM = {MAX_REDUCED_DIM}); use the dense path"
        )
    HS = np.zeros((q ** len(S),) * 2, dtype=np.complex128)
    for c, ops in touching:
        HS += support_matrix(c, ops, S, q)
    return S, HS


# ------------------------------------------------------------------------------------ Haar V2
def qr_r_from_state(psi: np.ndarray, sites_A: Sequence[int], n: int) -> np.ndarray:
    """``R`` of ``numpy.linalg.qr(P, mode="r")`` for ``P = move_sites_first(psi, sites_A, n).T``
    (``dB × dA``: column i is ψ_i in ``ψ = Σ_i |i>_A |ψ_i>_B``), reading ψ once and copying nothing.

    Householder QR (LAPACK ``geqrf``, what numpy calls) changes row i of the matrix only through
    row i itself and inner products of whole columns, and its reflectors are unitary, so it leaves
    the Gram matrix ``P^† P`` unchanged: R, LAPACK's sign convention included, depends on P only
    through its first ``dA`` rows ``P_top`` and ``P^† P``.  So R is computed from the ``2dA × dA``
    matrix ``[P_top; S]`` with ``S^† S = P^† P - P_top^† P_top``, where ``P^† P = conj(ρ_A)`` is
    the reduced density matrix on A (:func:`local_grams`, one pass) and ``P_top`` is ``dA²``
    amplitudes.  Equal to the direct factorisation up to rounding (tests: 1e-12).  If ``dB <= 2 dA``
    P is small and factorised directly.

    Parameters
    ----------
    psi : numpy.ndarray
        A state of shape ``(q,)*n``.
    sites_A : sequence of int
        The sites of A, a proper subsystem.
    n : int
        The number of sites.

    Returns
    -------
    numpy.ndarray
        The complex upper-triangular ``dA × dA`` R.

    Raises
    ------
    TypeError, ValueError
        If ``psi``, ``n`` or the sites are invalid, or A is not a proper subsystem.

    Examples
    --------
    >>> from weingarten_check.states.sampling import haar_state
    >>> from weingarten_check.states.statevector import move_sites_first
    >>> psi = haar_state(2**6, 0).reshape((2,) * 6)
    >>> R = qr_r_from_state(psi, (0,), 6)
    >>> bool(np.allclose(R, np.linalg.qr(move_sites_first(psi, (0,), 6).T, mode="r")))
    True
    """
    n = check_int(n, "n (number of sites)", 1)
    psi = check_state_array(psi, "psi", n, None)
    q = psi.shape[0]
    A = check_sites(sites_A, n)
    rest = [s for s in range(n) if s not in A]
    dA, dB = q ** len(A), q ** len(rest)
    if dB <= 2 * dA:
        return np.linalg.qr(np.transpose(psi, list(A) + rest).reshape(dA, dB).T, mode="r")
    top = np.empty((dA, dA), dtype=np.complex128)  # top[b, i] = <i_A, b_B|psi>, b < dA
    idx = [0] * n
    for i, da in enumerate(np.ndindex(*((q,) * len(A)))):
        for s, v in zip(A, da):
            idx[s] = v
        for b in range(dA):
            for s, v in zip(rest, np.unravel_index(b, (q,) * len(rest))):
                idx[s] = int(v)
            top[b, i] = psi[tuple(idx)]
    gram = local_grams(psi, [A], n)[0][:, 0, :, 0].conj()  # P^† P = conj(rho_A)
    lam, V = np.linalg.eigh(gram - top.conj().T @ top)
    S = np.sqrt(np.clip(lam, 0.0, None))[:, None] * V.conj().T  # S^† S = the Gram matrix of the other rows
    return np.linalg.qr(np.vstack([top, S]), mode="r")
