"""Scenario schema and loading: overrides, ``extends:``, immutability and readable errors.

The CLI side of bad files (exit code 2, no traceback, no output) is in ``test_cli.py``.
"""

from __future__ import annotations

import pydantic
import pytest

from sim import InputError, Scenario, ScenarioError, default_scenario, load_scenario
from sim.materials import MATERIALS, SeparationGroup


def without_names(scenario: Scenario) -> dict:
    """The scenario's inputs without its name and description."""
    data = scenario.model_dump(mode="json")
    data.pop("name")
    data.pop("description")
    return data


def test_baseline_is_phnom_penh_2025_2050_monthly(baseline: Scenario):
    assert baseline.name == "Phnom Penh baseline"
    assert len(baseline.districts) == 14
    assert (baseline.time.start_year, baseline.time.end_year, baseline.time.steps_per_year) == (
        2025,
        2050,
        12,
    )
    assert baseline.time.n_steps == 26 * 12
    assert set(baseline.materials) == set(MATERIALS)
    assert baseline.policies.active() == []  # business as usual: no lever in force


def test_baseline_lists_only_overrides_of_the_defaults(baseline: Scenario):
    assert without_names(baseline) == without_names(default_scenario())


def test_override_replaces_one_value_and_keeps_the_rest(write_scenario, baseline: Scenario):
    path = write_scenario({"name": "bigger", "city": {"population": 3_000_000}})
    sc = load_scenario(path)
    assert sc.name == "bigger"
    assert sc.city.population == 3_000_000
    assert sc.city.model_dump(exclude={"population"}) == baseline.city.model_dump(exclude={"population"})
    assert sc.districts == baseline.districts


def test_nested_mappings_merge_key_by_key(write_scenario, baseline: Scenario):
    path = write_scenario(
        {
            "districts": {"Kamboul": {"collection_coverage": 0.9}},
            "behaviour": {"separation_intercept": {"film": -3.0}},
        }
    )
    sc = load_scenario(path)
    assert sc.districts["Kamboul"].collection_coverage == 0.9
    assert sc.districts["Kamboul"].income_factor == baseline.districts["Kamboul"].income_factor
    assert sc.districts["Doun Penh"] == baseline.districts["Doun Penh"]
    assert sc.behaviour.separation_intercept[SeparationGroup.FILM] == -3.0
    assert (
        sc.behaviour.separation_intercept[SeparationGroup.PET]
        == baseline.behaviour.separation_intercept["pet"]
    )


def test_lists_replace_what_they_override(write_scenario):
    parent = write_scenario(
        {"policies": {"collection_coverage": {"districts": ["Kamboul", "Dangkao"]}}}, name="parent.yaml"
    )
    child = write_scenario(
        {"extends": parent.name, "policies": {"collection_coverage": {"districts": ["Praek Pnov"]}}},
        name="child.yaml",
        extends_baseline=False,
    )
    assert load_scenario(child).policies.collection_coverage.districts == ["Praek Pnov"]


def test_extends_chain_resolves_relative_paths(write_scenario):
    write_scenario({"name": "first", "city": {"population": 2_000_000}}, name="first.yaml")
    write_scenario(
        {"extends": "first.yaml", "collection": {"fee_usd_per_household_month": 2.0}},
        name="second.yaml",
        extends_baseline=False,
    )
    third = write_scenario(
        {"extends": "./second.yaml", "name": "third"}, name="third.yaml", extends_baseline=False
    )
    sc = load_scenario(third)
    assert sc.name == "third"
    assert sc.city.population == 2_000_000
    assert sc.collection.fee_usd_per_household_month == 2.0
    assert sc.time.end_year == 2050  # from the baseline at the root of the chain


def test_empty_file_means_the_defaults(write_scenario):
    path = write_scenario("# nothing but a comment\n")
    assert without_names(load_scenario(path)) == without_names(default_scenario())


def test_with_overrides_validates_and_digest_tells_inputs_apart(baseline: Scenario):
    changed = baseline.with_overrides({"collection.fee_usd_per_household_month": 2.0})
    assert changed.collection.fee_usd_per_household_month == 2.0
    assert changed.digest() != baseline.digest()
    assert baseline.with_overrides({}).digest() == baseline.digest()
    with pytest.raises(ScenarioError, match=r"collection\.fee_usd_per_household_month"):
        baseline.with_overrides({"collection.fee_usd_per_household_month": -1.0})


def test_scenario_is_immutable(baseline: Scenario):
    with pytest.raises(pydantic.ValidationError):
        baseline.city.population = 1.0


def test_scenario_errors_are_input_errors(write_scenario):
    path = write_scenario({"city": {"population": -5}})
    with pytest.raises(InputError):
        load_scenario(path)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"city": {"population": 0}}, ["city.population", "0", "greater than 0", "persons"]),
        ({"time": {"steps_per_year": 7}}, ["time.steps_per_year", "7", "12 or 52"]),
        (
            {"leakage": {"monsoon_factor": 0.5}},
            ["leakage.monsoon_factor", "0.5", "greater than or equal to 1"],
        ),
        (
            {"facilities": {"pyro": {"kind": "pyrolysis", "open_year": 2030, "capacity_t_per_day": 5}}},
            ["facilities.pyro.kind", "pyrolysis", "'landfill', 'incinerator', 'recycler' or 'mrf'"],
        ),
        (
            {"facilities": {"pit": {"kind": "landfill", "open_year": 2030}}},
            ["facilities.pit", "landfill needs capacity_t"],
        ),
        (
            {"behaviour": {"separation_intercept": {"glass": 1.0}}},
            ["behaviour.separation_intercept", "glass", "'pet', 'rigid', 'film' or 'low_value'"],
        ),
        (
            {"policies": {"collection_coverage": {"start_year": 2030, "end_year": 2028}}},
            ["policies.collection_coverage", "end_year (2028) is before start_year (2030)"],
        ),
    ],
    ids=["zero", "choice", "lower-bound", "literal", "cross-field", "dict-key", "lever-years"],
)
def test_error_names_file_field_value_and_what_is_allowed(write_scenario, overrides, expected):
    path = write_scenario(overrides)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_every_problem_is_reported_at_once(write_scenario):
    path = write_scenario({"city": {"population": -1, "colour": "red"}, "landfill": {"cost_usd_per_t": "x"}})
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "city.population" in message
    assert "city.colour" in message
    assert "landfill.cost_usd_per_t" in message


def test_override_of_an_unset_lever_switches_it_on_with_defaults():
    """Setting one parameter of a lever the scenario does not use turns that lever on."""
    from sim import default_scenario

    base = default_scenario()
    assert base.policies.bag_levy is None
    changed = base.with_overrides({"policies.bag_levy.levy_usd_per_bag": 0.05})
    assert changed.policies.bag_levy is not None
    assert changed.policies.bag_levy.levy_usd_per_bag == 0.05
    defaults = type(changed.policies.bag_levy)()
    assert changed.policies.bag_levy.start_year == defaults.start_year
