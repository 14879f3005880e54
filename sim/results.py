"""Result tables of a run and writing them to disk atomically.

Tables (tidy, city scale, units in column names):

- ``timeseries``: one row per step: ``step, year, month, date`` and every indicator of
  :data:`sim.metrics.INDICATORS`;
- ``flows``: ``step, year, source, target, material, tonnes``: every movement (zeros omitted);
- ``stocks``: ``step, year, node, material, tonnes``: end-of-step stock of every node that holds
  plastic (landfills, incinerators and the boundary sinks);
- ``summary`` (``summary.json``): scenario, its hash, seed, scale, versions, run time and
  ``indicators_by_year``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim import network as net
from sim.materials import MATERIALS
from sim.metrics import INDICATORS, annual, step_indicators

Format = Literal["parquet", "csv"]


@dataclass
class RunResult:
    """Everything a run produced."""

    timeseries: pd.DataFrame
    flows: pd.DataFrame
    stocks: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def annual(self) -> pd.DataFrame:
        """Indicators by year (the same numbers as ``summary['indicators_by_year']``)."""
        table = pd.DataFrame.from_dict(self.summary["indicators_by_year"], orient="index")
        table.index = table.index.astype(int)
        table.index.name = "year"
        return table

    def write(self, out_dir: str | Path, fmt: Format = "parquet") -> Path:
        """Write the tables and ``summary.json`` to ``out_dir``, all or nothing.

        Files are written into a temporary folder beside ``out_dir`` and moved into place only
        when all are complete, so an interrupted write never leaves a half-written result.
        """
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            for name in ("timeseries", "flows", "stocks"):
                table = getattr(self, name)
                if fmt == "parquet":
                    table.to_parquet(tmp / f"{name}.parquet", index=False)
                else:
                    table.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "summary.json").write_text(json.dumps(self.summary, indent=2, default=_json))
            if out.exists():
                old = out.with_name(f".{out.name}.old-{os.getpid()}")
                out.rename(old)
                tmp.rename(out)
                shutil.rmtree(old)
            else:
                tmp.rename(out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        return out


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers."""
    from sim import __version__

    out = {"sim": __version__, "python": platform.python_version()}
    for pkg in ("mesa", "numpy", "networkx", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def _date_columns(df: pd.DataFrame, model: Any) -> pd.DataFrame:
    spy = model.scenario.time.steps_per_year
    steps = np.arange(model.n_steps)
    df.insert(0, "step", steps)
    df.insert(1, "year", model.scenario.time.start_year + steps // spy)
    df.insert(2, "month", (steps % spy) * 12 // spy + 1)
    df.insert(3, "date", pd.to_datetime({"year": df["year"], "month": df["month"], "day": 1}))
    return df


def collect(model: Any, seed: int | None, seconds: float) -> RunResult:
    """Build the result tables of a finished model run."""
    sc = model.scenario
    ledger = model.ledger
    spy = sc.time.steps_per_year
    timeseries = _date_columns(step_indicators(model), model)

    materials = np.array([m.value for m in MATERIALS])
    s, e, m = np.nonzero(ledger.flows)
    edges = np.array(ledger.edges, dtype=object).reshape(-1, 2)
    flows = pd.DataFrame(
        {
            "step": s,
            "year": sc.time.start_year + s // spy,
            "source": edges[e, 0].astype(str),
            "target": edges[e, 1].astype(str),
            "material": materials[m],
            "tonnes": ledger.flows[s, e, m],
        }
    )
    kinds = dict(model.graph.nodes(data=net.KIND))
    held = [i for i, n in enumerate(ledger.nodes) if kinds[n] in net.FATE_KINDS]
    hist = ledger.stock_history[:, held]
    st, nd, mt = np.meshgrid(
        np.arange(model.n_steps), np.arange(len(held)), np.arange(len(MATERIALS)), indexing="ij"
    )
    stocks = pd.DataFrame(
        {
            "step": st.ravel(),
            "year": sc.time.start_year + st.ravel() // spy,
            "node": np.array([ledger.nodes[i] for i in held])[nd.ravel()],
            "material": materials[mt.ravel()],
            "tonnes": hist.ravel(),
        }
    )
    years = annual(timeseries, sc.city.plastic_share_of_msw)
    by_year = {
        str(year): {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
        for year, row in years.iterrows()
    }
    summary = {
        "scenario": sc.name,
        "scenario_hash": sc.digest(),
        "seed": seed,
        "scale": model.scale,
        "households_simulated": int(sum(p.n for p in model.households)),
        "steps": model.n_steps,
        "run_seconds": round(seconds, 3),
        "versions": versions(),
        "units": {k: ind.unit for k, ind in INDICATORS.items()},
        "indicators_by_year": by_year,
    }
    return RunResult(timeseries=timeseries, flows=flows, stocks=stocks, summary=summary)
