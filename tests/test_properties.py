"""Property-based tests: random valid scenarios drawn from the schema's bounds (Hypothesis).

Two families of scenarios, both with short horizons (one or two years, monthly or weekly) and
a few thousand households:

- *plausible*: every scalar parameter drawn inside its plausible (low, high) range from
  ``data/parameters.csv`` (:func:`sim.io.parameter_ranges`), the ranges a sensitivity
  analysis explores;
- *bounds*: every scalar, district and material parameter drawn inside the schema's own
  bounds (``ge``/``gt``/``le``/``lt``), the whole space a user may write in a scenario file,
  extremes included.

Both add a random set of policy levers from :func:`sim.levers.lever_catalogue` with their
parameters drawn inside their bounds, so new levers are covered as they are added. Every run
must keep the invariants of ``conftest.assert_invariants`` (mass balance at every node and step,
no negative stock or flow, fates summing to generation).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Scenario, load_scenario
from sim.io import parameter_ranges
from sim.levers import lever_catalogue
from sim.materials import MATERIALS, Material, SeparationGroup
from sim.scenario import City, District, MaterialParams
from sim.scenario import Scenario as ScenarioModel
from sim.sections import Section

BASELINE_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "phnom_penh_baseline.yaml"
RUNS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOUSEHOLDS_SIMULATED = 3000  # at most, whatever the population drawn
LEVER_YEARS = ("start_year", "ramp_years", "end_year")
SECTIONS = (
    "city",
    "behaviour",
    "collection",
    "informal",
    "aggregation",
    "market",
    "landfill",
    "leakage",
    "emissions",
    "logistics",
)

_BASELINE: Scenario | None = None


def baseline() -> Scenario:
    """The baseline scenario, loaded once (Hypothesis tests cannot take function fixtures)."""
    global _BASELINE
    if _BASELINE is None:
        _BASELINE = load_scenario(BASELINE_PATH)
    return _BASELINE


def bounds(field: Any) -> tuple[float | None, float | None]:
    """Inclusive (low, high) bounds of a pydantic field, None where unbounded.

    Args:
        field: A pydantic ``FieldInfo``.

    Returns:
        The bounds; an exclusive bound ``gt``/``lt`` is returned as is and excluded by the caller.
    """
    low = high = None
    for m in field.metadata:
        low = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else low
        low = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else low
        high = getattr(m, "le", None) if getattr(m, "le", None) is not None else high
        high = getattr(m, "lt", None) if getattr(m, "lt", None) is not None else high
    return low, high


def exclusive(field: Any) -> tuple[bool, bool]:
    """Whether the low and high bounds of a field are exclusive (``gt``, ``lt``)."""
    return (
        any(getattr(m, "gt", None) is not None for m in field.metadata),
        any(getattr(m, "lt", None) is not None for m in field.metadata),
    )


def number(field: Any, low: float, high: float) -> st.SearchStrategy[float | int]:
    """Numbers in [low, high] of the field's type, honouring exclusive bounds.

    Args:
        field: A pydantic ``FieldInfo`` (its annotation says int or float).
        low: Lowest value.
        high: Highest value.

    Returns:
        A strategy.
    """
    if field.annotation is int:
        return st.integers(int(low), int(high))
    no_low, no_high = exclusive(field)
    return st.floats(
        low, high, exclude_min=no_low, exclude_max=no_high, allow_nan=False, allow_subnormal=False
    )


def section_field(path: str) -> Any:
    """The pydantic field of a dotted path such as ``city.population``."""
    model: type[Section] = ScenarioModel
    parts = path.split(".")
    for part in parts[:-1]:
        model = model.model_fields[part].annotation
        if not (isinstance(model, type) and issubclass(model, Section)):
            return ScenarioModel.model_fields[parts[0]].annotation.model_fields[parts[1]]
    return model.model_fields[parts[-1]]


@st.composite
def time_overrides(draw: st.DrawFn) -> dict[str, Any]:
    """A start year, a one- or two-year horizon and monthly or weekly steps."""
    start = draw(st.integers(2020, 2030))
    return {
        "time.start_year": start,
        "time.end_year": start + draw(st.integers(0, 1)),
        "time.steps_per_year": draw(st.sampled_from([12, 52])),
    }


def enum_subset(kind: type[enum.Enum]) -> st.SearchStrategy[list[str]]:
    """A non-empty subset of an enumeration's values, in declaration order."""
    return st.lists(st.sampled_from([m.value for m in kind]), min_size=1, unique=True).map(
        lambda values: [m.value for m in kind if m.value in values]
    )


@st.composite
def levers(draw: st.DrawFn, start: int, end: int, districts: list[str]) -> dict[str, Any]:
    """Up to four levers from the catalogue, parameters drawn within their bounds.

    Args:
        draw: Hypothesis draw.
        start: First simulated year.
        end: Last simulated year.
        districts: District names a lever may name.

    Returns:
        Overrides ``{"policies.<lever>": {...}}``.
    """
    catalogue = {lever.id: lever for lever in lever_catalogue()}
    chosen = draw(st.lists(st.sampled_from(sorted(catalogue)), max_size=4, unique=True))
    out = {}
    for lever_id in chosen:
        params: dict[str, Any] = {
            "start_year": draw(st.integers(start - 1, end)),
            "ramp_years": draw(st.sampled_from([0.0, 0.5, 2.0])),
        }
        for p in catalogue[lever_id].params:
            if p.name in LEVER_YEARS:
                continue
            default = p.default
            if isinstance(default, bool):
                params[p.name] = draw(st.booleans())
            elif isinstance(default, int | float) and p.minimum is not None and p.maximum is not None:
                params[p.name] = draw(st.floats(p.minimum, p.maximum, allow_nan=False, allow_subnormal=False))
            elif p.name == "districts":
                params[p.name] = draw(st.lists(st.sampled_from(districts), unique=True, max_size=3))
            elif isinstance(default, list) and default and isinstance(default[0], Material):
                params[p.name] = draw(enum_subset(Material))
            elif isinstance(default, list) and default and isinstance(default[0], SeparationGroup):
                params[p.name] = draw(enum_subset(SeparationGroup))
        out[f"policies.{lever_id}"] = params
    return out


