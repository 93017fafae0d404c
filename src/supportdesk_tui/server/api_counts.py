"""Counts of saved views: how many tickets match each of a list of filters, in one request.

The client's sidebar shows every saved view with its count and refreshes them all with one call
when the event stream says tickets changed; it never loads the tickets to count them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from supportdesk_tui.contract.models import TicketCounts, TicketCountsRequest, TicketFilter
from supportdesk_tui.server.api_tickets import ID_QUERY
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep, run_post_hook
from supportdesk_tui.server.idempotency import effect_response
from supportdesk_tui.server.records import AgentRecord, TicketQuery
from supportdesk_tui.server.service import Service

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["tickets"])


def ticket_query(service: Service, caller: AgentRecord, view: TicketFilter) -> TicketQuery:
    """The filter as `GET /tickets` would read the same parameters."""
    assignee_id: int | None = None
    if view.assignee == "me":
        assignee_id = caller.id
    elif view.assignee and view.assignee != "none":
        assignee_id = service.agent_login_id(view.assignee) or -1
    text = view.q.strip() if view.q else None
    ticket_id: int | None = None
    if text and (match := ID_QUERY.match(text)):
        ticket_id, text = int(match.group(1)), None
    return TicketQuery(
        queues=None if view.queue is None else (view.queue,),
        statuses=tuple(dict.fromkeys(view.status)),
        priorities=tuple(dict.fromkeys(view.priority)),
        language=view.language,
        assignee_id=assignee_id,
        unassigned=view.assignee == "none",
        tag=view.tag.strip().lower() if view.tag else None,
        text=text or None,
        ticket_id=ticket_id,
    )


def count_views(service: Service, caller: AgentRecord, body: TicketCountsRequest) -> TicketCounts:
    service.ensure_reader(caller)
    return TicketCounts(counts=[service.count_tickets(caller, ticket_query(service, caller, view))
                                for view in body.filters])


@router.post(
    "/ticket-counts",
    response_model=TicketCounts,
    summary="How many tickets match each of several filters (saved views), in one request",
    description="Each filter takes the filters of `GET /tickets` as an object; the counts cover only "
    "the tickets the caller may see, in the order of `filters`. A read: nothing is written.",
)
def ticket_counts(
    request: Request, body: TicketCountsRequest, service: ServiceDep, caller: CallerDep
) -> Response:
    run_post_hook(request)
    return effect_response(service.store, TicketCounts, 200, lambda: count_views(service, caller, body))
