"""K, c0 and M from a state in one pass: reduced density matrices instead of dA² full-size vectors.

One job: turn large state vectors (a random ``V1|0...0>``, the columns of a Haar isometry, the
output of a circuit) into the small matrices Δ needs — the Route-1 matrix ``K``, the constant
``c0`` and the fidelity matrix ``M`` — reading each large array once (in cache-sized chunks), with
O(1) small buffers and no copy of the state.

Mathematics (math-notes, Route 1 and "K needs only the terms touching A"): with
``h_a = tr_A((G_a ⊗ I) H2)`` and ``r_b = tr_A((G_b ⊗ I) ρ1)``,

    ``K_ab = tr_B(h_a r_b) = tr((G_b ⊗ h_a) ρ1)``.

For V2 = I (``H2 = H``) a term of ``H = Σ_t c_t ⊗_s h_{t,s}`` that acts as the identity on A
contributes ``tr(G_a) · (...) = 0`` to ``h_a``, so only the terms touching A enter, and
``G_b ⊗ h_a`` is supported on ``S = A ∪ supp(terms touching A)``: K is a linear function of the
reduced density matrix ``ρ_S = tr_{not S} ρ1`` (:func:`k_from_reduced`).  For the Heisenberg ring
and one site, S has 3 sites, so ρ_S is 8 × 8.

For a Haar V2 the matrix ``<w_x|H|w_y>`` over the ``dA·r`` isometry columns w (see
:mod:`.experiments`) is needed; it is ``Σ_t <w_x|B_t|w_y>`` over the local blocks ``B_t`` of H,
and each term is the contraction of ``B_t`` with the *cross reduced matrix*
``G_t[(σ,y),(σ',x)] = Σ_R w_y[σ,R] conj(w_x[σ',R])`` on the block's sites
(:func:`hamiltonian_gram`).  All blocks are handled in as few passes over the columns as their
supports allow (two for a ring), each chunk being read from memory once; on a chunk the blocks
are one sparse matrix, applied as diagonal + upper triangle (H is Hermitian).  For large d the
isometry ``W = Z R^{-1}`` is not even formed: :func:`hamiltonian_gram_rows` reduces the Ginibre Z
block by block while it is drawn (``Z^† Z`` and ``Z^† H Z``, the blocks of H near site 0 in one
more read), and ``W^† H W = R^{-†} Z^† H Z R^{-1}``; the ``R`` of the QR of ``V1|0...0>``'s
``dB × dA`` matrix comes from ``ρ_A`` and ``dA²`` amplitudes (:func:`qr_r_from_state`).

The fidelity matrix (Proposition 2 section) ``M_ij = <φ_j|ψ_i>`` is the cross reduced matrix of
``ψ1`` and ``φ2`` on A (:func:`m_from_states`); for ``φ2 = |0...0>`` it is ``dA`` amplitudes.

Data flow: states (sampling, circuits) -> **this module** (K, c0, M) -> Δ (:mod:`.variation_range`).
The dense reference (``H`` applied to the dA² vectors ``|k>_A|ψ_i>_B``) stays in
:func:`.experiments.variation_range_sample_result` with ``path="dense"``; the tests check that the
two agree to 1e-12.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from .bases import orthonormal_traceless_basis
from .observables import Observable

__all__ = [
    "CHUNK_ELEMENTS",
    "MAX_REDUCED_DIM",
    "local_grams",
    "touching_support",
    "k_from_reduced",
    "k_from_state",
    "cost_constant_from_state",
    "hamiltonian_gram",
    "chunk_rows",
    "hamiltonian_gram_rows",
    "qr_r_from_state",
    "reduced_gram_fits",
    "m_from_states",
]

#: target size (complex entries, batch included) of one chunk read per step: 2^16 entries = 1 MiB
CHUNK_ELEMENTS = 2**16
#: largest reduced dimension q^|S| handled (a term of larger support needs the dense path)
MAX_REDUCED_DIM = 4096


# ------------------------------------------------------------------------------------ validation
def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n (number of sites) must be an int >= 1, got {n!r}")
    return int(n)


def _check_array(arr: object, name: str, n: int, batch: str | None) -> np.ndarray:
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
def _plan(supports: list[tuple[int, ...]], n: int, q: int, k: int) -> list[tuple[tuple[int, ...], list[int]]]:
    """Group the supports into passes: each pass fixes a set F of sites (disjoint from the
    supports it serves) and iterates over their values, so a chunk has ``q^(n-|F|)·k`` entries."""
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
    for F, mine in _plan(supports, n, q, k):
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
    n = _check_n(n)
    a = _check_array(a, "a", n, batch)
    b = a if b is None else _check_array(b, "b", n, batch)
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
def _support_matrix(coef: complex, ops: dict, sites: Sequence[int], q: int) -> np.ndarray:
    """``coef · ⊗_{s ∈ sites} (ops[s] or I_q)``, a ``q^|sites|`` square matrix (first site most
    significant): a term ``c ⊗_s h_s`` of an Observable written on the given sites."""
    eye = np.eye(q, dtype=np.complex128)
    m = np.array([[coef]], dtype=np.complex128)
    for s in sites:
        m = np.kron(m, ops.get(s, eye))
    return m


# ------------------------------------------------------------------------------------ K for V2 = I
def touching_support(obs: Observable, sites_A: Sequence[int]) -> tuple[tuple[int, ...], np.ndarray]:
    """``S = A ∪ supp(terms touching A)`` (A first, in the given order, then the rest increasing)
    and ``H_S = Σ_{t touching A} c_t ⊗_{s ∈ S} (h_{t,s} or I)`` as a ``q^|S| × q^|S|`` matrix.

    Only these terms enter ``h_a = tr_A((G_a ⊗ I) H)`` (the others give ``tr G_a = 0``)."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    A = _check_supports([sites_A], obs.n)[0]
    if len(A) >= obs.n:
        raise ValueError(f"A must be a proper subsystem (m < n), got m = {len(A)}, n = {obs.n}")
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
        HS += _support_matrix(c, ops, S, q)
    return S, HS


