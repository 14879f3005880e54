"""The compiled household kernels.

Accuracy of their functions, and numbers that do not depend on how the work is split (fused or
two passes, serial or parallel).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim import kernels, load_scenario, run_scenario
from sim.model import PlasticModel

BASELINE = "scenarios/phnom_penh_baseline.yaml"


def test_logistic_table_is_within_its_stated_error():
    x = np.linspace(-30.0, 30.0, 200_001)
    exact = 1.0 / (1.0 + np.exp(-x))
    assert np.abs(kernels.logistic(x) - exact).max() < 1e-6


def test_uniform_numbers_are_uniform_independent_and_repeatable():
    counters = np.arange(200_000)
    u = kernels.uniform(12345, counters)
    assert u.min() >= 0.0 and u.max() < 1.0
    for half in (0, 1):
        hist, _ = np.histogram(u[:, half], bins=20, range=(0, 1))
        expected = len(counters) / 20
        chi2 = ((hist - expected) ** 2 / expected).sum()
        assert chi2 < 45  # 19 degrees of freedom: p < 0.001 above 43.8
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.01  # neighbouring counters
    np.testing.assert_array_equal(u, kernels.uniform(12345, counters))
    assert not np.array_equal(u, kernels.uniform(12346, counters))


def _plan(model: PlasticModel) -> kernels.Route:
    hh, cond, b = model.households, model.conditions, model.scenario.behaviour
    return kernels.Route(
        cond.plastic_kg_per_person_step,
        hh._p_burn_now(cond),
        np.array([cond.coverage[d] for d in hh.districts]),
        (b.formal_use_intercept, b.fee_coef * 1.5, b.attitude_coef),
    )


def test_fused_pass_equals_choices_then_routes():
    sc = load_scenario(BASELINE)
    one, two = PlasticModel(sc, seed=3, scale=0.02), PlasticModel(sc, seed=3, scale=0.02)
    fused = one.households.decide(one.conditions, _plan(one))
    two.households.decide(two.conditions)
    separate = kernels.route(two.households, _plan(two), two.households.round)
    np.testing.assert_array_equal(fused, separate)
    np.testing.assert_array_equal(one.households.habit, two.households.habit)


def test_top_up_of_zero_changes_nothing_and_of_one_makes_everyone_separate():
    sc = load_scenario(BASELINE)
    model = PlasticModel(sc, seed=4, scale=0.01)
    hh = model.households
    hh.decide(model.conditions)
    k, g = len(hh.districts), hh.habit.shape[1]
    plain = kernels.route(hh, _plan(model), hh.round)
    zero = kernels.route(hh, _plan(model), hh.round, top_up=np.zeros((k, g)))
    np.testing.assert_array_equal(plain, zero)
    everyone = kernels.route(hh, _plan(model), hh.round, top_up=np.ones((k, g)))
    np.testing.assert_array_equal(everyone[:, 4 * g : 5 * g], np.repeat(hh.n_by_district[:, None], g, 1))


def test_numbers_do_not_depend_on_threads(monkeypatch):
    sc = load_scenario(BASELINE)
    assert 2 * kernels.BLOCK < 0.05 * 590_000  # this scale runs on the thread pool
    parallel = run_scenario(sc, seed=9, scale=0.05).timeseries
    monkeypatch.setattr(kernels, "_choose_parallel", kernels._choose_serial)
    monkeypatch.setattr(kernels, "_route_parallel", kernels._route_serial)
    serial = run_scenario(sc, seed=9, scale=0.05).timeseries
    assert len(serial) == len(parallel)
    for column in serial.columns:
        assert serial[column].equals(parallel[column]), column


@pytest.mark.parametrize("intercept", [-2.0, 0.0, 1.5])
def test_separation_share_follows_the_logit(intercept):
    """With only an intercept in the utility, the share separating is logistic(intercept)."""
    sc = load_scenario(BASELINE)
    model = PlasticModel(sc, seed=5, scale=0.2)
    hh = model.households
    g = hh.habit.shape[1]
    hh.habit[:] = 0.0
    counts = kernels.choose(
        hh, 0.0, np.full(g, intercept), np.zeros(g), (0.0, 0.0, 0.0, 0.1), 999, len(hh.districts)
    )
    share = counts[:, 4 * g : 5 * g].sum(0) / hh.n
    expected = 1.0 / (1.0 + np.exp(-intercept))
    assert np.abs(share - expected).max() < 4 * np.sqrt(expected * (1 - expected) / hh.n)


def _population(rng: np.random.Generator, n: int, half_window: int) -> SimpleNamespace:
    """Random households in district runs of uneven length (chunks and blocks cut across them)."""
    f32 = np.float32
    return SimpleNamespace(
        district=np.sort(rng.integers(0, 5, n)).astype(np.int32),
        gen_weight=rng.gamma(2.0, 1.5, n).astype(f32),
        inv_income=(1.0 / rng.lognormal(5.0, 0.6, n)).astype(f32),
        attitude=rng.normal(size=n).astype(f32),
        reach=rng.random(n).astype(f32),
        habit=rng.random((n, 4)).astype(f32),
        chosen=(rng.random((n, 4)) < 0.3).astype(np.uint8),
        previous=np.zeros((n, 4), np.uint8),
        half_window=half_window,
        key=int(rng.integers(0, 2**63)),
    )


def _rule(hh, kg_per_income_day, intercept, value_coef, coefs, round_, plan):
    """The rule of :func:`sim.kernels.choose`, household by household in NumPy float32.

    The attitude weight of the formal route is ``coefs[0]`` (``plan.formal[2]`` must equal it).

    Returns the choices, the new habit, the route of each household, and its uniform numbers
    drawn as the kernels draw them.
    """
    f32 = np.float32
    n = len(hh.district)
    c_att, c_norm, c_habit, rate = (f32(c) for c in coefs)
    last = hh.chosen  # the round before's choices, which choose() moves to previous
    hw = hh.half_window
    if hw > 0:
        window = sum(np.roll(last, -k, axis=0).astype(np.int32) for k in range(-hw, hw + 1))
        norm = (window - last).astype(f32) * (c_norm / f32(2 * hw))
    else:
        norm = last.astype(f32) * c_norm
    h = np.arange(n)
    draws = [kernels.uniform(hh.key, kernels.counter(round_, n, h, slot)) for slot in range(kernels.SLOTS)]
    x = f32(kg_per_income_day) * hh.gen_weight * hh.inv_income
    a = c_att * hh.attitude
    chosen = np.zeros((n, 4), np.uint8)
    habit = hh.habit.copy()
    for g in range(4):
        u = intercept[g] + value_coef[g] * x + a + norm[:, g] + c_habit * habit[:, g]
        s = draws[g // 2][:, g % 2] < kernels.logistic(u)
        chosen[:, g] = s
        habit[:, g] += rate * (s.astype(f32) - habit[:, g])
    served = hh.reach < np.asarray(plan.coverage, f32)[hh.district]
    z = f32(plan.formal[0]) + f32(plan.formal[1]) * hh.inv_income + a
    p_formal = np.where(served, kernels.logistic(z), f32(0.0))
    u = draws[kernels.SLOTS // 2][:, 0]  # the route's draw
    route = np.where(u < p_formal, 0, np.where(u < p_formal + (f32(1.0) - p_formal) * plan.p_burn, 1, 2))
    return chosen, habit, route, served


@pytest.mark.parametrize(
    ("n", "half_window"), [(2, 0), (9, 4), (700, 1), (2 * kernels.BLOCK + 301, 4), (20_011, 25)]
)
def test_choose_follows_the_rule_household_by_household(n, half_window):
    """Choices, habit, counts and kilograms of every household as the rule states them."""
    rng = np.random.default_rng(n)
    hh = _population(rng, n, half_window)
    before = _population(np.random.default_rng(n), n, half_window)  # the same households
    kg, intercept, value_coef = 2e-3, rng.normal(size=4) - 1.0, rng.normal(size=4)
    coefs = (0.3, 1.5, 2.0, 0.1)
    plan = kernels.Route(0.7, rng.random(n).astype(np.float32), rng.random(5), (0.5, -30.0, 0.3))
    sums = kernels.choose(hh, kg, intercept, value_coef, coefs, 17, 5, plan)
    chosen, habit, route, served = _rule(before, kg, intercept, value_coef, coefs, 17, plan)
    np.testing.assert_array_equal(hh.chosen, chosen)
    np.testing.assert_array_equal(hh.previous, before.chosen)
    np.testing.assert_array_equal(hh.habit, habit)
    _assert_sums_by_district(sums, hh, chosen, route, served)


def _assert_sums_by_district(sums, hh, chosen, route, served):
    """Counts exactly, kilograms to rounding (NumPy adds them in another order)."""
    g, d = 4, hh.district
    for k in range(5):
        mine = d == k
        np.testing.assert_array_equal(sums[k, 4 * g : 5 * g], chosen[mine].sum(0))
        assert sums[k, 5 * g + kernels.SERVED] == served[mine].sum()
        assert sums[k, 5 * g + kernels.USING_FORMAL] == (route[mine] == 0).sum()
        w = (np.float32(0.7) * hh.gen_weight[mine]).astype(np.float64)
        np.testing.assert_allclose(sums[k, :g], w @ chosen[mine], rtol=1e-12)
        for r in range(3):
            expected = w @ ((1 - chosen[mine]) * (route[mine] == r)[:, None])
            np.testing.assert_allclose(sums[k, (1 + r) * g : (2 + r) * g], expected, rtol=1e-12)


@pytest.mark.parametrize("n", [9, 700, 2 * kernels.BLOCK + 301])
def test_route_follows_the_rule_with_top_ups_and_a_deposit(n):
    """Top-ups beside the logit (campaign and deposit) and routes, household by household."""
    f32, one = np.float32, np.float32(1.0)
    rng = np.random.default_rng(n + 1)
    hh = _population(rng, n, 4)
    kg, intercept, value_coef, coefs = (
        2e-3,
        rng.normal(size=4) - 1.0,
        rng.normal(size=4),
        (0.3, 1.5, 2.0, 0.1),
    )
    plan = kernels.Route(0.7, rng.random(n).astype(f32), rng.random(5), (0.5, -30.0, 0.3))
    kernels.choose(hh, kg, intercept, value_coef, coefs, 17, 5)  # the logit's choices only
    top_up = (0.3 * rng.random((5, 4))).astype(f32)
    mask, rate, base = (
        np.array([True, False, True, False]),
        rng.random(n).astype(f32),
        (0.05 + 0.9 * rng.random((5, 4))).astype(f32),
    )
    sums = kernels.route(hh, plan, 17, top_up, (mask, rate, base))
    _, _, route, served = _rule(hh, kg, intercept, value_coef, coefs, 17, plan)  # routes need no choices
    b = base[hh.district]
    extra = (np.maximum(b, rate[:, None]) - b) / (one - b)
    q = np.where(mask, one - (one - top_up[hh.district]) * (one - extra), top_up[hh.district])
    h = np.arange(n)
    first = kernels.SLOTS // 2 + 1  # the top-ups' hashes, after the logit's and the route's
    u = np.stack(
        [kernels.uniform(hh.key, kernels.counter(17, n, h, first + g // 2))[:, g % 2] for g in range(4)], 1
    )
    _assert_sums_by_district(sums, hh, hh.chosen | (u < q), route, served)
