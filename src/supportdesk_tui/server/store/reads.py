"""Reads of committed data: each one a fresh look, on a connection the engine lends for it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from supportdesk_tui.contract.models import (
    AuditEntry,
    CannedReply,
    Component,
    Escalation,
    EscalationStatus,
    HistoryEntry,
    HistoryPoint,
    Language,
    Message,
    Priority,
    Role,
    Ticket,
    TicketSort,
)
from supportdesk_tui.server.records import (
    AccountRecord,
    AgentRecord,
    AttachmentRecord,
    OpenAggregate,
    QueueRecord,
    StoredEvent,
    TicketJson,
    TicketQuery,
    TokenRecord,
    from_ms,
    to_ms,
)
from supportdesk_tui.server.rowjson import RowJsonCache
from supportdesk_tui.server.storage.engine import Engine
from supportdesk_tui.server.store.connections import CommittedReads, read_tuples
from supportdesk_tui.server.store.rows import (
    ESCALATION_SELECT,
    MESSAGE_SELECT,
    NO_DUE,
    TICKET_SELECT,
    account_from_row,
    agent_from_row,
    audit_from_row,
    datetime_or_none,
    escalation_from_row,
    history_from_row,
    message_from_row,
    message_json_from_row,
    ticket_from_row,
    ticket_json_from_row,
)
from supportdesk_tui.server.store.ticket_pages import PageRows, count_matching, page_rows


class StoreReads:
    """The read half of `SqlStore` (see store/protocol.py); queue counts, cached per commit, are
    SqlStore's own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reads = CommittedReads(engine)
        self._ticket_json = RowJsonCache(ticket_json_from_row)
        self._message_json = RowJsonCache(message_json_from_row)

    def _conn(self) -> CommittedReads:
        return self._reads

    # agents and tokens -------------------------------------------------------
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
        return None if row is None else agent_from_row(row)

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
                revoked_at=datetime_or_none(r["revoked_at"]),
            )
            for r in rows
        ]

    def agent_by_login(self, login: str) -> AgentRecord | None:
        row = self._conn().execute("SELECT * FROM agents WHERE login = ?", (login,)).fetchone()
        return None if row is None else agent_from_row(row)

    def agent_by_id(self, agent_id: int) -> AgentRecord | None:
        row = self._conn().execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
        return None if row is None else agent_from_row(row)

    def list_agents(self) -> list[AgentRecord]:
        rows = self._conn().execute("SELECT * FROM agents ORDER BY id").fetchall()
        return [agent_from_row(r) for r in rows]

    def last_replies(self) -> dict[int, datetime]:
        rows = self._conn().execute("SELECT id, last_reply_at FROM agents WHERE last_reply_at IS NOT NULL")
        return {int(r["id"]): from_ms(r["last_reply_at"]) for r in rows}

    def open_assigned_counts(self) -> dict[int, int]:
        rows = self._conn().execute(
            "SELECT assignee_id, count(*) AS n FROM tickets WHERE is_open = 1 AND assignee_id IS NOT NULL "
            "GROUP BY assignee_id"
        )
        return {int(r["assignee_id"]): int(r["n"]) for r in rows}

    # queues and reference data -----------------------------------------------
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

    # accounts and audit ------------------------------------------------------
    def list_audit(self, ticket_id: int) -> list[AuditEntry]:
        rows = (
            self._conn()
            .execute("SELECT * FROM audit WHERE ticket_id = ? ORDER BY id", (ticket_id,))
            .fetchall()
        )
        return [audit_from_row(r) for r in rows]

    def list_history(self, ticket_id: int) -> list[HistoryEntry]:
        rows = (
            self._conn()
            .execute("SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY id", (ticket_id,))
            .fetchall()
        )
        return [history_from_row(r) for r in rows]

    def get_account(self, account_id: str) -> AccountRecord:
        row = self._conn().execute("SELECT * FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        return account_from_row(row, account_id)

    # tickets -----------------------------------------------------------------
    def get_ticket(self, ticket_id: int) -> Ticket | None:
        row = self._conn().execute(f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,)).fetchone()
        return None if row is None else ticket_from_row(row)

    def ticket_queue(self, ticket_id: int) -> str | None:
        row = self._conn().execute("SELECT queue FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else str(row["queue"])

    def list_tickets(
        self, query: TicketQuery, sort: TicketSort, after: Sequence[int] | None, limit: int
    ) -> tuple[list[Ticket], list[list[int]]]:
        """One page in sort order; returns the tickets and each one's sort key (for cursors)."""
        page, names = self._page_rows(query, sort, after, limit)
        tickets = [ticket_from_row(dict(zip(names, row, strict=True))) for _, row in page]
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
    ) -> PageRows:
        queues = query.queues if query.queues is not None else tuple(q.id for q in self.list_queues())
        return page_rows(self.engine, queues, query, sort, after, limit)

    def count_matching(self, query: TicketQuery) -> int:
        queues = query.queues if query.queues is not None else tuple(q.id for q in self.list_queues())
        return count_matching(self.engine, queues, query)

    def ticket_json(self, ticket_id: int) -> TicketJson | None:
        rows, names = read_tuples(self.engine, f"{TICKET_SELECT} WHERE t.id = ?", (ticket_id,))
        return self._ticket_json_of(rows[0], names) if rows else None

    def worst_tickets(self, limit: int) -> list[tuple[Ticket, datetime]]:
        """Open tickets with the nearest (or most overdue) running deadline, with that deadline."""
        rows = self._conn().execute(
            f"{TICKET_SELECT} WHERE t.is_open = 1 AND t.sla_due < ? ORDER BY t.sla_due, t.id LIMIT ?",
            (NO_DUE, limit),
        )
        return [(ticket_from_row(r), from_ms(r["sla_due"])) for r in rows]

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
                oldest_waiting=datetime_or_none(r["oldest"]),
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

    # messages ----------------------------------------------------------------
    def list_messages(
        self, ticket_id: int, descending: bool, after_id: int | None, limit: int
    ) -> list[Message]:
        rows, names = self._message_rows(ticket_id, descending, after_id, limit)
        return [message_from_row(dict(zip(names, r, strict=True))) for r in rows]

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
            return read_tuples(self.engine, sql, (ticket_id, limit))
        sql = f"{MESSAGE_SELECT} WHERE ticket_id = ? AND id {op} ? ORDER BY id {order} LIMIT ?"
        return read_tuples(self.engine, sql, (ticket_id, after_id, limit))

    # attachments -------------------------------------------------------------
    def get_attachment(self, attachment_id: int) -> AttachmentRecord | None:
        row = self._conn().execute(
            "SELECT id, uploader_id, ticket_id, message_id, name, content_type, size, created_at "
            "FROM attachments WHERE id = ?",
            (attachment_id,),
        ).fetchone()
        if row is None:
            return None
        return AttachmentRecord(
            id=int(row["id"]),
            uploader_id=int(row["uploader_id"]),
            ticket_id=None if row["ticket_id"] is None else int(row["ticket_id"]),
            message_id=None if row["message_id"] is None else int(row["message_id"]),
            name=row["name"],
            content_type=row["content_type"],
            size=int(row["size"]),
            created_at=from_ms(row["created_at"]),
        )

    def attachment_data(self, attachment_id: int) -> bytes | None:
        row = self._conn().execute("SELECT data FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
        return None if row is None else bytes(row["data"])

    # escalations -------------------------------------------------------------
    def get_escalation(self, key: str) -> Escalation | None:
        row = self._conn().execute(f"{ESCALATION_SELECT} WHERE e.key = ?", (key,)).fetchone()
        return None if row is None else escalation_from_row(row)

    def list_escalations(self, statuses: Sequence[EscalationStatus]) -> list[Escalation]:
        if statuses:
            marks = ", ".join("?" for _ in statuses)
            rows = self._conn().execute(
                f"{ESCALATION_SELECT} WHERE e.status IN ({marks}) ORDER BY e.seq DESC",
                [s.value for s in statuses],
            )
        else:
            rows = self._conn().execute(f"{ESCALATION_SELECT} ORDER BY e.seq DESC")
        return [escalation_from_row(r) for r in rows]

    def linked_tickets(self, key: str) -> list[Ticket]:
        rows = self._conn().execute(f"{TICKET_SELECT} WHERE t.escalation_key = ? ORDER BY t.id", (key,))
        return [ticket_from_row(r) for r in rows]

    def recent_unlinked_tickets(self, since: datetime, limit: int) -> list[Ticket]:
        """Open tickets created since `since` and linked to no escalation, newest first."""
        rows = self._conn().execute(
            f"{TICKET_SELECT} WHERE t.is_open = 1 AND t.escalation_key IS NULL AND t.created_at >= ? "
            "ORDER BY t.created_at DESC, t.id DESC LIMIT ?",
            (to_ms(since), limit),
        )
        return [ticket_from_row(r) for r in rows]

    def first_message_bodies(self, ticket_ids: Sequence[int]) -> dict[int, str]:
        """The customer's opening message of each ticket (what suggestions compare words with)."""
        if not ticket_ids:
            return {}
        marks = ", ".join("?" for _ in ticket_ids)
        rows = self._conn().execute(
            f"SELECT m.ticket_id, m.body FROM messages m WHERE m.id IN "
            f"(SELECT MIN(id) FROM messages WHERE ticket_id IN ({marks}) GROUP BY ticket_id)",
            list(ticket_ids),
        )
        return {int(r["ticket_id"]): str(r["body"]) for r in rows}

    # events ------------------------------------------------------------------
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

    # stats history -----------------------------------------------------------
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
