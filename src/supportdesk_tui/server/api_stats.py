"""Lead-only statistics routes."""

from typing import Annotated

from fastapi import APIRouter, Query

from supportdesk_tui.contract.models import LiveStats, StatsHistory
from supportdesk_tui.server import stats
from supportdesk_tui.server.deps import ERROR_RESPONSES, CallerDep, ServiceDep

router = APIRouter(prefix="/api/v1/stats", responses=ERROR_RESPONSES, tags=["stats"])


@router.get("/live", response_model=LiveStats, summary="Live counts and agent activity (lead only)")
def live(service: ServiceDep, caller: CallerDep) -> LiveStats:
    service.ensure_lead(caller)
    return stats.live_stats(service)


@router.get("/history", response_model=StatsHistory, summary="Per-minute history per queue (lead only)")
def history(
    service: ServiceDep,
    caller: CallerDep,
    window: Annotated[int, Query(ge=60, le=43200, description="Seconds of history.")] = 3600,
) -> StatsHistory:
    service.ensure_lead(caller)
    return stats.history(service, window)