def k_from_reduced(HS: np.ndarray, rhoS: np.ndarray, dA: int) -> np.ndarray:
    """``K_ab = tr_{S'}(h_a r_b)`` (Route 1 step 3 restricted to S = A ∪ S'), from ``H_S`` and the
    reduced density matrix ``ρ_S`` on the same sites (A first), both ``dA·dS' × dA·dS'``:
    ``h_a = tr_A((G_a ⊗ I) H_S)``, ``r_b = tr_A((G_b ⊗ I) ρ_S)``.  Returns the real
    ``(dA²-1) × (dA²-1)`` K."""
    HS, rhoS = np.asarray(HS), np.asarray(rhoS)
    if isinstance(dA, bool) or not isinstance(dA, (int, np.integer)) or dA < 2:
        raise ValueError(f"dA must be an int >= 2, got {dA!r}")
    if HS.ndim != 2 or HS.shape != rhoS.shape or HS.shape[0] != HS.shape[1] or HS.shape[0] % dA:
        raise ValueError(
            f"HS and rhoS must be square of the same size, a multiple of dA = {dA}; got {HS.shape} and {rhoS.shape}"
        )
    dR = HS.shape[0] // dA
    G = orthonormal_traceless_basis(int(dA))
    h = np.einsum("akl,lbkc->abc", G, HS.reshape(dA, dR, dA, dR), optimize=True)  # h_a[b, c]
    r = np.einsum("akl,lbkc->abc", G, rhoS.reshape(dA, dR, dA, dR), optimize=True)
    return np.real(np.einsum("abc,ecb->ae", h, r, optimize=True))


