"""Numerical experiments: random instances of the paper's tasks, E[Δ] estimates, resumable sweeps.

This floor turns the exact machinery below it (states, circuits, Δ and its certificates, the bounds)
into statistics over random circuits: one configuration (:class:`RunConfig`: task, ensemble, case, q,
A, seed) fixes the law and the seed of every sample; a sample reduces one random instance to K or M
and Δ; an estimate or a sweep collects samples and puts their mean next to every bound that applies.

Modules:

* :mod:`.tasks` -- the choices (TASKS, CASES, ENSEMBLES, PAPER_ENSEMBLE), :class:`RunConfig`, the
  seeding rule, the task at n sites (:class:`TaskSpec`) and the bounds that apply;
* :mod:`.instances` -- one random instance: draw V1/V2, reduce to K, T or M, then Δ;
* :mod:`.estimate` -- :func:`estimate_variation_range`: E[Δ] with a 95 % CI and the bounds;
  :func:`estimate_k_frobenius_sq`: sampled E||K||_F² against its 2-design value;
* :mod:`.statistics` -- sample statistics, :func:`summarize` of results, the slope fit;
* :mod:`.store` -- the results file (JSON Lines): read, check, repair, append under a lock;
* :mod:`.executors` -- serial, local-process and Dask executors of a sweep;
* :mod:`.sweep` -- :class:`SweepSpec` and :func:`run_sweep` (resumable, deterministic);
* :mod:`.resources` -- the memory one sample needs, checked before a sweep starts;
* :mod:`.user_circuit` -- your own Qiskit/OpenQASM circuit: Δ of any gate, E[Δ], the landscape map.

The names below are imported on first use, so ``import weingarten_check.experiments`` stays cheap.

Examples
--------
>>> from weingarten_check.experiments import RunConfig, estimate_variation_range
>>> e = estimate_variation_range("qsl", "haar", "v1", n=4, samples=4, seed=1)
>>> e.samples, e.exact, sorted(e.bounds)
(4, True, ['elementwise', 'paper_theorem1', 'proposition2', 'qudit_theorem1', 'route1', 'task_dependent'])
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    # tasks
    "TASKS",
    "CASES",
    "ENSEMBLES",
    "ENSEMBLE_CHOICES",
    "PAPER_ENSEMBLE",
    "CONFIG_FIELDS",
    "resolve_ensemble",
    "check_ensemble_q",
    "RunConfig",
    "ConfigFields",
    "record_config_key",
    "config_entropy",
    "sample_rng",
    "TaskSpec",
    "task_spec",
    "bounds_for",
    "lower_bounds_for",
    # instances
    "PATHS",
    "STREAMED_ISOMETRY_MIN_ENTRIES",
    "SampleMatrices",
    "sample_cost_matrices",
    "variation_range_sample_result",
    "variation_range_sample",
    # estimate
    "VariationRangeEstimate",
    "estimate_variation_range",
    "KFrobeniusEstimate",
    "estimate_k_frobenius_sq",
    # statistics
    "mean_ci95",
    "SummaryRow",
    "summarize",
    "PREDICTED_SLOPE",
    "SlopeFit",
    "fit_log_slope_se",
    # store
    "SCHEMA",
    "CorruptResultsError",
    "ResultsLockedError",
    "ResultsFileError",
    "check_regular_file",
    "record_crc",
    "encode_record",
    "read_results",
    "repair_results",
    "ResultsWriter",
    # executors
    "Executor",
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "ExecutorLostError",
    "make_executor",
    "PARENT_POLL_INTERVAL",
    "DASK_CONNECT_TIMEOUT",
    # sweep
    "SweepSpec",
    "SweepResult",
    "StoredSampleMismatchError",
    "SampleFn",
    "SampleJob",
    "default_sample_fn",
    "run_job",
    "missing_samples",
    "iter_missing_samples",
    "run_sweep",
    "JOB_BATCH",
    # resources
    "sample_bytes",
    "available_memory",
    "largest_n",
    "check_sweep_memory",
    "MemoryCheckError",
    # user_circuit
    "GateVariationRange",
    "gate_variation_range",
    "ExpectedGateVariationRange",
    "expected_gate_variation_range",
    "GateLandscape",
    "gate_landscape",
]

#: the module that defines each name of ``__all__`` (tests/test_tasks.py checks they agree)
_MODULES = {
    "tasks": (
        "TASKS",
        "CASES",
        "ENSEMBLES",
        "ENSEMBLE_CHOICES",
        "PAPER_ENSEMBLE",
        "CONFIG_FIELDS",
        "resolve_ensemble",
        "check_ensemble_q",
        "RunConfig",
        "ConfigFields",
        "record_config_key",
        "config_entropy",
        "sample_rng",
        "TaskSpec",
        "task_spec",
        "bounds_for",
        "lower_bounds_for",
    ),
    "instances": (
        "PATHS",
        "STREAMED_ISOMETRY_MIN_ENTRIES",
        "SampleMatrices",
        "sample_cost_matrices",
        "variation_range_sample_result",
        "variation_range_sample",
    ),
    "estimate": (
        "VariationRangeEstimate",
        "estimate_variation_range",
        "KFrobeniusEstimate",
        "estimate_k_frobenius_sq",
    ),
    "statistics": (
        "mean_ci95",
        "SummaryRow",
        "summarize",
        "PREDICTED_SLOPE",
        "SlopeFit",
        "fit_log_slope_se",
    ),
    "store": (
        "SCHEMA",
        "CorruptResultsError",
        "ResultsLockedError",
        "ResultsFileError",
        "check_regular_file",
        "record_crc",
        "encode_record",
        "read_results",
        "repair_results",
        "ResultsWriter",
    ),
    "executors": (
        "Executor",
        "SerialExecutor",
        "ProcessExecutor",
        "DaskExecutor",
        "ExecutorLostError",
        "make_executor",
        "PARENT_POLL_INTERVAL",
        "DASK_CONNECT_TIMEOUT",
    ),
    "sweep": (
        "SweepSpec",
        "SweepResult",
        "StoredSampleMismatchError",
        "SampleFn",
        "SampleJob",
        "default_sample_fn",
        "run_job",
        "missing_samples",
        "iter_missing_samples",
        "run_sweep",
        "JOB_BATCH",
    ),
    "resources": (
        "sample_bytes",
        "available_memory",
        "largest_n",
        "check_sweep_memory",
        "MemoryCheckError",
    ),
    "user_circuit": (
        "GateVariationRange",
        "gate_variation_range",
        "ExpectedGateVariationRange",
        "expected_gate_variation_range",
        "GateLandscape",
        "gate_landscape",
    ),
}
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
