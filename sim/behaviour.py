"""Behavioural responses to policy: pure, documented, calibrated functions.

Every response here is a function of a price *relative to income* (days of income per item or
per month), and of the time since a policy started where uptake takes time, so that one curve
serves Cambodia, Lithuania, Ireland and Japan: the curve answers for the share of a day's income,
not for the currency. The deposit-return and bag-charge curves are fitted on a panel of 27 and
10 jurisdictions (:mod:`sim.behaviour_fit`, ``docs/behaviour.md``) in the panel's own income
measure, days of GDP per capita (:func:`panel_days`); their parameters are arguments, read from
``data/behaviour_fit.csv`` through the scenario (``behaviour_response``), never constants here.

The functions take and return NumPy arrays or floats and hold no state; the levers in
:mod:`sim.levers` and the household rule in :mod:`sim.agents` call them. Each docstring gives
the formula, units, sources and calibration; the campaign curve's calibration points are module
constants, reproduced by ``tests/test_behaviour.py`` within stated tolerances. Source keys refer to rows of
``data/provenance.csv``; constants marked *assumption* are labelled assumptions with a range
there, to be varied in sensitivity analysis.

How the curves reach the household logit (see :mod:`sim.agents`):

- deposit return and awareness campaigns are *empirical net effects*: the observed curves already
  contain the habit formation and social influence they caused. The model therefore applies them
  as an extra choice beside the household's separation logit (return or separate on top of what
  the logit chose) and does not feed them back into habit and norm, so the simulated return or
  separation rate follows the calibrated curve instead of being amplified twice;
- enforcement (fines) and a legal duty to separate enter the logit as shifts, so habit and
  neighbours amplify them: those shifts are labelled assumptions, not fitted curves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_YEAR = 365.25 / 7

# --------------------------------------------------------------------------- calibration data

#: Pledge field study (``pledge_effect_sorting_longrun``): extra sorting [percentage points]
#: averaged over the first 15 weeks, over the second year (the 4.8 pp "long-run" effect), and
#: 150-210 weeks after the pledge (3.1-4.5 pp; mid-point).
PLEDGE_EFFECT_FIRST_15_WEEKS_PP = 9.5
PLEDGE_EFFECT_YEAR2_PP = 4.8
PLEDGE_EFFECT_150_210_WEEKS_PP = 3.8


def logit(p: ArrayLike) -> np.ndarray:
    """Log-odds of a probability, clipped away from 0 and 1."""
    q = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(q / (1 - q))


def logistic(x: ArrayLike) -> np.ndarray:
    """Inverse of :func:`logit`, in the dtype of a floating-point array ``x`` (else float64).

    An overflow of ``exp`` gives exactly 0, as it should, without a warning.
    """
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(float)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-arr))


# --------------------------------------------------------------------------- the panel's income measure

#: Charge at which the logit intercepts of the deposit and bag curves are stated [days of GDP per
#: capita]: a choice of units near the middle of the panel, not a fitted number.
REFERENCE_DAYS = 1e-3


def panel_days(
    charge_usd: ArrayLike,
    household_daily_income_usd: ArrayLike,
    persons_per_household: float,
    gdp_per_capita_per_income_per_person: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A charge in the panel's income measure: days of GDP per capita, and that GDP per capita.

    The panel (``data/behaviour/``) states every charge in days of GDP per capita of its year;
    the model knows household incomes, so GDP per capita is
    ``ratio * household income / persons per household`` with ``ratio`` =
    ``behaviour_response.gdp_per_capita_per_income_per_person`` (``docs/behaviour.md``).

    Args:
        charge_usd: Deposit or charge per item [USD].
        household_daily_income_usd: Household income [USD/household/day] at the step's incomes.
        persons_per_household: Mean household size [persons].
        gdp_per_capita_per_income_per_person: GDP per capita over household income per person.

    Returns:
        The charge [days of GDP per capita] and GDP per capita [USD/person/year].
    """
    per_person_day = gdp_per_capita_per_income_per_person * np.asarray(
        household_daily_income_usd, dtype=float
    )
    per_person_day = per_person_day / persons_per_household
    return np.asarray(charge_usd, dtype=float) / per_person_day, per_person_day * 365.0


