"""An event stream waiting out its backoff reconnects as soon as the app learns the server is back.

Without it, an agent whose reply the outbox just delivered still read "offline" for up to the
backoff's ceiling (30 s).
"""

from __future__ import annotations

import asyncio
import random
import socket

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.api.events import EventStream, StreamStatus

# The backoff this test would wait without a wake-up: far beyond the test's own bound.
AN_HOUR = 3600.0
GENEROUS = 20.0


class AlwaysTheCeiling(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_stream_waiting_to_retry_reconnects_at_once_when_woken() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    async with SupportDeskClient(url, "t") as api:
        stream = EventStream(api, max_backoff=AN_HOUR, rng=AlwaysTheCeiling())
        items = stream.items()
        states: list[str] = []
        while "polling" not in states:
            item = await asyncio.wait_for(anext(items), GENEROUS)
            assert isinstance(item, StreamStatus)
            states.append(item.state)
            if item.state == "polling":
                assert (item.retry_in or 0) >= 1.0  # a real wait lies ahead
        stream.wake()
        again = await asyncio.wait_for(anext(items), GENEROUS)  # not after the backoff
        assert isinstance(again, StreamStatus) and again.state in ("connecting", "reconnecting")
        await items.aclose()


async def test_a_wake_while_live_does_not_cut_the_next_backoff_short() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    async with SupportDeskClient(url, "t") as api:
        stream = EventStream(api, max_backoff=AN_HOUR, rng=AlwaysTheCeiling())
        stream.wake()  # an answer long before this failure says nothing about the server now
        items = stream.items()
        while True:
            item = await asyncio.wait_for(anext(items), GENEROUS)
            assert isinstance(item, StreamStatus)
            if item.state == "polling":
                break
        waiting = asyncio.ensure_future(anext(items))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
