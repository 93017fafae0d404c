"""Live latency: a change committed on the backend → the first frame that shows it (issue #9, 4).

`python -m bench.live_probe --url URL --token LEAD_TOKEN --rate R --seconds S --view queue|dashboard
 [--driver-token LEAD_TOKEN]` runs the real app headless (Pilot) in this interpreter, signed in as
a lead, and prints ONE JSON line. Changes come from `bench.change_driver` in another process,
at `R` per second for `S` seconds on a steady schedule, through the real HTTP API. The backend
should run without its rate limit (`--rate-limit 0`): the default 50 requests/s per token
would throttle 100 writes/s.

- queue: the driver toggles the assignee of the tickets on screen (a lead assigning; it never
  moves a row in the default sort). A change is shown by the first frame in which the table's
  line for that ticket was rendered from the ticket at the commit's version or later.
- dashboard: the driver creates tickets. The k-th committed ticket (by id) is shown by the
  first frame in which the "All queues" tile was rendered with `open ≥ base + k`.

What is on screen is read from the widgets' own render calls (`TicketTable._content_line`,
`QueueTile.render`), so a frame counts only with what it was drawn from; frames come from
`bench.frames.FrameRecorder` (composited and turned into terminal bytes). Times are
CLOCK_MONOTONIC in every process (`time.monotonic`; `perf_counter` is the same clock on Linux).

Baseline in the same run: `change_driver listen`, a bare SSE reader in a third process,
records when each change's event arrives, so the app's own share is `latency − baseline`.

JSON keys (seconds; `*_s` lists hold one sample per change in commit order unless noted):
  view, rate, seconds                  what was asked
  changes, failed                      commits answered 2xx / not
  achieved_rate                        commits per second between the first and the last request
  schedule_lag_max_s                   worst lateness of a request against the steady schedule
  request_s                            request round trip as the driver saw it (answered − sent)
  latency_s                            frame − commit answered; slightly < 0 is possible (the
                                       backend publishes the event before it answers)
  latency_from_sent_s                  frame − request sent (an upper bound: the commit was inside)
  missed                               changes never shown within the drain time after the last
  baseline_s, baseline_from_sent_s     the bare SSE reader got the event − answered / − sent
  baseline_missed                      changes whose event the bare reader never got
  latency_p50_s, latency_p95_s, baseline_p50_s, baseline_p95_s   nearest-rank, for a quick look
  app_received_s                       the app's event pump had the change's event − answered
  frames, frames_per_s                 frames reaching the terminal from the first change to the
                                       end of the drain
  app_cpu_share                        this process's CPU time ÷ wall time over the same span
  redraws_per_frame_max, redraws_per_frame_mean   (mean over every frame of the span)
      queue: table lines rendered for a frame ÷ table height (1.0 = one full repaint);
      dashboard: `show_state()` calls before a frame.
  refreshes_per_frame_max, refreshes_per_frame_mean   repaint requests absorbed by one frame
      (queue: `TicketTable.refresh()` calls; dashboard: renders of the "All queues" tile)
  queue only:     table_height, tickets (how many on-screen rows take the changes in turn),
                  draw_s (frame − app received: the UI's share)
  dashboard only: base_open; fetch_interval_s (the coalescing interval in force); fetches
                  (`/stats/live` requests in the span); per fetch, not per change: fetch_s
                  (request duration), draw_s (first frame with its numbers − its answer);
                  per change: fetch_wait_s (start of the fetch that first counted it − answered)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.strip import Strip

from bench.frames import FrameRecorder
from bench.probes import REPO
from bench.stats import summarize
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.contract.models import Event, EventType
from supportdesk_tui.screens.dashboard import DashboardScreen
from supportdesk_tui.screens.live_stats import MIN_FETCH_INTERVAL
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.dashboard_tiles import QueueTile
from supportdesk_tui.widgets.ticket_table import TicketTable

SIZE = (160, 48)
SETTLE_SECONDS = 0.5
DRAIN_SECONDS = 3.0  # after the last commit: far past any sane latency, short enough for the budget
READY_TIMEOUT = 60.0

Commit = dict[str, Any]


class FrameLog:
    """Calls `on_frame(time)` after each frame FrameRecorder saw, and keeps the times while recording."""

    def __init__(self, app: SupportDeskApp, recorder: FrameRecorder) -> None:
        self.on_frame: Callable[[float], None] = lambda now: None
        self.recording = False
        self.times: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            frames = recorder.frames
            original(screen, renderable)  # FrameRecorder's: composes and renders terminal bytes
            if recorder.frames == frames:
                return
            now = time.monotonic()
            self.on_frame(now)
            if self.recording:
                self.times.append(now)

        app._display = display  # type: ignore[method-assign]


class EventTap:
    """When the app's event pump dispatched each ticket event: (ticket id, version) → time."""

    def __init__(self, app: SupportDeskApp) -> None:
        self.received: dict[tuple[int, int], float] = {}
        session = app.session
        dispatch = session._dispatch
        ticket_events = (EventType.TICKET_CREATED, EventType.TICKET_UPDATED)

        def tapped(target: SupportDeskApp, event: Event) -> None:
            if event.type in ticket_events:
                key = (int(event.data.get("id", 0)), int(event.data.get("version", 0)))
                self.received.setdefault(key, time.monotonic())
            dispatch(target, event)

        session._dispatch = tapped  # type: ignore[method-assign, assignment]


