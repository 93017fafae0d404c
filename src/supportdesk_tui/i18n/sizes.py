"""File sizes in the agent's language: "740 B", "12.5 KB", "3.2 MB" (decimal separator per locale)."""

from __future__ import annotations

from babel.numbers import format_decimal

from supportdesk_tui.i18n import _, current_language


def file_size(size: int) -> str:
    locale = "ru" if current_language() == "ru" else "en"
    if size < 1024:
        return _("{n} B").format(n=size)
    if size < 1024 * 1024:
        return _("{n} KB").format(n=format_decimal(round(size / 1024, 1), locale=locale))
    return _("{n} MB").format(n=format_decimal(round(size / (1024 * 1024), 1), locale=locale))
