"""Micro-benchmark: the secondary market's per-step work (:mod:`sim.market`) on realistic inputs.

The inputs are the offers and demand curves the Phnom Penh baseline's market met at steps 1, 105,
209 and 312 of a run at the app's interactive scale (about 5,000 households; seven materials, of
which four have a market and three a zero price range), and three variants of the last step: a
glut (three times the offer: floors), export closed, and a family without recyclers (export
buyers alone). ``--from-model`` takes every step's inputs from a live run instead.

Two figures, each as min / median / max over ``--repeats`` repeats of the mean of ``--calls``
calls, in microseconds:

1. ``clearing_price`` alone, per input and over all of them;
2. one step's calls into :mod:`sim.market`, in the order :class:`sim.agents.SecondaryMarket`
   makes them (family shares, the trade, family sums, the investment decision, the clearing
   price, the price adjustment), without the agent's own array work.

Target: the market's share of a run at the app's scale (312 monthly steps in <= 0.2 s in all)
about 100 microseconds per step or less. The last line printed is one JSON object.

Usage: ``python benchmarks/bench_market.py [--repeats 7] [--calls 300] [--from-model]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("sim") is None:  # not installed: the checkout (PYTHONPATH wins if set)
    sys.path.insert(0, str(ROOT))

from sim import market as mk  # noqa: E402
from sim.materials import N_GROUPS  # noqa: E402

#: What every step of the baseline shares: the demand curves' parameters by material.
CURVES = {
    "willingness_usd_per_t": [258.4, 238.8, 218.4, 187.6, -302.4, -304.0, -303.2],
    "spread_usd_per_t": [33.0, 30.0, 27.0, 22.5, 1.0, 1.0, 1.0],
    "export_t": [426.125, 182.625, 304.375, 0.0, 0.0, 0.0, 0.0],
    "export_price_usd_per_t": [200.0, 180.0, 160.0, 0.0, 0.0, 0.0, 0.0],
    "export_ceiling_t": [852.25, 365.25, 608.75, 0.0, 0.0, 0.0, 0.0],
    "export_open": [1.0] * 7,
}
FLOOR = [33.0, 30.0, 27.0, 22.5, 0.0, 0.0, 0.0]
CEILING = [660.0, 600.0, 540.0, 450.0, 0.0, 0.0, 0.0]
ELASTICITY = 2.0
#: Offers and recyclers' capacity [t/step] at four steps of the baseline (step: offer, capacity).
STEPS = {
    1: ([1075.58, 457.619, 668.771, 569.942, 0, 0, 0], [1002.55, 387.101, 565.714, 662.259, 0, 0, 0]),
    105: ([1630.35, 623.17, 921.727, 707.816, 0, 0, 0], [1561.52, 546.182, 807.854, 864.658, 0, 0, 0]),
    209: ([2057.7, 807.855, 1194.87, 944.39, 0, 0, 0], [2100.97, 747.698, 1105.89, 1146.57, 0, 0, 0]),
    312: ([2243.61, 804.707, 1191.03, 861.811, 0, 0, 0], [2360.73, 886.194, 1311.64, 1163.36, 0, 0, 0]),
}

Case = tuple[np.ndarray, mk.Demand, np.ndarray, np.ndarray]


def embedded_cases() -> dict[str, Case]:
    """The baseline's inputs at four steps and three variants of the last."""
    curves = {k: np.array(v, dtype=float) for k, v in CURVES.items()}
    floor, ceiling = np.array(FLOOR), np.array(CEILING)
    cases: dict[str, Case] = {}
    for step, (offer, capacity) in STEPS.items():
        demand = mk.Demand(capacity_t=np.array(capacity, dtype=float), elasticity=ELASTICITY, **curves)
        cases[f"step {step}"] = (np.array(offer, dtype=float), demand, floor, ceiling)
    offer, demand, _, _ = cases["step 312"]
    cases["glut (3x offer)"] = (3.0 * offer, demand, floor, ceiling)
    closed = mk.Demand(**{**demand.__dict__, "export_open": np.zeros(7)})
    cases["export closed"] = (offer, closed, floor, ceiling)
    no_rigid = demand.capacity_t.copy()
    no_rigid[1:3] = 0.0
    cases["no rigid recyclers"] = (
        offer,
        mk.Demand(**{**demand.__dict__, "capacity_t": no_rigid}),
        floor,
        ceiling,
    )
    return cases


