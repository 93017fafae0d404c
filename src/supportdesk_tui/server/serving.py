"""Serving the reference backend: check the database and the address, bind, open and seed as asked,
build the ASGI app, greet, and run uvicorn until stopped.

Standard library at module level (as `server/cli.py`, which imports this): FastAPI, uvicorn and the
store are imported by the functions that use them.
"""

from __future__ import annotations

import errno
import os
import shlex
import socket
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from supportdesk_tui.contract.addresses import is_loopback
from supportdesk_tui.contract.stream import STREAM_KEEPALIVE_SECONDS

LISTENING_PREFIX = "SUPPORTDESK_LISTENING"
DEFAULT_PORT = 8765


def default_db_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("supportdesk") / "server.sqlite3"


# --- argparse builders (reused by the `supportdesk` console script) ------------------


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


def _stop_on_stdin_eof(server: Any) -> None:
    for _ in sys.stdin.buffer:
        pass
    server.should_exit = True
