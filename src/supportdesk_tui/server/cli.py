"""Command-line entry points of the reference backend: `serve`, `token create|list|revoke`, `db upgrade`.

The arguments and the commands' answers live here; serving is `server/serving.py`, tokens
`server/token_admin.py`. Only argparse and the standard library (and `contract.stream`, standard
library itself) are imported at module level, so the main `supportdesk` CLI can reuse these builders
without paying for FastAPI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from supportdesk_tui.contract.stream import STREAM_KEEPALIVE_SECONDS
from supportdesk_tui.server.serving import DEFAULT_PORT, LISTENING_PREFIX, default_db_path, serve

DB_HELP = (
    "SQLite file or postgresql://user@host/dbname URL "
    "(default: $SUPPORTDESK_DATABASE_URL, else a SQLite file in the user data dir)"
)


def database(option: str | None) -> str | Path:
    """The database a command works on: --db, else $SUPPORTDESK_DATABASE_URL, else the default file."""
    from supportdesk_tui.server.storage import database_from

    return database_from(option, default_db_path())


def parse_when(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one")
    parser.add_argument("--db", default=None, help=DB_HELP)
    parser.add_argument(
        "--create", action="store_true", help="create the --db file's folder when it does not exist yet"
    )
    parser.add_argument("--demo", action="store_true", help="seed the demo world into an empty database")
    parser.add_argument(
        "--demo-now",
        type=parse_when,
        default=None,
        metavar="ISO",
        help="anchor the demo seed and the server clock at this UTC time (the clock then runs on)",
    )
    parser.add_argument("--tickets", type=int, default=0, metavar="N", help="also generate N bulk tickets")
    parser.add_argument(
        "--simulate", type=float, default=0.0, metavar="RATE", help="simulated arrivals per second (e.g. 0.3)"
    )
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host with --demo")
    parser.add_argument(
        "--rate-limit", type=float, default=50.0, metavar="RPS", help="requests per second per agent; 0 = off"
    )
    parser.add_argument("--rate-burst", type=int, default=200, metavar="N", help="token bucket size")
    parser.add_argument(
        "--auth-fail-rate",
        type=float,
        default=1.0,
        metavar="RPS",
        help="failed authentications per second per client address (off with --rate-limit 0)",
    )
    parser.add_argument(
        "--auth-fail-burst", type=int, default=20, metavar="N", help="failed authentications in a burst"
    )
    parser.add_argument(
        "--keepalive",
        type=float,
        default=STREAM_KEEPALIVE_SECONDS,
        metavar="SECONDS",
        # Clients take a few seconds of silence as a gone server (contract/stream.py).
        help="event-stream keep-alive interval (the contract promises at most 1 s)",
    )
    parser.add_argument(
        "--idempotency-lease",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long a POST holds its Idempotency-Key before a retry may take it over (default 30)",
    )
    parser.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"),
                        help="diagnostics on standard error from this level up (default warning); "
                             "the one line per request is always written")
    parser.add_argument("--log-format", default="text", choices=("text", "json"),
                        help="standard error as plain lines (default) or JSON lines for a log collector")
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (lets a test harness that dies take the server with it)",
    )
    parser.add_argument(
        "--machine-readable",
        action="store_true",
        help=f"for launchers: print one line `{LISTENING_PREFIX} <url>` once listening, not the greeting",
    )


def add_token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("login", nargs="?", help="agent login (created when missing)")
    parser.add_argument("--agent", dest="agent_login", metavar="LOGIN", help="same as the positional LOGIN")
    parser.add_argument(
        "--role", choices=("agent", "lead", "intake"), default=None, help="role for a new agent"
    )
    parser.add_argument("--queues", default=None, help="comma list of queue ids for a new agent")
    parser.add_argument("--name", default=None, help="display name for a new agent")
    parser.add_argument("--db", default=None, help=DB_HELP)


def add_token_list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent", dest="agent_login", metavar="LOGIN", help="only this agent's tokens")
    parser.add_argument("--active", action="store_true", help="leave out revoked tokens")
    parser.add_argument("--db", default=None, help=DB_HELP)


def add_token_revoke_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "token", nargs="?", help="the token itself; `-` reads it from standard input (keeps it out of ps)"
    )
    which.add_argument("--id", dest="token_id", metavar="ID", help="a token id as `token list` shows it")
    which.add_argument("--agent", dest="agent_login", metavar="LOGIN", help="every token of this agent")
    parser.add_argument("--db", default=None, help=DB_HELP)


def run_serve(args: argparse.Namespace) -> int:
    target = database(args.db)
    try:
        serve(
            host=args.host,
            port=args.port,
            db=target,
            # The default database lives in our own data folder; a folder someone named may be a typo.
            create_folders=args.create or target == default_db_path(),
            machine_readable=args.machine_readable,
            demo=args.demo,
            tickets=args.tickets,
            simulate=args.simulate,
            allow_remote=args.allow_remote,
            demo_now=args.demo_now,
            rate_limit=args.rate_limit,
            rate_burst=args.rate_burst,
            auth_fail_rate=args.auth_fail_rate,
            auth_fail_burst=args.auth_fail_burst,
            keepalive=args.keepalive,
            idempotency_lease=args.idempotency_lease,
            log_level=args.log_level,
            log_format=args.log_format,
            exit_with_stdin=args.exit_with_stdin,
        )
    except ValueError as exc:
        print(f"supportdesk serve: {exc}", file=sys.stderr)
        return 2
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    queues = None if args.queues is None else [q.strip() for q in args.queues.split(",") if q.strip()]
    login = args.agent_login or args.login
    if not login:
        print("supportdesk token create: name the agent: --agent LOGIN", file=sys.stderr)
        return 2
    try:
        from supportdesk_tui.server.token_admin import create_token  # lazy: opens the store

        token = create_token(database(args.db), login, args.role, queues, name=args.name)
    except ValueError as exc:
        print(f"supportdesk token create: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def run_token_list(args: argparse.Namespace) -> int:
    from supportdesk_tui.server.token_admin import format_table, list_tokens

    try:
        tokens = list_tokens(database(args.db), args.agent_login, active_only=args.active)
    except ValueError as exc:  # TokenAdminError, or a database that can't be reached or used
        print(f"supportdesk token list: {exc}", file=sys.stderr)
        return 2
    print(format_table(tokens))
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    from supportdesk_tui.server.token_admin import describe, revoke

    token = args.token
    if token == "-":
        token = sys.stdin.readline()
    try:
        result = revoke(
            database(args.db), token=token, token_id=args.token_id, login=args.agent_login
        )
    except ValueError as exc:  # TokenAdminError, or a database that can't be reached or used
        print(f"supportdesk token revoke: {exc}", file=sys.stderr)
        return 2
    print("\n".join(describe(result)))
    return 0


def run_db_upgrade(args: argparse.Namespace) -> int:
    from supportdesk_tui.server.store import open_store

    target = database(args.db)
    try:
        store = open_store(target, upgrade=True)
    except ValueError as exc:  # unreachable, or ahead of this code
        print(f"supportdesk db upgrade: {exc}", file=sys.stderr)
        return 2
    print(f"{store.path}: schema at version {store.schema_version}")
    store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m supportdesk_tui.server", description="SupportDesk reference backend"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the HTTP API")
    add_serve_arguments(serve_parser)
    serve_parser.set_defaults(func=run_serve)
    token = commands.add_parser("token", help="manage bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="create a token for an agent")
    add_token_arguments(create)
    create.set_defaults(func=run_token_create)
    listing = token_commands.add_parser("list", help="list tokens (ids, agents, scopes; never the tokens)")
    add_token_list_arguments(listing)
    listing.set_defaults(func=run_token_list)
    revoke = token_commands.add_parser("revoke", help="revoke a token, or every token of an agent")
    add_token_revoke_arguments(revoke)
    revoke.set_defaults(func=run_token_revoke)
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply pending schema migrations (SQLite or PostgreSQL)")
    upgrade.add_argument("--db", default=None, help=DB_HELP)
    upgrade.set_defaults(func=run_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result
