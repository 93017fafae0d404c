"""Open tickets per queue over the window, and created vs solved per interval, as text sparklines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.domain.dashboard_state import Interval, Level, downsample, sparkline
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import _
from supportdesk_tui.widgets._component_styles import ComponentStyles

NAME_WIDTH = 16
NUMBER_WIDTH = 5


@dataclass(frozen=True, slots=True)
class TrendRow:
    name: str
    values: tuple[int, ...]
    level: Level = "ok"


class TrendChart(Widget):
    """Draws at its current width: one column per interval, or several intervals per column."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "trend-chart--title",
        "trend-chart--line",
        "trend-chart--warning",
        "trend-chart--alarm",
        "trend-chart--created",
        "trend-chart--solved",
        "trend-chart--muted",
    }
    DEFAULT_CSS = """
    TrendChart { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    TrendChart > .trend-chart--title { color: $text-muted; text-style: bold; }
    TrendChart > .trend-chart--line { color: $primary; }
    TrendChart > .trend-chart--warning { color: $alarm-warning; }
    TrendChart > .trend-chart--alarm { color: $alarm-critical; }
    TrendChart > .trend-chart--created { color: $status-new; }
    TrendChart > .trend-chart--solved { color: $success; }
    TrendChart > .trend-chart--muted { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[TrendRow, ...] = ()
        self.intervals: tuple[Interval, ...] = ()
        self.window_label = ""
        self._styles = ComponentStyles(self, "trend-chart")

    def show(self, rows: list[TrendRow], intervals: list[Interval], window_label: str) -> None:
        new = (tuple(rows), tuple(intervals), window_label)
        if new == (self.rows, self.intervals, self.window_label):
            return
        # Only the number of queues changes the height; new numbers are a repaint (a layout
        # pass of the whole dashboard on every live answer was most of its frame).
        resized = len(new[0]) != len(self.rows)
        self.rows, self.intervals, self.window_label = new
        self.refresh(layout=resized)

    @property
    def points(self) -> int:
        """How many intervals the chart holds for its longest queue (grows as time passes)."""
        return max((len(row.values) for row in self.rows), default=0)

    def _style(self, name: str) -> Style:
        return self._styles.get(name)

    def render(self) -> RenderableType:
        columns = max(1, self.size.width - NAME_WIDTH - NUMBER_WIDTH - 2)
        text = Text(no_wrap=True, overflow="crop")
        text.append(_("Open tickets, {window}").format(window=self.window_label) + "\n",
                    style=self._style("title"))
        if not self.rows:
            text.append(_("No history yet.") + "\n", style=self._style("muted"))
        for row in self.rows:
            values = downsample(list(row.values), columns)
            style = {"ok": "line", "warning": "warning", "alarm": "alarm"}[row.level]
            text.append(f"{one_line(row.name)[:NAME_WIDTH]:<{NAME_WIDTH}} ")
            text.append(sparkline(values), style=self._style(style))
            last = str(row.values[-1]) if row.values else "—"
            text.append(f" {last:>{NUMBER_WIDTH}}\n")
        created = [i.created for i in self.intervals]
        solved = [i.solved for i in self.intervals]
        text.append(_("Created vs solved per interval (total in the window)") + "\n",
                    style=self._style("title"))
        c_cols = downsample(created, columns, total=True)
        s_cols = downsample(solved, columns, total=True)
        high = max([*c_cols, *s_cols, 1])
        for label, cols, values, style in ((_("created"), c_cols, created, "created"),
                                           (_("solved"), s_cols, solved, "solved")):
            text.append(f"{label[:NAME_WIDTH]:<{NAME_WIDTH}} ")
            text.append(sparkline(cols, low=0, high=high), style=self._style(style))
            text.append(f" {sum(values):>{NUMBER_WIDTH}}\n")
        text.rstrip()
        return text
