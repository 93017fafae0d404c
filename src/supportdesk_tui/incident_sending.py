"""Answering every linked ticket of a fixed incident through the outbox, and what came of it.

Every reply is written to the outbox (under its derived Idempotency-Key) before the first one
goes out: a crash or a dead server half-way leaves the rest queued with their keys, and the
outbox sends each exactly once when it can. A reply already in the outbox is not queued again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supportdesk_tui.api import errors
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.incident_reply import IncidentReplyPlan, SkippedTicket, SkipReason
from supportdesk_tui.domain.outbox import OutboxItem
from supportdesk_tui.sending import Queued, Sender


@dataclass
class IncidentReplySummary:
    sent: list[int] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)  # in the outbox: will go out when the server answers
    skipped: list[SkippedTicket] = field(default_factory=list)


async def answer_incident(sender: Sender, plan: IncidentReplyPlan) -> IncidentReplySummary:
    summary = IncidentReplySummary(skipped=list(plan.skipped))
    items: list[OutboxItem] = []
    for reply in plan.replies:
        existing = sender.outbox.get(reply.key)
        if existing is not None:
            summary.queued.append(reply.ticket_id)  # an earlier attempt queued it: the outbox owns it
            continue
        try:
            items.append(sender.queue(reply.ticket_id, DraftKind.REPLY, reply.body,
                                      status_after=reply.status_after, seen_up_to=reply.seen_up_to,
                                      key=reply.key))
        except errors.ApiError as exc:
            summary.skipped.append(SkippedTicket(reply.ticket_id, SkipReason.REFUSED, str(exc)))
    for index, item in enumerate(items):
        if summary.queued and index and items[index - 1].ticket_id in summary.queued:
            # The server stopped answering: the rest wait in the outbox, which retries them all.
            for waiting in items[index:]:
                sender.sending.discard(waiting.id)
                summary.queued.append(waiting.ticket_id)
            break
        try:
            result = await sender.deliver(item, forget_draft=False)
        except errors.NewActivity:
            summary.skipped.append(SkippedTicket(item.ticket_id, SkipReason.CONFLICT))
            continue
        except errors.ApiError as exc:
            summary.skipped.append(SkippedTicket(item.ticket_id, SkipReason.REFUSED, str(exc)))
            continue
        if isinstance(result, Queued):
            summary.queued.append(item.ticket_id)
        else:
            summary.sent.append(item.ticket_id)
    summary.skipped.sort(key=lambda s: s.ticket_id)
    return summary
