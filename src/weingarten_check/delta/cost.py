"""The cost as a Hermitian form on ``u = vec(UA)``, built from K alone (Lemma 12.1).

With ``C(UA) = c0 + tr(Kᵀ R(UA))`` and ``R_ab(U) = tr(G_a U G_b U†)`` (math-notes, Route 1),
expanding the trace gives, for ``u = vec(U)`` row-major (``u[k·dA + i] = U[k, i]``),

    C(U) - c0 = <u| M |u>,   M = Σ_ab K_ab G_a ⊗ conj(G_b),
    M[(l, j), (k, i)] = Σ_ab K_ab (G_a)_{lk} (G_b)_{ij}                      (Lemma 12.1)

a dA² x dA² Hermitian matrix (K real, G_a Hermitian).  In terms of the Choi matrix
``J = |u><u|`` this is ``C - c0 = tr(M J)``, the objective of the unital-channel SDP
(:mod:`.unital_sdp`).

For the exact certificate (:mod:`.exact_psd`), ``M`` is also given as an exact rational matrix
``M_r`` on a dyadic grid with a *proved* bound ``||M - M_r||_2 <= err``: ``G_a = F_a / sqrt(p_a)``
with ``F_a`` Gaussian-integer (generalised Gell-Mann, ``p_a = 2`` or ``l(l+1)``), so
``M = Σ_ab K̃_ab F_a ⊗ conj(F_b)`` with ``K̃_ab = K_ab / sqrt(p_a p_b)``; each ``K̃_ab`` is rounded
with integer square roots (``isqrt``), error below ``2 · 2^-Q``, and
``||F_a ⊗ F_b||_2 = ||F_a||_2 ||F_b||_2`` bounds the sum.  K's floats are taken as exact data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import numpy as np

from ..states.bases import orthonormal_traceless_basis

__all__ = [
    "check_k",
    "form_from_k",
    "k_from_form",
    "rational_basis",
    "ExactForm",
    "exact_form_from_k",
]


def check_k(K: object, dA: object) -> tuple[np.ndarray, int]:
    """Validate ``K`` (real, finite, ``(dA²-1) x (dA²-1)``) and ``dA`` (int >= 2)."""
    if isinstance(dA, bool) or not isinstance(dA, (int, np.integer)):
        raise TypeError(f"dA must be an int (the dimension of A), got {type(dA).__name__}")
    if dA < 2:
        raise ValueError(f"dA must be >= 2, got {dA}")
    dA = int(dA)
    try:
        K = np.asarray(K)
    except Exception as exc:  # pragma: no cover - numpy raises on ragged input
        raise TypeError(f"K must be a real matrix, got {type(K).__name__}") from exc
    r = dA * dA - 1
    if K.shape != (r, r):
        raise ValueError(f"K must be (dA²-1) x (dA²-1) = {r} x {r} for dA = {dA}, got shape {K.shape}")
    if not (np.issubdtype(K.dtype, np.number) or K.dtype == bool):
        raise TypeError(f"K must be a real numeric matrix, got dtype {K.dtype}")
    if np.iscomplexobj(K):
        if np.abs(K.imag).max(initial=0.0) > 1e-9 * max(1.0, float(np.abs(K).max(initial=0.0))):
            raise ValueError("K must be real (Hermitian H2 and rho1 give a real K)")
        K = K.real
    K = np.asarray(K, dtype=float)
    if not np.all(np.isfinite(K)):
        raise ValueError("K must be finite (no NaN or inf entries)")
    return K, dA


def form_from_k(K: np.ndarray, dA: int) -> np.ndarray:
    """``M = Σ_ab K_ab G_a ⊗ conj(G_b)`` (dA² x dA², Hermitian), ``C(U) - c0 = <vec U|M|vec U>``
    (Lemma 12.1; ``vec`` row-major)."""
    K, dA = check_k(K, dA)
    G = orthonormal_traceless_basis(dA)
    M = np.einsum("ab,alk,bij->ljki", K, G, G, optimize=True).reshape(dA * dA, dA * dA)
    return 0.5 * (M + M.conj().T)


def k_from_form(M: np.ndarray, dA: int) -> np.ndarray:
    """Inverse of :func:`form_from_k` on its image: ``K_ab = Σ (G_a)_{kl} (G_b)_{ji} M[(l,j),(k,i)]``
    (the G_a ⊗ conj G_b are orthonormal).  The identity components of ``M`` (constant on unitaries)
    are dropped."""
    M = np.asarray(M)
    if isinstance(dA, bool) or not isinstance(dA, (int, np.integer)) or dA < 2:
        raise ValueError(f"dA must be an int >= 2, got {dA!r}")
    if M.shape != (dA * dA, dA * dA):
        raise ValueError(f"M must be dA² x dA² = {dA * dA} x {dA * dA}, got shape {M.shape}")
    G = orthonormal_traceless_basis(dA)
    T = M.reshape(dA, dA, dA, dA)
    return np.real(np.einsum("akl,bji,ljki->ab", G, G, T, optimize=True))


@cache
def rational_basis(dA: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``((re F_a, im F_a, p_a), ...)``: integer matrices with ``G_a = F_a / sqrt(p_a)`` exactly
    (checked: ``tr(F_a F_b) = p_a δ_ab`` in integers and ``F_a / sqrt(p_a)`` equals the float G_a)."""
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
        for b, (br, bi, pb) in enumerate(out):
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
    """``M_r = (re + i·im) / 2^exponent`` (Python-int numerators) with ``||M - M_r||_2 <= err``."""

    re: np.ndarray
    im: np.ndarray
    exponent: int
    err: Fraction
    dA: int


def exact_form_from_k(K: np.ndarray, dA: int, bits: int = 52) -> ExactForm:
    """Exact rational version of :func:`form_from_k` with a proved spectral-norm error (module doc).
    ``bits``: numerator size of the largest ``K̃_ab``; the error is about ``2^-bits · max|K|``."""
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
