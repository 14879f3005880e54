"""``python -m sim behaviour``: fit the deposit and bag responses, and check them on other cases.

- ``fit`` refits both curves on the panel in ``data/behaviour/`` with their bootstrap replicates
  and writes ``data/behaviour_fit.csv`` (the file the model reads), then prints the
  leave-one-jurisdiction-out errors.
- ``check`` predicts every row of pairs files with the columns of the shared
  ``behaviour_pairs_deposit.csv`` / ``behaviour_pairs_bags.csv`` from the fitted curves (replicate
  0) and prints and writes ``case_id, jurisdiction, outcome_year, measure, observed, predicted,
  error_pp`` (percent; error in percentage points). Rows it cannot predict are listed with the
  reason (and written with empty ``predicted`` and ``error_pp``).

Bad files are reported as one message naming the file, line, column and value, with exit code 2;
nothing is written then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from sim import behaviour_fit as bf
from sim.cli_common import console, user_errors
from sim.errors import InputError

CHECK_COLUMNS = ["case_id", "jurisdiction", "outcome_year", "measure", "observed", "predicted", "error_pp"]

app = typer.Typer(
    help="Deposit-return and bag-charge responses: fit them on the panel, check them on other cases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def fit(
    out: Annotated[Path, typer.Option(help="Fitted parameters file.")] = bf.FIT_FILE,
) -> None:
    """Refit both curves on data/behaviour/ (point estimate + bootstrap) and write --out."""
    with user_errors():
        settings = bf.read_settings()
        panels = {curve: bf.read_panel(curve) for curve in bf.CURVES}
        fits = {curve: bf.fit_replicates(curve, panels[curve], settings) for curve in bf.CURVES}
        bf.write_csv(out, bf.FIT_COLUMNS, bf.fit_table(fits))
    table = Table(title="Leave-one-jurisdiction-out cross-validation")
    for col in ("curve", "rows", "jurisdictions", "MAE (pp)", "worst (pp)"):
        table.add_column(col, justify="right" if col != "curve" else "left")
    for curve, cases in panels.items():
        cv = bf.cross_validate(curve, cases, settings)
        n_j = len(set(cases.jurisdiction))
        table.add_row(curve, str(len(cases)), str(n_j), f"{cv.mae_pp:.1f}", f"{cv.worst_pp:.1f}")
    console.print(table)
    n = settings.bootstrap_replicates
    console.print(f"{n} bootstrap replicates per curve (seed {settings.bootstrap_seed}) written to {out}")


def check_rows(
    curve: str, path: Path, params: dict[str, float]
) -> tuple[list[list[str]], list[bf.Unpredictable]]:
    """Result rows (predicted rows first, then unpredictable ones) of one pairs file."""
    cases, skipped = bf.read_pairs(path, curve)
    rows = []
    if len(cases):
        predicted = bf.predict(curve, params, cases)
        errors = bf.error_pp(predicted, cases)
        for i in range(len(cases)):
            mark = {-1: "<", 1: ">", 0: ""}[cases.bound[i]]
            rows.append(
                [
                    cases.case_id[i],
                    cases.jurisdiction[i],
                    str(cases.outcome_year[i]),
                    bf.MEASURES[curve],
                    f"{mark}{100 * cases.observed[i]:.1f}",
                    f"{100 * predicted[i]:.1f}",
                    f"{errors[i]:.1f}",
                ]
            )
    for s in skipped:
        rows.append([s.case_id, s.jurisdiction, s.outcome_year, bf.MEASURES[curve], "", "", ""])
    return rows, skipped


@app.command()
def check(
    deposit: Annotated[
        Path | None, typer.Option(help="Deposit pairs file (columns of behaviour_pairs_deposit.csv).")
    ] = None,
    bags: Annotated[
        Path | None, typer.Option(help="Bag pairs file (columns of behaviour_pairs_bags.csv).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="CSV file for the results (written only if all inputs are good).")
    ] = None,
) -> None:
    """Predict every row of --deposit and --bags from the fitted curves; print and write the errors."""
    with user_errors():
        if deposit is None and bags is None:
            raise InputError("give at least one of --deposit PAIRS.csv and --bags PAIRS.csv.")
        if out is not None and out.resolve() in {p.resolve() for p in (deposit, bags) if p is not None}:
            raise InputError(f"--out {out}: would overwrite an input file; choose another name.")
        if out is not None and (out.is_dir() or not out.resolve().parent.is_dir()):
            raise InputError(f"--out {out}: must be a file in an existing folder.")
        fitted = bf.read_fit()
        results: list[list[str]] = []
        skipped: list[tuple[str, bf.Unpredictable]] = []
        for curve, path in (("deposit", deposit), ("bags", bags)):
            if path is None:
                continue
            params = {name: float(values[0]) for name, values in fitted[curve].items()}
            rows, skip = check_rows(curve, path, params)
            results += rows
            skipped += [(curve, s) for s in skip]
        if out is not None:
            try:
                bf.write_csv(out, CHECK_COLUMNS, results)
            except OSError as exc:
                raise InputError(
                    f"--out {out}: cannot be written ({exc.strerror or exc}); nothing was written."
                ) from None
    table = Table(title="Fitted curves against observed outcomes (%)")
    for col in CHECK_COLUMNS:
        table.add_column(col, justify="right" if col in ("observed", "predicted", "error_pp") else "left")
    for row in results:
        if row[5]:
            table.add_row(*(escape(c) for c in row))
    console.print(table)
    errors = np.array([abs(float(r[6])) for r in results if r[6]])
    if len(errors):
        console.print(
            f"{len(errors)} rows predicted: mean absolute error {errors.mean():.1f} pp, worst {errors.max():.1f} pp"
        )
    if skipped:
        console.print(f"{len(skipped)} rows not predicted:")
        for curve, s in skipped:
            console.print(
                f"  {curve} {escape(s.case_id)} {escape(s.jurisdiction)} {s.outcome_year}: {escape(s.reason)}",
                highlight=False,
            )
    if out is not None:
        console.print(f"written to {out}")
