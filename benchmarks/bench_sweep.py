"""Sweep throughput: a 200-run sweep at the app's interactive scale on 1 and on 2 local workers.

Each run is the full 2025-2050 horizon in monthly steps at 1 % of households (the app's
interactive scale). The sweep is a Latin hypercube over four behavioural and policy inputs,
100 samples x 2 seeds. The time counted is the wall time of :func:`sim.batch.run_sweep`,
including starting the worker processes and writing every result. The two sweeps must give
identical numbers; the benchmark checks that too.

Run with ``make bench-sweep`` or ``python benchmarks/bench_sweep.py [--runs 200] [--workers 1,2]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.batch import load_manifest, load_sweep_results, local_pool, make_sweep, run_sweep

PARAMETERS = {
    "behaviour.value_coef": None,
    "behaviour.norm_coef": None,
    "collection.fee_usd_per_household_month": None,
    "policies.collection_coverage.target_coverage": {"low": 0.6, "high": 1.0},
}


def bench(runs: int, workers: int, scale: float, out: Path) -> float:
    """Run the benchmark sweep on ``workers`` local processes; return its wall time [s]."""
    sweep = make_sweep(
        {
            "name": "bench",
            "scale": scale,
            "parameters": PARAMETERS,
            "design": {"method": "lhs", "samples": runs // 2},
            "replications": 2,
            "indicators": ["recycling_rate", "mismanaged_rate", "ghg_net_t_co2e"],
        }
    )
    start = time.perf_counter()
    with local_pool(workers) as pool:
        report = run_sweep(sweep, out, executor=pool)
    seconds = time.perf_counter() - start
    if report.failed:
        raise SystemExit(f"{report.failed} runs failed: {report.errors[0].error}")
    return seconds


def main() -> None:
    """Time the sweep on each worker count and print runs per minute and the scaling."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="Runs per sweep (even).")
    parser.add_argument("--workers", default="1,2", help="Worker counts to time, comma separated.")
    parser.add_argument("--scale", type=float, default=0.01, help="Fraction of households simulated.")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    rates: dict[int, float] = {}
    tables: list[pd.DataFrame] = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in counts:
            load = os.getloadavg()[0]  # other work on the machine slows the sweep down
            seconds = bench(args.runs, workers, args.scale, Path(tmp) / f"w{workers}")
            rates[workers] = args.runs / seconds * 60
            tables.append(load_sweep_results(Path(tmp) / f"w{workers}"))
            run_s = load_manifest(Path(tmp) / f"w{workers}")["duration_s"].mean()
            print(
                f"{workers} worker(s): {args.runs} runs in {seconds:.1f} s = {rates[workers]:.1f} runs/min "
                f"(mean run {run_s:.2f} s; load average before {load:.1f})",
                flush=True,
            )
    for table in tables[1:]:
        pd.testing.assert_frame_equal(table, tables[0], check_exact=True)
    print("identical numbers on every worker count: yes")
    first = counts[0]
    for workers in counts[1:]:
        speedup = rates[workers] / rates[first]
        print(
            f"scaling {first} -> {workers} workers: x{speedup:.2f} "
            f"({100 * speedup * first / workers:.0f} % parallel efficiency)"
        )


if __name__ == "__main__":
    main()
