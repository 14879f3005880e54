"""Indicator cards, comparison table, formatting and play, from hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest

from ui import logic


def table(**columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"year": [2034, 2035, 2036], **columns}).set_index("year")


@pytest.fixture
def baseline() -> pd.DataFrame:
    return table(
        recycling_rate=[0.05, 0.05, 0.05],
        collection_rate=[0.70, 0.70, 0.70],
        mismanaged_rate=[0.30, 0.30, 0.30],
        leaked_to_water_t=[1000.0, 1000.0, 1000.0],
        ghg_net_t_co2e=[100.0, 100.0, 100.0],
        landfill_years_left=[10.0, 9.0, 8.0],
        net_public_cost_usd=[2e6, 2e6, 2e6],
        picker_income_usd_per_month=[60.0, 60.0, 60.0],
    )


@pytest.fixture
def current(baseline: pd.DataFrame) -> pd.DataFrame:
    out = baseline.copy()
    out["recycling_rate"] = 0.08
    out["leaked_to_water_t"] = 750.0
    out["ghg_net_t_co2e"] = [80.0, 72.5, 70.0]
    out["landfill_years_left"] = [10.0, 11.5, 8.0]
    return out


def test_cards_show_value_and_change_against_baseline(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    cards = {c.indicator: c for c in logic.cards(current, baseline, 2035)}
    assert [c.indicator for c in logic.cards(current, baseline, 2035)] == [s.indicator for s in logic.CARDS]
    recycling = cards["recycling_rate"]
    assert (recycling.value, recycling.unit, recycling.delta, recycling.tone) == (
        "8.0",
        "%",
        "+3.0 pp",
        "good",
    )
    leak = cards["leaked_to_water_t"]
    assert (leak.value, leak.delta, leak.tone) == ("750", "−25 %", "good")
    landfill = cards["landfill_years_left"]
    assert (landfill.delta, landfill.tone) == ("+2.50 years", "good")
    unchanged = cards["collection_rate"]
    assert (unchanged.delta, unchanged.tone) == ("±0.0 pp", "neutral")
    assert "70.0 %" in unchanged.baseline


def test_ghg_card_reads_against_the_55_percent_target(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    ghg = {c.indicator: c for c in logic.cards(current, baseline, 2035)}["ghg_net_t_co2e"]
    assert ghg.value == "−28 %"
    assert ghg.progress == pytest.approx(50.0)  # 27.5 % of a 55 % cut
    assert "55" in ghg.delta
    assert logic.ghg_progress(current.assign(ghg_net_t_co2e=40.0), baseline) == 100.0
    assert logic.ghg_progress(current.assign(ghg_net_t_co2e=130.0), baseline) == 0.0


def test_cards_without_baseline_say_so(current: pd.DataFrame) -> None:
    cards = {c.indicator: c for c in logic.cards(current, pd.DataFrame(), 2035)}
    ghg = cards.pop("ghg_net_t_co2e")
    assert ghg.value == "–" and ghg.progress is None
    assert all(c.delta == "–" and c.tone == "neutral" and "pending" in c.baseline for c in cards.values())


@pytest.mark.parametrize(
    ("indicator", "value", "text"),
    [
        ("recycling_rate", 0.0512, "5.1 %"),
        ("leaked_to_water_t", 4093.6, "4,094 t"),
        ("net_public_cost_usd", 7.64e6, "USD 7.64 M"),
        ("landfill_years_left", 6.071, "6.07 years"),
        ("recycling_rate", None, "–"),
        ("recycling_rate", float("nan"), "–"),
    ],
)
def test_format_value(indicator: str, value: float | None, text: str) -> None:
    assert logic.format_value(indicator, value) == text


@pytest.mark.parametrize(
    ("delta", "mode", "text"),
    [
        (1.234, "pp", "+1.2 pp"),
        (-0.04, "pp", "±0.0 pp"),
        (-56.2, "pct", "−56 %"),
        (3.21, "pct", "+3.2 %"),
        (None, "pct", "–"),
    ],
)
def test_format_change(delta: float | None, mode: str, text: str) -> None:
    assert logic.format_change(delta, mode, "recycling_rate") == text


def test_change_and_tone() -> None:
    assert logic.change(0.08, 0.05, "pp") == pytest.approx(3.0)
    assert logic.change(750, 1000, "pct") == pytest.approx(-25.0)
    assert logic.change(5, 0, "pct") is None
    assert logic.tone(-25.0, "down", "pct") == "good"
    assert logic.tone(-25.0, "up", "pct") == "bad"
    assert logic.tone(0.1, "up", "pct") == "neutral"


def test_comparison_rows(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    header, rows = logic.comparison_rows([("Plan A", current)], ("Baseline", baseline), 2035)
    assert header == ["Indicator (2035)", "Baseline", "Plan A"]
    assert len(rows) == len(logic.CARDS)
    assert rows[0][0].startswith("Recycling rate")
    assert rows[0][1:] == ["5.0 %", "8.0 % (+3.0 pp)"]


def test_comparison_columns_include_current_saved_and_sweep() -> None:
    annual = {"year": [2025], "recycling_rate": [0.1]}
    saved = {"A": {"annual": annual}, "B": {"annual": annual}}
    cols = logic.comparison_columns(
        {"annual": annual}, saved, ["B", "missing"], {"name": "sweep", "annual": annual}
    )
    assert [name for name, _ in cols] == ["This scenario", "B", "sweep"]
    assert cols[1][1].loc[2025, "recycling_rate"] == 0.1


def test_play_runs_year_by_year_and_stops_at_the_end() -> None:
    bounds = (2025, 2028)
    assert logic.toggle_play(False, 2027, bounds) == (True, 2025)  # starts from the first year
    assert logic.toggle_play(False, 2026, bounds, paused_at=2026) == (True, 2026)  # resumes
    assert logic.toggle_play(False, 2028, bounds, paused_at=2028) == (True, 2025)  # at the end
    assert logic.toggle_play(False, 2027, bounds, paused_at=2026) == (True, 2025)  # year moved
    assert logic.toggle_play(True, 2026, bounds) == (False, 2026)
    assert logic.play_tick(2025, bounds) == (True, 2026)
    assert logic.play_tick(2027, bounds) == (False, 2028)
    assert logic.clamp_year(None, bounds) == 2028
    assert logic.clamp_year(2000, bounds) == 2025


def test_csv_export_has_one_row_per_scenario_and_year(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    text = logic.csv_export(
        [
            ("Plan", "current", current),
            ("Baseline", "baseline", baseline),
            ("Other", "compared", current),
            ("none", "compared", pd.DataFrame()),
        ]
    )
    lines = text.strip().splitlines()
    assert lines[0].startswith("scenario,role,year,recycling_rate")
    assert len(lines) == 1 + 3 * 3
    assert lines[1].startswith("Plan,current,2034,0.08")
    assert lines[-1].startswith("Other,compared,2036")


def test_adoption_columns_follow_the_indicator_catalogue() -> None:
    t = pd.DataFrame(
        columns=["households_separating_pet_share", "households_using_formal_share", "recycled_t"]
    )
    assert logic.adoption_columns(t) == ["households_using_formal_share", "households_separating_pet_share"]


def test_recycling_card_says_when_recyclers_run_full(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    def recycling_note(utilisation: list[float], year: int) -> str:
        run = current.assign(recycler_utilisation=utilisation)
        return next(c for c in logic.cards(run, baseline, year) if c.indicator == "recycling_rate").note

    assert "capacity" in recycling_note([0.5, 0.99, 0.97], 2035)
    assert recycling_note([0.5, 0.99, 0.97], 2034) == ""
    assert "capacity" in recycling_note([0.5, 0.99, 0.95], 2036)
    assert recycling_note([0.5, 0.94, 0.95], 2035) == ""


def test_a_percentage_against_a_baseline_near_or_across_zero_becomes_an_absolute_change() -> None:
    assert logic.change_mode(-9300.0, 10000.0, "pct") == "abs"  # crosses zero: not "-193 %"
    assert logic.change_mode(5.0, 0.1, "pct") == "abs"  # baseline near zero: not "+4900 %"
    assert logic.change_mode(750.0, 1000.0, "pct") == "pct"
    assert logic.change_mode(0.08, 0.05, "pp") == "pp"
    base = table(ghg_net_t_co2e=[100.0, 100.0, 100.0], net_public_cost_usd=[2e6, 2e6, 2e6])
    now = table(ghg_net_t_co2e=[80.0, -93.0, 70.0], net_public_cost_usd=[2e6, 2e6, 2e6])
    ghg = next(c for c in logic.cards(now, base, 2035) if c.indicator == "ghg_net_t_co2e")
    assert ghg.value == "−193" and ghg.unit == "t CO2e"
    assert any("t CO2e" in line for line in ghg.lines)


def test_points_are_the_difference_of_the_values_shown() -> None:
    base = table(recycling_rate=[0.0844, 0.0844, 0.0844])
    now = table(recycling_rate=[0.0846, 0.0846, 0.0846])
    card = next(c for c in logic.cards(now, base, 2035) if c.indicator == "recycling_rate")
    assert (card.value, card.delta) == ("8.5", "+0.1 pp")  # beside "Baseline 8.4 %", never ±0.0 pp


def test_public_spending_never_reads_better_while_mismanaged_waste_rises() -> None:
    base = table(public_spending_usd=[8e6] * 3, public_revenue_usd=[1e6] * 3, mismanaged_rate=[0.27] * 3)
    taxed = table(public_spending_usd=[7e6] * 3, public_revenue_usd=[9e6] * 3, mismanaged_rate=[0.38] * 3)
    cards = {c.indicator: c for c in logic.cards(taxed, base, 2035)}
    assert cards["mismanaged_rate"].tone == "bad"
    spending = cards["public_spending_usd"]
    assert spending.tone == "neutral" and spending.delta.startswith("−")
    assert "9.00 M" in spending.note and "7.00 M" in spending.note  # revenue and spending apart
    cleaner = table(public_spending_usd=[7e6] * 3, public_revenue_usd=[1e6] * 3, mismanaged_rate=[0.2] * 3)
    assert (
        next(c for c in logic.cards(cleaner, base, 2035) if c.indicator == "public_spending_usd").tone
        == "good"
    )


def test_landfill_years_left_say_when_the_landfill_is_full() -> None:
    base = table(landfill_years_left=[1.0, 0.0, 0.0])
    now = table(landfill_years_left=[2.0, 0.5, 0.0])
    cards = {c.indicator: c for c in logic.cards(now, base, 2035)}
    assert "2036" in cards["landfill_years_left"].note
    full = {c.indicator: c for c in logic.cards(now, base, 2036)}["landfill_years_left"]
    assert full.value == "0.00" and full.delta.startswith("±") and "full" in full.note.lower()
    assert logic.landfill_full_year(base) == 2035


def test_events_mark_the_landfill_full_levers_starting_and_facilities_opening() -> None:
    now = table(landfill_years_left=[1.0, 0.0, 0.0])
    scenario = {
        "policies": {
            "bag_levy": {"start_year": 2035},
            "epr_fee": {"start_year": 2035},
            "awareness_campaign": None,
        },
        "facilities": {
            "new_site": {"kind": "landfill", "open_year": 2036},
            "old": {"kind": "landfill", "open_year": 2000},
        },
    }
    found = logic.events(scenario, now, lambda lever: lever.upper(), lambda name, kind: f"{kind} {name}")
    assert [(e.year, e.kind) for e in found] == [(2035, "landfill"), (2035, "lever"), (2036, "facility")]
    assert "2" in found[1].label and "landfill new_site" in found[2].label


def test_card_frames_hold_every_year_for_play(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    frames = logic.card_frames(current, baseline)
    assert frames["years"] == [2034, 2035, 2036]
    one = {c["indicator"]: c for c in frames["cards"]["2035"]}
    shown = {c.indicator: c for c in logic.cards(current, baseline, 2035)}
    assert one["recycling_rate"]["value"] == shown["recycling_rate"].value
    assert one["leaked_to_water_t"]["tone"] == "good"
    assert one["recycling_rate"]["delta"].endswith("vs baseline")


def test_cards_speak_the_language_of_the_page(current: pd.DataFrame, baseline: pd.DataFrame) -> None:
    from sim.i18n import t
    from ui.text import use_language

    with use_language("km"):
        cards = {c.indicator: c for c in logic.cards(current, baseline, 2035)}
    assert cards["recycling_rate"].title == t("indicator.recycling_rate.label", "km")
    assert cards["leaked_to_water_t"].unit == t("unit.t", "km")
    assert t("card.baseline_value", "km", value="")[:5] in cards["recycling_rate"].baseline
