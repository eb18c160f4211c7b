"""Weingarten engine vs haarpy, side by side in one run, with ratios.

Usage::

    python benchmarks/bench_weingarten.py               # full table (haarpy capped at --timeout s per cell)
    python benchmarks/bench_weingarten.py --quick       # small orders only (a minute)
    python benchmarks/bench_weingarten.py --json out.json

Every timing of ours starts from cold caches (``clear_caches()``); every haarpy timing runs in a
fresh subprocess killed after ``--timeout`` seconds (reported as ``>T``). Results are also checked
for agreement where both finish.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import time
from datetime import datetime, timezone

import sympy


def _ours_wg_all(k: int, d: str | int) -> tuple[float, dict]:
    from weingarten_check.calculus.unitary import clear_caches, weingarten_all_classes

    dim = sympy.Symbol("d") if d == "d" else int(d)
    clear_caches()
    t = time.perf_counter()
    vals = weingarten_all_classes(k, dim)
    return time.perf_counter() - t, {mu: str(v) for mu, v in vals.items()}


def _haarpy_wg_all(k: int, d: str | int, queue) -> None:
    import haarpy
    from sympy.utilities.iterables import partitions as sp_partitions

    dim = sympy.Symbol("d") if d == "d" else int(d)
    parts = [tuple(sorted((s for s, m in p.items() for _ in range(m)), reverse=True)) for p in sp_partitions(k)]
    t = time.perf_counter()
    vals = {mu: haarpy.weingarten_unitary(mu, dim) for mu in parts}
    queue.put((time.perf_counter() - t, {mu: str(v) for mu, v in vals.items()}))


def _monomial(kind: str, k: int) -> tuple[list, list, list, list]:
    if kind == "first_entry":  # E|U_11|^{2k}
        idx = [0] * k
    else:  # E|U_11 U_22 ... U_kk|^2
        idx = list(range(k))
    return idx, idx, idx, idx


def _ours_monomial(kind: str, k: int) -> tuple[float, str]:
    from weingarten_check.calculus.unitary import clear_caches
    from weingarten_check.calculus.unitary_integrals import haar_integral

    clear_caches()
    t = time.perf_counter()
    v = haar_integral(*_monomial(kind, k), sympy.Symbol("d"))
    return time.perf_counter() - t, str(v)


def _haarpy_monomial(kind: str, k: int, algorithm: str, queue) -> None:
    import haarpy

    i, j, ic, jc = _monomial(kind, k)
    t = time.perf_counter()
    v = haarpy.haar_integral_unitary(
        (tuple(i), tuple(j)), (tuple(ic), tuple(jc)), sympy.Symbol("d"), algorithm=algorithm
    )
    queue.put((time.perf_counter() - t, str(v)))


def _run_capped(target, args, timeout: float):
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None
    try:
        return queue.get(timeout=5)
    except Exception:  # noqa: BLE001 - a crashed peer is reported as missing
        return None


def _fmt(t: float | None, cap: float) -> str:
    return f">{cap:.0f}" if t is None else f"{t:.3f}"


def _ratio(theirs: float | None, ours: float, cap: float) -> str:
    if theirs is None:
        return f">{cap / max(ours, 1e-6):.0f}x"
    return f"{theirs / max(ours, 1e-6):.1f}x"


def _same(a: str, b: str) -> bool:
    d = sympy.Symbol("d")
    return sympy.cancel(sympy.sympify(a, locals={"d": d}) - sympy.sympify(b, locals={"d": d})) == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small orders only")
    parser.add_argument("--timeout", type=float, default=120.0, help="cap per haarpy cell, seconds (default 120)")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    try:
        import haarpy  # noqa: F401

        have_haarpy = True
    except ImportError:
        have_haarpy = False
        print("haarpy is not installed: only our timings are shown (pip install haarpy==0.1.1)")

    cap = args.timeout
    print(f"# weingarten-check vs haarpy — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows = []

    def table(title, cells):
        print(f"\n## {title}\n")
        print("| case | ours (s) | haarpy (s) | ratio haarpy/ours | agree |")
        print("|---|---:|---:|---:|:---:|")
        for label, ours_fn, theirs_target, theirs_args in cells:
            t_ours, v_ours = ours_fn()
            res = _run_capped(theirs_target, theirs_args, cap) if have_haarpy and theirs_target else None
            t_theirs, v_theirs = res if res else (None, None)
            if v_theirs is None:
                agree = "n/a"
            elif isinstance(v_ours, dict):
                agree = "yes" if all(_same(v_ours[mu], v_theirs[mu]) for mu in v_ours) else "NO"
            else:
                agree = "yes" if _same(v_ours, v_theirs) else "NO"
            if theirs_target is None or not have_haarpy:
                theirs_cell, ratio_cell = "not run", "—"
            else:
                theirs_cell, ratio_cell = _fmt(t_theirs, cap), _ratio(t_theirs, t_ours, cap)
            print(f"| {label} | {t_ours:.3f} | {theirs_cell} | {ratio_cell} | {agree} |", flush=True)
            rows.append(
                {"table": title, "case": label, "ours_s": t_ours, "haarpy_s": t_theirs, "cap_s": cap, "agree": agree}
            )

    ks_sym = range(2, 9) if args.quick else range(2, 13)
    table(
        "Wg for every cycle type, symbolic d",
        [(f"k = {k}", (lambda k=k: _ours_wg_all(k, "d")), _haarpy_wg_all, (k, "d")) for k in ks_sym],
    )
    ks_beyond = [] if args.quick else [14, 16, 18, 20]
    if ks_beyond:
        table(
            "Wg for every cycle type, symbolic d, beyond the peer (haarpy not run)",
            [(f"k = {k}", (lambda k=k: _ours_wg_all(k, "d")), None, ()) for k in ks_beyond],
        )
    ks_int = range(8, 11) if args.quick else range(8, 15)
    table(
        "Wg for every cycle type, integer d = 10",
        [(f"k = {k}", (lambda k=k: _ours_wg_all(k, 10)), _haarpy_wg_all, (k, 10)) for k in ks_int],
    )
    ks_mono = range(2, 6) if args.quick else range(2, 9)
    for kind, name in (("first_entry", "E|U_11|^{2k}"), ("diagonal", "E|U_11 U_22 ... U_kk|^2")):
        for algorithm in ("collins", "gorin"):
            table(
                f"{name}, symbolic d, haarpy algorithm={algorithm}",
                [
                    (
                        f"k = {k}",
                        (lambda k=k, kind=kind: _ours_monomial(kind, k)),
                        _haarpy_monomial,
                        (kind, k, algorithm),
                    )
                    for k in ks_mono
                ],
            )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
