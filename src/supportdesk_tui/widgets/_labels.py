"""Escalation marks: the glyph beside an escalation's status (its words: `i18n.labels`)."""

from __future__ import annotations

from supportdesk_tui.contract.models import EscalationStatus

ESCALATION_MARK: dict[EscalationStatus, str] = {
    EscalationStatus.OPEN: "○",
    EscalationStatus.IN_PROGRESS: "◐",
    EscalationStatus.FIXED: "✓",
    EscalationStatus.WONT_FIX: "✗",
}

