"""Sweeps: sweep files and designs, the runner on every executor, failures, resume, results.

Runs here are tiny (0.5 % of households, 2025-2027); the numbers they check are compared between
executors and against direct calls of :func:`sim.run_scenario`, never against stored values.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim import default_scenario, run_scenario
from sim.batch import (
    InlineExecutor,
    SweepError,
    load_manifest,
    load_sweep,
    load_sweep_results,
    local_pool,
    make_sweep,
    run_sweep,
    simulate,
    summarise_sweep,
)
from sim.batch.runner import run_task, tasks
from sim.batch.store import MANIFEST_FILE, read_manifest_lines, run_path
from sim.cli import app
from sim.io import parameter_ranges

ROOT = Path(__file__).resolve().parent.parent
BASELINE_PATH = ROOT / "scenarios" / "phnom_penh_baseline.yaml"
INDICATORS = ["recycling_rate", "mismanaged_rate", "ghg_net_t_co2e"]


def tiny_spec(**changes: Any) -> dict[str, Any]:
    """A small sweep: 2 inputs (one a policy lever), Latin hypercube, 3 samples x 2 seeds."""
    spec = {
        "name": "tiny",
        "scale": 0.005,
        "overrides": {"time.end_year": 2027},
        "parameters": {
            "behaviour.value_coef": {"low": 0.5, "high": 3.0},
            "policies.collection_coverage.target_coverage": {"low": 0.6, "high": 1.0},
        },
        "design": {"method": "lhs", "samples": 3},
        "replications": 2,
        "seed": 7,
        "indicators": INDICATORS,
    }
    return {**spec, **changes}


@pytest.fixture(scope="module")
def tiny_done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sweep, run in this process (read-only for the tests)."""
    out = tmp_path_factory.mktemp("tiny") / "sweep"
    report = run_sweep(make_sweep(tiny_spec()), out, executor=InlineExecutor())
    assert (report.ok, report.failed) == (6, 0)
    return out


# --------------------------------------------------------------------------- designs


def test_grid_runs_every_combination_and_rounds_integers():
    spec = tiny_spec(
        parameters={
            "behaviour.neighbours": {"low": 4, "high": 9},
            "collection.fee_usd_per_household_month": {"values": [0.5, 1.0, 2.0]},
        },
        design={"method": "grid", "levels": 3},
    )
    sweep = make_sweep(spec)
    assert len(sweep.samples) == 9
    assert sorted(set(sweep.samples["behaviour.neighbours"])) == [4, 6, 9]  # 6.5 rounds to even
    assert sweep.samples["behaviour.neighbours"].dtype == np.int64
    assert sorted(set(sweep.samples["collection.fee_usd_per_household_month"])) == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    ("design", "expected"),
    [
        ({"method": "lhs", "samples": 5}, 5),
        ({"method": "sobol", "samples": 4}, 4 * (2 + 2)),
        ({"method": "morris", "samples": 3}, 3 * (2 + 1)),
    ],
)
def test_sampled_designs_have_the_documented_size_and_stay_in_range(design, expected):
    sweep = make_sweep(tiny_spec(design=design, replications=3))
    assert len(sweep.samples) == expected
    assert sweep.n_runs == 3 * expected
    for path, bounds in tiny_spec()["parameters"].items():
        values = sweep.samples[path]
        assert values.between(bounds["low"], bounds["high"]).all()
        assert values.nunique() > 1


def test_empty_parameter_takes_the_plausible_range_from_data():
    sweep = make_sweep(
        tiny_spec(parameters={"behaviour.norm_coef": None}, design={"method": "grid", "levels": 2})
    )
    low, high = parameter_ranges()["behaviour.norm_coef"]
    assert list(sweep.samples["behaviour.norm_coef"]) == [low, high]


def test_seeds_and_samples_are_reproducible_and_shared_across_samples():
    a, b = make_sweep(tiny_spec()), make_sweep(tiny_spec())
    assert a.seeds == b.seeds and a.hash == b.hash
    pd.testing.assert_frame_equal(a.samples, b.samples)
    assert len(set(a.seeds)) == 2
    c = make_sweep(tiny_spec(seed=8))
    assert c.seeds != a.seeds and c.hash != a.hash
    assert not np.allclose(c.samples.to_numpy(), a.samples.to_numpy())


