"""`GET /api/v1/events`: the Server-Sent Events stream."""

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from supportdesk_tui.contract.models import EventType
from supportdesk_tui.server.auth import bearer, hash_token
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep
from supportdesk_tui.server.errors import invalid
from supportdesk_tui.server.events import KEEPALIVE, RECHECK, EventBus, format_event
from supportdesk_tui.server.records import StoredEvent
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.stream_access import StreamAccess

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


# Fifteen digits: a bound a pattern can state exactly, so the document and the server agree on
# every header value (no event stream gets near it: 10**15 events is 30,000 years at 1,000/s).
MAX_EVENT_ID = 10**15 - 1
EVENT_ID_PATTERN = r"^[0-9]{1,15}$"
EVENT_ID = re.compile(EVENT_ID_PATTERN)


def parse_last_event_id(raw: str) -> int:
    """The header holds what the query parameter holds, and garbage is refused the same way:
    ignoring it would silently skip the replay (and the `reset`) the client is counting on."""
    if not EVENT_ID.fullmatch(raw) or int(raw) > MAX_EVENT_ID:
        msg = f"Last-Event-ID must be an event id from 0 to {MAX_EVENT_ID}."
        raise invalid(["header", "Last-Event-ID"], msg)
    return int(raw)


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
    last_event_id_header: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="The id of the last event seen: replay what came after it.",
            json_schema_extra={"type": "string", "pattern": EVENT_ID_PATTERN},
        ),
    ] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=MAX_EVENT_ID)] = None,
) -> StreamingResponse:
    service.ensure_reader(caller)
    header_id = None if last_event_id_header is None else parse_last_event_id(last_event_id_header)
    resume = last_event_id if last_event_id is not None else header_id
    bus: EventBus = request.app.state.bus
    body = _stream(service, bus, _token_hash(request), resume)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


def _token_hash(request: Request) -> str:
    # The stream re-checks this token while it is open; the caller record alone can't say whether
    # the token that authenticated it still works.
    token = bearer(request.headers.get("authorization"))
    return "" if token is None else hash_token(token)


async def _stream(
    service: Service, bus: EventBus, token_hash: str, resume: int | None
) -> AsyncIterator[bytes]:
    # Every chunk is judged by the permissions of the newest auth epoch the bus knows, which is at
    # least that of the chunk's events: a revoked token's stream ends, a re-scoped one's narrows.
    access = StreamAccess(service, token_hash)
    if not access.refresh(bus.auth_epoch):
        return
    # Subscribe before reading the backlog so nothing committed in between is lost;
    # live events already replayed are skipped by id.
    sub = bus.subscribe(access.queues)
    queue = sub.queue
    try:
        cursor = 0
        if resume is None:
            # Tell the client where its stream starts (an `id:` field with no data sets the SSE
            # last-event id without an event): a stream that drops before its first event then
            # resumes from here, on this instance or another, instead of from nowhere.
            cursor = (await anyio.to_thread.run_sync(service.store.event_bounds))[1]
            yield f"id: {cursor}\n: connected\n\n".encode()
        else:
            yield b": connected\n\n"
        if resume is not None:
            oldest, last = await anyio.to_thread.run_sync(service.store.event_bounds)
            if resume > last or (oldest is not None and resume < oldest - 1):
                yield format_event(last, EventType.RESET.value, "{}")
                cursor = last
            else:
                cursor = resume
                while True:
                    batch, epoch = await anyio.to_thread.run_sync(_replay_batch, service, cursor)
                    bus.observe_auth_epoch(epoch)
                    if not access.refresh(bus.auth_epoch):
                        return
                    sub.queues = access.queues
                    replayed: list[bytes] = []
                    for event in batch:
                        cursor = event.id
                        frame = access.frame(event)
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
            if not access.refresh(bus.auth_epoch):
                return
            sub.queues = access.queues
            frames: list[bytes] = []
            ended = False
            for live in pending:
                if live is None:  # dropped as too slow, or the server is stopping
                    ended = True
                    break
                if live is KEEPALIVE:
                    frames.append(b": keep-alive\n\n")
                    continue
                if live is RECHECK or live.id <= cursor:
                    continue
                cursor = live.id
                frame = access.frame(live)
                if frame is not None:
                    frames.append(frame)
            if frames:
                yield b"".join(frames)
            if ended:
                return
    finally:
        bus.unsubscribe(sub)


def _replay_batch(service: Service, cursor: int) -> tuple[list[StoredEvent], int]:
    # The epoch is read after the events, so it covers every change committed before them.
    batch = service.store.events_after(cursor, REPLAY_BATCH)
    return batch, service.store.auth_epoch()
