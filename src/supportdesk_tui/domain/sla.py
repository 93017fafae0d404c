"""SLA countdowns: which deadline is next, how long is left, and how worried to be.

Shown as text by `i18n.times` (`time_left`, `time_waited`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from supportdesk_tui.contract.models import Sla, Status, Ticket

__all__ = [
    "AT_RISK_WINDOW",
    "DeadlineKind",
    "SlaRisk",
    "SlaState",
    "next_deadline",
    "sla_state",
    "waiting_seconds",
]

AT_RISK_WINDOW = timedelta(minutes=30)


class SlaRisk(StrEnum):
    OK = "ok"
    AT_RISK = "at_risk"  # due within AT_RISK_WINDOW
    BREACHED = "breached"
    PAUSED = "paused"  # clock stopped (pending on the customer)
    NONE = "none"  # no clock running (solved/closed, or no deadlines)


class DeadlineKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class SlaState:
    risk: SlaRisk
    kind: DeadlineKind | None = None
    deadline: datetime | None = None
    remaining_seconds: float | None = None  # negative once breached; None when no deadline


def _aware(when: datetime) -> datetime:
    # The contract sends UTC; a naive value can only come from our own code/tests.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def next_deadline(sla: Sla) -> tuple[DeadlineKind, datetime] | None:
    """The earliest running deadline (first response counts only until it happened)."""
    candidates: list[tuple[datetime, DeadlineKind]] = []
    if sla.first_response_due is not None and sla.first_responded_at is None:
        candidates.append((_aware(sla.first_response_due), DeadlineKind.FIRST_RESPONSE))
    if sla.next_response_due is not None:
        candidates.append((_aware(sla.next_response_due), DeadlineKind.NEXT_RESPONSE))
    if sla.resolution_due is not None:
        candidates.append((_aware(sla.resolution_due), DeadlineKind.RESOLUTION))
    if not candidates:
        return None
    when, kind = min(candidates, key=lambda c: c[0])
    return kind, when


def sla_state(
    subject: Ticket | Sla,
    now: datetime,
    *,
    at_risk_window: timedelta = AT_RISK_WINDOW,
) -> SlaState:
    """The SLA picture of a ticket (or bare `Sla`) at `now`."""
    if isinstance(subject, Ticket):
        if subject.status in (Status.SOLVED, Status.CLOSED):
            return SlaState(SlaRisk.NONE)
        sla = subject.sla
        paused = sla.paused or subject.status is Status.PENDING
    else:
        sla = subject
        paused = sla.paused
    found = next_deadline(sla)
    if found is None:
        return SlaState(SlaRisk.PAUSED if paused else SlaRisk.NONE)
    kind, deadline = found
    remaining = (deadline - _aware(now)).total_seconds()
    if paused:
        risk = SlaRisk.PAUSED
    elif remaining <= 0:
        risk = SlaRisk.BREACHED
    elif remaining <= at_risk_window.total_seconds():
        risk = SlaRisk.AT_RISK
    else:
        risk = SlaRisk.OK
    return SlaState(risk, kind, deadline, remaining)


def waiting_seconds(ticket: Ticket, now: datetime) -> float | None:
    """How long the customer has been waiting for an agent, or None if they are not."""
    if ticket.waiting_since is None:
        return None
    return max(0.0, (_aware(now) - _aware(ticket.waiting_since)).total_seconds())

