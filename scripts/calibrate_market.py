"""Derive the 2025 recycling capacity by family from the assumption that the market then cleared at observed prices.

The 2025 prices in ``data/materials.csv`` are observed (or assumed from observations); recycling
capacity is not (no inventory of recyclers exists). If the 2025 market was in long-run
equilibrium at those prices, what junk shops then sold equalled what recyclers and export
buyers took at those prices. This script measures what reaches junk shops in 2025 when prices
are held at their 2025 level (the model's supply at observed prices), subtracts export demand
at those prices, and divides what is left by the share of capacity recyclers use at a margin
equal to the hurdle (the processing costs in ``data/materials.csv`` are derived so that the 2025
margin equals the hurdle, ``derived_processing_cost``). It prints the capacity by family and,
with ``--write``, writes the total to ``data/facilities.csv`` and the family shares to
``data/parameters.csv``.

Usage::

    python scripts/calibrate_market.py [--seeds 3] [--scale 0.2] [--write]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from sim import load_scenario
from sim import network as net
from sim.behaviour import logistic
from sim.materials import GROUP_INDEX, GROUPS, MATERIALS, N_GROUPS
from sim.model import PlasticModel

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FACILITY = "phnom_penh_recyclers"


def supply_at_observed_prices(seed: int, scale: float) -> np.ndarray:
    """Saleable plastic reaching junk shops in 2025 with prices held at their 2025 level [t/day]."""
    sc = load_scenario(ROOT / "scenarios" / "phnom_penh_baseline.yaml").with_overrides(
        {"time.end_year": 2025, "market.max_growth_per_yr": 0.0, "market.max_retirement_per_yr": 0.0}
    )
    model = PlasticModel(sc, seed=seed, scale=scale)
    model.market.price_rate = 0.0  # prices stay at their 2025 level
    model.run()
    kinds = dict(model.graph.nodes(data=net.KIND))
    into = [i for i, (_, v) in enumerate(model.ledger.edges) if kinds[v] == net.NodeKind.AGGREGATOR]
    tonnes = model.ledger.flows[:, into, :].sum(axis=(0, 1))
    return tonnes * sc.aggregation.sort_yield / 365.25


def main() -> None:
    """Print (and optionally write) the 2025 capacity by family."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument(
        "--write", action="store_true", help="write data/facilities.csv and data/parameters.csv"
    )
    args = parser.parse_args()
    sc = load_scenario(ROOT / "scenarios" / "phnom_penh_baseline.yaml")
    offer = np.mean([supply_at_observed_prices(s, args.scale) for s in range(1, args.seeds + 1)], axis=0)
    col = {
        a: np.array([getattr(sc.materials[m], a) for m in MATERIALS])
        for a in type(sc.materials[MATERIALS[0]]).model_fields
    }
    mk = sc.market
    price = col["recycler_price_usd_per_t"]
    ratio = np.divide(col["export_price_usd_per_t"], price, out=np.zeros_like(price), where=price > 0)
    export = np.minimum(
        col["export_demand_t_per_day"] * ratio**mk.export_elasticity,
        col["export_demand_t_per_day"] * mk.export_ceiling_multiple,
    )
    domestic = np.maximum(offer - export, 0.0)
    spread = np.maximum(mk.cost_spread_share * price, 1.0)
    use = logistic(mk.hurdle_usd_per_t / spread)
    capacity_m = np.where(price > 0, domestic / use, 0.0)
    by_group = np.bincount(np.array(GROUP_INDEX), weights=capacity_m, minlength=N_GROUPS)
    total = float(by_group.sum())
    print(f"{'material':<12}{'offer t/d':>10}{'export t/d':>11}{'domestic t/d':>13}{'use at hurdle':>14}")
    for i, m in enumerate(MATERIALS):
        print(f"{m:<12}{offer[i]:>10.1f}{export[i]:>11.1f}{domestic[i]:>13.1f}{use[i]:>14.2f}")
    shares = by_group / total
    print(
        f"capacity {total:.1f} t/day; by family: "
        + ", ".join(f"{g} {s:.3f}" for g, s in zip(GROUPS, shares, strict=True))
    )
    if args.write:
        _write(round(total), {g: round(float(s), 3) for g, s in zip(GROUPS, shares, strict=True)})


def _write(capacity: int, shares: dict[str, float]) -> None:
    """Write the derived capacity and family shares into the data tables."""
    shares[GROUPS[0]] = round(1.0 - sum(v for k, v in shares.items() if k != GROUPS[0]), 3)
    path = DATA / "facilities.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if row["name"] == FACILITY:
            row["capacity_t_per_day"] = str(capacity)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    path = DATA / "parameters.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        for g, s in shares.items():
            if row["key"] == f"market.capacity_share.{g}":
                row["value"] = str(s)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print("written: data/facilities.csv, data/parameters.csv")


if __name__ == "__main__":
    main()
