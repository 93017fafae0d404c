"""Health, the caller, queues and canned replies."""

from fastapi import APIRouter

from supportdesk_tui import __version__
from supportdesk_tui.contract.models import AssignableAgent, CannedReply, Health, Me, Queue
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep
from supportdesk_tui.server.schemas import DataList

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health, tags=["meta"], summary="Liveness (no auth)")
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/me", response_model=Me, tags=["meta"], summary="Who the token belongs to")
def me(service: ServiceDep, caller: CallerDep) -> Me:
    return service.me(caller)


@router.get(
    "/agents",
    response_model=DataList[AssignableAgent],
    tags=["meta"],
    summary="Whom the caller may assign tickets to",
    description="A shift lead: every agent and lead, with the queues each works (a ticket can be "
    "assigned only to someone working its queue). An agent: only themselves, the one assignee an "
    "agent may set. Intake: `403`.",
)
def agents(service: ServiceDep, caller: CallerDep) -> DataList[AssignableAgent]:
    return DataList[AssignableAgent](data=service.assignable_agents(caller))


@router.get(
    "/queues", response_model=DataList[Queue], tags=["queues"], summary="Visible queues with live counts"
)
def queues(service: ServiceDep, caller: CallerDep) -> DataList[Queue]:
    return DataList[Queue](data=service.queues(caller))


@router.get(
    "/canned-replies", response_model=DataList[CannedReply], tags=["canned"], summary="Canned replies"
)
def canned_replies(service: ServiceDep, caller: CallerDep) -> DataList[CannedReply]:
    return DataList[CannedReply](data=service.canned_replies(caller))
