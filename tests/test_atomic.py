"""The one atomic writer (:mod:`sim.atomic`): all or nothing, tidy after kills, strict JSON."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim import atomic
from sim.errors import OutputError

ROOT = Path(__file__).resolve().parent.parent


def test_there_is_one_atomic_writer():
    """Every rename into place, and every temporary file or folder, is made in sim/atomic.py."""
    pattern = re.compile(
        r"\bos\.(replace|rename)\(|mkdtemp\(|mkstemp\(|NamedTemporaryFile\(|\b(tmp|path|out|old)\w*\.(rename|replace)\("
    )
    files = [*(ROOT / "sim").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), ROOT / "app.py"]
    files.append(ROOT / "tests" / "golden" / "regenerate.py")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in files
        if path != ROOT / "sim" / "atomic.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, "write files through sim.atomic:\n" + "\n".join(found)


def test_write_file_is_all_or_nothing(tmp_path):
    path = tmp_path / "table.csv"
    atomic.write_text(path, "old")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.write_file(path, half_then_fail)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_clean_stale_removes_only_what_dead_processes_of_this_host_left(tmp_path):
    dead = tmp_path / f".res.tmp-{atomic.HOST}-{dead_pid()}-0123abcd"
    live = tmp_path / f".res.tmp-{atomic.HOST}-{os.getpid()}-0123abcd"
    other_host = tmp_path / f".res.tmp-elsewhere-{dead_pid()}-0123abcd"
    users = tmp_path / ".res.tmp-mine"
    for folder in (dead, live, other_host, users):
        folder.mkdir()
        (folder / "x").write_text("x")
    dead_file = tmp_path / f".part.parquet.tmp-{atomic.HOST}-{dead_pid()}-89abcdef"
    dead_file.write_text("half")
    assert sorted(atomic.clean_stale(tmp_path)) == sorted([dead, dead_file])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (live, other_host, users))


def test_publish_dir_puts_the_old_folder_back_if_the_new_one_cannot_take_its_place(tmp_path, monkeypatch):
    out, tmp = tmp_path / "res", tmp_path / "new"
    out.mkdir()
    (out / "summary.json").write_text("old")
    tmp.mkdir()
    (tmp / "summary.json").write_text("new")
    real_rename = os.rename

    def failing(src, dst):
        if Path(src) == tmp:
            raise OSError("no space")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(OSError, match="no space"):
        atomic.publish_dir(tmp, out)
    assert (out / "summary.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "res"]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_dumps_strict_refuses_what_is_not_json_and_names_it(bad):
    with pytest.raises(ValueError, match=r"summary\.json: a\.b\[1\] = .* is not a finite number"):
        atomic.dumps_strict({"a": {"b": [1.0, bad]}}, what="summary.json")
    assert json.loads(atomic.dumps_strict({"a": np.float64(2.5), "b": np.int64(3)})) == {"a": 2.5, "b": 3}


def test_check_output_dir_changes_nothing(tmp_path):
    out = tmp_path / "a" / "b" / "c"
    assert atomic.check_output_dir(out) == out
    assert list(tmp_path.iterdir()) == []  # parents are created only when writing
    with pytest.raises(OutputError, match="an empty path"):
        atomic.check_output_dir("  ")
