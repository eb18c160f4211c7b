"""The ``delta`` command: Δ of one gate of your own OpenQASM 2 circuit, E[Δ] over its angles, a landscape map.

Qubits are Qiskit's (``--qubits 2`` is ``q[2]``; in an ``--observable`` Pauli label the rightmost
character is qubit 0).  The computation is
:func:`weingarten_check.experiments.user_circuit.gate_variation_range` (and
:func:`~weingarten_check.experiments.user_circuit.expected_gate_variation_range`,
:func:`~weingarten_check.experiments.user_circuit.gate_landscape`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .args import UsageError, int_list, writable_file
from .output import emit

__all__ = ["add_delta_parsers", "cmd_delta"]


def _observable(spec: str, n: int):
    """``--observable``: a Pauli sum, ``fidelity`` (target |0...0>), or a .npy file with a dense matrix."""
    import numpy as np

    from ..states.observable_specs import observable_from_spec

    text = spec.strip()
    if text.lower() == "fidelity":
        target = np.zeros(2**n, dtype=complex)
        target[0] = 1.0
        return None, target
    try:
        if text.endswith(".npy"):
            path = Path(text)
            if not path.is_file():
                raise ValueError(f"no such file {text!r}")
            return observable_from_spec(np.load(path, allow_pickle=False), n, "observable"), None
        return observable_from_spec(text, n, "observable"), None
    except (TypeError, ValueError) as exc:
        msg = str(exc).removeprefix("observable: ").removeprefix("observable ")
        raise UsageError(f"--observable: {msg}") from None


def cmd_delta(args: argparse.Namespace) -> int:
    """``weingarten-check delta``: the variation range of one gate of an OpenQASM 2 circuit.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (the options of ``weingarten-check delta --help``).

    Returns
    -------
    int
        The exit code: 0.

    Raises
    ------
    UsageError
        For bad input, with a message naming the option (``main`` turns it into exit code 2).
    """
    from ..circuits.qiskit_io import free_gate_angles, load_circuit
    from ..experiments.user_circuit import expected_gate_variation_range, gate_landscape, gate_variation_range
    from ..states.observable_specs import qubit_sites

    try:
        qc = load_circuit(args.qasm, name="circuit")
    except (TypeError, ValueError) as exc:
        raise UsageError(f"--qasm: {str(exc).removeprefix('circuit: ')}") from None
    n = qc.num_qubits
    if n < 2:
        raise UsageError(f"--qasm: the circuit must have at least 2 qubits, got {n}")
    qubits = int_list(args.qubits, "--qubits")
    try:
        qubit_sites(qubits, n, "--qubits")
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc).replace("--qubits must", "--qubits: must")) from None
    if len(qubits) >= n:
        raise UsageError(f"--qubits: must leave at least one of the {n} qubits outside the free gate")
    observable, target = _observable(args.observable, n)
    if args.after is None and args.gate is None:
        raise UsageError("--after/--gate: give one (--after K inserts a free gate, --gate I frees instruction I)")
    ndata = len(qc.data)
    if args.after is not None and not 0 <= args.after <= ndata:
        raise UsageError(f"--after: must be in [0, {ndata}] (the circuit has {ndata} instructions), got {args.after}")
    if args.gate is not None and not 0 <= args.gate < ndata:
        raise UsageError(f"--gate: must be an instruction index in [0, {ndata - 1}], got {args.gate}")
    if args.samples is not None and args.samples < 2:
        raise UsageError(f"--samples: must be >= 2, got {args.samples}")
    map_path = writable_file(args.map, "--map") if args.map else None
    try:
        r = gate_variation_range(qc, observable, qubits, after=args.after, gate=args.gate, target=target, rng=args.seed)
    except ValueError as exc:
        msg = str(exc)
        option = "--gate" if msg.startswith("gate ") else "--qasm"
        raise UsageError(f"{option}: {msg}") from None
    payload = r.as_dict()
    where = f"after instruction {r.after}" if r.gate is None else f"instruction {r.gate} freed"
    if r.exact:
        value = f"Δ = {r.delta:.12g} (exact, {r.method})"
    else:
        value = f"{r.lower:.12g} <= Δ <= {r.upper:.12g} (certified, {r.certificate})"
    lines = [f"qubits {','.join(map(str, r.qubits))}, {where}: {value}; current cost {r.cost:.12g}"]
    if args.samples is not None:
        free = free_gate_angles(qc)
        if free.num_parameters == 0:
            raise UsageError("--samples: the circuit has no gate angles to sample")
        e = expected_gate_variation_range(
            free, observable, qubits, after=args.after, gate=args.gate, target=target,
            samples=args.samples, seed=args.seed, moments="auto",
        )  # fmt: skip
        payload["mean"] = e.mean
        payload["ci95"] = list(e.ci95)
        if e.second_moment_exact is not None:
            payload["expected_K_frobenius_sq"] = e.second_moment_exact
            payload["moments_bound"] = e.bounds["moments"]
        else:
            payload["moments_unsupported"] = e.moments_note
        bounds = ", ".join(f"{k} {v:.6g}" for k, v in e.haar_bounds.items())
        lines.append(
            f"E[Δ] over {e.samples} draws of its {free.num_parameters} angles (uniform on [0, 2π), seed {e.seed}): "
            f"{e.mean:.6g}, 95% CI [{e.ci95[0]:.6g}, {e.ci95[1]:.6g}]"
        )
        lines.append(f"bounds on E[Δ] if V1 or V2 were Haar (w = {e.width:.6g}): {bounds}")
        if e.second_moment_exact is not None:
            lines.append(
                f"exact E‖K‖²_F over the same uniform angles = {e.second_moment_exact} (≈ {e.second_moment:.6g}); "
                f"bound for this circuit E[Δ] <= {e.bounds['moments']:.6g}"
            )
        else:
            lines.append(f"exact E‖K‖²_F not available: {e.moments_note}")
    if map_path is not None:
        from ..reporting.figures import plot_gate_landscape

        L = gate_landscape(qc, observable, target=target)
        plot_gate_landscape(L, map_path)
        lines.append(f"landscape map ({len(L.qubits)} qubits x {len(L.positions)} positions): {map_path}")
    emit(args, payload, "\n".join(lines))
    return 0


def add_delta_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the ``delta`` subcommand to ``sub``, the subparsers of the top-level parser.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="weingarten-check").add_subparsers()
    >>> add_delta_parsers(sub)
    >>> a = sub.choices["delta"].parse_args(["--qasm", "c.qasm", "--observable", "ZZ", "--qubits", "1", "--after", "3"])
    >>> a.qubits, a.after, a.gate, a.handler is cmd_delta
    ('1', 3, None, True)
    """
    p = sub.add_parser(
        "delta",
        help="variation range of one gate of your own OpenQASM 2 circuit",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Δ = max - min of the cost <0|U† H U|0> over a free unitary on --qubits, inserted after the\n"
        "first K instructions (--after K) or replacing instruction I (--gate I): exact for one qubit,\n"
        "a certified bracket for two or more. Qubits are Qiskit's: in a Pauli label the rightmost\n"
        "character is qubit 0.",
        epilog="examples:\n"
        "  weingarten-check delta --qasm circuit.qasm --observable '1.0*ZZIII + 0.5*XIXII' --qubits 2 --after 10\n"
        "  weingarten-check delta --qasm circuit.qasm --observable ZZIII --qubits 2,3 --gate 7 --json\n"
        "  weingarten-check delta --qasm circuit.qasm --observable fidelity --qubits 0 --after 0 --samples 100\n"
        "  weingarten-check delta --qasm circuit.qasm --observable ZZIII --qubits 0 --after 0 --map map.png",
    )
    p.add_argument("--qasm", required=True, metavar="FILE", help="OpenQASM 2 file")
    p.add_argument(
        "--observable",
        required=True,
        metavar="SPEC",
        help="Pauli sum such as '1.0*ZZIII + 0.5*XIXII - 0.7*IIZIZ' (rightmost character = qubit 0), "
        "'fidelity' (cost 1 - |<0...0|U|0...0>|²), or a .npy file holding a dense Hermitian matrix",
    )
    p.add_argument("--qubits", required=True, metavar="Q", help="qubits of the free gate, comma separated (e.g. 2,3)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--after", type=int, metavar="K", help="insert the free gate after the first K instructions")
    where.add_argument("--gate", type=int, metavar="I", help="free instruction I (it must act on exactly --qubits)")
    p.add_argument(
        "--samples",
        type=int,
        metavar="N",
        help="also E[Δ] over N draws of every gate angle, i.i.d. uniform on [0, 2π), with a 95%% CI, and, where "
        "the gates allow it, the exact E‖K‖²_F of those draws and the bound on E[Δ] it gives",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the draws and of the optimiser (default 0)")
    p.add_argument("--map", metavar="PNG", help="also draw the landscape map (Δ per qubit and layer) to this PNG")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_delta)
