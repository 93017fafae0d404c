"""G on a long queue shows its last ticket at once: the list is read from its end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import make_app

from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until


def _all_ids(server: Any, login: str) -> list[int]:
    ids: list[int] = []
    with server.client(login) as http:
        response = http.get("/api/v1/tickets", params={"page[size]": 200})
        while True:
            body = response.json()
            ids += [t["id"] for t in body["data"]]
            if body["links"]["next"] is None:
                return ids
            response = http.get(body["links"]["next"])


async def test_agent_presses_G_and_lands_on_the_last_ticket_then_g_goes_back_to_the_first(
        workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "lena", tmp_path, live_updates=False, start_mode="queue", page_size=20)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                         and app.screen.table.cursor_ticket is not None, what="the queue's first rows")
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        table = queue.query_one(TicketTable)
        everything = _all_ids(workday_server, "lena")
        assert len(everything) > 20 * 4, "long enough that walking would take many pages"
        await pilot.press("G")
        await wait_until(pilot, lambda: table.from_end and table.cursor_ticket is not None
                         and table.cursor_ticket.id == everything[-1], what="the last ticket")
        window = table.window
        # Only what the screen shows (and one screen ahead) was read, not the pages in between.
        assert window is not None and window.page_count_known <= 6 < len(everything) // 20
        await pilot.press("j")
        assert table.cursor_ticket is not None and table.cursor_ticket.id == everything[-2]
        await pilot.press("g")
        await wait_until(pilot, lambda: not table.from_end and table.cursor_ticket is not None
                         and table.cursor_ticket.id == everything[0], what="the first ticket again")
