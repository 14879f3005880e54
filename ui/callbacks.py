"""Callbacks: each unpacks its inputs, calls one plain function, and packs the result.

The functions called live in :mod:`ui.actions` (state changes), :mod:`ui.logic` (what the
panels say), :mod:`ui.runs` (model runs) and :mod:`ui.figures` (charts); they are tested
without a browser. State is passed in and out through ``dcc.Store`` components only.

Every server callback is registered with :func:`localized`: it also receives the page's
language (``ids.STORE_LANG``) and builds its texts in it. Play, the language switch, the
clipboard and the lever-panel toggle run in the browser (clientside callbacks below).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash_mantine_components as dmc
import pandas as pd
from dash import ALL, Dash, Input, Output, Patch, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from ui import actions, controls, figures, ids, logic, panels, runs, state
from ui.layout import TOUR_STEPS, tour_step, year_marks
from ui.text import current_language, number, t, use_language

ROOT_DIR = Path(__file__).resolve().parent.parent
LEVER_ON = {"type": ids.LEVER_ON_TYPE, "lever": ALL}
LEVER_PARAM = {"type": ids.LEVER_PARAM_TYPE, "lever": ALL, "param": ALL}
LEVER_PARAMS = {"type": ids.LEVER_PARAMS_TYPE, "lever": ALL}
ASSUMPTION = {"type": ids.ASSUMPTION_TYPE, "key": ALL}
LEVER_GROUPS = {"type": ids.LEVER_GROUP_TYPE, "pillar": ALL}
PRESETS = {"type": ids.PRESET_TYPE, "name": ALL}
MENU_PRESETS = {"type": ids.MENU_PRESET_TYPE, "name": ALL}


def localized(
    app: Dash, *dependencies: Any, **options: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.callback`` whose function builds its texts in the page's language.

    The language store is added as the last State; the function itself does not see it.
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            *values, lang = args
            with use_language(lang):
                return function(*values)

        run.__name__ = function.__name__

        app.callback(*dependencies, State(ids.STORE_LANG, "data"), **options)(run)
        return function

    return decorate


def _or_keep(value: Any) -> Any:
    return no_update if value is None else value


def _cards(
    result: dict,
    baseline: dict | None,
    year: int | None,
    band: dict | None = None,
    current: pd.DataFrame | None = None,
) -> list:
    """The indicator cards of a result against the baseline in a year (chances of targets from the band).

    ``current``: the result's yearly table, if the caller has built it already.
    """
    current = runs.annual_frame(result) if current is None else current
    year = logic.clamp_year(year, logic.year_bounds(current) or (year or 0, year or 0))
    items = runs.with_target_chances(
        logic.cards(current, runs.annual_frame(baseline), year), band, result, current_language()
    )
    return [panels.card(c) for c in items]


def _current_band(band: dict | None, result: dict | None) -> dict | None:
    """The uncertainty band if it was run for the current result (else None)."""
    return band if band and result and band.get("digest") == result.get("digest") else None


RESULT = (ids.STORE_RESULT, "data")
FLOWS = (ids.STORE_FLOWS, "data")
BASELINE = (ids.STORE_BASELINE, "data")
BAND = (ids.STORE_BAND, "data")
YEAR = (ids.YEAR, "value")
BIG = (ids.PRESENTER, "checked")
PAUSED = (ids.PLAY_TIMER, "disabled")
SHOWN_TAB = (ids.TABS, "value")
COMPARED = (
    (ids.STORE_SAVED, "data"),
    (ids.COMPARE_SELECT, "value"),
    RESULT,
    BASELINE,
    (ids.STORE_SWEEP, "data"),
    (ids.COMPARE_INDICATOR, "value"),
    YEAR,
    BIG,
)
#: What the chart of each result tab is drawn from. The browser redraws a chart only while its
#: tab is shown (on a change of one of these, or when the tab is opened): charts of other tabs
#: cost no request (``route_charts`` in ``ui/assets/app.js``).
CHART_INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "trends": (RESULT, BASELINE, BAND, YEAR, BIG, PAUSED),
    "flows": (FLOWS, YEAR, BIG),
    "network": (FLOWS, YEAR, BIG),
    "households": (RESULT, BASELINE, YEAR, BIG),
    "budget": (RESULT, BASELINE, YEAR, BIG),
    "market": (RESULT, BASELINE, YEAR, BIG),
    "compare": COMPARED,
}
#: What the cards are drawn from besides the result (a run brings its own cards).
CARD_INPUTS = (BASELINE, YEAR, BAND, PAUSED)


def _states(tab: str) -> list[State]:
    return [State(*dependency) for dependency in CHART_INPUTS[tab]]


def _prop(dependency: tuple[str, str]) -> str:
    return ".".join(dependency)


def cards_for(result: dict | None, baseline: dict | None, year: int | None, band: dict | None) -> dict:
    """What cards are drawn against: the browser compares it with its stores after a run."""
    current = _current_band(band, result)
    return {
        "result": (result or {}).get("digest"),
        "baseline": (baseline or {}).get("key"),
        "band": current.get("digest") if current else None,
        "year": year,
    }


def _clicked() -> bool:
    """Whether the trigger was a real click (pattern-matched buttons also fire when rendered)."""
    return bool(ctx.triggered and ctx.triggered[0].get("value"))


def _facility_label(name: str, kind: str) -> str:
    return figures.node_label(f"{kind}:{name}")


def _events(scenario: dict | None, result: dict | None) -> list[logic.Event]:
    return logic.events(scenario, runs.annual_frame(result), controls.lever_label, _facility_label)


#: What a run of the current scenario updates: its result and flows, the status line, the year
#: slider's range and the cards (drawn against what ``cards_for`` says).
RUN_OUTPUTS = (
    Output(ids.STORE_RESULT, "data", allow_duplicate=True),
    Output(ids.STORE_FLOWS, "data", allow_duplicate=True),
    Output(ids.STATUS, "children", allow_duplicate=True),
    Output(ids.YEAR, "min", allow_duplicate=True),
    Output(ids.YEAR, "max", allow_duplicate=True),
    Output(ids.YEAR, "marks", allow_duplicate=True),
    Output(ids.CARDS, "children", allow_duplicate=True),
    Output(ids.STORE_CARDS_FOR, "data", allow_duplicate=True),
)
#: What the cards of a run are drawn against, and the years the slider spans now.
RUN_STATES = (State(*BASELINE), State(*YEAR), State(*BAND), State(ids.YEAR, "min"), State(ids.YEAR, "max"))


def run_outputs(
    scenario: dict,
    baseline: dict | None,
    year: int | None,
    band: dict | None,
    shown_first: int | None = None,
    shown_last: int | None = None,
) -> tuple:
    """Run a scenario: the values of :data:`RUN_OUTPUTS`.

    The cards come with the run (no round trip of their own); the browser asks ``show_cards``
    for them again only if the baseline, year or band changed meanwhile. The year slider's range
    and marks are sent only if the run's years differ from those it shows (``shown_first`` to
    ``shown_last``): an unchanged output would still re-render the slider.
    """
    result, flows = runs.split(runs.run_compact(scenario))
    current = runs.annual_frame(result)
    bounds = logic.year_bounds(current)
    assert bounds is not None, "a run has years"
    first, last = bounds
    status = t(
        "status.updated",
        seconds=number(result["seconds"], 2),
        households=number(result["households"]),
        seed=result["seed"],
    )
    cards = _cards(result, baseline, year, band, current)
    if (first, last) == (shown_first, shown_last):
        span: tuple = (no_update, no_update, no_update)
    else:
        span = (first, last, year_marks(first, last))
    return result, flows, status, *span, cards, cards_for(result, baseline, year, band)


#: The share link and the scenario's badge (name, changes from the baseline).
LINK_OUTPUTS = (
    Output(ids.SHARE_LINK, "value", allow_duplicate=True),
    Output(ids.SCENARIO_BADGE, "children", allow_duplicate=True),
)
#: What the link and badge are made from besides the scenario, the year and the baseline.
LINK_STATES = (
    State(ids.STORE_START, "data"),
    State(ids.LOCATION, "href"),
    State(ids.COMPARE_SELECT, "value"),
    State(ids.STORE_SAVED, "data"),
)


def link_outputs(
    scenario: dict,
    start: dict,
    href: str | None,
    year: int | None,
    compare: list | None,
    baseline: dict | None,
    saved: dict | None,
) -> tuple:
    """The values of :data:`LINK_OUTPUTS` (unchanged while the page has no address yet)."""
    if not href:
        return no_update, no_update
    compared = [(n, saved[n]["scenario"]) for n in compare or [] if saved and n in saved]
    query = state.encode_link(
        scenario, start["preset"], start["scenario"], year, current_language(), compared
    )
    reference = (baseline or {}).get("scenario")
    base_name = state.display_name((baseline or {}).get("name", ""))
    return href.split("?")[0] + query, state.badge(scenario, reference, base_name, saved)


def history_patch(size: int | None, pushed: dict) -> tuple[Patch, int]:
    """The undo stack's change with ``pushed`` on top (the oldest dropped beyond the bound), and its new size.

    The stack stays in the browser: only the scenario pushed is sent, as a Patch.
    """
    size = size or 0
    patch = Patch()
    if size >= state.HISTORY_LIMIT:
        del patch[0]
        size -= 1
    patch.append(pushed)
    return patch, size + 1


def register_scenario_callbacks(app: Dash) -> None:
    """Controls, undo/reset/presets/links/import, save and the pickers of saved scenarios."""

    @localized(
        app,
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.STORE_HISTORY, "data", allow_duplicate=True),
        Output(ids.STORE_HISTORY_SIZE, "data", allow_duplicate=True),
        Output(LEVER_ON, "checked"),
        Output(LEVER_PARAMS, "children"),
        Output(ids.LEVER_MSG, "children"),
        *RUN_OUTPUTS,
        *LINK_OUTPUTS,
        Input(LEVER_ON, "checked"),
        Input(LEVER_PARAM, "value"),
        Input(ASSUMPTION, "value"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_HISTORY_SIZE, "data"),
        *RUN_STATES,
        *LINK_STATES,
        prevent_initial_call=True,
    )
    def controls_changed(
        _on: list,
        _params: list,
        _assumptions: list,
        scenario: dict,
        history_size: int | None,
        baseline: dict | None,
        year: int | None,
        band: dict | None,
        shown_first: int | None,
        shown_last: int | None,
        *link_states: Any,
    ) -> tuple:
        switches = [(i["id"]["lever"], bool(i.get("value"))) for i in ctx.inputs_list[0]]
        params = [(i["id"]["lever"], i["id"]["param"], i.get("value")) for i in ctx.inputs_list[1]]
        assumptions = [(i["id"]["key"], i.get("value")) for i in ctx.inputs_list[2]]
        out = actions.on_controls(scenario, switches, params, assumptions, ctx.triggered_id)
        # Update only what moved: a switch turned on by its parameter, the parameters of a lever
        # switched on (rendered) or off (removed).
        shown = [
            new if new != old else no_update for (_, old), new in zip(switches, out.switches, strict=True)
        ]
        toggled = actions.toggled_levers(scenario, out.scenario)
        boxes = panels.lever_params_of(out.scenario, toggled) if out.scenario and toggled else {}
        params_out = [boxes.get(o["id"]["lever"], no_update) for o in ctx.outputs_list[4]]
        if out.scenario is None:
            unchanged = (no_update,) * (len(RUN_OUTPUTS) + len(LINK_OUTPUTS))
            return no_update, no_update, no_update, shown, params_out, out.message or no_update, *unchanged
        # The run, the link and the badge come with the change (one round trip for all), and
        # only the scenario before the change goes to the undo stack, which stays in the browser.
        history, size = history_patch(history_size, scenario)
        start, href, compare, saved = link_states
        return (
            out.scenario,
            history,
            size,
            shown,
            params_out,
            no_update,
            *run_outputs(out.scenario, baseline, year, band, shown_first, shown_last),
            *link_outputs(out.scenario, start, href, year, compare, baseline, saved),
        )

    @localized(
        app,
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.STORE_START, "data"),
        Output(ids.STORE_HISTORY, "data", allow_duplicate=True),
        Output(LEVER_GROUPS, "children"),
        Output(ids.ASSUMPTIONS_PANEL, "children", allow_duplicate=True),
        Output(ids.LINK_MSG, "children"),
        Output(ids.IMPORT_MSG, "children"),
        Output(ids.IMPORT, "contents"),
        Output(ids.PAGE_MSG, "children", allow_duplicate=True),
        Output(ids.PAGE_MSG, "hide", allow_duplicate=True),
        Output(ids.YEAR, "value", allow_duplicate=True),
        Output(ids.STORE_LINK_COMPARE, "data"),
        Output(ids.RUN_REQUEST, "data"),
        Output(ids.STORE_HISTORY_SIZE, "data", allow_duplicate=True),
        Input(ids.LOCATION, "search"),
        Input(ids.UNDO, "n_clicks"),
        Input(ids.menu_action("undo"), "n_clicks"),
        Input(ids.RESET, "n_clicks"),
        Input(ids.menu_action("reset"), "n_clicks"),
        Input(PRESETS, "n_clicks"),
        Input(MENU_PRESETS, "n_clicks"),
        Input(ids.OPEN_SAVED, "n_clicks"),
        Input(ids.IMPORT, "contents"),
        State(ids.IMPORT, "filename"),
        State(ids.SAVED_SELECT, "value"),
        State(ids.STORE_SAVED, "data"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_START, "data"),
        State(ids.STORE_HISTORY, "data"),
        State(ids.SIDE_TABS, "value"),
        prevent_initial_call="initial_duplicate",
    )
    def replace_scenario(
        search: str | None,
        _undo: int,
        _undo_menu: int,
        _reset: int,
        _reset_menu: int,
        _presets: list,
        _menu_presets: list,
        _open: int,
        contents: str | None,
        filename: str | None,
        chosen: str | None,
        saved: dict | None,
        scenario: dict,
        start: dict,
        history: list,
        side_tab: str,
    ) -> tuple:
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") in (ids.PRESET_TYPE, ids.MENU_PRESET_TYPE):
            if not _clicked():
                raise PreventUpdate
            name = trigger["name"]
            rep = (
                actions.on_preset(name, scenario, history)
                if name in state.PRESETS
                else actions.on_package(name, scenario, start, history)
            )
        else:
            handlers = {
                ids.UNDO: lambda: actions.on_undo(scenario, history),
                ids.RESET: lambda: actions.on_reset(scenario, start, history),
                ids.OPEN_SAVED: lambda: actions.on_open_saved(chosen, saved, scenario, history),
                ids.IMPORT: lambda: actions.on_import(contents, filename, scenario, history),
            }
            if isinstance(trigger, dict) and trigger.get("type") == ids.MENU_TYPE:
                trigger = {"undo": ids.UNDO, "reset": ids.RESET}[trigger["action"]]
            rep = handlers.get(trigger, lambda: actions.on_link(search))()
        if not rep.changed and not rep.message and not rep.import_message:
            raise PreventUpdate
        new = rep.scenario or scenario
        levers = panels.lever_groups(new) if rep.changed else None
        show_assumptions = rep.changed and side_tab == "assumptions"
        from_link = trigger == ids.LOCATION or trigger is None
        page_message = rep.message if not from_link and trigger != ids.IMPORT else ""
        return (
            _or_keep(rep.scenario),
            _or_keep(rep.start),
            _or_keep(rep.history),
            [levers[o["id"]["pillar"]] if levers else no_update for o in ctx.outputs_list[3]],
            panels.assumptions_accordion(new) if show_assumptions else no_update,
            rep.message if from_link else no_update,
            rep.import_message if trigger == ids.IMPORT else no_update,
            None if trigger == ids.IMPORT else no_update,
            page_message or no_update,
            False if page_message else no_update,
            _or_keep(rep.year),
            rep.compare if rep.compare else no_update,
            state.digest(rep.scenario) if rep.scenario is not None else no_update,
            len(rep.history) if rep.history is not None else no_update,
        )

    @localized(
        app,
        Output(ids.STORE_SAVED, "data", allow_duplicate=True),
        Output(ids.COMPARE_SELECT, "value", allow_duplicate=True),
        Input(ids.STORE_LINK_COMPARE, "data"),
        State(ids.STORE_SAVED, "data"),
        prevent_initial_call=True,
    )
    def link_compare(compare: list | None, saved: dict | None) -> tuple:
        if not compare:
            raise PreventUpdate
        out, names = actions.add_linked([(name, scenario) for name, scenario in compare], saved)
        return out, names

    @localized(
        app,
        Output(ids.ASSUMPTIONS_PANEL, "children", allow_duplicate=True),
        Input(ids.SIDE_TABS, "value"),
        State(ids.STORE_SCENARIO, "data"),
        prevent_initial_call=True,
    )
    def render_assumptions(side_tab: str, scenario: dict) -> Any:
        return panels.assumptions_accordion(scenario) if side_tab == "assumptions" else []

    @localized(
        app,
        Output(ids.STORE_SAVED, "data", allow_duplicate=True),
        Output(ids.SAVE_MSG, "children"),
        Output(ids.SAVE_CONFIRM_MODAL, "opened"),
        Output(ids.SAVE_CONFIRM_MODAL + "-text", "children"),
        Output(ids.STORE_PENDING_SAVE, "data"),
        Input(ids.SAVE, "n_clicks"),
        Input(ids.SAVE_CONFIRM, "n_clicks"),
        Input(ids.SAVE_CANCEL, "n_clicks"),
        Input(ids.DELETE_SAVED, "n_clicks"),
        State(ids.SAVE_NAME, "value"),
        State(ids.SAVED_SELECT, "value"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_RESULT, "data"),
        State(ids.STORE_SAVED, "data"),
        State(ids.STORE_PENDING_SAVE, "data"),
        prevent_initial_call=True,
    )
    def edit_saved(
        _save: int,
        _confirm: int,
        _cancel: int,
        _delete: int,
        name: str,
        chosen: str,
        scenario: dict,
        result: dict,
        saved: dict,
        pending: str | None,
    ) -> tuple:
        trigger = ctx.triggered_id
        if trigger == ids.DELETE_SAVED:
            return _or_keep(actions.on_delete(chosen, saved)), "", False, no_update, None
        if trigger == ids.SAVE_CANCEL:
            return no_update, t("scenario.overwrite.kept", name=pending or ""), False, no_update, None
        confirmed = trigger == ids.SAVE_CONFIRM
        out = actions.on_save(pending if confirmed else name, scenario, result, saved, confirmed)
        if out.confirm:
            return no_update, "", True, t("scenario.overwrite.text", name=out.confirm), out.confirm
        return _or_keep(out.saved), out.message, False, no_update, None

    @localized(
        app,
        Output(ids.SAVED_SELECT, "data"),
        Output(ids.SAVED_SELECT, "value"),
        Output(ids.COMPARE_SELECT, "data"),
        Output(ids.COMPARE_SELECT, "value"),
        Output(ids.BASELINE_SELECT, "data"),
        Output(ids.BASELINE_SELECT, "value"),
        Input(ids.STORE_SAVED, "data"),
        Input(ids.STORE_START, "data"),
        State(ids.SAVED_SELECT, "value"),
        State(ids.COMPARE_SELECT, "value"),
        State(ids.COMPARE_SELECT, "data"),
        State(ids.BASELINE_SELECT, "value"),
    )
    def saved_pickers(
        saved: dict, start: dict, chosen: str, compare: list, known: list, baseline: str
    ) -> tuple:
        o = actions.saved_options(saved, start["scenario"].get("name", ""), chosen, compare, known, baseline)
        return o.saved_data, o.saved_value, o.compare_data, o.compare_value, o.baseline_data, o.baseline_value

    @localized(
        app,
        *LINK_OUTPUTS,
        Input(ids.RUN_REQUEST, "data"),
        Input(ids.STORE_START, "data"),
        Input(ids.LOCATION, "href"),
        Input(ids.YEAR, "value"),
        Input(ids.COMPARE_SELECT, "value"),
        Input(ids.STORE_BASELINE, "data"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_SAVED, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def share_link(
        _request: Any,
        start: dict,
        href: str | None,
        year: int | None,
        compare: list | None,
        baseline: dict | None,
        scenario: dict,
        saved: dict | None,
    ) -> tuple:
        # A scenario replaced whole (undo, reset, presets, links...) comes with a run request;
        # a lever change brings its own link (controls_changed).
        if not href:
            raise PreventUpdate
        return link_outputs(scenario, start, href, year, compare, baseline, saved)

    @localized(
        app,
        Output(ids.DOWNLOAD_CSV, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"),
        State(ids.STORE_RESULT, "data"),
        State(ids.STORE_BASELINE, "data"),
        State(ids.STORE_SAVED, "data"),
        State(ids.COMPARE_SELECT, "value"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_START, "data"),
        prevent_initial_call=True,
    )
    def export_csv(
        _n: int, result: dict, baseline: dict, saved: dict, compare: list, scenario: dict, start: dict
    ) -> dict:
        if not result:
            raise PreventUpdate
        text, filename = actions.results_csv(result, baseline, saved, compare, scenario, start["scenario"])
        return dcc.send_string(text, filename)

    @localized(
        app,
        Output(ids.DOWNLOAD_YAML, "data"),
        Input(ids.EXPORT_YAML, "n_clicks"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_START, "data"),
        State(ids.STORE_SAVED, "data"),
        prevent_initial_call=True,
    )
    def export_yaml(_n: int, scenario: dict, start: dict, saved: dict) -> dict:
        text, filename = actions.scenario_file(scenario, start["scenario"], saved)
        return dcc.send_string(text, filename)


def register_page_callbacks(app: Dash) -> None:
    """Help page, guided tour and its first-use hint, page messages."""

    @localized(
        app,
        Output(ids.HELP_MODAL, "opened"),
        Input(ids.menu_action("help"), "n_clicks"),
        Input(ids.menu_action("help-phone"), "n_clicks"),
        prevent_initial_call=True,
    )
    def open_help(_a: int, _b: int) -> bool:
        return True

    @localized(
        app,
        Output(ids.TOUR_MODAL, "opened"),
        Output(ids.TOUR_STEP, "children"),
        Output(ids.TOUR_STEP_N, "data"),
        Output(ids.TOUR_NEXT, "children"),
        Output(ids.STORE_TOUR_SEEN, "data"),
        Output(ids.TOUR_HINT, "hide"),
        Input(ids.TOUR, "n_clicks"),
        Input(ids.menu_action("tour"), "n_clicks"),
        Input(ids.TOUR_HINT_OPEN, "n_clicks"),
        Input(ids.TOUR_NEXT, "n_clicks"),
        Input(ids.TOUR_BACK, "n_clicks"),
        State(ids.TOUR_STEP_N, "data"),
        prevent_initial_call=True,
    )
    def tour(_a: int, _b: int, _c: int, _next: int, _back: int, step: int | None) -> tuple:
        step = int(step or 1)
        if ctx.triggered_id in (ids.TOUR, ids.menu_action("tour"), ids.TOUR_HINT_OPEN):
            step = 1
        elif ctx.triggered_id == ids.TOUR_NEXT:
            step += 1
        else:
            step = max(1, step - 1)
        if step > TOUR_STEPS:
            return False, no_update, 1, no_update, True, True
        label = t("tour.done") if step == TOUR_STEPS else t("tour.next")
        return True, tour_step(step), step, label, True, True

    @app.callback(
        Output(ids.TOUR_HINT, "hide", allow_duplicate=True),
        Input(ids.STORE_TOUR_SEEN, "modified_timestamp"),
        State(ids.STORE_TOUR_SEEN, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def tour_hint(_ts: Any, seen: bool | None) -> bool:
        return bool(seen)

    @app.callback(
        Output(ids.STORE_TOUR_SEEN, "data", allow_duplicate=True),
        Input(ids.TOUR_HINT, "hide"),
        prevent_initial_call=True,
    )
    def hint_closed(hidden: bool) -> Any:
        # Closing the hint (its x) or taking the tour: it is not offered again in this browser.
        if not hidden or not ctx.triggered:
            raise PreventUpdate
        return True


def register_flow_chart(
    app: Dash, graph: str, tab: str, build: Callable[[pd.DataFrame, dict[str, str], int, bool], Any]
) -> None:
    """A chart of one year's flows (Sankey, network), drawn by ``build`` while its ``tab`` is shown."""

    @localized(
        app,
        Output(graph, "figure"),
        Input(ids.chart_tick(tab), "data"),
        *_states(tab),
        prevent_initial_call=True,
    )
    def show_flows(_tick: Any, flows: dict, year: int, big: bool) -> Any:
        if not flows:
            raise PreventUpdate
        year = logic.clamp_year(year, (flows["years"][0], flows["years"][-1]))
        return build(runs.flows_frame(flows), flows["nodes"], year, bool(big))


