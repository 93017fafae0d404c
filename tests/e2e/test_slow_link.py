"""On a slow link every key still answers at once: the shortcuts the app takes, and their safeguards.

The link is made slow where it matters for each story by holding the app's requests at a gate
(`held_requests.py`): what the agent sees before the server has answered is checked while the
request waits, and what replaces it once the gate opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app, server_messages
from held_requests import hold_requests

from keyboard import type_text
from supportdesk_tui.domain.query import parse_query, ticket_matches
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

API = "/api/v1"


def shown_ids(table: TicketTable) -> list[int]:
    window = table.window
    if window is None:
        return []
    return [t.id for t in (window.get(i) for i in range(window.row_count_known)) if t is not None]


async def test_opening_a_ticket_asks_for_the_ticket_and_its_messages_at_the_same_time(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, body="Откройте меня одним запросом")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        await settle(pilot)
        held = hold_requests(app)
        ticket_path = f"{API}/tickets/{created['id']}"
        held.hold(lambda r: r.method == "GET" and r.url.path in (ticket_path, ticket_path + "/messages"))
        screen = ConversationScreen(created["id"])
        await app.push_screen(screen)
        # One round trip: both are out before either is answered (one after the other, the
        # messages would only be asked for once the ticket came back, and never here).
        await wait_until(pilot, lambda: {("GET", ticket_path), ("GET", ticket_path + "/messages")}
                         <= set(held.waiting_paths()), what="both requests out at once")
        assert screen.ticket is None
        held.release()
        await wait_until(pilot, lambda: [m.body for m in screen.thread.messages]
                         == ["Откройте меня одним запросом"], what="the conversation")
        assert screen.ticket is not None and screen.ticket.id == created["id"]


async def test_a_reply_shows_at_once_as_sending_and_lands_on_the_server_exactly_once(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, body="Пароль не подходит")
    app = make_app(workday_server, "anna", tmp_path)  # live: the reply also comes back by the stream
    text = "Сейчас проверю, минуту."
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        screen = ConversationScreen(created["id"])
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.ticket is not None and screen.thread.messages,
                         what="the conversation")
        held = hold_requests(app)
        posting = f"{API}/tickets/{created['id']}/messages"
        held.hold(lambda r: r.method == "POST" and r.url.path == posting)
        await pilot.press("r")
        await type_text(pilot, text)
        await pilot.press("ctrl+s")

        def shown_as_sending() -> bool:
            cards = screen.thread.waiting_cards
            return len(cards) == 1 and cards[0].sending and text in cards[0].body_text()

        await wait_until(pilot, shown_as_sending, what="the reply shown as sending")
        assert "Sending" in screen.thread.waiting_cards[0].header_text()
        # The request goes after the frame that shows it (and once the outbox entry is on disk).
        await wait_until(pilot, lambda: held.waiting_paths() == [("POST", posting)],
                         what="the reply's request out")
        assert shown_as_sending(), "still shown as sending while the server does not have it"
        assert screen.query_one(Composer).text == "", "the composer is free for the next message"
        assert not [m for m in server_messages(workday_server, created["id"]) if m["body"] == text]

        held.release()
        await wait_until(pilot, lambda: not screen.thread.waiting_cards
                         and [m.body for m in screen.thread.messages].count(text) == 1,
                         what="the reply confirmed in the thread")
        await settle(pilot)
        assert [m.body for m in screen.thread.messages].count(text) == 1
        assert [c.message.body for c in screen.thread.mounted_cards].count(text) == 1
        assert [m["body"] for m in server_messages(workday_server, created["id"])].count(text) == 1
        assert not app.session.sender.outbox.items(), "nothing left to send again"


async def test_a_filter_shows_the_matching_loaded_rows_at_once_then_the_servers_answer(
        workday_server: Any, tmp_path: Path) -> None:
    first = create_customer_ticket(workday_server, subject="Уже загружен")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False, default_filter="sort:-created_at")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        table = queue.table
        await wait_until(pilot, lambda: first["id"] in shown_ids(table), what="the newest ticket loaded")
        await settle(pilot)
        assert table.window is not None
        loaded = table.window.loaded_prefix()
        wanted = parse_query("priority:high sort:-created_at")
        expected_local = [t.id for t in loaded
                          if ticket_matches(wanted, t, me_login="anna", queue=queue.queue_id)]
        assert first["id"] in expected_local and len(expected_local) < len(loaded)

        held = hold_requests(app)
        held.hold(lambda r: r.method == "GET" and r.url.path == f"{API}/tickets")
        await pilot.press("slash")
        await type_text(pilot, "priority:high sort:-created_at")
        await pilot.press("enter")
        # Before the server answers: the loaded rows that match, in the list's order.
        await wait_until(pilot, lambda: shown_ids(table) == expected_local, what="the local answer")
        assert held.waiting_paths() == [("GET", f"{API}/tickets")], "the server has not answered"
        assert table.window is not None and table.window.provisional

        # Meanwhile the server got a ticket the app never loaded: its answer brings it in.
        second = create_customer_ticket(workday_server, subject="Только на сервере")
        held.release()
        await wait_until(pilot, lambda: shown_ids(table)[:1] == [second["id"]], what="the server's answer")
        assert table.window is not None and not table.window.provisional
        with workday_server.client("anna") as http:
            response = http.get(f"{API}/tickets", params={**wanted.to_params(), "sort": "-created_at",
                                                          "page[size]": "10"})
            response.raise_for_status()
            server_ids = [t["id"] for t in response.json()["data"]]
        assert shown_ids(table)[:len(server_ids)] == server_ids


async def test_a_reply_refused_after_the_agent_went_on_typing_comes_back_before_the_new_text(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, body="Не приходит код")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    first, second = "Проверяю номер телефона.", "И ещё: какой у вас оператор?"
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        screen = ConversationScreen(created["id"])
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.ticket is not None and screen.thread.messages,
                         what="the conversation")
        held = hold_requests(app)
        posting = f"{API}/tickets/{created['id']}/messages"
        held.hold(lambda r: r.method == "POST" and r.url.path == posting)
        await pilot.press("r")
        await type_text(pilot, first)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(screen.thread.waiting_cards), what="the reply shown as sending")
        await type_text(pilot, second)  # the composer is free at once: the next message is under way
        # Meanwhile the customer writes: the server refuses the reply written before that.
        with workday_server.client("intake") as http:
            http.post(posting, json={"kind": "customer", "body": "Код так и не пришёл"},
                      headers={"Idempotency-Key": f"late-{created['id']}"}).raise_for_status()
        held.release()
        await wait_until(pilot, lambda: "Код так и не пришёл" in [m.body for m in screen.thread.messages],
                         what="the customer's new message")
        composer = screen.query_one(Composer)
        assert composer.text == f"{first}\n\n{second}", "nothing the agent wrote is lost"
        assert not screen.thread.waiting_cards
        assert not [m for m in server_messages(workday_server, created["id"]) if m["body"] == first]
        assert not app.session.sender.outbox.items()
