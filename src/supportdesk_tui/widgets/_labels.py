"""Escalation marks and words (status/priority words live in `i18n.labels`), translated when drawn."""

from __future__ import annotations

from supportdesk_tui.contract.models import EscalationStatus, Severity
from supportdesk_tui.i18n import _, pgettext

ESCALATION_MARK: dict[EscalationStatus, str] = {
    EscalationStatus.OPEN: "○",
    EscalationStatus.IN_PROGRESS: "◐",
    EscalationStatus.FIXED: "✓",
    EscalationStatus.WONT_FIX: "✗",
}


def escalation_label(status: EscalationStatus) -> str:
    return {
        EscalationStatus.OPEN: _("open"),
        EscalationStatus.IN_PROGRESS: _("in progress"),
        EscalationStatus.FIXED: _("fixed"),
        EscalationStatus.WONT_FIX: _("won't fix"),
    }[status]


def severity_label(severity: Severity) -> str:
    return {
        Severity.CRITICAL: pgettext("severity", "Critical"),
        Severity.MAJOR: pgettext("severity", "Major"),
        Severity.MINOR: pgettext("severity", "Minor"),
        Severity.TRIVIAL: pgettext("severity", "Trivial"),
    }[severity]
