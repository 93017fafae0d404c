"""Presence in the shared database (PostgreSQL): every instance sees who is on which ticket.

Same interface as `presence.PresenceBoard`. Changes are single statements on a pooled
connection, outside the writers' lock (presence writes no event rows by itself). Reads come from
a snapshot of the whole (small: one row per agent and open ticket) table, read again at most
every `fresh` seconds and right after any change made here, so a ticket page costs no query per
ticket. Another instance's change shows here within `fresh` seconds; its `presence.changed`
event carries the new list at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from supportdesk_tui.contract.models import AgentRef, Presence, PresenceState
from supportdesk_tui.server.presence import PRESENCE_TTL
from supportdesk_tui.server.records import from_ms, to_ms
from supportdesk_tui.server.storage.engine import Engine

FRESH_SECONDS = 0.25
# "Online" means a request within minutes (stats.ONLINE_WITHIN): a write per agent every 30 s
# at most keeps that true across instances without a write per request.
SEEN_WRITE_EVERY = timedelta(seconds=30)
Snapshot = dict[int, list[Presence]]

_PUT = (
    "WITH before AS (SELECT state, expires_at FROM presence WHERE ticket_id = ? AND agent_id = ?), "
    "put AS (INSERT INTO presence (ticket_id, agent_id, login, name, state, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, agent_id) DO UPDATE SET login = excluded.login, "
    "name = excluded.name, state = excluded.state, expires_at = excluded.expires_at) "
    "SELECT state, expires_at FROM before"
)


class DbPresenceBoard:
    def __init__(
        self,
        engine: Engine,
        ttl: timedelta = PRESENCE_TTL,
        fresh: float = FRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._fresh = fresh
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._snapshot: Snapshot = {}
        self._read_at = -float("inf")
        self._generation = 0  # moves with every change made here

    def set(self, ticket_id: int, agent: AgentRef, state: PresenceState, now: datetime) -> bool:
        """Record a renewal; True when what others see changed (not on a plain renewal)."""
        with self._engine.read() as db:
            if state == PresenceState.LEFT:
                row = db.execute(
                    "DELETE FROM presence WHERE ticket_id = ? AND agent_id = ? RETURNING expires_at",
                    (ticket_id, agent.id),
                ).fetchone()
                changed = row is not None and int(row[0]) > to_ms(now)
            else:
                expires = to_ms(now + self._ttl)
                row = db.execute(
                    _PUT,
                    (ticket_id, agent.id, ticket_id, agent.id, agent.login, agent.name, state.value, expires),
                ).fetchone()
                alive = row is not None and int(row[1]) > to_ms(now)
                changed = not alive or row is None or row[0] != state.value
        self._stale()
        return changed

    def get(self, ticket_id: int, now: datetime) -> list[Presence]:
        return [p for p in self._current().get(ticket_id, ()) if p.expires_at > now]

    def sweep(self, now: datetime) -> list[int]:
        """Drop expired entries; the ids of tickets whose presence changed (the leader runs this)."""
        with self._engine.read() as db:
            rows = db.execute(
                "DELETE FROM presence WHERE expires_at <= ? RETURNING ticket_id", (to_ms(now),)
            ).fetchall()
        if rows:
            self._stale()
        return sorted({int(r[0]) for r in rows})

    def by_agent(self, now: datetime) -> dict[int, list[tuple[int, PresenceState]]]:
        result: dict[int, list[tuple[int, PresenceState]]] = {}
        for ticket_id, entries in self._current().items():
            for p in entries:
                if p.expires_at > now:
                    result.setdefault(p.agent.id, []).append((ticket_id, p.state))
        return result

    def _stale(self) -> None:
        with self._lock:
            self._generation += 1
            self._read_at = -float("inf")

    def _current(self) -> Snapshot:
        with self._lock:
            if self._monotonic() - self._read_at < self._fresh:
                return self._snapshot
            generation = self._generation
        with self._engine.read() as db:
            rows = db.execute(
                "SELECT ticket_id, agent_id, login, name, state, expires_at FROM presence "
                "ORDER BY ticket_id, agent_id"
            ).fetchall()
        snapshot: Snapshot = {}
        for r in rows:
            snapshot.setdefault(int(r[0]), []).append(
                Presence(
                    agent=AgentRef(id=int(r[1]), login=r[2], name=r[3]),
                    state=PresenceState(r[4]),
                    expires_at=from_ms(int(r[5])),
                )
            )
        with self._lock:
            # A change made here while this read ran may be missing from it: don't keep it.
            if generation == self._generation:
                self._snapshot, self._read_at = snapshot, self._monotonic()
        return snapshot


class DbSeenBoard:
    """When each agent was last seen, in the `agent_seen` table (several instances)."""

    def __init__(self, engine: Engine, write_every: timedelta = SEEN_WRITE_EVERY) -> None:
        self._engine = engine
        self._write_every = write_every
        self._written: dict[int, datetime] = {}  # what this instance last wrote, per agent

    def touch(self, agent_id: int, now: datetime) -> None:
        last = self._written.get(agent_id)
        if last is not None and now - last < self._write_every:
            return
        self._written[agent_id] = now
        with self._engine.read() as db:
            db.execute(
                "INSERT INTO agent_seen (agent_id, seen_at) VALUES (?, ?) ON CONFLICT (agent_id) "
                "DO UPDATE SET seen_at = greatest(agent_seen.seen_at, excluded.seen_at)",
                (agent_id, to_ms(now)),
            )

    def snapshot(self) -> dict[int, datetime]:
        with self._engine.read() as db:
            rows = db.execute("SELECT agent_id, seen_at FROM agent_seen").fetchall()
        return {int(r[0]): from_ms(int(r[1])) for r in rows}
