"""Joint draws of the uncertain inputs, so that every answer can carry its uncertainty.

Two kinds of uncertain input are drawn together:

- **Labelled assumptions**: every row of ``data/parameters.csv`` whose source is a labelled
  assumption (``ASSUMPTION`` in ``data/provenance.csv``) and that states a range, drawn from a
  triangular distribution over its range that peaks at its default (:func:`assumption_ranges`,
  :func:`triangular`). Sourced and derived values stay at
  their value; simulation settings (``time.*``) are never drawn.
- **Fitted behaviour parameters**: tables of values of scenario fields by replicate (one row per
  curve, parameter and replicate, replicate 0 the point estimate), as a bootstrap of a fit
  writes them (``data/behaviour_fit.csv``, :func:`behaviour_fit_tables`). The parameters of one
  curve are drawn together, by replicate index, so their correlation is kept.

A :class:`Design` is a Latin hypercube of ``draws`` points with one dimension per drawn input
(a range, or the replicate index of a curve), and a run seed per draw. It is built once for
all the scenarios compared and gives common draws: draw ``k`` gives the same value of an input
to every scenario that uses it, and the same seed. Each dimension is stratified on its own,
seeded by the design's seed and the input's name, so an input's draws do not depend on which
other inputs are in the design.

Only inputs a scenario uses are drawn for it (:func:`used_inputs`): a field the scenario sets
itself (it no longer rests on the assumption), a lever's own parameters (``policies.*``: the
policy choice, not an uncertainty), the parameters of a curve whose lever is not in force, and
facility parameters without such a facility are held at the scenario's value. Drawn shares of
a composition (recycling lines' capacity shares) are rescaled so that they keep their sum.

:data:`TARGETS` are the 2035 targets read against a baseline, and :func:`target_met` decides
one draw, so the probability of meeting a target is the share of draws that meet it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from sim.batch.sweep import SweepError, leaf_type
from sim.errors import DataError, InputError
from sim.io import DATA_DIR, parameter_ranges, provenance_table, read_table
from sim.loader import default_scenario
from sim.mapping import get_path
from sim.scenario import Scenario

ArrayLikeFloat = Sequence[float] | np.ndarray | pd.Series

#: The source that marks a labelled assumption in ``data/provenance.csv``.
ASSUMPTION = "ASSUMPTION"
#: Bootstrap replicates of the fitted behaviour curves, in ``data/``.
BEHAVIOUR_FIT_FILE = "behaviour_fit.csv"
#: Columns of a replicate table (long format).
REPLICATE_COLUMNS = ("curve", "parameter", "replicate", "value", "unit")
#: The lever whose response a fitted curve describes: its parameters are drawn only where the
#: lever is in force.
CURVE_LEVERS: Mapping[str, str] = {
    "deposit": "deposit_return",
    "deposit_return": "deposit_return",
    "bags": "bag_levy",
    "bag": "bag_levy",
    "bag_levy": "bag_levy",
}
#: Parameters that act only through a kind of facility: drawn only where one exists.
FACILITY_INPUTS: Mapping[str, str] = {
    "aggregation.mrf_recovery_share": "mrf",
    "emissions.incineration_co2_t_per_t": "incinerator",
    "emissions.plastic_ncv_gj_per_t": "incinerator",
    "emissions.grid_t_co2_per_mwh": "incinerator",
}
#: Sections whose fields are shares that must keep their sum: drawn shares are rescaled to it.
COMPOSITIONS: tuple[str, ...] = ("market.capacity_share",)
#: Quantiles of the reported interval.
INTERVAL_QUANTILES = (0.05, 0.95)
#: Name of the sample column holding a curve's replicate index.
REPLICATE_PREFIX = "replicate:"


class UncertaintyError(InputError):
    """An uncertainty option or table is not valid (the CLI exits with code 2)."""


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """A target: ``indicator`` in ``year`` at least ``cut`` below the baseline's value.

    Attributes:
        indicator: Indicator name (:data:`sim.metrics.INDICATORS`).
        year: Year the target is due.
        cut: Required cut against the baseline (business as usual), as a fraction.
        source_key: Row of ``data/provenance.csv`` the target comes from.
        assumed: True when no official target was found and the value is a labelled assumption.
    """

    indicator: str
    year: int
    cut: float
    source_key: str
    assumed: bool = False

    def threshold(self, baseline_value: np.ndarray) -> np.ndarray:
        """The values the indicator must not exceed, given the baseline's values."""
        return baseline_value * (1.0 - self.cut)


