"""Shared pieces of the end-to-end tests: build the real app for a login, make and read server data.

Waiting for what the user sees is `waiting.wait_until` (tests/waiting.py), shared by every test dir.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from textual.pilot import Pilot

from supportdesk_tui.app import SupportDeskApp
from supportdesk_tui.screens.conversation import ConversationScreen
from supportdesk_tui.screens.queue import QueueScreen
from supportdesk_tui.settings import AppSettings
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.ticket_table import TicketTable
from waiting import settle, wait_until

# The live stream's reconnect wait for tests that take the server down: they prove that it
# reconnects and converges, not how long the real backoff (up to 30 s) waits first.
QUICK_RECONNECT = (0.05, 0.25)

# The suite shares two cores with its servers (and a PostgreSQL): a live server can go quiet for
# longer than the product's 2.5 s "not answering" limit, which would queue sends and drop streams
# at random. Tests about a hung server (test_hung_server.py) keep the product's default.
LOADED_MACHINE_NOT_ANSWERING_AFTER = 15.0


def make_app(server: Any, login: str, data_dir: Path, **overrides: Any) -> SupportDeskApp:
    overrides.setdefault("not_answering_after", LOADED_MACHINE_NOT_ANSWERING_AFTER)
    settings = AppSettings(server_url=server.url, token=server.token(login), data_dir=data_dir, **overrides)
    return SupportDeskApp(settings)


def count_outbox_checks(app: SupportDeskApp) -> list[None]:
    """Count the app's periodic outbox checks (every 2 s), so "one more flush cycle" is a condition.

    Call it before `run_test`: the app binds the check when it signs in.
    """
    checks: list[None] = []
    check = app._flush_outbox_if_due

    def counted() -> None:
        checks.append(None)
        check()

    app._flush_outbox_if_due = counted  # type: ignore[method-assign]
    return checks


async def wait_for_another_outbox_check(pilot: Pilot[Any], checks: list[None]) -> None:
    """Until the app has checked its outbox once more and whatever that sent has been answered."""
    seen = len(checks)
    await wait_until(pilot, lambda: len(checks) > seen, what="another outbox check")
    await settle(pilot)


def create_customer_ticket(
    server: Any,
    *,
    subject: str | None = None,
    language: str = "ru",
    category: str = "hacked",
    body: str = "Помогите, меня взломали",
    requester_name: str = "Ольга Кузнецова",
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
            "name": requester_name,
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


def audit_of(server: Any, ticket_id: int) -> list[dict[str, Any]]:
    """The ticket's audit trail as the lead reads it from the server."""
    with httpx.Client(base_url=server.url, headers=server.headers("lena")) as http:
        response = http.get(f"/api/v1/tickets/{ticket_id}/audit")
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()["data"]
        return data


async def queue_online(pilot: Pilot[Any], app: SupportDeskApp) -> StatusLine:
    """The queue with a ticket under the cursor and the live stream connected; its status line."""
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and app.screen.query_one(TicketTable).cursor_ticket is not None, what="the queue")
    status = app.screen.query_one(StatusLine)
    await wait_until(pilot, lambda: "Online" in status.render().plain, what="online")
    return status


async def open_conversation(pilot: Any, app: Any, ticket_id: int) -> ConversationScreen:
    """From the queue, the ticket's conversation with its messages shown."""
    await wait_until(pilot, lambda: isinstance(app.screen, QueueScreen)
                     and app.screen.query_one(TicketTable), what="the queue")
    app.screen.open_ticket(ticket_id)
    await wait_until(pilot, lambda: isinstance(app.screen, ConversationScreen)
                     and app.screen.ticket is not None and app.screen.thread.messages, what="the ticket")
    screen: ConversationScreen = app.screen
    return screen