def _charge_logit(days: ArrayLike, slope: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Whether a charge is made, and ``slope * ln(days / REFERENCE_DAYS)`` (0 where it is not)."""
    x = np.asarray(days, dtype=float)
    positive = x > 0
    return positive, np.asarray(slope) * np.log(np.where(positive, x, REFERENCE_DAYS) / REFERENCE_DAYS)


def new_place_shift(
    days: ArrayLike,
    gdp_per_capita_usd: ArrayLike,
    z: float,
    residual_sd_logit: float,
    extrapolation_sd_per_doubling: float,
    panel_max_days: float,
    panel_min_gdp_per_capita_usd: float,
    slope: float,
) -> np.ndarray:
    """Logit shift of a place outside the panel in one replicate of the fit.

    ``shift = z * sd * sqrt(1 + (f * d_I)^2) + max(z * f * sd * d_x, -b * ln(x / x_max))`` with
    ``sd`` the residual standard deviation of the fit (how far a jurisdiction sits from the
    curve), ``f`` the extrapolation assumption (residual standard deviations per doubling
    outside the panel), ``d_I`` the doublings of the place's GDP per capita below the panel's
    lowest and ``d_x`` the doublings of the charge ``x`` above the panel's largest ``x_max``
    (each 0 inside the panel), and ``b`` the curve's slope. The first term is the place's own
    deviation, wider below the panel's incomes; the second makes the size effect beyond the
    panel's largest charge uncertain in either direction, but never reversed (a larger charge
    never lowers the response). Replicate 0 has ``z = 0`` (the central curve); bootstrap
    replicates draw ``z`` from a standard normal, so a run with replicate ``k`` is one
    plausible place, and prediction intervals widen where the panel has no evidence.

    Returns:
        Logit shift (0 when ``z = 0``).
    """
    x = np.asarray(days, dtype=float)
    above = np.log(np.maximum(x / panel_max_days, 1.0))
    below = np.log2(
        np.maximum(panel_min_gdp_per_capita_usd / np.asarray(gdp_per_capita_usd, dtype=float), 1.0)
    )
    own = z * residual_sd_logit * np.sqrt(1.0 + (extrapolation_sd_per_doubling * below) ** 2)
    size = np.maximum(
        z * extrapolation_sd_per_doubling * residual_sd_logit * above / np.log(2.0), -slope * above
    )
    return own + size


# --------------------------------------------------------------------------- deposit return

#: Return-point density at which access reaches 1 - 1/e [points per 10,000 people].
#: Assumption (``assumption_return_point_access``), range 1-5.
RETURN_ACCESS_SCALE_PER_10K = 2.0


def return_point_access(points_per_10k_people: ArrayLike) -> np.ndarray:
    """Share of the return ceiling that return-point density allows.

    ``access = 1 - exp(-density / RETURN_ACCESS_SCALE_PER_10K)``: a household far from any
    return point returns less at the same deposit (convenience, beside the return model).

    Args:
        points_per_10k_people: Return points per 10,000 people.

    Returns:
        Access factor in [0, 1).
    """
    return 1.0 - np.exp(-np.asarray(points_per_10k_people, dtype=float) / RETURN_ACCESS_SCALE_PER_10K)


def deposit_equilibrium_rate(
    days: ArrayLike,
    ceiling: ArrayLike,
    logit_at_reference: ArrayLike,
    slope: ArrayLike,
    shift: ArrayLike = 0.0,
) -> np.ndarray:
    """Mature return rate at a deposit: ``ceiling * logistic(a + b ln(x / x_ref) + shift)``.

    Args:
        days: Deposit per container [days of GDP per capita]; 0 = no deposit (rate 0).
        ceiling: Return ceiling of the return model [fraction].
        logit_at_reference: ``a``, the logit of rate / ceiling at :data:`REFERENCE_DAYS`.
        slope: ``b`` [logit per ln(days of GDP per capita)], >= 0.
        shift: Logit shift of a new place (:func:`new_place_shift`).

    Returns:
        Return rate [fraction].
    """
    positive, size = _charge_logit(days, slope)
    return np.where(
        positive, np.asarray(ceiling) * logistic(np.asarray(logit_at_reference) + size + shift), 0.0
    )


def ramp_remaining(start_years: ArrayLike, window_years: ArrayLike, ramp_years: ArrayLike) -> np.ndarray:
    """Share of a change in deposit still to come: the mean of ``exp(-t / tau)`` over a window.

    Args:
        start_years: Years since launch (or since the deposit changed) at the window's start;
            ``inf`` = mature; negative counts as 0.
        window_years: Length of the window [years]; 0 = the value at ``start_years``.
        ramp_years: ``tau``, the time constant of ramp-up [years].

    Returns:
        Remaining share in [0, 1].
    """
    t0 = np.maximum(np.asarray(start_years, dtype=float), 0.0)
    w = np.asarray(window_years, dtype=float)
    tau = np.asarray(ramp_years, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        point = np.exp(-t0 / tau)
        mean = tau * (point - np.exp(-(t0 + w) / tau)) / np.where(w > 0, w, 1.0)
    return np.where(np.isinf(t0), 0.0, np.where(w > 0, mean, point))


def deposit_return_rate(
    days: ArrayLike,
    years_since_launch: ArrayLike,
    ceiling: ArrayLike,
    logit_at_reference: ArrayLike,
    slope: ArrayLike,
    ramp_years: ArrayLike,
    *,
    access: ArrayLike = 1.0,
    shift: ArrayLike = 0.0,
    previous_days: ArrayLike = 0.0,
    window_years: ArrayLike = 0.0,
) -> np.ndarray:
    """Return rate of deposit-bearing containers, fitted on 27 jurisdictions.

    ``r = access * (R(x) - (R(x) - R(x0)) * exp(-t / tau))`` with ``R`` the mature rate of
    :func:`deposit_equilibrium_rate`, ``x`` the deposit in days of GDP per capita *of the year*
    (so a deposit fixed in cash erodes as incomes grow), ``x0`` the deposit before a change (0 at
    launch), ``t`` the time since launch or change and ``tau`` the ramp-up time. The ceiling and
    intercept depend on the return model (retail take-back, depots, centres; mixed = the mean of
    retail and depot), ``access`` on the density of return points (:func:`return_point_access`).

    Parameters are fitted by ``python -m sim behaviour fit`` (:mod:`sim.behaviour_fit`) and read
    from ``data/behaviour_fit.csv`` through the scenario (``behaviour_response.deposit``);
    ``docs/behaviour.md`` gives the fit, its cross-validation and the Phnom Penh predictions.

    Args:
        days: Deposit per container [days of GDP per capita].
        years_since_launch: Time since launch (or change) [years]; negative = not started.
        ceiling: Return ceiling of the return model [fraction].
        logit_at_reference: Logit of rate / ceiling at :data:`REFERENCE_DAYS`.
        slope: Response to the deposit [logit per ln(days of GDP per capita)].
        ramp_years: Ramp-up time constant [years].
        access: Return-point access factor in [0, 1].
        shift: Logit shift of a new place (:func:`new_place_shift`).
        previous_days: Deposit before a change [days of GDP per capita]; 0 = a launch.
        window_years: Average over this many years from ``years_since_launch`` (0 = the value).

    Returns:
        Return rate [fraction]; never falls with a larger deposit.

    References:
        Behaviour panel (``data/behaviour/panel.csv``, every row with its source): Bottle Bill
        Resource Guide (Container Recycling Institute) pages for Estonia, Croatia, US states and
        Canadian provinces; TOMRA (Latvia, Lithuania); national news on Latvia, Malta, Romania,
        Hungary and the Netherlands; Return-It and BCMB annual reports (British Columbia,
        Alberta); World Bank WDI for GDP per capita and exchange rates.
    """
    now = deposit_equilibrium_rate(days, ceiling, logit_at_reference, slope, shift)
    before = deposit_equilibrium_rate(previous_days, ceiling, logit_at_reference, slope, shift)
    remaining = ramp_remaining(years_since_launch, window_years, ramp_years)
    return np.asarray(access) * (now - (now - before) * remaining)


#: Return models with their own fitted ceiling and intercept.
FITTED_RETURN_MODELS = ("retail", "depot", "centres")
#: Return models of a deposit scheme; ``mixed`` takes the mean of retail and depot parameters.
RETURN_MODELS = (*FITTED_RETURN_MODELS, "mixed")


def deposit_curve_for(
    ceilings: dict[str, float], intercepts: dict[str, float], return_model: str
) -> tuple[float, float]:
    """Ceiling and logit intercept of a return model (``mixed`` = mean of retail and depot).

    Args:
        ceilings: Ceiling by fitted return model (retail, depot, centres) [fraction].
        intercepts: Logit intercept by fitted return model.
        return_model: One of :data:`RETURN_MODELS`.
    """
    if return_model == "mixed":
        return (ceilings["retail"] + ceilings["depot"]) / 2, (intercepts["retail"] + intercepts["depot"]) / 2
    return ceilings[return_model], intercepts[return_model]


# --------------------------------------------------------------------------- bag levy


def bag_use_cut(
    days: ArrayLike, salience_logit: ArrayLike, slope: ArrayLike, shift: ArrayLike = 0.0
) -> np.ndarray:
    """Cut in carrier-bag use where a charge is made at the till, fitted on 10 jurisdictions.

    ``cut = logistic(s + b ln(x / x_ref) + shift)`` for a charge ``x > 0`` in days of GDP per
    capita of the year, 0 without a charge. ``s`` is the salience of a visible charge (the cut at
    the reference charge :data:`REFERENCE_DAYS`), ``b >= 0`` the effect of its size: the panel
    shows that any visible charge cuts bag use by one half to four fifths and its size matters
    little (UK 5p, Hong Kong, Netherlands, Washington DC, Chicago, Ireland, South Africa,
    Indonesia). Coverage and enforcement (bags handed out where the charge is really made) are
    the lever's ``covered_share``, not part of the curve. Parameters come from
    ``data/behaviour_fit.csv`` (``behaviour_response.bags``); see ``docs/behaviour.md``.

    Args:
        days: Charge per bag [days of GDP per capita].
        salience_logit: ``s`` [logit].
        slope: ``b`` [logit per ln(days of GDP per capita)].
        shift: Logit shift of a new place (:func:`new_place_shift`).

    Returns:
        Cut in bag use [fraction]; never falls with a larger charge.

    References:
        Behaviour panel (``data/behaviour/panel.csv``): Welsh Government post-implementation
        review; Scottish and Northern Ireland carrier-bag statistics; Hong Kong EPD; NL Times
        (ministry report); DDOE survey (Washington DC); Chicago bag-tax memo (ideas42, NYU,
        UChicago); Dikgang, Leiman & Visser (South Africa); KLHK trial (Indonesia); RTE Archives
        (Ireland); World Bank WDI.
    """
    positive, size = _charge_logit(days, slope)
    return np.where(positive, logistic(np.asarray(salience_logit) + size + shift), 0.0)


# --------------------------------------------------------------------------- thin-bag ban


def thin_bag_ban_mass_ratio(compliance: ArrayLike, thick_mass_ratio: float, thick_uses: float) -> np.ndarray:
    """Bag mass thrown away under a thin-bag ban relative to before.

    Thin bags are replaced by thicker ones that weigh more but are used more than once:
    ``ratio = 1 - c * (1 - m / u)`` with ``c`` the compliance, ``m`` a thick (>= 0.03 mm,
    Sub-Decree 168, ``subdecree168_min_thickness``) bag's mass relative to a thin one and ``u``
    its uses before it is thrown away (the scenario's ``behaviour.thick_bag_mass_ratio`` and
    ``behaviour.thick_bag_uses``; labelled assumptions ``assumption_thin_bag_ban``).

    Args:
        compliance: Share of thin bags actually replaced [fraction].
        thick_mass_ratio: ``m`` [multiple].
        thick_uses: ``u`` [uses].

    Returns:
        Mass ratio (can exceed 1 if thick bags are used less than ``m`` times).
    """
    c = np.asarray(compliance, dtype=float)
    return 1.0 - c * (1.0 - thick_mass_ratio / thick_uses)


# --------------------------------------------------------------------------- campaigns

#: Two-exponential fit of the pledge study: fast part [pp] and its time constant [weeks],
#: slow part [pp] and its time constant [weeks] (least squares on the three points above,
#: fast time constant fixed at 15 weeks, the study's first measuring window).
CAMPAIGN_FAST_PP = 6.277
CAMPAIGN_FAST_WEEKS = 15.0
CAMPAIGN_SLOW_PP = 5.621
CAMPAIGN_SLOW_WEEKS = 459.0


def campaign_effect_pp(weeks_since_wave: ArrayLike, intensity: ArrayLike = 1.0) -> np.ndarray:
    """Extra share of households separating after a campaign wave [percentage points].

    ``effect = intensity * (A exp(-t / t1) + B exp(-t / t2))`` with ``A = 6.3 pp``,
    ``t1 = 15`` weeks, ``B = 5.6 pp``, ``t2 = 459`` weeks (about 9 years).

    Calibration: a pledge-plus-campaign field study (N = 1,519) raised sorting by about
    9-10 pp in the first 15 weeks, 4.8 pp in the longer run and 3.1-4.5 pp after 150-210 weeks;
    the fit reproduces 9.5, 4.8 and 3.8 pp averaged over those windows. ``intensity`` = 1 is that
    campaign (personal commitment and contact); information-only campaigns showed no noticeable
    effect in Shanghai (``info_only_campaign_effect_shanghai``), so intensity near 0 stands for
    them. A meta-analysis of 206 effects finds a small mean effect (Fisher z = 0.195), consistent
    with effects of a few percentage points.

    Args:
        weeks_since_wave: Time since the campaign wave [weeks]; negative = not yet.
        intensity: 1 = pledge and door-to-door contact; 0 = information only.

    Returns:
        Effect in percentage points (>= 0).

    References:
        PNAS field study on pledges and biowaste sorting (PMC12067207).
        Extended meta-analysis of behavioural interventions for recycling (Fisher z 0.195).
        Dai et al. 2016, J. Cleaner Production: information strategy failure in Shanghai.
    """
    t = np.asarray(weeks_since_wave, dtype=float)
    effect = CAMPAIGN_FAST_PP * np.exp(-np.maximum(t, 0) / CAMPAIGN_FAST_WEEKS) + CAMPAIGN_SLOW_PP * np.exp(
        -np.maximum(t, 0) / CAMPAIGN_SLOW_WEEKS
    )
    return np.where(t < 0, 0.0, np.asarray(intensity) * effect)


# --------------------------------------------------------------------------- enforcement


def enforcement_logit_shift(
    fine_days: ArrayLike, detection_probability: ArrayLike, logit_per_income_day: float
) -> np.ndarray:
    """Shift in the log-odds against a banned practice from an expected fine.

    ``shift = beta * p * fine_days``: the expected penalty per month (detection probability
    times the fine) in days of household income, times ``beta`` (the scenario's
    ``behaviour.enforcement_logit_per_income_day``; labelled assumption
    ``assumption_enforcement_response``: deterrence evidence for household waste offences in
    Cambodia is a gap, ``kh_hh_separation_participation``).

    Args:
        fine_days: Fine per offence in days of household income.
        detection_probability: Chance per month that an offending household is fined.
        logit_per_income_day: ``beta`` [logit per day of household income].

    Returns:
        Logit shift (>= 0).
    """
    return logit_per_income_day * np.asarray(detection_probability) * np.asarray(fine_days)


# --------------------------------------------------------------------------- prices


def demand_multiplier(price_increase_share: ArrayLike, elasticity: float) -> np.ndarray:
    """Plastic put on the market relative to before a price rise: ``(1 + dp/p) ** e``.

    Args:
        price_increase_share: Price rise relative to the packaging's value [fraction].
        elasticity: Price elasticity of demand (negative; the scenario's
            ``behaviour.packaging_demand_elasticity``, assumption ``assumption_packaging_demand``).

    Returns:
        Demand multiplier.
    """
    return (1.0 + np.maximum(np.asarray(price_increase_share, dtype=float), 0.0)) ** elasticity


def recyclate_price_multiplier(content_share: ArrayLike, premium_per_share: float, cap: float) -> np.ndarray:
    """Recyclate price relative to before a recycled-content mandate.

    ``min(cap, 1 + kappa * share)``: a mandate raises demand for recyclate against a supply
    that responds slowly (labelled assumption ``assumption_recycled_content_premium``; the
    scenario's ``market.recyclate_premium_per_content_share`` and ``market.recyclate_premium_cap``).

    Args:
        content_share: Mandated recycled content of plastic put on the market [fraction].
        premium_per_share: Price rise per unit of content share ``kappa`` [fraction per fraction].
        cap: Highest multiplier.

    Returns:
        Price multiplier >= 1.
    """
    share = np.maximum(np.asarray(content_share, dtype=float), 0.0)
    return np.minimum(cap, 1.0 + premium_per_share * share)
