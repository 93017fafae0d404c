"""Bulk actions over a selection of tickets: what to change, each ticket's result, the summary.

Every ticket gets its own conditional request, naming the version the agent selected it at:
a ticket someone else changed in between answers 412 and is reported as a conflict (with who
changed it, where the server says), never overwritten. Nothing is half-applied silently: every
selected ticket ends in exactly one outcome, and a cancelled run names the ones not attempted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from supportdesk_tui.api import errors
from supportdesk_tui.contract.models import (
    CannedReply,
    Language,
    Priority,
    Status,
    Ticket,
    TicketPatch,
    TicketStamp,
)
from supportdesk_tui.domain.canned_pick import initial_values, render_canned
from supportdesk_tui.domain.selection import Selection
from supportdesk_tui.domain.templates import context_for
from supportdesk_tui.i18n import _

__all__ = [
    "DEFAULT_CONCURRENCY",
    "BulkAction",
    "BulkKind",
    "BulkResult",
    "BulkSummary",
    "Outcome",
    "ReplyPlan",
    "SendReply",
    "TicketWriter",
    "apply_patch",
    "apply_reply",
    "run_bulk",
    "summarize",
]

# Requests in flight at once: enough to finish 30 tickets in a blink, few enough that a bulk
# action never starves the agent's own reads or trips the per-caller rate limit.
DEFAULT_CONCURRENCY = 4


class BulkKind(StrEnum):
    STATUS = "status"
    PRIORITY = "priority"
    ADD_TAG = "add_tag"
    REMOVE_TAG = "remove_tag"
    ASSIGN = "assign"


@dataclass(frozen=True)
class BulkAction:
    """One change for every selected ticket. `assignee_id` 0 unassigns."""

    kind: BulkKind
    status: Status | None = None
    priority: Priority | None = None
    tag: str = ""
    assignee_id: int | None = None
    assignee_name: str = ""  # who `assignee_id` is, for the summary's title (untrusted text)

    @property
    def needs_ticket(self) -> bool:
        """Tags are sent whole: the ticket's current tags must be read first."""
        return self.kind in (BulkKind.ADD_TAG, BulkKind.REMOVE_TAG)

    def patch_for(self, ticket: Ticket | None) -> TicketPatch | None:
        """The request for one ticket, or None when the ticket already is as asked."""
        kind = self.kind
        if kind is BulkKind.STATUS:
            if ticket is not None and ticket.status == self.status:
                return None
            return TicketPatch(status=self.status)
        if kind is BulkKind.PRIORITY:
            if ticket is not None and ticket.priority == self.priority:
                return None
            return TicketPatch(priority=self.priority)
        if kind is BulkKind.ASSIGN:
            if ticket is not None and (ticket.assignee.id if ticket.assignee else 0) == self.assignee_id:
                return None
            return TicketPatch(assignee_id=self.assignee_id)
        if ticket is None:
            raise ValueError("tag changes need the ticket's tags")
        tag = self.tag.strip().lower()
        if kind is BulkKind.ADD_TAG:
            if tag in ticket.tags:
                return None
            return TicketPatch(tags=[*ticket.tags, tag])
        if tag not in ticket.tags:
            return None
        return TicketPatch(tags=[t for t in ticket.tags if t != tag])


class Outcome(StrEnum):
    CHANGED = "changed"
    QUEUED = "queued"  # a reply waits in the outbox (the server did not answer in time): sent later
    UNCHANGED = "unchanged"  # already as asked: nothing sent
    CONFLICT = "conflict"  # changed by someone else since it was selected: left alone
    FAILED = "failed"  # refused or unreachable: left alone
    NOT_ATTEMPTED = "not_attempted"  # the run was cancelled first


@dataclass(frozen=True)
class BulkResult:
    ticket_id: int
    outcome: Outcome
    detail: str = ""  # for a failure: the server's or transport's message (untrusted text)
    ticket: Ticket | None = None  # the ticket as it is now, when the server said


class TicketWriter(Protocol):
    """The two calls a bulk change needs (the API client has them)."""

    async def get_ticket(self, ticket_id: int) -> Ticket: ...

    async def update_ticket(self, ticket_id: int, patch: TicketPatch, *, version: int) -> Ticket: ...


def _conflict(ticket_id: int, current: Ticket | None) -> BulkResult:
    # The summary shows what the ticket is now (`ticket`): the contract names no editor.
    return BulkResult(ticket_id, Outcome.CONFLICT, ticket=current)


async def apply_patch(writer: TicketWriter, action: BulkAction, stamp: TicketStamp,
                      known: Ticket | None) -> BulkResult:
    """Apply `action` to one ticket as it was selected (`stamp`); `known`: that ticket, if loaded."""
    try:
        ticket = known if known is not None and known.version == stamp.version else None
        if ticket is None and action.needs_ticket:
            ticket = await writer.get_ticket(stamp.id)
            if ticket.version != stamp.version:
                return _conflict(stamp.id, ticket)
        patch = action.patch_for(ticket)
        if patch is None:
            return BulkResult(stamp.id, Outcome.UNCHANGED, ticket=ticket)
        updated = await writer.update_ticket(stamp.id, patch, version=stamp.version)
    except errors.VersionConflict as exc:
        return _conflict(stamp.id, exc.current)
    except errors.ApiError as exc:
        return BulkResult(stamp.id, Outcome.FAILED, exc.message)
    if updated.version == stamp.version:  # the server found nothing to change
        return BulkResult(stamp.id, Outcome.UNCHANGED, ticket=updated)
    return BulkResult(stamp.id, Outcome.CHANGED, ticket=updated)


