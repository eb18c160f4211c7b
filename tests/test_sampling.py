"""Distribution tests for weingarten_check.states.sampling: moments against exact Weingarten values.

Tolerances are 5 standard errors of the Monte-Carlo mean (fixed seeds), so a correct sampler
fails with probability ~1e-6 per check while a wrong distribution (no phase fix, real
orthogonal matrices) is rejected by a wide margin.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from reference import haar_isometry_cholqr, mp_haar_isometry, mp_haar_state, mp_haar_unitary
from scipy import stats

from weingarten_check.calculus.unitary_integrals import haar_integral
from weingarten_check.states.sampling import as_rng, ginibre, haar_isometry, haar_state, haar_unitary

D = 3
N = 20000

# (name, (i, j, i_conj, j_conj)) -- 0-based, E[prod U[i_a, j_a] prod conj(U[i'_b, j'_b])]
MOMENTS = {
    "|U00|^4": ((0, 0), (0, 0), (0, 0), (0, 0)),
    "|U00|^2|U11|^2": ((0, 1), (0, 1), (0, 1), (0, 1)),
    "U00 U11 conj(U01 U10)": ((0, 1), (0, 1), (0, 1), (1, 0)),
    "U00": ((0,), (0,), (), ()),
    "U00^2": ((0, 0), (0, 0), (), ()),
    "U00 conj(U11)": ((0,), (0,), (1,), (1,)),
    "|U00|^2": ((0,), (0,), (0,), (0,)),
}
# textbook values for d = 3, cross-checked against haar_integral below
LITERAL = {
    "|U00|^4": Fraction(2, D * (D + 1)),
    "|U00|^2|U11|^2": Fraction(1, D * D - 1),
    "U00 U11 conj(U01 U10)": Fraction(-1, D * (D * D - 1)),
    "U00": Fraction(0),
    "U00^2": Fraction(0),
    "U00 conj(U11)": Fraction(0),
    "|U00|^2": Fraction(1, D),
}


def exact_moment(name: str, d: int = D) -> complex:
    """Exact value from the project's Weingarten calculus (haar_integrals.haar_integral)."""
    i, j, ic, jc = MOMENTS[name]
    return complex(haar_integral(list(i), list(j), list(ic), list(jc), d))


def test_textbook_values_agree_with_weingarten_module():
    for name in MOMENTS:
        assert exact_moment(name) == pytest.approx(complex(LITERAL[name]), abs=1e-15), name


def _moment_samples(mats: np.ndarray, name: str) -> np.ndarray:
    i, j, ic, jc = MOMENTS[name]
    val = np.ones(len(mats), dtype=np.complex128)
    for a, b in zip(i, j):
        val *= mats[:, a, b]
    for a, b in zip(ic, jc):
        val *= np.conj(mats[:, a, b])
    return val


def moment_z_scores(mats: np.ndarray) -> dict[str, float]:
    """|sample mean - exact| / standard error, for each moment (real and imaginary parts)."""
    out = {}
    for name in MOMENTS:
        v = _moment_samples(mats, name)
        exact = exact_moment(name)
        z = 0.0
        for part, ex in ((v.real, exact.real), (v.imag, exact.imag)):
            se = part.std(ddof=1) / np.sqrt(len(part))
            z = max(z, abs(part.mean() - ex) / max(se, 1e-300))
        out[name] = z
    return out


@pytest.fixture(scope="module")
def haar_samples():
    rng = np.random.default_rng(1234)
    return np.array([haar_unitary(D, rng) for _ in range(N)])


def test_haar_unitary_is_unitary(haar_samples):
    errs = np.abs(np.einsum("sji,sjk->sik", haar_samples.conj(), haar_samples) - np.eye(D)).max()
    assert errs < 1e-13


def test_haar_moments_match_weingarten(haar_samples):
    z = moment_z_scores(haar_samples)
    assert max(z.values()) < 5, z


def test_qr_without_phase_fix_fails_moment_checks():
    """The LAPACK QR of a Ginibre matrix has Re(R_jj) of fixed sign pattern, so E[U00] != 0.
    (The three moments of the issue are invariant under column phases and cannot see it.)"""
    rng = np.random.default_rng(1234)
    mats = np.array([haar_unitary(D, rng, phase_fix=False) for _ in range(N)])
    z = moment_z_scores(mats)
    assert max(z.values()) > 20, z
    assert z["|U00|^4"] < 5  # column-phase invariant moments are blind to the phase fix


def test_real_orthogonal_matrices_fail_moment_checks():
    """Power check: Haar on O(3) has E|O00|^4 = 3/(d(d+2)) = 1/5 != 1/6."""
    rng = np.random.default_rng(7)
    mats = []
    for _ in range(N):
        q, r = np.linalg.qr(rng.standard_normal((D, D)))
        mats.append(q * np.sign(np.diag(r)))
    z = moment_z_scores(np.array(mats, dtype=np.complex128))
    assert z["|U00|^4"] > 10


