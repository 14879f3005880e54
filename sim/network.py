"""The material-flow graph: where plastic can be and how it can move.

A :class:`networkx.DiGraph` whose nodes carry a :class:`NodeKind` and whose edges carry the
distance and transport cost of a route. The graph is built once from a validated scenario;
the flow ledger (:mod:`sim.ledger`) only accepts movements along its edges, so the graph is the
model's real structure and not a drawing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from sim.scenario import Facility, Scenario

#: Node attribute holding the :class:`NodeKind`.
KIND = "kind"
#: Node attribute: district name for household nodes.
DISTRICT = "district"
#: Edge attribute: road distance [km].
DISTANCE_KM = "distance_km"
#: Edge attribute: transport cost [USD/t].
TRANSPORT_COST_USD_PER_T = "transport_cost_usd_per_t"


class NodeKind(StrEnum):
    """The kinds of place plastic can be."""

    CONSUMPTION = "consumption"  # system boundary: products becoming waste
    HOUSEHOLDS = "households"
    FORMAL_COLLECTOR = "formal_collector"
    INFORMAL_COLLECTOR = "informal_collector"
    DEPOSIT_POINT = "deposit_point"
    AGGREGATOR = "aggregator"
    MRF = "mrf"
    RECYCLER = "recycler"
    LANDFILL = "landfill"
    INCINERATOR = "incinerator"
    OPEN_BURNING = "open_burning"
    DUMPED = "dumped"
    WATER = "water"
    EXPORT = "export"
    MARKET = "market"


#: Kinds where plastic ends up and stays: the system's final fates.
FATE_KINDS = frozenset(
    {
        NodeKind.LANDFILL,
        NodeKind.INCINERATOR,
        NodeKind.OPEN_BURNING,
        NodeKind.DUMPED,
        NodeKind.WATER,
        NodeKind.EXPORT,
        NodeKind.MARKET,
    }
)
#: Kinds that may hold stock from one step to the next: junk shops' and the deposit operator's
#: unsold inventory (sim.agents.Seller). Every other node ends each step empty.
HOLDING_KINDS = frozenset({NodeKind.AGGREGATOR, NodeKind.DEPOSIT_POINT})

# Fixed node names used by the agents.
CONSUMPTION = "consumption"
FORMAL = "formal_collection"
ITINERANT = "itinerant_buyers"
STREET_PICKERS = "street_pickers"
DUMP_PICKERS = "dump_pickers"
DEPOSIT_POINTS = "deposit_points"
SEPARATE = "separate_collection"
AGGREGATORS = "aggregators"
OPEN_BURNING = "open_burning"
DUMPED = "dumped_on_land"
WATER = "waterways"
EXPORT = "export"
MARKET = "secondary_market"


def household_node(district: str) -> str:
    """Name of the household node of ``district``."""
    return f"households:{district}"


def facility_node(kind: str, name: str) -> str:
    """Name of a facility node, e.g. ``landfill:dangkor``."""
    return f"{kind}:{name}"


def build_graph(scenario: Scenario, facilities: Mapping[str, Facility] | None = None) -> nx.DiGraph:
    """Build the material-flow graph of a scenario.

    Args:
        scenario: A validated scenario.
        facilities: The facilities to place; default: the scenario's own plus those its
            ``new_facilities`` lever adds (:meth:`sim.scenario.Scenario.all_facilities`).

    Returns:
        A directed graph; nodes have a ``kind`` attribute, edges ``distance_km`` and
        ``transport_cost_usd_per_t``.
    """
    g = nx.DiGraph()
    fixed = {
        CONSUMPTION: NodeKind.CONSUMPTION,
        FORMAL: NodeKind.FORMAL_COLLECTOR,
        SEPARATE: NodeKind.FORMAL_COLLECTOR,
        ITINERANT: NodeKind.INFORMAL_COLLECTOR,
        STREET_PICKERS: NodeKind.INFORMAL_COLLECTOR,
        DUMP_PICKERS: NodeKind.INFORMAL_COLLECTOR,
        DEPOSIT_POINTS: NodeKind.DEPOSIT_POINT,
        AGGREGATORS: NodeKind.AGGREGATOR,
        OPEN_BURNING: NodeKind.OPEN_BURNING,
        DUMPED: NodeKind.DUMPED,
        WATER: NodeKind.WATER,
        EXPORT: NodeKind.EXPORT,
        MARKET: NodeKind.MARKET,
    }
    for node, kind in fixed.items():
        g.add_node(node, **{KIND: kind})

    logistics = scenario.logistics
    cost = logistics.transport_cost_usd_per_t_km

    def link(u: str, v: str, km: float = 0.0) -> None:
        g.add_edge(u, v, **{DISTANCE_KM: km, TRANSPORT_COST_USD_PER_T: km * cost})

    if facilities is None:
        facilities = scenario.all_facilities()
    placed = facilities
    facilities = {facility_node(f.kind, name): f for name, f in sorted(placed.items())}
    for node, f in facilities.items():
        g.add_node(node, **{KIND: NodeKind(f.kind)})
    by_kind = {
        kind: [n for n, f in facilities.items() if f.kind == kind]
        for kind in ("landfill", "incinerator", "recycler", "mrf")
    }
    landfills = by_kind["landfill"]

    for district in scenario.districts:
        hh = household_node(district)
        g.add_node(hh, **{KIND: NodeKind.HOUSEHOLDS, DISTRICT: district})
        link(CONSUMPTION, hh)
        link(hh, ITINERANT, logistics.local_km)
        link(hh, DEPOSIT_POINTS, logistics.local_km)
        link(hh, FORMAL, logistics.local_km)
        link(hh, SEPARATE, logistics.local_km)
        link(hh, OPEN_BURNING)
        link(hh, DUMPED)
        link(hh, WATER)

    link(FORMAL, STREET_PICKERS)
    link(FORMAL, DUMPED)
    for node in by_kind["landfill"] + by_kind["incinerator"] + by_kind["mrf"]:
        link(FORMAL, node, logistics.collection_to_facility_km)
    for node in (ITINERANT, STREET_PICKERS, DUMP_PICKERS):
        link(node, AGGREGATORS, logistics.local_km)
    link(SEPARATE, AGGREGATORS, logistics.collection_to_facility_km)
    for node in landfills:
        link(node, DUMP_PICKERS)
    for node in by_kind["mrf"]:
        link(node, AGGREGATORS, logistics.local_km)
    # Sellers in the secondary-materials market: junk shops and the deposit scheme's operator.
    sellers = [AGGREGATORS, DEPOSIT_POINTS]
    for node in by_kind["recycler"]:
        for seller in sellers:
            link(seller, node, logistics.aggregator_to_recycler_km)
        link(node, MARKET)
    for seller in sellers:
        link(seller, EXPORT, logistics.export_km)
    # Residues, rejects and unsold material go to incinerators or the open landfill, or are
    # dumped when none has room.
    for src in [*sellers, *by_kind["mrf"], *by_kind["recycler"]]:
        link(src, DUMPED)
        for node in by_kind["incinerator"] + landfills:
            link(src, node, logistics.collection_to_facility_km)
    return g


def nodes_of_kind(graph: nx.DiGraph, *kinds: NodeKind, kind_attr: str = KIND) -> list[str]:
    """Nodes whose kind is one of ``kinds``, in graph order."""
    wanted = set(kinds)
    return [n for n, k in graph.nodes(data=kind_attr) if k in wanted]
