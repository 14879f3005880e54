"""``sim.compare`` and ``python -m sim compare``: common seeds, differences, intervals, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import InputError, load_scenario
from sim.cli import USER_ERROR, app
from sim.compare import compare_scenarios, format_value

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"
BASELINE_PATH = SCENARIOS_DIR / "phnom_penh_baseline.yaml"

SHORT = {"time.end_year": 2030}


@pytest.fixture(scope="module")
def pair():
    base = load_scenario(BASELINE_PATH).with_overrides(SHORT)
    lever = load_scenario(SCENARIOS_DIR / "lever_burning_enforcement.yaml").with_overrides(SHORT)
    return base, lever


def test_table_has_one_row_per_scenario_indicator_and_year(pair):
    table = compare_scenarios(pair, scale=0.01, indicators=["open_burned_t", "mismanaged_rate"])
    assert set(table["scenario"]) == {sc.name for sc in pair}
    assert set(table["year"]) == {2030}  # 2035 and 2050 are outside these runs
    assert len(table) == 2 * 2
    first = table[table["position"] == 0]
    assert (first["diff"] == 0).all()
    burned = table[(table["indicator"] == "open_burned_t") & (table["position"] == 1)].iloc[0]
    assert burned["diff"] < 0  # fines against burning cut open burning
    assert burned["unit"] == "t"


def test_common_seeds_make_a_scenario_against_itself_exactly_zero(pair):
    base = pair[0]
    table = compare_scenarios([base, base], replications=2, scale=0.01, indicators=["recycling_rate"])
    assert (table["diff"] == 0).all()


def test_replications_give_an_interval_around_the_mean(pair):
    table = compare_scenarios(pair[:1], replications=3, scale=0.01, indicators=["open_burned_t"])
    row = table.iloc[0]
    assert row["runs"] == 3
    assert row["low"] <= row["mean"] <= row["high"]
    assert row["low"] < row["high"]  # three seeds differ


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replications": 0}, "--replications"),
        ({"scale": 1.5}, "--scale"),
        ({"indicators": ["happiness"]}, "happiness"),
    ],
)
def test_bad_arguments_raise_input_errors(pair, kwargs, message):
    with pytest.raises(InputError, match=message):
        compare_scenarios(pair, **kwargs)


def test_formatting_of_rates_and_differences():
    assert format_value("fraction", 0.1234) == "12.3 %"
    assert format_value("fraction", 0.012, signed=True) == "+1.2 pp"
    assert format_value("t", 12345.6, signed=True) == "+12,346"
    assert format_value("t", float("nan")) == "-"


def test_cli_prints_the_table_and_writes_csv(tmp_path, write_scenario):
    short = write_scenario({"time": {"end_year": 2030}}, name="short.yaml")
    lever = write_scenario(
        {
            "time": {"end_year": 2030},
            "name": "fines",
            "policies": {"burning_enforcement": {"start_year": 2026}},
        },
        name="fines.yaml",
    )
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(short),
            str(lever),
            "--scale",
            "0.01",
            "--replications",
            "2",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Openly burned" in result.output and "2030" in result.output
    table = pd.read_csv(out / "comparison.csv")
    assert {"scenario", "indicator", "year", "mean", "low", "high", "diff"} <= set(table.columns)
    assert (table["runs"] == 2).all()


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "no/such/file.yaml"],
        ["compare", str(BASELINE_PATH), "--replications", "0"],
        ["compare", str(BASELINE_PATH), "--scale", "0"],
    ],
)
def test_cli_bad_input_exits_with_code_2(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == USER_ERROR, result.output
