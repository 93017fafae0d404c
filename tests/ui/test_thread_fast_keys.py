"""An agent holding page down (or up) in a long thread: keys come a frame apart, or several in one.

The window of mounted cards moves after the frame that answers a key, and the layout that takes
the moved cards in keeps the view where it was. A key that arrives meanwhile must land after that
move, one page on from what the agent was looking at: every message between the first view and
the last is painted on the way, none scrolled past unseen.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from test_thread_window_moves import PAGE, TOTAL, PagedThread, conversation
from textual import events

from keyboard import until_handled
from waiting import settle

View = tuple[tuple[int, int], ...]


def send_key(app: PagedThread, key: str) -> None:
    """The key as `pilot.press` sends it, without waiting for anything it causes."""
    event = events.Key(key, None)
    event.set_sender(app)
    driver = app._driver
    assert driver is not None
    driver.send_message(event)


async def press_a_frame_apart(app: PagedThread, key: str, presses: int) -> None:
    """Each key right after the frame the one before caused (what an agent holding the key makes
    of a busy frame): handled, one frame drawn, what that frame set off handled, the next key."""
    for _ in range(presses):
        app.keys += 1
        send_key(app, key)
        await until_handled(app)
        app.screen._on_timer_update()
        await until_handled(app)


async def press_in_bursts(app: PagedThread, key: str, presses: int, burst: int) -> None:
    """`burst` keys at once (handled before any frame), then the frames they asked for."""
    for _ in range(0, presses, burst):
        app.keys += 1
        for _ in range(burst):
            send_key(app, key)
        await until_handled(app)
        app.screen._on_timer_update()
        await until_handled(app)


def skipped_between_frames(app: PagedThread) -> list[list[int]]:
    """The messages that two frames in a row scrolled past without either painting them."""
    views: list[View] = [view for _, view in app.frames if view]
    skipped: list[list[int]] = []
    for earlier, later in pairwise(views):
        ids_before, ids_after = [m for m, _ in earlier], [m for m, _ in later]
        low, high = sorted((ids_before, ids_after), key=lambda ids: ids[0])
        if high[0] > low[-1] + 1:
            skipped.append(list(range(low[-1] + 1, high[0])))
    return skipped


def view_changes(app: PagedThread) -> int:
    """How many times a frame showed another view than the frame before (a window move does not)."""
    views: list[View] = [view for _, view in app.frames if view]
    return sum(1 for earlier, later in pairwise(views) if earlier != later)


def painted(app: PagedThread) -> set[int]:
    return {message for _, view in app.frames for message, _ in view}


async def start_at_the_top(app: PagedThread, pilot: Any, *, pages: int = 1) -> None:
    app.thread.show_first(conversation(1, pages * PAGE + 1), has_newer=True, newer_cursor=None)
    await settle(pilot)
    app.thread.focus()
    app.record_frames()


async def start_at_the_end(app: PagedThread, pilot: Any, *, pages: int = 1) -> None:
    app.thread.set_messages(conversation(TOTAL - pages * PAGE + 1, TOTAL + 1), has_older=True)
    await settle(pilot)
    app.thread.focus()
    app.record_frames()


async def test_page_down_a_frame_apart_never_scrolls_past_a_message() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await start_at_the_top(app, pilot)
        await press_a_frame_apart(app, "pagedown", 50)
        await settle(pilot)
        assert skipped_between_frames(app) == []
        assert view_changes(app) == 50, "every key moved the view, by a page of its own"
        last = max(painted(app))
        assert last > 3 * app.thread.MAX_MOUNTED, "read down through several window moves"
        assert set(range(1, last + 1)) <= painted(app), "every message on the way was painted"


async def test_page_up_a_frame_apart_never_scrolls_past_a_message() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await start_at_the_end(app, pilot)
        await press_a_frame_apart(app, "pageup", 50)
        await settle(pilot)
        assert skipped_between_frames(app) == []
        assert view_changes(app) == 50, "every key moved the view, by a page of its own"
        first = min(painted(app))
        assert first < TOTAL - 3 * app.thread.MAX_MOUNTED, "read up through several window moves"
        assert set(range(first, TOTAL + 1)) <= painted(app), "every message on the way was painted"


async def test_page_keys_faster_than_frames_each_get_a_page_of_their_own() -> None:
    """Three keys handled before a frame: three pages, each painted (none lost, none jumped over).

    (Two pages held, one mounted: the messages past the window are in memory when a key reaches its
    edge, as the screen reads ahead; a key at the edge of all that is held, while the next page is
    still on its way, moves the view no further.)"""
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await start_at_the_top(app, pilot, pages=2)
        await press_in_bursts(app, "pagedown", 30, burst=3)
        await settle(pilot)
        assert view_changes(app) == 30
        down_to = max(painted(app))
        assert down_to > 2 * app.thread.MAX_MOUNTED, "the keys were not lost"
        assert skipped_between_frames(app) == []
        assert set(range(1, down_to + 1)) <= painted(app)
        app.frames[:] = [(app.keys, app.view())]  # from the view the page downs left
        await press_in_bursts(app, "pageup", 30, burst=3)
        await settle(pilot)
        assert view_changes(app) == 30
        assert min(painted(app)) < down_to - 2 * app.thread.MAX_MOUNTED
        assert skipped_between_frames(app) == []


async def test_a_page_key_that_comes_as_the_window_moves_lands_one_page_on() -> None:
    """The view reaches the edge of the mounted cards; the window moves after that frame, and a
    page key comes before the move is laid out: it goes one page on from what the agent saw."""
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await start_at_the_top(app, pilot, pages=2)
        thread = app.thread

        def key_now(key: str) -> None:
            app.frames[:] = app.frames[-1:]  # the frame that shows the edge
            app.keys += 1
            # What the key's binding runs, at once: a key sent now may be handled before the move
            # is laid out or after, as the event loop turns.
            if key == "pagedown":
                thread.action_page_down()
            else:
                thread.action_page_up()

        for key, edge in (("pagedown", lambda: thread.max_scroll_y), ("pageup", lambda: 0)) * 2:
            first_mounted = thread.mounted_cards[0].message.id
            thread.scroll_to(y=edge(), animate=False, immediate=True)
            thread.call_after_refresh(key_now, key)  # after that frame: as the window moves
            await settle(pilot)
            assert thread.mounted_cards[0].message.id != first_mounted, "the window moved"
            assert skipped_between_frames(app) == [], f"{key} scrolled past messages"
            assert view_changes(app) == 1, f"{key} moved the view, once"


async def test_a_page_key_with_nothing_under_way_is_answered_in_the_next_frame() -> None:
    """The first frame after the key shows its page, even when that frame has other work to draw
    (the key bar, a clock): the key is not put off until after it."""
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await start_at_the_top(app, pilot, pages=2)
        before = app.view()
        app.keys += 1
        send_key(app, "pagedown")
        app.screen.refresh()  # something else to draw in the same frame
        await until_handled(app)
        app.screen._on_timer_update()
        assert app.frames[-1] == (app.keys, app.view())
        assert app.view() != before, "the frame after the key shows the next page"


async def test_page_down_right_after_home_goes_one_page_on_from_the_first_message() -> None:
    """Home shows a screenful first and mounts the rest of the window after that frame; a page down
    that comes as the rest is mounted waits for it, then goes one page on (it once stopped at the
    screenful's end, which put Textual's bottom anchor back on: the rest's layout then jumped the
    view to the window's end, past the messages between)."""
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await start_at_the_top(app, pilot, pages=2)
        thread = app.thread
        await press_a_frame_apart(app, "pagedown", 16)  # down past the first window
        await settle(pilot)
        assert thread.mounted_cards[0].message.id > 1, "home must mount another window"

        def page_down() -> None:
            app.keys += 1
            thread.action_page_down()

        before_home = len(app.frames)
        app.keys += 1
        thread.action_scroll_home()
        thread.call_after_refresh(page_down)  # after home's frame, as the rest of the window comes
        await settle(pilot)
        home = next(at for at, (_, view) in enumerate(app.frames)
                    if at >= before_home and view and view[0] == (1, 0))
        del app.frames[:home]  # from the frame that shows the first message at the top
        assert skipped_between_frames(app) == [], "page down went past messages never shown"
        assert view_changes(app) == 1, "one page on from the first message"
        assert len(thread.mounted_cards) == thread.MAX_MOUNTED
