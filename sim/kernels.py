"""Compiled household kernels: one pass over every household of the city per step.

The household rule of :mod:`sim.agents` applied to the whole city's arrays in two compiled
loops (Numba), because the same rule as array expressions costs one pass over memory per
operation (about 30 per step) and is bound by memory bandwidth at the city's 0.6 M households:

- :func:`choose`: the separation logit of every household and group, habit update, and the
  social norm from the ring neighbours' previous choices (street order through the city);
- :func:`route`: choices made beside the logit (campaign and deposit top-ups), the residual
  route (formal collection, burning, dumping), and the step's sums by district.

:func:`choose` goes through each block of households in chunks of up to :data:`CHUNK`
households of one district: the neighbours' counts from the last round's choices (a
household's four choices read as the four bytes of one ``uint32``, so one addition counts all
groups), then the logit and the residual routes in loops without branches that the
compiler runs in SIMD lanes across households, then the kilograms added household after
household, in the same order as one household at a time (so the sums are the same to the last
bit). Counts are added as integers.

Random numbers are counter based: the uniform number of household *h*, draw *j* in decision
round *t* is a hash (SplitMix64) of ``(key, t, h, j)``, so a run's numbers do not depend on how
the households are split between threads or blocks, and the same seed gives the same numbers
on one process or many. Sums are kept per block of :data:`BLOCK` households and added in block
order, for the same reason.

Parallel kernels are called under one lock: concurrent calls from several threads of one
process (the app's server, a Dask worker's threads) take turns instead of nesting the thread
pool, which Numba's default threading layer does not support. Threads waiting for work sleep
instead of spinning (``OMP_WAIT_POLICY=PASSIVE`` unless set otherwise): on a machine whose
other core is busy, spinning threads made the parallel kernels slower than serial ones.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, cast

import numba as nb
import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba.extending import intrinsic

from sim.materials import N_GROUPS

# Read by the OpenMP runtime when Numba's thread pool starts (the first parallel call).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

if N_GROUPS != 4 or sys.byteorder != "little":
    # A household's four choices are read as one uint32, group g in byte g (see _choose_block).
    raise ImportError("sim.kernels needs four separation groups and a little-endian machine")


class Households(Protocol):
    """The arrays of every household the kernels read and update (see :mod:`sim.agents`)."""

    district: np.ndarray  # int32 district code
    gen_weight: np.ndarray  # float32 person-equivalents of waste
    inv_income: np.ndarray  # float32 1 / monthly income [1/USD]
    attitude: np.ndarray  # float32
    reach: np.ndarray  # float32, served when below the district's coverage
    habit: np.ndarray  # float32, n x groups
    chosen: np.ndarray  # uint8, n x groups: the latest logit choices
    previous: np.ndarray  # uint8, n x groups: the round before's
    half_window: int
    key: int


class Route(NamedTuple):
    """What decides the residual route in a step (:func:`route`).

    Attributes:
        kg_per_weight: The step's waste per person-equivalent [kg].
        p_burn: Each household's probability of burning what it does not hand over.
        coverage: Collection coverage by district [fraction].
        formal: Formal-use intercept, the fee coefficient times the fee per month of income
            (``c_fee * fee * days_per_month / income_multiplier``) and the attitude coefficient.
    """

    kg_per_weight: float
    p_burn: np.ndarray
    coverage: np.ndarray
    formal: tuple[float, float, float]


#: Households per block of partial sums (sums do not depend on the number of threads).
BLOCK = 8192
#: Households per chunk (at most; a chunk lies in one district): the chunk's loops run over
#: buffers that stay in the first-level cache, the logit and the routes in SIMD lanes across
#: households, and only the kilograms are added household after household.
CHUNK = 512
#: Hashes per household and decision round. Each 64-bit hash gives two uniform numbers of 24 bits
#: (its top and its middle bits): slot 0 groups 0-1 and slot 1 groups 2-3 of the logit, slot 2
#: the residual route, slots 3-4 the top-ups of groups 0-1 and 2-3.
SLOTS = 2 * ((N_GROUPS + 1) // 2) + 1
_ROUTE_SLOT, _TOP_UP_SLOT = (N_GROUPS + 1) // 2, (N_GROUPS + 1) // 2 + 1
#: Columns of :func:`route`'s sums, after ``G`` columns each of sold, formal, burned, dumped and
#: separating: households served and households using formal collection.
SERVED, USING_FORMAL = 0, 1

_LOCK = threading.Lock()

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S40, _S16 = (np.uint64(v) for v in (30, 27, 31, 40, 16))
_LOW24 = np.uint64((1 << 24) - 1)
_TO_UNIT = np.float32(1.0 / (1 << 24))

#: The logistic function is read from a table with linear interpolation: knots every 1/128 on
#: [-16, 16] give an absolute error below 1e-6 in a probability (h^2/8 * max|f''|), and beyond
#: the table the function is within 1.2e-7 of 0 or 1. A table read costs a third of ``exp``.
LOGISTIC_RANGE, LOGISTIC_KNOTS_PER_UNIT = 16.0, 128
_KNOTS = np.arange(
    -LOGISTIC_RANGE, LOGISTIC_RANGE + 1.0 / LOGISTIC_KNOTS_PER_UNIT, 1.0 / LOGISTIC_KNOTS_PER_UNIT
)
LOGISTIC_TABLE = (1.0 / (1.0 + np.exp(-_KNOTS))).astype(np.float32)
_LAST_KNOT = np.float32(len(LOGISTIC_TABLE) - 1.001)
#: Knot ``i`` and knot ``i + 1`` of the table in one 64-bit word (low and high half), so that
#: one read gives both (reads at scattered places are the costly part in SIMD lanes).
_KNOT_PAIRS = LOGISTIC_TABLE[:-1].view(np.uint32).astype(np.uint64) | (
    LOGISTIC_TABLE[1:].view(np.uint32).astype(np.uint64) << np.uint64(32)
)
_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_SHIFT, _PER_UNIT = np.float32(LOGISTIC_RANGE), np.float32(LOGISTIC_KNOTS_PER_UNIT)


@nb.njit(inline="always", cache=True)
def _hash(key: np.uint64, counter: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """SplitMix64 of ``key + counter * golden``: 64 random bits."""
    z = key + counter * _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@nb.njit(inline="always", cache=True)
def _unit(z: np.uint64, half: int) -> np.float32:  # pragma: no cover - compiled
    """Uniform number in [0, 1) from the top (``half`` 0) or middle (1) 24 bits of a hash."""
    bits = z >> _S40 if half == 0 else (z >> _S16) & _LOW24
    return np.float32(np.int64(bits)) * _TO_UNIT


@nb.njit(inline="always", cache=True)
def _uniform(key: np.uint64, counter: np.uint64) -> np.float32:  # pragma: no cover - compiled
    """A uniform number in [0, 1) with 24 random bits (the top bits of one hash)."""
    return _unit(_hash(key, counter), 0)


@nb.njit(inline="always", cache=True)
def _logistic(x: np.float32) -> np.float32:  # pragma: no cover - compiled
    """The logistic function of ``x`` from :data:`LOGISTIC_TABLE`."""
    t = min(max((x + _SHIFT) * _PER_UNIT, np.float32(0.0)), _LAST_KNOT)
    i = int(t)
    f = t - np.float32(i)
    pair = _KNOT_PAIRS[i]
    below, above = _as_float32(np.uint32(pair & _LOW32)), _as_float32(np.uint32(pair >> _S32))
    return below + f * (above - below)


def _bitcast_to_float32(typingctx: Any, bits: Any) -> Any:  # pragma: no cover - compiled
    """Typing and code of :data:`_as_float32`."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.FloatType())

    return nb.float32(nb.uint32), codegen


