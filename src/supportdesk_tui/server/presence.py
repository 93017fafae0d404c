"""Who is viewing or composing on which ticket, expiring without renewal.

`PresenceBoard` keeps it in this process's memory (SQLite: one server); `presence_db.DbPresenceBoard`
keeps it in the database several instances share (PostgreSQL). server/cluster.py picks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from supportdesk_tui.contract.models import AgentRef, Presence, PresenceState

PRESENCE_TTL = timedelta(seconds=30)


class Board(Protocol):
    def set(self, ticket_id: int, agent: AgentRef, state: PresenceState, now: datetime) -> bool: ...

    def get(self, ticket_id: int, now: datetime) -> list[Presence]: ...

    def sweep(self, now: datetime) -> list[int]: ...

    def by_agent(self, now: datetime) -> dict[int, list[tuple[int, PresenceState]]]: ...


class Seen(Protocol):
    """When each agent last made a request (the agents' online/away state in live stats)."""

    def touch(self, agent_id: int, now: datetime) -> None: ...

    def snapshot(self) -> dict[int, datetime]: ...


class SeenBoard:
    def __init__(self) -> None:
        self._at: dict[int, datetime] = {}

    def touch(self, agent_id: int, now: datetime) -> None:
        self._at[agent_id] = now

    def snapshot(self) -> dict[int, datetime]:
        return dict(self._at)


@dataclass(frozen=True)
class _Entry:
    agent: AgentRef
    state: PresenceState
    expires_at: datetime


class PresenceBoard:
    def __init__(self, ttl: timedelta = PRESENCE_TTL) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._by_ticket: dict[int, dict[int, _Entry]] = {}

    def set(self, ticket_id: int, agent: AgentRef, state: PresenceState, now: datetime) -> bool:
        """Record a renewal; True when what others see changed (not on a plain renewal)."""
        with self._lock:
            entries = self._by_ticket.setdefault(ticket_id, {})
            before = entries.get(agent.id)
            alive = before is not None and before.expires_at > now
            if state == PresenceState.LEFT:
                entries.pop(agent.id, None)
                if not entries:
                    del self._by_ticket[ticket_id]
                return alive
            entries[agent.id] = _Entry(agent, state, now + self._ttl)
            return not alive or before is None or before.state != state

    def get(self, ticket_id: int, now: datetime) -> list[Presence]:
        if ticket_id not in self._by_ticket:  # most tickets of a page: skip the lock
            return []
        with self._lock:
            entries = list(self._by_ticket.get(ticket_id, {}).values())
        return [
            Presence(agent=e.agent, state=e.state, expires_at=e.expires_at)
            for e in sorted(entries, key=lambda e: e.agent.id)
            if e.expires_at > now
        ]

    def sweep(self, now: datetime) -> list[int]:
        """Drop expired entries; the ids of tickets whose presence changed."""
        changed: list[int] = []
        with self._lock:
            for ticket_id, entries in list(self._by_ticket.items()):
                expired = [agent_id for agent_id, e in entries.items() if e.expires_at <= now]
                for agent_id in expired:
                    del entries[agent_id]
                if expired:
                    changed.append(ticket_id)
                if not entries:
                    del self._by_ticket[ticket_id]
        return changed

    def by_agent(self, now: datetime) -> dict[int, list[tuple[int, PresenceState]]]:
        result: dict[int, list[tuple[int, PresenceState]]] = {}
        with self._lock:
            for ticket_id, entries in self._by_ticket.items():
                for agent_id, e in entries.items():
                    if e.expires_at > now:
                        result.setdefault(agent_id, []).append((ticket_id, e.state))
        return result
