"""The one place that speaks SQL: the core shared by both database engines.

`SqlStore` hides the database behind the narrow typed `Store` interface
(storage/protocol.py) so handlers and business rules never see rows or cursors.
Its SQL runs unchanged on SQLite and PostgreSQL; connections, transactions, the
schema and the few dialect fragments belong to the engine (storage/*_engine.py).
Writes are serialised (in this process by one lock, across processes by the
engine's transaction) so read-then-write logic inside `write()` needs no retries.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from supportdesk_tui.contract.models import (
    PRIORITY_RANK,
    AgentRef,
    AuditEntry,
    Author,
    CannedReply,
    Component,
    Environment,
    Escalation,
    EscalationStatus,
    HistoryPoint,
    Language,
    Message,
    MessageKind,
    Priority,
    QueueCounts,
    Requester,
    Role,
    Severity,
    Status,
    Ticket,
    TicketSort,
)
from supportdesk_tui.server.records import (
    OPEN_STATUSES,
    AccountRecord,
    AgentRecord,
    IdempotencyOutcome,
    OpenAggregate,
    QueueRecord,
    StoredEvent,
    TicketJson,
    TicketQuery,
    TicketState,
    TokenRecord,
    from_ms,
    to_ms,
    tracker_url,
)
from supportdesk_tui.server.rowjson import RowJsonCache
from supportdesk_tui.server.storage import open_store
from supportdesk_tui.server.storage.engine import DbConn, DbCursor, Engine, SchemaError, TextRefused
from supportdesk_tui.server.storage.protocol import Listener, Store
from supportdesk_tui.server.storage.sqlite_schema import MIGRATIONS
from supportdesk_tui.server.views import ticket_from_state

EVENTS_KEPT = 10_000
# Queue counts that take longer than this to compute are reused for COUNTS_REUSE_FACTOR times
# their cost (a million tickets: ~6 s); cheaper ones are always fresh.
EXPENSIVE_COUNTS_SECONDS = 0.05
COUNTS_REUSE_FACTOR = 20
NO_DUE = 2**62  # sort-key stand-in for "no deadline running": sorts after every real time
# A row by column name: the engine's row (sqlite3.Row, NamedRow), or a dict built from a plain
# tuple row (see `_tuples`).
Row = Any | Mapping[str, Any]

__all__ = ["MIGRATIONS", "BulkTicket", "SchemaError", "SqlStore", "Store", "WriteTx", "open_store"]

# (column, descending) pairs; the last column is always the id so keys are unique.
SORT_COLUMNS: dict[TicketSort, tuple[tuple[str, bool], ...]] = {
    TicketSort.SLA_DUE: (("sla_due", False), ("id", False)),
    TicketSort.CREATED: (("created_at", False), ("id", False)),
    TicketSort.CREATED_DESC: (("created_at", True), ("id", True)),
    TicketSort.UPDATED_DESC: (("updated_at", True), ("id", True)),
    TicketSort.PRIORITY: (("priority_rank", False), ("created_at", False), ("id", False)),
    TicketSort.WAITING: (("waiting_key", False), ("id", False)),
}


# --- row mapping -------------------------------------------------------------


def _ms(value: datetime | None) -> int | None:
    return None if value is None else to_ms(value)


def _dt(value: int | None) -> datetime | None:
    return None if value is None else from_ms(value)


def _search_text(state: TicketState) -> str:
    parts = (state.subject, state.requester.name, state.requester.account_id, state.requester.email or "")
    return " ".join(parts).casefold()


TICKET_COLUMNS = (
    "version, subject, status, is_open, priority, priority_rank, queue, language, category, tags, "
    "requester, requester_account_id, search_text, assignee_id, created_at, updated_at, waiting_since, "
    "waiting_key, last_message_id, message_count, first_response_due, first_responded_at, "
    "next_response_due, resolution_due, paused_at, solved_at, sla_due, environment, escalation_key, "
    "needs_reply"
)
MESSAGE_COLUMNS = ("id", "ticket_id", "kind", "author_type", "author_id", "author_name", "body", "created_at")
# Named, not `*`: an engine may keep search data beside a message (PostgreSQL's tsvector).
MESSAGE_SELECT = f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages"
TICKET_PLACEHOLDERS = ", ".join("?" for _ in TICKET_COLUMNS.split(","))
TICKET_SELECT = (
    "SELECT t.*, a.login AS a_login, a.name AS a_name, e.status AS e_status FROM tickets t "
    "LEFT JOIN agents a ON a.id = t.assignee_id LEFT JOIN escalations e ON e.key = t.escalation_key"
)


def _ticket_params(state: TicketState, memo: dict[int, str] | None = None) -> tuple[Any, ...]:
    """Column values in TICKET_COLUMNS order; `memo` caches requester JSON for shared requesters."""
    if memo is None:
        requester_json = state.requester.model_dump_json()
    else:
        requester_json = memo.get(id(state.requester)) or memo.setdefault(
            id(state.requester), state.requester.model_dump_json()
        )
    return (
        state.version,
        state.subject,
        state.status.value,
        1 if state.status in OPEN_STATUSES else 0,
        state.priority.value,
        PRIORITY_RANK[state.priority],
        state.queue,
        state.language.value,
        state.category,
        json.dumps(state.tags, ensure_ascii=False),
        requester_json,
        state.requester.account_id,
        _search_text(state),
        state.assignee_id,
        to_ms(state.created_at),
        to_ms(state.updated_at),
        _ms(state.waiting_since),
        NO_DUE if state.waiting_since is None else to_ms(state.waiting_since),
        state.last_message_id,
        state.message_count,
        _ms(state.first_response_due),
        _ms(state.first_responded_at),
        _ms(state.next_response_due),
        _ms(state.resolution_due),
        _ms(state.paused_at),
        _ms(state.solved_at),
        NO_DUE if state.sla_due is None else to_ms(state.sla_due),
        None if state.environment is None else state.environment.model_dump_json(),
        state.escalation_key,
        1 if state.needs_reply else 0,
    )


def _state_from_row(row: Row) -> TicketState:
    return TicketState(
        id=row["id"],
        version=row["version"],
        subject=row["subject"],
        status=Status(row["status"]),
        priority=Priority(row["priority"]),
        queue=row["queue"],
        language=Language(row["language"]),
        category=row["category"],
        tags=json.loads(row["tags"]),
        requester=Requester.model_validate_json(row["requester"]),
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
        assignee_id=row["assignee_id"],
        waiting_since=_dt(row["waiting_since"]),
        last_message_id=row["last_message_id"],
        message_count=row["message_count"],
        first_response_due=_dt(row["first_response_due"]),
        first_responded_at=_dt(row["first_responded_at"]),
        next_response_due=_dt(row["next_response_due"]),
        resolution_due=_dt(row["resolution_due"]),
        paused_at=_dt(row["paused_at"]),
        solved_at=_dt(row["solved_at"]),
        sla_due=None if row["sla_due"] >= NO_DUE else from_ms(row["sla_due"]),
        environment=None
        if row["environment"] is None
        else Environment.model_validate_json(row["environment"]),
        escalation_key=row["escalation_key"],
        needs_reply=bool(row["needs_reply"]),
    )


def _ticket_from_row(row: Row) -> Ticket:
    assignee = (
        AgentRef(id=row["assignee_id"], login=row["a_login"], name=row["a_name"])
        if row["assignee_id"] is not None and row["a_login"] is not None
        else None
    )
    escalation = None if row["e_status"] is None else EscalationStatus(row["e_status"])
    return ticket_from_state(_state_from_row(row), assignee, escalation)


# Presence is not in the row: it is added per request (see Service.ticket_bytes), so the cached
# JSON carries an empty list last, where it can be spliced in.
EMPTY_PRESENCE = b',"presence":[]}'


def _ticket_json_from_row(row: Row) -> bytes:
    ticket = _ticket_from_row(row)
    return ticket.model_dump_json(exclude={"presence"}).encode()[:-1] + EMPTY_PRESENCE


def _message_json_from_row(row: Row) -> bytes:
    return _message_from_row(row).model_dump_json().encode()


def _message_from_row(row: Row) -> Message:
    return Message(
        id=row["id"],
        ticket_id=row["ticket_id"],
        kind=MessageKind(row["kind"]),
        author=Author(type=row["author_type"], id=row["author_id"], name=row["author_name"]),
        body=row["body"],
        created_at=from_ms(row["created_at"]),
    )


def _escalation_from_row(row: Row) -> Escalation:
    return Escalation(
        key=row["key"],
        ticket_id=row["ticket_id"],
        status=EscalationStatus(row["status"]),
        url=tracker_url(row["key"]),
        severity=Severity(row["severity"]),
        component=row["component"],
        summary=row["summary"],
        steps=row["steps"],
        expected=row["expected"],
        actual=row["actual"],
        environment=Environment.model_validate_json(row["environment"]),
        message_ids=json.loads(row["message_ids"]),
        created_at=from_ms(row["created_at"]),
        updated_at=from_ms(row["updated_at"]),
    )


def _audit_from_row(row: Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        ticket_id=row["ticket_id"],
        agent=AgentRef(id=row["agent_id"], login=row["agent_login"], name=row["agent_name"]),
        kind=row["kind"],
        step_id=row["step_id"],
        summary=row["summary"],
        created_at=from_ms(row["created_at"]),
    )


def _account_from_row(row: Row | None, account_id: str) -> AccountRecord:
    if row is None:
        return AccountRecord(account_id=account_id)
    return AccountRecord(
        account_id=account_id,
        signed_out_at=_dt(row["signed_out_at"]),
        reset_sent_at=_dt(row["reset_sent_at"]),
        deletion_scheduled_for=_dt(row["deletion_scheduled_for"]),
    )


def _agent_from_row(row: Row) -> AgentRecord:
    return AgentRecord(
        id=row["id"],
        login=row["login"],
        name=row["name"],
        role=Role(row["role"]),
        languages=tuple(Language(x) for x in json.loads(row["languages"])),
        queues=tuple(json.loads(row["queues"])),
    )


@dataclass(frozen=True)
class BulkTicket:
    """One generated ticket for `Store.bulk_insert`: a ticket and its single customer message."""

    state: TicketState
    body: str


# --- transactions --------------------------------------------------------------


class WriteTx:
    """The operations available inside `Store.write()`; all run in one transaction."""

    def __init__(self, db: DbConn) -> None:
        self._db = db
        self.events: list[StoredEvent] = []

    # tickets
    def ticket_state(self, ticket_id: int) -> TicketState | None:
        row = self._db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else _state_from_row(row)

    def insert_ticket(self, state: TicketState) -> int:
        cur = self._db.execute(
            f"INSERT INTO tickets ({TICKET_COLUMNS}) VALUES ({TICKET_PLACEHOLDERS}) RETURNING id",
            _ticket_params(state),
        )
        state.id = int(cur.fetchone()[0])
        return state.id

    def save_ticket(self, state: TicketState) -> None:
        assignments = ", ".join(f"{c.strip()} = ?" for c in TICKET_COLUMNS.split(","))
        self._db.execute(f"UPDATE tickets SET {assignments} WHERE id = ?", (*_ticket_params(state), state.id))

    def ticket(self, ticket_id: int) -> Ticket:
        row = self._db.execute(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise KeyError(ticket_id)
        return _ticket_from_row(row)

    # messages
    def insert_message(
        self, ticket_id: int, kind: MessageKind, author: Author, body: str, at: datetime
    ) -> Message:
        cur = self._db.execute(
            "INSERT INTO messages (ticket_id, kind, author_type, author_id, author_name, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket_id, kind.value, author.type, author.id, author.name, body, to_ms(at)),
        )
        return Message(
            id=int(cur.fetchone()[0]), ticket_id=ticket_id, kind=kind, author=author, body=body, created_at=at
        )

    def messages_after(self, ticket_id: int, after_id: int) -> list[Message]:
        rows = self._db.execute(
            f"{MESSAGE_SELECT} WHERE ticket_id = ? AND id > ? ORDER BY id", (ticket_id, after_id)
        ).fetchall()
        return [_message_from_row(r) for r in rows]

    def existing_message_ids(self, ticket_id: int, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        marks = ", ".join("?" for _ in ids)
        rows = self._db.execute(
            f"SELECT id FROM messages WHERE ticket_id = ? AND id IN ({marks})", (ticket_id, *ids)
        ).fetchall()
        return {int(r["id"]) for r in rows}

    def set_agent_last_reply(self, agent_id: int, at: datetime) -> None:
        self._db.execute("UPDATE agents SET last_reply_at = ? WHERE id = ?", (to_ms(at), agent_id))

    # escalations
    def insert_escalation(
        self,
        ticket_id: int,
        *,
        severity: Severity,
        component: str,
        summary: str,
        steps: str,
        expected: str,
        actual: str,
        environment: Environment,
        message_ids: Sequence[int],
        status: EscalationStatus,
        at: datetime,
    ) -> Escalation:
        seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM escalations").fetchone()[0]
        key = f"ENG-{1000 + seq}"
        self._db.execute(
            "INSERT INTO escalations (seq, key, ticket_id, status, severity, component, summary, steps, "
            "expected, actual, environment, message_ids, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                key,
                ticket_id,
                status.value,
                severity.value,
                component,
                summary,
                steps,
                expected,
                actual,
                environment.model_dump_json(),
                json.dumps(list(message_ids)),
                to_ms(at),
                to_ms(at),
            ),
        )
        escalation = self.escalation(key)
        assert escalation is not None
        return escalation

    def escalation(self, key: str) -> Escalation | None:
        row = self._db.execute("SELECT * FROM escalations WHERE key = ?", (key,)).fetchone()
        return None if row is None else _escalation_from_row(row)

    def set_escalation_status(self, key: str, status: EscalationStatus, at: datetime) -> Escalation:
        self._db.execute(
            "UPDATE escalations SET status = ?, updated_at = ? WHERE key = ?", (status.value, to_ms(at), key)
        )
        escalation = self.escalation(key)
        assert escalation is not None
        return escalation

    # accounts and audit
    def tickets_of_requester(self, account_id: str) -> list[TicketState]:
        rows = self._db.execute(
            "SELECT * FROM tickets WHERE requester_account_id = ? ORDER BY id", (account_id,)
        ).fetchall()
        return [_state_from_row(r) for r in rows]

    def account(self, account_id: str) -> AccountRecord:
        row = self._db.execute("SELECT * FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        return _account_from_row(row, account_id)

    def save_account(self, account: AccountRecord) -> None:
        self._db.execute(
            "INSERT INTO accounts (account_id, signed_out_at, reset_sent_at, deletion_scheduled_for) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET "
            "signed_out_at = excluded.signed_out_at, reset_sent_at = excluded.reset_sent_at, "
            "deletion_scheduled_for = excluded.deletion_scheduled_for",
            (
                account.account_id,
                _ms(account.signed_out_at),
                _ms(account.reset_sent_at),
                _ms(account.deletion_scheduled_for),
            ),
        )

    def insert_audit(
        self,
        ticket_id: int,
        agent: AgentRef,
        kind: str,
        step_id: str | None,
        summary: str,
        at: datetime,
    ) -> AuditEntry:
        cur = self._db.execute(
            "INSERT INTO audit (ticket_id, agent_id, agent_login, agent_name, kind, step_id, summary, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket_id, agent.id, agent.login, agent.name, kind, step_id, summary, to_ms(at)),
        )
        audit_id = int(cur.fetchone()[0])
        row = self._db.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)).fetchone()
        return _audit_from_row(row)

    def audit_step_ids(self, ticket_id: int) -> set[str]:
        rows = self._db.execute(
            "SELECT DISTINCT step_id FROM audit WHERE ticket_id = ? AND kind = 'step' "
            "AND step_id IS NOT NULL",
            (ticket_id,),
        ).fetchall()
        return {str(r["step_id"]) for r in rows}

    # events
    def event(self, type_: str, queue: str | None, data: dict[str, Any] | str, at: datetime) -> None:
        payload = (
            data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        )
        # From the counter row, not a sequence: ids in commit order (see storage/postgres_schema.py).
        event_id = int(
            self._db.execute("UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value")
            .fetchone()[0]
        )
        self._db.execute(
            "INSERT INTO events (id, type, queue, data, created_at) VALUES (?, ?, ?, ?, ?)",
            (event_id, type_, queue, payload, to_ms(at)),
        )
        self.events.append(StoredEvent(id=event_id, type=type_, queue=queue, data=payload))

    # reference data (seed, tokens)
    def upsert_agent(
        self, login: str, name: str, role: Role, languages: Sequence[Language], queues: Sequence[str]
    ) -> AgentRecord:
        self._db.execute(
            "INSERT INTO agents (login, name, role, languages, queues) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(login) DO UPDATE SET name = excluded.name, role = excluded.role, "
            "languages = excluded.languages, queues = excluded.queues",
            (login, name, role.value, json.dumps([x.value for x in languages]), json.dumps(list(queues))),
        )
        row = self._db.execute("SELECT * FROM agents WHERE login = ?", (login,)).fetchone()
        return _agent_from_row(row)

    def add_token(self, agent_id: int, token_hash: str, at: datetime) -> None:
        self._db.execute(
            "INSERT INTO tokens (hash, agent_id, created_at) VALUES (?, ?, ?)",
            (token_hash, agent_id, to_ms(at)),
        )

    def revoke_tokens(self, token_hashes: Sequence[str], at: datetime) -> int:
        """Revoke the given tokens that are still active; returns how many were."""
        revoked = 0
        for token_hash in token_hashes:
            cur = self._db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
                (to_ms(at), token_hash),
            )
            revoked += cur.rowcount
        return revoked

    def upsert_queue(self, queue: QueueRecord, position: int) -> None:
        self._db.execute(
            "INSERT INTO queues (id, name, languages, position) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, languages = excluded.languages, "
            "position = excluded.position",
            (queue.id, queue.name, json.dumps([x.value for x in queue.languages]), position),
        )

    def replace_components(self, components: Sequence[Component]) -> None:
        self._db.execute("DELETE FROM components")
        self._db.executemany(
            "INSERT INTO components (id, name, position) VALUES (?, ?, ?)",
            [(c.id, c.name, i) for i, c in enumerate(components)],
        )

    def replace_canned_replies(self, replies: Sequence[CannedReply]) -> None:
        self._db.execute("DELETE FROM canned_replies")
        self._db.executemany(
            "INSERT INTO canned_replies (id, position, body) VALUES (?, ?, ?)",
            [(r.id, i, r.model_dump_json()) for i, r in enumerate(replies)],
        )

    def add_history(self, points: Iterable[HistoryPoint]) -> None:
        self._db.executemany(
            "INSERT INTO stats_history (at, queue, open, created, solved) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (at, queue) DO UPDATE SET open = excluded.open, created = excluded.created, "
            "solved = excluded.solved",
            [(to_ms(p.at), p.queue, p.open, p.created, p.solved) for p in points],
        )

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # idempotency
    def idempotency_done(
        self, caller_id: int, key: str, attempt: str, status: int, body: bytes, content_type: str
    ) -> bool:
        """Store the response with the effect; False when `attempt` no longer holds the key."""
        return _idempotency_done(self._db, caller_id, key, attempt, status, body, content_type)


def _idempotency_done(
    db: DbConn,
    caller_id: int,
    key: str,
    attempt: str,
    status: int,
    body: bytes,
    content_type: str,
) -> bool:
    cur = db.execute(
        "UPDATE idempotency SET state = 'done', status = ?, body = ?, content_type = ?, lease_until = NULL "
        "WHERE caller_id = ? AND key = ? AND attempt = ? AND state = 'in_flight'",
        (status, body, content_type, caller_id, key, attempt),
    )
    return cur.rowcount == 1


# --- the store -------------------------------------------------------------------


class _Fetched:
    """A statement's rows, fetched while the engine lent the connection."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class _Reads:
    """Reads outside a write transaction: each statement on a connection the engine lends for it
    (SQLite: this thread's own; PostgreSQL: one from the pool)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Fetched:
        with self._engine.read() as db:
            return _Fetched(db.execute(sql, params).fetchall())


def _refuse_nul(params: Sequence[Any]) -> None:
    for value in params:
        if isinstance(value, str) and "\x00" in value:
            raise TextRefused


class _NulGuard:
    """A write connection that refuses text holding NUL before either engine sees it, so both
    answer alike (PostgreSQL can't store NUL; SQLite could, and one database may move to the other)."""

    def __init__(self, db: DbConn) -> None:
        self._db = db

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> DbCursor:
        _refuse_nul(parameters)
        return self._db.execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Sequence[Sequence[Any]], /) -> DbCursor:
        for parameters in seq_of_parameters:
            _refuse_nul(parameters)
        return self._db.executemany(sql, seq_of_parameters)


