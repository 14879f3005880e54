"""What the lever and assumption panels show, derived from the model's own metadata.

Levers come from :func:`sim.levers.lever_catalogue` (label, pillar, explanation, evidence,
parameters with unit and bounds); assumptions from :func:`sim.io.parameter_ranges` (plausible
range of each scalar input) and the scenario schema (unit and description). Nothing here is
typed twice: a lever added to the catalogue appears in the app without touching this module.

Values are stored in model units; fractions are shown as percent. :func:`to_display` and
:func:`from_display` convert between the two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, Literal

from sim import io as sio
from sim.levers import lever_catalogue
from sim.scenario import MaterialParams, UnknownFieldError, field_at
from ui.text import current_language, t

#: Pillars of the Cambodia-Japan Memorandum of Cooperation, in the order the panel shows them.
PILLARS: tuple[str, ...] = ("circular_economy", "pollution_control", "climate")
#: Sections of assumptions, in panel order; ``prices`` holds the material prices.
SECTIONS: tuple[str, ...] = (
    "city",
    "behaviour",
    "collection",
    "informal",
    "aggregation",
    "landfill",
    "leakage",
    "emissions",
    "logistics",
    "prices",
)
#: Scenario sections that are settings of the run, not assumptions about the world.
SETTING_SECTIONS = frozenset({"time"})
PRICE_SUFFIX = "_price_usd_per_t"
#: Tokens that name a unit at the end of a parameter name (dropped from its label).
UNIT_TOKENS = frozenset({"usd", "per", "t", "kg", "km", "mwh", "yr", "years", "khr", "pct", "logit"})
#: Tokens of names written in capitals in labels: polymer codes and abbreviations.
ACRONYMS = frozenset({"pet", "hdpe", "ldpe", "pp", "ps", "pvc", "mrf", "msw", "epr", "ghg", "jcm"})

Kind = Literal["slider", "number", "switch"]


@dataclass(frozen=True)
class ControlSpec:
    """One control: what it sets, how it is labelled and its range in display units."""

    key: str  # parameter name (levers) or dotted scenario path (assumptions)
    label: str
    unit: str  # as displayed, e.g. "%" for a fraction
    description: str
    source: str
    kind: Kind
    low: float | None = None  # display units
    high: float | None = None
    step: float | None = None
    factor: float = 1.0  # display value = factor * model value
    integer: bool = False
    default: Any = None  # model units; what a lever starts with when switched on


@dataclass(frozen=True)
class LeverSpec:
    """One lever of the panel."""

    id: str
    label: str
    pillar: str
    description: str
    evidence: str
    params: tuple[ControlSpec, ...]


def display_unit(unit: str) -> tuple[float, str]:
    """Factor and unit to display a model unit with: fractions become percent."""
    if unit == "fraction":
        return 100.0, "%"
    return 1.0, unit


def nice_step(span: float, integer: bool = False, steps: int = 100) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``steps`` positions on ``span``."""
    if span <= 0:
        return 1.0
    raw = span / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(1.0, round(step)) if integer else step


def to_display(spec: ControlSpec, value: Any) -> Any:
    """A model value as the control shows it."""
    if spec.kind == "switch" or value is None:
        return value
    shown = value * spec.factor
    return round(shown) if spec.integer else round(shown, 9)


def from_display(spec: ControlSpec, shown: Any) -> Any:
    """A control's value in model units."""
    if spec.kind == "switch":
        return bool(shown)
    if shown is None or shown == "":
        return None
    value = float(shown) / spec.factor
    return round(value) if spec.integer else round(value, 12)


def words(name: str) -> str:
    """A snake_case name as words, abbreviations in capitals: ``ps_foam`` -> ``PS foam``."""
    return " ".join(token.upper() if token in ACRONYMS else token for token in name.split("_") if token)


def sentence(text: str) -> str:
    """``text`` with its first letter in capitals (the rest as it is)."""
    return text[:1].upper() + text[1:]


def material_label(material: str) -> str:
    """Display name of a material or separation group: ``pet`` -> ``PET``, ``ps_foam`` -> ``PS foam``."""
    return sentence(words(material))


def humanize(name: str) -> str:
    """A label from a parameter name, units dropped: ``covered_share_of_pet_usd`` -> ``Covered share of PET``."""
    tokens = name.split("_")
    for i, token in enumerate(tokens):
        if i > 0 and token in UNIT_TOKENS:
            tokens = tokens[:i]
            break
    return sentence(words("_".join(tokens)))


