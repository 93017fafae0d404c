"""What the agent sees when inserting a canned reply: the picker with its live preview, and the form.

Review a changed snapshot in the HTML report before running with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from keyboard import type_text
from snapshots.snapshot_support import (
    WIDE,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.canned import CannedPicker, VariablesForm
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


async def open_picker(pilot: Pilot[Any], ticket_id: int, search: str) -> CannedPicker:
    app = pilot.app
    assert isinstance(app, SupportDeskApp)
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, ConversationScreen)
        and app.screen.ticket is not None
        and app.screen.thread.messages,
        what=f"conversation #{ticket_id}",
    )
    await settle(pilot)
    await pilot.press("c")
    await wait_until(
        pilot, lambda: isinstance(app.screen, CannedPicker) and app.screen.loaded, what="the picker"
    )
    picker = app.screen
    assert isinstance(picker, CannedPicker)
    await type_text(pilot, search)
    await wait_until(pilot, lambda: picker.highlighted is not None, what="a match")
    return picker


def test_agent_picks_a_canned_reply_with_a_live_preview_for_this_ticket(
    app: SupportDeskApp, ticket_id: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        picker = await open_picker(pilot, ticket_id, "pass")
        assert picker.highlighted is not None and picker.highlighted.reply.id == "password-reset-link"
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_fills_in_the_variables_a_canned_reply_needs(
    app: SupportDeskApp, ticket_id: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_picker(pilot, ticket_id, "pwreset")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, VariablesForm), what="the form")
        await type_text(pilot, "https://example.com/reset/42")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
