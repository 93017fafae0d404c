"""What linking tickets to an escalation did, in one sentence per outcome (for a toast or a summary)."""

from __future__ import annotations

from supportdesk_tui.contract.models import EscalationLinkResult, LinkSkipReason
from supportdesk_tui.i18n import _, ngettext


def link_summary(result: EscalationLinkResult) -> str:
    escalation = result.escalation
    parts: list[str] = []
    if result.linked:
        parts.append(ngettext("Linked {n} ticket to {key}.", "Linked {n} tickets to {key}.",
                              len(result.linked)).format(n=len(result.linked), key=escalation.key))
    already = [s.ticket_id for s in result.skipped if s.reason is LinkSkipReason.ALREADY_LINKED]
    elsewhere = [s for s in result.skipped if s.reason is LinkSkipReason.OTHER_ESCALATION]
    missing = [s.ticket_id for s in result.skipped if s.reason is LinkSkipReason.NOT_FOUND]
    if already:
        parts.append(_("Already linked: {ids}.").format(ids=_ids(already)))
    if elsewhere:
        parts.append(_("Linked to another escalation: {ids}.").format(
            ids=", ".join(f"#{s.ticket_id} ({s.other_key})" for s in elsewhere)))
    if missing:
        parts.append(_("Not found or not yours to see: {ids}.").format(ids=_ids(missing)))
    count = escalation.affected_customers
    parts.append(ngettext("{n} customer affected.", "{n} customers affected.", count).format(n=count))
    return " ".join(parts)


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)
