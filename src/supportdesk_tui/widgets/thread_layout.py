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

    def lay_out(self, blocks: Sequence[Block], widget: Widget, width: int) -> None:
        """Draw what is not drawn yet for `width` (the others' lines are kept) and place the blocks."""
        self.blocks = list(blocks)
        self.width = width
        self._tops = []
        self._lines = []
        top = 0
        for block in self.blocks:
            lines = block.lines(widget, width) if width > 0 else []
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

    def _index(self, y: int) -> int | None:
        if y < 0 or y >= self.height:
            return None
        index = bisect_right(self._tops, y) - 1
        while not self._lines[index]:  # a block with no lines shares its top with the one before
            index -= 1
        return index
