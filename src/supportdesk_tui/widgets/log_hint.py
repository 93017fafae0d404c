"""The line every error view ends with: where the log is, so a report can bring it along."""

from __future__ import annotations

from rich.text import Text

from supportdesk_tui.client_log import active_log
from supportdesk_tui.domain.safe_text import safe_format
from supportdesk_tui.i18n import _


def log_hint() -> Text | None:
    """"Details are in the log: <path>", or None when this process keeps no log."""
    path = active_log()
    if path is None:
        return None
    # The path is the user's (their home folder's name): a value filled in, never markup.
    return safe_format(_("Details are in the log: {path}"), single_line=False, path=str(path))


def with_log_hint(message: str) -> str:
    """`message` (already plain and sanitised) with the log's line below it, when there is a log."""
    hint = log_hint()
    return message if hint is None else f"{message}\n{hint.plain}"
