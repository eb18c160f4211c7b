"""experiments.tasks: the configuration record, the one list of choices, the task at n sites and the
bounds that apply to it."""

from __future__ import annotations

import dataclasses
import pickle
import zlib

import numpy as np
import pytest

from weingarten_check.experiments.tasks import (
    CASES,
    CONFIG_FIELDS,
    ENSEMBLE_CHOICES,
    ENSEMBLES,
    PAPER_ENSEMBLE,
    TASKS,
    RunConfig,
    bounds_for,
    config_entropy,
    record_config_key,
    sample_rng,
    task_spec,
)


def test_task_spec_numbers():
    s = task_spec("vqe", 6)
    assert (
        s.coupling == pytest.approx(6 * 2**6)
        and s.state_coupling == 0.5
        and s.w == pytest.approx(6 - (-11.2111025509), abs=1e-8)
    )
    assert task_spec("qae", 5).w == 1 and task_spec("qsl", 5, q=3).w == 1
    assert task_spec("qae", 5, site=3).coupling == 0  # discarded site 0 not in A


def test_elementwise_bound_follows_the_case():
    """Route 2 proves w dA^(5/2)/sqrt(d+1) when V1 is a 2-design, but only w dA^3/sqrt(d+1) when
    only V2 is (Lemma 5.5): bounds_for must report the one that is proved for the case."""
    spec = task_spec("vqe", 6, 2)
    d = 2**6
    b1, _ = bounds_for(spec, "haar", "v1")
    b2, _ = bounds_for(spec, "haar", "v2")
    assert np.isclose(b1["elementwise"], spec.w * 2**2.5 / np.sqrt(d + 1))
    assert np.isclose(b2["elementwise"], spec.w * 2**3 / np.sqrt(d + 1))


def test_bounds_without_w_beyond_the_ground_state_limit():
    """VQE at n = 24 qubits: w(H) is out of reach of the sector Lanczos (2.7e6 states), so w = NaN,
    the bounds that need w are left out and the task-dependent bound (no w) stays: 12/sqrt(d+1)."""
    spec = task_spec("vqe", 24, 2)
    assert np.isnan(spec.w)
    b, note = bounds_for(spec, "haar", "v1")
    assert set(b) == {"task_dependent"} and "w(H) not computable" in note
    assert b["task_dependent"] == pytest.approx(12 / np.sqrt(2**24 + 1))
    assert np.isfinite(task_spec("vqe", 12, 2).w)


def test_one_list_of_choices():
    assert TASKS == ("vqe", "qae", "qsl") and CASES == ("v1", "v2", "both")
    assert ENSEMBLES == ("haar", "hea", "local1", "clifford", "orthogonal", "real-hea", "brickwork")
    assert ENSEMBLE_CHOICES == ("paper", *ENSEMBLES)
    assert set(PAPER_ENSEMBLE) == set(TASKS) and set(PAPER_ENSEMBLE.values()) <= set(ENSEMBLES)


def test_run_config_key_seed_and_record_fields():
    """The key, the record fields (m only when != 1) and the seed stream are what sweeps wrote before the
    record existed: SweepSpec.config_key(), its config dict and sample_rng(seed, n, i, config_entropy(...))."""
    c = RunConfig("qae", "haar", "v2", q=3, site=1, seed=4)
    assert c.key() == ("qae", "haar", "v2", 3, 1, 1, 4, None) == tuple(getattr(c, f) for f in CONFIG_FIELDS)
    assert c.record_fields() == {"task": "qae", "ensemble": "haar", "case": "v2", "q": 3, "site": 1, "seed": 4}
    assert RunConfig.from_record(c.record_fields() | {"n": 5, "index": 2}) == c
    assert record_config_key(c.record_fields()) == c.key()
    assert c.entropy() == config_entropy("qae", "haar", "v2", 3, 1)
    assert np.array_equal(
        c.rng(5, 2).random(4), sample_rng(4, 5, 2, config_entropy("qae", "haar", "v2", 3, 1)).random(4)
    )
    two = dataclasses.replace(c, m=2)
    assert two.sites == (1, 2) and two.record_fields()["m"] == 2 and record_config_key(two.record_fields())[5] == 2
    assert two.entropy() == config_entropy("qae", "haar", "v2", 3, 1, (1, 2)) != c.entropy()
    assert pickle.loads(pickle.dumps(c)) == c and hash(c) == hash(RunConfig("qae", "haar", "v2", 3, 1, 1, 4))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.seed = 5


def test_run_config_layers_are_a_separate_key_and_stream():
    """layers None (the default depth) keeps the record fields and the stream of a configuration that never
    had a depth; an explicit depth is a field of the record, of the key and of the seed, even at 10 n."""
    base = RunConfig("vqe", "hea", "v1", seed=2)
    assert "layers" not in base.record_fields() and base.entropy() == config_entropy("vqe", "hea", "v1", 2, 0)
    deep = RunConfig("vqe", "hea", "v1", seed=2, layers=40)
    assert deep.record_fields() == base.record_fields() | {"layers": 40}
    assert record_config_key(deep.record_fields()) == deep.key() != base.key()
    assert RunConfig.from_record(deep.record_fields() | {"n": 4, "index": 0}) == deep
    entropies = {base.entropy(), deep.entropy(), dataclasses.replace(deep, layers=41).entropy()}
    assert len(entropies) == 3
    assert deep.entropy() == zlib.crc32(b"vqe/hea/v1/2/0/L=40")
    assert not np.array_equal(base.rng(4, 0).random(3), deep.rng(4, 0).random(3))
    brick = RunConfig("qae", "brickwork", "both", layers=0)
    assert brick.layers == 0 and brick.key()[-1] == 0
    for ensemble in ("haar", "local1", "clifford"):
        with pytest.raises(ValueError, match="layers is only for the finite-depth ensembles hea, brickwork"):
            RunConfig("vqe", ensemble, "v1", layers=3)
    with pytest.raises(ValueError, match="layers"):
        RunConfig("vqe", "hea", "v1", layers=-1)
    with pytest.raises(TypeError, match="layers"):
        RunConfig("vqe", "hea", "v1", layers=2.0)


