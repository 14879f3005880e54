"""Sensitivity analysis of a finished sweep, and its self-contained HTML report.

Indices are computed for every kept indicator and year, on the mean over replications of each
sample, with the method that fits the sweep's design:

- ``sobol`` design: first-order and total Sobol indices (``S1``, ``ST``) with 95 % bootstrap
  confidence intervals (SALib ``sobol.analyze``; Saltelli et al. 2010);
- ``morris`` design: elementary effects (``mu_star`` with its confidence interval, ``mu``,
  ``sigma``; SALib ``morris.analyze``; Campolongo et al. 2007);
- ``lhs`` design: first-order indices by RBD-FAST (``S1``, ``S1_conf``; SALib
  ``rbd_fast.analyze``; Tarantola et al. 2006);
- ``grid`` design: exact first-order indices of the full factorial grid (``S1``: the variance
  of the mean output at each level of an input over the output's variance), which also works
  for inputs with listed, non-numeric values.

References:
    Saltelli, A. et al. (2010). Computer Physics Communications 181, 259-270.
    Campolongo, F., Cariboni, J. and Saltelli, A. (2007). Environmental Modelling & Software
    22, 1509-1518. Tarantola, S., Gatelli, D. and Mara, T. A. (2006). Reliability Engineering
    & System Safety 91, 717-727.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import atomic
from sim.batch.store import SAMPLES_FILE, load_manifest, load_sweep_results, sweep_info
from sim.batch.sweep import DEFAULT_LEVELS, SweepError
from sim.metrics import INDICATORS

METHOD_OF_DESIGN = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast", "grid": "main_effect"}
#: The index charts show for each method, with its confidence column (if any).
MAIN_INDEX = {
    "sobol": ("ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf"),
    "rbd_fast": ("S1", "S1_conf"),
    "main_effect": ("S1", None),
}
#: Latin hypercube samples below which RBD-FAST indices are flagged as rough.
RBD_MIN_SAMPLES = 100
#: Most runs drawn in the scatter plots and listed in the run table.
MAX_SHOWN_RUNS = 2000


@dataclass
class Analysis:
    """What :func:`analyse_sweep` produced."""

    indices: pd.DataFrame
    year: int
    method: str
    indices_csv: Path
    report_html: Path
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- indices


def main_effects(x: pd.DataFrame, y: np.ndarray) -> dict[str, float]:
    """First-order indices of a full factorial design: Var(E[y | x_i]) / Var(y) per column."""
    total = float(np.var(y))
    out = {}
    for name in x.columns:
        means = pd.Series(y).groupby(x[name].to_numpy()).transform("mean").to_numpy()
        out[name] = float(np.var(means) / total)
    return out


def indices_for(
    method: str, problem: dict[str, Any], x: pd.DataFrame, y: np.ndarray, seed: int, levels: int | None
) -> pd.DataFrame:
    """Sensitivity indices of one output ``y`` (one value per row of the sample table ``x``).

    Args:
        method: ``sobol``, ``morris``, ``rbd_fast`` or ``main_effect``.
        problem: The SALib problem (``names``, ``bounds``) of the ranged inputs.
        x: The sample table, one column per input, in sample order.
        y: The output of each sample.
        seed: Seed of the bootstrap confidence intervals.
        levels: Morris levels.

    Returns:
        One row per input: ``parameter`` and the method's index columns.
    """
    from SALib.analyze import morris, rbd_fast, sobol

    names = problem["names"]
    if method == "main_effect":
        s1 = main_effects(x, y)
        return pd.DataFrame({"parameter": list(s1), "S1": list(s1.values())})
    if method == "sobol":
        res = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        keys: tuple[str, ...] = ("S1", "S1_conf", "ST", "ST_conf")
    elif method == "morris":
        xs = x[names].to_numpy(dtype=float)
        res = morris.analyze(problem, xs, y, num_levels=levels or DEFAULT_LEVELS["morris"], seed=seed)
        keys = ("mu_star", "mu_star_conf", "mu", "sigma")
    else:
        # Harmonics: 10 (SALib's default) needs a few hundred points; fewer for small samples.
        harmonics = max(1, min(10, len(y) // 10))
        res = rbd_fast.analyze(problem, x[names].to_numpy(dtype=float), y, M=harmonics, seed=seed)
        keys = ("S1", "S1_conf")
    return pd.DataFrame({"parameter": names, **{k: np.asarray(res[k], dtype=float) for k in keys}})


def sensitivity_indices(
    sweep_dir: str | Path, results: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Sensitivity indices of every kept indicator and year of a finished sweep.

    Args:
        sweep_dir: A sweep folder.
        results: Its results, if already loaded (:func:`load_sweep_results`).

    Returns:
        The indices (one row per indicator, year and input: ``method``, ``indicator``, ``year``,
        ``parameter`` and the method's index columns), and notes on what could not be computed.
    """
    info = sweep_info(sweep_dir)
    design = info["spec"]["design"]
    method = METHOD_OF_DESIGN[design["method"]]
    problem = info["problem"]
    x = pd.read_parquet(Path(sweep_dir) / SAMPLES_FILE).set_index("sample").sort_index()
    results = load_sweep_results(sweep_dir) if results is None else results
    notes: list[str] = []
    complete = method in ("sobol", "morris")
    means = results.groupby(["sample", "year"])[info["spec"]["indicators"]].mean()
    if method == "rbd_fast" and len(x) < RBD_MIN_SAMPLES:
        notes.append(
            f"RBD-FAST indices from {len(x)} samples are rough; use {RBD_MIN_SAMPLES} or more "
            "(and mind the confidence intervals)."
        )
    tables = []
    for indicator in info["spec"]["indicators"]:
        for year in info["years"]:
            try:
                y = means.xs(year, level="year")[indicator].reindex(x.index)
            except KeyError:
                notes.append(f"{indicator} {year}: no finished runs.")
                continue
            missing = int(y.isna().sum())
            if missing and complete:
                notes.append(
                    f"{indicator} {year}: {missing} of {len(y)} samples have no value (failed runs or "
                    f"undefined output); the {method} method needs them all."
                )
                continue
            keep = y.notna().to_numpy()
            if keep.sum() < 2 or np.ptp(y[keep]) == 0:
                notes.append(f"{indicator} {year}: does not vary across the sweep; no indices.")
                continue
            try:
                table = indices_for(
                    method, problem, x[keep], y[keep].to_numpy(), info["spec"]["seed"], design.get("levels")
                )
            except (ValueError, ZeroDivisionError, IndexError) as exc:
                notes.append(f"{indicator} {year}: {method} failed: {exc}")
                continue
            table.insert(0, "year", year)
            table.insert(0, "indicator", indicator)
            table.insert(0, "method", method)
            tables.append(table)
    indices = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return indices, notes


