"""A ticket with hundreds of messages: home reads one page, the agent reads it all, memory stays small.

The thread holds only the pages near the view and lets the others go; reading back past them
reads them again with the server's cursors. Whatever the agent scrolls through, every message
shows once, in order, none missing — also one that arrives by the live stream meanwhile. End
shows the newest messages kept when they were let go, with those the stream brought since.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import make_app

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import Author, Language, MessageKind, Priority, Requester, Status
from supportdesk_tui.navigation import OpenTicket
from supportdesk_tui.screens import conversation
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.server import sla
from supportdesk_tui.server.records import TicketState
from supportdesk_tui.server.store import open_store
from supportdesk_tui.widgets.thread import Thread
from waiting import settle, wait_until

# The thread's limits scaled down with the conversation (same logic, fewer keys to press): pages
# of 40, at most 160 held (the mounted cards and as many again each side are always kept), 300
# messages, so pages are still let go at both ends.
MESSAGES = 300
THREAD_PAGE_MESSAGES = 40
MAX_HELD = 160
HELD_AT_MOST = MAX_HELD + THREAD_PAGE_MESSAGES  # a page more may arrive before others go


@pytest.fixture(autouse=True)
def smaller_thread_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conversation, "THREAD_PAGE_MESSAGES", THREAD_PAGE_MESSAGES)
    monkeypatch.setattr(Thread, "MAX_HELD", MAX_HELD)


def seed_long_ticket(server: Any, count: int) -> int:
    """A ticket whose customer and agent wrote `count` one-line messages (straight into the store)."""
    store = open_store(server.db_path)
    try:
        requester = Requester(account_id="id55500011", name="Пётр Долгов", email="petr@example.com",
                              language=Language.RU)
        customer = Author(type="customer", id=requester.account_id, name=requester.name)
        agent = Author(type="agent", id="anna", name="Anna")
        start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        with store.write() as tx:
            state = TicketState(id=0, version=1, subject="Долгая переписка о входе", status=Status.NEW,
                                priority=Priority.HIGH, queue="access", language=Language.RU,
                                category="password", tags=["long"], requester=requester,
                                created_at=start, updated_at=start)
            sla.start(state, start)
            tx.insert_ticket(state)
            for n in range(1, count + 1):
                at = start + timedelta(minutes=n)
                kind = MessageKind.CUSTOMER if n % 2 else MessageKind.REPLY
                message = tx.insert_message(state.id, kind, customer if n % 2 else agent,
                                            f"Сообщение номер {n}", at)
                state.last_message_id = message.id
                state.message_count += 1
                state.updated_at = at
            state.version = 1 + count
            tx.save_ticket(state)
        return state.id
    finally:
        store.close()


def all_message_ids(server: Any, ticket_id: int) -> list[int]:
    ids: list[int] = []
    with server.client("lena") as http:
        response = http.get(f"/api/v1/tickets/{ticket_id}/messages", params={"page[size]": "200"})
        while True:
            body = response.json()
            ids += [m["id"] for m in body["data"]]
            if body["links"]["next"] is None:
                return ids
            response = http.get(body["links"]["next"])


def count_message_requests(app: SupportDeskApp) -> list[str]:
    """Every message-list request the app makes from now on, by its order, recorded as it is answered
    (the app's own call goes on with the answer in the same step: what it does with it is done)."""
    made: list[str] = []
    api = app.api
    original = api.list_messages

    async def counted(ticket_id: int, *, order: str = "asc", page_size: int = 50,
                      after: str | None = None) -> Any:
        page = await original(ticket_id, order=order, page_size=page_size, after=after)
        made.append(order)
        return page

    api.list_messages = counted  # type: ignore[method-assign]
    return made


class Reader:
    """The agent reading the thread key by key, and what each key left on screen."""

    def __init__(self, pilot: Any, screen: ConversationScreen, everything: Callable[[], list[int]]) -> None:
        self.pilot, self.screen, self.everything = pilot, screen, everything
        self.seen: set[int] = set()
        self.last_view: list[int] = []
        self.most_held = 0

    @property
    def thread(self) -> Thread:
        return self.screen.thread

    def look(self) -> list[int]:
        """The messages mounted (checked: a run of the conversation) and those in view, in view order."""
        thread = self.thread
        cards = thread.mounted_cards
        mounted = [card.message.id for card in cards]
        truth = self.everything()
        assert mounted, "the thread shows messages"
        at = truth.index(mounted[0])
        assert mounted == truth[at : at + len(mounted)], "mounted in order, none missing or twice"
        top, height = thread.scroll_y, thread.scrollable_content_region.height
        in_view = [card.message.id for card in cards
                   if card.virtual_region.bottom > top and card.virtual_region.y < top + height]
        if self.last_view and in_view:
            # The earlier of the two views reaches the later one: no message was scrolled past unseen.
            earlier, later = sorted((self.last_view, in_view), key=lambda view: truth.index(view[0]))
            reached, wanted = truth.index(earlier[-1]) + 1, truth.index(later[0])
            assert reached >= wanted, f"scrolled past {truth[reached:wanted]} without showing them"
        self.last_view = in_view or self.last_view
        self.seen.update(in_view)
        self.most_held = max(self.most_held, len(thread.messages))
        return mounted

    async def read_until(self, key: str, done: Callable[[list[int]], bool], *, presses: int = 200) -> None:
        for _ in range(presses):
            await self.pilot.press(key)  # and a pause: every message the key caused is handled
            if done(self.look()):
                return
        raise AssertionError(f"{key} × {presses} never got there")


@pytest.mark.runs_long(seconds=15)
async def test_agent_goes_home_in_a_long_thread_and_reads_it_all_back_with_little_held(
        server_factory: Any, tmp_path: Path) -> None:
    server = server_factory()
    ticket_id = seed_long_ticket(server, MESSAGES)
    truth = all_message_ids(server, ticket_id)
    assert len(truth) == MESSAGES
    app = make_app(server, "lena", tmp_path, start_mode="queue")
    async with app.run_test(size=(160, 80)) as pilot:  # tall: fewer page-downs to read it all
        app.animation_level = "none"
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        # Every message-list request the app makes from the open on (its calls to the API client),
        # so the first page read in the background counts whenever it happens.
        requests = count_message_requests(app)
        app.post_message(OpenTicket(ticket_id))
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                         and app.screen.ticket_id == ticket_id
                         and [c.message.id for c in app.screen.thread.mounted_cards][-1:] == truth[-1:],
                         what="the conversation at its newest message")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        await settle(pilot)
        reader = Reader(pilot, screen, lambda: truth)

        # Open and idle a moment: the first page is read ahead, one request from the start of the
        # conversation. Home then shows it without another.
        await wait_until(pilot, lambda: "asc" in requests, what="the first page read ahead and kept")
        requests_at_home = len(requests)
        await pilot.press("home")
        await wait_until(pilot, lambda: reader.thread.mounted_cards[0].message.id == truth[0]
                         and reader.thread.scroll_y == 0, what="the first message at the top")
        await settle(pilot)
        assert requests.count("asc") == 1, "one page from the start, not every page in between"
        assert len(requests) == requests_at_home, "home read nothing: the first page was read ahead"
        reader.look()
        assert len(reader.thread.messages) <= THREAD_PAGE_MESSAGES

        # The customer writes while the agent reads from the top: the live stream brings it.
        with server.client("intake") as http:
            http.post(f"/api/v1/tickets/{ticket_id}/messages",
                      json={"kind": "customer", "body": "Пока вы читали: пароль всё ещё не подходит"},
                      headers={"Idempotency-Key": f"long-{ticket_id}"}).raise_for_status()
        truth = all_message_ids(server, ticket_id)
        await wait_until(pilot, lambda: screen.seen_up_to == truth[-1], what="the live message")

        # Down to the newest, page after page: every message once, in order, the new one last.
        await reader.read_until("pagedown", lambda shown: shown[-1] == truth[-1]
                                and reader.thread.scroll_y >= reader.thread.max_scroll_y)
        assert reader.seen == set(truth), "every message was shown on the way down"
        assert reader.most_held <= HELD_AT_MOST, "memory follows the view, not the thread's length"
        assert reader.thread.messages[0].id != truth[0], "the first pages were let go"

        # And back up to the first: the pages let go are read again from where the thread holds.
        reader.seen.clear()
        reader.look()
        await reader.read_until("pageup", lambda shown: shown[0] == truth[0]
                                and reader.thread.scroll_y <= 0)
        assert reader.seen == set(truth), "every message was shown on the way back up"
        assert reader.most_held <= HELD_AT_MOST
        assert reader.thread.messages[-1].id != truth[-1], "the newest pages were let go"
        assert len(requests) < 2 * (MESSAGES // THREAD_PAGE_MESSAGES + 2), "pages, not message by message"

        # Another customer message while the agent is at the top (the newest pages let go).
        with server.client("intake") as http:
            http.post(f"/api/v1/tickets/{ticket_id}/messages",
                      json={"kind": "customer", "body": "И ещё одно, пока вы были наверху"},
                      headers={"Idempotency-Key": f"long-{ticket_id}-2"}).raise_for_status()
        truth = all_message_ids(server, ticket_id)
        await wait_until(pilot, lambda: screen.seen_up_to == truth[-1], what="the second live message")

        # End: the newest messages as they were last held, kept when they were let go, and the
        # message the stream brought since: exactly the server's newest, read from memory (the
        # count is of the app's own requests to the server's message lists).
        requests.clear()
        await pilot.press("end")
        await wait_until(pilot, lambda: [c.message.id for c in reader.thread.mounted_cards][-1:] == truth[-1:]
                         and reader.thread.scroll_y >= reader.thread.max_scroll_y, what="the newest message")
        await settle(pilot)
        assert requests == [], "the newest page was kept"
        held = [m.id for m in reader.thread.messages]
        assert held == truth[-len(held):], "the server's newest messages, in order, none skipped"
        reader.last_view = []  # a jump, not a scroll
        reader.look()