def test_run_config_resolves_paper_and_task_spec_is_cached():
    assert [RunConfig(t, "paper", "v1").ensemble for t in TASKS] == ["hea", "hea", "local1"]
    c = RunConfig("vqe", "haar", "v1", m=2)
    spec = c.task_spec(5)
    assert spec.sites == (0, 1) and spec.n == 5 and c.task_spec(5) is spec


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(task="vqa"), ValueError, r"task must be one of \('vqe', 'qae', 'qsl'\), got 'vqa'"),
        (dict(ensemble="gue"), ValueError, "ensemble must be one of"),
        (dict(case="v3"), ValueError, "case must be one of"),
        (dict(q=1), ValueError, "q must be an int >= 2"),
        (dict(q=2.5), TypeError, "q must be an int"),
        (dict(site=-1), ValueError, "site must be an int >= 0"),
        (dict(m=0), ValueError, "m must be an int >= 1"),
        (dict(seed=True), TypeError, "seed must be an int"),
        (dict(ensemble="clifford", q=3), ValueError, "qubits only"),
        (dict(ensemble="real-hea", q=3), ValueError, "'real-hea' is for qubits only"),
    ],
)
def test_run_config_rejects_bad_input(kwargs, exc, match):
    base = dict(task="vqe", ensemble="haar", case="v1")
    with pytest.raises(exc, match=match):
        RunConfig(**(base | kwargs))


def test_check_n():
    c = RunConfig("vqe", "haar", "v1", site=2, m=2)
    assert c.check_n(np.int64(5)) == 5
    with pytest.raises(ValueError, match="n must be > m = 2"):
        c.check_n(2)
    with pytest.raises(ValueError, match=r"site \+ m must be <= n"):
        c.check_n(3)


def test_experiments_package_reexports_every_public_name():
    """experiments/__init__: __all__ is the union of the modules' __all__, each name from its module."""
    import importlib

    import weingarten_check.experiments as E

    names = []
    for module, exported in E._MODULES.items():
        mod = importlib.import_module(f"weingarten_check.experiments.{module}")
        assert list(exported) == list(mod.__all__), module
        names += exported
        for name in exported:
            assert getattr(E, name) is getattr(mod, name)
    assert names == E.__all__ and len(set(names)) == len(names)


@pytest.mark.parametrize("ensemble", ["orthogonal", "real-hea"])
def test_real_ensembles_get_the_orthogonal_bound_not_the_unitary_ones(ensemble):
    """Haar O(d) is not a unitary 2-design (Lemma 16.2): bounds_for gives the O(d) bound of Lemma 16 and
    none of the unitary 2-design bounds.  VQE v1: 2√2 √(20/(d + 2)) = 4√10/√(d + 2) (Lemma 16.5), above
    the unitary 12/√(d + 1) from n = 4 on; QSL keeps Proposition 2 (O(d) is a 1-design)."""
    from weingarten_check.theory.orthogonal import orthogonal_task_dependent_bound

    spec = task_spec("vqe", 6)
    d = 2**6
    b, note = bounds_for(spec, ensemble, "v1")
    assert set(b) == {"orthogonal_task_dependent"} and "not implied" in note
    assert b["orthogonal_task_dependent"] == pytest.approx(4 * np.sqrt(10) / np.sqrt(d + 2))
    assert b["orthogonal_task_dependent"] > bounds_for(spec, "haar", "v1")[0]["task_dependent"]
    for case in ("v2", "both"):
        got = bounds_for(spec, ensemble, case)[0]["orthogonal_task_dependent"]
        assert got == pytest.approx(orthogonal_task_dependent_bound(case, spec.observable, spec.sites))
    b, _ = bounds_for(task_spec("qsl", 5), ensemble, "both")
    assert set(b) == {"orthogonal_task_dependent", "proposition2"} and b["proposition2"] == pytest.approx(2**-3)


def test_real_hea_does_not_converge_to_haar_on_o_d():
    """R_Y + CZ circuits keep invariants that Haar O(d) lacks: QAE, V1 random, n = 6, L = 60 = 10 n layers,
    100 seeded samples — the 95 % CI of E[Δ] lies above the O(d) bound that exact Haar O(d) satisfies
    (README: the mean stays at 0.49 for L = 60 … 600, against 0.22 for Haar O(d)).  So bounds_for labels
    the bound "for comparison only" for real-hea."""
    from weingarten_check.experiments.estimate import estimate_variation_range

    e = estimate_variation_range("qae", "real-hea", "v1", n=6, samples=100, seed=0)
    assert e.ci95[0] > e.bounds["orthogonal_task_dependent"] and "for comparison only" in e.note
    o = estimate_variation_range("qae", "orthogonal", "v1", n=6, samples=100, seed=0)
    assert o.ci95[1] < e.ci95[0]
