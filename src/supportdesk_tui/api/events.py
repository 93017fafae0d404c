"""Consumer of the Server-Sent Events stream with reconnect, `Last-Event-ID` resume and a polling fallback.

`EventStream.items()` yields parsed `Event`s and `StreamStatus` changes. While the
stream is down the consumer is told (`StreamStatus.state == "polling"`) so it can
refresh by polling; once the stream is back, missed events are replayed by the
server from the last event id, or a `reset` event says to reload everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Literal

import httpx
from pydantic import ValidationError

from supportdesk_tui.api.answers import host_of
from supportdesk_tui.api.client import API_PREFIX, SupportDeskClient
from supportdesk_tui.contract.models import Event, EventType
from supportdesk_tui.contract.stream import SILENT_STREAM_SECONDS

log = logging.getLogger("supportdesk.api.events")

StreamState = Literal["connecting", "reconnecting", "live", "polling", "unauthorized", "forbidden"]


@dataclass(frozen=True, slots=True)
class StreamStatus:
    state: StreamState
    detail: str = ""
    retry_in: float | None = None
    # The base URL this status is about: the instance connected to, or being connected to
    # ("reconnecting": the instance the stream moves to after the one in use failed).
    instance: str = ""


def _instance_failed(exc: Exception) -> bool:
    """The instance itself is gone or failing, not the request: worth trying another one."""
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


@dataclass(slots=True)
class _RawEvent:
    id: str | None = None
    type: str = "message"
    data: str = ""


async def parse_sse(lines: AsyncIterator[str]) -> AsyncIterator[_RawEvent]:
    """Parse the text/event-stream format (WHATWG): fields until a blank line end one event."""
    current = _RawEvent()
    data_lines: list[str] = []
    async for raw_line in lines:
        line = raw_line.rstrip("\r\n")
        if not line:
            if data_lines or current.id is not None:
                current.data = "\n".join(data_lines)
                yield current
            current = _RawEvent()
            data_lines = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data_lines.append(value)
        elif field == "event":
            current.type = value
        elif field == "id" and "\0" not in value:
            current.id = value


class EventStream:
    """Iterate `items()` for as long as the view lives; cancel the task to stop."""

    def __init__(
        self,
        client: SupportDeskClient,
        *,
        last_event_id: int | None = None,
        # No byte for this long (keep-alives come every second) and the server counts as gone:
        # the consumer hears "polling" in seconds, not after a TCP timeout.
        read_timeout: float = SILENT_STREAM_SECONDS,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self.last_event_id = last_event_id
        self._read_timeout = read_timeout
        # Reconnect waits: full jitter from `min_backoff` up to a doubling ceiling capped at `max_backoff`.
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._rng = rng or random.Random()
        self.malformed_events = 0
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Reconnect now if waiting out a backoff: another request just got an answer, so the
        server is back and the agent should not stay "offline" for up to `max_backoff`."""
        self._woken.set()

    def _backoff(self, failures: int) -> float:
        return self._rng.uniform(self._min_backoff, min(self._max_backoff, 1.0 * (2 ** min(failures, 6))))

    async def items(self) -> AsyncGenerator[Event | StreamStatus, None]:
        failures = 0
        instances = self._client.instances
        moving = False
        gap = False
        while True:
            instance = instances.current
            was_live = False
            if moving:
                yield StreamStatus("reconnecting", f"Reconnecting to {instance}", instance=instance)
            else:
                yield StreamStatus("connecting", instance=instance)
            moving = False
            headers = {"Accept": "text/event-stream"}
            if self.last_event_id is not None:
                headers["Last-Event-ID"] = str(self.last_event_id)
            timeout = httpx.Timeout(10.0, read=self._read_timeout)
            try:
                async with self._client.http.stream(
                    "GET", instance + API_PREFIX + "/events", headers=headers, timeout=timeout
                ) as response:
                    if response.status_code == 401:
                        yield StreamStatus("unauthorized", "The server refused the token.")
                        return
                    if response.status_code == 403:
                        # Retrying can't help: this role may not read events.
                        yield StreamStatus("forbidden", "This account may not receive live updates.")
                        return
                    if response.status_code != 200:
                        raise httpx.HTTPStatusError("stream refused", request=response.request,
                                                    response=response)
                    failures = 0
                    was_live = True
                    instances.succeeded(instance)
                    log.info("live updates from %s", host_of(instance))
                    yield StreamStatus("live", instance=instance)
                    if gap:
                        # Dropped before any id was known: what happened meanwhile can't be
                        # replayed, so the consumer reloads instead.
                        gap = False
                        yield Event(id=0, type=EventType.RESET, data={})
                    async for raw in parse_sse(response.aiter_lines()):
                        if raw.type == "message" and not raw.data and raw.id is not None:
                            # Where this stream starts (no event): resume from here if it drops.
                            if raw.id.isdigit():
                                self.last_event_id = int(raw.id)
                            continue
                        event = self._decode(raw)
                        if event is None:
                            continue
                        self.last_event_id = event.id
                        yield event
                raise httpx.ReadError("stream ended")
            except (httpx.HTTPError, httpx.StreamError) as exc:
                gap = gap or (was_live and self.last_event_id is None)
                if _instance_failed(exc):
                    # Another instance of the deployment replays from `last_event_id` (events
                    # live in the shared database), so moving at once loses nothing.
                    after = instances.failed(instance)
                    if after != instance and not instances.cooling(after):
                        moving = True
                        continue
                failures += 1
                delay = self._backoff(failures)
                log.warning("live updates from %s interrupted (%s); again in %.1f s", host_of(instance),
                            type(exc).__name__, delay)
                yield StreamStatus("polling", "Live updates interrupted.", retry_in=delay,
                                   instance=instance)
                self._woken.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), delay)

    def _decode(self, raw: _RawEvent) -> Event | None:
        try:
            event_id = int(raw.id) if raw.id is not None else None
            data = json.loads(raw.data) if raw.data else {}
            if event_id is None or not isinstance(data, dict):
                raise ValueError("event without id or object data")
            return Event.model_validate({"id": event_id, "type": raw.type, "data": data})
        except (ValueError, ValidationError):
            # A malformed event loses freshness, never data: the consumer re-polls on `reset`.
            self.malformed_events += 1
            return None
