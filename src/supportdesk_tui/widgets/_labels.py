"""Small label helpers: escalation marks (their words: `i18n.labels`), and fitting a label into a width."""

from __future__ import annotations

from rich.cells import cell_len

from supportdesk_tui.contract.models import EscalationStatus

ESCALATION_MARK: dict[EscalationStatus, str] = {
    EscalationStatus.OPEN: "○",
    EscalationStatus.IN_PROGRESS: "◐",
    EscalationStatus.FIXED: "✓",
    EscalationStatus.WONT_FIX: "✗",
}



def fitting(room: int, *labels: str) -> str:
    """The first of `labels` (longest first) that fits in `room` cells; the last one otherwise.

    UI words are never cut with an ellipsis: a narrow widget shows a shorter wording instead.
    """
    return next((label for label in labels if cell_len(label) <= room), labels[-1])
