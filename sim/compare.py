"""Side-by-side comparison of scenarios with common random numbers.

Every scenario is run with the same seeds (``seed, seed + 1, ...``), so differences between
scenarios are not blurred by different random draws (common random numbers). The indicators and
their definitions are those of :mod:`sim.metrics`; runs go through :func:`sim.run_scenario`.

The result is a tidy table, one row per scenario, indicator and year, with the mean over
replications, a 90% interval (5th and 95th percentiles of the replications) and the difference
of the mean against the first scenario. Rates are differences in percentage points when
formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.metrics import INDICATORS
from sim.runner import DEFAULT_SEED, run_scenario
from sim.scenario import Scenario

#: Years reported by default.
COMPARE_YEARS: tuple[int, ...] = (2030, 2035, 2050)
#: Indicators reported by default (definitions in :data:`sim.metrics.INDICATORS`).
COMPARE_INDICATORS: tuple[str, ...] = (
    "generated_t",
    "collection_rate",
    "recycling_rate",
    "mismanaged_rate",
    "open_burned_t",
    "dumped_t",
    "leaked_to_water_t",
    "ghg_t_co2e",
    "ghg_net_t_co2e",
    "picker_income_usd_per_month",
)
#: Coverage of the interval reported with replications.
INTERVAL = 0.90


def compare_scenarios(
    scenarios: Sequence[Scenario],
    replications: int = 1,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    years: Sequence[int] = COMPARE_YEARS,
    indicators: Sequence[str] = COMPARE_INDICATORS,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run scenarios with common seeds and tabulate indicators against the first.

    Args:
        scenarios: Validated scenarios; the first is the reference.
        replications: Runs per scenario, with seeds ``seed .. seed + replications - 1``.
        seed: First seed.
        scale: Fraction of households simulated (0 < scale <= 1).
        years: Years to report (years outside a scenario's run are left out).
        indicators: Indicator names from :data:`sim.metrics.INDICATORS`.
        progress: Called as ``progress(runs_done, runs_total)`` after each run.

    Returns:
        Columns ``scenario, position, indicator, unit, year, mean, low, high, diff, runs``:
        ``low``/``high`` bound the 90% interval over replications (equal to ``mean`` for one
        run) and ``diff`` is ``mean`` minus the first scenario's mean.

    Raises:
        InputError: For no scenarios, fewer than one replication, a bad scale or an unknown
            indicator.
    """
    if not scenarios:
        raise InputError("compare: give at least one scenario.")
    if replications < 1:
        raise InputError(f"--replications {replications}: must be at least 1.")
    if not 0 < scale <= 1:
        raise InputError(f"--scale {scale}: must be greater than 0 and at most 1.")
    unknown = [name for name in indicators if name not in INDICATORS]
    if unknown:
        raise InputError(f"unknown indicator(s) {unknown}; known: {', '.join(sorted(INDICATORS))}.")

    seeds = [seed + i for i in range(replications)]
    total = len(scenarios) * len(seeds)
    rows = []
    done = 0
    for position, sc in enumerate(scenarios):
        for s in seeds:
            annual = run_scenario(sc, seed=s, scale=scale).annual
            for year in years:
                if year not in annual.index:
                    continue
                for name in indicators:
                    rows.append((sc.name, position, name, year, s, annual.at[year, name]))
            done += 1
            if progress is not None:
                progress(done, total)
    runs = pd.DataFrame(rows, columns=["scenario", "position", "indicator", "year", "seed", "value"])
    return summarise(runs)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, 90% interval and difference against the first scenario, from one row per run."""
    tail = (1.0 - INTERVAL) / 2.0
    keys = ["position", "scenario", "indicator", "year"]
    grouped = runs.groupby(keys, sort=False)["value"]
    table = grouped.agg(
        mean="mean",
        low=lambda v: np.nanquantile(v, tail) if v.notna().any() else np.nan,
        high=lambda v: np.nanquantile(v, 1.0 - tail) if v.notna().any() else np.nan,
        runs="count",
    ).reset_index()
    first = table[table["position"] == 0].set_index(["indicator", "year"])["mean"]
    reference = table.set_index(["indicator", "year"]).index.map(first.to_dict().get)
    table["diff"] = table["mean"] - np.asarray(reference, dtype=float)
    table.insert(3, "unit", table["indicator"].map(lambda n: INDICATORS[n].unit))
    return table[["scenario", "position", "indicator", "unit", "year", "mean", "low", "high", "diff", "runs"]]


def format_value(unit: str, value: float, signed: bool = False) -> str:
    """A value for display: rates in %, differences of rates in percentage points."""
    if value is None or not np.isfinite(value):
        return "-"
    if unit == "fraction":
        value = 100 * value
        if signed:
            return "0 pp" if round(value, 1) == 0 else f"{value:+.1f} pp"
        return f"{value:.1f} %"
    decimals = 0 if abs(value) >= 100 else 2
    if round(value, decimals) == 0:
        return "0"
    return f"{value:{'+' if signed else ''},.{decimals}f}"


def cell(row: pd.Series, with_interval: bool, with_diff: bool) -> str:
    """Text of one table cell: mean (with the 90% interval's half-width), then the difference."""
    text = format_value(row["unit"], row["mean"])
    if with_interval and np.isfinite(row["low"]) and np.isfinite(row["high"]):
        half = (row["high"] - row["low"]) / 2
        text += f" ±{format_value(row['unit'], half).removesuffix(' %')}"
    if with_diff:
        text += f"\n({format_value(row['unit'], row['diff'], signed=True)})"
    return text
