"""Presence on tickets, and the lead's live and historical statistics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from server_helpers import EventStream, intake_creates, new_ticket_body

from conftest import ServerHandle
from supportdesk_tui.contract.models import AgentRef, PresenceState, TicketCreate
from supportdesk_tui.server.presence import PresenceBoard
from supportdesk_tui.server.seed import seed_base
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.store import open_store


def test_presence_shows_on_the_ticket_and_is_announced(backend: ServerHandle) -> None:
    ticket = intake_creates(backend)
    url = f"/api/v1/tickets/{ticket['id']}"
    with (
        EventStream(backend.url, backend.token("kate")) as stream,
        backend.client("anna") as anna,
    ):
        assert anna.put(f"{url}/presence", json={"state": "composing"}).status_code == 204
        event, _ = stream.until(
            lambda e: e["event"] == "presence.changed" and e["data"]["ticket_id"] == ticket["id"]
        )
        assert [(p["agent"]["login"], p["state"]) for p in event["data"]["presence"]] == [
            ("anna", "composing")
        ]
        seen = anna.get(url).json()["presence"]
        assert seen[0]["agent"]["login"] == "anna" and seen[0]["state"] == "composing"
        listed = anna.get("/api/v1/tickets", params={"q": f"#{ticket['id']}"}).json()["data"][0]
        assert listed["presence"] == seen
        assert anna.put(f"{url}/presence", json={"state": "left"}).status_code == 204
        gone, _ = stream.until(
            lambda e: e["event"] == "presence.changed" and e["data"]["ticket_id"] == ticket["id"]
        )
        assert gone["data"]["presence"] == []
        assert anna.get(url).json()["presence"] == []


def test_presence_expires_thirty_seconds_after_the_last_renewal(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 26, 9, 0, tzinfo=UTC)]
    store = open_store(tmp_path / "db.sqlite3")
    seed_base(store)
    service = Service(store, clock=lambda: now[0], presence=PresenceBoard())
    anna = store.agent_by_login("anna")
    assert anna is not None
    ticket = service.create_ticket(anna, _create_body())
    events: list[str] = []
    store.add_commit_listener(lambda batch: events.extend(e.type for e in batch))
    service.set_presence(anna, ticket.id, PresenceState.VIEWING)
    now[0] += timedelta(seconds=20)
    service.set_presence(anna, ticket.id, PresenceState.VIEWING)  # a renewal, not a change
    now[0] += timedelta(seconds=25)
    service.sweep_presence()
    assert service.get_ticket(anna, ticket.id).presence[0].state == PresenceState.VIEWING
    now[0] += timedelta(seconds=6)
    assert service.get_ticket(anna, ticket.id).presence == []
    service.sweep_presence()
    assert events == ["presence.changed", "presence.changed"]
    store.close()


def _create_body() -> TicketCreate:
    return TicketCreate.model_validate(new_ticket_body())


def test_presence_board_reports_changes_not_renewals() -> None:
    board = PresenceBoard()
    agent = AgentRef(id=1, login="anna", name="Anna Petrova")
    t0 = datetime(2026, 11, 26, tzinfo=UTC)
    assert board.set(7, agent, PresenceState.VIEWING, t0)
    assert not board.set(7, agent, PresenceState.VIEWING, t0 + timedelta(seconds=10))
    assert board.set(7, agent, PresenceState.COMPOSING, t0 + timedelta(seconds=11))
    assert board.sweep(t0 + timedelta(seconds=40)) == []
    assert board.sweep(t0 + timedelta(seconds=42)) == [7]


def test_lead_sees_live_counts_that_add_up(backend: ServerHandle) -> None:
    with backend.client("anna") as anna:
        anna.get("/api/v1/me")  # anna is active
    with backend.client("lena") as lena:
        stats = lena.get("/api/v1/stats/live").json()
        queues = lena.get("/api/v1/queues").json()["data"]
    assert [c["key"] for c in stats["by_queue"]] == [q["id"] for q in queues]
    assert {c["key"] for c in stats["by_language"]} == {"ru", "en"}
    assert [c["key"] for c in stats["by_priority"]] == ["low", "normal", "high", "urgent"]
    total = stats["total"]
    for field in ("open", "unassigned", "sla_at_risk", "sla_breached"):
        assert (
            total[field]
            == sum(c[field] for c in stats["by_queue"])
            == sum(c[field] for c in stats["by_language"])
        )
    assert stats["worst"] and stats["worst"][0]["breached"]
    agents = {a["agent"]["login"]: a for a in stats["agents"]}
    assert set(agents) >= {"anna", "boris", "kate", "dmitry", "lena"} and "intake" not in agents
    assert agents["anna"]["state"] in ("online", "busy")
    assert agents["anna"]["open_assigned"] > 0 and agents["anna"]["last_reply_at"]
    assert stats["open_escalations"] and all(
        e["status"] in ("open", "in_progress") for e in stats["open_escalations"]
    )


def test_history_covers_the_requested_window_per_minute(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        hour = lena.get("/api/v1/stats/history", params={"window": 3600}).json()
        day = lena.get("/api/v1/stats/history", params={"window": 43200}).json()
        too_long = lena.get("/api/v1/stats/history", params={"window": 999999})
    assert hour["interval_seconds"] == 60 and hour["window_seconds"] == 3600
    assert 55 * 7 <= len(hour["points"]) <= 62 * 7
    assert len(day["points"]) >= 700 * 7
    assert {p["queue"] for p in hour["points"]} == {
        "access",
        "hacked",
        "deletion",
        "payments",
        "bugs-music",
        "bugs-messages",
        "bugs-video",
    }
    assert too_long.status_code == 422


def test_a_history_point_per_queue_is_recorded_once_a_minute(tmp_path: Path) -> None:
    from supportdesk_tui.server import stats

    now = [datetime(2026, 11, 26, 9, 0, 30, tzinfo=UTC)]
    store = open_store(tmp_path / "db.sqlite3")
    seed_base(store)
    service = Service(store, clock=lambda: now[0])
    lena = store.agent_by_login("lena")
    assert lena is not None
    service.create_ticket(lena, _create_body())
    last = stats.record_minute(service, None)
    assert stats.record_minute(service, last) == last  # same minute: nothing new
    now[0] += timedelta(seconds=60)
    stats.record_minute(service, last)
    points = stats.history(service, 600).points
    assert len(points) == 2 * 7
    assert [p.at.minute for p in points[::7]] == [0, 1]
    access = [p for p in points if p.queue == "access"]
    assert access[-1].open == 1 and access[-1].created == 1
    store.close()