def test_isometry_and_state_moments():
    rng = np.random.default_rng(99)
    d, k = 4, 2
    W = np.array([haar_isometry(d, k, rng) for _ in range(N)])
    assert np.abs(np.einsum("sji,sjk->sik", W.conj(), W) - np.eye(k)).max() < 1e-13
    for vals, exact in (
        (np.abs(W[:, 0, 0]) ** 4, 2 / (d * (d + 1))),
        (np.abs(W[:, 0, 0]) ** 2 * np.abs(W[:, 1, 1]) ** 2, 1 / (d * d - 1)),
        ((W[:, 0, 0] * W[:, 1, 1] * np.conj(W[:, 0, 1] * W[:, 1, 0])).real, -1 / (d * (d * d - 1))),
        (W[:, 0, 0].real, 0.0),
    ):
        se = vals.std(ddof=1) / np.sqrt(N)
        assert abs(vals.mean() - exact) < 5 * se
    psi = np.array([haar_state(d, rng) for _ in range(N)])
    assert np.allclose(np.linalg.norm(psi, axis=1), 1, atol=1e-14)
    v = np.abs(psi[:, 0]) ** 4
    assert abs(v.mean() - 2 / (d * (d + 1))) < 5 * v.std(ddof=1) / np.sqrt(N)
    v = psi[:, 1].real
    assert abs(v.mean()) < 5 * v.std(ddof=1) / np.sqrt(N)


def test_seeds_are_reproducible_and_rng_types():
    assert np.array_equal(haar_unitary(5, 3), haar_unitary(5, 3))
    assert not np.array_equal(haar_unitary(5, 3), haar_unitary(5, 4))
    g = np.random.default_rng(3)
    assert np.array_equal(haar_state(7, g), haar_state(7, np.random.default_rng(3)))
    assert isinstance(as_rng(None), np.random.Generator)


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: haar_unitary(0, 1), ValueError),
        (lambda: haar_unitary(2.5, 1), TypeError),
        (lambda: haar_isometry(3, 4, 1), ValueError),
        (lambda: haar_state(4, "seed"), TypeError),
        (lambda: haar_state(4, -1), ValueError),
        (lambda: mp_haar_state(4, 1, dps=5), ValueError),
    ],
)
def test_bad_input_raises(call, exc):
    with pytest.raises(exc):
        call()


def test_mp_versions_are_high_precision_and_haar():
    with mpmath.workdps(60):
        U = mp_haar_unitary(3, 5, dps=50)
        err = mpmath.mnorm(U.H * U - mpmath.eye(3), 1)
    assert err < mpmath.mpf(10) ** -45
    W = mp_haar_isometry(4, 2, 6, dps=40)
    with mpmath.workdps(50):
        assert mpmath.mnorm(W.H * W - mpmath.eye(2), 1) < mpmath.mpf(10) ** -35
    # distribution: for d = 2, |U00|^2 is uniform on [0, 1] (Beta(1, d-1)); KS test
    rng = np.random.default_rng(11)
    x = [float(abs(mp_haar_state(2, rng, dps=30)[0]) ** 2) for _ in range(400)]
    assert stats.kstest(x, "uniform").pvalue > 1e-3
    # and the phase of the first entry is uniform (phase fix in Gram-Schmidt form)
    ph = [float(mpmath.arg(mp_haar_state(2, rng, dps=30)[0])) for _ in range(400)]
    assert stats.kstest(ph, "uniform", args=(-np.pi, 2 * np.pi)).pvalue > 1e-3


def test_haar_isometry_cholqr_is_the_same_matrix_as_haar_isometry():
    """Same rng -> the same isometry as the Householder + phase-fix route (unique QR with diag R > 0),
    to 1e-12, for several row-block sizes (the generator's stream is consumed in the same order)."""
    for d, k, rows in ((2**12, 4, 1000), (2**16, 16, 2**14), (3**9, 9, 7)):
        a = haar_isometry(d, k, 7)
        b = haar_isometry_cholqr(d, k, 7, rows=rows)
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b.conj().T @ b, np.eye(k), rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="d >= 64 k"):
        haar_isometry_cholqr(100, 4, 0)
    with pytest.raises(TypeError, match="rows"):
        haar_isometry_cholqr(2**10, 2, 0, rows=1.5)


