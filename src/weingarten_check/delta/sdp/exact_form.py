"""The form of a cost as an exact rational matrix with a proved error (the data of Lemma 12.3).

The certificates of :mod:`.level1` and :mod:`.level2` are checked in exact arithmetic, so the form
``M = Σ_ab K_ab G_a ⊗ conj(G_b)`` (:func:`weingarten_check.delta.cost.form_from_k`) is needed as an
exact rational matrix ``M_r`` on a dyadic grid with a *proved* bound ``||M - M_r||_2 <= err``:

* ``G_a = F_a / sqrt(p_a)`` with ``F_a`` a Gaussian-integer matrix (generalised Gell-Mann,
  ``p_a = 2`` or ``l(l+1)``), checked exactly (:func:`rational_basis`);
* so ``M = Σ_ab K̃_ab F_a ⊗ conj(F_b)`` with ``K̃_ab = K_ab / sqrt(p_a p_b)``; each ``K̃_ab`` is
  rounded on the grid ``2^-Q`` with integer square roots (``isqrt``), error below ``2 · 2^-Q``;
* ``||F_a ⊗ F_b||_2 = ||F_a||_2 ||F_b||_2`` and the integer row-sum bound of ``||F_a||_2`` bound
  the sum of the errors (:func:`exact_form_from_k`).

K's floats are taken as exact data.

Examples
--------
>>> E = exact_form_from_k(np.diag([0.0, 0.0, 1.0]), 2)
>>> Mr = (E.re.astype(float) + 1j * E.im.astype(float)) / 2.0**E.exponent
>>> from weingarten_check.delta.cost import form_from_k
>>> bool(np.linalg.norm(form_from_k(np.diag([0.0, 0.0, 1.0]), 2) - Mr, 2) <= E.err)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np

from ...states.bases import orthonormal_traceless_basis
from ..cost import check_k

__all__ = ["rational_basis", "ExactForm", "exact_form_from_k"]


@cache
def rational_basis(dA: int) -> tuple[tuple[np.ndarray, np.ndarray, int], ...]:
    """The orthonormal traceless basis ``G_a`` as integer matrices over square roots.

    Parameters
    ----------
    dA : int
        The dimension (``>= 2``).

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray, int)
        ``((re F_a, im F_a, p_a), ...)``: integer matrices with ``G_a = F_a / sqrt(p_a)`` exactly, ``G_a``
        the basis :func:`~weingarten_check.states.bases.orthonormal_traceless_basis` ``(dA)``
        (checked: ``tr(F_a F_b) = p_a δ_ab`` in integers and ``F_a / sqrt(p_a)`` equals the float
        ``G_a``).

    Raises
    ------
    RuntimeError
        If the check fails (a bug).

    Examples
    --------
    >>> [p for _re, _im, p in rational_basis(3)]
    [2, 2, 2, 2, 2, 2, 2, 6]
    >>> rational_basis(3)[-1][0].tolist()  # the last diagonal Gell-Mann matrix, times sqrt(6)
    [[1, 0, 0], [0, 1, 0], [0, 0, -2]]
    """
    G = orthonormal_traceless_basis(dA)
    out = []
    for a, g in enumerate(G):
        nz = np.abs(g)[np.abs(g) > 1e-12]
        p = int(round(1.0 / float(nz.min()) ** 2))
        f = g * math.sqrt(p)
        fr, fi = np.rint(f.real).astype(np.int64), np.rint(f.imag).astype(np.int64)
        if not np.allclose(fr + 1j * fi, f, atol=1e-9):
            raise RuntimeError(f"basis element {a} is not an integer matrix over sqrt({p}) (bug)")
        out.append((fr, fi, p))
    for a, (ar, ai, pa) in enumerate(out):  # exact orthogonality in integers
        for b, (br, bi, _pb) in enumerate(out):
            tr_re = int(np.sum(ar * br.T - ai * bi.T))
            if tr_re != (pa if a == b else 0):
                raise RuntimeError("rational basis is not orthogonal (bug)")
    return tuple(out)


def _opnorm_bound(fr: np.ndarray, fi: np.ndarray) -> int:
    """Integer upper bound of ``||F||_2`` for Hermitian F: the largest absolute row sum
    (``|re| + |im|`` per entry bounds the modulus)."""
    return int(np.max(np.sum(np.abs(fr) + np.abs(fi), axis=1)))


@dataclass(frozen=True)
class ExactForm:
    """An exact rational form ``M_r = (re + i·im) / 2^exponent`` with ``||M - M_r||_2 <= err`` (Lemma 12.3).

    Attributes
    ----------
    re, im : numpy.ndarray
        ``dA² x dA²`` object arrays of Python ints (exactly Hermitian: ``re`` symmetric, ``im``
        antisymmetric).
    exponent : int
        The grid ``2^-exponent``.
    err : fractions.Fraction
        The proved spectral-norm distance to the float form it encloses.
    dA : int

    Examples
    --------
    >>> E = exact_form_from_k(np.eye(3), 2)
    >>> F = E.negated()
    >>> bool(np.all(F.re == -E.re)), F.err == E.err, F.exponent == E.exponent
    (True, True, True)
    """

    re: np.ndarray
    im: np.ndarray
    exponent: int
    err: Fraction
    dA: int

    def negated(self) -> ExactForm:
        """The exact form of ``-M`` (same grid and error): the min side of Δ is ``max(-M)``."""
        return ExactForm(-self.re, -self.im, self.exponent, self.err, self.dA)


def exact_form_from_k(K: np.ndarray, dA: int, bits: int = 52) -> ExactForm:
    """The exact rational version of :func:`weingarten_check.delta.cost.form_from_k`, with a proved error.

    See the module doc for the construction and the error bound (used by the certificates of
    Lemmas 12.3 and 12.4 of proofs/DERIVATION.md).

    Parameters
    ----------
    K : array_like
        Real ``(dA²-1) x (dA²-1)``, taken as exact data.
    dA : int
        The dimension of A.
    bits : int, default 52
        Numerator size of the largest ``K̃_ab``; the error is about ``2^-bits · max|K|``.

    Returns
    -------
    ExactForm

    Raises
    ------
    TypeError, ValueError
        From :func:`weingarten_check.delta.cost.check_k`; ValueError if ``bits < 8``.

    Examples
    --------
    ``K_zz = 1`` on the grid ``2^-19`` (20 bits for ``max|K| = 1``): ``M[0, 0] = 1/2`` exactly, and the
    proved error is ``2 (Σ_a ||F_a||)² 2^-19 = 18 · 2^-19``.

    >>> E = exact_form_from_k(np.diag([0.0, 0.0, 1.0]), 2, bits=20)
    >>> E.exponent, int(E.re[0, 0]), E.err
    (19, 262144, Fraction(9, 262144))
    """
    K, dA = check_k(K, dA)
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or bits < 8:
        raise ValueError(f"bits must be an int >= 8, got {bits!r}")
    basis = rational_basis(dA)
    D = dA * dA
    kmax = float(np.abs(K).max(initial=0.0))
    Q = int(bits) - (math.frexp(kmax)[1] if kmax > 0 else 0)
    scale = Fraction(2) ** Q
    ktil = {}
    for a in range(K.shape[0]):
        for b in range(K.shape[1]):
            x = Fraction(float(K[a, b])) * scale
            if x == 0:
                continue
            X = math.floor(abs(x))
            p = basis[a][2] * basis[b][2]
            t = math.isqrt(X * X // p)  # floor(X / sqrt(p)), exact
            if t:
                ktil[a, b] = t if x > 0 else -t
    re = np.zeros((D, D), dtype=object)
    im = np.zeros((D, D), dtype=object)
    re[:], im[:] = 0, 0
    nz = []
    for fr, fi, _p in basis:
        nz.append([(l, k, int(fr[l, k]), int(fi[l, k])) for l in range(dA) for k in range(dA) if fr[l, k] or fi[l, k]])
    for (a, b), t in ktil.items():
        for l, k, ar, ai in nz[a]:
            for i, j, br, bi in nz[b]:  # (G_b)_{ij}
                cr, ci = ar * br - ai * bi, ar * bi + ai * br
                r, c = l * dA + j, k * dA + i
                re[r, c] += t * cr
                im[r, c] += t * ci
    norms = sum(_opnorm_bound(fr, fi) for fr, fi, _ in basis)
    err = Fraction(2 * norms * norms) / scale  # Σ_ab |δ_ab| ||F_a|| ||F_b||, |δ_ab| < 2·2^-Q
    return ExactForm(re, im, Q, err, dA)
