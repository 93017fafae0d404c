"""The queue's preview asks for the highlighted ticket's newest messages in the background. An
answer that arrives after the preview was taken down (the app closing, the screen rebuilt) is
dropped: it used to be drawn into the removed widget, whose styles are gone, and fail the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import make_app
from held_requests import hold_requests

from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until


async def test_a_preview_answer_that_comes_after_the_preview_is_gone_is_dropped(
        live_server: Any, tmp_path: Path) -> None:
    app = make_app(live_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.query_one(TicketTable).row_count > 1, what="the queue")
        await settle(pilot)
        queue = app.screen
        preview = queue.query_one(TicketPreview)
        held = hold_requests(app)
        held.hold(lambda r: r.method == "GET" and r.url.path.endswith("/messages"))
        await pilot.press("j")  # the next ticket: its preview's messages wait at the gate
        await wait_until(pilot, lambda: held.waiting_paths() != [], what="the preview's request")
        await preview.remove()
        held.release()
        await wait_until(pilot, lambda: held.waiting_paths() == [] and not any(
            w.group == "preview" and w.is_running for w in queue.workers), what="the answer handled")
        await settle(pilot)
        assert app.return_value is None and app._exception is None
        assert isinstance(app.screen, QueueScreen)
