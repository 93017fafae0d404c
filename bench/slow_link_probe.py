"""One run of the slow-link scenario in a fresh interpreter; prints its timings as one JSON line.

`python -m bench.slow_link_probe --url URL --token TOKEN` against the backend directly or
through `bench.slow_link` (the section runs both and reports them side by side). Every time is
key → the first frame that shows the result, via `FrameRecorder`, as in `bench.queue_probe`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.frames import FrameRecorder, send_key
from bench.queue_probe import (
    KEY_GAP_SECONDS,
    SIZE,
    cursor_moves,
    queue_app,
    queue_shown,
    visible_rows_loaded,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.ticket_table import TicketTable

FILTER = "priority:high"
COMPOSER_TEXT = "Checking now"  # typed key by key before each send
STEP_TIMEOUT = 30.0


async def until(condition: Callable[[], bool], what: str, timeout: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited too long for {what}")
        await asyncio.sleep(0.01)


async def quiet(pilot: Any, round_trip: float) -> None:
    """Long enough for the follow-up requests of the last step (preview, presence) to come back."""
    await pilot.pause()
    await asyncio.sleep(0.3 + 3 * round_trip)
    await pilot.pause()


def conversation_shown(app: SupportDeskApp) -> bool:
    screen = app.screen
    if not isinstance(screen, ConversationScreen) or screen.ticket is None:
        return False
    cards = screen.thread.mounted_cards
    # Drawn and placed in the thread's lines (a block's region is its place on screen, in view).
    return bool(cards) and all(card.virtual_region.height > 0 for card in cards)


def reply_shown(thread: Any, body: str) -> bool:
    """The reply is on screen: its waiting card, or its message, laid out (a card only created or
    mounted has no place in the frame yet)."""
    return any(body in card.body_text() and card.region.height > 0 for card in thread.waiting_cards) or \
        any(card.message.body == body and card.region.height > 0 for card in thread.mounted_cards)


async def run(url: str, token: str, moves: int, filters: int, opens: int, sends: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sd-bench-slow-") as data_dir:
        app = queue_app(url, token, Path(data_dir))
        recorder = FrameRecorder(app)
        first = recorder.expect(lambda: queue_shown(app))
        started = time.perf_counter()
        async with app.run_test(size=SIZE) as pilot:
            result["first_rows_s"] = await recorder.wait(first) - started
            queue = app.screen
            assert isinstance(queue, QueueScreen)
            table = queue.query_one(TicketTable)
            result["round_trip_s"] = rtt = await round_trips(app, 5)
            round_trip = sorted(rtt)[len(rtt) // 2]
            await quiet(pilot, round_trip)

            stayed: list[float] = []
            scrolled: list[float] = []
            result["move_s"] = await cursor_moves(recorder, table, moves, stayed, scrolled)
            await quiet(pilot, round_trip)
            shown, answered = await filter_steps(pilot, recorder, table, filters, round_trip)
            result["filter_shown_s"], result["filter_answered_s"] = shown, answered
            # One open not counted: the conversation's modules load with the first ticket opened.
            await open_uncached(pilot, recorder, app, queue, table, 1, round_trip)
            result["open_s"] = await open_prefetched(pilot, recorder, app, queue, table, opens, round_trip)
            result["open_uncached_s"] = await open_uncached(pilot, recorder, app, queue, table, opens,
                                                            round_trip)
            keys, sent_shown, confirmed = await compose_and_send(pilot, recorder, app, queue, table, sends,
                                                                 round_trip)
            result["composer_key_s"], result["send_shown_s"], result["send_confirmed_s"] = \
                keys, sent_shown, confirmed
    return result


async def round_trips(app: SupportDeskApp, count: int) -> list[float]:
    """One small request alone on the app's own client (`GET /me`): what the link adds."""
    samples: list[float] = []
    for _ in range(count):
        began = time.perf_counter()
        await app.api.me()
        samples.append(time.perf_counter() - began)
    return samples


def new_rows_shown(table: TicketTable, before: object) -> bool:
    """The table shows another list than `before`, with its rows (or says it has none)."""
    window = table.window
    return window is not before and window is not None and (
        table.cursor_ticket is not None or window.exhausted)


async def filter_steps(pilot: Any, recorder: FrameRecorder, table: TicketTable, count: int,
                       round_trip: float) -> tuple[list[float], list[float]]:
    """Apply `FILTER` (typed, then enter is timed), then clear it (escape is timed), `count` times:
    → the first frame showing the new list's rows, and → the frame showing the server's rows."""
    shown: list[float] = []
    answered: list[float] = []
    for _ in range(count):
        for keys, timed in ((["slash", *FILTER], "enter"), ([], "escape")):
            for key in keys:
                await pilot.press(key)
            before = table.window

            def rows_shown(before: object = before) -> bool:
                return new_rows_shown(table, before)

            def server_rows(before: object = before) -> bool:
                window = table.window
                return rows_shown(before) and window is not None \
                    and not getattr(window, "provisional", False) \
                    and visible_rows_loaded(table)  # getattr: the probe also measures an older app

            first, final = recorder.expect(rows_shown), recorder.expect(server_rows)
            # As between the queue's paced moves: a key sent the instant the last typed key's
            # frame was drawn would wait for Textual's next frame slot (60 per second at most).
            await asyncio.sleep(KEY_GAP_SECONDS)
            pressed = time.perf_counter()
            send_key(recorder.app, timed)
            shown.append(await recorder.wait(first) - pressed)
            answered.append(await recorder.wait(final) - pressed)
            await quiet(pilot, round_trip)
    return shown, answered


