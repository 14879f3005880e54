"""Shared fixtures: the baseline scenario, short runs, scenario files and the run invariants.

Runs in tests are short (a year or two) and small (a few thousand households); tonnages are
reported at city scale whatever the scale, so the invariants below hold at any scale.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sim import RunResult, Scenario, load_scenario
from sim import network as net
from sim.materials import MATERIALS
from sim.model import PlasticModel
from sim.results import collect

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "scenarios"
BASELINE_PATH = SCENARIOS_DIR / "phnom_penh_baseline.yaml"

#: Fate indicators whose sum over a step must equal what was generated in it [t].
FATE_INDICATORS = (
    "recycled_t",
    "landfilled_t",
    "incinerated_t",
    "open_burned_t",
    "dumped_t",
    "leaked_to_water_t",
    "exported_t",
)


def shorten(scenario: Scenario, years: int = 2) -> Scenario:
    """The scenario cut to its first ``years`` years.

    Args:
        scenario: A validated scenario.
        years: Number of years to keep (at least one).

    Returns:
        A new scenario ending ``years - 1`` years after its start year (or at its own end).
    """
    end = min(scenario.time.end_year, scenario.time.start_year + years - 1)
    return scenario.with_overrides({"time.end_year": end})


def run_model(scenario: Scenario, seed: int, scale: float) -> tuple[PlasticModel, RunResult]:
    """Run a scenario and keep the model as well as the result tables.

    Args:
        scenario: A validated scenario.
        seed: Random seed.
        scale: Fraction of households simulated.

    Returns:
        The finished model (its ledger is inspected by invariant tests) and its result.
    """
    model = PlasticModel(scenario, seed=seed, scale=scale)
    model.run()
    return model, collect(model, seed, 0.0)


def assert_invariants(model: PlasticModel, result: RunResult) -> None:
    """Check the physical invariants of a finished run, from its tables and its ledger.

    The balance is recomputed here from the ``flows`` table (not by the ledger's own check):
    at every node, step and material, inflow - outflow equals the change in stock, within
    1e-9 of the largest flow. Also: no negative flow or stock; pass-through nodes end every
    step empty; what was generated in a step equals the change of the stocks of the fate
    nodes and equals the sum of the fate indicators.

    Args:
        model: The finished model.
        result: Its result tables.

    Raises:
        AssertionError: Naming the first invariant broken.
    """
    ledger = model.ledger
    n_steps, n_nodes, n_mat = ledger.stock_history.shape
    flows = result.flows
    tol = 1e-9 * max(1.0, float(np.abs(ledger.flows).max()))

    # No negative flow; the flows table lists every non-zero movement, along graph edges only.
    assert (ledger.flows >= 0).all(), "a negative flow was recorded"
    assert (flows["tonnes"] > 0).all(), "flows table holds zero or negative rows"
    assert np.isclose(flows["tonnes"].sum(), ledger.flows.sum(), rtol=1e-12)
    edges = set(model.graph.edges)
    assert set(zip(flows["source"], flows["target"], strict=True)) <= edges

    # Inflow - outflow per (step, node, material), from the flows table.
    node_idx = {n: i for i, n in enumerate(ledger.nodes)}
    mat_idx = {m.value: i for i, m in enumerate(MATERIALS)}
    net_flow = np.zeros((n_steps, n_nodes, n_mat))
    steps = flows["step"].to_numpy(dtype=int)
    mats = flows["material"].map(mat_idx).to_numpy(dtype=int)
    targets = flows["target"].map(node_idx).to_numpy(dtype=int)
    sources = flows["source"].map(node_idx).to_numpy(dtype=int)
    tonnes = flows["tonnes"].to_numpy(dtype=float)
    np.add.at(net_flow, (steps, targets, mats), tonnes)
    np.add.at(net_flow, (steps, sources, mats), -tonnes)
    history = ledger.stock_history
    change = np.diff(history, axis=0, prepend=np.zeros((1, n_nodes, n_mat)))
    error = np.abs(net_flow - change)
    worst = np.unravel_index(error.argmax(), error.shape)
    assert error[worst] <= tol, (
        f"mass balance broken at {ledger.nodes[worst[1]]}, step {worst[0]}: {error[worst]:.3g} t"
    )

    kinds = dict(model.graph.nodes(data=net.KIND))
    fate = [i for i, n in enumerate(ledger.nodes) if kinds[n] in net.FATE_KINDS]
    holding = [i for i, n in enumerate(ledger.nodes) if kinds[n] in net.HOLDING_KINDS]
    passing = [
        i
        for i, n in enumerate(ledger.nodes)
        if kinds[n] not in net.FATE_KINDS | net.HOLDING_KINDS | {net.NodeKind.CONSUMPTION}
    ]
    held = fate + holding + passing
    assert (history[:, held] >= -tol).all(), "a stock went negative"
    leftover = np.abs(history[:, passing]).max(initial=0.0)
    assert leftover <= tol, f"a pass-through node kept {leftover:.3g} t at the end of a step"

    # The stocks table reports the fate and holding nodes' stocks; what was generated ends up
    # there: in a fate, or in junk shops' inventory waiting to be sold.
    stocks = result.stocks
    assert set(stocks["node"]) == {ledger.nodes[i] for i in fate + holding}
    assert (stocks["tonnes"] >= -tol).all()
    by_step = stocks.groupby("step")["tonnes"].sum().sort_index().to_numpy()
    stock_change = np.diff(by_step, prepend=0.0)
    generated = result.timeseries["generated_t"].to_numpy()
    np.testing.assert_allclose(stock_change, generated, rtol=1e-9, atol=tol)
    inventory = result.timeseries["junkshop_inventory_t"].to_numpy()
    np.testing.assert_allclose(inventory, history[:, holding].sum(axis=(1, 2)), rtol=1e-9, atol=tol)
    fates = result.timeseries[list(FATE_INDICATORS)].sum(axis=1).to_numpy()
    np.testing.assert_allclose(fates + np.diff(inventory, prepend=0.0), generated, rtol=1e-9, atol=tol)

    # Generation at city scale follows population and waste per person, whatever the scale.
    expected = [
        (c := model.conditions_at(s)).population * c.plastic_kg_per_person_step / 1000.0
        for s in range(n_steps)
    ]
    np.testing.assert_allclose(generated, expected, rtol=1e-5, atol=tol)


@pytest.fixture(scope="session")
def check_invariants() -> Callable[[PlasticModel, RunResult], None]:
    """The run invariants checker (see :func:`assert_invariants`)."""
    return assert_invariants


@pytest.fixture(scope="session")
def model_runner() -> Callable[[Scenario, int, float], tuple[PlasticModel, RunResult]]:
    """Runs a scenario and returns the model and its result (see :func:`run_model`)."""
    return run_model


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """The Phnom Penh baseline scenario, 2025-2050."""
    return load_scenario(BASELINE_PATH)


@pytest.fixture(scope="session")
def short_baseline(baseline: Scenario) -> Scenario:
    """The baseline cut to 2025-2026."""
    return shorten(baseline, 2)


@pytest.fixture(scope="session")
def short_run(short_baseline: Scenario) -> tuple[PlasticModel, RunResult]:
    """One small run of the short baseline (seed 7, scale 0.01), shared read-only."""
    return run_model(short_baseline, seed=7, scale=0.01)


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Factory writing a scenario file in the test's folder.

    Call it with a mapping (dumped as YAML) or raw YAML text; with ``extends_baseline=True``
    (the default for mappings) the file extends the baseline and lists only overrides.
    """

    def write(
        content: dict[str, Any] | str, name: str = "scenario.yaml", extends_baseline: bool = True
    ) -> Path:
        path = tmp_path / name
        if isinstance(content, dict):
            data = {"extends": str(BASELINE_PATH), **content} if extends_baseline else content
            text = yaml.safe_dump(data, sort_keys=False)
        else:
            text = content
        path.write_text(text, encoding="utf-8")
        return path

    return write


# --------------------------------------------------------------------------- browser tests (dash_duo)


def pytest_setup_options() -> Any:
    """Headless Chromium for ``dash_duo`` (tests/test_app_browser.py), whatever the command line.

    Uses the system ``chromium`` and ``chromedriver`` (Debian: ``chromium chromium-driver``),
    with the same options as ``scripts/screenshot.py``.
    """
    from scripts.screenshot import chrome_options

    return chrome_options(1400, 1000)
