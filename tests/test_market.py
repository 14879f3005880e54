"""The secondary-materials market: clearing, bounds, shocks, investment, export rules, levers.

Unit tests of :mod:`sim.market` with hand-made demand curves; then the fast clearing against a
slow reference bisection written here, on random demand curves and offers (Hypothesis), and the
scalar per-step code against the NumPy formulas it replaces; then the model: every step clears
(sold <= offered, bought <= demand at the step's price), prices stay within their bounds, a
supply shock lowers the price and a demand shock raises it, capacity follows margins after the
lead time, an export ban cuts exports, and raising a lever's strength never lowers recycling in
expectation over seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import Scenario, load_scenario, run_scenario
from sim import market as mk
from sim import network as net
from sim.materials import GROUP_INDEX, N_GROUPS, N_MATERIALS
from sim.model import PlasticModel

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"

SCALE = 0.02
#: Households simulated in the seeds-paired lever comparison (about 6,000).
PAIRED_SCALE = 0.01


def demand(capacity: float = 100.0, willingness: float = 300.0, export: float = 50.0) -> mk.Demand:
    """A demand side for seven materials, the same for each."""
    ones = np.ones(N_MATERIALS)
    return mk.Demand(
        capacity_t=capacity * ones,
        willingness_usd_per_t=willingness * ones,
        spread_usd_per_t=30.0 * ones,
        export_t=export * ones,
        export_price_usd_per_t=200.0 * ones,
        export_ceiling_t=2 * export * ones,
        export_open=ones,
        elasticity=2.0,
    )


# --------------------------------------------------------------------------- unit


def test_the_clearing_price_equates_demand_and_offer() -> None:
    d = demand()
    offer = np.full(N_MATERIALS, 120.0)
    floor, ceiling = np.full(N_MATERIALS, 20.0), np.full(N_MATERIALS, 900.0)
    price = mk.clearing_price(offer, d, floor, ceiling)
    assert np.all((price > floor) & (price < ceiling))
    np.testing.assert_allclose(d.total(price), offer, rtol=1e-6)


def test_a_glut_sends_the_price_to_the_floor_and_scarcity_to_the_ceiling() -> None:
    d = demand(capacity=10, export=5)
    floor, ceiling = np.full(N_MATERIALS, 20.0), np.full(N_MATERIALS, 900.0)
    assert np.all(mk.clearing_price(np.full(N_MATERIALS, 1e6), d, floor, ceiling) == floor)
    assert np.all(mk.clearing_price(np.full(N_MATERIALS, 1e-3), d, floor, ceiling) == ceiling)


@pytest.mark.parametrize("offer", [0.0, 10.0, 100.0, 1000.0])
@pytest.mark.parametrize("price", [50.0, 200.0, 400.0])
def test_a_trade_sells_no_more_than_offered_nor_than_buyers_want(offer: float, price: float) -> None:
    d = demand()
    p = np.full(N_MATERIALS, price)
    deal = mk.trade(np.full(N_MATERIALS, offer), p, d)
    sold = deal.to_recyclers_t + deal.to_export_t
    assert np.all(sold <= offer + 1e-9)
    assert np.all(deal.to_recyclers_t <= d.domestic(p) + 1e-9)
    assert np.all(deal.to_export_t <= d.export(p) + 1e-9)
    np.testing.assert_allclose(sold + deal.unsold_t, offer)
    assert np.all(deal.unsold_t >= 0) and np.all(deal.to_export_t >= 0)


def test_more_offer_lowers_the_clearing_price_and_more_demand_raises_it() -> None:
    floor, ceiling = np.full(N_MATERIALS, 1.0), np.full(N_MATERIALS, 2000.0)
    base = mk.clearing_price(np.full(N_MATERIALS, 120.0), demand(), floor, ceiling)
    glut = mk.clearing_price(np.full(N_MATERIALS, 140.0), demand(), floor, ceiling)
    keen = mk.clearing_price(np.full(N_MATERIALS, 120.0), demand(willingness=350.0), floor, ceiling)
    assert np.all(glut < base) and np.all(keen > base)


def test_an_export_ban_removes_export_demand() -> None:
    d = demand()
    banned = mk.Demand(**{**d.__dict__, "export_open": np.zeros(N_MATERIALS)})
    p = np.full(N_MATERIALS, 150.0)
    assert np.all(banned.export(p) == 0) and np.all(d.export(p) > 0)


def test_investment_follows_margins_after_the_lead_time() -> None:
    inv = mk.Investment(np.full(N_GROUPS, 10.0), lead_steps=3)
    inv.observe(np.full(N_GROUPS, 100.0), np.ones(N_GROUPS), 0.5)  # margin well above the hurdle
    capacity = []
    for _ in range(5):
        inv.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 1.0))
        capacity.append(inv.capacity_t_per_day[0])
    assert capacity[0] == capacity[1] == capacity[2] == 10.0  # under construction
    assert capacity[3] > 10.0 and capacity[4] > capacity[3]


def test_capacity_is_retired_when_margins_stay_negative() -> None:
    inv = mk.Investment(np.full(N_GROUPS, 10.0), lead_steps=2)
    inv.observe(np.full(N_GROUPS, -50.0), np.ones(N_GROUPS), 0.5)
    ordered, retired = inv.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 1.0))
    assert np.all(ordered == 0) and np.all(retired > 0)
    assert np.all(inv.capacity_t_per_day < 10.0)


def test_a_margin_at_the_hurdle_neither_builds_nor_retires() -> None:
    inv = mk.Investment(np.full(N_GROUPS, 10.0), lead_steps=0)
    inv.observe(np.full(N_GROUPS, 40.0), np.ones(N_GROUPS), 0.5)
    ordered, retired = inv.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 1.0))
    assert np.all(ordered == 0) and np.all(retired == 0)


def test_the_price_adjustment_rate_does_not_depend_on_the_step_length() -> None:
    monthly = 1 - (1 - mk.rate_per_step(2 / 12, 1 / 12)) ** 12
    weekly = 1 - (1 - mk.rate_per_step(2 / 12, 1 / 52)) ** 52
    assert monthly == pytest.approx(weekly)


# --------------------------------------------------------------------------- clearing vs a reference

EPS = np.finfo(float).eps
CURVES = settings(max_examples=300, deadline=None)


def reference_clearing(offer: np.ndarray, d: mk.Demand, floor: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Plain bisection on ``Demand.total`` to the last bit (the definition the fast search must meet)."""
    lo, hi = floor.astype(float), ceiling.astype(float)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(1100):  # enough to reach adjacent floats from any range
            mid = 0.5 * (lo + hi)
            if np.all((mid == lo) | (mid == hi)):
                break
            above = d.total(mid) - offer > 0
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        price = np.where(d.total(floor) <= offer, floor, 0.5 * (lo + hi))
        return np.where(d.total(ceiling) >= offer, ceiling, price)


