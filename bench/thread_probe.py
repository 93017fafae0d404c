"""One run of the long-conversation scenario (issue #9, point 5) in a fresh interpreter; one JSON line.

`python -m bench.thread_probe --url URL --token TOKEN --ticket ID --small-ticket ID [--opens N]`

`--ticket` is a ticket with a long thread (2,000 messages from `bench.long_thread.seed_long_thread`),
`--small-ticket` one with a handful: the baseline, opened the same way in the same run. The token
must see both (a lead's, or `anna`'s: both tickets are in the `access` queue, tagged `long-thread`).

The app runs headless at 160x48 with Pilot, in queue mode. The queue is filtered to
`tag:long-thread` (setup, not timed) so both tickets are rows on screen; then `--opens` times:
the small ticket (cursor on its row, enter, measure, escape), then the long one (enter,
measure, `--pageups` × page up, home to the first message, `--pageups` × page down, end back
to the newest, escape).
Every time is "key press → first frame that shows the result", via `FrameRecorder`. Page-ups
run with Textual's scroll animation off (it spends ~0.6 s gliding each page at 50 lines/s;
its first frame is what is measured either way, and a still view lets every key start clean).
RSS is read after `gc.collect()` and a settle, so it is what stays, not garbage in flight.

JSON keys (times in seconds; lists hold one sample per open unless noted; RSS in KiB):
- `first_rows_s`: app start → the queue's first rows (context only).
- `open_small_s`, `open_long_s`: enter → first frame with the conversation's newest message card
  laid out and in view (the thread scrolled to its end).
- `open_small_cards_s`, `open_long_cards_s`: enter → first frame with every drawn card laid out
  (the `open_s` condition of `bench.queue_probe`, for comparison).
- `open_small_gc_s`, `open_long_gc_s`: garbage-collector pause inside each of those opens.
- `api_open_small_s`, `api_open_long_s`: the two requests an open waits for (GET ticket + GET 50
  newest messages) alone on the app's client: the network floor, one sample per open.
- `pageup_s`: each page up (from the newest end, `--pageups` per open of the long ticket) → first
  frame whose view moved or that shows older cards drawn above (while an older page loads,
  the view cannot move until it arrives).
- `pagedown_s`: each page down from the first message (`--pageups` per open), as `pageup_s`.
- `top_s`: home → first frame with the oldest message of the thread at the top of the view.
  `top_gc_s`: garbage-collector pause inside it (`pageup_gc_s`, `pagedown_gc_s`, `end_gc_s`: the
  same for each of those keys, one sample per key). `top_feedback_s`: home → first frame showing
  either the "Loading…" line the thread puts at the top while older pages arrive, or the first
  message itself.
- `pagedown_after_home_s`: a page down `SOON_SECONDS` after home's frame, sent from another thread
  as a terminal's key comes (as the rest of home's window may still be coming), timed from its
  arrival → first frame with the view off the first message's top. The page downs of `pagedown_s`
  go on from there. `pagedown_after_home_cpu_s`: the process's CPU time over the same span.
- `end_s`: end (from the first message) → first frame with the newest message in view again.
- `home_requests`, `end_requests`: message-list requests the app made from home (or end) until
  its frame, one sample per open (the thread reads one page from that end of the conversation).
- `api_top_floor_s`: the request home makes (one `GET …/messages?order=asc` page of the
  screen's `THREAD_PAGE_MESSAGES`) alone on the app's client; three samples per run.
- `api_oldest_page_s`: one `GET …/messages?order=asc` page of 50, for comparison; three per run.
- `rss_imported_kib`: after imports, before the app starts (one value).
- `rss_small_open_kib`, `rss_long_open_kib`, `rss_after_pageups_kib`, `rss_top_kib`,
  `rss_after_pagedowns_kib`, `rss_newest_kib`: RSS after opening the small ticket, the long one,
  after the page-ups, at the first message, after the page-downs, and back at the newest.
- `cards_small_open`, `cards_long_open`, `cards_after_pageups`, `cards_top`, `cards_after_pagedowns`,
  `cards_newest`: message cards drawn (the thread's window of laid-out blocks) at the same points;
  `widgets_long_open`, `widgets_top`: every widget in the thread.
- `held_after_pageups`, `held_top`, `held_after_pagedowns`, `held_newest`: messages the thread
  holds in memory at those points.
- `thread_messages`: messages in the long ticket; `peak_rss_kib`: the run's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.frames import FrameRecorder, send_key
from bench.gcwatch import GcWatch
from bench.procfs import peak_rss_kib, rss_kib
from bench.queue_probe import queue_app, queue_shown, settle, visible_rows_loaded
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.domain.query import parse_query
from supportdesk_tui.screens.conversation import THREAD_PAGE_MESSAGES, ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.thread import Thread
from supportdesk_tui.widgets.ticket_table import TicketTable

SIZE = (160, 48)
FILTER = "tag:long-thread"
KEY_GAP_SECONDS = 0.05
SOON_SECONDS = 0.01
WAIT_SECONDS = 30.0


class Run:
    """One app under Pilot and the figures gathered from it."""

    def __init__(self, app: SupportDeskApp, recorder: FrameRecorder, pilot: Any, queue: QueueScreen) -> None:
        self.app, self.recorder, self.pilot, self.queue = app, recorder, pilot, queue
        self.table = queue.query_one(TicketTable)
        self.watch = GcWatch()
        self.result: dict[str, Any] = {}
        self.message_requests = 0
        api = app.api
        list_messages = api.list_messages

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.message_requests += 1
            return await list_messages(*args, **kwargs)

        api.list_messages = counted  # type: ignore[method-assign]

    def add(self, key: str, value: float | int) -> None:
        self.result.setdefault(key, []).append(value)

    @property
    def thread(self) -> Thread:
        screen = self.app.screen
        assert isinstance(screen, ConversationScreen)
        return screen.thread

    async def press(self, key: str, condition: Any, gc_key: str | None = None) -> float:
        shown = self.recorder.expect(condition)
        pressed = time.perf_counter()
        send_key(self.app, key)
        frame = await self.recorder.wait(shown, WAIT_SECONDS)
        if gc_key is not None:
            self.add(gc_key, self.watch.paused_between(pressed, frame))
        return frame - pressed

    async def memory(self, suffix: str, *, held: bool = False, widgets: bool = False) -> None:
        await settle(self.pilot)
        gc.collect()
        thread = self.thread
        self.add(f"rss_{suffix}_kib", rss_kib())
        self.add(f"cards_{suffix}", len(thread.mounted_cards))
        if held:
            self.add(f"held_{suffix}", len(thread.messages))
        if widgets:
            self.add(f"widgets_{suffix}", sum(1 for _ in thread.walk_children()))

    # --- scenario steps ------------------------------------------------------------------

    async def open(self, ticket_id: int, newest_id: int, label: str) -> None:
        if not self.table.select_ticket(ticket_id):
            raise RuntimeError(f"ticket #{ticket_id} is not among the rows filtered by {FILTER!r}")
        await settle(self.pilot)  # the preview of the highlighted row loads first
        app = self.app
        cards_at = self.recorder.expect(lambda: self._cards_laid_out(ticket_id))
        newest_at = lambda: self._cards_laid_out(ticket_id) and self._newest_in_view(newest_id)  # noqa: E731
        pressed = time.perf_counter()
        self.add(f"open_{label}_s", await self.press("enter", newest_at, gc_key=f"open_{label}_gc_s"))
        self.add(f"open_{label}_cards_s", await self.recorder.wait(cards_at, WAIT_SECONDS) - pressed)
        assert app.screen is not self.queue

    async def back(self) -> None:
        back = self.recorder.expect(lambda: self.app.screen is self.queue)
        send_key(self.app, "escape")
        await self.recorder.wait(back, WAIT_SECONDS)
        await settle(self.pilot)

    async def page_ups(self, count: int, oldest_id: int) -> None:
        await self._pages("pageup", count, lambda: view_signature(self.thread)[0] == oldest_id
                          and self.thread.scroll_y <= 0)

    async def page_downs(self, count: int, newest_id: int) -> None:
        def at_newest() -> bool:
            cards = self.thread.mounted_cards
            return (bool(cards) and cards[-1].message.id == newest_id
                    and self.thread.scroll_y >= self.thread.max_scroll_y)

        await self._pages("pagedown", count, at_newest)

    async def _pages(self, key: str, count: int, at_edge: Any) -> None:
        self.app.animation_level = "none"
        try:
            for _ in range(count):
                before = view_signature(self.thread)
                if at_edge():
                    break  # the whole thread paged through (a short `--ticket`)
                self.add(f"{key}_s", await self.press(
                    key, lambda before=before: view_signature(self.thread) != before, gc_key=f"{key}_gc_s"))
                await asyncio.sleep(KEY_GAP_SECONDS)
        finally:
            self.app.animation_level = "full"

    async def to_first(self, oldest_id: int) -> None:
        def first_shown() -> bool:
            thread = self.thread
            cards = thread.mounted_cards
            return (bool(cards) and cards[0].message.id == oldest_id and thread.scroll_y <= 0
                    and cards[0].region.height > 0)

        def notice_shown() -> bool:
            return self.thread.loading_shown

        noticed = self.recorder.expect(lambda: notice_shown() or first_shown())
        requests = self.message_requests
        pressed = time.perf_counter()
        self.add("top_s", await self.press("home", first_shown, gc_key="top_gc_s"))
        self.add("home_requests", self.message_requests - requests)
        self.add("top_feedback_s", await self.recorder.wait(noticed, WAIT_SECONDS) - pressed)
        wall, cpu = await self.key_soon("pagedown", lambda: self.thread.scroll_y > 0)
        self.add("pagedown_after_home_s", wall)
        self.add("pagedown_after_home_cpu_s", cpu)

    async def key_soon(self, key: str, condition: Any) -> tuple[float, float]:
        """`key` `SOON_SECONDS` after the frame before, from another thread as a terminal delivers it,
        whatever the app is doing then (`press` sends it once the loop is free: work still under way
        from the key before never counts); wall and CPU (the process's) from its arrival to the frame."""
        shown = self.recorder.expect(condition)
        loop = asyncio.get_running_loop()
        arrived: list[tuple[float, float]] = []

        def arrive() -> None:
            time.sleep(SOON_SECONDS)
            arrived.append((time.perf_counter(), time.process_time()))
            loop.call_soon_threadsafe(send_key, self.app, key)

        terminal = threading.Thread(target=arrive)
        terminal.start()
        frame = await self.recorder.wait(shown, WAIT_SECONDS)
        cpu = time.process_time()  # the frame's future is resolved as the frame is written
        terminal.join()
        return frame - arrived[0][0], cpu - arrived[0][1]

    async def to_newest(self, newest_id: int) -> None:
        requests = self.message_requests
        self.add("end_s", await self.press("end", lambda: self._newest_in_view(newest_id), gc_key="end_gc_s"))
        self.add("end_requests", self.message_requests - requests)

    # --- conditions ----------------------------------------------------------------------

    def _cards_laid_out(self, ticket_id: int) -> bool:
        screen = self.app.screen
        if not isinstance(screen, ConversationScreen) or screen.ticket_id != ticket_id:
            return False
        if screen.ticket is None:
            return False
        cards = screen.thread.mounted_cards
        # Drawn and placed in the thread's lines (a block's region is its place on screen, in view).
        return bool(cards) and all(card.virtual_region.height > 0 for card in cards)

    def _newest_in_view(self, newest_id: int) -> bool:
        screen = self.app.screen
        if not isinstance(screen, ConversationScreen):
            return False
        thread = screen.thread
        cards = thread.mounted_cards
        return (bool(cards) and cards[-1].message.id == newest_id and cards[-1].region.height > 0
                and thread.scroll_y >= thread.max_scroll_y - 1)


def view_signature(thread: Thread) -> tuple[int, int, int]:
    """(oldest mounted card, newest mounted card, scroll offset): changes when the view moves.

    Read from the scroll offset and the drawn window only (cheap: no layout asked for).
    """
    cards = thread.mounted_cards
    if not cards:
        return 0, 0, round(thread.scroll_y)
    return cards[0].message.id, cards[-1].message.id, round(thread.scroll_y)


async def api_open_floor(app: SupportDeskApp, ticket_id: int) -> float:
    began = time.perf_counter()
    await app.api.get_ticket(ticket_id)
    await app.api.list_messages(ticket_id, order="desc", page_size=50)
    return time.perf_counter() - began


async def run(url: str, token: str, long_id: int, small_id: int, opens: int, pageups: int) -> dict[str, Any]:
    imported = rss_kib()
    with tempfile.TemporaryDirectory(prefix="sd-bench-") as data_dir:
        app = queue_app(url, token, Path(data_dir))
        recorder = FrameRecorder(app)
        first = recorder.expect(lambda: queue_shown(app))
        started = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            first_rows = await recorder.wait(first, WAIT_SECONDS) - started
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            queue.query_filter = parse_query(FILTER)
            queue.reload()
            table = queue.query_one(TicketTable)
            for _ in range(200):
                await asyncio.sleep(0.05)
                if visible_rows_loaded(table) and table.row_count >= 2:
                    break
            await settle(pilot)

            long_ticket = await app.api.get_ticket(long_id)
            small_ticket = await app.api.get_ticket(small_id)
            oldest = (await app.api.list_messages(long_id, order="asc", page_size=1)).items[0].id
            assert long_ticket.last_message_id is not None and small_ticket.last_message_id is not None

            probe = Run(app, recorder, pilot, queue)
            probe.result.update(rss_imported_kib=imported, first_rows_s=first_rows,
                                thread_messages=long_ticket.message_count)
            for _ in range(opens):
                await probe.open(small_id, small_ticket.last_message_id, "small")
                await probe.memory("small_open")
                await probe.back()

                await probe.open(long_id, long_ticket.last_message_id, "long")
                await probe.memory("long_open", widgets=True)
                await probe.page_ups(pageups, oldest)
                await probe.memory("after_pageups", held=True)
                await probe.to_first(oldest)
                await probe.memory("top", held=True, widgets=True)
                await probe.page_downs(pageups, long_ticket.last_message_id)
                await probe.memory("after_pagedowns", held=True)
                await probe.to_newest(long_ticket.last_message_id)
                await probe.memory("newest", held=True)
                await probe.back()

            for _ in range(opens):
                probe.add("api_open_small_s", await api_open_floor(app, small_id))
                probe.add("api_open_long_s", await api_open_floor(app, long_id))
            for _ in range(3):
                began = time.perf_counter()
                await app.api.list_messages(long_id, order="asc", page_size=THREAD_PAGE_MESSAGES)
                probe.add("api_top_floor_s", time.perf_counter() - began)
                began = time.perf_counter()
                await app.api.list_messages(long_id, order="asc", page_size=50)
                probe.add("api_oldest_page_s", time.perf_counter() - began)
            probe.result["peak_rss_kib"] = peak_rss_kib()
            return probe.result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.thread_probe")
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--ticket", type=int, required=True, help="the ticket with the long thread")
    parser.add_argument("--small-ticket", type=int, required=True, help="a ticket with a few messages")
    parser.add_argument("--opens", type=int, default=2)
    parser.add_argument("--pageups", type=int, default=15)
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.token, args.ticket, args.small_ticket, args.opens, args.pageups))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
