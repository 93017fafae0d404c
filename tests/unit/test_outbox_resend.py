"""What the agent can do with a refused reply: resend it with the key that cannot post it twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supportdesk_tui.domain.drafts import DraftKind
from supportdesk_tui.domain.outbox import Outbox, OutboxItem, OutboxState, flush

T0 = datetime(2026, 11, 26, 9, 14, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)


class Refused(Exception):
    def __init__(self, message: str, status: int | None) -> None:
        super().__init__(message)
        self.status = status


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.json")


def parked(outbox: Outbox, status: int | None) -> OutboxItem:
    item = outbox.add(OutboxItem.new(4, DraftKind.REPLY, "Мы разблокировали страницу.", now=T0))
    outbox.mark_failed(item.id, "Server unreachable", T0)  # the first try's answer was lost
    return outbox.mark_rejected(item.id, "Not found: ticket #4", status=status)


async def test_a_refusal_from_the_server_is_kept_with_its_status_across_a_restart(outbox: Outbox) -> None:
    item = outbox.add(OutboxItem.new(4, DraftKind.REPLY, "Здравствуйте", now=T0))

    async def refuse(_item: OutboxItem) -> None:
        raise Refused("Not allowed: the ticket moved to another queue", 403)

    result = await flush(outbox, refuse, lambda: T0, is_retryable=lambda _exc: False)
    assert result.failed == [item.id]
    again = Outbox(outbox.path)
    [kept] = again.failed()
    assert (kept.id, kept.refused_status, kept.last_error) == (
        item.id, 403, "Not allowed: the ticket moved to another queue")


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_resending_a_refusal_the_server_replays_for_its_key_takes_a_fresh_key(
        outbox: Outbox, status: int) -> None:
    item = parked(outbox, status)
    fresh = outbox.resend(item.id, LATER)
    assert fresh.id != item.id, "the same key would only get the stored refusal back for 24 h"
    assert (fresh.state, fresh.next_attempt_at, fresh.body, fresh.created_at) == (
        OutboxState.PENDING, LATER, item.body, item.created_at)
    assert outbox.get(item.id) is None and len(outbox) == 1
    assert [i.id for i in outbox.due(LATER)] == [fresh.id]
    assert [i.id for i in Outbox(outbox.path)] == [fresh.id]  # saved


@pytest.mark.parametrize("status", [None, 401, 409, 412, 413])
def test_resending_when_an_earlier_try_may_have_landed_keeps_the_key(
        outbox: Outbox, status: int | None) -> None:
    item = parked(outbox, status)
    again = outbox.resend(item.id, LATER)
    assert again.id == item.id, "only the same key lets the server replay instead of posting twice"
    assert again.state is OutboxState.PENDING and again.next_attempt_at == LATER


def test_resending_a_waiting_reply_sends_it_now_with_the_same_key(outbox: Outbox) -> None:
    item = outbox.add(OutboxItem.new(4, DraftKind.NOTE, "note", now=T0))
    waiting = outbox.mark_failed(item.id, "Server unreachable", T0, retry_after=600)
    assert outbox.due(LATER) == []
    now = outbox.resend(waiting.id, LATER)
    assert now.id == item.id and [i.id for i in outbox.due(LATER)] == [item.id]


def test_an_outbox_written_before_refusals_had_a_status_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    item = OutboxItem.new(4, DraftKind.REPLY, "old", now=T0)
    old = item.to_json()
    del old["refused_status"]
    old["state"] = "failed"
    path.write_text(json.dumps({"format": 1, "items": [old]}), encoding="utf-8")
    outbox = Outbox(path)
    assert [(i.id, i.refused_status) for i in outbox.failed()] == [(item.id, None)]
    assert outbox.pop_warnings() == []
