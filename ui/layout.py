"""The page: header, side panel (policies, assumptions, scenarios) and results.

:func:`serve_layout` is called on every page load, so each browser session starts with its own
stores holding the Phnom Penh baseline; no state is shared between sessions.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

from sim import i18n
from ui import ids, panels, runs, state, workshop
from ui.logic import CARDS, GHG_TARGET_YEAR, indicator_label
from ui.text import current_language, font_family, request_language, t, use_language

NAVBAR_WIDTH = 400
#: One year per second when playing (the frames are prepared before, so the pace holds).
PLAY_INTERVAL_MS = 1000
GRAPH_CONFIG: Any = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
HEADER_HEIGHT = 56


#: Class of the run spinner's row: the spinner shows only while the status beside it waits for a
#: callback (Dash marks it ``data-dash-is-loading``; ``app.css``), so a run needs no callback
#: output of its own to show and hide it (each is a re-render of the page's components). While
#: hidden it keeps its place and does not animate: a CSS animation runs, and costs CPU, even
#: where it is hidden.
RUN_ROW = "run-row"


def theme(lang: str) -> dict[str, Any]:
    """Mantine theme of a page in ``lang`` (its font)."""
    return {"primaryColor": "blue", "fontFamily": font_family(lang)}


def stores(start: dict[str, Any], lang: str) -> list[Any]:
    """Per-user state: every store of the page."""
    return [
        dcc.Store(id=ids.STORE_START, data=start),
        dcc.Store(id=ids.STORE_SCENARIO, data=start["scenario"]),
        dcc.Store(id=ids.STORE_HISTORY, data=[]),
        dcc.Store(id=ids.STORE_HISTORY_SIZE, data=0),
        dcc.Store(id=ids.STORE_RESULT),
        dcc.Store(id=ids.STORE_FLOWS),
        dcc.Store(id=ids.STORE_BASELINE),
        dcc.Store(id=ids.STORE_BAND),
        dcc.Store(id=ids.STORE_CARDS_FOR),
        dcc.Store(id=ids.RUN_REQUEST),
        dcc.Store(id=ids.CARDS_TICK),
        *[dcc.Store(id=ids.chart_tick(tab)) for tab in ids.RESULT_TABS],
        dcc.Store(id=ids.STORE_SAVED, storage_type="local"),
        dcc.Store(id=ids.STORE_SWEEP),
        dcc.Store(id=ids.STORE_URL_SYNC),
        dcc.Store(id=ids.STORE_PLAY),
        dcc.Store(id=ids.STORE_LANG, data=lang),
        dcc.Store(id=ids.STORE_FRAMES),
        dcc.Store(id=ids.STORE_LINK_COMPARE),
        dcc.Store(id=ids.STORE_PENDING_SAVE),
        dcc.Store(id=ids.STORE_TOUR_SEEN, storage_type="local"),
        dcc.Store(id=ids.STORE_PLAY_SYNC),
        dcc.Store(
            id=ids.STORE_COPY_TEXTS, data={"ok": t("scenario.copied"), "failed": t("scenario.copy_failed")}
        ),
        dcc.Location(id=ids.LOCATION, refresh=False),
        dcc.Download(id=ids.DOWNLOAD_CSV),
        dcc.Download(id=ids.DOWNLOAD_YAML),
        dcc.Interval(id=ids.PLAY_TIMER, interval=PLAY_INTERVAL_MS, disabled=True),
    ]


def language_select(lang: str) -> dmc.Select:
    """The language picker (the page reloads in the chosen language, keeping the scenario)."""
    return dmc.Select(
        id=ids.LANGUAGE,
        data=[{"value": code, "label": i18n.LANGUAGE_NAMES[code]} for code in i18n.LANGS],
        value=lang,
        allowDeselect=False,
        size="xs",
        w=104,
        comboboxProps={"zIndex": 400},
        **{"aria-label": t("action.language")},
    )


def help_menu() -> dmc.Menu:
    """Help: the guided tour and the help page."""
    return dmc.Menu(
        [
            dmc.MenuTarget(dmc.Button(t("action.help"), id=ids.HELP, variant="subtle", size="compact-sm")),
            dmc.MenuDropdown(
                [
                    dmc.MenuItem(t("action.tour"), id=ids.TOUR),
                    dmc.MenuItem(t("help.title"), id=ids.menu_action("help")),
                ]
            ),
        ],
        zIndex=400,
    )


def phone_menu() -> dmc.Menu:
    """The header's actions and the presets in one menu, for phones."""
    presets = [dmc.MenuItem(preset_label(p), id=ids.menu_preset(p)) for p in preset_names()]
    return dmc.Menu(
        [
            dmc.MenuTarget(
                dmc.Button("☰ " + t("action.menu"), id=ids.HEADER_MENU, variant="default", size="compact-sm")
            ),
            dmc.MenuDropdown(
                [
                    dmc.MenuItem(t("action.undo"), id=ids.menu_action("undo")),
                    dmc.MenuItem(t("action.reset"), id=ids.menu_action("reset")),
                    dmc.MenuDivider(),
                    dmc.MenuLabel(t("action.start_from")),
                    *presets[:2],
                    dmc.MenuLabel(t("action.packages")),
                    *presets[2:],
                    dmc.MenuDivider(),
                    workshop.phone_menu_item(),
                    dmc.MenuItem(t("action.tour"), id=ids.menu_action("tour")),
                    dmc.MenuItem(t("help.title"), id=ids.menu_action("help-phone")),
                ]
            ),
        ],
        zIndex=400,
    )


