"""Hold chosen requests of the app at a gate, as a slow link would, and see which are out at once.

`hold_requests(app)` wraps the transport of the app's one `httpx.AsyncClient` (after sign-in).
Requests a `hold(...)` predicate picks wait at the gate until `release()`; `waiting` lists the
ones waiting now, so "both requests are out at the same time" is a condition a test can wait for,
with no timing involved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from supportdesk_tui.app import SupportDeskApp

Pick = Callable[[httpx.Request], bool]


class HeldRequests(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.waiting: list[httpx.Request] = []
        self.seen: list[httpx.Request] = []
        self._pick: Pick | None = None
        self._gate = asyncio.Event()

    def hold(self, pick: Pick) -> None:
        """From now on the requests `pick` chooses wait at the gate before they reach the server."""
        self._pick = pick
        self._gate = asyncio.Event()

    def release(self) -> None:
        self._pick = None
        self._gate.set()

    def waiting_paths(self) -> list[tuple[str, str]]:
        return [(request.method, request.url.path) for request in self.waiting]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self._pick is not None and self._pick(request):
            gate = self._gate
            self.waiting.append(request)
            try:
                await gate.wait()
            finally:
                self.waiting.remove(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def hold_requests(app: SupportDeskApp) -> HeldRequests:
    http = app.api.http
    held = HeldRequests(http._transport)
    http._transport = held
    return held
