"""Figure builders: plain functions from result tables to Plotly figures.

Each builder makes a new figure from its arguments (nothing is shared between calls or
users). ``big=True`` is presenter mode: larger fonts, lines and charts for a projector.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from sim.i18n import LANGS
from sim.metrics import TRADED
from sim.network import NodeKind
from ui.logic import (
    CARDS,
    GHG_INDICATOR,
    GHG_TARGET_CUT,
    GHG_TARGET_YEAR,
    REVENUE_INDICATOR,
    SPENDING_INDICATOR,
    Event,
    fmt_number,
    indicator_label,
    label_of,
    unit_of,
)
from ui.runs import band_label
from ui.text import current_language, font_family, has_text, t, use_language

CURRENT = "#1c7ed6"
BASELINE = "#868e96"
BAND = "rgba(28, 126, 214, 0.18)"
PALETTE = ("#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f59f00")
KIND_COLOURS: dict[str, str] = {
    NodeKind.CONSUMPTION: "#adb5bd",
    NodeKind.HOUSEHOLDS: "#f59f00",
    NodeKind.FORMAL_COLLECTOR: "#1c7ed6",
    NodeKind.INFORMAL_COLLECTOR: "#7048e8",
    NodeKind.DEPOSIT_POINT: "#0ca678",
    NodeKind.AGGREGATOR: "#ae3ec9",
    NodeKind.MRF: "#1098ad",
    NodeKind.RECYCLER: "#2f9e44",
    NodeKind.LANDFILL: "#495057",
    NodeKind.INCINERATOR: "#e8590c",
    NodeKind.OPEN_BURNING: "#e03131",
    NodeKind.DUMPED: "#a61e4d",
    NodeKind.WATER: "#1971c2",
    NodeKind.EXPORT: "#74b816",
    NodeKind.MARKET: "#2b8a3e",
}
#: Column of each node kind in the network drawing (left to right: the way plastic moves).
KIND_LAYER: dict[str, int] = {
    NodeKind.CONSUMPTION: 0,
    NodeKind.HOUSEHOLDS: 1,
    NodeKind.FORMAL_COLLECTOR: 2,
    NodeKind.INFORMAL_COLLECTOR: 2,
    NodeKind.DEPOSIT_POINT: 2,
    NodeKind.AGGREGATOR: 3,
    NodeKind.MRF: 3,
    NodeKind.RECYCLER: 4,
    NodeKind.LANDFILL: 4,
    NodeKind.INCINERATOR: 4,
    NodeKind.OPEN_BURNING: 5,
    NodeKind.DUMPED: 5,
    NodeKind.WATER: 5,
    NodeKind.EXPORT: 5,
    NodeKind.MARKET: 5,
}
TARGET = "#e03131"
EVENT_COLOURS = {"landfill": "#e03131", "lever": "#1c7ed6", "facility": "#2f9e44"}
YEAR_LINE = {"color": "#adb5bd", "width": 1}
WIDTH_CLASSES = 6
MAX_EDGE_WIDTH = 14.0


#: Plotly template of every figure.
TEMPLATE = "plotly_white"


def _line_width(big: bool) -> float:
    """Width of the scenario lines [px] (wider in presenter mode)."""
    return 4 if big else 2.5


def _style_layout(big: bool, height: int, legend: dict[str, Any] | None = None) -> dict[str, Any]:
    """Common look as layout properties: fonts, height (taller in presenter mode), a legend that hides no axis."""
    return {
        "template": TEMPLATE,
        "font": {"size": 18 if big else 12, "family": font_family()},
        "height": int(height * (1.3 if big else 1.0)),
        "margin": {"l": 56, "r": 20, "t": 86 if big else 72, "b": 40},
        "legend": legend or {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "yref": "container"},
        "hovermode": "closest",
        "title": {"y": 0.98, "yanchor": "top", "x": 0.01, "xanchor": "left"},
    }


def _style(fig: go.Figure, big: bool, height: int, legend: dict[str, Any] | None = None) -> go.Figure:
    """Common look (:func:`_style_layout`) on a figure."""
    fig.update_layout(**_style_layout(big, height, legend))
    return fig


def empty_figure(message: str | None = None, big: bool = False, height: int = 360) -> go.Figure:
    """A blank figure with a message in the middle."""
    fig = go.Figure()
    fig.add_annotation(
        text=message or t("figure.empty"), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, big, height)


def _scaled(indicator: str, values: pd.Series) -> pd.Series:
    """Values as displayed: fractions in percent."""
    return values * 100 if unit_of(indicator) == "%" else values


def _band_traces(name: str, band: dict[str, Any], first: bool) -> list[dict[str, Any]]:
    """The two traces of a shaded band (upper edge, then lower edge filled up to it)."""
    years = band["years"]
    low = _scaled(name, pd.Series(band["low"][name], dtype=float)).tolist()
    high = _scaled(name, pd.Series(band["high"][name], dtype=float)).tolist()
    return [
        {
            "type": "scatter",
            "x": years,
            "y": high,
            "mode": "lines",
            "line": {"width": 0},
            "hoverinfo": "skip",
            "showlegend": False,
            "legendgroup": "band",
        },
        {
            "type": "scatter",
            "x": years,
            "y": low,
            "mode": "lines",
            "line": {"width": 0},
            "fill": "tonexty",
            "fillcolor": BAND,
            "name": band_label(band, current_language()),
            "showlegend": first,
            "legendgroup": "band",
            "hoverinfo": "skip",
        },
    ]


def _axis(k: int) -> str:
    """Suffix of the k-th subplot's axes (``""``, ``"2"``, ...)."""
    return "" if k == 0 else str(k + 1)


