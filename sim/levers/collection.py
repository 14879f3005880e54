"""Levers on collection and separation: coverage, a duty to separate, campaigns, waste pickers."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from sim import behaviour
from sim.conditions import Conditions
from sim.levers.base import Lever, Pillar, group_mask, lever_param, mid_step, years_in_force
from sim.materials import SeparationGroup


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
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        for name, now in cond.coverage.items():
            if not self.districts or name in self.districts:
                target = max(now, self.target_coverage)
                cond.coverage[name] = now + strength * (target - now)


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
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        fine_days = self.fine_usd / cond.median_daily_income_usd
        shift = self.norm_shift_logit + float(
            behaviour.enforcement_logit_shift(
                fine_days, self.inspection_probability, cond.enforcement_logit_per_income_day
            )
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
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
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
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        cond.street_pick_max_share = min(
            1.0, cond.street_pick_max_share + strength * self.pick_share_increase
        )
        cond.dump_pick_max_share = min(1.0, cond.dump_pick_max_share + strength * self.pick_share_increase)
        cond.picker_price_premium += strength * self.price_premium_share
        cond.picker_stipend_usd_per_month += strength * self.stipend_usd_per_picker_month
