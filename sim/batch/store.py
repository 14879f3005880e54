"""A sweep's results on disk: one Parquet file per run, a manifest, and reading them back.

Layout of a sweep folder::

    sweep.json        the sweep (spec, hash, base scenario, seeds, design problem, versions)
    samples.parquet   one row per sample: ``sample`` and the value of every varied input
    manifest.jsonl    one line per finished run: sweep_hash, sample, rep, seed, status, error,
                      duration_s, host, finished_at, versions
    runs/sample=12/rep=1/part.parquet
                      the run's kept indicators: ``year``, ``seed`` and one column per indicator

Run files are Hive-style partitions, so DuckDB, pyarrow or Spark read them as one table with
``sample`` and ``rep`` columns. The folder is created complete (``sweep.json`` and
``samples.parquet`` in a temporary folder, renamed into place); each run file is written with
:func:`sim.atomic.write_file`, and its manifest line is appended only afterwards, so an
interrupted sweep leaves only complete runs behind. A run counts as finished when its manifest
line says ``ok`` and its file exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import atomic
from sim.batch.sweep import Sweep, SweepError
from sim.results import versions

SWEEP_FILE = "sweep.json"
SAMPLES_FILE = "samples.parquet"
MANIFEST_FILE = "manifest.jsonl"
RUNS_DIR = "runs"
RUN_FILE = "part.parquet"


@dataclass(frozen=True)
class RunRecord:
    """One manifest line: how a run ended."""

    sweep_hash: str
    sample: int
    rep: int
    seed: int
    status: str  # "ok" or "failed"
    error: str | None
    duration_s: float
    host: str
    finished_at: str
    versions: dict[str, str]


def run_path(out: Path, sample: int, rep: int) -> Path:
    """Where the result of one run lives."""
    return out / RUNS_DIR / f"sample={sample}" / f"rep={rep}" / RUN_FILE


def write_table(table: pd.DataFrame, path: Path) -> Path:
    """Write a table as Parquet to ``path`` all or nothing (see :func:`sim.atomic.write_file`)."""
    return atomic.write_file(path, lambda tmp: table.to_parquet(tmp, index=False))


#: Old temporary names (before they carried the process id) a killed creation could leave.
_OLD_TEMP = re.compile(rf"^\.({re.escape(SAMPLES_FILE)}|{re.escape(SWEEP_FILE)})\.[0-9a-f]{{32}}\.tmp$")


def _creation_leftovers_only(out: Path) -> bool:
    """Whether ``out`` holds only what an interrupted creation of a sweep folder leaves behind."""
    return all(
        entry.name == SAMPLES_FILE or atomic.is_temp_name(entry.name) or _OLD_TEMP.match(entry.name)
        for entry in out.iterdir()
    )


class SweepStore:
    """The folder of one sweep: creates it, records runs, and knows which runs are finished."""

    def __init__(self, out: str | Path, sweep: Sweep) -> None:
        """The store of ``sweep`` in the folder ``out`` (nothing is read or written yet)."""
        self.out = Path(out)
        self.sweep = sweep

    @classmethod
    def open(cls, out: str | Path, sweep: Sweep, resume: bool) -> SweepStore:
        """Create the sweep folder, or reopen it to resume the same sweep.

        The folder is created complete or not at all (built in a temporary folder, then
        renamed). With ``resume``, a missing folder is created, and a folder whose creation
        was interrupted by an older version of this program is finished. Temporary files of
        killed processes are removed.

        Raises:
            OutputError: If ``out`` is a file or cannot be written.
            SweepError: If ``out`` holds another sweep, or holds this one and ``resume`` is
                off, or holds files that are not a sweep's.
        """
        store = cls(atomic.check_output_dir(out, inside=True), sweep)
        atomic.clean_stale(store.out.parent)
        info = store.out / SWEEP_FILE
        if info.is_file():
            found = json.loads(info.read_text(encoding="utf-8")).get("hash")
            if found != sweep.hash:
                raise SweepError(
                    f"{store.out}: holds the results of another sweep (hash {found}, this one {sweep.hash}); "
                    "choose another --out."
                )
            if not resume:
                raise SweepError(
                    f"{store.out}: already holds results of this sweep; pass --resume to finish it, "
                    "or choose another --out."
                )
            store._clean_stale_runs()
        elif store.out.is_dir() and any(store.out.iterdir()):
            if not _creation_leftovers_only(store.out):
                raise SweepError(f"{store.out}: exists and is not a sweep folder; choose another --out.")
            if not resume:
                raise SweepError(
                    f"{store.out}: holds a sweep folder whose creation was interrupted; pass --resume "
                    "to finish it, or choose another --out."
                )
            store._create()
        else:
            store._create()
        return store

    def _clean_stale_runs(self) -> None:
        atomic.clean_stale(self.out)
        for folder in (self.out / RUNS_DIR).glob("sample=*/rep=*"):
            atomic.clean_stale(folder)

    def _create(self) -> None:
        sw = self.sweep
        tmp = atomic.make_temp_dir(self.out)
        try:
            write_table(sw.samples.reset_index(), tmp / SAMPLES_FILE)
            info = {
                "hash": sw.hash,
                "name": sw.spec.name,
                "description": sw.spec.description,
                "source": sw.source,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "spec": sw.spec.model_dump(mode="json"),
                "base_scenario": {"name": sw.base.name, "hash": sw.base.digest()},
                "parameters": sw.parameters,
                "problem": sw.problem(),
                "seeds": list(sw.seeds),
                "years": list(sw.years),
                "n_samples": len(sw.samples),
                "n_runs": sw.n_runs,
                "versions": versions(),
            }
            atomic.write_json(tmp / SWEEP_FILE, info)
            atomic.publish_dir(tmp, self.out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)

    def finished(self) -> set[tuple[int, int]]:
        """(sample, rep) of every run that finished OK and whose file exists."""
        latest = {(r["sample"], r["rep"]): r for r in read_manifest_lines(self.out)}
        return {
            key
            for key, r in latest.items()
            if r["status"] == "ok"
            and r["sweep_hash"] == self.sweep.hash
            and run_path(self.out, *key).is_file()
        }

    def save(self, record: RunRecord, table: pd.DataFrame | None) -> None:
        """Write a run's table (when it succeeded), then append its manifest line."""
        if table is not None:
            write_table(table, run_path(self.out, record.sample, record.rep))
        manifest = self.out / MANIFEST_FILE
        line = atomic.dumps_strict(asdict(record), indent=None, what=str(manifest)) + "\n"
        with manifest.open("a+b") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":  # a line cut short by a kill: end it first
                    fh.write(b"\n")
            fh.write(line.encode())
            fh.flush()
            os.fsync(fh.fileno())


