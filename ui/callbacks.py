"""Callbacks: each unpacks its inputs, calls one plain function, and packs the result.

The functions called live in :mod:`ui.actions` (state changes), :mod:`ui.logic` (what the
panels say), :mod:`ui.runs` (model runs) and :mod:`ui.figures` (charts); they are tested
without a browser. State is passed in and out through ``dcc.Store`` components only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash_mantine_components as dmc
import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from ui import actions, figures, ids, logic, panels, runs, state
from ui.text import t

ROOT_DIR = Path(__file__).resolve().parent.parent
LEVER_ON = {"type": ids.LEVER_ON_TYPE, "lever": ALL}
LEVER_PARAM = {"type": ids.LEVER_PARAM_TYPE, "lever": ALL, "param": ALL}
LEVER_PARAMS = {"type": ids.LEVER_PARAMS_TYPE, "lever": ALL}
ASSUMPTION = {"type": ids.ASSUMPTION_TYPE, "key": ALL}
LEVER_GROUPS = {"type": ids.LEVER_GROUP_TYPE, "pillar": ALL}


def _or_keep(value: Any) -> Any:
    return no_update if value is None else value


def _cards(result: dict, baseline: dict | None, year: int | None) -> list:
    """The indicator cards of a result against the baseline in a year."""
    current = runs.annual_frame(result)
    year = logic.clamp_year(year, logic.year_bounds(current))
    return [panels.card(c) for c in logic.cards(current, runs.annual_frame(baseline), year)]


def _only_if_shown(tab: str | None, mine: str) -> None:
    """Skip building a chart of a result tab that is not shown (it is built when opened)."""
    if tab != mine:
        raise PreventUpdate


def register_scenario_callbacks(app: Dash) -> None:
    """Controls, undo/reset/presets/links/import, save and the pickers of saved scenarios."""

    @app.callback(
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.STORE_HISTORY, "data", allow_duplicate=True),
        Output(LEVER_ON, "checked"),
        Output(LEVER_PARAMS, "children"),
        Output(ids.LEVER_MSG, "children"),
        Input(LEVER_ON, "checked"),
        Input(LEVER_PARAM, "value"),
        Input(ASSUMPTION, "value"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_HISTORY, "data"),
        prevent_initial_call=True,
    )
    def controls_changed(
        _on: list, _params: list, _assumptions: list, scenario: dict, history: list
    ) -> tuple:
        switches = [(i["id"]["lever"], bool(i.get("value"))) for i in ctx.inputs_list[0]]
        params = [(i["id"]["lever"], i["id"]["param"], i.get("value")) for i in ctx.inputs_list[1]]
        assumptions = [(i["id"]["key"], i.get("value")) for i in ctx.inputs_list[2]]
        out = actions.on_controls(scenario, history, switches, params, assumptions, ctx.triggered_id)
        # Update only what moved: a switch turned on by its parameter, the parameters of a lever
        # switched on (rendered) or off (removed).
        shown = [
            new if new != old else no_update for (_, old), new in zip(switches, out.switches, strict=True)
        ]
        toggled = actions.toggled_levers(scenario, out.scenario)
        boxes = panels.lever_params_of(out.scenario, toggled) if toggled else {}
        params_out = [boxes.get(o["id"]["lever"], no_update) for o in ctx.outputs_list[3]]
        return _or_keep(out.scenario), _or_keep(out.history), shown, params_out, out.message or no_update

    @app.callback(
        Output(ids.STORE_SCENARIO, "data", allow_duplicate=True),
        Output(ids.STORE_START, "data"),
        Output(ids.STORE_HISTORY, "data", allow_duplicate=True),
        Output(LEVER_GROUPS, "children"),
        Output(ids.ASSUMPTIONS_PANEL, "children", allow_duplicate=True),
        Output(ids.LINK_MSG, "children"),
        Output(ids.IMPORT_MSG, "children"),
        Output(ids.IMPORT, "contents"),
        Input(ids.LOCATION, "search"),
        Input(ids.UNDO, "n_clicks"),
        Input(ids.RESET, "n_clicks"),
        Input(ids.PHNOM_PENH, "n_clicks"),
        Input(ids.ISLAND, "n_clicks"),
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
        _reset: int,
        _pp: int,
        _island: int,
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
        handlers = {
            ids.UNDO: lambda: actions.on_undo(scenario, history),
            ids.RESET: lambda: actions.on_reset(scenario, start, history),
            ids.PHNOM_PENH: lambda: actions.on_preset("baseline", scenario, history),
            ids.ISLAND: lambda: actions.on_preset("island", scenario, history),
            ids.OPEN_SAVED: lambda: actions.on_open_saved(chosen, saved, scenario, history),
            ids.IMPORT: lambda: actions.on_import(contents, filename, scenario, history),
        }
        rep = handlers.get(trigger, lambda: actions.on_link(search))()
        if not rep.changed and not rep.message and not rep.import_message:
            raise PreventUpdate
        new = rep.scenario or scenario
        levers = panels.lever_groups(new) if rep.changed else None
        show_assumptions = rep.changed and side_tab == "assumptions"
        return (
            _or_keep(rep.scenario),
            _or_keep(rep.start),
            _or_keep(rep.history),
            [levers[o["id"]["pillar"]] if levers else no_update for o in ctx.outputs_list[3]],
            panels.assumptions_accordion(new) if show_assumptions else no_update,
            rep.message,
            rep.import_message if trigger == ids.IMPORT else no_update,
            None if trigger == ids.IMPORT else no_update,
        )

    @app.callback(
        Output(ids.ASSUMPTIONS_PANEL, "children", allow_duplicate=True),
        Input(ids.SIDE_TABS, "value"),
        State(ids.STORE_SCENARIO, "data"),
        prevent_initial_call=True,
    )
    def render_assumptions(side_tab: str, scenario: dict) -> Any:
        return panels.assumptions_accordion(scenario) if side_tab == "assumptions" else []

    @app.callback(
        Output(ids.STORE_SAVED, "data"),
        Output(ids.SAVE_MSG, "children"),
        Input(ids.SAVE, "n_clicks"),
        Input(ids.DELETE_SAVED, "n_clicks"),
        State(ids.SAVE_NAME, "value"),
        State(ids.SAVED_SELECT, "value"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_RESULT, "data"),
        State(ids.STORE_SAVED, "data"),
        prevent_initial_call=True,
    )
    def edit_saved(
        _save: int, _delete: int, name: str, chosen: str, scenario: dict, result: dict, saved: dict
    ) -> tuple:
        if ctx.triggered_id == ids.DELETE_SAVED:
            return _or_keep(actions.on_delete(chosen, saved)), ""
        new, message = actions.on_save(name, scenario, result, saved)
        return _or_keep(new), message

    @app.callback(
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

    @app.callback(
        Output(ids.SHARE_LINK, "value"),
        Output(ids.SCENARIO_BADGE, "children"),
        Input(ids.STORE_SCENARIO, "data"),
        Input(ids.STORE_START, "data"),
        Input(ids.LOCATION, "href"),
    )
    def share_link(scenario: dict, start: dict, href: str | None) -> tuple:
        if not href:
            raise PreventUpdate
        query = state.encode_link(scenario, start["preset"], start["scenario"])
        return href.split("?")[0] + query, state.badge(scenario, start)

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

    @app.callback(
        Output(ids.DOWNLOAD_CSV, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"),
        State(ids.STORE_RESULT, "data"),
        State(ids.STORE_BASELINE, "data"),
        prevent_initial_call=True,
    )
    def export_csv(_n: int, result: dict, baseline: dict) -> dict:
        if not result:
            raise PreventUpdate
        tables = [(result["name"], runs.annual_frame(result))]
        if baseline:
            tables.append((f"baseline: {baseline['name']}", runs.annual_frame(baseline)))
        return dcc.send_string(logic.csv_export(tables), f"plastic-sim-{result['digest']}.csv")

    @app.callback(
        Output(ids.DOWNLOAD_YAML, "data"),
        Input(ids.EXPORT_YAML, "n_clicks"),
        State(ids.STORE_SCENARIO, "data"),
        State(ids.SAVE_NAME, "value"),
        prevent_initial_call=True,
    )
    def export_yaml(_n: int, scenario: dict, name: str | None) -> dict:
        text = state.scenario_yaml(scenario, name or None)
        return dcc.send_string(text, f"{state.slug(name or scenario.get('name', 'scenario'))}.yaml")


def register_flow_chart(
    app: Dash, graph: str, tab: str, build: Callable[[pd.DataFrame, dict[str, str], int, bool], Any]
) -> None:
    """A chart of one year's flows (Sankey, network), drawn by ``build`` while its ``tab`` is shown."""

    @app.callback(
        Output(graph, "figure"),
        Input(ids.STORE_FLOWS, "data"),
        Input(ids.YEAR, "value"),
        Input(ids.PRESENTER, "checked"),
        Input(ids.TABS, "value"),
    )
    def show_flows(flows: dict, year: int, big: bool, shown_tab: str) -> Any:
        _only_if_shown(shown_tab, tab)
        if not flows:
            raise PreventUpdate
        year = logic.clamp_year(year, (flows["years"][0], flows["years"][-1]))
        return build(runs.flows_frame(flows), flows["nodes"], year, bool(big))


