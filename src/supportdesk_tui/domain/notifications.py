"""Which live events tell the agent something (a toast, the bell, a desktop notification), once each.

Three kinds: a ticket assigned to me by someone else, a customer answering on my ticket, and one
of my tickets about to breach its SLA. `NotificationRules` sees the event stream's tickets and
messages and answers with `Notice`s; it remembers what it announced, so an event replayed after a
reconnect (the server resends from the last event id) or seen twice is announced once.

The words are ours; ticket fields (subject, names) are untrusted and cut to one line. For the
terminal's desktop notification (OSC 9 / OSC 777) `osc_notification` strips every control
character — BEL, ESC, C1 (ST, CSI, OSC) and the format characters — so a subject cannot end the
sequence early and write its own.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum

from supportdesk_tui.contract.models import HistoryEntry, HistoryKind, Message, MessageKind, Ticket
from supportdesk_tui.domain.plain_text import is_unsafe_char, one_line
from supportdesk_tui.domain.sla import DeadlineKind, SlaRisk, sla_state
from supportdesk_tui.i18n import _

__all__ = [
    "DesktopProtocol",
    "Notice",
    "NoticeKind",
    "NotificationPolicy",
    "NotificationRules",
    "QuietHours",
    "osc_notification",
]

REMEMBERED = 4096  # announced keys kept for dedupe (oldest forgotten first)
_SUBJECT_MAX = 80
_OSC_MAX = 240


class NoticeKind(StrEnum):
    ASSIGNED = "assigned"
    CUSTOMER_REPLIED = "customer_replied"
    SLA_AT_RISK = "sla_at_risk"


class DesktopProtocol(StrEnum):
    OSC9 = "osc9"  # iTerm2, WezTerm, kitty, Windows Terminal, ghostty
    OSC777 = "osc777"  # urxvt, foot, VTE terminals (GNOME Terminal, Tilix), ghostty


_QUIET_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time without sound or desktop notifications (may cross midnight)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """ "22:00-07:30" → QuietHours; "" → None; anything else raises `ValueError`."""
        if not text.strip():
            return None
        match = _QUIET_HOURS.match(text)
        if match is None:
            raise ValueError(f"quiet hours must look like 22:00-07:30, not {text!r}")
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        try:
            return cls(time(h1, m1), time(h2, m2))
        except ValueError as exc:
            raise ValueError(f"quiet hours {text!r}: {exc}") from None

    def contains(self, moment: time) -> bool:
        moment = moment.replace(second=0, microsecond=0, tzinfo=None)
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight


@dataclass(frozen=True)
class NotificationPolicy:
    """The agent's choices (config `[notifications]`)."""

    kinds: frozenset[NoticeKind] = frozenset(NoticeKind)
    bell: bool = False
    desktop: bool = True
    protocol: DesktopProtocol = DesktopProtocol.OSC9
    quiet_hours: QuietHours | None = None
    sla_warning: timedelta = timedelta(minutes=15)

    def quiet_at(self, local: datetime) -> bool:
        return self.quiet_hours is not None and self.quiet_hours.contains(local.time())


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    ticket_id: int
    key: str  # what makes it this event: announced once
    title: str
    body: str


def _subject(ticket: Ticket) -> str:
    text = one_line(ticket.subject)
    return text if len(text) <= _SUBJECT_MAX else text[: _SUBJECT_MAX - 1] + "…"


def _deadline_words(kind: DeadlineKind | None) -> str:
    if kind is DeadlineKind.FIRST_RESPONSE:
        return _("first response")
    if kind is DeadlineKind.NEXT_RESPONSE:
        return _("next response")
    return _("resolution")


