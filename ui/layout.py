"""The page: header, side panel (policies, assumptions, scenarios) and results.

:func:`serve_layout` is called on every page load, so each browser session starts with its own
stores holding the Phnom Penh baseline; no state is shared between sessions.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

from ui import ids, panels, state
from ui.logic import CARDS, GHG_TARGET_YEAR, indicator_label
from ui.text import t

NAVBAR_WIDTH = 400
PLAY_INTERVAL_MS = 900
GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
THEME = {"primaryColor": "blue", "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"}


def stores(start: dict[str, Any]) -> list[Any]:
    """Per-user state: every store of the page."""
    return [
        dcc.Store(id=ids.STORE_START, data=start),
        dcc.Store(id=ids.STORE_SCENARIO, data=start["scenario"]),
        dcc.Store(id=ids.STORE_HISTORY, data=[]),
        dcc.Store(id=ids.STORE_RESULT),
        dcc.Store(id=ids.STORE_FLOWS),
        dcc.Store(id=ids.STORE_BASELINE),
        dcc.Store(id=ids.STORE_BAND),
        dcc.Store(id=ids.STORE_SAVED, storage_type="local"),
        dcc.Store(id=ids.STORE_SWEEP),
        dcc.Store(id=ids.STORE_URL_SYNC),
        dcc.Store(id=ids.STORE_PLAY),
        dcc.Location(id=ids.LOCATION, refresh=False),
        dcc.Download(id=ids.DOWNLOAD_CSV),
        dcc.Download(id=ids.DOWNLOAD_YAML),
        dcc.Interval(id=ids.PLAY_TIMER, interval=PLAY_INTERVAL_MS, disabled=True),
    ]


def header(island_available: bool) -> dmc.Group:
    """Title, scenario actions and presenter mode."""
    island = dmc.Button(
        t("action.island"),
        id=ids.ISLAND,
        variant="light",
        color="teal",
        disabled=not island_available,
        size="sm",
    )
    if not island_available:
        island = dmc.Tooltip(island, label=t("action.island.missing"))
    return dmc.Group(
        [
            dmc.Title(t("app.title"), order=3, style={"whiteSpace": "nowrap"}),
            dmc.Group(
                [
                    dmc.Button(t("action.undo"), id=ids.UNDO, variant="default", size="sm"),
                    dmc.Button(t("action.reset"), id=ids.RESET, variant="default", size="sm"),
                    dmc.Button(t("action.phnom_penh"), id=ids.PHNOM_PENH, variant="light", size="sm"),
                    island,
                    dmc.Switch(
                        id=ids.PRESENTER, label=t("action.presenter"), checked=False, size="md", ml="sm"
                    ),
                ],
                gap="xs",
                wrap="nowrap",
            ),
        ],
        justify="space-between",
        h="100%",
        px="md",
        wrap="nowrap",
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
            data=[{"value": "start", "label": t("scenario.baseline.start", name=start_name)}],
            value="start",
            allowDeselect=False,
        ),
        dmc.Divider(my="sm"),
        dmc.Group(
            [
                dmc.TextInput(id=ids.SHARE_LINK, label=t("scenario.share"), readOnly=True, style={"flex": 1}),
                dcc.Clipboard(
                    target_id=ids.SHARE_LINK,
                    id=ids.SHARE_COPY,
                    title=t("scenario.copy"),
                    className="copy-button",
                ),
            ],
            align="flex-end",
            gap="xs",
        ),
        dmc.Group(
            [
                dmc.Button(t("scenario.export_csv"), id=ids.EXPORT_CSV, variant="light"),
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
            dmc.Text(t("runs.intro"), size="xs", c="dimmed", mb="xs"),
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
            dmc.Progress(id=ids.RUNS_PROGRESS, value=0, mt="sm", size="lg", animated=True),
            dmc.Text(id=ids.RUNS_PROGRESS_TEXT, size="xs", c="dimmed"),
            dmc.Text(id=ids.RUNS_MSG, size="sm"),
        ],
        withBorder=True,
        p="sm",
        mt="sm",
    )


def results(start_year: int, end_year: int) -> list[Any]:
    """Cards, year slider with play, and the result tabs."""
    marks = [{"value": y, "label": str(y)} for y in range(start_year, end_year + 1, 5)]
    return [
        dmc.Alert(
            id=ids.ERROR_ALERT, title=t("error.title"), color="red", withCloseButton=True, hide=True, mb="sm"
        ),
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
                        dmc.Loader(id=ids.RUN_SPINNER, size="xs", style={"visibility": "hidden"}),
                        dmc.Text(id=ids.STATUS, size="xs", c="dimmed"),
                    ],
                    gap=6,
                ),
            ],
            justify="space-between",
            mb="xs",
        ),
        dmc.SimpleGrid(
            [panels.card_placeholder(spec.indicator) for spec in CARDS],
            id=ids.CARDS,
            cols={"base": 1, "sm": 2, "lg": 4},
            spacing="sm",
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
            mt="lg",
            mb="lg",
            gap="md",
            wrap="nowrap",
        ),
        dmc.Tabs(
            [
                dmc.TabsList(
                    [
                        dmc.TabsTab(t("tab.trends"), value="trends"),
                        dmc.TabsTab(t("tab.flows"), value="flows"),
                        dmc.TabsTab(t("tab.network"), value="network"),
                        dmc.TabsTab(t("tab.households"), value="households"),
                        dmc.TabsTab(t("tab.compare"), value="compare"),
                    ]
                ),
                dmc.TabsPanel([graph(ids.TRENDS), runs_box()], value="trends"),
                dmc.TabsPanel(graph(ids.SANKEY), value="flows"),
                dmc.TabsPanel(graph(ids.NETWORK), value="network"),
                dmc.TabsPanel(graph(ids.ADOPTION), value="households"),
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


def serve_layout(sweeps: bool = False) -> Any:
    """The whole page for one new session, opening on the Phnom Penh baseline."""
    start_scenario = state.load_preset(state.DEFAULT_PRESET)
    start = {"preset": state.DEFAULT_PRESET, "scenario": start_scenario}
    time = start_scenario["time"]
    return dmc.MantineProvider(
        html.Div(
            [
                *stores(start),
                dmc.AppShell(
                    [
                        dmc.AppShellHeader(header(state.preset_available("island"))),
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
                    header={"height": 64},
                    navbar={"width": NAVBAR_WIDTH, "breakpoint": "sm"},
                    padding="md",
                ),
            ],
            id=ids.ROOT,
        ),
        theme=THEME,
    )
