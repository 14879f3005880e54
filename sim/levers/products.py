"""Levers on what is put on the market: bag levy, single-use reduction, deposits, producer fees."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from sim import behaviour
from sim.conditions import Conditions
from sim.levers.base import (
    Lever,
    generated_t,
    lever_param,
    material_mask,
    mid_step,
    scale_generation,
    support_recyclers,
    years_in_force,
)
from sim.materials import MATERIALS, N_MATERIALS, Material


class BagLevy(Lever):
    """A levy on plastic carrier bags at the till, and optionally a ban on thin bags.

    Bag use where the levy is charged falls by :func:`sim.behaviour.bag_use_cut` of the levy in
    days of GDP per capita at the median household's income (the curve fitted on the panel,
    ``behaviour_response.bags``); ``covered_share`` is where it is really charged. A thin-bag
    ban swaps thin bags for heavier ones used more than once
    (:func:`sim.behaviour.thin_bag_ban_mass_ratio`). Film put on the market falls by the
    carrier bags' share of it.
    """

    label: ClassVar[str] = "Plastic-bag levy and thin-bag ban"
    evidence: ClassVar[str] = (
        "Fitted on bag charges in 10 jurisdictions (data/behaviour, docs/behaviour.md): a visible "
        "charge matters more than its size; Phnom Penh supermarkets' 400-riel fee halved bags by "
        "cashiers' account (bag_fee_effect_supermarkets); Sub-Decree 168 bans bags under 0.03 mm."
    )

    levy_usd_per_bag: float = lever_param(
        "USD/bag", "Charge per carrier bag (400 riel is about 0.10 USD).", 0.10, ge=0, le=2
    )
    covered_share: float = lever_param(
        "fraction",
        "Share of carrier bags handed out where the levy is really charged (supermarkets only: "
        "low; all shops and markets: high).",
        0.8,
        ge=0,
        le=1,
    )
    thin_bag_ban_compliance: float = lever_param(
        "fraction", "Share of thin bags (< 0.03 mm) replaced by thicker ones; 0 = no ban.", 0.0, ge=0, le=1
    )
    bag_share_of_film: float = lever_param(
        "fraction",
        "Carrier bags' share of film waste (10 M bags/day at 150 bags/kg against film "
        "generated, derived_bag_share_of_film).",
        0.3,
        ge=0,
        le=1,
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        response = cond.behaviour_response
        assert response is not None, "the model sets cond.behaviour_response"
        days, gdp = behaviour.panel_days(
            self.levy_usd_per_bag,
            cond.median_daily_income_usd,
            cond.population / cond.households,
            response.gdp_per_capita_per_income_per_person,
        )
        fit = response.bags
        cut = float(
            behaviour.bag_use_cut(days, fit.salience_logit, fit.slope_per_log_days, fit.shift(days, gdp))
        )
        bags = 1.0 - strength * self.covered_share * cut
        ratio = behaviour.thin_bag_ban_mass_ratio(
            self.thin_bag_ban_compliance, cond.thick_bag_mass_ratio, cond.thick_bag_uses
        )
        bags *= 1.0 + strength * (float(ratio) - 1)
        multiplier = np.ones(N_MATERIALS)
        multiplier[MATERIALS.index(Material.FILM)] = 1.0 - self.bag_share_of_film * (1.0 - bags)
        scale_generation(cond, multiplier)


class SingleUseReduction(Lever):
    """Bans on single-use items and reuse systems (refill, reusable containers, bulk sale).

    Reduces what is put on the market of the listed materials by ``reduction_share`` at full
    strength (a rule on products, acting upstream of households).
    """

    label: ClassVar[str] = "Single-use reduction and reuse"
    evidence: ClassVar[str] = (
        "No Cambodian measurement; 'Today I Will Not Use Plastic Bags' campaign since 2023 "
        "(no_plastic_bag_campaign_participants). The reduction is a scenario input, not a "
        "calibrated response."
    )

    reduction_share: float = lever_param(
        "fraction", "Share of single-use items of the listed materials replaced by reuse.", 0.2, ge=0, le=0.9
    )
    materials: list[Material] = Field(
        default_factory=lambda: [Material.FILM, Material.PS_FOAM, Material.MULTILAYER],
        description="Materials concerned.",
        json_schema_extra={"unit": "materials"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        scale_generation(cond, 1.0 - strength * self.reduction_share * material_mask(self.materials))


class DepositReturn(Lever):
    """A deposit on PET beverage bottles, refunded at return points.

    Consumers pay the deposit with the drink; households return bottles with a probability that
    follows :func:`sim.behaviour.deposit_return_rate` of the deposit in days of GDP per capita at
    *their own* income, the time since launch, the return model and return-point access (fitted
    on 27 jurisdictions, ``behaviour_response.deposit``). Returned bottles go to deposit points
    and on to junk shops and recyclers, no longer through itinerant buyers or street pickers (a
    loss of their income unless pickers may redeem what they pick).
    Deposits paid, refunds and the unredeemed float are recorded in USD.
    """

    label: ClassVar[str] = "Deposit-return scheme"
    evidence: ClassVar[str] = (
        "Fitted on 27 deposit schemes (data/behaviour, docs/behaviour.md): return ceilings set by "
        "the return model, ramp-up after launch, erosion of fixed deposits as incomes grow."
    )

    deposit_usd_per_container: float = lever_param(
        "USD/container", "Deposit per bottle (200 riel is about 0.05 USD).", 0.05, ge=0.005, le=1
    )
    covered_share_of_pet: float = lever_param(
        "fraction",
        "Share of PET waste that is deposit-bearing beverage bottles (assumption_drs_covered_share).",
        0.8,
        ge=0,
        le=1,
    )
    return_points_per_10k_people: float = lever_param(
        "points/10,000 people", "Density of return points (shops, machines, drop-offs).", 5.0, ge=0, le=50
    )
    picker_redemption_share: float = lever_param(
        "fraction",
        "Share of the deposit waste pickers get for deposit bottles they pick from waste "
        "(0 = return points refund households only).",
        0.0,
        ge=0,
        le=1,
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        covered = np.zeros(N_MATERIALS)
        covered[MATERIALS.index(Material.PET)] = self.covered_share_of_pet * strength
        cond.deposit_usd_per_container = self.deposit_usd_per_container
        cond.deposit_covered_share = covered
        cond.deposit_years_since_launch = years_in_force(self, cond) + mid_step(cond)
        cond.return_access = float(behaviour.return_point_access(self.return_points_per_10k_people))
        cond.picker_redemption_share = self.picker_redemption_share


class ProducerResponsibility(Lever):
    """Extended producer responsibility: a fee per tonne of plastic put on the market.

    The fee is eco-modulated (materials without a recycling market pay ``1 + eco_modulation``
    times it, recyclable ones ``1 - eco_modulation`` times it), is passed on in prices (demand
    falls with :func:`sim.behaviour.demand_multiplier`) and fills a fund that pays for (a) more
    collection coverage at a cost per extra household served and (b) a top-up per tonne of
    recyclable plastic delivered to recyclers.
    """

    label: ClassVar[str] = "Extended producer responsibility"
    evidence: ClassVar[str] = (
        "Japan's container and packaging law: producer fees 90% of the recycling body's revenue, "
        "PET recycling 3.5% (1996) to 77% (2010) (jp_cprl_pro_cost_vs_municipal); Lithuania "
        "producer fee PET EUR 0.027/container (drs_lithuania_handling_fee_pet). Demand response "
        "and costs are labelled assumptions."
    )

    fee_usd_per_t: float = lever_param(
        "USD/t", "Base fee per tonne of plastic put on the market.", 100.0, ge=0, le=2000
    )
    eco_modulation: float = lever_param(
        "fraction", "Fee spread by recyclability: +x for unrecyclable, -x for recyclable.", 0.5, ge=0, le=1
    )
    share_to_collection: float = lever_param(
        "fraction",
        "Share of the fund paying for collection coverage; the rest tops up recycling.",
        0.5,
        ge=0,
        le=1,
    )
    collection_cost_usd_per_household_month: float = lever_param(
        "USD/household/month",
        "Cost of serving one more household (assumption_collection_cost_per_household).",
        4.5,
        ge=0.1,
        le=50,
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        recyclable = cond.recycler_price_usd_per_t > 0
        modulation = np.where(recyclable, 1.0 - self.eco_modulation, 1.0 + self.eco_modulation)
        fee = self.fee_usd_per_t * strength * modulation
        scale_generation(
            cond,
            behaviour.demand_multiplier(
                fee / cond.packaging_value_usd_per_t, cond.packaging_demand_elasticity
            ),
        )
        cond.producer_fee_usd_per_t = cond.producer_fee_usd_per_t + fee
        tonnes = generated_t(cond)
        revenue_per_month = float(fee @ tonnes) * behaviour.DAYS_PER_MONTH / cond.days
        # (a) coverage: extra households served, spread over the unserved in proportion.
        extra = self.share_to_collection * revenue_per_month / self.collection_cost_usd_per_household_month
        unserved = sum(cond.households * cond.district_share[d] * (1 - c) for d, c in cond.coverage.items())
        if unserved > 0:
            reach = min(1.0, extra / unserved)
            for d, c in cond.coverage.items():
                cond.coverage[d] = c + reach * (1 - c)
        cond.programme_cost_usd += (
            self.share_to_collection * revenue_per_month * cond.days / behaviour.DAYS_PER_MONTH
        )
        # (b) top-up per tonne of recyclable plastic, budgeted on all recyclable tonnes generated.
        recyclable_t = float(tonnes @ recyclable)
        if recyclable_t > 0:
            top_up = (1 - self.share_to_collection) * float(fee @ tonnes) / recyclable_t * recyclable
            cond.producer_payment_usd_per_t = cond.producer_payment_usd_per_t + top_up
            support_recyclers(cond, top_up)
