"""What one server shares with the other instances on its database, picked by engine.

| piece | SQLite (one process) | PostgreSQL (any number of instances) |
|---|---|---|
| events to streams | commit listener -> bus | commit listener + LISTEN/NOTIFY -> `EventFanout` -> bus |
| presence | in memory (`PresenceBoard`) | `presence` table (`DbPresenceBoard`) |
| agents last seen | in memory (`SeenBoard`) | `agent_seen` table (`DbSeenBoard`) |
| rate limits | in memory (`RateLimiter`) | `rate_buckets` table (`DbRateLimiter`) |
| background jobs | always this process | the holder of an advisory lock (`AdvisoryLeader`) |
| idempotency leases | the `idempotency` table | the same table |
"""

from __future__ import annotations

from collections.abc import Callable

from supportdesk_tui.server.events import EventBus
from supportdesk_tui.server.leader import AdvisoryLeader, Leadership, SoleLeader
from supportdesk_tui.server.presence import Board, PresenceBoard, Seen, SeenBoard
from supportdesk_tui.server.ratelimit import Limiter, RateLimit, RateLimiter
from supportdesk_tui.server.store.protocol import Store


class Cluster:
    def __init__(self, store: Store) -> None:
        self.store = store
        # Only PostgreSQL is shared by several instances (engine.url: its connection URL).
        url = getattr(store.engine, "url", None) if store.engine.name == "postgresql" else None
        self.url: str | None = url
        self.leader: Leadership = SoleLeader() if url is None else AdvisoryLeader(url)
        self._housekeeping: list[Callable[[], object]] = []
        self._stop_bus: Callable[[], None] | None = None

    @property
    def shared(self) -> bool:
        return self.url is not None

    def presence(self) -> Board:
        if self.url is None:
            return PresenceBoard()
        from supportdesk_tui.server.presence_db import DbPresenceBoard

        return DbPresenceBoard(self.store.engine)

    def seen(self) -> Seen:
        if self.url is None:
            return SeenBoard()
        from supportdesk_tui.server.presence_db import DbSeenBoard

        return DbSeenBoard(self.store.engine)

    def limiter(self, limit: RateLimit, name: str) -> Limiter:
        if self.url is None or limit.rate <= 0:
            return RateLimiter(limit)
        from supportdesk_tui.server.ratelimit_db import DbRateLimiter

        shared = DbRateLimiter(self.store.engine, limit, name)
        if not self._housekeeping:  # one sweep covers every limiter's rows
            self._housekeeping.append(shared.forget_full)
        return shared

    def housekeeping(self) -> list[Callable[[], object]]:
        """Jobs the leader runs now and then (dropping rate buckets that refilled)."""
        return list(self._housekeeping)

    def connect(self, bus: EventBus) -> None:
        """Start handing committed events to `bus` (and leader election); call from the loop."""
        if self.url is None:
            self.store.add_commit_listener(bus.publish)
            self._stop_bus = lambda: self.store.remove_commit_listener(bus.publish)
        else:
            from supportdesk_tui.server.pg_notify import EventFanout

            fanout = EventFanout(self.store, self.url, bus.publish)
            fanout.start()  # knows the last id before any commit of ours reaches it
            self.store.add_commit_listener(fanout.on_commit)

            def stop() -> None:
                self.store.remove_commit_listener(fanout.on_commit)
                fanout.stop()

            self._stop_bus = stop
        self.leader.start()

    def disconnect(self) -> None:
        self.leader.stop()
        if self._stop_bus is not None:
            self._stop_bus()
            self._stop_bus = None
