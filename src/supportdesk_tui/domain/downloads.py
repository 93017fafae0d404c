"""Attachments written to disk: never over another file, never executable, never run.

A saved file keeps the sender's (cleaned) name in the agent's downloads folder, with " (1)",
" (2)"… before the extension when the name is taken, created exclusively (O_EXCL: a file, or a
link planted under the name, is never written through) and readable by the agent alone.
Opening one is the agent's explicit request: only types a viewer shows (images, PDF, plain
text) go to the system's opener, from a private copy named after the sniffed type, so a
`.desktop` or script dressed as a photo can't be launched by it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from supportdesk_tui.contract.file_names import safe_file_name

FILE_MODE = 0o600
MAX_SUFFIX = 999
# Sniffed type -> the extension the opener sees. Anything else is saved, not opened.
VIEWABLE: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


def _candidates(name: str) -> list[str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    tail = f".{extension}" if extension else ""
    return [name, *(f"{stem} ({n}){tail}" for n in range(1, MAX_SUFFIX + 1))]


def save_new_file(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` under a free variant of `name` in `folder`; the path written."""
    folder.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for candidate in _candidates(safe_file_name(name)):
        path = folder / candidate
        try:
            descriptor = os.open(path, flags, FILE_MODE)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        return path
    raise FileExistsError(f"Every name like {name!r} is taken in {folder}.")


def viewable(content_type: str) -> bool:
    return content_type in VIEWABLE


def private_copy(attachment_id: int, content_type: str, data: bytes) -> Path:
    """A copy for the system viewer in a fresh directory only the agent can read."""
    folder = Path(tempfile.mkdtemp(prefix="supportdesk-view-"))
    path = folder / f"attachment-{int(attachment_id)}{VIEWABLE[content_type]}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return path


def viewer_command(path: Path) -> list[str] | None:
    """The system's opener for `path` (argv, no shell), or None when there is none."""
    if sys.platform == "darwin":
        return ["open", str(path)]
    if sys.platform.startswith("win"):
        return None  # os.startfile decides by extension; not offered there
    opener = shutil.which("xdg-open")
    return None if opener is None else [opener, str(path)]
