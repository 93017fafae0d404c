"""Bulk triage: the queue with marked tickets, and the summary after a bulk change.

The summary's picture runs the real dialog over the real queue, with the requests answered by
the test instead of the server (no picture changes the shared demo data; the real requests and
their conflict are tests/e2e/test_bulk_actions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from snapshots.snapshot_support import WIDE
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import AgentRef, Status, TicketStamp
from supportdesk_tui.domain.bulk import BulkResult, Outcome
from supportdesk_tui.screens.bulk import BulkRunModal
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


async def queue_with_three_marked(pilot: Pilot[Any]) -> QueueScreen:
    app = pilot.app
    assert isinstance(app, SupportDeskApp)
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and (app.screen.query_one(TicketTable).window is not None)
                     and app.screen.query_one(TicketTable).window.row_count_known >= 6,  # type: ignore[union-attr]
                     what="the queue")
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    await pilot.press("space", "space", "down", "space")  # rows 1, 2 and 4
    assert len(screen.selection) == 3
    table, preview = screen.query_one(TicketTable), screen.query_one(TicketPreview)

    def preview_shows_the_cursor_ticket() -> bool:
        # The preview under the queue loads the cursor's ticket on its own; the picture waits for it.
        ticket = table.cursor_ticket
        return (ticket is not None and preview.ticket is not None and preview.ticket.id == ticket.id
                and bool(preview.query(".preview--message")))

    await wait_until(pilot, preview_shows_the_cursor_ticket, what="the preview of the cursor ticket")
    return screen


def test_agent_sees_marked_tickets_and_their_count(app: SupportDeskApp, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await queue_with_three_marked(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_sees_what_a_bulk_change_did_and_which_ticket_conflicted(
    app: SupportDeskApp, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await queue_with_three_marked(pilot)
        window = screen.table.window
        assert window is not None
        tickets = {t.id: t for t in (window.get(i) for i in range(window.row_count_known)) if t is not None}
        stamps = screen.selection.stamps()
        conflicted = stamps[1].id

        async def answer(stamp: TicketStamp) -> BulkResult:
            ticket = tickets[stamp.id]
            if stamp.id == conflicted:  # a colleague put it on hold and took it meanwhile
                now = ticket.model_copy(update={
                    "status": Status.ON_HOLD, "version": ticket.version + 1,
                    "assignee": AgentRef(id=4, login="dmitry", name="Dmitry Sokolov")})
                return BulkResult(stamp.id, Outcome.CONFLICT, ticket=now)
            return BulkResult(stamp.id, Outcome.CHANGED,
                              ticket=ticket.model_copy(update={"status": Status.SOLVED}))

        modal = BulkRunModal("Status → Solved on 3 tickets", stamps, answer, concurrency=1)
        pilot.app.push_screen(modal)
        await wait_until(pilot, lambda: modal.summary is not None, what="the summary")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
