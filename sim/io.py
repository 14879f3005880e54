"""Reading the data tables in ``data/``: the model's default inputs and their provenance.

This is the only module that reads data files. It maps the tables to the nested mapping the
scenario schema validates, so that everything inside the model works on validated objects.

Tables (all CSV, one header row):

- ``parameters.csv``: ``key`` (dotted path in the scenario schema), ``value``, ``unit``,
  ``low``, ``high`` (plausible range for sensitivity analysis), ``source_key``.
- ``districts.csv``: one row per district (khan).
- ``materials.csv``: one row per material: composition, prices, yields, GHG credits.
- ``facilities.csv``: landfills, recyclers, incinerators and MRFs in the baseline.
- ``behaviour_fit.csv``: ``curve, parameter`` (dotted path), ``replicate`` (0 = point estimate),
  ``value, unit``: the fitted behaviour curves and their bootstrap replicates
  (``python -m sim behaviour fit``); replicate 0 gives the defaults.
- ``provenance.csv``: ``key, value, unit, year, source, notes`` for every ``source_key``
  above: sourced facts (with their reference) and labelled assumptions (with their range).
"""

from __future__ import annotations

import copy
import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.errors import DataError
from sim.mapping import set_path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

TABLES = {
    "parameters.csv": ["key", "value", "unit", "low", "high", "source_key"],
    "districts.csv": [
        "district",
        "population_2019",
        "collection_coverage",
        "income_factor",
        "water_leak_share",
        "source_key",
    ],
    "materials.csv": [
        "material",
        "share_of_plastic",
        "household_price_usd_per_t",
        "junkshop_price_usd_per_t",
        "recycler_price_usd_per_t",
        "export_price_usd_per_t",
        "recyclate_price_usd_per_t",
        "processing_cost_usd_per_t",
        "export_demand_t_per_day",
        "recycling_yield",
        "pickable_share",
        "recycling_credit_t_co2e_per_t",
        "units_per_kg",
        "source_key",
    ],
    "facilities.csv": [
        "name",
        "kind",
        "open_year",
        "close_year",
        "capacity_t_per_day",
        "capacity_t",
        "energy_recovery_efficiency",
        "source_key",
    ],
    "provenance.csv": ["key", "value", "unit", "year", "source", "notes"],
    "behaviour_fit.csv": ["curve", "parameter", "replicate", "value", "unit"],
}


def read_csv(path: Path, not_found: str) -> tuple[list[dict[str, str]], list[str]]:
    """The rows (as dicts) and the column names of a CSV file; the one CSV reader of the project.

    Args:
        path: The file.
        not_found: What to say after the path when the file is missing.

    Raises:
        DataError: If the file is missing or cannot be read as CSV.
    """
    if not path.is_file():
        raise DataError(f"{path}: {not_found}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            return list(reader), list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc}).") from None


def read_table(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """Rows of a data table as dicts, checking that the expected columns are there.

    Raises:
        DataError: If the file is missing, unreadable or lacks a column.
    """
    path = data_dir / name
    rows, columns = read_csv(path, "data file is missing (the model needs it to run).")
    missing = [c for c in TABLES.get(name, []) if c not in columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected {TABLES[name]}.")
    return rows


def _number(text: str, where: str) -> float | int | None:
    text = text.strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}: {text!r} is not a number.") from None
    return int(value) if value.is_integer() and "." not in text else value


def _columns(row: dict[str, str], skip: set[str], where: str) -> dict[str, Any]:
    out = {}
    for key, text in row.items():
        if key in skip:
            continue
        value = _number(text, f"{where}, column {key}")
        if value is not None:
            out[key] = value
    return out


@lru_cache(maxsize=4)
def _behaviour_replicates(data_dir: Path) -> dict[str, tuple[float, ...]]:
    name = "behaviour_fit.csv"
    values: dict[str, dict[int, float]] = {}
    for line, row in enumerate(read_table(name, data_dir), start=2):
        where = f"{data_dir / name}, line {line}"
        k = _number(row["replicate"], f"{where}, column replicate")
        value = _number(row["value"], f"{where}, column value")
        if not isinstance(k, int) or k < 0 or value is None:
            raise DataError(f"{where}: replicate must be a whole number from 0 and value a number.")
        values.setdefault(row["parameter"], {})[k] = float(value)
    out = {}
    for path, by_k in values.items():
        if sorted(by_k) != list(range(len(by_k))):
            raise DataError(f"{data_dir / name}: {path} lacks some of the replicates 0..{max(by_k)}.")
        out[path] = tuple(by_k[k] for k in range(len(by_k)))
    return out


def behaviour_replicates(data_dir: Path = DATA_DIR) -> dict[str, tuple[float, ...]]:
    """Every fitted behaviour parameter by dotted path: its value in each replicate (0 = point estimate)."""
    return dict(_behaviour_replicates(Path(data_dir)))


@lru_cache(maxsize=4)
def _default_inputs(data_dir: Path) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for row in read_table("parameters.csv", data_dir):
        where = f"{data_dir / 'parameters.csv'}, key {row['key']}"
        set_path(inputs, row["key"], _number(row["value"], where))
    for path, replicates in _behaviour_replicates(data_dir).items():
        set_path(inputs, path, replicates[0])
    inputs["districts"] = {
        row["district"]: _columns(row, {"district", "source_key"}, f"districts.csv {row['district']}")
        for row in read_table("districts.csv", data_dir)
    }
    inputs["materials"] = {
        row["material"]: _columns(row, {"material", "source_key"}, f"materials.csv {row['material']}")
        for row in read_table("materials.csv", data_dir)
    }
    inputs["facilities"] = {
        row["name"]: {
            "kind": row["kind"],
            **_columns(row, {"name", "kind", "source_key"}, f"facilities.csv {row['name']}"),
        }
        for row in read_table("facilities.csv", data_dir)
    }
    return inputs


def default_inputs(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The default scenario inputs (Phnom Penh calibration) as a nested mapping."""
    return copy.deepcopy(_default_inputs(Path(data_dir)))


def parameter_ranges(data_dir: Path = DATA_DIR) -> dict[str, tuple[float, float]]:
    """Plausible (low, high) range of every scalar parameter, for sensitivity analysis.

    Fitted behaviour parameters get the 5-95 % range of their bootstrap replicates (those that
    vary); the others the ``low`` and ``high`` of ``parameters.csv``.
    """
    ranges = {}
    for path, replicates in _behaviour_replicates(Path(data_dir)).items():
        ordered = sorted(replicates[1:])
        q05, q95 = ordered[round(0.05 * (len(ordered) - 1))], ordered[round(0.95 * (len(ordered) - 1))]
        if q05 < q95:
            ranges[path] = (q05, q95)
    for row in read_table("parameters.csv", data_dir):
        low, high = _number(row["low"], row["key"]), _number(row["high"], row["key"])
        if low is not None and high is not None:
            ranges[row["key"]] = (float(low), float(high))
    return ranges


def provenance_table(data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """The provenance table: key, value, unit, year, source, notes."""
    return read_table("provenance.csv", data_dir)


def source_keys(data_dir: Path = DATA_DIR) -> set[str]:
    """Every ``source_key`` the data tables cite (``|`` separates several)."""
    keys: set[str] = set()
    for name in ("parameters.csv", "districts.csv", "materials.csv", "facilities.csv"):
        for row in read_table(name, data_dir):
            keys.update(k for k in row["source_key"].split("|") if k)
    return keys
