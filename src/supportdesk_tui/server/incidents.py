"""Incidents: many customers' tickets linked to one engineering escalation.

An escalation starts from one ticket; agents then link the other tickets about the same bug to it,
so the escalation knows how many customers are affected and "fixed" reaches all of them. A ticket
links to at most one escalation (its `escalation_key`). Suggestions are only suggestions: nothing
here links a ticket that an agent did not name.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from supportdesk_tui.contract.models import (
    EscalationLinkRequest,
    EscalationLinkResult,
    EscalationStatus,
    EventType,
    HistoryKind,
    LinkSkip,
    LinkSkipReason,
    SuggestedTicket,
    Ticket,
)
from supportdesk_tui.server.records import AgentRecord, TicketState
from supportdesk_tui.server.service import Service, agent_author
from supportdesk_tui.server.store import WriteTx

SUGGESTION_WINDOW = timedelta(hours=24)
SUGGESTIONS_SCANNED = 500
SUGGESTIONS_SHOWN = 30
MIN_SHARED_WORDS = 2
# Words too common in support mail to say two tickets are about the same bug.
_STOP_TEXT = (
    "the and for not but with this that have has does doesn't don't can't cannot from you your are "
    "was were when what app after again please help hello thanks still just any all get got "
    "и в во не на что как это у меня мне я с со по за из от но или же ли то уже еще ещё "
    "здравствуйте спасибо пожалуйста помогите добрый день вас вы при после"
)
_STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def key_words(text: str) -> set[str]:
    """Lower-cased words of three letters or more, without the common ones, trimmed to a stem-ish
    prefix so "загрузка" meets "загрузки" and "playing" meets "plays"."""
    return set(words_by_stem(text))


def words_by_stem(text: str) -> dict[str, str]:
    """Each key word's stem (as `key_words` trims it) and the first word of `text` it came from:
    the agent is shown "spinner", never the stem "spinne" that matched."""
    found: dict[str, str] = {}
    for word in (w.casefold() for w in _WORD.findall(text)):
        if word not in _STOP_WORDS:
            found.setdefault(word[:6], word)
    return found


def record_link(tx: WriteTx, caller: AgentRecord, state: TicketState, key: str, at: datetime) -> None:
    """The ticket's history learns that `caller` linked it to `key`, in the link's transaction."""
    tx.record_history(state.id, agent_author(caller), HistoryKind.ESCALATION_LINKED, None, key, at, ref=key)


def link_tickets(
    service: Service, caller: AgentRecord, key: str, body: EscalationLinkRequest
) -> EscalationLinkResult:
    """Link each named ticket the caller may see; the rest are listed as skipped with why."""
    escalation = service.get_escalation(caller, key)
    now = service.now()
    linked: list[int] = []
    skipped: list[LinkSkip] = []
    with service.store.write() as tx:
        for ticket_id in dict.fromkeys(body.ticket_ids):
            state = tx.ticket_state(ticket_id)
            if state is None or not service.can_see(caller, state.queue):
                skipped.append(LinkSkip(ticket_id=ticket_id, reason=LinkSkipReason.NOT_FOUND))
                continue
            if state.escalation_key == key:
                skipped.append(LinkSkip(ticket_id=ticket_id, reason=LinkSkipReason.ALREADY_LINKED))
                continue
            if state.escalation_key is not None:
                skipped.append(LinkSkip(ticket_id=ticket_id, reason=LinkSkipReason.OTHER_ESCALATION,
                                        other_key=state.escalation_key))
                continue
            state.escalation_key = key
            # Linked after the fix: this customer is owed the same answer as the others.
            if escalation.status == EscalationStatus.FIXED:
                state.needs_reply = True
            state.version += 1
            state.updated_at = now
            tx.save_ticket(state)
            record_link(tx, caller, state, key, now)
            service.emit_ticket(tx, EventType.TICKET_UPDATED, tx.ticket(ticket_id))
            linked.append(ticket_id)
        current = tx.escalation(key)
        assert current is not None
        if linked:
            # The count of affected customers moves: every open escalation view follows live.
            service.emit_escalation(tx, current)
    return EscalationLinkResult(escalation=current, linked=linked, skipped=skipped)


def linked_tickets(service: Service, caller: AgentRecord, key: str) -> list[Ticket]:
    """The linked tickets the caller may see (an agent sees those of their queues)."""
    service.get_escalation(caller, key)
    return [service.with_presence(t) for t in service.store.linked_tickets(key)
            if service.can_see(caller, t.queue)]


def suggestions(service: Service, caller: AgentRecord, key: str) -> list[SuggestedTicket]:
    """Recent open unlinked tickets that look like the same bug: the escalation's component as their
    category, or at least two key words shared with the escalation's summary and report."""
    escalation = service.get_escalation(caller, key)
    recent = [t for t in service.store.recent_unlinked_tickets(service.now() - SUGGESTION_WINDOW,
                                                               SUGGESTIONS_SCANNED)
              if service.can_see(caller, t.queue)]
    wanted = key_words(" ".join((escalation.summary, escalation.actual)))
    bodies = service.store.first_message_bodies([t.id for t in recent])
    found: list[tuple[int, SuggestedTicket]] = []
    for ticket in recent:
        reasons: list[str] = []
        if ticket.category == escalation.component:
            reasons.append("component")
        theirs = words_by_stem(f"{ticket.subject} {bodies.get(ticket.id, '')}")
        shared = sorted(theirs[stem] for stem in wanted & theirs.keys())
        if len(shared) >= MIN_SHARED_WORDS:
            reasons.append("words")
        if reasons:
            score = len(shared) + (3 if "component" in reasons else 0)
            found.append((score, SuggestedTicket.model_validate(
                {"ticket": ticket, "reasons": reasons, "shared_words": shared})))
    found.sort(key=lambda pair: (-pair[0], -pair[1].ticket.id))
    return [suggestion for _score, suggestion in found[:SUGGESTIONS_SHOWN]]
