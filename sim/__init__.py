"""Plastic-waste circular-economy simulator (Phnom Penh by default).

Public API::

    from sim import load_scenario, run_scenario
    result = run_scenario(load_scenario("scenarios/phnom_penh_baseline.yaml"), seed=1, scale=0.1)
    result.annual[["recycling_rate", "mismanaged_rate"]]
"""

from sim.errors import DataError, InputError, ScenarioError
from sim.ledger import MassBalanceError
from sim.results import RunResult
from sim.runner import DEFAULT_SEED, run_scenario
from sim.scenario import Scenario, default_scenario, load_scenario

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
