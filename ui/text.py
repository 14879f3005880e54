"""Every user-facing string of the web app, keyed by id, English first.

Layout and callbacks never hold literal text: they call :func:`t` with a key. To add a language,
add a mapping under its code in :data:`TEXT` with the same keys; missing keys fall back to
English. Lever and indicator names, units and explanations are not here: they are defined once
in :mod:`sim.policies` and :mod:`sim.metrics` and read from there (a translation may still
override them with keys ``lever.<id>.label``, ``indicator.<name>.label`` and so on).
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # header and shell
        "app.title": "Plastic waste policy simulator",
        "app.page_title": "Plastic waste policy simulator",
        "action.undo": "Undo",
        "action.reset": "Reset",
        "action.island": "Island workshop",
        "action.phnom_penh": "Phnom Penh",
        "action.island.missing": "The island scenario file is not available.",
        "action.presenter": "Presenter mode",
        "status.updated": "Updated in {seconds:.2f} s · {households:,} households simulated · seed {seed}",
        "status.error": "Something went wrong: {error}",
        "error.title": "That did not work",
        "badge.changes": "{name} · {n} changes",
        "badge.change": "{name} · 1 change",
        # side panel
        "panel.policies": "Policies",
        "panel.assumptions": "Assumptions",
        "panel.scenarios": "Scenarios",
        "panel.policies.intro": "Policy levers, grouped by pillar. Switch a lever on to see and move its "
        "settings; hover (i) for what it does and the evidence behind it.",
        "panel.assumptions.intro": "Assumptions are not policies: they describe the city, prices and "
        "behaviour. Each slider spans the plausible range given in data/parameters.csv.",
        "panel.no_levers": "No levers in this pillar yet.",
        "pillar.circular_economy": "Circular economy",
        "pillar.pollution_control": "Pollution control",
        "pillar.climate": "Climate",
        "lever.evidence": "Evidence",
        "assumption.source": "Source",
        "assumption.range": "Plausible range {low} to {high} {unit}",
        "section.city": "City and growth",
        "section.behaviour": "Household behaviour",
        "section.collection": "Collection service",
        "section.informal": "Informal sector",
        "section.aggregation": "Junk shops and sorting",
        "section.landfill": "Landfill",
        "section.leakage": "Leakage to water",
        "section.emissions": "Emission factors",
        "section.logistics": "Logistics",
        "section.prices": "Secondary-material prices",
        "param.start_year": "Start year",
        "param.ramp_years": "Years to full strength",
        "unit.start_year": "year",
        "unit.ramp_years": "years",
        # scenarios panel
        "scenario.name": "Scenario name",
        "scenario.name.placeholder": "e.g. Levy and deposit 2028",
        "scenario.save": "Save",
        "scenario.saved": "Saved “{name}”.",
        "scenario.name.missing": "Give the scenario a name first.",
        "scenario.saved_list": "Saved scenarios (kept in this browser)",
        "scenario.open": "Open",
        "scenario.delete": "Delete",
        "scenario.none_saved": "No saved scenarios yet.",
        "scenario.compare": "Compare (up to four)",
        "scenario.baseline": "Baseline for comparison",
        "scenario.baseline.start": "Starting scenario ({name})",
        "scenario.share": "Shareable link (every lever is in it)",
        "scenario.copy": "Copy",
        "scenario.export_csv": "Download results (CSV)",
        "scenario.export_yaml": "Download scenario (YAML)",
        "scenario.import": "Drop a scenario YAML here, or click to choose one",
        "scenario.imported": "Imported “{name}”.",
        "scenario.sweep": "Open a finished sweep (results folder)",
        "scenario.sweep.load": "Load sweep",
        "scenario.sweep.loaded": "Loaded {runs} runs from {path}.",
        "link.restored": "Scenario restored from the link.",
        "source.link": "the link",
        "source.upload": "uploaded file",
        "source.saved": "saved scenario",
        "sweep.outside": "{path}: only folders inside the project can be opened.",
        "sweep.empty": "{path}: the sweep has no finished runs yet.",
        "link.bad": "The link could not be read, so nothing changed: {error}",
        "import.bad": "This file was not imported, nothing changed. {error}",
        "import.too_big": "The file is larger than {limit} kB; a scenario file is much smaller.",
        "import.not_text": "The file is not UTF-8 text.",
        "import.not_yaml": "Not valid YAML{where}: {problem}.",
        "import.not_mapping": "A scenario file must be a mapping of fields, got {kind}.",
        "import.extends": "It extends '{parent}', which is not in scenarios/.",
        "import.replace": "Field 'replace' = {value}: must be a list of top-level sections ({allowed}).",
        "lever.invalid": "That setting is not allowed, so it was not applied. {error}",
        "undo.empty": "Nothing to undo.",
        # results
        "year.label": "Year shown",
        "play.start": "▶ Play",
        "play.stop": "❚❚ Pause",
        "tab.trends": "Trends",
        "tab.flows": "Flows (Sankey)",
        "tab.network": "Network",
        "tab.households": "Households",
        "tab.compare": "Compare",
        "card.vs_baseline": "vs baseline",
        "card.baseline_value": "Baseline {value}",
        "card.no_baseline": "baseline pending",
        "card.recycling.full": "Recyclers run at capacity: more recycling needs new capacity (New facilities lever).",
        "card.ghg.title": "GHG vs baseline",
        "card.ghg.target": "Target −55 % by 2035",
        "card.ghg.progress": "{share:.0f} % of the way to the 2035 target",
        "series.current": "This scenario",
        "series.baseline": "Baseline",
        "series.band": "{low}–{high} % of {n} runs",
        "series.target": "−55 % target",
        "figure.sankey.title": "Where plastic went in {year}",
        "figure.network.title": "Material-flow network in {year} (edge width = tonnes)",
        "figure.adoption.title": "Households over time",
        "figure.adoption.axis": "% of households",
        "figure.compare.title": "{indicator} by scenario",
        "figure.empty": "Waiting for results…",
        "compare.indicator": "Indicator for the lines",
        "compare.column.indicator": "Indicator ({year})",
        "compare.pick": "Save scenarios, then pick up to four to compare here.",
        "runs.title": "Uncertainty and full-scale runs",
        "runs.intro": "Replications repeat this scenario with different random seeds and draw the 5–95 % "
        "band. They run in the background; you can keep working.",
        "runs.replications": "Replications",
        "runs.scale": "Households simulated",
        "runs.scale.interactive": "Interactive",
        "runs.scale.tenth": "10 %",
        "runs.scale.full": "All",
        "runs.start": "Run",
        "runs.cancel": "Cancel",
        "runs.progress": "Run {run} of {runs}",
        "runs.done": "Band from {n} runs at {scale} of households.",
        # nodes of the flow graph
        "node.consumption": "Products used",
        "node.households": "Households",
        "node.formal_collection": "Formal collection",
        "node.itinerant_buyers": "Itinerant buyers",
        "node.street_pickers": "Street pickers",
        "node.dump_pickers": "Landfill pickers",
        "node.deposit_points": "Deposit points",
        "node.aggregators": "Junk shops",
        "node.open_burning": "Open burning",
        "node.dumped_on_land": "Dumped on land",
        "node.waterways": "Waterways",
        "node.export": "Export",
        "node.secondary_market": "Recycled material",
        "node.landfill": "Landfill",
        "node.incinerator": "Incinerator",
        "node.recycler": "Recycler",
        "node.mrf": "Sorting plant",
    }
}
DEFAULT_LANGUAGE = "en"


def t(key: str, lang: str = DEFAULT_LANGUAGE, default: str | None = None, **values: object) -> str:
    """The text of ``key`` in ``lang`` (English if missing), formatted with ``values``.

    Args:
        key: Text id, e.g. ``"action.undo"``.
        lang: Language code.
        default: Returned (formatted) when no language has ``key``; else the key itself.
        **values: Fields of the text's ``str.format`` placeholders.
    """
    text = TEXT.get(lang, {}).get(key) or TEXT[DEFAULT_LANGUAGE].get(key)
    if text is None:
        text = key if default is None else default
    return text.format(**values) if values else text


def has_text(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    """Whether ``key`` has a text in ``lang`` or in English."""
    return key in TEXT.get(lang, {}) or key in TEXT[DEFAULT_LANGUAGE]
