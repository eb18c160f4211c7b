"""SDP relaxations of ``max_U <vec U|M|vec U>`` over unital channels, with exact rational certificates (Lemma 12).

The sub-floor of :mod:`weingarten_check.delta` that proves the upper end of a certified Δ bracket:
a unitary's Choi matrix is a unital channel, so the SDP over unital channels (level 1, Lemma 12.1)
and its degree-4 moment strengthening (level 2, Lemma 12.4) bound ``max_U C``.  Floating-point
solvers only *propose* dual points; each bound becomes a number after an exact check in rational
arithmetic (Lemma 12.3): the form M as an exact rational matrix with a proved error, and exact
positive-definiteness of the slack matrix.

Modules
-------
* :mod:`.exact_form` — the form M as an exact rational matrix with a proved spectral-norm error.
* :mod:`.exact_psd` — exact positive-definiteness (LDLᵀ pivots, congruence), dyadic rounding.
* :mod:`.level1` — the level-1 dual (Clarabel or smoothed), polishing, the exact certificate.
* :mod:`.level2` — the level-2 bound: first-order solver, Sym², the exact certificate.

Examples
--------
>>> import numpy as np
>>> from weingarten_check.delta.cost import form_from_k
>>> from weingarten_check.delta.sdp import certify_level1, exact_form_from_k, solve_level1
>>> K = np.diag([0.0, 0.0, 1.0])  # C(U) - c0 = <0|U† Z U|0>, maximum 1
>>> sol = solve_level1(form_from_k(K, 2))
>>> cert = certify_level1(exact_form_from_k(K, 2), form_from_k(K, 2), sol.A, sol.B)
>>> 1 <= float(cert.bound) < 1 + 1e-6
True
"""

from .exact_form import ExactForm, exact_form_from_k, rational_basis
from .exact_psd import (
    congruence_witness,
    fraction_to_float_down,
    fraction_to_float_up,
    is_hermitian_pd_by_congruence,
    is_hermitian_positive_definite,
    is_positive_definite,
    ldl_pivots,
    real_embedding,
    round_hermitian,
    to_grid,
)
from .level1 import (
    Level1Certificate,
    Level1Solution,
    certify_level1,
    check_dual_pair,
    level1_bound,
    polish_dual,
    real_embedding_svec,
    solve_level1,
    solve_level1_smoothed,
    svec_indices,
    unitary_from_choi,
    verify_certificate,
)
from .level2 import (
    SCHEDULE,
    Level2Certificate,
    Level2Solution,
    Sym2,
    certify_level2,
    constraint_ops,
    level1_multipliers,
    solve_level2,
    sym_pairs,
    unitary_from_level2,
    verify_level2,
)

__all__ = [
    # exact_form
    "rational_basis",
    "ExactForm",
    "exact_form_from_k",
    # exact_psd
    "real_embedding",
    "ldl_pivots",
    "is_positive_definite",
    "is_hermitian_positive_definite",
    "congruence_witness",
    "is_hermitian_pd_by_congruence",
    "to_grid",
    "round_hermitian",
    "fraction_to_float_up",
    "fraction_to_float_down",
    # level1
    "check_dual_pair",
    "svec_indices",
    "real_embedding_svec",
    "Level1Solution",
    "solve_level1",
    "solve_level1_smoothed",
    "level1_bound",
    "polish_dual",
    "Level1Certificate",
    "certify_level1",
    "verify_certificate",
    "unitary_from_choi",
    # level2
    "sym_pairs",
    "Sym2",
    "constraint_ops",
    "Level2Solution",
    "level1_multipliers",
    "SCHEDULE",
    "solve_level2",
    "unitary_from_level2",
    "Level2Certificate",
    "verify_level2",
    "certify_level2",
]