def _vline(k: int, x: float, line: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": f"x{_axis(k)}",
        "y0": 0,
        "y1": 1,
        "yref": f"y{_axis(k)} domain",
        "line": line,
        "name": name,
    }


def event_marks(events: list[Event], panels: int, labelled: int, big: bool) -> tuple[list, list]:
    """Vertical marks of events in every panel, with their labels in the first ``labelled`` panels.

    Returns:
        Shapes and annotations for ``fig.update_layout``.
    """
    shapes, notes = [], []
    for event in events:
        colour = EVENT_COLOURS[event.kind]
        for k in range(panels):
            shapes.append(_vline(k, event.year, {"color": colour, "width": 1.5, "dash": "dot"}, "event"))
            if k < labelled:
                notes.append(
                    {
                        "x": event.year,
                        "xref": f"x{_axis(k)}",
                        "y": 0.98,
                        "yref": f"y{_axis(k)} domain",
                        "text": event.label,
                        "showarrow": False,
                        "textangle": -90,
                        "xanchor": "right",
                        "yanchor": "top",
                        "font": {"size": 12 if big else 9, "color": colour},
                    }
                )
    return shapes, notes


#: Columns of the trends' grid of small multiples.
TRENDS_COLUMNS = 4


@lru_cache(maxsize=8)
def _grid_json(titles: tuple[str, ...]) -> str:
    """Layout of the trends' grid of small multiples (axes' domains, titles), as JSON (copied per use)."""
    fig = make_subplots(
        rows=math.ceil(len(titles) / TRENDS_COLUMNS),
        cols=TRENDS_COLUMNS,
        subplot_titles=titles,
        vertical_spacing=0.16,
        horizontal_spacing=0.06,
    )
    return json.dumps(fig.to_plotly_json()["layout"])


def _trends_grid_json() -> str:
    """The trends' grid in the page's language (:func:`_grid_json`)."""
    return _grid_json(tuple(indicator_label(c.indicator) for c in CARDS))


def prepare() -> None:
    """Build the cached parts of the trends, drawn after every lever change, in every language.

    Plotly's subplot grid and template take about 0.1-0.2 s the first time; the server builds
    them before its first request so that no first lever change waits for them.
    """
    for lang in LANGS:
        with use_language(lang):
            _trends_grid_json()
    _template_json(TEMPLATE)


