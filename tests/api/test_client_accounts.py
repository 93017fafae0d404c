"""Playbooks, audit, account actions and articles through the client, against a scripted transport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from supportdesk_tui.api import errors
from supportdesk_tui.api.client import SupportDeskClient
from supportdesk_tui.contract.models import AccountAction, AuditCreate, Language

NOW = "2026-05-01T10:00:00Z"
AGENT = {"id": 1, "login": "anna", "name": "Anna"}
TICKET = {
    "id": 5, "version": 2, "subject": "Удалить аккаунт", "status": "open", "priority": "normal",
    "queue": "ru-access", "language": "ru", "category": "account_deletion", "tags": [],
    "requester": {"account_id": "u1", "name": "Анна", "language": "ru"},
    "created_at": NOW, "updated_at": NOW, "sla": {},
}


def client_with(handler: Any) -> SupportDeskClient:
    return SupportDeskClient("http://backend.test", "tok", transport=httpx.MockTransport(handler),
                             retry_base_delay=0.001)


PLAYBOOK = {
    "id": "hacked",
    "categories": ["account_hacked"],
    "title": {"ru": "Взлом аккаунта", "en": "Hacked account"},
    "steps": [
        {"id": "last_login", "kind": "check", "verification": True,
         "title": {"ru": "Место последнего входа", "en": "Last login place"},
         "evidence_fields": ["city"]},
        {"id": "sign_out", "kind": "action", "action": "sign_out_all",
         "title": {"ru": "Завершить сеансы", "en": "Sign out everywhere"}},
    ],
}


async def test_agent_loads_playbooks_with_bilingual_steps() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/playbooks"
        return httpx.Response(200, json={"data": [PLAYBOOK]})

    async with client_with(handler) as client:
        playbooks = await client.playbooks()
    assert playbooks[0].steps[0].title[Language.RU] == "Место последнего входа"
    assert playbooks[0].steps[1].action is AccountAction.SIGN_OUT_ALL


async def test_a_completed_step_is_recorded_with_field_names_only() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"data": []})
        seen.append(json.loads(request.content))
        return httpx.Response(201, json={"id": 7, "ticket_id": 5, "agent": AGENT, "kind": "step",
                                         "step_id": "last_login", "summary": "checked: city",
                                         "created_at": NOW})

    async with client_with(handler) as client:
        entry = await client.add_audit(5, AuditCreate(kind="step", step_id="last_login",
                                                      evidence_fields=["city"]))
        assert await client.audit(5) == []
    assert seen == [{"kind": "step", "step_id": "last_login", "evidence_fields": ["city"]}]
    assert entry.id == 7


async def test_account_action_before_verification_says_which_steps_are_missing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Idempotency-Key"] == "k1"
        assert json.loads(request.content) == {"action": "sign_out_all"}
        return httpx.Response(409, json={"error": {
            "code": "verification_incomplete", "message": "Verify first.",
            "details": {"missing_steps": ["last_login", "payment"]}}})

    async with client_with(handler) as client:
        with pytest.raises(errors.VerificationIncomplete) as caught:
            await client.account_action(5, AccountAction.SIGN_OUT_ALL, idempotency_key="k1")
    assert caught.value.missing_steps == ["last_login", "payment"]
    assert not caught.value.retryable


async def test_cancel_after_cooling_off_is_a_plain_refusal_not_a_retry() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(409, json={"error": {"code": "cooling_off_over", "message": "Too late."}})

    async with client_with(handler) as client:
        with pytest.raises(errors.ApiError) as caught:
            await client.account_action(5, AccountAction.CANCEL_DELETION, idempotency_key="k2")
    assert caught.value.code == "cooling_off_over"
    assert calls == 1


async def test_scheduled_deletion_returns_the_date() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"action": "schedule_deletion", "done_at": NOW,
                                         "account_state": "deletion_scheduled",
                                         "deletion_scheduled_for": "2026-05-31T10:00:00Z",
                                         "ticket": TICKET})

    async with client_with(handler) as client:
        result = await client.account_action(5, AccountAction.SCHEDULE_DELETION, idempotency_key="k3")
    assert result.deletion_scheduled_for is not None
    assert result.deletion_scheduled_for.day == 31


async def test_articles_are_searched_in_the_customers_language() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["q"] == "пароль"
        assert request.url.params["lang"] == "ru"
        return httpx.Response(200, json={"data": [{
            "id": "reset-password", "language": "ru", "title": "Как сменить пароль",
            "summary": "Настройки → Безопасность.", "url": "https://help.example/ru/reset"}]})

    async with client_with(handler) as client:
        articles = await client.articles("пароль", "ru")
    assert articles[0].title == "Как сменить пароль"
