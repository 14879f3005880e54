"""Scenario schema (pydantic v2) and loading from YAML.

Every parameter is declared once here with its unit, bounds and description; its default value
and source come from the data tables in ``data/`` (see :mod:`sim.io`). A scenario file lists only
what differs from the defaults, or from another scenario named by ``extends:``. Mappings merge
key by key; lists and single values replace what they override. A file may list top-level
sections under ``replace:`` (e.g. ``replace: [districts, facilities]``): those sections are
then taken whole from the file instead of merged over the defaults and the files it extends
(a scenario for another place needs its own districts, not the 14 khans plus its own).
"""

from __future__ import annotations

import copy
import hashlib
import json
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from sim.errors import InputError, ScenarioError
from sim.materials import MATERIALS, Material, SeparationGroup
from sim.policies import Policies
from sim.sections import Section, param

SHARE_TOLERANCE = 1e-6


class Time(Section):
    start_year: int = param("year", "First simulated year.", ge=2000, le=2100)
    end_year: int = param("year", "Last simulated year (inclusive).", ge=2000, le=2100)
    steps_per_year: Literal[12, 52] = param("steps/year", "12 = monthly steps, 52 = weekly.")

    @model_validator(mode="after")
    def _ordered(self) -> Time:
        if self.end_year < self.start_year:
            raise ValueError(f"end_year ({self.end_year}) must not be before start_year ({self.start_year})")
        return self

    @property
    def n_years(self) -> int:
        return self.end_year - self.start_year + 1

    @property
    def n_steps(self) -> int:
        return self.n_years * self.steps_per_year


class City(Section):
    population: float = param("persons", "Population in the start year.", gt=0, le=5e7)
    population_growth_per_yr: float = param("1/year", "Population growth rate.", ge=-0.1, le=0.2)
    household_size_persons: float = param("persons/household", "Mean household size.", ge=1, le=12)
    msw_kg_per_capita_day: float = param(
        "kg/person/day", "Municipal solid waste generated per person.", gt=0, le=5
    )
    msw_per_capita_growth_per_yr: float = param("1/year", "Growth of MSW per person.", ge=-0.1, le=0.2)
    plastic_share_of_msw: float = param("fraction", "Mass share of plastic in MSW.", gt=0, le=0.6)
    median_household_income_usd_per_month: float = param(
        "USD/household/month", "Median household income in the start year.", ge=10, le=50000
    )
    income_sigma: float = param("log-sd", "Spread of household income (lognormal sigma).", ge=0, le=2)
    income_growth_per_yr: float = param("1/year", "Real income growth.", ge=-0.1, le=0.2)
    generation_income_elasticity: float = param(
        "dimensionless", "Elasticity of a household's plastic waste to its income.", ge=0, le=2
    )
    tourist_extra_waste_share: float = param(
        "fraction", "Extra waste per resident in the tourist season (visitors' waste).", ge=0, le=10
    )
    tourist_season_start_month: int = param("month", "First month of the tourist season.", ge=1, le=12)
    tourist_season_months: int = param("months", "Length of the tourist season; 0 = none.", ge=0, le=12)

    def in_tourist_season(self, month: int) -> bool:
        """Whether calendar ``month`` (1-12) falls in the tourist season."""
        return (month - self.tourist_season_start_month) % 12 < self.tourist_season_months


class District(Section):
    population_2019: float = param("persons", "2019 population, used as a share.", gt=0)
    collection_coverage: float = param(
        "fraction", "Share of households reached by formal door-to-door collection.", ge=0, le=1
    )
    income_factor: float = param("multiplier", "Median income relative to the city median.", ge=0.05, le=10)
    water_leak_share: float = param(
        "fraction", "Share of plastic dumped on land that reaches waterways.", ge=0, le=1
    )


class MaterialParams(Section):
    share_of_plastic: float = param("fraction", "Mass share of plastic waste.", ge=0, le=1)
    household_price_usd_per_t: float = param("USD/t", "Price itinerant buyers pay households.", ge=0, le=5000)
    junkshop_price_usd_per_t: float = param(
        "USD/t", "Price junk shops pay pickers and buyers.", ge=0, le=5000
    )
    recycler_price_usd_per_t: float = param("USD/t", "Price recyclers pay junk shops.", ge=0, le=5000)
    export_price_usd_per_t: float = param(
        "USD/t", "Price for baled material exported; 0 = no export market.", ge=0, le=5000
    )
    recycling_yield: float = param("fraction", "Recyclate out per tonne into a recycler.", ge=0, le=1)
    recycling_credit_t_co2e_per_t: float = param(
        "t CO2e/t", "Emissions avoided per tonne of recyclate.", ge=0, le=10
    )
    units_per_kg: float = param("items/kg", "Items per kg (bottles, bags); 0 if n/a.", ge=0)