@lru_cache(maxsize=1)
def _template_json(name: str) -> str:
    """A Plotly template as JSON: a plain figure carries it whole, as Plotly's objects would."""
    return json.dumps(pio.templates[name].to_plotly_json())


def trends_figure(
    current: pd.DataFrame,
    baseline: pd.DataFrame,
    band: dict[str, Any] | None = None,
    year: int | None = None,
    upto_year: int | None = None,
    big: bool = False,
    events: list[Event] | None = None,
) -> dict[str, Any]:
    """Small multiples of the card indicators: this scenario, the baseline, the band and events.

    A plain figure dict (``data``, ``layout``), built without Plotly's validating objects: it is
    drawn after every lever change. ``go.Figure(trends_figure(...))`` checks it (the tests do).
    The traces of this scenario carry ``meta="current"`` and the year line ``name="year"``, so
    play can cut and move them in the browser from one figure prepared beforehand.

    Args:
        current: Yearly indicators of the current scenario.
        baseline: Yearly indicators of the baseline (drawn dashed; may be empty).
        band: Replication band (:func:`ui.runs.band`) of the current scenario, or None.
        year: Year marked with a vertical line.
        upto_year: Draw the current scenario only up to this year.
        big: Presenter mode.
        events: Landfill full, levers starting, facilities opening (:func:`ui.logic.events`).
    """
    if current.empty:
        return empty_figure(big=big, height=560).to_plotly_json()
    specs = [c.indicator for c in CARDS]
    layout = json.loads(_trends_grid_json())
    shown = current if upto_year is None else current[current.index <= upto_year]
    shown_years = [int(y) for y in shown.index]
    baseline_years = [int(y) for y in baseline.index]
    width = _line_width(big)
    traces: list[dict[str, Any]] = []
    shapes = []
    for k, name in enumerate(specs):
        axes = {"xaxis": f"x{_axis(k)}", "yaxis": f"y{_axis(k)}"}
        first = k == 0
        new: list[dict[str, Any]] = []
        if band and name in band.get("low", {}):
            new += _band_traces(name, band, first)
        if name in baseline.columns:
            new.append(
                {
                    "type": "scatter",
                    "x": baseline_years,
                    "y": _scaled(name, baseline[name]).tolist(),
                    "mode": "lines",
                    "name": t("series.baseline"),
                    "line": {"color": BASELINE, "dash": "dash", "width": width},
                    "showlegend": first,
                    "legendgroup": "baseline",
                }
            )
        new.append(
            {  # plain lists: play cuts them in the browser
                "type": "scatter",
                "x": shown_years,
                "y": _scaled(name, shown[name]).tolist(),
                "mode": "lines",
                "name": t("series.current"),
                "line": {"color": CURRENT, "width": width},
                "showlegend": first,
                "legendgroup": "current",
                "meta": "current",
            }
        )
        if name == GHG_INDICATOR and GHG_TARGET_YEAR in baseline.index:
            target = float(baseline.at[GHG_TARGET_YEAR, name]) * (1 - GHG_TARGET_CUT)  # type: ignore[arg-type]
            new.append(
                {
                    "type": "scatter",
                    "x": [GHG_TARGET_YEAR],
                    "y": [target],
                    "mode": "markers",
                    "name": t("series.target"),
                    "marker": {"symbol": "star", "size": 16 if big else 11, "color": TARGET},
                }
            )
        traces += [{**trace, **axes} for trace in new]
        if year is not None:
            shapes.append(_vline(k, year, YEAR_LINE, "year"))
    for key in [key for key in layout if key.startswith("xaxis")]:
        layout[key]["range"] = [int(current.index.min()) - 0.5, int(current.index.max()) + 0.5]
    for title in layout["annotations"]:
        title["font"] = {**title.get("font", {}), "size": 18 if big else 12}
    marks, notes = event_marks(events or [], len(specs), TRENDS_COLUMNS, big)
    layout["shapes"] = shapes + marks
    layout["annotations"] += notes
    layout.update(_style_layout(big, 560))
    layout["template"] = json.loads(_template_json(layout["template"]))
    return {"data": traces, "layout": layout}


