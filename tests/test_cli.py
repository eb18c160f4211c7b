"""Command line interface (weingarten_check.cli): every command, --json, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from weingarten_check import cli
from weingarten_check.experiments import executors
from weingarten_check.experiments.store import read_results

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import fake_sampler_fixture, run  # noqa: E402,F401 (a fixture, used as fake_sampler)


@pytest.mark.parametrize(
    "argv, option",
    [
        (["sweep", "--task", "vqa", "--n", "4"], "--task"),
        (["sweep", "--task", "vqe", "--case", "v3", "--n", "4"], "--case"),
        (["sweep", "--task", "vqe", "--ensemble", "gue", "--n", "4"], "--ensemble"),
        (["sweep", "--task", "vqe", "--n", "4", "--q", "1"], "--q"),
        (["sweep", "--task", "vqe", "--n", "1,4"], "--n"),
        (["sweep", "--task", "vqe", "--n", "4-x"], "--n"),
        (["sweep", "--task", "vqe", "--n", "4", "--samples", "0"], "--samples"),
        (["sweep", "--task", "vqe", "--n", "4", "--workers", "0"], "--workers"),
        (["sweep", "--task", "vqe", "--n", "3", "--site", "3"], "--site"),
        (["sweep", "--task", "vqe", "--n", "4", "--q", "two"], "--q"),
        (["sweep", "--n", "4"], "--task"),
        (["figure5", "--q", "1"], "--q"),
        (["figure5", "--results", "/nonexistent/r.jsonl"], "--results"),
        (["figure5", "--errorbars", "sd"], "--errorbars"),
        (["verify", "--samples", "1", "--no-lemmas"], "--samples"),
        (["verify", "--q", "1", "--no-lemmas"], "--q"),
        (["wg", "2,1", "--d", "0"], "--d"),
        (["integrate", "--i", "a", "--j", "0"], "--i"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(capsys, argv, option):
    try:  # argparse-level errors exit through SystemExit, ours return 2
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("weingarten-check ")
    assert option in err and "Traceback" not in err


@pytest.mark.parametrize("target", ["sweep", "verify", "figure5"])
def test_unwritable_output(capsys, tmp_path, target, fake_sampler):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a directory")
    option = "--results"
    if target == "sweep":
        code, out, err = run(capsys, "sweep", "--task", "vqe", "--n", "4", "--results", str(blocker / "r.jsonl"))
    elif target == "verify":
        code, out, err = run(capsys, "verify", "--no-lemmas", "--results", str(blocker / "out"))
    else:
        res = str(tmp_path / "r.jsonl")
        assert (
            run(
                capsys,
                "sweep",
                "--task",
                "qsl",
                "--ensemble",
                "haar",
                "--n",
                "3",
                "--samples",
                "2",
                "--results",
                res,
                "--no-progress",
            )[0]
            == 0
        )
        code, out, err = run(capsys, "figure5", "--results", res, "--out", str(blocker / "fig"))
        option = "--out"
    assert code == 2 and f"{option}: cannot write" in err and err.count("\n") == 1


def test_sweep_resume_and_json(capsys, tmp_path, fake_sampler):
    res = str(tmp_path / "r.jsonl")
    args = [
        "sweep",
        "--task",
        "vqe,qsl",
        "--case",
        "all",
        "--ensemble",
        "haar",
        "--n",
        "3-5:2",
        "--samples",
        "3",
        "--results",
        res,
        "--no-progress",
    ]
    code, out, err = run(capsys, *args, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["computed"] == 2 * 3 * 2 * 3 and data["reused"] == 0
    assert {(r["task"], r["case"], r["n"]) for r in data["summary"]} == {
        (t, c, n) for t in ("vqe", "qsl") for c in ("v1", "v2", "both") for n in (3, 5)
    }
    code, out, err = run(capsys, *args)
    assert code == 0 and out.startswith("0 samples computed, 36 reused")
    assert len(read_results(res)) == 36


def test_sweep_reports_corrupt_file(capsys, tmp_path, fake_sampler):
    res = tmp_path / "r.jsonl"
    args = [
        "sweep",
        "--task",
        "vqe",
        "--ensemble",
        "haar",
        "--n",
        "3",
        "--samples",
        "4",
        "--results",
        str(res),
        "--no-progress",
    ]
    assert run(capsys, *args)[0] == 0
    lines = res.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"value":', '"value":2')
    res.write_text("".join(lines))
    code, out, err = run(capsys, *args)
    assert code == 2 and "r.jsonl, line 2: checksum mismatch" in err and err.count("\n") == 1
    code, out, err = run(capsys, "figure5", "--results", str(res))
    assert code == 2 and "line 2" in err


def test_sweep_repair_torn_line(capsys, tmp_path, fake_sampler):
    res = tmp_path / "r.jsonl"
    args = [
        "sweep",
        "--task",
        "qae",
        "--ensemble",
        "haar",
        "--n",
        "3",
        "--samples",
        "2",
        "--results",
        str(res),
        "--no-progress",
    ]
    assert run(capsys, *args)[0] == 0
    with open(res, "a") as fh:
        fh.write('{"case":"v1","ensem')
    code, out, err = run(capsys, *args)
    assert code == 2 and "line 3: incomplete last line" in err
    code, out, err = run(capsys, *args, "--repair")
    assert code == 0 and "dropped 19 bytes" in err and out.startswith("0 samples computed, 2 reused")


def test_figure5_command(capsys, tmp_path, fake_sampler, monkeypatch):
    from weingarten_check.reporting import figures

    monkeypatch.setattr(
        figures, "bounds_and_width", lambda t, e, c, n, q, site=0, m=1: (1.0, {"paper_theorem1": 2 ** (5 - n / 2)})
    )
    res = str(tmp_path / "r.jsonl")
    assert (
        run(
            capsys,
            "sweep",
            "--task",
            "all",
            "--case",
            "v1",
            "--ensemble",
            "haar",
            "--n",
            "3,4",
            "--samples",
            "3",
            "--results",
            res,
            "--no-progress",
        )[0]
        == 0
    )
    code, out, err = run(
        capsys, "figure5", "--results", res, "--out", str(tmp_path / "f5"), "--json", "--bounds", "all"
    )
    assert code == 0
    data = json.loads(out)
    assert [f.rsplit(".", 1)[1] for f in data["files"]] == ["png", "pdf", "json"]
    assert len(data["series"]) == 3
    code, out, err = run(capsys, "figure5", "--results", res, "--q", "3", "--out", str(tmp_path / "f5q3"))
    assert code == 2 and "--q: the results hold no samples for q = 3" in err


def test_verify_command_writes_report(capsys, tmp_path, monkeypatch):
    from weingarten_check.reporting import verify_report as report

    def fake_run_verify(**kw):
        return report.VerifyReport(
            [report.LemmaRow("L1", "s", "q>=2", "failed", 0.1)], [], [], "now", 0.1, {"python": "3"}
        )

    monkeypatch.setattr(report, "run_verify", fake_run_verify)
    code, out, err = run(capsys, "verify", "--results", str(tmp_path / "res"))
    assert code == 1 and "**FAIL**" in out
    assert (tmp_path / "res" / "verify.md").exists() and (tmp_path / "res" / "verify.json").exists()
    code, out, err = run(capsys, "verify", "--results", str(tmp_path / "res"), "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["failures"] == ["lemma L1: failed"]


def test_proofs_command_rejects_an_xfail_lemma(capsys, monkeypatch):
    """proofs exits 1 unless every selected lemma passed; xfail is not a pass (same rule as verify)."""
    from weingarten_check.reporting import proofs_report

    statuses = []
    monkeypatch.setattr(
        proofs_report,
        "run_proofs",
        lambda extra_pytest_args=(), progress=None: [
            proofs_report.LemmaResult(str(i), "s", "d", st, 0.1) for i, st in enumerate(statuses)
        ],
    )
    statuses[:] = ["passed", "passed"]
    code, out, err = run(capsys, "proofs", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    statuses[:] = ["passed", "xfail"]
    code, out, err = run(capsys, "proofs", "--json")
    assert code == 1 and json.loads(out)["ok"] is False


def test_wg_and_integrate_json(capsys):
    code, out, err = run(capsys, "wg", "2", "--d", "d", "--json")
    import sympy

    d = sympy.Symbol("d")
    wg = sympy.sympify(json.loads(out)["values"][0]["wg"], locals={"d": d})
    assert code == 0 and sympy.simplify(wg + 1 / (d * (d**2 - 1))) == 0
    code, out, err = run(capsys, "integrate", "--i", "0,0", "--j", "0,0", "--d", "3", "--json")
    assert code == 0 and json.loads(out)["value"] == "1/6"


def test_help_has_examples_for_every_command():
    for cmd in ("verify", "proofs", "sweep", "figure5", "wg", "integrate"):
        out = subprocess.run(
            [sys.executable, "-m", "weingarten_check.cli", cmd, "--help"], capture_output=True, text=True, check=True
        ).stdout
        assert "examples:" in out and f"weingarten-check {cmd}" in out


def test_sweep_on_a_dask_scheduler(capsys, tmp_path, fake_sampler):
    """--scheduler ADDRESS goes through dask.distributed.Client (in-process LocalCluster here)."""
    distributed = pytest.importorskip("dask.distributed")
    res = str(tmp_path / "r.jsonl")
    args = [
        "sweep",
        "--task",
        "qae",
        "--ensemble",
        "haar",
        "--n",
        "3,4",
        "--samples",
        "3",
        "--results",
        res,
        "--no-progress",
        "--json",
    ]
    assert run(capsys, *args)[0] == 0
    serial = {(r["n"], r["index"]): r["value"] for r in read_results(res)}
    res2 = str(tmp_path / "r2.jsonl")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        code, out, err = run(
            capsys, *args[:-4], "--results", res2, "--no-progress", "--json", "--scheduler", cluster.scheduler_address
        )
    assert code == 0 and json.loads(out)["executor"] == "dask"
    assert {(r["n"], r["index"]): r["value"] for r in read_results(res2)} == serial


def test_unreachable_scheduler_is_a_usage_error(capsys, tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", "1s")
    code, out, err = run(
        capsys,
        "sweep",
        "--task",
        "qae",
        "--n",
        "3",
        "--results",
        str(tmp_path / "r.jsonl"),
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--no-progress",
    )
    assert code == 2 and err.startswith("weingarten-check sweep: error: --scheduler: cannot connect")


def test_proofs_command_runs_the_real_suite(capsys):
    """`proofs --select` runs pytest on proofs/ through proofs_report (a fast subset)."""
    pytest.importorskip("weingarten_check.reporting.proofs_report")
    code, out, err = run(capsys, "proofs", "--select", "lemma_7_3 or lemma_7_4", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True
    assert {r["lemma"] for r in data["lemmas"]} == {"7.3", "7.4"}
    assert all(r["mutants"] >= 1 for r in data["lemmas"])


def test_sweep_workers_match_serial_with_the_real_sampler(capsys, tmp_path):
    """--workers 2 (spawned processes, real experiments sampler) gives the serial values bit for bit."""
    pytest.importorskip("weingarten_check.experiments.tasks")
    common = [
        "sweep",
        "--task",
        "vqe,qsl",
        "--ensemble",
        "haar",
        "--n",
        "3,4",
        "--samples",
        "3",
        "--no-progress",
        "--json",
    ]
    assert run(capsys, *common, "--results", str(tmp_path / "a.jsonl"))[0] == 0
    code, out, err = run(capsys, *common, "--results", str(tmp_path / "b.jsonl"), "--workers", "2")
    assert code == 0 and json.loads(out)["executor"] == "processes"
    key = lambda r: (r["task"], r["n"], r["index"])  # noqa: E731
    a = {key(r): r["value"] for r in read_results(tmp_path / "a.jsonl")}
    b = {key(r): r["value"] for r in read_results(tmp_path / "b.jsonl")}
    assert len(a) == 12 and a == b
