"""Plain-text tables printed by the command line.

The command modules of :mod:`weingarten_check.cli` compute and print; the layout of their tables lives
here. (The lemma table is :func:`weingarten_check.reporting.proofs_report.format_table`, the verify
report :func:`weingarten_check.reporting.verify_report.format_markdown`, the figure5 summary
:func:`weingarten_check.reporting.figures.format_figure5_summary`, next to what they format.)
"""

from __future__ import annotations

from typing import Any

__all__ = ["format_sweep_summary"]


def format_sweep_summary(payload: dict[str, Any]) -> str:
    """The text ``weingarten-check sweep`` prints: counts, then one row per (task, ensemble, case, q, m, n).

    The ``m`` column appears only when some row has m >= 2, the ``L`` column (depth; "10n" for the default)
    only when some row has a ``layers``, the ``widest bracket`` column and a footnote
    only when some E[Δ] is the lower end of a certified bracket (dA >= 3, Lemma 12 of
    proofs/DERIVATION.md).

    Parameters
    ----------
    payload : dict
        The command's ``--json`` output: keys ``results`` (the file), ``executor``, ``computed``,
        ``reused``, ``seconds`` and ``summary``, a list of rows with keys ``task``, ``ensemble``,
        ``case``, ``q``, ``m``, ``n``, ``samples``, ``mean``, ``stderr``, ``exact``, ``w``, ``ratio``,
        ``tightest_bound`` and ``max_width``.

    Returns
    -------
    str

    Examples
    --------
    >>> row = dict(task="qsl", ensemble="local1", case="v1", q=2, m=1, n=4, samples=3, mean=0.125,
    ...            stderr=0.0125, exact=True, w=1.0, ratio=0.5, tightest_bound="proposition2", max_width=0.0)
    >>> payload = dict(results="results/sweep.jsonl", executor="serial", computed=3, reused=0, seconds=0.5,
    ...                summary=[row])
    >>> print(format_sweep_summary(payload))
    3 samples computed, 0 reused from results/sweep.jsonl (serial, 0.5 s)
    <BLANKLINE>
    task  ensemble case   q   n samples        E[Δ]    stderr    E[Δ]/w  E[Δ]/bound
    qsl   local1   v1     2   4       3  1.2500e-01  1.25e-02 1.250e-01  0.50 (proposition2)
    """
    summary = payload["summary"]
    show_m = any(row["m"] != 1 for row in summary)  # the column appears only for m >= 2 sweeps
    show_L = any(row.get("layers") is not None for row in summary)  # only for sweeps with --layers
    show_width = any(not row["exact"] for row in summary)
    lines = [
        f"{payload['computed']} samples computed, {payload['reused']} reused from {payload['results']} "
        f"({payload['executor']}, {payload['seconds']:.1f} s)",
        "",
        f"{'task':5} {'ensemble':8} {'case':5} {'q':>2} "
        + (f"{'m':>2} " if show_m else "")
        + (f"{'L':>4} " if show_L else "")
        + f"{'n':>3} {'samples':>7} {'E[Δ]':>11} {'stderr':>9} {'E[Δ]/w':>9}  E[Δ]/bound"
        + ("  widest bracket" if show_width else ""),
    ]
    for row in summary:
        mean = f"{row['mean']:.4e}" + ("" if row["exact"] else "†")
        stderr = f"{row['stderr']:.2e}" if row["samples"] > 1 else "n/a"  # undefined for one sample
        ratio = (
            f"{row['ratio']:.2f} ({row['tightest_bound']})"
            if row["ratio"] is not None
            else f"— ({row['tightest_bound']} = 0)"
            if row["tightest_bound"]
            else "— (no bound applies)"
        )
        lines.append(
            f"{row['task']:5} {row['ensemble']:8} {row['case']:5} {row['q']:>2} "
            + (f"{row['m']:>2} " if show_m else "")
            + (f"{'10n' if row.get('layers') is None else row['layers']:>4} " if show_L else "")
            + f"{row['n']:>3} "
            f"{row['samples']:>7} {mean:>11} {stderr:>9} "
            f"{format(row['mean'] / row['w'], '>9.3e') if row['w'] else '—':>9}  {ratio}"
            + (f"  {row['max_width']:.1e}" if show_width and not row["exact"] else "")
        )
    if any(not row["exact"] for row in summary):
        lines.append(
            "† lower end of a certified bracket (dA >= 3, Lemma 12); the ratio uses its proved upper end; "
            "widest bracket = the largest (upper - lower)/upper of one sample"
        )
    return "\n".join(lines)