def demand_slope(d: mk.Demand, price: np.ndarray) -> np.ndarray:
    """Analytic derivative of total demand in the price (the test's own, from the formulas)."""
    z = (d.willingness_usd_per_t - price) / d.spread_usd_per_t
    u = np.exp(-np.abs(z))
    domestic = -d.capacity_t * u / ((1 + u) ** 2 * d.spread_usd_per_t)
    p = np.maximum(price, 1e-9)
    curve = d.export_t * (d.export_price_usd_per_t / p) ** d.elasticity
    export = np.where(curve < d.export_ceiling_t, -d.elasticity * curve * d.export_open / p, 0.0)
    return domestic + export


def price_tolerance(floor: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """The search's documented precision, plus the reference's last bits [USD/t]."""
    top = np.maximum(np.abs(floor), np.abs(ceiling))
    return mk.CLEARING_TOLERANCE * (ceiling - floor) + 8 * EPS * top


def demand_rounding(d: mk.Demand, offer: np.ndarray) -> np.ndarray:
    """What rounding can make of demand near the offer (a few units in the last place) [t]."""
    return 64 * EPS * (np.abs(offer) + d.capacity_t + d.export_ceiling_t * d.export_open + d.export_t)


@st.composite
def markets(draw: st.DrawFn) -> tuple[np.ndarray, mk.Demand, np.ndarray, np.ndarray]:
    """Random demand curves, offers and bounds for seven materials, edge cases included."""
    rows = []
    for _ in range(N_MATERIALS):
        ref = draw(st.one_of(st.just(0.0), st.floats(1.0, 3000.0)))
        floor = ref * draw(st.floats(0.05, 1.0))
        ceiling = ref * draw(st.floats(1.0, 20.0))
        capacity = draw(st.one_of(st.just(0.0), st.floats(1e-3, 1e5)))
        willingness = draw(st.floats(-1000.0, 5000.0))
        spread = draw(st.floats(1.0, 2000.0))
        export_t = draw(st.one_of(st.just(0.0), st.floats(1e-3, 1e5)))
        price_x = draw(st.one_of(st.just(0.0), st.floats(1.0, 5000.0)))
        ceiling_t = export_t * draw(st.one_of(st.just(0.0), st.floats(0.0, 20.0)))
        open_share = draw(st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0)))
        scale = capacity + ceiling_t * open_share
        offer = draw(
            st.one_of(
                st.just(0.0),
                st.floats(0.0, 2e5),
                st.floats(0.0, 1.5).map(lambda s, scale=scale: s * scale),  # near the demand
                st.just(scale),  # all that could be bought
            )
        )
        rows.append(
            (offer, capacity, willingness, spread, export_t, price_x, ceiling_t, open_share, floor, ceiling)
        )
    cols = [np.array(c) for c in zip(*rows, strict=True)]
    elasticity = draw(st.one_of(st.just(0.0), st.just(2.0), st.floats(0.0, 10.0)))
    demand_side = mk.Demand(*cols[1:8], elasticity=elasticity)
    return cols[0], demand_side, cols[8], cols[9]


