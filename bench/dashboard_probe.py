"""One run of the dashboard scenario in a fresh interpreter; prints its figures as one JSON line.

`python -m bench.dashboard_probe --url URL --token LEAD_TOKEN`. Synthetic live events are handed
to the dashboard the way the session's event pump hands them (`app.publish`), so the figures are
the UI's cost, not the network's; each event still makes the dashboard refetch `/stats/live`
from the real backend (coalesced). Frames are counted by `FrameRecorder` (what reaches the
terminal); a redraw is one `show_state()` of the dashboard.

1. Flood: events as fast as the loop accepts them for a few seconds → events/s absorbed, and
   dashboard redraws per frame in that time (≤ 1 means bursts are coalesced).
2. A paced storm of 100 events/s → redraws and fetches per second.
3. An hour of events at `--hour-rate` per second, fed as fast as possible → RSS after it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.frames import FrameRecorder
from bench.procfs import rss_kib
from supportdesk_tui import messages
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import Ticket
from supportdesk_tui.screens.dashboard import DashboardScreen
from supportdesk_tui.settings import AppSettings

SIZE = (160, 48)
FLOOD_SECONDS = 3.0
PACED_RATE = 100
PACED_SECONDS = 3.0
BATCH = 200


def template_ticket(queue: str) -> Ticket:
    now = datetime.now(UTC).isoformat()
    return Ticket.model_validate({
        "id": 1, "version": 1, "subject": "bench", "status": "new", "priority": "normal",
        "queue": queue, "language": "en", "category": "bench", "tags": [],
        "requester": {"account_id": "bench", "name": "Bench", "language": "en"},
        "created_at": now, "updated_at": now, "sla": {},
    })


class Feeder:
    """Cycles through created tickets, solved tickets and queue-count updates, all new ids."""

    def __init__(self, app: SupportDeskApp) -> None:
        self.app = app
        self.queues = app.session.queues
        self.template = template_ticket(self.queues[0].id if self.queues else "bench")
        self.next_id = 10_000_000
        self.sent = 0

    def send(self, count: int) -> None:
        publish = self.app.publish
        for _ in range(count):
            self.next_id += 1
            kind = self.next_id % 4
            if kind == 3:
                publish(messages.QueuesChanged, queues=self.queues)
            else:
                now = datetime.now(UTC)
                ticket = self.template.model_copy(update={
                    "id": self.next_id, "created_at": now, "updated_at": now,
                    "status": "solved" if kind == 2 else "new"})
                publish(messages.TicketChanged, ticket=ticket, created=kind == 0)
        self.sent += count


async def drained(screen: DashboardScreen, target: int, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while screen.events_seen < target:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"dashboard handled {screen.events_seen} of {target} events")
        await asyncio.sleep(0.005)


async def flood(screen: DashboardScreen, feeder: Feeder, recorder: FrameRecorder) -> dict[str, float]:
    start_events, start_frames, start_redraws = screen.events_seen, recorder.frames, screen.redraws
    began = time.perf_counter()
    while time.perf_counter() - began < FLOOD_SECONDS:
        feeder.send(BATCH)
        await asyncio.sleep(0)
    await drained(screen, feeder.sent)
    elapsed = time.perf_counter() - began
    frames = recorder.frames - start_frames
    redraws = screen.redraws - start_redraws
    return {
        "flood_events_per_s": (screen.events_seen - start_events) / elapsed,
        "flood_frames_per_s": frames / elapsed,
        "flood_redraws_per_s": redraws / elapsed,
        "flood_redraws_per_frame": redraws / frames if frames else 0.0,
    }


async def paced(screen: DashboardScreen, feeder: Feeder, recorder: FrameRecorder) -> dict[str, float]:
    start_redraws, start_fetches, start_frames = screen.redraws, screen.gate.fetches, recorder.frames
    began = time.perf_counter()
    step = 0.01
    per_step = PACED_RATE * step
    owed = 0.0
    while time.perf_counter() - began < PACED_SECONDS:
        owed += per_step
        whole = int(owed)
        feeder.send(whole)
        owed -= whole
        await asyncio.sleep(step)
    await drained(screen, feeder.sent)
    elapsed = time.perf_counter() - began
    return {
        "storm100_redraws_per_s": (screen.redraws - start_redraws) / elapsed,
        "storm100_fetches_per_s": (screen.gate.fetches - start_fetches) / elapsed,
        "storm100_frames_per_s": (recorder.frames - start_frames) / elapsed,
    }


async def hour(screen: DashboardScreen, feeder: Feeder, rate: int) -> dict[str, float]:
    gc.collect()
    before = rss_kib()
    total = feeder.sent + rate * 3600
    began = time.perf_counter()
    while feeder.sent < total and time.perf_counter() - began < 600:
        feeder.send(min(BATCH * 5, total - feeder.sent))
        await asyncio.sleep(0)
        if screen.events_seen + 20_000 < feeder.sent:
            await drained(screen, feeder.sent - 10_000)  # keep the message queue from ballooning
    await drained(screen, feeder.sent)
    await asyncio.sleep(1.0)  # the last coalesced fetch lands
    gc.collect()
    return {
        "hour_events": float(rate * 3600),
        "hour_seconds": time.perf_counter() - began,
        "rss_before_hour_kib": float(before),
        "rss_after_hour_kib": float(rss_kib()),
    }


async def run(url: str, token: str, hour_rate: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sd-bench-") as data_dir:
        app = SupportDeskApp(AppSettings(server_url=url, token=token, data_dir=Path(data_dir),
                                         start_mode="dashboard", freeze_gc_after_sign_in=True))
        recorder = FrameRecorder(app)
        async with app.run_test(size=SIZE) as pilot:
            deadline = time.perf_counter() + 60
            while not (isinstance(app.screen, DashboardScreen) and app.screen.state.live is not None
                       and app.screen.state.history is not None):
                if time.perf_counter() > deadline:
                    raise RuntimeError("the dashboard never loaded")
                await pilot.pause(0.05)
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            await pilot.pause(0.5)
            result["rss_dashboard_open_kib"] = rss_kib()
            feeder = Feeder(app)
            result.update(await paced(screen, feeder, recorder))
            result.update(await flood(screen, feeder, recorder))
            result.update(await hour(screen, feeder, hour_rate))
            result["fetches_total"] = screen.gate.fetches
            result["events_total"] = screen.events_seen
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--hour-rate", type=int, default=100, help="events per second for the simulated hour")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.token, args.hour_rate))))


if __name__ == "__main__":
    main()
