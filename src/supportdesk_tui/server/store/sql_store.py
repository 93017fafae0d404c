"""`SqlStore`: the `Store` of either engine — its reads, and the transactions every change runs in.

Writes are serialised (in this process by one lock, across processes by the engine's
transaction) so read-then-write logic inside `write()` needs no retries.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from supportdesk_tui.contract.models import QueueCounts
from supportdesk_tui.server.records import BulkTicket, IdempotencyOutcome
from supportdesk_tui.server.storage.engine import DbConn, Engine
from supportdesk_tui.server.store.bulk import bulk_load
from supportdesk_tui.server.store.connections import NulGuard
from supportdesk_tui.server.store.idempotency import begin_attempt, release_attempt, store_response
from supportdesk_tui.server.store.protocol import Listener
from supportdesk_tui.server.store.queue_counts import QueueCountsCache
from supportdesk_tui.server.store.reads import StoreReads
from supportdesk_tui.server.store.writes import WriteTx

EVENTS_KEPT = 10_000


class SqlStore(StoreReads):
    """The `Store` of either engine (see open_store in store/__init__.py)."""

    def __init__(self, engine: Engine, upgrade: bool = True) -> None:
        super().__init__(engine)
        self.path = engine.shown
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._generation = 0  # moves with every commit, so cached counts know they are stale
        self._queue_counts = QueueCountsCache()
        # In-flight idempotency records stay: each is a lease that a retry takes over once it
        # expires (another server on this database may still be working on it).
        try:
            engine.migrate(upgrade)
        except BaseException:
            engine.close()
            raise

    def close(self) -> None:
        self.engine.close()

    @contextmanager
    def _tx(self) -> Iterator[DbConn]:
        # Nested in this thread's open transaction (an idempotent POST wraps the service's
        # write), the engine joins it: the outermost block commits or rolls back everything.
        with self._write_lock, self.engine.transaction() as db:
            yield NulGuard(db)

    @property
    def schema_version(self) -> int:
        return self.engine.schema_version()

    # writes ----------------------------------------------------------------
    def add_commit_listener(self, listener: Listener) -> None:
        """Called with the events of each commit, in commit order (still under the write lock)."""
        self._listeners.append(listener)

    def remove_commit_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @contextmanager
    def write(self) -> Iterator[WriteTx]:
        """One write transaction; a `write()` inside another on the same thread joins it."""
        with self._write_lock:
            outer: WriteTx | None = getattr(self._local, "write_tx", None)
            if outer is not None:
                yield outer
                return
            try:
                with self._tx() as db:
                    tx = WriteTx(db)
                    self._local.write_tx = tx
                    yield tx
                    if tx.events:
                        db.execute("DELETE FROM events WHERE id <= ?", (tx.events[-1].id - EVENTS_KEPT,))
                        self.engine.events_committing(db, tx.events[-1].id)
            finally:
                self._local.write_tx = None
            self._generation += 1
            for listener in list(self._listeners):
                listener(tx.events)

    def cursor_secret(self) -> bytes:
        """The key that signs page cursors: made once, then shared by restarts and every process
        serving this database (the first writer wins; the others read what it stored)."""
        with self._tx() as db:
            fresh = secrets.token_hex(32)
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('cursor_secret', ?) ON CONFLICT (key) DO NOTHING",
                (fresh,),
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'cursor_secret'").fetchone()
        return bytes.fromhex(str(row["value"]))

    def queue_counts(self, now: datetime, risk: timedelta) -> dict[str, QueueCounts]:
        """Live counts per queue, from index ranges only; cached per write and per second."""
        return self._queue_counts.counts(self._generation, now, risk, self._conn(), self.list_queues)

    # idempotency ----------------------------------------------------------
    def idempotency_begin(
        self, caller_id: int, key: str, body_hash: str, now: datetime, keep: timedelta, lease: timedelta
    ) -> IdempotencyOutcome:
        """Start an attempt at (caller, key): a new one, or a takeover of an expired lease."""
        with self._tx() as db:
            return begin_attempt(db, caller_id, key, body_hash, now, keep, lease)

    def idempotency_finish(
        self, caller_id: int, key: str, attempt: str, status: int, body: bytes, content_type: str
    ) -> bool:
        """Remember a response that had no effect to commit with (a replayable 4xx)."""
        with self._tx() as db:
            return store_response(db, caller_id, key, attempt, status, body, content_type)

    def idempotency_release(self, caller_id: int, key: str, attempt: str) -> None:
        """Forget an attempt that ended without an answer worth replaying (if it still holds the key)."""
        with self._tx() as db:
            release_attempt(db, caller_id, key, attempt)

    # bulk -----------------------------------------------------------------
    def bulk_insert(self, tickets: Iterable[BulkTicket], batch: int = 20_000) -> int:
        """Insert generated tickets with one customer message each, in big transactions."""
        inserted = bulk_load(self.engine, self._write_lock, tickets, batch, empty=self.count_tickets() == 0)
        self._generation += 1
        return inserted
