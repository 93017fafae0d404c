"""PostgreSQL (psycopg 3 + psycopg_pool): the engine for production and for many instances.

Reads borrow a pooled connection per statement (autocommit). Writes run in one transaction
whose first statement locks the single `event_counter` row: writers on this database, in every
process, take turns as they do on SQLite, so the core's read-then-write logic (idempotency
leases, ticket versions, escalation keys) stays correct, and event ids come out in commit order.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

from supportdesk_tui.server.storage.engine import (
    DatabaseUnavailable,
    DbConn,
    DbCursor,
    Engine,
    schema_ahead,
    schema_behind,
)
from supportdesk_tui.server.storage.postgres_schema import MIGRATIONS

# Every instance takes this advisory lock around a schema upgrade, so two starting at once
# don't both apply the same migration.
MIGRATION_LOCK = 0x5D_0001
# Every commit with events NOTIFYs this channel with the id of its last event (a few bytes:
# listeners read the rows from the events table, see server/pg_notify.py).
EVENTS_CHANNEL = "supportdesk_events"
_PLACEHOLDER = re.compile(r"\?")


def redact(url: str) -> str:
    """The URL with its password (if any) replaced, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class NamedRow(tuple[Any, ...]):
    """A row that answers both `row[0]` and `row["column"]`, as sqlite3.Row does."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self.names[key])
        return super().__getitem__(key)


def _named_rows(cursor: Any) -> Callable[[Sequence[Any]], NamedRow]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> NamedRow:
        row = NamedRow(values)
        row.names = names
        return row

    return make


_translated: dict[str, str] = {}


def _sql(query: str) -> str:
    """`?` placeholders as psycopg's `%s` (the core's SQL holds no literal `?` or `%`)."""
    done = _translated.get(query)
    if done is None:
        done = _translated[query] = _PLACEHOLDER.sub("%s", query)
    return done


class PgConn:
    """A psycopg connection speaking the core's `?` dialect."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> DbCursor:
        cursor: psycopg.Cursor[Any] = self.raw.cursor(row_factory=_named_rows)
        return cursor.execute(_sql(sql), parameters or None)

    def executemany(self, sql: str, seq_of_parameters: Sequence[Sequence[Any]], /) -> DbCursor:
        cursor: psycopg.Cursor[Any] = self.raw.cursor(row_factory=_named_rows)
        cursor.executemany(_sql(sql), seq_of_parameters)
        return cursor


class PostgresEngine(Engine):
    name = "postgresql"
    schema_target = len(MIGRATIONS)
    text_match = "strpos(t.search_text, ?) > 0"
    tag_match = "t.tags::jsonb @> jsonb_build_array(?::text)"

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        self.shown = redact(url)
        self._local = threading.local()
        # One plain connection first: its error says why ("database … does not exist"), where a
        # pool would only time out.
        try:
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise DatabaseUnavailable(f"cannot connect to {self.shown}: {reason}") from exc
        self._pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            kwargs={"autocommit": True},
            open=True,
            name="supportdesk",
        )
        self._pool.wait(timeout=30)

    # connections ------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[DbConn]:
        current: PgConn | None = getattr(self._local, "tx", None)
        if current is not None:
            yield current
            return
        with self._pool.connection() as conn:
            yield PgConn(conn)

    @contextmanager
    def transaction(self) -> Iterator[DbConn]:
        current: PgConn | None = getattr(self._local, "tx", None)
        if current is not None:
            yield current
            return
        with self._pool.connection() as conn, conn.transaction():
            db = PgConn(conn)
            # The writers' lock (see postgres_schema._EVENT_COUNTER); held until commit.
            db.execute("SELECT value FROM event_counter WHERE id = 1 FOR UPDATE")
            self._local.tx = db
            try:
                yield db
            finally:
                self._local.tx = None

    def tuples(self, db: DbConn, sql: str, params: Sequence[Any]) -> tuple[list[tuple[Any, ...]], list[str]]:
        assert isinstance(db, PgConn)
        cursor = db.raw.cursor(row_factory=tuple_row)
        rows = cursor.execute(_sql(sql), params or None).fetchall()
        return rows, [column.name for column in cursor.description or ()]

    def close(self) -> None:
        self._pool.close()

    # schema -----------------------------------------------------------------
    def _version(self, conn: psycopg.Connection[Any]) -> int:
        exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
        if exists is None or not exists[0]:
            return 0
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        return 0 if row is None else int(row[0])

    def schema_version(self) -> int:
        with self._pool.connection() as conn:
            return self._version(conn)

    def migrate(self, upgrade: bool) -> None:
        with self._pool.connection() as conn:
            current = self._version(conn)
            if current > self.schema_target:
                raise schema_ahead(current, self.schema_target)
            if current == self.schema_target:
                return
            if not upgrade:
                raise schema_behind(current, self.schema_target, self.shown)
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                current = self._version(conn)  # another instance may have upgraded meanwhile
                if current == 0 and conn.execute("SELECT 1 FROM schema_version").fetchone() is None:
                    conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            for number, script in enumerate(MIGRATIONS, start=1):
                if number <= current:
                    continue
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                    if self._version(conn) >= number:
                        continue
                    conn.execute(script.encode())  # bytes: no placeholder parsing ("$$" bodies)
                    conn.execute("UPDATE schema_version SET version = %s", (number,))

    # dialect ------------------------------------------------------------------
    def events_committing(self, db: DbConn, last_id: int) -> None:
        # Delivered at COMMIT (and never for a rollback), in commit order.
        db.execute("SELECT pg_notify(?, ?)", (EVENTS_CHANNEL, str(last_id)))

    def reserve_ids(self, db: DbConn, table: str, count: int) -> int:
        # Under the writers' lock no other insert can take ids from this sequence meanwhile.
        first = int(db.execute("SELECT nextval(pg_get_serial_sequence(?, 'id'))", (table,)).fetchone()[0])
        db.execute("SELECT setval(pg_get_serial_sequence(?, 'id'), ?)", (table, first + count - 1))
        return first

    def insert_rows(
        self, db: DbConn, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        # COPY: one stream of rows instead of a statement per row.
        assert isinstance(db, PgConn)
        with db.raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def bulk_end(self, empty: bool) -> None:
        # Fresh statistics, or the planner keeps believing the tables are empty.
        with self._pool.connection() as conn:
            conn.execute("ANALYZE tickets")
            conn.execute("ANALYZE messages")
