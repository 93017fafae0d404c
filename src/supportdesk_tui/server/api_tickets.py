"""Routes for tickets, their messages and presence.

The three reads every agent makes all day (a queue page, a ticket, its messages) are `async`
and answer from the event loop: they are a few indexed SQLite reads (WAL: never blocked by a
writer) and cached JSON, cheaper than the thread hop a sync route costs. A page with filters
may walk a whole queue to fill itself, so that one still runs in the thread pool, as do all
writes (they wait for the write lock). The writes are `async` routes that hand their
work to the pool themselves: a sync route costs a second hop to serialise its answer.
"""

import re
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query, Request, Response

from supportdesk_tui.contract.models import (
    MAX_ID,
    Language,
    Message,
    MessageCreate,
    MessagePosted,
    MessageReceipt,
    Page,
    PresenceUpdate,
    Priority,
    Status,
    Ticket,
    TicketCreate,
    TicketPatch,
    TicketReceipt,
    TicketSort,
)
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep, run_post_hook
from supportdesk_tui.server.errors import ApiError, invalid
from supportdesk_tui.server.idempotency import effect_response
from supportdesk_tui.server.jsonbody import json_response, page_body
from supportdesk_tui.server.pagination import CursorCodec, bad_cursor, clamp_page_size, next_link
from supportdesk_tui.server.receipts import message_receipt, ticket_receipt
from supportdesk_tui.server.records import AgentRecord, TicketQuery
from supportdesk_tui.server.service import Service

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="Ticket id.")]
PageSize = Annotated[int | None, Query(alias="page[size]", description="1..200, default 50 (clamped).")]
PageAfter = Annotated[str | None, Query(alias="page[after]", description="Opaque cursor from `links.next`.")]
E = TypeVar("E", bound=StrEnum)
ID_QUERY = re.compile(r"^#(\d{1,18})$")
# If-Match as the document describes it: the entity tag of one version (`parse_if_match` compares).
IF_MATCH_PATTERN = r'^(W/)?"[0-9]{1,18}"$'
NAME_QUERY_MAX = 64
TEXT_QUERY_MAX = 200


def enum_list_pattern(kind: type[StrEnum]) -> str:
    """The comma list of `kind` values as a JSON Schema pattern (empty means no filter)."""
    names = "|".join(re.escape(member.value) for member in kind)
    return f"^((?:{names})(?:,(?:{names}))*)?$"


def enum_list(kind: type[E], raw: str | None, name: str) -> tuple[E, ...]:
    """Parse a comma list exactly as `enum_list_pattern` documents it: no spaces, no empty items."""
    if raw is None:
        return ()
    # Searched like JSON Schema does, so `$` also allows one final newline.
    match = re.search(enum_list_pattern(kind), raw)
    if match is None:
        values = {m.value for m in kind}
        bad = next((part for part in raw.split(",") if part not in values), raw)
        allowed = ", ".join(m.value for m in kind)
        raise invalid(["query", name], f"{bad!r} is not one of: {allowed}.")
    text = match.group(1) or ""
    return tuple(kind(part) for part in text.split(",")) if text else ()


def enum_list_query(kind: type[StrEnum], what: str) -> Any:
    """The `Query` of a comma-list filter, documented with the pattern `enum_list` enforces."""
    return Query(description=f"Comma list of {what}.", json_schema_extra={"pattern": enum_list_pattern(kind)})


def etag_header(ticket: Ticket) -> dict[str, str]:
    return {"ETag": f'"{ticket.version}"'}


def _etag_of_readable(answer: Ticket | TicketReceipt) -> dict[str, str]:
    # A receipt names no version the caller could send back in If-Match.
    return etag_header(answer) if isinstance(answer, Ticket) else {}


def etag(response: Response, ticket: Ticket) -> Ticket:
    response.headers["ETag"] = f'"{ticket.version}"'
    return ticket


NEVER_MATCHES = -1  # no ticket has this version: the service answers 412 with the current ticket


def parse_if_match(raw: str | None) -> int:
    if raw is None:
        raise ApiError(428, "precondition_required", 'PATCH needs an If-Match: "<version>" header.')
    value = raw.strip()
    if re.search(IF_MATCH_PATTERN, value) is None:
        raise ApiError(400, "bad_request", 'If-Match must be "<version>".')
    # RFC 9110 §13.1.1: If-Match uses the strong comparison, and a weak tag never matches.
    if value.startswith("W/"):
        return NEVER_MATCHES
    return int(value.strip('"'))


