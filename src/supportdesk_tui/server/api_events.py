"""`GET /api/v1/events`: the Server-Sent Events stream."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from supportdesk_tui.api.models import EventType
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep
from supportdesk_tui.server.events import EventBus, format_event
from supportdesk_tui.server.records import AgentRecord
from supportdesk_tui.server.service import Service

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["events"])
REPLAY_BATCH = 500

SSE_RESPONSE = {
    200: {
        "description": "`text/event-stream`: `id`, `event` and one-line JSON `data` per event.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses=SSE_RESPONSE,  # type: ignore[arg-type]
    summary="Live events (SSE); resume with Last-Event-ID",
)
def events(
    request: Request,
    service: ServiceDep,
    caller: CallerDep,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> StreamingResponse:
    service.ensure_reader(caller)
    resume = last_event_id
    if resume is None and last_event_id_header is not None and last_event_id_header.strip().isdigit():
        resume = min(int(last_event_id_header.strip()), 2**62)
    bus: EventBus = request.app.state.bus
    keepalive: float = request.app.state.keepalive_seconds
    body = _stream(service, bus, caller, resume, keepalive)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


async def _stream(
    service: Service, bus: EventBus, caller: AgentRecord, resume: int | None, keepalive: float
) -> AsyncIterator[bytes]:
    # Subscribe before reading the backlog so nothing committed in between is lost;
    # live events already replayed are skipped by id.
    sub = bus.subscribe()
    try:
        yield b": connected\n\n"
        cursor = 0
        if resume is not None:
            oldest, last = await anyio.to_thread.run_sync(service.store.event_bounds)
            if resume > last or (oldest is not None and resume < oldest - 1):
                yield format_event(last, EventType.RESET.value, "{}")
                cursor = last
            else:
                cursor = resume
                while True:
                    batch = await anyio.to_thread.run_sync(service.store.events_after, cursor, REPLAY_BATCH)
                    for event in batch:
                        cursor = event.id
                        data = service.event_visible(caller, event)
                        if data is not None:
                            yield format_event(event.id, event.type, data)
                    if len(batch) < REPLAY_BATCH:
                        break
        while True:
            try:
                live = await asyncio.wait_for(sub.queue.get(), timeout=keepalive)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if live is None:  # dropped as too slow, or the server is stopping
                return
            if live.id <= cursor:
                continue
            cursor = live.id
            data = service.event_visible(caller, live)
            if data is not None:
                yield format_event(live.id, live.type, data)
    finally:
        bus.unsubscribe(sub)
