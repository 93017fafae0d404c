"""Which live events notify the agent, once each, in our own words, with nothing smuggled through
the terminal's desktop notification."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from domain_builders import NOW, make_ticket

from supportdesk_tui.contract.models import HistoryEntry, Message
from supportdesk_tui.domain.notifications import (
    DesktopProtocol,
    NoticeKind,
    NotificationPolicy,
    NotificationRules,
    QuietHours,
    osc_notification,
)

ME, ME_LOGIN = 7, "anna"
ANNA = {"id": ME, "login": ME_LOGIN, "name": "Anna Petrova"}
HOSTILE_SUBJECT = "Help\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b\\\x9b31m\x9d0;x\x9c;2;evil\u202e"


def assignment_entry(entry_id: int, by: str, by_name: str, new: str | None = "Anna Petrova") -> HistoryEntry:
    return HistoryEntry.model_validate({
        "id": entry_id, "ticket_id": 1, "kind": "assignee", "old": None, "new": new,
        "actor": {"type": "agent", "id": by, "name": by_name}, "at": NOW.isoformat()})


def customer_message(message_id: int, ticket_id: int = 1234) -> Message:
    return Message.model_validate({
        "id": message_id, "ticket_id": ticket_id, "kind": "customer", "body": "ещё вопрос",
        "author": {"type": "customer", "id": "u1", "name": "Анна Петрова"}, "created_at": NOW.isoformat()})


def rules(**policy: Any) -> NotificationRules:
    return NotificationRules(ME, ME_LOGIN, NotificationPolicy(**policy))


def test_an_assignment_by_someone_else_is_announced_once() -> None:
    notifier = rules()
    ticket = make_ticket(assignee=ANNA)
    assert notifier.ticket_changed(ticket)
    notice = notifier.assignment(ticket, [assignment_entry(5, "lena", "Elena Smirnova")])
    assert notice is not None and notice.kind is NoticeKind.ASSIGNED
    assert notice.title == "Assigned to you"
    assert "#1234" in notice.body and "Elena Smirnova" in notice.body
    # The same event again (a replay after a reconnect): no second notice.
    assert notifier.assignment(ticket, [assignment_entry(5, "lena", "Elena Smirnova")]) is None
    # Already mine: a later change of the ticket is not an assignment.
    assert not notifier.ticket_changed(ticket.model_copy(update={"version": 2}))


def test_an_old_assignment_seen_with_a_later_change_is_not_announced() -> None:
    notifier = rules()
    # Assigned before this session; the customer writes now: the ticket changes, the assignee not.
    later = make_ticket(assignee=ANNA, updated_at=(NOW + timedelta(hours=2)).isoformat())
    assert notifier.ticket_changed(later)
    assert notifier.assignment(later, [assignment_entry(5, "lena", "Elena Smirnova")]) is None


def test_taking_a_ticket_myself_is_no_news_and_known_tickets_are_not_reannounced() -> None:
    notifier = rules()
    mine = make_ticket(assignee=ANNA)
    assert notifier.ticket_changed(mine)
    assert notifier.assignment(mine, [assignment_entry(6, ME_LOGIN, "Anna Petrova")]) is None
    primed = rules()
    primed.prime([make_ticket(id=99, assignee=ANNA)])
    assert not primed.ticket_changed(make_ticket(id=99, assignee=ANNA, version=3))


def test_unassigned_then_assigned_again_is_a_new_event() -> None:
    notifier = rules()
    ticket = make_ticket(assignee=ANNA)
    notifier.ticket_changed(ticket)
    assert notifier.assignment(ticket, [assignment_entry(5, "lena", "Elena")]) is not None
    assert not notifier.ticket_changed(make_ticket(assignee=None))
    assert notifier.ticket_changed(ticket)
    assert notifier.assignment(ticket, [assignment_entry(5, "lena", "Elena"),
                                        assignment_entry(9, "lena", "Elena")]) is not None


def test_a_customer_answer_on_my_ticket_notifies_once_and_on_others_never() -> None:
    notifier = rules()
    notifier.prime([make_ticket(assignee=ANNA)])
    notice = notifier.message_arrived(1234, customer_message(50))
    assert notice is not None and notice.kind is NoticeKind.CUSTOMER_REPLIED
    assert notifier.message_arrived(1234, customer_message(50)) is None
    assert notifier.message_arrived(555, customer_message(51, ticket_id=555)) is None


def test_a_deadline_within_the_warning_time_notifies_once_per_deadline() -> None:
    due = NOW + timedelta(minutes=10)
    notifier = rules(sla_warning=timedelta(minutes=15))
    notifier.prime([make_ticket(assignee=ANNA, sla={"next_response_due": due.isoformat()})])
    assert notifier.sla_due(NOW - timedelta(minutes=10)) == []  # 20 minutes left: not yet
    (notice,) = notifier.sla_due(NOW)
    assert notice.kind is NoticeKind.SLA_AT_RISK and "10 min" in notice.body
    assert notifier.sla_due(NOW + timedelta(minutes=1)) == []
    # A new deadline (the customer wrote again) is a new warning.
    later = NOW + timedelta(hours=1)
    notifier.ticket_changed(make_ticket(assignee=ANNA, sla={"next_response_due": later.isoformat()}))
    assert len(notifier.sla_due(later - timedelta(minutes=5))) == 1


def test_each_kind_can_be_switched_off() -> None:
    notifier = rules(kinds=frozenset({NoticeKind.SLA_AT_RISK}))
    ticket = make_ticket(assignee=ANNA)
    assert not notifier.ticket_changed(ticket)
    assert notifier.message_arrived(1234, customer_message(1)) is None


@pytest.mark.parametrize(("span", "inside", "outside"), [
    ("22:00-07:30", [time(23, 0), time(0, 5), time(7, 29)], [time(7, 30), time(12, 0), time(21, 59)]),
    ("12:00-13:00", [time(12, 0), time(12, 59)], [time(13, 0), time(11, 59)]),
])
def test_quiet_hours_may_cross_midnight(span: str, inside: list[time], outside: list[time]) -> None:
    quiet = QuietHours.parse(span)
    assert quiet is not None
    assert all(quiet.contains(t) for t in inside)
    assert not any(quiet.contains(t) for t in outside)
    policy = NotificationPolicy(quiet_hours=quiet)
    assert policy.quiet_at(datetime.combine(NOW.date(), inside[0]))


@pytest.mark.parametrize("bad", ["22-07", "25:00-07:00", "22:00-07:60", "always"])
def test_quiet_hours_that_are_not_a_span_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(bad)
    assert QuietHours.parse("  ") is None


@pytest.mark.parametrize("protocol", list(DesktopProtocol))
def test_the_desktop_notification_carries_no_escape_from_a_hostile_subject(protocol: DesktopProtocol) -> None:
    notifier = rules()
    ticket = make_ticket(assignee=ANNA, subject=HOSTILE_SUBJECT)
    notifier.ticket_changed(ticket)
    notice = notifier.assignment(ticket, [assignment_entry(5, "lena", "Lena\x1b[2J;\x07")])
    assert notice is not None
    sequence = osc_notification(notice, protocol)
    opener = "\x1b]777;notify;" if protocol is DesktopProtocol.OSC777 else "\x1b]9;"
    assert sequence.startswith(opener) and sequence.endswith("\x07")
    payload = sequence[len(opener):-1]
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in payload)
    assert "\u202e" not in payload
    # Only our own field separator is left: the subject cannot add fields or sub-commands.
    assert payload.count(";") == (1 if protocol is DesktopProtocol.OSC777 else 0)
    assert "Assigned to you" in payload and "#1234" in payload
