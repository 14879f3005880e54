"""``sim.compare`` and ``python -m sim compare``: common seeds, differences, intervals, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import InputError, load_scenario
from sim.cli import app
from sim.cli_common import USER_ERROR
from sim.compare import cell, compare_scenarios, format_value, uncertainty_notes
from sim.mapping import get_path
from sim.uncertainty import assumption_ranges, make_design

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


# ------------------------------------------------------------------ uncertainty

UNCERTAIN_YEARS = (2030, 2035)
UNCERTAIN_INDICATORS = [
    "collection_rate",
    "recycling_rate",
    "mismanaged_rate",
    "open_burned_t",
    "ghg_net_t_co2e",
]


@pytest.fixture(scope="module")
def island_pair():
    """The island to 2035, and the island with fines against burning (fast runs at full scale)."""
    island = load_scenario(SCENARIOS_DIR / "island_workshop.yaml").with_overrides({"time.end_year": 2035})
    fines = island.with_overrides({"policies.burning_enforcement.start_year": 2026})
    return island, fines


def uncertain(scenarios, draws=6, **kwargs):
    return compare_scenarios(
        scenarios,
        scale=1.0,
        years=UNCERTAIN_YEARS,
        indicators=UNCERTAIN_INDICATORS,
        uncertainty=draws,
        **kwargs,
    )


@pytest.fixture(scope="module")
def island_table(island_pair):
    return uncertain(island_pair)


def test_uncertainty_intervals_contain_the_central_run(island_table):
    table = island_table
    assert {"p05", "p95", "diff_p05", "diff_p95", "draws", "varied", "p_target"} <= set(table.columns)
    assert (table["draws"] == 6).all() and (table["varied"] > 0).all()
    assert (table["p05"] < table["p95"]).all()  # parameters and seeds vary
    inside = (table["p05"] <= table["mean"]) & (table["mean"] <= table["p95"])
    assert inside.all(), table.loc[~inside, ["scenario", "indicator", "year", "p05", "mean", "p95"]]


def test_differences_are_taken_draw_by_draw(island_pair, island_table):
    burned = island_table[(island_table["indicator"] == "open_burned_t") & (island_table["position"] == 1)]
    assert (burned["diff_p95"] < 0).all()  # fines cut burning in every draw's pair, not only on average
    same = uncertain([island_pair[0], island_pair[0]], draws=3)
    second = same[same["position"] == 1]
    assert (second["diff_p05"] == 0).all() and (second["diff_p95"] == 0).all()
    targets = second[
        second["indicator"].isin(["ghg_net_t_co2e", "mismanaged_rate"]) & (second["year"] == 2035)
    ]
    assert len(targets) == 2 and (targets["p_target"] == 0).all()  # no cut against itself
    first = same[same["position"] == 0]
    assert first["p_target"].isna().all()


def test_wider_assumption_ranges_give_wider_intervals(island_pair):
    island = island_pair[0]
    defaults = island.model_dump(mode="json")
    wide = assumption_ranges()
    narrow = {}
    for path, (low, high) in wide.items():
        mode = get_path(defaults, path)
        if mode is not None:  # half the distance to each end of the range
            narrow[path] = (
                (mode - (mode - low) / 2, mode + (high - mode) / 2) if low < mode < high else (low, high)
            )
    widths = {}
    for name, ranges in (("wide", wide), ("narrow", narrow)):
        design = make_design([island], 6, seed=9, ranges=ranges)
        table = uncertain([island], design=design)
        widths[name] = (table["p95"] - table["p05"]).to_numpy()
    assert (widths["wide"] > widths["narrow"]).all(), widths


def test_uncertainty_is_the_same_on_one_and_two_workers(island_pair):
    """The same numbers from a pool of two fresh processes as from this process, twice."""
    inline = uncertain(island_pair, draws=2)
    pd.testing.assert_frame_equal(inline, uncertain(island_pair, draws=2))
    pd.testing.assert_frame_equal(inline, uncertain(island_pair, draws=2, workers=2))


def test_uncertainty_notes_say_what_the_intervals_contain(island_table):
    notes = uncertainty_notes(island_table)
    assert "5-95 % over 6 common draws" in notes[0]
    assert any("2035 target" in line and "GHG" in line for line in notes)
    assert any("assumed target" in line for line in notes)
    row = island_table[
        (island_table["position"] == 1) & (island_table["indicator"] == "collection_rate")
    ].iloc[0]
    text = cell(row, with_interval=False, with_diff=True)
    assert text.startswith(format_value("fraction", row["mean"])) and text.count("[") == 2


@pytest.mark.parametrize(("option", "message"), [("1", "--uncertainty"), ("-2", "--uncertainty")])
def test_bad_uncertainty_options_are_input_errors(island_pair, option, message):
    with pytest.raises(InputError, match=message):
        uncertain(island_pair, draws=int(option))
    with pytest.raises(InputError, match="--workers"):
        uncertain(island_pair, workers=0)


def test_cli_adds_intervals_and_target_chances(tmp_path):
    out = tmp_path / "cmp"
    island = str(SCENARIOS_DIR / "island_workshop.yaml")
    args = ["compare", island, island, "--scale", "1", "--uncertainty", "2", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "5-95 % over 2 common draws" in result.output and "Chance of meeting the 2035" in result.output
    table = pd.read_csv(out / "comparison.csv")
    assert {"p05", "p95", "diff_p05", "diff_p95", "p_target"} <= set(table.columns)
    bad = CliRunner().invoke(app, ["compare", island, "--uncertainty", "1", "--quiet"])
    assert bad.exit_code == USER_ERROR and "--uncertainty" in bad.output
