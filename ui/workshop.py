"""The workshop role-play mode of the app: setup, rounds, the room's result, debrief, guide.

A full-screen window over the app (opened by :func:`open_button`, laid out by :func:`modal`,
wired by :func:`register`). Each browser session keeps its workshop in one ``dcc.Store``
(:data:`STATE`, in the tab's session storage, so a reload keeps it): the setup, the teams playing,
every round's moves and the yearly indicators of the baseline and of each round. Nothing is kept
on the server; an uploaded setup file is read, validated and kept in that store only.

The callbacks are a few lines each and call the plain functions below (``on_*`` change the state,
the builders turn it into components); the rules of the role-play are in :mod:`sim.workshop`.
Runs use the app's interactive scale and seed (:func:`ui.runs.run_compact`, memoised), so a
round's numbers are those the main view would show for the same levers. Every text comes from
:mod:`sim.i18n` (``workshop.*`` keys in ``sim/i18n/workshop.yaml``) in the page's language.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from sim import DEFAULT_SEED, i18n
from sim import workshop as ws
from sim.levers import lever_catalogue
from ui import controls, logic, panels, runs
from ui.controls import ControlSpec
from ui.text import current_language, font_family, use_language

ROOT_DIR = Path(__file__).resolve().parent.parent
SETUPS_DIR = ROOT_DIR / "workshop" / "teams"
GUIDE_FILES = {"en": ROOT_DIR / "docs" / "workshop.md"} | {
    lang: ROOT_DIR / "docs" / f"workshop.{lang}.md" for lang in i18n.LANGS if lang != "en"
}
DEFAULT_SETUP = "phnom_penh_six_teams.yaml"
UPLOADED = "uploaded"  # the setup select's value for a file the user opened
MAX_UPLOAD_BYTES = 200_000

# --------------------------------------------------------------------------- component ids

MODAL = "ws-modal"
ERROR = "ws-error"
OPEN = "ws-open"
OPEN_PHONE = "ws-open-phone"  # the same in the phone menu
STATE = "ws-state"
TABS = "ws-tabs"
SETUP_SELECT = "ws-setup-select"
UPLOAD = "ws-upload"
UPLOAD_TEXT = "ws-upload-text"
SETUP_MSG = "ws-setup-message"
SETUP_INFO = "ws-setup-info"
TEAMS = "ws-teams"
TEAM_CARDS = "ws-team-cards"
START = "ws-start"
ROUND_HEAD = "ws-round-head"
PROPOSALS = "ws-proposals"
RUN = "ws-run"
UNDO = "ws-undo"
TO_DEBRIEF = "ws-to-debrief"
ROUND_MSG = "ws-round-message"
ROOM = "ws-room"
CHART_INDICATOR = "ws-chart-indicator"
CHART = "ws-chart"
DEBRIEF = "ws-debrief"
BACK = "ws-back"
NEW = "ws-new"
GUIDE = "ws-guide"
PRINT_SINK = "ws-print-sink"
TAB_IDS = {
    "setup": "ws-tab-setup",
    "rounds": "ws-tab-rounds",
    "debrief": "ws-tab-debrief",
    "guide": "ws-tab-guide",
}
PRINT_BUTTONS = {"setup": "ws-print-cards", "debrief": "ws-print-debrief", "guide": "ws-print-guide"}
LEVER_ON_TYPE = "ws-lever-on"
PARAM_TYPE = "ws-param"
PARAMS_BOX_TYPE = "ws-params"


def lever_on_id(team: str, lever: str) -> dict[str, str]:
    """The on/off switch of a team's lever."""
    return {"type": LEVER_ON_TYPE, "team": team, "lever": lever}


def param_id(team: str, lever: str, param: str) -> dict[str, str]:
    """The control of one parameter of a team's lever."""
    return {"type": PARAM_TYPE, "team": team, "lever": lever, "param": param}


def params_box_id(team: str, lever: str) -> dict[str, str]:
    """The box of a team's lever parameters (shown while the lever is on)."""
    return {"type": PARAMS_BOX_TYPE, "team": team, "lever": lever}


# --------------------------------------------------------------------------- words and numbers


def indicator_name(indicator: str, lang: str) -> str:
    """An indicator's name in ``lang`` (as on the app's cards)."""
    with use_language(lang):
        return logic.label_of(indicator)


def lever_name(lever: str, lang: str) -> str:
    """A lever's name in ``lang`` (English from the lever catalogue)."""
    label = next(info.label for info in lever_catalogue() if info.id == lever)
    return i18n.t(f"lever.{lever}.label", lang, default=label or lever)


def fmt(indicator: str, value: float | None, lang: str) -> str:
    """An indicator value with its unit in ``lang``, as on the app's cards: ``12.3 %``, ``4,560 t``."""
    with use_language(lang):
        return logic.format_value(indicator, value)


def change_text(indicator: str, baseline: float | None, value: float | None, lang: str) -> str:
    """A change against the baseline as the cards show it.

    Points for rates, else percent (absolute against a baseline near zero).
    """
    mode = logic.change_mode(value, baseline, "pp" if ws.is_fraction(indicator) else "pct")
    with use_language(lang):
        return logic.format_change(logic.shown_change(value, baseline, mode), mode, indicator)


# --------------------------------------------------------------------------- state


def shipped_setups(folder: Path = SETUPS_DIR) -> dict[str, ws.Setup]:
    """The setup files shipped in ``workshop/teams/``, by file name (invalid ones left out)."""
    out = {}
    for path in ws.setup_files(folder):
        try:
            out[path.name] = ws.load_setup(path)
        except ws.WorkshopError:
            continue  # tests/test_workshop.py loads every shipped file and names the broken one
    return out


def new_state(file: str, setup: ws.Setup) -> dict[str, Any]:
    """A workshop about to start: every team of the setup playing, no rounds yet."""
    return {
        "file": file,
        "setup": setup.model_dump(mode="json"),
        "playing": setup.team_ids(),
        "rounds": [],
        "baseline": None,
        "results": [],
    }


