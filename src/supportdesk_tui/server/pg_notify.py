"""Every committed event of a PostgreSQL database, handed to this instance's bus once, in id order.

Several instances share one database; each commit with events NOTIFYs `EVENTS_CHANNEL` with its
last event id (storage/postgres_engine.py), so the payload stays tiny whatever the events hold.
`EventFanout` is the single door to the bus: it remembers the last id it delivered and only ever
delivers the ids after it, reading them from the events table. Event ids are dense and handed
out in commit order (the event_counter row), so "everything after the last delivered id" is
exact: no gaps, no repeats.

Two paths lead to it:
- this instance's own commits (the store's commit listener): when nothing happened elsewhere in
  between, the commit's events go straight to the bus without a read, as on SQLite;
- a listener thread on a dedicated connection (LISTEN): on each notification, and every
  `poll` seconds whatever arrives (a notification can be lost when the connection drops), it
  reads what is after the last delivered id. After a reconnect it catches up the same way.
Whichever path comes second finds the ids already delivered and does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import psycopg

from supportdesk_tui.server.records import StoredEvent
from supportdesk_tui.server.storage.postgres_engine import EVENTS_CHANNEL
from supportdesk_tui.server.store.protocol import Listener, Store

log = logging.getLogger("supportdesk.server")
READ_BATCH = 1000
POLL_SECONDS = 1.0
RECONNECT_SECONDS = 1.0


def dedicated_connection(url: str) -> psycopg.Connection[Any]:
    """A session of its own (LISTEN, an advisory lock), outside the pool: with TCP keep-alives,
    so a dead network ends it within seconds instead of leaving it waiting for ever."""
    return psycopg.connect(
        url, autocommit=True, keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3
    )


class EventFanout:
    def __init__(self, store: Store, url: str, publish: Listener, poll: float = POLL_SECONDS) -> None:
        self._store = store
        self._url = url
        self._publish = publish
        self._poll = poll
        self._lock = threading.Lock()
        self._last = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def last_delivered(self) -> int:
        return self._last

    def start(self) -> None:
        # Streams replay from the database; the bus only carries what commits from now on.
        self._last = self._store.event_bounds()[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._listen, name="supportdesk-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self._poll + 2.0)
            self._thread = None

    # the two paths in ---------------------------------------------------------------
    def on_commit(self, events: Sequence[StoredEvent]) -> None:
        """The store's commit listener: this instance's own commit, still under its write lock."""
        if events:
            self._deliver(events)

    def catch_up(self) -> None:
        """Deliver whatever committed after the last delivered id (the listener thread)."""
        self._deliver(())

    def _deliver(self, known: Sequence[StoredEvent]) -> None:
        with self._lock:
            batch: list[StoredEvent] = []
            first_known = known[0].id if known else None
            if first_known is None or first_known > self._last + 1:
                # Someone else committed in between (or nothing is known yet): read the gap, so
                # the bus still sees ids in order.
                cursor = self._last
                while True:
                    page = self._store.events_after(cursor, READ_BATCH)
                    page = [e for e in page if first_known is None or e.id < first_known]
                    batch.extend(page)
                    if len(page) < READ_BATCH:
                        break
                    cursor = page[-1].id
            batch.extend(e for e in known if e.id > self._last)
            batch = [e for e in batch if e.id > self._last]
            if not batch:
                return
            self._last = batch[-1].id
            try:
                self._publish(batch)
            except Exception:  # the events are committed; a stream that misses them resumes
                log.exception("handing events to the bus failed")

    # the listener thread ---------------------------------------------------------------
    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                with dedicated_connection(self._url) as conn:
                    conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    # After LISTEN: whatever committed before it is read now, anything later
                    # is notified.
                    self.catch_up()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=self._poll):
                            if int(note.payload or 0) > self._last:
                                self.catch_up()
                        # A quiet second, or the end of a burst: a lost notification costs at
                        # most this one look at the counter.
                        if self._store.event_bounds()[1] > self._last:
                            self.catch_up()
            except Exception as exc:
                if self._stopping.is_set():
                    return
                log.warning("event listener: %s; reconnecting in %.0f s", exc, RECONNECT_SECONDS)
                self._stopping.wait(RECONNECT_SECONDS)
