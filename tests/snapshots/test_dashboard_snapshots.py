"""What the shift lead sees: the dashboard (normal and in alarm) and the wallboard, on a fresh demo backend.

Live updates are off and the clock is fixed; the server's clock runs from the demo instant, so
the pictures wait for the server's first history point and are taken within its first minute
(they share a server younger than SERVER_MAX_AGE).
Review a changed snapshot in the HTML report before running with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from conftest import ServerHandle
from snapshots.snapshot_support import (
    DEMO_NOW,
    SHOWN_SERVER_URL,
    WIDE,
    FreshServer,
    route_client_to,
    snapshot_app,
)
from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.config import QueueThresholds
from supportdesk_tui.screens.dashboard import LiveStatsScreen
from waiting import poll_until, settle, wait_until

SnapCompare = Callable[..., bool]
LEAD = "lena"
QUEUES = 7
HISTORY_POINTS = 60 * QUEUES  # one per queue and minute of the last hour, ending at DEMO_NOW
# Start, first history point (~5 s), three pictures: well inside the server's first minute.
SERVER_MAX_AGE = 30.0
ALARMING = {
    "hacked": QueueThresholds(max_length=30),  # 31 open: alarm
    "access": QueueThresholds(max_length=45, max_at_risk=5),  # 37 open: warning
    "bugs-video": QueueThresholds(max_oldest_minutes=600),  # waiting 9 h 16 min: warning
}


def wait_for_server_history(server: ServerHandle) -> None:
    """The server writes its first own history point a few seconds after start; pictures include it."""
    last_minute = DEMO_NOW.strftime("%Y-%m-%dT%H:%M")
    with server.client(LEAD) as http:

        def first_point_written() -> bool:
            points = http.get("/api/v1/stats/history").json()["points"]
            return len(points) >= HISTORY_POINTS and bool(points[-1]["at"].startswith(last_minute))

        written = poll_until(first_point_written, timeout=20)
    assert written, "the server never recorded its first history point"


@pytest.fixture(scope="session")
def _dashboard_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshServer]:
    servers = FreshServer(tmp_path_factory, "dashboard-demo", SERVER_MAX_AGE, ready=wait_for_server_history)
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture
def server(_dashboard_demo: FreshServer, monkeypatch: pytest.MonkeyPatch) -> ServerHandle:
    handle = _dashboard_demo.get()
    route_client_to(monkeypatch, handle.url)
    return handle


def lead_app(server: Any, tmp_path: Path, **overrides: Any) -> SupportDeskApp:
    app = snapshot_app(SHOWN_SERVER_URL, server.token(LEAD), tmp_path)
    app.settings = replace(app.settings, **overrides)
    return app


async def dashboard_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        return (isinstance(screen, LiveStatsScreen) and screen.state.live is not None
                and screen.state.history is not None)

    await wait_until(pilot, ready, what="the dashboard with numbers and history")
    await settle(pilot)


def test_lead_sees_the_dashboard_of_a_normal_shift(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    assert snap_compare(lead_app(server, tmp_path), terminal_size=WIDE, run_before=dashboard_ready)


def test_lead_sees_queues_in_alarm_and_warning_on_the_dashboard(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    app = lead_app(server, tmp_path, dashboard_thresholds=ALARMING)
    assert snap_compare(app, terminal_size=WIDE, run_before=dashboard_ready)


def test_wall_screen_shows_the_queues_in_large_type(
    server: Any, tmp_path: Path, snap_compare: SnapCompare
) -> None:
    app = lead_app(server, tmp_path, wallboard=True, dashboard_thresholds=ALARMING)
    assert snap_compare(app, terminal_size=WIDE, run_before=dashboard_ready)
