"""Refuse NUL characters (U+0000) in request text, on every engine alike.

PostgreSQL can't store NUL in a text column; SQLite can. Rather than one engine keeping what the
other refuses (or mangling it), no request may carry one: a 422 names where it was. Checked
before any handler runs, so no write starts half-way.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.middleware import send_error

MESSAGE = "Text must not contain NUL characters (U+0000)."


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _refusal(where: str) -> ApiError:
    return ApiError(422, "validation_error", MESSAGE, [{"loc": [where], "msg": MESSAGE}])


def body_holds_nul(body: bytes) -> bool:
    # JSON writes NUL as \u0000 (a raw one is invalid JSON and refused later); parse only then.
    if b"u0000" not in body:
        return False
    try:
        return _holds_nul(json.loads(body))
    except ValueError:
        return False  # not JSON: the route's own validation answers


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
        messages: list[Message] = []
        more = True
        while more:
            message = await receive()
            messages.append(message)
            more = message["type"] == "http.request" and message.get("more_body", False)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if body_holds_nul(body):
            await send_error(send, _refusal("body"))
            return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)
