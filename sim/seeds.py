"""Seeds of runs: the default and the allowed range (a light module the CLI reads at start)."""

from __future__ import annotations

import numbers

from sim.errors import InputError

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