async def back_to_queue(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                        round_trip: float) -> None:
    await quiet(pilot, round_trip)
    back = recorder.expect(lambda: app.screen is queue)
    send_key(app, "escape")
    await recorder.wait(back)
    await quiet(pilot, round_trip)


async def open_prefetched(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                          table: TicketTable, count: int, round_trip: float) -> list[float]:
    """`j`, wait until the preview fetched the ticket, then enter → the conversation laid out."""
    samples: list[float] = []
    for _ in range(count):
        target = table.cursor_row + 1
        send_key(app, "j")
        await until(lambda target=target: table.cursor_row == target, "the cursor")  # type: ignore[misc]
        await until(lambda: queue._prefetched is not None and table.cursor_ticket is not None
                    and queue._prefetched.ticket.id == table.cursor_ticket.id, "the preview")
        shown = recorder.expect(lambda: conversation_shown(app))
        pressed = time.perf_counter()
        send_key(app, "enter")
        samples.append(await recorder.wait(shown) - pressed)
        await back_to_queue(pilot, recorder, app, queue, round_trip)
    return samples


async def open_uncached(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                        table: TicketTable, count: int, round_trip: float) -> list[float]:
    """`j` then enter at once: nothing prefetched, the conversation waits for the server."""
    samples: list[float] = []
    for _ in range(count):
        target = table.cursor_row + 1
        moved = recorder.expect(lambda target=target: table.cursor_row == target)  # type: ignore[misc]
        send_key(app, "j")
        await recorder.wait(moved)
        shown = recorder.expect(lambda: conversation_shown(app))
        pressed = time.perf_counter()
        send_key(app, "enter")
        samples.append(await recorder.wait(shown) - pressed)
        await back_to_queue(pilot, recorder, app, queue, round_trip)
    return samples


async def compose_and_send(pilot: Any, recorder: FrameRecorder, app: SupportDeskApp, queue: QueueScreen,
                           table: TicketTable, count: int,
                           round_trip: float) -> tuple[list[float], list[float], list[float]]:
    """In an open conversation: `r`, type `COMPOSER_TEXT` key by key (each timed), then ctrl+s →
    the reply shown as sending, and → the frame where it is confirmed (a message, no waiting card)."""
    keys: list[float] = []
    shown_samples: list[float] = []
    confirmed_samples: list[float] = []
    for n in range(count):
        send_key(app, "j")
        await quiet(pilot, round_trip)
        opened = recorder.expect(lambda: conversation_shown(app))
        send_key(app, "enter")
        await recorder.wait(opened)
        await quiet(pilot, round_trip)
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        composer = screen.query_one(Composer)
        await pilot.press("r")
        typed = ""
        for char in f"{COMPOSER_TEXT} {n}":
            typed += char

            def in_composer(expected: str = typed, composer: Composer = composer) -> bool:
                return composer.text == expected

            echoed = recorder.expect(in_composer)
            pressed = time.perf_counter()
            send_key(app, char)
            keys.append(await recorder.wait(echoed) - pressed)
            # Keys typed `KEY_GAP_SECONDS` apart (a fast typist leaves ~100 ms), as the queue's
            # moves: sent the instant the last key's frame was drawn, every key would wait for
            # Textual's next frame slot (60 per second at most) and the figure would be ~16 ms
            # whatever the key cost.
            await asyncio.sleep(KEY_GAP_SECONDS)
        body = typed
        thread = screen.thread

        def sending(thread: Any = thread, body: str = body) -> bool:
            return reply_shown(thread, body)

        def confirmed(thread: Any = thread, body: str = body) -> bool:
            return not thread.waiting_cards and any(card.message.body == body
                                                    for card in thread.mounted_cards)

        first, final = recorder.expect(sending), recorder.expect(confirmed)
        pressed = time.perf_counter()
        send_key(app, "ctrl+s")
        shown_samples.append(await recorder.wait(first) - pressed)
        confirmed_samples.append(await recorder.wait(final) - pressed)
        await pilot.press("escape")  # leave the composer
        await back_to_queue(pilot, recorder, app, queue, round_trip)
    return keys, shown_samples, confirmed_samples


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_link_probe")
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--filters", type=int, default=2)
    parser.add_argument("--opens", type=int, default=3)
    parser.add_argument("--sends", type=int, default=2)
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.token, args.moves, args.filters, args.opens, args.sends))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
