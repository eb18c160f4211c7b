"""Every bound on E[Δ] of the project, in one place, as exact sympy expressions.

Notation (``proofs/DERIVATION.md``, "Setting and notation"): local dimension ``q``, ``n`` sites,
subsystem A of ``m`` sites, ``dA = q**m``, ``dB = q**(n-m)``, ``d = dA*dB``; ``w = w(H)`` is the
spectral width.  The circuit is ``U = V2 (UA ⊗ I_B) V1`` and ``Δ = max_UA C - min_UA C``; the
randomness case (:data:`CASES`) says which of V1, V2 is random.

Arguments: dimensions (``n``, ``m``, ``q``, ``dA``, ``schmidt_rank``) must be exact — Python ints,
integer-valued ``fractions.Fraction``, sympy Integers or sympy Symbols (a float or a bool raises
``TypeError``).  Physical inputs (``w``, ``coupling``, ``purity``, ``state_coupling``,
``h_hs_centered``, ``mean_bound``, ``epsilon``, the moments) may also be floats measured
numerically.  Numeric arguments are range-checked (``q >= 2``, ``1 <= m < n``, ``w >= 0`` ...) and
a bad argument raises ``ValueError``/``TypeError`` naming it.  A sympy Symbol is accepted for any of
``n``, ``m``, ``q`` except in :func:`nuclear_to_frobenius_factor`, :func:`route1_bound` and
:func:`task_dependent_bound` (numeric ``m``, ``q``: their constant depends on whether ``dA = 2``) and
in the task-based :func:`expected_K_frobenius_fourth`, :func:`expected_delta_lower_bound` and
:func:`expected_delta_upper_bound` (``m = 1``, an int ``q``; only ``n`` may be a Symbol).

Results: every function returns a sympy expression (e.g. ``3*sqrt(65)/65``), exact when its inputs
are; a float input gives an expression with Float coefficients (e.g. ``0.0923076923076923*sqrt(65)``).
Converting to ``float`` is the caller's job.  Each docstring names the lemma of
``proofs/DERIVATION.md`` that proves the bound; the tests in ``proofs/`` check the proofs.

Examples
--------
>>> CASES
('v1', 'v2', 'both')
>>> qudit_theorem1_bound(1, 6, 1)  # w = 1, six qubits, A = one qubit (Lemma 6.1)
3*sqrt(65)/65
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

#: The three randomness cases of Theorem 1 (``proofs/DERIVATION.md``, "Setting and notation";
#: Lemmas 4.1-4.3): ``"v1"`` V1 from a unitary 2-design and V2 fixed, ``"v2"`` V2 from a 2-design
#: and V1 fixed, ``"both"`` independent 2-designs (Haar or 4-designs for the fourth moments).
CASES = ("v1", "v2", "both")


# ---------------------------------------------------------------------------------------------
# argument handling
# ---------------------------------------------------------------------------------------------
def _is_num(x: sp.Expr) -> bool:
    return bool(getattr(x, "is_number", False))


def dimensions(n: Number, m: Number, q: Number = 2) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Return ``(dA, dB, d) = (q**m, q**(n-m), q**n)`` after checking the dimensions.

    The notation of ``proofs/DERIVATION.md`` ("Setting and notation"), used by every lemma; every bound
    of this module validates its dimensions here.

    Parameters
    ----------
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.

    Returns
    -------
    tuple of sympy.Expr
        ``(dA, dB, d)``: sympy Integers for numeric arguments, powers of the Symbols otherwise.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float, a bool or not a number.
    ValueError
        If a numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``.
        Only the numeric parts are checked: a Symbol stands for any admissible value.

    Examples
    --------
    >>> dimensions(4, 1)
    (2, 8, 16)
    >>> n = sp.Symbol("n", positive=True)
    >>> dimensions(n, 1, q=3)
    (3, 3**(n - 1), 3**n)
    >>> dimensions(2, 2)
    Traceback (most recent call last):
    ...
    ValueError: m must satisfy 1 <= m < n (A is a proper subsystem), got m=2, n=2
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

    Lemma 6.2 of ``proofs/DERIVATION.md`` proves it as a corollary of :func:`qudit_theorem1_bound`
    (Lemma 6.1) and of :func:`elementwise_bound` (Lemma 5.5).

    Parameters
    ----------
    w : int, Fraction, float or sympy.Expr
        Spectral width ``w = w(H) = λmax - λmin`` of the observable, ``>= 0``.  May be a sympy Symbol;
        a float (a width measured numerically) gives a result with Float coefficients.
    n : int or sympy.Expr
        Number of qubits, ``n > m``.  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of qubits of A, ``1 <= m < n``.  May be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``w * 2**(3m + 2 - n/2)``: a Rational or an algebraic number (``sqrt(2)`` for odd ``n``) for
        numeric arguments, an expression in the Symbols otherwise.

    Raises
    ------
    TypeError
        If ``n`` or ``m`` is a float or a bool, or ``w`` is a bool or not a number.
    ValueError
        If a numeric ``n`` or ``m`` is not an integer or ``1 <= m < n`` fails, or a numeric ``w`` is
        negative or not real.

    See Also
    --------
    qudit_theorem1_bound : The proven qudit form, smaller by a factor > 10.

    Notes
    -----
    The printed constant has slack (Lemma 6.3): printed / qudit bound ``> 4 dA³/(dA² - 1) >= 32/3``.
    Since ``0 <= Δ <= w``, the printed bound says something only when it is ``< w``: for ``m = 1`` from
    ``n = 11`` on (Lemma 6.4), outside the range ``n <= 10`` of the paper's Figure 5.

    Examples
    --------
    >>> paper_theorem1_bound(1, 20, 1)
    1/32
    >>> paper_theorem1_bound(1, 10, 1)  # = w: not informative below n = 11 (Lemma 6.4)
    1
    >>> w, n = sp.symbols("w n", positive=True)
    >>> paper_theorem1_bound(w, n, 1)
    2**(5 - n/2)*w
    """
    dimensions(n, m, 2)
    n_, m_ = as_sympy_argument(n, "n"), as_sympy_argument(m, "m")
    return _w(w) * sp.Integer(2) ** (3 * m_ + 2 - n_ / 2)


