"""Figure builders: plain functions from result tables to Plotly figures.

Each builder makes a new figure from its arguments (nothing is shared between calls or
users). ``big=True`` is presenter mode: larger fonts, lines and charts for a projector.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.network import NodeKind
from ui.logic import CARDS, GHG_INDICATOR, GHG_TARGET_CUT, GHG_TARGET_YEAR, indicator_label, label_of, unit_of
from ui.text import has_text, t

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
YEAR_LINE = {"color": "#adb5bd", "width": 1}
WIDTH_CLASSES = 6
MAX_EDGE_WIDTH = 14.0


def _line_width(big: bool) -> float:
    """Width of the scenario lines [px] (wider in presenter mode)."""
    return 4 if big else 2.5


def _style(fig: go.Figure, big: bool, height: int) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font={"size": 20 if big else 12},
        height=int(height * (1.45 if big else 1.0)),
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.08, "x": 0},
        hovermode="closest",
    )
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


def _band_traces(name: str, band: dict[str, Any], first: bool) -> list[go.Scatter]:
    """The two traces of a shaded band (upper edge, then lower edge filled up to it)."""
    years = band["years"]
    low = _scaled(name, pd.Series(band["low"][name], dtype=float))
    high = _scaled(name, pd.Series(band["high"][name], dtype=float))
    q_low, q_high = (int(q * 100) for q in band["quantiles"])
    return [
        go.Scatter(
            x=years,
            y=high,
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup="band",
        ),
        go.Scatter(
            x=years,
            y=low,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND,
            name=t("series.band", low=q_low, high=q_high, n=band["n"]),
            showlegend=first,
            legendgroup="band",
            hoverinfo="skip",
        ),
    ]


def trends_figure(
    current: pd.DataFrame,
    baseline: pd.DataFrame,
    band: dict[str, Any] | None = None,
    year: int | None = None,
    upto_year: int | None = None,
    big: bool = False,
) -> go.Figure:
    """Small multiples of the card indicators: this scenario, the baseline and the band.

    Args:
        current: Yearly indicators of the current scenario.
        baseline: Yearly indicators of the baseline (drawn dashed; may be empty).
        band: Replication band (:func:`ui.runs.band`) of the current scenario, or None.
        year: Year marked with a vertical line.
        upto_year: Draw the current scenario only up to this year (when playing).
        big: Presenter mode.
    """
    if current.empty:
        return empty_figure(big=big, height=560)
    specs = [c.indicator for c in CARDS]
    cols = 4
    rows = math.ceil(len(specs) / cols)
    titles = [indicator_label(i) for i in specs]
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=0.16, horizontal_spacing=0.06
    )
    shown = current if upto_year is None else current[current.index <= upto_year]
    width = _line_width(big)
    traces: list[go.Scatter] = []
    cells: list[tuple[int, int]] = []
    shapes = []
    for k, name in enumerate(specs):
        cell = (k // cols + 1, k % cols + 1)
        first = k == 0
        new: list[go.Scatter] = []
        if band and name in band.get("low", {}):
            new += _band_traces(name, band, first)
        if name in baseline.columns:
            new.append(
                go.Scatter(
                    x=baseline.index,
                    y=_scaled(name, baseline[name]),
                    mode="lines",
                    name=t("series.baseline"),
                    line={"color": BASELINE, "dash": "dash", "width": width},
                    showlegend=first,
                    legendgroup="baseline",
                )
            )
        new.append(
            go.Scatter(
                x=shown.index,
                y=_scaled(name, shown[name]),
                mode="lines",
                name=t("series.current"),
                line={"color": CURRENT, "width": width},
                showlegend=first,
                legendgroup="current",
            )
        )
        if name == GHG_INDICATOR and GHG_TARGET_YEAR in baseline.index:
            target = baseline.at[GHG_TARGET_YEAR, name] * (1 - GHG_TARGET_CUT)
            new.append(
                go.Scatter(
                    x=[GHG_TARGET_YEAR],
                    y=[target],
                    mode="markers",
                    name=t("series.target"),
                    marker={"symbol": "star", "size": 16 if big else 11, "color": TARGET},
                )
            )
        traces += new
        cells += [cell] * len(new)
        if year is not None:
            axis = "" if k == 0 else str(k + 1)
            shapes.append(
                {
                    "type": "line",
                    "x0": year,
                    "x1": year,
                    "xref": f"x{axis}",
                    "y0": 0,
                    "y1": 1,
                    "yref": f"y{axis} domain",
                    "line": YEAR_LINE,
                }
            )
    fig.add_traces(traces, rows=[r for r, _ in cells], cols=[c for _, c in cells])
    fig.update_xaxes(range=[current.index.min() - 0.5, current.index.max() + 0.5])
    fig.update_annotations(font_size=20 if big else 12)
    fig.update_layout(shapes=shapes)
    return _style(fig, big, 560)


def node_label(name: str, kind: str | None = None) -> str:
    """Readable name of a graph node: ``landfill:dangkor`` -> ``Landfill: Dangkor``."""
    prefix, _, rest = name.partition(":")
    if rest:
        head = t(f"node.{prefix}") if has_text(f"node.{prefix}") else prefix.capitalize()
        return f"{head}: {rest.replace('_', ' ').title()}" if prefix != "households" else rest
    return t(f"node.{name}") if has_text(f"node.{name}") else name.replace("_", " ").capitalize()


def _merge_households(name: str, kinds: dict[str, str]) -> str:
    return NodeKind.HOUSEHOLDS.value if kinds.get(name) == NodeKind.HOUSEHOLDS else name


def year_flows(flows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Flows of one year by edge [t] (zeros dropped)."""
    chosen = flows[(flows["year"] == year) & (flows["tonnes"] > 0)]
    return chosen.groupby(["source", "target"], as_index=False)["tonnes"].sum()


