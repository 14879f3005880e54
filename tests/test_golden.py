"""Seeded golden regression of the baseline's headline indicators.

The stored values and their tolerances come from ``tests/golden/regenerate.py``, whose module
docstring says how the tolerances are derived (about 5.7 standard deviations of the
seed-to-seed spread of each indicator in each year, with tiny floors for values that do not
depend on the draw) and when the file may be regenerated.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from sim import load_scenario, run_scenario
from sim.metrics import HEADLINE


def _regenerate_module():
    spec = importlib.util.spec_from_file_location(
        "regenerate", Path(__file__).parent / "golden" / "regenerate.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


#: Wider tolerances test nothing (the rule regenerate.py keeps values by).
MAX_TOLERANCE_SHARE = _regenerate_module().MAX_TOLERANCE_SHARE

GOLDEN = Path(__file__).resolve().parent / "golden" / "baseline.json"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def golden() -> dict:
    """The stored golden document."""
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rerun(golden: dict):
    """The baseline run again with the golden seed and scale."""
    scenario = load_scenario(ROOT / golden["scenario"])
    return run_scenario(scenario, seed=golden["seed"], scale=golden["scale"]).annual


def test_golden_file_covers_the_headline(golden):
    for year, cells in golden["values"].items():
        missing = set(HEADLINE) - set(cells)
        assert not missing, f"{year}: headline indicators without a golden value: {missing}"
        for name, cell in cells.items():
            assert cell["tolerance"] > 0, (year, name)
            assert cell["tolerance"] <= MAX_TOLERANCE_SHARE * max(abs(cell["value"]), 1.0), (
                f"{year} {name}: tolerance too wide to test anything"
            )


@pytest.mark.slow
def test_baseline_matches_golden_values(golden, rerun):
    failures = []
    for year, cells in golden["values"].items():
        for name, cell in cells.items():
            actual = float(rerun.loc[int(year), name])
            if not abs(actual - cell["value"]) <= cell["tolerance"]:
                failures.append(
                    f"{year} {name}: {actual:.6g} vs golden {cell['value']:.6g} (tolerance {cell['tolerance']:.3g})"
                )
    assert not failures, "baseline moved (see tests/golden/regenerate.py):\n" + "\n".join(failures)
