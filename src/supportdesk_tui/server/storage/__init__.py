"""Storage engines: SQLite and PostgreSQL, each with its schema and dialect (engine.py).

Which engine holds a database follows from how it is named: a `postgresql://` URL means
PostgreSQL, anything else is a SQLite file path. The SQL core on top of an engine, and
`open_store`, live in server/store/.
"""

from __future__ import annotations

import os
from pathlib import Path

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
