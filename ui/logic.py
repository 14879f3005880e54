"""What the result panels say: indicator cards, comparison table, events, formatting, play.

Plain functions of tables and numbers, called by the callbacks and unit-tested on their own.
Indicator names, units and descriptions come from :data:`sim.metrics.INDICATORS` (English) and
the catalogue :mod:`sim.i18n` (Khmer, Japanese), in the language of :mod:`ui.text`.

Cards are built by :func:`cards`, one :class:`CardSpec` each; per-indicator additions (notes,
progress bars, probabilities) are functions in :data:`CARD_EXTRAS`, so a new line on a card is
one function added there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd

from sim.metrics import INDICATORS
from sim.uncertainty import GHG_TARGET
from ui.text import number, t

Tone = Literal["good", "bad", "neutral"]
Better = Literal["up", "down", "none"]
Mode = Literal["pp", "pct", "abs"]

#: Cambodia's NDC 3.0 target: GHG 55 % below business as usual by 2035 (defined in sim.uncertainty).
GHG_TARGET_CUT = GHG_TARGET.cut
GHG_TARGET_YEAR = GHG_TARGET.year
GHG_INDICATOR = GHG_TARGET.indicator
MISMANAGED_INDICATOR = "mismanaged_rate"
LANDFILL_INDICATOR = "landfill_years_left"
SPENDING_INDICATOR = "public_spending_usd"
REVENUE_INDICATOR = "public_revenue_usd"
#: Money indicators whose card never reads "better" while mismanaged waste rises.
MONEY_CARDS = frozenset({SPENDING_INDICATOR, "net_public_cost_usd"})


@dataclass(frozen=True)
class CardSpec:
    """An indicator card: which indicator, which way is better, how the change is shown."""

    indicator: str
    better: Better
    delta: Mode


#: The cards, in display order (the headline indicators).
CARDS: tuple[CardSpec, ...] = (
    CardSpec("recycling_rate", "up", "pp"),
    CardSpec("collection_rate", "up", "pp"),
    CardSpec(MISMANAGED_INDICATOR, "down", "pp"),
    CardSpec("leaked_to_water_t", "down", "pct"),
    CardSpec(GHG_INDICATOR, "down", "pct"),
    CardSpec(LANDFILL_INDICATOR, "up", "abs"),
    CardSpec(SPENDING_INDICATOR, "down", "pct"),
    CardSpec("picker_income_usd_per_month", "up", "pct"),
)
#: Recycler utilisation from which the recycling card says capacity is what limits it.
FULL_UTILISATION = 0.95
#: Unsold plastic (junk shops' stock and discards), as a share of recyclers' intake, from which
#: capacity is said to bind.
UNSOLD_SHARE = 0.01
#: Relative changes smaller than this are shown as neutral.
NEUTRAL_TOLERANCE = 0.005
#: A reference smaller than this share of the value is "near zero": changes are shown absolute.
NEAR_ZERO_SHARE = 0.05


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
    lines: tuple[str, ...] = ()  # further lines added by CARD_EXTRAS


def missing(value: Any) -> bool:
    """Whether a value is absent (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float) -> str:
    """A number rounded for reading: ``1.23 M``, ``12,345``, ``45.6`` (current language's style)."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{number(value / 1e6, 2)} {t('unit.M', default='M')}"
    if magnitude >= 100:
        return number(value)
    if magnitude >= 10:
        return number(value, 1)
    return number(value, 2)


def label_of(indicator: str) -> str:
    """Display name of an indicator (English from ``sim.metrics``, other languages from the catalogue)."""
    default = INDICATORS[indicator].label if indicator in INDICATORS else indicator
    return t(f"indicator.{indicator}.label", default=default)


def description_of(indicator: str) -> str:
    """Plain-language explanation of an indicator, in the current language."""
    default = INDICATORS[indicator].description if indicator in INDICATORS else ""
    return t(f"indicator.{indicator}.description", default=default)


def model_unit(indicator: str) -> str:
    """Unit of an indicator as the model writes it (fractions as %)."""
    unit = INDICATORS[indicator].unit if indicator in INDICATORS else ""
    return "%" if unit == "fraction" else unit


def unit_label(unit: str) -> str:
    """A unit in the current language (``t`` -> ``តោន``)."""
    return t(f"unit.{unit}", default=unit) if unit else ""


def unit_of(indicator: str) -> str:
    """Display unit of an indicator in the current language (fractions as %)."""
    return unit_label(model_unit(indicator))


def indicator_label(indicator: str) -> str:
    """An indicator's name with its display unit, e.g. ``Recycling rate [%]``."""
    return f"{label_of(indicator)} [{unit_of(indicator)}]"


