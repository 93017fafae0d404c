"""A vertical scrollbar that draws its lines again only when what they show has changed.

Every scroll of a long list moves the scrollbar's `position`, and Textual then renders the whole
bar again (through Rich, a `Visual` and the styles cache): on a one-row scroll of the queue that
cost as much as the table's own rows. But on a list of a thousand rows the thumb moves by an
eighth of a cell only every few rows, and at a million rows almost never; the bar looks the same.
"""

from __future__ import annotations

from math import ceil

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget


class SteadyScrollBar(ScrollBar):
    """`ScrollBar` whose rendered lines are kept while the bar would be drawn the same."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical=vertical, name=name, thickness=thickness)
        self._drawn: tuple[tuple[object, ...], list[Strip]] | None = None
        # Each line of a vertical bar is one cell of `ScrollBarRender.render_bar`: the track above
        # or below the thumb, the thumb, or one of its two ends in eighths. The line Textual draws
        # for one of these, in one setting (size, colours, filters), is the same at any height and
        # for any thumb, so a new thumb (a list of another length) is put together from the
        # lines drawn before, not drawn again through Rich and the styles cache (≈ 2 ms).
        self._line_setting: tuple[object, ...] | None = None
        self._lines_by_cell: dict[tuple[str, Style | None], Strip] = {}

    def render_lines(self, crop: Region) -> list[Strip]:
        renderer = self.render()
        look = self._look(crop, renderer)
        drawn = self._drawn
        if look is not None and drawn is not None and drawn[0] == look:
            return drawn[1]
        lines: list[Strip] | None = None
        cells = self._bar_cells(crop, renderer, look)
        if cells is not None:
            lines = self._lines_for(cells)
        if lines is None:
            lines = super().render_lines(crop)
            if cells is not None and len(cells) == len(lines):
                self._lines_by_cell.update(zip(cells, lines, strict=True))
        self._drawn = None if look is None else (look, lines)
        return lines

    def _look(self, crop: Region, renderer: object) -> tuple[object, ...] | None:
        """Everything the drawn lines depend on (None: not known, draw every time)."""
        if not isinstance(renderer, ScrollBarRender):
            return None
        size = self.size.height if renderer.vertical else self.size.width
        return (
            *self._setting(crop, renderer),
            thumb_cells(size, renderer.virtual_size, renderer.window_size, renderer.position,
                        len(renderer.VERTICAL_BARS if renderer.vertical else renderer.HORIZONTAL_BARS)),
        )

    def _setting(self, crop: Region, renderer: ScrollBarRender, *, lines: bool = False) -> tuple[object, ...]:
        """What the bar's lines are drawn in; `lines`: what one line depends on (not the height:
        the queue's bar is shorter while the filter bar is shown and taller after esc)."""
        return (
            (crop.x, crop.width, self.size.width) if lines else (crop, self.size),
            renderer.vertical,
            renderer.thickness,
            renderer.style,
            self.background_colors,
            tuple(self.get_line_filters()),
        )

    def _bar_cells(self, crop: Region, renderer: object,
                   look: tuple[object, ...] | None) -> list[tuple[str, Style | None]] | None:
        """The cell `render_bar` gives each line of a whole vertical bar (None: not such a bar)."""
        if look is None or not isinstance(renderer, ScrollBarRender) or not renderer.vertical \
                or type(renderer) is not ScrollBarRender or crop != self.size.region:
            return None
        setting = self._setting(crop, renderer, lines=True)
        if setting != self._line_setting:
            self._line_setting = setting
            self._lines_by_cell.clear()
        style = renderer.style if isinstance(renderer.style, Style) else None
        if style is None or style.bgcolor is None or style.color is None:
            return None  # Textual's own drawing, with its own fallback colours
        bar = renderer.render_bar(
            size=self.size.height, virtual_size=renderer.virtual_size, window_size=renderer.window_size,
            # As `ScrollBarRender.__rich_console__`: the cell is as wide as the bar is drawn.
            position=renderer.position, thickness=self.size.width, vertical=True,
            back_color=style.bgcolor, bar_color=style.color)
        cells = [(segment.text, segment.style) for segment in bar.segments]
        return cells if all(isinstance(segment, Segment) for segment in bar.segments) else None

    def _lines_for(self, cells: list[tuple[str, Style | None]]) -> list[Strip] | None:
        known = self._lines_by_cell
        try:
            return [known[cell] for cell in cells]
        except KeyError:
            return None  # a cell not drawn yet in this setting: Textual draws the whole bar once


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
