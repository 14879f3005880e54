"""Cross-validation of the deposit and bag responses: the table and plot of ``docs/behaviour.md``.

Leaves each jurisdiction of the panel out in turn, refits the curves of :mod:`sim.behaviour_fit`
on the rest and predicts the rows left out; the single-case curves the model used before the
panel fit (Lithuania for deposits, Ireland for bags; restated below with their calibration
numbers, since they are no longer in the model) are evaluated on the same rows. Prints the
Markdown table and writes ``docs/behaviour_cv.png`` (predicted against observed).

Run: ``.venv/bin/python scripts/plot_behaviour.py`` (about 15 s).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim import behaviour_fit as bf

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


if __name__ == "__main__":
    main()
