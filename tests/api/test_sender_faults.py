"""The sending layer under a misbehaving server: nothing lost, retried with the same key, 429 honoured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.domain.drafts import Draft, DraftKind, DraftStore
from supportdesk_tui.domain.outbox import Outbox
from supportdesk_tui.sending import Queued, Sender

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
POSTED = {
    "message": {"id": 5, "ticket_id": 7, "kind": "reply", "body": "hello",
                "author": {"type": "agent", "id": "anna", "name": "Anna"}, "created_at": NOW.isoformat()},
    "ticket": {"id": 7, "version": 2, "subject": "s", "status": "open", "priority": "normal",
               "queue": "access",
               "language": "en", "category": "password", "tags": [],
               "requester": {"account_id": "id1", "name": "Ivan", "language": "en"},
               "created_at": NOW.isoformat(), "updated_at": NOW.isoformat(), "sla": {}},
}


def sender_for(tmp_path: Path, handler: Callable[[httpx.Request], httpx.Response]) -> Sender:
    api = SupportDeskClient("http://backend.test", "t", transport=httpx.MockTransport(handler),
                            retries=1, retry_base_delay=0.001)
    drafts = DraftStore(tmp_path / "drafts")
    drafts.save(7, Draft(7, "hello"))
    return Sender(api, Outbox(tmp_path / "outbox.json"), drafts, lambda: NOW)


async def test_a_500_keeps_the_reply_queued_and_the_retry_reuses_its_key(tmp_path: Path) -> None:
    keys: list[str] = []
    healthy = False

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(201, json=POSTED) if healthy else httpx.Response(500)

    sender = sender_for(tmp_path, handler)
    result = await sender.send(7, DraftKind.REPLY, "hello", status_after=None, seen_up_to=None)
    assert isinstance(result, Queued)
    assert sender.waiting == 1
    # Survives a restart: a new outbox on the same file still holds it.
    assert len(Outbox(tmp_path / "outbox.json")) == 1
    healthy = True
    sender.clock = lambda: NOW + timedelta(minutes=5)
    landed = await sender.flush_due()
    assert [p.message.id for p in landed] == [5]
    assert len(set(keys)) == 1  # every attempt carried the same Idempotency-Key
    assert sender.waiting == 0


async def test_429_retry_after_sets_when_the_queued_reply_is_tried_again(tmp_path: Path) -> None:
    sender = sender_for(tmp_path, lambda r: httpx.Response(
        429, headers={"Retry-After": "90"}, json={"error": {"code": "rate_limited", "message": "slow"}}))
    result = await sender.send(7, DraftKind.REPLY, "hello", status_after=None, seen_up_to=None)
    assert isinstance(result, Queued)
    (item,) = sender.outbox.items()
    assert item.next_attempt_at >= NOW + timedelta(seconds=90)
    assert sender.outbox.due(NOW + timedelta(seconds=30)) == []


async def test_a_malformed_answer_queues_the_reply_instead_of_losing_it(tmp_path: Path) -> None:
    sender = sender_for(tmp_path, lambda r: httpx.Response(201, content=b"<html>oops"))
    result = await sender.send(7, DraftKind.REPLY, "hello", status_after=None, seen_up_to=None)
    assert isinstance(result, Queued)
    assert [i.body for i in sender.outbox.items()] == ["hello"]


async def test_a_refused_reply_is_not_queued_and_its_draft_is_kept(tmp_path: Path) -> None:
    sender = sender_for(tmp_path, lambda r: httpx.Response(
        422, json={"error": {"code": "validation_error", "message": "body too long"}}))
    try:
        await sender.send(7, DraftKind.REPLY, "hello", status_after=None, seen_up_to=None)
    except Exception as exc:
        assert "body too long" in str(exc)
    else:
        raise AssertionError("a refused reply must raise so the agent sees why")
    assert len(sender.outbox) == 0
    assert sender.drafts.load(7) is not None


def raising(error: type[httpx.TransportError], text: str) -> Callable[[httpx.Request], httpx.Response]:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error(text, request=request)

    return fail


async def test_a_reply_sent_as_the_server_died_is_retried_with_its_key_until_answered(tmp_path: Path) -> None:
    """Every way a dying or restarting server can fail to answer keeps the reply queued under the
    same key; the wait after a 409 in-flight is the server's Retry-After (its lease), not a guess."""
    in_flight = {"error": {"code": "idempotency_in_flight", "message": "still running", "details": None}}
    faults: list[Callable[[httpx.Request], httpx.Response]] = [
        raising(httpx.ConnectError, "connection refused"),
        raising(httpx.ReadTimeout, "no answer"),
        raising(httpx.RemoteProtocolError, "peer closed the connection mid-body"),
        lambda r: httpx.Response(503, content=b"<html>restarting</html>"),
        lambda r: httpx.Response(409, headers={"Retry-After": "25"}, json=in_flight),
        lambda r: httpx.Response(201, headers={"Idempotent-Replayed": "true"}, json=POSTED),
    ]
    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        return faults[len(keys) - 1](request)

    api = SupportDeskClient("http://backend.test", "t", transport=httpx.MockTransport(handler), retries=0)
    now = NOW
    sender = Sender(api, Outbox(tmp_path / "outbox.json"), DraftStore(tmp_path / "drafts"), lambda: now)
    first = await sender.send(7, DraftKind.REPLY, "hello", status_after=None, seen_up_to=None)
    assert isinstance(first, Queued)
    landed: list[object] = []
    while not landed:
        assert len(keys) < len(faults), "the reply was given up on"
        (item,) = sender.outbox.items()
        if len(keys) == 5:  # the last answer was the 409: the lease ends in 25 s
            assert item.next_attempt_at == now + timedelta(seconds=25)
        now = item.next_attempt_at
        landed = list(await sender.flush_due())
    assert len(keys) == len(faults) and len(set(keys)) == 1
    assert len(sender.outbox) == 0
