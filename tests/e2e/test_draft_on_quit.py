"""The last keystrokes before quitting are in the draft: nothing the agent wrote is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, server_messages, wait_until

from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.composer import Composer


async def _open(pilot: Any, app: Any, ticket_id: int) -> Composer:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    app.screen.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None, what="the conversation")
    composer: Composer = app.screen.query_one(Composer)
    return composer


async def test_text_typed_right_before_quitting_is_in_the_draft_next_time(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server)
    first = make_app(workday_server, "anna", tmp_path)
    async with first.run_test(size=(160, 48)) as pilot:
        composer = await _open(pilot, first, created["id"])
        await pilot.press("r")
        await pilot.press(*"fast")
        assert composer.text == "fast"
        first.exit()  # well inside the composer's save throttle: no save has happened yet
    second = make_app(workday_server, "anna", tmp_path)
    async with second.run_test(size=(160, 48)) as pilot:
        composer = await _open(pilot, second, created["id"])
        await wait_until(pilot, lambda: composer.text == "fast", what="the draft restored")
    assert not [m for m in server_messages(workday_server, created["id"]) if m["kind"] != "customer"]
