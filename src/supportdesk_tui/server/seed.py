"""Deterministic demo data and fast bulk generation.

Every timestamp is relative to the `now` anchor and every choice comes from a
fixed-seed RNG, so a demo seeded with the same anchor is the same world
(tests and snapshots rely on it).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from supportdesk_tui.contract.models import (
    Attachment,
    Author,
    Environment,
    EscalationStatus,
    HistoryPoint,
    Language,
    MessageKind,
    Priority,
    Requester,
    Role,
    Severity,
    Status,
)
from supportdesk_tui.server import seed_data, sla
from supportdesk_tui.server.records import AgentRecord, TicketState
from supportdesk_tui.server.routing import CATEGORY_QUEUES, DEFAULT_QUEUE
from supportdesk_tui.server.seed_image import PHOTO_NAME, demo_photo_png
from supportdesk_tui.server.service import SYSTEM_AUTHOR, agent_author
from supportdesk_tui.server.sniffing import sniff_content_type
from supportdesk_tui.server.store import BulkTicket, Store, WriteTx

T = TypeVar("T")
SEED = 20261126
DEMO_TICKETS = 300
HISTORY_HOURS = 12
SEED_UPLOADER = 0  # no agent: the customer sent the demo's files through a channel before intake
RU, EN = Language.RU, Language.EN

STATUS_WEIGHTS: tuple[tuple[Status, int], ...] = (
    (Status.NEW, 22),
    (Status.OPEN, 30),
    (Status.PENDING, 14),
    (Status.ON_HOLD, 6),
    (Status.SOLVED, 18),
    (Status.CLOSED, 10),
)
SLA_STATES: tuple[tuple[str, int], ...] = (("fresh", 50), ("risk", 20), ("breached", 30))


def seed_base(store: Store) -> None:
    """Queues, the standard agents, components and canned replies (safe to run again)."""
    with store.write() as tx:
        for position, queue in enumerate(seed_data.QUEUES):
            tx.upsert_queue(queue, position)
        for agent in seed_data.AGENTS:
            if store.agent_by_login(agent.login) is None:
                tx.upsert_agent(agent.login, agent.name, agent.role, agent.languages, agent.queues)
        tx.replace_components(seed_data.COMPONENTS)
        tx.replace_canned_replies(seed_data.CANNED_REPLIES)


# --- helpers -----------------------------------------------------------------------


def _weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _requester(rng: random.Random, language: Language, account_state: str) -> Requester:
    account_id = f"id{rng.randrange(10_000_000, 99_999_999)}"
    if language == RU:
        first = rng.choice(seed_data.RU_FIRST)
        male, female = rng.choice(seed_data.RU_LAST)
        last = female if first in seed_data.RU_FEMALE else male
        latin = seed_data.RU_LATIN[first]
        digits = (
            rng.randrange(10, 99),
            rng.randrange(100, 999),
            rng.randrange(10, 99),
            rng.randrange(10, 99),
        )
        phone = "+7 9{} {}-{}-{}".format(*digits)
    else:
        first, last = rng.choice(seed_data.EN_FIRST), rng.choice(seed_data.EN_LAST)
        latin = first.lower()
        phone = f"+44 7{rng.randrange(100, 999)} {rng.randrange(100000, 999999)}"
    email = f"{latin}.{rng.randrange(1, 999)}@{rng.choice(seed_data.MAIL_DOMAINS)}"
    return Requester(
        account_id=account_id,
        name=f"{first} {last}",
        email=email if rng.random() < 0.9 else None,
        phone=phone if rng.random() < 0.6 else None,
        language=language,
        account_state=account_state,
    )


def _environment(rng: random.Random) -> Environment:
    platform, device = rng.choice(seed_data.PLATFORMS)
    return Environment(platform=platform, app_version=rng.choice(seed_data.APP_VERSIONS), device=device)


def _wait_for(rng: random.Random, target: timedelta, state: str) -> timedelta:
    """How long the customer has been waiting, to land in the wanted SLA state now."""
    minute = timedelta(minutes=1)
    if state == "breached":
        return target + minute * rng.randint(1, max(2, int(target / minute) * 2))
    if state == "risk":
        return max(minute, target - minute * rng.randint(2, 28))
    fresh_max = max(2, int((target - sla.RISK_WINDOW - minute * 5) / minute))
    return minute * rng.randint(1, fresh_max) if fresh_max > 2 else minute * rng.randint(1, 3)


@dataclass
class _Thread:
    state: TicketState
    tx: WriteTx

    def add(self, kind: MessageKind, author: Author, body: str, at: datetime) -> None:
        files = [self._photo(at)] if kind == MessageKind.CUSTOMER and body in seed_data.PHOTO_SENT else []
        message = self.tx.insert_message(self.state.id, kind, author, body, at, files)
        self.state.last_message_id = message.id
        self.state.message_count += 1
        self.state.updated_at = at


    def _photo(self, at: datetime) -> Attachment:
        data = demo_photo_png()
        digest = hashlib.sha256(data).hexdigest()
        return self.tx.insert_upload(SEED_UPLOADER, PHOTO_NAME, sniff_content_type(data), data, digest, at)


def _serving(agents: Sequence[AgentRecord], queue: str, language: Language) -> list[AgentRecord]:
    return [a for a in agents if a.role == Role.AGENT and queue in a.queues and language in a.languages]


# --- the demo ----------------------------------------------------------------------


def seed_demo(store: Store, now: datetime, tickets: int = DEMO_TICKETS) -> bool:
    """Fill an empty database with the demo world; False when it was already seeded."""
    seed_base(store)
    if store.get_meta("demo_seeded_at") is not None:
        return False
    rng = random.Random(SEED)
    agents = store.list_agents()
    bug_tickets: list[tuple[TicketState, seed_data.Scenario]] = []
    with store.write() as tx:
        # Again under the writers' lock: instances starting together on one database seed it once.
        if store.get_meta("demo_seeded_at") is not None:
            return False
        for _ in range(tickets):
            state, scenario = _demo_ticket(tx, rng, now, agents)
            if scenario.bug and state.status in (Status.OPEN, Status.ON_HOLD, Status.NEW):
                bug_tickets.append((state, scenario))
        _demo_escalations(tx, rng, now, agents, bug_tickets)
        tx.set_meta("demo_seeded_at", now.isoformat())
    _demo_history(store, rng, now)
    return True


def _demo_ticket(
    tx: WriteTx, rng: random.Random, now: datetime, agents: Sequence[AgentRecord]
) -> tuple[TicketState, seed_data.Scenario]:
    scenario = _weighted(rng, [(s, s.weight) for s in seed_data.SCENARIOS])
    language = RU if rng.random() < 0.55 else EN
    status = _weighted(rng, STATUS_WEIGHTS)
    priority = _weighted(rng, scenario.priorities)
    queue = _queue_for(scenario.category)
    target = sla.TARGETS[priority]
    sla_state = _weighted(rng, SLA_STATES)
    minute = timedelta(minutes=1)

    # When the conversation started, and when the customer began the current wait.
    if status == Status.NEW:
        wait = _wait_for(rng, target.first_response, sla_state)
        created = now - wait
    elif status == Status.OPEN:
        wait = _wait_for(rng, target.next_response, sla_state)
        created = now - wait - minute * rng.randint(20, 60 * 30)
    elif status in (Status.PENDING, Status.ON_HOLD):
        created = now - minute * rng.randint(90, 60 * 24 * 4)
    elif status == Status.SOLVED:
        created = now - minute * rng.randint(120, 60 * 24 * 7)
    else:
        created = now - minute * rng.randint(60 * 24 * 3, 60 * 24 * 12)

    tags = list(scenario.tags)
    if rng.random() < 0.15:
        tags.append(rng.choice(("vip", "repeat", "social-media", "press")))
    environment = _environment(rng) if scenario.bug or rng.random() < 0.1 else None
    if environment is not None and environment.platform:
        tags.append(
            "ios"
            if environment.platform.startswith("iOS")
            else "web"
            if environment.platform == "Web"
            else "android"
        )
    state = TicketState(
        id=0,
        version=1,
        subject=rng.choice(scenario.subjects[language]),
        status=Status.NEW,
        priority=priority,
        queue=queue,
        language=language,
        category=scenario.category,
        tags=tags,
        requester=_requester(rng, language, rng.choice(scenario.account_states)),
        created_at=created,
        updated_at=created,
        environment=environment,
    )
    sla.start(state, created)
    tx.insert_ticket(state)
    thread = _Thread(state, tx)
    customer = Author(type="customer", id=state.requester.account_id, name=state.requester.name)
    thread.add(MessageKind.CUSTOMER, customer, rng.choice(scenario.bodies[language]), created)

    serving = _serving(agents, queue, language)
    assignee = rng.choice(serving) if serving and (status != Status.NEW or rng.random() < 0.25) else None
    replier = assignee or (rng.choice(serving) if serving else None)

    if status == Status.NEW:
        if rng.random() < 0.3:
            at = created + (now - created) * rng.uniform(0.3, 0.9)
            thread.add(MessageKind.CUSTOMER, customer, rng.choice(scenario.followups[language]), at)
            sla.customer_wrote(state, at)
    elif replier is not None:
        span = now - created
        reply_at = created + min(span * rng.uniform(0.05, 0.3), target.first_response * rng.uniform(0.3, 1.4))
        if rng.random() < 0.35:
            thread.add(
                MessageKind.NOTE, agent_author(replier), rng.choice(scenario.notes), reply_at - minute * 2
            )
        thread.add(MessageKind.REPLY, agent_author(replier), rng.choice(scenario.replies[language]), reply_at)
        sla.agent_replied(state, reply_at)
        sla.set_status(state, Status.OPEN, reply_at)
        tx.set_agent_last_reply(replier.id, reply_at)
        if status == Status.OPEN:
            if rng.random() < 0.8:
                at = now - wait
                thread.add(MessageKind.CUSTOMER, customer, rng.choice(scenario.followups[language]), at)
                sla.customer_wrote(state, at)
        elif status in (Status.PENDING, Status.ON_HOLD):
            sla.set_status(state, status, reply_at)
        else:
            thanks = reply_at + (now - reply_at) * rng.uniform(0.1, 0.5)
            if rng.random() < 0.5:
                text = "Спасибо, всё заработало!" if language == RU else "Thanks, it works now!"
                thread.add(MessageKind.CUSTOMER, customer, text, thanks)
                sla.customer_wrote(state, thanks)
            sla.set_status(state, Status.SOLVED, thanks + minute)
            if status == Status.CLOSED:
                sla.set_status(state, Status.CLOSED, thanks + timedelta(days=2))
            state.updated_at = min(now, thanks + minute)
    state.assignee_id = assignee.id if assignee is not None else None
    state.version = 1 + state.message_count
    tx.save_ticket(state)
    return state, scenario


def _queue_for(category: str) -> str:
    return CATEGORY_QUEUES.get(category, DEFAULT_QUEUE)


ESCALATION_PLAN: tuple[tuple[str, EscalationStatus, Severity], ...] = (
    ("music", EscalationStatus.IN_PROGRESS, Severity.MAJOR),
    ("messages", EscalationStatus.OPEN, Severity.MAJOR),
    ("video", EscalationStatus.FIXED, Severity.MINOR),
    ("music", EscalationStatus.OPEN, Severity.CRITICAL),
    ("messages", EscalationStatus.WONT_FIX, Severity.TRIVIAL),
)


def _demo_escalations(
    tx: WriteTx,
    rng: random.Random,
    now: datetime,
    agents: Sequence[AgentRecord],
    candidates: list[tuple[TicketState, seed_data.Scenario]],
) -> None:
    used: set[int] = set()
    for component, status, severity in ESCALATION_PLAN:
        pool = [s for s, sc in candidates if sc.component == component and s.id not in used]
        if not pool:
            continue
        state = pool[0]
        used.add(state.id)
        summary, steps, expected, actual = seed_data.ESCALATION_SUMMARIES[component]
        at = min(now - timedelta(minutes=5), state.updated_at + timedelta(minutes=rng.randint(5, 60)))
        escalation = tx.insert_escalation(
            state.id,
            severity=severity,
            component=component,
            summary=summary,
            steps=steps,
            expected=expected,
            actual=actual,
            environment=state.environment or Environment(),
            message_ids=[] if state.last_message_id is None else [state.last_message_id],
            status=EscalationStatus.OPEN,
            at=at,
        )
        escalator = next((a for a in agents if a.id == state.assignee_id), None)
        who = escalator.name if escalator is not None else "Elena Smirnova"
        thread = _Thread(state, tx)
        thread.add(
            MessageKind.NOTE,
            SYSTEM_AUTHOR,
            f"{who} escalated this ticket to engineering as {escalation.key} "
            f"({severity.value}, {component}): {summary}\n{escalation.url}",
            at,
        )
        sla.set_status(state, Status.ON_HOLD, at)
        state.escalation_key = escalation.key
        if status != EscalationStatus.OPEN:
            moved = min(now - timedelta(minutes=1), at + timedelta(hours=rng.randint(1, 6)))
            tx.set_escalation_status(escalation.key, status, moved)
            state.updated_at = moved
        if status == EscalationStatus.FIXED:
            state.needs_reply = True
        state.version += 2
        tx.save_ticket(state)


def _demo_history(store: Store, rng: random.Random, now: datetime) -> None:
    """Twelve hours of per-minute points that end at the current counts, so a fresh chart has a shape."""
    end = now.replace(second=0, microsecond=0)
    current = {q.queue: q.open for q in store.snapshot_counts(end - timedelta(minutes=1), end)}
    points: list[HistoryPoint] = []
    minutes = HISTORY_HOURS * 60
    for index, queue in enumerate(seed_data.QUEUES):
        base = max(1, current.get(queue.id, 0))
        phase = index * 0.7
        for back in range(minutes, 0, -1):
            at = end - timedelta(minutes=back)
            hour = back / 60.0
            wave = 0.7 + 0.3 * math.sin(hour / 12.0 * math.pi * 2 + phase)
            open_ = max(0, round(base * wave + rng.gauss(0, max(1.0, base * 0.04))))
            created = max(0, round(rng.gauss(base / 40.0, 0.8)))
            solved = max(0, round(rng.gauss(base / 45.0, 0.8)))
            points.append(HistoryPoint(at=at, queue=queue.id, open=open_, created=created, solved=solved))
    with store.write() as tx:
        tx.add_history(points)


# --- bulk --------------------------------------------------------------------------

BULK_BODIES: dict[Language, tuple[str, ...]] = {
    language: tuple(body for scenario in seed_data.SCENARIOS for body in scenario.bodies[language])
    for language in (RU, EN)
}


def _bulk_items(n: int, now: datetime, rng: random.Random) -> Iterator[BulkTicket]:
    scenarios = seed_data.SCENARIOS
    weights = [s.weight for s in scenarios]
    people: dict[Language, list[Requester]] = {
        language: [_requester(rng, language, "active") for _ in range(500)] for language in (RU, EN)
    }
    span_minutes = 60 * 24 * 30
    picks = rng.choices(range(len(scenarios)), weights=weights, k=n)
    for index in range(n):
        scenario = scenarios[picks[index]]
        language = RU if rng.random() < 0.55 else EN
        created = now - timedelta(minutes=rng.randrange(1, span_minutes), seconds=rng.randrange(60))
        roll = rng.random()
        status = (
            Status.NEW
            if roll < 0.45
            else Status.OPEN
            if roll < 0.7
            else Status.PENDING
            if roll < 0.8
            else Status.SOLVED
        )
        state = TicketState(
            id=0,
            version=1,
            subject=rng.choice(scenario.subjects[language]),
            status=Status.NEW,
            priority=rng.choice(
                (Priority.LOW, Priority.NORMAL, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
            ),
            queue=_queue_for(scenario.category),
            language=language,
            category=scenario.category,
            tags=list(scenario.tags),
            requester=rng.choice(people[language]),
            created_at=created,
            updated_at=created,
        )
        sla.start(state, created)
        if status != Status.NEW:
            sla.set_status(state, status, created + timedelta(minutes=5))
        yield BulkTicket(state=state, body=rng.choice(BULK_BODIES[language]))


def seed_bulk(store: Store, n: int, now: datetime) -> int:
    """Add `n` generated tickets (one customer message each), fast: big executemany transactions."""
    seed_base(store)
    return store.bulk_insert(_bulk_items(n, now, random.Random(SEED + n)))
