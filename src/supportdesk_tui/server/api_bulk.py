"""Routes for bulk work on tickets: the ids a selection holds, and merging duplicates."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response

from supportdesk_tui.contract.models import (
    MAX_MERGE,
    MAX_SELECTION,
    Language,
    Priority,
    Status,
    TicketMerge,
    TicketsMerged,
    TicketStamps,
)
from supportdesk_tui.server.api_tickets import (
    NAME_QUERY_MAX,
    TEXT_QUERY_MAX,
    enum_list_query,
    ticket_query,
)
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep, run_post_hook
from supportdesk_tui.server.idempotency import effect_response
from supportdesk_tui.server.merge import matching_stamps, merge_tickets

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get(
    "/ticket-ids",
    response_model=TicketStamps,
    tags=["tickets"],
    summary="Ids and versions of every ticket matching the filters",
    description=(
        "The same filters as `GET /tickets` (no sort, no pages): what \"select all that match\" "
        f"acts on, without reading the tickets. At most {MAX_SELECTION}, oldest first; `total` "
        "counts them all."
    ),
)
async def list_ticket_ids(
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
    q: Annotated[str | None, Query(max_length=TEXT_QUERY_MAX, description="As in `GET /tickets`.")] = None,
    requester: Annotated[
        str | None, Query(max_length=NAME_QUERY_MAX, description="Requester account id.")
    ] = None,
) -> TicketStamps:
    query = ticket_query(service, caller, queue=queue, status=status, priority=priority, language=language,
                         assignee=assignee, tag=tag, q=q, requester=requester)
    return await anyio.to_thread.run_sync(matching_stamps, service, caller, query)


@router.post(
    "/ticket-merges",
    response_model=TicketsMerged,
    status_code=200,
    tags=["tickets"],
    summary="Merge duplicate tickets of one customer into one",
    description=(
        f"2..{MAX_MERGE} tickets of the same customer, each with the version the caller saw "
        "(`412` with the current ticket when one changed). In one transaction the duplicates' "
        "messages move to the survivor (the oldest unless `survivor_id` says otherwise) and each "
        "duplicate is closed with an internal note naming it; only notes are written, so the "
        "customer is not told twice. Leads, and agents of every ticket's queue; others get `403`. "
        "Tickets of different customers: `422 different_customers`. Send an `Idempotency-Key` to "
        "retry safely."
    ),
)
async def merge(request: Request, body: TicketMerge, service: ServiceDep, caller: CallerDep) -> Response:
    def work() -> Response:
        run_post_hook(request)
        return effect_response(
            service.store, TicketsMerged, 200, lambda: merge_tickets(service, caller, body)
        )

    return await anyio.to_thread.run_sync(work)
