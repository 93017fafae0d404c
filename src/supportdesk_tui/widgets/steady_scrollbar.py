"""A vertical scrollbar that draws its lines again only when what they show has changed.

Every scroll of a long list moves the scrollbar's `position`, and Textual then renders the whole
bar again (through Rich, a `Visual` and the styles cache): on a one-row scroll of the queue that
cost as much as the table's own rows. But on a list of a thousand rows the thumb moves by an
eighth of a cell only every few rows, and at a million rows almost never; the bar looks the same.
"""

from __future__ import annotations

from math import ceil

from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget


class SteadyScrollBar(ScrollBar):
    """`ScrollBar` whose rendered lines are kept while the bar would be drawn the same."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical=vertical, name=name, thickness=thickness)
        self._drawn: tuple[tuple[object, ...], list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        look = self._look(crop)
        drawn = self._drawn
        if look is not None and drawn is not None and drawn[0] == look:
            return drawn[1]
        lines = super().render_lines(crop)
        self._drawn = None if look is None else (look, lines)
        return lines

    def _look(self, crop: Region) -> tuple[object, ...] | None:
        """Everything the drawn lines depend on (None: not known, draw every time)."""
        renderer = self.render()
        if not isinstance(renderer, ScrollBarRender):
            return None
        size = self.size.height if renderer.vertical else self.size.width
        return (
            crop,
            self.size,
            renderer.vertical,
            renderer.thickness,
            renderer.style,
            thumb_cells(size, renderer.virtual_size, renderer.window_size, renderer.position,
                        len(renderer.VERTICAL_BARS if renderer.vertical else renderer.HORIZONTAL_BARS)),
            self.background_colors,
            tuple(self.get_line_filters()),
        )


def thumb_cells(size: int, virtual_size: float, window_size: float, position: float,
                steps: int) -> tuple[int, int] | None:
    """Where the thumb starts and ends, in the bar's steps (eighths of a cell), as
    `ScrollBarRender.render_bar` works them out; None when it draws no thumb."""
    if not (window_size and size and virtual_size and size != virtual_size):
        return None
    thumb_size = max(1, window_size / (virtual_size / size))
    offset = (size - thumb_size) * (position / (virtual_size - window_size))
    start = int(offset * steps)
    return start, start + ceil(thumb_size * steps)


def steady_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """`Widget.vertical_scrollbar` with a `SteadyScrollBar` (same creation as Textual's)."""
    existing = widget._vertical_scrollbar
    if existing is not None:
        return existing
    scroll_bar = SteadyScrollBar(vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical)
    widget._vertical_scrollbar = scroll_bar
    scroll_bar.display = False
    widget.app._start_widget(widget, scroll_bar)
    return scroll_bar
