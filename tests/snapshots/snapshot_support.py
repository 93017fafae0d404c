"""Pieces the screen snapshots share: a deterministic real app, and waits for what the agent sees.

Everything that could differ between runs is pinned here: the clock, the time zone, the
address shown in the app bar (the real server listens on a random port), cursor blink.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerState

from supportdesk_tui import session as session_module
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.settings import AppSettings

# The demo data is seeded relative to this instant; a few minutes later is "now" in every snapshot.
DEMO_NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SNAPSHOT_NOW = DEMO_NOW + timedelta(minutes=5)
# What the app bar shows; the requests go to the real server's random port instead.
SHOWN_SERVER_URL = "http://127.0.0.1:8080"
UNREACHABLE_URL = "http://127.0.0.1:9"
AGENT = "anna"
WIDE = (160, 48)
NARROW = (120, 36)
BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


def fixed_clock() -> datetime:
    return SNAPSHOT_NOW


@contextmanager
def utc_local_time() -> Iterator[None]:
    """Absolute times are shown in local time: make local time UTC, then put it back."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def route_client_to(monkeypatch: pytest.MonkeyPatch, real_url: str) -> None:
    """The session's API client talks to `real_url` whatever address the settings show."""

    def build(base_url: str, token: str | None, **options: Any) -> SupportDeskClient:
        return SupportDeskClient(real_url, token, **options)

    monkeypatch.setattr(session_module, "SupportDeskClient", build)


def snapshot_app(server_url: str, token: str | None, data_dir: Path) -> SupportDeskApp:
    """The real app, with no live stream (presence/counter noise) and a clock that never moves."""
    settings = AppSettings(
        server_url=server_url,
        token=token,
        data_dir=data_dir,
        language="en",
        live_updates=False,
        clock=fixed_clock,
    )
    return SupportDeskApp(settings)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], *, what: str, timeout: float = 15.0
) -> None:
    """Let the app run until `condition()` is truthy; fail naming `what` if it never is."""
    for _ in range(int(timeout / 0.05)):
        try:
            if condition():
                return
        except Exception:  # the widget may not be mounted yet
            pass
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def settle(pilot: Pilot[Any]) -> None:
    """Wait out workers and timers that were already due; no cursor blinks in the picture.

    The snapshot harness runs the app with `App.run(headless=True)`, which leaves blinking on.
    """
    app = pilot.app
    for _ in range(3):
        await wait_until(pilot, lambda: not any(w.state in BUSY for w in app.workers), what="idle workers")
        await pilot.pause(0.15)  # past the table's highlight delay and the composer's throttle
    stop_blinking(app)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def stop_blinking(app: App[Any]) -> None:
    """Turn blinking off before an editor takes focus: a caret that blinks is in the picture or not by luck.

    It must happen before focus, not just before the picture: `TextArea` caches a line drawn
    during a blink's "off" phase under the same key as the steady caret (textual 8.2.8), so
    switching blinking off late can leave the caret missing.
    """
    for screen in app.screen_stack:
        for editor in screen.query(TextArea):
            editor.cursor_blink = False
        for field in screen.query(Input):
            field.cursor_blink = False


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


def first_ticket_with_reply_and_note(server: Any, agent_queues: list[str]) -> int:
    """Lowest ticket id in the agent's queues whose thread has a customer message, a reply and a note."""
    with server.client("lena") as http:
        ids: list[int] = []
        for queue in agent_queues:
            page = http.get("/api/v1/tickets", params={"queue": queue, "page[size]": "200"})
            page.raise_for_status()
            ids += [ticket["id"] for ticket in page.json()["data"]]
        for ticket_id in sorted(ids):
            response = http.get(f"/api/v1/tickets/{ticket_id}/messages", params={"page[size]": "200"})
            response.raise_for_status()
            kinds = {message["kind"] for message in response.json()["data"]}
            if {"customer", "reply", "note"} <= kinds:
                return ticket_id
    raise AssertionError("the demo data has no ticket with a customer message, a reply and a note")
