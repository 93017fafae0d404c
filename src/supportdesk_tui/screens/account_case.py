"""Account cases inside a conversation: the playbook beside the thread, audited steps, account
actions gated by verification, revealing masked secrets, help articles.

The conversation screen owns one `AccountCase` and hands it its keys and its playbook panel's
messages; the case does the API calls (in the screen's workers) and shows what came of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.css.query import NoMatches

from supportdesk_tui.api.client import new_idempotency_key
from supportdesk_tui.api.errors import ApiError, VerificationIncomplete
from supportdesk_tui.contract.models import AccountAction, Article, AuditCreate, Language, Playbook, Ticket
from supportdesk_tui.domain.safe_text import one_line, safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.times import date_time
from supportdesk_tui.screens.articles import ArticlePicker
from supportdesk_tui.screens.base import DeskScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.playbook_panel import PlaybookPanel
from supportdesk_tui.widgets.status_line import StatusLine
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


class AccountCase:
    """The account-case side of the conversation of `ticket_id`, shown on `screen`.

    `show_ticket` is how an account action's updated ticket reaches the conversation's header and
    sidebar. Workers run in the screen's groups, so leaving the ticket cancels them with it.
    """

    def __init__(self, screen: DeskScreen, ticket_id: int, show_ticket: Callable[[Ticket], None]) -> None:
        self._screen = screen
        self._ticket_id = ticket_id
        self._show_ticket = show_ticket

    # --- the playbook -----------------------------------------------------------

    def load_playbook(self, ticket: Ticket) -> None:
        """Open the ticket's playbook beside the thread when its category has one."""
        self._screen.run_worker(self._load_playbook(ticket), group="playbook", exclusive=True)

    async def _load_playbook(self, ticket: Ticket) -> None:
        screen = self._screen
        api = screen.desk.api
        try:
            playbook = playbook_for(await api.playbooks(), ticket.category)
            if playbook is None:
                return
            trail = await api.audit(ticket.id)
        except ApiError:
            return  # a ticket is workable without its playbook; the key says so when pressed
        done = {e.step_id for e in trail if e.kind == "step" and e.step_id}
        try:
            body = screen.query_one("#conversation-body")
            existing = screen.query(PlaybookPanel)
        except NoMatches:
            return
        if existing:
            return
        await body.mount(PlaybookPanel(playbook, ticket.language, done=done), before="#customer")
        scheduled = [e for e in trail if e.kind == "action" and "deletion" in e.summary.lower()]
        if scheduled:
            screen.query_one(StatusLine).set_note(scheduled[-1].summary)

    def toggle_playbook(self) -> None:
        panels = self._screen.query(PlaybookPanel)
        if not panels:
            self._screen.notify(_("This ticket's category has no playbook."), severity="warning")
            return
        panel = panels.first()
        panel.display = not panel.display

    def record_step(self, panel: PlaybookPanel, step_id: str, fields: list[str]) -> None:
        self._screen.run_worker(self._record_step(panel, step_id, fields), group="audit")

    async def _record_step(self, panel: PlaybookPanel, step_id: str, fields: list[str]) -> None:
        try:
            await self._screen.desk.api.add_audit(self._ticket_id, AuditCreate(
                kind="step", step_id=step_id, evidence_fields=fields))
        except ApiError as exc:
            self._screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        panel.mark_done(step_id)

    def cancel_deletion(self, language: Language) -> None:
        panels = self._screen.query(PlaybookPanel)
        self.run_account_action(AccountAction.CANCEL_DELETION, panels.first() if panels else None, language)

    def run_account_action(self, action: AccountAction, panel: PlaybookPanel | None,
                           language: Language) -> None:
        self._screen.run_worker(self._run_account_action(action, panel, language), group="account")

    async def _run_account_action(self, action: AccountAction, panel: PlaybookPanel | None,
                                  language: Language) -> None:
        screen = self._screen
        try:
            result = await screen.desk.api.account_action(self._ticket_id, action,
                                                          idempotency_key=new_idempotency_key())
        except VerificationIncomplete as exc:
            if panel is not None:
                panel.show_refusal(exc.missing_steps)
            screen.notify(_("Verify the customer first: the playbook's checks are not all done."),
                          title=_("Refused"), severity="error")
            return
        except ApiError as exc:
            screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        self._show_ticket(result.ticket)
        when: datetime | None = result.deletion_scheduled_for
        done = _(_ACTION_DONE[action]).format(date=date_time(when, language=language) if when else "")
        if when is not None:
            screen.query_one(StatusLine).set_note(done)
        screen.notify(done)

    # --- secrets ----------------------------------------------------------------

    def reveal_secret(self, thread: Thread) -> None:
        card = thread.last_masked_card()
        if card is None:
            self._screen.notify(_("No hidden secrets in this conversation."))
            return
        card.reveal(REVEAL_SECONDS)
        self._screen.run_worker(self._record_reveal(card.message.id), group="audit")

    async def _record_reveal(self, message_id: int) -> None:
        try:
            await self._screen.desk.api.add_audit(self._ticket_id,
                                                  AuditCreate(kind="reveal", message_id=message_id))
        except ApiError as exc:
            self._screen.notify(safe_text(exc.message), title=exc.title, severity="error")

    # --- audit trail --------------------------------------------------------------

    def show_audit(self, language: Language) -> None:
        self._screen.run_worker(self._show_audit(language), group="audit-view", exclusive=True)

    async def _show_audit(self, language: Language) -> None:
        screen = self._screen
        try:
            trail = await screen.desk.api.audit(self._ticket_id)
        except ApiError as exc:
            screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        body = Text()
        if not trail:
            body.append(_("Nothing recorded on this ticket yet."))
        for entry in trail:
            body.append(date_time(entry.created_at, language=language) + "  ", style="dim")
            body.append(one_line(entry.agent.name) + "  ", style="bold")
            body.append(one_line(entry.summary) + "\n")
        screen.app.push_screen(ConfirmModal(_("Audit trail of #{id}").format(id=self._ticket_id), body,
                                            question=_("Close?")))

    # --- help articles --------------------------------------------------------------

    def insert_article(self, composer: Composer, language: Language) -> None:
        api = self._screen.desk.api

        async def loader(language: Language) -> list[Article]:
            return await api.articles("", language)

        def chosen(text: str | None) -> None:
            if text:
                composer.insert_at_cursor(text)
                composer.focus_editor()

        self._screen.app.push_screen(ArticlePicker(loader, language=language), chosen)