#: What the model's texts cite for developers and the app leaves out: source keys of
#: data/provenance.csv and file paths in brackets, dotted code names.
_CODE = r"[\w*.-]*(?:_|/)[\w*./-]*"
_CITATIONS = re.compile(rf"\s*\(\s*{_CODE}(?:\s*[,;]\s*(?:{_CODE}|GAP))*\s*\)")
_KEYS_IN_BRACKETS = re.compile(r"(?<=\()\s*[a-z0-9]+(?:_[a-z0-9*]+)+\s*[,;]\s*")
_DOTTED = re.compile(r";?\s*(?:curve in\s+)?\b(?:sim\.)?[a-z]+\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b(?!\.\d)")


def plain(text: str) -> str:
    """A model text without source keys, file paths and code names (they are in data/ and docs/).

    ``(pp_collection_coverage_pop)`` and ``(data/behaviour, docs/behaviour.md)`` go, a key leading
    a bracket goes, ``sim.behaviour.x`` goes, and a field name reads as words (``start year``).
    """
    out = _CITATIONS.sub("", text.replace("``", ""))
    out = _KEYS_IN_BRACKETS.sub("", out)
    out = _DOTTED.sub("", out)
    out = re.sub(r"\b([a-z]+)_([a-z]+)\b", r"\1 \2", out)
    return re.sub(r"\s+([.,;:])", r"\1", out).strip()


def unit_text(unit: str) -> str:
    """A unit in the current language."""
    return t(f"unit.{unit}", default=unit) if unit else ""


def param_label(lever_id: str, name: str) -> str:
    """Label of a lever parameter: the lever's own, else the common one, else from its name."""
    return t(f"lever.{lever_id}.{name}.label", default=t(f"param.{name}.label", default=humanize(name)))


def param_description(lever_id: str, name: str, english: str) -> str:
    """Explanation of a lever parameter in the current language (English from the model)."""
    common = t(f"param.{name}.description", default=plain(english))
    return t(f"lever.{lever_id}.{name}.description", default=common)


@cache
def _english_lever_labels() -> Mapping[str, str]:
    """English name of every lever, from the model (read once; the catalogue does not change)."""
    return MappingProxyType({info.id: info.label or humanize(info.id) for info in lever_catalogue()})


def lever_label(lever_id: str) -> str:
    """Display name of a lever (English from the model, other languages from the catalogue)."""
    return t(f"lever.{lever_id}.label", default=_english_lever_labels().get(lever_id, humanize(lever_id)))


def _param_spec(lever_id: str, p: Any, years: tuple[int, int]) -> ControlSpec | None:
    """The control of one lever parameter, or None if it has no simple control."""
    default = p.default
    label = param_label(lever_id, p.name)
    description = param_description(lever_id, p.name, p.description)
    unit = p.unit
    if isinstance(default, bool):
        return ControlSpec(p.name, label, "", description, "", "switch", default=default)
    if not isinstance(default, int | float):
        return None  # lists (districts), optional years: kept as set in the scenario file
    integer = isinstance(default, int)
    low, high = p.minimum, p.maximum
    if p.name.endswith("_year"):
        low, high = years
    factor, shown_unit = display_unit(unit)
    shown_unit = unit_text(shown_unit)
    if low is None or high is None:
        return ControlSpec(
            p.name,
            label,
            shown_unit,
            description,
            "",
            "number",
            factor=factor,
            integer=integer,
            default=default,
        )
    lo, hi = low * factor, high * factor
    return ControlSpec(
        p.name,
        label,
        shown_unit,
        description,
        "",
        "slider",
        lo,
        hi,
        nice_step(hi - lo, integer),
        factor,
        integer,
        default,
    )


def lever_specs(start_year: int, end_year: int) -> list[LeverSpec]:
    """Every lever of the catalogue with the controls of its parameters, in the current language.

    Built once per language and span of years (each lever change reads them).

    Args:
        start_year: First simulated year (bounds of year parameters).
        end_year: Last simulated year.
    """
    return list(_lever_specs(start_year, end_year, current_language()))


@lru_cache(maxsize=32)
def _lever_specs(start_year: int, end_year: int, lang: str) -> tuple[LeverSpec, ...]:
    """:func:`lever_specs` in ``lang`` (the language texts are built in when called)."""
    out = []
    for info in lever_catalogue():
        params = tuple(
            spec for p in info.params if (spec := _param_spec(info.id, p, (start_year, end_year))) is not None
        )
        out.append(
            LeverSpec(
                info.id,
                t(f"lever.{info.id}.label", default=info.label or humanize(info.id)),
                info.pillar,
                t(f"lever.{info.id}.description", default=plain(info.description)),
                t(f"lever.{info.id}.evidence", default=plain(info.evidence)),
                params,
            )
        )
    return tuple(out)


