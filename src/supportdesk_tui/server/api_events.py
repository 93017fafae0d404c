"""`GET /api/v1/events`: the Server-Sent Events stream."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from supportdesk_tui.api.models import EventType
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep
from supportdesk_tui.server.events import KEEPALIVE, EventBus, format_event
from supportdesk_tui.server.records import AgentRecord
from supportdesk_tui.server.service import Service

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["events"])
REPLAY_BATCH = 500


def _event(kind: EventType, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "properties": {
            "event": {"const": kind.value},
            "data": {"contentMediaType": "application/json", "contentSchema": data},
        }
    }


def _with_queue(key: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["ticket_id", "queue", key],
        "properties": {"ticket_id": {"type": "integer"}, "queue": {"type": "string"}, key: value},
    }


_TICKET = {"$ref": "#/components/schemas/Ticket"}
# Open API 3.1 has a `text/event-stream` schema describe one event: its fields as strings, `data`
# one line of JSON whose shape depends on `event` (docs/api/contract.md, "Event stream").
SSE_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "event": {"type": "string", "enum": [kind.value for kind in EventType]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
    "oneOf": [
        _event(EventType.TICKET_CREATED, _TICKET),
        _event(EventType.TICKET_UPDATED, _TICKET),
        _event(EventType.MESSAGE_CREATED, _with_queue("message", {"$ref": "#/components/schemas/Message"})),
        _event(EventType.PRESENCE_CHANGED, _with_queue("presence", {"type": "array"})),
        _event(
            EventType.QUEUE_COUNTS,
            {"type": "object", "required": ["queues"], "properties": {"queues": {"type": "array"}}},
        ),
        _event(EventType.ESCALATION_UPDATED, {"$ref": "#/components/schemas/Escalation"}),
        _event(EventType.RESET, {"type": "object", "maxProperties": 0}),
    ],
}
SSE_RESPONSE = {
    200: {
        "description": (
            "`text/event-stream`: per event an `id`, an `event` (its type) and one line of JSON `data`; "
            "comment lines (`: keep-alive`) in between."
        ),
        "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
    }
}


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses=SSE_RESPONSE,  # type: ignore[arg-type]
    summary="Live events (SSE); resume with Last-Event-ID",
)
async def events(
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
    body = _stream(service, bus, caller, resume)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


async def _stream(
    service: Service, bus: EventBus, caller: AgentRecord, resume: int | None
) -> AsyncIterator[bytes]:
    # Subscribe before reading the backlog so nothing committed in between is lost;
    # live events already replayed are skipped by id.
    visible = service.visible_queues(caller)
    sub = bus.subscribe(None if visible is None else frozenset(visible))
    queue = sub.queue
    frame_for = service.frame_filter(caller)
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
                    replayed: list[bytes] = []
                    for event in batch:
                        cursor = event.id
                        frame = frame_for(event)
                        if frame is not None:
                            replayed.append(frame)
                    if replayed:
                        yield b"".join(replayed)
                    if len(batch) < REPLAY_BATCH:
                        break
        while True:
            # A commit's events arrive together: take all that are queued and write them as one
            # chunk (one send through the ASGI stack instead of one per event).
            pending = [await queue.get()]
            while not queue.empty():
                pending.append(queue.get_nowait())
            frames: list[bytes] = []
            ended = False
            for live in pending:
                if live is None:  # dropped as too slow, or the server is stopping
                    ended = True
                    break
                if live is KEEPALIVE:
                    frames.append(b": keep-alive\n\n")
                    continue
                if live.id <= cursor:
                    continue
                cursor = live.id
                frame = frame_for(live)
                if frame is not None:
                    frames.append(frame)
            if frames:
                yield b"".join(frames)
            if ended:
                return
    finally:
        bus.unsubscribe(sub)
