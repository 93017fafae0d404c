"""CPU per prefetched ticket open, as the queue probe opens them, and the full collections around them.

`python -m bench.open_cpu [--url URL --token TOKEN] [--opens N] [--profile FILE.html]` (without a URL it
starts a 1,000-ticket bulk backend of its own: the queue's size only reaches an open through the
server's latency, and a prefetched open asks the server nothing before its frame). Each open is the
queue probe's: `j`, settle (the preview fetches the ticket), `enter` → the frame that shows the ticket
with its cards laid out, settle, `escape` (`--at-once`: `j` and enter together, nothing prefetched, as
the queue probe's uncached opens). `time.process_time` from the key to that frame counts only
what this process did, so before/after comparisons hold on a shared machine. Also reported: the app's
full (generation 2) collections — how long each took and whether one ran inside a timed open. Not part
of `make bench`: a profiling aid for `bench/profile_notes.md`. Prints one JSON line (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.backend import given_or_bulk_backend
from bench.frames import FrameRecorder, send_key
from bench.queue_probe import SIZE, _conversation_shown, queue_app, queue_shown, settle
from bench.slow_keys_cpu import summary
from supportdesk_tui.widgets.ticket_table import TicketTable


class FullCollections:
    """Start and end (perf_counter) of every generation-2 collection."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.spans.append((self._started, time.perf_counter()))

    def inside(self, start: float, end: float) -> int:
        return sum(1 for began, stop in self.spans if stop > start and began < end)


async def run(url: str, token: str, opens: int, profile: str | None, at_once: bool = False) -> dict[str, Any]:
    cpu: list[float] = []
    wall: list[float] = []
    escape_cpu: list[float] = []
    collections_inside = 0
    with tempfile.TemporaryDirectory(prefix="sd-bench-open-") as data_dir:
        app = queue_app(url, token, Path(data_dir))
        recorder = FrameRecorder(app, clock=time.process_time)
        first = recorder.expect(lambda: queue_shown(app))
        async with app.run_test(size=SIZE) as pilot:
            await recorder.wait(first)
            queue = app.screen
            table = queue.query_one(TicketTable)
            await settle(pilot)
            await asyncio.sleep(1.5)  # the conversation screen is prepared aside, then frozen
            collections = FullCollections()
            profiler: Any = None
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.001, async_mode="disabled")
            for _ in range(opens):
                target = table.cursor_row + 1
                moved = recorder.expect(lambda target=target: table.cursor_row == target)  # type: ignore[misc]
                send_key(app, "j")
                await recorder.wait(moved)
                if not at_once:
                    await settle(pilot)
                ticket = table.cursor_ticket
                assert ticket is not None
                shown = recorder.expect(lambda ticket_id=ticket.id: _conversation_shown(app, ticket_id))  # type: ignore[misc]
                if profiler is not None:
                    profiler.start()
                wall_began = time.perf_counter()
                began = time.process_time()
                send_key(app, "enter")
                cpu.append(await recorder.wait(shown) - began)
                wall_ended = time.perf_counter()
                if profiler is not None:
                    profiler.stop()
                wall.append(wall_ended - wall_began)
                collections_inside += collections.inside(wall_began, wall_ended)
                await settle(pilot)
                back = recorder.expect(lambda: app.screen is queue)
                began = time.process_time()
                send_key(app, "escape")
                escape_cpu.append(await recorder.wait(back) - began)
                if at_once:
                    await settle(pilot)
            if profiler is not None:
                Path(profile).write_text(profiler.output_html())  # type: ignore[arg-type]
                print(profiler.output_text(unicode=False, color=False, show_all=True))
    full_ms = [round((stop - began) * 1000, 1) for began, stop in collections.spans]
    return {"open_cpu": summary(cpu), "open_cpu_all": [round(v * 1000, 1) for v in cpu],
            "open_wall": summary(wall), "escape_cpu": summary(escape_cpu),
            "full_collections_ms": full_ms, "full_collections_inside_opens": collections_inside}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.open_cpu")
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--opens", type=int, default=10)
    parser.add_argument("--at-once", action="store_true",
                        help="`j` and enter at once, as the queue probe's uncached opens")
    parser.add_argument("--profile", help="write a pyinstrument profile of the timed opens (HTML) here")
    args = parser.parse_args()
    with given_or_bulk_backend(args.url, args.token, prefix="sd-bench-open-backend-") as (url, token):
        result = asyncio.run(run(url, token, args.opens, args.profile, args.at_once))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
