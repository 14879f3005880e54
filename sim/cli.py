"""Command-line interface: ``python -m sim --help``.

Every user mistake (bad scenario file, unknown field, out-of-range value, missing data file, an
output path that cannot be used) is printed as one clear paragraph and exits with code 2;
nothing is written. Output paths are checked before anything is computed, and a folder that
holds anything but an earlier result of this program is never changed (see :mod:`sim.atomic`
and :func:`sim.results.prepare_result_dir`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sim.atomic import check_output_dir, write_file
from sim.cli_behaviour import app as behaviour_app
from sim.cli_common import console, err_console, user_errors
from sim.errors import InputError
from sim.loader import load_scenario
from sim.seeds import DEFAULT_SEED, MAX_SEED, check_seed

# The model, its indicators and result tables (pandas, Mesa) are imported by the commands that
# need them, so that checking a scenario file, or refusing a hostile one, starts in a fraction
# of a second.

#: Exit codes of ``batch`` beyond 0 (every run finished) and 2 (nothing was run).
SOME_RUNS_FAILED = 3
ALL_RUNS_FAILED = 4
WORKERS_LOST = 5
INTERRUPTED = 130
SEED_HELP = f"whole number from 0 to {MAX_SEED}"

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
app.add_typer(behaviour_app, name="behaviour")


def print_note(note: str) -> None:
    """Print a note for the user (an earlier result restored, and the like) on stderr."""
    err_console.print(f"[yellow]Note:[/] {escape(note)}", highlight=False, soft_wrap=True)


@contextmanager
def write_errors(out: Path) -> Iterator[None]:
    """Turn a failed write (disk full, a value JSON cannot hold) into one message and exit 1."""
    try:
        yield
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err_console.print(
            f"[bold red]Error:[/] could not write to {escape(str(out))}: {escape(why.rstrip('.'))}. "
            "Nothing was written there.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def fmt_value(name: str, value: float | None) -> str:
    """Format an indicator value for a table, by its unit."""
    from sim.metrics import INDICATORS

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
    from sim.metrics import HEADLINE, INDICATORS

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


@app.command(
    epilog=(
        "--out must be a new or empty folder, or an earlier result of this command, which is replaced "
        "only with --force; a file, or a folder holding anything else, is refused (exit 2) and left "
        "untouched. Output paths are checked before anything is computed."
    )
)
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[
        int, typer.Option(help=f"Random seed ({SEED_HELP}): same scenario + seed = same numbers.")
    ] = DEFAULT_SEED,
    scale: Annotated[
        float,
        typer.Option(help="Fraction of households simulated, in (0, 1]; tonnages are city scale."),
    ] = 1.0,
    out: Annotated[
        str | None,
        typer.Option(
            metavar="DIR",
            help="Output folder: new, empty, or an earlier result (with --force); "
            "default: results/<scenario file name>.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an earlier result in --out.")] = False,
    format: Annotated[str, typer.Option("--format", help="Table format: parquet or csv.")] = "parquet",
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run SCENARIO and write timeseries, flows, stocks and summary.json to --out."""
    with user_errors():
        if format not in ("parquet", "csv"):
            raise InputError(f"--format {format!r}: allowed values are 'parquet' and 'csv'.")
        if not 0 < scale <= 1:
            raise InputError(f"--scale {scale}: must be greater than 0 and at most 1.")
        check_seed(seed, "--seed")
        sc = load_scenario(scenario)
        from sim.results import prepare_result_dir
        from sim.runner import run_scenario

        default = Path("results") / scenario.stem
        out_dir = prepare_result_dir(default if out is None else out, force, notify=print_note)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    try:
        with Progress(*columns, console=err_console, disable=quiet, transient=True) as bar:
            task = bar.add_task(f"{sc.name}", total=sc.time.n_steps)
            result = run_scenario(
                sc, seed=seed, scale=scale, progress=lambda done, _: bar.update(task, completed=done)
            )
        with user_errors(), write_errors(out_dir):
            result.write(out_dir, format, force=force)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        err_console.print(f"Interrupted; {out_dir} is as it was before.", highlight=False)
        raise typer.Exit(INTERRUPTED) from None
    years = report_years(sc.time.start_year, sc.time.end_year)
    console.print(
        headline_table(
            result.summary["indicators_by_year"], years, f"{sc.name} (seed {seed}, scale {scale:g})"
        )
    )
    console.print(
        f"{result.summary['households_simulated']:,} households, {sc.time.n_steps} steps in {result.summary['run_seconds']:.1f} s; results in {out_dir}/"
    )


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")]) -> None:
    """Check SCENARIO against the schema without running it."""
    with user_errors():
        sc = load_scenario(scenario)
    console.print(
        f"{scenario}: valid ({sc.name}, {sc.time.start_year}-{sc.time.end_year}, {len(sc.districts)} districts, hash {sc.digest()})"
    )


