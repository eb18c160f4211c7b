"""Monte-Carlo estimates of E[Δ] for the paper's three tasks, checked against every bound.

Tasks (paper, Figure 5; input state |0...0>, A = ``sites``, default the single site 0):

* ``"vqe"``: Heisenberg ring Eq. 9 (:func:`.observables.heisenberg_ring`, SU(q) version for q>2);
* ``"qae"``: ``H = I - |0><0|_R ⊗ I_Q``, R = site 0 discarded (Eq. 10), w = 1 (with A = R;
  for A not containing R and V2 = I, Δ ≡ 0);
* ``"qsl"``: ``H = I - |0...0><0...0|`` (Eq. 11), w = 1, Δ exact by ``||M||_1²`` for every dA.

Ensembles: ``"haar"`` (exact Haar), ``"hea"`` (paper's hardware-efficient circuit, depth
``layers`` = 10 n by default), ``"local1"`` (one layer of single-site rotations, a 1-design),
``"clifford"`` (uniformly random n-qubit Clifford, :mod:`.clifford`: an exact 3-design, qubits only).
Cases: ``"v1"`` (V1 random, V2 = I), ``"v2"`` (V1 = I, V2 random), ``"both"``.

Scalability (math-notes, "Numerical facts"): a Haar V1 only enters through ``V1|0...0>`` =
:func:`.sampling.haar_state`; a Haar V2 only through its restriction to the span of the
``dA · dA`` vectors ``|k>_A ⊗ |e_s>_B`` (``e_s`` an orthonormal basis of the span of the
``ψ_i``), which is a Haar isometry (:func:`.sampling.haar_isometry`); no d x d unitary is
built, and for large d not even the isometry: its Ginibre matrix is reduced while it is drawn.  A circuit V2 is applied to the batch of dA² vectors ``|k>_A|ψ_i>_B`` at once.  K and M
are then read off reduced matrices (:mod:`.reduced_states`, :func:`sample_cost_matrices`): one
pass over ``V1|0...0>`` when V2 = I; the isometry columns block by block for a random V2.

The bounds come from :mod:`.bounds` (one source shared with ``proofs/``) and are for the
**unnormalised** Δ.  Data flow: sampling -> states/observables -> T -> K or M -> Δ -> statistics.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from ..circuits import clifford as _clifford
from ..circuits.ensembles import sample_circuit
from ..delta.certified import delta_from_k
from ..delta.cost import cost_tensor_pure, k_matrix, m_matrix
from ..delta.result import VariationRangeResult
from ..delta.variation_range import variation_range_fidelity
from ..states.observables import Observable, heisenberg_ring, qae_observable, qsl_observable
from ..states.reduced import (
    chunk_rows,
    hamiltonian_gram,
    hamiltonian_gram_rows,
    k_from_reduced,
    local_grams,
    m_from_states,
    qr_r_from_state,
    reduced_gram_fits,
    touching_support,
)
from ..states.sampling import RngLike, as_rng, ginibre_fill, ginibre_r_factor, haar_isometry, haar_state
from ..states.statevector import move_sites_first, zero_state
from ..theory import bounds as _bounds
from ..util.blas_threads import BLAS_PIN

__all__ = [
    "TASKS",
    "ENSEMBLES",
    "CASES",
    "TaskSpec",
    "task_spec",
    "bounds_for",
    "lower_bounds_for",
    "variation_range_sample",
    "variation_range_sample_result",
    "PATHS",
    "SampleMatrices",
    "sample_cost_matrices",
    "VariationRangeEstimate",
    "estimate_variation_range",
    "fit_log_slope",
    "config_entropy",
    "sample_rng",
]

TASKS = ("vqe", "qae", "qsl")
ENSEMBLES = ("haar", "hea", "local1", "clifford")
CASES = ("v1", "v2", "both")


def _check_choice(value: object, name: str, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def _check_ensemble_q(ensemble: str, q: int) -> None:
    if ensemble == "clifford" and q != 2:
        raise ValueError(f"ensemble 'clifford' is for qubits only (q = 2), got q = {q}; use 'haar' or 'hea' for qudits")


def _check_int(value: object, name: str, lower: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < lower:
        raise ValueError(f"{name} must be >= {lower}, got {value}")
    return int(value)


def config_entropy(task: str, ensemble: str, case: str, q: int, site: int, sites: Sequence[int] | None = None) -> int:
    """A stable 32-bit tag of a configuration: CRC-32 of ``task/ensemble/case/q/site`` when A is the
    one site ``site`` (the paper's m = 1; ``sites`` None or ``(site,)``), and of
    ``task/ensemble/case/q/site/A=s1,s2,...`` when A is several sites, so m >= 2 draws circuits
    independent of m = 1 while every m = 1 stream stays what it was."""
    tag = f"{task}/{ensemble}/{case}/{int(q)}/{int(site)}"
    if sites is not None and tuple(int(s) for s in sites) != (int(site),):
        tag += "/A=" + ",".join(str(int(s)) for s in sites)
    return zlib.crc32(tag.encode())


def sample_rng(seed: int, n: int, index: int, config: int = 0) -> np.random.Generator:
    """The generator of sample ``index`` at size ``n``:
    ``default_rng(SeedSequence([seed, config], spawn_key=(n, index)))``.

    The one seeding rule of the project (:func:`estimate_variation_range`, sweeps, the verify
    report): ``config`` is :func:`config_entropy` of the configuration, so different
    tasks/ensembles/cases draw independent circuits (otherwise e.g. the QSL cases v1 and v2, equal in
    distribution, would give identical values). Independent of execution order, worker count and
    interruptions: a resumed sweep reproduces the uninterrupted values bit for bit, and sample s
    of an estimate equals sample s of a sweep with the same seed.
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(config)], spawn_key=(int(n), int(index))))


