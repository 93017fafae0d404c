"""One line at the bottom: connection state, outbox, and a short note.

The outbox part is a way in: a click on it (or the `app.outbox` key it names) asks for the
Outbox screen, where failed replies are edited, resent or discarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import _, ngettext

Connection = Literal["online", "connecting", "reconnecting", "offline"]


def _short(url: str) -> str:
    """host:port of a base URL: enough to tell instances apart on one line."""
    return urlsplit(url).netloc or url


class StatusLine(Widget):
    """Shows what the app knows about the server; state is set by methods, never fetched here."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-line--online",
        "status-line--connecting",
        "status-line--reconnecting",
        "status-line--offline",
        "status-line--outbox",
        "status-line--failed",
        "status-line--note",
        "status-line--selected",
    }
    # The binding that opens the Outbox screen; its current key (after any remap) is shown.
    OUTBOX_BINDING_ID: ClassVar[str] = "app.outbox"

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    StatusLine > .status-line--online { color: $success; }
    StatusLine > .status-line--connecting { color: $warning; }
    StatusLine > .status-line--reconnecting { color: $warning; text-style: bold; }
    StatusLine > .status-line--offline { color: $error; text-style: bold; }
    StatusLine > .status-line--outbox { color: $warning; }
    StatusLine > .status-line--failed { color: $error; text-style: bold; }
    StatusLine > .status-line--note { color: $text-muted; }
    StatusLine > .status-line--selected { color: $accent; text-style: bold; }
    """

    connection: reactive[Connection] = reactive("connecting")
    retry_in: reactive[int | None] = reactive(None)
    outbox: reactive[int] = reactive(0)
    failed: reactive[int] = reactive(0)
    note: reactive[str] = reactive("")
    selected: reactive[int] = reactive(0)  # tickets marked in the queue for a bulk action
    # With several instances of the backend: the one live, or being reconnected to.
    instance: reactive[str] = reactive("")

    @dataclass
    class OutboxRequested(Message):
        """The agent clicked the outbox count: show the waiting and failed items."""

        status_line: StatusLine

        @property
        def control(self) -> StatusLine:
            return self.status_line

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._outbox_span: tuple[int, int] | None = None

    def set_online(self, instance: str = "") -> None:
        self.connection = "online"
        self.instance = instance
        self.retry_in = None

    def set_connecting(self) -> None:
        self.connection = "connecting"

    def set_reconnecting(self, instance: str) -> None:
        """The instance in use failed; the app is moving to `instance`."""
        self.connection = "reconnecting"
        self.instance = instance
        self.retry_in = None

    def set_offline(self, retry_in: float | None = None) -> None:
        self.connection = "offline"
        self.retry_in = None if retry_in is None else max(0, round(retry_in))

    def set_outbox(self, waiting: int, failed: int = 0) -> None:
        self.outbox = max(0, waiting)
        self.failed = max(0, failed)

    def set_selected(self, count: int) -> None:
        self.selected = max(0, count)

    def set_note(self, text: str) -> None:
        """A short message (may contain server text: shown literally on one line)."""
        self.note = text

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"status-line--{name}", partial=True)

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        state = self.connection
        if state == "online":
            label = "● " + _("Online")
            if self.instance:
                label += " · " + _("via {server}").format(server=one_line(_short(self.instance)))
        elif state == "connecting":
            label = "◌ " + _("Connecting…")
        elif state == "reconnecting":
            label = "◌ " + _("Reconnecting to {server}…").format(server=one_line(_short(self.instance)))
        elif self.retry_in is not None:
            label = "✕ " + _("Offline — showing what was loaded; retrying in {n} s").format(n=self.retry_in)
        else:
            label = "✕ " + _("Offline — showing what was loaded")
        line.append(label, style=self._style(state))
        self._outbox_span = None
        if self.outbox or self.failed:
            line.append("  ·  ")
            start = line.cell_len
            if self.failed:
                line.append(
                    ngettext("Outbox: {n} failed", "Outbox: {n} failed", self.failed).format(n=self.failed),
                    style=self._style("failed"),
                )
                if self.outbox:
                    line.append(", ")
                    line.append(ngettext("{n} waiting", "{n} waiting", self.outbox).format(n=self.outbox),
                                style=self._style("outbox"))
            else:
                line.append(
                    ngettext("Outbox: {n} waiting", "Outbox: {n} waiting", self.outbox).format(n=self.outbox),
                    style=self._style("outbox"),
                )
            key = self._outbox_key()
            if key:
                line.append(" (" + key + ")", style=self._style("failed" if self.failed else "outbox"))
            self._outbox_span = (start, line.cell_len)
        if self.selected:
            line.append("  ·  ")
            count = ngettext("{n} selected", "{n} selected", self.selected).format(n=self.selected)
            line.append("✓ " + count, style=self._style("selected"))
        if self.note:
            line.append("  ·  ")
            line.append(one_line(self.note), style=self._style("note"))
        return line

    def _outbox_key(self) -> str:
        """The key that opens the outbox as the agent's keymap has it (empty if unbound here)."""
        try:
            active = self.screen.active_bindings
        except Exception:  # not on a screen yet
            return ""
        for entry in active.values():
            if entry.binding.id == self.OUTBOX_BINDING_ID and not entry.binding.system:
                return self.app.get_key_display(entry.binding)
        return ""

    def outbox_at(self, x: int) -> bool:
        """Whether content column `x` falls on the outbox count."""
        span = self._outbox_span
        return span is not None and span[0] <= x < span[1]

    def on_click(self, event: events.Click) -> None:
        # Click offsets count the padding; the rendered text starts after it.
        if self.outbox_at(event.x - self.styles.padding.left):
            event.stop()
            self.post_message(self.OutboxRequested(self))
