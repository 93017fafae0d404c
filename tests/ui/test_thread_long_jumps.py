"""Home and end in a long thread reach its first and newest message; opening keeps the newest in view."""

from __future__ import annotations

from typing import ClassVar

from test_widget_fakes import NOW, WidgetHost, make_message
from textual.binding import Binding, BindingType

from supportdesk_tui.contract.models import Message
from supportdesk_tui.widgets.thread import Thread
from waiting import settle

TOTAL = 600


def conversation(start: int, stop: int) -> list[Message]:
    kinds = ("customer", "reply", "note")
    return [make_message(i, kinds[i % 3], f"Message number {i}", minutes_ago=10_000 - i)
            for i in range(start, stop)]


class ServerBackedThread(WidgetHost):
    """Answers the thread the way the conversation screen does: pages of 50 from where it asks."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self) -> None:
        self.thread = Thread(clock=lambda: NOW, id="thread")
        super().__init__([self.thread])
        self.requests = 0

    def on_thread_need_older(self, event: Thread.NeedOlder) -> None:
        self.requests += 1
        before = event.before_id or TOTAL + 1
        start = max(1, before - 50)
        self.thread.prepend_messages(conversation(start, before), has_older=start > 1)

    def on_thread_need_first(self, event: Thread.NeedFirst) -> None:
        self.requests += 1
        self.thread.show_first(conversation(1, 51), has_newer=True, newer_cursor=None)


async def test_home_in_a_long_thread_reaches_the_very_first_message() -> None:
    app = ServerBackedThread()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages(conversation(TOTAL - 19, TOTAL + 1), has_older=True)
        await settle(pilot)
        app.thread.focus()
        await pilot.press("home")
        await settle(pilot)
        cards = app.thread.mounted_cards
        assert cards[0].message.id == 1
        assert app.thread.scroll_y == 0
        assert len(cards) <= Thread.MAX_MOUNTED
        assert not app.thread.query(".thread--older")  # the "Loading…" line is gone
        assert app.requests == 1, "one page read from the start, not every page in between"


async def test_end_brings_the_newest_message_back_from_the_top() -> None:
    app = ServerBackedThread()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages(conversation(1, TOTAL + 1))
        await settle(pilot)
        app.thread.focus()
        await pilot.press("home")
        await settle(pilot)
        assert app.thread.mounted_cards[0].message.id == 1
        await pilot.press("end")
        await settle(pilot)
        cards = app.thread.mounted_cards
        assert cards[-1].message.id == TOTAL
        assert len(cards) == Thread.MAX_MOUNTED
        assert app.thread.scroll_y == app.thread.max_scroll_y


async def test_the_newest_message_stays_in_view_when_a_panel_narrows_the_thread() -> None:
    app = ServerBackedThread()
    async with app.run_test(size=(100, 40)) as pilot:
        long_text = "A long line that wraps more as the thread gets narrower. " * 4
        app.thread.set_messages([make_message(i, "customer", long_text, minutes_ago=100 - i)
                                 for i in range(1, 31)])
        await settle(pilot)
        assert app.thread.scroll_y == app.thread.max_scroll_y
        before = app.thread.max_scroll_y
        app.thread.styles.width = 50  # what the playbook panel does to it
        await settle(pilot)
        assert app.thread.max_scroll_y > before
        assert app.thread.scroll_y == app.thread.max_scroll_y


async def test_a_thread_scrolled_up_stays_where_the_agent_left_it_when_narrowed() -> None:
    app = ServerBackedThread()
    async with app.run_test(size=(100, 40)) as pilot:
        app.thread.set_messages(conversation(1, 31))
        await settle(pilot)
        app.thread.scroll_to(y=5, animate=False, immediate=True)
        await settle(pilot)
        app.thread.styles.width = 50
        await settle(pilot)
        assert app.thread.scroll_y == 5


async def test_a_live_message_that_arrives_while_the_last_page_is_on_its_way_is_not_lost() -> None:
    app = ServerBackedThread()
    async with app.run_test(size=(100, 40)) as pilot:
        # Home read the first page; the newest messages are not held.
        app.thread.show_first(conversation(1, 51), has_newer=True, newer_cursor="after-50")
        await settle(pilot)
        assert app.thread.has_newer
        # The customer writes while the page after 50 is being read: the server answered before
        # the message was stored, the stream brings it after.
        live = make_message(TOTAL + 1, "customer", "Written while you scrolled", minutes_ago=0)
        app.thread.append_message(live)
        app.thread.append_page(conversation(51, 101), has_newer=False, newer_cursor=None, after_id=50)
        await settle(pilot)
        assert [m.id for m in app.thread.messages] == [*range(1, 101), TOTAL + 1]
        await pilot.press("end")
        await settle(pilot)
        assert app.thread.mounted_cards[-1].message.id == TOTAL + 1