def format_parts(indicator: str, value: Any) -> tuple[str, str]:
    """An indicator value as (number, unit), e.g. ``("12.3", "%")`` or ``("4,560", "t")``."""
    if missing(value):
        return "–", ""
    if model_unit(indicator) == "%":
        return number(100 * value, 1), "%"
    return fmt_number(value), unit_of(indicator)


def format_value(indicator: str, value: Any) -> str:
    """An indicator value with its unit, e.g. ``12.3 %``, ``4,560 t`` or ``USD 1.20 M``."""
    shown, unit = format_parts(indicator, value)
    if model_unit(indicator) == "USD" and unit == "USD":
        return f"USD {shown}"
    return f"{shown} {unit}".strip()


def near_zero(value: float, reference: float) -> bool:
    """Whether ``reference`` is too close to zero (or of the other sign) for a percentage change."""
    if abs(reference) <= 1e-9:
        return True
    return (value * reference < 0) or abs(reference) < NEAR_ZERO_SHARE * abs(value)


def change_mode(value: Any, reference: Any, mode: Mode) -> Mode:
    """How a change is best shown: percentages fall back to absolute against a near-zero reference."""
    if mode == "pct" and not missing(value) and not missing(reference) and near_zero(value, reference):
        return "abs"
    return mode


def change(value: Any, reference: Any, mode: str) -> float | None:
    """Change of ``value`` against ``reference``: points (pp), percent (pct) or absolute."""
    if missing(value) or missing(reference):
        return None
    if mode == "pp":
        return 100 * (value - reference)
    if mode == "pct":
        return None if reference == 0 else 100 * (value - reference) / abs(reference)
    return value - reference


def shown_change(value: Any, reference: Any, mode: Mode) -> float | None:
    """The change as the card prints it: points of the rounded values, so it matches what is shown.

    ``8.5 %`` beside ``Baseline 8.4 %`` reads ``+0.1 pp``, never ``±0.0 pp``.
    """
    if mode == "pp" and not missing(value) and not missing(reference):
        return round(100 * value, 1) - round(100 * reference, 1)
    return change(value, reference, mode)


def format_change(delta: float | None, mode: str, indicator: str) -> str:
    """A change with its sign and unit: ``+1.2 pp``, ``−8 %``, ``+2.5 years``."""
    if delta is None:
        return "–"
    size = abs(delta)
    if mode == "pp":
        text = f"{number(size, 1)} pp"
    elif mode == "pct":
        text = f"{number(size)} %" if size >= 10 else f"{number(size, 1)} %"
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
    value: Any = table.at[year, column]
    return None if missing(value) else float(value)


def mismanaged_worse(current: pd.DataFrame, baseline: pd.DataFrame, year: int) -> bool:
    """Whether the mismanaged share is higher than the baseline's in ``year`` (beyond rounding)."""
    delta = change(at(current, year, MISMANAGED_INDICATOR), at(baseline, year, MISMANAGED_INDICATOR), "pp")
    return delta is not None and delta > 100 * NEUTRAL_TOLERANCE


def ghg_progress(current: pd.DataFrame, baseline: pd.DataFrame) -> float | None:
    """Share [%] of the 55 %-below-baseline cut reached in 2035 (0 to 100); None if undefined."""
    value = at(current, GHG_TARGET_YEAR, GHG_INDICATOR)
    reference = at(baseline, GHG_TARGET_YEAR, GHG_INDICATOR)
    if missing(value) or missing(reference) or reference <= 0:
        return None
    cut = change(value, reference, "pct")
    assert cut is not None
    return max(0.0, min(100.0, -cut / (100 * GHG_TARGET_CUT) * 100))


def landfill_full_year(table: pd.DataFrame) -> int | None:
    """First year in which no landfill space is left (None if never)."""
    if table.empty or LANDFILL_INDICATOR not in table.columns:
        return None
    full = table.index[table[LANDFILL_INDICATOR].fillna(1.0) <= 0]
    return int(full[0]) if len(full) else None


# --------------------------------------------------------------------------- per-card additions

Extra = Callable[[Card, pd.DataFrame, pd.DataFrame, int], Card]


