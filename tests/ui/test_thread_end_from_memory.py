"""End from memory: the newest page kept when the thread moved away from it, plus the live messages
that came since, is exactly what the server holds at that end; when that can't be known, end reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_widget_fakes import NOW, WidgetHost, make_message

from supportdesk_tui.contract.models import Message
from supportdesk_tui.widgets.thread import Thread
from waiting import settle

PAGE = 50
SIZE = (100, 40)


def message(message_id: int, *, ticket_id: int = 1) -> Message:
    kinds = ("customer", "reply", "note")
    return make_message(message_id, kinds[message_id % 3], f"Message number {message_id}",
                        minutes_ago=10_000 - message_id, ticket_id=ticket_id)


class Server(WidgetHost):
    """The server's messages (more may be written while the test runs), answered in pages of 50
    the way the conversation screen does; every page read counted."""

    def __init__(self, count: int, *, live: bool = True) -> None:
        self.stored = [message(i) for i in range(1, count + 1)]
        self.streaming = live
        self.thread = Thread(clock=lambda: NOW, id="thread", live=lambda: self.streaming)
        super().__init__([self.thread])
        self.requests: list[str] = []

    def write(self, count: int = 1) -> list[Message]:
        """New messages stored on the server, and told to the thread as the live stream would."""
        written = [message(self.stored[-1].id + 1 + i) for i in range(count)]
        self.stored += written
        for new in written:
            self.thread.append_message(new)
        return written

    def ids(self) -> list[int]:
        return [m.id for m in self.stored]

    def on_thread_need_older(self, event: Thread.NeedOlder) -> None:
        self.requests.append("older")
        before = [m for m in self.stored if event.before_id is None or m.id < event.before_id]
        self.thread.prepend_messages(before[-PAGE:], has_older=len(before) > PAGE, before_id=event.before_id)

    def on_thread_need_newer(self, event: Thread.NeedNewer) -> None:
        self.requests.append("newer")
        after = [m for m in self.stored if m.id > event.after_id]
        self.thread.append_page(after[:PAGE], has_newer=len(after) > PAGE, newer_cursor=None,
                                after_id=event.after_id)

    def on_thread_need_first(self, event: Thread.NeedFirst) -> None:
        self.requests.append("first")
        self.thread.show_first(self.stored[:PAGE], has_newer=len(self.stored) > PAGE, newer_cursor=None)

    def on_thread_need_newest(self, event: Thread.NeedNewest) -> None:
        self.requests.append("newest")
        self.thread.show_newest(self.stored[-PAGE:], has_older=len(self.stored) > PAGE, older_cursor=None)


async def open_at_newest(app: Server, pilot: object) -> None:
    app.thread.set_messages(app.stored[-PAGE:], has_older=True)
    await settle(pilot)  # type: ignore[arg-type]
    app.thread.focus()


def shows_the_servers_newest(app: Server) -> None:
    """The view at the newest message; what is held is the server's last messages, in order, none
    skipped or twice; the cards mounted are a run of them ending with the newest."""
    thread = app.thread
    held = [m.id for m in thread.messages]
    assert held == app.ids()[-len(held):], "held: the server's newest messages, in order"
    mounted = [card.message.id for card in thread.mounted_cards]
    assert mounted == held[-len(mounted):]
    assert mounted[-1] == app.ids()[-1]
    assert thread.scroll_y >= thread.max_scroll_y - 1
    assert not thread.has_newer
    assert not thread.loading_shown, "no Loading… line"


async def test_end_after_home_shows_the_newest_and_the_messages_written_meanwhile_from_memory() -> None:
    app = Server(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await pilot.press("home")
        await settle(pilot)
        assert app.requests == ["first"] and app.thread.has_newer
        app.write(3)  # the customer writes while the agent reads from the top
        # A replayed event (after a reconnect) of a message already kept is not shown twice.
        app.thread.append_message(app.stored[-4])
        await pilot.press("end")
        await settle(pilot)
        assert app.requests == ["first"], "end read nothing"
        shows_the_servers_newest(app)
        assert app.thread.messages[-3:] == app.stored[-3:]
        # Written now (the newest held): it joins at the end as before.
        app.write()
        await settle(pilot)
        shows_the_servers_newest(app)


async def test_end_after_paging_up_past_the_pages_let_go_shows_exactly_the_servers_newest() -> None:
    """Page up until the newest pages are let go, messages written on the way; end: every one of
    them, in order, after the kept page, and the view reads back up without a gap."""
    app = Server(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        for press in range(60):
            await pilot.press("pageup")
            if press % 10 == 5:
                app.write()
            if app.thread.has_newer and press > 15:
                break
        await settle(pilot)
        assert app.thread.has_newer, "the newest pages were let go"
        assert app.thread.messages[-1].id < app.ids()[-1]
        app.write(2)
        app.requests.clear()
        await pilot.press("end")
        await settle(pilot)
        assert app.requests == [], "end read nothing"
        shows_the_servers_newest(app)
        # Back up from there: the messages before the kept page are read and join without a gap.
        for _ in range(30):
            await pilot.press("pageup")
            if "older" in app.requests:
                break
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        held = [m.id for m in app.thread.messages]
        assert held == app.ids()[app.ids().index(held[0]):][: len(held)]
        assert app.requests and set(app.requests) == {"older"}


def _stream_reset_past_its_replay(app: Server) -> None:
    # Written while the stream was down beyond what the server replays: the thread is never told;
    # the screen tells it the stream reset.
    app.stored += [message(601), message(602)]
    app.thread.forget_newest()


def _stream_not_live(app: Server) -> None:
    app.streaming = False  # polling, reconnecting or live updates off: nothing tells the thread
    app.stored += [message(601)]


def _more_written_than_set_aside(app: Server) -> None:
    app.write(Thread.MAX_HELD + 1)


@pytest.mark.parametrize("meanwhile", [_stream_reset_past_its_replay, _stream_not_live,
                                       _more_written_than_set_aside],
                         ids=["stream-reset", "stream-not-live", "more-than-set-aside"])
async def test_end_reads_the_newest_page_when_the_kept_one_may_be_out_of_date(
        meanwhile: Callable[[Server], None]) -> None:
    app = Server(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await pilot.press("home")
        await settle(pilot)
        meanwhile(app)
        await pilot.press("end")
        await settle(pilot)
        assert app.requests == ["first", "newest"]
        shows_the_servers_newest(app)


async def test_end_never_shows_the_newest_page_kept_for_another_ticket() -> None:
    app = Server(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await pilot.press("home")
        await settle(pilot)
        # The screen shows another ticket (reused): its own newest messages, then home and end.
        app.stored = [message(i, ticket_id=2) for i in range(1_000, 1_200)]
        app.thread.reset()
        app.thread.set_messages(app.stored[-PAGE:], has_older=True)
        await settle(pilot)
        app.requests.clear()
        await pilot.press("home")
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert app.requests == ["first"], "the second ticket's newest page, kept by its own home"
        shows_the_servers_newest(app)
        assert {m.ticket_id for m in app.thread.messages} == {2}


class ReadsAhead(Server):
    """Answers the thread's read-ahead of the first page too (when the test says, or at once)."""

    def __init__(self, count: int, *, hold_ahead: bool = False, hold_first: bool = False) -> None:
        super().__init__(count)
        self.hold_ahead, self.hold_first = hold_ahead, hold_first
        self.ahead_asked: list[int] = []  # the ticket of each read-ahead

    def on_thread_first_page_ahead(self, event: Thread.FirstPageAhead) -> None:
        self.requests.append("ahead")
        self.ahead_asked.append(self.stored[0].ticket_id)
        if not self.hold_ahead:
            self.answer_ahead()

    def on_thread_need_first(self, event: Thread.NeedFirst) -> None:
        if self.hold_first:
            event.prevent_default()  # not answered at once by the base class's handler
            self.requests.append("first")

    def answer_ahead(self, stored: list[Message] | None = None) -> None:
        page = (stored or self.stored)[:PAGE]
        self.thread.keep_first_page(page, has_newer=True, newer_cursor=None)


