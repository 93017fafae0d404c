"""Home and end in a long thread reach its first and newest message; opening keeps the newest in view."""

from __future__ import annotations

from typing import Any, ClassVar

from test_widget_fakes import NOW, WidgetHost, make_message
from textual.binding import Binding, BindingType
from textual.pilot import Pilot

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

    def on_thread_need_newest(self, event: Thread.NeedNewest) -> None:
        self.requests += 1
        self.thread.show_newest(conversation(TOTAL - 49, TOTAL + 1), has_older=True, older_cursor=None)


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
        assert not app.thread.loading_shown  # the "Loading…" line is gone
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


async def home_from_the_newest_page(thread: Thread, pilot: Pilot[Any]) -> Thread:
    """The thread opened at its newest page, then home pressed and answered."""
    thread.set_messages(conversation(TOTAL - 49, TOTAL + 1), has_older=True)
    await settle(pilot)
    thread.focus()
    await pilot.press("home")
    await settle(pilot)
    return thread


async def test_home_again_shows_the_first_page_from_memory_and_never_another_tickets() -> None:
    """The first page home read is kept when the agent reads on: home again reads nothing (so shows
    no "Loading…" line first). Another ticket's thread (the screen reused) never shows it."""
    app = ServerBackedThread()
    async with app.run_test(size=(100, 40)) as pilot:
        thread = await home_from_the_newest_page(app.thread, pilot)
        assert app.requests == 1
        await pilot.press("end")  # the newest page, kept when home let it go (the first is no longer held)
        await settle(pilot)
        assert thread.has_older and thread.mounted_cards[-1].message.id == TOTAL
        assert app.requests == 1, "end read nothing: the newest page was kept"
        await pilot.press("home")
        await settle(pilot)
        assert thread.mounted_cards[0].message.id == 1 and thread.scroll_y == 0
        assert app.requests == 1, "home again read nothing"
        assert not thread.loading_shown

        # The screen shows another ticket: its home reads that ticket's first page.
        other = [make_message(i, "customer", f"Other ticket {i}", minutes_ago=10_000 - i, ticket_id=2)
                 for i in range(TOTAL + 2, TOTAL + 52)]
        thread.reset()
        thread.set_messages(other, has_older=True)
        await settle(pilot)
        await pilot.press("home")
        await settle(pilot)
        assert app.requests == 2, "another ticket's first page is read, not the one kept"


class SlowNewestThread(ServerBackedThread):
    """The newest page comes when the test says (a slow link)."""

    def __init__(self) -> None:
        super().__init__()
        self.newest_asked = 0

    def on_thread_need_newest(self, event: Thread.NeedNewest) -> None:
        event.prevent_default()  # not answered at once by the base class's handler
        self.requests += 1
        self.newest_asked += 1

    def answer_newest(self) -> None:
        super().on_thread_need_newest(Thread.NeedNewest(self.thread))
        self.requests -= 1


async def test_home_from_memory_while_the_newest_page_is_on_its_way_keeps_the_view_at_the_start() -> None:
    """End asks for the newest page; home (the first page kept) answers at once; the newest page
    that arrives after that is not wanted any more: the view stays at the first message."""
    app = SlowNewestThread()
    async with app.run_test(size=(100, 40)) as pilot:
        thread = await home_from_the_newest_page(app.thread, pilot)
        thread.forget_newest()  # the stream missed events: end reads the newest page again
        await pilot.press("end")
        await settle(pilot)
        assert app.newest_asked == 1 and thread.loading_shown, "end waits for its page"
        await pilot.press("home")
        await settle(pilot)
        assert thread.mounted_cards[0].message.id == 1 and not thread.loading_shown
        app.answer_newest()  # late
        await settle(pilot)
        assert thread.mounted_cards[0].message.id == 1 and thread.scroll_y == 0
        # And end again asks again, and this time shows its page.
        await pilot.press("end")
        await settle(pilot)
        app.answer_newest()
        await settle(pilot)
        assert thread.mounted_cards[-1].message.id == TOTAL
