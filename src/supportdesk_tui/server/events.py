"""In-process fan-out of committed events to the open event streams.

The store calls `publish` after each commit, from whatever thread wrote; the
bus hops onto the event loop with `call_soon_threadsafe` (FIFO, so streams see
ids in commit order). Each stream has a bounded queue: a client too slow to
drain it is dropped and will resume from the database with `Last-Event-ID`.

Keep-alives come from one timer for all streams (`KEEPALIVE` in every queue each
`keepalive` seconds), not from a timeout around each stream's wait: with hundreds of
streams, a timer armed and cancelled per event per stream was a large share of the
server's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from supportdesk_tui.server.records import StoredEvent

# Not an event: tells a stream to write a keep-alive comment (compared by identity).
KEEPALIVE = StoredEvent(id=0, type="keep-alive", queue=None, data="")


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[StoredEvent | None]
    # Ticket queues whose events this stream may carry; None: all. Only spares the stream a
    # wake-up for events it would skip: the stream still checks each event it is given.
    queues: frozenset[str] | None = None
    dropped: bool = field(default=False)


class EventBus:
    def __init__(self, max_queue: int = 1000, keepalive: float | None = None) -> None:
        self._max_queue = max_queue
        self._keepalive = keepalive
        self._subs: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._ticker: asyncio.TimerHandle | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start delivering on `loop` (call from it); keep-alives start here too."""
        with self._lock:
            self._loop = loop
        if self._keepalive is not None:
            self._ticker = loop.call_later(self._keepalive, self._tick)

    def detach(self) -> None:
        with self._lock:
            self._loop = None
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        for sub in list(self._subs):
            self._end(sub)

    def _tick(self) -> None:
        self._dispatch([KEEPALIVE])
        loop = self._loop
        if loop is not None and self._keepalive is not None:
            self._ticker = loop.call_later(self._keepalive, self._tick)

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def publish(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        with self._lock:
            loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            loop.call_soon_threadsafe(self._dispatch, list(events))

    def _dispatch(self, events: list[StoredEvent]) -> None:
        for sub in list(self._subs):
            for event in events:
                if sub.queues is not None and event.queue is not None and event.queue not in sub.queues:
                    continue
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    sub.dropped = True
                    self._end(sub)
                    break

    def subscribe(self, queues: frozenset[str] | None = None) -> Subscription:
        sub = Subscription(queue=asyncio.Queue(maxsize=self._max_queue), queues=queues)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    def _end(self, sub: Subscription) -> None:
        self._subs.discard(sub)
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(None)


def format_event(event_id: int, event_type: str, data: str) -> bytes:
    """A frame with other data than the stored event's (see `StoredEvent.frame`)."""
    # `data` is compact JSON: one line, so a single `data:` field is enough.
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n".encode()
