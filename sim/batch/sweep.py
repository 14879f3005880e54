"""Sweep files: which scenario inputs to vary, how to sample them, and what to keep.

A sweep file is YAML, validated by :class:`SweepSpec` (unknown fields are errors)::

    name: demo
    scenario: ../phnom_penh_baseline.yaml   # base scenario, relative to this file; default: data/
    scale: 0.01                             # fraction of households simulated
    overrides: {time.end_year: 2030}        # fixed changes to the base scenario
    parameters:                             # inputs to vary, by dotted path in the scenario schema
      behaviour.value_coef:                 # empty: the plausible range in data/parameters.csv
      collection.fee_usd_per_household_month: {low: 0.5, high: 3}
      policies.collection_coverage.target_coverage: {low: 0.6, high: 1.0}
    design: {method: sobol, samples: 16}    # grid, lhs, sobol (Saltelli) or morris
    replications: 2                         # seeds per sample
    seed: 42                                # base seed of the design and of the run seeds
    indicators: [recycling_rate, mismanaged_rate]
    years: [2030]

Every dotted path is checked against the scenario schema, and every bound or listed value
against the field's own bounds, before anything runs. Run seeds come from
``numpy.random.SeedSequence(seed)``, and every sample uses the same seeds (common random
numbers), so a sweep gives the same numbers wherever it runs.

Designs (SALib sample functions):

- ``grid``: every combination of listed ``values``, or of ``levels`` evenly spaced points of
  each range;
- ``lhs``: ``samples`` points of a Latin hypercube;
- ``sobol``: Saltelli's scheme for first-order and total Sobol indices, ``samples`` base points
  (a power of 2), ``samples * (k + 2)`` runs for ``k`` parameters;
- ``morris``: ``samples`` one-at-a-time trajectories on ``levels`` levels (elementary effects),
  ``samples * (k + 1)`` runs.

References:
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer
    Physics Communications 181, 259-270. Herman, J. and Usher, W. (2017). SALib: an open-source
    Python library for sensitivity analysis. JOSS 2(9), 97.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.errors import InputError, ScenarioError
from sim.io import parameter_ranges
from sim.loader import default_scenario, load_scenario, read_yaml
from sim.metrics import HEADLINE, INDICATORS
from sim.scenario import Scenario, UnknownFieldError, field_at, format_validation_error
from sim.sections import Section
from sim.seeds import DEFAULT_SEED, MAX_SEED

Method = Literal["grid", "lhs", "sobol", "morris"]
DEFAULT_LEVELS = {"grid": 3, "morris": 4}


class SweepError(InputError):
    """A sweep file cannot be read or does not validate (the CLI exits with code 2)."""


class _Strict(Section):
    """Base of the sweep file's sections: the schema's rules (no unknown fields, finite numbers)."""


class ParameterSpec(_Strict):
    """How one input varies: a range (``low``, ``high``) or a list of ``values``.

    Leave both out to use the plausible range given in ``data/parameters.csv``.
    """

    low: float | None = Field(None, description="Lowest value of the range.")
    high: float | None = Field(None, description="Highest value of the range.")
    values: list[Any] | None = Field(None, min_length=1, description="Values to try (grid design).")

    @model_validator(mode="after")
    def _range_or_values(self) -> ParameterSpec:
        if self.values is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either low/high or values, not both")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be less than high ({self.high})")
        return self


class Design(_Strict):
    """How the parameter space is sampled."""

    method: Method = Field(..., description="grid, lhs, sobol or morris.")
    samples: int | None = Field(
        None, ge=1, le=1_000_000, description="lhs: points; sobol: base points; morris: trajectories."
    )
    levels: int | None = Field(None, ge=2, le=1000, description="grid: points per range; morris: levels.")

    @model_validator(mode="after")
    def _samples_fit_method(self) -> Design:
        if self.method == "grid" and self.samples is not None:
            raise ValueError("the grid design runs every combination: give levels, not samples")
        if self.method != "grid" and self.samples is None:
            raise ValueError(f"the {self.method} design needs samples")
        if self.method == "lhs" and self.levels is not None:
            raise ValueError("the lhs design has no levels")
        if self.method == "sobol":
            if self.levels is not None:
                raise ValueError("the sobol design has no levels")
            n = self.samples or 0
            if n & (n - 1):
                raise ValueError(f"samples for the sobol design must be a power of 2, got {n}")
        return self


class SweepSpec(_Strict):
    """The contents of a sweep file."""

    name: str = Field("sweep", description="Short name shown in reports.")
    description: str = Field("", description="What the sweep explores.")
    scenario: str | None = Field(None, description="Base scenario file, relative to the sweep file.")
    scale: float = Field(0.01, gt=0, le=1, description="Fraction of households simulated.")
    overrides: dict[str, Any] = Field(default_factory=dict, description="Fixed changes, by dotted path.")
    parameters: dict[str, ParameterSpec | None] = Field(
        ..., min_length=1, description="Inputs to vary, by dotted path."
    )
    design: Design
    replications: int = Field(1, ge=1, le=10_000, description="Seeds per sample.")
    seed: int = Field(DEFAULT_SEED, description=f"Base seed of the design and the runs, 0 to {MAX_SEED}.")
    indicators: list[str] = Field(
        default_factory=lambda: list(HEADLINE), min_length=1, description="Indicators to keep."
    )
    years: list[int] | None = Field(None, min_length=1, description="Years to keep; default all.")

    @field_validator("seed")
    @classmethod
    def _seed_in_range(cls, seed: int) -> int:
        if not 0 <= seed <= MAX_SEED:
            raise ValueError(f"allowed values are whole numbers from 0 to {MAX_SEED}")
        return seed

    @field_validator("indicators")
    @classmethod
    def _known_indicators(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in INDICATORS]
        if unknown:
            raise ValueError(f"unknown indicator(s) {unknown}; allowed: {', '.join(INDICATORS)}")
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: base scenario, the sample table, the run seeds and the sweep hash."""

    spec: SweepSpec
    base: Scenario
    samples: pd.DataFrame
    seeds: tuple[int, ...]
    years: tuple[int, ...]
    hash: str
    source: str

    @property
    def parameters(self) -> list[str]:
        """The varied inputs, by dotted path."""
        return list(self.spec.parameters)

    @property
    def n_runs(self) -> int:
        """Number of (sample, replication) runs."""
        return len(self.samples) * len(self.seeds)

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition (names and bounds of ranged parameters)."""
        return salib_problem(self.spec, self.base)

    def overrides(self, sample: int) -> dict[str, Any]:
        """The scenario changes of one sample, by dotted path, to apply to :attr:`base`."""
        row = self.samples.loc[sample]
        values = {p: (row[p].item() if isinstance(row[p], np.generic) else row[p]) for p in self.parameters}
        return values


# --------------------------------------------------------------------------- loading


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file, with its base scenario.

    Args:
        path: A YAML sweep file.

    Raises:
        SweepError: Naming the file, the field, the value and what is allowed.
    """
    path = Path(path)
    data = read_yaml(path, "sweep", SweepError, allow_empty=False)
    spec = _validate_spec(data, str(path))
    base_path = None if spec.scenario is None else (path.parent / spec.scenario)
    return make_sweep(spec, base_path, source=str(path))


