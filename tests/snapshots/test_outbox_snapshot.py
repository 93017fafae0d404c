"""The outbox: a reply the server refused (its reason shown as plain text) and one still waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from snapshots.snapshot_support import (
    SHOWN_SERVER_URL,
    SNAPSHOT_NOW,
    WIDE,
    snapshot_app,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import OutboxItem
from supportdesk_tui.screens.outbox import OutboxScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]

# The server's reason is untrusted text: markup and an escape sequence must show as plain characters.
HOSTILE_REASON = "Not found: Ticket #41 is in a queue you can't see [bold]\x1b]0;pwned\x07"


def test_agent_sees_a_refused_reply_and_a_waiting_note_in_the_outbox(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    app = snapshot_app(SHOWN_SERVER_URL, server.token("anna"), tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        desk = pilot.app
        assert isinstance(desk, SupportDeskApp)
        await wait_until(pilot, lambda: isinstance(desk.screen, QueueScreen)
                         and desk.screen.query_one(TicketTable).window.row_count_known,  # type: ignore[union-attr]
                         what="the queue")
        outbox = desk.session.sender.outbox
        refused = outbox.add(OutboxItem.new(
            41, DraftKind.REPLY, "Здравствуйте! Мы восстановили доступ к странице.\nПроверьте почту.",
            now=SNAPSHOT_NOW - timedelta(minutes=12)))
        outbox.mark_rejected(refused.id, HOSTILE_REASON, status=404)
        waiting = outbox.add(OutboxItem.new(
            57, DraftKind.NOTE, "Checked the login history: two sessions from Lagos.",
            now=SNAPSHOT_NOW - timedelta(minutes=3)))
        # Retried in an hour: with the clock pinned it never comes due during the picture.
        outbox.mark_failed(waiting.id, "Server unreachable: connection refused", SNAPSHOT_NOW,
                           retry_after=3600)
        desk.outbox_changed()
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(desk.screen, OutboxScreen), what="the outbox")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