@st.composite
def plausible_scenarios(draw: st.DrawFn) -> tuple[Scenario, float, int]:
    """A scenario with every scalar parameter inside its plausible range, a scale and a seed."""
    base = baseline()
    overrides = draw(time_overrides())
    for key, (low, high) in sorted(parameter_ranges().items()):
        if key.startswith("time."):
            continue
        overrides[key] = draw(number(section_field(key), low, high))
    overrides.update(
        draw(levers(overrides["time.start_year"], overrides["time.end_year"], list(base.districts)))
    )
    return finish(draw, base, overrides)


@st.composite
def bounded_scenarios(draw: st.DrawFn) -> tuple[Scenario, float, int]:
    """A scenario with scalar, district and material parameters anywhere inside the schema's bounds."""
    base = baseline()
    overrides = draw(time_overrides())
    for name in SECTIONS:
        for field_name, field in type(getattr(base, name)).model_fields.items():
            low, high = bounds(field)
            if field.annotation in (int, float) and low is not None and high is not None:
                overrides[f"{name}.{field_name}"] = draw(number(field, low, high))
    for group in SeparationGroup:
        overrides[f"behaviour.separation_intercept.{group.value}"] = draw(st.floats(-10, 10))
    for district in base.districts:
        for field_name in ("collection_coverage", "income_factor", "water_leak_share"):
            field = District.model_fields[field_name]
            overrides[f"districts.{district}.{field_name}"] = draw(number(field, *bounds(field)))
    weights = draw(st.lists(st.floats(0, 1), min_size=len(MATERIALS), max_size=len(MATERIALS)))
    weights[draw(st.integers(0, len(MATERIALS) - 1))] += 0.1  # some plastic to share out
    for material, weight in zip(MATERIALS, weights, strict=True):
        overrides[f"materials.{material.value}.share_of_plastic"] = weight / sum(weights)
        for field_name in (
            "household_price_usd_per_t",
            "junkshop_price_usd_per_t",
            "recycler_price_usd_per_t",
            "export_price_usd_per_t",
            "recyclate_price_usd_per_t",
            "processing_cost_usd_per_t",
            "export_demand_t_per_day",
            "recycling_yield",
            "pickable_share",
        ):
            field = MaterialParams.model_fields[field_name]
            overrides[f"materials.{material.value}.{field_name}"] = draw(number(field, *bounds(field)))
    for group in SeparationGroup:
        overrides[f"market.capacity_share.{group.value}"] = draw(st.floats(0.01, 1))
    # An international price path: a few years with indices from a crash to a boom.
    for year in draw(st.lists(st.integers(2015, 2035), min_size=1, max_size=4, unique=True)):
        overrides[f"market.reference_price_index.{year}"] = draw(st.floats(0, 3))
    overrides.update(
        draw(levers(overrides["time.start_year"], overrides["time.end_year"], list(base.districts)))
    )
    return finish(draw, base, overrides)


def finish(draw: st.DrawFn, base: Scenario, overrides: dict[str, Any]) -> tuple[Scenario, float, int]:
    """Validate the drawn overrides and pick a scale that keeps the run small, and a seed.

    Args:
        draw: Hypothesis draw.
        base: Scenario the overrides apply to.
        overrides: Dotted-path overrides.

    Returns:
        The scenario, the scale and the seed.
    """
    scenario = base.with_overrides(overrides, source="drawn scenario")
    households = scenario.city.population / scenario.city.household_size_persons
    scale = min(0.01, HOUSEHOLDS_SIMULATED / households)
    return scenario, scale, draw(st.integers(0, 2**32 - 1))


@pytest.mark.slow
@RUNS
@given(drawn=plausible_scenarios())
def test_invariants_hold_in_plausible_scenarios(drawn, model_runner, check_invariants):
    scenario, scale, seed = drawn
    check_invariants(*model_runner(scenario, seed, scale))


@pytest.mark.slow
@RUNS
@given(drawn=bounded_scenarios())
def test_invariants_hold_anywhere_inside_the_schema_bounds(drawn, model_runner, check_invariants):
    scenario, scale, seed = drawn
    check_invariants(*model_runner(scenario, seed, scale))


@settings(max_examples=25, deadline=None)
@given(drawn=bounded_scenarios())
def test_scenario_survives_a_yaml_round_trip(drawn, tmp_path_factory):
    """Any valid scenario written out in full loads back identical."""
    scenario = drawn[0]
    path = Path(tmp_path_factory.mktemp("round_trip")) / "full.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json")), encoding="utf-8")
    again = load_scenario(path)
    assert again == scenario
    assert again.digest() == scenario.digest()


def test_plausible_ranges_cover_every_city_parameter():
    """The plausible family really draws the whole city section (guards against silent skips)."""
    keys = {k.split(".", 1)[1] for k in parameter_ranges() if k.startswith("city.")}
    assert keys == set(City.model_fields)
