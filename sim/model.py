"""The Mesa model: step order, the flow ledger, and what is recorded each step."""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from sim import network as net
from sim.agents import (
    DepositPoints,
    FacilityAgent,
    FormalCollector,
    HouseholdPopulation,
    InformalCollectors,
    JunkShops,
    SecondaryMarket,
    SeparateCollection,
)
from sim.behaviour import DAYS_PER_MONTH
from sim.conditions import Conditions
from sim.ledger import FlowLedger, fill_share
from sim.materials import GROUPS, MATERIALS, N_GROUPS
from sim.scenario import Scenario

#: Everything agents report per step besides tonnes moved (money, counts, states, prices).
RECORDED: tuple[str, ...] = (
    "households",
    "households_served",
    "households_using_formal",
    *(f"households_separating_{g}" for g in GROUPS),
    "fee_revenue_usd",
    "collection_cost_usd",
    "income_itinerant_usd",
    "income_street_pickers_usd",
    "income_dump_pickers_usd",
    "deposit_bearing_t",
    "deposits_paid_usd",
    "deposit_refunds_usd",
    "deposit_material_revenue_usd",
    "producer_fees_usd",
    "producer_payments_usd",
    "subsidies_usd",
    "carbon_credit_revenue_usd",
    "landfill_tax_usd",
    "programme_cost_usd",
    "aggregator_margin_usd",
    "overflow_dumped_t",
    "junkshop_discarded_t",
    "junkshop_inventory_t",
    "recycler_investment_usd",
    "recycler_retired_t_per_day",
    "recycler_capacity_t",
    "recycling_capacity_t_per_day",
    "landfill_remaining_msw_t",
    *(f"{link}_price_{m}_usd_per_t" for link in ("recycler", "junkshop") for m in MATERIALS),
)


class StepRecorder:
    """Per-step values of what agents report besides tonnes moved; only declared keys exist.

    Args:
        n_steps: Steps of the run.
        keys: The keys agents may report (:data:`RECORDED`); reading or writing another key
            raises ``KeyError``, so a misspelt key cannot give silent zeros.
    """

    def __init__(self, n_steps: int, keys: tuple[str, ...] = RECORDED) -> None:
        self.n_steps = n_steps
        self.values: dict[str, np.ndarray] = {k: np.zeros(n_steps) for k in keys}
        self.step = 0

    def add(self, key: str, value: float) -> None:
        """Add ``value`` to ``key`` in the current step."""
        self.values[key][self.step] += value

    def set(self, key: str, value: float) -> None:
        """Set ``key`` to ``value`` in the current step."""
        self.values[key][self.step] = value