def levers_by_pillar(specs: list[LeverSpec]) -> dict[str, list[LeverSpec]]:
    """Levers grouped by pillar, every pillar present (possibly empty), in :data:`PILLARS` order."""
    groups: dict[str, list[LeverSpec]] = {p: [] for p in PILLARS}
    for spec in specs:
        groups.setdefault(spec.pillar, []).append(spec)
    return groups


def _field_info(path: str) -> tuple[str, str, list[str]]:
    """Unit, description and mapping keys (materials, separation groups) of a dotted scenario path."""
    try:
        spec = field_at(path.split("."))
    except UnknownFieldError:
        return "", "", []
    keys = [] if spec.is_section else list(spec.keys)  # a section of fields is described on its own
    return spec.unit, spec.description, keys


def field_meta(path: str) -> tuple[str, str]:
    """Unit and description of a dotted scenario path, read from the schema.

    A key of a mapping (a material, a separation group) is named in brackets after the
    description, e.g. ``behaviour.separation_intercept.pet``.
    """
    unit, description, keys = _field_info(path)
    if keys:
        description = f"{description.rstrip('.')} ({', '.join(keys)})"
    return unit, description


def assumption_label(path: str) -> str:
    """Label of an assumption: its schema description, keys by their display names.

    E.g. ``behaviour.separation_intercept.pet`` -> ``Base propensity ... mixed waste (PET)``.
    """
    _, description, keys = _field_info(path)
    label = description.rstrip(".")
    if keys:
        label = f"{label} ({', '.join(words(k) for k in keys)})"
    return t(f"assumption.{path}", default=label)


@cache
def _ranges() -> Mapping[str, tuple[float, float]]:
    """Plausible ranges of ``data/parameters.csv`` (read once per process; data do not change).

    Read-only, as the one copy is shared by every session.
    """
    return MappingProxyType(sio.parameter_ranges())


@cache
def _sources() -> Mapping[str, str]:
    """Source text of every parameter key in ``data/parameters.csv`` (read once, read-only)."""
    provenance = {row["key"]: row["source"] for row in sio.provenance_table()}
    out = {}
    for row in sio.read_table("parameters.csv"):
        keys = [k for k in row["source_key"].split("|") if k]
        out[row["key"]] = "; ".join(provenance.get(k, k) for k in keys)
    return MappingProxyType(out)


def _lookup(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def assumption_specs(scenario: dict[str, Any]) -> list[tuple[str, ControlSpec]]:
    """The assumptions panel: (section, control) for every scalar with a plausible range.

    Sliders span the plausible range of ``data/parameters.csv`` (widened to include the
    scenario's own value); material prices, which have no range there, get number inputs
    bounded by the schema.

    Args:
        scenario: The scenario (JSON dump) whose values the controls start from.
    """
    sources = _sources()
    out: list[tuple[str, ControlSpec]] = []
    for key, (low, high) in _ranges().items():
        section = key.split(".")[0]
        if section in SETTING_SECTIONS:
            continue
        unit, _ = field_meta(key)
        value = float(_lookup(scenario, key))
        integer = isinstance(_lookup(scenario, key), int) and float(low).is_integer()
        factor, shown_unit = display_unit(unit)
        lo, hi = min(low, value) * factor, max(high, value) * factor
        label = assumption_label(key)
        out.append(
            (
                section,
                ControlSpec(
                    key,
                    label,
                    shown_unit,
                    t(
                        "assumption.range",
                        low=f"{low * factor:g}",
                        high=f"{high * factor:g}",
                        unit=shown_unit,
                    ),
                    sources.get(key, ""),
                    "slider",
                    lo,
                    hi,
                    nice_step(hi - lo, integer),
                    factor,
                    integer,
                ),
            )
        )
    price_fields = [n for n in MaterialParams.model_fields if n.endswith(PRICE_SUFFIX)]
    for material in scenario["materials"]:
        for name in price_fields:
            key = f"materials.{material}.{name}"
            unit, description = field_meta(key)
            info = MaterialParams.model_fields[name]
            lo = hi = None  # type: ignore[assignment]  # the schema's bounds, if any
            for m in info.metadata:
                lo = getattr(m, "ge", lo)
                hi = getattr(m, "le", hi)
            label = f"{material_label(material)}: {description.split(' (')[0].rstrip('.')}"
            spec = ControlSpec(key, label, unit, description, "data/materials.csv", "number", lo, hi, 5.0)
            out.append(("prices", spec))
    return out