@dataclass
class TaskSpec:
    """Everything about a task that does not depend on the random circuits.

    ``coupling = Σ_a tr_B(h_a²)`` of H (case "v1" with V2 = I), ``state_coupling = 1 - 1/dA``
    for ρ = |0...0> (case "v2" with V1 = I), ``h_hs_centered = tr H² - (tr H)²/d``, ``purity = 1``.
    """

    task: str
    n: int
    q: int
    sites: tuple[int, ...]
    observable: Observable
    fidelity: bool
    coupling: float
    state_coupling: float
    h_hs_centered: float
    purity: float = 1.0

    @property
    def m(self) -> int:
        return len(self.sites)

    @property
    def dA(self) -> int:
        return self.q**self.m

    @property
    def w(self) -> float:
        """Spectral width w(H) (exact: Heisenberg ground energy by sector Lanczos; 1 for QAE, QSL),
        or NaN where it is not computable (the Heisenberg ring beyond the sector-Lanczos limit:
        n > 22 qubits, q^n > 2^24 qudits); then the bounds that need w are left out."""
        try:
            return self.observable.width
        except ValueError:
            return math.nan


def task_spec(task: str, n: int, q: int = 2, site: int = 0, sites: Sequence[int] | None = None) -> TaskSpec:
    """Build the observable of ``task`` on n sites of dimension q and the numbers the bounds need."""
    task = _check_choice(task, "task", TASKS)
    n = _check_int(n, "n", 2)
    q = _check_int(q, "q", 2)
    if sites is None:
        sites = (site,)
    sites = tuple(int(s) for s in sites)
    if not sites or len(set(sites)) != len(sites) or any(not 0 <= s < n for s in sites):
        raise ValueError(f"sites/site must be distinct sites in range(n) = range({n}), got {sites}")
    if len(sites) >= n:
        raise ValueError(f"A must be a proper subsystem (m < n), got m={len(sites)}, n={n}")
    if task == "vqe":
        obs = heisenberg_ring(n, q)
    elif task == "qae":
        obs = qae_observable(n, q)
    else:
        obs = qsl_observable(n, q)
    dA = q ** len(sites)
    return TaskSpec(task, n, q, sites, obs, task == "qsl", obs.coupling(sites), 1.0 - 1.0 / dA, obs.h_hs_centered())


