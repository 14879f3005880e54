"""The one way to run a scenario, shared by the CLI, batches and the app."""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable

from sim.errors import InputError
from sim.model import PlasticModel
from sim.results import RunResult, collect
from sim.scenario import Scenario

DEFAULT_SEED = 42
#: Seeds are whole numbers from 0 to MAX_SEED (32 bits, what every random generator takes).
MAX_SEED = 2**32 - 1


def check_seed(seed: int | None, what: str = "seed", count: int = 1) -> None:
    """Refuse a seed outside 0..MAX_SEED (None, a fresh random seed, is allowed).

    Args:
        seed: The seed, or the first of ``count`` consecutive seeds.
        what: How the user gave it, for the message (e.g. ``"--seed"``).
        count: Number of consecutive seeds used from ``seed`` on; the last must fit too.

    Raises:
        InputError: Naming the seed and the allowed range.
    """
    if seed is None:
        return
    if (
        isinstance(seed, bool)
        or not isinstance(seed, numbers.Integral)
        or not 0 <= seed <= MAX_SEED - (count - 1)
    ):
        last = f" (the {count} seeds from it must fit)" if count > 1 else ""
        raise InputError(
            f"{what} {seed!r}: allowed values are whole numbers from 0 to {MAX_SEED - (count - 1)}{last}."
        )


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
