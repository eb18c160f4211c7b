"""n-site state vectors of local dimension q, without ever forming q^n x q^n matrices.

Layout: a state is a complex array whose **last n axes** are the sites (each of length q);
any leading axes are batch axes.  ``psi.shape == (q,)*n`` for one state and
``(B,) + (q,)*n`` for a batch of B states that go through the same circuit (e.g. the
dA^2 vectors ``|k>_A ⊗ |psi_i>_B`` a fixed V2 must act on: with ``ρ1 = |ψ1><ψ1|`` and
``ψ1 = Σ_i |i>_A |ψ_i>_B``, ``H2 = V2† H V2`` enters the cost only through these vectors).
Site 0 is the leftmost (most significant) tensor factor, matching ``np.kron`` order.

Gates act in place of their sites: a k-site gate is a ``(q^k, q^k)`` matrix on the sites
``(s_1, ..., s_k)`` in that order.  A gate on consecutive sites is one BLAS ``matmul`` on the
view ``(L, q^k, R)``; other site sets go through ``tensordot`` + ``moveaxis``.  Diagonal gates
(CZ, Rz, the product of all CZ of a layer) are an elementwise multiplication.

Examples
--------
>>> X = np.array([[0, 1], [1, 0]])
>>> to_vector(apply_gate(zero_state(2), X, (1,), 2), 2).real.tolist()   # X on site 1: |01>
[0.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..util.checks import check_nq, check_sites

__all__ = [
    "basis_state",
    "zero_state",
    "product_state",
    "num_batch_axes",
    "apply_gate",
    "apply_diagonal",
    "apply_local_layer",
    "inner",
    "norm",
    "to_vector",
    "from_vector",
    "move_sites_first",
]


def num_batch_axes(psi: np.ndarray, n: int) -> int:
    """The number of leading batch axes of ``psi`` (shape ``batch + (q,)*n``).

    Parameters
    ----------
    psi : numpy.ndarray
        A (batched) n-site state.
    n : int
        The number of sites.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``psi`` has fewer than n axes or its last n axes differ in length.

    Examples
    --------
    >>> num_batch_axes(np.zeros((5, 2, 2, 2)), 3)
    1
    """
    if psi.ndim < n:
        raise ValueError(f"psi must have at least n={n} axes (one per site), got shape {psi.shape}")
    q = psi.shape[-1]
    if any(s != q for s in psi.shape[psi.ndim - n :]):
        raise ValueError(f"the last n={n} axes of psi must all have length q, got shape {psi.shape}")
    return psi.ndim - n


def basis_state(digits: Sequence[int], q: int = 2, dtype=np.complex128) -> np.ndarray:
    """The computational basis state ``|digits[0] … digits[n-1]>`` as an array of shape ``(q,)*n``.

    Parameters
    ----------
    digits : sequence of int
        One digit in ``range(q)`` per site (n >= 1 sites).
    q : int, default 2
        The local dimension.
    dtype : numpy dtype, default complex128

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If there is no digit, ``q < 2``, or a digit is outside ``range(q)``.

    Examples
    --------
    >>> to_vector(basis_state([0, 1]), 2).real.tolist()
    [0.0, 1.0, 0.0, 0.0]
    """
    n = len(digits)
    check_nq(n, q)
    if any((not 0 <= int(a) < q) for a in digits):
        raise ValueError(f"digits must lie in range(q) = range({q}), got {list(digits)}")
    psi = np.zeros((q,) * n, dtype=dtype)
    psi[tuple(int(a) for a in digits)] = 1
    return psi


def zero_state(n: int, q: int = 2, batch: int | None = None, dtype=np.complex128) -> np.ndarray:
    """``|0...0>`` (shape ``(q,)*n``), or B copies of it (shape ``(B,) + (q,)*n``) when ``batch=B``.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.
    q : int, default 2
        The local dimension, ``q >= 2``.
    batch : int, optional
        The number of copies.
    dtype : numpy dtype, default complex128

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``n < 1`` or ``q < 2``.

    Examples
    --------
    >>> zero_state(3).shape, zero_state(3, q=3, batch=2).shape
    ((2, 2, 2), (2, 3, 3, 3))
    """
    check_nq(n, q)
    psi = basis_state([0] * n, q, dtype)
    if batch is not None:
        psi = np.broadcast_to(psi, (int(batch),) + psi.shape).copy()
    return psi


def product_state(local_states: Sequence[np.ndarray]) -> np.ndarray:
    """The tensor product of single-site vectors (site 0 first), shape ``(q,)*n``.

    Parameters
    ----------
    local_states : sequence of numpy.ndarray
        At least one vector, all of length q.

    Returns
    -------
    numpy.ndarray
        Complex.

    Raises
    ------
    ValueError
        If there is no vector or their lengths differ.

    Examples
    --------
    >>> product_state([np.array([1, 0]), np.array([0, 1])]).reshape(-1).real.tolist()
    [0.0, 1.0, 0.0, 0.0]
    """
    vecs = [np.asarray(v, dtype=np.complex128) for v in local_states]
    if not vecs:
        raise ValueError("local_states must contain at least one vector")
    q = vecs[0].shape[0]
    if any(v.shape != (q,) for v in vecs):
        raise ValueError(f"every local state must be a vector of length q={q}")
    psi = vecs[0]
    for v in vecs[1:]:
        psi = np.multiply.outer(psi, v)
    return psi.reshape((q,) * len(vecs))


def to_vector(psi: np.ndarray, n: int) -> np.ndarray:
    """Flatten the site axes of a (batched) state: shape ``batch + (q^n,)`` (a view when possible).

    Parameters
    ----------
    psi : numpy.ndarray
        A (batched) n-site state, shape ``batch + (q,)*n``.
    n : int
        The number of sites.

    Returns
    -------
    numpy.ndarray
        Shape ``batch + (q^n,)``; site 0 is the most significant digit of the flat index.

    Raises
    ------
    ValueError
        If ``psi`` is not a (batched) n-site state (:func:`num_batch_axes`).

    Examples
    --------
    >>> to_vector(zero_state(2, batch=3), 2).shape
    (3, 4)
    """
    nb = num_batch_axes(psi, n)
    return psi.reshape(psi.shape[:nb] + (-1,))


def from_vector(vec: np.ndarray, n: int, q: int) -> np.ndarray:
    """The inverse of :func:`to_vector`: the last axis, of length ``q^n``, becomes n site axes.

    Parameters
    ----------
    vec : array_like
        Shape ``batch + (q^n,)``.
    n : int
        The number of sites, ``n >= 1``.
    q : int
        The local dimension, ``q >= 2``.

    Returns
    -------
    numpy.ndarray
        Shape ``batch + (q,)*n`` (a view when possible; the dtype is kept).

    Raises
    ------
    ValueError
        If ``n < 1``, ``q < 2`` or the last axis does not have length ``q^n``.

    Examples
    --------
    >>> from_vector(np.arange(4), 2, 2).tolist()
    [[0, 1], [2, 3]]
    """
    check_nq(n, q)
    vec = np.asarray(vec)
    if vec.shape[-1] != q**n:
        raise ValueError(f"last axis must have length q**n = {q**n}, got {vec.shape[-1]}")
    return vec.reshape(vec.shape[:-1] + (q,) * n)


def apply_gate(
    psi: np.ndarray, gate: np.ndarray, sites: Sequence[int], n: int, out: np.ndarray | None = None
) -> np.ndarray:
    """Return ``(gate on sites) psi`` for a (possibly batched) n-site state; ``psi`` is unchanged.

    Parameters
    ----------
    psi : numpy.ndarray
        Shape ``batch + (q,)*n``.
    gate : numpy.ndarray
        A ``(q^k, q^k)`` matrix acting on ``sites = (s_1, ..., s_k)`` in that order.
    sites : sequence of int
        Distinct sites in ``range(n)``.
    n : int
        The number of sites.
    out : numpy.ndarray, optional
        A preallocated C-contiguous complex array of ``psi``'s shape (not ``psi``) to write into
        (used for gates on consecutive sites); reusing buffers avoids page-faulting a fresh array
        for every gate.

    Returns
    -------
    numpy.ndarray
        ``out`` if it was used, else a new array.

    Raises
    ------
    ValueError
        If ``psi`` is not a state on n sites, the sites are not distinct sites of ``range(n)``, or
        the gate has the wrong shape.

    Examples
    --------
    A CNOT with control site 0 on ``|10>``:

    >>> cnot = np.eye(4)[[0, 1, 3, 2]]
    >>> to_vector(apply_gate(basis_state([1, 0]), cnot, (0, 1), 2), 2).real.tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    nb = num_batch_axes(psi, n)
    q = psi.shape[-1]
    sites = check_sites(sites, n, proper=False)
    k = len(sites)
    gate = np.asarray(gate)
    if gate.shape != (q**k, q**k):
        raise ValueError(f"gate on {k} site(s) must have shape ({q**k}, {q**k}), got {gate.shape}")
    if all(sites[i + 1] == sites[i] + 1 for i in range(k - 1)):
        s0 = sites[0]
        shape = psi.shape
        left = int(np.prod(shape[: nb + s0], dtype=np.int64))
        right = q ** (n - s0 - k)
        view = psi.reshape(left, q**k, right)
        dtype = np.result_type(gate, view)
        if (
            out is None
            or out.dtype != dtype
            or out.shape != shape
            or not out.flags.c_contiguous
            or np.shares_memory(out, psi)
        ):
            out = np.empty(shape, dtype=dtype)
        oview = out.reshape(left, q**k, right)
        if right == 1:
            np.matmul(view.reshape(left, q**k), gate.T, out=oview.reshape(left, q**k))
        elif left <= right:
            # few long panels: one 2-D GEMM each (numpy's broadcast matmul is ~10x slower here)
            for i in range(left):
                np.matmul(gate, view[i], out=oview[i])
        else:
            np.matmul(gate, view, out=oview)
        return out
    # general position: contract with tensordot, move the new axes back
    g = gate.reshape((q,) * (2 * k))
    axes = [nb + s for s in sites]
    out = np.tensordot(g, psi, axes=(list(range(k, 2 * k)), axes))
    return np.ascontiguousarray(np.moveaxis(out, list(range(k)), axes))