def capacity_binds(current: pd.DataFrame, year: int) -> bool:
    """Whether recycling capacity is what limits recycling in ``year``.

    Recyclers run (nearly) full and junk shops are left with plastic nobody bought: stock or
    discards of at least :data:`UNSOLD_SHARE` of what recyclers took in.
    """
    utilisation = at(current, year, "recycler_utilisation")
    intake = at(current, year, "recycler_input_t") or 0.0
    unsold = (at(current, year, "junkshop_inventory_t") or 0.0) + (
        at(current, year, "junkshop_discarded_t") or 0.0
    )
    return utilisation is not None and utilisation >= FULL_UTILISATION and unsold >= UNSOLD_SHARE * intake


def _recycling_extra(card: Card, current: pd.DataFrame, _baseline: pd.DataFrame, year: int) -> Card:
    if capacity_binds(current, year):
        return replace(card, note=t("card.recycling.full"))
    return card


def _ghg_extra(card: Card, current: pd.DataFrame, baseline: pd.DataFrame, year: int) -> Card:
    value, reference = at(current, year, GHG_INDICATOR), at(baseline, year, GHG_INDICATOR)
    mode = change_mode(value, reference, "pct")
    progress = ghg_progress(current, baseline)
    shown, unit = format_change(change(value, reference, mode), mode, GHG_INDICATOR), ""
    if mode == "abs" and shown.endswith(unit_of(GHG_INDICATOR)):
        shown, unit = shown.removesuffix(unit_of(GHG_INDICATOR)).strip(), unit_of(GHG_INDICATOR)
    note = t("card.ghg.progress", share=f"{number(progress or 0.0)} %")
    if progress is None and reference is not None:
        note = t("card.ghg.undefined")
    return replace(
        card,
        title=t("card.ghg.title"),
        value=shown,
        unit=unit,
        delta=t("card.ghg.target"),
        progress=progress,
        note=note,
        baseline=f"{format_value(GHG_INDICATOR, value)} · {card.baseline}",
    )


def _landfill_extra(card: Card, current: pd.DataFrame, _baseline: pd.DataFrame, year: int) -> Card:
    value = at(current, year, LANDFILL_INDICATOR)
    full = landfill_full_year(current)
    if value is not None and value <= 0:
        return replace(card, note=t("card.landfill.full"))
    if value is None:
        return replace(card, value="–", note=t("card.landfill.unused"))
    if full is not None:
        return replace(card, note=t("card.landfill.full_in", year=full))
    return card


def _budget_extra(card: Card, current: pd.DataFrame, _baseline: pd.DataFrame, year: int) -> Card:
    revenue, spending = at(current, year, REVENUE_INDICATOR), at(current, year, SPENDING_INDICATOR)
    if revenue is None or spending is None:
        return card
    return replace(
        card,
        note=t(
            "card.budget.note",
            revenue=format_value(REVENUE_INDICATOR, revenue),
            spending=format_value(SPENDING_INDICATOR, spending),
        ),
    )


#: Additions to particular cards, applied in order after the common part is built.
CARD_EXTRAS: dict[str, list[Extra]] = {
    "recycling_rate": [_recycling_extra],
    GHG_INDICATOR: [_ghg_extra],
    LANDFILL_INDICATOR: [_landfill_extra],
    SPENDING_INDICATOR: [_budget_extra],
}


def build_card(spec: CardSpec, current: pd.DataFrame, baseline: pd.DataFrame, year: int) -> Card:
    """One indicator card for ``year``, with its change against the baseline and its additions."""
    value = at(current, year, spec.indicator)
    reference = at(baseline, year, spec.indicator)
    mode = change_mode(value, reference, spec.delta)
    delta = shown_change(value, reference, mode)
    card_tone = tone(change(value, reference, mode), spec.better, mode)
    guarded = (
        spec.indicator in MONEY_CARDS and card_tone == "good" and mismanaged_worse(current, baseline, year)
    )
    shown, unit = format_parts(spec.indicator, value)
    lines: tuple[str, ...] = ()
    if mode != spec.delta:
        lines += (t("card.near_zero", unit=unit_of(spec.indicator)),)
    if guarded:
        lines += (t("card.worse_mismanaged"),)
    card = Card(
        spec.indicator,
        label_of(spec.indicator),
        shown,
        unit,
        format_change(delta, mode, spec.indicator),
        "neutral" if guarded else card_tone,
        description_of(spec.indicator),
        t("card.baseline_value", value=format_value(spec.indicator, reference))
        if reference is not None
        else t("card.no_baseline"),
        lines=lines,
    )
    for extra in CARD_EXTRAS.get(spec.indicator, []):
        card = extra(card, current, baseline, year)
    return card


