"""Command line: ``run``, ``validate``, ``--help``, and user mistakes (one clear message, exit 2).

Each kind of bad scenario file must give a message that names the file, the field, the value
and what is allowed; exit with code 2; print no traceback; and create no output folder. Most
cases run in-process with typer's ``CliRunner`` (fast); a few run ``python -m sim`` in a real
process, which is the only way to see exit codes and stderr exactly as a user does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import load_scenario, run_scenario
from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
BASELINE_PATH = ROOT / "scenarios" / "phnom_penh_baseline.yaml"
BASE = f"extends: {BASELINE_PATH}\n"

#: (id, file text, parts the message must contain). ``{file}`` stands for the file's path.
BAD_FILES = [
    ("yaml-syntax", "name: x\ntime: [2025, 2026\n", ["{file}", "not valid YAML", "line 3"]),
    ("not-a-mapping", "- 2025\n- 2026\n", ["{file}", "must be a mapping", "got list"]),
    (
        "unknown-top-field",
        BASE + "colour: red\n",
        ["{file}", "unknown field 'colour'", "Allowed here", "city"],
    ),
    (
        "unknown-nested-field",
        BASE + "city:\n  populaton: 5\n",
        ["{file}", "unknown field 'city.populaton'", "Allowed here", "population"],
    ),
    (
        "unknown-lever",
        BASE + "policies:\n  no_such_lever: {}\n",
        ["{file}", "unknown field 'policies.no_such_lever'", "Allowed here", "collection_coverage"],
    ),
    (
        "wrong-type",
        BASE + "city:\n  population: many\n",
        ["{file}", "city.population", '"many"', "valid number"],
    ),
    (
        "out-of-range",
        BASE + "city:\n  plastic_share_of_msw: 1.5\n",
        ["{file}", "city.plastic_share_of_msw", "1.5", "less than or equal to 0.6", "fraction"],
    ),
    (
        "out-of-range-district",
        BASE + "districts:\n  Chamkar Mon:\n    collection_coverage: 1.2\n",
        ["{file}", "districts.Chamkar Mon.collection_coverage", "1.2", "less than or equal to 1"],
    ),
    (
        "out-of-range-lever",
        BASE + "policies:\n  collection_coverage:\n    target_coverage: 2\n",
        ["{file}", "policies.collection_coverage.target_coverage", "2", "less than or equal to 1"],
    ),
    (
        "shares-not-summing-to-1",
        BASE + "materials:\n  pet:\n    share_of_plastic: 0.5\n",
        ["{file}", "share_of_plastic", "must sum to 1", "1.342"],  # 1 - 0.158 + 0.5
    ),
    (
        "years-out-of-order",
        BASE + "time:\n  start_year: 2030\n  end_year: 2026\n",
        ["{file}", "end_year (2026)", "start_year (2030)", "must not be before"],
    ),
    (
        "unknown-district-in-policy",
        BASE + "policies:\n  collection_coverage:\n    districts: [Atlantis]\n",
        ["{file}", "collection_coverage", "Atlantis", "known", "Chamkar Mon"],
    ),
    (
        "extends-missing-file",
        "extends: missing.yaml\n",
        ["{file}", "'extends'", "missing.yaml", "no such file"],
    ),
    ("extends-not-a-path", "extends: 5\n", ["{file}", "'extends'", "5", "must be a file path"]),
]


def make_file(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    """Write ``text`` to a scenario file in ``tmp_path``.

    Args:
        tmp_path: Folder of the test.
        text: YAML text.
        name: File name.

    Returns:
        The file's path.
    """
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_user_error(exit_code: int, stderr: str, parts: list[str], out: Path | None = None) -> None:
    """Exit code 2, every expected part in the message, no traceback, no output folder.

    Args:
        exit_code: The command's exit code.
        stderr: What it printed on stderr.
        parts: Substrings the message must contain.
        out: Output folder that must not exist.
    """
    assert exit_code == 2, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("Error:")
    for part in parts:
        assert part in stderr, f"{part!r} not in {stderr!r}"
    if out is not None:
        assert not out.exists()


def invoke(*args: str):
    """Run the CLI in-process."""
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(("text", "parts"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_scenario_file(tmp_path, command, text, parts):
    path = make_file(tmp_path, text)
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out), "--scale", "0.005"] if command == "run" else [])
    result = invoke(*args)
    assert_user_error(result.exit_code, result.stderr, [p.format(file=path) for p in parts], out)
    assert result.stdout == ""


def test_extends_cycle(tmp_path):
    a = make_file(tmp_path, "extends: b.yaml\n", "a.yaml")
    make_file(tmp_path, "extends: a.yaml\n", "b.yaml")
    result = invoke("run", str(a), "--out", str(tmp_path / "out"))
    assert_user_error(
        result.exit_code, result.stderr, [str(a), "'extends'", "cycle", "b.yaml"], tmp_path / "out"
    )


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    result = invoke("run", str(path), "--out", str(tmp_path / "out"))
    assert_user_error(result.exit_code, result.stderr, [str(path), "no such scenario file"], tmp_path / "out")


@pytest.mark.parametrize(
    ("name", "field"),
    [("scenario[draft].yaml", "populaton"), ("scenario.yaml", "[/x]"), ("[bold]x.yaml", "[red]y")],
)
def test_message_is_printed_verbatim(tmp_path, name, field):
    """Square brackets in a path or a field name are text, not console markup."""
    path = make_file(tmp_path, BASE + f"city:\n  '{field}': 5\n", name)
    result = invoke("validate", str(path))
    assert_user_error(result.exit_code, result.stderr, [str(path), f"unknown field 'city.{field}'"])


@pytest.mark.parametrize(
    ("option", "parts"),
    [
        (["--format", "xlsx"], ["--format", "xlsx", "'parquet' and 'csv'"]),
        (["--scale", "0"], ["--scale", "0", "greater than 0 and at most 1"]),
        (["--scale", "1.5"], ["--scale", "1.5", "greater than 0 and at most 1"]),
    ],
    ids=["format", "scale-zero", "scale-above-one"],
)
def test_bad_option(tmp_path, option, parts):
    out = tmp_path / "out"
    result = invoke("run", str(BASELINE_PATH), "--out", str(out), *option)
    assert_user_error(result.exit_code, result.stderr, parts, out)


def test_help_explains_the_commands_and_options():
    top = invoke("--help")
    assert top.exit_code == 0
    for word in ("run", "validate", "scenario", "extends"):
        assert word in top.stdout.lower()
    run_help = invoke("run", "--help")
    assert run_help.exit_code == 0
    for option in ("--seed", "--scale", "--out", "--format", "parquet", "csv"):
        assert option in run_help.stdout
    assert invoke("validate", "--help").exit_code == 0


def test_validate_reports_a_valid_file():
    result = invoke("validate", str(BASELINE_PATH))
    assert result.exit_code == 0, result.stderr
    assert "valid" in result.stdout
    assert load_scenario(BASELINE_PATH).digest() in result.stdout


@pytest.fixture
def short_file(tmp_path: Path) -> Path:
    """A two-year scenario file extending the baseline."""
    return make_file(tmp_path, BASE + "name: short\ntime:\n  end_year: 2026\n", "short.yaml")


def test_run_writes_parquet_by_default(tmp_path, short_file):
    out = tmp_path / "res"
    result = invoke("run", str(short_file), "--scale", "0.005", "--seed", "3", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "flows.parquet",
        "stocks.parquet",
        "summary.json",
        "timeseries.parquet",
    ]
    assert "Plastic waste generated" in result.stdout
    assert "2025" in result.stdout and "2026" in result.stdout


# ---------------------------------------------------------------- a real ``python -m sim``


def sim_process(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in a fresh interpreter.

    Args:
        *args: Command-line arguments.
        cwd: Working folder (the project root by default).

    Returns:
        The finished process with its stdout and stderr.
    """
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_process_run_csv_writes_the_tables(tmp_path, short_file):
    out = tmp_path / "res"
    proc = sim_process(
        "run", str(short_file), "--scale", "0.005", "--seed", "3", "--format", "csv", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "flows.csv",
        "stocks.csv",
        "summary.json",
        "timeseries.csv",
    ]
    assert "Plastic waste generated" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["scenario"], summary["seed"], summary["scale"]) == ("short", 3, 0.005)
    # The command line and the Python API give the same numbers for the same seed and scale.
    api = run_scenario(load_scenario(short_file), seed=3, scale=0.005)
    timeseries = pd.read_csv(out / "timeseries.csv")
    pd.testing.assert_series_equal(timeseries["generated_t"], api.timeseries["generated_t"])
    pd.testing.assert_series_equal(timeseries["collected_t"], api.timeseries["collected_t"])
    flows = pd.read_csv(out / "flows.csv")
    assert list(flows.columns) == ["step", "year", "source", "target", "material", "tonnes"]
    assert flows["tonnes"].sum() == pytest.approx(api.flows["tonnes"].sum(), rel=1e-12)
    assert list(pd.read_csv(out / "stocks.csv").columns) == ["step", "year", "node", "material", "tonnes"]