def header(lang: str) -> dmc.Group:
    """Lever-panel toggle, title, actions (a menu on phones), presenter mode and language."""
    actions = dmc.Group(
        [
            dmc.Button(t("action.undo"), id=ids.UNDO, variant="default", size="compact-sm"),
            dmc.Button(t("action.reset"), id=ids.RESET, variant="default", size="compact-sm"),
            workshop.open_button(),
            help_menu(),
            dmc.Switch(id=ids.PRESENTER, label=t("action.presenter"), checked=False, size="sm"),
        ],
        id=ids.HEADER_ACTIONS,
        gap=8,
        wrap="nowrap",
        visibleFrom="sm",
        className="header-actions",
    )
    return dmc.Group(
        [
            dmc.Group(
                [
                    dmc.ActionIcon(
                        "☰",
                        id=ids.NAV_TOGGLE,
                        variant="default",
                        size="lg",
                        **{"aria-label": t("action.levers.show")},
                        className="nav-toggle",
                    ),
                    dmc.Title(t("app.title"), order=4, className="app-title", visibleFrom="xl"),
                    dmc.Title(t("app.title.short"), order=4, className="app-title", hiddenFrom="xl"),
                ],
                gap="xs",
                wrap="nowrap",
                className="header-start",
            ),
            dmc.Group(
                [actions, dmc.Box(phone_menu(), hiddenFrom="sm"), language_select(lang)],
                gap=8,
                wrap="nowrap",
            ),
        ],
        justify="space-between",
        h="100%",
        px="sm",
        wrap="nowrap",
        className="app-header",
    )


def preset_names() -> list[str]:
    """Starting scenarios and policy packages whose files exist, in the order offered."""
    starts = [p for p in state.PRESETS if state.preset_available(p)]
    return starts + [p for p in state.PACKAGES if state.package_available(p)]


def preset_label(name: str) -> str:
    """Button text of a starting scenario or a package."""
    if name == "baseline":
        return t("action.phnom_penh")
    if name == "island":
        return t("action.island")
    return t(f"scenario.{name}.name", default=state.shipped_name(name))


def preset_tip(name: str) -> str:
    """What a starting scenario or package holds (its description)."""
    stem = (state.PRESETS.get(name) or state.PACKAGES.get(name, "")).removesuffix(".yaml")
    return t(f"scenario.{stem}.description", default="")


