"""The composer knows the server's limit, and nothing the server refuses is lost or crashes the app.

The real app against the real reference backend. Refusals are real 4xx answers: the ticket is
moved by a lead to a queue the agent does not serve, so the server refuses the agent's reply.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import (
    count_outbox_checks,
    create_customer_ticket,
    make_app,
    server_messages,
    server_ticket,
    wait_for_another_outbox_check,
)
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.limits import MESSAGE_BODY_MAX
from supportdesk_tui.domain.outbox import OutboxItem
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.outbox import OutboxScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

SIZE = (160, 48)


def shown(widget: Static) -> str:
    return str(widget.render())


def paragraph_text(size: int) -> str:
    """`size` characters of ordinary prose in lines, as a pasted log or letter would be."""
    line = "The quick brown fox jumps over the lazy dog while the agent pastes a very long log. "
    text = (line * (size // len(line) + 1))[:size]
    return "\n".join(text[i:i + 100] for i in range(0, len(text), 100))[:size]


async def open_conversation(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and app.screen.query_one(TicketTable), what="the queue")
    app.screen.open_ticket(ticket_id)  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None, what="the conversation")
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


async def paste(pilot: Pilot[Any], composer: Composer, text: str) -> None:
    before = len(composer.text)
    pilot.app.post_message(events.Paste(text))  # as the terminal delivers it: to the focused editor
    await wait_until(pilot, lambda: len(composer.text) == before + len(text), what="the paste")


def move_ticket(server: Any, ticket_id: int, queue: str) -> None:
    """A lead moves the ticket to another queue (the agent may lose sight of it)."""
    version = server_ticket(server, ticket_id)["version"]
    with server.client("lena") as http:
        response = http.patch(f"/api/v1/tickets/{ticket_id}", json={"queue": queue},
                              headers={"If-Match": f'"{version}"'})
        response.raise_for_status()


def replies(server: Any, ticket_id: int) -> list[str]:
    return [m["body"] for m in server_messages(server, ticket_id) if m["kind"] == "reply"]


@pytest.mark.parametrize("size", [200_000, 25_000], ids=["200KB", "25KB"])
async def test_pasting_a_too_long_reply_is_refused_with_a_sentence_and_nothing_is_lost(
        workday_server: Any, tmp_path: Path, size: int) -> None:
    ticket = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    pasted = paragraph_text(size)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        composer = screen.composer
        await paste(pilot, composer, pasted)
        await pilot.press("ctrl+s")
        status = composer.query_one("#composer-status", Static)
        await wait_until(pilot, lambda: "over the limit" in shown(status), what="the refusal")
        await settle(pilot)  # the draft saved, and any send would have started
        assert app.is_running and app.return_code is None
        assert "Shorten the text or split it" in shown(status)
        assert len(app.session.sender.outbox) == 0, "nothing may be queued"
        assert composer.text == pasted
        await pilot.press("ctrl+o")  # the other send keys are refused the same way
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.is_running and len(app.session.sender.outbox) == 0
        draft = app.session.drafts.load(ticket["id"])
        assert draft is not None and draft.body == pasted
    assert replies(workday_server, ticket["id"]) == []


async def test_the_composer_counts_down_near_the_limit_and_says_how_far_over_it_is(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        await pilot.press("r")
        composer = screen.composer
        room = composer.query_one("#composer-room", Static)
        await paste(pilot, composer, paragraph_text(1_000))
        assert not room.display, "far from the limit the counter stays out of the way"
        await paste(pilot, composer, paragraph_text(MESSAGE_BODY_MAX - 1_234 - 1_000))
        await wait_until(pilot, lambda: room.display and shown(room) == "1,234 characters left",
                         what="the countdown")
        await paste(pilot, composer, paragraph_text(1_234 + 2_345))
        await wait_until(pilot, lambda: shown(room) == "2,345 characters over the limit",
                         what="the overrun")
        assert room.has_class("-over")
        composer.clear()
        await pilot.pause()
        assert not room.display


@pytest.mark.runs_long
async def test_a_reply_the_server_refuses_is_listed_survives_a_restart_and_can_be_resent_edited_or_discarded(
        workday_server: Any, tmp_path: Path) -> None:
    server = workday_server
    tickets = [create_customer_ticket(server)["id"] for _ in range(3)]
    resend_id, edit_id, discard_id = tickets
    for ticket_id in tickets:
        move_ticket(server, ticket_id, "payments")  # anna does not serve payments
    first = make_app(server, "anna", tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(first.screen, QueueScreen), what="the queue")
        sender = first.session.sender
        # Replies that were queued after a network error, now going out to tickets anna lost.
        now = datetime.now(UTC)
        for ticket_id, body in zip(tickets, ("Resend me", "Edit me\nsecond line", "Discard me"),
                                   strict=True):
            sender.outbox.add(OutboxItem.new(ticket_id, DraftKind.REPLY, body, now=now))
        first.outbox_changed()
        await wait_until(pilot, lambda: sender.failed == 3, timeout=20, what="the refusals")
        assert first.is_running
        line = first.screen.query_one(StatusLine)
        await wait_until(pilot, lambda: "Outbox: 3 failed (O)" in str(line.render()),
                         what="the failed count in the status line")
        assert all(item.last_error for item in sender.outbox.failed()), "each says why"
        assert any(n.severity == "error" and "refused" in str(n.message) for n in first._notifications)
        await pilot.press("O")  # the key the status line names
        await wait_until(pilot, lambda: isinstance(first.screen, OutboxScreen), what="the outbox")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(first.screen, QueueScreen), what="back to the queue")
    # The app is closed and started again on the same data: the refused replies are still there.
    second = make_app(server, "anna", tmp_path)
    outbox_checks = count_outbox_checks(second)
    async with second.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(second.screen, QueueScreen)
                         and "Outbox: 3 failed" in str(second.screen.query_one(StatusLine).render()),
                         what="the failed count after a restart")
        assert any("earlier session" in str(n.message) for n in second._notifications)
        line = second.screen.query_one(StatusLine)
        assert line._outbox_span is not None
        await pilot.click(StatusLine, offset=(line._outbox_span[0] + 2, 0))  # the count is a way in
        await wait_until(pilot, lambda: isinstance(second.screen, OutboxScreen), what="the outbox")
        outbox_screen = second.screen
        assert isinstance(outbox_screen, OutboxScreen)
        table = outbox_screen.query_one(DataTable)
        assert table.row_count == 3
        listed = {str(table.get_row(key)[1]) for key in table.rows}
        assert listed == {f"#{t}" for t in tickets}
        sender = second.session.sender

        async def select(ticket_id: int) -> None:
            item = next(i for i in sender.outbox if i.ticket_id == ticket_id)
            table.move_cursor(row=table.get_row_index(item.id))
            await pilot.pause()

        # Resend, once the lead has moved the ticket back: it lands, once.
        move_ticket(server, resend_id, "hacked")
        await select(resend_id)
        await pilot.press("r")
        await wait_until(pilot, lambda: all(i.ticket_id != resend_id for i in sender.outbox),
                         timeout=20, what="the resent reply to land")
        assert replies(server, resend_id) == ["Resend me"]

        # Discard asks first; "no" keeps it, "yes" drops it.
        await select(discard_id)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(second.screen, ConfirmModal), what="the confirmation")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(second.screen, OutboxScreen), what="back in the outbox")
        assert any(i.ticket_id == discard_id for i in sender.outbox)
        await select(discard_id)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(second.screen, ConfirmModal), what="the confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: all(i.ticket_id != discard_id for i in sender.outbox),
                         what="the discard")

        # Edit: the text goes back to the ticket's composer and leaves the outbox (never sent twice).
        move_ticket(server, edit_id, "hacked")
        await wait_until(pilot, lambda: isinstance(second.screen, OutboxScreen), what="the outbox")
        await select(edit_id)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(second.screen, ConversationScreen)
                         and second.screen.ticket_id == edit_id
                         and second.screen.composer.text == "Edit me\nsecond line",
                         what="the text back in the composer")
        assert len(sender.outbox) == 0
        await wait_for_another_outbox_check(pilot, outbox_checks)  # nothing may go out by itself
        assert replies(server, edit_id) == []
        assert replies(server, discard_id) == []
    # The edited text is a draft now, on disk.
    third = make_app(server, "anna", tmp_path)
    async with third.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: third._session is not None, what="sign-in")
        draft = third.session.drafts.load(edit_id)
        assert draft is not None and draft.body == "Edit me\nsecond line"
        assert len(third.session.sender.outbox) == 0


async def test_a_reply_refused_while_the_agent_watches_stays_in_the_composer_with_the_reason(
        workday_server: Any, tmp_path: Path) -> None:
    ticket = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_conversation(pilot, app, ticket["id"])
        move_ticket(workday_server, ticket["id"], "payments")  # a lead moves it while anna writes
        await pilot.press("r")
        composer = screen.composer
        await paste(pilot, composer, "Мы уже разбираемся.")
        await pilot.press("ctrl+s")
        status = composer.query_one("#composer-status", Static)
        await wait_until(pilot, lambda: "Not sent:" in shown(status), what="the reason")
        assert "Your text is still in the composer." in shown(status)
        assert app.is_running and composer.text == "Мы уже разбираемся."
        assert len(app.session.sender.outbox) == 0, "kept in the editor, not twice in the outbox"
    assert replies(workday_server, ticket["id"]) == []


async def test_editing_a_refused_reply_joins_the_text_already_in_that_tickets_open_composer(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server)["id"]
    move_ticket(workday_server, ticket_id, "payments")
    app = make_app(workday_server, "anna", tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        sender = app.session.sender
        sender.outbox.add(OutboxItem.new(ticket_id, DraftKind.REPLY, "Refused text", now=datetime.now(UTC)))
        await wait_until(pilot, lambda: sender.failed == 1, timeout=20, what="the refusal")
        move_ticket(workday_server, ticket_id, "hacked")
        screen = await open_conversation(pilot, app, ticket_id)
        await pilot.press("r")
        await paste(pilot, screen.composer, "Newer text")
        await pilot.press("escape", "O")  # out of the editor (where O is a letter), then the outbox
        await wait_until(pilot, lambda: isinstance(app.screen, OutboxScreen), what="the outbox")
        await pilot.press("e")
        await wait_until(pilot, lambda: app.screen is screen, what="back in the conversation")
        assert screen.composer.text == "Newer text\n\nRefused text"
        assert len(sender.outbox) == 0
        draft = app.session.drafts.load(ticket_id)
        assert draft is not None and draft.body == "Newer text\n\nRefused text"
