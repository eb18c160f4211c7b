"""Δ from K alone, with a certificate (Lemmas 3.2, 3.3, 12): where every Δ of a non-fidelity cost ends.

``delta_from_k(K, dA)``:

* ``dA = 2``: exact, ``Δ = 2(σ1(K) + σ2(K))`` (Lemma 3.2);
* ``dA >= 3``: a certified bracket ``lower <= Δ <= upper`` (Lemma 12):

  - **upper** = ``b_max + b_min`` with ``max_U <u|M|u> <= b_max`` and ``-min_U <u|M|u> <= b_min``
    proved by exact rational level-1 certificates (:func:`.sdp.level1.certify_level1`) for the
    dual point of the unital-channel SDP solved by Clarabel (dA <= 5; a smoothed first-order dual
    for larger dA), polished at the optimiser's unitary;
    ``M`` is the Hermitian form of K (:func:`.cost.form_from_k`).  If no certificate can be
    proved, or ``2||K||_*`` (Lemma 3.3) is smaller, the exactly checked bound on ``2||K||_*`` of
    :func:`nuclear_certificate` is used (``certificate = "nuclear"``); if neither is proved the upper
    end is ``inf`` (``certificate = "none"``); rounded up to a float;
  - **lower** = ``C(U_max) - C(U_min)`` at the optimiser's unitaries, re-orthonormalised and
    evaluated from K in mpmath at ``dps`` digits, subtracted at that precision, lowered by
    ``10^(-dps/2) Σ|K_ab|`` (far above mpmath's errors) and rounded down (attained values, hence ``<= Δ``);
  - K is first scaled by a power of two to unit size (exact; the solvers' tolerances are absolute);
    the ends are scaled back exactly and rounded outward, so a subnormal end only widens the bracket;
    ``max|K| > MAX_ABS_K`` is refused (Δ could overflow);
  - adaptive: the optimiser first starts only from the SDP's dominant Choi eigenvector (polar
    projected); where the relative gap ``(upper - lower) / upper`` exceeds ``tol``, Haar-random
    starts are added to the loose side (4, 8, ... up to ``max_starts``);
  - where the gap is still above ``tol`` once the starts stall (a gap of the level-1 relaxation, not
    of the optimiser), the loose side only gets the level-2 bound (12.4) (Lemma 12.4): multipliers by
    the first-order solver :func:`.sdp.level2.solve_level2`, warm-started at that side's
    level-1 multipliers and stopped once its (smoothed, upper) value is within a quarter of the
    tolerance of the optimiser's value, then proved exactly by :func:`.sdp.level2.certify_level2`
    (``certificate = "sdp-level2"``; dA <= ``LEVEL2_MAX_DA``).

Examples
--------
``C(UA) = |UA[0, 0]|²`` on a qutrit (K of ``H = ρ = |0><0|``): Δ = 1, bracketed to within ``tol``.

>>> from weingarten_check.states.bases import orthonormal_traceless_basis
>>> h = np.real(np.einsum("aij,ji->a", orthonormal_traceless_basis(3), np.diag([1.0, 0, 0])))
>>> r = delta_from_k(np.outer(h, h), 3)
>>> r.certificate, r.lower <= 1 <= r.upper, r.gap <= 1e-6
('sdp-level1', True, True)
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

from ..states.sampling import RngLike, as_rng
from .cost import check_k, form_from_k
from .optimiser import optimise_form
from .result import VariationRangeResult
from .sdp.exact_form import ExactForm, exact_form_from_k, rational_basis
from .sdp.exact_psd import (
    fraction_to_float_down,
    fraction_to_float_up,
    is_hermitian_pd_by_congruence,
    is_positive_definite,
    to_grid,
)
from .sdp.level1 import certify_level1, polish_dual, solve_level1, solve_level1_smoothed, unitary_from_choi
from .sdp.level2 import SCHEDULE, certify_level2, level1_multipliers, solve_level2, unitary_from_level2

__all__ = [
    "qubit_delta",
    "nuclear_bound",
    "cost_mp",
    "delta_from_k",
    "nuclear_certificate",
    "CLARABEL_MAX_DA",
    "LEVEL2_MAX_DA",
    "MAX_ABS_K",
]

#: largest dA whose level-1 SDP goes to Clarabel (interior point); larger dA use the memory-light
#: smoothed dual (:func:`.sdp.level1.solve_level1_smoothed`)
CLARABEL_MAX_DA = 5
#: largest dA for the level-2 (degree-4 moment) strengthening, solved first-order
#: (:func:`.sdp.level2.solve_level2`): one eigendecomposition of Sym²(C^(dA²)) per step, dimension 45 at
#: dA = 3, 136 at dA = 4 (0.1-0.3 s and 1-5 s per loose side, benchmarks/bench_certified.py);
#: 3321 at dA = 9, out of reach
LEVEL2_MAX_DA = 4
#: soft time limit (s) of one side's level-2 solve (checked between smoothing phases)
LEVEL2_TIME_LIMIT = 20.0
#: largest max|K| accepted for dA >= 3: Δ <= 2||K||_* <= 2 (dA²-1)² max|K| stays below the largest
#: float (dA <= 9 gives a factor below 2^14)
MAX_ABS_K = 2.0**1000


def qubit_delta(K: np.ndarray) -> float:
    """The exact Δ for dA = 2: ``2 (σ1(K) + σ2(K))`` of the 3 x 3 K (Lemma 3.2).

    :func:`.exact.variation_range_qubit` is the same with a shape message for a user's K.

    Parameters
    ----------
    K : array_like
        Real 3 x 3.

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        From :func:`.cost.check_k`.

    Examples
    --------
    >>> qubit_delta(np.diag([3.0, 2.0, 1.0]))
    10.0
    """
    K, _ = check_k(K, 2)
    s = np.linalg.svd(K, compute_uv=False)
    return float(2.0 * (s[0] + s[1]))


def nuclear_bound(K: np.ndarray) -> float:
    """The nuclear-norm bound ``Δ <= 2 ||K||_*`` (Lemma 3.3), for every dA.

    Inflated by a relative ``1e-12`` to cover the rounding of a double-precision SVD: a
    floating-point estimate, not a proved bound: :func:`delta_from_k` uses it only to decide whether
    the exactly checked :func:`nuclear_certificate` may beat the SDP bound, and reports that one.

    Parameters
    ----------
    K : array_like
        Real ``(dA²-1) x (dA²-1)``.

    Returns
    -------
    float

    Examples
    --------
    >>> K = np.diag([3.0, 2.0, 1.0])
    >>> nuclear_bound(K) > 12.0, round(nuclear_bound(K), 9)
    (True, 12.0)
    """
    s = np.linalg.svd(np.asarray(K, dtype=float), compute_uv=False)
    return float(2.0 * np.sum(s) * (1 + 1e-12))


def nuclear_certificate(K: np.ndarray, bits: int = 60) -> Fraction | None:
    """An exactly checked rational upper bound of ``2 ||K||_*``, hence of Δ (Lemmas 3.3 and 12.3).

    If ``B = [[P, K_r], [K_rᵀ, Q]]`` is positive semidefinite then ``2 ||K_r||_* <= tr P + tr Q``
    (sum ``[u_i; -v_i]ᵀ B [u_i; -v_i] >= 0`` over the singular pairs of ``K_r``).  ``P = U S Uᵀ + εI``
    and ``Q = V S Vᵀ + εI`` come from a float SVD, rounded to the grid ``2^-bits``; ``K_r`` is K on
    that grid, and ``||K - K_r||_* <= Σ |K - K_r|_ij`` (exact).  ``B ≻ 0`` is proved exactly
    (:func:`.sdp.exact_psd.is_hermitian_pd_by_congruence`, else the exact LDLᵀ pivots for small K);
    ε starts at ``2^-46 max|K|`` and grows by ``2^6`` until the check passes.  K's floats are
    taken as exact data.

    Parameters
    ----------
    K : array_like
        Real square, finite.
    bits : int, default 60
        Grid ``2^-bits`` relative to ``max|K|``.

    Returns
    -------
    fractions.Fraction or None
        ``tr P + tr Q + 2 Σ |K - K_r|_ij``, proved ``>= 2 ||K||_*``; ``0`` for ``K = 0``; None if
        no ε up to ``max|K|`` passes the exact check (not seen in practice).

    Examples
    --------
    >>> b = nuclear_certificate(np.diag([3.0, 2.0, 1.0]))
    >>> b >= 12, float(b - 12) < 1e-9
    (True, True)
    """
    K = np.asarray(K, dtype=float)
    kmax = float(np.abs(K).max(initial=0.0))
    if kmax == 0.0:
        return Fraction(0)
    n = K.shape[0]
    Q = int(bits) - math.frexp(kmax)[1]
    Kr = to_grid(K, Q)
    scale = Fraction(2) ** Q
    err = sum(
        (abs(Fraction(float(K[i, j])) - Fraction(int(Kr[i, j])) / scale) for i in range(n) for j in range(n)),
        Fraction(0),
    )
    U, s, Vt = np.linalg.svd(K)
    for k in range(8):
        eps = math.ldexp(kmax, -46 + 6 * k)
        P = to_grid((U * s) @ U.T + eps * np.eye(n), Q)
        R = to_grid((Vt.T * s) @ Vt + eps * np.eye(n), Q)
        P, R = (P + P.T) // 2, (R + R.T) // 2  # exactly symmetric (integers)
        B = np.block([[P, Kr], [Kr.T, R]])
        Z = np.zeros_like(B)
        if is_hermitian_pd_by_congruence(B, Z) or (2 * n <= 64 and is_positive_definite(B)):
            return Fraction(int(np.trace(P)) + int(np.trace(R))) / scale + 2 * err
    return None


def _reunitarise_mp(U: np.ndarray, dps: int) -> mpmath.matrix:
    """Newton polar iteration ``X <- X (3I - X†X) / 2`` at ``dps`` digits from a float unitary."""
    n = U.shape[0]
    with mpmath.workdps(dps):
        X = mpmath.matrix([[mpmath.mpc(complex(U[i, j])) for j in range(n)] for i in range(n)])
        I = mpmath.eye(n)
        for _ in range(8):
            E = X.H * X - I
            if mpmath.mnorm(E, 1) < mpmath.mpf(10) ** (-dps + 3):
                break
            X = X * (3 * I - X.H * X) / 2
        else:  # pragma: no cover - only for inputs far from unitary
            raise ValueError("U is too far from unitary to re-orthonormalise")
        return X


def cost_mp(K: np.ndarray, dA: int, U: np.ndarray, dps: int = 40) -> mpmath.mpf:
    """The cost ``C(U) - c0 = Σ_ab K_ab tr(G_a U G_b U†)`` at ``dps`` digits (Lemma 3.1).

    U is re-orthonormalised at that precision (Newton's polar iteration) and
    ``G_a = F_a / sqrt(p_a)`` is exact (:func:`.sdp.exact_form.rational_basis`): the lower end of the
    certified bracket is ``cost_mp(U_max) - cost_mp(U_min)``, an attained value.

    Parameters
    ----------
    K : array_like
        Real ``(dA²-1) x (dA²-1)``.
    dA : int
    U : array_like
        A ``dA x dA`` (numerically) unitary matrix.
    dps : int, default 40
        mpmath's decimal digits.

    Returns
    -------
    mpmath.mpf

    Raises
    ------
    TypeError, ValueError
        From :func:`.cost.check_k`; ValueError if U has the wrong shape or is far from unitary.

    Examples
    --------
    ``tr(Kᵀ R(I)) = tr K``:

    >>> float(cost_mp(np.diag([3.0, 2.0, 1.0]), 2, np.eye(2)))
    6.0
    """
    K, dA = check_k(K, dA)
    U = np.asarray(U, dtype=np.complex128)
    if U.shape != (dA, dA):
        raise ValueError(f"U must be dA x dA = {dA} x {dA}, got shape {U.shape}")
    basis = rational_basis(dA)
    with mpmath.workdps(dps):
        X = _reunitarise_mp(U, dps)
        nz = [
            [
                (l, k, mpmath.mpc(int(fr[l, k]), int(fi[l, k])))
                for l in range(dA)
                for k in range(dA)
                if fr[l, k] or fi[l, k]
            ]
            for fr, fi, _ in basis
        ]
        inv_sqrt = [1 / mpmath.sqrt(p) for _, _, p in basis]
        total = mpmath.mpf(0)
        for a in range(len(basis)):
            for b in range(len(basis)):
                kab = K[a, b]
                if kab == 0:
                    continue
                acc = mpmath.mpc(0)
                for l, k, fa in nz[a]:  # tr(F_a U F_b U†) = Σ F_a[l,k] U[k,i] F_b[i,j] conj U[l,j]
                    for i, j, fb in nz[b]:
                        acc += fa * X[k, i] * fb * mpmath.conj(X[l, j])
                total += mpmath.mpf(float(kab)) * inv_sqrt[a] * inv_sqrt[b] * mpmath.re(acc)
        return +total


class _Side:
    """One side (max of ``<u|Ms|u>``; the min side uses ``Ms = -M``)."""

    def __init__(self, Ms: np.ndarray, E: ExactForm, dA: int, gen: np.random.Generator):
        self.Ms, self.E, self.dA, self.gen = Ms, E, dA, gen
        # Clarabel's dense PSD block grows like dA^8 (~9 GB at dA = 9): smoothed first-order dual above
        self.sol = solve_level1(Ms) if dA <= CLARABEL_MAX_DA else solve_level1_smoothed(Ms)
        self.val, self.U = optimise_form(Ms, True, 0, gen, initial=[unitary_from_choi(self.sol.J, dA)])
        self.starts = 0
        self.stalled = False
        self.level = 1
        self.bound: Fraction | None = None
        self.AB: tuple[np.ndarray, np.ndarray] | None = None  # level-1 multipliers of self.bound
        self.certify()

    def certify(self) -> None:
        AB = polish_dual(self.Ms, self.sol.A, self.sol.B, self.U)
        cands = [(certify_level1(self.E, self.Ms, *AB), AB)]
        if self.bound is None:
            cands.append((certify_level1(self.E, self.Ms, self.sol.A, self.sol.B), (self.sol.A, self.sol.B)))
        for c, ab in cands:
            if c is not None and (self.bound is None or c.bound < self.bound):
                self.bound, self.AB = c.bound, ab

    def level2(self, allowance: float, timings: dict) -> None:
        """Level-2 bound (12.4) for this side: first-order multipliers from the level-1 ones, then
        the exact check; kept only if proved and smaller.  The solve stops once within
        ``allowance`` of the optimiser's value.  After the coarse smoothing phases, and again at
        the end, the level-2 matrix's top eigenvector seeds one more optimiser start (it finds the
        maximum where the random starts missed it; the target then becomes reachable)."""
        import time

        X = level1_multipliers(*self.AB, self.dA) if self.AB is not None else None
        seconds = 0.0
        sol = None
        for phases in (SCHEDULE[:2], SCHEDULE[2:]):
            sol = solve_level2(self.Ms, X, schedule=phases, target=self.val + allowance, time_limit=LEVEL2_TIME_LIMIT)
            seconds += sol.seconds
            X = np.array(sol.X)
            if sol.gamma <= self.val + allowance:
                break
            val, U = optimise_form(self.Ms, True, 0, self.gen, initial=[unitary_from_level2(self.Ms, X)])
            if val > self.val:
                self.val, self.U = val, U
        t0 = time.perf_counter()
        c2 = certify_level2(self.E, self.Ms, sol)
        timings["level2_solve"] = timings.get("level2_solve", 0.0) + seconds
        timings["level2_check"] = timings.get("level2_check", 0.0) + time.perf_counter() - t0
        if c2 is not None and (self.bound is None or c2.bound < self.bound):
            self.bound, self.level = c2.bound, 2

    def more_starts(self, n: int, tol_abs: float) -> None:
        """``n`` more Haar-random starts; the side is ``stalled`` when they improve the best value
        by at most ``tol_abs`` (then the gap is the relaxation's, not the optimiser's)."""
        val, U = optimise_form(self.Ms, True, n, self.gen)
        self.starts += n
        self.stalled = val <= self.val + tol_abs
        if val > self.val:
            self.val, self.U = val, U
            self.certify()


def delta_from_k(
    K: np.ndarray,
    dA: int,
    *,
    tol: float = 1e-6,
    rng: RngLike = 0,
    max_starts: int = 32,
    dps: int = 40,
    level2: bool = True,
) -> VariationRangeResult:
    """Δ from the matrix K of ``C(UA) = c0 + tr(Kᵀ R(UA))``: exact for dA = 2, certified for dA >= 3 (module doc).

    Implements Lemma 3.2 (dA = 2) and Lemma 12 (dA >= 3: level-1 certificates 12.1-12.3, level 2
    12.4, the nuclear fallback 3.3) of proofs/DERIVATION.md.

    Parameters
    ----------
    K : array_like
        Real ``(dA²-1) x (dA²-1)`` in the basis
        :func:`~weingarten_check.states.bases.orthonormal_traceless_basis` ``(dA)``
        (:func:`.cost.k_matrix`).
    dA : int
        The dimension of A (``q**m``).
    tol : float, default 1e-6
        Target relative width ``(upper - lower) / upper`` of the certified bracket (dA >= 3).
    rng : int or numpy.random.Generator, default 0
        Seed of the optimiser's random starts.
    max_starts : int, default 32
        Cap on Haar-random starts per side when the gap exceeds ``tol``.
    dps : int, default 40
        mpmath digits for the lower end.
    level2 : bool, default True
        Allow the level-2 strengthening (Lemma 12.4, dA <= ``LEVEL2_MAX_DA``) on the sides where
        level 1 stays loose (module doc); its seconds are in ``.timings``.

    Returns
    -------
    VariationRangeResult
        ``method`` "qubit" (exact, ``certificate = "closed-form"``) or "certified" (``lower``,
        ``upper``, ``certificate`` "sdp-level1", "sdp-level2", "nuclear" (the exactly checked
        ``2||K||_*``), "none" (no upper end proved: ``inf``) or "zero", ``gap``).

    Raises
    ------
    TypeError, ValueError
        On a bad K or dA (:func:`.cost.check_k`), ``tol`` or ``max_starts``; ValueError if dA >= 3
        and ``max|K| > MAX_ABS_K`` (``2^1000``).

    Examples
    --------
    >>> r = delta_from_k(np.diag([3.0, 2.0, 1.0]), 2)
    >>> r.method, r.exact, r.value, r.certificate
    ('qubit', True, 10.0, 'closed-form')
    """
    K, dA = check_k(K, dA)
    if not (isinstance(tol, (int, float)) and not isinstance(tol, bool) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite float >= 0, got {tol!r}")
    if isinstance(max_starts, bool) or not isinstance(max_starts, (int, np.integer)) or max_starts < 0:
        raise ValueError(f"max_starts must be an int >= 0, got {max_starts!r}")
    if dA == 2:
        val = qubit_delta(K)
        return VariationRangeResult(val, val, val, True, "qubit", K=K, certificate="closed-form")
    if not np.any(K):
        return VariationRangeResult(0.0, 0.0, 0.0, True, "certified", K=K, certificate="zero")
    gen = as_rng(rng)
    # Δ(2^e K) = 2^e Δ(K): solve at unit scale.  The solvers' tolerances are absolute, so a K of norm
    # 1e-4 (qutrits at n = 15) lost four digits of relative width; scaling by a power of two is exact
    # in floating point, so the scaled-back ends are still a proved bracket.
    kmax = float(np.abs(K).max())
    if kmax > MAX_ABS_K:
        raise ValueError(
            f"K: max|K| = {kmax:.3g} exceeds 2^{math.frexp(MAX_ABS_K)[1] - 1}, where Δ could overflow a float; "
            "scale K down (Δ(cK) = c Δ(K) for c > 0)"
        )
    e = int(np.round(np.log2(kmax)))
    if e != 0:
        # ldexp(K, -e) is exact (K is at most 2^MAX_EXP, subnormal entries only gain bits); the ends are
        # scaled back exactly and rounded outward, so they stay a proved bracket even where 2^e x is
        # subnormal (the bracket then widens to the spacing of the subnormals)
        r = delta_from_k(np.ldexp(K, -e), dA, tol=tol, rng=gen, max_starts=max_starts, dps=dps, level2=level2)
        lower = fraction_to_float_down(Fraction(r.lower) * Fraction(2) ** e)
        upper = fraction_to_float_up(Fraction(r.upper) * Fraction(2) ** e)
        return _certified_result(K, lower, upper, r.certificate, r.timings)
    M = form_from_k(K, dA)
    E = exact_form_from_k(K, dA)
    hi, lo = _Side(M, E, dA, gen), _Side(-M, E.negated(), dA, gen)
    nuc_estimate = nuclear_bound(K)  # float; the exact check (seconds at dA = 9) only where it may win
    nuc: float | None = None
    while True:
        lower = _lower_end(K, dA, hi.U, lo.U, dps)
        if hi.bound is not None and lo.bound is not None:
            up_sdp = fraction_to_float_up(hi.bound + lo.bound)
        else:
            up_sdp = math.inf
        if up_sdp > nuc_estimate and nuc is None:
            nuc_exact = nuclear_certificate(K)
            nuc = fraction_to_float_up(nuc_exact) if nuc_exact is not None else math.inf
        upper, cert = (up_sdp, "sdp-level1") if nuc is None or up_sdp <= nuc else (nuc, "nuclear")
        if math.isinf(upper):
            cert = "none"
        gap = _gap(lower, upper)
        if gap <= tol:
            break
        # add random starts where the side's own gap is largest
        loose = [
            s
            for s in (hi, lo)
            if s.starts < max_starts
            and not s.stalled
            and (s.bound is None or float(s.bound) - s.val > 0.5 * tol * upper)
        ]
        if not loose:
            break
        for s in loose:
            s.more_starts(min(max(4, s.starts), max_starts - s.starts), 0.1 * tol * upper)
    timings: dict = {}
    if gap > tol and level2 and dA <= LEVEL2_MAX_DA and cert == "sdp-level1":
        for s in (hi, lo):  # the optimiser has stalled: strengthen the relaxation of the loose side
            if float(s.bound) - s.val > 0.5 * tol * upper:
                s.level2(0.25 * tol * upper, timings)
        lower = max(lower, _lower_end(K, dA, hi.U, lo.U, dps))  # a level-2 seed may have improved U
        up2 = fraction_to_float_up(hi.bound + lo.bound)
        if up2 < upper:
            upper, cert = up2, ("sdp-level2" if 2 in (hi.level, lo.level) else "sdp-level1")
        gap = _gap(lower, upper)
    return _certified_result(K, lower, upper, cert, timings)


def _certified_result(K: np.ndarray, lower: float, upper: float, cert: str, timings: dict) -> VariationRangeResult:
    """The result of a certified bracket, checked ``lower <= upper`` (every return path of dA >= 3)."""
    if not lower <= upper:
        raise RuntimeError(f"certified bracket inconsistent: lower {lower} > upper {upper} (bug)")
    return VariationRangeResult(
        lower, lower, upper, False, "certified", K=K, certificate=cert, gap=_gap(lower, upper), timings=timings
    )


def _gap(lower: float, upper: float) -> float:
    """The relative width ``(upper - lower) / upper`` (0 for a zero bracket, inf for no upper end)."""
    if upper == 0:
        return 0.0
    return (upper - lower) / upper if upper < math.inf else math.inf


def _lower_end(K: np.ndarray, dA: int, U_max: np.ndarray, U_min: np.ndarray, dps: int) -> float:
    """``C(U_max) - C(U_min)`` subtracted at ``dps`` digits, less a margin ``10^(-dps/2) Σ|K_ab|`` far
    above the mpmath rounding and re-unitarisation errors (``~10^(3-dps) Σ|K_ab|``), then rounded
    down exactly to a float (never above the attained value, hence never above Δ)."""
    with mpmath.workdps(dps):
        diff = cost_mp(K, dA, U_max, dps) - cost_mp(K, dA, U_min, dps)
        diff -= mpmath.mpf(10) ** (-(dps // 2)) * mpmath.mpf(float(np.abs(K).sum()))
        man, exp = diff.man_exp if diff != 0 else (0, 0)
    return max(0.0, fraction_to_float_down(Fraction(int(man)) * Fraction(2) ** int(exp)))
