"""Command-line entry points of the reference backend: `serve`, `token create|list|revoke`, `db upgrade`.

Only argparse and the standard library (and `contract.stream`, standard library itself) are
imported at module level, so the main `supportdesk` CLI can reuse these builders without paying
for FastAPI.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from supportdesk_tui.contract.stream import STREAM_KEEPALIVE_SECONDS

LISTENING_PREFIX = "SUPPORTDESK_LISTENING"
DEFAULT_PORT = 8765


def default_db_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("supportdesk") / "server.sqlite3"


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


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- argparse builders (reused by the `supportdesk` console script) ------------------


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


# --- the functions behind them ---------------------------------------------------------


def create_token(
    db: str | Path, login: str, role: str | None, queues: Sequence[str] | None, name: str | None = None
) -> str:
    """Create a bearer token for `login` (creating the agent when missing); only its hash is stored."""
    from supportdesk_tui.contract.clock import utc_now
    from supportdesk_tui.contract.models import Language, Role
    from supportdesk_tui.server.auth import hash_token, new_token
    from supportdesk_tui.server.seed import seed_base
    from supportdesk_tui.server.store import open_store

    store = open_store(db)  # SQLite: creates missing directories 0700 and the database 0600
    try:
        seed_base(store)
        agent = store.agent_by_login(login)
        with store.write() as tx:
            if agent is None or role is not None or queues is not None or name is not None:
                wanted_role = Role(role) if role is not None else (agent.role if agent else Role.AGENT)
                wanted_queues = list(queues) if queues is not None else (list(agent.queues) if agent else [])
                known = {q.id for q in store.list_queues()}
                unknown = [q for q in wanted_queues if q not in known]
                if unknown:
                    raise ValueError(f"unknown queue(s): {', '.join(unknown)}")
                agent = tx.upsert_agent(
                    login,
                    name or (agent.name if agent else login),
                    wanted_role,
                    agent.languages if agent else (Language.RU, Language.EN),
                    wanted_queues,
                )
            token = new_token()
            tx.add_token(agent.id, hash_token(token), utc_now())
        return token
    finally:
        store.close()


def seed_as_asked(store: Any, *, demo: bool, tickets: int, now: datetime) -> None:
    """The standard queues and agents, then the demo world and N bulk tickets if asked (each
    only into a database that lacks it), all relative to `now`. Tests seed a template this way."""
    from supportdesk_tui.server.seed import seed_base, seed_bulk, seed_demo

    seed_base(store)
    if demo:
        seed_demo(store, now)
    if tickets > 0 and store.get_meta("bulk_seeded") is None:
        seed_bulk(store, tickets, now)
        with store.write() as tx:
            tx.set_meta("bulk_seeded", str(tickets))


def build_app(
    db: str | Path | None = None,
    demo: bool = False,
    tickets: int = 0,
    simulate: float = 0.0,
    demo_now: datetime | None = None,
    rate_limit: float = 50.0,
    rate_burst: int = 200,
    auth_fail_rate: float = 1.0,
    auth_fail_burst: int = 20,
    keepalive: float = STREAM_KEEPALIVE_SECONDS,
    idempotency_lease: float = 30.0,
    close_store: bool = False,
) -> tuple[Any, Any]:
    """Open the database, seed as asked and build the ASGI app: (app, store); `serve` and the
    ASGI factory (server/asgi.py) both start here. The caller closes the store."""
    from supportdesk_tui.contract.clock import Clock, utc_now
    from supportdesk_tui.server.app import create_app
    from supportdesk_tui.server.ratelimit import RateLimit
    from supportdesk_tui.server.simulate import simulation_job
    from supportdesk_tui.server.store import open_store

    # SQLite is brought up to date on the spot (`make demo` stays one command) and its missing
    # directories are created 0700, the file 0600; PostgreSQL is only checked: instances sharing
    # it are upgraded once, by `supportdesk db upgrade`.
    store = open_store(db if db is not None else default_db_path())
    try:
        clock: Clock = utc_now
        if demo_now is not None:
            started, anchor = time.monotonic(), demo_now

            def anchored() -> datetime:
                return anchor + timedelta(seconds=time.monotonic() - started)

            clock = anchored
        seed_as_asked(store, demo=demo, tickets=tickets, now=demo_now or clock())
        app = create_app(
            store,
            clock=clock,
            rate_limit=RateLimit(rate=rate_limit, burst=rate_burst) if rate_limit > 0 else None,
            auth_failure_limit=RateLimit(rate=auth_fail_rate, burst=auth_fail_burst),
            keepalive_seconds=keepalive,
            idempotency_lease=idempotency_lease,
            jobs=[simulation_job(simulate)] if simulate > 0 else None,
            close_store=close_store,
        )
    except BaseException:
        store.close()
        raise
    return app, store


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    db: str | Path | None = None,
    demo: bool = False,
    tickets: int = 0,
    simulate: float = 0.0,
    allow_remote: bool = False,
    demo_now: datetime | None = None,
    rate_limit: float = 50.0,
    rate_burst: int = 200,
    auth_fail_rate: float = 1.0,
    auth_fail_burst: int = 20,
    keepalive: float = STREAM_KEEPALIVE_SECONDS,
    idempotency_lease: float = 30.0,
    log_level: str = "warning",
    log_format: str = "text",
    exit_with_stdin: bool = False,
    create_folders: bool = False,
    machine_readable: bool = False,
) -> None:
    """Check, bind, open and seed as asked, greet, and serve until interrupted.

    Every refusal is a ValueError whose message says what to do, raised before anything is
    written: the port is bound and the database file checked before the database is created
    or seeded. `machine_readable` prints `SUPPORTDESK_LISTENING <url>` instead of the greeting.
    """
    if demo and not is_loopback(host) and not allow_remote:
        raise ValueError(
            "refusing to serve demo data (with well-known logins) on a non-loopback address; "
            "pass --allow-remote if you mean it"
        )
    if db is None:
        db, create_folders = default_db_path(), True
    check_database_target(db, create_folders=create_folders)
    sock = listen(host, port)
    try:
        app, store = open_and_build(
            db,
            demo=demo,
            tickets=tickets,
            simulate=simulate,
            demo_now=demo_now,
            rate_limit=rate_limit,
            rate_burst=rate_burst,
            auth_fail_rate=auth_fail_rate,
            auth_fail_burst=auth_fail_burst,
            keepalive=keepalive,
            idempotency_lease=idempotency_lease,
        )
    except BaseException:
        sock.close()
        raise
    import uvicorn

    from supportdesk_tui.server.log_format import configure_logging  # lazy: as uvicorn

    configure_logging(log_level, log_format)
    shown = f"[{host}]" if sock.family == socket.AF_INET6 else host
    url = f"http://{shown}:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        app,
        log_level=log_level,
        # Our formatter for uvicorn's records too (configure_logging), and our request line
        # (server/request_log.py) instead of its access log.
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=2,
        lifespan="on",
        # Failed authentication is limited by client address: an X-Forwarded-For a caller
        # writes itself must not choose that address (uvicorn trusts it from loopback).
        proxy_headers=False,
    )
    # The socket already listens, so a client that reads this line can connect at once.
    if machine_readable:
        print(f"{LISTENING_PREFIX} {url}", flush=True)
    else:
        print(greeting(url, store, db), flush=True)
    server = uvicorn.Server(config)
    if exit_with_stdin:
        threading.Thread(target=_stop_on_stdin_eof, args=(server,), daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        store.close()


def check_database_target(db: str | Path, *, create_folders: bool) -> None:
    """Refuse a SQLite file we can't use, or one in a folder that doesn't exist unless asked to
    create it; reads only. (A PostgreSQL URL is checked when it is opened: nothing is written there
    before its schema is known to fit.)"""
    from supportdesk_tui.server.private_files import is_file_path
    from supportdesk_tui.server.storage import is_postgres
    from supportdesk_tui.server.storage.sqlite_engine import check_database_file

    if is_postgres(str(db)) or not is_file_path(str(db)):
        return
    path = Path(db)
    check_database_file(path)
    if not create_folders and not path.parent.exists():
        raise ValueError(
            f"the folder {path.parent} does not exist: check the --db path, "
            "or add --create to create it"
        )


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or a ValueError that says what to do instead."""
    if not 0 <= port <= 65535:
        raise ValueError(
            f"port {port} is out of range: choose one from 1 to 65535 (--port 0 picks a free one)"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Responses leave in two writes (head, body); without TCP_NODELAY, Nagle + delayed ACK add
        # ~40 ms to every request on a kept-alive connection. Accepted sockets inherit the option.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ValueError(_cannot_listen(host, port, exc)) from None
    return sock


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot find the address of --host {host}: give an IP address such as 127.0.0.1"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another supportdesk serve?): stop that program, "
            "or choose another port with --port N (--port 0 picks a free one)"
        )
    if exc.errno == errno.EACCES:
        return f"this user may not listen on port {port}: choose a port above 1023 with --port N"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine: use --host 127.0.0.1, or 0.0.0.0 for every address"
    return f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another --host or --port"