def make_sweep(
    spec: SweepSpec | dict[str, Any],
    scenario: Scenario | str | Path | None = None,
    source: str = "sweep",
) -> Sweep:
    """Build a sweep from a spec (a :class:`SweepSpec` or the mapping a sweep file holds).

    Args:
        spec: What to vary, how, and what to keep.
        scenario: The base scenario, or its file; default: ``spec.scenario``, else the defaults.
        source: Name used in error messages (the sweep file).

    Raises:
        SweepError: If the spec, a parameter path or a value is not valid.
    """
    if not isinstance(spec, SweepSpec):
        spec = _validate_spec(spec, source)
    if scenario is None and spec.scenario is not None:
        scenario = Path(spec.scenario)
    base = _base_scenario(scenario, source)
    for p in spec.overrides:
        leaf_type(p, base, f"{source}: overrides")
    try:
        if spec.overrides:
            base = base.with_overrides(spec.overrides, source=f"{source}: overrides")
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    _check_values(spec, base, source)
    samples = design_samples(spec, base)
    seeds = tuple(int(s) for s in np.random.SeedSequence(spec.seed).generate_state(spec.replications))
    years = _years(spec, base, source)
    return Sweep(spec, base, samples, seeds, years, _hash(spec, base), source)


def _validate_spec(data: dict[str, Any], source: str) -> SweepSpec:
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise SweepError(
            format_validation_error(exc, source, "the sweep file", _field_info, frozenset({"ParameterSpec"}))
        ) from None


def _base_scenario(scenario: Scenario | str | Path | None, source: str) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    try:
        return default_scenario() if scenario is None else load_scenario(scenario)
    except ScenarioError as exc:
        raise SweepError(f"{source}: field 'scenario': {exc}") from None


def _field_info(loc: tuple[Any, ...]) -> tuple[None, None, list[str]]:
    """No unit or description; the fields allowed beside the last part of ``loc``."""
    return None, None, _allowed_fields(loc[:-1])


def _allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    if not loc:
        return list(SweepSpec.model_fields)
    if loc[0] == "design":
        return list(Design.model_fields)
    if loc[0] == "parameters":
        return list(ParameterSpec.model_fields)
    return []


# --------------------------------------------------------------------------- checking paths


