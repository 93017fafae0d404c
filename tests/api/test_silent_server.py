"""A server that accepts connections and then says nothing: the client gives up on it in seconds.

The "server" is a socket on loopback that answers the event stream's headers and first comment,
or nothing at all, and then stays silent, as a paused or hung process does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.api.errors import RequestTimeout
from supportdesk_tui.api.events import EventStream, StreamStatus
from supportdesk_tui.contract.models import MessageCreate, MessageKind
from supportdesk_tui.contract.stream import SILENT_STREAM_SECONDS, STREAM_KEEPALIVE_SECONDS
from supportdesk_tui.domain.drafts import DraftKind, DraftStore
from supportdesk_tui.domain.outbox import Outbox, OutboxState
from supportdesk_tui.sending import Queued, Sender
from supportdesk_tui.server.cli import build_parser

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# Bounds on waits for something the client is set to do in a fraction of a second; generous for a
# loaded machine (they bound the test, they are not what it measures).
GENEROUS = 20.0
STREAM_HEAD = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
               b"connection: close\r\n\r\nid: 7\n: connected\n\n")


class SilentServer:
    """Counts requests; `opening` is written on each connection before the silence."""

    def __init__(self, opening: bytes) -> None:
        self.opening = opening
        self.requests = 0
        self.url = ""
        self._server: asyncio.Server | None = None
        self._held: list[asyncio.StreamWriter] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._held.append(writer)  # never closed by the "server": it hangs
        await reader.readuntil(b"\r\n\r\n")
        self.requests += 1
        writer.write(self.opening)
        await writer.drain()

    async def __aenter__(self) -> SilentServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._held:
            writer.close()
        assert self._server is not None
        self._server.close()


@pytest.fixture
def silent_server() -> Callable[[bytes], SilentServer]:
    return SilentServer


def test_the_server_speaks_more_often_than_the_client_waits() -> None:
    assert STREAM_KEEPALIVE_SECONDS <= 1.0
    assert SILENT_STREAM_SECONDS >= 2 * STREAM_KEEPALIVE_SECONDS
    assert SILENT_STREAM_SECONDS <= 3.0
    assert build_parser().parse_args(["serve"]).keepalive == STREAM_KEEPALIVE_SECONDS


async def next_status(items: AsyncIterator[object], state: str) -> StreamStatus:
    async for item in items:
        if isinstance(item, StreamStatus) and item.state == state:
            return item
    raise AssertionError("the stream ended")


async def within(awaitable: Awaitable[StreamStatus]) -> StreamStatus:
    return await asyncio.wait_for(awaitable, GENEROUS)


async def test_a_stream_that_goes_silent_counts_as_interrupted_by_default(
        silent_server: Callable[[bytes], SilentServer]) -> None:
    async with silent_server(STREAM_HEAD) as server, SupportDeskClient(server.url, "t") as api:
        items = EventStream(api).items()  # the default limit: a few seconds, not a TCP timeout
        try:
            await within(next_status(items, "live"))
            interrupted = await within(next_status(items, "polling"))
        finally:
            await items.aclose()
    assert interrupted.detail == "Live updates interrupted."


async def test_a_stream_whose_server_never_answers_counts_as_interrupted(
        silent_server: Callable[[bytes], SilentServer]) -> None:
    async with silent_server(b"") as server, SupportDeskClient(server.url, "t") as api:
        items = EventStream(api, read_timeout=0.3).items()
        try:
            await within(next_status(items, "polling"))
        finally:
            await items.aclose()
    assert server.requests >= 1


async def test_a_bounded_post_is_asked_once_and_gives_up_for_the_outbox_to_retry(
        silent_server: Callable[[bytes], SilentServer]) -> None:
    async with silent_server(b"") as server, SupportDeskClient(server.url, "t") as api:
        request = MessageCreate(kind=MessageKind.REPLY, body="On it")
        with pytest.raises(RequestTimeout):
            await asyncio.wait_for(
                api.post_message(7, request, idempotency_key="k", answer_within=0.3), GENEROUS)
    assert server.requests == 1  # no hidden retries: the outbox decides when to ask again


async def test_a_reply_to_a_silent_server_is_queued_with_its_key_kept(
        silent_server: Callable[[bytes], SilentServer], tmp_path: Path) -> None:
    async with silent_server(b"") as server, SupportDeskClient(server.url, "t") as api:
        sender = Sender(api, Outbox(tmp_path / "outbox.json"), DraftStore(tmp_path / "drafts"),
                        lambda: NOW, answer_within=0.3)
        result = await asyncio.wait_for(
            sender.send(7, DraftKind.REPLY, "On it", status_after=None, seen_up_to=None), GENEROUS)
    assert isinstance(result, Queued)
    (item,) = sender.outbox.items()
    assert (item.id, item.state, item.attempts) == (result.item.id, OutboxState.PENDING, 1)
    assert sender.waiting_for(7) == [item]  # no longer "sending": the thread shows it as waiting
