"""What a write returns to a caller that may not read the ticket it wrote to.

The intake channel creates tickets and posts customer messages for any ticket id, but reads
nothing: its answer is a receipt with the ids of what it sent (and whether its message reopened
the ticket), never the ticket itself with the requester's contacts, the assignee or the
escalation. The same rule covers an agent whose new ticket is routed outside their queues.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk_tui.contract.models import MessagePosted, MessageReceipt, Ticket, TicketReceipt


@dataclass(frozen=True)
class PostedMessage:
    """A message as written, with what it did to the ticket that only the writer's receipt tells."""

    posted: MessagePosted
    reopened: bool


def ticket_receipt(ticket: Ticket) -> TicketReceipt:
    # A new ticket's last message is the customer's first one, written in the same transaction.
    assert ticket.last_message_id is not None
    return TicketReceipt(ticket_id=ticket.id, message_id=ticket.last_message_id)


def message_receipt(result: PostedMessage) -> MessageReceipt:
    message = result.posted.message
    return MessageReceipt(ticket_id=message.ticket_id, message_id=message.id, reopened=result.reopened)
