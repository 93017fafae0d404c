"""The `?` screen's colour legend: every coloured state of a ticket, drawn as the queue draws it."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
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

    _width_hint = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # The layout asks for the height at a width before `size` has it: render at that width.
        self._width_hint = width
        return super().get_content_height(container, viewport, width)

    def on_resize(self) -> None:
        self._width_hint = self.content_size.width
        self.refresh(layout=True)

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
        side_by_side = sum(max(line.cell_len for line in lines) for lines in columns) + 3 * (len(columns) - 1)
        if side_by_side > self._width_hint > 0:
            # Too narrow for the groups side by side: one below another, nothing cut.
            grid = Table.grid()
            grid.add_column()
            for lines in columns:
                for line in lines:
                    grid.add_row(line)
        else:
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
