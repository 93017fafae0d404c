"""`create_app`: wires the store, the service, middleware, routes and background jobs."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from supportdesk_tui import __version__
from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import ATTACHMENT_MAX_BYTES, NO_NUL
from supportdesk_tui.contract.stream import STREAM_KEEPALIVE_SECONDS
from supportdesk_tui.server import (
    api_accounts,
    api_attachments,
    api_bulk,
    api_counts,
    api_escalations,
    api_events,
    api_history,
    api_misc,
    api_stats,
    api_tickets,
)
from supportdesk_tui.server.attachments import AttachmentDesk
from supportdesk_tui.server.background import Background, Intervals
from supportdesk_tui.server.cluster import Cluster
from supportdesk_tui.server.deps import reject_unknown_query, require_json_body
from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.events import EventBus
from supportdesk_tui.server.middleware import (
    IDEMPOTENCY_LEASE,
    MAX_BODY,
    BodyLimitMiddleware,
    IdempotencyMiddleware,
    RateLimitMiddleware,
)
from supportdesk_tui.server.nul_text import NulTextMiddleware
from supportdesk_tui.server.pagination import CursorCodec
from supportdesk_tui.server.ratelimit import AUTH_FAILURE_LIMIT, RateLimit
from supportdesk_tui.server.request_log import REQUEST_ID_HEADER, RequestLogMiddleware, request_id_of
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.storage.engine import TextRefused
from supportdesk_tui.server.store import Store

log = logging.getLogger("supportdesk.server")
OPENAPI_PATH = "/api/v1/openapi.json"
DEFAULT_RATE_LIMIT = RateLimit(rate=50.0, burst=200)
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
BackgroundJob = Callable[[Service], Callable[[], Coroutine[Any, Any, None]]]
DEFAULT_INTERVALS = Intervals()


def _no_telemetry() -> dict[str, Any]:
    """FastAPI's built-in OpenTelemetry off: this server configures no provider, yet recent
    FastAPI versions look the providers up on every request (older ones have no such option)."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}}


def _error(status: int, code: str, message: str, details: Any = None, **headers: str) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers or None)


NUL_REFUSED = "Text must not contain NUL characters (U+0000)."


def _message_of(err: Any) -> str:
    # The contract's no-NUL pattern reads as a regex to a person; say what it means.
    if err.get("type") == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") == NO_NUL:
        return NUL_REFUSED
    return str(err["msg"])


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(part) if not isinstance(part, int) else part for part in err.get("loc", ())],
            "msg": _message_of(err),
        }
        for err in exc.errors()
    ]


