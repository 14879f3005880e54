"""What each user action does to the per-user state: pure functions, one per action.

Every function takes the current state (plain dicts from the browser's stores) and returns the
new state plus a message; none touches Dash. Callbacks only unpack their arguments, call one of
these and pack the result, so the behaviour of the app is tested here without a browser.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.loader import inside
from ui import controls, logic, runs, state
from ui.ids import LEVER_PARAM_TYPE
from ui.text import t


@dataclass
class ControlsOutcome:
    """Result of moving a control: the new scenario (None = unchanged) and what to show.

    On a change, the scenario before it goes on the undo stack, which stays in the browser.
    """

    scenario: dict[str, Any] | None
    switches: list[bool]
    message: str = ""


@dataclass
class Replacement:
    """Result of an action that replaces the whole scenario (None fields = unchanged)."""

    scenario: dict[str, Any] | None = None
    start: dict[str, Any] | None = None
    history: list[dict[str, Any]] | None = None
    message: str = ""
    import_message: str = ""
    ok: bool = True
    year: int | None = None  # year to show (links)
    compare: list[tuple[str, dict[str, Any]]] | None = None  # scenarios to compare (links)

    @property
    def changed(self) -> bool:
        """Whether the scenario or the starting point changed."""
        return self.scenario is not None or self.start is not None


def on_controls(
    scenario: dict[str, Any],
    switches: list[tuple[str, bool]],
    params: list[tuple[str, str, Any]],
    assumptions: list[tuple[str, Any]],
    touched: dict[str, Any] | None = None,
) -> ControlsOutcome:
    """A lever, lever parameter or assumption was moved.

    Args:
        scenario: The current scenario.
        switches: (lever, checked) of every lever switch, in panel order.
        params: (lever, parameter, displayed value) of every parameter control.
        assumptions: (dotted path, displayed value) of every assumption control.
        touched: Id of the control that changed, if known.
    """
    time = scenario["time"]
    specs = {
        (lever.id, p.key): p
        for lever in controls.lever_specs(time["start_year"], time["end_year"])
        for p in lever.params
    }
    values = {
        (lever, name): controls.from_display(specs[(lever, name)], shown)
        for lever, name, shown in params
        if (lever, name) in specs
    }
    # The assumptions' controls, only if some are on the page (their panel is rendered).
    assumption_specs = (
        {spec.key: spec for _, spec in controls.assumption_specs(scenario)} if assumptions else {}
    )
    assumption_values = {
        key: controls.from_display(assumption_specs[key], shown)
        for key, shown in assumptions
        if key in assumption_specs
    }
    touched_lever = touched.get("lever") if touched and touched.get("type") == LEVER_PARAM_TYPE else None
    candidate, on = state.apply_controls(scenario, dict(switches), values, assumption_values, touched_lever)
    shown = [on.get(lever, checked) for lever, checked in switches]
    try:
        new = state.validated(candidate)
    except InputError as exc:
        return ControlsOutcome(None, shown, t("lever.invalid", error=str(exc)))
    if state.same_run(new, scenario):
        return ControlsOutcome(None, shown)
    return ControlsOutcome(new, shown)


def on_link(query: str | None) -> Replacement:
    """The page was opened with a link: rebuild its scenario over its preset, and what it compares.

    A link with no query (or only a language) changes nothing. A bad link changes nothing and
    says why.
    """
    if not query or query == "?":
        return Replacement()
    try:
        link = state.decode_link(query)
        base = state.load_preset(link.preset)
        scenario = state.validated(state.apply_diff(base, link.changes), t("source.link"))
        if link.name:
            scenario = {**scenario, "name": link.name}
        compare = [
            (name, state.validated(state.apply_diff(base, changes), f"{t('source.link')} ({name})"))
            for name, changes in link.compare
        ]
    except InputError as exc:
        return Replacement(message=t("link.bad", error=str(exc)), ok=False)
    start = {"preset": link.preset, "scenario": base}
    if state.same_run(scenario, base) and not compare and link.year is None:
        return Replacement(start=start if link.preset != state.DEFAULT_PRESET else None)
    return Replacement(
        scenario=scenario,
        start=start,
        history=[],
        message=t("link.restored"),
        year=link.year,
        compare=compare,
    )


def on_undo(scenario: dict[str, Any], history: list[dict[str, Any]] | None) -> Replacement:
    """Go back to the scenario before the last change (any number of steps, including a reset)."""
    previous, rest = state.pop_history(history)
    if previous is None:
        return Replacement(message=t("undo.empty"), ok=False)
    return Replacement(scenario=previous, history=rest, message=t("undo.done", n=len(rest)))


def on_reset(
    scenario: dict[str, Any], start: dict[str, Any], history: list[dict[str, Any]] | None
) -> Replacement:
    """Back to the starting scenario (undoable)."""
    if state.same_run(scenario, start["scenario"]):
        return Replacement(message=t("reset.nothing"), ok=False)
    return Replacement(
        scenario=start["scenario"], history=state.push_history(history, scenario), message=t("reset.done")
    )


def on_package(
    package: str, scenario: dict[str, Any], start: dict[str, Any], history: list[dict[str, Any]] | None
) -> Replacement:
    """Open a policy package over the Phnom Penh baseline, which stays (or becomes) the baseline."""
    try:
        loaded = state.load_package(package)
        base = (
            start["scenario"]
            if start["preset"] == state.DEFAULT_PRESET
            else state.load_preset(state.DEFAULT_PRESET)
        )
    except InputError as exc:
        return Replacement(message=str(exc), ok=False)
    name = state.display_name(loaded.get("name", package))
    return Replacement(
        scenario=loaded,
        start=None
        if start["preset"] == state.DEFAULT_PRESET
        else {"preset": state.DEFAULT_PRESET, "scenario": base},
        history=state.push_history(history, scenario),
        message=t("package.opened", name=name, baseline=state.display_name(base.get("name", ""))),
    )


def on_preset(preset: str, scenario: dict[str, Any], history: list[dict[str, Any]] | None) -> Replacement:
    """Start from a preset scenario (Phnom Penh, the island); it also becomes the baseline."""
    if not state.preset_available(preset):
        return Replacement(message=t("action.island.missing"), ok=False)
    try:
        loaded = state.load_preset(preset)
    except InputError as exc:
        return Replacement(message=str(exc), ok=False)
    return Replacement(
        scenario=loaded,
        start={"preset": preset, "scenario": loaded},
        history=state.push_history(history, scenario),
        message=t("preset.opened", name=state.display_name(loaded.get("name", preset))),
    )


def decode_upload(contents: str) -> bytes:
    """The bytes of a ``dcc.Upload`` data URL.

    Raises:
        ValueError: If the contents are not a base64 data URL.
    """
    _, _, payload = contents.partition(",")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(t("import.not_text")) from None


def on_import(
    contents: str | None, filename: str | None, scenario: dict[str, Any], history: list[dict[str, Any]] | None
) -> Replacement:
    """A scenario YAML was uploaded: it becomes the current scenario, or nothing changes."""
    if not contents:
        return Replacement()
    name = filename or t("source.upload")
    try:
        loaded = state.parse_scenario_yaml(decode_upload(contents), name)
    except (InputError, ValueError) as exc:
        return Replacement(import_message=t("import.bad", error=str(exc)), ok=False)
    return Replacement(
        scenario=loaded,
        history=state.push_history(history, scenario),
        import_message=t("scenario.imported", name=loaded.get("name", name)),
    )


def on_open_saved(
    name: str | None,
    saved: dict[str, Any] | None,
    scenario: dict[str, Any],
    history: list[dict[str, Any]] | None,
) -> Replacement:
    """Open a saved scenario for editing."""
    entry = (saved or {}).get(name or "")
    if entry is None:
        return Replacement()
    try:
        opened = state.validated(entry["scenario"], name or t("source.saved"))
    except InputError as exc:
        return Replacement(message=str(exc), ok=False)
    return Replacement(scenario=opened, history=state.push_history(history, scenario))


def baseline_source(
    choice: str | None, start: dict[str, Any], saved: dict[str, Any] | None
) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
    """What the comparison baseline is: (name, scenario to run, or saved yearly results).

    The starting scenario unless a saved scenario is chosen.
    """
    entry = (saved or {}).get(choice or "")
    if entry is not None:
        return choice or "", None, entry["annual"]
    return start["scenario"].get("name", ""), start["scenario"], None


def baseline_result(
    choice: str | None, start: dict[str, Any], saved: dict[str, Any] | None, current: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The comparison baseline's yearly results, or None if ``current`` is still right.

    The starting scenario is run once per change of its inputs (not on every lever change);
    a saved scenario brings its own results.
    """
    name, scenario, annual = baseline_source(choice, start, saved)
    if annual is not None:
        entry = (saved or {})[name]["scenario"]
        key = f"saved:{name}:{state.digest(entry)}"
        if current and current.get("key") == key:
            return None
        return {"key": key, "name": name, "annual": annual, "scenario": entry}
    assert scenario is not None
    key = f"start:{state.digest(scenario)}"
    if current and current.get("key") == key:
        return None
    result = runs.run_compact(scenario)
    return {"key": key, "name": name, "annual": result["annual"], "scenario": scenario}


