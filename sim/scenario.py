"""The scenario schema (pydantic v2): every input with its unit, bounds and description.

Every parameter is declared once here; its default value and source come from the data tables
in ``data/`` (:mod:`sim.io`), and scenario files are read by :mod:`sim.loader`. Every number
must be finite (NaN and infinities are refused by the schema's base, :mod:`sim.sections`).
This module also holds the one walker of the schema (:func:`field_at`) that error messages,
sweeps and the app use to find a field's unit, description and type by its dotted path.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

from sim.behaviour import FITTED_RETURN_MODELS, deposit_curve_for, new_place_shift
from sim.errors import ScenarioError
from sim.levers import Policies
from sim.mapping import set_path
from sim.materials import MATERIALS, Material, SeparationGroup
from sim.sections import Section, param

SHARE_TOLERANCE = 1e-6


class Time(Section):
    """Simulated period and step length."""

    start_year: int = param("year", "First simulated year.", ge=2000, le=2100)
    end_year: int = param("year", "Last simulated year (inclusive).", ge=2000, le=2100)
    steps_per_year: Literal[12, 52] = param("steps/year", "12 = monthly steps, 52 = weekly.")

    @model_validator(mode="after")
    def _ordered(self) -> Time:
        if self.end_year < self.start_year:
            raise ValueError(f"end_year ({self.end_year}) must not be before start_year ({self.start_year})")
        return self

    @property
    def n_years(self) -> int:
        """Years simulated."""
        return self.end_year - self.start_year + 1

    @property
    def n_steps(self) -> int:
        """Steps simulated."""
        return self.n_years * self.steps_per_year


class City(Section):
    """The city as a whole: people, waste, incomes, seasons."""

    population: float = param("persons", "Population in the start year.", gt=0, le=5e7)
    population_growth_per_yr: float = param("1/year", "Population growth rate.", ge=-0.1, le=0.2)
    household_size_persons: float = param("persons/household", "Mean household size.", ge=1, le=12)
    msw_kg_per_capita_day: float = param(
        "kg/person/day", "Municipal solid waste generated per person.", gt=0, le=5
    )
    msw_per_capita_growth_per_yr: float = param("1/year", "Growth of MSW per person.", ge=-0.1, le=0.2)
    plastic_share_of_msw: float = param("fraction", "Mass share of plastic in MSW.", gt=0, le=0.6)
    median_household_income_usd_per_month: float = param(
        "USD/household/month", "Median household income in the start year.", ge=10, le=50000
    )
    income_sigma: float = param("log-sd", "Spread of household income (lognormal sigma).", ge=0, le=2)
    income_growth_per_yr: float = param("1/year", "Real income growth.", ge=-0.1, le=0.2)
    generation_income_elasticity: float = param(
        "dimensionless", "Elasticity of a household's plastic waste to its income.", ge=0, le=2
    )
    tourist_extra_waste_share: float = param(
        "fraction", "Extra waste per resident in the tourist season (visitors' waste).", ge=0, le=10
    )
    tourist_season_start_month: int = param("month", "First month of the tourist season.", ge=1, le=12)
    tourist_season_months: int = param("months", "Length of the tourist season; 0 = none.", ge=0, le=12)

    def in_tourist_season(self, month: int) -> bool:
        """Whether calendar ``month`` (1-12) falls in the tourist season."""
        return (month - self.tourist_season_start_month) % 12 < self.tourist_season_months


class District(Section):
    """One district (khan): its share of people, collection coverage, income, leakage."""

    population_2019: float = param("persons", "2019 population, used as a share.", gt=0)
    collection_coverage: float = param(
        "fraction", "Share of households reached by formal door-to-door collection.", ge=0, le=1
    )
    income_factor: float = param("multiplier", "Median income relative to the city median.", ge=0.05, le=10)
    water_leak_share: float = param(
        "fraction", "Share of plastic dumped on land that reaches waterways.", ge=0, le=1
    )


class MaterialParams(Section):
    """One plastic material: composition, 2025 prices, recycling economics, items per kg."""

    share_of_plastic: float = param("fraction", "Mass share of plastic waste.", ge=0, le=1)
    household_price_usd_per_t: float = param(
        "USD/t", "Price itinerant buyers paid households in 2025 (later: from the market).", ge=0, le=5000
    )
    junkshop_price_usd_per_t: float = param(
        "USD/t", "Price junk shops paid pickers and buyers in 2025 (later: from the market).", ge=0, le=5000
    )
    recycler_price_usd_per_t: float = param(
        "USD/t", "Price recyclers paid junk shops in 2025: the market's starting price.", ge=0, le=5000
    )
    export_price_usd_per_t: float = param(
        "USD/t", "Export reference price for baled material in 2025; 0 = no export market.", ge=0, le=5000
    )
    recyclate_price_usd_per_t: float = param(
        "USD/t", "International reference price of the recyclate (flakes, pellets) in 2025.", ge=0, le=10000
    )
    processing_cost_usd_per_t: float = param(
        "USD/t",
        "Recyclers' cost of processing a tonne of input (washing, flaking, pelletising).",
        ge=0,
        le=5000,
    )
    export_demand_t_per_day: float = param(
        "t/day",
        "Export buyers' demand at the export reference price (anchor of their demand curve).",
        ge=0,
        le=1e5,
    )
    recycling_yield: float = param("fraction", "Recyclate out per tonne into a recycler.", ge=0, le=1)
    pickable_share: float = param(
        "fraction",
        "Share of the material in mixed waste clean and dry enough for pickers to sell.",
        ge=0,
        le=1,
    )
    recycling_credit_t_co2e_per_t: float = param(
        "t CO2e/t", "Emissions avoided per tonne of recyclate.", ge=0, le=10
    )
    units_per_kg: float = param("items/kg", "Items per kg (bottles, bags); 0 if n/a.", ge=0)


class Behaviour(Section):
    """Households' choices: separation logit, formal collection use, burning."""

    separation_intercept: dict[SeparationGroup, float] = param(
        "logit", "Base propensity to keep each group apart from mixed waste."
    )
    value_coef: float = param(
        "logit per day of income",
        "Response to the monthly value of a separated group, in days of household income.",
        ge=0,
        le=20,
    )
    attitude_coef: float = param("logit per sd", "Weight of pro-environmental attitude.", ge=0, le=5)
    norm_coef: float = param(
        "logit per unit share", "Weight of the share of neighbours who separate.", ge=0, le=10
    )
    habit_coef: float = param("logit per unit habit", "Weight of habit.", ge=0, le=10)
    habit_half_life_months: float = param(
        "months", "Time for habit to move half way to current behaviour.", gt=0, le=120
    )
    neighbours: int = param("households", "Neighbours each household watches.", ge=2, le=50)
    formal_use_intercept: float = param(
        "logit", "Base propensity of a served household to use formal collection.", ge=-10, le=10
    )
    fee_coef: float = param(
        "logit per day of income", "Response to the monthly collection fee.", ge=-20, le=0
    )
    burn_intercept: float = param(
        "logit", "Propensity to burn rather than dump waste not handed over.", ge=-10, le=10
    )
    burn_sd: float = param("logit", "Spread of burning propensity across households.", ge=0, le=5)
    enforcement_logit_per_income_day: float = param(
        "logit per day of income",
        "Response to an expected monthly fine (fine x detection chance).",
        ge=0,
        le=20,
    )
    packaging_value_usd_per_t: float = param(
        "USD/t",
        "Value of plastic packaging to buyers of packaged goods (prices a producer fee against).",
        ge=100,
        le=20000,
    )
    packaging_demand_elasticity: float = param(
        "dimensionless", "Price elasticity of demand for plastic packaging.", ge=-5, le=0
    )
    thick_bag_mass_ratio: float = param(
        "multiple", "Mass of a thick (>= 0.03 mm) bag relative to a thin one (thin-bag ban).", ge=1, le=10
    )
    thick_bag_uses: float = param("uses", "Uses of a thick bag before it is thrown away.", ge=1, le=50)
    spin_up_months: float = param(
        "months", "Months of household choices run before the start so habits and norms settle.", ge=0, le=120
    )

    @model_validator(mode="after")
    def _all_groups(self) -> Behaviour:
        missing = set(SeparationGroup) - set(self.separation_intercept)
        if missing:
            raise ValueError(f"separation_intercept lacks groups: {sorted(missing)}")
        return self


