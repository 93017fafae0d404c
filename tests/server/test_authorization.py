"""Who may see and do what: enforced by the server on every object, list, count, search and event."""

from __future__ import annotations

from typing import Any

import pytest
from server_helpers import DEMO_QUEUES, EventStream, all_pages, error_code, intake_creates, new_ticket_body

from conftest import ServerHandle

AGENT_QUEUES = {
    "anna": {"access", "hacked", "deletion"},
    "boris": {"payments", "bugs-music", "bugs-messages", "bugs-video"},
    "kate": {"access", "payments", "bugs-music", "bugs-messages", "bugs-video"},
    "dmitry": {"hacked", "deletion", "payments"},
}


@pytest.fixture(scope="module")
def access_ticket(backend: ServerHandle) -> dict[str, Any]:
    """A ticket in `access`, which boris and dmitry don't work."""
    ticket = intake_creates(backend, new_ticket_body(subject="authz: zebra-unique-subject"))
    assert ticket["queue"] == "access"
    return ticket


@pytest.mark.parametrize("login", sorted(AGENT_QUEUES))
def test_agent_lists_counts_and_searches_only_own_queues(backend: ServerHandle, login: str) -> None:
    allowed = AGENT_QUEUES[login]
    with backend.client(login) as client:
        queues = {q["id"] for q in client.get("/api/v1/queues").json()["data"]}
        tickets = all_pages(client, "/api/v1/tickets", {"page[size]": 200})
        assert client.get("/api/v1/me").json()["queues"] == [q for q in DEMO_QUEUES if q in allowed]
        foreign = sorted(set(DEMO_QUEUES) - allowed)
        for queue in foreign:
            assert client.get("/api/v1/tickets", params={"queue": queue}).json()["data"] == []
    assert queues == allowed
    assert tickets and {t["queue"] for t in tickets} <= allowed


def test_a_ticket_in_another_queue_does_not_exist_for_the_agent(
    backend: ServerHandle, access_ticket: dict[str, Any]
) -> None:
    ticket_id = access_ticket["id"]
    etag = {"If-Match": f'"{access_ticket["version"]}"'}
    with backend.client("boris") as boris:
        unknown = boris.get("/api/v1/tickets/999999999")
        responses = [
            boris.get(f"/api/v1/tickets/{ticket_id}"),
            boris.get(f"/api/v1/tickets/{ticket_id}/messages"),
            boris.patch(f"/api/v1/tickets/{ticket_id}", json={"priority": "low"}, headers=etag),
            boris.post(f"/api/v1/tickets/{ticket_id}/messages", json={"kind": "note", "body": "peek"}),
            boris.put(f"/api/v1/tickets/{ticket_id}/presence", json={"state": "viewing"}),
            boris.post(
                f"/api/v1/tickets/{ticket_id}/escalations",
                json={
                    "component": "login",
                    "severity": "minor",
                    "summary": "peek at it",
                    "steps": "s",
                    "expected": "e",
                    "actual": "a",
                },
            ),
        ]
        searches = [
            boris.get("/api/v1/tickets", params={"q": f"#{ticket_id}"}).json()["data"],
            boris.get("/api/v1/tickets", params={"q": "zebra-unique-subject"}).json()["data"],
            boris.get(
                "/api/v1/tickets", params={"requester": access_ticket["requester"]["account_id"]}
            ).json()["data"],
        ]
    assert unknown.status_code == 404
    for response in responses:
        assert response.status_code == 404, response.request.url
        assert response.json() == unknown.json() or error_code(response) == "not_found"
    assert all(all(t["id"] != ticket_id for t in found) for found in searches)
    with backend.client("kate") as kate:
        assert kate.get(f"/api/v1/tickets/{ticket_id}").status_code == 200
        assert kate.get("/api/v1/tickets", params={"q": "zebra-unique-subject"}).json()["data"]


