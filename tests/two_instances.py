"""One deployment, two `supportdesk serve` processes: a second instance on the first one's database.

Both processes open the same database (a SQLite file in WAL mode, or one PostgreSQL database):
each sees the other's commits, and an event stream resuming with `Last-Event-ID` on either
replays from the shared events table. The second instance gets the same options (a demo
database is seeded once: seeding skips a database that already has it), so both run the same
demo clock.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from conftest import ServerHandle


@contextmanager
def second_instance(first: ServerHandle) -> Iterator[ServerHandle]:
    handle = ServerHandle(
        db_path=first.db_path,
        log_path=first.log_path.parent / "second-instance.log",
        options=dict(first.options),
        tokens=first.tokens,  # tokens live in the shared database
    )
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


def kill_now(server: ServerHandle) -> None:
    """SIGKILL without waiting: safe to call from inside a transport while a request is open."""
    if server.process is not None and server.process.poll() is None:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)


class LoseAnswerThenKill(httpx.AsyncBaseTransport):
    """Forwards every request for real; the first one `lose` picks reaches the server and is
    applied, then the server is SIGKILLed and the answer is lost on the way back, as when an
    instance dies between its commit and its reply."""

    def __init__(self, server: ServerHandle, lose: str) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._server = server
        self._lose = lose  # "METHOD /path-suffix"
        self.lost: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method, _, suffix = self._lose.partition(" ")
        pick = (not self.lost and request.method == method and request.url.path.endswith(suffix)
                and str(request.url).startswith(self._server.url))
        response = await self._inner.handle_async_request(request)
        if not pick:
            return response
        await response.aread()
        await response.aclose()
        self.lost.append(request)
        kill_now(self._server)
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                        request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()
