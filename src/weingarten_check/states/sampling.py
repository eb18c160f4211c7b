"""Exact Haar sampling: unitaries, isometries and states (double precision).

Algorithm (Mezzadri 2007, "How to generate random matrices from the classical compact
groups"): take a complex Ginibre matrix Z (i.i.d. standard complex normal entries), compute
Z = QR, and multiply column j of Q by ``r_jj / |r_jj|``.  The phase fix makes the QR
factorisation unique (``diag R > 0``), and the resulting Q is Haar distributed on U(d).
*Without* the phase fix the distribution depends on the LAPACK sign convention and is **not**
Haar (``tests/test_sampling.py`` shows that the moments then come out wrong).

* ``haar_unitary(d, rng)``      - d x d Haar unitary, O(d^3).
* ``haar_isometry(d, k, rng)``  - the first k columns of a Haar unitary, O(d k^2): this is all a
  Haar V2 contributes when it only acts on a k-dimensional subspace (the image of a fixed
  k-dimensional subspace under a Haar unitary is spanned by such an isometry's columns).
* ``haar_state(d, rng)``        - the first column, i.e. a normalised complex Gaussian vector, O(d).
* ``haar_orthogonal(d, rng)``   - Haar on O(d): QR of a real Gaussian matrix, column j times sign(r_jj).
* ``haar_symplectic(d, rng)``   - Haar on Sp(d) = {U unitary, U J U^T = J}, d even (conventions of
  :mod:`weingarten_check.calculus.brauer`): symplectic Gram–Schmidt of complex Gaussian vectors.
* ``haar_real_state(d, rng)``   - a normalised real Gaussian vector (``O|0>`` for Haar O).
* ``ginibre_fill(out, rng)``    - the numbers of ``ginibre(d, k, rng)`` written into ``out`` block by
  block (a generator), so that a caller can reduce each block while it is in cache; with
  ``ginibre_r_factor`` (``R`` with ``Z = W R``) this gives the Haar isometry ``W = Z R^{-1}`` of
  :func:`haar_isometry` without forming it (``W^† X W = R^{-†} (Z^† X Z) R^{-1}``).

``rng`` may be a ``numpy.random.Generator`` or an int seed (or None for fresh entropy).
Exactness of the moments is checked against the Weingarten calculus in ``tests/test_sampling.py``
(the entry moments of :func:`weingarten_check.calculus.unitary_integrals.haar_integral`).

Examples
--------
>>> U = haar_unitary(4, 0)
>>> bool(np.allclose(U.conj().T @ U, np.eye(4))), bool(np.array_equal(U, haar_unitary(4, 0)))
(True, True)
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
    "haar_orthogonal",
    "haar_symplectic",
    "haar_real_state",
]

#: what every sampler accepts as ``rng``: a Generator, an int seed (>= 0) or None (fresh entropy)
RngLike = np.random.Generator | int | np.integer | None


def as_rng(rng: RngLike) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a Generator (itself), an int seed or None.

    Parameters
    ----------
    rng : numpy.random.Generator or int or None
        A generator is returned as is (its stream continues); a seed ``>= 0`` or None gives
        ``numpy.random.default_rng(rng)``.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        If ``rng`` is of another kind (a bool included).
    ValueError
        If the seed is negative.

    Examples
    --------
    >>> g = np.random.default_rng(3)
    >>> as_rng(g) is g, float(as_rng(3).standard_normal()) == float(g.standard_normal())
    (True, True)
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng seed must be a non-negative int, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


def ginibre(d: int, k: int, rng: RngLike = None) -> np.ndarray:
    """A ``d × k`` complex Ginibre matrix: i.i.d. entries ``(a + i b)/sqrt(2)``, a, b ~ N(0, 1).

    One ``standard_normal((d, k, 2))`` call: the real and imaginary parts of each entry are
    consecutive normals (the layout :func:`ginibre_fill` reproduces block by block).

    Parameters
    ----------
    d, k : int
        The shape, both ``>= 1``.
    rng : numpy.random.Generator or int or None
        See :func:`as_rng`.

    Returns
    -------
    numpy.ndarray
        Complex128, shape ``(d, k)``.

    Raises
    ------
    TypeError, ValueError
        If ``d`` or ``k`` is not an int ``>= 1``, or ``rng`` is invalid.

    Examples
    --------
    >>> Z = ginibre(3, 2, 0)
    >>> Z.shape, Z.dtype, bool(np.array_equal(Z, ginibre(3, 2, 0)))
    ((3, 2), dtype('complex128'), True)
    """
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
    """A Haar-random ``d × d`` unitary (QR of a complex Ginibre matrix + Mezzadri phase fix).

    Parameters
    ----------
    d : int
        The dimension, ``d >= 1``.
    rng : numpy.random.Generator or int or None
        See :func:`as_rng`.
    phase_fix : bool, default True
        ``False`` returns the raw LAPACK Q (not Haar; only for tests and demonstrations).

    Returns
    -------
    numpy.ndarray
        Complex128, shape ``(d, d)``.

    Raises
    ------
    TypeError, ValueError
        If ``d`` is not an int ``>= 1`` or ``rng`` is invalid.

    Examples
    --------
    >>> U = haar_unitary(3, 7)
    >>> bool(np.allclose(U @ U.conj().T, np.eye(3)))
    True
    """
    d = check_int(d, "d", 1)
    return _qr_phase_fixed(ginibre(d, d, rng), phase_fix)


def haar_isometry(d: int, k: int, rng: RngLike = None, *, phase_fix: bool = True) -> np.ndarray:
    """A ``d × k`` Haar-random isometry (the first k columns of a Haar unitary), cost O(d k²).

    Parameters
    ----------
    d, k : int
        The shape, ``1 <= k <= d``.
    rng : numpy.random.Generator or int or None
        See :func:`as_rng`.
    phase_fix : bool, default True
        As for :func:`haar_unitary`.

    Returns
    -------
    numpy.ndarray
        Complex128, shape ``(d, k)``, orthonormal columns.

    Raises
    ------
    TypeError, ValueError
        If ``d`` or ``k`` is not an int ``>= 1``, ``k > d``, or ``rng`` is invalid.

    Examples
    --------
    >>> W = haar_isometry(8, 3, 1)
    >>> W.shape, bool(np.allclose(W.conj().T @ W, np.eye(3)))
    ((8, 3), True)
    """
    d = check_int(d, "d", 1)
    k = check_int(k, "k", 1)
    if k > d:
        raise ValueError(f"k must satisfy k <= d for an isometry C^k -> C^d, got k={k}, d={d}")
    return _qr_phase_fixed(ginibre(d, k, rng), phase_fix)


def ginibre_fill(out: np.ndarray, rng: RngLike = None, *, rows: int = 2**14) -> Iterator[int]:
    """Write the Ginibre matrix ``ginibre(d, k, rng)`` into ``out``, ``rows`` rows at a time.

    A generator that yields the number of rows written so far after each block.  The random
    stream is consumed in the same order as one ``standard_normal((d, k, 2))`` call, so ``out``
    ends up equal to ``ginibre(d, k, rng)`` entry by entry (bit for bit); the caller can reduce
    each block while it is still in cache.  Nothing is allocated besides ``out`` (the normals are
    drawn into it in place).

    Parameters
    ----------
    out : numpy.ndarray
        C-contiguous complex128, shape ``(d, k)``.
    rng : numpy.random.Generator or int or None
        See :func:`as_rng`.
    rows : int, default 2**14
        Rows per block, ``>= 1``.

    Yields
    ------
    int
        The rows written so far (the last value is d).

    Raises
    ------
    TypeError
        If ``out`` is not a C-contiguous complex128 matrix or ``rows`` is not an int (on the first
        ``next``).

    Examples
    --------
    >>> out = np.empty((5, 2), dtype=np.complex128)
    >>> list(ginibre_fill(out, 0, rows=2)), bool(np.array_equal(out, ginibre(5, 2, 0)))
    ([2, 4, 5], True)
    """
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
    """The upper-triangular ``R`` with positive diagonal and ``R^† R = gram`` (Cholesky QR).

    For ``gram = Z^† Z`` of a full-rank ``d × k`` Z, ``Z = W R`` with ``W = Z R^{-1}`` an isometry,
    and since the QR factorisation with ``diag R > 0`` is unique, W is exactly the
    Mezzadri-phase-fixed Q of :func:`haar_isometry` for the same Ginibre Z.  Accurate to ~1e-15
    when Z is well conditioned (a d × k Ginibre matrix with ``d >= 64 k``: ``cond(Z) < 1.5`` with
    overwhelming probability; the loss of orthogonality of Cholesky QR is O(eps · cond(Z)²)).

    Parameters
    ----------
    gram : numpy.ndarray
        A Hermitian positive definite ``(k, k)`` matrix.

    Returns
    -------
    numpy.ndarray
        ``R``, upper triangular, shape ``(k, k)``.

    Raises
    ------
    ValueError
        If ``gram`` is not square.
    numpy.linalg.LinAlgError
        If ``gram`` is not positive definite.

    Examples
    --------
    >>> Z = ginibre(256, 2, 1)
    >>> R = ginibre_r_factor(Z.conj().T @ Z)
    >>> bool(np.allclose(Z @ np.linalg.inv(R), haar_isometry(256, 2, 1)))
    True
    """
    gram = np.asarray(gram)
    if gram.ndim != 2 or gram.shape[0] != gram.shape[1]:
        raise ValueError(f"gram must be a square (k, k) matrix, got shape {gram.shape}")
    return np.linalg.cholesky(gram).conj().T  # gram = L L^† = R^† R with R = L^†, diag R > 0


def haar_state(d: int, rng: RngLike = None) -> np.ndarray:
    """A Haar-random unit vector in ``C^d`` (distributed as ``U|0>`` for Haar U), cost O(d).

    Parameters
    ----------
    d : int
        The dimension, ``d >= 1``.
    rng : numpy.random.Generator or int or None
        See :func:`as_rng`.

    Returns
    -------
    numpy.ndarray
        Complex128, shape ``(d,)``, unit norm.

    Raises
    ------
    TypeError, ValueError
        If ``d`` is not an int ``>= 1`` or ``rng`` is invalid.

    Examples
    --------
    >>> psi = haar_state(16, 2)
    >>> psi.shape, round(float(np.linalg.norm(psi)), 12)
    ((16,), 1.0)
    """
    d = check_int(d, "d", 1)
    z = ginibre(d, 1, rng)[:, 0]
    z /= np.linalg.norm(z)
    return z


def haar_orthogonal(d: int, rng: RngLike = None) -> np.ndarray:
    """A Haar-random ``O ∈ O(d)``: ``Z = QR`` for a real Gaussian Z, column j of Q times ``sign(r_jj)``.

    The sign fix makes the factorisation unique (``diag R > 0``), so Q inherits the left invariance of
    Z's law (Mezzadri 2007); its entry moments are checked against Lemma 16's exact
    ``haar_integral_orthogonal`` in tests/test_sampling.py.

    Parameters
    ----------
    d : int
        ``d >= 1``.
    rng : numpy.random.Generator or int or None
        See :func:`as_rng`.

    Returns
    -------
    numpy.ndarray
        Float64, ``d × d``, orthogonal.

    Examples
    --------
    >>> O = haar_orthogonal(3, 0)
    >>> bool(np.allclose(O.T @ O, np.eye(3))), O.dtype
    (True, dtype('float64'))
    """
    d = check_int(d, "d", 1)
    z = as_rng(rng).standard_normal((d, d))
    q, r = np.linalg.qr(z)
    s = np.sign(np.diag(r))
    s[s == 0] = 1.0
    return q * s


def haar_symplectic(d: int, rng: RngLike = None) -> np.ndarray:
    """A Haar-random ``U ∈ Sp(d)`` (``U`` unitary, ``U J U^T = J``, ``J = [[0, I], [-I, 0]]``), d even.

    Symplectic Gram–Schmidt: for k < d/2, a complex Gaussian vector orthogonalised against the
    columns so far and normalised is column k, and ``φ(v) = -J conj(v)`` is column k + d/2.  The
    map φ is antiunitary, ``⟨v, φ(v)⟩ = 0`` and ``φ(Uv) = U φ(v)`` for ``U ∈ Sp(d)``, so the result
    lies in Sp(d) and its law is left invariant, i.e. Haar.  Checked against Lemma 16's exact
    ``haar_integral_symplectic`` in tests/test_sampling.py.

    Parameters
    ----------
    d : int
        An even dimension ``d >= 2``.
    rng : numpy.random.Generator or int or None

    Returns
    -------
    numpy.ndarray
        Complex128, ``d × d``.

    Raises
    ------
    ValueError
        If ``d`` is odd.

    Examples
    --------
    >>> U = haar_symplectic(4, 1); J = np.kron([[0, 1], [-1, 0]], np.eye(2))
    >>> bool(np.allclose(U @ J @ U.T, J)), bool(np.allclose(U.conj().T @ U, np.eye(4)))
    (True, True)
    """
    d = check_int(d, "d", 2)
    if d % 2:
        raise ValueError(f"d must be even for Sp(d) (d = 2n), got {d}")
    n = d // 2
    gen = as_rng(rng)
    z = gen.standard_normal((d, n)) + 1j * gen.standard_normal((d, n))
    u = np.zeros((d, d), dtype=complex)
    for k in range(n):
        v = z[:, k]
        for _ in range(2):  # twice is enough (re-orthogonalisation)
            done = np.concatenate([u[:, :k], u[:, n : n + k]], axis=1)
            v = v - done @ (done.conj().T @ v)
        v = v / np.linalg.norm(v)
        u[:, k] = v
        u[:, n + k] = np.concatenate([-v[n:].conj(), v[:n].conj()])  # -J conj(v)
    return u


def haar_real_state(d: int, rng: RngLike = None) -> np.ndarray:
    """A Haar-random real unit vector in ``R^d`` (distributed as ``O|0>`` for Haar O ∈ O(d)).

    Parameters
    ----------
    d : int
        ``d >= 1``.
    rng : numpy.random.Generator or int or None

    Returns
    -------
    numpy.ndarray
        Float64, shape ``(d,)``, unit norm.

    Examples
    --------
    >>> psi = haar_real_state(8, 3)
    >>> psi.dtype, round(float(psi @ psi), 12)
    (dtype('float64'), 1.0)
    """
    d = check_int(d, "d", 1)
    z = as_rng(rng).standard_normal(d)
    return z / np.linalg.norm(z)
