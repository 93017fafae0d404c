"""The last session's first queue page on the connect screen, marked as cached.

The start painted it before Textual loaded (first_frame.py); showing it here too keeps it on
screen until the live queue replaces it, instead of a blank "Connecting…". It is text, not a
table: nothing can be selected or acted on, and its banner says it is not live.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.first_frame import CachedPage, frame_lines


class CachedPageView(Widget, can_focus=False):
    DEFAULT_CSS = """
    CachedPageView { height: 1fr; width: 100%; color: $text-muted; }
    """

    def __init__(self, page: CachedPage, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page = page

    def render(self) -> Text:
        laid_out = frame_lines(self.page, self.size.width, self.size.height)
        # Sanitised by frame_lines already; safe_text again so no path here parses markup.
        text = Text(no_wrap=True, overflow="crop")
        text.append_text(safe_text(laid_out.title, "bold", single_line=True))
        text.append("\n")
        text.append_text(safe_text(laid_out.banner, "reverse", single_line=True))
        text.append("\n")
        text.append_text(safe_text(laid_out.header, "bold", single_line=True))
        for row in laid_out.rows:
            text.append("\n")
            text.append_text(safe_text(row, single_line=True))
        return text
