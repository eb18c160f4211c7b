"""Exact positive-definiteness of a rational Hermitian matrix (Lemmas 12.3, 12.4 of proofs/DERIVATION.md).

A certified upper end of Δ (:mod:`weingarten_check.delta.certified`) is a number only after a slack matrix has been
*proved* positive definite.  Here that proof is exact rational arithmetic, independent of the
floating-point solver that proposed the certificate:

* a complex Hermitian ``Z = X + iY`` (``X`` symmetric, ``Y`` antisymmetric) is positive definite iff
  its real embedding ``[[X, -Y], [Y, X]]`` (2D x 2D, real symmetric) is — the embedding has the
  spectrum of ``Z`` with every eigenvalue doubled;
* a real symmetric ``S`` is positive definite iff its LDLᵀ factorisation *without pivoting* exists
  with every pivot ``d_k > 0``; the pivots are ``d_k = Δ_k / Δ_{k-1}`` with ``Δ_k`` the k-th leading
  principal minor (Sylvester's criterion).  They are computed exactly by FLINT's fraction-free
  (Bareiss) elimination ``fmpz_mat.fflu`` on the integer matrix ``den · S``; if FLINT had to pivot
  (a leading minor vanished) ``S`` is not positive definite.

A second, *sufficient* test scales to larger matrices (the 136 x 136 level-2 slack at dA = 4, where
the Bareiss elimination of the 272 x 272 embedding with ~100-bit entries takes about a minute):

* congruence (:func:`is_hermitian_pd_by_congruence`): for ANY Gaussian-integer matrix ``W`` (in
  practice the rounded float eigenvectors of ``Z``), ``R = W† Z W`` is computed exactly (FLINT integer
  matrix products); if every row of R has ``R_ii > Σ_{j≠i} (|Re R_ij| + |Im R_ij|)`` then R is
  positive definite (Gershgorin; ``|Re z| + |Im z| >= |z|`` keeps the test in integers), so
  ``x† R x > 0`` for ``x ≠ 0``: W has no kernel and ``Z = W^-† R W^-1`` is positive definite.  A
  False answer proves nothing (the witness may just be poor); the test succeeds when
  ``λmin(Z)`` exceeds about ``n · 2^-52 · ||Z||`` (float eigenvector errors).

Inputs are integer matrices with a common power-of-two denominator (exact dyadic rationals): the
callers round every float to such a grid (:func:`to_grid`, :func:`round_hermitian`) and account for
the rounding separately.

Examples
--------
``[[2, i], [-i, 2]]`` has eigenvalues 1 and 3; ``[[1, 2], [2, 1]]`` has -1 and 3.

>>> is_hermitian_positive_definite([[2, 0], [0, 2]], [[0, 1], [-1, 0]])
True
>>> is_positive_definite([[1, 2], [2, 1]])
False
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import flint
import numpy as np

__all__ = [
    "real_embedding",
    "ldl_pivots",
    "is_positive_definite",
    "is_hermitian_positive_definite",
    "congruence_witness",
    "is_hermitian_pd_by_congruence",
    "to_grid",
    "round_hermitian",
    "fraction_to_float_up",
    "fraction_to_float_down",
]

IntMatrix = Sequence[Sequence[int]]


def _as_int_matrix(a: object, name: str) -> list[list[int]]:
    arr = np.asarray(a, dtype=object)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 1:
        raise ValueError(f"{name} must be a non-empty square matrix of ints, got shape {arr.shape}")
    out = []
    for row in arr:
        r = []
        for v in row:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name} must hold Python/numpy ints (exact numerators), got {type(v).__name__}")
            r.append(int(v))
        out.append(r)
    return out


def real_embedding(re: IntMatrix, im: IntMatrix) -> list[list[int]]:
    """The real symmetric embedding ``[[X, -Y], [Y, X]]`` of ``Z = X + iY`` (Lemma 12.3).

    It has the spectrum of ``Z`` with every eigenvalue doubled (module doc), so ``Z ≻ 0`` is decided
    on it.

    Parameters
    ----------
    re, im : sequence of sequence of int
        ``X`` and ``Y``, ``n x n`` integer matrices.

    Returns
    -------
    list of list of int
        The ``2n x 2n`` embedding.

    Raises
    ------
    ValueError
        Unless ``Z`` is exactly Hermitian (``X = Xᵀ``, ``Y = -Yᵀ``).
    TypeError
        If an entry is not an int.

    Examples
    --------
    >>> real_embedding([[2, 1], [1, 2]], [[0, 1], [-1, 0]])
    [[2, 1, 0, -1], [1, 2, 1, 0], [0, 1, 2, 1], [-1, 0, 1, 2]]
    """
    X, Y = _check_hermitian_ints(re, im)
    n = len(X)
    top = [X[i] + [-y for y in Y[i]] for i in range(n)]
    bot = [Y[i] + X[i] for i in range(n)]
    return top + bot


def ldl_pivots(S: IntMatrix) -> list[Fraction] | None:
    """Exact LDLᵀ pivots ``d_1 … d_N`` of a real symmetric integer matrix, no pivoting (Lemma 12.3).

    ``d_k = Δ_k / Δ_{k-1}`` (``Δ_k`` the leading principal minors) from FLINT's fraction-free LU.

    Parameters
    ----------
    S : sequence of sequence of int
        A symmetric integer matrix.

    Returns
    -------
    list of fractions.Fraction or None
        The pivots, or ``None`` if a leading principal minor vanishes (then no such factorisation
        exists and ``S`` is not positive definite).

    Raises
    ------
    ValueError
        If ``S`` is not square or not symmetric.

    Examples
    --------
    >>> ldl_pivots([[2, 1], [1, 2]])
    [Fraction(2, 1), Fraction(3, 2)]
    >>> ldl_pivots([[0, 1], [1, 0]]) is None
    True
    """
    rows = _as_int_matrix(S, "S")
    n = len(rows)
    for i in range(n):
        for j in range(i):
            if rows[i][j] != rows[j][i]:
                raise ValueError(f"S must be symmetric, S[{i},{j}] != S[{j},{i}]")
    P, _L, _D, U = flint.fmpz_mat(rows).fflu()
    if not P.is_one():
        return None
    minors = [int(U[k, k]) for k in range(n)]
    if any(m == 0 for m in minors):
        return None
    prev, piv = 1, []
    for m in minors:
        piv.append(Fraction(m, prev))
        prev = m
    return piv


def is_positive_definite(S: IntMatrix) -> bool:
    """Whether a real symmetric integer matrix is positive definite, decided exactly (Lemma 12.3).

    Parameters
    ----------
    S : sequence of sequence of int
        A symmetric integer matrix.

    Returns
    -------
    bool
        True iff every LDLᵀ pivot (:func:`ldl_pivots`) exists and is ``> 0``.

    Raises
    ------
    ValueError
        If ``S`` is not square or not symmetric.

    Examples
    --------
    >>> is_positive_definite([[2, 1], [1, 2]]), is_positive_definite([[1, 2], [2, 1]])
    (True, False)
    """
    piv = ldl_pivots(S)
    return piv is not None and all(p > 0 for p in piv)


def is_hermitian_positive_definite(re: IntMatrix, im: IntMatrix) -> bool:
    """Whether ``Z = re + i·im`` is positive definite, decided exactly on its real embedding (Lemma 12.3).

    Parameters
    ----------
    re, im : sequence of sequence of int
        The numerators of an exactly Hermitian matrix (a positive common denominator does not
        matter).

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        Unless ``Z`` is exactly Hermitian.

    Examples
    --------
    ``[[2, i], [-i, 2]]`` (eigenvalues 1, 3) and ``[[1, 2i], [-2i, 1]]`` (eigenvalues -1, 3):

    >>> is_hermitian_positive_definite([[2, 0], [0, 2]], [[0, 1], [-1, 0]])
    True
    >>> is_hermitian_positive_definite([[1, 0], [0, 1]], [[0, 2], [-2, 0]])
    False
    """
    return is_positive_definite(real_embedding(re, im))


def _check_hermitian_ints(re: IntMatrix, im: IntMatrix) -> tuple[list[list[int]], list[list[int]]]:
    """``re``, ``im`` as int matrices; ValueError unless ``re + i·im`` is exactly Hermitian."""
    X, Y = _as_int_matrix(re, "re"), _as_int_matrix(im, "im")
    n = len(X)
    if len(Y) != n:
        raise ValueError(f"re and im must have the same shape, got {n} and {len(Y)}")
    for i in range(n):
        for j in range(i + 1):
            if X[i][j] != X[j][i] or Y[i][j] != -Y[j][i]:
                raise ValueError(
                    f"matrix is not Hermitian at entry ({i}, {j}): re must be symmetric and im antisymmetric"
                )
    return X, Y


def _ints_to_float(rows: list[list[int]], shift: int) -> np.ndarray:
    return np.array([[float(v >> shift) if shift > 0 else float(v) for v in r] for r in rows])


def congruence_witness(re: IntMatrix, im: IntMatrix, bits: int = 60) -> tuple[list[list[int]], list[list[int]]]:
    """A Gaussian-integer witness ``W`` for :func:`is_hermitian_pd_by_congruence` (Lemma 12.4).

    The float eigenvectors of ``re + i·im`` times ``2^bits``, rounded.  Floating point only
    *proposes* W; the exact test does not trust it.

    Parameters
    ----------
    re, im : sequence of sequence of int
        An exactly Hermitian integer matrix.
    bits : int, default 60
        Scale of the eigenvectors, in ``[8, 62]`` (the entries fit int64).

    Returns
    -------
    tuple of (list of list of int, list of list of int)
        ``(W_re, W_im)``, the columns of W are the scaled eigenvectors.

    Raises
    ------
    ValueError
        Unless the matrix is exactly Hermitian and ``bits`` is in range.

    Examples
    --------
    >>> W_re, W_im = congruence_witness([[2, 1], [1, 2]], [[0, 0], [0, 0]], bits=8)
    >>> [[abs(w) for w in row] for row in W_re], W_im
    ([[181, 181], [181, 181]], [[0, 0], [0, 0]])
    """
    X, Y = _check_hermitian_ints(re, im)
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 8 <= bits <= 62:
        raise ValueError(f"bits must be an int in [8, 62] (|entries| <= 2^bits fit int64), got {bits!r}")
    big = max(1, max(abs(v) for r in X + Y for v in r))
    shift = max(0, big.bit_length() - 60)
    Z = _ints_to_float(X, shift) + 1j * _ints_to_float(Y, shift)
    _lam, V = np.linalg.eigh(0.5 * (Z + Z.conj().T))
    s = float(2**bits)
    return np.rint(V.real * s).astype(np.int64).tolist(), np.rint(V.imag * s).astype(np.int64).tolist()


def is_hermitian_pd_by_congruence(
    re: IntMatrix, im: IntMatrix, witness: tuple[IntMatrix, IntMatrix] | None = None
) -> bool:
    """An exact *sufficient* test that ``Z = re + i·im`` is positive definite (module doc, Lemma 12.4).

    True iff ``R = W† Z W`` (exact) has a positive diagonal and is strictly diagonally dominant in
    the ``|Re| + |Im|`` sense, for the Gaussian-integer witness ``W``.  True proves ``Z ≻ 0`` for
    any W; False proves nothing.

    Parameters
    ----------
    re, im : sequence of sequence of int
        An exactly Hermitian integer matrix.
    witness : tuple of two integer matrices, optional
        ``(W_re, W_im)``; default :func:`congruence_witness` ``(re, im)``.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        Unless ``Z`` is exactly Hermitian and the witness has its size.

    Examples
    --------
    With the rounded eigenvectors as W, ``R = W† Z W`` is nearly diagonal, with the eigenvalues of
    ``Z`` (times ``|W|²``) on the diagonal; a negative one fails the test:

    >>> is_hermitian_pd_by_congruence([[2, 1], [1, 2]], [[0, 0], [0, 0]])
    True
    >>> is_hermitian_pd_by_congruence([[1, 2], [2, 1]], [[0, 0], [0, 0]])
    False
    """
    X, Y = _check_hermitian_ints(re, im)
    n = len(X)
    if witness is None:
        witness = congruence_witness(X, Y)
    A, B = _as_int_matrix(witness[0], "witness re"), _as_int_matrix(witness[1], "witness im")
    if len(A) != n or len(B) != n:
        raise ValueError(f"witness must be {n} x {n}, got {len(A)} and {len(B)}")
    Xf, Yf, Af, Bf = (flint.fmpz_mat(m) for m in (X, Y, A, B))
    P1 = Xf * Af - Yf * Bf  # Re(Z W)
    P2 = Xf * Bf + Yf * Af  # Im(Z W)
    At, Bt = Af.transpose(), Bf.transpose()
    Rr = (At * P1 + Bt * P2).tolist()  # Re(W† Z W)
    Ri = (At * P2 - Bt * P1).tolist()  # Im(W† Z W)
    for i in range(n):
        d = int(Rr[i][i])
        if d <= 0:
            return False
        off = sum(abs(int(Rr[i][j])) + abs(int(Ri[i][j])) for j in range(n) if j != i)
        if off >= d:
            return False
    return True


def to_grid(x: np.ndarray, exponent: int) -> np.ndarray:
    """Round a float array to the grid ``2^-exponent``, exactly (the rational data of Lemma 12.3).

    Parameters
    ----------
    x : array_like
        Finite floats.
    exponent : int

    Returns
    -------
    numpy.ndarray
        The object array of Python ints ``round(x · 2^exponent)`` (exact, no overflow).

    Raises
    ------
    ValueError
        If ``x`` is not finite.

    Examples
    --------
    >>> to_grid(np.array([0.5, 1 / 3]), 4).tolist()
    [8, 5]
    """
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("cannot round non-finite values to a rational grid")
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        out[idx] = round(Fraction(float(x[idx])) * (Fraction(2) ** exponent))
    return out


def round_hermitian(X: np.ndarray, exponent: int) -> tuple[np.ndarray, np.ndarray]:
    """Round a (numerically) Hermitian matrix to an exactly Hermitian one on the grid ``2^-exponent`` (Lemma 12.3).

    The upper triangle is rounded (:func:`to_grid`) and mirrored: the numerators ``(re, im)`` have
    ``re`` symmetric and ``im`` antisymmetric with a zero diagonal, whatever the rounding of the
    lower triangle.

    Parameters
    ----------
    X : numpy.ndarray
        A square complex matrix (its lower triangle is ignored).
    exponent : int

    Returns
    -------
    tuple of numpy.ndarray
        ``(re, im)``, object arrays of Python ints.

    Examples
    --------
    >>> re, im = round_hermitian(np.array([[1.0, 0.5j], [-0.5j, 2.0]]), 2)
    >>> re.tolist(), im.tolist()
    ([[4, 0], [0, 8]], [[0, 2], [-2, 0]])
    """
    re, im = to_grid(X.real, exponent), to_grid(X.imag, exponent)
    n = X.shape[0]
    for i in range(n):
        im[i, i] = 0
        for j in range(i):
            re[i, j], im[i, j] = re[j, i], -im[j, i]
    return re, im


def fraction_to_float_up(x: Fraction) -> float:
    """The smallest double ``>= x``, so that a proved upper bound stays one as a float (Lemma 12.3).

    Parameters
    ----------
    x : fractions.Fraction

    Returns
    -------
    float

    Examples
    --------
    >>> fraction_to_float_up(Fraction(1, 3)) > 1 / 3
    True
    """
    f = float(x)
    if Fraction(f) < x:
        f = float(np.nextafter(f, np.inf))
    return f


def fraction_to_float_down(x: Fraction) -> float:
    """The largest double ``<= x``, so that a proved lower bound stays one as a float (Lemma 12).

    Parameters
    ----------
    x : fractions.Fraction

    Returns
    -------
    float

    Examples
    --------
    >>> x = fraction_to_float_down(Fraction(1, 10))
    >>> x < 0.1, Fraction(x) <= Fraction(1, 10)
    (True, True)
    """
    f = float(x)
    if Fraction(f) > x:
        f = float(np.nextafter(f, -np.inf))
    return f