def setup_of(state: dict[str, Any]) -> ws.Setup:
    """The validated setup held in a state."""
    return ws.validate_setup(state["setup"], state.get("file") or "the workshop")


def usable(state: dict[str, Any]) -> bool:
    """Whether a state kept in the browser (from an earlier page of this tab) can still be used."""
    try:
        setup_of(state)
    except (ws.WorkshopError, KeyError, TypeError):
        return False
    return all(key in state for key in ("file", "playing", "rounds", "baseline", "results"))


def initial_state(folder: Path | None = None) -> dict[str, Any] | None:
    """The state a new session starts with: the default setup, or the first shipped one."""
    setups = shipped_setups(folder or SETUPS_DIR)
    if not setups:
        return None
    file = DEFAULT_SETUP if DEFAULT_SETUP in setups else next(iter(setups))
    return new_state(file, setups[file])


def on_choose(file: str | None, state: dict[str, Any] | None, folder: Path = SETUPS_DIR) -> dict[str, Any]:
    """Switch to a shipped setup (the workshop starts again).

    Raises:
        PreventUpdate: If nothing changes.
    """
    setups = shipped_setups(folder)
    if not file or file not in setups or (state and state.get("file") == file):
        raise PreventUpdate
    return new_state(file, setups[file])


def decode_upload(contents: str) -> bytes:
    """The bytes of a ``dcc.Upload`` data URL.

    Raises:
        WorkshopError: If it is not a base64 data URL or too large.
    """
    try:
        raw = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        raise ws.WorkshopError("the uploaded file could not be read.") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ws.WorkshopError(f"the uploaded file is larger than {MAX_UPLOAD_BYTES:,} bytes.")
    return raw


def on_upload(contents: str, filename: str | None, lang: str) -> tuple[dict[str, Any], str]:
    """A setup file opened in the browser: the new state and what to say.

    Raises:
        WorkshopError: Naming the file, the field, the value and what is allowed.
    """
    name = Path(filename or "upload.yaml").name
    setup = ws.parse_setup(decode_upload(contents), name)
    title = ws.text(setup.title, lang)
    return new_state(UPLOADED, setup), i18n.t("workshop.setup.uploaded", lang, name=title, n=len(setup.teams))


def on_teams(chosen: list[str] | None, state: dict[str, Any]) -> dict[str, Any]:
    """The teams playing, in the setup's order; unchanged (the same dict) once rounds are played."""
    playing = [t for t in setup_of(state).team_ids() if t in (chosen or [])]
    if state["rounds"] or playing == state["playing"]:
        return state
    return {**state, "playing": playing}


def teams_problem(state: dict[str, Any], lang: str) -> str:
    """Why the workshop cannot start with these teams ("" if it can)."""
    n = len(state["playing"])
    if ws.MIN_TEAMS <= n <= ws.MAX_TEAMS:
        return ""
    return i18n.t("workshop.setup.count", lang, min=ws.MIN_TEAMS, max=ws.MAX_TEAMS, n=n)


def annual_of(result: dict[str, Any], indicators: Sequence[str]) -> dict[str, list[Any]]:
    """The yearly values of some indicators of a compact result (what the store keeps)."""
    annual = result["annual"]
    return {"year": annual["year"], **{name: annual[name] for name in indicators if name in annual}}


def run_annual(scenario: dict[str, Any], setup: ws.Setup) -> dict[str, list[Any]]:
    """Run a scenario at the app's interactive scale and keep the workshop's indicators."""
    return annual_of(runs.run_compact(scenario), setup.indicators())


def current_scenario(state: dict[str, Any], setup: ws.Setup | None = None) -> dict[str, Any]:
    """The scenario of every round played so far (the base scenario before round 1)."""
    setup = setup or setup_of(state)
    return ws.combine(setup, ws.base_scenario(setup), state["rounds"], state["playing"])


def on_start(state: dict[str, Any], lang: str) -> dict[str, Any]:
    """Start (or restart) round 1: the baseline is run and the rounds are cleared.

    Raises:
        WorkshopError: If the number of teams is outside 3 to 6.
    """
    problem = teams_problem(state, lang)
    if problem:
        raise ws.WorkshopError(problem)
    setup = setup_of(state)
    baseline = run_annual(ws.base_scenario(setup), setup)
    return {**state, "rounds": [], "results": [], "baseline": baseline}


def _numbers_differ(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) > 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return a != b


def moves_from_controls(
    setup: ws.Setup,
    playing: Sequence[str],
    scenario: dict[str, Any],
    switches: dict[tuple[str, str], bool],
    values: dict[tuple[str, str, str], Any],
) -> ws.Round:
    """The round's moves: what the controls change in ``scenario``, team by team.

    A lever switched off that was on is a move to ``None``; a lever switched on is a move with
    all the team's parameters; a lever left on is a move with the parameters that changed.

    Args:
        setup: The workshop setup.
        playing: Teams taking part.
        scenario: The scenario of the rounds so far.
        switches: (team, lever) -> switch state.
        values: (team, lever, parameter) -> value in model units (None where left empty).
    """
    moves: ws.Round = {}
    for team in (t for t in setup.teams if t.id in playing):
        move: ws.Move = {}
        for lever in team.levers:
            now = ws.lever_setting(scenario, lever)
            if not switches.get((team.id, lever), now is not None):
                if now is not None:
                    move[lever] = None
                continue
            params = {
                p: values[(team.id, lever, p)]
                for p in team.params_of(lever)
                if values.get((team.id, lever, p)) is not None
            }
            if now is None:
                move[lever] = params  # switched on: all its settings
                continue
            changed = {p: v for p, v in params.items() if _numbers_differ(v, now.get(p))}
            if changed:
                move[lever] = changed  # still on: only what changed (the rest is kept)
        if move:
            moves[team.id] = move
    return moves


