"""Levers on the secondary-materials market: recycled content, subsidies, carbon credits, export rules.

None of them sets a price: they change what recyclers earn per tonne or what buyers abroad may
take, and the market (:mod:`sim.market`) finds the prices and volumes that result.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sim import behaviour
from sim.conditions import Conditions
from sim.levers.base import (
    Lever,
    Pillar,
    lever_param,
    material_mask,
    support_recyclers,
)
from sim.materials import Material


class RecycledContentMandate(Lever):
    """A minimum share of recycled plastic in packaging put on the market.

    Raises demand for recyclate, so its price rises (:func:`sim.behaviour.recyclate_price_multiplier`
    with the scenario's ``market`` premium and cap); recyclers' margins and what they can pay for
    input rise with it, and the market passes that on to junk shops and households.
    """

    label: ClassVar[str] = "Recycled-content mandate"
    evidence: ClassVar[str] = (
        "Price response is a labelled assumption (assumption_recycled_content_premium); "
        "no Cambodian recyclate prices found (price_hdpe_cardboard_current, GAP)."
    )

    content_share: float = lever_param(
        "fraction", "Required recycled content of plastic packaging.", 0.25, ge=0, le=1
    )
    materials: list[Material] = Field(
        default_factory=lambda: [Material.PET, Material.HDPE, Material.PP],
        description="Materials the mandate covers.",
        json_schema_extra={"unit": "materials"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        multiplier = float(
            behaviour.recyclate_price_multiplier(
                self.content_share * strength,
                cond.recyclate_premium_per_content_share,
                cond.recyclate_premium_cap,
            )
        )
        mask = material_mask(self.materials)
        cond.recyclate_price_multiplier = cond.recyclate_price_multiplier * (1.0 + (multiplier - 1.0) * mask)


class RecyclingSubsidy(Lever):
    """A public subsidy per tonne of plastic delivered to recyclers.

    Raises recyclers' margin per tonne, so what they can pay in the market and, when margins
    beat the hurdle, their investment in capacity. A subsidy large enough to cover a
    material's processing cost can attract a first plant where there is none.
    """

    label: ClassVar[str] = "Recycling subsidy"
    evidence: ClassVar[str] = (
        "Prices drive informal recovery (price_pet_to_street_picker, pp_scrap_dealers); pass-"
        "through is a labelled assumption (assumption_price_pass_through)."
    )

    subsidy_usd_per_t: float = lever_param("USD/t", "Subsidy per tonne into recyclers.", 50.0, ge=0, le=1000)
    materials: list[Material] = Field(
        default_factory=lambda: [Material.PET, Material.HDPE, Material.PP, Material.FILM],
        description="Materials subsidised.",
        json_schema_extra={"unit": "materials"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        subsidy = self.subsidy_usd_per_t * strength * material_mask(self.materials)
        cond.recycling_subsidy_usd_per_t = cond.recycling_subsidy_usd_per_t + subsidy
        support_recyclers(cond, subsidy)


class CarbonCredits(Lever):
    """Carbon credits for recycling: price per t CO2e times the emissions recyclate avoids.

    As under the Joint Crediting Mechanism, a project earns credits per tonne of recyclate; the
    developer's share raises recyclers' margin per tonne of input (times the yield).
    """

    pillar: ClassVar[Pillar] = "climate"
    label: ClassVar[str] = "Carbon credits (JCM)"
    evidence: ClassVar[str] = (
        "Cambodia-Japan JCM since 2014 (kh_jp_jcm_signed); avoided emissions per tonne from "
        "EPA WARM v16 (warm_recycling_net_*)."
    )

    price_usd_per_t_co2e: float = lever_param("USD/t CO2e", "Credit price.", 15.0, ge=0, le=300)
    developer_share: float = lever_param(
        "fraction",
        "Share of credit revenue that reaches recyclers (rest: verification, fees).",
        0.7,
        ge=0,
        le=1,
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        credit = self.price_usd_per_t_co2e * strength * cond.recycling_credit_t_co2e_per_t
        cond.carbon_credit_usd_per_t = cond.carbon_credit_usd_per_t + credit
        support_recyclers(cond, credit * cond.recycling_yield * self.developer_share)


class ExportRestriction(Lever):
    """Rules on exporting plastic scrap: a ban or a cut in what buyers abroad may take.

    Closes ``1 - open_share`` of export demand for the listed materials (0 = a full ban), as a
    destination's import ban or a Cambodian export rule would. What can no longer be exported
    lowers local prices, and so picking and separation, unless domestic recyclers take it up.
    """

    label: ClassVar[str] = "Export restrictions"
    evidence: ClassVar[str] = (
        "Vietnam and Thailand restricted plastic-scrap imports from about 2018 "
        "(kh_plastic_exported_2017); export demand is anchored on the 2017 flow (derived_export_demand)."
    )

    open_share: float = lever_param(
        "fraction", "Share of export demand still allowed (0 = export banned).", 0.0, ge=0, le=1
    )
    materials: list[Material] = Field(
        default_factory=lambda: [Material.PET, Material.HDPE, Material.PP, Material.FILM],
        description="Materials concerned.",
        json_schema_extra={"unit": "materials"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        closed = strength * (1.0 - self.open_share) * material_mask(self.materials)
        cond.export_open_share = cond.export_open_share * (1.0 - closed)
