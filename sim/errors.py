"""Errors a user can cause and fix: they are reported as one clear paragraph, never a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input (scenario, sweep or data file). The CLI prints it and exits with code 2."""


class ScenarioError(InputError):
    """A scenario file cannot be read or does not validate."""


class DataError(InputError):
    """A data file in ``data/`` is missing or malformed."""


class OutputError(InputError):
    """An output path cannot be used (a file, unwritable, or holding a user's files)."""
