"""The conversation's files: list, preview, save to Downloads, open with the system viewer.

Everything here is the agent's explicit choice: nothing is saved or opened by moving through
the list. Names are untrusted (shown as plain text); a saved file never overwrites another and
is never executable; the viewer gets only types it shows, from a private copy (domain/downloads.py).
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.contract.models import Attachment
from supportdesk_tui.domain.downloads import private_copy, save_new_file, viewable, viewer_command
from supportdesk_tui.domain.safe_text import safe_format, safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.settings import ImageRenderer as Renderer
from supportdesk_tui.widgets.attachment_list import attachment_line
from supportdesk_tui.widgets.attachment_preview import AttachmentPreview
from supportdesk_tui.widgets.safe_notify import SafeNotify

Download = Callable[[int], Awaitable[bytes]]

__all__ = ["AttachmentsScreen", "Download"]


OPENER_VERDICT_SECONDS = 1.5


def _gave_up(opener: subprocess.Popen[bytes]) -> int | None:
    """The opener's failing exit status if it ends badly within a moment; None otherwise."""
    try:
        status = opener.wait(timeout=OPENER_VERDICT_SECONDS)
    except subprocess.TimeoutExpired:
        return None  # still handing over (some openers wait for the viewer): it found one
    return status or None


class AttachmentsScreen(SafeNotify, ModalScreen[None]):
    DEFAULT_CSS = """
    AttachmentsScreen { align: center middle; }
    AttachmentsScreen > #files-box {
        width: 90%; max-width: 140; height: 85%; min-height: 14;
        border: round $primary; border-title-color: $primary; border-subtitle-color: $text-muted;
        background: $surface; padding: 0 1;
    }
    AttachmentsScreen #files-main { height: 1fr; }
    AttachmentsScreen #files-list { width: 2fr; height: 1fr; border: none; background: $surface; }
    AttachmentsScreen #files-preview { width: 3fr; height: 1fr; border-left: vkey $panel; padding-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="attachments.close"),
        Binding("d", "save", N_("Save to Downloads"), id="attachments.save"),
        Binding("o", "open", N_("Open in viewer"), id="attachments.open"),
    ]

    def __init__(self, attachments: Sequence[Attachment], *, download: Download, downloads_dir: Path,
                 renderer: Renderer = "auto") -> None:
        super().__init__()
        self.attachments = list(attachments)
        self._download = download
        self.downloads_dir = downloads_dir
        self.renderer: Renderer = renderer
        self._data: dict[int, bytes] = {}
        self.saved: list[Path] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="files-box"), Horizontal(id="files-main"):
            yield OptionList(*(Option(attachment_line(a), id=str(a.id)) for a in self.attachments),
                             id="files-list")
            yield AttachmentPreview(renderer=self.renderer, id="files-preview")

    def on_mount(self) -> None:
        self.relabel()
        files = self.query_one("#files-list", OptionList)
        files.focus()
        if self.attachments:
            files.highlighted = len(self.attachments) - 1  # the newest file first

    def relabel(self) -> None:
        box = self.query_one("#files-box")
        box.border_title = _("Files in this conversation")
        box.border_subtitle = _("↑↓ choose · d save to Downloads · o open in viewer · esc close")

    @property
    def preview(self) -> AttachmentPreview:
        return self.query_one(AttachmentPreview)

    @property
    def current(self) -> Attachment | None:
        index = self.query_one("#files-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.attachments):
            return None
        return self.attachments[index]

    @on(OptionList.OptionHighlighted, "#files-list")
    def _highlighted(self) -> None:
        attachment = self.current
        if attachment is not None:
            self._show(attachment)

    @work(exclusive=True, group="attachment-load")
    async def _show(self, attachment: Attachment) -> None:
        self.preview.show_note(_("Downloading…"))
        data = await self._bytes(attachment)
        if data is not None and self.current == attachment:
            self.preview.show(attachment, data)

    async def _bytes(self, attachment: Attachment) -> bytes | None:
        data = self._data.get(attachment.id)
        if data is not None:
            return data
        try:
            data = await self._download(attachment.id)
        except ApiError as exc:
            self.preview.show_note(exc.message)
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return None
        self._data[attachment.id] = data
        return data

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        attachment = self.current
        if attachment is not None:
            self._save(attachment)

    @work(group="attachment-save")
    async def _save(self, attachment: Attachment) -> None:
        data = await self._bytes(attachment)
        if data is None:
            return
        try:
            path = await asyncio.to_thread(save_new_file, self.downloads_dir, attachment.name, data)
        except OSError as exc:
            self.notify(safe_text(str(exc)), title=_("Not saved"), severity="error")
            return
        self.saved.append(path)
        self.notify(safe_format(_("Saved as {path}"), path=str(path)), title=_("Saved"))

    def action_open(self) -> None:
        attachment = self.current
        if attachment is None:
            return
        if not viewable(attachment.content_type):
            self.notify(safe_format(_("{type} is not opened from here: save it (d) and check it first."),
                                    type=attachment.content_type), severity="warning")
            return
        self._open(attachment)

    @work(group="attachment-open")
    async def _open(self, attachment: Attachment) -> None:
        data = await self._bytes(attachment)
        if data is None:
            return
        path = await asyncio.to_thread(private_copy, attachment.id, attachment.content_type, data)
        command = viewer_command(path)
        if command is None:
            self.notify(safe_format(_("No system viewer found; the file is at {path}"), path=str(path)),
                        severity="warning")
            return
        try:
            # argv, no shell; detached so the viewer outlives nothing of ours and prints nowhere.
            opener = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            self.notify(safe_text(str(exc)), title=_("Not opened"), severity="error")
            return
        # xdg-open without a desktop (over SSH, in a container) gives up at once with an exit
        # status; one that is still running, or ended well, has handed the file to a viewer.
        if await asyncio.to_thread(_gave_up, opener) is not None:
            self.notify(safe_format(_("No viewer could open it here; the file is at {path}"), path=str(path)),
                        title=_("Not opened"), severity="warning")
            return
        self.notify(Text(_("Opened in the system viewer.")))
