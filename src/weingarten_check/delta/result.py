"""The result type of every Δ computation: a value with its certificate."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["VariationRangeResult"]


@dataclass
class VariationRangeResult:
    """Δ with its certificate: ``lower <= Δ <= upper``.

    * ``exact`` (lower == upper) for the closed forms: ``method`` = "qubit" (``2(σ1+σ2)``, dA = 2)
      or "fidelity" (``||M||_1²``);
    * otherwise ``method`` = "certified" (dA >= 3, :func:`.certified_delta.delta_from_k`):
      ``lower`` = ``C(U_max) - C(U_min)`` at found unitaries (evaluated in mpmath), ``upper`` = a
      proved bound, ``certificate`` says which ("sdp-level1": exact rational dual certificate of the
      unital-channel SDP, Lemma 12; "sdp-level2": its degree-4 strengthening on at least one side;
      "nuclear": ``2||K||_*``, Lemma 3.3), ``gap`` =
      ``(upper - lower) / upper`` the achieved relative width.  ``value`` = ``lower`` (attained).
      ``timings``: seconds spent in optional stages (``"level2_solve"``, ``"level2_check"``: the
      first-order level-2 solve and its exact check, summed over the sides that needed it).
    """

    value: float
    lower: float
    upper: float
    exact: bool
    method: str
    K: np.ndarray | None = field(default=None, repr=False)
    M: np.ndarray | None = field(default=None, repr=False)
    certificate: str = ""
    gap: float = 0.0
    timings: dict = field(default_factory=dict, repr=False)
