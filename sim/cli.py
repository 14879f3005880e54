"""Command-line interface: ``python -m sim --help``.

Every user mistake (bad scenario file, unknown field, out-of-range value, missing data file)
is printed as one clear paragraph and exits with code 2; nothing is written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sim.errors import InputError
from sim.metrics import HEADLINE, INDICATORS
from sim.runner import DEFAULT_SEED, run_scenario
from sim.scenario import load_scenario

USER_ERROR = 2

app = typer.Typer(
    help=(
        "Plastic-waste circular-economy simulator (Phnom Penh by default).\n\n"
        "Run a scenario file headless, check one, and get its indicators. Scenario files are "
        "YAML; they list only what differs from the defaults in data/ or from the file named "
        "by 'extends:'. See README.md."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn input errors into one message and exit code 2."""
    try:
        yield
    except InputError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(USER_ERROR) from None


def fmt_value(name: str, value: float | None) -> str:
    """Format an indicator value for a table, by its unit."""
    if value is None or value != value:
        return "-"
    unit = INDICATORS[name].unit if name in INDICATORS else ""
    if unit == "fraction":
        return f"{100 * value:.1f} %"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def headline_table(by_year: dict[str, dict[str, float]], years: list[int], title: str) -> Table:
    """A rich table of the headline indicators for some years."""
    table = Table(title=title)
    table.add_column("indicator")
    table.add_column("unit")
    for year in years:
        table.add_column(str(year), justify="right")
    names = [
        *HEADLINE[:1],
        "collected_t",
        "recycled_t",
        *HEADLINE[1:],
        "open_burned_t",
        "dumped_t",
        "ghg_t_co2e",
    ]
    for name in dict.fromkeys(names):
        unit = INDICATORS[name].unit
        table.add_row(
            INDICATORS[name].label,
            "%" if unit == "fraction" else unit,
            *(fmt_value(name, by_year.get(str(y), {}).get(name)) for y in years),
        )
    return table


def report_years(start: int, end: int) -> list[int]:
    """Start year, 2030, 2035 and end year, where inside the run."""
    return sorted({y for y in (start, 2030, 2035, end) if start <= y <= end})


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[
        int, typer.Option(help="Random seed: same scenario + seed = same numbers.")
    ] = DEFAULT_SEED,
    scale: Annotated[
        float,
        typer.Option(help="Fraction of households simulated, in (0, 1]; tonnages are city scale."),
    ] = 1.0,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder [default: results/<scenario file name>]."),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="Table format: parquet or csv.")] = "parquet",
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run SCENARIO and write timeseries, flows, stocks and summary.json to --out."""
    with user_errors():
        if format not in ("parquet", "csv"):
            raise InputError(f"--format {format!r}: allowed values are 'parquet' and 'csv'.")
        if not 0 < scale <= 1:
            raise InputError(f"--scale {scale}: must be greater than 0 and at most 1.")
        sc = load_scenario(scenario)
    out = out or Path("results") / scenario.stem
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err_console, disable=quiet, transient=True) as bar:
        task = bar.add_task(f"{sc.name}", total=sc.time.n_steps)
        result = run_scenario(
            sc, seed=seed, scale=scale, progress=lambda done, _: bar.update(task, completed=done)
        )
    result.write(out, format)  # type: ignore[arg-type]
    years = report_years(sc.time.start_year, sc.time.end_year)
    console.print(
        headline_table(
            result.summary["indicators_by_year"], years, f"{sc.name} (seed {seed}, scale {scale:g})"
        )
    )
    console.print(
        f"{result.summary['households_simulated']:,} households, {sc.time.n_steps} steps in {result.summary['run_seconds']:.1f} s; results in {out}/"
    )


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Check SCENARIO against the schema without running it."""
    with user_errors():
        sc = load_scenario(scenario)
    console.print(
        f"{scenario}: valid ({sc.name}, {sc.time.start_year}-{sc.time.end_year}, {len(sc.districts)} districts, hash {sc.digest()})"
    )


