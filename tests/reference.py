"""Reference implementations used only by the tests (and proofs): slow, simple or high-precision
versions of library routines that the library itself does not call.

One section per area of the package, each with a header comment; append only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import clarabel
import mpmath
import numpy as np
import scipy.linalg
import scipy.sparse as sps
from scipy.linalg import expm
from scipy.optimize import minimize

from weingarten_check.delta.certified import nuclear_bound
from weingarten_check.delta.cost import check_cost_tensor, k_matrix
from weingarten_check.delta.optimiser import hermitian_parameter_basis, optimise_form
from weingarten_check.delta.reduction import k_from_reduced
from weingarten_check.delta.sdp.level1 import real_embedding_svec, svec_indices
from weingarten_check.delta.sdp.level2 import Level2Solution, Sym2, constraint_ops
from weingarten_check.states.bases import orthonormal_traceless_basis
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
    :func:`weingarten_check.delta.exact.k_matrix` of the dense cost tensor."""
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
    Equals :func:`weingarten_check.delta.exact.cost_constant` of the dense cost tensor."""
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


# ==================================================================================================
# delta.sdp: partial traces, the level-2 value and the interior-point level-2 solver (tests of delta/sdp/)
# ==================================================================================================


def partial_traces(J: np.ndarray, dA: int) -> tuple[np.ndarray, np.ndarray]:
    """``(tr_1 J, tr_2 J)`` for J on C^dA ⊗ C^dA (index ``(k, i)`` row-major): ``tr_1`` sums over
    k, ``tr_2`` over i.  For ``J = |vec U><vec U|``: ``tr_1 J = (Uᵀ conj U)`` = I and
    ``tr_2 J = U U†`` = I (Lemma 12.1: a unitary channel is unital)."""
    T = np.asarray(J).reshape(dA, dA, dA, dA)
    return np.einsum("kikj->ij", T), np.einsum("kili->kl", T)


def level2_value(M: np.ndarray, X) -> float:
    """``f(X) = dA² λmax(P† ((M⊗I)/dA + Σ_c X_c ⊗ Z_c) P)`` of (12.4), with the dense isometry P: the
    float value that the library's level-2 solver minimises (by gathers, not products with P)."""
    M = np.asarray(M, dtype=np.complex128)
    D = M.shape[0]
    dA = math.isqrt(D)
    P = Sym2(D).isometry()
    H = np.kron(M, np.eye(D)) / dA + sum(np.kron(Xc, Z) for Xc, Z in zip(X, constraint_ops(dA)))
    H = P.T @ H @ P
    return float(dA**2 * np.linalg.eigvalsh(0.5 * (H + H.conj().T))[-1])


def solve_level2_interior_point(M: np.ndarray, *, tol: float = 1e-9) -> Level2Solution:
    """The level-2 SDP by Clarabel (interior point): ``min γ`` s.t.
    ``P†(γ/dA² I - (M⊗I)/dA - Σ_c X_c ⊗ Z_c)P ⪰ 0`` (P: isometry onto Sym²).  30-90 s at dA = 3, out
    of memory reach at dA = 4: the reference the library's first-order ``solve_level2`` replaced."""
    M = np.asarray(M, dtype=np.complex128)
    D = M.shape[0]
    dA = math.isqrt(D)
    if M.shape != (D, D) or dA * dA != D or dA < 2:
        raise ValueError(f"M must be dA² x dA², got shape {M.shape}")
    P = Sym2(D).isometry()
    n = 2 * P.shape[1]
    idx = svec_indices(n)

    def vec(X):  # P† X P, real embedding, svec
        return real_embedding_svec(P.T @ X @ P, idx)

    Zs = constraint_ops(dA)
    Hb = hermitian_parameter_basis(D)
    cols = [-vec(np.eye(D * D)) / dA**2]
    for Z in Zs:
        for h in Hb:
            cols.append(vec(np.kron(h, Z)))
    A = np.stack(cols, axis=1)  # s = b - A x = svec(Q)
    b = -vec(np.kron(M, np.eye(D))) / dA
    c = np.zeros(A.shape[1])
    c[0] = 1.0
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = tol
    t0 = time.perf_counter()
    solver = clarabel.DefaultSolver(
        sps.csc_matrix((A.shape[1], A.shape[1])), c, sps.csc_matrix(A), b, [clarabel.PSDTriangleConeT(n)], st
    )
    sol = solver.solve()
    x = np.asarray(sol.x)
    nh = len(Hb)
    X = [np.einsum("p,pij->ij", x[1 + k * nh : 1 + (k + 1) * nh], Hb) for k in range(len(Zs))]
    return Level2Solution(float(x[0]), X, str(sol.status), time.perf_counter() - t0)


# ==================================================================================================
# delta: Δ from dense matrices and from cost tensors: brute force, the older bracket, mpmath (tests of delta/)
# ==================================================================================================


