"""``sim.uncertainty``: what is drawn, Latin hypercube draws, common draws, replicate tables, targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import DataError, default_scenario, load_scenario
from sim.io import parameter_ranges, provenance_table, read_table
from sim.mapping import get_path
from sim.uncertainty import (
    BEHAVIOUR_FIT_FILE,
    COMPOSITIONS,
    REPLICATE_PREFIX,
    TARGETS,
    Target,
    UncertaintyError,
    assumption_ranges,
    behaviour_fit_tables,
    chance_of_target,
    make_design,
    replicate_tables,
    used_inputs,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DRAWS = 10


@pytest.fixture(scope="module")
def baseline():
    return default_scenario()


@pytest.fixture(scope="module")
def island():
    return load_scenario(SCENARIOS / "island_workshop.yaml")


@pytest.fixture(scope="module")
def deposit():
    return load_scenario(SCENARIOS / "lever_deposit_return.yaml")


def fixture_rows(curve: str = "deposit", replicates: int = 5) -> list[dict]:
    """A tiny replicate table: two fields of a curve whose values move together by replicate."""
    rows = []
    for r in range(replicates + 1):
        rows.append(
            {
                "curve": curve,
                "parameter": "behaviour.value_coef",
                "replicate": r,
                "value": 1.0 + 0.1 * r,
                "unit": "logit",
            }
        )
        rows.append(
            {
                "curve": curve,
                "parameter": "behaviour.habit_coef",
                "replicate": r,
                "value": 2.0 - 0.1 * r,
                "unit": "logit",
            }
        )
        rows.append(
            {
                "curve": curve,
                "parameter": "behaviour.norm_coef",
                "replicate": r,
                "value": 1.5,
                "unit": "logit",
            }
        )
    return rows


# ------------------------------------------------------------------ what is drawn


def test_only_labelled_assumptions_with_a_range_are_drawn():
    assumed = {row["key"] for row in provenance_table() if row["source"].strip() == "ASSUMPTION"}
    ranges = parameter_ranges()
    drawn = assumption_ranges()
    assert drawn
    for row in read_table("parameters.csv"):
        key, cited = row["key"], set(row["source_key"].split("|"))
        expected = key in ranges and ranges[key][0] < ranges[key][1] and bool(cited & assumed)
        assert (key in drawn) == expected, key
        if expected:
            assert drawn[key] == ranges[key]
    assert not [k for k in drawn if k.startswith("time.")]


def test_a_scenario_draws_only_what_it_uses(baseline, island):
    ranges = assumption_ranges()
    base_params, _ = used_inputs(baseline, ranges, {})
    island_params, _ = used_inputs(island, ranges, {})
    island_data = island.model_dump(mode="json")
    defaults = baseline.model_dump(mode="json")
    for path in ranges:
        own = get_path(island_data, path) != get_path(defaults, path)
        if own:  # the island sets its own value: it no longer rests on the assumption
            assert path not in island_params, path
    assert set(island_params) < set(base_params)
    # No MRF in the baseline: its recovery share acts on nothing.
    assert "aggregation.mrf_recovery_share" in ranges
    assert "aggregation.mrf_recovery_share" not in base_params
    with_mrf = baseline.with_overrides({"policies.new_facilities.mrf_t_msw_per_day": 200.0})
    assert "aggregation.mrf_recovery_share" in used_inputs(with_mrf, ranges, {})[0]


def test_a_levers_own_parameters_are_never_drawn(deposit):
    ranges = {**assumption_ranges(), "policies.deposit_return.deposit_usd": (0.01, 0.2)}
    params, _ = used_inputs(deposit, ranges, {})
    assert not [p for p in params if p.startswith("policies.")]


# ------------------------------------------------------------------ the design


def test_latin_hypercube_draws_cover_each_stratum_once_and_peak_at_the_default(baseline):
    design = make_design([baseline], DRAWS, seed=7)
    defaults = baseline.model_dump(mode="json")
    for path, (low, high) in design.ranges.items():
        values = design.samples[path].to_numpy(dtype=float)
        assert ((low <= values) & (values <= high)).all(), path
        if pd.api.types.is_integer_dtype(design.samples[path]):
            continue  # rounded to whole numbers: strata merge
        mode = get_path(defaults, path)
        cdf = stats.triang.cdf(values, (mode - low) / (high - low), loc=low, scale=high - low)
        assert sorted(np.floor(cdf * DRAWS).astype(int)) == list(range(DRAWS)), path
    assert len(set(design.seeds)) == DRAWS


def test_the_same_seed_gives_the_same_draws(baseline):
    a = make_design([baseline], DRAWS, seed=3)
    b = make_design([baseline], DRAWS, seed=3)
    c = make_design([baseline], DRAWS, seed=4)
    pd.testing.assert_frame_equal(a.samples, b.samples)
    assert a.seeds == b.seeds
    assert not a.samples.equals(c.samples) and a.seeds != c.seeds


def test_common_draws_give_every_scenario_the_same_values(baseline, island, deposit):
    design = make_design([baseline, island, deposit], DRAWS, seed=11)
    for k in range(DRAWS):
        per_scenario = [design.overrides(k, sc) for sc in (baseline, island, deposit)]
        for one in per_scenario[1:]:
            for path, value in one.items():
                if path in per_scenario[0]:
                    assert per_scenario[0][path] == value
        assert per_scenario[0].items() <= per_scenario[2].items()  # the lever adds at most its curve
    # An input's draws do not depend on which other scenarios share the design.
    alone = make_design([island], DRAWS, seed=11)
    for path in alone.ranges:
        pd.testing.assert_series_equal(alone.samples[path], design.samples[path])
    assert alone.seeds == design.seeds


def test_drawn_values_reach_the_scenario(island):
    design = make_design([island], 3, seed=5)
    drawn = design.scenario(1, island).model_dump(mode="json")
    for path, value in design.overrides(1, island).items():
        assert get_path(drawn, path) == pytest.approx(value)


def test_drawn_shares_of_a_composition_keep_their_sum(baseline):
    data = baseline.model_dump(mode="json")
    checked = []
    for section in COMPOSITIONS:
        shares = get_path(data, section)
        design = make_design([baseline], DRAWS, seed=13)
        drawn = [p for p in design.ranges if p.rsplit(".", 1)[0] == section]
        if not drawn:
            continue
        checked.append(section)
        held = sum(v for k, v in shares.items() if f"{section}.{k}" not in drawn)
        for k in range(DRAWS):
            values = design.overrides(k, baseline)
            assert sum(values[p] for p in drawn) + held == pytest.approx(sum(shares.values()))
            design.scenario(k, baseline)  # validates
    assert checked, "no composition has a labelled-assumption share to draw"


def test_too_few_draws_or_an_empty_range_is_an_error(baseline):
    with pytest.raises(UncertaintyError, match="at least 2"):
        make_design([baseline], 1, seed=1)
    with pytest.raises(UncertaintyError, match=r"behaviour\.value_coef"):
        make_design([baseline], 4, seed=1, ranges={"behaviour.value_coef": (2.0, 2.0)})


# ------------------------------------------------------------------ replicate tables


def test_a_curve_is_drawn_jointly_by_replicate_and_only_where_its_lever_is_on(baseline, deposit):
    tables = replicate_tables(fixture_rows(), "fixture")
    table = tables["deposit"]
    assert table.lever == "deposit_return" and 0 not in table.values.index
    assert table.point == {
        "behaviour.habit_coef": 2.0,
        "behaviour.norm_coef": 1.5,
        "behaviour.value_coef": 1.0,
    }
    assert table.paths == ["behaviour.habit_coef", "behaviour.value_coef"]  # the fixed field is left out
    design = make_design([baseline, deposit], 8, seed=2, tables=tables)
    assert "behaviour.value_coef" not in design.ranges  # the fit supersedes the range
    assert design.inputs(baseline)[1] == [] and design.inputs(deposit)[1] == ["deposit"]
    assert design.varied(deposit) == design.varied(baseline) + 2
    replicates = design.samples[REPLICATE_PREFIX + "deposit"]
    assert set(replicates) <= set(range(1, 6)) and len(set(replicates)) >= 4
    for k in range(8):
        drawn = design.overrides(k, deposit)
        row = table.values.loc[int(replicates[k])]
        assert drawn["behaviour.value_coef"] == row["behaviour.value_coef"]
        assert drawn["behaviour.habit_coef"] == row["behaviour.habit_coef"]  # the pair moves together
        assert "behaviour.value_coef" not in design.overrides(k, baseline)


def test_the_fit_file_is_optional_and_read_when_there(tmp_path):
    assert behaviour_fit_tables(tmp_path) == {}
    pd.DataFrame(fixture_rows("bags", 3)).to_csv(tmp_path / BEHAVIOUR_FIT_FILE, index=False)
    tables = behaviour_fit_tables(tmp_path)
    assert list(tables) == ["bags"] and tables["bags"].lever == "bag_levy"
    assert len(tables["bags"].values) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: [{k: v for k, v in r.items() if k != "unit"} for r in rows], "missing column"),
        (lambda rows: [{**r, "value": "high"} if i == 3 else r for i, r in enumerate(rows)], "row 5"),
        (
            lambda rows: [{**r, "replicate": 1.5} if i == 3 else r for i, r in enumerate(rows)],
            "whole numbers",
        ),
        (lambda rows: [r for r in rows if r["replicate"] != 0], "replicate 0"),
        (lambda rows: rows[:-1], "lack some"),
    ],
)
def test_bad_replicate_tables_name_the_problem(change, message):
    with pytest.raises(DataError, match=message):
        replicate_tables(change(fixture_rows()), "fit.csv")


# ------------------------------------------------------------------ targets


def test_chance_of_a_target_is_the_share_of_draws_meeting_it_against_the_same_draw():
    target = Target("ghg_net_t_co2e", 2035, 0.5, "x")
    assert chance_of_target(target, [40.0, 60.0, 30.0, 90.0], [100.0, 100.0, 50.0, 200.0]) == 0.5
    assert chance_of_target(target, [1.0, 1.0], [-5.0, 4.0]) == 1.0  # a non-positive baseline is left out
    assert np.isnan(chance_of_target(target, [np.nan], [1.0]))


def test_targets_are_sourced_or_labelled_assumptions():
    provenance = {row["key"]: row for row in provenance_table()}
    for target in TARGETS:
        assert target.source_key in provenance, target
        assumption = provenance[target.source_key]["source"].strip() == "ASSUMPTION"
        assert assumption == target.assumed, target


def test_the_fitted_curves_are_drawn_where_their_levers_are_on(baseline, deposit):
    tables = behaviour_fit_tables()
    assert "deposit" in tables  # data/behaviour_fit.csv is shipped
    design = make_design([baseline, deposit], 4, seed=1)
    assert design.inputs(deposit)[1] == ["deposit"] and design.inputs(baseline)[1] == []
    assert design.varied(deposit) == design.varied(baseline) + len(tables["deposit"].paths)