@app.command(
    epilog=(
        "Exit codes: 0 every run finished; 2 nothing was run (bad sweep file, option, output folder "
        "or Dask cluster); 3 some runs failed; 4 every run failed; 5 the Dask cluster lost all its "
        "workers; 130 interrupted. Failed runs and their errors are in DIR/manifest.jsonl; finished "
        "runs are kept, and --resume runs the rest."
    )
)
def batch(
    sweep: Annotated[Path, typer.Argument(help="Sweep YAML file (see docs/batch.md).")],
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: one per CPU).", min=1)
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    worker_timeout: Annotated[
        float,
        typer.Option(
            help="Seconds to wait for Dask workers to pass the check before the sweep, and with no "
            "worker during it, before giving up.",
            min=1,
        ),
    ] = 60.0,
    out: Annotated[
        str | None,
        typer.Option(metavar="DIR", help="Output folder (default: results/sweeps/<sweep file name>)."),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Finish a sweep in --out, skipping finished runs.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run every (sample, seed) of SWEEP; each run is written as Parquet to --out."""
    from sim.batch import load_sweep, run_sweep
    from sim.batch.cluster import WorkersLostError, connect

    with user_errors():
        sw = load_sweep(sweep)
        out_dir = check_output_dir(
            Path("results") / "sweeps" / sweep.stem if out is None else out, inside=True
        )
        client, executor = connect(scheduler, worker_timeout) if scheduler else (None, None)
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
        with (
            user_errors(),
            write_errors(out_dir),
            Progress(*columns, console=err_console, disable=quiet) as bar,
        ):
            task = bar.add_task(sw.spec.name, total=sw.n_runs, failed=0)
            failed = 0

            def show(record: object, done: int, total: int) -> None:
                nonlocal failed
                failed += getattr(record, "status", "ok") == "failed"
                bar.update(task, completed=done, failed=failed)

            report = run_sweep(sw, out_dir, executor=executor, workers=workers, resume=resume, progress=show)
    except KeyboardInterrupt:
        err_console.print(f"Interrupted. Finished runs are kept in {out_dir}/; continue with --resume.")
        raise typer.Exit(INTERRUPTED) from None
    except WorkersLostError as exc:
        err_console.print(
            f"[bold red]Error:[/] {escape(str(exc))} Finished runs are kept in {escape(str(out_dir))}/; "
            "continue with --resume.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(WORKERS_LOST) from None
    finally:
        if client is not None:
            client.close()
    raise typer.Exit(batch_summary(report, out_dir))


def batch_summary(report: Any, out_dir: Path) -> int:
    """Print how a sweep went (counts, first errors, what next) and return the exit code."""
    console.print(
        f"{report.ok} runs finished, {report.failed} failed, {report.skipped} already done, "
        f"in {report.seconds:.1f} s; results in {out_dir}/"
    )
    for record in report.errors[:5]:
        err_console.print(
            f"[yellow]sample {record.sample}, seed {record.seed}:[/] {escape(str(record.error))}",
            highlight=False,
        )
    if not report.failed:
        console.print(f"Next: python -m sim analyse {out_dir}", soft_wrap=True)
        return 0
    manifest = out_dir / "manifest.jsonl"
    if report.ok + report.skipped == 0:
        err_console.print(
            f"[bold red]Every run failed[/] ({report.failed} of {report.total}); the first errors are "
            f'above, all of them in {manifest} (status "failed").',
            highlight=False,
            soft_wrap=True,
        )
        return ALL_RUNS_FAILED
    err_console.print(
        f"[yellow]{report.failed} of {report.total} runs failed[/]; the first errors are above, all of "
        f'them in {manifest} (status "failed"). Fix the cause and rerun with --resume to run them again.',
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"Next: python -m sim analyse {out_dir} (the failed runs are left out)", soft_wrap=True)
    return SOME_RUNS_FAILED


@app.command()
def analyse(
    sweep_dir: Annotated[Path, typer.Argument(help="Folder written by `python -m sim batch`.")],
    year: Annotated[
        int | None, typer.Option(help="Year shown in the report (default: the last kept).")
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(metavar="DIR", help="Folder for indices.csv and report.html (default: SWEEP_DIR)."),
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
    seed: Annotated[
        int, typer.Option(help=f"First seed ({SEED_HELP}), common to every scenario.")
    ] = DEFAULT_SEED,
    scale: Annotated[
        float,
        typer.Option(help="Fraction of households simulated, in (0, 1]; tonnages are city scale."),
    ] = 1.0,
    out: Annotated[
        str | None,
        typer.Option(
            metavar="DIR", help="Folder to write the table to as comparison.csv (replaced if there)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    uncertainty: Annotated[
        int, typer.Option(metavar="N", help="Common draws of parameters and seeds; adds 5-95 % intervals.")
    ] = 0,
    workers: Annotated[int | None, typer.Option(help="Local processes running the runs.")] = None,
) -> None:
    """Run SCENARIOS with common seeds; headline indicators for 2030, 2035, 2050 side by side."""
    from sim.compare import COMPARE_YEARS, cell, compare_scenarios, uncertainty_notes

    with user_errors():
        loaded = [load_scenario(path) for path in scenarios]
        if replications < 1:
            raise InputError(f"--replications {replications}: must be at least 1.")
        if not 0 < scale <= 1:
            raise InputError(f"--scale {scale}: must be greater than 0 and at most 1.")
        check_seed(seed, "--seed", count=replications)
        out_dir = None if out is None else check_output_dir(out, inside=True)
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
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                uncertainty=uncertainty,
                workers=workers,
            )
    from sim.metrics import INDICATORS

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
        label = INDICATORS[str(indicator)].label
        unit = INDICATORS[str(indicator)].unit
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
    for line in uncertainty_notes(table):
        console.print(escape(line))
    if out_dir is not None:
        with write_errors(out_dir):
            path = write_file(out_dir / "comparison.csv", lambda tmp: table.to_csv(tmp, index=False))
        console.print(f"table written to {path}")


def main() -> None:
    """Entry point of ``python -m sim``."""
    app(prog_name="python -m sim")


if __name__ == "__main__":
    main()
