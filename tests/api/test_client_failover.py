"""The client against two real instances of one deployment, one of them killed (SIGKILL).

The only fault injected by hand is the one a real server cannot stage on cue: an instance that
applied a request and died before its answer left (`LoseAnswerThenKill`).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conftest import ServerFactory, ServerHandle
from supportdesk_tui.api import errors
from supportdesk_tui.api.client import SupportDeskClient, new_idempotency_key
from supportdesk_tui.api.events import EventStream, StreamStatus
from supportdesk_tui.contract.models import (
    AuditCreate,
    Event,
    EventType,
    MessageCreate,
    MessageKind,
    Status,
    TicketPatch,
)
from two_instances import LoseAnswerThenKill, kill_now, second_instance

pytestmark = pytest.mark.e2e


def new_ticket(server: ServerHandle, subject: str) -> int:
    payload = {
        "subject": subject, "category": "hacked", "language": "ru", "priority": "high",
        "requester": {"account_id": "id-failover", "name": "Ольга", "language": "ru"},
        "body": "Помогите",
    }
    with server.client("intake") as http:
        response = http.post("/api/v1/tickets", json=payload,
                             headers={"Idempotency-Key": new_idempotency_key()})
        response.raise_for_status()
        ticket_id: int = response.json()["ticket_id"]
        return ticket_id


def messages_of(server: ServerHandle, ticket_id: int) -> list[dict[str, Any]]:
    with server.client("lena") as http:
        response = http.get(f"/api/v1/tickets/{ticket_id}/messages", params={"page[size]": "200"})
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["data"]
        return data


async def test_reads_move_to_the_other_instance_when_the_one_in_use_is_killed(
        server_factory: ServerFactory) -> None:
    first = server_factory()
    with second_instance(first) as second:
        async with SupportDeskClient([first.url, second.url], first.token("anna")) as client:
            assert (await client.me()).login == "anna"
            assert client.base_url == first.url
            first.kill()
            page = await client.list_tickets(page_size=5)
            assert page.items
            assert client.base_url == second.url


async def test_a_reply_whose_answer_died_with_its_instance_lands_once_through_the_other(
        server_factory: ServerFactory) -> None:
    first = server_factory(idempotency_lease=2)
    with second_instance(first) as second:
        ticket_id = new_ticket(second, "Ответ во время падения")
        transport = LoseAnswerThenKill(first, "POST /messages")
        async with SupportDeskClient([first.url, second.url], first.token("anna"),
                                     transport=transport) as client:
            posted = await client.post_message(
                ticket_id, MessageCreate(kind=MessageKind.REPLY, body="Доступ восстановлен"),
                idempotency_key=new_idempotency_key())
        assert transport.lost, "the answer was never lost: the test did not stage the crash"
        replies = [m for m in messages_of(second, ticket_id) if m["body"] == "Доступ восстановлен"]
        assert [m["id"] for m in replies] == [posted.message.id]


async def test_a_status_change_whose_answer_was_lost_is_not_taken_for_a_conflict(
        server_factory: ServerFactory) -> None:
    first = server_factory()
    with second_instance(first) as second:
        ticket_id = new_ticket(second, "Смена статуса во время падения")
        transport = LoseAnswerThenKill(first, "PATCH /tickets/" + str(ticket_id))
        async with SupportDeskClient([first.url, second.url], first.token("anna"),
                                     transport=transport) as client:
            ticket = await client.get_ticket(ticket_id)
            updated = await client.update_ticket(ticket_id, TicketPatch(status=Status.PENDING),
                                                 version=ticket.version)
        assert transport.lost
        assert updated.status == Status.PENDING and updated.version == ticket.version + 1


async def test_the_event_stream_resumes_on_the_other_instance_and_misses_nothing(
        server_factory: ServerFactory) -> None:
    first = server_factory()
    with second_instance(first) as second:
        async with SupportDeskClient([first.url, second.url], first.token("lena")) as client:
            stream = EventStream(client, min_backoff=0.01, max_backoff=0.2)
            items = stream.items()
            created: list[int] = []
            statuses: list[StreamStatus] = []
            before_kill: int | None = None
            after_kill: int | None = None

            async def next_item() -> Event | StreamStatus:
                item = await anext(items)
                if isinstance(item, StreamStatus):
                    statuses.append(item)
                elif item.type == EventType.TICKET_CREATED:
                    created.append(int(item.data["id"]))
                return item

            while not (statuses and statuses[-1].state == "live"):
                await next_item()
            assert statuses[-1].instance == first.url
            # Committed through the other instance while the stream is on the first one: however
            # the first fans it out (or not), the move must not skip it.
            before_kill = new_ticket(second, "До падения")
            kill_now(first)
            while not (statuses[-1].state == "live" and statuses[-1].instance == second.url):
                await next_item()
            after_kill = new_ticket(second, "После падения")
            while after_kill not in created:
                await next_item()
            await items.aclose()
        assert any(s.state == "reconnecting" and s.instance == second.url for s in statuses)
        assert "polling" not in [s.state for s in statuses]  # moved at once, no backoff
        assert created.count(before_kill) == 1 and created.count(after_kill) == 1


async def test_an_unkeyed_write_moves_only_if_it_never_left() -> None:
    """An audit step has no idempotency key: after a lost answer it must not be sent twice, but a
    refused connection means nothing arrived, so the other instance may take it."""
    reached: list[str] = []
    entry = {"id": 7, "ticket_id": 5, "kind": "step", "step_id": "last_login",
             "summary": "checked: city", "created_at": "2026-11-26T09:00:00Z",
             "agent": {"id": 1, "login": "anna", "name": "Anna"}}

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host == "refused.test":
            raise httpx.ConnectError("connection refused", request=request)
        reached.append(host)
        if host == "dies.test":
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        return httpx.Response(201, json=entry)

    step = AuditCreate(kind="step", step_id="last_login", evidence_fields=["city"])
    async with SupportDeskClient(["http://refused.test", "http://ok.test"], "t",
                                 transport=httpx.MockTransport(handler)) as client:
        assert (await client.add_audit(5, step)).id == 7
    assert reached == ["ok.test"]

    reached.clear()
    async with SupportDeskClient(["http://dies.test", "http://ok.test"], "t",
                                 transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(errors.NetworkError):
            await client.add_audit(5, step)
        assert client.base_url == "http://ok.test"  # the next request goes to the live one
    assert reached == ["dies.test"]


async def test_a_stream_knows_where_it_starts_before_any_event_and_resumes_there() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Last-Event-ID"))
        first = len(seen) == 1
        body = b"id: 41\n: connected\n\n" if first else b": connected\n\nid: 42\nevent: reset\ndata: {}\n\n"
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    async with SupportDeskClient(["http://a.test", "http://b.test"], "t",
                                 transport=httpx.MockTransport(handler)) as client:
        stream = EventStream(client, min_backoff=0.01, max_backoff=0.01)
        async for item in stream.items():
            if isinstance(item, Event):
                assert item.id == 42
                break
    assert seen == [None, "41"]
    assert stream.malformed_events == 0


async def test_a_stream_that_dropped_before_knowing_its_place_asks_for_a_reload() -> None:
    """A server that never says where a stream starts: after a drop, what happened meanwhile
    can't be replayed, so the consumer is told to reload (a reset) rather than miss it."""
    connects: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        connects.append(request.url.host)
        return httpx.Response(200, content=b": connected\n\n", headers={"content-type": "text/event-stream"})

    async with SupportDeskClient(["http://a.test", "http://b.test"], "t",
                                 transport=httpx.MockTransport(handler)) as client:
        stream = EventStream(client, min_backoff=0.01, max_backoff=0.01)
        async for item in stream.items():
            if isinstance(item, Event):
                assert item.type == EventType.RESET
                break
    assert connects == ["a.test", "b.test"]
