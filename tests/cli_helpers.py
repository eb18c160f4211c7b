"""Shared by the CLI tests: run ``weingarten-check`` in-process and capture what it prints."""

from __future__ import annotations

import pytest

from weingarten_check import cli
from weingarten_check.experiments import sweep as sw


def run(capsys, *argv):
    """``(exit code, stdout, stderr)`` of ``cli.main(argv)`` (argparse errors exit via SystemExit)."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(name="fake_sampler")
def fake_sampler_fixture(monkeypatch):
    """Replace the physics by a cheap deterministic sampler (the sweep machinery is what is tested)."""

    def fake(task, ensemble, case, n, *, q, site, rng):
        return float(rng.random()) * 2.0**-n

    monkeypatch.setattr(sw, "default_sample_fn", fake)
    return fake
