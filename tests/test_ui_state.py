"""Scenario state as plain data: links, YAML, history and saved scenarios."""

from __future__ import annotations

import pytest
import yaml

from sim.errors import ScenarioError
from ui import state


@pytest.fixture(scope="module")
def baseline() -> dict:
    return state.load_preset("baseline")


@pytest.fixture(scope="module")
def changed(baseline: dict) -> dict:
    """The baseline with a lever on and an assumption changed."""
    data, _ = state.apply_controls(
        baseline,
        {"collection_coverage": True},
        {("collection_coverage", "target_coverage"): 0.8, ("collection_coverage", "start_year"): 2030},
        {"city.income_growth_per_yr": 0.05},
    )
    return state.validated(data)


def test_apply_controls_switches_levers_and_sets_assumptions(baseline: dict, changed: dict) -> None:
    lever = changed["policies"]["collection_coverage"]
    assert lever["target_coverage"] == 0.8
    assert lever["start_year"] == 2030
    assert changed["city"]["income_growth_per_yr"] == 0.05
    off, on = state.apply_controls(changed, {"collection_coverage": False}, {}, {})
    assert off["policies"]["collection_coverage"] is None
    assert on == {"collection_coverage": False}
    assert baseline["policies"]["collection_coverage"] is None  # inputs are not mutated


def test_moving_a_parameter_of_a_lever_that_is_off_switches_it_on(baseline: dict) -> None:
    data, on = state.apply_controls(
        baseline,
        {"collection_coverage": False},
        {("collection_coverage", "target_coverage"): 0.7},
        {},
        touched_lever="collection_coverage",
    )
    assert on["collection_coverage"] is True
    assert data["policies"]["collection_coverage"]["target_coverage"] == 0.7


def test_diff_and_apply_diff_round_trip(baseline: dict, changed: dict) -> None:
    changes = state.diff(changed, baseline)
    assert "city.income_growth_per_yr" in changes
    assert "districts.Doun Penh.collection_coverage" not in changes
    assert state.validated(state.apply_diff(baseline, changes)) == changed
    assert state.diff(baseline, baseline) == {}


def test_link_encodes_every_change_and_restores_it(baseline: dict, changed: dict) -> None:
    assert state.encode_link(baseline, "baseline", baseline) == ""
    query = state.encode_link(changed, "baseline", baseline)
    assert "policies.collection_coverage.target_coverage=0.8" in query
    link = state.decode_link(query)
    assert link.preset == "baseline"
    assert state.validated(state.apply_diff(baseline, link.changes)) == changed


def test_link_keeps_year_language_and_compared_scenarios(baseline: dict, changed: dict) -> None:
    other = state.validated(state.apply_diff(baseline, {"policies.bag_levy.levy_usd_per_bag": 0.2}))
    query = state.encode_link(changed, "baseline", baseline, 2040, "km", [("Plan B", other)])
    assert "year=2040" in query and "lang=km" in query and "compare.1=Plan+B" in query
    link = state.decode_link(query)
    assert (link.year, link.lang) == (2040, "km")
    assert [name for name, _ in link.compare] == ["Plan B"]
    assert state.validated(state.apply_diff(baseline, link.compare[0][1])) == other
    assert state.validated(state.apply_diff(baseline, link.changes)) == changed
    with pytest.raises(ScenarioError, match="not a year"):
        state.decode_link("?year=soon")


def test_link_to_another_preset_names_it() -> None:
    query = "?base=baseline&city.income_growth_per_yr=0.03"
    link = state.decode_link(query)
    assert (link.preset, link.changes) == ("baseline", {"city.income_growth_per_yr": 0.03})
    with pytest.raises(ScenarioError, match="unknown starting scenario"):
        state.decode_link("?base=atlantis")


