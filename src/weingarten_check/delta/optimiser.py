"""Multi-start BFGS over U(dA) for a Hermitian form ``C(U) = <vec U| M |vec U>`` (row-major vec).

Any attained value is a lower bound on ``max_U C`` (an upper bound on ``min_U C``): this is the
lower end of every certified Δ bracket (:mod:`.certified`, Lemma 12), with ``M`` the form of the
cost (:func:`.cost.form_from_k`; a cost tensor T reshaped to ``dA² x dA²`` is the same form up to
a constant on unitaries).  The SDP solvers of :mod:`.sdp` use :func:`hermitian_parameter_basis`
and :func:`polar_unitary` too.

Examples
--------
``C(U) = |U[0, 0]|²`` has maximum 1 and minimum 0 over U(2):

>>> M = np.diag([1.0, 0.0, 0.0, 0.0])
>>> round(optimise_form(M, True, starts=2, rng=0)[0], 9), round(optimise_form(M, False, starts=2, rng=0)[0], 9) + 0.0
(1.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.optimize import minimize

from ..states.bases import orthonormal_traceless_basis
from ..states.sampling import RngLike, as_rng, haar_unitary

__all__ = ["optimise_form", "polar_unitary", "hermitian_parameter_basis"]


def hermitian_parameter_basis(dA: int) -> np.ndarray:
    """An orthonormal basis of the ``dA x dA`` Hermitian matrices: ``I/sqrt(dA)`` and the ``G_a`` (Lemma 2.1).

    The ``G_a`` are :func:`~weingarten_check.states.bases.orthonormal_traceless_basis` ``(dA)``;
    the optimiser and the SDP solvers parametrise Hermitian matrices in this basis.

    Parameters
    ----------
    dA : int

    Returns
    -------
    numpy.ndarray
        Shape ``(dA², dA, dA)``, complex.

    Examples
    --------
    >>> B = hermitian_parameter_basis(2)
    >>> B.shape, bool(np.allclose(np.einsum("aij,bji->ab", B, B), np.eye(4)))
    ((4, 2, 2), True)
    """
    G = orthonormal_traceless_basis(dA)
    return np.concatenate([np.eye(dA, dtype=np.complex128)[None] / np.sqrt(dA), G])


def polar_unitary(X: np.ndarray) -> np.ndarray:
    """The unitary polar factor ``W V†`` of ``X = W S V†``: the nearest unitary in Frobenius norm.

    Turns the SDP's dominant Choi eigenvector into an optimiser start (Lemma 12, :mod:`.certified`).

    Parameters
    ----------
    X : array_like
        A finite square matrix.

    Returns
    -------
    numpy.ndarray
        A unitary of the same size.

    Raises
    ------
    ValueError
        If X is not square or not finite.

    Examples
    --------
    >>> (polar_unitary(np.diag([2.0, -0.5])).real + 0.0).tolist()
    [[1.0, 0.0], [0.0, -1.0]]
    """
    X = np.asarray(X, dtype=np.complex128)
    if X.ndim != 2 or X.shape[0] != X.shape[1]:
        raise ValueError(f"X must be a square matrix, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    W, _s, Vh = np.linalg.svd(X)
    return W @ Vh


def _cost_and_grad(x: np.ndarray, U0: np.ndarray, Mh: np.ndarray, B: np.ndarray, sign: float):
    """f(x) = sign * C(U0 exp(i Σ x_p B_p)) and its exact gradient (Daleckii-Krein formula)."""
    dA = U0.shape[0]
    Hm = np.einsum("p,pij->ij", x, B)
    lam, V = np.linalg.eigh(Hm)
    E = (V * np.exp(1j * lam)) @ V.conj().T
    U = U0 @ E
    u = U.reshape(-1)
    g = (Mh @ u).reshape(dA, dA)  # dC/d conj(U)
    f = float(np.real(np.vdot(u, Mh @ u)))
    # Φ_jk = (e^{iλj} - e^{iλk}) / (i(λj - λk)) = e^{i(λj+λk)/2} sinc((λj-λk)/2)
    dl = lam[:, None] - lam[None, :]
    Phi = np.exp(0.5j * (lam[:, None] + lam[None, :])) * np.sinc(dl / (2 * np.pi))
    Z = V.conj().T @ (U0.conj().T @ g) @ V
    Gam = -1j * V @ (np.conj(Phi) * Z) @ V.conj().T
    grad = 2.0 * np.real(np.einsum("pij,ji->p", B, Gam))
    return sign * f, sign * grad


def _run(U0: np.ndarray, Mh: np.ndarray, B: np.ndarray, sign: float, gtol: float) -> tuple[float, np.ndarray]:
    dA = U0.shape[0]
    val = np.inf
    for _round in range(5):
        res = minimize(
            _cost_and_grad,
            np.zeros(dA * dA),
            args=(U0, Mh, B, sign),
            jac=True,
            method="BFGS",
            options={"gtol": gtol, "maxiter": 2000},
        )
        Hm = np.einsum("p,pij->ij", res.x, B)
        lam, V = np.linalg.eigh(Hm)
        U0 = U0 @ (V * np.exp(1j * lam)) @ V.conj().T
        improved = val - res.fun
        val = min(val, res.fun)
        if improved < 1e-14 * max(1.0, abs(val)):
            break
    return val, U0


def optimise_form(
    Mh: np.ndarray,
    maximise: bool,
    starts: int = 8,
    rng: RngLike = 0,
    gtol: float = 1e-11,
    initial: Iterable[np.ndarray] | None = None,
) -> tuple[float, np.ndarray]:
    """The best ``max`` (or ``min``) of ``<vec U|Mh|vec U>`` over U(dA) found by multi-start BFGS.

    Starts from ``starts`` Haar-random unitaries plus the unitaries in ``initial`` (e.g. from an SDP
    solution, polar-projected).  Each start: ``U = U0 exp(iX)``, X Hermitian (dA² real parameters),
    exact gradient (Daleckii-Krein); restarted from its end point until it stops improving.  The
    value is attained, so it bounds the true maximum from below (the minimum from above): the lower
    end of the brackets of Lemmas 3.3 and 12 of proofs/DERIVATION.md.

    Parameters
    ----------
    Mh : array_like
        ``dA² x dA²`` (its Hermitian part is used).
    maximise : bool
        Maximise (True) or minimise (False).
    starts : int, default 8
        Haar-random starts (``>= 0``).
    rng : int or numpy.random.Generator, default 0
    gtol : float, default 1e-11
        BFGS's gradient tolerance.
    initial : iterable of array_like, optional
        Further starting matrices (``dA x dA``, projected to unitaries).

    Returns
    -------
    tuple of (float, numpy.ndarray)
        The best value and the unitary attaining it.

    Raises
    ------
    ValueError
        If Mh is not ``dA² x dA²`` with ``dA >= 2``, ``starts < 0``, or there is no start at all.

    Examples
    --------
    From the optimum itself (no random start): ``max |U[0, 0]|² = 1`` at U = I.

    >>> val, U = optimise_form(np.diag([1.0, 0.0, 0.0, 0.0]), True, starts=0, initial=[np.eye(2)])
    >>> round(val, 12), round(float(abs(U[0, 0])), 12)
    (1.0, 1.0)
    """
    Mh = np.asarray(Mh, dtype=np.complex128)
    D = Mh.shape[0] if Mh.ndim == 2 else -1
    dA = int(round(np.sqrt(max(D, 0))))
    if Mh.ndim != 2 or Mh.shape[0] != Mh.shape[1] or dA * dA != D or dA < 2:
        raise ValueError(f"Mh must be a dA² x dA² matrix with dA >= 2, got shape {Mh.shape}")
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 0:
        raise ValueError(f"starts must be an int >= 0, got {starts!r}")
    inits = [polar_unitary(np.asarray(U0).reshape(dA, dA)) for U0 in (initial or ())]
    if starts + len(inits) < 1:
        raise ValueError("need at least one start (starts >= 1 or an initial unitary)")
    gen = as_rng(rng)
    Mh = 0.5 * (Mh + Mh.conj().T)
    B = hermitian_parameter_basis(dA)
    sign = -1.0 if maximise else 1.0
    best_val, best_U = np.inf, None
    for U0 in inits + [None] * int(starts):
        if U0 is None:
            U0 = haar_unitary(dA, gen)
        val, U = _run(U0, Mh, B, sign, gtol)
        if val < best_val:
            best_val, best_U = val, U
    return float(sign * best_val), best_U