class Collection(Section):
    """The formal collection service."""

    fee_usd_per_household_month: float = param("USD/household/month", "Formal collection fee.", ge=0, le=200)
    cost_usd_per_t: float = param("USD/t", "Cost of collection and haulage per tonne.", ge=0, le=500)
    capacity_t_per_day: float = param("t MSW/day", "Fleet capacity, all waste.", ge=0, le=1e5)


class Informal(Section):
    """Waste pickers and how much they take."""

    street_pickers: float = param("persons", "Waste pickers working streets and bins.", ge=0, le=1e6)
    dump_pickers: float = param("persons", "Waste pickers working landfills.", ge=0, le=1e6)
    street_pick_max_share: float = param(
        "fraction", "Largest share of a material pickers take from set-out waste.", ge=0, le=1
    )
    dump_pick_max_share: float = param(
        "fraction", "Largest share of a material pickers take at the landfill.", ge=0, le=1
    )
    pick_half_price_usd_per_t: float = param(
        "USD/t", "Junk-shop price at which picking reaches half its maximum.", gt=0, le=5000
    )


class Aggregation(Section):
    """Junk shops and material recovery facilities."""

    sort_yield: float = param("fraction", "Share of bought material junk shops can sell on.", ge=0, le=1)
    inventory_months: float = param(
        "months", "Most unsold material a junk shop holds, in months of what it buys.", ge=0, le=24
    )
    mrf_recovery_share: float = param(
        "fraction", "Share of each saleable material an MRF recovers from mixed waste.", ge=0, le=1
    )


