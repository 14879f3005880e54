"""Running scenarios for the app: compact results, the interactive scale, uncertainty runs.

The app never keeps a :class:`sim.RunResult` between requests. A run is boiled down to a small
JSON-able dict (yearly indicators, yearly flows by edge, the graph's node kinds) that lives in
the user's browser (``dcc.Store``).

:func:`run_compact` is memoised: a pure function of (scenario, seed, scale) whose result is
returned as a fresh copy, so undo, reset and the baseline are instant without any session
seeing another's state (equal inputs give equal numbers anyway). The memo key keeps the order
of the scenario's keys: the model draws its random numbers district by district in that order,
so the same scenario in another key order is another random realisation.

:func:`replicate` runs the uncertainty band: the scenario (and the baseline, for the chance of
meeting the 2035 targets) on common draws of the uncertain parameters and seeds
(:mod:`sim.uncertainty`), at the scale chosen; the central line is the run at the parameters'
values with the default seed, the same run the cards show at the interactive scale.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim import DEFAULT_SEED, run_scenario
from sim import network as net
from sim.i18n import DEFAULT_LANG, format_number, format_percent
from sim.i18n import t as text
from sim.results import RunResult
from sim.scenario import validate_scenario
from sim.uncertainty import TARGETS, chance_of_target, make_design
from ui.logic import Card, frame
from ui.state import canonical, digest

#: Households simulated at the interactive scale (the whole city's are ~0.6 M).
INTERACTIVE_HOUSEHOLDS = 5000
#: Quantiles drawn as the uncertainty band.
BAND_QUANTILES = (0.05, 0.95)
MEMO_SIZE = 32


def city_households(scenario: dict[str, Any]) -> float:
    """Number of households of the scenario's city."""
    city = scenario["city"]
    return float(max(city["population"] / city["household_size_persons"], 1.0))


def interactive_scale(scenario: dict[str, Any], households: int = INTERACTIVE_HOUSEHOLDS) -> float:
    """Fraction of households to simulate so a run has about ``households`` of them."""
    return float(min(1.0, households / city_households(scenario)))


def _records(table: pd.DataFrame) -> dict[str, list[Any]]:
    """Columns of a table as lists, floats to 6 significant digits, NaN as None (JSON has no NaN)."""
    out = {}
    for column in table.columns:
        values = table[column].to_numpy()
        if values.dtype.kind == "f":  # on Python floats: NumPy scalars cost more per value
            out[column] = [None if v != v else float(f"{v:.6g}") for v in values.tolist()]
        else:
            out[column] = values.tolist()
    return out


def compact(result: RunResult, scenario: dict[str, Any], graph_kinds: dict[str, str]) -> dict[str, Any]:
    """The parts of a run the app shows, as plain JSON-able data.

    Returns:
        ``digest``, ``name``, ``seed``, ``scale``, ``households``, ``seconds``, ``annual``
        (``year`` and every indicator by year) and ``flows``: ``years``, ``edges``
        (source, target), ``tonnes`` (one list per year, one value per edge, summed over
        materials) and ``nodes`` (node -> kind).
    """
    annual = result.annual.reset_index()
    table = result.flows_by_year()
    table = table.loc[:, (table > 0).any()]
    summary = result.summary
    return {
        "digest": digest(scenario),
        "name": scenario.get("name", ""),
        "seed": summary.get("seed"),
        "scale": summary.get("scale"),
        "households": summary.get("households_simulated"),
        "seconds": summary.get("run_seconds"),
        "annual": _records(annual),
        "flows": {
            "digest": digest(scenario),
            "years": [int(y) for y in table.index],
            "edges": [[str(edge[0]), str(edge[1])] for edge in table.columns],
            "tonnes": [[round(float(x), 2) for x in row] for row in table.to_numpy()],
            "nodes": graph_kinds,
        },
    }


@lru_cache(maxsize=MEMO_SIZE)
def _run_json(scenario_json: str, seed: int, scale: float) -> str:
    scenario = json.loads(scenario_json)
    model_input = validate_scenario(scenario, "the app")
    result = run_scenario(model_input, seed=seed, scale=scale)
    kinds = {n: str(k) for n, k in net.build_graph(model_input).nodes(data=net.KIND)}
    return json.dumps(compact(result, scenario, kinds))


