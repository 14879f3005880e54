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
- **Clearing**: the price ``p*`` where ``D_d + D_x = S`` (Newton steps safeguarded by bisection,
  to :data:`CLEARING_TOLERANCE` of the price range; the floor if even the floor price finds too
  few buyers, the ceiling if the ceiling price finds too many). The step's price moves toward
  it with a half-life (traders learn prices over weeks, not at once):
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

import math
from dataclasses import dataclass, field
from typing import Any

import numba as nb
import numpy as np

from sim.materials import GROUP_INDEX, N_GROUPS

#: Width of the bracket around the clearing price at which the search stops, relative to the price
#: range ``ceiling - floor`` (never below four units in the last place of the prices). The price
#: returned is the bracket's midpoint, so within half of it (5e-13 of the range: under 1e-9 USD/t
#: for any range below 2,000 USD/t) of the root of demand as computed, as fine as the 40-step
#: bisection this replaces (2**-41 of the range).
CLEARING_TOLERANCE = 1e-12
#: Newton steps (safeguarded by bisection) before the search goes on by plain bisection: a bound
#: that demand curves of the documented form never reach (they need two to six), not a budget.
NEWTON_STEPS = 60
#: Newton steps on the offer left to recyclers (:func:`_logit_step`) that give the first guess.
GUESS_STEPS = 4

#: Lowest price the export curve is evaluated at [USD/t] (its ``(X / p) ** e`` has no limit at 0).
_MIN_PRICE = 1e-9

_GROUP_OF = np.array(GROUP_INDEX)
#: Each material's share of its family when the family offers nothing (equal shares).
_EQUAL_SHARE: list[float] = (1.0 / np.bincount(_GROUP_OF)[_GROUP_OF]).tolist()


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
        """Recyclers' demand at ``price`` [t/step].

        The logistic ``F(z) = 1 / (1 + exp(-z))`` is computed as ``exp(min(z, 0)) / (1 + exp(-|z|))``,
        which never overflows and keeps its relative precision in both tails.
        """
        z = (self.willingness_usd_per_t - price) / self.spread_usd_per_t
        return self.capacity_t * (np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z))))

    def export(self, price: np.ndarray) -> np.ndarray:
        """Export buyers' demand at ``price`` [t/step] (none where the export price is 0)."""
        ratio = self.export_price_usd_per_t / np.maximum(price, _MIN_PRICE)
        curve = self.export_t * ratio**self.elasticity
        return np.minimum(self.export_ceiling_t, curve) * self.export_open

    def total(self, price: np.ndarray) -> np.ndarray:
        """All demand at ``price`` [t/step]."""
        return self.domestic(price) + self.export(price)


# --------------------------------------------------------------------------- scalar demand
#
# The market's per-step work runs material by material on scalars, compiled (Numba): for seven
# materials (four families), scalar loops cost far less than NumPy calls on arrays of seven, and
# compiled they cost less than the call itself. The scalar formulas are those of
# :class:`Demand`, term for term and in the same order. ``error_model="numpy"``: a division by 0
# gives inf or nan instead of raising (none happens on the documented inputs; the search's
# denominators are at least 1).

_jit: Any = nb.njit(cache=True, error_model="numpy")  # typed as Any: mypy cannot read Numba signatures


@_jit
def _domestic_one(price: float, capacity: float, willingness: float, spread: float) -> float:
    """Recyclers' demand for one material at one price (:meth:`Demand.domestic`)."""
    z = (willingness - price) / spread
    if z >= 0.0:
        return capacity * (1.0 / (1.0 + math.exp(-z)))
    u = math.exp(z)
    return capacity * (u / (1.0 + u))


@_jit
def _pow(base: float, exponent: float) -> float:
    """``base ** exponent``: inf where it overflows and nan outside its domain, as in NumPy."""
    return math.pow(base, exponent)


@_jit
def _export_one(
    price: float, demand: float, price_x: float, ceiling: float, open_share: float, elasticity: float
) -> tuple[float, float]:
    """Export buyers' demand for one material at one price (:meth:`Demand.export`) and its slope."""
    p = _MIN_PRICE if price < _MIN_PRICE else price
    curve = demand * _pow(price_x / p, elasticity)
    if curve < ceiling:
        taken = curve * open_share
        return taken, (-elasticity * taken / p if price > _MIN_PRICE else 0.0)
    return (ceiling if curve >= ceiling else curve) * open_share, 0.0


def _columns(arrays: tuple[np.ndarray, ...]) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """The arrays as flat float64 arrays of one length (broadcast where their shapes differ), and the shape."""
    try:
        shape = arrays[0].shape
        same = len(shape) == 1 and all(a.shape == shape and a.dtype == np.float64 for a in arrays)
    except AttributeError:
        same = False
    if same:
        return list(arrays), shape
    full = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arrays))
    return [np.ascontiguousarray(a).ravel() for a in full], full[0].shape


