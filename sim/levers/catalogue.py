"""The catalogue of levers: the ``policies:`` section of a scenario and the levers' metadata."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from sim.conditions import Conditions
from sim.levers.base import Lever, Pillar
from sim.levers.collection import AwarenessCampaign, CollectionCoverage, InformalIntegration, SourceSeparation
from sim.levers.disposal import LandfillTax, NewFacilities, OpenBurningEnforcement
from sim.levers.markets import CarbonCredits, ExportRestriction, RecycledContentMandate, RecyclingSubsidy
from sim.levers.products import BagLevy, DepositReturn, ProducerResponsibility, SingleUseReduction
from sim.sections import Section, field_bounds


class Policies(Section):
    """The levers of a scenario; a lever left out (or null) is not in force.

    Levers apply in this order each step: coverage, what is put on the market, prices,
    then behaviour and rules.
    """

    collection_coverage: CollectionCoverage | None = None
    bag_levy: BagLevy | None = None
    single_use_reduction: SingleUseReduction | None = None
    deposit_return: DepositReturn | None = None
    epr_fee: ProducerResponsibility | None = None
    recycled_content: RecycledContentMandate | None = None
    recycling_subsidy: RecyclingSubsidy | None = None
    carbon_credits: CarbonCredits | None = None
    export_restriction: ExportRestriction | None = None
    landfill_tax: LandfillTax | None = None
    source_separation: SourceSeparation | None = None
    awareness_campaign: AwarenessCampaign | None = None
    informal_integration: InformalIntegration | None = None
    burning_enforcement: OpenBurningEnforcement | None = None
    new_facilities: NewFacilities | None = None

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


def lever_catalogue() -> list[LeverInfo]:
    """Every lever with its parameters, units, bounds and evidence, in catalogue order."""
    out = []
    for lever_id, field in Policies.model_fields.items():
        cls = next(a for a in typing.get_args(field.annotation) if a is not type(None))
        params = []
        for name, f in cls.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            lo, hi = field_bounds(f)
            default = f.get_default(call_default_factory=True)
            if isinstance(default, list):  # enum members -> their plain values
                default = [getattr(v, "value", v) for v in default]
            params.append(ParamInfo(name, str(extra.get("unit", "")), default, lo, hi, f.description or ""))
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        out.append(LeverInfo(lever_id, cls.label, cls.pillar, doc, cls.evidence, tuple(params)))
    return out
