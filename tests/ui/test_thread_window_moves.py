"""Reading a long thread page by page: the messages drawn and let go as the window moves never move the view.

The window moves (older messages drawn above, the far ones let go) as the keys need and after their
frames, and whatever is added or dropped above the view moves the scroll offset by as much in the
same step. Every frame painted between two keys must show the same view.
"""

from __future__ import annotations

from typing import Any

from test_widget_fakes import NOW, WidgetHost, make_message

from supportdesk_tui.contract.models import Message
from supportdesk_tui.widgets.thread import Thread
from waiting import settle

TOTAL = 400
PAGE = 50


def conversation(start: int, stop: int) -> list[Message]:
    kinds = ("customer", "reply", "note")
    # Bodies of different lengths: cards of different heights, so a wrong offset shows.
    return [make_message(i, kinds[i % 3], f"Message number {i}. " + "Some words to wrap. " * (i % 7 * 3),
                         minutes_ago=10_000 - i)
            for i in range(start, stop)]


class PagedThread(WidgetHost):
    """Answers the thread's page requests from memory, as the conversation screen does from the server."""

    def __init__(self) -> None:
        self.thread = Thread(clock=lambda: NOW, id="thread")
        super().__init__([self.thread])
        self.frames: list[tuple[int, tuple[tuple[int, int], ...]]] = []
        self.keys = 0

    def on_thread_need_older(self, event: Thread.NeedOlder) -> None:
        before = event.before_id or TOTAL + 1
        start = max(1, before - PAGE)
        self.thread.prepend_messages(conversation(start, before), has_older=start > 1,
                                     before_id=event.before_id)

    def on_thread_need_newer(self, event: Thread.NeedNewer) -> None:
        stop = min(TOTAL + 1, event.after_id + 1 + PAGE)
        self.thread.append_page(conversation(event.after_id + 1, stop), has_newer=stop <= TOTAL,
                                newer_cursor=None, after_id=event.after_id)

    def record_frames(self) -> None:
        """After every frame painted: the cards in view and where their tops are on screen."""
        paint = self._display
        self.frames.append((self.keys, self.view()))  # the view before the first key

        def display(screen: Any, renderable: Any) -> None:
            paint(screen, renderable)
            if renderable is not None:
                self.frames.append((self.keys, self.view()))

        self._display = display  # type: ignore[method-assign]

    def view(self) -> tuple[tuple[int, int], ...]:
        thread = self.thread
        top = round(thread.scroll_y)
        bottom = top + thread.scrollable_content_region.height
        return tuple((card.message.id, card.virtual_region.y - top)
                     for card in thread.mounted_cards
                     if card.virtual_region.bottom > top and card.virtual_region.y < bottom)


async def read(app: PagedThread, pilot: Any, key: str, presses: int) -> set[int]:
    """Press `key` `presses` times; the first mounted message after each (the window's moves)."""
    firsts = set()
    for _ in range(presses):
        app.keys += 1
        await pilot.press(key)
        await settle(pilot)
        firsts.add(app.thread.mounted_cards[0].message.id)
    return firsts


def views_between_keys(app: PagedThread) -> dict[int, set[tuple[tuple[int, int], ...]]]:
    """The views painted after each key (a frame painted before the key reached the thread shows
    the view the key before left: not counted)."""
    views: dict[int, set[tuple[tuple[int, int], ...]]] = {}
    left: tuple[tuple[int, int], ...] = ()
    for key, view in app.frames:
        if key not in views:
            views[key] = set()
            before, left = left, ()
        if view and view != before:
            views[key].add(view)
        left = view or left
    return {key: shown for key, shown in views.items() if key}


async def test_reading_back_through_window_moves_never_shifts_the_view_between_keys() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        app.thread.set_messages(conversation(TOTAL - PAGE + 1, TOTAL + 1), has_older=True)
        await settle(pilot)
        app.thread.focus()
        app.record_frames()
        firsts = await read(app, pilot, "pageup", 60)
        assert len(firsts) >= 3, "the window moved several times (older cards mounted above)"
        shifted = {key: views for key, views in views_between_keys(app).items() if len(views) > 1}
        assert not shifted, f"the view moved without a key after page up {sorted(shifted)}"


async def test_reading_down_through_window_moves_never_shifts_the_view_between_keys() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        app.thread.show_first(conversation(1, PAGE + 1), has_newer=True, newer_cursor=None)
        await settle(pilot)
        app.thread.focus()
        app.record_frames()
        firsts = await read(app, pilot, "pagedown", 60)
        assert len(firsts) >= 3, "the window moved several times (cards above dropped)"
        shifted = {key: views for key, views in views_between_keys(app).items() if len(views) > 1}
        assert not shifted, f"the view moved without a key after page down {sorted(shifted)}"
        # Read in order: each key's view starts at or after the previous one's first message.
        starts = [min(views)[0][0] for _, views in sorted(views_between_keys(app).items())]
        assert starts == sorted(starts)


def with_codes(start: int, stop: int) -> list[Message]:
    kinds = ("customer", "reply", "note")
    return [make_message(i, kinds[i % 3], f"Message number {i}. The code is {100000 + i}, thanks. "
                         + "Some words to wrap. " * (i % 5 * 4), minutes_ago=10_000 - i * 7)
            for i in range(start, stop)]


class PagedCodes(PagedThread):
    def on_thread_need_older(self, event: Thread.NeedOlder) -> None:
        before = event.before_id or TOTAL + 1
        start = max(1, before - PAGE)
        self.thread.prepend_messages(with_codes(start, before), has_older=start > 1,
                                     before_id=event.before_id)


async def test_a_message_drawn_again_after_the_window_moved_shows_nothing_of_before() -> None:
    """The window lets the cards it moves away from go and draws the older messages (their lines
    may come from the lines kept for an earlier card): the revealed code, the text and the time of
    another message never show with a message, and a message drawn again shows its code masked."""
    from test_widget_thread import drawn

    from supportdesk_tui.i18n.times import date_time

    app = PagedCodes()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        app.thread.set_messages(with_codes(TOTAL - PAGE + 1, TOTAL + 1), has_older=True)
        await settle(pilot)
        app.thread.focus()
        await pilot.press("T")  # absolute times: each message's own, so a stale one shows
        newest = app.thread.mounted_cards[-1]
        assert newest.message.id == TOTAL
        newest.reveal(600)
        await settle(pilot)
        assert f"{100000 + TOTAL}" in drawn(newest)
        for _ in range(60):
            await pilot.press("pageup")
            await settle(pilot)
            if newest not in app.thread.mounted_cards:
                break
        assert newest not in app.thread.mounted_cards, "the newest message's card was let go"
        assert app.thread.mounted_cards[0].message.id < TOTAL - PAGE, "older messages are drawn"
        for card in app.thread.mounted_cards:
            shown = " ".join(drawn(card).split())
            message_id = card.message.id
            assert f"Message number {message_id}." in shown
            assert f"{100000 + message_id}" not in shown and not card.revealed  # its code still masked
            assert date_time(card.message.created_at) in shown
            assert card.has_class(f"-{card.message.kind.value}")
            assert f"Message number {TOTAL}." not in shown
        await pilot.press("end")
        await settle(pilot)
        again = app.thread.mounted_cards[-1]
        assert again.message.id == TOTAL and again is not newest
        shown = " ".join(drawn(again).split())
        assert f"{100000 + TOTAL}" not in shown and f"Message number {TOTAL}." in shown
        assert date_time(again.message.created_at) in shown
