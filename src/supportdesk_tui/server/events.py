"""In-process fan-out of committed events to the open event streams.

The store calls `publish` after each commit, from whatever thread wrote; the
bus hops onto the event loop with `call_soon_threadsafe` (FIFO, so streams see
ids in commit order). Each stream has a bounded queue: a client too slow to
drain it is dropped and will resume from the database with `Last-Event-ID`.

Keep-alives come from one timer for all streams (`KEEPALIVE` in every queue each
`keepalive` seconds), not from a timeout around each stream's wait: with hundreds of
streams, a timer armed and cancelled per event per stream was a large share of the
server's time.

Permissions can change under an open stream, from another process too (`supportdesk token
revoke`, `token create` with new `--queues`), so the bus watches the store's auth epoch, a
counter every such change bumps in its own transaction: the same timer reads it every
`auth_poll` seconds (one read for all streams), and each publish reads it right after its
commit, so an event committed after a revocation is always judged by the new permissions. When
it moves, every stream gets `RECHECK` and re-derives what it may carry from its token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from supportdesk_tui.server.records import StoredEvent

# Not an event: tells a stream to write a keep-alive comment (compared by identity).
KEEPALIVE = StoredEvent(id=0, type="keep-alive", queue=None, data="")
# Not an event: tells a stream that permissions changed and its token must be checked again.
RECHECK = StoredEvent(id=0, type="recheck", queue=None, data="")
AUTH_POLL_SECONDS = 0.25
log = logging.getLogger("supportdesk.server")


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[StoredEvent | None]
    # Ticket queues whose events this stream may carry; None: all. Only spares the stream a
    # wake-up for events it would skip: the stream still checks each event it is given.
    queues: frozenset[str] | None = None
    dropped: bool = field(default=False)


class EventBus:
    def __init__(
        self,
        max_queue: int = 1000,
        keepalive: float | None = None,
        auth_epoch: Callable[[], int] | None = None,
        auth_poll: float = AUTH_POLL_SECONDS,
    ) -> None:
        self._max_queue = max_queue
        self._keepalive = keepalive
        self._subs: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._ticker: asyncio.TimerHandle | None = None
        self._auth_source = auth_epoch
        self._auth_poll = auth_poll
        self._auth_ticker: asyncio.TimerHandle | None = None
        # The newest auth epoch seen; streams compare theirs with it before writing anything.
        self.auth_epoch = 0

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start delivering on `loop` (call from it); keep-alives and auth polling start here too."""
        with self._lock:
            self._loop = loop
        if self._keepalive is not None:
            self._ticker = loop.call_later(self._keepalive, self._tick)
        if self._auth_source is not None:
            self.observe_auth_epoch(self._read_auth_epoch())
            self._auth_ticker = loop.call_later(self._auth_poll, self._auth_tick)

    def detach(self) -> None:
        with self._lock:
            self._loop = None
        for ticker in (self._ticker, self._auth_ticker):
            if ticker is not None:
                ticker.cancel()
        self._ticker = self._auth_ticker = None
        for sub in list(self._subs):
            self._end(sub)

    def _tick(self) -> None:
        self._dispatch([KEEPALIVE])
        loop = self._loop
        if loop is not None and self._keepalive is not None:
            self._ticker = loop.call_later(self._keepalive, self._tick)

    def _auth_tick(self) -> None:
        # On the loop: one single-row read (WAL: never waits for a writer), as token lookups are.
        self.observe_auth_epoch(self._read_auth_epoch())
        loop = self._loop
        if loop is not None:
            self._auth_ticker = loop.call_later(self._auth_poll, self._auth_tick)

    def _read_auth_epoch(self) -> int | None:
        if self._auth_source is None:
            return None
        try:
            return self._auth_source()
        except Exception:  # the next poll tries again; a publish must not fail after its commit
            log.exception("reading the auth epoch failed")
            return None

    def observe_auth_epoch(self, epoch: int | None) -> None:
        """Note an epoch read from the store (on the loop); a newer one makes every stream recheck."""
        if epoch is None or epoch <= self.auth_epoch:
            return
        self.auth_epoch = epoch
        for sub in list(self._subs):
            # Until the stream has rechecked, its old queue set may hide queues it just gained.
            sub.queues = None
            try:
                sub.queue.put_nowait(RECHECK)
            except asyncio.QueueFull:
                sub.dropped = True
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
        # Read in the writer's thread, after its commit: any permission change committed before
        # these events is seen before they are handed to a stream.
        epoch = self._read_auth_epoch()
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            loop.call_soon_threadsafe(self._dispatch, list(events), epoch)

    def _dispatch(self, events: list[StoredEvent], epoch: int | None = None) -> None:
        self.observe_auth_epoch(epoch)
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
