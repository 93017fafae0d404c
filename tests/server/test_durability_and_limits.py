"""Data survives kill -9; floods get 429; big queues page to the end."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from server_helpers import EventStream, all_pages, error_code, new_ticket_body

from conftest import ServerFactory, ServerHandle
from waiting import poll_until


def test_tickets_and_events_survive_kill_9_and_restart(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    with server.client("intake") as intake:
        ticket = intake.post("/api/v1/tickets", json=new_ticket_body(), headers=key).json()  # a receipt
    url = f"/api/v1/tickets/{ticket['ticket_id']}"
    with server.client("anna") as anna:
        reply = anna.post(f"{url}/messages", json={"kind": "reply", "body": "Kept"})
        assert reply.status_code == 201
    server.kill()
    server.restart()
    with server.client("anna") as anna:
        again = anna.get(url)
        messages = anna.get(f"{url}/messages").json()["data"]
    assert again.status_code == 200 and again.json()["message_count"] == 2
    assert [m["body"] for m in messages][-1] == "Kept"
    with server.client("intake") as intake:
        replayed = intake.post("/api/v1/tickets", json=new_ticket_body(), headers=key)
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.json() == ticket
    with EventStream(server.url, server.token("anna"), last_event_id=0) as stream:
        event, _ = stream.until(
            lambda e: e["event"] == "message.created" and e["data"]["message"]["body"] == "Kept"
        )
    assert event["data"]["ticket_id"] == ticket["ticket_id"]


def test_a_flood_from_one_token_gets_429_with_retry_after(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False, rate_limit=0.5, rate_burst=3)
    with server.client("anna") as anna, server.client("kate") as kate:
        statuses = [anna.get("/api/v1/me") for _ in range(6)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited, [r.status_code for r in statuses]
        assert int(limited[0].headers["Retry-After"]) >= 1
        assert error_code(limited[0]) == "rate_limited"
        assert kate.get("/api/v1/me").status_code == 200
        assert kate.get("/api/v1/health").status_code == 200


@pytest.mark.timeout(120)
@pytest.mark.runs_long
def test_a_ten_thousand_ticket_backlog_pages_to_the_end(backlog_server: ServerHandle) -> None:
    server = backlog_server
    with server.client("lena") as lena:
        everything = all_pages(lena, "/api/v1/tickets", {"page[size]": 200})
        ids = [t["id"] for t in everything]
        assert len(ids) == len(set(ids)) == 10_000
        biggest = max(lena.get("/api/v1/queues").json()["data"], key=lambda q: q["counts"]["open"])
        newest_first = all_pages(
            lena,
            "/api/v1/tickets",
            {
                "page[size]": 200,
                "queue": biggest["id"],
                "sort": "-created_at",
                "status": "new,open,pending,on_hold",
            },
        )
    assert len(newest_first) == biggest["counts"]["open"]
    stamps = [(datetime.fromisoformat(t["created_at"]), t["id"]) for t in newest_first]
    assert stamps == sorted(stamps, reverse=True)
    last = lena_last_page(server.url, server.token("lena"))
    assert last["meta"]["has_more"] is False and last["links"]["next"] is None


def lena_last_page(url: str, token: str) -> dict[str, object]:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        page = client.get("/api/v1/tickets", params={"page[size]": 200, "sort": "priority"}).json()
        while page["links"]["next"]:
            page = client.get(page["links"]["next"]).json()
    result: dict[str, object] = page
    return result


def test_a_simulated_server_keeps_receiving_tickets(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False, simulate=25)
    with server.client("lena") as lena:

        def arrivals() -> int:
            return len(lena.get("/api/v1/tickets", params={"page[size]": 200}).json()["data"])

        assert poll_until(lambda: arrivals() >= 5, timeout=20)
