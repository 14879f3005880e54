"""Nothing of the user's is lost: output paths and seeds are checked before anything is computed.

``run --out`` writes only into a new or empty folder, or over an earlier result with
``--force``; a folder holding anything else, or a file, is refused and left untouched. Every
command that writes (``run``, ``compare``, ``batch``, ``analyse``) refuses an output path that
cannot work before it computes anything. Runs that were killed leave nothing that is not cleaned
or restored on the next run. Seeds outside 0..2**32-1 are refused with the allowed range.

Kills are real: a helper process is made to die (``os._exit``) at a chosen point of the write.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim.batch
import sim.batch.analyse
import sim.cli
import sim.compare
import sim.runner
from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
BASELINE_PATH = ROOT / "scenarios" / "phnom_penh_baseline.yaml"
SCALE = ["--scale", "0.002", "--quiet"]
RESULT_FILES = ["flows.parquet", "stocks.parquet", "summary.json", "timeseries.parquet"]


@pytest.fixture
def one_year(tmp_path: Path) -> Path:
    """A one-year scenario file extending the baseline."""
    path = tmp_path / "one_year.yaml"
    path.write_text(f"extends: {BASELINE_PATH}\nname: one year\ntime: {{end_year: 2025}}\n", encoding="utf-8")
    return path


def invoke(*args: str):
    """Run the CLI in-process."""
    return CliRunner().invoke(app, list(args))


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def assert_refused(result, *parts: str) -> None:
    """Exit code 2, one message naming every part, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error:"), result.stderr
    message = " ".join(result.stderr.split())
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"


# --------------------------------------------------------------------------- run --out: what is there


def test_run_refuses_a_folder_holding_a_users_files_even_with_force(tmp_path, one_year):
    out = tmp_path / "thesis"
    (out / "chapter1").mkdir(parents=True)
    (out / "thesis.txt").write_text("three years of work", encoding="utf-8")
    (out / "chapter1" / "draft.md").write_text("draft", encoding="utf-8")
    before = tree(out)
    for force in ([], ["--force"]):
        result = invoke("run", str(one_year), "--out", str(out), *SCALE, *force)
        assert_refused(result, str(out), "not a result of this program", "thesis.txt", "nothing was changed")
        assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one_year.yaml", "thesis"]


def test_run_refuses_an_earlier_result_with_a_users_file_added(tmp_path, one_year):
    out = tmp_path / "res"
    assert invoke("run", str(one_year), "--out", str(out), *SCALE).exit_code == 0
    (out / "notes.txt").write_text("my reading of the result", encoding="utf-8")
    before = tree(out)
    result = invoke("run", str(one_year), "--out", str(out), *SCALE, "--force")
    assert_refused(result, str(out), "notes.txt")
    assert tree(out) == before


def test_run_replaces_an_earlier_result_only_with_force(tmp_path, one_year):
    out = tmp_path / "res"
    first = invoke("run", str(one_year), "--out", str(out), *SCALE, "--seed", "1")
    assert first.exit_code == 0, first.output
    before = tree(out)
    again = invoke("run", str(one_year), "--out", str(out), *SCALE, "--seed", "2")
    assert_refused(again, str(out), "earlier result", "--force")
    assert tree(out) == before
    forced = invoke("run", str(one_year), "--out", str(out), *SCALE, "--seed", "2", "--force")
    assert forced.exit_code == 0, forced.output
    assert sorted(p.name for p in out.iterdir()) == RESULT_FILES
    assert tree(out)["summary.json"] != before["summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one_year.yaml", "res"]  # nothing left beside


def test_run_writes_into_an_empty_folder(tmp_path, one_year):
    out = tmp_path / "empty"
    out.mkdir()
    result = invoke("run", str(one_year), "--out", str(out), *SCALE)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == RESULT_FILES


def test_run_refuses_an_existing_file_up_front(tmp_path, one_year, monkeypatch):
    monkeypatch.setattr(sim.runner, "run_scenario", must_not_compute)
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF the user's file")
    result = invoke("run", str(one_year), "--out", str(target), *SCALE, "--force")
    assert_refused(result, str(target), "is a file, not a folder", "untouched")
    assert target.read_bytes() == b"%PDF the user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one_year.yaml", "report.pdf"]  # no hidden copy


