"""The tickets closest to (or past) their SLA deadline; enter or a digit opens one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from supportdesk_tui.contract.models import WorstTicket
from supportdesk_tui.domain.safe_text import one_line
from supportdesk_tui.i18n import _
from supportdesk_tui.i18n.labels import priority_label
from supportdesk_tui.i18n.times import time_ago

SUBJECT_WIDTH = 60


class WorstTickets(OptionList):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "worst-tickets--breached",
        "worst-tickets--at-risk",
        "worst-tickets--muted",
    }
    DEFAULT_CSS = """
    WorstTickets { height: 1fr; border: none; padding: 0; background: $surface;
                   text-wrap: nowrap; text-overflow: ellipsis; }
    WorstTickets:focus { border: none; }
    WorstTickets > .worst-tickets--breached { color: $sla-breached; text-style: bold; }
    WorstTickets > .worst-tickets--at-risk { color: $sla-at-risk; }
    WorstTickets > .worst-tickets--muted { color: $text-muted; }
    """

    @dataclass
    class Open(Message):
        """The lead asked to open a ticket from the list."""

        worst: WorstTickets
        ticket_id: int

        @property
        def control(self) -> WorstTickets:
            return self.worst

    def __init__(self, clock: Callable[[], datetime], queue_name: Callable[[str], str], *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.queue_name = queue_name
        self.tickets: tuple[WorstTicket, ...] = ()

    def show(self, tickets: list[WorstTicket]) -> None:
        """Replace the rows, keeping the highlighted ticket (by id) and the scroll position."""
        if tuple(tickets) == self.tickets:
            return
        self._fill(tickets)

    def relabel(self) -> None:
        self._fill(list(self.tickets))

    def _fill(self, tickets: list[WorstTicket]) -> None:
        highlighted = self.ticket_at(self.highlighted) if self.highlighted is not None else None
        scroll = self.scroll_y
        self.tickets = tuple(tickets)
        self.clear_options()
        # The deadline column is as wide as its longest words: "breached 22 hr. ago" is never cut
        # to "breached 22 hr. a", which would read as a different thing.
        due_width = max([20, *(cell_len(self._due_label(t)) + 1 for t in tickets)])
        self.add_options([Option(self._prompt(n, t, due_width), id=str(t.id))
                          for n, t in enumerate(tickets, 1)])
        if not tickets:
            self.add_option(Option(Text(_("No open tickets with a deadline."),
                                        style=self._style("muted")), disabled=True))
        ids = [t.id for t in tickets]
        if highlighted is not None and highlighted in ids:
            self.highlighted = ids.index(highlighted)
        elif tickets:
            self.highlighted = 0
        self.scroll_to(y=scroll, animate=False, immediate=True)

    def ticket_at(self, index: int | None) -> int | None:
        if index is None or not 0 <= index < len(self.tickets):
            return None
        return self.tickets[index].id

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"worst-tickets--{name}", partial=True)

    def _due_label(self, ticket: WorstTicket) -> str:
        if ticket.due is None:
            return "—"
        due = time_ago(ticket.due, self.clock())
        return (_("breached {ago}") if ticket.breached else _("due {when}")).format(ago=due, when=due)

    def _prompt(self, number: int, ticket: WorstTicket, due_width: int = 20) -> Text:
        """Two lines: number, id, priority, queue and deadline; then the subject."""
        muted = self._style("muted")
        text = Text()
        text.append(f"{number if number < 10 else ' '} ", style=muted)
        text.append(f"#{ticket.id:<7}")
        label = self._due_label(ticket)
        style = muted if ticket.due is None else self._style("breached" if ticket.breached else "at-risk")
        text.append(label.ljust(due_width), style=style)
        text.append(f"{priority_label(ticket.priority.value):<9}")
        text.append(one_line(self.queue_name(ticket.queue)), style=muted)
        text.append("\n  ")
        text.append(one_line(ticket.subject)[:SUBJECT_WIDTH])
        return text

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        ticket_id = self.ticket_at(event.option_index)
        if ticket_id is not None:
            self.post_message(self.Open(self, ticket_id))