def test_a_lever_not_in_the_base_scenario_can_be_swept():
    sweep = make_sweep(tiny_spec())
    assert sweep.base.policies.collection_coverage is None
    scenario = sweep.base.with_overrides(sweep.overrides(1))
    lever = scenario.policies.collection_coverage
    assert lever is not None
    assert lever.target_coverage == sweep.samples.loc[1, "policies.collection_coverage.target_coverage"]


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_sweep_files_are_valid_and_their_runs_work(path):
    sweep = load_sweep(path)
    assert sweep.n_runs > 0
    first = next(tasks(sweep))
    result = run_task(replace(first, scale=0.002))
    assert result.error is None
    assert list(result.table.columns) == ["year", "seed", *sweep.spec.indicators]


# --------------------------------------------------------------------------- bad sweep files

#: (id, sweep file text, parts the message must contain).
BAD_SWEEPS = [
    ("yaml-syntax", "parameters: [1, 2\n", ["not valid YAML", "line 2"]),
    ("not-a-mapping", "- 1\n", ["must be a mapping", "got list"]),
    (
        "unknown-field",
        "parametres: {}\ndesign: {method: lhs, samples: 2}\n",
        ["unknown field 'parametres'", "Allowed here", "parameters", "field 'parameters' is required"],
    ),
    (
        "unknown-path",
        "parameters:\n  behaviour.valu_coef: {low: 1, high: 2}\ndesign: {method: lhs, samples: 2}\n",
        ["unknown parameter 'behaviour.valu_coef'", "no field 'valu_coef'", "value_coef"],
    ),
    (
        "unknown-district",
        "parameters:\n  districts.Nowhere.collection_coverage: {low: 0.1, high: 0.2}\ndesign: {method: lhs, samples: 2}\n",
        ["unknown parameter 'districts.Nowhere.collection_coverage'", "no 'Nowhere'", "Chamkar Mon"],
    ),
    (
        "path-is-a-section",
        "parameters:\n  behaviour: {low: 1, high: 2}\ndesign: {method: lhs, samples: 2}\n",
        ["parameter 'behaviour' is a section"],
    ),
    (
        "value-out-of-bounds",
        "parameters:\n  behaviour.value_coef: {low: 1, high: 30}\ndesign: {method: lhs, samples: 2}\n",
        ["parameters.behaviour.value_coef", "30.0 is not allowed", "less than or equal to 20"],
    ),
    (
        "low-above-high",
        "parameters:\n  behaviour.value_coef: {low: 3, high: 1}\ndesign: {method: lhs, samples: 2}\n",
        ["parameters.behaviour.value_coef", "must be less than high"],
    ),
    (
        "unknown-method",
        "parameters:\n  behaviour.value_coef:\ndesign: {method: latin, samples: 2}\n",
        ["design.method", '"latin"', "'grid', 'lhs', 'sobol' or 'morris'"],
    ),
    (
        "sobol-not-power-of-2",
        "parameters:\n  behaviour.value_coef:\ndesign: {method: sobol, samples: 6}\n",
        ["power of 2", "got 6"],
    ),
    (
        "values-need-grid",
        "parameters:\n  behaviour.value_coef: {values: [1, 2]}\ndesign: {method: lhs, samples: 2}\n",
        ["lists values", "grid"],
    ),
    (
        "unknown-indicator",
        "parameters:\n  behaviour.value_coef:\ndesign: {method: lhs, samples: 2}\nindicators: [recycling_rat]\n",
        ["unknown indicator", "recycling_rat", "recycling_rate"],
    ),
    (
        "year-outside-run",
        "parameters:\n  behaviour.value_coef:\ndesign: {method: lhs, samples: 2}\nyears: [2070]\n",
        ["field 'years'", "2070", "2025-2050"],
    ),
    (
        "missing-scenario",
        "scenario: nowhere.yaml\nparameters:\n  behaviour.value_coef:\ndesign: {method: lhs, samples: 2}\n",
        ["field 'scenario'", "nowhere.yaml"],
    ),
]


