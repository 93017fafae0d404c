"""A ticket's history: every change, with who and when (issue 18).

The service takes a `Tracked` snapshot of a ticket before it changes it and calls
`record_changes` with the ticket as saved; one history line per field that moved, in the same
transaction as the change. Changes that are not fields of the ticket (a merge, a link to an
escalation, an account action) call `WriteTx.record_history` themselves.

Why beside the audit trail and not in it: the audit (server/accounts.py) is the account-security
record — verification steps, revealed secrets, account actions — that the playbooks check before
an account may be changed, and its summaries are evidence, not old → new values. History records
every ticket's field changes for everyone working it; an account action is written to both (the
audit keeps its own entry; history gets one line so the conversation's timeline shows it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from supportdesk_tui.contract.models import Author, HistoryKind, Priority, Status
from supportdesk_tui.server.records import TicketState
from supportdesk_tui.server.store import WriteTx

__all__ = ["Tracked", "record_changes"]


@dataclass(frozen=True)
class Tracked:
    """The fields of a ticket whose changes go to its history."""

    status: Status
    priority: Priority
    tags: tuple[str, ...]
    assignee_id: int | None
    queue: str
    escalation_key: str | None

    @classmethod
    def of(cls, state: TicketState) -> Tracked:
        return cls(state.status, state.priority, tuple(state.tags), state.assignee_id, state.queue,
                   state.escalation_key)


def record_changes(tx: WriteTx, before: Tracked, state: TicketState, actor: Author, at: datetime,
                   agent_name: Callable[[int], str | None]) -> None:
    """One history line per tracked field of `state` that differs from `before`."""
    after = Tracked.of(state)
    ticket_id = state.id
    if after.status != before.status:
        tx.record_history(ticket_id, actor, HistoryKind.STATUS, before.status.value, after.status.value, at)
    if after.priority != before.priority:
        tx.record_history(ticket_id, actor, HistoryKind.PRIORITY, before.priority.value,
                          after.priority.value, at)
    if after.tags != before.tags:
        tx.record_history(ticket_id, actor, HistoryKind.TAGS, ", ".join(before.tags) or None,
                          ", ".join(after.tags) or None, at)
    if after.queue != before.queue:
        tx.record_history(ticket_id, actor, HistoryKind.QUEUE, before.queue, after.queue, at)
    if after.assignee_id != before.assignee_id:
        # Names as they were then: the line still reads right after someone is renamed or leaves.
        def name(agent_id: int | None) -> str | None:
            return None if agent_id is None else agent_name(agent_id) or f"#{agent_id}"

        tx.record_history(ticket_id, actor, HistoryKind.ASSIGNEE, name(before.assignee_id),
                          name(after.assignee_id), at)
    if after.escalation_key != before.escalation_key and after.escalation_key is not None:
        tx.record_history(ticket_id, actor, HistoryKind.ESCALATED, before.escalation_key,
                          after.escalation_key, at, ref=after.escalation_key)

