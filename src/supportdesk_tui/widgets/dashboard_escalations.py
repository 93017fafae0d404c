"""Open escalations to engineering and their states."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.contract.models import Escalation
from supportdesk_tui.domain.safe_text import safe_text
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import escalation_status_label, severity_label


class EscalationsList(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "escalations-list--header",
        "escalations-list--open",
        "escalations-list--in-progress",
        "escalations-list--critical",
        "escalations-list--muted",
    }
    DEFAULT_CSS = """
    EscalationsList { height: auto; }
    EscalationsList > .escalations-list--header { color: $text-muted; text-style: bold; }
    EscalationsList > .escalations-list--open { color: $status-new; }
    EscalationsList > .escalations-list--in-progress { color: $status-open; }
    EscalationsList > .escalations-list--critical { color: $priority-urgent; text-style: bold; }
    EscalationsList > .escalations-list--muted { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.escalations: tuple[Escalation, ...] = ()

    def show(self, escalations: list[Escalation]) -> None:
        ordered = tuple(sorted(escalations, key=lambda e: e.created_at, reverse=True))
        if ordered != self.escalations:
            # Only a different number of rows changes the height; a new value is a repaint.
            self.refresh(layout=len(ordered) != len(self.escalations))
            self.escalations = ordered

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"escalations-list--{name}", partial=True)

    def render(self) -> RenderableType:
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True, show_header=False)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, ratio=1)
        for escalation in self.escalations:
            status = escalation.status.value
            state = Text(escalation_status_label(status),
                         style=self._style("open" if status == "open" else "in-progress"))
            severity = Text(severity_label(escalation.severity).lower(),
                            style=self._style("critical" if escalation.severity.value == "critical"
                                              else "muted"))
            summary = safe_text(escalation.summary, single_line=True)
            summary.append(f"  #{escalation.ticket_id}", style=self._style("muted"))
            table.add_row(safe_text(escalation.key, single_line=True), state, severity, summary)
        if not self.escalations:
            table.add_row(_("No open escalations."), "", "", "")
        return table
