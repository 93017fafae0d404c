"""One run of the queue scenario in a fresh interpreter; prints its timings as one JSON line.

`python -m bench.queue_probe --url URL --token TOKEN`. A fresh process per run keeps the
memory figure honest (no earlier app's garbage) and each run independent.

Every key time is "key press → first frame that shows the result", via `FrameRecorder`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.frames import FrameRecorder, send_key
from bench.gcwatch import GcWatch
from bench.procfs import peak_rss_kib, rss_kib
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.ticket_table import TicketTable

SIZE = (160, 48)
SETTLE_SECONDS = 0.3  # lets the debounced preview load land, so each step starts from a quiet app
KEY_GAP_SECONDS = 0.02  # between paced keys: about a held-down key's repeat rate
# Jump to the end (G) walks the queue's pages when it has to; past this we report "did not finish".
JUMP_TIMEOUT_SECONDS = 120.0
IDLE_SECONDS = 3.0  # longer than the app waits for a quiet moment to collect garbage
CANNED_SHORTCUT = "hi"  # the team's greeting: no variables to ask for, so enter inserts at once
# Memory per ticket opened: RSS once the app is idle after the first few and after many opens.
MEMORY_OPENS_FEW = 10
MEMORY_OPENS_MANY = 200


def visible_rows_loaded(table: TicketTable) -> bool:
    window = table.window
    if window is None or table.row_count == 0:
        return False
    top = round(table.scroll_y)
    body = max(1, table.scrollable_content_region.height - 1)
    stop = min(top + body, table.row_count)
    return all(
        window.is_loaded(i) or (window.exhausted and i >= window.row_count_known) for i in range(top, stop)
    )


def queue_app(url: str, token: str, data_dir: Path) -> SupportDeskApp:
    """The real app opening on the queue (a lead would open on the dashboard), GC as in a terminal."""
    return SupportDeskApp(AppSettings(server_url=url, token=token, data_dir=data_dir, start_mode="queue",
                                      freeze_gc_after_sign_in=True))


def queue_shown(app: SupportDeskApp) -> bool:
    screen = app.screen
    return isinstance(screen, QueueScreen) and visible_rows_loaded(screen.query_one(TicketTable))


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await asyncio.sleep(SETTLE_SECONDS)
    await pilot.pause()


async def run(url: str, token: str, moves: int, pagedowns: int, opens: int,
              canned: int = 3, memory_opens: int = MEMORY_OPENS_MANY) -> dict[str, Any]:
    result: dict[str, Any] = {"rss_imported_kib": rss_kib()}
    with tempfile.TemporaryDirectory(prefix="sd-bench-") as data_dir:
        app = queue_app(url, token, Path(data_dir))
        recorder = FrameRecorder(app)
        first = recorder.expect(lambda: queue_shown(app))
        started = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            result["first_rows_s"] = await recorder.wait(first) - started
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            table = queue.query_one(TicketTable)
            await settle(pilot)

            stayed: list[float] = []
            scrolled: list[float] = []
            result["move_s"] = await cursor_moves(recorder, table, moves, stayed, scrolled)
            result["move_in_view_s"], result["move_scrolling_s"] = stayed, scrolled
            await settle(pilot)
            result["burst_s"] = await cursor_burst(recorder, table, moves)
            await settle(pilot)
            result["pagedown_s"] = await page_downs(recorder, table, pagedowns)
            await settle(pilot)
            window = table.window
            assert window is not None
            result["rss_after_paging_kib"] = rss_kib()
            result["peak_rss_kib"] = peak_rss_kib()
            result["cursor_row_reached"] = table.cursor_row
            result["rows_held"] = window.rows_held
            result["pages_held"] = window.pages_held

            opened: list[int] = []
            gc_paused: list[float] = []
            result["open_s"] = await open_tickets(
                pilot, recorder, app, queue, table, opens, opened, gc_paused)
            result["open_gc_s"] = gc_paused
            result["open_uncached_s"] = await open_uncached(pilot, recorder, app, queue, table, opens)
            result["canned_insert_s"] = await canned_inserts(pilot, recorder, app, queue, table, canned)
            result["api_open_s"] = await api_open_floor(app, opened)
            result["api_first_page_s"] = await api_first_page_floor(app, queue)
            jump, rows = await jump_to_end(pilot, recorder, table, JUMP_TIMEOUT_SECONDS)
            result["jump_end_s"], result["jump_end_rows"] = jump, rows
            # Memory once the agent pauses: the app's idle-time full collection has run by then.
            await asyncio.sleep(IDLE_SECONDS)
            result["rss_after_jump_kib"] = rss_kib()
            if memory_opens:
                rss_few, rss_many = await memory_per_open(pilot, recorder, app, queue, table, memory_opens)
                result["rss_after_10_opens_kib"], result["rss_after_200_opens_kib"] = rss_few, rss_many
                result["memory_opens"] = memory_opens
    return result


async def cursor_moves(
    recorder: FrameRecorder, table: TicketTable, count: int, stayed: list[float], scrolled: list[float]
) -> list[float]:
    """Key → frame for each `j`, one key at a time."""
    samples: list[float] = []
    for _ in range(count):
        target = table.cursor_row + 1
        top = round(table.scroll_y)
        shown = recorder.expect(lambda target=target: table.cursor_row == target)  # type: ignore[misc]
        pressed = time.perf_counter()
        send_key(recorder.app, "j")
        elapsed = await recorder.wait(shown) - pressed
        # Split by whether the list had to scroll (every visible line redrawn) or not (two lines).
        (scrolled if round(table.scroll_y) != top else stayed).append(elapsed)
        samples.append(elapsed)
        await asyncio.sleep(KEY_GAP_SECONDS)
    return samples


async def cursor_burst(recorder: FrameRecorder, table: TicketTable, count: int) -> float:
    """`count` presses of `k` sent at once (a key held down faster than frames): until the last shows."""
    target = max(0, table.cursor_row - count)
    shown = recorder.expect(lambda: table.cursor_row == target)
    pressed = time.perf_counter()
    for _ in range(count):
        send_key(recorder.app, "k")
    return await recorder.wait(shown) - pressed


async def page_downs(recorder: FrameRecorder, table: TicketTable, count: int) -> list[float]:
    samples: list[float] = []
    for _ in range(count):
        body = max(1, table.scrollable_content_region.height - 1)
        target = min(table.cursor_row + max(1, body - 1), table.row_count - 1)

        def landed(target: int = target) -> bool:
            return table.cursor_row == target and visible_rows_loaded(table)

        shown = recorder.expect(landed)
        pressed = time.perf_counter()
        send_key(recorder.app, "pagedown")
        samples.append(await recorder.wait(shown) - pressed)
        await asyncio.sleep(KEY_GAP_SECONDS)
    return samples


async def open_tickets(
    pilot: Any,
    recorder: FrameRecorder,
    app: SupportDeskApp,
    queue: QueueScreen,
    table: TicketTable,
    count: int,
    opened: list[int],
    gc_paused: list[float],
) -> list[float]:
    samples: list[float] = []
    watch = GcWatch()
    for _ in range(count):
        send_key(app, "j")
        await settle(pilot)
        ticket = table.cursor_ticket
        assert ticket is not None
        opened.append(ticket.id)

        shown = recorder.expect(lambda ticket_id=ticket.id: _conversation_shown(app, ticket_id))  # type: ignore[misc]
        pressed = time.perf_counter()
        send_key(app, "enter")
        frame = await recorder.wait(shown)
        samples.append(frame - pressed)
        gc_paused.append(watch.paused_between(pressed, frame))
        await settle(pilot)  # the screen's follow-up requests (presence, other tickets) finish
        back = recorder.expect(lambda: app.screen is queue)
        send_key(app, "escape")
        await recorder.wait(back)
    return samples


def _conversation_shown(app: SupportDeskApp, ticket_id: int | None = None) -> bool:
    """The conversation (of `ticket_id`, when given) with its message cards laid out."""
    screen = app.screen
    if not isinstance(screen, ConversationScreen) or screen.ticket is None:
        return False
    if ticket_id is not None and (screen.ticket.id != ticket_id or any(
            card.message.ticket_id != ticket_id for card in screen.thread.mounted_cards)):
        return False  # still the previous ticket's (the screen is reused)
    cards = screen.thread.mounted_cards
    # Drawn and placed in the thread's lines (a block's region is its place on screen, in view).
    return bool(cards) and all(card.virtual_region.height > 0 for card in cards)


async def memory_per_open(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                          table: TicketTable, count: int) -> tuple[int, int]:
    """Open `count` tickets one after another from the top of the queue (`j`, enter → its messages
    shown, escape → the queue); RSS once the app is idle after the first `MEMORY_OPENS_FEW` and after
    all of them. Equal figures: opening a ticket leaves nothing behind."""
    top = recorder.expect(lambda: table.cursor_row == 0 and visible_rows_loaded(table))
    send_key(app, "g")
    await recorder.wait(top)
    await settle(pilot)
    rss_few = 0
    for n in range(1, count + 1):
        target = min(table.cursor_row + 1, table.row_count - 1)
        moved = recorder.expect(lambda target=target: table.cursor_row == target)  # type: ignore[misc]
        send_key(app, "j")
        await recorder.wait(moved)
        ticket = table.cursor_ticket
        assert ticket is not None
        shown = recorder.expect(lambda ticket_id=ticket.id: _conversation_shown(app, ticket_id))  # type: ignore[misc]
        send_key(app, "enter")
        await recorder.wait(shown)
        await pilot.pause()
        back = recorder.expect(lambda: app.screen is queue)
        send_key(app, "escape")
        await recorder.wait(back)
        if n == min(MEMORY_OPENS_FEW, count):
            await settle(pilot)
            await asyncio.sleep(IDLE_SECONDS)  # the app's idle-time full collection runs
            rss_few = rss_kib()
    await settle(pilot)
    await asyncio.sleep(IDLE_SECONDS)
    return rss_few, rss_kib()


async def open_uncached(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                        table: TicketTable, count: int) -> list[float]:
    """`j` then `enter` at once: the preview has not fetched this ticket yet, so nothing is prefetched."""
    samples: list[float] = []
    for _ in range(count):
        target = table.cursor_row + 1
        moved = recorder.expect(lambda target=target: table.cursor_row == target)  # type: ignore[misc]
        send_key(app, "j")
        await recorder.wait(moved)
        ticket = table.cursor_ticket
        assert ticket is not None
        shown = recorder.expect(lambda ticket_id=ticket.id: _conversation_shown(app, ticket_id))  # type: ignore[misc]
        pressed = time.perf_counter()
        send_key(app, "enter")
        samples.append(await recorder.wait(shown) - pressed)
        await settle(pilot)
        back = recorder.expect(lambda: app.screen is queue)
        send_key(app, "escape")
        await recorder.wait(back)
        await settle(pilot)
    return samples


async def canned_inserts(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                         table: TicketTable, count: int) -> list[float]:
    """In an open conversation: `c`, type the shortcut, then `enter` → the composer shows the text."""
    from supportdesk_tui.screens.canned import CannedPicker
    from supportdesk_tui.widgets.composer import Composer

    samples: list[float] = []
    for _ in range(count):
        send_key(app, "j")
        await settle(pilot)
        shown = recorder.expect(lambda: _conversation_shown(app))
        send_key(app, "enter")
        await recorder.wait(shown)
        await settle(pilot)
        conversation = app.screen
        assert isinstance(conversation, ConversationScreen) and conversation.ticket is not None
        marker = f"#{conversation.ticket.id}"
        await pilot.press("c")

        def picker_ready() -> bool:
            picker = app.screen
            entry = picker.highlighted if isinstance(picker, CannedPicker) and picker.loaded else None
            return entry is not None and entry.reply.shortcut == CANNED_SHORTCUT

        for char in CANNED_SHORTCUT:
            await pilot.press(char)
        for _attempt in range(100):
            if picker_ready():
                break
            await pilot.pause(0.02)
        assert picker_ready(), "the canned picker did not find the greeting"
        composer = conversation.query_one(Composer)
        def text_inserted(screen: ConversationScreen = conversation, composer: Composer = composer,
                          marker: str = marker) -> bool:
            return app.screen is screen and marker in composer.text

        inserted = recorder.expect(text_inserted)
        pressed = time.perf_counter()
        send_key(app, "enter")
        samples.append(await recorder.wait(inserted) - pressed)
        await settle(pilot)
        composer.clear()  # nothing left to save as a draft
        await pilot.press("escape")  # leave the composer
        back = recorder.expect(lambda: app.screen is queue)
        send_key(app, "escape")
        await recorder.wait(back)
        await settle(pilot)
    return samples


async def jump_to_end(pilot: Any, recorder: FrameRecorder, table: TicketTable,
                      timeout: float) -> tuple[float | None, int]:
    """`G` → the frame with the cursor on the queue's last ticket; None when it takes over `timeout`."""
    def at_end() -> bool:
        shown = table.window
        if shown is None or table.cursor_ticket is None or not visible_rows_loaded(table):
            return False
        if table.from_end:  # a long queue is read from its end: the last ticket is the top row
            return table.cursor_row == 0
        return shown.exhausted and table.cursor_row == table.row_count - 1

    shown = recorder.expect(at_end)
    pressed = time.perf_counter()
    send_key(recorder.app, "G")
    try:
        elapsed: float | None = await recorder.wait(shown, timeout=timeout) - pressed
    except TimeoutError:
        elapsed = None
    return elapsed, table.row_count