# --------------------------------------------------------------------------- report


def analyse_sweep(sweep_dir: str | Path, out: str | Path | None = None, year: int | None = None) -> Analysis:
    """Compute sensitivity indices and write ``indices.csv`` and ``report.html``.

    Args:
        sweep_dir: A sweep folder written by ``python -m sim batch``.
        out: Folder for the two files; default: ``sweep_dir``.
        year: The year the report's charts show; default: the last year kept.

    Raises:
        SweepError: If ``sweep_dir`` is not a sweep folder, has no finished runs, or ``year``
            was not kept.
        OutputError: If ``out`` cannot be written (checked before anything is computed).
    """
    sweep_dir = Path(sweep_dir)
    info = sweep_info(sweep_dir)
    out_dir = atomic.check_output_dir(sweep_dir if out is None else out, inside=True)
    years = info["years"]
    if year is None:
        year = years[-1]
    elif year not in years:
        raise SweepError(f"--year {year}: the sweep kept only years {years[0]}-{years[-1]}: {years}.")
    results = load_sweep_results(sweep_dir)
    if results.empty:
        raise SweepError(f"{sweep_dir}: no finished runs to analyse; see {sweep_dir / 'manifest.jsonl'}.")
    indices, notes = sensitivity_indices(sweep_dir, results)
    method = METHOD_OF_DESIGN[info["spec"]["design"]["method"]]
    csv = atomic.write_file(out_dir / "indices.csv", lambda tmp: indices.to_csv(tmp, index=False))
    report = atomic.write_text(
        out_dir / "report.html", report_html(info, results, indices, notes, year, sweep_dir)
    )
    return Analysis(indices, year, method, csv, report, notes)


