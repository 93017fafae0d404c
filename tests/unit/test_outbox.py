"""Replies that could not be sent wait in the outbox and go out exactly once."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supportdesk_tui.contract.models import Status
from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import (
    Outbox,
    OutboxItem,
    OutboxState,
    backoff_delay,
    flush,
)

T0 = datetime(2026, 11, 26, 9, 14, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Transient(Exception):
    def __init__(self, message: str = "connection reset", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Refused(Exception):
    pass


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, Transient)


def retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, Transient) else None


class Server:
    """Records what was posted and fails on cue."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, int, str]] = []
        self.failures: list[Exception] = []

    async def send(self, item: OutboxItem) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.posted.append((item.id, item.ticket_id, item.body))


def new_item(ticket_id: int = 1, body: str = "Здравствуйте!", at: datetime = T0) -> OutboxItem:
    return OutboxItem.new(ticket_id, DraftKind.REPLY, body, now=at, status_after=Status.PENDING, seen_up_to=3)


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "state" / "outbox.json", rng=random.Random(7))


async def flush_now(outbox: Outbox, server: Server, clock: Clock) -> list[str]:
    result = await flush(outbox, server.send, clock, is_retryable=is_retryable, retry_after=retry_after)
    return result.sent


def test_queued_reply_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    item = Outbox(path).add(new_item())
    reopened = Outbox(path)
    assert reopened.items() == [item]
    assert len(reopened) == 1
    assert item.status_after is Status.PENDING
    assert len(item.id) == 36


async def test_agent_reply_is_sent_with_its_idempotency_key_and_removed(outbox: Outbox) -> None:
    item = outbox.add(new_item())
    server = Server()
    assert await flush_now(outbox, server, Clock()) == [item.id]
    assert server.posted == [(item.id, 1, "Здравствуйте!")]
    assert len(outbox) == 0


async def test_network_failure_keeps_the_reply_and_backs_off(outbox: Outbox) -> None:
    item = outbox.add(new_item())
    server, clock = Server(), Clock()
    server.failures.append(Transient())
    result = await flush(outbox, server.send, clock, is_retryable=is_retryable)
    assert result.retrying == [item.id]
    kept = outbox.get(item.id)
    assert kept is not None
    assert kept.attempts == 1
    assert kept.last_error == "connection reset"
    assert T0 <= kept.next_attempt_at <= T0 + timedelta(seconds=1)
    clock.now = kept.next_attempt_at - timedelta(microseconds=1)
    assert outbox.due(clock.now) == []
    clock.now = kept.next_attempt_at
    assert await flush_now(outbox, server, clock) == [item.id]
    assert [p[0] for p in server.posted] == [item.id]  # same key on the resend


async def test_server_retry_after_is_honoured(outbox: Outbox) -> None:
    item = outbox.add(new_item())
    server = Server()
    server.failures.append(Transient("rate limited", retry_after=42))
    await flush_now(outbox, server, Clock())
    kept = outbox.get(item.id)
    assert kept is not None
    assert kept.next_attempt_at == T0 + timedelta(seconds=42)


async def test_refused_reply_is_parked_not_dropped_nor_resent(outbox: Outbox) -> None:
    item = outbox.add(new_item())
    server, clock = Server(), Clock()
    server.failures.append(Refused("new activity on the ticket"))
    result = await flush(outbox, server.send, clock, is_retryable=is_retryable)
    assert result.failed == [item.id]
    parked = outbox.get(item.id)
    assert parked is not None
    assert parked.state is OutboxState.FAILED
    assert parked.last_error == "new activity on the ticket"
    clock.now += timedelta(days=1)
    assert (await flush(outbox, server.send, clock, is_retryable=is_retryable)).nothing_happened
    assert server.posted == []
    outbox.requeue(item.id, clock.now, seen_up_to=9)
    assert await flush_now(outbox, server, clock) == [item.id]


async def test_replies_to_one_ticket_go_out_in_order(outbox: Outbox) -> None:
    first = outbox.add(new_item(1, "first"))
    second = outbox.add(new_item(1, "second", at=T0 + timedelta(seconds=1)))
    other = outbox.add(new_item(2, "other", at=T0 + timedelta(seconds=2)))
    server, clock = Server(), Clock()
    clock.now = T0 + timedelta(seconds=5)
    server.failures.append(Transient())
    result = await flush(outbox, server.send, clock, is_retryable=is_retryable)
    assert result.retrying == [first.id]
    assert result.sent == [other.id]  # another ticket is not held up
    assert outbox.get(second.id) is not None
    clock.now += timedelta(minutes=2)
    assert await flush_now(outbox, server, clock) == [first.id, second.id]
    assert [body for _, _, body in server.posted] == ["other", "first", "second"]


async def test_a_parked_reply_holds_back_later_replies_to_that_ticket(outbox: Outbox) -> None:
    outbox.add(new_item(1, "first"))
    later = outbox.add(new_item(1, "second", at=T0 + timedelta(seconds=1)))
    server, clock = Server(), Clock()
    clock.now = T0 + timedelta(seconds=5)
    server.failures.append(Refused("422"))
    await flush_now(outbox, server, clock)
    assert outbox.due(clock.now) == []
    assert outbox.get(later.id) is not None


async def test_cancelled_flush_keeps_the_reply_for_a_resend(outbox: Outbox) -> None:
    import asyncio

    item = outbox.add(new_item())

    async def hang(_: OutboxItem) -> None:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await flush(outbox, hang, Clock(), is_retryable=is_retryable)
    assert outbox.get(item.id) == item


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (500, 60)]:
        delays = [backoff_delay(attempt, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8
    assert backoff_delay(3, random.Random(5)) == backoff_delay(3, random.Random(5))


def test_corrupt_outbox_is_kept_aside_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps({"format": 1, "items": [{"id": "nope"}]}))
    outbox = Outbox(path)
    assert len(outbox) == 0
    [warning] = outbox.pop_warnings()
    assert warning.moved_to == tmp_path / "outbox.json.corrupt"
    outbox.add(new_item())
    assert len(Outbox(path)) == 1


def test_duplicate_keys_and_unknown_ids(outbox: Outbox) -> None:
    item = outbox.add(new_item())
    with pytest.raises(ValueError):
        outbox.add(item)
    assert outbox.remove("unknown") is None
    assert list(outbox) == [item]


async def test_a_reply_whose_first_attempt_is_out_is_not_sent_again_by_the_retry_loop(outbox: Outbox) -> None:
    first_attempt_out = outbox.add(new_item())
    waiting = outbox.add(new_item(ticket_id=2))
    server = Server()
    sending = {first_attempt_out.id}
    result = await flush(outbox, server.send, Clock(), is_retryable=lambda _exc: True, in_flight=sending)
    assert [posted[0] for posted in server.posted] == [waiting.id]
    assert outbox.get(first_attempt_out.id) is not None, "left to its own attempt"
    assert result.retrying == []