def packages_bar() -> dmc.Group:
    """Starting scenarios and policy packages, one click each (hidden on phones: in the menu)."""
    names = preset_names()
    starts = [n for n in names if n in state.PRESETS]
    packages = [n for n in names if n in state.PACKAGES]

    def button(name: str, colour: str) -> dmc.Tooltip:
        return dmc.Tooltip(
            dmc.Button(
                preset_label(name), id=ids.preset(name), variant="light", color=colour, size="compact-sm"
            ),
            label=preset_tip(name),
            multiline=True,
            w=340,
            withArrow=True,
            openDelay=300,
        )

    return dmc.Group(
        [
            dmc.Text(t("action.start_from"), size="xs", fw=600, c="dimmed"),
            *[button(n, "teal") for n in starts],
            dmc.Divider(orientation="vertical"),
            dmc.Text(t("action.packages"), size="xs", fw=600, c="dimmed"),
            *[button(n, "indigo") for n in packages],
        ],
        id=ids.PACKAGES,
        gap=6,
        wrap="nowrap",
        className="packages-bar",
        visibleFrom="sm",
        mb="xs",
    )


def help_sections() -> list[Any]:
    """The help page: what the simulator does and how to read and use it."""
    sections = ("cards", "packages", "share", "present", "model")
    return [
        dmc.Text(t("help.intro"), size="sm", mb="sm"),
        *[
            html.Div(
                [dmc.Title(t(f"help.{s}.title"), order=5, mt="sm"), dmc.Text(t(f"help.{s}.body"), size="sm")]
            )
            for s in sections
        ],
    ]


def help_modal() -> dmc.Modal:
    """The help page, as a window over the app (full screen on phones)."""
    return dmc.Modal(
        help_sections(), id=ids.HELP_MODAL, title=t("help.title"), size="lg", opened=False, zIndex=500
    )


TOUR_STEPS = 4


def tour_step(step: int) -> list[Any]:
    """The content of one step of the tour (1-based)."""
    return [
        dmc.Text(t("tour.step", i=step, n=TOUR_STEPS), size="xs", c="dimmed"),
        dmc.Title(t(f"tour.{step}.title"), order=4, mt=4),
        dmc.Text(t(f"tour.{step}.body"), size="sm", mt="xs"),
    ]


def tour_modal() -> dmc.Modal:
    """A four-step guided tour for first use."""
    return dmc.Modal(
        [
            html.Div(tour_step(1), id=ids.TOUR_STEP),
            dcc.Store(id=ids.TOUR_STEP_N, data=1),
            dmc.Group(
                [
                    dmc.Button(t("tour.back"), id=ids.TOUR_BACK, variant="default", size="compact-sm"),
                    dmc.Button(t("tour.next"), id=ids.TOUR_NEXT, size="compact-sm"),
                ],
                justify="flex-end",
                mt="md",
            ),
        ],
        id=ids.TOUR_MODAL,
        title=t("tour.title"),
        opened=False,
        zIndex=500,
    )


def tour_hint() -> dmc.Alert:
    """First use: a small, dismissible offer of the tour (hidden once dismissed, in local storage)."""
    return dmc.Alert(
        dmc.Group(
            [
                dmc.Text(t("tour.title"), size="sm"),
                dmc.Button(t("action.tour"), id=ids.TOUR_HINT_OPEN, size="compact-xs", variant="light"),
            ],
            gap="sm",
        ),
        id=ids.TOUR_HINT,
        className="tour-hint",
        color="blue",
        withCloseButton=True,
        hide=True,
        mb="xs",
        py=6,
    )


def save_confirm_modal() -> dmc.Modal:
    """Asks before a save replaces a saved scenario of the same name."""
    return dmc.Modal(
        [
            dmc.Text(id=ids.SAVE_CONFIRM_MODAL + "-text", size="sm"),
            dmc.Group(
                [
                    dmc.Button(t("scenario.overwrite.cancel"), id=ids.SAVE_CANCEL, variant="default"),
                    dmc.Button(t("scenario.overwrite.confirm"), id=ids.SAVE_CONFIRM, color="red"),
                ],
                justify="flex-end",
                mt="md",
            ),
        ],
        id=ids.SAVE_CONFIRM_MODAL,
        title=t("scenario.overwrite.title"),
        opened=False,
        zIndex=500,
    )


