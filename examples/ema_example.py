"""Driving the simulator from the EMA Workbench (exploratory modelling and analysis).

The model is a function of named inputs returning named outcomes (:func:`sim.batch.simulate`),
so the Workbench can sample uncertainties and policy levers and collect outcomes without
knowing anything about the model inside. Input names are scenario fields with ``__`` in place
of each dot of the dotted path.

Run from the project folder (the EMA Workbench is not a dependency of the simulator)::

    pip install ema_workbench
    python examples/ema_example.py --scenarios 20 --policies 2

The pattern follows ``examples/example_mesa.py`` of the EMA Workbench (Kwakkel 2017,
Environmental Modelling & Software 96, 239-250).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.batch import simulate
from sim.io import parameter_ranges

#: Uncertain inputs, sampled over their plausible ranges in data/parameters.csv.
UNCERTAINTIES = (
    "behaviour.value_coef",
    "behaviour.norm_coef",
    "city.msw_per_capita_growth_per_yr",
    "informal.street_pick_max_share",
)
#: Policy levers the decision maker controls, with their ranges.
LEVERS = {
    "policies.collection_coverage.target_coverage": (0.6, 1.0),
    "collection.fee_usd_per_household_month": (0.5, 3.0),
}
SCALARS = ("recycling_rate", "mismanaged_rate", "leaked_to_water_t", "ghg_net_t_co2e")
SERIES = ("mismanaged_rate_by_year",)


def name(path: str) -> str:
    """A dotted scenario path as a Python identifier (``a.b`` -> ``a__b``)."""
    return path.replace(".", "__")


def phnom_penh(seed: int = 42, scale: float = 0.01, end_year: int = 2035, **inputs: float) -> dict[str, Any]:
    """The Phnom Penh model as a function of named inputs: the function the Workbench calls.

    Args:
        seed: Random seed of the run.
        scale: Fraction of households simulated.
        end_year: Last simulated year; scalar outcomes are for this year.
        **inputs: Scenario fields, by dotted path with ``__`` for each dot.

    Returns:
        Every indicator in ``end_year`` by name, and ``<indicator>_by_year`` lists.
    """
    return simulate(seed=seed, scale=scale, time__end_year=end_year, **inputs)


def main(argv: list[str] | None = None) -> None:
    """Sample uncertainties and levers with the Workbench and print a summary of the outcomes."""
    from ema_workbench import (
        ArrayOutcome,
        Constant,
        Model,
        RealParameter,
        ScalarOutcome,
        ema_logging,
        perform_experiments,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=20, help="Samples of the uncertainties.")
    parser.add_argument("--policies", type=int, default=2, help="Samples of the levers.")
    parser.add_argument("--scale", type=float, default=0.01, help="Fraction of households simulated.")
    args = parser.parse_args(argv)

    ema_logging.log_to_stderr(ema_logging.INFO)
    ranges = parameter_ranges()
    model = Model("phnompenh", function=phnom_penh)
    model.uncertainties = [RealParameter(name(p), *ranges[p]) for p in UNCERTAINTIES]
    model.levers = [RealParameter(name(p), lo, hi) for p, (lo, hi) in LEVERS.items()]
    model.constants = [Constant("scale", args.scale), Constant("end_year", 2035)]
    model.outcomes = [ScalarOutcome(s) for s in SCALARS] + [ArrayOutcome(s) for s in SERIES]

    experiments, outcomes = perform_experiments(model, scenarios=args.scenarios, policies=args.policies)
    print(experiments[[name(p) for p in (*UNCERTAINTIES, *LEVERS)]].describe().T[["min", "mean", "max"]])
    for s in SCALARS:
        values = outcomes[s]
        print(f"{s}: mean {values.mean():.4g}, min {values.min():.4g}, max {values.max():.4g}")


if __name__ == "__main__":
    main()
