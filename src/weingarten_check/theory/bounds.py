"""Every upper bound of the project, in one place (exact sympy expressions).

Notation (see ``proofs/DERIVATION.md``): local dimension ``q``, ``n`` sites, subsystem A of
``m`` sites, ``dA = q**m``, ``dB = q**(n-m)``, ``d = dA*dB``; ``w = w(H)`` is the spectral width.
The circuit is ``U = V2 (UA ⊗ I_B) V1``, ``Δ = max_UA C - min_UA C``.

Every function accepts Python ints, sympy Integers/Rationals or sympy Symbols and returns an
exact sympy expression; converting to ``float`` is the caller's job.  Dimensions (n, m, q) must
be exact; physical inputs (w, couplings, purity) may also be floats measured numerically, and
then the result is a sympy Float.  Numeric arguments are
range-checked (``q >= 2``, ``1 <= m < n``, ``w >= 0`` ...) and a bad argument raises
``ValueError``/``TypeError`` naming it.  The lemma that proves each bound is named in its
docstring; ``proofs/`` checks the proofs.
"""

from __future__ import annotations

import sympy as sp

from ..util.checks import as_sympy_argument, check_choice, check_symbolic_int, check_symbolic_nonnegative

__all__ = [
    "CASES",
    "dimensions",
    "paper_theorem1_bound",
    "qudit_theorem1_bound",
    "route1_bound",
    "elementwise_bound",
    "proposition2_bound",
    "proposition2_schmidt_bound",
    "expected_M_frobenius_sq",
    "expected_K_frobenius_sq",
    "task_dependent_bound",
    "nuclear_to_frobenius_factor",
    "coupling_from_pauli_coefficients",
    "product_state_coupling",
    "variance_bound",
    "markov_bound",
    "delta_frobenius_constants",
    "qudit_theorem1_sharp_bound",
    "expected_K_frobenius_fourth",
    "expected_delta_lower_bound_from_moments",
    "expected_delta_lower_bound",
    "expected_delta_upper_bound",
]

Number = int | sp.Expr

#: The three randomness cases of Theorem 1: which of V1, V2 is drawn from a 2-design.
CASES = ("v1", "v2", "both")


# ---------------------------------------------------------------------------------------------
# argument handling
# ---------------------------------------------------------------------------------------------
def _is_num(x: sp.Expr) -> bool:
    return bool(getattr(x, "is_number", False))


def dimensions(n: Number, m: Number, q: Number = 2) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Return ``(dA, dB, d) = (q**m, q**(n-m), q**n)`` after checking ``q >= 2``, ``1 <= m < n``.

    Symbols are allowed for any of ``n, m, q`` (then only the numeric parts are checked).
    """
    n_, m_, q_ = as_sympy_argument(n, "n"), as_sympy_argument(m, "m"), as_sympy_argument(q, "q")
    check_symbolic_int(q_, "q", 2)
    check_symbolic_int(m_, "m", 1)
    check_symbolic_int(n_, "n", 2)
    if _is_num(n_) and _is_num(m_) and not m_ < n_:
        raise ValueError(f"m must satisfy 1 <= m < n (A is a proper subsystem), got m={m_}, n={n_}")
    return q_**m_, q_ ** (n_ - m_), q_**n_


def _w(w: Number) -> sp.Expr:
    w_ = as_sympy_argument(w, "w", allow_float=True)
    check_symbolic_nonnegative(w_, "w")
    return w_


def _case(case: str) -> str:
    return check_choice(case, "case", CASES)


# ---------------------------------------------------------------------------------------------
# Theorem 1 and its qudit extension
# ---------------------------------------------------------------------------------------------
def paper_theorem1_bound(w: Number, n: Number, m: Number) -> sp.Expr:
    """Theorem 1 as printed (Eq. 3, qubits): ``E[Δ] <= w / 2**(n/2 - 3m - 2)``.

    Proved in ``proofs/`` as a corollary of :func:`elementwise_bound` (Lemma 5) and of
    :func:`qudit_theorem1_bound` (Lemma 6).
    """
    dimensions(n, m, 2)
    n_, m_ = as_sympy_argument(n, "n"), as_sympy_argument(m, "m")
    return _w(w) * sp.Integer(2) ** (3 * m_ + 2 - n_ / 2)


def qudit_theorem1_bound(w: Number, n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Qudit Theorem 1 (Lemma 6): ``E[Δ] <= w (q**(2m) - 1) / sqrt(q**n + 1)``.

    Holds when V1, V2 or both are drawn from a unitary 2-design, for every ``q >= 2`` and
    ``1 <= m < n``.  Follows from ``Δ <= 2 ||K||_* <= 2 sqrt(dA²-1) ||K||_F`` and
    ``E||K||_F² <= (dA² - 1) w² / (4 (d + 1))`` (Lemmas 3 and 4).
    """
    dA, _, d = dimensions(n, m, q)
    return _w(w) * (dA**2 - 1) / sp.sqrt(d + 1)


