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
STORE_RESULT = "store-result"  # compact result of the current scenario (without flows)
STORE_FLOWS = "store-flows"  # yearly flows by edge of the current scenario
STORE_BASELINE = "store-baseline"  # compact result of the comparison baseline
STORE_BAND = "store-band"  # replication quantiles of the current scenario
STORE_SAVED = "store-saved"  # named scenarios, in the browser's local storage
STORE_SWEEP = "store-sweep"  # a finished sweep's annual results, for comparison
STORE_PLAY = "store-play"  # year where play was paused (None while playing)
STORE_URL_SYNC = "store-url-sync"  # output of the clientside address-bar update

LOCATION = "location"
ROOT = "root"
ERROR_ALERT = "error-alert"
STATUS = "run-status"
RUN_SPINNER = "run-spinner"

# header
UNDO = "undo-button"
RESET = "reset-button"
ISLAND = "island-button"
PHNOM_PENH = "phnom-penh-button"
PRESENTER = "presenter-switch"
SCENARIO_BADGE = "scenario-badge"

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
