"""The status line with several instances of the backend: which one is live, and the move."""

from __future__ import annotations

from test_widget_fakes import WidgetHost

from supportdesk_tui.screens._status import show_connection
from supportdesk_tui.widgets.status_line import StatusLine


async def test_status_line_names_the_live_instance_and_the_one_it_is_moving_to() -> None:
    line = StatusLine()
    app = WidgetHost([line])
    async with app.run_test(size=(120, 5)) as pilot:
        show_connection(line, "live", "http://desk-a:8765")
        await pilot.pause()
        assert str(line.render()).startswith("● Online · via desk-a:8765")

        show_connection(line, "reconnecting", "http://desk-b:8765")
        await pilot.pause()
        assert str(line.render()).startswith("◌ Reconnecting to desk-b:8765…")

        show_connection(line, "live", "http://desk-b:8765")
        await pilot.pause()
        assert str(line.render()).startswith("● Online · via desk-b:8765")

        show_connection(line, "live", "")  # one server: nothing to tell apart
        await pilot.pause()
        assert str(line.render()).strip() == "● Online"