def register_result_callbacks(app: Dash) -> None:
    """Runs of the current scenario and the baseline, cards and charts, play, presenter mode."""

    @localized(
        app,
        *RUN_OUTPUTS,
        Input(ids.RUN_REQUEST, "data"),
        State(ids.STORE_SCENARIO, "data"),
        *RUN_STATES,
        prevent_initial_call="initial_duplicate",
    )
    def run_current(_request: Any, scenario: dict, *run_states: Any) -> tuple:
        # On page load and after undo, reset, presets, links, imports and opened scenarios; a
        # lever change brings its own run (controls_changed).
        return run_outputs(scenario, *run_states)

    @localized(
        app,
        Output(ids.STORE_BASELINE, "data"),
        Input(ids.STORE_START, "data"),
        Input(ids.BASELINE_SELECT, "value"),
        Input(ids.STORE_SAVED, "data"),
        State(ids.STORE_BASELINE, "data"),
    )
    def run_baseline(start: dict, choice: str, saved: dict, current: dict) -> dict:
        return _or_keep(actions.baseline_result(choice, start, saved, current))

    @localized(
        app,
        Output(ids.CARDS, "children", allow_duplicate=True),
        Input(ids.CARDS_TICK, "data"),
        State(ids.STORE_RESULT, "data"),
        *[State(*dependency) for dependency in CARD_INPUTS],
        prevent_initial_call=True,
    )
    def show_cards(
        _tick: Any, result: dict, baseline: dict, year: int, band: dict | None, paused: bool
    ) -> list:
        # After a change of the baseline, year or band, or after a run if one of them changed
        # while it ran (route_charts in the browser). While playing, the browser shows the
        # prepared frames instead.
        if not result or paused is False:
            raise PreventUpdate
        return _cards(result, baseline, year, band)

    @localized(
        app,
        Output(ids.TRENDS, "figure"),
        Input(ids.chart_tick("trends"), "data"),
        *_states("trends"),
        State(ids.STORE_SCENARIO, "data"),
        prevent_initial_call=True,
    )
    def show_trends(
        _tick: Any,
        result: dict,
        baseline: dict,
        band: dict,
        year: int,
        big: bool,
        paused: bool,
        scenario: dict,
    ) -> Any:
        if paused is False:
            raise PreventUpdate  # playing: the browser draws the prepared frames
        return figures.trends_figure(
            runs.annual_frame(result),
            runs.annual_frame(baseline),
            _current_band(band, result),
            year,
            None,
            bool(big),
            _events(scenario, result),
        )

    register_flow_chart(app, ids.SANKEY, "flows", figures.sankey_figure)
    register_flow_chart(app, ids.NETWORK, "network", figures.network_figure)

    @localized(
        app,
        Output(ids.ADOPTION, "figure"),
        Input(ids.chart_tick("households"), "data"),
        *_states("households"),
        prevent_initial_call=True,
    )
    def show_adoption(_tick: Any, result: dict, baseline: dict, year: int, big: bool) -> Any:
        current = runs.annual_frame(result)
        return figures.adoption_figure(
            current, runs.annual_frame(baseline), logic.adoption_columns(current), year, bool(big)
        )

    @localized(
        app,
        Output(ids.BUDGET, "figure"),
        Input(ids.chart_tick("budget"), "data"),
        *_states("budget"),
        prevent_initial_call=True,
    )
    def show_budget(_tick: Any, result: dict, baseline: dict, year: int, big: bool) -> Any:
        return figures.budget_figure(runs.annual_frame(result), runs.annual_frame(baseline), year, bool(big))

    @localized(
        app,
        Output(ids.MARKET, "figure"),
        Input(ids.chart_tick("market"), "data"),
        *_states("market"),
        prevent_initial_call=True,
    )
    def show_market(_tick: Any, result: dict, baseline: dict, year: int, big: bool) -> Any:
        return figures.market_figure(runs.annual_frame(result), runs.annual_frame(baseline), year, bool(big))

    @localized(
        app,
        Output(ids.COMPARE_TABLE, "children"),
        Output(ids.COMPARE_GRAPH, "figure"),
        Input(ids.chart_tick("compare"), "data"),
        *_states("compare"),
        prevent_initial_call=True,
    )
    def show_compare(
        _tick: Any,
        saved: dict,
        chosen: list,
        result: dict,
        baseline: dict,
        sweep: dict,
        indicator: str,
        year: int,
        big: bool,
    ) -> tuple:
        columns = logic.comparison_columns(result, saved, chosen, sweep)
        base = (
            (t("series.baseline") + f": {state.display_name(baseline['name'])}", runs.annual_frame(baseline))
            if baseline
            else ("", runs.annual_frame(None))
        )
        year = logic.clamp_year(year, logic.year_bounds(runs.annual_frame(result)) or (year, year))
        header, rows = logic.comparison_rows(columns, base, year)
        table = dmc.Table(
            data={"head": header, "body": rows},
            striped=True,
            highlightOnHover=True,
            withTableBorder=True,
            fz="sm",
        )
        band = sweep.get("band") if sweep else None
        return table, figures.compare_figure(columns, base, indicator, bool(big), band)

    @localized(
        app,
        Output(ids.PLAY_TIMER, "disabled"),
        Output(ids.YEAR, "value"),
        Output(ids.PLAY, "children"),
        Output(ids.STORE_PLAY, "data"),
        Output(ids.STORE_FRAMES, "data"),
        Input(ids.PLAY, "n_clicks"),
        State(ids.PLAY_TIMER, "disabled"),
        State(ids.YEAR, "value"),
        State(ids.YEAR, "min"),
        State(ids.YEAR, "max"),
        State(ids.STORE_PLAY, "data"),
        State(ids.STORE_RESULT, "data"),
        State(ids.STORE_BASELINE, "data"),
        State(ids.STORE_BAND, "data"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.PRESENTER, "checked"),
        prevent_initial_call=True,
    )
    def play(
        _clicks: int,
        paused: bool,
        year: int,
        first: int,
        last: int,
        paused_at: int,
        result: dict,
        baseline: dict,
        band: dict,
        scenario: dict,
        big: bool,
    ) -> tuple:
        bounds = (int(first), int(last))
        year = logic.clamp_year(year, bounds)
        playing, year = logic.toggle_play(not paused, year, bounds, paused_at)
        if not playing:
            return True, year, t("play.start"), year, no_update
        current, base = runs.annual_frame(result), runs.annual_frame(baseline)
        frames = logic.card_frames(current, base)
        frames["trends"] = figures.trends_figure(
            current, base, _current_band(band, result), None, None, bool(big), _events(scenario, result)
        )
        frames["labels"] = {"start": t("play.start"), "stop": t("play.stop")}
        return False, year, t("play.stop"), None, frames

    @app.callback(Output(ids.ROOT, "className"), Input(ids.PRESENTER, "checked"))
    def presenter(on: bool) -> str:
        return "presenter" if on else ""


