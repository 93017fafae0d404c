"""Merging duplicate tickets of one customer, and the id list a bulk selection starts from.

A merge runs in one write transaction: the duplicates' messages move to the survivor (the
oldest ticket unless the caller names one), each duplicate is closed with an internal note that
names the survivor, and the survivor gets a note listing what was merged. Only notes are
written, so the customer hears nothing of it (no second e-mail for the same request).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from supportdesk_tui.contract.models import (
    MAX_SELECTION,
    PRIORITY_RANK,
    EventType,
    HistoryKind,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketMerge,
    TicketsMerged,
    TicketSort,
    TicketStamp,
    TicketStamps,
)
from supportdesk_tui.server import sla
from supportdesk_tui.server.errors import ApiError, forbidden, invalid, not_found
from supportdesk_tui.server.incidents import record_link
from supportdesk_tui.server.records import AgentRecord, TicketQuery, TicketState
from supportdesk_tui.server.service import SYSTEM_AUTHOR, Service, agent_author, normalize_tags
from supportdesk_tui.server.store import WriteTx
from supportdesk_tui.server.store.ticket_pages import page_rows

MAX_TAGS = 20
STAMP_PAGE = 1000


def matching_stamps(service: Service, caller: AgentRecord, query: TicketQuery) -> TicketStamps:
    """Every ticket the caller may see that matches `query`, as (id, version), oldest first.

    The rows come from the same per-queue index walk as `GET /tickets`, queue by queue (no
    merging of queues page by page) and never rendered as JSON: 10,000 tickets take a fraction of
    the time their pages would.
    """
    service.ensure_reader(caller)
    visible = service.visible_queues(caller)
    queues = [q.id for q in service.store.list_queues()] if query.queues is None else list(query.queues)
    if visible is not None:
        queues = [q for q in queues if q in visible]
    found: list[tuple[list[int], int, int]] = []
    for queue in queues:
        after: list[int] | None = None
        while True:
            rows, names = page_rows(
                service.store.engine, [queue], query, TicketSort.CREATED, after, STAMP_PAGE
            )
            if not rows:
                break
            at_id, at_version = names["id"], names["version"]
            found.extend((key, row[at_id], row[at_version]) for key, row in rows)
            if len(rows) < STAMP_PAGE:
                break
            after = rows[-1][0]
    found.sort(key=lambda item: item[0])
    stamps = [TicketStamp(id=ticket_id, version=version) for _, ticket_id, version in found[:MAX_SELECTION]]
    return TicketStamps(data=stamps, total=len(found), truncated=len(found) > len(stamps))


def merge_tickets(service: Service, caller: AgentRecord, body: TicketMerge) -> TicketsMerged:
    service.ensure_reader(caller)
    ids = [item.id for item in body.tickets]
    if len(set(ids)) != len(ids):
        raise invalid(["body", "tickets"], "A ticket is listed twice.")
    if body.survivor_id is not None and body.survivor_id not in ids:
        raise invalid(["body", "survivor_id"], "The survivor must be one of the merged tickets.")
    expected = {item.id: item.version for item in body.tickets}
    now = service.now()
    with service.store.write() as tx:
        states = [_visible_state(service, caller, tx, ticket_id) for ticket_id in ids]
        for state in states:
            if state.version != expected[state.id]:
                current = service.with_presence(tx.ticket(state.id)).model_dump(mode="json")
                raise ApiError(
                    412,
                    "precondition_failed",
                    f"Ticket #{state.id} changed since you loaded it.",
                    {"current": current},
                )
        customers = {state.requester.account_id for state in states}
        if len(customers) > 1:
            raise ApiError(
                422,
                "different_customers",
                "Only tickets of the same customer can be merged; these come from "
                f"{len(customers)} different customers.",
                [{"loc": ["body", "tickets"], "msg": "tickets of different customers"}],
            )
        survivor = _survivor(states, body.survivor_id)
        duplicates = [state for state in states if state.id != survivor.id]
        moved = tx.move_messages([state.id for state in duplicates], survivor.id)
        links = _carry_escalation_link(tx, caller, survivor, duplicates, now)
        closed = [_close_duplicate(service, tx, caller, state, survivor.id, now) for state in duplicates]
        _absorb(service, tx, caller, survivor, duplicates, len(moved), now, links.note)
        if links.moved_key is not None:
            escalation = tx.escalation(links.moved_key)
            if escalation is not None:  # the linked count moved: open escalation views follow
                service.emit_escalation(tx, escalation)
        record_merge_history(tx, caller, survivor.id, [state.id for state in duplicates], now)
        survivor_ticket = _emit_updated(service, tx, survivor.id, now)
    return TicketsMerged(survivor=survivor_ticket, closed=closed, moved_message_ids=[m.id for m in moved])


def record_merge_history(
    tx: WriteTx, caller: AgentRecord, survivor_id: int, merged_ids: Sequence[int], at: datetime
) -> None:
    """The merge in each ticket's history, in the merge's own transaction: one line on the survivor
    per ticket merged into it, and one on each duplicate naming the survivor."""
    actor = agent_author(caller)
    for merged_id in merged_ids:
        tx.record_history(survivor_id, actor, HistoryKind.MERGED_FROM, None, None, at, ref=str(merged_id))
        tx.record_history(merged_id, actor, HistoryKind.MERGED_INTO, None, None, at, ref=str(survivor_id))


@dataclass(frozen=True, slots=True)
class _LinkOutcome:
    moved_key: str | None = None  # the escalation whose link the survivor now carries for the duplicates
    note: str = ""  # what the survivor's merge note says about the links ("" when nothing to say)


def _carry_escalation_link(
    tx: WriteTx, caller: AgentRecord, survivor: TicketState, duplicates: Sequence[TicketState], at: datetime
) -> _LinkOutcome:
    """A closed duplicate must not hold the escalation link for the customer: the survivor takes it
    over (the oldest linked duplicate's, when the survivor has none). A duplicate linked to another
    escalation than the survivor's keeps that link, and the merge note says so, since only an
    agent can tell which escalation the merged request belongs to."""
    key = survivor.escalation_key
    if key is None:
        key = next((state.escalation_key for state in duplicates if state.escalation_key is not None), None)
        if key is None:
            return _LinkOutcome()
        survivor.escalation_key = key  # saved with the survivor's other changes (_absorb)
        record_link(tx, caller, survivor, key, at)
    carried = [state for state in duplicates if state.escalation_key == key]
    actor = agent_author(caller)
    for state in carried:
        state.escalation_key = None  # saved when the duplicate is closed
        tx.record_history(state.id, actor, HistoryKind.ESCALATION_UNLINKED, key, None, at, ref=key)
    others = [state for state in duplicates if state.escalation_key not in (None, key)]
    note = "".join(
        f" #{state.id} stays linked to {state.escalation_key}; this ticket keeps {key}." for state in others)
    return _LinkOutcome(moved_key=key if carried else None, note=note)


def _visible_state(service: Service, caller: AgentRecord, tx: WriteTx, ticket_id: int) -> TicketState:
    state = tx.ticket_state(ticket_id)
    if state is None:
        raise not_found()
    if not service.can_see(caller, state.queue):
        raise forbidden("Only a shift lead or an agent of the ticket's queue may merge it.")
    return state


def _survivor(states: Sequence[TicketState], survivor_id: int | None) -> TicketState:
    if survivor_id is not None:
        return next(state for state in states if state.id == survivor_id)
    return min(states, key=lambda state: (state.created_at, state.id))


def _close_duplicate(
    service: Service, tx: WriteTx, caller: AgentRecord, state: TicketState, survivor_id: int, now: datetime
) -> Ticket:
    note = tx.insert_message(
        state.id,
        MessageKind.NOTE,
        SYSTEM_AUTHOR,
        f"{caller.name} merged this ticket into #{survivor_id}; its messages are there now.",
        now,
    )
    state.last_message_id = note.id
    state.message_count = 1
    state.needs_reply = False
    sla.set_status(state, Status.CLOSED, now)
    state.version += 1
    state.updated_at = now
    tx.save_ticket(state)
    _emit_message(tx, state.queue, note, now)
    return _emit_updated(service, tx, state.id, now)


def _absorb(
    service: Service,
    tx: WriteTx,
    caller: AgentRecord,
    survivor: TicketState,
    duplicates: Sequence[TicketState],
    moved: int,
    now: datetime,
    link_note: str,
) -> None:
    """The survivor takes over what the duplicates carried: tags, the most urgent priority, and
    a customer still waiting for an answer."""
    merged = ", ".join(f"#{state.id}" for state in duplicates)
    note = tx.insert_message(
        survivor.id,
        MessageKind.NOTE,
        SYSTEM_AUTHOR,
        f"{caller.name} merged {merged} into this ticket ({moved} messages moved, in time order)."
        + link_note,
        now,
    )
    survivor.tags = normalize_tags([*survivor.tags, *(tag for s in duplicates for tag in s.tags)])[:MAX_TAGS]
    urgent = min((s.priority for s in [survivor, *duplicates]), key=lambda p: PRIORITY_RANK[p])
    if urgent != survivor.priority:
        sla.set_priority(survivor, urgent)
    waiting = [s.waiting_since for s in duplicates if s.waiting_since is not None]
    # A survivor paused on the customer or closed is the agent's call: it is not reopened here.
    if waiting and survivor.status in (Status.NEW, Status.OPEN):
        earliest = min(waiting)
        if survivor.waiting_since is None or earliest < survivor.waiting_since:
            survivor.waiting_since = earliest
            sla.refresh(survivor)
    if any(s.needs_reply for s in duplicates):
        survivor.needs_reply = True
    survivor.message_count += moved + 1
    survivor.last_message_id = note.id
    survivor.version += 1
    survivor.updated_at = now
    tx.save_ticket(survivor)
    _emit_message(tx, survivor.queue, note, now)




def _emit_updated(service: Service, tx: WriteTx, ticket_id: int, now: datetime) -> Ticket:
    ticket = service.with_presence(tx.ticket(ticket_id))
    tx.event(EventType.TICKET_UPDATED.value, ticket.queue, ticket.model_dump(mode="json"), now)
    return ticket


def _emit_message(tx: WriteTx, queue: str, message: Message, now: datetime) -> None:
    data = {"ticket_id": message.ticket_id, "queue": queue, "message": message.model_dump(mode="json")}
    tx.event(EventType.MESSAGE_CREATED.value, queue, data, now)