@app.command()
def batch(
    sweep: Annotated[Path, typer.Argument(help="Sweep YAML file (see docs/batch.md).")],
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes [default: one per CPU].", min=1)
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder [default: results/sweeps/<sweep name>].")
    ] = None,
    resume: Annotated[bool, typer.Option(help="Finish a sweep in --out, skipping finished runs.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run every (sample, seed) of SWEEP; each run is written as Parquet to --out."""
    from sim.batch import load_sweep, run_sweep
    from sim.batch.runner import dask_executor

    with user_errors():
        sw = load_sweep(sweep)
        out = out or Path("results") / "sweeps" / sweep.stem
        client, executor = dask_executor(scheduler) if scheduler else (None, None)
    where = f"Dask at {scheduler}" if scheduler else f"{workers or 'one per CPU'} local worker(s)"
    console.print(
        f"{sw.spec.name}: {sw.n_runs} runs ({len(sw.samples)} samples x {len(sw.seeds)} seeds) on {where}"
    )
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs, {task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    try:
        with user_errors(), Progress(*columns, console=err_console, disable=quiet) as bar:
            task = bar.add_task(sw.spec.name, total=sw.n_runs, failed=0)
            failed = 0

            def show(record: object, done: int, total: int) -> None:
                nonlocal failed
                failed += getattr(record, "status", "ok") == "failed"
                bar.update(task, completed=done, failed=failed)

            report = run_sweep(sw, out, executor=executor, workers=workers, resume=resume, progress=show)
    except KeyboardInterrupt:
        err_console.print(f"Interrupted. Finished runs are kept in {out}/; continue with --resume.")
        raise typer.Exit(130) from None
    finally:
        if client is not None:
            client.close()
    console.print(
        f"{report.ok} runs finished, {report.failed} failed, {report.skipped} already done, "
        f"in {report.seconds:.1f} s; results in {out}/"
    )
    for record in report.errors[:5]:
        err_console.print(
            f"[yellow]sample {record.sample}, seed {record.seed}:[/] {escape(str(record.error))}",
            highlight=False,
        )
    if report.failed:
        err_console.print(f"Every failed run and its error: {out / 'manifest.jsonl'}", highlight=False)
    console.print(f"Next: python -m sim analyse {out}")


@app.command()
def analyse(
    sweep_dir: Annotated[Path, typer.Argument(help="Folder written by `python -m sim batch`.")],
    year: Annotated[int | None, typer.Option(help="Year shown in the report [default: last kept].")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for indices.csv and report.html [default: SWEEP_DIR].")
    ] = None,
) -> None:
    """Sensitivity indices (SALib) of a finished sweep: indices.csv and a self-contained report.html."""
    from sim.batch import analyse_sweep
    from sim.batch.analyse import MAIN_INDEX

    with user_errors():
        result = analyse_sweep(sweep_dir, out=out, year=year)
    if not result.indices.empty:
        col, _ = MAIN_INDEX[result.method]
        at = result.indices[result.indices["year"] == result.year]
        wide = at.pivot(index="indicator", columns="parameter", values=col)
        wide = wide.reindex(index=at["indicator"].unique(), columns=at["parameter"].unique())
        table = Table(title=f"{result.method} {col}, {result.year}")
        table.add_column("indicator")
        for i, _ in enumerate(wide.columns, start=1):
            table.add_column(f"[{i}]", justify="right")
        for name, row in wide.iterrows():
            table.add_row(str(name), *(f"{v:.3f}" for v in row))
        console.print(table)
        for i, param in enumerate(wide.columns, start=1):
            console.print(f"  [{i}] {param}", highlight=False, markup=False)
    for note in result.notes:
        err_console.print(f"[yellow]Note:[/] {escape(note)}", highlight=False)
    console.print(f"Indices: {result.indices_csv}\nReport: {result.report_html}")


@app.command()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files; the first is the reference.")],
    replications: Annotated[
        int, typer.Option(help="Runs per scenario (seeds SEED, SEED+1, ...); >1 adds a 90% interval.")
    ] = 1,
    seed: Annotated[int, typer.Option(help="First seed, common to every scenario.")] = DEFAULT_SEED,
    scale: Annotated[
        float,
        typer.Option(help="Fraction of households simulated, in (0, 1]; tonnages are city scale."),
    ] = 1.0,
    out: Annotated[Path | None, typer.Option(help="Folder to write the table to as comparison.csv.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run SCENARIOS with common seeds; headline indicators for 2030, 2035, 2050 side by side."""
    from sim.compare import COMPARE_YEARS, cell, compare_scenarios

    with user_errors():
        loaded = [load_scenario(path) for path in scenarios]
        if replications < 1:
            raise InputError(f"--replications {replications}: must be at least 1.")
        if not 0 < scale <= 1:
            raise InputError(f"--scale {scale}: must be greater than 0 and at most 1.")
        columns = [
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} runs"),
        ]
        with Progress(*columns, console=err_console, disable=quiet, transient=True) as bar:
            task = bar.add_task("comparing", total=len(loaded) * replications)
            table = compare_scenarios(
                loaded,
                replications=replications,
                seed=seed,
                scale=scale,
                progress=lambda done, _: bar.update(task, completed=done),
            )
    names = [f"{i + 1}. {sc.name}" for i, sc in enumerate(loaded)]
    interval = replications > 1
    title = f"Comparison (seeds {seed}-{seed + replications - 1}, scale {scale:g})"
    if interval:
        title += "; mean ± half-width of the 90% interval"
    view = Table(title=title, caption="(difference against scenario 1)")
    view.add_column("indicator")
    view.add_column("year", justify="right")
    for name in names:
        view.add_column(escape(name), justify="right")
    for indicator, rows in table.groupby("indicator", sort=False):
        label = INDICATORS[indicator].label
        unit = INDICATORS[indicator].unit
        label += " [%]" if unit == "fraction" else f" [{unit}]"
        for year in COMPARE_YEARS:
            cells = rows[rows["year"] == year].sort_values("position")
            if cells.empty:
                continue
            texts = {
                int(r["position"]): cell(r, interval, int(r["position"]) > 0) for _, r in cells.iterrows()
            }
            view.add_row(escape(label), str(year), *(texts.get(i, "-") for i in range(len(loaded))))
            label = ""
        view.add_section()
    console.print(view)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "comparison.csv"
        tmp = path.with_suffix(".csv.tmp")
        table.to_csv(tmp, index=False)
        tmp.replace(path)
        console.print(f"table written to {path}")


def main() -> None:
    """Entry point of ``python -m sim``."""
    app(prog_name="python -m sim")


if __name__ == "__main__":
    sys.exit(main())
