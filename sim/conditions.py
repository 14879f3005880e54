"""What agents face in one step: prices, fees, coverage, rules.

The model builds one :class:`Conditions` per step from the scenario; levers (:mod:`sim.levers`)
change it, and agents (:mod:`sim.agents`) read it. It is the only channel through which a policy
reaches behaviour, so a lever can change what agents face but never an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.materials import N_GROUPS, N_MATERIALS

if TYPE_CHECKING:
    from sim.scenario import BehaviourResponse


@dataclass
class Conditions:
    """What agents face in one step: prices, fees, rules. Policies act by changing these.

    Arrays are by material (``MATERIALS`` order) unless named ``_by_group``.
    """

    step: int
    year: int
    month: int
    days: float  # length of the step [days]
    year_fraction: float  # time since 1 January at the start of the step [years]
    population: float  # [persons]
    plastic_kg_per_person_step: float  # [kg/person/step]
    plastic_share_of_msw: float  # [fraction]
    composition: np.ndarray  # share of plastic by material [fraction], sums to 1
    # Prices this step, from the secondary-materials market (sim.market) [USD/t].
    household_price_usd_per_t: np.ndarray  # what itinerant buyers pay households
    junkshop_price_usd_per_t: np.ndarray  # what junk shops pay pickers and buyers
    recycler_price_usd_per_t: np.ndarray  # the market price: what recyclers and exporters pay
    export_price_usd_per_t: np.ndarray  # export reference price this year
    income_multiplier: float  # income relative to the start year
    fee_usd_per_household_month: float
    coverage: dict[str, float]  # district -> share of households served
    leak_multiplier: float  # seasonal multiplier of the water leak share
    separation_shift_by_group: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    burn_enforcement: float = 0.0  # logit shift against burning
    # Context levers read (set by the model each step).
    median_daily_income_usd: float = 0.0  # median household income [USD/household/day]
    households: float = 0.0  # households in the city [households]
    msw_t_per_household_month: float = 0.0  # all MSW a household makes [t/household/month]
    district_share: dict[str, float] = field(default_factory=dict)  # share of households
    units_per_kg: np.ndarray = field(default_factory=lambda: np.zeros(N_MATERIALS))  # [items/kg]
    recycling_yield: np.ndarray = field(default_factory=lambda: np.zeros(N_MATERIALS))  # [fraction]
    recycling_credit_t_co2e_per_t: np.ndarray = field(default_factory=lambda: np.zeros(N_MATERIALS))
    # Rules levers change.
    street_pick_max_share: float = 0.0  # largest share street pickers take [fraction]
    dump_pick_max_share: float = 0.0  # largest share landfill pickers take [fraction]
    picker_price_premium: float = 0.0  # pickers' price over the junk-shop price [fraction]
    picker_stipend_usd_per_month: float = 0.0  # paid to each registered picker [USD/person/month]
    extra_separation_by_group: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    separate_collection_share: float = 0.0  # separated unsold plastic collected separately [fraction]
    # Deposit return (per material: deposit carried by a tonne of waste, covered items only).
    deposit_usd_per_container: float = 0.0
    deposit_covered_share: np.ndarray = field(default_factory=lambda: np.zeros(N_MATERIALS))  # [fraction]
    deposit_years_since_launch: float = 0.0
    return_access: float = 0.0  # return-point access factor [0-1]
    behaviour_response: BehaviourResponse | None = None  # fitted responses (the scenario's)
    picker_redemption_share: float = 0.0  # share of the deposit pickers get for bottles they pick
    # Money that levers make flow (recorded by agents as it happens).
    producer_fee_usd_per_t: np.ndarray = field(default_factory=lambda: np.zeros(N_MATERIALS))
    recycling_subsidy_usd_per_t: np.ndarray = field(default_factory=lambda: np.zeros(N_MATERIALS))
    carbon_credit_usd_per_t: np.ndarray = field(
        default_factory=lambda: np.zeros(N_MATERIALS)
    )  # per t recyclate
    producer_payment_usd_per_t: np.ndarray = field(
        default_factory=lambda: np.zeros(N_MATERIALS)
    )  # per t input
    # What recyclers and export buyers face (levers change these; the market sets prices).
    recycler_support_usd_per_t: np.ndarray = field(
        default_factory=lambda: np.zeros(N_MATERIALS)
    )  # per t input
    recyclate_price_multiplier: np.ndarray = field(default_factory=lambda: np.ones(N_MATERIALS))
    export_open_share: np.ndarray = field(default_factory=lambda: np.ones(N_MATERIALS))  # [fraction]
    recyclate_premium_per_content_share: float = 0.0  # [fraction per fraction] (scenario's market)
    recyclate_premium_cap: float = 1.0  # [multiple] (scenario's market)
    enforcement_logit_per_income_day: float = 0.0  # [logit per day of income] (scenario's behaviour)
    packaging_value_usd_per_t: float = 1.0  # [USD/t] (scenario's behaviour)
    packaging_demand_elasticity: float = 0.0  # [dimensionless] (scenario's behaviour)
    thick_bag_mass_ratio: float = 1.0  # [multiple] (scenario's behaviour)
    thick_bag_uses: float = 1.0  # [uses] (scenario's behaviour)
    landfill_tax_usd_per_t_msw: float = 0.0
    programme_cost_usd: float = 0.0  # public programme spending this step [USD]

    @property
    def refund_usd_per_t(self) -> np.ndarray:
        """Deposit refunded per tonne of deposit-bearing containers, by material [USD/t]."""
        covered = self.deposit_covered_share > 0
        return self.deposit_usd_per_container * self.units_per_kg * 1000.0 * covered