@CURVES
@given(markets())
def test_the_clearing_price_agrees_with_a_reference_bisection(market) -> None:
    """Within the documented precision, or the rounding of demand over its slope where that is flat."""
    offer, d, floor, ceiling = market
    price = mk.clearing_price(offer, d, floor, ceiling)
    ref = reference_clearing(offer, d, floor, ceiling)
    slope = np.abs(demand_slope(d, ref))
    eta = demand_rounding(d, offer)
    # How far rounding of demand can move the root (anywhere where demand is flat).
    flat = np.divide(eta, slope, out=np.where(eta > 0, np.inf, 0.0), where=slope > 0)
    allowed = price_tolerance(floor, ceiling) + flat
    assert np.all(np.abs(price - ref) <= allowed), (price, ref, allowed)
    assert np.all((price >= floor) & (price <= ceiling))


@CURVES
@given(markets())
def test_demand_crosses_the_offer_within_the_tolerance_of_the_clearing_price(market) -> None:
    """Above the offer just below the price, not above it just above (rounding of demand aside)."""
    offer, d, floor, ceiling = market
    price = mk.clearing_price(offer, d, floor, ceiling)
    step = price_tolerance(floor, ceiling)
    eta = demand_rounding(d, offer)
    inside = (price > floor) & (price < ceiling)
    below, above = d.total(np.maximum(price - step, floor)), d.total(np.minimum(price + step, ceiling))
    assert np.all(~inside | (below >= offer - eta)), (price, below, offer)
    assert np.all(~inside | (above <= offer + eta)), (price, above, offer)
    at_floor, at_ceiling = (price == floor) & (floor < ceiling), (price == ceiling) & (floor < ceiling)
    assert np.all(~at_floor | (d.total(floor) <= offer + eta))
    assert np.all(~at_ceiling | (d.total(ceiling) >= offer - eta))


@CURVES
@given(markets(), st.floats(1.0001, 3.0))
def test_more_offer_never_raises_the_clearing_price(market, factor) -> None:
    offer, d, floor, ceiling = market
    base = mk.clearing_price(offer, d, floor, ceiling)
    glut = mk.clearing_price(offer * factor + 1e-3, d, floor, ceiling)
    assert np.all(glut <= base + price_tolerance(floor, ceiling)), (base, glut)


@CURVES
@given(markets(), st.floats(1.0, 500.0))
def test_more_willingness_never_lowers_the_clearing_price(market, more) -> None:
    offer, d, floor, ceiling = market
    keen = mk.Demand(**{**d.__dict__, "willingness_usd_per_t": d.willingness_usd_per_t + more})
    base = mk.clearing_price(offer, d, floor, ceiling)
    assert np.all(mk.clearing_price(offer, keen, floor, ceiling) >= base - price_tolerance(floor, ceiling))