class Behaviour(Section):
    separation_intercept: dict[SeparationGroup, float] = param(
        "logit", "Base propensity to keep each group apart from mixed waste."
    )
    value_coef: float = param(
        "logit per day of income",
        "Response to the monthly value of a separated group, in days of household income.",
        ge=0,
        le=20,
    )
    attitude_coef: float = param("logit per sd", "Weight of pro-environmental attitude.", ge=0, le=5)
    norm_coef: float = param(
        "logit per unit share", "Weight of the share of neighbours who separate.", ge=0, le=10
    )
    habit_coef: float = param("logit per unit habit", "Weight of habit.", ge=0, le=10)
    habit_half_life_months: float = param(
        "months", "Time for habit to move half way to current behaviour.", gt=0, le=120
    )
    neighbours: int = param("households", "Neighbours each household watches.", ge=2, le=50)
    formal_use_intercept: float = param(
        "logit", "Base propensity of a served household to use formal collection.", ge=-10, le=10
    )
    fee_coef: float = param(
        "logit per day of income", "Response to the monthly collection fee.", ge=-20, le=0
    )
    burn_intercept: float = param(
        "logit", "Propensity to burn rather than dump waste not handed over.", ge=-10, le=10
    )
    burn_sd: float = param("logit", "Spread of burning propensity across households.", ge=0, le=5)

    @model_validator(mode="after")
    def _all_groups(self) -> Behaviour:
        missing = set(SeparationGroup) - set(self.separation_intercept)
        if missing:
            raise ValueError(f"separation_intercept lacks groups: {sorted(missing)}")
        return self


class Collection(Section):
    fee_usd_per_household_month: float = param("USD/household/month", "Formal collection fee.", ge=0, le=200)
    cost_usd_per_t: float = param("USD/t", "Cost of collection and haulage per tonne.", ge=0, le=500)
    capacity_t_per_day: float = param("t MSW/day", "Fleet capacity, all waste.", ge=0, le=1e5)


class Informal(Section):
    street_pickers: float = param("persons", "Waste pickers working streets and bins.", ge=0, le=1e6)
    dump_pickers: float = param("persons", "Waste pickers working landfills.", ge=0, le=1e6)
    street_pick_max_share: float = param(
        "fraction", "Largest share of a material pickers take from set-out waste.", ge=0, le=1
    )
    dump_pick_max_share: float = param(
        "fraction", "Largest share of a material pickers take at the landfill.", ge=0, le=1
    )
    pick_half_price_usd_per_t: float = param(
        "USD/t", "Junk-shop price at which picking reaches half its maximum.", gt=0, le=5000
    )


class Aggregation(Section):
    sort_yield: float = param("fraction", "Share of bought material junk shops can sell on.", ge=0, le=1)
    export_capacity_t_per_day: float = param("t/day", "Export outlet for baled plastic.", ge=0, le=1e5)
    recycler_expansion_per_yr: float = param(
        "1/year",
        "Capacity recyclers add after a year run at 95 % of capacity or more (market-driven investment).",
        ge=0,
        le=1,
    )
    mrf_recovery_share: float = param(
        "fraction", "Share of each saleable material an MRF recovers from mixed waste.", ge=0, le=1
    )


class Landfill(Section):
    cost_usd_per_t: float = param("USD/t", "Landfill operating cost per tonne.", ge=0, le=500)


class Leakage(Section):
    monsoon_factor: float = param(
        "multiplier", "Leak share multiplier in the wet season (May-October).", ge=1, le=5
    )


class Emissions(Section):
    open_burning_co2_t_per_t: float = param("t CO2/t", "Fossil CO2 from open burning.", ge=0, le=5)
    open_burning_non_co2_t_co2e_per_t: float = param("t CO2e/t", "CH4 and N2O from open burning.", ge=0, le=5)
    incineration_co2_t_per_t: float = param("t CO2/t", "Fossil CO2 from incineration.", ge=0, le=5)
    plastic_ncv_gj_per_t: float = param("GJ/t", "Net calorific value of plastic.", ge=0, le=60)
    grid_t_co2_per_mwh: float = param(
        "t CO2/MWh", "Grid electricity displaced by energy recovery.", ge=0, le=2
    )
    transport_kg_co2e_per_t_km: float = param(
        "kg CO2e/(t km)", "Collection and haulage vehicles.", ge=0, le=5
    )


class Logistics(Section):
    local_km: float = param("km", "Household to buyer, collector or drop-off.", ge=0, le=100)
    collection_to_facility_km: float = param("km", "Collection round to facility.", ge=0, le=500)
    aggregator_to_recycler_km: float = param("km", "Junk shop to recycler.", ge=0, le=1000)
    export_km: float = param("km", "Junk shop to export buyer.", ge=0, le=5000)
    transport_cost_usd_per_t_km: float = param("USD/(t km)", "Haulage cost.", ge=0, le=10)