def run_compact(
    scenario: dict[str, Any], seed: int = DEFAULT_SEED, scale: float | None = None
) -> dict[str, Any]:
    """Run a scenario and return its compact result (memoised by inputs, fresh copy each call).

    Args:
        scenario: A scenario JSON dict.
        seed: Random seed.
        scale: Fraction of households; the interactive scale when None.
    """
    scale = interactive_scale(scenario) if scale is None else scale
    return json.loads(_run_json(json.dumps(canonical(scenario)), seed, scale))


def annual_frame(result: dict[str, Any] | None) -> pd.DataFrame:
    """A compact result's yearly indicators as a table indexed by year (empty if none)."""
    return frame(result.get("annual") if result else None)


def flows_frame(flows: dict[str, Any] | None) -> pd.DataFrame:
    """Compact yearly flows as a long table (``year, source, target, tonnes``)."""
    if not flows or not flows.get("edges"):
        return pd.DataFrame(columns=["year", "source", "target", "tonnes"])
    years, edges = flows["years"], flows["edges"]
    return pd.DataFrame(
        {
            "year": np.repeat(years, len(edges)),
            "source": [u for _ in years for u, _v in edges],
            "target": [v for _ in years for _u, v in edges],
            "tonnes": np.asarray(flows["tonnes"], dtype=float).ravel(),
        }
    )


