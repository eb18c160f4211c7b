"""Strict JSON output: non-finite floats become ``null``.

Python's ``json`` writes ``NaN``/``Infinity`` by default, which is not JSON (RFC 8259): strict parsers
(``jq``, JavaScript's ``JSON.parse``, ``json.loads(..., parse_constant=...)``) reject it. Every JSON the
package writes (``--json`` output, ``results/verify.json``, ``figure5.json``) goes through :func:`dumps`:
a quantity that is undefined (the standard error of one sample, the upper end of an exact Δ) is ``null``.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["finite_or_none", "dumps"]


def finite_or_none(obj: Any) -> Any:
    """``obj`` with every non-finite float replaced by None, recursively.

    Dicts, lists and tuples are walked (tuples become lists); numpy integers and arrays become Python
    ints and lists (``np.float64`` is a ``float`` and stays one).

    Parameters
    ----------
    obj : object
        What is about to be written as JSON.

    Returns
    -------
    object

    Examples
    --------
    >>> import numpy as np
    >>> finite_or_none({"mean": 0.5, "stderr": float("nan"), "ci": (1.0, float("inf")), "n": np.int64(4)})
    {'mean': 0.5, 'stderr': None, 'ci': [1.0, None], 'n': 4}
    >>> finite_or_none(np.array([1.0, np.nan]))
    [1.0, None]
    """
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_none(v) for v in obj]
    try:  # numpy scalars and arrays, without importing numpy here
        import numpy as np

        if isinstance(obj, np.floating):
            return finite_or_none(float(obj))
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.ndarray):
            return finite_or_none(obj.tolist())
    except ImportError:  # pragma: no cover
        pass
    return obj


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`finite_or_none` ``(obj)`` with ``allow_nan=False``: never emits NaN/Infinity.

    Parameters
    ----------
    obj : object
        What to write.
    **kwargs
        Passed to ``json.dumps`` (``indent``, ``default``, ...).

    Returns
    -------
    str

    Examples
    --------
    >>> dumps({"upper_mean": float("nan"), "n": 4})
    '{"upper_mean": null, "n": 4}'
    """
    return json.dumps(finite_or_none(obj), allow_nan=False, **kwargs)
