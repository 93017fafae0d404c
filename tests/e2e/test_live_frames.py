"""Keys and live changes within a frame: what the shortcuts taken for speed must never cost.

The dashboard fetches the moment its gate allows and keeps the gate shut until the answer is on
screen; the queue's preview waits until the cursor settles. Each test drives the real app
against the real reference backend and checks what the agent or lead ends up seeing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app
from test_dashboard import open_dashboard, server_counts, shown_counts
from textual import events

from supportdesk_tui.contract.models import LiveStats
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until


async def test_a_burst_of_new_tickets_converges_with_at_most_one_redraw_per_frame(
    server_factory: Any, tmp_path: Path
) -> None:
    server = server_factory()
    app = make_app(server, "lena", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_dashboard(pilot, app)
        await wait_until(pilot, lambda: app.session.stream_state == "live", what="the live stream")
        await wait_until(pilot, lambda: shown_counts(app) == server_counts(server), what="server numbers")
        # No minimum interval at all: only "the last answer is on screen" holds the next fetch
        # back, so answers arriving faster than frames would otherwise pile up in one frame.
        screen.gate.min_interval = 0.0
        drawn_since_frame = [0]
        per_frame: list[int] = []
        fetched_before_shown: list[int] = []
        show_live = screen._show_live
        display = app._display
        begin = screen.gate.begin

        def counted_show_live(stats: LiveStats) -> None:
            # A repaint is an answer that changed the tiles (an unchanged answer paints nothing).
            before = shown_counts(app)
            show_live(stats)
            drawn_since_frame[0] += shown_counts(app) != before

        def counted_display(shown: Any, renderable: Any) -> None:
            display(shown, renderable)
            if renderable is None or app._batch_count:
                return  # Textual drew nothing: such a "frame" shows no answer
            per_frame.append(drawn_since_frame[0])
            drawn_since_frame[0] = 0

        def watched_begin(now: float) -> None:
            # The next fetch waits for the frame that shows the last answer's numbers.
            if drawn_since_frame[0]:
                fetched_before_shown.append(drawn_since_frame[0])
            begin(now)

        screen._show_live = counted_show_live  # type: ignore[method-assign]
        app._display = counted_display  # type: ignore[method-assign]
        screen.gate.begin = watched_begin  # type: ignore[method-assign]
        fetches_before = screen.gate.fetches

        def burst() -> None:
            for _ in range(20):
                create_customer_ticket(server)

        await asyncio.to_thread(burst)  # the app keeps running while they arrive
        await wait_until(pilot, lambda: shown_counts(app) == server_counts(server),
                         what="the server's numbers after the burst")
        assert screen.gate.fetches > fetches_before
        assert sum(per_frame) + drawn_since_frame[0] >= 1
        assert max(per_frame, default=0) <= 1, f"repaints per frame: {per_frame}"
        assert not fetched_before_shown, "a fetch started before the last answer was on screen"


async def test_preview_shows_the_ticket_finally_under_the_cursor_after_fast_moves(
    workday_server: Any, tmp_path: Path
) -> None:
    app = make_app(workday_server, "lena", tmp_path, live_updates=False, start_mode="queue")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        table = app.screen.query_one(TicketTable)
        preview = app.screen.query_one(TicketPreview)
        await wait_until(pilot, lambda: table.cursor_ticket is not None and preview.ticket is not None,
                         what="the first ticket previewed")
        # A held-down key: every press queued before the app has handled the first.
        for key in ["j"] * 12 + ["k"] * 3:
            event = events.Key(key, key)
            event.set_sender(app)
            app.post_message(event)
        await wait_until(pilot, lambda: table.cursor_row == 9, what="the cursor nine rows down")
        settled = table.cursor_ticket
        assert settled is not None

        def previewed() -> bool:
            loads_done = all(worker.is_finished for worker in app.workers if worker.group == "preview")
            return loads_done and preview.ticket is not None and preview.ticket.id == settled.id

        await wait_until(pilot, previewed, what="the preview of the ticket under the cursor")
        assert "Loading" not in str(preview.query("Static").last().render())