@settings(max_examples=100, deadline=None)
@given(markets(), st.permutations(range(N_MATERIALS)), markets())
def test_the_clearing_price_is_deterministic_and_material_by_material(market, order, other) -> None:
    """The same inputs give the same bits, whatever came before and in whatever order the materials are."""
    offer, d, floor, ceiling = market
    first = mk.clearing_price(offer, d, floor, ceiling)
    mk.clearing_price(*other)
    assert np.array_equal(mk.clearing_price(offer, d, floor, ceiling), first)
    o = np.array(order)
    shuffled = mk.Demand(**{k: (v[o] if isinstance(v, np.ndarray) else v) for k, v in d.__dict__.items()})
    assert np.array_equal(mk.clearing_price(offer[o], shuffled, floor[o], ceiling[o]), first[o])


@settings(max_examples=100, deadline=None)
@given(markets())
def test_plain_bisection_after_too_many_newton_steps_gives_the_same_price(market) -> None:
    offer, d, floor, ceiling = market
    fast = mk.clearing_price(offer, d, floor, ceiling)
    saved = mk.NEWTON_STEPS
    mk.NEWTON_STEPS = 0
    try:
        slow = mk.clearing_price(offer, d, floor, ceiling)
    finally:
        mk.NEWTON_STEPS = saved
    assert np.all(np.abs(fast - slow) <= 2 * price_tolerance(floor, ceiling) + 1e-9 * np.abs(fast - floor))


def test_floor_and_ceiling_cases_are_exact() -> None:
    ones = np.ones(N_MATERIALS)
    floor, ceiling = 20.0 * ones, 900.0 * ones
    nothing = mk.Demand(
        capacity_t=0 * ones,
        willingness_usd_per_t=300 * ones,
        spread_usd_per_t=30 * ones,
        export_t=50 * ones,
        export_price_usd_per_t=200 * ones,
        export_ceiling_t=100 * ones,
        export_open=0 * ones,  # export closed and no recyclers: no demand at any price
        elasticity=2.0,
    )
    assert np.array_equal(mk.clearing_price(0 * ones, nothing, floor, ceiling), ceiling)  # 0 >= 0
    assert np.array_equal(mk.clearing_price(5 * ones, nothing, floor, ceiling), floor)
    no_price = mk.Demand(**{**nothing.__dict__, "export_open": ones, "export_price_usd_per_t": 0 * ones})
    assert np.all(no_price.export(np.full(N_MATERIALS, 100.0)) == 0)  # export price 0: no export demand
    assert np.array_equal(mk.clearing_price(5 * ones, no_price, floor, ceiling), floor)
    d = demand()
    assert np.array_equal(mk.clearing_price(d.total(ceiling), d, floor, ceiling), ceiling)
    assert np.array_equal(mk.clearing_price(d.total(floor), d, floor, ceiling), floor)
    assert np.array_equal(mk.clearing_price(0 * ones, d, 50 * ones, 50 * ones), 50 * ones)


def test_export_buyers_alone_clear_at_the_closed_form_price() -> None:
    ones = np.ones(N_MATERIALS)
    d = mk.Demand(**{**demand().__dict__, "capacity_t": 0 * ones, "export_ceiling_t": 1e6 * ones})
    offer = np.linspace(10.0, 400.0, N_MATERIALS)
    floor, ceiling = 1.0 * ones, 5000.0 * ones
    expected = 200.0 * (50.0 / offer) ** (1 / 2.0)  # X * (Q * open / S) ** (1 / e)
    assert np.all(
        np.abs(mk.clearing_price(offer, d, floor, ceiling) - expected) <= price_tolerance(floor, ceiling)
    )


