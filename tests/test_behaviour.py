"""Calibrated behavioural curves reproduce their calibration points, and the model follows them.

Tolerances are stated per point: the curves are fitted by least squares to two or three
published points each, so a point is reproduced to within a percentage point or so; model runs
add sampling noise from a few thousand simulated households.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import behaviour as bh
from sim import run_scenario
from sim.scenario import Scenario


def year_mean(f, start: float, end: float, n: int = 601) -> float:
    """Mean of ``f(t)`` over ``[start, end]``."""
    return float(np.mean(f(np.linspace(start, end, n))))


# --------------------------------------------------------------------------- deposit return and bags
# The fitted curves: reproducibility, cross-validation and monotonicity are in test_behaviour_fit.py.


def test_deposit_rate_ramps_up_to_the_ceiling_and_is_free_of_currency():
    rates = bh.deposit_return_rate(0.002, np.linspace(0, 5, 50), 0.9, 3.0, 2.0, 0.3)
    assert rates[0] == 0 and (np.diff(rates) > 0).all() and rates[-1] < 0.9
    # The same deposit is a larger share of a poorer household's day, so it returns more.
    poor, _ = bh.panel_days(0.05, 10.0, 4.4, 1.5)
    rich, _ = bh.panel_days(0.05, 100.0, 4.4, 1.5)
    assert bh.deposit_return_rate(poor, 3.0, 0.9, 3.0, 2.0, 0.3) > bh.deposit_return_rate(
        rich, 3.0, 0.9, 3.0, 2.0, 0.3
    )
    # Rescaling deposit and income together (a currency change) changes nothing.
    assert bh.panel_days(0.10, 28.0, 4.0, 1.5)[0] == pytest.approx(
        bh.panel_days(400.0, 28.0 * 4000, 4.0, 1.5)[0]
    )


def test_no_deposit_no_return_points_or_no_scheme_means_no_deposit_returns():
    assert bh.deposit_return_rate(0.0, 3.0, 0.9, 3.0, 2.0, 0.3) == 0
    assert bh.deposit_return_rate(0.004, 3.0, 0.9, 3.0, 2.0, 0.3, access=bh.return_point_access(0.0)) == 0
    assert bh.deposit_return_rate(0.004, -1.0, 0.9, 3.0, 2.0, 0.3) == 0


def test_a_deposit_change_ramps_from_the_earlier_level():
    before = bh.deposit_equilibrium_rate(0.0004, 0.9, 3.0, 2.0)
    after = bh.deposit_equilibrium_rate(0.0008, 0.9, 3.0, 2.0)
    now = bh.deposit_return_rate(0.0008, 0.0, 0.9, 3.0, 2.0, 0.3, previous_days=0.0004)
    later = bh.deposit_return_rate(0.0008, 10.0, 0.9, 3.0, 2.0, 0.3, previous_days=0.0004)
    assert now == pytest.approx(before) and later == pytest.approx(after, rel=1e-6)


def test_a_visible_charge_cuts_bags_mostly_by_salience():
    assert bh.bag_use_cut(0.0, 1.0, 0.3) == 0
    small, large = bh.bag_use_cut([0.0005, 0.005], 1.0, 0.3)
    assert 0.6 < small < large < 0.9


def test_thin_bag_ban_with_heavier_reused_bags_cuts_mass():
    assert bh.thin_bag_ban_mass_ratio(0.0, 2.0, 2.5) == 1.0
    full = float(bh.thin_bag_ban_mass_ratio(1.0, 2.0, 2.5))
    assert full == pytest.approx(2.0 / 2.5)
    assert 0 < full < 1


# --------------------------------------------------------------------------- campaigns


@pytest.mark.parametrize(
    ("start_weeks", "end_weeks", "observed_pp", "tolerance_pp"),
    [
        (0, 15, bh.PLEDGE_EFFECT_FIRST_15_WEEKS_PP, 0.3),  # 9-10 pp
        (52, 104, bh.PLEDGE_EFFECT_YEAR2_PP, 0.3),  # 4.8 pp (4.55-5.10)
        (150, 210, bh.PLEDGE_EFFECT_150_210_WEEKS_PP, 0.7),  # 3.1-4.5 pp
    ],
)
def test_campaign_curve_reproduces_the_pledge_study(start_weeks, end_weeks, observed_pp, tolerance_pp):
    assert year_mean(bh.campaign_effect_pp, start_weeks, end_weeks) == pytest.approx(
        observed_pp, abs=tolerance_pp
    )


def test_campaign_effect_decays_and_information_alone_does_nothing():
    weeks = np.linspace(0, 500, 100)
    effect = bh.campaign_effect_pp(weeks)
    assert (np.diff(effect) < 0).all()
    assert effect.max() < 15  # small effects, as in the meta-analysis (Fisher z ~0.2)
    assert (bh.campaign_effect_pp(weeks, intensity=0.0) == 0).all()
    assert bh.campaign_effect_pp(-1.0) == 0


# --------------------------------------------------------------------------- prices, fines


def test_enforcement_and_price_responses_have_the_right_sign():
    assert bh.enforcement_logit_shift(1.0, 0.0, 3.0) == 0
    assert bh.enforcement_logit_shift(1.0, 0.5, 3.0) > bh.enforcement_logit_shift(0.5, 0.5, 3.0) > 0
    assert bh.enforcement_logit_shift(1.0, 0.5, 3.0) == pytest.approx(1.5)
    assert bh.demand_multiplier(0.0, -0.5) == 1.0
    assert 0 < bh.demand_multiplier(0.1, -0.5) < 1
    assert bh.recyclate_price_multiplier(0.0, 2.0, 3.0) == 1.0
    assert bh.recyclate_price_multiplier(0.1, 2.0, 3.0) == pytest.approx(1.2)
    assert bh.recyclate_price_multiplier(10.0, 2.0, 3.0) == 3.0


# --------------------------------------------------------------------------- the model follows


def one_district(baseline: Scenario) -> Scenario:
    """One district of about 4,500 households at the city median income, no income growth."""
    return baseline.with_overrides(
        {
            "time.end_year": 2029,
            "city.population": 20000,
            "city.income_sigma": 0.0,
            "city.income_growth_per_yr": 0.0,
            "districts": {
                "Town": {
                    "population_2019": 1,
                    "collection_coverage": 0.8,
                    "income_factor": 1.0,
                    "water_leak_share": 0.1,
                }
            },
        }
    )


def test_model_return_rate_follows_the_deposit_curve(baseline):
    """Households return PET as the fitted curve says, never below the model's own base rate."""
    base_sc = one_district(baseline)
    drs = base_sc.with_overrides(
        {"policies.deposit_return": {"start_year": 2026, "deposit_usd_per_container": 0.05}}
    )
    response = drs.behaviour_response
    lever = drs.policies.deposit_return
    daily = base_sc.city.median_household_income_usd_per_month / bh.DAYS_PER_MONTH
    days, _ = bh.panel_days(
        0.05, daily, base_sc.city.household_size_persons, response.gdp_per_capita_per_income_per_person
    )
    ceiling, intercept = response.deposit.curve(response.deposit_return_model)
    access = bh.return_point_access(lever.return_points_per_10k_people)
    for seed in (1, 2, 3):
        base = run_scenario(base_sc, seed=seed).annual
        run = run_scenario(drs, seed=seed).annual
        for i, year in enumerate(range(2026, 2030)):
            p = base.at[year, "households_separating_pet_share"]
            curve = year_mean(
                lambda t, p=p: np.maximum(
                    p,
                    bh.deposit_return_rate(
                        days,
                        t,
                        ceiling,
                        intercept,
                        response.deposit.slope_per_log_days,
                        response.deposit.ramp_years,
                        access=access,
                    ),
                ),
                i,
                i + 1,
            )
            assert run.at[year, "deposit_return_rate"] == pytest.approx(curve, abs=0.02), (seed, year)


