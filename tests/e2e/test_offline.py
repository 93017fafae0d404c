"""The backend goes away and comes back: the app says so in one line, stays browsable, recovers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import QUICK_RECONNECT, create_customer_ticket, make_app, queue_online

from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until


async def test_agent_keeps_browsing_while_offline_and_live_updates_resume(
        server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    app = make_app(server, "anna", tmp_path, reconnect_backoff=QUICK_RECONNECT)
    async with app.run_test(size=(160, 48)) as pilot:
        status = await queue_online(pilot, app)
        table = app.screen.query_one(TicketTable)

        server.kill()
        await wait_until(pilot, lambda: "Offline" in status.render().plain, what="the offline line")
        before = table.cursor_row
        await pilot.press("j", "j")
        assert table.cursor_row == before + 2  # what was loaded stays browsable

        server.restart()
        await wait_until(pilot, lambda: "Online" in status.render().plain, timeout=40, what="reconnected")
        # Live again: a new ticket created now reaches the open queue by itself.
        created = create_customer_ticket(server, subject="После восстановления связи")
        window = table.window
        assert window is not None
        await wait_until(pilot, lambda: window.index_of(created["id"]) is not None or window.pending_new,
                         timeout=15, what="the new ticket pushed live")
