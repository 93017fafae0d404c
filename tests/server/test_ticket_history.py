"""A ticket's history (issue 18): every change with who and when, read by those who may see the
ticket — agents of its queue and leads — and by nobody else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from server_helpers import error_code, intake_creates, new_ticket_body

from conftest import ServerHandle

ESCALATION = {
    "component": "music",
    "severity": "major",
    "summary": "Playback never starts on Android 14",
    "steps": "1. Open Music\n2. Tap a track",
    "expected": "It plays",
    "actual": "Endless spinner",
    "environment": {"platform": "Android 14", "app_version": "8.41.0", "device": "Pixel 6"},
}


def patch(client: httpx.Client, ticket_id: int, body: dict[str, Any]) -> dict[str, Any]:
    current = client.get(f"/api/v1/tickets/{ticket_id}").json()
    response = client.patch(f"/api/v1/tickets/{ticket_id}", json=body,
                            headers={"If-Match": f'"{current["version"]}"'})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def history(client: httpx.Client, ticket_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/tickets/{ticket_id}/history")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["data"]
    return entries


def test_every_change_is_recorded_with_who_and_when_in_order(backend: ServerHandle) -> None:
    ticket = intake_creates(backend, new_ticket_body(category="music", tags=["music"]))
    ticket_id = ticket["id"]
    with backend.client("kate") as kate, backend.client("lena") as lena, \
            backend.client("intake") as intake:
        kate_id = kate.get("/api/v1/me").json()["id"]
        assert history(kate, ticket_id) == []  # creating a ticket is not a change to it
        patch(kate, ticket_id, {"priority": "high", "tags": ["music", "android"]})
        patch(lena, ticket_id, {"assignee_id": kate_id})
        patch(kate, ticket_id, {"status": "pending"})
        # The customer answers: the ticket reopens, and the customer is who changed it.
        answered = intake.post(f"/api/v1/tickets/{ticket_id}/messages",
                               json={"kind": "customer", "body": "Still broken, sorry"})
        assert answered.status_code == 201, answered.text
        created = kate.post(f"/api/v1/tickets/{ticket_id}/escalations",
                            json={**ESCALATION, "message_ids": [ticket["last_message_id"]]})
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        moved = kate.patch(f"/api/v1/escalations/{key}", json={"status": "in_progress"})
        assert moved.status_code == 200, moved.text
        entries = history(kate, ticket_id)
        assert history(lena, ticket_id) == entries  # a lead reads the same history

    lines = [(e["kind"], e["actor"]["id"], e["old"], e["new"]) for e in entries]
    assert lines == [
        ("priority", "kate", "normal", "high"),
        ("tags", "kate", "music", "music, android"),
        ("assignee", "lena", None, "Kate Miller"),
        ("status", "kate", "new", "pending"),
        ("status", ticket["requester"]["account_id"], "pending", "open"),
        ("status", "kate", "open", "on_hold"),
        ("escalated", "kate", None, key),
        ("escalation_status", "kate", "open", "in_progress"),
    ]
    assert entries[4]["actor"]["type"] == "customer"
    assert entries[-1]["ref"] == key and entries[-2]["ref"] == key
    # As instants, not strings: a time on a whole second is written without its fraction.
    times = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in entries]
    assert times == sorted(times)
    assert all(e["ticket_id"] == ticket_id for e in entries)


def test_an_account_action_is_in_the_history_as_well_as_in_the_audit(backend: ServerHandle) -> None:
    body = new_ticket_body(category="hacked", language="en")
    body["requester"] = {**body["requester"], "account_id": "id-history-action-1", "language": "en"}
    ticket = intake_creates(backend, body)
    path = f"/api/v1/tickets/{ticket['id']}"
    with backend.client("dmitry") as dmitry:
        for step_id, fields in {"last-login": ["last_login_city", "last_login_device"],
                                "recent-payment": ["recent_payment"],
                                "creation-details": ["signup_year", "signup_city"]}.items():
            assert dmitry.post(f"{path}/audit", json={"kind": "step", "step_id": step_id,
                                                      "evidence_fields": fields}).status_code == 201
        assert dmitry.post(f"{path}/account-actions", json={"action": "sign_out_all"}).status_code == 200
        entries = history(dmitry, ticket["id"])
    assert [(e["kind"], e["actor"]["id"], e["new"]) for e in entries] == [
        ("account_action", "dmitry", "sign_out_all")]


def test_hostile_callers_read_no_history(backend: ServerHandle) -> None:
    ticket = intake_creates(backend, new_ticket_body(category="music"))
    path = f"/api/v1/tickets/{ticket['id']}/history"
    with backend.client("kate") as kate:
        patch(kate, ticket["id"], {"priority": "urgent"})
    # Anna works other queues: the ticket is "not found", exactly like one that does not exist.
    with backend.client("anna") as anna:
        hidden = anna.get(path)
        missing = anna.get("/api/v1/tickets/987654321/history")
    assert hidden.status_code == missing.status_code == 404
    assert error_code(hidden) == error_code(missing) == "not_found"
    assert hidden.json() == missing.json()
    with backend.client("intake") as intake:
        assert intake.get(path).status_code == 403
    with backend.client() as nobody:
        assert nobody.get(path).status_code == 401
    with backend.client() as forged:
        assert forged.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    with backend.client("anna") as anna:
        # Not a way round the queue check either: another path shape, an id out of range.
        assert anna.get(f"/api/v1/tickets/{ticket['id']}/history/").status_code in (404, 307)
        assert anna.get("/api/v1/tickets/-1/history").status_code in (404, 422)