@dataclass
class SaveOutcome:
    """Result of Save: the new saved scenarios (None = unchanged), a message, a name to confirm."""

    saved: dict[str, Any] | None
    message: str
    confirm: str | None = None  # a saved scenario of this name exists: ask before replacing it


def on_save(
    name: str | None,
    scenario: dict[str, Any],
    result: dict[str, Any] | None,
    saved: dict[str, Any] | None,
    confirmed: bool = False,
) -> SaveOutcome:
    """Save the current scenario and its yearly results under a name.

    Saving under a name already saved asks first (``confirm``) unless ``confirmed``.
    """
    clean = (name or "").strip()
    if clean and clean in (saved or {}) and not confirmed:
        return SaveOutcome(None, "", confirm=clean)
    if result is None or result.get("digest") != state.digest(scenario):
        result = runs.run_compact(scenario)
    try:
        out = state.save_named(saved, clean, scenario, result["annual"])
    except ValueError as exc:
        return SaveOutcome(None, str(exc))
    return SaveOutcome(out, t("scenario.saved", name=clean))


def add_linked(
    compare: list[tuple[str, dict[str, Any]]], saved: dict[str, Any] | None
) -> tuple[dict[str, Any], list[str]]:
    """Saved scenarios with a link's compared scenarios added (run now), and their names.

    A compared scenario already saved with the same numbers keeps its entry; a different one
    of the same name is added as ``name (2)``.
    """
    out = dict(saved or {})
    names = []
    for name, scenario in compare:
        chosen = name
        n = 2
        while chosen in out and not state.same_run(out[chosen]["scenario"], scenario):
            chosen, n = f"{name} ({n})", n + 1
        if chosen not in out:
            out = state.save_named(out, chosen, scenario, runs.run_compact(scenario)["annual"])
        names.append(chosen)
    return out, names


