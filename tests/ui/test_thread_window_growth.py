"""After home or end the window of cards is not whole at once: two views' worth are drawn for the
jump's frame and the rest grows from them a screenful at a time, on the side the agent reads
towards. Keys that come meanwhile still go one page each, past no message, and the window that
grows is exactly the messages next to those shown, in order, never more than `MAX_MOUNTED`.
"""

from __future__ import annotations

from test_thread_fast_keys import painted, press_a_frame_apart, skipped_between_frames, view_changes
from test_thread_window_moves import TOTAL, PagedThread, conversation

from keyboard import until_handled
from supportdesk_tui.widgets.thread import Thread
from waiting import settle


async def jump_frame(app: PagedThread) -> None:
    """The jump's key handled and its frame drawn, nothing more (the window is still growing)."""
    await until_handled(app)
    app.screen._on_timer_update()
    await until_handled(app)


def mounted_ids(app: PagedThread) -> list[int]:
    return [card.message.id for card in app.thread.mounted_cards]


async def away_from_both_ends(app: PagedThread, pilot: object) -> None:
    """Held: the first 200 messages (from a page read at the start), the window in the middle."""
    app.thread.show_first(conversation(1, 201), has_newer=True, newer_cursor=None)
    await settle(pilot)  # type: ignore[arg-type]
    app.thread.focus()
    app.record_frames()
    await press_a_frame_apart(app, "pagedown", 16)
    await settle(pilot)  # type: ignore[arg-type]
    assert mounted_ids(app)[0] > 1, "the window moved away from the first message"


async def newest_then_page_ups(app: PagedThread, pilot: object, first_id: int, keys: int) -> None:
    """Shown from message `first_id` to the newest (older ones on the server), then `keys` page ups a
    frame apart, every frame recorded."""
    app.animation_level = "none"
    app.thread.set_messages(conversation(first_id, TOTAL + 1), has_older=True)
    await settle(pilot)  # type: ignore[arg-type]
    app.thread.focus()
    app.record_frames()
    await press_a_frame_apart(app, "pageup", keys)
    await settle(pilot)  # type: ignore[arg-type]


async def test_page_downs_right_after_home_as_the_window_grows_skip_nothing() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await away_from_both_ends(app, pilot)
        thread = app.thread
        app.keys += 1
        thread.action_scroll_home()
        await jump_frame(app)
        del app.frames[:-1]  # from the frame that shows the first message at the top
        assert app.frames[-1][1][0] == (1, 0)
        grown_from = len(thread.mounted_cards)
        assert grown_from < thread.MAX_MOUNTED, "the jump mounted part of the window"
        await press_a_frame_apart(app, "pagedown", 10)
        await settle(pilot)
        assert skipped_between_frames(app) == [], "page down went past messages never shown"
        assert view_changes(app) == 10, "every key its own page"
        last = max(painted(app))
        assert set(range(1, last + 1)) <= painted(app)
        ids = mounted_ids(app)
        assert len(ids) <= thread.MAX_MOUNTED
        assert ids == list(range(ids[0], ids[0] + len(ids))), "consecutive messages, in order"


async def test_the_window_grown_after_home_is_the_first_fifty_and_the_view_stays() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        app.animation_level = "none"
        await away_from_both_ends(app, pilot)
        app.keys += 1
        app.thread.action_scroll_home()
        await settle(pilot)
        assert mounted_ids(app) == list(range(1, app.thread.MAX_MOUNTED + 1))
        shown = [view for _, view in app.frames if view and view[0][0] == 1]
        assert shown, "home showed the first message"
        after_home = app.frames[app.frames.index((app.keys, shown[0])):]
        assert {view for _, view in after_home} == {shown[0]}, "the cards that grew it never moved the view"


async def test_page_ups_right_after_end_as_the_window_grows_skip_nothing() -> None:
    app = PagedThread()
    async with app.run_test(size=(100, 30)) as pilot:
        await newest_then_page_ups(app, pilot, TOTAL - 199, 16)
        thread = app.thread
        assert mounted_ids(app)[-1] < TOTAL, "the window moved away from the newest message"
        app.keys += 1
        thread.action_scroll_end()
        await jump_frame(app)
        end_view = app.frames[-1][1]
        assert end_view and end_view[-1][0] == TOTAL
        assert len(thread.mounted_cards) < thread.MAX_MOUNTED, "the jump mounted part of the window"
        del app.frames[:-1]
        await press_a_frame_apart(app, "pageup", 10)
        await settle(pilot)
        assert skipped_between_frames(app) == [], "page up went past messages never shown"
        assert view_changes(app) == 10, "every key its own page"
        first = min(painted(app))
        assert set(range(first, TOTAL + 1)) <= painted(app)
        ids = mounted_ids(app)
        assert len(ids) <= thread.MAX_MOUNTED
        assert ids == list(range(ids[0], ids[0] + len(ids))), "consecutive messages, in order"


class AsksRecorded(PagedThread):
    def __init__(self) -> None:
        super().__init__()
        self.asked_at: list[float] = []  # the view's offset when each older page was asked for

    def on_thread_need_older(self, event: Thread.NeedOlder) -> None:
        self.asked_at.append(self.thread.scroll_y)
        super().on_thread_need_older(event)


async def test_paging_up_a_short_first_page_reads_the_older_page_ahead_and_skips_nothing() -> None:
    """Opened with 20 messages, all mounted: the older page is asked for while views are left above
    (not at the top, in the frame of the key that reaches it), and lands without moving the view."""
    app = AsksRecorded()
    async with app.run_test(size=(100, 30)) as pilot:
        await newest_then_page_ups(app, pilot, TOTAL - 19, 12)
        assert app.asked_at and app.asked_at[0] > 0, "asked before the view reached the top"
        assert skipped_between_frames(app) == [], "page up went past messages never shown"
        assert view_changes(app) == 12, "every key its own page"
        first = min(painted(app))
        assert first < TOTAL - 19, "read on into the older page"
        assert set(range(first, TOTAL + 1)) <= painted(app)
        ids = mounted_ids(app)
        assert len(ids) <= app.thread.MAX_MOUNTED
        assert ids == list(range(ids[0], ids[0] + len(ids)))
