"""`nntui serve`: the app in a browser, through textual-serve, for terminals that mangle the screen.
It listens on 127.0.0.1 only; each browser tab gets an app process of its own."""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
from pathlib import Path
from typing import TextIO

from nntui.core.errors import UserError

HOST = "127.0.0.1"  # never another interface: the app trains and writes files as you
DEFAULT_PORT = 8000
ABOUT = """\
The app in a browser, served by textual-serve on {host}:{port} only: other machines cannot
reach it. From your own machine, forward the port over SSH and open it there:

    ssh -L {port}:localhost:{port} SERVER      then open http://localhost:{port}

Each page load starts a fresh app. A browser reload or a closed tab ends that page's app: a run
it was training is stopped and saved as stopped, as q does (nntui runs lists it). Exports from the
runs screen (h, e) are written on the server and downloaded by the browser too. Ctrl-C stops the
server and every app it serves."""


def add_serve_command(commands, store: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[store],
        help="the app in a browser (textual-serve), on 127.0.0.1 only: reach it with ssh -L",
        description=ABOUT.format(host=HOST, port="N"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar="N", help=f"the port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--config-string", metavar="TEXT", help="open every page's app on this config (a share string)"
    )


def app_command(runs_dir: str | None, config_string: str | None = None) -> str:
    """The shell command textual-serve runs for each page: this Python's nntui app."""
    parts = [sys.executable, "-m", "nntui"]
    if runs_dir:
        parts += ["--runs-dir", str(Path(runs_dir).expanduser().resolve())]
    if config_string is not None:
        parts += ["--config-string", config_string]
    return shlex.join(parts)


def check_port(port: int) -> None:
    """A port out of range or already taken on 127.0.0.1 is a message, before the server starts."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port must be between 1 and 65535, got {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise UserError(
                f"cannot listen on {HOST}:{port} ({error.strerror or error}): --port N chooses another"
            ) from None


def serve_command(args: argparse.Namespace, out: TextIO) -> int:
    check_port(args.port)
    if args.config_string is not None:
        from nntui.core.share import from_share_string

        from_share_string(args.config_string)  # a bad one is refused here, not in every page
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError(
            "nntui serve needs textual-serve: pip install 'nntui[serve]' (or pip install textual-serve)"
        ) from None
    runs_dir = getattr(args, "runs_dir", None)
    if runs_dir:
        from nntui.storage.runs import RunStore

        RunStore(runs_dir).ensure_writable()
    print(ABOUT.format(host=HOST, port=args.port), file=out, flush=True)
    server = Server(
        app_command(runs_dir, args.config_string),
        host=HOST,
        port=args.port,
        title="nntui",
        public_url=f"http://localhost:{args.port}",
    )
    server.serve()
    return 0
