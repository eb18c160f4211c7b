"""Code mutations: break the library on purpose and show that the lemma suite notices.

The mutant tests inside proofs/ weaken *statements*; this tool weakens the *code* the statements
are checked against (bounds, the Weingarten engine, delta.exact, the certified Δ and its exact checks,
observables, the Clifford sampler), one mutation
at a time, by monkeypatching it in a pytest plugin, and reports which lemma tests fail.

    python proofs/mutate_library.py                  # every mutation, each on the lemma files that target it
    python proofs/mutate_library.py K_scale          # one mutation
    python proofs/mutate_library.py --all-lemmas r_dA2m2   # one mutation against the whole suite (slower)
    python proofs/mutate_library.py --list           # the mutations and their target lemma files

Each mutation runs, by default, only the lemma files listed in ``TARGETS`` (the lemmas that
certify the mutated code), which keeps the full list to a few minutes on two cores; ``--all-lemmas``
runs the whole of proofs/ instead.  Every mutation must make at least one lemma test fail; the exit
code is 1 otherwise.
The plugin is only active when WG_MUTATION is set (``pytest -p mutate_library`` with proofs/ on
PYTHONPATH), so it never affects a normal run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

#: name -> what is broken
MUTATIONS = {
    "K_scale": "theory.bounds.expected_K_frobenius_sq multiplied by 1.01",
    "qudit_dA2": "theory.bounds.qudit_theorem1_bound with dA² instead of dA² - 1",
    "paper_exp": "theory.bounds.paper_theorem1_bound with 2^(3m+1-n/2) instead of 2^(3m+2-n/2)",
    "ew_exp": "theory.bounds.elementwise_bound always dA³ (the V2 exponent)",
    "prop2": "theory.bounds.proposition2_bound with q^(2m-n+1)",
    "trace_moment_scale": "calculus.unitary_integrals.trace_moment: second moments multiplied by 1.01",
    "qubit_delta_nuclear": "delta.exact.variation_range_qubit returns 2||K||_* instead of 2(σ1+σ2)",
    "coupling": "states.observables.Observable.coupling multiplied by 1.01",
    "r_dA2m2": "theory.bounds.nuclear_to_frobenius_factor returns dA² - 2 instead of dA² - 1 (dA >= 3)",
    "schmidt_no_cap": "theory.bounds.proposition2_schmidt_bound uses k instead of min(dA, k)",
    "product_state_coupling": "theory.bounds.product_state_coupling returns tr ρ_A² - 1/dA² instead of - 1/dA",
    "markov": "theory.bounds.markov_bound returns mean/ε² instead of mean/ε",
    "heisenberg_yy_sign": "states.observables.heisenberg_ring with the YY (antisymmetric Gell-Mann) terms negated",
    "trace_moment_trI": "calculus.unitary_integrals.trace_moment: the trace of the identity is 1 instead of d",
    "trace_moment_sigma_pi_inv": (
        "calculus.unitary_integrals.trace_moment: Wg(σπ⁻¹) instead of Wg(σπ) (differs from k = 3 on)"
    ),
    "pauli_abs2": "theory.bounds.coupling_from_pauli_coefficients sums c² instead of |c|²",
    "fourth_gamma": "theory.fourth_moments.gamma_values: the G G' G G' 4-cycles multiplied by 1.01",
    "lower_constant": "theory.bounds.delta_frobenius_constants: lower constant multiplied by 1.01",
    # the certified Δ (delta.certified, delta.sdp): soundness first
    "upper_is_lower": "delta.certified.delta_from_k returns upper = lower (no certificate behind the upper end)",
    "round_nearest": "delta.sdp.exact_psd.fraction_to_float_up/down round to nearest instead of up/down",
    "level1_no_dA": "delta.sdp.level1: the level-1 bound tr A + tr B + (t + err) without the factor dA",
    "exact_form_err_zero": "delta.sdp.exact_form.exact_form_from_k reports the rounding error err = 0",
    "congruence_2d": "delta.sdp.exact_psd.is_hermitian_pd_by_congruence accepts off-diagonal sum < 2d (not < d)",
    "upper_2bmax": "delta.certified.delta_from_k: upper end 2·max(b_max, b_min) instead of b_max + b_min",
    "lower_raw_U": "delta.certified.cost_mp evaluates the lower end at the raw U (not re-orthonormalised)",
    "clifford_signs_swapped": "circuits.clifford.tableau_from_qiskit swaps the X- and Z-image Pauli signs",
    "clifford_seed_2_12": "circuits.clifford: the qiskit sampler's seed drawn from 2^12 values instead of 2^64",
    "reduced_last_chunk": "states.reduced: the chunked pass over the state skips its last chunk",
    "stabilizer_conj_v2": "delta.stabilizer.k_matrix_clifford conjugates H by V2 (V2 H V2†) instead of V2† H V2",
    "stabilizer_unsigned": "delta.stabilizer.k_matrix_clifford drops the sign of every Pauli expectation",
    "pauli_expansion_no_half": "states.observables.pauli_expansion takes tr(P m) instead of tr(P m)/2",
    "brauer_unitary_content": "calculus.brauer: cell contents j - i (unitary) instead of 2j - i in Z_λ(1^d)",
    "brauer_schur": "calculus.brauer: Schur functions (Jack α = 1) instead of zonal polynomials (α = 2)",
    "brauer_no_pairing_sign": "calculus.brauer.pairing_sign always +1 (the Sp signs ε_m dropped)",
    "brauer_transpose_lost": "calculus.brauer_integrals: loop words read without transposes (Aᵀ as A)",
    "brauer_kappa_t_untransposed": "theory.orthogonal.transpose_coupling without the transpose (κ_T = κ)",
    "brauer_both_sigma_t_is_sigma": "theory.orthogonal: in the both case E σ_T := E σ (the transposes ignored)",
    # exact finite-depth moments (circuits.second_moments, theory.finite_depth)
    "fd_haar_wg": "circuits.second_moments: the Haar gate's c_I with 2·Wg(τ) instead of Wg(τ)",
    "fd_rotation_two_angles": "circuits.second_moments: the rotation average over θ in {0, π} (not exact)",
    "fd_hea_no_cz": "circuits.second_moments.hea_layers without the CZ chain",
    "fd_projection_no_shift": "circuits.second_moments.apply_projection_A with E_A = F_A (no - I/dA)",
    "fd_brickwork_parity": "circuits.second_moments.brickwork_layers with the even pairing in odd layers",
    "fd_real_hea_axis": "circuits.second_moments.real_hea_layers rotates about X instead of Y",
    "fd_unit_trace_prod": "circuits.second_moments: tr(E_kl E_k'l') = δ_kk' δ_ll' instead of δ_lk' δ_kl'",
    "fd_unit_ring_coupling": "theory.finite_depth: the SU(q) ring in matrix units as Σ SWAP - 2/q (not 2 SWAP)",
    "fd_unit_zero_state": "circuits.second_moments.zero_state_functional: <00|u_a ⊗ u_b|00> = <0|u_a|0> (copy 2 lost)",
    "fd_projection_dA_q": "circuits.second_moments.apply_projection_A with dA = q for two sites (not q^m)",
    "fd_user_projection_q": "circuits.second_moments.apply_projection_A with E_A = F_A - I/q for any A (not I/dA)",
    "fd_user_rotation_two_angles": "circuits.second_moments: multi-qubit Pauli rotations averaged over θ in {0, π}",
    "fd_user_qubit_order": "circuits.qiskit_moments: Qiskit qubit k read as library site k (no conversion)",
    "asy_variance": "theory.asymptotics.limiting_second_moment multiplied by 1.01",
    "asy_ginibre": "theory.asymptotics.ginibre_nuclear_sq_mean multiplied by 1.01",
    "asy_top_two": "theory.asymptotics.real_ginibre_top_two_closed_form multiplied by 1.01",
    "asy_qae_exact": "theory.asymptotics.qae_v1_qubit_exact_mean multiplied by 1.01",
    "asy_top_two_density": "theory.asymptotics.real_ginibre_top_two_from_density multiplied by 1.01",
    "asy_gue3_density": "theory.asymptotics.gue3_spread_from_density multiplied by 1.01",
    "asy_qae_v2_closed": "theory.asymptotics.qae_v2_qubit_exact_mean multiplied by 1.01",
    "asy_jacobi_spread": "theory.asymptotics.jacobi_spread_mean multiplied by 1.01",
    "asy_jacobi_exponent": "theory.asymptotics.qae_v2_jacobi_exponents with a = r - q + 1",
    "asy_expansion": "theory.asymptotics.finite_size_expansion multiplied by 1.01",
    "asy_mc_mean": "theory.asymptotics.GAUSSIAN_DELTA_MC[3] mean multiplied by 1.01",
    "asy_gue_fredholm": "theory.asymptotics.gue_spread_fredholm multiplied by 1.01",
}

#: mutation -> the lemma files run by default (the lemmas that certify the mutated code)
TARGETS = {
    "K_scale": ["test_04_second_moments.py", "test_09_task_dependent.py"],
    "qudit_dA2": ["test_06_theorem1.py"],
    "paper_exp": ["test_06_theorem1.py"],
    "ew_exp": ["test_05_elementwise_route.py", "test_06_theorem1.py"],
    "prop2": ["test_07_proposition2.py"],
    "trace_moment_scale": ["test_01_design_facts.py", "test_04_second_moments.py"],
    "qubit_delta_nuclear": ["test_10_library_and_numbers.py"],
    "coupling": ["test_09_task_dependent.py"],
    "r_dA2m2": ["test_03_cost_and_exact_delta.py", "test_06_theorem1.py"],
    "schmidt_no_cap": ["test_07_proposition2.py"],
    "product_state_coupling": ["test_09_task_dependent.py"],
    "markov": ["test_08_remarks.py"],
    "heisenberg_yy_sign": ["test_09_task_dependent.py"],
    "trace_moment_trI": ["test_01_design_facts.py", "test_10_library_and_numbers.py"],
    "trace_moment_sigma_pi_inv": ["test_01_design_facts.py", "test_10_library_and_numbers.py"],
    "pauli_abs2": ["test_09_task_dependent.py"],
    "fourth_gamma": ["test_11_two_sided.py"],
    "lower_constant": ["test_11_two_sided.py"],
    "upper_is_lower": ["test_12_certified_sdp.py"],
    "round_nearest": ["test_12_certified_sdp.py"],
    "level1_no_dA": ["test_12_certified_sdp.py"],
    "exact_form_err_zero": ["test_12_certified_sdp.py"],
    "congruence_2d": ["test_12_certified_sdp.py"],
    "upper_2bmax": ["test_12_certified_sdp.py"],
    "lower_raw_U": ["test_12_certified_sdp.py"],
    "clifford_signs_swapped": ["test_13_clifford.py"],
    "clifford_seed_2_12": ["test_13_clifford.py"],
    "reduced_last_chunk": ["test_13_clifford.py"],
    "stabilizer_conj_v2": ["test_13_clifford.py"],
    "stabilizer_unsigned": ["test_13_clifford.py"],
    "pauli_expansion_no_half": ["test_13_clifford.py"],
    "brauer_unitary_content": ["test_16_orthogonal.py"],
    "brauer_schur": ["test_16_orthogonal.py"],
    "brauer_no_pairing_sign": ["test_16_orthogonal.py"],
    "brauer_transpose_lost": ["test_16_orthogonal.py"],
    "brauer_kappa_t_untransposed": ["test_16_orthogonal.py"],
    "brauer_both_sigma_t_is_sigma": ["test_16_orthogonal.py"],
    "fd_haar_wg": ["test_14_finite_depth.py"],
    "fd_rotation_two_angles": ["test_14_finite_depth.py"],
    "fd_hea_no_cz": ["test_14_finite_depth.py"],
    "fd_projection_no_shift": ["test_14_finite_depth.py"],
    "fd_brickwork_parity": ["test_14_finite_depth.py"],
    "fd_real_hea_axis": ["test_14_finite_depth.py"],
    "fd_unit_trace_prod": ["test_14_finite_depth.py"],
    "fd_unit_ring_coupling": ["test_14_finite_depth.py"],
    "fd_unit_zero_state": ["test_14_finite_depth.py"],
    "fd_projection_dA_q": ["test_14_finite_depth.py"],
    "fd_user_projection_q": ["test_14_finite_depth.py"],
    "fd_user_rotation_two_angles": ["test_14_finite_depth.py"],
    "fd_user_qubit_order": ["test_14_finite_depth.py"],
    "asy_variance": ["test_15_asymptotics.py"],
    "asy_ginibre": ["test_15_asymptotics.py"],
    "asy_top_two": ["test_15_asymptotics.py"],
    "asy_qae_exact": ["test_15_asymptotics.py"],
    "asy_top_two_density": ["test_15_asymptotics.py"],
    "asy_gue3_density": ["test_15_asymptotics.py"],
    "asy_qae_v2_closed": ["test_15_asymptotics.py"],
    "asy_jacobi_spread": ["test_15_asymptotics.py"],
    "asy_jacobi_exponent": ["test_15_asymptotics.py"],
    "asy_expansion": ["test_15_asymptotics.py"],
    "asy_mc_mean": ["test_15_asymptotics.py"],
    "asy_gue_fredholm": ["test_15_asymptotics.py"],
}


def _rewrite(module, func_name: str, old: str, new: str, count: int = 1):
    """Redefine ``module.func_name`` from its source with ``old`` replaced by ``new`` (exactly ``count``
    occurrences: a changed library makes the mutation fail loudly, not silently test nothing)."""
    import __future__

    import inspect
    import textwrap

    src = textwrap.dedent(inspect.getsource(getattr(module, func_name)))
    if src.count(old) != count:
        raise RuntimeError(
            f"mutation of {module.__name__}.{func_name}: {old!r} found {src.count(old)} times, not {count}"
        )
    code = compile(
        src.replace(old, new), inspect.getsourcefile(module), "exec", __future__.annotations.compiler_flag, True
    )
    old_obj = getattr(module, func_name)
    exec(code, module.__dict__)
    new_obj = module.__dict__[func_name]
    # modules that imported the function by name (``from .x import f``) hold the old object: rebind them too
    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("weingarten_check") and getattr(mod, func_name, None) is old_obj:
            setattr(mod, func_name, new_obj)
    return new_obj


def _apply_certified(name: str) -> bool:
    """The mutations of delta.certified, delta.sdp and circuits.clifford; False if ``name`` is not one."""
    import dataclasses
    import importlib
    from fractions import Fraction

    import numpy as np

    certified = importlib.import_module("weingarten_check.delta.certified")
    delta_pkg = importlib.import_module("weingarten_check.delta")
    level1 = importlib.import_module("weingarten_check.delta.sdp.level1")
    exact_psd = importlib.import_module("weingarten_check.delta.sdp.exact_psd")
    exact_form = importlib.import_module("weingarten_check.delta.sdp.exact_form")
    sdp_pkg = importlib.import_module("weingarten_check.delta.sdp")

    def put(attr, fn, *modules):  # the function and every module that imported it by name
        for m in modules:
            if hasattr(m, attr):
                setattr(m, attr, fn)

    if name == "upper_is_lower":
        orig = certified.delta_from_k

        def delta_from_k(K, dA, **kw):
            r = orig(K, dA, **kw)
            return r if r.exact else dataclasses.replace(r, upper=r.lower)

        put("delta_from_k", delta_from_k, certified, delta_pkg)
    elif name == "round_nearest":
        put("fraction_to_float_up", lambda x: float(x), exact_psd, certified, sdp_pkg)
        put("fraction_to_float_down", lambda x: float(x), exact_psd, certified, sdp_pkg)
    elif name == "level1_no_dA":
        orig_c, orig_v = level1.certify_level1, level1.verify_certificate

        def certify_level1(E, *a, **k):
            c = orig_c(E, *a, **k)
            return None if c is None else dataclasses.replace(c, bound=c.bound - (E.dA - 1) * (c.t + c.err))

        def verify_certificate(E, cert):  # consistent with the mutant certify (and with the original inside it)
            lifted = dataclasses.replace(cert, bound=cert.bound + (E.dA - 1) * (cert.t + cert.err))
            return orig_v(E, cert) or orig_v(E, lifted)

        def level1_bound(M, A, B):
            A, B = np.asarray(A, dtype=complex), np.asarray(B, dtype=complex)
            dA = A.shape[0]
            S = np.asarray(M) - np.kron(np.eye(dA), A) - np.kron(B, np.eye(dA))
            return float(np.real(np.trace(A) + np.trace(B)) + np.linalg.eigvalsh(S)[-1])

        put("certify_level1", certify_level1, level1, certified, sdp_pkg)
        put("verify_certificate", verify_certificate, level1, sdp_pkg)
        put("level1_bound", level1_bound, level1, sdp_pkg)
    elif name == "exact_form_err_zero":
        orig_e = exact_form.exact_form_from_k
        fn = lambda K, dA, *a, **k: dataclasses.replace(orig_e(K, dA, *a, **k), err=Fraction(0))  # noqa: E731
        put("exact_form_from_k", fn, exact_form, certified, sdp_pkg)
    elif name == "congruence_2d":
        fn = _rewrite(exact_psd, "is_hermitian_pd_by_congruence", "if off >= d:", "if off >= 2 * d:")
        put("is_hermitian_pd_by_congruence", fn, importlib.import_module("weingarten_check.delta.sdp.level2"), sdp_pkg)
    elif name == "upper_2bmax":
        fn = _rewrite(certified, "delta_from_k", "hi.bound + lo.bound", "2 * max(hi.bound, lo.bound)", count=2)
        put("delta_from_k", fn, delta_pkg)
    elif name == "lower_raw_U":
        import mpmath

        def raw(U, dps):
            with mpmath.workdps(dps):
                return mpmath.matrix([[mpmath.mpc(complex(v)) for v in row] for row in np.asarray(U)])

        certified._reunitarise_mp = raw
    elif name == "clifford_signs_swapped":
        clifford = importlib.import_module("weingarten_check.circuits.clifford")
        orig_t = clifford.tableau_from_qiskit

        def tableau_from_qiskit(tab):
            tab = np.array(tab, dtype=bool)
            n = tab.shape[0] // 2
            tab[:n, -1], tab[n:, -1] = tab[n:, -1].copy(), tab[:n, -1].copy()
            return orig_t(tab)

        clifford.tableau_from_qiskit = tableau_from_qiskit
    elif name == "clifford_seed_2_12":
        clifford = importlib.import_module("weingarten_check.circuits.clifford")

        def draw(n, gen):
            import qiskit  # noqa: F401
            from qiskit._accelerate.synthesis.clifford import random_clifford_tableau

            return np.asarray(random_clifford_tableau(n, seed=int(gen.integers(0, 2**12))), dtype=bool)

        clifford._draw_qiskit_tableau = draw
    elif name == "reduced_last_chunk":
        reduced = importlib.import_module("weingarten_check.states.reduced")
        _rewrite(
            reduced,
            "_chunk_blocks",
            "for idx in np.ndindex(*((q,) * len(F))):",
            "for idx in list(np.ndindex(*((q,) * len(F))))[: max(1, q ** len(F) - 1)]:",
        )
    elif name in ("stabilizer_conj_v2", "stabilizer_unsigned"):
        stabilizer = importlib.import_module("weingarten_check.delta.stabilizer")
        old, new = {
            "stabilizer_conj_v2": ("v2.tableau.inverse() if", "v2.tableau if"),
            "stabilizer_unsigned": ("Kp[a, b] += c * e", "Kp[a, b] += c * abs(e)"),
        }[name]
        _rewrite(stabilizer, "k_matrix_clifford", old, new)
    elif name == "pauli_expansion_no_half":
        observables = importlib.import_module("weingarten_check.states.observables")
        _rewrite(observables, "pauli_expansion", "np.trace(paulis[k] @ ops[s]) / 2", "np.trace(paulis[k] @ ops[s])")
    else:
        return False
    return True


def _apply(name: str) -> None:
    import numpy as np
    import sympy as sp

    from weingarten_check.calculus import unitary_integrals as haar_integrals
    from weingarten_check.states import observables
    from weingarten_check.theory import bounds

    if _apply_certified(name):
        return
    if name == "K_scale":
        orig = bounds.expected_K_frobenius_sq
        bounds.expected_K_frobenius_sq = lambda *a, **k: orig(*a, **k) * sp.Rational(101, 100)
    elif name == "qudit_dA2":

        def qudit(w, n, m, q=2):
            dA, _, d = bounds.dimensions(n, m, q)
            return bounds._w(w) * dA**2 / sp.sqrt(d + 1)

        bounds.qudit_theorem1_bound = qudit
    elif name == "paper_exp":
        bounds.paper_theorem1_bound = lambda w, n, m: (
            bounds._w(w) * sp.Integer(2) ** (3 * sp.sympify(m) + 1 - sp.sympify(n) / 2)
        )
    elif name == "ew_exp":
        orig_ew = bounds.elementwise_bound
        bounds.elementwise_bound = lambda w, n, m, q=2, case="v1": orig_ew(w, n, m, q, "v2")
    elif name == "prop2":
        bounds.proposition2_bound = lambda n, m, q=2: sp.Integer(q) ** (2 * m - n + 1)
    elif name == "trace_moment_scale":
        orig_tm = haar_integrals.trace_moment

        def tm(As, Xs, d):
            out = orig_tm(As, Xs, d)
            return out * sp.Rational(101, 100) if len(As) == 2 else out

        haar_integrals.trace_moment = tm
    elif name == "qubit_delta_nuclear":
        import importlib

        # the module: the package attribute weingarten_check.delta.exact is the re-exported function
        variation_range = importlib.import_module("weingarten_check.delta.exact")
        variation_range.variation_range_qubit = lambda K: float(2 * np.linalg.svd(K, compute_uv=False).sum())
    elif name == "coupling":
        orig_c = observables.Observable.coupling
        observables.Observable.coupling = lambda self, s: orig_c(self, s) * 1.01
    elif name == "r_dA2m2":
        orig_r = bounds.nuclear_to_frobenius_factor

        def r_fn(m, q=2):
            r = orig_r(m, q)
            return r if r == 2 else r - 1

        bounds.nuclear_to_frobenius_factor = r_fn
    elif name == "schmidt_no_cap":

        def schmidt(n, m, q=2, *, schmidt_rank):
            dA, _, d = bounds.dimensions(n, m, q)
            return sp.sympify(schmidt_rank) * dA / d

        bounds.proposition2_schmidt_bound = schmidt
    elif name == "product_state_coupling":
        bounds.product_state_coupling = lambda m, q=2, purity_A=1: (
            sp.sympify(purity_A) - sp.Integer(1) / sp.Integer(q) ** (2 * m)
        )
    elif name == "markov":
        bounds.markov_bound = lambda epsilon, mean_bound: sp.sympify(mean_bound) / sp.sympify(epsilon) ** 2
    elif name == "heisenberg_yy_sign":
        orig_h = observables.heisenberg_ring

        def heis(n, q=2, _width=None):
            obs = orig_h(n, q, _width)
            flipped = []
            for c, ops in obs.terms:
                imaginary = all(np.abs(m.real).max() < 1e-15 for m in ops.values())  # λ antisymmetric (Y for q = 2)
                flipped.append((-c if imaginary else c, ops))
            obs.terms = flipped
            obs._plan = None
            return obs

        observables.heisenberg_ring = heis
    elif name == "trace_moment_trI":
        orig_tw = haar_integrals._trace_word

        def trace_word(coeffs_words, cyc, d):
            out = orig_tw(coeffs_words, cyc, d)
            if all(not coeffs_words[a][1] for a in cyc):  # a trace of the identity (empty word)
                out = out / d
            return out

        haar_integrals._trace_word = trace_word
    elif name == "trace_moment_sigma_pi_inv":
        from itertools import permutations

        from weingarten_check.calculus.symmetric_group import compose, cycle_type, inverse

        def pairs(k):
            perms = [tuple(p) for p in permutations(range(k))]
            for s_ in perms:
                for p_ in perms:
                    yield s_, p_, cycle_type(compose(s_, inverse(p_)))

        haar_integrals._perm_pairs_by_class = pairs
    elif name == "pauli_abs2":

        def coupling_c2(coefficients_touching_A, n, q=2):
            coeffs = [sp.sympify(c) for c in coefficients_touching_A]
            return sp.Integer(q) ** sp.sympify(n) * sum((c * c for c in coeffs), sp.Integer(0))

        bounds.coupling_from_pauli_coefficients = coupling_c2
    elif name == "fourth_gamma":
        from weingarten_check.theory import fourth_moments

        orig_g = fourth_moments.gamma_values

        def gam(dA):
            return {
                p: v * (sp.Rational(101, 100) if p in ((2, 3, 1, 0), (3, 2, 0, 1)) else 1)
                for p, v in orig_g(dA).items()
            }

        fourth_moments.gamma_values = gam
    elif name == "lower_constant":
        orig_dc = bounds.delta_frobenius_constants

        def dc(dA):
            c, u = orig_dc(dA)
            return c * sp.Rational(101, 100), u

        bounds.delta_frobenius_constants = dc
    elif name.startswith("brauer_"):
        _apply_brauer(name)
    elif name.startswith("fd_"):
        from weingarten_check.circuits import second_moments as sm

        if name == "fd_haar_wg":
            _rewrite(sm, "_apply_local", "+ _fr(w01) * trfz", "+ 2 * _fr(w01) * trfz")
        elif name == "fd_rotation_two_angles":
            _rewrite(sm, "_rotation_matrix_fr", "(0, sp.pi / 2, sp.pi, 3 * sp.pi / 2)", "(0, sp.pi, 0, sp.pi)")
        elif name == "fd_hea_no_cz":
            _rewrite(sm, "_hea_block", "for start in (0, 1):", "for start in ():")
        elif name == "fd_projection_no_shift":
            _rewrite(sm, "apply_projection_A", "(0, -Fraction(1, dA))", "(0, Fraction(0))")
        elif name == "fd_brickwork_parity":
            _rewrite(sm, "brickwork_layers", "start = 0 if ell % 2 == 1 else 1", "start = 1 if ell % 2 == 1 else 0")
        elif name == "fd_real_hea_axis":
            _rewrite(sm, "real_hea_layers", 'out.extend(_hea_block(n, "Y"))', 'out.extend(_hea_block(n, "X"))')
        elif name == "fd_unit_trace_prod":
            _rewrite(sm, "_unit_trace_prod", "int(l == k2 and k == l2)", "int(k == k2 and l == l2)")
            sm._apply_local.cache_clear()
        elif name == "fd_unit_ring_coupling":  # (E_kl ⊗ E_kl: the partial transpose, is a symmetry, not a bug)
            from weingarten_check.theory import finite_depth as fd

            _rewrite(
                fd, "_unit_terms", "terms.append((tuple(s), Fraction(2)))", "terms.append((tuple(s), Fraction(1)))"
            )
        elif name == "fd_unit_zero_state":
            _rewrite(sm, "zero_state_functional", "vals.append(zero[a] * zero[b])", "vals.append(zero[a])")
        elif name == "fd_projection_dA_q":
            _rewrite(sm, "apply_projection_A", "dA = q ** len(A)", "dA = q")
        elif name == "fd_user_projection_q":
            _rewrite(sm, "apply_projection_A", "(0, -Fraction(1, dA))", "(0, -Fraction(1, q))")
        elif name == "fd_user_rotation_two_angles":
            _rewrite(sm, "_pauli_rotation_ptms", "(0, sp.pi / 2, sp.pi, 3 * sp.pi / 2)", "(0, sp.pi, 0, sp.pi)")
        elif name == "fd_user_qubit_order":
            from weingarten_check.circuits import qiskit_moments as qm

            _rewrite(qm, "qiskit_moment_gates", "sites = qubit_sites(qargs, n)", "sites = tuple(reversed(qargs))")
    elif name.startswith("asy_"):
        from weingarten_check.theory import asymptotics

        if name == "asy_mc_mean":
            asymptotics.GAUSSIAN_DELTA_MC[3] = {
                **asymptotics.GAUSSIAN_DELTA_MC[3],
                "mean": 1.01 * asymptotics.GAUSSIAN_DELTA_MC[3]["mean"],
            }
            return
        if name == "asy_jacobi_exponent":
            _rewrite(
                asymptotics, "qae_v2_jacobi_exponents", "return q, r - q, d - r - q", "return q, r - q + 1, d - r - q"
            )
            return
        attr = {
            "asy_variance": "limiting_second_moment",
            "asy_ginibre": "ginibre_nuclear_sq_mean",
            "asy_top_two": "real_ginibre_top_two_closed_form",
            "asy_qae_exact": "qae_v1_qubit_exact_mean",
            "asy_top_two_density": "real_ginibre_top_two_from_density",
            "asy_gue3_density": "gue3_spread_from_density",
            "asy_qae_v2_closed": "qae_v2_qubit_exact_mean",
            "asy_jacobi_spread": "jacobi_spread_mean",
            "asy_expansion": "finite_size_expansion",
            "asy_gue_fredholm": "gue_spread_fredholm",
        }[name]
        orig_a = getattr(asymptotics, attr)
        setattr(asymptotics, attr, lambda *a, _f=orig_a, **k: _f(*a, **k) * sp.Rational(101, 100))
    else:
        raise ValueError(f"unknown mutation {name!r}; choose from {sorted(MUTATIONS)}")


def _apply_brauer(name: str) -> None:
    """The mutations of calculus.brauer and calculus.brauer_integrals (O(d), Sp(d))."""
    import importlib

    brauer = importlib.import_module("weingarten_check.calculus.brauer")
    integrals = importlib.import_module("weingarten_check.calculus.brauer_integrals")
    if name == "brauer_unitary_content":
        _rewrite(brauer, "_contents", "sign * (2 * j - i)", "sign * (j - i)")
    elif name == "brauer_schur":
        _rewrite(brauer, "_zonal_table", "Fraction(2))", "Fraction(1))")
    elif name == "brauer_no_pairing_sign":
        brauer.pairing_sign = lambda m: 1
        integrals.pairing_sign = brauer.pairing_sign
    elif name == "brauer_transpose_lost":
        integrals._transpose_word = lambda word: tuple(reversed(word))
    elif name == "brauer_kappa_t_untransposed":
        orthogonal = importlib.import_module("weingarten_check.theory.orthogonal")
        _rewrite(orthogonal, "transpose_coupling", "ops2.get(s, eye).T)", "ops2.get(s, eye))")
    elif name == "brauer_both_sigma_t_is_sigma":
        orthogonal = importlib.import_module("weingarten_check.theory.orthogonal")
        _rewrite(
            orthogonal,
            "expected_K_frobenius_sq_orthogonal_both",
            "mean_sigma_t = db * (db * (da - 1) + da**2 - 1) / den",
            "mean_sigma_t = db * (db * (da**2 - 1) + da - 1) / den",
        )
    else:
        raise ValueError(f"unknown mutation {name!r}; choose from {sorted(MUTATIONS)}")


def pytest_configure(config) -> None:  # pytest plugin hook
    name = os.environ.get("WG_MUTATION")
    if name:
        # a failing hypothesis test would otherwise be shrunk (hundreds of reruns): report it as found.
        # Loaded before the test modules are imported, so _helpers.PROOFS inherits it.
        from hypothesis import Phase, settings

        settings.register_profile("wg_mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate])
        settings.load_profile("wg_mutation")
        _apply(name)


def run(name: str, all_lemmas: bool = False) -> list[str]:
    """Run proofs/ (or the files of ``TARGETS[name]``) under one mutation; return the failing test ids."""
    if name not in MUTATIONS:
        raise ValueError(f"unknown mutation {name!r}; choose from {sorted(MUTATIONS)}")
    here = Path(__file__).parent
    env = dict(os.environ, WG_MUTATION=name, PYTHONPATH=str(here) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    paths = [str(here)] if all_lemmas else [str(here / f) for f in TARGETS[name]]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", "-p", "mutate_library", "-rf"],
        cwd=here.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):  # 0 = all passed, 1 = some failed; anything else: pytest itself broke
        raise RuntimeError(f"pytest could not run under mutation {name!r}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return re.findall(r"^FAILED (.+?)(?: - .*)?$", proc.stdout, flags=re.M)


def lemma_of(test_id: str) -> str:
    """``test_lemma_3_4_frobenius[...]`` -> ``3.4``."""
    m = re.search(r"test_lemma_(\d+)_(\d+)", test_id)
    return f"{m.group(1)}.{m.group(2)}" if m else "?"


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for name, what in MUTATIONS.items():
            print(f"{name}: {what}\n  targets: {', '.join(TARGETS[name])}")
        return 0
    all_lemmas = "--all-lemmas" in argv
    names = [a for a in argv if not a.startswith("--")] or list(MUTATIONS)
    ok = True
    for name in names:
        failed = run(name, all_lemmas)
        ok &= bool(failed)
        lemmas = sorted(
            {lemma_of(f) for f in failed}, key=lambda s: [int(x) if x.isdigit() else 0 for x in s.split(".")]
        )
        print(
            f"{name}: {MUTATIONS[name]}\n  -> {len(failed)} lemma tests fail"
            + (f" (lemmas {', '.join(lemmas)})" if failed else "  (NOT DETECTED)"),
            flush=True,
        )
        for f in failed:
            print(f"     {f.split('::', 1)[-1]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
