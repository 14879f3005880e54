"""The data tables in ``data/``: provenance coverage and the committed defaults against the schema.

The schema (:mod:`sim.scenario`) declares every input with its unit and bounds; the data tables
give each a default value and a source. These tests fail when the two drift apart: a schema
field without a default, a default that names no field, a unit that differs, a plausible range
outside the schema's bounds, or a number without a source.
"""

from __future__ import annotations

import csv
import enum
import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from sim import ScenarioError, default_scenario
from sim.io import (
    DATA_DIR,
    TABLES,
    behaviour_replicates,
    parameter_ranges,
    provenance_table,
    read_table,
    source_keys,
)
from sim.materials import MATERIALS
from sim.scenario import District, Facility, MaterialParams, Scenario

#: Schema sections that are dictionaries of records, and the table holding their rows.
RECORD_TABLES = {
    "districts": ("districts.csv", "district", District),
    "materials": ("materials.csv", "material", MaterialParams),
    "facilities": ("facilities.csv", "name", Facility),
}


def scalar_leaves(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, Any]:
    """Every scalar leaf field of the schema by dotted path, outside the record tables.

    A mapping keyed by an enumeration (e.g. ``behaviour.separation_intercept``) contributes one
    leaf per member. Record sections (districts, materials, facilities) and the policy levers
    (which carry their own defaults) are left out.

    Args:
        model: The schema model to walk.
        prefix: Dotted path of ``model``.

    Returns:
        ``{path: FieldInfo}``.
    """
    leaves: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if not prefix and name in (*RECORD_TABLES, "policies"):
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            leaves.update(scalar_leaves(annotation, f"{path}."))
        elif typing.get_origin(annotation) is dict:
            key_type = typing.get_args(annotation)[0]
            if key_type is int:  # keyed by year (a path in time): the years the defaults give
                years = [r["key"] for r in read_table("parameters.csv") if r["key"].startswith(f"{path}.")]
                assert years, f"{path}: no year in data/parameters.csv"
                leaves.update(dict.fromkeys(years, field))
                continue
            assert isinstance(key_type, type) and issubclass(key_type, enum.Enum), path
            leaves.update({f"{path}.{member.value}": field for member in key_type})
        else:
            leaves[path] = field
    return leaves


