"""Fake data and a host app for the widget tests and the widget gallery (no tests in here)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.widget import Widget

from supportdesk_tui.contract.models import (
    AgentRef,
    EscalationRef,
    EscalationStatus,
    Language,
    Message,
    Presence,
    PresenceState,
    Priority,
    Sla,
    Status,
    Ticket,
)
from supportdesk_tui.themes import APP_TOKEN_DEFAULTS

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)

THEME_TOKENS: dict[str, str] = dict(APP_TOKEN_DEFAULTS)

_TEMPLATE = Ticket.model_validate(
    {
        "id": 1,
        "version": 1,
        "subject": "template",
        "status": "open",
        "priority": "normal",
        "queue": "general-en",
        "language": "en",
        "category": "account",
        "tags": ["login"],
        "requester": {
            "account_id": "u1001",
            "name": "Alice Carter",
            "email": "alice.carter@example.com",
            "phone": "+44 7700 900123",
            "language": "en",
        },
        "created_at": NOW,
        "updated_at": NOW,
        "sla": {},
    }
)

_SUBJECTS = (
    "Can't log in after password reset",
    "Не приходит код подтверждения",
    "Payment charged twice",
    "Аккаунт заблокирован без причины",
    "Photos fail to upload on Android",
    "Report: spam account impersonating me",
)
_NAMES = ("Alice Carter", "Борис Петров", "Chen Wei", "Дарья Смирнова", "Emeka Obi", "Fatima Khan")


_AGENTS = (
    AgentRef(id=1, login="anna", name="Anna Ivanova"),
    AgentRef(id=2, login="boris", name="Boris Lee"),
    AgentRef(id=3, login="chen", name="Chen Wei"),
)
_PRIORITIES = (Priority.NORMAL, Priority.HIGH, Priority.URGENT, Priority.NORMAL, Priority.LOW)
_STATUSES = (Status.OPEN, Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.OPEN)


def make_ticket(ticket_id: int, **changes: object) -> Ticket:
    """A realistic, varied ticket; `created_at` grows with the id so id order is creation order."""
    created = NOW - timedelta(days=30) + timedelta(seconds=ticket_id)
    status = _STATUSES[ticket_id % len(_STATUSES)]
    due_minutes = (ticket_id * 37) % 300 - 60  # some breached, some at risk, most fine
    presence: list[Presence] = []
    if ticket_id % 7 == 0:
        presence.append(Presence(agent=_AGENTS[ticket_id % 3], state=PresenceState.VIEWING,
                                 expires_at=NOW + timedelta(seconds=20)))
    if ticket_id % 11 == 0:
        presence.append(Presence(agent=_AGENTS[(ticket_id + 1) % 3], state=PresenceState.COMPOSING,
                                 expires_at=NOW + timedelta(seconds=20)))
    escalation = None
    if ticket_id % 9 == 0:
        escalation = EscalationRef(key=f"ENG-{400 + ticket_id % 97}",
                                   status=list(EscalationStatus)[ticket_id % 4],
                                   url="https://tracker.example.com/ENG")
    fields: dict[str, object] = {
        "id": ticket_id,
        "subject": _SUBJECTS[ticket_id % len(_SUBJECTS)],
        "status": status,
        "priority": _PRIORITIES[ticket_id % len(_PRIORITIES)],
        "language": Language.RU if ticket_id % 2 else Language.EN,
        "created_at": created,
        "updated_at": created,
        "waiting_since": NOW - timedelta(minutes=(ticket_id * 13) % 2000) if ticket_id % 4 else None,
        "requester": _TEMPLATE.requester.model_copy(update={"name": _NAMES[ticket_id % len(_NAMES)]}),
        "assignee": _AGENTS[ticket_id % 3] if ticket_id % 3 else None,
        "sla": Sla(
            first_response_due=NOW + timedelta(minutes=due_minutes),
            resolution_due=NOW + timedelta(hours=20),
            paused=status is Status.PENDING,
        ),
        "presence": presence,
        "escalation": escalation,
        "needs_reply": escalation is not None and escalation.status is EscalationStatus.FIXED,
    }
    fields.update(changes)
    return _TEMPLATE.model_copy(update=fields)


def make_message(message_id: int, kind: str, body: str, *, author: str = "Alice Carter",
                 minutes_ago: int = 5, ticket_id: int = 1) -> Message:
    return Message.model_validate(
        {
            "id": message_id,
            "ticket_id": ticket_id,
            "kind": kind,
            "author": {"type": "customer" if kind == "customer" else "agent", "id": "a1", "name": author},
            "body": body,
            "created_at": NOW - timedelta(minutes=minutes_ago),
        }
    )


class FakeQueue:
    """A cursor-paginated list in creation (= id) order; tickets are built only when a page is served."""

    def __init__(self, count: int, page_size: int = 50) -> None:
        self.ids = list(range(1, count + 1))
        self.page_size = page_size
        self.fetches = 0
        self.overrides: dict[int, Ticket] = {}
        self.fail = False

    async def fetch(self, after: str | None) -> tuple[list[Ticket], str | None]:
        self.fetches += 1
        if self.fail:
            raise ConnectionError("server unreachable")
        start = 0 if after is None else bisect.bisect_right(self.ids, int(after))
        chunk = self.ids[start : start + self.page_size]
        more = start + self.page_size < len(self.ids)
        tickets = [self.overrides.get(i) or make_ticket(i) for i in chunk]
        return tickets, (str(chunk[-1]) if more and chunk else None)


class WidgetHost(App[None]):
    """Mounts the given widgets with the app's theme tokens available."""

    def __init__(self, widgets: Iterable[Widget]) -> None:
        self._widgets = list(widgets)
        super().__init__()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_TOKENS)

    def compose(self) -> ComposeResult:
        yield from self._widgets