def split(result: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A compact result as (everything but the flows, the flows), for two stores."""
    head = {k: v for k, v in result.items() if k != "flows"}
    return head, result["flows"]


def band(annuals: list[pd.DataFrame], quantiles: tuple[float, float] = BAND_QUANTILES) -> dict[str, Any]:
    """Low and high quantiles by year of every indicator over replications.

    Args:
        annuals: Yearly indicator tables of the replications (same years and columns).
        quantiles: The band's (low, high) quantiles.

    Returns:
        ``years``, ``n``, ``quantiles``, ``low`` and ``high`` (indicator -> values by year).
    """
    stacked = pd.concat(annuals, keys=range(len(annuals)), names=["run", "year"])
    numeric = stacked.select_dtypes("number")
    low = numeric.groupby(level="year").quantile(quantiles[0])
    high = numeric.groupby(level="year").quantile(quantiles[1])
    return {
        "years": [int(y) for y in low.index],
        "n": len(annuals),
        "quantiles": list(quantiles),
        "low": _records(low),
        "high": _records(high),
    }


def replicate(
    scenario: dict[str, Any],
    replications: int,
    scale: float,
    progress: Callable[[float, int, int], None] | None = None,
    every_steps: int = 12,
    baseline: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run a scenario on common draws of its uncertain parameters and seeds; return the band.

    Args:
        scenario: A scenario JSON dict.
        replications: Number of draws (at least 2).
        scale: Fraction of households simulated.
        progress: Called as ``progress(share_done, run, runs)`` every ``every_steps`` steps.
        every_steps: How often progress is reported.
        baseline: The comparison baseline's scenario, run on the same draws for the chance of
            meeting each 2035 target (None or the same scenario: the scenario is its own
            baseline).

    Returns:
        The band of :func:`band`, with ``digest``, ``scale``, ``households`` (simulated per
        run), ``varied`` (parameters drawn) and ``chances`` (indicator -> share of draws meeting
        its target, for the targets in the runs' years).
    """
    model_input = validate_scenario(scenario, "the app")
    inputs = [model_input]
    if baseline is not None and digest(baseline) != digest(scenario):
        inputs.append(validate_scenario(baseline, "the app"))
    design = make_design(inputs, replications, DEFAULT_SEED)
    total = len(inputs) * replications
    annuals: list[list[pd.DataFrame]] = [[] for _ in inputs]
    for i in range(total):
        which, draw = divmod(i, replications)

        def step_done(done: int, steps: int, run: int = i) -> None:
            if progress is not None and (done % every_steps == 0 or done == steps):
                progress((run + done / steps) / total, run + 1, total)

        sc = design.scenario(draw, inputs[which])
        annuals[which].append(
            run_scenario(sc, seed=design.seeds[draw], scale=scale, progress=step_done).annual
        )
    out = band(annuals[0])
    out.update(
        digest=digest(scenario),
        scale=scale,
        households=round(scale * city_households(scenario)),
        varied=design.varied(model_input),
        chances=_chances(annuals[0], annuals[-1]),
    )
    return out


def _value(annual: pd.DataFrame, year: int, indicator: str) -> float:
    """An indicator's value in a year (NaN if the run does not reach that year)."""
    return float(annual[indicator].reindex([year]).to_numpy(dtype=float)[0])


def _chances(draws: list[pd.DataFrame], baseline_draws: list[pd.DataFrame]) -> dict[str, float]:
    """Share of draws meeting each target, draw by draw against the baseline's same draw."""
    out = {}
    for target in TARGETS:
        values = [_value(a, target.year, target.indicator) for a in draws]
        reference = [_value(a, target.year, target.indicator) for a in baseline_draws]
        chance = chance_of_target(target, values, reference)
        if np.isfinite(chance):
            out[target.indicator] = chance
    return out


def intro_text(lang: str = DEFAULT_LANG) -> str:
    """What the uncertainty runs do, for the runs box."""
    return text("uncertainty.intro", lang)


def band_label(band: dict[str, Any], lang: str = DEFAULT_LANG) -> str:
    """What a band contains, for its legend: quantiles, runs, and what the runs vary."""
    low, high = (round(100 * q) for q in band["quantiles"])
    if "varied" not in band:  # a sweep's spread over its own samples
        return text("uncertainty.band.sweep", lang, low=low, high=high, n=band["n"])
    return text("uncertainty.band", lang, low=low, high=high, n=band["n"], m=band["varied"])


def band_message(band: dict[str, Any], lang: str = DEFAULT_LANG) -> str:
    """The message once a band is ready: runs, households per run and what was varied."""
    return text(
        "uncertainty.done",
        lang,
        n=band["n"],
        m=band["varied"],
        households=format_number(band["households"], lang),
        share=format_percent(band["scale"], lang, decimals=2 if band["scale"] < 0.1 else 0),
    )


def with_target_chances(
    cards: list[Card], band: dict[str, Any] | None, result: dict[str, Any] | None, lang: str = DEFAULT_LANG
) -> list[Card]:
    """The cards, those with a target with a line on the chance of meeting it (if the band is current).

    Args:
        cards: Indicator cards (:func:`ui.logic.cards`).
        band: The uncertainty band (:func:`replicate`), or None.
        result: The current result; the band counts only if it was run for the same scenario.
        lang: Language of the note.
    """
    if not band or not result or band.get("digest") != result.get("digest") or "chances" not in band:
        return cards
    out = []
    for card in cards:
        chance = band["chances"].get(card.indicator)
        target = next((t for t in TARGETS if t.indicator == card.indicator), None)
        if chance is not None and target is not None:
            key = "uncertainty.chance.assumed" if target.assumed else "uncertainty.chance"
            note = text(
                key,
                lang,
                year=target.year,
                chance=format_percent(chance, lang, 0),
                cut=format_percent(target.cut, lang, 0),
                n=band["n"],
            )
            card = replace(card, lines=(*card.lines, note))
        out.append(card)
    return out


#: Fraction of households behind each choice of the runs box (None = interactive scale).
RUN_SCALES: dict[str, float | None] = {"interactive": None, "tenth": 0.1, "full": 1.0}


def run_scale(choice: str | None, scenario: dict[str, Any]) -> float:
    """The fraction of households of a runs-box choice."""
    scale = RUN_SCALES.get(choice or "interactive")
    return interactive_scale(scenario) if scale is None else scale


#: Households of the warm-up run: enough for the serial kernels, few enough to take no time.
WARM_UP_HOUSEHOLDS = 200


def warm_up() -> float:
    """Load the model's compiled code before the first request; return the time it took [s].

    Runs one year of the default scenario with a deposit and a campaign switched on at a few
    hundred households, which goes through every compiled path a lever change can take (the
    fused household pass, the two-pass one with top-ups, the market and the ledger). On a fresh
    clone this compiles them (about 10 s once, cached on disk); afterwards it loads them in
    about a second, so no user waits for it on their first lever.
    """
    from sim.loader import default_scenario

    start = time.perf_counter()
    base = default_scenario()
    year = base.time.start_year
    scenario = base.with_overrides(
        {
            "time.end_year": year,
            "policies.deposit_return.start_year": year,
            "policies.awareness_campaign.start_year": year,
        },
        source="warm-up",
    )
    households = scenario.city.population / scenario.city.household_size_persons
    run_scenario(scenario, seed=DEFAULT_SEED, scale=WARM_UP_HOUSEHOLDS / households)
    return time.perf_counter() - start
