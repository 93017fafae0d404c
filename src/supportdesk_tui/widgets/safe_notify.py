"""The one way a toast reaches the screen: literal text, never markup, never raw control bytes.

Textual's `notify(str)` parses markup (a `[/bold]` in a name crashes, `[@click=…]` runs) and
`notify(..., markup=False)` still hands ESC, C1 and BEL to the terminal. So every notification
of the app goes through `safe_notification`: it takes `Text`/`Content` built by
`supportdesk_tui.domain.safe_text` (or one of our own literal strings) and always shows the
sanitised plain characters with markup off, whatever the caller passed. `SupportDeskApp.notify`
calls it, and `SafeNotify` lets screens pass `Text` to `self.notify` under `mypy --strict`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from rich.text import Text
from textual.content import Content
from textual.notifications import SeverityLevel

from supportdesk_tui.domain.safe_text import shown

if TYPE_CHECKING:
    from textual.app import App

# A `str` is accepted for our own literal words (`_("Reply sent.")`); the lint in
# tests/unit/test_untrusted_text_lint.py refuses an interpolated one.
Shown: TypeAlias = Text | Content | str


def safe_notification(message: Shown, title: Shown) -> tuple[str, str]:
    """(message, title) as plain sanitised strings, to be shown with `markup=False`."""
    return shown(message), shown(title, single_line=True)


class SafeNotify:
    """Mixin for screens: `self.notify(safe_format(...))` type-checks and stays literal."""

    def notify(
        self,
        message: Shown,
        *,
        title: Shown = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,  # accepted for compatibility; markup is never parsed
    ) -> None:
        app: App[Any] = self.app  # type: ignore[attr-defined]
        text, heading = safe_notification(message, title)
        app.notify(text, title=heading, severity=severity, timeout=timeout, markup=False)
