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
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
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


def main() -> None:
    """Entry point of ``python -m sim``."""
    app(prog_name="python -m sim")


if __name__ == "__main__":
    sys.exit(main())
