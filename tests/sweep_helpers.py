"""Module-level sample functions for tests/test_sweep.py (importable by worker processes)."""

from __future__ import annotations

import os
import time

import numpy as np


def fake_sample(task, ensemble, case, n, *, q, site, rng: np.random.Generator) -> float:
    """Deterministic given rng: a few draws, scaled so values differ across n."""
    x = rng.standard_normal(8)
    return float(abs(x).sum()) * 2.0 ** (-n)


def slow_fake_sample(task, ensemble, case, n, *, q, site, rng) -> float:
    """fake_sample plus a short sleep (so a subprocess can be killed mid-sweep)."""
    time.sleep(float(os.environ.get("WGC_TEST_SLEEP", "0.02")))
    return fake_sample(task, ensemble, case, n, q=q, site=site, rng=rng)


class FailAfter:
    """fake_sample that raises on call number k+1 (simulates a crash after k samples)."""

    def __init__(self, k: int):
        self.k = k
        self.calls = 0

    def __call__(self, task, ensemble, case, n, *, q, site, rng):
        self.calls += 1
        if self.calls > self.k:
            raise KeyboardInterrupt("simulated interruption")
        return fake_sample(task, ensemble, case, n, q=q, site=site, rng=rng)


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self, task, ensemble, case, n, *, q, site, rng):
        self.calls += 1
        return fake_sample(task, ensemble, case, n, q=q, site=site, rng=rng)