def bounds_for(spec: TaskSpec, ensemble: str, case: str) -> tuple[dict[str, float], str]:
    """The bounds (floats, unnormalised Δ) that apply to ``(spec, ensemble, case)`` and a note.

    2-design bounds (Theorem 1 as printed [qubits], its qudit form, Route 1, the element-wise
    Route 2 and the task-dependent bound) apply to "haar" and "clifford" (an exact 2-design, in
    fact a 3-design, for qubits: Lemma 13) and, approximately, to "hea";
    Proposition 2 (fidelity task) needs only a 1-design and applies to every ensemble.
    """
    ensemble = _check_choice(ensemble, "ensemble", ENSEMBLES)
    case = _check_choice(case, "case", CASES)
    n, m, q = spec.n, spec.m, spec.q
    _check_ensemble_q(ensemble, q)
    out: dict[str, float] = {}
    note = ""
    if ensemble in ("haar", "hea", "clifford"):
        w = spec.w
        if math.isfinite(w):
            if q == 2:
                out["paper_theorem1"] = float(_bounds.paper_theorem1_bound(w, n, m))
            out["qudit_theorem1"] = float(_bounds.qudit_theorem1_bound(w, n, m, q))
            out["route1"] = float(_bounds.route1_bound(w, n, m, q))
            out["elementwise"] = float(_bounds.elementwise_bound(w, n, m, q, case=case))
        out["task_dependent"] = float(
            _bounds.task_dependent_bound(
                case,
                n,
                m,
                q,
                coupling=spec.coupling,
                purity=1,
                state_coupling=spec.state_coupling,
                h_hs_centered=spec.h_hs_centered,
            )
        )
        if ensemble == "hea":
            note = "hea is only an approximate 2-design: the 2-design bounds hold up to its design error"
        if not math.isfinite(w):
            note = (note + "; " if note else "") + "w(H) not computable at this n: bounds that need w left out"
    else:
        note = "local1 is only a 1-design: Theorem-1 bounds do not apply"
    if spec.fidelity:
        out["proposition2"] = float(_bounds.proposition2_bound(n, m, q))
    return out, note


def lower_bounds_for(spec: TaskSpec, ensemble: str, case: str) -> dict[str, float]:
    """Lower bounds on E[Δ] (floats, unnormalised Δ) that apply to ``(spec, ensemble, case)``.

    ``"fourth_moment"`` (Lemma 11.5, :func:`.bounds.expected_delta_lower_bound`): Hölder with the exact
    E||K||_F² and E||K||_F⁴.  It needs fourth moments, so only the exact-Haar ensemble qualifies ("hea"
    is at best an approximate 2-design, "local1" a 1-design), and exact fourth moments are available for
    VQE (n >= 3) and QAE with A = site 0 (input |0…0>).  Empty dict otherwise.
    """
    ensemble = _check_choice(ensemble, "ensemble", ENSEMBLES)
    case = _check_choice(case, "case", CASES)
    if ensemble != "haar" or spec.task not in ("vqe", "qae") or spec.sites != (0,):
        return {}
    if spec.task == "vqe" and spec.n < 3:
        return {}
    return {"fourth_moment": float(_bounds.expected_delta_lower_bound(spec.task, case, spec.n, 1, spec.q))}


# ---------------------------------------------------------------------------------------- one Δ
def _a_first_to_sites(arr: np.ndarray, sites: tuple[int, ...], n: int, q: int, nbatch: int) -> np.ndarray:
    """Array with batch axes then (q,)*m A-axes then (q,)*(n-m) B-axes -> batch + site order."""
    rest = [s for s in range(n) if s not in sites]
    order = list(sites) + rest  # position p holds site order[p]
    inv = [order.index(s) for s in range(n)]
    return np.ascontiguousarray(np.transpose(arr, list(range(nbatch)) + [nbatch + p for p in inv]))


def _apply_h_batch(obs: Observable, vecs: np.ndarray) -> np.ndarray:
    return obs.apply(vecs)


PATHS = ("reduced", "dense")
#: a Haar V2's isometry (d × k) is drawn and reduced block by block, never formed, when d·k exceeds
#: this (and d >= 64 k, so that Cholesky QR is accurate); below, haar_isometry + hamiltonian_gram
STREAMED_ISOMETRY_MIN_ENTRIES = 2**16


@dataclass
class SampleMatrices:
    """The small matrices one random instance reduces to (data flow: states -> **K, T or M** -> Δ):
    ``K`` (Route 1) for a Hamiltonian task, ``T`` (the cost tensor) where it was built on the way
    (dense path, or a random V2) else None, ``M`` for the fidelity route (then K, T are None)."""

    K: np.ndarray | None = None
    T: np.ndarray | None = None
    M: np.ndarray | None = None