def open_and_build(db: str | Path, **options: Any) -> tuple[Any, Any]:
    """`build_app`, with the failures of opening a database turned into sentences."""
    import sqlite3

    try:
        return build_app(db=db, **options)
    except OSError as exc:  # e.g. a folder or file this user may not create
        where = exc.filename or db
        raise ValueError(
            f"cannot create the database at {where} ({exc.strerror or exc}): "
            "choose a place you can write to with --db"
        ) from None
    except sqlite3.DatabaseError as exc:  # a damaged file that starts like a database
        raise ValueError(f"{db} cannot be used as a database ({exc}): point --db at another file") from None


def greeting(url: str, store: Any, db: str | Path) -> str:
    """What a person starting the server wants to know: where it is, on which data, what next."""
    from supportdesk_tui.server.storage import DATABASE_URL_ENV, is_postgres

    engine = "PostgreSQL" if is_postgres(str(db)) else "SQLite"
    tickets = store.count_tickets()
    # `token create` finds the same database by itself when it came from the default or the variable.
    named = db != default_db_path() and str(db) != os.environ.get(DATABASE_URL_ENV, "").strip()
    db_option = f" --db {shlex.quote(store.path)}" if named else ""
    return (
        f"SupportDesk server on {url}, database {store.path} ({engine}, {tickets} "
        f"{'ticket' if tickets == 1 else 'tickets'})\n"
        f"A token for an agent: supportdesk token create --agent LOGIN{db_option}"
        "    (Ctrl+C stops the server)"
    )


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


def _stop_on_stdin_eof(server: Any) -> None:
    for _ in sys.stdin.buffer:
        pass
    server.should_exit = True


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
