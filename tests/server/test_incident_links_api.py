"""Incidents: agents link many customers' tickets to one escalation; the counts follow; fixed reaches all."""

from __future__ import annotations

import uuid
from typing import Any

from server_helpers import EventStream, intake_creates, new_ticket_body

from conftest import ServerHandle

ESCALATION = {
    "component": "music",
    "severity": "major",
    "summary": "Playback spinner never stops on Android",
    "steps": "1. Open Music\n2. Tap a track",
    "expected": "It plays",
    "actual": "Endless spinner, playback never starts",
    "set_status": None,
}


def _music_ticket(server: ServerHandle, *, account: str | None = None, language: str = "en",
                  body: str = "Music playback never starts, the spinner keeps spinning.") -> dict[str, Any]:
    account = account or f"id{uuid.uuid4().hex[:10]}"
    return intake_creates(server, new_ticket_body(
        subject="Music will not play", category="music", language=language, tags=[], body=body,
        requester={"account_id": account, "name": "Listener", "language": language}))


def _escalate(server: ServerHandle, ticket_id: int) -> dict[str, Any]:
    with server.client("kate") as kate:
        created = kate.post(f"/api/v1/tickets/{ticket_id}/escalations", json=ESCALATION)
    assert created.status_code == 201, created.text
    escalation: dict[str, Any] = created.json()
    return escalation


def test_agent_links_tickets_and_the_escalation_counts_affected_customers(backend: ServerHandle) -> None:
    origin = _music_ticket(backend)
    escalation = _escalate(backend, origin["id"])
    assert (escalation["linked_tickets"], escalation["affected_customers"]) == (1, 1)
    key = escalation["key"]
    same_customer = _music_ticket(backend, account=origin["requester"]["account_id"])
    others = [_music_ticket(backend) for _ in range(2)]
    with backend.client("kate") as kate, EventStream(backend.url, backend.token("kate")) as stream:
        ids = [same_customer["id"], *(t["id"] for t in others), origin["id"], 999_999_999]
        answer = kate.post(f"/api/v1/escalations/{key}/links", json={"ticket_ids": ids})
        assert answer.status_code == 200, answer.text
        result = answer.json()
        event, _ = stream.until(lambda e: e["event"] == "escalation.updated" and e["data"]["key"] == key)
        linked = kate.get(f"/api/v1/escalations/{key}/tickets").json()["data"]
        again = kate.post(f"/api/v1/escalations/{key}/links", json={"ticket_ids": [others[0]["id"]]}).json()
    assert result["linked"] == ids[:3]
    assert {(s["ticket_id"], s["reason"]) for s in result["skipped"]} == {
        (origin["id"], "already_linked"), (999_999_999, "not_found")}
    # Four tickets, three customers: one of them wrote twice.
    assert (result["escalation"]["linked_tickets"], result["escalation"]["affected_customers"]) == (4, 3)
    assert event["data"]["affected_customers"] == 3
    assert sorted(t["id"] for t in linked) == sorted([origin["id"], *ids[:3]])
    assert all(t["escalation"]["key"] == key for t in linked)
    assert again["linked"] == [] and again["skipped"][0]["reason"] == "already_linked"


def test_fixed_marks_every_linked_ticket_as_needing_a_reply(backend: ServerHandle) -> None:
    origin = _music_ticket(backend)
    key = _escalate(backend, origin["id"])["key"]
    other = _music_ticket(backend, language="ru", body="Не играет музыка")
    with backend.client("boris") as boris:
        assert boris.post(f"/api/v1/escalations/{key}/links",
                          json={"ticket_ids": [other["id"]]}).status_code == 200
        assert boris.patch(f"/api/v1/escalations/{key}", json={"status": "fixed"}).status_code == 200
        after = boris.get(f"/api/v1/tickets/{other['id']}").json()
        late = _music_ticket(backend)
        linked_late = boris.post(f"/api/v1/escalations/{key}/links", json={"ticket_ids": [late["id"]]})
        late_after = boris.get(f"/api/v1/tickets/{late['id']}").json()
    assert after["needs_reply"] and after["escalation"]["status"] == "fixed"
    assert linked_late.json()["linked"] == [late["id"]] and late_after["needs_reply"]


def test_suggestions_name_look_alikes_and_link_nothing(backend: ServerHandle) -> None:
    origin = _music_ticket(backend)
    key = _escalate(backend, origin["id"])["key"]
    look_alike = _music_ticket(backend)
    by_words = intake_creates(backend, new_ticket_body(
        subject="Spinner on playback", category="other", tags=[],
        body="The playback spinner never stops on my phone."))
    unrelated = intake_creates(backend, new_ticket_body(subject="Refund", category="payments", tags=[],
                                                        body="Please refund my subscription."))
    with backend.client("lena") as lena:
        found = lena.get(f"/api/v1/escalations/{key}/suggestions").json()["data"]
        still = lena.get(f"/api/v1/escalations/{key}").json()
    by_id = {s["ticket"]["id"]: s for s in found}
    assert "component" in by_id[look_alike["id"]]["reasons"]
    assert by_id[by_words["id"]]["reasons"] == ["words"]
    # The words as this customer wrote them, not the stems they matched by ("playba", "spinne").
    assert {"playback", "spinner"} <= set(by_id[by_words["id"]]["shared_words"])
    assert unrelated["id"] not in by_id and origin["id"] not in by_id
    assert still["linked_tickets"] == 1


def test_hostile_agent_can_neither_see_nor_link_an_escalation_outside_their_queues(
        backend: ServerHandle) -> None:
    origin = _music_ticket(backend)
    key = _escalate(backend, origin["id"])["key"]
    own = intake_creates(backend, new_ticket_body(category="hacked", tags=[]))  # a queue dmitry works
    victim = _music_ticket(backend)
    with backend.client("dmitry") as dmitry:
        refused = [
            dmitry.post(f"/api/v1/escalations/{key}/links", json={"ticket_ids": [own["id"]]}),
            dmitry.get(f"/api/v1/escalations/{key}/tickets"),
            dmitry.get(f"/api/v1/escalations/{key}/suggestions"),
        ]
    with backend.client("intake") as intake:
        refused.append(intake.post(f"/api/v1/escalations/{key}/links", json={"ticket_ids": [own["id"]]}))
    with backend.client("kate") as kate:
        # kate sees the escalation but not dmitry's queue: that ticket is not hers to link.
        kate_answer = kate.post(f"/api/v1/escalations/{key}/links",
                                json={"ticket_ids": [own["id"], victim["id"]]}).json()
    assert [r.status_code for r in refused] == [404, 404, 404, 403]
    assert kate_answer["linked"] == [victim["id"]]
    assert kate_answer["skipped"] == [{"ticket_id": own["id"], "reason": "not_found", "other_key": None}]
