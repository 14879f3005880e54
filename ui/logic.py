"""What the result panels say: indicator cards, comparison table, formatting, play.

Plain functions of tables and numbers, called by the callbacks and unit-tested on their own.
Indicator names, units and descriptions come from :data:`sim.metrics.INDICATORS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sim.metrics import INDICATORS
from ui.text import t

Tone = Literal["good", "bad", "neutral"]
Better = Literal["up", "down", "none"]

#: Cambodia's NDC 3.0 target: GHG 55 % below business as usual by 2035.
GHG_TARGET_CUT = 0.55
GHG_TARGET_YEAR = 2035
GHG_INDICATOR = "ghg_net_t_co2e"


@dataclass(frozen=True)
class CardSpec:
    """An indicator card: which indicator, which way is better, how the change is shown."""

    indicator: str
    better: Better
    delta: Literal["pp", "pct", "abs"]


#: The cards, in display order (the headline indicators).
CARDS: tuple[CardSpec, ...] = (
    CardSpec("recycling_rate", "up", "pp"),
    CardSpec("collection_rate", "up", "pp"),
    CardSpec("mismanaged_rate", "down", "pp"),
    CardSpec("leaked_to_water_t", "down", "pct"),
    CardSpec(GHG_INDICATOR, "down", "pct"),
    CardSpec("landfill_years_left", "up", "abs"),
    CardSpec("net_public_cost_usd", "down", "pct"),
    CardSpec("picker_income_usd_per_month", "up", "pct"),
)
#: Recycler utilisation from which the recycling card says capacity is what limits it.
FULL_UTILISATION = 0.95
#: Relative changes smaller than this are shown as neutral.
NEUTRAL_TOLERANCE = 0.005


@dataclass(frozen=True)
class Card:
    """What one indicator card shows."""

    indicator: str
    title: str
    value: str
    unit: str
    delta: str
    tone: Tone
    description: str
    baseline: str
    progress: float | None = None  # GHG card: share of the 2035 target reached [%]
    note: str = ""


def missing(value: Any) -> bool:
    """Whether a value is absent (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float) -> str:
    """A number rounded for reading: ``1.23 M``, ``12,345``, ``45.6``."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def label_of(indicator: str) -> str:
    """Display name of an indicator (``sim.metrics``; a translation may override it)."""
    return t(f"indicator.{indicator}.label", default=INDICATORS[indicator].label)


def description_of(indicator: str) -> str:
    """Explanation of an indicator (``sim.metrics``; a translation may override it)."""
    return t(f"indicator.{indicator}.description", default=INDICATORS[indicator].description)


def unit_of(indicator: str) -> str:
    """Display unit of an indicator (fractions as %)."""
    unit = INDICATORS[indicator].unit if indicator in INDICATORS else ""
    return "%" if unit == "fraction" else unit


def indicator_label(indicator: str) -> str:
    """An indicator's name with its display unit, e.g. ``Recycling rate [%]``."""
    return f"{label_of(indicator)} [{unit_of(indicator)}]"


def format_parts(indicator: str, value: Any) -> tuple[str, str]:
    """An indicator value as (number, unit), e.g. ``("12.3", "%")`` or ``("4,560", "t")``."""
    if missing(value):
        return "–", ""
    unit = unit_of(indicator)
    if unit == "%":
        return f"{100 * value:.1f}", "%"
    return fmt_number(value), unit


def format_value(indicator: str, value: Any) -> str:
    """An indicator value with its unit, e.g. ``12.3 %``, ``4,560 t`` or ``USD 1.20 M``."""
    number, unit = format_parts(indicator, value)
    if unit == "USD":
        return f"USD {number}"
    return f"{number} {unit}".strip()


