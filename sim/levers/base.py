"""The base of every lever and the small helpers levers share.

A lever is a pydantic model with a start year, an optional ramp and end year, and parameters
with units and bounds. It acts only by changing the step's :class:`~sim.conditions.Conditions`
(prices, fees, coverage, enforcement, rules), never by overwriting outcomes. Field metadata
(``unit``, ``pillar``, description) is the one definition the CLI, the docs and the app read.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.conditions import Conditions
from sim.materials import GROUPS, MATERIALS, Material, SeparationGroup
from sim.sections import Section

Pillar = Literal["circular_economy", "pollution_control", "climate"]


def lever_param(unit: str, description: str, default: float, **bounds: Any) -> Any:
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

    start_year: int = Field(
        2027, ge=2000, le=2100, description="First year in force.", json_schema_extra={"unit": "year"}
    )
    ramp_years: float = Field(
        0.0,
        ge=0,
        le=30,
        description="Years to reach full strength (linear); 0 = at once.",
        json_schema_extra={"unit": "years"},
    )
    end_year: int | None = Field(
        None, ge=2000, le=2100, description="Last year in force.", json_schema_extra={"unit": "year"}
    )

    @model_validator(mode="after")
    def _years_ordered(self) -> Lever:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError(f"end_year ({self.end_year}) is before start_year ({self.start_year})")
        return self

    def strength(self, cond: Conditions) -> float:
        """Share of full strength in force at the end of the step of ``cond`` (0 before start)."""
        t = years_in_force(self, cond)
        if t < 0 or (self.end_year is not None and cond.year > self.end_year):
            return 0.0
        if self.ramp_years == 0:
            return 1.0
        return min(1.0, (t + cond.days / 365.25) / self.ramp_years)

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change ``cond`` in place at the given strength (0..1)."""
        raise NotImplementedError


def years_in_force(lever: Lever, cond: Conditions) -> float:
    """Years since ``lever`` started, at the start of the step of ``cond`` (negative before)."""
    return cond.year + cond.year_fraction - lever.start_year


def mid_step(cond: Conditions) -> float:
    """Half the step's length [years]: time-dependent responses are read at mid-step."""
    return cond.days / 365.25 / 2


def scale_generation(cond: Conditions, multiplier: np.ndarray) -> None:
    """Change what is put on the market (and so thrown away), material by material.

    Rescales the plastic per person and the composition so that material ``m`` generates
    ``multiplier[m]`` times what it did; the household rule is unchanged.
    """
    weighted = cond.composition * multiplier
    total = float(weighted.sum())
    if total <= 0:
        raise ValueError("levers removed every material from the market")
    cond.plastic_kg_per_person_step *= total
    cond.composition = weighted / total


def support_recyclers(cond: Conditions, usd_per_t: np.ndarray) -> None:
    """Raise what recyclers earn per tonne of input, and so what they can pay in the market.

    The market (:mod:`sim.market`) turns it into prices: where recyclers compete for scarce
    supply it reaches junk shops and households; where supply is plentiful it raises margins,
    and margins above the hurdle make recyclers invest.
    """
    cond.recycler_support_usd_per_t = cond.recycler_support_usd_per_t + usd_per_t


def generated_t(cond: Conditions) -> np.ndarray:
    """Plastic generated in the step by material [t], from the conditions."""
    return cond.population * cond.plastic_kg_per_person_step * cond.composition / 1000.0


def material_mask(materials: list[Material]) -> np.ndarray:
    """1.0 for the listed materials, 0.0 for the others (``MATERIALS`` order)."""
    return np.array([m in materials for m in MATERIALS], dtype=float)


def group_mask(groups: list[SeparationGroup]) -> np.ndarray:
    """1.0 for the listed separation groups (``GROUPS`` order)."""
    return np.array([g in groups for g in GROUPS], dtype=float)