#: The 2035 targets, defined once: Cambodia's GHG cut (NDC 3.0, Cambodia-Japan MoC), read as a
#: cut against the business-as-usual baseline; and, as a labelled assumption (no quantitative
#: target for plastic found: see the provenance row), halving the mismanaged share.
GHG_TARGET = Target("ghg_net_t_co2e", 2035, 0.55, "kh_ghg_reduction_target_2035")
MISMANAGED_TARGET = Target("mismanaged_rate", 2035, 0.50, "assumption_mismanaged_target_2035", assumed=True)
TARGETS: tuple[Target, ...] = (GHG_TARGET, MISMANAGED_TARGET)


def target_for(indicator: str) -> Target | None:
    """The target of an indicator, or None."""
    return next((t for t in TARGETS if t.indicator == indicator), None)


def target_met(target: Target, values: ArrayLikeFloat, baseline_values: ArrayLikeFloat) -> np.ndarray:
    """Whether each draw meets the target, against the baseline's value of the same draw."""
    values = np.asarray(values, dtype=float)
    reference = np.asarray(baseline_values, dtype=float)
    return values <= target.threshold(reference)


def chance_of_target(target: Target, values: ArrayLikeFloat, baseline_values: ArrayLikeFloat) -> float:
    """Share of draws meeting the target, each against the baseline's value in the same draw.

    Draws whose baseline value is not positive are left out (a percentage cut of it has no
    meaning); NaN when no draw is left.
    """
    values = np.asarray(values, dtype=float)
    reference = np.asarray(baseline_values, dtype=float)
    finite = np.isfinite(values) & np.isfinite(reference) & (reference > 0)
    if not finite.any():
        return float("nan")
    return float(target_met(target, values[finite], reference[finite]).mean())


# --------------------------------------------------------------------------- uncertain inputs


def assumption_ranges(data_dir: Path = DATA_DIR) -> dict[str, tuple[float, float]]:
    """The range of every parameter of ``parameters.csv`` that rests on a labelled assumption.

    A row counts when one of its source keys has the source ``ASSUMPTION`` in
    ``provenance.csv`` and its range is not empty (``low < high``).
    """
    assumed = {row["key"] for row in provenance_table(data_dir) if row["source"].strip() == ASSUMPTION}
    ranges = parameter_ranges(data_dir)
    out = {}
    for row in read_table("parameters.csv", data_dir):
        key = row["key"]
        if key in ranges and ranges[key][0] < ranges[key][1] and assumed & set(row["source_key"].split("|")):
            out[key] = ranges[key]
    return out


@dataclass(frozen=True)
class ReplicateTable:
    """Values of scenario fields drawn together by replicate index (e.g. a fit's bootstrap).

    Attributes:
        curve: Name of the fitted curve (also names its lever, :data:`CURVE_LEVERS`).
        values: One row per replicate (index ``replicate``, 1 and up), one column per field by
            dotted path.
        point: The point estimate (replicate 0) of every field.
        units: Unit of every field.
    """

    curve: str
    values: pd.DataFrame
    point: dict[str, float]
    units: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """The fields, by dotted path."""
        return list(self.values.columns)

    @property
    def lever(self) -> str | None:
        """The lever whose response this curve describes (None: drawn wherever its fields exist)."""
        return CURVE_LEVERS.get(self.curve)


