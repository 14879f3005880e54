"""Levers on disposal: landfill tax, open-burning enforcement, new facilities."""

from __future__ import annotations

from typing import Any, ClassVar

from sim import behaviour
from sim.conditions import Conditions
from sim.levers.base import Lever, Pillar, lever_param


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
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        tax = self.tax_usd_per_t * strength
        cond.landfill_tax_usd_per_t_msw += tax
        cond.fee_usd_per_household_month += self.pass_through_to_fee * tax * cond.msw_t_per_household_month


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
        """Change the step's conditions at ``strength`` (0-1); see the class docstring."""
        fine_days = self.fine_usd / cond.median_daily_income_usd
        cond.burn_enforcement += strength * float(
            behaviour.enforcement_logit_shift(
                fine_days, self.detection_probability, cond.enforcement_logit_per_income_day
            )
        )


class NewFacilities(Lever):
    """New facilities opening in ``start_year`` (closing after ``end_year`` if set).

    Capacities are added to the material-flow graph when the model is built; collection sends
    mixed waste to incinerators and MRFs with room first, residues go to incinerators, then
    landfills. A capacity of 0 means no such facility; switched on with its defaults, the lever
    opens a material recovery facility and a recycler (whose lines follow the scenario's
    ``market.capacity_share``).
    """

    label: ClassVar[str] = "New facilities"
    evidence: ClassVar[str] = (
        "Ang Snuol 50 ha landfill (pp_new_landfill_area); a 100 t/day recycler exists "
        "(pp_recycler_lim_vanny_capacity); Japan: 1,016 incinerators, 404 with power "
        "(jp_incinerators_fy2022)."
    )

    mrf_t_msw_per_day: float = lever_param(
        "t MSW/day", "Material recovery facility throughput (0 = none).", 300.0, ge=0, le=20000
    )
    recycler_t_per_day: float = lever_param(
        "t/day", "Plastic recycling capacity (input; 0 = none).", 50.0, ge=0, le=10000
    )
    incinerator_t_msw_per_day: float = lever_param(
        "t MSW/day", "Waste-to-energy incinerator throughput (0 = none).", 0.0, ge=0, le=50000
    )
    incinerator_energy_efficiency: float = lever_param(
        "fraction", "Electric efficiency of the incinerator.", 0.22, ge=0, le=0.45
    )
    landfill_capacity_t_msw: float = lever_param(
        "t MSW", "Space of a new sanitary landfill (0 = none).", 0.0, ge=0, le=1e9
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