def _missing_if_match(err: Any) -> bool:
    return bool(err.get("type") == "missing" and tuple(err.get("loc", ())) == ("header", "If-Match"))


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return _error(400, "bad_request", "The request body is not valid JSON.")
        if any(_missing_if_match(err) for err in exc.errors()):
            # The document marks If-Match required; RFC 6585 names the answer to its absence.
            return _error(428, "precondition_required", 'PATCH needs an If-Match: "<version>" header.')
        return _error(422, "validation_error", "The request is not valid.", _validation_details(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = "No such endpoint." if exc.status_code == 404 else str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette lists only the first matching route's methods; a path served by
            # several routes (GET and PATCH /tickets/{id}) must list them all.
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return _error(exc.status_code, code, message, None, **headers)

    # Last lines of defence for values the request models let through. The driver's and the
    # interpreter's own words ("Python int too large to convert to SQLite INTEGER", codec
    # positions) describe our internals, so the answer carries only ours.
    @app.exception_handler(OverflowError)
    async def overflow(_: Request, exc: OverflowError) -> JSONResponse:
        # An id too large for the database can't name anything that exists.
        msg = "A number is out of range."
        return _error(422, "validation_error", msg, [{"loc": ["body"], "msg": msg}])

    @app.exception_handler(TextRefused)
    async def nul_text(_: Request, exc: TextRefused) -> JSONResponse:
        return _error(422, "validation_error", exc.MESSAGE, [{"loc": ["body"], "msg": exc.MESSAGE}])

    @app.exception_handler(UnicodeEncodeError)
    async def bad_text(_: Request, exc: UnicodeEncodeError) -> JSONResponse:
        msg = "Text is not valid Unicode (a lone surrogate?)."
        return _error(422, "validation_error", msg, [{"loc": ["body"], "msg": msg}])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        # Starlette answers this one outside every middleware, the request log's included.
        request_id = request_id_of(request.scope)
        headers = {} if request_id is None else {REQUEST_ID_HEADER: request_id}
        return _error(500, "internal_error", "Something went wrong on the server.", **headers)


def create_app(
    store: Store,
    *,
    clock: Clock = utc_now,
    rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
    auth_failure_limit: RateLimit | None = AUTH_FAILURE_LIMIT,
    keepalive_seconds: float = STREAM_KEEPALIVE_SECONDS,
    max_body: int = MAX_BODY,
    event_queue_size: int = 1000,
    intervals: Intervals = DEFAULT_INTERVALS,
    background: bool = True,
    jobs: list[BackgroundJob] | None = None,
    post_hook: Callable[[str], None] | None = None,
    idempotency_lease: float = IDEMPOTENCY_LEASE.total_seconds(),
    close_store: bool = False,
) -> FastAPI:
    """Build the API app.

    `jobs` are extra background coroutines (the traffic simulator); `post_hook`
    runs inside every POST handler, so tests can hold a request in flight;
    `idempotency_lease` is how many seconds a keyed POST holds its key before a
    retry may take it over (the holder may have crashed). `auth_failure_limit`
    budgets failed authentication per client address; it is off whenever `rate_limit` is.
    `close_store`: the app owns the store and closes it when it stops (the ASGI factory).
    """
    # On PostgreSQL, state several instances share lives in the database (see server/cluster.py).
    cluster = Cluster(store)
    service = Service(store, clock=clock, presence=cluster.presence(), seen=cluster.seen())
    bus = EventBus(max_queue=event_queue_size, keepalive=keepalive_seconds, auth_epoch=store.auth_epoch)
    limiter = None if rate_limit is None else cluster.limiter(rate_limit, "agent")
    failure_limit = None if rate_limit is None else auth_failure_limit
    failures = None if failure_limit is None else cluster.limiter(failure_limit, "auth-failures")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        bus.attach(asyncio.get_running_loop())
        await anyio.to_thread.run_sync(cluster.connect, bus)
        housekeeping = [*cluster.housekeeping(), AttachmentDesk(service).housekeeping]
        runner = Background(service, intervals, cluster.leader, housekeeping)
        if background:
            runner.start([job(service) for job in jobs or []])
        try:
            yield
        finally:
            await runner.stop()
            await anyio.to_thread.run_sync(cluster.disconnect)
            bus.detach()
            if close_store:
                store.close()

    app = FastAPI(
        title="SupportDesk ticket API",
        version=__version__,
        summary="The reference backend of SupportDesk TUI; see docs/api/contract.md.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query), Depends(require_json_body)],
        **_no_telemetry(),
    )
    app.state.service = service
    app.state.bus = bus
    app.state.cursors = CursorCodec(store.cursor_secret())
    app.state.post_hook = post_hook
    routes = (api_misc, api_tickets, api_counts, api_escalations, api_accounts, api_attachments, api_stats,
              api_events, api_bulk)
    for module in routes:
        app.include_router(module.router)
    app.include_router(api_history.router)

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    _install_error_handlers(app)
    # Added innermost first: rate limit runs before anything reads the body.
    app.add_middleware(IdempotencyMiddleware, service=service, lease=timedelta(seconds=idempotency_lease))
    app.add_middleware(NulTextMiddleware)
    # A file upload is the one body allowed past max_body (a file's own limit is checked by its route).
    upload_limit = max(max_body, ATTACHMENT_MAX_BYTES)
    larger = {api_attachments.UPLOAD_PATH: upload_limit}
    app.add_middleware(BodyLimitMiddleware, max_body=max_body, larger=larger)
    app.add_middleware(RateLimitMiddleware, limiter=limiter, service=service, failures=failures)
    app.add_middleware(RequestLogMiddleware)
    return app