def nuclear_to_frobenius_factor(m: Number, q: Number = 2) -> sp.Expr:
    """``r`` with ``max_UA C - min_UA C <= 2 sqrt(r) ||K||_F`` (Lemma 3).

    ``r = 2`` for one qubit (``dA = 2``: ``Δ = 2(σ1+σ2) <= 2 sqrt(2) ||K||_F``), otherwise
    ``r = dA² - 1`` (``Δ <= 2 ||K||_*`` and ``rank K <= dA² - 1``).
    """
    m_, q_ = as_sympy_argument(m, "m"), as_sympy_argument(q, "q")
    check_symbolic_int(m_, "m", 1)
    check_symbolic_int(q_, "q", 2)
    dA = q_**m_
    if _is_num(dA) and dA == 2:
        return sp.Integer(2)
    if not _is_num(dA):
        raise ValueError("nuclear_to_frobenius_factor needs numeric m and q (r = 2 for dA = 2, dA²-1 otherwise)")
    return dA**2 - 1


def route1_bound(w: Number, n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Task-independent bound of Route 1 through the nuclear norm (Lemma 6):
    ``E[Δ] <= w sqrt(r (dA² - 1)) / sqrt(d + 1)`` with ``r`` from :func:`nuclear_to_frobenius_factor`.

    Equals :func:`qudit_theorem1_bound` for ``dA >= 3``; for one qubit it is ``w sqrt(6)/sqrt(d+1)``.
    Not the sharpest for ``dA >= 3``: :func:`qudit_theorem1_sharp_bound` (Lemma 11.3,
    ``Δ <= √2 dA ||K||_F``) is smaller by ``sqrt(2 (dA² - 1))/dA`` there (equal for dA = 2).
    """
    dA, _, d = dimensions(n, m, q)
    r = nuclear_to_frobenius_factor(m, q)
    return _w(w) * sp.sqrt(r * (dA**2 - 1)) / sp.sqrt(d + 1)


def elementwise_bound(w: Number, n: Number, m: Number, q: Number = 2, case: str = "v1") -> sp.Expr:
    """Route 2, the paper's element-wise route (Lemma 5), from Hölder ``Δ <= 2 ||T||_1 <= 2 dA ||T||_F``
    and a uniform bound on every ``E|T_ijkl|²`` (summed over the dA⁴ elements):

    * ``case="v1"`` or ``"both"`` (V1 a 2-design): ``E|T_ijkl|² <= w²/(4 dA (d+1))`` and
      ``E[Δ] <= w dA**(5/2) / sqrt(d + 1)``;
    * ``case="v2"`` (only V2 a 2-design): ``E|T_ijkl|² <= w²/(4 (d+1))`` and
      ``E[Δ] <= w dA**3 / sqrt(d + 1)``.

    Both imply the printed Theorem 1 (:func:`paper_theorem1_bound`); Route 1 is sharper.
    """
    case = _case(case)
    dA, _, d = dimensions(n, m, q)
    power = sp.Integer(3) if case == "v2" else sp.Rational(5, 2)
    return _w(w) * dA**power / sp.sqrt(d + 1)


# ---------------------------------------------------------------------------------------------
# Proposition 2 (fidelity cost)
# ---------------------------------------------------------------------------------------------
def expected_M_frobenius_sq(n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Lemma 7: ``E||M||_F² = dA / d`` when V1 or V2 is drawn from a unitary 1-design."""
    dA, _, d = dimensions(n, m, q)
    return dA / d


def proposition2_bound(n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Proposition 2 (Eq. 12) and its qudit form (Lemma 7): ``E[Δ_QSL] <= q**(2m - n)``.

    ``Δ_QSL = ||M||_1² <= dA ||M||_F²`` and ``E||M||_F² = dA/d``.
    """
    dA, _, d = dimensions(n, m, q)
    return sp.simplify(dA**2 / d)


def proposition2_schmidt_bound(n: Number, m: Number, q: Number = 2, *, schmidt_rank: Number) -> sp.Expr:
    """Sharper Proposition 2 (Lemma 7.5): ``E[Δ_QSL] <= min(dA, k) dA / d``.

    ``k`` = ``schmidt_rank``: the A|B Schmidt rank of the *fixed* state — ``V2†|φ>`` when V1 is the
    1-design, ``V1|ψ>`` when V2 is (rank M <= k, so ``||M||_1² <= k ||M||_F²``).  For the paper's
    Fig. 5(c) setting (product target, V2 = I) ``k = 1`` and ``E[Δ_QSL] = dA/d`` holds with equality.
    """
    dA, _, d = dimensions(n, m, q)
    k = as_sympy_argument(schmidt_rank, "schmidt_rank")
    check_symbolic_int(k, "schmidt_rank", 1)
    return sp.Min(dA, k) * dA / d


# ---------------------------------------------------------------------------------------------
# Task-dependent bounds (Lemma 9)
# ---------------------------------------------------------------------------------------------
def expected_K_frobenius_sq(
    case: str,
    n: Number,
    m: Number,
    q: Number = 2,
    *,
    coupling: Number | None = None,
    purity: Number = 1,
    state_coupling: Number | None = None,
    h_hs_centered: Number | None = None,
) -> sp.Expr:
    """Exact ``E||K||_F²`` (Lemmas 4 and 9) for the three randomness cases.

    ``K_ab = tr_B(h_a r_b)``, ``h_a = tr_A((G_a ⊗ I) V2† H V2)``, ``r_b = tr_A((G_b ⊗ I) V1 ρ V1†)``.

    case ``"v1"`` (V1 from a 2-design, V2 fixed) — needs ``coupling`` and ``purity``::

        E||K||_F² = (dA² - 1) * coupling * (purity - 1/d) / (d² - 1)

      ``coupling = Σ_a tr_B(h_a²) = ||H2||_2² - ||tr_A H2||_2² / dA`` for the fixed
      ``H2 = V2† H V2``.  For ``H2 = Σ_P c_P P`` in an orthogonal string basis with
      ``tr(P† P) = d`` (Pauli strings, generalised Pauli strings) it is
      ``d Σ_{P touching A} |c_P|²`` (:func:`coupling_from_pauli_coefficients`).
      ``purity = tr ρ²``.

    case ``"v2"`` (V2 from a 2-design, V1 fixed) — needs ``state_coupling`` and ``h_hs_centered``::

        E||K||_F² = (dA² - 1) * state_coupling * h_hs_centered / (d² - 1)

      ``state_coupling = Σ_b tr_B(r_b²) = tr ρ1² - tr((tr_A ρ1)²) / dA`` for the fixed
      ``ρ1 = V1 ρ V1†`` (``1 - 1/dA`` for a pure product state, :func:`product_state_coupling`);
      ``h_hs_centered = tr H² - (tr H)² / d = ||H - tr(H)/d||_2²``.

    case ``"both"`` (V1 and V2 independent 2-designs) — needs ``purity`` and ``h_hs_centered``::

        E||K||_F² = (dA² - 1)² dB² (purity - 1/d) h_hs_centered / (d² - 1)²
    """
    case = _case(case)
    dA, dB, d = dimensions(n, m, q)
    p = as_sympy_argument(purity, "purity", allow_float=True)
    if _is_num(p) and _is_num(d) and not (1 / d <= p <= 1):
        raise ValueError(f"purity = tr(rho^2) must lie in [1/d, 1] = [1/{d}, 1], got {p}")

    def need(value: Number | None, name: str) -> sp.Expr:
        if value is None:
            raise ValueError(f"case {case!r} needs the keyword argument {name} (see docstring)")
        v = as_sympy_argument(value, name, allow_float=True)
        check_symbolic_nonnegative(v, name)
        return v

    if case == "v1":
        c = need(coupling, "coupling")
        return (dA**2 - 1) * c * (p - 1 / d) / (d**2 - 1)
    if case == "v2":
        s = need(state_coupling, "state_coupling")
        h = need(h_hs_centered, "h_hs_centered")
        return (dA**2 - 1) * s * h / (d**2 - 1)
    h = need(h_hs_centered, "h_hs_centered")
    return (dA**2 - 1) ** 2 * dB**2 * (p - 1 / d) * h / (d**2 - 1) ** 2


def task_dependent_bound(
    case: str,
    n: Number,
    m: Number,
    q: Number = 2,
    *,
    coupling: Number | None = None,
    purity: Number = 1,
    state_coupling: Number | None = None,
    h_hs_centered: Number | None = None,
) -> sp.Expr:
    """Task-dependent bound (Lemma 9, the dashed lines of Fig. 5(a),(b)):
    ``E[Δ] <= 2 sqrt(r) sqrt(E||K||_F²)``, with ``r`` from :func:`nuclear_to_frobenius_factor`
    and ``E||K||_F²`` from :func:`expected_K_frobenius_sq` (same keywords).

    Example: Heisenberg ring, ρ = |0…0⟩⟨0…0|, V1 Haar, V2 = I, one qubit:
    ``E||K||_F² = 18/(d+1)`` and the bound is ``12 / sqrt(d+1)``.
    """
    k2 = expected_K_frobenius_sq(
        case,
        n,
        m,
        q,
        coupling=coupling,
        purity=purity,
        state_coupling=state_coupling,
        h_hs_centered=h_hs_centered,
    )
    r = nuclear_to_frobenius_factor(m, q)
    return 2 * sp.sqrt(r) * sp.sqrt(k2)


def coupling_from_pauli_coefficients(coefficients_touching_A, n: Number, q: Number = 2) -> sp.Expr:
    """``coupling = d Σ |c_P|²`` over the strings ``P`` of H that act non-trivially on A (Lemma 9).

    ``coefficients_touching_A``: iterable of exact coefficients ``c_P`` of (generalised) Pauli
    strings normalised as ``tr(P† P) = d`` (each string listed once).
    """
    n_, q_ = as_sympy_argument(n, "n"), as_sympy_argument(q, "q")
    check_symbolic_int(q_, "q", 2)
    check_symbolic_int(n_, "n", 2)
    try:
        coeffs = [as_sympy_argument(c, "coefficients_touching_A[i]", allow_float=True) for c in coefficients_touching_A]
    except TypeError as exc:
        raise TypeError(f"coefficients_touching_A must be an iterable of exact numbers: {exc}") from None
    return q_**n_ * sum((c * sp.conjugate(c) for c in coeffs), sp.Integer(0))


def product_state_coupling(m: Number, q: Number = 2, purity_A: Number = 1) -> sp.Expr:
    """``state_coupling = Σ_b tr_B(r_b²)`` for a product input ``ρ = ρ_A ⊗ ρ_B`` with pure ρ_B:
    ``tr ρ_A² - 1/dA`` (``1 - 1/dA`` for a pure product state such as |0…0⟩) — Lemma 9."""
    m_, q_ = as_sympy_argument(m, "m"), as_sympy_argument(q, "q")
    check_symbolic_int(m_, "m", 1)
    check_symbolic_int(q_, "q", 2)
    pA = as_sympy_argument(purity_A, "purity_A", allow_float=True)
    return pA - 1 / q_**m_


# ---------------------------------------------------------------------------------------------
# Remark 1
# ---------------------------------------------------------------------------------------------
def variance_bound(w: Number, mean_bound: Number) -> sp.Expr:
    """Remark 1 (Eq. 4): ``0 <= Δ <= w`` gives ``Var[Δ] <= E[Δ²] <= w E[Δ] <= w * mean_bound``."""
    mb = as_sympy_argument(mean_bound, "mean_bound", allow_float=True)
    check_symbolic_nonnegative(mb, "mean_bound")
    return _w(w) * mb


def markov_bound(epsilon: Number, mean_bound: Number) -> sp.Expr:
    """Remark 1 (Eq. 5, Markov): ``Pr[Δ >= ε] <= E[Δ]/ε <= mean_bound/ε`` for ``ε > 0``."""
    e = as_sympy_argument(epsilon, "epsilon", allow_float=True)
    if _is_num(e) and not e > 0:
        raise ValueError(f"epsilon must be > 0, got {e}")
    mb = as_sympy_argument(mean_bound, "mean_bound", allow_float=True)
    check_symbolic_nonnegative(mb, "mean_bound")
    return mb / e


# ---------------------------------------------------------------------------------------------
# Two-sided bounds (Lemma 11): Δ against ||K||_F on both sides, fourth moments, Hölder
# ---------------------------------------------------------------------------------------------
def _dA_value(dA: Number) -> sp.Expr:
    dA_ = as_sympy_argument(dA, "dA")
    check_symbolic_int(dA_, "dA", 2)
    return dA_


def delta_frobenius_constants(dA: Number) -> tuple[sp.Expr, sp.Expr]:
    """``(c, u)`` with ``c ||K||_F <= Δ <= u ||K||_F`` for every K (Lemmas 11.1-11.3).

    * lower: ``c = 2`` for one qubit (``Δ = 2(σ1+σ2)`` and ``(σ1+σ2)² - ||K||_F² = 2σ1σ2 - σ3² >= 0``,
      equality iff rank K <= 1 — sharper than the ``2 sqrt(2/3)`` of the issue, which it implies);
      ``c = 2/sqrt(dA² - 1)`` otherwise (Popoviciu: ``Var_U C <= Δ²/4`` with
      ``Var_U C = ||K||_F²/(dA² - 1)`` for Haar UA, Lemma 11.1);
    * upper: ``u = sqrt(2) dA`` (``||R(V) - I||_F² = 2 dA² - 2 |tr V|²``, attained by
      ``K = R(W0) - I`` with W0 a traceless diagonal unitary, Lemma 11.3); for dA = 2 this is the
      ``2 sqrt(2)`` of Lemma 3, for dA >= 3 it beats ``2 sqrt(dA² - 1)``.
    A symbolic ``dA`` gives the generic (dA >= 3) lower constant.
    """
    dA_ = _dA_value(dA)
    if _is_num(dA_) and dA_ == 2:
        return sp.Integer(2), 2 * sp.sqrt(2)
    return 2 / sp.sqrt(dA_**2 - 1), sp.sqrt(2) * dA_


def qudit_theorem1_sharp_bound(w: Number, n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Sharper qudit Theorem 1 (Lemma 11.3): ``E[Δ] <= w dA sqrt((dA² - 1)/2) / sqrt(d + 1)``.

    From ``Δ <= sqrt(2) dA ||K||_F`` (attained) and ``E||K||_F² <= (dA² - 1) w²/(4(d + 1))`` (Lemma 4);
    V1, V2 or both from a 2-design.  Equals :func:`route1_bound` for dA = 2, smaller than it (and than
    :func:`qudit_theorem1_bound`) by the factor ``sqrt(2(dA² - 1))/dA`` (up to sqrt(2)) for dA >= 3.
    """
    dA, _, d = dimensions(n, m, q)
    return _w(w) * dA * sp.sqrt((dA**2 - 1) / sp.Integer(2)) / sp.sqrt(d + 1)


def _task_or_observable(task, case: str, n: Number, m: Number, q: Number):
    """Dispatch: a task name ('vqe', 'qae') -> symbolic path; an Observable -> numeric path."""
    case = _case(case)
    if isinstance(task, str):
        return "task", case
    if hasattr(task, "terms") and hasattr(task, "dense"):
        if as_sympy_argument(n, "n") != task.n:
            raise ValueError(f"n = {n} does not match the observable's n = {task.n}")
        return "observable", case
    raise TypeError(f"task must be 'vqe', 'qae' or an Observable, got {type(task).__name__}")


def expected_K_frobenius_fourth(task, case: str, n: Number, m: Number = 1, q: Number = 2) -> sp.Expr:
    """Exact ``E||K||_F⁴`` (Lemma 11.4) for V1 and/or V2 Haar-random (or from unitary **4**-designs;
    a 2-design does not fix fourth moments), input ``|0…0>``, A = site 0.

    ``task``: ``"vqe"`` (Heisenberg ring Eq. 9, SU(q) form for q >= 3, n >= 3) or ``"qae"`` (Eq. 10,
    R = A) — then ``n`` may be a sympy Symbol and the result is a rational function of ``q**n``
    (VQE v2/both: of ``q**n`` and n, the n >= 5 form; numeric n = 3, 4 are exact) — or any
    :class:`~weingarten_check.states.observables.Observable` (numeric path at its own n, A = sites
    ``range(m)``, float traces; returned as a sympy Float).
    Example: VQE, v1, q = 2: ``396 (d + 4)/((d + 1)(d + 2)(d + 3))`` with ``d = 2**n``.
    """
    from .fourth_moments import expected_K_frobenius_fourth_observable
    from .task_moments import expected_K_frobenius_fourth_task

    kind, case = _task_or_observable(task, case, n, m, q)
    if kind == "task":
        return expected_K_frobenius_fourth_task(task, case, n, m, q)
    return sp.Float(expected_K_frobenius_fourth_observable(task, case, tuple(range(int(m)))))


def expected_delta_lower_bound_from_moments(second: Number, fourth: Number, dA: Number) -> sp.Expr:
    """Lemma 11.5: ``E[Δ] >= c (E||K||_F²)^{3/2} / (E||K||_F⁴)^{1/2}``.

    Hölder with X = ||K||_F >= 0: ``E X² = E[X^{1/2} X^{3/2}] <= (E X)^{2/3}(E X⁴)^{1/3}`` hence
    ``E X >= (E X²)^{3/2}/(E X⁴)^{1/2}``; then ``Δ >= c X`` with ``c`` from
    :func:`delta_frobenius_constants` (2 for one qubit, ``2/sqrt(dA²-1)`` otherwise).
    ``second``, ``fourth`` are the exact moments (or floats); ``fourth = 0`` requires ``second = 0``.
    """
    s2 = as_sympy_argument(second, "second", allow_float=True)
    s4 = as_sympy_argument(fourth, "fourth", allow_float=True)
    check_symbolic_nonnegative(s2, "second")
    check_symbolic_nonnegative(s4, "fourth")
    if _is_num(s2) and _is_num(s4):
        if s4 == 0:
            if s2 != 0:
                raise ValueError("fourth = 0 forces second = 0 (E X⁴ >= (E X²)²)")
            return sp.Integer(0)
        if s4 < s2**2 * (1 - sp.Rational(1, 10**12)):
            raise ValueError(f"moments violate E X⁴ >= (E X²)²: second = {s2}, fourth = {s4}")
    c, _ = delta_frobenius_constants(dA)
    return c * s2 ** sp.Rational(3, 2) / sp.sqrt(s4)


def _second_moment(task, case: str, n: Number, m: Number, q: Number) -> sp.Expr:
    from .task_moments import expected_K_frobenius_sq_task

    if isinstance(task, str):
        return expected_K_frobenius_sq_task(task, case, n, m, q)
    A = list(range(int(m)))
    obs = task
    dA = obs.q ** len(A)
    if case == "v1":
        return expected_K_frobenius_sq("v1", obs.n, len(A), obs.q, coupling=obs.coupling(A))
    if case == "v2":
        return expected_K_frobenius_sq(
            "v2", obs.n, len(A), obs.q, state_coupling=1 - sp.Rational(1, dA), h_hs_centered=obs.h_hs_centered()
        )
    return expected_K_frobenius_sq("both", obs.n, len(A), obs.q, h_hs_centered=obs.h_hs_centered())


def expected_delta_lower_bound(task, case: str, n: Number, m: Number = 1, q: Number = 2) -> sp.Expr:
    """Lower bound on E[Δ] (Lemma 11.5-11.6): :func:`expected_delta_lower_bound_from_moments` with
    the exact second (Lemma 9) and fourth (Lemma 11.4) moments of ``||K||_F``, same ``task`` forms
    as :func:`expected_K_frobenius_fourth`.  **Needs Haar or a unitary 4-design** for the random
    V1/V2: a 2-design fixes E||K||_F² but not E||K||_F⁴.

    Example: VQE, v1, qubits: ``2 (18/(d+1))^{3/2} / sqrt(396 (d+4)/((d+1)(d+2)(d+3)))``
    ``~ 0.64 × 12/sqrt(d+1)`` for large d (and E[Δ] ~ 0.9 × 12/sqrt(d+1)).
    """
    kind, case = _task_or_observable(task, case, n, m, q)
    dA = (q if kind == "task" else task.q) ** as_sympy_argument(m, "m")
    second = _second_moment(task, case, n, m, q)
    fourth = expected_K_frobenius_fourth(task, case, n, m, q)
    if kind == "observable":
        return expected_delta_lower_bound_from_moments(sp.Float(float(second)), fourth, dA)
    return expected_delta_lower_bound_from_moments(second, fourth, dA)


def expected_delta_upper_bound(task, case: str, n: Number, m: Number = 1, q: Number = 2) -> sp.Expr:
    """The matching upper bound of Lemma 11.6: ``E[Δ] <= u sqrt(E||K||_F²)`` with ``u = sqrt(2) dA``
    (:func:`delta_frobenius_constants`; Jensen).  For one qubit this is :func:`task_dependent_bound`;
    for dA >= 3 it is sharper than it by ``sqrt(2(dA²-1))/dA``.  Needs only a 2-design."""
    kind, case = _task_or_observable(task, case, n, m, q)
    dA = (q if kind == "task" else task.q) ** as_sympy_argument(m, "m")
    _, u = delta_frobenius_constants(dA)
    second = _second_moment(task, case, n, m, q)
    return u * sp.sqrt(second)