def test_the_clearing_price_is_as_precise_as_documented_on_the_models_curves() -> None:
    """The baseline's demand at its last step: to 5e-13 of the range from the reference."""
    offer = np.array([2243.61, 804.707, 1191.03, 861.811, 0, 0, 0])
    d = mk.Demand(
        capacity_t=np.array([2360.73, 886.194, 1311.64, 1163.36, 0, 0, 0]),
        willingness_usd_per_t=np.array([258.4, 238.8, 218.4, 187.6, -302.4, -304.0, -303.2]),
        spread_usd_per_t=np.array([33.0, 30.0, 27.0, 22.5, 1.0, 1.0, 1.0]),
        export_t=np.array([426.125, 182.625, 304.375, 0, 0, 0, 0]),
        export_price_usd_per_t=np.array([200.0, 180.0, 160.0, 0, 0, 0, 0]),
        export_ceiling_t=np.array([852.25, 365.25, 608.75, 0, 0, 0, 0]),
        export_open=np.ones(7),
        elasticity=2.0,
    )
    floor = np.array([33.0, 30.0, 27.0, 22.5, 0, 0, 0])
    ceiling = 20 * floor
    price = mk.clearing_price(offer, d, floor, ceiling)
    ref = reference_clearing(offer, d, floor, ceiling)
    assert np.all((price[:4] > floor[:4]) & (price[:4] < ceiling[:4]))
    assert np.all(np.abs(price - ref) <= 0.5 * mk.CLEARING_TOLERANCE * (ceiling - floor) + 4 * EPS * ceiling)


# --------------------------------------------------------------------------- scalar code vs the NumPy formulas


def old_trade(offer, price, d):
    """The trade as NumPy formulas (what :func:`sim.market.trade` computes)."""
    dom, exp = d.domestic(price), d.export(price)
    wanted = dom + exp
    sold = np.minimum(offer, wanted)
    share = np.divide(sold, wanted, out=np.zeros_like(sold), where=wanted > 0)
    return dom * share, exp * share, np.maximum(offer - dom * share - exp * share, 0.0)


@settings(max_examples=200, deadline=None)
@given(markets(), st.floats(0.0, 1.0))
def test_the_scalar_trade_is_the_numpy_trade(market, where) -> None:
    offer, d, floor, ceiling = market
    price = floor + where * (ceiling - floor)
    deal = mk.trade(offer, price, d)
    for got, want in zip(
        (deal.to_recyclers_t, deal.to_export_t, deal.unsold_t), old_trade(offer, price, d), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13 * (1 + np.max(offer)))
    assert deal.price_usd_per_t is price


@settings(max_examples=200, deadline=None)
@given(st.floats(-800.0, 800.0), st.floats(0.0, 1e5), st.floats(1.0, 1e3))
def test_demand_is_the_logistic_of_the_margin(z, capacity, spread) -> None:
    """``K / (1 + exp(-z))`` without overflow, and the scalar code gives the same."""
    ones = np.ones(1)
    d = mk.Demand(capacity * ones, 100 + z * spread * ones, spread * ones, ones, ones, ones, ones, 2.0)
    with np.errstate(over="ignore"):
        textbook = capacity / (1 + np.exp(-((d.willingness_usd_per_t - 100.0) / spread)))
    got = d.domestic(np.full(1, 100.0))
    np.testing.assert_allclose(got, textbook, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(
        mk._domestic_one(100.0, capacity, 100 + z * spread, spread), got[0], rtol=1e-14, atol=1e-300
    )


def test_demand_tails_are_exact() -> None:
    d = demand()
    assert np.all(d.domestic(np.full(N_MATERIALS, 1e6)) == 0)  # far above willingness
    assert np.all(d.domestic(np.full(N_MATERIALS, -1e6)) == d.capacity_t)  # far below


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(0.0, 1e4)), min_size=N_MATERIALS, max_size=N_MATERIALS))
def test_family_shares_are_the_numpy_shares(offers) -> None:
    offer = np.array(offers)
    group = np.array(GROUP_INDEX)
    total = np.bincount(group, weights=offer, minlength=N_GROUPS)[group]
    members = np.bincount(group, minlength=N_GROUPS)[group]
    want = np.where(
        total > 0, np.divide(offer, total, out=np.zeros_like(offer), where=total > 0), 1 / members
    )
    assert np.array_equal(mk.family_share(offer), want)


