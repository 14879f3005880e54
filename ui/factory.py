"""Building the Dash app: :func:`create_app` is the one entry point (used by ``app.py`` and tests).

Long runs (replications, full scale) use background callbacks with a disk cache kept outside
the repository (``$PLASTIC_APP_CACHE`` or the system's temporary folder), so they survive no
longer than the cache and never land in git.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import dash
from dash import Dash, set_props

from ui import callbacks, ids, layout, workshop
from ui.text import request_language, t, use_language

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
CACHE_ENV = "PLASTIC_APP_CACHE"
log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Folder of the background-callback cache (outside the repository)."""
    return Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "plastic-sim-app-cache")


def background_manager(folder: Path | None = None) -> dash.DiskcacheManager:
    """A disk-cache manager for background callbacks."""
    import diskcache

    return dash.DiskcacheManager(diskcache.Cache(str(folder or cache_dir())))


def show_error(error: Exception) -> None:
    """Global callback error handler: show the message in place and keep the app working.

    The failing callback's outputs are left unchanged; the traceback goes to the server log.
    """
    log.exception("callback failed", exc_info=error)
    set_props(ids.ERROR_ALERT, {"children": t("status.error", error=error), "hide": False})


def sweeps_available() -> bool:
    """Whether the batch package can read finished sweeps."""
    try:
        from sim.batch import load_sweep_results  # noqa: F401
    except ImportError:
        return False
    return True


def create_app(**dash_kwargs: Any) -> Dash:
    """Build the web app (layout per page load, every callback registered).

    Args:
        **dash_kwargs: Passed to :class:`dash.Dash` (e.g. ``background_callback_manager``).
    """
    sweeps = sweeps_available()
    options: dict[str, Any] = {
        "title": t("app.page_title"),
        "assets_folder": str(ASSETS_DIR),
        "serve_locally": True,
        "suppress_callback_exceptions": False,
        "on_error": show_error,
        "meta_tags": [{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    }
    options.update(dash_kwargs)
    if "background_callback_manager" not in options:
        options["background_callback_manager"] = background_manager()
    app = Dash(__name__, **options)
    app.layout = lambda: layout.serve_layout(sweeps)
    app.interpolate_index = functools.partial(localized_index, app)  # type: ignore[method-assign]
    callbacks.register(app, sweeps)
    workshop.register(app, (ids.STORE_LANG, "data"))
    return app


def localized_index(app: Dash, **parts: Any) -> str:
    """The page's HTML in the request's language: ``<html lang>`` and the title.

    The language is ``?lang=`` of the address, else the browser's preferred one.
    """
    lang = request_language()
    with use_language(lang):
        page = Dash.interpolate_index(app, **{**parts, "title": t("app.page_title")})
    return page.replace("<html>", f'<html lang="{lang}">', 1)