def node_label(name: str, kind: str | None = None) -> str:
    """Readable name of a graph node: ``landfill:dangkor`` -> ``Landfill: Dangkor`` (translated)."""
    prefix, _, rest = name.partition(":")
    if rest:
        if prefix == "households":
            return t(f"district.{rest}", default=rest)
        head = t(f"node.{prefix}") if has_text(f"node.{prefix}") else prefix.capitalize()
        return f"{head}: {t(f'place.{rest}', default=rest.replace('_', ' ').title())}"
    return t(f"node.{name}") if has_text(f"node.{name}") else name.replace("_", " ").capitalize()


def _merge_households(name: str, kinds: dict[str, str]) -> str:
    return NodeKind.HOUSEHOLDS.value if kinds.get(name) == NodeKind.HOUSEHOLDS else name


def year_flows(flows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Flows of one year by edge [t] (zeros dropped)."""
    chosen = flows[(flows["year"] == year) & (flows["tonnes"] > 0)]
    return pd.DataFrame(chosen.groupby(["source", "target"], as_index=False)["tonnes"].sum())


def merged_flows(flows: pd.DataFrame, kinds: dict[str, str], year: int) -> pd.DataFrame:
    """One year's flows by edge with the households of all districts as one node [t]."""
    edges = year_flows(flows, year)
    edges = edges.assign(
        source=edges["source"].map(lambda n: _merge_households(n, kinds)),
        target=edges["target"].map(lambda n: _merge_households(n, kinds)),
    )
    kept = edges[edges["source"] != edges["target"]]
    return pd.DataFrame(kept.groupby(["source", "target"], as_index=False)["tonnes"].sum())


def merged_kinds(kinds: dict[str, str]) -> dict[str, str]:
    """Node kinds with the households of all districts as one node."""
    return {_merge_households(n, kinds): k for n, k in kinds.items()}


def sankey_figure(flows: pd.DataFrame, kinds: dict[str, str], year: int, big: bool = False) -> go.Figure:
    """Sankey of one year's flows, households of all districts as one node.

    Args:
        flows: ``year, source, target, tonnes`` (compact result).
        kinds: Node -> kind of the material-flow graph.
        year: The year drawn.
        big: Presenter mode.
    """
    edges = merged_flows(flows, kinds, year)
    if edges.empty:
        return empty_figure(big=big, height=520)
    nodes = list(dict.fromkeys([*edges["source"], *edges["target"]]))
    index = {n: i for i, n in enumerate(nodes)}
    colours = [KIND_COLOURS.get(kinds.get(n, n), "#868e96") for n in nodes]
    link_colours = [_alpha(colours[index[v]], 0.35) for v in edges["target"]]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            valuesuffix=" t",
            node={
                "label": [node_label(n) for n in nodes],
                "color": colours,
                "pad": 18,
                "thickness": 22 if big else 16,
            },
            link={
                "source": [index[s] for s in edges["source"]],
                "target": [index[v] for v in edges["target"]],
                "value": edges["tonnes"].round(1).tolist(),
                "color": link_colours,
            },
        )
    )
    fig.update_layout(title=t("figure.sankey.title", year=year))
    return _style(fig, big, 520)


