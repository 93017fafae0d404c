"""Plain records passed between the store and the service layer.

They keep handlers and business rules free of SQL rows: the store turns rows
into these (or into the contract models directly) and back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from supportdesk_tui.contract.models import (
    AgentRef,
    Attachment,
    Environment,
    Language,
    Priority,
    Requester,
    Role,
    Status,
)

OPEN_STATUSES: tuple[Status, ...] = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
PAUSED_STATUSES: tuple[Status, ...] = (Status.PENDING, Status.ON_HOLD)
TRACKER_URL = "https://tracker.example.invalid/browse/{key}"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def tracker_url(key: str) -> str:
    return TRACKER_URL.format(key=key)


def to_ms(value: datetime) -> int:
    # timestamp() is C-fast; rounding keeps from_ms(to_ms(x)) == x for whole milliseconds.
    return round(value.timestamp() * 1000)


def from_ms(value: int) -> datetime:
    return EPOCH + timedelta(milliseconds=value)


@dataclass(frozen=True)
class AgentRecord:
    id: int
    login: str
    name: str
    role: Role
    languages: tuple[Language, ...]
    queues: tuple[str, ...]

    def ref(self) -> AgentRef:
        return AgentRef(id=self.id, login=self.login, name=self.name)

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]


TOKEN_ID_LENGTH = 12


@dataclass(frozen=True)
class TokenRecord:
    """A stored token as `supportdesk token list` shows it (never the token itself)."""

    hash: str
    login: str
    role: Role
    queues: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def token_id(self) -> str:
        # A prefix of the sha256 of a 256-bit random token: names it without helping to guess it.
        return self.hash[:TOKEN_ID_LENGTH]


@dataclass(frozen=True)
class QueueRecord:
    id: str
    name: str
    languages: tuple[Language, ...]


@dataclass
class TicketState:
    """A mutable working copy of one ticket, changed by the service inside a write."""

    id: int
    version: int
    subject: str
    status: Status
    priority: Priority
    queue: str
    language: Language
    category: str
    tags: list[str]
    requester: Requester
    created_at: datetime
    updated_at: datetime
    assignee_id: int | None = None
    waiting_since: datetime | None = None
    last_message_id: int | None = None
    message_count: int = 0
    first_response_due: datetime | None = None
    first_responded_at: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    paused_at: datetime | None = None
    solved_at: datetime | None = None
    sla_due: datetime | None = None  # the next running deadline; the default sort key
    environment: Environment | None = None
    escalation_key: str | None = None
    needs_reply: bool = False


@dataclass(frozen=True)
class BulkTicket:
    """One generated ticket for `Store.bulk_insert`: a ticket and its single customer message."""

    state: TicketState
    body: str


@dataclass(frozen=True)
class TicketJson:
    """A ticket as the API's JSON (`body`), without its presence, which is not stored."""

    id: int
    queue: str
    version: int
    body: bytes  # ends with `"presence":[]}`


@dataclass(frozen=True)
class TicketQuery:
    """Filters of `GET /tickets`, already resolved against the caller's visibility."""

    queues: tuple[str, ...] | None = None  # None: every queue
    statuses: tuple[Status, ...] = ()
    priorities: tuple[Priority, ...] = ()
    language: Language | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    tag: str | None = None
    text: str | None = None
    ticket_id: int | None = None
    requester: str | None = None
    reverse: bool = False  # the same order read from its end


@dataclass(frozen=True)
class StoredEvent:
    id: int
    type: str
    queue: str | None
    data: str  # the JSON object, serialised once

    @cached_property
    def frame(self) -> bytes:
        """The Server-Sent Events frame, encoded once and shared by every stream that carries it."""
        # `data` is compact JSON: one line, so a single `data:` field is enough.
        return f"id: {self.id}\nevent: {self.type}\ndata: {self.data}\n\n".encode()

    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


@dataclass(frozen=True)
class IdempotencyOutcome:
    kind: Literal["new", "replay", "mismatch", "in_flight"]
    status: int = 0
    body: bytes = b""
    content_type: str = "application/json"
    attempt: str = ""  # "new": the id of this attempt, which alone may commit the effect
    retry_after: float = 0.0  # "in_flight": seconds until the holder's lease expires


@dataclass(frozen=True)
class OpenAggregate:
    """Counts of open tickets for one (queue, language, priority) group."""

    queue: str
    language: Language
    priority: Priority
    open: int
    unassigned: int
    oldest_waiting: datetime | None
    at_risk: int
    breached: int


@dataclass
class AccountRecord:
    """What the support desk did to a customer account, kept apart from ticket rows."""

    account_id: str
    signed_out_at: datetime | None = None
    reset_sent_at: datetime | None = None
    deletion_scheduled_for: datetime | None = None


@dataclass(frozen=True)
class AttachmentRecord:
    """An attachment as the server keeps it: who uploaded it, and which message claimed it (if any)."""

    id: int
    uploader_id: int
    ticket_id: int | None  # None: an upload no message has claimed yet
    message_id: int | None
    name: str
    content_type: str
    size: int
    created_at: datetime

    def public(self) -> Attachment:
        return Attachment(id=self.id, name=self.name, content_type=self.content_type, size=self.size)