def replicate_tables(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]], source: str
) -> dict[str, ReplicateTable]:
    """Replicate tables by curve from a long table ``curve, parameter, replicate, value, unit``.

    Args:
        rows: The table (``parameter`` is a scenario field by dotted path).
        source: Name used in error messages (the file).

    Fields with the same value in every replicate (settings the fit holds fixed) are left out:
    they are not uncertain. A curve with no field left is left out.

    Raises:
        DataError: For a missing column, a value that is not a number, a replicate that is not a
            whole number, a curve without replicate 0 or with no other replicate, or replicates
            that lack some of their curve's parameters.
    """
    table = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame([dict(r) for r in rows])
    missing = [c for c in REPLICATE_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{source}: missing column(s) {missing}; expected {list(REPLICATE_COLUMNS)}.")
    for column in ("replicate", "value"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = table.index[numbers.isna() | ~np.isfinite(numbers.fillna(0))]
        if len(bad):
            raise DataError(
                f"{source}: row {bad[0] + 2}, column {column}: {table.at[bad[0], column]!r} is not a number."
            )
        table[column] = numbers
    if (table["replicate"] % 1 != 0).any() or (table["replicate"] < 0).any():
        raise DataError(f"{source}: column replicate: must be whole numbers from 0 (0 = point estimate).")
    table["replicate"] = table["replicate"].astype("int64")
    out = {}
    for curve, part in table.groupby("curve", sort=True):
        wide = part.pivot_table(index="replicate", columns="parameter", values="value", aggfunc="first")
        if 0 not in wide.index or len(wide) < 2:
            raise DataError(
                f"{source}: curve {curve!r} needs replicate 0 (the point estimate) and at least one more."
            )
        if wide.isna().any().any():
            holes = wide.index[wide.isna().any(axis=1)].tolist()
            raise DataError(
                f"{source}: curve {curve!r}: replicate(s) {holes[:5]} lack some of its parameters."
            )
        units = dict(zip(part["parameter"], part["unit"].astype(str), strict=False))
        drawn = wide.drop(index=0).rename_axis(columns=None)
        drawn = drawn.loc[:, drawn.nunique() > 1]  # fields the fit holds fixed are not uncertain
        if drawn.shape[1]:
            out[str(curve)] = ReplicateTable(str(curve), drawn, _floats(wide, 0), units)
    return out


def _floats(table: pd.DataFrame, label: int) -> dict[str, float]:
    """The row ``label`` of a table of numbers as ``{column: value}``."""
    values = table.loc[[label]].to_numpy(dtype=float)[0]
    return {str(k): float(v) for k, v in zip(table.columns, values, strict=True)}


def behaviour_fit_tables(data_dir: Path = DATA_DIR) -> dict[str, ReplicateTable]:
    """The bootstrap replicates of the fitted behaviour curves (empty while there is no fit file)."""
    if not (Path(data_dir) / BEHAVIOUR_FIT_FILE).is_file():
        return {}
    return replicate_tables(
        read_table(BEHAVIOUR_FIT_FILE, data_dir), str(Path(data_dir) / BEHAVIOUR_FIT_FILE)
    )


# --------------------------------------------------------------------------- which inputs a scenario uses


def _path_exists(path: str, scenario: Scenario) -> bool:
    try:
        leaf_type(path, scenario)
    except SweepError:
        return False
    return True


def _facility_kinds(scenario: Scenario) -> set[str]:
    return {f.kind for f in scenario.all_facilities().values()}


def _rests_on_default(path: str, data: dict[str, Any], defaults: dict[str, Any]) -> bool:
    """Whether the scenario keeps the data's default at ``path`` (it did not set its own value)."""
    value, default = get_path(data, path), get_path(defaults, path)
    if value is None or default is None:
        return False
    return bool(np.isclose(float(value), float(default), rtol=1e-12, atol=0.0))


def used_inputs(
    scenario: Scenario,
    ranges: Mapping[str, tuple[float, float]],
    tables: Mapping[str, ReplicateTable],
    defaults: dict[str, Any] | None = None,
) -> tuple[list[str], list[str]]:
    """The ranged parameters and the curves a scenario uses, of those given.

    Args:
        scenario: The scenario.
        ranges: Ranged parameters by dotted path (a path a replicate table draws is skipped).
        tables: Replicate tables by curve.
        defaults: The default scenario as a mapping (read from ``data/`` when None).

    Returns:
        (parameter paths, curve names), in the order given.
    """
    defaults = default_scenario().model_dump(mode="json") if defaults is None else defaults
    data = scenario.model_dump(mode="json")
    kinds = _facility_kinds(scenario)
    in_tables = {p for table in tables.values() for p in table.paths}

    def uses(path: str) -> bool:
        if path.startswith("policies.") or not _path_exists(path, scenario):
            return False
        if path in FACILITY_INPUTS and FACILITY_INPUTS[path] not in kinds:
            return False
        return _rests_on_default(path, data, defaults)

    params = [p for p in ranges if p not in in_tables and uses(p)]
    curves = []
    for name, table in tables.items():
        lever_on = table.lever is None or getattr(scenario.policies, table.lever, None) is not None
        if lever_on and all(uses(p) for p in table.paths):
            curves.append(name)
    return params, curves


# --------------------------------------------------------------------------- the design


def _unit_draws(name: str, draws: int, seed: int) -> np.ndarray:
    """``draws`` points of a one-dimensional Latin hypercube on [0, 1), seeded by seed and name."""
    rng = np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])
    return qmc.LatinHypercube(d=1, rng=rng).random(draws)[:, 0]


