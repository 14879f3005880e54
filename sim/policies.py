"""Policy levers: time-scheduled changes to what agents face.

Each lever is a pydantic model with a start year, an optional ramp and end year, and parameters
with units and bounds; a scenario lists levers under ``policies:`` by name. A lever acts only by
changing the step's :class:`~sim.agents.Conditions` (prices, fees, coverage, enforcement,
rules), never by overwriting outcomes. Field metadata (``unit``, ``pillar``, description) is the
one definition the CLI, the docs and the app read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sim import behaviour
from sim.agents import Conditions
from sim.materials import GROUPS, MATERIALS, N_MATERIALS, Material, SeparationGroup
from sim.sections import Section, field_bounds

if TYPE_CHECKING:
    from sim.scenario import Facility, Scenario

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
        """Share of full strength in force at the step of ``cond`` (0 before start)."""
        t = years_in_force(self, cond)
        if t < 0 or (self.end_year is not None and cond.year > self.end_year):
            return 0.0
        if self.ramp_years == 0:
            return 1.0
        return min(1.0, (t + 1 / 12) / self.ramp_years)

    def apply(self, cond: Conditions, strength: float) -> None:
        """Change ``cond`` in place at the given strength (0..1)."""
        raise NotImplementedError


def years_in_force(lever: Lever, cond: Conditions) -> float:
    """Years since ``lever`` started, at the start of the step of ``cond`` (negative before)."""
    return cond.year + (cond.month - 1) / 12 - lever.start_year


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


def raise_recycler_prices(cond: Conditions, usd_per_t: np.ndarray, pass_through: float) -> None:
    """Add to what recyclers pay, passing a share down to junk shops and on to households.

    Args:
        cond: Conditions to change.
        usd_per_t: Rise of the recycler price by material [USD/t].
        pass_through: Share of a rise passed down each link [fraction].
    """
    cond.recycler_price_usd_per_t = cond.recycler_price_usd_per_t + usd_per_t
    cond.junkshop_price_usd_per_t = cond.junkshop_price_usd_per_t + usd_per_t * pass_through
    cond.household_price_usd_per_t = cond.household_price_usd_per_t + usd_per_t * pass_through**2


def subsidise_recyclers(cond: Conditions, usd_per_t: np.ndarray) -> None:
    """Pay recyclers ``usd_per_t`` per tonne of input (recorded), raising what they can pay."""
    cond.recycling_subsidy_usd_per_t = cond.recycling_subsidy_usd_per_t + usd_per_t
    raise_recycler_prices(cond, usd_per_t, behaviour.PRICE_PASS_THROUGH)


def generated_t(cond: Conditions) -> np.ndarray:
    """Plastic generated in the step by material [t], from the conditions."""
    return cond.population * cond.plastic_kg_per_person_step * cond.composition / 1000.0


def material_mask(materials: list[Material]) -> np.ndarray:
    """1.0 for the listed materials, 0.0 for the others (``MATERIALS`` order)."""
    return np.array([m in materials for m in MATERIALS], dtype=float)


def group_mask(groups: list[SeparationGroup]) -> np.ndarray:
    """1.0 for the listed separation groups (``GROUPS`` order)."""
    return np.array([g in groups for g in GROUPS], dtype=float)


class CollectionCoverage(Lever):
    """Extend formal door-to-door collection towards a target coverage in each district.

    Raises the share of households the collection service reaches; whether a served household
    uses it still depends on the fee relative to its income.
    """

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
        default_factory=list,
        description="Districts concerned; empty = all districts.",
        json_schema_extra={"unit": "district names"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        for name, now in cond.coverage.items():
            if not self.districts or name in self.districts:
                target = max(now, self.target_coverage)
                cond.coverage[name] = now + strength * (target - now)


class BagLevy(Lever):
    """A levy on plastic carrier bags at the till, and optionally a ban on thin bags.

    Bag use where the levy is charged falls along :func:`sim.behaviour.bag_use_ratio` of the
    levy in days of median household income; a thin-bag ban swaps thin bags for heavier ones
    used more than once (:func:`sim.behaviour.thin_bag_ban_mass_ratio`). Film put on the market
    falls by the carrier bags' share of it.
    """

    label: ClassVar[str] = "Plastic-bag levy and thin-bag ban"
    evidence: ClassVar[str] = (
        "Ireland 2002: EUR 0.15 levy cut bags from 328 to 21 per person per year "
        "(bag_levy_ireland_*); Phnom Penh supermarkets' 400-riel fee halved bags by cashiers' "
        "account (bag_fee_effect_supermarkets); Sub-Decree 168 bans bags under 0.03 mm."
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
        ratio = float(behaviour.bag_use_ratio(self.levy_usd_per_bag / cond.median_daily_income_usd))
        bags = 1.0 - strength * self.covered_share * (1.0 - ratio)
        bags *= 1.0 + strength * (float(behaviour.thin_bag_ban_mass_ratio(self.thin_bag_ban_compliance)) - 1)
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
        scale_generation(cond, 1.0 - strength * self.reduction_share * material_mask(self.materials))


class DepositReturn(Lever):
    """A deposit on PET beverage bottles, refunded at return points.

    Consumers pay the deposit with the drink; households return bottles with a probability that
    follows :func:`sim.behaviour.deposit_return_rate` of the deposit in days of *their own*
    income, the time since launch and return-point access (calibrated on Lithuania). Returned
    bottles go to deposit points and on to junk shops and recyclers, no longer through itinerant
    buyers or street pickers (a loss of their income unless pickers may redeem what they pick).
    Deposits paid, refunds and the unredeemed float are recorded in USD.
    """

    label: ClassVar[str] = "Deposit-return scheme"
    evidence: ClassVar[str] = (
        "Lithuania 2016: EUR 0.10 deposit; PET return 34% before, 74% in year 1, 92% from year 2 "
        "(drs_lithuania_*); curve in sim.behaviour.deposit_return_rate."
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
        recyclable = cond.recycler_price_usd_per_t > 0
        modulation = np.where(recyclable, 1.0 - self.eco_modulation, 1.0 + self.eco_modulation)
        fee = self.fee_usd_per_t * strength * modulation
        scale_generation(cond, behaviour.demand_multiplier(fee / behaviour.PACKAGING_PRICE_USD_PER_T))
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
            subsidise_recyclers(cond, top_up)


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


class LandfillTax(Lever):
    """A tax (or higher gate fee) per tonne of waste landfilled, passed on in collection fees.

    The city pays it on what it landfills and passes ``pass_through_to_fee`` of it to
    households' monthly fee; a higher fee in days of income lowers use of formal collection, so
    with weak enforcement more waste is burned or dumped.
    """

    label: ClassVar[str] = "Landfill tax / gate fee"
    evidence: ClassVar[str] = (
        "Fee non-payment is the main barrier to collection (pp_service_signup_rate; 30-50% "
        "sign up where offered); fee response behaviour.fee_coef (assumption_fee_response)."
    )

    tax_usd_per_t: float = lever_param("USD/t MSW", "Tax per tonne of waste landfilled.", 10.0, ge=0, le=200)
    pass_through_to_fee: float = lever_param(
        "fraction", "Share of the tax passed on to households' collection fee.", 1.0, ge=0, le=1
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        tax = self.tax_usd_per_t * strength
        cond.landfill_tax_usd_per_t_msw += tax
        cond.fee_usd_per_household_month += self.pass_through_to_fee * tax * cond.msw_t_per_household_month


class SourceSeparation(Lever):
    """Mandatory separation of dry recyclables at source, with enforcement and separate collection.

    A legal duty shifts each targeted group's separation logit by ``norm_shift_logit`` (the
    injunctive norm, refusal of unsorted bags) plus the expected fine in days of income
    (:func:`sim.behaviour.enforcement_logit_shift`); habit and neighbours then amplify it.
    Served households' separated plastic that nobody buys is collected separately and sorted.
    """

    label: ClassVar[str] = "Mandatory source separation"
    evidence: ClassVar[str] = (
        "No Cambodian participation rate (kh_hh_separation_participation, GAP); Japan's "
        "municipal separation reaches 94% of PET (jp_pet_collection_rate_fy2022). Shifts are "
        "labelled assumptions."
    )

    fine_usd: float = lever_param("USD", "Fine per offence (unsorted waste set out).", 5.0, ge=0, le=500)
    inspection_probability: float = lever_param(
        "1/month", "Chance per month that an offending household is fined.", 0.05, ge=0, le=1
    )
    norm_shift_logit: float = lever_param(
        "logit", "Effect of the legal duty itself on the propensity to separate.", 1.0, ge=0, le=8
    )
    separate_collection_share: float = lever_param(
        "fraction",
        "Share of served households given separate collection of dry recyclables.",
        1.0,
        ge=0,
        le=1,
    )
    groups: list[SeparationGroup] = Field(
        default_factory=lambda: [SeparationGroup.PET, SeparationGroup.RIGID, SeparationGroup.FILM],
        description="Separation groups the duty covers.",
        json_schema_extra={"unit": "groups"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        fine_days = self.fine_usd / cond.median_daily_income_usd
        shift = self.norm_shift_logit + float(
            behaviour.enforcement_logit_shift(fine_days, self.inspection_probability)
        )
        cond.separation_shift_by_group = cond.separation_shift_by_group + strength * shift * group_mask(
            self.groups
        )
        cond.separate_collection_share = max(
            cond.separate_collection_share, strength * self.separate_collection_share
        )


class AwarenessCampaign(Lever):
    """Campaign waves (pledges, door-to-door contact) asking households to separate.

    Each wave raises the share of households separating the targeted groups by
    :func:`sim.behaviour.campaign_effect_pp` (about 9.5 pp at first, decaying to about 4 pp over
    three years at intensity 1), applied as extra separators on top of the household logit.
    """

    label: ClassVar[str] = "Awareness campaigns"
    evidence: ClassVar[str] = (
        "Pledge field study: +9-10 pp first 15 weeks, +4.8 pp long run, 3.1-4.5 pp after 3-4 years "
        "(pledge_effect_sorting_longrun); information alone ~0 (info_only_campaign_effect_shanghai); "
        "meta-analysis Fisher z 0.195 (recycling_interventions_meta_effect)."
    )

    intensity: float = lever_param(
        "fraction",
        "1 = pledge and personal contact as in the field study; 0 = information only.",
        1.0,
        ge=0,
        le=1,
    )
    cost_usd_per_household: float = lever_param(
        "USD/household", "Cost per household reached per wave (Shanghai: about 8 USD).", 8.0, ge=0, le=100
    )
    repeat_every_years: float = lever_param("years", "Years between waves; 0 = one wave.", 3.0, ge=0, le=20)
    groups: list[SeparationGroup] = Field(
        default_factory=lambda: [SeparationGroup.PET, SeparationGroup.RIGID, SeparationGroup.FILM],
        description="Separation groups the campaign asks for.",
        json_schema_extra={"unit": "groups"},
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        t = years_in_force(self, cond)
        if self.repeat_every_years > 0:
            t = t % self.repeat_every_years
        if t * 365.25 < cond.days - 1e-9:  # a wave starts in this step
            cond.programme_cost_usd += self.cost_usd_per_household * cond.households * strength
        weeks = (t + mid_step(cond)) * behaviour.WEEKS_PER_YEAR
        effect = float(behaviour.campaign_effect_pp(weeks, self.intensity)) / 100.0
        cond.extra_separation_by_group = np.maximum(
            cond.extra_separation_by_group, strength * effect * group_mask(self.groups)
        )


class InformalIntegration(Lever):
    """Registering waste pickers into cooperatives with access to waste and direct sales.

    Pickers get access to sorting at collection points and the landfill (a larger share of each
    material), a price premium from selling to recyclers as a group, and optionally a stipend.
    """

    label: ClassVar[str] = "Informal-sector integration"
    evidence: ClassVar[str] = (
        "About 4,000 street pickers and ~2,900 on the dump (pp_waste_pickers_*); small dealers "
        "earn ~100 USD/month (pp_scrap_dealers). Effects are labelled assumptions."
    )

    pick_share_increase: float = lever_param(
        "fraction",
        "Added to the largest share pickers take from set-out waste and the landfill.",
        0.2,
        ge=0,
        le=0.6,
    )
    price_premium_share: float = lever_param(
        "fraction", "Price premium of cooperatives over the junk-shop price.", 0.15, ge=0, le=1
    )
    stipend_usd_per_picker_month: float = lever_param(
        "USD/person/month", "Public stipend per registered picker.", 0.0, ge=0, le=500
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        cond.street_pick_max_share = min(
            1.0, cond.street_pick_max_share + strength * self.pick_share_increase
        )
        cond.dump_pick_max_share = min(1.0, cond.dump_pick_max_share + strength * self.pick_share_increase)
        cond.picker_price_premium += strength * self.price_premium_share
        cond.picker_stipend_usd_per_month += strength * self.stipend_usd_per_picker_month


class OpenBurningEnforcement(Lever):
    """Fines for burning waste in the open, with patrols.

    Shifts each household's burn-or-dump choice against burning by
    :func:`sim.behaviour.enforcement_logit_shift` of the expected fine in days of median income.
    Without collection, what is not burned is dumped: burning falls, dumping rises.
    """

    pillar: ClassVar[Pillar] = "pollution_control"
    label: ClassVar[str] = "Open-burning enforcement"
    evidence: ClassVar[str] = (
        "Burning share is a gap (kh_open_burning_share); response is a labelled assumption "
        "(assumption_enforcement_response)."
    )

    fine_usd: float = lever_param("USD", "Fine per offence.", 25.0, ge=0, le=1000)
    detection_probability: float = lever_param(
        "1/month", "Chance per month that a household burning waste is fined.", 0.2, ge=0, le=1
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        fine_days = self.fine_usd / cond.median_daily_income_usd
        cond.burn_enforcement += strength * float(
            behaviour.enforcement_logit_shift(fine_days, self.detection_probability)
        )


class NewFacilities(Lever):
    """New facilities opening in ``start_year`` (closing after ``end_year`` if set).

    Capacities are added to the material-flow graph when the model is built; collection sends
    mixed waste to incinerators and MRFs with room first, residues go to incinerators, then
    landfills. A capacity of 0 means no such facility.
    """

    label: ClassVar[str] = "New facilities"
    evidence: ClassVar[str] = (
        "Ang Snuol 50 ha landfill (pp_new_landfill_area); a 100 t/day recycler exists "
        "(pp_recycler_lim_vanny_capacity); Japan: 1,016 incinerators, 404 with power "
        "(jp_incinerators_fy2022)."
    )

    mrf_t_msw_per_day: float = lever_param(
        "t MSW/day", "Material recovery facility throughput.", 0.0, ge=0, le=20000
    )
    recycler_t_per_day: float = lever_param(
        "t/day", "Plastic recycling capacity (input).", 0.0, ge=0, le=10000
    )
    incinerator_t_msw_per_day: float = lever_param(
        "t MSW/day", "Waste-to-energy incinerator throughput.", 0.0, ge=0, le=50000
    )
    incinerator_energy_efficiency: float = lever_param(
        "fraction", "Electric efficiency of the incinerator.", 0.22, ge=0, le=0.45
    )
    landfill_capacity_t_msw: float = lever_param(
        "t MSW", "Space of a new sanitary landfill.", 0.0, ge=0, le=1e9
    )

    def apply(self, cond: Conditions, strength: float) -> None:
        """Nothing to change per step: the facilities are part of the graph."""

    def facility_specs(self) -> dict[str, dict[str, Any]]:
        """The facilities this lever adds, as scenario ``facilities:`` entries."""
        common = {"open_year": self.start_year, "close_year": self.end_year}
        specs: dict[str, dict[str, Any]] = {}
        if self.mrf_t_msw_per_day > 0:
            specs["new_mrf"] = {"kind": "mrf", "capacity_t_per_day": self.mrf_t_msw_per_day, **common}
        if self.recycler_t_per_day > 0:
            specs["new_recycler"] = {
                "kind": "recycler",
                "capacity_t_per_day": self.recycler_t_per_day,
                **common,
            }
        if self.incinerator_t_msw_per_day > 0:
            specs["new_incinerator"] = {
                "kind": "incinerator",
                "capacity_t_per_day": self.incinerator_t_msw_per_day,
                "energy_recovery_efficiency": self.incinerator_energy_efficiency,
                **common,
            }
        if self.landfill_capacity_t_msw > 0:
            specs["new_landfill"] = {"kind": "landfill", "capacity_t": self.landfill_capacity_t_msw, **common}
        return specs


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


def all_facilities(scenario: Scenario) -> dict[str, Facility]:
    """The scenario's facilities plus those its ``new_facilities`` lever adds."""
    from sim.scenario import Facility

    out = dict(scenario.facilities)
    lever = scenario.policies.new_facilities
    if lever is not None:
        for name, spec in lever.facility_specs().items():
            out[name if name not in out else f"{name}_lever"] = Facility(**spec)
    return out


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
        cls = next(a for a in field.annotation.__args__ if a is not type(None))
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
