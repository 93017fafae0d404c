"""Serve the app to browsers (`supportdesk web`), and run one browser's app (`web --session`).

Per browser connection textual-serve starts `supportdesk web --session …` with the options the
server was given, never a token: the server's own SUPPORTDESK_TOKEN is removed from the
environment the sessions inherit, and a session reads neither the config's token nor the stored
login (launch.resolve_settings with `in_browser`). Each person types theirs on the sign-in
screen; it stays in that session's memory. Drafts and the outbox are kept per server and agent
(session.py), so two agents signed in from two browsers never see each other's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from supportdesk_tui.contract.addresses import is_loopback
from supportdesk_tui.extras import WEB, missing_extra_sentence
from supportdesk_tui.launch import EXIT_USAGE, resolve_settings, run_with_settings

if TYPE_CHECKING:
    from aiohttp import web

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
# Printed (and flushed) once the server listens; tests and scripts wait for it.
LISTENING_PREFIX = "SupportDesk in a browser:"
# What a browser session must not inherit from the server's environment.
_SECRETS = ("SUPPORTDESK_TOKEN",)


def session_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser connection."""
    argv = [sys.executable, "-m", "supportdesk_tui", "web", "--session"]
    for server in getattr(args, "server", None) or []:
        argv += ["--server", server]
    if getattr(args, "lang", None):
        argv += ["--lang", args.lang]
    if getattr(args, "theme", None):
        argv += ["--theme", args.theme]
    if getattr(args, "insecure", False):
        argv.append("--insecure")
    return shlex.join(argv)


def run_web(args: argparse.Namespace) -> int:
    if args.session:
        return run_web_session(args)
    if (missing := missing_extra_sentence("supportdesk web", WEB)) is not None:
        print(missing, file=sys.stderr)
        return EXIT_USAGE
    from textual_serve.server import Server  # lazy: only `supportdesk web` needs the `web` extra
    for name in _SECRETS:
        os.environ.pop(name, None)
    if not is_loopback(args.host):
        print(f"supportdesk: serving on {args.host}: tokens typed in the browser cross the network "
              "unencrypted unless a TLS proxy stands in front (--public-url https://…).", file=sys.stderr)

    class DeskServer(Server):
        async def on_startup(self, app: web.Application) -> None:
            """Quiet: textual-serve's banner names the session command; ours follows once listening."""

        def serve(self, debug: bool = False) -> None:
            # textual-serve's own serve(), but saying where it listens once the socket is bound
            # (its on_startup runs before the bind, so a taken port would be announced first).
            from aiohttp import web as aiohttp_web  # lazy: with textual-serve, above

            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            loop.add_signal_handler(signal.SIGINT, self.request_exit)
            loop.add_signal_handler(signal.SIGTERM, self.request_exit)
            aiohttp_web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False,
                                loop=loop, print=self._listening)

        def _listening(self, *_banner: object) -> None:
            print(f"{LISTENING_PREFIX} {self.public_url}  (Ctrl+C to stop)", flush=True)

    server = DeskServer(session_command(args), host=args.host, port=args.port, title="SupportDesk",
                        public_url=args.public_url, templates_path=TEMPLATES)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(f"supportdesk: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_USAGE
    return 0


def run_web_session(args: argparse.Namespace) -> int:
    """One browser's app: signs in on its sign-in screen, with the web keymap."""
    settings = resolve_settings(args, in_browser=True)
    if isinstance(settings, str):
        print(f"supportdesk: {settings}", file=sys.stderr)
        return EXIT_USAGE
    return run_with_settings(settings)
