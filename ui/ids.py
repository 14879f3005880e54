"""Component ids of the web app: one constant each, shared by layout, callbacks and tests.

Pattern-matching ids are dicts whose ``type`` is one of the ``*_TYPE`` constants below; build
them, and the ids of per-lever and per-indicator cards, with the helper functions so the keys
are spelled once.
"""

from __future__ import annotations

# Per-user state (dcc.Store): never module globals.
STORE_START = "store-start"  # {"preset": str, "scenario": dict}: what reset returns to
STORE_SCENARIO = "store-scenario"  # the current scenario (validated JSON dump)
STORE_HISTORY = "store-history"  # undo stack of earlier scenarios
STORE_HISTORY_SIZE = "store-history-size"  # its length (the server trims it without reading it)
STORE_RESULT = "store-result"  # compact result of the current scenario (without flows)
STORE_FLOWS = "store-flows"  # yearly flows by edge of the current scenario
STORE_BASELINE = "store-baseline"  # compact result of the comparison baseline
STORE_BAND = "store-band"  # replication quantiles of the current scenario
STORE_SAVED = "store-saved"  # named scenarios, in the browser's local storage
STORE_SWEEP = "store-sweep"  # a finished sweep's annual results, for comparison
STORE_PLAY = "store-play"  # year where play was paused (None while playing)
STORE_URL_SYNC = "store-url-sync"  # output of the clientside address-bar update
STORE_LANG = "store-lang"  # language of the page ("km", "en", "ja"); callbacks build texts in it
STORE_FRAMES = "store-frames"  # cards and trends of every year, prepared before playing
STORE_LINK_COMPARE = "store-link-compare"  # names of the scenarios a link asks to compare
STORE_PENDING_SAVE = "store-pending-save"  # name waiting for confirmation to overwrite
STORE_TOUR_SEEN = "store-tour-seen"  # local storage: the first-use hint was dismissed
STORE_COPY_TEXTS = "store-copy-texts"  # messages of the clipboard copy, in the page's language
STORE_PLAY_SYNC = "store-play-sync"  # output of the clientside play tick
STORE_CARDS_FOR = "store-cards-for"  # what the cards sent with the last run were drawn against
RUN_REQUEST = "store-run-request"  # digest of a scenario replaced whole (undo, reset, link...): run it
CARDS_TICK = "cards-tick"  # set in the browser when the cards must be drawn again
#: The result tabs, each with one chart (the comparison also with its table).
RESULT_TABS = ("trends", "flows", "network", "households", "budget", "market", "compare")

LOCATION = "location"
ROOT = "root"
SHELL = "app-shell"
ERROR_ALERT = "error-alert"
PAGE_MSG = "page-message"  # page-level notices (undo, reset, clipboard, presets)
STATUS = "run-status"
RUN_SPINNER = "run-spinner"

# header
UNDO = "undo-button"
RESET = "reset-button"
ISLAND = "island-button"
PHNOM_PENH = "phnom-penh-button"
PRESENTER = "presenter-switch"
SCENARIO_BADGE = "scenario-badge"
LANGUAGE = "language-select"
NAV_TOGGLE = "nav-toggle"  # burger: lever panel on phones (drawer) and on desktops (collapse)
HEADER_ACTIONS = "header-actions"  # the buttons shown on wide screens
HEADER_MENU = "header-menu"  # the same actions in a menu on phones
HELP = "help-button"
HELP_MODAL = "help-modal"
TOUR = "tour-button"
TOUR_MODAL = "tour-modal"
TOUR_STEP = "tour-step"
TOUR_STEP_N = "tour-step-number"
TOUR_NEXT = "tour-next"
TOUR_BACK = "tour-back"
TOUR_HINT = "tour-hint"
TOUR_HINT_OPEN = "tour-hint-open"
PACKAGES = "packages-bar"
SAVE_CONFIRM_MODAL = "save-confirm-modal"
SAVE_CONFIRM = "save-confirm"
SAVE_CANCEL = "save-cancel"

