"""Policy levers: time-scheduled changes to what agents face.

Each lever is a pydantic model with a start year, an optional ramp and end year, and parameters
with units and bounds; a scenario lists levers under ``policies:`` by name. A lever acts only by
changing the step's :class:`~sim.agents.Conditions` (prices, fees, coverage, enforcement,
rules), never by overwriting outcomes. Field metadata (``unit``, ``pillar``, description) is the
one definition the CLI, the docs and the app read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from sim.agents import Conditions
from sim.sections import Section

Pillar = Literal["circular_economy", "pollution_control", "climate"]


def lever_param(unit: str, description: str, default: float, **bounds: float) -> float:
    """A lever parameter with unit, bounds and default."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **bounds)


class Lever(Section):
    """Base of every lever: when it starts, how fast it ramps up, when it ends."""

    #: MoC pillar the lever belongs to (metadata, not an input).
    pillar: ClassVar[Pillar] = "circular_economy"
    #: Short name for tables and the app.
    label: ClassVar[str] = ""
    #: The evidence behind the response (sources in data/provenance.csv).
    evidence: ClassVar[str] = ""

    start_year: int = Field(2027, ge=2000, le=2100, description="First year in force.")
    ramp_years: float = Field(
        0.0, ge=0, le=30, description="Years to reach full strength (linear); 0 = at once."
    )
    end_year: int | None = Field(None, ge=2000, le=2100, description="Last year in force.")

    @model_validator(mode="after")
    def _years_ordered(self) -> Lever:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year ({self.end_year}) is before start_year ({self.start_year})")
        return self

    def strength(self, cond: Conditions) -> float:
        """Share of full strength in force at the step of ``cond`` (0 before start)."""
        t = cond.year + (cond.month - 1) / 12 - self.start_year
        if t < 0 or (self.end_year is not None and cond.year > self.end_year):
            return 0.0
        if self.ramp_years == 0:
            return 1.0
        return min(1.0, (t + 1 / 12) / self.ramp_years)

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change ``cond`` in place at the given strength (0..1)."""
        raise NotImplementedError


class CollectionCoverage(Lever):
    """Extend formal door-to-door collection towards a target coverage in each district."""

    pillar: ClassVar[Pillar] = "pollution_control"
    label: ClassVar[str] = "Collection coverage"
    evidence: ClassVar[str] = (
        "Coverage c. 60% of people in 2015 (pp_collection_coverage_pop); households without "
        "service burn or dump (kh_share_unmanaged_derived)."
    )

    target_coverage: float = lever_param(
        "fraction", "Coverage reached in every district (never lowered).", 0.95, ge=0, le=1
    )
    districts: list[str] = Field(
        default_factory=list, description="Districts concerned; empty = all districts."
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        for name, now in cond.coverage.items():
            if not self.districts or name in self.districts:
                target = max(now, self.target_coverage)
                cond.coverage[name] = now + strength * (target - now)


class Policies(Section):
    """The levers of a scenario; a lever left out (or null) is not in force."""

    collection_coverage: CollectionCoverage | None = None

    def active(self) -> list[Lever]:
        """The levers set in this scenario."""
        return [lever for name in type(self).model_fields if (lever := getattr(self, name)) is not None]

    def apply(self, cond: Conditions) -> None:
        """Apply every lever to the step's conditions, in catalogue order."""
        for lever in self.active():
            strength = lever.strength(cond)
            if strength > 0:
                lever.apply(cond, strength)


@dataclass(frozen=True)
class ParamInfo:
    """Metadata of one lever parameter (for the app, the CLI and the docs)."""

    name: str
    unit: str
    default: Any
    minimum: float | None
    maximum: float | None
    description: str


@dataclass(frozen=True)
class LeverInfo:
    """Metadata of one lever: the single definition the app and the docs read."""

    id: str  # field name under ``policies:`` in a scenario file
    label: str
    pillar: Pillar
    description: str
    evidence: str
    params: tuple[ParamInfo, ...]


def _bounds(field: Any) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", getattr(m, "gt", lo))
        hi = getattr(m, "le", getattr(m, "lt", hi))
    return lo, hi


def lever_catalogue() -> list[LeverInfo]:
    """Every lever with its parameters, units, bounds and evidence, in catalogue order."""
    out = []
    for lever_id, field in Policies.model_fields.items():
        cls = next(a for a in field.annotation.__args__ if a is not type(None))
        params = []
        for name, f in cls.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            lo, hi = _bounds(f)
            default = f.get_default(call_default_factory=True)
            params.append(ParamInfo(name, str(extra.get("unit", "")), default, lo, hi, f.description or ""))
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        out.append(LeverInfo(lever_id, cls.label, cls.pillar, doc, cls.evidence, tuple(params)))
    return out
