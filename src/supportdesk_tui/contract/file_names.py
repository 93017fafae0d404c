"""File names are untrusted text: what is left of one after every trick is taken out of it.

A customer's file name reaches an agent's terminal (shown) and disk (saved), so it keeps only the
last path part, loses control and format characters (escape sequences, bidi overrides that turn
`exe.png` around), leading dots (hidden files) and Windows' reserved characters, and is bounded
in length with its extension kept. The server stores names so; the client cleans them again
before it writes a file, as it trusts no server either.
"""

from __future__ import annotations

import re
import unicodedata

from supportdesk_tui.contract.models import ATTACHMENT_NAME_MAX_LENGTH

FALLBACK_NAME = "attachment"
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")
_EXTENSION_MAX = 16


def _visible(char: str) -> bool:
    # C* covers control (Cc), format (Cf: bidi overrides, zero-width), surrogates, private use, unassigned.
    return not unicodedata.category(char).startswith("C")


def safe_file_name(raw: str, max_length: int = ATTACHMENT_NAME_MAX_LENGTH) -> str:
    """A name fit to show and to save: one path part, printable, bounded; never empty."""
    text = unicodedata.normalize("NFC", raw)
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(char if _visible(char) else " " for char in text)
    text = _RESERVED.sub("_", text)
    text = _SPACES.sub(" ", text).strip().lstrip(".").strip()
    if not text or text in {".", ".."}:
        return FALLBACK_NAME
    if len(text) <= max_length:
        return text
    stem, dot, extension = text.rpartition(".")
    if dot and stem and 0 < len(extension) <= _EXTENSION_MAX:
        return stem[: max_length - len(extension) - 1].rstrip() + "." + extension
    return text[:max_length].rstrip()
