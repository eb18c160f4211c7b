"""``<v_x|H|v_y>`` for many large vectors at once: the sparse Hamiltonian-Gram engine.

For a Haar V2 the matrix ``<w_x|H|w_y>`` over the ``dA·r`` columns w of an isometry is needed (a
Haar V2 enters the cost of a local unitary only through the isometry it applies to the
``dA·r``-dimensional span of the states ``|k>_A|ψ_i>_B``).  It is ``Σ_t <w_x|B_t|w_y>`` over the
local blocks ``B_t`` of H, and each term is the contraction of ``B_t`` with the *cross reduced
matrix* of the vectors on the block's sites (:func:`weingarten_check.states.reduced.local_grams`).

* :func:`hamiltonian_gram`: all blocks in as few passes over the columns as their supports allow
  (two for a ring), each chunk read from memory once; on a chunk the blocks are one sparse matrix,
  applied as diagonal + upper triangle (H is Hermitian).
* :func:`hamiltonian_gram_rows`: for large d the isometry ``W = Z R^{-1}`` is not even formed; the
  Ginibre Z is reduced block by block while it is drawn (``Z^† Z`` and ``Z^† H Z``, the blocks of H
  near site 0 in one more read), and ``W^† H W = R^{-†} Z^† H Z R^{-1}``; the ``R`` of the QR of
  ``V1|0...0>``'s ``dB × dA`` matrix comes from
  :func:`weingarten_check.states.reduced.qr_r_from_state`.
* :func:`chunk_rows`, :func:`reduced_gram_fits`: the row-block size and whether a given observable
  fits the engine (else the dense path).

The chunk size is :data:`weingarten_check.states.reduced.CHUNK_ELEMENTS`, read at call time.

Examples
--------
>>> from weingarten_check.states.observables import heisenberg_ring
>>> from weingarten_check.states.sampling import haar_isometry
>>> H, W = heisenberg_ring(4), haar_isometry(16, 3, 0)
>>> Hs = hamiltonian_gram(H, W.reshape((2,) * 4 + (3,)), orthonormal=True)
>>> bool(np.allclose(Hs, W.conj().T @ H.dense() @ W))
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..util.checks import check_int, check_local_dim
from . import reduced
from .observables import Observable
from .reduced import MAX_REDUCED_DIM, check_state_array, chunk_plan, support_matrix

if TYPE_CHECKING:
    import scipy.sparse

__all__ = [
    "hamiltonian_gram",
    "hamiltonian_gram_rows",
    "chunk_rows",
    "reduced_gram_fits",
]


def _blocks(obs: Observable) -> tuple[complex, list[tuple[tuple[int, ...], np.ndarray]]]:
    """H = scalar·I + Σ blocks, one matrix per distinct support (terms with equal support summed)."""
    scalar = 0j
    blocks: dict[tuple[int, ...], np.ndarray] = {}
    for c, ops in obs.terms:
        sup = tuple(sorted(ops))
        if not sup:
            scalar += c
            continue
        blocks[sup] = blocks.get(sup, 0) + support_matrix(c, ops, sup, obs.q)
    return complex(scalar), list(blocks.items())


def reduced_gram_fits(obs: Observable, k: int) -> bool:
    """Whether :func:`hamiltonian_gram` can handle ``obs`` (``k`` vectors).

    True iff every term's support has ``q^|supp| <= MAX_REDUCED_DIM`` (false e.g. for the QSL
    projector on all n sites at large n, which then needs the dense path).  ``k`` is accepted for
    symmetry with the memory model (the chunk buffers scale with k) and must be >= 1.

    Parameters
    ----------
    obs : Observable
    k : int
        The number of vectors, ``>= 1``.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If ``obs`` is not an Observable or ``k`` not an int.
    ValueError
        If ``k < 1``.

    Examples
    --------
    >>> from weingarten_check.states.observables import heisenberg_ring, qsl_observable
    >>> reduced_gram_fits(heisenberg_ring(30), 4), reduced_gram_fits(qsl_observable(13), 4)
    (True, False)
    """
    check_int(k, "k", 1)
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

    The vectors are read in chunks that fix the values of a few sites F (the plan of
    :func:`.reduced.chunk_plan`: one pass for the blocks not touching F, a second for the rest,
    e.g. the edges near site 0 of a ring); on a chunk, the sum of the blocks inside the kept sites
    is applied as one sparse matrix to all k vectors at once and contracted with them:
    ``Hs += X^† (H_kept X)``.  H is never applied to a full vector; extra memory is O(chunk) (plus
    a copy of the chunk when F is not the leading sites or ``batch="first"``).  The identity part
    of H contributes ``scalar·<v_x|v_y>`` (``scalar·δ_xy`` without a pass if ``orthonormal``).

    Parameters
    ----------
    obs : Observable
        The observable H.
    vectors : numpy.ndarray
        k vectors of n sites, the batch axis last or first.
    batch : {"last", "first"}, default "last"
        Where the batch axis is.
    orthonormal : bool, default False
        The vectors are orthonormal (the identity part of H is then ``scalar·I`` without a pass).

    Returns
    -------
    numpy.ndarray
        The complex ``k × k`` matrix ``<v_x|H|v_y>``.

    Raises
    ------
    TypeError
        If ``obs`` is not an Observable or ``vectors`` not an array.
    ValueError
        If ``batch`` or the shape of ``vectors`` is invalid, or a term's support exceeds
        ``MAX_REDUCED_DIM`` (:func:`reduced_gram_fits`).

    Examples
    --------
    >>> from weingarten_check.states.observables import qae_observable
    >>> from weingarten_check.states.statevector import zero_state
    >>> v = zero_state(3, batch=1)   # shape (1, 2, 2, 2): one vector, batch axis first
    >>> hamiltonian_gram(qae_observable(3), v, batch="first").real.tolist()   # <0|I - |0><0|_R|0>
    [[0.0]]
    """
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    if batch not in ("first", "last"):
        raise ValueError(f"batch must be 'first' or 'last', got {batch!r}")
    n = obs.n
    vectors = check_state_array(vectors, "vectors", n, batch)
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
    """``Hs += V^† (scalar·I + Σ blocks) V`` in the passes of :func:`.reduced.chunk_plan` (see
    :func:`hamiltonian_gram`)."""
    supports = [sup for sup, _ in blocks]
    passes = chunk_plan(supports, n, q, k) if supports else []
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
    """Rows per chunk when a ``q^n × k`` matrix is read in blocks of whole rows.

    The largest power ``q^b`` with ``q^b · k <= CHUNK_ELEMENTS`` (1 if ``k`` alone exceeds it).
    A block of ``q^b`` consecutive rows fixes the values of the leading ``n - b`` sites.

    Parameters
    ----------
    q : int
        The local dimension, ``>= 2``.
    k : int
        The number of columns, ``>= 1``.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``k`` is not an int.
    ValueError
        If ``q < 2`` (or not an int) or ``k < 1``.

    Examples
    --------
    >>> chunk_rows(2, 4), chunk_rows(3, 9), chunk_rows(2, 2**17)
    (16384, 6561, 1)
    """
    q = check_local_dim(q, "q")
    k = check_int(k, "k", 1)
    rows = 1
    while rows * q * k <= reduced.CHUNK_ELEMENTS:
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
    no other pass (a Haar V2 enters the cost only through this isometry).
    ``background=True`` iterates ``filled`` in a second thread (the draw of the next block overlaps
    the reduction of this one); the result is bit-identical either way.

    Parameters
    ----------
    obs : Observable
        The observable H on n sites of dimension q.
    Z : numpy.ndarray
        C-contiguous, shape ``(q^n, k)``.
    filled : iterable of int, optional
        Row counts written so far, increasing, ending at ``q^n`` (default: Z is complete).
    background : bool, default False
        Iterate ``filled`` in a second thread.
    lookback : bool, default True
        Pair the blocks of H touching the leading sites while streaming (if H's blocks are
        Hermitian); ``False`` does them in later passes.

    Returns
    -------
    tuple of numpy.ndarray
        ``(Z^† Z, Z^† H Z)``, both complex ``k × k``.

    Raises
    ------
    TypeError
        If ``obs`` is not an Observable.
    ValueError
        If ``Z`` has the wrong shape or layout, ``filled`` is not increasing up to ``q^n``, or a
        term's support exceeds ``MAX_REDUCED_DIM``.

    Examples
    --------
    >>> from weingarten_check.states.observables import heisenberg_ring
    >>> from weingarten_check.states.sampling import ginibre, ginibre_fill
    >>> H, Z = heisenberg_ring(4), ginibre(16, 3, 1)
    >>> G, HZ = hamiltonian_gram_rows(H, Z)
    >>> bool(np.allclose(G, Z.conj().T @ Z)), bool(np.allclose(HZ, Z.conj().T @ H.dense() @ Z))
    (True, True)
    >>> Zf = np.empty((16, 3), dtype=np.complex128)   # reduced while ginibre_fill draws it
    >>> bool(np.allclose(hamiltonian_gram_rows(H, Zf, ginibre_fill(Zf, 1, rows=4))[1], HZ))
    True
    """
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
