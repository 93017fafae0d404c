"""SLA rules: per-priority targets and how each event moves the clocks.

Pure functions over `TicketState`; the service calls them inside a write so
the stored deadlines and the derived sort key never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from supportdesk_tui.contract.models import Priority, Sla, Status
from supportdesk_tui.server.records import OPEN_STATUSES, PAUSED_STATUSES, TicketState

RISK_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Target:
    first_response: timedelta
    resolution: timedelta

    @property
    def next_response(self) -> timedelta:
        # A follow-up deserves the same promptness as the first answer.
        return self.first_response


TARGETS: dict[Priority, Target] = {
    Priority.URGENT: Target(timedelta(minutes=30), timedelta(hours=4)),
    Priority.HIGH: Target(timedelta(hours=1), timedelta(hours=8)),
    Priority.NORMAL: Target(timedelta(hours=4), timedelta(hours=24)),
    Priority.LOW: Target(timedelta(hours=8), timedelta(hours=72)),
}


def start(state: TicketState, now: datetime) -> None:
    """A new ticket: the customer waits from now, both clocks start."""
    target = TARGETS[state.priority]
    state.waiting_since = now
    state.first_response_due = now + target.first_response
    state.resolution_due = now + target.resolution
    refresh(state)


def customer_wrote(state: TicketState, now: datetime) -> None:
    if state.status in (Status.PENDING, Status.SOLVED):
        set_status(state, Status.OPEN, now)
    if state.waiting_since is None and state.status in OPEN_STATUSES:
        state.waiting_since = now
        if state.first_responded_at is not None:
            state.next_response_due = now + TARGETS[state.priority].next_response
    refresh(state)


def agent_replied(state: TicketState, now: datetime) -> None:
    if state.first_responded_at is None:
        state.first_responded_at = now
    state.next_response_due = None
    state.waiting_since = None
    state.needs_reply = False
    refresh(state)


def set_status(state: TicketState, status: Status, now: datetime) -> None:
    if status == state.status:
        return
    was_paused = state.paused_at is not None
    state.status = status
    if status in PAUSED_STATUSES:
        if not was_paused:
            state.paused_at = now
        state.waiting_since = None
    elif was_paused and state.paused_at is not None:
        _shift_running(state, now - state.paused_at)
        state.paused_at = None
    if status in (Status.SOLVED, Status.CLOSED):
        state.waiting_since = None
        state.paused_at = None
        if state.solved_at is None or status == Status.SOLVED:
            state.solved_at = now
    else:
        state.solved_at = None
    refresh(state)


def set_priority(state: TicketState, priority: Priority) -> None:
    """Re-aim each running clock by the difference between the old and the new target."""
    old, new = TARGETS[state.priority], TARGETS[priority]
    state.priority = priority
    if state.first_response_due is not None and state.first_responded_at is None:
        state.first_response_due += new.first_response - old.first_response
    if state.next_response_due is not None:
        state.next_response_due += new.next_response - old.next_response
    if state.resolution_due is not None:
        state.resolution_due += new.resolution - old.resolution
    refresh(state)


def _shift_running(state: TicketState, by: timedelta) -> None:
    if state.first_response_due is not None and state.first_responded_at is None:
        state.first_response_due += by
    if state.next_response_due is not None:
        state.next_response_due += by
    if state.resolution_due is not None:
        state.resolution_due += by


def refresh(state: TicketState) -> None:
    """Recompute the derived sort key: the nearest deadline whose clock is running."""
    if state.status not in OPEN_STATUSES or state.paused_at is not None:
        state.sla_due = None
        return
    running = [
        due
        for due in (
            state.first_response_due if state.first_responded_at is None else None,
            state.next_response_due,
            state.resolution_due,
        )
        if due is not None
    ]
    state.sla_due = min(running) if running else None


def to_model(state: TicketState) -> Sla:
    running = state.status in OPEN_STATUSES
    return Sla(
        first_response_due=state.first_response_due,
        first_responded_at=state.first_responded_at,
        next_response_due=state.next_response_due if running else None,
        resolution_due=state.resolution_due if running else None,
        paused=state.paused_at is not None,
    )
