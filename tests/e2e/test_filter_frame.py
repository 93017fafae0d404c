"""A filter applied or cleared answers in one frame; what that frame leaves for later (the
preview, the server's page) still comes, and never shows the list before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import make_app

from keyboard import type_text
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.preview import TicketPreview
from waiting import settle, wait_until


async def test_a_filter_nothing_matches_leaves_no_preview_of_the_ticket_before_and_esc_brings_both_back(
        workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        table, preview, bar = queue.table, queue.query_one(TicketPreview), queue.filter_bar
        await wait_until(pilot, lambda: table.cursor_ticket is not None and preview.ticket is not None
                         and preview.ticket.id == table.cursor_ticket.id, what="the first ticket previewed")
        assert not bar.display

        await pilot.press("slash")
        assert bar.display and bar.input.has_focus
        await type_text(pilot, "tag:no-ticket-carries-this-tag")
        await pilot.press("enter")
        await wait_until(pilot, lambda: table.window is not None and table.window.exhausted
                         and table.row_count == 0, what="the server's empty answer")
        await settle(pilot)
        assert preview.ticket is None, "the preview no longer shows a ticket of the list before"
        assert table.has_focus and bar.display  # the filter in force stays in view

        await pilot.press("escape")
        await settle(pilot)
        assert not bar.display
        await wait_until(pilot, lambda: table.cursor_ticket is not None and preview.ticket is not None
                         and preview.ticket.id == table.cursor_ticket.id, what="the preview back")