# side panel
SIDE_TABS = "side-tabs"
ASSUMPTIONS_PANEL = "assumptions-panel"
LEVER_MSG = "lever-message"
LINK_MSG = "link-message"
SAVE_NAME = "save-name"
SAVE = "save-button"
SAVE_MSG = "save-message"
SAVED_SELECT = "saved-select"
OPEN_SAVED = "open-saved-button"
DELETE_SAVED = "delete-saved-button"
COMPARE_SELECT = "compare-select"
BASELINE_SELECT = "baseline-select"
SHARE_LINK = "share-link"
SHARE_COPY = "share-copy"
EXPORT_CSV = "export-csv-button"
EXPORT_YAML = "export-yaml-button"
DOWNLOAD_CSV = "download-csv"
DOWNLOAD_YAML = "download-yaml"
IMPORT = "import-upload"
IMPORT_MSG = "import-message"
SWEEP_PATH = "sweep-path"
SWEEP_LOAD = "sweep-load-button"
SWEEP_MSG = "sweep-message"

# results
YEAR = "year-slider"
PLAY = "play-button"
PLAY_TIMER = "play-timer"
CARDS = "indicator-cards"
TABS = "result-tabs"
TRENDS = "trends-graph"
SANKEY = "sankey-graph"
NETWORK = "network-graph"
ADOPTION = "adoption-graph"
BUDGET = "budget-graph"
MARKET = "market-graph"
COMPARE_TABLE = "compare-table"
COMPARE_GRAPH = "compare-graph"
COMPARE_INDICATOR = "compare-indicator"

# background runs
RUNS_REPLICATIONS = "runs-replications"
RUNS_SCALE = "runs-scale"
RUNS_START = "runs-start"
RUNS_CANCEL = "runs-cancel"
RUNS_PROGRESS = "runs-progress"
RUNS_PROGRESS_TEXT = "runs-progress-text"
RUNS_MSG = "runs-message"

# pattern-matching types
LEVER_GROUP_TYPE = "lever-group"
LEVER_ON_TYPE = "lever-on"
LEVER_PARAM_TYPE = "lever-param"
LEVER_PARAMS_TYPE = "lever-params"
ASSUMPTION_TYPE = "assumption"
PRESET_TYPE = "preset"  # a starting scenario or a policy package, one click away
MENU_TYPE = "menu-action"  # an action of the phone or help menu (undo, reset, help, tour)
MENU_PRESET_TYPE = "menu-preset"  # a starting scenario or a package in the phone menu


def lever_group(pillar: str) -> dict[str, str]:
    """Container of one pillar's levers."""
    return {"type": LEVER_GROUP_TYPE, "pillar": pillar}


def lever_on(lever: str) -> dict[str, str]:
    """The on/off switch of a lever."""
    return {"type": LEVER_ON_TYPE, "lever": lever}


def lever_param(lever: str, param: str) -> dict[str, str]:
    """The control of one lever parameter."""
    return {"type": LEVER_PARAM_TYPE, "lever": lever, "param": param}


def lever_params(lever: str) -> dict[str, str]:
    """The box of a lever's parameter controls (empty while the lever is off)."""
    return {"type": LEVER_PARAMS_TYPE, "lever": lever}


def assumption(key: str) -> dict[str, str]:
    """The control of one assumption (dotted scenario path)."""
    return {"type": ASSUMPTION_TYPE, "key": key}


def card(indicator: str) -> str:
    """One indicator card (a plain id: scripts and browser tests select it as ``#card-<indicator>``)."""
    return f"card-{indicator}"


def lever_card(lever: str) -> str:
    """The card of one lever: switch, explanation and parameter controls (``#lever-<lever>``)."""
    return f"lever-{lever}"


def preset(name: str) -> dict[str, str]:
    """The button of a starting scenario (``baseline``, ``island``) or a policy package."""
    return {"type": PRESET_TYPE, "name": name}


def menu_action(action: str) -> dict[str, str]:
    """An item of the phone menu that does what the header button ``action`` does."""
    return {"type": MENU_TYPE, "action": action}


def menu_preset(name: str) -> dict[str, str]:
    """The phone menu's item of a starting scenario or a policy package."""
    return {"type": MENU_PRESET_TYPE, "name": name}


def chart_tick(tab: str) -> str:
    """Store set in the browser when the chart of a shown result tab must be drawn again."""
    return f"chart-tick-{tab}"
