"""The app's Market tab: prices and volumes of this scenario against the baseline."""

from __future__ import annotations

import pandas as pd

from sim import load_scenario, run_scenario
from ui import figures


def test_the_market_figure_draws_scenario_and_baseline_for_every_series(baseline) -> None:
    sc = baseline.with_overrides({"time.end_year": 2027})
    ban = sc.with_overrides({"policies.export_restriction.start_year": 2026})
    current = run_scenario(ban, seed=1, scale=0.01).annual
    base = run_scenario(sc, seed=1, scale=0.01).annual
    fig = figures.market_figure(current, base, 2026)
    series = [
        *figures.MARKET_PRICES,
        *figures.MARKET_VOLUMES,
        "recycling_capacity_t_per_day",
        "picker_income_usd_per_month",
    ]
    assert len(fig.data) == 2 * len(series)
    solid = {tr.name: list(tr.y) for tr in fig.data if tr.line.dash is None}
    dashed = {tr.name: list(tr.y) for tr in fig.data if tr.line.dash == "dash"}
    assert solid.keys() == dashed.keys()
    exported = figures.label_of("exported_t")
    assert solid[exported][-1] == 0.0 < dashed[exported][-1]  # the ban shows against the baseline


def test_the_market_figure_is_empty_without_a_result() -> None:
    fig = figures.market_figure(pd.DataFrame(), pd.DataFrame())
    assert len(fig.data) == 0


def test_the_island_workshop_draws_its_market() -> None:
    result = run_scenario(
        load_scenario("scenarios/island_workshop.yaml").with_overrides({"time.end_year": 2026}), seed=1
    )
    fig = figures.market_figure(result.annual, result.annual, None)
    assert any(tr.name == figures.label_of("recycler_price_pet_usd_per_t") for tr in fig.data)


def _year_frame(**values: float) -> pd.DataFrame:
    return pd.DataFrame([values], index=pd.Index([2030], name="year"))


def test_the_capacity_note_shows_only_when_capacity_binds() -> None:
    from ui.logic import capacity_binds

    full_and_glut = _year_frame(
        recycler_utilisation=0.98,
        recycler_input_t=1000.0,
        junkshop_inventory_t=50.0,
        junkshop_discarded_t=0.0,
    )
    full_no_glut = _year_frame(
        recycler_utilisation=0.98, recycler_input_t=1000.0, junkshop_inventory_t=0.0, junkshop_discarded_t=0.0
    )
    room = _year_frame(
        recycler_utilisation=0.80,
        recycler_input_t=1000.0,
        junkshop_inventory_t=50.0,
        junkshop_discarded_t=20.0,
    )
    assert capacity_binds(full_and_glut, 2030)
    assert not capacity_binds(full_no_glut, 2030)
    assert not capacity_binds(room, 2030)
