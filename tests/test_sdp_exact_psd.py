"""sdp.exact_psd: exact positive definiteness agrees with eigenvalues, is decided on the boundary
(a 2^-200 margin is seen), and bad input is refused."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from weingarten_check.delta.sdp.exact_psd import (
    fraction_to_float_down,
    fraction_to_float_up,
    is_hermitian_positive_definite,
    is_positive_definite,
    ldl_pivots,
    real_embedding,
    to_grid,
)


def _int_hermitian(rng, n, scale=2**20):
    X = rng.integers(-scale, scale, (n, n)) + 1j * rng.integers(-scale, scale, (n, n))
    H = X + X.conj().T
    re = np.array([[int(v) for v in row] for row in H.real.astype(np.int64)], dtype=object)
    im = np.array([[int(v) for v in row] for row in H.imag.astype(np.int64)], dtype=object)
    return re, im


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_eigenvalues(seed):
    rng = np.random.default_rng(seed)
    n = 5
    re, im = _int_hermitian(rng, n)
    H = re.astype(float) + 1j * im.astype(float)
    lam = np.linalg.eigvalsh(H)
    for shift in (-lam[0] * 1.001, -lam[0] * 0.999, 0.0):  # just above / below the boundary
        s = int(np.ceil(shift))
        r2 = re.copy()
        for i in range(n):
            r2[i, i] += s
        expected = lam[0] + s > 0
        assert is_hermitian_positive_definite(r2, im) == expected


def test_boundary_is_exact():
    """diag(1, 0) + 2^-200 I is PD, diag(1, 0) is not, diag(1, -2^-200) is not: no tolerance."""
    big = 2**200
    assert is_positive_definite([[big + 1, 0], [0, 1]])
    assert not is_positive_definite([[big, 0], [0, 0]])
    assert not is_positive_definite([[big, 0], [0, -1]])


def test_complex_part_matters():
    """[[1, 2i], [-2i, 1]] has a PD real part but eigenvalues -1, 3: the embedding sees it."""
    assert not is_hermitian_positive_definite([[1, 0], [0, 1]], [[0, 2], [-2, 0]])
    assert is_hermitian_positive_definite([[3, 0], [0, 3]], [[0, 2], [-2, 0]])


def test_ldl_pivots_are_minor_ratios():
    S = [[4, 2, 0], [2, 3, 1], [0, 1, 2]]
    piv = ldl_pivots(S)
    # Δ1 = 4, Δ2 = 8, Δ3 = det = 4*5 - 2*4 = 12
    assert piv == [Fraction(4), Fraction(2), Fraction(3, 2)]
    assert ldl_pivots([[0, 1], [1, 0]]) is None  # vanishing leading minor: no LDLᵀ without pivoting


def test_real_embedding_shape_and_hermiticity():
    E = real_embedding([[1, 2], [2, 5]], [[0, 1], [-1, 0]])
    assert E == [[1, 2, 0, -1], [2, 5, 1, 0], [0, 1, 1, 2], [-1, 0, 2, 5]]


@pytest.mark.parametrize(
    "re, im, exc, msg",
    [
        ([[1, 2], [3, 1]], [[0, 0], [0, 0]], ValueError, "Hermitian"),
        ([[1, 0], [0, 1]], [[1, 0], [0, 0]], ValueError, "Hermitian"),
        ([[1, 0], [0, 1]], [[0, 0, 0], [0, 0, 0]], ValueError, "square"),
        ([[1.0, 0], [0, 1]], [[0, 0], [0, 0]], TypeError, "ints"),
        ([[1, 0, 0]], [[0, 0, 0]], ValueError, "square"),
    ],
)
def test_bad_input(re, im, exc, msg):
    with pytest.raises(exc, match=msg):
        is_hermitian_positive_definite(re, im)


def test_symmetric_required():
    with pytest.raises(ValueError, match="symmetric"):
        is_positive_definite([[1, 2], [0, 1]])


def test_grid_and_directed_rounding():
    g = to_grid(np.array([0.5, -0.25, 1 / 3]), 4)
    assert list(g) == [8, -4, 5]
    with pytest.raises(ValueError, match="non-finite"):
        to_grid(np.array([np.nan]), 3)
    x = Fraction(1, 3)
    assert Fraction(fraction_to_float_down(x)) <= x <= Fraction(fraction_to_float_up(x))
    assert fraction_to_float_up(Fraction(1, 2)) == 0.5 == fraction_to_float_down(Fraction(1, 2))


# ------------------------------------------------------------------ congruence (sufficient) test
def test_congruence_agrees_away_from_boundary():
    """With a margin of 1e-6 relative the congruence test decides like the eigenvalues (n = 40)."""
    from weingarten_check.delta.sdp.exact_psd import is_hermitian_pd_by_congruence

    rng = np.random.default_rng(11)
    re, im = _int_hermitian(rng, 40)
    lam = np.linalg.eigvalsh(re.astype(float) + 1j * im.astype(float))
    for shift, expected in ((-lam[0] + 1e-6 * abs(lam).max(), True), (-lam[0] - 1e-6 * abs(lam).max(), False)):
        r2 = re.copy()
        for i in range(40):
            r2[i, i] += int(np.ceil(shift)) if expected else int(np.floor(shift))
        assert is_hermitian_pd_by_congruence(r2, im) == expected
        if not expected:
            assert not is_hermitian_positive_definite(r2, im)


def test_congruence_is_sound_for_any_witness():
    """A non-PD matrix is never accepted, whatever the witness (identity, singular, random);
    a PD one can be refused by a poor witness (the test is only sufficient)."""
    from weingarten_check.delta.sdp.exact_psd import is_hermitian_pd_by_congruence

    zero = [[0, 0], [0, 0]]
    eye = ([[1, 0], [0, 1]], zero)
    for ind in (([[5, 0], [0, -1]], zero), ([[1, 3], [3, 1]], zero), ([[1, 0], [0, 1]], [[0, 3], [-3, 0]])):
        for W in (eye, ([[1, 0], [0, 0]], zero), ([[3, 1], [2, 5]], [[0, 1], [1, 0]])):  # indefinite
            assert not is_hermitian_pd_by_congruence(*ind, witness=W)
    pd = ([[2, 1], [1, 2]], zero)
    assert is_hermitian_pd_by_congruence(*pd, witness=([[1, 0], [0, 1]], zero))  # 2 > 1: dominant
    assert not is_hermitian_pd_by_congruence(*pd, witness=([[1, 0], [0, 0]], zero))  # singular witness
    assert is_hermitian_pd_by_congruence([[1, 0], [0, 1]], [[0, 2], [-2, 0]]) is False  # eigenvalues -1, 3


def test_congruence_bad_input():
    from weingarten_check.delta.sdp.exact_psd import congruence_witness, is_hermitian_pd_by_congruence

    with pytest.raises(ValueError, match="not Hermitian"):
        is_hermitian_pd_by_congruence([[1, 2], [3, 1]], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="witness must be 2 x 2"):
        is_hermitian_pd_by_congruence([[1, 0], [0, 1]], [[0, 0], [0, 0]], witness=([[1]], [[0]]))
    with pytest.raises(TypeError, match="ints"):
        is_hermitian_pd_by_congruence([[1.5, 0], [0, 1]], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="bits"):
        congruence_witness([[1, 0], [0, 1]], [[0, 0], [0, 0]], bits=80)
