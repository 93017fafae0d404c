"""Faults a real server can't produce on demand, injected with httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest

from supportdesk_tui.api import errors
from supportdesk_tui.api.answers import cursor_from_next_link
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.contract.models import MessageCreate, MessageKind

SECRET_TOKEN = "sdk_secret_token_value_1234567890"


def client_with(handler: httpx.MockTransport, **kwargs: object) -> SupportDeskClient:
    return SupportDeskClient("http://backend.test", SECRET_TOKEN, transport=handler,
                             retry_base_delay=0.001, **kwargs)  # type: ignore[arg-type]


def error_response(status: int, code: str, message: str = "x", **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, **extra}})


async def test_agent_sees_a_clear_error_when_the_server_sends_garbage_json() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"{not json"))
    async with client_with(transport) as client:
        with pytest.raises(errors.MalformedResponse) as caught:
            await client.me()
    assert "does not match the contract" in caught.value.message


async def test_a_reply_missing_required_fields_is_a_malformed_response_not_a_crash() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"id": 1, "login": "x"}))
    async with client_with(transport) as client:
        with pytest.raises(errors.MalformedResponse):
            await client.me()


async def test_server_errors_on_reads_are_retried_then_reported() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, text="<html>bad gateway</html>")

    async with client_with(httpx.MockTransport(handler), retries=2) as client:
        with pytest.raises(errors.ServerError):
            await client.queues()
    assert len(calls) == 3


async def test_a_transient_500_on_a_read_heals_with_a_retry() -> None:
    answers = iter([httpx.Response(500), httpx.Response(200, json={"data": []})])
    async with client_with(httpx.MockTransport(lambda r: next(answers))) as client:
        assert await client.queues() == []


async def test_rate_limit_honours_retry_after() -> None:
    answers = iter([
        httpx.Response(429, headers={"Retry-After": "0"}, json={"error": {"code": "rate_limited",
                                                                          "message": "slow"}}),
        httpx.Response(200, json={"data": []}),
    ])
    async with client_with(httpx.MockTransport(lambda r: next(answers))) as client:
        assert await client.queues() == []


async def test_long_retry_after_is_left_to_the_caller() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(
        429, headers={"Retry-After": "120"}, json={"error": {"code": "rate_limited", "message": "slow"}}))
    async with client_with(transport) as client:
        with pytest.raises(errors.RateLimited) as caught:
            await client.queues()
    assert caught.value.retry_after == 120.0
    assert caught.value.retryable


async def test_timeouts_become_a_retryable_timeout_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with client_with(httpx.MockTransport(handler), retries=0) as client:
        with pytest.raises(errors.RequestTimeout) as caught:
            await client.me()
    assert caught.value.retryable


async def test_refused_connection_says_what_to_check() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with client_with(httpx.MockTransport(handler), retries=0) as client:
        with pytest.raises(errors.NetworkError) as caught:
            await client.me()
    assert "backend.test" in caught.value.message


async def test_bad_token_error_never_contains_the_token() -> None:
    transport = httpx.MockTransport(lambda r: error_response(401, "unauthorized", SECRET_TOKEN))
    async with client_with(transport) as client:
        with pytest.raises(errors.AuthError) as caught:
            await client.me()
    assert SECRET_TOKEN not in str(caught.value)
    assert "supportdesk login" in caught.value.message


async def test_a_patch_is_never_retried_blindly() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502)

    from supportdesk_tui.contract.models import Status, TicketPatch

    async with client_with(httpx.MockTransport(handler)) as client:
        with pytest.raises(errors.ServerError):
            await client.update_ticket(1, TicketPatch(status=Status.PENDING), version=3)
    assert len(calls) == 1
    assert calls[0].headers["If-Match"] == '"3"'


async def test_a_keyed_send_retries_with_the_same_idempotency_key() -> None:
    keys = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        raise httpx.ReadTimeout("lost response", request=request)

    async with client_with(httpx.MockTransport(handler), retries=2) as client:
        with pytest.raises(errors.RequestTimeout):
            await client.post_message(7, MessageCreate(kind=MessageKind.REPLY, body="hi"),
                                      idempotency_key="key-1")
    assert keys == ["key-1", "key-1", "key-1"]


async def test_new_activity_conflict_carries_the_new_messages() -> None:
    message = {"id": 9, "ticket_id": 7, "kind": "customer", "body": "are you there?",
               "author": {"type": "customer", "id": "id1", "name": "Ivan"},
               "created_at": "2026-11-26T09:00:00Z"}
    transport = httpx.MockTransport(lambda r: error_response(
        409, "new_activity", "new messages", details={"messages": [message]}))
    async with client_with(transport) as client:
        with pytest.raises(errors.NewActivity) as caught:
            await client.post_message(7, MessageCreate(kind=MessageKind.REPLY, body="x", seen_up_to=8),
                                      idempotency_key="k")
    assert [m.id for m in caught.value.messages] == [9]
    assert not caught.value.retryable


async def test_html_error_page_from_a_proxy_is_reported_as_malformed() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(404, text="<h1>nginx</h1>"))
    async with client_with(transport) as client:
        with pytest.raises(errors.MalformedResponse):
            await client.get_ticket(1)


async def test_page_claiming_more_without_a_next_link_is_malformed() -> None:
    body = {"data": [], "meta": {"has_more": True, "page_size": 50}, "links": {"next": None}}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=json.dumps(body).encode()))
    async with client_with(transport) as client:
        with pytest.raises(errors.MalformedResponse):
            await client.list_tickets()


def test_cursor_is_read_from_the_next_link() -> None:
    link = "/api/v1/tickets?queue=access&page%5Bsize%5D=50&page%5Bafter%5D=abc%3D%3D"
    assert cursor_from_next_link(link) == "abc=="
    assert cursor_from_next_link(None) is None
