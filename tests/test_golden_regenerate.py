"""The discipline of ``tests/golden/regenerate.py``: what moved is shown, nothing weakens silently.

The baseline is not run here: :func:`main` is given the measured values, so these tests check
the comparison, the refusals and what the file records, on copies of the real golden file.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
ROOT = GOLDEN_DIR.parent.parent


@pytest.fixture(scope="module")
def regenerate():
    """The regeneration script, imported as a module."""
    spec = importlib.util.spec_from_file_location("regenerate", GOLDEN_DIR / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    """A copy of the committed golden file."""
    path = tmp_path / "baseline.json"
    path.write_bytes((GOLDEN_DIR / "baseline.json").read_bytes())
    return path


def old_values(path: Path) -> dict:
    """The ``values`` of a golden file (a deep copy to edit)."""
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8"))["values"])


def test_moves_are_printed_old_to_new_in_units_of_the_old_tolerance(regenerate, golden, capsys):
    values = old_values(golden)
    year, name = next(iter(values)), "collected_t"
    cell = values[year][name]
    old_value, tolerance = cell["value"], cell["tolerance"]
    cell["value"] = old_value + 2.5 * tolerance
    cell["tolerance"] = tolerance * 0.5  # narrower: allowed without a flag
    assert regenerate.main([], run=lambda: values, output=golden) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.strip().startswith(f"{year} {name}:"))
    assert f"{old_value:.6g} -> {old_value + 2.5 * tolerance:.6g} (+2.50 tol)" in line
    assert "WIDER" not in line
    assert json.loads(golden.read_text())["values"][year][name]["value"] == old_value + 2.5 * tolerance


def test_dropping_an_indicator_is_refused_without_allow_drop(regenerate, golden, capsys):
    before = golden.read_bytes()
    values = old_values(golden)
    name = sorted(set.intersection(*(set(cells) for cells in values.values())))[0]
    for cells in values.values():
        del cells[name]
    assert regenerate.main([], run=lambda: values, output=golden) == 2
    err = capsys.readouterr().err
    assert f"drops {next(iter(values))} {name}" in err and "--allow-drop" in err and "unchanged" in err
    assert golden.read_bytes() == before
    assert regenerate.main(["--allow-drop"], run=lambda: values, output=golden) == 0
    assert all(name not in cells for cells in json.loads(golden.read_text())["values"].values())


def test_widening_a_tolerance_is_refused_without_allow_widen(regenerate, golden, capsys):
    before = golden.read_bytes()
    values = old_values(golden)
    year = next(iter(values))
    values[year]["recycling_rate"]["tolerance"] *= 3
    assert regenerate.main([], run=lambda: values, output=golden) == 2
    err = capsys.readouterr().err
    assert f"{year} recycling_rate (x3)" in err and "--allow-widen" in err
    assert golden.read_bytes() == before
    assert regenerate.main(["--allow-widen", "--dry-run"], run=lambda: values, output=golden) == 0
    assert golden.read_bytes() == before  # a dry run writes nothing
    assert regenerate.main(["--allow-widen"], run=lambda: values, output=golden) == 0
    assert golden.read_bytes() != before


def test_the_file_records_the_commit_and_the_library_versions(regenerate, golden):
    assert regenerate.main([], run=lambda: old_values(golden), output=golden) == 0
    document = json.loads(golden.read_text())
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert document["commit"] == head and len(head) == 40
    assert isinstance(document["uncommitted_changes"], bool)
    for package in ("sim", "python", "mesa", "numpy", "pandas"):
        assert document["versions"][package]