class Market(Section):
    """The secondary-materials market: price formation, export demand, recyclers' investment."""

    price_half_life_months: float = param(
        "months", "Time for the price to close half its gap to the clearing price.", gt=0, le=24
    )
    price_floor_share: float = param(
        "fraction of the 2025 price", "Lowest price the market can fall to.", gt=0, le=1
    )
    price_ceiling_share: float = param(
        "multiple of the 2025 price", "Highest price the market can rise to.", ge=1, le=20
    )
    price_pass_through: float = param(
        "fraction",
        "Share of a price change passed down each link (recycler to junk shop to household).",
        ge=0,
        le=1,
    )
    cost_spread_share: float = param(
        "fraction of the 2025 price",
        "Spread of recyclers' costs (how smoothly demand falls as margins close).",
        gt=0,
        le=2,
    )
    export_elasticity: float = param(
        "dimensionless", "Price elasticity of export demand (more is bought at lower prices).", ge=0, le=10
    )
    export_ceiling_multiple: float = param(
        "multiple of the reference demand", "Most destinations' import rules let buyers take.", ge=0, le=20
    )
    capacity_share: dict[SeparationGroup, float] = param(
        "weight", "Share of recycling capacity by material family (a recycler's lines; normalised to sum 1)."
    )
    capex_usd_per_t_per_yr: float = param(
        "USD per t/yr of capacity", "Capital cost of recycling capacity.", gt=0, le=10000
    )
    capital_recovery_per_yr: float = param(
        "1/year", "Annual capital charge (interest and depreciation) per USD invested.", gt=0, le=1
    )
    investment_lead_months: float = param("months", "From an investment decision to operation.", ge=0, le=120)
    max_growth_per_yr: float = param(
        "1/year", "Fastest growth of a family's capacity when margins are well above the hurdle.", ge=0, le=5
    )
    max_retirement_per_yr: float = param(
        "1/year", "Fastest retirement of capacity when margins stay negative.", ge=0, le=1
    )
    normal_utilisation: float = param(
        "fraction", "Share of capacity a plant is expected to use (the hurdle assumes it).", gt=0, le=1
    )
    margin_memory_months: float = param(
        "months", "Half-life of recyclers' memory of margins (their expectation).", gt=0, le=120
    )
    seed_plant_t_per_day: float = param(
        "t/day", "Size of a first plant in a family with no capacity yet.", ge=0, le=1000
    )
    recyclate_premium_per_content_share: float = param(
        "fraction per fraction", "Recyclate price rise per unit of mandated recycled content.", ge=0, le=10
    )
    recyclate_premium_cap: float = param(
        "multiple", "Highest recyclate price multiplier a mandate can cause.", ge=1, le=10
    )
    reference_price_index: dict[int, float] = param(
        "multiple of 2025", "International reference prices by year (linear between years; flat beyond)."
    )

    @model_validator(mode="after")
    def _index_positive(self) -> Market:
        if not self.reference_price_index:
            raise ValueError("reference_price_index needs at least one year")
        if any(v < 0 for v in self.reference_price_index.values()):
            raise ValueError("reference_price_index values must not be negative")
        if any(v < 0 for v in self.capacity_share.values()) or sum(self.capacity_share.values()) <= 0:
            raise ValueError("capacity_share must be weights >= 0, not all 0 (they are normalised)")
        if any(not 1900 <= y <= 2200 for y in self.reference_price_index):
            raise ValueError("reference_price_index is keyed by calendar year (1900-2200)")
        return self

    @property
    def hurdle_usd_per_t(self) -> float:
        """Margin per tonne of input a recycler needs to earn its capital cost at full use [USD/t]."""
        return self.capex_usd_per_t_per_yr * self.capital_recovery_per_yr

    def price_index(self, years: float) -> float:
        """The international price index at a (fractional) calendar year."""
        return float(self.price_indices(np.asarray(years, dtype=float)))

    def price_indices(self, years: np.ndarray) -> np.ndarray:
        """The international price index at each of ``years`` (fractional calendar years)."""
        points = sorted(self.reference_price_index.items())
        return np.interp(years, [float(y) for y, _ in points], [v for _, v in points])