def on_run(
    state: dict[str, Any],
    switches: dict[tuple[str, str], bool],
    values: dict[tuple[str, str, str], Any],
    lang: str,
) -> tuple[dict[str, Any], str]:
    """Play one round: gather the moves, combine them with the earlier rounds, run the result.

    Raises:
        WorkshopError: If the round would make an invalid scenario, or every round is played.
    """
    setup = setup_of(state)
    if len(state["rounds"]) >= setup.rounds:
        raise ws.WorkshopError(i18n.t("workshop.round.all_done", lang, total=setup.rounds))
    if state.get("baseline") is None:
        state = on_start(state, lang)
    moves = moves_from_controls(setup, state["playing"], current_scenario(state, setup), switches, values)
    rounds = [*state["rounds"], moves]
    scenario = ws.combine(setup, ws.base_scenario(setup), rounds, state["playing"])
    result = run_annual(scenario, setup)
    number = len(rounds)
    changes = sum(len(m) for m in moves.values())
    message = (
        i18n.t("workshop.round.done", lang, n=number, changes=changes)
        if changes
        else i18n.t("workshop.round.nothing", lang, n=number)
    )
    return {**state, "rounds": rounds, "results": [*state["results"], result]}, message


def on_undo(state: dict[str, Any], lang: str) -> tuple[dict[str, Any], str]:
    """Take back the last round (its moves and result).

    Raises:
        PreventUpdate: If no round was played.
    """
    if not state["rounds"]:
        raise PreventUpdate
    n = len(state["rounds"])
    state = {**state, "rounds": state["rounds"][:-1], "results": state["results"][:-1]}
    return state, i18n.t("workshop.round.undone", lang, n=n)


def tables(state: dict[str, Any]) -> tuple[Any, list[Any]]:
    """The baseline's and each round's yearly indicators as tables indexed by year."""
    return runs.annual_frame({"annual": state["baseline"]}), [
        runs.annual_frame({"annual": r}) for r in state["results"]
    ]


# --------------------------------------------------------------------------- builders


def want_text(goal: ws.Goal, lang: str) -> str:
    """A goal in words: ``Waste picker income up``."""
    return i18n.t(f"workshop.want.{goal.want}", lang, indicator=indicator_name(goal.indicator, lang))


def team_card(team: ws.Team, lang: str) -> dmc.Paper:
    """A team's card for the setup and for printing: name, brief, levers and wants."""
    levers = ", ".join(lever_name(lever, lang) for lever in team.levers)
    return _team_paper(
        team,
        [
            dmc.Text(ws.text(team.brief, lang), size="sm", mb="xs"),
            dmc.Text([html.B(i18n.t("workshop.team.levers", lang) + ": "), levers], size="sm"),
            _wants(team, lang),
        ],
        lang,
        f"ws-team-{team.id}",
    )


def _wants(team: ws.Team, lang: str) -> dmc.Text:
    wants = "; ".join(want_text(g, lang) for g in team.goals)
    return dmc.Text([html.B(i18n.t("workshop.team.wants", lang) + ": "), wants], size="sm")


def _team_paper(team: ws.Team, children: list[Any], lang: str, component_id: str) -> dmc.Paper:
    """A card in the team's colour, headed by its name."""
    return dmc.Paper(
        [dmc.Text(ws.text(team.name, lang), fw=700, size="lg", c=team.colour), *children],
        withBorder=True,
        p="sm",
        radius="md",
        className="ws-team-card",
        style={"borderTop": f"5px solid var(--mantine-color-{team.colour}-6)"},
        id=component_id,
    )


def setup_view(
    state: dict[str, Any], lang: str
) -> tuple[str, list[dict[str, str]], list[str], bool, list[Any]]:
    """Facts line, team options, teams chosen, whether the choice is locked, and the team cards."""
    setup = setup_of(state)
    facts = i18n.t(
        "workshop.setup.facts",
        lang,
        scenario=setup.scenario.removesuffix(".yaml"),
        year=setup.year,
        rounds=setup.rounds,
    )
    description = ws.text(setup.description, lang)
    options = [{"value": t.id, "label": ws.text(t.name, lang)} for t in setup.teams]
    cards = [team_card(t, lang) for t in setup.teams if t.id in state["playing"]]
    return (
        " · ".join(x for x in (description, facts) if x),
        options,
        state["playing"],
        bool(state["rounds"]),
        cards,
    )


def setup_options(state: dict[str, Any] | None, lang: str, folder: Path = SETUPS_DIR) -> list[dict[str, str]]:
    """Choices of the setup select: the shipped files and a file the user opened."""
    options = [{"value": f, "label": ws.text(s.title, lang)} for f, s in shipped_setups(folder).items()]
    if state and state.get("file") == UPLOADED:
        title = ws.text(setup_of(state).title, lang)
        options.append(
            {"value": UPLOADED, "label": i18n.t("workshop.setup.uploaded_option", lang, name=title)}
        )
    return options


def _lever_controls(team: ws.Team, lever: str, spec: Any, scenario: dict[str, Any], lang: str) -> dmc.Paper:
    """A team's lever: its switch and the parameters the team may set (shown while on)."""
    now = ws.lever_setting(scenario, lever)
    wanted = team.params_of(lever)
    params = [p for p in spec.params if p.key in wanted]
    values = now or {}
    return dmc.Paper(
        [
            dmc.Switch(
                id=lever_on_id(team.id, lever), label=lever_name(lever, lang), checked=now is not None, fw=600
            ),
            html.Div(
                [
                    panels.control(p, param_id(team.id, lever, p.key), values.get(p.key, p.default))
                    for p in params
                ],
                id=params_box_id(team.id, lever),
                className="lever-params",
                style=params_style(now is not None),
            ),
        ],
        withBorder=True,
        p="xs",
        mb="xs",
        className="lever-card",
        id=f"ws-lever-{team.id}-{lever}",
    )


def params_style(on: bool) -> dict[str, str]:
    """Style of a lever's parameter box: shown while the lever is on."""
    return {} if on else {"display": "none"}


def lever_specs_by_id(scenario: dict[str, Any]) -> dict[str, Any]:
    """The app's lever controls (units, bounds, labels), by lever id."""
    time = scenario["time"]
    return {spec.id: spec for spec in controls.lever_specs(time["start_year"], time["end_year"])}


