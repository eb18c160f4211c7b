"""Reference implementations used only by the tests (and proofs): slow, simple or high-precision
versions of library routines that the library itself does not call.

One section per area of the package, each with a header comment; append only.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
import scipy.linalg

from weingarten_check.delta.reduction import k_from_reduced
from weingarten_check.states.observables import Observable
from weingarten_check.states.reduced import check_state_array, local_grams, support_matrix, touching_support
from weingarten_check.states.sampling import RngLike, as_rng, ginibre_fill, ginibre_r_factor
from weingarten_check.util.checks import check_int, check_sites

# ==================================================================================================
# states: K and c0 straight from a state (tests of states/reduced.py and delta/reduction.py)
# ==================================================================================================


def k_from_state(obs: Observable, psi: np.ndarray, sites_A: Sequence[int]) -> np.ndarray:
    """Route-1 ``K`` for ``H2 = H`` (V2 = I) and ``ρ1 = |ψ><ψ|``: one pass over ψ (shape (q,)*n)
    for the reduced density matrix on ``S = A ∪ supp(terms touching A)``, then
    :func:`weingarten_check.delta.reduction.k_from_reduced`.  Equals
    :func:`weingarten_check.delta.variation_range.k_matrix` of the dense cost tensor."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    psi = check_state_array(psi, "psi", obs.n, None)
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
    Equals :func:`weingarten_check.delta.variation_range.cost_constant` of the dense cost tensor."""
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    psi = check_state_array(psi, "psi", obs.n, None)
    A = set(check_sites(sites_A, obs.n, proper=False))
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
        groups[supB] = groups.get(supB, 0) + support_matrix(v, ops, supB, obs.q)
    sups = list(groups)
    total = scalar * float(np.real(np.vdot(psi.reshape(-1), psi.reshape(-1)))) if scalar else 0j
    if sups:
        for sup, g in zip(sups, local_grams(psi, sups, obs.n)):
            total += np.einsum("pq,qp->", groups[sup], g[:, 0, :, 0])  # tr(O ρ_sup)
    return float(np.real(total))


def random_local_observable(n: int, q: int, seed: int) -> Observable:
    """Random Hermitian 1-, 2- and 3-site terms (non-adjacent supports included)."""
    rng = np.random.default_rng(seed)
    terms = [(0.7, {})]
    for sup in ((0,), (1, n - 2), (n - 1, 0), (2, 1, n - 1)):
        mats = {}
        for s in sup:
            x = rng.standard_normal((q, q)) + 1j * rng.standard_normal((q, q))
            mats[s] = x + x.conj().T
        terms.append((float(rng.standard_normal()), mats))
    return Observable(n, q, terms, check_hermitian=True)


# ==================================================================================================
# states: test-only samplers (the library draws with states/sampling.py only)
# ==================================================================================================


def haar_isometry_cholqr(d: int, k: int, rng: RngLike = None, *, rows: int = 2**14) -> np.ndarray:
    """The matrix ``haar_isometry(d, k, rng)`` returns (equal up to rounding), in the memory of the
    result alone: the same Ginibre numbers are drawn ``rows`` rows at a time (``ginibre_fill``) into
    the ``d × k`` output, which is then orthonormalised in place by Cholesky QR, twice (CholQR2:
    ``R = chol(Z^† Z)^†`` (``ginibre_r_factor``), ``Z <- Z R^{-1}``; each Gram matrix is accumulated
    in the pass that writes the block, so the whole costs the draw plus two passes).  The QR
    factorisation with ``diag R > 0`` is unique, and it is exactly the Mezzadri-phase-fixed one, so
    this is the same Haar isometry.  Needs ``d >= 64 k`` (then ``cond(Z) < 1.5`` with overwhelming
    probability and CholQR2 is accurate to ~1e-15).  The library does not form W at all
    (``states.hamiltonian_gram.hamiltonian_gram_rows`` reduces Z while it is drawn); this is the
    reference that the numbers of ``ginibre_fill`` + ``ginibre_r_factor`` are Haar's.
    """
    d = check_int(d, "d", 1)
    k = check_int(k, "k", 1)
    rows = check_int(rows, "rows", 1)
    if d < 64 * k:
        raise ValueError(
            f"haar_isometry_cholqr needs d >= 64 k (well-conditioned Ginibre), got d={d}, k={k}; use haar_isometry"
        )
    z = np.empty((d, k), dtype=np.complex128)
    gram = np.zeros((k, k), dtype=np.complex128)
    i0 = 0
    for i1 in ginibre_fill(z, rng, rows=rows):  # accumulate Z^† Z while the block is in cache
        zc = z[i0:i1]
        gram += zc.conj().T @ zc
        i0 = i1
    for last in (False, True):  # CholQR2: Z <- Z R1^{-1} (accumulating the new gram), then R2^{-1}
        upper = ginibre_r_factor(gram)
        rinv = scipy.linalg.solve_triangular(upper, np.eye(k), lower=False)
        gram = np.zeros((k, k), dtype=np.complex128)
        for i0 in range(0, d, rows):
            zc = z[i0 : i0 + rows]
            zc[...] = zc @ rinv
            if not last:
                gram += zc.conj().T @ zc
    return z


def _mp_uniform(rng: np.random.Generator, bits: int) -> mpmath.mpf:
    """Uniform in (0, 1) with ``bits`` random bits (never exactly 0)."""
    words = -(-bits // 62)
    value = 0
    for w in rng.integers(0, 2**62, size=words, dtype=np.int64):
        value = (value << 62) | int(w)
    return (mpmath.mpf(value) + mpmath.mpf("0.5")) / mpmath.mpf(2) ** (62 * words)


def mp_ginibre(d: int, k: int, rng: RngLike = None, dps: int = 50) -> mpmath.matrix:
    """d x k complex Ginibre matrix at ``dps`` decimal digits (Box-Muller on high-precision uniforms)."""
    d = check_int(d, "d", 1)
    k = check_int(k, "k", 1)
    dps = check_int(dps, "dps", 15)
    gen = as_rng(rng)
    with mpmath.workdps(dps + 10):
        bits = int((dps + 10) * 3.33) + 8
        z = mpmath.matrix(d, k)
        for i in range(d):
            for j in range(k):
                u1, u2 = _mp_uniform(gen, bits), _mp_uniform(gen, bits)
                rad = mpmath.sqrt(-mpmath.log(u1))  # |z|^2 ~ Exp(1): E|z|^2 = 1
                ang = 2 * mpmath.pi * u2
                z[i, j] = mpmath.mpc(rad * mpmath.cos(ang), rad * mpmath.sin(ang))
    with mpmath.workdps(dps):
        return z * 1  # round to the working precision


def _mp_gram_schmidt(z: mpmath.matrix, dps: int) -> mpmath.matrix:
    """Orthonormalise the columns (modified Gram-Schmidt, twice): Q with diag(R) > 0."""
    d, k = z.rows, z.cols
    with mpmath.workdps(dps + 10):
        cols = [[z[i, j] for i in range(d)] for j in range(k)]
        for j in range(k):
            v = cols[j]
            for _ in range(2):
                for p in range(j):
                    u = cols[p]
                    c = mpmath.fsum(mpmath.conj(u[i]) * v[i] for i in range(d))
                    v = [v[i] - c * u[i] for i in range(d)]
            nrm = mpmath.sqrt(mpmath.fsum(abs(x) ** 2 for x in v))
            cols[j] = [x / nrm for x in v]
        q = mpmath.matrix(d, k)
        for j in range(k):
            for i in range(d):
                q[i, j] = cols[j][i]
    with mpmath.workdps(dps):
        return q * 1


def mp_haar_isometry(d: int, k: int, rng: RngLike = None, dps: int = 50) -> mpmath.matrix:
    """d x k Haar isometry at ``dps`` digits (Gram-Schmidt of a Ginibre matrix = phase-fixed QR)."""
    d = check_int(d, "d", 1)
    k = check_int(k, "k", 1)
    if k > d:
        raise ValueError(f"k must satisfy k <= d, got k={k}, d={d}")
    return _mp_gram_schmidt(mp_ginibre(d, k, rng, dps), dps)


def mp_haar_unitary(d: int, rng: RngLike = None, dps: int = 50) -> mpmath.matrix:
    """d x d Haar unitary at ``dps`` digits (intended for small d, say d <= 64)."""
    return mp_haar_isometry(d, d, rng, dps)


def mp_haar_state(d: int, rng: RngLike = None, dps: int = 50) -> mpmath.matrix:
    """Haar-random unit vector in C^d at ``dps`` digits, as a d x 1 mpmath matrix."""
    return mp_haar_isometry(d, 1, rng, dps)