def model_cases() -> dict[str, Case]:
    """Every step's inputs to ``clearing_price`` in a live baseline run at the interactive scale."""
    from sim import load_scenario, run_scenario

    sc = load_scenario(ROOT / "scenarios" / "phnom_penh_baseline.yaml")
    scale = 5000 / (sc.city.population / sc.city.household_size_persons)
    seen: list[Case] = []
    original = mk.clearing_price

    def capture(offer_t: np.ndarray, demand: mk.Demand, floor: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
        seen.append((offer_t.copy(), demand, floor.copy(), ceiling.copy()))
        return original(offer_t, demand, floor, ceiling)

    mk.clearing_price = capture  # type: ignore[assignment]
    try:
        run_scenario(sc, seed=1, scale=scale)
    finally:
        mk.clearing_price = original  # type: ignore[assignment]
    return {f"step {i + 1}": case for i, case in enumerate(seen)}


def timed(work: Callable[[], object], calls: int, repeats: int) -> list[float]:
    """Microseconds per call of ``work``: the mean of ``calls`` calls, ``repeats`` times."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            work()
        out.append((time.perf_counter() - start) / calls * 1e6)
    return out


def market_step(case: Case, investment: mk.Investment) -> Callable[[], object]:
    """One step's calls into :mod:`sim.market`, as the market agent makes them, on ``case``."""
    offer, demand, floor, ceiling = case
    price = np.clip(0.5 * (floor + ceiling), floor, ceiling)
    capacity_by_group = np.array([33.0, 30.0, 22.0, 0.0])
    recyclers = [capacity_by_group * share for share in (0.5, 0.3, 0.2)]
    margin_volume = np.abs(demand.willingness_usd_per_t)
    use = np.full(N_GROUPS, 0.8)
    seed = np.full(N_GROUPS, 5.0)

    def step() -> object:
        mk.by_material(capacity_by_group)
        mk.family_share(offer)
        deal = mk.trade(offer, price, demand)
        for capacity in recyclers:
            mk.by_material(capacity)
        weight = mk.by_group(offer)
        mk.by_group(margin_volume)
        mk.by_group(deal.to_recyclers_t)
        investment.observe(weight, weight, 0.1, use)
        investment.capacity_t_per_day = capacity_by_group
        investment.decide(40.0, 0.01, 0.005, seed, 0.8)
        target = mk.clearing_price(offer, demand, floor, ceiling)
        return mk.adjust(price, target, 0.3)

    return step


def figures(values: list[float]) -> dict[str, float]:
    """Min, median and max, rounded."""
    return {
        "min": round(min(values), 1),
        "median": round(statistics.median(values), 1),
        "max": round(max(values), 1),
    }


def main() -> None:
    """Time the clearing price and one market step; print a table and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--from-model", action="store_true", help="inputs from a live baseline run")
    args = parser.parse_args()
    cases = model_cases() if args.from_model else embedded_cases()
    print(f"sim.market from {mk.__file__}")
    print(f"{len(cases)} inputs; microseconds per call, min / median / max of {args.repeats} repeats")
    rows = {}
    if not args.from_model:
        for name, case in cases.items():
            rows[name] = figures(timed(lambda case=case: mk.clearing_price(*case), args.calls, args.repeats))
            print(
                f"  clearing_price  {name:22s} {rows[name]['min']:8.1f} {rows[name]['median']:8.1f} {rows[name]['max']:8.1f}"
            )
    everything = list(cases.values())

    def all_clearing() -> None:
        for case in everything:
            mk.clearing_price(*case)

    per = max(1, args.calls // len(everything))
    clearing = figures([t / len(everything) for t in timed(all_clearing, per, args.repeats)])
    print(
        f"  clearing_price  {'mean over the inputs':22s} {clearing['min']:8.1f} {clearing['median']:8.1f} {clearing['max']:8.1f}"
    )
    investment = mk.Investment(np.array([33.0, 30.0, 22.0, 0.0]), lead_steps=18)
    steps = [market_step(case, investment) for case in everything]

    def all_steps() -> None:
        for step in steps:
            step()

    step = figures([t / len(steps) for t in timed(all_steps, per, args.repeats)])
    print(
        f"  market step     {'mean over the inputs':22s} {step['min']:8.1f} {step['median']:8.1f} {step['max']:8.1f}"
    )
    print(
        json.dumps(
            {"inputs": len(cases), "clearing_price_us": clearing, "market_step_us": step, "cases": rows}
        )
    )


if __name__ == "__main__":
    main()