def register_background_callbacks(app: Dash) -> None:
    """Replications and full-scale runs in the background, with progress and cancel."""

    @app.callback(
        Output(ids.STORE_BAND, "data"),
        Output(ids.RUNS_MSG, "children"),
        Input(ids.RUNS_START, "n_clicks"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.RUNS_REPLICATIONS, "value"),
        State(ids.RUNS_SCALE, "value"),
        State(ids.BASELINE_SELECT, "value"),
        State(ids.STORE_START, "data"),
        State(ids.STORE_SAVED, "data"),
        State(ids.STORE_LANG, "data"),
        background=True,
        progress=[Output(ids.RUNS_PROGRESS, "value"), Output(ids.RUNS_PROGRESS_TEXT, "children")],
        running=[
            (Output(ids.RUNS_START, "disabled"), True, False),
            (Output(ids.RUNS_CANCEL, "disabled"), False, True),
            (Output(ids.RUNS_PROGRESS, "animated"), True, False),  # stripes only while running
        ],
        cancel=[Input(ids.RUNS_CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def replications(
        set_progress: Any,
        _n: int,
        scenario: dict,
        n: int | None,
        choice: str,
        base: str,
        start: dict,
        saved: dict,
        lang: str,
    ) -> tuple:
        scale = runs.run_scale(choice, scenario)
        baseline = actions.baseline_source(base, start, saved)[1]
        if baseline is None:  # a saved scenario: run again on the same draws
            baseline = saved[base]["scenario"]

        def report(share: float, run: int, total: int) -> None:
            with use_language(lang):
                set_progress((round(100 * share, 1), t("runs.progress", run=run, runs=total)))

        band = runs.replicate(scenario, max(2, int(n or 2)), scale, report, baseline=baseline)
        with use_language(lang):
            return band, runs.band_message(band, current_language())


def register_sweep_callbacks(app: Dash) -> None:
    """Open a finished sweep's results for comparison."""

    @localized(
        app,
        Output(ids.STORE_SWEEP, "data"),
        Output(ids.SWEEP_MSG, "children"),
        Input(ids.SWEEP_LOAD, "n_clicks"),
        State(ids.SWEEP_PATH, "value"),
        prevent_initial_call=True,
    )
    def open_sweep(_n: int, path: str | None) -> tuple:
        sweep, message = actions.load_sweep(path, ROOT_DIR)
        return _or_keep(sweep), message


def register_chart_router(app: Dash) -> None:
    """In the browser: which chart (of the shown tab) and whether the cards must be drawn again."""
    inputs = list(
        dict.fromkeys([SHOWN_TAB, *CARD_INPUTS, *(d for deps in CHART_INPUTS.values() for d in deps)])
    )
    spec = {
        "inputs": [_prop(d) for d in inputs],
        "tab": _prop(SHOWN_TAB),
        "tabs": [[tab, [_prop(d) for d in CHART_INPUTS[tab]]] for tab in ids.RESULT_TABS],
        "cards": [_prop(d) for d in CARD_INPUTS],
        "result": _prop(RESULT),
        "baseline": _prop(BASELINE),
        "band": _prop(BAND),
        "year": _prop(YEAR),
    }
    app.clientside_callback(
        f"function () {{ return window.plasticSim.routeCharts({json.dumps(spec)}, Array.from(arguments)); }}",
        *[Output(ids.chart_tick(tab), "data") for tab in ids.RESULT_TABS],
        Output(ids.CARDS_TICK, "data"),
        *[Input(*d) for d in inputs],
        State(ids.STORE_CARDS_FOR, "data"),
    )


def register_clientside_callbacks(app: Dash) -> None:
    """What runs in the browser: address bar, play ticks, language, clipboard, lever panel."""
    app.clientside_callback(
        """
        function (link) {
            if (link) {
                try {
                    const url = new URL(link);
                    window.history.replaceState(null, "", url.pathname + url.search);
                } catch (e) {}
            }
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.STORE_URL_SYNC, "data"),
        Input(ids.SHARE_LINK, "value"),
    )
    app.clientside_callback(
        "function (n, frames, year, first, last) { return window.plasticSim.playTick(frames, year, first, last); }",
        Output(ids.YEAR, "value", allow_duplicate=True),
        Output(ids.PLAY_TIMER, "disabled", allow_duplicate=True),
        Output(ids.STORE_PLAY, "data", allow_duplicate=True),
        Input(ids.PLAY_TIMER, "n_intervals"),
        State(ids.STORE_FRAMES, "data"),
        State(ids.YEAR, "value"),
        State(ids.YEAR, "min"),
        State(ids.YEAR, "max"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function (chosen, lang, link) { return window.plasticSim.switchLanguage(chosen, lang, link); }",
        Output(ids.STORE_URL_SYNC, "data", allow_duplicate=True),
        Input(ids.LANGUAGE, "value"),
        State(ids.STORE_LANG, "data"),
        State(ids.SHARE_LINK, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function (n, link, texts) { return window.plasticSim.copyLink(n, link, texts); }",
        Output(ids.PAGE_MSG, "hide", allow_duplicate=True),
        Input(ids.SHARE_COPY, "n_clicks"),
        State(ids.SHARE_LINK, "value"),
        State(ids.STORE_COPY_TEXTS, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function (n, presenter, navbar) { return window.plasticSim.toggleNavbar(navbar, presenter); }",
        Output(ids.SHELL, "navbar"),
        Input(ids.NAV_TOGGLE, "n_clicks"),
        Input(ids.PRESENTER, "checked"),
        State(ids.SHELL, "navbar"),
        prevent_initial_call=True,
    )


def register(app: Dash, sweeps: bool) -> None:
    """Register every callback of the app."""
    register_scenario_callbacks(app)
    register_page_callbacks(app)
    register_result_callbacks(app)
    register_background_callbacks(app)
    register_clientside_callbacks(app)
    register_chart_router(app)
    if sweeps:
        register_sweep_callbacks(app)
