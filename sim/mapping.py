"""Nested mappings addressed by dotted paths: the one set of helpers scenarios, sweeps and the app use.

A scenario travels as a nested mapping (``{"policies": {"bag_levy": {"levy_usd_per_bag": 0.1}}}``)
and its fields are named by dotted paths (``"policies.bag_levy.levy_usd_per_bag"``).
"""

from __future__ import annotations

import copy
from typing import Any

from sim.errors import ScenarioError


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: mappings key by key, everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data[a][b][c] = value`` for ``path`` ``"a.b.c"``, creating mappings on the way.

    A section that is absent or null (a lever not in force) is created, so that setting one
    lever parameter switches the lever on with its other parameters at their defaults.

    Raises:
        ScenarioError: If a part of the path is a single value, not a section.
    """
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
        if not isinstance(node, dict):
            raise ScenarioError(f"{path}: {key!r} is not a section that has fields")
    node[leaf] = value


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path, or None where the path leads nowhere."""
    node = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a nested mapping by dotted path (lists, None and empty mappings are leaves)."""
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}
