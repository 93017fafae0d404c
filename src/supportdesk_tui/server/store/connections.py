"""How the SQL core holds a connection: lent per statement for reads, NUL-guarded for writes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from supportdesk_tui.server.storage.engine import DbConn, DbCursor, Engine, TextRefused


class Fetched:
    """A statement's rows, fetched while the engine lent the connection."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class CommittedReads:
    """Reads outside a write transaction: each statement on a connection the engine lends for it
    (SQLite: this thread's own; PostgreSQL: one from the pool)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Fetched:
        with self._engine.read() as db:
            return Fetched(db.execute(sql, params).fetchall())


def read_tuples(
    engine: Engine, sql: str, params: Sequence[Any]
) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """Rows as plain tuples (cheap to compare with a cached row) and each column's position."""
    with engine.read() as db:
        rows, names = engine.tuples(db, sql, params)
    return rows, {name: i for i, name in enumerate(names)}


def _refuse_nul(params: Sequence[Any]) -> None:
    for value in params:
        if isinstance(value, str) and "\x00" in value:
            raise TextRefused


class NulGuard:
    """A write connection that refuses text holding NUL before either engine sees it, so both
    answer alike (PostgreSQL can't store NUL; SQLite could, and one database may move to the other)."""

    def __init__(self, db: DbConn) -> None:
        self._db = db

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> DbCursor:
        _refuse_nul(parameters)
        return self._db.execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Sequence[Sequence[Any]], /) -> DbCursor:
        for parameters in seq_of_parameters:
            _refuse_nul(parameters)
        return self._db.executemany(sql, seq_of_parameters)
