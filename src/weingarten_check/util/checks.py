"""Argument checks shared by every layer: one function per kind of argument.

Each check returns the normalised value and raises a ``TypeError`` (wrong kind) or ``ValueError``
(wrong value) whose message names the argument and the expected form, so that a caller's bad input
is reported in the caller's own words (``n``, ``sites``, ``H``, ...).  Every public function of the
library that takes one of these arguments validates it here, not with a private copy.

Examples
--------
>>> check_int(3, "n", 1)
3
>>> check_sites([0, 2], n=4)
(0, 2)
>>> check_sites([0, 1, 2], n=3)
Traceback (most recent call last):
...
ValueError: A must be a proper subsystem: need m = len(sites) < n, got m=3, n=3
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from numbers import Integral

import numpy as np
import sympy as sp

__all__ = [
    "is_int",
    "check_int",
    "check_choice",
    "check_local_dim",
    "check_nq",
    "check_sites",
    "as_sympy_argument",
    "check_symbolic_int",
    "check_symbolic_nonnegative",
    "check_square",
    "check_hermitian",
    "check_unitary",
]


def is_int(value: object) -> bool:
    """True for Python, numpy and sympy integers, False for ``bool`` and everything else.

    Parameters
    ----------
    value : object
        Anything.

    Returns
    -------
    bool
        Integral-valued floats (``3.0``) are not integers.

    Examples
    --------
    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (Integral, np.integer)):
        return True
    return bool(getattr(value, "is_Integer", False))


