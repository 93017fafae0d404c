"""Customers writing about the same music bug, and the escalation their tickets link to."""

from __future__ import annotations

import uuid
from typing import Any

from e2e_helpers import server_ticket

NAMES = {"ru": ["Ольга Кузнецова", "Иван Петров", "Мария Соколова", "Пётр Орлов", "Анна Белова"],
         "en": ["Emma Brown", "Jack Wilson", "Grace Taylor", "Luke Evans", "Chloe Moore"]}


def music_ticket(server: Any, number: int) -> dict[str, Any]:
    language = "ru" if number % 2 else "en"
    name = NAMES[language][number % 5]
    marker = uuid.uuid4().hex[:8]
    body = ("Музыка не играет, бесконечная загрузка." if language == "ru"
            else "Music never plays, the spinner never stops.")
    payload = {
        "subject": f"{'Не играет музыка' if language == 'ru' else 'Music will not play'} {marker}",
        "category": "music", "language": language, "priority": "normal",
        "requester": {"account_id": f"id{marker}", "name": name, "language": language},
        "body": body,
    }
    with server.client("intake") as http:
        response = http.post("/api/v1/tickets", json=payload, headers={"Idempotency-Key": marker})
        response.raise_for_status()
    return server_ticket(server, response.json()["ticket_id"])


def escalate(server: Any, ticket_id: int) -> str:
    body = {"component": "music", "severity": "major", "summary": "Music playback spinner never stops",
            "steps": "1. Open Music\n2. Tap a track", "expected": "It plays", "actual": "Endless spinner"}
    with server.client("kate") as http:
        response = http.post(f"/api/v1/tickets/{ticket_id}/escalations", json=body)
        response.raise_for_status()
        return str(response.json()["key"])