def test_yaml_export_lists_only_changes_and_imports_back(baseline: dict, changed: dict) -> None:
    text = state.scenario_yaml(changed, "My plan")
    body = yaml.safe_load(text)
    assert body["name"] == "My plan"
    assert body["policies"] == {"collection_coverage": changed["policies"]["collection_coverage"]}
    assert body["city"] == {"income_growth_per_yr": 0.05}
    assert "districts" not in body
    back = state.parse_scenario_yaml(text.encode(), "plan.yaml")
    assert state.same_run(back, changed)
    assert back["name"] == "My plan"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"city: [1, 2\n", "(?i)not valid YAML \\(line 2"),
        (b"- a\n- b\n", "must be a mapping"),
        (b"city:\n  plastic_share_of_msw: 3\n", "city.plastic_share_of_msw"),
        (b"citty:\n  population: 1\n", "unknown field 'citty'"),
        (b"\xff\xfe\x00bad", "not a text file \\(expected UTF-8"),
        (b"extends: nowhere.yaml\n", "nowhere.yaml"),
        (b"replace: districts\n", "must be a list of top-level sections"),
    ],
)
def test_bad_yaml_gives_a_clear_message(text: bytes, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        state.parse_scenario_yaml(text, "upload.yaml")


def test_island_scenario_exports_whole_sections_and_imports_back() -> None:
    assert state.preset_available("island")  # the file is shipped in scenarios/
    island = state.load_preset("island")
    text = state.scenario_yaml(island)
    body = yaml.safe_load(text)
    assert "districts" in body["replace"]
    assert set(body["districts"]) == set(island["districts"])
    back = state.parse_scenario_yaml(text, "island.yaml")
    assert state.same_run(back, island)
    extended = state.parse_scenario_yaml("extends: island_workshop.yaml\nname: x\n", "x.yaml")
    assert state.same_run(extended, island)


def test_yaml_may_extend_a_scenario_of_the_project() -> None:
    data = state.parse_scenario_yaml(b"extends: phnom_penh_baseline.yaml\nname: x\n", "x.yaml")
    assert data["name"] == "x"
    assert data["time"]["start_year"] == 2025


def test_history_is_a_bounded_stack() -> None:
    history: list = []
    for i in range(5):
        history = state.push_history(history, {"i": i}, limit=3)
    assert [h["i"] for h in history] == [2, 3, 4]
    top, rest = state.pop_history(history)
    assert top == {"i": 4} and len(rest) == 2
    assert state.pop_history([]) == (None, [])


def test_saved_scenarios_by_name(changed: dict) -> None:
    with pytest.raises(ValueError, match="name"):
        state.save_named({}, "  ", changed, {})
    saved = state.save_named({}, "A", changed, {"year": [2025]})
    saved = state.save_named(saved, "B", changed, {"year": [2025]})
    saved = state.save_named(saved, "A", changed, {"year": [2026]})
    assert list(saved) == ["B", "A"]
    assert saved["A"]["annual"] == {"year": [2026]}
    assert saved["A"]["scenario"]["name"] == "A"
    for name in "CDE":
        saved = state.save_named(saved, name, changed, {}, limit=4)
    assert list(saved) == ["A", "C", "D", "E"]


def test_badge_counts_each_lever_once_and_names_the_real_baseline(baseline: dict, changed: dict) -> None:
    assert (
        state.badge(baseline, baseline, "Phnom Penh baseline", None) == "Phnom Penh baseline (the baseline)"
    )
    assert state.changed_items(changed, baseline) == [
        "city.income_growth_per_yr",
        "policies.collection_coverage",
    ]
    assert state.badge(changed, baseline, "Phnom Penh baseline", None) == (
        "Current scenario · 2 changes from Phnom Penh baseline"
    )
    # Against a saved scenario as the baseline, the badge names it and counts from it.
    saved = state.save_named({}, "My plan", changed, {})
    assert state.badge(changed, changed, "My plan", saved) == "My plan (the baseline)"
    assert state.badge(baseline, changed, "My plan", saved).endswith("2 changes from My plan")


def test_exports_are_named_after_what_they_hold(baseline: dict, changed: dict) -> None:
    def label(lever: str) -> str:
        return lever.replace("_", " ").title()

    assert state.content_name(baseline, baseline, None, label) == "Phnom Penh baseline"
    name = state.content_name(changed, baseline, None, label)
    assert name == "Phnom Penh baseline with Collection Coverage, 1 assumption(s) changed"
    assert state.export_stem(changed, baseline, None) == "phnom-penh-baseline-collection-coverage-assumptions"
    # A saved scenario gives its name only while the scenario is still the one saved.
    saved = state.save_named({}, "deposit-only", changed, {})
    assert state.content_name(changed, baseline, saved, label) == "deposit-only"
    more = state.validated(state.apply_diff(changed, {"policies.landfill_tax.tax_usd_per_t": 20}))
    assert "Landfill Tax" in state.content_name(more, baseline, saved, label)
    assert "deposit-only" not in state.export_stem(more, baseline, saved)
    # A shipped package is named after its file.
    package = state.load_package("moc_climate")
    assert state.export_stem(package, baseline, None) == "moc-climate"


def test_digest_is_the_same_after_the_browser_turns_whole_floats_into_integers(baseline: dict) -> None:
    import json

    back = json.loads(json.dumps(state.canonical(baseline)))
    assert json.dumps(back, sort_keys=True) != json.dumps(baseline, sort_keys=True)  # 2.0 came back as 2
    assert state.digest(back) == state.digest(baseline)
    assert state.canonical({"a": [2.0, 2.5], "b": 3}) == {"a": [2, 2.5], "b": 3}


def test_digest_ignores_names_but_not_values(baseline: dict, changed: dict) -> None:
    assert state.digest({**baseline, "name": "other"}) == state.digest(baseline)
    assert state.digest(changed) != state.digest(baseline)


def test_slug() -> None:
    assert state.slug("Levy & deposit 2028!") == "levy-deposit-2028"
    assert state.slug("!!!") == "scenario"
