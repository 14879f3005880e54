"""The secondary-materials market: prices that clear, exports that respond, capacity that follows margins.

Pure functions and a small state object; the model's :class:`~sim.agents.SecondaryMarket`
agent moves the plastic through the ledger. Per material and step:

- **Offer** ``S``: what junk shops hold after sorting (their inventory included) and what the
  deposit scheme's operator holds [t].
- **Domestic demand** ``D_d(p) = K_g * s_m * F((w_m - p) / sigma_m)``: recyclers of the
  material's family ``g`` buy up to their capacity ``K_g`` [t/step] while their margin is
  positive; ``F`` is the logistic function, ``sigma_m`` the spread of recyclers' costs (so
  demand falls smoothly as the margin closes), ``s_m`` the material's share of its family's
  offer. A recycler's willingness to pay per tonne of input is
  ``w_m = yield_m * P_m * index(t) * premium_m - c_m - (1 - yield_m) * d + support_m``: the
  recyclate it makes sold at the international reference price ``P_m`` times the scenario's
  price index and any recycled-content premium, less processing cost ``c_m``, less the cost
  ``d`` of discarding its residues (landfill gate cost and tax), plus support per tonne
  (subsidy, carbon credits, producer-responsibility payments).
- **Export demand** ``D_x(p) = min(C_m, Q_m * (X_m * index(t) / p) ** e) * open_m``: buyers
  abroad take ``Q_m`` [t/step] at the export reference price ``X_m``, more when the local price
  is lower (elasticity ``e``), never more than destinations' import rules allow (``C_m``);
  ``open_m`` is the share of that demand export rules leave open.
- **Clearing**: the price ``p*`` where ``D_d + D_x = S`` (bisection; the floor if even the
  floor price finds too few buyers, the ceiling if the ceiling price finds too many). The
  step's price moves toward it with a half-life (traders learn prices over weeks, not at once):
  ``p_t = p_{t-1} + lambda * (p* - p_{t-1})``, within ``[floor, ceiling]`` times the reference.
  What is sold is ``min(S, D(p_t))``, shared between recyclers and export buyers in proportion
  to their demand; the rest stays in junk shops' inventory up to a bound, and beyond it is
  discarded (recorded).
- **Pass-through**: junk shops, itinerant buyers and households see the deviation of the
  market price from its 2025 level, damped at each link by the pass-through share
  (``junk shop = p0_js + k (p - p0)``, ``household = p0_hh + k^2 (p - p0)``, never below 0).
- **Investment**: recyclers' expected margin per family (an exponential average of the margin
  ``w - p`` over recent months, weighted by tonnes) against a hurdle (annualised capital cost
  per tonne of capacity): above it, capacity is ordered at a rate that rises with the excess
  up to a bound, and arrives after a construction lead time; below zero, capacity is retired at
  a bounded rate. Investment is recorded in USD.

References:
    Walras' tâtonnement (price adjustment toward excess demand) as in partial-equilibrium
    commodity models; the 2008 fall of scrap prices in Phnom Penh (``price_paper_export_drop_2008``:
    0.19 to 0.03 USD/kg, -84 %) sets how deep the floor lets prices fall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.behaviour import logistic
from sim.materials import GROUP_INDEX, N_GROUPS

#: Bisection steps for the clearing price (relative precision about 1e-9 of the price range).
BISECTION_STEPS = 40

_GROUP_OF = np.array(GROUP_INDEX)


@dataclass(frozen=True)
class Demand:
    """The demand side of the market in one step, by material (``MATERIALS`` order).

    Attributes:
        capacity_t: Recyclers' capacity for each material's family, shared in proportion to
            offers [t/step].
        willingness_usd_per_t: Recyclers' willingness to pay per tonne of input ``w``.
        spread_usd_per_t: Spread of recyclers' costs ``sigma`` (> 0).
        export_t: Export demand at the export reference price ``Q`` [t/step].
        export_price_usd_per_t: Export reference price ``X`` (times the index) [USD/t].
        export_ceiling_t: Most that import rules let buyers take ``C`` [t/step].
        export_open: Share of export demand that export rules leave open [fraction].
        elasticity: Price elasticity of export demand (> 0 means more at lower prices).
    """

    capacity_t: np.ndarray
    willingness_usd_per_t: np.ndarray
    spread_usd_per_t: np.ndarray
    export_t: np.ndarray
    export_price_usd_per_t: np.ndarray
    export_ceiling_t: np.ndarray
    export_open: np.ndarray
    elasticity: float

    def domestic(self, price: np.ndarray) -> np.ndarray:
        """Recyclers' demand at ``price`` [t/step]."""
        return self.capacity_t * logistic((self.willingness_usd_per_t - price) / self.spread_usd_per_t)

    def export(self, price: np.ndarray) -> np.ndarray:
        """Export buyers' demand at ``price`` [t/step] (none where the export price is 0)."""
        p = np.maximum(price, 1e-9)
        ratio = np.divide(self.export_price_usd_per_t, p, out=np.zeros_like(p), where=p > 0)
        curve = self.export_t * ratio**self.elasticity
        return np.minimum(self.export_ceiling_t, curve) * self.export_open

    def total(self, price: np.ndarray) -> np.ndarray:
        """All demand at ``price`` [t/step]."""
        return self.domestic(price) + self.export(price)


