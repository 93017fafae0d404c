"""One canned reply to every customer of an incident: who gets what, who is skipped, which key."""

from __future__ import annotations

from domain_builders import make_ticket

from supportdesk_tui.contract.models import CannedReply, CannedVariable, Status, Ticket
from supportdesk_tui.domain.incident_reply import (
    IncidentReplyPlan,
    SkipReason,
    plan_incident_reply,
    reply_key,
)

FIXED = CannedReply.model_validate({
    "id": "fix-released", "shortcut": "fixed", "tags": ["bugs"],
    "title": {"ru": "Исправление выпущено", "en": "Fix released"},
    "bodies": {"ru": "Здравствуйте, {customer.first_name}! Исправлено в {app_version}. #{ticket.id}",
               "en": "Hi {customer.first_name}, fixed in {app_version}. #{ticket.id}"},
    "variables": [CannedVariable.model_validate({"name": "app_version", "prompt": {"en": "Version"}})
                  .model_dump()],
})


def _plan(*tickets: Ticket, status: Status | None = Status.SOLVED) -> IncidentReplyPlan:
    return plan_incident_reply("ENG-1001", tickets, FIXED, {"app_version": "8.42.0"}, status,
                               "Kate Miller", lambda queue: queue)


def test_each_customer_gets_the_reply_in_their_language_with_their_own_name() -> None:
    ru = make_ticket(id=7, needs_reply=True, last_message_id=70)
    en = make_ticket(id=8, needs_reply=True, language="en",
                     requester={"account_id": "u2", "name": "Emma Brown", "language": "en"})
    plan = _plan(en, ru)
    assert [(r.ticket_id, r.body) for r in plan.replies] == [
        (7, "Здравствуйте, Анна! Исправлено в 8.42.0. #7"),
        (8, "Hi Emma, fixed in 8.42.0. #8"),
    ]
    first = plan.replies[0]
    assert (first.status_after, first.seen_up_to) == (Status.SOLVED, 70)
    assert first.key == reply_key("ENG-1001", 7, "fix-released") != plan.replies[1].key


def test_solved_and_already_answered_tickets_are_skipped_with_the_reason() -> None:
    plan = _plan(make_ticket(id=1, status="solved", needs_reply=True),
                 make_ticket(id=2, needs_reply=False),
                 make_ticket(id=3, needs_reply=True))
    assert [r.ticket_id for r in plan.replies] == [3]
    assert [(s.ticket_id, s.reason) for s in plan.skipped] == [
        (1, SkipReason.ALREADY_SOLVED), (2, SkipReason.ALREADY_ANSWERED)]


def test_the_same_reply_to_the_same_ticket_always_has_the_same_key() -> None:
    assert reply_key("ENG-1001", 7, "fix-released") == reply_key("ENG-1001", 7, "fix-released")
    assert reply_key("ENG-1001", 7, "fix-released") != reply_key("ENG-1002", 7, "fix-released")
