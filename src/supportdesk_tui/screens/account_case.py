"""Account cases inside a conversation: the playbook beside the thread, audited steps, account
actions gated by verification, revealing masked secrets, help articles, and the send-time warning.

A mixin for `ConversationScreen`, kept apart so the conversation module stays about the thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.css.query import NoMatches

from supportdesk_tui.api.client import new_idempotency_key
from supportdesk_tui.api.errors import ApiError, VerificationIncomplete
from supportdesk_tui.contract.models import AccountAction, Article, AuditCreate, Language, Playbook, Ticket
from supportdesk_tui.domain.safe_text import one_line, safe_text
from supportdesk_tui.i18n import N_, _, current_language
from supportdesk_tui.i18n.times import date_time
from supportdesk_tui.screens._status import StatusLineScreen
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel
from supportdesk_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from supportdesk_tui.app import SupportDeskApp
    from supportdesk_tui.widgets.composer import Composer
    from supportdesk_tui.widgets.thread import Thread

REVEAL_SECONDS = 8.0

_ACTION_DONE = {
    AccountAction.SIGN_OUT_ALL: N_("All sessions were signed out."),
    AccountAction.SEND_RESET_LINK: N_("A password reset link was sent."),
    AccountAction.UNLINK_PHONE: N_("The phone number was unlinked."),
    AccountAction.SCHEDULE_DELETION: N_("Deletion scheduled for {date}."),
    AccountAction.CANCEL_DELETION: N_("The scheduled deletion was cancelled."),
}


def playbook_for(playbooks: list[Playbook], category: str) -> Playbook | None:
    return next((p for p in playbooks if category in p.categories), None)


class AccountCaseScreen(StatusLineScreen):
    """Needs from the concrete screen: `ticket_id`, `ticket`, `thread`, `composer`, `set_ticket`."""

    ticket_id: int
    ticket: Ticket | None

    @property
    def thread(self) -> Thread:
        raise NotImplementedError

    @property
    def composer(self) -> Composer:
        raise NotImplementedError

    def set_ticket(self, ticket: Ticket) -> None:
        raise NotImplementedError

    @property
    def _desk(self) -> SupportDeskApp:
        from supportdesk_tui.app import SupportDeskApp

        assert isinstance(self.app, SupportDeskApp)
        return self.app

    def _language(self) -> Language:
        return self.ticket.language if self.ticket else Language(current_language())

    # --- the playbook -----------------------------------------------------------

    @work(exclusive=True, group="playbook")
    async def load_playbook(self, ticket: Ticket) -> None:
        """Open the ticket's playbook beside the thread when its category has one."""
        api = self._desk.api
        try:
            playbook = playbook_for(await api.playbooks(), ticket.category)
            if playbook is None:
                return
            trail = await api.audit(ticket.id)
        except ApiError:
            return  # a ticket is workable without its playbook; the key says so when pressed
        done = {e.step_id for e in trail if e.kind == "step" and e.step_id}
        try:
            body = self.query_one("#conversation-body")
            existing = self.query(PlaybookPanel)
        except NoMatches:
            return
        if existing:
            return
        await body.mount(PlaybookPanel(playbook, ticket.language, done=done), before="#customer")
        scheduled = [e for e in trail if e.kind == "action" and "deletion" in e.summary.lower()]
        if scheduled:
            self.query_one(StatusLine).set_note(scheduled[-1].summary)

    def action_toggle_playbook(self) -> None:
        panels = self.query(PlaybookPanel)
        if not panels:
            self.notify(_("This ticket's category has no playbook."), severity="warning")
            return
        panel = panels.first()
        panel.display = not panel.display

    @on(PlaybookPanel.StepTicked)
    def _step_ticked(self, event: PlaybookPanel.StepTicked) -> None:
        self.record_step(event.panel, event.step.id, event.evidence_fields)

    @work(group="audit")
    async def record_step(self, panel: PlaybookPanel, step_id: str, fields: list[str]) -> None:
        try:
            await self._desk.api.add_audit(self.ticket_id, AuditCreate(
                kind="step", step_id=step_id, evidence_fields=fields))
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        panel.mark_done(step_id)

    @on(PlaybookPanel.ActionRequested)
    def _action_requested(self, event: PlaybookPanel.ActionRequested) -> None:
        self.run_account_action(event.action, event.panel)

    def action_cancel_deletion(self) -> None:
        panel = self.query(PlaybookPanel).first() if self.query(PlaybookPanel) else None
        self.run_account_action(AccountAction.CANCEL_DELETION, panel)

    @work(group="account")
    async def run_account_action(self, action: AccountAction, panel: PlaybookPanel | None) -> None:
        try:
            result = await self._desk.api.account_action(self.ticket_id, action,
                                                         idempotency_key=new_idempotency_key())
        except VerificationIncomplete as exc:
            if panel is not None:
                panel.show_refusal(exc.missing_steps)
            self.notify(_("Verify the customer first: the playbook's checks are not all done."),
                        title=_("Refused"), severity="error")
            return
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        self.set_ticket(result.ticket)
        when: datetime | None = result.deletion_scheduled_for
        done = _(_ACTION_DONE[action]).format(date=date_time(when, language=self._language()) if when else "")
        if when is not None:
            self.query_one(StatusLine).set_note(done)
        self.notify(done)

    # --- secrets ----------------------------------------------------------------

    def action_reveal_secret(self) -> None:
        card = self.thread.last_masked_card()
        if card is None:
            self.notify(_("No hidden secrets in this conversation."))
            return
        card.reveal(REVEAL_SECONDS)
        self.record_reveal(card.message.id)

    @work(group="audit")
    async def record_reveal(self, message_id: int) -> None:
        try:
            await self._desk.api.add_audit(self.ticket_id, AuditCreate(kind="reveal", message_id=message_id))
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")

    # --- audit trail --------------------------------------------------------------

    def action_show_audit(self) -> None:
        self.show_audit()

    @work(exclusive=True, group="audit-view")
    async def show_audit(self) -> None:
        from supportdesk_tui.screens.pickers import ConfirmModal

        try:
            trail = await self._desk.api.audit(self.ticket_id)
        except ApiError as exc:
            self.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        body = Text()
        if not trail:
            body.append(_("Nothing recorded on this ticket yet."))
        for entry in trail:
            body.append(date_time(entry.created_at, language=self._language()) + "  ", style="dim")
            body.append(one_line(entry.agent.name) + "  ", style="bold")
            body.append(one_line(entry.summary) + "\n")
        self.app.push_screen(ConfirmModal(_("Audit trail of #{id}").format(id=self.ticket_id), body,
                                          question=_("Close?")))

    # --- help articles --------------------------------------------------------------

    def action_insert_article(self) -> None:
        from supportdesk_tui.screens.articles import ArticlePicker

        api = self._desk.api

        async def loader(language: Language) -> list[Article]:
            return await api.articles("", language)

        def chosen(text: str | None) -> None:
            if text:
                self.composer.insert_at_cursor(text)
                self.composer.focus_editor()

        self.app.push_screen(ArticlePicker(loader, language=self._language()), chosen)