def register_result_callbacks(app: Dash) -> None:
    """Runs of the current scenario and the baseline, cards and charts, play, presenter mode."""

    @app.callback(
        Output(ids.STORE_RESULT, "data"),
        Output(ids.STORE_FLOWS, "data"),
        Output(ids.STATUS, "children"),
        Output(ids.YEAR, "min"),
        Output(ids.YEAR, "max"),
        Output(ids.YEAR, "marks"),
        Output(ids.CARDS, "children", allow_duplicate=True),
        Input(ids.STORE_SCENARIO, "data"),
        State(ids.STORE_BASELINE, "data"),
        State(ids.YEAR, "value"),
        running=[(Output(ids.RUN_SPINNER, "style"), {"visibility": "visible"}, {"visibility": "hidden"})],
        prevent_initial_call="initial_duplicate",
    )
    def run_current(scenario: dict, baseline: dict, year: int) -> tuple:
        result, flows = runs.split(runs.run_compact(scenario))
        first, last = logic.year_bounds(runs.annual_frame(result))
        status = t(
            "status.updated", seconds=result["seconds"], households=result["households"], seed=result["seed"]
        )
        marks = [{"value": y, "label": str(y)} for y in range(first, last + 1, 5)]
        # The cards come with the run (one round trip less after a lever change); show_cards
        # redraws them once the result is stored, in case the baseline changed meanwhile.
        return result, flows, status, first, last, marks, _cards(result, baseline, year)

    @app.callback(
        Output(ids.STORE_BASELINE, "data"),
        Input(ids.STORE_START, "data"),
        Input(ids.BASELINE_SELECT, "value"),
        Input(ids.STORE_SAVED, "data"),
        State(ids.STORE_BASELINE, "data"),
    )
    def run_baseline(start: dict, choice: str, saved: dict, current: dict) -> dict:
        return _or_keep(actions.baseline_result(choice, start, saved, current))

    @app.callback(
        Output(ids.CARDS, "children", allow_duplicate=True),
        Input(ids.STORE_BASELINE, "data"),
        Input(ids.YEAR, "value"),
        Input(ids.STORE_RESULT, "data"),
        prevent_initial_call=True,
    )
    def show_cards(baseline: dict, year: int, result: dict) -> list:
        # Also after each run: the baseline may have arrived while the run was going on.
        if not result:
            raise PreventUpdate
        return _cards(result, baseline, year)

    @app.callback(
        Output(ids.TRENDS, "figure"),
        Input(ids.STORE_RESULT, "data"),
        Input(ids.STORE_BASELINE, "data"),
        Input(ids.STORE_BAND, "data"),
        Input(ids.YEAR, "value"),
        Input(ids.PRESENTER, "checked"),
        Input(ids.TABS, "value"),
        State(ids.PLAY_TIMER, "disabled"),
    )
    def show_trends(
        result: dict, baseline: dict, band: dict, year: int, big: bool, tab: str, paused: bool
    ) -> Any:
        _only_if_shown(tab, "trends")
        band = band if band and result and band.get("digest") == result.get("digest") else None
        upto = None if paused else year
        return figures.trends_figure(
            runs.annual_frame(result), runs.annual_frame(baseline), band, year, upto, bool(big)
        )

    register_flow_chart(app, ids.SANKEY, "flows", figures.sankey_figure)
    register_flow_chart(app, ids.NETWORK, "network", figures.network_figure)

    @app.callback(
        Output(ids.ADOPTION, "figure"),
        Input(ids.STORE_RESULT, "data"),
        Input(ids.STORE_BASELINE, "data"),
        Input(ids.YEAR, "value"),
        Input(ids.PRESENTER, "checked"),
        Input(ids.TABS, "value"),
    )
    def show_adoption(result: dict, baseline: dict, year: int, big: bool, tab: str) -> Any:
        _only_if_shown(tab, "households")
        current = runs.annual_frame(result)
        return figures.adoption_figure(
            current, runs.annual_frame(baseline), logic.adoption_columns(current), year, bool(big)
        )

    @app.callback(
        Output(ids.COMPARE_TABLE, "children"),
        Output(ids.COMPARE_GRAPH, "figure"),
        Input(ids.STORE_SAVED, "data"),
        Input(ids.COMPARE_SELECT, "value"),
        Input(ids.STORE_RESULT, "data"),
        Input(ids.STORE_BASELINE, "data"),
        Input(ids.STORE_SWEEP, "data"),
        Input(ids.COMPARE_INDICATOR, "value"),
        Input(ids.YEAR, "value"),
        Input(ids.PRESENTER, "checked"),
    )
    def show_compare(
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
            (t("series.baseline") + f": {baseline['name']}", runs.annual_frame(baseline))
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

    @app.callback(
        Output(ids.PLAY_TIMER, "disabled"),
        Output(ids.YEAR, "value"),
        Output(ids.PLAY, "children"),
        Output(ids.STORE_PLAY, "data"),
        Input(ids.PLAY, "n_clicks"),
        Input(ids.PLAY_TIMER, "n_intervals"),
        State(ids.PLAY_TIMER, "disabled"),
        State(ids.YEAR, "value"),
        State(ids.YEAR, "min"),
        State(ids.YEAR, "max"),
        State(ids.STORE_PLAY, "data"),
        prevent_initial_call=True,
    )
    def play(
        _clicks: int, _ticks: int, paused: bool, year: int, first: int, last: int, paused_at: int
    ) -> tuple:
        bounds = (int(first), int(last))
        year = logic.clamp_year(year, bounds)
        if ctx.triggered_id == ids.PLAY:
            playing, year = logic.toggle_play(not paused, year, bounds, paused_at)
        else:
            playing, year = logic.play_tick(year, bounds)
        return not playing, year, t("play.stop") if playing else t("play.start"), None if playing else year

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
        background=True,
        progress=[Output(ids.RUNS_PROGRESS, "value"), Output(ids.RUNS_PROGRESS_TEXT, "children")],
        running=[
            (Output(ids.RUNS_START, "disabled"), True, False),
            (Output(ids.RUNS_CANCEL, "disabled"), False, True),
        ],
        cancel=[Input(ids.RUNS_CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def replications(set_progress: Any, _n: int, scenario: dict, n: int | None, choice: str) -> tuple:
        scale = runs.run_scale(choice, scenario)

        def report(share: float, run: int, total: int) -> None:
            set_progress((round(100 * share, 1), t("runs.progress", run=run, runs=total)))

        band = runs.replicate(scenario, max(2, int(n or 2)), scale, report)
        return band, t("runs.done", n=band["n"], scale=f"{100 * scale:.3g} %")


def register_sweep_callbacks(app: Dash) -> None:
    """Open a finished sweep's results for comparison."""

    @app.callback(
        Output(ids.STORE_SWEEP, "data"),
        Output(ids.SWEEP_MSG, "children"),
        Input(ids.SWEEP_LOAD, "n_clicks"),
        State(ids.SWEEP_PATH, "value"),
        prevent_initial_call=True,
    )
    def open_sweep(_n: int, path: str | None) -> tuple:
        sweep, message = actions.load_sweep(path, ROOT_DIR)
        return _or_keep(sweep), message


def register(app: Dash, sweeps: bool) -> None:
    """Register every callback of the app."""
    register_scenario_callbacks(app)
    register_result_callbacks(app)
    register_background_callbacks(app)
    if sweeps:
        register_sweep_callbacks(app)