def sample_cost_matrices(
    spec: TaskSpec,
    ensemble: str,
    case: str,
    rng: RngLike = None,
    *,
    layers: int | None = None,
    general: bool = False,
    path: str = "reduced",
) -> SampleMatrices:
    """Draw V1/V2 (as ``case`` says, from ``ensemble``) and reduce the instance to K (and T) or M.

    ``path="reduced"`` (default) uses :mod:`.reduced_states`: for V2 = I, K from the reduced
    density matrix of ``V1|0...0>`` on A ∪ supp(terms of H touching A) (one pass over the state;
    math-notes "K needs only the terms touching A"); for a Haar V2, ``<w_x|H|w_y>`` over the
    ``dA·r`` isometry columns block by block (no vector is multiplied by H as a whole); for a
    circuit V2, the same on the dA² evolved vectors; M from ``dA`` amplitudes (one state is
    ``|0...0>``) or one pass over both states.  ``path="dense"`` is the reference: H applied to
    the dA² (or dA·r) full-size vectors.  Both paths draw the same random numbers in the same
    order, so they agree up to rounding (tests: K, T and M to 1e-12).  Terms too large for a
    reduced matrix (the QSL projector with ``general=True``) fall back to the dense path."""
    ensemble = _check_choice(ensemble, "ensemble", ENSEMBLES)
    case = _check_choice(case, "case", CASES)
    path = _check_choice(path, "path", PATHS)
    _check_ensemble_q(ensemble, spec.q)
    gen = as_rng(rng)
    n, q, sites = spec.n, spec.q, spec.sites
    d, dA = q**n, spec.dA
    shape = (q,) * n
    random_v1, random_v2 = case in ("v1", "both"), case in ("v2", "both")
    reduced = path == "reduced"

    # V1 |0...0>  (None = |0...0>, not built on the reduced path)
    if random_v1 and ensemble == "haar":
        psi1 = haar_state(d, gen).reshape(shape)
    elif random_v1 and ensemble == "clifford":
        psi1 = _clifford.random_clifford(n, q, gen).state()  # graph-state synthesis, O(few 2^n)
    elif random_v1:
        psi1 = sample_circuit(ensemble, n, q, gen, layers).apply(zero_state(n, q))
    else:
        psi1 = None if reduced else zero_state(n, q)

    v2c = None
    if random_v2 and ensemble == "clifford":
        v2c = _clifford.random_clifford(n, q, gen)  # .apply / .apply_inverse: H, S, CX gate by gate
    elif random_v2 and ensemble != "haar":
        v2c = sample_circuit(ensemble, n, q, gen, layers)

    if spec.fidelity and not general:
        if random_v2 and ensemble == "haar":
            phi2 = haar_state(d, gen).reshape(shape)  # V2† |0...0> is Haar when V2 is
        elif random_v2:
            phi2 = v2c.apply_inverse(zero_state(n, q))
        else:
            phi2 = None if reduced else zero_state(n, q)
        if reduced:
            M = m_from_states(psi1, phi2, sites, n, q)
        else:
            M = m_matrix(move_sites_first(psi1, sites, n), move_sites_first(phi2, sites, n))
        return SampleMatrices(M=M)

    obs = spec.observable
    T = None
    if reduced and random_v2:  # decided before any random number of V2 is used
        k = dA * min(d // dA, dA) if ensemble == "haar" else dA * dA
        reduced = reduced_gram_fits(obs, k)
    if reduced and not random_v2:
        try:
            S, HS = touching_support(obs, sites)
        except ValueError:  # terms touching A with a large support (e.g. QSL's projector): dense
            reduced = False
        else:
            if psi1 is None:
                psi1 = zero_state(n, q)
            rho = local_grams(psi1, [S], n)[0][:, 0, :, 0]
            K = k_from_reduced(HS, rho, dA)
    if not reduced and psi1 is None:
        psi1 = zero_state(n, q)
    if reduced and random_v2 and ensemble == "haar":
        # the restriction of V2 to span{|k>_A|e_s>_B} is a Haar isometry (module doc)
        if psi1 is None:  # rows^T of |0...0> has one non-zero entry, in its first row: the R of
            # its QR is that of its first min(dB, dA) rows (Householder on zero tails is exact)
            top = np.zeros((min(d // dA, dA), dA), dtype=np.complex128)
            top[0, 0] = 1.0
            C = np.linalg.qr(top, mode="r")
        else:  # rows^T = E C (E unused): the R of the QR from rho_A and dA² amplitudes, no copy of psi1
            C = qr_r_from_state(psi1, sites, n)
        psi1 = None  # not needed any more: its memory is free before the isometry is drawn
        r = C.shape[0]
        k = dA * r
        # column (k, s) = V2 |k>_A |e_s>_B.  For large d the isometry W = Z R^{-1} is never formed:
        # the Ginibre Z is drawn block by block and reduced while in cache (Z^† Z and the blocks of H
        # inside each row block), one more read of Z adds the blocks of H near site 0, and
        # <w_x|H|w_y> = (R^{-†} Z^† H Z R^{-1})_xy with R = chol(Z^† Z)^† (same W as haar_isometry).
        if d >= 64 * k and d * k > STREAMED_ISOMETRY_MIN_ENTRIES:
            Z = np.empty((d, k), dtype=np.complex128)
            # draw and reduce on two threads when the caller's BLAS may use two (not in sweeps, which pin
            # one thread per sample); the same arithmetic in the same order either way
            G, HZ = hamiltonian_gram_rows(
                obs, Z, ginibre_fill(Z, gen, rows=chunk_rows(q, k)), background=max(BLAS_PIN.threads(), default=1) > 1
            )
            del Z
            rinv = scipy.linalg.solve_triangular(ginibre_r_factor(G), np.eye(k), lower=False)
            Hs = (rinv.conj().T @ HZ @ rinv).reshape(dA, r, dA, r)
        else:
            W = haar_isometry(d, k, gen)
            if r > 1 and not np.any(C[1:]):  # V1 = I: only the columns (k, s = 0) enter T
                Hs = np.zeros((dA, r, dA, r), dtype=np.complex128)
                Hs[:, 0, :, 0] = hamiltonian_gram(obs, W[:, ::r].reshape(shape + (dA,)), batch="last", orthonormal=True)
            else:
                Hs = hamiltonian_gram(obs, W.reshape(shape + (k,)), batch="last", orthonormal=True).reshape(
                    dA, r, dA, r
                )
            del W
        T = np.einsum("tj,si,ltks->ljki", C.conj(), C, Hs, optimize=True)
        K = k_matrix(T)
    elif reduced and random_v2:  # a circuit V2 acts on the dA² vectors |k>_A|ψ_i>_B
        rows = move_sites_first(zero_state(n, q) if psi1 is None else psi1, sites, n)
        eyeA = np.eye(dA, dtype=np.complex128)
        X = np.einsum("ka,ib->kiab", eyeA, rows).reshape((dA, dA) + (q,) * n)
        X = _a_first_to_sites(X, sites, n, q, 2).reshape((dA * dA,) + shape)
        X = v2c.apply(X)
        # Hs[x, y] = <X_x|H|X_y> with x = (l, j), y = (k, i) is T[l, j, k, i]
        T = hamiltonian_gram(obs, X, batch="first").reshape(dA, dA, dA, dA)
        K = k_matrix(T)
    elif not reduced:
        T = _cost_tensor_dense_path(spec, ensemble, random_v2, psi1, v2c, gen)
        K = k_matrix(T)
    return SampleMatrices(K=K, T=T)


def variation_range_sample_result(
    spec: TaskSpec,
    ensemble: str,
    case: str,
    rng: RngLike = None,
    *,
    layers: int | None = None,
    starts: int = 32,
    general: bool = False,
    tol: float = 1e-6,
    level2: bool = True,
    path: str = "reduced",
) -> VariationRangeResult:
    """One random Δ (with its certificate) for ``spec`` (see :func:`variation_range_sample`):
    :func:`sample_cost_matrices` (``path``, ``general``: see there), then ``||M||_1²`` for the
    fidelity route (Lemma 7.2), else K -> Δ by :func:`.certified_delta.delta_from_k` (exact
    ``2(σ1+σ2)`` for dA = 2, a certified bracket of relative width ``<= tol`` where reachable for
    dA >= 3, Lemma 12; ``starts`` caps its random optimiser starts per side).  ``level2`` (on by
    default) lets the loose sides of the ~1 sample in 20 (dA = 3; more at dA = 4) where level 1 leaves
    a gap above ``tol`` get the first-order level-2 certificate (Lemma 12.4; 0.1-0.3 s per loose
    side at dA = 3, seconds at dA = 4, benchmarks/bench_certified.py); ``level2=False`` keeps their
    level-1 width (``.gap``)."""
    gen = as_rng(rng)
    mats = sample_cost_matrices(spec, ensemble, case, gen, layers=layers, general=general, path=path)
    if mats.M is not None:
        val = variation_range_fidelity(mats.M)
        return VariationRangeResult(val, val, val, True, "fidelity", M=mats.M)
    return delta_from_k(mats.K, spec.dA, tol=tol, rng=gen, max_starts=starts, level2=level2)


def _cost_tensor_dense_path(
    spec: TaskSpec, ensemble: str, random_v2: bool, psi1: np.ndarray, v2c, gen: np.random.Generator
) -> np.ndarray:
    """The reference construction of T (H applied to dA² or dA·r full-size vectors)."""
    n, q, sites = spec.n, spec.q, spec.sites
    d, dA = q**n, spec.dA
    shape = (q,) * n
    obs = spec.observable
    rows = move_sites_first(psi1, sites, n)  # (dA, dB): psi1 = Σ_i |i>_A |psi_i>_B
    eyeA = np.eye(dA, dtype=np.complex128)
    if random_v2 and ensemble == "haar":
        # orthonormal basis e_s of span{psi_i}: rows^T = E C  (E: dB x dA, C: dA x dA)
        E, C = np.linalg.qr(rows.T)
        r = E.shape[1]
        W = haar_isometry(d, dA * r, gen)  # column (k, s) = V2 |k>_A |e_s>_B
        cols = W.T.reshape((dA * r,) + shape)
        Hs = (W.conj().T @ _apply_h_batch(obs, cols).reshape(dA * r, d).T).reshape(dA, r, dA, r)
        return np.einsum("tj,si,ltks->ljki", C.conj(), C, Hs, optimize=True)
    # the dA² vectors |k>_A |psi_i>_B, batch axes (k, i)
    X = np.einsum("ka,ib->kiab", eyeA, rows).reshape((dA, dA) + (q,) * n)
    X = _a_first_to_sites(X, sites, n, q, 2).reshape((dA * dA,) + shape)
    if v2c is not None:
        X = v2c.apply(X)
    HX = _apply_h_batch(obs, X)
    return cost_tensor_pure(HX.reshape(dA, dA, -1), X.reshape(dA, dA, -1))


def variation_range_sample(
    task: str,
    ensemble: str,
    case: str,
    n: int,
    q: int = 2,
    site: int = 0,
    rng: RngLike = None,
    *,
    sites: Sequence[int] | None = None,
    layers: int | None = None,
    starts: int = 32,
) -> float:
    """One random Δ (unnormalised) for ``task`` with V1/V2 from ``ensemble`` as ``case`` says.

    Exact for dA = 2 and for "qsl"; otherwise the certified lower end of the bracket
    (use :func:`variation_range_sample_result` for both ends)."""
    spec = task_spec(task, n, q, site, sites)
    return variation_range_sample_result(spec, ensemble, case, rng, layers=layers, starts=starts).value


# ---------------------------------------------------------------------------------------- statistics
@dataclass
class VariationRangeEstimate:
    """Sample mean of Δ with its standard error and 95% CI (normal approximation,
    ``mean ± 1.96 stderr``), the per-sample values, the bounds (dict name -> float, unnormalised)
    and the spectral width w.  For bracketed Δ (``exact=False``) ``values`` are the certified
    lower ends and ``upper_values`` the proved upper ends (Lemma 12, or ``2||K||_*`` where no
    certificate was proved); ``upper_mean`` etc. likewise."""

    task: str
    ensemble: str
    case: str
    n: int
    q: int
    samples: int
    seed: int
    m: int
    mean: float
    stderr: float
    ci95: tuple[float, float]
    values: np.ndarray = field(repr=False)
    bounds: dict[str, float] = field(default_factory=dict)
    w: float = float("nan")
    exact: bool = True
    upper_values: np.ndarray = field(default=None, repr=False)
    upper_mean: float = float("nan")
    upper_ci95: tuple[float, float] = (float("nan"), float("nan"))
    layers: int | None = None
    note: str = ""
    seconds: float = 0.0
    lower_bounds: dict[str, float] = field(default_factory=dict)  # lower_bounds_for (Lemma 11)

    def ratios(self) -> dict[str, float]:
        """Tightness: ``E[Δ] / bound`` for every bound (upper end of the bracket if not exact)."""
        top = self.mean if self.exact else self.upper_mean
        return {k: top / v for k, v in self.bounds.items() if v > 0}

    @property
    def max_width(self) -> float:
        """Largest relative width ``(upper - lower)/upper`` of one sample's certified bracket
        (Lemma 12); 0 for exact Δ."""
        if self.exact:
            return 0.0
        return float(max(((u - v) / u if u > 0 else 0.0) for v, u in zip(self.values, self.upper_values)))

    def below_all_bounds(self) -> bool:
        """True iff the upper end of the 95% CI (of the bracket's upper end if not exact) lies
        below every bound."""
        top = self.ci95[1] if self.exact else self.upper_ci95[1]
        return all(top <= b for b in self.bounds.values())


def _stats(values: np.ndarray) -> tuple[float, float, tuple[float, float]]:
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")
    return mean, se, (mean - 1.96 * se, mean + 1.96 * se)


def estimate_variation_range(
    task: str = "vqe",
    ensemble: str = "haar",
    case: str = "v1",
    n: int = 6,
    q: int = 2,
    samples: int = 100,
    seed: int = 0,
    site: int = 0,
    *,
    sites: Sequence[int] | None = None,
    layers: int | None = None,
    starts: int = 32,
    level2: bool = True,
    progress: bool = False,
) -> VariationRangeEstimate:
    """E[Δ] over ``samples`` independent draws (sample s uses :func:`sample_rng` ``(seed, n, s,
    config_entropy(task, ensemble, case, q, site, sites))``, so each value is reproducible on its own and
    equals sample s of a sweep with the same seed — for A = ``sites`` consecutive, a sweep with
    ``site = sites[0]``, ``m = len(sites)``), with the bounds of :func:`bounds_for`.  ``starts`` and
    ``level2`` go to :func:`variation_range_sample_result` (dA >= 3: optimiser starts per side, and
    the level-2 certificate of Lemma 12.4 for loose brackets; off, brackets stay proved but wider).

    Example: ``estimate_variation_range("vqe", "haar", "v1", n=10, samples=100)`` gives
    E[Δ] ≈ 0.33 against the task-dependent bound ``12/sqrt(d+1)`` ≈ 0.375.
    """
    import time

    t0 = time.perf_counter()
    samples = _check_int(samples, "samples", 2)
    seed = _check_int(seed, "seed", 0)
    spec = task_spec(task, n, q, site, sites)
    ensemble = _check_choice(ensemble, "ensemble", ENSEMBLES)
    case = _check_choice(case, "case", CASES)
    _check_ensemble_q(ensemble, spec.q)
    config = config_entropy(task, ensemble, case, q, spec.sites[0], spec.sites)
    lows, ups = np.empty(samples), np.empty(samples)
    exact = True
    it = range(samples)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc=f"{task}/{ensemble}/{case} n={n} q={q}")
    with BLAS_PIN.driver():  # one BLAS thread per sample, as in sweeps: sample s is bit-identical to theirs
        for s in it:
            res = variation_range_sample_result(
                spec, ensemble, case, sample_rng(seed, n, s, config), layers=layers, starts=starts, level2=level2
            )
            lows[s], ups[s] = res.lower, res.upper
            exact &= res.exact
    bnds, note = bounds_for(spec, ensemble, case)
    mean, se, ci = _stats(lows)
    umean, _, uci = _stats(ups)
    L = (10 * n if layers is None else layers) if ensemble == "hea" else None
    lower = lower_bounds_for(spec, ensemble, case)
    return VariationRangeEstimate(
        task,
        ensemble,
        case,
        spec.n,
        spec.q,
        samples,
        seed,
        spec.m,
        mean,
        se,
        ci,
        lows,
        bnds,
        spec.w,
        exact,
        ups,
        umean,
        uci,
        L,
        note,
        time.perf_counter() - t0,
        lower,
    )


def fit_log_slope(ns: Sequence[int], means: Sequence[float], base: float = 2.0) -> float:
    """Least-squares slope of ``log_base E[Δ]`` versus n (compare with -1/2 for Theorem 1's
    ``2^{-n/2}`` and -1 for Proposition 2's ``2^{-n}``, qubits)."""
    ns = np.asarray(ns, dtype=float)
    y = np.log(np.asarray(means, dtype=float)) / np.log(base)
    if len(ns) < 2 or len(ns) != len(y):
        raise ValueError("fit_log_slope needs at least two (n, mean) pairs of equal length")
    return float(np.polyfit(ns, y, 1)[0])