def check_int(value: object, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int``; raise if it is not an integer or is below ``minimum``.

    Parameters
    ----------
    value : object
        The argument to check (``bool`` is refused).
    name : str
        The argument's name, used in the error message.
    minimum : int, optional
        The smallest admissible value.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value < minimum``.

    Examples
    --------
    >>> check_int(np.int64(4), "q", 2)
    4
    >>> check_int(1, "q", 2)
    Traceback (most recent call last):
    ...
    ValueError: q must be an int >= 2, got 1
    """
    expected = "an int" if minimum is None else f"an int >= {minimum}"
    if not is_int(value):
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def check_choice(value: object, name: str, options: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``options``; otherwise raise a ``ValueError`` listing them.

    Parameters
    ----------
    value : object
        The argument to check (must be a ``str``).
    name : str
        The argument's name, used in the error message.
    options : sequence of str
        The admissible values.

    Returns
    -------
    str
        ``value`` itself.

    Raises
    ------
    ValueError
        If ``value`` is not one of ``options`` (a non-string is never one).

    Examples
    --------
    >>> check_choice("v1", "case", ("v1", "v2", "both"))
    'v1'
    >>> check_choice("v3", "case", ("v1", "v2", "both"))
    Traceback (most recent call last):
    ...
    ValueError: case must be one of ('v1', 'v2', 'both'), got 'v3'
    """
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def check_local_dim(q: object, name: str = "q (local dimension)") -> int:
    """Return the local dimension ``q >= 2`` as an ``int``.

    Parameters
    ----------
    q : object
        The argument to check (an integer, ``bool`` refused).
    name : str, default "q (local dimension)"
        The argument's name, used in the error message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``q`` is not an integer ``>= 2`` (a non-integer too, unlike :func:`check_int`).

    Examples
    --------
    >>> check_local_dim(3)
    3
    """
    if not is_int(q) or q < 2:
        raise ValueError(f"{name} must be an int >= 2, got {q!r}")
    return int(q)


def check_nq(n: object, q: object, min_n: int = 1) -> tuple[int, int]:
    """Return ``(n, q)`` as ints: ``n >= min_n`` sites of local dimension ``q >= 2``.

    ``min_n = 2`` is what a proper subsystem A of at least one site needs.

    Parameters
    ----------
    n : object
        The number of sites (an integer, ``bool`` refused).
    q : object
        The local dimension (:func:`check_local_dim`).
    min_n : int, default 1
        The smallest admissible n.

    Returns
    -------
    tuple of int
        ``(n, q)``.

    Raises
    ------
    ValueError
        If ``n`` is not an integer ``>= min_n`` or ``q`` not an integer ``>= 2``.

    Examples
    --------
    >>> check_nq(4, 2)
    (4, 2)
    >>> check_nq(1, 2, min_n=2)
    Traceback (most recent call last):
    ...
    ValueError: n (number of sites) must be an int >= 2, got 1
    """
    if not is_int(n) or n < min_n:
        raise ValueError(f"n (number of sites) must be an int >= {min_n}, got {n!r}")
    return int(n), check_local_dim(q)


def check_sites(sites: object, n: int, *, proper: bool = True, name: str = "sites") -> tuple[int, ...]:
    """Return the sites of a subsystem A as a tuple of distinct ints in ``range(n)``.

    Parameters
    ----------
    sites : sequence of int
        The sites of A (non-empty).
    n : int
        The number of sites of the whole system.
    proper : bool, default True
        Also require A to be a proper subsystem, ``m = len(sites) < n`` (B non-empty), as every
        statement about a local unitary on A inside a larger circuit does.
    name : str, default "sites"
        The argument's name, used in the error messages.

    Returns
    -------
    tuple of int
        The sites, in the given order.

    Raises
    ------
    TypeError
        If ``sites`` is not a sequence of ints.
    ValueError
        If ``sites`` is empty, repeats a site, leaves ``range(n)``, or (``proper``) covers every site.

    Examples
    --------
    >>> check_sites([2, 0], n=3)
    (2, 0)
    >>> check_sites([0, 1, 2], n=3, proper=False)
    (0, 1, 2)
    >>> check_sites([0, 0], n=3)
    Traceback (most recent call last):
    ...
    ValueError: sites must be distinct ints in range(n) = range(3), got (0, 0)
    """
    try:
        out = tuple(int(s) for s in sites)  # type: ignore[union-attr]
    except TypeError:
        raise TypeError(f"{name} must be a sequence of ints (the sites of A), got {sites!r}") from None
    if not out:
        raise ValueError(f"{name} (the sites of A) must be non-empty")
    if len(set(out)) != len(out) or any(not 0 <= s < n for s in out):
        raise ValueError(f"{name} must be distinct ints in range(n) = range({n}), got {out}")
    if proper and len(out) >= n:
        raise ValueError(f"A must be a proper subsystem: need m = len(sites) < n, got m={len(out)}, n={n}")
    return out


def as_sympy_argument(value: object, name: str, allow_float: bool = False) -> sp.Expr:
    """Convert an argument of a symbolic formula to a sympy expression.

    Dimensions must be exact (int, ``fractions.Fraction``, sympy Rational or Symbol); physical inputs
    (``w``, couplings, purity) may be floats when ``allow_float`` (then the result is a sympy Float
    expression; exact arithmetic otherwise).

    Parameters
    ----------
    value : object
        An int, ``fractions.Fraction``, numpy scalar or sympy expression; a float or complex only
        when ``allow_float``.
    name : str
        The argument's name, used in the error messages.
    allow_float : bool, default False
        Accept floats (and complex numbers) as sympy Floats.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError
        For ``bool``, a float where exactness is required, or any other type.
    ValueError
        For a non-finite float.

    Examples
    --------
    >>> as_sympy_argument(Fraction(1, 3), "w")
    1/3
    >>> as_sympy_argument(0.5, "n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: n must be exact (int, fractions.Fraction, sympy Rational or Symbol), got float 0.5; ...
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, a sympy Rational or a sympy Symbol, got bool")
    if allow_float and isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be finite, got {value!r}")
        return sp.Float(value)
    if allow_float and isinstance(value, complex):
        return sp.Float(value.real) + sp.I * sp.Float(value.imag)
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():  # numpy scalar
        value = value.item()  # type: ignore[union-attr]
        if allow_float and isinstance(value, float):
            return as_sympy_argument(value, name, allow_float)
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Float) and not allow_float:
            raise TypeError(f"{name} must be exact (int / sympy Rational / Symbol), got Float {value}")
        return value  # type: ignore[return-value]
    if isinstance(value, Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        raise TypeError(
            f"{name} must be exact (int, fractions.Fraction, sympy Rational or Symbol), got float "
            f"{value!r}; pass sympy.Rational / sympy.nsimplify(value) if you mean it exactly"
        )
    raise TypeError(f"{name} must be an int, a sympy Rational or a sympy Symbol, got {type(value).__name__}")


def check_symbolic_int(x: sp.Expr, name: str, minimum: int | None = None) -> None:
    """Check a symbolic dimension: if ``x`` is a number it must be an integer ``>= minimum``.

    A Symbol (or an expression in Symbols) passes: its admissible values are the formula's domain.

    Parameters
    ----------
    x : sympy.Expr
        The dimension (:func:`as_sympy_argument`).
    name : str
        The argument's name, used in the error message.
    minimum : int, optional
        The smallest admissible value.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``x`` is a number that is not an integer, or is below ``minimum``.

    Examples
    --------
    >>> check_symbolic_int(sp.Symbol("n"), "n", 2)     # symbolic: passes
    >>> check_symbolic_int(sp.Integer(1), "n", 2)
    Traceback (most recent call last):
    ...
    ValueError: n must be >= 2, got 1
    """
    if getattr(x, "is_number", False):
        if not x.is_integer:
            raise ValueError(f"{name} must be an integer, got {x}")
        if minimum is not None and x < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {x}")


def check_symbolic_nonnegative(x: sp.Expr, name: str) -> None:
    """Check a symbolic physical input: if ``x`` is a number it must be real and ``>= 0``.

    A Symbol (or an expression in Symbols) passes.

    Parameters
    ----------
    x : sympy.Expr
        The input (:func:`as_sympy_argument`).
    name : str
        The argument's name, used in the error message.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``x`` is a number that is not real or is negative.

    Examples
    --------
    >>> check_symbolic_nonnegative(sp.Rational(-1, 2), "w")
    Traceback (most recent call last):
    ...
    ValueError: w must be a real number >= 0, got -1/2
    """
    if getattr(x, "is_number", False) and (not x.is_real or x < 0):
        raise ValueError(f"{name} must be a real number >= 0, got {x}")


def check_square(a: object, name: str, d: int | None = None) -> np.ndarray:
    """Return ``a`` as a complex square matrix (of size ``d`` if given).

    Parameters
    ----------
    a : array_like
        The matrix.
    name : str
        The argument's name, used in the error messages.
    d : int, optional
        The required size.

    Returns
    -------
    numpy.ndarray
        ``complex128``, shape ``(d, d)``.

    Raises
    ------
    ValueError
        If ``a`` is not two-dimensional and square, or not ``d × d``.

    Examples
    --------
    >>> check_square(np.eye(2), "U").dtype
    dtype('complex128')
    >>> check_square(np.ones((2, 3)), "U")
    Traceback (most recent call last):
    ...
    ValueError: U must be a square matrix, got shape (2, 3)
    """
    arr = np.asarray(a, dtype=np.complex128)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if d is not None and arr.shape[0] != d:
        raise ValueError(f"{name} must be {d} x {d}, got {arr.shape}")
    return arr


def check_hermitian(a: np.ndarray, name: str, tol: float = 1e-9) -> None:
    """Raise a ``ValueError`` unless ``a == a†`` to relative tolerance ``tol``.

    Parameters
    ----------
    a : numpy.ndarray
        A square matrix.
    name : str
        The argument's name, used in the error message.
    tol : float, default 1e-9
        Absolute tolerance per entry, relative to ``max(1, max |a_ij|)``.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``a`` is not Hermitian to that tolerance.

    Examples
    --------
    >>> check_hermitian(np.array([[0, 1j], [1j, 0]]), "H")
    Traceback (most recent call last):
    ...
    ValueError: H must be Hermitian (H != H^dagger)
    """
    scale = max(1.0, float(np.abs(a).max()))
    if not np.allclose(a, np.conj(a).T, atol=tol * scale):
        raise ValueError(f"{name} must be Hermitian ({name} != {name}^dagger)")


def check_unitary(u: np.ndarray, name: str, tol: float = 1e-9) -> None:
    """Raise a ``ValueError`` unless ``u† u == I`` to tolerance ``tol``.

    Parameters
    ----------
    u : numpy.ndarray
        A square matrix.
    name : str
        The argument's name, used in the error message.
    tol : float, default 1e-9
        Absolute tolerance per entry of ``u† u - I``.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``u`` is not unitary to that tolerance.

    Examples
    --------
    >>> check_unitary(2 * np.eye(2), "V1")
    Traceback (most recent call last):
    ...
    ValueError: V1 must be unitary (V1^dagger V1 != I)
    """
    if not np.allclose(np.conj(u).T @ u, np.eye(u.shape[0]), atol=tol):
        raise ValueError(f"{name} must be unitary ({name}^dagger {name} != I)")
