"""Per-user scenario state as plain data, and the pure functions that change it.

A scenario travels between browser and server as its validated JSON dump (a dict). Everything
here takes and returns such dicts, so the browser's ``dcc.Store`` is the only place a user's
state lives. Links, YAML export and import, undo history and saved scenarios are all functions
of these dicts and are unit-tested without a browser.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import yaml

from sim.errors import ScenarioError
from sim.io import default_inputs
from sim.loader import MAX_FILE_BYTES, load_scenario, load_scenario_text
from sim.mapping import flatten, get_path, set_path
from sim.scenario import validate_scenario
from ui.text import t

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
#: Scenarios the app can start from, by preset id (each becomes the baseline).
PRESETS: dict[str, str] = {"baseline": "phnom_penh_baseline.yaml", "island": "island_workshop.yaml"}
DEFAULT_PRESET = "baseline"
#: Policy packages, opened over the Phnom Penh baseline in one click (the baseline stays).
PACKAGES: dict[str, str] = {
    "moc_circular_economy": "moc_circular_economy.yaml",
    "moc_pollution_control": "moc_pollution_control.yaml",
    "moc_climate": "moc_climate.yaml",
    "system_change": "system_change.yaml",
    "japan_like": "japan_like.yaml",
}
#: Query keys of a link that are not scenario fields: the preset it is relative to, the year
#: shown, the language, the scenario's name and the compared scenarios (``compare.<i>...``).
BASE_KEY = "base"
YEAR_KEY = "year"
LANG_KEY = "lang"
NAME_KEY = "name"
COMPARE_KEY = "compare"
#: Longest file name of an export (without extension).
MAX_FILE_STEM = 80
HISTORY_LIMIT = 20
MAX_SAVED = 20
MAX_IMPORT_BYTES = MAX_FILE_BYTES
#: Fields that name a scenario rather than change what it does.
LABEL_FIELDS = ("name", "description")


# --------------------------------------------------------------------------- scenarios


def preset_path(preset: str, scenarios_dir: Path = SCENARIOS_DIR) -> Path:
    """Path of a preset's scenario file."""
    return scenarios_dir / PRESETS[preset]


def preset_available(preset: str, scenarios_dir: Path = SCENARIOS_DIR) -> bool:
    """Whether a preset's file exists (the island scenario may not be there yet)."""
    return preset in PRESETS and preset_path(preset, scenarios_dir).is_file()


def load_preset(preset: str, scenarios_dir: Path = SCENARIOS_DIR) -> dict[str, Any]:
    """A preset scenario as a JSON dict.

    Raises:
        ScenarioError: If the preset is unknown or its file is missing or invalid.
    """
    if preset not in PRESETS:
        raise ScenarioError(f"unknown scenario preset {preset!r}; known: {sorted(PRESETS)}")
    return load_scenario(preset_path(preset, scenarios_dir)).model_dump(mode="json")


def package_available(package: str, scenarios_dir: Path = SCENARIOS_DIR) -> bool:
    """Whether a policy package's file exists."""
    return package in PACKAGES and (scenarios_dir / PACKAGES[package]).is_file()


def load_package(package: str, scenarios_dir: Path = SCENARIOS_DIR) -> dict[str, Any]:
    """A policy package (a scenario over the Phnom Penh baseline) as a JSON dict.

    Raises:
        ScenarioError: If the package is unknown or its file is missing or invalid.
    """
    if package not in PACKAGES:
        raise ScenarioError(f"unknown policy package {package!r}; known: {sorted(PACKAGES)}")
    return load_scenario(scenarios_dir / PACKAGES[package]).model_dump(mode="json")


def validated(data: dict[str, Any], source: str = "the app") -> dict[str, Any]:
    """Validate a scenario dict and return its canonical JSON dump.

    Raises:
        ScenarioError: Naming the field, the value and what is allowed.
    """
    return validate_scenario(data, source).model_dump(mode="json")