async def api_open_floor(app: SupportDeskApp, ticket_ids: list[int]) -> list[float]:
    """The two requests opening a ticket waits for, on the app's own client: the network floor."""
    samples: list[float] = []
    for ticket_id in ticket_ids:
        began = time.perf_counter()
        await app.api.get_ticket(ticket_id)
        await app.api.list_messages(ticket_id, order="desc", page_size=20)
        samples.append(time.perf_counter() - began)
    return samples


async def api_first_page_floor(app: SupportDeskApp, queue: QueueScreen, repeats: int = 3) -> list[float]:
    """The queue's first page request alone (what first rows wait for after sign-in)."""
    samples: list[float] = []
    params = queue.current_params()
    for _ in range(repeats):
        began = time.perf_counter()
        await app.api.list_tickets(params, page_size=app.settings.page_size)
        samples.append(time.perf_counter() - began)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.queue_probe")
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--moves", type=int, default=50)
    parser.add_argument("--pagedowns", type=int, default=20)
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--canned", type=int, default=3)
    parser.add_argument("--memory-opens", type=int, default=MEMORY_OPENS_MANY,
                        help="tickets opened one after another for the memory figure (0: skip it)")
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.token, args.moves, args.pagedowns, args.opens, args.canned,
                             args.memory_opens))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
