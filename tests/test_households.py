"""The households' hand-on of a step: the compiled pass against the same rule as NumPy formulas.

:func:`sim.agents._hand_on` turns the kernels' sums by district (kilograms sold, handed to formal
collection, burned and dumped by material group; counts) into tonnes on each edge of the
households' ledger batch. The reference below is the rule written as array expressions, term
for term; the two must agree to the last bit, and the batch must balance (what a district's
node receives, it hands on).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import GROUP_INDEX_ARRAY, ROUTES, _hand_on
from sim.materials import GROUP_INDEX, N_GROUPS, N_MATERIALS


def numpy_hand_on(sums, composition, to_t, deposit, sellable, separate_share, served, water, leak_multiplier):
    """The rule as NumPy formulas."""
    g = N_GROUPS
    kg = sums[:, : 4 * g].reshape(-1, 4, g)
    sold, formal, burned, dumped = (kg[:, :, GROUP_INDEX] * composition * to_t[:, None, None]).transpose(
        1, 0, 2
    )
    returned = sold * deposit
    sold = sold - returned
    unsold = np.where(sellable, 0.0, sold)
    separate = unsold * (separate_share * served[:, None])
    unsold = unsold - separate
    rest = formal + burned + dumped
    scale_up = 1.0 + np.divide(unsold, rest, out=np.zeros_like(rest), where=rest > 0)
    leak = np.minimum(1.0, water * leak_multiplier)[:, None]
    generated = returned + sold + formal + burned + dumped
    moved = [
        np.where(sellable, sold, 0.0),
        returned,
        separate,
        formal * scale_up,
        burned * scale_up,
        dumped * scale_up * leak,
    ]
    moved.append(np.maximum(generated - sum(moved), 0.0))
    return np.concatenate([generated, *moved])


def compiled_hand_on(step):
    """:func:`sim.agents._hand_on` of a step drawn by :func:`steps`."""
    sums, *rest = step
    return _hand_on(sums, GROUP_INDEX_ARRAY, *rest)


@st.composite
def steps(draw):
    """A step's sums for 1-14 districts and what households face."""
    n = draw(st.integers(1, 14))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    sums = rng.random((n, 5 * N_GROUPS + 2)) * 1e3
    sums[rng.random(sums.shape) < 0.2] = 0.0  # groups nobody separates, routes nobody takes
    composition = rng.dirichlet(np.ones(N_MATERIALS))
    to_t = rng.random(n) * 1e-2
    deposit = np.where(rng.random(N_MATERIALS) < 0.5, rng.random(N_MATERIALS), 0.0)
    sellable = rng.random(N_MATERIALS) < 0.6
    served = rng.random(n)
    water = rng.random(n) * 0.3
    return (
        sums,
        composition,
        to_t,
        deposit,
        sellable,
        draw(st.floats(0.0, 1.0)),
        served,
        water,
        draw(st.floats(1.0, 5.0)),
    )


@settings(max_examples=200, deadline=None)
@given(steps())
def test_the_compiled_hand_on_is_the_numpy_rule_to_the_last_bit(step) -> None:
    got = compiled_hand_on(step)
    want = numpy_hand_on(*step)
    assert got.shape == (8 * len(step[2]), N_MATERIALS) == want.shape
    assert np.array_equal(got, want)


@settings(max_examples=100, deadline=None)
@given(steps())
def test_every_district_hands_on_what_it_generated(step) -> None:
    """Each district's node ends the step empty: generated = the sum of its routes (float rounding aside)."""
    sums, composition, to_t, deposit, sellable = step[:5]
    out = compiled_hand_on(step)
    n = len(to_t)
    generated = out[:n]
    routes = out[n:].reshape(len(ROUTES), n, N_MATERIALS)
    assert np.all(out >= 0)
    np.testing.assert_allclose(
        routes.sum(axis=0), generated, rtol=1e-12, atol=1e-12 * generated.max(initial=1.0)
    )
    # Material nobody buys is not sold; deposit containers go back at the deposit share.
    assert np.all(routes[0][:, ~sellable] == 0)
    kg = sums[:, :N_GROUPS][:, GROUP_INDEX] * composition * to_t[:, None]
    np.testing.assert_array_equal(routes[1], kg * deposit)
