"""Serve the web app: ``python app.py`` then open http://127.0.0.1:8050.

Host and port come from ``--host``/``--port`` or the ``PLASTIC_APP_HOST``/``PLASTIC_APP_PORT``
environment variables. See ``docs/app.md``.
"""

from __future__ import annotations

import argparse
import gc
import os

from ui import create_app, figures
from ui.runs import warm_up

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the server."""
    parser = argparse.ArgumentParser(description="Serve the plastic-waste policy simulator web app.")
    parser.add_argument(
        "--host", default=os.environ.get("PLASTIC_APP_HOST", DEFAULT_HOST), help="interface to listen on"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PLASTIC_APP_PORT", DEFAULT_PORT)),
        help="port to listen on",
    )
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, error pop-ups)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Build the app and serve it until interrupted."""
    args = parse_args(argv)
    print("Preparing the model (the first start on a new machine compiles it, about 10 s) ...", flush=True)
    warm_up()
    figures.prepare()
    app = create_app()
    # What is loaded by now (libraries, compiled code, the app) lives as long as the server: kept
    # out of the collector's full passes, each of which would otherwise scan it (about 0.2 s, a
    # pause in the middle of some lever change).
    gc.freeze()
    print(f"Plastic-waste policy simulator: http://{args.host}:{args.port}  (Ctrl+C to stop)")
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
