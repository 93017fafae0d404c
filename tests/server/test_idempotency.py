"""Idempotency-Key on POST: replay, mismatch and in-flight, per caller."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread
import httpx
from fastapi import FastAPI
from server_helpers import all_pages, error_code, new_ticket_body

from conftest import ServerHandle
from supportdesk_tui.server.app import create_app
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.records import StoredEvent
from supportdesk_tui.server.seed import seed_base
from supportdesk_tui.server.store import Store, open_store


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
    store = open_store(tmp_path / "db.sqlite3")
    seed_base(store)
    token = "test-token-intake"
    intake = store.agent_by_login("intake")
    assert intake is not None
    with store.write() as tx:
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


# --- crashes and leases ------------------------------------------------------------


def keyed_world(path: Path) -> tuple[Store, dict[str, dict[str, str]]]:
    """A seeded store and the auth header of lena (a lead) and intake (the channel)."""
    store = open_store(path)
    seed_base(store)
    headers: dict[str, dict[str, str]] = {}
    for login in ("lena", "intake"):
        agent = store.agent_by_login(login)
        assert agent is not None
        token = f"test-token-{login}"
        with store.write() as tx:
            tx.add_token(agent.id, hash_token(token), datetime.now(UTC))
        headers[login] = {"Authorization": f"Bearer {token}"}
    return store, headers


def in_process(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def count_bodies(path: Path, body: str) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT count(*) FROM messages WHERE body = ?", (body,)).fetchone()[0])


async def test_a_note_committed_just_before_a_crash_is_replayed_after_restart_not_posted_twice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    dying, auth = keyed_world(path)
    frozen, thaw = threading.Event(), threading.Event()

    def die_after_commit(events: Sequence[StoredEvent]) -> None:
        # The server stops dead right after the note's commit: it never runs another line.
        if any(e.type == "message.created" and "last words" in e.data for e in events):
            frozen.set()
            thaw.wait(10)

    dying.add_commit_listener(die_after_commit)
    note = {"kind": "note", "body": "last words"}
    headers = {"Idempotency-Key": "sent-as-the-server-died", **auth["lena"]}
    lost: list[httpx.Response] = []
    async with in_process(create_app(dying, background=False, rate_limit=None)) as first:
        created = await first.post("/api/v1/tickets", json=new_ticket_body(), headers=auth["intake"])
        url = f"/api/v1/tickets/{created.json()['ticket_id']}/messages"

        async def send_and_lose_the_answer() -> None:
            lost.append(await first.post(url, json=note, headers=headers))

        async with anyio.create_task_group() as group:
            group.start_soon(send_and_lose_the_answer)
            assert await anyio.to_thread.run_sync(frozen.wait, 10)
            # A new server process on the same database; the client retries with the same key.
            restarted = open_store(path)
            async with in_process(create_app(restarted, background=False, rate_limit=None)) as second:
                retry = await second.post(url, json=note, headers=headers)
            thaw.set()  # only so the test can end: the dead process's thread finishes
    assert retry.status_code == 201, retry.text
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert count_bodies(path, "last words") == 1
    assert retry.json()["message"]["id"] == lost[0].json()["message"]["id"]
    restarted.close()
    dying.close()


async def test_a_retry_that_takes_over_an_expired_lease_is_the_only_one_that_writes(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store, auth = keyed_world(path)
    entered, release = threading.Event(), threading.Event()
    held: list[str] = []

    def hold_the_first_note(url_path: str) -> None:
        if url_path.endswith("/messages") and not held:
            held.append(url_path)
            entered.set()
            release.wait(10)

    app = create_app(
        store, post_hook=hold_the_first_note, background=False, rate_limit=None, idempotency_lease=0.2
    )
    note = {"kind": "note", "body": "written once"}
    headers = {"Idempotency-Key": "slow-then-retried", **auth["lena"]}
    stalled: list[httpx.Response] = []
    refusals: list[httpx.Response] = []
    async with in_process(app) as client:
        created = await client.post("/api/v1/tickets", json=new_ticket_body(), headers=auth["intake"])
        url = f"/api/v1/tickets/{created.json()['ticket_id']}/messages"

        async def stall() -> None:
            stalled.append(await client.post(url, json=note, headers=headers))

        async with anyio.create_task_group() as group:
            group.start_soon(stall)
            assert await anyio.to_thread.run_sync(entered.wait, 10)
            # The first attempt is stuck; once its lease is over, a retry takes the key over.
            taken_over = await client.post(url, json=note, headers=headers)
            for _ in range(200):
                if taken_over.status_code != 409:
                    break
                refusals.append(taken_over)
                await anyio.sleep(0.05)
                taken_over = await client.post(url, json=note, headers=headers)
            release.set()  # the stuck attempt wakes up and tries to write too
        replay = await client.post(url, json=note, headers=headers)
    assert taken_over.status_code == 201 and "Idempotent-Replayed" not in taken_over.headers
    assert all(r.headers.get("Retry-After", "").isdigit() for r in refusals)
    assert stalled[0].status_code == 409 and error_code(stalled[0]) == "idempotency_in_flight"
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["message"]["id"] == taken_over.json()["message"]["id"]
    assert count_bodies(path, "written once") == 1
    store.close()
