"""Unit tests of the flow ledger, with values computed by hand on a four-node graph.

Graph: ``in`` (boundary source) -> ``a``; ``a`` -> ``b``; ``a`` -> ``c``; ``b`` -> ``c``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.ledger import FlowLedger, MassBalanceError
from sim.materials import N_MATERIALS

RAMP = np.arange(1.0, N_MATERIALS + 1)  # 1, 2, ..., 7 t


def make_ledger(n_steps: int = 3, strict: bool = True) -> FlowLedger:
    """A ledger over the four-node test graph.

    Args:
        n_steps: Steps to record.
        strict: Strict mode (raise on overdraw).

    Returns:
        An empty ledger whose only source node is ``in``.
    """
    g = nx.DiGraph([("in", "a"), ("a", "b"), ("a", "c"), ("b", "c")])
    return FlowLedger(g, n_steps, source_nodes=frozenset({"in"}), strict=strict)


def edge_flow(ledger: FlowLedger, u: str, v: str, step: int = 0) -> np.ndarray:
    """Recorded flow along ``u -> v`` in ``step`` by material [t]."""
    return ledger.flows[step, ledger.edge_index[(u, v)]]


def test_transfer_moves_and_records_hand_computed_values():
    ledger = make_ledger()
    ledger.transfer("in", "a", 10.0)  # one number = that much of every material
    ledger.transfer("a", "b", RAMP)
    moved = ledger.move_all("a", "c")

    np.testing.assert_array_equal(moved, 10.0 - RAMP)  # 9, 8, ..., 3
    np.testing.assert_array_equal(ledger.stock("in"), np.full(N_MATERIALS, -10.0))
    np.testing.assert_array_equal(ledger.stock("a"), np.zeros(N_MATERIALS))
    np.testing.assert_array_equal(ledger.stock("b"), RAMP)
    np.testing.assert_array_equal(ledger.stock("c"), 10.0 - RAMP)
    np.testing.assert_array_equal(edge_flow(ledger, "in", "a"), np.full(N_MATERIALS, 10.0))
    np.testing.assert_array_equal(edge_flow(ledger, "a", "b"), RAMP)
    np.testing.assert_array_equal(edge_flow(ledger, "a", "c"), 10.0 - RAMP)
    np.testing.assert_array_equal(edge_flow(ledger, "b", "c"), np.zeros(N_MATERIALS))


def test_stock_returns_a_copy():
    ledger = make_ledger()
    ledger.transfer("in", "a", 2.0)
    ledger.stock("a")[:] = 99.0
    np.testing.assert_array_equal(ledger.stock("a"), np.full(N_MATERIALS, 2.0))


def test_flows_accumulate_within_a_step_and_close_step_records_stocks():
    ledger = make_ledger()
    ledger.transfer("in", "a", 3.0)
    ledger.transfer("in", "a", 1.5)
    ledger.transfer("a", "b", 4.0)
    ledger.close_step()
    ledger.transfer("b", "c", 2.5)
    ledger.close_step()

    assert ledger.step == 2
    np.testing.assert_array_equal(edge_flow(ledger, "in", "a", 0), np.full(N_MATERIALS, 4.5))
    np.testing.assert_array_equal(edge_flow(ledger, "b", "c", 1), np.full(N_MATERIALS, 2.5))
    np.testing.assert_array_equal(edge_flow(ledger, "in", "a", 1), np.zeros(N_MATERIALS))
    i = ledger.node_index
    expected_0 = {"in": -4.5, "a": 0.5, "b": 4.0, "c": 0.0}
    expected_1 = {"in": -4.5, "a": 0.5, "b": 1.5, "c": 2.5}
    for node, value in expected_0.items():
        np.testing.assert_allclose(ledger.stock_history[0, i[node]], value)
    for node, value in expected_1.items():
        np.testing.assert_allclose(ledger.stock_history[1, i[node]], value)
    ledger.check_mass_balance()


def test_refuses_a_move_that_is_not_an_edge():
    ledger = make_ledger()
    ledger.transfer("in", "a", 5.0)
    with pytest.raises(KeyError):
        ledger.transfer("a", "in", 1.0)  # edges are directed
    with pytest.raises(KeyError):
        ledger.transfer("in", "c", 1.0)  # no shortcut past a
    with pytest.raises(KeyError):
        ledger.transfer("a", "nowhere", 1.0)
    np.testing.assert_array_equal(ledger.stock("a"), np.full(N_MATERIALS, 5.0))


def test_overdraw_raises_in_strict_mode_and_changes_nothing():
    ledger = make_ledger()
    ledger.transfer("in", "a", RAMP)
    too_much = RAMP.copy()
    too_much[3] += 0.01  # one material overdrawn by 10 kg
    with pytest.raises(MassBalanceError, match="a holds"):
        ledger.transfer("a", "b", too_much)
    np.testing.assert_array_equal(ledger.stock("a"), RAMP)
    np.testing.assert_array_equal(ledger.stock("b"), np.zeros(N_MATERIALS))
    np.testing.assert_array_equal(edge_flow(ledger, "a", "b"), np.zeros(N_MATERIALS))


def test_negative_flow_raises_in_strict_mode():
    ledger = make_ledger()
    ledger.transfer("in", "a", 5.0)
    amount = np.full(N_MATERIALS, 1.0)
    amount[0] = -1.0
    with pytest.raises(MassBalanceError, match="negative"):
        ledger.transfer("a", "b", amount)


def test_source_node_may_go_negative_but_others_may_not():
    ledger = make_ledger()
    ledger.transfer("in", "a", 1e6)  # plastic entering the system: no overdraw check
    np.testing.assert_array_equal(ledger.stock("in"), np.full(N_MATERIALS, -1e6))
    with pytest.raises(MassBalanceError):
        ledger.transfer("b", "c", 1.0)  # b holds nothing


def test_float_dust_is_not_an_overdraw():
    ledger = make_ledger()
    ledger.transfer("in", "a", 0.1)
    ledger.transfer("in", "a", 0.2)
    ledger.transfer("a", "b", 0.3)  # 0.1 + 0.2 != 0.3 in floating point
    assert (ledger.stock("a") >= 0).all()
    ledger.close_step()
    ledger.check_mass_balance()


def test_lenient_overdraw_is_caught_by_the_mass_balance_check():
    ledger = make_ledger(strict=False)
    ledger.transfer("in", "a", 2.0)
    ledger.transfer("a", "b", 5.0)  # 3 t more than a holds: created from nothing
    ledger.close_step()
    with pytest.raises(MassBalanceError, match="'a'"):
        ledger.check_mass_balance()


def test_check_catches_a_tampered_stock():
    ledger = make_ledger()
    ledger.transfer("in", "a", 4.0)
    ledger.transfer("a", "c", 1.0)
    ledger.close_step()
    ledger.check_mass_balance()  # untouched: balanced
    ledger.stock_history[0, ledger.node_index["c"], 2] += 0.5
    with pytest.raises(MassBalanceError, match=r"node 'c', step 0, material 2"):
        ledger.check_mass_balance()


def test_check_catches_a_stock_changed_outside_the_ledger_mid_run():
    ledger = make_ledger()
    ledger.transfer("in", "a", 4.0)
    ledger.close_step()
    ledger._stock[ledger.node_index["b"]] += 1.0  # plastic appearing without a flow
    ledger.close_step()
    with pytest.raises(MassBalanceError, match=r"node 'b', step 1"):
        ledger.check_mass_balance()


def test_check_catches_a_balanced_negative_stock():
    ledger = make_ledger()
    i = ledger.node_index
    # Recorded flows and stocks that balance, but leave node a holding -2 t.
    ledger.flows[0, ledger.edge_index[("a", "b")]] = 2.0
    ledger.stock_history[0, i["a"]] = -2.0
    ledger.stock_history[0, i["b"]] = 2.0
    ledger.step = 1
    with pytest.raises(MassBalanceError, match="negative stock"):
        ledger.check_mass_balance()


def test_check_tolerance_scales_with_the_largest_flow():
    ledger = make_ledger()
    ledger.transfer("in", "a", 1e6)
    ledger.close_step()
    ledger.stock_history[0, ledger.node_index["a"], 0] += 1e-4  # 1e-10 of the largest flow
    ledger.check_mass_balance()
    ledger.stock_history[0, ledger.node_index["a"], 0] += 1e-2  # 1e-8 of it: too much
    with pytest.raises(MassBalanceError):
        ledger.check_mass_balance()


def test_nan_flow_raises_in_strict_mode():
    ledger = make_ledger()
    ledger.transfer("in", "a", 5.0)
    amount = np.full(N_MATERIALS, 1.0)
    amount[2] = np.nan
    with pytest.raises(MassBalanceError, match="non-finite"):
        ledger.transfer("a", "b", amount)
    with pytest.raises(MassBalanceError, match="non-finite"):
        ledger.transfer("in", "a", np.inf)


@pytest.mark.parametrize(
    "amount", [np.ones(N_MATERIALS - 1), np.ones((2, N_MATERIALS)), np.ones(N_MATERIALS + 1)]
)
def test_a_transfer_of_the_wrong_shape_is_refused_and_changes_nothing(amount: np.ndarray):
    ledger = make_ledger()
    ledger.transfer("in", "a", 5.0)
    with pytest.raises(ValueError, match=f"needs {N_MATERIALS} t"):
        ledger.transfer("a", "b", amount)
    np.testing.assert_array_equal(ledger.stock("a"), np.full(N_MATERIALS, 5.0))
    np.testing.assert_array_equal(edge_flow(ledger, "a", "b"), np.zeros(N_MATERIALS))


def test_a_transfer_from_a_strided_view_moves_what_the_view_shows():
    ledger = make_ledger()
    ledger.transfer("in", "a", 10.0)
    table = np.arange(2.0 * N_MATERIALS).reshape(N_MATERIALS, 2) / 10.0
    ledger.transfer("a", "b", table[:, 1])  # not contiguous
    np.testing.assert_array_equal(edge_flow(ledger, "a", "b"), table[:, 1])
    np.testing.assert_array_equal(ledger.stock("a"), 10.0 - table[:, 1])


def test_check_catches_a_nan_in_the_records():
    ledger = make_ledger(strict=False)
    ledger.transfer("in", "a", 2.0)
    ledger.transfer("a", "b", np.nan)
    ledger.close_step()
    with pytest.raises(MassBalanceError, match="mass balance broken"):
        ledger.check_mass_balance()


# --------------------------------------------------------------------------- batches


def test_a_batch_moves_through_a_node_and_records_hand_computed_values():
    """In on one edge and out on others within the batch: only the end state must be non-negative."""
    ledger = make_ledger()
    batch = ledger.batch([("in", "a"), ("a", "b"), ("a", "c")])
    ledger.transfer_batch(batch, np.array([np.full(N_MATERIALS, 10.0), RAMP, 10.0 - RAMP]))
    np.testing.assert_array_equal(ledger.stock("in"), np.full(N_MATERIALS, -10.0))
    np.testing.assert_array_equal(ledger.stock("a"), np.zeros(N_MATERIALS))
    np.testing.assert_array_equal(ledger.stock("b"), RAMP)
    np.testing.assert_array_equal(ledger.stock("c"), 10.0 - RAMP)
    np.testing.assert_array_equal(edge_flow(ledger, "a", "c"), 10.0 - RAMP)
    ledger.transfer_batch(
        batch, np.array([np.ones(N_MATERIALS), np.ones(N_MATERIALS), np.zeros(N_MATERIALS)])
    )
    np.testing.assert_array_equal(edge_flow(ledger, "a", "b"), RAMP + 1.0)  # flows add up within a step
    ledger.close_step()
    ledger.check_mass_balance()


def test_a_batch_gives_the_same_numbers_as_one_transfer_per_edge():
    rng = np.random.default_rng(7)
    edges = [("in", "a"), ("a", "b"), ("a", "c"), ("b", "c")]
    one_by_one, together = make_ledger(), make_ledger()
    batch = together.batch(edges)
    for _ in range(3):
        inflow = rng.random(N_MATERIALS) * 100
        to_b, to_c = inflow * 0.3, inflow * 0.7
        from_b = to_b * 0.5
        amounts = np.array([inflow, to_b, to_c, from_b])
        for (u, v), amount in zip(edges, amounts, strict=True):
            one_by_one.transfer(u, v, amount)
        together.transfer_batch(batch, amounts)
        one_by_one.close_step()
        together.close_step()
    np.testing.assert_array_equal(together.flows, one_by_one.flows)
    # Stocks: the same up to the order of additions (a batch sums each node's change first).
    np.testing.assert_allclose(together.stock_history, one_by_one.stock_history, rtol=0, atol=1e-12 * 100)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_a_batch_with_a_bad_flow_is_refused_and_changes_nothing(bad):
    ledger = make_ledger()
    ledger.transfer("in", "a", 5.0)
    batch = ledger.batch([("a", "b"), ("b", "c")])
    amounts = np.ones((2, N_MATERIALS))
    amounts[1, 3] = bad
    with pytest.raises(MassBalanceError, match="negative or non-finite flow b -> c"):
        ledger.transfer_batch(batch, amounts)
    np.testing.assert_array_equal(ledger.stock("a"), np.full(N_MATERIALS, 5.0))
    assert not ledger.flows[0, [ledger.edge_index[e] for e in batch.edges]].any()


def test_a_batch_that_overdraws_a_node_names_it():
    ledger = make_ledger()
    ledger.transfer("in", "a", 1.0)
    batch = ledger.batch([("a", "b"), ("a", "c")])
    with pytest.raises(MassBalanceError, match=r"^a would hold -1 t"):
        ledger.transfer_batch(batch, np.array([np.ones(N_MATERIALS), np.ones(N_MATERIALS)]))


def test_a_batch_clears_float_dust_and_the_lax_ledger_lets_overdraws_pass():
    ledger = make_ledger()
    ledger.transfer("in", "a", 0.3)
    batch = ledger.batch([("a", "b"), ("a", "c")])
    ledger.transfer_batch(batch, np.array([np.full(N_MATERIALS, 0.1), np.full(N_MATERIALS, 0.2)]))
    assert np.all(ledger.stock("a") >= 0.0)  # 0.3 - 0.1 - 0.2 is -2.8e-17 in floats: cleared
    lax = make_ledger(strict=False)
    lax_batch = lax.batch([("a", "b")])
    lax.transfer_batch(lax_batch, np.ones((1, N_MATERIALS)))
    np.testing.assert_array_equal(lax.stock("a"), np.zeros(N_MATERIALS))
    np.testing.assert_array_equal(lax.stock("b"), np.ones(N_MATERIALS))


def test_a_batch_has_each_edge_once():
    ledger = make_ledger()
    with pytest.raises(ValueError, match="twice"):
        ledger.batch([("a", "b"), ("a", "b")])
    with pytest.raises(KeyError):
        ledger.batch([("b", "a")])
    with pytest.raises(ValueError, match="needs 1 x"):
        ledger.transfer_batch(ledger.batch([("a", "b")]), np.ones((2, N_MATERIALS)))