def test_an_escalation_on_a_hidden_ticket_is_hidden_too(backend: ServerHandle) -> None:
    with backend.client("lena") as lena:
        escalations = lena.get("/api/v1/escalations").json()["data"]
        bugs = next(
            e
            for e in escalations
            if lena.get(f"/api/v1/tickets/{e['ticket_id']}").json()["queue"].startswith("bugs-")
        )
    with backend.client("anna") as anna, backend.client("boris") as boris:
        assert anna.get(f"/api/v1/escalations/{bugs['key']}").status_code == 404
        assert boris.get(f"/api/v1/escalations/{bugs['key']}").status_code == 200
        assert (
            anna.patch(f"/api/v1/escalations/{bugs['key']}", json={"status": "wont_fix"}).status_code == 404
        )


def test_events_of_hidden_queues_never_reach_the_agent(
    backend: ServerHandle, access_ticket: dict[str, Any]
) -> None:
    with EventStream(backend.url, backend.token("boris")) as stream:
        with backend.client("intake") as intake:
            intake.post(
                f"/api/v1/tickets/{access_ticket['id']}/messages", json={"kind": "customer", "body": "hi"}
            )
            own = intake.post("/api/v1/tickets", json=new_ticket_body(category="payment")).json()["ticket_id"]
        _, before = stream.until(lambda e: e["event"] == "ticket.created" and e["data"]["id"] == own)
    for event in before:
        data = event["data"]
        if event["event"] == "queue.counts":
            assert {q["id"] for q in data["queues"]} <= AGENT_QUEUES["boris"]
        else:
            assert data.get("queue") in AGENT_QUEUES["boris"], event


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/queues"),
        ("GET", "/api/v1/tickets"),
        ("GET", "/api/v1/tickets/1001"),
        ("GET", "/api/v1/tickets/1001/messages"),
        ("PATCH", "/api/v1/tickets/1001"),
        ("PUT", "/api/v1/tickets/1001/presence"),
        ("GET", "/api/v1/canned-replies"),
        ("GET", "/api/v1/components"),
        ("GET", "/api/v1/escalations"),
        ("GET", "/api/v1/stats/live"),
        ("GET", "/api/v1/stats/history"),
        ("GET", "/api/v1/events"),
    ],
)
def test_intake_may_do_nothing_but_create(backend: ServerHandle, method: str, path: str) -> None:
    bodies = {"PATCH": {"priority": "low"}, "PUT": {"state": "viewing"}}
    with backend.client("intake") as client:
        response = client.request(method, path, json=bodies.get(method), headers={"If-Match": '"1"'})
    assert response.status_code == 403 and error_code(response) == "forbidden"


@pytest.mark.parametrize("path", ["/api/v1/stats/live", "/api/v1/stats/history", "/api/v1/escalations"])
@pytest.mark.parametrize("login", ["anna", "boris"])
def test_only_the_lead_sees_stats_and_all_escalations(backend: ServerHandle, login: str, path: str) -> None:
    with backend.client(login) as agent, backend.client("lena") as lead:
        refused = agent.get(path)
        assert refused.status_code == 403 and error_code(refused) == "forbidden"
        assert lead.get(path).status_code == 200


def test_agent_may_not_move_a_ticket_into_a_queue_they_do_not_work(
    backend: ServerHandle, access_ticket: dict[str, Any]
) -> None:
    with backend.client("anna") as anna:
        current = anna.get(f"/api/v1/tickets/{access_ticket['id']}")
        moved = anna.patch(
            f"/api/v1/tickets/{access_ticket['id']}",
            json={"queue": "payments"},
            headers={"If-Match": current.headers["ETag"]},
        )
    assert moved.status_code == 403


def test_a_new_agent_with_one_queue_sees_just_that_queue(backend: ServerHandle) -> None:
    token = backend.new_token("vera", "agent", ["bugs-video"], name="Vera Orlova")
    with backend.client() as client:
        client.headers["Authorization"] = f"Bearer {token}"
        assert [q["id"] for q in client.get("/api/v1/queues").json()["data"]] == ["bugs-video"]
        tickets = all_pages(client, "/api/v1/tickets", {"page[size]": 200})
    assert tickets and {t["queue"] for t in tickets} == {"bugs-video"}
