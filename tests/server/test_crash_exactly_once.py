"""Exactly once through kill -9: writers keep posting with Idempotency-Keys while the real server
is killed at random moments and restarted on the same database; every key, answered or not, is
retried until the server answers it. Each key must end as exactly one message.

The kill points are drawn from a seeded generator (after how many answers in the round, plus a
jitter of a few milliseconds); whatever moment the kill lands on, the assertions must hold.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import httpx
import pytest
from server_helpers import error_code, new_ticket_body, query_database

from conftest import ServerFactory, ServerHandle
from waiting import poll_until

SEED = 20261313
ROUNDS = 6
WRITERS = ("lena", "lena", "lena", "intake", "intake", "lena")  # a lead's notes, the channel's messages
KEYS_PER_WRITER = 40
LEASE = 1.0  # seconds a dead server's in-flight request holds its key
FINAL_TRIES = 40


@dataclass
class Ledger:
    """What the clients know: the first answer to each key, and every replay they were given."""

    first: dict[str, bytes] = field(default_factory=dict)
    replays: list[tuple[str, httpx.Response]] = field(default_factory=list)
    surprises: list[str] = field(default_factory=list)
    answered_this_round: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, key: str, response: httpx.Response) -> None:
        with self.lock:
            self.answered_this_round += 1
            if response.headers.get("Idempotent-Replayed") == "true":
                self.replays.append((key, response))
            elif key in self.first:
                self.surprises.append(f"{key}: answered afresh a second time")
            self.first.setdefault(key, response.content)


@dataclass
class Writer:
    login: str
    ticket_id: int
    keys: list[str]
    unanswered: list[str] = field(default_factory=list)  # sent, no answer yet (in flight at a kill)
    fresh: int = 0  # keys[:fresh] have been sent at least once

    def body(self, key: str) -> dict[str, str]:
        kind = "customer" if self.login == "intake" else "note"
        return {"kind": kind, "body": marker(key)}

    def next_key(self, rng: random.Random, ledger: Ledger) -> str:
        if self.unanswered:
            return self.unanswered.pop(0)
        answered = [k for k in self.keys[: self.fresh] if k in ledger.first]
        if answered and rng.random() < 0.1:
            return rng.choice(answered)  # answered already: sending it again must replay
        if self.fresh < len(self.keys):
            self.fresh += 1
            return self.keys[self.fresh - 1]
        return rng.choice(self.keys)  # all sent: keep sending, they must replay

    def run_round(self, server: ServerHandle, ledger: Ledger, killed: threading.Event, seed: int) -> None:
        rng = random.Random(seed)
        url = f"/api/v1/tickets/{self.ticket_id}/messages"
        with server.client(self.login) as client:
            while not killed.is_set():
                key = self.next_key(rng, ledger)
                try:
                    response = client.post(url, json=self.body(key), headers={"Idempotency-Key": key})
                except httpx.TransportError:
                    self.unanswered.append(key)  # the server died with it in flight: retry later
                    continue
                if response.status_code == 201:
                    ledger.answer(key, response)
                elif response.status_code == 409 and error_code(response) == "idempotency_in_flight":
                    self.unanswered.append(key)  # a dead server's attempt still holds the lease
                    killed.wait(0.05)
                else:
                    with ledger.lock:
                        ledger.surprises.append(f"{key}: HTTP {response.status_code} {response.text}")
                    return


def marker(key: str) -> str:
    return f"crash-test {key}"


@pytest.mark.runs_long
def test_notes_sent_through_repeated_kill_9_land_exactly_once(server_factory: ServerFactory) -> None:
    rng = random.Random(SEED)
    server = server_factory(demo=False, idempotency_lease=LEASE)
    with server.client("intake") as intake:
        created = [intake.post("/api/v1/tickets", json=new_ticket_body()) for _ in WRITERS]
    tickets = [answer.json()["ticket_id"] for answer in created]
    writers = [
        Writer(login, ticket, [f"w{w}-k{n}" for n in range(KEYS_PER_WRITER)])
        for w, (login, ticket) in enumerate(zip(WRITERS, tickets, strict=True))
    ]
    ledger = Ledger()

    for round_no in range(ROUNDS):
        if round_no:
            server.restart()
        killed = threading.Event()
        ledger.answered_this_round = 0
        threads = [
            threading.Thread(target=w.run_round, args=(server, ledger, killed, rng.randrange(2**32)))
            for w in writers
        ]
        for thread in threads:
            thread.start()
        enough = rng.randint(5, 40)
        assert poll_until(lambda enough=enough: ledger.answered_this_round >= enough, timeout=20)
        threading.Event().wait(rng.uniform(0.0, 0.02))  # jitter: land inside some request
        server.kill()
        killed.set()
        for thread in threads:
            thread.join(timeout=30)
        assert not ledger.surprises, ledger.surprises

    # The last restart: every key, answered before or not, is asked again until it is answered.
    server.restart()
    all_keys = [key for w in writers for key in w.keys]
    finals: dict[str, httpx.Response] = {}
    clients = {login: server.client(login) for login in set(WRITERS)}
    try:
        for w in writers:
            for key in w.keys:
                url = f"/api/v1/tickets/{w.ticket_id}/messages"
                for _ in range(FINAL_TRIES):
                    response = clients[w.login].post(url, json=w.body(key), headers={"Idempotency-Key": key})
                    if response.status_code != 409:
                        break
                    # A request the last kill interrupted holds its key until the lease runs out.
                    threading.Event().wait(min(float(response.headers["Retry-After"]), LEASE) / 4)
                assert response.status_code == 201, (key, response.text)
                finals[key] = response
    finally:
        for client in clients.values():
            client.close()
    server.stop()

    for key, response in finals.items():
        if key in ledger.first:
            # Answered before: now it can only be the same answer, replayed.
            assert response.headers.get("Idempotent-Replayed") == "true", key
            assert response.content == ledger.first[key], key
    for key, response in ledger.replays:
        assert response.content == ledger.first[key], key
    assert any(r.headers.get("Idempotent-Replayed") == "true" for r in finals.values())

    counts = dict(
        query_database(
            server, "SELECT body, count(*) FROM messages WHERE body LIKE 'crash-test %' GROUP BY body"
        )
    )
    assert {key: counts.get(marker(key), 0) for key in all_keys} == dict.fromkeys(all_keys, 1)
    assert len(counts) == len(all_keys)
    if server.engine == "sqlite":  # PostgreSQL recovers from its own WAL; SQLite's file is checked
        assert query_database(server, "PRAGMA integrity_check") == [("ok",)]
