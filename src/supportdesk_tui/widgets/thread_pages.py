"""What the thread holds of a conversation: pages with the server's cursors past either end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supportdesk_tui.contract.models import Message


@dataclass
class HeldPage:
    """One page of the messages held: how many, and the server's cursors past either end of it."""

    size: int
    older_cursor: str | None
    newer_cursor: str | None


@dataclass
class KeptNewest:
    """The newest messages when they were last held (`Thread._keep_newest`)."""

    messages: list[Message]
    has_older: bool
    older_cursor: str | None


def in_time_order(messages: Iterable[Message]) -> list[Message]:
    return sorted(messages, key=lambda m: (m.created_at, m.id))
