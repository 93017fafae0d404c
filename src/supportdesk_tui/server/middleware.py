"""Pure ASGI middleware: body size limit, per-caller rate limit, and POST idempotency.

They sit below routing so they also cover requests no handler accepts, and
they answer in the contract's error envelope like everything else.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk_tui.server.auth import bearer, remember_caller
from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.idempotency import CURRENT, Attempt
from supportdesk_tui.server.ratelimit import Limiter, client_address_key
from supportdesk_tui.server.records import AgentRecord, IdempotencyOutcome
from supportdesk_tui.server.service import Service

MAX_BODY = 256 * 1024
IDEMPOTENCY_KEEP = timedelta(hours=24)
# How long a request holds its Idempotency-Key before a retry may take it over (a crashed
# server never releases it). Longer than any write should take under load.
IDEMPOTENCY_LEASE = timedelta(seconds=30)
MAX_KEY_LENGTH = 200
# Responses worth replaying: the outcome is a function of the request body. A 409/412/429
# depends on the moment, so the client may retry the same key once it has caught up.
STORED_STATUSES = frozenset({400, 403, 404, 422})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def send_error(send: Send, error: ApiError, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(error.envelope(), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """`max_body` for every request but the paths in `larger` (a file upload), which get their own."""

    def __init__(
        self, app: ASGIApp, max_body: int = MAX_BODY, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_body = self.larger.get(scope.get("path", ""), self.max_body)
        too_large = ApiError(
            413, "payload_too_large", f"The request body is over {max_body // 1024} KiB."
        )
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > max_body:
            await send_error(send, too_large, [(b"connection", b"close")])
            return
        # Chunked bodies have no length up front: buffer and count.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                await send_error(send, too_large, [(b"connection", b"close")])
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay_body(b"".join(chunks), receive), send)


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    return receive


def _replay_body(body: bytes, downstream: Receive) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await downstream()

    return receive


class RateLimitMiddleware:
    """Limits each authenticated agent by id and failed authentication by client address.

    Keying by the bearer string would give every made-up token a fresh bucket (and a flood of
    them unbounded memory); an agent's tokens share one budget, and guesses share their
    address's, much smaller one. A valid token is never limited by its address, so agents
    behind one NAT aren't locked out by a neighbour guessing tokens.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: Limiter | None,
        service: Service | None = None,
        failures: Limiter | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.service = service
        self.failures = failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limiter is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = bearer(_header(scope, b"authorization"))
        caller = self._authenticate(scope, token)
        if caller is not None:
            wait = self.limiter.acquire(caller.id)
        elif self.failures is None:
            wait = 0.0
        elif token is not None:  # an unknown token is a failed authentication already
            wait = self.failures.acquire(client_address_key(scope.get("client")))
        else:
            # No token: an open endpoint, or a 401 that is charged once it is known.
            await self._anonymous(scope, receive, send, self.failures)
            return
        if wait > 0:
            await _rate_limited(send, self.limiter.retry_after(wait))
            return
        await self.app(scope, receive, send)

    def _authenticate(self, scope: Scope, token: str | None) -> AgentRecord | None:
        if token is None or self.service is None:
            return None
        try:
            caller = self.service.authenticate(token)  # one indexed read, fine on the loop
        except ApiError:
            return None
        remember_caller(scope, token, caller)
        return caller

    async def _anonymous(self, scope: Scope, receive: Receive, send: Send, failures: Limiter) -> None:
        address = client_address_key(scope.get("client"))
        wait = failures.peek(address)
        if wait > 0:
            await _rate_limited(send, failures.retry_after(wait))
            return

        async def charge_401(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                failures.acquire(address)
            await send(message)

        await self.app(scope, receive, charge_401)


async def _rate_limited(send: Send, retry: int) -> None:
    error = ApiError(429, "rate_limited", f"Too many requests; retry in {retry} s.", {"retry_after": retry})
    await send_error(send, error, [(b"retry-after", str(retry).encode())])


class IdempotencyMiddleware:
    """Replays, refuses or runs a keyed POST; see `server/idempotency.py` for the commit side."""

    def __init__(self, app: ASGIApp, service: Service, lease: timedelta = IDEMPOTENCY_LEASE) -> None:
        self.app = app
        self.service = service
        self.lease = lease

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            msg = f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} characters."
            await send_error(
                send,
                ApiError(422, "validation_error", msg, [{"loc": ["header", "Idempotency-Key"], "msg": msg}]),
            )
            return
        token = bearer(_header(scope, b"authorization"))
        if token is None:  # the handler answers 401; nothing to remember
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        digest = hashlib.sha256(scope["path"].encode() + b"\0" + body).hexdigest()
        # One thread hop for both reads: each hop is a GIL hand-off with the event loop.
        begun = await anyio.to_thread.run_sync(self._begin, token, key, digest)
        if begun is None:  # unknown token: the handler answers 401; nothing to remember
            await self.app(scope, _replay_body(body, receive), send)
            return
        caller, outcome = begun
        store = self.service.store
        if outcome.kind == "mismatch":
            await send_error(
                send,
                ApiError(
                    422,
                    "idempotency_mismatch",
                    "This Idempotency-Key was used with a different request body.",
                    [{"loc": ["header", "Idempotency-Key"], "msg": "key reused with a different body"}],
                ),
            )
            return
        if outcome.kind == "in_flight":
            retry = str(max(1, math.ceil(outcome.retry_after)))
            await send_error(
                send,
                ApiError(
                    409,
                    "idempotency_in_flight",
                    "A request with this Idempotency-Key is still running.",
                ),
                [(b"retry-after", retry.encode())],
            )
            return
        if outcome.kind == "replay":
            await send(
                {
                    "type": "http.response.start",
                    "status": outcome.status,
                    "headers": [
                        (b"content-type", outcome.content_type.encode()),
                        (b"content-length", str(len(outcome.body)).encode()),
                        (b"idempotent-replayed", b"true"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": outcome.body})
            return
        captured: dict[str, Any] = {"status": 500, "content_type": "application/json", "body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if bytes(name).lower() == b"content-type":
                        captured["content_type"] = bytes(value).decode("latin-1")
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            await send(message)

        attempt = Attempt(caller.id, key, outcome.attempt)
        token_ = CURRENT.set(attempt)
        finished = False
        try:
            await self.app(scope, _replay_body(body, receive), capture)
            status = int(captured["status"])
            if attempt.sealed:  # the effect committed together with its record
                finished = True
            elif 200 <= status < 300 or status in STORED_STATUSES:
                # No effect to commit with (a refusal): remember the answer now.
                await anyio.to_thread.run_sync(
                    store.idempotency_finish,
                    caller.id,
                    key,
                    attempt.attempt,
                    status,
                    b"".join(captured["body"]),
                    str(captured["content_type"]),
                )
                finished = True
        finally:
            CURRENT.reset(token_)
            if not finished:
                await anyio.to_thread.run_sync(store.idempotency_release, caller.id, key, attempt.attempt)

    def _begin(self, token: str, key: str, digest: str) -> tuple[AgentRecord, IdempotencyOutcome] | None:
        try:
            caller = self.service.authenticate(token)
        except ApiError:
            return None
        outcome = self.service.store.idempotency_begin(
            caller.id, key, digest, self.service.now(), IDEMPOTENCY_KEEP, self.lease
        )
        return caller, outcome


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
