"""Attachments: uploads, the messages that claim them, downloads, and their deletion.

An upload is the uploader's alone until a message claims it in the transaction that posts it;
from then on whoever may read the ticket may read the file, and no one else (another agent
outside the queue, intake, a caller with no token all get the same answer as for a ticket they
can't see). A finished account deletion removes the files of the customer's tickets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from supportdesk_tui.contract.file_names import safe_file_name
from supportdesk_tui.contract.models import (
    ATTACHMENT_MAX_BYTES,
    Attachment,
    EventType,
)
from supportdesk_tui.server.errors import ApiError, invalid, not_found
from supportdesk_tui.server.records import AgentRecord, AttachmentRecord
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.sniffing import sniff_content_type

# An upload no message claimed within a day is dropped (a composer closed half-way, a crash).
STALE_UPLOAD_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Download:
    attachment: AttachmentRecord
    data: bytes


class AttachmentDesk:
    def __init__(self, service: Service) -> None:
        self.service = service

    def upload(self, caller: AgentRecord, raw_name: str, data: bytes) -> Attachment:
        if not data:
            raise invalid(["body"], "The file is empty.")
        if len(data) > ATTACHMENT_MAX_BYTES:
            limit = ATTACHMENT_MAX_BYTES // (1024 * 1024)
            raise ApiError(413, "payload_too_large", f"A file may be at most {limit} MiB.")
        name = safe_file_name(raw_name)
        content_type = sniff_content_type(data)
        digest = hashlib.sha256(data).hexdigest()
        with self.service.store.write() as tx:
            return tx.insert_upload(caller.id, name, content_type, data, digest, self.service.now())

    def download(self, caller: AgentRecord, attachment_id: int) -> Download:
        self.service.ensure_reader(caller)
        store = self.service.store
        record = store.get_attachment(attachment_id)
        if record is None or not self._may_read(caller, record):
            raise not_found("attachment")
        data = store.attachment_data(attachment_id)
        if data is None:  # deleted between the two reads
            raise not_found("attachment")
        return Download(record, data)

    def _may_read(self, caller: AgentRecord, record: AttachmentRecord) -> bool:
        if record.ticket_id is None:
            return record.uploader_id == caller.id
        queue = self.service.store.ticket_queue(record.ticket_id)
        return queue is not None and self.service.can_see(caller, queue)

    def housekeeping(self) -> None:
        """Finish the account deletions that came due, and drop uploads no message claimed."""
        now = self.service.now()
        self.complete_due_deletions(now)
        with self.service.store.write() as tx:
            tx.delete_stale_uploads(now - STALE_UPLOAD_AGE)

    def complete_due_deletions(self, now: datetime) -> list[str]:
        """Accounts whose cooling-off period is over become `deleted`, and the files their tickets
        carried go; the conversation's text stays (the support record), its attachments don't."""
        done: list[str] = []
        with self.service.store.write() as tx:
            for account_id in tx.accounts_due_for_deletion(now):
                tickets = tx.tickets_of_requester(account_id)
                tx.delete_attachments_of([t.id for t in tickets])
                account = tx.account(account_id)
                account.deletion_scheduled_for = None
                tx.save_account(account)
                for state in tickets:
                    state.requester = state.requester.model_copy(update={"account_state": "deleted"})
                    state.version += 1
                    state.updated_at = now
                    tx.save_ticket(state)
                    ticket = self.service.with_presence(tx.ticket(state.id))
                    data = ticket.model_dump(mode="json")
                    tx.event(EventType.TICKET_UPDATED.value, ticket.queue, data, now)
                done.append(account_id)
        return done