class QueueWatch:
    """Which version of which ticket each table line was last drawn from; repaint counts per frame."""

    def __init__(self, table: TicketTable) -> None:
        self.table = table
        self.lines: dict[int, tuple[int, int]] = {}  # y → (ticket id, version)
        self.shown: dict[int, list[tuple[int, float]]] = {}  # ticket → [(version, first frame)], rising
        self.rendered = 0
        self.refreshes = 0
        self.per_frame: list[tuple[int, int]] = []
        self.recording = False
        # Every line the table draws goes through `_content_line` (from `render_line`, and from
        # `render_lines` when the table hands its cached strips straight to the compositor).
        content_line = table._content_line
        refresh = table.refresh

        def watched_content_line(y: int, frame: Any) -> Strip:
            strip = content_line(y, frame)
            self.rendered += 1
            window = table.window
            # The same lookup the table just made: the row this line was drawn from.
            ticket = window.get(frame.top + y - 1) if window is not None and y > 0 else None
            if ticket is None:
                self.lines.pop(y, None)
            else:
                self.lines[y] = (ticket.id, ticket.version)
            return strip

        def watched_refresh(*args: Any, **kwargs: Any) -> Any:
            self.refreshes += 1
            return refresh(*args, **kwargs)

        table._content_line = watched_content_line  # type: ignore[method-assign]
        table.refresh = watched_refresh  # type: ignore[method-assign]

    def frame(self, now: float) -> None:
        for ticket, version in self.lines.values():
            seen = self.shown.setdefault(ticket, [])
            if not seen or version > seen[-1][0]:
                seen.append((version, now))
        if self.recording:
            self.per_frame.append((self.rendered, self.refreshes))
        self.rendered = self.refreshes = 0

    def shown_at(self, ticket: int, version: int) -> float | None:
        seen = self.shown.get(ticket, [])
        at = bisect_left(seen, version, key=lambda item: item[0])
        return seen[at][1] if at < len(seen) else None


