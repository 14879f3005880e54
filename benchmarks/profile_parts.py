"""Where a run's time goes: the baseline at the app's scale, timed part by part.

Wraps the model's main steps (households' kernels and hand-on, the market, the step's
conditions, collection, facilities, informal collectors, the mass-balance check, the result
tables) with a wall-clock timer, runs the baseline several times after a warm-up, and prints
each part's time per run and per step (medians over the runs). The parts nest: households'
``decide`` (the compiled kernels) is inside households' ``step``. This is the profile kept in
``docs/performance.md``::

    python benchmarks/profile_parts.py            # 5,000 households, 5 runs
    python benchmarks/profile_parts.py --households 20000 --runs 3

Timers add about a microsecond per call; the total is the plain wall time of ``run_scenario``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import agents, ledger, load_scenario, model, run_scenario, runner

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "phnom_penh_baseline.yaml"

#: (label, owner, method name) of the parts timed.
PARTS = (
    ("households: step (kernels, hand-on, ledger batch)", agents.HouseholdPopulation, "step"),
    ("households: decide (compiled kernels)", agents.HouseholdPopulation, "decide"),
    ("secondary market", agents.SecondaryMarket, "step"),
    ("conditions of the step and levers", model.PlasticModel, "conditions_at"),
    ("formal collection", agents.FormalCollector, "step"),
    ("facilities", agents.FacilityAgent, "step"),
    ("informal collectors", agents.InformalCollectors, "step"),
    ("separate collection", agents.SeparateCollection, "step"),
    ("mass-balance check", ledger.FlowLedger, "check_mass_balance"),
    ("model set-up", model.PlasticModel, "__init__"),
    ("result tables", runner, "collect"),  # as run_scenario calls it
)


def _timed(function: Callable[..., Any], totals: dict[str, float], label: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    sc = load_scenario(BASELINE)
    city = sc.city.population / sc.city.household_size_persons
    scale = args.households / city
    totals: dict[str, float] = defaultdict(float)
    for label, owner, name in PARTS:
        setattr(owner, name, _timed(getattr(owner, name), totals, label))
    run_scenario(sc, seed=1, scale=scale)  # warm-up: loads (or compiles) the kernels
    per_run: dict[str, list[float]] = defaultdict(list)
    for seed in range(1, args.runs + 1):
        totals.clear()
        start = time.perf_counter()
        run_scenario(sc, seed=seed, scale=scale)
        per_run["total (run_scenario)"].append(time.perf_counter() - start)
        for label, _, _ in PARTS:
            per_run[label].append(totals[label])
    steps = sc.time.n_steps
    print(f"{sc.name}: {args.households:,} households, {steps} steps, median of {args.runs} runs")
    print(f"{'part':<52} {'per run':>10} {'per step':>10}")
    for label in ("total (run_scenario)", *(p[0] for p in PARTS)):
        value = statistics.median(per_run[label])
        print(f"{label:<52} {value * 1e3:8.1f} ms {value / steps * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