FacilityKind = Literal["landfill", "incinerator", "recycler", "mrf"]


class Facility(Section):
    kind: FacilityKind = Field(..., description="landfill, incinerator, recycler or mrf.")
    open_year: int = param("year", "First year of operation.", ge=1900, le=2100)
    close_year: int | None = Field(
        None, description="Last year of operation (none = open to the end).", ge=1900, le=2100
    )
    capacity_t_per_day: float | None = Field(
        None, description="Throughput [t/day] (incinerator: MSW; others: plastic).", ge=0
    )
    capacity_t: float | None = Field(
        None, description="Landfill: remaining space at the start [t MSW].", ge=0
    )
    energy_recovery_efficiency: float = Field(
        0.0, description="Incinerator: electric efficiency [fraction].", ge=0, le=1
    )

    @model_validator(mode="after")
    def _capacity_for_kind(self) -> Facility:
        if self.kind == "landfill" and self.capacity_t is None:
            raise ValueError("a landfill needs capacity_t (remaining space, t MSW)")
        if self.kind != "landfill" and self.capacity_t_per_day is None:
            raise ValueError(f"a {self.kind} needs capacity_t_per_day")
        if self.close_year is not None and self.close_year < self.open_year:
            raise ValueError(f"close_year ({self.close_year}) is before open_year ({self.open_year})")
        return self

    def is_open(self, year: int) -> bool:
        return self.open_year <= year and (self.close_year is None or year <= self.close_year)


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = Field("unnamed", description="Short name shown in tables and charts.")
    description: str = Field("", description="What the scenario represents.")
    time: Time
    city: City
    districts: dict[str, District] = Field(..., min_length=1)
    materials: dict[Material, MaterialParams]
    behaviour: Behaviour
    collection: Collection
    informal: Informal
    aggregation: Aggregation
    landfill: Landfill
    leakage: Leakage
    emissions: Emissions
    logistics: Logistics
    facilities: dict[str, Facility] = Field(default_factory=dict)
    policies: Policies = Field(default_factory=lambda: Policies())

    @model_validator(mode="after")
    def _districts_known(self) -> Scenario:
        for name in type(self.policies).model_fields:
            lever = getattr(self.policies, name)
            unknown = [d for d in getattr(lever, "districts", None) or [] if d not in self.districts]
            if unknown:
                raise ValueError(
                    f"policies.{name}.districts names unknown district(s) {unknown}; "
                    f"known: {sorted(self.districts)}"
                )
        return self

    @model_validator(mode="after")
    def _materials_complete(self) -> Scenario:
        missing = [m.value for m in MATERIALS if m not in self.materials]
        if missing:
            raise ValueError(f"materials lacks {missing}; every material needs parameters")
        total = sum(p.share_of_plastic for p in self.materials.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise ValueError(f"materials' share_of_plastic must sum to 1 (they sum to {total:.6g})")
        return self

    def digest(self) -> str:
        """A short hash of every input, to tell results of different inputs apart."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
        """A new scenario with values replaced by dotted path, e.g. ``{"city.population": 1e6}``."""
        data = self.model_dump(mode="json")
        for path, value in overrides.items():
            set_path(data, path, value)
        return validate_scenario(data, source)


# --------------------------------------------------------------------------- loading


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: mappings key by key, everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data[a][b][c] = value`` for ``path`` ``"a.b.c"``, creating mappings on the way.

    A section that is absent or null (a lever not in force) is created, so that setting one
    lever parameter switches the lever on with its other parameters at their defaults.
    """
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
        if not isinstance(node, dict):
            raise ScenarioError(f"{path}: {key!r} is not a section that has fields")
    node[leaf] = value


def read_yaml(
    path: Path, what: str = "scenario", error: type[InputError] = ScenarioError, allow_empty: bool = True
) -> dict[str, Any]:
    """Read a YAML mapping, turning every failure into one readable ``error``.

    Args:
        path: The YAML file.
        what: What the file is, for messages ("a scenario file must be a mapping ...").
        error: The error to raise.
        allow_empty: Read an empty file as an empty mapping (else it is an error).
    """
    if not path.is_file():
        raise error(f"{path}: no such {what} file.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}: not valid YAML{where}: {problem}.") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (expected UTF-8 YAML).") from None
    if data is None and allow_empty:
        return {}
    if not isinstance(data, dict):
        raise error(f"{path}: a {what} file must be a mapping of fields, got {type(data).__name__}.")
    return data


def resolve_file(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file's own fields merged over the chain of files it ``extends``."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ScenarioError(f"{path}: 'extends' makes a cycle: {chain}.")
    data = read_yaml(path)
    parent = data.pop("extends", None)
    replace = _replace_list(data, path)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: field 'extends' = {parent!r}: must be a file path.")
    parent_path = (path.parent / parent).resolve()
    if not parent_path.is_file():
        raise ScenarioError(f"{path}: field 'extends' = {parent!r}: no such file ({parent_path}).")
    inherited = resolve_file(parent_path, (*seen, path))
    merged = deep_merge({k: v for k, v in inherited.items() if k not in replace}, data)
    replaced = sorted(set(inherited.get("replace", [])) | set(replace))
    if replaced:
        merged["replace"] = replaced
    return merged


def _replace_list(data: dict[str, Any], path: Path) -> list[str]:
    """The file's ``replace:`` list, checked against the top-level sections."""
    replace = data.get("replace", [])
    allowed = sorted(Scenario.model_fields)
    if not isinstance(replace, list) or any(name not in allowed for name in replace):
        raise ScenarioError(
            f"{path}: field 'replace' = {replace!r}: must be a list of top-level sections "
            f"(allowed: {', '.join(allowed)})."
        )
    return replace


def merge_over_defaults(defaults: dict[str, Any], resolved: dict[str, Any]) -> dict[str, Any]:
    """Merge a resolved scenario file over the defaults, honouring its ``replace:`` list."""
    resolved = dict(resolved)
    replace = resolved.pop("replace", [])
    return deep_merge({k: v for k, v in defaults.items() if k not in replace}, resolved)


def validate_scenario(data: dict[str, Any], source: str) -> Scenario:
    """Validate a complete scenario mapping, or raise a readable :class:`ScenarioError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, source)) from None


def load_scenario(path: str | Path, defaults: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file over the default data.

    Args:
        path: A YAML scenario file.
        defaults: The default inputs; read from ``data/`` when not given.

    Raises:
        ScenarioError: Naming the file, the field, the value and what is allowed.
    """
    from sim.io import default_inputs

    path = Path(path)
    base = default_inputs() if defaults is None else defaults
    return validate_scenario(merge_over_defaults(base, resolve_file(path)), str(path))


def default_scenario() -> Scenario:
    """The default inputs from ``data/`` (the Phnom Penh calibration) as a scenario."""
    from sim.io import default_inputs

    return validate_scenario({"name": "defaults", **default_inputs()}, "data/")


# --------------------------------------------------------------------------- error text


def _field_info(loc: tuple[Any, ...]) -> tuple[str | None, str | None, list[str] | None]:
    """Unit, description and allowed field names for a location in the schema."""
    model: Any = Scenario
    info = None
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            fields = model.model_fields
            if part not in fields:
                return None, None, sorted(fields)
            info = fields[part]
            model = info.annotation
            args = getattr(model, "__args__", ())
            if getattr(model, "__origin__", None) is dict and args:
                model = ("dict", args[1])
            elif isinstance(model, types.UnionType):  # an optional section, e.g. a lever
                model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), model)
        elif isinstance(model, tuple):
            model = model[1]
            info = None
    if info is None:
        return None, None, None
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    return (str(unit) if unit else None), info.description, None


