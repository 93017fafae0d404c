"""Routes for engineering escalations and the component list."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from supportdesk_tui.contract.models import (
    Component,
    Escalation,
    EscalationCreate,
    EscalationLinkRequest,
    EscalationLinkResult,
    EscalationPatch,
    EscalationStatus,
    SuggestedTicket,
    Ticket,
)
from supportdesk_tui.server import incidents
from supportdesk_tui.server.api_tickets import TicketId, enum_list, enum_list_query
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep, run_post_hook
from supportdesk_tui.server.idempotency import effect_response
from supportdesk_tui.server.schemas import DataList

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES, tags=["escalations"])
EscalationKey = Annotated[str, Path(max_length=32, description="e.g. ENG-1001")]


@router.get("/components", response_model=DataList[Component], summary="Engineering components")
def list_components(service: ServiceDep, caller: CallerDep) -> DataList[Component]:
    return DataList[Component](data=service.components(caller))


@router.post(
    "/tickets/{ticket_id}/escalations",
    response_model=Escalation,
    status_code=201,
    summary="Escalate a ticket to engineering",
)
def create_escalation(
    request: Request, ticket_id: TicketId, body: EscalationCreate, service: ServiceDep, caller: CallerDep
) -> Response:
    run_post_hook(request)
    return effect_response(
        service.store, Escalation, 201, lambda: service.create_escalation(caller, ticket_id, body)
    )


@router.get("/escalations", response_model=DataList[Escalation], summary="All escalations (lead only)")
def list_escalations(
    service: ServiceDep,
    caller: CallerDep,
    status: Annotated[str | None, enum_list_query(EscalationStatus, "escalation statuses")] = None,
) -> DataList[Escalation]:
    statuses = enum_list(EscalationStatus, status, "status")
    return DataList[Escalation](data=service.list_escalations(caller, statuses))


@router.get("/escalations/{key}", response_model=Escalation, summary="One escalation")
def get_escalation(key: EscalationKey, service: ServiceDep, caller: CallerDep) -> Escalation:
    return service.get_escalation(caller, key)


@router.patch("/escalations/{key}", response_model=Escalation, summary="Move an escalation along")
def patch_escalation(
    key: EscalationKey, body: EscalationPatch, service: ServiceDep, caller: CallerDep
) -> Escalation:
    return service.patch_escalation(caller, key, body)


@router.post(
    "/escalations/{key}/links",
    response_model=EscalationLinkResult,
    summary="Link tickets to an escalation (an incident: one bug, many customers)",
    description="Each named ticket the caller may see is linked, unless it already is (to this escalation "
    "or another one: `skipped` says which). Unknown or invisible tickets are skipped as `not_found`. "
    "Linking to a `fixed` escalation marks the ticket as needing a reply. "
    "Emits `ticket.updated` per linked ticket and one `escalation.updated` with the new counts.",
)
def link_tickets(
    request: Request, key: EscalationKey, body: EscalationLinkRequest, service: ServiceDep, caller: CallerDep
) -> Response:
    run_post_hook(request)
    return effect_response(
        service.store, EscalationLinkResult, 200, lambda: incidents.link_tickets(service, caller, key, body)
    )


@router.get(
    "/escalations/{key}/tickets",
    response_model=DataList[Ticket],
    summary="The tickets linked to an escalation that the caller may see",
)
def linked_tickets(key: EscalationKey, service: ServiceDep, caller: CallerDep) -> DataList[Ticket]:
    return DataList[Ticket](data=incidents.linked_tickets(service, caller, key))


@router.get(
    "/escalations/{key}/suggestions",
    response_model=DataList[SuggestedTicket],
    summary="Recent unlinked tickets that look like the same bug (nothing is linked by this)",
    description="Open tickets of the last 24 hours linked to no escalation, whose category is the "
    "escalation's component or which share key words with its summary; best matches first.",
)
def suggested_tickets(
    key: EscalationKey, service: ServiceDep, caller: CallerDep
) -> DataList[SuggestedTicket]:
    return DataList[SuggestedTicket](data=incidents.suggestions(service, caller, key))