def random_hermitian(d: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    return (a + a.conj().T) / 2


def random_density(d: int, rng: np.random.Generator, rank: int = 2) -> np.ndarray:
    z = rng.standard_normal((d, rank)) + 1j * rng.standard_normal((d, rank))
    r = z @ z.conj().T
    return r / np.trace(r)


def local(U: np.ndarray, sites, n: int, q: int) -> np.ndarray:
    """Dense UA ⊗ I_B with UA on `sites` (sorted, contiguous from 0 here for simplicity)."""
    assert tuple(sites) == tuple(range(len(sites)))
    return np.kron(U, np.eye(q ** (n - len(sites))))


def direct_cost(H2: np.ndarray, rho1: np.ndarray, U: np.ndarray, sites, n: int, q: int) -> float:
    """``C(UA) = tr(H2 (UA ⊗ I) ρ1 (UA ⊗ I)†)`` from the dense matrices (no T, no K)."""
    W = local(U, sites, n, q)
    return float(np.real(np.trace(H2 @ W @ rho1 @ W.conj().T)))


def brute_force_delta(H2, rho1, sites, n, q, starts=4, seed=0) -> float:
    """Independent brute force: BFGS with finite-difference gradients on U = exp(i Σ x_p B_p),
    cost evaluated from the dense matrices (no T, no K).  gtol = 1e-7 suffices for 1e-12 in
    the value (the value error near an optimum is quadratic in the gradient)."""
    dA = q ** len(sites)
    B = np.concatenate([np.eye(dA)[None] / np.sqrt(dA), orthonormal_traceless_basis(dA)])
    rng = np.random.default_rng(seed)
    best = {}
    for sign in (1.0, -1.0):
        vals = []
        for _ in range(starts):

            def f(x, sign=sign):
                return sign * direct_cost(H2, rho1, expm(1j * np.einsum("p,pij->ij", x, B)), sites, n, q)

            res = minimize(f, rng.uniform(-np.pi, np.pi, dA * dA), method="BFGS", options={"gtol": 1e-7})
            vals.append(sign * res.fun)
        best[sign] = min(vals) if sign > 0 else max(vals)
    return best[-1.0] - best[1.0]


def optimise_cost(T: np.ndarray, maximise: bool, starts: int = 8, rng=0, gtol: float = 1e-11):
    """Multi-start BFGS over U(dA) for ``max`` (or ``min``) of ``C(U)`` of a cost tensor; returns the
    best value and the unitary achieving it (``optimise_form`` on T reshaped to dA² x dA²)."""
    T, dA = check_cost_tensor(T)
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 1:
        raise ValueError(f"starts must be an int >= 1, got {starts!r}")
    Tm = T.reshape(dA * dA, dA * dA)
    return optimise_form(Tm, maximise, starts, as_rng(rng), gtol)


def variation_range_bracket(T: np.ndarray, starts: int = 8, rng=0) -> tuple[float, float]:
    """The older bracket ``[optimiser, 2||K||_*]`` from a cost tensor (Lemma 3.3): ``lower = C(U_max) -
    C(U_min)`` for the best unitaries found by :func:`optimise_cost` (attained, hence a lower bound),
    ``upper = 2 ||K||_*`` (``certified.nuclear_bound``)."""
    T, dA = check_cost_tensor(T)
    gen = as_rng(rng)
    hi, _ = optimise_cost(T, True, starts, gen)
    lo, _ = optimise_cost(T, False, starts, gen)
    upper = nuclear_bound(k_matrix(T))
    lower = hi - lo
    if lower > upper * (1 + 1e-9) + 1e-12:
        raise RuntimeError(f"bracket inconsistent: lower {lower} > upper {upper} (bug)")
    return float(lower), float(upper)


def k_matrix_mp(T: np.ndarray, dps: int = 50):
    """``cost.k_matrix`` for an object array of mpmath numbers (high-precision recomputation)."""
    T, dA = check_cost_tensor(T)
    with mpmath.workdps(dps):
        G = orthonormal_traceless_basis(dA)
        # exact rationals/sqrt of the basis at the working precision
        Gmp = np.empty(G.shape, dtype=object)
        for idx in np.ndindex(G.shape):
            re, im = G[idx].real, G[idx].imag
            Gmp[idx] = mpmath.mpc(_mp_exactish(re), _mp_exactish(im))
        r = dA * dA - 1
        K = mpmath.matrix(r, r)
        for a in range(r):
            for b in range(r):
                acc = mpmath.mpc(0)
                for l, j, k, i in np.ndindex(T.shape):
                    ga, gb = Gmp[a, k, l], Gmp[b, j, i]
                    if ga != 0 and gb != 0:
                        acc += ga * gb * T[l, j, k, i]
                K[a, b] = mpmath.re(acc)
        return K


def _mp_exactish(x: float):
    """Recover the exact value of Gell-Mann/sqrt(2) entries (0, ±1/sqrt2, ±1/sqrt(l(l+1)) ...)."""
    if x == 0:
        return mpmath.mpf(0)
    inv_sq = 1.0 / (x * x)
    k = round(inv_sq)
    if abs(inv_sq - k) < 1e-9:
        return mpmath.sign(x) / mpmath.sqrt(k)
    # diagonal entries -l * sqrt(1/(l(l+1))): x^2 = l^2/(l(l+1)) = l/(l+1)
    for l in range(1, 64):
        if abs(x * x - l / (l + 1)) < 1e-12:
            return mpmath.sign(x) * mpmath.sqrt(mpmath.mpf(l) / (l + 1))
    return mpmath.mpf(x)


def variation_range_qubit_mp(K, dps: int = 50):
    """``2 (σ1 + σ2)`` of a 3 x 3 mpmath matrix at ``dps`` digits (Lemma 3.2)."""
    with mpmath.workdps(dps):
        s = sorted(mpmath.svd_r(mpmath.matrix(K), compute_uv=False), reverse=True)
        return 2 * (s[0] + s[1])


def variation_range_fidelity_mp(M, dps: int = 50):
    """``||M||_1²`` of a complex mpmath matrix at ``dps`` digits (Lemma 7.2)."""
    with mpmath.workdps(dps):
        s = mpmath.svd_c(mpmath.matrix(M), compute_uv=False)
        return mpmath.fsum(s) ** 2