def policies_tab(scenario: dict[str, Any]) -> list[Any]:
    """Levers grouped by pillar in an accordion (all pillars open)."""
    groups = panels.lever_groups(scenario)
    return [
        dmc.Text(t("panel.policies.intro"), size="xs", c="dimmed", mb="xs"),
        dmc.Text(id=ids.LEVER_MSG, c="red", size="sm"),
        dmc.Accordion(
            [
                dmc.AccordionItem(
                    [
                        dmc.AccordionControl(
                            t(f"pillar.{pillar}", default=pillar.replace("_", " ").capitalize())
                        ),
                        dmc.AccordionPanel(html.Div(children, id=ids.lever_group(pillar))),
                    ],
                    value=pillar,
                )
                for pillar, children in groups.items()
            ],
            multiple=True,
            value=list(groups),
            variant="separated",
            chevronPosition="left",
        ),
    ]


def assumptions_tab() -> list[Any]:
    """Assumptions, separate from policies; the controls are rendered while the tab is open."""
    return [
        dmc.Text(t("panel.assumptions.intro"), size="xs", c="dimmed", mb="xs"),
        html.Div(id=ids.ASSUMPTIONS_PANEL),
    ]


def scenarios_tab(start_name: str, sweeps: bool) -> list[Any]:
    """Save, compare, choose the baseline, share, export and import."""
    items: list[Any] = [
        dmc.Group(
            [
                dmc.TextInput(
                    id=ids.SAVE_NAME,
                    label=t("scenario.name"),
                    placeholder=t("scenario.name.placeholder"),
                    style={"flex": 1},
                ),
                dmc.Button(t("scenario.save"), id=ids.SAVE),
            ],
            align="flex-end",
        ),
        dmc.Text(id=ids.SAVE_MSG, size="sm", c="dimmed"),
        dmc.Group(
            [
                dmc.Select(
                    id=ids.SAVED_SELECT,
                    label=t("scenario.saved_list"),
                    data=[],
                    placeholder=t("scenario.none_saved"),
                    style={"flex": 1},
                ),
                dmc.Button(t("scenario.open"), id=ids.OPEN_SAVED, variant="light"),
                dmc.Button(t("scenario.delete"), id=ids.DELETE_SAVED, variant="subtle", color="red"),
            ],
            align="flex-end",
            gap="xs",
        ),
        dmc.MultiSelect(
            id=ids.COMPARE_SELECT, label=t("scenario.compare"), data=[], value=[], maxValues=4, clearable=True
        ),
        dmc.Select(
            id=ids.BASELINE_SELECT,
            label=t("scenario.baseline"),
            data=[
                {"value": "start", "label": t("scenario.baseline.start", name=state.display_name(start_name))}
            ],
            value="start",
            allowDeselect=False,
        ),
        dmc.Divider(my="sm"),
        dmc.Group(
            [
                dmc.TextInput(id=ids.SHARE_LINK, label=t("scenario.share"), readOnly=True, style={"flex": 1}),
                dmc.Button(t("scenario.copy"), id=ids.SHARE_COPY, variant="light"),
            ],
            align="flex-end",
            gap="xs",
        ),
        dmc.Group(
            [
                dmc.Tooltip(
                    dmc.Button(t("scenario.export_csv"), id=ids.EXPORT_CSV, variant="light"),
                    label=t("scenario.export_csv.holds"),
                    multiline=True,
                    w=300,
                ),
                dmc.Button(t("scenario.export_yaml"), id=ids.EXPORT_YAML, variant="light"),
            ],
            gap="xs",
            mt="sm",
        ),
        dcc.Upload(
            dmc.Text(t("scenario.import"), size="sm", ta="center"),
            id=ids.IMPORT,
            accept=".yaml,.yml,text/yaml,application/x-yaml",
            max_size=state.MAX_IMPORT_BYTES,
            className="upload-box",
        ),
        dmc.Text(id=ids.IMPORT_MSG, size="sm", className="import-message"),
    ]
    if sweeps:
        items += [
            dmc.Divider(my="sm"),
            dmc.Group(
                [
                    dmc.TextInput(
                        id=ids.SWEEP_PATH,
                        label=t("scenario.sweep"),
                        placeholder="sweeps_out/my_sweep",
                        style={"flex": 1},
                    ),
                    dmc.Button(t("scenario.sweep.load"), id=ids.SWEEP_LOAD, variant="light"),
                ],
                align="flex-end",
            ),
            dmc.Text(id=ids.SWEEP_MSG, size="sm"),
        ]
    return [dmc.Stack(items, gap="xs")]