@pytest.mark.parametrize(("text", "parts"), [c[1:] for c in BAD_SWEEPS], ids=[c[0] for c in BAD_SWEEPS])
def test_bad_sweep_files_exit_2_with_a_clear_message(tmp_path, text, parts):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    for part in [str(path), *parts]:
        assert part in message, f"{part!r} not in {result.output!r}"
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_sweep_file_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "no such sweep file" in result.output


# --------------------------------------------------------------------------- running


def test_results_hold_every_run_with_the_numbers_of_a_direct_run(tiny_done):
    sweep = make_sweep(tiny_spec())
    table = load_sweep_results(tiny_done)
    assert len(table) == 6 * 3  # runs x years
    assert list(table.columns[:4]) == ["sample", "rep", "seed", "year"]
    assert set(table["seed"]) == set(sweep.seeds)
    # Sample 2, second seed, against the same run made directly.
    direct = run_scenario(
        sweep.base.with_overrides(sweep.overrides(2)), seed=sweep.seeds[1], scale=0.005
    ).annual
    got = table[(table["sample"] == 2) & (table["rep"] == 1)].set_index("year")
    for name in INDICATORS:
        np.testing.assert_array_equal(got[name].to_numpy(), direct[name].to_numpy())
        assert (got["policies.collection_coverage.target_coverage"] == sweep.samples.loc[2].iloc[1]).all()
    # Seeds matter: the two replications of a sample differ.
    reps = table[table["sample"] == 0].pivot(index="year", columns="rep", values="mismanaged_rate")
    assert not np.allclose(reps[0], reps[1])


def test_manifest_records_each_run(tiny_done):
    manifest = load_manifest(tiny_done)
    assert len(manifest) == 6
    assert (manifest["status"] == "ok").all()
    assert manifest["error"].isna().all()
    assert (manifest["duration_s"] > 0).all()
    line = read_manifest_lines(tiny_done)[0]
    assert {"sweep_hash", "sample", "rep", "seed", "versions"} <= set(line)
    assert "mesa" in line["versions"]


def test_summary_gives_spread_by_year(tiny_done):
    table = load_sweep_results(tiny_done)
    summary = summarise_sweep(table)
    assert set(summary["indicator"]) == set(INDICATORS)
    assert (summary["runs"] == 6).all()
    assert (summary["p05"] <= summary["p50"]).all() and (summary["p50"] <= summary["p95"]).all()
    row = summary[(summary["year"] == 2027) & (summary["indicator"] == "recycling_rate")].iloc[0]
    assert row["mean"] == pytest.approx(table.loc[table["year"] == 2027, "recycling_rate"].mean())


def test_load_can_select_indicators_and_years(tiny_done):
    table = load_sweep_results(tiny_done, indicators=["recycling_rate"], years=[2026])
    assert set(table["year"]) == {2026}
    assert "mismanaged_rate" not in table.columns and "recycling_rate" in table.columns
    with pytest.raises(SweepError, match="not kept"):
        load_sweep_results(tiny_done, indicators=["dumped_t"])


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path):
    # start_year 2027 with end_year 2025 or 2026 is each value valid alone, but not together.
    spec = tiny_spec(
        parameters={"time.start_year": {"values": [2025, 2027]}, "time.end_year": {"values": [2025, 2026]}},
        design={"method": "grid"},
        replications=1,
    )
    report = run_sweep(make_sweep(spec), tmp_path / "out", executor=InlineExecutor())
    assert (report.ok, report.failed) == (2, 2)
    manifest = load_manifest(tmp_path / "out").set_index("sample")
    samples = make_sweep(spec).samples
    bad = samples["time.start_year"] > samples["time.end_year"]
    assert (manifest.loc[bad[bad].index, "status"] == "failed").all()
    assert manifest.loc[bad[bad].index, "error"].str.contains("end_year").all()
    assert (manifest.loc[bad[~bad].index, "status"] == "ok").all()
    table = load_sweep_results(tmp_path / "out")
    assert set(table["sample"]) == set(bad[~bad].index)


def test_existing_results_are_not_overwritten_without_resume(tiny_done, tmp_path):
    with pytest.raises(SweepError, match="--resume"):
        run_sweep(make_sweep(tiny_spec()), tiny_done, executor=InlineExecutor())
    with pytest.raises(SweepError, match="another sweep"):
        run_sweep(make_sweep(tiny_spec(seed=99)), tiny_done, executor=InlineExecutor(), resume=True)


