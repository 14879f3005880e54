"""What each user action does to the per-user state (no browser)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from dash import no_update

from ui import actions, callbacks, runs, state


@pytest.fixture(scope="module")
def baseline() -> dict:
    return state.load_preset("baseline")


@pytest.fixture
def start(baseline: dict) -> dict:
    return {"preset": "baseline", "scenario": baseline}


def switches(on: bool = False) -> list[tuple[str, bool]]:
    return [("collection_coverage", on)]


def test_switching_a_lever_on_changes_the_scenario_and_can_be_undone(baseline: dict) -> None:
    out = actions.on_controls(
        baseline,
        switches(True),
        [("collection_coverage", "target_coverage", 60)],
        [],
        {"type": "lever-on"},
    )
    assert out.scenario is not None and out.message == ""
    assert out.scenario["policies"]["collection_coverage"]["target_coverage"] == pytest.approx(0.6)
    assert out.switches == [True]
    back = actions.on_undo(out.scenario, state.push_history([], baseline))
    assert back.scenario == baseline and back.history == []


def test_moving_a_parameter_switches_its_lever_on(baseline: dict) -> None:
    touched = {"type": "lever-param", "lever": "collection_coverage", "param": "target_coverage"}
    out = actions.on_controls(
        baseline, switches(False), [("collection_coverage", "target_coverage", 70)], [], touched
    )
    assert out.switches == [True]
    assert out.scenario["policies"]["collection_coverage"]["target_coverage"] == pytest.approx(0.7)


def test_controls_matching_the_scenario_change_nothing(baseline: dict) -> None:
    out = actions.on_controls(baseline, switches(False), [], [("city.income_growth_per_yr", 0.04)])
    assert out.scenario is None


def test_assumption_in_percent_is_stored_as_a_fraction(baseline: dict) -> None:
    out = actions.on_controls(baseline, switches(False), [], [("city.plastic_share_of_msw", 25)])
    assert out.scenario["city"]["plastic_share_of_msw"] == pytest.approx(0.25)


def test_an_invalid_setting_is_refused_with_a_message(baseline: dict) -> None:
    out = actions.on_controls(baseline, switches(False), [], [("city.plastic_share_of_msw", 90)])
    assert out.scenario is None
    assert "plastic_share_of_msw" in out.message


def test_link_restores_levers_and_a_bad_link_changes_nothing(baseline: dict) -> None:
    assert not actions.on_link("").changed
    rep = actions.on_link("?policies.collection_coverage.target_coverage=0.5")
    assert rep.scenario["policies"]["collection_coverage"]["target_coverage"] == 0.5
    assert rep.start == {"preset": "baseline", "scenario": baseline}
    bad = actions.on_link("?city.plastic_share_of_msw=7")
    assert not bad.changed and not bad.ok and "plastic_share_of_msw" in bad.message


def test_undo_with_nothing_to_undo_says_so(baseline: dict) -> None:
    rep = actions.on_undo(baseline, [])
    assert not rep.changed and rep.message
    assert rep.message == "Nothing to undo." and not rep.ok


def test_reset_returns_to_the_start_and_is_undoable(baseline: dict, start: dict) -> None:
    changed = {**baseline, "city": {**baseline["city"], "income_growth_per_yr": 0.05}}
    rep = actions.on_reset(changed, start, [])
    assert rep.scenario == baseline and rep.history == [changed]
    assert not actions.on_reset(baseline, start, []).changed


def test_missing_island_scenario_degrades_gracefully(baseline: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(state.PRESETS, "island", "no_such_island.yaml")
    rep = actions.on_preset("island", baseline, [])
    assert not rep.changed and "not available" in rep.message


def test_preset_becomes_start_and_baseline(baseline: dict) -> None:
    rep = actions.on_preset("baseline", {**baseline, "name": "x"}, [])
    assert rep.start == {"preset": "baseline", "scenario": baseline}


def upload(text: str) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()


def test_import_a_good_file_replaces_the_scenario(baseline: dict) -> None:
    text = "name: Imported\npolicies:\n  collection_coverage:\n    target_coverage: 0.9\n"
    rep = actions.on_import(upload(text), "good.yaml", baseline, [])
    assert rep.ok and rep.scenario["name"] == "Imported"
    assert rep.history == [baseline]
    assert "Imported" in rep.import_message


def test_import_a_bad_file_changes_nothing_and_says_why(baseline: dict) -> None:
    rep = actions.on_import(upload("city:\n  population: -5\n"), "bad.yaml", baseline, [])
    assert not rep.changed and not rep.ok
    assert "nothing changed" in rep.import_message and "city.population" in rep.import_message
    garbled = actions.on_import("data:;base64,@@@", "x.yaml", baseline, [])
    assert not garbled.changed and garbled.import_message
    assert "nothing changed" in garbled.import_message and "not UTF-8" in garbled.import_message


def test_open_saved(baseline: dict) -> None:
    saved = state.save_named({}, "Plan", baseline, {})
    rep = actions.on_open_saved("Plan", saved, {**baseline, "name": "x"}, [])
    assert rep.scenario["name"] == "Plan"
    assert rep.history == [{**baseline, "name": "x"}]  # undoable
    assert state.same_run(rep.scenario, baseline)
    assert not actions.on_open_saved("nope", saved, baseline, []).changed


def test_baseline_is_not_rerun_while_its_inputs_are_unchanged(
    baseline: dict, start: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_run(scenario: dict) -> dict:
        calls.append(scenario)
        return {"annual": {"year": [2025], "recycling_rate": [0.1]}}

    monkeypatch.setattr(runs, "run_compact", fake_run)
    first = actions.baseline_result("start", start, {}, None)
    assert first["name"] == baseline["name"] and len(calls) == 1
    assert actions.baseline_result("start", start, {}, first) is None
    assert len(calls) == 1
    saved = state.save_named({}, "Plan", baseline, {"year": [2025], "recycling_rate": [0.2]})
    chosen = actions.baseline_result("Plan", start, saved, first)
    assert chosen["name"] == "Plan" and chosen["annual"]["recycling_rate"] == [0.2]
    assert len(calls) == 1  # a saved scenario brings its results


def test_save_uses_the_current_result_without_rerunning(
    baseline: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_run(scenario: dict) -> dict:
        raise AssertionError("should not run")

    monkeypatch.setattr(runs, "run_compact", no_run)
    result = {"digest": state.digest(baseline), "annual": {"year": [2025]}}
    out = actions.on_save(" Plan A ", baseline, result, None)
    assert list(out.saved) == ["Plan A"] and "Plan A" in out.message and out.confirm is None
    saved = out.saved
    empty = actions.on_save("", baseline, result, saved)
    assert empty.saved is None and "name" in empty.message
    assert actions.on_delete("Plan A", saved) == {}
    assert actions.on_delete("nope", saved) is None


def test_saving_over_a_saved_name_asks_first(baseline: dict) -> None:
    result = {"digest": state.digest(baseline), "annual": {"year": [2025]}}
    saved = actions.on_save("Plan A", baseline, result, None).saved
    asked = actions.on_save("Plan A", baseline, result, saved)
    assert asked.saved is None and asked.confirm == "Plan A"
    confirmed = actions.on_save("Plan A", baseline, result, saved, confirmed=True)
    assert list(confirmed.saved) == ["Plan A"] and confirmed.confirm is None


def test_undo_goes_back_step_by_step_and_through_a_reset(baseline: dict) -> None:
    start = {"preset": "baseline", "scenario": baseline}
    steps = [
        state.validated(state.apply_diff(baseline, {"city.income_growth_per_yr": g}))
        for g in (0.01, 0.02, 0.03)
    ]
    history: list = []
    current = baseline
    for step in steps:
        history, current = state.push_history(history, current), step
    reset = actions.on_reset(current, start, history)
    assert reset.scenario == baseline and "Undo" in reset.message
    current, history = reset.scenario, reset.history
    seen = []
    for _ in range(4):
        undone = actions.on_undo(current, history)
        current, history = undone.scenario, undone.history
        seen.append(current["city"]["income_growth_per_yr"])
    assert seen == [0.03, 0.02, 0.01, baseline["city"]["income_growth_per_yr"]]
    nothing = actions.on_undo(current, history)
    assert nothing.scenario is None and nothing.message == "Nothing to undo."
    assert actions.on_reset(baseline, start, []).message  # already there: says so


def test_a_package_opens_over_the_phnom_penh_baseline(baseline: dict) -> None:
    island = {"preset": "island", "scenario": state.load_preset("island")}
    opened = actions.on_package("moc_climate", island["scenario"], island, [])
    assert opened.scenario["name"] == "MoC climate"
    assert opened.start["preset"] == "baseline" and opened.history == [island["scenario"]]
    assert "MoC climate" in opened.message
    bad = actions.on_package("atlantis", baseline, {"preset": "baseline", "scenario": baseline}, [])
    assert bad.scenario is None and "atlantis" in bad.message


def test_saved_pickers_follow_the_saved_scenarios() -> None:
    saved = {"A": {}, "B": {}, "C": {}, "D": {}, "E": {}}
    o = actions.saved_options(saved, "Base", None, ["A"], ["A"], "B")
    assert o.compare_value == ["A", "B", "C", "D"]  # new ones join while there is room
    assert o.baseline_value == "B" and o.saved_value == "E"
    assert [d["value"] for d in o.baseline_data] == ["start", "A", "B", "C", "D", "E"]
    gone = actions.saved_options({"A": {}}, "Base", "B", ["A", "B"], list(saved), "B")
    assert gone.compare_value == ["A"] and gone.baseline_value == "start" and gone.saved_value is None


def test_sweep_folder_outside_the_project_is_refused(tmp_path: Path) -> None:
    sweep, message = actions.load_sweep("../../etc", tmp_path / "project")
    assert sweep is None and "inside the project" in message
    sweep, message = actions.load_sweep("missing", tmp_path)
    assert sweep is None and "not a sweep folder" in message


def test_a_finished_sweep_opens_for_comparison(tmp_path: Path) -> None:
    from sim.batch import InlineExecutor, run_sweep

    baseline_file = state.preset_path("baseline").resolve()
    (tmp_path / "tiny.yaml").write_text(
        "name: tiny\n"
        f"scenario: {baseline_file}\n"
        "scale: 0.002\n"
        "overrides:\n  time.end_year: 2026\n"
        "parameters:\n  collection.fee_usd_per_household_month: {low: 0.5, high: 3.0}\n"
        "design:\n  method: grid\n  levels: 2\n"
        "replications: 1\nseed: 1\nindicators: [recycling_rate, collection_rate]\n",
        encoding="utf-8",
    )
    run_sweep(tmp_path / "tiny.yaml", tmp_path / "out", executor=InlineExecutor())
    sweep, message = actions.load_sweep("out", tmp_path)
    assert "2 runs" in message
    assert sweep["annual"]["year"] == [2025, 2026]
    band = sweep["band"]
    for low, mid, high in zip(
        band["low"]["collection_rate"],
        sweep["annual"]["collection_rate"],
        band["high"]["collection_rate"],
        strict=True,
    ):
        assert low <= mid <= high


def _patched(history: list, patch: Any) -> list:
    """``history`` after a Dash Patch of list deletions and appends (as the browser applies it)."""
    out = list(history)
    for op in patch.to_plotly_json()["operations"]:
        if op["operation"] == "Delete":
            del out[op["location"][0]]
        elif op["operation"] == "Append":
            out.append(op["params"]["value"])
        else:
            raise AssertionError(f"unexpected operation {op}")
    return out


def test_the_undo_stack_patch_keeps_the_newest_up_to_its_bound() -> None:
    history: list = []
    size = 0
    for i in range(state.HISTORY_LIMIT + 5):
        patch, size = callbacks.history_patch(size, {"n": i})
        history = _patched(history, patch)
        assert size == len(history) == min(i + 1, state.HISTORY_LIMIT)
    assert [h["n"] for h in history] == list(range(5, state.HISTORY_LIMIT + 5))


def test_the_share_link_of_a_lever_change_encodes_it(baseline: dict, start: dict) -> None:
    out = actions.on_controls(baseline, [("collection_coverage", True)], [], [], None)
    assert out.scenario is not None
    link, badge = callbacks.link_outputs(
        out.scenario, start, "http://host/?old=1", 2030, None, {"scenario": baseline, "name": ""}, None
    )
    assert link.startswith("http://host/?") and "old=1" not in link and "collection_coverage" in link
    assert "year=2030" in link
    assert state.decode_link(link.split("?", 1)[1]).year == 2030
    assert isinstance(badge, str) and badge
    assert callbacks.link_outputs(out.scenario, start, None, 2030, None, None, None) == (no_update, no_update)


def test_a_run_sends_the_year_slider_s_range_only_when_its_years_change(baseline: dict) -> None:
    fresh = callbacks.run_outputs(baseline, None, 2030, None)
    first, last, marks = fresh[3:6]
    assert (first, last) == (baseline["time"]["start_year"], baseline["time"]["end_year"])
    assert marks[0] == {"value": first, "label": str(first)} and marks[-1]["value"] <= last
    assert callbacks.run_outputs(baseline, None, 2030, None, first, last)[3:6] == (no_update,) * 3
    longer = callbacks.run_outputs(baseline, None, 2030, None, first, last + 1)[3:6]
    assert longer == (first, last, marks)
