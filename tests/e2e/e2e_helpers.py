"""Shared pieces of the end-to-end tests: build the real app for a login, wait for what the user sees."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.settings import AppSettings

# The suite shares two cores with its servers (and a PostgreSQL): a live server can go quiet for
# longer than the product's 2.5 s "not answering" limit, which would queue sends and drop streams
# at random. Tests about a hung server (test_hung_server.py) keep the product's default.
LOADED_MACHINE_NOT_ANSWERING_AFTER = 15.0


def make_app(server: Any, login: str, data_dir: Path, **overrides: Any) -> SupportDeskApp:
    overrides.setdefault("not_answering_after", LOADED_MACHINE_NOT_ANSWERING_AFTER)
    settings = AppSettings(server_url=server.url, token=server.token(login), data_dir=data_dir, **overrides)
    return SupportDeskApp(settings)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], *, timeout: float = 15.0, what: str = "condition"
) -> None:
    """Let the app run until `condition()` is truthy; fail with `what` if it never is."""
    steps = int(timeout / 0.05)
    for _ in range(steps):
        try:
            if condition():
                return
        except Exception:  # the widget may not be mounted yet
            pass
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def create_customer_ticket(
    server: Any,
    *,
    subject: str | None = None,
    language: str = "ru",
    category: str = "hacked",
    body: str = "Помогите, меня взломали",
) -> dict[str, Any]:
    """A new ticket as the channel gateway would create it (own data, independent of other tests)."""
    marker = uuid.uuid4().hex[:8]
    payload = {
        "subject": subject or f"Взлом страницы {marker}",
        "category": category,
        "language": language,
        "priority": "high",
        "requester": {
            "account_id": f"id{marker}",
            "name": "Ольга Кузнецова",
            "language": language,
            "email": "olga.k@example.org",
            "phone": "+7 916 123-45-67",
        },
        "body": body,
    }
    with server.client("intake") as http:
        response = http.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": marker})
        response.raise_for_status()
    # The gateway gets only a receipt; the ticket as the lead sees it is read back.
    return server_ticket(server, response.json()["ticket_id"])


def server_ticket(server: Any, ticket_id: int, login: str = "lena") -> dict[str, Any]:
    with server.client(login) as http:
        response = http.get(f"/api/v1/tickets/{ticket_id}")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def server_messages(server: Any, ticket_id: int, login: str = "lena") -> list[dict[str, Any]]:
    with server.client(login) as http:
        response = http.get(f"/api/v1/tickets/{ticket_id}/messages", params={"page[size]": "200"})
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["data"]
        return data
