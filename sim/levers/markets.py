"""Levers on the secondary-materials market: recycled content, subsidies, carbon credits."""

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
    raise_recycler_prices,
    subsidise_recyclers,
)
from sim.materials import Material


class RecycledContentMandate(Lever):
    """A minimum share of recycled plastic in packaging put on the market.

    Raises demand for recyclate, so recyclers pay more (:func:`sim.behaviour.recyclate_price_multiplier`),
    passed down to junk shops and households.
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
        rise = float(behaviour.recyclate_price_multiplier(self.content_share * strength)) - 1.0
        delta = cond.recycler_price_usd_per_t * rise * material_mask(self.materials)
        raise_recycler_prices(cond, delta, behaviour.PRICE_PASS_THROUGH)


class RecyclingSubsidy(Lever):
    """A public subsidy per tonne of plastic delivered to recyclers.

    Raises what recyclers can pay; part reaches junk shops and households. A subsidy on a
    material without a market creates one.
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
        subsidise_recyclers(cond, self.subsidy_usd_per_t * strength * material_mask(self.materials))


class CarbonCredits(Lever):
    """Carbon credits for recycling: price per t CO2e times the emissions recyclate avoids.

    As under the Joint Crediting Mechanism, a project earns credits per tonne of recyclate; the
    developer's share raises what recyclers can pay per tonne of input (times the yield).
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
        "Share of credit revenue passed into recycler prices (rest: verification, fees).",
        0.7,
        ge=0,
        le=1,
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        credit = self.price_usd_per_t_co2e * strength * cond.recycling_credit_t_co2e_per_t
        cond.carbon_credit_usd_per_t = cond.carbon_credit_usd_per_t + credit
        top_up = credit * cond.recycling_yield * self.developer_share * (cond.recycler_price_usd_per_t > 0)
        raise_recycler_prices(cond, top_up, behaviour.PRICE_PASS_THROUGH)
