"""A glance at the highlighted ticket: its last few messages, without opening it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import Message, MessageKind, Ticket
from supportdesk_tui.domain.safe_text import one_line, sanitize
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.times import time_ago
from supportdesk_tui.widgets.log_hint import with_log_hint
from supportdesk_tui.widgets.thread import kind_title


class TicketPreview(VerticalScroll):
    """States: nothing highlighted, loading, no messages, or the last `LIMIT` messages (newest last)."""

    LIMIT = 4
    BODY_CHARS = 400

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "preview--subject",
        "preview--muted",
        "preview--customer",
        "preview--reply",
        "preview--note",
    }

    DEFAULT_CSS = """
    TicketPreview { height: 1fr; background: $surface; padding: 0 1; border-top: solid $panel-lighten-2; }
    TicketPreview > Static { height: auto; }
    TicketPreview > .preview--state { color: $text-muted; text-style: italic; padding: 1 0; }
    TicketPreview > .preview--message { margin-top: 1; padding-left: 1; border-left: outer $customer-border; }
    TicketPreview > .preview--message.-reply { border-left: outer $reply-border; }
    TicketPreview > .preview--message.-note { border-left: outer $note-border; background: $note-background; }
    TicketPreview > .preview--subject { text-style: bold; }
    TicketPreview > .preview--muted { color: $text-muted; }
    TicketPreview > .preview--customer { color: $customer-border; text-style: bold; }
    TicketPreview > .preview--reply { color: $reply-border; text-style: bold; }
    TicketPreview > .preview--note { color: $note-border; text-style: bold; }
    """

    def __init__(
        self,
        *,
        clock: Clock = utc_now,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock
        self.ticket: Ticket | None = None
        # What `relabel` draws again: the last state shown, with the data it was shown with.
        self._redraw: Callable[[], None] = self.show_nothing

    def compose(self) -> ComposeResult:
        yield Static(_("Highlight a ticket to preview it."), classes="preview--state")

    def relabel(self) -> None:
        scrolled_to = self.scroll_y
        self._redraw()
        self.call_after_refresh(self.scroll_to, y=scrolled_to, animate=False)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"preview--{name}", partial=True)

    def show_nothing(self) -> None:
        self.ticket = None
        self._redraw = self.show_nothing
        self._replace([Static(_("Highlight a ticket to preview it."), classes="preview--state")])

    def show_loading(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self._redraw = lambda: self.show_loading(ticket)
        self._replace([self._subject(ticket), Static(_("Loading messages…"), classes="preview--state")])

    def show_messages(self, ticket: Ticket, messages: Sequence[Message]) -> None:
        """Show the newest `LIMIT` of `messages` (any order)."""
        self.ticket = ticket
        self._redraw = lambda: self.show_messages(ticket, messages)
        newest = sorted(messages, key=lambda m: (m.created_at, m.id))[-self.LIMIT :]
        if not newest:
            self._replace([self._subject(ticket), Static(_("No messages yet."), classes="preview--state")])
            return
        widgets = [self._subject(ticket)] + [self._message(m) for m in newest]
        self._replace(widgets)
        self.call_after_refresh(self.scroll_end, animate=False)

    def show_error(self, ticket: Ticket, message: str) -> None:
        self.ticket = ticket
        self._redraw = lambda: self.show_error(ticket, message)
        self._replace([self._subject(ticket),
                       Static(Text(with_log_hint(one_line(message))), classes="preview--state")])

    def _replace(self, widgets: list[Static]) -> None:
        with self.app.batch_update():
            self.remove_children()
            self.mount_all(widgets)

    def _subject(self, ticket: Ticket) -> Static:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"#{ticket.id} ", style=self._style("muted"))
        text.append(one_line(ticket.subject), style=self._style("subject"))
        text.append("\n")
        text.append(one_line(ticket.requester.name), style=self._style("muted"))
        return Static(text)

    def _message(self, message: Message) -> Static:
        text = Text()
        label = _("Internal note") if message.kind is MessageKind.NOTE else kind_title(message.kind)
        text.append(label, style=self._style(message.kind.value))
        text.append(" · ", style=self._style("muted"))
        text.append(one_line(message.author.name))
        text.append(" · " + time_ago(message.created_at, self.clock()), style=self._style("muted"))
        text.append("\n")
        body = message.body.strip()
        if len(body) > self.BODY_CHARS:
            body = body[: self.BODY_CHARS].rstrip() + "…"
        text.append(sanitize(body))
        return Static(text, classes=f"preview--message -{message.kind.value}")
