"""Side-by-side benchmarks of the numerics, single-threaded.

Run: ``.venv/bin/python benchmarks/bench_numerics.py [--quick] [--full]``

1. ``haar_unitary`` vs ``scipy.stats.unitary_group.rvs`` (d = 2^8 ... 2^11), ``haar_isometry``
   at d = 2^20, k = 4, ``haar_state`` at d = 2^24.
2. Exact Δ (closed form 2(σ1+σ2)) vs the paper's method (optimise the three Euler angles of
   UA = Rz Ry Rz with BFGS, and with Adam + parameter shift, for max and min) on the same
   instances (VQE, V1 Haar) at n = 4 ... 10: time ratio and |Δ_opt - Δ_exact|.
3. Gate throughput at n = 20: one hardware-efficient layer (n RY + (n-1) CZ) and a batch of
   dA² + 1 = 5 vectors, vs PennyLane lightning.qubit and qulacs when they are installed
   (they are *not* dependencies of the package: a missing peer is skipped).
4. Scale and tightness: exact-Haar E[Δ] for VQE/QAE/QSL vs n, ratio to every bound, and the
   fitted slope of log2 E[Δ] vs n against the predicted one (-1/2, -1 for QSL).
   ``--full`` adds VQE n = 20 with 100 samples (the "minutes" target) and HEA n = 14.
5. Frame potential F2 = E|tr(U† V)|^4 of the hardware-efficient ensemble vs depth L (Haar: 2).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from weingarten_check.circuits.ensembles import cz_chain_diagonal, ry  # noqa: E402
from weingarten_check.delta.cost import cost_tensor_pure, k_matrix  # noqa: E402
from weingarten_check.delta.exact import variation_range_qubit  # noqa: E402
from weingarten_check.experiments import estimate_variation_range, fit_log_slope_se, task_spec  # noqa: E402
from weingarten_check.states.observables import heisenberg_ring  # noqa: E402
from weingarten_check.states.sampling import haar_isometry, haar_state, haar_unitary  # noqa: E402
from weingarten_check.states.statevector import apply_diagonal, apply_gate, move_sites_first  # noqa: E402


def best_time(fn, repeat=3):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# ------------------------------------------------------------------------------------------ 1
def bench_sampling(quick: bool):
    from scipy.stats import unitary_group

    print("\n== 1. Haar sampling (best of 3, one thread) ==")
    print(f"{'d':>6} {'ours [s]':>10} {'scipy [s]':>10} {'scipy/ours':>11}")
    for e in [8, 9, 10] if quick else [8, 9, 10, 11]:
        d = 2**e
        rng = np.random.default_rng(0)
        t_ours, _ = best_time(lambda d=d, rng=rng: haar_unitary(d, rng))
        t_sc, _ = best_time(lambda d=d, rng=rng: unitary_group.rvs(d, random_state=rng))
        print(f"{d:>6} {t_ours:>10.4f} {t_sc:>10.4f} {t_sc / t_ours:>11.2f}")
    t, W = best_time(lambda: haar_isometry(2**20, 4, 1))
    print(
        f"haar_isometry(d=2^20, k=4): {t:.3f} s   (orthonormality error {np.abs(W.conj().T @ W - np.eye(4)).max():.1e})"
    )
    t, _ = best_time(lambda: haar_state(2**24, 2), repeat=2)
    print(f"haar_state(d=2^24): {t:.3f} s")


# ------------------------------------------------------------------------------------------ 2
def _euler(angles):
    from weingarten_check.circuits.ensembles import rz

    a, b, c = angles
    return rz(a) @ ry(b) @ rz(c)


def bench_exact_vs_euler(quick: bool):
    from scipy.optimize import minimize

    print("\n== 2. Exact Δ vs the paper's Euler-angle optimisation (VQE, V1 Haar, A = qubit 0) ==")
    print("BFGS: scipy BFGS (finite differences), 1 start per max/min; Adam: lr 0.05, parameter-shift")
    print("gradients, until the cost changes < 1e-10 or 3000 steps; 3 instances per n.")
    print(
        f"{'n':>3} {'t_exact [ms]':>13} {'t_bfgs [ms]':>12} {'bfgs/exact':>11} {'max|dΔ| bfgs':>13} "
        f"{'t_adam [ms]':>12} {'adam/exact':>11} {'max|dΔ| adam':>13}"
    )
    for n in [4, 6, 8] if quick else [4, 5, 6, 7, 8, 9, 10]:
        H = heisenberg_ring(n)
        shape = (2,) * n
        t_ex = t_bf = t_ad = 0.0
        err_bf = err_ad = 0.0
        for inst in range(3):
            psi = haar_state(2**n, 100 * n + inst).reshape(shape)

            def exact(psi=psi, n=n, shape=shape, H=H):
                rows = move_sites_first(psi, (0,), n)
                X = np.einsum("ka,ib->kiab", np.eye(2), rows).reshape((4,) + shape)
                T = cost_tensor_pure(H.apply(X).reshape(2, 2, -1), X.reshape(2, 2, -1))
                return variation_range_qubit(k_matrix(T))

            t, d_exact = best_time(exact, repeat=3)
            t_ex += t

            def cost(ang, psi=psi, n=n, H=H):
                phi = apply_gate(psi, _euler(ang), (0,), n)
                return float(np.real(np.vdot(phi, H.apply(phi))))

            def bfgs(inst=inst, cost=cost):
                rng = np.random.default_rng(inst)
                hi = -minimize(lambda x: -cost(x), rng.uniform(0, 2 * np.pi, 3), method="BFGS").fun
                lo = minimize(cost, rng.uniform(0, 2 * np.pi, 3), method="BFGS").fun
                return hi - lo

            t0 = time.perf_counter()
            d_bf = bfgs()
            t_bf += time.perf_counter() - t0
            err_bf = max(err_bf, abs(d_bf - d_exact))

            def adam(sign, x0, lr=0.05, steps=3000):
                m = np.zeros(3)
                v = np.zeros(3)
                x = x0.copy()
                prev = np.inf
                f = sign * cost(x)
                for it in range(1, steps + 1):
                    g = np.array([sign * (cost(x + np.pi / 2 * e) - cost(x - np.pi / 2 * e)) / 2 for e in np.eye(3)])
                    m = 0.9 * m + 0.1 * g
                    v = 0.999 * v + 0.001 * g * g
                    x = x - lr * (m / (1 - 0.9**it)) / (np.sqrt(v / (1 - 0.999**it)) + 1e-12)
                    f = sign * cost(x)
                    if abs(prev - f) < 1e-10:
                        break
                    prev = f
                return sign * f

            rng = np.random.default_rng(inst)
            t0 = time.perf_counter()
            d_ad = adam(-1.0, rng.uniform(0, 2 * np.pi, 3)) - adam(1.0, rng.uniform(0, 2 * np.pi, 3))
            t_ad += time.perf_counter() - t0
            err_ad = max(err_ad, abs(d_ad - d_exact))
        print(
            f"{n:>3} {1e3 * t_ex / 3:>13.3f} {1e3 * t_bf / 3:>12.1f} {t_bf / t_ex:>11.0f} {err_bf:>13.1e} "
            f"{1e3 * t_ad / 3:>12.1f} {t_ad / t_ex:>11.0f} {err_ad:>13.1e}"
        )
    print("(Euler angles parametrise SU(2) up to phase, so the optimum is the same set; the parameter-shift")
    print(" rule is exact for Rz/Ry; differences are optimiser tolerance or a local optimum.)")


# ------------------------------------------------------------------------------------------ 3
def _ours_layer(n, batch):
    """L layers as a Circuit (fused single-site blocks, one shared CZ-chain diagonal, two
    ping-pong buffers)."""
    from weingarten_check.circuits.ensembles import Circuit

    diag = cz_chain_diagonal(n, 2)
    gates = [ry(0.1 * (s + 1)) for s in range(n)]
    shape = ((batch,) if batch else ()) + (2,) * n
    psi = np.zeros(shape, dtype=np.complex128)
    psi[(slice(None),) * (1 if batch else 0) + (0,) * n] = 1

    def run(layers):
        c = Circuit(n, 2, [op for _ in range(layers) for op in (("layer", gates), ("diag", diag))])
        return c.apply(psi)

    return run


def _ours_layer_unfused(n):
    diag = cz_chain_diagonal(n, 2)
    gates = [ry(0.1 * (s + 1)) for s in range(n)]
    psi = np.zeros((2,) * n, dtype=np.complex128)
    psi[(0,) * n] = 1

    def run(layers):
        x = psi
        for _ in range(layers):
            for s in range(n):
                x = apply_gate(x, gates[s], (s,), n)
            x = apply_diagonal(x, diag, n, out=x)
        return x

    return run


def _lightning_layer(n):
    try:
        import pennylane as qml

        dev = qml.device("lightning.qubit", wires=n)
    except Exception as exc:  # not installed / no device
        return None, f"skipped ({type(exc).__name__}: {exc})"

    def make(layers):
        @qml.qnode(dev)
        def circ():
            for _ in range(layers):
                for s in range(n):
                    qml.RY(0.1 * (s + 1), wires=s)
                for s in range(n - 1):
                    qml.CZ(wires=[s, s + 1])
            return qml.state()

        return circ

    return make, ""


def _qulacs_layer(n):
    try:
        from qulacs import QuantumCircuit, QuantumState
        from qulacs.gate import CZ, RY
    except Exception as exc:
        return None, f"skipped ({type(exc).__name__}: {exc})"

    def make(layers):
        c = QuantumCircuit(n)
        for _ in range(layers):
            for s in range(n):
                c.add_gate(RY(s, 0.1 * (s + 1)))
            for s in range(n - 1):
                c.add_gate(CZ(s, s + 1))

        def run():
            st = QuantumState(n)
            st.set_zero_state()
            c.update_quantum_state(st)
            return st

        return run

    return make, ""


def bench_throughput(quick: bool):
    n = 18 if quick else 20
    L = 5
    print(
        f"\n== 3. Gate throughput, n = {n}: one hardware-efficient layer = {n} RY + {n - 1} CZ "
        f"(per layer, from {L} layers, best of 3, one thread) =="
    )
    rows = []
    t, _ = best_time(lambda: _ours_layer(n, 0)(L))
    rows.append(("ours (numpy, fused 3-site blocks + one CZ diagonal)", t / L))
    t, _ = best_time(lambda: _ours_layer_unfused(n)(L))
    rows.append(("ours (numpy, gate by gate)", t / L))
    make, why = _lightning_layer(n)
    if make is None:
        print("PennyLane lightning.qubit:", why)
    else:
        circ = make(L)
        circ()  # warm-up / compile
        t, _ = best_time(circ)
        rows.append(("PennyLane lightning.qubit", t / L))
    make, why = _qulacs_layer(n)
    if make is None:
        print("qulacs:", why)
    else:
        run = make(L)
        t, _ = best_time(run)
        rows.append(("qulacs", t / L))
    fastest = min(r[1] for r in rows)
    for name, t in rows:
        print(f"  {name:<55} {1e3 * t:>9.2f} ms/layer   x{t / fastest:>5.2f} of fastest")
    ours = rows[0][1]
    # batch of dA^2 + 1 = 5 vectors through the same layer
    t5, _ = best_time(lambda: _ours_layer(n, 5)(L))
    print(
        f"  ours, batch of 5 vectors (dA^2+1) in one array: {1e3 * t5 / L:.2f} ms/layer = "
        f"{t5 / L / 5 * 1e3:.2f} ms per vector-layer ({t5 / (5 * ours * L):.2f} x single)"
    )
    for name, t in rows[2:]:
        print(
            f"  vs {name}: 5 separate runs = {5e3 * t:.2f} ms/layer; ours batched / theirs = {(t5 / L) / (5 * t):.2f}"
        )


# ------------------------------------------------------------------------------------------ 4
def bench_tightness(quick: bool, full: bool):
    print("\n== 4. Exact-Haar E[Δ] vs n (case v1, A = site 0, qubits): ratio to every bound ==")
    ns = [4, 6, 8, 10, 12] if quick else [4, 6, 8, 10, 12, 14, 16]
    for task in ("vqe", "qae", "qsl"):
        means, ses = [], []
        print(f"-- {task}")
        for n in ns:
            e = estimate_variation_range(task, "haar", "v1", n=n, samples=100, seed=n)
            means.append(e.mean)
            ses.append(e.stderr)
            rat = " ".join(f"{k}={v:.3g}" for k, v in e.ratios().items())
            print(f"  n={n:>2} E[Δ]={e.mean:.4e} ± {e.stderr:.1e}  ({e.seconds:5.2f} s)  E[Δ]/bound: {rat}")
        slope = fit_log_slope_se(ns, means, ses).slope
        pred = -1.0 if task == "qsl" else -0.5
        print(f"  slope of log2 E[Δ] vs n: {slope:+.3f} (predicted {pred:+.1f})")
    if full:
        print("\n-- exact-Haar VQE, n = 20, 100 samples, case v1 (target: minutes)")
        t0 = time.perf_counter()
        w = task_spec("vqe", 20).w
        print(f"  w(H) = {w:.10f}  (sector Lanczos, {time.perf_counter() - t0:.1f} s)")
        for case in ("v1",):
            e = estimate_variation_range("vqe", "haar", case, n=20, samples=100, seed=0)
            print(
                f"  case {case}: E[Δ] = {e.mean:.5e} ± {e.stderr:.1e}, task-dependent bound "
                f"{e.bounds['task_dependent']:.5e} (ratio {e.ratios()['task_dependent']:.3f}), {e.seconds:.1f} s"
            )
        print("\n-- hardware-efficient ensemble, n = 14, depth 10 n = 140 layers, case v1, 10 samples")
        e = estimate_variation_range("vqe", "hea", "v1", n=14, samples=10, seed=0)
        print(
            f"  E[Δ] = {e.mean:.4e} ± {e.stderr:.1e}, bound {e.bounds['task_dependent']:.4e}, {e.seconds:.1f} s "
            f"({e.seconds / 10:.2f} s per sample)"
        )


# ------------------------------------------------------------------------------------------ 5
def bench_frame_potential(quick: bool):
    from weingarten_check.circuits.designs import frame_potential

    n = 4
    S = 200 if quick else 500
    print(f"\n== 5. Frame potential F2 = E|tr(U^dag V)|^4, n = {n}, {S} pairs (Haar value 2) ==")
    for L in (1, 2, 4, 8, 16, 40):
        f, se = frame_potential("hea", n, samples=S, rng=L, layers=L)
        print(f"  hea L={L:>3}{' (=10n)' if L == 10 * n else '       '}: F2 = {f:9.3f} ± {se:.3f}")
    f, se = frame_potential("local1", n, samples=S, rng=0)
    print(f"  local1 (Rz Ry Rz layer): F2 = {f:9.3f} ± {se:.3f}")
    f, se = frame_potential("haar", n, samples=S, rng=0)
    print(f"  haar:                    F2 = {f:9.3f} ± {se:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    ap.add_argument("--full", action="store_true", help="add VQE n=20 x 100 samples and HEA n=14")
    ap.add_argument("--only", choices=["sampling", "euler", "throughput", "tightness", "frame"], default=None)
    a = ap.parse_args()
    t0 = time.perf_counter()
    if a.only in (None, "sampling"):
        bench_sampling(a.quick)
    if a.only in (None, "euler"):
        bench_exact_vs_euler(a.quick)
    if a.only in (None, "throughput"):
        bench_throughput(a.quick)
    if a.only in (None, "tightness"):
        bench_tightness(a.quick, a.full)
    if a.only in (None, "frame"):
        bench_frame_potential(a.quick)
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