class NumpyInvestment(mk.Investment):
    """Investment as NumPy formulas (what :class:`sim.market.Investment` computes)."""

    def observe(self, margin_by_group, weight_by_group, memory_rate, use_by_group=None) -> None:
        use = np.ones(N_GROUPS) if use_by_group is None else use_by_group
        if not self.primed:
            super().observe(margin_by_group, weight_by_group, memory_rate, use_by_group)
            return
        update = mk.adjust(self.expected_margin_usd_per_t, margin_by_group, memory_rate)
        self.expected_margin_usd_per_t = np.where(weight_by_group > 0, update, self.expected_margin_usd_per_t)
        self.expected_use = mk.adjust(self.expected_use, use, memory_rate)

    def decide(self, hurdle, growth, retirement, seed, normal_use=1.0):
        m = self.expected_margin_usd_per_t
        total = self.capacity_t_per_day + sum(self.pipeline_t_per_day, np.zeros(N_GROUPS))
        ratio = np.divide(self.capacity_t_per_day, total, out=np.ones(N_GROUPS), where=total > 0)
        forward = np.where(total > 0, self.expected_use * ratio, 1.0)
        signal = m * np.minimum(1.0, forward / normal_use)
        ordered = np.maximum(total, seed) * growth * np.clip((signal - hurdle) / hurdle, 0.0, 1.0)
        retired = self.capacity_t_per_day * retirement * np.clip(-m / hurdle, 0.0, 1.0)
        self.capacity_t_per_day = self.capacity_t_per_day - retired
        if self.lead_steps > 0:
            self.pipeline_t_per_day.append(ordered)
            arriving = self.pipeline_t_per_day.pop(0)
        else:
            arriving = ordered
        self.capacity_t_per_day = self.capacity_t_per_day + arriving
        return ordered, retired


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 6),
    st.lists(
        st.tuples(
            st.lists(st.floats(-200.0, 300.0), min_size=N_GROUPS, max_size=N_GROUPS),  # margins
            st.lists(st.one_of(st.just(0.0), st.floats(0.0, 1e3)), min_size=N_GROUPS, max_size=N_GROUPS),
            st.lists(st.floats(0.0, 1.0), min_size=N_GROUPS, max_size=N_GROUPS),  # use
        ),
        min_size=1,
        max_size=12,
    ),
    st.lists(st.one_of(st.just(0.0), st.floats(0.0, 100.0)), min_size=N_GROUPS, max_size=N_GROUPS),
)
def test_investment_is_the_numpy_investment_step_by_step(lead, steps, capacity) -> None:
    fast = mk.Investment(np.array(capacity), lead_steps=lead)
    slow = NumpyInvestment(np.array(capacity), lead_steps=lead)
    for margin, weight, use in steps:
        for inv in (fast, slow):
            inv.observe(np.array(margin), np.array(weight), 0.3, np.array(use))
        got = fast.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 2.0), 0.8)
        want = slow.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 2.0), 0.8)
        for a, b in zip(
            (*got, fast.capacity_t_per_day, fast.expected_margin_usd_per_t, fast.expected_use),
            (*want, slow.capacity_t_per_day, slow.expected_margin_usd_per_t, slow.expected_use),
            strict=True,
        ):
            assert np.array_equal(a, b), (a, b)


# --------------------------------------------------------------------------- in the model


class Watch(PlasticModel):
    """A model that checks the market's clearing at every step."""

    def step(self) -> None:
        market = self.market
        inner = market.step
        checks = self.checks

        def checked() -> None:
            offers = sum(s.model.ledger.stock(s.node).copy() for s in market.sellers)
            inner()
            deal = market.last_trade
            sold = deal.to_recyclers_t + deal.to_export_t
            floor, ceiling = market.bounds(self.price_index)
            checks.append(
                (
                    bool(np.all(sold <= offers + 1e-6)),
                    bool(
                        np.all(
                            (deal.price_usd_per_t >= floor - 1e-9) & (deal.price_usd_per_t <= ceiling + 1e-9)
                        )
                    ),
                    bool(
                        np.all(market.price_usd_per_t >= floor - 1e-9)
                        and np.all(market.price_usd_per_t <= ceiling + 1e-9)
                    ),
                )
            )

        market.step = checked
        try:
            super().step()
        finally:
            market.step = inner