class DashboardWatch:
    """The "All queues" tile's open count as last drawn; `show_state()` and tile renders per frame;
    each `/stats/live` request's start, end and total open count."""

    def __init__(self, app: SupportDeskApp, screen: DashboardScreen, tile: QueueTile) -> None:
        self.screen = screen
        self.drawn_open = -1
        self.shown: list[tuple[int, float]] = []  # (open, first frame), rising
        self.renders = 0
        self._redraws = screen.redraws
        self.per_frame: list[tuple[int, int]] = []
        self.fetches: list[tuple[float, float, int]] = []
        self.recording = False
        render = tile.render
        api = app.api
        live_stats = api.live_stats

        def watched_render() -> Any:
            self.renders += 1
            if tile.counts is not None:
                self.drawn_open = tile.counts.open
            return render()

        async def timed_live_stats() -> Any:
            began = time.monotonic()
            stats = await live_stats()
            self.fetches.append((began, time.monotonic(), stats.total.open))
            return stats

        tile.render = watched_render  # type: ignore[method-assign]
        api.live_stats = timed_live_stats  # type: ignore[method-assign]

    def frame(self, now: float) -> None:
        if not self.shown or self.drawn_open > self.shown[-1][0]:
            self.shown.append((self.drawn_open, now))
        if self.recording:
            self.per_frame.append((self.screen.redraws - self._redraws, self.renders))
        self._redraws = self.screen.redraws
        self.renders = 0

    def shown_at(self, open_count: int) -> float | None:
        at = bisect_left(self.shown, open_count, key=lambda item: item[0])
        return self.shown[at][1] if at < len(self.shown) else None


# --- the helper processes -----------------------------------------------------------------------


