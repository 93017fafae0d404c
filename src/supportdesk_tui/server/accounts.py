"""Playbooks, the audit trail and account actions on top of `Service`.

An account action changes who can get into someone's account, so it runs only
after every verification step of the ticket's playbook is on the audit trail,
and it leaves an audit entry itself. Audit summaries hold step titles and the
*names* of the facts checked; evidence values never reach the server.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from supportdesk_tui.contract.models import (
    AccountAction,
    AccountActionResult,
    AuditCreate,
    AuditEntry,
    EventType,
    HistoryKind,
    Language,
    Playbook,
    PlaybookStep,
    Role,
    Ticket,
)
from supportdesk_tui.server.errors import ApiError, invalid, not_found
from supportdesk_tui.server.playbooks_data import PLAYBOOKS, allowed_actions, playbook_for
from supportdesk_tui.server.records import AccountRecord, AgentRecord, TicketState
from supportdesk_tui.server.service import Service, agent_author
from supportdesk_tui.server.store import WriteTx

ACTION_SUMMARIES: dict[AccountAction, str] = {
    AccountAction.SIGN_OUT_ALL: "Signed out all sessions",
    AccountAction.SEND_RESET_LINK: "Sent a password reset link",
    AccountAction.UNLINK_PHONE: "Unlinked the phone number",
    AccountAction.SCHEDULE_DELETION: "Scheduled the account deletion",
    AccountAction.CANCEL_DELETION: "Cancelled the scheduled deletion",
}


AccountState = Literal["active", "locked", "deletion_scheduled", "deleted"]


class AccountDesk:
    def __init__(self, service: Service) -> None:
        self.service = service

    def playbooks(self, caller: AgentRecord) -> list[Playbook]:
        self.service.ensure_reader(caller)
        return list(PLAYBOOKS)

    def _visible_queue(self, caller: AgentRecord, ticket_id: int) -> str:
        self.service.ensure_reader(caller)
        queue = self.service.store.ticket_queue(ticket_id)
        if queue is None or not self.service.can_see(caller, queue):
            raise not_found()
        return queue

    def audit(self, caller: AgentRecord, ticket_id: int) -> list[AuditEntry]:
        self._visible_queue(caller, ticket_id)
        return self.service.store.list_audit(ticket_id)

    def record(self, caller: AgentRecord, ticket_id: int, body: AuditCreate) -> AuditEntry:
        self._visible_queue(caller, ticket_id)
        now = self.service.now()
        with self.service.store.write() as tx:
            state = tx.ticket_state(ticket_id)
            if state is None or not self.service.can_see(caller, state.queue):
                raise not_found()
            if body.kind == "reveal":
                summary = self._reveal_summary(tx, ticket_id, body)
                step_id = None
            else:
                step = self._step(state, body)
                summary = _step_summary(step, body.evidence_fields)
                step_id = step.id
            return tx.insert_audit(ticket_id, caller.ref(), body.kind, step_id, summary, now)

    @staticmethod
    def _reveal_summary(tx: WriteTx, ticket_id: int, body: AuditCreate) -> str:
        if body.message_id is None:
            raise invalid(["body", "message_id"], "A reveal names the message that was shown.")
        if not tx.existing_message_ids(ticket_id, [body.message_id]):
            raise invalid(["body", "message_id"], "No such message in this ticket.")
        if body.step_id is not None or body.evidence_fields:
            raise invalid(["body", "kind"], "A reveal carries only a message id.")
        return f"Revealed a masked secret in message #{body.message_id}"

    @staticmethod
    def _step(state: TicketState, body: AuditCreate) -> PlaybookStep:
        playbook = playbook_for(state.category)
        if playbook is None:
            raise invalid(["body", "step_id"], "This ticket's category has no playbook.")
        step = next((s for s in playbook.steps if s.id == body.step_id), None)
        if step is None:
            raise invalid(["body", "step_id"], f"No such step in the {playbook.id!r} playbook.")
        unknown = [name for name in body.evidence_fields if name not in step.evidence_fields]
        if unknown:
            # Only the step's own field names are accepted, so a value typed into the
            # wrong box can never be stored in the audit trail.
            raise invalid(["body", "evidence_fields"], "Evidence fields must be names this step lists.")
        return step

    def act(self, caller: AgentRecord, ticket_id: int, action: AccountAction) -> AccountActionResult:
        self._visible_queue(caller, ticket_id)
        if caller.role not in (Role.AGENT, Role.LEAD):
            raise ApiError(403, "forbidden", "Only agents and leads may change accounts.")
        now = self.service.now()
        with self.service.store.write() as tx:
            state = tx.ticket_state(ticket_id)
            if state is None or not self.service.can_see(caller, state.queue):
                raise not_found()
            playbook = playbook_for(state.category)
            if playbook is None:
                raise ApiError(409, "no_playbook", "This ticket's category has no account playbook.")
            if action not in allowed_actions(playbook):
                raise ApiError(
                    409,
                    "action_not_allowed",
                    f"The {playbook.id!r} playbook does not allow {action.value}.",
                    {"allowed": sorted(a.value for a in allowed_actions(playbook))},
                )
            done = tx.audit_step_ids(ticket_id)
            missing = [s.id for s in playbook.steps if s.verification and s.id not in done]
            if missing:
                raise ApiError(
                    409,
                    "verification_incomplete",
                    "Finish the playbook's verification steps first.",
                    {"missing_steps": missing},
                )
            account = tx.account(state.requester.account_id)
            new_state = self._apply(account, state, action, playbook, now)
            tx.save_account(account)
            summary = ACTION_SUMMARIES[action]
            if action == AccountAction.SCHEDULE_DELETION and account.deletion_scheduled_for is not None:
                summary += f" for {account.deletion_scheduled_for.date().isoformat()}"
            tx.insert_audit(ticket_id, caller.ref(), "action", None, summary, now, action=action.value)
            # The audit keeps the security record; the history gets a line for the conversation.
            tx.record_history(ticket_id, agent_author(caller), HistoryKind.ACCOUNT_ACTION,
                              state.requester.account_state, action.value, now)
            ticket = self._update_requester_tickets(tx, state, new_state, ticket_id)
        return AccountActionResult(
            action=action,
            done_at=now,
            account_state=new_state,
            deletion_scheduled_for=account.deletion_scheduled_for,
            ticket=ticket,
        )

    @staticmethod
    def _apply(
        account: AccountRecord,
        state: TicketState,
        action: AccountAction,
        playbook: Playbook,
        now: datetime,
    ) -> AccountState:
        current = state.requester.account_state
        if action == AccountAction.SIGN_OUT_ALL:
            account.signed_out_at = now
        elif action == AccountAction.SEND_RESET_LINK:
            account.reset_sent_at = now
        elif action == AccountAction.SCHEDULE_DELETION:
            if current == "deleted":
                raise ApiError(409, "account_deleted", "The account is already deleted.")
            days = playbook.cooling_off_days or 30
            account.deletion_scheduled_for = now + timedelta(days=days)
            return "deletion_scheduled"
        elif action == AccountAction.CANCEL_DELETION:
            if current != "deletion_scheduled":
                raise ApiError(409, "deletion_not_scheduled", "No deletion is scheduled for this account.")
            due = account.deletion_scheduled_for
            if due is not None and now >= due:
                raise ApiError(
                    409, "cooling_off_over", "The cooling-off period is over.", {"due": due.isoformat()}
                )
            account.deletion_scheduled_for = None
            return "active"
        if current == "locked":
            # The intruder is out and the owner can set a new password: unlock.
            both = account.signed_out_at is not None and account.reset_sent_at is not None
            return "active" if both else "locked"
        return current

    def _update_requester_tickets(
        self, tx: WriteTx, state: TicketState, new_state: AccountState, ticket_id: int
    ) -> Ticket:
        """Every ticket of the requester shows the new account state; this ticket always bumps."""
        now = self.service.now()
        for other in tx.tickets_of_requester(state.requester.account_id):
            if other.id != ticket_id and other.requester.account_state == new_state:
                continue
            other.requester = other.requester.model_copy(update={"account_state": new_state})
            other.version += 1
            other.updated_at = now
            tx.save_ticket(other)
            ticket = self.service.with_presence(tx.ticket(other.id))
            tx.event(EventType.TICKET_UPDATED.value, ticket.queue, ticket.model_dump(mode="json"), now)
        return self.service.with_presence(tx.ticket(ticket_id))


def _step_summary(step: PlaybookStep, fields: list[str]) -> str:
    title = step.title.get(Language.EN) or next(iter(step.title.values()), step.id)
    if not fields:
        return f"Step done: {title}"
    return f"Step done: {title} — checked: {', '.join(dict.fromkeys(fields))}"
