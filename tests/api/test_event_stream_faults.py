"""The event-stream consumer: parsing, resume with Last-Event-ID, and surviving a dropped stream."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.api.events import EventStream, StreamStatus, parse_sse
from supportdesk_tui.contract.models import Event, EventType


async def lines_of(text: str) -> AsyncIterator[str]:
    for line in text.splitlines():
        yield line


async def test_sse_parser_joins_data_lines_and_skips_comments() -> None:
    raw = ": keep-alive\n\nid: 5\nevent: reset\ndata: {\"a\":\ndata: 1}\n\n"
    events = [e async for e in parse_sse(lines_of(raw))]
    assert len(events) == 1
    assert (events[0].id, events[0].type, events[0].data) == ("5", "reset", '{"a":\n1}')


async def test_stream_resumes_from_the_last_event_id_after_a_drop() -> None:
    seen_headers: list[str | None] = []
    bodies = [
        b"id: 1\nevent: reset\ndata: {}\n\nid: 2\nevent: reset\ndata: {}\n\n",
        b"id: 3\nevent: reset\ndata: {}\n\n",
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        seen_headers.append(request.headers.get("Last-Event-ID"))
        if not bodies:
            raise httpx.ConnectError("down", request=request)
        return httpx.Response(200, content=bodies.pop(0), headers={"content-type": "text/event-stream"})

    client = SupportDeskClient("http://backend.test", "t", transport=httpx.MockTransport(handler))
    stream = EventStream(client, min_backoff=0.01, max_backoff=0.01, rng=random.Random(1))
    got: list[int] = []
    states: list[str] = []
    async for item in stream.items():
        if isinstance(item, StreamStatus):
            states.append(item.state)
        else:
            got.append(item.id)
        if len(got) == 3:
            break
    await client.aclose()
    assert got == [1, 2, 3]
    assert seen_headers[:2] == [None, "2"]
    assert "polling" in states  # the consumer was told the stream was down


async def test_malformed_events_are_skipped_and_counted() -> None:
    body = b"id: 1\nevent: ticket.updated\ndata: not-json\n\nid: 2\nevent: nonsense\ndata: {}\n\n" \
           b"id: 3\nevent: reset\ndata: {}\n\n"
    client = SupportDeskClient("http://backend.test", "t", transport=httpx.MockTransport(
        lambda r: httpx.Response(200, content=body)))
    stream = EventStream(client)
    events: list[Event] = []
    async for item in stream.items():
        if isinstance(item, Event):
            events.append(item)
            break
    await client.aclose()
    assert [e.type for e in events] == [EventType.RESET]
    assert stream.malformed_events == 2
