"""A ticket with a long conversation (2,000 messages) and a small one beside it, for `bench.thread_probe`.

`seed_long_thread(backend)` writes both tickets through the server's own `Store` in one
transaction (the same SQL the server's `insert_message` runs), so 2,000 messages take well
under a second. `seed_long_thread_via_api(backend)` posts the same conversation message by
message through the HTTP API (needs `--rate-limit 0` in the serve args, or it is throttled
to 50 requests/s); it is kept to compare against and for backends the bench cannot open
as a file. `python -m bench.long_thread` seeds a fresh backend both ways and prints the times.

The Store path works before or after `backend.start()` (SQLite in WAL mode takes a second
writer); it writes no events, so a running app sees no live traffic from the seed. The
conversation: customer and agent alternating, an internal note before about one reply in
six, Russian and English in stretches (the customer switches language), bodies of 50–1,500
characters (log-uniform, so most are short and a few are long), some with links and
paragraphs; timestamps 5–35 minutes apart ending just now. Both tickets are urgent, in the
`access` queue, assigned to `anna` and tagged `long-thread` (the probe filters the queue by it).
Opening a `Store` on a running backend also clears its in-flight idempotency records, which is
harmless while nothing else writes.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from supportdesk_tui.contract.models import Author, Language, MessageKind, Priority, Requester, Role, Status
from supportdesk_tui.demo import BackendProcess
from supportdesk_tui.server import seed_data, sla
from supportdesk_tui.server.records import TicketState
from supportdesk_tui.server.service import agent_author
from supportdesk_tui.server.store import Store, open_store

SMALL_MESSAGES = 6
MIN_CHARS, MAX_CHARS = 50, 1_500
QUEUE, CATEGORY = "access", "password"
AGENT_LOGIN, LEAD_LOGIN = "anna", "lena"
RU, EN = Language.RU, Language.EN
LINKS = ("https://example.com/help/reset-password", "https://example.org/status",
         "https://example.com/settings/security")


@dataclass(frozen=True)
class Line:
    kind: MessageKind
    language: Language
    body: str
    at: datetime


def _pools() -> dict[tuple[MessageKind, Language], list[str]]:
    """Every seeded sentence of every scenario, by who says it and in which language."""
    pools: dict[tuple[MessageKind, Language], list[str]] = {}
    for language in (RU, EN):
        pools[MessageKind.CUSTOMER, language] = [
            text for s in seed_data.SCENARIOS for text in (*s.bodies[language], *s.followups[language])]
        pools[MessageKind.REPLY, language] = [
            text for s in seed_data.SCENARIOS for text in s.replies[language]]
        # Notes are written in whatever language the team uses; both pools take all of them.
        pools[MessageKind.NOTE, language] = [text for s in seed_data.SCENARIOS for text in s.notes]
    return pools


def _body(rng: random.Random, pool: Sequence[str]) -> str:
    target = int(math.exp(rng.uniform(math.log(MIN_CHARS), math.log(MAX_CHARS))))
    parts: list[str] = []
    length = 0
    while length < target:
        text = rng.choice(pool)
        parts.append(text)
        length += len(text) + 2
    body = "\n\n".join(parts) if rng.random() < 0.5 else " ".join(parts)
    if len(body) > target:
        cut = body.rfind(" ", MIN_CHARS, target)
        body = body[: cut if cut > 0 else target].rstrip(" ,;:") + "…"
    if rng.random() < 0.06:
        body += "\n" + rng.choice(LINKS)
    return body[:MAX_CHARS] if len(body) >= MIN_CHARS else body.ljust(MIN_CHARS, ".")


def conversation(count: int, now: datetime, rng: random.Random) -> Iterator[Line]:
    """`count` messages, oldest first, the last one from the customer (the ticket waits for a reply)."""
    pools = _pools()
    gaps = [timedelta(minutes=rng.uniform(5, 35)) for _ in range(count)]
    at = now - sum(gaps, timedelta())
    language = RU
    customer_turn = True
    for index in range(count):
        remaining = count - index
        if rng.random() < 0.08:
            language = EN if language is RU else RU
        if customer_turn or remaining == 1:
            kind = MessageKind.CUSTOMER
            customer_turn = False
        elif rng.random() < 0.17 and remaining > 2:
            kind = MessageKind.NOTE  # the reply follows it
        else:
            kind = MessageKind.REPLY
            customer_turn = True
        yield Line(kind, language, _body(rng, pools[kind, language]), at)
        at += gaps[index]


def _requester(seed: int) -> Requester:
    return Requester(account_id=f"id{70_000_000 + seed}", name="Мария Волкова", email="maria.7@example.com",
                     phone="+7 912 345-67-89", language=RU)


def _new_state(subject: str, requester: Requester, created: datetime) -> TicketState:
    state = TicketState(id=0, version=1, subject=subject, status=Status.NEW, priority=Priority.URGENT,
                        queue=QUEUE, language=RU, category=CATEGORY, tags=["long-thread", "bench"],
                        requester=requester, created_at=created, updated_at=created)
    sla.start(state, created)
    return state


def _seed_ticket(store: Store, subject: str, lines: list[Line], seed: int) -> int:
    agent = store.agent_by_login(AGENT_LOGIN)
    lead = store.agent_by_login(LEAD_LOGIN) or agent
    assert agent is not None and lead is not None, "seed_base creates the standard agents"
    requester = _requester(seed)
    customer = Author(type="customer", id=requester.account_id, name=requester.name)
    replier, note_authors = agent_author(agent), (agent_author(agent), agent_author(lead))
    with store.write() as tx:
        state = _new_state(subject, requester, lines[0].at)
        tx.insert_ticket(state)
        for n, line in enumerate(lines):
            author = (customer if line.kind is MessageKind.CUSTOMER else replier
                      if line.kind is MessageKind.REPLY else note_authors[n % 2])
            message = tx.insert_message(state.id, line.kind, author, line.body, line.at)
            state.last_message_id = message.id
            state.message_count += 1
            state.updated_at = line.at
            if line.kind is MessageKind.CUSTOMER:
                sla.customer_wrote(state, line.at)
            elif line.kind is MessageKind.REPLY:
                sla.agent_replied(state, line.at)
                sla.set_status(state, Status.OPEN, line.at)
        state.assignee_id = agent.id
        state.version = 1 + state.message_count
        tx.save_ticket(state)
    return state.id


def seed_long_thread(backend: BackendProcess, messages: int = 2000) -> tuple[int, int]:
    """Add a ticket with `messages` messages and one with a handful: (long_ticket_id, small_ticket_id)."""
    from supportdesk_tui.server.seed import seed_base

    now = datetime.now(UTC)
    rng = random.Random(20260409 + messages)
    long_lines = list(conversation(messages, now, rng))
    small_lines = list(conversation(SMALL_MESSAGES, now - timedelta(minutes=1), rng))
    store = open_store(backend.db_path)
    try:
        seed_base(store)  # a no-op on a started backend; before start, it creates the agents we need
        long_id = _seed_ticket(store, f"Не могу войти в аккаунт — переписка из {messages} сообщений",
                               long_lines, 1)
        small_id = _seed_ticket(store, "Не могу войти в аккаунт — короткая переписка", small_lines, 2)
    finally:
        store.close()
    return long_id, small_id


def seed_long_thread_via_api(backend: BackendProcess, messages: int = 2000) -> tuple[int, int]:
    """The same two tickets through `POST /tickets` and `POST /tickets/{id}/messages` (server times)."""
    import httpx

    intake = backend.token_for("bench-intake", Role.INTAKE.value, [])
    agent = backend.token_for(AGENT_LOGIN)
    now = datetime.now(UTC)
    rng = random.Random(20260409 + messages)
    tickets = (("длинная", list(conversation(messages, now, rng))),
               ("короткая", list(conversation(SMALL_MESSAGES, now, rng))))
    ids: list[int] = []
    with httpx.Client(base_url=f"{backend.url}/api/v1", timeout=30) as http:
        for seed, (label, lines) in enumerate(tickets, start=1):
            requester = _requester(seed)
            created = http.post("/tickets", headers={"Authorization": f"Bearer {intake}"}, json={
                "subject": f"Не могу войти в аккаунт — {label} переписка", "category": CATEGORY,
                "language": RU.value, "priority": Priority.URGENT.value, "tags": ["long-thread", "bench"],
                "requester": requester.model_dump(mode="json", exclude={"account_state"}),
                "body": lines[0].body})
            created.raise_for_status()
            ticket_id = int(created.json()["ticket_id"])  # intake gets a receipt
            ids.append(ticket_id)
            for n, line in enumerate(lines[1:], start=1):
                token = intake if line.kind is MessageKind.CUSTOMER else agent
                posted = http.post(f"/tickets/{ticket_id}/messages", json={"kind": line.kind.value,
                                                                           "body": line.body},
                                   headers={"Authorization": f"Bearer {token}",
                                            "Idempotency-Key": f"bench-{ticket_id}-{n}"})
                posted.raise_for_status()
    return ids[0], ids[1]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.long_thread",
                                     description="Seed a long thread both ways and print how long each took.")
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sd-long-") as tmp:
        for name, seed in (("store", seed_long_thread), ("http", seed_long_thread_via_api)):
            backend = BackendProcess(Path(tmp), ["--rate-limit", "0"], name=name)
            backend.start()
            try:
                began = time.perf_counter()
                long_id, small_id = seed(backend, args.messages)
                print(f"{name}: {args.messages} messages in {time.perf_counter() - began:.2f} s "
                      f"(tickets #{long_id}, #{small_id})")
            finally:
                backend.stop()


if __name__ == "__main__":
    main()
