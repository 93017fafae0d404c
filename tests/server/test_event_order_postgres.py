"""Event ids on PostgreSQL come out in commit order: a reader resuming with the last id it saw
never skips one, however writers on several instances interleave (the "ordering trap" of ids
taken from a sequence at INSERT time, see storage/postgres_schema.py)."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

from pg_server import TEMPLATE, PgCluster
from supportdesk_tui.server.store import open_store

WRITES_PER_WRITER = 25
AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_resuming_reader_sees_every_event_of_two_writers_in_order_without_gaps(
    pg_cluster: PgCluster,
) -> None:
    url = pg_cluster.create_database(TEMPLATE)
    # Two stores, each with its own pool: two server instances on one database.
    writers = [open_store(url), open_store(url)]
    reader = open_store(url)
    written: list[int] = []
    written_lock = threading.Lock()
    done = threading.Event()

    def write(store_index: int) -> None:
        store, rng = writers[store_index], random.Random(store_index)
        for n in range(WRITES_PER_WRITER):
            with store.write() as tx:
                tx.event("ticket.updated", "access", {"writer": store_index, "n": n}, AT)
                # Hold the transaction open after taking the id: with ids from a sequence the
                # other writer would commit a later id first, and the reader would pass this one.
                time.sleep(rng.uniform(0.0, 0.004))
                if rng.random() < 0.5:
                    tx.event("queue.counts", None, {"writer": store_index, "n": n}, AT)
            with written_lock:
                written.extend(e.id for e in tx.events)

    seen: list[int] = []

    def read() -> None:
        last = 0
        while True:
            finished = done.is_set()  # read once more after the writers are done
            for event in reader.events_after(last, 1000):
                seen.append(event.id)
                last = event.id
            if finished:
                return
            time.sleep(0.001)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(writers))]
    reading = threading.Thread(target=read)
    try:
        reading.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        done.set()
        reading.join(60)
    finally:
        for store in (*writers, reader):
            store.close()

    assert sorted(written) == seen, "the reader skipped or repeated an event"
    assert seen == list(range(seen[0], seen[0] + len(seen))), "event ids have gaps"