def k_from_state(obs: Observable, psi: np.ndarray, sites_A: Sequence[int]) -> np.ndarray:
    """Route-1 ``K`` for ``H2 = H`` (V2 = I) and ``ρ1 = |ψ><ψ|``: one pass over ψ (shape (q,)*n)
    for the reduced density matrix on ``S = A ∪ supp(terms touching A)``, then
    :func:`k_from_reduced`.  Equals :func:`.variation_range.k_matrix` of the dense cost tensor."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    psi = _check_array(psi, "psi", obs.n, None)
    if psi.shape[0] != obs.q:
        raise ValueError(f"psi has local dimension {psi.shape[0]}, the observable q = {obs.q}")
    S, HS = touching_support(obs, sites_A)
    dA = obs.q ** len(tuple(sites_A))
    rho = local_grams(psi, [S], obs.n)[0][:, 0, :, 0]
    return k_from_reduced(HS, rho, dA)


def cost_constant_from_state(obs: Observable, psi: np.ndarray, sites_A: Sequence[int]) -> float:
    """``c0 = E_{Haar UA} C(UA) = tr_B(tr_A(H) tr_A(ρ1))/dA`` for V2 = I, ``ρ1 = |ψ><ψ|``:
    ``Σ_t c_t (tr_A O_{t,A}/dA) <ψ|O_{t,B}|ψ>`` from the reduced density matrices on the B-parts
    of the terms' supports, all in one pass when the supports allow (two for a ring).
    Equals :func:`.variation_range.cost_constant` of the dense cost tensor."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    psi = _check_array(psi, "psi", obs.n, None)
    A = set(_check_supports([sites_A], obs.n)[0])
    dA = obs.q ** len(A)
    groups: dict[tuple[int, ...], np.ndarray] = {}
    scalar = 0j
    for c, ops in obs.terms:
        v = complex(c) / dA
        for s in A:
            v *= np.trace(ops[s]) if s in ops else obs.q
        supB = tuple(sorted(s for s in ops if s not in A))
        if not supB:
            scalar += v
            continue
        groups[supB] = groups.get(supB, 0) + _support_matrix(v, ops, supB, obs.q)
    sups = list(groups)
    total = scalar * float(np.real(np.vdot(psi.reshape(-1), psi.reshape(-1)))) if scalar else 0j
    if sups:
        for sup, g in zip(sups, local_grams(psi, sups, obs.n)):
            total += np.einsum("pq,qp->", groups[sup], g[:, 0, :, 0])  # tr(O ρ_sup)
    return float(np.real(total))


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
    P is small and factorised directly."""
    n = _check_n(n)
    psi = _check_array(psi, "psi", n, None)
    q = psi.shape[0]
    A = _check_supports([sites_A], n)[0]
    if len(A) >= n:
        raise ValueError(f"A must be a proper subsystem (m < n), got m = {len(A)}, n = {n}")
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


def _blocks(obs: Observable) -> tuple[complex, list[tuple[tuple[int, ...], np.ndarray]]]:
    """H = scalar·I + Σ blocks, one matrix per distinct support (terms with equal support summed)."""
    scalar = 0j
    blocks: dict[tuple[int, ...], np.ndarray] = {}
    for c, ops in obs.terms:
        sup = tuple(sorted(ops))
        if not sup:
            scalar += c
            continue
        blocks[sup] = blocks.get(sup, 0) + _support_matrix(c, ops, sup, obs.q)
    return complex(scalar), list(blocks.items())


def reduced_gram_fits(obs: Observable, k: int) -> bool:
    """True iff :func:`hamiltonian_gram` can handle ``obs`` (``k`` vectors): every term's support
    has ``q^|supp| <= MAX_REDUCED_DIM`` (false e.g. for the QSL projector on all n sites at large
    n, which then needs the dense path).  ``k`` is accepted for symmetry with the memory model
    (the chunk buffers scale with k) and must be >= 1."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an int >= 1, got {k!r}")
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    big = max((len(ops) for _, ops in obs.terms), default=0)
    return obs.q**big <= MAX_REDUCED_DIM


class _PassOperator(NamedTuple):
    """The part of H one pass applies to each chunk: ``diag`` and the strictly upper triangle
    ``upper`` of a Hermitian operator (the lower one is ``upper^†``), or ``diag = None`` and the
    whole operator in ``upper``; real (float64) where every entry is real."""

    diag: np.ndarray | None
    upper: scipy.sparse.csr_matrix


