"""K exactly when V1 and V2 are Clifford: Pauli expectations of a stabilizer state (Lemma 13.5).

For ``U = V2 (UA ⊗ I_B) V1`` write ``H' = V2† H V2 = Σ_s c_s P_s`` (Pauli strings; a Clifford V2 maps
each string of H to one signed string) and ``ρ1 = V1|0…0><0…0|V1†``.  In the orthonormal Pauli basis
``P_a / sqrt(dA)`` of the traceless operators on A, Lemma 3.1's ``K_ab = tr((G_b ⊗ h_a) ρ1)`` becomes

    K^P_ab = Σ_{s : P_s|_A = P_a}  c_s <P_b ⊗ P_s|_B>_{ρ1},

and on a stabilizer state every expectation is ``0`` or ``±1`` (Gottesman; Aaronson–Gottesman 2004),
read off exactly from the tableau by stim (``TableauSimulator.peek_observable_expectation``).  So K is a
combination of the coefficients ``c_s`` with integer weights — for the paper's observables a matrix
of dyadic rationals, computed here **without rounding**: Δ is then exactly 0 whenever K is (the
floating-point statevector route gives ``K ~ 1e-17`` and ``Δ ~ 1e-17`` there), and the cost per
sample is polynomial in n (no state vector is built).  For one qubit the library basis is the
Pauli basis itself (:func:`~weingarten_check.states.bases.orthonormal_traceless_basis`); for
``dA >= 4`` K is rotated into the library basis with one orthogonal matrix (a zero K stays exactly 0).

Examples
--------
>>> from weingarten_check.states.observables import heisenberg_ring
>>> k_matrix_clifford(heisenberg_ring(4), (0,))      # V1 = V2 = I: <Z_0 Z_1> + <Z_0 Z_3> = 2
array([[0., 0., 0.],
       [0., 0., 0.],
       [0., 0., 2.]])
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
import stim

from ..circuits.clifford import CliffordUnitary
from ..states.bases import PAULI, orthonormal_traceless_basis
from ..states.observables import Observable, pauli_expansion
from ..util.checks import check_sites

__all__ = ["k_matrix_clifford", "pauli_to_library_basis"]


@functools.cache
def _local_strings(m: int) -> tuple[tuple[int, ...], ...]:
    """The ``4^m - 1`` non-identity Pauli strings on A (letters 0..3 = I, X, Y, Z), lexicographic."""
    return tuple(s for s in itertools.product(range(4), repeat=m) if any(s))


@functools.cache
def pauli_to_library_basis(m: int) -> np.ndarray:
    """The orthogonal matrix ``C`` with ``G_g = Σ_p C_gp P_p / sqrt(dA)`` on ``m`` qubits (``dA = 2^m``).

    ``G`` is :func:`~weingarten_check.states.bases.orthonormal_traceless_basis` ``(dA)`` and ``P_p`` runs
    over the non-identity Pauli strings in lexicographic order (first site most significant).  For
    ``m = 1`` the two bases coincide (``C = I`` exactly); then ``K = C K^P Cᵀ``.

    Parameters
    ----------
    m : int
        The number of qubits of A, ``>= 1``.

    Returns
    -------
    numpy.ndarray
        Real orthogonal ``(4^m - 1) × (4^m - 1)``.

    Examples
    --------
    >>> pauli_to_library_basis(1)
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    >>> C = pauli_to_library_basis(2)
    >>> bool(np.allclose(C @ C.T, np.eye(15)))
    True
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m must be an int >= 1, got {m!r}")
    dA = 2**m
    G = orthonormal_traceless_basis(dA)
    mats = [PAULI[c] for c in "IXYZ"]
    P = []
    for s in _local_strings(m):
        op = np.ones((1, 1), dtype=np.complex128)
        for k in s:
            op = np.kron(op, mats[k])
        P.append(op / np.sqrt(dA))
    C = np.real(np.einsum("gij,pji->gp", G, np.array(P)))
    snapped = np.round(C)  # a signed permutation (m = 1: the identity) is kept exactly
    if np.array_equal(np.abs(snapped).sum(axis=1), np.ones(len(C))) and np.allclose(C, snapped, atol=1e-12):
        return snapped
    return C


