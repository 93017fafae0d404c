"""The route that reads a ticket's history (see server/history.py for what is recorded)."""

from fastapi import APIRouter

from supportdesk_tui.contract.models import HistoryEntry
from supportdesk_tui.server.api_tickets import TicketId
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep
from supportdesk_tui.server.errors import not_found
from supportdesk_tui.server.schemas import DataList

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get(
    "/tickets/{ticket_id}/history",
    response_model=DataList[HistoryEntry],
    tags=["tickets"],
    summary="Every change to the ticket (status, priority, tags, assignee, queue, escalation, merges, "
    "account actions) with who and when, oldest first",
    description="Agents read the history of tickets in their queues, leads of any ticket; the intake "
    "channel reads none. A ticket the caller may not see is answered 404, like one that does not exist.",
)
def ticket_history(ticket_id: TicketId, service: ServiceDep, caller: CallerDep) -> DataList[HistoryEntry]:
    service.ensure_reader(caller)
    queue = service.store.ticket_queue(ticket_id)
    if queue is None or not service.can_see(caller, queue):
        raise not_found()
    return DataList[HistoryEntry](data=service.store.list_history(ticket_id))
