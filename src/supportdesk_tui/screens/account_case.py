"""Account cases inside a conversation: the playbook beside the thread, audited steps, account
actions gated by verification, revealing masked secrets, help articles.

The conversation screen owns one `AccountCase` and hands it its keys and its playbook panel's
messages; the case does the API calls (in the screen's workers) and shows what came of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import datetime

from rich.text import Text
from textual.css.query import NoMatches
from textual.widget import Widget

from supportdesk_tui.api.client import new_idempotency_key
from supportdesk_tui.api.errors import ApiError, VerificationIncomplete
from supportdesk_tui.contract.models import (
    AccountAction,
    Article,
    AuditCreate,
    AuditEntry,
    Language,
    Playbook,
    Ticket,
)
from supportdesk_tui.domain.safe_text import one_line, safe_format, safe_text
from supportdesk_tui.i18n import N_, _
from supportdesk_tui.i18n.times import date_time
from supportdesk_tui.screens.articles import ArticlePicker
from supportdesk_tui.screens.base import DeskScreen
from supportdesk_tui.screens.pickers import ConfirmModal
from supportdesk_tui.widgets.composer import Composer
from supportdesk_tui.widgets.playbook_panel import DoneMark, PlaybookPanel
from supportdesk_tui.widgets.status_line import StatusLine
from supportdesk_tui.widgets.thread import Thread

REVEAL_SECONDS = 8.0
BODY_ID = "conversation-body"  # the screen's row the playbook sits in, beside the thread
SIDEBAR_ID = "customer"  # the customer card in that row, which gives way to the playbook when narrow
BESIDE_PLAYBOOK = "-beside-playbook"
"""On the customer card while a playbook shows. A class on the card, not on the screen: a class
change on a screen restyles every widget on it (tens of ms per ticket opened)."""

_ACTION_DONE = {
    AccountAction.SIGN_OUT_ALL: N_("All sessions were signed out."),
    AccountAction.SEND_RESET_LINK: N_("A password reset link was sent."),
    AccountAction.UNLINK_PHONE: N_("The phone number was unlinked."),
    AccountAction.SCHEDULE_DELETION: N_("Deletion scheduled for {date}."),
    AccountAction.CANCEL_DELETION: N_("The scheduled deletion was cancelled."),
}


# What each action will do, said before the agent confirms it ({name}: the customer).
_ACTION_EFFECT = {
    AccountAction.SIGN_OUT_ALL: N_("{name} is signed out on every device, the intruder too; "
                                   "whoever signs in again needs the password."),
    AccountAction.SEND_RESET_LINK: N_("{name} gets a link to set a new password, sent to the account's "
                                      "verified address or phone."),
    AccountAction.UNLINK_PHONE: N_("The phone number is removed from {name}'s account; they link a new "
                                   "one after signing in."),
    AccountAction.SCHEDULE_DELETION: N_("{name}'s account is deleted after the cooling-off period; "
                                        "until then the deletion can be cancelled."),
    AccountAction.CANCEL_DELETION: N_("The deletion scheduled for {name}'s account is cancelled; the "
                                      "account stays."),
}

_ACTION_QUESTION = {
    AccountAction.SIGN_OUT_ALL: N_("Sign out all sessions?"),
    AccountAction.SEND_RESET_LINK: N_("Send a password reset link?"),
    AccountAction.UNLINK_PHONE: N_("Unlink the phone number?"),
    AccountAction.SCHEDULE_DELETION: N_("Schedule the account deletion?"),
    AccountAction.CANCEL_DELETION: N_("Cancel the scheduled deletion?"),
}


def playbook_for(playbooks: list[Playbook], category: str) -> Playbook | None:
    return next((p for p in playbooks if category in p.categories), None)


def done_marks(playbook: Playbook, trail: list[AuditEntry]) -> dict[str, DoneMark]:
    """Which steps the audit trail shows as done, with who did each and when (the latest time).

    A recorded step is done; an action step is done once its action is on the trail, and a
    scheduled deletion stops being done when a later entry cancelled it.
    """
    marks: dict[str, DoneMark] = {}
    actions: dict[AccountAction, DoneMark] = {}
    for entry in trail:
        mark = DoneMark(entry.agent.name, entry.created_at)
        if entry.kind == "step" and entry.step_id:
            marks[entry.step_id] = mark
        elif entry.kind == "action" and entry.action is not None:
            actions[entry.action] = mark
            if entry.action is AccountAction.CANCEL_DELETION:
                actions.pop(AccountAction.SCHEDULE_DELETION, None)
    for step in playbook.steps:
        if step.action is not None and step.action in actions:
            marks[step.id] = actions[step.action]
    return marks


class AccountCase:
    """The account-case side of the conversation of `ticket_id`, shown on `screen`.

    `show_ticket` is how an account action's updated ticket reaches the conversation's header and
    sidebar. Workers run in the screen's groups, so leaving the ticket cancels its reads; the screen
    is reused for the next ticket, so what answers late asks `still_shown` before showing anything.
    """

    def __init__(self, screen: DeskScreen, ticket_id: int, show_ticket: Callable[[Ticket], None],
                 still_shown: Callable[[], bool] = lambda: True) -> None:
        self._screen = screen
        self._ticket_id = ticket_id
        self._show_ticket = show_ticket
        self._still_shown = still_shown

    def _body(self) -> Widget | None:
        try:
            return self._screen.get_child_by_id(BODY_ID)
        except NoMatches:
            return None  # the screen is being taken apart

    def _panels(self) -> list[PlaybookPanel]:
        """The playbook on screen (a panel of a ticket left, still being removed, does not count).

        Asked for every key binding whenever the key bar is drawn: the body's children only, not a
        query over the whole screen."""
        body = self._body()
        if body is None:
            return []
        return [child for child in body.children if isinstance(child, PlaybookPanel) and not child.leaving]

    def _set_beside_playbook(self, shown: bool) -> None:
        body = self._body()
        if body is not None:
            with contextlib.suppress(NoMatches):
                body.get_child_by_id(SIDEBAR_ID).set_class(shown, BESIDE_PLAYBOOK)

    def remove_playbook(self) -> None:
        """Take the playbook away with the ticket it belongs to."""
        screen = self._screen
        panels = self._panels()
        if not panels:
            return
        for panel in panels:
            panel.leaving = True
            # Each evidence field (an Input) subscribes to its screen's text-selection signal, which
            # keeps it until the signal is next published: on the conversation screen, reused for
            # ticket after ticket, every removed playbook would stay in memory (≈ 1 MB per ticket).
            for node in panel.walk_children(with_self=True):
                screen.text_selection_started_signal.unsubscribe(node)
            panel.remove()
        # The customer card's class stays until the next ticket's playbook is known (`_load_playbook`,
        # after that ticket's first frame): it only matters at the medium width, and changing it
        # restyles the card while the next ticket opens.
        screen.refresh_bindings()

    # --- the playbook -----------------------------------------------------------

    def load_playbook(self, ticket: Ticket) -> None:
        """Open the ticket's playbook beside the thread when its category has one."""
        self._screen.run_worker(self._load_playbook(ticket), group="playbook", exclusive=True)

    async def _load_playbook(self, ticket: Ticket) -> None:
        screen = self._screen
        api = screen.desk.api
        try:
            playbook = playbook_for(await api.playbooks(), ticket.category)
            trail = await api.audit(ticket.id) if playbook is not None else []
        except ApiError:
            playbook = None  # a ticket is workable without its playbook; the key says so when pressed
        if not self._still_shown():
            return
        body = self._body()
        if body is None or self._panels():
            return
        if playbook is None:
            self._set_beside_playbook(False)
            return
        await body.mount(PlaybookPanel(playbook, ticket.language, marks=done_marks(playbook, trail)),
                         before=f"#{SIDEBAR_ID}")
        self._set_beside_playbook(True)
        screen.refresh_bindings()  # j/k now have steps to move between
        scheduled = [e for e in trail if e.kind == "action" and "deletion" in e.summary.lower()]
        if scheduled:
            screen.query_one(StatusLine).set_note(scheduled[-1].summary)

    def shown_playbook(self) -> PlaybookPanel | None:
        panels = self._panels()
        return panels[0] if panels and panels[0].display else None

    def toggle_playbook(self) -> None:
        """Hide the playbook, or show it again with the step to do next focused."""
        panels = self._panels()
        if not panels:
            self._screen.notify(_("This ticket's category has no playbook."), severity="warning")
            return
        panel = panels[0]
        leaving = panel.has_focus_within
        panel.display = not panel.display
        if panel.display:
            panel.focus_step()
        elif leaving:
            self._screen.query_one(Thread).focus()
        self._set_beside_playbook(panel.display)
        self._screen.refresh_bindings()

    def help_note(self, keymap: Mapping[str, str]) -> str:
        """How to work the playbook, with the agent's keys (for the help screen)."""
        if not self._panels():
            return ""

        def key(binding_id: str, default: str) -> str:
            return keymap.get(binding_id, default)

        return _("Playbook: {next} and {previous} move between steps; {tick} ticks the step, or asks "
                 "before doing its account action. A check needs its evidence: enter in a field goes "
                 "to the next one, then ticks; esc leaves the field. {toggle} hides or shows the "
                 "playbook.").format(next=key("playbook.next_step", "j"),
                                     previous=key("playbook.previous_step", "k"),
                                     tick=key("playbook.tick", "space"),
                                     toggle=key("ticket.playbook", "b"))

    def move_in_playbook(self, delta: int) -> None:
        panel = self.shown_playbook()
        if panel is not None:
            panel.move(delta)

    def record_step(self, panel: PlaybookPanel, step_id: str, fields: list[str]) -> None:
        self._screen.run_worker(self._record_step(panel, step_id, fields), group="audit")

    async def _record_step(self, panel: PlaybookPanel, step_id: str, fields: list[str]) -> None:
        try:
            entry = await self._screen.desk.api.add_audit(self._ticket_id, AuditCreate(
                kind="step", step_id=step_id, evidence_fields=fields))
        except ApiError as exc:
            self._screen.notify(safe_text(exc.message), title=exc.title, severity="error")
            return
        panel.mark_done(step_id, DoneMark(entry.agent.name, entry.created_at))

    def cancel_deletion(self, ticket: Ticket | None, language: Language) -> None:
        panels = self._panels()
        self.request_account_action(AccountAction.CANCEL_DELETION, panels[0] if panels else None,
                                    ticket, language)

    def request_account_action(self, action: AccountAction, panel: PlaybookPanel | None,
                               ticket: Ticket | None, language: Language, *,
                               previously: DoneMark | None = None, hint: str = "") -> None:
        """Say what `action` will do (and whether someone already did it), then do it if confirmed.

        An account action changes who can get into someone's account: never on one keystroke.
        """
        body = Text()
        name = one_line(ticket.requester.name) if ticket is not None else _("the customer")
        body.append(_(_ACTION_EFFECT[action]).format(name=name))
        if hint:
            body.append("\n" + one_line(hint), style="dim")
        if previously is not None:
            body.append("\n\n")
            body.append(_("Already done by {who}, {when}.").format(
                who=one_line(previously.who), when=date_time(previously.at)), style="bold")
        body.append("\n\n" + _("It goes on the ticket's audit trail under your name."))

        def answered(go: bool | None) -> None:
            if go:
                self.run_account_action(action, panel, language)

        question = _("Do it again?") if previously is not None else _("Do it?")
        self._screen.app.push_screen(ConfirmModal(_(_ACTION_QUESTION[action]), body, question=question),
                                     answered)

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
        self._show_ticket(result.ticket)  # the screen ignores it when it shows another ticket now
        when: datetime | None = result.deletion_scheduled_for
        done = _(_ACTION_DONE[action]).format(date=date_time(when) if when else "")
        if not self._still_shown():
            screen.notify(done)  # done all the same; the ticket on screen now is another one
            return
        if panel is not None:
            mark = DoneMark(screen.desk.me.name, result.done_at)
            for step_id in panel.steps_with_action(action):
                panel.mark_done(step_id, mark)
            if action is AccountAction.CANCEL_DELETION:
                for step_id in panel.steps_with_action(AccountAction.SCHEDULE_DELETION):
                    panel.mark_undone(step_id)
        if when is not None:
            screen.query_one(StatusLine).set_note(done)
        screen.notify(done)

    # --- secrets ----------------------------------------------------------------

    def reveal_secret(self, thread: Thread) -> None:
        """Show the next masked secret (newest message first, then in reading order) for a few
        seconds: one per press, so an agent sees only what they need, and each one is audited."""
        card = thread.next_masked_card()
        number = card.reveal_next(REVEAL_SECONDS) if card is not None else None
        if card is None or number is None:
            if thread.last_masked_card() is not None:
                self._screen.notify(_("Every secret here is shown already; they hide again in a moment."))
            else:
                self._screen.notify(_("No hidden secrets in this conversation."))
            return
        self._screen.notify(safe_format(_("Secret {n} of {total} in this message is shown for {seconds} "
                                          "seconds (recorded in the audit trail)."),
                                        n=number, total=card.secret_count, seconds=int(REVEAL_SECONDS)),
                            timeout=REVEAL_SECONDS)
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
        if not self._still_shown():
            return
        body = Text()
        if not trail:
            body.append(_("Nothing recorded on this ticket yet."))
        for entry in trail:
            body.append(date_time(entry.created_at) + "  ", style="dim")
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