def _alpha(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def network_layout(kinds: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Positions of the graph's nodes: a column per stage, nodes spread evenly in it."""
    columns: dict[int, list[str]] = {}
    for node, kind in kinds.items():
        columns.setdefault(KIND_LAYER.get(kind, 5), []).append(node)
    pos = {}
    for layer, nodes in columns.items():
        for i, node in enumerate(nodes):
            pos[node] = (float(layer), 1.0 - (i + 0.5) / len(nodes))
    return pos


def edge_widths(tonnes: pd.Series, max_width: float = MAX_EDGE_WIDTH) -> pd.Series:
    """Line width of each edge: 1 px plus a square-root share of the largest flow."""
    top = float(tonnes.max()) if len(tonnes) else 0.0
    if top <= 0:
        return pd.Series(1.0, index=tonnes.index)
    return 1.0 + (max_width - 1.0) * (tonnes.clip(lower=0) / top) ** 0.5


def width_legend(top_t: float, max_width: float = MAX_EDGE_WIDTH) -> list[tuple[float, float]]:
    """Reference flows for the width legend: (tonnes, line width) at round values up to the largest."""
    if top_t <= 0:
        return []
    magnitude = 10 ** math.floor(math.log10(top_t))
    values = sorted({magnitude / 10, magnitude, top_t})
    widths = edge_widths(pd.Series(values), max_width)  # the largest is top_t: same scale as the edges
    return list(zip(values, widths.tolist(), strict=True))


def network_figure(flows: pd.DataFrame, kinds: dict[str, str], year: int, big: bool = False) -> go.Figure:
    """The material-flow graph, districts' households as one node, each edge as wide as its flow.

    Edges take the colour of where the plastic goes; a legend gives the width of reference
    flows; node names sit on a white box so edges never run through them.

    Args:
        flows: ``year, source, target, tonnes`` (compact result).
        kinds: Node -> kind of the material-flow graph (every node, flows or not).
        year: The year drawn.
        big: Presenter mode.
    """
    if not kinds:
        return empty_figure(big=big, height=560)
    merged = merged_kinds(kinds)
    pos = network_layout(merged)
    edges = merged_flows(flows, kinds, year)
    edges = edges[edges["source"].isin(pos) & edges["target"].isin(pos)]
    fig = go.Figure()
    if not edges.empty:
        widths = edge_widths(edges["tonnes"])
        for (u, v, tonnes), w in zip(
            edges[["source", "target", "tonnes"]].itertuples(index=False), widths, strict=True
        ):
            colour = _alpha(KIND_COLOURS.get(merged.get(v, ""), "#868e96"), 0.55)
            fig.add_trace(
                go.Scatter(
                    x=[pos[u][0], pos[v][0]],
                    y=[pos[u][1], pos[v][1]],
                    mode="lines",
                    line={"width": float(w), "color": colour},
                    hoverinfo="text",
                    text=f"{node_label(u)} → {node_label(v)}: {fmt_number(tonnes)} t",
                    showlegend=False,
                )
            )
        for tonnes, w in width_legend(float(edges["tonnes"].max())):
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="lines",
                    line={"width": float(w), "color": "rgba(73, 80, 87, 0.6)"},
                    name=f"{fmt_number(tonnes)} t",
                    legendgroup="width",
                    legendgrouptitle={"text": t("figure.network.width")},
                )
            )
    nodes = list(pos)
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in nodes],
            y=[pos[n][1] for n in nodes],
            mode="markers",
            marker={
                "size": 18 if big else 13,
                "color": [KIND_COLOURS.get(merged[n], "#868e96") for n in nodes],
                "line": {"width": 1, "color": "white"},
            },
            hovertext=[_network_name(n, merged) for n in nodes],
            hoverinfo="text",
            showlegend=False,
        )
    )
    for n in nodes:
        fig.add_annotation(
            x=pos[n][0],
            y=pos[n][1],
            text=_network_name(n, merged),
            showarrow=False,
            xanchor="left",
            xshift=10,
            font={"size": 15 if big else 12},
            bgcolor="rgba(255, 255, 255, 0.85)",
        )
    fig.update_xaxes(visible=False, range=[-0.2, max(p[0] for p in pos.values()) + 1.0])
    fig.update_yaxes(visible=False, range=[-0.04, 1.04])
    fig.update_layout(title=t("figure.network.title", year=year))
    legend = {
        "orientation": "v",
        "x": 1.0,
        "xanchor": "right",
        "y": 0.0,
        "yanchor": "bottom",
        "bgcolor": "rgba(255,255,255,0.85)",
    }
    return _style(fig, big, 560, legend)


def _network_name(node: str, kinds: dict[str, str]) -> str:
    if kinds.get(node) == NodeKind.HOUSEHOLDS:
        return t("figure.network.all_districts")
    return node_label(node)


