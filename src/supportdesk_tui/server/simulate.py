"""Background traffic for demos: new tickets and customer follow-ups through the intake code path."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

import anyio.to_thread

from supportdesk_tui.contract.models import (
    Language,
    MessageCreate,
    MessageKind,
    Priority,
    RequesterIn,
    TicketCreate,
)
from supportdesk_tui.server import seed_data
from supportdesk_tui.server.errors import ApiError
from supportdesk_tui.server.records import AgentRecord
from supportdesk_tui.server.seed import SEED
from supportdesk_tui.server.service import Service

log = logging.getLogger("supportdesk.simulate")
NEW_TICKET_SHARE = 0.6
# A spam wave: dozens of customers write the same words at once about the same spam (the bulk
# actions and incidents of issue 18 are built for it). The first comes soon after the demo starts.
SPAM_WAVE_TAG = "spam-wave"
SPAM_WAVE_EVERY = 120  # arrivals between waves (at the demo's 0.3/s, one wave every ~7 minutes)
SPAM_WAVE_FIRST = 15
SPAM_WAVE_SIZE = (12, 30)
SPAM_WAVE_TEXT: dict[Language, tuple[str, str]] = {
    Language.RU: ("Пришло сообщение «Это ты на фото?» со ссылкой",
                  "Друг прислал мне «Это ты на фото?» и ссылку. Я не открывал(а). Это спам? Его взломали?"),
    Language.EN: ("Got \"Is this you in the photo?\" with a link",
                  "A friend sent me \"Is this you in the photo?\" and a link. I didn't open it. "
                  "Is it spam? Was my friend hacked?"),
}


class Simulator:
    def __init__(self, service: Service, rate: float, seed: int = SEED, *,
                 spam_wave_every: int = SPAM_WAVE_EVERY) -> None:
        self.service = service
        self.rate = rate
        self.rng = random.Random(seed)
        # Waves draw from their own generator, so the everyday arrivals stay as they were.
        self.wave_rng = random.Random(seed + 1)
        self.spam_wave_every = spam_wave_every
        self.steps = 0
        self._intake: AgentRecord | None = None

    def intake(self) -> AgentRecord:
        if self._intake is None:
            agent = self.service.store.agent_by_login("intake")
            if agent is None:
                raise RuntimeError("the simulator needs the 'intake' agent (seed_base creates it)")
            self._intake = agent
        return self._intake

    def step(self) -> None:
        """One arrival: a new ticket or a follow-up on an open one, sent as the intake channel does;
        now and then a spam wave as well."""
        self.steps += 1
        self._arrival()
        every = self.spam_wave_every
        if every > 0 and self.steps % every == SPAM_WAVE_FIRST % every:
            self.spam_wave()

    def spam_wave(self) -> list[int]:
        """Dozens of near-identical tickets from different customers, tagged #spam-wave."""
        rng = self.wave_rng
        language = Language.RU if rng.random() < 0.55 else Language.EN
        subject, body = SPAM_WAVE_TEXT[language]
        hacked = next(s for s in seed_data.SCENARIOS if s.category == "hacked")
        created: list[int] = []
        for _ in range(rng.randint(*SPAM_WAVE_SIZE)):
            name = _customer_name(rng, language)
            create = TicketCreate(
                subject=subject, category=hacked.category, language=language, priority=Priority.NORMAL,
                tags=[SPAM_WAVE_TAG, "spam"], requester=_requester(rng, name, language), body=body,
            )
            created.append(self.service.create_ticket(self.intake(), create).id)
        return created

    def _arrival(self) -> None:
        rng = self.rng
        open_ids = self.service.store.random_open_ticket_ids(50)
        if open_ids and rng.random() > NEW_TICKET_SHARE:
            ticket_id = rng.choice(open_ids)
            ticket = self.service.store.get_ticket(ticket_id)
            if ticket is not None:
                scenario = next(
                    (s for s in seed_data.SCENARIOS if s.category == ticket.category), seed_data.SCENARIOS[0]
                )
                body = MessageCreate(
                    kind=MessageKind.CUSTOMER, body=rng.choice(scenario.followups[ticket.language])
                )
                self.service.post_message(self.intake(), ticket_id, body)
                return
        scenario = rng.choices(seed_data.SCENARIOS, weights=[s.weight for s in seed_data.SCENARIOS])[0]
        language = Language.RU if rng.random() < 0.55 else Language.EN
        name = _customer_name(rng, language)
        create = TicketCreate(
            subject=rng.choice(scenario.subjects[language]),
            category=scenario.category,
            language=language,
            priority=rng.choices(
                [p for p, _ in scenario.priorities], weights=[w for _, w in scenario.priorities]
            )[0]
            if scenario.priorities
            else Priority.NORMAL,
            tags=list(scenario.tags),
            requester=_requester(rng, name, language),
            body=rng.choice(scenario.bodies[language]),
        )
        self.service.create_ticket(self.intake(), create)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.rng.expovariate(self.rate))
            try:
                await anyio.to_thread.run_sync(self.step)
            except (ApiError, RuntimeError) as exc:
                log.warning("simulated arrival failed: %s", exc)


def _customer_name(rng: random.Random, language: Language) -> str:
    first = rng.choice(seed_data.RU_FIRST if language == Language.RU else seed_data.EN_FIRST)
    if language == Language.EN:
        return f"{first} {rng.choice(seed_data.EN_LAST)}"
    # A Russian surname agrees with the first name: Татьяна Волкова, not Татьяна Волков.
    male, female = rng.choice(seed_data.RU_LAST)
    return f"{first} {female if first in seed_data.RU_FEMALE else male}"


def _requester(rng: random.Random, name: str, language: Language) -> RequesterIn:
    return RequesterIn(account_id=f"id{rng.randrange(10_000_000, 99_999_999)}", name=name,
                       email=f"user{rng.randrange(1000, 9999)}@example.com", language=language)


def simulation_job(rate: float) -> Callable[[Service], Callable[[], Coroutine[Any, Any, None]]]:
    """A background job for `create_app(jobs=...)` producing `rate` arrivals per second on average."""

    def make(service: Service) -> Callable[[], Coroutine[Any, Any, None]]:
        return Simulator(service, rate).run

    return make
