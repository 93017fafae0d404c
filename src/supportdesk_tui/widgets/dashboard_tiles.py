"""One tile per queue (and one for all queues): counts, and the threshold level as colour and word."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.contract.models import CountByKey
from supportdesk_tui.domain.dashboard_state import Level, MetricCheck
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import language_label, priority_label
from supportdesk_tui.i18n.times import wait_in_words
from supportdesk_tui.widgets.dashboard_format import level_badge

LEVEL_CLASSES = ("-warning", "-alarm")


class QueueTile(Widget):
    """Shows what it is given; `show()` is called after each `/stats/live` answer."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-tile--number",
        "queue-tile--muted",
        "queue-tile--at-risk",
        "queue-tile--breached",
        "queue-tile--level",
    }
    DEFAULT_CSS = """
    QueueTile {
        height: 5; border: round $panel-lighten-2; padding: 0 1;
        border-title-color: $text; border-title-style: bold;
    }
    QueueTile > .queue-tile--number { text-style: bold; }
    QueueTile > .queue-tile--muted { color: $text-muted; }
    QueueTile > .queue-tile--at-risk { color: $sla-at-risk; }
    QueueTile > .queue-tile--breached { color: $sla-breached; }
    QueueTile > .queue-tile--level { text-style: bold; }
    QueueTile.-warning { border: heavy $alarm-warning; border-subtitle-color: $alarm-warning; }
    QueueTile.-warning > .queue-tile--level { color: $alarm-warning; }
    QueueTile.-alarm { border: heavy $alarm-critical; border-subtitle-color: $alarm-critical;
                       background: $alarm-critical 12%; }
    QueueTile.-alarm > .queue-tile--level { color: $alarm-critical; }
    """

    def __init__(self, queue_id: str, name: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queue_id = queue_id
        self.queue_name = name
        self.counts: CountByKey | None = None
        self.checks: list[MetricCheck] = []
        self.level: Level = "ok"

    def on_mount(self) -> None:
        # A queue name is backend text: literal Text (a str border title is parsed as markup).
        self.border_title = safe_text(self.queue_name, single_line=True)

    def rename(self, name: str) -> None:
        self.queue_name = name
        self.border_title = safe_text(name, single_line=True)

    def relabel(self) -> None:
        self.border_subtitle = level_badge(self.checks, self.level)

    def show(self, counts: CountByKey | None, checks: list[MetricCheck], level: Level) -> None:
        if (counts, checks, level) == (self.counts, self.checks, self.level):
            return  # nothing moved: no repaint
        self.counts, self.checks, self.level = counts, checks, level
        self.set_class(level == "warning", "-warning")
        self.set_class(level == "alarm", "-alarm")
        self.border_subtitle = level_badge(checks, level)
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"queue-tile--{name}", partial=True)

    def render(self) -> RenderableType:
        counts = self.counts
        text = Text(no_wrap=True, overflow="ellipsis")
        if counts is None:
            text.append(_("Loading…"), style=self._style("muted"))
            return text
        text.append(str(counts.open), style=self._style("number"))
        text.append(" " + _("open") + "  ")
        text.append(str(counts.unassigned), style=self._style("number"))
        text.append(" " + _("unassigned") + "\n")
        text.append(_("oldest waiting") + " ", style=self._style("muted"))
        text.append(wait_in_words(counts.oldest_waiting_seconds) + "\n")
        text.append(_("at SLA risk") + " ", style=self._style("muted"))
        text.append(str(counts.sla_at_risk), style=self._style("at-risk") if counts.sla_at_risk else "")
        text.append("  " + _("breached") + " ", style=self._style("muted"))
        text.append(str(counts.sla_breached), style=self._style("breached") if counts.sla_breached else "")
        return text


class CountsBreakdown(Widget):
    """Open / unassigned / at risk / breached by language and by priority."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"counts-breakdown--header", "counts-breakdown--breached"}
    DEFAULT_CSS = """
    CountsBreakdown { height: auto; }
    CountsBreakdown > .counts-breakdown--header { color: $text-muted; text-style: bold; }
    CountsBreakdown > .counts-breakdown--breached { color: $sla-breached; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[tuple[str, CountByKey], ...] = ()
        self._languages = 0

    def show(self, by_language: list[CountByKey], by_priority: list[CountByKey]) -> None:
        rows = tuple([(language_label(c.key), c) for c in by_language]
                     + [(priority_label(c.key), c) for c in reversed(by_priority)])
        if rows != self.rows:
            # Only a different number of rows changes the height; a new count is a repaint.
            self.refresh(layout=len(rows) != len(self.rows))
            self.rows = rows
            self._languages = len(by_language)

    def render(self) -> RenderableType:
        header = self.get_component_rich_style("counts-breakdown--header", partial=True)
        breached = self.get_component_rich_style("counts-breakdown--breached", partial=True)
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style=header, expand=True)
        table.add_column("", no_wrap=True)
        for title in (_("open"), _("unassigned"), _("at risk"), _("breached"), _("oldest")):
            table.add_column(title, justify="right", no_wrap=True)
        for index, (label, counts) in enumerate(self.rows):
            table.add_row(
                label, str(counts.open), str(counts.unassigned), str(counts.sla_at_risk),
                Text(str(counts.sla_breached), style=breached if counts.sla_breached else ""),
                wait_in_words(counts.oldest_waiting_seconds),
                end_section=index == self._languages - 1,
            )
        return table
