"""What the command-line modules share: the consoles and the one way a user error is reported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from sim.errors import InputError

#: Exit code of a user mistake (bad file, field, value or path).
USER_ERROR = 2
console = Console()
err_console = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn input errors into one message and exit code 2."""
    try:
        yield
    except InputError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(USER_ERROR) from None