def clearing_price(offer_t: np.ndarray, demand: Demand, floor: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """The price at which demand equals the offer, within ``[floor, ceiling]``, by material.

    Demand falls with price, so bisection finds the root; where even the floor finds too few
    buyers the floor is returned, where the ceiling finds too many, the ceiling.
    """
    lo, hi = floor.astype(float).copy(), ceiling.astype(float).copy()
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        excess = demand.total(mid) - offer_t
        lo = np.where(excess > 0, mid, lo)
        hi = np.where(excess > 0, hi, mid)
    price = 0.5 * (lo + hi)
    price = np.where(demand.total(floor) <= offer_t, floor, price)
    return np.where(demand.total(ceiling) >= offer_t, ceiling, price)


@dataclass(frozen=True)
class Trade:
    """What one step of the market did, by material [t] and [USD/t]."""

    price_usd_per_t: np.ndarray
    to_recyclers_t: np.ndarray
    to_export_t: np.ndarray
    unsold_t: np.ndarray


def trade(offer_t: np.ndarray, price: np.ndarray, demand: Demand) -> Trade:
    """Sell ``min(offer, demand(price))`` at ``price``, shared between buyers by their demand."""
    dom, exp = demand.domestic(price), demand.export(price)
    wanted = dom + exp
    sold = np.minimum(offer_t, wanted)
    share = np.divide(sold, wanted, out=np.zeros_like(sold), where=wanted > 0)
    to_recyclers = dom * share
    to_export = exp * share
    return Trade(price, to_recyclers, to_export, np.maximum(offer_t - to_recyclers - to_export, 0.0))


def family_share(offer_t: np.ndarray) -> np.ndarray:
    """Each material's share of its family's offer (equal shares in a family with no offer)."""
    by_group = np.bincount(_GROUP_OF, weights=offer_t, minlength=N_GROUPS)
    members = np.bincount(_GROUP_OF, minlength=N_GROUPS).astype(float)
    total = by_group[_GROUP_OF]
    return np.where(
        total > 0,
        np.divide(offer_t, total, out=np.zeros_like(offer_t), where=total > 0),
        1 / members[_GROUP_OF],
    )


def adjust(previous: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Move a price ``rate`` (0-1) of the way from ``previous`` to ``target``."""
    return previous + rate * (target - previous)


def rate_per_step(half_life_years: float, step_years: float) -> float:
    """Share of a gap closed per step for a given half-life (independent of the step length)."""
    return 1.0 - 0.5 ** (step_years / half_life_years)


@dataclass
class Investment:
    """Recycling capacity by family: expected margins, orders under construction, retirements.

    Args:
        capacity_t_per_day: Capacity in operation by family [t input/day].
        lead_steps: Steps from an order to operation.
    """

    capacity_t_per_day: np.ndarray
    lead_steps: int
    expected_margin_usd_per_t: np.ndarray = field(default_factory=lambda: np.zeros(N_GROUPS))
    expected_use: np.ndarray = field(default_factory=lambda: np.ones(N_GROUPS))  # [fraction of capacity]
    pipeline_t_per_day: list[np.ndarray] = field(default_factory=list)
    primed: bool = False

    def __post_init__(self) -> None:
        self.pipeline_t_per_day = [np.zeros(N_GROUPS) for _ in range(max(self.lead_steps, 0))]

    def observe(
        self,
        margin_by_group: np.ndarray,
        weight_by_group: np.ndarray,
        memory_rate: float,
        use_by_group: np.ndarray | None = None,
    ) -> None:
        """Update expected margins and use of capacity with the step's (families that traded nothing keep theirs).

        Args:
            margin_by_group: The step's margin per tonne of input [USD/t].
            weight_by_group: Tonnes the margin is an average over (0: nothing traded).
            memory_rate: Share of the gap to the step's value closed per step.
            use_by_group: Share of capacity used this step (families without capacity: 1).
        """
        use = np.ones(N_GROUPS) if use_by_group is None else use_by_group
        if not self.primed:
            self.expected_margin_usd_per_t = margin_by_group.copy()
            self.expected_use = use.copy()
            self.primed = True
            return
        traded = weight_by_group > 0
        update = adjust(self.expected_margin_usd_per_t, margin_by_group, memory_rate)
        self.expected_margin_usd_per_t = np.where(traded, update, self.expected_margin_usd_per_t)
        self.expected_use = adjust(self.expected_use, use, memory_rate)

    def decide(
        self,
        hurdle_usd_per_t: float,
        max_growth_per_step: float,
        max_retirement_per_step: float,
        seed_t_per_day: np.ndarray,
        normal_use: float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Order or retire capacity; return (ordered, retired) this step [t/day by family].

        What a new plant would earn per tonne of capacity is the expected margin times the
        share of capacity it can expect to use, relative to ``normal_use`` (the use the hurdle
        assumes): ``signal = margin * min(1, use / normal_use)``, where ``use`` is the expected
        use scaled down by the plants already under construction (recyclers see them). Orders
        scale with ``(signal - hurdle) / hurdle`` up to the bound, so capacity stops growing when
        supply, not capacity, is short; a family with no capacity yet can start from
        ``seed_t_per_day`` (one small plant) when margins allow. Retirement scales with
        ``-margin / hurdle`` up to its bound.
        """
        m = self.expected_margin_usd_per_t
        building = sum(self.pipeline_t_per_day, np.zeros(N_GROUPS))
        total = self.capacity_t_per_day + building
        forward = np.where(
            total > 0,
            self.expected_use
            * np.divide(self.capacity_t_per_day, total, out=np.ones(N_GROUPS), where=total > 0),
            1.0,
        )
        signal = m * np.minimum(1.0, forward / normal_use)
        excess = np.clip((signal - hurdle_usd_per_t) / hurdle_usd_per_t, 0.0, 1.0)
        base = np.maximum(total, seed_t_per_day)
        ordered = base * max_growth_per_step * excess
        shortfall = np.clip(-m / hurdle_usd_per_t, 0.0, 1.0)
        retired = self.capacity_t_per_day * max_retirement_per_step * shortfall
        self.capacity_t_per_day = self.capacity_t_per_day - retired
        if self.lead_steps > 0:
            self.pipeline_t_per_day.append(ordered)
            arriving = self.pipeline_t_per_day.pop(0)
        else:
            arriving = ordered
        self.capacity_t_per_day = self.capacity_t_per_day + arriving
        return ordered, retired


def by_material(values_by_group: np.ndarray) -> np.ndarray:
    """A family value for each material (``MATERIALS`` order)."""
    return np.asarray(values_by_group)[_GROUP_OF]


def by_group(values_by_material: np.ndarray) -> np.ndarray:
    """Sum of a material value over each family."""
    return np.bincount(_GROUP_OF, weights=values_by_material, minlength=N_GROUPS)
