"""Where the agent asks to go: messages screens and palette commands post, and the app's
navigator (navigator.py) answers by building and showing screens. So no screen imports another
screen or the app, and the one place that knows every screen class is the navigator.

A screen posts them with `self.post_message(...)`; they bubble to the app. (The live messages
the session publishes to open views are in `messages.py`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from textual.message import Message as TextualMessage

if TYPE_CHECKING:
    from textual.screen import Screen

    from supportdesk_tui.api.answers import PageResult
    from supportdesk_tui.contract.models import Message, Ticket

# Enough cards to fill a tall terminal; each mounted card costs layout and CSS time on open,
# and older messages come in pages as the agent scrolls up. A screen that prefetches a ticket
# for the conversation (the queue's preview) asks for this many.
FIRST_PAGE_MESSAGES = 20


@dataclass(frozen=True)
class Prefetched:
    """The ticket and its newest messages as another screen already fetched them (the queue's
    preview): the conversation paints them at once and refreshes them behind the agent's back."""

    ticket: Ticket
    newest_first: PageResult[Message]


@dataclass
class OpenTicket(TextualMessage):
    """Show the conversation of `ticket_id` over the current screen."""

    ticket_id: int
    prefetched: Prefetched | None = None
    # Take the current screen's place instead (a customer's other ticket, opened from a ticket).
    instead_of_current: bool = False


@dataclass
class PrepareTicket(TextualMessage):
    """The agent is reading the preview of a ticket the queue fetched: the conversation may lay it
    out unseen, so that opening it only shows it. Not a way to show anything."""

    prefetched: Prefetched


@dataclass
class ShowQueue(TextualMessage):
    """Without `queue_id`: switch to the queue (kept installed, so its filter and cursor survive).
    With one (the palette's `queue: show …`): back to the queue under the current screen, showing
    that queue; nothing happens when there is none underneath."""

    queue_id: str | None = None


@dataclass
class ShowDashboard(TextualMessage):
    """The lead's dashboard (the wallboard when the app runs as one)."""


@dataclass
class ShowEscalations(TextualMessage):
    """The list of open escalations; someone who is not a lead is told why not."""


@dataclass
class ShowIncident(TextualMessage):
    """One escalation as an incident: its linked tickets, look-alikes to link, and the answer to all."""

    key: str


@dataclass
class LinkToEscalation(TextualMessage):
    """Link these tickets to an escalation (asked for when `key` is None); the agent hears the outcome.
    Posted by the ticket (one id) and by the queue's bulk selection (many)."""

    ticket_ids: tuple[int, ...]
    key: str | None = None


@dataclass
class NextTicket(TextualMessage):
    """Leave the current ticket for the next one that needs the agent (the queue picks it)."""


@dataclass
class ReturnTo(TextualMessage):
    """Close every screen above `screen`."""

    screen: Screen[Any]


@dataclass
class Reconnect(TextualMessage):
    """Sign in again (the connect screen's retry)."""


@dataclass
class SignIn(TextualMessage):
    """Sign in to `server` (one URL, or several instances as URL1,URL2) with `token` (the sign-in
    screen's form). Kept out of repr: Textual's crash reports print messages."""

    server: str
    token: str = field(repr=False)


# What the navigator answers; `Reconnect` and `SignIn` go to the app's sign-in instead.
NavigationRequest: TypeAlias = (OpenTicket | ShowQueue | ShowDashboard | ShowEscalations | NextTicket
                                 | ReturnTo | ShowIncident | LinkToEscalation)