@functools.lru_cache(maxsize=8)
def _pass_operator(q: int, nkept: int, key: tuple, split: bool = True) -> _PassOperator:
    """Sparse ``Σ_t B_t`` on ``nkept`` sites (``key``: ``(scalar, ((positions, shape, bytes), ...))``),
    site 0 most significant — the part of H one pass applies to each chunk, split for
    :func:`_sandwich`: a Hermitian operator (every observable; checked here) is kept as its diagonal
    and strict upper triangle, so ``X^† H X`` costs half the sparse products; real (float64) when
    every entry is real (the Heisenberg, QAE and QSL observables): half the flops, though at n = 24
    the sparse product measured no faster (it is bound by memory access, not arithmetic)."""
    import scipy.sparse as sp

    scalar, blocks = key
    m = q**nkept
    idx = np.arange(m, dtype=np.int64)
    total = sp.diags(np.full(m, scalar, dtype=np.complex128), format="csr")
    for positions, shape, raw in blocks:  # one block at a time: peak memory O(m · nnz(block))
        B = np.frombuffer(raw, dtype=np.complex128).reshape(shape)
        weights = q ** (nkept - 1 - np.asarray(positions, dtype=np.int64))  # place value of each site
        digits = (idx[:, None] // weights[None, :]) % q  # (m, p)
        sigma = digits @ (q ** np.arange(len(positions) - 1, -1, -1, dtype=np.int64))
        base = idx - digits @ weights  # idx with the block's digits set to 0
        del digits
        rows, cols, vals = [], [], []
        for out_s, in_s in zip(*np.nonzero(B)):
            sel = sigma == in_s
            od = np.array(np.unravel_index(out_s, (q,) * len(positions)), dtype=np.int64)
            rows.append(base[sel] + od @ weights)
            cols.append(idx[sel])
            vals.append(np.full(int(sel.sum()), B[out_s, in_s]))
        if vals:
            total = total + sp.csr_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m, m)
            )
    return _as_pass_operator(total, split)


def _as_pass_operator(total, split: bool = True) -> _PassOperator:
    """A sparse matrix as a :class:`_PassOperator` (real if it is, split if Hermitian and ``split``)."""
    import scipy.sparse as sp

    total = total.tocsr()
    if not np.any(total.data.imag):
        total = total.real.tocsr()
    if split and abs(total - total.conj().T).max() <= 1e-14 * max(1.0, abs(total).max()):
        return _PassOperator(total.diagonal().real.copy(), sp.triu(total, k=1, format="csr"))
    return _PassOperator(None, total)


def _sandwich(op: _PassOperator, X: np.ndarray, XH: np.ndarray) -> np.ndarray:
    """``X^† H_pass X`` (``XH = X^†``): ``X^† D X + A + A^†`` with ``A = X^† U X`` for a Hermitian
    ``H_pass = D + U + U^†``, else ``X^† (H_pass X)``."""
    A = XH @ _apply(op.upper, X)
    if op.diag is None:
        return A
    return XH @ (op.diag[:, None] * X) + A + A.conj().T


def _apply(Hp, X: np.ndarray) -> np.ndarray:
    """``Hp @ X`` for a C-contiguous complex ``(m, k)`` X; a real Hp multiplies the real and
    imaginary parts of X as ``2k`` real columns (a view of X, no copy): the same numbers, half the
    flops of a complex product."""
    if Hp.dtype == np.float64:
        m, k = X.shape
        return (Hp @ X.view(np.float64).reshape(m, 2 * k)).view(np.complex128)
    return Hp @ X


