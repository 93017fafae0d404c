"""Idempotency keys in the database: one row per (caller, key), held by one attempt at a time.

An attempt holds its key under a lease; a retry takes over once the lease expires (the
server that held it may have died), and only the attempt holding the key may store the
response that later retries replay. Each function runs inside the caller's write transaction.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from supportdesk_tui.server.records import IdempotencyOutcome, to_ms
from supportdesk_tui.server.storage.engine import DbConn


def begin_attempt(
    db: DbConn, caller_id: int, key: str, body_hash: str, now: datetime, keep: timedelta, lease: timedelta
) -> IdempotencyOutcome:
    """Start an attempt at (caller, key): a new one, or a takeover of an expired lease."""
    attempt = uuid.uuid4().hex
    # Leases run on the wall clock: they are about processes, not the (possibly demo) day.
    wall = int(time.time() * 1000)
    lease_until = wall + int(lease.total_seconds() * 1000)
    db.execute("DELETE FROM idempotency WHERE created_at < ?", (to_ms(now - keep),))
    row = db.execute(
        "SELECT body_hash, state, status, body, content_type, lease_until FROM idempotency "
        "WHERE caller_id = ? AND key = ?",
        (caller_id, key),
    ).fetchone()
    if row is None:
        db.execute(
            "INSERT INTO idempotency (caller_id, key, body_hash, state, created_at, attempt, "
            "lease_until) VALUES (?, ?, ?, 'in_flight', ?, ?, ?)",
            (caller_id, key, body_hash, to_ms(now), attempt, lease_until),
        )
        return IdempotencyOutcome(kind="new", attempt=attempt)
    if row["body_hash"] != body_hash:
        return IdempotencyOutcome(kind="mismatch")
    if row["state"] == "in_flight":
        held_until = row["lease_until"]
        if held_until is not None and held_until > wall:
            return IdempotencyOutcome(kind="in_flight", retry_after=(held_until - wall) / 1000)
        # The attempt that held it died or is too slow: this one takes over. The old one
        # can no longer commit (its effect is checked against `attempt` in its transaction).
        db.execute(
            "UPDATE idempotency SET attempt = ?, lease_until = ? WHERE caller_id = ? AND key = ?",
            (attempt, lease_until, caller_id, key),
        )
        return IdempotencyOutcome(kind="new", attempt=attempt)
    return IdempotencyOutcome(
        kind="replay",
        status=int(row["status"]),
        body=bytes(row["body"]),
        content_type=row["content_type"],
    )


def store_response(
    db: DbConn,
    caller_id: int,
    key: str,
    attempt: str,
    status: int,
    body: bytes,
    content_type: str,
) -> bool:
    """Keep the response for replays; False when `attempt` no longer holds the key."""
    cur = db.execute(
        "UPDATE idempotency SET state = 'done', status = ?, body = ?, content_type = ?, lease_until = NULL "
        "WHERE caller_id = ? AND key = ? AND attempt = ? AND state = 'in_flight'",
        (status, body, content_type, caller_id, key, attempt),
    )
    return cur.rowcount == 1


def release_attempt(db: DbConn, caller_id: int, key: str, attempt: str) -> None:
    """Forget an attempt that ended without an answer worth replaying (if it still holds the key)."""
    db.execute(
        "DELETE FROM idempotency WHERE caller_id = ? AND key = ? AND attempt = ? "
        "AND state = 'in_flight'",
        (caller_id, key, attempt),
    )
