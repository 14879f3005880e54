"""Figure builders: what they draw, from a real short run and hand-made tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from sim.i18n import LANGS
from ui import figures, logic, runs, state
from ui.text import use_language


def trends(*args: Any, **kwargs: Any) -> go.Figure:
    """The trends figure, checked by Plotly's validating objects (it is built as a plain dict)."""
    return go.Figure(figures.trends_figure(*args, **kwargs))


@pytest.fixture(scope="module")
def result() -> dict:
    data = state.load_preset("baseline")
    data["time"]["end_year"] = 2036
    return runs.run_compact(state.validated(data), seed=5, scale=0.002)


@pytest.fixture(scope="module")
def annual(result: dict) -> pd.DataFrame:
    return runs.annual_frame(result)


def test_trends_draw_current_baseline_band_and_target(annual: pd.DataFrame) -> None:
    baseline = annual * 1.1
    band = runs.band([annual, annual * 0.9])
    fig = trends(annual, baseline, band, year=2030, upto_year=2030)
    names = {trace.name for trace in fig.data if trace.showlegend is not False}
    assert {"This scenario", "Baseline", "−55 % target"} <= names
    current = [t for t in fig.data if t.name == "This scenario"]
    assert len(current) == len(logic.CARDS)
    assert max(current[0].x) == 2030  # playing: drawn up to the year shown
    dashed = [t for t in fig.data if t.name == "Baseline"]
    assert all(t.line.dash == "dash" for t in dashed)
    star = next(t for t in fig.data if t.name == "−55 % target")
    assert star.y[0] == pytest.approx(baseline.at[2035, "ghg_net_t_co2e"] * 0.45)
    assert fig.layout.annotations[0].text.startswith("Recycling rate")
    assert current[0].y[0] == pytest.approx(100 * annual["recycling_rate"].iloc[0])  # percent
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len(bands) == len(logic.CARDS)


def test_trends_without_results_show_a_message() -> None:
    fig = trends(pd.DataFrame(), pd.DataFrame())
    assert fig.layout.annotations[0].text == "Waiting for results…"


def test_prepare_builds_the_trends_grid_of_every_language_before_a_request() -> None:
    figures._grid_json.cache_clear()
    figures.prepare()
    assert figures._grid_json.cache_info().currsize == len(LANGS)
    for lang in LANGS:
        with use_language(lang):
            figures._trends_grid_json()
    assert figures._grid_json.cache_info().misses == len(LANGS)  # all three from the cache


def test_sankey_merges_households_and_keeps_mass(result: dict, annual: pd.DataFrame) -> None:
    flows = runs.flows_frame(result["flows"])
    kinds = result["flows"]["nodes"]
    fig = figures.sankey_figure(flows, kinds, 2030)
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    assert labels.count("Households") == 1
    assert not any(label.startswith("households:") for label in labels)
    source = labels.index("Products used")
    generated = sum(v for s, v in zip(sankey.link.source, sankey.link.value, strict=True) if s == source)
    assert generated == pytest.approx(annual.at[2030, "generated_t"], rel=1e-3)


def test_network_draws_every_node_and_weights_edges_by_flow(result: dict) -> None:
    flows = runs.flows_frame(result["flows"])
    kinds = result["flows"]["nodes"]
    fig = figures.network_figure(flows, kinds, 2030)
    nodes = fig.data[-1]
    districts = sum(1 for k in kinds.values() if k == "households")
    assert districts > 1 and len(nodes.x) == len(kinds) - districts + 1  # households of all khans as one
    edges = [t for t in fig.data if t.mode == "lines" and t.x[0] is not None]
    widths = [t.line.width for t in edges]
    assert len(widths) >= 2 and max(widths) > min(widths)
    # A legend says what the widths mean, and every node is labelled on its own box.
    legend = [t for t in fig.data if t.mode == "lines" and t.x[0] is None]
    assert legend and all(t.name.endswith(" t") for t in legend)
    assert legend[0].legendgrouptitle.text == "Line width: tonnes per year"
    labels = [a.text for a in fig.layout.annotations]
    assert "Households (all khans)" in labels and all(a.bgcolor for a in fig.layout.annotations)