def unit_of(field: Any) -> str | None:
    """The unit the schema declares for a field."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return extra.get("unit")


def schema_bounds(field: Any) -> tuple[float | None, float | None]:
    """The (low, high) bounds a field declares, ``None`` where open."""
    low = high = None
    for m in field.metadata:
        for attr in ("ge", "gt"):
            low = getattr(m, attr, None) if getattr(m, attr, None) is not None else low
        for attr in ("le", "lt"):
            high = getattr(m, attr, None) if getattr(m, attr, None) is not None else high
    return low, high


@pytest.fixture(scope="module")
def parameters() -> list[dict[str, str]]:
    """Rows of ``parameters.csv``."""
    return read_table("parameters.csv")


@pytest.fixture(scope="module")
def provenance() -> dict[str, dict[str, str]]:
    """Rows of ``provenance.csv`` by key."""
    return {row["key"]: row for row in provenance_table()}


# ------------------------------------------------------------------ defaults against the schema


def test_defaults_validate():
    sc = default_scenario()
    assert len(sc.districts) == 14
    assert set(sc.materials) == set(MATERIALS)


def test_every_required_scalar_field_has_a_default_row(parameters):
    """Every required field has a row in parameters.csv, or in behaviour_fit.csv if it is fitted."""
    keys = {row["key"] for row in parameters} | set(behaviour_replicates())
    required = {path for path, field in scalar_leaves().items() if field.is_required()}
    assert required, "the schema walk found no required field"
    assert sorted(required - keys) == []


def test_every_parameter_row_names_a_schema_field(parameters):
    leaves = scalar_leaves()
    assert sorted(row["key"] for row in parameters if row["key"] not in leaves) == []
    keys = [row["key"] for row in parameters]
    assert len(keys) == len(set(keys)), "a key appears twice"


def test_parameter_units_match_the_schema(parameters):
    leaves = scalar_leaves()
    wrong = {
        row["key"]: (row["unit"], unit_of(leaves[row["key"]]))
        for row in parameters
        if row["key"] in leaves and row["unit"] != unit_of(leaves[row["key"]])
    }
    assert wrong == {}, "parameters.csv unit vs schema unit"


@pytest.mark.parametrize("section", sorted(RECORD_TABLES))
def test_record_tables_match_their_schema(section):
    table, id_column, model = RECORD_TABLES[section]
    with (DATA_DIR / table).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        columns = set(reader.fieldnames or [])
        rows = list(reader)
    fields = set(model.model_fields)
    assert fields <= columns, f"{table} lacks columns {sorted(fields - columns)}"
    assert columns - fields == {id_column, "source_key"}, f"{table} has columns the schema does not know"
    assert set(TABLES[table]) == columns  # the loader checks for exactly these
    required = [name for name, f in model.model_fields.items() if f.is_required()]
    for row in rows:
        empty = [c for c in required if not row[c].strip()]
        assert not empty, f"{table} {row[id_column]}: no value for {empty}"


def test_material_table_has_every_material():
    rows = read_table("materials.csv")
    assert [row["material"] for row in rows] == [m.value for m in MATERIALS]


def test_plausible_ranges_bracket_the_default_and_respect_the_schema(parameters):
    leaves = scalar_leaves()
    ranges = parameter_ranges()
    base = default_scenario()
    for row in parameters:
        key = row["key"]
        assert key in ranges, f"{key}: no plausible range (low, high)"
        low, high = ranges[key]
        value = float(row["value"])
        assert low <= value <= high, f"{key}: default {value} outside its range [{low}, {high}]"
        s_low, s_high = schema_bounds(leaves[key])
        assert s_low is None or low >= s_low, f"{key}: range low {low} below the schema's {s_low}"
        assert s_high is None or high <= s_high, f"{key}: range high {high} above the schema's {s_high}"
        if key.startswith("time."):
            continue  # start and end years are checked together below
        for end in (low, high):
            try:
                base.with_overrides(
                    {key: int(end) if float(end).is_integer() and leaves[key].annotation is int else end}
                )
            except ScenarioError as exc:
                pytest.fail(f"{key} = {end} (end of its plausible range) is not a valid input: {exc}")


def test_time_ranges_make_valid_horizons():
    ranges = parameter_ranges()
    base = default_scenario()
    for start in ranges["time.start_year"]:
        for end in ranges["time.end_year"]:
            base.with_overrides({"time.start_year": int(start), "time.end_year": int(end)})


# ------------------------------------------------------------------ provenance


def test_every_cited_source_key_has_a_provenance_row(provenance):
    missing = sorted(source_keys() - set(provenance))
    assert not missing, f"source keys without a provenance row: {missing}"


def test_every_row_of_every_table_cites_a_source():
    for table in ("parameters.csv", "districts.csv", "materials.csv", "facilities.csv"):
        for row in read_table(table):
            assert row["source_key"].strip(), f"{table}: row {next(iter(row.values()))} cites no source"


def test_provenance_keys_are_unique():
    keys = [row["key"] for row in provenance_table()]
    assert len(keys) == len(set(keys))


def test_every_provenance_row_has_a_source(provenance):
    empty = [
        key for key, row in provenance.items() if not row["source"].strip() or row["source"].strip() == "-"
    ]
    assert not empty, f"provenance rows without a source: {empty}"


def states_a_range(text: str) -> bool:
    """Whether a note gives a range: the word, or an interval such as ``1.5-3`` or ``2 to 5``."""
    return bool(re.search(r"\branges?\b", text, re.IGNORECASE) or re.search(r"\d\s*(?:-|–|to)\s*\d", text))


def test_range_detection():
    assert states_a_range("Labelled assumption. Range 0.4-0.9.")
    assert states_a_range("mass ratio 1.5-3, uses 1-5")
    assert not states_a_range("plausible round values, not data about a real island")


def test_assumptions_state_a_range(provenance):
    assumptions = {
        key: row
        for key, row in provenance.items()
        if row["source"].strip().upper() == "ASSUMPTION" or key.startswith("assumption_")
    }
    assert assumptions, "no assumption rows found"
    no_range = [key for key, row in assumptions.items() if not states_a_range(row["notes"])]
    assert not no_range, f"assumption rows whose notes give no range: {no_range}"
    mislabelled = [key for key, row in assumptions.items() if row["source"].strip().upper() != "ASSUMPTION"]
    assert not mislabelled, f"assumption_* rows whose source is not ASSUMPTION: {mislabelled}"


def test_parameters_citing_an_assumption_have_a_range(parameters):
    for row in parameters:
        if any(k.startswith("assumption_") for k in row["source_key"].split("|")):
            assert row["low"].strip() and row["high"].strip(), row["key"]
