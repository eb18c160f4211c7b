"""Reference implementations used only by the tests: slow, simple or independent versions of what the
library computes, and the test-only routines that used to live in the library.

One section per area of the package, each under a header comment.
"""

from __future__ import annotations

import math
import time

import numpy as np

from weingarten_check.delta.optimiser import hermitian_parameter_basis
from weingarten_check.delta.sdp.level1 import real_embedding_svec, svec_indices
from weingarten_check.delta.sdp.level2 import Level2Solution, Sym2, constraint_ops

# ================================================================================ delta
# Test-only parts of weingarten_check.delta (cost objects, Δ, certified Δ, SDPs).


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
    import clarabel
    import scipy.sparse as sps

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
