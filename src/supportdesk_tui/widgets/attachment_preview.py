"""One attachment previewed inside the terminal.

Images are drawn by `textual-image`: the Kitty graphics protocol or Sixel where the terminal
speaks one, coloured half-block characters elsewhere. Decoding happens off the event loop
(domain/image_decode.py: pixel limit first, formats bounded), and a file that is not an image,
is broken, or would decode into too many pixels shows a one-line placeholder instead.

`textual-image` asks the terminal what it supports when it is first imported, which only works
before Textual owns the terminal. The app asks the same questions itself at launch, from a thread
while it imports (domain/terminal_probe.py), and imports textual-image (and Pillow) only with the
first image, with its questions answered "no" so it never writes to a terminal Textual owns: the
"auto" renderer is chosen here from the launch's answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType, SimpleNamespace
from typing import Any

from rich.text import Text
from textual import work
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from supportdesk_tui.contract.models import Attachment
from supportdesk_tui.domain.image_decode import Decoded, decode_preview
from supportdesk_tui.domain.plain_text import one_line
from supportdesk_tui.domain.terminal_probe import probed_graphics
from supportdesk_tui.i18n import _
from supportdesk_tui.settings import ImageRenderer as Renderer


@contextmanager
def _never_ask(start_marker: str, end_marker: str, timeout: float | None = None) -> Iterator[SimpleNamespace]:
    # Raised before the `with` body runs, so the question is never written: textual-image takes
    # it as a terminal that did not answer.
    raise TimeoutError("the terminal was asked at launch (domain/terminal_probe.py)")
    yield SimpleNamespace(sequence="")  # pragma: no cover - never reached


def _image_widgets() -> ModuleType:
    """`textual_image.widget`, imported without it asking the terminal anything."""
    # Its warnings (a cell size it has to guess) carry tracebacks; with no handler of ours they
    # would reach the terminal through logging's last resort, over the app.
    logging.getLogger("textual_image").addHandler(logging.NullHandler())
    from textual_image import _terminal  # lazy: Pillow and the renderers load with the first image

    graphics = probed_graphics()
    answered = graphics.cell_size if graphics is not None else None
    if answered is not None and not hasattr(_terminal.get_cell_size, "_result"):
        # Where textual-image keeps its own answer to the cell-size question.
        setattr(_terminal.get_cell_size, "_result", _terminal.CellSize(*answered))  # noqa: B010
    # Before the renderers import it by name: every question they would ask is answered "no".
    _terminal.capture_terminal_response = _never_ask
    from textual_image import widget  # lazy: after the line above, which it must see at import

    return widget


def image_widget_class(renderer: Renderer) -> Any:
    images = _image_widgets()
    if renderer == "auto":
        # textual-image's own order: Sixel where the terminal has it, else Kitty's protocol, else
        # its fallback (half-block characters in a terminal).
        graphics = probed_graphics()
        if graphics is not None and graphics.sixel:
            return images.SixelImage
        if graphics is not None and graphics.kitty:
            return images.TGPImage
        return images.Image
    return {
        "kitty": images.TGPImage,
        "sixel": images.SixelImage,
        "cells": images.HalfcellImage,
    }[renderer]


def _problem_text(decoded: Decoded) -> str:
    if decoded.problem == "too_large":
        return _("Not previewed: the image is too large ({width}×{height} pixels).").format(
            width=decoded.width, height=decoded.height)
    if decoded.problem == "not_image":
        return _("Not previewed: the file is not an image it can show.")
    return _("Not previewed: the image is damaged.")


class AttachmentPreview(Vertical):
    DEFAULT_CSS = """
    AttachmentPreview { height: 1fr; }
    AttachmentPreview > .preview--note { height: auto; color: $text-muted; }
    AttachmentPreview > .preview--image { width: auto; height: auto; max-width: 100%; max-height: 100%; }
    """

    def __init__(self, *, renderer: Renderer = "auto", id: str | None = None) -> None:
        super().__init__(id=id)
        self.renderer: Renderer = renderer
        self.shown_problem: str | None = None  # after a preview: "" (drawn) or the problem
        self.image_widget: Widget | None = None

    def compose(self) -> Any:
        yield Static(Text(_("Choose a file to preview it.")), classes="preview--note")

    def show_note(self, text: str) -> None:
        self.image_widget = None
        self.remove_children()
        self.mount(Static(Text(one_line(text)), classes="preview--note"))

    def show(self, attachment: Attachment, data: bytes) -> None:
        self.shown_problem = None
        if not attachment.content_type.startswith("image/"):
            self.shown_problem = "not_image"
            self.show_note(_("No preview for {type}: save it (d) or open it (o).").format(
                type=attachment.content_type))
            return
        self.show_note(_("Decoding…"))
        self._decode(data)

    @work(exclusive=True, group="attachment-preview")
    async def _decode(self, data: bytes) -> None:
        decoded = await asyncio.to_thread(decode_preview, data)
        if decoded.image is None:
            self.shown_problem = decoded.problem
            self.show_note(_problem_text(decoded))
            return
        image_class = await asyncio.to_thread(image_widget_class, self.renderer)
        self.remove_children()
        self.image_widget = image_class(decoded.image, classes="preview--image")
        await self.mount(self.image_widget)
        self.shown_problem = ""
