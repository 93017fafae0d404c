"""A filter applied or cleared answers in one frame; what that frame leaves for later (the
preview, the server's page) still comes, and never shows the list before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import make_app
from held_requests import hold_requests
from rich.style import Style
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

from keyboard import type_text, until_drawn
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import Ticket
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until


def cells(strips: list[Strip]) -> list[list[tuple[str, Style | None]]]:
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


async def the_queue(pilot: Pilot[Any], app: SupportDeskApp) -> QueueScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    return queue


async def test_a_filter_nothing_matches_leaves_no_preview_of_the_ticket_before_and_esc_brings_both_back(
        workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await the_queue(pilot, app)
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


async def test_rows_drawn_ahead_while_the_filter_is_typed_are_the_rows_enter_shows(
        workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await the_queue(pilot, app)
        table = queue.table
        await wait_until(pilot, lambda: table.cursor_ticket is not None, what="the rows")
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "priority:high")
        built: list[int] = []
        original = TicketTable._row_text

        def spy(self: TicketTable, ticket: Ticket, *rest: Any, **kwargs: Any) -> Any:
            built.append(ticket.id)
            return original(self, ticket, *rest, **kwargs)

        TicketTable._row_text = spy  # type: ignore[method-assign]
        try:
            await settle(pilot)  # the agent pauses before enter: the rows are drawn ahead
            ahead = list(built)
            assert ahead, "rows drawn ahead"
            built.clear()
            held = hold_requests(app)  # a slow link: the local rows show until the server answers
            held.hold(lambda r: r.method == "GET" and r.url.path == "/api/v1/tickets")
            await pilot.press("enter")
            await until_drawn(app)
            assert table.window is not None and table.window.provisional
            assert built == [], "the frame of enter found every local row drawn"
            whole = Region(0, 0, table.region.width, table.region.height)
            drawn = table.render_lines(whole)
            table._forget_rendered()
            assert cells(drawn) == cells(table.render_lines(whole)), "drawn ahead as drawn now"
            held.release()
        finally:
            TicketTable._row_text = original  # type: ignore[method-assign]
