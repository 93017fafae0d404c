"""While the agent reads a ticket's preview in the queue, the conversation screen kept aside lays
that ticket out unseen (`ConversationScreen.stage_ticket`), so opening it only shows it. These
stories make sure the shortcut shows nothing it should not: the ticket laid out is not opened
(nobody is told the agent is viewing it, no draft is loaded), opening it shows exactly that ticket
with its own draft, opening another one shows nothing of it, and one laid out too long ago is
shown afresh."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app
from textual.pilot import Pilot

from keyboard import type_text
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import MessageKind
from supportdesk_tui.navigator import CONVERSATION_SCREEN
from supportdesk_tui.screens import conversation
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.ticket_header import TicketHeader
from waiting import settle, wait_until


def a_ticket(server: Any, word: str, requester_name: str) -> int:
    ticket_id: int = create_customer_ticket(server, subject=f"Тема {word}", category="question",
                                            body=f"Первое {word}", requester_name=requester_name)["id"]
    with server.client("intake") as http:
        for n in range(10):  # taller than the view: it opens scrolled to the newest message
            http.post(f"/api/v1/tickets/{ticket_id}/messages",
                      json={"kind": "customer", "body": f"{word} {n}\nещё строка\nи ещё одна"},
                      headers={"Idempotency-Key": f"staged-{ticket_id}-{n}"}).raise_for_status()
    return ticket_id


def viewers_on_server(server: Any, ticket_id: int) -> list[str]:
    with server.client("lena") as http:
        ticket = http.get(f"/api/v1/tickets/{ticket_id}").json()
    return [p["agent"]["login"] for p in ticket.get("presence", []) if p.get("state") != "left"]


def shows(screen: ConversationScreen, ticket_id: int) -> bool:
    return (screen.ticket is not None and screen.ticket.id == ticket_id and bool(screen.thread.messages)
            and all(m.ticket_id == ticket_id for m in screen.thread.messages)
            and all(card.message.ticket_id == ticket_id for card in screen.thread.mounted_cards))


def queue_of(app: SupportDeskApp) -> QueueScreen:
    for screen in app.screen_stack:
        if isinstance(screen, QueueScreen):
            return screen
    raise AssertionError("no queue on the stack")


async def read_preview_of(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    """Put the queue's cursor on `ticket_id` and stay there: returns the conversation screen once
    it has laid that ticket out unseen."""
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    queue = queue_of(app)
    await wait_until(pilot, lambda: queue.table.select_ticket(ticket_id), what=f"#{ticket_id} in the queue")
    screen = app.get_screen(CONVERSATION_SCREEN)
    assert isinstance(screen, ConversationScreen)
    await wait_until(pilot, lambda: screen._staged is not None and screen._staged[0] == ticket_id
                     and shows(screen, ticket_id), what=f"#{ticket_id} laid out unseen")
    await settle(pilot)
    return screen


async def open_in_front(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    queue_of(app).open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    await wait_until(pilot, lambda: shows(screen, ticket_id), what=f"#{ticket_id} shown")
    return screen


async def back_to_queue(pilot: Pilot[Any], app: SupportDeskApp) -> None:
    await pilot.press("escape")
    if not isinstance(app.screen, QueueScreen):
        await pilot.press("escape")  # the first one left the composer
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="back on the queue")


def two_tickets(server: Any) -> tuple[tuple[int, str], tuple[int, str]]:
    """Two new tickets from two customers, each with a word of its own: (id, word) each."""
    first_word, second_word = f"alpha{uuid.uuid4().hex[:6]}", f"bravo{uuid.uuid4().hex[:6]}"
    return ((a_ticket(server, first_word, "Ольга Кузнецова"), first_word),
            (a_ticket(server, second_word, "Пётр Сидоров"), second_word))


async def test_a_ticket_laid_out_while_its_preview_is_read_is_not_opened_until_the_agent_opens_it(
        workday_server: Any, tmp_path: Path) -> None:
    (first, first_word), (second, second_word) = two_tickets(workday_server)
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await open_in_front(pilot, app, first)
        await pilot.press("i")
        await type_text(pilot, f"note {first_word}")
        await back_to_queue(pilot, app)

        screen = await read_preview_of(pilot, app, second)
        # Laid out, not opened: the queue is in front, nobody hears the agent views it, no draft.
        assert isinstance(app.screen, QueueScreen) and not screen._open
        assert screen.thread.scroll_y == screen.thread.max_scroll_y > 0, "laid out at the newest message"
        assert "anna" not in viewers_on_server(workday_server, second)
        first_draft = app.session.drafts.load(first)
        assert first_draft is not None and first_draft.body == f"note {first_word}"

        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and shows(screen, second),
                         what="the second ticket")
        await settle(pilot)
        shown = app.export_screenshot()
        assert second_word in shown and "Пётр" in shown
        assert first_word not in shown and "Ольга" not in shown, "nothing of the ticket opened before"
        header = screen.query_one(TicketHeader)
        assert header.ticket is not None and header.ticket.id == second
        assert screen.composer.text == "" and screen.composer.kind is MessageKind.REPLY
        assert screen.ticket is not None and screen.seen_up_to == screen.ticket.last_message_id
        assert screen.thread.scroll_y == screen.thread.max_scroll_y > 0
        # Opened now: the others hear it as from any open.
        await wait_until(pilot, lambda: "anna" in viewers_on_server(workday_server, second),
                         what="the agent seen viewing the ticket")


async def test_a_ticket_laid_out_unseen_opens_with_its_own_draft_and_another_shows_nothing_of_it(
        workday_server: Any, tmp_path: Path) -> None:
    (first, first_word), (second, second_word) = two_tickets(workday_server)
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await open_in_front(pilot, app, second)
        await pilot.press("r")
        await type_text(pilot, "reply two")
        await back_to_queue(pilot, app)

        await read_preview_of(pilot, app, first)
        screen = await read_preview_of(pilot, app, second)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and shows(screen, second),
                         what="the second ticket")
        assert screen.composer.text == "reply two" and screen.composer.kind is MessageKind.REPLY
        await back_to_queue(pilot, app)

        # The first laid out, then the second opened without reading its preview.
        await read_preview_of(pilot, app, first)
        again = await open_in_front(pilot, app, second)
        assert again is screen
        await settle(pilot)
        shown = app.export_screenshot()
        assert second_word in shown and first_word not in shown and "Ольга" not in shown
        assert screen.composer.text == "reply two"


async def test_a_ticket_laid_out_too_long_ago_is_shown_afresh(
        workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    word = f"charlie{uuid.uuid4().hex[:6]}"
    ticket_id = a_ticket(workday_server, word, "Пётр Сидоров")
    other = a_ticket(workday_server, f"delta{uuid.uuid4().hex[:6]}", "Ольга Кузнецова")
    monkeypatch.setattr(conversation, "STAGED_FRESH_SECONDS", 0.0)
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await open_in_front(pilot, app, other)
        await back_to_queue(pilot, app)
        screen = await read_preview_of(pilot, app, ticket_id)
        laid_out = list(screen.thread.mounted_cards)  # held: their ids are not reused meanwhile
        before_open: datetime = app.settings.clock()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and shows(screen, ticket_id), what="the ticket")
        # Cards made anew at the open, their "… ago" counted from then.
        cards = screen.thread.mounted_cards
        assert laid_out and cards and not any(card is old for card in cards for old in laid_out)
        assert all(card._now >= before_open for card in cards)
        assert word in app.export_screenshot()