def k_matrix_clifford(
    obs: Observable,
    sites: Sequence[int],
    v1: CliffordUnitary | None = None,
    v2: CliffordUnitary | None = None,
) -> np.ndarray:
    """The matrix K of Lemma 3.1 for Clifford V1, V2 and ``ρ = |0…0>``, exactly (module docstring).

    Implements Lemma 13.5 of ``proofs/DERIVATION.md``: ``K^P_ab = Σ c_s <P_b ⊗ P_s|_B>`` over the strings
    of ``V2† H V2`` whose restriction to A is ``P_a``, each expectation 0 or ±1 on the stabilizer state
    ``V1|0…0>``.

    Parameters
    ----------
    obs : Observable
        A qubit observable (its :func:`~weingarten_check.states.observables.pauli_expansion` is used).
    sites : sequence of int
        The sites of A (distinct, in ``range(n)``), in the order of A's tensor factors.
    v1, v2 : CliffordUnitary, optional
        The Clifford unitaries before and after A (default: the identity), on ``obs.n`` qubits.

    Returns
    -------
    numpy.ndarray
        K, real ``(4^m - 1) × (4^m - 1)`` in the library basis (exact for ``m = 1`` when the Pauli
        coefficients of H are dyadic, e.g. the paper's observables).

    Raises
    ------
    TypeError, ValueError
        For a non-qubit observable, bad sites, or unitaries that are not Clifford on ``obs.n`` qubits.

    Examples
    --------
    QAE (``H = I/2 - Z_0/2``) with a Hadamard on site 0 as V2: ``V2† H V2 = I/2 - X_0/2``, so only the row
    ``a = X`` is non-zero, with ``K_XZ = -1/2 · <Z_0> = -1/2`` on ``|00>``.

    >>> from weingarten_check.states.observables import qae_observable
    >>> Hd = CliffordUnitary(stim.Tableau.from_named_gate("H") + stim.Tableau(1))
    >>> k_matrix_clifford(qae_observable(2), (0,), v2=Hd)[0]
    array([ 0. ,  0. , -0.5])
    """
    coeffs = pauli_expansion(obs)
    n = obs.n
    sites = check_sites(sites, n)
    for name, v in (("v1", v1), ("v2", v2)):
        if v is not None and (not isinstance(v, CliffordUnitary) or v.n != n):
            raise ValueError(f"{name} must be a CliffordUnitary on n = {n} qubits, got {v!r}")
    m = len(sites)
    local = _local_strings(m)
    index = {s: i for i, s in enumerate(local)}
    sim = stim.TableauSimulator()
    sim.set_num_qubits(n)
    if v1 is not None:
        sim.do_tableau(v1.tableau, list(range(n)))
    conj = v2.tableau.inverse() if v2 is not None else None  # conj(P) = V2† P V2
    Kp = np.zeros((len(local), len(local)))
    for string, c in coeffs.items():
        ps = stim.PauliString(list(string))
        if conj is not None:
            ps = conj(ps)
        a = index.get(tuple(ps[s] for s in sites))
        if a is None:  # identity on A: tr(G_a) = 0, no contribution
            continue
        for b, sb in enumerate(local):
            qs = ps.copy()
            for s, k in zip(sites, sb):
                qs[s] = k
            e = sim.peek_observable_expectation(qs)
            if e:
                Kp[a, b] += c * e
    C = pauli_to_library_basis(m)
    if np.array_equal(C, np.eye(len(C))):
        return Kp
    return C @ Kp @ C.T  # exact for a signed permutation; a zero K stays 0 in any case
