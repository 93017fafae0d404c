"""Opening a ticket the queue already previewed: shown at once, then brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app

from supportdesk_tui.screens.conversation import ConversationScreen, Prefetched
from supportdesk_tui.screens.queue import QueueScreen
from waiting import settle, wait_until


async def _prefetch(app: Any, ticket_id: int) -> Prefetched:
    ticket = await app.api.get_ticket(ticket_id)
    page = await app.api.list_messages(ticket_id, order="desc", page_size=20)
    return Prefetched(ticket, page)


async def test_agent_opens_a_previewed_ticket_and_sees_its_messages_without_a_loading_state(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, body="Не могу войти, пароль не подходит")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        prefetched = await _prefetch(app, created["id"])
        screen = ConversationScreen(created["id"], prefetched)
        await app.push_screen(screen)
        # Straight from the prefetched page: no request has been answered yet.
        assert screen.ticket is not None and screen.ticket.id == created["id"]
        assert [m.body for m in screen.thread.messages] == ["Не могу войти, пароль не подходит"]
        cards = list(screen.thread.mounted_cards)
        await settle(pilot)  # the refresh lands and finds nothing new
        assert screen.thread.mounted_cards == cards, "an unchanged thread must not be rebuilt"
        assert screen.seen_up_to == prefetched.ticket.last_message_id


async def test_a_message_written_after_the_preview_appears_when_the_ticket_opens(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, body="Первое сообщение")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        prefetched = await _prefetch(app, created["id"])
        with workday_server.client("intake") as http:
            http.post(f"/api/v1/tickets/{created['id']}/messages",
                      json={"kind": "customer", "body": "И ещё одно, пока вы открывали"},
                      headers={"Idempotency-Key": f"late-{created['id']}"}).raise_for_status()
        screen = ConversationScreen(created["id"], prefetched)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: [m.body for m in screen.thread.messages][-1:]
                         == ["И ещё одно, пока вы открывали"], what="the newer message")
        assert screen.ticket is not None
        # What the agent has in front of them now includes the new message, so a reply is not refused.
        assert screen.seen_up_to == screen.ticket.last_message_id
        assert screen.seen_up_to != prefetched.ticket.last_message_id


async def test_agent_opens_the_highlighted_ticket_from_the_queue_with_the_preview_page(
        workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await wait_until(pilot, lambda: queue._prefetched is not None, what="the preview of the first row")
        highlighted = queue.table.cursor_ticket
        assert highlighted is not None and queue._prefetched is not None
        assert queue._prefetched.ticket.id == highlighted.id
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        assert screen.ticket is not None and screen.ticket.id == highlighted.id
        assert screen.thread.messages, "the preview's page is on screen at once"


async def test_closed_conversations_do_not_stay_alive_through_the_apps_theme_watchers(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server)
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        for _ in range(3):
            screen = ConversationScreen(created["id"])
            await app.push_screen(screen)
            await wait_until(pilot, lambda s=screen: s.ticket is not None,  # type: ignore[misc]
                             what="the conversation")
            app.pop_screen()
            await pilot.pause()
        watchers = getattr(app, "__watchers")["theme"]
        closed_before = [node for node, _ in watchers if getattr(node, "_closed", False)]
        assert closed_before, "Textual keeps each closed composer in the app's theme watchers"
        assert app.drop_watchers_of_closed_widgets() >= len(closed_before)
        still = getattr(app, "__watchers")["theme"]
        assert not [node for node, _ in still if getattr(node, "_closed", False)]