async def _start(*args: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.change_driver", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=REPO)
    await _expect_line(process, "READY")
    return process


async def _expect_line(process: asyncio.subprocess.Process, word: str,
                       timeout: float = READY_TIMEOUT) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = await asyncio.wait_for(process.stdout.readline(), max(0.1, deadline - time.monotonic()))
        if not line:
            break
        if line.decode().strip() == word:
            return
    raise RuntimeError(f"change_driver did not say {word} (exit code {process.returncode})")


def _read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# --- getting the app ready ------------------------------------------------------------------------


async def _wait_for(condition: Callable[[], bool], what: str, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def _visible_range(table: TicketTable) -> range:
    top = round(table.scroll_y)
    return range(top, min(top + max(1, table.scrollable_content_region.height - 1), table.row_count))


def _visible_rows_loaded(table: TicketTable) -> bool:
    window = table.window
    if window is None or table.row_count == 0:
        return False
    return all(window.is_loaded(i) or (window.exhausted and i >= window.row_count_known)
               for i in _visible_range(table))


async def _watch_queue(app: SupportDeskApp, result: dict[str, Any]) -> tuple[QueueWatch, list[str]]:
    await _wait_for(lambda: isinstance(app.screen, QueueScreen)
                    and _visible_rows_loaded(app.screen.query_one(TicketTable)), "the queue")
    table = app.screen.query_one(TicketTable)
    await asyncio.sleep(SETTLE_SECONDS)
    watch = QueueWatch(table)
    table.refresh()  # one full draw records what is on screen before any change
    window = table.window
    assert window is not None
    tickets = [t.id for t in (window.get(i) for i in _visible_range(table)) if t is not None]
    result["table_height"] = table.scrollable_content_region.height
    result["tickets"] = len(tickets)
    return watch, ["--kind", "assign", "--tickets", ",".join(map(str, tickets))]


async def _watch_dashboard(app: SupportDeskApp, result: dict[str, Any]) -> tuple[DashboardWatch, list[str]]:
    def loaded() -> bool:
        screen = app.screen
        return (isinstance(screen, DashboardScreen) and screen.state.live is not None
                and screen.state.history is not None)

    await _wait_for(loaded, "the dashboard")
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    await asyncio.sleep(SETTLE_SECONDS)
    tile = screen.query_one("#tile-total", QueueTile)
    assert tile.counts is not None
    result["base_open"] = tile.counts.open  # nothing else opens tickets on this backend meanwhile
    result["fetch_interval_s"] = MIN_FETCH_INTERVAL
    watch = DashboardWatch(app, screen, tile)
    tile.refresh()
    return watch, ["--kind", "create"]


# --- the run ----------------------------------------------------------------------------------------


async def run(url: str, token: str, driver_token: str, rate: float, seconds: float, view: str,
              ) -> dict[str, Any]:
    result: dict[str, Any] = {"view": view, "rate": rate, "seconds": seconds}
    with tempfile.TemporaryDirectory(prefix="sd-bench-live-") as scratch:
        workdir = Path(scratch)
        app = SupportDeskApp(AppSettings(server_url=url, token=token, data_dir=workdir / "data",
                                         start_mode=view, freeze_gc_after_sign_in=True))  # as a terminal
        frames = FrameLog(app, FrameRecorder(app))
        async with app.run_test(size=SIZE):
            await _wait_for(lambda: app._session is not None and app.session.stream_state == "live",
                            "the live event stream")
            tap = EventTap(app)
            watch: QueueWatch | DashboardWatch
            watch, drive_args = await (_watch_queue(app, result) if view == "queue"
                                       else _watch_dashboard(app, result))
            frames.on_frame = watch.frame
            await asyncio.sleep(0.2)

            listen_out, drive_out = workdir / "listen.jsonl", workdir / "drive.jsonl"
            listener = await _start("listen", "--url", url, "--token", driver_token, "--out", str(listen_out))
            driver = await _start("drive", "--url", url, "--token", driver_token, "--rate", str(rate),
                                  "--seconds", str(seconds), "--out", str(drive_out), *drive_args)
            frames.recording = watch.recording = True
            began, cpu_began = time.monotonic(), time.process_time()
            await _expect_line(driver, "DONE", timeout=seconds * 4 + 60)
            await driver.wait()
            commits = _read_rows(drive_out)
            ok = [c for c in commits if 200 <= c["status"] < 300]
            changes = Changes(watch, ok, result.get("base_open", 0))
            drained = time.monotonic() + DRAIN_SECONDS
            while time.monotonic() < drained and any(changes.shown_at(c) is None for c in ok[-20:]):
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # frames for stragglers earlier in the list
            frames.recording = watch.recording = False
            elapsed, cpu = time.monotonic() - began, time.process_time() - cpu_began
            assert listener.stdin is not None
            listener.stdin.close()
            await _expect_line(listener, "DONE")
            await listener.wait()
            events = _read_rows(listen_out)
        result.update(_latencies(changes, events, view))
        result.update(_app_shares(changes, tap, began))
        result.update(_driver_figures(commits, ok))
        result["frames"] = len(frames.times)
        result["frames_per_s"] = len(frames.times) / elapsed
        result["app_cpu_share"] = cpu / elapsed
        result.update(_redraws(watch, result.get("table_height", 1)))
    return result


class Changes:
    """The committed changes, and when each was first on screen."""

    def __init__(self, watch: QueueWatch | DashboardWatch, ok: list[Commit], base_open: int) -> None:
        self.watch = watch
        self.ok = ok
        self.base_open = base_open
        # Ids are handed out in commit order, so the k-th smallest id is the k-th ticket counted.
        self.rank = {ticket: n for n, ticket in enumerate(sorted(c["ticket"] for c in ok), start=1)}

    def open_with(self, commit: Commit) -> int:
        """The dashboard's total open count once this created ticket is counted."""
        return self.base_open + self.rank[commit["ticket"]]

    def shown_at(self, commit: Commit) -> float | None:
        watch = self.watch
        if isinstance(watch, QueueWatch):
            return watch.shown_at(commit["ticket"], commit["version"])
        return watch.shown_at(self.open_with(commit))


def _latencies(changes: Changes, events: list[dict[str, Any]], view: str) -> dict[str, Any]:
    latency: list[float] = []
    from_sent: list[float] = []
    for commit in changes.ok:
        at = changes.shown_at(commit)
        if at is not None:
            latency.append(at - commit["answered"])
            from_sent.append(at - commit["sent"])
    wanted = "ticket.updated" if view == "queue" else "ticket.created"
    received = {(e["ticket"], e["version"]): e["received"] for e in events if e.get("type") == wanted}
    baseline: list[float] = []
    baseline_sent: list[float] = []
    for commit in changes.ok:
        got = received.get((commit["ticket"], commit["version"]))
        if got is not None:
            baseline.append(got - commit["answered"])
            baseline_sent.append(got - commit["sent"])
    shown, base = summarize(latency), summarize(baseline)
    count = len(changes.ok)
    return {
        "changes": count, "missed": count - len(latency),
        "latency_s": latency, "latency_from_sent_s": from_sent,
        "baseline_s": baseline, "baseline_from_sent_s": baseline_sent,
        "baseline_missed": count - len(baseline),
        "latency_p50_s": _finite(shown.median), "latency_p95_s": _finite(shown.p95),
        "baseline_p50_s": _finite(base.median), "baseline_p95_s": _finite(base.p95),
    }


def _app_shares(changes: Changes, tap: EventTap, began: float) -> dict[str, Any]:
    """Where the latency goes inside the app: the event in, then (queue) drawing or (dashboard) fetching."""
    received: list[float] = []
    draw: list[float] = []
    for commit in changes.ok:
        got = tap.received.get((commit["ticket"], commit["version"]))
        if got is None:
            continue
        received.append(got - commit["answered"])
        at = changes.shown_at(commit)
        if at is not None:
            draw.append(at - got)
    shares: dict[str, Any] = {"app_received_s": received}
    watch = changes.watch
    if isinstance(watch, QueueWatch):
        shares["draw_s"] = draw
        return shares
    fetches = [f for f in watch.fetches if f[0] >= began]
    waits: list[float] = []
    for commit in changes.ok:
        counted = next((f for f in fetches if f[2] >= changes.open_with(commit)), None)
        if counted is not None:
            waits.append(counted[0] - commit["answered"])
    # Only fetches that raised the count can be told apart on screen.
    fetch_draw = [at - end for _, end, total in fetches
                  if (at := watch.shown_at(total)) is not None and at >= end]
    shares.update({"fetches": len(fetches), "fetch_s": [end - start for start, end, _ in fetches],
                   "draw_s": fetch_draw, "fetch_wait_s": waits})
    return shares


def _driver_figures(commits: list[Commit], ok: list[Commit]) -> dict[str, Any]:
    sent = [c["sent"] for c in commits]
    return {
        "failed": len(commits) - len(ok),
        "achieved_rate": (len(sent) - 1) / (max(sent) - min(sent)) if len(sent) > 1 else 0.0,
        "schedule_lag_max_s": max((c["sent"] - c["scheduled"] for c in commits), default=0.0),
        "request_s": [c["answered"] - c["sent"] for c in ok],
    }


def _redraws(watch: QueueWatch | DashboardWatch, height: int) -> dict[str, float]:
    if isinstance(watch, QueueWatch):
        redraws = [rendered / height for rendered, _ in watch.per_frame]
    else:
        redraws = [float(count) for count, _ in watch.per_frame]
    refreshes = [float(count) for _, count in watch.per_frame]
    figures: dict[str, float] = {}
    for name, counts in (("redraws", redraws), ("refreshes", refreshes)):
        figures[f"{name}_per_frame_max"] = max(counts, default=0.0)
        figures[f"{name}_per_frame_mean"] = sum(counts) / len(counts) if counts else 0.0
    return figures


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_probe", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True, help="the app's token: a lead")
    parser.add_argument("--driver-token", default=None,
                        help="a lead token for the change driver and the bare reader (default: --token)")
    parser.add_argument("--rate", type=float, required=True, help="changes per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--view", choices=("queue", "dashboard"), required=True)
    args = parser.parse_args()
    result = asyncio.run(run(args.url, args.token, args.driver_token or args.token, args.rate,
                             args.seconds, args.view))
    # Microseconds are plenty, and keep a 1,500-sample run's line short.
    print(json.dumps({key: _rounded(value) for key, value in result.items()}))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


if __name__ == "__main__":
    main()