def proposal_cards(state: dict[str, Any], lang: str) -> list[Any]:
    """Each playing team's card with its levers, set as after the last round."""
    setup = setup_of(state)
    scenario = current_scenario(state, setup)
    specs = lever_specs_by_id(scenario)
    return [
        _team_paper(
            t,
            [_wants(t, lang), *[_lever_controls(t, lv, specs[lv], scenario, lang) for lv in t.levers]],
            lang,
            f"ws-propose-{t.id}",
        )
        for t in setup.teams
        if t.id in state["playing"]
    ]


def round_head(state: dict[str, Any], lang: str) -> tuple[str, str, bool]:
    """Title and run-button label of the round being prepared, and whether every round is played."""
    setup = setup_of(state)
    played = len(state["rounds"])
    if played >= setup.rounds:
        return i18n.t("workshop.round.all_done", lang, total=setup.rounds), "", True
    n = played + 1
    return (
        i18n.t("workshop.round.title", lang, n=n, total=setup.rounds),
        i18n.t("workshop.round.run", lang, n=n),
        False,
    )


def room_rows(state: dict[str, Any], lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the room's table: each room indicator in the setup's year, every round."""
    setup = setup_of(state)
    baseline, rounds = tables(state)
    year = setup.year
    head = [i18n.t("workshop.room.indicator", lang), i18n.t("workshop.room.baseline", lang)]
    head += [i18n.t("workshop.room.round", lang, n=i + 1) for i in range(len(rounds))]
    rows = []
    for name in setup.room_indicators:
        base = ws.value_at(baseline, year, name)
        row = [indicator_name(name, lang), fmt(name, base, lang)]
        for table in rounds:
            value = ws.value_at(table, year, name)
            row.append(f"{fmt(name, value, lang)} ({change_text(name, base, value, lang)})")
        rows.append(row)
    return head, rows


def target_block(status: ws.TargetStatus, lang: str) -> dmc.Paper:
    """One target: its name, met or not, how far along, and its source."""
    target = status.target
    key = "unknown" if status.met is None else "met" if status.met else "not_met"
    colour = {"met": "green", "not_met": "red", "unknown": "gray"}[key]
    progress = status.progress
    reading = i18n.t(
        "workshop.target.reading",
        lang,
        value=fmt(target.indicator, status.value, lang),
        year=target.year,
        threshold=fmt(target.indicator, status.threshold, lang),
        baseline=fmt(target.indicator, status.baseline, lang),
        progress="–" if progress is None else i18n.format_percent(progress, lang, 0),
    )
    return dmc.Paper(
        [
            dmc.Group(
                [
                    dmc.Text(ws.text(target.label, lang), fw=600, size="sm"),
                    dmc.Badge(
                        i18n.t(f"workshop.target.{key}", lang), color=colour, className="ws-target-badge"
                    ),
                ],
                justify="space-between",
                wrap="nowrap",
            ),
            dmc.Progress(value=100 * (progress or 0.0), color=colour, size="lg", my=6),
            dmc.Text(reading, size="sm", className="ws-target-reading"),
            dmc.Text(f"{i18n.t('workshop.target.source', lang)}: {target.source}", size="xs", c="dimmed"),
        ],
        withBorder=True,
        p="sm",
        className=f"ws-target ws-target-{key}",
    )


def target_blocks(state: dict[str, Any], lang: str) -> list[Any]:
    """The targets read on the last round played (on the baseline before round 1)."""
    setup = setup_of(state)
    baseline, rounds = tables(state)
    latest = rounds[-1] if rounds else baseline
    return [target_block(ws.target_status(t, baseline, latest), lang) for t in setup.targets]


def room_view(state: dict[str, Any], lang: str) -> list[Any]:
    """The room's view: the table of rounds against the baseline, and the targets."""
    setup = setup_of(state)
    if state.get("baseline") is None:
        return [dmc.Text(i18n.t("workshop.room.empty", lang), c="dimmed")]
    head, rows = room_rows(state, lang)
    return [
        dmc.Title(i18n.t("workshop.room.title", lang, year=setup.year), order=4),
        dmc.Table(
            data={"head": head, "body": rows},
            striped=True,
            withTableBorder=True,
            fz="sm",
            className="ws-room-table",
        ),
        dmc.Title(i18n.t("workshop.targets.title", lang), order=5, mt="sm"),
        *target_blocks(state, lang),
        *_last_moves(state, lang),
        dmc.Text(
            i18n.t(
                "workshop.room.scale",
                lang,
                households=i18n.format_number(runs.INTERACTIVE_HOUSEHOLDS, lang),
                seed=DEFAULT_SEED,
            ),
            size="xs",
            c="dimmed",
            mt="xs",
        ),
    ]


def round_moves(state: dict[str, Any], number: int, lang: str) -> list[str]:
    """The moves of round ``number`` in words, team by team (``Team — Lever: settings``)."""
    setup = setup_of(state)
    specs = lever_specs_by_id(ws.base_scenario(setup))
    moves = state["rounds"][number - 1]
    return [
        i18n.t(
            "workshop.room.move",
            lang,
            team=ws.text(team.name, lang),
            lever=lever_name(lever, lang),
            settings=move_text(lever, params, specs[lever], lang),
        )
        for team in setup.teams
        for lever, params in moves.get(team.id, {}).items()
    ]


def _last_moves(state: dict[str, Any], lang: str) -> list[Any]:
    """The last round's moves, for the room to read back (nothing before round 1)."""
    if not state["rounds"]:
        return []
    number = len(state["rounds"])
    lines = round_moves(state, number, lang) or [i18n.t("workshop.round.nothing", lang, n=number)]
    return [
        dmc.Title(i18n.t("workshop.room.moves", lang, n=number), order=5, mt="sm"),
        dmc.List([dmc.ListItem(line) for line in lines], size="sm", className="ws-moves"),
    ]


#: Colours of the rounds' lines in the room's chart.
ROUND_COLOURS = ("#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599")


def room_figure(state: dict[str, Any], indicator: str | None, lang: str) -> go.Figure:
    """One indicator over time: the baseline (dashed grey), every round, and its target."""
    setup = setup_of(state)
    indicator = indicator if indicator in setup.room_indicators else setup.room_indicators[0]
    baseline, rounds = tables(state)
    factor = 100.0 if ws.is_fraction(indicator) else 1.0
    fig = go.Figure()
    if not baseline.empty:
        fig.add_scatter(
            x=baseline.index,
            y=baseline[indicator] * factor,
            name=i18n.t("workshop.room.baseline", lang),
            line={"color": "#868e96", "dash": "dash", "width": 3},
        )
    for i, table in enumerate(rounds):
        fig.add_scatter(
            x=table.index,
            y=table[indicator] * factor,
            name=i18n.t("workshop.room.round", lang, n=i + 1),
            line={"color": ROUND_COLOURS[i % len(ROUND_COLOURS)], "width": 3},
        )
    for target in (t for t in setup.targets if t.indicator == indicator):
        threshold = target.threshold(ws.value_at(baseline, target.year, indicator))
        if threshold is not None:
            fig.add_scatter(
                x=[target.year],
                y=[threshold * factor],
                mode="markers",
                marker={"symbol": "star", "size": 18, "color": "#c92a2a"},
                name=i18n.t("workshop.targets.title", lang),
            )
    with use_language(lang):
        unit = logic.unit_of(indicator)
    fig.update_layout(
        title=i18n.t("workshop.room.chart", lang, indicator=indicator_name(indicator, lang)),
        yaxis_title=unit,
        height=300,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        template="plotly_white",
        font={"family": font_family(lang)},  # the bundled Khmer font: SVG text does not use the page's
    )
    return fig


def move_text(lever: str, params: dict[str, Any] | None, spec: Any, lang: str) -> str:
    """A move in words: ``off``, or its settings with units (``Levy per bag 0.2 USD/bag``)."""
    if params is None:
        return i18n.t("workshop.lever.off", lang)
    by_key: dict[str, ControlSpec] = {p.key: p for p in spec.params}
    parts = []
    for key, value in params.items():
        control = by_key.get(key)
        if control is None:
            continue
        shown = controls.to_display(control, value)
        number = f"{shown:g}" if isinstance(shown, float) else str(shown)
        unit = "" if key.endswith("_year") else control.unit  # "Start year 2027", not "2027 year"
        parts.append(f"{control.label} {number} {unit}".strip())
    return ", ".join(parts)


VERDICT_COLOURS = {
    "gained": "green",
    "lost": "red",
    "mixed": "yellow",
    "unchanged": "gray",
    "unknown": "gray",
}


def debrief_card(item: ws.TeamDebrief, specs: dict[str, Any], lang: str) -> dmc.Paper:
    """One team's debrief: what it wanted, what happened (in the setup's year), what it did."""
    team = item.team
    happened = [
        html.Div(
            [
                dmc.Badge(
                    i18n.t(f"workshop.verdict.{g.verdict}", lang), color=VERDICT_COLOURS[g.verdict], size="sm"
                ),
                dmc.Text(
                    i18n.t(
                        "workshop.debrief.goal",
                        lang,
                        indicator=indicator_name(g.goal.indicator, lang),
                        baseline=fmt(g.goal.indicator, g.baseline, lang),
                        value=fmt(g.goal.indicator, g.value, lang),
                        change=change_text(g.goal.indicator, g.baseline, g.value, lang),
                    ),
                    size="sm",
                ),
            ],
            className="ws-goal",
            style={"borderLeft": f"4px solid var(--mantine-color-{VERDICT_COLOURS[g.verdict]}-6)"},
        )
        for g in item.goals
    ]
    did = [
        dmc.Text(
            i18n.t(
                "workshop.debrief.move",
                lang,
                n=number,
                lever=lever_name(lever, lang),
                settings=move_text(lever, params, specs[lever], lang),
            ),
            size="sm",
        )
        for number, lever, params in item.moves
    ] or [dmc.Text(i18n.t("workshop.debrief.no_moves", lang), size="sm", c="dimmed")]
    return dmc.Paper(
        [
            dmc.Group(
                [
                    dmc.Text(ws.text(team.name, lang), fw=700, size="lg", c=team.colour),
                    dmc.Badge(
                        i18n.t(f"workshop.verdict.{item.verdict}", lang),
                        color=VERDICT_COLOURS[item.verdict],
                        size="lg",
                        className="ws-verdict",
                    ),
                ],
                justify="space-between",
            ),
            dmc.Text(i18n.t("workshop.debrief.wanted", lang), fw=600, size="sm", mt="xs"),
            dmc.Text("; ".join(want_text(g, lang) for g in team.goals), size="sm"),
            dmc.Text(i18n.t("workshop.debrief.happened", lang), fw=600, size="sm", mt="xs"),
            *happened,
            dmc.Text(i18n.t("workshop.debrief.did", lang), fw=600, size="sm", mt="xs"),
            *did,
        ],
        withBorder=True,
        p="sm",
        radius="md",
        className="ws-debrief-card",
        style={"borderTop": f"5px solid var(--mantine-color-{team.colour}-6)"},
        id=f"ws-debrief-{team.id}",
    )


def debrief_view(state: dict[str, Any], lang: str) -> list[Any]:
    """The debrief: every team's goals against the final round, the targets, questions."""
    setup = setup_of(state)
    if not state["results"]:
        return [dmc.Text(i18n.t("workshop.debrief.empty", lang), c="dimmed")]
    baseline, rounds = tables(state)
    items = ws.debrief(setup, state["playing"], state["rounds"], baseline, rounds[-1])
    specs = lever_specs_by_id(ws.base_scenario(setup))
    questions = [dmc.ListItem(i18n.t(f"workshop.debrief.q{i}", lang)) for i in range(1, 5)]
    return [
        dmc.Title(i18n.t("workshop.debrief.title", lang, year=setup.year), order=3),
        dmc.Text(i18n.t("workshop.debrief.after", lang, n=len(rounds)), c="dimmed", mb="xs"),
        dmc.Group(
            [
                dmc.Badge(ws.text(item.team.name, lang), color=VERDICT_COLOURS[item.verdict], size="lg")
                for item in items
            ],
            gap="xs",
            mb="sm",
            className="ws-verdicts",
        ),
        dmc.SimpleGrid(
            [debrief_card(item, specs, lang) for item in items],
            cols={"base": 1, "md": 2, "lg": 3},
        ),
        dmc.Title(i18n.t("workshop.targets.title", lang), order=4, mt="md"),
        *target_blocks(state, lang),
        dmc.Title(i18n.t("workshop.debrief.questions", lang), order=4, mt="md"),
        dmc.List(questions, size="sm"),
    ]


def guide_text(lang: str) -> tuple[str, str]:
    """The facilitator guide in ``lang`` (English where not written yet), and a note saying so."""
    path = GUIDE_FILES.get(lang)
    if path is not None and path.is_file():
        return path.read_text(encoding="utf-8"), ""
    english = GUIDE_FILES["en"]
    if not english.is_file():
        return "", i18n.t("workshop.guide.missing", lang)
    return english.read_text(encoding="utf-8"), i18n.t("workshop.guide.english_only", lang)


def static_texts(lang: str) -> dict[str, str]:
    """Texts of the fixed components (buttons, tabs, labels), by component id."""
    out = {
        OPEN: i18n.t("action.workshop", lang, default="Workshop"),
        BACK: i18n.t("workshop.debrief.back", lang),
        NEW: i18n.t("workshop.new", lang),
        UNDO: i18n.t("workshop.round.undo", lang),
        TO_DEBRIEF: i18n.t("workshop.debrief.go", lang),
        START: i18n.t("workshop.setup.start", lang),
        PRINT_BUTTONS["setup"]: i18n.t("workshop.setup.print", lang),
        PRINT_BUTTONS["debrief"]: i18n.t("workshop.debrief.print", lang),
        PRINT_BUTTONS["guide"]: i18n.t("workshop.guide.print", lang),
    }
    out.update({TAB_IDS[k]: i18n.t(f"workshop.step.{k}", lang) for k in TAB_IDS})
    return out


def round_outputs(state: dict[str, Any], lang: str) -> tuple[Any, ...]:
    """What the rounds tab shows: title, help, run button, undo, proposals, room, chart choices."""
    title, run_label, done = round_head(state, lang)
    options = [{"value": n, "label": indicator_name(n, lang)} for n in setup_of(state).room_indicators]
    return (
        title,
        "" if done else i18n.t("workshop.round.instructions", lang),
        run_label or i18n.t("workshop.round.run", lang, n=len(state["rounds"])),
        done,
        not state["rounds"],
        [] if done else proposal_cards(state, lang),
        room_view(state, lang),
        options,
    )


def chart_indicator(setup: ws.Setup, chosen: str | None) -> str:
    """The indicator the room's chart shows: the one chosen, else the first target's, else the first."""
    if chosen in setup.room_indicators:
        return str(chosen)
    targeted = [t.indicator for t in setup.targets if t.indicator in setup.room_indicators]
    return targeted[0] if targeted else setup.room_indicators[0]


# --------------------------------------------------------------------------- layout


def open_button() -> dmc.Button:
    """The header button that opens the workshop."""
    return dmc.Button(
        i18n.t("action.workshop", default="Workshop"), id=OPEN, variant="light", color="grape", size="sm"
    )


def phone_menu_item() -> dmc.MenuItem:
    """The phone menu's item that opens the workshop."""
    return dmc.MenuItem(i18n.t("action.workshop", default="Workshop"), id=OPEN_PHONE)


def _print_button(section: str) -> dmc.Button:
    return dmc.Button(id=PRINT_BUTTONS[section], variant="default", size="sm", className="ws-no-print")


def _setup_panel() -> list[Any]:
    lang = current_language()  # the page is built in its language (a new language reloads it)
    teams_label = i18n.t("workshop.setup.teams", lang, min=ws.MIN_TEAMS, max=ws.MAX_TEAMS)
    return [
        dmc.Text(i18n.t("workshop.intro", lang), size="sm", mb="xs", className="ws-no-print"),
        dmc.Group(
            [
                dmc.Select(
                    id=SETUP_SELECT,
                    label=i18n.t("workshop.setup.file", lang),
                    data=[],
                    allowDeselect=False,
                    w=420,
                ),
                dcc.Upload(
                    dmc.Text(i18n.t("workshop.setup.upload", lang), id=UPLOAD_TEXT, size="sm"),
                    id=UPLOAD,
                    accept=".yaml,.yml,text/yaml,application/x-yaml",
                    max_size=MAX_UPLOAD_BYTES,
                    className="upload-box ws-no-print",
                ),
            ],
            align="flex-end",
            className="ws-no-print",
        ),
        dmc.Text(id=SETUP_MSG, size="sm", className="ws-message"),
        dmc.Text(id=SETUP_INFO, size="sm", c="dimmed", my="xs"),
        dmc.CheckboxGroup(
            dmc.Group(id=f"{TEAMS}-boxes"), id=TEAMS, label=teams_label, className="ws-no-print"
        ),
        dmc.Group(
            [dmc.Button(id=START, color="grape"), _print_button("setup")], my="sm", className="ws-no-print"
        ),
        dmc.SimpleGrid(id=TEAM_CARDS, cols={"base": 1, "md": 2, "lg": 3}),
    ]


def _rounds_panel() -> list[Any]:
    return [
        dmc.Grid(
            [
                dmc.GridCol(
                    [
                        dmc.Title(id=ROUND_HEAD, order=3),
                        dmc.Text(id=f"{ROUND_HEAD}-help", size="sm", c="dimmed", mb="xs"),
                        dmc.Group(
                            [
                                dmc.Button(id=RUN, color="grape"),
                                dmc.Button(id=UNDO, variant="default"),
                                dmc.Button(id=TO_DEBRIEF, variant="light"),
                            ],
                            gap="xs",
                            mb="xs",
                        ),
                        dmc.Text(id=ROUND_MSG, size="sm", className="ws-message", mb="xs"),
                        dmc.ScrollArea(html.Div(id=PROPOSALS), h="calc(100vh - 260px)", type="auto"),
                    ],
                    span={"base": 12, "md": 5},
                ),
                dmc.GridCol(
                    [
                        dmc.Select(id=CHART_INDICATOR, data=[], allowDeselect=False, w=360, size="sm"),
                        dcc.Graph(id=CHART, config={"displaylogo": False}),
                        html.Div(id=ROOM),
                    ],
                    span={"base": 12, "md": 7},
                ),
            ],
            gutter="md",
        )
    ]


def modal() -> dmc.Modal:
    """The workshop window (full screen).

    Not mounted while closed: mounted, its ~50 components would take part in every update of
    the main page (about 35 ms of each lever change). What it holds survives closing it in the
    page's store (its props) and a reload in the tab's session storage (``STATE``).
    """
    panels_: dict[str, list[Any]] = {
        "setup": _setup_panel(),
        "rounds": _rounds_panel(),
        "debrief": [
            dmc.Group(
                [
                    dmc.Button(id=BACK, variant="default"),
                    dmc.Button(id=NEW, variant="subtle"),
                    _print_button("debrief"),
                ],
                className="ws-no-print",
                mb="sm",
            ),
            html.Div(id=DEBRIEF),
        ],
        "guide": [_print_button("guide"), html.Div(id=GUIDE, className="ws-guide")],
    }
    return dmc.Modal(
        [
            dcc.Store(id=STATE, storage_type="session"),  # a reload of the tab keeps the workshop
            dcc.Store(id=PRINT_SINK),
            dmc.Alert(
                id=ERROR, color="red", withCloseButton=True, hide=True, className="ws-message ws-no-print"
            ),
            dmc.Tabs(
                [
                    dmc.TabsList(
                        [dmc.TabsTab(id=TAB_IDS[k], value=k) for k in panels_], className="ws-no-print"
                    ),
                    *[dmc.TabsPanel(children, value=k, pt="sm") for k, children in panels_.items()],
                ],
                id=TABS,
                value="setup",
            ),
        ],
        id=MODAL,
        title=i18n.t("workshop.title", current_language()),
        fullScreen=True,
        keepMounted=False,
        opened=False,
        className="ws-modal",
    )


# --------------------------------------------------------------------------- callbacks


def _controls(
    switch_inputs: list[dict[str, Any]], param_inputs: list[dict[str, Any]], setup: ws.Setup
) -> tuple[dict[tuple[str, str], bool], dict[tuple[str, str, str], Any]]:
    """The proposal controls as (team, lever) -> on and (team, lever, param) -> model value."""
    switches = {(i["id"]["team"], i["id"]["lever"]): bool(i.get("value")) for i in switch_inputs}
    specs = lever_specs_by_id(ws.base_scenario(setup))
    values = {}
    for item in param_inputs:
        team, lever, param = item["id"]["team"], item["id"]["lever"], item["id"]["param"]
        spec = next(p for p in specs[lever].params if p.key == param)
        values[(team, lever, param)] = controls.from_display(spec, item.get("value"))
    return switches, values


def setup_panel_outputs(state: dict[str, Any], lang: str) -> tuple[Any, ...]:
    """What the setup tab shows: select options and value, facts, team boxes and cards, start."""
    info, options, chosen, locked, cards = setup_view(state, lang)
    boxes = [dmc.Checkbox(value=o["value"], label=o["label"], disabled=locked) for o in options]
    return (
        setup_options(state, lang),
        state["file"],
        info,
        boxes,
        chosen,
        cards,
        bool(teams_problem(state, lang)),
    )


def on_setup_event(
    trigger: Any,
    state: dict[str, Any] | None,
    file: str | None,
    contents: str | None,
    filename: str | None,
    chosen: list[str] | None,
    lang: str,
) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """The state after an event of the setup tab, a message and an error (None: leave as it is).

    On an error the state is unchanged.
    """
    if state is None or not usable(state):
        start = initial_state()
        return start, "", None if start else i18n.t("workshop.setup.none", lang)
    try:
        if trigger == UPLOAD and contents:
            return (*on_upload(contents, filename, lang), None)
        if trigger == SETUP_SELECT and file not in (None, UPLOADED, state.get("file")):
            return on_choose(file, state), "", None
        if trigger == TEAMS:
            return on_teams(chosen, state), None, None
    except ws.WorkshopError as exc:
        return state, None, str(exc)
    return state, None, None


def on_new(state: dict[str, Any]) -> dict[str, Any]:
    """Back to the setup: rounds and results cleared, the same setup and teams."""
    return {**state, "rounds": [], "results": [], "baseline": None}


def on_action(
    trigger: str, state: dict[str, Any], switch_inputs: list, param_inputs: list, lang: str
) -> tuple[dict[str, Any] | None, str | None, str | None, str | None]:
    """A button of the workshop: (new state, tab to show, message, error); None = keep as it is."""
    try:
        if trigger == START:
            return on_start(state, lang), "rounds", "", None
        if trigger == NEW:
            return on_new(state), "setup", "", None
        if trigger == RUN:
            switches, values = _controls(switch_inputs, param_inputs, setup_of(state))
            new, message = on_run(state, switches, values, lang)
            return new, None, message, None
        if trigger == UNDO:
            new, message = on_undo(state, lang)
            return new, None, message, None
    except ws.WorkshopError as exc:
        return None, None, None, str(exc)
    return None, "debrief" if trigger == TO_DEBRIEF else "rounds", None, None


def _keep(value: Any) -> Any:
    return no_update if value is None else value


def _error(error: str | None) -> tuple[Any, bool]:
    """Children and ``hide`` of the error alert: shown with an error, hidden after a success."""
    return (error, False) if error else (no_update, True)


#: The buttons of :func:`on_action`, in the order of the ``act`` callback's inputs.
ACTIONS = (START, RUN, UNDO, TO_DEBRIEF, BACK, NEW)


def register(app: Dash, lang_input: tuple[str, str]) -> None:
    """Register the workshop's callbacks.

    Args:
        app: The Dash app.
        lang_input: (component id, property) holding the page's language, e.g. the app's
            ``(ids.STORE_LANG, "data")``.
    """
    lang_in = Input(*lang_input)
    error_outputs = [
        Output(ERROR, "children", allow_duplicate=True),
        Output(ERROR, "hide", allow_duplicate=True),
    ]

    @app.callback(
        Output(MODAL, "opened"),
        Input(OPEN, "n_clicks"),
        Input(OPEN_PHONE, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_workshop(_n: int, _phone: int) -> bool:
        return True

    @app.callback(
        [Output(k, "children") for k in static_texts("en")],
        Output(MODAL, "title"),
        Output(GUIDE, "children"),
        lang_in,
    )
    def translate(lang: str | None) -> tuple:
        code = i18n.language(lang)
        text, note = guide_text(code)
        guide = [dmc.Alert(note, color="yellow", mb="sm")] if note else []
        return (
            *static_texts(code).values(),
            i18n.t("workshop.title", code),
            [*guide, dcc.Markdown(text, link_target="_blank")],
        )

    @app.callback(
        Output(STATE, "data", allow_duplicate=True),
        Output(SETUP_MSG, "children"),
        *error_outputs,
        Output(UPLOAD, "contents"),
        Output(SETUP_SELECT, "data"),
        Output(SETUP_SELECT, "value"),
        Output(SETUP_INFO, "children"),
        Output(f"{TEAMS}-boxes", "children"),
        Output(TEAMS, "value"),
        Output(TEAM_CARDS, "children"),
        Output(START, "disabled"),
        Input(STATE, "data"),
        Input(SETUP_SELECT, "value"),
        Input(UPLOAD, "contents"),
        Input(TEAMS, "value"),
        lang_in,
        State(UPLOAD, "filename"),
        prevent_initial_call="initial_duplicate",
    )
    def setup_tab(
        state: dict | None,
        file: str | None,
        contents: str | None,
        chosen: list | None,
        lang: str | None,
        filename: str | None,
    ) -> tuple:
        code = i18n.language(lang)
        new, message, error = on_setup_event(ctx.triggered_id, state, file, contents, filename, chosen, code)
        if new is None:  # no setup could be read: say so, show nothing else
            return (no_update, no_update, *_error(error), *[no_update] * 8)
        changed = new is not state
        return (
            new if changed else no_update,
            _keep(message),
            *(_error(error) if error or changed else (no_update, no_update)),
            None if ctx.triggered_id == UPLOAD else no_update,
            *setup_panel_outputs(new, code),
        )

    @app.callback(
        Output(STATE, "data", allow_duplicate=True),
        Output(TABS, "value"),
        Output(ROUND_MSG, "children"),
        *error_outputs,
        *[Input(b, "n_clicks") for b in ACTIONS],
        State({"type": LEVER_ON_TYPE, "team": ALL, "lever": ALL}, "checked"),
        State({"type": PARAM_TYPE, "team": ALL, "lever": ALL, "param": ALL}, "value"),
        State(STATE, "data"),
        State(*lang_input),
        running=[(Output(RUN, "loading"), True, False), (Output(START, "loading"), True, False)],
        prevent_initial_call=True,
    )
    def act(*args: Any) -> tuple:
        state, lang = args[-2:]  # after one n_clicks per action and the two lists of controls
        if not state or not ctx.triggered or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        new, tab, message, error = on_action(
            ctx.triggered_id, state, ctx.states_list[0], ctx.states_list[1], i18n.language(lang)
        )
        return _keep(new), _keep(tab), _keep(message), *_error(error)

    @app.callback(
        Output(ROUND_HEAD, "children"),
        Output(f"{ROUND_HEAD}-help", "children"),
        Output(RUN, "children"),
        Output(RUN, "disabled"),
        Output(UNDO, "disabled"),
        Output(PROPOSALS, "children"),
        Output(ROOM, "children"),
        Output(CHART_INDICATOR, "data"),
        Input(STATE, "data"),
        lang_in,
    )
    def show_round(state: dict | None, lang: str | None) -> tuple:
        if not state:
            raise PreventUpdate
        with use_language(lang) as code:  # the app's lever labels in this language too
            return round_outputs(state, code)

    @app.callback(
        Output(CHART, "figure"),
        Output(CHART_INDICATOR, "value"),
        Input(STATE, "data"),
        Input(CHART_INDICATOR, "value"),
        lang_in,
    )
    def show_chart(state: dict | None, indicator: str | None, lang: str | None) -> tuple:
        if not state:
            raise PreventUpdate
        indicator = chart_indicator(setup_of(state), indicator)
        return room_figure(state, indicator, i18n.language(lang)), indicator

    @app.callback(Output(DEBRIEF, "children"), Input(STATE, "data"), Input(TABS, "value"), lang_in)
    def show_debrief(state: dict | None, tab: str, lang: str | None) -> list:
        if not state or tab != "debrief":
            raise PreventUpdate
        with use_language(lang) as code:
            return debrief_view(state, code)

    @app.callback(
        Output(params_box_id(MATCH, MATCH), "style"),  # type: ignore[arg-type]
        Input(lever_on_id(MATCH, MATCH), "checked"),  # type: ignore[arg-type]
        prevent_initial_call=True,
    )
    def show_params(on: bool) -> dict[str, str]:
        return params_style(bool(on))

    app.clientside_callback(
        """
        function () {
            document.body.classList.add("ws-printing");
            window.setTimeout(function () {
                window.print();
                document.body.classList.remove("ws-printing");
            }, 50);
            return window.dash_clientside.no_update;
        }
        """,
        Output(PRINT_SINK, "data"),
        [Input(b, "n_clicks") for b in PRINT_BUTTONS.values()],
        prevent_initial_call=True,
    )
