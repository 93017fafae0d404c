"""Shared builders for domain unit tests (a plain module: no fixtures, no conftest name clashes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from supportdesk_tui.contract.models import Ticket

NOW = datetime(2026, 11, 26, 9, 14, tzinfo=UTC)


def make_ticket(**overrides: Any) -> Ticket:
    data: dict[str, Any] = {
        "id": 1234,
        "version": 1,
        "subject": "Не могу войти",
        "status": "open",
        "priority": "normal",
        "queue": "ru-access",
        "language": "ru",
        "category": "login",
        "tags": [],
        "requester": {"account_id": "u1", "name": "Анна Петрова", "language": "ru"},
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
        "sla": {},
    }
    data.update(overrides)
    return Ticket.model_validate(data)
