"""CPU per key for the slow-link section's keys: a filter applied and cleared, a composer key, a send.

`python -m bench.slow_keys_cpu [--url URL --token TOKEN]` (without a URL it starts a 1,000-ticket
bulk backend of its own). Wall-clock figures on a shared machine swing with the other work on it;
`time.process_time` from the key to the frame that shows it counts only what this process did,
so before/after comparisons hold in the same conditions. The send (ctrl+s → the reply shown as
"sending…") is also timed in wall time (`send_wall`): its disk writes wait without using CPU.
Not part of `make bench`: a profiling aid for `bench/profile_notes.md`. Prints one JSON line:
median / p95 / max in ms per figure.
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

from bench.backend import given_or_bulk_backend
from bench.frames import FrameRecorder, send_key
from bench.queue_probe import KEY_GAP_SECONDS, SIZE, queue_app, queue_shown
from bench.slow_link_probe import FILTER, conversation_shown, new_rows_shown, quiet, reply_shown
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.ticket_table import TicketTable

TYPED = "Checking the invoice now, one moment please"


async def timed_key(recorder: FrameRecorder, key: str, shown: Callable[[], bool]) -> float:
    """CPU time from `key` to the first frame painted while `shown()` holds (the recorder's clock)."""
    frame = recorder.expect(shown)
    await asyncio.sleep(KEY_GAP_SECONDS)  # as the probes do: not inside the last frame's slot
    began = time.process_time()
    send_key(recorder.app, key)
    return await recorder.wait(frame) - began


async def run(url: str, token: str, filters: int, replies: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"filter_enter": [], "filter_escape": [], "composer_key": [],
                                       "send": [], "send_wall": []}
    with tempfile.TemporaryDirectory(prefix="sd-bench-keys-") as data_dir:
        app = queue_app(url, token, Path(data_dir))
        recorder = FrameRecorder(app, clock=time.process_time)
        wall = FrameRecorder(app)
        first = recorder.expect(lambda: queue_shown(app))
        async with app.run_test(size=SIZE) as pilot:
            await recorder.wait(first)
            table = app.screen.query_one(TicketTable)
            await quiet(pilot, 0.05)
            for _ in range(filters):
                for keys, key in ((["slash", *FILTER], "enter"), ([], "escape")):
                    for typed in keys:
                        await pilot.press(typed)
                    before = table.window

                    def new_rows(before: object = before) -> bool:
                        return new_rows_shown(table, before)

                    samples[f"filter_{key}"].append(await timed_key(recorder, key, new_rows))
                    await quiet(pilot, 0.05)
            for _ in range(replies):
                send_key(app, "j")
                await quiet(pilot, 0.05)
                opened = recorder.expect(lambda: conversation_shown(app))
                send_key(app, "enter")
                await recorder.wait(opened)
                await quiet(pilot, 0.05)
                composer = app.screen.query_one(Composer)
                await pilot.press("r")
                text = ""
                for char in TYPED:
                    text += char
                    def echoed(text: str = text, composer: Composer = composer) -> bool:
                        return composer.text == text

                    samples["composer_key"].append(await timed_key(recorder, char, echoed))
                await quiet(pilot, 0.05)  # past the composer's throttled draft save

                def sending(text: str = text, thread: Any = app.screen.thread) -> bool:
                    return reply_shown(thread, text)

                wall_frame = wall.expect(sending)
                began_wall = time.perf_counter()
                samples["send"].append(await timed_key(recorder, "ctrl+s", sending))
                samples["send_wall"].append(await wall.wait(wall_frame) - began_wall - KEY_GAP_SECONDS)
                await quiet(pilot, 0.05)  # the server's answer
                await pilot.press("escape")  # out of the composer
                await pilot.press("escape")  # back to the queue
                await quiet(pilot, 0.05)
    return samples


def summary(values: list[float]) -> list[float]:
    ordered = sorted(v * 1000 for v in values)
    if not ordered:
        return []
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return [round(ordered[len(ordered) // 2], 1), round(p95, 1), round(ordered[-1], 1)]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_keys_cpu")
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--filters", type=int, default=5)
    parser.add_argument("--replies", type=int, default=2)
    args = parser.parse_args()
    with given_or_bulk_backend(args.url, args.token, prefix="sd-bench-keys-backend-") as (url, token):
        samples = asyncio.run(run(url, token, args.filters, args.replies))
    print(json.dumps({name: summary(values) for name, values in samples.items()}))


if __name__ == "__main__":
    main()
