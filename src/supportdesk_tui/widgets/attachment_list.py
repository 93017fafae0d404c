"""A message's attachments inside its card: one line each, name, type and size.

The name is the sender's (untrusted, though the server cleaned it): it is shown through the
plain-text path, never as markup, on one line.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from supportdesk_tui.contract.models import Attachment
from supportdesk_tui.domain.plain_text import one_line
from supportdesk_tui.i18n.sizes import file_size


def attachment_line(attachment: Attachment) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("▸ ")
    line.append(one_line(attachment.name), style="bold")
    line.append("  ")
    line.append(f"{one_line(attachment.content_type)} · {file_size(attachment.size)}", style="dim")
    return line


class AttachmentList(Widget):
    """The attachment lines of one message (`f` in the conversation lists and previews them).

    Drawn at render time, so a language switch relabels the sizes with a repaint."""

    DEFAULT_CSS = """
    AttachmentList { height: auto; color: $text-muted; }
    """

    def __init__(self, attachments: Sequence[Attachment]) -> None:
        super().__init__(classes="card--files")
        self.attachments = list(attachments)

    def render(self) -> Text:
        return Text("\n").join(attachment_line(a) for a in self.attachments)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.attachments)
