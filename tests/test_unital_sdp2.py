"""unital_sdp2 (level 2): on the Werner–Holevo qutrit instance, where level 1 is loose (4 vs the true
maximum 2, Lemma 12.2), the exactly verified level-2 certificate is valid and much tighter (measured
16/7 ≈ 2.286); the checker rejects perturbed certificates.  Slow (one 45 x 45 complex SDP, 30-120 s)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from weingarten_check.delta.cost import form_from_k
from weingarten_check.delta.sdp.exact_form import exact_form_from_k
from weingarten_check.delta.sdp.level1 import solve_level1
from weingarten_check.delta.sdp.level2 import certify_level2, solve_level2, verify_level2
from weingarten_check.states.observables import orthonormal_traceless_basis


@pytest.mark.slow
def test_level2_tightens_werner_holevo_bound():
    G = orthonormal_traceless_basis(3)
    K = -np.diag([1.0 if np.abs(g.imag).max() == 0 else -1.0 for g in G])  # M = I/3 - F
    M, E = form_from_k(K, 3), exact_form_from_k(K, 3)
    assert solve_level1(M).value > 3.9  # level 1: the Werner–Holevo value 4
    sol = solve_level2(M)
    cert = certify_level2(E, M, sol)
    assert cert is not None and verify_level2(E, cert)
    assert 2.0 - 1e-9 <= float(cert.bound) <= 2.3  # true max over U(3) is 2; level 2 gives 16/7
    grid = Fraction(1, 2**cert.exponent)
    step = 2**20 * grid  # t changed by a nonzero amount (the solver may return t = 0, so not always lowered)
    lower_t = cert.t - step if cert.t >= step else cert.t + step
    bad = dataclasses.replace(
        cert, gamma=cert.gamma - Fraction(1, 10**3) // grid * grid, bound=cert.bound - Fraction(1, 10**3) // grid * grid
    )
    assert not verify_level2(E, bad)  # γ lowered (arithmetic kept consistent): Q no longer PSD
    assert not verify_level2(E, dataclasses.replace(cert, t=lower_t))  # bound no longer matches
    Xr = list(cert.X_re)
    Xr[0] = Xr[0].copy()
    Xr[0][0, 1] += 1  # not Hermitian
    assert not verify_level2(E, dataclasses.replace(cert, X_re=tuple(Xr)))
