"""One escalation as an incident: how many customers it hurts (live), the tickets linked to it, the
look-alikes the server suggests (linked only when the agent says so), and, once engineering has
fixed it, one canned reply to every linked customer in their language.

Opened by a `ShowIncident` request (the escalations list's `i`). Rows are keyed by ticket id; the
counts follow `escalation.updated` events, the rows `ticket.updated` ones.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from supportdesk_tui import messages
from supportdesk_tui.api.errors import ApiError
from supportdesk_tui.contract.models import (
    CannedReply,
    Escalation,
    EscalationStatus,
    Language,
    Status,
    SuggestedTicket,
    Ticket,
)
from supportdesk_tui.domain.incident_links import link_summary
from supportdesk_tui.domain.incident_reply import IncidentReplyPlan, plan_incident_reply
from supportdesk_tui.domain.safe_text import one_line, safe_text
from supportdesk_tui.i18n import N_, _, current_language, ngettext
from supportdesk_tui.i18n.labels import escalation_status_label, status_label
from supportdesk_tui.incident_sending import IncidentReplySummary, answer_incident
from supportdesk_tui.keymap import with_cyrillic_aliases
from supportdesk_tui.navigation import OpenTicket
from supportdesk_tui.screens._status import StatusLineScreen
from supportdesk_tui.screens.canned import VariablesForm
from supportdesk_tui.screens.pickers import ChoiceModal, ConfirmModal, TextPromptModal
from supportdesk_tui.widgets._labels import ESCALATION_MARK
from supportdesk_tui.widgets.key_footer import KeyFooter
from supportdesk_tui.widgets.relabel import relabel_columns
from supportdesk_tui.widgets.status_line import StatusLine

FIX_REPLY_ID = "fix-released"
# Column key → untranslated title, per table: translated when shown, again after a language switch.
COLUMN_TITLES: dict[str, dict[str, str]] = {
    "linked": {"ticket": N_("Ticket"), "status": N_("Status"), "language": N_("Lang"), "needs_reply": "↩",
               "subject": N_("Subject")},
    "suggested": {"ticket": N_("Ticket"), "why": N_("Why"), "subject": N_("Subject")},
}
LEAVE_STATUS = "leave"
REPLY_STATUSES: tuple[Status, ...] = (Status.SOLVED, Status.PENDING, Status.OPEN)


def ticket_numbers(text: str) -> list[int]:
    """`#1234, 1235 x` → [1234, 1235]: what is not a number is left out."""
    found = (word.strip().removeprefix("#") for word in text.replace(",", " ").split())
    return list(dict.fromkeys(int(word) for word in found if word.isdecimal() and word.isascii()
                              and len(word) <= 15))


class IncidentScreen(StatusLineScreen):
    DEFAULT_CSS = """
    IncidentScreen #incident-bar { height: auto; background: $panel; padding: 0 1; }
    IncidentScreen #incident-summary { height: auto; padding: 0 1; color: $text-muted; }
    IncidentScreen .incident-title { height: 1; padding: 0 1; text-style: bold; margin-top: 1; }
    IncidentScreen #linked { height: auto; max-height: 50%; }
    IncidentScreen #suggested { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = with_cyrillic_aliases([
        Binding("escape", "back", N_("Back"), id="incident.back"),
        Binding("enter", "open_ticket", N_("Open ticket"), id="incident.open"),
        Binding("l", "link_suggestion", N_("Link"), id="incident.link",
                tooltip=N_("Link the suggested ticket under the cursor")),
        Binding("plus", "link_numbers", N_("Link by number"), id="incident.link_numbers", key_display="+",
                tooltip=N_("Link tickets by their numbers (#1234 1235 …)")),
        Binding("a", "answer_all", N_("Answer all"), id="incident.answer_all",
                tooltip=N_("One canned reply to every linked customer, in their language")),
        Binding("r", "refresh", N_("Refresh"), id="incident.refresh"),
    ])

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.escalation: Escalation | None = None
        self.linked: dict[int, Ticket] = {}
        self.suggested: dict[int, SuggestedTicket] = {}
        self.last_summary: IncidentReplySummary | None = None
        self._answering = False

    def compose(self) -> ComposeResult:
        yield Static(id="incident-bar")
        yield Static(id="incident-summary")
        yield Static(id="linked-title", classes="incident-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="linked")
        yield Static(id="suggested-title", classes="incident-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="suggested")
        yield StatusLine(id="status")
        yield KeyFooter()

    def table(self, which: str) -> DataTable[Text]:
        return self.query_one(f"#{which}", DataTable)

    def on_mount(self) -> None:
        for which, titles in COLUMN_TITLES.items():
            table = self.table(which)
            for key, title in titles.items():
                table.add_column(safe_text(_(title)), key=key)
        self.sub_title = self.key
        self.desk.subscribe(self)
        self.init_status_line()
        self._set_bar()
        self._set_titles()
        self.table("linked").focus()
        self.load()

    def on_unmount(self) -> None:
        self.desk.unsubscribe(self)

    def relabel(self) -> None:
        for which, titles in COLUMN_TITLES.items():
            relabel_columns(self.table(which), titles)
        self._set_bar()
        self._set_titles()

    # --- loading ---------------------------------------------------------------------

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        api = self.desk.api
        try:
            self.escalation = await api.get_escalation(self.key)
            linked = await api.linked_tickets(self.key)
            suggested = await api.suggested_tickets(self.key)
        except ApiError as exc:
            self._set_summary(f"{exc.title}: {one_line(exc.message)}")
            return
        self.linked = {t.id: t for t in linked}
        self.suggested = {s.ticket.id: s for s in suggested if s.ticket.id not in self.linked}
        self._fill()

    def _fill(self) -> None:
        linked = self.table("linked")
        linked.clear()
        for ticket in sorted(self.linked.values(), key=lambda t: t.id):
            linked.add_row(*self._linked_cells(ticket), key=str(ticket.id))
        suggested = self.table("suggested")
        suggested.clear()
        for suggestion in self.suggested.values():
            suggested.add_row(*self._suggested_cells(suggestion), key=str(suggestion.ticket.id))
        self._set_bar()
        self._set_titles()

    @staticmethod
    def _linked_cells(ticket: Ticket) -> list[Text]:
        return [Text(f"#{ticket.id}"), Text(status_label(ticket.status)), Text(ticket.language.value),
                Text("↩" if ticket.needs_reply else ""), safe_text(ticket.subject, single_line=True)]

    @staticmethod
    def _suggested_cells(suggestion: SuggestedTicket) -> list[Text]:
        why = [_("same component") if r == "component" else _("same words") for r in suggestion.reasons]
        words = f" ({', '.join(suggestion.shared_words[:4])})" if suggestion.shared_words else ""
        return [Text(f"#{suggestion.ticket.id}"), safe_text(", ".join(why) + words, single_line=True),
                safe_text(suggestion.ticket.subject, single_line=True)]

    def affected_customers(self) -> int:
        return 0 if self.escalation is None else self.escalation.affected_customers

    def _set_bar(self) -> None:
        bar = Text()
        bar.append(self.key, style="bold")
        escalation = self.escalation
        if escalation is not None:
            state = f"{ESCALATION_MARK[escalation.status]} {escalation_status_label(escalation.status)}"
            bar.append("  ·  " + state)
            bar.append("  ·  ")
            bar.append_text(safe_text(escalation.summary, single_line=True))
            bar.append("\n")
            customers = escalation.affected_customers
            affected = ngettext("{n} customer affected", "{n} customers affected", customers)
            bar.append(affected.format(n=customers), style="bold")
            tickets = escalation.linked_tickets
            linked = ngettext("{n} linked ticket", "{n} linked tickets", tickets)
            bar.append("  ·  " + linked.format(n=tickets))
            if escalation.status is EscalationStatus.FIXED:
                bar.append("  ·  " + _("fixed: press a to answer every customer"), style="dim")
        self.query_one("#incident-bar", Static).update(bar)

    def _set_titles(self) -> None:
        self.query_one("#linked-title", Static).update(_("Linked tickets"))
        self.query_one("#suggested-title", Static).update(
            _("Look-alikes of the last 24 hours (nothing is linked until you press l)"))

    def _set_summary(self, text: str) -> None:
        self.query_one("#incident-summary", Static).update(safe_text(text))

    # --- actions ---------------------------------------------------------------------

    def _cursor_id(self, which: str) -> int | None:
        table = self.table(which)
        if not table.row_count:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    def action_open_ticket(self) -> None:
        which = "suggested" if self.table("suggested").has_focus else "linked"
        ticket_id = self._cursor_id(which)
        if ticket_id is not None:
            self.post_message(OpenTicket(ticket_id))

    def action_link_suggestion(self) -> None:
        ticket_id = self._cursor_id("suggested")
        if ticket_id is not None:
            self.link([ticket_id])

    def action_link_numbers(self) -> None:
        def typed(text: str | None) -> None:
            ids = ticket_numbers(text or "")
            if ids:
                self.link(ids)

        self.app.push_screen(TextPromptModal(_("Link tickets to {key}").format(key=self.key),
                                             hint=_("Ticket numbers, separated by spaces or commas"),
                                             placeholder="#1234 1235"), typed)

    def link(self, ticket_ids: list[int]) -> None:
        """Link tickets named by the agent (a suggestion, or a bulk selection handed over)."""
        self._link(ticket_ids)

    @work(group="write")
    async def _link(self, ticket_ids: list[int]) -> None:
        try:
            result = await self.desk.api.link_tickets(self.key, ticket_ids)
        except ApiError as exc:
            self._set_summary(f"{exc.title}: {one_line(exc.message)}")
            return
        self.escalation = result.escalation
        for ticket_id in result.linked:
            suggestion = self.suggested.pop(ticket_id, None)
            with contextlib.suppress(RowDoesNotExist):
                self.table("suggested").remove_row(str(ticket_id))
            if suggestion is not None and ticket_id not in self.linked:
                self._put_linked(suggestion.ticket)
        self._set_bar()
        self._set_summary(link_summary(result))

    def _put_linked(self, ticket: Ticket) -> None:
        table = self.table("linked")
        known = ticket.id in self.linked
        self.linked[ticket.id] = ticket
        if known:
            for column, cell in zip(table.columns, self._linked_cells(ticket), strict=True):
                with contextlib.suppress(RowDoesNotExist):
                    table.update_cell(str(ticket.id), column, cell)
        else:
            table.add_row(*self._linked_cells(ticket), key=str(ticket.id))

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    # --- answer every linked customer -------------------------------------------------

    def action_answer_all(self) -> None:
        escalation = self.escalation
        if escalation is not None and escalation.status is not EscalationStatus.FIXED:
            # Only the fix makes every linked customer owed an answer (the server's needs_reply):
            # before it, each ticket would be skipped as "already answered", which none of them is.
            text = _("Nothing to answer yet: {key} is {state}. Once engineering marks it fixed, "
                     "every linked customer is owed the answer.").format(
                key=self.key, state=escalation_status_label(escalation.status))
            self._set_summary(text)
            self.notify(safe_text(text), title=_("Answer all"), severity="warning")
            return
        if not self._answering:
            self._answer_all()

    @work(group="answer")
    async def _answer_all(self) -> None:
        self._answering = True
        try:
            await self._choose_and_send()
        finally:
            self._answering = False

    async def _choose_and_send(self) -> None:
        session = self.desk.session
        library, _problems = await session.canned_library()
        replies = [entry.reply for entry in library]
        if not replies:
            self._set_summary(_("No canned replies to send."))
            return
        language = Language(current_language())
        ordered = sorted(replies, key=lambda r: (r.id != FIX_REPLY_ID, "escalation" not in r.tags, r.id))
        canned = await self.app.push_screen_wait(ChoiceModal(
            _("Answer every linked customer with…"),
            [(reply, one_line(reply.title.get(language, reply.id))) for reply in ordered],
            current=ordered[0]))
        if canned is None:
            return
        variables: dict[str, str] = {}
        if canned.variables:
            filled = await self.app.push_screen_wait(VariablesForm(
                canned.title.get(language, canned.id), canned.variables, {}))
            if filled is None:
                return
            variables = filled
        status = await self._choose_status(canned)
        if status is None:
            return
        plan = await self._plan(canned, variables, None if status == LEAVE_STATUS else Status(status))
        if plan is None:
            return
        if not plan.replies:
            self._show_summary(IncidentReplySummary(skipped=plan.skipped))
            return
        confirmed = await self.app.push_screen_wait(ConfirmModal(
            _("Answer the incident"), self._plan_text(plan),
            question=ngettext("Send {n} reply?", "Send {n} replies?", len(plan.replies)).format(
                n=len(plan.replies))))
        if not confirmed:
            return
        summary = await answer_incident(session.sender, plan)
        self.desk.outbox_changed()
        self._show_summary(summary)

    async def _choose_status(self, canned: CannedReply) -> str | None:
        suggested = canned.actions.status if canned.actions and canned.actions.status else Status.SOLVED
        choices: list[tuple[str, str]] = [(s.value, status_label(s)) for s in REPLY_STATUSES]
        choices.append((LEAVE_STATUS, _("leave each status as it is")))
        return await self.app.push_screen_wait(ChoiceModal(
            _("Move the answered tickets to…"), choices, current=suggested.value))

    async def _plan(self, canned: CannedReply, variables: dict[str, str],
                    status: Status | None) -> IncidentReplyPlan | None:
        try:  # the linked tickets as they are now: someone may have answered one meanwhile
            tickets = await self.desk.api.linked_tickets(self.key)
        except ApiError as exc:
            self._set_summary(f"{exc.title}: {one_line(exc.message)}")
            return None
        for ticket in tickets:
            self._put_linked(ticket)
        session = self.desk.session
        return plan_incident_reply(self.key, tickets, canned, variables, status, self.desk.me.name,
                                   session.queue_name)

    @staticmethod
    def _plan_text(plan: IncidentReplyPlan) -> Text:
        by_language: dict[str, int] = {}
        for reply in plan.replies:
            by_language[reply.language.value] = by_language.get(reply.language.value, 0) + 1
        text = Text(ngettext("{n} customer gets the reply", "{n} customers get the reply",
                             len(plan.replies)).format(n=len(plan.replies)))
        text.append(" (" + ", ".join(f"{lang}: {n}" for lang, n in sorted(by_language.items())) + ")")
        if plan.skipped:
            text.append("\n" + ngettext("{n} ticket skipped", "{n} tickets skipped",
                                        len(plan.skipped)).format(n=len(plan.skipped)))
        return text

    def _show_summary(self, summary: IncidentReplySummary) -> None:
        self.last_summary = summary
        sent = len(summary.sent)
        parts = [ngettext("Sent {n} reply.", "Sent {n} replies.", sent).format(n=sent)]
        if summary.queued:
            parts.append(ngettext("{n} waits in the outbox (the server is not answering).",
                                  "{n} wait in the outbox (the server is not answering).",
                                  len(summary.queued)).format(n=len(summary.queued)))
        reasons = {
            "already_solved": _("already solved"),
            "already_answered": _("already answered"),
            "no_template": _("no reply in the customer's language"),
            "conflict": _("the customer wrote again: read it first"),
            "refused": _("refused by the server"),
        }
        for skip in summary.skipped:
            parts.append(f"#{skip.ticket_id}: {reasons.get(skip.reason.value, skip.reason.value)}.")
        text = " ".join(parts)
        self._set_summary(text)
        self.notify(safe_text(text), title=_("Answered the incident"),
                    severity="warning" if summary.skipped or summary.queued else "information")

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_ticket()

    # --- live updates ------------------------------------------------------------------

    def on_escalation_changed(self, event: messages.EscalationChanged) -> None:
        if event.escalation.key == self.key:
            self.escalation = event.escalation
            self._set_bar()

    def on_ticket_changed(self, event: messages.TicketChanged) -> None:
        ticket = event.ticket
        if ticket.escalation is not None and ticket.escalation.key == self.key:
            if ticket.id in self.suggested:
                del self.suggested[ticket.id]
                with contextlib.suppress(RowDoesNotExist):
                    self.table("suggested").remove_row(str(ticket.id))
            self._put_linked(ticket)
        elif ticket.id in self.linked:
            del self.linked[ticket.id]
            with contextlib.suppress(RowDoesNotExist):
                self.table("linked").remove_row(str(ticket.id))

    def on_stream_reset(self, _event: messages.StreamReset) -> None:
        self.load()
