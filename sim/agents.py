"""Mesa agents of the plastic system: households, collectors, facilities.

Households are agents with their own state, held as arrays in one :class:`HouseholdPopulation`
for the whole city (a district code per household), whose rule runs as two compiled passes
over all households per step (:mod:`sim.kernels`; 0.6 M households in seconds). The other
actors are ordinary Mesa agents standing on a node of the material-flow graph. All of them move
plastic only through the model's flow ledger and read the step's :class:`Conditions`, which is
where policies act (on prices, fees, coverage, enforcement and rules, never on outcomes).

The household rule (per step, per household *h* and separation group *g*):

- generation ``w_h = persons_h * f_h * kg_per_person_step``, with ``f_h`` the income effect
  ``(income_h / district median)^elasticity`` normalised so that its person-weighted mean in
  the district is 1 [kg];
- separation is a logit choice, ``P(sep) = 1 / (1 + exp(-U))`` with
  ``U = a_g + b_g + c_v * v_hg + c_a * attitude_h + c_n * norm_hg + c_h * habit_hg``, where
  ``v_hg`` is the month's sale value of the group in days of household income, ``b_g`` the
  policy shift, ``norm_hg`` the share of the household's neighbours who separated last step and
  ``habit_hg`` an exponential memory of its own past choices (Verplanken & Orbell habit; the
  social norm term follows the theory of planned behaviour). Habit and norm make uptake of a
  new incentive an S-curve rather than a jump;
- what is not separated goes to formal collection with probability
  ``served_h * logistic(a_f + c_fee * fee_days_h + c_a * attitude_h)``, with the monthly fee in
  days of income ``fee_days_h = fee / daily_income_h`` (whatever the step length); the rest is
  burned with probability ``logistic(a_b + s_b * z_h - enforcement)``, else dumped, and a
  district- and season-dependent share of dumped plastic reaches waterways;
- beside the logit, levers with calibrated net-effect curves (:mod:`sim.behaviour`) add
  choices that do not feed habit and norm: campaign waves add separators, and a deposit makes
  households return deposit-bearing bottles to ``deposit_points``. Separated plastic nobody
  buys goes to separate collection where a separation duty provides it, else joins the
  residual routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numba as nb
import numpy as np

from sim import behaviour, kernels, market
from sim import network as net
from sim.behaviour import DAYS_PER_MONTH, logistic
from sim.conditions import Conditions
from sim.ledger import fill_share
from sim.materials import GROUP_INDEX, GROUPS, MATERIALS, N_GROUPS, N_MATERIALS

if TYPE_CHECKING:
    from sim.model import PlasticModel
    from sim.scenario import Facility

GROUP_MATRIX = np.zeros((N_MATERIALS, N_GROUPS))
GROUP_MATRIX[np.arange(N_MATERIALS), GROUP_INDEX] = 1.0


class HouseholdPopulation(mesa.Agent):
    """Every household of the city, each with its own state in arrays and a district code.

    Households lie in street order through the city, district after district; the rule runs
    over all of them at once (:mod:`sim.kernels`), so a step costs the same whatever the
    number of districts. What differs by district (income level, collection coverage, leakage
    to water) is read through each household's district code, and the step's plastic is handed
    on through the ledger from each district's household node in one batch.

    Args:
        model: The model.
        n_by_district: Households simulated in each district (the scale's sample), in the
            scenario's district order.
    """

    def __init__(self, model: PlasticModel, n_by_district: dict[str, int]) -> None:
        super().__init__(model)
        sc = model.scenario
        b = sc.behaviour
        rng = model.rng
        f32 = np.float32
        self.districts = list(sc.districts)
        counts = np.array([max(1, int(n_by_district[d])) for d in self.districts])
        n = int(counts.sum())
        k = len(self.districts)
        self.n = n
        self.n_by_district = counts
        self.district = np.repeat(np.arange(k, dtype=np.int32), counts)
        params = [sc.districts[d] for d in self.districts]
        persons = (1.0 + rng.poisson(sc.city.household_size_persons - 1.0, n)).astype(f32)
        spread = np.exp(rng.normal(0.0, sc.city.income_sigma, n))  # income / district median
        income_factor = np.array([p.income_factor for p in params])
        income = sc.city.median_household_income_usd_per_month * income_factor[self.district] * spread
        self.income_usd_month = income.astype(f32)
        self.inv_income = (1.0 / income).astype(f32)
        # Generation rises with income relative to the district's median, normalised so that its
        # person-weighted mean in each district is 1 (the district's income factor cancels).
        factor = spread**sc.city.generation_income_elasticity
        #: Persons in the simulated households of each district.
        self.persons_by_district = np.bincount(self.district, weights=persons, minlength=k)
        weighted = np.bincount(self.district, weights=persons * factor, minlength=k)
        factor *= (self.persons_by_district / weighted)[self.district]
        self.gen_weight = (persons * factor).astype(f32)  # person-equivalents of waste
        self.attitude = rng.normal(0.0, 1.0, n).astype(f32)
        self.burn_z = rng.normal(0.0, 1.0, n).astype(f32)
        self.reach = rng.random(n).astype(f32)  # served when reach < district coverage
        self.habit = np.zeros((n, N_GROUPS), f32)
        self.chosen = np.zeros((n, N_GROUPS), np.uint8)  # the latest logit choices
        self.previous = np.zeros_like(self.chosen)  # the round before's (neighbours' norm)
        self.half_window = min(b.neighbours // 2, (n - 1) // 2)
        steps_per_half_life = b.habit_half_life_months * sc.time.steps_per_year / 12.0
        self.habit_rate = 1.0 - 0.5 ** (1.0 / steps_per_half_life)
        self.separation_intercept = np.array([b.separation_intercept[g] for g in GROUPS])
        self.key = int(rng.integers(0, 2**63))  # the households' random stream (kernels)
        self.round = 0
        self.nodes = [net.household_node(d) for d in self.districts]
        self.population_share = np.array([model.district_share[d] for d in self.districts])
        self.water_leak_share = np.array([p.water_leak_share for p in params])
        self._p_burn: tuple[float, np.ndarray] | None = None
        self._batch = model.ledger.batch(
            [(net.CONSUMPTION, node) for node in self.nodes]
            + [(node, target) for target in ROUTES for node in self.nodes]
        )
        #: The last step's shares of each district's households served and using formal collection.
        self.served_share = np.zeros(k)
        self.uses_formal_share = np.zeros(k)

    # -- behaviour -----------------------------------------------------------------------

    def decide(self, cond: Conditions, plan: kernels.Route | None = None) -> np.ndarray:
        """One round of separation choices (habit and norm updated).

        Args:
            cond: The step's conditions.
            plan: The step's route inputs, to decide the residual routes in the same pass.

        Returns:
            By district, the sums of :func:`sim.kernels.route` (with ``plan``), else the
            households separating each group by the logit in their separating-count columns.
        """
        b = self.model.scenario.behaviour
        value_per_kg = (cond.composition * cond.household_price_usd_per_t / 1000.0) @ GROUP_MATRIX
        steps_per_month = DAYS_PER_MONTH / cond.days
        return kernels.choose(
            self,
            cond.plastic_kg_per_person_step * DAYS_PER_MONTH / cond.income_multiplier,
            self.separation_intercept + cond.separation_shift_by_group,
            b.value_coef * value_per_kg * steps_per_month,
            (b.attitude_coef, b.norm_coef, b.habit_coef, self.habit_rate),
            self.round,
            len(self.districts),
            plan,
        )

    def spin_up(self, cond: Conditions) -> None:
        """A round of choices before the first step, so habit and norm start settled."""
        self.decide(cond)
        self.round += 1

    def _p_burn_now(self, cond: Conditions) -> np.ndarray:
        """Each household's probability of burning what it does not hand over (cached)."""
        b = self.model.scenario.behaviour
        level = b.burn_intercept - cond.burn_enforcement
        if self._p_burn is None or self._p_burn[0] != level:
            self._p_burn = (level, logistic(np.float32(level) + np.float32(b.burn_sd) * self.burn_z))
        return self._p_burn[1]

    def _top_ups(self, cond: Conditions, share: np.ndarray) -> tuple[np.ndarray | None, tuple | None]:
        """Choices made beside the separation logit: campaign separators and deposit returns.

        Both follow calibrated curves that already contain the habit and social influence they
        caused (:mod:`sim.behaviour`), so they do not feed habit and norm:

        - a campaign adds ``extra`` separators among households not separating, so that a
          district's share rises by ``extra`` (percentage points as a fraction): each of them
          separates with probability ``extra / (1 - share)``;
        - with a deposit, household *h* returns containers with probability
          ``r_h = max(p, R(x_h, t))``, with ``R`` the fitted return rate
          (:meth:`_deposit_return_rate`) and ``p`` the district's expected share keeping the
          group apart without a deposit; households already separating return, the others with
          probability ``(r_h - p) / (1 - p)``, so the expected return share is the mean of ``r_h``.

        Returns:
            The campaign top-up by district and group (None without a campaign) and the deposit
            arguments of :func:`sim.kernels.route` (None without a deposit).
        """
        extra = cond.extra_separation_by_group
        top_up = None
        expected = share
        if extra.any():
            free = 1.0 - share
            top_up = np.where((extra > 0) & (free > 0), np.minimum(1.0, extra / np.maximum(free, 1e-12)), 0.0)
            expected = share + top_up * free
        mask = cond.deposit_covered_share @ GROUP_MATRIX > 0
        if not mask.any():
            return top_up, None
        base = np.clip(expected, 1e-6, 1 - 1e-6)
        return top_up, (mask, self._deposit_return_rate(cond), base)

    def _deposit_return_rate(self, cond: Conditions) -> np.ndarray:
        """Each household's return rate on the fitted curve (:func:`sim.behaviour.deposit_return_rate`).

        The deposit is in days of GDP per capita at the household's own income
        (:func:`sim.behaviour.panel_days`); the place's deviation from the curve is taken at the
        median household's, so it is one shift for the city.
        """
        response = self.model.scenario.behaviour_response
        fit = response.deposit
        daily_income = self.income_usd_month * np.float32(cond.income_multiplier / DAYS_PER_MONTH)
        persons, ratio = cond.population / cond.households, response.gdp_per_capita_per_income_per_person
        days, _ = behaviour.panel_days(cond.deposit_usd_per_container, daily_income, persons, ratio)
        median_days, gdp = behaviour.panel_days(
            cond.deposit_usd_per_container, cond.median_daily_income_usd, persons, ratio
        )
        ceiling, intercept = fit.curve(response.deposit_return_model)
        return behaviour.deposit_return_rate(
            days,
            cond.deposit_years_since_launch,
            ceiling,
            intercept,
            fit.slope_per_log_days,
            fit.ramp_years,
            access=cond.return_access,
            shift=fit.shift(float(median_days), float(gdp)),
        )

    def step(self) -> None:
        """Generate, decide and hand every district's plastic on through the ledger."""
        model, cond = self.model, self.model.conditions
        b = model.scenario.behaviour
        g = N_GROUPS
        plan = kernels.Route(
            cond.plastic_kg_per_person_step,
            self._p_burn_now(cond),
            np.array([cond.coverage[d] for d in self.districts]),
            (
                b.formal_use_intercept,
                b.fee_coef * cond.fee_usd_per_household_month * DAYS_PER_MONTH / cond.income_multiplier,
                b.attitude_coef,
            ),
        )
        if cond.extra_separation_by_group.any() or cond.deposit_covered_share.any():
            counts = self.decide(cond)[:, 4 * g : 5 * g]
            top_up, deposit = self._top_ups(cond, counts / self.n_by_district[:, None])
            sums = kernels.route(self, plan, self.round, top_up, deposit)
        else:  # nothing beside the logit: choices and routes in one pass
            sums = self.decide(cond, plan)
        self.round += 1
        n_d = self.n_by_district
        self.served_share = sums[:, 5 * g + kernels.SERVED] / n_d
        self.uses_formal_share = sums[:, 5 * g + kernels.USING_FORMAL] / n_d
        separating = sums[:, 4 * g : 5 * g] / n_d[:, None]

        persons = cond.population * self.population_share
        to_t = persons / self.persons_by_district / 1000.0  # kg of simulated households -> t
        tonnes = _hand_on(
            sums,
            GROUP_INDEX_ARRAY,
            cond.composition,
            to_t,
            cond.deposit_covered_share,
            cond.household_price_usd_per_t > 0,
            float(cond.separate_collection_share),
            self.served_share,
            self.water_leak_share,
            float(cond.leak_multiplier),
        )
        model.ledger.transfer_batch(self._batch, tonnes)

        households = persons / model.scenario.city.household_size_persons
        rec = model.recorder
        rec.add("households", float(households.sum()))
        rec.add("households_served", float(households @ self.served_share))
        using = float(households @ self.uses_formal_share)
        rec.add("households_using_formal", using)
        rec.add("fee_revenue_usd", using * cond.fee_usd_per_household_month * cond.days / DAYS_PER_MONTH)
        for name, value in zip(GROUPS, households @ separating, strict=True):
            rec.add(f"households_separating_{name}", float(value))
        city = tonnes[: len(to_t)].sum(axis=0)  # generated, by material
        if cond.deposit_usd_per_container > 0:
            rec.add("deposit_bearing_t", float(city @ cond.deposit_covered_share))
            rec.add("deposits_paid_usd", float(city @ (cond.deposit_covered_share * cond.refund_usd_per_t)))
        if cond.producer_fee_usd_per_t.any():
            rec.add("producer_fees_usd", float(city @ cond.producer_fee_usd_per_t))


GROUP_INDEX_ARRAY = np.array(GROUP_INDEX, dtype=np.int64)


@nb.njit(cache=True)
def _hand_on(
    sums: np.ndarray,
    group_index: np.ndarray,
    composition: np.ndarray,
    to_t: np.ndarray,
    deposit_share: np.ndarray,
    sellable: np.ndarray,
    separate_share: float,
    served: np.ndarray,
    water_leak_share: np.ndarray,
    leak_multiplier: float,
) -> np.ndarray:  # pragma: no cover - compiled
    """The step's tonnes on each edge of the households' batch, from the kernels' sums by district.

    Rows: generated (consumption to each district's node), then for each of :data:`ROUTES`
    one row per district; columns: materials [t]. A group's decision covers that group's
    share of each household's waste; separated deposit containers go back; separated
    material nobody buys joins the household's residual routes pro rata unless separate
    collection takes it (served households only); what is left is dumped on land, so the
    household nodes end the step empty. One compiled pass: for 14 districts and 7 materials
    the same formulas as NumPy expressions cost a microsecond each.
    """
    n_d, n_m = to_t.shape[0], composition.shape[0]
    g = (sums.shape[1] - 2) // 5
    out = np.empty((8 * n_d, n_m))
    for d in range(n_d):
        leak = min(1.0, water_leak_share[d] * leak_multiplier)
        for m in range(n_m):
            k, c, t = group_index[m], composition[m], to_t[d]
            sold = sums[d, k] * c * t
            formal = sums[d, g + k] * c * t
            burned = sums[d, 2 * g + k] * c * t
            dumped = sums[d, 3 * g + k] * c * t
            returned = sold * deposit_share[m]
            sold = sold - returned
            unsold = 0.0 if sellable[m] else sold
            separate = unsold * (separate_share * served[d])
            unsold = unsold - separate
            rest = formal + burned + dumped
            scale_up = 1.0 + (unsold / rest if rest > 0 else 0.0)
            generated = returned + sold + formal + burned + dumped
            moved = (
                sold if sellable[m] else 0.0,
                returned,
                separate,
                formal * scale_up,
                burned * scale_up,
                dumped * scale_up * leak,
            )
            out[d, m] = generated
            total = 0.0
            for r in range(6):
                out[(1 + r) * n_d + d, m] = moved[r]
                total += moved[r]
            out[7 * n_d + d, m] = max(generated - total, 0.0)
    return out


#: Where a district's household node sends plastic, in the order of its batch of transfers.
ROUTES = (
    net.ITINERANT,
    net.DEPOSIT_POINTS,
    net.SEPARATE,
    net.FORMAL,
    net.OPEN_BURNING,
    net.WATER,
    net.DUMPED,
)


class FormalCollector(mesa.Agent):
    """The formal collection service: fleet capacity, street picking, delivery to facilities."""

    node = net.FORMAL

    def step(self) -> None:
        """One step of this actor (see the class docstring)."""
        model = self.model
        sc, cond, ledger = model.scenario, model.conditions, model.ledger
        load = ledger.stock(self.node)
        total = load.sum()
        if total <= 0:
            return
        capacity_t = sc.collection.capacity_t_per_day * cond.days * cond.plastic_share_of_msw
        if total > capacity_t:
            ledger.transfer(self.node, net.DUMPED, load * (1.0 - capacity_t / total))
        load = ledger.stock(self.node)
        model.recorder.add("collection_cost_usd", load.sum() * sc.collection.cost_usd_per_t)
        picked = load * model.pick_share(cond.street_pick_max_share)
        ledger.transfer(self.node, net.STREET_PICKERS, picked)
        for facility in model.facilities_open("incinerator", "mrf"):
            room = facility.room_t(cond)
            load = ledger.stock(self.node)
            if load.sum() > 0 and room > 0:
                ledger.transfer(self.node, facility.node, load * fill_share(room, load.sum()))
                facility.used_t += min(room, load.sum())
        model.dispose(self.node, ledger.stock(self.node))


class InformalCollectors(mesa.Agent):
    """Itinerant buyers and waste pickers: sell what they gathered to junk shops.

    Income [USD] is what junk shops pay them, less (for itinerant buyers) what they paid
    households.
    """

    def __init__(self, model: PlasticModel, node: str, income_key: str) -> None:
        super().__init__(model)
        self.node = node
        self.income_key = income_key

    def step(self) -> None:
        """One step of this actor (see the class docstring)."""
        model, cond = self.model, self.model.conditions
        amount = model.ledger.move_all(self.node, net.AGGREGATORS)
        income = amount @ cond.junkshop_price_usd_per_t
        if self.node == net.ITINERANT:
            income -= amount @ cond.household_price_usd_per_t
        else:
            # Waste pickers: cooperative premium, redeemed deposits, stipend.
            income *= 1.0 + cond.picker_price_premium
            if cond.picker_redemption_share > 0:
                refunds = cond.picker_redemption_share * float(
                    amount @ (cond.deposit_covered_share * cond.refund_usd_per_t)
                )
                income += refunds
                model.recorder.add("deposit_refunds_usd", refunds)
            if cond.picker_stipend_usd_per_month > 0:
                sc = model.scenario
                street = self.node == net.STREET_PICKERS
                pickers = sc.informal.street_pickers if street else sc.informal.dump_pickers
                stipend = cond.picker_stipend_usd_per_month * pickers * cond.days / DAYS_PER_MONTH
                income += stipend
                model.recorder.add("programme_cost_usd", stipend)
        model.recorder.add(self.income_key, income)


class SeparateCollection(mesa.Agent):
    """Separate collection of dry recyclables: delivers them to junk shops for sorting."""

    node = net.SEPARATE

    def step(self) -> None:
        """One step of this actor (see the class docstring)."""
        model = self.model
        amount = model.ledger.move_all(self.node, net.AGGREGATORS)
        if amount.any():
            cost = float(amount.sum()) * model.scenario.collection.cost_usd_per_t
            model.recorder.add("collection_cost_usd", cost)


class Seller(mesa.Agent):
    """A seller in the secondary-materials market: junk shops, or the deposit scheme's operator.

    What it holds at the end of a step is its inventory, all of it saleable; what it cannot sell
    beyond :attr:`inventory_bound_t` is discarded to disposal (recorded as
    ``junkshop_discarded_t``).
    """

    node: str

    def __init__(self, model: PlasticModel) -> None:
        super().__init__(model)
        self.inventory_t = np.zeros(N_MATERIALS)  # saleable stock carried into the step [t]
        self.arrived_t = np.zeros(N_MATERIALS)  # what came in this step [t]

    def receive(self) -> np.ndarray:
        """Take in the step's arrivals (after sorting); return what is on offer [t]."""
        stock = self.model.ledger.stock(self.node)
        self.arrived_t = np.maximum(stock - self.inventory_t, 0.0)
        return stock

    def keep_or_discard(self, unsold_t: np.ndarray) -> None:
        """Hold unsold material up to the inventory bound; discard the rest."""
        model = self.model
        bound = (
            self.arrived_t
            * model.scenario.aggregation.inventory_months
            * DAYS_PER_MONTH
            / model.conditions.days
        )
        excess = np.maximum(unsold_t - bound, 0.0)
        if excess.sum() > 0:
            model.recorder.add("junkshop_discarded_t", float(excess.sum()))
            model.dispose(self.node, excess)
        self.inventory_t = model.ledger.stock(self.node).copy()


class DepositPoints(Seller):
    """The deposit scheme's operator: refunds deposits at return points and sells the bottles."""

    node = net.DEPOSIT_POINTS

    def receive(self) -> np.ndarray:
        """Refund the step's returns; offer what is held."""
        stock = super().receive()
        if self.arrived_t.any():
            self.model.recorder.add(
                "deposit_refunds_usd", float(self.arrived_t @ self.model.conditions.refund_usd_per_t)
            )
        return stock


class JunkShops(Seller):
    """Junk shops and dealers: buy from collectors, sort out rejects, sell in the market."""

    node = net.AGGREGATORS

    def receive(self) -> np.ndarray:
        """Pay for and sort the step's arrivals; rejects go to disposal; offer what is held."""
        model = self.model
        cond, ledger = model.conditions, model.ledger
        super().receive()
        rejects = self.arrived_t * (1.0 - model.scenario.aggregation.sort_yield)
        if rejects.sum() > 0:
            model.dispose(self.node, rejects)
        model.recorder.add("aggregator_margin_usd", -float(self.arrived_t @ cond.junkshop_price_usd_per_t))
        self.arrived_t = self.arrived_t - rejects
        return ledger.stock(self.node)


class SecondaryMarket(mesa.Agent):
    """The secondary-materials market (:mod:`sim.market`): clears, then moves what was sold.

    Sellers' offers meet recyclers' and export buyers' demand at the step's price; sales are
    shared between sellers in proportion to what they offer, and between recyclers in
    proportion to their capacity for the material's family. The price for the next step moves
    toward the clearing price, and recyclers invest or retire capacity as margins say.
    """

    def __init__(self, model: PlasticModel, sellers: list[Seller]) -> None:
        super().__init__(model)
        sc = model.scenario
        mk = sc.market
        self.sellers = sellers
        self.reference_price_usd_per_t = model.material_column("recycler_price_usd_per_t")
        self.price_usd_per_t = self.reference_price_usd_per_t * mk.price_index(sc.time.start_year)
        spy = sc.time.steps_per_year
        step_years = 1.0 / spy
        self.price_rate = market.rate_per_step(mk.price_half_life_months / 12.0, step_years)
        self.memory_rate = market.rate_per_step(mk.margin_memory_months / 12.0, step_years)
        self.investment = market.Investment(
            np.zeros(N_GROUPS), lead_steps=round(mk.investment_lead_months / 12.0 * spy)
        )
        self.last_trade: market.Trade | None = None
        # What does not change within a run, read once.
        self._recyclate_price_usd_per_t = model.material_column("recyclate_price_usd_per_t")
        self._processing_cost_usd_per_t = model.material_column("processing_cost_usd_per_t")
        self._export_demand_t_per_day = model.material_column("export_demand_t_per_day")
        self._spread_usd_per_t = np.maximum(mk.cost_spread_share * self.reference_price_usd_per_t, 1.0)
        self._seed_t_per_day = np.full(N_GROUPS, mk.seed_plant_t_per_day)
        values = model.recorder.values
        self._price_records = [
            (values[f"recycler_price_{name}_usd_per_t"], values[f"junkshop_price_{name}_usd_per_t"])
            for name in MATERIALS
        ]

    # -- what buyers face ----------------------------------------------------------------

    def demand(self, cond: Conditions, offer_t: np.ndarray, price_index: float) -> market.Demand:
        """The step's demand curves, from recyclers' capacity and margins and export rules."""
        model = self.model
        sc = model.scenario
        mk = sc.market
        capacity_t = market.by_material(model.recycler_capacity_by_group() * cond.days)
        capacity_t = capacity_t * market.family_share(offer_t)
        residue_usd_per_t = (1.0 - cond.recycling_yield) * (
            sc.landfill.cost_usd_per_t + cond.landfill_tax_usd_per_t_msw
        )
        willingness = (
            cond.recycling_yield
            * self._recyclate_price_usd_per_t
            * price_index
            * cond.recyclate_price_multiplier
            - self._processing_cost_usd_per_t
            - residue_usd_per_t
            + cond.recycler_support_usd_per_t
        )
        export_t = self._export_demand_t_per_day * cond.days
        return market.Demand(
            capacity_t=capacity_t,
            willingness_usd_per_t=willingness,
            spread_usd_per_t=self._spread_usd_per_t,
            export_t=export_t,
            export_price_usd_per_t=cond.export_price_usd_per_t,
            export_ceiling_t=export_t * mk.export_ceiling_multiple,
            export_open=cond.export_open_share,
            elasticity=mk.export_elasticity,
        )

    def bounds(self, price_index: float) -> tuple[np.ndarray, np.ndarray]:
        """Floor and ceiling of each material's price [USD/t] (0 where it has no market)."""
        mk = self.model.scenario.market
        ref = self.reference_price_usd_per_t * price_index
        return ref * mk.price_floor_share, ref * mk.price_ceiling_share

    # -- the step ------------------------------------------------------------------------

    def step(self) -> None:
        """Clear the market, deliver what was sold, keep or discard the rest, update the price."""
        model = self.model
        cond, ledger = model.conditions, model.ledger
        price_index = model.price_index
        offers = [seller.receive() for seller in self.sellers]
        offer_t = np.add.reduce(offers)
        demand = self.demand(cond, offer_t, price_index)
        floor, ceiling = self.bounds(price_index)
        price = np.clip(self.price_usd_per_t, floor, ceiling)
        deal = market.trade(offer_t, price, demand)
        nothing = np.zeros(N_MATERIALS)
        recyclers = [f for f in model.facilities_open("recycler") if f.capacity_by_group_t_per_day.sum() > 0]
        weights = [market.by_material(f.capacity_by_group_t_per_day) for f in recyclers]
        totals = np.add.reduce(weights) if recyclers else nothing
        # Each recycler's share of each material's sales (by its capacity for the family).
        parts = [np.divide(w, totals, out=nothing.copy(), where=totals > 0) for w in weights]
        sold = deal.to_recyclers_t + deal.to_export_t
        for seller, o in zip(self.sellers, offers, strict=True):
            s = np.divide(o, offer_t, out=nothing.copy(), where=offer_t > 0)  # the seller's share
            for recycler, part in zip(recyclers, parts, strict=True):
                bought = deal.to_recyclers_t * s * part
                total = bought.sum()
                if total > 0:
                    ledger.transfer(seller.node, recycler.node, bought)
                    recycler.used_t += total
            exported = deal.to_export_t * s
            if exported.sum() > 0:
                ledger.transfer(seller.node, net.EXPORT, exported)
            revenue = float(sold * s @ price)
            key = (
                "deposit_material_revenue_usd"
                if seller.node == net.DEPOSIT_POINTS
                else "aggregator_margin_usd"
            )
            model.recorder.add(key, revenue)
            seller.keep_or_discard(deal.unsold_t * s)
        self._record(deal, cond)
        self._invest(deal, demand)
        target = market.clearing_price(offer_t, demand, floor, ceiling)
        self.price_usd_per_t = market.adjust(price, target, self.price_rate)
        self.last_trade = deal

    def _invest(self, deal: market.Trade, demand: market.Demand) -> None:
        """Recyclers' expected margins, orders and retirements by family (capacity follows margins).

        The step's margin by family is the average of ``w - p`` over each material's volume
        (what recyclers bought, at least a trace where they have capacity, plus what went
        unsold); use of capacity is what they bought over their capacity. On lists: for seven
        materials and four families a few Python operations cost less than NumPy calls.
        """
        model = self.model
        mk = model.scenario.market
        willingness = demand.willingness_usd_per_t.tolist()
        prices = deal.price_usd_per_t.tolist()
        capacities = demand.capacity_t.tolist()
        unsold = deal.unsold_t.tolist()
        weight, weighted, used = [0.0] * N_GROUPS, [0.0] * N_GROUPS, [0.0] * N_GROUPS
        for g, w, p, k, bought, left in zip(
            GROUP_INDEX, willingness, prices, capacities, deal.to_recyclers_t.tolist(), unsold, strict=True
        ):
            volume = (bought if bought > 1e-12 else 1e-12) * (1.0 if k > 0 else 0.0) + left
            weight[g] += volume
            weighted[g] += (w - p) * volume
            used[g] += bought
        capacity_by_group = model.recycler_capacity_by_group()
        days = model.conditions.days
        margin, use = [], []
        for g, c in enumerate(capacity_by_group.tolist()):
            margin.append(weighted[g] / weight[g] if weight[g] > 0 else 0.0)
            capacity_t = c * days
            use.append(used[g] / capacity_t if capacity_t > 0 else 1.0)
        self.investment.observe(np.array(margin), np.array(weight), self.memory_rate, np.array(use))
        steps = model.scenario.time.steps_per_year
        self.investment.capacity_t_per_day = capacity_by_group
        ordered, retired = self.investment.decide(
            mk.hurdle_usd_per_t,
            mk.max_growth_per_yr / steps,
            mk.max_retirement_per_yr / steps,
            self._seed_t_per_day,
            mk.normal_utilisation,
        )
        model.change_recycler_capacity(self.investment.capacity_t_per_day - capacity_by_group)
        if ordered.sum() > 0:
            model.recorder.add(
                "recycler_investment_usd", float(ordered.sum()) * 365.25 * mk.capex_usd_per_t_per_yr
            )
        if retired.sum() > 0:
            model.recorder.add("recycler_retired_t_per_day", float(retired.sum()))

    def _record(self, deal: market.Trade, cond: Conditions) -> None:
        model = self.model
        step = model.recorder.step
        for (recycler, junkshop), p, j in zip(
            self._price_records,
            deal.price_usd_per_t.tolist(),
            cond.junkshop_price_usd_per_t.tolist(),
            strict=True,
        ):
            recycler[step], junkshop[step] = p, j
        model.recorder.set(
            "junkshop_inventory_t", float(sum(model.ledger.stock(s.node).sum() for s in self.sellers))
        )


class FacilityAgent(mesa.Agent):
    """A landfill, incinerator, recycler or material recovery facility.

    Landfill space is tracked in tonnes of all MSW: plastic arriving uses
    ``plastic / plastic_share_of_msw`` of it. Incinerator and MRF capacity is in tonnes of MSW
    per day, recycler capacity in tonnes of plastic input per day, split into lines by material
    family (``market.capacity_share``); recyclers' capacity then follows the market's margins
    (:class:`SecondaryMarket`).
    """

    def __init__(self, model: PlasticModel, name: str, params: Facility) -> None:
        super().__init__(model)
        self.name = name
        self.params = params
        self.kind = params.kind
        self.node = net.facility_node(params.kind, name)
        self.remaining_msw_t = params.capacity_t or 0.0
        self.capacity_t_per_day = params.capacity_t_per_day or 0.0
        shares = model.scenario.market.capacity_share
        lines = np.array([shares.get(g, 0.0) for g in GROUPS])
        lines = lines / lines.sum()
        #: Recycler: input capacity by material family [t/day] (zero for other kinds).
        self.capacity_by_group_t_per_day = (
            lines * self.capacity_t_per_day if self.kind == "recycler" else np.zeros(N_GROUPS)
        )
        self.used_t = 0.0  # plastic taken in this step [t]

    def is_open(self, year: int) -> bool:
        """Whether the facility operates in ``year``."""
        return self.params.is_open(year)

    def room_t(self, cond: Conditions) -> float:
        """Plastic this facility can still take this step [t] (landfills, incinerators, MRFs)."""
        if self.kind == "landfill":
            return max(0.0, self.remaining_msw_t * cond.plastic_share_of_msw)
        per_step = self.capacity_t_per_day * cond.days
        if self.kind in ("incinerator", "mrf"):  # capacity in t of MSW
            per_step *= cond.plastic_share_of_msw
        return max(0.0, per_step - self.used_t)

    def step(self) -> None:
        """Landfill: pickers take their share; MRF: recover saleables; recycler: process."""
        model = self.model
        sc, cond, ledger = model.scenario, model.conditions, model.ledger
        if self.kind == "landfill":
            received = model.landfill_received.get(self.node)
            if received is not None:
                picked = received * model.pick_share(cond.dump_pick_max_share)
                ledger.transfer(self.node, net.DUMP_PICKERS, picked)
        elif self.kind == "mrf":
            stock = ledger.stock(self.node)
            recovered = stock * sc.aggregation.mrf_recovery_share * (cond.junkshop_price_usd_per_t > 0)
            ledger.transfer(self.node, net.AGGREGATORS, recovered)
            model.dispose(self.node, ledger.stock(self.node))
        elif self.kind == "recycler":
            stock = ledger.stock(self.node)
            yields = cond.recycling_yield
            ledger.transfer(self.node, net.MARKET, stock * yields)
            rec = model.recorder
            if cond.recycling_subsidy_usd_per_t.any():
                rec.add("subsidies_usd", float(stock @ cond.recycling_subsidy_usd_per_t))
            if cond.producer_payment_usd_per_t.any():
                rec.add("producer_payments_usd", float(stock @ cond.producer_payment_usd_per_t))
            if cond.carbon_credit_usd_per_t.any():
                rec.add("carbon_credit_revenue_usd", float((stock * yields) @ cond.carbon_credit_usd_per_t))
            model.dispose(self.node, ledger.stock(self.node))

    def end_step(self) -> None:
        """Close the step's capacity use.

        Reset only at the end of the step: residues reaching an incinerator later in the step
        share its capacity with what collection delivered.
        """
        self.used_t = 0.0
