"""Reading scenario (and sweep) files: the one YAML reader, ``extends:`` chains and their limits.

A scenario file lists only what differs from the defaults in ``data/`` (:mod:`sim.io`), or from
another scenario named by ``extends:``. Mappings merge key by key; lists and single values replace
what they override. A file may list top-level sections under ``replace:`` (e.g. ``replace:
[districts, facilities]``): those sections are then taken whole from the file instead of merged
over the defaults and the files it extends (a scenario for another place needs its own districts,
not the 14 khans plus its own).

The CLI, batches and the app all read YAML through :func:`parse_yaml`, which refuses hostile
input fast: files over :data:`MAX_FILE_BYTES`, nesting deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_NODES` values once aliases are expanded (a "billion laughs" bomb), and strings longer
than :data:`MAX_STRING_CHARS`. A file uploaded to the app (:func:`load_scenario_text`) may extend
only scenarios shipped in ``scenarios/``, by name; no other path is ever opened for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError, ScenarioError
from sim.io import default_inputs
from sim.mapping import deep_merge, flatten
from sim.scenario import Scenario, validate_scenario

#: Largest scenario or sweep file read [bytes]; the shipped ones are 0.3-3.5 kB.
MAX_FILE_BYTES = 256_000
#: Deepest nesting of mappings and lists (a scenario needs 4 or 5).
MAX_DEPTH = 32
#: Most values (mapping entries, list items, scalars) once aliases are expanded.
MAX_NODES = 100_000
#: Longest string value [characters].
MAX_STRING_CHARS = 20_000
#: The scenarios shipped with the project, which an uploaded file may extend by name.
SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"
#: How the default data are named where a value comes from them.
DEFAULTS_ORIGIN = "the default data (data/)"

Origins = dict[tuple[str, ...], str]


class _TooDeep(yaml.YAMLError):
    """Nesting beyond :data:`MAX_DEPTH`."""


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a bound on nesting depth while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise _TooDeep(f"nested deeper than {MAX_DEPTH} levels (line {mark.line + 1})")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_size(data: Any, limit_error: Callable[[str], InputError]) -> None:
    """Refuse a loaded document whose expanded size or strings exceed the limits.

    Aliases make several references to one object; each reference is counted, as everything
    downstream (validation, merging, messages) would walk it again.
    """
    count = 0
    stack = [data]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise limit_error(
                f"holds more than {MAX_NODES:,} values once its aliases (*name) are expanded; "
                "a scenario needs a few hundred"
            )
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and len(node) > MAX_STRING_CHARS:
            raise limit_error(f"has a string of {len(node):,} characters (at most {MAX_STRING_CHARS:,})")


def parse_yaml(
    text: str | bytes,
    source: str,
    what: str = "scenario",
    error: type[InputError] = ScenarioError,
    allow_empty: bool = True,
) -> dict[str, Any]:
    """Parse YAML text into a mapping within the limits, turning every failure into one ``error``.

    Args:
        text: The file's content.
        source: The file's name, for messages.
        what: What the file is, for messages ("a scenario file must be a mapping ...").
        error: The error to raise.
        allow_empty: Read an empty document as an empty mapping (else it is an error).
    """

    def refuse(problem: str) -> InputError:
        return error(f"{source}: this {what} file {problem}. It was not read.")

    if len(text) > MAX_FILE_BYTES:
        raise refuse(f"is {len(text):,} bytes, more than the {MAX_FILE_BYTES:,} allowed")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"{source}: not a text file (expected UTF-8 YAML).") from None
    loader = _LimitedLoader(text)
    try:
        data = loader.get_single_data()
    except _TooDeep as exc:
        raise refuse(f"is {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{source}: not valid YAML{where}: {problem}.") from None
    except RecursionError:  # pragma: no cover - the depth bound comes first
        raise refuse(f"is nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    _check_size(data, refuse)
    if data is None and allow_empty:
        return {}
    if not isinstance(data, dict):
        raise error(f"{source}: a {what} file must be a mapping of fields, got {type(data).__name__}.")
    return data


def read_yaml(
    path: Path, what: str = "scenario", error: type[InputError] = ScenarioError, allow_empty: bool = True
) -> dict[str, Any]:
    """Read a YAML file as a mapping within the limits of :func:`parse_yaml`.

    The size is checked before anything is read, so a huge file is refused at once.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: no such {what} file.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(
                f"{path}: this {what} file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} "
                "allowed. It was not read."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    return parse_yaml(raw, str(path), what, error, allow_empty)


# --------------------------------------------------------------------------- paths from users


def inside(root: Path, text: str, what: str = "path") -> Path:
    """The path ``text`` names inside ``root``, refusing anything that leads out of it.

    The one guard for paths that come from a user of the app: absolute paths, ``..`` that
    climbs out, and symbolic links pointing out are refused. The message names only ``text``.

    Raises:
        InputError: If the path is empty or leads outside ``root``.
    """
    if not text or not text.strip():
        raise InputError(f"no {what} given.")
    candidate = Path(text)
    base = root.resolve()
    path = (base / candidate).resolve()
    if candidate.is_absolute() or (path != base and base not in path.parents):
        raise InputError(f"{what} {text!r} is outside the project's folder; only paths inside it are read.")
    return path


# --------------------------------------------------------------------------- extends chains


@dataclass
class Resolved:
    """A scenario file merged over the chain of files it extends, and where each value comes from."""

    data: dict[str, Any]
    origins: Origins = field(default_factory=dict)

    def origin(self, loc: Iterable[Any], default: str = DEFAULTS_ORIGIN) -> str:
        """The file that holds the value at a location of the scenario."""
        parts = tuple(str(p) for p in loc)
        for k in range(len(parts), 0, -1):
            if parts[:k] in self.origins:
                return self.origins[parts[:k]]
        return default


def _replace_list(data: dict[str, Any], source: str) -> list[str]:
    """The file's ``replace:`` list, checked against the top-level sections."""
    replace = data.get("replace", [])
    allowed = sorted(Scenario.model_fields)
    if not isinstance(replace, list) or any(not isinstance(n, str) or n not in allowed for n in replace):
        raise ScenarioError(
            f"{source}: field 'replace' = {replace!r}: must be a list of top-level sections "
            f"(allowed: {', '.join(allowed)})."
        )
    return replace


def shipped_scenarios(scenarios_dir: Path = SCENARIOS_DIR) -> list[str]:
    """Names of the scenario files shipped in ``scenarios/`` (top level only)."""
    return sorted(p.name for p in scenarios_dir.glob("*.yaml") if p.is_file())


def _shipped_parent(parent: str, source: str, scenarios_dir: Path) -> Path:
    """The shipped scenario an uploaded file extends, by name; anything else is refused."""
    names = shipped_scenarios(scenarios_dir)
    name = parent if parent.endswith(".yaml") else f"{parent}.yaml"
    if name not in names:
        raise ScenarioError(
            f"{source}: field 'extends' = {parent!r}: a file opened in the app may extend only a "
            f"scenario shipped with it, by name; allowed: {', '.join(names)}."
        )
    return scenarios_dir / name


def resolve_file(
    path: Path,
    seen: tuple[Path, ...] = (),
    shipped_dir: Path | None = None,
    display: str | None = None,
    data: dict[str, Any] | None = None,
) -> Resolved:
    """A scenario file's own fields merged over the chain of files it ``extends``.

    Args:
        path: The file (for an upload, a name only: it is never opened).
        seen: Files already in the chain (to refuse cycles).
        shipped_dir: If given, ``extends:`` may name only scenarios shipped there, by name
            (uploads); else it is a path relative to the file.
        display: How the file is named in messages (default: its path).
        data: The file's content if already read (uploads).
    """
    source = display or str(path)
    if shipped_dir is None:
        path = path.resolve()
        if path in seen:
            chain = " -> ".join(str(p) for p in (*seen, path))
            raise ScenarioError(f"{path}: 'extends' makes a cycle: {chain}.")
    elif path in seen:
        raise ScenarioError(f"{source}: 'extends' makes a cycle.")
    own = read_yaml(path) if data is None else dict(data)
    parent = own.pop("extends", None)
    replace = _replace_list(own, source)
    own_origins = {tuple(k.split(".")): source for k in flatten(own) if k}
    if parent is None:
        return Resolved(own, own_origins)
    if not isinstance(parent, str):
        raise ScenarioError(f"{source}: field 'extends' = {parent!r}: must be a file path.")
    if shipped_dir is not None:
        parent_path = _shipped_parent(parent, source, shipped_dir)
        parent_display = f"scenarios/{parent_path.name}"
    else:
        parent_path = (path.parent / parent).resolve()
        if not parent_path.is_file():
            raise ScenarioError(f"{source}: field 'extends' = {parent!r}: no such file ({parent_path}).")
        parent_display = str(parent_path)
    inherited = resolve_file(parent_path, (*seen, path), shipped_dir, parent_display)
    merged = deep_merge({k: v for k, v in inherited.data.items() if k not in replace}, own)
    replaced = sorted(set(inherited.data.get("replace", [])) | set(replace))
    if replaced:
        merged["replace"] = replaced
    origins = {k: v for k, v in inherited.origins.items() if k[0] not in replace}
    origins.update(own_origins)
    return Resolved(merged, origins)


def merge_over_defaults(defaults: dict[str, Any], resolved: dict[str, Any]) -> dict[str, Any]:
    """Merge a resolved scenario file over the defaults, honouring its ``replace:`` list."""
    resolved = dict(resolved)
    replace = resolved.pop("replace", [])
    return deep_merge({k: v for k, v in defaults.items() if k not in replace}, resolved)


def _validate(resolved: Resolved, source: str, defaults: dict[str, Any] | None) -> Scenario:
    base = default_inputs() if defaults is None else defaults
    return validate_scenario(merge_over_defaults(base, resolved.data), source, resolved.origin)


def load_scenario(path: str | Path, defaults: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file over the default data.

    Args:
        path: A YAML scenario file.
        defaults: The default inputs; read from ``data/`` when not given.

    Raises:
        ScenarioError: Naming the file that holds the value, the field, the value and what is
            allowed.
    """
    path = Path(path)
    return _validate(resolve_file(path, display=str(path)), str(path), defaults)


def load_scenario_text(
    text: str | bytes,
    filename: str,
    scenarios_dir: Path = SCENARIOS_DIR,
    defaults: dict[str, Any] | None = None,
) -> Scenario:
    """Load a scenario from text a user uploaded, never opening any file of theirs or the server's.

    ``extends:`` may name only a scenario shipped in ``scenarios_dir``, by name.

    Raises:
        ScenarioError: With a message fit to show the user, which names nothing of the server.
    """
    name = os.path.basename(filename) or "uploaded file"
    data = parse_yaml(text, name)
    return _validate(
        resolve_file(Path(name), shipped_dir=scenarios_dir, display=name, data=data), name, defaults
    )


def default_scenario() -> Scenario:
    """The default inputs from ``data/`` (the Phnom Penh calibration) as a scenario."""
    return validate_scenario({"name": "defaults", **default_inputs()}, "data/")
