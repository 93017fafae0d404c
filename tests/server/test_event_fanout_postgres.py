"""One instance's bus gets every event committed on the database once, in id order, whoever
committed it: its own writes, another instance's (NOTIFY), a writer whose notification never
came, and writes made while its LISTEN connection was down."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg

from pg_server import TEMPLATE, PgCluster
from supportdesk_tui.server.pg_notify import EventFanout
from supportdesk_tui.server.records import StoredEvent
from supportdesk_tui.server.store import Store, open_store
from waiting import poll_until

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LISTENING = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'"


def write(store: Store, n: int) -> list[int]:
    with store.write() as tx:
        for i in range(n):
            tx.event("ticket.updated", "access", {"n": i}, AT)
    return [e.id for e in tx.events]


def write_unannounced(url: str) -> int:
    """A commit whose NOTIFY is lost: the event row without the notification."""
    with psycopg.connect(url) as conn:
        event_id = conn.execute(
            "UPDATE event_counter SET value = value + 1 WHERE id = 1 RETURNING value"
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO events (id, type, queue, data, created_at) VALUES (%s, 'ticket.updated', "
            "'access', '{}', 0)",
            (event_id,),
        )
    return int(event_id)


def test_the_bus_gets_every_event_once_in_order_through_lost_notifications_and_reconnects(
    pg_cluster: PgCluster,
) -> None:
    url = pg_cluster.create_database(TEMPLATE)
    here, elsewhere = open_store(url), open_store(url)  # this instance, and another one
    delivered: list[int] = []
    lock = threading.Lock()

    def publish(events: list[StoredEvent]) -> None:
        with lock:
            delivered.extend(e.id for e in events)

    fanout = EventFanout(here, url, publish, poll=0.2)
    fanout.start()
    here.add_commit_listener(fanout.on_commit)
    try:
        with psycopg.connect(url, autocommit=True) as admin:
            assert poll_until(lambda: bool(admin.execute(LISTENING).fetchall()))
            written = write(here, 2) + write(elsewhere, 3)
            written += write(here, 1)  # right after another instance's commit: the gap is read
            written.append(write_unannounced(url))
            written += write(elsewhere, 1)
            # The listener's connection drops; writes go on meanwhile.
            admin.execute(f"SELECT pg_terminate_backend(pid) FROM ({LISTENING}) AS l")
            written += write(elsewhere, 2)
            written.append(write_unannounced(url))
            assert poll_until(lambda: len(delivered) >= len(written), timeout=15), (delivered, written)
            # Once the listener is back, announced commits flow again.
            assert poll_until(lambda: bool(admin.execute(LISTENING).fetchall()), timeout=15)
            written += write(elsewhere, 1)
            assert poll_until(lambda: len(delivered) >= len(written), timeout=15), (delivered, written)
    finally:
        here.remove_commit_listener(fanout.on_commit)
        fanout.stop()
        here.close()
        elsewhere.close()
    assert delivered == written, "the bus missed, repeated or reordered an event"
    assert written == list(range(written[0], written[0] + len(written)))
