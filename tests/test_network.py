"""The material-flow graph: node kinds, connectivity, edge attributes, and the ledger's use of it."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim import Scenario
from sim import network as net
from sim.ledger import FlowLedger
from sim.network import NodeKind

EXTRA_FACILITIES = {
    "facilities.kiln": {"kind": "incinerator", "open_year": 2025, "capacity_t_per_day": 300},
    "facilities.sorting": {"kind": "mrf", "open_year": 2025, "capacity_t_per_day": 200},
}


@pytest.fixture(scope="module")
def full_scenario(baseline: Scenario) -> Scenario:
    """The baseline with an incinerator and a material recovery facility added."""
    return baseline.with_overrides(EXTRA_FACILITIES)


@pytest.fixture(scope="module", params=["baseline", "with_facilities"])
def scenario_graph(request: pytest.FixtureRequest, baseline: Scenario, full_scenario: Scenario) -> nx.DiGraph:
    """The graph of the baseline, and of the baseline with every facility kind."""
    scenario = baseline if request.param == "baseline" else full_scenario
    return net.build_graph(scenario)


def test_every_node_has_a_known_kind(scenario_graph: nx.DiGraph):
    for node, kind in scenario_graph.nodes(data=net.KIND):
        assert isinstance(kind, NodeKind), node


def test_one_household_node_per_district(baseline: Scenario):
    g = net.build_graph(baseline)
    households = net.nodes_of_kind(g, NodeKind.HOUSEHOLDS)
    assert len(households) == 14
    assert {g.nodes[n][net.DISTRICT] for n in households} == set(baseline.districts)
    assert households == [net.household_node(d) for d in baseline.districts]


def test_every_household_reaches_every_sink(scenario_graph: nx.DiGraph):
    sinks = net.nodes_of_kind(scenario_graph, *net.FATE_KINDS)
    assert {net.OPEN_BURNING, net.DUMPED, net.WATER, net.EXPORT, net.MARKET} <= set(sinks)
    for hh in net.nodes_of_kind(scenario_graph, NodeKind.HOUSEHOLDS):
        reachable = nx.descendants(scenario_graph, hh)
        missing = [s for s in sinks if s not in reachable]
        assert not missing, f"{hh} cannot reach {missing}"


def test_facilities_of_every_kind_are_wired(full_scenario: Scenario):
    g = net.build_graph(full_scenario)
    kiln, sorting = net.facility_node("incinerator", "kiln"), net.facility_node("mrf", "sorting")
    assert g.nodes[kiln][net.KIND] is NodeKind.INCINERATOR
    assert g.nodes[sorting][net.KIND] is NodeKind.MRF
    assert g.has_edge(net.FORMAL, kiln)
    assert g.has_edge(net.FORMAL, sorting)
    assert g.has_edge(sorting, net.AGGREGATORS)
    for landfill in net.nodes_of_kind(g, NodeKind.LANDFILL):
        assert g.has_edge(sorting, landfill)


def test_plastic_cannot_get_stuck(scenario_graph: nx.DiGraph):
    """Every node that is not a fate has a way out to some fate."""
    fates = set(net.nodes_of_kind(scenario_graph, *net.FATE_KINDS))
    for node, kind in scenario_graph.nodes(data=net.KIND):
        if kind in net.FATE_KINDS:
            continue
        assert fates & nx.descendants(scenario_graph, node), f"{node} leads to no fate"


def test_everything_is_reachable_from_consumption(scenario_graph: nx.DiGraph):
    reachable = nx.descendants(scenario_graph, net.CONSUMPTION) | {net.CONSUMPTION}
    assert reachable == set(scenario_graph.nodes)
    assert scenario_graph.in_degree(net.CONSUMPTION) == 0


def test_burned_leaked_and_exported_plastic_never_comes_back(scenario_graph: nx.DiGraph):
    for sink in (net.OPEN_BURNING, net.WATER, net.EXPORT):
        assert scenario_graph.out_degree(sink) == 0, sink


def test_edges_carry_distance_and_transport_cost(baseline: Scenario):
    g = net.build_graph(baseline)
    cost = baseline.logistics.transport_cost_usd_per_t_km
    for u, v, data in g.edges(data=True):
        assert data[net.DISTANCE_KM] >= 0, (u, v)
        assert data[net.TRANSPORT_COST_USD_PER_T] == pytest.approx(data[net.DISTANCE_KM] * cost)
    hh = net.household_node("Doun Penh")
    assert g.edges[hh, net.FORMAL][net.DISTANCE_KM] == baseline.logistics.local_km
    assert g.edges[net.AGGREGATORS, net.EXPORT][net.DISTANCE_KM] == baseline.logistics.export_km


def test_graph_is_built_the_same_way_every_time(baseline: Scenario):
    a, b = net.build_graph(baseline), net.build_graph(baseline)
    assert list(a.nodes) == list(b.nodes)
    assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_nodes_of_kind_takes_the_attribute_name(baseline: Scenario):
    g = net.build_graph(baseline)
    nx.set_node_attributes(g, {n: "x" for n in g.nodes}, "other_kind")
    assert net.nodes_of_kind(g, "x", kind_attr="other_kind") == list(g.nodes)
    assert net.nodes_of_kind(g, NodeKind.EXPORT) == [net.EXPORT]


def test_model_ledger_refuses_a_move_off_the_graph(baseline: Scenario):
    g = net.build_graph(baseline)
    ledger = FlowLedger(g, 1, source_nodes=frozenset({net.CONSUMPTION}))
    hh = net.household_node("Kamboul")
    ledger.transfer(net.CONSUMPTION, hh, 1.0)
    assert not g.has_edge(hh, net.MARKET)
    with pytest.raises(KeyError):
        ledger.transfer(hh, net.MARKET, 1.0)  # households cannot sell straight to the market
    ledger.transfer(hh, net.FORMAL, 1.0)
    np.testing.assert_array_equal(ledger.stock(net.FORMAL), 1.0)
