"""The shift lead's dashboard (being built)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportdesk_tui.app import SupportDeskApp


def open_dashboard(app: SupportDeskApp) -> None:
    from supportdesk_tui.screens.queue import QueueScreen

    app.switch_screen(QueueScreen())
