"""Cross-validation of the deposit and bag responses: the table and plot of ``docs/behaviour.md``.

Leaves each jurisdiction of the panel out in turn, refits the curves of :mod:`sim.behaviour_fit`
on the rest and predicts the rows left out; the single-case curves the model used before the
panel fit (Lithuania for deposits, Ireland for bags; restated below with their calibration
numbers, since they are no longer in the model) are evaluated on the same rows. Prints the
Markdown table and writes ``docs/behaviour_cv.png`` (predicted against observed).

Then prints what the fitted curves predict for the bag-levy and deposit-return levers' default
settings at Phnom Penh's incomes (replicate 0 and the 5-95 % range over the bootstrap
replicates, each with its new-place deviation), and for the 2018 supermarket fee of 400 riel.

Run: ``.venv/bin/python scripts/plot_behaviour.py`` (about 15 s).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim import behaviour as bh
from sim import behaviour_fit as bf
from sim.levers.products import BagLevy, DepositReturn
from sim.loader import default_scenario

OUT = Path(__file__).resolve().parent.parent / "docs" / "behaviour_cv.png"

# The previous single-case curves (sim/behaviour.py before the panel fit), with their inputs.
# Deposit: logistic(logit(0.34) + beta * x_hh * access * ramp), Lithuania 2016, EUR 0.10, household
# income EUR 850/month, 9 return points per 10,000 people, uptake time 0.467 years.
LT_SHIFT, LT_TAU, LT_BASE = 3.173, 0.467, 0.34
LT_ACCESS = 1.0 - math.exp(-9.0 / 2.0)
LT_DEPOSIT_HH_DAYS = 0.10 / (850.0 / (365.25 / 12))
LT_BETA = LT_SHIFT / (LT_DEPOSIT_HH_DAYS * LT_ACCESS)
#: Lithuania 2016: GDP per capita per day over household income per day (USD, 0.9034 EUR/USD).
LT_GDP_PER_HOUSEHOLD_DAY = (14934.3 / 365.0) / (850.0 / (365.25 / 12) / 0.9034)
# Bags: 1 / (1 + (x_hh / x50) ** 1.5), Ireland 2002: EUR 0.15, 328 -> 21 bags, EUR 620/week.
IE_LEVY_HH_DAYS = 0.15 / (620.0 / 7.0)
IE_SLOPE = 1.5
IE_X50 = IE_LEVY_HH_DAYS / (328.0 / 21.0 - 1.0) ** (1.0 / IE_SLOPE)
#: Ireland 2002: GDP per capita per day over household income per day (USD, 1.0576 EUR/USD).
IE_GDP_PER_HOUSEHOLD_DAY = (32705.4 / 365.0) / (620.0 / 7.0 / 1.0576)


def previous_deposit(cases: bf.Cases) -> np.ndarray:
    """The Lithuanian curve's return rate for every row (window means, from the earlier deposit)."""
    out = np.empty(len(cases))
    logit_base = math.log(LT_BASE / (1 - LT_BASE))
    for i in range(len(cases)):
        x, x_prev = (
            LT_GDP_PER_HOUSEHOLD_DAY * cases.days[i],
            LT_GDP_PER_HOUSEHOLD_DAY * cases.previous_days[i],
        )
        start, end = cases.start_years[i], cases.end_years[i]
        t = np.array([math.inf]) if math.isinf(start) else np.linspace(start, end, 201)
        left = np.exp(-t / LT_TAU)
        shift = LT_BETA * LT_ACCESS * (x * (1 - left) + x_prev * left)
        out[i] = float(np.mean(1 / (1 + np.exp(-(logit_base + shift)))))
    return out


def previous_bags(cases: bf.Cases) -> np.ndarray:
    """The Irish curve's cut in bag use for every row."""
    x = IE_GDP_PER_HOUSEHOLD_DAY * cases.array("days")
    return 1.0 - 1.0 / (1.0 + (x / IE_X50) ** IE_SLOPE)


