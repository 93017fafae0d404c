"""The typed API client against the real reference backend on loopback.

Every `SupportDeskClient` method and the `EventStream` are exercised as the UI
uses them. These tests change the world they run in (tickets, escalations,
assignments), so they get their own demo server (`desk`) rather than the
session's `live_server`, whose demo data other tests compare against. Each test
still makes its own tickets, marked with a unique tag or requester, and never
relies on totals another test in the module could move.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from conftest import ServerHandle, _new_server, database_for
from supportdesk_tui.api import errors
from supportdesk_tui.api.client import SupportDeskClient, new_idempotency_key
from supportdesk_tui.api.events import EventStream, StreamStatus
from supportdesk_tui.contract.models import (
    EscalationCreate,
    EscalationPatch,
    EscalationStatus,
    Event,
    EventType,
    Language,
    MessageCreate,
    MessageKind,
    PresenceState,
    Priority,
    RequesterIn,
    Severity,
    Status,
    Ticket,
    TicketCreate,
    TicketPatch,
    TicketReceipt,
    TicketSort,
)

ANNA_QUEUES = {"access", "hacked", "deletion"}
ALL_QUEUES = {"access", "hacked", "deletion", "payments", "bugs-music", "bugs-messages", "bugs-video"}
# Far beyond any id the server issued: it answers with `reset` carrying its newest id,
# which lets a test start listening exactly "from now" without a subscribe race.
FAR_FUTURE_EVENT_ID = 10**15 - 1
STREAM_TIMEOUT = 20.0


@pytest.fixture(scope="module")
def desk(
    engine: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    directory = tmp_path_factory.mktemp(f"client_live-{engine}")
    handle = _new_server(directory, database=database_for(engine, request, directory))
    try:
        yield handle
    finally:
        handle.stop()


# --- helpers -------------------------------------------------------------------------


def marker() -> str:
    return f"lv{uuid.uuid4().hex[:10]}"


def ticket_body(
    *,
    category: str = "password",
    language: Language = Language.RU,
    subject: str = "Cannot sign in",
    tags: tuple[str, ...] = (),
    priority: Priority = Priority.NORMAL,
    account_id: str | None = None,
    name: str = "Ivan Petrov",
    body: str = "I typed the code from the SMS and nothing happens.",
) -> TicketCreate:
    return TicketCreate(
        subject=subject,
        category=category,
        language=language,
        priority=priority,
        tags=list(tags),
        requester=RequesterIn(
            account_id=account_id or f"id{uuid.uuid4().int % 10**9}", name=name, language=language
        ),
        body=body,
    )


def client_for(server: ServerHandle, login: str) -> SupportDeskClient:
    return SupportDeskClient(server.url, server.token(login), retry_base_delay=0.01)


async def intake_creates(server: ServerHandle, body: TicketCreate) -> Ticket:
    """The intake channel creates the ticket (it gets only a receipt); the lead reads it back."""
    async with client_for(server, "intake") as intake:
        receipt = await intake.create_ticket(body)
    assert isinstance(receipt, TicketReceipt)
    async with client_for(server, "lena") as lena:
        return await lena.get_ticket(receipt.ticket_id)


async def customer_writes(server: ServerHandle, ticket_id: int, text: str) -> int:
    async with client_for(server, "intake") as intake:
        receipt = await intake.post_customer_message(ticket_id, text, idempotency_key=new_idempotency_key())
    assert receipt.ticket_id == ticket_id
    return receipt.message_id


def note(text: str) -> MessageCreate:
    return MessageCreate(kind=MessageKind.NOTE, body=text)


def reply(text: str, **fields: object) -> MessageCreate:
    return MessageCreate(kind=MessageKind.REPLY, body=text, **fields)


def ticket_ids(tickets: list[Ticket]) -> list[int]:
    return [t.id for t in tickets]


def event_ticket_id(event: Event) -> int | None:
    """The ticket an event is about, whatever its shape."""
    if event.type in (EventType.TICKET_CREATED, EventType.TICKET_UPDATED):
        return int(event.data["id"])
    if "ticket_id" in event.data:
        return int(event.data["ticket_id"])
    return None


async def events_until(
    items: AsyncIterator[Event | StreamStatus], stop: Callable[[Event], bool]
) -> list[Event]:
    """Every event up to and including the first one `stop` accepts."""
    seen: list[Event] = []
    async with asyncio.timeout(STREAM_TIMEOUT):
        async for item in items:
            if isinstance(item, StreamStatus):
                assert item.state != "unauthorized", item.detail
                continue
            seen.append(item)
            if stop(item):
                return seen
    raise AssertionError("the event stream ended by itself")


@asynccontextmanager
async def listening(stream: EventStream) -> AsyncIterator[AsyncIterator[Event | StreamStatus]]:
    """The stream's items, closed (and its connection released) when the block ends."""
    items = stream.items()
    try:
        yield items
    finally:
        # `items()` is an async generator; its annotation just doesn't say so.
        assert isinstance(items, AsyncGenerator)
        await items.aclose()


