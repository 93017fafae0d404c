"""Open event streams follow their token's permissions as they change: re-scoped, revoked.

Tokens are changed the way an administrator does it, with `supportdesk token …` in another
process on the live server's database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from server_helpers import EventStream, error_code, intake_creates, new_ticket_body

from conftest import ServerHandle
from supportdesk_tui.server.api_events import REPLAY_BATCH, _stream
from supportdesk_tui.server.auth import hash_token
from supportdesk_tui.server.events import EventBus
from supportdesk_tui.server.seed import seed_base
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.store import open_store
from supportdesk_tui.server.token_admin import create_token


def supportdesk_token(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`supportdesk token …` as a separate process, as an administrator would run it."""
    return subprocess.run(
        [sys.executable, "-m", "supportdesk_tui", "token", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )


def _create(server: ServerHandle, category: str, subject: str) -> dict[str, Any]:
    return intake_creates(server, new_ticket_body(category=category, subject=subject))


def _customer_writes(server: ServerHandle, ticket_id: int, body: str) -> None:
    with server.client("intake") as client:
        url = f"/api/v1/tickets/{ticket_id}/messages"
        response = client.post(url, json={"kind": "customer", "body": body})
    assert response.status_code == 201, response.text


def _queues_of(event: dict[str, Any]) -> set[str]:
    data = event["data"]
    if event["event"] == "queue.counts":
        return {q["id"] for q in data["queues"]}
    return {data["queue"]} if "queue" in data else set()


def test_a_re_scoped_agents_open_stream_stops_carrying_its_old_queues(backend: ServerHandle) -> None:
    token = backend.new_token("stream-mover", "agent", ["access"])
    with EventStream(backend.url, token) as stream, EventStream(backend.url, backend.token("lena")) as lead:
        old = _create(backend, "password", "permissions: in the queue the agent is leaving")
        stream.until(lambda e: e["event"] == "message.created" and e["data"]["ticket_id"] == old["id"])

        moved = supportdesk_token("create", "--db", str(backend.db_path), "--agent", "stream-mover",
                                  "--queues", "payments")
        assert moved.returncode == 0, moved.stderr
        _customer_writes(backend, old["id"], "permissions: a secret the agent may no longer read")
        # Events committed before the re-scope (periodic queue counts) may still be on their way;
        # everything from the secret's own event on must be judged by the new queues.
        secret, _ = lead.until(
            lambda e: e["event"] == "message.created" and "may no longer read" in str(e["data"])
        )
        marker = _create(backend, "payment", "permissions: in the agent's new queue")

        def arrived(event: dict[str, Any]) -> bool:
            # Checked as each event arrives: the old queue leaking fails at once, not on a timeout.
            if int(event["id"]) >= int(secret["id"]):
                assert "access" not in _queues_of(event), event
            assert "may no longer read" not in str(event["data"]), event
            return event["event"] == "ticket.created" and event["data"]["id"] == marker["id"]

        stream.until(arrived)

    with backend.client() as client:
        ticket = client.get(f"/api/v1/tickets/{old['id']}", headers={"Authorization": f"Bearer {token}"})
    assert ticket.status_code == 404


def test_a_revoked_tokens_stream_ends_and_its_requests_get_401(backend: ServerHandle) -> None:
    token = backend.new_token("stream-revoked", "agent", ["access"])
    kept = create_token(backend.db_path, "stream-revoked", None, None)  # a second device of the agent
    with EventStream(backend.url, token) as stream:
        before = _create(backend, "password", "permissions: before the revocation")
        stream.until(lambda e: e["event"] == "ticket.created" and e["data"]["id"] == before["id"])

        revoked = supportdesk_token("revoke", "--db", str(backend.db_path), "-", stdin=token + "\n")
        assert revoked.returncode == 0, revoked.stderr
        assert revoked.stdout.startswith("revoked token ") and "stream-revoked" in revoked.stdout
        after = _create(backend, "password", "permissions: after the revocation")

        received: list[dict[str, Any]] = []
        with pytest.raises(EOFError):
            while True:
                received.append(stream.next())
    assert all(e["data"].get("id") != after["id"] for e in received), received

    with backend.client() as client:
        refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        still = client.get("/api/v1/me", headers={"Authorization": f"Bearer {kept}"})
    assert refused.status_code == 401 and error_code(refused) == "unauthorized"
    assert still.status_code == 200  # only the named token was revoked


def test_token_list_names_tokens_without_showing_them(backend: ServerHandle) -> None:
    token = backend.new_token("listed-agent", "agent", ["access", "hacked"])
    secret_hash = hash_token(token)
    supportdesk_token("revoke", "--db", str(backend.db_path), "--id", secret_hash[:12])

    listed = supportdesk_token("list", "--db", str(backend.db_path), "--agent", "listed-agent")

    assert listed.returncode == 0, listed.stderr
    assert token not in listed.stdout and token[4:20] not in listed.stdout
    assert secret_hash not in listed.stdout and secret_hash[:13] not in listed.stdout
    header, row = listed.stdout.strip().splitlines()
    assert header.split() == ["ID", "AGENT", "ROLE", "QUEUES", "CREATED", "REVOKED"]
    assert row.split()[:4] == [secret_hash[:12], "listed-agent", "agent", "access,hacked"]
    assert row.split()[-1] != "-"  # the revocation time is on record
    active = supportdesk_token("list", "--db", str(backend.db_path), "--agent", "listed-agent", "--active")
    assert [line.split() for line in active.stdout.strip().splitlines()] == [header.split()]


def test_revoking_an_unknown_token_says_so_and_exits_2(backend: ServerHandle, tmp_path: Path) -> None:
    unknown = supportdesk_token("revoke", "--db", str(backend.db_path), "sdt_not-a-token-of-this-server")
    assert unknown.returncode == 2
    assert "no such token" in unknown.stderr and "nothing revoked" in unknown.stderr
    assert unknown.stdout == ""

    nobody = supportdesk_token("revoke", "--db", str(backend.db_path), "--agent", "no-such-login")
    assert nobody.returncode == 2 and "no agent" in nobody.stderr

    typo = supportdesk_token("list", "--db", str(tmp_path / "typo.sqlite3"))
    assert typo.returncode == 2 and "no database" in typo.stderr
    assert not (tmp_path / "typo.sqlite3").exists()


async def test_a_stream_replaying_the_backlog_narrows_when_its_agent_is_re_scoped(tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "server.sqlite3"
    store = open_store(db)
    seed_base(store)
    token = create_token(db, "replayer", "agent", ["access"])
    now = datetime.now(UTC)
    with store.write() as tx:  # two replay batches in the old queue, then one in the new
        for n in range(2 * REPLAY_BATCH):
            tx.event("ticket.updated", "access", {"queue": "access", "n": n}, now)
        tx.event("ticket.updated", "payments", {"queue": "payments", "n": 0}, now)
    bus = EventBus(auth_epoch=store.auth_epoch)
    bus.attach(asyncio.get_running_loop())
    stream = _stream(Service(store), bus, hash_token(token), 0)
    try:
        assert await anext(stream) == b": connected\n\n"
        first = await anext(stream)
        assert first.count(b"event: ticket.updated") == REPLAY_BATCH

        create_token(db, "replayer", None, ["payments"])  # re-scoped between two batches

        rest = await anext(stream)
    finally:
        await stream.aclose()
        bus.detach()
        store.close()
    assert rest.count(b"event: ticket.updated") == 1 and b'"queue":"payments"' in rest
