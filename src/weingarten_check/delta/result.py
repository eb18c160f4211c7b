"""The result type of every Δ computation: a value with its certificate (Lemmas 3.2, 7.2, 12)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["VariationRangeResult"]


@dataclass
class VariationRangeResult:
    """Δ with its certificate: ``lower <= Δ <= upper``.

    * ``exact`` (lower == upper) for the closed forms: ``method`` = "qubit" (``2(σ1+σ2)``, dA = 2,
      Lemma 3.2) or "fidelity" (``||M||_1²``, Lemma 7.2);
    * otherwise ``method`` = "certified" (dA >= 3, :func:`.certified.delta_from_k`):
      ``lower`` = ``C(U_max) - C(U_min)`` at found unitaries (evaluated in mpmath), ``upper`` = a
      proved bound, ``certificate`` says which ("sdp-level1": exact rational dual certificate of the
      unital-channel SDP, Lemmas 12.1-12.3; "sdp-level2": its degree-4 strengthening on at least one
      side, Lemma 12.4; "nuclear": an exactly checked bound on ``2||K||_*``, Lemma 3.3; "none": no
      upper end proved, ``upper = inf``), ``gap`` = ``(upper - lower) / upper``
      the achieved relative width.  ``value`` = ``lower`` (attained).

    Attributes
    ----------
    value, lower, upper : float
    exact : bool
    method : str
        "qubit", "fidelity" or "certified".
    K : numpy.ndarray or None
        The K matrix the result was computed from (not in the repr).
    M : numpy.ndarray or None
        The fidelity matrix (fidelity route only; not in the repr).
    certificate : str
        "closed-form", "sdp-level1", "sdp-level2", "nuclear", "none", "zero" or "" (fidelity).
    gap : float
    timings : dict
        Seconds spent in optional stages (``"level2_solve"``, ``"level2_check"``: the first-order
        level-2 solve and its exact check, summed over the sides that needed it).

    Examples
    --------
    >>> r = VariationRangeResult(2.0, 2.0, 2.0, True, "qubit", K=np.eye(3), certificate="closed-form")
    >>> r.value, r.exact, r.certificate, r.timings
    (2.0, True, 'closed-form', {})
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
