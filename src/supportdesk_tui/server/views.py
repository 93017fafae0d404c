"""Turn internal records into the contract models the API returns."""

from __future__ import annotations

from supportdesk_tui.contract.models import AgentRef, EscalationRef, EscalationStatus, Ticket
from supportdesk_tui.server import sla
from supportdesk_tui.server.records import TicketState, tracker_url


def ticket_from_state(
    state: TicketState,
    assignee: AgentRef | None,
    escalation_status: EscalationStatus | None,
) -> Ticket:
    escalation = (
        EscalationRef(
            key=state.escalation_key, status=escalation_status, url=tracker_url(state.escalation_key)
        )
        if state.escalation_key is not None and escalation_status is not None
        else None
    )
    return Ticket(
        id=state.id,
        version=state.version,
        subject=state.subject,
        status=state.status,
        priority=state.priority,
        queue=state.queue,
        language=state.language,
        category=state.category,
        tags=list(state.tags),
        requester=state.requester,
        assignee=assignee,
        created_at=state.created_at,
        updated_at=state.updated_at,
        waiting_since=state.waiting_since,
        last_message_id=state.last_message_id,
        message_count=state.message_count,
        sla=sla.to_model(state),
        environment=state.environment,
        escalation=escalation,
        needs_reply=state.needs_reply,
    )