def sankey_figure(flows: pd.DataFrame, kinds: dict[str, str], year: int, big: bool = False) -> go.Figure:
    """Sankey of one year's flows, households of all districts as one node.

    Args:
        flows: ``year, source, target, tonnes`` (compact result).
        kinds: Node -> kind of the material-flow graph.
        year: The year drawn.
        big: Presenter mode.
    """
    edges = year_flows(flows, year)
    if edges.empty:
        return empty_figure(big=big, height=520)
    edges = edges.assign(
        source=edges["source"].map(lambda n: _merge_households(n, kinds)),
        target=edges["target"].map(lambda n: _merge_households(n, kinds)),
    )
    edges = (
        edges[edges["source"] != edges["target"]]
        .groupby(["source", "target"], as_index=False)["tonnes"]
        .sum()
    )
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


def network_figure(flows: pd.DataFrame, kinds: dict[str, str], year: int, big: bool = False) -> go.Figure:
    """The material-flow graph with each edge as wide as the year's flow along it.

    Args:
        flows: ``year, source, target, tonnes`` (compact result).
        kinds: Node -> kind of the material-flow graph (every node, flows or not).
        year: The year drawn.
        big: Presenter mode.
    """
    if not kinds:
        return empty_figure(big=big, height=560)
    pos = network_layout(kinds)
    edges = year_flows(flows, year)
    edges = edges[edges["source"].isin(pos) & edges["target"].isin(pos)]
    fig = go.Figure()
    if not edges.empty:
        widths = edge_widths(edges["tonnes"])
        classes = pd.cut(widths, bins=WIDTH_CLASSES, labels=False, include_lowest=True)
        for c in sorted(classes.unique()):
            part = edges[classes == c]
            xs: list[float | None] = []
            ys: list[float | None] = []
            for u, v in zip(part["source"], part["target"], strict=True):
                xs += [pos[u][0], pos[v][0], None]
                ys += [pos[u][1], pos[v][1], None]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    hoverinfo="skip",
                    showlegend=False,
                    line={"width": float(widths[classes == c].mean()), "color": "rgba(73, 80, 87, 0.45)"},
                )
            )
        mid_x = [(pos[u][0] + pos[v][0]) / 2 for u, v in zip(edges["source"], edges["target"], strict=True)]
        mid_y = [(pos[u][1] + pos[v][1]) / 2 for u, v in zip(edges["source"], edges["target"], strict=True)]
        text = [
            f"{node_label(u)} → {node_label(v)}: {w:,.0f} t"
            for u, v, w in zip(edges["source"], edges["target"], edges["tonnes"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=mid_x,
                y=mid_y,
                mode="markers",
                marker={"size": 6, "opacity": 0},
                text=text,
                hoverinfo="text",
                showlegend=False,
            )
        )
    nodes = list(pos)
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in nodes],
            y=[pos[n][1] for n in nodes],
            mode="markers+text",
            text=[node_label(n) for n in nodes],
            textposition="middle right",
            textfont={"size": 16 if big else 10},
            marker={
                "size": 18 if big else 12,
                "color": [KIND_COLOURS.get(kinds[n], "#868e96") for n in nodes],
                "line": {"width": 1, "color": "white"},
            },
            hovertext=[f"{node_label(n)} ({kinds[n].replace('_', ' ')})" for n in nodes],
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(visible=False, range=[-0.3, max(p[0] for p in pos.values()) + 0.9])
    fig.update_yaxes(visible=False, range=[-0.03, 1.03])
    fig.update_layout(title=t("figure.network.title", year=year))
    return _style(fig, big, 560)


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
    fig.update_layout(title=t("figure.adoption.title"))
    return _style(fig, big, 460)


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