def test_trends_mark_events_and_tag_what_play_redraws(result: dict) -> None:
    from ui import logic

    current = runs.annual_frame(result)
    events = [logic.Event(2030, "lever", "Deposit starts"), logic.Event(2044, "landfill", "Landfill full")]
    fig = trends(current, current, None, 2035, None, False, events)
    assert sum(1 for t in fig.data if t.meta == "current") == len(logic.CARDS)
    shapes = fig.layout.shapes
    assert sum(1 for s in shapes if s.name == "year") == len(logic.CARDS)
    assert sum(1 for s in shapes if s.name == "event") == 2 * len(logic.CARDS)
    assert {a.text for a in fig.layout.annotations} >= {"Deposit starts", "Landfill full"}


def test_budget_keeps_revenue_and_spending_apart(result: dict) -> None:
    current = runs.annual_frame(result)
    fig = figures.budget_figure(current, current, 2035)
    bars = {t.name: t for t in fig.data if t.type == "bar"}
    assert min(bars["Fee revenue"].y) >= 0 and max(bars["Collection cost"].y) <= 0
    assert fig.layout.barmode == "relative"


def test_edge_widths_grow_with_flow() -> None:
    widths = figures.edge_widths(pd.Series([0.0, 25.0, 100.0]))
    assert list(widths) == pytest.approx([1.0, 1.0 + 13.0 * 0.5, figures.MAX_EDGE_WIDTH])
    assert list(figures.edge_widths(pd.Series([0.0, 0.0]))) == [1.0, 1.0]


def test_network_layout_puts_stages_left_to_right(result: dict) -> None:
    kinds = result["flows"]["nodes"]
    pos = figures.network_layout(kinds)
    household = next(n for n, k in kinds.items() if k == "households")
    assert pos["consumption"][0] < pos[household][0] < pos["aggregators"][0] < pos["secondary_market"][0]


def test_adoption_in_percent_with_dotted_baseline(annual: pd.DataFrame) -> None:
    columns = logic.adoption_columns(annual)
    fig = figures.adoption_figure(annual, annual, columns, 2030)
    solid = [t for t in fig.data if t.line.dash is None]
    dotted = [t for t in fig.data if t.line.dash == "dot"]
    assert len(solid) == len(dotted) == len(columns)
    assert solid[0].y[0] == pytest.approx(100 * annual[columns[0]].iloc[0])


def test_compare_overlays_scenarios_and_a_band(annual: pd.DataFrame) -> None:
    band = runs.band([annual, annual * 1.2])
    fig = figures.compare_figure(
        [("A", annual), ("B", annual * 2)], ("Base", annual), "leaked_to_water_t", band=band
    )
    named = [t.name for t in fig.data if t.name]
    assert named[-3:] == ["Base", "A", "B"]
    assert any(t.fill == "tonexty" for t in fig.data)
    upper, lower = fig.data[:2]
    assert lower.fill == "tonexty" and lower.name == "5–95 % of 2 runs"
    assert list(upper.y) == pytest.approx(list(band["high"]["leaked_to_water_t"]))
    assert list(lower.y) == pytest.approx(list(band["low"]["leaked_to_water_t"]))
    assert fig.layout.yaxis.title.text == "Leaked to water [t]"
    empty = figures.compare_figure([], ("", pd.DataFrame()), "recycling_rate")
    assert "Save scenarios" in empty.layout.annotations[0].text


def test_presenter_mode_is_bigger(annual: pd.DataFrame) -> None:
    small = trends(annual, annual)
    big = trends(annual, annual, big=True)
    assert big.layout.font.size > small.layout.font.size
    assert big.layout.height > small.layout.height


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("landfill:ang_snuol", "Landfill: Ang Snuol"),
        ("aggregators", "Junk shops"),
        ("households:Doun Penh", "Doun Penh"),
    ],
)
def test_node_labels(name: str, label: str) -> None:
    assert figures.node_label(name) == label
