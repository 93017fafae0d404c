"""A throwaway PostgreSQL cluster (the real server, from the machine's binaries).

Shared by the test suite (tests/conftest.py, one cluster per session and worker) and the
benchmarks (bench/cluster_load.py), so both start PostgreSQL the same way.

`initdb` + `pg_ctl start` from `$(pg_config --bindir)` in a fresh temp dir, on a free loopback
port, with the unix socket inside that dir. initdb refuses to run as root: as root the cluster
runs as the `postgres` user (the Debian package creates it), otherwise as whoever runs the tests.
Durability is switched off (fsync, synchronous_commit): this data lives for one session.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

import psycopg

SUPERUSER = "postgres"
TEMPLATE = "supportdesk_template"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the cluster would not start."""


class Stoppable(Protocol):
    def terminate(self) -> None: ...
    def stop(self) -> None: ...


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        raise PostgresUnavailable("pg_config is not on PATH (install the `postgresql` package)")
    found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
    bindir = Path(found.stdout.strip())
    if not (bindir / "initdb").exists():
        raise PostgresUnavailable(f"no initdb in {bindir} (install the `postgresql` package)")
    return bindir


class PgCluster:
    def __init__(self) -> None:
        self.bindir = server_bindir()
        # Not under pytest's tmp dir: that is private to root, and the server may run as `postgres`.
        self.base = Path(tempfile.mkdtemp(prefix="supportdesk-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self._databases = 0
        self.started = False
        # Servers on this cluster, stopped before it (a server whose database vanished first
        # spends its shutdown reconnecting); all are signalled first, so their shutdowns overlap.
        self.servers: list[Stoppable] = []

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(command, cwd=self.base, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:1])} failed: {done.stderr.strip()}\n{tail}")

    def start(self) -> PgCluster:
        if self._as_root:
            shutil.chown(self.base, SUPERUSER, SUPERUSER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.base / "server.log"),
                  "-o", options, "start")
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_template(self, name: str = TEMPLATE) -> str:
        """A database migrated to the current schema, for `create_database(name)` to copy; its URL."""
        # lazy: the test suite imports this module at collection; the store loads only for a template
        from supportdesk_tui.server.store import open_store

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        open_store(self.url(name), upgrade=True).close()
        return self.url(name)

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its URL."""
        self._databases += 1
        name = f"sd_{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            server.stop()
        self.servers.clear()
        if self.started:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)
