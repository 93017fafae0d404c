"""Opening a ticket draws the conversation once, with its messages: until they are mounted the last
frame (the queue) stays on the terminal, for a moment at most. These stories check the shortcut's
edges: a server that does not answer, keys typed meanwhile, leaving at once, what loads after that
frame; and that the queue covered by a ticket is left alone until it is back in front, then
catches up.

"Drawing is held" is `App._batch_count` (Textual's `batch_update`), read here and nowhere in the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import create_customer_ticket, make_app
from held_requests import HeldRequests, hold_requests

from keyboard import type_text
from supportdesk_tui.contract.models import MessageKind
from supportdesk_tui.navigation import OpenTicket, Prefetched
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.pickers import ChoiceModal
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.customer_sidebar import CustomerSidebar
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel
from waiting import settle, wait_until

API = "/api/v1"


async def queue_of(pilot: Any, app: Any) -> QueueScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
    await settle(pilot)
    queue = app.screen
    assert isinstance(queue, QueueScreen)
    return queue


def drawing_held(app: Any) -> bool:
    return bool(app._batch_count)


def open_with_its_reads_held(app: Any, queue: QueueScreen, ticket_id: int) -> HeldRequests:
    """Open the ticket while every GET of it (the ticket, its messages, …) waits at the gate."""
    held = hold_requests(app)
    held.hold(lambda r: r.method == "GET" and r.url.path.startswith(f"{API}/tickets/{ticket_id}"))
    queue.open_ticket(ticket_id)
    return held


async def test_a_ticket_the_server_is_slow_to_send_is_drawn_loading_after_a_moment(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, category="question", body="Медленный сервер")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await queue_of(pilot, app)
        held = hold_requests(app)
        ticket_path = f"{API}/tickets/{created['id']}"
        held.hold(lambda r: r.method == "GET" and r.url.path in (ticket_path, ticket_path + "/messages"))
        queue.open_ticket(created["id"])
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        # The server has not answered, and the conversation is drawn all the same: loading.
        await wait_until(pilot, lambda: not drawing_held(app), what="drawing resumed")
        assert len(held.waiting) == 2 and screen.ticket is None
        assert "Медленный сервер" not in app.export_screenshot()
        held.release()
        await wait_until(pilot, lambda: [m.body for m in screen.thread.messages] == ["Медленный сервер"],
                         what="the messages once the server answers")
        assert not drawing_held(app)


async def test_keys_typed_before_the_ticket_is_drawn_reach_the_ticket(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, category="question", body="Пишу сразу")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await queue_of(pilot, app)
        held = open_with_its_reads_held(app, queue, created["id"])
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await pilot.press("i")
        await type_text(pilot, "note")
        assert len(held.waiting) == 2, "typed before the ticket came"
        assert screen.composer.text == "note" and screen.composer.kind is MessageKind.NOTE
        held.release()
        await wait_until(pilot, lambda: bool(screen.thread.messages), what="the messages")
        assert screen.composer.text == "note"


async def test_leaving_a_ticket_before_it_is_drawn_draws_the_queue_again(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, category="question", body="Передумал")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await queue_of(pilot, app)
        held = open_with_its_reads_held(app, queue, created["id"])
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is queue, what="back on the queue")
        await wait_until(pilot, lambda: not drawing_held(app), what="drawing resumed")
        held.release()
        await settle(pilot)
        assert app.screen is queue and not drawing_held(app)


async def test_the_queue_under_a_ticket_is_left_alone_and_catches_up_when_back(
        workday_server: Any, tmp_path: Path) -> None:
    created = create_customer_ticket(workday_server, category="question", body="Под тикетом")
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await queue_of(pilot, app)
        assert queue.has_class("-wide")
        queue.open_ticket(created["id"])
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await wait_until(pilot, lambda: bool(screen.thread.messages), what="the messages")
        # Covered by an opaque screen, the queue is not drawn (its repaints used to redraw the ticket).
        assert screen.is_current and not queue.is_current
        # Under a dialog (translucent) the ticket still shows, and so is still drawn.
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceModal), what="the status dialog")
        assert screen.is_current and not queue.is_current
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="the dialog closed")

        await pilot.resize_terminal(90, 40)
        await wait_until(pilot, lambda: screen.has_class("-narrow"), what="the ticket at the new size")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is queue, what="back on the queue")
        await wait_until(pilot, lambda: queue.size == (90, 40) and queue.has_class("-narrow"),
                         what="the queue at the size the terminal has now")
        assert queue.is_current and not queue.has_class("-wide")


async def test_what_the_first_frame_did_not_need_follows_it(workday_server: Any, tmp_path: Path) -> None:
    # A previewed ticket with a playbook: drawn from the preview's page, then refreshed, and its
    # presence, history, playbook and the customer's other tickets asked for after that frame.
    created = create_customer_ticket(workday_server, category="hacked", body="Всё остальное потом")
    ticket_id = created["id"]
    app = make_app(workday_server, "anna", tmp_path, live_updates=False)
    async with app.run_test(size=(160, 48)) as pilot:
        queue = await queue_of(pilot, app)
        prefetched = Prefetched(await app.api.get_ticket(ticket_id),
                                await app.api.list_messages(ticket_id, order="desc", page_size=20))
        asked = hold_requests(app)  # holds nothing: lists what the app asks for
        queue.post_message(OpenTicket(ticket_id, prefetched))
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="the conversation")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        path = f"{API}/tickets/{ticket_id}"
        wanted = {("PUT", f"{path}/presence"), ("GET", path), ("GET", f"{path}/messages"),
                  ("GET", f"{path}/history"), ("GET", f"{API}/playbooks"), ("GET", f"{path}/audit")}
        await wait_until(pilot, lambda: wanted <= {(r.method, r.url.path) for r in asked.seen},
                         what="everything else asked for")
        sidebar = screen.query_one(CustomerSidebar)
        await wait_until(pilot, lambda: bool(screen.query(PlaybookPanel)) and sidebar._others is not None,
                         what="the playbook and the customer's other tickets on screen")
        assert sidebar.has_class("-beside-playbook")
        assert [m.body for m in screen.thread.messages] == ["Всё остальное потом"]