async def head_event_id(client: SupportDeskClient) -> int:
    async with listening(EventStream(client, last_event_id=FAR_FUTURE_EVENT_ID)) as items:
        (event,) = await events_until(items, lambda e: True)
    assert event.type == EventType.RESET
    return event.id


def is_update_of(ticket_id: int, version: int) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        return (
            event.type == EventType.TICKET_UPDATED
            and event.data["id"] == ticket_id
            and event.data["version"] == version
        )

    return check


# --- who am I, what can I see ----------------------------------------------------------


async def test_anyone_can_check_that_the_server_is_up_without_signing_in(desk: ServerHandle) -> None:
    async with SupportDeskClient(desk.url, None) as anonymous:
        health = await anonymous.health()
    assert health.status == "ok"
    assert health.version


async def test_agent_sees_who_they_are_and_only_their_queues_with_counts(desk: ServerHandle) -> None:
    async with client_for(desk, "anna") as anna:
        me = await anna.me()
        queues = await anna.queues()
    assert (me.login, me.role.value) == ("anna", "agent")
    assert set(me.languages) == {Language.RU, Language.EN}
    assert set(me.queues) == ANNA_QUEUES
    assert {q.id for q in queues} == ANNA_QUEUES
    for queue in queues:
        assert queue.name
        assert queue.counts.open >= queue.counts.unassigned >= 0
        assert queue.counts.open >= queue.counts.sla_breached >= 0
    assert sum(q.counts.open for q in queues) > 0, "the demo world has open tickets in anna's queues"


async def test_lead_sees_every_queue(desk: ServerHandle) -> None:
    async with client_for(desk, "lena") as lena:
        me = await lena.me()
        queues = await lena.queues()
    assert me.role.value == "lead"
    assert {q.id for q in queues} == ALL_QUEUES == set(me.queues)


async def test_a_wrong_token_is_an_auth_error_that_does_not_leak_the_token(desk: ServerHandle) -> None:
    secret = "sdk_not_a_real_token_0123456789abcdef"
    async with SupportDeskClient(desk.url, secret) as stranger:
        with pytest.raises(errors.AuthError) as caught:
            await stranger.me()
        with pytest.raises(errors.AuthError):
            await stranger.list_tickets()
    assert caught.value.status == 401
    assert secret not in str(caught.value)


# --- creating tickets ---------------------------------------------------------------------


async def test_intake_tickets_land_in_the_queue_their_category_routes_to(desk: ServerHandle) -> None:
    routes = {
        ("password", Language.RU): "access",
        ("hacked", Language.EN): "hacked",
        ("Deletion", Language.RU): "deletion",
        ("refund", Language.EN): "payments",
        ("music", Language.RU): "bugs-music",
        ("chat", Language.EN): "bugs-messages",
        ("calls", Language.RU): "bugs-video",
        ("something-we-never-heard-of", Language.EN): "access",
    }
    landed: dict[tuple[str, Language], str] = {}
    for (category, language), _ in routes.items():
        ticket = await intake_creates(desk, ticket_body(category=category, language=language))
        landed[(category, language)] = ticket.queue
        assert ticket.language == language
        assert ticket.category == category.lower()
        assert (ticket.status, ticket.version, ticket.message_count) == (Status.NEW, 1, 1)
        assert ticket.assignee is None
    assert landed == routes


async def test_intake_may_create_tickets_but_not_read_them(desk: ServerHandle) -> None:
    async with client_for(desk, "intake") as intake:
        receipt = await intake.create_ticket(ticket_body())
        assert isinstance(receipt, TicketReceipt)
        with pytest.raises(errors.ForbiddenError):
            await intake.get_ticket(receipt.ticket_id)
        with pytest.raises(errors.ForbiddenError):
            await intake.list_tickets()


async def test_an_agent_reads_back_only_the_tickets_it_creates_in_its_own_queues(desk: ServerHandle) -> None:
    async with client_for(desk, "anna") as anna:
        own = await anna.create_ticket(ticket_body(category="password"))
        elsewhere = await anna.create_ticket(ticket_body(category="payment"))
    assert isinstance(own, Ticket) and own.queue == "access"
    assert isinstance(elsewhere, TicketReceipt)
    async with client_for(desk, "lena") as lena:
        landed = await lena.get_ticket(elsewhere.ticket_id)
    assert landed.queue == "payments" and landed.last_message_id == elsewhere.message_id


async def test_intake_resending_a_ticket_with_the_same_key_gets_the_same_ticket(
    desk: ServerHandle,
) -> None:
    account = marker()
    body = ticket_body(account_id=account, subject="Charged twice for stickers", category="billing")
    key = new_idempotency_key()
    async with client_for(desk, "intake") as intake:
        first = await intake.create_ticket(body, idempotency_key=key)
        again = await intake.create_ticket(body, idempotency_key=key)
        changed = body.model_copy(update={"subject": "Charged three times"})
        with pytest.raises(errors.IdempotencyMismatch):
            await intake.create_ticket(changed, idempotency_key=key)
    assert again == first and isinstance(first, TicketReceipt)
    async with client_for(desk, "lena") as lena:
        page = await lena.list_tickets({"requester": account})
    assert ticket_ids(page.items) == [first.ticket_id]


