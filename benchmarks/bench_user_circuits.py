"""Your own circuit: one Δ of a 20-qubit, 200-gate circuit and a 12-qubit landscape map, against the paper's method.

Run: ``.venv/bin/python benchmarks/bench_user_circuits.py [--quick]``

Ours: :func:`weingarten_check.gate_variation_range` (``V1 ψ`` once, the ``dA²`` vectors through ``V2``
and H, then the closed form ``2(σ1 + σ2)``) and :func:`weingarten_check.gate_landscape`.

The paper's method (its Figure 5): the free gate is ``Rz(φ) Ry(θ) Rz(α)``, and Adam (lr 0.1) runs
200 steps on the three Euler angles to maximise the cost and 200 to minimise it; each step needs the
gradient by the parameter-shift rule (two cost evaluations per angle) and the value: 7 evaluations.
One evaluation here is as cheap as we can make it (``V1 ψ`` cached; the gate, ``V2`` with the same
fused simulator, then ``<H>``), so the comparison favours the paper's method.  At 20 qubits the
Adam run is timed for ``--adam-steps-measured`` steps and extrapolated to 200 (stated in the
output); at 6 qubits it runs in full, and its Δ is compared with the exact one.

Goals: one Δ of the 20-qubit, 200-gate circuit <= 5 s; the 12-qubit, 10-layer EfficientSU2 map
<= 30 s.  The machine load is printed with the numbers (the machine is shared).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from qiskit import QuantumCircuit  # noqa: E402
from qiskit.circuit.library import efficient_su2  # noqa: E402

from weingarten_check import gate_landscape, gate_variation_range  # noqa: E402
from weingarten_check.circuits.qiskit_io import circuit_operations, fuse_operations, load_circuit, simulate  # noqa: E402
from weingarten_check.states.observable_specs import observable_from_spec, qubit_sites  # noqa: E402
from weingarten_check.states.statevector import apply_gate, zero_state  # noqa: E402


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def random_200_gate_circuit(n: int, gates: int, seed: int) -> QuantumCircuit:
    """One-qubit rotations (rx, ry, rz) and nearest-neighbour CX, one third each."""
    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    for g in range(gates):
        if g % 3 == 2:
            a = int(rng.integers(n - 1))
            qc.cx(a, a + 1)
        else:
            (qc.rx, qc.ry, qc.rz)[int(rng.integers(3))](float(rng.uniform(0, 2 * np.pi)), int(rng.integers(n)))
    return qc


def zz_chain(n: int) -> str:
    return " + ".join("1.0*" + "I" * i + "ZZ" + "I" * (n - 2 - i) for i in range(n - 1)) + " + 0.5*" + "X" * n


def _rz(t):
    return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])


def _ry(t):
    c, s = np.cos(t / 2), np.sin(t / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


class PaperMethod:
    """Adam on the Euler angles of ``Rz(φ) Ry(θ) Rz(α)`` inserted on one qubit after instruction K."""

    def __init__(self, qc: QuantumCircuit, H, qubit: int, after: int):
        qc = load_circuit(qc)
        self.n = n = qc.num_qubits
        ops = circuit_operations(qc)
        self.psi1 = simulate(zero_state(n), fuse_operations([o for o in ops if o.index < after]), n)
        self.v2 = fuse_operations([o for o in ops if o.index >= after])
        self.H = observable_from_spec(H, n)
        (self.site,) = qubit_sites((qubit,), n)
        self.evaluations = 0

    def cost(self, x: np.ndarray) -> float:
        self.evaluations += 1
        U = _rz(x[0]) @ _ry(x[1]) @ _rz(x[2])
        psi = simulate(apply_gate(self.psi1, U, (self.site,), self.n), self.v2, self.n)
        return float(np.real(np.vdot(psi.reshape(-1), self.H.apply(psi).reshape(-1))))

    def adam(self, sign: float, steps: int, seed: int, lr: float = 0.1) -> float:
        rng = np.random.default_rng(seed)
        x = rng.uniform(0, 2 * np.pi, 3)
        m, v = np.zeros(3), np.zeros(3)
        best = -np.inf
        for t in range(1, steps + 1):
            best = max(best, sign * self.cost(x))
            g = np.empty(3)
            for k in range(3):  # parameter shift: each angle enters one rotation exp(-i t P / 2)
                e = np.zeros(3)
                e[k] = np.pi / 2
                g[k] = 0.5 * (self.cost(x + e) - self.cost(x - e))
            g = -sign * g  # Adam minimises -sign * C
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            x = x - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        return sign * best


def bench_one_delta(n: int, gates: int, adam_steps_measured: int) -> None:
    qc = random_200_gate_circuit(n, gates, seed=0)
    H = zz_chain(n)
    print(f"\n1. one Δ: {n} qubits, {gates} gates (1/3 CX), H = ZZ chain + 0.5 X^{n}, free gate on qubit 7; {load()}")
    print(
        f"   {'after':>5} {'ours (s)':>9} {'CPU (s)':>8} {'Δ':>10} {'paper: s/eval':>13} "
        f"{'paper 2x200 Adam (s, est.)':>27} {'ratio':>7}"
    )
    for after in (0, gates // 2, gates):
        t0, c0 = time.perf_counter(), time.process_time()
        r = gate_variation_range(qc, H, (7,), after=after)
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        pm = PaperMethod(qc, H, 7, after)
        t0 = time.perf_counter()
        pm.adam(1.0, adam_steps_measured, seed=0)
        per_eval = (time.perf_counter() - t0) / pm.evaluations
        paper = per_eval * 7 * 200 * 2  # 200 steps x 7 evaluations, max and min
        print(
            f"   {after:>5} {ours:>9.2f} {ours_cpu:>8.2f} {r.delta:>10.6f} {per_eval:>13.3f} "
            f"{paper:>27.0f} {paper / ours:>7.0f}x"
        )
    print(f"   (the paper's time extrapolated from {adam_steps_measured} Adam steps = "
          f"{7 * adam_steps_measured} evaluations per row)")  # fmt: skip


def bench_accuracy(n: int = 6) -> None:
    qc = efficient_su2(n, reps=3).assign_parameters(np.random.default_rng(2).uniform(0, 2 * np.pi, 8 * n))
    H = zz_chain(n)
    print(f"\n2. accuracy at {n} qubits (EfficientSU2 reps=3), the paper's Adam in full (200 steps per side); {load()}")
    print(
        f"   {'qubit':>5} {'after':>5} {'Δ exact':>10} {'Δ Adam':>10} {'rel. gap':>9} "
        f"{'ours (s)':>9} {'Adam (s)':>9} {'ratio':>7}"
    )
    for qubit, after in ((0, 0), (2, 20), (4, 40)):
        t0 = time.perf_counter()
        r = gate_variation_range(qc, H, (qubit,), after=after)
        ours = time.perf_counter() - t0
        pm = PaperMethod(qc, H, qubit, after)
        t0 = time.perf_counter()
        found = pm.adam(1.0, 200, seed=1) - pm.adam(-1.0, 200, seed=2)
        adam = time.perf_counter() - t0
        print(f"   {qubit:>5} {after:>5} {r.delta:>10.6f} {found:>10.6f} {(r.delta - found) / r.delta:>9.1e} "
              f"{ours:>9.3f} {adam:>9.2f} {adam / ours:>7.0f}x")  # fmt: skip


def bench_landscape(n: int, reps: int) -> None:
    qc = efficient_su2(n, reps=reps, insert_barriers=True)
    params = np.random.default_rng(0).uniform(0, 2 * np.pi, qc.num_parameters)
    H = zz_chain(n)
    print(f"\n3. landscape map: EfficientSU2({n}, reps={reps}), every qubit x every layer boundary; {load()}")
    t0, c0 = time.perf_counter(), time.process_time()
    L = gate_landscape(qc, H, parameters=params)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    mid = L.positions[len(L.positions) // 2]
    pm = PaperMethod(qc.assign_parameters(params), H, n // 2, mid)
    t0 = time.perf_counter()
    pm.adam(1.0, 2, seed=0)
    per_eval = (time.perf_counter() - t0) / pm.evaluations
    paper = per_eval * 7 * 200 * 2 * L.delta.size
    print(f"   ours: {L.delta.size} Δ ({L.delta.shape[0]} x {L.delta.shape[1]}) in {ours:.2f} s "
          f"({ours_cpu:.2f} s CPU); "
          f"Δ from {L.delta.min():.3g} to {L.delta.max():.3g}")  # fmt: skip
    print(f"   paper's method: {per_eval * 1e3:.2f} ms per evaluation (mid-circuit position) -> "
          f"{paper:.0f} s estimated for the map; ratio {paper / ours:.0f}x")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="14 qubits instead of 20, 8-qubit map")
    ap.add_argument("--adam-steps-measured", type=int, default=2)
    a = ap.parse_args()
    n, mapn = (14, 8) if a.quick else (20, 12)
    bench_one_delta(n, 200, a.adam_steps_measured)
    bench_accuracy()
    bench_landscape(mapn, 10)


if __name__ == "__main__":
    main()