def side_panel(scenario: dict[str, Any], sweeps: bool) -> dmc.Tabs:
    """Policies, assumptions and scenarios, as tabs."""
    return dmc.Tabs(
        [
            dmc.TabsList(
                [
                    dmc.TabsTab(t("panel.policies"), value="policies"),
                    dmc.TabsTab(t("panel.assumptions"), value="assumptions"),
                    dmc.TabsTab(t("panel.scenarios"), value="scenarios"),
                ],
                grow=True,
            ),
            dmc.TabsPanel(policies_tab(scenario), value="policies", pt="xs"),
            dmc.TabsPanel(assumptions_tab(), value="assumptions", pt="xs"),
            dmc.TabsPanel(scenarios_tab(scenario.get("name", ""), sweeps), value="scenarios", pt="xs"),
        ],
        id=ids.SIDE_TABS,
        value="policies",
    )


def graph(component_id: str) -> dcc.Graph:
    """A chart that keeps the previous figure visible while the next is computed."""
    return dcc.Graph(id=component_id, config=GRAPH_CONFIG)


def runs_box() -> dmc.Paper:
    """Replications and full-scale runs in the background, with progress and cancel."""
    return dmc.Paper(
        [
            dmc.Text(t("runs.title"), fw=600),
            dmc.Text(runs.intro_text(current_language()), size="xs", c="dimmed", mb="xs"),
            dmc.Group(
                [
                    dmc.NumberInput(
                        id=ids.RUNS_REPLICATIONS,
                        label=t("runs.replications"),
                        value=10,
                        min=2,
                        max=50,
                        step=1,
                        w=130,
                    ),
                    html.Div(
                        [
                            dmc.Text(t("runs.scale"), size="sm", fw=500),
                            dmc.SegmentedControl(
                                id=ids.RUNS_SCALE,
                                value="interactive",
                                data=[
                                    {"value": "interactive", "label": t("runs.scale.interactive")},
                                    {"value": "tenth", "label": t("runs.scale.tenth")},
                                    {"value": "full", "label": t("runs.scale.full")},
                                ],
                            ),
                        ]
                    ),
                    dmc.Button(t("runs.start"), id=ids.RUNS_START),
                    dmc.Button(t("runs.cancel"), id=ids.RUNS_CANCEL, variant="default", disabled=True),
                ],
                align="flex-end",
            ),
            dmc.Progress(id=ids.RUNS_PROGRESS, value=0, mt="sm", size="lg", animated=False),
            dmc.Text(id=ids.RUNS_PROGRESS_TEXT, size="xs", c="dimmed"),
            dmc.Text(id=ids.RUNS_MSG, size="sm"),
        ],
        withBorder=True,
        p="sm",
        mt="sm",
    )


def year_marks(first: int, last: int) -> list[dict[str, Any]]:
    """The year slider's marks: every fifth year from ``first`` to ``last``."""
    return [{"value": y, "label": str(y)} for y in range(first, last + 1, 5)]


