"""Every scenario file in ``scenarios/`` loads, validates and runs, so none of them rots.

Files are discovered by glob (``scenarios/*.yaml``; sweep files live in ``scenarios/sweeps/``
and are not scenarios). Each runs from its start year until its levers are in force (at least
two years, at most six), at a small scale, and must keep every run invariant. A scenario that is not
the baseline must also change something against the baseline run with the same seed, over the
same years: a lever or override that does nothing is a broken scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim import RunResult, Scenario, load_scenario
from sim.cli import app

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))
BASELINE_NAME = "phnom_penh_baseline.yaml"
SCALE = 0.005
SEED = 17


MAX_YEARS = 6


def short_horizon(scenario: Scenario) -> Scenario:
    """The scenario cut to two years, or until its last lever has started (at most six years).

    Args:
        scenario: A validated scenario.

    Returns:
        The shortened scenario.
    """
    start = scenario.time.start_year
    lever_starts = [lever.start_year for lever in scenario.policies.active()]
    end = min(scenario.time.end_year, start + MAX_YEARS - 1, max([start + 1, *lever_starts]))
    return scenario.with_overrides({"time.end_year": end})


def test_scenario_folder_is_found():
    assert SCENARIOS_DIR / BASELINE_NAME in SCENARIO_FILES


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_file_validates_from_the_command_line(path):
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "valid" in result.stdout


@pytest.fixture(scope="module")
def baseline_run(model_runner) -> Callable[[int, int], RunResult]:
    """The baseline's result over given years (same seed and scale), computed once per horizon."""
    cache: dict[tuple[int, int], RunResult] = {}

    def run(start: int, end: int) -> RunResult:
        if (start, end) not in cache:
            sc = load_scenario(SCENARIOS_DIR / BASELINE_NAME)
            sc = sc.with_overrides({"time.start_year": start, "time.end_year": end})
            cache[start, end] = model_runner(sc, SEED, SCALE)[1]
        return cache[start, end]

    return run


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_file_runs_a_short_horizon(path, model_runner, check_invariants, baseline_run):
    scenario = load_scenario(path)
    assert scenario.name and scenario.name != "unnamed", "give the scenario a name"
    assert scenario.description.strip(), "describe the scenario"
    short = short_horizon(scenario)
    model, result = model_runner(short, SEED, SCALE)
    check_invariants(model, result)
    assert (result.annual["generated_t"] > 0).all()
    if path.name == BASELINE_NAME:
        return
    reference = baseline_run(short.time.start_year, short.time.end_year)
    indicators = [c for c in result.timeseries.columns if c not in ("step", "year", "month", "date")]
    same = result.timeseries[indicators].equals(reference.timeseries[indicators])
    assert not same, f"{path.name} gives exactly the baseline's numbers"
