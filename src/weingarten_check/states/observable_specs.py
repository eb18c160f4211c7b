"""Observables and states as users write them, and the one place where Qiskit's qubit order is converted.

**Qubit order.** Qiskit numbers qubits from the *least* significant tensor factor: in a Pauli label
``"ZIIIII"`` the rightmost character is qubit 0, and in a dense matrix or a ``Statevector`` qubit 0
is the last Kronecker factor.  The library numbers *sites* from the *most* significant factor
(``np.kron`` order, :mod:`.statevector`).  The two numberings differ only in the index:

* qubit ``k`` of ``n`` is site ``n - 1 - k`` (:func:`qubit_sites`, the only conversion);
* dense matrices and state vectors are the same arrays in both conventions (no reordering);
* a gate matrix on Qiskit qubits ``(k_1, ..., k_m)`` (Qiskit's ``qargs``, ``k_1`` least
  significant) acts on the sites ``qubit_sites((k_1, ..., k_m), n)`` in that order (most
  significant first), so the matrix itself is unchanged.

Everything that takes a qubit index from a user (:mod:`weingarten_check.circuits.qiskit_io`, the
user-circuit entry points) calls :func:`qubit_sites` and nothing else.

Observable specifications (:func:`observable_from_spec`): a Qiskit ``SparsePauliOp``, a list of
``(label, coefficient)``, a string ``"1.0*ZZIII + 0.5*XIXII - 0.7*IIZIZ"`` (Qiskit's label order),
or a dense Hermitian matrix.  States (:func:`state_from_spec`): a Qiskit ``Statevector``, an array,
or ``None`` for ``|0...0>``.

Examples
--------
Z on Qiskit qubit 2 of 6 is the label ``"IIIZII"``, i.e. site 3:

>>> qubit_sites((2,), 6)
(3,)
>>> H = observable_from_spec("IIIZII")
>>> [sorted(ops) for _, ops in H.terms]
[[3]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..util.checks import check_hermitian, check_int, check_square
from .bases import PAULI
from .observables import Observable

__all__ = [
    "PauliSum",
    "pauli_sum_from_spec",
    "qubit_sites",
    "observable_from_spec",
    "parse_pauli_sum",
    "state_from_spec",
]

_TERM = re.compile(r"^\s*(?:([+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\*)?\s*([IXYZ]+)\s*$")


def qubit_sites(qubits: object, n: int, name: str = "qubits") -> tuple[int, ...]:
    """Qiskit qubit indices ``(k_1, ..., k_m)`` -> the library's sites, most significant first.

    Qubit ``k`` of ``n`` is site ``n - 1 - k``; the order is reversed so that a gate matrix on
    Qiskit ``qargs = (k_1, ..., k_m)`` (``k_1`` least significant, Qiskit's convention) is the same
    matrix on the returned sites (the first most significant, :mod:`.statevector`).  The only
    conversion between the two numberings (module doc).

    Parameters
    ----------
    qubits : int or sequence of int
        Distinct Qiskit qubit indices in ``range(n)``.
    n : int
        The number of qubits.
    name : str, default "qubits"
        The argument's name in error messages.

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError, ValueError
        If ``qubits`` is not a non-empty sequence of distinct ints in ``range(n)``.

    Examples
    --------
    >>> qubit_sites((0,), 6), qubit_sites((2, 3), 6)
    ((5,), (2, 3))
    >>> qubit_sites((6,), 6)
    Traceback (most recent call last):
    ...
    ValueError: qubits must be distinct qubit indices in range(6), got (6,)
    """
    n = check_int(n, "n (number of qubits)", 1)
    if isinstance(qubits, (int, np.integer)) and not isinstance(qubits, bool):
        qubits = (qubits,)
    try:
        ks = tuple(qubits)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be a sequence of ints (Qiskit qubit indices), got {qubits!r}") from None
    if not ks or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) for k in ks):
        raise TypeError(f"{name} must be a non-empty sequence of ints (Qiskit qubit indices), got {qubits!r}")
    ks = tuple(int(k) for k in ks)
    if len(set(ks)) != len(ks) or any(not 0 <= k < n for k in ks):
        raise ValueError(f"{name} must be distinct qubit indices in range({n}), got {ks}")
    return tuple(n - 1 - k for k in reversed(ks))


def parse_pauli_sum(text: str, name: str = "observable") -> list[tuple[str, complex]]:
    """Parse ``"1.0*ZZIII + 0.5*XIXII - 0.7*IIZIZ"`` into ``[(label, coefficient), ...]``.

    A term is ``[coefficient *] LABEL`` with ``LABEL`` over ``I, X, Y, Z`` (Qiskit's order: the
    rightmost character is qubit 0); terms are joined by ``+`` or ``-``.  All labels must have
    the same length.

    Parameters
    ----------
    text : str
    name : str, default "observable"
        The argument's name in error messages.

    Returns
    -------
    list of (str, complex)

    Raises
    ------
    ValueError
        On a malformed term or labels of different lengths.

    Examples
    --------
    >>> parse_pauli_sum("1.0*ZZI + 0.5*XIX - 0.7*IIZ")
    [('ZZI', (1+0j)), ('XIX', (0.5+0j)), ('IIZ', (-0.7+0j))]
    >>> parse_pauli_sum("ZZ - X")
    Traceback (most recent call last):
    ...
    ValueError: observable: every Pauli label must have the same length, got ['ZZ', 'X']
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{name}: expected a Pauli sum like '1.0*ZZI + 0.5*XIX', got {text!r}")
    # split at + or - that start a term (not inside an exponent such as 1e-3)
    pieces = re.split(r"(?<![eE*])\s*(?=[+-])", text.strip())
    out: list[tuple[str, complex]] = []
    for piece in pieces:
        if not piece.strip():
            continue
        sign = 1.0
        body = piece.strip()
        if body[0] in "+-" and not _TERM.match(body):
            sign = -1.0 if body[0] == "-" else 1.0
            body = body[1:].strip()
        m = _TERM.match(body)
        if m is None:
            raise ValueError(
                f"{name}: cannot read the term {piece.strip()!r}; expected '[coefficient*]PAULI' (I, X, Y, Z)"
            )
        coef = sign * (float(m.group(1).replace(" ", "")) if m.group(1) else 1.0)
        out.append((m.group(2), complex(coef)))
    if not out:
        raise ValueError(f"{name}: expected a Pauli sum like '1.0*ZZI + 0.5*XIX', got {text!r}")
    lengths = {len(label) for label, _ in out}
    if len(lengths) != 1:
        raise ValueError(f"{name}: every Pauli label must have the same length, got {[lab for lab, _ in out]}")
    return out


class PauliSum:
    """A sum of Pauli strings applied to state vectors by one gather and one product per X-pattern.

    ``P|x> = i^(#Y) (-1)^(popcount(x & z)) |x ⊕ m>`` (``m``: the bits of X and Y, ``z``: of Z and Y), so
    ``(H ψ)[y] = Σ_m D_m[y] ψ[y ⊕ m]`` with ``D_m`` summed over the terms of pattern ``m``: a Hamiltonian
    with a few X-patterns (e.g. a ZZ chain plus a transverse field) costs a few passes over the state
    instead of one per term.  Sites as everywhere in the library: label character ``j`` is site ``j``
    (Qiskit qubit ``n - 1 - j``, :func:`qubit_sites`).

    Parameters
    ----------
    pairs : sequence of (str, float)
        Pauli labels (Qiskit's order) of one length ``n`` and real coefficients.

    Attributes
    ----------
    n : int
    observable : Observable
        The same operator as an :class:`~.observables.Observable` (its width, dense form, ...).

    Examples
    --------
    >>> H = PauliSum([("ZZ", 1.0), ("XY", 0.5)])
    >>> psi = np.array([1.0, 2.0, 3.0, 4.0], dtype=complex).reshape(2, 2)
    >>> bool(np.allclose(H.apply(psi).reshape(-1), H.observable.dense() @ psi.reshape(-1)))
    True
    """

    #: at most this many X-patterns are kept as precomputed vectors (else Observable.apply is used)
    MAX_PATTERNS = 8

    def __init__(self, pairs: Sequence[tuple[str, float]]):
        self.observable = _from_labels(pairs, None, "observable")
        self.n = n = self.observable.n
        groups: dict[int, list[tuple[complex, int]]] = {}
        for label, c in pairs:
            m = z = ny = 0
            for j, ch in enumerate(str(label).upper()):
                bit = 1 << (n - 1 - j)  # site j is the (n-1-j)-th bit of the flat index
                if ch in "XY":
                    m |= bit
                if ch in "ZY":
                    z |= bit
                ny += ch == "Y"
            groups.setdefault(m, []).append((complex(c).real * (1j**ny), z))
        self._groups = groups
        self._plan: list[tuple[int, np.ndarray]] | None = None

    def _compile(self) -> list[tuple[int, np.ndarray]]:
        if self._plan is None:
            idx = np.arange(2**self.n, dtype=np.int64)
            plan = []
            for m, terms in self._groups.items():
                src = idx ^ m
                D = np.zeros(2**self.n, dtype=np.complex128)
                for c, z in terms:
                    D += c * (1.0 - 2.0 * (np.bitwise_count(src & z) & 1).astype(np.float64))
                plan.append((m, D))
            self._plan = plan
        return self._plan

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``H psi`` for a state of shape ``batch + (2,)*n``."""
        if len(self._groups) > self.MAX_PATTERNS:
            return self.observable.apply(psi)
        shape = psi.shape
        flat = psi.reshape(-1, 2**self.n)
        out = np.zeros_like(flat, dtype=np.complex128)
        idx = None
        for m, D in self._compile():
            if m == 0:
                out += D * flat
            else:
                if idx is None:
                    idx = np.arange(2**self.n, dtype=np.int64)
                out += D * flat[:, idx ^ m]
        return out.reshape(shape)


def _from_labels(pairs: Sequence[tuple[str, complex]], n: int | None, name: str) -> Observable:
    labels = [str(lab).upper() for lab, _ in pairs]
    lengths = {len(lab) for lab in labels}
    if len(lengths) != 1 or any(set(lab) - set("IXYZ") for lab in labels):
        raise ValueError(f"{name}: Pauli labels must be strings over I, X, Y, Z of one length, got {labels}")
    width = lengths.pop()
    if n is not None and width != n:
        raise ValueError(f"{name}: Pauli labels have {width} qubits, the circuit has {n}")
    terms = []
    for lab, (_, c) in zip(labels, pairs):
        c = complex(c)
        if abs(c.imag) > 1e-12 * max(1.0, abs(c)):
            raise ValueError(f"{name}: coefficient of {lab} must be real (H Hermitian), got {c}")
        # character j of the label is qubit width - 1 - j, i.e. site j (qubit_sites)
        ops = {}
        for j, ch in enumerate(lab):
            if ch != "I":
                (site,) = qubit_sites((width - 1 - j,), width)
                ops[site] = PAULI[ch]
        terms.append((c.real, ops))
    return Observable(width, 2, terms, name="user")


def observable_from_spec(spec: object, n: int | None = None, name: str = "observable") -> Observable | np.ndarray:
    """An observable from a user's specification, in the library's site order (module doc).

    Parameters
    ----------
    spec : SparsePauliOp, list of (str, float), str, or array_like
        A Qiskit ``SparsePauliOp``; ``[(label, coefficient), ...]``; a Pauli-sum string
        (:func:`parse_pauli_sum`); or a dense Hermitian ``2**n x 2**n`` matrix (Qiskit's and the
        library's dense matrices coincide).  An :class:`~.observables.Observable` is passed through.
    n : int, optional
        The number of qubits it must act on.
    name : str, default "observable"
        The argument's name in error messages.

    Returns
    -------
    Observable or numpy.ndarray
        An Observable (Pauli inputs) or the dense matrix.

    Raises
    ------
    TypeError, ValueError
        On a malformed spec, a non-Hermitian matrix or coefficient, or a size other than ``n``.

    Examples
    --------
    >>> H = observable_from_spec("0.5*XZ - ZI")
    >>> bool(np.allclose(H.dense(), 0.5 * np.kron(PAULI["X"], PAULI["Z"]) - np.kron(PAULI["Z"], np.eye(2))))
    True
    >>> observable_from_spec(np.array([[0.0, 1.0], [0.0, 0.0]]))
    Traceback (most recent call last):
    ...
    ValueError: observable must be Hermitian (observable != observable^dagger)
    """
    if isinstance(spec, Observable):
        if spec.q != 2 or (n is not None and spec.n != n):
            raise ValueError(f"{name}: expected a qubit observable on {n} qubits, got {spec!r}")
        return spec
    if type(spec).__name__ == "SparsePauliOp":
        pairs = [(str(lab), complex(c)) for lab, c in spec.to_list()]  # type: ignore[attr-defined]
        return _from_labels(pairs, n, name)
    if isinstance(spec, str):
        return _from_labels(parse_pauli_sum(spec, name), n, name)
    if (
        isinstance(spec, (list, tuple))
        and spec
        and all(isinstance(t, (list, tuple)) and len(t) == 2 and isinstance(t[0], str) for t in spec)
    ):
        return _from_labels(list(spec), n, name)
    try:
        arr = np.asarray(spec, dtype=np.complex128)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a SparsePauliOp, a list of (label, coefficient), a Pauli-sum string "
            f"or a Hermitian matrix, got {type(spec).__name__}"
        ) from None
    H = check_square(arr, name)
    d = H.shape[0]
    if d < 2 or d & (d - 1):
        raise ValueError(f"{name}: a dense matrix must be 2**n x 2**n, got {H.shape}")
    if n is not None and d != 2**n:
        raise ValueError(f"{name}: a dense matrix on {n} qubits must be {2**n} x {2**n}, got {H.shape}")
    check_hermitian(H, name)
    return 0.5 * (H + H.conj().T)


def pauli_sum_from_spec(spec: object) -> PauliSum | None:
    """A :class:`PauliSum` for a Pauli specification (``SparsePauliOp``, pairs, string), else None.

    Call :func:`observable_from_spec` first for the checks and their messages.

    Parameters
    ----------
    spec : object

    Returns
    -------
    PauliSum or None

    Examples
    --------
    >>> pauli_sum_from_spec("ZZ - 0.5*XI").n, pauli_sum_from_spec(np.eye(4))
    (2, None)
    """
    if type(spec).__name__ == "SparsePauliOp":
        return PauliSum([(str(lab), complex(c).real) for lab, c in spec.to_list()])  # type: ignore[attr-defined]
    if isinstance(spec, str):
        return PauliSum([(lab, c.real) for lab, c in parse_pauli_sum(spec)])
    if (
        isinstance(spec, (list, tuple))
        and spec
        and all(isinstance(t, (list, tuple)) and len(t) == 2 and isinstance(t[0], str) for t in spec)
    ):
        return PauliSum([(lab, complex(c).real) for lab, c in spec])
    return None


def state_from_spec(state: object, n: int, name: str = "state") -> np.ndarray:
    """A normalised n-qubit state vector of shape ``(2,)*n`` from a user's specification.

    Parameters
    ----------
    state : Statevector, array_like or None
        A Qiskit ``Statevector`` (its data), a vector of length ``2**n`` (same array in Qiskit's
        and the library's order), or ``None`` for ``|0...0>``.
    n : int
    name : str, default "state"

    Returns
    -------
    numpy.ndarray
        Complex, shape ``(2,)*n``.

    Raises
    ------
    ValueError
        On a wrong length or a vector that is not normalised (to ``1e-9``).

    Examples
    --------
    >>> state_from_spec(None, 2).reshape(-1).real.tolist()
    [1.0, 0.0, 0.0, 0.0]
    >>> state_from_spec([1.0, 1.0], 1)
    Traceback (most recent call last):
    ...
    ValueError: state must be normalised, got norm 1.41421
    """
    n = check_int(n, "n (number of qubits)", 1)
    if state is None:
        psi = np.zeros(2**n, dtype=np.complex128)
        psi[0] = 1.0
        return psi.reshape((2,) * n)
    if type(state).__name__ == "Statevector":
        state = state.data  # type: ignore[attr-defined]
    try:
        psi = np.asarray(state, dtype=np.complex128).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a Statevector, a vector of length 2**n or None, got {type(state).__name__}"
        ) from None
    if psi.shape != (2**n,):
        raise ValueError(f"{name} must have length 2**n = {2**n}, got {psi.shape[0]}")
    nrm = float(np.linalg.norm(psi))
    if abs(nrm - 1) > 1e-9:
        raise ValueError(f"{name} must be normalised, got norm {nrm:.6g}")
    return psi.reshape((2,) * n)
