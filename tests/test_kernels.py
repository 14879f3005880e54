"""The compiled household kernels.

Accuracy of their functions, and numbers that do not depend on how the work is split (fused or
two passes, serial or parallel).
"""

from __future__ import annotations

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