# --- reading tickets -------------------------------------------------------------------


async def test_agent_opens_a_ticket_in_their_queue_but_a_payments_ticket_does_not_exist_for_them(
    desk: ServerHandle,
) -> None:
    mine = await intake_creates(desk, ticket_body(category="password"))
    payments = await intake_creates(desk, ticket_body(category="payment"))
    assert (mine.queue, payments.queue) == ("access", "payments")
    async with client_for(desk, "anna") as anna:
        assert await anna.get_ticket(mine.id) == mine
        with pytest.raises(errors.NotFoundError):
            await anna.get_ticket(payments.id)
        with pytest.raises(errors.NotFoundError):
            await anna.list_messages(payments.id)
        with pytest.raises(errors.NotFoundError):
            await anna.set_presence(payments.id, PresenceState.VIEWING)
        with pytest.raises(errors.NotFoundError):
            await anna.post_message(payments.id, note("peek"), idempotency_key=new_idempotency_key())
        with pytest.raises(errors.NotFoundError):
            await anna.update_ticket(payments.id, TicketPatch(status=Status.OPEN), version=1)
        with pytest.raises(errors.NotFoundError):
            await anna.get_ticket(2**53 - 1)  # the largest id the contract allows
    async with client_for(desk, "boris") as boris:
        assert (await boris.get_ticket(payments.id)).id == payments.id


@dataclass(frozen=True)
class FilterWorld:
    """Four tickets sharing one fresh tag, so filters can be checked exactly."""

    tag: str
    access_ru: Ticket  # pending, low priority, a known requester
    access_en: Ticket  # urgent, assigned to anna
    hacked_ru: Ticket  # high, a distinctive subject
    payments_ru: Ticket  # outside anna's queues
    requester_name: str
    subject_word: str


@pytest.fixture(scope="module")
def filter_world(desk: ServerHandle) -> Iterator[FilterWorld]:
    # Set up with plain httpx: a module-scoped fixture has no event loop of its own.
    tag = marker()
    word = marker()
    requester_name = f"Zinaida {marker()}"

    def create(intake_http: httpx.Client, body: TicketCreate) -> Ticket:
        response = intake_http.post("/api/v1/tickets", json=body.model_dump(mode="json", exclude_none=True))
        response.raise_for_status()
        receipt = TicketReceipt.model_validate_json(response.content)
        return Ticket.model_validate_json(lena.get(f"/api/v1/tickets/{receipt.ticket_id}").content)

    with desk.client("intake") as intake, desk.client("anna") as anna, desk.client("lena") as lena:
        access_ru = create(intake, ticket_body(
            tags=(tag,), priority=Priority.LOW, account_id=f"acct-{tag}", name=requester_name,
        ))
        access_en = create(intake, ticket_body(
            tags=(tag,), language=Language.EN, priority=Priority.URGENT, subject="Locked out",
        ))
        hacked_ru = create(intake, ticket_body(
            tags=(tag,), category="hacked", priority=Priority.HIGH, subject=f"Someone posts {word} spam",
        ))
        payments_ru = create(intake, ticket_body(tags=(tag,), category="payment"))
        anna_id = anna.get("/api/v1/me").json()["id"]
        for ticket, change in ((access_ru, {"status": "pending"}), (access_en, {"assignee_id": anna_id})):
            response = anna.patch(
                f"/api/v1/tickets/{ticket.id}", json=change, headers={"If-Match": f'"{ticket.version}"'}
            )
            response.raise_for_status()
    yield FilterWorld(tag, access_ru, access_en, hacked_ru, payments_ru, requester_name, word)


async def anna_lists(
    server: ServerHandle, world: FilterWorld, **filters: str
) -> list[int]:
    async with client_for(server, "anna") as anna:
        page = await anna.list_tickets({"tag": world.tag, **filters}, page_size=200)
    assert not page.has_more
    return ticket_ids(page.items)