def cards(current: pd.DataFrame, baseline: pd.DataFrame, year: int) -> list[Card]:
    """The indicator cards for one year, each with its change against the baseline.

    Args:
        current: Yearly indicators of the current scenario (indexed by year).
        baseline: Yearly indicators of the comparison baseline (may be empty while it runs).
        year: The year shown.
    """
    return [build_card(spec, current, baseline, year) for spec in CARDS]


def card_frames(current: pd.DataFrame, baseline: pd.DataFrame) -> dict[str, Any]:
    """The cards of every year, prepared before playing so each tick only swaps texts.

    Returns:
        ``years`` and ``cards``: year -> list of ``{id, value, unit, delta, tone, baseline, note}``.
    """
    years = [int(y) for y in current.index]
    return {
        "years": years,
        "cards": {
            str(year): [
                {
                    "indicator": c.indicator,
                    "value": c.value,
                    "unit": c.unit,
                    "delta": delta_text(c),
                    "tone": c.tone,
                    "baseline": c.baseline,
                }
                for c in cards(current, baseline, year)
            ]
            for year in years
        },
    }


def delta_text(item: Card) -> str:
    """The change as the card's badge reads it."""
    if item.delta == "–":
        return t("card.no_baseline")
    if item.progress is not None or item.indicator == GHG_INDICATOR:
        return item.delta
    return f"{item.delta} {t('card.vs_baseline')}"


# --------------------------------------------------------------------------- events on the charts


@dataclass(frozen=True)
class Event:
    """Something that happens in a year and explains a jump: ``kind`` is landfill, lever or facility."""

    year: int
    kind: Literal["landfill", "lever", "facility"]
    label: str


def events(
    scenario: dict[str, Any] | None,
    current: pd.DataFrame,
    lever_label: Callable[[str], str],
    facility_label: Callable[[str, str], str],
) -> list[Event]:
    """Landfill full, levers starting and facilities opening within the simulated years.

    Args:
        scenario: The current scenario (JSON dict).
        current: Its yearly indicators.
        lever_label: Display name of a lever id.
        facility_label: Display name of a facility (id, kind).
    """
    if current.empty:
        return []
    first, last = int(current.index.min()), int(current.index.max())
    out: list[Event] = []
    full = landfill_full_year(current)
    if full is not None and full > first:
        out.append(Event(full, "landfill", t("event.landfill_full")))
    starts: dict[int, list[str]] = {}
    for lever, settings in ((scenario or {}).get("policies") or {}).items():
        if settings and first < int(settings.get("start_year", first)) <= last:
            starts.setdefault(int(settings["start_year"]), []).append(lever_label(lever))
    for year, names in sorted(starts.items()):
        label = names[0] if len(names) == 1 else t("event.levers_start", n=len(names))
        out.append(Event(year, "lever", t("lever.starts", lever=label) if len(names) == 1 else label))
    for name, facility in ((scenario or {}).get("facilities") or {}).items():
        if first < int(facility.get("open_year", first)) <= last:
            out.append(
                Event(
                    int(facility["open_year"]),
                    "facility",
                    t("event.facility_opens", facility=facility_label(name, facility["kind"])),
                )
            )
    return sorted(out, key=lambda e: (e.year, e.kind))


# --------------------------------------------------------------------------- comparison


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
            mode = change_mode(value, reference, spec.delta)
            delta = shown_change(value, reference, mode)
            text = format_value(spec.indicator, value)
            row.append(text if delta is None else f"{text} ({format_change(delta, mode, spec.indicator)})")
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
        if saved and name in saved:
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


# --------------------------------------------------------------------------- years and play


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


# --------------------------------------------------------------------------- export


def csv_export(tables: list[tuple[str, str, pd.DataFrame]]) -> str:
    """Yearly indicators of several runs as one CSV (``scenario, role, year, indicators…``).

    Args:
        tables: (scenario name, role, yearly indicators); role is ``current``, ``baseline`` or
            ``compared``.
    """
    frames = [
        table.reset_index().assign(scenario=name, role=role)
        for name, role, table in tables
        if not table.empty
    ]
    if not frames:
        return ""
    out = pd.concat(frames, ignore_index=True)
    columns = ["scenario", "role", "year", *[c for c in out.columns if c not in ("scenario", "role", "year")]]
    return out[columns].to_csv(index=False)