def _may_scan(query: TicketQuery) -> bool:
    """Filters the per-queue index walk has to test row by row (only id and requester are indexed)."""
    return bool(
        query.text
        or query.tag
        or query.statuses
        or query.priorities
        or query.language
        or query.unassigned
        or query.assignee_id is not None
    )


def ticket_query(
    service: Service, caller: AgentRecord, *, queue: str | None, status: str | None, priority: str | None,
    language: Language | None, assignee: str | None, tag: str | None, q: str | None, requester: str | None,
    reverse: bool = False,
) -> TicketQuery:
    """The filters of `GET /tickets` (and of everything that takes the same ones) as one query."""
    assignee_id: int | None = None
    if assignee == "me":
        assignee_id = caller.id
    elif assignee and assignee != "none":
        assignee_id = service.agent_login_id(assignee) or -1
    ticket_id: int | None = None
    text = q.strip() if q else None
    if text and (match := ID_QUERY.match(text)):
        ticket_id, text = int(match.group(1)), None
    return TicketQuery(
        queues=None if queue is None else (queue,),
        statuses=enum_list(Status, status, "status"),
        priorities=enum_list(Priority, priority, "priority"),
        language=language,
        assignee_id=assignee_id,
        unassigned=assignee == "none",
        tag=tag.strip().lower() if tag else None,
        text=text or None,
        ticket_id=ticket_id,
        requester=requester,
        reverse=reverse,
    )


@router.get("/tickets", response_model=Page[Ticket], tags=["tickets"], summary="List tickets")
async def list_tickets(
    request: Request,
    service: ServiceDep,
    caller: CallerDep,
    queue: Annotated[str | None, Query(max_length=NAME_QUERY_MAX)] = None,
    status: Annotated[str | None, enum_list_query(Status, "statuses")] = None,
    priority: Annotated[str | None, enum_list_query(Priority, "priorities")] = None,
    language: Language | None = None,
    assignee: Annotated[
        str | None, Query(max_length=NAME_QUERY_MAX, description="`me`, `none`, or an agent login.")
    ] = None,
    tag: Annotated[str | None, Query(max_length=NAME_QUERY_MAX)] = None,
    q: Annotated[str | None, Query(max_length=TEXT_QUERY_MAX, description=(
        "Free text: a ticket matches when its subject or requester name/account id contains it, "
        "or when one of its messages (notes included) holds every word of it (full-text, see "
        "docs/query.md); `#id` finds one ticket."
    ))] = None,
    requester: Annotated[
        str | None, Query(max_length=NAME_QUERY_MAX, description="Requester account id.")
    ] = None,
    sort: TicketSort = TicketSort.SLA_DUE,
    reverse: Annotated[bool, Query(
        description="Read the same order from its end: the last ticket first; cursors continue backwards."
    )] = False,
    page_size: PageSize = None,
    page_after: PageAfter = None,
) -> Response:
    size = clamp_page_size(page_size)
    query = ticket_query(service, caller, queue=queue, status=status, priority=priority, language=language,
                         assignee=assignee, tag=tag, q=q, requester=requester, reverse=reverse)
    cursors: CursorCodec = request.app.state.cursors
    after = None if page_after is None else cursors.open_tickets(page_after, sort.value, reverse)
    try:
        if _may_scan(query):
            tickets, last_key = await anyio.to_thread.run_sync(
                service.list_tickets_json, caller, query, sort, after, size
            )
        else:
            tickets, last_key = service.list_tickets_json(caller, query, sort, after, size)
    except ValueError as exc:
        raise bad_cursor() from exc
    link = None
    if last_key is not None:
        token = cursors.tickets(sort.value, last_key, reverse)
        link = next_link(request.url.path, request.query_params.multi_items(), token)
    return json_response(page_body(tickets, last_key is not None, size, link))


@router.post(
    "/tickets",
    response_model=Ticket | TicketReceipt,
    status_code=201,
    tags=["tickets"],
    summary="Create a ticket",
    responses={201: {"description": (
        "The new `Ticket` (with its ETag) when the caller may read it; otherwise a `TicketReceipt` "
        "with only the ids: always for intake, and for an agent whose ticket is routed outside "
        "their queues."
    )}},
)
async def create_ticket(
    request: Request, body: TicketCreate, service: ServiceDep, caller: CallerDep
) -> Response:
    def shaped() -> Ticket | TicketReceipt:
        ticket = service.create_ticket(caller, body)
        return ticket if service.can_see(caller, ticket.queue) else ticket_receipt(ticket)

    def work() -> Response:
        run_post_hook(request)
        return effect_response(service.store, Ticket | TicketReceipt, 201, shaped, _etag_of_readable)

    return await anyio.to_thread.run_sync(work)


