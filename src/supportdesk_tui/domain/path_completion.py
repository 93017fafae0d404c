"""Completing a file path as it is typed: the longest common continuation of the entries in its
folder that start with what follows the last separator (like a shell's Tab), `~` understood.
Hidden entries only when the typed part starts with a dot; folders end with a separator."""

from __future__ import annotations

import os
from pathlib import Path

MAX_ENTRIES = 2000  # a huge folder is not listed in full on every keystroke


def complete_path(typed: str) -> str | None:
    """`typed` with its completion appended, or None when nothing (or nothing more) matches."""
    names = path_choices(typed)
    if not names:
        return None
    prefix = typed.rpartition(os.sep)[2]
    common = os.path.commonprefix(names)  # noqa: RUF071  (names: character by character is meant)
    if len(common) <= len(prefix):
        return None
    return typed + common[len(prefix):]


def path_choices(typed: str) -> list[str]:
    """The entries (names, folders ending with a separator) `typed` may still become, sorted: what
    a shell lists on a second Tab when the names part ways."""
    if not typed:
        return []
    folder_text, _, prefix = typed.rpartition(os.sep)
    absolute_or_nested = folder_text or typed.startswith(os.sep)
    folder = Path(os.path.expanduser(folder_text + os.sep if absolute_or_nested else "."))
    try:
        with os.scandir(folder) as entries:
            names = []
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    break
                hidden = entry.name.startswith(".") and not prefix.startswith(".")
                if entry.name.startswith(prefix) and not hidden:
                    names.append(entry.name + (os.sep if entry.is_dir() else ""))
    except OSError:
        return []
    return sorted(names)
