"""One tile per queue (and one for all queues): counts, and the threshold level as colour and word."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.contract.models import CountByKey
from supportdesk_tui.domain.dashboard_state import Level, MetricCheck
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import _, npgettext, pgettext
from supportdesk_tui.i18n.labels import language_label, priority_label
from supportdesk_tui.i18n.times import time_waited, wait_in_words
from supportdesk_tui.widgets._component_styles import ComponentStyles
from supportdesk_tui.widgets.dashboard_format import level_badge
from supportdesk_tui.widgets.plain_table import PlainTable

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
        self._styles = ComponentStyles(self, "queue-tile")

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
        return self._styles.get(name)

    def render(self) -> RenderableType:
        counts = self.counts
        text = Text(no_wrap=True, overflow="ellipsis")
        if counts is None:
            text.append(_("Loading…"), style=self._style("muted"))
            return text
        room = max(1, self.content_region.width or self.size.width - 4)
        number, muted = self._style("number"), self._style("muted")
        at_risk = self._style("at-risk") if counts.sla_at_risk else Style()
        breached = self._style("breached") if counts.sla_breached else Style()
        opened = [(str(counts.open), number),
                  (" " + npgettext("tile", "open", "open", counts.open), Style())]
        unassigned = [(str(counts.unassigned), number),
                      (" " + npgettext("tile", "unassigned", "unassigned", counts.unassigned), Style())]
        oldest = wait_in_words(counts.oldest_waiting_seconds)
        risk = [(_("at SLA risk") + " ", muted), (str(counts.sla_at_risk), at_risk)]
        breach = [("  " + _("breached") + " ", muted), (str(counts.sla_breached), breached)]
        # Three lines; each says the most it can in full words (a narrow tile drops the less
        # telling part rather than cutting a word).
        lines = [
            _fit_line(room, [*opened, ("  ", Style()), *unassigned], opened),
            _fit_line(room, [(_("oldest waiting") + " ", muted), (oldest, Style())],
                      [(pgettext("tile", "waits") + " ", muted),
                       (time_waited(counts.oldest_waiting_seconds), Style())]),
            _fit_line(room, [*risk, *breach],
                      [(pgettext("tile", "at risk") + " ", muted), (str(counts.sla_at_risk), at_risk),
                       ("  " + pgettext("tile", "late") + " ", muted), (str(counts.sla_breached), breached)],
                      unassigned),
        ]
        for index, line in enumerate(lines):
            if index:
                text.append("\n")
            for piece, style in line:
                text.append(piece, style=style)
        return text


def _fit_line(room: int, *candidates: list[tuple[str, Style]]) -> list[tuple[str, Style]]:
    """The first candidate line whose words fit in `room` cells, else the last one."""
    for candidate in candidates:
        if sum(cell_len(piece) for piece, _style in candidate) <= room:
            return candidate
    return candidates[-1]


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
        titles = ("", pgettext("breakdown", "open"), pgettext("breakdown", "unassigned"),
                  pgettext("breakdown", "at risk"), pgettext("breakdown", "breached"),
                  pgettext("breakdown", "oldest"))
        rows = tuple(
            (label, str(counts.open), str(counts.unassigned), str(counts.sla_at_risk),
             Text(str(counts.sla_breached), style=breached if counts.sla_breached else ""),
             wait_in_words(counts.oldest_waiting_seconds))
            for label, counts in self.rows
        )
        return PlainTable(titles, rows, header, sections=frozenset({self._languages - 1}))
