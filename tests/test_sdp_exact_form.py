"""sdp.exact_form: the exact rational form is within its proved error of the float form (Lemma 12.3)
and the rational basis is exactly the float basis."""

from __future__ import annotations

import numpy as np
import pytest

from weingarten_check.delta.cost import form_from_k
from weingarten_check.delta.sdp.exact_form import exact_form_from_k, rational_basis
from weingarten_check.states.bases import orthonormal_traceless_basis


@pytest.mark.parametrize("dA", [3, 4])
def test_exact_form_within_proved_error(dA):
    rng = np.random.default_rng(10 + dA)
    r = dA * dA - 1
    K = rng.standard_normal((r, r)) * 7.3
    M = form_from_k(K, dA)
    for bits in (20, 52):
        E = exact_form_from_k(K, dA, bits=bits)
        Mr = (E.re.astype(float) + 1j * E.im.astype(float)) / 2.0**E.exponent
        dev = np.linalg.norm(M - Mr, 2)
        assert dev <= float(E.err) + 1e-13 * np.abs(M).max()
        assert float(E.err) < 2.0 ** (-bits + 16) * np.abs(K).max()  # and the bound is not vacuous
    # exactly Hermitian numerators
    assert all(E.re[i, j] == E.re[j, i] and E.im[i, j] == -E.im[j, i] for i in range(dA * dA) for j in range(dA * dA))


def test_rational_basis_is_exact():
    for dA in (2, 3, 5):
        G = orthonormal_traceless_basis(dA)
        for (fr, fi, p), g in zip(rational_basis(dA), G):
            assert np.allclose((fr + 1j * fi) / np.sqrt(p), g, atol=1e-15)
