"""A lead's list of the open engineering escalations and the ticket linked to each.

Opened by a `ShowEscalations` request (queue key `E`, or the command palette); agents are told it
is for leads. Rows are keyed by escalation key and kept live from the event stream: a move to
`fixed`/`wont_fix` takes the row out, a ticket update refreshes its ticket column.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

from supportdesk_tui import messages
from supportdesk_tui.api.errors import ApiError, ForbiddenError
from supportdesk_tui.contract.models import Escalation, EscalationStatus, Ticket
from supportdesk_tui.domain.safe_text import one_line, safe_text
from supportdesk_tui.i18n import N_, NP_, _, ngettext, pgettext
from supportdesk_tui.i18n.labels import escalation_status_label, severity_label, status_label
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import OpenTicket, ShowIncident
from supportdesk_tui.screens._status import StatusLineScreen
from supportdesk_tui.widgets._labels import ESCALATION_MARK
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.log_hint import with_log_hint
from supportdesk_tui.widgets.relabel import relabel_columns
from supportdesk_tui.widgets.status_line import StatusLine

OPEN_STATES: tuple[EscalationStatus, ...] = (EscalationStatus.OPEN, EscalationStatus.IN_PROGRESS)
SUMMARY_WIDTH = 44
TICKET_WIDTH = 36
# "Key" is the escalation's key (ENG-1001): in Russian a ключ, not the help screen's keyboard клавиша.
KEY_COLUMN_CONTEXT = "escalation"
# Customers before the summary: on an 80-column terminal the live count stays in sight, and the
# summary (cut anyway) gives way.
COLUMN_TITLES = {"key": NP_("escalation", "Key"), "state": N_("State"), "severity": N_("Severity"),
                 "component": N_("Component"), "customers": N_("Customers"),
                 "summary": N_("Summary"), "ticket": N_("Linked ticket")}


def column_title(column: str) -> str:
    """The column's title in the current language."""
    title = COLUMN_TITLES[column]
    return pgettext(KEY_COLUMN_CONTEXT, title) if column == "key" else _(title)