def leaf_type(path: str, base: Scenario, source: str = "sweep") -> Any:
    """The type of the scenario field at a dotted path, checking that the path exists.

    The schema is walked by :func:`sim.scenario.field_at` (the one walker); the keys of mappings
    (districts, materials, facilities) are checked against ``base``, which may name its own.

    Args:
        path: A dotted path such as ``"behaviour.value_coef"`` or
            ``"policies.collection_coverage.target_coverage"``.
        base: The scenario whose districts, materials and facilities the path may name.
        source: Name used in error messages.

    Raises:
        SweepError: If the path names no single value of the scenario schema.
    """
    parts = path.split(".")
    try:
        spec = field_at(parts)
    except UnknownFieldError as exc:
        if not exc.allowed:
            raise SweepError(
                f"{source}: unknown parameter '{path}': {exc.where} is a single value, not a section."
            ) from None
        raise SweepError(
            f"{source}: unknown parameter '{path}': {exc.where} has no field {exc.part!r}; "
            f"allowed: {', '.join(exc.allowed)}."
        ) from None
    node: Any = base.model_dump(mode="json")
    for n, part in enumerate(parts):
        where = ".".join(parts[:n]) or "the scenario"
        if isinstance(node, dict) and part not in node and n > 0 and _is_mapping(parts[:n]):
            known = ", ".join(sorted(node))
            raise SweepError(
                f"{source}: unknown parameter '{path}': {where} has no {part!r}; known: {known}."
            )
        node = node.get(part) if isinstance(node, dict) else None
    if spec.is_section or typing.get_origin(spec.annotation) is list:
        raise SweepError(
            f"{source}: parameter '{path}' is a section or a list, not a single value; name one of its fields."
        )
    return spec.annotation


def _is_mapping(parts: list[str]) -> bool:
    """Whether the schema has a mapping (keyed by districts, materials, ...) at ``parts``."""
    return typing.get_origin(field_at(parts).annotation) is dict


def _check_values(spec: SweepSpec, base: Scenario, source: str) -> None:
    plausible = parameter_ranges()
    for path, p in spec.parameters.items():
        kind = leaf_type(path, base, source)
        numeric = kind in (int, float)
        if p is not None and p.values is not None:
            if spec.design.method != "grid":
                raise SweepError(
                    f"{source}: parameters.{path} lists values; the {spec.design.method} design needs a "
                    "range (low, high). Lists work with design method grid."
                )
            candidates = list(p.values)
        else:
            if not numeric:
                raise SweepError(
                    f"{source}: parameters.{path} is not a number; list its values (grid design)."
                )
            if (p is None or p.low is None) and path not in plausible:
                raise SweepError(
                    f"{source}: parameters.{path} has no plausible range in data/parameters.csv; "
                    "give low and high."
                )
            candidates = list(_bounds(path, p))
        for value in candidates:
            try:
                base.with_overrides({path: value}, source=f"{source}: parameters.{path}")
            except ScenarioError as exc:
                why = "\n".join(str(exc).splitlines()[1:]) or str(exc)
                raise SweepError(
                    f"{source}: parameters.{path}: value {value!r} is not allowed:\n{why}"
                ) from None


def _bounds(path: str, p: ParameterSpec | None) -> tuple[float, float]:
    if p is None or p.low is None or p.high is None:
        return parameter_ranges()[path]
    return (p.low, p.high)


def _years(spec: SweepSpec, base: Scenario, source: str) -> tuple[int, ...]:
    first, last = base.time.start_year, base.time.end_year
    if spec.years is None:
        return tuple(range(first, last + 1))
    outside = [y for y in spec.years if not first <= y <= last]
    if outside and not any(p.startswith("time.") for p in spec.parameters):
        raise SweepError(
            f"{source}: field 'years' = {outside}: outside the base scenario's years {first}-{last}."
        )
    return tuple(sorted(set(spec.years)))


def _hash(spec: SweepSpec, base: Scenario) -> str:
    text = json.dumps({"spec": spec.model_dump(mode="json"), "base": base.digest()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- designs


def salib_problem(spec: SweepSpec, base: Scenario) -> dict[str, Any]:
    """The SALib problem of the ranged parameters: ``num_vars``, ``names``, ``bounds``."""
    names = [p for p, s in spec.parameters.items() if s is None or s.values is None]
    bounds = [list(_bounds(p, spec.parameters[p])) for p in names]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_samples(spec: SweepSpec, base: Scenario) -> pd.DataFrame:
    """The sample table: one row per sample (index ``sample``), one column per parameter."""
    from SALib.sample import latin, morris
    from SALib.sample import sobol as saltelli

    d = spec.design
    problem = salib_problem(spec, base)
    if d.method == "grid":
        axes = []
        for path, p in spec.parameters.items():
            if p is not None and p.values is not None:
                axes.append(list(p.values))
            else:
                low, high = _bounds(path, p)
                axes.append(list(np.linspace(low, high, d.levels or DEFAULT_LEVELS["grid"])))
        table = pd.DataFrame(list(itertools.product(*axes)), columns=list(spec.parameters))
    else:
        if d.method == "lhs":
            x = latin.sample(problem, d.samples, seed=spec.seed)
        elif d.method == "sobol":
            x = saltelli.sample(problem, d.samples, calc_second_order=False, seed=spec.seed)
        else:
            levels = d.levels or DEFAULT_LEVELS["morris"]
            x = morris.sample(problem, d.samples, num_levels=levels, seed=spec.seed)
        table = pd.DataFrame(x, columns=problem["names"])
    for path in table.columns:
        if leaf_type(path, base) is int:
            table[path] = table[path].round().astype("int64")
    if d.method == "grid":
        table = table.drop_duplicates(ignore_index=True)
    table.index.name = "sample"
    return table
