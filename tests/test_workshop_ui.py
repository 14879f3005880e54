"""The plain functions behind the workshop window (ui/workshop.py), without a browser."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from dash.exceptions import PreventUpdate

from sim import i18n
from sim import workshop as ws
from ui import workshop as ui_ws

THREE = ui_ws.SETUPS_DIR / "phnom_penh_three_teams.yaml"


@pytest.fixture(scope="module")
def three() -> ws.Setup:
    return ws.load_setup(THREE)


@pytest.fixture
def state(three: ws.Setup) -> dict:
    return ui_ws.new_state(THREE.name, three)


def data_url(text: str) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()


def test_a_new_session_opens_the_six_team_setup_with_every_team_playing() -> None:
    start = ui_ws.initial_state()
    assert start is not None and start["file"] == ui_ws.DEFAULT_SETUP
    assert start["playing"] == ["moe", "city", "producers", "recyclers", "pickers", "japan"]
    assert start["rounds"] == [] and start["baseline"] is None
    assert ui_ws.initial_state(Path("/nonexistent")) is None


def test_a_state_kept_by_the_browser_is_used_only_if_it_still_validates(state: dict) -> None:
    assert ui_ws.usable(state)
    assert not ui_ws.usable({**state, "setup": {"title": "nope"}})
    assert not ui_ws.usable({k: v for k, v in state.items() if k != "rounds"})
    fresh, _, _ = ui_ws.on_setup_event(ui_ws.STATE, {"setup": {}}, None, None, None, None, "en")
    assert fresh == ui_ws.initial_state()
    kept, _, _ = ui_ws.on_setup_event(ui_ws.STATE, state, None, None, None, None, "en")
    assert kept is state


def test_no_readable_setup_is_said(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ui_ws, "SETUPS_DIR", tmp_path)
    state, _, error = ui_ws.on_setup_event(None, None, None, None, None, None, "en")
    assert state is None and error == i18n.t("workshop.setup.none", "en")


def test_moves_are_what_the_controls_change(three: ws.Setup) -> None:
    scenario = ws.base_scenario(three)
    scenario["policies"]["bag_levy"] = {"levy_usd_per_bag": 0.1, "start_year": 2027}
    scenario["policies"]["landfill_tax"] = {"tax_usd_per_t": 10.0}
    switches = {
        ("government", "bag_levy"): True,  # on, settings unchanged: no move
        ("government", "landfill_tax"): False,  # switched off: a move to None
        ("government", "epr_fee"): True,  # switched on: a move with its settings
        ("communities", "awareness_campaign"): False,  # off and was off: no move
    }
    values = {
        ("government", "bag_levy", "levy_usd_per_bag"): 0.1,
        ("government", "bag_levy", "start_year"): 2027,
        ("government", "epr_fee", "fee_usd_per_t"): 150.0,
        ("government", "epr_fee", "start_year"): None,  # left empty: not part of the move
    }
    moves = ui_ws.moves_from_controls(three, three.team_ids(), scenario, switches, values)
    assert moves == {"government": {"landfill_tax": None, "epr_fee": {"fee_usd_per_t": 150.0}}}
    values[("government", "bag_levy", "levy_usd_per_bag")] = 0.25
    moves = ui_ws.moves_from_controls(three, ["government"], scenario, switches, values)
    assert moves["government"]["bag_levy"] == {"levy_usd_per_bag": 0.25}  # only what changed
    assert ui_ws.moves_from_controls(three, ["communities"], scenario, switches, values) == {}


def test_teams_are_picked_before_the_first_round_only(state: dict) -> None:
    picked = ui_ws.on_teams(["communities", "government"], state)
    assert picked["playing"] == ["government", "communities"]  # the setup's order
    assert ui_ws.teams_problem(picked, "en") == "Pick between 3 and 6 teams (now 2)."
    assert ui_ws.teams_problem(state, "en") == ""
    with pytest.raises(ws.WorkshopError, match="Pick between 3 and 6 teams"):
        ui_ws.on_start(picked, "en")
    played = {**state, "rounds": [{}]}
    assert ui_ws.on_teams(["government"], played) is played  # locked once a round is played


def test_an_uploaded_setup_is_read_from_the_browser_only(three: ws.Setup) -> None:
    text = THREE.read_text(encoding="utf-8")
    state, message = ui_ws.on_upload(data_url(text), "../../my teams.yaml", "en")
    assert state["file"] == ui_ws.UPLOADED
    assert ui_ws.setup_of(state).team_ids() == three.team_ids()
    assert message.startswith("Opened your setup “Phnom Penh: three teams")
    labels = [o["label"] for o in ui_ws.setup_options(state, "en")]
    assert labels[-1] == "Your file: Phnom Penh: three teams (short workshop)"


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        ("data:x;base64,@@@", "could not be read"),
        ("no comma", "could not be read"),
        (data_url("teams: [a"), "my teams.yaml: not valid YAML"),
        (data_url("title: {en: t}\nroom_indicators: [recycling_rate]\nteams: []\n"), "field 'teams'"),
    ],
)
def test_a_bad_upload_says_why(contents: str, expected: str) -> None:
    with pytest.raises(ws.WorkshopError, match=expected.replace("(", r"\(")):
        ui_ws.on_upload(contents, "my teams.yaml", "en")


def test_a_setup_error_from_the_setup_tab_is_a_message_and_keeps_the_state(state: dict) -> None:
    new, message, error = ui_ws.on_setup_event(
        ui_ws.UPLOAD, state, None, data_url("teams: 3"), "x.yaml", None, "en"
    )
    assert new is state and message is None
    assert error and error.startswith("x.yaml: the workshop setup is not valid.")
    new, message, error = ui_ws.on_setup_event(
        ui_ws.SETUP_SELECT, state, "phnom_penh_six_teams.yaml", None, None, None, "en"
    )
    assert new is not None and new["file"] == "phnom_penh_six_teams.yaml" and message == "" and error is None


def test_undo_takes_back_the_last_round(state: dict) -> None:
    played = {**state, "rounds": [{"a": {}}, {"b": {}}], "results": [{"year": []}, {"year": [1]}]}
    undone, message = ui_ws.on_undo(played, "en")
    assert undone["rounds"] == [{"a": {}}] and undone["results"] == [{"year": []}]
    assert message == "Round 2 undone."
    with pytest.raises(PreventUpdate):
        ui_ws.on_undo(state, "en")


def test_every_round_played_refuses_one_more(state: dict, three: ws.Setup) -> None:
    full = {**state, "rounds": [{}] * three.rounds, "baseline": {"year": [2035]}}
    with pytest.raises(ws.WorkshopError, match="All 3 rounds are played"):
        ui_ws.on_run(full, {}, {}, "en")
    title, label, done = ui_ws.round_head(full, "en")
    assert done and label == "" and title.startswith("All 3 rounds")


def test_numbers_and_changes_read_as_on_the_cards() -> None:
    assert ui_ws.fmt("recycling_rate", 0.1234, "en") == "12.3 %"
    assert ui_ws.fmt("generated_t", 299_453.2, "en") == "299,453 t"
    assert ui_ws.fmt("public_spending_usd", 12_479_300.0, "en") == "USD 12.48 M"
    assert ui_ws.fmt("picker_income_usd_per_month", None, "en") == "–"
    assert ui_ws.change_text("recycling_rate", 0.08, 0.095, "en") == "+1.5 pp"
    assert ui_ws.change_text("generated_t", 200.0, 150.0, "en") == "−25 %"
    assert ui_ws.change_text("generated_t", 200.0, 195.0, "en") == "−2.5 %"
    assert ui_ws.change_text("producer_fees_usd", 0.0, 5000.0, "en").startswith("+5,000")
    assert ui_ws.change_text("generated_t", 1.0, None, "en") == "–"
    assert ui_ws.fmt("generated_t", 299_453.2, "km") == "299,453 " + i18n.t("unit.t", "km")
    assert ui_ws.indicator_name("picker_income_usd_per_month", "ja") == i18n.t(
        "indicator.picker_income_usd_per_month.label", "ja"
    )


def test_texts_of_the_window_exist_in_every_language() -> None:
    for lang in i18n.LANGS:
        texts = ui_ws.static_texts(lang)
        assert set(texts) >= set(ui_ws.TAB_IDS.values()) | set(ui_ws.PRINT_BUTTONS.values())
        assert all(text and not text.startswith("workshop.") for text in texts.values())
    assert ui_ws.static_texts("km")[ui_ws.TAB_IDS["debrief"]] == i18n.t("workshop.step.debrief", "km")


def test_the_guide_is_shown_in_the_language_or_in_english_with_a_note(tmp_path: Path, monkeypatch) -> None:
    text, note = ui_ws.guide_text("en")
    assert "## Agenda" in text and note == ""
    monkeypatch.setattr(ui_ws, "GUIDE_FILES", {"en": ui_ws.GUIDE_FILES["en"], "km": tmp_path / "none.md"})
    text, note = ui_ws.guide_text("km")
    assert "## Agenda" in text and note == i18n.t("workshop.guide.english_only", "km")
    monkeypatch.setattr(ui_ws, "GUIDE_FILES", {"en": tmp_path / "none.md"})
    assert ui_ws.guide_text("en") == ("", i18n.t("workshop.guide.missing", "en"))


def test_the_chart_shows_the_target_indicator_first(three: ws.Setup) -> None:
    assert ui_ws.chart_indicator(three, None) == "ghg_net_t_co2e"
    assert ui_ws.chart_indicator(three, "recycling_rate") == "recycling_rate"
    assert ui_ws.chart_indicator(three, "not_an_indicator") == "ghg_net_t_co2e"


def test_a_trainer_setup_for_the_island_plays_a_round(three: ws.Setup) -> None:
    """A setup written by a trainer (inline texts, another scenario) opened in the browser and played."""
    setup = {
        "title": {"en": "Island: three teams", "km": "កោះ៖ បីក្រុម"},
        "scenario": "island_workshop.yaml",
        "year": 2035,
        "rounds": 2,
        "room_indicators": ["mismanaged_rate", "picker_income_usd_per_month"],
        "teams": [
            {
                "id": "council",
                "name": {"en": "Island council"},
                "brief": {"en": "You run the harbour's collection."},
                "levers": {"collection_coverage": ["target_coverage"]},
                "goals": [{"indicator": "mismanaged_rate", "want": "down"}],
            },
            {
                "id": "shops",
                "name": {"en": "Guesthouses and shops"},
                "brief": {"en": "You sell the bottles."},
                "levers": {"deposit_return": []},
                "goals": [{"indicator": "generated_t", "want": "up"}],
            },
            {
                "id": "pickers",
                "name": {"en": "Pickers"},
                "brief": {"en": "You sell what you find."},
                "levers": {"informal_integration": ["stipend_usd_per_picker_month"]},
                "goals": [{"indicator": "picker_income_usd_per_month", "want": "up"}],
            },
        ],
    }
    state, _ = ui_ws.on_upload(data_url(yaml.safe_dump(setup, allow_unicode=True)), "island.yaml", "km")
    state = ui_ws.on_start(state, "km")
    switches = {("council", "collection_coverage"): True}
    values = {("council", "collection_coverage", "target_coverage"): 1.0}
    state, message = ui_ws.on_run(state, switches, values, "en")
    assert message == "Round 1 run: 1 lever changes."
    baseline, rounds = ui_ws.tables(state)
    items = ws.debrief(ui_ws.setup_of(state), state["playing"], state["rounds"], baseline, rounds[0])
    council = items[0].goals[0]
    assert council.baseline is not None and council.value is not None
    assert council.value != council.baseline  # the lever changed the run
    # The council wants mismanaged waste down: the verdict follows the sign of the change.
    diff = council.value - council.baseline
    assert council.verdict == ("unchanged" if abs(diff) <= 0.002 else "gained" if diff < 0 else "lost")
    assert ui_ws.round_moves(state, 1, "en") == [
        "Island council — Collection coverage: Coverage reached 100 %"
    ]
    head, rows = ui_ws.room_rows(state, "km")
    assert head[1] == i18n.t("workshop.room.baseline", "km") and len(rows) == 2


def test_the_phone_menu_opens_the_workshop_too() -> None:
    from ui import layout
    from ui import workshop as ws

    menu = str(layout.phone_menu().to_plotly_json())
    assert ws.OPEN_PHONE in menu
