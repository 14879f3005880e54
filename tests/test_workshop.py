"""The workshop role-play: team-setup files, rounds of moves, target readings and the debrief.

Schema tests write bad setups and check the message names the file, the field, the value and what
is allowed. Round tests check that moves combine into one scenario and that a team can move only
its own levers. Debrief tests run the model (the app's interactive scale) and compare the debrief
with a run of the same scenario made here.
"""

from __future__ import annotations

import copy
import re
import string
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from sim import i18n, run_scenario
from sim import workshop as ws
from sim.levers import lever_catalogue
from sim.metrics import INDICATORS
from sim.scenario import validate_scenario

ROOT = Path(__file__).resolve().parent.parent
TEAMS_DIR = ROOT / "workshop" / "teams"
SIX = TEAMS_DIR / "phnom_penh_six_teams.yaml"
THREE = TEAMS_DIR / "phnom_penh_three_teams.yaml"
CATALOGUE = ROOT / "sim" / "i18n" / "workshop.yaml"


@pytest.fixture(scope="module")
def three() -> ws.Setup:
    return ws.load_setup(THREE)


@pytest.fixture
def raw() -> dict[str, Any]:
    """The three-team setup as a mapping, to spoil."""
    return yaml.safe_load(THREE.read_text(encoding="utf-8"))


def error_of(data: Any, source: str = "my_setup.yaml") -> str:
    with pytest.raises(ws.WorkshopError) as info:
        ws.validate_setup(data, source)
    return str(info.value)


# --------------------------------------------------------------------------- setup files


@pytest.mark.parametrize("path", ws.setup_files(TEAMS_DIR), ids=lambda p: p.name)
def test_every_shipped_setup_loads(path: Path) -> None:
    setup = ws.load_setup(path)
    assert ws.MIN_TEAMS <= len(setup.teams) <= ws.MAX_TEAMS
    for team in setup.teams:
        for lang in i18n.LANGS:
            assert ws.text(team.name, lang).strip() and ws.text(team.brief, lang).strip()


def test_six_team_setup_has_the_stakeholders_and_every_lever_once() -> None:
    setup = ws.load_setup(SIX)
    assert setup.team_ids() == ["moe", "city", "producers", "recyclers", "pickers", "japan"]
    owned = [lever for team in setup.teams for lever in team.levers]
    unowned = sorted({info.id for info in lever_catalogue()} - set(owned))
    assert not unowned, f"give these levers to a team of {SIX.name}: {unowned}"
    assert len(owned) == len(set(owned))
    assert "picker_income_usd_per_month" in setup.room_indicators
    (target,) = setup.targets
    assert (target.indicator, target.year, target.cut_vs_baseline) == ("ghg_net_t_co2e", 2035, 0.55)


def test_a_setup_may_write_its_texts_inline(raw: dict[str, Any]) -> None:
    raw["teams"][0]["name"] = {"en": "Fishers' union", "km": "សហជីពអ្នកនេសាទ"}
    setup = ws.validate_setup(raw, "inline.yaml")
    assert ws.text(setup.teams[0].name, "km") == "សហជីពអ្នកនេសាទ"
    assert ws.text(setup.teams[0].name, "ja") == "Fishers' union"  # English where missing


