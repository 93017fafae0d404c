"""The `supportdesk` command. Parses arguments, then imports only what the chosen command needs,
so `--help` and the subcommands start without Textual or httpx.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from supportdesk_tui import __version__
from supportdesk_tui.extras import SERVER, missing_extra_sentence

if TYPE_CHECKING:
    from supportdesk_tui.first_frame import PrePaint

_SERVER_COMMANDS = ("serve", "token", "db")


def _app_arguments(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    """The app's options, on the main parser and again on each command that opens the app, so they
    work before or after the command's name (`supportdesk --lang ru demo` = `supportdesk demo --lang ru`)."""
    # A command's parser must not write its defaults over what the main parser already read.
    unset: str | None = argparse.SUPPRESS if after_command else None
    parser.add_argument("--server", metavar="URL", action="append", default=unset,
                        help="backend base URL, e.g. http://127.0.0.1:8765; several instances of "
                             "one deployment: URL1,URL2 or --server repeated")
    parser.add_argument("--lang", choices=["en", "ru"], default=unset,
                        help="interface language (default: config, then locale)")
    parser.add_argument("--theme", default=unset, help="theme name (see `supportdesk themes`)")
    parser.add_argument("--insecure", action="store_true", default=unset if after_command else False,
                        help="do not verify the server's TLS certificate (never on a real deployment)")
    parser.add_argument("--debug", action="store_true", default=unset if after_command else False,
                        help="log every request too (where the log is: docs/config.md)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportdesk",
        description="SupportDesk TUI: work the support queue from the terminal.",
        epilog="Token: SUPPORTDESK_TOKEN, the config file, or `supportdesk login`.",
    )
    parser.add_argument("--version", action="version", version=f"supportdesk {__version__}")
    _app_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("serve", help="run the reference backend (see `supportdesk serve --help`)", add_help=False)
    sub.add_parser("token", help="create, list and revoke reference backend tokens", add_help=False)
    sub.add_parser("db", help="upgrade the reference backend's database schema (`db upgrade --db …`)",
                   add_help=False)

    demo = sub.add_parser("demo", help="start a demo backend with live data and open the app")
    demo.add_argument("--as", dest="role", choices=["agent", "lead"], default="agent")
    demo.add_argument("--tickets", type=int, default=0, help="also generate N extra tickets")
    demo.add_argument("--simulate", type=float, default=0.3, metavar="RATE",
                      help="new customer events per second (0 to stop)")
    demo.add_argument("--fresh", action="store_true",
                      help="forget the last demo's tickets, drafts and settings and start from the seed")
    _app_arguments(demo, after_command=True)

    login = sub.add_parser("login", help="store a token for a server")
    login.add_argument("--server", metavar="URL", action="append", default=argparse.SUPPRESS,
                       help="base URL; several instances: URL1,URL2 or --server repeated")
    login.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    login.add_argument("--insecure", action="store_true", default=argparse.SUPPRESS,
                       help="do not verify the server's TLS certificate")
    sub.add_parser("logout", help="forget the stored token")
    sub.add_parser("themes", help="list the themes --theme accepts, each with a colour preview")

    config = sub.add_parser("config", help="show where the config lives, print it, or check it")
    config.add_argument("action", choices=["path", "show", "check"])

    completion = sub.add_parser("completion", help="print the shell's completion script (docs/completion.md)")
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])
    web = sub.add_parser("web", help="serve the agent app to browsers (each signs in with its own token)")
    web.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only)")
    web.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")
    web.add_argument("--public-url", metavar="URL", default=None,
                     help="the address browsers use, when a proxy stands in front (e.g. https://desk.example.com)")
    web.add_argument("--session", action="store_true", help=argparse.SUPPRESS)  # one browser's app
    _app_arguments(web, after_command=True)

    dashboard = sub.add_parser("dashboard", help="open the shift lead's dashboard")
    dashboard.add_argument("--wallboard", action="store_true", help="read-only large view for a wall screen")
    _app_arguments(dashboard, after_command=True)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in _SERVER_COMMANDS:
        # A client-only install (no `server` extra) gets what to install instead of a traceback.
        if (missing := missing_extra_sentence(f"supportdesk {args_list[0]}", SERVER)) is not None:
            print(missing, file=sys.stderr)
            raise SystemExit(2)
        from supportdesk_tui.server.cli import main as server_main  # lazy: a subcommand loads what it runs

        raise SystemExit(server_main(args_list))
    args = build_parser().parse_args(args_list)
    command = args.command
    if command == "demo":
        from supportdesk_tui.demo import run_demo  # lazy: a subcommand loads what it runs

        raise SystemExit(run_demo(args))
    if command == "login":
        from supportdesk_tui.launch import run_login  # lazy: a subcommand loads what it runs

        raise SystemExit(run_login(args))
    if command == "logout":
        from supportdesk_tui.launch import run_logout  # lazy: a subcommand loads what it runs

        raise SystemExit(run_logout())
    if command == "themes":
        from supportdesk_tui.theme_list import run_themes  # lazy: a subcommand loads what it runs

        raise SystemExit(run_themes())
    if command == "config":
        from supportdesk_tui.launch import run_config  # lazy: a subcommand loads what it runs

        raise SystemExit(run_config(args.action))
    if command == "completion":
        from supportdesk_tui.completion import run_completion  # lazy: a subcommand loads what it runs

        raise SystemExit(run_completion(args.shell, build_parser(), _SERVER_COMMANDS))
    if command == "web":
        from supportdesk_tui.web.serve import run_web  # lazy: a subcommand loads what it runs

        raise SystemExit(run_web(args))
    if command is None:
        raise SystemExit(_run_queue_start(args, args_list))
    from supportdesk_tui.launch import run_app  # lazy: a subcommand loads what it runs

    mode = "dashboard" if command == "dashboard" else None
    raise SystemExit(run_app(args, mode=mode, wallboard=bool(getattr(args, "wallboard", False))))


def _run_queue_start(args: argparse.Namespace, args_list: Sequence[str]) -> int:
    """Plain `supportdesk`: paint the last session's cached first page — or, with nothing cached,
    the first rows read at once — then load and run the app.

    The pre-paint comes before every heavy import (see first_frame.py and first_start.py); it is
    left behind, keys typed at it discarded, right before Textual takes the terminal, or when the
    start fails.
    """
    # lazy: stdlib only
    from supportdesk_tui.domain.terminal_probe import GraphicsProbe
    from supportdesk_tui.first_frame import paint_cached_page, start_key
    from supportdesk_tui.first_start import prepare_paint, send_early

    key = start_key(args_list)
    painted: PrePaint | None = paint_cached_page(key)
    # The sign-in's requests (and, with nothing painted, the first rows) go out now, from a thread.
    early = send_early(args, with_rows=painted is None)
    rows_to_paint = prepare_paint(early, key) if painted is None and early is not None else None
    # The terminal's answers come back while the app imports (domain/terminal_probe.py).
    probe = GraphicsProbe().start()
    if rows_to_paint is not None:
        painted = rows_to_paint.paint_when_read(probe)  # from the launch thread, while the app imports
    try:
        from supportdesk_tui.launch import run_app  # lazy: the heavy part of a start

        return run_app(args, first_page=key, painted=painted, probe=probe,
                       early=early.prefetch if early is not None else None)
    finally:
        probe.finish()
        if painted is not None:
            painted.leave_unless_handed_over(sys.stdout)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