def on_delete(name: str | None, saved: dict[str, Any] | None) -> dict[str, Any] | None:
    """Saved scenarios without ``name`` (None = unchanged)."""
    if not name or name not in (saved or {}):
        return None
    return {k: v for k, v in (saved or {}).items() if k != name}


@dataclass
class SavedOptions:
    """Options and values of the three saved-scenario pickers."""

    saved_data: list[str]
    saved_value: str | None
    compare_data: list[str]
    compare_value: list[str]
    baseline_data: list[dict[str, str]]
    baseline_value: str


def saved_options(
    saved: dict[str, Any] | None,
    start_name: str,
    saved_value: str | None,
    compare_value: list[str] | None,
    known: list[str] | None,
    baseline_value: str | None,
    limit: int = 4,
) -> SavedOptions:
    """The pickers after the saved scenarios changed.

    Newly saved scenarios join the comparison while there is room; deleted ones leave every
    picker; the baseline falls back to the starting scenario when its saved one is gone.
    """
    names = list(saved or {})
    new = [n for n in names if n not in (known or [])]
    compare = [n for n in (compare_value or []) if n in names]
    for n in new:
        if len(compare) < limit:
            compare.append(n)
    baseline = baseline_value if baseline_value in names else "start"
    return SavedOptions(
        names,
        saved_value if saved_value in names else (new[-1] if new else None),
        names,
        compare,
        [{"value": "start", "label": t("scenario.baseline.start", name=state.display_name(start_name))}]
        + [{"value": n, "label": n} for n in names],
        baseline,
    )


