"""Tables as the SQL core sees them: column lists, and rows turned into models and back.

Every statement of the core names its columns through these constants, and every row it
reads becomes a record (server/records.py) or a contract model here, so the rest of the
server never handles a row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from supportdesk_tui.contract.models import (
    PRIORITY_RANK,
    AgentRef,
    Attachment,
    AuditEntry,
    Author,
    Environment,
    Escalation,
    EscalationStatus,
    HistoryEntry,
    Language,
    Message,
    MessageKind,
    Priority,
    Requester,
    Role,
    Severity,
    Status,
    Ticket,
)
from supportdesk_tui.server.records import (
    OPEN_STATUSES,
    AccountRecord,
    AgentRecord,
    TicketState,
    from_ms,
    to_ms,
    tracker_url,
)
from supportdesk_tui.server.views import ticket_from_state

NO_DUE = 2**62  # sort-key stand-in for "no deadline running": sorts after every real time
# A row by column name: the engine's row (sqlite3.Row, NamedRow), or a dict built from a plain
# tuple row (see connections.read_tuples).
Row = Any | Mapping[str, Any]


def ms_or_none(value: datetime | None) -> int | None:
    return None if value is None else to_ms(value)


def datetime_or_none(value: int | None) -> datetime | None:
    return None if value is None else from_ms(value)


def ticket_search_text(state: TicketState) -> str:
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
# A message's attachments (their JSON list) are written after the message row; a bulk load has none.
MESSAGE_SELECT = f"SELECT {', '.join(MESSAGE_COLUMNS)}, attachments FROM messages"
TICKET_PLACEHOLDERS = ", ".join("?" for _ in TICKET_COLUMNS.split(","))
TICKET_SELECT = (
    "SELECT t.*, a.login AS a_login, a.name AS a_name, e.status AS e_status FROM tickets t "
    "LEFT JOIN agents a ON a.id = t.assignee_id LEFT JOIN escalations e ON e.key = t.escalation_key"
)


def ticket_params(state: TicketState, memo: dict[int, str] | None = None) -> tuple[Any, ...]:
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
        ticket_search_text(state),
        state.assignee_id,
        to_ms(state.created_at),
        to_ms(state.updated_at),
        ms_or_none(state.waiting_since),
        NO_DUE if state.waiting_since is None else to_ms(state.waiting_since),
        state.last_message_id,
        state.message_count,
        ms_or_none(state.first_response_due),
        ms_or_none(state.first_responded_at),
        ms_or_none(state.next_response_due),
        ms_or_none(state.resolution_due),
        ms_or_none(state.paused_at),
        ms_or_none(state.solved_at),
        NO_DUE if state.sla_due is None else to_ms(state.sla_due),
        None if state.environment is None else state.environment.model_dump_json(),
        state.escalation_key,
        1 if state.needs_reply else 0,
    )


def state_from_row(row: Row) -> TicketState:
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
        waiting_since=datetime_or_none(row["waiting_since"]),
        last_message_id=row["last_message_id"],
        message_count=row["message_count"],
        first_response_due=datetime_or_none(row["first_response_due"]),
        first_responded_at=datetime_or_none(row["first_responded_at"]),
        next_response_due=datetime_or_none(row["next_response_due"]),
        resolution_due=datetime_or_none(row["resolution_due"]),
        paused_at=datetime_or_none(row["paused_at"]),
        solved_at=datetime_or_none(row["solved_at"]),
        sla_due=None if row["sla_due"] >= NO_DUE else from_ms(row["sla_due"]),
        environment=None
        if row["environment"] is None
        else Environment.model_validate_json(row["environment"]),
        escalation_key=row["escalation_key"],
        needs_reply=bool(row["needs_reply"]),
    )


def ticket_from_row(row: Row) -> Ticket:
    assignee = (
        AgentRef(id=row["assignee_id"], login=row["a_login"], name=row["a_name"])
        if row["assignee_id"] is not None and row["a_login"] is not None
        else None
    )
    escalation = None if row["e_status"] is None else EscalationStatus(row["e_status"])
    return ticket_from_state(state_from_row(row), assignee, escalation)


# Presence is not in the row: it is added per request (see Service.ticket_bytes), so the cached
# JSON carries an empty list last, where it can be spliced in.
EMPTY_PRESENCE = b',"presence":[]}'


def ticket_json_from_row(row: Row) -> bytes:
    ticket = ticket_from_row(row)
    return ticket.model_dump_json(exclude={"presence"}).encode()[:-1] + EMPTY_PRESENCE


def message_json_from_row(row: Row) -> bytes:
    return message_from_row(row).model_dump_json().encode()


def message_from_row(row: Row) -> Message:
    return Message(
        id=row["id"],
        ticket_id=row["ticket_id"],
        kind=MessageKind(row["kind"]),
        author=Author(type=row["author_type"], id=row["author_id"], name=row["author_name"]),
        body=row["body"],
        created_at=from_ms(row["created_at"]),
        attachments=[Attachment.model_validate(item) for item in json.loads(row["attachments"] or "[]")],
    )


def attachments_json(attachments: list[Attachment]) -> str:
    return json.dumps([a.model_dump(mode="json") for a in attachments], ensure_ascii=False)


# Counted when read (a handful of rows by the escalation index), never stored: a count kept in the
# escalation's row would need every ticket write to remember to move it.
ESCALATION_SELECT = (
    "SELECT e.*, "
    "(SELECT COUNT(*) FROM tickets t WHERE t.escalation_key = e.key) AS linked_tickets, "
    "(SELECT COUNT(DISTINCT t.requester_account_id) FROM tickets t WHERE t.escalation_key = e.key) "
    "AS affected_customers FROM escalations e"
)


def escalation_from_row(row: Row) -> Escalation:
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
        linked_tickets=row["linked_tickets"],
        affected_customers=row["affected_customers"],
    )


def audit_from_row(row: Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        ticket_id=row["ticket_id"],
        agent=AgentRef(id=row["agent_id"], login=row["agent_login"], name=row["agent_name"]),
        kind=row["kind"],
        step_id=row["step_id"],
        action=row["action"],
        summary=row["summary"],
        created_at=from_ms(row["created_at"]),
    )


def history_from_row(row: Row) -> HistoryEntry:
    return HistoryEntry(
        id=row["id"],
        ticket_id=row["ticket_id"],
        kind=row["kind"],
        actor=Author(type=row["actor_type"], id=row["actor_id"], name=row["actor_name"]),
        old=row["old_value"],
        new=row["new_value"],
        ref=row["ref"],
        at=from_ms(row["created_at"]),
    )


def account_from_row(row: Row | None, account_id: str) -> AccountRecord:
    if row is None:
        return AccountRecord(account_id=account_id)
    return AccountRecord(
        account_id=account_id,
        signed_out_at=datetime_or_none(row["signed_out_at"]),
        reset_sent_at=datetime_or_none(row["reset_sent_at"]),
        deletion_scheduled_for=datetime_or_none(row["deletion_scheduled_for"]),
    )


def agent_from_row(row: Row) -> AgentRecord:
    return AgentRecord(
        id=row["id"],
        login=row["login"],
        name=row["name"],
        role=Role(row["role"]),
        languages=tuple(Language(x) for x in json.loads(row["languages"])),
        queues=tuple(json.loads(row["queues"])),
    )
