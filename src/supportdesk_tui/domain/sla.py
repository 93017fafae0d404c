"""SLA countdowns: which deadline is next, how long is left, and how worried to be."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from supportdesk_tui.contract.models import Sla, Status, Ticket

__all__ = [
    "AT_RISK_WINDOW",
    "DeadlineKind",
    "SlaRisk",
    "SlaState",
    "format_countdown",
    "format_waiting",
    "next_deadline",
    "sla_state",
    "waiting_seconds",
]

AT_RISK_WINDOW = timedelta(minutes=30)
NO_VALUE = "—"


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

    @property
    def countdown(self) -> str:
        return format_countdown(self.remaining_seconds)


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


_UNITS = {"en": ("d", "h", "m"), "ru": ("д", "ч", "м")}


def format_countdown(seconds: float | None, lang: str = "en") -> str:
    """Compact time left: "2h 05m", "12m", "1d 03h"; "-3m" once breached; "—" with no deadline.

    A started minute counts as a whole one, so 59 s left shows "1m", not "0m".
    """
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    d, h, m = _UNITS.get(lang, _UNITS["en"])
    sign = "-" if seconds < 0 else ""
    minutes = math.ceil(abs(seconds) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days}{d} {hours:02d}{h}"
    if hours:
        return f"{sign}{hours}{h} {mins:02d}{m}"
    return f"{sign}{mins}{m}"


def format_waiting(seconds: float | None, lang: str = "en") -> str:
    """Elapsed waiting time: "3d 4h", "2h 15m", "15m", "<1m"; "—" when not waiting."""
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    d, h, m = _UNITS.get(lang, _UNITS["en"])
    minutes = int(max(0.0, seconds) // 60)
    if minutes == 0:
        return f"<1{m}"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}{d} {hours}{h}" if hours else f"{days}{d}"
    if hours:
        return f"{hours}{h} {mins}{m}" if mins else f"{hours}{h}"
    return f"{mins}{m}"
