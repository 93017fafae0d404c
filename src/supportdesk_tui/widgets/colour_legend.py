"""The `?` screen's colour legend: every coloured state of a ticket, drawn as the queue draws it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.i18n import _
from supportdesk_tui.widgets._signals import GROUPS, SIGNALS, signal_classes, signal_css


class ColourLegend(Widget):
    """One column per group (priority, status, SLA): a sample in its colour, then what it means.

    Built from the same SIGNALS table as the queue's styles, and translated as it is drawn.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"colour-legend--title", "colour-legend--group"} | signal_classes(
        "colour-legend"
    )

    DEFAULT_CSS = """
    ColourLegend { height: auto; padding: 1 0 0 0; }
    ColourLegend > .colour-legend--title { text-style: bold; }
    ColourLegend > .colour-legend--group { color: $text-muted; text-style: bold; }
    """ + signal_css("ColourLegend", "colour-legend")

    def render(self) -> RenderableType:
        grid = Table.grid(padding=(0, 3), expand=False)
        columns: list[list[Text]] = []
        for group in GROUPS:
            group_style = self.get_component_rich_style("colour-legend--group", partial=True)
            lines = [Text(_(group), style=group_style)]
            for signal in SIGNALS:
                if signal.group != group:
                    continue
                line = Text(signal.sample(), style=self.get_component_rich_style(
                    f"colour-legend--{signal.name}", partial=True))
                line.append("  " + _(signal.meaning))
                lines.append(line)
            columns.append(lines)
            grid.add_column(no_wrap=True)
        height = max(len(lines) for lines in columns)
        for row in range(height):
            grid.add_row(*(lines[row] if row < len(lines) else Text("") for lines in columns))
        title = Text(_("What the colours mean"), style=self.get_component_rich_style(
            "colour-legend--title", partial=True))
        title.append("  " + _("(red is only for what needs action now)"))
        outer = Table.grid()
        outer.add_row(title)
        outer.add_row(grid)
        return outer
