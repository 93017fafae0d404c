"""Which queue a new ticket lands in: by category, then by the language the queue serves."""

from __future__ import annotations

from collections.abc import Sequence

from supportdesk_tui.contract.models import Language
from supportdesk_tui.server.records import QueueRecord

DEFAULT_QUEUE = "access"

CATEGORY_QUEUES: dict[str, str] = {
    "password": "access",
    "access": "access",
    "login": "access",
    "2fa": "access",
    "hacked": "hacked",
    "security": "hacked",
    "deletion": "deletion",
    "delete": "deletion",
    "payment": "payments",
    "payments": "payments",
    "billing": "payments",
    "refund": "payments",
    "subscription": "payments",
    "music": "bugs-music",
    "messages": "bugs-messages",
    "chat": "bugs-messages",
    "video": "bugs-video",
    "calls": "bugs-video",
}


def route(category: str, language: Language, queues: Sequence[QueueRecord]) -> str | None:
    """The queue for a ticket, or None when no queue serves the language."""
    wanted = CATEGORY_QUEUES.get(category.strip().lower(), DEFAULT_QUEUE)
    serving = [q for q in queues if language in q.languages]
    for candidate in (wanted, DEFAULT_QUEUE):
        if any(q.id == candidate for q in serving):
            return candidate
    return serving[0].id if serving else None
