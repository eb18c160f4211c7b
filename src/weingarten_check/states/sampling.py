"""Exact Haar sampling: unitaries, isometries and states (double precision and mpmath).

Algorithm (Mezzadri 2007, "How to generate random matrices from the classical compact
groups"): take a complex Ginibre matrix Z (i.i.d. standard complex normal entries), compute
Z = QR, and multiply column j of Q by ``r_jj / |r_jj|``.  The phase fix makes the QR
factorisation unique (``diag R > 0``), and the resulting Q is Haar distributed on U(d).
*Without* the phase fix the distribution depends on the LAPACK sign convention and is **not**
Haar (``tests/test_sampling.py`` shows that the moments then come out wrong).

* ``haar_unitary(d, rng)``      - d x d Haar unitary, O(d^3).
* ``haar_isometry(d, k, rng)``  - the first k columns of a Haar unitary, O(d k^2): this is all a
  Haar V2 contributes when it only acts on a k-dimensional subspace (math-notes,
  "Numerical facts").
* ``haar_state(d, rng)``        - the first column, i.e. a normalised complex Gaussian vector, O(d).
* ``ginibre_fill(out, rng)``    - the numbers of ``ginibre(d, k, rng)`` written into ``out`` block by
  block (a generator), so that a caller can reduce each block while it is in cache; with
  ``ginibre_r_factor`` (``R`` with ``Z = W R``) this gives the Haar isometry ``W = Z R^{-1}`` of
  :func:`haar_isometry` without forming it (``W^† X W = R^{-†} (Z^† X Z) R^{-1}``).

``rng`` may be a ``numpy.random.Generator`` or an int seed (or None for fresh entropy).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.linalg

from ..util.checks import check_int

__all__ = [
    "RngLike",
    "as_rng",
    "ginibre",
    "ginibre_fill",
    "ginibre_r_factor",
    "haar_unitary",
    "haar_isometry",
    "haar_state",
]

RngLike = np.random.Generator | int | np.integer | None


def as_rng(rng: RngLike) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator, an int seed or None."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng seed must be a non-negative int, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


def ginibre(d: int, k: int, rng: RngLike = None) -> np.ndarray:
    """d x k complex Ginibre matrix: i.i.d. entries ``(a + i b)/sqrt(2)``, a, b ~ N(0, 1)."""
    d = check_int(d, "d", 1)
    k = check_int(k, "k", 1)
    g = as_rng(rng).standard_normal((d, k, 2))
    z = g.view(np.complex128)[..., 0]
    z *= np.sqrt(0.5)
    return z


def _qr_phase_fixed(z: np.ndarray, phase_fix: bool) -> np.ndarray:
    # LAPACK geqrf + ungqr in place (z is our own scratch matrix): no copy, no finiteness scan
    q, r = scipy.linalg.qr(z, overwrite_a=True, mode="economic", check_finite=False)
    if phase_fix:
        diag = np.diagonal(r).copy()
        absd = np.abs(diag)
        # r_jj = 0 happens with probability zero; keep the column as is then.
        phase = np.where(absd > 0, diag / np.where(absd > 0, absd, 1.0), 1.0)
        q *= phase[np.newaxis, :]
    return q


def haar_unitary(d: int, rng: RngLike = None, *, phase_fix: bool = True) -> np.ndarray:
    """Haar-random d x d unitary (QR of complex Ginibre + Mezzadri phase fix).

    ``phase_fix=False`` returns the raw LAPACK Q (not Haar; only for tests/demonstrations).
    """
    d = check_int(d, "d", 1)
    return _qr_phase_fixed(ginibre(d, d, rng), phase_fix)


def haar_isometry(d: int, k: int, rng: RngLike = None, *, phase_fix: bool = True) -> np.ndarray:
    """d x k Haar-random isometry (the first k columns of a Haar unitary), cost O(d k^2)."""
    d = check_int(d, "d", 1)
    k = check_int(k, "k", 1)
    if k > d:
        raise ValueError(f"k must satisfy k <= d for an isometry C^k -> C^d, got k={k}, d={d}")
    return _qr_phase_fixed(ginibre(d, k, rng), phase_fix)


def ginibre_fill(out: np.ndarray, rng: RngLike = None, *, rows: int = 2**14) -> Iterator[int]:
    """Write the ``d × k`` Ginibre matrix of :func:`ginibre` ``(d, k, rng)`` into ``out`` (C-contiguous
    complex128, shape ``(d, k)``), ``rows`` rows at a time; a generator that yields the number of
    rows written so far after each block.  The generator's stream is consumed in the same order as
    one ``standard_normal((d, k, 2))`` call, so ``out`` ends up equal to ``ginibre(d, k, rng)``
    entry by entry (bit for bit); the caller can reduce each block while it is still in cache.
    Nothing is allocated besides ``out`` (the normals are drawn into it in place)."""
    if not isinstance(out, np.ndarray) or out.dtype != np.complex128 or out.ndim != 2 or not out.flags.c_contiguous:
        raise TypeError(
            "out must be a C-contiguous complex128 numpy array of shape (d, k), got "
            + (f"dtype {out.dtype}, shape {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__)
        )
    rows = check_int(rows, "rows", 1)
    gen = as_rng(rng)
    d, k = out.shape
    flat = out.view(np.float64).reshape(d, k, 2)  # (re, im) pairs: the layout standard_normal fills
    scale = np.sqrt(0.5)
    for i0 in range(0, d, rows):
        i1 = min(d, i0 + rows)
        gen.standard_normal(out=flat[i0:i1])
        flat[i0:i1] *= scale  # = ginibre's complex z *= sqrt(1/2), entry by entry
        yield i1


def ginibre_r_factor(gram: np.ndarray) -> np.ndarray:
    """The upper-triangular ``R`` with positive diagonal and ``R^† R = gram``, for ``gram = Z^† Z`` of a
    full-rank ``d × k`` Z: then ``Z = W R`` with ``W = Z R^{-1}`` an isometry, and since the QR
    factorisation with ``diag R > 0`` is unique, W is exactly the Mezzadri-phase-fixed Q of
    :func:`haar_isometry` for the same Ginibre Z (Cholesky QR).  Accurate to ~1e-15 when Z is well
    conditioned (a d × k Ginibre matrix with ``d >= 64 k``: ``cond(Z) < 1.5`` with overwhelming
    probability; the loss of orthogonality of Cholesky QR is O(eps · cond(Z)²))."""
    gram = np.asarray(gram)
    if gram.ndim != 2 or gram.shape[0] != gram.shape[1]:
        raise ValueError(f"gram must be a square (k, k) matrix, got shape {gram.shape}")
    return np.linalg.cholesky(gram).conj().T  # gram = L L^† = R^† R with R = L^†, diag R > 0


def haar_state(d: int, rng: RngLike = None) -> np.ndarray:
    """Haar-random unit vector in C^d (= U|0> for Haar U), cost O(d)."""
    d = check_int(d, "d", 1)
    z = ginibre(d, 1, rng)[:, 0]
    z /= np.linalg.norm(z)
    return z
