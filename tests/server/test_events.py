"""The event stream: live delivery, resume with Last-Event-ID, reset, keep-alive and per-queue filtering."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from server_helpers import EventStream, intake_creates, new_ticket_body

from conftest import ServerFactory, ServerHandle
from supportdesk_tui.server.events import EventBus
from supportdesk_tui.server.records import StoredEvent
from supportdesk_tui.server.store import open_store


def _create(server: ServerHandle, category: str, subject: str) -> dict[str, object]:
    return intake_creates(server, new_ticket_body(category=category, subject=subject))


def _is_created(ticket_id: object) -> object:
    return lambda e: e["event"] == "ticket.created" and e["data"]["id"] == ticket_id


def test_agent_receives_changes_in_own_queues_and_nothing_from_others(backend: ServerHandle) -> None:
    with EventStream(backend.url, backend.token("anna")) as stream:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        first = _create(backend, "password", "events: first access ticket")
        _create(backend, "payment", "events: payments ticket anna must not see")
        last = _create(backend, "password", "events: second access ticket")
        created, _ = stream.until(_is_created(first["id"]))
        assert created["data"]["queue"] == "access"
        message, _ = stream.until(lambda e: e["event"] == "message.created")
        assert message["data"]["ticket_id"] == first["id"] and message["data"]["queue"] == "access"
        _, between = stream.until(_is_created(last["id"]))
    assert all(e["data"].get("queue", "access") in ("access", "hacked", "deletion") for e in between)
    assert not any(e["event"].startswith("ticket.") and e["data"]["queue"] == "payments" for e in between)
    assert created["id"] < message["id"]


def test_reconnecting_with_last_event_id_replays_exactly_the_missed_events(backend: ServerHandle) -> None:
    with EventStream(backend.url, backend.token("kate")) as stream:
        marker = _create(backend, "music", "events: before the disconnect")
        seen, _ = stream.until(
            lambda e: e["event"] == "message.created" and e["data"]["ticket_id"] == marker["id"]
        )
        resume_from = seen["id"]
    missed = [_create(backend, "music", f"events: missed {n}")["id"] for n in range(3)]
    after = _create(backend, "music", "events: the last one")
    with EventStream(backend.url, backend.token("kate"), last_event_id=resume_from) as stream:
        _, replayed = stream.until(_is_created(after["id"]))
    ids = [e["id"] for e in replayed]
    assert ids == sorted(set(ids)) and ids[0] > resume_from
    created = [e["data"]["id"] for e in replayed if e["event"] == "ticket.created"]
    assert created == missed
    messages = [e["data"]["ticket_id"] for e in replayed if e["event"] == "message.created"]
    assert messages == missed


def test_last_event_id_also_works_as_a_query_parameter(backend: ServerHandle) -> None:
    with EventStream(backend.url, backend.token("lena")) as stream:
        marker = _create(backend, "video", "events: query marker")
        seen, _ = stream.until(_is_created(marker["id"]))
    missed = _create(backend, "video", "events: query missed")
    with EventStream(backend.url, backend.token("lena"), last_event_id=seen["id"], query_id=True) as stream:
        replayed, _ = stream.until(lambda e: e["event"] == "ticket.created")
    assert replayed["data"]["id"] == missed["id"]


def test_an_unknown_event_id_gets_a_reset(backend: ServerHandle) -> None:
    with EventStream(backend.url, backend.token("anna"), last_event_id=10**12) as stream:
        event = stream.next()
    assert event["event"] == "reset" and event["data"] == {}


@pytest.mark.runs_long
def test_an_event_id_older_than_the_kept_window_gets_a_reset(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False)
    store = open_store(server.db_path)  # a second writer on the same database, as an old backlog
    try:
        with store.write() as tx:
            for n in range(10_050):
                tx.event("ticket.updated", "nowhere", {"n": n}, store_now())
    finally:
        store.close()
    with EventStream(server.url, server.token("lena"), last_event_id=1) as stream:
        event = stream.next()
    assert event["event"] == "reset"
    with EventStream(server.url, server.token("lena"), last_event_id=10_040) as stream:
        replayed = stream.next()
    assert replayed["event"] == "ticket.updated" and replayed["id"] == 10_041


def store_now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_an_idle_stream_gets_keep_alive_comments(server_factory: ServerFactory) -> None:
    server = server_factory(demo=False, keepalive=0.2)
    with EventStream(server.url, server.token("anna")) as stream:
        assert stream.next_comment() == "keep-alive"


def test_queue_counts_are_pushed_for_visible_queues_only(backend: ServerHandle) -> None:
    with EventStream(backend.url, backend.token("boris")) as stream:
        _create(backend, "payment", "events: counts change")
        counts, _ = stream.until(lambda e: e["event"] == "queue.counts")
    queues = {q["id"] for q in counts["data"]["queues"]}
    assert queues and queues <= {"payments", "bugs-music", "bugs-messages", "bugs-video"}


def test_intake_may_not_listen(backend: ServerHandle) -> None:
    with httpx.Client(base_url=backend.url, headers=backend.headers("intake")) as client:
        assert client.get("/api/v1/events").status_code == 403


async def test_a_slow_subscriber_is_dropped_without_holding_up_others() -> None:
    bus = EventBus(max_queue=3)
    bus.attach(asyncio.get_running_loop())
    slow, fast = bus.subscribe(), bus.subscribe()
    events = [StoredEvent(id=n, type="ticket.updated", queue="access", data="{}") for n in range(1, 6)]
    for event in events:
        bus.publish([event])
        await asyncio.sleep(0)
        got = await fast.queue.get()
        assert got is not None and got.id == event.id
    assert slow.dropped
    assert await slow.queue.get() is None
    assert bus.subscriber_count == 1
