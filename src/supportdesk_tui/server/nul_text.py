"""Refuse NUL characters (U+0000) in a request's path or query, on every engine alike.

PostgreSQL can't take NUL in a text value; SQLite can. A path or query value goes into a lookup
or a search, so it is refused here, before any handler runs. Body text is refused where it would
be written (store/connections.py `NulGuard`): a NUL under a key the server ignores harms nobody.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.middleware import send_error
from supportdesk_tui.server.storage.engine import TextRefused

MESSAGE = TextRefused.MESSAGE


def _refusal(where: str) -> ApiError:
    return ApiError(422, "validation_error", MESSAGE, [{"loc": [where], "msg": MESSAGE}])


class NulTextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await send_error(send, _refusal("path"))
            return
        if b"%00" in scope.get("query_string", b""):
            await send_error(send, _refusal("query"))
            return
        await self.app(scope, receive, send)
