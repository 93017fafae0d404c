"""Routes for account playbooks, a ticket's audit trail, account actions and help articles."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from supportdesk_tui.contract.models import (
    AccountActionRequest,
    AccountActionResult,
    Article,
    AuditCreate,
    AuditEntry,
    Language,
    Playbook,
)
from supportdesk_tui.server.accounts import AccountDesk
from supportdesk_tui.server.api_tickets import TicketId
from supportdesk_tui.server.articles_data import search_articles
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep, run_post_hook
from supportdesk_tui.server.idempotency import effect_response
from supportdesk_tui.server.schemas import DataList

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/playbooks", response_model=DataList[Playbook], tags=["accounts"], summary="Account playbooks")
def playbooks(service: ServiceDep, caller: CallerDep) -> DataList[Playbook]:
    return DataList[Playbook](data=AccountDesk(service).playbooks(caller))


@router.get(
    "/tickets/{ticket_id}/audit",
    response_model=DataList[AuditEntry],
    tags=["accounts"],
    summary="The ticket's audit trail, oldest first",
)
def list_audit(ticket_id: TicketId, service: ServiceDep, caller: CallerDep) -> DataList[AuditEntry]:
    return DataList[AuditEntry](data=AccountDesk(service).audit(caller, ticket_id))


@router.post(
    "/tickets/{ticket_id}/audit",
    response_model=AuditEntry,
    status_code=201,
    tags=["accounts"],
    summary="Record a completed playbook step or a revealed secret (names only, never values)",
)
def post_audit(
    request: Request, ticket_id: TicketId, body: AuditCreate, service: ServiceDep, caller: CallerDep
) -> Response:
    run_post_hook(request)
    return effect_response(
        service.store, AuditEntry, 201, lambda: AccountDesk(service).record(caller, ticket_id, body)
    )


@router.post(
    "/tickets/{ticket_id}/account-actions",
    response_model=AccountActionResult,
    tags=["accounts"],
    summary="Change the requester's account once the playbook's verification steps are recorded",
)
def post_account_action(
    request: Request,
    ticket_id: TicketId,
    body: AccountActionRequest,
    service: ServiceDep,
    caller: CallerDep,
) -> Response:
    run_post_hook(request)
    desk = AccountDesk(service)
    return effect_response(
        service.store, AccountActionResult, 200, lambda: desk.act(caller, ticket_id, body.action)
    )


@router.get("/articles", response_model=DataList[Article], tags=["articles"], summary="Help articles")
def articles(
    service: ServiceDep,
    caller: CallerDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words to find in title/summary/tags.")
    ] = None,
    lang: Language | None = None,
) -> DataList[Article]:
    service.ensure_reader(caller)
    return DataList[Article](data=search_articles(q, lang))