@pytest.mark.parametrize(
    "path", ["phnom_penh_baseline.yaml", "lever_deposit_return.yaml", "price_crash.yaml"]
)
def test_the_market_clears_within_its_bounds_every_step(path: str) -> None:
    sc = load_scenario(SCENARIOS_DIR / path).with_overrides({"time.end_year": 2032})
    model = Watch.__new__(Watch)
    model.checks = []
    Watch.__init__(model, sc, seed=3, scale=SCALE)
    model.run()
    assert len(model.checks) == sc.time.n_steps
    assert all(all(c) for c in model.checks)


def _year(sc: Scenario, year: int, seeds=(1, 2, 3)) -> list:
    return [run_scenario(sc, seed=s, scale=SCALE).annual.loc[year] for s in seeds]


def test_a_supply_shock_lowers_the_price(baseline: Scenario) -> None:
    sc = baseline.with_overrides({"time.end_year": 2026})
    more = sc.with_overrides({"informal.street_pick_max_share": 0.8, "informal.dump_pick_max_share": 0.6})
    before = np.mean([y["recycler_price_pet_usd_per_t"] for y in _year(sc, 2026)])
    after = np.mean([y["recycler_price_pet_usd_per_t"] for y in _year(more, 2026)])
    assert after < before


def test_a_demand_shock_raises_the_price(baseline: Scenario) -> None:
    sc = baseline.with_overrides({"time.end_year": 2026})
    keen = sc.with_overrides({"materials.pet.recyclate_price_usd_per_t": 800.0})
    before = np.mean([y["recycler_price_pet_usd_per_t"] for y in _year(sc, 2026)])
    after = np.mean([y["recycler_price_pet_usd_per_t"] for y in _year(keen, 2026)])
    assert after > before


def test_a_price_crash_lowers_prices_picking_income_and_recycling() -> None:
    base = load_scenario(SCENARIOS_DIR / "phnom_penh_baseline.yaml").with_overrides({"time.end_year": 2028})
    crash = load_scenario(SCENARIOS_DIR / "price_crash.yaml").with_overrides({"time.end_year": 2028})
    b, c = _year(base, 2027), _year(crash, 2027)
    for key in ("recycler_price_pet_usd_per_t", "picker_income_usd_per_month", "collected_for_recycling_t"):
        assert np.mean([y[key] for y in c]) < np.mean([y[key] for y in b]), key


def test_an_export_ban_cuts_exports_and_the_rest_is_recycled_stored_or_discarded(baseline: Scenario) -> None:
    sc = baseline.with_overrides({"time.end_year": 2028})
    ban = sc.with_overrides(
        {"policies.export_restriction.start_year": 2026, "policies.export_restriction.open_share": 0.0}
    )
    b, x = _year(sc, 2027), _year(ban, 2027)
    assert np.mean([y["exported_t"] for y in x]) == 0.0 < np.mean([y["exported_t"] for y in b])
    absorbed = ("recycler_input_t", "junkshop_discarded_t", "junkshop_inventory_t")
    assert sum(np.mean([y[k] for y in x]) for k in absorbed) > sum(
        np.mean([y[k] for y in b]) for k in absorbed
    )
    assert np.mean([y["recycler_price_pet_usd_per_t"] for y in x]) < np.mean(
        [y["recycler_price_pet_usd_per_t"] for y in b]
    )


def test_recyclers_invest_when_margins_beat_the_hurdle(baseline: Scenario) -> None:
    sc = baseline.with_overrides(
        {"time.end_year": 2029, "policies.recycling_subsidy.subsidy_usd_per_t": 150.0}
    )
    lead = sc.market.investment_lead_months
    runs = [run_scenario(sc, seed=s, scale=SCALE) for s in (1, 2)]
    base = [
        run_scenario(baseline.with_overrides({"time.end_year": 2029}), seed=s, scale=SCALE) for s in (1, 2)
    ]
    ts = runs[0].timeseries
    start = ts.index[(ts["year"] == 2027) & (ts["month"] == 1)][0]
    capacity = ts["recycling_capacity_t_per_day"]
    before = capacity.iloc[start + int(lead) - 1]
    assert capacity.iloc[start - 1] == pytest.approx(before, rel=0.02)  # nothing arrives before the lead time
    assert np.mean([r.annual.loc[2029, "recycling_capacity_t_per_day"] for r in runs]) > np.mean(
        [r.annual.loc[2029, "recycling_capacity_t_per_day"] for r in base]
    )
    assert runs[0].annual.loc[2027, "recycler_investment_usd"] > 0


