"""`Store`: what the server asks of its database, whichever engine holds it.

Handlers, the service, middleware, idempotency, background jobs, seed and the CLI
depend on this protocol only; `open_store` (store/__init__.py) picks the engine.
Both engines share one implementation (store/sql_store.py `SqlStore`) over a small
dialect layer (storage/engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from supportdesk_tui.contract.models import (
    AuditEntry,
    CannedReply,
    Component,
    Escalation,
    EscalationStatus,
    HistoryEntry,
    HistoryPoint,
    Message,
    QueueCounts,
    Ticket,
    TicketSort,
)
from supportdesk_tui.server.records import (
    AccountRecord,
    AgentRecord,
    AttachmentRecord,
    BulkTicket,
    IdempotencyOutcome,
    OpenAggregate,
    QueueRecord,
    StoredEvent,
    TicketJson,
    TicketQuery,
    TokenRecord,
)
from supportdesk_tui.server.storage.engine import Engine
from supportdesk_tui.server.store.writes import WriteTx

Listener = Callable[[Sequence[StoredEvent]], None]


class Store(Protocol):
    """The reference backend's storage. Every read is a fresh look at committed data; every
    change goes through `write()`, whose transaction excludes all other writers on the database.
    """

    engine: Engine
    path: str  # where the data lives, fit to print (a file, or a URL without its password)

    def close(self) -> None: ...

    @property
    def schema_version(self) -> int: ...

    def add_commit_listener(self, listener: Listener) -> None:
        """Called with the events of each commit, in commit order (still under the write lock)."""
        ...

    def remove_commit_listener(self, listener: Listener) -> None: ...

    def write(self) -> AbstractContextManager[WriteTx]:
        """One write transaction; a `write()` inside another on the same thread joins it."""
        ...

    def agent_by_token(self, token_hash: str) -> AgentRecord | None: ...

    def auth_epoch(self) -> int:
        """Moves whenever a token in use may have lost access (see AUTH_EPOCH_DDL)."""
        ...

    def list_tokens(self) -> list[TokenRecord]: ...

    def agent_by_login(self, login: str) -> AgentRecord | None: ...

    def agent_by_id(self, agent_id: int) -> AgentRecord | None: ...

    def list_agents(self) -> list[AgentRecord]: ...

    def last_replies(self) -> dict[int, datetime]: ...

    def open_assigned_counts(self) -> dict[int, int]: ...

    def list_queues(self) -> list[QueueRecord]: ...

    def list_components(self) -> list[Component]: ...

    def list_canned_replies(self) -> list[CannedReply]: ...

    def get_meta(self, key: str) -> str | None: ...

    def cursor_secret(self) -> bytes:
        """The key that signs page cursors: made once, then shared by restarts and every process
        serving this database (the first writer wins; the others read what it stored)."""
        ...

    def queue_counts(self, now: datetime, risk: timedelta) -> dict[str, QueueCounts]:
        """Live counts per queue, from index ranges only; cached per write and per second."""
        ...

    def list_audit(self, ticket_id: int) -> list[AuditEntry]: ...

    def list_history(self, ticket_id: int) -> list[HistoryEntry]:
        """Every recorded change of the ticket, oldest first."""
        ...

    def get_account(self, account_id: str) -> AccountRecord: ...

    def get_ticket(self, ticket_id: int) -> Ticket | None: ...

    def ticket_queue(self, ticket_id: int) -> str | None: ...

    def list_tickets(
        self, query: TicketQuery, sort: TicketSort, after: Sequence[int] | None, limit: int
    ) -> tuple[list[Ticket], list[list[int]]]:
        """One page in sort order; returns the tickets and each one's sort key (for cursors)."""
        ...

    def list_ticket_json(
        self, query: TicketQuery, sort: TicketSort, after: Sequence[int] | None, limit: int
    ) -> tuple[list[TicketJson], list[list[int]]]:
        """`list_tickets` as JSON, rendered only for rows that changed since they were last rendered."""
        ...

    def ticket_json(self, ticket_id: int) -> TicketJson | None: ...

    def worst_tickets(self, limit: int) -> list[tuple[Ticket, datetime]]:
        """Open tickets with the nearest (or most overdue) running deadline, with that deadline."""
        ...

    def open_aggregates(self, now: datetime, risk: timedelta) -> list[OpenAggregate]: ...

    def count_tickets(self) -> int: ...

    def random_open_ticket_ids(self, limit: int) -> list[int]: ...

    def list_messages(
        self, ticket_id: int, descending: bool, after_id: int | None, limit: int
    ) -> list[Message]: ...

    def list_message_json(
        self, ticket_id: int, descending: bool, after_id: int | None, limit: int
    ) -> list[tuple[int, bytes]]:
        """(id, JSON) of each message of `list_messages`, rendered once per message."""
        ...

    def get_attachment(self, attachment_id: int) -> AttachmentRecord | None: ...

    def attachment_data(self, attachment_id: int) -> bytes | None: ...

    def get_escalation(self, key: str) -> Escalation | None: ...

    def list_escalations(self, statuses: Sequence[EscalationStatus]) -> list[Escalation]: ...

    def linked_tickets(self, key: str) -> list[Ticket]: ...

    def count_matching(self, query: TicketQuery) -> int:
        """How many tickets match (one COUNT; the query's queues already resolved for the caller)."""
        ...

    def recent_unlinked_tickets(self, since: datetime, limit: int) -> list[Ticket]:
        """Open tickets created since `since` and linked to no escalation, newest first."""
        ...

    def first_message_bodies(self, ticket_ids: Sequence[int]) -> dict[int, str]: ...

    def events_after(self, after_id: int, limit: int) -> list[StoredEvent]: ...

    def event_bounds(self) -> tuple[int | None, int]:
        """(oldest kept id or None, last id ever assigned)."""
        ...

    def idempotency_begin(
        self, caller_id: int, key: str, body_hash: str, now: datetime, keep: timedelta, lease: timedelta
    ) -> IdempotencyOutcome:
        """Start an attempt at (caller, key): a new one, or a takeover of an expired lease."""
        ...

    def idempotency_finish(
        self, caller_id: int, key: str, attempt: str, status: int, body: bytes, content_type: str
    ) -> bool:
        """Remember a response that had no effect to commit with (a replayable 4xx)."""
        ...

    def idempotency_release(self, caller_id: int, key: str, attempt: str) -> None:
        """Forget an attempt that ended without an answer worth replaying (if it still holds the key)."""
        ...

    def history_since(self, since: datetime) -> list[HistoryPoint]: ...

    def snapshot_counts(self, start: datetime, end: datetime) -> list[HistoryPoint]:
        """Open now, created and solved in [start, end), per queue: one history point each."""
        ...

    def bulk_insert(self, tickets: Iterable[BulkTicket], batch: int = 20_000) -> int:
        """Insert generated tickets with one customer message each, in big transactions."""
        ...
