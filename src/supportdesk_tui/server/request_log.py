"""One log line per request, each with a request id the response echoes in `X-Request-Id`.

A caller (a proxy, the app) may send its own `X-Request-Id` so its logs and ours name the
request alike. The header is the caller's text, and a log line is read by people and parsed by
tools: only letters, digits and `._:-` are kept, at most 64 of them; with nothing left a new id
is made. The line names the path without its query string (a search may carry a customer's
words) and with anything unprintable escaped, so a request can't forge a line of its own.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk_tui.server.auth import caller_of

REQUEST_ID_HEADER = "X-Request-Id"
MAX_REQUEST_ID = 64
MAX_LOGGED_PATH = 200
_NOT_IN_AN_ID = re.compile(r"[^A-Za-z0-9._:-]+")
_STATE_KEY = "supportdesk.request_id"

log = logging.getLogger("supportdesk.requests")
# Other records logged while a request runs (an unhandled error) carry its id too (log_format.py).
current_request_id: ContextVar[str | None] = ContextVar("supportdesk_request_id", default=None)


def request_id_from(header: str | None) -> str:
    """The caller's id cut down to what is safe to log and echo, or a new one."""
    kept = _NOT_IN_AN_ID.sub("", header or "")[:MAX_REQUEST_ID]
    return kept or uuid.uuid4().hex


def request_id_of(scope: Scope) -> str | None:
    """The id the request log gave this request (for answers built outside the middleware)."""
    value = scope.get("state", {}).get(_STATE_KEY)
    return value if isinstance(value, str) else None


def loggable_path(scope: Scope) -> str:
    """The request's path as sent (percent-encoded), printable ASCII only, bounded."""
    raw = scope.get("raw_path")
    path = bytes(raw).decode("latin-1") if raw else str(scope.get("path", ""))
    path = path.split("?", 1)[0]
    shown = printable(path)
    return shown if len(shown) <= MAX_LOGGED_PATH else shown[:MAX_LOGGED_PATH] + "…"


def printable(text: str) -> str:
    """`text` with everything but printable ASCII (spaces too) escaped as `\\xNN`."""
    return "".join(char if " " < char < "\x7f" else f"\\x{ord(char):02x}" for char in text)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RequestLogMiddleware:
    """Outermost of our middleware, so rate-limited and refused requests are logged too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        scope.setdefault("state", {})[_STATE_KEY] = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            # The answer (a 500) is sent further out by Starlette; the line still belongs here.
            status = status or 500
            raise
        finally:
            current_request_id.reset(token)
            _log_request(scope, request_id, status, time.perf_counter() - started)


def _log_request(scope: Scope, request_id: str, status: int, seconds: float) -> None:
    method = printable(str(scope.get("method", "?")))[:16]
    path = loggable_path(scope)
    caller = caller_of(scope)
    fields: dict[str, Any] = {
        "request_id": request_id,
        "method": method,
        "path": path,
        "status": status or None,
        "duration_ms": round(seconds * 1000, 1),
        "agent_id": caller.id if caller is not None else None,
    }
    who = f" agent={caller.id}" if caller is not None else ""
    log.info(
        "%s %s %s %.1fms request_id=%s%s", method, path, status or "-", seconds * 1000, request_id, who,
        extra={"request": fields},
    )
