"""Several `supportdesk serve` processes on one PostgreSQL database behave as one server.

Real instances (subprocesses) on a throwaway database of this session's cluster: events fan out
to every instance (LISTEN/NOTIFY), a stream resumes on any of them, an Idempotency-Key holds
across them, the background jobs run on one elected leader and move when it dies, and agents
sending through an instance that is killed lose nothing and repeat nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_helpers import EventStream, error_code, new_ticket_body, query_database

from conftest import ServerHandle, _new_server, _wanted_engines
from pg_server import TEMPLATE, PgCluster
from supportdesk_tui.server.leader import LEADER_MESSAGE
from waiting import poll_until

# No keep-alive comments during a test: a stream that waits for an event that never comes
# fails on its read timeout instead of waiting for ever.
OPTIONS: dict[str, Any] = {"demo": False, "keepalive": 120, "idempotency_lease": 1.0}
Pair = tuple[ServerHandle, ServerHandle]


PairFactory = Callable[..., Pair]


@pytest.fixture
def pair_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PairFactory]:
    """Start instances A and B on one fresh database (queues and agents, no demo tickets)."""
    if "postgresql" not in _wanted_engines():
        pytest.skip("several instances share a PostgreSQL database; this run is SQLite only")
    pg_cluster: PgCluster = request.getfixturevalue("pg_cluster")
    started: list[ServerHandle] = []

    def start(**options: Any) -> Pair:
        url = pg_cluster.create_database(TEMPLATE)
        first = _new_server(tmp_path / "a", database=url, **{**OPTIONS, **options})
        started.append(first)
        second = ServerHandle(
            db_path=url, log_path=tmp_path / "b.log", options=dict(first.options), tokens=first.tokens
        )
        pg_cluster.servers.append(second)
        started.append(second)
        second.start()
        return first, second

    try:
        yield start
    finally:
        for handle in reversed(started):
            handle.stop()


@pytest.fixture
def two_instances(pair_factory: PairFactory) -> Pair:
    return pair_factory()


def create_ticket(server: ServerHandle, subject: str) -> int:
    with server.client("intake") as intake:
        answer = intake.post("/api/v1/tickets", json=new_ticket_body(subject=subject))
    assert answer.status_code == 201, answer.text
    ticket_id: int = answer.json()["ticket_id"]
    return ticket_id


def created_ticket(ticket_id: int) -> Any:
    return lambda e: e["event"] == "ticket.created" and e["data"]["id"] == ticket_id


def test_a_ticket_created_through_one_instance_shows_up_on_a_stream_of_the_other(
    two_instances: Pair,
) -> None:
    a, b = two_instances
    with EventStream(b.url, b.token("lena")) as on_b:
        from_a = create_ticket(a, "Created through instance A")
        from_b = create_ticket(b, "Created through instance B")
        first, _ = on_b.until(created_ticket(from_a))
        second, between = on_b.until(created_ticket(from_b))
    ids = [first["id"], *(e["id"] for e in between), second["id"]]
    assert ids == sorted(set(ids)), "B's stream repeated an event or gave them out of order"


def test_a_stream_moved_to_the_other_instance_with_last_event_id_misses_nothing_and_repeats_nothing(
    two_instances: Pair,
) -> None:
    a, b = two_instances
    seen: list[dict[str, Any]] = []
    with EventStream(a.url, a.token("lena")) as on_a:
        # Both instances write while the agent is on A: A's stream must carry B's changes too.
        while_on_a = [create_ticket(server, f"while on A {n}") for n, server in enumerate((a, b, b, a))]
        for ticket_id in while_on_a:
            event, before = on_a.until(created_ticket(ticket_id))
            seen += [*before, event]
    last_seen = seen[-1]["id"]
    # The agent is away (its instance went down, the balancer moved it); the world goes on.
    while_away = [create_ticket(server, f"while away {n}") for n, server in enumerate((b, a, b))]
    with EventStream(b.url, b.token("lena"), last_event_id=last_seen) as on_b:
        for ticket_id in while_away:
            event, before = on_b.until(created_ticket(ticket_id))
            seen += [*before, event]

    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids)), "an event reached the agent twice"
    assert ids == sorted(ids), "events arrived out of order"
    stored = [row[0] for row in query_database(a, f"SELECT id FROM events WHERE id >= {ids[0]} "
                                                  f"AND id <= {ids[-1]} ORDER BY id")]
    assert ids == stored, "the agent missed events that were committed"


def test_the_same_idempotency_key_through_both_instances_creates_one_message(two_instances: Pair) -> None:
    a, b = two_instances
    ticket_id = create_ticket(a, "Idempotency across instances")
    url = f"/api/v1/tickets/{ticket_id}/messages"
    body = {"kind": "note", "body": "one note, two instances"}
    headers = {"Idempotency-Key": "across-instances-1"}
    with a.client("lena") as via_a, b.client("lena") as via_b:
        first = via_a.post(url, json=body, headers=headers)
        again = via_b.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.content == first.content
    rows = query_database(a, f"SELECT count(*) FROM messages WHERE ticket_id = {ticket_id} "
                             "AND body = 'one note, two instances'")
    assert rows == [(1,)]


def leads(server: ServerHandle) -> bool:
    return LEADER_MESSAGE in server.log_path.read_text(encoding="utf-8", errors="replace")


def test_when_the_leader_is_killed_another_instance_takes_over_the_background_jobs(
    two_instances: Pair,
) -> None:
    a, b = two_instances
    assert poll_until(lambda: leads(a) or leads(b), timeout=15), "no instance became the leader"
    leader, follower = (a, b) if leads(a) else (b, a)
    assert not leads(follower), "two instances lead at once"

    leader.kill()
    # Whatever the dead leader wrote has an id up to this one.
    before = query_database(follower, "SELECT value FROM event_counter")[0][0]
    assert poll_until(lambda: leads(follower), timeout=20), "nobody took over from the dead leader"
    # The jobs run again: the new leader announces queue counts (and their changes).
    create_ticket(follower, "After the leader died")
    with EventStream(follower.url, follower.token("lena"), last_event_id=before) as stream:
        counts, _ = stream.until(lambda e: e["event"] == "queue.counts")
    assert counts["data"]["queues"]


def test_agents_sending_while_an_instance_is_killed_lose_nothing_and_repeat_nothing(
    two_instances: Pair,
) -> None:
    a, b = two_instances
    ticket_id = create_ticket(a, "Busy ticket")
    url = f"/api/v1/tickets/{ticket_id}/messages"
    writers, per_writer = 4, 12
    keys = [[f"agent{w}-note{n}" for n in range(per_writer)] for w in range(writers)]
    answered: dict[str, bytes] = {}
    problems: list[str] = []
    lock = threading.Lock()
    half_sent = threading.Event()

    def send(key: str, clients: list[httpx.Client]) -> None:
        # The agent's client fails over: the same key, to whichever instance still answers.
        for _attempt in range(200):
            for client in clients:
                try:
                    response = client.post(url, json={"kind": "note", "body": f"note {key}"},
                                           headers={"Idempotency-Key": key})
                except httpx.TransportError:
                    continue
                if response.status_code == 201:
                    with lock:
                        answered.setdefault(key, response.content)
                    return
                if response.status_code == 409 and error_code(response) == "idempotency_in_flight":
                    threading.Event().wait(0.1)  # the dead instance's attempt holds the lease
                    continue
                with lock:
                    problems.append(f"{key}: HTTP {response.status_code} {response.text}")
                return
        with lock:
            problems.append(f"{key}: never answered")

    def agent(w: int) -> None:
        # Half the agents are on A first, half on B.
        first, other = (a, b) if w % 2 == 0 else (b, a)
        with first.client("lena") as c1, other.client("lena") as c2:
            for n, key in enumerate(keys[w]):
                if n == per_writer // 2:
                    half_sent.set()
                send(key, [c1, c2])

    with EventStream(b.url, b.token("lena")) as on_b:
        threads = [threading.Thread(target=agent, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        assert half_sent.wait(30)
        a.kill()
        for thread in threads:
            thread.join(60)
        assert not problems, problems
        all_keys = {key for row in keys for key in row}
        assert set(answered) == all_keys
        # B's stream carried every note exactly once, whichever instance stored it.
        on_stream: list[str] = []
        while len(set(on_stream)) < len(all_keys):
            event, _ = on_b.until(lambda e: e["event"] == "message.created"
                                  and e["data"]["ticket_id"] == ticket_id)
            on_stream.append(event["data"]["message"]["body"])
    assert sorted(on_stream) == sorted(f"note {key}" for key in all_keys), "a note reached B's stream twice"
    stored = query_database(b, f"SELECT body, count(*) FROM messages WHERE ticket_id = {ticket_id} "
                               "AND kind = 'note' GROUP BY body")
    assert sorted(stored) == sorted((f"note {key}", 1) for key in all_keys)


def test_an_agent_s_budget_is_one_across_instances(pair_factory: PairFactory) -> None:
    a, b = pair_factory(demo=False, rate_limit=0.01, rate_burst=4)
    with a.client("anna") as via_a, b.client("anna") as via_b:
        used = [client.get("/api/v1/me").status_code for client in (via_a, via_b, via_a, via_b)]
        over = via_b.get("/api/v1/me")
        someone_else = via_a.get("/api/v1/me", headers=a.headers("kate"))
    assert used == [200, 200, 200, 200]
    assert over.status_code == 429 and error_code(over) == "rate_limited"
    assert someone_else.status_code == 200


def test_who_is_on_a_ticket_shows_on_every_instance(two_instances: Pair) -> None:
    a, b = two_instances
    ticket_id = create_ticket(a, "Presence across instances")
    path = f"/api/v1/tickets/{ticket_id}/presence"
    with a.client("lena") as lena_on_a, b.client("lena") as lena_on_b:
        assert lena_on_a.put(path, json={"state": "composing"}).status_code == 204

        def seen_on_b() -> list[tuple[str, str]]:
            ticket = lena_on_b.get(f"/api/v1/tickets/{ticket_id}").json()
            return [(p["agent"]["login"], p["state"]) for p in ticket["presence"]]

        assert poll_until(lambda: seen_on_b() == [("lena", "composing")], timeout=5), seen_on_b()
        assert lena_on_b.put(path, json={"state": "left"}).status_code == 204
        assert poll_until(lambda: seen_on_b() == [], timeout=5), seen_on_b()


def test_a_lead_on_one_instance_sees_agents_working_on_the_other_as_online(two_instances: Pair) -> None:
    a, b = two_instances
    with a.client("anna") as anna_on_a:
        assert anna_on_a.get("/api/v1/me").status_code == 200
    with b.client("lena") as lena_on_b:
        agents = {x["agent"]["login"]: x for x in lena_on_b.get("/api/v1/stats/live").json()["agents"]}
    assert agents["anna"]["state"] == "online"
    assert agents["kate"]["state"] == "offline"  # never made a request


@pytest.mark.runs_long
def test_uvicorn_workers_built_from_the_environment_act_as_one_server(
    pair_factory: PairFactory, tmp_path: Path
) -> None:
    seeded, other = pair_factory()  # a seeded database with tokens; its own instances stop
    seeded.stop()
    other.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SUPPORTDESK_DATABASE_URL": str(seeded.db_path), "SUPPORTDESK_RATE_LIMIT": "0",
           "SUPPORTDESK_KEEPALIVE": "120", "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("w") as log:
        workers = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "supportdesk_tui.server.asgi:app_from_env",
             "--workers", "2", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        assert poll_until(healthy, timeout=30), log_path.read_text()
        server = ServerHandle(db_path=seeded.db_path, log_path=log_path, options={}, url=url,
                              tokens=seeded.tokens)
        with EventStream(url, server.token("lena")) as stream:
            # A fresh connection each time: the kernel hands them to either worker.
            created = [create_ticket(server, f"through worker pool {n}") for n in range(6)]
            for ticket_id in created:
                stream.until(created_ticket(ticket_id))
        assert poll_until(lambda: LEADER_MESSAGE in log_path.read_text(), timeout=15)
        assert log_path.read_text().count(LEADER_MESSAGE) == 1, "both workers lead"
    finally:
        os.killpg(workers.pid, 15)
        workers.wait(timeout=20)
