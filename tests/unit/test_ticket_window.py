"""TicketWindow over a fake cursor-paginated server holding 100,000 tickets."""

from __future__ import annotations

import bisect
import random
from datetime import UTC, datetime, timedelta

import pytest

from supportdesk_tui.contract.models import Priority, Status, Ticket, TicketSort
from supportdesk_tui.domain.ticket_window import TicketWindow, backwards, sort_key_for

BASE = datetime(2025, 1, 1, tzinfo=UTC)
TEMPLATE = Ticket.model_validate(
    {
        "id": 1,
        "version": 1,
        "subject": "template",
        "status": "open",
        "priority": "normal",
        "queue": "general",
        "language": "en",
        "category": "account",
        "tags": [],
        "requester": {"account_id": "u1", "name": "Ann", "language": "en"},
        "created_at": BASE,
        "updated_at": BASE,
        "sla": {},
    }
)


def make_ticket(ticket_id: int, **changes: object) -> Ticket:
    fields: dict[str, object] = {
        "id": ticket_id,
        "subject": f"Ticket {ticket_id}",
        "created_at": BASE + timedelta(seconds=ticket_id),
        "updated_at": BASE + timedelta(seconds=ticket_id),
    }
    fields.update(changes)
    return TEMPLATE.model_copy(update=fields)


class FakeServer:
    """Keyset pagination in `created_at` order (= id order here); tickets are built on demand."""

    def __init__(self, count: int, page_size: int = 50) -> None:
        self.ids: list[int] = list(range(1, count + 1))
        self.page_size = page_size
        self.calls: list[str | None] = []
        self.overrides: dict[int, Ticket] = {}

    def ticket(self, ticket_id: int) -> Ticket:
        return self.overrides.get(ticket_id) or make_ticket(ticket_id)

    async def fetch(self, after: str | None) -> tuple[list[Ticket], str | None]:
        self.calls.append(after)
        start = 0 if after is None else bisect.bisect_right(self.ids, int(after))
        chunk = self.ids[start : start + self.page_size]
        more = start + self.page_size < len(self.ids)
        return [self.ticket(i) for i in chunk], (str(chunk[-1]) if more and chunk else None)