def test_resume_reruns_only_runs_whose_results_are_missing(tiny_done, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(tiny_done, out)
    gone = run_path(out, 1, 0)
    gone.unlink()
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("runs/*/*/part.parquet")}
    report = run_sweep(make_sweep(tiny_spec()), out, executor=InlineExecutor(), resume=True)
    assert (report.skipped, report.ok, report.failed) == (5, 1, 0)
    assert gone.is_file()
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in before} == before
    pd.testing.assert_frame_equal(load_sweep_results(out), load_sweep_results(tiny_done))


@pytest.mark.slow
def test_same_numbers_in_process_on_a_local_pool_and_on_dask(tiny_done, tmp_path):
    from distributed import Client, LocalCluster

    reference = load_sweep_results(tiny_done)
    with local_pool(2) as pool:
        run_sweep(make_sweep(tiny_spec()), tmp_path / "pool", executor=pool)
    pd.testing.assert_frame_equal(load_sweep_results(tmp_path / "pool"), reference, check_exact=True)

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        report = run_sweep(
            make_sweep(tiny_spec()), tmp_path / "dask", executor=client.get_executor(pure=False)
        )
        hosts = set(load_manifest(tmp_path / "dask")["host"])
    assert report.ok == 6 and hosts
    pd.testing.assert_frame_equal(load_sweep_results(tmp_path / "dask"), reference, check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_resume_after_an_interrupted_sweep_recomputes_nothing_and_loses_nothing(tmp_path, sig):
    spec = tiny_spec(
        design={"method": "lhs", "samples": 8}, overrides={"time.end_year": 2026}, scenario=str(BASELINE_PATH)
    )
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "sim",
        "batch",
        str(sweep_file),
        "--workers",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    manifest = out / MANIFEST_FILE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.is_file() and manifest.read_text().count('"ok"') >= 3:
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail(f"the sweep ended before it could be interrupted: {proc.communicate()[1]}")
    os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "--resume" in stderr, stderr
    finished = {(r["sample"], r["rep"]) for r in read_manifest_lines(out) if r["status"] == "ok"}
    assert 3 <= len(finished) < 16, stderr
    before = {key: run_path(out, *key).stat() for key in finished}

    report = run_sweep(load_sweep(sweep_file), out, executor=InlineExecutor(), resume=True)
    assert report.skipped == len(finished)
    assert (report.ok, report.failed) == (16 - len(finished), 0)
    for key, stat in before.items():  # the same files, untouched
        now = run_path(out, *key).stat()
        assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    lines = [r for r in read_manifest_lines(out) if r["status"] == "ok"]
    assert sorted((r["sample"], r["rep"]) for r in lines) == sorted(
        (s, r) for s in range(8) for r in range(2)
    )  # every run once: none recomputed, none lost
    table = load_sweep_results(out)
    assert len(table) == 16 * 2 and not table[INDICATORS].isna().any().any()


# --------------------------------------------------------------------------- model function


def test_simulate_is_the_model_as_a_function_of_named_inputs():
    outcomes = simulate(
        scale=0.005,
        seed=3,
        time__end_year=2026,
        behaviour__value_coef=2.0,
        **{"collection.cost_usd_per_t": 20.0},
    )
    scenario = default_scenario().with_overrides(
        {"time.end_year": 2026, "behaviour.value_coef": 2.0, "collection.cost_usd_per_t": 20.0}
    )
    direct = run_scenario(scenario, seed=3, scale=0.005).annual
    assert outcomes["years"] == [2025, 2026]
    assert outcomes["recycling_rate"] == direct.loc[2026, "recycling_rate"]
    assert outcomes["ghg_net_t_co2e_by_year"] == direct["ghg_net_t_co2e"].tolist()


def test_the_ema_workbench_example_function_runs_without_the_workbench():
    path = ROOT / "examples" / "ema_example.py"
    spec = importlib.util.spec_from_file_location("ema_example", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    inputs = {module.name(p): float(np.mean(parameter_ranges()[p])) for p in module.UNCERTAINTIES}
    inputs[module.name("policies.collection_coverage.target_coverage")] = 0.9
    outcomes = module.phnom_penh(scale=0.005, end_year=2026, **inputs)
    for name in (*module.SCALARS, *module.SERIES):
        assert name in outcomes
    assert len(outcomes["mismanaged_rate_by_year"]) == 2
    assert json.dumps(outcomes)  # plain values any evaluator can store


# --------------------------------------------------------------------------- exit codes


@pytest.fixture
def inline_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """``batch`` runs its tasks in this process instead of a local pool (same code path, faster)."""
    import sim.batch.runner

    monkeypatch.setattr(sim.batch.runner, "local_pool", lambda workers=None: InlineExecutor())


#: start_year 2027 with end_year 2025 or 2026 fails as a run (each value is valid alone).
EXIT_CASES = {
    "all-ok": ([2025], [2026, 2027], 0, "2 runs finished, 0 failed"),
    "some-failed": ([2025, 2027], [2026, 2027], 3, "1 of 4 runs failed"),
    "all-failed": ([2027], [2025, 2026], 4, "Every run failed (2 of 2)"),
}


@pytest.mark.parametrize("case", list(EXIT_CASES))
def test_batch_exit_code_says_whether_runs_failed(tmp_path, inline_pool, case):
    starts, ends, code, says = EXIT_CASES[case]
    spec = tiny_spec(
        parameters={"time.start_year": {"values": starts}, "time.end_year": {"values": ends}},
        design={"method": "grid"},
        replications=1,
        scale=0.002,
    )
    spec.pop("overrides")
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(sweep_file), "--out", str(out), "--quiet"])
    assert result.exit_code == code, result.output
    text = " ".join(result.output.split())
    assert says in text
    assert ("Next: python -m sim analyse" in text) == (case != "all-failed")
    if code:
        assert str(out / MANIFEST_FILE) in text and "end_year" in text  # where the errors are, and the first
        failed = [r for r in read_manifest_lines(out) if r["status"] == "failed"]
        assert len(failed) == {"some-failed": 1, "all-failed": 2}[case]


