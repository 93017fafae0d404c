"""The filter bar finds a ticket by what the customer wrote, not only by its subject."""

from __future__ import annotations

import secrets
import string
from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app

from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import wait_until


def _rows(table: TicketTable) -> list[int]:
    window = table.window
    assert window is not None
    found = (window.get(i) for i in range(window.row_count_known))
    return [ticket.id for ticket in found if ticket is not None]


async def test_agent_narrows_the_queue_by_a_word_from_the_customers_message(
    workday_server: Any, tmp_path: Path
) -> None:
    word = "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    created = create_customer_ticket(
        workday_server, subject="Взлом страницы", body=f"Кто-то сменил пароль, код {word} не приходит"
    )
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        # The table mounts a moment after the screen: look it up inside the wait.
        await wait_until(pilot, lambda: _rows(app.screen.query_one(TicketTable)), what="ticket rows")
        table = app.screen.query_one(TicketTable)

        await pilot.press("slash")
        for char in f"пароли {word}":
            await pilot.press("space" if char == " " else char)
        await pilot.press("enter")
        await wait_until(pilot, lambda: _rows(table) == [created["id"]], what="the list narrowed to it")
