"""Observables as sums of product terms, for any local dimension q (no dense matrices needed).

An :class:`Observable` on n sites of local dimension q is ``H = Σ_t c_t ⊗_{s ∈ supp t} h_{t,s}``
(identity on the other sites).  Everything the bounds need is computed **term-wise**:

* ``apply(psi)``: ``H|psi>`` for (batched) states of :mod:`weingarten_check.states.statevector`; terms
  supported on at most two sites are first merged into one ``q^2 x q^2`` matrix per site pair.
* ``hs_inner(other) = tr(H† H')``, ``hs_norm_sq()``, ``trace()``, ``h_hs_centered()``
  ``= tr H² - (tr H)²/d``, ``partial_trace(sites)``: products of local traces.
* ``coupling(sites_A) = Σ_a tr_B(h_a²) = ||H||_2² - ||tr_A H||_2² / dA`` (Lemma 4.4 of
  ``proofs/DERIVATION.md``), the quantity :func:`weingarten_check.theory.bounds.expected_K_frobenius_sq`
  calls ``coupling`` (Lemma 4.1).
* ``width``: the spectral width ``w = λmax - λmin`` (exact where known, otherwise dense
  diagonalisation / Lanczos, see :func:`spectral_width`).

Paper observables (Figure 5): :func:`heisenberg_ring` (Eq. 9), :func:`qae_observable` (Eq. 10),
:func:`qsl_observable` (Eq. 11), each for any q.  Qudit Heisenberg choice: the SU(q)
Heisenberg (Sutherland) ring ``Σ_edges Σ_a λ_a ⊗ λ_a`` with generalised Gell-Mann matrices
normalised as ``tr(λ_a λ_b) = 2 δ_ab`` (the Pauli matrices for q = 2, so q = 2 is exactly Eq. 9).
By the Fierz identity each edge term equals ``2 SWAP - (2/q) I``.  The operator bases are in
:mod:`.bases`.

Examples
--------
>>> H = heisenberg_ring(4)
>>> H.width, round(H.coupling([0]), 9)   # Lemma 9.2: coupling = 6 d with d = 2^4
(12.0, 96.0)
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..util.checks import check_local_dim
from .bases import gell_mann
from .statevector import apply_gate, num_batch_axes

__all__ = [
    "Observable",
    "heisenberg_ring",
    "heisenberg_ring_ground_energy",
    "qae_observable",
    "qsl_observable",
    "spectral_width",
    "pauli_expansion",
]

Term = tuple[complex, dict[int, np.ndarray]]


class Observable:
    """A Hermitian operator ``Σ_t c_t ⊗_s h_{t,s}`` on n sites of dimension q (see the module docstring).

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.
    q : int
        The local dimension, ``q >= 2``.
    terms : iterable of (complex, dict)
        ``(coefficient, {site: q x q matrix})`` per term; an empty dict is the identity.
    width : float, optional
        The spectral width ``λmax - λmin`` if known exactly (otherwise computed on demand by
        :func:`spectral_width`).
    name : str, default ""
        A label for reports.
    check_hermitian : bool, default True
        Check ``H = H†`` (densely for ``q^n <= 256``, else term-wise through ``||H - H†||_2``).

    Raises
    ------
    TypeError
        If a term's operators are not a dict.
    ValueError
        If ``n`` or ``q`` is invalid, a site is outside ``range(n)``, a local matrix is not
        ``q × q``, or (``check_hermitian``) H is not Hermitian.

    Examples
    --------
    >>> from weingarten_check.states.bases import PAULI
    >>> H = Observable(2, 2, [(1.0, {0: PAULI["Z"], 1: PAULI["Z"]}), (0.5, {0: PAULI["X"]})], name="zz+x")
    >>> H
    Observable(zz+x, n=2, q=2, terms=2)
    >>> H.hs_norm_sq(), H.coupling([0]), H.coupling([1]), round(H.width**2, 9)   # w = sqrt(5)
    (5.0, 5.0, 4.0, 5.0)
    """

    def __init__(
        self,
        n: int,
        q: int,
        terms: Iterable[tuple[complex, Mapping[int, np.ndarray]]],
        width: float | None = None,
        name: str = "",
        check_hermitian: bool = True,
    ):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be an int >= 1, got {n!r}")
        self.n, self.q = int(n), check_local_dim(q)
        self.terms: list[Term] = []
        for t, (c, ops) in enumerate(terms):
            if not isinstance(ops, Mapping):
                raise TypeError(f"term {t}: ops must be a dict {{site: matrix}}, got {type(ops).__name__}")
            clean: dict[int, np.ndarray] = {}
            for s, m in ops.items():
                if not (isinstance(s, (int, np.integer)) and 0 <= s < self.n):
                    raise ValueError(f"term {t}: site {s!r} not in range(n) = range({self.n})")
                m = np.asarray(m, dtype=np.complex128)
                if m.shape != (self.q, self.q):
                    raise ValueError(f"term {t}: local matrix at site {s} must be {self.q}x{self.q}, got {m.shape}")
                clean[int(s)] = m
            self.terms.append((complex(c), clean))
        self._width = None if width is None else float(width)
        self.name = name
        self._plan = None
        if check_hermitian:
            small = self.q**self.n <= 256
            if small:
                dense = self.dense()
                if not np.allclose(dense, dense.conj().T, atol=1e-10):
                    raise ValueError("Observable must be Hermitian (H != H^dagger)")
            else:  # ||H - H†||_2² = 2 ||H||_2² - 2 Re tr(H† H†), term-wise
                norm2 = self.hs_norm_sq()
                if 2 * norm2 - 2 * np.real(self.hs_inner(self.dagger())) > 1e-9 * max(1.0, norm2):
                    raise ValueError("Observable must be Hermitian (||H - H^dagger||_2 > 0)")

    # ------------------------------------------------------------------ basic algebra
    @property
    def dim(self) -> int:
        """The Hilbert-space dimension ``q^n``."""
        return self.q**self.n

    def dagger(self) -> Observable:
        """``H†`` term by term (conjugated coefficients, adjoint local matrices), unchecked."""
        return Observable(
            self.n,
            self.q,
            [(np.conj(c), {s: m.conj().T for s, m in ops.items()}) for c, ops in self.terms],
            check_hermitian=False,
        )

    def hs_inner(self, other: Observable) -> complex:
        """``tr(self† other)`` computed term by term (products of local traces)."""
        if (other.n, other.q) != (self.n, self.q):
            raise ValueError("hs_inner needs observables on the same (n, q)")
        total = 0j
        q = self.q
        for c1, o1 in self.terms:
            for c2, o2 in other.terms:
                val = np.conj(c1) * c2
                support = set(o1) | set(o2)
                for s in support:
                    a, b = o1.get(s), o2.get(s)
                    if a is None:
                        val *= np.trace(b)
                    elif b is None:
                        val *= np.conj(np.trace(a))
                    else:
                        val *= np.vdot(a, b)  # tr(a† b)
                    if val == 0:
                        break
                total += val * q ** (self.n - len(support))
        return complex(total)

    def hs_norm_sq(self) -> float:
        """``||H||_2² = tr(H† H)``."""
        return float(np.real(self.hs_inner(self)))

    def trace(self) -> complex:
        """``tr H``, a product of local traces per term."""
        tot = 0j
        for c, ops in self.terms:
            v = c * self.q ** (self.n - len(ops))
            for m in ops.values():
                v *= np.trace(m)
            tot += v
        return complex(tot)

    def h_hs_centered(self) -> float:
        """``tr H² - (tr H)²/d = ||H - tr(H)/d||_2²``: the ``h_c`` of Lemma 4.2 (``h_hs_centered`` of the bounds)."""
        return self.hs_norm_sq() - abs(self.trace()) ** 2 / self.dim

    def partial_trace(self, sites: Sequence[int]) -> Observable:
        """``tr_sites H`` as an Observable on the remaining ``n - len(sites)`` sites.

        The remaining sites are relabelled 0, 1, ... in increasing order.

        Raises
        ------
        ValueError
            If a site is outside ``range(n)`` or no site remains (use :meth:`trace`).

        Examples
        --------
        >>> from weingarten_check.states.bases import PAULI
        >>> H = Observable(2, 2, [(1.0, {0: PAULI["Z"], 1: PAULI["Z"]}), (0.5, {0: PAULI["X"]})])
        >>> H.partial_trace([1]).dense().real.tolist()
        [[0.0, 1.0], [1.0, 0.0]]
        """
        sites = sorted(set(int(s) for s in sites))
        if any(not 0 <= s < self.n for s in sites):
            raise ValueError(f"sites must lie in range(n) = range({self.n}), got {sites}")
        rest = [s for s in range(self.n) if s not in sites]
        if not rest:
            raise ValueError("partial_trace over all sites: use trace()")
        relabel = {s: i for i, s in enumerate(rest)}
        new_terms = []
        for c, ops in self.terms:
            v = c
            for s in sites:
                v *= np.trace(ops[s]) if s in ops else self.q
            if v != 0:
                new_terms.append((v, {relabel[s]: m for s, m in ops.items() if s in relabel}))
        return Observable(len(rest), self.q, new_terms, check_hermitian=False)

    def coupling(self, sites_A: Sequence[int]) -> float:
        """The coupling ``Σ_a tr_B(h_a²) = ||H||_2² - ||tr_A H||_2² / dA``, ``h_a = tr_A((G_a⊗I) H)``.

        Lemma 4.4 of ``proofs/DERIVATION.md`` (Pythagoras for the decomposition of Lemma 2.1); the
        ``coupling`` keyword of the bounds (case "v1", Lemma 4.1).

        Parameters
        ----------
        sites_A : sequence of int
            The sites of A.

        Returns
        -------
        float

        Examples
        --------
        >>> round(heisenberg_ring(3).coupling([0]), 9)   # Lemma 9.2: 6 d
        48.0
        """
        sites_A = list(sites_A)
        dA = self.q ** len(set(sites_A))
        return self.hs_norm_sq() - self.partial_trace(sites_A).hs_norm_sq() / dA

    # ------------------------------------------------------------------ dense / apply
    def dense(self) -> np.ndarray:
        """The dense ``q^n × q^n`` matrix (only for ``q^n <= 4096``).

        Raises
        ------
        ValueError
            If ``q^n > 4096`` (use :meth:`apply`).
        """
        if self.dim > 4096:
            raise ValueError(f"dense() is for q**n <= 4096, got {self.dim}; use apply()")
        out = np.zeros((self.dim, self.dim), dtype=np.complex128)
        eye = np.eye(self.q, dtype=np.complex128)
        for c, ops in self.terms:
            m = np.array([[c]], dtype=np.complex128)
            for s in range(self.n):
                m = np.kron(m, ops.get(s, eye))
            out += m
        return out

    def _compile(self):
        """Merge the terms with support of size <= 2 into one matrix per site pair."""
        if self._plan is not None:
            return self._plan
        q, eye = self.q, np.eye(self.q, dtype=np.complex128)
        scalar = 0j
        blocks: dict[tuple[int, ...], np.ndarray] = {}
        big: list[Term] = []
        for c, ops in self.terms:
            sup = tuple(sorted(ops))
            if len(sup) == 0:
                scalar += c
            elif len(sup) == 1:
                blocks.setdefault(sup, np.zeros((q, q), dtype=np.complex128))
                blocks[sup] += c * ops[sup[0]]
            elif len(sup) == 2:
                blocks.setdefault(sup, np.zeros((q * q, q * q), dtype=np.complex128))
                blocks[sup] += c * np.kron(ops[sup[0]], ops[sup[1]])
            else:
                big.append((c, ops))
        # fold single-site blocks into a pair block containing that site, when there is one
        pairs = [k for k in blocks if len(k) == 2]
        for key in [k for k in blocks if len(k) == 1]:
            s = key[0]
            host = next((p for p in pairs if s in p), None)
            if host is not None:
                m = blocks.pop(key)
                blocks[host] += np.kron(m, eye) if host[0] == s else np.kron(eye, m)
        self._plan = (scalar, list(blocks.items()), big)
        return self._plan

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """``H psi`` for a (batched) state of shape ``batch + (q,)*n``, term block by term block.

        Raises
        ------
        ValueError
            If ``psi`` is not a state of n sites of dimension q.

        Examples
        --------
        >>> from weingarten_check.states.statevector import zero_state
        >>> qsl_observable(2).apply(zero_state(2)).reshape(-1).real.tolist()   # (I - |00><00|)|00>
        [0.0, 0.0, 0.0, 0.0]
        """
        num_batch_axes(psi, self.n)
        if psi.shape[-1] != self.q:
            raise ValueError(f"psi has local dimension {psi.shape[-1]}, observable has q={self.q}")
        scalar, blocks, big = self._compile()
        out = scalar * psi if scalar != 0 else np.zeros_like(psi)
        tmp = None  # one scratch buffer reused by every block
        for sites, m in blocks:
            tmp = apply_gate(psi, m, sites, self.n, out=tmp)
            out += tmp
        for c, ops in big:
            phi = psi
            for s, m in ops.items():
                phi = apply_gate(phi, m, (s,), self.n)
            out += c * phi
        return out

    def expectation(self, psi: np.ndarray) -> float:
        """``<psi|H|psi>`` for one normalised state of shape ``(q,)*n``.

        Examples
        --------
        >>> from weingarten_check.states.statevector import zero_state
        >>> qae_observable(3).expectation(zero_state(3))
        0.0
        """
        return float(np.real(np.vdot(psi.reshape(-1), self.apply(psi).reshape(-1))))

    # ------------------------------------------------------------------ spectral width
    @property
    def width(self) -> float:
        """Spectral width ``λmax - λmin`` (exact value if given, else :func:`spectral_width`)."""
        if self._width is None:
            fn = getattr(self, "_width_fn", None)
            self._width = float(fn()) if fn is not None else spectral_width(self)
        return self._width

    def __repr__(self) -> str:
        return f"Observable({self.name or 'H'}, n={self.n}, q={self.q}, terms={len(self.terms)})"


def pauli_expansion(obs: Observable) -> dict[tuple[int, ...], float]:
    """The qubit observable as a real combination of Pauli strings, ``H = Σ_s c_s P_s``.

    Each term's local matrices are expanded as ``m = Σ_P (tr(P m)/2) P`` and the products multiplied
    out; equal strings are merged and zero coefficients dropped.  A string is a tuple of n letters
    ``0, 1, 2, 3`` for ``I, X, Y, Z`` (:data:`~weingarten_check.states.bases.PAULI`), **site 0 first**
    (the library's order: site 0 is the most significant tensor factor).  Exact in floating point
    whenever the local matrices' Pauli coefficients are dyadic rationals (Pauli matrices, ``|0><0|``,
    the paper's observables): the only arithmetic is then sums and products of dyadic numbers.  It is
    the expansion that Lemma 13.5 of ``proofs/DERIVATION.md`` applies to a stabilizer state.

    Parameters
    ----------
    obs : Observable
        A qubit observable (``q = 2``).

    Returns
    -------
    dict
        ``{string: c_s}`` with real ``c_s`` (H is Hermitian, so the Pauli coefficients are real).

    Raises
    ------
    TypeError
        If ``obs`` is not an :class:`Observable`.
    ValueError
        If ``obs.q != 2``, or a coefficient has an imaginary part above ``1e-12`` (H not Hermitian).

    Examples
    --------
    >>> from weingarten_check.states.bases import PAULI
    >>> pauli_expansion(qae_observable(2))   # I - |0><0| ⊗ I = I/2 - Z/2
    {(0, 0): 0.5, (3, 0): -0.5}
    >>> len(pauli_expansion(heisenberg_ring(4))), pauli_expansion(heisenberg_ring(4))[(1, 1, 0, 0)]
    (12, 1.0)
    """
    if not isinstance(obs, Observable):
        raise TypeError(f"obs must be an Observable, got {type(obs).__name__}")
    if obs.q != 2:
        raise ValueError(f"obs must be a qubit observable (q = 2) for a Pauli expansion, got q = {obs.q}")
    from .bases import PAULI

    paulis = [PAULI[c] for c in "IXYZ"]
    out: dict[tuple[int, ...], complex] = {}
    for c, ops in obs.terms:
        sites = sorted(ops)
        local = []
        for s in sites:
            coeffs = [(k, np.trace(paulis[k] @ ops[s]) / 2) for k in range(4)]
            local.append([(k, v) for k, v in coeffs if v != 0])
        for choice in itertools.product(*local):
            coef = complex(c)
            label = [0] * obs.n
            for s, (k, v) in zip(sites, choice):
                coef *= v
                label[s] = k
            key = tuple(label)
            out[key] = out.get(key, 0.0) + coef
    result: dict[tuple[int, ...], float] = {}
    for key, v in out.items():
        if abs(v.imag) > 1e-12:
            raise ValueError(f"obs must be Hermitian: Pauli string {key} has coefficient {v}")
        if v.real != 0.0:
            result[key] = float(v.real)
    return result


def spectral_width(obs: Observable, tol: float = 1e-10) -> float:
    """The spectral width ``w = λmax - λmin`` of a Hermitian Observable.

    Dense ``eigvalsh`` for ``q^n <= 1024``, else Lanczos (``scipy.sparse.linalg.eigsh`` on
    ``obs.apply``, deterministic start) at both ends.

    Parameters
    ----------
    obs : Observable
    tol : float, default 1e-10
        The Lanczos tolerance.

    Returns
    -------
    float

    Examples
    --------
    >>> round(spectral_width(qae_observable(3)), 12)
    1.0
    """
    if obs.dim <= 1024:
        ev = np.linalg.eigvalsh(obs.dense())
        return float(ev[-1] - ev[0])
    from scipy.sparse.linalg import LinearOperator, eigsh

    shape = (obs.q,) * obs.n

    def mv(v):
        return obs.apply(np.asarray(v, dtype=np.complex128).reshape(shape)).reshape(-1)

    op = LinearOperator((obs.dim, obs.dim), matvec=mv, dtype=np.complex128)
    v0 = np.random.default_rng(0).standard_normal(obs.dim) + 0j  # deterministic start
    hi = eigsh(op, k=1, which="LA", tol=tol, v0=v0, ncv=40, return_eigenvectors=False)[0]
    lo = eigsh(op, k=1, which="SA", tol=tol, v0=v0, ncv=40, return_eigenvectors=False)[0]
    return float(hi - lo)


# ---------------------------------------------------------------------------------- paper models
def _ring_edges(n: int) -> list[tuple[int, int]]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2 for a ring, got {n!r}")
    return [(i, (i + 1) % n) for i in range(n)]


@functools.cache
def heisenberg_ring_ground_energy(n: int, q: int = 2) -> float:
    """The lowest eigenvalue of :func:`heisenberg_ring` ``(n, q)``, cached.

    The Hamiltonian is ``Σ_edges (2 SWAP - 2/q)`` and commutes with every ``u^{⊗n}``, so each
    eigenvalue already occurs in the weight space with the most balanced colour counts (every
    SU(q) irrep in (C^q)^{⊗n} has a Young diagram dominating that weight).  We diagonalise in
    that sector only: C(n, n/2) = 184756 states for n = 20 qubits instead of 2^20.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 2``.
    q : int, default 2
        The local dimension.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``n`` or ``q`` is invalid or the sector is too large (more than 10^6 states for qubits,
        ``q^n > 2^23`` otherwise).

    Examples
    --------
    >>> round(heisenberg_ring_ground_energy(4), 9)
    -8.0
    """
    q = check_local_dim(q)
    edges = _ring_edges(n)
    counts = [n // q + (1 if c < n % q else 0) for c in range(q)]
    if q**n <= 256:
        return float(np.linalg.eigvalsh(heisenberg_ring(n, q, _width=0.0).dense())[0])
    # enumerate strings with the given colour counts
    if q == 2:
        ones = counts[1]
        if math.comb(n, ones) > 10**6:  # n >= 24: minutes and GBs; no exact width then
            raise ValueError(
                f"heisenberg_ring_ground_energy: the sector of n = {n} qubits has "
                f"{math.comb(n, ones)} > 10^6 states, too large for this method"
            )
        states = np.zeros((math.comb(n, ones), n), dtype=np.int8)
        for r, pos in enumerate(itertools.combinations(range(n), ones)):
            states[r, list(pos)] = 1
    else:
        if q**n > 2**23:  # the enumeration below holds q^n x n digits (1.7 GB at 3^15)
            raise ValueError(f"heisenberg_ring_ground_energy: q**n = {q**n} too large for this method")
        allst = np.array(np.unravel_index(np.arange(q**n), (q,) * n)).T.astype(np.int8)
        keep = np.all(np.stack([(allst == c).sum(1) == counts[c] for c in range(q)]), axis=0)
        states = allst[keep]
    weights = q ** np.arange(n - 1, -1, -1, dtype=np.int64)
    codes = states.astype(np.int64) @ weights
    order = np.argsort(codes)
    states, codes = states[order], codes[order]
    N = len(codes)
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    rows, cols = [], []
    for i, j in edges:
        sw = states.copy()
        sw[:, [i, j]] = sw[:, [j, i]]
        cols.append(np.searchsorted(codes, sw.astype(np.int64) @ weights))
        rows.append(np.arange(N))
    data = np.full(N * len(edges), 2.0)
    h = sp.csr_matrix((data, (np.concatenate(rows), np.concatenate(cols))), shape=(N, N))
    h = h - sp.identity(N) * (2.0 / q) * len(edges)
    v0 = np.random.default_rng(0).standard_normal(N)  # a fixed start: the same bits on every run
    return float(eigsh(h, k=1, which="SA", tol=1e-12, v0=v0, return_eigenvectors=False)[0])


def heisenberg_ring(n: int, q: int = 2, _width: float | None = None) -> Observable:
    """Periodic Heisenberg ring, paper Eq. 9: ``H = Σ_{i=1}^{n} (X_i X_{i+1} + Y_i Y_{i+1} + Z_i Z_{i+1})``
    (no 1/4, site n+1 = site 1; for n = 2 the formula counts the edge twice, as printed).

    For q >= 3: ``Σ_edges Σ_a λ_a ⊗ λ_a`` (generalised Gell-Mann, ``tr λ_aλ_b = 2δ_ab``),
    i.e. ``Σ_edges (2 SWAP - 2/q)``.  Spectral width: ``λmax = n (2 - 2/q)`` exactly (the
    ferromagnetic states have SWAP = 1 on every edge and SWAP <= 1), ``λmin`` from
    :func:`heisenberg_ring_ground_energy` (e.g. n = 4, q = 2: λmin = -8, w = 12), computed on
    first use.  Its coupling and E||K||_F² are Lemma 9.2 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 2``.
    q : int, default 2
        The local dimension.
    _width : float, optional
        The width if already known (internal: the ground-state search uses it).

    Returns
    -------
    Observable

    Raises
    ------
    ValueError
        If ``n < 2`` or ``q < 2``.

    Examples
    --------
    >>> H = heisenberg_ring(4)
    >>> len(H.terms), H.width
    (12, 12.0)
    """
    q = check_local_dim(q)
    lam = gell_mann(q)
    terms = [(1.0, {i: a, j: a}) for (i, j) in _ring_edges(n) for a in lam]
    obs = Observable(n, q, terms, name=f"heisenberg_ring(n={n}, q={q})", check_hermitian=False)
    if _width is not None:
        obs._width = float(_width)
    else:  # computed on first use (the ground-state search takes seconds at n = 20), cached per (n, q)
        lmax = n * (2.0 - 2.0 / q)
        obs._width_fn = lambda: lmax - heisenberg_ring_ground_energy(n, q)
    return obs


def qae_observable(n: int, q: int = 2, discarded: int | None = None) -> Observable:
    """Quantum autoencoder, paper Eq. 10: ``H = I - |0><0|_R ⊗ I_Q``, one site R discarded
    (default R = site 0, the same site as the default A of the experiments: if A does not
    contain R and V2 = I, H acts trivially on A and Δ ≡ 0, so the paper's "V1 2-design"
    curve of Fig. 5(b) needs R in A).  Spectral width w = 1 (a projector, n >= 2).  The input
    state used in the experiments is ``|0...0>`` (the paper leaves ρ_QR unspecified).  Its
    coupling and E||K||_F² are Lemma 9.3 of ``proofs/DERIVATION.md``.

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 2``.
    q : int, default 2
        The local dimension.
    discarded : int, optional
        The site R (default 0).

    Returns
    -------
    Observable

    Raises
    ------
    ValueError
        If ``n < 2``, ``q < 2`` or R is not a site.

    Examples
    --------
    >>> H = qae_observable(3)
    >>> H.width, H.coupling([0]), H.coupling([1])   # d/4 with A = R (Lemma 9.3); 0 without
    (1.0, 2.0, 0.0)
    """
    q = check_local_dim(q)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    r = 0 if discarded is None else int(discarded)
    if not 0 <= r < n:
        raise ValueError(f"discarded must be a site in range(n) = range({n}), got {discarded}")
    p0 = np.zeros((q, q), dtype=np.complex128)
    p0[0, 0] = 1
    return Observable(
        n, q, [(1.0, {}), (-1.0, {r: p0})], width=1.0, name=f"qae(n={n}, q={q}, R={r})", check_hermitian=False
    )


def qsl_observable(n: int, q: int = 2) -> Observable:
    """Quantum state learning, paper Eq. 11: ``H = I - |φ><φ|`` with ``|φ> = |0...0>``; w = 1.

    Its cost ``1 - |<φ|U|ψ>|²`` is the fidelity cost of Lemma 7 of ``proofs/DERIVATION.md``
    (Proposition 2).

    Parameters
    ----------
    n : int
        The number of sites, ``n >= 1``.
    q : int, default 2
        The local dimension.

    Returns
    -------
    Observable

    Raises
    ------
    ValueError
        If ``n < 1`` or ``q < 2``.

    Examples
    --------
    >>> H = qsl_observable(3)
    >>> H.width, H.coupling([0])
    (1.0, 0.5)
    """
    q = check_local_dim(q)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    p0 = np.zeros((q, q), dtype=np.complex128)
    p0[0, 0] = 1
    return Observable(
        n,
        q,
        [(1.0, {}), (-1.0, {s: p0 for s in range(n)})],
        width=1.0,
        name=f"qsl(n={n}, q={q})",
        check_hermitian=False,
    )
