"""Storage: one `Store` interface (protocol.py), two engines (SQLite, PostgreSQL).

`open_store(target)` picks the engine: a `postgresql://` URL means PostgreSQL, anything
else is a SQLite file path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportdesk_tui.server.storage.protocol import Store

DATABASE_URL_ENV = "SUPPORTDESK_DATABASE_URL"
URL_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def database_from(option: str | Path | None, default: Path) -> str | Path:
    """The database a command works on: `--db`, else $SUPPORTDESK_DATABASE_URL, else `default`."""
    if option is not None:
        return option if is_postgres(str(option)) else Path(option)
    from_env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if from_env:
        return from_env if is_postgres(from_env) else Path(from_env)
    return default


def open_store(target: str | Path, upgrade: bool | None = None) -> Store:
    """Open the database at `target`, checking its schema.

    `upgrade=None`: SQLite (embedded, one server) is brought up to date on the spot; PostgreSQL
    (shared by many instances, upgraded once by `supportdesk db upgrade`) is only checked, and a
    schema behind this code raises SchemaError with the command to run.
    """
    from supportdesk_tui.server.store import SqlStore

    if is_postgres(str(target)):
        from supportdesk_tui.server.storage.postgres_engine import PostgresEngine

        return SqlStore(PostgresEngine(str(target)), upgrade=bool(upgrade))
    from supportdesk_tui.server.storage.sqlite_engine import SQLiteEngine

    return SqlStore(SQLiteEngine(target), upgrade=upgrade is None or upgrade)
