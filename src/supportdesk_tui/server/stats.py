"""Lead statistics: live counts by queue/language/priority, agent activity, history points."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from supportdesk_tui.contract.models import (
    AgentActivity,
    CountByKey,
    EscalationStatus,
    HistoryPoint,
    Language,
    LiveStats,
    PresenceState,
    Priority,
    Role,
    StatsHistory,
    WorstTicket,
)
from supportdesk_tui.server.records import AgentRecord, OpenAggregate
from supportdesk_tui.server.service import Service

HISTORY_INTERVAL = timedelta(seconds=60)
ONLINE_WITHIN = timedelta(minutes=2)
AWAY_WITHIN = timedelta(minutes=15)
WORST_COUNT = 10


def _roll_up(key: str, groups: Iterable[OpenAggregate], now: datetime) -> CountByKey:
    items = list(groups)
    oldest = min((g.oldest_waiting for g in items if g.oldest_waiting is not None), default=None)
    return CountByKey(
        key=key,
        open=sum(g.open for g in items),
        unassigned=sum(g.unassigned for g in items),
        oldest_waiting_seconds=None if oldest is None else max(0, int((now - oldest).total_seconds())),
        sla_at_risk=sum(g.at_risk for g in items),
        sla_breached=sum(g.breached for g in items),
    )


def _by(
    key: Callable[[OpenAggregate], str], keys: Iterable[str], groups: list[OpenAggregate], now: datetime
) -> list[CountByKey]:
    return [_roll_up(k, (g for g in groups if key(g) == k), now) for k in keys]


def agent_activity(service: Service, now: datetime) -> list[AgentActivity]:
    presence = service.presence.by_agent(now)
    last_seen = service.seen.snapshot()
    assigned = service.store.open_assigned_counts()
    replies = service.store.last_replies()
    result: list[AgentActivity] = []
    agents: list[AgentRecord] = [a for a in service.store.list_agents() if a.role != Role.INTAKE]
    for agent in agents:
        here = presence.get(agent.id, [])
        seen = last_seen.get(agent.id)
        if any(state == PresenceState.COMPOSING for _, state in here):
            state = "busy"
        elif here or (seen is not None and now - seen <= ONLINE_WITHIN):
            state = "online"
        elif seen is not None and now - seen <= AWAY_WITHIN:
            state = "away"
        else:
            state = "offline"
        result.append(
            AgentActivity(
                agent=agent.ref(),
                state=state,
                working_on=sorted(ticket_id for ticket_id, _ in here),
                open_assigned=assigned.get(agent.id, 0),
                last_reply_at=replies.get(agent.id),
            )
        )
    return result


def live_stats(service: Service) -> LiveStats:
    now = service.now()
    groups = service.store.open_aggregates(now, service.risk_window)
    queues = [q.id for q in service.store.list_queues()]
    worst = [
        WorstTicket(
            id=t.id, subject=t.subject, queue=t.queue, priority=t.priority, due=due, breached=due < now
        )
        for t, due in service.store.worst_tickets(WORST_COUNT)
    ]
    return LiveStats(
        at=now,
        by_queue=_by(lambda g: g.queue, queues, groups, now),
        by_language=_by(lambda g: g.language.value, [x.value for x in Language], groups, now),
        by_priority=_by(lambda g: g.priority.value, [p.value for p in Priority], groups, now),
        total=_roll_up("total", groups, now),
        worst=worst,
        agents=agent_activity(service, now),
        open_escalations=service.store.list_escalations(
            [EscalationStatus.OPEN, EscalationStatus.IN_PROGRESS]
        ),
    )


def history(service: Service, window: int) -> StatsHistory:
    since = service.now() - timedelta(seconds=window)
    return StatsHistory(
        window_seconds=window,
        interval_seconds=int(HISTORY_INTERVAL.total_seconds()),
        points=service.store.history_since(since),
    )


def minute_floor(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def record_minute(service: Service, last: datetime | None) -> datetime:
    """Write one history point per queue for the minute that just ended (once per minute)."""
    end = minute_floor(service.now())
    if last is not None and end <= last:
        return last
    points: list[HistoryPoint] = service.store.snapshot_counts(end - HISTORY_INTERVAL, end)
    with service.store.write() as tx:
        tx.add_history(points)
    return end