def window_over(server: FakeServer, **kwargs: object) -> TicketWindow:
    return TicketWindow(
        server.fetch,
        page_size=server.page_size,
        sort_key=sort_key_for(TicketSort.CREATED),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_agent_scrolls_a_huge_queue_and_memory_stays_bounded() -> None:
    server = FakeServer(100_000)
    window = window_over(server, max_pages=8)
    await window.ensure(range(0, 30))
    assert window.get(0) is not None and window.get(0).id == 1  # type: ignore[union-attr]
    assert window.get(60) is None  # not loaded, and no I/O from get()
    for start in range(0, 5_000, 40):
        await window.ensure(range(start, start + 40))
        assert window.pages_held <= 8
        assert window.rows_held <= 8 * 50
    assert window.row_count_known >= 5_000
    assert not window.exhausted
    ticket = window.get(4_999)
    assert ticket is not None and ticket.id == 5_000


async def test_walking_to_the_end_of_100k_rows_marks_the_window_exhausted() -> None:
    server = FakeServer(100_000)
    window = window_over(server)
    await window.ensure(range(99_990, 100_010))
    assert window.exhausted
    assert window.row_count_known == 100_000
    last = window.get(99_999)
    assert last is not None and last.id == 100_000
    assert window.pages_held <= window.max_pages
    assert window.page_count_known == 2_000  # cursors only: one small string per page


async def test_random_access_refetches_evicted_pages_from_their_stored_cursor() -> None:
    server = FakeServer(100_000)
    window = window_over(server, max_pages=3)
    await window.ensure(range(0, 600))  # 12 pages walked; only 3 stay
    assert window.get(0) is None
    server.calls.clear()
    rng = random.Random(7)
    for index in rng.sample(range(600), 25):
        await window.ensure(range(index, index + 1))
        ticket = window.get(index)
        assert ticket is not None and ticket.id == index + 1
        assert window.pages_held <= 3
    # Every refetch used a stored cursor: no walk from the start.
    assert None not in server.calls[1:] or server.calls.count(None) <= 2
    assert len(server.calls) <= 25


async def test_a_live_update_replaces_the_loaded_row_in_place() -> None:
    server = FakeServer(1_000)
    window = window_over(server)
    await window.ensure(range(0, 100))
    changed = make_ticket(10, subject="Now urgent", priority=Priority.URGENT, version=2)
    change = window.apply_update(changed)
    assert change.kind == "updated" and change.new_index == 9
    assert window.get(9) == changed
    assert window.row_count_known == 100


async def test_a_new_ticket_sorting_inside_the_loaded_range_is_inserted_and_shifts_rows() -> None:
    server = FakeServer(1_000)
    window = window_over(server)
    await window.ensure(range(0, 100))
    # created between ticket 20 and 21
    newcomer = make_ticket(5_000, created_at=BASE + timedelta(seconds=20.5))
    change = window.apply_created(newcomer)
    assert change.kind == "inserted" and change.new_index == 20
    assert window.index_of(21) == 21  # shifted down by one
    assert window.get(20) == newcomer
    assert window.row_count_known == 101
    assert window.pending_new == 0


async def test_a_new_ticket_outside_the_loaded_range_is_counted_not_inserted() -> None:
    server = FakeServer(1_000)
    window = window_over(server)
    await window.ensure(range(0, 50))
    late = make_ticket(5_001, created_at=BASE + timedelta(days=30))
    assert window.apply_created(late).kind == "none"
    assert window.pending_new == 1
    assert window.index_of(5_001) is None


async def test_a_ticket_that_stops_matching_the_filter_is_removed() -> None:
    server = FakeServer(1_000)
    window = window_over(server, matches=lambda t: t.status is not Status.SOLVED)
    await window.ensure(range(0, 50))
    change = window.apply_update(make_ticket(5, status=Status.SOLVED))
    assert change.kind == "removed" and change.old_index == 4
    assert window.index_of(5) is None
    assert window.index_of(6) == 4
    assert window.row_count_known == 49


async def test_an_update_that_changes_the_sort_position_moves_the_row() -> None:
    server = FakeServer(1_000)
    window = TicketWindow(server.fetch, page_size=50, sort_key=sort_key_for(TicketSort.PRIORITY))
    await window.ensure(range(0, 100))
    change = window.apply_update(make_ticket(80, priority=Priority.URGENT))
    assert change.kind == "moved" and change.old_index == 79 and change.new_index == 0
    assert window.index_of(80) == 0


async def test_appending_to_an_exhausted_list_and_to_an_empty_one() -> None:
    server = FakeServer(0)
    window = window_over(server)
    await window.ensure(range(0, 50))
    assert window.exhausted and window.row_count_known == 0
    assert window.apply_created(make_ticket(1)).new_index == 0
    assert window.apply_created(make_ticket(2)).new_index == 1
    assert [window.get(i).id for i in range(2)] == [1, 2]  # type: ignore[union-attr]


async def test_a_page_boundary_moved_upstream_is_re_read_without_losing_rows() -> None:
    server = FakeServer(300)
    window = window_over(server, max_pages=2)
    await window.ensure(range(0, 150))  # pages 0..2, page 0 evicted
    server.ids.remove(10)  # deleted on the server while we were away
    await window.ensure(range(0, 100))
    ids = [window.get(i).id for i in range(0, 100)]  # type: ignore[union-attr]
    assert 10 not in ids
    assert ids == sorted(ids) and len(set(ids)) == 100
    assert ids[49] == 51 and ids[50] == 52
    await window.ensure(range(100, 150))
    tail = [window.get(i).id for i in range(100, 150)]  # type: ignore[union-attr]
    assert tail == list(range(102, 152))


@pytest.mark.parametrize("sort", list(TicketSort))
def test_every_server_sort_has_a_client_side_key(sort: TicketSort) -> None:
    key = sort_key_for(sort)
    tickets = [make_ticket(i, waiting_since=BASE if i % 2 else None) for i in range(1, 6)]
    assert len({key(t) for t in tickets}) == 5  # ties are broken by id


async def test_reset_forgets_everything() -> None:
    server = FakeServer(500)
    window = window_over(server)
    await window.ensure(range(0, 50))
    window.reset()
    assert window.row_count_known == 0 and window.pages_held == 0 and not window.exhausted
    await window.ensure(range(0, 10))
    assert window.get(0) is not None


class BackwardsServer(FakeServer):
    """The same list read from its end (`reverse=true`): highest ids first."""

    async def fetch(self, after: str | None) -> tuple[list[Ticket], str | None]:
        self.calls.append(after)
        ids = self.ids[::-1]
        start = 0 if after is None else ids.index(int(after)) + 1
        chunk = ids[start : start + self.page_size]
        more = start + self.page_size < len(ids)
        return [self.ticket(i) for i in chunk], (str(chunk[-1]) if more and chunk else None)


async def test_a_list_read_from_its_end_starts_at_the_last_ticket_after_one_request() -> None:
    server = BackwardsServer(1_000_000)
    window = TicketWindow(server.fetch, page_size=server.page_size,
                          sort_key=backwards(sort_key_for(TicketSort.CREATED)))
    await window.ensure(range(0, 40))
    assert len(server.calls) == 1
    first = window.get(0)
    assert first is not None and first.id == 1_000_000


async def test_live_tickets_land_in_the_right_place_when_the_list_is_read_backwards() -> None:
    server = BackwardsServer(1_000)
    window = TicketWindow(server.fetch, page_size=server.page_size,
                          sort_key=backwards(sort_key_for(TicketSort.CREATED)))
    await window.ensure(range(0, 100))
    # Created between tickets 980 and 981, so read backwards it sits after 981 (index 19).
    newcomer = make_ticket(5_000, created_at=BASE + timedelta(seconds=980.5))
    change = window.apply_created(newcomer)
    assert change.kind == "inserted" and change.new_index == 20
    assert window.get(19) is not None and window.get(19).id == 981  # type: ignore[union-attr]
    # The newest ticket of all belongs at the top of a list read from its end.
    newest = make_ticket(6_000, created_at=BASE + timedelta(seconds=10_000))
    assert window.apply_created(newest).new_index == 0


async def test_rows_picked_locally_show_at_once_and_give_way_to_the_servers_first_page() -> None:
    server = FakeServer(200, page_size=20)
    earlier = TicketWindow(server.fetch, page_size=20, sort_key=sort_key_for(TicketSort.CREATED))
    await earlier.ensure(range(0, 40))
    even = TicketWindow(server.fetch, page_size=20, sort_key=sort_key_for(TicketSort.CREATED),
                        matches=lambda t: t.id % 2 == 0)
    even.show_provisional(list(reversed(earlier.loaded_prefix())))
    # Before any request: the loaded rows that match, in this list's order.
    assert even.provisional and not even.exhausted
    assert [even.get(i).id for i in range(even.row_count_known)] == list(range(2, 41, 2))  # type: ignore[union-attr]
    calls = len(server.calls)
    # The server says otherwise (its filter is the truth): its page replaces the stand-ins.
    server.ids = [t for t in server.ids if t % 2 == 0 and t > 10]
    await even.ensure(range(0, 1))
    assert not even.provisional and len(server.calls) == calls + 1
    assert [even.get(i).id for i in range(even.row_count_known)] == list(range(12, 51, 2))  # type: ignore[union-attr]


def test_no_matching_loaded_row_leaves_the_answer_to_the_server() -> None:
    server = FakeServer(10)
    window = TicketWindow(server.fetch, sort_key=sort_key_for(TicketSort.CREATED), matches=lambda _t: False)
    window.show_provisional([make_ticket(1), make_ticket(2)])
    assert not window.provisional and window.row_count_known == 0 and not window.exhausted
