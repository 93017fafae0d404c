"""A bounded window onto the server's sorted ticket list.

The queue can hold 100,000 tickets; the client never copies it. The list is
fetched in cursor pages; we keep every page's start cursor (a few bytes each,
so any page can be re-fetched) and at most `max_pages` pages of tickets in an
LRU. Live events edit the loaded pages in place; anything that cannot be placed
with certainty is left to the server (counted as `pending_new` or simply picked
up when its page is next fetched).

Pure logic: no Textual, no HTTP (the fetcher is injected).
"""

from __future__ import annotations

import asyncio
import bisect
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from supportdesk_tui.contract.models import PRIORITY_RANK, Status, Ticket, TicketSort
from supportdesk_tui.domain.sla import next_deadline

FetchPage = Callable[[str | None], Awaitable[tuple[list[Ticket], str | None]]]
SortKey = Callable[[Ticket], tuple[Any, ...]]
Matches = Callable[[Ticket], bool]

DEFAULT_PAGE_SIZE = 50
DEFAULT_MAX_PAGES = 8


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


_CLOCK_STOPPED = frozenset({Status.SOLVED, Status.CLOSED})


def next_due(ticket: Ticket) -> datetime | None:
    """The server's `sla_due` sort key: the nearest running deadline, `None` when no clock runs."""
    if ticket.status in _CLOCK_STOPPED or ticket.sla.paused:
        return None
    found = next_deadline(ticket.sla)
    return None if found is None else found[1]


def sort_key_for(sort: TicketSort) -> SortKey:
    """A client-side key that orders tickets as the server does for `sort` (ties broken by id)."""
    if sort is TicketSort.SLA_DUE:

        def by_due(t: Ticket) -> tuple[Any, ...]:
            due = next_due(t)
            return (due is None, _ts(due), t.id)

        return by_due
    if sort is TicketSort.CREATED:
        return lambda t: (_ts(t.created_at), t.id)
    if sort is TicketSort.CREATED_DESC:
        return lambda t: (-_ts(t.created_at), -t.id)
    if sort is TicketSort.UPDATED_DESC:
        return lambda t: (-_ts(t.updated_at), -t.id)
    if sort is TicketSort.PRIORITY:
        return lambda t: (PRIORITY_RANK[t.priority], _ts(t.created_at), t.id)
    # WAITING: longest waiting first, tickets nobody waits on last.
    return lambda t: (t.waiting_since is None, _ts(t.waiting_since), t.id)


