"""SQLite (WAL): the embedded engine for `make demo`, tests and a single small team.

Reads use one connection per thread (WAL lets them run beside a writer); writes run as
`BEGIN IMMEDIATE` transactions, so they never fail half-way on a busy database and exclude
writers in other processes too (a `supportdesk token` command beside the server).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from supportdesk_tui.server.private_files import is_file_path, make_private, prepare_private_db
from supportdesk_tui.server.storage.engine import (
    DatabaseUnavailable,
    DbConn,
    Engine,
    schema_ahead,
    schema_behind,
)
from supportdesk_tui.server.storage.search_terms import fts5_query
from supportdesk_tui.server.storage.sqlite_schema import (
    BULK_INDEXES,
    MESSAGE_SEARCH_DDL,
    MESSAGE_SEARCH_INSERT_TRIGGER,
    MIGRATIONS,
    index_name,
)

# Every SQLite database file starts with these 16 bytes (https://sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"
BULK_CACHE_PRAGMA = "PRAGMA cache_size = -262144"  # index inserts thrash a small cache
NORMAL_CACHE_PRAGMA = "PRAGMA cache_size = -16384"  # 16 MiB: the hot index pages of a big queue


def check_database_file(path: Path) -> None:
    """Refuse, before anything is created or changed, a path that can't hold our SQLite database:
    a folder, a file below something that is not a folder, or a file of another kind (which
    must stay exactly as it is). A missing file is fine: it becomes a new database."""
    if path.is_dir():
        raise DatabaseUnavailable(
            f"{path} is a folder: name a database file inside it, e.g. --db {path / 'server.sqlite3'}"
        )
    folder = next((parent for parent in path.parents if parent.exists()), None)
    if folder is not None and not folder.is_dir():
        raise DatabaseUnavailable(f"{folder} is a file, not a folder: choose another place for the database")
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot read {path} ({exc.strerror}): check its permissions") from None
    if header and header != SQLITE_HEADER:
        raise DatabaseUnavailable(
            f"{path} is not a SupportDesk database (not an SQLite file): "
            "point --db at another file; this one was left untouched"
        )


class SQLiteEngine(Engine):
    name = "sqlite"
    schema_target = len(MIGRATIONS)
    tag_match = "EXISTS (SELECT 1 FROM json_each(t.tags) WHERE json_each.value = ?)"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.shown = self.path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    # connections ------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode survives a killed process (only power loss can cost the last commits).
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute(NORMAL_CACHE_PRAGMA)
            self._local.db = db
            with self._all_lock:
                self._all.append(db)
        return db

    @contextmanager
    def read(self) -> Iterator[DbConn]:
        yield self._conn()

    @contextmanager
    def transaction(self) -> Iterator[DbConn]:
        db = self._conn()
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def tuples(self, db: DbConn, sql: str, params: Sequence[Any]) -> tuple[list[tuple[Any, ...]], list[str]]:
        assert isinstance(db, sqlite3.Connection)
        cursor = db.cursor()
        cursor.row_factory = None
        rows: list[tuple[Any, ...]] = cursor.execute(sql, params).fetchall()
        return rows, [d[0] for d in cursor.description]

    def close(self) -> None:
        with self._all_lock:
            for db in self._all:
                with suppress(sqlite3.Error):
                    db.close()
            self._all.clear()
        self._local = threading.local()

    # schema -----------------------------------------------------------------
    def schema_version(self) -> int:
        db = self._conn()
        row = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if row is None:
            return 0
        found = db.execute("SELECT version FROM schema_version").fetchone()
        return 0 if found is None else int(found[0])

    def migrate(self, upgrade: bool) -> None:
        if is_file_path(self.path):
            check_database_file(Path(self.path))
            prepare_private_db(Path(self.path))
        self._migrate(upgrade)
        if is_file_path(self.path):  # the -wal and -shm files exist now
            make_private(Path(self.path))

    def _migrate(self, upgrade: bool) -> None:
        with self.transaction() as conn:
            current = self.schema_version()
            if current > self.schema_target:
                raise schema_ahead(current, self.schema_target)
            if current < self.schema_target and not upgrade:
                raise schema_behind(current, self.schema_target, self.shown)
            db = self._conn()
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            if conn.execute("SELECT version FROM schema_version").fetchone() is None:
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            for number, migration in enumerate(MIGRATIONS, start=1):
                if number > current:
                    migration(db)
                    conn.execute("UPDATE schema_version SET version = ?", (number,))
            # A bulk load killed half-way leaves its dropped indexes missing.
            for ddl in BULK_INDEXES:
                conn.execute(ddl)
            if not self._message_search_kept(conn):
                self._rebuild_message_search(conn)

    # dialect ------------------------------------------------------------------
    def text_search(self, text: str) -> tuple[str, list[Any]]:
        own = "instr(t.search_text, ?) > 0"
        match = fts5_query(text)
        if match is None:
            return own, [text.casefold()]
        # Uncorrelated: SQLite runs the full-text match once per statement into a set of
        # ticket ids, then each ticket of the queue walk is one probe into it.
        messages = (
            "t.id IN (SELECT m.ticket_id FROM messages_fts f JOIN messages m ON m.id = f.rowid "
            "WHERE messages_fts MATCH ?)"
        )
        return f"({own} OR {messages})", [text.casefold(), match]

    def reserve_ids(self, db: DbConn, table: str, count: int) -> int:
        # Explicit ids above the AUTOINCREMENT sequence move it along by themselves.
        row = db.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = ?", (table,))
        return 1 + int(row.fetchone()[0])

    @staticmethod
    def _message_search_kept(db: DbConn) -> bool:
        """Whether new messages reach the full-text index (a bulk load stops that for a while)."""
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
        row = db.execute(sql, (MESSAGE_SEARCH_INSERT_TRIGGER,)).fetchone()
        return row is not None

    @staticmethod
    def _rebuild_message_search(db: DbConn) -> None:
        for ddl in MESSAGE_SEARCH_DDL:
            db.execute(ddl)
        db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")

    def bulk_begin(self, empty: bool) -> None:
        with self.transaction() as db:
            # Loading into an empty table: building each index once at the end, from
            # sorted data, is several times faster than updating it row by row.
            if empty:
                for ddl in BULK_INDEXES:
                    db.execute(f"DROP INDEX IF EXISTS {index_name(ddl)}")
            # The same for the full-text index, whatever the table holds: a rebuild reads every
            # message at a few microseconds each; the trigger costs ten times that per row.
            db.execute(f"DROP TRIGGER IF EXISTS {MESSAGE_SEARCH_INSERT_TRIGGER}")

    def bulk_tune(self, db: DbConn) -> None:
        db.execute(BULK_CACHE_PRAGMA)

    def bulk_end(self, empty: bool) -> None:
        with self.transaction() as db:
            db.execute(BULK_CACHE_PRAGMA)
            if empty:
                for ddl in BULK_INDEXES:
                    db.execute(ddl)
            # In the writers' lock: no message slips in between the rebuild and the trigger.
            self._rebuild_message_search(db)
        self._conn().execute(NORMAL_CACHE_PRAGMA)
