"""A borderless table of one-line cells, drawn without Rich's measuring passes.

The dashboard's breakdown is redrawn on every live answer. Rich's `Table` measures and renders
every cell through several layers for that (≈ 10 ms a frame for eight rows), while one-line
cells only need their lengths. `PlainTable` draws exactly what
`Table(box=None, padding=(0, 1), show_edge=False, expand=True)` with `no_wrap` columns draws
(the same segments, so the same screen), and hands over to Rich's table when the columns do
not fit and would have to be squeezed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich._ratio import ratio_distribute
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

_PAD = 1  # cells are padded by one space on each side (`padding=(0, 1)`)
_NO_STYLE = Style()


@dataclass(frozen=True)
class PlainTable:
    """Rows of literal cells under a header; the first column is left-aligned, the rest right.

    A cell is a string or a `Text` with one style and no spans; the fast path draws both
    literally. `sections` are the row indexes that end a section (no line is drawn between
    sections without a box; Rich's table gets them when it takes over).
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str | Text, ...], ...]
    header_style: Style
    sections: frozenset[int] = frozenset()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._widths(options.max_width)
        if widths is None:
            yield self.rich_table()
            return
        new_line = Segment.line()
        yield from self._header_line(widths)
        yield new_line
        for row in self.rows:
            yield from self._row_line(row, widths)
            yield new_line

    def _widths(self, max_width: int) -> list[int] | None:
        columns = len(self.headers)
        widths = [cell_len(header) for header in self.headers]
        for row in self.rows:
            for index in range(columns):
                widths[index] = max(widths[index], _cell_len(row[index]))
        widths = [width + 2 * _PAD for width in widths]
        total = sum(widths)
        if total > max_width:
            return None
        if total < max_width:  # `expand`: the spare width goes to the columns by their width
            spare = ratio_distribute(max_width - total, widths)
            widths = [width + extra for width, extra in zip(widths, spare, strict=True)]
        return widths

    def _header_line(self, widths: Sequence[int]) -> list[Segment]:
        style = self.header_style
        pad = Segment(" " * _PAD, style)
        line: list[Segment] = []
        for index, (title, width) in enumerate(zip(self.headers, widths, strict=True)):
            room = width - 2 * _PAD
            gap = " " * (room - cell_len(title))
            line += [pad, Segment(title + gap if index == 0 else gap + title, style), pad]
        return line

    def _row_line(self, row: Sequence[str | Text], widths: Sequence[int]) -> list[Segment]:
        pad = Segment(" " * _PAD, _NO_STYLE)
        line: list[Segment] = []
        for index, (cell, width) in enumerate(zip(row, widths, strict=True)):
            plain, style = (cell, None) if isinstance(cell, str) else (cell.plain, _style_of(cell))
            gap = " " * (width - 2 * _PAD - cell_len(plain))
            line += [pad, Segment(plain + gap if index == 0 else gap + plain, style), pad]
        return line

    def rich_table(self) -> Table:
        """The same table as Rich draws it (for widths where columns must be squeezed)."""
        table = Table(box=None, padding=(0, _PAD), show_edge=False, header_style=self.header_style,
                      expand=True)
        for index, title in enumerate(self.headers):
            table.add_column(title, justify="left" if index == 0 else "right", no_wrap=True)
        for index, row in enumerate(self.rows):
            table.add_row(*row, end_section=index in self.sections)
        return table


def _cell_len(cell: str | Text) -> int:
    return cell_len(cell) if isinstance(cell, str) else cell.cell_len


def _style_of(cell: Text) -> Style | None:
    style = cell.style
    if isinstance(style, str):
        return Style.parse(style) if style else None
    return style or None
