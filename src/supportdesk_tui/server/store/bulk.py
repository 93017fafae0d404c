"""Bulk loading: generated tickets, one customer message each, in big transactions.

No `WriteTx` and no events: the rows are written by the engine's own bulk path.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from supportdesk_tui.contract.models import MessageKind
from supportdesk_tui.server.records import BulkTicket, to_ms
from supportdesk_tui.server.storage.engine import Engine
from supportdesk_tui.server.store.rows import MESSAGE_COLUMNS, TICKET_COLUMNS, ticket_params


def bulk_load(
    engine: Engine, write_lock: threading.RLock, tickets: Iterable[BulkTicket], batch: int, empty: bool
) -> int:
    """Insert `tickets` `batch` at a time; `empty`: the tickets table is empty. Returns how many."""
    inserted = 0
    chunk: list[BulkTicket] = []

    def flush() -> None:
        nonlocal inserted
        # Requesters are often shared between generated tickets; keyed by id(), which
        # stays unique while `chunk` keeps every one of them alive.
        memo: dict[int, str] = {}
        # Generated rows, straight to the engine (its bulk path may need its own connection type).
        with write_lock, engine.transaction() as db:
            engine.bulk_tune(db)
            next_ticket, next_message = (
                engine.reserve_ids(db, table, len(chunk)) for table in ("tickets", "messages")
            )
            ticket_rows = []
            message_rows = []
            for offset, item in enumerate(chunk):
                state = item.state
                state.id = next_ticket + offset
                state.last_message_id = next_message + offset
                state.message_count = 1
                ticket_rows.append((state.id, *ticket_params(state, memo)))
                message_rows.append(
                    (
                        state.last_message_id,
                        state.id,
                        MessageKind.CUSTOMER.value,
                        "customer",
                        state.requester.account_id,
                        state.requester.name,
                        item.body,
                        to_ms(state.created_at),
                    )
                )
            engine.insert_rows(
                db, "tickets", ("id", *(c.strip() for c in TICKET_COLUMNS.split(","))), ticket_rows
            )
            engine.insert_rows(db, "messages", MESSAGE_COLUMNS, message_rows)
        inserted += len(chunk)
        chunk.clear()

    engine.bulk_begin(empty)
    for item in tickets:
        chunk.append(item)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    engine.bulk_end(empty)
    return inserted
