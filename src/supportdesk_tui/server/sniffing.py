"""What a file is, told by its bytes (the `filetype` library's signatures), never by its name or
the uploader's Content-Type: a `photo.png` holding a script is `application/octet-stream` here."""

from __future__ import annotations

import filetype

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"
_TEXT_PROBE = 64 * 1024


def _looks_like_text(data: bytes) -> bool:
    probe = data[:_TEXT_PROBE]
    try:
        text = probe.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the probe's end is still text.
        if len(probe) < len(data) and exc.start >= len(probe) - 3:
            text = probe[: exc.start].decode("utf-8")
        else:
            return False
    return all(char.isprintable() or char in "\t\n\r" for char in text)


def sniff_content_type(data: bytes) -> str:
    kind = filetype.guess(data)
    if kind is not None:
        return str(kind.mime)
    if data and _looks_like_text(data):
        return TEXT
    return OCTET_STREAM
