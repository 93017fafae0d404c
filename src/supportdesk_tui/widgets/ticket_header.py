"""The top of a conversation: subject, state, people, and the three SLA clocks."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from supportdesk_tui.contract.clock import Clock, utc_now
from supportdesk_tui.contract.models import PresenceState, Sla, Status, Ticket
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.domain.sla import SlaRisk, sla_state
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import escalation_status_label, priority_label, status_label
from supportdesk_tui.i18n.times import time_left
from supportdesk_tui.widgets._labels import ESCALATION_MARK
from supportdesk_tui.widgets._signals import BREACH_MARK, STATUS, signal_classes, signal_css


class TicketHeader(Widget):
    """Set with `set_ticket`; repaints its countdowns every second (no fetching)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ticket-header--subject",
        "ticket-header--label",
        "ticket-header--muted",
        "ticket-header--tag",
        "ticket-header--escalation",
        "ticket-header--needs-reply",
        "ticket-header--presence-viewing",
        "ticket-header--presence-composing",
    } | signal_classes("ticket-header")

    DEFAULT_CSS = """
    TicketHeader { height: auto; padding: 0 1; background: $panel; border-bottom: solid $panel-lighten-2; }
    TicketHeader > .ticket-header--subject { text-style: bold; color: $foreground; }
    TicketHeader > .ticket-header--label { color: $text-muted; }
    TicketHeader > .ticket-header--muted { color: $text-muted; }
    TicketHeader > .ticket-header--tag { color: $accent; }
    TicketHeader > .ticket-header--escalation { color: $warning; text-style: bold; }
    TicketHeader > .ticket-header--needs-reply { color: $warning; text-style: bold reverse; }
    TicketHeader > .ticket-header--presence-viewing { color: $presence-viewing; }
    TicketHeader > .ticket-header--presence-composing { color: $presence-composing; text-style: bold; }
    """ + signal_css("TicketHeader", "ticket-header", bold_groups=[STATUS])

    def __init__(
        self,
        ticket: Ticket | None = None,
        *,
        clock: Clock = utc_now,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._ticket = ticket
        self.clock = clock
        self.me_login: str | None = None
        """Our own presence is not shown."""
        self.queue_names: dict[str, str] = {}
        """Queue id → display name, set by the screen."""
        self._shown: Text | None = None  # what the last paint showed

    @property
    def ticket(self) -> Ticket | None:
        return self._ticket

    def set_ticket(self, ticket: Ticket | None) -> None:
        self._ticket = ticket
        self.refresh(layout=True)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick, name="ticket-header countdowns")

    def _tick(self) -> None:
        # Repainted only when what it says changed (a countdown shows minutes): a repaint every second
        # is a frame every second, and a key that comes just after one waits a frame slot more.
        if self._ticket is not None and self.screen.is_current and self._text() != self._shown:
            self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"ticket-header--{name}", partial=True)

    def render(self) -> Text:
        self._shown = self._text()
        return self._shown

    def _text(self) -> Text:
        ticket = self._ticket
        if ticket is None:
            return Text(_("No ticket selected."), style=self._style("muted"))
        lines = [self._title_line(ticket), self._facts_line(ticket), self._sla_line(ticket)]
        flags = self._flags_line(ticket)
        if flags.plain:
            lines.append(flags)
        presence = self._presence_line(ticket)
        if presence.plain:
            lines.append(presence)
        return Text("\n").join(lines)

    def _presence_line(self, ticket: Ticket) -> Text:
        """Who else has this ticket open right now, and whether they are writing."""
        line = Text(no_wrap=True, overflow="ellipsis")
        others = [p for p in ticket.presence
                  if p.state is not PresenceState.LEFT and p.agent.login != self.me_login]
        for index, presence in enumerate(others):
            if index:
                line.append("   ")
            composing = presence.state is PresenceState.COMPOSING
            line.append("✎ " if composing else "👁 ",
                        style=self._style("presence-composing" if composing else "presence-viewing"))
            line.append(one_line(presence.agent.name))
            line.append(" " + (_("is writing a reply…") if composing else _("is viewing")),
                        style=self._style("muted"))
        return line

    def _title_line(self, ticket: Ticket) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"#{ticket.id} ", style=self._style("muted"))
        line.append(one_line(ticket.subject), style=self._style("subject"))
        return line

    def _facts_line(self, ticket: Ticket) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        sep = Text("  ·  ", style=self._style("muted"))
        line.append(status_label(ticket.status), style=self._style(f"status-{ticket.status.value}"))
        line.append_text(sep)
        line.append(priority_label(ticket.priority), style=self._style(f"priority-{ticket.priority.value}"))
        line.append_text(sep)
        line.append(_("Queue") + " ", style=self._style("label"))
        line.append(one_line(self.queue_names.get(ticket.queue, ticket.queue)))
        line.append_text(sep)
        line.append(ticket.language.value.upper())
        line.append_text(sep)
        line.append(_("Assignee") + " ", style=self._style("label"))
        if ticket.assignee is None:
            line.append(_("unassigned"), style=self._style("muted"))
        else:
            line.append(one_line(ticket.assignee.name))
        if ticket.tags:
            line.append_text(sep)
            for index, tag in enumerate(ticket.tags):
                if index:
                    line.append(" ")
                line.append("#" + one_line(tag), style=self._style("tag"))
        return line

    def _sla_line(self, ticket: Ticket) -> Text:
        now = self.clock()
        sla = ticket.sla
        stopped = ticket.status in (Status.SOLVED, Status.CLOSED)
        paused = sla.paused or ticket.status is Status.PENDING
        line = Text(no_wrap=True, overflow="ellipsis")
        clocks: list[tuple[str, datetime | None, bool]] = [
            (_("First response"), sla.first_response_due, sla.first_responded_at is not None),
            (_("Next response"), sla.next_response_due, False),
            (_("Resolution"), sla.resolution_due, False),
        ]
        for index, (label, due, done) in enumerate(clocks):
            if index:
                line.append("   ")
            line.append(label + " ", style=self._style("label"))
            if done:
                line.append("✓ " + _("done"), style=self._style("sla-ok"))
            elif due is None or stopped:
                line.append("—", style=self._style("sla-none"))
            elif paused:
                line.append("⏸ " + _("paused"), style=self._style("sla-paused"))
            else:
                state = sla_state(Sla(next_response_due=due), now)
                mark = BREACH_MARK + " " if state.risk is SlaRisk.BREACHED else ""
                countdown = mark + time_left(state.remaining_seconds)
                line.append(countdown, style=self._style(f"sla-{state.risk.value}"))
        return line

    def _flags_line(self, ticket: Ticket) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if ticket.escalation is not None:
            ref = ticket.escalation
            line.append(_("Escalation") + " ", style=self._style("label"))
            state = escalation_status_label(ref.status)
            line.append(f"{one_line(ref.key)} {ESCALATION_MARK[ref.status]} {state}",
                        style=self._style("escalation"))
        if ticket.needs_reply:
            if line.plain:
                line.append("   ")
            line.append(" ↩ " + _("Fix shipped — the customer needs a reply") + " ",
                        style=self._style("needs-reply"))
        return line
