"""What the agent sees, screen by screen: the real app against a freshly seeded reference backend.

Review a changed snapshot in the HTML report before running with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from keyboard import type_text
from snapshots.snapshot_support import (
    NARROW,
    UNREACHABLE_URL,
    WIDE,
    snapshot_app,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.connect import ConnectScreen
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.help import HelpScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.preview import TicketPreview
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

SnapCompare = Callable[..., bool]


# --- waits for what the agent is looking at ------------------------------------------------


def queue_screen(app: SupportDeskApp) -> QueueScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


def queue_is_ready(app: SupportDeskApp) -> bool:
    """Rows are loaded and the preview shows the messages of the ticket under the cursor."""
    screen = queue_screen(app)
    table = screen.query_one(TicketTable)
    window = table.window
    ticket = table.cursor_ticket
    preview = screen.query_one(TicketPreview)
    return bool(
        window is not None
        and window.row_count_known
        and ticket is not None
        and preview.ticket is not None
        and preview.ticket.id == ticket.id
        and preview.query(".preview--message")
    )


async def open_queue(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SupportDeskApp)
    await wait_until(pilot, lambda: queue_is_ready(app), what="the first page of the queue")


async def open_conversation(pilot: Pilot[Any], ticket_id: int) -> ConversationScreen:
    app = pilot.app
    assert isinstance(app, SupportDeskApp)
    await open_queue(pilot)
    queue_screen(app).open_ticket(ticket_id)
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, ConversationScreen)
        and app.screen.ticket is not None
        and app.screen.thread.messages,
        what=f"conversation #{ticket_id}",
    )
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


# --- the queue ------------------------------------------------------------------------------


def test_agent_sees_the_queue_after_the_first_page_loads(
    app: SupportDeskApp, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_queue(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_sees_the_queue_on_a_smaller_terminal(app: SupportDeskApp, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_queue(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=NARROW, run_before=run_before)


def test_agent_filters_the_queue_to_open_russian_tickets(
    app: SupportDeskApp, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_queue(pilot)
        screen = queue_screen(app)
        await pilot.press("slash")
        await type_text(pilot, "lang:ru status:open")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: not screen.query_filter.is_empty and queue_is_ready(app),
            what="the filtered queue",
        )
        table = screen.query_one(TicketTable)
        shown = [table.window.get(i) for i in range(table.window.row_count_known)] if table.window else []
        assert shown and all(t is not None and t.language == "ru" and t.status == "open" for t in shown)
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


# --- one conversation -----------------------------------------------------------------------


def test_agent_reads_a_conversation_with_a_reply_and_an_internal_note(
    app: SupportDeskApp, ticket_id: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_conversation(pilot, ticket_id)
        kinds = {m.kind.value for m in screen.thread.messages}
        assert {"customer", "reply", "note"} <= kinds
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_writes_a_reply_to_the_customer(
    app: SupportDeskApp, ticket_id: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_conversation(pilot, ticket_id)
        await pilot.press("r")
        await type_text(pilot, "Hello! Please try to log in again.")
        composer = screen.query_one(Composer)
        assert composer.kind.value == "reply" and composer.editor.has_focus
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_writes_an_internal_note_that_looks_different_from_a_reply(
    app: SupportDeskApp, ticket_id: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_conversation(pilot, ticket_id)
        await pilot.press("i")
        await type_text(pilot, "Login place matches her city.")
        composer = screen.query_one(Composer)
        assert composer.kind.value == "note" and composer.has_class("-note")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


# --- help -------------------------------------------------------------------------------------


def test_agent_opens_keyboard_help_over_the_queue(app: SupportDeskApp, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_queue(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_agent_opens_keyboard_help_over_a_conversation(
    app: SupportDeskApp, ticket_id: int, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_conversation(pilot, ticket_id)
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


# --- no server ----------------------------------------------------------------------------------


def test_agent_sees_what_to_do_when_the_server_is_unreachable(
    tmp_path: Path, snap_compare: SnapCompare
) -> None:
    app = snapshot_app(UNREACHABLE_URL, "not-a-real-token", tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(
            pilot, lambda: isinstance(app.screen, ConnectScreen) and app.screen.failed, what="the error"
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)
