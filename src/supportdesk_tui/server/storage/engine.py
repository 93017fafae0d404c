"""What the shared SQL core (server/store/) needs from a database engine.

An engine owns connections, transactions, the schema and the few places where SQLite and
PostgreSQL spell SQL differently. The core writes `?` placeholders and portable SQL
(`ON CONFLICT`, `RETURNING`, `count(*) FILTER (...)`, row values); each engine adapts the rest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class DbCursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...
    @property
    def rowcount(self) -> int: ...


class DbConn(Protocol):
    """A connection as the core uses it: sqlite3.Connection, or psycopg behind a thin adapter."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> DbCursor: ...
    def executemany(self, sql: str, seq_of_parameters: Sequence[Sequence[Any]], /) -> DbCursor: ...


class SchemaError(ValueError):
    """The database's schema does not fit this server (the message is a sentence for the operator)."""


class TextRefused(ValueError):
    """A value to be written holds a NUL character: PostgreSQL can't store one, so no engine does."""

    MESSAGE = "Text must not contain NUL characters (U+0000)."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class DatabaseUnavailable(ValueError):
    """The database can't be reached (the message is a sentence for the operator)."""


def schema_behind(current: int, needed: int, target: str) -> SchemaError:
    return SchemaError(
        f"the database schema is at version {current}, this server needs {needed}: "
        f"run `supportdesk db upgrade --db {target}`"
    )


def schema_ahead(current: int, known: int) -> SchemaError:
    return SchemaError(
        f"the database schema is at version {current}, newer than this server knows ({known}): "
        "run a newer supportdesk"
    )


class Engine(ABC):
    """One database engine; `name` is "sqlite" or "postgresql"."""

    name: str
    # Where the data lives, safe to print (a PostgreSQL URL without its password).
    shown: str
    # The latest schema version this code knows.
    schema_target: int
    # Dialect fragments, each with one `?`.
    tag_match: str  # the ticket's JSON tag list holds the parameter

    @abstractmethod
    def read(self) -> AbstractContextManager[DbConn]:
        """A connection for reads; inside this thread's write transaction, that transaction's."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[DbConn]:
        """A write transaction that excludes every other writer on this database, in any process.

        A `transaction()` inside one already open on this thread joins it; the outermost commits.
        """

    @abstractmethod
    def tuples(self, db: DbConn, sql: str, params: Sequence[Any]) -> tuple[list[tuple[Any, ...]], list[str]]:
        """Rows as plain tuples (cheap to compare with a cached row) and the column names."""

    @abstractmethod
    def text_search(self, text: str) -> tuple[str, list[Any]]:
        """A condition on ticket `t` for the free text `q`, and its parameters.

        True when the ticket's own search text (subject, requester) contains `text` as typed,
        or when one of its messages (any kind: every role that lists tickets reads notes too)
        holds every word of it, by the engine's full-text search.
        """

    @abstractmethod
    def schema_version(self) -> int: ...

    @abstractmethod
    def migrate(self, upgrade: bool) -> None:
        """Bring the schema to `schema_target` (upgrade) or refuse with a SchemaError when it differs."""

    @abstractmethod
    def reserve_ids(self, db: DbConn, table: str, count: int) -> int:
        """The first of `count` consecutive fresh ids of `table` (inside a transaction)."""

    def events_committing(self, db: DbConn, last_id: int) -> None:
        """Inside a write transaction that wrote events up to `last_id`, just before its commit:
        where the engine can, tell the other servers on this database (PostgreSQL: NOTIFY)."""
        return None

    def insert_rows(
        self, db: DbConn, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert many rows at once (a bulk load); an engine may have a faster way than INSERTs."""
        marks = ", ".join("?" for _ in columns)
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def bulk_begin(self, empty: bool) -> None:
        """Before a bulk load; `empty`: the tickets table is empty."""
        return None

    def bulk_tune(self, db: DbConn) -> None:
        """At the start of each bulk transaction."""
        return None

    def bulk_end(self, empty: bool) -> None:
        """After a bulk load."""
        return None

    @abstractmethod
    def close(self) -> None: ...
