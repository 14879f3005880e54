"""Side-by-side comparison of scenarios with common random numbers, and its uncertainty.

Every scenario is run with the same seeds (``seed, seed + 1, ...``), so differences between
scenarios are not blurred by different random draws (common random numbers). The indicators and
their definitions are those of :mod:`sim.metrics`; runs go through the batch runner
(:func:`sim.batch.runner.run_task`, one task per run), in this process or on a local pool.

The result is a tidy table, one row per scenario, indicator and year, with the mean over
replications, a 90% interval (5th and 95th percentiles of the replications) and the difference
of the mean against the first scenario. Rates are differences in percentage points when
formatted.

With ``uncertainty=N``, every scenario is also run on the ``N`` common draws of
:mod:`sim.uncertainty` (labelled assumptions, fitted behaviour replicates and seeds), which add
the 5-95 % interval of every value and of every difference against the first scenario (taken
draw by draw), and the chance of meeting each 2035 target of :data:`sim.uncertainty.TARGETS`,
read against the first scenario as business as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.runner import InlineExecutor, Task, TaskResult, local_pool, run_task
from sim.errors import InputError
from sim.metrics import INDICATORS
from sim.scenario import Scenario
from sim.seeds import DEFAULT_SEED
from sim.uncertainty import TARGETS, Design, chance_of_target, interval, make_design, target_for

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
    uncertainty: int = 0,
    workers: int | None = None,
    design: Design | None = None,
) -> pd.DataFrame:
    """Run scenarios with common seeds and tabulate indicators against the first.

    Args:
        scenarios: Validated scenarios; the first is the reference.
        replications: Runs per scenario, with seeds ``seed .. seed + replications - 1``.
        seed: First seed; also the seed of the uncertainty design.
        scale: Fraction of households simulated (0 < scale <= 1).
        years: Years to report (years outside a scenario's run are left out).
        indicators: Indicator names from :data:`sim.metrics.INDICATORS`.
        progress: Called as ``progress(runs_done, runs_total)`` after each run.
        uncertainty: Number of common draws of the uncertain inputs (0: none, else at least 2).
        workers: Local processes running the runs (default 1: this process).
        design: The draws to use instead of ``make_design(scenarios, uncertainty, seed)``.

    Returns:
        Columns ``scenario, position, indicator, unit, year, mean, low, high, diff, runs``:
        ``low``/``high`` bound the 90% interval over replications (equal to ``mean`` for one
        run) and ``diff`` is ``mean`` minus the first scenario's mean. With uncertainty, also
        ``p05, p95`` (5-95 % over the draws), ``diff_p05, diff_p95`` (of the difference against
        the first scenario, draw by draw), ``draws``, ``varied`` (parameters drawn for the
        scenario) and ``p_target`` (share of draws meeting the indicator's target in its year,
        against the first scenario; empty elsewhere).

    Raises:
        InputError: For no scenarios, fewer than one replication, a bad scale, an unknown
            indicator, a bad number of draws or workers, or a run that fails.
    """
    _check_arguments(scenarios, replications, scale, indicators, uncertainty, workers)
    seeds = [seed + i for i in range(replications)]
    central = [
        _task(position, rep, s, sc, {}, scale, indicators, years)
        for position, sc in enumerate(scenarios)
        for rep, s in enumerate(seeds)
    ]
    draws: list[Task] = []
    if uncertainty:
        design = design or make_design(scenarios, uncertainty, seed)
        draws = [
            _task(position, k, design.seeds[k], sc, design.overrides(k, sc), scale, indicators, years)
            for position, sc in enumerate(scenarios)
            for k in range(design.draws)
        ]
    results = _run_all(central + draws, workers, progress)
    names = [sc.name for sc in scenarios]
    table = summarise(_long(results[: len(central)], names, "seed"))
    if design is None or not draws:
        return table
    spread = summarise_draws(_long(results[len(central) :], names, "draw"))
    spread["varied"] = spread["position"].map(lambda p: design.varied(scenarios[p]))
    return table.merge(spread, on=["position", "indicator", "year"], how="left")


def _check_arguments(
    scenarios: Sequence[Scenario],
    replications: int,
    scale: float,
    indicators: Sequence[str],
    uncertainty: int,
    workers: int | None,
) -> None:
    if not scenarios:
        raise InputError("compare: give at least one scenario.")
    if replications < 1:
        raise InputError(f"--replications {replications}: must be at least 1.")
    if not 0 < scale <= 1:
        raise InputError(f"--scale {scale}: must be greater than 0 and at most 1.")
    unknown = [name for name in indicators if name not in INDICATORS]
    if unknown:
        raise InputError(f"unknown indicator(s) {unknown}; known: {', '.join(sorted(INDICATORS))}.")
    if uncertainty < 0 or uncertainty == 1:
        raise InputError(f"--uncertainty {uncertainty}: give 0 (none) or at least 2 draws.")
    if workers is not None and workers < 1:
        raise InputError(f"--workers {workers}: must be at least 1.")


def _task(
    position: int,
    index: int,
    seed: int,
    scenario: Scenario,
    overrides: dict[str, Any],
    scale: float,
    indicators: Sequence[str],
    years: Sequence[int],
) -> Task:
    """One run: ``sample`` is the scenario's position, ``rep`` the replication or the draw."""
    return Task(position, index, seed, scenario, overrides, scale, tuple(indicators), tuple(years))


def _run_all(
    todo: list[Task], workers: int | None, progress: Callable[[int, int], None] | None
) -> list[TaskResult]:
    """Run every task, in order, in this process or on a local pool of ``workers`` processes."""
    pool = InlineExecutor() if (workers or 1) == 1 else local_pool(min(workers or 1, len(todo)))
    results = []
    try:
        for result in pool.map(run_task, todo):
            if result.error is not None:
                t = result.task
                raise InputError(
                    f"compare: scenario {t.sample + 1}, run {t.rep} (seed {t.seed}) failed: {result.error}"
                )
            results.append(result)
            if progress is not None:
                progress(len(results), len(todo))
    except BrokenExecutor as exc:
        raise InputError(
            f"compare: a worker process stopped before its runs were done ({exc}); "
            "run again, or with --workers 1."
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def _long(results: list[TaskResult], names: list[str], run: str) -> pd.DataFrame:
    """One row per run, indicator and year: ``scenario, position, indicator, year, <run>, value``."""
    parts = []
    for result in results:
        table = result.table
        assert table is not None
        values = table.drop(columns="seed").melt(id_vars="year", var_name="indicator", value_name="value")
        values.insert(0, "position", result.task.sample)
        values.insert(0, "scenario", names[result.task.sample])
        values[run] = result.task.seed if run == "seed" else result.task.rep
        parts.append(values)
    columns = ["scenario", "position", "indicator", "year", run, "value"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


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


def summarise_draws(draws: pd.DataFrame) -> pd.DataFrame:
    """Intervals over common draws, of values and of differences against the first scenario.

    Args:
        draws: One row per draw: ``position, indicator, year, draw, value``.

    Returns:
        ``position, indicator, year, p05, p95, diff_p05, diff_p95, draws, p_target``.
    """
    reference = draws[draws["position"] == 0].set_index(["indicator", "year", "draw"])["value"]
    paired = draws.join(reference.rename("reference"), on=["indicator", "year", "draw"])
    rows = []
    for (position, indicator, year), part in paired.groupby(["position", "indicator", "year"], sort=False):
        low, high = interval(part["value"])
        diff_low, diff_high = interval(part["value"] - part["reference"])
        target = target_for(str(indicator))
        chance = float("nan")
        if target is not None and target.year == year and position != 0:
            chance = chance_of_target(target, part["value"], part["reference"])
        rows.append(
            (position, indicator, year, low, high, diff_low, diff_high, part["value"].notna().sum(), chance)
        )
    columns = ["position", "indicator", "year", "p05", "p95", "diff_p05", "diff_p95", "draws", "p_target"]
    return pd.DataFrame(rows, columns=columns)


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


def _bracket(unit: str, low: float, high: float, signed: bool = False) -> str:
    """An interval as ``[low, high]`` (rates in % or pp, without repeating the unit)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    texts = [format_value(unit, v, signed).removesuffix(" %").removesuffix(" pp") for v in (low, high)]
    return f" [{texts[0]}, {texts[1]}]"


def cell(row: pd.Series, with_interval: bool, with_diff: bool) -> str:
    """Text of one table cell: mean (with the 90% interval's half-width), then the difference.

    With uncertainty columns (``p05`` ...), the 5-95 % interval over the draws follows the
    value and the difference in brackets: ``72.4 % [70.1, 74.0]``.
    """
    text = format_value(row["unit"], row["mean"])
    if with_interval and np.isfinite(row["low"]) and np.isfinite(row["high"]):
        half = (row["high"] - row["low"]) / 2
        text += f" ±{format_value(row['unit'], half).removesuffix(' %')}"
    if "p05" in row:
        text += _bracket(row["unit"], row["p05"], row["p95"])
    if with_diff:
        text += f"\n({format_value(row['unit'], row['diff'], signed=True)}"
        if "diff_p05" in row:
            text += _bracket(row["unit"], row["diff_p05"], row["diff_p95"], signed=True)
        text += ")"
    return text


def uncertainty_notes(table: pd.DataFrame) -> list[str]:
    """What the intervals of a comparison contain, and the chance of meeting each target.

    Args:
        table: A table of :func:`compare_scenarios` (no lines without uncertainty columns).

    Returns:
        Lines of text: the meaning of the brackets, then one line per target in the table.
    """
    if "p05" not in table.columns:
        return []
    by_scenario = table.groupby("position", sort=True).agg(
        name=("scenario", "first"), varied=("varied", "max")
    )
    draws = int(table["draws"].max())
    varied = ", ".join(
        f"{int(p) + 1}: {int(v)}"
        for p, v in zip(by_scenario.index, by_scenario["varied"].to_numpy(), strict=True)
    )
    lines = [
        f"[low, high]: 5-95 % over {draws} common draws of the uncertain parameters and seeds "
        f"(parameters drawn per scenario: {varied}); differences are taken draw by draw."
    ]
    for target in TARGETS:
        rows = table[(table["indicator"] == target.indicator) & (table["year"] == target.year)]
        rows = rows[rows["position"] > 0].sort_values("position")
        if rows.empty:
            continue
        label = INDICATORS[target.indicator].label
        columns = (rows[c].to_numpy() for c in ("position", "scenario", "p_target"))
        chances = ", ".join(
            f"{int(p) + 1}. {name}: {100 * chance:.0f} %" for p, name, chance in zip(*columns, strict=True)
        )
        kind = "assumed target, no official one found" if target.assumed else "target"
        lines.append(
            f"Chance of meeting the {target.year} {kind} ({label} {100 * target.cut:.0f} % below "
            f"scenario 1): {chances}."
        )
    return lines
