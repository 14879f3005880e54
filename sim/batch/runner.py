"""Running a sweep: every (sample, replication) is one independent task on an executor.

The runner takes any :class:`concurrent.futures.Executor`: a local process pool by default, the
executor of a Dask ``Client`` to run on a cluster (``client.get_executor()``), or
:class:`InlineExecutor` to run in this process. Tasks carry everything they need (the base
scenario, the sample's overrides, the seed), so the same sweep gives the same numbers wherever
it runs. Results come back to this process, which writes them (see :mod:`sim.batch.store`):
workers need no shared disk.

:func:`simulate` is the model as a function of named inputs returning named outcomes, for
samplers and evaluators such as the EMA Workbench.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.store import RunRecord, SweepStore
from sim.batch.sweep import Sweep, load_sweep
from sim.errors import InputError
from sim.loader import default_scenario, load_scenario
from sim.metrics import INDICATORS
from sim.results import versions
from sim.runner import DEFAULT_SEED, run_scenario
from sim.scenario import Scenario

#: Most tasks handed to the executor at once (bounds memory for very large sweeps).
MAX_IN_FLIGHT = 1024
#: How often [s] a sweep waiting for results checks that its executor still has workers.
WATCH_EVERY_S = 1.0


@dataclass(frozen=True)
class Task:
    """One run of a sweep: a sample of inputs with one seed."""

    sample: int
    rep: int
    seed: int
    base: Scenario
    overrides: dict[str, Any]
    scale: float
    indicators: tuple[str, ...]
    years: tuple[int, ...]


@dataclass
class TaskResult:
    """What a task sends back: the kept indicators by year, or the error it raised."""

    task: Task
    table: pd.DataFrame | None
    error: str | None
    duration_s: float
    host: str = field(default_factory=socket.gethostname)
    versions: dict[str, str] = field(default_factory=versions)  # where the task ran


def annual_outcomes(
    scenario: Scenario, seed: int, scale: float, indicators: Sequence[str], years: Sequence[int] | None = None
) -> pd.DataFrame:
    """Run a scenario and keep some indicators by year (one row per year, column ``year``)."""
    table = run_scenario(scenario, seed=seed, scale=scale).annual
    if years is not None:
        table = table[table.index.isin(years)]
    return table[list(indicators)].astype("float64").reset_index()


def run_task(task: Task) -> TaskResult:
    """Run one task; an exception is caught and sent back as text, so the sweep goes on."""
    start = time.perf_counter()
    try:
        scenario = task.base.with_overrides(task.overrides, source=f"sample {task.sample}")
        table = annual_outcomes(scenario, task.seed, task.scale, task.indicators, task.years)
        table.insert(1, "seed", task.seed)
        return TaskResult(task, table, None, time.perf_counter() - start)
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        inside = last and not isinstance(exc, InputError)  # where the model raised, for a bug report
        where = f" (at {Path(last[0].filename).name}:{last[0].lineno})" if inside else ""
        error = f"{type(exc).__name__}: {exc}{where}"
        return TaskResult(task, None, error, time.perf_counter() - start)


def tasks(sweep: Sweep) -> Iterator[Task]:
    """Every (sample, replication) of a sweep, sample by sample."""
    for sample in sweep.samples.index:
        overrides = sweep.overrides(int(sample))
        for rep, seed in enumerate(sweep.seeds):
            yield Task(
                int(sample),
                rep,
                seed,
                sweep.base,
                overrides,
                sweep.spec.scale,
                tuple(sweep.spec.indicators),
                sweep.years,
            )


class InlineExecutor(Executor):
    """Runs each task at once in this process (for tests, debugging and tiny sweeps)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now and return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def _ignore_interrupt() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A local process pool of ``workers`` processes (default: one per CPU).

    Workers are started with ``spawn``: each is a fresh interpreter, like a cluster node, and
    nothing depends on the global start method (which ``mesa.batchrunner`` changes when
    imported). A script that uses the pool needs the ``if __name__ == "__main__":`` guard.
    """
    return ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_interrupt,
    )


@dataclass
class SweepReport:
    """How a call of :func:`run_sweep` went."""

    out: Path
    total: int
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[RunRecord] = field(default_factory=list)


def _record(sweep: Sweep, result: TaskResult) -> RunRecord:
    t = result.task
    return RunRecord(
        sweep_hash=sweep.hash,
        sample=t.sample,
        rep=t.rep,
        seed=t.seed,
        status="ok" if result.error is None else "failed",
        error=result.error,
        duration_s=round(result.duration_s, 3),
        host=result.host,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions=result.versions,
    )


def _execute(executor: Executor, todo: Sequence[Task]) -> Iterator[TaskResult]:
    """Yield task results as they finish, keeping at most :data:`MAX_IN_FLIGHT` submitted."""
    queue = iter(todo)
    running: dict[Future, Task] = {}
    window = 1 if isinstance(executor, InlineExecutor) else MAX_IN_FLIGHT
    check_workers = getattr(executor, "check_workers", None)  # see sim.batch.cluster.DaskExecutor

    def fill() -> None:
        while len(running) < window and (task := next(queue, None)) is not None:
            running[executor.submit(run_task, task)] = task

    try:
        fill()
        while running:
            done, _ = wait(list(running), timeout=WATCH_EVERY_S, return_when=FIRST_COMPLETED)
            if not done and check_workers is not None:
                check_workers()  # raises WorkersLostError when the cluster has had no worker for too long
            for future in done:
                task = running.pop(future)
                try:
                    yield future.result()
                except Exception as exc:  # the executor lost the task (worker died, pool broken)
                    yield TaskResult(task, None, f"{type(exc).__name__}: {exc}", 0.0)
            fill()
    finally:
        for future in running:
            future.cancel()


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: Callable[[RunRecord | None, int, int], None] | None = None,
) -> SweepReport:
    """Run every (sample, replication) of a sweep and write the results to ``out``.

    Args:
        sweep: A sweep, or a sweep file.
        out: Folder for the results (see :mod:`sim.batch.store`).
        executor: Where tasks run; default: a local process pool of ``workers`` processes. The
            caller keeps ownership of an executor it passes (it is not shut down here).
        workers: Processes of the default pool (default: one per CPU).
        resume: Continue a sweep already in ``out``: runs that finished OK are skipped, runs
            that failed or never finished are run again.
        progress: Called as ``progress(record, done, total)`` once at the start (``record`` is
            None and ``done`` counts skipped runs), then after every run.

    Returns:
        Counts of runs skipped, finished and failed, and the errors.

    Raises:
        SweepError: If the sweep file is not valid, or ``out`` holds other results.
        KeyboardInterrupt: On Ctrl-C, after cancelling the runs not yet started; finished
            runs stay in ``out``.
        sim.batch.cluster.WorkersLostError: If the executor is a
            :class:`~sim.batch.cluster.DaskExecutor` whose cluster has had no worker for its
            timeout; finished runs stay in ``out``.
    """
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    start = time.perf_counter()
    store = SweepStore.open(out, sweep, resume)
    finished = store.finished()
    todo = [t for t in tasks(sweep) if (t.sample, t.rep) not in finished]
    report = SweepReport(Path(out), total=sweep.n_runs, skipped=sweep.n_runs - len(todo))
    if progress is not None:
        progress(None, report.skipped, report.total)
    own = executor is None
    pool = local_pool(workers) if executor is None else executor
    interrupted = False
    try:
        for result in _execute(pool, todo):
            record = _record(sweep, result)
            store.save(record, result.table)
            if record.status == "ok":
                report.ok += 1
            else:
                report.failed += 1
                report.errors.append(record)
            if progress is not None:
                progress(record, report.skipped + report.ok + report.failed, report.total)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if own:
            pool.shutdown(wait=not interrupted, cancel_futures=True)
        report.seconds = time.perf_counter() - start
    return report


# --------------------------------------------------------------------------- model function


@lru_cache(maxsize=8)
def _scenario_file(path: str) -> Scenario:
    return load_scenario(path)


def simulate(
    *,
    scenario: Scenario | str | Path | None = None,
    seed: int = DEFAULT_SEED,
    scale: float = 0.01,
    year: int | None = None,
    **inputs: Any,
) -> dict[str, Any]:
    """The model as a function of named inputs returning named outcomes.

    Inputs are scenario fields by dotted path, or with ``__`` in place of each dot so that
    they are Python identifiers (``behaviour__value_coef=2.0``); policy levers too
    (``policies__collection_coverage__target_coverage=0.9``). Any sampler or evaluator that
    calls a function with keyword arguments can drive the model this way, e.g. the EMA
    Workbench (``examples/ema_example.py``).

    Args:
        scenario: The base scenario or its file; default: the defaults in ``data/``.
        seed: Random seed of the run.
        scale: Fraction of households simulated.
        year: The year of the scalar outcomes; default: the last simulated year.
        **inputs: Values of scenario fields, by dotted path.

    Returns:
        For every indicator in :data:`sim.metrics.INDICATORS`: ``name`` (its value in
        ``year``) and ``name + "_by_year"`` (a list, one value per simulated year), plus
        ``years``.

    Raises:
        ScenarioError: If an input names no field or its value is not allowed.
    """
    if scenario is None:
        base = default_scenario()
    elif isinstance(scenario, Scenario):
        base = scenario
    else:
        base = _scenario_file(str(scenario))
    overrides = {name.replace("__", "."): value for name, value in inputs.items()}
    run = base.with_overrides(overrides, source="simulate()") if overrides else base
    table = annual_outcomes(run, seed, scale, list(INDICATORS)).set_index("year")
    at = table.index[-1] if year is None else year
    outcomes: dict[str, Any] = {"years": [int(y) for y in table.index]}
    for name in INDICATORS:
        outcomes[name] = float(table[name].loc[at])
        outcomes[f"{name}_by_year"] = table[name].tolist()
    return outcomes