class Landfill(Section):
    """Landfill operation."""

    cost_usd_per_t: float = param("USD/t", "Landfill operating cost per tonne.", ge=0, le=500)


class Leakage(Section):
    """Plastic reaching waterways."""

    monsoon_factor: float = param("multiplier", "Leak share multiplier in the wet season.", ge=1, le=5)
    wet_season_start_month: int = param("month", "First month of the wet season.", ge=1, le=12)
    wet_season_months: int = param("months", "Length of the wet season; 0 = none.", ge=0, le=12)

    def in_wet_season(self, month: int) -> bool:
        """Whether calendar ``month`` (1-12) falls in the wet season."""
        return (month - self.wet_season_start_month) % 12 < self.wet_season_months


class Emissions(Section):
    """Emission factors (IPCC 2006, EPA WARM) and energy recovery."""

    open_burning_co2_t_per_t: float = param("t CO2/t", "Fossil CO2 from open burning.", ge=0, le=5)
    open_burning_non_co2_t_co2e_per_t: float = param("t CO2e/t", "CH4 and N2O from open burning.", ge=0, le=5)
    incineration_co2_t_per_t: float = param("t CO2/t", "Fossil CO2 from incineration.", ge=0, le=5)
    plastic_ncv_gj_per_t: float = param("GJ/t", "Net calorific value of plastic.", ge=0, le=60)
    grid_t_co2_per_mwh: float = param(
        "t CO2/MWh", "Grid electricity displaced by energy recovery.", ge=0, le=2
    )
    transport_kg_co2e_per_t_km: float = param(
        "kg CO2e/(t km)", "Collection and haulage vehicles.", ge=0, le=5
    )


class Logistics(Section):
    """Distances and haulage costs along the chain."""

    local_km: float = param("km", "Household to buyer, collector or drop-off.", ge=0, le=100)
    collection_to_facility_km: float = param("km", "Collection round to facility.", ge=0, le=500)
    aggregator_to_recycler_km: float = param("km", "Junk shop to recycler.", ge=0, le=1000)
    export_km: float = param("km", "Junk shop to export buyer.", ge=0, le=5000)
    transport_cost_usd_per_t_km: float = param("USD/(t km)", "Haulage cost.", ge=0, le=10)


FacilityKind = Literal["landfill", "incinerator", "recycler", "mrf"]


class Facility(Section):
    """A landfill, incinerator, recycler or MRF, with its opening years and capacity."""

    kind: FacilityKind = Field(..., description="landfill, incinerator, recycler or mrf.")
    open_year: int = param("year", "First year of operation.", ge=1900, le=2100)
    close_year: int | None = Field(
        None, description="Last year of operation (none = open to the end).", ge=1900, le=2100
    )
    capacity_t_per_day: float | None = Field(
        None, description="Throughput [t/day] (incinerator and MRF: MSW; recycler: plastic input).", ge=0
    )
    capacity_t: float | None = Field(
        None, description="Landfill: remaining space at the start [t MSW].", ge=0
    )
    energy_recovery_efficiency: float = Field(
        0.0, description="Incinerator: electric efficiency [fraction].", ge=0, le=1
    )

    @model_validator(mode="after")
    def _capacity_for_kind(self) -> Facility:
        if self.kind == "landfill" and self.capacity_t is None:
            raise ValueError("a landfill needs capacity_t (remaining space, t MSW)")
        if self.kind != "landfill" and self.capacity_t_per_day is None:
            raise ValueError(f"a {self.kind} needs capacity_t_per_day")
        if self.close_year is not None and self.close_year < self.open_year:
            raise ValueError(f"close_year ({self.close_year}) is before open_year ({self.open_year})")
        return self

    def is_open(self, year: int) -> bool:
        """Whether the facility operates in ``year``."""
        return self.open_year <= year and (self.close_year is None or year <= self.close_year)


