"""Code mutations: break the library on purpose and show that the lemma suite notices.

The mutant tests inside proofs/ weaken *statements*; this tool weakens the *code* the statements
are checked against (bounds.py, the Weingarten engine, variation_range, observables), one mutation
at a time, by monkeypatching it in a pytest plugin, and reports which lemma tests fail.

    python proofs/mutate_library.py              # all mutations (a few minutes on 2 cores)
    python proofs/mutate_library.py K_scale      # one mutation

Every mutation must make at least one lemma test fail; the exit code is 1 otherwise.
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
    "K_scale": "bounds.expected_K_frobenius_sq multiplied by 1.01",
    "qudit_dA2": "bounds.qudit_theorem1_bound with dA² instead of dA² - 1",
    "paper_exp": "bounds.paper_theorem1_bound with 2^(3m+1-n/2) instead of 2^(3m+2-n/2)",
    "ew_exp": "bounds.elementwise_bound always dA³ (the V2 exponent)",
    "prop2": "bounds.proposition2_bound with q^(2m-n+1)",
    "trace_moment_scale": "haar_integrals.trace_moment: second moments multiplied by 1.01",
    "qubit_delta_nuclear": "variation_range.variation_range_qubit returns 2||K||_* instead of 2(σ1+σ2)",
    "coupling": "observables.Observable.coupling multiplied by 1.01",
    "fourth_gamma": "fourth_moments.gamma_values: the G G' G G' 4-cycles multiplied by 1.01",
    "lower_constant": "bounds.delta_frobenius_constants: lower constant multiplied by 1.01",
}


def _apply(name: str) -> None:
    import numpy as np
    import sympy as sp

    from weingarten_check import bounds, haar_integrals, observables, variation_range

    if name == "K_scale":
        orig = bounds.expected_K_frobenius_sq
        bounds.expected_K_frobenius_sq = lambda *a, **k: orig(*a, **k) * sp.Rational(101, 100)
    elif name == "qudit_dA2":
        def qudit(w, n, m, q=2):
            dA, _, d = bounds.dimensions(n, m, q)
            return bounds._w(w) * dA**2 / sp.sqrt(d + 1)

        bounds.qudit_theorem1_bound = qudit
    elif name == "paper_exp":
        bounds.paper_theorem1_bound = lambda w, n, m: bounds._w(w) * sp.Integer(2) ** (
            3 * sp.sympify(m) + 1 - sp.sympify(n) / 2
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
        variation_range.variation_range_qubit = lambda K: float(2 * np.linalg.svd(K, compute_uv=False).sum())
    elif name == "coupling":
        orig_c = observables.Observable.coupling
        observables.Observable.coupling = lambda self, s: orig_c(self, s) * 1.01
    elif name == "fourth_gamma":
        from weingarten_check import fourth_moments

        orig_g = fourth_moments.gamma_values

        def gam(dA):
            return {p: v * (sp.Rational(101, 100) if p in ((2, 3, 1, 0), (3, 2, 0, 1)) else 1)
                    for p, v in orig_g(dA).items()}

        fourth_moments.gamma_values = gam
    elif name == "lower_constant":
        orig_dc = bounds.delta_frobenius_constants

        def dc(dA):
            c, u = orig_dc(dA)
            return c * sp.Rational(101, 100), u

        bounds.delta_frobenius_constants = dc
    else:
        raise ValueError(f"unknown mutation {name!r}; choose from {sorted(MUTATIONS)}")


def pytest_configure(config) -> None:  # pytest plugin hook
    name = os.environ.get("WG_MUTATION")
    if name:
        _apply(name)


def run(name: str) -> list[str]:
    """Run proofs/ under one mutation; return the failing test ids."""
    here = Path(__file__).parent
    env = dict(os.environ, WG_MUTATION=name, PYTHONPATH=str(here) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(here), "-q", "-p", "no:cacheprovider", "-p", "mutate_library", "-rf"],
        cwd=here.parent, env=env, capture_output=True, text=True,
    )
    return re.findall(r"^FAILED (\S+)", proc.stdout, flags=re.M)


def main(argv: list[str]) -> int:
    names = argv or list(MUTATIONS)
    ok = True
    for name in names:
        failed = run(name)
        ok &= bool(failed)
        print(f"{name}: {MUTATIONS[name]}\n  -> {len(failed)} lemma tests fail" + ("" if failed else "  (NOT DETECTED)"))
        for f in failed:
            print(f"     {f.split('::', 1)[-1]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
