"""Sensitivity analysis: indices of test functions with known answers, and the sweep report.

Known answers are computed here from their formulas (Ishigami and Homma 1990; Sobol' and
Levitan 1999 for the variances), not copied from a run.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import latin
from SALib.sample import sobol as saltelli
from typer.testing import CliRunner

from sim.batch import (
    InlineExecutor,
    analyse_sweep,
    load_sweep_results,
    make_sweep,
    run_sweep,
    sensitivity_indices,
)
from sim.batch.analyse import indices_for, main_effects
from sim.batch.store import RunRecord, SweepStore
from sim.cli import app

A, B = 7.0, 0.1
PI = math.pi
ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Analytic first-order and total Sobol indices of the Ishigami function."""
    v1 = 0.5 * (1 + B * PI**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = 8 * B**2 * PI**8 / 225
    v = v1 + v2 + v13
    return np.array([v1, v2, 0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_indices_of_the_ishigami_function():
    x = saltelli.sample(ISHIGAMI, 1024, calc_second_order=False, seed=3)
    table = indices_for("sobol", ISHIGAMI, pd.DataFrame(x, columns=ISHIGAMI["names"]), ishigami(x), 3, None)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(table["S1"], s1, atol=0.05)
    np.testing.assert_allclose(table["ST"], st, atol=0.05)
    assert (table["ST_conf"] < 0.1).all()
    # The analytic value lies within (about) the reported confidence interval.
    assert (np.abs(table["ST"] - st) < 2 * table["ST_conf"] + 0.01).all()


def test_rbd_fast_first_order_indices_of_the_ishigami_function():
    x = latin.sample(ISHIGAMI, 2000, seed=5)
    table = indices_for(
        "rbd_fast", ISHIGAMI, pd.DataFrame(x, columns=ISHIGAMI["names"]), ishigami(x), 5, None
    )
    s1, _ = ishigami_indices()
    np.testing.assert_allclose(table["S1"], s1, atol=0.08)


def test_main_effects_of_an_additive_function_on_a_grid():
    levels = [-1.0, 0.0, 1.0]
    grid = pd.DataFrame([(a, b) for a in levels for b in levels], columns=["a", "b"])
    y = (grid["a"] + 2 * grid["b"]).to_numpy()
    var_level = np.var(levels)
    s1 = main_effects(grid, y)
    assert s1["a"] == pytest.approx(var_level / (5 * var_level))
    assert s1["b"] == pytest.approx(4 * var_level / (5 * var_level))


def test_morris_elementary_effects_of_a_linear_function():
    problem = {"num_vars": 3, "names": ["p", "q", "r"], "bounds": [[0, 1]] * 3}
    from SALib.sample import morris

    x = morris.sample(problem, 10, num_levels=4, seed=1)
    y = 2 * x[:, 0] - x[:, 1]
    table = indices_for("morris", problem, pd.DataFrame(x, columns=problem["names"]), y, 1, 4)
    np.testing.assert_allclose(table["mu_star"], [2, 1, 0], atol=1e-9)
    np.testing.assert_allclose(table["mu"], [2, -1, 0], atol=1e-9)
    np.testing.assert_allclose(table["sigma"], 0, atol=1e-9)


def test_indices_from_a_sweep_folder_follow_the_sample_order_and_average_seeds(tmp_path):
    """Write Ishigami 'runs' into a sweep folder: the indices read back match the direct ones."""
    spec = {
        "parameters": {
            "behaviour.formal_use_intercept": {"low": -PI, "high": PI},
            "behaviour.burn_intercept": {"low": -PI, "high": PI},
            "behaviour.separation_intercept.pet": {"low": -PI, "high": PI},
        },
        "design": {"method": "sobol", "samples": 16},
        "replications": 2,
        "indicators": ["recycling_rate"],
        "overrides": {"time.end_year": 2025},
    }
    sweep = make_sweep(spec)
    store = SweepStore.open(tmp_path, sweep, resume=False)
    x = sweep.samples.to_numpy()
    y = ishigami(x)
    order = np.random.default_rng(0).permutation(len(x))  # finish in any order
    for sample in order:
        for rep, seed in enumerate(sweep.seeds):
            noise = 0.5 if rep == 0 else -0.5  # averages out over the two seeds
            table = pd.DataFrame({"year": [2025], "seed": [seed], "recycling_rate": [y[sample] + noise]})
            record = RunRecord(sweep.hash, int(sample), rep, seed, "ok", None, 0.0, "test", "", {})
            store.save(record, table)
    indices, notes = sensitivity_indices(tmp_path)
    assert notes == []
    direct = indices_for("sobol", sweep.problem(), sweep.samples, y, sweep.spec.seed, None)
    np.testing.assert_allclose(indices["S1"], direct["S1"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(indices["ST"], direct["ST"], rtol=1e-9, atol=1e-12)
    assert list(indices["parameter"]) == list(spec["parameters"])


@pytest.fixture(scope="module")
def small_sobol(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Sobol sweep of the model: 2 inputs, 4 base samples (16 runs), 2025-2026."""
    out = tmp_path_factory.mktemp("sobol") / "sweep"
    spec = {
        "name": "small sobol",
        "scale": 0.005,
        "overrides": {"time.end_year": 2026},
        "parameters": {
            "behaviour.formal_use_intercept": None,
            "collection.fee_usd_per_household_month": {"low": 0.5, "high": 3.0},
        },
        "design": {"method": "sobol", "samples": 4},
        "indicators": ["collection_rate", "mismanaged_rate", "households"],
    }
    run_sweep(make_sweep(spec), out, executor=InlineExecutor())
    return out


def test_analyse_writes_indices_and_a_self_contained_report(small_sobol, tmp_path):
    result = analyse_sweep(small_sobol, out=tmp_path)
    indices = pd.read_csv(result.indices_csv)
    assert result.year == 2026
    assert set(indices.columns) >= {
        "method",
        "indicator",
        "year",
        "parameter",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
    }
    assert set(indices["method"]) == {"sobol"}
    # Households do not depend on these inputs: no indices, and a note saying so.
    assert "households" not in set(indices["indicator"])
    assert any("households" in n and "does not vary" in n for n in result.notes)
    assert len(indices) == 2 * 2 * 2  # indicators x years x inputs
    page = result.report_html.read_text(encoding="utf-8")
    assert re.search(r"<script[^>]*\bsrc=", page) is None  # nothing fetched: works offline
    assert re.search(r"plotly\.js v\d", page) and len(page) > 1_000_000  # plotly.js inline
    assert page.count("<h2>") >= 4 and "Runs (2026)" in page
    results = load_sweep_results(small_sobol)
    assert len(results) == 16 * 2


def test_analyse_command_prints_indices_and_rejects_bad_input(small_sobol, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["analyse", str(small_sobol), "--out", str(tmp_path), "--year", "2025"])
    assert ok.exit_code == 0, ok.output
    assert "sobol ST, 2025" in ok.output and "report.html" in ok.output
    bad_year = runner.invoke(app, ["analyse", str(small_sobol), "--year", "2040"])
    assert bad_year.exit_code == 2 and "--year 2040" in bad_year.output
    not_a_sweep = runner.invoke(app, ["analyse", str(tmp_path / "nothing")])
    assert not_a_sweep.exit_code == 2 and "not a sweep folder" in not_a_sweep.output
