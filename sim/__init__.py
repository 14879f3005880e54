"""Plastic-waste circular-economy simulator (Phnom Penh by default).

Public API::

    from sim import load_scenario, run_scenario
    result = run_scenario(load_scenario("scenarios/phnom_penh_baseline.yaml"), seed=1, scale=0.1)
    result.annual[["recycling_rate", "mismanaged_rate"]]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.errors import DataError, InputError, ScenarioError

if TYPE_CHECKING:
    from sim.ledger import MassBalanceError
    from sim.loader import default_scenario, load_scenario
    from sim.results import RunResult
    from sim.runner import run_scenario
    from sim.scenario import Scenario
    from sim.seeds import DEFAULT_SEED

#: Where each public name lives. They are imported on first use, so that importing a low layer
#: (``sim.scenario``, say) does not load the model and Mesa with it.
_PUBLIC = {
    "DEFAULT_SEED": "sim.seeds",
    "MassBalanceError": "sim.ledger",
    "RunResult": "sim.results",
    "Scenario": "sim.scenario",
    "default_scenario": "sim.loader",
    "load_scenario": "sim.loader",
    "run_scenario": "sim.runner",
}

__all__ = [
    "DEFAULT_SEED",
    "DataError",
    "InputError",
    "MassBalanceError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "default_scenario",
    "load_scenario",
    "run_scenario",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
