"""Schema versions on both engines: `supportdesk db upgrade` moves a database forward, and a server
whose database is behind (PostgreSQL) or ahead (either engine) refuses to start, saying what to do."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg

from conftest import ServerHandle
from pg_server import PgCluster, free_port
from supportdesk_tui.server.storage import postgres_schema, sqlite_schema

NEEDED = len(postgres_schema.MIGRATIONS)


def _server_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "supportdesk_tui.server", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_a_schema_version_means_the_same_on_both_engines() -> None:
    assert len(sqlite_schema.MIGRATIONS) == len(postgres_schema.MIGRATIONS)


def test_a_server_on_a_postgres_database_left_behind_refuses_until_db_upgrade_runs(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database()
    with psycopg.connect(url, autocommit=True) as conn:  # as an older release left it: version 3
        for script in postgres_schema.MIGRATIONS[:3]:
            conn.execute(script.encode())
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version (version) VALUES (3)")

    refused = _server_cli("serve", "--port", "0", "--db", url)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"supportdesk serve: the database schema is at version 3, this server needs {NEEDED}: "
        f"run `supportdesk db upgrade --db {url}`"
    )

    # The URL may come from the environment instead of --db.
    upgraded = _server_cli("db", "upgrade", env={"SUPPORTDESK_DATABASE_URL": url})
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"schema at version {NEEDED}" in upgraded.stdout

    server = ServerHandle(db_path=url, log_path=tmp_path / "server.log", options={}).start()
    try:
        with server.client("lena") as lena:
            assert lena.get("/api/v1/me").json()["login"] == "lena"
    finally:
        server.stop()


def test_a_server_refuses_a_sqlite_database_from_a_newer_release(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    assert _server_cli("db", "upgrade", "--db", str(path)).returncode == 0
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE schema_version SET version = 99")

    refused = _server_cli("serve", "--port", "0", "--db", str(path))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"supportdesk serve: the database schema is at version 99, newer than this server knows "
        f"({NEEDED}): run a newer supportdesk"
    )


def test_a_server_pointed_at_an_unreachable_postgres_says_so_without_the_password() -> None:
    url = f"postgresql://support:s3cret-pw@127.0.0.1:{free_port()}/supportdesk"
    refused = _server_cli("serve", "--port", "0", "--db", url)
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "supportdesk serve: cannot connect to postgresql://support:***@127.0.0.1:"
    ), refused.stderr
    assert "s3cret-pw" not in refused.stderr + refused.stdout
