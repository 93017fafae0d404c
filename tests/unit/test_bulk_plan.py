"""The bulk-action rules without a server: what each ticket gets, every outcome accounted for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from supportdesk_tui.api import errors
from supportdesk_tui.contract.models import (
    CannedActions,
    CannedReply,
    Language,
    Priority,
    Status,
    Ticket,
    TicketPatch,
    TicketStamp,
)
from supportdesk_tui.domain.bulk import (
    BulkAction,
    BulkKind,
    BulkResult,
    Outcome,
    ReplyPlan,
    apply_patch,
    apply_reply,
    run_bulk,
    summarize,
)
from supportdesk_tui.domain.selection import Selection

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def ticket(ticket_id: int, version: int = 1, **changes: Any) -> Ticket:
    data: dict[str, Any] = {
        "id": ticket_id, "version": version, "subject": "Spam", "status": "open", "priority": "normal",
        "queue": "hacked", "language": "ru", "category": "hacked", "tags": ["spam-wave"],
        "requester": {"account_id": f"id{ticket_id}", "name": "Ольга Кузнецова", "language": "ru"},
        "created_at": NOW, "updated_at": NOW, "last_message_id": 10 * ticket_id,
        "sla": {"paused": False},
    }
    data.update(changes)
    return Ticket.model_validate(data)


class FakeServer:
    """Tickets by id; a PATCH naming an old version is refused like the server's 412."""

    def __init__(self, *tickets: Ticket) -> None:
        self.tickets = {t.id: t for t in tickets}
        self.patches: list[tuple[int, TicketPatch, int]] = []

    async def get_ticket(self, ticket_id: int) -> Ticket:
        return self.tickets[ticket_id]

    async def update_ticket(self, ticket_id: int, patch: TicketPatch, *, version: int) -> Ticket:
        current = self.tickets[ticket_id]
        if current.version != version:
            raise errors.VersionConflict("changed", status=412, current=current)
        self.patches.append((ticket_id, patch, version))
        updated = current.model_copy(update={**patch.model_dump(exclude_none=True), "version": version + 1})
        self.tickets[ticket_id] = updated
        return updated


def stamp(t: Ticket) -> TicketStamp:
    return TicketStamp(id=t.id, version=t.version)


async def test_a_ticket_changed_after_it_was_marked_is_a_conflict_and_is_not_written() -> None:
    one, two = ticket(1), ticket(2)
    server = FakeServer(one, two)
    marked = [stamp(one), stamp(two)]
    server.tickets[2] = two.model_copy(update={"version": 2, "status": Status.PENDING})
    action = BulkAction(BulkKind.STATUS, status=Status.SOLVED)

    results = await run_bulk(marked, lambda s: apply_patch(server, action, s, None))

    assert [r.outcome for r in results] == [Outcome.CHANGED, Outcome.CONFLICT]
    assert results[1].ticket is not None and results[1].ticket.status == Status.PENDING
    assert [p[0] for p in server.patches] == [1]


async def test_tags_are_added_to_what_the_ticket_has_and_an_existing_tag_sends_nothing() -> None:
    plain, tagged = ticket(1), ticket(2, tags=["spam-wave", "fraud"])
    server = FakeServer(plain, tagged)
    action = BulkAction(BulkKind.ADD_TAG, tag=" Fraud ")
    results = await run_bulk([stamp(plain), stamp(tagged)], lambda s: apply_patch(server, action, s, None))
    assert [r.outcome for r in results] == [Outcome.CHANGED, Outcome.UNCHANGED]
    assert server.tickets[1].tags == ["spam-wave", "fraud"]


async def test_a_failure_is_reported_with_its_reason_and_the_rest_still_run() -> None:
    class Refusing(FakeServer):
        async def update_ticket(self, ticket_id: int, patch: TicketPatch, *, version: int) -> Ticket:
            if ticket_id == 2:
                raise errors.ForbiddenError("Only a shift lead may assign a ticket to someone else.",
                                            status=403)
            return await super().update_ticket(ticket_id, patch, version=version)

    tickets = [ticket(n) for n in (1, 2, 3)]
    server = Refusing(*tickets)
    action = BulkAction(BulkKind.PRIORITY, priority=Priority.URGENT)
    summary = summarize(await run_bulk([stamp(t) for t in tickets],
                                       lambda s: apply_patch(server, action, s, None)))
    assert summary.count(Outcome.CHANGED) == 2
    (failed,) = summary.of(Outcome.FAILED)
    assert failed.ticket_id == 2 and "shift lead" in failed.detail
    assert not summary.all_done


