"""The conversation's timeline lines: a ticket's history entries in our own words.

Every value in an entry came from the server (names, tags, queue ids, keys): the words returned
here are plain strings for the safe-text path, never markup, and each value is cut to one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from supportdesk_tui.contract.models import AccountAction, HistoryEntry, HistoryKind
from supportdesk_tui.domain.plain_text import one_line
from supportdesk_tui.i18n import N_, _, pgettext
from supportdesk_tui.i18n.labels import escalation_status_label, priority_label, status_label

__all__ = ["describe", "entries_between", "tag_changes"]

_VALUE_MAX = 60
_ACCOUNT_ACTIONS = {
    AccountAction.SIGN_OUT_ALL.value: N_("signed out all sessions"),
    AccountAction.SEND_RESET_LINK.value: N_("sent a password reset link"),
    AccountAction.UNLINK_PHONE.value: N_("unlinked the phone number"),
    AccountAction.SCHEDULE_DELETION.value: N_("scheduled the account deletion"),
    AccountAction.CANCEL_DELETION.value: N_("cancelled the scheduled deletion"),
}


def _value(value: str | None) -> str:
    text = one_line(value or "")
    return text if len(text) <= _VALUE_MAX else text[: _VALUE_MAX - 1] + "…"


def tag_changes(old: str | None, new: str | None) -> tuple[list[str], list[str]]:
    """(added, removed) between two comma-separated tag lists."""
    before = [t.strip() for t in (old or "").split(",") if t.strip()]
    after = [t.strip() for t in (new or "").split(",") if t.strip()]
    return [t for t in after if t not in before], [t for t in before if t not in after]


def describe(entry: HistoryEntry, queue_name: Callable[[str], str] = str) -> str:
    """One line, e.g. "Anna Petrova: status Open → Pending"."""
    who = _value(entry.actor.name) or _("someone")
    old, new, ref = entry.old, entry.new, _value(entry.ref)
    kind = entry.kind
    if kind is HistoryKind.STATUS:
        what = _("status {old} → {new}").format(old=status_label(old or ""), new=status_label(new or ""))
    elif kind is HistoryKind.PRIORITY:
        what = _("priority {old} → {new}").format(old=priority_label(old or ""),
                                                   new=priority_label(new or ""))
    elif kind is HistoryKind.TAGS:
        added, removed = tag_changes(old, new)
        parts = [f"+{_value(t)}" for t in added] + [f"−{_value(t)}" for t in removed]
        what = _("tags {changes}").format(changes=" ".join(parts) or "—")
    elif kind is HistoryKind.ASSIGNEE:
        if new is None:
            what = _("unassigned {name}").format(name=_value(old))
        else:
            what = pgettext("history", "assigned to {name}").format(name=_value(new))
    elif kind is HistoryKind.QUEUE:
        what = _("queue {old} → {new}").format(old=_value(queue_name(old or "")),
                                               new=_value(queue_name(new or "")))
    elif kind is HistoryKind.ESCALATED:
        what = _("escalated to engineering as {key}").format(key=_value(new))
    elif kind is HistoryKind.ESCALATION_STATUS:
        what = _("{key} {old} → {new}").format(key=ref, old=escalation_status_label(old or ""),
                                               new=escalation_status_label(new or ""))
    elif kind is HistoryKind.ESCALATION_LINKED:
        what = _("linked to {key}").format(key=ref or _value(new))
    elif kind is HistoryKind.ESCALATION_UNLINKED:
        what = _("unlinked from {key}").format(key=ref or _value(old))
    elif kind is HistoryKind.MERGED_INTO:
        what = _("merged into #{id}").format(id=ref or _value(new))
    elif kind is HistoryKind.MERGED_FROM:
        what = _("merged #{id} into this ticket").format(id=ref or _value(new))
    elif kind is HistoryKind.ACCOUNT_ACTION:
        known = _ACCOUNT_ACTIONS.get(new or "")
        what = _(known) if known else _("account action: {action}").format(action=_value(new))
    else:  # pragma: no cover - every kind is named above; a newer server's kind still reads
        what = _("changed {what}").format(what=_value(str(kind)))
    return f"{who}: {what}"


def entries_between(entries: Sequence[HistoryEntry], start: datetime | None,
                    end: datetime | None) -> list[HistoryEntry]:
    """The entries at or after `start` and before `end` (`None`: open on that side), in order."""
    return [e for e in entries if (start is None or e.at >= start) and (end is None or e.at < end)]