@pytest.mark.parametrize(
    ("spoil", "field", "words"),
    [
        (
            lambda d: d["teams"][0]["levers"].update(magic_lever=[]),
            "teams.0.levers",
            ["'magic_lever'", "bag_levy"],
        ),
        (
            lambda d: d["teams"][0]["levers"].update(bag_levy=["levy_usd"]),
            "teams.0.levers",
            ["'levy_usd'", "levy_usd_per_bag"],
        ),
        (
            lambda d: d["teams"][1]["goals"].append({"indicator": "happiness", "want": "up"}),
            "teams.1.goals.3.indicator",
            ['"happiness"', "recycling_rate"],
        ),
        (
            lambda d: d["teams"][1]["goals"].append({"indicator": "recycled_t", "want": "sideways"}),
            "teams.1.goals.3.want",
            ['"sideways"', "'up' or 'down'"],
        ),
        (lambda d: d["room_indicators"].append("nope"), "room_indicators.6", ['"nope"', "collection_rate"]),
        (lambda d: d["teams"].pop(), "teams", ["at least 3"]),
        (lambda d: d["teams"][1]["levers"].update(bag_levy=None), "teams", ["'bag_levy'", "one team"]),
        (lambda d: d["teams"][1].update(id="government"), "teams", ["'government'", "more than once"]),
        (lambda d: d["teams"][1].update(colour="purple"), "teams.1.colour", ['"purple"', "'teal'"]),
        (
            lambda d: d["teams"][1].update(name="workshop.team.nobody"),
            "teams.1.name",
            ["workshop.team.nobody", "{en:"],
        ),
        (lambda d: d["teams"][1].update(name={"fr": "x", "en": "y"}), "teams.1.name", ["fr", "km, en, ja"]),
        (lambda d: d["teams"][1].update(name={"km": "x"}), "teams.1.name", ["English text (en) is required"]),
        (lambda d: d.update(scenario="../../etc/passwd"), "scenario", ["passwd", "phnom_penh_baseline.yaml"]),
        (lambda d: d.update(rounds=9), "rounds", ["9", "less than or equal to 6"]),
        (
            lambda d: d["targets"][0].update(at_most=5),
            "targets.0",
            ["exactly one of", "cut_vs_baseline, at_most"],
        ),
        (lambda d: d["targets"][0].update(cut_vs_baseline=1.5), "targets.0.cut_vs_baseline", ["1.5"]),
    ],
)
def test_a_bad_setup_is_refused_with_file_field_value_and_what_is_allowed(
    raw: dict[str, Any], spoil: Any, field: str, words: list[str]
) -> None:
    spoil(raw)
    message = error_of(raw)
    assert message.startswith("my_setup.yaml: the workshop setup is not valid.")
    assert f"field '{field}'" in message
    for word in words:
        assert word in message


def test_an_unknown_field_names_the_allowed_ones(raw: dict[str, Any]) -> None:
    raw["teams"][2]["budget"] = 10
    message = error_of(raw)
    assert "unknown field 'teams.2.budget'" in message
    assert "brief, colour, goals, id, levers, name" in message


def test_years_outside_the_scenario_are_refused(raw: dict[str, Any]) -> None:
    raw["year"] = 2060
    message = error_of(raw)
    assert "field 'year' = 2060" in message and "2025 to 2050" in message


def test_a_scenario_that_does_not_load_is_a_workshop_error(
    three: ws.Setup, tmp_path: Path, monkeypatch
) -> None:
    broken = tmp_path / "scenarios"
    broken.mkdir()
    (broken / three.scenario).write_text("city: {population: -1}\n", encoding="utf-8")
    monkeypatch.setattr(ws, "SCENARIOS_DIR", broken)
    ws._base_json.cache_clear()
    try:
        with pytest.raises(ws.WorkshopError) as info:
            ws.base_scenario(three)
        message = str(info.value)
        assert message.startswith("the workshop's scenario phnom_penh_baseline.yaml cannot be used: ")
        assert "scenarios/phnom_penh_baseline.yaml: the scenario is not valid." in message
        assert "field 'city.population' = -1" in message and str(tmp_path) not in message
    finally:
        ws._base_json.cache_clear()


