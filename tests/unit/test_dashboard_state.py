"""The dashboard's numbers: server answers replace them whole, thresholds alarm, replays never count twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supportdesk_tui.config import QueueThresholds
from supportdesk_tui.contract.models import (
    AgentRef,
    CountByKey,
    HistoryPoint,
    LiveStats,
    StatsHistory,
    Ticket,
)
from supportdesk_tui.domain.dashboard_state import (
    DashboardState,
    RefreshGate,
    downsample,
    level_for,
    sparkline,
)

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def counts(key: str, open_: int, *, oldest: int | None = 600, at_risk: int = 0) -> CountByKey:
    return CountByKey(key=key, open=open_, unassigned=0, oldest_waiting_seconds=oldest,
                      sla_at_risk=at_risk, sla_breached=0)


def live(at: datetime, **queues: int) -> LiveStats:
    by_queue = [counts(key, n) for key, n in queues.items()]
    total = counts("total", sum(queues.values()))
    return LiveStats(at=at, by_queue=by_queue, by_language=[], by_priority=[], total=total, worst=[],
                     agents=[], open_escalations=[])


def history(last: datetime, queue: str, opens: list[int]) -> StatsHistory:
    points = [HistoryPoint(at=last - timedelta(minutes=len(opens) - 1 - i), queue=queue, open=n,
                           created=1, solved=1) for i, n in enumerate(opens)]
    return StatsHistory(window_seconds=3600, interval_seconds=60, points=points)


def ticket(ticket_id: int, *, created: datetime, status: str = "new",
           updated: datetime | None = None) -> Ticket:
    return Ticket.model_validate({
        "id": ticket_id, "version": 1, "subject": "s", "status": status, "priority": "normal",
        "queue": "hacked", "language": "ru", "category": "hacked", "tags": [],
        "requester": {"account_id": "a", "name": "n", "language": "ru"},
        "assignee": AgentRef(id=1, login="anna", name="Anna").model_dump(),
        "created_at": created.isoformat(), "updated_at": (updated or created).isoformat(), "sla": {},
    })


def test_lead_sees_a_warning_before_the_limit_and_an_alarm_past_it() -> None:
    assert level_for(7, 10) == "ok"
    assert level_for(8, 10) == "warning"
    assert level_for(10, 10) == "warning"
    assert level_for(11, 10) == "alarm"
    assert level_for(0, 0) == "ok"
    assert level_for(1, 0) == "alarm"


def test_lead_gets_one_log_entry_per_change_of_level_not_per_update() -> None:
    state = DashboardState({"hacked": QueueThresholds(max_length=10)})
    assert state.apply_live(live(T0, hacked=5)) == []
    raised = state.apply_live(live(T0 + timedelta(seconds=1), hacked=11))
    assert [(e.queue, e.metric, e.level, e.value, e.limit) for e in raised] == [
        ("hacked", "length", "alarm", 11, 10)]
    assert state.apply_live(live(T0 + timedelta(seconds=2), hacked=12)) == []
    cleared = state.apply_live(live(T0 + timedelta(seconds=3), hacked=3))
    assert [e.level for e in cleared] == ["ok"]
    assert [e.level for e in state.alarms] == ["alarm", "ok"]
    assert state.level("hacked") == "ok"


def test_lead_sees_oldest_waiting_and_at_risk_thresholds_too() -> None:
    state = DashboardState({"access": QueueThresholds(max_oldest_minutes=30, max_at_risk=2)})
    by_queue = [counts("access", 1, oldest=31 * 60, at_risk=2)]
    stats = live(T0, access=1).model_copy(update={"by_queue": by_queue})
    state.apply_live(stats)
    levels = {c.metric: c.level for c in state.checks("access")}
    assert levels == {"oldest": "alarm", "at_risk": "warning"}
    assert state.level("access") == "alarm"


def test_unconfigured_queues_never_alarm() -> None:
    state = DashboardState({})
    assert state.apply_live(live(T0, hacked=10_000)) == []
    assert state.level("hacked") == "ok"


def test_an_answer_overtaken_by_a_newer_one_is_ignored() -> None:
    state = DashboardState()
    state.apply_live(live(T0 + timedelta(seconds=5), hacked=7))
    state.apply_live(live(T0, hacked=3))
    counts_now = state.queue_counts("hacked")
    assert counts_now is not None and counts_now.open == 7


def test_numbers_are_the_servers_whatever_events_were_replayed() -> None:
    """Events never change the counts; the next answer replaces them whole (no double counting)."""
    state = DashboardState()
    state.apply_history(history(T0, "hacked", [3, 4, 5]))
    state.apply_live(live(T0 + timedelta(seconds=10), hacked=6))
    created = ticket(1, created=T0 + timedelta(seconds=5))
    for _ in range(3):  # the same event replayed after a reconnect
        state.note_ticket(created)
    assert state.tip_created == 1
    state.apply_live(live(T0 + timedelta(seconds=20), hacked=6))
    assert state.open_series("hacked") == [3, 4, 5, 6]


def test_the_chart_grows_with_the_history_and_keeps_the_interval_in_progress() -> None:
    state = DashboardState()
    state.apply_history(history(T0, "hacked", [3, 4]))
    state.apply_live(live(T0 + timedelta(seconds=30), hacked=5))
    state.note_ticket(ticket(1, created=T0 + timedelta(seconds=10)))
    state.note_ticket(ticket(2, created=T0 + timedelta(seconds=61)))
    state.note_ticket(ticket(3, created=T0 - timedelta(minutes=5)))  # already in the history
    state.note_ticket(ticket(1, created=T0 + timedelta(seconds=10), status="solved",
                             updated=T0 + timedelta(seconds=20)))
    assert (state.tip_created, state.tip_solved) == (2, 1)
    assert [i.created for i in state.intervals()] == [1, 1, 2]
    assert state.history_due(T0 + timedelta(seconds=61))
    state.apply_history(history(T0 + timedelta(minutes=1), "hacked", [3, 4, 5]))
    # Ticket 2 was created after the new last point: it stays in the interval in progress.
    assert (state.tip_created, state.tip_solved) == (1, 0)
    assert state.open_series("hacked") == [3, 4, 5]  # the live answer is older than the new point
    state.apply_live(live(T0 + timedelta(seconds=70), hacked=8))
    assert state.open_series("hacked") == [3, 4, 5, 8]


def test_a_storm_of_requests_becomes_one_fetch_at_a_time_a_few_per_second() -> None:
    gate = RefreshGate(min_interval=0.25)
    fetches = 0
    now = 0.0
    while now < 1.0:
        for _ in range(10):  # 100 events a second, ten per 0.1 s tick
            gate.request()
        if gate.due(now):
            gate.begin(now)
            fetches += 1
            gate.end()
        now = round(now + 0.1, 3)
    assert fetches == 4
    gate.request()
    gate.begin(2.0)
    gate.request()  # arrives while the fetch is in flight
    assert not gate.due(5.0)
    gate.end()
    assert gate.due(5.0)


def test_downsample_keeps_the_newest_value_in_its_own_column() -> None:
    assert downsample([1, 2, 3], 5) == [1, 2, 3]
    assert downsample([1, 9, 2, 3, 4], 3) == [1, 9, 4]
    assert downsample([5, 1, 1, 1, 1], 2, total=True) == [6, 3]
    assert sum(downsample(list(range(100)), 7, total=True)) == sum(range(100))
    assert downsample(list(range(100)), 7)[-1] == 99


def test_sparkline_has_one_character_per_value() -> None:
    line = sparkline([0, 5, 10])
    assert len(line) == 3 and line[0] == "▁" and line[-1] == "█"
    assert sparkline([]) == ""
    assert len(sparkline([4, 4, 4])) == 3
