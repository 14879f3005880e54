"""Components of the side panel and the indicator cards, built from specs and a scenario.

The lever and assumption controls are rebuilt from the scenario whenever a whole scenario is
replaced (link, undo, reset, import, preset), so what they show is always what will run.

The page is kept small because the browser's work per update grows with the number of
components: a lever's parameters are rendered only while it is on, and the assumption
controls only while their tab is open.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import html

from ui import controls, ids, state
from ui.controls import ControlSpec, LeverSpec
from ui.logic import Card, delta_text, label_of
from ui.text import t


def info_hover(*lines: Any, width: int = 340) -> dmc.HoverCard:
    """A small ⓘ that shows an explanation on hover."""
    return dmc.HoverCard(
        width=width,
        withArrow=True,
        shadow="md",
        openDelay=150,
        children=[
            dmc.HoverCardTarget(html.Span("i", className="info-icon")),
            dmc.HoverCardDropdown([dmc.Text(line, size="sm", mb=4) for line in lines if line]),
        ],
    )


def mark_label(value: float) -> str:
    """Short label of a slider end: ``2.3 M``, ``0.005``, ``100``."""
    return f"{value / 1e6:g} M" if abs(value) >= 1e5 else f"{value:g}"


def _marks(spec: ControlSpec) -> list[dict[str, Any]]:
    return [{"value": v, "label": mark_label(v)} for v in (spec.low, spec.high) if v is not None]


def control(spec: ControlSpec, component_id: dict[str, str], value: Any) -> html.Div:
    """One labelled control (slider, number input or switch) showing ``value`` (model units)."""
    unit = f" [{spec.unit}]" if spec.unit else ""
    title = " · ".join(
        x for x in (spec.description, spec.source and f"{t('assumption.source')}: {spec.source}") if x
    )
    shown = controls.to_display(spec, value)
    label = html.Label(f"{spec.label}{unit}", title=title, className="control-label")
    if spec.kind == "switch":
        return html.Div(
            dmc.Switch(id=component_id, label=spec.label, checked=bool(value), size="xs"), title=title
        )
    if spec.kind == "number":
        return html.Div(
            [
                label,
                dmc.NumberInput(
                    id=component_id,
                    value=shown,
                    min=spec.low,
                    max=spec.high,
                    step=spec.step or 1,
                    size="xs",
                    hideControls=True,
                ),
            ],
            className="control",
        )
    return html.Div(
        [
            label,
            dmc.Slider(
                id=component_id,
                min=spec.low,
                max=spec.high,
                step=spec.step,
                value=shown,
                marks=_marks(spec),
                labelAlwaysOn=True,
                size="sm",
                updatemode="mouseup",
                className="control-slider",
            ),
        ],
        className="control",
    )


def lever_params(spec: LeverSpec, scenario: dict[str, Any]) -> list[Any]:
    """Controls of a lever's parameters (none while the lever is off)."""
    values = state.lever_values(scenario, spec.id)
    if values is None:
        return []
    return [control(p, ids.lever_param(spec.id, p.key), values.get(p.key, p.default)) for p in spec.params]


def lever_card(spec: LeverSpec, scenario: dict[str, Any]) -> dmc.Paper:
    """A lever: its on/off switch, explanation on hover, and its parameters while on."""
    on = state.lever_values(scenario, spec.id) is not None
    evidence = f"{t('lever.evidence')}: {spec.evidence}" if spec.evidence else ""
    return dmc.Paper(
        [
            dmc.Group(
                [
                    dmc.Switch(id=ids.lever_on(spec.id), label=spec.label, checked=on, fw=600, size="sm"),
                    info_hover(spec.description, evidence),
                ],
                justify="space-between",
                wrap="nowrap",
            ),
            html.Div(lever_params(spec, scenario), id=ids.lever_params(spec.id), className="lever-params"),
        ],
        withBorder=True,
        p="xs",
        mb="xs",
        className="lever-card",
        id=ids.lever_card(spec.id),
    )


def lever_groups(scenario: dict[str, Any]) -> dict[str, list[Any]]:
    """Children of each pillar's container: the levers of that pillar (or a note)."""
    time = scenario["time"]
    grouped = controls.levers_by_pillar(controls.lever_specs(time["start_year"], time["end_year"]))
    return {
        pillar: [lever_card(spec, scenario) for spec in specs]
        or [dmc.Text(t("panel.no_levers"), size="sm", c="dimmed")]
        for pillar, specs in grouped.items()
    }


def lever_params_of(scenario: dict[str, Any], levers: set[str]) -> dict[str, list[Any]]:
    """Parameter controls of some levers, by lever id."""
    time = scenario["time"]
    specs = controls.lever_specs(time["start_year"], time["end_year"])
    return {spec.id: lever_params(spec, scenario) for spec in specs if spec.id in levers}


def assumption_groups(scenario: dict[str, Any]) -> dict[str, list[Any]]:
    """Controls of each assumptions section."""
    out: dict[str, list[Any]] = {s: [] for s in controls.SECTIONS}
    for section, spec in controls.assumption_specs(scenario):
        value = state.value_at(scenario, spec.key)
        out.setdefault(section, []).append(control(spec, ids.assumption(spec.key), value))
    return out


def assumptions_accordion(scenario: dict[str, Any]) -> dmc.Accordion:
    """Assumptions by section (all sections closed)."""
    return dmc.Accordion(
        [
            dmc.AccordionItem(
                [
                    dmc.AccordionControl(t(f"section.{section}", default=section.capitalize())),
                    dmc.AccordionPanel(children),
                ],
                value=section,
            )
            for section, children in assumption_groups(scenario).items()
            if children
        ],
        multiple=True,
        variant="separated",
        chevronPosition="left",
    )


def card(item: Card) -> dmc.Paper:
    """An indicator card: value, change against the baseline, baseline value, notes.

    The parts have class names (``card-value``, ``card-unit``, ``card-delta``, ``card-baseline``)
    that play updates in the browser from prepared frames; the delta's colour follows the card's
    ``tone-*`` class (app.css).
    """
    children: list[Any] = [
        dmc.Group(
            [
                dmc.Text(item.title, size="sm", fw=600, c="dimmed", className="card-title"),
                info_hover(item.description, width=260),
            ],
            justify="space-between",
            wrap="nowrap",
            gap=4,
        ),
        html.Div(
            [
                html.Span(item.value, className="card-value"),
                html.Span(item.unit, className="card-unit"),
            ],
            className="card-number",
        ),
        dmc.Badge(delta_text(item), variant="light", className="card-delta", my=4),
        dmc.Text(item.baseline, size="xs", c="dimmed", className="card-baseline"),
    ]
    if item.progress is not None:
        children.append(dmc.Progress(value=item.progress, color="teal", size="sm", mt=4))
    children += [
        dmc.Text(line, size="xs", c="dimmed", className="card-note")
        for line in (item.note, *item.lines)
        if line
    ]
    return dmc.Paper(
        children,
        withBorder=True,
        p="sm",
        radius="md",
        className=f"indicator-card tone-{item.tone}",
        id=ids.card(item.indicator),
    )


def card_placeholder(indicator: str) -> dmc.Paper:
    """A card waiting for the first run."""
    return dmc.Paper(
        [dmc.Text(label_of(indicator), size="sm", fw=600, c="dimmed"), dmc.Skeleton(height=28, mt=6)],
        withBorder=True,
        p="sm",
        radius="md",
        className="indicator-card",
    )