def test_folders_are_created_with_the_users_permissions(tmp_path, one_year):
    old = os.umask(0o022)
    try:
        result = invoke("run", str(one_year), "--out", str(tmp_path / "a" / "res"), *SCALE)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "res").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "a" / "res" / "summary.json").stat().st_mode & 0o777 == 0o644


def test_a_summary_that_json_cannot_hold_is_a_clear_error_and_writes_nothing(tmp_path, one_year, monkeypatch):
    real = sim.runner.run_scenario

    def infinite(*args, **kwargs):
        result = real(*args, **kwargs)
        result.summary["indicators_by_year"]["2025"]["recycled_t"] = float("inf")
        return result

    monkeypatch.setattr(sim.runner, "run_scenario", infinite)
    out = tmp_path / "res"
    result = invoke("run", str(one_year), "--out", str(out), *SCALE)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # typer.Exit(1), not an uncaught error
    message = " ".join(result.stderr.split())
    assert "indicators_by_year.2025.recycled_t = inf is not a finite number" in message
    assert "Nothing was written" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one_year.yaml"]


# --------------------------------------------------------------------------- bad output paths, every command


def must_not_compute(*args, **kwargs):
    """Stands in for the computation: a test fails if a bad output path is noticed only after it."""
    raise AssertionError("computed before the output path was checked")


@pytest.fixture
def unwritable(tmp_path: Path) -> Path:
    """A folder in which nothing can be created (``/sys`` for root, who ignores permissions)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    return folder


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A regular file of the user's."""
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    return path


BAD_OUT = {
    "empty-string": (lambda d: "", ["an empty path"]),
    "existing-file": (lambda d: str(d["file"]), ["is a file, not a folder"]),
    "under-a-file": (
        lambda d: str(d["file"] / "sub" / "out"),
        ["is a file, not a folder", "cannot be created"],
    ),
    "unwritable": (lambda d: str(d["unwritable"] / "plastic-sim-out"), ["cannot write there"]),
}


@pytest.fixture
def bad_paths(a_file: Path, unwritable: Path) -> dict[str, Path]:
    """The places a bad ``--out`` is made from."""
    return {"file": a_file, "unwritable": unwritable}


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny finished sweep folder (two runs, in this process)."""
    from sim.batch import InlineExecutor, make_sweep, run_sweep

    out = tmp_path_factory.mktemp("sweep") / "done"
    spec = {
        "scale": 0.002,
        "overrides": {"time.end_year": 2025},
        "parameters": {"behaviour.value_coef": {"low": 0.5, "high": 3.0}},
        "design": {"method": "grid", "levels": 2},
        "indicators": ["recycling_rate"],
    }
    run_sweep(make_sweep(spec), out, executor=InlineExecutor())
    return out


@pytest.fixture
def sweep_file(tmp_path: Path) -> Path:
    """A tiny sweep file."""
    path = tmp_path / "sweep.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            scale: 0.002
            overrides: {time.end_year: 2025}
            parameters:
              behaviour.value_coef: {low: 0.5, high: 3.0}
            design: {method: grid, levels: 2}
            """
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("case", list(BAD_OUT))
@pytest.mark.parametrize("command", ["run", "compare", "batch", "analyse"])
def test_a_bad_out_is_refused_before_computing(
    command, case, bad_paths, one_year, sweep_file, finished_sweep, monkeypatch
):
    monkeypatch.setattr(sim.runner, "run_scenario", must_not_compute)
    monkeypatch.setattr(sim.compare, "compare_scenarios", must_not_compute)
    monkeypatch.setattr(sim.batch, "run_sweep", must_not_compute)
    monkeypatch.setattr(sim.batch.analyse, "sensitivity_indices", must_not_compute)
    make, parts = BAD_OUT[case]
    out = make(bad_paths)
    before = bad_paths["file"].read_bytes()
    args = {
        "run": ["run", str(one_year), *SCALE],
        "compare": ["compare", str(one_year), str(one_year), "--scale", "0.002", "--quiet"],
        "batch": ["batch", str(sweep_file), "--quiet"],
        "analyse": ["analyse", str(finished_sweep)],
    }[command]
    result = invoke(*args, "--out", out)
    assert_refused(result, *parts)
    assert bad_paths["file"].read_bytes() == before


