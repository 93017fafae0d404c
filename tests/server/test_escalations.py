"""Escalating a ticket to engineering and the state coming back."""

from __future__ import annotations

import re
from typing import Any

from server_helpers import EventStream, error_code, intake_creates, new_ticket_body

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


def _bug_ticket(server: ServerHandle) -> dict[str, Any]:
    return intake_creates(server, new_ticket_body(category="music"))


def test_escalating_adds_a_note_and_puts_the_ticket_on_hold(backend: ServerHandle) -> None:
    ticket = _bug_ticket(backend)
    with backend.client("kate") as kate:
        created = kate.post(
            f"/api/v1/tickets/{ticket['id']}/escalations",
            json={**ESCALATION, "message_ids": [ticket["last_message_id"]]},
        )
        assert created.status_code == 201, created.text
        escalation = created.json()
        assert re.fullmatch(r"ENG-1\d{3}", escalation["key"])
        assert escalation["url"] == f"https://tracker.example.invalid/browse/{escalation['key']}"
        assert escalation["status"] == "open" and escalation["ticket_id"] == ticket["id"]
        after = kate.get(f"/api/v1/tickets/{ticket['id']}").json()
        messages = kate.get(f"/api/v1/tickets/{ticket['id']}/messages").json()["data"]
    assert after["status"] == "on_hold" and after["sla"]["paused"]
    assert after["escalation"] == {"key": escalation["key"], "status": "open", "url": escalation["url"]}
    assert messages[-1]["kind"] == "note" and escalation["key"] in messages[-1]["body"]


def test_escalation_keys_count_up_from_eng_1001(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        keys = sorted(int(e["key"].split("-")[1]) for e in lena.get("/api/v1/escalations").json()["data"])
    assert keys[0] == 1001 and keys == list(range(1001, 1001 + len(keys)))


def test_fixed_escalation_asks_for_a_reply_and_is_announced(backend: ServerHandle) -> None:
    ticket = _bug_ticket(backend)
    with backend.client("boris") as boris:
        key = boris.post(
            f"/api/v1/tickets/{ticket['id']}/escalations", json={**ESCALATION, "set_status": None}
        ).json()["key"]
        assert boris.get(f"/api/v1/tickets/{ticket['id']}").json()["status"] == "new"
        with EventStream(backend.url, backend.token("boris")) as stream:
            assert (
                boris.patch(f"/api/v1/escalations/{key}", json={"status": "in_progress"}).status_code == 200
            )
            fixed = boris.patch(f"/api/v1/escalations/{key}", json={"status": "fixed"})
            assert fixed.status_code == 200 and fixed.json()["status"] == "fixed"
            updated, _ = stream.until(
                lambda e: e["event"] == "escalation.updated" and e["data"]["status"] == "fixed"
            )
            ticket_event, _ = stream.until(
                lambda e: (
                    e["event"] == "ticket.updated"
                    and e["data"]["id"] == ticket["id"]
                    and e["data"]["needs_reply"]
                )
            )
        assert updated["data"]["key"] == key
        assert ticket_event["data"]["escalation"]["status"] == "fixed"
        reopened = boris.patch(f"/api/v1/escalations/{key}", json={"status": "open"})
        assert reopened.status_code == 422 and error_code(reopened) == "validation_error"
        replied = boris.post(
            f"/api/v1/tickets/{ticket['id']}/messages", json={"kind": "reply", "body": "Fixed!"}
        )
        assert replied.json()["ticket"]["needs_reply"] is False


def test_lead_filters_escalations_by_status(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        everything = lena.get("/api/v1/escalations").json()["data"]
        active = lena.get("/api/v1/escalations", params={"status": "open,in_progress"}).json()["data"]
    assert {e["status"] for e in everything} >= {"open", "in_progress", "fixed", "wont_fix"}
    assert active and {e["status"] for e in active} <= {"open", "in_progress"}


def test_unknown_component_and_foreign_message_ids_are_rejected(backend: ServerHandle) -> None:
    ticket = _bug_ticket(backend)
    url = f"/api/v1/tickets/{ticket['id']}/escalations"
    with backend.client("kate") as kate:
        assert kate.post(url, json={**ESCALATION, "component": "teleport"}).status_code == 422
        assert kate.post(url, json={**ESCALATION, "message_ids": [1]}).status_code == 422
        assert kate.get("/api/v1/escalations/ENG-9999").status_code == 404