def change(value: Any, reference: Any, mode: str) -> float | None:
    """Change of ``value`` against ``reference``: points (pp), percent (pct) or absolute."""
    if missing(value) or missing(reference):
        return None
    if mode == "pp":
        return 100 * (value - reference)
    if mode == "pct":
        return None if reference == 0 else 100 * (value - reference) / abs(reference)
    return value - reference


def format_change(delta: float | None, mode: str, indicator: str) -> str:
    """A change with its sign and unit: ``+1.2 pp``, ``−8 %``, ``+2.5 years``."""
    if delta is None:
        return "–"
    size = abs(delta)
    if mode == "pp":
        text = f"{size:.1f} pp"
    elif mode == "pct":
        text = f"{size:.0f} %" if size >= 10 else f"{size:.1f} %"
    else:
        text = f"{fmt_number(size)} {unit_of(indicator)}".strip()
    if not any(ch in "123456789" for ch in text.split(" ")[0]):
        return f"±{text}"  # rounds to zero
    return ("+" if delta > 0 else "−") + text


def tone(delta: float | None, better: Better, mode: str) -> Tone:
    """Whether a change is good or bad news (neutral when tiny or direction-free)."""
    if delta is None or better == "none":
        return "neutral"
    threshold = 100 * NEUTRAL_TOLERANCE if mode in ("pp", "pct") else 1e-9
    if abs(delta) <= threshold:
        return "neutral"
    return "good" if (delta > 0) == (better == "up") else "bad"


def at(table: pd.DataFrame, year: int, column: str) -> Any:
    """A table's value in a year (None when absent)."""
    if table.empty or column not in table.columns or year not in table.index:
        return None
    value = table.at[year, column]
    return None if missing(value) else float(value)


def ghg_progress(current: pd.DataFrame, baseline: pd.DataFrame) -> float | None:
    """Share [%] of the 55 %-below-baseline cut reached in 2035 (0 to 100)."""
    cut = change(
        at(current, GHG_TARGET_YEAR, GHG_INDICATOR), at(baseline, GHG_TARGET_YEAR, GHG_INDICATOR), "pct"
    )
    if cut is None:
        return None
    return max(0.0, min(100.0, -cut / (100 * GHG_TARGET_CUT) * 100))


def cards(current: pd.DataFrame, baseline: pd.DataFrame, year: int) -> list[Card]:
    """The indicator cards for one year, each with its change against the baseline.

    Args:
        current: Yearly indicators of the current scenario (indexed by year).
        baseline: Yearly indicators of the comparison baseline (may be empty while it runs).
        year: The year shown.
    """
    out = []
    for spec in CARDS:
        value = at(current, year, spec.indicator)
        reference = at(baseline, year, spec.indicator)
        delta = change(value, reference, spec.delta)
        baseline_text = (
            t("card.baseline_value", value=format_value(spec.indicator, reference))
            if reference is not None
            else t("card.no_baseline")
        )
        title, progress, note = label_of(spec.indicator), None, ""
        shown, unit = format_parts(spec.indicator, value)
        delta_text = format_change(delta, spec.delta, spec.indicator)
        if spec.indicator == GHG_INDICATOR:
            title, shown, unit = t("card.ghg.title"), format_change(delta, "pct", spec.indicator), ""
            progress = ghg_progress(current, baseline)
            delta_text, note = t("card.ghg.target"), t("card.ghg.progress", share=progress or 0.0)
            baseline_text = f"{format_value(spec.indicator, value)} · {baseline_text}"
        if spec.indicator == "recycling_rate":
            utilisation = at(current, year, "recycler_utilisation")
            if utilisation is not None and utilisation >= FULL_UTILISATION:
                note = t("card.recycling.full")
        out.append(
            Card(
                spec.indicator,
                title,
                shown,
                unit,
                delta_text,
                tone(delta, spec.better, spec.delta),
                description_of(spec.indicator),
                baseline_text,
                progress,
                note,
            )
        )
    return out


