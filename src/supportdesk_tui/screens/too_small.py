"""What a terminal too small for the desk shows instead of a squashed, misleading screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Static

from supportdesk_tui.domain.safe_text import safe_format
from supportdesk_tui.i18n import _

MIN_WIDTH = 60
MIN_HEIGHT = 15
"""Below this the queue has no room for a subject and a deadline side by side: say so instead."""


def too_small(size: Size) -> bool:
    return size.width < MIN_WIDTH or size.height < MIN_HEIGHT


class TooSmallNotice(Static):
    """Covers the screen it is mounted on while the terminal is below `MIN_WIDTH`×`MIN_HEIGHT`.

    The app mounts it on the screen in front and removes it once the terminal is big enough;
    the screen under it keeps its state.
    """

    DEFAULT_CSS = """
    TooSmallNotice {
        position: absolute; offset: 0 0; overlay: screen; width: 100%; height: 100%;
        background: $background; color: $foreground; content-align: center middle;
        text-align: center; padding: 0 1;
    }
    """

    def __init__(self, size: Size) -> None:
        super().__init__(markup=False)
        self._terminal_size = size

    def on_mount(self) -> None:
        self.explain(self._terminal_size)

    def relabel(self) -> None:
        self.explain(self._terminal_size)

    def explain(self, size: Size) -> None:
        self._terminal_size = size
        message = _("The terminal is {width}×{height}. SupportDesk needs at least {min_width}×{min_height}: "
                    "make the window bigger.")
        self.update(safe_format(message, width=size.width, height=size.height,
                                min_width=MIN_WIDTH, min_height=MIN_HEIGHT))