async def test_stopping_leaves_the_rest_not_attempted_and_says_which() -> None:
    tickets = [ticket(n) for n in range(1, 11)]
    server = FakeServer(*tickets)
    action = BulkAction(BulkKind.STATUS, status=Status.CLOSED)
    done: list[BulkResult] = []
    results = await run_bulk([stamp(t) for t in tickets], lambda s: apply_patch(server, action, s, None),
                             concurrency=2, on_result=done.append, cancelled=lambda: len(done) >= 3)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.CHANGED) == len(server.patches) >= 3
    assert outcomes.count(Outcome.NOT_ATTEMPTED) == 10 - len(server.patches) > 0
    assert len(results) == 10


async def test_at_most_the_given_number_of_requests_run_at_once() -> None:
    running = peak = 0

    async def slow(s: TicketStamp) -> BulkResult:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        return BulkResult(s.id, Outcome.CHANGED)

    await run_bulk([TicketStamp(id=n, version=1) for n in range(1, 20)], slow, concurrency=3)
    assert peak == 3


def test_what_stays_marked_is_what_was_left_alone_at_its_current_version() -> None:
    selection = Selection([TicketStamp(id=1, version=1), TicketStamp(id=2, version=1),
                           TicketStamp(id=3, version=5)])
    summary = summarize([
        BulkResult(1, Outcome.CHANGED, ticket=ticket(1, 2)),
        BulkResult(2, Outcome.CONFLICT, ticket=ticket(2, 4)),
        BulkResult(3, Outcome.FAILED, "boom"),
    ])
    left = summary.still_selected(selection).stamps()
    assert left == [TicketStamp(id=2, version=4), TicketStamp(id=3, version=5)]


def test_marking_all_keeps_the_version_a_ticket_was_first_marked_at() -> None:
    selection = Selection()
    assert selection.toggle(TicketStamp(id=7, version=1))
    assert selection.add_all([TicketStamp(id=7, version=3), TicketStamp(id=8, version=1)]) == 1
    assert selection.stamps() == [TicketStamp(id=7, version=1), TicketStamp(id=8, version=1)]
    assert not selection.toggle(TicketStamp(id=7, version=1)) and 7 not in selection


REPLY = CannedReply(
    id="spam", title={Language.RU: "Спам", Language.EN: "Spam"}, shortcut="spam", tags=[],
    bodies={Language.RU: "Здравствуйте, {customer.first_name}! #{ticket.id}",
            Language.EN: "Hi {customer.first_name}, #{ticket.id}"},
    actions=CannedActions(status=Status.PENDING, priority=Priority.LOW, add_tags=["handled"]),
)


async def test_a_canned_reply_is_rendered_per_customer_and_its_actions_follow_on_the_new_version() -> None:
    russian, english = ticket(1), ticket(2, language="en", requester={
        "account_id": "id2", "name": "Mary Jones", "language": "en"})
    server = FakeServer(russian, english)
    sent: list[tuple[int, str, Status | None, int | None]] = []

    async def send(ticket_id: int, body: str, status: Status | None, seen: int | None) -> Ticket:
        sent.append((ticket_id, body, status, seen))
        after = server.tickets[ticket_id].model_copy(update={"status": status, "version": 2})
        server.tickets[ticket_id] = after
        return after

    plan = ReplyPlan(REPLY, "Anna Petrova", lambda queue: queue)
    results = await run_bulk([stamp(russian), stamp(english)], lambda s: apply_reply(server, plan, s, send))

    assert [r.outcome for r in results] == [Outcome.CHANGED, Outcome.CHANGED]
    assert sent == [(1, "Здравствуйте, Ольга! #1", Status.PENDING, 10),
                    (2, "Hi Mary, #2", Status.PENDING, 20)]
    assert [(p[0], p[2]) for p in server.patches] == [(1, 2), (2, 2)]  # If-Match: the reply's version
    assert server.tickets[1].priority == Priority.LOW and "handled" in server.tickets[1].tags


async def test_a_reply_left_in_the_outbox_is_reported_as_queued_not_as_failed() -> None:
    server = FakeServer(ticket(1))

    async def send(ticket_id: int, body: str, status: Status | None, seen: int | None) -> None:
        return None

    plan = ReplyPlan(REPLY, "Anna Petrova", lambda queue: queue)
    (result,) = await run_bulk([stamp(ticket(1))], lambda s: apply_reply(server, plan, s, send))
    assert result.outcome is Outcome.QUEUED and summarize([result]).all_done