class FittedResponse(Section):
    """Parameters a fitted curve shares: its spread and where a new place sits (one replicate).

    Defaults are replicate 0 of ``data/behaviour_fit.csv`` (``python -m sim behaviour fit``), whose
    bootstrap replicates the uncertainty runs draw jointly by dotted path.
    """

    residual_sd_logit: float = param("logit", "Spread of jurisdictions around the fitted curve.", ge=0, le=10)
    new_place_z: float = param(
        "standard normal draw",
        "Where this place sits around the curve, in residual sds (0 = central).",
        ge=-10,
        le=10,
    )
    extrapolation_sd_per_doubling: float = param(
        "residual sd per doubling", "Wider spread per doubling outside the panel (assumption).", ge=0, le=10
    )
    panel_max_days: float = param("days of GDP per capita", "Largest charge in the panel.", gt=0, le=1)
    panel_min_gdp_per_capita_usd: float = param(
        "USD/person/year", "Lowest GDP per capita in the panel.", gt=0, le=1e6
    )
    slope_per_log_days: float = param(
        "logit per ln(days of GDP per capita)", "Response to the charge relative to income.", ge=0, le=50
    )

    def shift(self, days: float | np.ndarray, gdp_per_capita_usd: float | np.ndarray) -> float:
        """Logit shift of this place at a charge and income (:func:`sim.behaviour.new_place_shift`)."""
        return float(
            new_place_shift(
                days,
                gdp_per_capita_usd,
                self.new_place_z,
                self.residual_sd_logit,
                self.extrapolation_sd_per_doubling,
                self.panel_max_days,
                self.panel_min_gdp_per_capita_usd,
                self.slope_per_log_days,
            )
        )


class DepositResponse(FittedResponse):
    """The fitted deposit-return curve (:func:`sim.behaviour.deposit_return_rate`)."""

    ceiling_retail: float = param("fraction", "Return ceiling with retail take-back.", gt=0, le=1)
    ceiling_depot: float = param("fraction", "Return ceiling with depots.", gt=0, le=1)
    ceiling_centres: float = param("fraction", "Return ceiling with redemption centres.", gt=0, le=1)
    logit_at_reference_retail: float = param(
        "logit", "Logit of rate over ceiling at 0.001 days of GDP per capita (retail).", ge=-30, le=30
    )
    logit_at_reference_depot: float = param(
        "logit", "Logit of rate over ceiling at 0.001 days of GDP per capita (depots).", ge=-30, le=30
    )
    logit_at_reference_centres: float = param(
        "logit", "Logit of rate over ceiling at 0.001 days of GDP per capita (centres).", ge=-30, le=30
    )
    ramp_years: float = param("years", "Time constant of ramp-up after launch.", gt=0, le=20)

    def curve(self, return_model: str) -> tuple[float, float]:
        """Ceiling and logit intercept of a return model (:func:`sim.behaviour.deposit_curve_for`)."""
        return deposit_curve_for(
            {m: getattr(self, f"ceiling_{m}") for m in FITTED_RETURN_MODELS},
            {m: getattr(self, f"logit_at_reference_{m}") for m in FITTED_RETURN_MODELS},
            return_model,
        )


class BagResponse(FittedResponse):
    """The fitted bag-charge curve (:func:`sim.behaviour.bag_use_cut`)."""

    salience_logit: float = param(
        "logit", "Cut in bag use at 0.001 days of GDP per capita (logit).", ge=-30, le=30
    )


