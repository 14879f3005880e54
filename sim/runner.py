"""The one way to run a scenario, shared by the CLI, batches and the app."""

from __future__ import annotations

import time
from collections.abc import Callable

from sim.model import PlasticModel
from sim.results import RunResult, collect
from sim.scenario import Scenario
from sim.seeds import DEFAULT_SEED, check_seed

__all__ = ["DEFAULT_SEED", "check_seed", "run_scenario"]


def run_scenario(
    scenario: Scenario,
    seed: int | None = DEFAULT_SEED,
    scale: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run a scenario and return its result tables.

    Args:
        scenario: A validated scenario (see :func:`sim.load_scenario`).
        seed: Random seed; the same scenario and seed give the same numbers.
        scale: Fraction of households simulated (0 < scale <= 1); tonnages are city scale.
        progress: Called as ``progress(steps_done, steps_total)`` after each step.

    Returns:
        The run's tables and summary.
    """
    check_seed(seed)
    start = time.perf_counter()
    model = PlasticModel(scenario, seed=seed, scale=scale)
    model.run(progress)
    return collect(model, seed, time.perf_counter() - start)