def apply_diagonal(psi: np.ndarray, diag: np.ndarray, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """Multiply a (batched) state by a diagonal operator given as an array of shape ``(q,)*n``.

    Parameters
    ----------
    psi : numpy.ndarray
        Shape ``batch + (q,)*n``.
    diag : numpy.ndarray
        The diagonal, shape ``(q,)*n`` (broadcast over the batch axes).
    n : int
        The number of sites.
    out : numpy.ndarray, optional
        Where to write the product (may be ``psi`` itself).

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``diag`` does not have the site shape of ``psi``.

    Examples
    --------
    CZ on ``|11>``:

    >>> cz = np.array([[1, 1], [1, -1]])
    >>> to_vector(apply_diagonal(basis_state([1, 1]), cz, 2), 2).real.tolist()
    [0.0, 0.0, 0.0, -1.0]
    """
    num_batch_axes(psi, n)
    diag = np.asarray(diag)
    if diag.shape != psi.shape[psi.ndim - n :]:
        raise ValueError(f"diag must have the site shape {psi.shape[psi.ndim - n :]}, got {diag.shape}")
    return np.multiply(psi, diag, out=out)


def apply_local_layer(
    psi: np.ndarray,
    gates: Sequence[np.ndarray | None],
    n: int,
    max_block: int = 8,
    *,
    overwrite_input: bool = False,
    work: np.ndarray | None = None,
) -> np.ndarray:
    """Apply one single-site gate per site (``None`` = identity), fusing neighbouring sites.

    Consecutive sites are fused into blocks of dimension ``<= max_block`` (Kronecker product of
    their gates), so a layer costs about ``n / log_q(max_block)`` passes over the state instead
    of n; ``max_block=8`` is the fastest choice for qubits on our machine (benchmarks/).
    Intermediate results ping-pong between two buffers: ``work`` (a spare array of psi's shape)
    and, if ``overwrite_input``, ``psi`` itself; the returned array is one of them or new.

    Parameters
    ----------
    psi : numpy.ndarray
        Shape ``batch + (q,)*n``.
    gates : sequence of numpy.ndarray or None
        One ``q × q`` gate (or ``None``) per site.
    n : int
        The number of sites.
    max_block : int, default 8
        The largest dimension of a fused block.
    overwrite_input : bool, default False
        Allow ``psi`` to be used as a buffer.
    work : numpy.ndarray, optional
        A spare array of ``psi``'s shape.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``gates`` does not have one entry per site, or ``psi`` is not an n-site state.

    Examples
    --------
    >>> X = np.array([[0, 1], [1, 0]])
    >>> to_vector(apply_local_layer(zero_state(2), [X, None], 2), 2).real.tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    num_batch_axes(psi, n)
    if len(gates) != n:
        raise ValueError(f"gates must have one entry per site (n={n}), got {len(gates)}")
    q = psi.shape[-1]
    blocks = []
    s = 0
    while s < n:
        if gates[s] is None:
            s += 1
            continue
        block = np.asarray(gates[s])
        sites = [s]
        t = s + 1
        while t < n and gates[t] is not None and block.shape[0] * q <= max_block:
            block = np.kron(block, np.asarray(gates[t]))
            sites.append(t)
            t += 1
        blocks.append((block, sites))
        s = t
    bufs = [work, psi if overwrite_input else None]
    src = psi
    for block, sites in blocks:
        k = 0 if bufs[0] is not src else 1
        dst = apply_gate(src, block, sites, n, out=bufs[k])
        bufs[k] = dst
        src = dst
    return src


def inner(phi: np.ndarray, psi: np.ndarray, n: int) -> np.ndarray | complex:
    """The inner product ``<phi|psi>`` over the site axes (batch axes broadcast).

    Parameters
    ----------
    phi, psi : numpy.ndarray
        (Batched) n-site states of the same q; ``phi`` is conjugated.
    n : int
        The number of sites.

    Returns
    -------
    numpy.ndarray or complex
        One value per (broadcast) batch entry; a numpy complex scalar for two unbatched states.

    Raises
    ------
    ValueError
        If ``phi`` or ``psi`` is not an n-site state.

    Examples
    --------
    >>> complex(inner(zero_state(2), zero_state(2), 2))
    (1+0j)
    """
    nb1, nb2 = num_batch_axes(phi, n), num_batch_axes(psi, n)
    a = phi.reshape(phi.shape[:nb1] + (-1,))
    b = psi.reshape(psi.shape[:nb2] + (-1,))
    return np.einsum("...i,...i->...", a.conj(), b)


def norm(psi: np.ndarray, n: int) -> np.ndarray | float:
    """The Euclidean norm over the site axes (one value per batch entry).

    Parameters
    ----------
    psi : numpy.ndarray
        A (batched) n-site state.
    n : int
        The number of sites.

    Returns
    -------
    numpy.ndarray or float
        ``sqrt(Re <psi|psi>)``; a numpy float scalar for an unbatched state.

    Raises
    ------
    ValueError
        If ``psi`` is not an n-site state.

    Examples
    --------
    >>> float(norm(2 * zero_state(3), 3))
    2.0
    """
    return np.sqrt(np.real(inner(psi, psi, n)))


def move_sites_first(psi: np.ndarray, sites: Sequence[int], n: int) -> np.ndarray:
    """Return an (unbatched) state as the ``(dA, dB)`` matrix of its components ``ψ_i``.

    Row index = the sites of A (in the given order), column index = the other sites in increasing
    order, so that ``psi = Σ_i |i>_A |psi_i>_B`` with ``psi_i`` the rows: the decomposition of
    Lemma 7 of ``proofs/DERIVATION.md`` (``M_ij = <φ_j|ψ_i>``).

    Parameters
    ----------
    psi : numpy.ndarray
        Shape ``(q,)*n``.
    sites : sequence of int
        The sites of A, distinct, in ``range(n)``.
    n : int
        The number of sites.

    Returns
    -------
    numpy.ndarray
        A view or copy of shape ``(q^len(sites), q^(n - len(sites)))``.

    Raises
    ------
    ValueError
        If ``psi`` is batched or the sites are invalid.

    Examples
    --------
    ``|011>`` with A = site 2: ``ψ_1 = |01>_B``.

    >>> move_sites_first(basis_state([0, 1, 1]), (2,), 3).real.tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    """
    if num_batch_axes(psi, n) != 0:
        raise ValueError("move_sites_first expects a single (unbatched) state")
    sites = check_sites(sites, n, proper=False)
    q = psi.shape[-1]
    rest = [s for s in range(n) if s not in sites]
    perm = list(sites) + rest
    return np.transpose(psi, perm).reshape(q ** len(sites), q ** len(rest))