# --------------------------------------------------------------------------- reading


def read_manifest_lines(sweep_dir: str | Path) -> list[dict[str, Any]]:
    """The manifest's records in the order they were written (a torn last line is skipped)."""
    path = Path(sweep_dir) / MANIFEST_FILE
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def sweep_info(sweep_dir: str | Path) -> dict[str, Any]:
    """The sweep's description as written in ``sweep.json``.

    Raises:
        SweepError: If ``sweep_dir`` is not a sweep folder.
    """
    path = Path(sweep_dir) / SWEEP_FILE
    if not path.is_file():
        raise SweepError(
            f"{sweep_dir}: not a sweep folder (no {SWEEP_FILE}); run `python -m sim batch` first."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load_manifest(sweep_dir: str | Path) -> pd.DataFrame:
    """The latest manifest record of every run: one row per (sample, rep)."""
    records = read_manifest_lines(sweep_dir)
    columns = [f for f in RunRecord.__dataclass_fields__ if f != "versions"]
    if not records:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(records).drop_duplicates(["sample", "rep"], keep="last")
    return table[columns].sort_values(["sample", "rep"], ignore_index=True)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def load_sweep_results(
    sweep_dir: str | Path,
    indicators: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Every finished run of a sweep as one tidy table, read with DuckDB.

    Args:
        sweep_dir: A folder written by :func:`sim.batch.run_sweep` (or ``python -m sim batch``).
        indicators: Indicator columns to return; default: all the sweep kept.
        years: Years to return; default: all the sweep kept.

    Returns:
        One row per run and year: ``sample``, ``rep``, ``seed``, ``year``, one column per varied
        input (named by its dotted path), then one column per indicator; sorted by sample, rep
        and year.

    Raises:
        SweepError: If ``sweep_dir`` is not a sweep folder or an indicator was not kept.
    """
    import duckdb

    out = Path(sweep_dir)
    info = sweep_info(out)
    kept = info["spec"]["indicators"]
    names = list(kept if indicators is None else indicators)
    missing = [n for n in names if n not in kept]
    if missing:
        raise SweepError(f"{out}: indicator(s) {missing} were not kept by this sweep; kept: {kept}.")
    params = info["parameters"]
    columns = ["sample", "rep", "seed", "year", *params, *names]
    if not any((out / RUNS_DIR).glob(f"*/*/{RUN_FILE}")):
        return pd.DataFrame(columns=columns)
    runs = (
        f"read_parquet({_sql_text(str(out / RUNS_DIR / '*' / '*' / RUN_FILE))}, hive_partitioning = true, "
        "hive_types = {'sample': BIGINT, 'rep': BIGINT})"
    )
    samples = f"read_parquet({_sql_text(str(out / SAMPLES_FILE))})"
    select = ", ".join(f'"{c}"' for c in columns)
    where = "" if years is None else "WHERE year IN (" + ", ".join(str(int(y)) for y in years) + ")"
    sql = f"SELECT {select} FROM {runs} AS r JOIN {samples} AS s USING (sample) {where} ORDER BY sample, rep, year"
    with duckdb.connect() as con:
        return con.execute(sql).df()


def summarise_sweep(results: pd.DataFrame, indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """The spread of each indicator across a sweep's runs, by year (for uncertainty bands).

    Args:
        results: A table from :func:`load_sweep_results`.
        indicators: Indicators to summarise; default: every indicator column in ``results``.

    Returns:
        One row per year and indicator: ``year``, ``indicator``, ``runs``, ``mean``, ``sd``,
        ``p05``, ``p50``, ``p95``.
    """
    from sim.metrics import INDICATORS

    names = [c for c in results.columns if c in INDICATORS] if indicators is None else list(indicators)
    long = results.melt(id_vars=["year"], value_vars=names, var_name="indicator")
    grouped = long.groupby(["year", "indicator"], sort=True)["value"]
    table = grouped.agg(
        runs="count",
        mean="mean",
        sd="std",
        p05=lambda v: v.quantile(0.05),
        p50="median",
        p95=lambda v: v.quantile(0.95),
    )
    return table.reset_index()