class PlasticModel(mesa.Model):
    """Plastic waste in one city: households, collectors, facilities on a flow graph.

    Args:
        scenario: A validated scenario.
        seed: Seed of the model's random generators (same seed, same numbers).
        scale: Fraction of households simulated (0 < scale <= 1); tonnages are city scale.
        strict: Raise :class:`~sim.ledger.MassBalanceError` on any overdraw or imbalance.
    """

    def __init__(
        self, scenario: Scenario, seed: int | None = None, scale: float = 1.0, strict: bool = True
    ) -> None:
        super().__init__(seed=seed)
        if not 0 < scale <= 1:
            raise ValueError(f"scale must be in (0, 1], got {scale}")
        self.scenario = scenario
        self._material_columns: dict[str, np.ndarray] = {}
        self._open_facilities: dict[tuple[int, tuple[str, ...]], list[FacilityAgent]] = {}
        self.scale = scale
        self.n_steps = scenario.time.n_steps
        facilities = scenario.all_facilities()
        self.graph = net.build_graph(scenario, facilities)
        self.ledger = FlowLedger(
            self.graph, self.n_steps, source_nodes=frozenset({net.CONSUMPTION}), strict=strict
        )
        self.recorder = StepRecorder(self.n_steps)
        self.landfill_received: dict[str, np.ndarray] = {}
        total_2019 = sum(d.population_2019 for d in scenario.districts.values())
        #: Each district's share of the city's population (and households) [fraction].
        self.district_share = {name: d.population_2019 / total_2019 for name, d in scenario.districts.items()}
        steps = np.arange(self.n_steps + 1)
        start, spy = scenario.time.start_year, scenario.time.steps_per_year
        # The price index at each step, read by conditions_at (at start + step / spy) and by
        # price_index (at the step's year and fraction of it): one interpolation each per run.
        self._index_at_step = scenario.market.price_indices(start + steps / spy).tolist()
        self._index_at_date = scenario.market.price_indices(
            (start + steps // spy) + (steps % spy) / spy
        ).tolist()
        self.junk_shops = JunkShops(self)
        self.deposit_points = DepositPoints(self)
        self.market = SecondaryMarket(self, [self.junk_shops, self.deposit_points])
        self.conditions = self.conditions_at(0)

        city = scenario.city
        households = city.population / city.household_size_persons
        self.households = HouseholdPopulation(
            self,
            {
                name: round(households * d.population_2019 / total_2019 * scale)
                for name, d in scenario.districts.items()
            },
        )
        self.collector = FormalCollector(self)
        self.informal = [
            InformalCollectors(self, net.ITINERANT, "income_itinerant_usd"),
            InformalCollectors(self, net.STREET_PICKERS, "income_street_pickers_usd"),
            InformalCollectors(self, net.DUMP_PICKERS, "income_dump_pickers_usd"),
        ]
        self.separate_collection = SeparateCollection(self)
        self.facilities = {name: FacilityAgent(self, name, f) for name, f in sorted(facilities.items())}
        for _ in range(round(scenario.behaviour.spin_up_months * scenario.time.steps_per_year / 12)):
            self.households.spin_up(self.conditions)

    # -- conditions ----------------------------------------------------------------------

    def conditions_at(self, step: int) -> Conditions:
        """The conditions agents face at ``step`` (0 = first month of the start year).

        Prices come from the market's current price (its 2025 level before the first step),
        passed down the chain: junk shops and households see the market price's deviation
        from its 2025 level, damped by ``market.price_pass_through`` at each link.
        """
        sc = self.scenario
        spy = sc.time.steps_per_year
        years = step / spy
        month = (step % spy) * 12 // spy + 1
        city = sc.city
        column = self.material_column
        index = self._index_at_step[step]
        reference = column("recycler_price_usd_per_t")
        price = self.market.price_usd_per_t
        k = sc.market.price_pass_through
        cond = Conditions(
            step=step,
            year=sc.time.start_year + step // spy,
            month=month,
            days=365.25 / spy,
            year_fraction=(step % spy) / spy,
            population=city.population * (1 + city.population_growth_per_yr) ** years,
            plastic_kg_per_person_step=city.msw_kg_per_capita_day
            * (1 + city.msw_per_capita_growth_per_yr) ** years
            * (1 + city.tourist_extra_waste_share * city.in_tourist_season(month))
            * city.plastic_share_of_msw
            * 365.25
            / spy,
            plastic_share_of_msw=city.plastic_share_of_msw,
            composition=column("share_of_plastic"),
            household_price_usd_per_t=self._household_price(
                column("household_price_usd_per_t"), price, reference
            ),
            junkshop_price_usd_per_t=np.maximum(
                column("junkshop_price_usd_per_t") + k * (price - reference), 0.0
            ),
            recycler_price_usd_per_t=price.copy(),
            export_price_usd_per_t=column("export_price_usd_per_t") * index,
            income_multiplier=(1 + city.income_growth_per_yr) ** years,
            fee_usd_per_household_month=sc.collection.fee_usd_per_household_month,
            coverage={name: d.collection_coverage for name, d in sc.districts.items()},
            leak_multiplier=sc.leakage.monsoon_factor if sc.leakage.in_wet_season(month) else 1.0,
        )
        self._lever_context(cond)
        sc.policies.apply(cond)
        return cond

    def _household_price(self, start: np.ndarray, price: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """What itinerant buyers pay households: the 2025 price plus ``k^2`` of the market's change.

        A material that had a market in 2025 but for which households were paid nothing (a
        scenario where households give it to municipal collection) stays at 0.
        """
        k = self.scenario.market.price_pass_through
        paid = np.maximum(start + k * k * (price - reference), 0.0)
        return np.where((start == 0) & (reference > 0), 0.0, paid)

    @property
    def price_index(self) -> float:
        """The international reference price index at the current step."""
        return self._index_at_date[self.conditions.step]

    def material_column(self, attr: str) -> np.ndarray:
        """One material parameter of the scenario as an array (``MATERIALS`` order).

        Built once per parameter (the scenario is immutable); a copy is returned, so callers
        may change it.
        """
        column = self._material_columns.get(attr)
        if column is None:
            materials = self.scenario.materials
            column = np.array([getattr(materials[m], attr) for m in MATERIALS], dtype=float)
            self._material_columns[attr] = column
        return column.copy()

    def _lever_context(self, cond: Conditions) -> None:
        """Fill the fields of ``cond`` that levers read (income, households, material data)."""
        sc = self.scenario
        city = sc.city
        cond.median_daily_income_usd = (
            city.median_household_income_usd_per_month * cond.income_multiplier / DAYS_PER_MONTH
        )
        cond.households = cond.population / city.household_size_persons
        cond.msw_t_per_household_month = (
            (city.household_size_persons * cond.plastic_kg_per_person_step / city.plastic_share_of_msw)
            * (DAYS_PER_MONTH / cond.days)
            / 1000.0
        )
        cond.district_share = dict(self.district_share)
        cond.units_per_kg = self.material_column("units_per_kg")
        cond.recycling_yield = self.material_column("recycling_yield")
        cond.recycling_credit_t_co2e_per_t = self.material_column("recycling_credit_t_co2e_per_t")
        cond.street_pick_max_share = sc.informal.street_pick_max_share
        cond.behaviour_response = sc.behaviour_response
        cond.dump_pick_max_share = sc.informal.dump_pick_max_share
        cond.recyclate_premium_per_content_share = sc.market.recyclate_premium_per_content_share
        cond.recyclate_premium_cap = sc.market.recyclate_premium_cap
        cond.enforcement_logit_per_income_day = sc.behaviour.enforcement_logit_per_income_day
        cond.packaging_value_usd_per_t = sc.behaviour.packaging_value_usd_per_t
        cond.packaging_demand_elasticity = sc.behaviour.packaging_demand_elasticity
        cond.thick_bag_mass_ratio = sc.behaviour.thick_bag_mass_ratio
        cond.thick_bag_uses = sc.behaviour.thick_bag_uses

    # -- services agents use -------------------------------------------------------------

    def facilities_open(self, *kinds: str) -> list[FacilityAgent]:
        """Open facilities of the given kinds, newest first (the same list object within a year)."""
        year = self.conditions.year
        key = (year, kinds)
        found = self._open_facilities.get(key)
        if found is None:
            found = [f for f in self.facilities.values() if f.kind in kinds and f.is_open(year)]
            found.sort(key=lambda f: -f.params.open_year)
            self._open_facilities[key] = found
        return found

    def pick_share(self, max_share: float) -> np.ndarray:
        """Share of each material pickers take from mixed waste: rises with its junk-shop price.

        Only the clean, dry part of a material (``pickable_share``) can be sold, whatever the price.
        """
        price = self.conditions.junkshop_price_usd_per_t
        half = self.scenario.informal.pick_half_price_usd_per_t
        return max_share * price / (price + half) * self.material_column("pickable_share")

    def dispose(self, source: str, amount: np.ndarray) -> None:
        """Send residues to incinerators, then landfills, with room; else dump them on land.

        Only sorting and recycling residues meet incinerators here (mixed waste reaches them
        from collection first); a landfill tax is paid on what is landfilled.
        """
        cond = self.conditions
        remaining = np.asarray(amount, dtype=float).copy()
        incinerators = self.facilities_open("incinerator") if source != net.FORMAL else []
        for facility in incinerators + self.facilities_open("landfill"):
            total = remaining.sum()
            room = facility.room_t(cond)
            if total <= 0 or room <= 0:
                continue
            sent = remaining * fill_share(room, total)
            self.ledger.transfer(source, facility.node, sent)
            remaining -= sent
            if facility.kind == "incinerator":
                facility.used_t += sent.sum()
                continue
            facility.remaining_msw_t -= sent.sum() / cond.plastic_share_of_msw
            received = self.landfill_received.setdefault(facility.node, np.zeros(len(MATERIALS)))
            received += sent
            if cond.landfill_tax_usd_per_t_msw > 0:  # plastic's share of the tax, as for fees
                self.recorder.add("landfill_tax_usd", float(sent.sum()) * cond.landfill_tax_usd_per_t_msw)
        if remaining.sum() > 0:
            self.ledger.transfer(source, net.DUMPED, remaining)
            self.recorder.add("overflow_dumped_t", float(remaining.sum()))

    # -- time ----------------------------------------------------------------------------

    def recycler_capacity_by_group(self) -> np.ndarray:
        """Input capacity of the open recyclers by material family [t/day]."""
        recyclers = self.facilities_open("recycler")
        return sum((f.capacity_by_group_t_per_day for f in recyclers), np.zeros(N_GROUPS))

    def change_recycler_capacity(self, change_t_per_day: np.ndarray) -> None:
        """Add (or retire) capacity by family, shared over the open recyclers by their lines.

        A family no open recycler has a line for yet goes to the newest recycler.
        """
        recyclers = self.facilities_open("recycler")
        if not recyclers:
            return
        lines = [f.capacity_by_group_t_per_day.tolist() for f in recyclers]
        totals = [sum(column) for column in zip(*lines, strict=True)]
        change = np.asarray(change_t_per_day, dtype=float).tolist()
        for i, (f, line) in enumerate(zip(recyclers, lines, strict=True)):
            # On lists: for four families a few Python operations cost less than NumPy calls.
            share = [x / t if t > 0 else (1.0 if i == 0 else 0.0) for x, t in zip(line, totals, strict=True)]
            f.capacity_by_group_t_per_day = np.array(
                [max(x + c * s, 0.0) for x, c, s in zip(line, change, share, strict=True)]
            )

    # -- time ----------------------------------------------------------------------------

    def step(self) -> None:
        """One step: households, collection, facilities, informal trade, the market, recycling."""
        self.conditions = self.conditions_at(self.ledger.step)
        self.landfill_received = {}
        self.households.step()
        if self.conditions.programme_cost_usd:
            self.recorder.add("programme_cost_usd", self.conditions.programme_cost_usd)
        self.separate_collection.step()
        self.collector.step()
        for kind in ("incinerator", "mrf", "landfill"):
            for facility in self.facilities_open(kind):
                facility.step()
        for collector in self.informal:
            collector.step()
        self.market.step()
        recyclers = self.facilities_open("recycler")
        for recycler in recyclers:
            recycler.step()
        capacity = float(self.recycler_capacity_by_group().sum())
        self.recorder.set("recycler_capacity_t", capacity * self.conditions.days)
        self.recorder.set("recycling_capacity_t_per_day", capacity)
        for facility in self.facilities.values():
            facility.end_step()
        landfills = [f for f in self.facilities.values() if f.kind == "landfill"]
        self.recorder.set("landfill_remaining_msw_t", sum(f.remaining_msw_t for f in landfills))
        self.ledger.close_step()
        self.recorder.step += 1

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Run every step of the scenario, then check mass balance (strict mode)."""
        for i in range(self.n_steps):
            self.step()
            if progress is not None:
                progress(i + 1, self.n_steps)
        if self.ledger.strict:
            self.ledger.check_mass_balance()