def adoption_figure(
    current: pd.DataFrame,
    baseline: pd.DataFrame,
    columns: list[str],
    year: int | None = None,
    big: bool = False,
) -> go.Figure:
    """Share of households separating each group and using collection, over time.

    Args:
        current: Yearly indicators of the current scenario.
        baseline: Yearly indicators of the baseline (dotted; may be empty).
        columns: Household-share indicators to draw.
        year: Year marked with a vertical line.
        big: Presenter mode.
    """
    if current.empty or not columns:
        return empty_figure(big=big, height=460)
    fig = go.Figure()
    width = _line_width(big)
    for k, name in enumerate(columns):
        colour = PALETTE[k % len(PALETTE)]
        label = label_of(name)
        fig.add_trace(
            go.Scatter(
                x=current.index,
                y=current[name] * 100,
                mode="lines",
                name=label,
                legendgroup=name,
                line={"color": colour, "width": width},
            )
        )
        if name in baseline.columns:
            fig.add_trace(
                go.Scatter(
                    x=baseline.index,
                    y=baseline[name] * 100,
                    mode="lines",
                    name=f"{label} ({t('series.baseline').lower()})",
                    legendgroup=name,
                    showlegend=False,
                    line={"color": colour, "width": width / 1.5, "dash": "dot"},
                )
            )
    if year is not None:
        fig.add_vline(x=year, line=YEAR_LINE)
    fig.update_yaxes(title_text=t("figure.adoption.axis"), rangemode="tozero")
    fig.update_xaxes(title_text=t("figure.year"))
    title = f"{t('figure.adoption.title')}<br><sup>{t('figure.adoption.baseline_note')}</sup>"
    fig.update_layout(title=title)
    legend = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"}
    fig = _style(fig, big, 460, legend)
    fig.update_layout(margin={"r": 260 if big else 220})
    return fig


#: What the public budget for plastic is made of: (indicator, side) in stacking order.
BUDGET_PARTS: tuple[tuple[str, str], ...] = (
    ("fee_revenue_usd", "revenue"),
    ("landfill_tax_usd", "revenue"),
    ("producer_fees_usd", "revenue"),
    ("collection_cost_usd", "spending"),
    ("landfill_cost_usd", "spending"),
    ("subsidies_usd", "spending"),
    ("programme_cost_usd", "spending"),
)
BUDGET_COLOURS = ("#2f9e44", "#74b816", "#0ca678", "#e8590c", "#f59f00", "#ae3ec9", "#d6336c")


def budget_figure(
    current: pd.DataFrame, baseline: pd.DataFrame, year: int | None = None, big: bool = False
) -> go.Figure:
    """Public revenue and spending on plastic over time, by source, never netted against each other.

    Revenue (collection fees, landfill tax, producer fees) is drawn above zero and spending
    (collection, landfill, subsidies, programmes) below it, stacked by part; the baseline's
    totals are dashed lines, so a new tax never reads as a saving.
    """
    if current.empty:
        return empty_figure(big=big, height=460)
    fig = go.Figure()
    for (name, side), colour in zip(BUDGET_PARTS, BUDGET_COLOURS, strict=True):
        if name not in current.columns:
            continue
        sign = 1 if side == "revenue" else -1
        fig.add_trace(
            go.Bar(
                x=current.index,
                y=sign * current[name] / 1e6,
                name=label_of(name),
                marker_color=colour,
                legendgroup=side,
                legendgrouptitle={"text": t(f"series.{side}")},
            )
        )
    for name, sign in ((REVENUE_INDICATOR, 1), (SPENDING_INDICATOR, -1)):
        if name in baseline.columns:
            fig.add_trace(
                go.Scatter(
                    x=baseline.index,
                    y=sign * baseline[name] / 1e6,
                    mode="lines",
                    name=f"{t('series.baseline')}: {label_of(name)}",
                    line={"color": BASELINE, "dash": "dash", "width": _line_width(big)},
                    legendgroup="baseline",
                )
            )
    if year is not None:
        fig.add_vline(x=year, line=YEAR_LINE)
    fig.update_layout(barmode="relative", title=t("figure.budget.title"))
    fig.update_yaxes(title_text=f"{t('unit.M', default='M')} {unit_of(SPENDING_INDICATOR)}", zeroline=True)
    legend = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"}
    fig = _style(fig, big, 460, legend)
    fig.update_layout(margin={"r": 260 if big else 220})
    return fig


