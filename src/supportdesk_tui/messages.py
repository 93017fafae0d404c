"""Cross-screen messages: what the live event stream and the session tell every open view.

Widget-local messages live on their widgets; only messages that several screens
handle are here. (What screens ask of the app, like opening a ticket, is in `navigation.py`.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from textual.message import Message as TextualMessage

from supportdesk_tui.contract.models import Escalation, Message, Presence, Queue, Ticket, TicketStamp


@dataclass
class TicketChanged(TextualMessage):
    """A ticket was created or updated on the server."""

    ticket: Ticket
    created: bool = False


@dataclass
class MessageArrived(TextualMessage):
    ticket_id: int
    message: Message


@dataclass
class PresenceChanged(TextualMessage):
    ticket_id: int
    presence: list[Presence]


@dataclass
class QueuesChanged(TextualMessage):
    queues: list[Queue]

    def can_replace(self, message: TextualMessage) -> bool:
        # Only the newest counts matter: a burst of count events costs one repaint.
        return isinstance(message, QueuesChanged)


@dataclass
class EscalationChanged(TextualMessage):
    escalation: Escalation


@dataclass
class StreamReset(TextualMessage):
    """Events were missed beyond what the server keeps: reload what is shown."""


@dataclass
class ConnectionChanged(TextualMessage):
    state: str  # "live" | "polling" | "connecting" | "reconnecting" | "offline"
    detail: str = ""
    # With several instances: the one live or being reconnected to (empty with one server).
    instance: str = ""


@dataclass
class OutboxChanged(TextualMessage):
    waiting: int
    failed: int


class Publish(Protocol):
    """Hands a fresh `build(**fields)` to every subscribed view (the app's `publish`); the session
    publishes through one, so it never needs the app."""

    def __call__(self, build: type[TextualMessage], /, **fields: object) -> None: ...


@dataclass
class SelectionChanged(TextualMessage):
    """The tickets marked in the queue changed: each with the version it was marked at (what an
    action over them sends as `If-Match`). Any action over a bulk selection starts from this."""

    stamps: tuple[TicketStamp, ...]