def cambodia_context(year: int) -> tuple[float, float]:
    """Cambodia's GDP per capita [USD] and riel per USD in ``year`` (WDI; geometric interpolation)."""
    import csv

    values: dict[str, dict[int, float]] = {}
    with (bf.BEHAVIOUR_DIR / "context_cambodia.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values.setdefault(row["measure"], {})[int(row["year"])] = float(row["value"])

    def at(measure: str) -> float:
        known = values[measure]
        if year in known:
            return known[year]
        lo, hi = max(y for y in known if y < year), min(y for y in known if y > year)
        w = (year - lo) / (hi - lo)
        return known[lo] ** (1 - w) * known[hi] ** w

    return at("gdp_per_capita_current_usd"), at("fx_lcu_per_usd")


def spread(values: np.ndarray) -> str:
    """Replicate 0 and the 5-95 % range over the other replicates, in percent."""
    low, high = np.quantile(values[1:], [0.05, 0.95])
    return f"{100 * values[0]:.0f} % ({100 * low:.0f}-{100 * high:.0f} %)"


def phnom_penh() -> None:
    """Print the fitted curves' predictions for the levers' defaults at Phnom Penh's incomes."""
    sc = default_scenario()
    fit = bf.read_fit()
    city = sc.city
    gdp_2025, _ = cambodia_context(2025)
    income_per_person = city.median_household_income_usd_per_month * 12 / city.household_size_persons
    ratio = sc.behaviour_response.gdp_per_capita_per_income_per_person
    print(
        f"GDP per capita / household income per person: scenario {ratio:g} "
        f"(2025: {gdp_2025:.0f} / {income_per_person:.0f} = {gdp_2025 / income_per_person:.2f})"
    )

    def measure(charge_usd: float, year: int) -> tuple[float, float]:
        growth = (1 + city.income_growth_per_yr) ** (year - sc.time.start_year)
        daily = city.median_household_income_usd_per_month * growth / (365.25 / 12)
        days, gdp = bh.panel_days(charge_usd, daily, city.household_size_persons, ratio)
        return float(days), float(gdp)

    def shifts(p: dict[str, np.ndarray], days: float, gdp: float) -> np.ndarray:
        return bh.new_place_shift(
            days,
            gdp,
            p["new_place_z"],
            p["residual_sd_logit"],
            p["extrapolation_sd_per_doubling"],
            p["panel_max_days"],
            p["panel_min_gdp_per_capita_usd"],
            p["slope_per_log_days"],
        )

    b = fit["bags"]
    levy = BagLevy()
    print(
        f"| bag charge | year | days of GDP per capita | GDP per capita [USD] | cut where charged | bag use (covered {levy.covered_share:g}) |"
    )
    print("|---|---|---|---|---|---|")
    gdp_2018, riel_2018 = cambodia_context(2018)
    cases = [
        (f"{levy.levy_usd_per_bag:.2f} USD (lever default)", levy.levy_usd_per_bag, y, None)
        for y in (2027, 2035)
    ]
    cases.append(("400 riel (2018 supermarket fee)", 400 / riel_2018, 2018, gdp_2018))
    for name, usd, year, gdp in cases:
        days, gdp_pc = (usd / (gdp / 365), gdp) if gdp else measure(usd, year)
        cut = bh.bag_use_cut(days, b["salience_logit"], b["slope_per_log_days"], shifts(b, days, gdp_pc))
        use = 1 - levy.covered_share * cut
        print(f"| {name} | {year} | {days:.4f} | {gdp_pc:.0f} | {spread(cut)} | {spread(use)} |")

    d = fit["deposit"]
    lever = DepositReturn()
    access = float(bh.return_point_access(lever.return_points_per_10k_people))
    print(
        f"\n| deposit {lever.deposit_usd_per_container:.2f} USD, access {access:.2f} | year | days of GDP per capita | return rate |"
    )
    print("|---|---|---|---|")
    for model in bh.RETURN_MODELS:
        for year, start, window in ((2027, 0.0, 1.0), (2035, np.inf, 0.0)):
            days, gdp_pc = measure(lever.deposit_usd_per_container, year)
            ceiling, intercept = bh.deposit_curve_for(
                {m: d[f"ceiling_{m}"] for m in bf.FITTED_MODELS},
                {m: d[f"logit_at_reference_{m}"] for m in bf.FITTED_MODELS},
                model,
            )
            rate = bh.deposit_return_rate(
                days,
                start,
                ceiling,
                intercept,
                d["slope_per_log_days"],
                d["ramp_years"],
                access=access,
                shift=shifts(d, days, gdp_pc),
                window_years=window,
            )
            label = "year 1" if window else "mature"
            print(f"| {model} | {year} ({label}) | {days:.4f} | {spread(rate)} |")


def main() -> None:
    """Print the cross-validation table and write the plot."""
    settings = bf.read_settings()
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    print(
        "| curve | rows | jurisdictions | fitted, LOJO MAE | fitted, LOJO worst | previous MAE | previous worst |"
    )
    print("|---|---|---|---|---|---|---|")
    for ax, curve, previous, title in zip(
        axes,
        bf.CURVES,
        (previous_deposit, previous_bags),
        ("Deposit return rate [%]", "Cut in bag use where charged [%]"),
        strict=True,
    ):
        cases = bf.read_panel(curve)
        cv = bf.cross_validate(curve, cases, settings)
        old = previous(cases)
        old_err = bf.error_pp(old, cases)
        print(
            f"| {curve} | {len(cases)} | {len(set(cases.jurisdiction))} | {cv.mae_pp:.1f} pp | "
            f"{cv.worst_pp:.1f} pp | {np.mean(np.abs(old_err)):.1f} pp | {np.max(np.abs(old_err)):.1f} pp |"
        )
        observed = 100 * cases.array("observed")
        censored = np.asarray(cases.bound) != 0
        ax.plot([0, 100], [0, 100], color="grey", lw=1)
        ax.scatter(observed, 100 * old, marker="x", color="tab:red", label="previous single-case curve")
        ax.scatter(
            observed[~censored], 100 * cv.predicted[~censored], color="tab:blue", label="fitted, left out"
        )
        ax.scatter(
            observed[censored],
            100 * cv.predicted[censored],
            facecolors="none",
            edgecolors="tab:blue",
            label="fitted, left out (observed is an upper bound)",
        )
        for i in np.argsort(-np.abs(cv.error_pp))[:4]:
            ax.annotate(cases.jurisdiction[i], (observed[i], 100 * cv.predicted[i]), fontsize=7)
        ax.set(xlim=(0, 100), ylim=(0, 100), xlabel=f"observed {title}", ylabel="predicted", title=title)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("Leave-one-jurisdiction-out predictions against the panel")
    fig.tight_layout()
    fig.savefig(OUT, dpi=110)
    print(f"plot written to {OUT}")
    phnom_penh()


if __name__ == "__main__":
    main()