@dataclass
class NotificationRules:
    """Decides which events notify, and remembers which it announced."""

    me_id: int
    me_login: str
    policy: NotificationPolicy = field(default_factory=NotificationPolicy)
    _mine: dict[int, Ticket] = field(default_factory=dict)
    _assignee: dict[int, int | None] = field(default_factory=dict)
    _announced: OrderedDict[str, None] = field(default_factory=OrderedDict)

    # --- what the rules know --------------------------------------------------

    def prime(self, tickets: Iterable[Ticket]) -> None:
        """My tickets as they are at start: known, never announced for what they already are."""
        for ticket in tickets:
            self._learn(ticket)

    def my_tickets(self) -> list[Ticket]:
        return list(self._mine.values())

    def _learn(self, ticket: Ticket) -> None:
        assignee = ticket.assignee.id if ticket.assignee is not None else None
        self._assignee[ticket.id] = assignee
        if assignee == self.me_id:
            self._mine[ticket.id] = ticket
        else:
            self._mine.pop(ticket.id, None)

    def _once(self, notice: Notice) -> Notice | None:
        if notice.kind not in self.policy.kinds or notice.key in self._announced:
            return None
        self._announced[notice.key] = None
        while len(self._announced) > REMEMBERED:
            self._announced.popitem(last=False)
        return notice

    # --- events -------------------------------------------------------------------

    def ticket_changed(self, ticket: Ticket) -> bool:
        """Learn the ticket; True when it may just have been assigned to me (the caller then
        reads its history and hands it to `assignment`, which says who did it)."""
        before = self._assignee.get(ticket.id, -1)  # -1: never seen in this session
        self._learn(ticket)
        mine_now = ticket.assignee is not None and ticket.assignee.id == self.me_id
        return (mine_now and before != self.me_id and NoticeKind.ASSIGNED in self.policy.kinds)

    def assignment(self, ticket: Ticket, history: Sequence[HistoryEntry]) -> Notice | None:
        """The notice for the assignment that made `ticket` mine, if someone else made it.

        The newest assignee entry of the history is the one; my own taking (or my reply, which
        assigns an unassigned ticket to me) is no news."""
        entry = next((e for e in reversed(history) if e.kind is HistoryKind.ASSIGNEE), None)
        if entry is None or entry.new is None or entry.at != ticket.updated_at:
            return None  # not this change: an older assignment, seen again with a later change
        if entry.actor.type == "agent" and entry.actor.id == self.me_login:
            return None
        return self._once(Notice(
            NoticeKind.ASSIGNED, ticket.id, f"assigned:{ticket.id}:{entry.id}",
            _("Assigned to you"),
            _("#{id} {subject} — by {name}").format(id=ticket.id, subject=_subject(ticket),
                                                    name=one_line(entry.actor.name))))

    def message_arrived(self, ticket_id: int, message: Message) -> Notice | None:
        ticket = self._mine.get(ticket_id)
        if ticket is None or message.kind is not MessageKind.CUSTOMER:
            return None
        return self._once(Notice(
            NoticeKind.CUSTOMER_REPLIED, ticket_id, f"customer:{ticket_id}:{message.id}",
            _("The customer answered"),
            _("#{id} {subject} — {name} wrote").format(id=ticket_id, subject=_subject(ticket),
                                                       name=one_line(message.author.name))))

    def sla_due(self, now: datetime) -> list[Notice]:
        """My tickets whose next deadline comes within the warning time (each deadline once)."""
        notices: list[Notice] = []
        for ticket in self._mine.values():
            state = sla_state(ticket, now, at_risk_window=self.policy.sla_warning)
            if state.risk is not SlaRisk.AT_RISK or state.deadline is None:
                continue
            minutes = max(1, round((state.remaining_seconds or 0) / 60))
            notice = self._once(Notice(
                NoticeKind.SLA_AT_RISK, ticket.id,
                f"sla:{ticket.id}:{state.kind}:{state.deadline.isoformat()}",
                _("SLA about to breach"),
                _("#{id} {subject} — {deadline} due in {minutes} min").format(
                    id=ticket.id, subject=_subject(ticket), deadline=_deadline_words(state.kind),
                    minutes=minutes)))
            if notice is not None:
                notices.append(notice)
        return notices


def _osc_text(value: str) -> str:
    # Every control and format character goes (BEL and ESC would end the sequence and start
    # another; C1 ST/CSI/OSC likewise); ";" separates OSC 777's fields and OSC 9's sub-commands.
    kept = "".join(" " if c in "\n\t" else c for c in value
                   if c in "\n\t" or not (is_unsafe_char(c) or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0))
    kept = " ".join(kept.replace(";", ",").split())
    return kept[:_OSC_MAX]


def osc_notification(notice: Notice, protocol: DesktopProtocol) -> str:
    """The escape sequence that asks the terminal for a desktop notification of `notice`."""
    title, body = _osc_text(notice.title), _osc_text(notice.body)
    if protocol is DesktopProtocol.OSC777:
        return f"\x1b]777;notify;{title};{body}\x07"
    return f"\x1b]9;{title}: {body}\x07"