def _curves(demand: Demand) -> tuple[np.ndarray, ...]:
    """The demand side's arrays in the order of :func:`_domestic_one` and :func:`_export_one`."""
    return (
        demand.capacity_t,
        demand.willingness_usd_per_t,
        demand.spread_usd_per_t,
        demand.export_t,
        demand.export_price_usd_per_t,
        demand.export_ceiling_t,
        demand.export_open,
    )


# --------------------------------------------------------------------------- clearing


@_jit
def _clear_one(
    offer: float,
    capacity: float,
    willingness: float,
    spread: float,
    export_t: float,
    price_x: float,
    ceiling_t: float,
    open_share: float,
    elasticity: float,
    floor: float,
    ceiling: float,
    newton_steps: int,
) -> float:
    """The clearing price of one material (see :func:`clearing_price`).

    Between the floor and the ceiling the search keeps a bracket ``[lo, hi]``, demand above the
    offer at ``lo`` and not above it at ``hi``. Its steps are Newton steps on the offer left to
    recyclers turned into a price: recyclers take ``left = S - D_x(p)`` at the price
    ``w - sigma * logit(left / K)``, so ``g(p) = p - w + sigma * log(left / (K - left))`` is 0 at
    the clearing price, and its slope ``1 - sigma * K * D_x'(p) / (left * (K - left))`` is at
    least 1: the step is exact where the export curve is flat and close to it elsewhere. Where
    recyclers cannot clear what is left (nothing left, or more than their capacity), the step is
    Newton's on ``D - S``; where a step would leave the bracket or not halve the step before
    last, bisection's. The first guess takes such steps on the export curve alone (no
    logistic), from the floor. A step never moves less than half the tolerance toward the root,
    so that a converged iterate is bracketed by the next evaluation.
    """
    if floor == ceiling:
        return ceiling
    dom_args = (capacity, willingness, spread)
    exp_args = (export_t, price_x, ceiling_t, open_share, elasticity)
    if _domestic_one(ceiling, *dom_args) + _export_one(ceiling, *exp_args)[0] >= offer:
        return ceiling
    taken, taken_slope = _export_one(floor, *exp_args)
    if _domestic_one(floor, *dom_args) + taken <= offer:
        return floor
    lo, hi = floor, ceiling
    top = max(abs(lo), abs(hi))
    tol = max(CLEARING_TOLERANCE * (hi - lo), 4.0 * (np.nextafter(top, math.inf) - top))  # 4 ulp
    return _search(
        offer, capacity, willingness, spread, exp_args, lo, hi, tol, taken, taken_slope, newton_steps
    )


@_jit
def _search(
    offer: float,
    capacity: float,
    willingness: float,
    spread: float,
    exp_args: tuple[float, float, float, float, float],
    lo: float,
    hi: float,
    tol: float,
    taken: float,
    taken_slope: float,
    newton_steps: int,
) -> float:
    """The search of :func:`_clear_one` in ``(lo, hi)``, given the export demand at ``lo`` and its slope."""
    export_t, price_x, _, open_share, elasticity = exp_args
    half = 0.5 * tol
    x = 0.5 * (lo + hi)
    known = False  # whether taken and taken_slope are those at x
    if capacity > 0.0:
        guess = lo
        for _ in range(GUESS_STEPS):
            left = offer - taken
            if not 0.0 < left < capacity:
                break
            room = capacity - left
            g = guess - willingness + spread * math.log(left / room)
            step = -g / (1.0 - spread * taken_slope * capacity / (left * room))
            if not lo < guess + step < hi:
                break
            guess += step
            x, known = guess, False
            if abs(step) < half:
                break
            taken, taken_slope = _export_one(x, *exp_args)
            known = True
    elif offer > 0.0 and export_t * open_share > 0.0 and elasticity > 0.0:
        # Export buyers alone clear the offer (below their ceiling) at X * (Q * open / S) ** (1 / e).
        guess = price_x * _pow(export_t * open_share / offer, 1.0 / elasticity)
        if lo < guess < hi:
            x = guess
    step = before = hi - lo
    for _ in range(newton_steps):
        if not known:
            taken, taken_slope = _export_one(x, *exp_args)
        known = False
        z = (willingness - x) / spread  # _domestic_one's formula, with the slope
        u = math.exp(-z) if z >= 0.0 else math.exp(z)
        q = 1.0 + u
        excess = capacity * (1.0 / q if z >= 0.0 else u / q) + taken - offer
        if excess > 0.0:
            lo = x
        else:
            hi = x
        if hi - lo <= tol:
            return 0.5 * (lo + hi)
        left = offer - taken
        if 0.0 < left < capacity:
            room = capacity - left
            g = x - willingness + spread * math.log(left / room)
            proposal = -g / (1.0 - spread * taken_slope * capacity / (left * room))
        else:
            slope = taken_slope - capacity * u / (q * q * spread)
            proposal = -excess / slope if slope < 0.0 else math.inf
        if abs(proposal + proposal) <= abs(before):
            proposal = max(proposal, half) if excess > 0.0 else min(proposal, -half)
            if lo < x + proposal < hi:
                before, step = step, proposal
                x += proposal
                continue
        before, step = step, 0.5 * (hi - lo)
        x = lo + step
    return _bisect(offer, (capacity, willingness, spread), exp_args, lo, hi, tol)


