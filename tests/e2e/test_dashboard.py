"""The shift lead's dashboard, driven through the real app against real reference backends.

Every check compares what the dashboard shows with what the server says at that moment.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from e2e_helpers import QUICK_RECONNECT, create_customer_ticket, make_app
from textual.pilot import Pilot

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.config import QueueThresholds
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.dashboard import DashboardScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.screens.wallboard import WallboardScreen
from supportdesk_tui.widgets.dashboard_tiles import QueueTile
from supportdesk_tui.widgets.dashboard_trend import TrendChart
from waiting import wait_until

QUEUE = "hacked"  # where create_customer_ticket's tickets land


def server_stats(server: Any) -> dict[str, Any]:
    with server.client("lena") as http:
        response = http.get("/api/v1/stats/live")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def server_queue(server: Any, queue: str) -> dict[str, Any]:
    return next(q for q in server_stats(server)["by_queue"] if q["key"] == queue)


def shown_counts(app: SupportDeskApp) -> dict[str, tuple[int, int, int, int]]:
    """What the tiles show, per queue: open, unassigned, at risk, breached."""
    shown: dict[str, tuple[int, int, int, int]] = {}
    for tile in app.screen.query(QueueTile):
        if tile.counts is not None:
            c = tile.counts
            shown[tile.queue_id] = (c.open, c.unassigned, c.sla_at_risk, c.sla_breached)
    return shown


def server_counts(server: Any) -> dict[str, tuple[int, int, int, int]]:
    stats = server_stats(server)
    result = {q["key"]: (q["open"], q["unassigned"], q["sla_at_risk"], q["sla_breached"])
              for q in stats["by_queue"]}
    total = stats["total"]
    result["__total__"] = (total["open"], total["unassigned"], total["sla_at_risk"], total["sla_breached"])
    return result


def dashboard(app: SupportDeskApp) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


def tile(app: SupportDeskApp, queue: str) -> QueueTile:
    return app.screen.query_one(f"#tile-{queue}", QueueTile)


async def open_dashboard(pilot: Pilot[Any], app: SupportDeskApp) -> DashboardScreen:
    await wait_until(pilot, lambda: dashboard(app).state.live is not None and dashboard(app).state.history,
                     what="the dashboard with numbers and history")
    return dashboard(app)


def patch_ticket(server: Any, ticket_id: int, **fields: object) -> dict[str, Any]:
    with server.client("lena") as http:
        current = http.get(f"/api/v1/tickets/{ticket_id}").json()
        response = http.patch(f"/api/v1/tickets/{ticket_id}", json=fields,
                              headers={"If-Match": f'"{current["version"]}"'})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def agent_id(server: Any, login: str) -> int:
    with server.client(login) as http:
        return int(http.get("/api/v1/me").json()["id"])


async def test_lead_sees_counts_follow_tickets_created_assigned_and_solved(
    server_factory: Any, tmp_path: Path
) -> None:
    server = server_factory()
    app = make_app(server, "lena", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_dashboard(pilot, app)
        await wait_until(pilot, lambda: shown_counts(app) == server_counts(server), what="server numbers")
        before = server_queue(server, QUEUE)
        chart = app.screen.query_one(TrendChart)
        created_before = screen.state.intervals()[-1].created

        created = create_customer_ticket(server)
        await wait_until(pilot, lambda: tile(app, QUEUE).counts.open == before["open"] + 1,  # type: ignore[union-attr]
                         what="one more open ticket")
        assert shown_counts(app)[QUEUE][1] == before["unassigned"] + 1
        # The chart grows: the interval in progress counts the new ticket.
        await wait_until(pilot, lambda: screen.state.intervals()[-1].created == created_before + 1,
                         what="the new ticket in the created-per-interval chart")
        assert chart.points >= 2

        patch_ticket(server, created["id"], assignee_id=agent_id(server, "anna"))
        await wait_until(pilot, lambda: shown_counts(app)[QUEUE][1] == before["unassigned"],
                         what="one fewer unassigned ticket")

        patch_ticket(server, created["id"], status="solved")
        await wait_until(pilot, lambda: shown_counts(app)[QUEUE][0] == before["open"], what="back to before")
        await wait_until(pilot, lambda: shown_counts(app) == server_counts(server), what="server numbers")
        await wait_until(pilot, lambda: screen.state.tip_solved >= 1, what="the solved ticket in the chart")


async def test_lead_sees_live_numbers_move_on_a_simulated_backend(
    server_factory: Any, tmp_path: Path
) -> None:
    server = server_factory(simulate=4.0)
    app = make_app(server, "lena", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_dashboard(pilot, app)
        first_total = screen.state.live.total.open if screen.state.live else -1
        first_updates = screen.state.updates
        await wait_until(pilot, lambda: screen.state.live is not None
                         and screen.state.live.total.open != first_total
                         and screen.state.updates > first_updates,
                         what="numbers moved by simulated arrivals")
        assert screen.events_seen > 0  # pushed by the stream, not found by polling
        # Coalesced: far fewer fetches than events that asked for one.
        assert screen.gate.fetches <= screen.gate.requests


async def test_lead_hears_and_sees_an_alarm_when_a_queue_crosses_its_threshold(
    server_factory: Any, tmp_path: Path
) -> None:
    server = server_factory()
    limit = server_queue(server, QUEUE)["open"]
    app = make_app(server, "lena", tmp_path,
                   dashboard_thresholds={QUEUE: QueueThresholds(max_length=limit)})
    bells: list[None] = []
    app.bell = lambda: bells.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_dashboard(pilot, app)
        assert tile(app, QUEUE).level == "warning"  # at the limit, not over it
        assert bells == []

        create_customer_ticket(server)
        await wait_until(pilot, lambda: tile(app, QUEUE).level == "alarm", what="the tile in alarm")
        assert tile(app, QUEUE).has_class("-alarm")
        assert "ALARM" in str(tile(app, QUEUE).border_subtitle)
        assert [(e.queue, e.level, e.value, e.limit) for e in screen.state.alarms][-1] == (
            QUEUE, "alarm", limit + 1, limit)
        assert len(bells) == 1


async def test_agent_is_told_the_dashboard_is_for_leads_and_the_server_refuses_the_data(
    workday_server: Any, tmp_path: Path
) -> None:
    with httpx.Client(base_url=workday_server.url, headers=workday_server.headers("anna")) as http:
        assert http.get("/api/v1/stats/live").status_code == 403
        assert http.get("/api/v1/stats/history").status_code == 403
    app = make_app(workday_server, "anna", tmp_path, start_mode="dashboard")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: dashboard(app).forbidden, what="the leads-only message")
        screen = dashboard(app)
        message = str(screen.query_one("#leads-only").render())
        assert "shift leads only" in message and "403" in message
        assert screen.state.live is None
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the agent's queue")


async def test_lead_switches_between_queue_and_dashboard_and_opens_a_worst_ticket(
    workday_server: Any, tmp_path: Path
) -> None:
    app = make_app(workday_server, "lena", tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_dashboard(pilot, app)
        worst = screen.state.live.worst[0].id if screen.state.live else 0
        await pilot.press("1")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen), what="worst ticket open")
        assert isinstance(app.screen, ConversationScreen) and app.screen.ticket_id == worst
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the dashboard")
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen), what="the queue")
        queue = app.screen
        await pilot.press("D")
        await wait_until(pilot, lambda: app.screen is screen, what="the same dashboard again")
        await pilot.press("D")
        await wait_until(pilot, lambda: app.screen is queue, what="the same queue again")


async def test_dashboard_converges_to_the_server_after_the_stream_drops(
    server_factory: Any, tmp_path: Path
) -> None:
    server = server_factory()
    app = make_app(server, "lena", tmp_path, reconnect_backoff=QUICK_RECONNECT)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_dashboard(pilot, app)
        await wait_until(pilot, lambda: app.session.stream_state == "live", what="the live stream")
        server.kill()  # kill -9: the stream drops mid-run
        await wait_until(pilot, lambda: app.session.stream_state != "live", what="the stream noticed down")
        await wait_until(pilot, lambda: "-polling" in screen.query_one("#dashboard-notice").classes
                         or "-error" in screen.query_one("#dashboard-notice").classes,
                         what="the dashboard saying it is not live")
        # Same port, same database. The demo clock starts again from its anchor: anchor it past
        # what the dashboard last saw, as a real clock would be (older answers are ignored).
        last_seen = dashboard(app).state.live.at  # type: ignore[union-attr]
        server.options["demo_now"] = (last_seen + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        server.start()
        for _ in range(3):
            create_customer_ticket(server)
        await wait_until(pilot, lambda: shown_counts(app) == server_counts(server),
                         what="the server's numbers after the outage", timeout=30)
        await wait_until(pilot, lambda: app.session.stream_state == "live", what="live again", timeout=30)
        await wait_until(pilot, lambda: "-live" in screen.query_one("#dashboard-notice").classes,
                         what="the dashboard saying it is live")
        create_customer_ticket(server)
        await wait_until(pilot, lambda: shown_counts(app) == server_counts(server), what="still converged")


async def test_wallboard_shows_big_numbers_without_any_input(workday_server: Any, tmp_path: Path) -> None:
    app = make_app(workday_server, "lena", tmp_path, wallboard=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, WallboardScreen)
                         and app.screen.state.live is not None, what="the wallboard")
        from supportdesk_tui.widgets.dashboard_wall import WallFigure

        await wait_until(pilot, lambda: app.screen.query_one("#wall-open", WallFigure).value
                         == server_stats(workday_server)["total"]["open"], what="total open in big digits")