def load_sweep(path_text: str | None, root: Path) -> tuple[dict[str, Any] | None, str]:
    """A finished sweep's spread by year, for the comparison (None and a message on failure).

    Only folders inside ``root`` (the project) are read.
    """
    from sim.batch import load_sweep_results, summarise_sweep

    if not path_text:
        return None, ""
    try:
        path = inside(root, path_text, "sweep folder")
    except InputError:
        return None, t("sweep.outside", path=path_text)
    try:
        results = load_sweep_results(path)
    except (InputError, OSError) as exc:
        return None, str(exc)
    if results.empty:
        return None, t("sweep.empty", path=path_text)
    summary = summarise_sweep(results)
    wide = {q: summary.pivot(index="year", columns="indicator", values=q) for q in ("p05", "p50", "p95")}
    runs_total = int(results[["sample", "rep"]].drop_duplicates().shape[0])
    annual = wide["p50"].reset_index()
    return (
        {
            "name": f"{path.name} (median)",
            "annual": {c: annual[c].tolist() for c in annual.columns},
            "band": {
                "years": [int(y) for y in wide["p05"].index],
                "n": runs_total,
                "quantiles": [0.05, 0.95],
                "low": {c: wide["p05"][c].tolist() for c in wide["p05"].columns},
                "high": {c: wide["p95"][c].tolist() for c in wide["p95"].columns},
            },
        },
        t("scenario.sweep.loaded", runs=runs_total, path=path_text),
    )


def toggled_levers(before: dict[str, Any], after: dict[str, Any] | None) -> set[str]:
    """Levers switched on or off between two scenarios (none if ``after`` is None)."""
    if after is None:
        return set()
    old, new = before.get("policies") or {}, after.get("policies") or {}
    return {k for k in set(old) | set(new) if (old.get(k) is None) != (new.get(k) is None)}


def results_csv(
    result: dict[str, Any],
    baseline: dict[str, Any] | None,
    saved: dict[str, Any] | None,
    compare: list[str] | None,
    scenario: dict[str, Any],
    start: dict[str, Any],
) -> tuple[str, str]:
    """The CSV of this scenario, the baseline and every compared scenario, and its file name.

    The file is named after what it holds: ``plastic-sim--<this scenario>--vs--<baseline>``
    and the number of compared scenarios.
    """
    name = state.content_name(scenario, start, saved, controls.lever_label)
    tables = [(name, "current", runs.annual_frame(result))]
    if baseline:
        tables.append((state.display_name(baseline["name"]), "baseline", runs.annual_frame(baseline)))
    chosen = [n for n in compare or [] if n in (saved or {})]
    tables += [(n, "compared", runs.annual_frame((saved or {})[n])) for n in chosen]
    stem = f"plastic-sim--{state.export_stem(scenario, start, saved)}"
    if baseline:
        stem += f"--vs--{state.slug(baseline['name'])}"
    if chosen:
        stem += f"--and-{len(chosen)}-compared"
    return logic.csv_export(tables), f"{stem}.csv"


def scenario_file(
    scenario: dict[str, Any], start: dict[str, Any], saved: dict[str, Any] | None
) -> tuple[str, str]:
    """The current scenario as a YAML file named and labelled after what it holds, and its file name."""
    name = state.content_name(scenario, start, saved, controls.lever_label)
    known = state.known_name(scenario, saved)
    description = None
    if not known:
        items = [controls.lever_label(lever) for lever in state.changed_levers(scenario, start)]
        items += [p for p in state.changed_items(scenario, start) if not p.startswith("policies.")]
        description = t(
            "scenario.changes_from", base=state.display_name(start.get("name", "")), items=", ".join(items)
        )
    text = state.scenario_yaml(scenario, name, description)
    return text, f"{state.export_stem(scenario, start, saved)}.yaml"