#: The float32 whose 32 bits are the uint32 argument (in compiled code).
_as_float32 = cast(Callable[[np.uint32], np.float32], intrinsic(_bitcast_to_float32))


def logistic(x: np.ndarray) -> np.ndarray:
    """The kernels' logistic function (for tests of its accuracy)."""
    return _logistic_many(np.asarray(x, np.float32))


@nb.njit(cache=True)
def _logistic_many(x: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(len(x), np.float32)
    for i in range(len(x)):
        out[i] = _logistic(x[i])
    return out


def uniform(key: int, counters: np.ndarray) -> np.ndarray:
    """The kernels' two uniform numbers for each of ``counters`` (n x 2; for tests of the generator)."""
    return _uniform_many(np.uint64(key), counters.astype(np.uint64))


@nb.njit(cache=True)
def _uniform_many(key: np.uint64, counters: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty((len(counters), 2), np.float32)
    for i in range(len(counters)):
        z = _hash(key, counters[i])
        out[i, 0] = _unit(z, 0)
        out[i, 1] = _unit(z, 1)
    return out


def counter(round_: int, n: int, household: int, slot: int) -> int:
    """The counter of hash ``slot`` of ``household`` in decision round ``round_``."""
    return (round_ * n + household) * SLOTS + slot


@nb.njit(inline="always", cache=True)
def _residual_route(
    u: np.float32, served: bool, z: np.float32, p_burn: np.float32
) -> int:  # pragma: no cover - compiled
    """Route of a household's residual waste: 0 formal collection, 1 burning, 2 dumping."""
    p_formal = _logistic(z) if served else np.float32(0.0)
    if u < p_formal:
        return 0
    return 1 if u < p_formal + (np.float32(1.0) - p_formal) * p_burn else 2


@nb.njit(cache=True)
def _choices(
    m: int,
    first: np.uint64,
    key: np.uint64,
    others: np.ndarray,
    gen_weight: np.ndarray,
    inv_income: np.ndarray,
    attitude: np.ndarray,
    habit: np.ndarray,
    chosen: np.ndarray,
    intercept: np.ndarray,
    value_coef: np.ndarray,
    kg_per_income_day: np.float32,
    attitude_coef: np.float32,
    norm_scale: np.float32,
    habit_coef: np.float32,
    habit_rate: np.float32,
) -> np.uint64:  # pragma: no cover - compiled
    """The logit choices of ``m`` households (a chunk) into ``chosen``, habit updated.

    ``first`` is the first household's place in the round's counters. No branches: the loop
    runs in SIMD lanes across households.

    Returns:
        The households separating each group, group ``g`` in bits ``16 g`` to ``16 g + 15``.
    """
    groups = N_GROUPS
    separating = np.uint64(0)
    for i in range(m):
        base = (first + np.uint64(i)) * np.uint64(SLOTS)
        x = kg_per_income_day * gen_weight[i] * inv_income[i]
        a = attitude_coef * attitude[i]
        z = np.uint64(0)
        bits = np.uint32(0)
        for g in range(groups):
            if g % 2 == 0:
                z = _hash(key, base + np.uint64(g // 2))
            norm = np.float32((others[i] >> np.uint32(8 * g)) & np.uint32(0xFF)) * norm_scale
            u = intercept[g] + value_coef[g] * x + a + norm + habit_coef * habit[groups * i + g]
            s = _unit(z, g % 2) < _logistic(u)
            habit[groups * i + g] += habit_rate * (np.float32(s) - habit[groups * i + g])
            bits |= np.uint32(s) << np.uint32(8 * g)
        chosen[i] = bits
        separating += _spread(bits)
    return separating


@nb.njit(inline="always", cache=True)
def _spread(bits: np.uint32) -> np.uint64:  # pragma: no cover - compiled
    """The four bytes of ``bits`` as the four 16-bit fields of a uint64 (sums of up to 65,535)."""
    b = np.uint64(bits)
    return (
        (b & np.uint64(0xFF))
        | ((b & np.uint64(0xFF00)) << np.uint64(8))
        | ((b & np.uint64(0xFF0000)) << np.uint64(16))
        | ((b & np.uint64(0xFF000000)) << np.uint64(24))
    )


@nb.njit(cache=True)
def _routes(
    m: int,
    first: np.uint64,
    key: np.uint64,
    routes: np.ndarray,
    p_burn: np.ndarray,
    reach: np.ndarray,
    coverage: np.float32,
    inv_income: np.ndarray,
    attitude: np.ndarray,
    formal_intercept: np.float32,
    fee_per_income: np.float32,
    attitude_coef: np.float32,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """The residual routes of ``m`` households of one district (a chunk) into ``routes``.

    Returns:
        The households served and the households using formal collection.
    """
    served_count, formal_count = 0, 0
    for i in range(m):
        base = (first + np.uint64(i)) * np.uint64(SLOTS)
        served = reach[i] < coverage
        z = formal_intercept + fee_per_income * inv_income[i] + attitude_coef * attitude[i]
        u = _uniform(key, base + np.uint64(_ROUTE_SLOT))
        r = _residual_route(u, served, z, p_burn[i])
        routes[i] = r
        served_count += served
        formal_count += r == 0
    return served_count, formal_count


@nb.njit(inline="always", cache=True)
def _chunk(district: np.ndarray, c0: int, stop: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """The district of the chunk starting at household ``c0`` and its length (up to :data:`CHUNK`)."""
    d = district[c0]
    m, most = 1, min(CHUNK, stop - c0)
    while m < most and district[c0 + m] == d:
        m += 1
    return d, m


@nb.njit(inline="always", cache=True)
def _enter(
    sums: np.ndarray, b: int, acc: np.ndarray, current: int, d: int
) -> int:  # pragma: no cover - compiled
    """Move to district ``d``: the sums of the one left go to the block's row of it; returns ``d``."""
    if d != current:
        sums[b, current] += acc
        acc[:] = 0.0
    return d


@nb.njit(cache=True)
def _neighbours(
    first: int, m: int, previous: np.ndarray, half_window: int, others: np.ndarray
) -> None:  # pragma: no cover - compiled
    """The last round's choices of the ring neighbours of households ``first`` to ``first + m - 1``.

    ``previous`` holds each household's four choices as the bytes of a ``uint32``, so one
    addition counts every group; ``others[i]`` gets household ``first + i``'s
    ``2 * half_window`` neighbours' counts (its own choices when ``half_window`` is 0). Away
    from the ring's ends the sums run in SIMD lanes, one neighbour distance at a time.
    """
    n = previous.shape[0]
    if half_window == 0:
        others[:m] = previous[first : first + m]
    elif first >= half_window and first + m + half_window <= n:
        others[:m] = 0
        for k in range(1, half_window + 1):
            before, after = previous[first - k : first - k + m], previous[first + k : first + k + m]
            for i in range(m):
                others[i] += before[i] + after[i]
    else:  # at the ends of the ring
        for i in range(m):
            total = np.uint32(0)
            for k in range(1, half_window + 1):
                total += previous[(first + i - k) % n] + previous[(first + i + k) % n]
            others[i] = total


@nb.njit(inline="always", cache=True)
def _add_kg(
    m: int,
    acc: np.ndarray,
    kg_per_weight: np.float32,
    gen_weight: np.ndarray,
    chosen: np.ndarray,
    routes: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Add the waste of ``m`` households (a chunk) by group to ``acc``: separated, or by route.

    Household after household, in the same order as one household at a time, so the sums are
    the same to the last bit whatever the chunks.
    """
    groups = N_GROUPS
    for i in range(m):
        w = np.float64(kg_per_weight * gen_weight[i])
        bits, r = chosen[i], routes[i]
        for g in range(groups):
            s = (bits >> np.uint32(8 * g)) & np.uint32(1)
            acc[g if s else (1 + r) * groups + g] += w


@nb.njit(cache=True)
def _choose_block(
    b: int,
    sums: np.ndarray,
    district: np.ndarray,
    gen_weight: np.ndarray,
    inv_income: np.ndarray,
    kg_per_income_day: np.float32,
    attitude: np.ndarray,
    habit: np.ndarray,
    previous: np.ndarray,
    chosen: np.ndarray,
    intercept: np.ndarray,
    value_coef: np.ndarray,
    attitude_coef: np.float32,
    norm_coef: np.float32,
    habit_coef: np.float32,
    habit_rate: np.float32,
    half_window: int,
    key: np.uint64,
    round_: int,
    n_districts: int,
    route_too: bool,
    kg_per_weight: np.float32,
    p_burn: np.ndarray,
    reach: np.ndarray,
    coverage: np.ndarray,
    formal_intercept: np.float32,
    fee_per_income: np.float32,
) -> None:  # pragma: no cover - compiled
    """Block ``b`` of :func:`choose`: its households' choices, and their sums in ``sums[b]``."""
    n = habit.shape[0]
    groups = N_GROUPS
    width = 5 * groups + 2
    norm_scale = norm_coef / np.float32(max(2 * half_window, 1))
    start, stop = b * BLOCK, min(n, (b + 1) * BLOCK)
    # One household's choices of the four groups as the four bytes of a uint32 (little endian):
    # sums of these over neighbours are the neighbours' counts by group, byte by byte.
    prev = previous.reshape(n * groups).view(np.uint32)
    chose = chosen.reshape(n * groups).view(np.uint32)
    flat_habit = habit.reshape(n * groups)
    others = np.empty(CHUNK, np.uint32)
    routes = np.zeros(CHUNK, np.uint8)
    acc = np.zeros(width)  # the current district's sums (households lie district by district)
    current = district[start]
    round_base = np.uint64(round_) * np.uint64(n)
    c0 = start
    while c0 < stop:
        d, m = _chunk(district, c0, stop)
        current = _enter(sums, b, acc, current, d)
        _neighbours(c0, m, prev, half_window, others)
        gw, ii, att = gen_weight[c0 : c0 + m], inv_income[c0 : c0 + m], attitude[c0 : c0 + m]
        hab, out = flat_habit[c0 * groups : (c0 + m) * groups], chose[c0 : c0 + m]
        separating = _choices(
            m,
            round_base + np.uint64(c0),
            key,
            others,
            gw,
            ii,
            att,
            hab,
            out,
            intercept,
            value_coef,
            kg_per_income_day,
            attitude_coef,
            norm_scale,
            habit_coef,
            habit_rate,
        )
        for g in range(groups):
            acc[4 * groups + g] += np.float64((separating >> np.uint64(16 * g)) & np.uint64(0xFFFF))
        if route_too:
            pb, rc = p_burn[c0 : c0 + m], reach[c0 : c0 + m]
            served, formal = _routes(
                m,
                round_base + np.uint64(c0),
                key,
                routes,
                pb,
                rc,
                coverage[d],
                ii,
                att,
                formal_intercept,
                fee_per_income,
                attitude_coef,
            )
            acc[5 * groups + SERVED] += np.float64(served)
            acc[5 * groups + USING_FORMAL] += np.float64(formal)
            _add_kg(m, acc, kg_per_weight, gw, out, routes)
        c0 += m
    sums[b, current] += acc


@nb.njit(cache=True)
def _top_ups(
    m: int,
    first: np.uint64,
    key: np.uint64,
    logit: np.ndarray,
    chosen: np.ndarray,
    top_up: np.ndarray,
    depositing: np.ndarray,
    deposit_base: np.ndarray,
    deposit_rate: np.ndarray,
) -> np.uint64:  # pragma: no cover - compiled
    """Choices of ``m`` households of one district (a chunk) with the top-ups beside the logit.

    A household not separating group ``g`` by the logit (``logit``) separates it with
    probability ``top_up[g]`` and, for a deposit group (``depositing[g]``), the return rate
    above the district's base (see :func:`route`). The choices go to ``chosen``.

    Returns:
        The households separating each group, group ``g`` in bits ``16 g`` to ``16 g + 15``.
    """
    groups = N_GROUPS
    one = np.float32(1.0)
    separating = np.uint64(0)
    for i in range(m):
        base = (first + np.uint64(i)) * np.uint64(SLOTS)
        bits = logit[i]
        z = np.uint64(0)
        for g in range(groups):
            if g % 2 == 0:
                z = _hash(key, base + np.uint64(_TOP_UP_SLOT + g // 2))
            q = top_up[g]
            if depositing[g]:
                b_d = deposit_base[g]
                extra = (max(b_d, deposit_rate[i]) - b_d) / (one - b_d)
                q = one - (one - q) * (one - extra)
            bits |= np.uint32(_unit(z, g % 2) < q) << np.uint32(8 * g)
        chosen[i] = bits
        separating += _spread(bits)
    return separating


@nb.njit(cache=True)
def _route_block(
    b: int,
    sums: np.ndarray,
    district: np.ndarray,
    gen_weight: np.ndarray,
    kg_per_weight: np.float32,
    inv_income: np.ndarray,
    attitude: np.ndarray,
    p_burn: np.ndarray,
    reach: np.ndarray,
    chosen: np.ndarray,
    top_up: np.ndarray,
    deposit_mask: np.ndarray,
    deposit_rate: np.ndarray,
    deposit_base: np.ndarray,
    coverage: np.ndarray,
    formal_intercept: np.float32,
    fee_per_income: np.float32,
    attitude_coef: np.float32,
    key: np.uint64,
    round_: int,
    n_districts: int,
) -> None:  # pragma: no cover - compiled
    """Block ``b`` of :func:`route`, in chunks of one district as :func:`_choose_block`."""
    n = chosen.shape[0]
    groups = N_GROUPS
    width = 5 * groups + 2
    deposits = deposit_rate.shape[0] > 0
    start, stop = b * BLOCK, min(n, (b + 1) * BLOCK)
    logit = chosen.reshape(n * groups).view(np.uint32)
    final = np.zeros(CHUNK, np.uint32)
    routes = np.zeros(CHUNK, np.uint8)
    no_rate = np.zeros(CHUNK, np.float32)
    top_up_d = np.zeros(groups, np.float32)
    depositing = deposit_mask & deposits
    base_d = np.zeros(groups, np.float32)
    acc = np.zeros(width)  # the current district's sums
    current = district[start]
    round_base = np.uint64(round_) * np.uint64(n)
    c0 = start
    while c0 < stop:
        d, m = _chunk(district, c0, stop)
        current = _enter(sums, b, acc, current, d)
        for g in range(groups):
            top_up_d[g] = top_up[d, g] if top_up.shape[0] > 0 else 0.0
            base_d[g] = deposit_base[d, g] if depositing[g] else 0.0
        first = round_base + np.uint64(c0)
        gw, ii, att = gen_weight[c0 : c0 + m], inv_income[c0 : c0 + m], attitude[c0 : c0 + m]
        served, formal = _routes(
            m,
            first,
            key,
            routes,
            p_burn[c0 : c0 + m],
            reach[c0 : c0 + m],
            coverage[d],
            ii,
            att,
            formal_intercept,
            fee_per_income,
            attitude_coef,
        )
        acc[5 * groups + SERVED] += np.float64(served)
        acc[5 * groups + USING_FORMAL] += np.float64(formal)
        rate = deposit_rate[c0 : c0 + m] if deposits else no_rate
        separating = _top_ups(m, first, key, logit[c0 : c0 + m], final, top_up_d, depositing, base_d, rate)
        for g in range(groups):
            acc[4 * groups + g] += np.float64((separating >> np.uint64(16 * g)) & np.uint64(0xFFFF))
        _add_kg(m, acc, kg_per_weight, gw, final, routes)
        c0 += m
    sums[b, current] += acc


@nb.njit(cache=True)
def _choose_serial(n: int, width: int, n_districts: int, *args: Any) -> np.ndarray:  # pragma: no cover
    blocks = (n + BLOCK - 1) // BLOCK
    sums = np.zeros((blocks, n_districts, width))
    for b in range(blocks):
        _choose_block(b, sums, *args)
    return sums.sum(axis=0)


@nb.njit(parallel=True, cache=True)
def _choose_parallel(n: int, width: int, n_districts: int, *args: Any) -> np.ndarray:  # pragma: no cover
    blocks = (n + BLOCK - 1) // BLOCK
    sums = np.zeros((blocks, n_districts, width))
    for b in nb.prange(blocks):
        _choose_block(b, sums, *args)
    return sums.sum(axis=0)


@nb.njit(cache=True)
def _route_serial(n: int, width: int, n_districts: int, *args: Any) -> np.ndarray:  # pragma: no cover
    blocks = (n + BLOCK - 1) // BLOCK
    sums = np.zeros((blocks, n_districts, width))
    for b in range(blocks):
        _route_block(b, sums, *args)
    return sums.sum(axis=0)


@nb.njit(parallel=True, cache=True)
def _route_parallel(n: int, width: int, n_districts: int, *args: Any) -> np.ndarray:  # pragma: no cover
    blocks = (n + BLOCK - 1) // BLOCK
    sums = np.zeros((blocks, n_districts, width))
    for b in nb.prange(blocks):
        _route_block(b, sums, *args)
    return sums.sum(axis=0)


#: Arguments of the residual route that :func:`choose` ignores when it does not route.
_NO_ROUTE = (np.float32(0.0), np.zeros(0, np.float32), np.zeros(0, np.float32), np.zeros(0, np.float32))


def choose(
    households: Households,
    kg_per_income_day: float,
    intercept: np.ndarray,
    value_coef: np.ndarray,
    coefs: tuple[float, float, float, float],
    round_: int,
    n_districts: int,
    route: Route | None = None,
) -> np.ndarray:
    """The separation logit of every household and group (updates habit and choices).

    Household *h* separates group *g* when a uniform draw is below
    ``logistic(a_g + c_g * x_h + c_a * attitude_h + c_n * norm_hg + c_h * habit_hg)`` with
    ``x_h = kg_per_income_day * gen_weight_h * inv_income_h`` and ``norm_hg`` the share of its
    ``2 * half_window`` ring neighbours (street order through the city) that separated in the
    previous round. The previous round's choices move to ``households.previous``.

    With ``route``, the residual route is decided in the same pass (a step without top-ups):
    see :func:`route`.

    Args:
        households: The households' arrays.
        kg_per_income_day: Waste per person-equivalent per day of income at 1 USD/month [kg].
        intercept: Utility intercept by group, policy shift included.
        value_coef: Logit weight of one kg per day of income by group (value coefficient times
            the group's sale value per kg of plastic and month).
        coefs: Weights of attitude, norm and habit, and the habit rate per step.
        round_: Decision round (0, 1, ... spin-up included).
        n_districts: Number of districts.
        route: The step's route inputs, to route in the same pass.

    Returns:
        By district, the columns of :func:`route` (only the separating counts without ``route``).
    """
    f32 = np.float32
    hh = households
    hh.previous, hh.chosen = hh.chosen, hh.previous
    if route is None:
        kg, p_burn, reach, coverage = _NO_ROUTE
        formal = (0.0, 0.0)
    else:
        kg, p_burn, reach, coverage = f32(route.kg_per_weight), route.p_burn, hh.reach, route.coverage
        formal = route.formal[:2]
    n, groups = hh.habit.shape
    driver = _choose_parallel if n > BLOCK else _choose_serial
    with _LOCK:
        return driver(
            n,
            5 * groups + 2,
            int(n_districts),
            hh.district,
            hh.gen_weight,
            hh.inv_income,
            f32(kg_per_income_day),
            hh.attitude,
            hh.habit,
            hh.previous,
            hh.chosen,
            np.asarray(intercept, f32),
            np.asarray(value_coef, f32),
            f32(coefs[0]),
            f32(coefs[1]),
            f32(coefs[2]),
            f32(coefs[3]),
            int(hh.half_window),
            np.uint64(hh.key),
            int(round_),
            int(n_districts),
            route is not None,
            kg,
            p_burn,
            reach,
            np.asarray(coverage, f32),
            f32(formal[0]),
            f32(formal[1]),
        )


def route(
    households: Households,
    plan: Route,
    round_: int,
    top_up: np.ndarray | None = None,
    deposit: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Top-ups beside the logit, the residual route of every household, and sums by district.

    A household not separating group *g* by the logit separates it with probability
    ``top_up[d, g]`` (campaigns); for a deposit group, with probability
    ``1 - (1 - top_up[d, g]) * (1 - (max(b_dg, r_h) - b_dg) / (1 - b_dg))``, with ``r_h`` its
    deposit return rate and ``b_dg`` the district's expected share separating the group
    otherwise. Its residual waste goes to formal collection with probability
    ``served_h * logistic(a_f + c_fee * fee * inv_income_h + c_a * attitude_h)``, else to burning
    with probability ``p_burn_h``, else it is dumped; ``served_h`` is ``reach_h < coverage_d``.

    Args:
        households: The households' arrays (``chosen``: this round's logit choices).
        plan: The step's route inputs.
        round_: Decision round (the same as :func:`choose`'s for this step).
        top_up: Campaign top-up probability by district and group, or None.
        deposit: With a deposit: which groups carry it (bool by group), each household's
            return rate, and the districts' expected shares separating each group otherwise.

    Returns:
        By district (rows), ``5 * groups + 2`` columns: waste of separating households [kg] by
        group; residual waste [kg] by group to formal collection, to burning and dumped;
        households separating by group; households served; households using formal collection.
    """
    f32 = np.float32
    hh = households
    groups = hh.chosen.shape[1]
    if deposit is None:
        mask, rate, base = np.zeros(groups, np.bool_), np.zeros(0, f32), np.zeros((0, groups), f32)
    else:
        mask, rate, base = (np.asarray(deposit[0], np.bool_), deposit[1].astype(f32), deposit[2].astype(f32))
    n = len(hh.district)
    driver = _route_parallel if n > BLOCK else _route_serial
    with _LOCK:
        return driver(
            n,
            5 * groups + 2,
            len(plan.coverage),
            hh.district,
            hh.gen_weight,
            f32(plan.kg_per_weight),
            hh.inv_income,
            hh.attitude,
            plan.p_burn,
            hh.reach,
            hh.chosen,
            np.zeros((0, groups), f32) if top_up is None else top_up.astype(f32),
            mask,
            rate,
            base,
            np.asarray(plan.coverage, f32),
            f32(plan.formal[0]),
            f32(plan.formal[1]),
            f32(plan.formal[2]),
            np.uint64(hh.key),
            int(round_),
            len(plan.coverage),
        )