@router.get("/tickets/{ticket_id}", response_model=Ticket, tags=["tickets"], summary="Get a ticket")
async def get_ticket(ticket_id: TicketId, service: ServiceDep, caller: CallerDep) -> Response:
    version, body = service.get_ticket_json(caller, ticket_id)
    return json_response(body, {"ETag": f'"{version}"'})


@router.patch("/tickets/{ticket_id}", response_model=Ticket, tags=["tickets"], summary="Change a ticket")
async def patch_ticket(
    ticket_id: TicketId,
    body: TicketPatch,
    response: Response,
    service: ServiceDep,
    caller: CallerDep,
    # Required in the document; a request without it gets 428 (see the app's validation handler).
    if_match: Annotated[
        str,
        Header(
            alias="If-Match",
            description='`"<version>"`, the ETag of the ticket as last read.',
            json_schema_extra={"pattern": IF_MATCH_PATTERN},
        ),
    ],
) -> Ticket:
    service.ensure_reader(caller)
    expected = parse_if_match(if_match)
    ticket = await anyio.to_thread.run_sync(service.patch_ticket, caller, ticket_id, body, expected)
    return etag(response, ticket)


@router.get(
    "/tickets/{ticket_id}/messages", response_model=Page[Message], tags=["messages"], summary="List messages"
)
async def list_messages(
    request: Request,
    ticket_id: TicketId,
    service: ServiceDep,
    caller: CallerDep,
    order: Literal["asc", "desc"] = "asc",
    page_size: PageSize = None,
    page_after: PageAfter = None,
) -> Response:
    size = clamp_page_size(page_size)
    cursors: CursorCodec = request.app.state.cursors
    after = None if page_after is None else cursors.open_messages(page_after, ticket_id, order)
    messages, more = service.list_messages_json(caller, ticket_id, order == "desc", after, size)
    link = prev = None
    params = request.query_params.multi_items()
    if more and messages:
        cursor_text = cursors.messages(ticket_id, order, messages[-1][0])
        link = next_link(request.url.path, params, cursor_text)
    if after is not None and messages:
        # Back the other way from this page's first message: a client that dropped the messages
        # it read before (a long thread is held only near the view) reads them again from here.
        flipped = "asc" if order == "desc" else "desc"
        back = cursors.messages(ticket_id, flipped, messages[0][0])
        prev = next_link(request.url.path, [(k, v) for k, v in params if k != "order"] + [("order", flipped)],
                         back)
    return json_response(page_body([body for _, body in messages], more, size, link, prev))


@router.post(
    "/tickets/{ticket_id}/messages",
    response_model=MessagePosted | MessageReceipt,
    status_code=201,
    tags=["messages"],
    summary="Post a customer message, a reply or an internal note",
    responses={201: {"description": (
        "`MessagePosted` (the message and the ticket after it) for agents and leads; a "
        "`MessageReceipt` (ids and `reopened` only) for intake, which reads no ticket."
    )}},
)
async def post_message(
    request: Request, ticket_id: TicketId, body: MessageCreate, service: ServiceDep, caller: CallerDep
) -> Response:
    def shaped() -> MessagePosted | MessageReceipt:
        result = service.post_message(caller, ticket_id, body)
        readable = service.can_see(caller, result.posted.ticket.queue)
        return result.posted if readable else message_receipt(result)

    def work() -> Response:
        run_post_hook(request)
        return effect_response(service.store, MessagePosted | MessageReceipt, 201, shaped)

    return await anyio.to_thread.run_sync(work)


@router.put(
    "/tickets/{ticket_id}/presence",
    status_code=204,
    response_class=Response,
    tags=["presence"],
    summary="Say you are viewing or composing (renew every < 30 s)",
)
def put_presence(
    ticket_id: TicketId, body: PresenceUpdate, service: ServiceDep, caller: CallerDep
) -> Response:
    service.set_presence(caller, ticket_id, body.state)
    return Response(status_code=204)
