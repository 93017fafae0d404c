"""A message claims its attachments: the caller's own uploads that no message has claimed yet."""

from __future__ import annotations

from collections.abc import Sequence

from supportdesk_tui.contract.models import Attachment
from supportdesk_tui.server.errors import invalid
from supportdesk_tui.server.records import AgentRecord
from supportdesk_tui.server.store import WriteTx


def claim_uploads(tx: WriteTx, caller: AgentRecord, ids: Sequence[int], field: str) -> list[Attachment]:
    """The caller's own unclaimed uploads named by `ids`; any other id is a 422 (someone else's,
    already claimed, or unknown all read the same)."""
    if not ids:
        return []
    found = tx.unclaimed_uploads(caller.id, ids)
    missing = sorted(set(ids) - {a.id for a in found})
    if missing:
        raise invalid(["body", field], f"No unclaimed upload of yours with id {missing[0]}.")
    return found