def qudit_theorem1_bound(w: Number, n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Qudit Theorem 1: ``E[Δ] <= w (q**(2m) - 1) / sqrt(q**n + 1)``.

    Lemma 6.1 of ``proofs/DERIVATION.md``.  Holds when V1, V2 or both are drawn from a unitary
    2-design, for every ``q >= 2`` and ``1 <= m < n``, every observable H and input state ρ.

    Parameters
    ----------
    w : int, Fraction, float or sympy.Expr
        Spectral width ``w = w(H) = λmax - λmin`` of the observable, ``>= 0``.  May be a sympy Symbol;
        a float (a width measured numerically) gives a result with Float coefficients.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``w (dA² - 1) / sqrt(d + 1)``: exact (e.g. ``3*sqrt(65)/65``) for exact arguments.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float or a bool, or ``w`` is a bool or not a number.
    ValueError
        If a numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``.
        A numeric ``w`` that is negative or not real raises it too.

    See Also
    --------
    qudit_theorem1_sharp_bound : Smaller by ``sqrt(2(dA² - 1))/dA`` (Lemma 11.3).
    route1_bound : The same route with the sharper one-qubit constant.

    Notes
    -----
    ``Δ <= 2 ||K||_* <= 2 sqrt(dA² - 1) ||K||_F`` (Lemmas 3.3, 3.4) and
    ``E||K||_F² <= (dA² - 1) w² / (4 (d + 1))`` in every case (Lemma 4.6); Jensen gives
    ``E[Δ] <= 2 sqrt(dA² - 1) sqrt(E||K||_F²)``.

    Examples
    --------
    >>> qudit_theorem1_bound(1, 6, 1)
    3*sqrt(65)/65
    >>> w, n = sp.symbols("w n", positive=True)
    >>> qudit_theorem1_bound(w, n, 1, q=3)
    8*w/sqrt(3**n + 1)
    """
    dA, _, d = dimensions(n, m, q)
    return _w(w) * (dA**2 - 1) / sp.sqrt(d + 1)


def nuclear_to_frobenius_factor(m: Number, q: Number = 2) -> sp.Expr:
    """Return ``r`` with ``max_UA C - min_UA C <= 2 sqrt(r) ||K||_F`` for every K.

    Lemma 3.4 of ``proofs/DERIVATION.md`` (``r`` is sharp).

    Parameters
    ----------
    m : int
        Number of sites of the subsystem A, ``m >= 1``.  Must be numeric (the constant depends on
        whether ``dA = 2``).
    q : int, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  Must be numeric here (as ``m``).

    Returns
    -------
    sympy.Integer
        ``r = 2`` for one qubit (``dA = 2``), ``r = dA² - 1`` otherwise.

    Raises
    ------
    TypeError
        If ``m`` or ``q`` is a float, a bool or not a number.
    ValueError
        If ``m`` or ``q`` is symbolic, or not an integer, or ``m < 1`` or ``q < 2``.

    Notes
    -----
    One qubit: ``Δ = 2 (σ1 + σ2) <= 2 sqrt(2) ||K||_F`` (Lemma 3.2).  Otherwise ``Δ <= 2 ||K||_*``
    (Lemma 3.3) and ``rank K <= dA² - 1``, so Cauchy–Schwarz on the singular values gives ``r = dA² - 1``.

    Examples
    --------
    >>> nuclear_to_frobenius_factor(1), nuclear_to_frobenius_factor(1, q=3), nuclear_to_frobenius_factor(2)
    (2, 8, 15)
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
    """Task-independent bound of Route 1, through the nuclear norm: ``E[Δ] <= w sqrt(r (dA² - 1) / (d + 1))``.

    Lemma 6.1 of ``proofs/DERIVATION.md`` with the sharp constant ``r`` of Lemma 3.4
    (:func:`nuclear_to_frobenius_factor`); V1, V2 or both from a unitary 2-design.

    Parameters
    ----------
    w : int, Fraction, float or sympy.Expr
        Spectral width ``w = w(H) = λmax - λmin`` of the observable, ``>= 0``.  May be a sympy Symbol;
        a float (a width measured numerically) gives a result with Float coefficients.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  Must be numeric here
        (the constant ``r`` depends on whether ``dA = 2``).
    q : int, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  Must be numeric here (as ``m``).

    Returns
    -------
    sympy.Expr
        ``w sqrt(r (dA² - 1)) / sqrt(d + 1)``, exact for exact arguments.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float or a bool, or ``w`` is a bool or not a number.
    ValueError
        If ``m`` or ``q`` is symbolic; if a numeric ``n``, ``m`` or ``q`` is not an integer, or
        ``q < 2``, ``m < 1`` or ``m >= n``; or if a numeric ``w`` is negative or not real.

    See Also
    --------
    qudit_theorem1_sharp_bound : The sharpest task-independent bound (Lemma 11.3).

    Notes
    -----
    For one qubit (``r = 2``) the bound is ``w sqrt(6) / sqrt(d + 1)``; for ``dA >= 3`` it equals
    :func:`qudit_theorem1_bound`.  It is not the sharpest for ``dA >= 3``:
    :func:`qudit_theorem1_sharp_bound` (Lemma 11.3, ``Δ <= sqrt(2) dA ||K||_F``) is smaller there by the
    factor ``sqrt(2 (dA² - 1)) / dA``; for ``dA = 2`` the two are equal.

    Examples
    --------
    >>> w, n = sp.symbols("w n", positive=True)
    >>> route1_bound(w, n, 1)
    sqrt(6)*w/sqrt(2**n + 1)
    >>> route1_bound(1, 4, 1, q=3) == qudit_theorem1_bound(1, 4, 1, q=3)
    True
    """
    dA, _, d = dimensions(n, m, q)
    r = nuclear_to_frobenius_factor(m, q)
    return _w(w) * sp.sqrt(r * (dA**2 - 1)) / sp.sqrt(d + 1)


def elementwise_bound(w: Number, n: Number, m: Number, q: Number = 2, case: str = "v1") -> sp.Expr:
    """Route 2, the paper's element-wise route: ``E[Δ] <= w dA**(5/2) / sqrt(d + 1)`` (V1) or ``w dA**3 / sqrt(d + 1)``.

    Lemma 5.5 of ``proofs/DERIVATION.md`` (the paper's Appendix B, reconstructed).  Both forms imply
    the printed Theorem 1 (:func:`paper_theorem1_bound`, Lemma 6.2); Route 1 (:func:`route1_bound`) is
    sharper.

    Parameters
    ----------
    w : int, Fraction, float or sympy.Expr
        Spectral width ``w = w(H) = λmax - λmin`` of the observable, ``>= 0``.  May be a sympy Symbol;
        a float (a width measured numerically) gives a result with Float coefficients.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.
    case : {"v1", "v2", "both"}, default "v1"
        Which unitaries are random (:data:`CASES`): ``"v1"`` or ``"both"`` (V1 from a unitary 2-design)
        give the ``dA**(5/2)`` form, ``"v2"`` (only V2 from a 2-design) the ``dA**3`` form.

    Returns
    -------
    sympy.Expr
        ``w dA**p / sqrt(d + 1)`` with ``p = 5/2`` or ``3``, exact for exact arguments.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float or a bool, or ``w`` is a bool or not a number.
    ValueError
        If ``case`` is not one of :data:`CASES`; if a numeric ``n``, ``m`` or ``q`` is not an integer,
        or ``q < 2``, ``m < 1`` or ``m >= n``; or if a numeric ``w`` is negative or not real.

    Notes
    -----
    Hölder: ``Δ <= 2 ||T||_1 <= 2 dA ||T||_F`` (Lemma 5.2), then a uniform bound on every element
    ``E|T_ijkl|²`` summed over the ``dA⁴`` elements (Lemmas 5.3, 5.4) and Jensen:

    * V1 a 2-design (``case="v1"`` or ``"both"``): ``E|T_ijkl|² <= w² / (4 dA (d + 1))``;
    * only V2 a 2-design (``case="v2"``): ``E|T_ijkl|² <= w² / (4 (d + 1))``.

    Examples
    --------
    >>> w, n = sp.symbols("w n", positive=True)
    >>> elementwise_bound(w, n, 1)
    4*sqrt(2)*w/sqrt(2**n + 1)
    >>> elementwise_bound(w, n, 1, case="v2")
    8*w/sqrt(2**n + 1)
    """
    case = _case(case)
    dA, _, d = dimensions(n, m, q)
    power = sp.Integer(3) if case == "v2" else sp.Rational(5, 2)
    return _w(w) * dA**power / sp.sqrt(d + 1)


# ---------------------------------------------------------------------------------------------
# Proposition 2 (fidelity cost)
# ---------------------------------------------------------------------------------------------
def expected_M_frobenius_sq(n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Exact ``E||M||_F² = dA / d`` for the fidelity cost when V1 or V2 is drawn from a unitary 1-design.

    Lemma 7.3 of ``proofs/DERIVATION.md``: ``M_ij = <φ_j|ψ_i>`` is the ``dA × dA`` matrix of Lemma 7.1
    and ``||M||_F² = <ψ1|(I_A ⊗ φ_B)|ψ1>``, whose mean under a 1-design is ``tr(I_A ⊗ φ_B) / d``.

    Parameters
    ----------
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``q**m / q**n``: a Rational for numeric arguments.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float, a bool or not a number.
    ValueError
        If a numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``.

    Examples
    --------
    >>> expected_M_frobenius_sq(6, 1)
    1/32
    >>> n, m = sp.symbols("n m", positive=True)
    >>> expected_M_frobenius_sq(n, m)
    2**m/2**n
    """
    dA, _, d = dimensions(n, m, q)
    return dA / d


def proposition2_bound(n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Proposition 2 (Eq. 12) and its qudit form: ``E[Δ_QSL] <= q**(2m - n)``.

    Lemma 7.4 of ``proofs/DERIVATION.md``; needs only a unitary 1-design (V1 or V2).

    Parameters
    ----------
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``dA² / d = q**(2m - n)``: a Rational for numeric arguments (``1/2**(n - 2m)`` for qubits).

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float, a bool or not a number.
    ValueError
        If a numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``.

    See Also
    --------
    proposition2_schmidt_bound : The sharper form with the Schmidt rank of the fixed state.

    Notes
    -----
    ``Δ_QSL = ||M||_1²`` exactly (Lemma 7.2), ``||M||_1² <= dA ||M||_F²`` (Cauchy–Schwarz) and
    ``E||M||_F² = dA / d`` (:func:`expected_M_frobenius_sq`, Lemma 7.3).

    Examples
    --------
    >>> proposition2_bound(6, 1)
    1/16
    >>> n, m, q = sp.symbols("n m q", positive=True)
    >>> proposition2_bound(n, m, q)
    q**(2*m - n)
    """
    dA, _, d = dimensions(n, m, q)
    return sp.simplify(dA**2 / d)


def proposition2_schmidt_bound(n: Number, m: Number, q: Number = 2, *, schmidt_rank: Number) -> sp.Expr:
    """Sharper Proposition 2: ``E[Δ_QSL] <= min(dA, k) dA / d`` with ``k`` the Schmidt rank of the fixed state.

    Lemma 7.5 of ``proofs/DERIVATION.md``; the constant ``min(dA, k)`` is attained.

    Parameters
    ----------
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.
    schmidt_rank : int or sympy.Expr
        ``k >= 1``: the A|B Schmidt rank of the *fixed* state — ``V2†|φ>`` when V1 is the 1-design,
        ``V1|ψ>`` when V2 is — or any upper bound on it.  Keyword-only; may be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``Min(dA, k) dA / d``: a Rational for numeric arguments.

    Raises
    ------
    TypeError
        If ``n``, ``m``, ``q`` or ``schmidt_rank`` is a float, a bool or not a number.
    ValueError
        If a numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``.
        A numeric ``schmidt_rank`` that is not an integer ``>= 1`` raises it too.

    Notes
    -----
    ``rank M <= k``, so ``||M||_1² <= k ||M||_F²``, with ``E||M||_F² = dA / d`` (Lemma 7.3).  For the
    paper's Fig. 5(c) setting (product target, ``V2 = I``) ``k = 1`` and ``E[Δ_QSL] = dA / d`` holds with
    equality — half the printed bound for ``m = 1``.

    Examples
    --------
    >>> proposition2_schmidt_bound(6, 1, schmidt_rank=1)  # Fig. 5(c): exactly E[Δ_QSL]
    1/32
    >>> proposition2_schmidt_bound(6, 2, schmidt_rank=3)  # min(4, 3) * 4 / 64
    3/16
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
    """Exact ``E||K||_F²`` for the three randomness cases (V1, V2 or both from a unitary 2-design).

    Lemmas 4.1 (v1), 4.2 (v2) and 4.3 (both) of ``proofs/DERIVATION.md``; the input of the
    task-dependent bounds of Lemma 9.  ``K_ab = tr_B(h_a r_b)`` is the matrix of Lemma 3.1, with
    ``h_a = tr_A((G_a ⊗ I) V2† H V2)`` and ``r_b = tr_A((G_b ⊗ I) V1 ρ V1†)``.

    Parameters
    ----------
    case : {"v1", "v2", "both"}
        Which unitaries are random (:data:`CASES`): ``"v1"`` V1 from a unitary 2-design and V2 fixed,
        ``"v2"`` V2 from a 2-design and V1 fixed, ``"both"`` V1 and V2 independent 2-designs.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.
    coupling : int, Fraction, float or sympy.Expr, optional
        Case ``"v1"`` only (required there): ``Σ_a tr_B(h_a²) = ||H2||_2² - ||tr_A H2||_2² / dA`` for the
        fixed ``H2 = V2† H V2`` (Lemma 4.4), ``>= 0``; see :func:`coupling_from_pauli_coefficients`.
        Keyword-only; may be a sympy Symbol.
    purity : int, Fraction, float or sympy.Expr, default 1
        ``tr ρ²`` of the input state, in ``[1/d, 1]`` (1: a pure state).  Used by ``"v1"`` and
        ``"both"``.  Keyword-only; may be a sympy Symbol.
    state_coupling : int, Fraction, float or sympy.Expr, optional
        Case ``"v2"`` only (required there): ``Σ_b tr_B(r_b²) = tr ρ1² - tr((tr_A ρ1)²) / dA`` for the
        fixed ``ρ1 = V1 ρ V1†``, ``>= 0``; see :func:`product_state_coupling`.  Keyword-only; may be a
        sympy Symbol.
    h_hs_centered : int, Fraction, float or sympy.Expr, optional
        Cases ``"v2"`` and ``"both"`` (required there): ``tr H² - (tr H)² / d = ||H - tr(H)/d||_2²``,
        ``>= 0``.  Keyword-only; may be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        The exact second moment: a Rational for exact numeric arguments (not simplified for symbolic
        ones; apply ``sympy.simplify``), with Float coefficients if a physical input is a float.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float or a bool, or a physical input is a bool or not a number.
    ValueError
        If ``case`` is not one of :data:`CASES`; if the keyword the case needs is missing; if a
        numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``; if a
        numeric ``purity`` lies outside ``[1/d, 1]``; or if a numeric ``coupling``, ``state_coupling``
        or ``h_hs_centered`` is negative or not real.

    Notes
    -----
    Case ``"v1"`` (V1 from a 2-design, V2 fixed; Lemma 4.1)::

        E||K||_F² = (dA² - 1) * coupling * (purity - 1/d) / (d² - 1)

    For ``H2 = Σ_P c_P P`` in an orthogonal string basis with ``tr(P† P) = d`` (Pauli strings,
    generalised Pauli strings) ``coupling = d Σ_{P touching A} |c_P|²`` (Lemma 9.1).

    Case ``"v2"`` (V2 from a 2-design, V1 fixed; Lemma 4.2)::

        E||K||_F² = (dA² - 1) * state_coupling * h_hs_centered / (d² - 1)

    ``state_coupling = 1 - 1/dA`` for a pure product state (:func:`product_state_coupling`).

    Case ``"both"`` (V1 and V2 independent 2-designs; Lemma 4.3)::

        E||K||_F² = (dA² - 1)² dB² (purity - 1/d) h_hs_centered / (d² - 1)²

    In every case ``E||K||_F² <= (dA² - 1) w² / (4 (d + 1))`` (Lemma 4.6).

    Examples
    --------
    Heisenberg ring (Eq. 9), ``ρ = |0…0><0…0|``, one qubit: six Pauli strings touch A, so
    ``coupling = 6 d`` and ``E||K||_F² = 18/(d + 1)`` (Lemma 9.2):

    >>> expected_K_frobenius_sq("v1", 6, 1, coupling=6 * 2**6)
    18/65
    >>> n = sp.Symbol("n", positive=True)
    >>> sp.simplify(expected_K_frobenius_sq("v1", n, 1, coupling=6 * 2**n))
    18/(2**n + 1)

    Quantum autoencoder (Eq. 10, Lemma 9.3): ``h_hs_centered = d/4``, ``state_coupling = 1/2``:

    >>> expected_K_frobenius_sq("v2", 6, 1, state_coupling=sp.Rational(1, 2), h_hs_centered=2**6 // 4)
    8/1365
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
    """Task-dependent bound ``E[Δ] <= 2 sqrt(r) sqrt(E||K||_F²)`` (the dashed lines of Fig. 5(a), (b)).

    Lemma 9.1 of ``proofs/DERIVATION.md`` (worked out for the paper's tasks in Lemmas 9.2, 9.3):
    ``Δ <= 2 sqrt(r) ||K||_F`` (Lemma 3.4, ``r`` from :func:`nuclear_to_frobenius_factor`) and Jensen,
    with the exact ``E||K||_F²`` of :func:`expected_K_frobenius_sq` (same keywords).  Needs only a
    unitary 2-design.

    Parameters
    ----------
    case : {"v1", "v2", "both"}
        Which unitaries are random (:data:`CASES`): ``"v1"`` V1 from a unitary 2-design and V2 fixed,
        ``"v2"`` V2 from a 2-design and V1 fixed, ``"both"`` V1 and V2 independent 2-designs.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  Must be numeric here
        (the constant ``r`` depends on whether ``dA = 2``).
    q : int, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  Must be numeric here (as ``m``).
    coupling, purity, state_coupling, h_hs_centered : int, Fraction, float or sympy.Expr
        Keyword-only; as in :func:`expected_K_frobenius_sq` (which of them each case needs, their
        ranges, defaults ``None`` and ``purity=1``).

    Returns
    -------
    sympy.Expr
        ``2 sqrt(r) sqrt(E||K||_F²)``: exact for exact arguments (not simplified for a symbolic ``n``).

    Raises
    ------
    TypeError
        As :func:`expected_K_frobenius_sq`.
    ValueError
        As :func:`expected_K_frobenius_sq`, and if ``m`` or ``q`` is symbolic.

    See Also
    --------
    expected_delta_upper_bound : The same for the paper's tasks, with the sharper ``sqrt(2) dA`` (Lemma 11.6).

    Examples
    --------
    Heisenberg ring, ``ρ = |0…0><0…0|``, V1 Haar, ``V2 = I``, one qubit: ``E||K||_F² = 18/(d + 1)`` and
    the bound is ``12/sqrt(d + 1)`` (Lemma 9.2); the quantum autoencoder gives ``sqrt(6)/sqrt(d + 1)``
    (Lemma 9.3):

    >>> task_dependent_bound("v1", 6, 1, coupling=6 * 2**6)
    12*sqrt(65)/65
    >>> task_dependent_bound("v1", 6, 1, coupling=2**6 // 4)
    sqrt(390)/65
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
    """Return ``coupling = d Σ |c_P|²`` over the strings ``P`` of H that act non-trivially on A.

    Lemma 9.1 of ``proofs/DERIVATION.md``: for ``H = Σ_P c_P P`` over strings with
    ``tr(P† Q) = d δ_PQ`` (Pauli strings, Gell-Mann strings ``sqrt(q/2) λ ⊗ …``, Weyl strings) the
    ``coupling`` of :func:`expected_K_frobenius_sq` (case ``"v1"``) is ``d Σ_{P touching A} |c_P|²``.

    Parameters
    ----------
    coefficients_touching_A : iterable of int, Fraction, float or sympy.Expr
        The coefficients ``c_P`` of the strings that touch A (each string listed once), normalised as
        ``tr(P† P) = d``.  May be complex (``|c_P|²`` is used) or sympy Symbols.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``q**n Σ c_P conj(c_P)``: exact for exact coefficients, with Float coefficients for floats.

    Raises
    ------
    TypeError
        If ``coefficients_touching_A`` is not iterable or holds a bool or a non-number; if ``n`` or
        ``q`` is a float, a bool or not a number.
    ValueError
        If a numeric ``n`` or ``q`` is not an integer, or ``n < 2`` or ``q < 2``; or if a float
        coefficient is not finite.

    Examples
    --------
    The Heisenberg ring (Eq. 9) with A = one site: six strings ``X_A X_j``, ``Y_A Y_j``, ``Z_A Z_j``
    (two neighbours j), all with ``c_P = 1`` (Lemma 9.2); the autoencoder (Eq. 10): one string
    ``-Z_R/2`` (Lemma 9.3):

    >>> n = sp.Symbol("n", positive=True)
    >>> coupling_from_pauli_coefficients([1] * 6, n)
    6*2**n
    >>> coupling_from_pauli_coefficients([sp.Rational(-1, 2)], n)
    2**n/4
    """
    n_, q_ = as_sympy_argument(n, "n"), as_sympy_argument(q, "q")
    check_symbolic_int(q_, "q", 2)
    check_symbolic_int(n_, "n", 2)
    try:
        coeffs = [as_sympy_argument(c, "coefficients_touching_A[i]", allow_float=True) for c in coefficients_touching_A]
    except TypeError as exc:
        raise TypeError(
            f"coefficients_touching_A must be an iterable of numbers (ints, Fractions, sympy numbers or floats): {exc}"
        ) from None
    return q_**n_ * sum((c * sp.conjugate(c) for c in coeffs), sp.Integer(0))


def product_state_coupling(m: Number, q: Number = 2, purity_A: Number = 1) -> sp.Expr:
    """Return ``state_coupling = tr ρ_A² - 1/dA`` for a product input ``ρ = ρ_A ⊗ ρ_B`` with pure ``ρ_B``.

    Lemma 9.2 of ``proofs/DERIVATION.md`` (the ``1/2`` of the v2 case for one qubit):
    ``Σ_b tr_B(r_b²)`` of :func:`expected_K_frobenius_sq` (case ``"v2"``) when ``V1 = I``.

    Parameters
    ----------
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.
    purity_A : int, Fraction, float or sympy.Expr, default 1
        ``tr ρ_A²``, in ``[1/dA, 1]`` (1: a pure ``ρ_A``, e.g. ``|0…0>``).  Not range-checked.  May be
        a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``purity_A - 1/q**m`` (``1 - 1/dA`` for a pure product state): a Rational for exact numeric
        arguments, a Float for a float ``purity_A``.

    Raises
    ------
    TypeError
        If ``m`` or ``q`` is a float, a bool or not a number, or ``purity_A`` is a bool or not a number.
    ValueError
        If a numeric ``m`` or ``q`` is not an integer, or ``m < 1`` or ``q < 2``, or a numeric
        ``purity_A`` lies outside ``[1/dA, 1]``.

    Examples
    --------
    >>> product_state_coupling(1)
    1/2
    >>> product_state_coupling(2, q=3)
    8/9
    >>> product_state_coupling(1, purity_A=sp.Rational(3, 4))
    1/4
    """
    m_, q_ = as_sympy_argument(m, "m"), as_sympy_argument(q, "q")
    check_symbolic_int(m_, "m", 1)
    check_symbolic_int(q_, "q", 2)
    pA = as_sympy_argument(purity_A, "purity_A", allow_float=True)
    dA = q_**m_
    if _is_num(pA) and _is_num(dA) and not (pA.is_real and 1 / dA <= pA <= 1):
        raise ValueError(f"purity_A = tr(rho_A^2) must lie in [1/dA, 1] = [1/{dA}, 1], got {pA}")
    return pA - 1 / dA


# ---------------------------------------------------------------------------------------------
# Remark 1
# ---------------------------------------------------------------------------------------------
def variance_bound(w: Number, mean_bound: Number) -> sp.Expr:
    """Remark 1 (Eq. 4): ``Var[Δ] <= E[Δ²] <= w E[Δ] <= w * mean_bound``.

    Lemma 8.1 of ``proofs/DERIVATION.md``: ``0 <= Δ <= w`` gives ``Δ² <= w Δ``; the bound is sharp
    (the two-point law on ``{0, w}``).

    Parameters
    ----------
    w : int, Fraction, float or sympy.Expr
        Spectral width ``w = w(H) = λmax - λmin`` of the observable, ``>= 0``.  May be a sympy Symbol;
        a float (a width measured numerically) gives a result with Float coefficients.
    mean_bound : int, Fraction, float or sympy.Expr
        An upper bound on ``E[Δ]`` (e.g. :func:`qudit_theorem1_bound`), ``>= 0``.  May be symbolic.

    Returns
    -------
    sympy.Expr
        ``w * mean_bound``.

    Raises
    ------
    TypeError
        If ``w`` or ``mean_bound`` is a bool or not a number.
    ValueError
        If a numeric ``w`` or ``mean_bound`` is negative or not real.

    Examples
    --------
    >>> w, n = sp.symbols("w n", positive=True)
    >>> variance_bound(w, qudit_theorem1_bound(w, n, 1))
    3*w**2/sqrt(2**n + 1)
    """
    mb = as_sympy_argument(mean_bound, "mean_bound", allow_float=True)
    check_symbolic_nonnegative(mb, "mean_bound")
    return _w(w) * mb


def markov_bound(epsilon: Number, mean_bound: Number) -> sp.Expr:
    """Remark 1 (Eq. 5, Markov): ``Pr[Δ >= ε] <= E[Δ]/ε <= mean_bound/ε`` for ``ε > 0``.

    Lemma 8.1 of ``proofs/DERIVATION.md``; sharp (the two-point law on ``{0, ε}``).

    Parameters
    ----------
    epsilon : int, Fraction, float or sympy.Expr
        The threshold ``ε > 0``.  May be a sympy Symbol.
    mean_bound : int, Fraction, float or sympy.Expr
        An upper bound on ``E[Δ]``, ``>= 0``.  May be symbolic.

    Returns
    -------
    sympy.Expr
        ``mean_bound / epsilon`` (it may exceed 1, then it says nothing).

    Raises
    ------
    TypeError
        If ``epsilon`` or ``mean_bound`` is a bool or not a number.
    ValueError
        If a numeric ``epsilon`` is not a real number ``> 0``, or a numeric ``mean_bound`` is negative or not real.

    Examples
    --------
    >>> markov_bound(sp.Rational(1, 10), sp.Rational(1, 100))
    1/10
    """
    e = as_sympy_argument(epsilon, "epsilon", allow_float=True)
    if _is_num(e) and not (e.is_real and e > 0):
        raise ValueError(f"epsilon must be a real number > 0, got {e}")
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
    """Return ``(c, u)`` with ``c ||K||_F <= Δ <= u ||K||_F`` for every K.

    Lemmas 11.2 (lower constant) and 11.3 (upper constant) of ``proofs/DERIVATION.md``; both are
    attained.

    Parameters
    ----------
    dA : int or sympy.Expr
        Dimension of A, ``dA = q**m >= 2``.  May be a sympy Symbol (then the generic ``dA >= 3``
        lower constant is returned).

    Returns
    -------
    tuple of sympy.Expr
        ``(c, u)``: ``c = 2`` for one qubit and ``2/sqrt(dA² - 1)`` otherwise; ``u = sqrt(2) dA``.

    Raises
    ------
    TypeError
        If ``dA`` is a float, a bool or not a number.
    ValueError
        If a numeric ``dA`` is not an integer ``>= 2``.

    Notes
    -----
    Lower side: for one qubit ``Δ = 2 (σ1 + σ2)`` (Lemma 3.2) and ``(σ1 + σ2)² - ||K||_F² =
    2 σ1 σ2 - σ3² >= 0``, so ``c = 2``, with equality iff ``rank K <= 1`` (sharper than the constant
    ``2 sqrt(2/3)``, which it implies, and than Popoviciu's ``2/sqrt(3)``).  Otherwise Popoviciu:
    ``Var_U C <= Δ²/4`` with ``Var_U C = ||K||_F² / (dA² - 1)`` for Haar ``UA`` (Lemma 11.1).

    Upper side: ``||R(V) - I||_F² = 2 dA² - 2 |tr V|²``, attained by ``K = R(W0) - I`` with ``W0`` a
    traceless diagonal unitary (Lemma 11.3).  For ``dA = 2`` this is the ``2 sqrt(2)`` of Lemma 3.4; for
    ``dA >= 3`` it beats the nuclear-norm ``2 sqrt(dA² - 1)``.

    Examples
    --------
    >>> delta_frobenius_constants(2)
    (2, 2*sqrt(2))
    >>> delta_frobenius_constants(3)
    (sqrt(2)/2, 3*sqrt(2))
    """
    dA_ = _dA_value(dA)
    if _is_num(dA_) and dA_ == 2:
        return sp.Integer(2), 2 * sp.sqrt(2)
    return 2 / sp.sqrt(dA_**2 - 1), sp.sqrt(2) * dA_


def qudit_theorem1_sharp_bound(w: Number, n: Number, m: Number, q: Number = 2) -> sp.Expr:
    """Sharper qudit Theorem 1: ``E[Δ] <= w dA sqrt((dA² - 1)/2) / sqrt(d + 1)``.

    Lemma 11.3 of ``proofs/DERIVATION.md``; V1, V2 or both from a unitary 2-design.

    Parameters
    ----------
    w : int, Fraction, float or sympy.Expr
        Spectral width ``w = w(H) = λmax - λmin`` of the observable, ``>= 0``.  May be a sympy Symbol;
        a float (a width measured numerically) gives a result with Float coefficients.
    n : int or sympy.Expr
        Number of sites of the circuit, ``n > m`` (so ``n >= 2``).  May be a sympy Symbol.
    m : int or sympy.Expr
        Number of sites of the subsystem A that ``UA`` acts on, ``1 <= m < n``.  May be a sympy Symbol.
    q : int or sympy.Expr, default 2
        Local dimension of every site (2: qubits), ``q >= 2``.  May be a sympy Symbol.

    Returns
    -------
    sympy.Expr
        ``w dA sqrt((dA² - 1)/2) / sqrt(d + 1)``, exact for exact arguments.

    Raises
    ------
    TypeError
        If ``n``, ``m`` or ``q`` is a float or a bool, or ``w`` is a bool or not a number.
    ValueError
        If a numeric ``n``, ``m`` or ``q`` is not an integer, or ``q < 2``, ``m < 1`` or ``m >= n``.
        A numeric ``w`` that is negative or not real raises it too.

    Notes
    -----
    From ``Δ <= sqrt(2) dA ||K||_F`` (attained, :func:`delta_frobenius_constants`) and
    ``E||K||_F² <= (dA² - 1) w² / (4 (d + 1))`` (Lemma 4.6) with Jensen.  Equals :func:`route1_bound`
    for ``dA = 2``; for ``dA >= 3`` it is smaller than it (and than :func:`qudit_theorem1_bound`) by the
    factor ``sqrt(2 (dA² - 1)) / dA``, which tends to ``sqrt(2)``.

    Examples
    --------
    >>> w, n = sp.symbols("w n", positive=True)
    >>> qudit_theorem1_sharp_bound(w, n, 1, q=3)  # qudit_theorem1_bound gives 8*w/sqrt(3**n + 1)
    6*w/sqrt(3**n + 1)
    >>> qudit_theorem1_sharp_bound(w, n, 1) == route1_bound(w, n, 1)
    True
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
    """Exact ``E||K||_F⁴`` for Haar-random (or unitary 4-design) V1 and/or V2, input ``|0…0>``.

    Lemma 11.4 of ``proofs/DERIVATION.md``.  A unitary 2-design does not fix fourth moments: the result
    holds for Haar and for unitary **4**-designs.  For a task name the value comes from
    :func:`weingarten_check.theory.task_moments.expected_K_frobenius_fourth_task` (A = site 0), for an
    Observable from :func:`weingarten_check.theory.fourth_moments.expected_K_frobenius_fourth_observable`.

    Parameters
    ----------
    task : {"vqe", "qae"} or Observable
        ``"vqe"``: the Heisenberg ring (Eq. 9; its SU(q) form for ``q >= 3``), ``n >= 3``;
        ``"qae"``: the quantum-autoencoder observable (Eq. 10) with the discarded site R = A.  Both with
        A = site 0 and input ``|0…0>`` (:mod:`weingarten_check.theory.task_moments`).  Or any
        :class:`~weingarten_check.states.observables.Observable`: the numeric path at its own ``n``
        and ``q``, A = sites ``range(m)``, input ``|0…0>``, floating-point traces.
    case : {"v1", "v2", "both"}
        Which unitaries are random (:data:`CASES`): ``"v1"`` V1 Haar-random and V2 fixed (``V2 = I``
        for a task name), ``"v2"`` V2 Haar-random and V1 fixed (``V1 = I``), ``"both"`` independent.
        Haar may be replaced by a unitary 4-design, not by a 2-design.
    n : int or sympy.Expr
        Number of sites.  For a task name it may be a sympy Symbol (exact in ``d = q**n``); for an
        Observable it must equal the observable's ``n``.
    m : int, default 1
        Number of sites of A: must be 1 for a task name; for an Observable, A = sites ``range(m)``.
    q : int, default 2
        Local dimension, an int ``>= 2`` (not a Symbol) for a task name; ignored for an Observable
        (its own ``q`` is used).

    Returns
    -------
    sympy.Expr
        For a task name: exact, a Rational for numeric ``n``, a rational function of ``q**n`` for a
        symbolic ``n`` (for VQE v2/both of ``q**n`` and ``n``: the ``n >= 5`` form; numeric
        ``n = 3, 4`` are exact).  For an Observable: a sympy Float.

    Raises
    ------
    TypeError
        If ``task`` is neither a str nor an Observable, ``n`` is neither an int nor a sympy Symbol, or
        ``m`` is a float.
    ValueError
        If ``case`` is not one of :data:`CASES`; for a task name, if ``task`` is not ``"vqe"`` or
        ``"qae"``, ``m != 1``, ``q`` is not an int ``>= 2`` or ``n`` is too small (VQE ``n >= 3``, QAE
        ``n >= 2``); for an Observable, if ``n`` differs from its ``n``, ``m < 1`` or ``m >= n``, or
        (v2, both) ``q**n > 4096``.

    See Also
    --------
    expected_delta_lower_bound : The lower bound on E[Δ] these moments give (Lemmas 11.5, 11.6).

    Examples
    --------
    >>> n = sp.Symbol("n", positive=True)
    >>> expected_K_frobenius_fourth("vqe", "v1", n)  # 396 (d + 4)/((d + 1)(d + 2)(d + 3)), d = 2**n
    396*(2**n + 4)/((2**n + 1)*(2**n + 2)*(2**n + 3))
    >>> expected_K_frobenius_fourth("qae", "v1", 6)
    3/13936
    """
    from .fourth_moments import expected_K_frobenius_fourth_observable
    from .task_moments import expected_K_frobenius_fourth_task

    kind, case = _task_or_observable(task, case, n, m, q)
    if kind == "task":
        return expected_K_frobenius_fourth_task(task, case, n, m, q)
    return sp.Float(expected_K_frobenius_fourth_observable(task, case, tuple(range(int(m)))))


def expected_delta_lower_bound_from_moments(second: Number, fourth: Number, dA: Number) -> sp.Expr:
    """Lower bound ``E[Δ] >= c (E||K||_F²)^(3/2) / (E||K||_F⁴)^(1/2)`` from the two moments of ``||K||_F``.

    Lemma 11.5 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    second : int, Fraction, float or sympy.Expr
        ``E||K||_F² >= 0`` (exact, e.g. from :func:`expected_K_frobenius_sq`, or a float).  May be
        symbolic.
    fourth : int, Fraction, float or sympy.Expr
        ``E||K||_F⁴ >= 0`` (e.g. from :func:`expected_K_frobenius_fourth`); ``fourth = 0`` requires
        ``second = 0``.  May be symbolic.
    dA : int or sympy.Expr
        Dimension of A, ``>= 2``: selects ``c`` (:func:`delta_frobenius_constants`).  May be a Symbol.

    Returns
    -------
    sympy.Expr
        ``c second**(3/2) / sqrt(fourth)`` (``0`` when both moments are 0).

    Raises
    ------
    TypeError
        If an argument is a bool or not a number, or ``dA`` is a float.
    ValueError
        If a numeric ``second`` or ``fourth`` is negative or not real; if ``fourth = 0`` but
        ``second != 0``; if numeric moments violate ``E X⁴ >= (E X²)²`` (beyond a relative 1e-12); or
        if a numeric ``dA`` is not an integer ``>= 2``.

    Notes
    -----
    Hölder with ``X = ||K||_F >= 0``: ``E X² = E[X^(1/2) X^(3/2)] <= (E X)^(2/3) (E X⁴)^(1/3)``, hence
    ``E X >= (E X²)^(3/2) / (E X⁴)^(1/2)``; then ``Δ >= c X`` with ``c = 2`` for one qubit and
    ``2/sqrt(dA² - 1)`` otherwise (Lemma 11.2).

    Examples
    --------
    The VQE moments at ``n = 6`` (``18/65`` and ``408/4355``, V1 Haar):

    >>> expected_delta_lower_bound_from_moments(sp.Rational(18, 65), sp.Rational(408, 4355), 2)
    18*sqrt(3417)/1105
    >>> s, f = sp.symbols("s f", positive=True)
    >>> expected_delta_lower_bound_from_moments(s, f, 2)
    2*s**(3/2)/sqrt(f)
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
    """Lower bound on ``E[Δ]`` from the exact second and fourth moments of ``||K||_F``.

    Lemmas 11.5 and 11.6 of ``proofs/DERIVATION.md``: :func:`expected_delta_lower_bound_from_moments`
    with ``E||K||_F²`` (Lemma 9; :func:`expected_K_frobenius_sq`) and ``E||K||_F⁴`` (Lemma 11.4;
    :func:`expected_K_frobenius_fourth`).  **Needs Haar or a unitary 4-design** for the random V1/V2: a
    2-design fixes ``E||K||_F²`` but not ``E||K||_F⁴``.

    Parameters
    ----------
    task : {"vqe", "qae"} or Observable
        ``"vqe"``: the Heisenberg ring (Eq. 9; its SU(q) form for ``q >= 3``), ``n >= 3``;
        ``"qae"``: the quantum-autoencoder observable (Eq. 10) with the discarded site R = A.  Both with
        A = site 0 and input ``|0…0>`` (:mod:`weingarten_check.theory.task_moments`).  Or any
        :class:`~weingarten_check.states.observables.Observable`: the numeric path at its own ``n``
        and ``q``, A = sites ``range(m)``, input ``|0…0>``, floating-point traces.
    case : {"v1", "v2", "both"}
        Which unitaries are random (:data:`CASES`): ``"v1"`` V1 Haar-random and V2 fixed (``V2 = I``
        for a task name), ``"v2"`` V2 Haar-random and V1 fixed (``V1 = I``), ``"both"`` independent.
        Haar may be replaced by a unitary 4-design, not by a 2-design.
    n : int or sympy.Expr
        Number of sites.  For a task name it may be a sympy Symbol (exact in ``d = q**n``); for an
        Observable it must equal the observable's ``n``.
    m : int, default 1
        Number of sites of A: must be 1 for a task name; for an Observable, A = sites ``range(m)``.
    q : int, default 2
        Local dimension, an int ``>= 2`` (not a Symbol) for a task name; ignored for an Observable
        (its own ``q`` is used).

    Returns
    -------
    sympy.Expr
        Exact for a task name (an algebraic number for numeric ``n``, an expression in ``q**n``
        for a symbolic one); Float-valued for an Observable (possibly a Float times ``sqrt(2)``).

    Raises
    ------
    TypeError
        As :func:`expected_K_frobenius_fourth`.
    ValueError
        As :func:`expected_K_frobenius_fourth`.

    See Also
    --------
    expected_delta_upper_bound : The matching upper side of Lemma 11.6.

    Notes
    -----
    VQE, v1, qubits: ``2 (18/(d + 1))^(3/2) / sqrt(396 (d + 4)/((d + 1)(d + 2)(d + 3)))``, about
    ``0.64 × 12/sqrt(d + 1)`` for large ``d`` (Lemma 11.6: ``lim sqrt(d)·lower = 2·18^(3/2)/sqrt(396)``);
    the measured E[Δ] is about ``0.9 × 12/sqrt(d + 1)`` (the two-sided table of ``README.md``).

    Examples
    --------
    >>> expected_delta_lower_bound("vqe", "v1", 6)
    18*sqrt(3417)/1105
    >>> round(float(expected_delta_lower_bound("vqe", "v1", 6)), 4)
    0.9522
    """
    kind, case = _task_or_observable(task, case, n, m, q)
    dA = (q if kind == "task" else task.q) ** as_sympy_argument(m, "m")
    second = _second_moment(task, case, n, m, q)
    fourth = expected_K_frobenius_fourth(task, case, n, m, q)
    if kind == "observable":
        return expected_delta_lower_bound_from_moments(sp.Float(float(second)), fourth, dA)
    return expected_delta_lower_bound_from_moments(second, fourth, dA)


def expected_delta_upper_bound(task, case: str, n: Number, m: Number = 1, q: Number = 2) -> sp.Expr:
    """Upper bound ``E[Δ] <= u sqrt(E||K||_F²)`` with ``u = sqrt(2) dA``, for the lower bound's tasks.

    The upper side of Lemma 11.6 of ``proofs/DERIVATION.md``: ``Δ <= sqrt(2) dA ||K||_F`` (Lemma 11.3,
    :func:`delta_frobenius_constants`) and Jensen.  Needs only a unitary 2-design.  For one qubit this
    is :func:`task_dependent_bound`; for ``dA >= 3`` it is sharper than it by ``sqrt(2 (dA² - 1))/dA``.

    Parameters
    ----------
    task : {"vqe", "qae"} or Observable
        ``"vqe"``: the Heisenberg ring (Eq. 9; its SU(q) form for ``q >= 3``), ``n >= 3``;
        ``"qae"``: the quantum-autoencoder observable (Eq. 10) with the discarded site R = A.  Both with
        A = site 0 and input ``|0…0>`` (:mod:`weingarten_check.theory.task_moments`).  Or any
        :class:`~weingarten_check.states.observables.Observable`: the numeric path at its own ``n``
        and ``q``, A = sites ``range(m)``, input ``|0…0>``, floating-point traces.
    case : {"v1", "v2", "both"}
        Which unitaries are random (:data:`CASES`), as in :func:`expected_delta_lower_bound`; here a
        unitary 2-design suffices.
    n : int or sympy.Expr
        Number of sites.  For a task name it may be a sympy Symbol (exact in ``d = q**n``); for an
        Observable it must equal the observable's ``n``.
    m : int, default 1
        Number of sites of A: must be 1 for a task name; for an Observable, A = sites ``range(m)``.
    q : int, default 2
        Local dimension, an int ``>= 2`` (not a Symbol) for a task name; ignored for an Observable
        (its own ``q`` is used).

    Returns
    -------
    sympy.Expr
        Exact for a task name; Float-valued for an Observable (a Float times ``sqrt(2)``).

    Raises
    ------
    TypeError
        As :func:`expected_K_frobenius_fourth`.
    ValueError
        As :func:`expected_K_frobenius_fourth` (for an Observable ``q**n`` is not limited: no fourth
        moment is computed).

    Examples
    --------
    >>> n = sp.Symbol("n", positive=True)
    >>> expected_delta_upper_bound("vqe", "v1", n)
    12/sqrt(2**n + 1)
    >>> expected_delta_upper_bound("vqe", "v1", 4, q=3)  # sqrt(2)·3·sqrt(E||K||_F²)
    16*sqrt(82)/41
    """
    kind, case = _task_or_observable(task, case, n, m, q)
    dA = (q if kind == "task" else task.q) ** as_sympy_argument(m, "m")
    _, u = delta_frobenius_constants(dA)
    second = _second_moment(task, case, n, m, q)
    return u * sp.sqrt(second)
