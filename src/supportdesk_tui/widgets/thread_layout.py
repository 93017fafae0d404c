"""Where each block of the thread is: the blocks in order, the first line of each, and the line at `y`.

The blocks draw their own lines (`thread_blocks`); this keeps only the geometry, so the thread finds
the line to paint (`render_line`) by bisecting the blocks' tops, and tells how far the blocks above the
view moved when some were added or dropped (the view is kept still by as much)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.strip import Strip

from supportdesk_tui.widgets.thread_blocks import Block

if TYPE_CHECKING:
    from textual.widget import Widget


class BlockLayout:
    """The blocks, drawn for one width, one under the other."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._tops: list[int] = []
        self._lines: list[list[Strip]] = []
        self.height = 0
        self.width = 0
        # Lines as painted: with their place in the thread as offsets (for text selection), made once
        # for each line at each place (kept across layouts: a line that stays where it was is reused).
        self._placed_lines: dict[int, tuple[Strip, Strip]] = {}

    def lay_out(self, blocks: Sequence[Block], widget: Widget, width: int, context: object = None) -> None:
        """Draw what is not drawn yet for `width` (the others' lines are kept) and place the blocks."""
        self.blocks = list(blocks)
        self.width = width
        self._tops = []
        self._lines = []
        top = 0
        for block in self.blocks:
            lines = block.lines(widget, width, context) if width > 0 else []
            block.top = top
            self._tops.append(top)
            self._lines.append(lines)
            top += len(lines)
        self.height = top

    def top_of(self, block: Block) -> int | None:
        """The block's first line (None: not laid out here)."""
        for index, shown in enumerate(self.blocks):
            if shown is block:
                return self._tops[index]
        return None

    def block_at(self, y: int) -> tuple[Block, int] | None:
        """The block line `y` is in, and how far into it."""
        index = self._index(y)
        return None if index is None else (self.blocks[index], y - self._tops[index])

    def line(self, y: int) -> Strip | None:
        index = self._index(y)
        return None if index is None else self._lines[index][y - self._tops[index]]

    def placed_line(self, y: int) -> Strip | None:
        """Line `y` with the offsets text selection reads (blank lines go without: nothing to select)."""
        line = self.line(y)
        if line is None:
            return None
        placed = self._placed_lines.get(y)
        if placed is None or placed[0] is not line:
            placed = (line, line.apply_offsets(0, y) if line.text.strip() else line)
            self._placed_lines.pop(y, None)
            self._placed_lines[y] = placed
            # Most of the oldest are for places the lines left long ago: they go one by one (all
            # at once cost a frame several milliseconds of freeing).
            while len(self._placed_lines) > 4 * max(1, self.height):
                del self._placed_lines[next(iter(self._placed_lines))]
        return placed[1]

    def _index(self, y: int) -> int | None:
        if y < 0 or y >= self.height:
            return None
        index = bisect_right(self._tops, y) - 1
        while not self._lines[index]:  # a block with no lines shares its top with the one before
            index -= 1
        return index
