"""The flow ledger: the one place through which all plastic moves.

Every movement is recorded as (step, source, target, material, tonnes) along an edge of the
material-flow graph and updates both nodes' stocks; nothing else changes a stock. Mass balance
at every node (inflow - outflow = change in stock) is then checked from the records, within a
tolerance scaled to the largest flow, in the spirit of flodym's ``check_mass_balance``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.materials import N_MATERIALS


class MassBalanceError(RuntimeError):
    """Plastic was created or lost: a stock went negative or a node does not balance."""


def fill_share(room: float, amount: float) -> float:
    """Share of ``amount`` that fits in ``room`` (1 when all fits), without dividing by dust."""
    return 1.0 if room >= amount else room / amount


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
        self.step = 0

    def stock(self, node: str) -> np.ndarray:
        """Current stock of ``node`` by material [t] (a copy)."""
        return self._stock[self.node_index[node]].copy()

    def transfer(self, source: str, target: str, tonnes: np.ndarray | float) -> None:
        """Move ``tonnes`` (by material, or one number for every material) along an edge.

        Raises:
            KeyError: If there is no such edge in the graph.
            MassBalanceError: In strict mode, if the source holds less than is moved or a
                quantity is negative.
        """
        amount = np.asarray(tonnes, dtype=float)
        if amount.ndim == 0:
            amount = np.full(N_MATERIALS, float(amount))
        e = self.edge_index[(source, target)]
        s, t = self.node_index[source], self.node_index[target]
        stock = self._stock[s]
        is_source = source in self.source_nodes
        if self.strict:
            if not (amount.min() >= 0 and amount.max() < np.inf):  # also catches NaN
                raise MassBalanceError(f"negative or non-finite flow {source} -> {target}: {amount}")
            if not is_source:
                tol = 1e-9 * max(1.0, stock.max())
                if (amount - stock).max() > tol:
                    raise MassBalanceError(f"{source} holds {stock} t, cannot move {amount} t to {target}")
        self.flows[self.step, e] += amount
        stock -= amount
        self._stock[t] += amount
        if not is_source:
            np.maximum(stock, 0.0, out=stock)  # clear float dust

    def move_all(self, source: str, target: str) -> np.ndarray:
        """Move the whole stock of ``source`` to ``target``; returns what moved [t]."""
        amount = self.stock(source)
        self.transfer(source, target, amount)
        return amount

    def close_step(self) -> None:
        """Record end-of-step stocks and advance to the next step."""
        self.stock_history[self.step] = self._stock
        self.step += 1

    def incidence(self) -> np.ndarray:
        """Node-by-edge incidence matrix: +1 where the edge enters, -1 where it leaves."""
        m = np.zeros((len(self.nodes), len(self.edges)))
        for e, (u, v) in enumerate(self.edges):
            m[self.node_index[u], e] -= 1.0
            m[self.node_index[v], e] += 1.0
        return m

    def check_mass_balance(self, rtol: float = 1e-9) -> None:
        """Check inflow - outflow = change in stock at every node, step and material.

        Raises:
            MassBalanceError: Naming the worst node, step and material, if any imbalance
                exceeds ``rtol`` times the largest flow.
        """
        n = self.step
        if n == 0:
            return
        net = np.einsum("ne,sem->snm", self.incidence(), self.flows[:n])
        previous = np.concatenate([self._opening[None], self.stock_history[: n - 1]])
        error = net - (self.stock_history[:n] - previous)
        scale = max(1.0, float(np.abs(self.flows[:n]).max()))
        worst = np.unravel_index(np.abs(error).argmax(), error.shape)
        if not abs(error[worst]) <= rtol * scale:  # also catches NaN
            raise MassBalanceError(
                f"mass balance broken at node {self.nodes[worst[1]]!r}, step {worst[0]}, "
                f"material {worst[2]}: {error[worst]:.3g} t"
            )
        held = [i for i, node in enumerate(self.nodes) if node not in self.source_nodes]
        if (self.stock_history[:n, held] < -rtol * scale).any():
            raise MassBalanceError("negative stock")
