"""One canned reply to every customer of an incident, each in their language with their own details.

Planning is pure: which linked tickets get a reply, the text each one gets, and why the others are
left out. Each reply's Idempotency-Key is derived from (escalation, ticket, canned reply), so
answering the same incident again, after a crash or a double press, can never post twice: the
server replays the first answer under the same key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from supportdesk_tui.contract.models import CannedReply, Language, Status, Ticket
from supportdesk_tui.domain.templates import context_for, render

__all__ = ["IncidentReplyPlan", "PlannedReply", "SkipReason", "SkippedTicket", "plan_incident_reply",
           "reply_key"]

_KEYS = uuid.UUID("6f1c8a52-3b7e-4d0a-9a51-2f3c1d4e5b60")
DONE_STATUSES = frozenset({Status.SOLVED, Status.CLOSED})


class SkipReason(StrEnum):
    ALREADY_SOLVED = "already_solved"
    ALREADY_ANSWERED = "already_answered"  # no reply owed any more (someone answered since the fix)
    NO_TEMPLATE = "no_template"  # the reply has no body in the customer's language, or it won't fill
    CONFLICT = "conflict"  # the customer wrote since the ticket was loaded
    REFUSED = "refused"  # the server said no (permissions, limits)


@dataclass(frozen=True)
class PlannedReply:
    ticket_id: int
    language: Language
    body: str
    status_after: Status | None
    seen_up_to: int | None
    key: str  # the Idempotency-Key (also the outbox item's id)


@dataclass(frozen=True)
class SkippedTicket:
    ticket_id: int
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True)
class IncidentReplyPlan:
    replies: list[PlannedReply] = field(default_factory=list)
    skipped: list[SkippedTicket] = field(default_factory=list)


def reply_key(escalation_key: str, ticket_id: int, canned_id: str) -> str:
    """The same reply to the same ticket about the same incident always has the same key."""
    return str(uuid.uuid5(_KEYS, f"{escalation_key}\x1f{ticket_id}\x1f{canned_id}"))


def plan_incident_reply(
    escalation_key: str,
    tickets: Iterable[Ticket],
    canned: CannedReply,
    variables: Mapping[str, str],
    status_after: Status | None,
    agent_name: str,
    queue_name: Callable[[str], str],
) -> IncidentReplyPlan:
    """`variables`: the canned reply's own variables, filled once for everyone (a version number);
    the built-ins (the customer's name, the ticket number) come from each ticket."""
    plan = IncidentReplyPlan()
    declared = [v.name for v in canned.variables]
    for ticket in sorted(tickets, key=lambda t: t.id):
        if ticket.status in DONE_STATUSES:
            plan.skipped.append(SkippedTicket(ticket.id, SkipReason.ALREADY_SOLVED, ticket.status.value))
            continue
        if not ticket.needs_reply:
            plan.skipped.append(SkippedTicket(ticket.id, SkipReason.ALREADY_ANSWERED))
            continue
        template = canned.bodies.get(ticket.language)
        if template is None:
            plan.skipped.append(SkippedTicket(ticket.id, SkipReason.NO_TEMPLATE, ticket.language.value))
            continue
        defaults = {v.name: v.default for v in canned.variables if v.default}
        own = context_for(ticket, agent_name, queue_name(ticket.queue), ticket.language)
        values = {**defaults, **variables, **own}
        result = render(template, values, declared)
        if not result.ok:
            missing = ", ".join([*result.missing_variables, *result.unknown_placeholders])
            plan.skipped.append(SkippedTicket(ticket.id, SkipReason.NO_TEMPLATE, missing))
            continue
        plan.replies.append(PlannedReply(ticket.id, ticket.language, result.text, status_after,
                                         ticket.last_message_id, reply_key(escalation_key, ticket.id,
                                                                           canned.id)))
    return plan


def missing_shared_variables(canned: CannedReply, variables: Mapping[str, str]) -> Sequence[str]:
    """The canned reply's required variables the agent has not filled (and that have no default)."""
    return [v.name for v in canned.variables
            if v.required and not (variables.get(v.name, "").strip() or (v.default or "").strip())]
