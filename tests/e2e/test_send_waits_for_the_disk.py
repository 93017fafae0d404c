"""The send key shows the reply as sending without waiting for the disk; the disk still comes first.

The outbox entry is written by a thread (its fsync took 5–17 ms of the key's frame on the UI
loop). Here that write is held at a gate: while it waits, the reply shows as sending, yet no
request has gone out and the draft is still on disk (a kill now would leave the draft); once it is
written, the reply goes out once, and only then is the draft gone.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import create_customer_ticket, make_app, server_messages
from held_requests import hold_requests

from keyboard import type_text
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.drafts import DraftStore
from supportdesk_tui.domain.outbox import Outbox
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from waiting import settle, wait_until

API = "/api/v1"


class DiskGate:
    """Holds every background write of the outbox file until `open()`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self._open = threading.Event()
        write = Outbox._write_reporting

        def held(outbox: Outbox, change: int, text: str) -> None:
            self.entered.set()
            assert self._open.wait(30), "the test never opened the gate"
            write(outbox, change, text)

        monkeypatch.setattr(Outbox, "_write_reporting", held)

    def open(self) -> None:
        self._open.set()


def outbox_on_disk(app: SupportDeskApp) -> list[str]:
    """The bodies a restarted app would find in the outbox."""
    return [item.body for item in Outbox(app.session.sender.outbox.path)]


def draft_on_disk(app: SupportDeskApp, ticket_id: int) -> str | None:
    draft = DraftStore(app.session.drafts.directory).load(ticket_id)  # a fresh store: the disk only
    return None if draft is None else draft.body


def posts_to(held: Any, path: str) -> int:
    return sum(1 for request in held.seen if request.method == "POST" and request.url.path == path)


async def open_conversation(pilot: Any, app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    screen = ConversationScreen(ticket_id)
    await app.push_screen(screen)
    await wait_until(pilot, lambda: screen.ticket is not None and screen.thread.messages,
                     what="the conversation")
    return screen


def shown_as_sending(screen: ConversationScreen, text: str) -> bool:
    return any(card.sending and text in card.body_text() for card in screen.thread.waiting_cards)


async def test_a_reply_shows_as_sending_while_its_outbox_entry_is_written_and_goes_out_after(
        workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = create_customer_ticket(workday_server, body="Не приходит письмо")
    ticket_id = created["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    text = "Проверяю почтовый сервер."
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, ticket_id)
        held = hold_requests(app)
        posting = f"{API}/tickets/{ticket_id}/messages"
        await pilot.press("r")
        await type_text(pilot, text)
        await wait_until(pilot, lambda: draft_on_disk(app, ticket_id) == text, what="the draft saved")
        gate = DiskGate(monkeypatch)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: shown_as_sending(screen, text), what="the reply shown as sending")
        await wait_until(pilot, gate.entered.is_set, what="the outbox entry being written")
        await pilot.pause()  # not `settle`: the send's worker waits for the disk, as it must

        assert posts_to(held, posting) == 0, "nothing goes out before the outbox entry is on disk"
        assert draft_on_disk(app, ticket_id) == text, "the draft stays until the outbox holds the text"
        assert outbox_on_disk(app) == []
        assert shown_as_sending(screen, text)

        gate.open()
        await wait_until(pilot, lambda: not screen.thread.waiting_cards
                         and [m.body for m in screen.thread.messages].count(text) == 1,
                         what="the reply confirmed")
        await settle(pilot)
        assert posts_to(held, posting) == 1
        assert [m["body"] for m in server_messages(workday_server, ticket_id)].count(text) == 1
        await wait_until(pilot, lambda: draft_on_disk(app, ticket_id) is None, what="the draft gone")
        assert outbox_on_disk(app) == []


async def test_two_replies_sent_while_the_disk_is_busy_land_once_each_in_order(
        workday_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = create_customer_ticket(workday_server, body="Два вопроса")
    ticket_id = created["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    first, second = "Ответ на первый вопрос.", "Ответ на второй вопрос."
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_conversation(pilot, app, ticket_id)
        held = hold_requests(app)
        posting = f"{API}/tickets/{ticket_id}/messages"
        gate = DiskGate(monkeypatch)
        await pilot.press("r")
        await type_text(pilot, first)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: shown_as_sending(screen, first), what="the first as sending")
        await type_text(pilot, second)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: shown_as_sending(screen, second), what="the second as sending")
        assert [card.body_text() for card in screen.thread.waiting_cards] == [first, second]
        assert posts_to(held, posting) == 0

        gate.open()
        await wait_until(pilot, lambda: not screen.thread.waiting_cards
                         and [m.body for m in screen.thread.messages][-2:] == [first, second],
                         what="both confirmed")
        await settle(pilot)
        bodies = [m["body"] for m in server_messages(workday_server, ticket_id)]
        assert [body for body in bodies if body in (first, second)] == [first, second]
        assert posts_to(held, posting) == 2
        assert outbox_on_disk(app) == []
