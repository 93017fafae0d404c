"""Which instance runs the background jobs: one per database.

On SQLite the server is one process and always leads (`SoleLeader`). On PostgreSQL every
instance tries a session advisory lock on a connection of its own (`AdvisoryLeader`); the one
holding it leads. PostgreSQL releases the lock the moment that session ends, and a killed
process's session ends with its socket, so a follower (retrying every `retry` seconds) takes
over within seconds. The leader checks its session every `retry` seconds too: one that lost its
connection stops leading before it reconnects, so two leaders overlap for at most that long.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

import psycopg

from supportdesk_tui.server.pg_notify import dedicated_connection

log = logging.getLogger("supportdesk.server")
LEADER_LOCK = 0x5D_0002  # next to storage/postgres_engine.MIGRATION_LOCK
RETRY_SECONDS = 1.0
LEADER_MESSAGE = "leader: this instance now runs the background jobs"
FOLLOWER_MESSAGE = "leader: this instance no longer runs the background jobs"


class Leadership(Protocol):
    @property
    def is_leader(self) -> bool: ...

    @property
    def term(self) -> int:
        """Moves each time this instance takes the lead (from another, or at its start)."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class SoleLeader:
    """The only process on its database."""

    is_leader = True
    term = 0  # never taken over: the one process leads from the start

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


class AdvisoryLeader:
    def __init__(self, url: str, retry: float = RETRY_SECONDS, key: int = LEADER_LOCK) -> None:
        self._url = url
        self._retry = retry
        self._key = key
        self._leading = False
        self._term = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._leading

    @property
    def term(self) -> int:
        return self._term

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="supportdesk-leader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self._retry + 2.0)
            self._thread = None
        self._set(False)

    def _set(self, leading: bool) -> None:
        if leading != self._leading:
            if leading:
                self._term += 1
            self._leading = leading
            log.warning(LEADER_MESSAGE if leading else FOLLOWER_MESSAGE)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                # Closing the connection (also on the way out) releases the lock.
                with dedicated_connection(self._url) as conn:
                    self._hold(conn)
            except Exception as exc:
                self._set(False)
                if not self._stopping.is_set():
                    log.warning("leader election: %s; retrying in %.0f s", exc, self._retry)
            self._stopping.wait(self._retry)

    def _hold(self, conn: psycopg.Connection[Any]) -> None:
        while not self._stopping.is_set():
            if self._leading:
                conn.execute("SELECT 1")  # still our session, so still our lock
            else:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,)).fetchone()
                self._set(bool(row and row[0]))
            self._stopping.wait(self._retry)
