"""Merging a customer's duplicate tickets into one, and the ids a bulk selection starts from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from server_helpers import error_code, intake_creates, new_ticket_body

from conftest import ServerHandle


def _customer() -> dict[str, Any]:
    marker = uuid.uuid4().hex[:10]
    return {"account_id": f"id{marker}", "name": "Sam Duplicate", "language": "en"}


def _ticket_of(server: ServerHandle, customer: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    return intake_creates(server, new_ticket_body(requester=customer, body=text, **extra))


def _customer_writes(server: ServerHandle, ticket_id: int, text: str) -> None:
    with server.client("intake") as intake:
        response = intake.post(
            f"/api/v1/tickets/{ticket_id}/messages",
            json={"kind": "customer", "body": text},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert response.status_code == 201, response.text


def _fresh(server: ServerHandle, ticket_id: int) -> dict[str, Any]:
    with server.client("lena") as lena:
        ticket: dict[str, Any] = lena.get(f"/api/v1/tickets/{ticket_id}").json()
    return ticket


def _messages(server: ServerHandle, ticket_id: int) -> list[dict[str, Any]]:
    with server.client("lena") as lena:
        data: list[dict[str, Any]] = lena.get(
            f"/api/v1/tickets/{ticket_id}/messages", params={"page[size]": "200"}
        ).json()["data"]
    return data


def _history(server: ServerHandle, ticket_id: int) -> list[dict[str, Any]]:
    with server.client("lena") as lena:
        response = lena.get(f"/api/v1/tickets/{ticket_id}/history")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _merge_body(tickets: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"tickets": [{"id": t["id"], "version": t["version"]} for t in tickets], **extra}


def test_three_duplicates_become_one_ticket_with_every_message_once_in_time_order(
    backend: ServerHandle,
) -> None:
    customer = _customer()
    first = _ticket_of(backend, customer, "first: I can't log in", tags=["login"])
    second = _ticket_of(backend, customer, "second: still can't log in", tags=["urgent-ish"], priority="high")
    _customer_writes(backend, first["id"], "third: hello??")
    third = _ticket_of(backend, customer, "fourth: third ticket about the same")
    _customer_writes(backend, second["id"], "fifth: anyone there")
    customer_texts = [m["body"] for t in (first, second, third) for m in _messages(backend, t["id"])]
    tickets = [_fresh(backend, t["id"]) for t in (third, first, second)]

    with backend.client("anna") as anna:
        response = anna.post("/api/v1/ticket-merges", json=_merge_body(tickets),
                             headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 200, response.text
    result = response.json()

    assert result["survivor"]["id"] == first["id"]  # the oldest
    thread = _messages(backend, first["id"])
    customer_messages = [m for m in thread if m["kind"] == "customer"]
    assert sorted(m["body"] for m in customer_messages) == sorted(customer_texts)
    assert len({m["id"] for m in thread}) == len(thread)
    assert [m["body"][:5] for m in customer_messages] == ["first", "secon", "third", "fourt", "fifth"]
    # As times, not strings: "09:00:05Z" sorts after "09:00:05.011000Z" as text.
    times = [datetime.fromisoformat(m["created_at"]) for m in thread]
    assert times == sorted(times)
    assert thread[-1]["kind"] == "note" and f"#{second['id']}" in thread[-1]["body"]
    survivor = _fresh(backend, first["id"])
    assert survivor["message_count"] == len(thread)
    assert survivor["priority"] == "high" and {"login", "urgent-ish"} <= set(survivor["tags"])
    # Only notes were written: nothing the customer would be sent.
    assert not [m for m in thread if m["kind"] == "reply"]
    for duplicate in (second, third):
        closed = _fresh(backend, duplicate["id"])
        assert closed["status"] == "closed"
        (note,) = _messages(backend, duplicate["id"])
        assert note["kind"] == "note" and f"#{first['id']}" in note["body"]
    # The merge is in each ticket's history, by the agent who merged.
    merged_from = [(e["kind"], e["ref"], e["actor"]["id"]) for e in _history(backend, first["id"])
                   if e["kind"] == "merged_from"]
    assert sorted(merged_from) == sorted(("merged_from", str(t["id"]), "anna") for t in (second, third))
    for duplicate in (second, third):
        merged_into = [e for e in _history(backend, duplicate["id"]) if e["kind"] == "merged_into"]
        assert [(e["ref"], e["actor"]["id"]) for e in merged_into] == [(str(first["id"]), "anna")]


def test_the_caller_may_choose_the_survivor(backend: ServerHandle) -> None:
    customer = _customer()
    older, newer = (_ticket_of(backend, customer, f"message {n}") for n in (1, 2))
    with backend.client("lena") as lena:
        body = _merge_body([older, newer], survivor_id=newer["id"])
        response = lena.post("/api/v1/ticket-merges", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["survivor"]["id"] == newer["id"]
    assert _fresh(backend, older["id"])["status"] == "closed"
    assert len(_messages(backend, newer["id"])) == 3  # two customer messages and the note


def test_tickets_of_different_customers_are_refused_and_nothing_changes(backend: ServerHandle) -> None:
    mine = _ticket_of(backend, _customer(), "mine")
    theirs = _ticket_of(backend, _customer(), "theirs")
    with backend.client("lena") as lena:
        response = lena.post("/api/v1/ticket-merges", json=_merge_body([mine, theirs]))
    assert response.status_code == 422
    assert error_code(response) == "different_customers"
    assert "same customer" in response.json()["error"]["message"]
    assert _fresh(backend, theirs["id"])["version"] == theirs["version"]
    assert len(_messages(backend, mine["id"])) == 1


def test_a_ticket_changed_since_it_was_seen_stops_the_whole_merge(backend: ServerHandle) -> None:
    customer = _customer()
    first, second = (_ticket_of(backend, customer, f"message {n}") for n in (1, 2))
    with backend.client("lena") as lena:
        lena.patch(f"/api/v1/tickets/{second['id']}", json={"priority": "low"},
                   headers={"If-Match": f'"{second["version"]}"'}).raise_for_status()
        response = lena.post("/api/v1/ticket-merges", json=_merge_body([first, second]))
    assert response.status_code == 412
    assert response.json()["error"]["details"]["current"]["id"] == second["id"]
    assert _fresh(backend, second["id"])["status"] != "closed"
    assert len(_messages(backend, second["id"])) == 1


@pytest.mark.parametrize("login", ["boris", "intake"])
def test_only_leads_and_agents_of_the_queue_may_merge(backend: ServerHandle, login: str) -> None:
    customer = _customer()
    first, second = (_ticket_of(backend, customer, f"message {n}") for n in (1, 2))
    assert first["queue"] == "access"  # boris works payments and bugs only
    with backend.client(login) as hostile:
        response = hostile.post("/api/v1/ticket-merges", json=_merge_body([first, second]))
    assert response.status_code == 403, response.text
    assert _fresh(backend, second["id"])["status"] != "closed"


def test_a_selection_of_every_match_is_ids_and_versions_not_tickets(backend: ServerHandle) -> None:
    tag = f"wave-{uuid.uuid4().hex[:8]}"
    created = [_ticket_of(backend, _customer(), f"spam {n}", tags=[tag]) for n in range(3)]
    with backend.client("anna") as anna:
        response = anna.get("/api/v1/ticket-ids", params={"tag": tag})
        hidden = backend.client("boris").get("/api/v1/ticket-ids", params={"tag": tag})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "data": [{"id": t["id"], "version": t["version"]} for t in created],
        "total": 3,
        "truncated": False,
    }
    assert hidden.json()["total"] == 0  # outside boris's queues


ESCALATION = {
    "component": "music", "severity": "major", "summary": "Login loops back to the sign-in page",
    "steps": "1. Sign in", "expected": "The account opens", "actual": "The sign-in page again",
    "set_status": None,
}


def _escalate(server: ServerHandle, ticket_id: int) -> str:
    with server.client("kate") as kate:
        created = kate.post(f"/api/v1/tickets/{ticket_id}/escalations", json=ESCALATION)
    assert created.status_code == 201, created.text
    key: str = created.json()["key"]
    return key


def _escalation(server: ServerHandle, key: str) -> dict[str, Any]:
    with server.client("kate") as kate:
        response = kate.get(f"/api/v1/escalations/{key}")
    assert response.status_code == 200, response.text
    escalation: dict[str, Any] = response.json()
    return escalation


def _linked_key(server: ServerHandle, ticket_id: int) -> str | None:
    escalation = _fresh(server, ticket_id)["escalation"]
    return None if escalation is None else str(escalation["key"])


def _merge(server: ServerHandle, tickets: list[dict[str, Any]]) -> dict[str, Any]:
    with server.client("kate") as kate:
        response = kate.post("/api/v1/ticket-merges",
                             json=_merge_body([_fresh(server, t["id"]) for t in tickets]))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_duplicates_escalation_link_moves_to_the_survivor(backend: ServerHandle) -> None:
    customer = _customer()
    survivor = _ticket_of(backend, customer, "I can't log in, it loops")
    duplicate = _ticket_of(backend, customer, "still looping on login")
    key = _escalate(backend, duplicate["id"])
    before = _escalation(backend, key)

    _merge(backend, [survivor, duplicate])

    assert _linked_key(backend, survivor["id"]) == key
    assert _linked_key(backend, duplicate["id"]) is None
    after = _escalation(backend, key)
    assert (after["linked_tickets"], after["affected_customers"]) == (
        before["linked_tickets"], before["affected_customers"])
    linked = [(e["ref"], e["actor"]["id"]) for e in _history(backend, survivor["id"])
              if e["kind"] == "escalation_linked"]
    assert linked == [(key, "kate")]
    unlinked = [e["ref"] for e in _history(backend, duplicate["id"]) if e["kind"] == "escalation_unlinked"]
    assert unlinked == [key]


def test_a_survivor_linked_elsewhere_keeps_its_escalation_and_the_note_says_so(backend: ServerHandle) -> None:
    customer = _customer()
    survivor = _ticket_of(backend, customer, "The app crashes at login")
    duplicate = _ticket_of(backend, customer, "The app crashes when I pay")
    survivors_key = _escalate(backend, survivor["id"])
    duplicates_key = _escalate(backend, duplicate["id"])

    _merge(backend, [survivor, duplicate])

    assert _linked_key(backend, survivor["id"]) == survivors_key
    assert _linked_key(backend, duplicate["id"]) == duplicates_key
    merge_note = _messages(backend, survivor["id"])[-1]
    assert merge_note["kind"] == "note"
    assert f"#{duplicate['id']} stays linked to {duplicates_key}" in merge_note["body"]
    assert f"keeps {survivors_key}" in merge_note["body"]
