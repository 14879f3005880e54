"""Writing files and folders all or nothing, and checking output paths before any work is done.

Every writer of the package goes through this module: run results (:mod:`sim.results`), sweep
folders (:mod:`sim.batch.store`), analyses, comparisons and the golden file of the tests.

- :func:`write_file` (and :func:`write_text`, :func:`write_json`) writes into a temporary file
  beside the target, then renames it into place with :func:`os.replace`: a reader sees the old
  file or the new one, never half of one.
- :func:`make_temp_dir` and :func:`publish_dir` do the same for a folder. Replacing an existing
  folder takes two renames; in between, the old folder sits under a *visible* name
  (``NAME.previous-HOST-PID``), and :func:`recover_dir` puts it back on the next run if the
  process was killed between the two.
- Temporary names carry the host and process id (``.NAME.tmp-HOST-PID-TOKEN``), so
  :func:`clean_stale` can remove those left by processes of this host that are no longer
  running, and never touches those of a live process.
- :func:`check_output_dir` refuses, before anything is computed, an output path that cannot
  work: an empty string, an existing file, a path under a file, a folder where nothing can be
  created.
- :func:`dumps_strict` is JSON without ``NaN`` or ``Infinity`` (which are not JSON).

Folders are created with :func:`os.mkdir`, so they get the user's usual permissions (the
umask), not the private 0700 of :func:`tempfile.mkdtemp`.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import OutputError

HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"
_TEMP = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<host>[A-Za-z0-9_.]+)-(?P<pid>\d+)-[0-9a-f]{8}$")
_ASIDE = re.compile(r"^(?P<name>.+)\.previous-(?P<host>[A-Za-z0-9_.]+)-(?P<pid>\d+)$")


def temp_name(name: str) -> str:
    """A hidden temporary name for ``name``, owned by this process: ``.NAME.tmp-HOST-PID-TOKEN``."""
    return f".{name}.tmp-{HOST}-{os.getpid()}-{secrets.token_hex(4)}"


def is_temp_name(name: str) -> bool:
    """Whether ``name`` was made by :func:`temp_name` (by any process, on any host)."""
    return _TEMP.match(name) is not None


def aside_name(name: str) -> str:
    """The visible name an existing folder takes while it is being replaced by this process."""
    return f"{name}.previous-{HOST}-{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (a process of another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _left_by_dead_process(match: re.Match[str] | None) -> bool:
    return match is not None and match["host"] == HOST and not pid_alive(int(match["pid"]))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary files and folders in ``folder`` left by dead processes of this host.

    Only names made by :func:`temp_name` are considered; those of a process that still runs,
    or of another host, are left alone.

    Returns:
        The paths removed.
    """
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        if _left_by_dead_process(_TEMP.match(entry.name)):
            _remove(entry)
            removed.append(entry)
    return removed


def recover_dir(out: Path, is_ours: Callable[[Path], bool]) -> list[str]:
    """Finish or undo the replacement of ``out`` by a process that was killed half-way.

    If ``out`` is missing and an earlier process moved the old folder aside, the old folder is
    put back. If ``out`` is there (the new folder made it into place), the old folder is
    removed, but only when ``is_ours`` recognises it as something this program wrote.

    Returns:
        One sentence per folder restored or removed, for the user.
    """
    notes: list[str] = []
    if not out.parent.is_dir():
        return notes
    for entry in sorted(out.parent.iterdir()):
        match = _ASIDE.match(entry.name)
        if not _left_by_dead_process(match) or match is None or match["name"] != out.name:
            continue
        if not out.exists():
            os.rename(entry, out)
            notes.append(
                f"{out}: restored the previous result from {entry.name}, where a run stopped "
                "while replacing it had left it."
            )
        elif is_ours(entry):
            shutil.rmtree(entry)
            notes.append(f"{entry}: removed; it held the result {out} had before its last replacement.")
    return notes


def write_file(path: Path, write: Callable[[Path], object]) -> Path:
    """Write a file all or nothing: ``write(temporary_path)``, then rename it to ``path``.

    Args:
        path: The file to create or replace.
        write: Writes the whole file to the path it is given.

    Returns:
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(temp_name(path.name))
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write text (UTF-8) to ``path`` all or nothing."""
    return write_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, value: Any, indent: int | None = 2) -> Path:
    """Write strict JSON (no NaN or infinity, see :func:`dumps_strict`) to ``path`` all or nothing."""
    return write_text(path, dumps_strict(value, indent=indent, what=str(path)))


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _non_finite(value: Any, where: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _non_finite(item, f"{where}[{i}]")
    elif isinstance(value, float | np.floating) and not math.isfinite(value):
        yield where, float(value)


def dumps_strict(value: Any, indent: int | None = 2, what: str = "JSON") -> str:
    """JSON text of ``value``; NaN and infinities are refused, since JSON cannot hold them.

    Args:
        value: Dicts, lists, strings, numbers (numpy scalars too), booleans and None.
        indent: Indentation, or None for one line.
        what: Name of the document, for the error message.

    Raises:
        ValueError: Naming the first value that is not a finite number.
    """
    try:
        return json.dumps(value, indent=indent, allow_nan=False, default=_plain)
    except ValueError:
        where, bad = next(_non_finite(value), ("?", math.nan))
        raise ValueError(f"{what}: {where} = {bad} is not a finite number; JSON cannot hold it.") from None


def make_temp_dir(out: Path) -> Path:
    """A new temporary folder beside ``out`` (its parents are created), with normal permissions."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(temp_name(out.name))
    tmp.mkdir()
    return tmp


def publish_dir(tmp: Path, out: Path) -> None:
    """Move the finished folder ``tmp`` to ``out``, replacing an empty or earlier ``out``.

    The caller decides whether ``out`` may be replaced. A non-empty ``out`` is first renamed to
    :func:`aside_name` (visible), then ``tmp`` takes its place, then the old folder is removed;
    if the second rename fails, the old folder is put back. A process killed between the two
    renames leaves the old folder under the visible name, and :func:`recover_dir` restores it.
    """
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        os.replace(tmp, out)  # a missing or empty folder is replaced in one rename
        return
    aside = out.with_name(aside_name(out.name))
    os.rename(out, aside)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(aside, out)
        raise
    shutil.rmtree(aside)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe_writable(folder: Path, path: Path) -> None:
    probe = folder / temp_name("probe")
    try:
        probe.mkdir()
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write there: creating a folder in {folder} failed ({exc.strerror})."
        ) from None
    probe.rmdir()


def check_output_dir(path: str | Path, inside: bool = False) -> Path:
    """Check, before any work, that a folder can be written at ``path``.

    Args:
        path: The output folder as the user gave it (an empty string is refused).
        inside: True if files are written into an existing folder (a sweep resumed, an
            analysis, a comparison); False if the folder itself is created or replaced (a run's
            result), which needs permission to write in its parent.

    Returns:
        The folder as a :class:`~pathlib.Path`.

    Raises:
        OutputError: If the path is empty, is an existing file, lies under a file, or nothing
            can be created where it would go. Nothing is created or changed.
    """
    if not str(path).strip():
        raise OutputError("output folder '': an empty path; give the name of a folder.")
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file, not a folder; it is left untouched. Choose a folder.")
    if out.is_dir() and inside:
        _probe_writable(out, out)
        return out
    base = _nearest_existing(out.absolute().parent)
    if not base.is_dir():
        raise OutputError(f"{out}: cannot be created, because {base} is a file, not a folder.")
    _probe_writable(base, out)
    return out
