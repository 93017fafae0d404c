"""A reply the contract refuses never reaches the outbox, and never ends the app with a traceback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.api.errors import ValidationFailed
from supportdesk_tui.domain.drafts import Draft, DraftKind, DraftStore
from supportdesk_tui.domain.limits import MESSAGE_BODY_MAX
from supportdesk_tui.domain.outbox import Outbox, OutboxItem, OutboxState
from supportdesk_tui.sending import Sender

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def requests() -> list[httpx.Request]:
    return []


@pytest.fixture
def sender(tmp_path: Path, requests: list[httpx.Request]) -> Sender:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500)

    api = SupportDeskClient("http://backend.test", "t", transport=httpx.MockTransport(handler), retries=0)
    drafts = DraftStore(tmp_path / "drafts")
    drafts.save(7, Draft(7, "long"))
    return Sender(api, Outbox(tmp_path / "outbox.json"), drafts, lambda: NOW)


async def test_a_reply_over_the_limit_is_refused_before_it_is_queued_or_sent(
        sender: Sender, requests: list[httpx.Request]) -> None:
    with pytest.raises(ValidationFailed, match="at most 20000 characters"):
        await sender.send(7, DraftKind.REPLY, "x" * (MESSAGE_BODY_MAX + 1), status_after=None,
                          seen_up_to=None)
    assert len(sender.outbox) == 0 and requests == []
    assert sender.drafts.load(7) is not None


async def test_an_oversized_item_left_by_an_older_version_is_parked_with_a_reason(
        sender: Sender, requests: list[httpx.Request]) -> None:
    # What the crash in issue 13 left on disk: a pending item the contract refuses.
    item = sender.outbox.add(OutboxItem.new(7, DraftKind.REPLY, "y" * 200_000, now=NOW))
    assert await sender.flush_due() == []
    parked = sender.outbox.get(item.id)
    assert parked is not None and parked.state is OutboxState.FAILED
    assert parked.last_error is not None and "at most 20000 characters" in parked.last_error
    assert "pydantic" not in parked.last_error and requests == []
