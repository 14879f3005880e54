"""Result tables of a run and writing them to disk atomically.

:func:`collect` builds a :class:`RunResult` from a finished model: the ``timeseries`` table and
the ``summary`` at once, and a :class:`FlowRecord` holding the ledger's arrays, from which the
long ``flows`` and ``stocks`` tables are built only when first used (or written).

Tables (tidy, city scale, units in column names):

- ``timeseries``: one row per step: ``step, year, month, date`` and every indicator of
  :data:`sim.metrics.INDICATORS`;
- ``flows``: ``step, year, source, target, material, tonnes``: every movement (zeros omitted);
- ``stocks``: ``step, year, node, material, tonnes``: end-of-step stock of every node where
  plastic ends up (:data:`sim.network.FATE_KINDS`: landfills, incinerators and the boundary
  sinks) or waits to be sold (:data:`sim.network.HOLDING_KINDS`: junk shops' inventory);
- ``summary`` (``summary.json``): scenario, its hash, seed, scale, versions, run time and
  ``indicators_by_year``.

:attr:`RunResult.annual` reads the indicators by year from the summary, and
:meth:`RunResult.flows_by_year` sums the flow arrays by year and edge.
"""

from __future__ import annotations

import json
import platform
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim import atomic
from sim import network as net
from sim.errors import OutputError
from sim.materials import MATERIALS
from sim.metrics import INDICATORS, annual, step_indicators

MATERIAL_NAMES = np.array([m.value for m in MATERIALS])

Format = Literal["parquet", "csv"]
RESULT_TABLES = ("timeseries", "flows", "stocks")
SUMMARY_FILE = "summary.json"
#: Every file a result folder may hold.
RESULT_FILES = frozenset({f"{t}.{ext}" for t in RESULT_TABLES for ext in ("parquet", "csv")} | {SUMMARY_FILE})
#: Keys by which a ``summary.json`` is recognised as written by this program.
RESULT_MARKS = frozenset({"scenario", "scenario_hash", "seed", "indicators_by_year", "versions"})


@dataclass(frozen=True)
class FlowRecord:
    """The ledger's arrays of a finished run, from which the long tables are built on demand."""

    flows: np.ndarray  # [t] by step, edge, material
    edges: list[tuple[str, str]]
    stocks: np.ndarray  # [t] by step, held node, material (end of step)
    held_nodes: list[str]
    start_year: int
    steps_per_year: int

    def years(self, steps: np.ndarray) -> np.ndarray:
        """The calendar year of each step."""
        return self.start_year + steps // self.steps_per_year


