"""One conversation screen serves every ticket the agent opens (opening one is then a fraction of
composing it anew). These stories make sure the next ticket never shows anything of the last one:
its text, draft, playbook, customer, tags or reading position; that drafts stay with their ticket;
that a ticket the preview fetched earlier is brought up to date; and that the language and theme
chosen while the screen was put aside reach it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app
from textual.color import Color
from textual.pilot import Pilot

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import MessageKind
from supportdesk_tui.i18n import current_language, set_language
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.customer_sidebar import CustomerSidebar
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel
from supportdesk_tui.widgets.ticket_header import TicketHeader
from waiting import settle, wait_until


def a_long_ticket(server: Any, word: str, *, category: str, requester_name: str) -> int:
    """A ticket whose every message carries `word`, taller than the screen (so it can be scrolled)."""
    ticket_id: int = create_customer_ticket(server, subject=f"Тема {word}", category=category,
                                            body=f"Первое {word}", requester_name=requester_name)["id"]
    with server.client("intake") as http:
        for n in range(12):
            http.post(f"/api/v1/tickets/{ticket_id}/messages",
                      json={"kind": "customer", "body": f"{word} {n}\nещё строка\nи ещё одна"},
                      headers={"Idempotency-Key": f"reuse-{ticket_id}-{n}"}).raise_for_status()
    return ticket_id


def tag_on_server(server: Any, ticket_id: int, tag: str) -> None:
    with server.client("lena") as http:
        current = http.get(f"/api/v1/tickets/{ticket_id}").json()
        http.patch(f"/api/v1/tickets/{ticket_id}", json={"tags": [tag]},
                   headers={"If-Match": f'"{current["version"]}"'}).raise_for_status()


def on_screen(app: SupportDeskApp) -> str:
    """Everything the terminal shows now, as text (spaces come as `&#160;`: look for single words)."""
    return app.export_screenshot()


async def open_from_queue(pilot: Pilot[Any], app: SupportDeskApp, ticket_id: int) -> ConversationScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    queue.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    return screen


def shows(screen: ConversationScreen, ticket_id: int) -> bool:
    """The ticket and its messages have loaded on `screen`."""
    return (screen.ticket is not None and screen.ticket.id == ticket_id and bool(screen.thread.messages)
            and all(m.ticket_id == ticket_id for m in screen.thread.messages))


async def back_to_queue(pilot: Pilot[Any], app: SupportDeskApp) -> None:
    await pilot.press("escape")
    if not isinstance(app.screen, QueueScreen):
        await pilot.press("escape")  # the first one left the composer
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="back on the queue")


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press({" ": "space"}.get(char, char))


async def test_the_next_ticket_shows_nothing_of_the_one_before(workday_server: Any, tmp_path: Path) -> None:
    first_word, second_word = f"alpha{uuid.uuid4().hex[:6]}", f"bravo{uuid.uuid4().hex[:6]}"
    # A hacked account (it has a playbook), tagged, from one customer; then a plain question from another.
    first = a_long_ticket(workday_server, first_word, category="hacked", requester_name="Ольга Кузнецова")
    tag_on_server(workday_server, first, f"tag{first_word}")
    second = a_long_ticket(workday_server, second_word, category="question", requester_name="Пётр Сидоров")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_from_queue(pilot, app, first)
        await wait_until(pilot, lambda: shows(screen, first) and screen.query(PlaybookPanel),
                         what="the first ticket with its playbook")
        # Read back to the top, then start a note.
        screen.thread.focus()
        await pilot.press("home")
        await wait_until(pilot, lambda: screen.thread.scroll_y == 0 and screen.thread.max_scroll_y > 0,
                         what="the top of the first ticket")
        await pilot.press("i")
        await type_text(pilot, f"note {first_word}")
        await wait_until(pilot, lambda: screen.composer.text == f"note {first_word}", what="the note typed")
        assert first_word in on_screen(app)
        await back_to_queue(pilot, app)

        again = await open_from_queue(pilot, app, second)
        assert again is screen, "the conversation screen is reused"
        # Before the second ticket has even loaded: nothing of the first one is left on screen.
        assert first_word not in on_screen(app)
        await wait_until(pilot, lambda: shows(screen, second), what="the second ticket")
        await settle(pilot)  # its customer's other tickets, its (missing) playbook
        shown = on_screen(app)
        assert second_word in shown
        assert first_word not in shown, "text, subject, tag or note of the ticket before"
        assert "Ольга" not in shown and "Пётр" in shown  # the customer's card
        header = screen.query_one(TicketHeader)
        assert header.ticket is not None and header.ticket.id == second and header.ticket.tags == []
        assert screen.composer.text == "" and screen.composer.kind is MessageKind.REPLY
        sidebar = screen.query_one(CustomerSidebar)
        assert not screen.query(PlaybookPanel) and not sidebar.has_class("-beside-playbook")
        assert sidebar._ticket is not None and sidebar._ticket.id == second
        assert first not in [t.id for t in sidebar._others or []]
        # At the newest message, not at the top where the first ticket was left.
        await wait_until(pilot, lambda: screen.thread.scroll_y == screen.thread.max_scroll_y > 0,
                         what="the second ticket at its newest message")


async def test_each_ticket_keeps_its_own_draft(workday_server: Any, tmp_path: Path) -> None:
    first = create_customer_ticket(workday_server, category="question", body="Первый вопрос")["id"]
    second = create_customer_ticket(workday_server, category="question", body="Второй вопрос")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_from_queue(pilot, app, first)
        await wait_until(pilot, lambda: shows(screen, first), what="the first ticket")
        await pilot.press("r")
        await type_text(pilot, "reply one")
        await wait_until(pilot, lambda: screen.composer.text == "reply one", what="the first reply typed")
        await back_to_queue(pilot, app)

        await open_from_queue(pilot, app, second)
        await wait_until(pilot, lambda: shows(screen, second), what="the second ticket")
        assert screen.composer.text == ""
        await pilot.press("i")
        await type_text(pilot, "note two")
        await wait_until(pilot, lambda: screen.composer.text == "note two", what="the second note typed")
        await back_to_queue(pilot, app)

        await open_from_queue(pilot, app, first)
        await wait_until(pilot, lambda: shows(screen, first), what="the first ticket again")
        assert screen.composer.text == "reply one" and screen.composer.kind is MessageKind.REPLY
        # Undo goes no further back than this ticket's own draft.
        screen.composer.focus_editor()
        await pilot.press("ctrl+z")
        assert "note two" not in screen.composer.text
        await back_to_queue(pilot, app)

        await open_from_queue(pilot, app, second)
        await wait_until(pilot, lambda: shows(screen, second), what="the second ticket again")
        assert screen.composer.text == "note two" and screen.composer.kind is MessageKind.NOTE
    drafts = app.session.drafts
    first_draft, second_draft = drafts.load(first), drafts.load(second)
    assert first_draft is not None and first_draft.body == "reply one"
    assert second_draft is not None and second_draft.body == "note two"


async def test_a_ticket_the_preview_fetched_is_brought_up_to_date_when_opened(
        workday_server: Any, tmp_path: Path) -> None:
    other = create_customer_ticket(workday_server, category="question", body="Другой вопрос")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_from_queue(pilot, app, other)  # the screen exists from now on
        await wait_until(pilot, lambda: shows(screen, other), what="another ticket first")
        await back_to_queue(pilot, app)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await wait_until(pilot, lambda: queue._prefetched is not None
                         and queue._prefetched.ticket.id == getattr(queue.table.cursor_ticket, "id", None),
                         what="the preview of the highlighted ticket")
        highlighted = queue.table.cursor_ticket
        assert highlighted is not None
        marker = uuid.uuid4().hex[:6]
        news = f"Новое {marker}"
        with workday_server.client("intake") as http:
            http.post(f"/api/v1/tickets/{highlighted.id}/messages", json={"kind": "customer", "body": news},
                      headers={"Idempotency-Key": f"news-{highlighted.id}-{marker}"}).raise_for_status()
        tag_on_server(workday_server, highlighted.id, "changed-meanwhile")

        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen, what="the conversation")
        await wait_until(pilot, lambda: [m.body for m in screen.thread.messages][-1:] == [news],
                         what="the message written after the preview")
        header = screen.query_one(TicketHeader)
        assert header.ticket is not None and header.ticket.tags == ["changed-meanwhile"]
        assert screen.ticket is not None and screen.seen_up_to == screen.ticket.last_message_id

        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is queue, what="back on the queue")
        assert queue.table.cursor_ticket is not None and queue.table.cursor_ticket.id == highlighted.id


async def test_language_and_theme_chosen_meanwhile_reach_the_reused_screen(
        workday_server: Any, tmp_path: Path) -> None:
    ticket_id = create_customer_ticket(workday_server, language="en", category="question",
                                       body="A question")["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_from_queue(pilot, app, ticket_id)
            await wait_until(pilot, lambda: shows(screen, ticket_id), what="the ticket")
            assert screen.composer.border_title == "Reply to customer"
            await back_to_queue(pilot, app)

            app.switch_language("ru")
            await wait_until(pilot, lambda: current_language() == "ru", what="the switch")
            app.theme = "supportdesk-high-contrast"
            await settle(pilot)

            await open_from_queue(pilot, app, ticket_id)
            await wait_until(pilot, lambda: shows(screen, ticket_id), what="the ticket again")
            await wait_until(pilot, lambda: screen.composer.border_title == "Ответ клиенту",
                             what="the composer in Russian")
            background = Color.parse(app.get_css_variables()["background"])
            assert screen.thread.styles.background == background, "the thread in the new theme's colours"
    finally:
        set_language("en")