def test_ginibre_fill_writes_the_ginibre_numbers_block_by_block():
    """Same generator stream: ginibre_fill(out, seed) leaves out == ginibre(d, k, seed) bit for bit,
    whatever the block size (also one not dividing d), and yields the rows written so far."""
    from weingarten_check.states.sampling import ginibre_fill

    for d, k, rows in ((100, 3, 7), (64, 4, 64), (81, 9, 1000), (50, 1, 1)):
        out = np.empty((d, k), dtype=np.complex128)
        seen = list(ginibre_fill(out, 5, rows=rows))
        assert seen == list(range(rows, d, rows)) + [d]
        assert np.array_equal(out, ginibre(d, k, 5))
    out = np.empty((10, 2), dtype=np.complex128)
    gen = np.random.default_rng(3)
    for _ in ginibre_fill(out, gen, rows=4):
        pass
    assert np.array_equal(gen.standard_normal(3), np.random.default_rng(3).standard_normal(43)[40:])  # 40 consumed
    with pytest.raises(TypeError, match="C-contiguous complex128"):
        next(ginibre_fill(np.empty((10, 2)), 0))
    with pytest.raises(TypeError, match="C-contiguous complex128"):
        next(ginibre_fill(np.empty((2, 10), dtype=np.complex128).T, 0))
    with pytest.raises(TypeError, match="rows"):
        next(ginibre_fill(np.empty((10, 2), dtype=np.complex128), 0, rows=2.5))


def _same_isometry(W: np.ndarray, ref: np.ndarray) -> bool:
    return bool(np.abs(W - ref).max() < 1e-12 and np.abs(W.conj().T @ W - np.eye(W.shape[1])).max() < 1e-13)


def test_ginibre_r_factor_gives_the_haar_isometry():
    """W = Z R^{-1} with R = ginibre_r_factor(Z^† Z) is haar_isometry(d, k, seed) (unique QR with
    diag R > 0 = the phase-fixed one), to 1e-12; R is upper triangular with positive diagonal.
    Mutant, same checker: the lower factor L (L L^† = Z^† Z) instead of R = L^† gives another
    matrix (its columns are not the Gram-Schmidt ones)."""
    from weingarten_check.states.sampling import ginibre_r_factor

    for d, k in ((512, 4), (3**6, 9), (4096, 16)):
        Z = ginibre(d, k, 11)
        R = ginibre_r_factor(Z.conj().T @ Z)
        assert np.allclose(R, np.triu(R)) and np.all(np.real(np.diag(R)) > 0) and not np.any(np.imag(np.diag(R)))
        ref = haar_isometry(d, k, 11)
        assert _same_isometry(Z @ np.linalg.inv(R), ref)
        L = np.linalg.cholesky(Z.conj().T @ Z)  # the mutant: Z L^{-1}
        assert not _same_isometry(Z @ np.linalg.inv(L), ref)
    with pytest.raises(ValueError, match="square"):
        ginibre_r_factor(np.eye(3)[:2])


# --------------------------------------------------------------------------- O(d), Sp(d), real states


def test_haar_orthogonal_and_symplectic_lie_in_their_groups_and_are_reproducible():
    from weingarten_check.states.sampling import haar_orthogonal, haar_symplectic

    o = haar_orthogonal(5, 3)
    assert o.dtype == np.float64 and np.allclose(o.T @ o, np.eye(5))
    assert np.array_equal(o, haar_orthogonal(5, 3))
    u = haar_symplectic(6, 4)
    j = np.kron([[0, 1], [-1, 0]], np.eye(3))
    assert np.allclose(u @ j @ u.T, j) and np.allclose(u.conj().T @ u, np.eye(6))
    with pytest.raises(ValueError, match="even"):
        haar_symplectic(5, 0)


def test_haar_orthogonal_determinant_takes_both_signs_equally_and_real_state_moments():
    # Haar O(d) has det = ±1 with probability 1/2 each; a real Haar state has E ψ_0^4 = 3/(d(d+2))
    # (Lemma 16's haar_integral_orthogonal([0]*4, [0]*4, d) for the first column of O)
    from weingarten_check.calculus.brauer_integrals import haar_integral_orthogonal
    from weingarten_check.states.sampling import haar_orthogonal, haar_real_state

    rng = np.random.default_rng(99)
    dets = np.array([np.linalg.det(haar_orthogonal(3, rng)) for _ in range(4000)])
    assert np.allclose(np.abs(dets), 1.0)
    frac = float(np.mean(dets > 0))
    assert abs(frac - 0.5) < 5 * np.sqrt(0.25 / len(dets))
    psi0 = np.array([haar_real_state(4, rng)[0] for _ in range(N)])
    exact = float(haar_integral_orthogonal([0] * 4, [0] * 4, 4))
    vals = psi0**4
    assert abs(vals.mean() - exact) < 5 * vals.std(ddof=1) / np.sqrt(N)