# --------------------------------------------------------------------------- killed runs


def die_at(function: str, argv: list[str], calls: int = 1) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGV`` in a process that dies (``os._exit(9)``) at a call of ``function``.

    Args:
        function: ``module:attribute`` to replace, e.g. ``os:rename``.
        argv: Command-line arguments.
        calls: The call that kills the process (earlier calls go through).

    Returns:
        The dead process.
    """
    module, name = function.split(":")
    script = textwrap.dedent(
        f"""\
        import importlib, os, sys
        target = importlib.import_module({module!r})
        original = getattr(target, {name!r})
        seen = [0]
        def dying(*args, **kwargs):
            seen[0] += 1
            if seen[0] == {calls}:
                os._exit(9)
            return original(*args, **kwargs)
        setattr(target, {name!r}, dying)
        from sim.cli import main
        sys.argv = ["sim", *{argv!r}]
        main()
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 9, proc.stderr
    return proc


def test_temporary_folders_of_killed_runs_are_removed_by_the_next_run(tmp_path, one_year):
    out = tmp_path / "res"
    args = ["run", str(one_year), "--out", str(out), *SCALE]
    die_at("sim.atomic:publish_dir", args)  # killed when every table is in the temporary folder
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".res.")]
    assert len(left) == 1 and (left[0] / "summary.json").is_file()
    assert not out.exists()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live_name = left[0].name.rsplit("-", 2)[0] + f"-{alive.pid}-0123abcd"
        (tmp_path / live_name).mkdir()  # a write in progress in another process: not touched
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live_name, "one_year.yaml", "res"])
    finally:
        alive.kill()
        alive.wait()


def test_a_replace_killed_between_its_two_renames_is_restored(tmp_path, one_year):
    out = tmp_path / "res"
    assert invoke("run", str(one_year), "--out", str(out), *SCALE, "--seed", "1").exit_code == 0
    before = tree(out)
    die_at("os:rename", ["run", str(one_year), "--out", str(out), *SCALE, "--seed", "2", "--force"], calls=2)
    assert not out.exists()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("res.previous-")]
    assert len(aside) == 1, sorted(p.name for p in tmp_path.iterdir())  # visible, not hidden
    assert tree(aside[0]) == before

    result = invoke("run", str(one_year), "--out", str(out), *SCALE, "--seed", "2")
    assert result.exit_code == 2, result.output
    note, error = " ".join(result.stderr.split()).split("Error:")
    assert note.startswith("Note:") and "restored the previous result" in note and aside[0].name in note
    assert "earlier result" in error and "--force" in error
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one_year.yaml", "res"]


# --------------------------------------------------------------------------- seeds


@pytest.mark.parametrize(
    ("command", "seed", "extra", "allowed"),
    [
        ("run", "-1", [], "0 to 4294967295"),
        ("run", str(2**32), [], "0 to 4294967295"),
        ("compare", "-1", [], "0 to 4294967295"),
        ("compare", str(2**32 - 1), ["--replications", "2"], "0 to 4294967294"),
    ],
)
def test_a_seed_out_of_range_exits_2_with_the_allowed_range(
    tmp_path, one_year, command, seed, extra, allowed
):
    out = tmp_path / "out"
    files = [str(one_year)] * (2 if command == "compare" else 1)
    result = invoke(command, *files, "--seed", seed, "--out", str(out), *SCALE[:2], "--quiet", *extra)
    assert_refused(result, f"--seed {seed}", allowed)
    assert not out.exists()


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_a_sweep_seed_out_of_range_exits_2_with_the_allowed_range(tmp_path, sweep_file, seed):
    sweep_file.write_text(sweep_file.read_text() + f"seed: {seed}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("batch", str(sweep_file), "--out", str(out), "--quiet")
    assert result.exit_code == 2, result.output
    assert "seed" in result.output and ("0" in result.output and "4294967295" in result.output)
    assert not out.exists()