class SqlStore:
    """The `Store` of either engine (see open_store in storage/__init__.py)."""

    def __init__(self, engine: Engine, upgrade: bool = True) -> None:
        self.engine = engine
        self.path = engine.shown
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._reads = _Reads(engine)
        self._listeners: list[Listener] = []
        self._generation = 0
        self._counts_cache: tuple[tuple[int, int], dict[str, QueueCounts]] | None = None
        self._counts_cost = 0.0  # seconds the last computation took
        self._counts_at = -float("inf")  # time.monotonic() when it finished
        self._ticket_json = RowJsonCache(_ticket_json_from_row)
        self._message_json = RowJsonCache(_message_json_from_row)
        # In-flight idempotency records stay: each is a lease that a retry takes over once it
        # expires (another server on this database may still be working on it).
        try:
            engine.migrate(upgrade)
        except BaseException:
            engine.close()
            raise

    # connections ------------------------------------------------------------
    def _conn(self) -> _Reads:
        return self._reads

    def close(self) -> None:
        self.engine.close()

    @contextmanager
    def _tx(self) -> Iterator[DbConn]:
        # Nested in this thread's open transaction (an idempotent POST wraps the service's
        # write), the engine joins it: the outermost block commits or rolls back everything.
        with self._write_lock, self.engine.transaction() as db:
            yield _NulGuard(db)

    @property
    def schema_version(self) -> int:
        return self.engine.schema_version()

    # writes ----------------------------------------------------------------
    def add_commit_listener(self, listener: Listener) -> None:
        """Called with the events of each commit, in commit order (still under the write lock)."""
        self._listeners.append(listener)

    def remove_commit_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @contextmanager
    def write(self) -> Iterator[WriteTx]:
        """One write transaction; a `write()` inside another on the same thread joins it."""
        with self._write_lock:
            outer: WriteTx | None = getattr(self._local, "write_tx", None)
            if outer is not None:
                yield outer
                return
            try:
                with self._tx() as db:
                    tx = WriteTx(db)
                    self._local.write_tx = tx
                    yield tx
                    if tx.events:
                        db.execute("DELETE FROM events WHERE id <= ?", (tx.events[-1].id - EVENTS_KEPT,))
                        self.engine.events_committing(db, tx.events[-1].id)
            finally:
                self._local.write_tx = None
            self._generation += 1
            for listener in list(self._listeners):
                listener(tx.events)

    # agents and tokens ------------------------------------------------------
    def agent_by_token(self, token_hash: str) -> AgentRecord | None:
        row = (
            self._conn()
            .execute(
                "SELECT a.* FROM tokens t JOIN agents a ON a.id = t.agent_id "
                "WHERE t.hash = ? AND t.revoked_at IS NULL",
                (token_hash,),
            )
            .fetchone()
        )
        return None if row is None else _agent_from_row(row)

    def auth_epoch(self) -> int:
        """Moves whenever a token in use may have lost access (see AUTH_EPOCH_DDL)."""
        return int(self._conn().execute("SELECT value FROM auth_epoch WHERE id = 1").fetchone()[0])

    def list_tokens(self) -> list[TokenRecord]:
        rows = self._conn().execute(
            "SELECT t.hash, t.created_at, t.revoked_at, a.login, a.role, a.queues "
            "FROM tokens t JOIN agents a ON a.id = t.agent_id ORDER BY t.created_at, t.hash"
        )
        return [
            TokenRecord(
                hash=r["hash"],
                login=r["login"],
                role=Role(r["role"]),
                queues=tuple(json.loads(r["queues"])),
                created_at=from_ms(r["created_at"]),
                revoked_at=_dt(r["revoked_at"]),
            )
            for r in rows
        ]

    def agent_by_login(self, login: str) -> AgentRecord | None:
        row = self._conn().execute("SELECT * FROM agents WHERE login = ?", (login,)).fetchone()
        return None if row is None else _agent_from_row(row)

    def agent_by_id(self, agent_id: int) -> AgentRecord | None:
        row = self._conn().execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return None if row is None else _agent_from_row(row)

    def list_agents(self) -> list[AgentRecord]:
        rows = self._conn().execute("SELECT * FROM agents ORDER BY id").fetchall()
        return [_agent_from_row(r) for r in rows]

    def last_replies(self) -> dict[int, datetime]:
        rows = self._conn().execute("SELECT id, last_reply_at FROM agents WHERE last_reply_at IS NOT NULL")
        return {int(r["id"]): from_ms(r["last_reply_at"]) for r in rows}

    def open_assigned_counts(self) -> dict[int, int]:
        rows = self._conn().execute(
            "SELECT assignee_id, count(*) AS n FROM tickets WHERE is_open = 1 AND assignee_id IS NOT NULL "
            "GROUP BY assignee_id"
        )
        return {int(r["assignee_id"]): int(r["n"]) for r in rows}

    # queues and reference data ----------------------------------------------
    def list_queues(self) -> list[QueueRecord]:
        rows = self._conn().execute("SELECT * FROM queues ORDER BY position, id").fetchall()
        return [
            QueueRecord(
                id=r["id"], name=r["name"], languages=tuple(Language(x) for x in json.loads(r["languages"]))
            )
            for r in rows
        ]

    def list_components(self) -> list[Component]:
        rows = self._conn().execute("SELECT id, name FROM components ORDER BY position").fetchall()
        return [Component(id=r["id"], name=r["name"]) for r in rows]

    def list_canned_replies(self) -> list[CannedReply]:
        rows = self._conn().execute("SELECT body FROM canned_replies ORDER BY position").fetchall()
        return [CannedReply.model_validate_json(r["body"]) for r in rows]

    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def cursor_secret(self) -> bytes:
        """The key that signs page cursors: made once, then shared by restarts and every process
        serving this database (the first writer wins; the others read what it stored)."""
        with self._tx() as db:
            fresh = secrets.token_hex(32)
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('cursor_secret', ?) ON CONFLICT (key) DO NOTHING",
                (fresh,),
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'cursor_secret'").fetchone()
        return bytes.fromhex(str(row["value"]))

    def queue_counts(self, now: datetime, risk: timedelta) -> dict[str, QueueCounts]:
        """Live counts per queue, from index ranges only; cached per write and per second."""
        key = (self._generation, to_ms(now) // 1000)
        cached = self._counts_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        # Counting walks index ranges: ~2 ms on a demo store, ~300 ms with a million tickets.
        # Recomputed every second (the background tick), that would keep a core a third busy,
        # so an expensive count is reused for a while proportional to its cost.
        if (cached is not None and self._counts_cost >= EXPENSIVE_COUNTS_SECONDS
                and time.monotonic() - self._counts_at < self._counts_cost * COUNTS_REUSE_FACTOR):
            return cached[1]
        started = time.monotonic()
        db = self._conn()
        now_ms, risk_ms = to_ms(now), to_ms(now + risk)
        result: dict[str, QueueCounts] = {}
        for queue in self.list_queues():
            q = queue.id
            open_ = db.execute(
                "SELECT count(*) FROM tickets WHERE is_open = 1 AND queue = ?", (q,)
            ).fetchone()[0]
            unassigned = db.execute(
                "SELECT count(*) FROM tickets WHERE is_open = 1 AND assignee_id IS NULL AND queue = ?", (q,)
            ).fetchone()[0]
            oldest = db.execute(
                "SELECT min(waiting_since) FROM tickets WHERE is_open = 1 AND waiting_since IS NOT NULL "
                "AND queue = ?",
                (q,),
            ).fetchone()[0]
            breached = db.execute(
                "SELECT count(*) FROM tickets WHERE is_open = 1 AND queue = ? AND sla_due < ?", (q, now_ms)
            ).fetchone()[0]
            at_risk = db.execute(
                "SELECT count(*) FROM tickets WHERE is_open = 1 AND queue = ? "
                "AND sla_due >= ? AND sla_due < ?",
                (q, now_ms, risk_ms),
            ).fetchone()[0]
            result[q] = QueueCounts(
                open=open_,
                unassigned=unassigned,
                oldest_waiting_seconds=None if oldest is None else max(0, (now_ms - oldest) // 1000),
                sla_at_risk=at_risk,
                sla_breached=breached,
            )
        self._counts_cache = (key, result)
        self._counts_at = time.monotonic()
        self._counts_cost = self._counts_at - started
        return result

    # accounts and audit ----------------------------------------------------
    def list_audit(self, ticket_id: int) -> list[AuditEntry]:
        rows = (
            self._conn()
            .execute("SELECT * FROM audit WHERE ticket_id = ? ORDER BY id", (ticket_id,))
            .fetchall()
        )
        return [_audit_from_row(r) for r in rows]

    def get_account(self, account_id: str) -> AccountRecord:
        row = self._conn().execute("SELECT * FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        return _account_from_row(row, account_id)

    # tickets -------------------------------------------------------------
    def get_ticket(self, ticket_id: int) -> Ticket | None:
        row = self._conn().execute(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,)).fetchone()
        return None if row is None else _ticket_from_row(row)

    def ticket_queue(self, ticket_id: int) -> str | None:
        row = self._conn().execute("SELECT queue FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else str(row["queue"])

    def list_tickets(
        self, query: TicketQuery, sort: TicketSort, after: Sequence[int] | None, limit: int
    ) -> tuple[list[Ticket], list[list[int]]]:
        """One page in sort order; returns the tickets and each one's sort key (for cursors)."""
        page, names = self._page_rows(query, sort, after, limit)
        tickets = [_ticket_from_row(dict(zip(names, row, strict=True))) for _, row in page]
        return tickets, [key for key, _ in page]

    def list_ticket_json(
        self, query: TicketQuery, sort: TicketSort, after: Sequence[int] | None, limit: int
    ) -> tuple[list[TicketJson], list[list[int]]]:
        """`list_tickets` as JSON, rendered only for rows that changed since they were last rendered."""
        page, names = self._page_rows(query, sort, after, limit)
        return [self._ticket_json_of(row, names) for _, row in page], [key for key, _ in page]

    def _ticket_json_of(self, row: tuple[Any, ...], names: dict[str, int]) -> TicketJson:
        id_ = row[names["id"]]
        body = self._ticket_json.get(id_, row, names)
        return TicketJson(id_, row[names["queue"]], row[names["version"]], body)

    def _page_rows(
        self, query: TicketQuery, sort: TicketSort, after: Sequence[int] | None, limit: int
    ) -> tuple[list[tuple[list[int], tuple[Any, ...]]], dict[str, int]]:
        queues = query.queues if query.queues is not None else tuple(q.id for q in self.list_queues())
        if not queues:
            return [], {}
        columns = SORT_COLUMNS[sort]
        if query.reverse:  # every column flips, so keyset comparisons stay one row-value compare
            columns = tuple((column, not descending) for column, descending in columns)
        # One ordered index walk per queue, merged here: SQLite can't merge an IN list
        # in index order itself and would sort every matching row instead.
        merged: list[tuple[tuple[int, ...], tuple[Any, ...]]] = []
        names: dict[str, int] = {}
        for queue in dict.fromkeys(queues):
            rows, names = self._list_one_queue(queue, query, columns, after, limit)
            key_of = itemgetter(*(names[c] for c, _ in columns))  # every sort has two columns or more
            merged.extend((key_of(row), row) for row in rows)
        if len(queues) > 1:
            merged.sort(key=lambda item: item[0], reverse=columns[0][1])
        return [(list(key), row) for key, row in merged[:limit]], names

    def ticket_json(self, ticket_id: int) -> TicketJson | None:
        rows, names = self._tuples(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,))
        return self._ticket_json_of(rows[0], names) if rows else None

    def _tuples(self, sql: str, params: Sequence[Any]) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
        """Rows as plain tuples (cheap to compare with a cached row) and each column's position."""
        with self.engine.read() as db:
            rows, names = self.engine.tuples(db, sql, params)
        return rows, {name: i for i, name in enumerate(names)}

    def _list_one_queue(
        self,
        queue: str,
        query: TicketQuery,
        columns: tuple[tuple[str, bool], ...],
        after: Sequence[int] | None,
        limit: int,
    ) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
        where: list[str] = ["t.queue = ?"]
        params: list[Any] = [queue]
        if query.statuses:
            where.append(f"t.status IN ({', '.join('?' for _ in query.statuses)})")
            params.extend(s.value for s in query.statuses)
        if query.priorities:
            where.append(f"t.priority IN ({', '.join('?' for _ in query.priorities)})")
            params.extend(p.value for p in query.priorities)
        if query.language is not None:
            where.append("t.language = ?")
            params.append(query.language.value)
        if query.unassigned:
            where.append("t.assignee_id IS NULL")
        elif query.assignee_id is not None:
            where.append("t.assignee_id = ?")
            params.append(query.assignee_id)
        if query.tag is not None:
            where.append(self.engine.tag_match)
            params.append(query.tag)
        if query.ticket_id is not None:
            where.append("t.id = ?")
            params.append(query.ticket_id)
        if query.text:
            condition, values = self.engine.text_search(query.text)
            where.append(condition)
            params.extend(values)
        if query.requester is not None:
            where.append("t.requester_account_id = ?")
            params.append(query.requester)
        if after is not None:
            if len(after) != len(columns):
                raise ValueError("cursor does not match the sort order")
            op = "<" if columns[0][1] else ">"
            where.append(
                f"({', '.join('t.' + c for c, _ in columns)}) {op} ({', '.join('?' for _ in columns)})"
            )
            params.extend(after)
        order = ", ".join(f"t.{c} {'DESC' if desc else 'ASC'}" for c, desc in columns)
        sql = f"{TICKET_SELECT} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
        return self._tuples(sql, (*params, limit))

    def worst_tickets(self, limit: int) -> list[tuple[Ticket, datetime]]:
        """Open tickets with the nearest (or most overdue) running deadline, with that deadline."""
        rows = self._conn().execute(
            f"{TICKET_SELECT} WHERE t.is_open = 1 AND t.sla_due < ? ORDER BY t.sla_due, t.id LIMIT ?",
            (NO_DUE, limit),
        )
        return [(_ticket_from_row(r), from_ms(r["sla_due"])) for r in rows]

    def open_aggregates(self, now: datetime, risk: timedelta) -> list[OpenAggregate]:
        now_ms, risk_ms = to_ms(now), to_ms(now + risk)
        rows = self._conn().execute(
            "SELECT queue, language, priority, count(*) AS n, "
            "count(*) FILTER (WHERE assignee_id IS NULL) AS unassigned, min(waiting_since) AS oldest, "
            "count(*) FILTER (WHERE sla_due >= ? AND sla_due < ?) AS at_risk, "
            "count(*) FILTER (WHERE sla_due < ?) AS breached "
            "FROM tickets WHERE is_open = 1 GROUP BY queue, language, priority",
            (now_ms, risk_ms, now_ms),
        )
        return [
            OpenAggregate(
                queue=r["queue"],
                language=Language(r["language"]),
                priority=Priority(r["priority"]),
                open=int(r["n"]),
                unassigned=int(r["unassigned"] or 0),
                oldest_waiting=_dt(r["oldest"]),
                at_risk=int(r["at_risk"] or 0),
                breached=int(r["breached"] or 0),
            )
            for r in rows
        ]

    def count_tickets(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM tickets").fetchone()[0])

    def random_open_ticket_ids(self, limit: int) -> list[int]:
        rows = self._conn().execute(
            "SELECT id FROM tickets WHERE is_open = 1 ORDER BY updated_at DESC LIMIT ?", (limit,)
        )
        return [int(r["id"]) for r in rows]

    # messages --------------------------------------------------------------
    def list_messages(
        self, ticket_id: int, descending: bool, after_id: int | None, limit: int
    ) -> list[Message]:
        rows, names = self._message_rows(ticket_id, descending, after_id, limit)
        return [_message_from_row(dict(zip(names, r, strict=True))) for r in rows]

    def list_message_json(
        self, ticket_id: int, descending: bool, after_id: int | None, limit: int
    ) -> list[tuple[int, bytes]]:
        """(id, JSON) of each message of `list_messages`, rendered once per message."""
        rows, names = self._message_rows(ticket_id, descending, after_id, limit)
        at, render = names.get("id", 0), self._message_json.get
        return [(r[at], render(r[at], r, names)) for r in rows]

    def _message_rows(
        self, ticket_id: int, descending: bool, after_id: int | None, limit: int
    ) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
        op, order = ("<", "DESC") if descending else (">", "ASC")
        if after_id is None:
            sql = f"{MESSAGE_SELECT} WHERE ticket_id = ? ORDER BY id {order} LIMIT ?"
            return self._tuples(sql, (ticket_id, limit))
        sql = f"{MESSAGE_SELECT} WHERE ticket_id = ? AND id {op} ? ORDER BY id {order} LIMIT ?"
        return self._tuples(sql, (ticket_id, after_id, limit))

    # escalations ------------------------------------------------------------
    def get_escalation(self, key: str) -> Escalation | None:
        row = self._conn().execute("SELECT * FROM escalations WHERE key = ?", (key,)).fetchone()
        return None if row is None else _escalation_from_row(row)

    def list_escalations(self, statuses: Sequence[EscalationStatus]) -> list[Escalation]:
        if statuses:
            marks = ", ".join("?" for _ in statuses)
            rows = self._conn().execute(
                f"SELECT * FROM escalations WHERE status IN ({marks}) ORDER BY seq DESC",
                [s.value for s in statuses],
            )
        else:
            rows = self._conn().execute("SELECT * FROM escalations ORDER BY seq DESC")
        return [_escalation_from_row(r) for r in rows]

    # events -------------------------------------------------------------------
    def events_after(self, after_id: int, limit: int) -> list[StoredEvent]:
        rows = self._conn().execute(
            "SELECT id, type, queue, data FROM events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
        )
        return [StoredEvent(id=r["id"], type=r["type"], queue=r["queue"], data=r["data"]) for r in rows]

    def event_bounds(self) -> tuple[int | None, int]:
        """(oldest kept id or None, last id ever assigned)."""
        db = self._conn()
        oldest = db.execute("SELECT min(id) FROM events").fetchone()[0]
        row = db.execute("SELECT value FROM event_counter WHERE id = 1").fetchone()
        return oldest, 0 if row is None else int(row[0])

    # idempotency ----------------------------------------------------------
    def idempotency_begin(
        self, caller_id: int, key: str, body_hash: str, now: datetime, keep: timedelta, lease: timedelta
    ) -> IdempotencyOutcome:
        """Start an attempt at (caller, key): a new one, or a takeover of an expired lease."""
        attempt = uuid.uuid4().hex
        # Leases run on the wall clock: they are about processes, not the (possibly demo) day.
        wall = int(time.time() * 1000)
        lease_until = wall + int(lease.total_seconds() * 1000)
        with self._tx() as db:
            db.execute("DELETE FROM idempotency WHERE created_at < ?", (to_ms(now - keep),))
            row = db.execute(
                "SELECT body_hash, state, status, body, content_type, lease_until FROM idempotency "
                "WHERE caller_id = ? AND key = ?",
                (caller_id, key),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO idempotency (caller_id, key, body_hash, state, created_at, attempt, "
                    "lease_until) VALUES (?, ?, ?, 'in_flight', ?, ?, ?)",
                    (caller_id, key, body_hash, to_ms(now), attempt, lease_until),
                )
                return IdempotencyOutcome(kind="new", attempt=attempt)
            if row["body_hash"] != body_hash:
                return IdempotencyOutcome(kind="mismatch")
            if row["state"] == "in_flight":
                held_until = row["lease_until"]
                if held_until is not None and held_until > wall:
                    return IdempotencyOutcome(kind="in_flight", retry_after=(held_until - wall) / 1000)
                # The attempt that held it died or is too slow: this one takes over. The old one
                # can no longer commit (its effect is checked against `attempt` in its transaction).
                db.execute(
                    "UPDATE idempotency SET attempt = ?, lease_until = ? WHERE caller_id = ? AND key = ?",
                    (attempt, lease_until, caller_id, key),
                )
                return IdempotencyOutcome(kind="new", attempt=attempt)
            return IdempotencyOutcome(
                kind="replay",
                status=int(row["status"]),
                body=bytes(row["body"]),
                content_type=row["content_type"],
            )

    def idempotency_finish(
        self, caller_id: int, key: str, attempt: str, status: int, body: bytes, content_type: str
    ) -> bool:
        """Remember a response that had no effect to commit with (a replayable 4xx)."""
        with self._tx() as db:
            return _idempotency_done(db, caller_id, key, attempt, status, body, content_type)

    def idempotency_release(self, caller_id: int, key: str, attempt: str) -> None:
        """Forget an attempt that ended without an answer worth replaying (if it still holds the key)."""
        with self._tx() as db:
            db.execute(
                "DELETE FROM idempotency WHERE caller_id = ? AND key = ? AND attempt = ? "
                "AND state = 'in_flight'",
                (caller_id, key, attempt),
            )

    # stats history ----------------------------------------------------------
    def history_since(self, since: datetime) -> list[HistoryPoint]:
        rows = self._conn().execute(
            "SELECT * FROM stats_history WHERE at >= ? ORDER BY at, queue", (to_ms(since),)
        )
        return [
            HistoryPoint(
                at=from_ms(r["at"]),
                queue=r["queue"],
                open=r["open"],
                created=r["created"],
                solved=r["solved"],
            )
            for r in rows
        ]

    def snapshot_counts(self, start: datetime, end: datetime) -> list[HistoryPoint]:
        """Open now, created and solved in [start, end), per queue: one history point each."""
        db = self._conn()
        s, e = to_ms(start), to_ms(end)
        open_ = dict(
            db.execute("SELECT queue, count(*) FROM tickets WHERE is_open = 1 GROUP BY queue").fetchall()
        )
        created = {
            q.id: db.execute(
                "SELECT count(*) FROM tickets WHERE queue = ? AND created_at >= ? AND created_at < ?",
                (q.id, s, e),
            ).fetchone()[0]
            for q in self.list_queues()
        }
        solved = dict(
            db.execute(
                "SELECT queue, count(*) FROM tickets WHERE solved_at >= ? AND solved_at < ? GROUP BY queue",
                (s, e),
            ).fetchall()
        )
        return [
            HistoryPoint(
                at=end,
                queue=q.id,
                open=open_.get(q.id, 0),
                created=created.get(q.id, 0),
                solved=solved.get(q.id, 0),
            )
            for q in self.list_queues()
        ]

    # bulk -----------------------------------------------------------------
    def bulk_insert(self, tickets: Iterable[BulkTicket], batch: int = 20_000) -> int:
        """Insert generated tickets with one customer message each, in big transactions."""
        inserted = 0
        chunk: list[BulkTicket] = []

        def flush() -> None:
            nonlocal inserted
            # Requesters are often shared between generated tickets; keyed by id(), which
            # stays unique while `chunk` keeps every one of them alive.
            memo: dict[int, str] = {}
            # Generated rows, straight to the engine (its bulk path may need its own connection type).
            with self._write_lock, self.engine.transaction() as db:
                self.engine.bulk_tune(db)
                next_ticket, next_message = (
                    self.engine.reserve_ids(db, table, len(chunk)) for table in ("tickets", "messages")
                )
                ticket_rows = []
                message_rows = []
                for offset, item in enumerate(chunk):
                    state = item.state
                    state.id = next_ticket + offset
                    state.last_message_id = next_message + offset
                    state.message_count = 1
                    ticket_rows.append((state.id, *_ticket_params(state, memo)))
                    message_rows.append(
                        (
                            state.last_message_id,
                            state.id,
                            MessageKind.CUSTOMER.value,
                            "customer",
                            state.requester.account_id,
                            state.requester.name,
                            item.body,
                            to_ms(state.created_at),
                        )
                    )
                self.engine.insert_rows(
                    db, "tickets", ("id", *(c.strip() for c in TICKET_COLUMNS.split(","))), ticket_rows
                )
                self.engine.insert_rows(db, "messages", MESSAGE_COLUMNS, message_rows)
            inserted += len(chunk)
            chunk.clear()

        empty = self.count_tickets() == 0
        self.engine.bulk_begin(empty)
        for item in tickets:
            chunk.append(item)
            if len(chunk) >= batch:
                flush()
        if chunk:
            flush()
        self.engine.bulk_end(empty)
        self._generation += 1
        return inserted