#: What the Market tab draws: prices by material, then volumes, capacity and pickers' income.
MARKET_PRICES = tuple(f"recycler_price_{m}_usd_per_t" for m in TRADED)
MARKET_VOLUMES = ("recycler_input_t", "exported_t", "junkshop_discarded_t", "junkshop_inventory_t")


def market_figure(
    current: pd.DataFrame, baseline: pd.DataFrame, year: int | None = None, big: bool = False
) -> go.Figure:
    """The secondary-materials market by year: prices, volumes, capacity, pickers' income.

    Four panels, this scenario solid and the baseline dashed in the same colour, so a price
    fall after a deposit or an export ban, or capacity built after a subsidy, is read at once.
    """
    if current.empty:
        return empty_figure(big=big, height=560)
    panels = (
        ("figure.market.prices", MARKET_PRICES),
        ("figure.market.volumes", MARKET_VOLUMES),
        ("figure.market.capacity", ("recycling_capacity_t_per_day",)),
        ("figure.market.income", ("picker_income_usd_per_month",)),
    )
    fig = make_subplots(rows=2, cols=2, subplot_titles=[t(key) for key, _ in panels], vertical_spacing=0.16)
    for k, (_, names) in enumerate(panels):
        row, col = k // 2 + 1, k % 2 + 1
        for i, name in enumerate(names):
            colour = PALETTE[i % len(PALETTE)]
            for frame, dash, shown in ((current, None, True), (baseline, "dash", False)):
                if name not in frame.columns:
                    continue
                fig.add_trace(
                    go.Scatter(
                        x=frame.index,
                        y=frame[name],
                        mode="lines",
                        name=label_of(name),
                        legendgroup=name,
                        showlegend=shown and (len(names) > 1),
                        line={"color": colour, "dash": dash, "width": _line_width(big)},
                    ),
                    row=row,
                    col=col,
                )
    if year is not None:
        for k in range(4):
            fig.add_vline(x=year, line=YEAR_LINE, row=k // 2 + 1, col=k % 2 + 1)
    fig.update_layout(title=t("figure.market.title"))
    return _style(fig, big, 560)


def compare_figure(
    series: list[tuple[str, pd.DataFrame]],
    baseline: tuple[str, pd.DataFrame],
    indicator: str,
    big: bool = False,
    band: dict[str, Any] | None = None,
) -> go.Figure:
    """One indicator over time for the baseline and each compared scenario.

    Args:
        series: (name, yearly indicators) of each scenario compared.
        baseline: (name, yearly indicators) of the baseline (dashed).
        indicator: The indicator drawn.
        big: Presenter mode.
        band: A spread to shade (e.g. a sweep's 5-95 %), in the shape of :func:`ui.runs.band`.
    """
    if not series and baseline[1].empty:
        return empty_figure(t("compare.pick"), big=big, height=420)
    fig = go.Figure()
    width = _line_width(big)
    if band and indicator in band.get("low", {}):
        fig.add_traces(_band_traces(indicator, band, first=True))
    base_name, base_table = baseline
    if indicator in base_table.columns:
        fig.add_trace(
            go.Scatter(
                x=base_table.index,
                y=_scaled(indicator, base_table[indicator]),
                mode="lines",
                name=base_name,
                line={"color": BASELINE, "dash": "dash", "width": width},
            )
        )
    for k, (name, table) in enumerate(series):
        if indicator in table.columns:
            fig.add_trace(
                go.Scatter(
                    x=table.index,
                    y=_scaled(indicator, table[indicator]),
                    mode="lines",
                    name=name,
                    line={"color": PALETTE[k % len(PALETTE)], "width": width},
                )
            )
    fig.update_yaxes(title_text=indicator_label(indicator))
    fig.update_layout(title=t("figure.compare.title", indicator=label_of(indicator)))
    return _style(fig, big, 420)