@pytest.mark.parametrize("case", ["yaml-syntax", "unknown-nested-field", "out-of-range"])
def test_process_bad_file_exits_2_without_traceback(tmp_path, case):
    _, text, parts = next(c for c in BAD_FILES if c[0] == case)
    path = make_file(tmp_path, text)
    out = tmp_path / "out"
    proc = sim_process("run", str(path), "--out", str(out))
    assert_user_error(proc.returncode, proc.stderr, [p.format(file=path) for p in parts], out)
    assert proc.stdout == ""


def test_process_help():
    proc = sim_process("--help")
    assert proc.returncode == 0
    assert "run" in proc.stdout and "validate" in proc.stdout


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the package and its data, whose data files a test may break."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "sim", copy / "sim", ignore=ignore)
    shutil.copytree(ROOT / "data", copy / "data")
    shutil.copy(BASELINE_PATH, copy / "baseline.yaml")
    return copy


def test_process_missing_data_file(project_copy):
    (project_copy / "data" / "materials.csv").unlink()
    out = project_copy / "out"
    proc = sim_process("run", "baseline.yaml", "--out", str(out), cwd=project_copy)
    assert_user_error(
        proc.returncode, proc.stderr, [str(project_copy / "data" / "materials.csv"), "missing"], out
    )


def test_process_missing_data_column(project_copy):
    table = project_copy / "data" / "districts.csv"
    pd.read_csv(table).drop(columns=["collection_coverage"]).to_csv(table, index=False)
    out = project_copy / "out"
    proc = sim_process("validate", "baseline.yaml", cwd=project_copy)
    assert_user_error(proc.returncode, proc.stderr, [str(table), "missing column", "collection_coverage"])
    proc = sim_process("run", "baseline.yaml", "--out", str(out), cwd=project_copy)
    assert_user_error(proc.returncode, proc.stderr, [str(table), "collection_coverage"], out)
