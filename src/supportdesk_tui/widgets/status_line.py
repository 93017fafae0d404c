"""One line at the bottom: connection state, outbox, and a short note."""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import _, ngettext

Connection = Literal["online", "connecting", "offline"]


class StatusLine(Widget):
    """Shows what the app knows about the server; state is set by methods, never fetched here."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-line--online",
        "status-line--connecting",
        "status-line--offline",
        "status-line--outbox",
        "status-line--note",
    }

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    StatusLine > .status-line--online { color: $success; }
    StatusLine > .status-line--connecting { color: $warning; }
    StatusLine > .status-line--offline { color: $error; text-style: bold; }
    StatusLine > .status-line--outbox { color: $warning; }
    StatusLine > .status-line--note { color: $text-muted; }
    """

    connection: reactive[Connection] = reactive("connecting")
    retry_in: reactive[int | None] = reactive(None)
    outbox: reactive[int] = reactive(0)
    note: reactive[str] = reactive("")

    def set_online(self) -> None:
        self.connection = "online"
        self.retry_in = None

    def set_connecting(self) -> None:
        self.connection = "connecting"

    def set_offline(self, retry_in: float | None = None) -> None:
        self.connection = "offline"
        self.retry_in = None if retry_in is None else max(0, round(retry_in))

    def set_outbox(self, waiting: int) -> None:
        self.outbox = max(0, waiting)

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
        elif state == "connecting":
            label = "◌ " + _("Connecting…")
        elif self.retry_in is not None:
            label = "✕ " + _("Offline — showing what was loaded; retrying in {n} s").format(n=self.retry_in)
        else:
            label = "✕ " + _("Offline — showing what was loaded")
        line.append(label, style=self._style(state))
        if self.outbox:
            line.append("  ·  ")
            line.append(
                ngettext("Outbox: {n} waiting", "Outbox: {n} waiting", self.outbox).format(n=self.outbox),
                style=self._style("outbox"),
            )
        if self.note:
            line.append("  ·  ")
            line.append(one_line(self.note), style=self._style("note"))
        return line
