"""Headless scenario batches: parameter sweeps, replications, sensitivity analysis, Dask.

From a sweep file to a sensitivity report (see ``docs/batch.md``)::

    python -m sim batch scenarios/sweeps/demo.yaml --workers 2 --out results/sweeps/demo
    python -m sim analyse results/sweeps/demo

The same from Python::

    from sim.batch import analyse_sweep, load_sweep_results, run_sweep
    run_sweep("scenarios/sweeps/demo.yaml", "results/sweeps/demo", workers=2)
    table = load_sweep_results("results/sweeps/demo")   # one row per run and year
    analyse_sweep("results/sweeps/demo")                # indices.csv and report.html

On a Dask cluster, pass the executor of :func:`sim.batch.cluster.connect`, which first checks
that the workers can run the sweep and then notices if they are all lost (any
``concurrent.futures`` executor works, e.g. ``Client(...).get_executor()``, without those
checks). The model as a function of named inputs returning named outcomes is :func:`simulate`.

Modules: :mod:`~sim.batch.sweep` (sweep files and designs), :mod:`~sim.batch.runner`
(executors, tasks, :func:`simulate`), :mod:`~sim.batch.store` (Parquet partitions, manifest,
reading results), :mod:`~sim.batch.analyse` (SALib indices, HTML report),
:mod:`~sim.batch.cluster` (Dask: checking workers, noticing lost ones).
"""

from sim.batch.analyse import Analysis, analyse_sweep, sensitivity_indices
from sim.batch.runner import InlineExecutor, SweepReport, local_pool, run_sweep, simulate
from sim.batch.store import load_manifest, load_sweep_results, summarise_sweep, sweep_info
from sim.batch.sweep import Sweep, SweepError, SweepSpec, load_sweep, make_sweep

__all__ = [
    "Analysis",
    "InlineExecutor",
    "Sweep",
    "SweepError",
    "SweepReport",
    "SweepSpec",
    "analyse_sweep",
    "load_manifest",
    "load_sweep",
    "load_sweep_results",
    "local_pool",
    "make_sweep",
    "run_sweep",
    "sensitivity_indices",
    "simulate",
    "summarise_sweep",
    "sweep_info",
]
