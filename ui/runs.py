"""Running scenarios for the app: compact results, the interactive scale, replications.

The app never keeps a :class:`sim.RunResult` between requests. A run is boiled down to a small
JSON-able dict (yearly indicators, yearly flows by edge, the graph's node kinds) that lives in
the user's browser (``dcc.Store``).

:func:`run_compact` is memoised: a pure function of (scenario, seed, scale) whose result is
returned as a fresh copy, so undo, reset and the baseline are instant without any session
seeing another's state (equal inputs give equal numbers anyway).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from sim import DEFAULT_SEED, run_scenario
from sim import network as net
from sim.results import RunResult
from sim.scenario import validate_scenario
from ui.logic import frame
from ui.state import digest

#: Households simulated at the interactive scale (the whole city's are ~0.6 M).
INTERACTIVE_HOUSEHOLDS = 5000
#: Quantiles drawn as the uncertainty band.
BAND_QUANTILES = (0.05, 0.95)
MEMO_SIZE = 32


def interactive_scale(scenario: dict[str, Any], households: int = INTERACTIVE_HOUSEHOLDS) -> float:
    """Fraction of households to simulate so a run has about ``households`` of them."""
    city = scenario["city"]
    total = city["population"] / city["household_size_persons"]
    return float(min(1.0, households / max(total, 1.0)))


def _round(value: float, digits: int = 6) -> float | None:
    """A float to ``digits`` significant digits (None for NaN: JSON has no NaN)."""
    return None if np.isnan(value) else float(f"{value:.{digits}g}")


def _records(table: pd.DataFrame) -> dict[str, list[Any]]:
    """Columns of a table as lists, floats to 6 significant digits, NaN as None."""
    out = {}
    for column in table.columns:
        values = table[column].to_numpy()
        out[column] = [_round(v) for v in values] if values.dtype.kind == "f" else values.tolist()
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
            "edges": [[str(u), str(v)] for u, v in table.columns],
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
    return json.loads(_run_json(json.dumps(scenario, sort_keys=True), seed, scale))


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
) -> dict[str, Any]:
    """Run a scenario with seeds ``DEFAULT_SEED .. + replications - 1`` and return the band.

    Args:
        scenario: A scenario JSON dict.
        replications: Number of runs (at least 2 for a band).
        scale: Fraction of households simulated.
        progress: Called as ``progress(share_done, run, runs)`` every ``every_steps`` steps.
        every_steps: How often progress is reported.
    """
    model_input = validate_scenario(scenario, "the app")
    annuals = []
    for i in range(replications):

        def step_done(done: int, total: int, run: int = i) -> None:
            if progress is not None and (done % every_steps == 0 or done == total):
                progress((run + done / total) / replications, run + 1, replications)

        annuals.append(
            run_scenario(model_input, seed=DEFAULT_SEED + i, scale=scale, progress=step_done).annual
        )
    out = band(annuals)
    out.update(digest=digest(scenario), scale=scale)
    return out


#: Fraction of households behind each choice of the runs box (None = interactive scale).
RUN_SCALES: dict[str, float | None] = {"interactive": None, "tenth": 0.1, "full": 1.0}


def run_scale(choice: str | None, scenario: dict[str, Any]) -> float:
    """The fraction of households of a runs-box choice."""
    scale = RUN_SCALES.get(choice or "interactive")
    return interactive_scale(scenario) if scale is None else scale
