"""The one place that speaks SQL: the core shared by both database engines.

`SqlStore` hides the database behind the narrow typed `Store` interface (protocol.py) so
handlers and business rules never see rows or cursors. Its SQL runs unchanged on SQLite
and PostgreSQL; connections, transactions, the schema and the few dialect fragments belong
to the engine (server/storage/).

    protocol.py      the `Store` interface the rest of the server depends on
    sql_store.py     `SqlStore`: transactions, commit listeners, queue counts, idempotency, bulk loads
    reads.py         the reads of committed data
    writes.py        `WriteTx`: every change, inside one write transaction
    rows.py          column lists; rows to models and back
    ticket_pages.py  ticket list pages: filters, sort orders, keyset cursors
    queue_counts.py  live per-queue counts and when to reuse them
    idempotency.py   idempotency keys: leases, takeovers, stored responses
    bulk.py          bulk loading of generated tickets
    connections.py   read connections lent per statement; the NUL guard on writes

`open_store(target)` picks the engine: a `postgresql://` URL means PostgreSQL, anything
else is a SQLite file path.
"""

from __future__ import annotations

from pathlib import Path

from supportdesk_tui.server.records import BulkTicket
from supportdesk_tui.server.storage import is_postgres
from supportdesk_tui.server.storage.engine import SchemaError
from supportdesk_tui.server.storage.sqlite_schema import MIGRATIONS
from supportdesk_tui.server.store.protocol import Listener, Store
from supportdesk_tui.server.store.sql_store import SqlStore
from supportdesk_tui.server.store.writes import WriteTx

__all__ = [
    "MIGRATIONS",
    "BulkTicket",
    "Listener",
    "SchemaError",
    "SqlStore",
    "Store",
    "WriteTx",
    "open_store",
]


def open_store(target: str | Path, upgrade: bool | None = None) -> Store:
    """Open the database at `target`, checking its schema.

    `upgrade=None`: SQLite (embedded, one server) is brought up to date on the spot; PostgreSQL
    (shared by many instances, upgraded once by `supportdesk db upgrade`) is only checked, and a
    schema behind this code raises SchemaError with the command to run.
    """
    if is_postgres(str(target)):
        from supportdesk_tui.server.storage.postgres_engine import PostgresEngine

        return SqlStore(PostgresEngine(str(target)), upgrade=bool(upgrade))
    from supportdesk_tui.server.storage.sqlite_engine import SQLiteEngine

    return SqlStore(SQLiteEngine(target), upgrade=upgrade is None or upgrade)