def hamiltonian_gram(
    obs: Observable, vectors: np.ndarray, batch: str = "last", orthonormal: bool = False
) -> np.ndarray:
    """``Hs[x, y] = <v_x|H|v_y>`` for a batch of k vectors (``batch="last"``: shape ``(q,)*n + (k,)``,
    e.g. a ``d × k`` isometry reshaped; ``"first"``: ``(k,) + (q,)*n``), term block by term block.

    The vectors are read in chunks that fix the values of a few sites F (:func:`local_grams`'
    plan: one pass for the blocks not touching F, a second for the rest, e.g. the edges near site 0
    of a ring); on a chunk, the sum of the blocks inside the kept sites is applied as one sparse
    matrix to all k vectors at once and contracted with them: ``Hs += X^† (H_kept X)``.  H is never
    applied to a full vector; extra memory is O(chunk) (plus a copy of the chunk when F is not the
    leading sites or ``batch="first"``).  The identity part of H contributes ``scalar·<v_x|v_y>``
    (``scalar·δ_xy`` without a pass if ``orthonormal``)."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    if batch not in ("first", "last"):
        raise ValueError(f"batch must be 'first' or 'last', got {batch!r}")
    n = obs.n
    vectors = _check_array(vectors, "vectors", n, batch)
    q = vectors.shape[1] if batch == "first" else vectors.shape[0]
    if q != obs.q:
        raise ValueError(f"vectors have local dimension {q}, the observable q = {obs.q}")
    k = vectors.shape[0] if batch == "first" else vectors.shape[-1]
    scalar, blocks = _blocks(obs)
    for sup, _ in blocks:
        if q ** len(sup) > MAX_REDUCED_DIM:
            raise ValueError(
                f"a term on {len(sup)} sites (q^p = {q ** len(sup)} > MAX_REDUCED_DIM = "
                f"{MAX_REDUCED_DIM}); use the dense path"
            )
    Hs = np.zeros((k, k), dtype=np.complex128)
    if orthonormal:
        Hs += scalar * np.eye(k)
        scalar = 0j
    _accumulate_passes(Hs, vectors, batch, n, q, k, scalar, blocks)
    return Hs


def _key(blocks: list[tuple[tuple[int, ...], np.ndarray]], pos: dict[int, int], scalar: complex) -> tuple:
    """The hashable description of ``scalar·I + Σ blocks`` on the kept sites (``pos``: site ->
    position among them) that :func:`_pass_operator` caches its sparse matrix under."""
    return (
        complex(scalar),
        tuple(
            (tuple(pos[s] for s in sup), B.shape, np.ascontiguousarray(B, dtype=np.complex128).tobytes())
            for sup, B in blocks
        ),
    )


def _accumulate_passes(
    Hs: np.ndarray,
    vectors: np.ndarray,
    batch: str,
    n: int,
    q: int,
    k: int,
    scalar: complex,
    blocks: list[tuple[tuple[int, ...], np.ndarray]],
) -> None:
    """``Hs += V^† (scalar·I + Σ blocks) V`` in the passes of :func:`_plan` (see :func:`hamiltonian_gram`)."""
    supports = [sup for sup, _ in blocks]
    passes = _plan(supports, n, q, k) if supports else []
    if not passes and scalar != 0:
        passes = [((), [])]
    off = 1 if batch == "first" else 0
    for p_no, (F, mine) in enumerate(passes):
        kept = [s for s in range(n) if s not in F]
        pos = {s: i for i, s in enumerate(kept)}
        Hp = _pass_operator(q, len(kept), _key([blocks[i] for i in mine], pos, scalar if p_no == 0 else 0j))
        m = q ** len(kept)
        for idx in np.ndindex(*((q,) * len(F))):
            sl = [slice(None)] * vectors.ndim
            for s, v in zip(F, idx):
                sl[off + s] = v
            chunk = vectors[tuple(sl)]
            if batch == "first":
                chunk = np.moveaxis(chunk, 0, -1)
            X = np.ascontiguousarray(chunk).reshape(m, k)  # a view when F are the leading sites
            Hs += _sandwich(Hp, X, X.conj().T)


# ------------------------------------------------------------------------------------ row blocks
def chunk_rows(q: int, k: int) -> int:
    """Rows per chunk when a ``q^n × k`` matrix is read in blocks of whole rows: the largest power
    ``q^b`` with ``q^b · k <= CHUNK_ELEMENTS`` (1 if ``k`` alone exceeds it).  A block of
    ``q^b`` consecutive rows fixes the values of the leading ``n - b`` sites."""
    for name, v in (("q", q), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < (2 if name == "q" else 1):
            raise ValueError(f"{name} must be an int >= {2 if name == 'q' else 1}, got {v!r}")
    rows = 1
    while rows * q * k <= CHUNK_ELEMENTS:
        rows *= q
    return rows


class _Lookback:
    """The blocks of H that touch the leading sites, done while Z is streamed (for
    :func:`hamiltonian_gram_rows`): a row block ``a`` fixes the leading sites, and a block ``B`` of H
    on ``S = S_lead ∪ S_in`` couples row blocks ``x, y`` that differ only on ``S_lead`` through the
    in-block operator ``B[(σ_x, ·), (σ_y, ·)] ⊗ I`` on ``S_in``.  When block ``a`` is complete every
    pair ``(x, a)`` with ``x < a`` is added with its Hermitian conjugate (the pair ``(a, x)``: B is
    Hermitian), the partner read from the rows already written, so each pair is done once.  The
    pairs ``(a, a)`` are one operator on the block: the blocks of H inside it plus, for each B,
    its diagonal part ``B[(σ_a, ·), (σ_a, ·)]``; it depends on a only through the σ's, and is built
    once per combination (:meth:`diagonal`).  Needs every such B Hermitian (:meth:`usable`)."""

    def __init__(self, inner_full, outer: list[tuple[tuple[int, ...], np.ndarray]], q: int, lead: int, b: int) -> None:
        self.q, self.inner_full, self.terms, self.cache = q, inner_full, [], {}
        pos = {s: s - lead for s in range(lead, lead + b)}
        for sup, B in outer:
            sl = [s for s in sup if s < lead]
            si = tuple(s for s in sup if s >= lead)
            ql, qi = q ** len(sl), q ** len(si)
            B4 = B.reshape(ql, qi, ql, qi)
            weights = [q ** (lead - 1 - s) for s in sl]  # place value of each S_lead site in a block index
            offset = [
                sum(int(dg) * w for dg, w in zip(np.unravel_index(t, (q,) * len(sl)), weights)) for t in range(ql)
            ]
            pairs: dict[int, list] = {}  # σ of block a -> [(offset of σ', σ), op^† of B[σ', σ] or its conj)]
            diag: dict[int, object] = {}  # σ -> B[σ, σ] (a scalar, or the full sparse in-block matrix)
            for sp_, sg in np.argwhere(np.any(B4 != 0, axis=(1, 3))):  # (σ', σ) with a non-zero block
                M = B4[sp_, :, sg, :]
                if not si:
                    op = complex(M[0, 0])
                else:
                    op = _pass_operator(q, b, _key([(si, M.conj().T)], pos, 0j), split=False).upper
                if sp_ == sg:
                    diag[int(sg)] = op if si else complex(M[0, 0])
                else:
                    pairs.setdefault(int(sg), []).append((offset[sp_], op if si else op.conjugate()))
            self.terms.append((weights, offset, pairs, diag, bool(si)))

    @staticmethod
    def usable(outer: list[tuple[tuple[int, ...], np.ndarray]]) -> bool:
        return all(np.abs(B - B.conj().T).max() <= 1e-14 * max(1.0, np.abs(B).max()) for _, B in outer)

    def block(self, a: int, Z: np.ndarray, rows: int, X: np.ndarray, XH: np.ndarray, Ga: np.ndarray) -> np.ndarray:
        """``X^† H X`` for the pairs completed by row block ``a`` (``X = Z[a·rows:(a+1)·rows]``,
        ``XH = X^†``, ``Ga = X^† X``), the blocks of H inside the rows included."""
        out = np.zeros_like(Ga)
        scalar, key = 0j, []
        for weights, offset, pairs, diag, has_in in self.terms:
            sg = 0  # σ of block a: its digits on S_lead
            for w in weights:
                sg = sg * self.q + (a // w) % self.q
            if has_in:
                key.append(sg if sg in diag else -1)
            elif sg in diag:
                scalar += diag[sg]
            base = a - offset[sg]
            for off, op in pairs.get(sg, ()):
                x = base + off
                if x > a:
                    continue
                Zx = Z[x * rows : (x + 1) * rows]  # S = X^† B[σ, σ'] Z_x = (the pair (x, a))^†; no copy of Z_x
                S = op * (XH @ Zx) if isinstance(op, complex) else XH @ _apply(op, Zx)
                out += S + S.conj().T
        out += scalar * Ga
        op = self.diagonal(tuple(key))
        if op is not None:
            out += _sandwich(op, X, XH)
        return out

    def diagonal(self, key: tuple) -> _PassOperator | None:
        """The blocks of H inside the rows plus the diagonal parts ``B[σ, σ]`` with an in-block part,
        for the σ's in ``key`` (-1: none), as one operator (built once per key)."""
        if key not in self.cache:
            total = self.inner_full
            for sg, (_, _, _, diag, _) in zip(key, [t for t in self.terms if t[4]]):
                if sg >= 0:
                    M = diag[sg]  # stored as op^† = op (a diagonal block of a Hermitian B)
                    total = M if total is None else total + M
            self.cache[key] = None if total is None else _as_pass_operator(total)
        return self.cache[key]


