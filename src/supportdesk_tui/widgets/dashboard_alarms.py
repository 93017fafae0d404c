"""The short log of threshold crossings, newest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.domain.dashboard_state import AlarmEntry
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import alarm_level_label
from supportdesk_tui.widgets.dashboard_format import check_in_words

SHOWN = 8


class AlarmLog(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "alarm-log--ok",
        "alarm-log--warning",
        "alarm-log--alarm",
        "alarm-log--muted",
    }
    DEFAULT_CSS = """
    AlarmLog { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    AlarmLog > .alarm-log--ok { color: $success; }
    AlarmLog > .alarm-log--warning { color: $alarm-warning; text-style: bold; }
    AlarmLog > .alarm-log--alarm { color: $alarm-critical; text-style: bold; }
    AlarmLog > .alarm-log--muted { color: $text-muted; }
    """

    def __init__(self, queue_name: Callable[[str], str], *, shown: int = SHOWN,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue_name = queue_name
        self.shown = shown
        self.entries: tuple[AlarmEntry, ...] = ()
        self.configured = True

    def show(self, entries: Sequence[AlarmEntry], *, configured: bool) -> None:
        newest = tuple(reversed(entries))[: self.shown]
        if (newest, configured) != (self.entries, self.configured):
            # Only a different number of lines changes the height; new text is a repaint.
            self.refresh(layout=len(newest) != len(self.entries) or configured != self.configured)
            self.entries, self.configured = newest, configured

    def render(self) -> RenderableType:
        muted = self.get_component_rich_style("alarm-log--muted", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.configured:
            text.append(_("No thresholds set (see docs/config.md)."), style=muted)
            return text
        if not self.entries:
            text.append(_("No alarms."), style=muted)
            return text
        for index, entry in enumerate(self.entries):
            if index:
                text.append("\n")
            text.append(entry.at.astimezone().strftime("%H:%M") + " ", style=muted)
            label = _("back to normal") if entry.level == "ok" else alarm_level_label(entry.level)
            text.append(f"{label} ",
                        style=self.get_component_rich_style(f"alarm-log--{entry.level}", partial=True))
            text.append(one_line(self.queue_name(entry.queue)) + ": ")
            text.append(check_in_words(entry.metric, entry.value, entry.limit))
        return text