def test_model_bag_levy_follows_the_bag_curve(baseline):
    """Film put on the market falls by the fitted cut where the levy is charged."""
    base_sc = one_district(baseline)
    levy = base_sc.with_overrides({"policies.bag_levy": {"start_year": 2026, "levy_usd_per_bag": 0.10}})
    lever, response = levy.policies.bag_levy, levy.behaviour_response
    daily = base_sc.city.median_household_income_usd_per_month / bh.DAYS_PER_MONTH
    days, _ = bh.panel_days(
        0.10, daily, base_sc.city.household_size_persons, response.gdp_per_capita_per_income_per_person
    )
    cut = float(bh.bag_use_cut(days, response.bags.salience_logit, response.bags.slope_per_log_days))
    expected = 1 - lever.bag_share_of_film * lever.covered_share * cut
    base = run_scenario(base_sc, seed=1).annual
    run = run_scenario(levy, seed=1).annual
    ratio = run.at[2027, "film_generated_t"] / base.at[2027, "film_generated_t"]
    assert ratio == pytest.approx(expected, rel=1e-6)


def test_model_campaign_effect_follows_the_pledge_curve(baseline):
    """The share separating PET rises by the curve's percentage points after a wave."""
    base_sc = one_district(baseline)
    camp = base_sc.with_overrides(
        {"policies.awareness_campaign": {"start_year": 2026, "repeat_every_years": 0, "groups": ["pet"]}}
    )
    diffs = []
    for seed in (1, 2, 3):
        base = run_scenario(base_sc, seed=seed).timeseries.set_index(["year", "month"])
        run = run_scenario(camp, seed=seed).timeseries.set_index(["year", "month"])
        share = "households_separating_pet_share"
        diffs.append((run[share] - base[share]).loc[2026:2029].to_numpy())
    observed = 100 * np.mean(diffs, axis=0)
    months = np.arange(len(observed))
    expected = bh.campaign_effect_pp((months + 0.5) * bh.WEEKS_PER_YEAR / 12)
    first_year, later = slice(0, 12), slice(12, None)
    assert observed[first_year].mean() == pytest.approx(expected[first_year].mean(), abs=1.0)
    assert observed[later].mean() == pytest.approx(expected[later].mean(), abs=1.0)
