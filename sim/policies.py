"""Policy levers: time-scheduled changes to what agents face.

Each lever is a pydantic model with a start year, an optional ramp and end year, and parameters
with units and bounds; a scenario lists levers under ``policies:`` by name. A lever acts only by
changing the step's :class:`~sim.agents.Conditions` (prices, fees, coverage, enforcement,
rules), never by overwriting outcomes. Field metadata (``unit``, ``pillar``, description) is the
one definition the CLI, the docs and the app read.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.agents import Conditions
from sim.sections import Section

Pillar = Literal["circular_economy", "pollution_control", "climate"]


def lever_param(unit: str, description: str, default: float, **bounds: float) -> float:
    """A lever parameter with unit, bounds and default."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **bounds)


class Lever(Section):
    """Base of every lever: when it starts, how fast it ramps up, when it ends."""

    pillar: Pillar = "circular_economy"  # class-level metadata, overridden by subclasses
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

    pillar: Pillar = "pollution_control"
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
