"""Exact positive-definiteness of a rational Hermitian matrix (Lemma 12.3 of proofs/DERIVATION.md).

A certified upper end of Δ (:mod:`.certified_delta`) is a number only after a slack matrix has been
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
callers round every float to such a grid and account for the rounding separately.
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
    """``[[X, -Y], [Y, X]]`` of ``Z = X + iY``; raises ValueError unless ``Z`` is exactly Hermitian
    (``X = Xᵀ``, ``Y = -Yᵀ``)."""
    X, Y = _check_hermitian_ints(re, im)
    n = len(X)
    top = [X[i] + [-y for y in Y[i]] for i in range(n)]
    bot = [Y[i] + X[i] for i in range(n)]
    return top + bot


def ldl_pivots(S: IntMatrix) -> list[Fraction] | None:
    """Exact LDLᵀ pivots ``d_1..d_N`` of a real symmetric integer matrix (no pivoting), or ``None``
    if a leading principal minor vanishes (then no such factorisation exists and ``S`` is not
    positive definite).  ``d_k = Δ_k / Δ_{k-1}`` from FLINT's fraction-free LU."""
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
    """True iff the real symmetric integer matrix ``S`` is positive definite (exact: all LDLᵀ
    pivots > 0)."""
    piv = ldl_pivots(S)
    return piv is not None and all(p > 0 for p in piv)


def is_hermitian_positive_definite(re: IntMatrix, im: IntMatrix) -> bool:
    """True iff ``Z = re + i·im`` (integer entries, exactly Hermitian) is positive definite, decided
    exactly on its real embedding (module doc).  A positive common denominator does not matter."""
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
    """A witness for :func:`is_hermitian_pd_by_congruence`: the float eigenvectors of ``re + i·im``
    (exactly Hermitian integers) times ``2^bits``, rounded to Gaussian integers ``(W_re, W_im)``.
    Floating point only *proposes* W; the exact test does not trust it."""
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
    """Exact *sufficient* test that ``Z = re + i·im`` (integers, exactly Hermitian, else ValueError)
    is positive definite (module doc): True iff ``R = W† Z W`` (exact) has positive diagonal and is
    strictly diagonally dominant in the ``|Re| + |Im|`` sense, for the Gaussian-integer witness
    ``W = witness[0] + i·witness[1]`` (default :func:`congruence_witness`).  True proves ``Z ≻ 0``
    for any W; False proves nothing."""
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
    """Round a float array to the grid ``2^-exponent``: returns the object array of Python ints
    ``round(x · 2^exponent)`` (exact, no overflow)."""
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("cannot round non-finite values to a rational grid")
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        out[idx] = round(Fraction(float(x[idx])) * (Fraction(2) ** exponent))
    return out


def fraction_to_float_up(x: Fraction) -> float:
    """The smallest double ``>= x`` (so a proved upper bound stays an upper bound as a float)."""
    f = float(x)
    if Fraction(f) < x:
        f = float(np.nextafter(f, np.inf))
    return f


def fraction_to_float_down(x: Fraction) -> float:
    """The largest double ``<= x``."""
    f = float(x)
    if Fraction(f) > x:
        f = float(np.nextafter(f, -np.inf))
    return f