def test_setup_files_that_are_not_setups_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ws.WorkshopError, match="no such workshop setup file"):
        ws.load_setup(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("teams: [a", encoding="utf-8")
    with pytest.raises(ws.WorkshopError, match=r"bad.yaml: not valid YAML \(line 1"):
        ws.load_setup(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ws.WorkshopError, match=r"list\.yaml"):
        ws.load_setup(listed)
    with pytest.raises(ws.WorkshopError, match=r"upload\.yaml: the workshop setup is not valid"):
        ws.parse_setup("title: {en: x}\n", "upload.yaml")


def test_setup_files_are_checked_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ws.main([str(THREE)]) == 0
    assert "a valid setup, 3 teams (government, business, communities), 3 rounds." in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: {en: x}\nroom_indicators: [recycling_rate]\nteams: []\n", encoding="utf-8")
    assert ws.main([str(THREE), str(bad)]) == 2
    out = capsys.readouterr().out
    assert "bad.yaml: the workshop setup is not valid." in out and "field 'teams' = []" in out
    assert "Traceback" not in out


# --------------------------------------------------------------------------- rounds


def test_moves_of_several_teams_and_rounds_combine_into_one_scenario(three: ws.Setup) -> None:
    base = ws.base_scenario(three)
    rounds: list[ws.Round] = [
        {
            "government": {"collection_coverage": {"target_coverage": 0.9}},
            "communities": {"informal_integration": {"stipend_usd_per_picker_month": 30.0}},
        },
        {
            "government": {
                "collection_coverage": {"start_year": 2030},
                "bag_levy": {"levy_usd_per_bag": 0.2},
            },
            "communities": {"informal_integration": None},
        },
    ]
    scenario = ws.combine(three, base, rounds, three.team_ids())
    policies = scenario["policies"]
    assert policies["collection_coverage"]["target_coverage"] == 0.9  # kept from round 1
    assert policies["collection_coverage"]["start_year"] == 2030  # changed in round 2
    assert policies["bag_levy"]["levy_usd_per_bag"] == 0.2
    assert policies["informal_integration"] is None  # switched off again
    # The same levers written by hand give the same scenario.
    by_hand = copy.deepcopy(base)
    by_hand["policies"]["collection_coverage"] = {"target_coverage": 0.9, "start_year": 2030}
    by_hand["policies"]["bag_levy"] = {"levy_usd_per_bag": 0.2}
    expected = validate_scenario(by_hand, "test").model_dump(mode="json")
    assert {k: v for k, v in scenario.items() if k != "name"} == {
        k: v for k, v in expected.items() if k != "name"
    }
    # Round 1 alone differs; the base is untouched.
    assert (
        ws.combine(three, base, rounds[:1], three.team_ids())["policies"]["informal_integration"] is not None
    )
    assert base == ws.base_scenario(three)


def test_a_team_moves_only_its_own_levers_and_parameters(three: ws.Setup) -> None:
    base = ws.base_scenario(three)
    with pytest.raises(ws.WorkshopError, match="'communities' does not own lever 'bag_levy'; its levers: "):
        ws.combine(three, base, [{"communities": {"bag_levy": {}}}], three.team_ids())
    with pytest.raises(ws.WorkshopError, match="may not set covered_share of lever 'bag_levy'"):
        ws.combine(three, base, [{"government": {"bag_levy": {"covered_share": 0.5}}}], three.team_ids())
    with pytest.raises(ws.WorkshopError, match="no team 'martians'"):
        ws.combine(three, base, [{"martians": {"bag_levy": {}}}], three.team_ids())
    with pytest.raises(ws.WorkshopError, match="team 'business' is not playing"):
        ws.combine(three, base, [{"business": {"deposit_return": {}}}], ["government", "communities"])


def test_an_out_of_range_move_names_the_round_team_and_field(three: ws.Setup) -> None:
    rounds = [{}, {"communities": {"informal_integration": {"stipend_usd_per_picker_month": -5}}}]
    with pytest.raises(ws.WorkshopError) as info:
        ws.combine(three, ws.base_scenario(three), rounds, three.team_ids())
    message = str(info.value)
    assert message.startswith("round 2, team communities: the scenario is not valid.")
    assert "policies.informal_integration.stipend_usd_per_picker_month' = -5" in message


def test_moves_of_a_team_are_listed_round_by_round() -> None:
    rounds: list[ws.Round] = [{"a": {"x": {"p": 1}}}, {"b": {"y": None}}, {"a": {"x": None}}]
    assert ws.moves_of(rounds, "a") == [(1, "x", {"p": 1}), (3, "x", None)]
    assert ws.moves_of(rounds, "c") == []


# --------------------------------------------------------------------------- reading results


def test_values_are_read_whatever_their_number_type() -> None:
    # Integral floats come back from the browser's store as ints (JSON has one number type).
    table = pd.DataFrame(
        {"producer_fees_usd": [0, 7348180], "recycling_rate": [None, 0.1]}, index=[2034, 2035]
    )
    assert table["producer_fees_usd"].dtype.kind == "i"
    assert ws.value_at(table, 2035, "producer_fees_usd") == 7348180.0
    assert ws.value_at(table, 2034, "producer_fees_usd") == 0.0
    assert ws.value_at(table, 2034, "recycling_rate") is None
    assert ws.value_at(table, 2036, "recycling_rate") is None
    assert ws.value_at(table, 2035, "generated_t") is None


def test_a_cut_target_is_met_from_the_threshold_down() -> None:
    target = ws.Target(
        indicator="ghg_net_t_co2e", year=2035, cut_vs_baseline=0.55, label={"en": "x"}, source="test"
    )
    baseline = pd.DataFrame({"ghg_net_t_co2e": [200.0]}, index=[2035])

    def status(value: float) -> ws.TargetStatus:
        return ws.target_status(target, baseline, pd.DataFrame({"ghg_net_t_co2e": [value]}, index=[2035]))

    assert status(90.0).met and status(90.0).progress == 1.0 and status(90.0).threshold == pytest.approx(90.0)
    half = status(145.0)
    assert not half.met and half.progress == pytest.approx(0.5)
    assert status(250.0).progress == 0.0
    assert ws.target_status(target, baseline, pd.DataFrame()).met is None


def test_absolute_targets_read_both_ways() -> None:
    up = ws.Target(
        indicator="recycling_rate", year=2035, at_least=0.3, label={"en": "x"}, source="ASSUMPTION: test"
    )
    table = pd.DataFrame({"recycling_rate": [0.1]}, index=[2035])
    assert ws.target_status(
        up, table, pd.DataFrame({"recycling_rate": [0.2]}, index=[2035])
    ).progress == pytest.approx(0.5)
    assert ws.target_status(up, table, pd.DataFrame({"recycling_rate": [0.31]}, index=[2035])).met
    down = ws.Target(indicator="leaked_to_water_t", year=2035, at_most=50.0, label={"en": "x"}, source="test")
    base = pd.DataFrame({"leaked_to_water_t": [100.0]}, index=[2035])
    assert not ws.target_status(down, base, base).met


def test_goal_verdicts_follow_what_the_team_wants() -> None:
    up = ws.Goal(indicator="picker_income_usd_per_month", want="up")
    down = ws.Goal(indicator="picker_income_usd_per_month", want="down")
    assert ws.goal_outcome(up, 60.0, 80.0).verdict == "gained"
    assert ws.goal_outcome(down, 60.0, 80.0).verdict == "lost"
    assert ws.goal_outcome(up, 60.0, 60.3).verdict == "unchanged"  # within 1 %
    assert ws.goal_outcome(up, None, 60.0).verdict == "unknown"
    rate = ws.Goal(indicator="recycling_rate", want="up")
    assert ws.goal_outcome(rate, 0.080, 0.081).verdict == "unchanged"  # within 0.2 points
    assert ws.goal_outcome(rate, 0.080, 0.085).verdict == "gained"
    assert ws.overall(["gained", "lost"]) == "mixed"
    assert ws.overall(["gained", "unchanged"]) == "gained"
    assert ws.overall(["unchanged", "unknown"]) == "unchanged"
    assert ws.overall(["unknown"]) == "unknown"


def test_debrief_numbers_are_those_of_a_real_run_of_the_combined_scenario(three: ws.Setup) -> None:
    from ui import workshop as ui_ws

    state = ui_ws.new_state(THREE.name, three)
    state = ui_ws.on_start(state, "en")
    switches = {("communities", "informal_integration"): True, ("government", "collection_coverage"): True}
    values = {
        ("communities", "informal_integration", "stipend_usd_per_picker_month"): 40.0,
        ("government", "collection_coverage", "target_coverage"): 0.9,
    }
    state, message = ui_ws.on_run(state, switches, values, "en")
    assert message == "Round 1 run: 2 lever changes."
    assert state["rounds"] == [
        {
            "government": {"collection_coverage": {"target_coverage": 0.9}},
            "communities": {"informal_integration": {"stipend_usd_per_picker_month": 40.0}},
        }
    ]

    # The same scenario written by hand and run here, at the app's scale and seed.
    data = ws.base_scenario(three)
    data["policies"]["informal_integration"] = {"stipend_usd_per_picker_month": 40.0}
    data["policies"]["collection_coverage"] = {"target_coverage": 0.9}
    scenario = validate_scenario(data, "test")
    scale = ui_ws.runs.interactive_scale(data)
    own = run_scenario(scenario, seed=42, scale=scale).annual
    base = run_scenario(validate_scenario(ws.base_scenario(three), "test"), seed=42, scale=scale).annual

    baseline, rounds = ui_ws.tables(state)
    items = {
        item.team.id: item
        for item in ws.debrief(three, state["playing"], state["rounds"], baseline, rounds[-1])
    }
    year = three.year
    for team in three.teams:
        for outcome in items[team.id].goals:
            name = outcome.goal.indicator
            assert outcome.value == pytest.approx(own.at[year, name], rel=1e-5, abs=1e-6)
            assert outcome.baseline == pytest.approx(base.at[year, name], rel=1e-5, abs=1e-6)
    pickers = items["communities"].goals[0]
    assert pickers.goal.indicator == "picker_income_usd_per_month"
    assert pickers.value > pickers.baseline  # a stipend is paid to pickers: their income rises
    assert pickers.verdict == "gained"
    assert items["communities"].moves == (
        (1, "informal_integration", {"stipend_usd_per_picker_month": 40.0}),
    )
    assert items["business"].moves == ()

    # The target reading uses the same numbers.
    status = ws.target_status(three.targets[0], baseline, rounds[-1])
    assert status.value == pytest.approx(own.at[2035, "ghg_net_t_co2e"], rel=1e-5)
    assert status.threshold == pytest.approx(base.at[2035, "ghg_net_t_co2e"] * 0.45, rel=1e-5)


# --------------------------------------------------------------------------- texts


def _catalogue() -> dict[str, dict[str, str]]:
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_workshop_text_is_in_every_language_with_the_same_placeholders() -> None:
    texts = _catalogue()
    assert texts
    for key, by_lang in texts.items():
        assert key.startswith("workshop."), key
        assert set(by_lang) == set(i18n.LANGS), key
        assert all(v.strip() for v in by_lang.values()), key
        assert _fields(by_lang["km"]) == _fields(by_lang["en"]) == _fields(by_lang["ja"]), key
        assert re.search("[\u1780-\u17ff]", by_lang["km"]), f"{key}: Khmer text has no Khmer letters"


def test_every_text_key_the_workshop_reads_is_in_the_catalogue() -> None:
    source = (ROOT / "ui" / "workshop.py").read_text(encoding="utf-8")
    keys = set(re.findall(r"\"(workshop\.[a-z_.]+[a-z])\"", source)) - {"workshop.md"}
    keys |= {f"workshop.step.{k}" for k in ("setup", "rounds", "debrief", "guide")}
    keys |= {f"workshop.verdict.{v}" for v in ("gained", "lost", "mixed", "unchanged", "unknown")}
    keys |= {f"workshop.target.{k}" for k in ("met", "not_met", "unknown")}
    keys |= {f"workshop.want.{w}" for w in ("up", "down")} | {f"workshop.debrief.q{i}" for i in range(1, 5)}
    missing = sorted(k for k in keys if k not in _catalogue())
    assert not missing


def test_indicators_and_levers_of_the_shipped_setups_exist() -> None:
    for path in ws.setup_files(TEAMS_DIR):
        setup = ws.load_setup(path)
        assert set(setup.indicators()) <= set(INDICATORS)
        for team in setup.teams:
            for lever in team.levers:
                assert set(team.params_of(lever)) <= set(ws.lever_params()[lever])