@_jit
def _bisect(
    offer: float,
    dom_args: tuple[float, float, float],
    exp_args: tuple[float, float, float, float, float],
    lo: float,
    hi: float,
    tol: float,
) -> float:
    """Bisection of ``[lo, hi]`` (demand above the offer at ``lo``) down to ``tol``; the midpoint."""
    while hi - lo > tol:
        x = 0.5 * (lo + hi)
        if _domestic_one(x, *dom_args) + _export_one(x, *exp_args)[0] > offer:
            lo = x
        else:
            hi = x
    return 0.5 * (lo + hi)


def clearing_price(offer_t: np.ndarray, demand: Demand, floor: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """The price at which demand equals the offer, within ``[floor, ceiling]``, by material.

    Where the ceiling price finds buyers for the whole offer (``D(ceiling) >= S``), the ceiling;
    else where even the floor finds too few (``D(floor) <= S``), the floor; else the price
    between them where demand falls to the offer: the point ``p*`` with ``D > S`` below it and
    ``D <= S`` above it, as bisection (``D(mid) > S``: ``lo = mid``, else ``hi = mid``) would
    find. Demand falls with price, so the root is bracketed, and the search keeps a bracket
    (see :func:`_clear_one`): Newton steps where they converge fast, bisection where they
    would not, until the bracket is :data:`CLEARING_TOLERANCE` of ``ceiling - floor`` wide;
    its midpoint is returned, within half of that of ``p*``. On the model's demand curves that
    takes two or three evaluations of demand per material besides the floor and the ceiling.
    ``floor <= ceiling``, spreads > 0, prices and elasticity >= 0.
    """
    columns, shape = _columns((offer_t, *_curves(demand), floor, ceiling))
    return _clear_all(*columns, float(demand.elasticity), NEWTON_STEPS).reshape(shape)


@_jit
def _clear_all(
    offer: np.ndarray,
    capacity: np.ndarray,
    willingness: np.ndarray,
    spread: np.ndarray,
    export_t: np.ndarray,
    price_x: np.ndarray,
    ceiling_t: np.ndarray,
    open_share: np.ndarray,
    floor: np.ndarray,
    ceiling: np.ndarray,
    elasticity: float,
    newton_steps: int,
) -> np.ndarray:
    """:func:`_clear_one` of every material."""
    out = np.empty(len(offer))
    for m in range(len(offer)):
        out[m] = _clear_one(
            offer[m],
            capacity[m],
            willingness[m],
            spread[m],
            export_t[m],
            price_x[m],
            ceiling_t[m],
            open_share[m],
            elasticity,
            floor[m],
            ceiling[m],
            newton_steps,
        )
    return out


# --------------------------------------------------------------------------- trade


@dataclass(frozen=True)
class Trade:
    """What one step of the market did, by material [t] and [USD/t]."""

    price_usd_per_t: np.ndarray
    to_recyclers_t: np.ndarray
    to_export_t: np.ndarray
    unsold_t: np.ndarray


def trade(offer_t: np.ndarray, price: np.ndarray, demand: Demand) -> Trade:
    """Sell ``min(offer, demand(price))`` at ``price``, shared between buyers by their demand."""
    columns, shape = _columns((offer_t, price, *_curves(demand)))
    to_recyclers, to_export, unsold = _trade_all(*columns, float(demand.elasticity))
    return Trade(price, to_recyclers.reshape(shape), to_export.reshape(shape), unsold.reshape(shape))


@_jit
def _trade_all(
    offer: np.ndarray,
    price: np.ndarray,
    capacity: np.ndarray,
    willingness: np.ndarray,
    spread: np.ndarray,
    export_t: np.ndarray,
    price_x: np.ndarray,
    ceiling_t: np.ndarray,
    open_share: np.ndarray,
    elasticity: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`trade` of every material: sold to recyclers, exported, unsold [t]."""
    n = len(offer)
    to_recyclers, to_export, unsold = np.empty(n), np.empty(n), np.empty(n)
    for m in range(n):
        dom = _domestic_one(price[m], capacity[m], willingness[m], spread[m])
        exp = _export_one(price[m], export_t[m], price_x[m], ceiling_t[m], open_share[m], elasticity)[0]
        wanted = dom + exp
        share = (offer[m] if offer[m] < wanted else wanted) / wanted if wanted > 0.0 else 0.0
        to_recyclers[m], to_export[m] = dom * share, exp * share
        left = offer[m] - to_recyclers[m] - to_export[m]
        unsold[m] = left if left > 0.0 else 0.0
    return to_recyclers, to_export, unsold


def family_share(offer_t: np.ndarray) -> np.ndarray:
    """Each material's share of its family's offer (equal shares in a family with no offer)."""
    offers = np.asarray(offer_t, dtype=float).tolist()
    totals = [0.0] * N_GROUPS
    for group, offer in zip(GROUP_INDEX, offers, strict=True):
        totals[group] += offer
    return np.array(
        [
            offer / totals[group] if totals[group] > 0.0 else equal
            for group, offer, equal in zip(GROUP_INDEX, offers, _EQUAL_SHARE, strict=True)
        ]
    )


def adjust(previous: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Move a price ``rate`` (0-1) of the way from ``previous`` to ``target``."""
    return previous + rate * (target - previous)


def rate_per_step(half_life_years: float, step_years: float) -> float:
    """Share of a gap closed per step for a given half-life (independent of the step length)."""
    return 1.0 - 0.5 ** (step_years / half_life_years)


# --------------------------------------------------------------------------- investment


def _clip01(x: float) -> float:
    """``x`` within ``[0, 1]``."""
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


def _per_hurdle(x: float, hurdle: float) -> float:
    """``x / hurdle``; with a hurdle of 0 (a capital cost that rounds to nothing), +-inf or 0."""
    if hurdle > 0.0:
        return x / hurdle
    return math.inf if x > 0.0 else (-math.inf if x < 0.0 else 0.0)


def _by_family(values: np.ndarray | float) -> list[float]:
    """A value per family as floats (a scalar for every family)."""
    if np.ndim(values) == 0:
        return [float(values)] * N_GROUPS
    return np.asarray(values, dtype=float).tolist()


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
        r = memory_rate
        self.expected_margin_usd_per_t = np.array(
            [
                old + r * (new - old) if weight > 0.0 else old  # adjust(old, new, r) where traded
                for old, new, weight in zip(
                    self.expected_margin_usd_per_t.tolist(),
                    _by_family(margin_by_group),
                    _by_family(weight_by_group),
                    strict=True,
                )
            ]
        )
        self.expected_use = np.array(
            [
                old + r * (new - old)
                for old, new in zip(self.expected_use.tolist(), _by_family(use), strict=True)
            ]
        )

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
        h = hurdle_usd_per_t
        pipeline = self.pipeline_t_per_day
        # Orders under construction, summed oldest first (np.add.reduce adds the rows in order).
        building = np.add.reduce(pipeline, axis=0).tolist() if pipeline else [0.0] * N_GROUPS
        ordered, retired, kept = [], [], []
        for margin, capacity, built, use, seed in zip(
            self.expected_margin_usd_per_t.tolist(),
            _by_family(self.capacity_t_per_day),
            building,
            self.expected_use.tolist(),
            _by_family(seed_t_per_day),
            strict=True,
        ):
            total = capacity + built
            forward = use * (capacity / total) if total > 0.0 else 1.0
            share = forward / normal_use
            signal = margin * (share if share < 1.0 else 1.0)
            ordered.append(
                (total if total >= seed else seed) * max_growth_per_step * _clip01(_per_hurdle(signal - h, h))
            )
            out = capacity * max_retirement_per_step * _clip01(_per_hurdle(-margin, h))
            retired.append(out)
            kept.append(capacity - out)
        orders = np.array(ordered)
        if self.lead_steps > 0:
            pipeline.append(orders)
            arriving = pipeline.pop(0)
        else:
            arriving = orders
        self.capacity_t_per_day = np.array(kept) + arriving
        return orders, np.array(retired)


def by_material(values_by_group: np.ndarray) -> np.ndarray:
    """A family value for each material (``MATERIALS`` order)."""
    return np.asarray(values_by_group)[_GROUP_OF]


def by_group(values_by_material: np.ndarray) -> np.ndarray:
    """Sum of a material value over each family."""
    return np.bincount(_GROUP_OF, weights=values_by_material, minlength=N_GROUPS)
