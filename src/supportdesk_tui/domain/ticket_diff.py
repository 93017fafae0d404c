"""What changed between two versions of a ticket, in words an agent reads at a glance."""

from __future__ import annotations

from supportdesk_tui.contract.models import Ticket, TicketPatch


def _assignee(ticket: Ticket) -> str:
    return ticket.assignee.name if ticket.assignee else "—"


def describe_changes(before: Ticket, after: Ticket) -> list[tuple[str, str, str]]:
    """(field, old, new) for every field an agent can change that differs."""
    changes: list[tuple[str, str, str]] = []
    pairs = [
        ("status", before.status.value, after.status.value),
        ("priority", before.priority.value, after.priority.value),
        ("assignee", _assignee(before), _assignee(after)),
        ("queue", before.queue, after.queue),
        ("tags", ", ".join(before.tags) or "—", ", ".join(after.tags) or "—"),
    ]
    for name, old, new in pairs:
        if old != new:
            changes.append((name, old, new))
    if (after.last_message_id or 0) > (before.last_message_id or 0):
        changes.append(("messages", str(before.message_count), str(after.message_count)))
    return changes


def touched_fields(before: Ticket, after: Ticket) -> set[str]:
    """Names of the agent-editable fields that differ between two versions of a ticket."""
    return {name for name, _old, _new in describe_changes(before, after)} - {"messages"}


def patched_fields(patch: TicketPatch) -> set[str]:
    """Names, in `describe_changes` terms, of the fields a patch sets."""
    names = {"assignee_id": "assignee"}
    return {names.get(field, field) for field in patch.model_dump(exclude_none=True)}