async def test_the_first_page_is_read_ahead_once_the_thread_is_idle_and_home_shows_it_from_memory() -> None:
    app = ReadsAhead(600)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await pilot.pause(Thread.FIRST_PAGE_AHEAD_AFTER * 2)
        await settle(pilot)
        assert app.requests == ["ahead"], "one page read ahead"
        await pilot.press("home")
        await settle(pilot)
        assert app.requests == ["ahead"], "home read nothing"
        cards = app.thread.mounted_cards
        assert [c.message.id for c in cards] == app.ids()[: len(cards)]
        assert app.thread.scroll_y == 0 and not app.thread.loading_shown


async def test_home_while_the_page_read_ahead_is_on_its_way_shows_it_when_it_comes() -> None:
    """Home asks for its own page (the one read ahead might never come); whichever comes first is
    shown, and the other is not shown again over it."""
    app = ReadsAhead(600, hold_ahead=True, hold_first=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await pilot.pause(Thread.FIRST_PAGE_AHEAD_AFTER * 2)
        await settle(pilot)
        assert app.requests == ["ahead"]
        await pilot.press("home")
        await settle(pilot)
        assert app.requests == ["ahead", "first"] and app.thread.loading_shown, "home waits"
        app.answer_ahead()
        await settle(pilot)
        thread = app.thread
        assert thread.mounted_cards[0].message.id == 1 and thread.scroll_y == 0
        assert not thread.loading_shown
        await pilot.press("pagedown")
        await settle(pilot)
        scrolled_to = thread.scroll_y
        assert scrolled_to > 0
        thread.show_first(app.stored[:PAGE], has_newer=True, newer_cursor=None)  # home's own, late
        await settle(pilot)
        assert thread.scroll_y == scrolled_to, "the late page did not take the view back"


async def test_a_page_read_ahead_for_the_ticket_shown_before_is_not_kept() -> None:
    app = ReadsAhead(600, hold_ahead=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_at_newest(app, pilot)
        await pilot.pause(Thread.FIRST_PAGE_AHEAD_AFTER * 2)
        await settle(pilot)
        first_ticket = list(app.stored)
        app.stored = [message(i, ticket_id=2) for i in range(1_000, 1_200)]
        app.thread.reset()
        app.thread.set_messages(app.stored[-PAGE:], has_older=True)
        app.answer_ahead(first_ticket)  # ticket 1's page, late
        await settle(pilot)
        app.requests.clear()
        await pilot.press("home")
        await settle(pilot)
        assert [r for r in app.requests if r != "ahead"] == ["first"], "home reads ticket 2's first page"
        assert {m.ticket_id for m in app.thread.messages} == {2}
        assert app.thread.mounted_cards[0].message.id == 1_000


async def test_nothing_is_read_ahead_when_the_first_message_is_held() -> None:
    app = ReadsAhead(40)
    async with app.run_test(size=SIZE) as pilot:
        app.thread.set_messages(app.stored, has_older=False)
        await pilot.pause(Thread.FIRST_PAGE_AHEAD_AFTER * 2)
        await settle(pilot)
        assert app.requests == []
