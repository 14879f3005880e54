"""Benchmark: the full-scale Phnom Penh baseline, and the household rule as one agent each.

1. Runs the baseline with every household simulated (about 0.6 M, 312 monthly steps) through
   :func:`sim.run_scenario`, timing it and reading the process's peak memory.
2. Runs the *same household rule* (logit separation by group with attitude, social norm of
   ring neighbours and habit; residual choice between formal collection, burning and dumping)
   written the textbook way, one ``mesa.Agent`` per household with scalar state, at a size it
   can run, and compares household-steps per second.

Prints readable figures, then as its last line one JSON object with keys ``households``,
``steps``, ``seconds``, ``household_steps_per_s``, ``peak_mem_mb``,
``reference_household_steps_per_s``, ``speedup_vs_reference`` and ``app_scale_median_s``.

3. Times three runs at the app's interactive scale (5,000 households, 312 steps).

Targets: full scale in <= 6 s and <= 1 GB on 2 cores; speed-up >= 200x; a run at the app's
scale <= 0.2 s. Two warm-up runs first load the compiled household kernels, serial and parallel
(on a fresh clone they compile them, about 20 s, cached afterwards), and are not counted.
Usage: ``make bench`` (or ``python benchmarks/bench_households.py [--reference-households N]``).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import mesa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim import kernels, load_scenario, run_scenario
from sim.agents import GROUP_MATRIX
from sim.behaviour import DAYS_PER_MONTH
from sim.materials import GROUPS
from sim.model import PlasticModel
from sim.scenario import Scenario

#: Households of a run at the app's interactive scale (ui/runs.py INTERACTIVE_HOUSEHOLDS).
APP_HOUSEHOLDS = 5000
BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "phnom_penh_baseline.yaml"


class ReferenceHousehold(mesa.Agent):
    """One household as one agent: the same rule as HouseholdPopulation, in scalar Python."""

    def __init__(self, model: ReferenceModel, persons: float, income: float, served: bool) -> None:
        super().__init__(model)
        rng = model.random
        self.persons = persons
        self.income = income
        self.served = served
        self.attitude = rng.gauss(0.0, 1.0)
        self.burn_z = rng.gauss(0.0, 1.0)
        self.habit = [0.0] * len(GROUPS)
        self.separating = [0.0] * len(GROUPS)
        self.norm = [0.0] * len(GROUPS)
        self.neighbours: list[ReferenceHousehold] = []

    def step(self) -> None:
        m = self.model
        b, cond = m.behaviour, m.cond
        rng = m.random
        kg = self.persons * cond.plastic_kg_per_person_step
        daily_income = self.income * cond.income_multiplier / DAYS_PER_MONTH
        for g, group in enumerate(GROUPS):
            value_days = kg / daily_income * m.value_per_kg[g] * DAYS_PER_MONTH / cond.days
            u = (
                b.separation_intercept[group]
                + b.value_coef * value_days
                + b.attitude_coef * self.attitude
                + b.norm_coef * self.norm[g]
                + b.habit_coef * self.habit[g]
            )
            s = 1.0 if rng.random() < 1.0 / (1.0 + math.exp(-u)) else 0.0
            self.habit[g] += m.habit_rate * (s - self.habit[g])
            self.separating[g] = s
            m.separated_kg[g] += kg * s
        fee_days = cond.fee_usd_per_household_month / daily_income
        p_formal = 0.0
        if self.served:
            p_formal = 1.0 / (
                1.0
                + math.exp(
                    -(b.formal_use_intercept + b.fee_coef * fee_days + b.attitude_coef * self.attitude)
                )
            )
        p_burn = 1.0 / (1.0 + math.exp(-(b.burn_intercept - cond.burn_enforcement + b.burn_sd * self.burn_z)))
        u = rng.random()
        route = 0 if u < p_formal else (1 if u < p_formal + (1 - p_formal) * p_burn else 2)
        m.route_kg[route] += kg

    def update_norm(self) -> None:
        k = len(self.neighbours)
        for g in range(len(GROUPS)):
            self.norm[g] = sum(n.separating[g] for n in self.neighbours) / k


class ReferenceModel(mesa.Model):
    """Households of the baseline as individual agents, facing the baseline's conditions."""

    def __init__(self, n_households: int, seed: int = 1) -> None:
        super().__init__(seed=seed)
        sc = load_scenario(BASELINE)
        self.behaviour = sc.behaviour
        conditions = PlasticModel(
            sc.with_overrides({"time.end_year": sc.time.start_year}), seed=seed, scale=0.001
        )
        cond = conditions.conditions_at(0)
        # Plain Python floats, as a one-agent-per-household model would hold them (numpy
        # scalars would make the reference several times slower and the speed-up look larger).
        self.cond = SimpleNamespace(
            **{
                k: float(getattr(cond, k))
                for k in (
                    "plastic_kg_per_person_step",
                    "income_multiplier",
                    "days",
                    "fee_usd_per_household_month",
                    "burn_enforcement",
                )
            }
        )
        self.value_per_kg = [
            float(v) for v in (cond.composition * cond.household_price_usd_per_t / 1000.0) @ GROUP_MATRIX
        ]
        steps_per_half_life = self.behaviour.habit_half_life_months * sc.time.steps_per_year / 12.0
        self.habit_rate = 1.0 - 0.5 ** (1.0 / steps_per_half_life)
        city = sc.city
        households = [
            ReferenceHousehold(
                self,
                persons=1.0 + float(self.rng.poisson(city.household_size_persons - 1.0)),
                income=city.median_household_income_usd_per_month
                * math.exp(self.random.gauss(0, city.income_sigma)),
                served=self.random.random() < 0.78,
            )
            for _ in range(n_households)
        ]
        half = self.behaviour.neighbours // 2
        for i, h in enumerate(households):
            h.neighbours = [households[(i + d) % n_households] for d in range(-half, half + 1) if d != 0]
        self.separated_kg = [0.0] * len(GROUPS)
        self.route_kg = [0.0] * 3

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.agents.do("update_norm")


