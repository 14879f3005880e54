"""The flow ledger: the one place through which all plastic moves.

Every movement is recorded as (step, source, target, material, tonnes) along an edge of the
material-flow graph and updates both nodes' stocks; nothing else changes a stock. Mass balance
at every node (inflow - outflow = change in stock) is then checked from the records, within a
tolerance scaled to the largest flow, in the spirit of flodym's ``check_mass_balance``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numba as nb
import numpy as np

from sim.materials import N_MATERIALS


class MassBalanceError(RuntimeError):
    """Plastic was created or lost: a stock went negative or a node does not balance."""


def fill_share(room: float, amount: float) -> float:
    """Share of ``amount`` that fits in ``room`` (1 when all fits), without dividing by dust."""
    return 1.0 if room >= amount else room / amount


@dataclass(frozen=True)
class Batch:
    """A set of distinct edges whose flows are recorded together (:meth:`FlowLedger.transfer_batch`)."""

    edges: list[tuple[str, str]]
    index: np.ndarray  # edge indices
    sources: np.ndarray  # node index of each edge's source
    targets: np.ndarray  # node index of each edge's target
    checked: np.ndarray  # nodes the batch touches that must not go negative


#: What :func:`_apply_batch` returns when it is done, or when a flow is negative or not finite
#: (nothing changed); otherwise the node whose stock would end negative (flows and stocks changed).
#: :func:`_apply_one` returns ``_DONE``, ``_BAD_FLOW`` or ``_OVERDRAWN`` (nothing changed).
_DONE, _BAD_FLOW, _OVERDRAWN = -1, -2, -3


@nb.njit(cache=True)
def _apply_one(
    flows: np.ndarray,
    stock: np.ndarray,
    edge: int,
    source: int,
    target: int,
    amount: np.ndarray,
    strict: bool,
    is_source: bool,
) -> int:  # pragma: no cover - compiled
    """Record one flow along an edge (one step's row of ``flows``) and update both stocks.

    The checks and arithmetic of the NumPy version this replaces, value for value: in strict
    mode no quantity may be negative or NaN and their sum must be finite, and a source that is
    not a boundary may not give more than it holds (beyond ``1e-9`` of its largest stock, at
    least 1 t); the source's float dust below zero is cleared. Returns ``_DONE``, ``_BAD_FLOW``
    or ``_OVERDRAWN``.
    """
    n = amount.shape[0]
    if strict:
        total = 0.0
        for m in range(n):
            if not amount[m] >= 0.0:  # also catches NaN
                return _BAD_FLOW
            total += amount[m]
        if not total < np.inf:
            return _BAD_FLOW
        if not is_source:
            worst, largest = -np.inf, 1.0
            for m in range(n):
                worst = max(worst, amount[m] - stock[source, m])
                largest = max(largest, stock[source, m])
            if worst > 1e-9 * largest:
                return _OVERDRAWN
    for m in range(n):
        a = amount[m]
        flows[edge, m] += a
        stock[source, m] -= a
        stock[target, m] += a
        if not is_source:
            stock[source, m] = max(stock[source, m], 0.0)  # clear float dust
    return _DONE


@nb.njit(cache=True)
def _apply_batch(
    flows: np.ndarray,
    stock: np.ndarray,
    index: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    checked: np.ndarray,
    amount: np.ndarray,
    strict: bool,
) -> int:  # pragma: no cover - compiled
    """Record one batch of flows (one step's row of ``flows``) and update the stocks in one pass.

    Each node's change is summed over the batch's edges in their order (the incidence matrix
    times the flows), then added to its stock; float dust below zero is cleared on the
    checked nodes. Returns ``_DONE``, ``_BAD_FLOW`` or the overdrawn node (strict mode).
    """
    n_edges, n_materials = amount.shape
    top = 0.0
    for k in range(n_edges):
        for m in range(n_materials):
            a = amount[k, m]
            if strict and not (0.0 <= a < np.inf):  # also catches NaN
                return _BAD_FLOW
            top = max(top, a)
    change = np.zeros_like(stock)
    for k in range(n_edges):
        e, u, v = index[k], sources[k], targets[k]
        for m in range(n_materials):
            a = amount[k, m]
            flows[e, m] += a
            change[u, m] -= a
            change[v, m] += a
    stock += change
    if strict:
        lowest, largest, worst = np.inf, 1.0, -1
        for n in checked:
            for m in range(n_materials):
                held = stock[n, m]
                if held < lowest:
                    lowest, worst = held, n
                largest = max(largest, abs(held))
        if lowest < -1e-9 * max(largest, top):
            return worst
    for n in checked:
        for m in range(n_materials):
            stock[n, m] = max(stock[n, m], 0.0)  # clear float dust
    return _DONE


class FlowLedger:
    """Records flows by step, edge and material [t] and keeps node stocks [t].

    Args:
        graph: The material-flow graph; only its edges can carry flows.
        n_steps: Number of steps to record.
        source_nodes: Boundary nodes allowed to go negative (plastic entering the system).
        strict: Raise :class:`MassBalanceError` when a transfer would overdraw a stock.
    """

    def __init__(
        self,
        graph: nx.DiGraph,
        n_steps: int,
        source_nodes: frozenset[str] = frozenset(),
        strict: bool = True,
    ) -> None:
        self.nodes: list[str] = list(graph.nodes)
        self.node_index = {n: i for i, n in enumerate(self.nodes)}
        self.edges: list[tuple[str, str]] = list(graph.edges)
        self.edge_index = {e: i for i, e in enumerate(self.edges)}
        self.source_nodes = source_nodes
        self.strict = strict
        self.flows = np.zeros((n_steps, len(self.edges), N_MATERIALS))
        self.stock_history = np.zeros((n_steps, len(self.nodes), N_MATERIALS))
        self._stock = np.zeros((len(self.nodes), N_MATERIALS))
        self._opening = self._stock.copy()
        self._routes: dict[tuple[str, str], tuple[int, int, int, bool]] = {}
        self.step = 0

    def stock(self, node: str) -> np.ndarray:
        """Current stock of ``node`` by material [t] (a copy)."""
        return self._stock[self.node_index[node]].copy()

    def transfer(self, source: str, target: str, tonnes: np.ndarray | float) -> None:
        """Move ``tonnes`` (by material, or one number for every material) along an edge.

        Raises:
            KeyError: If there is no such edge in the graph.
            ValueError: If ``tonnes`` is an array but not one value per material.
            MassBalanceError: In strict mode, if the source holds less than is moved or a
                quantity is negative or not finite (nothing is changed then).
        """
        if type(tonnes) is np.ndarray and tonnes.ndim == 1 and tonnes.dtype == np.float64:
            # One memory layout for the compiled pass (a strided view would be compiled anew).
            amount = tonnes if tonnes.flags.c_contiguous else np.ascontiguousarray(tonnes)
        else:
            amount = np.asarray(tonnes, dtype=float)
            if amount.ndim == 0:
                amount = np.full(N_MATERIALS, float(amount))
        if amount.shape != (N_MATERIALS,):
            raise ValueError(f"a transfer {source} -> {target} needs {N_MATERIALS} t, got {amount.shape}")
        route = self._routes.get((source, target))
        if route is None:
            route = self._route(source, target)
        e, s, t, is_source = route
        outcome = _apply_one(self.flows[self.step], self._stock, e, s, t, amount, self.strict, is_source)
        if outcome == _BAD_FLOW:
            raise MassBalanceError(f"negative or non-finite flow {source} -> {target}: {amount}")
        if outcome == _OVERDRAWN:
            raise MassBalanceError(f"{source} holds {self._stock[s]} t, cannot move {amount} t to {target}")

    def _route(self, source: str, target: str) -> tuple[int, int, int, bool]:
        """Edge index, source and target node indices of an edge, and whether its source is a boundary.

        Raises:
            KeyError: If there is no such edge in the graph.
        """
        route = (
            self.edge_index[(source, target)],
            self.node_index[source],
            self.node_index[target],
            source in self.source_nodes,
        )
        self._routes[(source, target)] = route
        return route

    def batch(self, edges: list[tuple[str, str]]) -> Batch:
        """Prepare a batch of distinct edges for :meth:`transfer_batch`.

        Raises:
            KeyError: If one of them is not an edge of the graph.
            ValueError: If an edge appears twice.
        """
        if len(set(edges)) != len(edges):
            raise ValueError("a batch of transfers has an edge twice")
        index = np.array([self.edge_index[e] for e in edges], dtype=np.intp)
        sources = np.array([self.node_index[u] for u, _ in edges], dtype=np.intp)
        targets = np.array([self.node_index[v] for _, v in edges], dtype=np.intp)
        touched = {n for e in edges for n in e} - set(self.source_nodes)
        checked = np.array(sorted(self.node_index[n] for n in touched), dtype=np.intp)
        return Batch(list(edges), index, sources, targets, checked)

    def transfer_batch(self, batch: Batch, tonnes: np.ndarray) -> None:
        """Move ``tonnes`` (one row by material for each edge of ``batch``) all at once.

        The moves happen together: plastic may pass through a node within the batch (in on one
        edge, out on another), and no stock may be negative after it.

        Raises:
            ValueError: If ``tonnes`` is not one row of materials per edge.
            MassBalanceError: In strict mode, if a quantity is negative or not finite, or a
                stock would end negative.
        """
        amount = np.ascontiguousarray(tonnes, dtype=float)
        if amount.shape != (len(batch.edges), N_MATERIALS):
            raise ValueError(
                f"a batch of {len(batch.edges)} edges needs {len(batch.edges)} x {N_MATERIALS} t"
            )
        outcome = _apply_batch(
            self.flows[self.step],
            self._stock,
            batch.index,
            batch.sources,
            batch.targets,
            batch.checked,
            amount,
            self.strict,
        )
        if outcome == _BAD_FLOW:
            worst = int(np.nanargmin(np.where(np.isfinite(amount), amount, -np.inf).min(axis=1)))
            u, v = batch.edges[worst]
            raise MassBalanceError(f"negative or non-finite flow {u} -> {v}: {amount[worst]}")
        if outcome >= 0:
            lowest = float(self._stock[outcome].min())
            raise MassBalanceError(
                f"{self.nodes[outcome]} would hold {lowest:.3g} t after a batch of transfers"
            )

    def move_all(self, source: str, target: str) -> np.ndarray:
        """Move the whole stock of ``source`` to ``target``; returns what moved [t]."""
        amount = self.stock(source)
        self.transfer(source, target, amount)
        return amount

    def close_step(self) -> None:
        """Record end-of-step stocks and advance to the next step."""
        self.stock_history[self.step] = self._stock
        self.step += 1

    def check_mass_balance(self, rtol: float = 1e-9) -> None:
        """Check inflow - outflow = change in stock at every node, step and material.

        Raises:
            MassBalanceError: Naming the worst node, step and material, if any imbalance
                exceeds ``rtol`` times the largest flow.
        """
        n = self.step
        if n == 0:
            return
        flows = self.flows[:n]
        # Inflow - outflow by step, node and material, edge by edge: no temporary of the size of
        # all flows (fresh memory costs more than the additions).
        net = np.zeros((n, len(self.nodes), N_MATERIALS))
        for e, (u, v) in enumerate(self.edges):
            net[:, self.node_index[v]] += flows[:, e]
            net[:, self.node_index[u]] -= flows[:, e]
        previous = np.concatenate([self._opening[None], self.stock_history[: n - 1]])
        error = net - (self.stock_history[:n] - previous)
        scale = max(1.0, float(flows.max()), -float(flows.min()))
        worst = np.unravel_index(np.abs(error).argmax(), error.shape)
        if not abs(error[worst]) <= rtol * scale:  # also catches NaN
            raise MassBalanceError(
                f"mass balance broken at node {self.nodes[worst[1]]!r}, step {worst[0]}, "
                f"material {worst[2]}: {error[worst]:.3g} t"
            )
        held = [i for i, node in enumerate(self.nodes) if node not in self.source_nodes]
        if (self.stock_history[:n, held] < -rtol * scale).any():
            raise MassBalanceError("negative stock")