class EscalationsScreen(StatusLineScreen):
    DEFAULT_CSS = """
    EscalationsScreen #escalations-bar { height: 1; background: $panel; padding: 0 1; }
    EscalationsScreen #escalations-state { height: auto; padding: 0 1; color: $text-muted; }
    EscalationsScreen #escalations-state.-error { color: $error; }
    EscalationsScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("escape", "back", N_("Back"), id="escalations.back"),
        Binding("enter", "open_ticket", N_("Open ticket"), id="escalations.open"),
        Binding("i", "show_incident", N_("Incident"), id="escalations.incident",
                tooltip=N_("Its linked tickets, look-alikes to link, and one answer to all")),
        Binding("r", "refresh", N_("Refresh"), id="escalations.refresh"),
    ])

    def __init__(self) -> None:
        super().__init__()
        self.escalations: dict[str, Escalation] = {}
        self.tickets: dict[int, Ticket] = {}
        self.component_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="escalations-bar")
        yield Static(id="escalations-state")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="escalations")
        yield StatusLine(id="status")
        yield KeyFooter()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#escalations", DataTable)

    def on_mount(self) -> None:
        table = self.table
        for key, width in zip(COLUMN_TITLES, (10, 14, 9, 20, 9, SUMMARY_WIDTH, TICKET_WIDTH), strict=True):
            table.add_column(safe_text(column_title(key)), key=key, width=width)
        self.sub_title = _("Escalations")
        self.desk.subscribe(self)
        self.init_status_line()
        self._set_bar()
        self._set_state(_("Loading the open escalations…"))
        table.focus()
        self.load()

    def on_unmount(self) -> None:
        self.desk.unsubscribe(self)

    def relabel(self) -> None:
        relabel_columns(self.table, {key: title for key, title in COLUMN_TITLES.items() if key != "key"})
        self.table.columns[ColumnKey("key")].label = safe_text(column_title("key"))
        self.sub_title = _("Escalations")
        if self.escalations:
            self._fill()  # the rows' state and severity words, the bar
        else:
            self._set_bar()

    # --- loading -------------------------------------------------------------------

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        api = self.desk.api
        try:
            found = await api.list_escalations([s.value for s in OPEN_STATES])
        except ForbiddenError:
            self._set_state(_("Only leads can list all escalations."), error=True)
            return
        except ApiError as exc:
            self._set_state(with_log_hint(f"{exc.title}: {one_line(exc.message)}"), error=True)
            return
        with contextlib.suppress(ApiError):  # without names the ids still mean something to a lead
            self.component_names = {c.id: c.name for c in await api.components()}
        tickets: dict[int, Ticket] = {}
        # A handful of tickets, fetched one after another: a small burst is kinder than a stampede.
        for ticket_id in dict.fromkeys(e.ticket_id for e in found):
            try:
                tickets[ticket_id] = await api.get_ticket(ticket_id)
            except ApiError:
                continue  # the row still shows the ticket number
        self.escalations = {e.key: e for e in found}
        self.tickets = tickets
        self._fill()

    def _fill(self) -> None:
        table = self.table
        keep = table.cursor_row
        table.clear()
        for escalation in self._ordered():
            table.add_row(*self._cells(escalation), key=escalation.key)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self._set_bar()
        self._set_state("" if self.escalations else _("No open escalations. Engineering is all caught up."))

    def _ordered(self) -> list[Escalation]:
        severity_rank = {"critical": 0, "major": 1, "minor": 2, "trivial": 3}
        return sorted(self.escalations.values(),
                      key=lambda e: (severity_rank.get(e.severity.value, 9), e.created_at, e.key))

    def _cells(self, escalation: Escalation) -> list[Text]:
        state = Text(f"{ESCALATION_MARK[escalation.status]} {escalation_status_label(escalation.status)}")
        if escalation.status is EscalationStatus.IN_PROGRESS:
            state.stylize("bold")
        severity = Text(severity_label(escalation.severity))
        if escalation.severity.value in ("critical", "major"):
            severity.stylize("bold")
        return [
            safe_text(escalation.key, single_line=True),
            state,
            severity,
            safe_text(self.component_names.get(escalation.component, escalation.component), single_line=True),
            Text(str(escalation.affected_customers), justify="right"),
            safe_text(escalation.summary, single_line=True),
            self._ticket_cell(escalation.ticket_id),
        ]

    def _ticket_cell(self, ticket_id: int) -> Text:
        cell = Text(f"#{ticket_id} ", no_wrap=True, overflow="ellipsis")
        ticket = self.tickets.get(ticket_id)
        if ticket is not None:
            cell.append(status_label(ticket.status) + " · ", style="dim")
            if ticket.needs_reply:
                cell.append("↩ ", style="bold")
            cell.append_text(safe_text(ticket.subject, single_line=True))
        return cell

    def _set_bar(self) -> None:
        bar = Text()
        bar.append(_("Open escalations"), style="bold")
        count = len(self.escalations)
        bar.append("  ·  " + ngettext("{n} escalation", "{n} escalations", count).format(n=count))
        bar.append("  ·  " + _("enter opens the linked ticket"), style="dim")
        self.query_one("#escalations-bar", Static).update(bar)

    def _set_state(self, message: str, *, error: bool = False) -> None:
        state = self.query_one("#escalations-state", Static)
        state.update(safe_text(message))
        state.display = bool(message)
        state.set_class(error, "-error")

    # --- actions --------------------------------------------------------------------

    def cursor_escalation(self) -> Escalation | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.escalations.get(str(row_key.value))

    def action_open_ticket(self) -> None:
        escalation = self.cursor_escalation()
        if escalation is None:
            return
        self.post_message(OpenTicket(escalation.ticket_id))

    def action_show_incident(self) -> None:
        escalation = self.cursor_escalation()
        if escalation is not None:
            self.post_message(ShowIncident(escalation.key))

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_ticket()

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    # --- live updates ----------------------------------------------------------------

    def on_escalation_changed(self, event: messages.EscalationChanged) -> None:
        escalation = event.escalation
        known = escalation.key in self.escalations
        if escalation.status in OPEN_STATES:
            self.escalations[escalation.key] = escalation
            if known:
                self._update_row(escalation)
            else:
                self._fill()
        elif known:
            del self.escalations[escalation.key]
            with contextlib.suppress(RowDoesNotExist):
                self.table.remove_row(escalation.key)
            self._set_bar()
            if not self.escalations:
                self._set_state(_("No open escalations. Engineering is all caught up."))

    def _update_row(self, escalation: Escalation) -> None:
        table = self.table
        for column, cell in zip(COLUMN_TITLES, self._cells(escalation), strict=True):
            try:
                table.update_cell(escalation.key, column, cell)
            except RowDoesNotExist:
                return

    def on_ticket_changed(self, event: messages.TicketChanged) -> None:
        ticket = event.ticket
        if not any(e.ticket_id == ticket.id for e in self.escalations.values()):
            return
        self.tickets[ticket.id] = ticket
        for escalation in self.escalations.values():
            if escalation.ticket_id == ticket.id:
                try:
                    self.table.update_cell(escalation.key, "ticket", self._ticket_cell(ticket.id))
                except RowDoesNotExist:
                    continue

    def on_stream_reset(self, _event: messages.StreamReset) -> None:
        self.load()