class _Backwards:
    """A sort key that compares the other way round."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Backwards) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: _Backwards) -> bool:
        return other.key < self.key

    def __le__(self, other: _Backwards) -> bool:
        return other.key <= self.key


def backwards(key: SortKey) -> SortKey:
    """The order of the same list read from its end (the server's `reverse=true`)."""
    return lambda t: (_Backwards(key(t)),)


@dataclass(frozen=True)
class Change:
    """What an edit did to the row indexes, so a view can keep its cursor and scroll calm."""

    kind: Literal["none", "updated", "inserted", "removed", "moved"]
    old_index: int | None = None
    new_index: int | None = None


NO_CHANGE = Change("none")


class TicketWindow:
    """Row access to a cursor-paginated ticket list with a bounded page cache.

    Indexes are positions in the server order as far as it is known
    (`row_count_known`). `get` never performs I/O; `ensure` does.
    """

    def __init__(
        self,
        fetch_page: FetchPage,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
        sort_key: SortKey | None = None,
        matches: Matches | None = None,
    ) -> None:
        if page_size < 1 or max_pages < 1:
            raise ValueError("page_size and max_pages must be positive")
        self._fetch = fetch_page
        self.page_size = page_size
        self.max_pages = max_pages
        self.sort_key = sort_key
        self.matches: Matches = matches or (lambda _t: True)
        self.total_hint: int | None = None
        """An approximate total (e.g. the queue's open count) a view may use to size a scrollbar."""
        self.pending_new = 0
        """New tickets that belong somewhere outside the loaded pages: a reload shows them."""
        self._lock = asyncio.Lock()
        self._generation = 0
        self.reset()

    # --- state --------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything (e.g. after an event-stream `reset`); the next `ensure` starts over."""
        self._starts: list[str | None] = []
        self._lengths: list[int] = []
        self._tail: str | None = None
        self._exhausted = False
        self._pages: OrderedDict[int, list[Ticket]] = OrderedDict()
        self._offsets: list[int] = []
        self._offsets_dirty = False
        self.pending_new = 0
        self.provisional = False
        """The rows are stand-ins picked locally (`show_provisional`) until the server's first page."""
        self._generation += 1

    @property
    def row_count_known(self) -> int:
        """Rows the window knows exist (loaded now or earlier)."""
        return sum(self._lengths)

    @property
    def exhausted(self) -> bool:
        """True once the server said there is nothing after the last known page."""
        return self._exhausted

    @property
    def page_count_known(self) -> int:
        return len(self._starts)

    @property
    def pages_held(self) -> int:
        """Pages of tickets in memory (at most `max_pages`)."""
        return len(self._pages)

    @property
    def rows_held(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    def _page_offsets(self) -> list[int]:
        if self._offsets_dirty or len(self._offsets) != len(self._lengths):
            offsets: list[int] = []
            total = 0
            for length in self._lengths:
                offsets.append(total)
                total += length
            self._offsets = offsets
            self._offsets_dirty = False
        return self._offsets

    def _locate_index(self, index: int) -> tuple[int, int] | None:
        if index < 0 or index >= self.row_count_known:
            return None
        offsets = self._page_offsets()
        # The last page starting at or before `index` (empty pages share their successor's offset).
        page = bisect.bisect_right(offsets, index) - 1
        return page, index - offsets[page]

    def _locate_id(self, ticket_id: int) -> tuple[int, int] | None:
        for page, rows in self._pages.items():
            for pos, ticket in enumerate(rows):
                if ticket.id == ticket_id:
                    return page, pos
        return None

    def _index(self, page: int, pos: int) -> int:
        return self._page_offsets()[page] + pos

    # --- reading ------------------------------------------------------------

    def get(self, index: int) -> Ticket | None:
        """The ticket at `index`, or `None` when its page is not in memory (or the index is unknown)."""
        where = self._locate_index(index)
        if where is None:
            return None
        page, pos = where
        rows = self._pages.get(page)
        if rows is None:
            return None
        self._pages.move_to_end(page)
        return rows[pos] if pos < len(rows) else None

    def index_of(self, ticket_id: int) -> int | None:
        """Index of a loaded ticket, `None` if it is not in memory."""
        where = self._locate_id(ticket_id)
        return None if where is None else self._index(*where)

    def is_loaded(self, index: int) -> bool:
        where = self._locate_index(index)
        return where is not None and where[0] in self._pages

    def loaded_prefix(self) -> list[Ticket]:
        """The tickets of the pages held from the top of the list without a gap, in order."""
        rows: list[Ticket] = []
        page = 0
        while page in self._pages:
            rows.extend(self._pages[page])
            page += 1
        return rows

    def show_provisional(self, tickets: list[Ticket], *, in_order: bool = False) -> None:
        """Show, until the server answers, those of `tickets` (another list's loaded rows) that
        match this list, in its order: a new filter or queue shows at once what is already here.
        `in_order`: `tickets` are already in this list's order (a list with the same sort).

        The next `ensure` replaces them all with the server's first page, whatever they were."""
        if self._starts or self.sort_key is None:
            return
        seen: set[int] = set()
        rows = []
        for ticket in tickets:
            if ticket.id not in seen and self.matches(ticket):
                seen.add(ticket.id)
                rows.append(ticket)
        if not rows:
            return  # "nothing matches" is for the server to say
        if not in_order:
            rows.sort(key=self.sort_key)  # the SLA key works out every ticket's deadlines
        self._append_page(None, rows, None)
        self._exhausted = False  # more may follow: only the server knows
        self.provisional = True

    async def ensure(self, index_range: range) -> None:
        """Load the pages covering `index_range`, walking forward through the cursors if needed.

        A range wider than `max_pages` pages cannot all stay in memory; views ask for what is visible.
        """
        async with self._lock:
            if self.provisional:
                await self._replace_provisional()
            stop = index_range.stop
            while self.row_count_known < stop and not self._exhausted:
                await self._fetch_tail()
            start = max(0, index_range.start)
            stop = min(stop, self.row_count_known)
            if start >= stop:
                return
            first = self._locate_index(start)
            last = self._locate_index(stop - 1)
            assert first is not None and last is not None
            page = first[0]
            while page <= last[0] and page < len(self._starts):
                if page not in self._pages:
                    await self._refetch(page)
                page += 1

    async def _replace_provisional(self) -> None:
        """The server's first page in place of the stand-ins, in one step (they show until then)."""
        generation = self._generation
        tickets, next_cursor = await self._fetch(None)
        if generation != self._generation:  # a reset happened while we waited
            return
        self.reset()
        self._append_page(None, tickets, next_cursor)

    async def _fetch_tail(self) -> None:
        generation = self._generation
        tickets, next_cursor = await self._fetch(self._tail)
        if generation != self._generation:  # a reset happened while we waited
            return
        self._append_page(self._tail, tickets, next_cursor)

    def _append_page(self, start: str | None, tickets: list[Ticket], next_cursor: str | None) -> None:
        if not tickets:
            self._exhausted = True
            return
        self._starts.append(start)
        self._lengths.append(len(tickets))
        self._offsets_dirty = True
        self._store(len(self._starts) - 1, list(tickets))
        self._tail = next_cursor
        self._exhausted = next_cursor is None

    async def _refetch(self, page: int) -> None:
        generation = self._generation
        tickets, next_cursor = await self._fetch(self._starts[page])
        if generation != self._generation:  # a reset happened while we waited
            return
        self._lengths[page] = len(tickets)
        self._offsets_dirty = True
        self._store(page, list(tickets))
        if page == len(self._starts) - 1:
            self._tail = next_cursor
            self._exhausted = next_cursor is None
        elif next_cursor is None:
            # The list shrank on the server: nothing follows this page any more.
            for later in range(page + 1, len(self._starts)):
                self._pages.pop(later, None)
            del self._starts[page + 1 :]
            del self._lengths[page + 1 :]
            self._tail = None
            self._exhausted = True
        elif next_cursor != self._starts[page + 1]:
            # The page boundary moved (rows added/removed upstream): the next page must be re-read
            # from the new boundary so no row falls between the two pages.
            self._starts[page + 1] = next_cursor
            self._pages.pop(page + 1, None)

    def _store(self, page: int, rows: list[Ticket]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    # --- live updates -------------------------------------------------------

    def apply_update(self, ticket: Ticket) -> Change:
        """A ticket changed on the server: replace it in place, move it, or drop it if it stopped matching."""
        where = self._locate_id(ticket.id)
        if not self.matches(ticket):
            return self.remove(ticket.id) if where is not None else NO_CHANGE
        if where is None:
            # Unknown here: it may sit in an evicted page, so only place it where we are sure.
            return self._insert(ticket, count_unplaced=False)
        page, pos = where
        rows = self._pages[page]
        key = self.sort_key
        in_order = key is None or (
            (pos == 0 or key(rows[pos - 1]) <= key(ticket))
            and (pos == len(rows) - 1 or key(ticket) <= key(rows[pos + 1]))
        )
        if in_order:
            rows[pos] = ticket
            index = self._index(page, pos)
            return Change("updated", index, index)
        old_index = self._index(page, pos)
        self._drop(page, pos)
        inserted = self._insert(ticket, count_unplaced=False)
        return Change("moved", old_index, inserted.new_index)

    def apply_created(self, ticket: Ticket, sort_key: SortKey | None = None) -> Change:
        """A new ticket: insert it where it sorts inside the loaded range, else count it as `pending_new`."""
        if sort_key is not None:
            self.sort_key = sort_key
        if not self.matches(ticket):
            return NO_CHANGE
        if self._locate_id(ticket.id) is not None:
            return self.apply_update(ticket)
        return self._insert(ticket, count_unplaced=True)

    def remove(self, ticket_id: int) -> Change:
        """Drop a loaded ticket (e.g. it was solved and the view filters on open ones)."""
        where = self._locate_id(ticket_id)
        if where is None:
            return NO_CHANGE
        index = self._index(*where)
        self._drop(*where)
        return Change("removed", index, None)

    def _drop(self, page: int, pos: int) -> None:
        del self._pages[page][pos]
        self._lengths[page] -= 1
        self._offsets_dirty = True

    def _insert(self, ticket: Ticket, *, count_unplaced: bool) -> Change:
        spot = self._find_slot(ticket)
        if spot is None:
            if count_unplaced:
                self.pending_new += 1
            return NO_CHANGE
        page, pos = spot
        self._pages[page].insert(pos, ticket)
        self._lengths[page] += 1
        self._offsets_dirty = True
        index = self._index(page, pos)
        return Change("inserted", None, index)

    def _find_slot(self, ticket: Ticket) -> tuple[int, int] | None:
        key = self.sort_key
        if key is None:
            return None
        if not self._starts:
            if self._exhausted:
                # The list was empty: this is now its only row.
                self._starts.append(None)
                self._lengths.append(0)
                self._offsets_dirty = True
                self._store(0, [])
                return 0, 0
            return None
        k = key(ticket)
        last_page = len(self._starts) - 1
        for page in sorted(self._pages):
            rows = self._pages[page]
            keys = [key(t) for t in rows]
            if not keys:
                if page == last_page and self._exhausted and (page == 0 or page - 1 in self._pages):
                    return page, 0
                continue
            if k < keys[0]:
                if page == 0:
                    return page, 0
                before = self._pages.get(page - 1)
                if before:
                    # Between two loaded neighbours: it belongs at the end of the earlier page.
                    return (page - 1, len(before)) if key(before[-1]) <= k else None
                continue
            if k <= keys[-1]:
                return page, bisect.bisect_left(keys, k)
            if page == last_page and self._exhausted:
                return page, len(rows)
        return None