def _label(name: str) -> str:
    ind = INDICATORS.get(name)
    if ind is None:
        return name
    return f"{ind.label} [{ind.unit}]"


def _indices_figure(indices: pd.DataFrame, indicators: list[str], year: int) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    method = indices["method"].iloc[0]
    bars_of_method: dict[str, list[tuple[str, str | None, str]]] = {
        "sobol": [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")],
        "morris": [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")],
        "rbd_fast": [("S1", "S1_conf", "first order S1")],
        "main_effect": [("S1", None, "first order S1")],
    }
    bars = bars_of_method[method]
    fig = make_subplots(rows=len(indicators), cols=1, subplot_titles=[_label(i) for i in indicators])
    colours = ("#1f77b4", "#ff7f0e")
    at_year = indices[indices["year"] == year]
    for row, indicator in enumerate(indicators, start=1):
        part = at_year[at_year["indicator"] == indicator]
        for (col, conf, name), colour in zip(bars, colours, strict=False):
            error = dict(type="data", array=part[conf]) if conf else None
            fig.add_trace(
                go.Bar(
                    x=part["parameter"],
                    y=part[col],
                    error_y=error,
                    name=name,
                    marker_color=colour,
                    legendgroup=name,
                    showlegend=row == 1,
                ),
                row=row,
                col=1,
            )
    fig.update_layout(
        barmode="group", height=max(320, 260 * len(indicators)), title=f"Sensitivity indices, {year}"
    )
    return fig


def _over_time_figure(indices: pd.DataFrame, indicators: list[str]) -> Any:
    import plotly.express as px

    method = indices["method"].iloc[0]
    col, _ = MAIN_INDEX[method]
    fig = px.line(
        indices,
        x="year",
        y=col,
        color="parameter",
        facet_row="indicator",
        markers=True,
        category_orders={"indicator": indicators},
        height=max(320, 220 * len(indicators)),
        title=f"{col} by year",
    )
    fig.update_yaxes(matches=None)
    fig.update_xaxes(tickformat="d")
    return fig


def _scatter_figure(results: pd.DataFrame, params: list[str], indicators: list[str], year: int) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    at = results[results["year"] == year]
    fig = make_subplots(
        rows=len(indicators),
        cols=len(params),
        shared_xaxes="columns",
        shared_yaxes="rows",
        horizontal_spacing=0.02,
        vertical_spacing=0.04,
    )
    for r, indicator in enumerate(indicators, start=1):
        for c, param in enumerate(params, start=1):
            fig.add_trace(
                go.Scatter(
                    x=at[param],
                    y=at[indicator],
                    mode="markers",
                    marker=dict(size=5, opacity=0.6, color="#1f77b4"),
                    showlegend=False,
                    hovertemplate=f"{param}=%{{x}}<br>{indicator}=%{{y}}<extra>sample %{{text}}</extra>",
                    text=at["sample"],
                ),
                row=r,
                col=c,
            )
            if r == len(indicators):
                fig.update_xaxes(title_text=param, row=r, col=c)
            if c == 1:
                fig.update_yaxes(title_text=_label(indicator), row=r, col=c)
    fig.update_layout(
        height=max(320, 240 * len(indicators)),
        title=f"Inputs against outputs, {year} (one point per run)",
    )
    return fig


def _run_table(
    results: pd.DataFrame, manifest: pd.DataFrame, params: list[str], indicators: list[str], year: int
) -> pd.DataFrame:
    values = results[results["year"] == year][["sample", "rep", *indicators]]
    samples = results.drop_duplicates("sample")[["sample", *params]]
    table = manifest.merge(samples, on="sample", how="left").merge(values, on=["sample", "rep"], how="left")
    return table[["sample", "rep", "seed", "status", "duration_s", *params, *indicators, "error"]]


def report_html(
    info: dict[str, Any],
    results: pd.DataFrame,
    indices: pd.DataFrame,
    notes: list[str],
    year: int,
    sweep_dir: Path,
) -> str:
    """The report as one HTML page with plotly.js inline (it opens offline)."""
    spec = info["spec"]
    indicators = spec["indicators"]
    params = info["parameters"]
    manifest = load_manifest(sweep_dir)
    n_ok = int((manifest["status"] == "ok").sum())
    n_failed = int((manifest["status"] == "failed").sum())
    shown = results
    if results["sample"].nunique() * len(info["seeds"]) > MAX_SHOWN_RUNS:
        keep = results[["sample", "rep"]].drop_duplicates().sample(MAX_SHOWN_RUNS, random_state=0)
        shown = results.merge(keep, on=["sample", "rep"])
        notes = [*notes, f"Charts and table show {MAX_SHOWN_RUNS} runs drawn at random."]
    figures = []
    if not indices.empty:
        figures.append(("Sensitivity indices", _indices_figure(indices, indicators, year)))
        if indices["year"].nunique() > 1:
            figures.append(("Over time", _over_time_figure(indices, indicators)))
    figures.append(("Inputs against outputs", _scatter_figure(shown, params, indicators, year)))
    parts = []
    for i, (title, fig) in enumerate(figures):
        div = fig.to_html(full_html=False, include_plotlyjs=(i == 0))
        parts.append(f"<h2>{html.escape(title)}</h2>\n{div}")
    table = _run_table(shown, manifest, params, indicators, year).head(MAX_SHOWN_RUNS)
    design = spec["design"]
    facts = {
        "Base scenario": f"{info['base_scenario']['name']} (hash {info['base_scenario']['hash']})",
        "Design": ", ".join(f"{k} {v}" for k, v in design.items() if v is not None),
        "Inputs": ", ".join(params),
        "Runs": f"{info['n_runs']} planned ({info['n_samples']} samples x {len(info['seeds'])} seeds), "
        f"{n_ok} finished, {n_failed} failed",
        "Scale": str(spec["scale"]),
        "Indices": f"{indices['method'].iloc[0] if not indices.empty else '-'}, on the mean over seeds "
        "of each sample; also in indices.csv",
        "Sweep hash": info["hash"],
        "Report written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    facts_html = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts.items()
    )
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return _PAGE.format(
        title=html.escape(f"Sweep report: {info['name']}"),
        description=html.escape(info.get("description") or ""),
        facts=facts_html,
        notes=f"<h2>Notes</h2><ul>{notes_html}</ul>" if notes else "",
        figures="\n".join(parts),
        year=year,
        table=table.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.4g}", border=0),
        sweep_json=html.escape(json.dumps(spec, indent=2)),
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
th, td {{ padding: 0.2em 0.6em; text-align: left; border-bottom: 1px solid #ddd; }}
.runs {{ max-height: 600px; overflow: auto; }}
pre {{ background: #f6f6f6; padding: 1em; white-space: pre-wrap; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{description}</p>
<table>{facts}</table>
{notes}
{figures}
<h2>Runs ({year})</h2>
<div class="runs">{table}</div>
<h2>Sweep file</h2>
<pre>{sweep_json}</pre>
</body>
</html>
"""
