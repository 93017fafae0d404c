"""The outbox lists each waiting message's files, by name and size, the names as plain text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app
from textual.widgets import Static

from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import OutboxFile, OutboxItem
from supportdesk_tui.screens.outbox import OutboxScreen
from supportdesk_tui.screens.queue import QueueScreen
from waiting import wait_until

SIZE = (160, 48)
HOSTILE_NAME = "[@click=app.quit]invoice\x1b]0;owned\x07.pdf"


async def test_a_waiting_reply_in_the_outbox_lists_its_files_with_their_sizes(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server)["id"]
    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / "screenshot").write_bytes(b"x" * 2048)
    (copies / "invoice").write_bytes(b"y" * 300)
    app = make_app(workday_server, "anna", tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        now = datetime.now(UTC)
        # Postponed after a network error: it waits for its next attempt.
        item = replace(OutboxItem.new(ticket_id, DraftKind.REPLY, "Here are the screenshots", now=now),
                       next_attempt_at=now + timedelta(hours=1), attempts=1,
                       files=(OutboxFile.new(copies / "screenshot", "screen.png"),
                              OutboxFile.new(copies / "invoice", HOSTILE_NAME)))
        app.session.sender.outbox.add(item)
        app.outbox_changed()
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")
        detail = app.screen.query_one("#outbox-detail", Static)
        await wait_until(pilot, lambda: "screen.png" in str(detail.render()), what="the files listed")
        shown = str(detail.render())
        assert "▸ screen.png (2 KB)" in shown
        assert "(300 B)" in shown and "invoice" in shown and "[@click=app.quit]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        assert app.is_running
        app.session.sender.outbox.remove(item.id)