class BehaviourResponse(Section):
    """Household responses fitted on the cross-jurisdiction panel (``docs/behaviour.md``)."""

    gdp_per_capita_per_income_per_person: float = param(
        "ratio",
        "GDP per capita over household income per person: puts the model's incomes in the panel's measure.",
        gt=0,
        le=20,
    )
    deposit_return_model: Literal["retail", "depot", "centres", "mixed"] = Field(
        "mixed",
        description="How a deposit scheme takes containers back (sets its return ceiling).",
        json_schema_extra={"unit": "return model"},
    )
    deposit: DepositResponse
    bags: BagResponse


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = Field("unnamed", description="Short name shown in tables and charts.")
    description: str = Field("", description="What the scenario represents.")
    time: Time
    city: City
    districts: dict[str, District] = Field(..., min_length=1)
    materials: dict[Material, MaterialParams]
    behaviour: Behaviour
    collection: Collection
    informal: Informal
    aggregation: Aggregation
    market: Market
    landfill: Landfill
    leakage: Leakage
    emissions: Emissions
    logistics: Logistics
    behaviour_response: BehaviourResponse
    facilities: dict[str, Facility] = Field(default_factory=dict)
    policies: Policies = Field(default_factory=lambda: Policies())

    @model_validator(mode="after")
    def _districts_known(self) -> Scenario:
        for name in type(self.policies).model_fields:
            lever = getattr(self.policies, name)
            unknown = [d for d in getattr(lever, "districts", None) or [] if d not in self.districts]
            if unknown:
                raise ValueError(
                    f"policies.{name}.districts names unknown district(s) {unknown}; "
                    f"known: {sorted(self.districts)}"
                )
        return self

    @model_validator(mode="after")
    def _materials_complete(self) -> Scenario:
        missing = [m.value for m in MATERIALS if m not in self.materials]
        if missing:
            raise ValueError(f"materials lacks {missing}; every material needs parameters")
        total = sum(p.share_of_plastic for p in self.materials.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"materials' share_of_plastic must sum to 1 (they sum to {total:.6g})")
        return self

    def digest(self) -> str:
        """A short hash of every input, to tell results of different inputs apart."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def all_facilities(self) -> dict[str, Facility]:
        """The scenario's facilities plus those its ``new_facilities`` lever adds."""
        out = dict(self.facilities)
        lever = self.policies.new_facilities
        if lever is not None:
            for name, spec in lever.facility_specs().items():
                out[name if name not in out else f"{name}_lever"] = Facility(**spec)
        return out

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
        """A new scenario with values replaced by dotted path, e.g. ``{"city.population": 1e6}``."""
        data = self.model_dump(mode="json")
        for path, value in overrides.items():
            set_path(data, path, value)
        return validate_scenario(data, source)


def validate_scenario(
    data: dict[str, Any], source: str, origins: Callable[[tuple[Any, ...]], str] | None = None
) -> Scenario:
    """Validate a complete scenario mapping, or raise a readable :class:`ScenarioError`.

    Args:
        data: The scenario as a nested mapping.
        source: The file (or other source) named in messages.
        origins: Where the value at a location comes from (the file of an ``extends:`` chain
            that set it), to name that file in messages instead of ``source``.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, source, origins=origins)) from None


# --------------------------------------------------------------------------- the schema walker


@dataclass(frozen=True)
class FieldSpec:
    """What the schema says about a dotted path: its field, type and the mapping keys on the way."""

    info: FieldInfo | None  # the last named field (None at the top level)
    annotation: Any  # type of the value at the path (optional sections unwrapped)
    keys: tuple[str, ...]  # keys of mappings passed on the way (materials, groups, districts)

    @property
    def unit(self) -> str:
        """The field's unit ('' if none)."""
        extra = (
            self.info.json_schema_extra if self.info and isinstance(self.info.json_schema_extra, dict) else {}
        )
        return str(extra.get("unit", ""))

    @property
    def description(self) -> str:
        """The field's description ('' if none)."""
        return (self.info.description or "") if self.info else ""

    @property
    def is_section(self) -> bool:
        """Whether the path names a section or mapping of fields rather than one value."""
        a = self.annotation
        return (isinstance(a, type) and issubclass(a, BaseModel)) or getattr(a, "__origin__", None) is dict


class UnknownFieldError(LookupError):
    """A dotted path names no field of the schema; ``allowed`` lists what is there."""

    def __init__(self, where: str, part: str, allowed: list[str]) -> None:
        super().__init__(f"{where} has no field {part!r}")
        self.where, self.part, self.allowed = where, part, allowed