def test_deposit_bottles_are_sold_by_the_scheme_operator() -> None:
    sc = load_scenario(SCENARIOS_DIR / "lever_deposit_return.yaml").with_overrides({"time.end_year": 2030})
    result = run_scenario(sc, seed=1, scale=SCALE)
    flows = result.flows
    out = flows[flows["source"] == net.DEPOSIT_POINTS]
    sold = out[out["target"].str.startswith("recycler:") | (out["target"] == net.EXPORT)]["tonnes"].sum()
    returned = flows[flows["target"] == net.DEPOSIT_POINTS]["tonnes"].sum()
    assert returned > 0 and sold / returned > 0.9
    assert result.annual["deposit_material_revenue_usd"].sum() > 0


LEVER_STRENGTH = [
    ("deposit_return", "deposit_usd_per_container", 0.02, 0.10),
    ("epr_fee", "fee_usd_per_t", 50.0, 200.0),
    ("recycling_subsidy", "subsidy_usd_per_t", 20.0, 100.0),
    ("recycled_content", "content_share", 0.1, 0.3),
    ("carbon_credits", "price_usd_per_t_co2e", 5.0, 60.0),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lever", "field", "low", "high"), LEVER_STRENGTH, ids=[x[0] for x in LEVER_STRENGTH]
)
def test_a_stronger_lever_never_lowers_recycling_in_expectation(baseline, lever, field, low, high) -> None:
    """Paired over seeds (common random numbers): the mean difference is not below zero.

    The allowance is two standard errors of the paired mean difference, the sampling noise of
    a five-seed mean; a lever that lowered recycling by more than that would fail.
    """
    sc = baseline.with_overrides({"time.end_year": 2035, f"policies.{lever}.start_year": 2026})
    weak = sc.with_overrides({f"policies.{lever}.{field}": low})
    strong = sc.with_overrides({f"policies.{lever}.{field}": high})
    seeds = (1, 2, 3, 4, 5)
    diff = np.array(
        [
            run_scenario(strong, seed=s, scale=PAIRED_SCALE).annual.loc[2035, "recycling_rate"]
            - run_scenario(weak, seed=s, scale=PAIRED_SCALE).annual.loc[2035, "recycling_rate"]
            for s in seeds
        ]
    )
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert diff.mean() >= -2 * se, (diff, se)


def test_recyclers_stop_adding_capacity_that_supply_cannot_fill() -> None:
    """A high margin with little use of capacity is not a reason to build more."""
    busy = mk.Investment(np.full(N_GROUPS, 10.0), lead_steps=0)
    idle = mk.Investment(np.full(N_GROUPS, 10.0), lead_steps=0)
    busy.observe(np.full(N_GROUPS, 60.0), np.ones(N_GROUPS), 0.5, np.full(N_GROUPS, 0.9))
    idle.observe(np.full(N_GROUPS, 60.0), np.ones(N_GROUPS), 0.5, np.full(N_GROUPS, 0.3))
    built, _ = busy.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 1.0), normal_use=0.8)
    none, _ = idle.decide(40.0, 0.1, 0.05, np.full(N_GROUPS, 1.0), normal_use=0.8)
    assert np.all(built > 0) and np.all(none == 0)


def test_a_hurdle_of_zero_orders_at_the_bound_and_retires_on_losses_without_dividing_by_zero():
    """A capital cost that rounds to 0 (drawn near the schema's bound) makes any margin worth building."""
    growing = mk.Investment(np.full(N_GROUPS, 10.0), lead_steps=0)
    growing.observe(np.array([5.0, -5.0, 0.0, 5.0]), np.ones(N_GROUPS), 0.5)
    ordered, retired = growing.decide(0.0, 0.1, 0.05, np.full(N_GROUPS, 1.0))
    np.testing.assert_allclose(ordered, [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(retired, [0.0, 0.5, 0.0, 0.0])
