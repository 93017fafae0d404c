"""Reading the first start's early answers (api/prefetch.py) for the pre-paint, before pydantic loads.

A first start paints the queue's first rows while the app imports (first_start.py). The contract
models would cost the very import the paint is there to hide, so this reads the few fields the
paint shows straight from the JSON, and strictly: the answer is untrusted input, and anything not
exactly as the contract describes it (a status that is not 200, a field of another type, a body
that is not JSON) means no paint, never an exception. The strings still go through the painter's
sanitiser; the app itself never sees these values, it reads the server again with its own client.

Standard library only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from supportdesk_tui.api.prefetch import PrefetchedAnswer

# Ids are positive and fit a column of seven cells; a server that says otherwise is not painted.
_MAX_TICKET_ID = 10**12
_MAX_ROWS = 200


@dataclass(frozen=True)
class EarlyMe:
    name: str
    role: str


@dataclass(frozen=True)
class EarlyTicket:
    """What the pre-paint shows of a ticket: the columns that identify it."""

    id: int
    priority: str
    status: str
    subject: str
    requester: str
    assignee: str | None  # the assignee's login


def _json_object(answer: PrefetchedAnswer | None) -> dict[str, Any] | None:
    if answer is None or answer.status != 200:
        return None
    try:
        value: Any = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def read_me(answer: PrefetchedAnswer | None) -> EarlyMe | None:
    """Who signed in, from `/me`'s answer; None unless it is exactly what the contract says."""
    record = _json_object(answer)
    if record is None:
        return None
    name, role = record.get("name"), record.get("role")
    if not isinstance(name, str) or not isinstance(role, str):
        return None
    return EarlyMe(name, role)


def _ticket(item: object) -> EarlyTicket | None:
    if not isinstance(item, dict):
        return None
    ticket_id = item.get("id")
    if type(ticket_id) is not int or not 0 < ticket_id < _MAX_TICKET_ID:
        return None
    priority, status, subject = item.get("priority"), item.get("status"), item.get("subject")
    if not (isinstance(priority, str) and isinstance(status, str) and isinstance(subject, str)):
        return None
    requester, assignee = item.get("requester"), item.get("assignee")
    if not isinstance(requester, dict) or not isinstance(requester.get("name"), str):
        return None
    login: str | None = None
    if assignee is not None:
        if not isinstance(assignee, dict) or not isinstance(assignee.get("login"), str):
            return None
        login = assignee["login"]
    return EarlyTicket(ticket_id, priority, status, subject, requester["name"], login)


def read_tickets(answer: PrefetchedAnswer | None) -> list[EarlyTicket] | None:
    """The tickets of a `/tickets` page's answer, in the server's order; None unless every item is
    a ticket as the contract describes it."""
    record = _json_object(answer)
    items = record.get("data") if record is not None else None
    if not isinstance(items, list) or len(items) > _MAX_ROWS:
        return None
    tickets: list[EarlyTicket] = []
    for item in items:
        ticket = _ticket(item)
        if ticket is None:
            return None
        tickets.append(ticket)
    return tickets