@dataclass
class RunResult:
    """Everything a run produced. ``flows`` and ``stocks`` are built when first used."""

    timeseries: pd.DataFrame
    record: FlowRecord = field(repr=False)
    summary: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def flows(self) -> pd.DataFrame:
        """Every movement: ``step, year, source, target, material, tonnes`` (zeros omitted)."""
        rec = self.record
        s, e, m = np.nonzero(rec.flows)
        edges = np.array(rec.edges, dtype=object).reshape(-1, 2)
        return pd.DataFrame(
            {
                "step": s,
                "year": rec.years(s),
                "source": edges[e, 0].astype(str),
                "target": edges[e, 1].astype(str),
                "material": MATERIAL_NAMES[m],
                "tonnes": rec.flows[s, e, m],
            }
        )

    @cached_property
    def stocks(self) -> pd.DataFrame:
        """End-of-step stock of every node that holds plastic: ``step, year, node, material, tonnes``."""
        rec = self.record
        n_steps, n_nodes, n_mat = rec.stocks.shape
        st, nd, mt = np.meshgrid(np.arange(n_steps), np.arange(n_nodes), np.arange(n_mat), indexing="ij")
        return pd.DataFrame(
            {
                "step": st.ravel(),
                "year": rec.years(st.ravel()),
                "node": np.array(rec.held_nodes)[nd.ravel()],
                "material": MATERIAL_NAMES[mt.ravel()],
                "tonnes": rec.stocks.ravel(),
            }
        )

    def flows_by_year(self) -> pd.DataFrame:
        """Tonnes per year (rows) and edge (columns ``(source, target)``), all materials."""
        rec = self.record
        steps = np.arange(rec.flows.shape[0])
        by_edge = pd.DataFrame(rec.flows.sum(axis=2), columns=pd.MultiIndex.from_tuples(rec.edges))
        table = by_edge.groupby(rec.years(steps)).sum()
        table.index.name = "year"
        return table

    @property
    def annual(self) -> pd.DataFrame:
        """Indicators by year (the same numbers as ``summary['indicators_by_year']``)."""
        table = pd.DataFrame.from_dict(self.summary["indicators_by_year"], orient="index")
        table.index = table.index.astype(int)
        table.index.name = "year"
        return table

    def write(self, out_dir: str | Path, fmt: Format = "parquet", force: bool = False) -> Path:
        """Write the tables and ``summary.json`` to ``out_dir``, all or nothing.

        Files are written into a temporary folder beside ``out_dir`` and moved into place only
        when all are complete, so an interrupted write never leaves a half-written result. See
        :func:`prepare_result_dir` for which folders may be written.

        Args:
            out_dir: The result folder.
            fmt: Table format.
            force: Replace an earlier result in ``out_dir``.

        Raises:
            OutputError: If ``out_dir`` cannot be written (see :func:`prepare_result_dir`).
            ValueError: If the summary holds a value that is not a finite number.
        """
        out = Path(out_dir)
        prepare_result_dir(out, force)
        summary = atomic.dumps_strict(self.summary, what=str(out / SUMMARY_FILE))
        tmp = atomic.make_temp_dir(out)
        try:
            for name in RESULT_TABLES:
                table = getattr(self, name)
                if fmt == "parquet":
                    table.to_parquet(tmp / f"{name}.parquet", index=False)
                else:
                    table.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / SUMMARY_FILE).write_text(summary, encoding="utf-8")
            atomic.publish_dir(tmp, out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        return out


def is_result_dir(path: Path) -> bool:
    """Whether ``path`` is a run result written by this program, holding nothing else.

    A result folder holds ``summary.json`` (with the keys this program writes) and the result
    tables, and no other file: a folder where anything else was added is not replaced.
    """
    summary = path / SUMMARY_FILE
    if not path.is_dir() or not summary.is_file():
        return False
    if any(entry.name not in RESULT_FILES or not entry.is_file() for entry in path.iterdir()):
        return False
    try:
        content = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(content, dict) and set(content) >= RESULT_MARKS


def prepare_result_dir(
    out_dir: str | Path, force: bool = False, notify: Callable[[str], None] | None = None
) -> Path:
    """Check, before a run, that its result can be written to ``out_dir``; tidy up after killed runs.

    ``out_dir`` may be new, an empty folder, or (with ``force``) an earlier result of this
    program (:func:`is_result_dir`). Anything else is refused and left untouched. Temporary
    folders of runs that were killed are removed, and an earlier result that a killed run had
    moved aside while replacing it is put back (:func:`sim.atomic.recover_dir`).

    Args:
        out_dir: The result folder.
        force: Allow replacing an earlier result.
        notify: Called with a sentence for the user when an earlier result is restored or
            removed (default: :func:`warnings.warn`).

    Returns:
        The result folder.

    Raises:
        OutputError: If the path cannot be used, holds files that are not a result of this
            program, or holds an earlier result and ``force`` is off.
    """
    out = atomic.check_output_dir(out_dir)
    for note in atomic.recover_dir(out, is_result_dir):
        (notify or warnings.warn)(note)
    atomic.clean_stale(out.parent)
    if not out.is_dir() or not any(out.iterdir()):
        return out
    if not is_result_dir(out):
        found = sorted(entry.name for entry in out.iterdir())
        shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
        raise OutputError(
            f"{out}: exists and holds files that are not a result of this program ({shown}); "
            "nothing was changed. Choose a new or empty folder."
        )
    if not force:
        raise OutputError(
            f"{out}: holds an earlier result; pass --force to replace it, or choose another folder."
        )
    return out


@cache
def _versions() -> tuple[tuple[str, str], ...]:
    from sim import __version__

    out = {"sim": __version__, "python": platform.python_version()}
    for pkg in ("mesa", "numpy", "networkx", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return tuple(out.items())


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers (read once per process)."""
    return dict(_versions())


@cache
def _date_dtype() -> Any:
    """The dtype pandas gives dates built from year, month and day (microseconds in pandas 3, nanoseconds before)."""
    return pd.to_datetime({"year": [2000], "month": [1], "day": [1]}).dtype


def _date_columns(df: pd.DataFrame, model: Any) -> pd.DataFrame:
    spy = model.scenario.time.steps_per_year
    steps = np.arange(model.n_steps)
    year = model.scenario.time.start_year + steps // spy
    month = (steps % spy) * 12 // spy + 1
    # The first of each month, as pd.to_datetime of year, month and day 1 gives it (20 times faster).
    date = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype(_date_dtype())
    dates = pd.DataFrame({"step": steps, "year": year, "month": month, "date": date}, index=df.index)
    return pd.concat([dates, df], axis=1)


def collect(model: Any, seed: int | None, seconds: float) -> RunResult:
    """Build the result tables of a finished model run."""
    sc = model.scenario
    ledger = model.ledger
    spy = sc.time.steps_per_year
    timeseries = _date_columns(step_indicators(model), model)

    kinds = dict(model.graph.nodes(data=net.KIND))
    held = [i for i, n in enumerate(ledger.nodes) if kinds[n] in net.FATE_KINDS | net.HOLDING_KINDS]
    record = FlowRecord(
        flows=ledger.flows,
        edges=list(ledger.edges),
        stocks=ledger.stock_history[:, held],
        held_nodes=[ledger.nodes[i] for i in held],
        start_year=sc.time.start_year,
        steps_per_year=spy,
    )
    years = annual(timeseries, sc.city.plastic_share_of_msw)
    names = list(years.columns)
    by_year = {
        str(year): {k: (None if v != v else v) for k, v in zip(names, row, strict=True)}  # NaN -> None
        for year, row in zip(years.index, years.to_numpy(dtype=float).tolist(), strict=True)
    }
    summary = {
        "scenario": sc.name,
        "scenario_hash": sc.digest(),
        "seed": seed,
        "scale": model.scale,
        "households_simulated": int(model.households.n),
        "steps": model.n_steps,
        "run_seconds": round(seconds, 3),
        "versions": versions(),
        "units": {k: ind.unit for k, ind in INDICATORS.items()},
        "indicators_by_year": by_year,
    }
    return RunResult(timeseries=timeseries, record=record, summary=summary)