def _unwrap(annotation: Any) -> Any:
    """An optional section (``Lever | None``) as its section type."""
    if isinstance(annotation, types.UnionType) or getattr(annotation, "__origin__", None) is typing.Union:
        args = [a for a in annotation.__args__ if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def field_at(path: Sequence[Any], model: type[BaseModel] = Scenario) -> FieldSpec:
    """Walk the schema along ``path`` (field names and mapping keys) from ``model``.

    A part under a mapping (``materials.pet``) is taken as a key whatever its value: which keys
    exist is a property of a scenario, not of the schema.

    Raises:
        UnknownFieldError: If a part names no field of the section it is in, or the path goes on
            past a single value.
    """
    annotation: Any = model
    info: FieldInfo | None = None
    keys: list[str] = []
    walked: list[str] = []
    for part in path:
        where = ".".join(walked) or "the top level"
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields
            if part not in fields:
                raise UnknownFieldError(where, str(part), list(fields))
            info = fields[part]
            annotation = info.annotation
        elif getattr(annotation, "__origin__", None) is dict:
            keys.append(str(part))
            annotation = annotation.__args__[1]
        else:
            raise UnknownFieldError(where, str(part), [])
        walked.append(str(part))
    return FieldSpec(info, _unwrap(annotation), tuple(keys))


# --------------------------------------------------------------------------- error text


def _field_info(loc: tuple[Any, ...]) -> tuple[str | None, str | None, list[str] | None]:
    """Unit, description and allowed field names for a location in the scenario schema."""
    try:
        spec = field_at(loc)
    except UnknownFieldError as exc:
        return None, None, sorted(exc.allowed)
    if (spec.keys and spec.keys[-1] == str(loc[-1])) or spec.info is None:
        return None, None, None  # a mapping key, not a field
    return spec.unit or None, spec.description or None, None


FieldInfoLookup = Callable[[tuple[Any, ...]], tuple[str | None, str | None, list[str] | None]]


#: Problems listed in one error message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20
#: Characters of a value shown in an error message.
MAX_VALUE_SHOWN = 80


def _shown(value: Any) -> str:
    """A value as the user wrote it, cut short."""
    text = "{...}" if isinstance(value, dict) else json.dumps(value, default=str)
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 3] + "..."


def format_validation_error(
    exc: ValidationError,
    source: str,
    what: str = "the scenario",
    field_info: FieldInfoLookup = _field_info,
    hidden: frozenset[str] = frozenset(),
    origins: Callable[[tuple[Any, ...]], str] | None = None,
) -> str:
    """One readable paragraph per problem: file, field, value, what is allowed.

    Args:
        exc: The validation error.
        source: The file (or other source) named first.
        what: What was validated, for the first line.
        field_info: Unit, description and allowed field names of a location in the schema.
        hidden: Location parts not shown (pydantic's names of union members).
        origins: The file that holds the value at a location, when it is not ``source`` (a
            parent named by ``extends:``, or the default data).
    """
    lines = [f"{source}: {what} is not valid."]
    errors = exc.errors()
    for err in errors[:MAX_PROBLEMS_SHOWN]:
        loc = tuple(p for p in err["loc"] if p not in hidden)
        field = ".".join(str(p) for p in loc) or "(top level)"
        origin = origins(loc) if origins is not None else source
        held = f" (set in {origin})" if origin != source else ""
        kind = err["type"]
        if kind == "extra_forbidden":
            _, _, allowed = field_info(loc)
            hint = f" Allowed here: {', '.join(allowed)}." if allowed else ""
            lines.append(f"  - unknown field '{field}'{held}.{hint}")
            continue
        if kind == "missing":
            lines.append(f"  - field '{field}' is required but missing.")
            continue
        unit, description, _ = field_info(loc)
        problem = err["msg"].removeprefix("Value error, ")
        if kind == "finite_number":
            problem = "not a finite number (NaN and infinities are not allowed)"
        about = "; ".join(x for x in (f"unit {unit}" if unit else "", description or "") if x)
        lines.append(
            f"  - field '{field}' = {_shown(err.get('input'))}{held}: {problem}."
            + (f" ({about})" if about else "")
        )
    if len(errors) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  ... and {len(errors) - MAX_PROBLEMS_SHOWN} more problems.")
    return "\n".join(lines)