def canonical(value: Any) -> Any:
    """A JSON value as the browser gives it back: whole floats as integers (JavaScript has one number).

    A scenario that went through a ``dcc.Store`` returns ``2.0`` as ``2``; without this, the
    same scenario would hash differently before and after, and undo would see a change.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def digest(scenario: dict[str, Any]) -> str:
    """Hash of everything that changes a run's numbers (not its name or description)."""
    data = canonical({k: v for k, v in scenario.items() if k not in LABEL_FIELDS})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def same_run(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Whether two scenarios give the same numbers."""
    return a is not None and b is not None and digest(a) == digest(b)


# --------------------------------------------------------------------------- controls


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def apply_controls(
    scenario: dict[str, Any],
    levers_on: dict[str, bool],
    params: dict[tuple[str, str], Any],
    assumptions: dict[str, Any],
    touched_lever: str | None = None,
) -> tuple[dict[str, Any], dict[str, bool]]:
    """The scenario the panel's controls describe (not yet validated).

    A lever switched off is ``None`` under ``policies``; a lever switched on gets the panel's
    parameters over whatever else the scenario set for it (e.g. its districts). Moving a
    parameter of a lever that is off switches it on.

    Args:
        scenario: The current scenario.
        levers_on: Switch state of each lever.
        params: Value (model units) of each (lever, parameter) control.
        assumptions: Value (model units) of each assumption, by dotted path.
        touched_lever: The lever whose parameter the user just moved, if any.

    Returns:
        The new scenario and the switch state to show.
    """
    out = copy.deepcopy(scenario)
    on = dict(levers_on)
    if touched_lever is not None:
        on[touched_lever] = True
    policies = out.setdefault("policies", {})
    for lever, is_on in on.items():
        if not is_on:
            policies[lever] = None
            continue
        current = dict(policies.get(lever) or {})
        for (lid, name), value in params.items():
            if lid == lever and value is not None:
                current[name] = value
        policies[lever] = current
    for path, value in assumptions.items():
        if value is not None and not _close(get_path(out, path), value):
            set_path(out, path, value)
    return out, on


def lever_values(scenario: dict[str, Any], lever: str) -> dict[str, Any] | None:
    """A lever's settings in a scenario, or None if it is not in force."""
    return (scenario.get("policies") or {}).get(lever)


def value_at(scenario: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of a scenario (None if absent)."""
    return get_path(scenario, path)


# --------------------------------------------------------------------------- diffs and links


def diff(current: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Leaves of ``current`` that differ from ``base``, by dotted path (labels excluded)."""
    now = {k: v for k, v in flatten(current).items() if k.split(".")[0] not in LABEL_FIELDS}
    before = flatten(base)
    return {k: v for k, v in now.items() if k not in before or not _close(before[k], v)}


def apply_diff(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each dotted path of ``changes`` set (not yet validated)."""
    out = copy.deepcopy(base)
    for path in sorted(changes, key=lambda p: p.count(".")):
        set_path(out, path, changes[path])
    return out


@dataclass(frozen=True)
class Link:
    """What a shareable link holds: a preset, the changes over it, and the view around it."""

    preset: str = DEFAULT_PRESET
    changes: dict[str, Any] = field(default_factory=dict)
    year: int | None = None
    lang: str | None = None
    name: str | None = None
    compare: tuple[tuple[str, dict[str, Any]], ...] = ()


def _pairs(changes: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    return [(f"{prefix}{path}", json.dumps(value)) for path, value in sorted(changes.items())]


def encode_link(
    scenario: dict[str, Any],
    preset: str,
    base: dict[str, Any],
    year: int | None = None,
    lang: str | None = None,
    compare: list[tuple[str, dict[str, Any]]] | None = None,
) -> str:
    """Query string (with ``?``, or empty) encoding the scenario, the year, language and comparison.

    Each changed value is one ``dotted.path=JSON`` pair, so a link is readable and can be
    edited by hand, e.g. ``?policies.collection_coverage.target_coverage=0.8``. Compared
    scenarios are written the same way under ``compare.<i>.`` after their name ``compare.<i>``.
    """
    pairs = [] if preset == DEFAULT_PRESET else [(BASE_KEY, preset)]
    if year is not None:
        pairs.append((YEAR_KEY, str(int(year))))
    if lang:
        pairs.append((LANG_KEY, lang))
    if scenario.get("name") and scenario.get("name") != base.get("name"):
        pairs.append((NAME_KEY, str(scenario["name"])))
    pairs += _pairs(diff(scenario, base))
    for i, (name, other) in enumerate(compare or [], start=1):
        pairs.append((f"{COMPARE_KEY}.{i}", name))
        pairs += _pairs(diff(other, base), f"{COMPARE_KEY}.{i}.")
    return f"?{urlencode(pairs)}" if pairs else ""


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def decode_link(query: str) -> Link:
    """What a link's query string holds.

    Raises:
        ScenarioError: If the preset is unknown or the year is not a number.
    """
    preset, changes, year, lang, name = DEFAULT_PRESET, {}, None, None, None
    names: dict[int, str] = {}
    compared: dict[int, dict[str, Any]] = {}
    for key, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        head, _, rest = key.partition(".")
        if key == BASE_KEY:
            preset = text
        elif key == YEAR_KEY:
            if not text.strip().isdigit():
                raise ScenarioError(f"the link's year {text!r} is not a year.")
            year = int(text)
        elif key == LANG_KEY:
            lang = text
        elif key == NAME_KEY:
            name = text
        elif head == COMPARE_KEY and rest.partition(".")[0].isdigit():
            index, _, path = rest.partition(".")
            if path:
                compared.setdefault(int(index), {})[path] = _value(text)
            else:
                names[int(index)] = text
        else:
            changes[key] = _value(text)
    if preset not in PRESETS:
        raise ScenarioError(f"the link names an unknown starting scenario {preset!r}.")
    compare = tuple((names[i], compared.get(i, {})) for i in sorted(names))
    return Link(preset, changes, year, lang, name, compare)


# --------------------------------------------------------------------------- YAML


def _replaced_sections(scenario: dict[str, Any], base: dict[str, Any]) -> list[str]:
    """Mapping sections of ``base`` that ``scenario`` drops entries of (e.g. other districts)."""
    return sorted(
        k
        for k, v in base.items()
        if isinstance(v, dict) and isinstance(scenario.get(k), dict) and set(v) - set(scenario[k])
    )


def scenario_yaml(scenario: dict[str, Any], name: str | None = None, description: str | None = None) -> str:
    """A scenario file listing only what differs from the defaults in ``data/``.

    Sections that drop entries of the defaults (an island's own districts instead of the 14
    khans) are written whole and listed under ``replace:``.

    Args:
        scenario: The scenario.
        name: Its name in the file (default: the scenario's own).
        description: Its description in the file (default: the scenario's own).
    """
    base = default_inputs()
    replace = _replaced_sections(scenario, base)
    changes = diff(scenario, {k: v for k, v in base.items() if k not in replace})
    body: dict[str, Any] = {"name": name or scenario.get("name", "unnamed")}
    if description or scenario.get("description"):
        body["description"] = description or scenario["description"]
    if replace:
        body["replace"] = replace
    tree: dict[str, Any] = {}
    for path in sorted(changes, key=lambda p: p.count(".")):
        if path.count(".") == 1 and path.startswith("policies.") and changes[path] is None:
            continue  # a lever that is off: nothing to write
        set_path(tree, path, changes[path])
    body.update(tree)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"# Scenario exported from the web app on {stamp}.\n"
        "# Lists only what differs from the defaults in data/; load it with\n"
        "# `python -m sim run <this file>` or import it in the app.\n"
    )
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def parse_scenario_yaml(
    text: bytes | str, filename: str, scenarios_dir: Path = SCENARIOS_DIR
) -> dict[str, Any]:
    """Read an uploaded scenario file over the defaults and validate it.

    The one loader of :mod:`sim.loader` with its limits; ``extends:`` may name only a scenario
    shipped in ``scenarios/``, by name, so an upload never makes the server open another file.

    Raises:
        ScenarioError: With a message fit to show the user (file, field, value, what is allowed).
    """
    return load_scenario_text(text, filename, scenarios_dir).model_dump(mode="json")


def changed_items(scenario: dict[str, Any], start: dict[str, Any]) -> list[str]:
    """What differs from ``start``: each lever once (``policies.<id>``), each other value by path."""
    items = {".".join(p.split(".")[:2]) if p.startswith("policies.") else p for p in diff(scenario, start)}
    return sorted(items)


def badge(
    scenario: dict[str, Any],
    reference: dict[str, Any] | None,
    baseline_name: str,
    saved: dict[str, Any] | None,
) -> str:
    """The current scenario's name and how many levers or values differ from the real baseline.

    Args:
        scenario: The current scenario.
        reference: The baseline's scenario (None while it is not known).
        baseline_name: Display name of the baseline.
        saved: Saved scenarios, whose names name equal scenarios.
    """
    name = known_name(scenario, saved) or t("badge.unnamed")
    n = len(changed_items(scenario, reference)) if reference is not None else 0
    if n == 0:
        return t("badge.same", name=name) if reference is not None else name
    key = "badge.change" if n == 1 else "badge.changes"
    return t(key, name=name, n=n, baseline=baseline_name)


def slug(name: str) -> str:
    """A file name from a scenario name: ``Levy 2028!`` -> ``levy-2028``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:MAX_FILE_STEM].strip("-") or "scenario"


@cache
def _shipped(scenarios_dir: Path = SCENARIOS_DIR) -> dict[str, tuple[str, str]]:
    """Digest -> (file stem, English name) of every preset and package in ``scenarios/`` (read once)."""
    out = {}
    for file in (*PRESETS.values(), *PACKAGES.values()):
        path = scenarios_dir / file
        try:
            scenario = load_scenario(path).model_dump(mode="json")
        except (ScenarioError, OSError):
            continue  # a missing or broken file is reported when it is opened
        out[digest(scenario)] = (path.stem, str(scenario.get("name", path.stem)))
    return out


def shipped_name(stem: str) -> str:
    """English name of a shipped preset or package, by file stem (the stem if it cannot be read)."""
    return next((english for s, english in _shipped().values() if s == stem), stem)


def display_name(name: str) -> str:
    """A scenario name in the current language (shipped scenarios are translated; others as named)."""
    stems = {english: stem for stem, english in _shipped().values()}
    return t(f"scenario.{stems[name]}.name", default=name) if name in stems else name


def known_name(scenario: dict[str, Any], saved: dict[str, Any] | None) -> str | None:
    """The name of a saved or shipped scenario that gives the same numbers, if there is one."""
    for name, entry in (saved or {}).items():
        if same_run(entry["scenario"], scenario):
            return name
    shipped = _shipped().get(digest(scenario))
    return display_name(shipped[1]) if shipped else None


def changed_levers(scenario: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Levers whose settings differ between two scenarios (switched on, off or changed)."""
    return sorted({p.split(".")[1] for p in diff(scenario, reference) if p.startswith("policies.")})


def content_name(
    scenario: dict[str, Any],
    start: dict[str, Any],
    saved: dict[str, Any] | None,
    lever_label: Callable[[str], str],
) -> str:
    """A name saying what a scenario holds: a saved or shipped scenario it equals, else its changes.

    E.g. ``Phnom Penh baseline with Deposit-return scheme, Landfill tax``.

    Args:
        scenario: The scenario to name.
        start: The starting scenario it was built from.
        saved: Saved scenarios (name -> entry); an equal one lends its name.
        lever_label: Display name of a lever id.
    """
    known = known_name(scenario, saved)
    if known:
        return known
    labels = [lever_label(lever) for lever in changed_levers(scenario, start)]
    others = [p for p in changed_items(scenario, start) if not p.startswith("policies.")]
    if others:
        labels.append(t("scenario.assumptions_changed", n=len(others)))
    base = display_name(start.get("name", ""))
    listed = (
        ", ".join(labels) if len(labels) <= 3 else t("scenario.and_more", first=labels[0], n=len(labels) - 1)
    )
    return f"{base} {t('scenario.with', levers=listed)}"


def export_stem(scenario: dict[str, Any], start: dict[str, Any], saved: dict[str, Any] | None) -> str:
    """File name (without extension) of an export, from what the scenario holds, in ASCII.

    A saved or shipped scenario it equals gives its name; otherwise the starting scenario's
    file stem, each changed lever's id, and ``assumptions`` if other values changed:
    ``phnom-penh-baseline--deposit-return-landfill-tax``.
    """
    for name, entry in (saved or {}).items():
        if same_run(entry["scenario"], scenario) and slug(name) != "scenario":
            return slug(name)
    shipped = _shipped()
    if digest(scenario) in shipped:
        return slug(shipped[digest(scenario)][0])
    base = shipped.get(digest(start), (start.get("name", "scenario"), ""))[0]
    parts = changed_levers(scenario, start)
    if any(not p.startswith("policies.") for p in changed_items(scenario, start)):
        parts.append("assumptions")
    return slug(slug(base) + "--" + "-".join(parts))


# --------------------------------------------------------------------------- history, saved


def push_history(
    history: list[dict[str, Any]] | None, scenario: dict[str, Any], limit: int = HISTORY_LIMIT
) -> list[dict[str, Any]]:
    """The undo stack with ``scenario`` on top (oldest dropped beyond ``limit``)."""
    return [*(history or []), scenario][-limit:]


def pop_history(
    history: list[dict[str, Any]] | None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The last scenario of the undo stack (None if empty) and the rest."""
    if not history:
        return None, []
    return history[-1], history[:-1]


def save_named(
    saved: dict[str, Any] | None,
    name: str,
    scenario: dict[str, Any],
    annual: dict[str, Any],
    limit: int = MAX_SAVED,
) -> dict[str, Any]:
    """Saved scenarios with ``scenario`` (and its yearly results) under ``name``.

    Saving under an existing name replaces it; beyond ``limit`` the oldest is dropped.

    Raises:
        ValueError: If the name is empty.
    """
    name = (name or "").strip()
    if not name:
        raise ValueError(t("scenario.name.missing"))
    out = {k: v for k, v in (saved or {}).items() if k != name}
    entry = {
        "scenario": {**scenario, "name": name},
        "annual": annual,
        "saved_at": datetime.now(UTC).isoformat(),
    }
    out[name] = entry
    while len(out) > limit:
        out.pop(next(iter(out)))
    return out