def test_batch_help_documents_the_exit_codes():
    text = " ".join(CliRunner().invoke(app, ["batch", "--help"]).output.split())
    for part in ("0 every run finished", "3 some runs failed", "4 every run failed", "5 the Dask cluster"):
        assert part in text, text


# --------------------------------------------------------------------------- creating the folder


def test_a_sweep_killed_while_its_folder_is_created_can_be_resumed(tmp_path, inline_pool):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(tiny_spec(design={"method": "lhs", "samples": 2})), encoding="utf-8")
    out = tmp_path / "out"
    script = (
        "import os, sys, pandas\n"
        "original = pandas.DataFrame.to_parquet\n"
        "def dying(self, *args, **kwargs):\n"
        "    original(self, *args, **kwargs)\n"
        "    os._exit(9)  # killed just after samples.parquet, before sweep.json\n"
        "pandas.DataFrame.to_parquet = dying\n"
        "from sim.cli import main\n"
        f"sys.argv = ['sim', 'batch', {str(sweep_file)!r}, '--out', {str(out)!r}, '--quiet']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 9, proc.stderr
    result = CliRunner().invoke(app, ["batch", str(sweep_file), "--out", str(out), "--resume", "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(load_sweep_results(out)) == 4 * 3  # every run, every year
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "sweep.yaml"]  # no temporary left


def test_resume_finishes_a_folder_whose_creation_was_interrupted(tmp_path, inline_pool):
    sweep = make_sweep(tiny_spec(design={"method": "lhs", "samples": 2}))
    out = tmp_path / "out"
    out.mkdir()
    sweep.samples.reset_index().to_parquet(out / "samples.parquet")  # what an older version left
    with pytest.raises(SweepError, match=r"creation was interrupted.*--resume"):
        run_sweep(sweep, out, executor=InlineExecutor())
    report = run_sweep(sweep, out, executor=InlineExecutor(), resume=True)
    assert (report.ok, report.failed) == (4, 0)


def test_a_folder_with_other_files_is_never_taken_for_an_interrupted_sweep(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "samples.parquet").write_bytes(b"the user's own table")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SweepError, match="not a sweep folder"):
        run_sweep(make_sweep(tiny_spec()), out, executor=InlineExecutor(), resume=True)
    assert (out / "samples.parquet").read_bytes() == b"the user's own table"