def triangular(unit: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Values of a triangular distribution on [low, high] peaking at ``mode``, at quantiles ``unit``.

    The default of a parameter is its best estimate and the range its plausible extent, so
    values near the default are drawn more often than values near the ends of the range.
    """
    mode = min(max(mode, low), high)
    return stats.triang.ppf(unit, (mode - low) / (high - low), loc=low, scale=high - low)


def draw_seeds(draws: int, seed: int) -> tuple[int, ...]:
    """The run seed of every draw (``numpy.random.SeedSequence(seed)``, as sweeps draw them)."""
    return tuple(int(s) for s in np.random.SeedSequence(seed).generate_state(draws))


@dataclass(frozen=True)
class Design:
    """Common draws of the uncertain inputs for a set of scenarios.

    Attributes:
        draws: Number of draws.
        seed: Seed of the design and of the run seeds.
        ranges: Ranged parameters drawn for some scenario, by dotted path.
        tables: Replicate tables drawn for some scenario, by curve.
        samples: One row per draw (index ``draw``): the value of every ranged parameter (by
            path) and the replicate of every curve (column ``replicate:<curve>``).
        seeds: The run seed of every draw.
    """

    draws: int
    seed: int
    ranges: dict[str, tuple[float, float]]
    tables: dict[str, ReplicateTable]
    samples: pd.DataFrame
    seeds: tuple[int, ...]
    defaults: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    _used: dict[str, tuple[list[str], list[str]]] = field(repr=False, compare=False, default_factory=dict)

    def inputs(self, scenario: Scenario) -> tuple[list[str], list[str]]:
        """The ranged parameters and curves drawn for a scenario."""
        key = scenario.digest()
        if key not in self._used:
            self._used[key] = used_inputs(scenario, self.ranges, self.tables, self.defaults)
        return self._used[key]

    def varied(self, scenario: Scenario) -> int:
        """How many parameters are drawn for a scenario (each field of a curve counts)."""
        params, curves = self.inputs(scenario)
        return len(params) + sum(len(self.tables[c].paths) for c in curves)

    def overrides(self, draw: int, scenario: Scenario) -> dict[str, Any]:
        """The values of draw ``draw`` for the inputs a scenario uses, by dotted path."""
        params, curves = self.inputs(scenario)
        out: dict[str, Any] = {p: self.samples[p].to_numpy()[draw].item() for p in params}
        for name in curves:
            replicate = int(self.samples[REPLICATE_PREFIX + name].to_numpy()[draw])
            out.update(_floats(self.tables[name].values, replicate))
        return _keep_sums(out, scenario.model_dump(mode="json"))

    def scenario(self, draw: int, scenario: Scenario) -> Scenario:
        """The scenario with the values of draw ``draw``."""
        overrides = self.overrides(draw, scenario)
        return (
            scenario.with_overrides(overrides, source=f"uncertainty draw {draw}") if overrides else scenario
        )


def _keep_sums(values: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Drawn shares of a composition (:data:`COMPOSITIONS`) rescaled to the sum the scenario gives them."""
    out = dict(values)
    for section in COMPOSITIONS:
        members = [p for p in out if p.rsplit(".", 1)[0] == section]
        drawn = sum(out[p] for p in members)
        if members and drawn > 0:
            factor = sum(float(get_path(data, p)) for p in members) / drawn
            out.update({p: out[p] * factor for p in members})
    return out


def make_design(
    scenarios: Sequence[Scenario],
    draws: int,
    seed: int,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    tables: Mapping[str, ReplicateTable] | None = None,
) -> Design:
    """A Latin hypercube of the uncertain inputs that any of ``scenarios`` uses.

    Args:
        scenarios: The scenarios that will share the draws.
        draws: Number of draws (at least 2).
        seed: Seed of the design and of the run seeds.
        ranges: Ranged parameters; default: :func:`assumption_ranges`.
        tables: Replicate tables; default: :func:`behaviour_fit_tables`.

    Raises:
        UncertaintyError: For fewer than 2 draws or a range that is not ``low < high``.
    """
    if draws < 2:
        raise UncertaintyError(f"--uncertainty {draws}: give at least 2 draws.")
    ranges = dict(assumption_ranges() if ranges is None else ranges)
    tables = dict(behaviour_fit_tables() if tables is None else tables)
    for path, (low, high) in ranges.items():
        if not low < high:
            raise UncertaintyError(f"range of {path}: low ({low}) must be less than high ({high}).")
    defaults = default_scenario().model_dump(mode="json")
    used_params: set[str] = set()
    used_curves: set[str] = set()
    integer: set[str] = set()
    for sc in scenarios:
        params, curves = used_inputs(sc, ranges, tables, defaults)
        used_params.update(params)
        used_curves.update(curves)
        integer.update(p for p in params if leaf_type(p, sc) is int)
    drawn_ranges = {p: ranges[p] for p in ranges if p in used_params}
    drawn_tables = {c: tables[c] for c in tables if c in used_curves}
    columns: dict[str, Any] = {}
    for path, (low, high) in drawn_ranges.items():
        values = triangular(_unit_draws(path, draws, seed), low, float(get_path(defaults, path)), high)
        columns[path] = np.round(values).astype("int64") if path in integer else values
    for name, table in drawn_tables.items():
        index = np.floor(_unit_draws(REPLICATE_PREFIX + name, draws, seed) * len(table.values)).astype(int)
        columns[REPLICATE_PREFIX + name] = table.values.index.to_numpy()[index]
    samples = pd.DataFrame(columns, index=pd.RangeIndex(draws, name="draw"))
    return Design(draws, seed, drawn_ranges, drawn_tables, samples, draw_seeds(draws, seed), defaults)


def interval(
    values: ArrayLikeFloat, quantiles: tuple[float, float] = INTERVAL_QUANTILES
) -> tuple[float, float]:
    """The (low, high) quantiles of finite values (NaN, NaN without any)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(values, quantiles)
    return float(low), float(high)