@dataclass(frozen=True)
class ReplyPlan:
    """A canned reply for every selected ticket, rendered in each customer's language with the
    ticket's own placeholders, then the reply's actions (status with the reply; priority and tags
    after it, with `If-Match` on the version the reply produced)."""

    reply: CannedReply
    agent_name: str
    queue_name: Callable[[str], str]


# Queue the reply in the outbox under its own Idempotency-Key and make the first attempt:
# (ticket_id, body, status after, id of the newest message the agent's selection saw) -> the
# ticket after the reply, or None when the reply stays queued for the outbox's retries.
SendReply = Callable[[int, str, Status | None, int | None], Awaitable[Ticket | None]]


async def apply_reply(writer: TicketWriter, plan: ReplyPlan, stamp: TicketStamp,
                      send: SendReply) -> BulkResult:
    """Send `plan`'s reply to one ticket as it was selected (exactly once: see `SendReply`)."""
    reply = plan.reply
    try:
        ticket = await writer.get_ticket(stamp.id)
        if ticket.version != stamp.version:
            return _conflict(stamp.id, ticket)
        language = Language(ticket.language)
        context = context_for(ticket, plan.agent_name, plan.queue_name(ticket.queue), language)
        rendered = render_canned(reply, language, initial_values(reply, context))
        if not rendered.has_language:
            why = _("the reply has no text in {language}").format(language=language.value)
            return BulkResult(stamp.id, Outcome.FAILED, why, ticket)
        if not rendered.insertable:
            missing = ", ".join((*rendered.missing, *rendered.unknown, *rendered.syntax_errors))
            why = _("the reply needs a value for: {names}").format(names=missing)
            return BulkResult(stamp.id, Outcome.FAILED, why, ticket)
        actions = reply.actions
        status = actions.status if actions else None
        after = await send(stamp.id, rendered.text, status, ticket.last_message_id)
        if after is None:
            return BulkResult(stamp.id, Outcome.QUEUED, ticket=ticket)
        patch = _follow_up(after, actions.priority if actions else None, actions.add_tags if actions else [])
        if patch is not None:
            after = await writer.update_ticket(stamp.id, patch, version=after.version)
    except errors.NewActivity:
        # The customer wrote after the selection: the agent reads it before answering.
        return BulkResult(stamp.id, Outcome.CONFLICT, _("the customer wrote again after you marked it"))
    except errors.VersionConflict as exc:
        return _conflict(stamp.id, exc.current)
    except errors.ApiError as exc:
        return BulkResult(stamp.id, Outcome.FAILED, exc.message)
    return BulkResult(stamp.id, Outcome.CHANGED, ticket=after)


def _follow_up(ticket: Ticket, priority: Priority | None, add_tags: Sequence[str]) -> TicketPatch | None:
    tags = [tag.strip().lower() for tag in add_tags if tag.strip()]
    new_tags = [*ticket.tags, *(tag for tag in tags if tag not in ticket.tags)]
    changes: dict[str, object] = {}
    if priority is not None and priority != ticket.priority:
        changes["priority"] = priority
    if new_tags != ticket.tags:
        changes["tags"] = new_tags
    return TicketPatch.model_validate(changes) if changes else None


async def run_bulk(
    stamps: Sequence[TicketStamp],
    apply_one: Callable[[TicketStamp], Awaitable[BulkResult]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: Callable[[BulkResult], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[BulkResult]:
    """Apply to every stamp, at most `concurrency` at a time, in selection order.

    Once `cancelled()` turns true no new request starts; those in flight finish (a request
    already sent may have landed, so it is reported as it answered, never guessed).
    """
    pending = list(stamps)
    results: dict[int, BulkResult] = {}

    async def worker() -> None:
        while pending and not cancelled():
            stamp = pending.pop(0)
            result = await apply_one(stamp)
            results[stamp.id] = result
            if on_result is not None:
                on_result(result)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(stamps))))))
    return [results.get(s.id, BulkResult(s.id, Outcome.NOT_ATTEMPTED)) for s in stamps]


@dataclass(frozen=True)
class BulkSummary:
    results: tuple[BulkResult, ...]
    by_outcome: dict[Outcome, tuple[BulkResult, ...]] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return len(self.by_outcome.get(outcome, ()))

    def of(self, outcome: Outcome) -> tuple[BulkResult, ...]:
        return self.by_outcome.get(outcome, ())

    @property
    def all_done(self) -> bool:
        """Every ticket is as asked (changed now, or already was)."""
        done = (Outcome.CHANGED, Outcome.UNCHANGED, Outcome.QUEUED)
        return sum(self.count(outcome) for outcome in done) == len(self.results)

    def still_selected(self, selection: Selection) -> Selection:
        """What stays marked afterwards: the tickets left alone, at the version they have now
        (so applying again acts on what the agent has since seen), in the old order."""
        left = Selection()
        for result in self.results:
            if result.outcome in (Outcome.CHANGED, Outcome.UNCHANGED, Outcome.QUEUED) \
                    or result.ticket_id not in selection:
                continue
            version = result.ticket.version if result.ticket is not None else selection.version_of(
                result.ticket_id)
            left.add(TicketStamp(id=result.ticket_id, version=version))
        return left


def summarize(results: Iterable[BulkResult]) -> BulkSummary:
    ordered = tuple(results)
    groups: dict[Outcome, list[BulkResult]] = {}
    for result in ordered:
        groups.setdefault(result.outcome, []).append(result)
    return BulkSummary(ordered, {outcome: tuple(items) for outcome, items in groups.items()})