def comparison_rows(
    columns: list[tuple[str, pd.DataFrame]], baseline: tuple[str, pd.DataFrame], year: int
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the side-by-side table: each card indicator in ``year``.

    Args:
        columns: (name, yearly indicators) of each scenario compared.
        baseline: (name, yearly indicators) of the baseline, shown first.
        year: The year compared.

    Returns:
        Header (indicator, baseline, scenarios) and one row per card indicator; scenario cells
        carry their change against the baseline in brackets.
    """
    base_name, base_table = baseline
    header = [t("compare.column.indicator", year=year), base_name, *(name for name, _ in columns)]
    rows = []
    for spec in CARDS:
        reference = at(base_table, year, spec.indicator)
        row = [indicator_label(spec.indicator)]
        row.append(format_value(spec.indicator, reference))
        for _, table in columns:
            value = at(table, year, spec.indicator)
            delta = change(value, reference, spec.delta)
            text = format_value(spec.indicator, value)
            row.append(
                text if delta is None else f"{text} ({format_change(delta, spec.delta, spec.indicator)})"
            )
        rows.append(row)
    return header, rows


def frame(annual: dict[str, list[Any]] | None) -> pd.DataFrame:
    """Yearly indicators stored as columns (``year`` and one list per indicator) as a table."""
    if not annual or "year" not in annual:
        return pd.DataFrame()
    return pd.DataFrame(annual).set_index("year")


def comparison_columns(
    result: dict[str, Any] | None,
    saved: dict[str, Any] | None,
    chosen: list[str] | None,
    sweep: dict[str, Any] | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    """The scenarios of the comparison: this scenario, the chosen saved ones, a loaded sweep."""
    out = []
    if result:
        out.append((t("series.current"), frame(result.get("annual"))))
    for name in chosen or []:
        if name in (saved or {}):
            out.append((name, frame(saved[name]["annual"])))
    if sweep:
        out.append((sweep["name"], frame(sweep["annual"])))
    return out


def adoption_columns(table: pd.DataFrame) -> list[str]:
    """The household-adoption indicators present in a table, in catalogue order."""
    wanted = [
        name
        for name in INDICATORS
        if name.startswith("households_separating_") or name == "households_using_formal_share"
    ]
    return [c for c in wanted if c in table.columns]


def year_bounds(table: pd.DataFrame) -> tuple[int, int] | None:
    """First and last year of a yearly table."""
    if table.empty:
        return None
    return int(table.index.min()), int(table.index.max())


def clamp_year(year: int | None, bounds: tuple[int, int], default: int = GHG_TARGET_YEAR) -> int:
    """A year within bounds (``default`` when unset)."""
    first, last = bounds
    year = default if year is None else int(year)
    return max(first, min(last, year))


def toggle_play(
    playing: bool, year: int, bounds: tuple[int, int], paused_at: int | None = None
) -> tuple[bool, int]:
    """Start or stop playing.

    Play starts from the first year, or resumes where it was paused if the year shown has not
    been moved since (and the end is not reached).

    Returns:
        Whether it now plays and the year to show.
    """
    first, last = bounds
    if playing:
        return False, year
    resume = paused_at is not None and paused_at == year and year < last
    return True, year if resume else first


def play_tick(year: int, bounds: tuple[int, int]) -> tuple[bool, int]:
    """One tick of play: the next year, and whether to keep playing after it."""
    first, last = bounds
    nxt = min(last, max(first, int(year) + 1))
    return nxt < last, nxt


def csv_export(tables: list[tuple[str, pd.DataFrame]]) -> str:
    """Yearly indicators of several runs as one CSV (``scenario, year, indicators…``)."""
    frames = [table.reset_index().assign(scenario=name) for name, table in tables if not table.empty]
    if not frames:
        return ""
    out = pd.concat(frames, ignore_index=True)
    columns = ["scenario", "year", *[c for c in out.columns if c not in ("scenario", "year")]]
    return out[columns].to_csv(index=False)
