"""Idempotency-Key on POST: replay, mismatch and in-flight, per caller."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import anyio.to_thread
import httpx
from server_helpers import all_pages, error_code, new_ticket_body

from conftest import ServerHandle
from supportdesk_tui.server.app import create_app
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.seed import seed_base
from supportdesk_tui.server.store import Store


def test_same_key_and_body_replays_the_first_response(backend: ServerHandle) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    subject = f"idempotent {uuid.uuid4().hex}"
    body = new_ticket_body(subject=subject)
    with backend.client("intake") as client:
        first = client.post("/api/v1/tickets", json=body, headers=key)
        again = client.post("/api/v1/tickets", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with backend.client("lena") as lena:
        assert len(all_pages(lena, "/api/v1/tickets", {"q": subject})) == 1


def test_same_key_with_another_body_is_a_mismatch(backend: ServerHandle) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    with backend.client("intake") as client:
        assert client.post("/api/v1/tickets", json=new_ticket_body(), headers=key).status_code == 201
        other = client.post("/api/v1/tickets", json=new_ticket_body(subject="different"), headers=key)
    assert other.status_code == 422 and error_code(other) == "idempotency_mismatch"


def test_keys_belong_to_one_caller(backend: ServerHandle) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = new_ticket_body()
    with backend.client("intake") as intake, backend.client("anna") as anna:
        first = intake.post("/api/v1/tickets", json=body, headers=key)
        theirs = anna.post("/api/v1/tickets", json=body, headers=key)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != first.json()["ticket_id"]


def test_a_replayed_message_post_does_not_post_twice(backend: ServerHandle) -> None:
    with backend.client("intake") as intake:
        ticket = intake.post("/api/v1/tickets", json=new_ticket_body()).json()
    url = f"/api/v1/tickets/{ticket['ticket_id']}/messages"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    with backend.client("anna") as anna:
        first = anna.post(url, json={"kind": "reply", "body": "Once"}, headers=key)
        again = anna.post(url, json={"kind": "reply", "body": "Once"}, headers=key)
        messages = anna.get(url).json()["data"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert [m["body"] for m in messages].count("Once") == 1


def test_an_overlong_key_is_rejected(backend: ServerHandle) -> None:
    with backend.client("intake") as client:
        response = client.post(
            "/api/v1/tickets", json=new_ticket_body(), headers={"Idempotency-Key": "k" * 201}
        )
    assert response.status_code == 422


async def test_a_key_still_being_processed_is_a_conflict(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    seed_base(store)
    token = "test-token-intake"
    intake = store.agent_by_login("intake")
    assert intake is not None
    with store.write() as tx:
        from datetime import UTC, datetime

        tx.add_token(intake.id, hash_token(token), datetime.now(UTC))
    entered, release = threading.Event(), threading.Event()

    def hold(path: str) -> None:
        entered.set()
        release.wait(10)

    app = create_app(store, post_hook=hold, background=False, rate_limit=None)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "slow-one"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as client:
        async with anyio.create_task_group() as group:
            results: list[httpx.Response] = []

            async def first() -> None:
                results.append(await client.post("/api/v1/tickets", json=new_ticket_body()))

            group.start_soon(first)
            await anyio.to_thread.run_sync(entered.wait, 10)
            during = await client.post("/api/v1/tickets", json=new_ticket_body())
            release.set()
        after = await client.post("/api/v1/tickets", json=new_ticket_body())
    assert during.status_code == 409 and error_code(during) == "idempotency_in_flight"
    assert results[0].status_code == 201
    assert after.status_code == 201 and after.headers["Idempotent-Replayed"] == "true"
    assert after.json() == results[0].json()
    store.close()