def city_households(sc: Scenario) -> float:
    """Households of the scenario's city."""
    return sc.city.population / sc.city.household_size_persons


def reference_rate(n_households: int, steps: int) -> float:
    """Household-steps per second of the one-agent-per-household reference."""
    model = ReferenceModel(n_households)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return n_households * steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-households", type=int, default=5000)
    parser.add_argument("--reference-steps", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the engine run")
    args = parser.parse_args()

    sc = load_scenario(BASELINE)
    start = time.perf_counter()
    run_scenario(sc, seed=1, scale=APP_HOUSEHOLDS / city_households(sc))  # serial kernels
    run_scenario(sc, seed=1, scale=3 * kernels.BLOCK / city_households(sc))  # parallel kernels
    print(
        f"Warm-up (loads or, on a first run, compiles the household kernels; not counted): "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    print(f"Engine: {sc.name}, scale {args.scale:g}, {sc.time.n_steps} steps ...", flush=True)
    start = time.perf_counter()
    result = run_scenario(sc, seed=1, scale=args.scale)
    seconds = time.perf_counter() - start
    households = result.summary["households_simulated"]
    steps = result.summary["steps"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = households * steps / seconds
    print(
        f"  {households:,} households x {steps} steps in {seconds:.1f} s -> {rate / 1e6:.2f} M household-steps/s"
    )
    print(f"  peak memory of the process: {peak_mb:,.0f} MB (targets: <= 6 s, <= 1,024 MB)")
    app = []
    for seed in (1, 2, 3):
        begin = time.perf_counter()
        run_scenario(sc, seed=seed, scale=APP_HOUSEHOLDS / city_households(sc))
        app.append(time.perf_counter() - begin)
    print(
        f"App's scale ({APP_HOUSEHOLDS:,} households, 312 steps, run_scenario): min {min(app):.3f} s, "
        f"median {statistics.median(app):.3f} s, max {max(app):.3f} s over 3 runs (target <= 0.2 s)"
    )

    print(
        f"Reference: one mesa.Agent per household, {args.reference_households:,} households x "
        f"{args.reference_steps} steps ...",
        flush=True,
    )
    ref = reference_rate(args.reference_households, args.reference_steps)
    print(f"  {ref / 1e3:.1f} k household-steps/s; engine speed-up {rate / ref:.0f}x (target >= 200x)")
    print(
        json.dumps(
            {
                "households": households,
                "steps": steps,
                "seconds": round(seconds, 2),
                "household_steps_per_s": round(rate),
                "peak_mem_mb": round(peak_mb, 1),
                "reference_household_steps_per_s": round(ref),
                "speedup_vs_reference": round(rate / ref, 1),
                "app_scale_median_s": round(statistics.median(app), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