def results(start_year: int, end_year: int) -> list[Any]:
    """Cards, year slider with play, and the result tabs."""
    marks = year_marks(start_year, end_year)
    return [
        dmc.Alert(
            id=ids.ERROR_ALERT, title=t("error.title"), color="red", withCloseButton=True, hide=True, mb="sm"
        ),
        dmc.Alert(id=ids.PAGE_MSG, color="blue", withCloseButton=True, hide=True, mb="xs", py=6),
        tour_hint(),
        dmc.Group(
            [
                dmc.Group(
                    [
                        dmc.Badge(id=ids.SCENARIO_BADGE, variant="outline", size="lg"),
                        dmc.Text(id=ids.LINK_MSG, size="sm", c="dimmed"),
                    ],
                    gap="sm",
                ),
                dmc.Group(
                    [
                        dmc.Loader(id=ids.RUN_SPINNER, size="xs"),
                        dmc.Text(id=ids.STATUS, size="xs", c="dimmed", className="status-text"),
                    ],
                    gap=6,
                    className=RUN_ROW,
                ),
            ],
            justify="space-between",
            mb="xs",
            wrap="nowrap",
            className="badge-row",
        ),
        packages_bar(),
        dmc.SimpleGrid(
            [panels.card_placeholder(spec.indicator) for spec in CARDS],
            id=ids.CARDS,
            cols={"base": 2, "md": 4},
            spacing="sm",
            verticalSpacing="sm",
            className="cards",
        ),
        dmc.Group(
            [
                dmc.Button(t("play.start"), id=ids.PLAY, variant="filled", color="teal", miw=110),
                dmc.Text(t("year.label"), size="sm", fw=500),
                dmc.Slider(
                    id=ids.YEAR,
                    min=start_year,
                    max=end_year,
                    step=1,
                    value=max(start_year, min(end_year, GHG_TARGET_YEAR)),
                    marks=marks,
                    labelAlwaysOn=True,
                    style={"flex": 1},
                    updatemode="drag",
                ),
            ],
            mt="md",
            mb="lg",
            gap="md",
            wrap="nowrap",
            className="year-row",
        ),
        dmc.Tabs(
            [
                dmc.TabsList(
                    [
                        dmc.TabsTab(t("tab.trends"), value="trends"),
                        dmc.TabsTab(t("tab.flows"), value="flows"),
                        dmc.TabsTab(t("tab.network"), value="network"),
                        dmc.TabsTab(t("tab.households"), value="households"),
                        dmc.TabsTab(t("tab.budget"), value="budget"),
                        dmc.TabsTab(t("tab.market"), value="market"),
                        dmc.TabsTab(t("tab.compare"), value="compare"),
                    ],
                    className="result-tabs",
                ),
                dmc.TabsPanel([graph(ids.TRENDS), runs_box()], value="trends"),
                dmc.TabsPanel(graph(ids.SANKEY), value="flows"),
                dmc.TabsPanel(graph(ids.NETWORK), value="network"),
                dmc.TabsPanel(graph(ids.ADOPTION), value="households"),
                dmc.TabsPanel(graph(ids.BUDGET), value="budget"),
                dmc.TabsPanel(graph(ids.MARKET), value="market"),
                dmc.TabsPanel(
                    [
                        dmc.Select(
                            id=ids.COMPARE_INDICATOR,
                            label=t("compare.indicator"),
                            data=[
                                {"value": c.indicator, "label": indicator_label(c.indicator)} for c in CARDS
                            ],
                            value=CARDS[0].indicator,
                            allowDeselect=False,
                            w=320,
                        ),
                        html.Div(id=ids.COMPARE_TABLE, className="compare-table"),
                        graph(ids.COMPARE_GRAPH),
                    ],
                    value="compare",
                ),
            ],
            id=ids.TABS,
            value="trends",
        ),
    ]


def serve_layout(sweeps: bool = False, lang: str | None = None) -> Any:
    """The whole page for one new session, opening on the Phnom Penh baseline.

    Args:
        sweeps: Whether finished sweeps can be opened.
        lang: Language of the page; by default the request's (``?lang=``, else the browser's).
    """
    lang = lang or request_language()
    with use_language(lang):
        return _page(sweeps, lang)


def _page(sweeps: bool, lang: str) -> Any:
    start_scenario = state.load_preset(state.DEFAULT_PRESET)
    start = {"preset": state.DEFAULT_PRESET, "scenario": start_scenario}
    time = start_scenario["time"]
    return dmc.MantineProvider(
        html.Div(
            [
                *stores(start, lang),
                workshop.modal(),
                help_modal(),
                tour_modal(),
                save_confirm_modal(),
                dmc.AppShell(
                    [
                        dmc.AppShellHeader(header(lang)),
                        dmc.AppShellNavbar(
                            dmc.ScrollArea(
                                side_panel(start_scenario, sweeps),
                                type="auto",
                                scrollbars="y",
                                h="100%",
                                p="sm",
                            )
                        ),
                        dmc.AppShellMain(results(time["start_year"], time["end_year"])),
                    ],
                    id=ids.SHELL,
                    header={"height": HEADER_HEIGHT},
                    navbar={
                        "width": NAVBAR_WIDTH,
                        "breakpoint": "sm",
                        "collapsed": {"mobile": True, "desktop": False},
                    },
                    padding="md",
                ),
            ],
            id=ids.ROOT,
            lang=lang,
        ),
        theme=theme(lang),
    )
