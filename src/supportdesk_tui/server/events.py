"""In-process fan-out of committed events to the open event streams.

The store calls `publish` after each commit, from whatever thread wrote; the
bus hops onto the event loop with `call_soon_threadsafe` (FIFO, so streams see
ids in commit order). Each stream has a bounded queue: a client too slow to
drain it is dropped and will resume from the database with `Last-Event-ID`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from supportdesk_tui.server.records import StoredEvent


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[StoredEvent | None]
    dropped: bool = field(default=False)


class EventBus:
    def __init__(self, max_queue: int = 1000) -> None:
        self._max_queue = max_queue
        self._subs: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            self._loop = loop

    def detach(self) -> None:
        with self._lock:
            self._loop = None
        for sub in list(self._subs):
            self._end(sub)

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
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    sub.dropped = True
                    self._end(sub)
                    break

    def subscribe(self) -> Subscription:
        sub = Subscription(queue=asyncio.Queue(maxsize=self._max_queue))
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
    # `data` is compact JSON: one line, so a single `data:` field is enough.
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n".encode()