def _in_background(filled: Iterable[int]) -> Iterator[int]:
    """Run the iterable ``filled`` (e.g. :func:`.sampling.ginibre_fill`, which draws into Z) in a
    second thread and yield its values here, so that drawing a block and reducing the previous one
    overlap on two cores (numpy's generator and BLAS release the GIL).  Only where the values come
    from changes: the reduction does the same arithmetic in the same order (bit-identical results)."""
    import queue
    import threading

    done, stop = object(), threading.Event()
    box: queue.Queue = queue.Queue()

    def produce() -> None:
        try:
            for v in filled:
                box.put(v)
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            box.put(exc)
        box.put(done)

    worker = threading.Thread(target=produce, name="ginibre-fill", daemon=True)
    worker.start()
    try:
        while (v := box.get()) is not done:
            if isinstance(v, BaseException):
                raise v
            yield v
    finally:
        stop.set()
        worker.join()


def hamiltonian_gram_rows(
    obs: Observable,
    Z: np.ndarray,
    filled: Iterable[int] | None = None,
    *,
    background: bool = False,
    lookback: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``(Z^† Z, Z^† H Z)`` for a ``d × k`` matrix ``Z`` (``d = q^n``, row = basis state, site 0
    most significant), e.g. a Ginibre matrix that :func:`.sampling.ginibre_fill` is writing.

    ``filled`` (optional) yields how many rows of ``Z`` have been written so far (increasing, ending at
    d); every block of :func:`chunk_rows` rows is reduced as soon as it is complete, while it is still
    in cache: its Gram matrix and the blocks of H that lie inside the trailing sites the block
    spans (one sparse matrix on those sites, :func:`hamiltonian_gram`'s method).  The blocks of H that
    touch the leading sites are added afterwards in the passes of :func:`hamiltonian_gram` (one for
    a ring); the identity part is ``scalar · Z^† Z``.  With ``Z = W R`` (:func:`.sampling.ginibre_r_factor`)
    this gives ``W^† H W = R^{-†} (Z^† H Z) R^{-1}`` without forming W: the draw, one read of Z, and
    no other pass (math-notes "Numerical facts": a Haar V2 enters only through this isometry).
    ``background=True`` iterates ``filled`` in a second thread (:func:`_in_background`: the draw of
    the next block overlaps the reduction of this one); the result is bit-identical either way."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    n, q = obs.n, obs.q
    if not isinstance(Z, np.ndarray) or Z.ndim != 2 or Z.shape[0] != q**n or not Z.flags.c_contiguous:
        raise ValueError(
            f"Z must be a C-contiguous numpy array of shape (q^n, k) = ({q**n}, k), got "
            + (f"shape {Z.shape}" if isinstance(Z, np.ndarray) else type(Z).__name__)
        )
    d, k = Z.shape
    scalar, blocks = _blocks(obs)
    for sup, _ in blocks:
        if q ** len(sup) > MAX_REDUCED_DIM:
            raise ValueError(
                f"a term on {len(sup)} sites (q^p = {q ** len(sup)} > MAX_REDUCED_DIM = "
                f"{MAX_REDUCED_DIM}); use the dense path"
            )
    b = min(n, round(math.log(chunk_rows(q, k), q)))
    rows = q**b
    lead = n - b  # a block of `rows` rows fixes sites 0 .. lead-1
    inner = [blk for blk in blocks if min(blk[0]) >= lead]
    outer = [blk for blk in blocks if min(blk[0]) < lead]
    inner_key = _key(inner, {s: s - lead for s in range(lead, n)}, 0j)
    look = None
    if outer and lookback and _Lookback.usable(outer):
        look = _Lookback(_pass_operator(q, b, inner_key, split=False).upper if inner else None, outer, q, lead, b)
    Hp = _pass_operator(q, b, inner_key) if inner and look is None else None
    G = np.zeros((k, k), dtype=np.complex128)
    HG = np.zeros((k, k), dtype=np.complex128)
    done = last = 0
    source = [d] if filled is None else (_in_background(filled) if background else filled)
    for upto in source:
        if not last <= upto <= d:
            raise ValueError(f"filled must yield increasing row counts <= d = {d}, got {upto} after {last}")
        last = upto
        while done + rows <= upto:
            X = Z[done : done + rows]  # a view: the rows just written
            XH = X.conj().T
            Ga = XH @ X
            G += Ga
            if Hp is not None:
                HG += _sandwich(Hp, X, XH)
            if look is not None:
                HG += look.block(done // rows, Z, rows, X, XH, Ga)
            done += rows
    if done != d:
        raise ValueError(f"filled stopped after {done} of d = {d} rows")
    HG += scalar * G
    if look is None:
        _accumulate_passes(HG, Z.reshape((q,) * n + (k,)), "last", n, q, k, 0j, outer)
    return G, HG


# ------------------------------------------------------------------------------------ fidelity
def m_from_states(
    psi1: np.ndarray | None, phi2: np.ndarray | None, sites_A: Sequence[int], n: int, q: int
) -> np.ndarray:
    """``M_ij = <φ_j|ψ_i>`` with ``ψ1 = Σ_i |i>_A|ψ_i>``, ``φ2 = Σ_j |j>_A|φ_j>`` (Proposition 2
    section); ``None`` stands for ``|0...0>``.  One pass over both states when both are given;
    ``dA`` amplitudes when one is ``|0...0>`` (then ``M`` has one non-zero column or row)."""
    n = _check_n(n)
    if isinstance(q, bool) or not isinstance(q, (int, np.integer)) or q < 2:
        raise ValueError(f"q must be an int >= 2, got {q!r}")
    A = _check_supports([sites_A], n)[0]
    if len(A) >= n:
        raise ValueError(f"A must be a proper subsystem (m < n), got m = {len(A)}, n = {n}")
    dA = q ** len(A)
    for name, x in (("psi1", psi1), ("phi2", phi2)):
        if x is not None:
            _check_array(x, name, n, None)
            if x.shape[0] != q:
                raise ValueError(f"{name} has local dimension {x.shape[0]}, expected q = {q}")

    def column(state: np.ndarray) -> np.ndarray:  # <i_A, 0_B|state>, i over A
        sl = [0] * n
        out = np.empty(dA, dtype=np.complex128)
        for i, digits in enumerate(np.ndindex(*((q,) * len(A)))):
            for s, v in zip(A, digits):
                sl[s] = v
            out[i] = state[tuple(sl)]
        return out

    M = np.zeros((dA, dA), dtype=np.complex128)
    if psi1 is None and phi2 is None:
        M[0, 0] = 1.0
    elif phi2 is None:
        M[:, 0] = column(psi1)
    elif psi1 is None:
        M[0, :] = column(phi2).conj()
    else:
        M = local_grams(psi1, [A], n, b=phi2)[0][:, 0, :, 0]
    return M
