"""Storage, seeding, simulation and the command line, below the HTTP layer."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from supportdesk_tui.contract.models import Status, TicketSort
from supportdesk_tui.server import seed_data
from supportdesk_tui.server.cli import build_parser
from supportdesk_tui.server.records import TicketQuery
from supportdesk_tui.server.seed import seed_bulk, seed_demo
from supportdesk_tui.server.service import Service
from supportdesk_tui.server.serving import serve
from supportdesk_tui.server.simulate import Simulator
from supportdesk_tui.server.store import MIGRATIONS, Store, open_store
from supportdesk_tui.server.token_admin import create_token

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _dump(store: Store) -> list[str]:
    lena = store.agent_by_login("lena")
    assert lena is not None
    tickets, _ = Service(store, clock=lambda: NOW).list_tickets(
        lena, TicketQuery(), TicketSort.CREATED, None, 1000
    )
    return [t.model_dump_json() for t in tickets]


def test_the_demo_world_is_the_same_for_the_same_anchor(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "a.sqlite3"), open_store(tmp_path / "b.sqlite3")
    assert seed_demo(first, NOW) and seed_demo(second, NOW)
    assert not seed_demo(first, NOW)  # seeding twice changes nothing
    assert _dump(first) == _dump(second)
    assert len(first.list_canned_replies()) >= 20
    assert first.list_escalations([])
    first.close()
    second.close()


def test_a_new_database_is_migrated_to_the_latest_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = open_store(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    reopened = open_store(path)
    assert reopened.schema_version == len(MIGRATIONS)
    reopened.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_bulk_seed_fills_a_big_queue_with_one_message_each(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.sqlite3")
    assert seed_bulk(store, 3000, NOW) == 3000
    assert store.count_tickets() == 3000
    ticket = store.get_ticket(1001)
    assert ticket is not None and ticket.message_count == 1
    assert len(store.list_messages(1001, False, None, 10)) == 1
    counts = Service(store, clock=lambda: NOW).all_queues()
    assert sum(q.counts.open for q in counts) > 1000
    seed_bulk(store, 10, NOW)  # indexes are kept up to date on a second load
    assert store.count_tickets() == 3010
    store.close()


def test_the_simulator_arrives_through_the_intake_path(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.sqlite3")
    seed_demo(store, NOW)
    before = store.count_tickets()
    events: list[str] = []
    store.add_commit_listener(lambda batch: events.extend(e.type for e in batch))
    simulator = Simulator(Service(store, clock=lambda: NOW), rate=1.0, spam_wave_every=0)
    for _ in range(20):
        simulator.step()
    created = store.count_tickets() - before
    assert 0 < created < 20  # some new tickets, some follow-ups
    assert events.count("ticket.created") == created
    assert events.count("message.created") == 20
    store.close()


def test_the_demo_traffic_brings_a_spam_wave_of_identical_tickets_soon_after_start(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.sqlite3")
    seed_demo(store, NOW)
    service = Service(store, clock=lambda: NOW)
    lena = store.agent_by_login("lena")
    assert lena is not None

    def spam_wave() -> list[Any]:
        tickets, _ = service.list_tickets(lena, TicketQuery(tag="spam-wave"), TicketSort.CREATED, None, 1000)
        return tickets

    simulator = Simulator(service, rate=1.0)
    for _ in range(14):
        simulator.step()
    assert spam_wave() == []  # the everyday arrivals first
    simulator.step()
    wave = spam_wave()
    assert 12 <= len(wave) <= 30
    # The same words from different customers, all in one queue: what a bulk action is for.
    assert len({(t.subject, t.language) for t in wave}) == 1
    assert len({t.requester.account_id for t in wave}) == len(wave)
    assert len({t.queue for t in wave}) == 1
    # Russian names as the seed writes them: the surname agrees with the first name.
    for ticket in wave:
        first, last = ticket.requester.name.split(" ", 1)
        female = first in seed_data.RU_FEMALE
        assert any(last == (f if female else m) for m, f in seed_data.RU_LAST) or ticket.language == "en"
    store.close()


def test_tokens_are_stored_only_as_hashes(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    token = create_token(path, "zoe", "agent", ["payments"], name="Zoe Park")
    with sqlite3.connect(path) as db:
        stored = [row[0] for row in db.execute("SELECT hash FROM tokens")]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    store = open_store(path)
    agent = store.agent_by_login("zoe")
    assert agent is not None and agent.queues == ("payments",) and agent.name == "Zoe Park"
    store.close()
    with pytest.raises(ValueError, match="unknown queue"):
        create_token(path, "yan", "agent", ["nope"])


def test_demo_data_is_not_served_on_a_public_address(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        serve(host="0.0.0.0", port=0, db=tmp_path / "db.sqlite3", demo=True)


def test_the_command_line_parses_serve_and_token_create() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["serve", "--port", "0", "--demo", "--demo-now", "2026-11-26T09:00:00Z", "--simulate", "0.3"]
    )
    assert args.port == 0 and args.demo and args.simulate == 0.3 and args.demo_now == NOW
    token = parser.parse_args(["token", "create", "anna", "--role", "agent", "--queues", "access,hacked"])
    assert token.login == "anna" and token.queues == "access,hacked"


def test_a_status_change_pauses_and_resumes_the_clock(tmp_path: Path) -> None:
    from datetime import timedelta

    from supportdesk_tui.contract.models import Language, Priority, Requester
    from supportdesk_tui.server import sla
    from supportdesk_tui.server.records import TicketState

    state = TicketState(
        id=1,
        version=1,
        subject="s",
        status=Status.NEW,
        priority=Priority.URGENT,
        queue="access",
        language=Language.EN,
        category="password",
        tags=[],
        requester=Requester(account_id="id1", name="A B", language=Language.EN),
        created_at=NOW,
        updated_at=NOW,
    )
    sla.start(state, NOW)
    assert state.sla_due == NOW + timedelta(minutes=30)
    sla.set_status(state, Status.PENDING, NOW + timedelta(minutes=10))
    assert state.sla_due is None and state.paused_at is not None
    sla.set_status(state, Status.OPEN, NOW + timedelta(hours=2, minutes=10))
    assert state.sla_due == NOW + timedelta(hours=2, minutes=30)  # the paused two hours don't count
    sla.agent_replied(state, NOW + timedelta(hours=2, minutes=20))
    assert state.sla_due == state.resolution_due == NOW + timedelta(hours=6)
