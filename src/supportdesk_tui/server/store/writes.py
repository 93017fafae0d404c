"""`WriteTx`: everything the server may change, inside one `Store.write()` transaction.

The service reads what it needs through the same transaction, decides, and writes; events
recorded here reach the commit listeners once the transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from supportdesk_tui.contract.models import (
    AgentRef,
    Attachment,
    AuditEntry,
    Author,
    CannedReply,
    Component,
    Environment,
    Escalation,
    EscalationStatus,
    HistoryEntry,
    HistoryKind,
    HistoryPoint,
    Language,
    Message,
    MessageKind,
    Role,
    Severity,
    Ticket,
)
from supportdesk_tui.server.records import (
    AccountRecord,
    AgentRecord,
    QueueRecord,
    StoredEvent,
    TicketState,
    to_ms,
)
from supportdesk_tui.server.storage.engine import DbConn
from supportdesk_tui.server.store.idempotency import store_response
from supportdesk_tui.server.store.rows import (
    ESCALATION_SELECT,
    MESSAGE_SELECT,
    TICKET_COLUMNS,
    TICKET_PLACEHOLDERS,
    TICKET_SELECT,
    account_from_row,
    agent_from_row,
    attachments_json,
    audit_from_row,
    escalation_from_row,
    history_from_row,
    message_from_row,
    ms_or_none,
    state_from_row,
    ticket_from_row,
    ticket_params,
)


class WriteTx:
    """The operations available inside `Store.write()`; all run in one transaction."""

    def __init__(self, db: DbConn) -> None:
        self._db = db
        self.events: list[StoredEvent] = []

    # tickets
    def ticket_state(self, ticket_id: int) -> TicketState | None:
        row = self._db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else state_from_row(row)

    def insert_ticket(self, state: TicketState) -> int:
        cur = self._db.execute(
            f"INSERT INTO tickets ({TICKET_COLUMNS}) VALUES ({TICKET_PLACEHOLDERS}) RETURNING id",
            ticket_params(state),
        )
        state.id = int(cur.fetchone()[0])
        return state.id

    def save_ticket(self, state: TicketState) -> None:
        assignments = ", ".join(f"{c.strip()} = ?" for c in TICKET_COLUMNS.split(","))
        self._db.execute(f"UPDATE tickets SET {assignments} WHERE id = ?", (*ticket_params(state), state.id))

    def ticket(self, ticket_id: int) -> Ticket:
        row = self._db.execute(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise KeyError(ticket_id)
        return ticket_from_row(row)

    # messages
    def insert_message(
        self,
        ticket_id: int,
        kind: MessageKind,
        author: Author,
        body: str,
        at: datetime,
        attachments: Sequence[Attachment] = (),
    ) -> Message:
        """A new message; `attachments` are uploads it claims (see `unclaimed_uploads`)."""
        cur = self._db.execute(
            "INSERT INTO messages (ticket_id, kind, author_type, author_id, author_name, body, created_at, "
            "attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket_id, kind.value, author.type, author.id, author.name, body, to_ms(at),
             attachments_json(list(attachments))),
        )
        message_id = int(cur.fetchone()[0])
        if attachments:
            marks = ", ".join("?" for _ in attachments)
            self._db.execute(
                f"UPDATE attachments SET ticket_id = ?, message_id = ? WHERE id IN ({marks})",
                (ticket_id, message_id, *(a.id for a in attachments)),
            )
        return Message(
            id=message_id, ticket_id=ticket_id, kind=kind, author=author, body=body, created_at=at,
            attachments=list(attachments),
        )

    # attachments
    def insert_upload(
        self, uploader_id: int, name: str, content_type: str, data: bytes, sha256: str, at: datetime
    ) -> Attachment:
        cur = self._db.execute(
            "INSERT INTO attachments (uploader_id, name, content_type, size, sha256, data, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (uploader_id, name, content_type, len(data), sha256, data, to_ms(at)),
        )
        return Attachment(id=int(cur.fetchone()[0]), name=name, content_type=content_type, size=len(data))

    def unclaimed_uploads(self, uploader_id: int, ids: Sequence[int]) -> list[Attachment]:
        """The caller's own uploads no message has claimed, in the order of `ids` (missing ones left out)."""
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = self._db.execute(
            f"SELECT id, name, content_type, size FROM attachments WHERE id IN ({marks}) "
            "AND uploader_id = ? AND message_id IS NULL",
            (*ids, uploader_id),
        ).fetchall()
        found = {int(r["id"]): r for r in rows}
        return [
            Attachment(id=i, name=row["name"], content_type=row["content_type"], size=row["size"])
            for i in dict.fromkeys(ids)
            if (row := found.get(i)) is not None
        ]

    def delete_attachments_of(self, ticket_ids: Sequence[int]) -> int:
        """Remove the files of these tickets (and their mention in the messages); how many went."""
        if not ticket_ids:
            return 0
        marks = ", ".join("?" for _ in ticket_ids)
        cur = self._db.execute(f"DELETE FROM attachments WHERE ticket_id IN ({marks})", tuple(ticket_ids))
        self._db.execute(
            f"UPDATE messages SET attachments = '[]' WHERE ticket_id IN ({marks}) AND attachments <> '[]'",
            tuple(ticket_ids),
        )
        return int(cur.rowcount or 0)

    def delete_stale_uploads(self, before: datetime) -> int:
        cur = self._db.execute(
            "DELETE FROM attachments WHERE message_id IS NULL AND created_at < ?", (to_ms(before),)
        )
        return int(cur.rowcount or 0)

    def accounts_due_for_deletion(self, now: datetime) -> list[str]:
        rows = self._db.execute(
            "SELECT account_id FROM accounts WHERE deletion_scheduled_for IS NOT NULL "
            "AND deletion_scheduled_for <= ? ORDER BY account_id",
            (to_ms(now),),
        ).fetchall()
        return [str(r["account_id"]) for r in rows]

    def messages_after(self, ticket_id: int, after_id: int) -> list[Message]:
        rows = self._db.execute(
            f"{MESSAGE_SELECT} WHERE ticket_id = ? AND id > ? ORDER BY id", (ticket_id, after_id)
        ).fetchall()
        return [message_from_row(r) for r in rows]

    def existing_message_ids(self, ticket_id: int, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        marks = ", ".join("?" for _ in ids)
        rows = self._db.execute(
            f"SELECT id FROM messages WHERE ticket_id = ? AND id IN ({marks})", (ticket_id, *ids)
        ).fetchall()
        return {int(r["id"]) for r in rows}

    def move_messages(self, from_ticket_ids: Sequence[int], to_ticket_id: int) -> list[Message]:
        """Re-home every message of `from_ticket_ids` to `to_ticket_id` (a merge); returns them.

        Ids stay (cursors, escalations and attachments name messages by id), so the survivor's
        thread, read in id order, is the order they were written in.
        """
        if not from_ticket_ids:
            return []
        marks = ", ".join("?" for _ in from_ticket_ids)
        rows = self._db.execute(
            f"{MESSAGE_SELECT} WHERE ticket_id IN ({marks}) ORDER BY id", tuple(from_ticket_ids)
        ).fetchall()
        self._db.execute(
            f"UPDATE messages SET ticket_id = ? WHERE ticket_id IN ({marks})",
            (to_ticket_id, *from_ticket_ids),
        )
        return [message_from_row(r).model_copy(update={"ticket_id": to_ticket_id}) for r in rows]

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
        row = self._db.execute(f"{ESCALATION_SELECT} WHERE e.key = ?", (key,)).fetchone()
        return None if row is None else escalation_from_row(row)

    def linked_ticket_queues(self, key: str) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT queue FROM tickets WHERE escalation_key = ? ORDER BY queue",
                                (key,))
        return [str(r["queue"]) for r in rows.fetchall()]

    def linked_ticket_ids(self, key: str) -> list[int]:
        rows = self._db.execute("SELECT id FROM tickets WHERE escalation_key = ? ORDER BY id", (key,))
        return [int(r["id"]) for r in rows.fetchall()]

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
        return [state_from_row(r) for r in rows]

    def account(self, account_id: str) -> AccountRecord:
        row = self._db.execute("SELECT * FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        return account_from_row(row, account_id)

    def save_account(self, account: AccountRecord) -> None:
        self._db.execute(
            "INSERT INTO accounts (account_id, signed_out_at, reset_sent_at, deletion_scheduled_for) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET "
            "signed_out_at = excluded.signed_out_at, reset_sent_at = excluded.reset_sent_at, "
            "deletion_scheduled_for = excluded.deletion_scheduled_for",
            (
                account.account_id,
                ms_or_none(account.signed_out_at),
                ms_or_none(account.reset_sent_at),
                ms_or_none(account.deletion_scheduled_for),
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
        action: str | None = None,
    ) -> AuditEntry:
        cur = self._db.execute(
            "INSERT INTO audit (ticket_id, agent_id, agent_login, agent_name, kind, step_id, action, "
            "summary, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket_id, agent.id, agent.login, agent.name, kind, step_id, action, summary, to_ms(at)),
        )
        audit_id = int(cur.fetchone()[0])
        row = self._db.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)).fetchone()
        return audit_from_row(row)

    # a ticket's history (issue 18): every change, with who and when
    def record_history(
        self,
        ticket_id: int,
        actor: Author,
        kind: HistoryKind,
        old: str | None,
        new: str | None,
        at: datetime,
        ref: str | None = None,
    ) -> HistoryEntry:
        """One line of the ticket's history, in the same transaction as the change it records.

        Field changes of a saved ticket are recorded by `server/history.py` (`record_changes`);
        a change that is not a field (a merge, a link to an escalation) calls this directly."""
        cur = self._db.execute(
            "INSERT INTO ticket_history (ticket_id, kind, actor_type, actor_id, actor_name, old_value, "
            "new_value, ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (ticket_id, kind.value, actor.type, actor.id, actor.name, old, new, ref, to_ms(at)),
        )
        entry_id = int(cur.fetchone()[0])
        row = self._db.execute("SELECT * FROM ticket_history WHERE id = ?", (entry_id,)).fetchone()
        return history_from_row(row)

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
        return agent_from_row(row)

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
        return store_response(self._db, caller_id, key, attempt, status, body, content_type)
