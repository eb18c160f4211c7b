"""O(d) and Sp(d) Weingarten functions, every coset type, symbolic d: ours vs haarpy, with ratios.

Usage::

    python benchmarks/bench_orthogonal.py                 # p = 4, 5, 6 side by side; p = 7, 8 ours alone
    python benchmarks/bench_orthogonal.py --quick         # p = 4, 5 side by side; p = 8 ours
    python benchmarks/bench_orthogonal.py --timeout 120   # haarpy's per-cell cap (reported as >T)

Every timing of ours starts from cold caches (``clear_brauer_caches()`` also clears the zonal
spherical functions; the characters of S_2p are not used).  haarpy runs in a fresh subprocess per
cell (its lru caches cold too) and is killed after ``--timeout`` seconds.  Where both finish, every
value is checked to agree (``sympy.cancel(ours - theirs) == 0``; Sp at the representative of each
coset type with ε = +1).  Goals: p = 6 (O, every coset type) ≥ 100× faster than haarpy; p = 8 in ≤ 30 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time

import sympy


def _ours(group: str, p: int) -> tuple[float, dict]:
    from weingarten_check.calculus.brauer import clear_brauer_caches, weingarten_group_all

    clear_brauer_caches()
    t = time.perf_counter()
    vals = weingarten_group_all(group, p, sympy.Symbol("d"))
    return time.perf_counter() - t, {rho: str(v) for rho, v in vals.items()}


def _listing(m):
    seq = []
    for a in range(len(m)):
        if a < m[a]:
            seq += [a, m[a]]
    return seq


def _haarpy(group: str, p: int, queue) -> None:
    import haarpy
    from sympy.combinatorics import Permutation

    from weingarten_check.calculus.brauer import coset_representative
    from weingarten_check.calculus.symmetric_group import partitions

    d, n = sympy.Symbol("d"), sympy.Symbol("n")
    t = time.perf_counter()
    out = {}
    for rho in partitions(p):
        if group == "O":
            out[rho] = haarpy.weingarten_orthogonal(rho, d)
        else:
            out[rho] = haarpy.weingarten_symplectic(Permutation(_listing(coset_representative(rho))), n)
    elapsed = time.perf_counter() - t
    if group == "Sp":
        out = {rho: v.subs(n, d / 2) for rho, v in out.items()}
    queue.put((elapsed, {rho: str(v) for rho, v in out.items()}))


def _run_haarpy(group: str, p: int, timeout: float):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_haarpy, args=(group, p, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()
    _ours("O", 2)  # import sympy/flint paths once: the timings below are cold caches, not cold imports
    side = (4, 5) if args.quick else (4, 5, 6)
    alone = (8,) if args.quick else (7, 8)
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'group':>5} {'p':>2} {'types':>5} {'ours [s]':>10} {'haarpy [s]':>11} {'ratio':>9}  agree")
    for group in ("O", "Sp"):
        for p in side:
            t_ours, ours = _ours(group, p)
            res = _run_haarpy(group, p, args.timeout)
            if res is None:
                cap = f">{args.timeout:g}"
                ratio = f">{args.timeout / t_ours:.0f}x"
                print(f"{group:>5} {p:>2} {len(ours):>5} {t_ours:>10.4f} {cap:>11} {ratio:>9}  -")
                continue
            t_h, theirs = res
            agree = all(sympy.cancel(sympy.sympify(ours[r]) - sympy.sympify(theirs[r])) == 0 for r in ours)
            print(f"{group:>5} {p:>2} {len(ours):>5} {t_ours:>10.4f} {t_h:>11.3f} {t_h / t_ours:>8.0f}x  {agree}")
        for p in alone:
            t_ours, ours = _ours(group, p)
            print(f"{group:>5} {p:>2} {len(ours):>5} {t_ours:>10.4f} {'(not run)':>11} {'':>9}  -")


if __name__ == "__main__":
    main()