FieldInfoLookup = Callable[[tuple[Any, ...]], tuple[str | None, str | None, list[str] | None]]


def format_validation_error(
    exc: ValidationError,
    source: str,
    what: str = "the scenario",
    field_info: FieldInfoLookup = _field_info,
    hidden: frozenset[str] = frozenset(),
) -> str:
    """One readable paragraph per problem: file, field, value, what is allowed.

    Args:
        exc: The validation error.
        source: The file (or other source) named first.
        what: What was validated, for the first line.
        field_info: Unit, description and allowed field names of a location in the schema.
        hidden: Location parts not shown (pydantic's names of union members).
    """
    lines = [f"{source}: {what} is not valid."]
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in hidden)
        field = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            _, _, allowed = field_info(loc)
            hint = f" Allowed here: {', '.join(allowed)}." if allowed else ""
            lines.append(f"  - unknown field '{field}'.{hint}")
            continue
        if kind == "missing":
            lines.append(f"  - field '{field}' is required but missing.")
            continue
        unit, description, _ = field_info(loc)
        value = err.get("input")
        shown = json.dumps(value, default=str) if not isinstance(value, dict) else "{...}"
        problem = err["msg"].removeprefix("Value error, ")
        about = "; ".join(x for x in (f"unit {unit}" if unit else "", description or "") if x)
        lines.append(f"  - field '{field}' = {shown}: {problem}." + (f" ({about})" if about else ""))
    return "\n".join(lines)