async def test_agent_filtering_by_tag_sees_only_tickets_of_their_queues(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    w = filter_world
    assert set(await anna_lists(desk, w)) == {w.access_ru.id, w.access_en.id, w.hacked_ru.id}
    assert await anna_lists(desk, w, queue="payments") == []
    async with client_for(desk, "lena") as lena:
        page = await lena.list_tickets({"tag": w.tag.upper()})
    assert set(ticket_ids(page.items)) == {w.access_ru.id, w.access_en.id, w.hacked_ru.id, w.payments_ru.id}


async def test_agent_narrows_the_queue_by_queue_status_priority_and_language(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    w = filter_world
    assert await anna_lists(desk, w, queue="hacked") == [w.hacked_ru.id]
    assert await anna_lists(desk, w, status="pending") == [w.access_ru.id]
    assert set(await anna_lists(desk, w, status="new,pending")) == {
        w.access_ru.id, w.access_en.id, w.hacked_ru.id,
    }
    assert await anna_lists(desk, w, status="solved,closed") == []
    assert set(await anna_lists(desk, w, priority="urgent,high")) == {w.access_en.id, w.hacked_ru.id}
    assert await anna_lists(desk, w, language="en") == [w.access_en.id]
    assert await anna_lists(desk, w, queue="access", language="ru") == [w.access_ru.id]


async def test_agent_lists_what_is_theirs_and_what_nobody_has_taken(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    w = filter_world
    assert await anna_lists(desk, w, assignee="me") == [w.access_en.id]
    assert set(await anna_lists(desk, w, assignee="none")) == {w.access_ru.id, w.hacked_ru.id}
    async with client_for(desk, "lena") as lena:
        by_login = await lena.list_tickets({"tag": w.tag, "assignee": "anna"})
        nobody = await lena.list_tickets({"tag": w.tag, "assignee": "no-such-agent"})
    assert ticket_ids(by_login.items) == [w.access_en.id]
    assert nobody.items == []


async def test_agent_finds_a_ticket_by_free_text_id_or_requester(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    w = filter_world
    assert await anna_lists(desk, w, q=w.subject_word.upper()) == [w.hacked_ru.id]
    assert await anna_lists(desk, w, q=w.requester_name.split()[1]) == [w.access_ru.id]
    assert await anna_lists(desk, w, q=f"acct-{w.tag}") == [w.access_ru.id]
    assert await anna_lists(desk, w, requester=f"acct-{w.tag}") == [w.access_ru.id]
    async with client_for(desk, "anna") as anna:
        by_id = await anna.list_tickets({"q": f"#{w.hacked_ru.id}"})
        foreign = await anna.list_tickets({"q": f"#{w.payments_ru.id}"})
    assert ticket_ids(by_id.items) == [w.hacked_ru.id]
    assert foreign.items == []


async def test_agent_sorts_the_queue_oldest_newest_or_most_urgent_first(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    w = filter_world
    created_order = [w.access_ru.id, w.access_en.id, w.hacked_ru.id]
    assert await anna_lists(desk, w, sort=TicketSort.CREATED.value) == created_order
    assert await anna_lists(desk, w, sort=TicketSort.CREATED_DESC.value) == created_order[::-1]
    assert await anna_lists(desk, w, sort=TicketSort.PRIORITY.value) == [
        w.access_en.id, w.hacked_ru.id, w.access_ru.id,
    ]
    for sort in TicketSort:
        assert sorted(await anna_lists(desk, w, sort=sort.value)) == sorted(created_order), sort


async def test_agent_pages_one_ticket_at_a_time_and_asks_for_too_much_in_vain(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    w = filter_world
    async with client_for(desk, "anna") as anna:
        seen: list[int] = []
        after: str | None = None
        while True:
            page = await anna.list_tickets({"tag": w.tag, "sort": "created_at"}, page_size=1, after=after)
            assert len(page.items) <= 1
            seen += ticket_ids(page.items)
            if not page.has_more:
                assert page.next_cursor is None
                break
            after = page.next_cursor
        assert seen == [w.access_ru.id, w.access_en.id, w.hacked_ru.id]
        zero = await anna.list_tickets({"tag": w.tag}, page_size=0)
        assert len(zero.items) == 1 and zero.has_more
    async with client_for(desk, "lena") as lena:
        huge = await lena.list_tickets(page_size=100_000)
    assert len(huge.items) == 200, "page[size] is clamped to 200 (the demo world has 300 tickets)"
    assert huge.has_more


async def test_a_cursor_from_another_sort_order_is_refused(
    desk: ServerHandle, filter_world: FilterWorld
) -> None:
    async with client_for(desk, "anna") as anna:
        first = await anna.list_tickets({"tag": filter_world.tag, "sort": "created_at"}, page_size=1)
        assert first.next_cursor is not None
        with pytest.raises(errors.ValidationFailed) as caught:
            await anna.list_tickets({"tag": filter_world.tag, "sort": "priority"}, after=first.next_cursor)
        with pytest.raises(errors.ValidationFailed):
            await anna.list_tickets({"status": "sleeping"})
    assert caught.value.status == 400


@pytest.mark.runs_long
async def test_lead_pages_to_the_end_of_ten_thousand_tickets_seeing_each_once(
    backlog_server: ServerHandle,
) -> None:
    server = backlog_server

    async def walk(client: SupportDeskClient, filters: dict[str, str]) -> list[Ticket]:
        out: list[Ticket] = []
        after: str | None = None
        while True:
            page = await client.list_tickets(filters, page_size=200, after=after)
            out += page.items
            if not page.has_more:
                assert page.next_cursor is None
                return out
            assert page.items and page.next_cursor
            after = page.next_cursor

    async with client_for(server, "lena") as lena:
        everything = await walk(lena, {})
        queues = await lena.queues()
        by_queue = {q.id: await walk(lena, {"queue": q.id, "sort": "-created_at"}) for q in queues}
    ids = ticket_ids(everything)
    assert len(ids) == 10_000
    assert len(set(ids)) == 10_000, "a ticket appeared on two pages"
    per_queue_ids = [t.id for tickets in by_queue.values() for t in tickets]
    assert len(per_queue_ids) == len(set(per_queue_ids)) == 10_000
    assert set(per_queue_ids) == set(ids), "the per-queue walks and the all-queues walk disagree"
    for queue, tickets in by_queue.items():
        assert {t.queue for t in tickets} <= {queue}
        keys = [(t.created_at, t.id) for t in tickets]
        assert keys == sorted(keys, reverse=True), f"{queue} is not newest first"


# --- changing tickets ------------------------------------------------------------------


async def test_agent_takes_a_ticket_and_a_colleague_with_a_stale_copy_gets_the_current_one(
    desk: ServerHandle,
) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna, client_for(desk, "kate") as kate:
        anna_id = (await anna.me()).id
        taken = await anna.update_ticket(
            ticket.id, TicketPatch(status=Status.OPEN, assignee_id=anna_id, tags=["VIP", " vip "]),
            version=ticket.version,
        )
        assert taken.version == ticket.version + 1
        assert taken.status == Status.OPEN
        assert taken.assignee is not None and taken.assignee.login == "anna"
        assert taken.tags == ["vip"]
        assert (await kate.get_ticket(ticket.id)) == taken
        with pytest.raises(errors.VersionConflict) as caught:
            await kate.update_ticket(ticket.id, TicketPatch(priority=Priority.HIGH), version=ticket.version)
        assert caught.value.status == 412
        assert caught.value.current is not None
        assert caught.value.current.version == taken.version
        assert caught.value.current.assignee == taken.assignee
        retried = await kate.update_ticket(
            ticket.id, TicketPatch(priority=Priority.HIGH), version=caught.value.current.version
        )
        assert (retried.version, retried.priority) == (taken.version + 1, Priority.HIGH)
        unchanged = await kate.update_ticket(ticket.id, TicketPatch(priority=Priority.HIGH),
                                             version=retried.version)
        assert unchanged.version == retried.version, "a patch that changes nothing is not a new version"
        released = await anna.update_ticket(ticket.id, TicketPatch(assignee_id=0), version=retried.version)
        assert released.assignee is None


async def test_agent_is_told_clearly_what_they_may_not_do_to_a_ticket(desk: ServerHandle) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna, client_for(desk, "boris") as boris:
        boris_id = (await boris.me()).id
        with pytest.raises(errors.ForbiddenError) as moved:
            await anna.update_ticket(ticket.id, TicketPatch(queue="payments"), version=ticket.version)
        assert moved.value.status == 403 and moved.value.message
        with pytest.raises(errors.ValidationFailed) as nowhere:
            await anna.update_ticket(ticket.id, TicketPatch(queue="no-such-queue"), version=ticket.version)
        assert "queue" in nowhere.value.field_errors()
        with pytest.raises(errors.ForbiddenError):
            await anna.update_ticket(ticket.id, TicketPatch(assignee_id=boris_id), version=ticket.version)
        unchanged = await anna.get_ticket(ticket.id)
        assert unchanged.version == ticket.version, "a refused change changed nothing"
        moved_ok = await anna.update_ticket(ticket.id, TicketPatch(queue="hacked"), version=ticket.version)
        assert (moved_ok.queue, moved_ok.version) == ("hacked", ticket.version + 1)


# --- conversations ----------------------------------------------------------------------


async def test_agent_pages_through_a_long_conversation_both_ways(desk: ServerHandle) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna:
        for n in range(6):
            await anna.post_message(ticket.id, note(f"note {n}"), idempotency_key=new_idempotency_key())

        async def walk(order: str) -> list[int]:
            out: list[int] = []
            after: str | None = None
            while True:
                page = await anna.list_messages(ticket.id, order=order, page_size=2, after=after)
                assert len(page.items) <= 2
                out += [m.id for m in page.items]
                if not page.has_more:
                    return out
                after = page.next_cursor

        ascending, descending = await walk("asc"), await walk("desc")
        everything = await anna.list_messages(ticket.id, page_size=200)
    assert len(ascending) == 7 and ascending == sorted(set(ascending))
    assert descending == ascending[::-1]
    assert [m.id for m in everything.items] == ascending and not everything.has_more
    assert everything.items[0].kind == MessageKind.CUSTOMER
    assert [m.body for m in everything.items[1:]] == [f"note {n}" for n in range(6)]


async def test_a_reply_resent_with_the_same_key_is_posted_only_once(desk: ServerHandle) -> None:
    ticket = await intake_creates(desk, ticket_body())
    key = new_idempotency_key()
    text = f"Здравствуйте! Сбросили вход, попробуйте снова. {marker()}"
    async with client_for(desk, "anna") as anna:
        first = await anna.post_message(ticket.id, reply(text), idempotency_key=key)
        again = await anna.post_message(ticket.id, reply(text), idempotency_key=key)
        with pytest.raises(errors.IdempotencyMismatch):
            await anna.post_message(ticket.id, reply(text + " (edited)"), idempotency_key=key)
        thread = await anna.list_messages(ticket.id)
        current = await anna.get_ticket(ticket.id)
    assert again.message.id == first.message.id
    assert [m.body for m in thread.items].count(text) == 1
    async with client_for(desk, "kate") as kate:
        hers = await kate.post_message(ticket.id, reply(text), idempotency_key=key)
    assert hers.message.id != first.message.id, "keys are per caller: kate's is a new message"
    assert current.message_count == 2, "before kate's own send with the same key"
    assert first.message.author.id == "anna" and first.message.kind == MessageKind.REPLY
    assert first.ticket.status == Status.OPEN, "a reply to a new ticket opens it"
    assert first.ticket.assignee is not None and first.ticket.assignee.login == "anna"
    assert first.ticket.sla.first_responded_at is not None


async def test_agent_is_stopped_when_the_customer_wrote_while_they_were_typing(
    desk: ServerHandle,
) -> None:
    ticket = await intake_creates(desk, ticket_body())
    seen = ticket.last_message_id
    assert seen is not None
    newer = await customer_writes(desk, ticket.id, "Also, my phone number changed.")
    async with (
        client_for(desk, "anna") as anna,
        client_for(desk, "lena") as lena,
        client_for(desk, "kate") as kate,
    ):
        await lena.post_message(ticket.id, note("lead note"), idempotency_key=new_idempotency_key())
        with pytest.raises(errors.NewActivity) as caught:
            await anna.post_message(ticket.id, reply("Try again", seen_up_to=seen),
                                    idempotency_key=new_idempotency_key())
        assert caught.value.status == 409
        assert [m.id for m in caught.value.messages] == [newer], "a colleague's note is not news"
        assert caught.value.messages[0].body == "Also, my phone number changed."
        assert caught.value.messages[0].kind == MessageKind.CUSTOMER

        latest = (await anna.get_ticket(ticket.id)).last_message_id
        own = await anna.post_message(ticket.id, reply("Noted, thanks", seen_up_to=latest),
                                      idempotency_key=new_idempotency_key())
        assert own.message.body == "Noted, thanks"
        await anna.post_message(ticket.id, reply("One more thing", seen_up_to=latest),
                                idempotency_key=new_idempotency_key())  # her own reply is not news to her
        colleague = await kate.post_message(ticket.id, reply("Kate here, done."),
                                            idempotency_key=new_idempotency_key())
        with pytest.raises(errors.NewActivity) as again:
            await anna.post_message(ticket.id, reply("Closing", seen_up_to=own.message.id),
                                    idempotency_key=new_idempotency_key())
    assert [m.id for m in again.value.messages] == [colleague.message.id]


async def test_a_customer_answer_reopens_a_ticket_waiting_on_them(desk: ServerHandle) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna:
        asked = await anna.post_message(
            ticket.id, reply("Which phone do you use?", status=Status.PENDING),
            idempotency_key=new_idempotency_key(),
        )
        assert asked.ticket.status == Status.PENDING
        assert asked.ticket.sla.paused
        await customer_writes(desk, ticket.id, "An old Android.")
        reopened = await anna.get_ticket(ticket.id)
    assert reopened.status == Status.OPEN
    assert reopened.message_count == 3
    assert reopened.waiting_since is not None


async def test_agents_may_not_speak_as_the_customer_nor_intake_as_an_agent(desk: ServerHandle) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna, client_for(desk, "intake") as intake:
        with pytest.raises(errors.ForbiddenError):
            await anna.post_message(ticket.id, MessageCreate(kind=MessageKind.CUSTOMER, body="x"),
                                    idempotency_key=new_idempotency_key())
        with pytest.raises(errors.ForbiddenError):
            await intake.post_message(ticket.id, reply("x"), idempotency_key=new_idempotency_key())


# --- canned replies, escalations, presence ------------------------------------------------


async def test_agent_has_at_least_twenty_canned_replies_in_both_languages(desk: ServerHandle) -> None:
    async with client_for(desk, "boris") as boris:
        replies = await boris.canned_replies()
    assert len(replies) >= 20
    assert len({r.id for r in replies}) == len(replies)
    assert len({r.shortcut for r in replies}) == len(replies)
    for canned in replies:
        assert set(canned.bodies) == {Language.RU, Language.EN}, canned.id
        assert all(body.strip() for body in canned.bodies.values()), canned.id
        assert set(canned.title) == {Language.RU, Language.EN}, canned.id


async def test_agent_escalates_a_bug_and_the_customer_is_flagged_for_a_reply_once_fixed(
    desk: ServerHandle,
) -> None:
    ticket = await intake_creates(desk, ticket_body(category="login"))
    assert ticket.last_message_id is not None
    escalation_in = EscalationCreate(
        component="login",
        severity=Severity.MAJOR,
        summary="SMS code accepted but login loops",
        steps="1. Enter phone\n2. Enter code",
        expected="Logged in",
        actual="Back to the phone screen",
        message_ids=[ticket.last_message_id],
    )
    async with client_for(desk, "anna") as anna, client_for(desk, "lena") as lena:
        components = await anna.components()
        assert "login" in {c.id for c in components}
        assert all(c.name for c in components)
        with pytest.raises(errors.ValidationFailed):
            await anna.create_escalation(ticket.id, escalation_in.model_copy(update={"component": "nope"}))

        escalation = await anna.create_escalation(ticket.id, escalation_in)
        assert (escalation.ticket_id, escalation.status) == (ticket.id, EscalationStatus.OPEN)
        assert escalation.message_ids == [ticket.last_message_id]
        held = await anna.get_ticket(ticket.id)
        assert held.status == Status.ON_HOLD
        assert held.escalation is not None and held.escalation.key == escalation.key
        thread = await anna.list_messages(ticket.id, order="desc", page_size=1)
        assert thread.items[0].kind == MessageKind.NOTE
        assert escalation.key in thread.items[0].body

        assert escalation.key in {e.key for e in await lena.list_escalations()}
        assert escalation.key in {e.key for e in await lena.list_escalations(["open", "in_progress"])}
        assert escalation.key not in {e.key for e in await lena.list_escalations(["fixed"])}
        with pytest.raises(errors.ForbiddenError):
            await anna.list_escalations()
        assert await anna.get_escalation(escalation.key) == escalation
        with pytest.raises(errors.NotFoundError):
            await anna.get_escalation("NOPE-999999")

        working = await anna.update_escalation(
            escalation.key, EscalationPatch(status=EscalationStatus.IN_PROGRESS)
        )
        assert working.status == EscalationStatus.IN_PROGRESS
        assert not (await anna.get_ticket(ticket.id)).needs_reply
        fixed = await lena.update_escalation(escalation.key, EscalationPatch(status=EscalationStatus.FIXED))
        assert fixed.status == EscalationStatus.FIXED
        flagged = await anna.get_ticket(ticket.id)
        assert flagged.needs_reply
        assert flagged.escalation is not None and flagged.escalation.status == EscalationStatus.FIXED
        with pytest.raises(errors.ValidationFailed):
            await anna.update_escalation(escalation.key, EscalationPatch(status=EscalationStatus.OPEN))


def receipt_bug(**fields: object) -> EscalationCreate:
    return EscalationCreate(
        component="payments", severity=Severity.MINOR, summary="Receipt is empty",
        steps="Pay", expected="Receipt", actual="Blank page", **fields,
    )


async def test_agent_escalates_without_putting_the_ticket_on_hold_when_they_say_so(
    desk: ServerHandle,
) -> None:
    payments = await intake_creates(desk, ticket_body(category="payment"))
    async with client_for(desk, "boris") as boris:
        await boris.create_escalation(payments.id, receipt_bug(set_status=None))
        assert (await boris.get_ticket(payments.id)).status == Status.NEW


async def test_an_escalation_on_a_foreign_ticket_does_not_exist_for_the_agent(
    desk: ServerHandle,
) -> None:
    payments = await intake_creates(desk, ticket_body(category="payment"))
    async with client_for(desk, "boris") as boris, client_for(desk, "anna") as anna:
        escalation = await boris.create_escalation(payments.id, receipt_bug())
        with pytest.raises(errors.NotFoundError):
            await anna.get_escalation(escalation.key)
        with pytest.raises(errors.NotFoundError):
            await anna.update_escalation(escalation.key, EscalationPatch(status=EscalationStatus.WONT_FIX))


async def test_lead_sees_which_agent_is_composing_on_a_ticket(desk: ServerHandle) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna, client_for(desk, "lena") as lena:
        await anna.set_presence(ticket.id, PresenceState.COMPOSING)
        seen = await lena.get_ticket(ticket.id)
        assert [(p.agent.login, p.state) for p in seen.presence] == [("anna", PresenceState.COMPOSING)]
        assert seen.presence[0].expires_at > seen.updated_at
        listed = await lena.list_tickets({"q": f"#{ticket.id}"})
        assert listed.items[0].presence == seen.presence
        await anna.set_presence(ticket.id, PresenceState.LEFT)
        assert (await lena.get_ticket(ticket.id)).presence == []


# --- stats --------------------------------------------------------------------------------


async def test_lead_reads_live_and_historical_stats_but_agents_may_not(desk: ServerHandle) -> None:
    async with client_for(desk, "lena") as lena:
        live = await lena.live_stats()
        history = await lena.stats_history(3600)
        with pytest.raises(errors.ValidationFailed):
            await lena.stats_history(10)
    assert {row.key for row in live.by_queue} == ALL_QUEUES
    assert {row.key for row in live.by_language} <= {"ru", "en"}
    assert live.total.open == sum(row.open for row in live.by_queue)
    assert {a.agent.login for a in live.agents} >= {"anna", "boris", "kate", "dmitry"}
    assert (history.window_seconds, history.interval_seconds) == (3600, 60)
    assert history.points and {p.queue for p in history.points} <= ALL_QUEUES
    assert all(p.open >= 0 and p.created >= 0 and p.solved >= 0 for p in history.points)
    async with client_for(desk, "anna") as anna:
        with pytest.raises(errors.ForbiddenError):
            await anna.live_stats()
        with pytest.raises(errors.ForbiddenError):
            await anna.stats_history()


# --- the event stream --------------------------------------------------------------------


async def test_agent_sees_a_change_live_and_a_reconnect_replays_what_was_missed_in_order(
    desk: ServerHandle,
) -> None:
    ticket = await intake_creates(desk, ticket_body())
    async with client_for(desk, "anna") as anna:
        start = await head_event_id(anna)
        live_stream = EventStream(anna, last_event_id=start)
        async with listening(live_stream) as items:
            raised = await anna.update_ticket(ticket.id, TicketPatch(priority=Priority.HIGH),
                                              version=ticket.version)
            first = await events_until(items, is_update_of(ticket.id, raised.version))
            assert Ticket.model_validate(first[-1].data).priority == Priority.HIGH

            # Changes made while "disconnected" from this point on.
            tagged = await anna.update_ticket(ticket.id, TicketPatch(tags=["replayed"]),
                                              version=raised.version)
            posted = await anna.post_message(ticket.id, note("while away"),
                                             idempotency_key=new_idempotency_key())
            live_rest = await events_until(items, is_update_of(ticket.id, posted.ticket.version))
        assert live_stream.last_event_id == live_rest[-1].id
        live_seen = first + live_rest

        resumed = EventStream(anna, last_event_id=start)
        async with listening(resumed) as items:
            replayed = await events_until(items, is_update_of(ticket.id, posted.ticket.version))

    ids = [e.id for e in replayed]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] > start
    about_ticket = [(e.type, e.data.get("version")) for e in replayed if event_ticket_id(e) == ticket.id]
    assert about_ticket == [
        (EventType.TICKET_UPDATED, raised.version),
        (EventType.TICKET_UPDATED, tagged.version),
        (EventType.MESSAGE_CREATED, None),
        (EventType.TICKET_UPDATED, posted.ticket.version),
    ]
    assert [(e.id, e.type) for e in replayed if event_ticket_id(e) == ticket.id] == [
        (e.id, e.type) for e in live_seen if event_ticket_id(e) == ticket.id
    ], "the replay differs from what the live stream delivered"
    message_event = next(e for e in replayed if e.type == EventType.MESSAGE_CREATED
                         and event_ticket_id(e) == ticket.id)
    assert message_event.data["message"]["id"] == posted.message.id


async def test_agent_stream_never_mentions_a_payments_ticket_that_boris_changes(
    desk: ServerHandle,
) -> None:
    payments = await intake_creates(desk, ticket_body(category="payment"))
    sentinel = await intake_creates(desk, ticket_body(category="password"))
    async with (
        client_for(desk, "anna") as anna,
        client_for(desk, "boris") as boris,
        client_for(desk, "lena") as lena,
    ):
        start = await head_event_id(anna)
        changed = await boris.update_ticket(payments.id, TicketPatch(status=Status.OPEN),
                                            version=payments.version)
        await boris.post_message(payments.id, note("refund issued"), idempotency_key=new_idempotency_key())
        await boris.set_presence(payments.id, PresenceState.VIEWING)
        # Events are delivered in id order, so once anna's own later change arrives,
        # anything about the payments ticket would already have been delivered.
        marked = await anna.update_ticket(sentinel.id, TicketPatch(priority=Priority.LOW),
                                          version=sentinel.version)
        async with listening(EventStream(anna, last_event_id=start)) as items:
            anna_saw = await events_until(items, is_update_of(sentinel.id, marked.version))
        async with listening(EventStream(lena, last_event_id=start)) as items:
            lena_saw = await events_until(items, is_update_of(sentinel.id, marked.version))

    assert [e for e in anna_saw if event_ticket_id(e) == payments.id] == []
    for event in anna_saw:
        if event.type == EventType.QUEUE_COUNTS:
            assert {q["id"] for q in event.data["queues"]} <= ANNA_QUEUES
        if event.type != EventType.QUEUE_COUNTS:
            assert event.data.get("queue") in ANNA_QUEUES | {None}
        assert event.type != EventType.ESCALATION_UPDATED or event.data["ticket_id"] != payments.id
    lena_about_payments = {e.type for e in lena_saw if event_ticket_id(e) == payments.id}
    assert lena_about_payments >= {EventType.TICKET_UPDATED, EventType.MESSAGE_CREATED}, (
        "the lead, who sees every queue, does get them (so the check above is not vacuous)"
    )
    assert any(e.type == EventType.TICKET_UPDATED and e.data["version"] == changed.version
               for e in lena_saw if event_ticket_id(e) == payments.id)


async def test_a_stream_with_a_revoked_token_says_so_and_stops(desk: ServerHandle) -> None:
    async with SupportDeskClient(desk.url, "sdk_revoked_token_0123456789") as stranger:
        statuses: list[StreamStatus] = []
        async with listening(EventStream(stranger)) as items, asyncio.timeout(STREAM_TIMEOUT):
            async for item in items:
                assert isinstance(item, StreamStatus)
                statuses.append(item)
    assert [s.state for s in statuses] == ["connecting", "unauthorized"]


async def test_a_stream_refused_for_the_callers_role_stops_instead_of_retrying_forever(
    desk: ServerHandle,
) -> None:
    first_verdict: StreamStatus | None = None
    async with (
        client_for(desk, "intake") as intake,
        listening(EventStream(intake)) as items,
        asyncio.timeout(STREAM_TIMEOUT),
    ):
        async for item in items:
            if isinstance(item, StreamStatus) and item.state != "connecting":
                first_verdict = item
                break
    assert first_verdict is not None
    assert first_verdict.state == "forbidden", "a refusal is final; retrying cannot help"
